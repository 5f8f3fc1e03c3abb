#include "schema/lint.hpp"

#include <fmt/format.h>

#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "schema/git.hpp"
#include "schema/inspect.hpp"

namespace schema {

namespace {

using Severity = LintFinding::Severity;

std::string folded(std::string_view token) {
    std::string t(token);
    if (t.size() >= 2 && (t.front() == '"' || t.front() == '`' || t.front() == '[' || t.front() == '\''))
        t = t.substr(1, t.size() - 2);
    for (auto& c : t) c = char(std::tolower(static_cast<unsigned char>(c)));
    return t;
}

// The rules a file accepts: `-- schema:lint ignore RULE[, RULE...]` lines.
std::set<std::string> ignored_rules(const std::string& sql) {
    std::set<std::string> rules;
    const std::string marker = "-- schema:lint ignore ";
    for (auto at = sql.find(marker); at != std::string::npos; at = sql.find(marker, at + 1)) {
        auto end = sql.find('\n', at);
        std::string list = sql.substr(at + marker.size(), end == std::string::npos ? std::string::npos
                                                                                    : end - at - marker.size());
        std::string rule;
        for (char c : list + ",") {
            if (c == ',' || c == ' ' || c == '\t' || c == '\r') {
                if (!rule.empty()) rules.insert(rule);
                rule.clear();
            } else {
                rule += c;
            }
        }
    }
    return rules;
}

// The line of the statement that does something to `object`: the first that
// names it (or its rebuild's new_ copy) among its first tokens, preferring a
// DROP or ALTER; the file's first statement when none does.
int line_of(const migrate::Migration& m, const std::string& object, const char* prefer = nullptr) {
    const std::string key = folded(object), rebuilt = "new_" + key;
    int first = 0, preferred = 0;
    for (const auto& st : m.up_script.statements) {
        auto tokens = sqlite::leading_tokens(st.text(m.up_sql), 8);
        bool names = false;
        for (auto t : tokens) names = names || folded(t) == key || folded(t) == rebuilt;
        if (!names) continue;
        if (!first) first = st.line;
        if (!preferred && prefer && !tokens.empty() && folded(tokens[0]) == prefer) preferred = st.line;
    }
    if (preferred) return preferred;
    if (first) return first;
    return m.up_script.statements.empty() ? 1 : m.up_script.statements.front().line;
}

// An estimate of a live table's rows: its largest rowid (a b-tree seek), or a
// count for a table without one. 0 when it is not in the live database.
std::int64_t estimated_rows(sqlite::Database* live, const Table& t) {
    if (!live) return 0;
    try {
        const std::string q = sqlite::quote(t.name.name());
        if (!t.without_rowid) return live->query_int("SELECT coalesce(max(rowid), 0) FROM main." + q);
        return live->query_int("SELECT count(*) FROM main." + q);
    } catch (const sqlite::Error&) {
        return 0;
    }
}

struct FileLinter {
    const migrate::Migration& m;
    const Schema& before;
    const Schema& after;
    sqlite::Database* live;  // rows as they are now; null without a database
    const LintOptions& options;
    std::vector<LintFinding>& out;

    void add(const std::string& rule, Severity s, int line, std::string message) {
        out.push_back({rule, s, SourcePos{m.up_path.string(), line, 1, 0}, std::move(message), false});
    }

    std::string rows_note(const Table& t) const {
        const auto n = estimated_rows(live, t);
        return n > 0 ? fmt::format(" (about {} rows now)", n) : "";
    }

    void table_change(const ModifyTable& c) {
        // A constraint added to a table that exists is judged by rows this
        // database may not have: flagged whatever the rows here.
        const std::string& name = c.to.name.name();
        for (const auto& tc : c.changes) {
            if (const auto* d = std::get_if<DropColumn>(&tc)) {
                const int line = line_of(m, name, "alter");
                add("destructive", Severity::error, line,
                    fmt::format("drops column {}.{} and every value in it{}", name, d->column.name.name(),
                                rows_note(c.from)));
                add("incompatible", Severity::warning, line,
                    fmt::format("code still reading {}.{} fails once it is gone", name, d->column.name.name()));
            } else if (const auto* r = std::get_if<RenameColumn>(&tc)) {
                add("incompatible", Severity::warning, line_of(m, name, "alter"),
                    fmt::format("renames column {}.{} to {}: code still using the old name fails", name,
                                r->from.name(), r->to.name()));
            } else if (const auto* mc = std::get_if<ModifyColumn>(&tc); mc && mc->to.not_null && !mc->from.not_null) {
                add("data-dependent", Severity::warning, line_of(m, name),
                    fmt::format("makes {}.{} NOT NULL: fails on a database with a NULL there{}", name,
                                mc->to.name.name(), rows_note(c.from)));
            } else if (std::holds_alternative<AddUnique>(tc) || std::holds_alternative<AddCheck>(tc) ||
                       std::holds_alternative<ModifyCheck>(tc) || std::holds_alternative<AddForeignKey>(tc) ||
                       std::holds_alternative<ChangePrimaryKey>(tc)) {
                add("data-dependent", Severity::warning, line_of(m, name),
                    fmt::format("{}: passes on a database whose rows satisfy it, fails on one whose rows do not{}",
                                describe(tc, c.to), rows_note(c.from)));
            }
        }
    }

