// Whether copying a column's values into a column of another type changes them.
//
// A rebuild copies each row with INSERT ... SELECT, and SQLite applies the new
// column's affinity to every value it stores (https://sqlite.org/datatype3.html):
//
//   affinity  from the declared type (first rule that matches)   converts
//   --------  -------------------------------------------------  -------------------------------
//   INTEGER   contains INT                                       like NUMERIC
//   TEXT      contains CHAR, CLOB or TEXT                        numbers to text: 7 → '7'
//   BLOB      contains BLOB, or no type                          nothing
//   REAL      contains REAL, FLOA or DOUB                        integers, numeric text to real
//   NUMERIC   anything else (ANY too, outside STRICT)            numeric text to numbers:
//                                                                '007' → 7, 3.0 → 3
//
// Values already stored under an affinity are in its form, so applying the same
// affinity again changes nothing, nor does INTEGER ↔ NUMERIC (they convert alike),
// nor a column without affinity (BLOB, or ANY in a STRICT table).
#include <fmt/format.h>

#include <algorithm>

#include "internal.hpp"

namespace schema::plan_detail {

namespace {

enum class Affinity { integer, text, blob, real, numeric };

Affinity affinity_of(const Column& c, bool strict) {
    std::string type = c.type.sql();
    std::transform(type.begin(), type.end(), type.begin(), [](unsigned char ch) { return char(std::toupper(ch)); });
    auto has = [&](const char* s) { return type.find(s) != std::string::npos; };
    if (strict && type == "ANY") return Affinity::blob;  // STRICT's ANY keeps every value as it is
    if (has("INT")) return Affinity::integer;
    if (has("CHAR") || has("CLOB") || has("TEXT")) return Affinity::text;
    if (has("BLOB") || type.empty()) return Affinity::blob;
    if (has("REAL") || has("FLOA") || has("DOUB")) return Affinity::real;
    return Affinity::numeric;
}

const char* name_of(Affinity a) {
    switch (a) {
        case Affinity::integer: return "INTEGER";
        case Affinity::text: return "TEXT";
        case Affinity::blob: return "BLOB";
        case Affinity::real: return "REAL";
        case Affinity::numeric: return "NUMERIC";
    }
    return "";
}

const char* example_for(Affinity to) {
    switch (to) {
        case Affinity::text: return "7 becomes '7'";
        case Affinity::real: return "7 becomes 7.0";
        default: return "'007' becomes 7, 3.0 becomes 3";
    }
}

bool numeric_like(Affinity a) { return a == Affinity::integer || a == Affinity::numeric; }

}  // namespace

std::optional<Conversion> conversion_loss(const Table& from_table, const Column& from, const Table& to_table,
                                          const Column& to) {
    const Affinity before = affinity_of(from, from_table.strict);
    const Affinity after = affinity_of(to, to_table.strict);
    if (after == Affinity::blob || after == before || (numeric_like(before) && numeric_like(after)))
        return std::nullopt;
    Conversion c;
    c.affinity = name_of(after);
    c.column = fmt::format("{}.{}", to_table.name.sql(), to.name.sql());
    c.how = fmt::format("converted from {} to {} affinity ({})", name_of(before), name_of(after), example_for(after));
    return c;
}

}  // namespace schema::plan_detail

namespace schema {

std::string Conversion::describe(std::optional<std::int64_t> values) const {
    if (!values) return fmt::format("column {}: its stored values are {}", column, how);
    return fmt::format("column {}: {} stored value{} {}", column, *values, *values == 1 ? " is" : "s are", how);
}

}  // namespace schema
