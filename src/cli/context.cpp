#include "context.hpp"

#include <fmt/format.h>

#include <iostream>

#include "config.hpp"
#include "errors.hpp"
#include "schema/files.hpp"

#include <algorithm>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace schema::cli {

Output::Output(bool no_color, bool json) : json_(json) {
    const char* env = std::getenv("NO_COLOR");
    color_ = !json && !no_color && !(env && *env) && isatty(STDOUT_FILENO);
    stderr_tty_ = isatty(STDERR_FILENO);
}

void Output::json_line(const nlohmann::json& j) const {
    const std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

std::string Output::paint(const std::string& text, const char* ansi) const {
    if (!color_) return text;
    return "\033[" + std::string(ansi) + "m" + text + "\033[0m";
}

std::string Output::change_line(const std::string& line) const {
    auto first = line.find_first_not_of(' ');
    if (first == std::string::npos) return line;
    switch (line[first]) {
        case '+': return green(line);
        case '-': return red(line);
        case '!': return red(line);
        case '~': return yellow(line);
        case '>': return paint(line, "36");
        default: return line;
    }
}

std::string thousands(std::int64_t n) {
    std::string s = std::to_string(n < 0 ? -n : n);
    for (int i = int(s.size()) - 3; i > 0; i -= 3) s.insert(std::size_t(i), ",");
    return n < 0 ? "-" + s : s;
}

namespace {

// --config FILE, else SCHEMA_CONFIG, else the nearest schema.toml up from here.
std::optional<fs::path> config_file_of(const Globals& g) {
    std::string named = g.config;
    const char* from_env = std::getenv("SCHEMA_CONFIG");
    const bool flag = !named.empty();
    if (named.empty() && from_env && *from_env) named = from_env;
    if (named.empty()) return find_config(".");
    fs::path file = named;
    const std::string how = flag ? "config file " : "config file (SCHEMA_CONFIG) ";
    if (!is_present(file)) throw InputError(how + file.string() + " does not exist");
    if (fs::is_directory(file))
        throw InputError(how + file.string() + " is a directory; name the file in it (--config " +
                         (file / "schema.toml").string() + ")");
    return file;
}

std::string names_of(const std::vector<Project>& databases) {
    std::string names;
    for (const auto& p : databases) names += (names.empty() ? "" : ", ") + p.name;
    return names;
}

}  // namespace

TempDirectory::TempDirectory() {
    std::string pattern = (fs::temp_directory_path() / "schema-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary folder in " + pattern);
    path_ = pattern;
}

TempDirectory::~TempDirectory() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

void throw_no_database(const Project& p) {
    if (!p.no_db_reason.empty()) throw InputError(p.no_db_reason);
    if (!p.config_file.empty())
        throw InputError(fmt::format("no database: {} names none (db = \"app.db\"); or pass --db FILE, or set "
                                     "SCHEMA_DB",
                                     p.config_file.string()));
    throw InputError("no database: pass --db FILE, set SCHEMA_DB, or write a schema.toml (none here or in the "
                     "folders above)");
}

std::vector<Project> resolve_projects(const Globals& g, bool need_db) {
    std::vector<Project> projects;
    const std::optional<fs::path> config_file = config_file_of(g);
    std::string env = g.env;
    if (env.empty())
        if (const char* e = std::getenv("SCHEMA_ENV")) env = e;
    if (g.all && !g.db.empty()) throw InputError("--db and --all do not go together: --all runs every database of "
                                                 "schema.toml");
    if (const char* v = std::getenv("SCHEMA_DB"); g.all && v && *v)
        throw InputError("SCHEMA_DB and --all do not go together: --all runs every database of schema.toml");
    if (config_file) {
        Config c = load_config(*config_file, env);
        // An environment the file does not declare is for wrangler's config
        // only: without D1 nothing would read it, and the command would run on
        // the default database as if no environment had been asked for.
        if (!env.empty() && !c.has_envs)
            for (const auto& p : c.databases)
                if (p.dialect != Dialect::d1 && g.dialect != "d1")
                    throw ConfigError(*config_file, "env",
                                      fmt::format("--env {} asked for, and the file declares no [env.NAME]: add "
                                                  "[env.{}] (or run without --env / SCHEMA_ENV)",
                                                  env, env));
        if (!g.database.empty()) {
            for (const auto& p : c.databases)
                if (p.name == g.database) projects.push_back(p);
            if (projects.empty())
                throw InputError(fmt::format("{}: no database named {} (it has: {})", config_file->string(),
                                             g.database, names_of(c.databases)));
        } else if (g.all || c.databases.size() == 1) {
            projects = c.databases;
        } else if (g.db.empty() && !std::getenv("SCHEMA_DB")) {
            throw InputError(fmt::format("{} names {} databases ({}): pick one with -d NAME, or --all",
                                         config_file->string(), c.databases.size(), names_of(c.databases)));
        } else {
            projects.push_back(Project{});  // --db or SCHEMA_DB given: the file's databases do not apply
        }
    } else {
        if (!g.database.empty() || g.all)
            throw InputError("-d and --all need a schema.toml (none here or in the folders above; --config FILE "
                             "names one elsewhere)");
        projects.push_back(Project{});
    }
    // A variable naming one file or folder cannot serve several databases, as
    // the flag cannot: every history would go to the same place.
    if (projects.size() > 1)
        for (const char* var : {"SCHEMA_DB", "SCHEMA_SCHEMA", "SCHEMA_MIGRATIONS", "SCHEMA_BACKUP_DIR"})
            if (const char* v = std::getenv(var); v && *v)
                throw InputError(fmt::format("{} names one path, and {} databases are selected: pick one with -d "
                                             "NAME (or unset it)",
                                             var, projects.size()));
    for (auto& p : projects) {
        apply_environment(p);  // SCHEMA_<KEY> over the file; the flags over both
        if (!g.db.empty()) p.db = g.db;
        if (!g.schema_dir.empty()) p.schema_dir = g.schema_dir;
        if (!g.migrations_dir.empty()) {
            p.migrations_dir = g.migrations_dir;
            p.migrations_dir_explicit = true;
        }
        if (!g.dialect.empty()) {
            auto d = parse_dialect(g.dialect);
            if (!d) throw InputError("--dialect: expected sqlite or d1, not " + g.dialect);
            p.dialect = *d;
        }
        if (!g.tracking_table.empty()) p.tracking_table = g.tracking_table;
        if (!g.backup_dir.empty()) p.backup_dir = g.backup_dir;
        if (g.keep_backups) p.keep_backups = *g.keep_backups;
        if (g.busy_timeout_ms) p.busy_timeout_ms = *g.busy_timeout_ms;
        // D1: migrations where wrangler reads them, and its local database file.
        if (p.dialect == Dialect::d1)
            apply_wrangler_config(p, config_file ? config_file->parent_path() : fs::path("."), p.d1_database,
                                  p.migrations_dir_explicit, env);
        p.config_file = config_file.value_or(fs::path());
        if (g.remote || g.local) {
            const char* flag = g.remote ? "--remote" : "--local";
            if (p.dialect != Dialect::d1)
                throw InputError(fmt::format("{} reaches a D1 database through wrangler: set dialect = \"d1\" in "
                                             "schema.toml, or pass --dialect d1",
                                             flag));
            if (p.d1_name.empty())
                throw InputError(fmt::format("{}: wrangler's config here names no D1 database to reach (a "
                                             "[[d1_databases]] entry; with several, d1_database = \"NAME\" in "
                                             "schema.toml)",
                                             flag));
            d1::Wrangler w;
            w.database = p.d1_name;
            w.remote = g.remote;
            w.env = env;
            w.dir = config_file ? config_file->parent_path() : fs::path(".");
            if (w.dir.empty()) w.dir = ".";
            if (const char* program = std::getenv("SCHEMA_WRANGLER"); program && *program) w.program = program;
            p.wrangler = w;
        }
        if (p.db.empty() && need_db && !p.wrangler) throw_no_database(p);
    }
    return projects;
}

namespace {

// After several databases: one line each with its outcome, so that a failure in
// the middle is not lost in the output of those after it.
void print_outcomes(Output& out, const std::vector<Project>& projects, const std::vector<int>& codes) {
    if (out.json()) {
        nlohmann::json list = nlohmann::json::array();
        for (std::size_t i = 0; i < projects.size(); ++i)
            list.push_back({{"name", projects[i].name}, {"database", projects[i].db.string()}, {"exit", codes[i]}});
        out.json_line({{"event", "databases"}, {"databases", list}});
        return;
    }
    std::cout << out.bold(fmt::format("== {} databases", projects.size())) << "\n";
    for (std::size_t i = 0; i < projects.size(); ++i) {
        const char* what = codes[i] == 0 ? "ok" : codes[i] == 1 ? "failed or found differences" : "error";
        std::string line = fmt::format("  {} ({}): {} (exit {})", projects[i].name, projects[i].db.string(), what,
                                       codes[i]);
        std::cout << (codes[i] == 0 ? line : out.red(line)) << "\n";
    }
}

// SQLite's own words ("file is not a database", "database is locked") do not
// say which file: a failure names the database it happened on.
int run_naming_database(const std::function<int(const Project&)>& fn, const Project& p, WranglerUse use) {
    try {
        if (!p.wrangler || use == WranglerUse::own) return fn(p);
        if (use == WranglerUse::refuse)
            throw InputError(fmt::format("this command does not work --{} through wrangler: it writes to the "
                                         "database directly (apply and rollback do reach D1 through wrangler)",
                                         p.wrangler->where()));
        // Read-only: the database as wrangler shows it, in a snapshot file.
        TempDirectory tmp;
        Project copy = p;
        copy.db = tmp.path() / "snapshot.sqlite";
        d1::snapshot(*p.wrangler, p.history(), copy.db);
        return fn(copy);
    } catch (const sqlite::ScriptError&) {
        throw;
    } catch (const sqlite::Error& e) {
        const std::string what = e.what();
        if (p.db.empty() || what.find(p.db.string()) != std::string::npos) throw;
        throw sqlite::Error(e.code(), "database " + p.db.string() + ": " + what);
    }
}

}  // namespace

int for_each_project(const Globals& g, Output& out, const std::function<int(const Project&)>& fn, bool need_db,
                     WranglerUse use) {
    auto projects = resolve_projects(g, need_db);
    // One database: its error ends the command and main reports it.
    if (projects.size() == 1) return run_naming_database(fn, projects.front(), use);
    // Several: each runs whatever happened to the ones before it; the exit code
    // is the worst of theirs.
    std::vector<int> codes;
    for (const auto& p : projects) {
        if (!out.json()) std::cout << out.bold(fmt::format("== {} ({})", p.name, p.db.string())) << "\n";
        int code = 0;
        try {
            code = run_naming_database(fn, p, use);
        } catch (...) {
            Failure f = describe_failure(std::current_exception());
            std::cout.flush();
            // stderr is apart from the headers on stdout: say which database it was.
            std::cerr << fmt::format("schema: {} ({}), exit {}:\n", p.name, p.db.string(), f.code);
            report_failure(f, out.json() ? "json" : g.format, p.db.string(), p.name);
            code = f.code;
        }
        codes.push_back(code);
        if (!out.json()) std::cout << "\n";
    }
    print_outcomes(out, projects, codes);
    return *std::max_element(codes.begin(), codes.end());
}

}  // namespace schema::cli
