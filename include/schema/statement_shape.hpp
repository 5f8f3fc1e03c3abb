// What a migration statement does to a table, read once from its tokens when
// the file is read: the runner's progress (what a copy reads and writes, what
// an index is built on) and lint's copy rule ask here, not the text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "schema/sqlite.hpp"

namespace schema::sqlite {

struct StatementShape {
    // INSERT|REPLACE INTO t ... SELECT ... FROM s: t and s. s is the table of
    // main the SELECT itself reads first (not one in a subquery); empty when it
    // reads a subquery, a table-valued function, a name its WITH clause binds,
    // another schema's table, or nothing. Names unquoted, without `main.`.
    std::string copies_into, copies_from;
    // CREATE [UNIQUE] INDEX ... ON t: t.
    std::string indexes;

    bool copies() const { return !copies_into.empty(); }
};

StatementShape shape_of(std::string_view statement);

// One shape per statement of `script` (split from `sql`), in order.
std::vector<StatementShape> shapes_of(std::string_view sql, const Script& script);

}  // namespace schema::sqlite
