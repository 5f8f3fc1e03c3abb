#include <fmt/format.h>

#include <iostream>

#include "context.hpp"

namespace schema::cli {

bool refused(const Proposal& g, bool allow_data_loss, const std::string& what, const std::string& preview,
             const Project& p, Output& out) {
    switch (g.verdict) {
        case Proposal::Verdict::rows_violate:
            std::cerr << out.red("schema: rows in " + p.db.string() +
                                 " violate the new constraints; the migration would fail:")
                      << "\n";
            for (const auto& v : g.violations)
                std::cerr << fmt::format("  {}: {} row{}\n", v.check.description, v.rows, v.rows == 1 ? "" : "s");
            std::cerr << "Fix the data first (a hand-written migration: `schema new fix_data`), or pass "
                         "--allow-data-loss to leave those rows out (see what runs first with "
                      << preview << " --allow-data-loss).\n";
            return true;
        case Proposal::Verdict::cannot_resolve:
            std::cerr << out.red("schema: --allow-data-loss cannot resolve these rows; not " + what + ":") << "\n";
            for (const auto& l : g.unresolved) std::cerr << "  ! " << l << "\n";
            std::cerr << "Fix the data first (a hand-written migration: `schema new fix_data`).\n";
            return true;
        case Proposal::Verdict::loses_data:
            if (allow_data_loss) return false;
            std::cerr << out.red("schema: not " + what + ": it loses data:") << "\n";
            for (const auto& l : g.up.data_loss) std::cerr << "  ! " << l << "\n";
            std::cerr << "Pass --allow-data-loss to go on anyway (see it first with " << preview << ").\n";
            return true;
        case Proposal::Verdict::up_to_date:
        case Proposal::Verdict::ready: return false;
    }
    return false;
}

}  // namespace schema::cli
