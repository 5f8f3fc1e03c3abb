// The pipeline as one library stage: from a database and its migrations
// directory to the schema a new migration starts from (baseline), and from there
// and a declared schema to a proven migration pair (propose, then prove_texts).
// Every command, test and embedding application calls these; the CLI only
// renders what they return and writes the files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "schema/ddl.hpp"
#include "schema/dialect.hpp"
#include "schema/diff.hpp"
#include "schema/migrate.hpp"
#include "schema/plan.hpp"
#include "schema/sqlite.hpp"
#include "schema/verify.hpp"
#include "schema/write.hpp"

namespace schema {

// A database and how its history is kept.
struct Target {
    std::filesystem::path db;          // may not exist yet (an empty schema)
    migrate::HistoryTables history;    // tracking tables, left out of its schema
    int busy_timeout_ms = 60000;       // how long to wait for another writer
};

// The schema of `db` without the tracking tables of `target` (ours and wrangler's).
Schema inspect_live(sqlite::Database& db, const Target& target);

// The schema a new migration starts from: the live database with the pending
// migrations of the directory replayed on a shadow copy.
struct Baseline {
    Schema schema;  // live + pending
    bool database_exists = false;
    sqlite::Database live_db;  // read-only, open when the database exists (its rows are counted)
    std::vector<const migrate::Migration*> pending;
};

// Throws InputError naming the migration and line SQLite refuses in the replay.
Baseline baseline(const Target& target, const migrate::Directory& dir);

// Runs a migration's text on a shadow. A statement SQLite refuses is an
// InputError at `file` and its line (so CI formats point there). `script`:
// the text's statements when already split.
void replay_on_shadow(sqlite::Database& db, std::string_view sql, const std::string& file,
                      const sqlite::Script* script = nullptr);

// The schema produced by replaying every migration of `dir` on an empty database.
Schema replay_all(const migrate::Directory& dir);

// What `declared` asks of a baseline, planned both ways and judged against the
// live rows. Nothing is written and nothing is proven yet.
struct Proposal {
    enum class Verdict {
        up_to_date,        // nothing to do
        ready,             // loses nothing
        loses_data,        // ready, but only with allow_data_loss (up.data_loss says what)
        rows_violate,      // live rows violate new constraints (violations), and the loss was not allowed
        cannot_resolve,    // allowed, but leaving the rows out cannot work (unresolved says why)
    };
    Verdict verdict = Verdict::up_to_date;
    Diff diff;
    Plan up, down;
    std::vector<Violation> violations;
    std::vector<std::string> unresolved;
    std::string up_text, down_text;  // set by prove_texts

    bool writable(bool allow_data_loss) const {
        return verdict == Verdict::ready || (verdict == Verdict::loses_data && allow_data_loss);
    }
};

struct ProposeOptions {
    bool allow_data_loss = false;       // plan the copy that leaves violating rows out
    Dialect dialect = Dialect::sqlite;  // how the runner runs the files (PlanOptions::dialect)
};

// Plans from `from` to `declared`. With live rows (`live`, may be null): counts
// the rows that violate new constraints and the values a new type converts; with
// options.allow_data_loss and violating rows, plans the copy that leaves them out and
// carries the loss to their children (plan_skipping_violations). Throws
// PrecheckError when a count cannot run.
Proposal propose(const Schema& from, const Schema& declared, sqlite::Database* live, const ProposeOptions& options);

// The same from a baseline: its live rows, and a precheck that fails there says
// that pending migrations may be why.
Proposal propose(Baseline& base, const Schema& declared, const ProposeOptions& options);

// Renders the pair's file texts and proves exactly those bytes on a shadow, run
// as the runner of `up_info.dialect` runs them; throws ProofError. `sources`
// (optional) gives the declared files for the caret display.
void prove_texts(Proposal& p, const Schema& from, const Schema& declared, const MigrationInfo& up_info,
                 const MigrationInfo& down_info, const std::vector<SourceFile>* sources = nullptr);

}  // namespace schema
