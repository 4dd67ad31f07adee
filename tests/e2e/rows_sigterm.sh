# SIGTERM to the daemon while a [rows.*] policy prunes: the current batch
# finishes, what was removed is in the ledger (count equals the rows gone),
# the run is recorded as stopped, the daemon exits 0 promptly, and the next
# start finishes the job without deleting a row that is not expired.
source "$(dirname "$0")/lib.bash"

mkdir -p "$WORK/state"
now=$(date -u +%s)
# 150,000 expired rows (an hour to 21 hours old) and 1,000 young ones.
sqlite3 "$WORK/app.db" > /dev/null <<SQL
PRAGMA journal_mode = WAL;
CREATE TABLE events (id INTEGER PRIMARY KEY, ts INTEGER, payload TEXT);
CREATE INDEX events_ts ON events(ts);
WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 150000)
INSERT INTO events (ts, payload) SELECT $now - 3601 - v / 2, 'old' FROM n;
WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 1000)
INSERT INTO events (ts, payload) SELECT $now + 600 - v, 'young' FROM n;
SQL
printf '[daemon]\nstate_dir = state\ncontrol_socket = control.sock\ndaily_report = no\n[rows.events]\ndatabase = sqlite:app.db\ntable = events\ntime_column = ts\nmax_age = 1h\nmax_delete_fraction = 1\n' > "$WORK/r.conf"
count() { sqlite3 "$WORK/app.db" "PRAGMA busy_timeout = 5000; SELECT count(*) FROM events WHERE payload = '$1'" | tail -1; }
ledger_removed() {  # the rows the ledger says were deleted, summed
  "$RETENTIONCTL" --config "$WORK/r.conf" ledger --json |
    python3 -c 'import json,sys; es=[json.loads(l) for l in sys.stdin if l.strip()]; print(sum(e["count"] for e in es if e["policy"] == "rows.events" and e["action"] == "delete"))'
}

start_daemon --config "$WORK/r.conf"
# Wait until deletion is under way, then stop the daemon mid-run.
deadline=$((SECONDS + 20))
until [ "$(count old)" -lt 145000 ]; do
  [ $SECONDS -lt $deadline ] || { cat "$WORK/log" >&2; fail "deletion never started"; }
  sleep 0.05
done
t0=$(date +%s%N)
kill -TERM "$pid"
set +e; wait "$pid"; code=$?; set -e
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$code" = 0 ] || { cat "$WORK/log" >&2; fail "daemon exited $code after SIGTERM"; }
[ "$ms" -lt 5000 ] || fail "daemon took $ms ms to stop"
left=$(count old)
[ "$left" -gt 0 ] || fail "the run finished before SIGTERM (test too small for this machine)"
gone=$((150000 - left))
[ "$(ledger_removed)" = "$gone" ] || fail "ledger says $(ledger_removed) removed, $gone are gone"
[ "$(count young)" = 1000 ] || fail "young rows deleted"

# The next start finishes the job.
start_daemon --config "$WORK/r.conf"
deadline=$((SECONDS + 60))
until [ "$(count old)" = 0 ]; do
  [ $SECONDS -lt $deadline ] || { cat "$WORK/log" >&2; fail "second start did not finish"; }
  sleep 0.1
done
kill -TERM "$pid"; wait "$pid" || fail "second daemon exit"
[ "$(count young)" = 1000 ] || fail "young rows deleted on the second start"
[ "$(ledger_removed)" = 150000 ] || fail "ledger total $(ledger_removed), want 150000"
echo "rows_sigterm: stopped in ${ms} ms after ${gone} rows; second start removed the other ${left}"
