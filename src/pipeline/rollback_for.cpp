// schema rollback-for (include/schema/rollback_for.hpp).
#include "schema/rollback_for.hpp"

#include <fmt/format.h>

#include "schema/inspect.hpp"
#include "schema/verify.hpp"
#include "schema/write.hpp"

namespace schema {

RollbackFor plan_rollback_for(const migrate::Directory& dir, std::int64_t version, Dialect dialect) {
    const migrate::Migration* m = dir.find(version);
    if (!m) throw InputError(fmt::format("{} has no migration numbered {}", dir.root.string(), version));
    const auto [up_path, down_path] = dir.paths_for(m->version, m->name);
    if (m->down_path)
        throw InputError(fmt::format("{} already has a rollback, {}: remove it first to write another",
                                     m->up_path.string(), m->down_path->string()));
    // The schema it starts from and the one it leaves.
    auto shadow = build_shadow(Schema{});
    for (const auto& earlier : dir.migrations) {
        if (earlier.version >= m->version) break;
        replay_on_shadow(shadow, earlier.up_sql, earlier.up_path.string(), &earlier.up_script);
    }
    InspectOptions io;
    io.origin = m->up_path.string();
    const Schema before = inspect(shadow, io);
    replay_on_shadow(shadow, m->up_sql, m->up_path.string(), &m->up_script);
    const Schema after = inspect(shadow, io);

    // After -> before is the rollback; it drops what the migration created, by design.
    Proposal back = propose(after, before, nullptr, {true, dialect});
    Proposal forward = propose(before, after, nullptr, {true, dialect});
    RollbackFor r;
    r.migration = m;
    r.path = down_path;
    const std::string file_name = r.path.filename().string();
    MigrationInfo rollback_info{file_name, m->up_path.filename().string(), true, forward.up.data_loss, dialect};
    MigrationInfo again_info{m->up_path.filename().string(), std::filesystem::relative(down_path, dir.root).string(), false, {},
                             dialect};
    prove_texts(back, after, before, rollback_info, again_info);
    r.text = back.up_text;
    r.summary = back.up.summary;
    // Data statements are the migration's own rows: no schema diff brings them back.
    for (const auto& st : m->up_script.statements) {
        const auto first = sqlite::leading_tokens(st.text(m->up_sql), 1);
        if (first.empty()) continue;
        const std::string word = fold(first.front());
        if (word == "insert" || word == "update" || word == "delete" || word == "replace")
            r.not_undone.push_back(fmt::format("{}:{}: {}", m->up_path.string(), st.line, word));
    }
    return r;
}

}  // namespace schema
