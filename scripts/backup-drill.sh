#!/usr/bin/env bash
# The backup drill (C27): for SQLite and PostgreSQL each, seed a small data set, run
# `punkt backup`, restore into a FRESH database and an empty PUNKT_VAR_DIR with
# `punkt restore` (which checks migrations and row counts against the manifest), then a
# smoke test on the restored copy (system checks, sign-in page, signing in with a restored
# password, the dashboard and a customer page). Called by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=.venv/bin/python
WORK="$(mktemp -d "${TMPDIR:-/tmp}/punkt-drill.XXXXXX")"
PG_HOST="${PUNKT_TEST_PG_HOST:-127.0.0.1}"
SRC_DB="punkt_drill_src_$$"
DST_DB="punkt_drill_dst_$$"
pg_admin() {
  $PYTHON -c "import psycopg,sys; c=psycopg.connect('host=$PG_HOST user=postgres dbname=postgres connect_timeout=3', autocommit=True); c.execute(sys.argv[1])" "$1"
}
cleanup() {
  if [ -n "${PG_USED:-}" ]; then
    pg_admin "DROP DATABASE IF EXISTS $SRC_DB WITH (FORCE)" >/dev/null 2>&1 || true
    pg_admin "DROP DATABASE IF EXISTS $DST_DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
unset PUNKT_DEMO
START=$SECONDS

drill_sqlite() {
  PUNKT_VAR_DIR="$WORK/sqlite-src" DATABASE_URL="sqlite:///$WORK/sqlite-src/punkt.sqlite3" \
    $PYTHON -m tests.backup_drill seed "$WORK/sqlite.tar.gz"
  PUNKT_VAR_DIR="$WORK/sqlite-dst" DATABASE_URL="sqlite:///$WORK/sqlite-dst/punkt.sqlite3" \
    $PYTHON -m tests.backup_drill restore "$WORK/sqlite.tar.gz"
}
drill_postgresql() {
  pg_admin "CREATE DATABASE $SRC_DB"
  pg_admin "CREATE DATABASE $DST_DB"
  PUNKT_VAR_DIR="$WORK/pg-src" DATABASE_URL="postgres://postgres@$PG_HOST:5432/$SRC_DB" \
    $PYTHON -m tests.backup_drill seed "$WORK/pg.tar.gz"
  PUNKT_VAR_DIR="$WORK/pg-dst" DATABASE_URL="postgres://postgres@$PG_HOST:5432/$DST_DB" \
    $PYTHON -m tests.backup_drill restore "$WORK/pg.tar.gz"
}

# The two databases' drills run side by side (most of the time is each one's migrate).
drill_sqlite >"$WORK/sqlite.log" 2>&1 &
SQLITE_PID=$!
PG_RC=0
if $PYTHON -c "import psycopg; psycopg.connect('host=$PG_HOST user=postgres dbname=postgres connect_timeout=3').close()" >/dev/null 2>&1; then
  PG_USED=1
  drill_postgresql >"$WORK/pg.log" 2>&1 || PG_RC=$?
else
  if [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL is required in CI (CI=true) but is not reachable on $PG_HOST:5432" >&2
    PG_RC=1
  fi
  echo "!! SKIPPED the PostgreSQL drill: no PostgreSQL on $PG_HOST:5432 (set PUNKT_TEST_PG_HOST)." \
    >"$WORK/pg.log"
fi
SQLITE_RC=0
wait "$SQLITE_PID" || SQLITE_RC=$?
echo "==> backup drill: SQLite"
cat "$WORK/sqlite.log"
echo "==> backup drill: PostgreSQL ($(pg_dump --version 2>/dev/null || echo 'no pg_dump'))"
cat "$WORK/pg.log"
if [ "$SQLITE_RC" -ne 0 ] || [ "$PG_RC" -ne 0 ]; then
  echo "!! backup drill FAILED (SQLite: exit $SQLITE_RC, PostgreSQL: exit $PG_RC)" >&2
  exit 1
fi
echo "==> backup drill passed in $((SECONDS - START)) s"
