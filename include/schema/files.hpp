// Reading and writing the project's files. Every file `schema` reads (declared
// DDL, migrations, configuration) goes through read_file, so one that cannot be
// read is an error that names it, never an empty text; every file it writes goes
// through a FileSet, so a command leaves either all its files or none of them.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace schema {

namespace fs = std::filesystem;

// The bytes of a regular file (symbolic links followed). Throws InputError
// naming the file and why when it is not one (a dangling link, a directory, a
// FIFO) or cannot be read (permissions, I/O error).
std::string read_file(const fs::path& path);

// Whether there is anything at `path`, a dangling link included: a file looked
// for by name is then read, and reading says what is wrong with it, where
// fs::exists would pass it over in silence.
bool is_present(const fs::path& path);

// `text` without a leading UTF-8 byte order mark, which editors on Windows put at
// the start of a file and SQLite skips. (Inline: the parser, built alone for the
// fuzzer, uses it too.)
inline std::string_view without_utf8_bom(std::string_view text) {
    constexpr std::string_view bom = "\xEF\xBB\xBF";
    return text.substr(0, bom.size()) == bom ? text.substr(bom.size()) : text;
}

// Files written as one: all of them, or none. `commit` writes each to a
// temporary file created exclusively (O_EXCL|O_NOFOLLOW, a random name, so a
// planted file or link at a predictable name is never followed) in the target's
// folder, syncs it, then renames them into place in the order they were added.
// On any failure (disk full, permissions, a target that must not exist) it
// removes every temporary file, puts back any file it had already replaced, and
// throws std::runtime_error naming the file; no partial or temporary file stays.
// New files get mode 0644 less the umask.
class FileSet {
public:
    // A file that must not exist yet (checked again, atomically, at commit).
    void create(fs::path path, std::string text);
    // A file that replaces whatever is at `path` (a link there is replaced, not followed).
    void replace(fs::path path, std::string text);

    void commit();

    bool empty() const { return files_.empty(); }
    std::vector<fs::path> paths() const;

private:
    struct File {
        fs::path path;
        std::string text;
        bool may_replace;
    };
    std::vector<File> files_;
};

}  // namespace schema
