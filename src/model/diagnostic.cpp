#include "schema/diagnostic.hpp"

#include <algorithm>

namespace schema {

std::string SourcePos::str() const {
    if (file.empty()) return {};
    if (line <= 0) return file;
    return file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

std::string Diagnostic::format() const {
    std::string out;
    if (pos.known()) out += pos.str() + ": ";
    out += (warning ? "warning: " : "error: ") + message;
    if (pos.line > 0 && !source_line.empty()) {
        std::string num = std::to_string(pos.line);
        out += "\n " + num + " | " + source_line + "\n " + std::string(num.size(), ' ') + " | ";
        // Keep tabs so the caret lines up under the same characters.
        int col = 1;
        for (std::size_t i = 0; i < source_line.size() && col < pos.col; ++i) {
            unsigned char c = static_cast<unsigned char>(source_line[i]);
            if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation byte
            out += c == '\t' ? '\t' : ' ';
            ++col;
        }
        out += '^';
    }
    return out;
}

namespace {
std::string join_messages(const std::vector<Diagnostic>& diags) {
    std::string out;
    for (const auto& d : diags) {
        if (!out.empty()) out += "\n";
        out += d.format();
    }
    return out;
}
}  // namespace

InputError::InputError(std::vector<Diagnostic> diags)
    : std::runtime_error(join_messages(diags)), diags_(std::move(diags)) {}

InputError::InputError(const std::string& message) : std::runtime_error(message) {
    diags_.push_back({SourcePos{}, message, {}});
}

LineIndex::LineIndex(std::string_view text) : text_(text) {
    starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n') starts_.push_back(i + 1);
}

SourcePos LineIndex::position(const std::string& file, std::size_t offset) const {
    auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
    std::size_t line = std::size_t(it - starts_.begin());  // 1-based
    std::size_t start = starts_[line - 1];
    int col = 1;
    for (std::size_t i = start; i < offset && i < text_.size(); ++i)
        if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++col;
    return SourcePos{file, int(line), col, offset};
}

std::string LineIndex::line_text(int line) const {
    if (line <= 0 || std::size_t(line) > starts_.size()) return {};
    std::size_t start = starts_[std::size_t(line) - 1];
    std::size_t end = std::size_t(line) < starts_.size() ? starts_[std::size_t(line)] - 1 : text_.size();
    std::string s(text_.substr(start, end - start));
    if (!s.empty() && s.back() == '\r') s.pop_back();
    return s;
}

}  // namespace schema
