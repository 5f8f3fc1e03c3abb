#!/usr/bin/env bash
# Benchmark: `schema diff --print` on a schema of N tables against a database that
# holds a 10%-changed variant, side by side with `sqlite3 :memory: < declared.sql`
# (what a tool that pushes the whole declared schema through SQLite pays before it
# can compare anything) and `sqldiff --schema` (SQLite's own schema diff tool).
#
#   bench/run.sh [N ...]          default: 1000 5000
#
# Needs a built tree (build/schema) and hyperfine, sqlite3, sqlite3-tools (sqldiff):
#   ./scripts/deps.sh --bench
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
schema_bin="$repo/build/schema"
[ -x "$schema_bin" ] || { echo "build first: cmake -S . -B build -G Ninja && cmake --build build" >&2; exit 2; }
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 5000)
out="$repo/bench/out"
mkdir -p "$out"

for n in "${sizes[@]}"; do
  work="$(mktemp -d)"
  "$repo/bench/gen_schema.py" "$n" "$work"
  mkdir -p "$work/schema"
  cp "$work/declared.sql" "$work/schema/"
  echo "N=$n: building the variant database and a database of the declared schema ..."
  sqlite3 "$work/variant.db" < "$work/variant.sql"
  sqlite3 "$work/declared.db" < "$work/declared.sql"
  cd "$work"
  # Phase timings of one run, for the breakdown in RESULTS.md.
  SCHEMA_TIMING=1 "$schema_bin" --db variant.db --dir gen diff --print 2> "$out/phases-$n.txt" > "$out/plan-$n.sql"
  runs=10
  [ "$n" -ge 5000 ] && runs=3
  hyperfine --warmup 1 --runs "$runs" --export-markdown "$out/hyperfine-$n.md" --export-json "$out/hyperfine-$n.json" \
    -n "schema diff --print" "$schema_bin --db variant.db --dir gen diff --print > /dev/null" \
    -n "sqlite3 :memory: < declared.sql" "sqlite3 :memory: < declared.sql" \
    -n "sqldiff --schema" "sqldiff --schema variant.db declared.db > /dev/null"
  cd "$repo"
  rm -rf "$work"
done
echo "results in $out"
