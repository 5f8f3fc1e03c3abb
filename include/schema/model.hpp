// The schema model: plain values, one dialect (SQLite), built the same way from
// declared DDL files and from a live database's sqlite_master, so the two
// compare apples to apples.
//
// Normal forms (applied when a model is built, so comparisons stay simple):
//  * column-level PRIMARY KEY / UNIQUE / CHECK / REFERENCES are stored with the
//    table-level ones; `column_level` / `column` only say where to print them;
//  * ASC (the default order) is dropped; FK actions default to NO ACTION;
//  * DEFAULT (x) and DEFAULT x are one value, a bare-word default is a string;
//  * trigger timing defaults to BEFORE; FOR EACH ROW is implied.
// What compares equal is spelled out in model/equality.cpp.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "schema/diagnostic.hpp"
#include "schema/expr.hpp"
#include "schema/ident.hpp"

namespace schema {

enum class Conflict { none, rollback, abort, fail, ignore, replace };

// Where a token is in a statement's text: [offset, offset + length).
struct TextSpan {
    std::size_t offset = 0;
    std::size_t length = 0;
    bool empty() const { return length == 0; }
};

// An object's CREATE statement as SQLite keeps it in sqlite_master.sql: the
// kind's words ("CREATE TABLE ", "CREATE UNIQUE INDEX ") and then the text as it
// was declared from the object's name on, comments and layout included
// (model/stored_sql.cpp says where SQLite ends it). Objects read from a live
// database carry sqlite_master.sql itself. A migration creates an object with
// this text; when it needs a temporary name it edits only `name` (and a table's
// REFERENCES targets, ForeignKey::parent_span). Empty for an object built in
// code, which is rendered instead (render.cpp).
struct StoredSql {
    std::string text;
    TextSpan name;
    // Tables: where ALTER TABLE ADD COLUMN inserts ", <definition>": the ','
    // before the table constraints, or the closing ')'.
    std::size_t columns_end = 0;
    bool empty() const { return text.empty(); }
};
enum class Order { none, desc };
enum class FkAction { no_action, restrict_, set_null, set_default, cascade };

// "expr [COLLATE c] [DESC]" as SQLite reads index and key columns.
struct IndexedColumn {
    std::optional<Ident> column;  // set when the expression is a plain column name
    Expr expr;                    // the expression (for a plain column: that name)
    std::optional<Ident> collate;
    Order order = Order::none;
};

struct PrimaryKey {
    std::string name;  // CONSTRAINT name, or empty
    std::vector<IndexedColumn> columns;
    Conflict conflict = Conflict::none;
    bool autoincrement = false;
    bool column_level = false;
    SourcePos pos = {};  // the clause, where declared (CI annotations point there)
};

struct UniqueConstraint {
    std::string name;
    std::vector<IndexedColumn> columns;
    Conflict conflict = Conflict::none;
    bool column_level = false;
    SourcePos pos = {};  // the clause, where declared
};

struct CheckConstraint {
    std::string name;
    Expr expr;
    std::optional<Ident> column;  // declared on this column
    SourcePos pos = {};           // the clause, where declared
};

struct ForeignKey {
    std::string name;
    std::vector<Ident> columns;
    Ident parent;
    std::vector<Ident> parent_columns;  // empty: the parent's primary key
    // With parent_columns empty, the parent's primary-key columns as the schema
    // declares them (see resolve_across_objects); empty when unknown.
    std::vector<Ident> implied_parent_columns;
    FkAction on_delete = FkAction::no_action;
    FkAction on_update = FkAction::no_action;
    std::string match;            // parsed and ignored by SQLite
    bool deferred = false;        // DEFERRABLE INITIALLY DEFERRED
    std::string deferral_sql;     // the clause as declared, for printing
    bool column_level = false;
    TextSpan parent_span;  // the parent's name in the table's StoredSql; empty if none
    SourcePos pos = {};    // the clause, where declared
};

struct Generated {
    Expr expr;
    bool stored = false;
};

struct Column {
    Ident name;
    Expr type;  // declared type; empty when none
    bool not_null = false;
    Conflict not_null_conflict = Conflict::none;
    std::optional<Expr> default_value;  // without enclosing parentheses
    std::optional<Ident> collate;
    std::optional<Generated> generated;
    std::optional<Ident> renamed_from;  // @renamed hint
    SourcePos renamed_at;               // where that hint is written
    SourcePos pos;
    std::string declared_sql;  // the definition as declared (name to last token), for ADD COLUMN
    TextSpan span;             // where that definition is in the table's StoredSql
};

struct Table {
    Ident name;
    std::vector<Column> columns;
    std::optional<PrimaryKey> primary_key;
    std::vector<UniqueConstraint> uniques;
    std::vector<CheckConstraint> checks;
    std::vector<ForeignKey> foreign_keys;
    bool without_rowid = false;
    bool strict = false;
    std::optional<Ident> renamed_from;
    SourcePos renamed_at;
    SourcePos pos;
    StoredSql stored;

