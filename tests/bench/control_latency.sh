#!/usr/bin/env bash
# Benchmark: round-trip latency of io.retentiond.Manager.Status on the control
# socket, p50/p95/p99/max, with the daemon idle and then while its worker runs
# a [files.big] dry run over a directory of N files (RunPolicy on a second
# connection; the scan stats every file). Each phase alternates calls on one
# persistent connection with connect+call+close calls (what retentionctl
# does per command), and `retentionctl status` is timed as a process for
# context. Only calls sent and answered between RunPolicy's send and its
# reply count as "during the run". The goal is p99 <= 5 ms during the run.
# The client is control_latency.py beside this script (Python 3 stdlib);
# options after N go to it (--idle-seconds, --interval-ms, --ctl-runs).
#   usage: tests/bench/control_latency.sh [BUILD_DIR] [N] [HELPER OPTIONS...]
set -euo pipefail
build=${1:-build}
n=${2:-200000}
shift $(($# < 2 ? $# : 2))
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/rtd-bench-XXXXXX)
daemon=
cleanup() {
  if [[ -n $daemon ]]; then
    kill "$daemon" 2>/dev/null || true
    wait "$daemon" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# N fresh files: the daemon's own first run (real, soon after start) finds
# nothing expired, so it deletes nothing and leaves the same tree for the
# dry run measured here.
mkdir -p "$work/big" "$work/state"
(cd "$work/big" && seq -f 'f%07g.tar' 1 "$n" | xargs touch)
printf '[daemon]\nstate_dir = state\ncontrol_socket = control.sock\n[files.big]\nroot = big\nmax_age = 30d\nevery = 1d\n' > "$work/r.conf"
sync

"$build/retentiond" --config "$work/r.conf" 2>"$work/log" &
daemon=$!
echo "files: $n; waiting for the daemon's startup run of files.big (up to 30 s of jitter)"
if ! python3 "$here/control_latency.py" --socket "$work/control.sock" \
    --ctl "$build/retentionctl" --daemon-pid "$daemon" --policy files.big \
    --files "$n" --command "tests/bench/control_latency.sh $build $n" "$@"; then
  echo "daemon log:" >&2
  cat "$work/log" >&2
  exit 1
fi
echo
echo "daemon log, runs of files.big:"
grep 'files\.big ' "$work/log" || true
