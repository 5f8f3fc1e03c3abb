// schema.sum: the migrations of a directory and the checksum of each file,
// kept beside them by every command that writes migrations (diff, new, rebase,
// repair, hash).
//
// Why a file of its own: git merges two branches that add different files
// without a word, so two branches that each ran `schema diff` would both land
// with a migration 0002 (or one would silently undo the other's table). Every
// migration added or edited changes the file's `total` line, so two branches
// that each touched migrations conflict in git on that line, at merge time,
// and `schema rebase` resolves it. A directory without the file works as
// before; `schema check` fails when the file is there and does not match.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace schema::migrate {

namespace fs = std::filesystem;

inline constexpr const char* kSumFile = "schema.sum";

// The file's text for the migrations under `root` as they are now: a comment,
// `total <sha256 of the lines below>`, then `<path> <sha256>` for every .sql
// file under `root` (rollbacks and folders included), sorted by path.
// `overlay`: files about to be written (path under `root`, text), counted as
// if they were; `removed`: files about to go.
std::string sum_text(const fs::path& root, const std::vector<std::pair<fs::path, std::string>>& overlay = {},
                     const std::vector<fs::path>& removed = {});

// The file's text after writing `overlay` and removing `removed`, when only
// those change: the other files keep the checksums the file records, so that a
// file edited by hand since stays reported (`schema check`) until someone
// reviews it and runs `schema hash`. Without a sum file yet, sum_text. Throws
// InputError when the file holds a merge conflict (`schema rebase` resolves it).
std::string updated_sum_text(const fs::path& root, const std::vector<std::pair<fs::path, std::string>>& overlay,
                             const std::vector<fs::path>& removed = {});

// Writes (or replaces) root/schema.sum, atomically, from the files as they are.
void write_sum(const fs::path& root);

struct SumCheck {
    enum Kind { absent, matches, differs, conflicted } kind = absent;
    std::vector<std::string> changed;  // differs: the files added, edited or gone since it was written
    std::string message() const;       // what it means and what to do; empty when absent or matching
    fs::path file;
};

SumCheck check_sum(const fs::path& root);

}  // namespace schema::migrate
