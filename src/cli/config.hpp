// schema.toml: the databases of a project, each with its own schema, migrations
// and history (the seeds' multi-service layout: api, scores, dictionary, ...).
//
//   db = "app.db"                  # one database: keys at the top level
//
//   [databases.api]                # or several, each a table; top-level keys are
//   db = "data/api.db"             # defaults for all of them
//   schema = "schema/api"
//   migrations = "migrations/api"
//   tracking_table = "_migrations"
//   backups = true
//   backup_dir = "backups/api"
//   keep_backups = 5
//   busy_timeout_ms = 60000
//
//   [env.prod]                     # environments: chosen with --env prod (or
//   db = "/srv/app.db"             # SCHEMA_ENV=prod), laid over the file
//   [env.prod.databases.api]       # (tables merge key by key, values replace)
//   db = "/srv/api.db"
//
// Paths are relative to the file's directory. The file is found by walking up
// from the current directory, as git finds its repository. After the file come
// the environment variables SCHEMA_<KEY> (SCHEMA_DB, SCHEMA_KEEP_BACKUPS, ...),
// then the command-line flags: each overrides what came before.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "project.hpp"

namespace schema::cli {

// A bad config: which file, which line, which key, what is wrong (exit code 2):
//   schema.toml:3:1: databases.api.keep_backup: unknown key
class ConfigError : public std::runtime_error {
public:
    ConfigError(const fs::path& file, const std::string& key, const std::string& message, int line = 0,
                int column = 0);
    const fs::path& file() const { return file_; }
    int line() const { return line_; }
    int column() const { return column_; }
    // "databases.api.keep_backup: unknown key": the key and what is wrong, without the place.
    const std::string& problem() const { return problem_; }

private:
    fs::path file_;
    int line_, column_;
    std::string problem_;
};

struct Config {
    fs::path file;
    std::string env;                 // the [env.NAME] laid over the file, or empty
    bool has_envs = false;           // the file declares [env.*] tables
    std::vector<Project> databases;  // named, in the order of their names
};

// Reads `file`, with the table [env.`env`] laid over it when `env` is given.
// A file with [env.*] tables but not this one is an error; a file with none
// accepts any name (it may be meant for wrangler's environments alone).
Config load_config(const fs::path& file, const std::string& env = "");

// The schema.toml in `start` or the nearest folder above it. The walk stops at
// the root of a git work tree (a folder holding .git), as a project's config
// never lives above its repository, and at the file system's root.
std::optional<fs::path> find_config(const fs::path& start);

// The keys of schema.toml, each also read from SCHEMA_<KEY> in the environment.
const std::vector<std::string>& config_keys();

// Lays the SCHEMA_<KEY> environment variables over `p` (paths relative to the
// current directory, as flags are). A bad value names the variable.
void apply_environment(Project& p);

}  // namespace schema::cli
