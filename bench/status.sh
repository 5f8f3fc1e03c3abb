#!/usr/bin/env bash
# Benchmark: `schema status` with 10,000 applied migrations (target: under 100 ms).
# Status reads every migration file, hashes it (SHA-256) and compares it with the
# tracking table. Side by side: reading the tracking table alone with sqlite3,
# the floor for any tool that reports status from the database, and sha256sum
# over the same files, the floor for hashing them.
#
#   bench/status.sh [COUNT]        default: 10000
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
schema_bin="$repo/build/schema"
count="${1:-10000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/generated/rollback"
for i in $(seq 1 "$count"); do
  n=$(printf '%05d' "$i")
  printf -- '-- migration %s\nINSERT INTO log (n) VALUES (%s);\n' "$n" "$i" > "$work/generated/${n}_step.sql"
  printf -- '-- rollback %s\nDELETE FROM log WHERE n = %s;\n' "$n" "$i" > "$work/generated/rollback/${n}_step.sql"
done
cd "$work"
sqlite3 app.db "CREATE TABLE log (n INTEGER)"
"$schema_bin" --db app.db baseline "$count" > /dev/null
"$schema_bin" --db app.db status > status.txt && head -1 status.txt
mkdir -p "$repo/bench/out"
hyperfine --warmup 2 --runs 20 --export-markdown "$repo/bench/out/status-$count.md" \
  -n "schema status" "$schema_bin --db app.db status > /dev/null" \
  -n "schema --json status" "$schema_bin --db app.db --json status > /dev/null" \
  -n "sqlite3: SELECT * FROM _migrations" "sqlite3 app.db 'SELECT * FROM _migrations' > /dev/null" \
  -n "sha256sum of the same files" "find generated -name '*.sql' -print0 | xargs -0 sha256sum > /dev/null"
