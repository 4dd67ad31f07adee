# [occupancy] with --once: per-user figures equal du's, a user over quota
# fires the hook once (with its environment) and is a ledger entry, the
# application table is upserted, `retentionctl occupancy` and the report
# show it, and a dry run stores nothing.
source "$(dirname "$0")/lib.bash"

mkdir -p "$WORK"/state "$WORK"/users/{ann,ben,cat/sub}
head -c 300000 /dev/urandom > "$WORK/users/ann/a"
head -c 9000 /dev/urandom > "$WORK/users/ben/b"
head -c 50000 /dev/urandom > "$WORK/users/cat/sub/c"
ln -s /etc "$WORK/users/cat/etc"
cat > "$WORK/hook.sh" <<'HOOK'
#!/bin/sh
echo "$1 $RETENTIOND_EVENT $RETENTIOND_USER $RETENTIOND_BYTES $RETENTIOND_QUOTA" >> "$(dirname "$0")/events"
HOOK
chmod +x "$WORK/hook.sh"
cat > "$WORK/r.conf" <<'CONF'
[daemon]
state_dir = state
control_socket = control.sock
[occupancy]
root = users
default_quota = 100K
quota.cat = 1M
publish_to = sqlite:app.db usage
on_over_quota = ./hook.sh over
on_under_quota = ./hook.sh under
CONF

expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once --dry-run
[ ! -e "$WORK/events" ] || fail "dry run ran a hook"
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" --state-dir "$WORK/state" occupancy
grep -q "no occupancy measurement yet" "$WORK/out" || { cat "$WORK/out"; fail "dry run stored"; }

expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once
ann=$(du -s -x -B1 "$WORK/users/ann" | cut -f1)
[ "$(cat "$WORK/events")" = "over over_quota ann $ann 102400" ] ||
  { cat "$WORK/events"; fail "hook not run exactly once for ann"; }
expect_code 0 "$RETENTIONCTL" --state-dir "$WORK/state" ledger
[ "$(grep -c 'occupancy  over_quota  ann' "$WORK/out")" = 1 ] || { cat "$WORK/out"; fail "ledger"; }
for u in ann ben cat; do
  want="$u|$(du -s -x -B1 "$WORK/users/$u" | cut -f1)|$(du -s -x -b "$WORK/users/$u" | cut -f1)"
  got=$(sqlite3 "$WORK/app.db" "SELECT user_id, allocated_bytes, apparent_bytes FROM usage WHERE user_id = '$u'")
  [ "$got" = "$want" ] || fail "published $got, du says $want"
done
expect_code 0 "$RETENTIONCTL" --state-dir "$WORK/state" occupancy --over
grep -q "^ann .*OVER" "$WORK/out" || { cat "$WORK/out"; fail "occupancy --over"; }
grep -q "^ben" "$WORK/out" && fail "ben is not over quota"
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" --state-dir "$WORK/state" report --format html
grep -q "<polyline" "$WORK/out" || fail "no usage chart in the HTML report"
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" --state-dir "$WORK/state" report
grep -q "over quota.*ann" "$WORK/out" || { cat "$WORK/out"; fail "report"; }

rm "$WORK/users/ann/a"
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once
[ "$(tail -1 "$WORK/events")" = "under under_quota ann 4096 102400" ] ||
  { cat "$WORK/events"; fail "no under_quota event"; }
echo "once_occupancy: ok"
