# kill -9 at random points of a [rows] prune of 200k rows on PostgreSQL,
# each followed by a restart, until 20 runs were killed mid-prune: after a
# last clean run the ledger's row counts add up exactly to the rows that
# are gone (the batches' mark, updated in each batch's transaction, tells
# recovery what a killed run removed), no young row is lost, verify passes,
# and the password in the URI never reaches the log.
source "$(dirname "$0")/lib.bash"
source "$SRC/tests/pg/pg_cluster.bash"

PGDIR=$WORK/pg
pg_start "$PGDIR" -c fsync=off
trap 'pg_stop "$PGDIR"; cleanup' EXIT
pg_poll_open

N=200000
mkdir -p "$WORK/state"
now=$(date -u +%s)
psql_value "CREATE TABLE tokens (id bigserial PRIMARY KEY, created_at timestamptz);
CREATE INDEX tokens_created ON tokens (created_at);
INSERT INTO tokens (created_at) SELECT to_timestamp($now - 7200 - i) FROM generate_series(1, $N) i;
INSERT INTO tokens (created_at) SELECT to_timestamp($now + 86400) FROM generate_series(1, 1000);" > /dev/null
printf '[daemon]\nstate_dir = state\ncontrol_socket = control.sock\n[rows.tokens]\ndatabase = %s\ntable = public.tokens\ntime_column = created_at\ntime_format = native\nmax_age = 1h\nmax_delete_fraction = 1\n' "$PG_URI" > "$WORK/r.conf"
old_left() { pg_poll "SELECT count(*) FROM tokens WHERE created_at < to_timestamp($now)"; }

# Each run is killed once it has removed up to a tenth of what is left
# (kill_mid_run, lib.bash); more expired rows are added when fewer than a
# tenth of N are left.
made=$N
refill() {
  if [ "$(old_left)" -lt $((N / 10)) ]; then
    psql_value "INSERT INTO tokens (created_at) SELECT to_timestamp($now - 7200 - i) FROM generate_series(1, $((N / 2))) i" > /dev/null
    made=$((made + N / 2))
  fi
}
kill_mid_run 20 80 10 0.01 old_left refill
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once
cat "$WORK/out" "$WORK/err" >> "$WORK/log"

gone=$((made - $(old_left)))
young=$(psql_value "SELECT count(*) FROM tokens WHERE created_at >= to_timestamp($now)")
ledgered=$(sqlite3 "$WORK/state/state.db" "SELECT coalesce(sum(count), 0) FROM ledger WHERE policy = 'rows.tokens' AND action = 'delete'")
recovered=$(sqlite3 "$WORK/state/state.db" "SELECT coalesce(sum(count), 0) FROM ledger WHERE detail LIKE '%recorded at recovery%'")
open=$(sqlite3 "$WORK/state/state.db" "SELECT count(*) FROM intents")
echo "killed mid-prune $KILLED of $ROUNDS runs, $made expired rows made; gone $gone, in the ledger $ledgered ($recovered rows recorded at recovery); open intents $open"
[ "$young" = 1000 ] || fail "young rows lost: $young of 1000 left"
[ "$gone" = "$made" ] || fail "expired rows left: $((made - gone))"
[ "$gone" = "$ledgered" ] || fail "gone $gone but the ledger counts $ledgered"
[ "$open" = 0 ] || fail "$open intents left open"
if grep -q "$PG_PASSWORD" "$WORK/log" "$WORK/state/state.db"; then fail "the password reached the log or the state db"; fi
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" verify
echo "kill9_rows_pg: ok"
