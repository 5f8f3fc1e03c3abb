#include "schema/sqlite.hpp"

#include "schema/ident.hpp"

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

Database::~Database() { sqlite3_close_v2(db_); }

Database& Database::operator=(Database&& o) noexcept {
    if (this != &o) {
        sqlite3_close_v2(db_);
        db_ = o.db_;
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

}  // namespace schema::sqlite

namespace schema::sqlite {

namespace {
// Skips whitespace and comments, as SQLite's tokenizer would, so a statement's
// reported position is that of its first token.
std::size_t skip_blank(std::string_view sql, std::size_t i) {
    while (i < sql.size()) {
        char c = sql[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            ++i;
        } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
            while (i < sql.size() && sql[i] != '\n') ++i;
        } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
            auto end = sql.find("*/", i + 2);
            i = end == std::string_view::npos ? sql.size() : end + 2;
        } else {
            break;
        }
    }
    return i;
}
}  // namespace

std::vector<ScriptStatement> split_script(std::string_view sql) {
    std::vector<ScriptStatement> out;
    std::size_t i = 0;
    while (true) {
        i = skip_blank(sql, i);
        if (i >= sql.size()) break;
        // sqlite3_complete() answers "does this end a statement?", trigger bodies included.
        std::size_t j = i;
        std::size_t end = sql.size();
        std::string candidate;
        while (j < sql.size()) {
            auto semi = sql.find(';', j);
            if (semi == std::string_view::npos) break;
            candidate.assign(sql.substr(i, semi + 1 - i));
            if (sqlite3_complete(candidate.c_str())) {
                end = semi + 1;
                break;
            }
            j = semi + 1;
        }
        out.push_back({sql.substr(i, end - i), i});
        i = end;
    }
    return out;
}

void run_script(Database& db, std::string_view sql, const std::function<bool(const ScriptStatement&)>& filter,
                const std::function<void(const ScriptStatement&, std::int64_t)>& done) {
    for (const auto& st : split_script(sql)) {
        if (filter && !filter(st)) continue;
        const std::int64_t before = sqlite3_total_changes64(db.get());
        const char* tail = nullptr;
        const char* start = st.text.data();
        const char* end = start + st.text.size();
        while (start < end) {
            sqlite3_stmt* raw = nullptr;
            int rc = sqlite3_prepare_v2(db.get(), start, int(end - start), &raw, &tail);
            if (rc != SQLITE_OK)
                throw ScriptError(rc, db.errmsg(), st.offset, std::string(st.text));
            Statement stmt(db.get(), raw);
            if (!raw) break;  // only comments or whitespace left
            try {
                while (stmt.step()) {
                }
            } catch (const Error& e) {
                throw ScriptError(e.code(), e.what(), st.offset, std::string(st.text));
            }
            start = tail;
        }
        if (done) done(st, sqlite3_total_changes64(db.get()) - before);
    }
}

}  // namespace schema::sqlite
