#!/usr/bin/env bash
# pg_initdb.sh BIN USER PASSWORD DATA: makes DATA a new cluster, as
# `initdb -U postgres -A scram-sha-256 -E UTF8 --wal-segsize=1` would with
# PASSWORD for "postgres", owned by USER (WAL segments of 1 MB: 24 MB to
# copy instead of 39). initdb runs once per machine, PostgreSQL
# version and password, into a template under $TMPDIR (or /tmp); each call
# copies the template (0.3 s instead of initdb's 1.1 s of CPU, for each of
# the ~150 clusters of a CI run). The template is made under a lock and
# renamed into place once complete, so concurrent tests share it safely.
set -euo pipefail
bin=$1 user=$2 password=$3 data=$4

version=$("$bin/initdb" --version)
key=$(printf '%s\n' "$version" "$password" "-U postgres -A scram-sha-256 -E UTF8 --wal-segsize=1" |
      sha256sum | cut -c1-16)
root=${TMPDIR:-/tmp}/retentiond-test-pg-templates
mkdir -p "$root"
[ -O "$root" ] || { echo "FAIL: $root is not ours" >&2; exit 1; }
chmod 755 "$root"
template=$root/$key
if [ ! -f "$template/complete" ]; then
  exec 9>"$root/$key.lock"
  flock 9
  if [ ! -f "$template/complete" ]; then
    rm -rf "$template.tmp"
    mkdir "$template.tmp"
    printf '%s\n' "$password" > "$template.tmp/pw"
    chown "$user" "$template.tmp" "$template.tmp/pw"
    if ! runuser -u "$user" -- "$bin/initdb" -D "$template.tmp/data" \
        -U postgres --pwfile="$template.tmp/pw" -A scram-sha-256 -E UTF8 \
        --wal-segsize=1 \
        --no-sync > "$template.tmp/initdb.log" 2>&1; then
      cat "$template.tmp/initdb.log" >&2
      exit 1
    fi
    rm "$template.tmp/pw"
    touch "$template.tmp/complete"
    mv "$template.tmp" "$template"
  fi
  exec 9>&-
fi
cp -a "$template/data" "$data"
