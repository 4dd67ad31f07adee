# --check-config: the shipped example is valid; a misspelled key is reported
# as FILE:LINE with a suggestion and exit 78; every error is reported.
source "$(dirname "$0")/lib.bash"

# The example's text is valid; its application databases do not exist here,
# and --check-config, which opens them, says so at their FILE:LINE.
expect_code 0 "$RETENTIOND" --print-config --config "$SRC/config/retentiond.conf"
expect_code 0 "$RETENTIOND" --print-config --config "$SRC/config/demo.conf"
expect_code 78 "$RETENTIOND" --check-config "$SRC/config/retentiond.conf"
grep -q "^$SRC/config/retentiond.conf:[0-9]*: \[rows.reset_tokens\] database: .*app.db" "$WORK/err" ||
  { cat "$WORK/err"; fail "missing database not reported at FILE:LINE"; }
grep -v " database: " "$WORK/err" | grep -q "^$SRC" && { cat "$WORK/err"; fail "an error other than a database"; }
files_config data
expect_code 0 "$RETENTIOND" --check-config "$WORK/r.conf"
grep -q "OK" "$WORK/out" || fail "no OK line"

cp "$SRC/config/retentiond.conf" "$WORK/bad.conf"
line=$(grep -n '^max_age = 90d' "$WORK/bad.conf" | cut -d: -f1)
sed -i "${line}s/max_age/max_agee/" "$WORK/bad.conf"
expect_code 78 "$RETENTIOND" --check-config "$WORK/bad.conf"
grep -q "^$WORK/bad.conf:$line: \[files.backups\] max_agee: .*did you mean 'max_age'" "$WORK/err" ||
  { cat "$WORK/err"; fail "no FILE:LINE error with a suggestion"; }

printf '[daemon]\nclock_jump_limit = 1 hour\n[files.x]\nroot = /tmp\nmax_age = -3d\n[bogus.y]\n' > "$WORK/many.conf"
expect_code 78 "$RETENTIOND" --check-config "$WORK/many.conf"
[ "$(grep -c "^$WORK/many.conf:" "$WORK/err")" -ge 3 ] || { cat "$WORK/err"; fail "not every error reported"; }

expect_code 78 "$RETENTIOND" --check-config "$WORK/missing.conf"
grep -q "missing.conf" "$WORK/err" || fail "missing file not named"

# Drop-ins: FILE.d/*.conf, later wins, shown by --print-config with FILE:LINE.
mkdir "$WORK/main.conf.d"
printf '[daemon]\nlog_level = info\n' > "$WORK/main.conf"
printf '[daemon]\nlog_level = debug\n' > "$WORK/main.conf.d/50-debug.conf"
expect_code 0 "$RETENTIOND" --print-config --config "$WORK/main.conf"
grep -q "log_level = debug  # $WORK/main.conf.d/50-debug.conf:2" "$WORK/out" ||
  { cat "$WORK/out"; fail "drop-in value or its location missing"; }

# [occupancy]: quota_from and publish_to are opened read-only too; each
# error is at the line of its key. A publish_to database or table that does
# not exist yet is fine (the first run creates it) if its directory exists.
mkdir -p "$WORK/users"
python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("CREATE TABLE users (id TEXT PRIMARY KEY, quota_bytes INTEGER)")
c.execute("CREATE TABLE usage (user_id TEXT, bytes INTEGER)"); c.commit()' "$WORK/app.db"
occupancy() {
  printf '[daemon]\nstate_dir = state\n[occupancy]\nroot = users\nquota_from = %s\npublish_to = %s\n' "$1" "$2" > "$WORK/occ.conf"
}
occupancy "sqlite:app.db users.quota_bytes" "sqlite:app.db storage_usage"
expect_code 0 "$RETENTIOND" --check-config "$WORK/occ.conf"
occupancy "sqlite:app.db users.quota_bytes" "sqlite:new.db storage_usage"
expect_code 0 "$RETENTIOND" --check-config "$WORK/occ.conf"
[ ! -e "$WORK/new.db" ] || fail "--check-config created the publish_to database"
occupancy "sqlite:app.db users.quota" "sqlite:app.db usage"
expect_code 78 "$RETENTIOND" --check-config "$WORK/occ.conf"
grep -q "^$WORK/occ.conf:5: \[occupancy\] quota_from: .*no such column: quota" "$WORK/err" ||
  { cat "$WORK/err"; fail "quota_from column not checked"; }
grep -q "^$WORK/occ.conf:6: \[occupancy\] publish_to: .*usage" "$WORK/err" ||
  { cat "$WORK/err"; fail "publish_to table not checked"; }
occupancy "sqlite:missing.db users.quota_bytes" "sqlite:nodir/app.db usage"
expect_code 78 "$RETENTIOND" --check-config "$WORK/occ.conf"
grep -q "^$WORK/occ.conf:5: \[occupancy\] quota_from: .*missing.db" "$WORK/err" ||
  { cat "$WORK/err"; fail "missing quota_from database not reported"; }
grep -q "^$WORK/occ.conf:6: \[occupancy\] publish_to: .*nodir" "$WORK/err" ||
  { cat "$WORK/err"; fail "publish_to in a missing directory not reported"; }

expect_code 64 "$RETENTIOND" --no-such-option
expect_code 64 "$RETENTIOND" --dry-run
expect_code 0 "$RETENTIOND" --version
grep -q "^retentiond " "$WORK/out" || fail "no version"
echo "check_config: ok"
