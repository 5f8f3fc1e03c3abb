#include "schema/sum.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "schema/diagnostic.hpp"
#include "schema/files.hpp"
#include "schema/migrate.hpp"

namespace schema::migrate {

namespace {

constexpr const char* kHeader =
    "# The migrations of this directory, written by schema: git stops a merge of two branches that\n"
    "# each added or edited migrations on the total line; run `schema rebase` then. Do not edit.\n";

// Every .sql file under `root`, by path relative to it ('/' separators).
std::map<std::string, std::string> file_checksums(const fs::path& root) {
    std::map<std::string, std::string> out;
    std::error_code ec;
    if (!fs::is_directory(root, ec)) return out;
    auto it = fs::recursive_directory_iterator(root, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_directory(ec) && it->path().filename() == "backups") {
            it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file(ec) || it->path().extension() != ".sql") continue;
        out[it->path().lexically_relative(root).generic_string()] = sha256_hex(read_file(it->path()));
    }
    // A sum of part of the folder would be wrong in silence.
    if (ec) throw InputError(fmt::format("cannot read {}: {}", root.string(), ec.message()));
    return out;
}

// The `path checksum` lines of a sum file's text.
std::map<std::string, std::string> recorded_lines(const std::string& text) {
    std::map<std::string, std::string> recorded;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#' || line.rfind("total ", 0) == 0) continue;
        auto space = line.rfind(' ');
        if (space != std::string::npos) recorded[line.substr(0, space)] = line.substr(space + 1);
    }
    return recorded;
}

bool has_conflict(const std::string& text) {
    return text.find("\n<<<<<<< ") != std::string::npos || text.rfind("<<<<<<< ", 0) == 0;
}

std::string body_of(const std::map<std::string, std::string>& files) {
    std::string body;
    for (const auto& [path, sum] : files) body += path + " " + sum + "\n";
    return body;
}

}  // namespace

std::string sum_text(const fs::path& root, const std::vector<std::pair<fs::path, std::string>>& overlay,
                     const std::vector<fs::path>& removed) {
    auto files = file_checksums(root);
    for (const auto& path : removed) files.erase(path.lexically_relative(root).generic_string());
    for (const auto& [path, text] : overlay)
        if (path.extension() == ".sql") files[path.lexically_relative(root).generic_string()] = sha256_hex(text);
    const std::string body = body_of(files);
    return std::string(kHeader) + "total " + sha256_hex(body) + "\n" + body;
}

std::string updated_sum_text(const fs::path& root, const std::vector<std::pair<fs::path, std::string>>& overlay,
                             const std::vector<fs::path>& removed) {
    const fs::path file = root / kSumFile;
    if (!is_present(file)) return sum_text(root, overlay, removed);
    const std::string text = read_file(file);
    if (has_conflict(text))
        throw InputError(fmt::format("{} has a merge conflict: run `schema rebase BASE` (BASE: the branch merged in) "
                                     "before writing migrations",
                                     file.string()));
    auto files = recorded_lines(text);
    for (const auto& path : removed) files.erase(path.lexically_relative(root).generic_string());
    for (const auto& [path, t] : overlay)
        if (path.extension() == ".sql") files[path.lexically_relative(root).generic_string()] = sha256_hex(t);
    const std::string body = body_of(files);
    return std::string(kHeader) + "total " + sha256_hex(body) + "\n" + body;
}

void write_sum(const fs::path& root) {
    FileSet f;
    f.replace(root / kSumFile, sum_text(root));
    f.commit();
}

SumCheck check_sum(const fs::path& root) {
    SumCheck c;
    c.file = root / kSumFile;
    if (!is_present(c.file)) return c;
    const std::string text = read_file(c.file);
    if (has_conflict(text)) {
        c.kind = SumCheck::conflicted;
        return c;
    }
    if (text == sum_text(root)) {
        c.kind = SumCheck::matches;
        return c;
    }
    c.kind = SumCheck::differs;
    const auto recorded = recorded_lines(text);
    const auto now = file_checksums(root);
    for (const auto& [path, sum] : now) {
        auto it = recorded.find(path);
        if (it == recorded.end()) c.changed.push_back(path + " (added)");
        else if (it->second != sum) c.changed.push_back(path + " (edited)");
    }
    for (const auto& [path, _] : recorded)
        if (!now.count(path)) c.changed.push_back(path + " (gone)");
    return c;
}

std::string SumCheck::message() const {
    switch (kind) {
        case absent:
        case matches: return "";
        case conflicted:
            return fmt::format("{} has a merge conflict: two branches each added or edited migrations. Run `schema "
                               "rebase BASE` (BASE: the branch merged in) to renumber and regenerate this branch's "
                               "migrations after the others",
                               file.string());
        case differs: {
            std::string list;
            for (const auto& c : changed) list += (list.empty() ? "" : ", ") + c;
            return fmt::format("{} does not match the migrations{}: a file was changed without schema. Review "
                               "it, then record it with `schema hash` (or, after a merge, `schema rebase BASE`)",
                               file.string(), list.empty() ? "" : " (" + list + ")");
        }
    }
    return "";
}

}  // namespace schema::migrate
