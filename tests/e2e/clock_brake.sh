# The clock brake through the real binaries. The wall clock of this machine
# cannot be moved in a test, so the previous run's recorded wall time is
# moved back a year instead: to the next run that is the wall clock having
# jumped +1y against the boot clock. The run deletes nothing and exits 75
# until `retentionctl confirm-clock`; the ledger records both. A
# confirm-clock given while no brake is engaged says so and leaves nothing
# behind, so it cannot release the brake that comes later.
source "$(dirname "$0")/lib.bash"

mkdir -p "$WORK"/{state,data}
files_config data
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once   # the baseline run
expect_code 1 "$RETENTIONCTL" --config "$WORK/r.conf" confirm-clock
grep -qx "retentionctl: no clock brake is engaged; nothing to confirm" "$WORK/err" || { cat "$WORK/out" "$WORK/err"; fail "confirmed nothing as if something"; }
[ ! -e "$WORK/state/confirm-clock" ] || fail "a confirmation with nothing engaged was left behind"
sqlite3 "$WORK/state/state.db" \
  "UPDATE runs SET started_ns = started_ns - 365*86400*1000000000 WHERE id = (SELECT max(id) FROM runs)"
echo old > "$WORK/data/old"; touch -d "-100 days" "$WORK/data/old"

expect_code 75 "$RETENTIOND" --config "$WORK/r.conf" --once
grep -q "files.data: braked" "$WORK/err" || { cat "$WORK/err"; fail "not braked"; }
grep -q "wall clock moved +1y" "$WORK/err" || { cat "$WORK/err"; fail "reason not given"; }
[ -e "$WORK/data/old" ] || fail "deleted while braked"

# A dry run still shows the plan, and says the brake is engaged.
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once --dry-run
grep -q "would delete $WORK/data/old" "$WORK/out" || fail "dry run plan missing"
grep -q "clock brake engaged" "$WORK/out" || { cat "$WORK/out"; fail "dry run hides the brake"; }

expect_code 75 "$RETENTIOND" --config "$WORK/r.conf" --once   # still engaged
[ -e "$WORK/data/old" ] || fail "deleted by the second run after the jump"
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" confirm-clock
grep -q "clock confirmed; the clock brake engaged at .* is released at the next run" "$WORK/out" || { cat "$WORK/out"; fail "confirmation message"; }
grep -q "^brake-since-ns [0-9]*$" "$WORK/state/confirm-clock" || { cat "$WORK/state/confirm-clock"; fail "confirmation does not name the brake"; }
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once
[ ! -e "$WORK/data/old" ] || fail "not deleted after confirmation"
[ ! -e "$WORK/state/confirm-clock" ] || fail "confirmation file left behind"

expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" ledger
grep -q "  daemon  brake  clock  (wall clock moved +1y" "$WORK/out" || { cat "$WORK/out"; fail "no brake entry"; }
grep -q "  daemon  confirm-clock  clock" "$WORK/out" || fail "no confirmation entry"
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" verify
echo "clock_brake: ok"
