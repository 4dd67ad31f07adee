# Socket activation: given a listening socket the way systemd passes one
# (fd 3, LISTEN_FDS=1, LISTEN_PID = its pid), retentiond serves on it
# instead of binding, and leaves the socket file to its owner on exit. A
# passed socket for another path is ignored and the configured one bound.
source "$(dirname "$0")/lib.bash"

files_config data
# activate SOCKET_PATH CMD...: binds and listens on SOCKET_PATH, then execs
# CMD with it as fd 3, as systemd-socket-activate does.
activate() {
  python3 - "$@" <<'EOP' &
import os, socket, sys
path, argv = sys.argv[1], sys.argv[2:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(16)
os.dup2(s.fileno(), 3)
os.environ.update(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
os.execv(argv[0], argv)
EOP
  pid=$!
  STARTED+=("$pid")
}

activate "$WORK/control.sock" "$RETENTIOND" --config "$WORK/r.conf" 2>"$WORK/log"
wait_for "$WORK/log" "started"
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" status
grep -q "^pid: *$pid$" "$WORK/out" || { cat "$WORK/out"; fail "not served by the daemon"; }
grep -q "control socket $WORK/control.sock (from systemd)" "$WORK/log" ||
  { cat "$WORK/log"; fail "bound its own socket instead of the passed one"; }
kill -TERM "$pid"
wait "$pid" || fail "daemon exit $?"
[ -S "$WORK/control.sock" ] || fail "the passed socket was removed"

# A passed socket for another path: ignored (with a warning), own one bound.
rm -f "$WORK/control.sock"
activate "$WORK/other.sock" "$RETENTIOND" --config "$WORK/r.conf" 2>"$WORK/log"
wait_for "$WORK/log" "started"
grep -q "none listening on $WORK/control.sock; binding it" "$WORK/log" || { cat "$WORK/log"; fail "no warning"; }
grep -q "control socket $WORK/control.sock$" "$WORK/log" || { cat "$WORK/log"; fail "own socket not bound"; }
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" status
kill -TERM "$pid"
wait "$pid" || fail "daemon exit $?"
echo "socket_activation: ok"
