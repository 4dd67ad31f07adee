# A private PostgreSQL cluster for shell tests and benchmarks (the shell
# twin of tests/pg/pg_cluster.h): pg_start DIR makes DIR/data a new cluster
# (pg_initdb.sh: initdb's template, made once) owned by the unprivileged
# user retentiond-test (created when missing; initdb refuses root), starts
# it with its Unix socket in DIR and no TCP listener, password
# authentication for "postgres" with $PG_PASSWORD, and sets
# PG_URI; pg_stop DIR stops it (immediate). Without PostgreSQL it fails
# loudly: these tests never pass by skipping.
PG_BIN=${RETENTION_PG_BIN:-/usr/lib/postgresql/15/bin}
PG_PASSWORD=pg-e2e-pw
PG_USER=retentiond-test
pg_start() {
  local dir=$1; shift
  [ -x "$PG_BIN/initdb" ] || { echo "FAIL: PostgreSQL is not installed (no $PG_BIN/initdb): run .ci/install-deps" >&2; exit 1; }
  # Another test may add the user at the same moment: then it exists.
  id -u "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER" ||
    id -u "$PG_USER" >/dev/null
  mkdir -p "$dir"
  chmod o+x "$(dirname "$dir")"  # the server user must reach DIR
  chown "$PG_USER" "$dir"
  # initdb, once per machine: a copy of its template.
  "$(dirname "${BASH_SOURCE[0]}")/pg_initdb.sh" "$PG_BIN" "$PG_USER" "$PG_PASSWORD" "$dir/data" \
    > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  runuser -u "$PG_USER" -- "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' $*" start > /dev/null || { cat "$dir/server.log" >&2; exit 1; }
  PG_URI="postgresql://postgres:$PG_PASSWORD@/postgres?host=$dir"
}
pg_stop() {
  runuser -u "$PG_USER" -- "$PG_BIN/pg_ctl" -D "$1/data" -m immediate stop > /dev/null 2>&1 || true
}
# psql_value SQL: the single value SQL returns.
psql_value() { PGPASSWORD=$PG_PASSWORD psql -X -q -A -t -v ON_ERROR_STOP=1 "${PG_URI/:$PG_PASSWORD@/@}" -c "$1"; }
# pg_poll_open, then pg_poll SQL: the single value SQL returns, from one
# psql session kept open, for the loops that poll the database while a
# daemon works: a psql process and a login cost ~90 ms of CPU each, which
# at 20 polls a second took more CPU than the daemons did. An error ends
# the session (ON_ERROR_STOP), and pg_poll fails from then on. No parallel
# workers: a count(*) of a large table would start two processes per poll.
pg_poll_open() {
  coproc PG_POLL { PGOPTIONS='-c max_parallel_workers_per_gather=0' PGPASSWORD=$PG_PASSWORD exec psql -X -q -A -t -v ON_ERROR_STOP=1 "${PG_URI/:$PG_PASSWORD@/@}" 2>&1; }
}
pg_poll() {
  printf '%s;\n\\echo __pg_poll_end__\n' "$1" >&"${PG_POLL[1]}" || { echo "FAIL: the psql session is gone" >&2; return 1; }
  local line value=""
  while IFS= read -r -t 60 line <&"${PG_POLL[0]}"; do
    if [ "$line" = __pg_poll_end__ ]; then printf '%s\n' "$value"; return 0; fi
    value=${value:+$value$'\n'}$line
  done
  echo "FAIL: psql gave no answer to $1: $value" >&2
  return 1
}
# bouncer_start PGDIR BDIR: a private pgbouncer in transaction pooling mode
# (a pool of 4 server connections; a server connection serves any client's
# next transaction, so nothing may be session-scoped) in front of the
# cluster of pg_start PGDIR, its Unix socket in BDIR (port 6432), no TCP;
# sets BOUNCER_URI. bouncer_stop BDIR stops it; bouncer_logins BDIR counts
# the client logins it served.
bouncer_start() {
  local pgdir=$1 bdir=$2
  [ -x /usr/sbin/pgbouncer ] || { echo "FAIL: pgbouncer is not installed: run .ci/install-deps" >&2; exit 1; }
  mkdir -p "$bdir"
  printf '"postgres" "%s"\n' "$PG_PASSWORD" > "$bdir/userlist.txt"
  cat > "$bdir/pgbouncer.ini" <<INI
[databases]
postgres = host=$pgdir dbname=postgres user=postgres password=$PG_PASSWORD
[pgbouncer]
listen_addr =
listen_port = 6432
unix_socket_dir = $bdir
auth_type = trust
auth_file = $bdir/userlist.txt
pool_mode = transaction
default_pool_size = 4
max_client_conn = 100
pidfile = $bdir/pgbouncer.pid
logfile = $bdir/pgbouncer.log
INI
  chown -R "$PG_USER" "$bdir"
  runuser -u "$PG_USER" -- /usr/sbin/pgbouncer -d "$bdir/pgbouncer.ini" || { echo "FAIL: pgbouncer did not start" >&2; exit 1; }
  local i
  for i in $(seq 100); do [ -S "$bdir/.s.PGSQL.6432" ] && break; sleep 0.1; done
  [ -S "$bdir/.s.PGSQL.6432" ] || { echo "FAIL: no pgbouncer socket in $bdir" >&2; exit 1; }
  BOUNCER_URI="postgresql://postgres@/postgres?host=$bdir&port=6432"
}
bouncer_stop() {
  [ -f "$1/pgbouncer.pid" ] && kill "$(cat "$1/pgbouncer.pid")" 2>/dev/null || true
}
bouncer_logins() { grep -c "login attempt" "$1/pgbouncer.log" || true; }
