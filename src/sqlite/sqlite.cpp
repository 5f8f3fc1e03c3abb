#include "schema/sqlite.hpp"

#include "schema/ident.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace schema::sqlite {

namespace {
// Each connection is used by one thread at a time, so SQLite's per-connection
// mutexes are not needed; its global memory statistics (a global mutex every
// allocation) are not used at all. Set once, before SQLite initializes.
void configure_once() {
    static const bool done = [] {
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        return true;
    }();
    (void)done;
}
}  // namespace

Database Database::open(const std::string& path, Mode mode) {
    configure_once();
    int flags = SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
    switch (mode) {
        case Mode::read_only: flags |= SQLITE_OPEN_READONLY; break;
        case Mode::read_write: flags |= SQLITE_OPEN_READWRITE; break;
        case Mode::create: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
    }
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        sqlite3_close(db);
        throw Error(rc, "cannot open database " + path + ": " + msg);
    }
    sqlite3_extended_result_codes(db, 1);
    return Database(db);
}

Database Database::memory() { return open(":memory:", Mode::create); }

Database Database::borrow(sqlite3* db) { return Database(db, false); }

Database::~Database() {
    if (owned_) sqlite3_close_v2(db_);
}

Database& Database::operator=(Database&& o) noexcept {
    if (this != &o) {
        if (owned_) sqlite3_close_v2(db_);
        db_ = o.db_;
        owned_ = o.owned_;
        o.db_ = nullptr;
    }
    return *this;
}

void Database::exec(const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        throw Error(rc, msg);
    }
}

Statement Database::prepare(std::string_view sql) {
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.data(), int(sql.size()), &st, nullptr);
    if (rc != SQLITE_OK) throw Error(rc, errmsg());
    return Statement(db_, st);
}

std::optional<std::string> Database::query_text(std::string_view sql) {
    auto st = prepare(sql);
    if (!st.step()) return std::nullopt;
    return st.text_or_null(0);
}

std::int64_t Database::query_int(std::string_view sql, std::int64_t if_none) {
    auto st = prepare(sql);
    if (!st.step() || st.is_null(0)) return if_none;
    return st.integer(0);
}

Statement& Statement::operator=(Statement&& o) noexcept {
    if (this != &o) {
        sqlite3_finalize(st_);
        db_ = o.db_;
        st_ = o.st_;
        o.st_ = nullptr;
    }
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    sqlite3_bind_text(st_, index, text.data(), int(text.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(st_, index, value);
    return *this;
}

Statement& Statement::bind_null(int index) {
    sqlite3_bind_null(st_, index);
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw Error(rc, sqlite3_errmsg(db_));
}

std::string Statement::text(int col) const {
    auto p = sqlite3_column_text(st_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), std::size_t(sqlite3_column_bytes(st_, col)))
             : std::string();
}

std::optional<std::string> Statement::text_or_null(int col) const {
    if (is_null(col)) return std::nullopt;
    return text(col);
}

std::string quote(std::string_view name) { return quote_ident(name); }

bool has_module(std::string_view name) {
    // The modules every connection of this process gets, read once.
    static const std::set<std::string> modules = [] {
        std::set<std::string> out;
        auto db = Database::memory();
        auto st = db.prepare("SELECT name FROM pragma_module_list");
        while (st.step()) out.insert(fold(st.text(0)));
        return out;
    }();
    return modules.count(fold(std::string(name))) != 0;
}

}  // namespace schema::sqlite

