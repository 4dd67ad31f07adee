# [occupancy] and [accounts] on PostgreSQL through a private pgbouncer in
# transaction pooling mode (nothing session-scoped may survive a
# transaction): occupancy reads quotas from users and publishes usage
# into app.usage, which its first run creates, and the next run upserts;
# accounts purges exactly the due accounts (data directory, cascade rows,
# account row), its dry run lists the same, the ledger verifies. The
# daemon refuses to start when publish_to's server cannot be reached, and
# --check-config names a missing quota column at its key's line.
source "$(dirname "$0")/lib.bash"
source "$SRC/tests/pg/pg_cluster.bash"

PGDIR=$WORK/pg
BDIR=$WORK/bouncer
pg_start "$PGDIR" -c fsync=off
trap 'bouncer_stop "$BDIR"; pg_stop "$PGDIR"; cleanup' EXIT
bouncer_start "$PGDIR" "$BDIR"
now=$(date -u +%s)
day=86400

psql_value "CREATE SCHEMA app;
CREATE TABLE users (id text PRIMARY KEY, quota_bytes bigint, deleted_at timestamptz);
CREATE TABLE sessions (id bigserial PRIMARY KEY, user_id text);
INSERT INTO users VALUES ('ann', 102400, NULL), ('ben', 1048576, NULL),
  ('gone1', NULL, to_timestamp($now - 31 * $day)), ('gone2', NULL, to_timestamp($now - 29 * $day));
INSERT INTO sessions (user_id) VALUES ('ann'), ('gone1'), ('gone1'), ('gone2');" > /dev/null

mkdir -p "$WORK"/{state,users/ann,users/ben,users/gone1,users/gone2}
head -c 300000 /dev/urandom > "$WORK/users/ann/a"
head -c 9000 /dev/urandom > "$WORK/users/ben/b"
echo x > "$WORK/users/gone1/f"
echo x > "$WORK/users/gone2/f"
# conf QUOTA_URI PUBLISH_URI: occupancy over users/ (quotas from
# users.quota_bytes) and accounts on the same table, both through the URIs given.
conf() {
  cat > "$WORK/r.conf" <<CONF
[daemon]
state_dir = state
[occupancy]
root = users
quota_from = $1 users.quota_bytes
publish_to = $2 app.usage
[accounts]
database = $BOUNCER_URI
table = users
deleted_column = deleted_at
time_format = native
grace = 30d
data_dir = users/{id}
cascade = sessions.user_id
CONF
}
conf "$BOUNCER_URI" "$BOUNCER_URI"

expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --check-config
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once --dry-run
grep -q "would purge account gone1" "$WORK/out" "$WORK/err" || { cat "$WORK/out" "$WORK/err"; fail "dry run: no purge of gone1"; }
grep -q "would purge account gone2" "$WORK/out" "$WORK/err" && fail "dry run: gone2 is not due"
[ -d "$WORK/users/gone1" ] || fail "dry run purged"
[ "$(psql_value "SELECT to_regclass('app.usage') IS NULL")" = t ] || fail "dry run published"

expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once
[ ! -e "$WORK/users/gone1" ] || fail "gone1's directory left"
[ -d "$WORK/users/gone2" ] || fail "gone2's directory purged early"
[ "$(psql_value "SELECT string_agg(id, ',' ORDER BY id) FROM users")" = "ann,ben,gone2" ] || fail "account rows"
[ "$(psql_value "SELECT string_agg(user_id, ',' ORDER BY user_id) FROM sessions")" = "ann,gone2" ] || fail "sessions"
for u in ann ben gone2; do
  want="$u|$(du -s -x -B1 "$WORK/users/$u" | cut -f1)"
  got=$(psql_value "SELECT user_id || '|' || allocated_bytes FROM app.usage WHERE user_id = '$u'")
  [ "$got" = "$want" ] || fail "published $got, du says $want"
done
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" --state-dir "$WORK/state" occupancy --over
grep -q "^ann .*OVER" "$WORK/out" || { cat "$WORK/out"; fail "ann is over her quota from users"; }
grep -q "^ben" "$WORK/out" && fail "ben is under his quota from users"

# The next scan upserts the same rows.
head -c 100000 /dev/urandom > "$WORK/users/ben/c"
expect_code 0 "$RETENTIOND" --config "$WORK/r.conf" --once
[ "$(psql_value "SELECT allocated_bytes FROM app.usage WHERE user_id = 'ben'")" = "$(du -s -x -B1 "$WORK/users/ben" | cut -f1)" ] ||
  fail "ben's usage not updated"
# Upserts only, as on SQLite: gone1, measured before its purge, keeps its row.
[ "$(psql_value "SELECT string_agg(user_id, ',' ORDER BY user_id) FROM app.usage")" = "ann,ben,gone1,gone2" ] || fail "usage rows"
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" --state-dir "$WORK/state" ledger
[ "$(grep -c 'accounts  purge  account gone1' "$WORK/out")" = 1 ] || { cat "$WORK/out"; fail "ledger: purge"; }
expect_code 0 "$RETENTIONCTL" --config "$WORK/r.conf" --state-dir "$WORK/state" verify
served=$(bouncer_logins "$BDIR")
[ "$served" -gt 5 ] || fail "only $served logins through pgbouncer"

# Start and check: an unreachable server and a missing column are named.
conf "$BOUNCER_URI" "postgresql://postgres@/postgres?host=$WORK/nowhere"
expect_code 78 "$RETENTIOND" --config "$WORK/r.conf" --once
grep -q "publish_to: cannot connect to postgresql://postgres@/postgres?host=$WORK/nowhere" "$WORK/err" ||
  { cat "$WORK/err"; fail "start: unreachable publish_to not named"; }
psql_value "ALTER TABLE users RENAME quota_bytes TO quota" > /dev/null
conf "$BOUNCER_URI" "$BOUNCER_URI"
expect_code 78 "$RETENTIOND" --config "$WORK/r.conf" --check-config
grep -q "r.conf:5: \[occupancy\] quota_from: no column quota_bytes in table users" "$WORK/err" ||
  { cat "$WORK/err"; fail "check: missing quota column not named"; }
echo "bouncer_pg: ok ($served logins through pgbouncer)"
