// One message type for everything that points into a file: parse errors,
// semantic errors in declared DDL, and SQLite's own errors mapped back from the
// shadow database to the declaration that caused them.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace schema {

struct SourcePos {
    std::string file;  // empty for objects read from a live database
    int line = 0;      // 1-based; 0 when unknown
    int col = 0;       // 1-based, in characters
    std::size_t offset = 0;

    bool known() const { return !file.empty() && line > 0; }
    std::string str() const;  // "file:line:col" (or "file" / "" when unknown)
};

struct Diagnostic {
    SourcePos pos;
    std::string message;
    std::string source_line;  // the offending line, for the caret display
    bool warning = false;     // reported, but does not stop the command

    // "file:line:col: error: message" (or "warning:"), then the line and a caret under col.
    std::string format() const;
};

// Thrown for bad input (exit code 2): carries one or more diagnostics.
class InputError : public std::runtime_error {
public:
    explicit InputError(std::vector<Diagnostic> diags);
    explicit InputError(const std::string& message);
    const std::vector<Diagnostic>& diagnostics() const { return diags_; }

private:
    std::vector<Diagnostic> diags_;
};

// Line/column lookup for a source text.
class LineIndex {
public:
    explicit LineIndex(std::string_view text);
    SourcePos position(const std::string& file, std::size_t offset) const;
    std::string line_text(int line) const;

private:
    std::string_view text_;
    std::vector<std::size_t> starts_;
};

}  // namespace schema
