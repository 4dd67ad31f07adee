# --once on a real SQLite database: a missing index is a configuration error
# naming the CREATE INDEX; the dry run deletes nothing; the real run deletes
# exactly the expired rows the where clause selects, never a younger one;
# the ledger records count and rowid range, and the report shows the policy.
source "$(dirname "$0")/lib.bash"

mkdir -p "$WORK/state"
now=$(date -u +%s)
sqlite3 "$WORK/app.db" > /dev/null <<SQL
PRAGMA journal_mode = WAL;
CREATE TABLE auth_tokens (id INTEGER PRIMARY KEY, purpose TEXT,
  created_at INTEGER, used_at INTEGER);
INSERT INTO auth_tokens (purpose, created_at) VALUES
  ('reset', $now - 7200), ('reset', $now - 3700), ('reset', $now - 3500),
  ('verify', $now - 7200), ('reset', NULL);
SQL
printf '[daemon]\nstate_dir = state\ncontrol_socket = control.sock\n[rows.reset]\ndatabase = sqlite:app.db\ntable = auth_tokens\ntime_column = created_at\nwhere = purpose = '"'"'reset'"'"'\nmax_age = 1h\n' > "$WORK/r.conf"
count() { sqlite3 "$WORK/app.db" "SELECT count(*) FROM auth_tokens"; }
ids() { sqlite3 "$WORK/app.db" "SELECT group_concat(id) FROM (SELECT id FROM auth_tokens ORDER BY id)"; }

# Refused at start with FILE:LINE, as a configuration error (EX_CONFIG).
expect_code 78 "$RETENTIOND" --config "$WORK/r.conf" --once
grep -q "r.conf:4: \[rows.reset\].*CREATE INDEX auth_tokens_created_at ON auth_tokens(created_at)" "$WORK/err" ||
  { cat "$WORK/err"; fail "missing index not named"; }
grep -q "cannot start: configuration not valid" "$WORK/err" || fail "not reported as a configuration error"
[ "$(count)" = 5 ] || fail "rows deleted despite the config error"

sqlite3 "$WORK/app.db" "CREATE INDEX tokens_created ON auth_tokens(created_at)"
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once --dry-run
grep -q "would delete auth_tokens: 2 rows with created_at before" "$WORK/out" ||
  { cat "$WORK/out"; fail "dry run did not plan the 2 expired reset tokens"; }
[ "$(count)" = 5 ] || fail "dry run deleted rows"

expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once
[ "$(ids)" = "3,4,5" ] || fail "wrong rows left: $(ids)"
grep -q "rows.reset.*not unix time" "$WORK/err" || { cat "$WORK/err"; fail "NULL time not reported"; }

expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" ledger
grep -q "rows.reset  delete  auth_tokens rowid 1..2 " "$WORK/out" ||
  { cat "$WORK/out"; fail "ledger entry"; }
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" report
grep -q "^rows.reset (rows): ✓ kept$" "$WORK/out" || { cat "$WORK/out"; fail "report"; }
grep -q "^  limit: max_age 1h" "$WORK/out" || { cat "$WORK/out"; fail "report: limit"; }
echo "ok"
