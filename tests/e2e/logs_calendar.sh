# Calendar rotation in the running daemon: with every = 1h, only the wakeup
# the policy asks for at each rotate_every boundary (Policy::NextWake) can
# run it within seconds. A 2s period rotates a written log at a boundary,
# leaves the empty new live file alone across the next boundaries
# (rotate_empty = no), and rotates it again once it was written to.
source "$(dirname "$0")/lib.bash"

mkdir -p "$WORK"/{state,logs}
cat > "$WORK/r.conf" <<CONF
[daemon]
state_dir = state
# Each rotation's own line (with its reason) is at debug level.
log_level = debug
control_socket = control.sock
[logs.app]
paths = logs/app.log
rotate_every = 2s
compress = none
method = reopen
reopen_command = /bin/true
every = 1h
CONF
echo "first line" > "$WORK/logs/app.log"
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --check-config

rotations() { grep -c "logs.app: rotate " "$WORK/log" || true; }
start_daemon --config "$WORK/r.conf"
wait_for "$WORK/log" "control socket"
# First seen at the start; rotated at the first boundary after that.
wait_for "$WORK/log" "logs.app: rotate .*2s rotation (period began" 15
[ "$(rotations)" = 1 ] || { cat "$WORK/log"; fail "more than one rotation"; }
ls "$WORK"/logs/app.log-* > /dev/null || fail "no archive"
[ -f "$WORK/logs/app.log" ] && [ ! -s "$WORK/logs/app.log" ] || fail "no empty new live file"

# Empty: two more boundaries pass without a rotation.
sleep 4.5
[ "$(rotations)" = 1 ] || { cat "$WORK/log"; fail "an empty log was rotated"; }

echo "second line" >> "$WORK/logs/app.log"
deadline=$((SECONDS + 15))
until [ "$(rotations)" = 2 ]; do
  [ $SECONDS -lt $deadline ] || { cat "$WORK/log"; fail "no second rotation"; }
  sleep 0.1
done
grep -q "second line" "$WORK"/logs/app.log-* || fail "second line not archived"

expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" ledger
grep -q "2s rotation (period began" "$WORK/out" || { cat "$WORK/out"; fail "ledger reason"; }
kill -TERM "$pid"; wait "$pid" || fail "daemon exit $?"
echo "logs_calendar: ok"
