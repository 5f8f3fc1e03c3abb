#!/usr/bin/env python3
"""Declared text, end to end, over many schema changes.

Each case is a pair of schemas: declare `current`, `schema diff` + `schema apply`
from empty; declare `desired`, diff + apply; then `schema rollback`. After each
step every object's sqlite_master.sql is compared with what SQLite stores when it
runs the declared file itself (after the rollback: with the text before it).
Allowed: the quotes SQLite's RENAME puts around a name it edits; the tables a
file's header names under "Text:" (ALTER TABLE changed them in place, SQLite
edited their text itself); objects the step left alone. Anything else is a
difference, and the script exits 1.

Usage:
  bench/declared_text.py sqldef SQLDEF_CHECKOUT [SCHEMA_BINARY]
      sqldef's public SQLite cases, cmd/sqlite3def/tests*.yml
      (git clone https://github.com/sqldef/sqldef)
  bench/declared_text.py pair CURRENT.sql DESIRED.sql [SCHEMA_BINARY]
      one pair, e.g. bench/gen_schema.py's variant.sql and declared.sql
The binary defaults to build/schema.
"""
import glob
import os
import re
import sqlite3
import subprocess
import sys
import tempfile


def read_cases(path):
    """The cases of one tests*.yml: name -> {key: text}. The files use one
    shape: a case name at column 0, keys indented by two, block scalars (|)
    indented by four, or a quoted empty string."""
    cases, name, key = {}, None, None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if re.match(r"^[A-Za-z0-9_]+:\s*$", line):
            name, key = line[:-1].strip(), None
            cases[name] = {}
        elif name and (m := re.match(r"^  ([a-z_0-9]+):\s*(.*)$", line)):
            key, rest = m.group(1), m.group(2).strip()
            cases[name][key] = "" if rest in ("|", "|-", "''", '""') else rest
            if rest not in ("|", "|-"):
                key = None
        elif name and key and (line.startswith("    ") or not line.strip()):
            cases[name][key] += line[4:] + "\n"
    return cases


def stored_texts(db):
    rows = db.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                      "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_migrations'")
    return {f"{t} {n.lower()}": s for t, n, s in rows}


def declared_texts(text):
    db = sqlite3.connect(":memory:")
    db.executescript(text)
    return stored_texts(db)


CATEGORIES = ["same text", "same but the quotes RENAME adds", "edited in place by ALTER (file header says so)",
              "kept: the migration left it alone", "different"]

TOKEN = re.compile(r'--[^\n]*|/\*.*?(?:\*/|$)|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]|\'(?:[^\']|\'\')*\'|[A-Za-z0-9_$\x80-\uffff]+|.', re.S)


def tokens(text):
    out = []
    for t in TOKEN.findall(text):
        if t[0] in '"`':
            out.append(("id", t[1:-1].replace(t[0] * 2, t[0])))
        elif t[0] == "[":
            out.append(("id", t[1:-1]))
        elif t[0] == "'":
            out.append(("other", t))
        elif re.match(r"[A-Za-z0-9_$\x80-\uffff]", t):
            out.append(("id", t))
        else:
            out.append(("other", t))
    return out


def compare(got, want, exempt, before=None):
    """Counts (exact, quoting only, edited in place, kept, different) and the
    differences. `before`: the texts before the step; an object the step left
    alone keeps its text (its declaration differs in words only: `users` and
    `USERS`, `AS (c + 1)` and `AS (c + 1) VIRTUAL`)."""
    counts, diffs = [0] * len(CATEGORIES), []
    for key, text in want.items():
        have = got.get(key)
        if have == text:
            counts[0] += 1
        elif have is not None and tokens(have) == tokens(text):
            counts[1] += 1
        elif key.startswith("table ") and key[6:] in exempt:
            counts[2] += 1
        elif before and have is not None and before.get(key) == have:
            counts[3] += 1
        else:
            counts[4] += 1
            diffs.append(f"{key}\n      want: {text!r}\n      got:  {have!r}")
    for key in got.keys() - want.keys():
        counts[4] += 1
        diffs.append(f"{key}: not declared")
    return counts, diffs


def edited_in_place(project):
    """Tables the newest forward file's header names under "Text:"."""
    files = sorted(f for f in glob.glob(os.path.join(project, "generated", "*.sql")))
    if not files:
        return set()
    lines = open(files[-1], encoding="utf-8").read().split("\n\n", 1)[0].splitlines()
    if not any(line.startswith("-- Text:") for line in lines):
        return set()
    start = next(i for i, line in enumerate(lines) if line.startswith("-- Text:"))
    names, listing = [], False
    for line in lines[start + 1:]:
        if line.startswith("--   "):
            names.append(line[5:])
            listing = True
        elif listing:
            break
    names = " ".join(names)
    return {n.strip().strip('"').lower() for n in names.split(",")}


