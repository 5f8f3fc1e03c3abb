// AST → model: normal forms, @renamed hints, and the semantic checks that make a
// set of declared files one coherent schema (no duplicates, no TEMP objects, no
// CREATE TABLE ... AS SELECT).
#include <algorithm>
#include <cstring>
#include <functional>

#include "lexemes.hpp"
#include "parse.hpp"
#include "schema/ddl.hpp"
#include "schema/files.hpp"

namespace schema {

namespace {

namespace x3 = boost::spirit::x3;
using namespace ddl;

Conflict conflict_of(ast::Conflict c) {
    switch (c) {
        case ast::Conflict::none: return Conflict::none;
        case ast::Conflict::rollback: return Conflict::rollback;
        case ast::Conflict::abort: return Conflict::abort;
        case ast::Conflict::fail: return Conflict::fail;
        case ast::Conflict::ignore: return Conflict::ignore;
        case ast::Conflict::replace: return Conflict::replace;
    }
    return Conflict::none;
}

FkAction action_of(ast::FkAction a) {
    switch (a) {
        case ast::FkAction::none:
        case ast::FkAction::no_action: return FkAction::no_action;
        case ast::FkAction::restrict_: return FkAction::restrict_;
        case ast::FkAction::set_null: return FkAction::set_null;
        case ast::FkAction::set_default: return FkAction::set_default;
        case ast::FkAction::cascade: return FkAction::cascade;
    }
    return FkAction::no_action;
}

// Removes parentheses that enclose the whole sequence: (0) and ((0)) are 0.
void strip_outer_parens(std::vector<Token>& toks) {
    while (toks.size() >= 2 && toks.front().is("(") && toks.back().is(")")) {
        int depth = 0;
        bool encloses = true;
        for (std::size_t i = 0; i < toks.size(); ++i) {
            if (toks[i].kind != TokenKind::punct) continue;
            if (toks[i].is("(")) ++depth;
            else if (toks[i].is(")") && --depth == 0 && i + 1 != toks.size()) {
                encloses = false;
                break;
            }
        }
        if (!encloses) return;
        toks.erase(toks.begin());
        toks.pop_back();
    }
}

// An "@renamed from=NAME" hint found in a comment.
struct Hint {
    std::size_t offset;
    int line;
    Ident from;
    bool used = false;
};

std::optional<std::string> hint_name(const std::string& comment) {
    using namespace lex;
    auto at = comment.find("@renamed");
    if (at == std::string::npos) return std::nullopt;
    auto first = comment.cbegin() + std::ptrdiff_t(at);
    auto const blanks = *x3::char_(" \t");
    auto const hint = x3::omit[x3::lit("@renamed") >> +x3::char_(" \t") >> x3::lit("from") >> blanks >>
                               x3::lit('=') >> blanks] >>
                      (double_quoted | backquoted | bracketed | single_quoted | bare_word);
    std::string name;
    if (!x3::parse(first, comment.cend(), hint, name) || name.empty()) return std::string();
    return name;
}

// The column type as SQLite records it. Its parser reads GENERATED and ALWAYS as
// type words, then build.c strips a trailing "always" (and "generated" before
// it) from type text of 16 characters or more; the same rule keeps both sides
// of a comparison identical.
std::string declared_type(std::string type) {
    auto ends_with = [&](std::string_view word) {
        return type.size() >= word.size() && iequals(std::string_view(type).substr(type.size() - word.size()), word);
    };
    auto trim = [&] {
        while (!type.empty() && (type.back() == ' ' || type.back() == '\t' || type.back() == '\n' || type.back() == '\r'))
            type.pop_back();
    };
    if (type.size() >= 16 && ends_with("always")) {
        type.resize(type.size() - 6);
        trim();
        if (type.size() >= 9 && ends_with("generated")) {
            type.resize(type.size() - 9);
            trim();
        }
    }
    return type;
}

// The key column a column-level PRIMARY KEY or UNIQUE stands for.
IndexedColumn key_column(const Ident& column, Order order) {
    IndexedColumn ic;
    ic.column = column;
    ic.expr = Expr({Token{is_plain_identifier(column.name()) ? TokenKind::word : TokenKind::quoted, column.name()}});
    ic.order = order;
    return ic;
}

class Builder {
public:
    Builder(Schema& schema, std::string_view text, const std::string& path, std::vector<Diagnostic>& errors)
        : schema_(schema), text_(text), path_(path), lines_(text), errors_(errors) {
        for (auto& c : comments_of(text)) {
            auto name = hint_name(c.text);
            if (!name) continue;
            if (name->empty()) {
                error(c.offset, "malformed @renamed hint: write `@renamed from=old_name`");
                continue;
            }
            // The hint's position is its "@renamed", after the comment's two-character marker.
            const std::size_t at = c.offset + 2 + c.text.find("@renamed");
            hints_.push_back({at, lines_.position(path_, at).line, Ident(*name)});
        }
    }

