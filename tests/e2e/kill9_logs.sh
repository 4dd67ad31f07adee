# kill -9 at random points of the running daemon while it rotates,
# compresses and deletes a log written at 4 MB/s, 30 times for each method
# (truncate, reopen), each followed by a restart; then a last daemon lets
# the compressions finish. The ledger must equal the world: every archive
# on disk has its rotate entry, every compressed one its compress entry,
# every archive gone its delete entry, no entry names something that did
# not happen, no intent is left open, and verify passes. (An archive still
# uncompressed is fine when the ledger says so: under reopen a killed daemon
# may not have signalled the writer, which then writes on into it.)
source "$(dirname "$0")/lib.bash"
LOG_WRITER=$(dirname "$RETENTIOND")/log_writer
[ -x "$LOG_WRITER" ] || fail "no $LOG_WRITER (build the log_writer target)"

check_world() {  # check_world DIR: the ledger against the files in DIR/logs
  python3 - "$1" <<'PY'
import os, sqlite3, sys
d = sys.argv[1]
logs = os.path.join(d, "logs")
# A compression's temp file (.rtd-tmp) is not an archive: the next
# compression of its source replaces it.
on_disk = {os.path.join(logs, f) for f in os.listdir(logs)
           if f.startswith("app.log-") and not f.endswith(".rtd-tmp")}
db = sqlite3.connect(os.path.join(d, "state", "state.db"))
rows = db.execute("SELECT action, target FROM ledger WHERE policy = 'logs.app'").fetchall()
by = {}
for action, target in rows:
    by.setdefault(action, []).append(target)
rotated, compressed, deleted = (set(by.get(a, [])) for a in ("rotate", "compress", "delete"))
problems = []
compressed_sources = {c[:-4] for c in compressed}
dup = len(by.get("compress", [])) - len(compressed)
if dup: problems.append(f"{dup} compressions recorded twice")
for f in sorted(on_disk):
    raw = f[:-4] if f.endswith(".zst") else f
    if raw not in rotated: problems.append(f"{f} on disk, never rotated in the ledger")
    if f.endswith(".zst") and f not in compressed: problems.append(f"{f} on disk, its compression not in the ledger")
    if not f.endswith(".zst") and f in compressed_sources: problems.append(f"{f} recorded compressed but still raw")
for f in sorted(deleted & on_disk): problems.append(f"{f} recorded deleted but on disk")
for f in sorted(compressed - on_disk - deleted): problems.append(f"{f} compressed, gone, no delete entry")
for f in sorted(rotated):
    if {f, f + ".zst"} & (on_disk | deleted): continue
    problems.append(f"{f} rotated, then gone with no entry")
intents = db.execute("SELECT count(*) FROM intents").fetchone()[0]
if intents: problems.append(f"{intents} intents left open")
raw = sum(1 for f in on_disk if not f.endswith(".zst"))
print(f"{len(rotated)} rotations, {len(compressed)} compressions, {len(deleted)} deletions recorded; {len(on_disk)} archives on disk, {raw} not compressed (yet)")
for p in problems[:20]: print("PROBLEM", p)
sys.exit(1 if problems else 0)
PY
}

run_method() {  # run_method METHOD [EXTRA_LINES]
  local method=$1 extra=${2:-} dir=$WORK/$1 i p killed=0
  mkdir -p "$dir"/{state,logs}
  cat > "$dir/r.conf" <<CONF
[daemon]
state_dir = state
control_socket = control.sock
[logs.app]
paths = logs/app.log
max_file_size = 128K
max_total_size = 1M
keep = 12
compress = zstd
method = $method
$extra
every = 1h
CONF
  "$LOG_WRITER" write "$dir/logs/app.log" 4 30 > "$dir/written" &
  local writer=$!
  STARTED+=("$writer")
  for i in $(seq 30); do
    "$RETENTIOND" --config "$dir/r.conf" 2>>"$dir/log" &
    p=$!
    sleep "0.$(printf '%03d' $((RANDOM % 400 + 100)))"
    kill -KILL $p 2>/dev/null && killed=$((killed + 1))
    wait $p 2>/dev/null || true
  done
  kill -TERM $writer; wait $writer 2>/dev/null || true
  # A last daemon recovers what the kills left and compresses the rest.
  local ready
  ready=$(grep -c "control socket" "$dir/log" || true)
  "$RETENTIOND" --config "$dir/r.conf" 2>>"$dir/log" &
  p=$!
  STARTED+=("$p")
  # Up and handling SIGTERM (a loaded machine may take a while to start).
  for _ in $(seq 100); do
    [ "$(grep -c "control socket" "$dir/log" || true)" -gt "$ready" ] && break
    sleep 0.1
  done
  for _ in $(seq 100); do
    ls "$dir"/logs/app.log-* 2>/dev/null | grep -qv '\.zst$' || break
    sleep 0.1
  done
  sleep 0.3
  kill -TERM $p; wait $p || fail "$method: daemon exit $?"
  echo "$method: killed $killed of 30 daemons"
  [ "$killed" -ge 25 ] || fail "$method: only $killed daemons were killed while running"
  check_world "$dir" || { cp "$dir/log" /tmp/kill9_$method.log; tail -20 "$dir/log"; fail "$method: the ledger does not equal the world"; }
  expect_code 0 "$RETENTIONCTL" --config "$dir/r.conf" verify
}

run_method truncate
run_method reopen "reopen_signal = USR1
pid_file = logs/app.log.pid"
echo "kill9_logs: ok"
