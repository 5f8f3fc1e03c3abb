// The syntax tree of one schema statement, as the grammar reads it.
//
// It stays close to the text: names are unquoted but otherwise as written,
// expressions are their raw source text (tokenized and normalized later, in
// to_model.cpp), and every node that a message may point at carries the byte
// offset where it starts. The model (include/schema/model.hpp) is built from it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace schema::ddl::ast {

struct Located {
    const char* at = nullptr;  // first character in the source text (set by the grammar)
};

enum class Conflict { none, rollback, abort, fail, ignore, replace };
enum class Order { none, asc, desc };
enum class FkAction { none, set_null, set_default, cascade, restrict_, no_action };
enum class Deferral { none, not_deferrable, deferrable, initially_deferred, initially_immediate };

struct QualifiedName : Located {
    std::optional<std::string> schema;
    std::string name;
    // The name token as written (quotes included), without its schema: SQLite
    // keeps a statement's text from here on.
    const char* name_begin = nullptr;
    const char* name_end = nullptr;
};

// One entry of a parenthesised list that SQLite reads as "expr [COLLATE c] [ASC|DESC]"
// (index columns, PRIMARY KEY / UNIQUE columns). Kept raw; split in to_model.
struct IndexedColumn : Located {
    std::string text;
};

struct ForeignKeyClause : Located {
    std::string table;
    const char* table_begin = nullptr;  // the parent's name token as written
    const char* table_end = nullptr;
    std::vector<std::string> columns;
    FkAction on_delete = FkAction::none;
    FkAction on_update = FkAction::none;
    std::string match;
    Deferral deferral = Deferral::none;
};

struct ColumnConstraint : Located {
    enum Kind { primary_key, not_null, null, unique, check, default_value, collate, references, generated, deferral };
    Kind kind = null;
    std::string name;                 // CONSTRAINT name, if given
    Conflict conflict = Conflict::none;
    Order order = Order::none;        // PRIMARY KEY ASC|DESC
    bool autoincrement = false;
    std::string expr;                 // CHECK / DEFAULT / GENERATED text (DEFAULT keeps its parentheses)
    bool stored = false;              // GENERATED ... STORED
    std::string collation;
    ForeignKeyClause fk;
};

struct ColumnDef : Located {
    const char* end = nullptr;  // just past its last token
    std::string name;
    std::optional<std::string> type;  // raw type text, e.g. "VARCHAR(255)"
    std::vector<ColumnConstraint> constraints;
};

struct TableConstraint : Located {
    enum Kind { none, primary_key, unique, check, foreign_key };
    Kind kind = none;  // none: a lone "CONSTRAINT name", which SQLite accepts and ignores
    std::string name;
    std::vector<IndexedColumn> columns;   // PRIMARY KEY / UNIQUE
    bool autoincrement = false;           // PRIMARY KEY (a AUTOINCREMENT)
    Conflict conflict = Conflict::none;
    std::string expr;                     // CHECK
    std::vector<std::string> fk_columns;  // FOREIGN KEY (...)
    ForeignKeyClause fk;
};

struct CreateTable : Located {
    bool temp = false;
    bool if_not_exists = false;
    QualifiedName name;
    std::vector<ColumnDef> columns;
    const char* columns_end = nullptr;  // the ',' before the table constraints, or ')'
    std::vector<TableConstraint> constraints;
    bool without_rowid = false;
    bool strict = false;
    std::optional<std::string> as_select;  // CREATE TABLE ... AS SELECT (refused later)
};

struct CreateIndex : Located {
    bool unique = false;
    bool if_not_exists = false;
    QualifiedName name;
    std::string table;
    std::vector<IndexedColumn> columns;
    std::optional<std::string> where;
};

struct CreateView : Located {
    bool temp = false;
    bool if_not_exists = false;
    QualifiedName name;
    std::vector<std::string> columns;
    std::string select;
};

struct CreateTrigger : Located {
    enum Timing { unspecified, before, after, instead_of };
    enum Event { on_delete, on_insert, on_update };
    bool temp = false;
    bool if_not_exists = false;
    QualifiedName name;
    Timing timing = unspecified;
    Event event = on_insert;
    std::vector<std::string> update_of;
    QualifiedName table;
    bool for_each_row = false;
    std::optional<std::string> when;
    std::vector<std::string> body;  // each statement's text, without its ';'
};

struct CreateVirtualTable : Located {
    bool if_not_exists = false;
    QualifiedName name;
    std::string module;
    std::vector<std::string> args;  // raw text of each argument
};

}  // namespace schema::ddl::ast
