# 50 [logs.*] policies in one daemon share one compression pool and idle
# on their deadlines. Each log starts over its cap, so every policy rotates
# and queues a compression at once; then: every archive is compressed, the
# daemon has at most cores + a few threads (each policy used to own a
# compressor thread: 54 threads), and every settled policy's next run is
# its next deadline (here the hourly check), not `every` (1m) away.
source "$(dirname "$0")/lib.bash"

N=50
mkdir -p "$WORK"/{state,logs}
{ printf '[daemon]\nstate_dir = state\ncontrol_socket = control.sock\n'
  for ((i = 0; i < N; i++)); do
    printf '[logs.app%d]\npaths = logs/app%d.log\nmax_file_size = 64K\n' "$i" "$i"
    printf 'max_total_size = 10M\ncompress = zstd\nmethod = truncate\n'
  done; } > "$WORK/r.conf"
for ((i = 0; i < N; i++)); do
  seq -f "line %g of a log over its cap" 1 8000 > "$WORK/logs/app$i.log"
done
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --check-config

start_daemon --config "$WORK/r.conf"
wait_for "$WORK/log" "control socket"
deadline=$((SECONDS + 60))
until [ "$(ls "$WORK"/logs/*.zst 2>/dev/null | wc -l)" -ge "$N" ] &&
      [ -z "$(ls "$WORK"/logs/ | grep -v -e '\.zst$' -e '\.log$')" ]; do
  [ $SECONDS -lt $deadline ] || { ls "$WORK/logs"; cat "$WORK/log"; fail "archives not all compressed"; }
  sleep 0.2
done

threads=$(ls /proc/"$pid"/task | wc -l)
limit=$(( $(nproc) + 6 ))
[ "$threads" -le "$limit" ] || fail "$threads threads with $N log policies (at most $limit)"

# A second run of each policy settles it (the first one rotated): queue it
# at once, then every policy's next run is at least ten minutes away.
for ((i = 0; i < N; i++)); do
  expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" run "logs.app$i"
done
deadline=$((SECONDS + 60))
far() {
  "$RETENTIONCTL" --config "$WORK/r.conf" policies --json | python3 -c '
import json, sys, datetime
now = datetime.datetime.now(datetime.timezone.utc)
policies = [p for p in json.load(sys.stdin)["policies"] if p["id"].startswith("logs.")]
near = [p["id"] for p in policies if p["state"] != "idle" or
        datetime.datetime.fromisoformat(p["next_run"].replace("Z", "+00:00")) - now
        < datetime.timedelta(minutes=10)]
print(len(policies), " ".join(near))
sys.exit(0 if len(policies) == '"$N"' and not near else 1)'
}
until far > "$WORK/far" 2>&1; do
  [ $SECONDS -lt $deadline ] || { cat "$WORK/far" "$WORK/log"; fail "policies still due within 10 minutes"; }
  sleep 0.5
done
kill -TERM "$pid"; wait "$pid" || fail "daemon exit $?"
echo "logs_many_policies: ok ($threads threads)"