    void add(const ParsedStatement& ps) {
        stmt_begin_ = ps.begin;
        stmt_ = &ps;
        std::visit([&](const auto& node) { build(node); }, ps.stmt);
    }

    void finish() {
        for (auto& h : hints_)
            if (!h.used)
                error(h.offset,
                      "@renamed hint is not on the line of a table, column or index definition it could rename");
    }

private:
    Schema& schema_;
    std::string_view text_;
    const std::string& path_;
    LineIndex lines_;
    std::vector<Diagnostic>& errors_;
    std::vector<Hint> hints_;
    std::size_t stmt_begin_ = 0;  // offset of the current statement's CREATE
    const ParsedStatement* stmt_ = nullptr;
    // The current statement's stored text starts at its name, after `prefix`.
    const char* stored_from_ = nullptr;
    std::size_t prefix_size_ = 0;

    // Where SQLite ends the text it stores (build.c, trigger.c, vtab.c): a table
    // at its ')', or with WITHOUT ROWID / STRICT where the statement ends; an
    // index where the statement ends; a view there too, less trailing blanks; a
    // trigger at END and a virtual table at its last token.
    enum class StoredEnd { last_token, statement_end, statement_end_trimmed };
    StoredSql stored(const char* prefix, const ast::QualifiedName& name, StoredEnd until) {
        std::size_t end = until == StoredEnd::last_token ? stmt_->last_token : stmt_->end;
        if (until == StoredEnd::statement_end_trimmed)
            while (end > stmt_->last_token && std::strchr(" \t\n\r\f\v", text_[end - 1])) --end;
        StoredSql out;
        const std::size_t from = offset_of(name.name_begin);
        if (!name.name_begin || from > end) return out;
        stored_from_ = name.name_begin;
        prefix_size_ = std::strlen(prefix);
        out.text = prefix + std::string(text_.substr(from, end - from));
        out.name = span_of(name.name_begin, name.name_end);
        return out;
    }
    // Where [begin, end) of the source is in the current statement's stored text.
    TextSpan span_of(const char* begin, const char* end) const {
        if (!begin || !end || !stored_from_ || begin < stored_from_) return {};
        return {prefix_size_ + std::size_t(begin - stored_from_), std::size_t(end - begin)};
    }

    SourcePos stmt_pos() const { return lines_.position(path_, stmt_begin_); }
    const char* stmt_at() const { return text_.data() + stmt_begin_; }

    std::size_t offset_of(const char* at) const { return at ? std::size_t(at - text_.data()) : 0; }
    SourcePos pos(const char* at) const { return lines_.position(path_, offset_of(at)); }

    void error(std::size_t offset, std::string message) {
        SourcePos p = lines_.position(path_, offset);
        errors_.push_back({p, std::move(message), lines_.line_text(p.line)});
    }
    void error(const char* at, std::string message) { error(offset_of(at), std::move(message)); }

    Expr expr(const std::string& text, const char* at) {
        try {
            return Expr(tokenize(text));
        } catch (const std::exception& e) {
            error(at, e.what());
            return Expr();
        }
    }

    // Where a definition starts, where its name is (a quoted name may span
    // lines), and the fields its @renamed hint goes to.
    struct HintSlot {
        const char* at;
        const char* name_at;
        const std::string* name;
        std::optional<Ident>* from;
        SourcePos* hint_pos;
    };

    // The lines a hint may share with a definition: from its start to the end of its name.
    std::pair<int, int> hint_lines(const HintSlot& d) const {
        const int first = lines_.position(path_, offset_of(d.at)).line;
        const int name_line = lines_.position(path_, offset_of(d.name_at)).line;
        return {first, std::max(first, name_line + int(std::count(d.name->begin(), d.name->end(), '\n')))};
    }

