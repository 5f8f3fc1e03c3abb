// From a starting schema and a declared one to a migration pair: diff, plan both
// ways, judge against the live rows (violations, converted values, the lossy
// copy --allow-data-loss asks for), then render and prove the exact texts.
#include "schema/pipeline.hpp"
#include "schema/timing.hpp"

namespace schema {

namespace {

void plan_both_ways(Proposal& p, const Schema& from, const Schema& to, const PlanOptions& options,
                    sqlite::Database* live) {
    PhaseTimer t("plan forward and rollback");
    p.up = options.skip_violating_rows && live ? plan_skipping_violations(p.diff, from, to, *live)
                                               : make_plan(p.diff, from, to, options);
    PlanOptions down_options;
    down_options.restore_text = true;
    down_options.dialect = options.dialect;
    // The rollback starts from the text the forward file leaves (ADD COLUMN's edit).
    if (p.up.tables_as_altered.empty()) {
        p.down = make_plan(diff(to, from, p.diff.inverse()), to, from, down_options);
    } else {
        const Schema after = schema_after(p.up, to);
        p.down = make_plan(diff(after, from, p.diff.inverse()), after, from, down_options);
    }
}

}  // namespace

Proposal propose(const Schema& from, const Schema& declared, sqlite::Database* live, const ProposeOptions& options) {
    PlanOptions plan_options;
    plan_options.dialect = options.dialect;
    Proposal p;
    {
        PhaseTimer t("diff");
        p.diff = diff(from, declared, Renames::declared_in(declared));
    }
    if (p.diff.empty()) return p;
    plan_both_ways(p, from, declared, plan_options, live);
    if (live && *live) {
        p.violations = count_violations(*live, p.up);
        if (!p.violations.empty() && !options.allow_data_loss) {
            p.verdict = Proposal::Verdict::rows_violate;
            return p;
        }
        if (!p.violations.empty()) {
            try {
                plan_options.skip_violating_rows = true;
                plan_both_ways(p, from, declared, plan_options, live);
            } catch (const DataLossRefused& e) {
                p.unresolved = e.reasons();
                p.verdict = Proposal::Verdict::cannot_resolve;
                return p;
            }
        }
        // A new type affinity loses data only where a stored value changes: counted.
        count_conversions(*live, p.up);
    }
    p.verdict = p.up.data_loss.empty() ? Proposal::Verdict::ready : Proposal::Verdict::loses_data;
    return p;
}

Proposal propose(Baseline& base, const Schema& declared, const ProposeOptions& options) {
    try {
        return propose(base.schema, declared, base.live_db ? &base.live_db : nullptr, options);
    } catch (const PrecheckError& e) {
        if (base.pending.empty()) throw;
        throw PrecheckError(std::string(e.what()) +
                            " (the live database does not have the pending migrations yet: apply them first)");
    }
}

void prove_texts(Proposal& p, const Schema& from, const Schema& declared, const MigrationInfo& up_info,
                 const MigrationInfo& down_info, const std::vector<SourceFile>* sources) {
    p.up_text = migration_text(p.up, up_info);
    p.down_text = migration_text(p.down, down_info);
    PhaseTimer t("prove on shadow");
    prove(from, declared, p.diff, p.up, p.down, {p.up_text, up_info.dialect}, {p.down_text, down_info.dialect},
          sources);
}

}  // namespace schema
