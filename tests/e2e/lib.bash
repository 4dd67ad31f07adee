# Shared by the e2e tests: each is run by ctest as
#   bash tests/e2e/NAME.sh RETENTIOND RETENTIONCTL SOURCE_DIR
# KEEP_WORK=1 in the environment keeps the test's $WORK (named on stderr) for a look
# after a failure.
set -euo pipefail
RETENTIOND=$1
RETENTIONCTL=$2
SRC=$3
WORK=$(mktemp -d /tmp/rtd-e2e-XXXXXX)
STARTED=()  # background processes a test started; killed on exit
cleanup() {
  local code=$? p
  for p in "${STARTED[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  # A failed test shows what the daemon said last (a sanitizer's report
  # among it), which would otherwise go with $WORK.
  if [ "$code" != 0 ] && [ -s "$WORK/log" ]; then
    echo "== the end of $WORK/log" >&2
    tail -n 40 "$WORK/log" >&2
  fi
  [ -n "${KEEP_WORK:-}" ] && { echo "kept $WORK" >&2; return 0; }; rm -rf "$WORK"
}
trap cleanup EXIT
# start_daemon ARG...: runs "$RETENTIOND" ARG... in the background with
# stderr in $WORK/log and sets $pid; a test that fails never leaves it
# running (and so never hangs ctest).
start_daemon() {
  "$RETENTIOND" "$@" 2>"$WORK/log" &
  pid=$!
  STARTED+=("$pid")
}

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_code() {  # expect_code CODE CMD... : runs CMD, checks its exit code
  local want=$1; shift
  set +e; "$@" >"$WORK/out" 2>"$WORK/err"; local got=$?; set -e
  [ "$got" = "$want" ] || { cat "$WORK/out" "$WORK/err" >&2; fail "$* exited $got, want $want"; }
}
wait_for() {  # wait_for FILE PATTERN [SECONDS]: until FILE contains PATTERN
  local deadline=$((SECONDS + ${3:-10}))
  until grep -q -- "$2" "$1" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { cat "$1" >&2; fail "timed out waiting for '$2' in $1"; }
    sleep 0.05
  done
}
# files_config NAME [LINE...]: writes $WORK/r.conf with the state directory
# $WORK/state and one [files.NAME] policy on $WORK/NAME (both created),
# max_age 30d, then each further "key = value" LINE. Paths are relative, so
# they also exercise resolution against the config file's directory.
files_config() {
  local name=$1; shift
  mkdir -p "$WORK/state" "$WORK/$name"
  { printf '[daemon]\nstate_dir = state\ncontrol_socket = control.sock\n[files.%s]\nroot = %s\nmax_age = 30d\n' "$name" "$name"
    local line
    for line in "$@"; do printf '%s\n' "$line"; done; } > "$WORK/r.conf"
}
# The application tables of the [accounts] tests, as SQL for sqlite3:
# users (id, email, deleted_at), sessions and usage_events (user_id).
accounts_schema() {
  cat <<'SQL'
PRAGMA journal_mode = WAL;
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, deleted_at INTEGER);
CREATE TABLE sessions (id INTEGER PRIMARY KEY, user_id INTEGER);
CREATE TABLE usage_events (id INTEGER PRIMARY KEY, user_id INTEGER);
SQL
}
# The [accounts] section on them (app.db, data_dir users/{id}, grace 30d).
accounts_section() {
  cat <<'CONF'
[accounts]
database = sqlite:app.db
table = users
deleted_column = deleted_at
grace = 30d
data_dir = users/{id}
cascade = sessions.user_id usage_events.user_id
CONF
}

# demo_workspace: config/demo.conf as $WORK/demo.conf on a fresh demo
# workspace in $WORK/demo (tests/demo/make-demo-workspace.sh) with a 5 MiB
# live log, as the quick start's demo begins.
demo_workspace() {
  sed -e "s|\.\./build/demo/|$WORK/demo/|g" -e "s|\.\./build/demo\b|$WORK/demo|g" \
      -e "s|\.\./tests/demo/|$SRC/tests/demo/|g" \
      "$SRC/config/demo.conf" > "$WORK/demo.conf"
  "$SRC/tests/demo/make-demo-workspace.sh" "$WORK/demo" > /dev/null
  mkdir -p "$WORK/demo/logs"
  head -c $((5 << 20)) /dev/zero | tr '\0' 'x' > "$WORK/demo/logs/app.log"
}

# kill_mid_run KILLS MAX SHARE POLL LEFT_FN REFILL_FN: the kill -9 loop of
# the kill9_* tests. Each round calls REFILL_FN (which may add expired
# items when few are left: a kill that lands late on a loaded machine lets
# a run remove everything), starts `retentiond --once` on $WORK/r.conf and
# kills it once it has removed a random share (up to 1/SHARE) of what
# LEFT_FN counts, polling every POLL seconds: a point chosen by progress,
# not by time. Runs until KILLS runs were killed mid-work, or fails after
# MAX rounds. Sets KILLED and ROUNDS.
kill_mid_run() {
  local want=$1 max=$2 share=$3 poll=$4 left=$5 refill=$6 before goal p
  KILLED=0
  ROUNDS=0
  while [ "$KILLED" -lt "$want" ] && [ "$ROUNDS" -lt "$max" ]; do
    ROUNDS=$((ROUNDS + 1))
    "$refill"
    before=$("$left")
    goal=$((before - 1 - RANDOM % (before / share + 1)))
    "$RETENTIOND" --config "$WORK/r.conf" --once >/dev/null 2>>"$WORK/log" &
    p=$!
    while kill -0 $p 2>/dev/null && [ "$("$left")" -gt "$goal" ]; do
      sleep "$poll"
    done
    kill -KILL $p 2>/dev/null || true
    if ! wait $p 2>/dev/null; then KILLED=$((KILLED + 1)); fi
  done
  [ "$KILLED" -ge "$want" ] ||
    fail "only $KILLED of $ROUNDS runs were killed mid-work: the test proves little"
}
