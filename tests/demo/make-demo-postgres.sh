#!/usr/bin/env bash
# The quick-start demo on PostgreSQL: makes the demo workspace as
# make-demo-workspace.sh does, starts a private PostgreSQL cluster in
# DIR/pg (tests/pg/pg_cluster.bash: initdb as an unprivileged user, Unix
# socket only), copies the application database's tables into it (times
# stay unix seconds in bigint columns, with the same indexes), and writes
# DIR/demo-postgres.conf: config/demo.conf with every [rows.*] and
# [accounts] section on that cluster (the password in DIR/pg/pgpass, named
# by the URI's passfile parameter) and its paths made absolute.
# Prints the cluster's data directory; stop it with
#   runuser -u retentiond-test -- /usr/lib/postgresql/15/bin/pg_ctl -D DIR/pg/data stop
#   usage: tests/demo/make-demo-postgres.sh DIR SOURCE_DIR
set -euo pipefail
dir=$(realpath -m "${1:-build/demo}")
src=$(realpath "${2:-.}")
"$src/tests/demo/make-demo-workspace.sh" "$dir"
source "$src/tests/pg/pg_cluster.bash"
pg_start "$dir/pg"
printf '*:*:*:postgres:%s\n' "$PG_PASSWORD" > "$dir/pg/pgpass"
chmod 600 "$dir/pg/pgpass"
uri="postgresql://postgres@/postgres?host=$dir/pg&passfile=$dir/pg/pgpass"
psql_value "
CREATE TABLE auth_tokens (id bigint PRIMARY KEY, purpose text NOT NULL,
  token text NOT NULL, created_at bigint NOT NULL, used_at bigint);
CREATE INDEX auth_tokens_created_at ON auth_tokens (created_at);
CREATE INDEX auth_tokens_used_at ON auth_tokens (used_at);
CREATE TABLE events (id bigint PRIMARY KEY, ts bigint NOT NULL,
  name text NOT NULL);
CREATE INDEX events_ts ON events (ts);
CREATE TABLE accounts (id text PRIMARY KEY, email text NOT NULL,
  deleted_at bigint);
CREATE TABLE sessions (id bigint PRIMARY KEY, account_id text NOT NULL,
  started_at bigint NOT NULL);
CREATE INDEX sessions_account_id ON sessions (account_id);" > /dev/null
for table in auth_tokens events accounts sessions; do
  sqlite3 -csv "$dir/app.db" "SELECT * FROM $table" |
    PGPASSWORD=$PG_PASSWORD psql -X -q -v ON_ERROR_STOP=1 \
      "postgresql://postgres@/postgres?host=$dir/pg" \
      -c "\\copy $table FROM STDIN WITH (FORMAT csv)"
done
# The SQLite file is not used by this variant: remove it so nothing can
# read it by mistake.
rm -f "$dir"/app.db*
sed -e "s|^database = sqlite:.*|database = ${uri//&/\\&}|" \
    -e "s|\.\./build/demo/|$dir/|g" -e "s|\.\./build/demo\b|$dir|g" \
    -e "s|\.\./tests/demo/|$src/tests/demo/|g" \
    "$src/config/demo.conf" > "$dir/demo-postgres.conf"
echo "PostgreSQL cluster in $dir/pg (socket only): $(psql_value "SELECT count(*) FROM auth_tokens") tokens, $(psql_value "SELECT count(*) FROM events") events, $(psql_value "SELECT count(*) FROM accounts") accounts"
echo "config: $dir/demo-postgres.conf"
