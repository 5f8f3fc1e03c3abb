// "Can ALTER TABLE do this?" — one predicate, each refusal citing the rule from
// SQLite's ALTER TABLE documentation (https://sqlite.org/lang_altertable.html):
//
//   change                      ALTER TABLE can do it when
//   --------------------------  ------------------------------------------------
//   rename a column             always (3.25+)
//   add a column                not PRIMARY KEY or UNIQUE; DEFAULT constant as
//                               ConstantReader below decides (no CURRENT_*, no
//                               operator but a sign, no function but CAST);
//                               NOT NULL only with a DEFAULT that is not NULL; not GENERATED ... STORED; a REFERENCES
//                               column only with DEFAULT NULL
//   drop a column (3.35+)       not PRIMARY KEY, UNIQUE, indexed, in a FOREIGN
//                               KEY, used by a CHECK of another column or by a
//                               generated column
//   anything else               never: type, NOT NULL, DEFAULT, COLLATE,
//                               generated expression, PRIMARY KEY, UNIQUE, CHECK,
//                               FOREIGN KEY, WITHOUT ROWID, STRICT → rebuild
#include <fmt/format.h>

#include "internal.hpp"

namespace schema {

namespace plan_detail {

namespace {

// Reads a DEFAULT expression the way SQLite's ALTER TABLE ... ADD COLUMN does
// (alter.c hands it to sqlite3ValueFromExpr, which must produce a value without
// running anything). Checked against sqlite3 3.40 on a table with rows:
//
//   constant := ('+' | '-') constant | '(' constant ')'
//             | CAST '(' constant AS type-name ')'
//             | number | string | blob | NULL | TRUE | FALSE
//
// Anything else, (1 + 1), CURRENT_TIME, abs(1), NOT 1, x COLLATE y, fails with
// "Cannot add a column with non-constant default" once the table has rows.
class ConstantReader {
public:
    explicit ConstantReader(const std::vector<Token>& tokens) : t_(tokens) {}

    // The value is a constant: whether it is NULL; nullopt when it is not a constant.
    std::optional<bool> read_whole() {
        auto is_null = constant();
        if (!is_null || pos_ != t_.size()) return std::nullopt;
        return is_null;
    }

private:
    const std::vector<Token>& t_;
    std::size_t pos_ = 0;

    bool at(std::string_view s) const { return pos_ < t_.size() && t_[pos_].is(s); }
    bool take(std::string_view s) {
        if (!at(s)) return false;
        ++pos_;
        return true;
    }

    std::optional<bool> constant() {
        if (pos_ >= t_.size()) return std::nullopt;
        if (take("+") || take("-")) return constant();  // a sign keeps NULL NULL
        if (take("(")) {
            auto inner = constant();
            if (!inner || !take(")")) return std::nullopt;
            return inner;
        }
        if (take("cast")) {
            if (!take("(")) return std::nullopt;
            auto inner = constant();
            if (!inner || !take("as") || !type_name_then_close()) return std::nullopt;
            return inner;
        }
        const Token& tok = t_[pos_++];
        switch (tok.kind) {
            case TokenKind::number:
            case TokenKind::string:
            case TokenKind::blob: return false;
            case TokenKind::word:
                if (tok.is("null")) return true;
                if (tok.is("true") || tok.is("false")) return false;
                return std::nullopt;
            default: return std::nullopt;
        }
    }

