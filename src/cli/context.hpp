// Global options, the resolved project, and how commands talk to the terminal.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

#include "project.hpp"

namespace schema::cli {

struct Globals {
    std::string db;
    std::string schema_dir;
    std::string migrations_dir;
    std::string tracking_table;
    std::string backup_dir;
    std::optional<int> keep_backups;
    std::string config;
    std::string database;  // -d NAME (schema.toml)
    bool all = false;
    bool json = false;
    std::string format = "human";  // --format human|json|github|markdown (json: the same as --json)
    bool wants_json() const { return json || format == "json"; }
    bool no_color = false;
    std::optional<int> busy_timeout_ms;
    std::string dialect;  // --dialect sqlite|d1
    std::string env;      // --env NAME: schema.toml's [env.NAME] and wrangler's
    bool remote = false;  // --remote: D1 in Cloudflare, through wrangler
    bool local = false;   // --local: wrangler's local D1, through wrangler
};

// Text on stdout/stderr; color only on a terminal and without NO_COLOR. With
// --json, commands print one JSON object per line instead.
class Output {
public:
    explicit Output(bool no_color, bool json = false);
    bool json() const { return json_; }
    bool stderr_is_terminal() const { return stderr_tty_; }
    // Prints a JSON object as one line on stdout (text that is not UTF-8, such
    // as a file name, is printed with replacement characters, never thrown on).
    void json_line(const nlohmann::json& j) const;
    bool color() const { return color_; }
    std::string paint(const std::string& text, const char* ansi) const;
    std::string red(const std::string& t) const { return paint(t, "31"); }
    std::string green(const std::string& t) const { return paint(t, "32"); }
    std::string yellow(const std::string& t) const { return paint(t, "33"); }
    std::string bold(const std::string& t) const { return paint(t, "1"); }
    std::string dim(const std::string& t) const { return paint(t, "2"); }
    // A summary line colored by its leading symbol (+ ~ - > !).
    std::string change_line(const std::string& line) const;

private:
    bool color_ = false;
    bool json_ = false;
    bool stderr_tty_ = false;
};

// A private folder under the system's temporary directory, removed with
// everything in it when the object goes.
class TempDirectory {
public:
    TempDirectory();
    ~TempDirectory();
    TempDirectory(const TempDirectory&) = delete;
    TempDirectory& operator=(const TempDirectory&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// 12,345
std::string thousands(std::int64_t n);

// The runner's events as text (or JSON lines with --json).
migrate::EventSink event_printer(Output& out, const Project& p);

// The databases a command runs on: from schema.toml (--config FILE, SCHEMA_CONFIG,
// or the nearest schema.toml up from here), with its [env.NAME] (--env or
// SCHEMA_ENV) laid over it, picked with -d NAME or --all; SCHEMA_<KEY>
// variables override the file and command-line flags override both. `need_db`: fail when no database is named.
std::vector<Project> resolve_projects(const Globals& g, bool need_db = true);

// The error for a command that needs a database and was given none: says where
// one can be named (the flag, SCHEMA_DB, schema.toml), or why D1 found none.
[[noreturn]] void throw_no_database(const Project& p);

// Runs `fn` for each selected database; returns the worst exit code. With
// several, every one runs even when one before it failed or threw (its error is
// printed under its header), and a closing list gives each one's outcome.
// With --remote/--local (D1 through wrangler): `snapshot` runs `fn` on a
// snapshot of the database's schema and history (read-only commands), `refuse`
// refuses (commands that write to the file), `own` leaves it to `fn`.
enum class WranglerUse { snapshot, refuse, own };
int for_each_project(const Globals& g, Output& out, const std::function<int(const Project&)>& fn,
                     bool need_db = true, WranglerUse use = WranglerUse::snapshot);

// Whether a proposal stops here: rows violate new constraints, the loss cannot
// be resolved, or data would be lost without `allow_data_loss`. Says why and
// what to do on stderr; `what` names what is not done ("writing the migration"),
// `preview` the flag that shows it without doing it.
bool refused(const Proposal& g, bool allow_data_loss, const std::string& what, const std::string& preview,
             const Project& p, Output& out);

using CommandRunner = std::function<int(const Project&, Output&)>;

// Registers the subcommands (one file each).
void register_diff(CLI::App& app, Globals& g, int& exit_code);
void register_apply(CLI::App& app, Globals& g, int& exit_code);
void register_rollback(CLI::App& app, Globals& g, int& exit_code);
void register_baseline(CLI::App& app, Globals& g, int& exit_code);
void register_status(CLI::App& app, Globals& g, int& exit_code);
void register_validate(CLI::App& app, Globals& g, int& exit_code);
void register_new(CLI::App& app, Globals& g, int& exit_code);
void register_check(CLI::App& app, Globals& g, int& exit_code);
void register_inspect(CLI::App& app, Globals& g, int& exit_code);
void register_repair(CLI::App& app, Globals& g, int& exit_code);
void register_push(CLI::App& app, Globals& g, int& exit_code);
void register_hash(CLI::App& app, Globals& g, int& exit_code);
void register_rebase(CLI::App& app, Globals& g, int& exit_code);
void register_lint(CLI::App& app, Globals& g, int& exit_code);
void register_erd(CLI::App& app, Globals& g, int& exit_code);
void register_embed(CLI::App& app, Globals& g, int& exit_code);
void register_rollback_for(CLI::App& app, Globals& g, int& exit_code);

}  // namespace schema::cli