    // Each unclaimed hint on a line of a definition in `defs` (from its start to
    // the end of its name), after that start, goes to the last such definition
    // before it.
    void claim_hints(const std::vector<HintSlot>& defs) {
        for (auto& h : hints_) {
            if (h.used) continue;
            const HintSlot* owner = nullptr;
            for (const auto& d : defs) {
                std::size_t off = offset_of(d.at);
                auto [first, last] = hint_lines(d);
                if (off < h.offset && first <= h.line && h.line <= last &&
                    (owner == nullptr || off >= offset_of(owner->at)))
                    owner = &d;
            }
            if (owner) {
                *owner->from = h.from;
                *owner->hint_pos = lines_.position(path_, h.offset);
                h.used = true;
            }
        }
    }

    bool check_name(const ast::QualifiedName& q, bool temp, const char* what) {
        if (temp) {
            error(q.at, fmt_msg("TEMP ", what, " ", q.name,
                                " exists only for the connection that creates it; a schema file declares "
                                "persistent objects"));
            return false;
        }
        if (q.schema && !iequals(*q.schema, "main")) {
            error(q.at, fmt_msg(what, " ", q.name, " is qualified with schema '", *q.schema,
                                "'; only the main database is managed"));
            return false;
        }
        return true;
    }

    template <typename... A>
    static std::string fmt_msg(const A&... parts) {
        std::string s;
        (s.append(parts), ...);
        return s;
    }

    // Records `name` in SQLite's shared namespace of tables, views, indexes.
    template <typename Map, typename Obj>
    bool insert_unique(Map& map, Obj obj, const char* what, const char* at) {
        const std::string key = obj.name.key();
        if (const SourcePos* other = existing_relation(obj.name)) {
            error(at, fmt_msg(what, " ", obj.name.name(), " is declared twice (also at ", other->str(), ")"));
            return false;
        }
        map.emplace(key, std::move(obj));
        return true;
    }

    const SourcePos* existing_relation(const Ident& name) const {
        if (auto t = schema_.table(name)) return &t->pos;
        if (auto v = schema_.view(name)) return &v->pos;
        if (auto i = schema_.index(name)) return &i->pos;
        if (auto vt = schema_.virtual_table(name)) return &vt->pos;
        return nullptr;
    }

    IndexedColumn indexed_column(const ast::IndexedColumn& ic, bool* autoincrement = nullptr) {
        std::vector<Token> toks;
        try {
            toks = tokenize(ic.text);
        } catch (const std::exception& e) {
            error(ic.at, e.what());
        }
        IndexedColumn out;
        if (autoincrement && !toks.empty() && toks.back().is("autoincrement")) {
            *autoincrement = true;
            toks.pop_back();
        }
        if (!toks.empty() && (toks.back().is("asc") || toks.back().is("desc"))) {
            if (toks.back().is("desc")) out.order = Order::desc;
            toks.pop_back();
        }
        if (toks.size() >= 3 && toks[toks.size() - 2].is("collate") &&
            (toks.back().kind == TokenKind::word || toks.back().kind == TokenKind::quoted ||
             toks.back().kind == TokenKind::string)) {
            out.collate = Ident(toks.back().text);
            toks.resize(toks.size() - 2);
        }
        if (toks.size() == 1 && (toks[0].kind == TokenKind::word || toks[0].kind == TokenKind::quoted ||
                                 toks[0].kind == TokenKind::string)) {
            out.column = Ident(toks[0].text);
            toks[0].kind = is_plain_identifier(toks[0].text) ? TokenKind::word : TokenKind::quoted;
        }
        if (toks.empty()) error(ic.at, "empty column in list");
        out.expr = Expr(std::move(toks));
        return out;
    }

    ForeignKey foreign_key(const ast::ForeignKeyClause& fk) {
        ForeignKey out;
        out.parent = Ident(fk.table);
        out.parent_span = span_of(fk.table_begin, fk.table_end);
        for (auto& c : fk.columns) out.parent_columns.emplace_back(c);
        out.on_delete = action_of(fk.on_delete);
        out.on_update = action_of(fk.on_update);
        out.match = fk.match;
        apply_deferral(out, fk.deferral);
        return out;
    }

