#!/usr/bin/env bash
# Benchmark: a CHECK change on a parent table that a large child references (the
# hub case). Side by side, each applying the same change to a fresh copy of the
# same database:
#   - `schema apply` of the sqlite dialect's migration: the parent rebuilt alone
#     with foreign keys off (SQLite's documented procedure), then the runner's
#     PRAGMA foreign_key_check;
#   - the documented procedure written by hand and run with sqlite3 (keys off,
#     rebuild the parent, foreign_key_check, COMMIT): the floor;
#   - `schema apply` of the D1 dialect's migration, which moves the child along
#     (on D1 foreign keys cannot be switched off).
# Peak memory (max RSS) of each is measured with /usr/bin/time.
#
#   bench/hub.sh [PARENT_ROWS] [CHILD_ROWS]     default: 1000 2000000
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
schema_bin="$repo/build/schema"
parents="${1:-1000}"
children="${2:-2000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

declare_schema() {  # $1: the CHECK on parents.score
  mkdir -p schema
  cat > schema/schema.sql <<SQL
CREATE TABLE parents (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  score INTEGER NOT NULL DEFAULT 0 CHECK ($1)
);
CREATE TABLE children (
  id INTEGER PRIMARY KEY,
  parent_id INTEGER NOT NULL REFERENCES parents (id) ON DELETE CASCADE,
  body TEXT NOT NULL
);
CREATE INDEX children_parent ON children (parent_id);
SQL
}

declare_schema "score >= 0"
sqlite3 base.db < schema/schema.sql
sqlite3 base.db "
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $parents)
  INSERT INTO parents SELECT i, 'parent ' || i, i % 100 FROM n;
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $children)
  INSERT INTO children SELECT i, 1 + i % $parents, 'row ' || i FROM n;"
declare_schema "score BETWEEN 0 AND 1000"

# The two generated migrations, each in its own directory.
"$schema_bin" --db base.db --dir sqlite diff -m score_range > /dev/null
mkdir -p d1 && "$schema_bin" --db base.db --dialect d1 --dir d1 diff -m score_range > /dev/null
echo "sqlite dialect: $(grep -c '^CREATE TABLE new_' sqlite/0001_score_range.sql) table(s) rebuilt," \
     "$(wc -l < sqlite/0001_score_range.sql) lines"
echo "D1 dialect:     $(grep -c '^CREATE TABLE new_' d1/0001_score_range.sql) table(s) rebuilt," \
     "$(wc -l < d1/0001_score_range.sql) lines"

cat > by_hand.sql <<'SQL'
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE new_parents (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  score INTEGER NOT NULL DEFAULT 0 CHECK (score BETWEEN 0 AND 1000)
);
INSERT INTO new_parents (id, name, score) SELECT id, name, score FROM parents;
DROP TABLE parents;
ALTER TABLE new_parents RENAME TO parents;
PRAGMA foreign_key_check;
COMMIT;
SQL

peak() {  # peak RSS in MB of a command run on a fresh copy
  cp base.db work.db
  /usr/bin/time -f '%M' -o rss.txt bash -c "$1" > /dev/null
  echo "$(( $(cat rss.txt) / 1024 )) MB"
}
echo "peak memory: schema apply (sqlite) $(peak "$schema_bin --db work.db --dir sqlite apply --no-backup");" \
     "by hand $(peak "sqlite3 work.db < by_hand.sql");" \
     "schema apply (D1 dialect) $(peak "$schema_bin --db work.db --dialect d1 --dir d1 apply --no-backup")"

mkdir -p "$repo/bench/out"
hyperfine --warmup 1 --runs 5 --prepare 'cp base.db work.db' \
  --export-markdown "$repo/bench/out/hub-$parents-$children.md" \
  -n "schema apply (sqlite dialect)" "$schema_bin --db work.db --dir sqlite apply --no-backup" \
  -n "documented procedure by hand (sqlite3)" "sqlite3 work.db < by_hand.sql" \
  -n "schema apply (D1 dialect: child moved along)" "$schema_bin --db work.db --dialect d1 --dir d1 apply --no-backup"
