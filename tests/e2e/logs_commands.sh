# pre_rotate_command and post_rotate_command, run for real by --once: a
# failing pre command leaves the log unrotated and says why; then both run
# around the rotation, once for a set with shared_reopen.
source "$(dirname "$0")/lib.bash"

mkdir -p "$WORK/logs" "$WORK/state" "$WORK/bin"
cat > "$WORK/bin/hook" <<HOOK
#!/bin/sh
echo "\$RETENTIOND_STAGE \$1 \$(echo \$RETENTIOND_FILES)" >> "$WORK/calls"
[ -e "$WORK/refuse" ] && { echo "refused by the test" >&2; exit 3; }
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
true
