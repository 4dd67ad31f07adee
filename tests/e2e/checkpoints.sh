# Signed checkpoints catch what the hash chain cannot: a state.db rolled
# back to an earlier copy, cut at its tail with its head row rewritten,
# rewritten with every later hash recomputed, or swapped for another host's
# all pass plain `verify` and fail `verify --checkpoints`; a checkpoint
# signed by another key is rejected; `retentionctl key` is the key that
# `openssl pkeyutl -verify` accepts a checkpoint under. The checkpoints are
# kept off the state directory by checkpoint_command (tee -a).
source "$(dirname "$0")/lib.bash"

make_host() {  # make_host NAME: $WORK/NAME/{r.conf,data,state}
  local h="$WORK/$1"
  mkdir -p "$h/data" "$h/state"
  cat > "$h/r.conf" <<EOC
[daemon]
state_dir = state
control_socket = control.sock
checkpoint_every = 1s
checkpoint_command = /usr/bin/tee -a $h/checkpoints.jsonl
[files.data]
root = data
max_age = 30d
EOC
}
expired() {  # expired HOST N: N files 40 days old
  local i
  for i in $(seq "$2"); do
    touch -d '40 days ago' "$WORK/$1/data/old-$RANDOM-$i"
  done
}
once() { "$RETENTIOND" --config "$WORK/$1/r.conf" --once >/dev/null 2>>"$WORK/log"; }
ctl() {  # ctl HOST ARG...
  local h=$1; shift
  "$RETENTIONCTL" --config "$WORK/$h/r.conf" --state-dir "$WORK/$h/state" "$@"
}

make_host a
make_host b
expired a 3; once a
cp "$WORK/a/state/state.db" "$WORK/early.db"   # a stopped state: no -wal
expired a 3; once a
expired a 3; once a
# The daemon checkpoints at start, every checkpoint_every and at stop.
start_daemon --config "$WORK/a/r.conf"
for _ in $(seq 100); do
  [ "$(wc -l < "$WORK/a/checkpoints.jsonl")" -ge 6 ] && break; sleep 0.1
done
kill -TERM "$pid"; wait "$pid" || fail "the daemon exited $?"
expired b 2; once b

n=$(wc -l < "$WORK/a/checkpoints.jsonl")
[ "$n" -ge 7 ] || fail "$n checkpoints kept, want >= 7"
[ "$(sqlite3 "$WORK/a/state/state.db" "SELECT count(*) FROM ledger WHERE action = 'checkpoint'")" = "$n" ] \
  || fail "the ledger and checkpoint_command disagree on the count"
ctl a key > "$WORK/a.pub"
cmp -s "$WORK/a.pub" "$WORK/a/state/checkpoint.pub" || fail "retentionctl key differs from checkpoint.pub"
[ "$(stat -c %a "$WORK/a/state/checkpoint.key")" = 600 ] || fail "the private key is not 0600"
cp "$WORK/a.pub" "$WORK/kept.pub"  # the auditor's copy, kept elsewhere

# Intact: both checks pass.
expect_code 0 ctl a verify --checkpoints "$WORK/a/checkpoints.jsonl" --key "$WORK/kept.pub"
grep -q "checkpoints hold: $n checked" "$WORK/out" || fail "$(cat "$WORK/out")"
expect_code 0 ctl a verify --json --checkpoints "$WORK/a/checkpoints.jsonl" --key "$WORK/kept.pub"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["checkpoints"]["ok"] and j["ok"], j' "$WORK/out"

