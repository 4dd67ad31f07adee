#!/usr/bin/env bash
# Measurement: the lateness bound on [rows.*] (core/lateness.h). TOKENS
# password-reset tokens (SQLite, max_age = 1h) cross their deadline spread
# evenly over SPAN seconds, while retentiond runs the policy with
# every = 1m and max_lateness = 1m. A poller, independent of the daemon,
# reads the table every 100 ms and notes when each token is gone; a
# token's lateness is that moment less its deadline (created_at + 1h).
# Prints p50/p99/max and exits 1 if any token outlived its deadline by
# more than max_lateness. Not in ctest: it takes SPAN + 90 s and measures
# timing, which a loaded machine may stretch.
# With MAX_LATENESS "none" the key is left out (the default bound, twice
# every: the runs keep every = 1m exactly), for comparison.
#   usage: tests/bench/lateness_rows.sh [BUILD_DIR] [SPAN] [TOKENS] [MAX_LATENESS]
set -euo pipefail
build=${1:-build}
span=${2:-120}
tokens=${3:-1000}
lateness=${4:-1m}
work=$(mktemp -d /tmp/rtd-late-XXXXXX)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/state"
start=$(( $(date -u +%s) + 15 ))  # the first deadline, after the start
python3 - "$work/app.db" "$start" "$span" "$tokens" <<'PY'
import sqlite3, sys
db, start, span, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
c = sqlite3.connect(db)
c.execute("PRAGMA journal_mode = WAL")
c.execute("CREATE TABLE tokens (id INTEGER PRIMARY KEY, created_at INTEGER)")
c.execute("CREATE INDEX tokens_created ON tokens(created_at)")
# Deadline = created_at + 3600, spread over [start, start + span).
c.executemany("INSERT INTO tokens (created_at) VALUES (?)",
              [(start - 3600 + (i * span) // n,) for i in range(n)])
c.commit()
PY
cat > "$work/r.conf" <<CONF
[daemon]
state_dir = state
control_socket =
daily_report = no
[rows.tokens]
database = sqlite:app.db
table = tokens
time_column = created_at
max_age = 1h
every = 1m
$([ "$lateness" = none ] || echo "max_lateness = $lateness")
# Most tokens expire within one run: not a mass deletion here.
max_delete_fraction = 1
CONF
"$build/retentiond" --config "$work/r.conf" 2> "$work/log" &
pid=$!
python3 - "$work/app.db" "$tokens" 60 <<'PY'
import sqlite3, sys, time
db, n, bound = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
deadline = dict(c.execute("SELECT id, created_at + 3600 FROM tokens"))
gone = {}
limit = max(deadline.values()) + 3 * bound
while len(gone) < n and time.time() < limit:
    now = time.time()
    left = {r[0] for r in c.execute("SELECT id FROM tokens")}
    for i in deadline:
        if i not in left and i not in gone:
            gone[i] = now
    time.sleep(0.1)
late = sorted(gone[i] - deadline[i] for i in gone)
def pct(p): return late[min(len(late) - 1, int(p * len(late)))]
early = [x for x in late if x < 0]
print("tokens %d, gone %d, early %d" % (n, len(gone), len(early)))
print("lateness p50 %.1f s, p99 %.1f s, max %.1f s (bound %.0f s)"
      % (pct(0.50), pct(0.99), late[-1], bound))
sys.exit(0 if len(gone) == n and not early and late[-1] <= bound else 1)
PY
