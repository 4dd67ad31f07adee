# A writer without O_APPEND under method truncate, in the running daemon:
# its offset runs past every cut. After the first rotation that finds the
# hole, the daemon punches the head out instead: the live file's disk use
# stays bounded while its apparent size grows, no archive holds a NUL byte,
# and the log says so once, however many rotations follow; status and the
# metrics carry it as the alert writer_without_o_append while it lasts.
source "$(dirname "$0")/lib.bash"

mkdir -p "$WORK"/{state,logs}
cat > "$WORK/r.conf" <<CONF
[daemon]
state_dir = state
control_socket = control.sock
[logs.app]
paths = logs/app.log
max_file_size = 64K
max_total_size = 100M
compress = none
method = truncate
CONF
: > "$WORK/logs/app.log"
start_daemon --config "$WORK/r.conf"
wait_for "$WORK/log" "control socket"
# O_WRONLY without O_APPEND (mode "r+"), about 40 KiB every 0.1 s.
python3 - "$WORK/logs/app.log" > /dev/null 2>&1 <<'PY' &
import sys, time
with open(sys.argv[1], "r+b", buffering=0) as f:
    n = 0
    while True:
        f.write(b"".join(b"line %09d of a writer without O_APPEND\n" % (n + i) for i in range(1000)))
        n += 1000
        time.sleep(0.1)
PY
writer=$!
STARTED+=("$writer")
deadline=$((SECONDS + 60))
until [ "$(ls "$WORK"/logs/app.log-* 2>/dev/null | wc -l)" -ge 12 ]; do
  [ $SECONDS -lt $deadline ] || { ls -ls "$WORK/logs"; cat "$WORK/log"; fail "fewer than 12 rotations"; }
  sleep 0.2
done
kill "$writer"; wait "$writer" 2>/dev/null || true
# Status and the metrics name it, while the daemon runs.
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" status
grep -q "^logs.app: alert writer_without_o_append (since .* ago):" "$WORK/out" &&
  grep -q "app.log: written without O_APPEND" "$WORK/out" || { cat "$WORK/out"; fail "status has no alert"; }
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" --json status
python3 - "$WORK/out" <<'PY' || fail "status --json has no alert"
import json, sys
p = [p for p in json.load(open(sys.argv[1]))["policies"] if p["id"] == "logs.app"][0]
assert "written without O_APPEND" in p["alerts"]["writer_without_o_append"], p
assert "budget" not in p["alerts"], p
PY
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" metrics
grep -qxF 'retentiond_policy_alert{policy="logs.app",alert="writer_without_o_append"} 1' "$WORK/out" ||
  { grep alert "$WORK/out"; fail "no alert metric"; }
# Stopped before the archives are read: a rotation in flight holds a
# temporary copy that is renamed away under the loop below (one left by
# the stop is still read: it must hold no NUL either).
kill -TERM "$pid"; wait "$pid" || fail "daemon exit $?"
said=$(grep -c "written without O_APPEND" "$WORK/log" || true)
[ "$said" = 1 ] || { cat "$WORK/log"; fail "said $said times, want once"; }
for a in "$WORK"/logs/app.log-*; do
  if tr -d '\000' < "$a" | cmp -s - "$a"; then :; else fail "$a holds NUL bytes"; fi
done
apparent=$(stat -c %s "$WORK/logs/app.log")
disk=$(( $(stat -c %b "$WORK/logs/app.log") * $(stat -c %B "$WORK/logs/app.log") ))
[ "$disk" -le $((1024 * 1024)) ] || { ls -ls "$WORK/logs"; fail "live file holds $disk bytes on disk"; }
[ "$apparent" -gt $((5 * 65536)) ] || fail "apparent size $apparent: no hole at all?"
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" ledger
grep -q "written without O_APPEND: head punched out" "$WORK/out" || { cat "$WORK/out"; fail "ledger reason"; }
echo "logs_no_append: ok (apparent $apparent bytes, $disk on disk)"
