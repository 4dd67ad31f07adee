# retentionctl audit on PostgreSQL: rows past their cutoff in a timestamptz
# table are ✗ with count and oldest before a run and after one inserted
# late; ✓ and exit 0 once the run removed them. The audit deletes nothing.
source "$(dirname "$0")/lib.bash"
source "$SRC/tests/pg/pg_cluster.bash"

PGDIR=$WORK/pg
pg_start "$PGDIR" -c fsync=off
trap 'pg_stop "$PGDIR"; cleanup' EXIT

mkdir -p "$WORK/state"
now=$(date -u +%s)
psql_value "CREATE TABLE tokens (id bigserial PRIMARY KEY, created_at timestamptz);
CREATE INDEX tokens_created ON tokens (created_at);
INSERT INTO tokens (created_at) SELECT to_timestamp($now - 7200 - i) FROM generate_series(1, 50) i;
INSERT INTO tokens (created_at) SELECT to_timestamp($now) FROM generate_series(1, 5);" > /dev/null
printf '[daemon]\nstate_dir = state\ncontrol_socket =\n[rows.tokens]\ndatabase = %s\ntable = public.tokens\ntime_column = created_at\ntime_format = native\nmax_age = 1h\nmax_delete_fraction = 1\n' "$PG_URI" > "$WORK/r.conf"
ctl() { "$RETENTIONCTL" --config "$WORK/r.conf" "$@"; }

expect_code 1 ctl audit
grep -q "✗ rows.tokens: 50 rows past the deadline, oldest 2h0m old\|✗ rows.tokens: 50 rows past the deadline, oldest 2h old" "$WORK/out" ||
  { cat "$WORK/out" "$WORK/err"; fail "before the run"; }
[ "$(psql_value 'SELECT count(*) FROM tokens')" = 55 ] || fail "audit deleted rows"
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once
expect_code 0 ctl audit
grep -q "✓ rows.tokens: nothing past its deadline (5 rows kept)" "$WORK/out" || { cat "$WORK/out"; fail "after the run"; }
psql_value "INSERT INTO tokens (created_at) VALUES (to_timestamp($now - 86400))" > /dev/null
expect_code 1 ctl --json audit
python3 - "$WORK/out" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["policies"][0]
assert p["policy"] == "rows.tokens" and not p["ok"] and p["overdue"] == 1, p
assert 86400 <= p["oldest_age_seconds"] < 86400 + 600, p
PY
echo "audit_pg: ok"
