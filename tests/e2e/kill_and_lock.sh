# One retentiond per state directory: --once is refused while the daemon
# holds it, with a message naming the lock. kill -9 leaves no stale lock, a
# state database that opens, and a ledger that verifies.
source "$(dirname "$0")/lib.bash"

mkdir -p "$WORK"/{state,data}
files_config data 'every = 1s'
# Something to delete: a run that finds nothing is logged at debug only.
echo first > "$WORK/data/first"; touch -d "-100 days" "$WORK/data/first"
start_daemon --config "$WORK/r.conf"
wait_for "$WORK/log" "files.data: deleted first (6 B"

expect_code 1 "$RETENTIOND" --config "$WORK/r.conf" --once
grep -q "is in use by another retentiond.*$WORK/state/lock" "$WORK/err" || { cat "$WORK/err"; fail "no clear lock message"; }
[ "$(cat "$WORK/state/lock")" = "$pid" ] || fail "lock does not name the daemon's pid"

kill -KILL $pid
wait $pid 2>/dev/null || true
echo old > "$WORK/data/old"; touch -d "-100 days" "$WORK/data/old"
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once
[ ! -e "$WORK/data/old" ] || fail "--once did not run after the daemon was killed"
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" verify
echo "kill_and_lock: ok"
