#!/usr/bin/env bash
# Create .venv with the locked dependencies and compile translations. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="$(scripts/find-python.sh)"
if [ ! -x var/tools/bin/uv ]; then
  echo "==> Installing uv into var/tools (once)"
  "$PY" -m venv var/tools
  var/tools/bin/pip install --quiet --disable-pip-version-check "uv==0.13.9"
fi
echo "==> Installing locked dependencies into .venv ($("$PY" --version))"
UV_PYTHON="$PY" var/tools/bin/uv sync --frozen --quiet
echo "==> Compiling translations"
PUNKT_VAR_DIR="${PUNKT_VAR_DIR:-var}" .venv/bin/python manage.py compilemessages --ignore=.venv -v0