    const Column* column(const Ident& name) const;
    // The INTEGER PRIMARY KEY column that aliases the rowid, if any.
    const Column* rowid_alias() const;
    bool has_rowid() const { return !without_rowid; }
    bool autoincrement() const { return primary_key && primary_key->autoincrement; }
    // Whether `name` is part of the primary key / some UNIQUE / some FK.
    bool in_primary_key(const Ident& name) const;
    bool in_unique(const Ident& name) const;
    bool in_foreign_key(const Ident& name) const;
};

struct Index {
    Ident name;
    Ident table;
    bool unique = false;
    std::vector<IndexedColumn> columns;
    std::optional<Expr> where;
    std::optional<Ident> renamed_from;
    SourcePos renamed_at;
    SourcePos pos;
    StoredSql stored;

    bool mentions(const Ident& column) const;
};

struct View {
    Ident name;
    std::vector<Ident> columns;
    Expr select;
    SourcePos pos;
    StoredSql stored;
};

enum class TriggerTiming { before, after, instead_of };
enum class TriggerEvent { insert, update, delete_ };

struct Trigger {
    Ident name;
    Ident table;
    TriggerTiming timing = TriggerTiming::before;
    TriggerEvent event = TriggerEvent::insert;
    std::vector<Ident> update_of;
    std::optional<Expr> when;
    std::vector<Expr> body;  // one per statement, without ';'
    SourcePos pos;
    StoredSql stored;

    bool mentions(const Ident& name) const;  // in WHEN, OF or body
};

struct VirtualTable {
    Ident name;
    Ident module;
    // Arguments go to the module verbatim (FTS3 reads "tokenize=porter" itself, spaces
    // matter to it), so the text is kept; `args` holds their tokens for comparison.
    std::vector<std::string> arg_text;
    std::vector<Expr> args;
    SourcePos pos;
    StoredSql stored;
};


// A whole schema. Maps are keyed by folded name, so iteration order (and with
// it every generated file) is deterministic and independent of file order.
struct Schema {
    std::map<std::string, Table> tables;
    std::map<std::string, Index> indexes;
    std::map<std::string, View> views;
    std::map<std::string, Trigger> triggers;
    std::map<std::string, VirtualTable> virtual_tables;

    const Table* table(const Ident& name) const;
    const Index* index(const Ident& name) const;
    const View* view(const Ident& name) const;
    const Trigger* trigger(const Ident& name) const;
    const VirtualTable* virtual_table(const Ident& name) const;

