// Where the migrations run. Plain SQLite (the runner switches foreign keys off
// around a rebuild), or Cloudflare D1 (wrangler applies the files; foreign
// keys stay on, transactions and some statements are refused).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/diagnostic.hpp"
#include "schema/model.hpp"

namespace schema {

enum class Dialect { sqlite, d1 };

const char* dialect_name(Dialect d);
std::optional<Dialect> parse_dialect(std::string_view name);

// Declarations the target refuses, as errors at the declaration: names starting
// with _cf_ (D1's own, "not authorized" there; refused in every dialect, since
// inspection leaves them out of a live schema), and for D1 virtual tables of a
// module other than fts5 / fts5vocab.
std::vector<Diagnostic> dialect_problems(const Schema& declared, Dialect d);

// A PRAGMA statement: its name (lower case, schema prefix dropped) and the
// value it sets (`= v` or `(v)`, quotes removed), when it sets one.
struct Pragma {
    std::string name;
    std::optional<std::string> value;
};
std::optional<Pragma> parse_pragma(std::string_view statement);
// A pragma value as SQLite reads a boolean (on/off, true/false, yes/no, numbers).
std::optional<bool> pragma_boolean(std::string_view value);

// Whether a statement controls transactions: BEGIN, COMMIT, END, ROLLBACK,
// SAVEPOINT or RELEASE, in any case, after any comments.
bool is_transaction_control(std::string_view statement);

// Why a migration file for this dialect may not contain this statement, or
// empty: transaction control (each migration runs in a transaction of its own,
// the runner's or D1's), pragmas that cannot take effect inside that
// transaction, and on D1 PRAGMA foreign_keys, which changes nothing there.
std::string migration_statement_refusal(std::string_view statement, Dialect d);

}  // namespace schema
