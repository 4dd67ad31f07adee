#!/usr/bin/env bash
# Benchmark: expiring files with `retentiond --once` against the cron job it
# replaces, `find ... -mtime +30 -delete`, on identical fresh trees in the
# same run, alternating the two. Two shapes, empty files, half expired:
#   flat:      N files in one directory (default 20,000)
#   recursive: M files in 200 directories (default 200,000)
# retentiond also writes a write-ahead intent (one row per group of 4,096
# deletions, listing each) and a ledger entry for every deletion (SQLite,
# synchronous=FULL, one commit a group), checks each file's identity just
# before unlinking it and the kernel's lock table for flock-held files,
# which find does not; the ratio is what that proof costs. Each run starts
# with a fresh state directory, so a first start's state.db counts too.
# Prints each run with the 1-minute load average, the medians, the ratio of
# medians and the load average.
#   usage: tests/bench/files_expiry.sh [BUILD_DIR] [N] [M] [RUNS]
set -euo pipefail
build=${1:-build}
n=${2:-20000}
m=${3:-200000}
runs=${4:-3}
work=$(mktemp -d /tmp/rtd-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

make_tree() {  # make_tree DIR FILES DIRS: FILES empty files over DIRS dirs
  python3 - "$@" <<'PY'
import os, sys, time
root, files, dirs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
old = time.time() - 100 * 86400
for d in range(dirs):
    sub = root if dirs == 1 else f"{root}/d{d:03d}"
    os.makedirs(sub, exist_ok=True)
    for i in range(files // dirs):
        p = f"{sub}/f{i:06d}.tar"
        open(p, "w").close()
        if i % 2 == 0:
            os.utime(p, (old, old))
PY
}
now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

run_shape() {  # run_shape NAME FILES DIRS RECURSIVE
  local name=$1 files=$2 dirs=$3 rec=$4 i t0 t1 f_ms r_ms
  : > "$work/$name.find"; : > "$work/$name.rtd"
  for i in $(seq "$runs"); do
    rm -rf "$work/f" "$work/r"
    make_tree "$work/f" "$files" "$dirs"
    make_tree "$work/r/data" "$files" "$dirs"
    mkdir -p "$work/r/state"
    printf '[daemon]\nstate_dir = state\ncontrol_socket = control.sock\n[files.data]\nroot = data\nmatch = *.tar\nmax_age = 30d\nrecursive = %s\nmax_delete_fraction = 1\n' "$rec" > "$work/r/r.conf"
    sync
    t0=$(now_ns)
    find "$work/f" -name '*.tar' -type f -mtime +30 -delete
    t1=$(now_ns)
    f_ms=$(( (t1 - t0) / 1000000 ))
    t0=$(now_ns)
    "$build/retentiond" --config "$work/r/r.conf" --once >/dev/null 2>"$work/rtd.log"
    t1=$(now_ns)
    r_ms=$(( (t1 - t0) / 1000000 ))
    left_f=$(find "$work/f" -type f | wc -l)
    left_r=$(find "$work/r/data" -type f | wc -l)
    ledger=$(sqlite3 "$work/r/state/state.db" "SELECT sum(count) FROM ledger WHERE action = 'delete'")
    [ "$left_f" = "$left_r" ] || { echo "kept differ: find $left_f, retentiond $left_r" >&2; exit 1; }
    [ "$ledger" = "$((files / 2))" ] || { echo "ledger counts $ledger, want $((files / 2))" >&2; exit 1; }
    echo "$name run $i: find ${f_ms} ms, retentiond ${r_ms} ms (${ledger} deletions in the ledger; load $(cut -d' ' -f1 /proc/loadavg))"
    echo "$f_ms" >> "$work/$name.find"; echo "$r_ms" >> "$work/$name.rtd"
  done
  local fm rm_
  fm=$(median < "$work/$name.find"); rm_=$(median < "$work/$name.rtd")
  printf '%-9s %7d files, %d expired: find -delete %5d ms, retentiond --once %5d ms, ratio %.2fx (medians of %d)\n' \
    "$name" "$files" "$((files / 2))" "$fm" "$rm_" "$(awk "BEGIN{print $rm_/($fm>0?$fm:1)}")" "$runs" >> "$work/summary"
}

run_shape flat "$n" 1 no
run_shape recursive "$m" 200 yes
echo "---"
cat "$work/summary"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, $(df -T "$work" | awk 'NR==2{print $2}') under $work"
