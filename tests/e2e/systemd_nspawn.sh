# The Debian package under a real systemd (252, Debian 12) as PID 1: a
# minimal Debian 12 root (mmdebstrap --variant=minbase, with systemd,
# systemd-sysv, dbus and the package's dependencies) boots under
# `systemd-nspawn -b --register=no --keep-unit --volatile=overlay` (the root
# stays as built; every change lands in a tmpfs), and commands run inside it
# through `nsenter -t INIT_PID -a`. It checks: the package installs; a
# configuration error (exit 78) fails the start once, never a restart loop
# (RestartPreventExitStatus=78); the shipped example starts; start with
# --print-unit-paths' drop-in and a policy that deletes; `systemctl reload`
# with a good and a bad configuration; a restart after SIGKILL; the watchdog
# (SIGSTOP, then a restart at WatchdogSec=, shortened by a drop-in); stop;
# socket activation by retentionctl.
#
# The root is built once and cached in $RETENTIOND_CI_CACHE (default
# /var/cache/retentiond-ci), keyed by the package list; building it needs
# the Debian mirror of this machine's apt sources (~3 min). Needs root and
# mmdebstrap + systemd-container (.ci/install-deps). Exits 77 (skipped) only
# when the container cannot boot here, with the reason.
source "$(dirname "$0")/lib.bash"
build=$(dirname "$RETENTIOND")
cache=${RETENTIOND_CI_CACHE:-/var/cache/retentiond-ci}
skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root (systemd-nspawn, mmdebstrap)"
for tool in mmdebstrap systemd-nspawn nsenter cpack; do
  command -v "$tool" >/dev/null || fail "no $tool (.ci/install-deps installs it)"
done

echo "== the package"
mkdir "$WORK/pkg"
(cd "$build" && cpack -G DEB -B "$WORK/pkg" >/dev/null) || fail "cpack -G DEB"
deb=$(ls "$WORK"/pkg/retentiond_*.deb)
# "libfoo (>= 1), a | b" -> "libfoo,a": what the root needs besides systemd.
deps=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' |
  sed -E 's/\|.*//; s/\(.*\)//; s/ //g' | grep -v '^$' | sort -u | paste -sd,)
include="systemd,systemd-sysv,dbus,$deps"

# The Debian mirror this machine's apt uses (the first URI ending in
# /debian), so the root comes from the same place as the build's packages.
mirror() {
  local uri
  uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
          /etc/apt/sources.list.d/*.sources 2>/dev/null |
        grep -oE '(https?|file)://[^ ]*/debian/?( |$)' | head -1 | tr -d ' ')
  echo "${uri:-http://deb.debian.org/debian}"
}

echo "== the root"
mkdir -p "$cache"
key=$(printf '%s\n' bookworm minbase "$include" | sha256sum | cut -c1-16)
root=$cache/bookworm-$key
exec 9>"$cache/lock"
flock 9
if [ ! -x "$root/lib/systemd/systemd" ]; then
  rm -rf "$cache"/bookworm-* "$cache"/building
  echo "building $root from $(mirror) (once; cached)"
  mmdebstrap --variant=minbase --include="$include" bookworm \
    "$cache/building" "$(mirror)" </dev/null >"$WORK/mmdebstrap.log" 2>&1 ||
    { tail -20 "$WORK/mmdebstrap.log"; fail "mmdebstrap"; }
  mv "$cache/building" "$root"
fi
flock -u 9
echo "$root"

echo "== boot"
# The shutdown of a booted container: poweroff inside, then wait for nspawn;
# SIGKILL to nspawn would leave the container's processes running.
NSPAWN=
INIT=
poweroff() {
  [ -n "$NSPAWN" ] || return 0
  # SIGRTMIN+4: systemd powers off (no D-Bus needed); nspawn's SIGTERM
  # does the same through it.
  if [ -n "$INIT" ]; then
    kill -s SIGRTMIN+4 "$INIT" 2>/dev/null || true
  else
    kill -TERM "$NSPAWN" 2>/dev/null || true
  fi
  local i
  for i in $(seq 100); do kill -0 "$NSPAWN" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$NSPAWN" 2>/dev/null; then
    kill -KILL "$NSPAWN" 2>/dev/null || true
    [ -z "$INIT" ] || kill -KILL "$INIT" 2>/dev/null || true
  fi
  NSPAWN=
}
trap 'poweroff; cleanup' EXIT
systemd-nspawn -q -b -D "$root" --register=no --keep-unit --volatile=overlay \
  --private-network --bind-ro="$WORK/pkg:/mnt/pkg" \
  </dev/null >"$WORK/console" 2>&1 &
