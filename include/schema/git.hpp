// Reading a project's git history: the text a migration had when it was
// applied (repair), and the migrations of the branch a rebase starts from.
// Runs the `git` program with an argument vector (never a shell), so no name
// or revision is ever parsed as a command.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace schema::git {

namespace fs = std::filesystem;

struct Output {
    int code = -1;  // git's exit code; 127 when git cannot be run
    std::string out, err;
};

// Runs `git args...` in `dir`.
Output run(const fs::path& dir, const std::vector<std::string>& args);

// Whether `dir` is inside a git work tree (and git can be run).
bool in_work_tree(const fs::path& dir);

// A file's text at one commit.
struct Version {
    std::string commit;  // full hash
    std::string text;
};

// The newest committed version of `file` (newest first, following renames, at
// most `limit` commits back) whose text satisfies `matches`; nullopt when none
// does or the file is not in a git work tree.
template <typename Pred>
std::optional<Version> find_version(const fs::path& file, Pred matches, int limit = 500);

// `file`'s text at `commit` (nullopt when it did not exist there).
std::optional<std::string> show(const fs::path& file, const std::string& commit);
std::vector<std::string> commits_touching(const fs::path& file, int limit);

// A unified diff from `file` at `commit` to the file as it is now.
std::string diff_since(const fs::path& file, const std::string& commit);

// The full hash of the commit `revision` (a branch, tag or hash) names;
// throws InputError when git knows no such revision.
std::string resolve_commit(const fs::path& dir, const std::string& revision);

// Files under `dir` at `revision` (paths relative to `dir`, sorted), and one
// file's text there; both throw InputError when git cannot read them.
std::vector<std::string> files_at(const fs::path& dir, const std::string& revision);
std::string text_at(const fs::path& dir, const std::string& revision, const std::string& relative);

template <typename Pred>
std::optional<Version> find_version(const fs::path& file, Pred matches, int limit) {
    for (const auto& commit : commits_touching(file, limit))
        if (auto text = show(file, commit); text && matches(*text)) return Version{commit, std::move(*text)};
    return std::nullopt;
}

}  // namespace schema::git
