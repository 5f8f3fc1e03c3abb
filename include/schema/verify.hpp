// Proof before writing: a migration pair runs on an in-memory shadow database
// holding the part of the schema it touches, and must reach the declared schema
// (up) and come back to the original (down). New and changed declarations meet
// SQLite there; its errors come back as diagnostics at the declaration.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "schema/ddl.hpp"
#include "schema/diff.hpp"
#include "schema/plan.hpp"
#include "schema/sqlite.hpp"

namespace schema {

// Which objects, by folded name: tables, views and virtual tables share one
// namespace in SQLite (`relations`); indexes and triggers have their own.
struct Scope {
    std::set<std::string> relations, indexes, triggers;
    bool everything = false;
};

// `s` restricted to `scope`.
Schema restrict_to(const Schema& s, const Scope& scope);

// A virtual table whose module this SQLite lacks (sqlite-vec's vec0, say) stays in
// the model as written, but no shadow can hold it: one warning per such table.
std::vector<Diagnostic> unknown_module_warnings(const Schema& s);

// Throws InputError at each virtual table of `d`'s changes whose module this SQLite lacks.
void refuse_unknown_modules(const Diff& d);

// A new in-memory database holding `s` (or its part in `scope`).
sqlite::Database build_shadow(const Schema& s, const Scope* scope = nullptr);

// The objects a migration between `from` and `to` touches, and what they
// depend on, on the `from` side.
Scope scope_of(const Diff& d, const Plan& up, const Schema& from);

// A migration that does not do what it should: either SQLite rejected a step
// (`diagnostic` points at the declaration when there is one), or the result is
// not the expected schema (a bug in the planner).
class ProofError : public std::runtime_error {
public:
    ProofError(std::string message, Diagnostic diagnostic, bool planner_bug)
        : std::runtime_error(std::move(message)), diagnostic_(std::move(diagnostic)), planner_bug_(planner_bug) {}
    const Diagnostic& diagnostic() const { return diagnostic_; }
    bool planner_bug() const { return planner_bug_; }

private:
    Diagnostic diagnostic_;
    bool planner_bug_;
};

// Runs up then down on a shadow of the touched part of `from`; throws ProofError.
// A migration that creates, changes or drops a virtual table whose module this
// SQLite lacks cannot run on a shadow: InputError at that table, nothing proven.
// `sources` (optional) supplies declared file texts for the caret display.
void prove(const Schema& from, const Schema& to, const Diff& d, const Plan& up, const Plan& down,
           const std::vector<SourceFile>* sources = nullptr);

}  // namespace schema
