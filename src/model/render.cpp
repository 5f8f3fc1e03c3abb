// Canonical SQL for model values. One statement per object, no trailing ';',
// identifiers quoted only where SQLite needs it, constraints printed where they
// were declared (on the column or after the columns). parse(render(x)) == x.
#include <set>

#include "schema/model.hpp"

namespace schema {

namespace {

const char* conflict_sql(Conflict c) {
    switch (c) {
        case Conflict::none: return "";
        case Conflict::rollback: return " ON CONFLICT ROLLBACK";
        case Conflict::abort: return " ON CONFLICT ABORT";
        case Conflict::fail: return " ON CONFLICT FAIL";
        case Conflict::ignore: return " ON CONFLICT IGNORE";
        case Conflict::replace: return " ON CONFLICT REPLACE";
    }
    return "";
}

const char* action_sql(FkAction a) {
    switch (a) {
        case FkAction::no_action: return "NO ACTION";
        case FkAction::restrict_: return "RESTRICT";
        case FkAction::set_null: return "SET NULL";
        case FkAction::set_default: return "SET DEFAULT";
        case FkAction::cascade: return "CASCADE";
    }
    return "NO ACTION";
}

std::string constraint_name(const std::string& name) {
    return name.empty() ? std::string() : "CONSTRAINT " + quote_ident(name) + " ";
}

std::string ident_list(const std::vector<Ident>& names) {
    std::string out;
    for (const auto& n : names) {
        if (!out.empty()) out += ", ";
        out += n.sql();
    }
    return out;
}

std::string indexed_list(const std::vector<IndexedColumn>& cols) {
    std::string out;
    for (const auto& c : cols) {
        if (!out.empty()) out += ", ";
        out += indexed_column_sql(c);
    }
    return out;
}

// A default that SQLite accepts without parentheses: one literal, or a signed number.
bool bare_default(const Expr& e) {
    const auto& t = e.tokens();
    if (t.size() == 1) {
        switch (t[0].kind) {
            case TokenKind::number:
            case TokenKind::string:
            case TokenKind::blob: return true;
            case TokenKind::word: return is_literal_word(t[0]);
            default: return false;
        }
    }
    return t.size() == 2 && (t[0].is("-") || t[0].is("+")) && t[1].kind == TokenKind::number;
}

bool single_column(const std::vector<IndexedColumn>& cols, const Ident& name) {
    return cols.size() == 1 && cols[0].column && *cols[0].column == name;
}

// Words before which a view's SELECT starts a new line (at parenthesis depth 0).
bool clause_word(const Token& t, const Token* prev) {
    if (t.kind != TokenKind::word) return false;
    static const char* const words[] = {"from", "where", "group", "having", "order", "limit", "window",
                                        "union", "except", "intersect", "join", "left", "inner", "cross",
                                        "natural", "full", "right"};
    for (auto w : words)
        if (t.is(w)) {
            // "LEFT JOIN" breaks before LEFT only; "UNION ALL" is one clause.
            if (t.is("join") && prev && prev->kind == TokenKind::word &&
                (prev->is("left") || prev->is("inner") || prev->is("cross") || prev->is("outer") ||
                 prev->is("natural") || prev->is("full") || prev->is("right")))
                return false;
            if ((t.is("inner") || t.is("left") || t.is("cross") || t.is("full") || t.is("right")) && prev &&
                prev->is("natural"))
                return false;
            return true;
        }
    return false;
}

// A SELECT laid out one clause per line, so a reviewer can read a long view.
std::string select_sql(const Expr& select, const std::string& indent) {
    const auto& toks = select.tokens();
    std::string out;
    std::size_t start = 0;
    int depth = 0;
    for (std::size_t i = 0; i < toks.size(); ++i) {
        if (toks[i].kind == TokenKind::punct) {
            if (toks[i].is("(")) ++depth;
            else if (toks[i].is(")")) --depth;
        }
        if (i > start && depth == 0 && clause_word(toks[i], &toks[i - 1])) {
            out += render_tokens(toks, start, i) + "\n" + indent;
            start = i;
        }
    }
    out += render_tokens(toks, start, toks.size());
    return out;
}

}  // namespace

std::string indexed_column_sql(const IndexedColumn& c) {
    std::string out = c.expr.sql();
    if (c.collate) out += " COLLATE " + c.collate->sql();
    if (c.order == Order::desc) out += " DESC";
    return out;
}

std::string type_sql(const Column& c) { return c.type.sql(); }

std::string foreign_key_sql(const ForeignKey& fk) {
    std::string out = "REFERENCES " + fk.parent.sql();
    if (!fk.parent_columns.empty()) out += " (" + ident_list(fk.parent_columns) + ")";
    if (fk.on_delete != FkAction::no_action) out += std::string(" ON DELETE ") + action_sql(fk.on_delete);
    if (fk.on_update != FkAction::no_action) out += std::string(" ON UPDATE ") + action_sql(fk.on_update);
    if (!fk.match.empty()) out += " MATCH " + quote_ident(fk.match);
    if (!fk.deferral_sql.empty()) out += " " + fk.deferral_sql;
    return out;
}

std::string conflict_clause_sql(Conflict c) {
    const char* clause = conflict_sql(c);
    return *clause ? clause + 1 : "";  // without the leading space
}

std::string primary_key_sql(const PrimaryKey& pk) {
    std::string s = constraint_name(pk.name) + "PRIMARY KEY (" + indexed_list(pk.columns);
    if (pk.autoincrement) s += " AUTOINCREMENT";
    return s + ")" + conflict_sql(pk.conflict);
}

std::string unique_sql(const UniqueConstraint& u) {
    return constraint_name(u.name) + "UNIQUE (" + indexed_list(u.columns) + ")" + conflict_sql(u.conflict);
}

std::string check_sql(const CheckConstraint& ck) { return constraint_name(ck.name) + "CHECK (" + ck.expr.sql() + ")"; }

std::string table_foreign_key_sql(const ForeignKey& fk) {
    return constraint_name(fk.name) + "FOREIGN KEY (" + ident_list(fk.columns) + ") " + foreign_key_sql(fk);
}

std::string column_sql(const Column& c, const Table& t) {
    std::string out = c.name.sql();
    if (!c.type.empty()) out += " " + type_sql(c);
    if (t.primary_key && t.primary_key->column_level && single_column(t.primary_key->columns, c.name)) {
        const auto& pk = *t.primary_key;
        out += " " + constraint_name(pk.name) + "PRIMARY KEY";
        if (pk.columns[0].order == Order::desc) out += " DESC";
        out += conflict_sql(pk.conflict);
        if (pk.autoincrement) out += " AUTOINCREMENT";
    }
    if (c.not_null) out += std::string(" NOT NULL") + conflict_sql(c.not_null_conflict);
    for (const auto& u : t.uniques)
        if (u.column_level && single_column(u.columns, c.name))
            out += " " + constraint_name(u.name) + "UNIQUE" + conflict_sql(u.conflict);
    if (c.default_value) {
        out += " DEFAULT ";
        out += bare_default(*c.default_value) ? c.default_value->sql() : "(" + c.default_value->sql() + ")";
    }
    for (const auto& ck : t.checks)
        if (ck.column && *ck.column == c.name) out += " " + check_sql(ck);
    if (c.collate) out += " COLLATE " + c.collate->sql();
    for (const auto& fk : t.foreign_keys)
        if (fk.column_level && fk.columns.size() == 1 && fk.columns[0] == c.name)
            out += " " + constraint_name(fk.name) + foreign_key_sql(fk);
    if (c.generated) {
        out += " GENERATED ALWAYS AS (" + c.generated->expr.sql() + ")";
        if (c.generated->stored) out += " STORED";
    }
    return out;
}

std::string canonical_sql(const Table& t, const Ident* as_name) {
    std::vector<std::string> items;
    for (const auto& c : t.columns) items.push_back(column_sql(c, t));
    if (t.primary_key && !t.primary_key->column_level) items.push_back(primary_key_sql(*t.primary_key));
    for (const auto& u : t.uniques)
        if (!u.column_level) items.push_back(unique_sql(u));
    for (const auto& ck : t.checks)
        if (!ck.column) items.push_back(check_sql(ck));
    for (const auto& fk : t.foreign_keys)
        if (!fk.column_level) items.push_back(table_foreign_key_sql(fk));

    std::string out = "CREATE TABLE " + (as_name ? as_name->sql() : t.name.sql()) + " (\n";
    for (std::size_t i = 0; i < items.size(); ++i) out += "  " + items[i] + (i + 1 < items.size() ? ",\n" : "\n");
    out += ")";
    std::vector<std::string> options;
    if (t.without_rowid) options.push_back("WITHOUT ROWID");
    if (t.strict) options.push_back("STRICT");
    for (std::size_t i = 0; i < options.size(); ++i) out += (i ? ", " : " ") + options[i];
    return out;
}

std::string canonical_sql(const Index& i) {
    std::string out = std::string("CREATE ") + (i.unique ? "UNIQUE " : "") + "INDEX " + i.name.sql() + " ON " +
                      i.table.sql() + " (" + indexed_list(i.columns) + ")";
    if (i.where) out += " WHERE " + i.where->sql();
    return out;
}

std::string canonical_sql(const View& v) {
    std::string out = "CREATE VIEW " + v.name.sql();
    if (!v.columns.empty()) out += " (" + ident_list(v.columns) + ")";
    return out + " AS\n  " + select_sql(v.select, "  ");
}

std::string canonical_sql(const Trigger& t) {
    std::string out = "CREATE TRIGGER " + t.name.sql() + " ";
    switch (t.timing) {
        case TriggerTiming::before: out += "BEFORE "; break;
        case TriggerTiming::after: out += "AFTER "; break;
        case TriggerTiming::instead_of: out += "INSTEAD OF "; break;
    }
    switch (t.event) {
        case TriggerEvent::insert: out += "INSERT"; break;
        case TriggerEvent::delete_: out += "DELETE"; break;
        case TriggerEvent::update:
            out += "UPDATE";
            if (!t.update_of.empty()) out += " OF " + ident_list(t.update_of);
            break;
    }
    out += " ON " + t.table.sql() + " FOR EACH ROW";
    if (t.when) out += " WHEN " + t.when->sql();
    out += "\nBEGIN\n";
    for (const auto& s : t.body) out += "  " + s.sql() + ";\n";
    return out + "END";
}

std::string canonical_sql(const VirtualTable& v) {
    std::string out = "CREATE VIRTUAL TABLE " + v.name.sql() + " USING " + v.module.sql();
    if (!v.arg_text.empty()) {
        out += "(";
        for (std::size_t i = 0; i < v.arg_text.size(); ++i) out += (i ? ", " : "") + v.arg_text[i];
        out += ")";
    }
    return out;
}

std::string schema_sql(const Schema& s) {
    std::string out;
    auto emit = [&out](const std::string& sql) { out += terminated_statement(sql) + "\n\n"; };
    for (const Table* t : tables_in_dependency_order(s)) emit(create_sql(*t));
    for (const auto& [k, v] : s.virtual_tables) emit(create_sql(v));
    for (const auto& [k, i] : s.indexes) emit(create_sql(i));
    for (const View* v : views_in_dependency_order(s)) emit(create_sql(*v));
    for (const auto& [k, t] : s.triggers) emit(create_sql(t));
    if (!out.empty()) out.pop_back();
    return out;
}

}  // namespace schema
