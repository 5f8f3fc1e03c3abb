// Test helpers: temporary directories, files, and direct looks into SQLite files.
#pragma once

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

// Real-world corpus (../shared/corpus); empty when it is not present.
fs::path corpus_dir();

// Runs SQL against a database file (creating it), throwing on error.
void exec_sql(const fs::path& db, const std::string& sql);
// First column of every row of a query, as text ("NULL" for null).
std::vector<std::string> query_column(const fs::path& db, const std::string& sql);
std::string query_one(const fs::path& db, const std::string& sql);

}  // namespace test
