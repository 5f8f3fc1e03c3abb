// Migrating an application's own SQLite database at start-up: the runner
// behind `schema apply`, `schema rollback` and `schema status`, over a
// connection the application already holds. Results and errors come back as
// values; nothing exits the process or prints.
//
// The guarantees are the command line's (which runs through this class too):
// each migration in one transaction with its tracking row; BEGIN IMMEDIATE and
// the busy timeout, so that two processes starting at once apply each
// migration once; a file edited after it was applied stops the run; foreign
// keys switched as each file needs and checked before COMMIT; D1's
// d1_migrations kept in step in the d1 dialect.
//
//     sqlite3* db = ...;  // the application's connection
//     schema::Migrator migrator(db, app_migrations());  // `schema embed` wrote app_migrations()
//     if (auto r = migrator.apply_pending(); !r)
//         log("migration failed: %s at %s:%d", r.error->message.c_str(), r.error->file.c_str(), r.error->line);
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "schema/dialect.hpp"
#include "schema/migrate.hpp"

namespace schema {

// One migration compiled into the application: `schema embed` (or the CMake
// function schema_embed_migrations) writes an array of these from generated/.
struct EmbeddedMigration {
    std::int64_t version;
    const char* name;           // "add_prefs"
    const char* up_sql;         // the forward file, byte for byte
    std::size_t up_size;
    const char* down_sql;       // the rollback file, or nullptr
    std::size_t down_size;
    const char* checksum;       // SHA-256 of the forward file (hex): what the tracking table records
};

// What went wrong, as a value.
struct MigrationError {
    enum class Kind {
        input,        // the migrations themselves: a bad file, a duplicate version, a checksum
        history,      // the history cannot be run past: an applied file was edited, one is missing
        failed,       // a statement failed; its migration was rolled back (the database is as before it)
        interrupted,  // SIGINT/SIGTERM stopped the run (with migrate::stop_on_signals)
        database,     // SQLite refused something else (the file cannot be written, a lock timed out)
        internal,
    } kind = Kind::internal;
    std::string message;
    std::string file;       // the migration's file, when one is to blame
    int line = 0;           // and the statement's line in it
    std::string statement;  // the statement that failed
    std::exception_ptr exception;  // the original, to rethrow (the command line does)
};

// Where the migrations come from: a directory (any layout `schema` reads) or
// the array `schema embed` wrote. A source that cannot be read carries its
// error, and every call of a Migrator over it returns that error.
class MigrationSource {
public:
    static MigrationSource directory(const std::filesystem::path& dir);
    static MigrationSource embedded(const EmbeddedMigration* migrations, std::size_t count);
    template <std::size_t N>
    static MigrationSource embedded(const EmbeddedMigration (&migrations)[N]) {
        return embedded(migrations, N);
    }
    // An already loaded directory (the command line's).
    static MigrationSource loaded(migrate::Directory dir);

    const migrate::Directory* migrations() const { return dir_.get(); }  // null when error()
    const std::optional<MigrationError>& error() const { return error_; }

private:
    std::shared_ptr<const migrate::Directory> dir_;
    std::optional<MigrationError> error_;
};

struct MigratorOptions {
    std::string table = "_migrations";  // the tracking table
    Dialect dialect = Dialect::sqlite;   // d1: wrangler's d1_migrations too
    std::string wrangler_table = "d1_migrations";
    int busy_timeout_ms = 60000;         // waiting for another writer
    // Copy the database file first (SQLite's backup API), as `schema apply`
    // does; off by default for an application, which usually has its own.
    bool backup = false;
    std::filesystem::path backup_dir;    // default: backups/ beside the file
    // The database file as events and backups name it (default: the
    // connection's own name for it, sqlite3_db_filename: an absolute path).
    std::filesystem::path file;
    int keep_backups = 5;
    // Told of each step (started, applied, progress, ...), as `schema apply` prints them.
    migrate::EventSink on_event;
};

struct RunResult {
    int count = 0;             // migrations applied (or rolled back) by this call
    std::int64_t version = 0;  // the newest applied version afterwards
    std::optional<MigrationError> error;
    explicit operator bool() const { return !error; }
};

struct MigrationStatus {
    std::int64_t version = 0;
    std::string name;
    std::string state;       // "applied", "pending", "modified" (edited since), "missing" (no file)
    std::string file;        // the forward file (a name only, for an embedded one)
    std::string applied_at;  // when applied: ISO 8601, UTC
    std::int64_t execution_time_ms = 0;
    std::string applied_by;  // "schema 0.1.0", "wrangler", ...
};

struct StatusResult {
    std::vector<MigrationStatus> migrations;  // by version
    int applied = 0, pending = 0, modified = 0, missing = 0;
    std::int64_t version = 0;  // the newest applied version
    std::optional<MigrationError> error;
    explicit operator bool() const { return !error; }
};

class Migrator {
public:
    // `db` stays the application's: the Migrator never closes it. While a call
    // runs, it uses the connection's busy timeout and progress handler, and
    // puts back foreign_keys as it found them.
    Migrator(sqlite3* db, MigrationSource source, MigratorOptions options = {});
    ~Migrator();
    Migrator(const Migrator&) = delete;
    Migrator& operator=(const Migrator&) = delete;

    // Every pending migration (or up to `to`), oldest first.
    RunResult apply_pending(std::optional<std::int64_t> to = std::nullopt);
    RunResult apply(const migrate::ApplyOptions& options);
    // The newest applied migration (options: how many, or down to which version).
    RunResult rollback(const migrate::RollbackOptions& options = {});
    StatusResult status();
    // Records the versions up to `version` as applied without running them
    // (a database that already has their schema).
    RunResult baseline(std::int64_t version);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The error value of an exception `schema` throws (MigrationFailed, HistoryError, ...).
MigrationError error_of(const std::exception_ptr& e);

}  // namespace schema
