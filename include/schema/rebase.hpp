// schema rebase: after a merge, this branch's migrations numbered after the
// base's and regenerated against the base's history and the merged schema/.
//
// The model is Atlas's `migrate rebase`, but a migration `schema diff` wrote is
// planned again rather than only renumbered: one generated before the merge may
// undo the other branch's change (a rebuild from the pre-merge definition drops
// the column the other branch added). Hand-written migrations (data changes)
// keep their SQL and move to their new number.
//
// Which migrations are the branch's: those whose files the base does not have
// (a git revision), or those numbered after it (a version). What each
// regenerated migration aims at: the objects it changed on the branch, as the
// branch left them, except where the base changed the same object, which comes
// from the merged schema/; the last one aims at schema/ exactly. Each is proven
// as `schema diff` proves a migration.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "schema/pipeline.hpp"

namespace schema {

struct RebaseOptions {
    std::string base;                    // a git revision (branch, tag, commit) ...
    std::optional<std::int64_t> after;   // ... or: the migrations after this version are the branch's
    bool squash = false;      // the branch's migrations as one
    std::string name;         // the squashed migration's name (default: the first one's)
    bool allow_data_loss = false;
    // A generated file edited by hand since `schema diff` wrote it is refused
    // (regenerating it would drop the edit) unless this is set.
    bool regenerate_edited = false;
    Dialect dialect = Dialect::sqlite;
};

struct RebasedMigration {
    std::vector<const migrate::Migration*> from;  // the branch's files it replaces (several for a squash)
    std::int64_t version = 0;
    std::string name;
    std::filesystem::path up_path, down_path;
    std::string up_text, down_text;
    bool regenerated = true;  // false: hand-written, its SQL kept
    std::vector<std::string> summary;
    std::vector<std::string> data_loss;
};

struct RebasePlan {
    std::vector<const migrate::Migration*> base;   // kept as they are
    std::vector<const migrate::Migration*> ours;   // replaced by `result`
    std::vector<RebasedMigration> result;
    std::vector<const migrate::Migration*> emptied;  // nothing left to do after the merge: removed
    std::vector<std::string> remaining;  // what still differs from schema/ after them (a `schema diff` to come)
};

// Plans the rebase; writes nothing. Throws InputError (no git, an unknown base,
// a migration that no longer applies, data loss not allowed) and HistoryError
// (one of the branch's migrations is applied to the target database).
RebasePlan plan_rebase(const Target& target, const migrate::Directory& dir, const Schema& declared,
                       const RebaseOptions& options);

// Writes the result in place of the branch's files, with schema.sum, as one set.
void write_rebase(const migrate::Directory& dir, const RebasePlan& plan);

}  // namespace schema
