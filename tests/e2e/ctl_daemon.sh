# retentionctl against a running retentiond over its control socket: every
# command, the exit codes (0, 1 on an error reply, 3 when not running, 77 on
# permission denied), a synchronous reload that prints FILE:LINE errors and
# keeps the old configuration, the group rules (a socket_group member may
# read but not run), and the daily report file.
source "$(dirname "$0")/lib.bash"

mkdir -p "$WORK"/{state,data}
for i in 1 2 3; do echo x > "$WORK/data/old$i"; touch -d "-100 days" "$WORK/data/old$i"; done
echo y > "$WORK/data/new"; touch -d "-5 days" "$WORK/data/new"
# The socket in a directory the daemon creates (0750, group nogroup), so a
# process running as nobody:nogroup can reach it and is a reader.
chmod 0711 "$WORK"
cat > "$WORK/r.conf" <<CONF
[daemon]
state_dir = state
control_socket = run/control.sock
socket_group = nogroup
admin_group = root
[files.cache]
root = data
max_age = 30d
every = 1d
CONF
cp "$WORK/r.conf" "$WORK/good.conf"
ctl() { "$RETENTIONCTL" --config "$WORK/r.conf" "$@"; }

# files.cache with every = 1d is first due 28.8 s after start (the
# scheduler's jitter is a hash of the id), so every run below is ours.
start_daemon --config "$WORK/r.conf"
wait_for "$WORK/log" "control socket"
[ "$(stat -c '%a %G' "$WORK/run")" = "750 nogroup" ] || fail "socket dir: $(stat -c '%a %G' "$WORK/run")"
[ "$(stat -c '%a %G' "$WORK/run/control.sock")" = "660 nogroup" ] || fail "socket mode"

expect_code 0 ctl status
grep -q "^pid: *$pid$" "$WORK/out" || { cat "$WORK/out"; fail "status: no pid"; }
grep -q "^files.cache  *1d  *idle" "$WORK/out" || { cat "$WORK/out"; fail "status: no policy row"; }
expect_code 0 ctl --json status
grep -q "\"pid\": $pid" "$WORK/out" || fail "status --json"
expect_code 0 ctl run cache
grep -q "^files.cache: deleted 3 files" "$WORK/out" || { cat "$WORK/out"; fail "first run"; }
expect_code 0 ctl policies
grep -q "^files.cache .* ok$" "$WORK/out" || { cat "$WORK/out"; fail "policies: last result"; }

# run --dry-run plans and removes nothing; run removes.
echo x > "$WORK/data/old4"; touch -d "-100 days" "$WORK/data/old4"
expect_code 0 ctl run cache --dry-run
grep -q "would delete $WORK/data/old4" "$WORK/out" || { cat "$WORK/out"; fail "dry run"; }
[ -e "$WORK/data/old4" ] || fail "dry run deleted"
expect_code 0 ctl run files.cache
grep -q "^files.cache: deleted old4 (2 B" "$WORK/out" || { cat "$WORK/out"; fail "run"; }
[ ! -e "$WORK/data/old4" ] || fail "run did not delete"
expect_code 1 ctl run nosuch
grep -q "no policy named 'nosuch'" "$WORK/err" || { cat "$WORK/err"; fail "unknown policy"; }

# A broken reload: exit 1, the daemon's FILE:LINE errors, old config kept.
printf 'max_agee = 3d\n' >> "$WORK/r.conf"
expect_code 1 ctl reload
grep -q "r.conf:10: \[files.cache\] max_agee: unknown key" "$WORK/err" || { cat "$WORK/err"; fail "reload errors"; }
expect_code 0 ctl policies
grep -q "files.cache" "$WORK/out" || fail "old config not kept"
cp "$WORK/good.conf" "$WORK/r.conf"
printf '[files.more]\nroot = data\nmax_age = 60d\n' >> "$WORK/r.conf"
expect_code 0 ctl reload
grep -q "reloaded: 2 policies" "$WORK/out" || { cat "$WORK/out"; fail "reload"; }

expect_code 1 ctl confirm-clock
grep -qx "retentionctl: no clock brake is engaged; nothing to confirm" "$WORK/err" || { cat "$WORK/out" "$WORK/err"; fail "confirm-clock"; }
expect_code 0 ctl release cache
grep -q "^files.cache: no brake was engaged" "$WORK/out" || { cat "$WORK/out"; fail "release"; }
expect_code 1 ctl release nosuch
expect_code 0 ctl hold --path "$WORK/data/old1" --reason "legal hold 17"
expect_code 0 ctl holds
grep -q "^path  *$WORK/data/old1 .*legal hold 17" "$WORK/out" || { cat "$WORK/out"; fail "holds"; }
expect_code 0 ctl status
grep -q "^holds: *1 (retentionctl holds)" "$WORK/out" || { cat "$WORK/out"; fail "status: holds"; }
expect_code 0 ctl report
grep -q "legal hold 17" "$WORK/out" || { cat "$WORK/out"; fail "report: holds"; }
expect_code 64 ctl hold --path /x
expect_code 64 ctl hold --path /x --policy cache --reason r
expect_code 1 ctl hold --policy nosuch --reason r
expect_code 0 ctl release-hold --path "$WORK/data/old1"
expect_code 1 ctl release-hold --path "$WORK/data/old1"
expect_code 0 ctl holds
grep -q "^no holds" "$WORK/out" || { cat "$WORK/out"; fail "holds after release"; }

# The report: the oldest survivor (new, 5 days) within max_age 30d.
expect_code 0 ctl report
grep -q "^files.cache (files): ✓ kept$" "$WORK/out" || { cat "$WORK/out"; fail "report text"; }
grep -q "^  oldest survivor: 5d; left: 1 item" "$WORK/out" || { cat "$WORK/out"; fail "report text: oldest"; }
expect_code 0 ctl report --since 2d --format json
grep -q '"schema": "retentiond.report.v1"' "$WORK/out" || fail "report json"
grep -q '"kept_items": 1' "$WORK/out" || { cat "$WORK/out"; fail "report json kept"; }
expect_code 0 ctl report --format html -o "$WORK/report.html"
grep -q "</html>" "$WORK/report.html" || fail "report html"
expect_code 0 ctl verify
grep -q "ledger intact" "$WORK/out" || fail "verify"
expect_code 0 ctl metrics
grep -q '^retentiond_removed_items_total{policy="files.cache",kind="files"} 4$' "$WORK/out" || { cat "$WORK/out"; fail "metrics removed"; }
grep -q '^retentiond_oldest_item_age_seconds{policy="files.cache"} ' "$WORK/out" || fail "metrics oldest"
ls "$WORK/state/reports/"*.html "$WORK/state/reports/"*.json >/dev/null || fail "no daily report"

# nobody:nogroup is in socket_group: may read, may not run or reload.
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$RETENTIONCTL" --socket "$WORK/run/control.sock" "$@"; }
expect_code 0 as_nobody status
expect_code 77 as_nobody run cache
grep -q "permission denied" "$WORK/err" || { cat "$WORK/err"; fail "no permission message"; }
expect_code 77 as_nobody reload
expect_code 77 as_nobody release cache
expect_code 0 as_nobody holds
expect_code 77 as_nobody hold --policy cache --reason r
wait_for "$WORK/log" "refused.*uid 65534"

# Stopped: the socket is gone, socket commands exit 3, the rest fall back.
kill -TERM "$pid"
wait "$pid" || fail "daemon exit $?"
[ ! -e "$WORK/run/control.sock" ] || fail "socket left behind"
expect_code 3 ctl status
expect_code 0 ctl verify
echo "ctl_daemon: ok"
