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
// Paths are relative to the file's directory.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "project.hpp"

namespace schema::cli {

// A bad config: which file, which key, what is wrong (exit code 2).
class ConfigError : public std::runtime_error {
public:
    ConfigError(const fs::path& file, const std::string& key, const std::string& message);
};

struct Config {
    fs::path file;
    std::vector<Project> databases;  // named, in the order of their names
};

Config load_config(const fs::path& file);

}  // namespace schema::cli
