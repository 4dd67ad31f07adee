# Erasure receipts with the real binaries: after `retentiond --once` purges
# account 1, `retentionctl receipt 1` prints its receipt (dates, bytes,
# files, rows per table, the date its last backup expires by under
# backups_policy); `--json` is the signed document, which `openssl pkeyutl
# -verify -rawin` accepts under `retentionctl key` and rejects once one
# field is changed. An account never purged exits 66; a copy of the state
# directory without the configuration gives a receipt without the backups
# date that verifies too; a backups_policy naming no files policy is a
# configuration error. The demo's purged account (erin) gets a receipt
# that verifies too.
source "$(dirname "$0")/lib.bash"

mkdir -p "$WORK"/{state,users/1/docs,users/2,backups}
now=$(date -u +%s)
day=86400
{ accounts_schema; cat <<SQL; } | sqlite3 "$WORK/app.db" > /dev/null
INSERT INTO users VALUES (1, 'a@example.com', $now - 31 * $day),
  (2, 'b@example.com', NULL);
INSERT INTO sessions (user_id) VALUES (1), (1), (2);
INSERT INTO usage_events (user_id) VALUES (1), (1), (1), (2);
SQL
head -c 3000 /dev/zero > "$WORK/users/1/docs/a.bin"
head -c 1096 /dev/zero > "$WORK/users/1/b.bin"
{ printf '[daemon]\nstate_dir = state\ncontrol_socket = control.sock\n'
  printf '[files.backups]\nroot = backups\nmax_age = 90d\n'
  accounts_section
  echo "backups_policy = files.backups"; } > "$WORK/r.conf"
ctl() { "$RETENTIONCTL" --config "$WORK/r.conf" "$@"; }

# A backups_policy that names no files policy is refused, naming the line.
sed 's/^backups_policy = .*/backups_policy = files.nothing/' "$WORK/r.conf" > "$WORK/bad.conf"
expect_code 78 "$RETENTIOND" --config "$WORK/bad.conf" --check-config
grep -q "bad.conf:14: \[accounts\] backups_policy: names no configured policy" "$WORK/err" \
  || fail "bad backups_policy: $(cat "$WORK/out" "$WORK/err")"

expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once
[ ! -e "$WORK/users/1" ] || fail "account 1 not purged"

expect_code 0 ctl receipt 1
cat "$WORK/out"
grep -q "^Erasure receipt for account 1$" "$WORK/out" || fail "no title"
grep -q "removed  *4.0 KiB in 2 files" "$WORK/out" || fail "bytes or files"
grep -q "rows  *sessions 2, usage_events 3; account row deleted" "$WORK/out" || fail "rows"
want_backup=$(date -u -d "@$(( $(sqlite3 "$WORK/state/state.db" \
  "SELECT time_ns / 1000000000 FROM ledger WHERE action = 'purge'") + 90 * day ))" +%Y-%m-%d)
grep -q "all expired by $want_backup" "$WORK/out" || fail "backups date, want $want_backup"
grep -q "a@example.com" "$WORK/out" && fail "personal data in the receipt"

expect_code 0 ctl receipt 1 --json
cp "$WORK/out" "$WORK/receipt.json"
grep -q "a@example.com" "$WORK/receipt.json" && fail "personal data in the JSON receipt"
ctl key > "$WORK/key.pub"
fingerprint="SHA256:$(openssl pkey -pubin -in "$WORK/key.pub" -outform DER | sha256sum | cut -d' ' -f1)"

# check_receipt FILE: verifies FILE's signature with openssl, as the person
# who received it would, and checks the fingerprint it names.
check_receipt() {
  python3 -c '
import base64, json, sys
r = json.load(open(sys.argv[1])); sig = r.pop("sig")
open(sys.argv[2], "w").write(json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
open(sys.argv[3], "wb").write(base64.b64decode(sig))
print(r["key"])' "$1" "$WORK/msg" "$WORK/sig" > "$WORK/named_key"
  [ "$(cat "$WORK/named_key")" = "$fingerprint" ] || fail "the receipt names key $(cat "$WORK/named_key"), want $fingerprint"
  openssl pkeyutl -verify -pubin -inkey "$WORK/key.pub" -rawin -in "$WORK/msg" -sigfile "$WORK/sig" >/dev/null 2>&1
}
check_receipt "$WORK/receipt.json" || fail "openssl does not verify the receipt under retentionctl key"
python3 - "$WORK/receipt.json" <<'EOP'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["account"] == "1" and r["files"] == 2 and r["bytes"] == 4096, r
assert r["rows"] == {"sessions": 2, "usage_events": 3}, r
assert r["backups_policy"] == "files.backups" and r["seq"] > 0, r
EOP
seq=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seq"])' "$WORK/receipt.json")
hash=$(sqlite3 "$WORK/state/state.db" "SELECT hash FROM ledger WHERE seq = $seq")
grep -q "\"entry_hash\":\"$hash\"" "$WORK/receipt.json" || fail "entry_hash is not the ledger's"

# Tampered: fewer rows claimed, or a later purge date: openssl says no.
sed 's/"usage_events":3/"usage_events":30/' "$WORK/receipt.json" > "$WORK/tampered.json"
check_receipt "$WORK/tampered.json" && fail "a tampered receipt verifies"
sed 's/"bytes":4096/"bytes":1/' "$WORK/receipt.json" > "$WORK/tampered.json"
check_receipt "$WORK/tampered.json" && fail "a tampered receipt verifies"

# Never purged, unknown, or no account given.
expect_code 66 ctl receipt 2
grep -q "account 2 was never purged" "$WORK/err" || fail "$(cat "$WORK/err")"
expect_code 66 ctl receipt 99
expect_code 64 ctl receipt

# Offline on a copy of the state directory, without the configuration.
cp -a "$WORK/state" "$WORK/copy"
expect_code 0 "$RETENTIONCTL" --state-dir "$WORK/copy" --json receipt 1
grep -q backups "$WORK/out" && fail "a backups date without the configuration"
cp "$WORK/out" "$WORK/copy.json"
check_receipt "$WORK/copy.json" || fail "the copy's receipt does not verify"
rm "$WORK/copy/checkpoint.key"
expect_code 66 "$RETENTIONCTL" --state-dir "$WORK/copy" receipt 1
grep -q "signing key" "$WORK/err" || fail "$(cat "$WORK/err")"
[ ! -e "$WORK/copy/checkpoint.key" ] || fail "receipt created a key"
# The demo's purged account (erin, marked deleted 31 days ago): its receipt
# after the demo's first run verifies under the demo's key.
demo_workspace
expect_code 0 "$RETENTIOND" --config "$WORK/demo.conf" --once
ctl() { "$RETENTIONCTL" --config "$WORK/demo.conf" "$@"; }
expect_code 0 ctl --json receipt erin
cp "$WORK/out" "$WORK/erin.json"
ctl key > "$WORK/key.pub"
fingerprint="SHA256:$(openssl pkey -pubin -in "$WORK/key.pub" -outform DER | sha256sum | cut -d' ' -f1)"
check_receipt "$WORK/erin.json" || fail "openssl does not verify erin's receipt"
python3 - "$WORK/erin.json" <<'EOP'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["account"] == "erin" and r["files"] > 0 and r["rows"], r
EOP
grep -q "erin@example.com" "$WORK/erin.json" && fail "erin's email in her receipt"
expect_code 66 ctl receipt frank
echo "receipt: ok"
