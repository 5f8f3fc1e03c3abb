#!/usr/bin/env bash
# Benchmark: `schema apply` of one large seed migration whose string literals
# hold many semicolons (a 780 KB INSERT of 24,000 rows, a ; in each value), side
# by side with `sqlite3 app.db < file`. The runner splits a file into statements
# once, in one linear pass; splitting it again at every ';' inside a string
# (asking sqlite3_complete() about ever longer prefixes) is quadratic.
#
#   bench/seed_split.sh [ROWS]        default: 24000
# Prints the best of RUNS (default 5) wall-clock times of each, in seconds.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
schema_bin="${SCHEMA_BIN:-$repo/build/schema}"  # SCHEMA_BIN: another build to compare
[ -x "$schema_bin" ] || { echo "build first" >&2; exit 2; }
rows="${1:-24000}"
runs="${RUNS:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/generated/rollback"
python3 - "$rows" > "$work/generated/0001_seed.sql" <<'PY'
import sys
rows = int(sys.argv[1])
print("CREATE TABLE seed (id INTEGER PRIMARY KEY, note TEXT);")
print("INSERT INTO seed (id, note) VALUES")
print(",\n".join(f"  ({i}, 'n {i:06}; part two')" for i in range(rows)) + ";")
PY
echo "DROP TABLE seed;" > "$work/generated/rollback/0001_seed.sql"
cd "$work"
echo "file: $(wc -c < generated/0001_seed.sql) bytes, $(tr -cd ';' < generated/0001_seed.sql | wc -c) semicolons"
best() {  # best-of-$runs seconds of "$@", each run on a fresh database
  local best=""
  for _ in $(seq "$runs"); do
    rm -f app.db
    local t0 t1
    t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N)
    best=$(python3 -c "t=$t1-$t0; b='$best'; print(t if not b or t < float(b) else b)")
  done
  printf '%.3f' "$best"
}
printf '%-40s %s s\n' "schema apply --no-backup" "$(best "$schema_bin" --db app.db apply --no-backup)"
printf '%-40s %s s\n' "sqlite3 app.db < 0001_seed.sql" "$(best sh -c 'sqlite3 app.db < generated/0001_seed.sql')"
