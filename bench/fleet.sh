#!/usr/bin/env bash
# Benchmark: `schema apply --fleet` over N small tenant databases (default
# 2,000), -j1 against -j2, side by side with the same SQL run by SQLite alone
# (build/fleet_floor, bench/fleet_floor.cpp: one connection per tenant, one
# transaction per migration, nothing else). Each timed run starts from the same
# fleet at version 1; applying brings it to 3 (0002 rebuilds a table for a new
# CHECK and NOT NULL, 0003 adds a column, an index and a table).
#
#   bench/fleet.sh [N [ROUNDS]]        (defaults: 2000 databases, 8 rounds)
#
# hyperfine times each command in a block of runs; then schema and the floor
# are timed in pairs, ROUNDS rounds at -j1 and at -j2, rotating which runs
# first, each run on fresh copies (ROUNDS=0 skips this). On a disk whose speed
# drifts between blocks (two blocks of the same floor command have differed
# by 1.25x here) only the pairs compare: the target is read from the ratio of
# their sums, which the last lines print.
#
# Needs a built tree (build/schema, build/fleet_floor), hyperfine, sqlite3 and python3:
#   ./scripts/deps.sh --bench
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
schema_bin="$repo/build/schema"
[ -x "$schema_bin" ] || { echo "build first: cmake -S . -B build -G Ninja && cmake --build build" >&2; exit 2; }
n=${1:-2000}
rounds=${2:-8}
out="$repo/bench/out"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

mkdir schema
cat > schema/app.sql <<'SQL'
CREATE TABLE accounts (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE, plan TEXT);
CREATE TABLE projects (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name TEXT, status TEXT);
CREATE TABLE tasks (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0);
CREATE INDEX tasks_project ON tasks (project_id);
SQL
"$schema_bin" --db seed.db diff -m init > /dev/null
"$schema_bin" --db seed.db apply --no-backup > /dev/null
python3 - <<'PY'
import sqlite3
db = sqlite3.connect("seed.db")
db.execute("INSERT INTO accounts (email, plan) VALUES ('owner@example.com', 'pro')")
for p in range(1, 11):
    db.execute("INSERT INTO projects (id, account_id, name, status) VALUES (?, 1, ?, 'open')", (p, f"project {p}"))
    for t in range(20):
        db.execute("INSERT INTO tasks (project_id, title) VALUES (?, ?)", (p, f"task {t}"))
db.commit()
PY
sed -i "s/  name TEXT, status TEXT);/  name TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')));/" schema/app.sql
"$schema_bin" --db seed.db diff -m project_status > /dev/null
cat >> schema/app.sql <<'SQL'
CREATE TABLE labels (id INTEGER PRIMARY KEY, task_id INTEGER REFERENCES tasks (id) ON DELETE CASCADE, name TEXT);
CREATE INDEX tasks_done ON tasks (done);
SQL
sed -i "s/done INTEGER NOT NULL DEFAULT 0);/done INTEGER NOT NULL DEFAULT 0, due TEXT);/" schema/app.sql
"$schema_bin" --db seed.db diff -m labels_and_due > /dev/null

mkdir pristine
echo "creating $n tenant databases ..."
for i in $(seq -w 1 "$n"); do cp seed.db "pristine/t$i.db"; done
du -sh pristine
reset='rm -rf tenants && cp -r pristine tenants && sync'

hyperfine --warmup 1 --runs 5 --prepare "$reset" \
  --export-markdown "$out/fleet-$n.md" --export-json "$out/fleet-$n.json" \
  -n "schema apply --fleet -j1" "$schema_bin apply --fleet 'tenants/*.db' -j 1 --no-backup > /dev/null" \
  -n "schema apply --fleet -j2" "$schema_bin apply --fleet 'tenants/*.db' -j 2 --no-backup > /dev/null" \
  -n "schema apply --fleet -j2, with backups" "$schema_bin apply --fleet 'tenants/*.db' -j 2 > /dev/null" \
  -n "SQLite alone (fleet_floor -j1)" "$repo/build/fleet_floor -j 1 'tenants/*.db' generated/0002_*.sql generated/0003_*.sql" \
  -n "SQLite alone with a history row (fleet_floor --track -j1)" "$repo/build/fleet_floor -j 1 --track 'tenants/*.db' generated/0002_*.sql generated/0003_*.sql" \
  -n "SQLite alone (fleet_floor -j2)" "$repo/build/fleet_floor -j 2 'tenants/*.db' generated/0002_*.sql generated/0003_*.sql"
hyperfine --runs 5 --export-markdown "$out/fleet-status-$n.md" \
  -n "schema status --fleet (all current)" "$schema_bin status --fleet 'tenants/*.db' > /dev/null"
if [ "$rounds" -gt 0 ]; then
  paired="$out/fleet-paired-$n.txt"
  : > "$paired"
  for j in 1 2; do
    cmds=("$schema_bin apply --fleet 'tenants/*.db' -j $j --no-backup > /dev/null"
          "$repo/build/fleet_floor -j $j 'tenants/*.db' generated/0002_*.sql generated/0003_*.sql"
          "$repo/build/fleet_floor -j $j --track 'tenants/*.db' generated/0002_*.sql generated/0003_*.sql")
    names=(schema floor floor_track)
    for r in $(seq 1 "$rounds"); do
      line="-j$j round $r:"
      for k in 0 1 2; do
        i=$(( (k + r) % 3 ))
        eval "$reset"
        t0=$(date +%s%N); eval "${cmds[$i]}"; t1=$(date +%s%N)
        line="$line ${names[$i]}=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')"
      done
      echo "$line" | tee -a "$paired"
    done
    # The ratio of the sums over this -j's rounds.
    grep "^-j$j round" "$paired" | awk -v j="$j" '{
        for (f = 4; f <= NF; ++f) { split($f, kv, "="); sum[kv[1]] += kv[2] }
      } END {
        printf "-j%s: schema / floor = %.3f, schema / floor with a history row = %.3f\n",
               j, sum["schema"] / sum["floor"], sum["schema"] / sum["floor_track"]
      }' | tee -a "$paired"
  done
fi
# One run's output, for RESULTS.md.
eval "$reset"
"$schema_bin" apply --fleet 'tenants/*.db' -j 2 --no-backup | tee "$out/fleet-run-$n.txt"
"$schema_bin" status --fleet 'tenants/*.db' | tee -a "$out/fleet-run-$n.txt"
echo "results in $out"
