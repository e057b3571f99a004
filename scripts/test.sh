#!/usr/bin/env bash
# The whole test run: lint, types, migrations, deploy checks, tests on SQLite and
# PostgreSQL, browser tests. `make test` and CI (.ci/run) both run exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
export PUNKT_VAR_DIR="${PUNKT_VAR_DIR:-$PWD/var/test}"
mkdir -p "$PUNKT_VAR_DIR"
PYTHON=.venv/bin/python

echo "==> ruff"
.venv/bin/ruff check .
echo "==> mypy (every module of punkt/)"
.venv/bin/mypy punkt
echo "==> Polish catalogue complete (no untranslated or fuzzy entries)"
PO=punkt/locale/pl/LC_MESSAGES/django.po
if [ -n "$(msgattrib --untranslated "$PO")" ] || [ -n "$(msgattrib --only-fuzzy "$PO")" ]; then
  echo "Untranslated or fuzzy entries in $PO:" >&2
  msgattrib --untranslated "$PO" >&2; msgattrib --only-fuzzy "$PO" >&2
  exit 1
fi
echo "==> migrations are up to date"
$PYTHON manage.py makemigrations --check --dry-run >/dev/null
echo "==> check --deploy with production settings"
PUNKT_PRODUCTION=1 PUNKT_SECRET_KEY="ci-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
  PUNKT_ALLOWED_HOSTS=punkt.example.com PUNKT_PUBLIC_URL=https://punkt.example.com PUNKT_DEBUG=0 \
  PUNKT_SELLER_NIP=1234563218 PUNKT_REDIS_URL=redis://127.0.0.1:6379/0 PUNKT_SEAL_KEY="ci-seal-$$" \
  $PYTHON manage.py check --deploy --fail-level WARNING

PYTEST=($PYTHON -m pytest -p no:cacheprovider -q)
# The unit and HTTP suites run on two processes (pytest-xdist; a test file stays on one
# process, each process has its own test database). PUNKT_TEST_WORKERS=0 runs them in one.
WORKERS="${PUNKT_TEST_WORKERS:-2}"
PARALLEL=()
if [ "$WORKERS" != "0" ]; then PARALLEL=(-n "$WORKERS" --dist loadfile); fi

run_pytest() {
  # pytest exits 5 when it collected nothing: that must fail, not pass silently.
  set +e
  "$@"
  local rc=$?
  set -e
  if [ $rc -eq 5 ]; then echo "No tests were collected" >&2; exit 1; fi
  return $rc
}

echo "==> tests on SQLite"
DATABASE_URL="sqlite:///$PUNKT_VAR_DIR/test.sqlite3" run_pytest "${PYTEST[@]}" "${PARALLEL[@]}" -m "not e2e"

echo "==> tests on PostgreSQL"
PG_HOST="${PUNKT_TEST_PG_HOST:-127.0.0.1}"
if pg_isready -h "$PG_HOST" -p 5432 >/dev/null 2>&1 || \
   $PYTHON -c "import psycopg,sys; psycopg.connect('host=$PG_HOST user=postgres dbname=postgres connect_timeout=3').close()" >/dev/null 2>&1; then
  DB="punkt_ci_$$"
  trap '$PYTHON -c "import psycopg; c=psycopg.connect(\"host=$PG_HOST user=postgres dbname=postgres\", autocommit=True); [c.execute(f\"DROP DATABASE IF EXISTS test_$DB{s}\") for s in (\"\", \"_gw0\", \"_gw1\", \"_gw2\", \"_gw3\")]; c.execute(\"DROP DATABASE IF EXISTS $DB\")" >/dev/null 2>&1 || true' EXIT
  $PYTHON -c "import psycopg; c=psycopg.connect('host=$PG_HOST user=postgres dbname=postgres', autocommit=True); c.execute('CREATE DATABASE $DB')"
  DATABASE_URL="postgres://postgres@$PG_HOST:5432/$DB" run_pytest "${PYTEST[@]}" "${PARALLEL[@]}" -m "not e2e"
else
  if [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL is required in CI (CI=true) but is not reachable on $PG_HOST:5432" >&2
    exit 1
  fi
  echo "!! SKIPPED the PostgreSQL suite: no PostgreSQL on $PG_HOST:5432 (set PUNKT_TEST_PG_HOST)."
fi

echo "==> reports on a streaming replica (a PostgreSQL primary and its standby on loopback)"
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  # a fixed directory: a run stopped half way leaves nothing the next start does not stop
  export REPLICA_DIR=/tmp/punkt-replica
  bash scripts/replica.sh start
  rc=0
  $PYTHON -c "import psycopg; psycopg.connect('host=127.0.0.1 port=5434 user=postgres dbname=postgres', autocommit=True).execute('CREATE DATABASE punkt_replica')" || rc=$?
  if [ $rc -eq 0 ]; then
    DATABASE_URL="postgres://postgres@127.0.0.1:5434/punkt_replica" \
      DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:5435/punkt_replica" \
      run_pytest "${PYTEST[@]}" -m replica punkt/core/tests/test_replica.py || rc=$?
  fi
  bash scripts/replica.sh stop
  [ $rc -eq 0 ] || exit $rc
elif [ "${CI:-}" = "true" ]; then
  echo "The PostgreSQL server binaries (initdb, pg_basebackup) are required in CI" >&2
  exit 1
else
  echo "!! SKIPPED the replica tests: no PostgreSQL server binaries under /usr/lib/postgresql."
fi

echo "==> backup and restore drill (C27: SQLite and PostgreSQL)"
bash scripts/backup-drill.sh

echo "==> browser tests (Playwright + Debian chromium)"
DATABASE_URL="sqlite:///$PUNKT_VAR_DIR/e2e.sqlite3" run_pytest "${PYTEST[@]}" -m e2e tests/e2e
echo "==> all checks passed"
