#!/usr/bin/env bash
# The main job on the bundled example: installs what is missing, builds, then
# shows schema at work on a database it creates. Works in a scratch copy; the
# repository is left as it is.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
# SCHEMA_BIN: an installed schema to run instead (the package check).
bin="${SCHEMA_BIN:-}"
if [ -z "$bin" ]; then
  ./scripts/deps.sh
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build --target schema -j "$(nproc)" >/dev/null
  bin="$repo/build/schema"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r schema generated "$work"
cd "$work"
schema() { echo "\$ schema $*"; "$bin" "$@"; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "1. A new database gets the migrations in generated/ (each written by 'schema diff' from schema/)"
schema --db app.db apply

say "2. It now matches the declared schema, and its history is on record"
schema --db app.db diff
schema --db app.db status

say "3. The app writes rows"
sqlite3 app.db <<'SQL'
PRAGMA foreign_keys = ON;
INSERT INTO users (id, email, display_name) VALUES ('u1', 'ann@example.com', 'Ann'), ('u2', 'bob@example.com', 'Bob');
INSERT INTO sessions (id, user_id, token_hash, expires_at) VALUES ('s1', 'u1', 'h1', 2000000000), ('s2', 'u2', 'h2', 2000000000);
INSERT INTO logbook_entries (id, user_id, timestamp, duration) VALUES ('l1', 'u1', 1700000000, 1800);
SQL
echo "users: $(sqlite3 app.db 'SELECT count(*) FROM users'), sessions: $(sqlite3 app.db 'SELECT count(*) FROM sessions'), logbook entries: $(sqlite3 app.db 'SELECT count(*) FROM logbook_entries')"

say "4. A developer edits schema/users.sql: a new column, and a CHECK that allows one more role"
cp schema/users.sql users.sql.before
sed -i "s/  primary_instrument TEXT,/  primary_instrument TEXT,\n  timezone TEXT NOT NULL DEFAULT 'UTC',/" schema/users.sql
sed -i "s/CHECK (role IN ('user', 'teacher', 'admin'))/CHECK (role IN ('user', 'teacher', 'admin', 'owner'))/" schema/users.sql
diff -u users.sql.before schema/users.sql | tail -n +3 || true

say "5. CI would notice: schema/ no longer matches generated/ and the database"
schema --db app.db check --offline || true

say "6. schema diff writes the migration pair"
schema --db app.db diff -m add_timezone

say "7. The migration it wrote (SQLite cannot ALTER a CHECK: users is rebuilt in place with foreign keys off, as SQLite documents, so the tables that reference it keep their rows; the new table has the declared text)"
cat generated/0004_add_timezone.sql

say "8. Apply it (a backup first): every row is still there, and CI is green again"
schema --db app.db apply
echo "users: $(sqlite3 app.db 'SELECT count(*) FROM users'), sessions: $(sqlite3 app.db 'SELECT count(*) FROM sessions'), logbook entries: $(sqlite3 app.db 'SELECT count(*) FROM logbook_entries'), timezone of u1: $(sqlite3 app.db "SELECT timezone FROM users WHERE id = 'u1'")"
schema --db app.db check

say "9. And back"
schema --db app.db rollback
echo "users: $(sqlite3 app.db 'SELECT count(*) FROM users'), sessions: $(sqlite3 app.db 'SELECT count(*) FROM sessions')"
