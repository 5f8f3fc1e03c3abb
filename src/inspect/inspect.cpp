#include "schema/inspect.hpp"

#include <fmt/format.h>

#include <future>
#include <map>
#include <set>
#include <stdexcept>
#include <type_traits>

#include "schema/ddl.hpp"
#include "schema/timing.hpp"

namespace schema {

namespace {

std::string squeeze_type(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '`' || c == '[' ||
            c == ']')
            continue;
        out += char(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    return out;
}

// The tables whose pragmas the cross-checks read: not virtual tables, whose
// pragma_table_xinfo needs the module loaded ("no such module: vec0").
constexpr const char* ordinary_tables =
    "m.type = 'table' AND m.name IN (SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN "
    "('table', 'shadow'))";

[[noreturn]] void mismatch(const std::string& table, const std::string& what) {
    throw std::logic_error(fmt::format(
        "reading the live table {}: {} (the SQL in sqlite_master and SQLite's pragmas disagree with how it "
        "was parsed; this is a bug in schema, please report it with the table's CREATE statement)",
        table, what));
}

// Columns: names, order, NOT NULL, primary-key membership, generated-ness, type.
void cross_check_columns(sqlite::Database& db, const Schema& s) {
    auto st = db.prepare(fmt::format(
        "SELECT m.name, p.name, p.type, p.\"notnull\", p.pk, p.hidden FROM main.sqlite_master AS m, "
        "pragma_table_xinfo(m.name, 'main') AS p WHERE {} ORDER BY m.name, p.cid",
        ordinary_tables));
    std::string current;
    const Table* table = nullptr;
    std::size_t index = 0;
    auto finish = [&] {
        if (table && index != table->columns.size())
            mismatch(table->name.name(), fmt::format("SQLite reports {} columns, the parser read {}", index,
                                                     table->columns.size()));
    };
    while (st.step()) {
        std::string tname = st.text(0);
        if (tname != current) {
            finish();
            current = tname;
            table = s.table(Ident(tname));
            index = 0;
        }
        if (!table) continue;
        if (index >= table->columns.size())
            mismatch(tname, "SQLite reports more columns than the parser read");
        const Column& c = table->columns[index++];
        std::string name = st.text(1);
        if (!iequals(name, c.name.name()))
            mismatch(tname, fmt::format("column {} is {} to SQLite", c.name.name(), name));
        bool generated = st.integer(5) == 2 || st.integer(5) == 3;
        if (generated != c.generated.has_value())
            mismatch(tname, fmt::format("column {}: generated is {} to SQLite", name, generated));
        if (!generated && squeeze_type(st.text(2)) != squeeze_type(c.type.sql()))
            mismatch(tname, fmt::format("column {}: type is '{}' to SQLite, '{}' to the parser", name, st.text(2),
                                        c.type.sql()));
        if ((st.integer(3) != 0) != c.not_null)
            mismatch(tname, fmt::format("column {}: NOT NULL is {} to SQLite", name, st.integer(3) != 0));
        if ((st.integer(4) != 0) != table->in_primary_key(c.name))
            mismatch(tname, fmt::format("column {}: primary-key membership is {} to SQLite", name,
                                        st.integer(4) != 0));
    }
    finish();
}

// Foreign keys: how many, and to which parents.
void cross_check_foreign_keys(sqlite::Database& db, const Schema& s) {
    auto st = db.prepare(fmt::format(
        "SELECT m.name, p.id, p.\"table\" FROM main.sqlite_master AS m, pragma_foreign_key_list(m.name, 'main') "
        "AS p WHERE {} AND p.seq = 0 ORDER BY m.name, p.id",
        ordinary_tables));
    std::map<std::string, std::multiset<std::string>> seen;
    while (st.step()) seen[fold(st.text(0))].insert(fold(st.text(2)));
    for (const auto& [key, t] : s.tables) {
        std::multiset<std::string> parsed;
        for (const auto& fk : t.foreign_keys) parsed.insert(fk.parent.key());
        if (parsed != seen[key]) mismatch(t.name.name(), "its foreign keys differ from PRAGMA foreign_key_list");
    }
}

// Indexes created by CREATE INDEX: how many key columns each has.
void cross_check_index_columns(sqlite::Database& db, const Schema& s) {
    auto st = db.prepare(
        "SELECT m.name, count(*) FROM main.sqlite_master AS m, pragma_index_xinfo(m.name, 'main') AS p "
        "WHERE m.type = 'index' AND m.sql IS NOT NULL AND p.key = 1 GROUP BY m.name");
    while (st.step()) {
        const Index* i = s.index(Ident(st.text(0)));
        if (i && std::size_t(st.integer(1)) != i->columns.size())
            mismatch(i->table.name(), fmt::format("index {} has {} columns to SQLite, {} to the parser", st.text(0),
                                                  st.integer(1), i->columns.size()));
    }
}

// Indexes created by CREATE INDEX: uniqueness and partial-ness.
void cross_check_indexes(sqlite::Database& db, const Schema& s) {
    auto st = db.prepare(fmt::format(
        "SELECT m.name, p.name, p.\"unique\", p.partial FROM main.sqlite_master AS m, "
        "pragma_index_list(m.name, 'main') AS p WHERE {} AND p.origin = 'c'",
        ordinary_tables));
    while (st.step()) {
        const Index* i = s.index(Ident(st.text(1)));
        if (!s.table(Ident(st.text(0)))) continue;
        if (!i) mismatch(st.text(0), "index " + st.text(1) + " was not read");
        if ((st.integer(2) != 0) != i->unique || (st.integer(3) != 0) != i->where.has_value())
            mismatch(st.text(0), "index " + st.text(1) + " differs from PRAGMA index_list");
    }
}

// Each object's stored text is sqlite_master.sql, byte for byte: the parser
// derives it by SQLite's rule, so they agree; should they not (text an older
// SQLite stored), the live text wins and its spans are dropped, so a rebuild
// renders the table rather than edit a text it cannot place.
void keep_live_text(Schema& s, const std::map<std::string, const std::string*>& sql_of) {
    auto keep = [&](auto& objects) {
        for (auto& [key, o] : objects) {
            auto it = sql_of.find(key);
            if (it == sql_of.end() || o.stored.text == *it->second) continue;
            o.stored = StoredSql{*it->second, {}, 0};
            if constexpr (std::is_same_v<std::decay_t<decltype(o)>, Table>)
                for (auto& fk : o.foreign_keys) fk.parent_span = {};
        }
    };
    keep(s.tables);
    keep(s.indexes);
    keep(s.views);
    keep(s.triggers);
    keep(s.virtual_tables);
}

}  // namespace

bool is_internal_name(const std::string& name) {
    return fold(name).rfind("sqlite_", 0) == 0 || name.rfind("_cf_", 0) == 0;
}

Schema inspect(sqlite::Database& db, const InspectOptions& options) {
    std::set<std::string> skip;
    for (const auto& t : options.ignore_tables) skip.insert(fold(t));
    // Shadow tables of virtual tables (FTS, R*Tree) are the module's business. SQLite
    // calls any table named like one "shadow" (a user table docs_content used as the
    // external content of docs too), so the model decides with the module's options.
    std::set<std::string> reported_shadow;
    {
        auto st = db.prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'");
        while (st.step()) reported_shadow.insert(fold(st.text(0)));
    }

    struct Entry {
        std::string name, origin, sql;
    };
    std::vector<Entry> entries;
    auto st = db.prepare(
        "SELECT type, name, tbl_name, sql FROM main.sqlite_master WHERE sql IS NOT NULL ORDER BY rowid");
    while (st.step()) {
        std::string name = st.text(1);
        std::string table = st.text(2);
        if (is_internal_name(name) || skip.count(fold(name)) || skip.count(fold(table))) continue;
        entries.push_back({name, options.origin + ": " + st.text(0) + " " + name, st.text(3)});
    }

    // Large schemas are parsed in two halves side by side; objects have distinct
    // names in a live database, so the halves merge without conflict.
    auto parse_range = [&entries](std::size_t begin, std::size_t end, Schema& into, std::vector<Diagnostic>& errors) {
        for (std::size_t i = begin; i < end; ++i) add_statements(into, entries[i].sql, entries[i].origin, errors);
    };
    Schema schema;
    std::vector<Diagnostic> errors;
    if (entries.size() < 2000) {
        parse_range(0, entries.size(), schema, errors);
    } else {
        const std::size_t half = entries.size() / 2;
        Schema second;
        std::vector<Diagnostic> second_errors;
        auto other = std::async(std::launch::async, [&] { parse_range(half, entries.size(), second, second_errors); });
        parse_range(0, half, schema, errors);
        other.get();
        schema.tables.merge(second.tables);
        schema.indexes.merge(second.indexes);
        schema.views.merge(second.views);
        schema.triggers.merge(second.triggers);
        schema.virtual_tables.merge(second.virtual_tables);
        errors.insert(errors.end(), second_errors.begin(), second_errors.end());
    }
    if (!errors.empty()) throw InputError(std::move(errors));
    {
        std::map<std::string, const std::string*> sql_of;
        for (const auto& e : entries) sql_of.emplace(fold(e.name), &e.sql);
        keep_live_text(schema, sql_of);
    }
    drop_shadow_tables(schema, &reported_shadow);
    resolve_across_objects(schema);
    if (options.cross_check) {
        cross_check_columns(db, schema);
        cross_check_foreign_keys(db, schema);
        cross_check_indexes(db, schema);
        cross_check_index_columns(db, schema);
    }
    return schema;
}

}  // namespace schema
