# retentionctl without a daemon: the socket commands exit 3 naming the
# socket (from --socket, or control_socket resolved against the config's
# directory); the others fall back to the state directory; usage errors
# exit 64 before any connection is tried.
source "$(dirname "$0")/lib.bash"

files_config data
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once

for cmd in status policies reload "run data"; do
  # shellcheck disable=SC2086 # "run data" is two words on purpose
  expect_code 3 "$RETENTIONCTL" --config "$WORK/r.conf" $cmd
  grep -q "retentiond is not running (no socket at $WORK/control.sock)" "$WORK/err" ||
    { cat "$WORK/err"; fail "$cmd: no not-running message"; }
done
expect_code 3 "$RETENTIONCTL" --config "$WORK/r.conf" --socket "$WORK/other.sock" status
grep -q "no socket at $WORK/other.sock" "$WORK/err" || fail "--socket ignored"

# A socket file nobody listens on is refused: still not running.
if command -v python3 >/dev/null; then
  python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$WORK/control.sock"
  expect_code 3 "$RETENTIONCTL" --config "$WORK/r.conf" status
fi

expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" verify
grep -q "ledger intact" "$WORK/out" || fail "verify did not fall back"
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" metrics
grep -q "retentiond_build_info" "$WORK/out" || fail "metrics did not fall back"

expect_code 64 "$RETENTIONCTL" --config "$WORK/r.conf" run
expect_code 64 "$RETENTIONCTL" --config "$WORK/r.conf" status extra
expect_code 78 "$RETENTIONCTL" --config "$WORK/missing.conf" status
echo "ctl_socket: ok"
