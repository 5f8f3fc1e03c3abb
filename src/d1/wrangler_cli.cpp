// D1 through the wrangler CLI (include/schema/d1.hpp).
#include "schema/d1.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <limits>
#include <unistd.h>
#include <chrono>
#include <regex>

#include "schema/dialect.hpp"
#include "schema/ident.hpp"
#include "schema/process.hpp"
#include "schema/sqlite.hpp"

namespace schema::d1 {

WranglerError::WranglerError(std::string command, std::string message, bool setup)
    : std::runtime_error(fmt::format("{} failed: {}", command, message)),
      command_(std::move(command)),
      message_(std::move(message)),
      setup_(setup) {}

namespace {

constexpr std::string_view kCommandOption = "--command=";

// The command as it would be typed at a shell (SQL longer than a line elided).
std::string shown(const Wrangler& w, const std::vector<std::string>& args) {
    std::string out = w.program;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string a = args[i];
        if (a.rfind(kCommandOption, 0) == 0 && (a.size() > 70 || a.find('\n') != std::string::npos))
            a = fmt::format("{}<{} bytes of SQL>", kCommandOption, a.size() - kCommandOption.size());
        out += " " + process::shell_quote(a);
    }
    return out;
}

std::string without_ansi(const std::string& s) { return std::regex_replace(s, std::regex("\x1b\\[[0-9;]*m"), ""); }

// What wrangler said went wrong: its JSON error under --json, else the last
// lines of its output.
std::string message_of(const process::Output& r) {
    try {
        auto j = nlohmann::json::parse(r.out);
        if (j.is_object() && j.contains("error")) {
            const auto& e = j["error"];
            std::string text = e.is_object() && e.contains("text") ? e["text"].get<std::string>() : e.dump();
            if (e.is_object() && e.contains("notes") && e["notes"].is_array())
                for (const auto& n : e["notes"])
                    if (n.is_object() && n.contains("text")) text += " " + n["text"].get<std::string>();
            return text;
        }
    } catch (const std::exception&) {
    }
    std::string text = without_ansi(r.err.empty() ? r.out : r.err);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    // wrangler ends with its log file's path and a banner; the error is before them.
    if (text.size() > 2000) text = "…" + text.substr(text.size() - 2000);
    return text.empty() ? fmt::format("exit code {}", r.code) : text;
}

bool is_setup_problem(const std::string& message) {
    for (const char* sign : {"CLOUDFLARE_API_TOKEN", "not authenticated", "wrangler login", "Authentication error",
                             "Couldn't find a D1 DB", "Couldn't find DB"})
        if (message.find(sign) != std::string::npos) return true;
    return false;
}

process::Output call(const Wrangler& w, std::vector<std::string> args) {
    if (!w.env.empty()) {
        args.push_back("--env");
        args.push_back(w.env);
    }
    auto r = process::run(w.program, args, w.dir);
    if (r.spawn_error == E2BIG)
        throw WranglerError(shown(w, args), "its command line is longer than the system allows", false);
    if (r.code == 127 && r.out.empty() && r.err.empty())
        throw WranglerError(shown(w, args),
                            fmt::format("{} cannot be run: install wrangler (npm install --save-dev wrangler) and put "
                                        "it on PATH, or set SCHEMA_WRANGLER to its path",
                                        w.program),
                            true);
    if (r.code != 0) {
        const std::string m = message_of(r);
        throw WranglerError(shown(w, args), m, is_setup_problem(m));
    }
    return r;
}

std::vector<std::string> d1_args(const Wrangler& w, std::initializer_list<const char*> sub) {
    std::vector<std::string> a{"d1"};
    for (const char* s : sub) a.push_back(s);
    a.push_back(w.database);
    a.push_back(w.remote ? "--remote" : "--local");
    return a;
}

void bind_json(sqlite::Statement& st, int index, const nlohmann::json& v) {
    if (v.is_null()) st.bind_null(index);
    else if (v.is_number_integer()) st.bind(index, v.get<std::int64_t>());
    else if (v.is_string()) st.bind(index, v.get<std::string>());
    else st.bind(index, v.dump());
}

}  // namespace

std::vector<nlohmann::json> execute(const Wrangler& w, const std::string& sql) {
    auto args = d1_args(w, {"execute"});
    // One argument: SQL that starts with a comment ("-- ...") is not an option.
    args.insert(args.end(), {"--json", std::string(kCommandOption) + sql});
    auto r = call(w, args);
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(r.out);
    } catch (const std::exception&) {
        throw WranglerError(shown(w, args), "its output is not JSON: " + r.out.substr(0, 300), false);
    }
    std::vector<nlohmann::json> out;
    if (j.is_array())
        for (const auto& statement : j) {
            if (statement.is_object() && statement.contains("success") && statement["success"] == false)
                throw WranglerError(shown(w, args), statement.dump(), false);
            out.push_back(statement.is_object() && statement.contains("results") ? statement["results"]
                                                                               : nlohmann::json::array());
        }
    return out;
}

void snapshot(const Wrangler& w, const migrate::HistoryTables& tables, const fs::path& file) {
    auto db = sqlite::Database::open(file.string(), sqlite::Database::Mode::create);
    snapshot(w, tables, db);
}

