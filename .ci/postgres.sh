#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on 127.0.0.1:$PGPORT for the tests.
# Usage: .ci/postgres.sh start DIR | stop DIR
set -euo pipefail
action=$1
dir=$2
port=${PGPORT:-54329}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
case "$action" in
  start)
    install -d -o postgres -g postgres "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      su postgres -c "$bin/initdb -D '$dir' -A trust -U postgres --encoding=UTF8 --locale=C.UTF-8" >/dev/null
    fi
    su postgres -c "$bin/pg_ctl -D '$dir' -l '$dir/server.log' -w \
      -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start" >/dev/null
    echo "postgresql+asyncpg://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    su postgres -c "$bin/pg_ctl -D '$dir' -m fast -w stop" >/dev/null || true
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
