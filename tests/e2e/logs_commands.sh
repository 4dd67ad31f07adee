# pre_rotate_command and post_rotate_command, run for real by --once: a
# failing pre command leaves the log unrotated and says why; then both run
# around the rotation, once for a set with shared_reopen.
source "$(dirname "$0")/lib.bash"

mkdir -p "$WORK/logs" "$WORK/state" "$WORK/bin"
cat > "$WORK/bin/hook" <<HOOK
#!/bin/sh
echo "\$RETENTIOND_STAGE \$1 \$(echo \$RETENTIOND_FILES)" >> "$WORK/calls"
[ -e "$WORK/refuse" ] && { echo "refused by the test" >&2; exit 3; }
# A post command held until the test lets go (after it killed the daemon).
[ "\$RETENTIOND_STAGE" = post ] && while [ -e "$WORK/hang" ]; do sleep 0.05; done
exit 0
HOOK
chmod +x "$WORK/bin/hook"
cat > "$WORK/r.conf" <<CONF
[daemon]
state_dir = $WORK/state
control_socket = $WORK/control.sock
[logs.app]
paths = $WORK/logs/*.log
max_file_size = 4K
compress = none
method = reopen
reopen_command = $WORK/bin/hook reopen
pre_rotate_command = $WORK/bin/hook pre
post_rotate_command = $WORK/bin/hook post
shared_reopen = yes
command_timeout = 10s
CONF
expect_code 0 "$RETENTIOND" --check-config --config "$WORK/r.conf"
for n in a b; do head -c 6000 /dev/zero | tr '\0' x > "$WORK/logs/$n.log"; done

touch "$WORK/refuse"
set +e; "$RETENTIOND" --once --config "$WORK/r.conf" > "$WORK/out" 2> "$WORK/err"; set -e
grep -q "not rotated: pre_rotate_command .*refused by the test" "$WORK/out" "$WORK/err" ||
  { cat "$WORK/out" "$WORK/err"; fail "the failed pre command is not reported"; }
ls "$WORK/logs" | grep -q -- '-20' && fail "rotated despite the failed pre command"
[ "$(wc -l < "$WORK/calls")" = 1 ] || { cat "$WORK/calls"; fail "commands ran after the failed pre command"; }

rm "$WORK/refuse" "$WORK/calls"
expect_code 0 "$RETENTIOND" --once --config "$WORK/r.conf"
[ "$(ls "$WORK/logs" | grep -c -- '-20')" = 2 ] || { ls "$WORK/logs"; fail "not both rotated"; }
# The reopen command gets no RETENTIOND_STAGE: " reopen ".
want="pre pre $WORK/logs/a.log $WORK/logs/b.log
 reopen 
post post $WORK/logs/a.log $WORK/logs/b.log"
[ "$(cat "$WORK/calls")" = "$want" ] || { cat "$WORK/calls"; fail "not one pre, reopen and post for the set"; }
ls -a "$WORK/logs" | grep -q 'rtd-post' && fail "a post marker stayed"

# kill -9 while the post command runs: the next run runs it again and
# records that in the ledger.
rm "$WORK/calls"
head -c 6000 /dev/zero | tr '\0' x > "$WORK/logs/a.log"
touch "$WORK/hang"
start_daemon --once --config "$WORK/r.conf"
wait_for "$WORK/calls" "^post " 20
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
rm "$WORK/hang"
ls -a "$WORK/logs" | grep -q '^\.a\.log\.rtd-post$' || { ls -a "$WORK/logs"; fail "no durable post marker after kill -9"; }
expect_code 0 "$RETENTIOND" --once --config "$WORK/r.conf"
[ "$(grep -c "^post post $WORK/logs/a.log\$" "$WORK/calls")" = 2 ] || { cat "$WORK/calls"; fail "the post command was not run again"; }
ls -a "$WORK/logs" | grep -q 'rtd-post' && fail "the post marker stayed after its run"
sqlite3 "$WORK/state/state.db" "SELECT action, detail FROM ledger" |
  grep -q "^recover|after-rotation work of an interrupted run: writer told to reopen, post_rotate_command ran" ||
  { sqlite3 "$WORK/state/state.db" "SELECT action, detail FROM ledger"; fail "no recover entry in the ledger"; }
true
