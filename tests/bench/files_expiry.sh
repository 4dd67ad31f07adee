#!/usr/bin/env bash
# Benchmark: expiring N files with `retentiond --once` against the cron job
# it replaces, `find ROOT -maxdepth 1 -name '*.tar' -mtime +30 -delete`, on
# identical trees in the same run. Half the files are expired. retentiond
# also writes one ledger entry per deletion (SQLite, synchronous=FULL), which
# find does not; the ratio shows what that proof costs.
#   usage: tests/bench/files_expiry.sh [BUILD_DIR] [N]
set -euo pipefail
build=${1:-build}
n=${2:-20000}
work=$(mktemp -d /tmp/rtd-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

make_tree() {  # make_tree DIR: N files, every other one 100 days old
  mkdir -p "$1"
  (cd "$1" && seq 1 "$n" | xargs touch && seq 1 2 "$n" | xargs touch -d "-100 days")
  (cd "$1" && for f in *; do mv "$f" "$f.tar"; done)
}
now_ns() { date +%s%N; }

make_tree "$work/find"
make_tree "$work/rtd/data"
mkdir -p "$work/rtd/state"
printf '[daemon]\nstate_dir = state\n[files.data]\nroot = data\nmatch = *.tar\nmax_age = 30d\nmax_delete_fraction = 1\n' > "$work/rtd/r.conf"
sync

t0=$(now_ns)
find "$work/find" -maxdepth 1 -name '*.tar' -mtime +30 -delete
t1=$(now_ns)
"$build/retentiond" --config "$work/rtd/r.conf" --once >/dev/null 2>"$work/rtd.log"
t2=$(now_ns)

left_find=$(ls "$work/find" | wc -l)
left_rtd=$(ls "$work/rtd/data" | wc -l)
entries=$("$build/retentionctl" --state-dir "$work/rtd/state" ledger | grep -c ' delete ')
find_ms=$(( (t1 - t0) / 1000000 ))
rtd_ms=$(( (t2 - t1) / 1000000 ))
echo "files: $n, expired: $((n / 2)), kept: find $left_find, retentiond $left_rtd, ledger entries: $entries"
echo "find -delete:       ${find_ms} ms"
echo "retentiond --once:  ${rtd_ms} ms  ($(awk "BEGIN{printf \"%.1f\", $rtd_ms/($find_ms>0?$find_ms:1)}")x find)"
