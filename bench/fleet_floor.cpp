// SQLite's own work for a fleet apply, the floor `schema apply --fleet` is
// measured against: for every database matching PATTERN, open it and run each
// migration file given in a transaction of its own (BEGIN IMMEDIATE ... COMMIT)
// with foreign keys as the runner sets them (off for a file generated for a
// rebuild, on otherwise). No tracking table, no checksums, no history read, no
// foreign_key_check, no error reporting beyond stopping.
//
// With -j N, N threads take the databases in turn, as `schema apply --fleet -j N`
// does.
//
//   fleet_floor [-j N] 'tenants/*.db' generated/0002_x.sql generated/0003_y.sql
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
    int first = 1;
    if (argc > 2 && std::string(argv[1]) == "-j") {
        jobs = std::max(1, std::atoi(argv[2]));
        first = 3;
    }
    if (argc < first + 2) {
        std::fprintf(stderr, "usage: fleet_floor [-j N] PATTERN MIGRATION.sql...\n");
        return 2;
    }
    std::vector<std::string> scripts;
    std::vector<bool> keys_off;
    for (int i = first + 1; i < argc; ++i) {
        std::ifstream in(argv[i], std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        keys_off.push_back(ss.str().find("-- schema: foreign_keys=off") != std::string::npos);
        scripts.push_back("BEGIN IMMEDIATE;\n" + ss.str() + "\nCOMMIT;");
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
