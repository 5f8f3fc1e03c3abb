#!/usr/bin/env bash
# The README's new D1 project, command for command, from `wrangler d1 create`
# to `--remote apply` and `--remote check`, with the stand-in wrangler on PATH
# (tests/d1/stand_in_wrangler: a local file for D1, another for wrangler's
# local database).
#
#   tests/d1/d1_walkthrough_test.sh SCHEMA_BINARY SOURCE_DIR
set -euo pipefail
schema_bin=$1 source=$2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir bin schema
ln -s "$source/tests/d1/stand_in_wrangler" bin/wrangler
export PATH="$work/bin:$PATH" STAND_IN_DB="$work/remote.db" STAND_IN_LOCAL_DB="$work/local.db"
sqlite3 remote.db "PRAGMA user_version = 0" && sqlite3 local.db "PRAGMA user_version = 0"
fail() { echo "FAIL: $*"; cat out.log 2> /dev/null; exit 1; }
schema() { "$schema_bin" "$@" > out.log 2>&1 || fail "schema $*"; }

wrangler d1 create app-db > create.log
{ echo 'name = "app"'; echo; sed -n '/^\[\[d1_databases\]\]/,$p' create.log; } > wrangler.toml
echo 'dialect = "d1"' > schema.toml
echo 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);' > schema/notes.sql
schema diff -m init
[ -f migrations/0001_init.sql ] && [ -f migrations/rollback/0001_init.sql ] || fail "no migration pair"
schema --local apply
[ "$(sqlite3 local.db "SELECT name FROM d1_migrations")" = 0001_init.sql ] || fail "local apply"
schema --local check
schema --remote status
grep -q "app-db (remote): 0 applied, 1 pending" out.log || fail "remote status"
schema --remote apply
grep -q "Time Travel bookmark" out.log || fail "no bookmark printed"
[ "$(sqlite3 remote.db "SELECT name FROM d1_migrations")" = 0001_init.sql ] || fail "remote apply"
schema --remote check
echo "d1 walkthrough: all checks passed"
