# [accounts] with the real binaries: an account held over the control socket
# is kept; `retentionctl run accounts --dry-run` and `retentiond --once
# --dry-run` list exactly the accounts the real run then purges (data
# directory, cascade rows, account row), each with its reason; the ledger
# holds one purge per account and verifies; the report shows the pending
# purge with its due date and the purges of the period; a second run
# purges nothing.
source "$(dirname "$0")/lib.bash"

mkdir -p "$WORK"/{state,users,outside}
echo keep > "$WORK/outside/secret"
now=$(date -u +%s)
day=86400
{ accounts_schema; cat <<SQL; } | sqlite3 "$WORK/app.db" > /dev/null
INSERT INTO users VALUES (1, 'a@example.com', $now - 31 * $day),
  (2, 'b@example.com', $now - 29 * $day), (3, 'c@example.com', $now - 40 * $day),
  (4, 'd@example.com', NULL), (5, 'e@example.com', $now - 45 * $day);
INSERT INTO sessions (user_id) VALUES (1), (1), (2), (3), (4), (5);
INSERT INTO usage_events (user_id) VALUES (1), (1), (1), (2), (3), (5);
SQL
for id in 1 2 3 4; do
  mkdir -p "$WORK/users/$id/docs"
  head -c 1000 /dev/zero > "$WORK/users/$id/docs/file.bin"
done
ln -s "$WORK/outside/secret" "$WORK/users/1/docs/link"
# Account 5 has no data directory: its absence counts only once users/ has
# been left unchanged for 2 s (retentiond.conf(5), [accounts]).
sleep 2.2
cat > "$WORK/r.conf" <<CONF
[daemon]
state_dir = state
control_socket = control.sock
$(accounts_section)
every = 1d
CONF
ctl() { "$RETENTIONCTL" --config "$WORK/r.conf" "$@"; }
planned() { grep -o "would purge account [0-9]*" "$WORK/out" | sort; }

# The daemon's first run of [accounts] is 24 s after its start: all that
# follows is ours.
start_daemon --config "$WORK/r.conf"
wait_for "$WORK/log" "control socket"
expect_code 0 ctl hold --account 3 --reason "legal hold 9"
expect_code 0 ctl run accounts --dry-run
grep -q "would purge account 1  (deleted at .*, grace 30d, due " "$WORK/out" ||
  { cat "$WORK/out"; fail "dry run: no reason"; }
socket_plan=$(planned)
[ "$socket_plan" = "$(printf 'would purge account 1\nwould purge account 5')" ] ||
  { cat "$WORK/out"; fail "dry run over the socket planned: $socket_plan"; }
expect_code 0 ctl --json run accounts --dry-run
grep -q '"1 held by the hold on account 3 (legal hold 9' "$WORK/out" || { cat "$WORK/out"; fail "hold not shown"; }
kill -TERM "$pid"; wait "$pid" || true

expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once --dry-run
once_plan=$(planned)
[ "$once_plan" = "$socket_plan" ] || { cat "$WORK/out"; fail "--once --dry-run: $once_plan"; }
[ -d "$WORK/users/1" ] || fail "dry run moved a data directory"
[ "$(sqlite3 "$WORK/app.db" 'SELECT count(*) FROM users')" = 5 ] || fail "dry run deleted rows"

expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once --json
grep -q '"outcome": "ok"' "$WORK/out" || { cat "$WORK/out" "$WORK/err"; fail "run not ok"; }
[ ! -e "$WORK/users/1" ] || fail "account 1's directory left"
for id in 2 3 4; do [ -f "$WORK/users/$id/docs/file.bin" ] || fail "account $id's files touched"; done
[ "$(cat "$WORK/outside/secret")" = keep ] || fail "symlink target touched"
[ "$(sqlite3 "$WORK/app.db" 'SELECT group_concat(id) FROM users')" = "2,3,4" ] || fail "account rows"
[ "$(sqlite3 "$WORK/app.db" 'SELECT group_concat(user_id) FROM sessions')" = "2,3,4" ] || fail "sessions"
[ "$(sqlite3 "$WORK/app.db" 'SELECT group_concat(user_id) FROM usage_events')" = "2,3" ] || fail "usage_events"
[ -z "$(ls -A "$WORK/.retentiond-quarantine")" ] || fail "quarantine not empty"

expect_code 0 ctl ledger
ledger_purged=$(grep -o "accounts  purge  account [0-9]*" "$WORK/out" | sed 's/accounts  purge  /would purge /' | sort)
[ "$ledger_purged" = "$once_plan" ] || { cat "$WORK/out"; fail "ledger purges: $ledger_purged"; }
grep -q "account 1 .*sessions 2, usage_events 3, account row deleted; 2 files and 2 directories removed" "$WORK/out" ||
  { cat "$WORK/out"; fail "ledger detail"; }
grep -q "example.com" "$WORK/out" && fail "personal data in the ledger"
expect_code 0 ctl --state-dir "$WORK/state" verify
grep -q "ledger intact" "$WORK/out" || fail "verify"

expect_code 0 ctl --state-dir "$WORK/state" report
grep -q "pending purges.*1; next: account 2 due " "$WORK/out" || { cat "$WORK/out"; fail "report: pending"; }
grep -q "due but held.*account 3" "$WORK/out" || { cat "$WORK/out"; fail "report: held"; }
grep -q "accounts purged.*2" "$WORK/out" || { cat "$WORK/out"; fail "report: purged"; }

# Nothing is purged twice.
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once
expect_code 0 ctl ledger
[ "$(grep -c 'accounts  purge  ' "$WORK/out")" = 2 ] || { cat "$WORK/out"; fail "purged again"; }
echo "once_accounts: ok"
