#!/usr/bin/env bash
# Generates the quick-start demo workspace in DIR (default build/demo):
# backups and exports of various ages, so the demo daemon has something to
# expire, and a symlink pointing outside the workspace that it must remove
# as a link without touching its target.
set -euo pipefail
dir=${1:-build/demo}
rm -rf "$dir"
mkdir -p "$dir"/{state,backups,exports,outside}
cd "$dir"
for days in 1 10 30 60 89 91 120 200 400; do
  f=backups/app-$(date -u -d "-$days days" +%Y%m%d).tar.zst
  head -c $((days * 1024)) /dev/zero > "$f"
  touch -d "-$days days" "$f"
done
for hours in 1 6 20 30 50; do
  f=exports/report-${hours}h.csv
  echo "id,value" > "$f"
  touch -d "-$hours hours" "$f"
done
echo "must survive" > outside/precious.tar.zst
ln -s ../outside/precious.tar.zst backups/link-to-outside.tar.zst
touch -h -d "-365 days" backups/link-to-outside.tar.zst
# Users for [occupancy]: carol is over the 2M default quota; dave is big
# but has an 8M quota of his own.
for user in alice bob carol dave; do mkdir -p "users/$user/docs"; done
head -c 300K /dev/urandom > users/alice/docs/thesis.pdf
head -c 50K /dev/urandom > users/bob/docs/notes.txt
head -c 3M /dev/urandom > users/carol/docs/video.mp4
head -c 5M /dev/urandom > users/dave/docs/archive.tar
echo "demo workspace ready in $(pwd):"
ls -l backups exports | sed 's/^/  /'
du -sh users/* | sed 's/^/  /'
