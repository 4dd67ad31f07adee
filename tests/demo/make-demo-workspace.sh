#!/usr/bin/env bash
# Generates the quick-start demo workspace in DIR (default build/demo):
# backups and exports of various ages, so the demo daemon has something to
# expire, and a symlink pointing outside the workspace that it must remove
# as a link without touching its target; and an application database
# (app.db, WAL) whose auth_tokens and events rows sit around their deadlines,
# some of them expiring in every minute of the demo, and accounts marked
# deleted 31 days ago (erin, purged at once) and 29 days ago (frank, not yet).
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
now=$(date -u +%s)
sqlite3 app.db <<SQL > /dev/null
PRAGMA journal_mode = WAL;
CREATE TABLE auth_tokens (id INTEGER PRIMARY KEY, purpose TEXT NOT NULL,
  token TEXT NOT NULL, created_at INTEGER NOT NULL, used_at INTEGER);
CREATE INDEX auth_tokens_created_at ON auth_tokens(created_at);
CREATE INDEX auth_tokens_used_at ON auth_tokens(used_at);
CREATE TABLE events (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL,
  name TEXT NOT NULL);
CREATE INDEX events_ts ON events(ts);
-- Reset tokens 40..80 minutes old, one a minute: one more expires (1 h)
-- every minute of the demo. Every fifth was used 5 minutes after issue.
WITH RECURSIVE m(x) AS (SELECT 40 UNION ALL SELECT x + 1 FROM m WHERE x < 80)
INSERT INTO auth_tokens (purpose, token, created_at, used_at)
  SELECT 'reset', hex(randomblob(16)), $now - x * 60,
         CASE WHEN x % 5 = 0 THEN $now - x * 60 + 300 END FROM m;
-- Verify tokens 23.5..24.5 hours old, one every two minutes (24 h).
WITH RECURSIVE m(x) AS (SELECT 1410 UNION ALL SELECT x + 2 FROM m
                        WHERE x < 1470)
INSERT INTO auth_tokens (purpose, token, created_at)
  SELECT 'verify', hex(randomblob(16)), $now - x * 60 FROM m;
-- 30,000 analytics events over 420 days; those older than 395 days expire.
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 30000)
INSERT INTO events (ts, name)
  SELECT $now - x * 1209, 'page_view' FROM n;
-- Accounts for [accounts]: erin was marked deleted 31 days ago (purged at
-- once: grace 30d), frank 29 days ago (two more days); the rest are live.
CREATE TABLE accounts (id TEXT PRIMARY KEY, email TEXT NOT NULL,
  deleted_at INTEGER);
INSERT INTO accounts VALUES ('alice', 'alice@example.com', NULL),
  ('bob', 'bob@example.com', NULL), ('carol', 'carol@example.com', NULL),
  ('dave', 'dave@example.com', NULL),
  ('erin', 'erin@example.com', $now - 31 * 86400),
  ('frank', 'frank@example.com', $now - 29 * 86400);
CREATE TABLE sessions (id INTEGER PRIMARY KEY, account_id TEXT NOT NULL,
  started_at INTEGER NOT NULL);
CREATE INDEX sessions_account_id ON sessions(account_id);
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3)
INSERT INTO sessions (account_id, started_at)
  SELECT a.id, $now - x * 3600 FROM accounts AS a, n;
SQL
# Users for [occupancy]: carol is over the 2M default quota; dave is big
# but has an 8M quota of his own.
for user in alice bob carol dave erin frank; do mkdir -p "users/$user/docs"; done
head -c 300K /dev/urandom > users/alice/docs/thesis.pdf
head -c 50K /dev/urandom > users/bob/docs/notes.txt
head -c 3M /dev/urandom > users/carol/docs/video.mp4
head -c 5M /dev/urandom > users/dave/docs/archive.tar
# The deleted accounts' files ([accounts]).
head -c 100K /dev/urandom > users/erin/docs/cv.pdf
head -c 100K /dev/urandom > users/frank/docs/cv.pdf
# A few lines a newcomer reads; `ls -l build/demo/*` shows the rest.
echo "demo workspace ready in $(pwd):"
echo "  $(ls backups | wc -l) backups (1 to 400 days old)," \
     "$(ls exports | wc -l) exports (1 to 50 hours old), 6 users' directories"
sqlite3 app.db "SELECT '  app.db: ' ||
  (SELECT count(*) FROM auth_tokens WHERE purpose = 'reset') ||
  ' reset and ' ||
  (SELECT count(*) FROM auth_tokens WHERE purpose = 'verify') ||
  ' verify tokens, ' || printf('%,d', (SELECT count(*) FROM events)) ||
  ' analytics events';
  SELECT '  accounts marked deleted: ' ||
  group_concat(id || ' ' || ((strftime('%s') - deleted_at) / 86400) ||
  ' days ago', ', ') FROM accounts WHERE deleted_at IS NOT NULL"
