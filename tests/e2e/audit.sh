# retentionctl audit: checks each promise against the world now, never the
# run records. After a real run everything holds (✓, exit 0); then a
# violation is planted for every kind — a file the run could not delete
# (flock), a file made old after the run, an archive past max_age, a row
# inserted with an old timestamp, an account whose data directory came back
# after its purge — and each is ✗ with its evidence (exit 1); --json and
# --format prometheus say the same, and so does the report (text, JSON,
# HTML). (Holds: tests/unit/audit_test.cc.)
source "$(dirname "$0")/lib.bash"

mkdir -p "$WORK"/{state,backups,logs,users/7}
now=$(date -u +%s)
day=86400
sqlite3 "$WORK/app.db" > /dev/null <<SQL
PRAGMA journal_mode = WAL;
CREATE TABLE tokens (id INTEGER PRIMARY KEY, created_at INTEGER);
CREATE INDEX tokens_created ON tokens(created_at);
INSERT INTO tokens (created_at) VALUES ($now - 7200), ($now - 60);
CREATE TABLE users (id INTEGER PRIMARY KEY, deleted_at INTEGER);
INSERT INTO users VALUES (7, $now - 40 * $day), (8, NULL);
SQL
echo old > "$WORK/backups/a.tar"
echo new > "$WORK/backups/b.tar"
touch -d "@$((now - 100 * day))" "$WORK/backups/a.tar"
echo data > "$WORK/users/7/f"
echo line > "$WORK/logs/app.log"
sleep 2.2  # users/ unchanged for 2 s: account 7's absence is trusted
cat > "$WORK/r.conf" <<CONF
[daemon]
state_dir = state
control_socket =
[files.backups]
root = backups
match = *.tar
max_age = 30d
[logs.app]
paths = logs/app.log
max_total_size = 1G
max_age = 7d
[rows.tokens]
database = sqlite:app.db
table = tokens
time_column = created_at
max_age = 1h
[accounts]
database = sqlite:app.db
table = users
deleted_column = deleted_at
grace = 30d
data_dir = users/{id}
CONF
ctl() { "$RETENTIONCTL" --config "$WORK/r.conf" "$@"; }
# saw PATTERN WHAT: the last command printed PATTERN, else fail with WHAT.
saw() { grep -q -- "$1" "$WORK/out" || { cat "$WORK/out" "$WORK/err"; fail "$2"; }; }

# Before any run every promise is broken, and says so.
expect_code 1 ctl audit
saw "✗ files.backups: 1 file past the deadline (4), oldest 100d old" "files before the run"
saw "✗ rows.tokens: 1 row past the deadline, oldest 2h old" "rows before the run"
# [accounts] reads the daemon's purge records: not checked without state.db.
saw "? accounts: not checked: .*needs the state database" "accounts before the run"
[ -f "$WORK/backups/a.tar" ] || fail "audit deleted a file"
[ "$(sqlite3 "$WORK/app.db" 'SELECT count(*) FROM tokens')" = 2 ] || fail "audit deleted rows"

expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once --dry-run
expect_code 1 ctl audit
saw "✗ accounts: 1 account past the deadline, oldest 40d old" "accounts before the run"
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once
expect_code 0 ctl audit
for p in files.backups logs.app rows.tokens accounts; do
  saw "✓ $p: nothing past its deadline" "$p not kept after the run"
done
expect_code 0 ctl audit rows.tokens
[ "$(wc -l < "$WORK/out")" = 1 ] || { cat "$WORK/out"; fail "audit POLICY printed others"; }
expect_code 64 ctl audit nosuch

# Planted violations, one per kind.
echo old > "$WORK/backups/c.tar"
touch -d "@$((now - 50 * day))" "$WORK/backups/c.tar"
echo locked > "$WORK/backups/d.tar"
touch -d "@$((now - 60 * day))" "$WORK/backups/d.tar"
# -o: flock itself holds the lock, so killing it at exit releases it.
flock -o "$WORK/backups/d.tar" sleep 50 > /dev/null 2>&1 &
STARTED+=("$!")
echo old > "$WORK/logs/app.log-20200101T000000Z"
touch -d "@$((now - 9 * day))" "$WORK/logs/app.log-20200101T000000Z"
sqlite3 "$WORK/app.db" "INSERT INTO tokens (created_at) VALUES ($now - 5400)"
mkdir -p "$WORK/users/7" && echo back > "$WORK/users/7/f"
sleep 0.5
# The run deletes c.tar and keeps the locked file, with an error.
expect_code 1 "$RETENTIOND" --config "$WORK/r.conf" --once --policy files.backups
[ -f "$WORK/backups/d.tar" ] || fail "the run deleted a locked file"
[ ! -e "$WORK/backups/c.tar" ] || fail "the run kept c.tar"
echo late > "$WORK/backups/e.tar"
touch -d "@$((now - 45 * day))" "$WORK/backups/e.tar"

expect_code 1 ctl audit
saw "✗ files.backups: 2 files past the deadline (.*), oldest 60d old" "files violation"
saw "✗ logs.app: 1 file past the deadline (4), oldest .* old" "logs violation"
saw "✗ rows.tokens: 1 row past the deadline, oldest 1h30m old" "rows violation"
saw "✗ accounts: nothing past its deadline" "accounts line"
saw "account 7 purged .*: data directory $WORK/users/7 is back" "accounts evidence"

expect_code 1 ctl --json audit
python3 - "$WORK/out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["ok"] is False, r
by = {p["policy"]: p for p in r["policies"]}
assert by["rows.tokens"]["overdue"] == 1 and by["rows.tokens"]["oldest_age_seconds"] >= 5400, by
assert by["files.backups"]["overdue"] == 2 and by["files.backups"]["bytes"] == 12, by
assert len(by["accounts"]["extra"]) == 1, by
PY
expect_code 1 ctl --format prometheus audit
saw 'retention_audit_ok{policy="rows.tokens",kind="rows"} 0' "prometheus"
saw 'retention_audit_overdue{policy="files.backups",kind="files"} 2' "prometheus overdue"

# The report carries the same audit, in every format (here built by
# retentionctl from the state directory; the daemon's daily report and
# metrics: tests/e2e/prometheus_rules.sh).
expect_code 0 ctl report
saw "audit, each promise checked against the world now:" "report audit"
saw "  ✗ rows.tokens: 1 row past the deadline" "report rows violation"
saw "      account 7 purged .*: data directory" "report evidence"
expect_code 0 ctl report --format json
python3 - "$WORK/out" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["audit"]
assert a["ok"] is False, a
by = {p["policy"]: p for p in a["policies"]}
assert by["rows.tokens"]["overdue"] == 1 and not by["rows.tokens"]["ok"], by
PY
expect_code 0 ctl report --format html
saw '<span class="bad">✗ rows.tokens: 1 row past the deadline' "html audit"

echo "audit: ok"
