#!/usr/bin/env bash
# Punkt with demo data on SQLite: web server plus the background worker and scheduler
# (imports, housekeeping). Ctrl+C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
export PUNKT_DEMO=1
# The seller printed on invoice duplicates (a valid sample NIP; set your own in production).
export PUNKT_SELLER_NAME="${PUNKT_SELLER_NAME:-Punkt Demo sp. z o.o.}"
export PUNKT_SELLER_NIP="${PUNKT_SELLER_NIP:-1234563218}"
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py demo
.venv/bin/punkt worker >var/worker.log 2>&1 &
WORKER=$!
.venv/bin/punkt scheduler >var/scheduler.log 2>&1 &
SCHEDULER=$!
trap 'kill $WORKER $SCHEDULER 2>/dev/null || true' EXIT INT TERM
echo "==> Punkt at http://127.0.0.1:8000 (Ctrl+C stops it; worker log: var/worker.log)"
# One ASGI server (uvicorn) answers the pages and the live chat's WebSockets (/ws/), with
# the in-memory channel layer; static files come from WhiteNoise. Production runs the pages
# on gunicorn and only /ws/ on uvicorn (docs/deployment.md).
PUNKT_DEBUG=0 .venv/bin/uvicorn punkt.asgi:application --host 127.0.0.1 --port 8000 \
  --ws-max-size 65536 --lifespan off