    static void apply_deferral(ForeignKey& out, ast::Deferral d) {
        switch (d) {
            case ast::Deferral::none: out.deferral_sql.clear(); break;
            case ast::Deferral::not_deferrable: out.deferral_sql = "NOT DEFERRABLE"; break;
            case ast::Deferral::deferrable: out.deferral_sql = "DEFERRABLE"; break;
            case ast::Deferral::initially_deferred: out.deferral_sql = "DEFERRABLE INITIALLY DEFERRED"; break;
            case ast::Deferral::initially_immediate: out.deferral_sql = "DEFERRABLE INITIALLY IMMEDIATE"; break;
        }
        out.deferred = d == ast::Deferral::initially_deferred;
    }

    void build(const ast::CreateTable& ct) {
        if (!check_name(ct.name, ct.temp, "table")) return;
        if (ct.as_select) {
            error(stmt_at(), "CREATE TABLE " + ct.name.name +
                             " ... AS SELECT is not declarative: declare its columns (CREATE TABLE " +
                             ct.name.name + " (...))");
            return;
        }
        Table t;
        t.name = Ident(ct.name.name);
        t.pos = stmt_pos();
        t.stored = stored("CREATE TABLE ", ct.name,
                          ct.without_rowid || ct.strict ? StoredEnd::statement_end : StoredEnd::last_token);
        t.stored.columns_end = span_of(ct.columns_end, ct.columns_end).offset;
        t.without_rowid = ct.without_rowid;
        t.strict = ct.strict;

        auto set_pk = [&](PrimaryKey pk, const char* at) {
            if (t.primary_key) {
                error(at, "table " + t.name.name() + " has more than one primary key");
                return;
            }
            t.primary_key = std::move(pk);
        };

        for (const auto& cd : ct.columns) {
            Column c;
            c.name = Ident(cd.name);
            c.pos = pos(cd.at);
            if (cd.end) {
                const char* end = last_token_end(cd.at, cd.end);
                c.declared_sql.assign(cd.at, end);
                c.span = span_of(cd.at, end);
            }
            if (cd.type) c.type = expr(declared_type(*cd.type), cd.at);
            if (t.column(c.name)) error(cd.at, "duplicate column " + cd.name + " in table " + t.name.name());
            for (const auto& cc : cd.constraints) {
                switch (cc.kind) {
                    case ast::ColumnConstraint::primary_key: {
                        PrimaryKey pk;
                        pk.name = cc.name;
                        pk.columns.push_back(key_column(c.name, cc.order == ast::Order::desc ? Order::desc
                                                                                              : Order::none));
                        pk.conflict = conflict_of(cc.conflict);
                        pk.autoincrement = cc.autoincrement;
                        pk.column_level = true;
                        pk.pos = pos(cc.at);
                        set_pk(std::move(pk), cc.at);
                        break;
                    }
                    case ast::ColumnConstraint::not_null:
                        c.not_null = true;
                        c.not_null_conflict = conflict_of(cc.conflict);
                        break;
                    case ast::ColumnConstraint::null: break;  // the default; SQLite ignores it
                    case ast::ColumnConstraint::unique: {
                        UniqueConstraint u;
                        u.name = cc.name;
                        u.columns.push_back(key_column(c.name, Order::none));
                        u.conflict = conflict_of(cc.conflict);
                        u.column_level = true;
                        u.pos = pos(cc.at);
                        t.uniques.push_back(std::move(u));
                        break;
                    }
                    case ast::ColumnConstraint::check:
                        t.checks.push_back({cc.name, expr(cc.expr, cc.at), c.name, pos(cc.at)});
                        break;
                    case ast::ColumnConstraint::default_value: c.default_value = default_expr(cc); break;
                    case ast::ColumnConstraint::collate: c.collate = Ident(cc.collation); break;
                    case ast::ColumnConstraint::references: {
                        ForeignKey fk = foreign_key(cc.fk);
                        fk.name = cc.name;
                        fk.columns = {c.name};
                        fk.column_level = true;
                        fk.pos = pos(cc.at);
                        t.foreign_keys.push_back(std::move(fk));
                        break;
                    }
                    case ast::ColumnConstraint::generated:
                        c.generated = Generated{expr(cc.expr, cc.at), cc.stored};
                        break;
                    case ast::ColumnConstraint::deferral:
                        if (!t.foreign_keys.empty()) apply_deferral(t.foreign_keys.back(), cc.fk.deferral);
                        break;
                }
            }
            t.columns.push_back(std::move(c));
        }

        for (const auto& tc : ct.constraints) {
            switch (tc.kind) {
                case ast::TableConstraint::none: break;
                case ast::TableConstraint::primary_key: {
                    PrimaryKey pk;
                    pk.name = tc.name;
                    for (std::size_t i = 0; i < tc.columns.size(); ++i)
                        pk.columns.push_back(indexed_column(
                            tc.columns[i], i + 1 == tc.columns.size() ? &pk.autoincrement : nullptr));
                    pk.conflict = conflict_of(tc.conflict);
                    pk.pos = pos(tc.at);
                    set_pk(std::move(pk), tc.at);
                    break;
                }
                case ast::TableConstraint::unique: {
                    UniqueConstraint u;
                    u.name = tc.name;
                    for (auto& ic : tc.columns) u.columns.push_back(indexed_column(ic));
                    u.conflict = conflict_of(tc.conflict);
                    u.pos = pos(tc.at);
                    t.uniques.push_back(std::move(u));
                    break;
                }
                case ast::TableConstraint::check:
                    t.checks.push_back({tc.name, expr(tc.expr, tc.at), {}, pos(tc.at)});
                    break;
                case ast::TableConstraint::foreign_key: {
                    ForeignKey fk = foreign_key(tc.fk);
                    fk.name = tc.name;
                    for (auto& c : tc.fk_columns) fk.columns.emplace_back(c);
                    fk.pos = pos(tc.at);
                    t.foreign_keys.push_back(std::move(fk));
                    break;
                }
            }
        }

        // SQLite enforces NOT NULL on the primary key of a WITHOUT ROWID or STRICT
        // table, written or not (its pragmas say so too); a rowid alias is never NULL.
        if ((t.without_rowid || t.strict) && t.primary_key) {
            const Column* alias = t.rowid_alias();
            for (const auto& key : t.primary_key->columns)
                if (key.column)
                    for (auto& c : t.columns)
                        if (c.name == *key.column && &c != alias) c.not_null = true;
        }

        read_double_quoted_strings(t);

        std::vector<HintSlot> defs{{stmt_at(), ct.name.at, &ct.name.name, &t.renamed_from, &t.renamed_at}};
        for (std::size_t i = 0; i < t.columns.size(); ++i)
            defs.push_back({ct.columns[i].at, ct.columns[i].at, &ct.columns[i].name, &t.columns[i].renamed_from,
                            &t.columns[i].renamed_at});
        claim_hints(defs);
        insert_unique(schema_.tables, std::move(t), "table", ct.name.at);
    }

