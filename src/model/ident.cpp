#include "schema/ident.hpp"

#include <sqlite3.h>

namespace schema {

namespace {
char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }
bool ident_start(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool ident_part(unsigned char c) { return ident_start(c) || (c >= '0' && c <= '9') || c == '$'; }
}  // namespace

std::string fold(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = ascii_lower(c);
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

bool is_keyword(std::string_view word) {
    // SQLite's own tokenizer table answers, so the list follows the library in use.
    return sqlite3_keyword_check(word.data(), int(word.size())) != 0;
}

bool is_plain_identifier(std::string_view s) {
    if (s.empty() || !ident_start(static_cast<unsigned char>(s[0]))) return false;
    for (char c : s)
        if (!ident_part(static_cast<unsigned char>(c))) return false;
    return !is_keyword(s);
}

std::string quote_ident(std::string_view name) {
    if (is_plain_identifier(name)) return std::string(name);
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string quote_string(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'') out += '\'';
        out += c;
    }
    out += '\'';
    return out;
}

}  // namespace schema
