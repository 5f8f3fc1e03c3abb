#include "schema/erd.hpp"

#include <fmt/format.h>
#include <graphviz/gvc.h>

#include <cctype>
#include <memory>
#include <stdexcept>

namespace schema {

namespace {

const char* mark_name(TableMark m) {
    switch (m) {
        case TableMark::added: return "added";
        case TableMark::changed: return "changed";
        case TableMark::rebuilt: return "rebuilt";
        case TableMark::dropped: return "dropped";
        case TableMark::none: return "";
    }
    return "";
}

TableMark mark_of(const ErdOptions& o, const Table& t) {
    auto it = o.marks.find(t.name.key());
    return it == o.marks.end() ? TableMark::none : it->second;
}

// Mermaid: an entity name is a word; anything else is replaced, and the real
// name shown as the entity's label.
std::string mermaid_word(const std::string& s) {
    std::string out;
    for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
    if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "t_" + out;
    return out;
}

// A Mermaid attribute type: letters, digits, _ - ( ) [ ], and no comma.
std::string mermaid_type(const Column& c) {
    std::string t = c.type.sql();
    if (t.empty()) return "ANY";
    std::string out;
    for (char ch : t) {
        if (ch == ' ') continue;
        out += std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '(' || ch == ')' ? ch : '_';
    }
    return out;
}

std::string quoted_comment(std::string s) {
    for (auto& c : s)
        if (c == '"') c = '\'';
    return "\"" + s + "\"";
}

bool in_key(const Table& t, const Column& c) { return t.in_primary_key(c.name); }

bool in_foreign_key(const Table& t, const Column& c) {
    for (const auto& fk : t.foreign_keys)
        for (const auto& col : fk.columns)
            if (col == c.name) return true;
    return false;
}

std::string html(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string dot_id(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

const char* header_color(TableMark m) {
    switch (m) {
        case TableMark::added: return "#c8f0c8";
        case TableMark::changed: return "#fde9b8";
        case TableMark::rebuilt: return "#f7c6a3";
        case TableMark::dropped: return "#f5b5b5";
        case TableMark::none: return "#dde6f2";
    }
    return "#dde6f2";
}

}  // namespace

std::set<std::string> erd_tables(const Schema& s, const ErdOptions& o) {
    std::set<std::string> out;
    if (o.focus.empty()) {
        for (const auto& [key, _] : s.tables) out.insert(key);
        return out;
    }
    for (const auto& key : o.focus)
        if (s.tables.count(key)) out.insert(key);
    // Neighbours: parents of the focus, and the tables that reference it.
    for (const auto& [key, t] : s.tables)
        for (const auto& fk : t.foreign_keys) {
            const bool child_in = o.focus.count(key) > 0, parent_in = o.focus.count(fk.parent.key()) > 0;
            if (child_in && s.tables.count(fk.parent.key())) out.insert(fk.parent.key());
            if (parent_in) out.insert(key);
        }
    return out;
}

std::string erd_mermaid(const Schema& s, const ErdOptions& o) {
    const auto shown = erd_tables(s, o);
    std::string out = "erDiagram\n";
    for (const auto& key : shown) {
        const Table& t = s.tables.at(key);
        const TableMark m = mark_of(o, t);
        std::string label = t.name.name();
        if (m != TableMark::none) label += std::string(" (") + mark_name(m) + ")";
        out += "    " + mermaid_word(t.name.name());
        if (label != mermaid_word(t.name.name())) out += "[" + quoted_comment(label) + "]";
        out += " {\n";
        for (const auto& c : t.columns) {
            std::string keys;
            if (in_key(t, c)) keys = "PK";
            if (in_foreign_key(t, c)) keys += keys.empty() ? "FK" : ", FK";
            out += fmt::format("        {} {}{}{}\n", mermaid_type(c), mermaid_word(c.name.name()),
                               keys.empty() ? "" : " " + keys,
                               c.not_null ? " \"NOT NULL\"" : "");
        }
        out += "    }\n";
    }
    for (const auto& key : shown) {
        const Table& t = s.tables.at(key);
        for (const auto& fk : t.foreign_keys) {
            if (!shown.count(fk.parent.key()) || !s.tables.count(fk.parent.key())) continue;
            bool required = true;
            for (const auto& col : fk.columns)
                if (const Column* c = t.column(col); c && !c->not_null) required = false;
            std::string cols;
            for (const auto& col : fk.columns) cols += (cols.empty() ? "" : ", ") + col.name();
            out += fmt::format("    {} {}--|| {} : {}\n", mermaid_word(t.name.name()), required ? "}|" : "}o",
                               mermaid_word(s.tables.at(fk.parent.key()).name.name()), quoted_comment(cols));
        }
    }
    return out;
}

std::string erd_dot(const Schema& s, const ErdOptions& o) {
    const auto shown = erd_tables(s, o);
    std::string out =
        "digraph schema {\n"
        "  graph [rankdir=LR, fontname=\"Helvetica\", nodesep=0.4, ranksep=0.8];\n"
        "  node [shape=plaintext, fontname=\"Helvetica\", fontsize=11];\n"
        "  edge [color=\"#5a6b80\", arrowhead=none, arrowtail=crow, dir=both];\n";
    for (const auto& key : shown) {
        const Table& t = s.tables.at(key);
        const TableMark m = mark_of(o, t);
        std::string title = "<B>" + html(t.name.name()) + "</B>";
        if (m != TableMark::none) title += std::string(" <I>") + mark_name(m) + "</I>";
        out += "  " + dot_id(t.name.name()) +
               " [label=<<TABLE BORDER=\"1\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"4\" COLOR=\"#5a6b80\">"
               "<TR><TD BGCOLOR=\"" +
               header_color(m) + "\" COLSPAN=\"2\">" + title + "</TD></TR>";
        for (std::size_t i = 0; i < t.columns.size(); ++i) {
            const Column& c = t.columns[i];
            std::string keys = in_key(t, c) ? "PK" : "";
            if (in_foreign_key(t, c)) keys += keys.empty() ? "FK" : " FK";
            // Two ports a row: its name (west side, where references arrive) and
            // its type (east side, where this table's references leave).
            out += fmt::format("<TR><TD ALIGN=\"LEFT\" PORT=\"c{}\">{}{}</TD><TD ALIGN=\"LEFT\" PORT=\"t{}\"><FONT "
                               "COLOR=\"#5a6b80\">{}{}</FONT></TD></TR>",
                               i, keys.empty() ? "" : "<U>", html(c.name.name()) + (keys.empty() ? "" : "</U>"), i,
                               html(c.type.sql()), c.not_null ? " NOT NULL" : "");
        }
        out += "</TABLE>>];\n";
    }
    for (const auto& key : shown) {
        const Table& t = s.tables.at(key);
        for (const auto& fk : t.foreign_keys) {
            if (!shown.count(fk.parent.key()) || !s.tables.count(fk.parent.key()) || fk.columns.empty()) continue;
            // From the child's column (east side) to the parent's key column (west side).
            const Table& parent = s.tables.at(fk.parent.key());
            std::size_t from = 0, to = 0;
            for (std::size_t i = 0; i < t.columns.size(); ++i)
                if (t.columns[i].name == fk.columns.front()) from = i;
            const auto& targets = !fk.parent_columns.empty() ? fk.parent_columns : fk.implied_parent_columns;
            for (std::size_t i = 0; i < parent.columns.size(); ++i)
                if ((!targets.empty() && parent.columns[i].name == targets.front()) ||
                    (targets.empty() && in_key(parent, parent.columns[i])))
                    to = i;
            out += fmt::format("  {}:t{}:e -> {}:c{}:w;\n", dot_id(t.name.name()), from, dot_id(parent.name.name()), to);
        }
    }
    return out + "}\n";
}

std::string erd_svg(const Schema& s, const ErdOptions& o) {
    const std::string dot = erd_dot(s, o);
    std::unique_ptr<GVC_t, int (*)(GVC_t*)> gvc(gvContext(), gvFreeContext);
    if (!gvc) throw std::runtime_error("Graphviz: cannot create a context");
    std::unique_ptr<Agraph_t, int (*)(Agraph_t*)> g(agmemread(dot.c_str()), agclose);
    if (!g) throw std::runtime_error("Graphviz: cannot read the diagram");
    if (gvLayout(gvc.get(), g.get(), "dot") != 0) throw std::runtime_error("Graphviz: the layout failed");
    char* data = nullptr;
    unsigned int size = 0;  // Graphviz 2.42 (Debian 12) takes an unsigned int here
    const int rc = gvRenderData(gvc.get(), g.get(), "svg", &data, &size);
    std::string svg = rc == 0 && data ? std::string(data, size) : std::string();
    if (data) gvFreeRenderData(data);
    gvFreeLayout(gvc.get(), g.get());
    if (svg.empty()) throw std::runtime_error("Graphviz: rendering SVG failed");
    return svg;
}

}  // namespace schema