    // Any object (of the kinds sharing SQLite's table namespace) with this name.
    bool has_relation(const Ident& name) const;
    std::size_t object_count() const;
    bool empty() const { return object_count() == 0; }
};

// --- dependencies (model/dependencies.cpp) ----------------------------------------
// Name-based and conservative: an identifier token that names a relation counts.

// Tables, views and virtual tables a view or trigger reads or writes.
std::vector<Ident> relations_used_by(const View& v, const Schema& s);
std::vector<Ident> relations_used_by(const Trigger& t, const Schema& s);
// The relations a virtual table's module arguments name (an FTS content table).
std::vector<Ident> relations_used_by(const VirtualTable& v, const Schema& s);
// Tables first, parents (FOREIGN KEY targets) before children; ties by name.
std::vector<const Table*> tables_in_dependency_order(const Schema& s);
// Views ordered so that each comes after the views it reads.
std::vector<const View*> views_in_dependency_order(const Schema& s);

// The suffixes of the shadow tables (the tables a virtual table keeps its data
// in) that the module really creates for `v`, given its options: FTS5 keeps no
// docs_content with content=posts, no docs_docsize with columnsize=0. nullopt
// for a module whose shadow tables this code does not know.
std::optional<std::vector<std::string>> shadow_table_suffixes(const VirtualTable& v);

// Removes the shadow tables of the schema's virtual tables: the module creates
// them, so they are not declared objects (`sqlite3 .schema` output lists them; a
// copy of it in schema/ must not create them a second time). A table that only
// looks like one (a user table docs_content as the external content of docs)
// stays. `reported_shadow` (folded names): what PRAGMA table_list calls shadow on
// a live database; a table is dropped only if SQLite agrees, and for modules of
// unknown shadow tables SQLite alone decides.
void drop_shadow_tables(Schema& s, const std::set<std::string>* reported_shadow = nullptr);

// What one object means through another, settled once the whole schema is read
// (a parent or an index's table may be declared after): fills
// ForeignKey::implied_parent_columns ("REFERENCES p" targets p's primary key, so
// it is "REFERENCES p (id)" when id is that key), and reads the double-quoted
// tokens of index expressions that name no column of the table as strings.
void resolve_across_objects(Schema& s);

// References to objects a declared schema does not have: an index or trigger on
// an undeclared table (errors: SQLite refuses them), a FOREIGN KEY to one (a
// warning: SQLite accepts it, and real schemas reference tables of another
// database, but with foreign keys on every insert into it fails).
std::vector<Diagnostic> dangling_references(const Schema& s);

// --- the statement that creates an object (model/stored_sql.cpp) --------------
// Its StoredSql when it has one (what was declared, or what the live database
// holds), else its canonical rendering.

std::string create_sql(const Table& t);
std::string create_sql(const Index& i);
std::string create_sql(const View& v);
std::string create_sql(const Trigger& t);
std::string create_sql(const VirtualTable& v);
// The table's statement under another name, its foreign keys to the tables of
// `renamed` (folded name → name) naming those: in stored text only the name
// tokens change. A table rebuild creates its new table so.
std::string create_sql_as(const Table& t, const Ident& name, const std::map<std::string, Ident>& renamed = {});
// A column's definition as ADD COLUMN takes it: as declared, else rendered.
std::string add_column_sql(const Column& c, const Table& t);
// What sqlite_master.sql holds once ALTER TABLE has added `c` to (dropped the
// column `name` from) `t`, whose spans follow: ADD COLUMN inserts ", " and the
// definition after the last column; DROP COLUMN cuts from the column's name to
// the next column's, or for the last one from the comma before it to the end
// of the columns. false when `t` has no stored text to edit.
bool add_column_to_text(Table& t, const Column& c);
bool drop_column_from_text(Table& t, const Ident& name);
std::optional<std::string> text_after_add_column(const Table& before, const Column& c, const Table& after);
// Whether two statement texts are the same but for how identifier tokens are
// quoted (`t`, "t", [t] and `t` are one token). RENAME rewrites the name tokens
// it edits as "t", so a rebuilt table's text differs from its declaration there.
bool same_text_but_quoting(std::string_view a, std::string_view b);
// The statement followed by its ';', on a line of its own when the text ends
// in a line comment.
std::string terminated_statement(std::string_view sql);

// --- canonical SQL (model/render.cpp) -----------------------------------------
// The model rendered, one clause per line: for objects without stored text.

std::string canonical_sql(const Table& t, const Ident* as_name = nullptr);
std::string canonical_sql(const Index& i);
std::string canonical_sql(const View& v);
std::string canonical_sql(const Trigger& t);
std::string canonical_sql(const VirtualTable& v);
std::string column_sql(const Column& c, const Table& t);  // as in CREATE TABLE
std::string indexed_column_sql(const IndexedColumn& c);
std::string foreign_key_sql(const ForeignKey& fk);      // the REFERENCES ... part
// Constraints as written after the columns, with their names and conflict clauses.
std::string primary_key_sql(const PrimaryKey& pk);
std::string unique_sql(const UniqueConstraint& u);
std::string check_sql(const CheckConstraint& ck);
std::string table_foreign_key_sql(const ForeignKey& fk);
std::string conflict_clause_sql(Conflict c);  // "ON CONFLICT REPLACE", or "" for none
std::string type_sql(const Column& c);
// The whole schema, one statement per object, in dependency order.
std::string schema_sql(const Schema& s);

// --- equality (model/equality.cpp) ------------------------------------------------

bool same_indexed_columns(const std::vector<IndexedColumn>& a, const std::vector<IndexedColumn>& b);
bool same_column(const Column& a, const Column& b);
bool same_primary_key(const Table& a, const Table& b);
bool same_unique(const UniqueConstraint& a, const UniqueConstraint& b);
bool same_check(const CheckConstraint& a, const CheckConstraint& b);
bool same_foreign_key(const ForeignKey& a, const ForeignKey& b);
bool same_definition(const Table& a, const Table& b);
bool same_definition(const Index& a, const Index& b);
bool same_definition(const View& a, const View& b);
bool same_definition(const Trigger& a, const Trigger& b);
bool same_definition(const VirtualTable& a, const VirtualTable& b);
bool same_schema(const Schema& a, const Schema& b);

}  // namespace schema
