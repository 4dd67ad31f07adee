# retentionctl report from the state directory: text, JSON and a
# self-contained HTML page, to stdout or -o FILE, with or without a
# configuration; bad options are usage errors.
source "$(dirname "$0")/lib.bash"

mkdir -p "$WORK"/{state,data}
for n in a b; do echo $n > "$WORK/data/$n"; touch -d "-100 days" "$WORK/data/$n"; done
files_config data
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once

expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" report
grep -q "^files.data (files): " "$WORK/out" || { cat "$WORK/out"; fail "text report block"; }
grep -q "^  limit: max_age 30d" "$WORK/out" || { cat "$WORK/out"; fail "text report limit"; }
grep -q "^  removed in the period: 2 items, 4 B" "$WORK/out" || { cat "$WORK/out"; fail "text report removed"; }
grep -q "^verdict: 1 of 1 promises kept" "$WORK/out" || { cat "$WORK/out"; fail "text report verdict"; }
grep -q "verified" "$WORK/out" || fail "ledger state missing"

expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" report --format json --since 7d
python3 - "$WORK/out" <<'EOP' || fail "json report"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["schema"] == "retentiond.report.v1", r["schema"]
p = [x for x in r["policies"] if x["id"] == "files.data"][0]
assert p["removed"] == {"items": 2, "bytes": 4}, p["removed"]
assert r["ledger"]["verified"] is True
EOP

expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" report --format html -o "$WORK/report.html"
[ -s "$WORK/report.html" ] || fail "no html file"
grep -q "<svg" "$WORK/report.html" || fail "no chart"
grep -Eq "https?://|src=|<link|<script" "$WORK/report.html" && fail "html is not self-contained"

# An auditor with only the state directory still gets what the ledger shows.
expect_code 0 "$RETENTIONCTL" --state-dir "$WORK/state" report
grep -q "files.data" "$WORK/out" || { cat "$WORK/out"; fail "no policy without config"; }

# --state-dir relative to the working directory (issue 19: "root is not an
# absolute path").
(cd "$WORK" && expect_code 0 "$RETENTIONCTL" --state-dir state verify)
(cd "$WORK" && expect_code 0 "$RETENTIONCTL" --state-dir ./state/ report)
grep -q "files.data" "$WORK/out" || { cat "$WORK/out"; fail "relative --state-dir report"; }

expect_code 64 "$RETENTIONCTL" --config "$WORK/r.conf" report --format pdf
expect_code 64 "$RETENTIONCTL" --config "$WORK/r.conf" report --since soon
expect_code 1 "$RETENTIONCTL" --state-dir "$WORK/nowhere" report
echo "report: ok"

# Metrics come from the same state directory.
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" metrics
for line in 'retentiond_removed_items_total{policy="files.data",kind="files"} 2' \
            'retentiond_removed_bytes_total{policy="files.data",kind="files"} 4' \
            'retentiond_policy_runs_total{policy="files.data",result="ok"} 1' \
            'retentiond_clock_paused 0'; do
  grep -qF "$line" "$WORK/out" || { cat "$WORK/out"; fail "metric missing: $line"; }
done

# metrics_file: rewritten atomically after every run, --once included.
printf 'metrics_file = metrics/retentiond.prom\n' > "$WORK/metrics.conf"
mkdir -p "$WORK/metrics"
sed '/^\[daemon\]/r '"$WORK/metrics.conf" "$WORK/r.conf" > "$WORK/m.conf"
expect_code 0 "$RETENTIOND" --config "$WORK/m.conf" --once
grep -qF 'retentiond_policy_runs_total{policy="files.data",result="ok"} 2' "$WORK/metrics/retentiond.prom" ||
  { cat "$WORK/metrics/retentiond.prom"; fail "metrics_file not written after the run"; }
[ -z "$(ls -A "$WORK/metrics" | grep -v '^retentiond.prom$')" ] || fail "temp file left in the metrics directory"
echo "metrics: ok"
