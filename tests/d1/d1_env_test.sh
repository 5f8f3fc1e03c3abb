#!/usr/bin/env bash
# wrangler's environments end to end, with the real wrangler and its local D1:
# `--env staging` (or SCHEMA_ENV) makes schema write where `wrangler d1
# migrations apply --env staging` reads ([env.staging]'s migrations_dir) and read
# the history where it records it (migrations_table); without --env, a config
# whose D1 databases live only in environments is refused, not guessed at.
#
#   tests/d1/d1_env_test.sh SCHEMA_BINARY WRANGLER_BINARY
set -euo pipefail
schema_bin=$1 wrangler=$2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
export CI=1 WRANGLER_SEND_METRICS=false NO_COLOR=1
fail() { echo "FAIL: $*"; exit 1; }
w() { "$wrangler" "$@" > wrangler.log 2>&1 || { cat wrangler.log; fail "wrangler $*"; }; }

mkdir -p src schema sub/dir
cat > wrangler.toml <<'TOML'
name = "schema-d1-env-test"
main = "src/index.js"
compatibility_date = "2024-09-01"

[env.staging]
[[env.staging.d1_databases]]
binding = "DB"
database_name = "app-staging"
database_id = "00000000-0000-0000-0000-000000000002"
migrations_dir = "staging/migrations"
migrations_table = "staging_log"
TOML
echo 'export default { fetch() { return new Response("ok"); } };' > src/index.js
echo 'dialect = "d1"' > schema.toml
echo 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);' > schema/notes.sql

# Without --env: refused, with the way out.
if "$schema_bin" diff -m init > out.log 2>&1; then fail "diff without --env wrote somewhere"; fi
grep -q "only in its environments (staging): pick one with --env NAME" out.log || { cat out.log; fail "message"; }

# 1. wrangler --env staging creates the local database; schema --env staging
#    finds it and writes where wrangler reads; wrangler applies it.
mkdir -p staging/migrations
w d1 migrations apply app-staging --local --env staging
"$schema_bin" --env staging diff -m init > /dev/null || fail "schema --env staging diff"
[ -f staging/migrations/0001_init.sql ] || fail "0001 not in [env.staging]'s migrations_dir"
w d1 migrations apply app-staging --local --env staging
db=$(ls .wrangler/state/v3/d1/miniflare-D1DatabaseObject/*.sqlite | grep -v metadata.sqlite)
[ "$(sqlite3 "$db" "SELECT name FROM staging_log")" = "0001_init.sql" ] || fail "wrangler did not record 0001"

# 2. From a subfolder, with SCHEMA_ENV: the config is found, the history read
#    from migrations_table; the next migration is applied by schema and
#    wrangler then sees nothing pending.
cd sub/dir
SCHEMA_ENV=staging "$schema_bin" status | grep -q '0001 .*applied' || fail "status from a subfolder"
echo 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, tag TEXT);' > ../../schema/notes.sql
SCHEMA_ENV=staging "$schema_bin" diff -m tag > /dev/null || fail "diff from a subfolder"
SCHEMA_ENV=staging "$schema_bin" apply --no-backup > /dev/null || fail "apply"
cd ../..
[ -f staging/migrations/0002_tag.sql ] || fail "0002 not in [env.staging]'s migrations_dir"
[ "$(sqlite3 "$db" "SELECT group_concat(name, ' ') FROM (SELECT name FROM staging_log ORDER BY id)")" = \
  "0001_init.sql 0002_tag.sql" ] || fail "schema did not record 0002 where wrangler reads"
"$wrangler" d1 migrations list app-staging --local --env staging > list.log 2>&1 || { cat list.log; fail "list"; }
grep -q "No migrations to apply" list.log || { cat list.log; fail "wrangler sees a migration pending"; }
[ "$(sqlite3 "$db" "SELECT count(*) FROM sqlite_master WHERE name = 'd1_migrations'")" = 0 ] \
  || fail "a d1_migrations table appeared beside staging_log"
echo "ok: --env staging writes and records where wrangler --env staging reads"
