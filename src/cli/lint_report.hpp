// schema lint's findings for a project, and how each output format shows them
// (`schema lint`, and `schema check`, which runs it).
#pragma once

#include <string>
#include <vector>

#include "context.hpp"
#include "schema/lint.hpp"

namespace schema::cli {

// Which migrations: the pending ones of the project's database, or offline
// those a git revision lacks (--git-base) or the newest N (--latest).
struct LintSelection {
    std::string git_base;
    int latest = 0;
};
std::vector<LintFinding> lint_project(const Project& p, const LintSelection& selection = {});
// An error finding its file does not accept.
bool lint_fails(const std::vector<LintFinding>& findings);
std::string lint_markdown(const std::vector<LintFinding>& findings);
void print_lint(const std::vector<LintFinding>& findings, const std::string& format, Output& out);

}  // namespace schema::cli
