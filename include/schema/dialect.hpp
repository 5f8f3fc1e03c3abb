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

// Why D1 refuses this statement of a migration file (BEGIN / COMMIT /
// SAVEPOINT ..., or PRAGMA foreign_keys, which does nothing there), or empty.
std::string d1_statement_refusal(std::string_view statement);

}  // namespace schema