def schema(binary, project, *args):
    r = subprocess.run([binary, "--db", "app.db", *args], cwd=project, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def run_case(binary, name, case):
    with tempfile.TemporaryDirectory() as project:
        os.makedirs(os.path.join(project, "schema"))
        declared_file = os.path.join(project, "schema", "schema.sql")
        db_path = os.path.join(project, "app.db")
        totals, problems = [0] * len(CATEGORIES), []

        def step(label, text, exempt_from_header):
            before = stored_texts(sqlite3.connect(db_path)) if os.path.exists(db_path) else {}
            with open(declared_file, "w", encoding="utf-8") as f:
                f.write(text)
            code, out = schema(binary, project, "diff", "-m", label, "--allow-data-loss")
            if code != 0:
                return f"diff ({label}) exit {code}: {out.strip()}"
            code, out = schema(binary, project, "apply")
            if code != 0:
                return f"apply ({label}) exit {code}: {out.strip()}"
            exempt = edited_in_place(project) if exempt_from_header else set()
            counts, diffs = compare(stored_texts(sqlite3.connect(db_path)), declared_texts(text), exempt, before)
            for i in range(len(CATEGORIES)):
                totals[i] += counts[i]
            problems.extend(f"{label}: {d}" for d in diffs)
            return None

        try:
            declared_texts(case.get("current", ""))
            declared_texts(case.get("desired", ""))
        except sqlite3.Error as e:
            return None, [f"skipped: SQLite refuses the case ({e})"]
        if case.get("current", "").strip():
            if err := step("current", case["current"], False):
                return totals, [err]
        before = stored_texts(sqlite3.connect(db_path)) if os.path.exists(db_path) else {}
        if err := step("desired", case.get("desired", ""), True):
            return totals, [err]
        migrations = glob.glob(os.path.join(project, "generated", "*.sql"))
        if len(migrations) > (1 if case.get("current", "").strip() else 0):
            code, out = schema(binary, project, "rollback")
            if code != 0:
                return totals, [f"rollback exit {code}: {out.strip()}"]
            # A rollback of an ALTER TABLE in place leaves SQLite's edit of the text too.
            counts, diffs = compare(stored_texts(sqlite3.connect(db_path)), before, edited_in_place(project))
            for i in range(len(CATEGORIES)):
                totals[i] += counts[i]
            problems.extend(f"rollback: {d}" for d in diffs)
        return totals, problems


def report(ran, skipped, totals, failed):
    print(f"cases: {ran} run, {skipped} skipped (SQLite refuses them)")
    print(f"objects compared after each step: {sum(totals)}")
    for name, count in zip(CATEGORIES, totals):
        print(f"  {name + ':':50} {count}")
    print(f"cases with a difference or a failure: {len(failed)}")
    for name, problems in failed:
        print(f"  {name}")
        for p in problems[:20]:
            print(f"    {p}")
        if len(problems) > 20:
            print(f"    ... {len(problems) - 20} more")


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("sqldef", "pair"):
        sys.exit(__doc__)
    mode, rest = sys.argv[1], sys.argv[2:]
    if mode == "sqldef":
        files = sorted(glob.glob(os.path.join(rest[0], "cmd", "sqlite3def", "tests*.yml")))
        if not files:
            sys.exit(f"no cmd/sqlite3def/tests*.yml under {rest[0]}")
        cases = [(f"{os.path.basename(path)}:{name}", case)
                 for path in files for name, case in read_cases(path).items()]
        binary_arg = rest[1:]
    else:
        if len(rest) < 2:
            sys.exit(__doc__)
        cases = [(f"{rest[0]} -> {rest[1]}", {"current": open(rest[0], encoding="utf-8").read(),
                                              "desired": open(rest[1], encoding="utf-8").read()})]
        binary_arg = rest[2:]
    binary = os.path.abspath(binary_arg[0] if binary_arg else
                             os.path.join(os.path.dirname(__file__), "..", "build", "schema"))
    totals, failed, skipped, ran = [0] * len(CATEGORIES), [], 0, 0
    for name, case in cases:
        counts, problems = run_case(binary, name, case)
        if counts is None:
            skipped += 1
            continue
        ran += 1
        for i in range(len(CATEGORIES)):
            totals[i] += counts[i]
        if problems:
            failed.append((name, problems))
    report(ran, skipped, totals, failed)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
