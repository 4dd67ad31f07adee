# [logs.NAME] end to end. A writer appends numbered lines at 5 MB/s to a
# log capped at 1M: the running daemon rotates it on inotify, each archive
# compressed with zstd, and the archives plus the live file hold every line
# exactly once — with method truncate (collapse) and with method reopen
# (rename, create, SIGUSR1 to the writer, compress once it let go). Each
# archive read on its own holds whole lines, and `ls` lists the archives in
# time order. Then --once on a set over its budget: the dry run
# lists exactly what the real run rotates and deletes, and the real run
# brings the set within max_total_size, every action in the ledger.
source "$(dirname "$0")/lib.bash"
LOG_WRITER=$(dirname "$RETENTIOND")/log_writer
[ -x "$LOG_WRITER" ] || fail "no $LOG_WRITER (build the log_writer target)"

# lossless METHOD [KEY_LINES]: the daemon and the writer on $WORK/METHOD.
lossless() {
  local method=$1 extra=${2:-} dir=$WORK/$1
  mkdir -p "$dir"/{state,logs}
  cat > "$dir/r.conf" <<CONF
[daemon]
state_dir = state
# Each rotation's own line (with its reason) is at debug level.
log_level = debug
control_socket = control.sock
[logs.app]
paths = logs/app.log
max_file_size = 1M
max_total_size = 1G
method = $method
$extra
every = 1h
CONF
  start_daemon --config "$dir/r.conf"
  wait_for "$WORK/log" "control socket"
  "$LOG_WRITER" write "$dir/logs/app.log" 5 3 > "$dir/written"
  # The last compressions finish shortly after the writer stops; a last
  # rotation may still start then, and its chase waits for the stopped
  # writer (twice the rotation time, over a second on a loaded machine)
  # before it cuts. So wait for a whole second with no run running or
  # queued and every archive compressed (at most 30 s).
  local settled=0
  for _ in $(seq 300); do
    if ls "$dir"/logs/app.log-* 2>/dev/null | grep -qv '\.zst$' ||
      ! "$RETENTIONCTL" --config "$dir/r.conf" --json status > "$dir/status" ||
      ! grep -q '"queued": \[\]' "$dir/status" ||
      ! grep -q '"running": null' "$dir/status"; then
      settled=0
    else
      settled=$((settled + 1))
      [ "$settled" -ge 10 ] && break
    fi
    sleep 0.1
  done
  local rotations
  rotations=$(grep -c "logs.app: rotate " "$WORK/log" || true)
  [ "$rotations" -ge 5 ] || { cat "$WORK/log"; fail "$method: only $rotations rotations"; }
  ls "$dir"/logs/app.log-* | grep -qv '\.zst$' && { ls -l "$dir/logs"; fail "$method: uncompressed archives left"; }
  # Archives in (timestamp, sequence) order, then the fragment of a line
  # a truncate rotation carries into the next archive, then the live file.
  "$LOG_WRITER" order "$dir/logs" app.log > "$dir/order"
  # Names in `ls` order are in time order.
  (cd "$dir/logs" && LC_ALL=C ls -1 app.log-*) | sed "s|^|$dir/logs/|" > "$dir/ls"
  cmp -s "$dir/order" "$dir/ls" || { diff "$dir/order" "$dir/ls"; fail "$method: ls order is not time order"; }
  # Each archive read on its own holds whole lines, and follows the one
  # before it in ls order.
  local last=-1 f whole first
  while read -r f; do
    whole=$(zstd -dcq "$f" | "$LOG_WRITER" lines) || fail "$method: $f: $whole"
    first=$(echo "$whole" | awk '{ print $4 }')
    [ "$first" -gt "$last" ] || fail "$method: $f starts at line $first, not after $last"
    last=$(echo "$whole" | awk '{ print $6 }')
  done < "$dir/ls"
  { while read -r f; do zstd -dcq "$f"; done < "$dir/order"
    cat "$dir/logs/.app.log.rtd-carry" 2>/dev/null || true
    cat "$dir/logs/app.log"; } |
    "$LOG_WRITER" check > "$dir/check" || { cat "$dir/check"; fail "$method: lines lost or duplicated"; }
  grep -q "^lines $(cat "$dir/written") missing 0 duplicated 0 nul_bytes 0" "$dir/check" ||
    { cat "$dir/check" "$dir/written"; fail "$method: not every line archived"; }
  expect_code 0 "$RETENTIONCTL" --config "$dir/r.conf" metrics
  grep -q "^retentiond_log_rotations_total{policy=\"logs.app\"} $rotations$" "$WORK/out" ||
    { grep log_ "$WORK/out"; fail "$method: rotation metric"; }
  kill -TERM "$pid"; wait "$pid" || fail "$method: daemon exit $?"
}
lossless truncate
lossless reopen "reopen_signal = USR1
pid_file = logs/app.log.pid"

# Over budget: 4 uncompressed archives of 1M and a live file of 1.5M with
# max_total_size 3M. The dry run plans the rotation and the deletions.
mkdir -p "$WORK/b/state" "$WORK/b/logs"
for i in 1 2 3 4; do
  head -c 1048576 /dev/zero | tr '\0' 'a' > "$WORK/b/logs/web.log-2026010${i}T000000Z"
done
head -c 1572864 /dev/zero | tr '\0' 'b' > "$WORK/b/logs/web.log"
cat > "$WORK/b/r.conf" <<CONF
[daemon]
state_dir = state
[logs.web]
paths = logs/web.log
max_file_size = 1M
max_total_size = 3M
compress = none
CONF
expect_code 0 "$RETENTIOND" --config "$WORK/b/r.conf" --once --dry-run
grep -q "logs.web: would rotate $WORK/b/logs/web.log" "$WORK/out" || { cat "$WORK/out"; fail "dry run: no rotate"; }
grep "would delete" "$WORK/out" | sed 's/  (.*//' > "$WORK/planned"
[ "$(wc -l < "$WORK/planned")" -ge 2 ] || { cat "$WORK/out"; fail "dry run: deletions"; }
[ -e "$WORK/b/logs/web.log-20260101T000000Z" ] || fail "dry run deleted"
expect_code 0 "$RETENTIOND" --config "$WORK/b/r.conf" --once
while read -r line; do
  f=${line##* }
  [ ! -e "$f" ] || fail "planned deletion of $f not done"
done < "$WORK/planned"
total=$(du -cb "$WORK"/b/logs/web.log* | tail -1 | cut -f1)
[ "$total" -le 3145728 ] || { ls -l "$WORK/b/logs"; fail "set is $total bytes, over 3M"; }
expect_code 0 "$RETENTIONCTL" --state-dir "$WORK/b/state" ledger
grep -q "  logs.web  rotate  " "$WORK/out" || { cat "$WORK/out"; fail "no rotate in the ledger"; }
grep -q "  logs.web  delete  " "$WORK/out" || { cat "$WORK/out"; fail "no delete in the ledger"; }
# The report shows what the set holds against its budget.
expect_code 0 "$RETENTIONCTL" --config "$WORK/b/r.conf" --state-dir "$WORK/b/state" report
# (80 columns: the line may wrap, so it is read as one.)
tr '\n' ' ' < "$WORK/out" |
  grep -Eq "left: [0-9]+ items?[^;]*; with live files [0-9.]+ (B|KiB|MiB) of +budget +3.0 MiB" ||
  { cat "$WORK/out"; fail "report: no bytes against the budget"; }
echo "logs_rotation: ok"
