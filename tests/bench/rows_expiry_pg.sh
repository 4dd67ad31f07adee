#!/usr/bin/env bash
# Benchmark: expiring 4M of 5M rows of a PostgreSQL table (timestamptz,
# indexed) while the application keeps inserting, with (a) the cron job it
# replaces, one `DELETE FROM t WHERE ts < ...`, and (b) `retentiond --once`
# on a [rows.*] policy, in the same run on copies of the same database
# (CREATE DATABASE ... TEMPLATE) in a private cluster (tests/pg/
# pg_cluster.bash). An application writer (tests/bench/pg_writer.cc, built
# as pg_writer) inserts RATE rows a second, autocommit, and records every
# insert's latency from its intended start. Prints both runs' figures, an
# idle baseline, the ratios, and the load average. The cluster runs with
# synchronous_commit = off: on this shared machine a WAL flush per insert
# alone keeps the writer under 500 inserts/s, which would hide what the
# deletion costs it.
#   usage: tests/bench/rows_expiry_pg.sh [BUILD_DIR] [ROWS] [RATE]
set -euo pipefail
build=${1:-build-rel}
rows=${2:-5000000}
rate=${3:-500}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../pg/pg_cluster.bash"
work=$(mktemp -d /tmp/rtd-rowspg-XXXXXX)
pg_start "$work/pg" -c shared_buffers=256MB -c max_wal_size=4GB -c synchronous_commit=off
trap 'pg_stop "$work/pg"; rm -rf "$work"' EXIT
expired=$((rows * 4 / 5))
now=$(date -u +%s)
cutoff=$((now - 30 * 86400))
uri_of() { echo "postgresql://postgres:$PG_PASSWORD@/$1?host=$work/pg"; }  # database $1

echo "building $rows rows ($expired expired) in a private cluster ..."
psql_value "CREATE DATABASE base" > /dev/null
PG_URI=$(uri_of base) psql_value "
CREATE TABLE t (id bigserial PRIMARY KEY, ts timestamptz NOT NULL, payload text);
INSERT INTO t (ts, payload)
  SELECT CASE WHEN x <= $expired THEN to_timestamp($now - 800 * 86400 + x * 8)
              ELSE to_timestamp($now - 20 * 86400 + (x - $expired)) END,
         lpad(x::text, 32, '0') FROM generate_series(1, $rows) x;
CREATE INDEX t_ts ON t (ts);" > /dev/null
PG_URI=$(uri_of base) psql_value "VACUUM ANALYZE t" > /dev/null
echo "table: $(PG_URI=$(uri_of base) psql_value "SELECT pg_size_pretty(pg_total_relation_size('t'))")"
for db in idle naive rtd; do psql_value "CREATE DATABASE $db TEMPLATE base" > /dev/null; done
psql_value "CHECKPOINT" > /dev/null

now_ns() { date +%s%N; }

# run_case NAME COMMAND...: starts the writer on database NAME, runs the
# command 1 s later, stops the writer 0.5 s after it ends.
run_case() {
  local name=$1; shift
  rm -f "$work/stop"
  "$build/pg_writer" "$(uri_of "$name")" "$rate" "$work/stop" "$work/$name.json" &
  local writer=$!
  sleep 1
  local t0; t0=$(now_ns)
  "$@"
  local t1; t1=$(now_ns)
  sleep 0.5
  touch "$work/stop"
  wait "$writer"
  echo $(( (t1 - t0) / 1000000 )) > "$work/$name.ms"
  PG_URI=$(uri_of "$name") psql_value "SELECT count(*) FROM t WHERE ts < to_timestamp($cutoff)" > "$work/$name.left"
  PG_URI=$(uri_of "$name") psql_value "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 't'" > "$work/$name.dead"
}

idle() { sleep 10; }
naive() {
  PG_URI=$(uri_of naive) psql_value "DELETE FROM t WHERE ts < to_timestamp($cutoff)" > /dev/null
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
database = $(uri_of rtd)
table = public.t
time_column = ts
time_format = native
max_age = 30d
max_delete_fraction = 1
EOF2

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
run_case idle idle
run_case naive naive
run_case rtd rtd
entries=$("$build/retentionctl" --state-dir "$work/state" ledger | grep -c ' delete ' || true)
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$work" "$expired" "$rate" "$entries" <<'PY'
import json, sys
work, expired, rate, entries = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
r = {}
for name in ("idle", "naive", "rtd"):
    r[name] = json.load(open(f"{work}/{name}.json"))
    r[name]["ms"] = int(open(f"{work}/{name}.ms").read())
    r[name]["left"] = int(open(f"{work}/{name}.left").read())
    r[name]["dead"] = open(f"{work}/{name}.dead").read().strip()
print(f"writer: {rate} inserts/s, autocommit; latency from intended start")
print(f"{'run':<20}{'time':>8}{'rows/s':>10}{'p50':>10}{'p99':>10}{'max':>11}"
      f"{'>50ms':>7}{'done/intended':>16}{'failed':>8}{'left':>9}{'dead tuples':>13}")
for name, label in (("idle", "idle (no deletion)"), ("naive", "one DELETE"),
                    ("rtd", "retentiond --once")):
    x = r[name]
    rps = "-" if name == "idle" else f"{expired / (x['ms'] / 1000.0):,.0f}"
    left = "-" if name == "idle" else str(x["left"])
    print(f"{label:<20}{x['ms'] / 1000.0:>7.1f}s{rps:>10}{x['p50_ms']:>8.2f}ms"
          f"{x['p99_ms']:>8.2f}ms{x['max_ms']:>9.1f}ms{x['over_50ms']:>7}"
          f"{x['completed']:>9}/{x['intended']:<6}{x['failed']:>8}{left:>9}{x['dead']:>13}")
n, t = r["naive"], r["rtd"]
ratio = lambda a, b: f"{a / b:.1f}x" if b > 0 else "inf"
print(f"ratios one DELETE / retentiond: writer max {ratio(n['max_ms'], t['max_ms'])}, "
      f"p99 {ratio(n['p99_ms'], t['p99_ms'])}, time {ratio(n['ms'], t['ms'])}")
print(f"retentiond ledger entries: {entries}")
PY
