// A change as a reviewer looks at it in a pull request: the Mermaid diagram of
// the tables it adds, changes or rebuilds (marked) with their foreign-key
// neighbours, and a before/after table of each changed table's columns.
// Shared by `check --format markdown` and `diff --print --format markdown`.
#pragma once

#include <string>

#include "schema/diff.hpp"
#include "schema/erd.hpp"
#include "schema/plan.hpp"

namespace schema::cli {

// The diagram's options for a change: the touched tables, marked.
ErdOptions change_focus(const Diff& d, const Plan& plan);

// Markdown: a ```mermaid block, then "before / after" tables.
// `to`: the schema after the change (the diagram draws it).
std::string change_markdown(const Diff& d, const Plan& plan, const Schema& to);

}  // namespace schema::cli
