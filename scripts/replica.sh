#!/usr/bin/env bash
# A PostgreSQL primary and a streaming replica of it on loopback, for the tests of the
# reports' read replica (punkt/core/reports.py): `scripts/replica.sh start` makes both
# under $REPLICA_DIR (initdb, pg_basebackup -R) and prints the two URLs' ports;
# `scripts/replica.sh stop` stops them and removes the directory. Uses the machine's own
# PostgreSQL binaries (Debian's postgresql package); as root it runs them as `postgres`.
set -euo pipefail
DIR="${REPLICA_DIR:-/tmp/punkt-replica}"
PRIMARY_PORT="${REPLICA_PRIMARY_PORT:-5434}"
STANDBY_PORT="${REPLICA_STANDBY_PORT:-5435}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
  for node in standby primary; do
    if [ -f "$DIR/$node/postmaster.pid" ]; then
      as_pg "$BIN/pg_ctl" -D "$DIR/$node" stop -m immediate -w >/dev/null 2>&1 || true
    fi
  done
  rm -rf "$DIR"
}

start() {
  if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
    echo "No PostgreSQL server binaries under /usr/lib/postgresql" >&2
    exit 1
  fi
  stop
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  as_pg "$BIN/initdb" -D "$DIR/primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$DIR/initdb.log" 2>&1
  # a test instance: nothing here must survive a crash, so no fsync
  cat >>"$DIR/primary/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PRIMARY_PORT
unix_socket_directories = '$DIR'
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
full_page_writes = off
shared_buffers = 64MB
EOF
  as_pg "$BIN/pg_ctl" -D "$DIR/primary" -l "$DIR/primary.log" -w start >/dev/null
  # the standby: a base backup that writes its own standby.signal and primary_conninfo
  as_pg "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DIR/standby" \
    -R -X stream >"$DIR/basebackup.log" 2>&1
  echo "port = $STANDBY_PORT" >>"$DIR/standby/postgresql.conf"
  as_pg "$BIN/pg_ctl" -D "$DIR/standby" -l "$DIR/standby.log" -w start >/dev/null
  local i
  for i in $(seq 1 50); do
    if [ "$(as_pg "$BIN/psql" -h 127.0.0.1 -p "$STANDBY_PORT" -U postgres -Atc \
          'SELECT pg_is_in_recovery()' postgres 2>/dev/null)" = "t" ]; then
      echo "primary 127.0.0.1:$PRIMARY_PORT, streaming replica 127.0.0.1:$STANDBY_PORT"
      return 0
    fi
    sleep 0.2
  done
  echo "The standby did not come up: see $DIR/standby.log" >&2
  exit 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