    // "VARCHAR(10))": the type of a CAST, up to and including its closing ')'.
    bool type_name_then_close() {
        int depth = 0;
        for (; pos_ < t_.size(); ++pos_) {
            const Token& tok = t_[pos_];
            if (tok.is("(")) {
                ++depth;
            } else if (tok.is(")")) {
                if (depth-- == 0) {
                    ++pos_;
                    return true;
                }
            } else if (!(tok.kind == TokenKind::word || tok.kind == TokenKind::quoted ||
                         tok.kind == TokenKind::number || tok.is(",") || tok.is("+") || tok.is("-"))) {
                return false;
            }
        }
        return false;
    }
};

}  // namespace

bool is_null_literal(const Expr& e) {
    const auto& t = e.tokens();
    std::size_t open = 0;
    while (open < t.size() && t[open].is("(")) ++open;
    if (open >= t.size() || !t[open].is("null") || t.size() != 2 * open + 1) return false;
    for (std::size_t i = open + 1; i < t.size(); ++i)
        if (!t[i].is(")")) return false;
    return true;
}

bool is_null_default(const Expr& e) { return ConstantReader(e.tokens()).read_whole() == std::optional<bool>(true); }

bool is_constant_default(const Expr& e) { return ConstantReader(e.tokens()).read_whole().has_value(); }

}  // namespace plan_detail

namespace {

using plan_detail::is_constant_default;
using plan_detail::is_null_default;
using plan_detail::is_null_literal;

bool adds_column(const ModifyTable& m, const Ident& name) {
    for (const auto& c : m.changes)
        if (auto a = std::get_if<AddColumn>(&c); a && a->column.name == name) return true;
    return false;
}

bool drops_column(const ModifyTable& m, const Ident& name) {
    for (const auto& c : m.changes)
        if (auto d = std::get_if<DropColumn>(&c); d && d->column.name == name) return true;
    return false;
}

std::optional<std::string> add_column_refusal(const Column& c, const Table& t) {
    const std::string name = c.name.sql();
    if (t.in_primary_key(c.name)) return fmt::format("ADD COLUMN cannot add {}: it is part of the PRIMARY KEY", name);
    if (t.in_unique(c.name)) return fmt::format("ADD COLUMN cannot add {}: it has a UNIQUE constraint", name);
    if (c.generated && c.generated->stored)
        return fmt::format("ADD COLUMN cannot add {}: it is a STORED generated column", name);
    if (c.default_value && !is_constant_default(*c.default_value))
        return fmt::format("ADD COLUMN cannot add {}: its DEFAULT ({}) is not a constant", name,
                           c.default_value->sql());
    if (c.not_null && !c.generated && (!c.default_value || is_null_default(*c.default_value)))
        return fmt::format("ADD COLUMN cannot add {}: it is NOT NULL without a non-NULL DEFAULT", name);
    for (const auto& fk : t.foreign_keys) {
        bool uses = false;
        for (const auto& col : fk.columns) uses = uses || col == c.name;
        if (!uses) continue;
        if (!fk.column_level || fk.columns.size() != 1)
            return fmt::format("ADD COLUMN cannot add {}: it is part of a multi-column FOREIGN KEY", name);
        if (c.default_value && !is_null_literal(*c.default_value))
            return fmt::format("ADD COLUMN cannot add {}: a REFERENCES column must default to NULL", name);
    }
    return std::nullopt;
}

std::optional<std::string> drop_column_refusal(const Column& c, const Table& t,
                                               const std::vector<const Index*>& kept_indexes) {
    const std::string name = c.name.sql();
    if (t.in_primary_key(c.name)) return fmt::format("DROP COLUMN cannot drop {}: it is part of the PRIMARY KEY", name);
    if (t.in_unique(c.name)) return fmt::format("DROP COLUMN cannot drop {}: it has a UNIQUE constraint", name);
    if (t.in_foreign_key(c.name))
        return fmt::format("DROP COLUMN cannot drop {}: it is part of a FOREIGN KEY", name);
    for (const auto& ck : t.checks)
        if (ck.expr.mentions(c.name) && !(ck.column && *ck.column == c.name))
            return fmt::format("DROP COLUMN cannot drop {}: CHECK ({}) uses it", name, ck.expr.sql());
    for (const auto& other : t.columns)
        if (other.generated && other.name != c.name && other.generated->expr.mentions(c.name))
            return fmt::format("DROP COLUMN cannot drop {}: generated column {} uses it", name, other.name.sql());
    for (const Index* i : kept_indexes)
        if (i->mentions(c.name))
            return fmt::format("DROP COLUMN cannot drop {}: index {} uses it", name, i->name.sql());
    return std::nullopt;
}

}  // namespace

std::optional<std::string> alter_refusal(const TableChange& change, const ModifyTable& m,
                                         const std::vector<const Index*>& kept_indexes) {
    const std::string tname = m.to.name.sql();
    return std::visit(
        [&](const auto& c) -> std::optional<std::string> {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, RenameColumn>) return std::nullopt;
            else if constexpr (std::is_same_v<T, AddColumn>) return add_column_refusal(c.column, m.to);
            else if constexpr (std::is_same_v<T, DropColumn>) return drop_column_refusal(c.column, m.from, kept_indexes);
            else if constexpr (std::is_same_v<T, ModifyColumn>) {
                std::string what;
                auto add = [&](const char* s) { what += (what.empty() ? "" : ", ") + std::string(s); };
                if (c.differences & type_changed) add("type");
                if (c.differences & not_null_changed) add("NOT NULL");
                if (c.differences & default_changed) add("DEFAULT");
                if (c.differences & collate_changed) add("COLLATE");
                if (c.differences & generated_changed) add("generated expression");
                return fmt::format("ALTER TABLE cannot change a column's {} ({})", what, c.to.name.sql());
            } else if constexpr (std::is_same_v<T, ChangePrimaryKey>)
                return std::string("ALTER TABLE cannot change a PRIMARY KEY");
            else if constexpr (std::is_same_v<T, AddUnique>)
                return std::string("ALTER TABLE cannot add a UNIQUE constraint");
            else if constexpr (std::is_same_v<T, DropUnique>)
                return std::string("ALTER TABLE cannot drop a UNIQUE constraint");
            else if constexpr (std::is_same_v<T, AddCheck>) {
                if (c.check.column && adds_column(m, *c.check.column)) return std::nullopt;  // part of ADD COLUMN
                return std::string("ALTER TABLE cannot add a CHECK constraint");
            } else if constexpr (std::is_same_v<T, DropCheck>) {
                if (c.check.column && drops_column(m, *c.check.column)) return std::nullopt;  // goes with its column
                return std::string("ALTER TABLE cannot drop a CHECK constraint");
            } else if constexpr (std::is_same_v<T, ModifyCheck>) {
                return std::string("ALTER TABLE cannot change a CHECK constraint");
            } else if constexpr (std::is_same_v<T, AddForeignKey>) {
                if (c.fk.column_level && c.fk.columns.size() == 1 && adds_column(m, c.fk.columns[0]))
                    return std::nullopt;  // part of ADD COLUMN ... REFERENCES
                return std::string("ALTER TABLE cannot add a FOREIGN KEY");
            } else if constexpr (std::is_same_v<T, DropForeignKey>)
                return std::string("ALTER TABLE cannot drop a FOREIGN KEY");
            else if constexpr (std::is_same_v<T, ChangeWithoutRowid>)
                return std::string("ALTER TABLE cannot change WITHOUT ROWID");
            else if constexpr (std::is_same_v<T, ChangeStrict>)
                return std::string("ALTER TABLE cannot change STRICT");
            else static_assert(unhandled<T>);
        },
        change);
}

}  // namespace schema
