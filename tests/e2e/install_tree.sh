# `cmake --install --prefix /usr` into a DESTDIR: binaries, units pointing at
# the installed binaries, sysusers/tmpfiles snippets, gzipped man pages, the
# example configuration in /etc/retentiond, and a second install that keeps
# an edited configuration. Then `retentiond --print-unit-paths` on the
# installed configuration names its directories.
source "$(dirname "$0")/lib.bash"

BUILD=$(dirname "$RETENTIOND")
ROOT=$WORK/root
install_tree() {
  DESTDIR=$ROOT cmake --install "$BUILD" --prefix /usr >"$WORK/install.log" 2>&1 ||
    { cat "$WORK/install.log"; fail "cmake --install failed"; }
}
install_tree

for f in usr/sbin/retentiond usr/bin/retentionctl; do
  [ -x "$ROOT/$f" ] || fail "$f missing or not executable"
done
service=$(find "$ROOT" -path '*/systemd/system/retentiond.service')
socket=$(find "$ROOT" -path '*/systemd/system/retentiond.socket')
[ -n "$service" ] && [ -n "$socket" ] || { find "$ROOT"; fail "units missing"; }
grep -qx 'ExecStart=/usr/sbin/retentiond' "$service" || fail "ExecStart not /usr/sbin"
# No ExecStartPre=--check-config: it also checks the application databases,
# and one missing must not keep the daemon from running the other policies.
grep -q '^ExecStartPre=' "$service" && fail "ExecStartPre"
grep -qx 'ExecReload=+/usr/bin/retentionctl reload' "$service" || fail "ExecReload"
grep -q '^u retentiond ' "$(find "$ROOT" -path '*/sysusers.d/retentiond.conf')" ||
  fail "sysusers snippet missing"
grep -q '^d /var/lib/retentiond ' "$(find "$ROOT" -path '*/tmpfiles.d/retentiond.conf')" ||
  fail "tmpfiles snippet missing"
for page in man8/retentiond.8 man1/retentionctl.1 man5/retentiond.conf.5; do
  gzip -dc "$ROOT/usr/share/man/$page.gz" | cmp -s - "$SRC/man/${page#*/}" ||
    fail "$page.gz missing or not the page"
done
[ -s "$ROOT/usr/share/doc/retentiond/copyright" ] || fail "copyright missing"
conf=$ROOT/etc/retentiond/retentiond.conf
cmp -s "$conf" "$SRC/config/retentiond.conf" || fail "example config not installed"
expect_code 0 "$ROOT/usr/sbin/retentiond" --print-config --config "$conf"

# A second install keeps an operator's configuration.
echo "# edited" >>"$conf"
install_tree
tail -1 "$conf" | grep -qx '# edited' || fail "existing configuration overwritten"
grep -q "Keeping the existing" "$WORK/install.log" || fail "no note on keeping it"

expect_code 0 "$ROOT/usr/sbin/retentiond" --print-unit-paths "$conf"
for line in '[Service]' 'ReadWritePaths=-/var/log/app' \
    'ReadWritePaths=-/var/backups/app' 'ReadWritePaths=-/var/lib/retentiond' \
    'ReadWritePaths=-/run/retentiond'; do
  grep -qxF -- "$line" "$WORK/out" || { cat "$WORK/out"; fail "no '$line'"; }
done
grep -q 'ReadWritePaths=-/run/app' "$WORK/out" && fail "pid_file's directory granted"
echo "install_tree: ok"
