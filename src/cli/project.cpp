#include "project.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <set>

#include "schema/files.hpp"
#include "schema/verify.hpp"

namespace schema::cli {

namespace {

// Every entry under `dir` whose name ends in .sql, sorted, linked folders
// included. An unreadable folder is an error rather than a part of the schema
// silently left out.
std::vector<fs::path> schema_file_paths(const fs::path& dir) {
    std::vector<fs::path> paths;
    try {
        for (auto& e : fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink))
            if (e.path().extension() == ".sql") paths.push_back(e.path());
    } catch (const fs::filesystem_error& e) {
        throw InputError(fmt::format("cannot read {}: {}", e.path1().string(), e.code().message()));
    }
    std::sort(paths.begin(), paths.end());
    return paths;
}

}  // namespace

std::vector<SourceFile> read_schema_files(const fs::path& dir) {
    if (!fs::is_directory(dir)) throw InputError("schema directory " + dir.string() + " does not exist");
    std::vector<SourceFile> out;
    // A .sql name that is not a readable file (a dangling link, a folder, no
    // permission) is an error: read as nothing, its objects would be dropped.
    for (const auto& p : schema_file_paths(dir))
        out.push_back({p.lexically_normal().string(), std::string(without_utf8_bom(read_file(p)))});
    return out;
}

Schema parse_declared(const std::vector<SourceFile>& sources, Dialect dialect) {
    Schema s = parse_schema(sources);
    std::vector<Diagnostic> errors;
    auto problems = dangling_references(s);
    for (auto& d : dialect_problems(s, dialect)) problems.push_back(std::move(d));
    for (auto& d : unknown_module_warnings(s)) problems.push_back(std::move(d));
    for (auto& d : problems) {
        for (const auto& f : sources)
            if (f.path == d.pos.file) d.source_line = LineIndex(f.text).line_text(d.pos.line);
        if (d.warning) std::cerr << d.format() << "\n";
        else errors.push_back(std::move(d));
    }
    if (!errors.empty()) throw InputError(std::move(errors));
    return s;
}

std::string Project::db_label() const {
    if (wrangler) return wrangler->database + " (" + wrangler->where() + ")";
    if (dialect == Dialect::d1 && !d1_name.empty()) {
        if (d1_local_file) return d1_name + " (local)";
        if (db.empty() && d1_no_local_yet) return d1_name + " (local, not created yet)";
    }
    return db.empty() ? std::string("(no database)") : db.string();
}

Target target_of(const Project& p) { return Target{p.db, p.history(), p.busy_timeout_ms}; }

}  // namespace schema::cli