    void change(const Change& c) {
        if (const auto* d = std::get_if<DropTable>(&c)) {
            const int line = line_of(m, d->table.name.name(), "drop");
            add("destructive", Severity::error, line,
                fmt::format("drops table {} and its rows{}", d->table.name.name(), rows_note(d->table)));
            add("incompatible", Severity::warning, line,
                fmt::format("code still reading {} fails once it is gone", d->table.name.name()));
        } else if (const auto* v = std::get_if<DropVirtualTable>(&c)) {
            add("destructive", Severity::error, line_of(m, v->table.name.name(), "drop"),
                fmt::format("drops virtual table {} and what it holds", v->table.name.name()));
        } else if (const auto* dv = std::get_if<DropView>(&c)) {
            add("incompatible", Severity::warning, line_of(m, dv->view.name.name(), "drop"),
                fmt::format("drops view {}: code still reading it fails", dv->view.name.name()));
        } else if (const auto* r = std::get_if<RenameTable>(&c)) {
            add("incompatible", Severity::warning, line_of(m, r->from.name(), "alter"),
                fmt::format("renames table {} to {}: code still using the old name fails", r->from.name(),
                            r->to.name()));
        } else if (const auto* t = std::get_if<ModifyTable>(&c)) {
            table_change(*t);
        } else if (const auto* i = std::get_if<AddIndex>(&c)) {
            const Table* t = before.table(i->index.table);
            if (i->index.unique && t)
                add("data-dependent", Severity::warning, line_of(m, i->index.name.name(), "create"),
                    fmt::format("unique index {} on {}: fails on a database with duplicates there{}",
                                i->index.name.name(), t->name.name(), rows_note(*t)));
        }
    }

    // Copies: INSERT INTO x ... SELECT ... FROM t, where t is a table of the
    // database before the file (a rebuild's copy, or a hand-written one).
    void copies() {
        const auto shapes = m.up_shapes.size() == m.up_script.statements.size()
                                ? m.up_shapes
                                : sqlite::shapes_of(m.up_sql, m.up_script);
        for (std::size_t k = 0; k < shapes.size(); ++k) {
            const auto& st = m.up_script.statements[k];
            if (shapes[k].copies_from.empty()) continue;
            const Table* t = before.table(Ident(shapes[k].copies_from));
            if (!t) continue;
            const auto rows = estimated_rows(live, *t);
            if (rows >= options.large_table_rows)
                add("large-rebuild", Severity::warning, st.line,
                    fmt::format("copies table {}: about {} rows, written again in one transaction (its time and "
                                "disk grow with the table; `schema apply` shows progress)",
                                t->name.name(), rows));
        }
    }

    void refused() {
        for (const auto& st : m.up_script.statements) {
            std::string why = migration_statement_refusal(st.text(m.up_sql), options.dialect);
            if (!why.empty()) add("refused", Severity::error, st.line, why);
        }
    }

