# [daemon] keep_free end to end with --once: two log sets on one real
# filesystem, keep_free = 99.9% so that the filesystem is always short. The
# dry run lists every rotated file of set a (oldest first) and nothing of
# set b (held by min_age); the real run deletes exactly that list, never a
# live file, and each deletion is a daemon.keep_free entry in the ledger.
source "$(dirname "$0")/lib.bash"

mkdir -p "$WORK/state" "$WORK/a" "$WORK/b"
for set in a b; do
  for day in 3 1 2; do
    echo "$set $day" > "$WORK/$set/app.log-2026010${day}T000000Z.zst"
  done
  echo live > "$WORK/$set/app.log"
done
cat > "$WORK/r.conf" <<CONF
[daemon]
state_dir = state
keep_free = 99.9%
[logs.a]
paths = a/app.log
max_file_size = 1M
[logs.b]
paths = b/app.log
max_file_size = 1M
min_age = 1000d
CONF

expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once --dry-run
grep "daemon.keep_free: would delete" "$WORK/out" | sed 's/  (.*//; s/.* //' > "$WORK/planned"
printf '%s\n' "$WORK"/a/app.log-2026010{1,2,3}T000000Z.zst > "$WORK/expected"
diff "$WORK/expected" "$WORK/planned" || { cat "$WORK/out"; fail "dry run: not set a's archives, oldest first"; }
grep -q "kept by min_age" "$WORK/out" "$WORK/err" || { cat "$WORK/out" "$WORK/err"; fail "dry run: no min_age warning"; }
[ "$(ls "$WORK"/a | wc -l)" -eq 4 ] || fail "the dry run deleted"

expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once
for f in $(cat "$WORK/planned"); do [ ! -e "$f" ] || fail "$f not deleted"; done
[ "$(ls "$WORK"/b | wc -l)" -eq 4 ] || { ls -l "$WORK/b"; fail "set b lost files under min_age"; }
[ -e "$WORK/a/app.log" ] || fail "a live file was deleted"
expect_code 0 "$RETENTIONCTL" --state-dir "$WORK/state" ledger
[ "$(grep -c "  daemon.keep_free  delete  " "$WORK/out")" -eq 3 ] || { cat "$WORK/out"; fail "ledger: 3 keep_free deletions"; }
grep -q "below keep_free 99.9%" "$WORK/out" || { cat "$WORK/out"; fail "ledger: no reason"; }
echo "keep_free: ok"
