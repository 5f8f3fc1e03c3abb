#!/usr/bin/env bash
# cmake --install into a clean prefix, then each installed file checked as its
# user would use it: the binary away from the build tree, the man pages through
# man, the bash completion through bash's own completion machinery, the
# library through pkg-config and through find_package (the embedded example,
# which migrates a database at start-up).
#   install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" > "$work/install.log"

echo "== every file in place"
pages=$("$build/schema" help | awk '/^Subcommands:/{on=1; next} /^$/{on=0} on {print $1}')  # (no early exit: SIGPIPE)
expected=(bin/schema share/man/man1/schema.1 share/bash-completion/completions/schema
  share/zsh/site-functions/_schema share/fish/vendor_completions.d/schema.fish
  include/schema/migrator.hpp include/schema/migrate.hpp include/schema/version.hpp lib/libschema.a
  lib/cmake/schema/schemaConfig.cmake lib/cmake/schema/schemaConfigVersion.cmake
  lib/cmake/schema/schemaTargets.cmake lib/cmake/schema/SchemaEmbed.cmake lib/pkgconfig/schema.pc)
for c in $pages; do expected+=("share/man/man1/schema-$c.1"); done
for f in "${expected[@]}"; do [ -s "$prefix/$f" ] || fail "$f was not installed"; done
echo "${#expected[@]} files"

echo "== the installed binary, away from the build tree"
(cd "$work" && "$prefix/bin/schema" --version) | tee "$work/version"
grep -q "^schema [0-9]" "$work/version" || fail "--version names no version"
grep -q "SQLite 3\." "$work/version" || fail "--version names no SQLite"

echo "== man renders every page"
for page in "$prefix"/share/man/man1/*.1; do
  out=$(MANWIDTH=80 man -l "$page" 2>&1) || fail "man -l $page: $out"
  grep -q "NAME" <<<"$out" || fail "$page has no NAME section"
done
MANWIDTH=80 man -l "$prefix/share/man/man1/schema-diff.1" | grep -q -- "--allow-data-loss" \
  || fail "schema-diff(1) does not list --allow-data-loss"
MANPATH="$prefix/share/man" man -w schema-apply > /dev/null || fail "man cannot find schema-apply in the prefix"

echo "== bash completion"
bash -c '
  source "$1"
  complete -p schema | grep -q "_schema" || { echo "no completion for schema"; exit 1; }
  COMP_WORDS=(schema ap); COMP_CWORD=1; _schema
  [ "${COMPREPLY[*]}" = "apply" ] || { echo "schema ap<TAB>: ${COMPREPLY[*]}"; exit 1; }
  COMP_WORDS=(schema r); COMP_CWORD=1; _schema
  [ "${COMPREPLY[*]}" = "rollback rollback-for repair rebase" ] || { echo "schema r<TAB>: ${COMPREPLY[*]}"; exit 1; }
  COMP_WORDS=(schema apply --dr); COMP_CWORD=2; _schema
  [ "${COMPREPLY[*]}" = "--dry-run" ] || { echo "schema apply --dr<TAB>: ${COMPREPLY[*]}"; exit 1; }
  COMP_WORDS=(schema check --format g); COMP_CWORD=3; _schema
  [ "${COMPREPLY[*]}" = "github" ] || { echo "schema check --format g<TAB>: ${COMPREPLY[*]}"; exit 1; }
' _ "$prefix/share/bash-completion/completions/schema" || fail "bash completion"
if command -v zsh > /dev/null; then zsh -n "$prefix/share/zsh/site-functions/_schema" || fail "zsh syntax"; fi
if command -v fish > /dev/null; then fish -n "$prefix/share/fish/vendor_completions.d/schema.fish" || fail "fish syntax"; fi

echo "== pkg-config: a program that applies a directory's migrations to a memory database"
mkdir -p "$work/pc"
cat > "$work/pc/main.cpp" <<'CPP'
#include <schema/migrator.hpp>
#include <cstdio>
int main(int, char** argv) {
    sqlite3* db = nullptr;
    sqlite3_open(":memory:", &db);
    schema::Migrator m(db, schema::MigrationSource::directory(argv[1]));
    auto r = m.apply_pending();
    if (!r) { std::fprintf(stderr, "%s\n", r.error->message.c_str()); return 1; }
    std::printf("%d %lld\n", r.count, static_cast<long long>(r.version));
    sqlite3_close(db);
    return 0;
}
CPP
flags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs schema)
c++ -std=c++20 "$work/pc/main.cpp" -o "$work/pc/app" $flags
out=$("$work/pc/app" "$source/examples/embedded/migrations")
[ "$out" = "2 2" ] || fail "pkg-config program: $out"

echo "== the embedded example, built with find_package against the prefix"
cp -r "$source/examples/embedded" "$work/example"
cmake -S "$work/example" -B "$work/example/build" -DCMAKE_PREFIX_PATH="$prefix" > "$work/example.log" \
  || { cat "$work/example.log"; fail "configuring the example"; }
cmake --build "$work/example/build" > "$work/example-build.log" 2>&1 \
  || { cat "$work/example-build.log"; fail "building the example"; }
app=$work/example/build/notes_app
db=$work/notes.db
"$app" "$db" | tee "$work/first"
grep -q "applied 2 migration(s); database at version 2" "$work/first" || fail "first start did not migrate"
"$app" "$db" | tee "$work/second"
grep -q "applied 0 migration(s); database at version 2" "$work/second" || fail "second start was not a no-op"
[ "$(sqlite3 "$db" "SELECT group_concat(name) FROM (SELECT name FROM sqlite_schema WHERE name IN ('notes','tags','tags_by_tag') ORDER BY name)")" = "notes,tags,tags_by_tag" ] \
  || fail "the tables are not there"
# The command line reads the history the application wrote: the same checksums.
"$prefix/bin/schema" --db "$db" --dir "$work/example/migrations" status --json > "$work/status"
grep -q '"applied":2' "$work/status" && grep -q '"modified":0' "$work/status" || { cat "$work/status"; fail "status disagrees"; }
"$app" "$db" --rollback | grep -q "rolled back 1 migration(s); database at version 1" || fail "rollback"
[ "$(sqlite3 "$db" "SELECT count(*) FROM sqlite_schema WHERE name = 'tags'")" = 0 ] || fail "tags still there"
# An edited migration stops the application's start as it stops `schema apply`.
"$app" "$db" > /dev/null
sed -i 's/title TEXT NOT NULL/title TEXT/' "$work/example/migrations/0001_notes.sql"
cmake --build "$work/example/build" > /dev/null 2>&1
if "$app" "$db" > "$work/edited" 2>&1; then fail "an edited applied migration was run past"; fi
grep -q "0001" "$work/edited" || { cat "$work/edited"; fail "the error does not name the edited migration"; }
echo "install: all checks passed"
