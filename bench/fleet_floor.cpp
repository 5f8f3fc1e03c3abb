// SQLite's own work for a fleet apply, the floor `schema apply --fleet` is
// measured against: for every database matching PATTERN, open it and run each
// migration file given in a transaction of its own (BEGIN IMMEDIATE ... COMMIT)
// with foreign keys as the runner sets them (off for a file generated for a
// rebuild, on otherwise). No tracking table, no checksums, no history read, no
// foreign_key_check, no error reporting beyond stopping.
//
//   fleet_floor 'tenants/*.db' generated/0002_x.sql generated/0003_y.sql
#include <glob.h>
#include <sqlite3.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: fleet_floor PATTERN MIGRATION.sql...\n");
        return 2;
    }
    std::vector<std::string> scripts;
    std::vector<bool> keys_off;
    for (int i = 2; i < argc; ++i) {
        std::ifstream in(argv[i], std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        keys_off.push_back(ss.str().find("-- schema: foreign_keys=off") != std::string::npos);
        scripts.push_back("BEGIN IMMEDIATE;\n" + ss.str() + "\nCOMMIT;");
    }
    glob_t g{};
    if (glob(argv[1], 0, nullptr, &g) != 0) return 2;
    for (std::size_t i = 0; i < g.gl_pathc; ++i) {
        sqlite3* db = nullptr;
        if (sqlite3_open_v2(g.gl_pathv[i], &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) return 1;
        char* err = nullptr;
        for (std::size_t m = 0; m < scripts.size(); ++m) {
            sqlite3_exec(db, keys_off[m] ? "PRAGMA foreign_keys = OFF" : "PRAGMA foreign_keys = ON", nullptr, nullptr,
                         nullptr);
            if (sqlite3_exec(db, scripts[m].c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
                std::fprintf(stderr, "%s: %s\n", g.gl_pathv[i], err);
                return 1;
            }
        }
        sqlite3_close(db);
    }
    globfree(&g);
    return 0;
}
