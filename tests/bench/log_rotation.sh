#!/usr/bin/env bash
# Benchmark: retentiond's [logs] rotation against logrotate copytruncate on
# the same writer, in one run. The writer (log_writer) appends numbered
# 100-byte lines with O_APPEND at RATE MB/s for SECONDS; the cap is CAP.
#   logrotate: `size CAP`, copytruncate, run every second from a loop, as a
#              cron-less best case (cron itself runs at most once a minute).
#   retentiond: [logs.bench] max_file_size = CAP, method = truncate (copy the
#              head, collapse it off the live file), compress = zstd on its
#              own thread, triggered by inotify.
# The lines' padding is random letters (incompressible) unless LINES=x.
# For each it prints the largest live size seen (sampled every 1 ms) and
# when (local time, as the daemon's log at LOG_LEVEL=debug and KEEP=1), the
# overshoot against the cap (p100), the archive sizes as % of the cap
# (min / median / max), the 10 ms samples of the whole set's size (every
# file in the log directory) over the budget BUDGET, and the lines lost or
# duplicated (archives in order, the carry, then the live file, checked
# line by line from the first line left: the budget deletes the oldest). logrotate keeps BUDGET / CAP - 1 archives (`rotate K`),
# its nearest equivalent of a byte budget.
# Needs logrotate and zstd (apt-get install logrotate zstd). KEEP=1 keeps
# the work directory (each run's ledger.json, log, r.conf) for a look.
# Load beside it, started 30 s before and stopped after: CPU_HOGS=N busy
# loops (`yes > /dev/null`); DISK_HOG=1 a loop of `dd` writing 512 MiB with
# conv=fsync beside the work directory (each commit of the rotations then
# waits behind it). The load averages at the start and the end are printed.
# METHODS="logrotate reopen truncate" (the default) picks what is run;
# LOG_LEVEL=debug makes retentiond say each rotation's times (KEEP=1 keeps
# its log).
#   usage: tests/bench/log_rotation.sh [BUILD_DIR] [RATE_MB_S] [SECONDS] [CAP] [BUDGET]
set -euo pipefail
build=${1:-build}
rate=${2:-100}
seconds=${3:-20}
cap=${4:-200M}
budget=${5:-1G}
lines=${LINES:-random}
command -v logrotate >/dev/null || { echo "needs logrotate: apt-get install logrotate" >&2; exit 1; }
work=$(mktemp -d /tmp/rtd-bench-XXXXXX)
daemon=
loop=
hogs=()
cleanup() {
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  [ -n "$loop" ] && kill "$loop" 2>/dev/null
  [ ${#hogs[@]} -gt 0 ] && kill -- "${hogs[@]}" 2>/dev/null
  if [ -n "${KEEP:-}" ]; then echo "kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
for _ in $(seq "${CPU_HOGS:-0}"); do (exec yes > /dev/null) & hogs+=($!); done
if [ -n "${DISK_HOG:-}" ]; then
  # Its own process group (setsid), so that the dd at work goes too.
  setsid bash -c "while :; do dd if=/dev/zero of='$work/disk-hog' bs=4M count=128 conv=fsync status=none; done" &
  hogs+=(-$!)
fi
[ ${#hogs[@]} -gt 0 ] && sleep 30
cap_bytes=$(numfmt --from=iec "$cap")
budget_bytes=$(numfmt --from=iec "$budget")
writer=$build/log_writer

# reached WRITTEN_FILE: the rate the writer reached (a loaded machine may
# keep it under RATE).
reached() { awk -v n="$(cat "$1")" -v s="$seconds" 'BEGIN { printf "%.0f MB/s", n * 100 / s / 1e6 }'; }

# spread BYTES...: min / median / max as % of the cap.
spread() {
  python3 -c 'import sys
c = int(sys.argv[1]); b = sorted(int(x) for x in sys.argv[2:])
print("archives %d, %.1f / %.1f / %.1f%% of cap" % (len(b), 100*b[0]/c, 100*b[len(b)//2]/c, 100*b[-1]/c) if b else "no archives")' "$cap_bytes" "$@"
}

# overshoot MAX: the largest live size as a percentage over the cap.
overshoot() { awk -v m="$1" -v c="$cap_bytes" 'BEGIN { printf "%.2f%%", (m > c ? (m - c) * 100 / c : 0) }'; }

echo "writer: ${rate} MB/s for ${seconds} s, 100-byte lines ($lines padding); cap ${cap}, budget ${budget}; load average $(cut -d' ' -f1-3 /proc/loadavg)${CPU_HOGS:+; $CPU_HOGS CPU hogs}${DISK_HOG:+; a dd fsync loop}"

methods=" ${METHODS:-logrotate reopen truncate} "
# --- logrotate copytruncate ---------------------------------------------
run_logrotate() {
mkdir -p "$work/lr"
cat > "$work/lr/lr.conf" <<CONF
$work/lr/app.log {
  size $cap
  copytruncate
  rotate $((budget_bytes / cap_bytes - 1))
  nocompress
  missingok
}
CONF
touch "$work/lr/app.log"
(while :; do logrotate -s "$work/lr/state" "$work/lr/lr.conf" 2>/dev/null; sleep 1; done) &
loop=$!
"$writer" watch "$work/lr/app.log" "$((seconds + 1))" > "$work/lr/max" &
watch=$!
"$writer" setwatch "$work/lr" "$((seconds + 1))" "$budget_bytes" > "$work/lr/set" &
setwatch=$!
"$writer" write "$work/lr/app.log" "$rate" "$seconds" 100 "$lines" > "$work/lr/written"
wait "$watch" "$setwatch"
kill "$loop"; wait "$loop" 2>/dev/null || true; loop=
n=$(ls "$work"/lr/ | grep -c '^app\.log\.[0-9]*$' || true)
lr_check=$( { for i in $(seq "$n" -1 1); do cat "$work/lr/app.log.$i"; done; cat "$work/lr/app.log"; } | "$writer" check from-first || true)
lr_max=$(cut -d" " -f1 "$work/lr/max")
# shellcheck disable=SC2046
lr_sizes=$(spread $(stat -c %s "$work"/lr/app.log.[0-9]* 2>/dev/null))
echo "logrotate copytruncate (every 1 s): writer $(reached "$work/lr/written"), rotations $n, $lr_sizes, largest live file $lr_max bytes (+$(overshoot "$lr_max")) at $(cut -d" " -f2 "$work/lr/max"), set $(cat "$work/lr/set"), $lr_check"
}
[[ $methods == *" logrotate "* ]] && run_logrotate

# --- retentiond ----------------------------------------------------------
# run_retentiond METHOD EXTRA_KEYS
run_retentiond() {
local method=$1 extra=$2 dir=$work/rtd-$1
mkdir -p "$dir/state" "$dir/logs"
cat > "$dir/r.conf" <<CONF
[daemon]
log_level = ${LOG_LEVEL:-info}
state_dir = state
control_socket = control.sock
[logs.bench]
paths = logs/app.log
max_file_size = $cap
max_total_size = $budget
method = $method
$extra
compress = zstd
every = 1h
CONF
touch "$dir/logs/app.log"
"$build/retentiond" --config "$dir/r.conf" 2>"$dir/log" &
daemon=$!
for _ in $(seq 100); do grep -q "control socket" "$dir/log" && break; sleep 0.05; done
"$writer" watch "$dir/logs/app.log" "$((seconds + 1))" > "$dir/max" &
local watch=$!
"$writer" setwatch "$dir/logs" "$((seconds + 1))" "$budget_bytes" > "$dir/set" &
local setwatch=$!
"$writer" write "$dir/logs/app.log" "$rate" "$seconds" 100 "$lines" > "$dir/written"
wait "$watch" "$setwatch"
# Let the last compressions finish.
for _ in $(seq 600); do
  ls "$dir"/logs/app.log-* 2>/dev/null | grep -qv '\.zst$' || break
  sleep 0.1
done
kill "$daemon"; wait "$daemon" 2>/dev/null || true; daemon=
"$writer" order "$dir/logs" app.log > "$dir/order"
local check max rot comp
check=$( { while read -r f; do case $f in *.zst) zstd -dcq "$f" ;; *) cat "$f" ;; esac; done < "$dir/order"
  cat "$dir/logs/.app.log.rtd-carry" 2>/dev/null || true; cat "$dir/logs/app.log"; } | "$writer" check from-first || true)
max=$(cut -d" " -f1 "$dir/max")
"$build/retentionctl" --state-dir "$dir/state" ledger --json > "$dir/ledger.json"
rot=$(grep -c '"action": *"rotate"' "$dir/ledger.json" || true)
comp=$(grep -c '"action": *"compress"' "$dir/ledger.json" || true)
local sizes
sizes=$(python3 -c 'import json, sys
print(" ".join(str(e["bytes"]) for e in map(json.loads, open(sys.argv[1])) if e["action"] == "rotate"))' "$dir/ledger.json")
# shellcheck disable=SC2086
sizes=$(spread $sizes)
printf 'retentiond %-8s (inotify): writer %s, rotations %s (compressed %s), %s, largest live file %s bytes (+%s) at %s, set %s, %s\n' \
  "$method" "$(reached "$dir/written")" "$rot" "$comp" "$sizes" "$max" "$(overshoot "$max")" "$(cut -d" " -f2 "$dir/max")" "$(cat "$dir/set")" "$check"
}

# reopen: rename, create, SIGUSR1 to the writer (it reopens its file).
[[ $methods == *" reopen "* ]] && run_retentiond reopen "reopen_signal = USR1
pid_file = logs/app.log.pid"
# truncate: copy the head to the archive, collapse it off the live file.
[[ $methods == *" truncate "* ]] && run_retentiond truncate ""
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)${CPU_HOGS:+; $CPU_HOGS CPU hogs}${DISK_HOG:+; a dd fsync loop}"