NSPAWN=$!
for i in $(seq 100); do
  INIT=$(pgrep -P "$NSPAWN" -x systemd || true)
  [ -n "$INIT" ] && break
  kill -0 "$NSPAWN" 2>/dev/null || { cat "$WORK/console"; NSPAWN=; skip "systemd-nspawn cannot boot a container here"; }
  sleep 0.1
done
[ -n "$INIT" ] || { cat "$WORK/console"; skip "no systemd in the container after 10 s"; }
inside() { nsenter -t "$INIT" -a "$@"; }
# Until PID 1 answers on its bus and has finished booting.
for i in $(seq 300); do
  state=$(inside systemctl is-system-running 2>&1 || true)
  case $state in running|degraded) break ;; esac
  sleep 0.2
done
case $state in running|degraded) ;;
  *) cat "$WORK/console"; fail "the container's systemd is '$state' after 60 s" ;;
esac
echo "systemd $(inside systemctl --version | awk 'NR == 1 { print $2 }') as PID 1: $state"

# show UNIT PROP: a property of a unit in the container.
show() { inside systemctl show -P "$2" "$1"; }
# until_ SECONDS CMD...: until CMD succeeds, or fail after SECONDS.
until_() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { journal; fail "timed out waiting for: $*"; }
    sleep 0.2
  done
}
journal() { inside journalctl -q --no-pager -n 40 -u retentiond.service >&2 || true; }
# journal_has PATTERN: the service's journal has a line matching it.
journal_has() {
  inside journalctl -q --no-pager -u retentiond.service >"$WORK/journal" 2>&1 || true
  grep -q -- "$1" "$WORK/journal"
}
active() { [ "$(show retentiond.service ActiveState)" = "$1" ]; }
conf=/etc/retentiond/retentiond.conf

echo "== install"
inside dpkg -i "/mnt/pkg/$(basename "$deb")" >"$WORK/dpkg.out" 2>&1 ||
  { cat "$WORK/dpkg.out"; fail "dpkg -i"; }
inside getent passwd retentiond >/dev/null || fail "no user retentiond"
active inactive || fail "the package started the service"

echo "== a configuration error fails the start once (exit 78, no restart)"
inside cp "$conf" /root/example.conf
inside sh -c "printf '[daemon]\nstate_dirr = /var/lib/retentiond\n' > $conf"
code=0
inside retentiond --check-config "$conf" >/dev/null 2>&1 || code=$?
[ "$code" = 78 ] || fail "--check-config exited $code on the bad configuration, want 78"
inside systemctl start retentiond.service 2>/dev/null && fail "start succeeded with a bad configuration"
sleep 2  # Restart= would have restarted it by now (RestartSec=100ms)
[ "$(show retentiond.service ExecMainStatus)" = 78 ] || { journal; fail "exit $(show retentiond.service ExecMainStatus), want 78"; }
[ "$(show retentiond.service NRestarts)" = 0 ] || { journal; fail "restarted $(show retentiond.service NRestarts) times after exit 78"; }
active failed || { journal; fail "state $(show retentiond.service ActiveState) after exit 78"; }
inside systemctl reset-failed retentiond.service

echo "== the shipped example starts (its missing databases are not fatal)"
inside cp /root/example.conf "$conf"
inside systemctl start retentiond.service || { journal; fail "start with the example"; }
until_ 10 active active
inside retentionctl status >"$WORK/status" || { cat "$WORK/status"; fail "retentionctl status"; }
inside systemctl stop retentiond.service

