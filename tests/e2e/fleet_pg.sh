# A fleet: three retentiond daemons (three state directories, host ids
# host-a, host-b, host-c) with the same [rows] policy on one PostgreSQL
# database. The rows gone equal the sum of the three ledgers; the holder
# of the policy's lease is killed -9 mid-run, another host takes over
# within one `every`, the work completes, and once the killed host is back
# (its recovery reads its own mark) the ledgers still add up exactly;
# `retentionctl verify` passes for each; status names the holder. Then the
# same through a private pgbouncer in transaction pooling mode, by hosts
# with the same host ids but new state directories (their intents are
# numbered from 1 again) against the same marks: a reused intent number
# must not add to an old mark.
source "$(dirname "$0")/lib.bash"
source "$SRC/tests/pg/pg_cluster.bash"

PGDIR=$WORK/pg
BDIR=$WORK/bouncer
pg_start "$PGDIR" -c fsync=off
show_logs() {  # on failure: what the hosts said
  [ $? = 0 ] && return
  local f
  for f in "$WORK"/*/log; do echo "== $f"; tail -n 8 "$f"; done >&2
}
trap 'show_logs; bouncer_stop "$BDIR"; pg_stop "$PGDIR"; cleanup' EXIT
pg_poll_open  # the polls below: one session, not a psql each

EVERY=8  # seconds: the lease lasts 5 s (LeaseTtl's floor)
N=150000
now=$(date -u +%s)

# fleet_config DIR HOST URI TABLE: DIR/r.conf for one host of the fleet.
fleet_config() {
  mkdir -p "$1/state"
  printf '[daemon]\nstate_dir = state\ncontrol_socket = control.sock\nhost_id = %s\n[rows.tokens]\ndatabase = %s\ntable = public.%s\ntime_column = created_at\ntime_format = native\nmax_age = 1h\nevery = %ss\nmax_delete_fraction = 1\n' \
    "$2" "$3" "$4" "$EVERY" > "$1/r.conf"
}
old_left() { pg_poll "SELECT count(*) FROM $1 WHERE created_at < to_timestamp($now)"; }
add_old() {  # add_old TABLE COUNT
  # ANALYZE as autovacuum would: without statistics the planner sorts the
  # whole table for each batch (80 ms for 128 rows, measured).
  psql_value "INSERT INTO $1 (created_at) SELECT to_timestamp($now - 7200 - i) FROM generate_series(1, $2) i; ANALYZE $1" > /dev/null
}
ledgers() {  # the rows.tokens deletions of every host of round $1
  local h sum=0
  for h in a b c; do
    sum=$((sum + $(sqlite3 "$WORK/$1-$h/state/state.db" "SELECT coalesce(sum(count), 0) FROM ledger WHERE policy = 'rows.tokens' AND action = 'delete'")))
  done
  echo $sum
}
open_intents() {
  local h sum=0
  for h in a b c; do
    sum=$((sum + $(sqlite3 "$WORK/$1-$h/state/state.db" "SELECT count(*) FROM intents")))
  done
  echo $sum
}
start_host() {  # start_host ROUND H: the daemon of host-H, pid in PID_H
  "$RETENTIOND" --config "$WORK/$1-$2/r.conf" 2>>"$WORK/$1-$2/log" &
  STARTED+=("$!")
  eval "PID_$2=$!"
}
wait_until() {  # wait_until SECONDS CMD...: until CMD succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}
status_names_holder() {
  "$RETENTIONCTL" --config "$1" status > "$WORK/status" &&
    grep -q "^rows.tokens: work held by host-[abc], lease ends " "$WORK/status"
}
all_gone() { [ "$(old_left "$TABLE")" = 0 ]; }
ledgers_match() { [ "$(ledgers "$ROUND")" = "$1" ] && [ "$(open_intents "$ROUND")" = 0 ]; }

# fleet_round NAME URI: the whole scenario on table NAME through URI.
fleet_round() {
  ROUND=$1 TABLE=$1
  local uri=$2 h
  psql_value "CREATE TABLE $TABLE (id bigserial PRIMARY KEY, created_at timestamptz);
CREATE INDEX ${TABLE}_created ON $TABLE (created_at);
INSERT INTO $TABLE (created_at) SELECT to_timestamp($now + 86400) FROM generate_series(1, 1000);" > /dev/null
  add_old "$TABLE" $N
  for h in a b c; do fleet_config "$WORK/$ROUND-$h" "host-$h" "$uri" "$TABLE"; start_host "$ROUND" $h; done
  wait_until 60 all_gone || fail "$ROUND: $(old_left "$TABLE") expired rows left"
  wait_until 20 ledgers_match $N || fail "$ROUND: gone $N, ledgers $(ledgers "$ROUND")"
  local per=""
  for h in a b c; do per="$per host-$h $(sqlite3 "$WORK/$ROUND-$h/state/state.db" "SELECT coalesce(sum(count), 0) FROM ledger WHERE policy = 'rows.tokens' AND action = 'delete'")"; done
  echo "$ROUND: $N rows gone, ledgers$per (sum $(ledgers "$ROUND"))"
  wait_until 20 status_names_holder "$WORK/$ROUND-a/r.conf" || { cat "$WORK/status"; fail "status names no holder"; }
  grep "work held by" "$WORK/status"
  "$RETENTIONCTL" --config "$WORK/$ROUND-a/r.conf" --json status | grep -q '"host": "host-[abc]"' || fail "status --json: no holder"

  # kill -9 the holder mid-run.
  add_old "$TABLE" $N
  local holder="" start=$SECONDS
  while [ -z "$holder" ]; do
    [ $((SECONDS - start)) -lt 30 ] || fail "$ROUND: no host started deleting"
    if [ "$(old_left "$TABLE")" -lt $((N * 3 / 4)) ]; then
      holder=$(pg_poll "SELECT holder FROM public.retentiond_leases WHERE policy = 'rows.tokens' AND expires_at > now()")
    fi
    sleep 0.05
  done
  h=${holder#host-}
  kill -KILL "$(eval echo \$PID_$h)"
  local killed_at left_at_kill
  killed_at=$(date +%s.%N)
  left_at_kill=$(old_left "$TABLE")
  # Taken over: another host holds the lease (granted on the server's
  # clock, this machine's). Its first deletion follows once its run has
  # planned; that is reported, with more slack under a sanitizer's load.
  # Rows that go before the takeover are not its work: the killed host's
  # last DELETE may still commit on the server (a backend notices its
  # client is gone only when it reads from it again).
  local taken="" resumed="" new_holder="" now_at left_at_take="" left
  while [ -z "$resumed" ]; do
    now_at=$(date +%s.%N)
    awk -v a="$killed_at" -v b="$now_at" 'BEGIN { exit !(b - a < 30) }' || fail "$ROUND: nobody took over"
    if [ -z "$taken" ]; then
      new_holder=$(pg_poll "SELECT holder FROM public.retentiond_leases WHERE policy = 'rows.tokens' AND holder <> '$holder' AND expires_at > now()")
      if [ -n "$new_holder" ]; then
        taken=$now_at
        left_at_take=$(old_left "$TABLE")
      fi
    fi
    if [ -n "$taken" ]; then
      left=$(old_left "$TABLE")
      if [ "$left" -lt "$left_at_take" ] || [ "$left" = 0 ]; then resumed=$(date +%s.%N); fi
    fi
    sleep 0.05
  done
  local took first
  took=$(awk -v a="$killed_at" -v b="$taken" 'BEGIN { printf "%.1f", b - a }')
  first=$(awk -v a="$killed_at" -v b="$resumed" 'BEGIN { printf "%.1f", b - a }')
  new_holder=$(psql_value "SELECT holder FROM public.retentiond_leases WHERE policy = 'rows.tokens'")
  echo "$ROUND: killed $holder with $left_at_kill rows left; $new_holder took the lease after ${took}s, deleted after ${first}s (every ${EVERY}s)"
  awk -v t="$took" -v e="$EVERY" 'BEGIN { exit !(t <= e + 1) }' || fail "$ROUND: takeover took ${took}s, over one every (${EVERY}s) + 1 s of polling slack"
  awk -v t="$first" -v e="$EVERY" 'BEGIN { exit !(t <= e + 5) }' || fail "$ROUND: the first deletion after the kill came ${first}s later, over one every (${EVERY}s) + 5 s"
  [ "$new_holder" != "$holder" ] || fail "$ROUND: the killed host still holds the lease"
  wait_until 60 all_gone || fail "$ROUND: $(old_left "$TABLE") expired rows left after the takeover"
  # The killed host comes back: its next run resolves its open intent
  # from its own mark.
  start_host "$ROUND" "$h"
  wait_until 40 ledgers_match $((2 * N)) || fail "$ROUND: gone $((2 * N)), ledgers $(ledgers "$ROUND"), open intents $(open_intents "$ROUND")"
  young=$(psql_value "SELECT count(*) FROM $TABLE")
  [ "$young" = 1000 ] || fail "$ROUND: $young rows left, want the 1000 young ones"
  echo "$ROUND: $((2 * N)) rows gone, ledgers sum $(ledgers "$ROUND"), open intents 0"
  for h in a b c; do
    expect_code 0 "$RETENTIONCTL" --config "$WORK/$ROUND-$h/r.conf" verify
    kill "$(eval echo \$PID_$h)"
  done
  if grep -q "$PG_PASSWORD" "$WORK/$ROUND"-*/log; then fail "$ROUND: the password reached a log"; fi
}

fleet_round direct "$PG_URI"

# The same through pgbouncer in transaction pooling: a server connection
# serves any client's next transaction, so nothing may be session-scoped.
bouncer_start "$PGDIR" "$BDIR"
fleet_round bouncer "$BOUNCER_URI"
served=$(bouncer_logins "$BDIR")
echo "bouncer: $served client logins through pgbouncer (pool_mode = transaction, pool of 4)"
[ "$served" -gt 3 ] || fail "the fleet did not go through pgbouncer"
echo "fleet_pg: ok"
