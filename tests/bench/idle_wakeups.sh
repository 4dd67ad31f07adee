#!/usr/bin/env bash
# Idle cost of many log policies: starts the real daemon with N [logs.*]
# policies (default 50) on quiet files (one short line each, far below the
# cap, compress = zstd), lets it settle, then counts over D seconds
# (default 60: one whole `every` of the default 1m, so that each policy's
# periodic run falls in it) its threads (/proc/PID/task) and its wakeups: the sum of
# voluntary_ctxt_switches over every thread, before and after. Each thread's
# share is printed too, so a thread that polls shows by name.
#
#   tests/bench/idle_wakeups.sh RETENTIOND [BASELINE_RETENTIOND] [N] [D]
#
# With a second binary (main's build, say) both are measured in one run.
# Not part of ctest: it takes D seconds per binary and its figures depend
# on the machine's load (printed with them).
set -euo pipefail
NEW=$(readlink -f "$1")
OLD=${2:+$(readlink -f "$2")}
N=${3:-50}
D=${4:-60}
SETTLE=${SETTLE:-10}

ctxt_sum() {  # voluntary context switches of every thread of $1
  local sum=0 f v
  for f in /proc/"$1"/task/*/status; do
    v=$(awk '/^voluntary_ctxt_switches/ {print $2}' "$f" 2>/dev/null || echo 0)
    sum=$((sum + ${v:-0}))
  done
  echo "$sum"
}

per_thread() {  # "name:switches" for each thread of $1
  local t
  for t in /proc/"$1"/task/*; do
    printf '%s:%s ' "$(cat "$t/comm" 2>/dev/null)" \
      "$(awk '/^voluntary_ctxt_switches/ {print $2}' "$t/status" 2>/dev/null)"
  done
}

measure() {  # measure LABEL BINARY
  local label=$1 bin=$2 work pid before after threads
  work=$(mktemp -d /tmp/rtd-idle-XXXXXX)
  mkdir -p "$work/state" "$work/logs"
  { printf '[daemon]\nstate_dir = state\ncontrol_socket = control.sock\n'
    local i
    for ((i = 0; i < N; i++)); do
      echo "quiet line $i" > "$work/logs/app$i.log"
      printf '[logs.app%d]\npaths = logs/app%d.log\nmax_file_size = 64M\n' "$i" "$i"
      printf 'max_total_size = 1G\nmax_age = 30d\ncompress = zstd\nmethod = truncate\n'
    done; } > "$work/r.conf"
  "$bin" --config "$work/r.conf" 2> "$work/log" &
  pid=$!
  sleep "$SETTLE"  # the first runs (jittered over a few seconds) are done
  before=$(ctxt_sum "$pid")
  sleep "$D"
  after=$(ctxt_sum "$pid")
  threads=$(ls /proc/"$pid"/task | wc -l)
  printf '%-9s %3d policies  %3d threads  %6d wakeups in %ds  %6.2f wakeups/s\n' \
    "$label" "$N" "$threads" $((after - before)) "$D" \
    "$(echo "($after - $before) / $D" | bc -l)"
  [ -n "${VERBOSE:-}" ] && echo "  per thread: $(per_thread "$pid")"
  kill -TERM "$pid"
  wait "$pid" || echo "  ($label exited $?)"
  rm -rf "$work"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
[ -n "$OLD" ] && measure baseline "$OLD"
measure this "$NEW"
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
