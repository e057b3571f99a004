#!/usr/bin/env bash
# Print the path of a Python >= 3.12 (prefers 3.13), or fail with a clear message.
set -euo pipefail
candidates=()
for v in 3.13 3.12; do
  command -v "python$v" >/dev/null 2>&1 && candidates+=("$(command -v "python$v")")
done
if command -v pyenv >/dev/null 2>&1; then
  root="$(pyenv root)"
  for d in "$root"/versions/3.13* "$root"/versions/3.12*; do
    [ -x "$d/bin/python" ] && candidates+=("$d/bin/python")
  done
fi
for d in "$HOME"/.pyenv/versions/3.13* "$HOME"/.pyenv/versions/3.12*; do
  [ -x "$d/bin/python" ] && candidates+=("$d/bin/python")
done
command -v python3 >/dev/null 2>&1 && candidates+=("$(command -v python3)")
for py in "${candidates[@]}"; do
  if "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    echo "$py"
    exit 0
  fi
done
echo "Punkt needs Python 3.12 or newer (3.13 recommended); none was found." >&2
exit 1
