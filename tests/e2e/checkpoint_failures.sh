# A checkpoint that cannot be sent off the host is visible: with a
# checkpoint_command that exits 1, `retentionctl status` names the failed
# sends, when and why, and the metrics (over the socket and in
# metrics_file) count them in retentiond_checkpoint_send_failures_total;
# with one that succeeds, status and the metrics give the last send and
# no failure.
source "$(dirname "$0")/lib.bash"

run_with() {  # run_with COMMAND: starts the daemon, waits for 2 checkpoints
  mkdir -p "$WORK/state" "$WORK/data"
  cat > "$WORK/r.conf" <<EOC
[daemon]
state_dir = state
control_socket = control.sock
metrics_file = metrics.prom
checkpoint_every = 1s
checkpoint_command = $1
[files.data]
root = data
max_age = 30d
EOC
  start_daemon --config "$WORK/r.conf"
  wait_for "$WORK/log" "control socket"
  local n=0
  for _ in $(seq 100); do
    n=$(sqlite3 "$WORK/state/state.db" "SELECT count(*) FROM ledger WHERE action = 'checkpoint'" 2>/dev/null || echo 0)
    [ "$n" -ge 2 ] && break; sleep 0.1
  done
  [ "$n" -ge 2 ] || fail "fewer than 2 checkpoints written"
}
ctl() { "$RETENTIONCTL" --config "$WORK/r.conf" "$@"; }

run_with /bin/false
expect_code 0 ctl status
# The line wraps at 80 columns: read it joined.
tr -s ' \n' ' ' < "$WORK/out" | grep -q "checkpoints: none sent yet; [0-9]* sends FAILED, last [^:]*: checkpoint_command: .*exited with status 1" \
  || fail "status: $(cat "$WORK/out")"
expect_code 0 ctl --json status
python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["checkpoints"]
assert c["send_failures"] >= 2 and c["last_failure"] and c["last_sent"] is None, c
assert c["last_error"].startswith("checkpoint_command: "), c' "$WORK/out"
expect_code 0 ctl metrics
failures=$(awk '$1 == "retentiond_checkpoint_send_failures_total" {print $2}' "$WORK/out")
[ "${failures:-0}" -ge 2 ] || fail "metrics: failures ${failures:-none}"
grep -q "retentiond_checkpoint_last_sent_timestamp_seconds" "$WORK/out" && fail "a last send without one"
kill -TERM "$pid"; wait "$pid" || true
grep -q "^retentiond_checkpoint_send_failures_total [1-9]" "$WORK/metrics.prom" \
  || fail "metrics_file: no failures"

rm -rf "$WORK/state" "$WORK/metrics.prom"
run_with "/usr/bin/tee -a $WORK/kept.jsonl"
expect_code 0 ctl status
grep -q "^checkpoints: *last sent " "$WORK/out" || fail "status: $(cat "$WORK/out")"
grep -q FAILED "$WORK/out" && fail "status: a failure: $(cat "$WORK/out")"
expect_code 0 ctl metrics
grep -q "^retentiond_checkpoint_send_failures_total 0$" "$WORK/out" || fail "metrics: failures"
grep -q "^retentiond_checkpoint_last_sent_timestamp_seconds [0-9]" "$WORK/out" || fail "metrics: no last send"
kill -TERM "$pid"; wait "$pid" || true
echo "checkpoint_failures: ok"
