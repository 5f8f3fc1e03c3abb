#include "support/support.hpp"

#include "schema/model.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace test {

TempDir::TempDir() {
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto p = fs::temp_directory_path() / ("schema-test-" + std::to_string(rd()));
        if (fs::create_directory(p)) {
            path_ = p;
            return;
        }
    }
    throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + p.string());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_file(const fs::path& p, const std::string& text) {
    if (p.has_parent_path()) fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + p.string());
}

fs::path corpus_dir() {
    const char* env = std::getenv("SCHEMA_CORPUS_DIR");
    fs::path p = env && *env ? fs::path(env) : fs::path(SCHEMA_CORPUS_DIR);
    return fs::exists(p / "real") ? p : fs::path();
}

// Blocks of the SQLite test-suite file, without their ATTACH setup lines.
std::vector<std::pair<std::string, std::string>> testsuite_blocks() {
    std::vector<std::pair<std::string, std::string>> out;
    auto dir = corpus_dir();
    if (dir.empty()) return out;
    std::ifstream in(dir / "sqlite_testsuite_ddl.sql");
    std::string line, block, label;
    auto flush = [&] {
        if (!block.empty()) out.emplace_back(label, block);
        block.clear();
    };
    while (std::getline(in, line)) {
        if (line.rfind("-- [", 0) == 0) {
            flush();
            label = line;
        }
        if (line.rfind("ATTACH", 0) == 0) continue;
        block += line + "\n";
    }
    flush();
    return out;
}

std::vector<fs::path> real_schemas() {
    std::vector<fs::path> out;
    auto dir = corpus_dir();
    if (dir.empty()) return out;
    for (auto& e : fs::directory_iterator(dir / "real"))
        if (e.path().extension() == ".sql") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

void report_skipped(const std::string& why) { std::printf("SKIPPED: %s\n", why.c_str()); }

namespace {
struct Db {
    sqlite3* db = nullptr;
    explicit Db(const fs::path& path) {
        if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db));
        sqlite3_busy_timeout(db, 10000);
    }
    ~Db() { sqlite3_close(db); }
};
}  // namespace

void exec_sql(const fs::path& path, const std::string& sql) {
    Db d(path);
    char* err = nullptr;
    if (sqlite3_exec(d.db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "error";
        sqlite3_free(err);
        throw std::runtime_error(msg + " in: " + sql.substr(0, 200));
    }
}

std::vector<std::string> query_column(const fs::path& path, const std::string& sql) {
    Db d(path);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(d.db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
        throw std::runtime_error(std::string(sqlite3_errmsg(d.db)) + " in: " + sql);
    std::vector<std::string> out;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        auto txt = sqlite3_column_text(st, 0);
        out.push_back(txt ? reinterpret_cast<const char*>(txt) : "NULL");
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(d.db));
    return out;
}

std::string query_plan(const fs::path& path, const std::string& sql) {
    Db d(path);
    sqlite3_stmt* st = nullptr;
    std::string q = "EXPLAIN QUERY PLAN " + sql;
    if (sqlite3_prepare_v2(d.db, q.c_str(), -1, &st, nullptr) != SQLITE_OK)
        throw std::runtime_error(sqlite3_errmsg(d.db));
    std::string out;
    while (sqlite3_step(st) == SQLITE_ROW) out += std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 3))) + "\n";
    sqlite3_finalize(st);
    return out;
}

std::string query_one(const fs::path& db, const std::string& sql) {
    auto rows = query_column(db, sql);
    if (rows.empty()) throw std::runtime_error("no row from: " + sql);
    return rows[0];
}

}  // namespace test

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <sstream>
#include <unistd.h>

extern char** environ;

namespace test {

namespace {
// Starts the binary with stdout and stderr going to the given files.
// The environment the binary runs in: this process's, without the SCHEMA_<KEY>
// settings a developer may have exported (each test says what it sets), plus `env`.
std::vector<std::string> child_environment(const std::vector<std::pair<std::string, std::string>>& env) {
    std::vector<std::string> out;
    auto overridden = [&](std::string_view entry) {
        for (const auto& [k, v] : env)
            if (entry.size() > k.size() && entry.compare(0, k.size(), k) == 0 && entry[k.size()] == '=') return true;
        return false;
    };
    for (char** e = environ; *e; ++e)
        if (std::string_view(*e).rfind("SCHEMA_", 0) != 0 && !overridden(*e)) out.emplace_back(*e);
    for (const auto& [k, v] : env) out.push_back(k + "=" + v);
    return out;
}

pid_t spawn(const std::vector<std::string>& args, const fs::path& cwd, const fs::path& out, const fs::path& err,
            const std::vector<std::pair<std::string, std::string>>& env = {}) {
    std::vector<std::string> argv_s{SCHEMA_CLI};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
    std::vector<std::string> env_s = child_environment(env);
    std::vector<char*> envp;
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot run " + argv_s[0]);
    return pid;
}
}  // namespace

CliResult run_cli(const std::vector<std::string>& args, const fs::path& cwd,
                  const std::vector<std::pair<std::string, std::string>>& env) {
    TempDir io;
    fs::path out = io / "out", err = io / "err";
    CliResult r;
    r.code = wait_cli(spawn(args, cwd, out, err, env));
    r.out = read_file(out);
    r.err = read_file(err);
    return r;
}

Project::Project() { fs::create_directories(root() / "schema"); }

void Project::declare(const std::string& sql, const std::string& file) {
    fs::remove_all(root() / "schema");
    write_file(root() / "schema" / file, sql);
}

CliResult Project::schema(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--no-color", "--db", "app.db"});
    return run_cli(args, root());
}

std::vector<std::string> Project::files() const {
    std::vector<std::string> out;
    if (!fs::exists(generated())) return out;
    for (auto& e : fs::recursive_directory_iterator(generated()))
        if (e.is_regular_file() && e.path().filename() != "schema.sum")  // the team file: tests of it read it
            out.push_back(fs::relative(e.path(), generated()).string());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace test

namespace test {

int spawn_cli(const std::vector<std::string>& args, const fs::path& cwd, const fs::path& out, const fs::path& err) {
    return spawn(args, cwd, out, err);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

std::vector<nlohmann::json> json_lines(const std::string& text) {
    std::vector<nlohmann::json> out;
    for (const auto& line : lines_of(text)) out.push_back(nlohmann::json::parse(line));
    return out;
}

void load_schema_dump(const fs::path& db, const std::string& sql) {
    Db d(db);
    std::size_t start = 0;
    std::string pending;
    // SQLite decides where each statement ends; one that fails with "already
    // exists" is a shadow table of an FTS or R*Tree table created before it.
    while (start < sql.size()) {
        std::size_t semi = sql.find(';', start);
        if (semi == std::string::npos) semi = sql.size() - 1;
        pending += sql.substr(start, semi + 1 - start);
        start = semi + 1;
        if (!sqlite3_complete(pending.c_str())) continue;
        char* err = nullptr;
        if (sqlite3_exec(d.db, pending.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            std::string msg = err ? err : "";
            sqlite3_free(err);
            if (msg.find("already exists") == std::string::npos)
                throw std::runtime_error(msg + " in: " + pending.substr(0, 200));
        }
        pending.clear();
    }
}

int wait_cli(int pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace test

namespace test {

schema::Schema without_stored_text(schema::Schema s) {
    auto clear = [](auto& objects) {
        for (auto& [key, o] : objects) o.stored = {};
    };
    clear(s.tables);
    clear(s.indexes);
    clear(s.views);
    clear(s.triggers);
    clear(s.virtual_tables);
    return s;
}

}  // namespace test