namespace schema::sqlite {

namespace {

// What the statement splitter needs to know of a token, as sqlite3_complete()
// classifies them.
enum class Lexeme { blank, semicolon, word, other };

bool is_word_char(char c) {
    auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || c == '_' || c == '$' || u >= 0x80;
}

// The end of the token that starts at `i` (an unterminated string or comment
// runs to the end of the text, as it does for SQLite), and its class.
std::pair<Lexeme, std::size_t> next_lexeme(std::string_view sql, std::size_t i) {
    const std::size_t n = sql.size();
    const char c = sql[i];
    auto through = [&](std::string_view closing, std::size_t from) {
        auto end = sql.find(closing, from);
        return end == std::string_view::npos ? n : end + closing.size();
    };
    if (std::isspace(static_cast<unsigned char>(c))) {
        std::size_t j = i + 1;
        while (j < n && std::isspace(static_cast<unsigned char>(sql[j]))) ++j;
        return {Lexeme::blank, j};
    }
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') return {Lexeme::blank, through("\n", i + 2)};
    if (c == '/' && i + 1 < n && sql[i + 1] == '*') return {Lexeme::blank, through("*/", i + 2)};
    if (c == ';') return {Lexeme::semicolon, i + 1};
    if (c == '\'' || c == '"' || c == '`') {
        // A doubled quote is the quote itself: scanning on from it is the same.
        std::size_t j = i + 1;
        while (true) {
            j = sql.find(c, j);
            if (j == std::string_view::npos) return {Lexeme::other, n};
            if (j + 1 < n && sql[j + 1] == c) {
                j += 2;
                continue;
            }
            return {Lexeme::other, j + 1};
        }
    }
    if (c == '[') return {Lexeme::other, through("]", i + 1)};
    if (is_word_char(c)) {
        std::size_t j = i + 1;
        while (j < n && is_word_char(sql[j])) ++j;
        return {Lexeme::word, j};
    }
    return {Lexeme::other, i + 1};
}

bool word_is(std::string_view word, std::string_view keyword) {
    return word.size() == keyword.size() &&
           std::equal(word.begin(), word.end(), keyword.begin(),
                      [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

// Where a statement is on its way to its end, as sqlite3_complete() tracks it:
// a CREATE [TEMP] TRIGGER ends only at "; END ;", every other statement at its
// first semicolon.
enum class Phase { start, normal, explain, create, trigger, trigger_semicolon, trigger_end };

Phase after_word(Phase p, std::string_view word) {
    switch (p) {
        case Phase::start:
            if (word_is(word, "explain")) return Phase::explain;
            [[fallthrough]];
        case Phase::explain: return word_is(word, "create") ? Phase::create : Phase::normal;
        case Phase::create:
            if (word_is(word, "temp") || word_is(word, "temporary")) return Phase::create;
            return word_is(word, "trigger") ? Phase::trigger : Phase::normal;
        case Phase::trigger_semicolon: return word_is(word, "end") ? Phase::trigger_end : Phase::trigger;
        case Phase::trigger_end: return Phase::trigger;
        case Phase::normal:
        case Phase::trigger: return p;
    }
    return p;
}

Phase after_other(Phase p) {
    switch (p) {
        case Phase::trigger:
        case Phase::trigger_semicolon:
        case Phase::trigger_end: return Phase::trigger;
        default: return Phase::normal;
    }
}

// True when the statement ends at this semicolon; else the phase after it.
bool ends_at_semicolon(Phase& p) {
    if (p == Phase::trigger || p == Phase::trigger_semicolon) {
        p = Phase::trigger_semicolon;
        return false;
    }
    return true;
}

bool only_blank(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        auto [kind, end] = next_lexeme(text, i);
        if (kind != Lexeme::blank) return false;
        i = end;
    }
    return true;
}

}  // namespace

Script split_script(std::string_view sql) {
    Script out;
    if (auto nul = sql.find('\0'); nul != std::string_view::npos) {
        out.unread = nul;
        sql = sql.substr(0, nul);  // SQLite reads no further
    }
    int line = 1;
    std::size_t counted = 0;  // newlines are counted up to here
    auto line_at = [&](std::size_t offset) {
        line += int(std::count(sql.begin() + std::ptrdiff_t(counted), sql.begin() + std::ptrdiff_t(offset), '\n'));
        counted = offset;
        return line;
    };
    std::optional<std::size_t> begin;  // of the statement being read
    Phase phase = Phase::start;
    auto finish = [&](std::size_t end) {
        out.statements.push_back({*begin, end - *begin, line_at(*begin)});
        begin.reset();
        phase = Phase::start;
    };
    for (std::size_t i = 0; i < sql.size();) {
        auto [kind, end] = next_lexeme(sql, i);
        if (kind == Lexeme::semicolon) {
            if (!begin) {
                i = end;  // an empty statement
                continue;
            }
            if (ends_at_semicolon(phase)) finish(end);
        } else if (kind != Lexeme::blank) {
            if (!begin) begin = i;
            phase = kind == Lexeme::word ? after_word(phase, sql.substr(i, end - i)) : after_other(phase);
        }
        i = end;
    }
    if (begin) finish(sql.size());  // the last statement may go without its ';'
    if (!out.fully_readable()) out.unread_line = line_at(out.unread);
    return out;
}

std::vector<std::string_view> leading_tokens(std::string_view statement, std::size_t n) {
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < statement.size() && out.size() < n;) {
        auto [kind, end] = next_lexeme(statement, i);
        if (kind != Lexeme::blank) out.push_back(statement.substr(i, end - i));
        i = end;
    }
    return out;
}

namespace {

// Runs one statement as SQLite reads it; throws unless it consumed the text.
void run_statement(Database& db, std::string_view sql, const ScriptStatement& st) {
    const std::string_view text = st.text(sql);
    auto fail = [&](int code, const std::string& message) {
        throw ScriptError(code, message, st.offset, std::string(text), st.line);
    };
    const char* start = text.data();
    const char* end = start + text.size();
    while (start < end) {
        sqlite3_stmt* raw = nullptr;
        const char* tail = nullptr;
        int rc = sqlite3_prepare_v2(db.get(), start, int(end - start), &raw, &tail);
        if (rc != SQLITE_OK) fail(rc, db.errmsg());
        Statement stmt(db.get(), raw);
        if (!raw) {
            // Nothing but comments left, or text SQLite would not read.
            if (!only_blank(std::string_view(tail, std::size_t(end - tail))))
                fail(SQLITE_ERROR, "SQLite did not read this statement to its end (it stopped at byte " +
                                       std::to_string(tail - text.data()) + ")");
            break;
        }
        try {
            while (stmt.step()) {
            }
        } catch (const Error& e) {
            fail(e.code(), e.what());
        }
        start = tail;
    }
}

}  // namespace

void run_script(Database& db, std::string_view sql, const Script& script, const StatementFilter& filter,
                const StatementDone& done) {
    if (!script.fully_readable())
        throw ScriptError(SQLITE_ERROR, unreadable_message(), script.unread, "(a NUL byte)", script.unread_line);
    for (const auto& st : script.statements) {
        const std::string_view text = st.text(sql);
        if (filter && !filter(st, text)) continue;
        const std::int64_t before = sqlite3_total_changes64(db.get());
        run_statement(db, sql, st);
        if (done) done(st, text, sqlite3_total_changes64(db.get()) - before);
    }
}

void run_script(Database& db, std::string_view sql) { run_script(db, sql, split_script(sql)); }

std::string unreadable_message() {
    return "a NUL byte: SQLite stops reading SQL there, so nothing after it would run (a crash that zero-fills a "
           "block leaves such a file); restore the file";
}

}  // namespace schema::sqlite
