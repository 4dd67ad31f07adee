# kill -9 at random points of a [rows] prune of 300k rows, each followed by
# a restart, until 20 runs were killed mid-prune: after a last clean run
# the ledger's row counts add up exactly to the rows that are gone — the
# batches' mark in the application's database tells recovery what a killed
# run removed — no young row is lost, and verify passes.
source "$(dirname "$0")/lib.bash"

N=300000
mkdir -p "$WORK/state"
now=$(date -u +%s)
sqlite3 "$WORK/app.db" > /dev/null <<SQL
PRAGMA journal_mode = WAL;
CREATE TABLE tokens (id INTEGER PRIMARY KEY, created_at INTEGER);
CREATE INDEX tokens_created ON tokens(created_at);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO tokens (created_at) SELECT $now - 7200 - i FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
INSERT INTO tokens (created_at) SELECT $now + 86400 FROM n;
SQL
printf '[daemon]\nstate_dir = state\ncontrol_socket = control.sock\n[rows.tokens]\ndatabase = sqlite:app.db\ntable = tokens\ntime_column = created_at\nmax_age = 1h\nmax_delete_fraction = 1\n' > "$WORK/r.conf"
old_left() { sqlite3 "$WORK/app.db" "SELECT count(*) FROM tokens WHERE created_at < $now"; }

# Each run is killed once it has removed up to a tenth of what is left
# (kill_mid_run, lib.bash); more expired rows are added when fewer than a
# tenth of N are left.
made=$N
refill() {
  if [ "$(old_left)" -lt $((N / 10)) ]; then
    sqlite3 "$WORK/app.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $((N / 2))) INSERT INTO tokens (created_at) SELECT $now - 7200 - i FROM n"
    made=$((made + N / 2))
  fi
}
kill_mid_run 20 80 10 0.002 old_left refill
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once

gone=$((made - $(old_left)))
young=$(sqlite3 "$WORK/app.db" "SELECT count(*) FROM tokens WHERE created_at >= $now")
ledgered=$(sqlite3 "$WORK/state/state.db" "SELECT coalesce(sum(count), 0) FROM ledger WHERE policy = 'rows.tokens' AND action = 'delete'")
recovered=$(sqlite3 "$WORK/state/state.db" "SELECT coalesce(sum(count), 0) FROM ledger WHERE detail LIKE '%recorded at recovery%'")
open=$(sqlite3 "$WORK/state/state.db" "SELECT count(*) FROM intents")
echo "killed mid-prune $KILLED of $ROUNDS runs, $made expired rows made; gone $gone, in the ledger $ledgered ($recovered rows recorded at recovery); open intents $open"
[ "$young" = 1000 ] || fail "young rows lost: $young of 1000 left"
[ "$gone" = "$made" ] || fail "expired rows left: $((made - gone))"
[ "$gone" = "$ledgered" ] || fail "gone $gone but the ledger counts $ledgered"
[ "$open" = 0 ] || fail "$open intents left open"
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" verify
echo "kill9_rows: ok"
