#include "plan_json.hpp"

namespace schema::cli {

namespace {

using json = nlohmann::json;

json table_change(const TableChange& tc, const Table& from, const Table& to) {
    return std::visit(
        [&](const auto& c) -> json {
            using T = std::decay_t<decltype(c)>;
            json j;
            if constexpr (std::is_same_v<T, AddColumn>)
                j = {{"kind", "add_column"}, {"column", c.column.name.name()}, {"after", column_sql(c.column, to)}};
            else if constexpr (std::is_same_v<T, DropColumn>)
                j = {{"kind", "drop_column"}, {"column", c.column.name.name()}, {"before", column_sql(c.column, from)}};
            else if constexpr (std::is_same_v<T, RenameColumn>)
                j = {{"kind", "rename_column"}, {"column", c.to.name()}, {"before", c.from.name()}, {"after", c.to.name()}};
            else if constexpr (std::is_same_v<T, ModifyColumn>)
                j = {{"kind", "modify_column"},
                     {"column", c.to.name.name()},
                     {"before", column_sql(c.from, from)},
                     {"after", column_sql(c.to, to)}};
            else if constexpr (std::is_same_v<T, ChangePrimaryKey>)
                j = {{"kind", "change_primary_key"}};
            else if constexpr (std::is_same_v<T, AddUnique>)
                j = {{"kind", "add_unique"}};
            else if constexpr (std::is_same_v<T, DropUnique>)
                j = {{"kind", "drop_unique"}};
            else if constexpr (std::is_same_v<T, AddCheck>)
                j = {{"kind", "add_check"}, {"after", c.check.expr.sql()}};
            else if constexpr (std::is_same_v<T, DropCheck>)
                j = {{"kind", "drop_check"}, {"before", c.check.expr.sql()}};
            else if constexpr (std::is_same_v<T, ModifyCheck>)
                j = {{"kind", "modify_check"}, {"before", c.from.expr.sql()}, {"after", c.to.expr.sql()}};
            else if constexpr (std::is_same_v<T, AddForeignKey>)
                j = {{"kind", "add_foreign_key"}, {"references", c.fk.parent.name()}};
            else if constexpr (std::is_same_v<T, DropForeignKey>)
                j = {{"kind", "drop_foreign_key"}, {"references", c.fk.parent.name()}};
            else if constexpr (std::is_same_v<T, ChangeWithoutRowid>)
                j = {{"kind", "change_without_rowid"}, {"after", c.to}};
            else if constexpr (std::is_same_v<T, ChangeStrict>)
                j = {{"kind", "change_strict"}, {"after", c.to}};
            else static_assert(unhandled<T>);
            j["description"] = describe(tc, to);
            return j;
        },
        tc);
}

json change(const Change& ch) {
    return std::visit(
        [&](const auto& c) -> json {
            using T = std::decay_t<decltype(c)>;
            json j;
            if constexpr (std::is_same_v<T, AddTable>)
                j = {{"kind", "add_table"}, {"object", c.table.name.name()}, {"after", create_sql(c.table)}};
            else if constexpr (std::is_same_v<T, DropTable>)
                j = {{"kind", "drop_table"}, {"object", c.table.name.name()}, {"before", create_sql(c.table)}};
            else if constexpr (std::is_same_v<T, RenameTable>)
                j = {{"kind", "rename_table"}, {"object", c.to.name()}, {"before", c.from.name()}, {"after", c.to.name()}};
            else if constexpr (std::is_same_v<T, ModifyTable>) {
                j = {{"kind", "modify_table"}, {"object", c.to.name.name()}, {"before", create_sql(c.from)},
                     {"after", create_sql(c.to)}};
                json parts = json::array();
                for (const auto& tc : c.changes) parts.push_back(table_change(tc, c.from, c.to));
                j["changes"] = parts;
            } else if constexpr (std::is_same_v<T, AddIndex>)
                j = {{"kind", "add_index"}, {"object", c.index.name.name()}, {"after", create_sql(c.index)}};
            else if constexpr (std::is_same_v<T, DropIndex>)
                j = {{"kind", "drop_index"}, {"object", c.index.name.name()}, {"before", create_sql(c.index)}};
            else if constexpr (std::is_same_v<T, ModifyIndex>)
                j = {{"kind", "modify_index"}, {"object", c.to.name.name()}, {"before", create_sql(c.from)},
                     {"after", create_sql(c.to)}};
            else if constexpr (std::is_same_v<T, AddView>)
                j = {{"kind", "add_view"}, {"object", c.view.name.name()}, {"after", create_sql(c.view)}};
            else if constexpr (std::is_same_v<T, DropView>)
                j = {{"kind", "drop_view"}, {"object", c.view.name.name()}, {"before", create_sql(c.view)}};
            else if constexpr (std::is_same_v<T, ModifyView>)
                j = {{"kind", "modify_view"}, {"object", c.to.name.name()}, {"before", create_sql(c.from)},
                     {"after", create_sql(c.to)}};
            else if constexpr (std::is_same_v<T, AddTrigger>)
                j = {{"kind", "add_trigger"}, {"object", c.trigger.name.name()}, {"after", create_sql(c.trigger)}};
            else if constexpr (std::is_same_v<T, DropTrigger>)
                j = {{"kind", "drop_trigger"}, {"object", c.trigger.name.name()}, {"before", create_sql(c.trigger)}};
            else if constexpr (std::is_same_v<T, ModifyTrigger>)
                j = {{"kind", "modify_trigger"}, {"object", c.to.name.name()}, {"before", create_sql(c.from)},
                     {"after", create_sql(c.to)}};
            else if constexpr (std::is_same_v<T, AddVirtualTable>)
                j = {{"kind", "add_virtual_table"}, {"object", c.table.name.name()}, {"after", create_sql(c.table)}};
            else if constexpr (std::is_same_v<T, DropVirtualTable>)
                j = {{"kind", "drop_virtual_table"}, {"object", c.table.name.name()}, {"before", create_sql(c.table)}};
            else if constexpr (std::is_same_v<T, ModifyVirtualTable>)
                j = {{"kind", "modify_virtual_table"}, {"object", c.to.name.name()}, {"before", create_sql(c.from)},
                     {"after", create_sql(c.to)}};
            else static_assert(unhandled<T>);
            j["description"] = describe(ch);
            return j;
        },
        ch);
}

}  // namespace

nlohmann::json plan_json(const Proposal& g) {
    json changes = json::array();
    for (const auto& c : g.diff.changes) changes.push_back(change(c));
    json rebuilds = json::array();
    for (std::size_t i = 0; i < g.up.rebuilt.size(); ++i)
        rebuilds.push_back({{"table", g.up.rebuilt[i].name()},
                            {"reason", i < g.up.rebuilt_why.size() ? g.up.rebuilt_why[i] : std::string()}});
    json at_risk = json::array();
    for (const auto& v : g.violations) at_risk.push_back({{"constraint", v.check.description}, {"rows", v.rows}});
    return {{"changes", changes}, {"rebuilds", rebuilds}, {"data_loss", g.up.data_loss}, {"rows_at_risk", at_risk}};
}

}  // namespace schema::cli