# One checkpoint checked by hand, as an auditor without retentionctl would.
tail -n 1 "$WORK/a/checkpoints.jsonl" | python3 -c '
import base64, json, sys
c = json.loads(sys.stdin.read()); sig = c.pop("sig")
open(sys.argv[1], "w").write(json.dumps(c, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
open(sys.argv[2], "wb").write(base64.b64decode(sig))' "$WORK/msg" "$WORK/sig"
openssl pkeyutl -verify -pubin -inkey "$WORK/kept.pub" -rawin -in "$WORK/msg" -sigfile "$WORK/sig" >/dev/null \
  || fail "openssl does not verify a checkpoint under retentionctl key"

attack() {  # attack NAME: copies host a's state to $WORK/NAME for an attack
  rm -rf "$WORK/$1"; mkdir -p "$WORK/$1"
  cp -a "$WORK/a/state" "$WORK/$1/state"
}
undetected_then_caught() {  # NAME PATTERN
  expect_code 0 "$RETENTIONCTL" --state-dir "$WORK/$1/state" verify
  expect_code 1 "$RETENTIONCTL" --state-dir "$WORK/$1/state" verify \
    --checkpoints "$WORK/a/checkpoints.jsonl" --key "$WORK/kept.pub"
  grep -q "$2" "$WORK/out" || fail "$1: $(cat "$WORK/out")"
}

# 1. Rolled back to an earlier copy.
attack rollback
cp "$WORK/early.db" "$WORK/rollback/state/state.db"
undetected_then_caught rollback "rolled back or cut"

# 2. The tail cut and the head row set to the new last entry.
attack cut
sqlite3 "$WORK/cut/state/state.db" "
  DELETE FROM ledger WHERE seq > (SELECT max(seq) - 5 FROM ledger);
  UPDATE ledger_head SET seq = (SELECT max(seq) FROM ledger),
                         hash = (SELECT hash FROM ledger ORDER BY seq DESC LIMIT 1);"
undetected_then_caught cut "rolled back or cut"

# 3. One deletion's target rewritten and every later hash recomputed with
#    the public formula (ledger.cc: length-prefixed fields, SHA-256).
attack rewrite
python3 - "$WORK/rewrite/state/state.db" <<'EOP'
import hashlib, sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
def field(b): return struct.pack(">q", len(b)) + b
def num(v): return struct.pack(">q", v)
rows = db.execute("SELECT seq, time_ns, policy, action, target, count, bytes, detail, prev_hash FROM ledger ORDER BY seq").fetchall()
first = next(r[0] for r in rows if r[3] == "delete")
prev = None
for seq, t, pol, act, tgt, cnt, byt, det, ph in rows:
    if seq == first: tgt = "/nothing/was/deleted/here"
    if prev is not None and seq >= first: ph = prev
    enc = (field(b"retentiond.ledger.v1") + field(ph.encode()) + num(seq) + num(t)
           + field(pol.encode()) + field(act.encode()) + field(tgt.encode())
           + num(cnt) + num(byt) + field(det.encode()))
    h = hashlib.sha256(enc).hexdigest()
    if seq >= first:
        db.execute("UPDATE ledger SET target = ?, prev_hash = ?, hash = ? WHERE seq = ?", (tgt, ph, h, seq))
    prev = h
db.execute("UPDATE ledger_head SET hash = ? WHERE id = 1", (prev,))
db.commit()
EOP
undetected_then_caught rewrite "was rewritten"

# 4. Another host's state database in its place.
attack swap
cp "$WORK/b/state/state.db" "$WORK/swap/state/state.db"
undetected_then_caught swap "swapped or recreated"

# 5. Checkpoints forged with another key are rejected.
expect_code 1 ctl a verify --checkpoints "$WORK/b/checkpoints.jsonl" --key "$WORK/kept.pub"
grep -q "no valid signature" "$WORK/out" || fail "forged: $(cat "$WORK/out")"

# Bad inputs: a missing file, a line that is not a checkpoint, no key.
expect_code 66 ctl a verify --checkpoints "$WORK/nothing.jsonl" --key "$WORK/kept.pub"
echo '{"seq": 1}' > "$WORK/bad.jsonl"
expect_code 66 ctl a verify --checkpoints "$WORK/bad.jsonl" --key "$WORK/kept.pub"
grep -q "line 1" "$WORK/err" || fail "bad line: $(cat "$WORK/err")"
expect_code 66 ctl a verify --checkpoints "$WORK/a/checkpoints.jsonl" --key "$WORK/nothing.pub"
echo "checkpoints: ok ($n checkpoints; rollback, cut, rewrite, swap and forgery caught)"
