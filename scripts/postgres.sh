#!/usr/bin/env bash
# Starts a private PostgreSQL for tests and benchmarks, and prints its URL.
#
#   eval "$(bash scripts/postgres.sh start)"   # exports BECKON_TEST_POSTGRES
#   bash scripts/postgres.sh stop
#
# Installs Debian's `postgresql` with apt-get when no server binary is found.
# The cluster lives in a temporary folder ($BECKON_PG_DIR, default
# /tmp/beckon-pg), belongs to an unprivileged user (Postgres refuses to run
# as root), listens on 127.0.0.1 only, on $BECKON_PG_PORT (default 55432),
# trusts local connections, and trades durability for speed (fsync off):
# it is for tests, never for data. BECKON_PG_DURABLE=1 keeps Postgres's
# defaults (fsync, synchronous commit) instead, for benchmarks.
set -euo pipefail
cmd="${1:-start}"
dir="${BECKON_PG_DIR:-/tmp/beckon-pg}"
port="${BECKON_PG_PORT:-55432}"
url="postgres://beckon@127.0.0.1:${port}/postgres"

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return; }
  done
}

run_as() {
  # Postgres will not run as root; use the `postgres` user Debian creates,
  # or `nobody` when there is none.
  if [ "$(id -u)" = 0 ]; then
    local who=postgres
    id "$who" >/dev/null 2>&1 || who=nobody
    su -s /bin/sh "$who" -c "$*"
  else
    sh -c "$*"
  fi
}

bin="$(find_bin || true)"
if [ -z "$bin" ]; then
  echo "installing Debian's postgresql (apt-get)…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bin="$(find_bin)"
fi

case "$cmd" in
  start)
    if [ -f "$dir/data/postmaster.pid" ] && run_as "$bin/pg_ctl -D $dir/data status" >/dev/null 2>&1; then
      echo "export BECKON_TEST_POSTGRES=$url"
      exit 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
      owner=postgres; id "$owner" >/dev/null 2>&1 || owner=nobody
      chown "$owner" "$dir"
    fi
    run_as "$bin/initdb -D $dir/data -U beckon --auth=trust -E UTF8 --no-locale" >"$dir/../beckon-pg-initdb.log" 2>&1 \
      || { cat "$dir/../beckon-pg-initdb.log" >&2; exit 1; }
    fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ "${BECKON_PG_DURABLE:-0}" = 1 ] && fast=""
    run_as "$bin/pg_ctl -D $dir/data -l $dir/log -w -t 60 start \
      -o \"-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir \
          $fast -c max_connections=300\"" >&2 \
      || { cat "$dir/log" >&2; exit 1; }
    echo "export BECKON_TEST_POSTGRES=$url"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      run_as "$bin/pg_ctl -D $dir/data -m fast stop" >&2 || true
    fi
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
