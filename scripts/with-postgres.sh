#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server: initdb into a temporary
# folder, listen on a Unix socket only, export TEST_DATABASE_URL, clean up after.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
dir=$(mktemp -d)
as_postgres=()
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root.
  chown postgres: "$dir"
  as_postgres=(runuser -u postgres --)
fi

# Run as the server's owner, from a folder that owner may enter.
pg() { (cd / && "${as_postgres[@]}" "$@"); }

stop() {
  pg "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

pg "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-sync >/dev/null
pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start \
  -o "-k $dir -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
pg "$bindir/createdb" -h "$dir" -U postgres friends_test

export TEST_DATABASE_URL="postgresql+psycopg://postgres@/friends_test?host=$dir"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') running in $dir"
"$@"
