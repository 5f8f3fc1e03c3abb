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

namespace {

bool has_column_spans(const Table& t) {
    const StoredSql& stored = t.stored;
    if (stored.empty() || stored.columns_end == 0 || stored.columns_end > stored.text.size()) return false;
    for (const auto& c : t.columns)
        if (!fits(c.span, stored.text) || c.span.offset > stored.columns_end) return false;
    return true;
}

// Moves the spans at or after `from` by `delta` characters.
void shift_spans(Table& t, std::size_t from, std::ptrdiff_t delta) {
    auto shift = [&](std::size_t& offset) {
        if (offset >= from) offset = std::size_t(std::ptrdiff_t(offset) + delta);
    };
    for (auto& c : t.columns) shift(c.span.offset);
    for (auto& fk : t.foreign_keys)
        if (!fk.parent_span.empty()) shift(fk.parent_span.offset);
    shift(t.stored.columns_end);
}

}  // namespace

bool add_column_to_text(Table& t, const Column& c) {
    if (!has_column_spans(t)) return false;
    const std::string definition = add_column_sql(c, t);
    const std::size_t at = t.stored.columns_end;
    t.stored.text.insert(at, ", " + definition);
    shift_spans(t, at, std::ptrdiff_t(definition.size() + 2));
    Column added = c;
    added.span = {at + 2, definition.size()};
    t.columns.push_back(std::move(added));
    return true;
}

bool drop_column_from_text(Table& t, const Ident& name) {
    if (!has_column_spans(t)) return false;
    auto it = std::find_if(t.columns.begin(), t.columns.end(), [&](const Column& c) { return c.name == name; });
    if (it == t.columns.end()) return false;
    std::string& text = t.stored.text;
    std::size_t begin = it->span.offset, end = 0;
    if (std::next(it) != t.columns.end()) {
        end = std::next(it)->span.offset;
    } else {
        end = t.stored.columns_end;
        while (begin > 0 && text[begin] != ',') --begin;  // SQLite walks back to the comma
    }
    if (end < begin) return false;
    text.erase(begin, end - begin);
    t.columns.erase(it);
    shift_spans(t, end, -std::ptrdiff_t(end - begin));
    return true;
}

std::optional<std::string> text_after_add_column(const Table& before, const Column& c, const Table& after) {
    Table t = before;
    Column added = c;
    added.declared_sql = add_column_sql(c, after);
    if (!add_column_to_text(t, added)) return std::nullopt;
    return t.stored.text;
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
        } else if (s.substr(i, 2) == "--" || s.substr(i, 2) == "/*") {  // a comment: verbatim
            const bool line = s[i] == '-';
            std::size_t j = line ? s.find('\n', i) : s.find("*/", i + 2);
            j = j == std::string_view::npos ? s.size() : j + (line ? 0 : 2);
            out.push_back({false, std::string(s.substr(i, j - i))});
            i = j;
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
