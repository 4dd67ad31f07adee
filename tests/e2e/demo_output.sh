# What a newcomer sees: the quick-start demo's first 60 seconds
# (tests/demo/run-demo.sh on config/demo.conf, its paths moved into a temp
# dir) print at most 40 lines, one per run that did something, each a
# sentence in the kind's units: no per-item lines (debug), no line for a run
# that did nothing, no raw seconds, no "0 of 0 done", no "4M"-style units.
source "$(dirname "$0")/lib.bash"

BUILD=$(dirname "$RETENTIOND")
[ -x "$BUILD/log_writer" ] || fail "no $BUILD/log_writer (build the log_writer target)"
sed -e "s|\.\./build/demo/|$WORK/demo/|g" -e "s|\.\./build/demo\b|$WORK/demo|g" \
    -e "s|\.\./tests/demo/|$SRC/tests/demo/|g" \
    "$SRC/config/demo.conf" > "$WORK/demo.conf"
out=$WORK/demo.out
timeout -s INT 60 "$SRC/tests/demo/run-demo.sh" "$BUILD" "$SRC" \
  "$WORK/demo" "$WORK/demo.conf" > "$out" 2>&1 &
demo=$!
# While it runs: status and the report fit 80 columns (the ledger listing
# wraps only on a terminal).
wait_for "$out" "rows.analytics: deleted" 50
ctl() { "$RETENTIONCTL" --config "$WORK/demo.conf" "$@"; }
ctl status > "$WORK/status.txt" || fail "status"
ctl report > "$WORK/report.txt" || fail "report"
grep -q "^files.backups: Nightly backups are kept 90 days.$" "$WORK/status.txt" ||
  { cat "$WORK/status.txt"; fail "status: no description"; }
grep -q "^verdict: [0-9] of [0-9] promises kept" "$WORK/report.txt" ||
  { cat "$WORK/report.txt"; fail "report: no verdict"; }
for f in status report; do
  python3 - "$WORK/$f.txt" <<'PY' || { cat "$WORK/$f.txt"; fail "$f: a line over 80 columns"; }
import sys
long = [l for l in open(sys.argv[1], encoding="utf-8").read().splitlines() if len(l) > 80]
for l in long: print("%d columns: %s" % (len(l), l))
sys.exit(1 if long else 0)
PY
done
wait "$demo" || true
lines=$(wc -l < "$out")
echo "the demo's first 60 s printed $lines lines:"
cat "$out"
[ "$lines" -le 40 ] || fail "$lines lines in 60 s, more than 40"
# The demo did its work, and said so once per run.
for want in "files.backups: deleted 5 files" "files.exports: deleted 2 files" \
            "rows.analytics: deleted 1,772 rows \(oldest .* past its limit\)" \
            "accounts: purged account erin \(" \
            "occupancy: measured [56] users; carol over quota" \
            "logs.app: rotated app.log-[0-9TZ]* \([0-9.]* MiB → [0-9.]* [KM]?i?B zst\)" \
            "stopped"; do
  grep -Eq "$want" "$out" || fail "no line says '$want'"
done
# Each rotation said once, when its compression ended (with both sizes).
dup=$(grep -o "rotated app.log-[0-9TZ]*" "$out" | sort | uniq -d)
[ -z "$dup" ] || fail "a rotation said twice: $dup"
# No per-item lines, no noise, human units only.
! grep -E "logs.app: (rotate|compress) /|lateness [0-9]+s|[0-9]+ of [0-9]+ done|, 0 bytes|[0-9](K|M|G)\b|nothing to do" "$out" ||
  fail "noise or raw units in the demo's output"
# Each line reads as a sentence: at most 100 characters after the time and
# level, once the temp dir's name is taken out.
sed -e 's/^[0-9-]* [0-9:.]* [a-z]* //' -e "s|$WORK/||g" "$out" |
  awk 'length > 100 { print "too long: " $0; bad = 1 } END { exit bad }' ||
  fail "a line longer than 100 characters"
echo "demo_output: ok ($lines lines)"
