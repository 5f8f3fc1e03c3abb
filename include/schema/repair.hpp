// Accepting an intentional edit to an applied migration (`schema repair`): the
// history records each file's checksum when it runs, and the runner refuses to
// go past a file edited since. An edit agreed in review (a comment, a clearer
// statement) is re-recorded here, after showing what changed and proving on a
// shadow that the edit does not change the schema the file produces.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schema/git.hpp"
#include "schema/migrate.hpp"
#include "schema/pipeline.hpp"

namespace schema {

struct RepairFinding {
    const migrate::Migration* migration = nullptr;
    migrate::Applied record;
    bool forward_edited = false;
    bool rollback_edited = false;

    // The text applied, when git's history holds it (a commit whose version of
    // the file has the recorded checksum), and the edit since, as a diff.
    std::optional<git::Version> applied_up, applied_down;
    std::string up_edit, down_edit;

    // What the edit does to the schema the file produces; empty when nothing.
    // Proven against the applied text when git has it (the migrations before,
    // then the old file, against the same with the new file), else against
    // the live database (every applied file replayed from nothing).
    std::vector<std::string> schema_changes;
    std::string compared;  // how it was proven, for the reader
    bool changes_schema() const { return !schema_changes.empty(); }
};

// The applied migrations of `versions` (every edited one when empty) whose
// files differ from what was recorded. Throws HistoryError for a version that
// is not applied, or whose file is gone.
std::vector<RepairFinding> find_repairs(const Target& target, const migrate::Directory& dir,
                                        const std::vector<std::int64_t>& versions);

// Records the files' checksums now, in one transaction.
void record_repairs(const Target& target, const std::vector<RepairFinding>& findings);

}  // namespace schema