echo "== start with a policy that deletes"
inside mkdir -p /srv/data
inside touch -d '3 days ago' /srv/data/old.tar
inside touch /srv/data/new.tar
inside sh -c "printf '[daemon]\nstate_dir = /var/lib/retentiond\n[files.data]\nroot = /srv/data\nmax_age = 1d\nevery = 1m\n' > $conf"
inside mkdir -p /etc/systemd/system/retentiond.service.d
inside sh -c "retentiond --print-unit-paths > /etc/systemd/system/retentiond.service.d/paths.conf"
# The watchdog at 4 s instead of 30 s, so that its check below is short.
inside sh -c "printf '[Service]\nWatchdogSec=4s\n' > /etc/systemd/system/retentiond.service.d/watchdog.conf"
inside systemctl daemon-reload
inside systemctl start retentiond.service || { journal; fail "start"; }
until_ 30 inside test ! -e /srv/data/old.tar
inside test -e /srv/data/new.tar || fail "the new file was deleted"
inside retentionctl status >/dev/null || fail "status"
pid=$(show retentiond.service MainPID)

echo "== reload: a good configuration, then a bad one"
inside sed -i 's/^max_age = 1d/max_age = 2d/' "$conf"
inside systemctl reload retentiond.service || { journal; fail "reload of a good configuration"; }
journal_has 'configuration reloaded' || { journal; fail "the good reload was not applied"; }
inside sh -c "printf 'bogus_key = 1\n' >> $conf"
inside systemctl reload retentiond.service 2>"$WORK/reload.err" && fail "reload of a bad configuration succeeded"
active active || { journal; fail "a bad reload stopped the daemon"; }
[ "$(show retentiond.service MainPID)" = "$pid" ] || fail "a bad reload restarted the daemon"
journal_has bogus_key ||
  { journal; fail "the bad key is not in the journal"; }
inside sed -i '/^bogus_key/d' "$conf"

echo "== restart after SIGKILL"
inside systemctl kill -s KILL retentiond.service
until_ 15 sh -c "[ \"\$(nsenter -t $INIT -a systemctl show -P MainPID retentiond.service)\" != $pid ] &&
  [ \"\$(nsenter -t $INIT -a systemctl show -P ActiveState retentiond.service)\" = active ]"
[ "$(show retentiond.service NRestarts)" = 1 ] || fail "NRestarts $(show retentiond.service NRestarts), want 1"
pid=$(show retentiond.service MainPID)

echo "== the watchdog: alive past WatchdogSec=4s, restarted when stopped"
sleep 6
[ "$(show retentiond.service MainPID)" = "$pid" ] || { journal; fail "restarted while it pinged the watchdog"; }
inside systemctl kill --kill-whom=main -s STOP retentiond.service
until_ 20 sh -c "[ \"\$(nsenter -t $INIT -a systemctl show -P NRestarts retentiond.service)\" = 2 ] &&
  [ \"\$(nsenter -t $INIT -a systemctl show -P ActiveState retentiond.service)\" = active ]"
journal_has 'Watchdog timeout' ||
  { journal; fail "restarted, but not by the watchdog"; }

echo "== stop"
inside systemctl stop retentiond.service
active inactive || { journal; fail "state $(show retentiond.service ActiveState) after stop"; }
[ "$(show retentiond.service Result)" = success ] || { journal; fail "stop result $(show retentiond.service Result)"; }

echo "== the checkpoints went to the journal, and the ledger matches them"
inside retentionctl --state-dir /var/lib/retentiond verify --journal >"$WORK/verify" 2>&1 ||
  { cat "$WORK/verify"; journal; fail "verify --journal"; }
grep -q "checkpoints hold: [1-9]" "$WORK/verify" || { cat "$WORK/verify"; fail "verify --journal found no checkpoints"; }

echo "== socket activation"
inside sed -i 's/^\[daemon\]$/[daemon]\ncontrol_socket = \/run\/retentiond\/control.sock/' "$conf"
inside systemctl start retentiond.socket
active inactive || fail "the socket started the daemon before a client came"
inside retentionctl status >"$WORK/status" 2>&1 || { cat "$WORK/status"; journal; fail "retentionctl status through the socket"; }
active active || fail "a client did not start the daemon"
journal_has '(from systemd)' ||
  { journal; fail "the daemon bound its own socket"; }
inside systemctl stop retentiond.service retentiond.socket

echo "systemd_nspawn: ok"
