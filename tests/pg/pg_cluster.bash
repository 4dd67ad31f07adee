# A private PostgreSQL cluster for shell tests and benchmarks (the shell
# twin of tests/pg/pg_cluster.h): pg_start DIR runs initdb into DIR/data as
# the unprivileged user retentiond-test (created when missing; initdb
# refuses root), starts it with its Unix socket in DIR and no TCP listener,
# password authentication for "postgres" with $PG_PASSWORD, and sets
# PG_URI; pg_stop DIR stops it (immediate). Without PostgreSQL it fails
# loudly: these tests never pass by skipping.
PG_BIN=${RETENTION_PG_BIN:-/usr/lib/postgresql/15/bin}
PG_PASSWORD=pg-e2e-pw
PG_USER=retentiond-test
pg_start() {
  local dir=$1; shift
  [ -x "$PG_BIN/initdb" ] || { echo "FAIL: PostgreSQL is not installed (no $PG_BIN/initdb): run .ci/install-deps" >&2; exit 1; }
  id -u "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
  mkdir -p "$dir"
  chmod o+x "$(dirname "$dir")"  # the server user must reach DIR
  echo "$PG_PASSWORD" > "$dir/pw"
  chown "$PG_USER" "$dir" "$dir/pw"
  runuser -u "$PG_USER" -- "$PG_BIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pw" \
    -A scram-sha-256 -E UTF8 --no-sync > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  runuser -u "$PG_USER" -- "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' $*" start > /dev/null || { cat "$dir/server.log" >&2; exit 1; }
  PG_URI="postgresql://postgres:$PG_PASSWORD@/postgres?host=$dir"
}
pg_stop() {
  runuser -u "$PG_USER" -- "$PG_BIN/pg_ctl" -D "$1/data" -m immediate stop > /dev/null 2>&1 || true
}
# psql_value SQL: the single value SQL returns.
psql_value() { PGPASSWORD=$PG_PASSWORD psql -X -q -A -t -v ON_ERROR_STOP=1 "${PG_URI/:$PG_PASSWORD@/@}" -c "$1"; }
