# Metrics and the shipped alerting rules: `promtool check metrics` finds
# nothing to say about real metrics (files, logs and occupancy policies
# after a run); `promtool check rules` and `promtool test rules`
# (tests/e2e/prometheus_alerts_test.yml: each alert fires when it should
# and not otherwise) pass on units/retentiond-alerts.yml; and every metric
# the rules name is one retentiond exports. The daemon's daily report
# carries its audit, whose verdicts are the promise gauges. The running
# daemon's metrics add the alerts it knows of (logs.tight's live file is
# larger than its budget).
source "$(dirname "$0")/lib.bash"
command -v promtool >/dev/null || fail "no promtool (.ci/install-deps installs prometheus)"
rules=$SRC/units/retentiond-alerts.yml

mkdir -p "$WORK"/{state,data,logs,users/ann,users/bob}
touch -d '40 days ago' "$WORK/data/old"
touch "$WORK/data/new"
head -c 200000 /dev/zero > "$WORK/logs/app.log"
head -c 3000 /dev/zero > "$WORK/logs/tight.log"
head -c 300000 /dev/urandom > "$WORK/users/ann/a"
head -c 1000 /dev/urandom > "$WORK/users/bob/b"
cat > "$WORK/r.conf" <<'CONF'
[daemon]
state_dir = state
control_socket = control.sock
[files.data]
root = data
max_age = 30d
[logs.app]
paths = logs/app.log
max_file_size = 100K
max_total_size = 10M
max_age = 7d
method = truncate
[logs.tight]
paths = logs/tight.log
max_total_size = 2K
[occupancy]
root = users
default_quota = 100K
CONF
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once
# The daemon audits with its daily report, at start: the promise gauges.
start_daemon --config "$WORK/r.conf"
for _ in $(seq 200); do ls "$WORK"/state/reports/*.json >/dev/null 2>&1 && break; sleep 0.05; done
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" run logs.tight
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" metrics
cp "$WORK/out" "$WORK/metrics.daemon"
kill -TERM "$pid"; wait "$pid" || fail "the daemon exited $?"
python3 - "$WORK"/state/reports/*.json <<'PY' || fail "the daily report has no audit"
import json, sys
a = json.load(open(sys.argv[1]))["audit"]
assert a["ok"] and {p["policy"] for p in a["policies"]} == {"files.data", "logs.app", "logs.tight"}, a
PY
promtool check metrics < "$WORK/metrics.daemon" > "$WORK/lint" 2>&1 ||
  { cat "$WORK/lint"; fail "promtool check metrics (the daemon's)"; }
[ ! -s "$WORK/lint" ] || { cat "$WORK/lint"; fail "promtool check metrics printed the above"; }
grep -qxF 'retentiond_policy_alert{policy="logs.tight",alert="budget"} 1' "$WORK/metrics.daemon" ||
  { grep alert "$WORK/metrics.daemon"; fail "no budget alert in the daemon's metrics"; }
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" metrics
cp "$WORK/out" "$WORK/metrics"
promtool check metrics < "$WORK/metrics" > "$WORK/lint" 2>&1 ||
  { cat "$WORK/lint"; fail "promtool check metrics"; }
[ ! -s "$WORK/lint" ] || { cat "$WORK/lint"; fail "promtool check metrics printed the above"; }
for line in \
  'retentiond_policy_max_age_seconds{policy="files.data",kind="files"} 2592000' \
  'retentiond_policy_budget_bytes{policy="logs.app",kind="logs"} 10485760' \
  'retentiond_items_left{policy="files.data"} 1' \
  'retentiond_occupancy_users 2' \
  'retentiond_occupancy_users_over_quota 1' \
  'retentiond_occupancy_user_quota_bytes{user="ann"} 102400' \
  'retentiond_ledger_ok 1' \
  'retentiond_promise_kept{policy="files.data",kind="files"} 1' \
  'retentiond_promise_overdue_items{policy="files.data",kind="files"} 0'; do
  grep -qF "$line" "$WORK/metrics" || { cat "$WORK/metrics"; fail "metric missing: $line"; }
done
grep -q '^retentiond_occupancy_user_bytes{user="bob"} [0-9]' "$WORK/metrics" || fail "no per-user bytes"
grep -q '^retentiond_last_run_duration_seconds{policy="files.data"} [0-9.]*$' "$WORK/metrics" ||
  fail "no run duration"

echo "== promtool check rules, test rules"
promtool check rules "$rules" > "$WORK/check" 2>&1 || { cat "$WORK/check"; fail "promtool check rules"; }
promtool test rules "$SRC/tests/e2e/prometheus_alerts_test.yml" > "$WORK/test" 2>&1 ||
  { cat "$WORK/test"; fail "promtool test rules"; }
# Every metric the rules name exists (a rename would leave an alert that
# can never fire).
for name in $(grep -v '^ *#' "$rules" | grep -o 'retentiond_[a-z_]*' | sort -u); do
  # grep reads the files itself: `cat | grep -q` under pipefail fails
  # whenever grep exits before cat has written everything (SIGPIPE).
  grep -q "^$name[{ ]" "$WORK/metrics" "$WORK/metrics.daemon" || fail "the rules name $name, which retentiond does not export"
done
echo "prometheus_rules: ok"
