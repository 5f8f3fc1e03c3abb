// The statement that creates an object: the text it was declared with (or the
// live database holds), edited only where a migration must rename.
#include <algorithm>
#include <cctype>
#include <sqlite3.h>

#include "schema/model.hpp"

namespace schema {

namespace {

template <typename Object>
std::string stored_or_canonical(const Object& o) {
    return o.stored.empty() ? canonical_sql(o) : o.stored.text;
}

// `text` with each span replaced by its text; spans do not overlap.
std::string edit_spans(const std::string& text, std::vector<std::pair<TextSpan, std::string>> edits) {
    std::sort(edits.begin(), edits.end(),
              [](const auto& a, const auto& b) { return a.first.offset > b.first.offset; });
    std::string out = text;
    for (const auto& [span, replacement] : edits) out.replace(span.offset, span.length, replacement);
    return out;
}

bool fits(const TextSpan& span, const std::string& text) {
    return !span.empty() && span.offset + span.length <= text.size();
}

}  // namespace

std::string create_sql(const Table& t) { return stored_or_canonical(t); }
std::string create_sql(const Index& i) { return stored_or_canonical(i); }
std::string create_sql(const View& v) { return stored_or_canonical(v); }
std::string create_sql(const Trigger& t) { return stored_or_canonical(t); }
std::string create_sql(const VirtualTable& v) { return stored_or_canonical(v); }

std::string create_sql_as(const Table& t, const Ident& name, const std::map<std::string, Ident>& renamed) {
    bool stored = fits(t.stored.name, t.stored.text);
    for (const auto& fk : t.foreign_keys)
        if (renamed.count(fk.parent.key()) && !fits(fk.parent_span, t.stored.text)) stored = false;
    if (!stored) {
        Table def = t;
        for (auto& fk : def.foreign_keys)
            if (auto it = renamed.find(fk.parent.key()); it != renamed.end()) fk.parent = it->second;
        return canonical_sql(def, &name);
    }
    std::vector<std::pair<TextSpan, std::string>> edits{{t.stored.name, name.sql()}};
    for (const auto& fk : t.foreign_keys)
        if (auto it = renamed.find(fk.parent.key()); it != renamed.end())
            edits.emplace_back(fk.parent_span, it->second.sql());
    return edit_spans(t.stored.text, std::move(edits));
}

std::string add_column_sql(const Column& c, const Table& t) {
    return c.declared_sql.empty() ? column_sql(c, t) : c.declared_sql;
}

std::optional<std::string> text_after_add_column(const Table& before, const Column& c, const Table& after) {
    const StoredSql& stored = before.stored;
    if (stored.empty() || stored.columns_end == 0 || stored.columns_end > stored.text.size()) return std::nullopt;
    return stored.text.substr(0, stored.columns_end) + ", " + add_column_sql(c, after) +
           stored.text.substr(stored.columns_end);
}

std::string terminated_statement(std::string_view sql) {
    std::string out(sql);
    out += ';';
    // A text that ends in a line comment needs the ';' on a line of its own.
    if (!sqlite3_complete(out.c_str())) {
        out.pop_back();
        out += "\n;";
    }
    return out;
}

namespace {

// One token of a statement, as far as comparing texts needs: an identifier
// (its unquoted name), or any other run of characters, verbatim.
struct TextToken {
    bool identifier = false;
    std::string text;
};

bool id_char(unsigned char c) { return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

std::vector<TextToken> text_tokens(std::string_view s) {
    std::vector<TextToken> out;
    std::size_t i = 0;
    auto quoted = [&](char close) {
        std::string name;
        std::size_t j = i + 1;
        while (j < s.size()) {
            if (s[j] == close) {
                if (close != ']' && j + 1 < s.size() && s[j + 1] == close) {
                    name += close;
                    j += 2;
                    continue;
                }
                break;
            }
            name += s[j++];
        }
        out.push_back({true, std::move(name)});
        i = std::min(j + 1, s.size());
    };
    while (i < s.size()) {
        const char c = s[i];
        if (c == '"') {
            quoted('"');
        } else if (c == '`') {
            quoted('`');
        } else if (c == '[') {
            quoted(']');
        } else if (c == '\'') {  // a string: verbatim, with its doubled quotes
            std::size_t j = i + 1;
            while (j < s.size() && !(s[j] == '\'' && (j + 1 >= s.size() || s[j + 1] != '\''))) j += s[j] == '\'' ? 2 : 1;
            out.push_back({false, std::string(s.substr(i, j + 1 - i))});
            i = std::min(j + 1, s.size());
        } else if (id_char(static_cast<unsigned char>(c))) {
            std::size_t j = i;
            while (j < s.size() && id_char(static_cast<unsigned char>(s[j]))) ++j;
            out.push_back({true, std::string(s.substr(i, j - i))});
            i = j;
        } else {
            out.push_back({false, std::string(1, c)});
            ++i;
        }
    }
    return out;
}

}  // namespace

bool same_text_but_quoting(std::string_view a, std::string_view b) {
    if (a == b) return true;
    auto ta = text_tokens(a), tb = text_tokens(b);
    if (ta.size() != tb.size()) return false;
    for (std::size_t i = 0; i < ta.size(); ++i)
        if (ta[i].identifier != tb[i].identifier || ta[i].text != tb[i].text) return false;
    return true;
}

}  // namespace schema
