# retentionctl report --merge: the real binaries on real report files. Two
# hosts run a files policy each (with different limits), one also a policy
# the other lacks; the second host's ledger is tampered with. Their JSON
# reports merge into one text report (80 columns) and one JSON report with
# exact numbers; bad files are errors naming the file.
source "$(dirname "$0")/lib.bash"

host() {  # host NAME MAX_AGE [EXTRA_POLICY]: a host's tree, config and run
  local h=$1
  mkdir -p "$WORK/$h"/{state,data,tmp}
  for n in a b c; do echo "$h$n" > "$WORK/$h/data/$n"; touch -d "-100 days" "$WORK/$h/data/$n"; done
  echo young > "$WORK/$h/data/young"; touch -d "-2 days" "$WORK/$h/data/young"
  echo old > "$WORK/$h/tmp/old"; touch -d "-10 days" "$WORK/$h/tmp/old"
  { printf '[daemon]\nstate_dir = state\ncontrol_socket =\n'
    printf '[files.data]\nroot = data\nmax_age = %s\n' "$2"
    [ -z "${3:-}" ] || printf '[files.tmp]\nroot = tmp\nmax_age = 1d\n'
  } > "$WORK/$h/r.conf"
  expect_code 0 "$RETENTIOND" --config "$WORK/$h/r.conf" --once
}
host web1 30d tmp
host web2 60d
sqlite3 "$WORK/web2/state/state.db" "UPDATE ledger SET detail = 'edited' WHERE seq = (SELECT min(seq) FROM ledger)"
for h in web1 web2; do
  expect_code 0 "$RETENTIONCTL" --config "$WORK/$h/r.conf" report --format json -o "$WORK/$h.json"
done
# Each report names the host it was made on; both were made here, so the
# same host twice is refused, and each is then renamed as if from its host.
host_name=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["host"])' "$WORK/web1.json")
[ "$host_name" = "$(hostname)" ] || fail "report names host '$host_name', not $(hostname)"
(cd "$WORK" && expect_code 1 "$RETENTIONCTL" report --merge web1.json web2.json)
grep -q "web2.json: host '$host_name' already given by web1.json" "$WORK/err" || { cat "$WORK/err"; fail "one host twice"; }
for h in web1 web2; do
  python3 - "$WORK/$h.json" "$h" <<'EOP'
import json, sys
r = json.load(open(sys.argv[1]))
r["host"] = sys.argv[2]
json.dump(r, open(sys.argv[1], "w"), indent=2)
EOP
done

cd "$WORK"
expect_code 0 "$RETENTIONCTL" report --merge web1.json web2.json
cat "$WORK/out"
grep -q "^fleet retention report: 2 hosts, 1 ledger(s) BROKEN" "$WORK/out" || fail "verdict line"
grep -Eq "^web2 +.* BROKEN at seq 1" "$WORK/out" || fail "broken ledger of web2"
grep -Eq "^files.data \(files\): .*removed 6 items, 36 B in total" "$WORK/out" || fail "files.data total"
grep -q "limit on web1: max_age 30d (limits differ)" "$WORK/out" || fail "web1's limit"
grep -q "limit on web2: max_age 60d (limits differ)" "$WORK/out" || fail "web2's limit"
grep -Eq "^  web2 +- +- +- +not configured" "$WORK/out" || fail "files.tmp absent on web2"
awk 'length > 80 { exit 1 }' "$WORK/out" || fail "a line over 80 bytes"

expect_code 0 "$RETENTIONCTL" report --merge --json web1.json web2.json
python3 - "$WORK/out" <<'EOP' || fail "merged json"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["schema"] == "retentiond.merged-report.v1", r["schema"]
assert r["all_verified"] is False
assert [h["host"] for h in r["hosts"]] == ["web1", "web2"]
assert r["hosts"][1]["ledger"]["verified"] is False
data = [p for p in r["policies"] if p["id"] == "files.data"][0]
assert data["removed"] == {"items": 6, "bytes": 36}, data["removed"]
assert [h["removed"]["items"] for h in data["hosts"]] == [3, 3]
assert data["limits_agree"] is False
assert data["hosts"][0]["last_run"]["outcome"] == "ok"
tmp = [p for p in r["policies"] if p["id"] == "files.tmp"][0]
assert tmp["absent_on"] == ["web2"], tmp["absent_on"]
assert tmp["removed"] == {"items": 1, "bytes": 4}, tmp["removed"]
EOP

# Bad inputs: each an error naming the file.
echo '{"schema": ' > broken.json
expect_code 1 "$RETENTIONCTL" report --merge web1.json broken.json
grep -q "^retentionctl: report --merge: broken.json: not a JSON report" "$WORK/err" || { cat "$WORK/err"; fail "malformed"; }
sed 's/retentiond.report.v1/retentiond.report.v2/' web1.json > future.json
expect_code 1 "$RETENTIONCTL" report --merge future.json web2.json
grep -q "future.json: unknown report schema 'retentiond.report.v2'" "$WORK/err" || { cat "$WORK/err"; fail "unknown version"; }
expect_code 1 "$RETENTIONCTL" report --merge web1.json missing.json
grep -q "cannot read missing.json" "$WORK/err" || { cat "$WORK/err"; fail "missing file"; }
expect_code 64 "$RETENTIONCTL" report --merge
expect_code 64 "$RETENTIONCTL" status --merge web1.json
expect_code 64 "$RETENTIONCTL" report --merge --format html web1.json

echo "report_merge: ok"
