// SQLite's own work for a fleet apply, the floor `schema apply --fleet` is
// measured against: for every database matching PATTERN, open it and run each
// migration file given in a transaction of its own (BEGIN IMMEDIATE ... COMMIT)
// with foreign keys as the runner sets them (off for a file generated for a
// rebuild, on otherwise), and, after a file run with keys off, the documented
// procedure's last step (lang_altertable.html, step 10: PRAGMA
// foreign_key_check). No checksums, no history read, no error reporting beyond
// stopping.
//
// --track also writes the history row a tracked runner writes (one INSERT into
// _migrations in each migration's transaction): the same SQL with the one page
// any runner that records what it applied, atomically, must write.
//
// With -j N, N threads take the databases in turn, as `schema apply --fleet -j N`
// does.
//
//   fleet_floor [-j N] [--track] 'tenants/*.db' generated/0002_x.sql generated/0003_y.sql
#include <glob.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
    int jobs = 1;
    bool track = false;
    int first = 1;
    for (;;) {
        if (argc > first + 1 && std::string(argv[first]) == "-j") {
            jobs = std::max(1, std::atoi(argv[first + 1]));
            first += 2;
        } else if (argc > first && std::string(argv[first]) == "--track") {
            track = true;
            ++first;
        } else {
            break;
        }
    }
    if (argc < first + 2) {
        std::fprintf(stderr, "usage: fleet_floor [-j N] [--track] PATTERN MIGRATION.sql...\n");
        return 2;
    }
    std::vector<std::string> scripts;
    std::vector<bool> keys_off;
    for (int i = first + 1; i < argc; ++i) {
        std::ifstream in(argv[i], std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        const bool off = ss.str().find("-- schema: foreign_keys=off") != std::string::npos;
        keys_off.push_back(off);
        std::string script = "BEGIN IMMEDIATE;\n" + ss.str() + "\n;";
        if (off) script += "PRAGMA foreign_key_check;\n";
        if (track) {
            // The file name's number and the rest, as the runner records them.
            const std::string file = std::string(argv[i]).substr(std::string(argv[i]).rfind('/') + 1);
            const std::string version = std::to_string(std::atoll(file.c_str()));
            const std::string name = file.substr(file.find('_') + 1, file.size() - file.find('_') - 5);
            script += "INSERT INTO _migrations (version, name, checksum, rollback_checksum, applied_at, "
                      "execution_time_ms, applied_by, hostname) VALUES (" + version + ", '" + name +
                      "', '" + std::string(64, '0') + "', '" + std::string(64, '0') +
                      "', strftime('%Y-%m-%dT%H:%M:%fZ'), 1, 'fleet_floor', 'host');\n";
        }
        scripts.push_back(script + "COMMIT;");
    }
    glob_t g{};
    if (glob(argv[first], 0, nullptr, &g) != 0) return 2;
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    auto worker = [&] {
        for (std::size_t i; !failed && (i = next++) < g.gl_pathc;) {
            sqlite3* db = nullptr;
            if (sqlite3_open_v2(g.gl_pathv[i], &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
                failed = true;
                return;
            }
            char* err = nullptr;
            for (std::size_t m = 0; m < scripts.size(); ++m) {
                sqlite3_exec(db, keys_off[m] ? "PRAGMA foreign_keys = OFF" : "PRAGMA foreign_keys = ON", nullptr,
                             nullptr, nullptr);
                if (sqlite3_exec(db, scripts[m].c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
                    std::fprintf(stderr, "%s: %s\n", g.gl_pathv[i], err);
                    sqlite3_free(err);
                    failed = true;
                    break;
                }
            }
            sqlite3_close(db);
        }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < jobs; ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
    globfree(&g);
    return failed ? 1 : 0;
}
