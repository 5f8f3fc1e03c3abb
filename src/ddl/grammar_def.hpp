// The schema-statement grammar. Included by grammar.cpp only.
//
// Shape: semantic actions fill the AST fields explicitly (into / flag / push),
// which keeps statements whose clauses come in any order (column constraints,
// foreign-key options) readable. Expectation points (>) sit right after the
// token that commits to a production, so a failure reports what was expected
// where, e.g. "expected ')'" at the column that lacks it.
#pragma once

#include "grammar.hpp"
#include "lexemes.hpp"

namespace schema::ddl::grammar {

using namespace lex;
using x3::lit;

// --- semantic-action helpers ------------------------------------------------

// _val.*member = _attr
template <typename C, typename M>
auto into(M C::*member) {
    return [member](auto& ctx) { x3::_val(ctx).*member = std::move(x3::_attr(ctx)); };
}
// _val.*member = value
template <typename C, typename M, typename V>
auto flag(M C::*member, V value) {
    return [member, value](auto& ctx) { x3::_val(ctx).*member = value; };
}
// (_val.*member).push_back(_attr)
template <typename C, typename M>
auto push(M C::*member) {
    return [member](auto& ctx) { (x3::_val(ctx).*member).push_back(std::move(x3::_attr(ctx))); };
}
// Records where the rule's node starts (after skipping), in _val.at.
auto const mark = x3::raw[x3::eps][([](auto& ctx) { x3::_val(ctx).at = x3::_attr(ctx).begin(); })];

inline std::string range_text(const auto& range) { return std::string(range.begin(), range.end()); }
template <typename C>
auto raw_into(std::string C::*member) {
    return [member](auto& ctx) { x3::_val(ctx).*member = range_text(x3::_attr(ctx)); };
}
template <typename C>
auto raw_into(std::optional<std::string> C::*member) {
    return [member](auto& ctx) { x3::_val(ctx).*member = range_text(x3::_attr(ctx)); };
}
template <typename C>
auto raw_push(std::vector<std::string> C::*member) {
    return [member](auto& ctx) { (x3::_val(ctx).*member).push_back(range_text(x3::_attr(ctx))); };
}

// --- rule declarations ------------------------------------------------------

struct name_class;
struct token_class;
struct balanced_class;
struct item_class;
struct qualified_name_class;
struct indexed_column_class;
struct type_name_class;
struct signed_number_class;
struct conflict_clause_class;
struct foreign_key_clause_class;
struct fk_action_class;
struct column_constraint_class;
struct column_def_class;
struct table_constraint_class;
struct default_value_class;

x3::rule<name_class, std::string> const name = "name";
x3::rule<token_class> const token = "token";
x3::rule<balanced_class> const balanced = "balanced tokens";
x3::rule<item_class> const item = "list item";
x3::rule<qualified_name_class, ast::QualifiedName> const qualified_name = "name";
x3::rule<indexed_column_class, ast::IndexedColumn> const indexed_column = "indexed column";
x3::rule<type_name_class, std::string> const type_name = "type name";
x3::rule<signed_number_class> const signed_number = "number";
x3::rule<conflict_clause_class, ast::Conflict> const conflict_clause = "ON CONFLICT clause";
x3::rule<fk_action_class, ast::FkAction> const fk_action = "SET NULL, SET DEFAULT, CASCADE, RESTRICT or NO ACTION";
x3::rule<foreign_key_clause_class, ast::ForeignKeyClause> const foreign_key_clause = "REFERENCES clause";
x3::rule<default_value_class, std::string> const default_value = "default value";
x3::rule<column_constraint_class, ast::ColumnConstraint> const column_constraint = "column constraint";
x3::rule<column_def_class, ast::ColumnDef> const column_def = "column definition";
x3::rule<table_constraint_class, ast::TableConstraint> const table_constraint = "table constraint";

create_table_stmt_type const create_table_stmt = "CREATE TABLE statement";
create_index_stmt_type const create_index_stmt = "CREATE INDEX statement";
create_view_stmt_type const create_view_stmt = "CREATE VIEW statement";
create_trigger_stmt_type const create_trigger_stmt = "CREATE TRIGGER statement";
create_virtual_table_stmt_type const create_virtual_table_stmt = "CREATE VIRTUAL TABLE statement";

// --- lexical ----------------------------------------------------------------

auto const name_def = double_quoted | backquoted | bracketed | single_quoted | bare_word;

// Any single token; parentheses are matched by `balanced` / `item`.
auto const token_def = x3::omit[single_quoted] | blob | x3::omit[double_quoted] | x3::omit[backquoted] |
                       x3::omit[bracketed] | number | variable | x3::omit[bare_word] | operator_;

// Tokens up to (not including) the ')' that closes the current parenthesis.
auto const balanced_def = *((lit('(') >> balanced >> lit(')')) | (token - lit('(') - lit(')')));

// One element of a comma-separated list inside parentheses.
auto const item_def = +((lit('(') >> balanced >> lit(')')) | (token - lit('(') - lit(')') - lit(',')));

// Where a name token starts and ends: `member_begin` / `member_end` of _val.
template <typename C>
auto span_into(const char* C::*member_begin, const char* C::*member_end) {
    return [member_begin, member_end](auto& ctx) {
        x3::_val(ctx).*member_begin = x3::_attr(ctx).begin();
        x3::_val(ctx).*member_end = x3::_attr(ctx).end();
    };
}

using QN = ast::QualifiedName;
auto const qualified_name_def =
    mark >> x3::raw[name[into(&QN::name)]][span_into(&QN::name_begin, &QN::name_end)] >>
    -(lit('.') >> x3::raw[name[([](auto& ctx) {
          auto& q = x3::_val(ctx);
          q.schema = std::move(q.name);
          q.name = std::move(x3::_attr(ctx));
      })]][span_into(&QN::name_begin, &QN::name_end)]);

auto const indexed_column_def = mark >> x3::raw[item][raw_into(&ast::IndexedColumn::text)];

auto const signed_number_def = -(lit('+') | lit('-')) >> number;

// --- column definitions -----------------------------------------------------

// Words that end a type name because they start a column constraint.
auto const column_constraint_start = kw("constraint") | kw("primary") | kw("not") | kw("null") | kw("unique") |
                                     kw("check") | kw("default") | kw("collate") | kw("references") |
                                     kw("generated") | kw("as");
// Words that start a table constraint and so cannot be a bare column name.
auto const table_constraint_start = kw("constraint") | kw("primary") | kw("unique") | kw("check") | kw("foreign");

auto const type_word = name - column_constraint_start;
auto const type_name_def = x3::raw[+type_word >> -(lit('(') > signed_number > -(lit(',') > signed_number) > lit(')'))];

auto const conflict_clause_def =
    kw("on") >> kw("conflict") >
    ((kw("rollback") >> x3::attr(ast::Conflict::rollback)) | (kw("abort") >> x3::attr(ast::Conflict::abort)) |
     (kw("fail") >> x3::attr(ast::Conflict::fail)) | (kw("ignore") >> x3::attr(ast::Conflict::ignore)) |
     (kw("replace") >> x3::attr(ast::Conflict::replace)));

auto const fk_action_def = (kw("set") > ((kw("null") >> x3::attr(ast::FkAction::set_null)) |
                                         (kw("default") >> x3::attr(ast::FkAction::set_default)))) |
                           (kw("cascade") >> x3::attr(ast::FkAction::cascade)) |
                           (kw("restrict") >> x3::attr(ast::FkAction::restrict_)) |
                           ((kw("no") > kw("action")) >> x3::attr(ast::FkAction::no_action));

using FK = ast::ForeignKeyClause;
auto const initially =
    kw("initially") > as<bool>[(kw("deferred") >> x3::attr(true)) | (kw("immediate") >> x3::attr(false))];
// [NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]. NOT DEFERRABLE INITIALLY DEFERRED
// is still not deferrable, so its INITIALLY is dropped.
auto const deferred_initially = [](auto& ctx) {
    x3::_val(ctx).deferral = x3::_attr(ctx) ? ast::Deferral::initially_deferred : ast::Deferral::initially_immediate;
};
auto const foreign_key_clause_def =
    mark >> kw("references") > x3::raw[name[into(&FK::table)]][span_into(&FK::table_begin, &FK::table_end)] > -(lit('(') > (name % ',')[into(&FK::columns)] > lit(')')) >
    *((kw("on") >> kw("delete") > fk_action[into(&FK::on_delete)]) |
      (kw("on") >> kw("update") > fk_action[into(&FK::on_update)]) | (kw("match") > name[into(&FK::match)]) |
      ((kw("not") >> kw("deferrable"))[flag(&FK::deferral, ast::Deferral::not_deferrable)] >> -x3::omit[initially]) |
      (kw("deferrable")[flag(&FK::deferral, ast::Deferral::deferrable)] >> -initially[deferred_initially]));

// DEFAULT takes a literal, a signed number, a parenthesized expression, or a
// bare word (which SQLite stores as a string). The text keeps its parentheses.
auto const default_value_def =
    x3::raw[(lit('(') > balanced > lit(')')) | signed_number | single_quoted | blob | bare_word | double_quoted];

using CC = ast::ColumnConstraint;
auto const set_kind = [](CC::Kind k) { return flag(&CC::kind, k); };
auto const cc_deferral = [](ast::Deferral d) {
    return [d](auto& ctx) {
        x3::_val(ctx).kind = CC::deferral;
        x3::_val(ctx).fk.deferral = d;
    };
};
auto const column_constraint_body =
    (((kw("primary") > kw("key"))[set_kind(CC::primary_key)] >>
      -as<ast::Order>[(kw("asc") >> x3::attr(ast::Order::asc)) |
                      (kw("desc") >> x3::attr(ast::Order::desc))][into(&CC::order)] >>
      -conflict_clause[into(&CC::conflict)] >> -kw("autoincrement")[flag(&CC::autoincrement, true)]) |
     (kw("not") > ((kw("null")[set_kind(CC::not_null)] >> -conflict_clause[into(&CC::conflict)]) |
                   (kw("deferrable")[cc_deferral(ast::Deferral::not_deferrable)] >> -x3::omit[initially]))) |
     // A bare [NOT] DEFERRABLE applies to the table's latest REFERENCES clause.
     (kw("deferrable")[cc_deferral(ast::Deferral::deferrable)] >> -initially[([](auto& ctx) {
          x3::_val(ctx).fk.deferral =
              x3::_attr(ctx) ? ast::Deferral::initially_deferred : ast::Deferral::initially_immediate;
      })]) |
     (kw("null")[set_kind(CC::null)] >> -conflict_clause[into(&CC::conflict)]) |
     (kw("unique")[set_kind(CC::unique)] >> -conflict_clause[into(&CC::conflict)]) |
     (kw("check")[set_kind(CC::check)] > lit('(') > x3::raw[balanced][raw_into(&CC::expr)] > lit(')')) |
     (kw("default")[set_kind(CC::default_value)] > default_value[into(&CC::expr)]) |
     (kw("collate")[set_kind(CC::collate)] > name[into(&CC::collation)]) |
     foreign_key_clause[([](auto& ctx) {
         x3::_val(ctx).kind = CC::references;
         x3::_val(ctx).fk = std::move(x3::_attr(ctx));
     })] |
     (((kw("generated") > kw("always") > kw("as")) | kw("as"))[set_kind(CC::generated)] > lit('(') >
      x3::raw[balanced][raw_into(&CC::expr)] > lit(')') >>
      -(kw("stored")[flag(&CC::stored, true)] | kw("virtual"))));
// SQLite accepts a lone "CONSTRAINT name" (it names nothing); kind stays `null`, a no-op.
auto const column_constraint_def =
    mark >> ((kw("constraint") > name[into(&CC::name)]) >> -column_constraint_body) | column_constraint_body;

using CD = ast::ColumnDef;
auto const column_def_def =
    mark >> x3::raw[(name - table_constraint_start)[into(&CD::name)] >> -type_name[into(&CD::type)] >>
                    *column_constraint[push(&CD::constraints)]][([](auto& ctx) {
        x3::_val(ctx).end = x3::_attr(ctx).end();
    })];

// --- table constraints ------------------------------------------------------

using TC = ast::TableConstraint;
auto const set_tkind = [](TC::Kind k) { return flag(&TC::kind, k); };
auto const table_constraint_body =
    (((kw("primary") > kw("key"))[set_tkind(TC::primary_key)] > lit('(') >
      (indexed_column % ',')[into(&TC::columns)] > lit(')') >> -conflict_clause[into(&TC::conflict)]) |
     (kw("unique")[set_tkind(TC::unique)] > lit('(') > (indexed_column % ',')[into(&TC::columns)] > lit(')') >>
      -conflict_clause[into(&TC::conflict)]) |
     (kw("check")[set_tkind(TC::check)] > lit('(') > x3::raw[balanced][raw_into(&TC::expr)] > lit(')') >>
      -conflict_clause[into(&TC::conflict)]) |
     ((kw("foreign") > kw("key"))[set_tkind(TC::foreign_key)] > lit('(') > (name % ',')[into(&TC::fk_columns)] >
      lit(')') > foreign_key_clause[into(&TC::fk)]));
auto const table_constraint_def =
    mark >> ((kw("constraint") > name[into(&TC::name)]) >> -table_constraint_body) | table_constraint_body;

// --- statements ---------------------------------------------------------------

using CT = ast::CreateTable;
auto const create_table_stmt_def =
    mark >> -(kw("temp") | kw("temporary"))[flag(&CT::temp, true)] >> kw("table") >
    -(kw("if") >> kw("not") >> kw("exists"))[flag(&CT::if_not_exists, true)] > qualified_name[into(&CT::name)] >
    ((kw("as") > x3::raw[+(token - lit(';'))][raw_into(&CT::as_select)]) |
     (lit('(') > (column_def[push(&CT::columns)] % ',') >>
      x3::raw[x3::eps][([](auto& ctx) { x3::_val(ctx).columns_end = x3::_attr(ctx).begin(); })] >>
      *(-lit(',') >> table_constraint[push(&CT::constraints)]) > lit(')') >>
      -(((kw("without") > kw("rowid"))[flag(&CT::without_rowid, true)] | kw("strict")[flag(&CT::strict, true)]) %
        ',')));

using CI = ast::CreateIndex;
auto const create_index_stmt_def =
    mark >> -kw("unique")[flag(&CI::unique, true)] >> kw("index") >
    -(kw("if") >> kw("not") >> kw("exists"))[flag(&CI::if_not_exists, true)] > qualified_name[into(&CI::name)] >
    kw("on") > name[into(&CI::table)] > lit('(') > (indexed_column % ',')[into(&CI::columns)] > lit(')') >>
    -(kw("where") > x3::raw[+(token - lit(';'))][raw_into(&CI::where)]);

using CV = ast::CreateView;
auto const create_view_stmt_def =
    mark >> -(kw("temp") | kw("temporary"))[flag(&CV::temp, true)] >> kw("view") >
    -(kw("if") >> kw("not") >> kw("exists"))[flag(&CV::if_not_exists, true)] > qualified_name[into(&CV::name)] >>
    -(lit('(') > (name % ',')[into(&CV::columns)] > lit(')')) > kw("as") >
    x3::raw[+(token - lit(';'))][raw_into(&CV::select)];

using TR = ast::CreateTrigger;
auto const create_trigger_stmt_def =
    mark >> -(kw("temp") | kw("temporary"))[flag(&TR::temp, true)] >> kw("trigger") >
    -(kw("if") >> kw("not") >> kw("exists"))[flag(&TR::if_not_exists, true)] > qualified_name[into(&TR::name)] >>
    -(kw("before")[flag(&TR::timing, TR::before)] | kw("after")[flag(&TR::timing, TR::after)] |
      (kw("instead") > kw("of"))[flag(&TR::timing, TR::instead_of)]) >
    (kw("delete")[flag(&TR::event, TR::on_delete)] | kw("insert")[flag(&TR::event, TR::on_insert)] |
     (kw("update")[flag(&TR::event, TR::on_update)] >> -(kw("of") > (name % ',')[into(&TR::update_of)]))) >
    kw("on") > qualified_name[into(&TR::table)] >>
    -(kw("for") > kw("each") > kw("row"))[flag(&TR::for_each_row, true)] >>
    -(kw("when") > x3::raw[+(token - kw("begin"))][raw_into(&TR::when)]) > kw("begin") >
    +(!kw("end") >> x3::raw[+(token - lit(';'))][raw_push(&TR::body)] > lit(';')) > kw("end");

using VT = ast::CreateVirtualTable;
auto const create_virtual_table_stmt_def =
    mark >> kw("virtual") > kw("table") > -(kw("if") >> kw("not") >> kw("exists"))[flag(&VT::if_not_exists, true)] >
    qualified_name[into(&VT::name)] > kw("using") > name[into(&VT::module)] >>
    -(lit('(') >> -(x3::raw[item][raw_push(&VT::args)] % ',') > lit(')'));

BOOST_SPIRIT_DEFINE(name, token, balanced, item, qualified_name, indexed_column, type_name, signed_number,
                    conflict_clause, fk_action, foreign_key_clause, default_value, column_constraint, column_def,
                    table_constraint, create_table_stmt, create_index_stmt, create_view_stmt, create_trigger_stmt,
                    create_virtual_table_stmt)

}  // namespace schema::ddl::grammar