void snapshot(const Wrangler& w, const migrate::HistoryTables& tables, sqlite::Database& db) {
    // Tables first, then what is built on them, each kind in the order it was created.
    auto objects = execute(w, "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE "
                              "'sqlite\\_%' ESCAPE '\\' ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 "
                              "WHEN 'view' THEN 2 ELSE 3 END, rowid");
    std::vector<std::string> history;
    for (const auto& o : objects.empty() ? nlohmann::json::array() : objects.front()) {
        const std::string type = o.value("type", ""), name = o.value("name", ""), sql = o.value("sql", "");
        try {
            db.exec(sql);
        } catch (const sqlite::Error& e) {
            // A virtual table's shadow tables exist once the virtual table does.
            auto st = db.prepare("SELECT 1 FROM sqlite_master WHERE name = ?1");
            st.bind(1, name);
            if (st.step()) continue;
            throw WranglerError(shown(w, {"d1", "execute", w.database}),
                                fmt::format("the {} database's {} {} does not replay in SQLite {}: {}", w.where(),
                                            type, name, sqlite3_libversion(), e.what()),
                                false);
        }
        if (type == "table" && (iequals(name, tables.wrangler) || iequals(name, tables.table))) history.push_back(name);
    }
    for (const auto& table : history) {
        auto rows = execute(w, "SELECT * FROM " + sqlite::quote(table));
        if (rows.empty()) continue;
        for (const auto& row : rows.front()) {
            if (!row.is_object() || row.empty()) continue;
            std::string columns, values;
            int i = 0;
            for (const auto& [key, _] : row.items()) {
                columns += (i ? ", " : "") + sqlite::quote(key);
                values += fmt::format("{}?{}", i ? ", " : "", i + 1);
                ++i;
            }
            auto st = db.prepare(fmt::format("INSERT INTO {} ({}) VALUES ({})", sqlite::quote(table), columns, values));
            i = 0;
            for (const auto& [_, value] : row.items()) bind_json(st, ++i, value);
            st.step();
        }
    }
}

std::string migrations_apply(const Wrangler& w) { return call(w, d1_args(w, {"migrations", "apply"})).out; }

std::size_t max_command_argument() {
#ifdef __linux__
    const long page = sysconf(_SC_PAGESIZE);
    return 32 * std::size_t(page > 0 ? page : 4096);  // the kernel's MAX_ARG_STRLEN
#else
    return std::numeric_limits<std::size_t>::max();
#endif
}

RollbackBatch rollback_batch(const migrate::Migration& m, const migrate::HistoryTables& tables,
                             bool own_table_exists) {
    if (!m.down_path) throw std::logic_error("rollback_batch: " + m.up_path.string() + " has no rollback");
    migrate::refuse_unrunnable(m, false, Dialect::d1);
    std::string sql = m.down_sql;
    if (!sql.empty() && !sqlite3_complete(sql.c_str())) sql += "\n;";
    sql += fmt::format("\nDELETE FROM {} WHERE name = {};\n", sqlite::quote(tables.wrangler),
                       quote_string(m.up_path.filename().string()));
    if (own_table_exists)
        sql += fmt::format("DELETE FROM {} WHERE version = {};\n", sqlite::quote(tables.table), m.version);
    if (kCommandOption.size() + sql.size() + 1 > max_command_argument())
        throw migrate::MigrationFailed(
            m.down_path->string(), 1, "(the whole file)",
            fmt::format("the rollback is {} bytes with its history rows; wrangler takes the SQL as one argument "
                        "(--command), which the system limits to {} bytes, and splitting it would give up the one "
                        "batch that keeps the rollback and its history row together. Split the migration into "
                        "smaller ones, or run the rollback by hand",
                        sql.size(), max_command_argument() - kCommandOption.size() - 1),
            migrate::MigrationFailed::Outcome::refused);
    return {&m, std::move(sql)};
}

void roll_back(const Wrangler& w, const RollbackBatch& batch) {
    auto args = d1_args(w, {"execute"});
    args.insert(args.end(), {"--json", std::string(kCommandOption) + batch.sql});
    try {
        call(w, args);
    } catch (const WranglerError& e) {
        if (e.setup()) throw;
        // One batch: D1 rolled all of it back, the history rows with it.
        throw migrate::MigrationFailed(batch.migration->down_path->string(), 0, e.command(), e.message(),
                                       migrate::MigrationFailed::Outcome::rolled_back);
    }
}

std::string backup(const Wrangler& w, const fs::path& backup_dir) {
    if (w.remote) {
        auto args = d1_args(w, {"time-travel", "info"});
        args.erase(args.end() - 1);  // time-travel is remote only: no --remote flag
        args.push_back("--json");
        auto r = call(w, args);
        try {
            auto j = nlohmann::json::parse(r.out);
            if (j.is_object() && j.contains("bookmark")) return j["bookmark"].get<std::string>();
        } catch (const std::exception&) {
        }
        throw WranglerError(shown(w, args), "no bookmark in its output: " + r.out.substr(0, 300), false);
    }
    fs::create_directories(backup_dir);
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const fs::path out = fs::absolute(backup_dir / fmt::format("{}.{}.sql", w.database, now));
    auto args = d1_args(w, {"export"});
    args.insert(args.end(), {"--output", out.string()});
    call(w, args);
    return out.string();
}

}  // namespace schema::d1
