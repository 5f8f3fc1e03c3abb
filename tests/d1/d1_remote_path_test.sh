#!/usr/bin/env bash
# The path `schema --remote` takes, end to end with the real wrangler on its
# local D1: `--local` runs exactly the same code, with --local in place of
# --remote on every wrangler command (tests/d1_remote_test.cpp checks each
# command's arguments for --remote with a stand-in). From a new project:
#   1. `schema diff` with no database yet writes the first migration;
#   2. `schema --local apply` applies it with `wrangler d1 migrations apply`
#      after an export of the database (the backup);
#   3. `schema --local status` and `check` read the schema and d1_migrations
#      through `wrangler d1 execute --json`; wrangler sees nothing pending;
#   4. a second migration, diffed against the database wrangler shows, applied,
#      then rolled back in one `wrangler d1 execute` batch with its history row.
#
#   tests/d1/d1_remote_path_test.sh SCHEMA_BINARY WRANGLER_BINARY
set -euo pipefail
schema_bin=$1
export SCHEMA_WRANGLER=$2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
export CI=1 WRANGLER_SEND_METRICS=false NO_COLOR=1
fail() { echo "FAIL: $*"; exit 1; }
run() { "$schema_bin" "$@" > out.log 2>&1 || { cat out.log; fail "schema $*"; }; }
rows() { "$SCHEMA_WRANGLER" d1 execute app-db --local --json --command "$1" 2> /dev/null | tr -d ' \n'; }

mkdir -p src schema
cat > wrangler.toml <<'TOML'
name = "schema-d1-remote-path-test"
main = "src/index.js"
compatibility_date = "2024-09-01"

[[d1_databases]]
binding = "DB"
database_name = "app-db"
database_id = "00000000-0000-0000-0000-000000000003"
TOML
echo 'export default { fetch() { return new Response("ok"); } };' > src/index.js
echo 'dialect = "d1"' > schema.toml
echo 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);' > schema/notes.sql

# 1. No database anywhere yet.
run diff -m init
[ -f migrations/0001_init.sql ] || fail "diff wrote no migration"

# 2. Applied by wrangler, through schema.
run --local apply
grep -q "applied      0001 init" out.log || { cat out.log; fail "apply did not say what it applied"; }
grep -q "(wrangler d1 export)" out.log || { cat out.log; fail "no backup before the change"; }
ls .wrangler/schema-backups/app-db.*.sql > /dev/null || fail "the export is not there"
[ "$(rows "SELECT name FROM d1_migrations")" = '[{"results":[{"name":"0001_init.sql"}],"success":true,"meta":{"duration":0}}]' ] \
  || rows "SELECT name FROM d1_migrations" | grep -q '"name":"0001_init.sql"' || fail "d1_migrations has no 0001"

# 3. Read back through wrangler.
run --local status
grep -q "app-db (local): 1 applied, 0 pending" out.log || { cat out.log; fail "status"; }
run --local check
"$SCHEMA_WRANGLER" d1 migrations list app-db --local 2>&1 | grep -q "No migrations to apply" || fail "wrangler sees pending"

# 4. The next migration, against what wrangler shows; applied; rolled back.
echo 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, title TEXT);' > schema/notes.sql
run --local diff -m add_title
grep -q "ALTER TABLE notes ADD COLUMN title" migrations/0002_add_title.sql || fail "0002 is not an ALTER"
run --local apply --no-backup
rows "SELECT name FROM pragma_table_info('notes') WHERE name = 'title'" | grep -q '"name":"title"' || fail "no title"
run --local rollback --no-backup
grep -q "rolled back  0002 add_title" out.log || { cat out.log; fail "rollback"; }
rows "SELECT count(*) AS n FROM pragma_table_info('notes') WHERE name = 'title'" | grep -q '"n":0' || fail "title stayed"
rows "SELECT count(*) AS n FROM d1_migrations" | grep -q '"n":1' || fail "0002's row stayed"
run --local status
grep -q "1 applied, 1 pending" out.log || { cat out.log; fail "status after rollback"; }
echo "d1 remote path (local): all checks passed"
