// What every command shares: where the project's files and database are, and
// reading the declared files. The pipeline itself is schema/pipeline.hpp.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "schema/d1.hpp"
#include "schema/ddl.hpp"
#include "schema/dialect.hpp"
#include "schema/diff.hpp"
#include "schema/migrate.hpp"
#include "schema/pipeline.hpp"

namespace schema::cli {

namespace fs = std::filesystem;

struct Project {
    std::string name;                  // from schema.toml, or empty
    fs::path db;                       // database file
    fs::path schema_dir = "schema";    // declared DDL
    fs::path migrations_dir = "generated";
    std::string tracking_table = "_migrations";
    int keep_backups = 5;
    bool backups = true;
    fs::path backup_dir;               // default: backups/ beside the database
    int busy_timeout_ms = 60000;       // how long to wait for another writer
    Dialect dialect = Dialect::sqlite;
    // D1: the table wrangler records applied migrations in (its migrations_table).
    std::string wrangler_table = "d1_migrations";
    std::string d1_database;              // which [[d1_databases]] entry of wrangler's config
    bool migrations_dir_explicit = false;  // set in schema.toml or with --dir (else D1 asks wrangler)
    std::string no_db_reason;              // D1: why no local database was picked (said if one is needed)
    // D1: wrangler's name of the database (database_name), and whether no local
    // database exists yet (before the first `wrangler d1 migrations apply --local`:
    // `schema diff` starts from an empty one, as for a new SQLite file).
    std::string d1_name;
    bool d1_no_local_yet = false;
    bool d1_local_file = false;            // p.db is wrangler's own local file (under .wrangler/state)
    std::optional<d1::Wrangler> wrangler;  // --remote / --local: reached through wrangler
    fs::path config_file;                  // the schema.toml read, if any

    migrate::HistoryTables history() const { return {tracking_table, wrangler_table, dialect == Dialect::d1}; }
    // How messages name the database: its file, or for wrangler's local D1 file
    // the D1 database's name and where it lives ("app-db (local)").
    std::string db_label() const;
};

// For the D1 dialect, what wrangler's config says about the database: its
// migrations directory (migrations_dir, default "migrations") and history table
// (migrations_table), and, when `p.db` is empty, the local D1 database file
// wrangler keeps under .wrangler/state (when there is exactly one). `binding`
// picks a [[d1_databases]] entry by binding or database_name when there are
// several. Reads wrangler.json, wrangler.jsonc or wrangler.toml in `dir`.
// `env` (--env NAME) reads the entries of wrangler's [env.NAME] instead, as
// `wrangler --env NAME` does: d1_databases is not inherited by an environment.
void apply_wrangler_config(Project& p, const fs::path& dir, const std::string& binding,
                           bool migrations_dir_given, const std::string& env = "");

// Parses the declared files and checks that they reference only declared
// objects; throws InputError (with the offending lines) otherwise.
// `dialect`: also refuses declarations the target does not accept (D1).
Schema parse_declared(const std::vector<SourceFile>& sources, Dialect dialect = Dialect::sqlite);

// schema/*.sql, sorted by name (subdirectories included), as SourceFiles whose
// paths are shown relative to the current directory, without a byte order mark.
// Throws InputError naming any .sql entry that cannot be read as a file.
std::vector<SourceFile> read_schema_files(const fs::path& dir);

// The project's database as the pipeline sees it (schema/pipeline.hpp).
Target target_of(const Project& p);

}  // namespace schema::cli