    void rollback() {
        if (!m.down_path) {
            add("no-rollback", Severity::warning, 1, "has no rollback file: `schema rollback` cannot undo it");
            return;
        }
        auto script = sqlite::split_script(m.down_sql);
        bool any = false;
        for (const auto& st : script.statements) {
            auto tokens = sqlite::leading_tokens(st.text(m.down_sql), 1);
            any = any || !tokens.empty();
        }
        if (!any)
            add("no-rollback", Severity::warning, 1,
                fmt::format("its rollback {} has no statement: `schema rollback` would record it undone and "
                            "change nothing",
                            m.down_path->string()));
    }
};

// The renames a file makes with ALTER TABLE ... RENAME, as hints for the diff
// (else a renamed column reads as one dropped and one added). A rebuild's
// `ALTER TABLE new_t RENAME TO t` renames nothing of `before`, and is skipped.
Renames renames_in(const migrate::Migration& m, const Schema& before) {
    Renames r;
    for (const auto& st : m.up_script.statements) {
        auto t = sqlite::leading_tokens(st.text(m.up_sql), 8);
        if (t.size() < 6 || folded(t[0]) != "alter" || folded(t[1]) != "table" || folded(t[3]) != "rename") continue;
        const Ident table(folded(t[2]));
        const Table* old = before.table(table);
        if (!old) continue;
        if (folded(t[4]) == "to") {
            const Ident to(folded(t[5]));
            if (!before.has_relation(to)) r.tables.emplace(to.key(), Rename{old->name, to, {}});
            continue;
        }
        const std::size_t at = folded(t[4]) == "column" ? 5 : 4;
        if (t.size() < at + 3 || folded(t[at + 1]) != "to") continue;
        const Ident from(folded(t[at])), to(folded(t[at + 2]));
        if (old->column(from) && !old->column(to)) r.columns.emplace(std::pair{table.key(), to.key()}, Rename{from, to, {}});
    }
    return r;
}

}  // namespace

const char* severity_name(LintFinding::Severity s) { return s == Severity::error ? "error" : "warning"; }

std::vector<LintFinding> lint(const Target& target, const migrate::Directory& dir, const LintOptions& options) {
    // Online: the live schema, and the versions the database has not applied.
    // Offline: an empty schema that the earlier migrations are replayed onto.
    Baseline base;
    std::set<std::int64_t> done;
    if (!options.only) {
        base = baseline(target, migrate::Directory{});  // the live schema alone
        if (base.database_exists)
            for (const auto& a : migrate::recorded_history(base.live_db, target.history, dir)) done.insert(a.version);
    }
    sqlite::Database* live = base.database_exists ? &base.live_db : nullptr;
    auto judged = [&](const migrate::Migration& m) {
        return options.only ? options.only->count(m.version) > 0 : !done.count(m.version);
    };

    std::vector<LintFinding> out;
    auto shadow = build_shadow(base.schema);
    Schema before = base.schema;
    for (const auto& m : dir.migrations) {
        if (!options.only && done.count(m.version)) continue;  // in the live schema already
        replay_on_shadow(shadow, m.up_sql, m.up_path.string(), &m.up_script);
        InspectOptions io;
        io.origin = m.up_path.string();
        Schema after = inspect(shadow, io);
        if (!judged(m)) {  // offline: a migration before the ones judged
            before = std::move(after);
            continue;
        }
        std::vector<LintFinding> found;
        FileLinter f{m, before, after, live, options, found};
        for (const auto& c : diff(before, after, renames_in(m, before)).changes) f.change(c);
        f.copies();
        f.refused();
        f.rollback();
        const auto accepted = ignored_rules(m.up_sql);
        for (auto& x : found) x.ignored = accepted.count(x.rule) > 0;
        std::stable_sort(found.begin(), found.end(),
                         [](const LintFinding& a, const LintFinding& b) { return a.pos.line < b.pos.line; });
        for (auto& x : found) out.push_back(std::move(x));
        before = std::move(after);
        live = nullptr;  // after the first pending file, the live rows no longer describe the tables
    }
    return out;
}

std::set<std::int64_t> versions_added_since(const migrate::Directory& dir, const std::string& revision) {
    if (!git::in_work_tree(dir.root))
        throw InputError(fmt::format("{} is not in a git work tree (or git cannot run): name the migrations to "
                                     "lint with --latest N",
                                     dir.root.string()));
    std::set<std::string> theirs;
    for (const auto& f : git::files_at(dir.root, git::resolve_commit(dir.root, revision))) theirs.insert(f);
    std::set<std::int64_t> added;
    for (const auto& m : dir.migrations)
        if (!theirs.count(m.up_path.lexically_relative(dir.root).generic_string())) added.insert(m.version);
    return added;
}

std::set<std::int64_t> latest_versions(const migrate::Directory& dir, int count) {
    std::set<std::int64_t> all, latest;
    for (const auto& m : dir.migrations) all.insert(m.version);
    for (auto it = all.rbegin(); it != all.rend() && int(latest.size()) < count; ++it) latest.insert(*it);
    return latest;
}

}  // namespace schema
