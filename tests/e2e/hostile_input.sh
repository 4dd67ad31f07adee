# Hostile bytes through the real binaries: a NUL in a path value, a FIFO as
# the configuration, a huge configuration, a ledger entry holding invalid
# UTF-8 printed as JSON, and a database in a read-only directory.
source "$(dirname "$0")/lib.bash"

# A NUL would cut the root short where the kernel reads it: an error at
# FILE:LINE, and nothing deleted in the truncated directory.
mkdir -p "$WORK/outer/inner" "$WORK/state"
echo old > "$WORK/outer/old"; touch -d "-100 days" "$WORK/outer/old"
printf '[daemon]\nstate_dir = state\n[files.x]\nroot = outer\0/inner\nmax_age = 30d\n' > "$WORK/nul.conf"
expect_code 78 "$RETENTIOND" --check-config "$WORK/nul.conf"
grep -q "^$WORK/nul.conf:4: \[files.x\]: control byte \\\\x00 at column 13" "$WORK/err" ||
  { cat "$WORK/err"; fail "NUL not reported at FILE:LINE"; }
expect_code 78 "$RETENTIOND" --once --config "$WORK/nul.conf"
[ -e "$WORK/outer/old" ] || fail "deleted under a truncated root"

# A FIFO is no configuration (it used to pass as an empty one).
mkfifo "$WORK/fifo.conf"
expect_code 78 "$RETENTIOND" --check-config "$WORK/fifo.conf"
grep -q "fifo.conf: not a regular file" "$WORK/err" || { cat "$WORK/err"; fail "FIFO accepted"; }

# 15 MB of unknown keys: refused quickly with a bounded report.
python3 -c '
import sys
sys.stdout.write("[daemon]\n")
for i in range(1300000): sys.stdout.write("k%d = v\n" % i)' > "$WORK/huge.conf"
expect_code 78 "$RETENTIOND" --check-config "$WORK/huge.conf"
[ "$(wc -c < "$WORK/err")" -lt 10000 ] || fail "error output not bounded: $(wc -c < "$WORK/err") bytes"
grep -q "larger than 1048576 bytes" "$WORK/err" || { cat "$WORK/err"; fail "size limit not named"; }

# A deleted file whose name is not UTF-8: its ledger entry prints as JSON.
mkdir -p "$WORK/data"
printf '[daemon]\nstate_dir = state\n[files.data]\nroot = data\nmax_age = 30d\n' > "$WORK/r.conf"
old=$(printf '%s/data/old\377name' "$WORK")
echo old > "$old"; touch -d "-100 days" "$old"
expect_code 0 "$RETENTIOND" --once --config "$WORK/r.conf"
[ ! -e "$old" ] || fail "not deleted"
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" --json ledger
python3 -c '
import json, sys
entries = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
assert any("old\ufffdname" in e["target"] for e in entries), entries' "$WORK/out" ||
  fail "ledger JSON not valid or the entry missing"
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" ledger
# reload asks the daemon even when its own read of the configuration fails
# (a broken [daemon]): exit 3 (nothing answers here), not 78.
printf '[daemon]\nno_such_key = 1\n' > "$WORK/broken.conf"
expect_code 3 "$RETENTIONCTL" --config "$WORK/broken.conf" --socket "$WORK/none.sock" reload
grep -q "asking the daemon on $WORK/none.sock" "$WORK/err" || { cat "$WORK/err"; fail "no warning"; }
grep -q "state-dir" "$WORK/err" && { cat "$WORK/err"; fail "advises --state-dir for reload"; }

# An application database on a read-only mount (or, without root, in a
# directory this user cannot write): SQLite cannot create its -wal/-shm, and
# the error says so instead of "No such file or directory".
mkdir -p "$WORK/rodb"
python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute("PRAGMA journal_mode=WAL")
c.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, ts INTEGER)")
c.execute("CREATE INDEX events_ts ON events (ts)"); c.commit(); c.close()' "$WORK/rodb/app.db"
printf '[daemon]\nstate_dir = state\n[rows.ev]\ndatabase = sqlite:rodb/app.db\ntable = events\ntime_column = ts\nmax_age = 1d\n' > "$WORK/ro.conf"
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
  expect_code 78 unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec "$2" --check-config "$3"' \
    - "$WORK/rodb" "$RETENTIOND" "$WORK/ro.conf"
elif [ "$(id -u)" != 0 ]; then
  chmod 0555 "$WORK/rodb"
  expect_code 78 "$RETENTIOND" --check-config "$WORK/ro.conf"
  chmod 0755 "$WORK/rodb"
fi
if [ -s "$WORK/err" ]; then
  grep -q "^$WORK/ro.conf:4: \[rows.ev\] database: .*its directory $WORK/rodb is read-only.*app.db-wal" "$WORK/err" ||
    { cat "$WORK/err"; fail "read-only database directory not named"; }
  grep -q "No such file" "$WORK/err" && { cat "$WORK/err"; fail "still 'No such file'"; }
fi
echo "hostile_input: ok"
