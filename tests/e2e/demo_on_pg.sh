#!/usr/bin/env bash
# The quick-start demo on PostgreSQL (tests/demo/make-demo-postgres.sh, run
# by the demo-postgres target): its config passes --check-config, and one
# --once run prunes the tokens and analytics rows and purges erin on the
# private cluster exactly as the SQLite demo does, frank (29 days) is kept,
# and the ledger's counts equal the rows gone.
source "$(dirname "$0")/lib.bash"
source "$SRC/tests/pg/pg_cluster.bash"
trap 'pg_stop "$WORK/demo/pg"; cleanup' EXIT
chmod o+x "$WORK"  # the server user must reach $WORK/demo/pg
"$SRC/tests/demo/make-demo-postgres.sh" "$WORK/demo" "$SRC" > "$WORK/make.log" 2>&1 || { cat "$WORK/make.log"; fail "make-demo-postgres"; }
conf=$WORK/demo/demo-postgres.conf
grep -q '^database = postgresql://postgres@/postgres?host=.*&passfile=' "$conf" || fail "config not on postgresql"
[ ! -e "$WORK/demo/app.db" ] || fail "the SQLite database is still there"
expect_code 0 "$RETENTIOND" --config "$conf" --check-config
PG_URI="postgresql://postgres:$PG_PASSWORD@/postgres?host=$WORK/demo/pg"
before_tokens=$(psql_value "SELECT count(*) FROM auth_tokens")
before_events=$(psql_value "SELECT count(*) FROM events")
expect_code 0 "$RETENTIOND" --config "$conf" --once
grep -q "rows.analytics: deleted 1,772 rows" "$WORK/out" || { cat "$WORK/out"; fail "analytics"; }
grep -q "accounts: purged account erin" "$WORK/out" || { cat "$WORK/out"; fail "accounts"; }
[ "$(psql_value "SELECT count(*) FROM accounts WHERE id = 'erin'")" = 0 ] || fail "erin not purged"
[ "$(psql_value "SELECT count(*) FROM sessions WHERE account_id = 'erin'")" = 0 ] || fail "erin's sessions left"
[ "$(psql_value "SELECT count(*) FROM accounts WHERE id = 'frank'")" = 1 ] || fail "frank purged early"
[ ! -e "$WORK/demo/users/erin" ] || fail "erin's files left"
gone=$(( before_tokens + before_events - $(psql_value "SELECT count(*) FROM auth_tokens") - $(psql_value "SELECT count(*) FROM events") ))
expect_code 0 "$RETENTIONCTL" --config "$conf" --json ledger
ledgered=$(python3 -c '
import json, sys
print(sum(e["count"] for e in map(json.loads, open(sys.argv[1])) if e["policy"].startswith("rows.") and e["action"] == "delete"))' "$WORK/out")
[ "$gone" = "$ledgered" ] || fail "rows gone $gone, ledger $ledgered"
expect_code 0 "$RETENTIONCTL" --config "$conf" verify
grep -rq "$PG_PASSWORD" "$WORK/demo/state" "$conf" && fail "the password is in the config or the state"
echo "demo_on_pg: ok ($gone rows gone = ledger, erin purged, frank kept)"
