# The daemon: starts, runs its policy, survives SIGHUP with a broken config
# (old config kept, every error logged with FILE:LINE), reloads a good one,
# and stops on SIGTERM with exit 0, all recorded in the ledger.
source "$(dirname "$0")/lib.bash"

mkdir -p "$WORK"/{state,backups}
echo old > "$WORK/backups/old.tar"; touch -d "-100 days" "$WORK/backups/old.tar"
files_config backups 'every = 1s'
start_daemon --config "$WORK/r.conf"
wait_for "$WORK/log" "started"
wait_for "$WORK/log" "files.backups: deleted old.tar (4 B"
[ ! -e "$WORK/backups/old.tar" ] || fail "old file not deleted"

cp "$WORK/r.conf" "$WORK/good.conf"
printf 'max_agee = 3d\nevery = soon\n' >> "$WORK/r.conf"
kill -HUP $pid
wait_for "$WORK/log" "keeping the running configuration"
grep -q "$WORK/r.conf:8: \[files.backups\] max_agee: .*did you mean 'max_age'" "$WORK/log" || { cat "$WORK/log"; fail "error 1 not logged"; }
grep -q "$WORK/r.conf:9: \[files.backups\] every:" "$WORK/log" || { cat "$WORK/log"; fail "error 2 not logged"; }
kill -0 $pid || fail "daemon died on a bad reload"

# Still running the old config: a new old file is deleted.
echo old > "$WORK/backups/old2.tar"; touch -d "-100 days" "$WORK/backups/old2.tar"
for _ in $(seq 100); do [ -e "$WORK/backups/old2.tar" ] || break; sleep 0.05; done
[ ! -e "$WORK/backups/old2.tar" ] || fail "old config not kept running"

cp "$WORK/good.conf" "$WORK/r.conf"
kill -HUP $pid
wait_for "$WORK/log" "configuration reloaded"
kill -TERM $pid
set +e; wait $pid; code=$?; set -e
[ $code = 0 ] || { cat "$WORK/log"; fail "exit code $code after SIGTERM"; }
grep -q "stopped" "$WORK/log" || fail "no stop logged"

expect_code 0 "$RETENTIONCTL" --state-dir "$WORK/state" ledger
for action in start reload-rejected reload stop; do
  grep -q "  daemon  $action  " "$WORK/out" || { cat "$WORK/out"; fail "no $action in the ledger"; }
done
expect_code 0 "$RETENTIONCTL" --state-dir "$WORK/state" verify
echo "daemon_lifecycle: ok"
