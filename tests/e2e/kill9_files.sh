# kill -9 at random points of [files] runs, each followed by a restart,
# until 20 runs were killed mid-deletion: after a last clean run the
# ledger's deletions add up exactly to the files that are gone, no young
# file is lost, and verify passes (write-ahead intents, recovered at each
# start).
source "$(dirname "$0")/lib.bash"

files_config data 'max_delete_fraction = 1'
# make_old FIRST COUNT: expired files old<FIRST>.. (40 days old).
make_old() {
  python3 - "$WORK/data" "$1" "$2" <<'PY'
import os, sys, time
root, first, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
old = time.time() - 40 * 86400
for i in range(first, first + n):
    p = f"{root}/old{i:06d}"
    open(p, "w").close()
    os.utime(p, (old, old))
PY
}
N=10000
make_old 0 "$N"
for i in $(seq 100); do : > "$WORK/data/young$(printf %03d "$i")"; done

# Each run is killed once it has removed a random share (up to 1/20) of
# what is left (kill_mid_run, lib.bash). The count is unsorted
# (ls -f, minus . and ..) to be quick: a run removes some 40 files a
# millisecond, and each kill lands as late as the count is slow.
count() { echo $(( $(ls -f "$WORK/data" | wc -l) - 2 )); }
# More expired files are made when fewer than 1,200 are left (kill_mid_run).
refill() {
  if [ "$(count)" -lt 1300 ]; then
    make_old "$N" 5000
    N=$((N + 5000))
  fi
}
kill_mid_run 20 80 20 0.005 count refill
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once

left_old=$(ls "$WORK/data" | grep -c '^old' || true)
left_young=$(ls "$WORK/data" | grep -c '^young' || true)
gone=$((N - left_old))
ledgered=$(sqlite3 "$WORK/state/state.db" "SELECT coalesce(sum(count), 0) FROM ledger WHERE policy = 'files.data' AND action = 'delete'")
open=$(sqlite3 "$WORK/state/state.db" "SELECT count(*) FROM intents")
recovered=$(sqlite3 "$WORK/state/state.db" "SELECT count(*) FROM ledger WHERE detail LIKE '%recorded at recovery%'")
echo "killed mid-deletion $KILLED of $ROUNDS runs, $N files made; gone $gone, in the ledger $ledgered ($recovered recorded at recovery); open intents $open"
[ "$left_young" = 100 ] || fail "young files lost: $left_young of 100 left"
[ "$gone" = "$ledgered" ] || fail "gone $gone but the ledger counts $ledgered"
[ "$open" = 0 ] || fail "$open intents left open"
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" verify
echo "kill9_files: ok"