    // Double-quoted tokens in CHECK and generated expressions that SQLite reads as
    // strings, because they name no column of the table.
    static void read_double_quoted_strings(Table& t) {
        auto is_column = [&t](const Ident& n) { return t.column(n) != nullptr; };
        for (auto& ck : t.checks) ck.expr = resolve_double_quoted(ck.expr, is_column);
        for (auto& c : t.columns)
            if (c.generated) c.generated->expr = resolve_double_quoted(c.generated->expr, is_column);
    }

    std::optional<Expr> default_expr(const ast::ColumnConstraint& cc) {
        std::vector<Token> toks;
        try {
            toks = tokenize(cc.expr);
        } catch (const std::exception& e) {
            error(cc.at, e.what());
            return std::nullopt;
        }
        bool parenthesized = !toks.empty() && toks.front().is("(");
        strip_outer_parens(toks);
        // DEFAULT abc (a bare or double-quoted word) is SQLite's string 'abc'.
        if (!parenthesized && toks.size() == 1 &&
            (toks[0].kind == TokenKind::word || toks[0].kind == TokenKind::quoted) && !is_literal_word(toks[0]))
            toks[0].kind = TokenKind::string;
        // A default names no column, so every double-quoted operand is a string.
        return resolve_double_quoted(Expr(std::move(toks)), [](const Ident&) { return false; });
    }

