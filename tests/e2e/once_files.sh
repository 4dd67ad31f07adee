# --once on a real tree: the dry run lists exactly what the real run then
# deletes; young files, directories, FIFOs and symlink targets survive; the
# ledger records each deletion and verifies.
source "$(dirname "$0")/lib.bash"

mkdir -p "$WORK"/{state,backups,outside}
old() { touch -h -d "-$2 days" "$1"; }
for n in a b c; do echo $n > "$WORK/backups/$n.tar"; old "$WORK/backups/$n.tar" 100; done
echo young > "$WORK/backups/young.tar"; old "$WORK/backups/young.tar" 5
echo keep > "$WORK/outside/target.tar"
ln -s ../outside/target.tar "$WORK/backups/link.tar"; old "$WORK/backups/link.tar" 100
mkdir "$WORK/backups/dir.tar"; old "$WORK/backups/dir.tar" 100
mkfifo "$WORK/backups/fifo.tar"; old "$WORK/backups/fifo.tar" 100
files_config backups 'match = *.tar'

expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once --dry-run
for n in a b c link; do
  grep -q "would delete $WORK/backups/$n.tar" "$WORK/out" || { cat "$WORK/out"; fail "$n not planned"; }
  [ -e "$WORK/backups/$n.tar" ] || [ -L "$WORK/backups/$n.tar" ] || fail "dry run removed $n"
done
grep -q "young" "$WORK/out" && fail "young file planned"
planned=$(grep -c "would delete" "$WORK/out")

expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once --json
grep -q '"outcome": "ok"' "$WORK/out" || { cat "$WORK/out"; fail "run not ok"; }
for n in a b c link; do [ ! -e "$WORK/backups/$n.tar" ] && [ ! -L "$WORK/backups/$n.tar" ] || fail "$n kept"; done
[ -f "$WORK/backups/young.tar" ] || fail "young file deleted"
[ -d "$WORK/backups/dir.tar" ] || fail "directory deleted"
[ -p "$WORK/backups/fifo.tar" ] || fail "fifo deleted"
[ "$(cat "$WORK/outside/target.tar")" = keep ] || fail "symlink target touched"

expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" ledger
[ "$(grep -c '  files.backups  delete  ' "$WORK/out")" = "$planned" ] ||
  { cat "$WORK/out"; fail "ledger does not hold exactly the planned deletions"; }
expect_code 0 "$RETENTIONCTL" --state-dir "$WORK/state" verify
grep -q "ledger intact" "$WORK/out" || fail "verify"

# Tampering with a recorded deletion is caught.
sqlite3 "$WORK/state/state.db" "UPDATE ledger SET target = '/elsewhere' WHERE seq = 2"
expect_code 1 "$RETENTIONCTL" --state-dir "$WORK/state" verify
grep -q "LEDGER BROKEN at entry 2" "$WORK/out" || { cat "$WORK/out"; fail "tamper not reported"; }

expect_code 64 "$RETENTIOND" --config "$WORK/r.conf" --once --policy nosuch
echo "once_files: ok"
