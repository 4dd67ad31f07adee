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
echo "demo workspace ready in $(pwd):"
ls -l backups exports | sed 's/^/  /'
