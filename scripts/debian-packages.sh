#!/usr/bin/env bash
# Debian packages Punkt needs: browser for e2e tests, PDF libraries, gettext, an IMAP
# server for the mailbox tests.
set -euo pipefail
PKGS=(chromium libharfbuzz-subset0 poppler-utils gettext fonts-dejavu-core dovecot-imapd)
missing=()
for p in "${PKGS[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}. Run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "==> apt-get install ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
