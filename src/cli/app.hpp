// The command line, defined once: main() parses with it, and the man pages and
// shell completions are written from the same definitions (`schema man`,
// `schema completion`), so the three cannot disagree.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "context.hpp"

namespace schema::cli {

struct CommandLine {
    CLI::App app{"schema-as-code for SQLite: declare the schema in DDL files, generate reviewed, reversible "
                 "migrations, apply them with a tracked runner.",
                 "schema"};
    Globals g;
    int exit_code = 0;
};

// Every command and option. The object must stay where it is: the commands'
// callbacks refer to its Globals and exit code.
std::unique_ptr<CommandLine> make_command_line();

// Parses `argv` and runs the command; returns the process's exit code.
int run_command_line(int argc, char** argv);

// The commands users see (not the hidden ones), in the order they were defined.
std::vector<const CLI::App*> visible_commands(const CLI::App& app);
// Worked examples for a command ("" for the program itself): command lines
// with a comment each.
const std::vector<std::string>& examples_of(const std::string& command);

// The closest of `candidates` to `typed` (a mistyped command or option), or ""
// when none is close.
std::string closest_match(const std::string& typed, const std::vector<std::string>& candidates);

// --version: the version, the commit it was built from, and the SQLite library
// in use (its behaviour depends on it).
std::string version_text();

}  // namespace schema::cli
