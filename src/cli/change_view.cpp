#include "change_view.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "errors.hpp"

namespace schema::cli {

ErdOptions change_focus(const Diff& d, const Plan& plan) {
    ErdOptions o;
    for (const auto& c : d.changes) {
        if (const auto* a = std::get_if<AddTable>(&c)) {
            o.focus.insert(a->table.name.key());
            o.marks[a->table.name.key()] = TableMark::added;
        } else if (const auto* m = std::get_if<ModifyTable>(&c)) {
            o.focus.insert(m->to.name.key());
            o.marks[m->to.name.key()] = TableMark::changed;
        } else if (const auto* r = std::get_if<RenameTable>(&c)) {
            o.focus.insert(r->to.key());
            o.marks[r->to.key()] = TableMark::changed;
        }
    }
    for (const auto& t : plan.rebuilt) {
        o.focus.insert(t.key());
        o.marks[t.key()] = TableMark::rebuilt;
    }
    return o;
}

namespace {

std::string column_text(const Column& c) {
    std::string s = c.type.sql();
    if (c.not_null) s += " NOT NULL";
    if (c.default_value) s += " DEFAULT " + c.default_value->sql();
    if (c.collate) s += " COLLATE " + c.collate->name();
    if (c.generated) s += " AS (" + c.generated->expr.sql() + ")";
    return s.empty() ? "(any)" : s;
}

std::string before_after(const Table& from, const Table& to) {
    std::string md = fmt::format("\n**{}**\n\n| Column | Before | After |\n|---|---|---|\n", markdown_escape(to.name.name()));
    auto row = [&](const std::string& name, const std::string& before, const std::string& after) {
        md += "| " + markdown_escape(name) + " | " + markdown_escape(before) + " | " + markdown_escape(after) + " |\n";
    };
    for (const auto& c : from.columns) {
        const Column* now = to.column(c.name);
        const std::string before = column_text(c), after = now ? column_text(*now) : "—";
        if (!now || before != after) row(c.name.name(), before, after);
    }
    for (const auto& c : to.columns)
        if (!from.column(c.name)) row(c.name.name(), "—", column_text(c));
    const auto constraints = [](const Table& t) {
        std::vector<std::string> out;
        for (const auto& ch : t.checks) out.push_back("CHECK (" + ch.expr.sql() + ")");
        for (const auto& fk : t.foreign_keys) {
            std::string cols;
            for (const auto& c : fk.columns) cols += (cols.empty() ? "" : ", ") + c.name();
            out.push_back("FOREIGN KEY (" + cols + ") REFERENCES " + fk.parent.name());
        }
        return out;
    };
    const auto before = constraints(from), after = constraints(to);
    for (const auto& c : before)
        if (std::find(after.begin(), after.end(), c) == after.end()) row("(constraint)", c, "—");
    for (const auto& c : after)
        if (std::find(before.begin(), before.end(), c) == before.end()) row("(constraint)", "—", c);
    return md;
}

}  // namespace

std::string change_markdown(const Diff& d, const Plan& plan, const Schema& to) {
    const ErdOptions o = change_focus(d, plan);
    if (o.focus.empty()) return "";
    std::string md = "\n```mermaid\n" + erd_mermaid(to, o) + "```\n";
    for (const auto& c : d.changes)
        if (const auto* m = std::get_if<ModifyTable>(&c)) md += before_after(m->from, m->to);
    return md;
}

}  // namespace schema::cli
