#!/usr/bin/env python3
"""Generates a rich schema of N tables and a variant with about 10% of it changed.

    gen_schema.py N OUT_DIR

writes OUT_DIR/declared.sql (the schema to reach) and OUT_DIR/variant.sql (what
the database holds). Every table has columns of every kind (INTEGER PRIMARY KEY,
NOT NULL with defaults, CHECK, COLLATE, a generated column, a foreign key), two
or three indexes (plain, unique, partial or expression); every
tenth table has a trigger, every twentieth a view. The variant differs in one
table of ten: a column more, a CHECK changed, an index changed, an index more,
or an index and a view changed. Deterministic for a given N.

Foreign keys follow the shape of real applications: tables come in modules of
ten, each module's first table references the first table of an earlier module,
the others reference their module's first table or a sibling.
"""
import os
import random
import sys


def parent_of(i, rng):
    root = i - (i - 1) % 10
    if i == root:
        return rng.randrange(1, root, 10) if root > 1 else None
    return rng.choice([root, rng.randrange(root, i)])


def table(i, rng, variant):
    parent = parent_of(i, rng)
    kind = i % 50  # one table in ten changes: kinds 1, 3, 5, 7, 9
    cols = [
        "  id INTEGER PRIMARY KEY",
        f"  code TEXT NOT NULL DEFAULT 'c{i}' COLLATE NOCASE",
        "  amount REAL NOT NULL DEFAULT 0 CHECK (amount >= 0)" if not (variant and kind == 3)
        else "  amount REAL NOT NULL DEFAULT 0 CHECK (amount >= 0 AND amount < 1e9)",
        "  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'open', 'closed'))",
        "  payload BLOB",
        "  created_at INTEGER NOT NULL DEFAULT (unixepoch())",
        "  code_upper TEXT GENERATED ALWAYS AS (upper(code)) VIRTUAL",
    ]
    if parent:
        cols.append(f"  parent_id INTEGER REFERENCES t{parent} (id) ON DELETE CASCADE")
    if variant and kind == 1:
        cols.append("  note TEXT")
    out = [f"CREATE TABLE t{i} (\n" + ",\n".join(cols) + "\n);"]
    out.append(f"CREATE UNIQUE INDEX t{i}_code ON t{i} (code);")
    if not (variant and kind == 7):
        out.append(f"CREATE INDEX t{i}_open ON t{i} (created_at) WHERE status <> 'closed';")
    if variant and kind == 5:
        out.append(f"CREATE INDEX t{i}_amount ON t{i} (amount, status);")
    else:
        out.append(f"CREATE INDEX t{i}_amount ON t{i} (amount);")
    if i % 10 == 0 or (variant and kind == 9):
        out.append(f"CREATE INDEX t{i}_lower ON t{i} (lower(code));")
        out.append(
            f"CREATE TRIGGER t{i}_close AFTER UPDATE OF status ON t{i} WHEN NEW.status = 'closed'\n"
            f"BEGIN\n  UPDATE t{i} SET amount = 0 WHERE id = NEW.id;\nEND;")
    if i % 20 == 0:
        cond = "status = 'open'" if not (variant and i % 200 == 0) else "status IN ('new', 'open')"
        out.append(f"CREATE VIEW v{i} AS SELECT id, code, amount FROM t{i} WHERE {cond};")
    return "\n".join(out)


def main():
    n, out_dir = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    for name, variant in (("declared.sql", False), ("variant.sql", True)):
        rng = random.Random(n)
        with open(os.path.join(out_dir, name), "w") as f:
            for i in range(1, n + 1):
                f.write(table(i, rng, variant) + "\n\n")


if __name__ == "__main__":
    main()
