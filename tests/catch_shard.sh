#!/usr/bin/env bash
# Runs shard K of N of a Catch2 test binary's cases in one process: every
# Nth case from the Kth, leaving out those whose names match EXCLUDE (an
# ERE; empty: none). The sanitizer build runs its C++ tests this way
# (CMakeLists.txt): a sanitized process takes ~0.3 s to start and ~950 of
# them, one per case, were half of CI's sanitizer half. It fails unless
# Catch ran exactly the cases of the shard.
#   usage: tests/catch_shard.sh BINARY K N [EXCLUDE]
set -euo pipefail
bin=$1 k=$2 n=$3 exclude=${4:-}
list=$(mktemp)
out=$(mktemp)
trap 'rm -f "$list" "$out"' EXIT
# Catch 2 exits with the number of cases listed. In its test specs a
# backslash escapes , [ ] " * \ and a leading ~.
{ "$bin" --list-test-names-only || true; } |
  awk -v k="$k" -v n="$n" -v ex="$exclude" \
    'NF && (ex == "" || $0 !~ ex) { if (i++ % n == k - 1) print }' |
  sed -e 's/[],["*\\]/\\&/g' -e 's/^~/\\~/' >"$list"
want=$(wc -l <"$list")
[ "$want" -gt 0 ] || { echo "shard $k of $n of $bin is empty" >&2; exit 1; }
rc=0
"$bin" --input-file "$list" >"$out" 2>&1 || rc=$?
cat "$out"
ran=$(grep -Eo '[0-9]+ test cases?\)?$|test cases: +[0-9]+' "$out" | grep -Eo '[0-9]+' | head -1)
[ "$rc" -eq 0 ] || exit "$rc"
[ "${ran:-0}" -eq "$want" ] ||
  { echo "ran ${ran:-no} test cases of the $want in shard $k of $n" >&2; exit 1; }