    void build(const ast::CreateIndex& ci) {
        if (!check_name(ci.name, false, "index")) return;
        Index i;
        i.name = Ident(ci.name.name);
        i.table = Ident(ci.table);
        i.unique = ci.unique;
        i.pos = stmt_pos();
        i.stored = stored(ci.unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ", ci.name, StoredEnd::statement_end);
        for (auto& c : ci.columns) i.columns.push_back(indexed_column(c));
        if (ci.where) i.where = expr(*ci.where, ci.at);
        claim_hints({{stmt_at(), ci.name.at, &ci.name.name, &i.renamed_from, &i.renamed_at}});
        insert_unique(schema_.indexes, std::move(i), "index", ci.name.at);
    }

    void build(const ast::CreateView& cv) {
        if (!check_name(cv.name, cv.temp, "view")) return;
        View v;
        v.name = Ident(cv.name.name);
        v.pos = stmt_pos();
        v.stored = stored("CREATE VIEW ", cv.name, StoredEnd::statement_end_trimmed);
        for (auto& c : cv.columns) v.columns.emplace_back(c);
        v.select = expr(cv.select, cv.at);
        insert_unique(schema_.views, std::move(v), "view", cv.name.at);
    }

    void build(const ast::CreateTrigger& tr) {
        if (!check_name(tr.name, tr.temp, "trigger")) return;
        Trigger t;
        t.name = Ident(tr.name.name);
        t.table = Ident(tr.table.name);
        t.pos = stmt_pos();
        t.stored = stored("CREATE TRIGGER ", tr.name, StoredEnd::last_token);
        switch (tr.timing) {
            case ast::CreateTrigger::unspecified:
            case ast::CreateTrigger::before: t.timing = TriggerTiming::before; break;
            case ast::CreateTrigger::after: t.timing = TriggerTiming::after; break;
            case ast::CreateTrigger::instead_of: t.timing = TriggerTiming::instead_of; break;
        }
        switch (tr.event) {
            case ast::CreateTrigger::on_insert: t.event = TriggerEvent::insert; break;
            case ast::CreateTrigger::on_update: t.event = TriggerEvent::update; break;
            case ast::CreateTrigger::on_delete: t.event = TriggerEvent::delete_; break;
        }
        for (auto& c : tr.update_of) t.update_of.emplace_back(c);
        if (tr.when) t.when = expr(*tr.when, tr.at);
        for (auto& s : tr.body) t.body.push_back(expr(s, tr.at));
        if (schema_.trigger(t.name)) {
            error(tr.name.at, "trigger " + t.name.name() + " is declared twice (also at " +
                                  schema_.trigger(t.name)->pos.str() + ")");
            return;
        }
        schema_.triggers.emplace(t.name.key(), std::move(t));
    }

    void build(const ast::CreateVirtualTable& vt) {
        if (!check_name(vt.name, false, "virtual table")) return;
        VirtualTable v;
        v.name = Ident(vt.name.name);
        v.module = Ident(vt.module);
        v.pos = stmt_pos();
        v.stored = stored("CREATE VIRTUAL TABLE ", vt.name, StoredEnd::last_token);
        for (auto& a : vt.args) {
            v.arg_text.push_back(a);
            v.args.push_back(expr(a, vt.at));
        }
        insert_unique(schema_.virtual_tables, std::move(v), "virtual table", vt.name.at);
    }
};

}  // namespace

void add_statements(Schema& schema, std::string_view text, const std::string& path,
                    std::vector<Diagnostic>& errors) {
    // As SQLite does; positions are then counted from what an editor shows.
    text = without_utf8_bom(text);
    std::vector<ParsedStatement> statements;
    SyntaxError syntax;
    bool ok = parse_statements(text, statements, syntax);
    Builder builder(schema, text, path, errors);
    for (const auto& s : statements) builder.add(s);
    if (!ok) {
        LineIndex lines(text);
        SourcePos p = lines.position(path, syntax.offset);
        errors.push_back({p, syntax.message, lines.line_text(p.line)});
        return;
    }
    builder.finish();
}

Schema parse_schema(const std::vector<SourceFile>& files) {
    Schema schema;
    std::vector<Diagnostic> errors;
    for (const auto& f : files) add_statements(schema, f.text, f.path, errors);
    if (!errors.empty()) throw InputError(std::move(errors));
    drop_shadow_tables(schema);
    resolve_across_objects(schema);
    return schema;
}

Schema parse_schema_text(std::string_view text, const std::string& path) {
    return parse_schema({SourceFile{path, std::string(text)}});
}

}  // namespace schema
