#!/usr/bin/env bash
# Benchmark: expiring 4M of 5M rows in an application's SQLite database
# (WAL, index on the time column) while the application keeps inserting,
# with (a) the cron job it replaces, one `DELETE FROM t WHERE ts < ?`, and
# (b) `retentiond --once` on a [rows.*] policy, in the same run on copies of
# the same database. An application writer (tests/bench/rows_writer.py)
# inserts RATE rows a second with busy_timeout = 1000 and records every
# insert's latency from its intended start, failed inserts, and the largest
# WAL size. Prints both runs' figures, an idle baseline, and the ratios.
#   usage: tests/bench/rows_expiry.sh [BUILD_DIR] [ROWS] [RATE]
set -euo pipefail
build=${1:-build-rel}
rows=${2:-5000000}
rate=${3:-500}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/rtd-rows-XXXXXX)
trap 'rm -rf "$work"' EXIT
expired=$((rows * 4 / 5))
now=$(date -u +%s)
cutoff=$((now - 30 * 86400))

echo "building $rows rows ($expired expired) in $work/base.db ..."
sqlite3 "$work/base.db" > /dev/null <<SQL
PRAGMA journal_mode = WAL;
CREATE TABLE t (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, payload TEXT);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $rows)
INSERT INTO t (ts, payload)
  SELECT CASE WHEN x <= $expired THEN $now - 800 * 86400 + x * 8
              ELSE $now - 20 * 86400 + (x - $expired) END,
         printf('%032d', x) FROM c;
CREATE INDEX t_ts ON t(ts);
PRAGMA wal_checkpoint(TRUNCATE);
SQL
echo "database: $(du -m "$work/base.db" | cut -f1) MiB"

now_ns() { date +%s%N; }

# run_case NAME COMMAND...: on a fresh copy, starts the writer, runs the
# command 1 s later, stops the writer 0.5 s after it ends.
run_case() {
  local name=$1; shift
  cp "$work/base.db" "$work/$name.db"
  sync  # the copy's writeback must not land in the measurement
  rm -f "$work/stop"
  python3 "$here/rows_writer.py" "$work/$name.db" "$rate" "$work/stop" \
    "$work/$name.json" &
  local writer=$!
  sleep 1
  local t0; t0=$(now_ns)
  "$@"
  local t1; t1=$(now_ns)
  sleep 0.5
  touch "$work/stop"
  wait "$writer"
  echo $(( (t1 - t0) / 1000000 )) > "$work/$name.ms"
  sqlite3 "$work/$name.db" "SELECT count(*) FROM t WHERE ts < $cutoff" \
    > "$work/$name.left"
}

idle() { sleep 10; }
naive() {
  sqlite3 "$work/naive.db" ".timeout 60000" \
    "DELETE FROM t WHERE ts < $cutoff" > /dev/null
}
rtd() {
  "$build/retentiond" --config "$work/r.conf" --once > "$work/rtd.out" \
    2> "$work/rtd.log"
}

mkdir -p "$work/state"
cat > "$work/r.conf" <<EOF2
[daemon]
state_dir = state
daily_report = no
[rows.bench]
database = sqlite:rtd.db
table = t
time_column = ts
max_age = 30d
max_delete_fraction = 1
EOF2

run_case idle idle
run_case naive naive
run_case rtd rtd
entries=$("$build/retentionctl" --state-dir "$work/state" ledger | grep -c ' delete ' || true)

python3 - "$work" "$expired" "$rate" "$entries" <<'PY'
import json, sys
work, expired, rate, entries = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
r = {}
for name in ("idle", "naive", "rtd"):
    r[name] = json.load(open(f"{work}/{name}.json"))
    r[name]["ms"] = int(open(f"{work}/{name}.ms").read())
    r[name]["left"] = int(open(f"{work}/{name}.left").read())
mib = lambda b: b / 1048576.0
print(f"writer: {rate} inserts/s, busy_timeout 1000 ms; latency from intended start")
print(f"{'run':<20}{'time':>8}{'rows/s':>10}{'p50':>10}{'p99':>10}{'max':>11}"
      f"{'>50ms':>7}{'done/intended':>16}{'failed':>8}{'WAL peak':>12}{'left':>9}")
for name, label in (("idle", "idle (no deletion)"), ("naive", "one DELETE"),
                    ("rtd", "retentiond --once")):
    x = r[name]
    rps = "-" if name == "idle" else f"{expired / (x['ms'] / 1000.0):,.0f}"
    left = "-" if name == "idle" else str(x["left"])
    print(f"{label:<20}{x['ms'] / 1000.0:>7.1f}s{rps:>10}{x['p50_ms']:>8.2f}ms"
          f"{x['p99_ms']:>8.2f}ms{x['max_ms']:>9.1f}ms{x['over_50ms']:>7}"
          f"{x['completed']:>9}/{x['intended']:<6}{x['failed']:>8}"
          f"{mib(x['wal_peak_bytes']):>9.1f}MiB{left:>9}")
n, t = r["naive"], r["rtd"]
ratio = lambda a, b: f"{a / b:.1f}x" if b > 0 else "inf"
print(f"ratios one DELETE / retentiond: writer max {ratio(n['max_ms'], t['max_ms'])}, "
      f"p99 {ratio(n['p99_ms'], t['p99_ms'])}, WAL peak "
      f"{ratio(n['wal_peak_bytes'], t['wal_peak_bytes'])}, time "
      f"{ratio(n['ms'], t['ms'])}")
print(f"retentiond ledger entries: {entries}")
PY
