# Progress of a long run (issue 19): a rows prune of 1,000,000 expired rows
# (SQLite, paced in small batches) takes seconds. `retentiond --once` on a
# terminal (a pty from script(1)) draws "rows.big: N of 1,000,000 rows
# (P%), R rows/s, T left" on stderr, redrawn in place; with stderr not a
# terminal it draws nothing. In the daemon, `retentionctl status` shows the
# running policy's progress, and `status --json` its exact numbers; once the
# run ended, no progress is shown. `retentionctl run` on a terminal draws the
# same line while it waits for the run's reply.
source "$(dirname "$0")/lib.bash"

ROWS=1000000
now=$(date -u +%s)
sqlite3 "$WORK/big.db" > /dev/null <<SQL
PRAGMA journal_mode = WAL;
CREATE TABLE events (id INTEGER PRIMARY KEY, ts INTEGER);
CREATE INDEX events_ts ON events(ts);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $ROWS)
INSERT INTO events (ts) SELECT $now - 86400 * 30 - i FROM n;
SQL
cp "$WORK/big.db" "$WORK/tty.db"
conf() {  # conf NAME DB: a [rows.big] policy on DB, state in NAME-state
  mkdir -p "$WORK/$1-state"
  printf '[daemon]\nstate_dir = %s-state\ncontrol_socket = %s.sock\n[rows.big]\ndatabase = sqlite:%s\ntable = events\ntime_column = ts\nmax_age = 1d\nmax_delete_fraction = 1\nevery = 1h\n' \
    "$1" "$1" "$2" > "$WORK/$1.conf"
}

# On a terminal: the progress line, erased and redrawn in place.
conf tty tty.db
TERM=xterm timeout 50 script -qec "'$RETENTIOND' --config '$WORK/tty.conf' --once" \
  /dev/null > "$WORK/tty.out" < /dev/null || fail "--once under script(1) failed"
grep -aq $'\r\033\\[Krows.big: [0-9,]* of 1,000,000 rows ([0-9]*%), [0-9,]* rows/s, [0-9a-z]* left' "$WORK/tty.out" ||
  { cat -v "$WORK/tty.out" | tail -5; fail "no progress line on the terminal"; }
grep -aq "rows.big: deleted 1,000,000 rows" "$WORK/tty.out" || fail "the run's line is missing"
[ "$(sqlite3 "$WORK/tty.db" 'SELECT count(*) FROM events')" = 0 ] || fail "rows left after --once"

# The daemon, its stderr a file: status shows the run in flight.
conf daemon big.db
start_daemon --config "$WORK/daemon.conf"
ctl() { "$RETENTIONCTL" --config "$WORK/daemon.conf" "$@"; }
seen_json= seen_text=
deadline=$((SECONDS + 40))
while [ -z "$seen_json" ] || [ -z "$seen_text" ]; do
  [ $SECONDS -lt $deadline ] || { cat "$WORK/log"; fail "status never showed progress (json '$seen_json', text '$seen_text')"; }
  ctl status --json > "$WORK/status.json" 2>/dev/null || { sleep 0.1; continue; }
  if [ -z "$seen_json" ] && python3 - "$WORK/status.json" "$ROWS" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
p = [x for x in s["policies"] if x["id"] == "rows.big"][0]
g = p.get("progress")
if not g or g["done"] == 0:
    sys.exit(1)
assert s["running"] == "rows.big", s["running"]
assert g["planned"] == int(sys.argv[2]), g
assert 0 < g["done"] <= g["planned"], g
assert g["unit"] == "row", g
assert g["elapsed_seconds"] > 0 and g["rate_per_second"] > 0, g
assert g["eta_seconds"] >= 0, g
PY
  then seen_json=yes; fi
  if [ -z "$seen_text" ] && ctl status > "$WORK/status.txt" 2>/dev/null &&
     grep -q "^in progress: rows.big: [0-9,]* of 1,000,000 rows" "$WORK/status.txt"; then
    seen_text=yes
  fi
  sleep 0.1
done
wait_for "$WORK/log" "rows.big: deleted 1,000,000 rows" 40
ctl status --json > "$WORK/status.json"
python3 - "$WORK/status.json" <<'PY' || fail "progress still shown after the run"
import json, sys
s = json.load(open(sys.argv[1]))
p = [x for x in s["policies"] if x["id"] == "rows.big"][0]
assert p["progress"] is None, p
PY
ctl status > "$WORK/status.txt"
! grep -q "in progress" "$WORK/status.txt" || fail "status text still shows progress"
# `retentionctl run` on a terminal shows the run's progress while it waits.
sqlite3 "$WORK/big.db" > /dev/null <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $ROWS)
INSERT INTO events (ts) SELECT $now - 86400 * 30 - i FROM n;
SQL
TERM=xterm timeout 60 script -qec "'$RETENTIONCTL' --config '$WORK/daemon.conf' run big" \
  /dev/null > "$WORK/run.out" < /dev/null || { cat -v "$WORK/run.out"; fail "run under script(1) failed"; }
grep -aq $'\r\033\\[Krows.big: [0-9,]* of 1,000,000 rows ([0-9]*%)' "$WORK/run.out" ||
  { cat -v "$WORK/run.out" | tail -5; fail "retentionctl run drew no progress line"; }
grep -aq "rows.big: deleted 1,000,000 rows" "$WORK/run.out" || { cat -v "$WORK/run.out"; fail "run's summary missing"; }
"$RETENTIONCTL" --config "$WORK/daemon.conf" run big > "$WORK/run-piped.out" 2>&1 ||
  fail "a second run failed"
! grep -q $'\033' "$WORK/run-piped.out" || fail "retentionctl run drew progress into a pipe"
# Not a terminal: no progress line in the daemon's stderr.
! grep -q $'\033' "$WORK/log" || fail "a progress line written to a file"
echo "status_progress: ok"
