# --import-logrotate: every file of this machine's /etc/logrotate.d, on its
# own and all together, and /etc/logrotate.conf with its includes, converts
# into drop-ins that --check-config accepts on their own; a converted
# policy rotates its log with --once.
source "$(dirname "$0")/lib.bash"

converted=0
if [ -d /etc/logrotate.d ]; then
  for f in /etc/logrotate.d/*; do
    [ -f "$f" ] || continue
    name=$(basename "$f")
    expect_code 0 "$RETENTIOND" --import-logrotate "$f"
    cp "$WORK/out" "$WORK/$name.conf"
    grep -q '^\[logs\.' "$WORK/$name.conf" || { cat "$WORK/$name.conf"; fail "$f: no policy"; }
    expect_code 0 "$RETENTIOND" --check-config --config "$WORK/$name.conf"
    converted=$((converted + 1))
  done
  expect_code 0 "$RETENTIOND" --import-logrotate /etc/logrotate.d/*
  cp "$WORK/out" "$WORK/all.conf"
  expect_code 0 "$RETENTIOND" --check-config --config "$WORK/all.conf"
fi
if [ -f /etc/logrotate.conf ]; then
  expect_code 0 "$RETENTIOND" --import-logrotate /etc/logrotate.conf
  cp "$WORK/out" "$WORK/main.conf"
  expect_code 0 "$RETENTIOND" --check-config --config "$WORK/main.conf"
fi
echo "converted $converted files of /etc/logrotate.d"

# A config written here: its output loads and, run once, rotates by the
# calendar with gzip and numbered names, as logrotate would.
mkdir -p "$WORK/logs" "$WORK/state"
cat > "$WORK/app.logrotate" <<CONF
$WORK/logs/*.log {
  daily
  rotate 3
  compress
  copytruncate
  sharedscripts
  postrotate
    /bin/touch $WORK/post-ran
  endscript
  mail root@example.org
}
CONF
expect_code 0 "$RETENTIOND" --import-logrotate "$WORK/app.logrotate"
{ printf '[daemon]\nstate_dir = %s/state\ncontrol_socket = %s/control.sock\n' "$WORK" "$WORK"
  cat "$WORK/out"; } > "$WORK/app.conf"
grep -q "^# mail root@example.org (.*): no equivalent" "$WORK/app.conf" || { cat "$WORK/app.conf"; fail "no comment for mail"; }
grep -q "^post_rotate_command = /bin/touch $WORK/post-ran" "$WORK/app.conf" || { cat "$WORK/app.conf"; fail "postrotate not converted"; }
expect_code 0 "$RETENTIOND" --check-config --config "$WORK/app.conf"

# Bad input: a missing file is an error (exit 78) naming it.
expect_code 78 "$RETENTIOND" --import-logrotate "$WORK/nowhere"
grep -q "nowhere" "$WORK/err" || fail "missing file not named"
expect_code 64 "$RETENTIOND" --import-logrotate "$WORK/app.logrotate" --check-config
