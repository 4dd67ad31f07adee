# --once on a real tree with recursive = yes and remove_empty_dirs = yes:
# the dry run lists exactly what the real run deletes (same targets, same
# order), at every depth; emptied old directories go after their contents,
# young ones and the root stay; a symlinked directory is removed as a link,
# never entered; an excluded directory is not entered; a FIFO stays.
source "$(dirname "$0")/lib.bash"

mkdir -p "$WORK"/{state,outside}
mkdir -p "$WORK/tree/a/b/c" "$WORK/tree/keep/x" "$WORK/tree/young-empty" "$WORK/tree/mixed"
old() { touch -h -d "-$2 days" "$1"; }
echo 1 > "$WORK/tree/a/one"
echo 2 > "$WORK/tree/a/b/two"
echo 3 > "$WORK/tree/a/b/c/three"
echo 4 > "$WORK/tree/keep/x/four"
echo 5 > "$WORK/tree/mixed/old"
echo 6 > "$WORK/tree/mixed/young"
echo secret > "$WORK/outside/secret"
ln -s ../outside "$WORK/tree/link"
mkfifo "$WORK/tree/a/fifo-elsewhere" && mv "$WORK/tree/a/fifo-elsewhere" "$WORK/tree/mixed/fifo"
for f in a/one a/b/two a/b/c/three keep/x/four mixed/old link mixed/fifo; do old "$WORK/tree/$f" 100; done
old "$WORK/outside/secret" 100
old "$WORK/tree/mixed/young" 1
for d in a/b/c a/b a keep/x keep mixed; do old "$WORK/tree/$d" 100; done
files_config tree 'recursive = yes' 'remove_empty_dirs = yes' 'exclude = keep' 'max_delete_fraction = 1'

expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once --dry-run
grep "would delete" "$WORK/out" | sed 's/^.*would delete \([^ ]*\) .*$/\1/' > "$WORK/planned"
cat > "$WORK/want" <<EOF
$WORK/tree/a/b/c/three
$WORK/tree/a/b/c
$WORK/tree/a/b/two
$WORK/tree/a/b
$WORK/tree/a/one
$WORK/tree/a
$WORK/tree/mixed/old
$WORK/tree/link
EOF
sort "$WORK/planned" > "$WORK/planned.sorted"
sort "$WORK/want" > "$WORK/want.sorted"
cmp -s "$WORK/planned.sorted" "$WORK/want.sorted" ||
  { diff "$WORK/want.sorted" "$WORK/planned.sorted"; cat "$WORK/out"; fail "dry run planned the wrong set"; }
[ -f "$WORK/tree/a/b/c/three" ] || fail "dry run deleted"

expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" ledger
grep '  files.tree  delete  ' "$WORK/out" | awk '{print $5}' > "$WORK/deleted"
cmp -s "$WORK/planned" "$WORK/deleted" ||
  { diff "$WORK/planned" "$WORK/deleted"; fail "the real run did not delete exactly the dry run's list, in its order"; }
# Every directory after what it held.
line() { grep -n -x "$1" "$WORK/deleted" | cut -d: -f1; }
[ "$(line "$WORK/tree/a/b/c/three")" -lt "$(line "$WORK/tree/a/b/c")" ] || fail "c before its file"
[ "$(line "$WORK/tree/a/b")" -lt "$(line "$WORK/tree/a")" ] || fail "a before b"
[ ! -e "$WORK/tree/a" ] || fail "a kept"
[ -d "$WORK/tree" ] || fail "root removed"
[ -d "$WORK/tree/young-empty" ] || fail "young empty directory removed"
[ -f "$WORK/tree/mixed/young" ] && [ -p "$WORK/tree/mixed/fifo" ] || fail "mixed lost its young file or FIFO"
[ -f "$WORK/tree/keep/x/four" ] || fail "excluded directory entered"
[ ! -L "$WORK/tree/link" ] || fail "old symlink kept"
[ "$(cat "$WORK/outside/secret")" = secret ] || fail "symlink target touched"
echo "once_files_recursive: ok"
