// What an error that ends a command means to the person who ran it: the exit
// code, the message, and where it is (file, line, column) when it has a place.
// One mapping, used for a single database (main) and for each database of
// `--all`, so both say the same thing for the same error, in every format.
#pragma once

#include <exception>
#include <string>
#include <vector>

#include "schema/diagnostic.hpp"

namespace schema::cli {

struct Failure {
    int code = 2;         // 1 a migration failed / history refused; 2 bad input; 3 internal error
    std::string message;  // ready to print on stderr, without a trailing newline
    // Each problem at its place (a syntax error, a declaration SQLite rejects, a
    // config key, the statement of a failed migration); empty when it has none.
    std::vector<Diagnostic> where;
};

// The failure an exception stands for (CLI parse errors excepted: CLI11 prints those).
Failure describe_failure(const std::exception_ptr& error);

// Prints a failure in an output format: "human" (stderr, as it reads), "json"
// (an `error` event per problem on stdout), "github" (an `::error` workflow
// command per problem, at its file, line and column) or "markdown" (a section
// a pull-request comment can hold). `database` and `name` (of schema.toml)
// name the database when known.
void report_failure(const Failure& f, const std::string& format, const std::string& database = "",
                    const std::string& name = "");

// GitHub workflow-command escaping: the message, or (`property`) a file name or title.
std::string github_escape(std::string_view s, bool property);

// Text for a Markdown table cell or line: `|`, `<`, `>`, `&`, backquotes and
// line breaks escaped (an underscore inside a name renders as itself), so that user text (an expression `a || b`, a default
// '<b>') neither breaks the table nor renders as HTML.
// `code_spans`: backquotes are kept (our own text that quotes commands).
std::string markdown_escape(std::string_view s, bool code_spans = false);

// GitHub refuses a comment over 65,536 characters: `text` cut at a line before
// `limit`, with a last line that says how many lines were left out and where
// the rest is.
std::string fit_markdown(const std::string& text, std::size_t limit = 60000);

}  // namespace schema::cli
