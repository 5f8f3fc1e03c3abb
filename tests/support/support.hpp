// Test helpers: temporary directories, files, and direct looks into SQLite files.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace test {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }
    fs::path operator/(const std::string& name) const { return path_ / name; }

private:
    fs::path path_;
};

std::string read_file(const fs::path& p);
void write_file(const fs::path& p, const std::string& text);

// Real-world corpus (../shared/corpus, or $SCHEMA_CORPUS_DIR); empty when it is
// not present.
fs::path corpus_dir();

// The real-world schemas of the corpus (corpus/real/*.sql), sorted; empty when
// the corpus is not present (the test then reports itself skipped).
std::vector<fs::path> real_schemas();

// The blocks of the corpus's SQLite test-suite file (label, text), without
// their ATTACH lines; empty when the corpus is not present.
std::vector<std::pair<std::string, std::string>> testsuite_blocks();

// Says on stdout that a test could not run; ctest reports it as skipped
// (SKIP_REGULAR_EXPRESSION), not as passed.
void report_skipped(const std::string& why);

// Runs SQL against a database file (creating it), throwing on error.
void exec_sql(const fs::path& db, const std::string& sql);
// First column of every row of a query, as text ("NULL" for null).
std::vector<std::string> query_column(const fs::path& db, const std::string& sql);
std::string query_one(const fs::path& db, const std::string& sql);
// The details of EXPLAIN QUERY PLAN for `sql`, joined by newlines.
std::string query_plan(const fs::path& db, const std::string& sql);

}  // namespace test

namespace schema {
struct Schema;
}

namespace test {

// `s` with no object's stored text: printing it renders the model canonically.
schema::Schema without_stored_text(schema::Schema s);


struct CliResult {
    int code = -1;
    std::string out, err;
};

// Runs the real `schema` binary with `args` in directory `cwd`, with no SCHEMA_*
// variable from this process's environment but those of `env`.
CliResult run_cli(const std::vector<std::string>& args, const fs::path& cwd,
                  const std::vector<std::pair<std::string, std::string>>& env = {});

// A project directory: schema/ with one file, a database, generated/.
class Project {
public:
    Project();
    const fs::path& root() const { return dir_.path(); }
    fs::path db() const { return root() / "app.db"; }
    fs::path generated() const { return root() / "generated"; }
    // Replaces schema/ with a single file holding `sql`.
    void declare(const std::string& sql, const std::string& file = "schema.sql");
    // Runs `schema --db app.db <args>` in the project.
    CliResult schema(std::vector<std::string> args) const;
    void exec(const std::string& sql) const { exec_sql(db(), sql); }
    std::string one(const std::string& sql) const { return query_one(db(), sql); }
    std::vector<std::string> files() const;  // files under generated/, relative, sorted

private:
    TempDir dir_;
};

}  // namespace test

namespace test {

// The non-empty lines of a text.
std::vector<std::string> lines_of(const std::string& text);
// Parses JSON lines (one object per line), as --json prints them.
std::vector<nlohmann::json> json_lines(const std::string& text);

// Creates every object of `sql` in the database file `db`, the way a live
// database holds a schema dump: a shadow table its virtual table has already
// created is skipped.
void load_schema_dump(const fs::path& db, const std::string& sql);

// Starts the `schema` binary without waiting for it; returns its pid. Its
// output goes to `out` and `err` (files), or nowhere.
int spawn_cli(const std::vector<std::string>& args, const fs::path& cwd, const fs::path& out = "/dev/null",
              const fs::path& err = "/dev/null");
// Waits for a spawned process; returns its exit code (128 + signal when killed).
int wait_cli(int pid);

}  // namespace test
