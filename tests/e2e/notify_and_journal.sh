# The service-manager protocol and journal logging: with NOTIFY_SOCKET set the
# daemon sends READY=1 and STATUS=, RELOADING=1 then READY=1 around a reload,
# WATCHDOG=1 while WATCHDOG_USEC is set, STOPPING=1 at SIGTERM; with
# JOURNAL_STREAM naming stderr its lines carry <N> priority prefixes and no
# timestamp.
source "$(dirname "$0")/lib.bash"

mkdir -p "$WORK"/{state,data}
files_config data 'every = 1h'
python3 - "$WORK/notify.sock" "$WORK/notify.log" <<'EOP' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            break
        log.write(msg.replace("\n", "|") + "\n")
        if "STOPPING=1" in msg:
            break
EOP
listener=$!
STARTED+=("$listener")
for _ in $(seq 100); do [ -S "$WORK/notify.sock" ] && break; sleep 0.05; done

touch "$WORK/daemon.err"
journal_stream=$(stat -c '%d:%i' "$WORK/daemon.err")
NOTIFY_SOCKET="$WORK/notify.sock" WATCHDOG_USEC=200000 JOURNAL_STREAM=$journal_stream \
  "$RETENTIOND" --config "$WORK/r.conf" 2>>"$WORK/daemon.err" &
pid=$!
STARTED+=("$pid")
wait_for "$WORK/notify.log" "READY=1|STATUS=1 policies"
wait_for "$WORK/notify.log" "WATCHDOG=1"
kill -HUP $pid
wait_for "$WORK/notify.log" "RELOADING=1|MONOTONIC_USEC="
kill -TERM $pid
wait $pid || fail "daemon exit code $?"
wait $listener || true
grep -q "STOPPING=1" "$WORK/notify.log" || { cat "$WORK/notify.log"; fail "no STOPPING=1"; }
[ "$(grep -c '^READY=1' "$WORK/notify.log")" -ge 2 ] || fail "no READY=1 after the reload"

grep -q '^<6>retentiond .* started' "$WORK/daemon.err" || { cat "$WORK/daemon.err"; fail "no <6> prefix"; }
grep -vq '^<[0-7]>' "$WORK/daemon.err" && { cat "$WORK/daemon.err"; fail "a line without priority prefix"; }
grep -q '^<[0-7]>20[0-9][0-9]-' "$WORK/daemon.err" && fail "timestamp in journal mode"
echo "notify_and_journal: ok"
