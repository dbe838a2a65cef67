#include "rest/query_parser.hpp"

#include <gtest/gtest.h>
#include <pthread.h>

#include <random>
#include <string>

#include "util/percent_decode.hpp"

namespace agentbase::rest {
namespace {

// ---- compact renderings of the AST, so expectations fit on one line -------

std::string Show(const Field& field) {
  std::string out = field.name;
  for (const auto& step : field.json_path) {
    out += step.arrow == JsonArrow::kDoubleArrow ? "->>" : "->";
    out += (step.is_index ? "#" : "") + step.key;  // '#' marks an array index
  }
  return out;
}

std::string Show(const std::vector<SelectItem>& items);

std::string Show(const SelectItem& item) {
  std::string out = item.alias ? *item.alias + ":" : "";
  if (item.kind == SelectItem::Kind::kField) {
    out += Show(item.field);
    if (item.cast) out += "::" + *item.cast;
    if (item.aggregate) {
      static const char* kNames[] = {"sum", "avg", "max", "min", "count"};
      out += std::string(".") + kNames[static_cast<int>(*item.aggregate)] + "()";
    }
    if (item.aggregate_cast) out += "::" + *item.aggregate_cast;
    return out;
  }
  if (item.kind == SelectItem::Kind::kSpread) out += "...";
  out += item.relation;
  if (item.hint) out += "!" + *item.hint;
  if (item.join_type) out += item.join_type == JoinType::kInner ? "!inner" : "!left";
  return out + "(" + Show(item.children) + ")";
}

std::string Show(const std::vector<SelectItem>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + Show(item);
  return out;
}

std::string Show(const Condition& c) {
  std::string out = c.negated ? "not." : "";
  out += OperatorName(c.op);
  if (c.quantifier == Quantifier::kAny) out += "(any)";
  if (c.quantifier == Quantifier::kAll) out += "(all)";
  if (c.fts_config) out += "(" + *c.fts_config + ")";
  out += ".";
  if (c.op == FilterOperator::kIs) {
    static const char* kValues[] = {"null", "not_null", "true", "false", "unknown"};
    return out + kValues[static_cast<int>(c.is_value)];
  }
  if (c.op == FilterOperator::kIn) {
    std::string list;
    for (const auto& item : c.list) list += (list.empty() ? "" : "|") + item;
    return out + "(" + list + ")";
  }
  return out + c.value;
}

std::string Show(const Filter& f) {
  std::string out;
  for (const auto& name : f.embed_path) out += name + "/";
  return out + Show(f.field) + "=" + Show(f.condition);
}

std::string Show(const LogicTree& tree) {
  if (tree.kind == LogicTree::Kind::kFilter) return Show(tree.filter);
  std::string out = tree.negated ? "not." : "";
  out += tree.op == LogicOperator::kAnd ? "and(" : "or(";
  for (std::size_t i = 0; i < tree.children.size(); ++i) out += (i > 0 ? "," : "") + Show(tree.children[i]);
  return out + ")";
}

std::string Show(const OrderTerm& term) {
  std::string out = term.relation ? *term.relation + "(" + Show(term.field) + ")" : Show(term.field);
  if (term.direction) out += term.direction == OrderDirection::kAsc ? ".asc" : ".desc";
  if (term.nulls) out += term.nulls == NullsOrder::kFirst ? ".nullsfirst" : ".nullslast";
  return out;
}

std::string Show(const std::vector<OrderTerm>& terms) {
  std::string out;
  for (const auto& term : terms) out += (out.empty() ? "" : ",") + Show(term);
  return out;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : "|") + part;
  return out;
}

QueryParams MustParse(std::string_view query, bool rpc_read = false) {
  auto result = ParseQueryParams(query, QueryParseOptions{rpc_read});
  EXPECT_TRUE(result.ok()) << query << ": "
                           << (result.ok() ? "" : result.error().message + " / " + result.error().detail);
  return result.ok() ? std::move(result).value() : QueryParams{};
}

Error MustFail(std::string_view query, bool rpc_read = false) {
  auto result = ParseQueryParams(query, QueryParseOptions{rpc_read});
  EXPECT_FALSE(result.ok()) << query << " parsed";
  if (result.ok()) return Error{};
  EXPECT_EQ(result.error().code, "PGRST100") << query;
  return result.error();
}

std::string SelectOf(std::string_view query) { return Show(MustParse(query).select); }

Condition SingleFilter(std::string_view query) {
  auto q = MustParse(query);
  EXPECT_EQ(q.filters.size(), 1u) << query;
  return q.filters.empty() ? Condition{} : q.filters.front().condition;
}

// ---- select= ---------------------------------------------------------------

TEST(RestQuerySelect, ColumnsAndEmbeds) {
  EXPECT_EQ(SelectOf("select=id,title,messages(id,content)"), "id,title,messages(id,content)");
  EXPECT_EQ(SelectOf("select=*,agent:agents!conversations_agent_id_fkey(name)"),
            "*,agent:agents!conversations_agent_id_fkey(name)");
  EXPECT_EQ(SelectOf("select=*,messages!inner(*)"), "*,messages!inner(*)");
  EXPECT_EQ(SelectOf("select=*,messages!left(*)"), "*,messages!left(*)");
  EXPECT_EQ(SelectOf("select=a:rel!hint!inner(*),b:rel!inner!hint(x)"), "a:rel!hint!inner(*),b:rel!hint!inner(x)");
  EXPECT_EQ(SelectOf("select=rel!left_fkey(id)"), "rel!left_fkey(id)");  // a hint, not a join type
  EXPECT_EQ(SelectOf("select=id,...agents(name,model)"), "id,...agents(name,model)");
  EXPECT_EQ(SelectOf("select=id,...agents!inner(name)"), "id,...agents!inner(name)");
  EXPECT_EQ(SelectOf("select=*,client(*,nested(*))"), "*,client(*,nested(*))");
  EXPECT_EQ(SelectOf("select=id,rel()"), "id,rel()");

  auto q = MustParse("select=id,messages(id)");
  ASSERT_EQ(q.select.size(), 2u);
  EXPECT_EQ(q.select[1].kind, SelectItem::Kind::kRelation);
  EXPECT_EQ(q.select[1].relation, "messages");
  EXPECT_FALSE(q.select[1].join_type);
}

TEST(RestQuerySelect, CastsAliasesAndJsonPaths) {
  EXPECT_EQ(SelectOf("select=id::text,title"), "id::text,title");
  EXPECT_EQ(SelectOf("select=myInt:settings->foo->>int::integer"), "myInt:settings->foo->>int::integer");
  EXPECT_EQ(SelectOf("select=data->a->>b"), "data->a->>b");
  EXPECT_EQ(SelectOf("select=data->0,data->>-1,data->\"0\""), "data->#0,data->>#-1,data->0");
  EXPECT_EQ(SelectOf("select=data->!@#$%^%26*_a"), "data->!@#$%^&*_a");
  EXPECT_EQ(SelectOf("select=x::character varying"), "x::character varying");

  auto q = MustParse("select=data->a->>b");
  ASSERT_EQ(q.select.size(), 1u);
  ASSERT_EQ(q.select[0].field.json_path.size(), 2u);
  EXPECT_EQ(q.select[0].field.json_path.back().arrow, JsonArrow::kDoubleArrow);
  EXPECT_EQ(q.select[0].field.json_path.back().key, "b");
}

TEST(RestQuerySelect, Aggregates) {
  EXPECT_EQ(SelectOf("select=count()"), "*.count()");
  EXPECT_EQ(SelectOf("select=total:count()::int"), "total:*.count()::int");
  EXPECT_EQ(SelectOf("select=amount.sum(),amount.avg(),amount.max(),amount.min(),id.count()"),
            "amount.sum(),amount.avg(),amount.max(),amount.min(),id.count()");
  EXPECT_EQ(SelectOf("select=amount::int.sum()::text,status"), "amount::int.sum()::text,status");
  EXPECT_EQ(SelectOf("select=messages(count)"), "messages(count)");  // a column named count
}

TEST(RestQuerySelect, QuotesAndWhitespace) {
  EXPECT_EQ(SelectOf("select=%22my%20col%22,%22a,b%22,%22x%5C%22y%22"), "my col,a,b,x\"y");
  EXPECT_EQ(SelectOf("select=id,%20name%20,%20rel(%20a%20,%20b%20)"), "id,name,rel(a,b)");
  EXPECT_EQ(SelectOf("select=id,+name"), "id,name");         // '+' is a space
  EXPECT_EQ(SelectOf("select=first%20name"), "first name");  // inner spaces belong to the name
  EXPECT_EQ(SelectOf("select=a-b,c-d->e"), "a-b,c-d->e");
}

TEST(RestQuerySelect, DefaultsAndEmpty) {
  EXPECT_EQ(SelectOf(""), "*");
  EXPECT_EQ(SelectOf("id=eq.1"), "*");
  EXPECT_EQ(SelectOf("select"), "*");  // no '=': as if absent
  EXPECT_EQ(SelectOf("select="), "");
  EXPECT_EQ(SelectOf("select=id&select=title"), "id");  // first one wins
}

TEST(RestQuerySelect, ErrorsMatchPostgrest) {
  // Texts from PostgREST's own tests and doctests.
  auto e = MustFail("select=id,clients(name[])");
  EXPECT_EQ(e.message, "\"failed to parse select parameter (id,clients(name[]))\" (line 1, column 16)");
  EXPECT_EQ(
      e.detail,
      "unexpected '[' expecting letter, digit, \"-\", \"->>\", \"->\", \"::\", \".\", \")\", \",\" or end of input");
  EXPECT_TRUE(e.hint.empty());

  e = MustFail("select=name!hint");
  EXPECT_EQ(e.message, "\"failed to parse select parameter (name!hint)\" (line 1, column 5)");
  EXPECT_EQ(
      e.detail,
      "unexpected '!' expecting letter, digit, \"-\", \"->>\", \"->\", \"::\", \".\", \")\", \",\" or end of input");

  e = MustFail("select=*!hint");
  EXPECT_EQ(e.message, "\"failed to parse select parameter (*!hint)\" (line 1, column 2)");
  EXPECT_EQ(e.detail, "unexpected '!' expecting \")\", \",\" or end of input");

  e = MustFail("select=name::");
  EXPECT_EQ(e.message, "\"failed to parse select parameter (name::)\" (line 1, column 7)");
  EXPECT_EQ(e.detail, "unexpected end of input expecting letter or digit");

  e = MustFail("select=data->>-78xy");
  EXPECT_EQ(e.message, "\"failed to parse select parameter (data->>-78xy)\" (line 1, column 11)");
  EXPECT_EQ(e.detail, "unexpected 'x' expecting digit, \"->\", \"::\", \".\", \",\" or end of input");

  e = MustFail("select=data->>--34");
  EXPECT_EQ(e.message, "\"failed to parse select parameter (data->>--34)\" (line 1, column 9)");
  EXPECT_EQ(e.detail, "unexpected \"-\" expecting digit");

  e = MustFail("select=data->(!@#$%^%26*_d->>!@#$%^%26*_e::integer");
  EXPECT_EQ(e.message,
            "\"failed to parse select parameter (data->(!@#$%^&*_d->>!@#$%^&*_e::integer)\" (line 1, column 7)");
  EXPECT_EQ(e.detail, "unexpected \"(\" expecting \"-\", digit or any non reserved character different from: .,>()");
}

TEST(RestQuerySelect, MalformedInputIsRejected) {
  for (const char* query : {"select=id,", "select=id,,name", "select=,id", "select=id,rel(id", "select=id,rel(id))",
                            "select=id)", "select=(id)", "select=%22unterminated", "select=rel(%22unterminated)",
                            "select=count(*)", "select=id::", "select=data->", "select=a:", "select=...rel",
                            "select=id,rel(a,)", "select=rel!(a)", "select=a.b", "select=a.sum", "select=a-"}) {
    MustFail(query);
  }
  auto e = MustFail("select=id,rel(id");
  EXPECT_EQ(e.message, "\"failed to parse select parameter (id,rel(id)\" (line 1, column 10)");
}

std::string Nested(std::string_view open, int depth, std::string_view leaf) {
  std::string out;
  for (int i = 0; i < depth; ++i) out += open;
  out += leaf;
  out.append(static_cast<std::size_t>(depth), ')');
  return out;
}

TEST(RestQuerySelect, NestingIsBounded) {
  EXPECT_TRUE(ParseSelect(Nested("a(", kMaxNestingDepth, "id")).ok());
  auto too_deep = ParseSelect(Nested("a(", kMaxNestingDepth + 1, "id"));
  ASSERT_FALSE(too_deep.ok());
  EXPECT_EQ(too_deep.error().code, "PGRST100");
  EXPECT_NE(too_deep.error().detail.find("nesting deeper than 64"), std::string::npos) << too_deep.error().detail;

  auto huge = ParseSelect(Nested("a(", 10000, "id"));
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code, "PGRST100");
  auto parens = ParseSelect(std::string(10000, '(') + std::string(10000, ')'));
  ASSERT_FALSE(parens.ok());
  EXPECT_EQ(parens.error().code, "PGRST100");
}

// ---- filters ---------------------------------------------------------------

TEST(RestQueryFilter, SupabaseJsFilters) {
  EXPECT_EQ(Show(SingleFilter("status=in.(active,archived)")), "in.(active|archived)");
  EXPECT_EQ(Show(SingleFilter("title=ilike.*plan*")), "ilike.%plan%");
  EXPECT_EQ(Show(SingleFilter("title=like.a*b")), "like.a%b");
  EXPECT_EQ(Show(SingleFilter("id=eq.%22quoted%22")), "eq.\"quoted\"");  // quotes stay in plain filters
  EXPECT_EQ(Show(SingleFilter("tags=cs.%7Ba,b%7D")), "cs.{a,b}");
  EXPECT_EQ(Show(SingleFilter("meta=cd.%7B%22a%22:1%7D")), "cd.{\"a\":1}");
  EXPECT_EQ(Show(SingleFilter("embedding=not.is.null")), "not.is.null");
  EXPECT_EQ(Show(SingleFilter("value=fts(english).hello%20world")), "fts(english).hello world");
  EXPECT_EQ(Show(SingleFilter("value=plfts.a+b")), "plfts.a b");
  EXPECT_EQ(Show(SingleFilter("value=phfts(simple).a")), "phfts(simple).a");
  EXPECT_EQ(Show(SingleFilter("value=wfts.%22a%22%20-b")), "wfts.\"a\" -b");
  EXPECT_EQ(Show(SingleFilter("name=eq.hello+world")), "eq.hello world");
  EXPECT_EQ(Show(SingleFilter("name=eq.a%2Bb")), "eq.a+b");
  EXPECT_EQ(Show(SingleFilter("name=eq.")), "eq.");
  EXPECT_EQ(Show(SingleFilter("name=eq.a.b.c")), "eq.a.b.c");  // the value is everything after the dot
  EXPECT_EQ(Show(SingleFilter("name=like(any).%7Ba*,*b%7D")), "like(any).{a%,%b}");
  EXPECT_EQ(Show(SingleFilter("name=ilike(all).%7Ba*,*b%7D")), "ilike(all).{a%,%b}");
  EXPECT_EQ(Show(SingleFilter("n=gt(any).%7B1,2%7D")), "gt(any).{1,2}");
  EXPECT_EQ(Show(SingleFilter("n=not.eq(all).%7B1,2%7D")), "not.eq(all).{1,2}");
}

TEST(RestQueryFilter, EveryOperator) {
  const char* cases[][2] = {{"eq.1", "eq.1"},
                            {"neq.1", "neq.1"},
                            {"gt.1", "gt.1"},
                            {"gte.1", "gte.1"},
                            {"lt.1", "lt.1"},
                            {"lte.1", "lte.1"},
                            {"like.a", "like.a"},
                            {"ilike.a", "ilike.a"},
                            {"match.%5Ea", "match.^a"},
                            {"imatch.a", "imatch.a"},
                            {"is.null", "is.null"},
                            {"is.NULL", "is.null"},
                            {"is.not_null", "is.not_null"},
                            {"is.True", "is.true"},
                            {"is.false", "is.false"},
                            {"is.unknown", "is.unknown"},
                            {"isdistinct.5", "isdistinct.5"},
                            {"in.()", "in.()"},
                            {"cs.%7B1%7D", "cs.{1}"},
                            {"cd.%5B1,3%5D", "cd.[1,3]"},
                            {"ov.(1,2)", "ov.(1,2)"},
                            {"sl.(1,2)", "sl.(1,2)"},
                            {"sr.(1,2)", "sr.(1,2)"},
                            {"nxl.(1,2)", "nxl.(1,2)"},
                            {"nxr.(1,2)", "nxr.(1,2)"},
                            {"adj.(3,10%5D", "adj.(3,10]"},
                            {"fts.a", "fts.a"},
                            {"plfts.a", "plfts.a"},
                            {"phfts.a", "phfts.a"},
                            {"wfts.a", "wfts.a"},
                            {"not.in.(1)", "not.in.(1)"},
                            {"not.fts(english).a", "not.fts(english).a"}};
  for (const auto& [value, expected] : cases) {
    EXPECT_EQ(Show(SingleFilter("col=" + std::string(value))), expected) << value;
  }
}

TEST(RestQueryFilter, InLists) {
  auto list = [](std::string_view value) { return SingleFilter("c=" + std::string(value)).list; };
  EXPECT_EQ(Join(list("in.(1,2,3)")), "1|2|3");
  EXPECT_EQ(Join(list("in.(%22a,b%22,%22(c)%22,d)")), "a,b|(c)|d");
  EXPECT_EQ(Join(list("in.(%22a%5C%22b%22,%22c%5C%5Cd%22)")), "a\"b|c\\d");
  EXPECT_EQ(Join(list("in.(%20a,%20b%20)")), "a| b ");  // spaces inside items are kept
  EXPECT_TRUE(list("in.()").empty());
  ASSERT_EQ(list("in.(%22%22)").size(), 1u);  // one empty string
  EXPECT_EQ(Join(list("in.(a,)")), "a|");
  EXPECT_EQ(Join(list("in.(%22a%22b,c%22)")), "\"a\"b|c\"");  // not a clean quote: taken raw
}

TEST(RestQueryFilter, FieldsAndEmbeds) {
  auto q = MustParse("messages.role=eq.user&data-%3E%3Ename=eq.x&data-%3Ea-%3E0=gt.1&a.b.c=is.null&%22my.col%22=eq.1");
  ASSERT_EQ(q.filters.size(), 5u);
  EXPECT_EQ(Show(q.filters[0]), "messages/role=eq.user");
  EXPECT_EQ(Show(q.filters[1]), "data->>name=eq.x");
  EXPECT_EQ(Show(q.filters[2]), "data->a->#0=gt.1");
  EXPECT_EQ(Show(q.filters[3]), "a/b/c=is.null");
  EXPECT_EQ(Show(q.filters[4]), "my.col=eq.1");
  // Repeated columns are all kept.
  EXPECT_EQ(MustParse("id=gt.1&id=lt.5").filters.size(), 2u);
  // A bare key without '=' is not a filter.
  EXPECT_TRUE(MustParse("flag").filters.empty());
}

TEST(RestQueryFilter, ErrorsMatchPostgrest) {
  auto e = MustFail("id=eq5");
  EXPECT_EQ(e.message, "\"failed to parse filter (eq5)\" (line 1, column 3)");
  EXPECT_EQ(e.detail, "unexpected \"5\" expecting operator (eq, gt, ...)");

  e = MustFail("id=0");
  EXPECT_EQ(e.message, "\"failed to parse filter (0)\" (line 1, column 1)");
  EXPECT_EQ(e.detail, "unexpected \"0\" expecting \"not\" or operator (eq, gt, ...)");

  e = MustFail("a.b=noop.0");
  EXPECT_EQ(e.message, "\"failed to parse filter (noop.0)\" (line 1, column 1)");
  EXPECT_EQ(e.detail, "unexpected \"o\" expecting \"not\" or operator (eq, gt, ...)");

  e = MustFail("id=is.maybe");
  EXPECT_EQ(e.message, "\"failed to parse filter (is.maybe)\" (line 1, column 4)");
  EXPECT_EQ(e.detail, "unexpected \"m\" expecting isVal: (null, not_null, true, false, unknown)");

  e = MustFail("id=eq().value");
  EXPECT_EQ(e.message, "\"failed to parse filter (eq().value)\" (line 1, column 4)");
  EXPECT_EQ(e.detail, "unexpected \")\" expecting operator (eq, gt, ...)");

  e = MustFail("id=fts().value");
  EXPECT_EQ(e.message, "\"failed to parse filter (fts().value)\" (line 1, column 5)");
  EXPECT_EQ(e.detail, "unexpected \")\" expecting operator (eq, gt, ...)");

  e = MustFail("id=is().value");
  EXPECT_EQ(e.message, "\"failed to parse filter (is().value)\" (line 1, column 3)");

  e = MustFail("id=in.1,2");
  EXPECT_EQ(e.message, "\"failed to parse filter (in.1,2)\" (line 1, column 4)");
  EXPECT_EQ(e.detail, "unexpected \"1\" expecting \"(\"");

  e = MustFail("foo=bar");  // an unknown parameter on a table is a filter
  EXPECT_EQ(e.message, "\"failed to parse filter (bar)\" (line 1, column 1)");

  e = MustFail("name=%C3%A9t%C3%A9");  // show [c] escapes non-ASCII; the quoted source name does not
  EXPECT_EQ(e.message, "\"failed to parse filter (\u00e9t\u00e9)\" (line 1, column 1)");
  EXPECT_EQ(e.detail, "unexpected \"\\233\" expecting \"not\" or operator (eq, gt, ...)");

  e = MustFail("%22unterminated=eq.1");
  EXPECT_EQ(e.message, "\"failed to parse tree path (\"unterminated)\" (line 1, column 14)");
  EXPECT_EQ(e.detail, "unexpected end of input expecting \"\\\\\" or \"\\\"\"");

  e = MustFail("select=%22a%0Ab%22%09c");  // Parsec counts lines and 8-column tab stops
  EXPECT_EQ(e.message, "\"failed to parse select parameter (\"a\nb\"\tc)\" (line 2, column 9)");
}

TEST(RestQueryFilter, MalformedInputIsRejected) {
  for (const char* query :
       {"id=",          "id=eq",  "id=equals.1", "id=not.",     "id=not.5",        "id=not.not.eq.1", "id=in.(1,2",
        "id=in.(1,2)x", "id=in.", "id=is.",      "id=is.nullx", "id=like(some).x", "id=cs(any).x",    "id=fts(a",
        "id=fts(a)x",   "=eq.1",  "a..b=eq.1",   "a.=eq.1",     "id!x=eq.1",       "data-%3E=eq.1"}) {
    MustFail(query);
  }
}

// ---- and/or ------------------------------------------------------------------

std::string LogicOf(std::string_view query) {
  auto q = MustParse(query);
  EXPECT_EQ(q.logic.size(), 1u) << query;
  if (q.logic.empty()) return {};
  std::string path;
  for (const auto& name : q.logic[0].embed_path) path += name + "/";
  return path + Show(q.logic[0].tree);
}

TEST(RestQueryLogic, Trees) {
  EXPECT_EQ(LogicOf("or=(status.eq.active,and(priority.gt.1,enabled.is.true))"),
            "or(status=eq.active,and(priority=gt.1,enabled=is.true))");
  EXPECT_EQ(LogicOf("and=(a.eq.1,b.neq.2)"), "and(a=eq.1,b=neq.2)");
  EXPECT_EQ(LogicOf("not.or=(a.eq.1,b.eq.2)"), "not.or(a=eq.1,b=eq.2)");
  EXPECT_EQ(LogicOf("not.and=(a.eq.1)"), "not.and(a=eq.1)");
  EXPECT_EQ(LogicOf("messages.or=(role.eq.user,role.eq.agent)"), "messages/or(role=eq.user,role=eq.agent)");
  EXPECT_EQ(LogicOf("a.b.not.or=(x.is.null)"), "a/b/not.or(x=is.null)");
  EXPECT_EQ(LogicOf("or=(a.not.eq.1,not.and(b.gt.2,c.lt.3),d.in.(1,2),e.cs.%7B1,2%7D)"),
            "or(a=not.eq.1,not.and(b=gt.2,c=lt.3),d=in.(1|2),e=cs.{1,2})");
  EXPECT_EQ(LogicOf("or=(name.eq.%22a,b%22,name.eq.%22(x)%22,name.like.%22*ity,4*%22)"),
            "or(name=eq.a,b,name=eq.(x),name=like.%ity,4%)");
  EXPECT_EQ(LogicOf("or=(name.ilike.*ENTITY%202,name.fts(english).a%20b,data-%3E%3Ex.eq.1)"),
            "or(name=ilike.%ENTITY 2,name=fts(english).a b,data->>x=eq.1)");
  EXPECT_EQ(LogicOf("or=(a.eq.,b.eq.2)"), "or(a=eq.,b=eq.2)");
  // PostgREST's whitespace test; values keep their trailing spaces.
  EXPECT_EQ(LogicOf("and=( and ( id.in.( 1, 2, 3 ) , id.eq.3 ) , or ( id.eq.2 , id.eq.3 ) )"),
            "and(and(id=in.(1| 2| 3 ),id=eq.3 ),or(id=eq.2 ,id=eq.3 ))");
}

TEST(RestQueryLogic, ErrorsMatchPostgrest) {
  auto e = MustFail("or=()");
  EXPECT_EQ(e.message, "\"failed to parse logic tree (())\" (line 1, column 4)");
  EXPECT_EQ(e.detail,
            "unexpected \")\" expecting field name (* or [a..z0..9_$]), negation operator (not) or logic operator "
            "(and, or)");

  e = MustFail("or=(id.in.1,2,id.eq.3)");
  EXPECT_EQ(e.message, "\"failed to parse logic tree ((id.in.1,2,id.eq.3))\" (line 1, column 10)");
  EXPECT_EQ(e.detail, "unexpected \"1\" expecting \"(\"");

  e = MustFail("and=(ord(id.eq.1,id.eq.1),id.eq.2)");
  EXPECT_EQ(e.message, "\"failed to parse logic tree ((ord(id.eq.1,id.eq.1),id.eq.2))\" (line 1, column 7)");
  EXPECT_EQ(e.detail, "unexpected \"d\" expecting \"(\"");

  e = MustFail("or=(id.eq.1,not.xor(id.eq.2,id.eq.3))");
  EXPECT_EQ(e.message, "\"failed to parse logic tree ((id.eq.1,not.xor(id.eq.2,id.eq.3)))\" (line 1, column 16)");
  EXPECT_EQ(e.detail, "unexpected \"x\" expecting logic operator (and, or)");

  e = MustFail("or=status.eq.active");
  EXPECT_EQ(e.message, "\"failed to parse logic tree (status.eq.active)\" (line 1, column 3)");
  EXPECT_EQ(e.detail, "unexpected \"s\" expecting \"(\"");
}

TEST(RestQueryLogic, MalformedInputIsRejected) {
  for (const char* query : {"or=(a.eq.1", "or=(a.eq.1))", "or=(a.eq.1,)", "or=(,a.eq.1)", "or=(a.eq.1)x", "or=(a.xx.1)",
                            "or=(a.is.maybe)", "or=(and(a.eq.1)", "or=(a)", "or=(a.eq)",
                            "or=", "and=(a.eq.1,b.cs.%7B1,2)", "not.or=a.eq.1", "a..or=(a.eq.1)"}) {
    MustFail(query);
  }
}

TEST(RestQueryLogic, NestingIsBounded) {
  auto nested = [](int depth) { return Nested("and(", depth - 1, "a.eq.1"); };  // plus the outer "("
  EXPECT_TRUE(ParseLogicTree("or", "(" + nested(kMaxNestingDepth) + ")").ok());
  auto too_deep = ParseLogicTree("or", "(" + nested(kMaxNestingDepth + 1) + ")");
  ASSERT_FALSE(too_deep.ok());
  EXPECT_EQ(too_deep.error().code, "PGRST100");
  EXPECT_EQ(too_deep.error().message.rfind("\"failed to parse logic tree (", 0), 0u);

  std::string query = "or=(" + Nested("and(", 10000, "a.eq.1") + ")";
  EXPECT_EQ(MustFail(query).code, "PGRST100");
  EXPECT_EQ(MustFail("or=" + std::string(10000, '(') + std::string(10000, ')')).code, "PGRST100");
}

// ---- order, limit, offset ----------------------------------------------------

TEST(RestQueryOrder, Terms) {
  auto q = MustParse("order=last_message_at.desc.nullslast,id");
  ASSERT_EQ(q.order.size(), 1u);
  EXPECT_TRUE(q.order[0].embed_path.empty());
  EXPECT_EQ(Show(q.order[0].terms), "last_message_at.desc.nullslast,id");
  ASSERT_EQ(q.order[0].terms.size(), 2u);
  EXPECT_FALSE(q.order[0].terms[1].direction);
  EXPECT_FALSE(q.order[0].terms[1].nulls);

  EXPECT_EQ(Show(ParseOrder("name.desc.nullsfirst").value()), "name.desc.nullsfirst");
  EXPECT_EQ(Show(ParseOrder("json_col->key.asc.nullslast").value()), "json_col->key.asc.nullslast");
  EXPECT_EQ(Show(ParseOrder("data->>a,id.nullsfirst").value()), "data->>a,id.nullsfirst");
  EXPECT_EQ(Show(ParseOrder("clients(json_col->key).desc.nullsfirst").value()),
            "clients(json_col->key).desc.nullsfirst");
  EXPECT_EQ(Show(ParseOrder("name,clients(name),id").value()), "name,clients(name),id");
  EXPECT_EQ(Show(ParseOrder("a , b.desc").value()), "a,b.desc");

  q = MustParse("select=id,messages(id)&messages.order=created_at.desc&order=id");
  ASSERT_EQ(q.order.size(), 2u);
  EXPECT_EQ(q.order[0].embed_path, EmbedPath{"messages"});
  EXPECT_EQ(Show(q.order[0].terms), "created_at.desc");
  EXPECT_TRUE(q.order[1].embed_path.empty());
}

TEST(RestQueryOrder, ErrorsMatchPostgrest) {
  struct Case {
    const char* value;
    const char* column;
    const char* detail;
  };
  const Case cases[] = {
      {"id.asc.nullslasttt", "17", "unexpected 't' expecting \",\" or end of input"},
      {"id.ac", "4", "unexpected \"c\" expecting \"asc\", \"desc\", \"nullsfirst\" or \"nullslast\""},
      {"id.descc", "8", "unexpected 'c' expecting delimiter (.), \",\" or end of input"},
      {"id.nulsfist", "4", "unexpected \"n\" expecting \"asc\", \"desc\", \"nullsfirst\" or \"nullslast\""},
      {"id.nullslasttt", "13", "unexpected 't' expecting \",\" or end of input"},
      {"id.smth34", "4", "unexpected \"s\" expecting \"asc\", \"desc\", \"nullsfirst\" or \"nullslast\""},
      {"id.asc.nlsfst", "8", "unexpected \"l\" expecting \"nullsfirst\" or \"nullslast\""},
      {"id.asc.smth34", "8", "unexpected \"s\" expecting \"nullsfirst\" or \"nullslast\""},
      {"clients(name,id)", "8",
       "unexpected '(' expecting letter, digit, \"-\", \"->>\", \"->\", delimiter (.), \",\" or end of input"},
  };
  for (const auto& c : cases) {
    auto e = MustFail("order=" + std::string(c.value));
    EXPECT_EQ(e.message, "\"failed to parse order (" + std::string(c.value) + ")\" (line 1, column " + c.column + ")");
    EXPECT_EQ(e.detail, c.detail) << c.value;
  }
  for (const char* query : {"order=", "order=id,", "order=,id", "order=id.", "order=id..desc", "order=id.desc.asc",
                            "order=rel(id", "order=id.desc%20"}) {
    MustFail(query);
  }
}

TEST(RestQueryRange, LimitAndOffset) {
  auto q = MustParse("limit=10&offset=20&messages.limit=5&a.b.offset=1");
  ASSERT_NE(q.RangeFor({}), nullptr);
  EXPECT_EQ(q.RangeFor({})->limit, 10);
  EXPECT_EQ(q.RangeFor({})->offset, 20);
  ASSERT_NE(q.RangeFor({"messages"}), nullptr);
  EXPECT_EQ(q.RangeFor({"messages"})->limit, 5);
  EXPECT_FALSE(q.RangeFor({"messages"})->offset);
  ASSERT_NE(q.RangeFor({"a", "b"}), nullptr);
  EXPECT_EQ(q.RangeFor({"a", "b"})->offset, 1);
  EXPECT_EQ(q.RangeFor({"other"}), nullptr);

  EXPECT_EQ(MustParse("limit=0").RangeFor({})->limit, 0);
  EXPECT_EQ(MustParse("limit=1&limit=2").RangeFor({})->limit, 2);  // last one wins
  EXPECT_EQ(MustParse("offset=9223372036854775807").RangeFor({})->offset, INT64_MAX);
  EXPECT_EQ(MustParse("").RangeFor({}), nullptr);
  EXPECT_TRUE(MustParse("limit").ranges.empty());
}

TEST(RestQueryRange, RejectsWhatIsNotANonNegativeInteger) {
  auto e = MustFail("limit=-1");
  EXPECT_EQ(e.message, "\"failed to parse limit parameter (-1)\" (line 1, column 1)");
  EXPECT_EQ(e.detail, "unexpected \"-\" expecting digit");
  e = MustFail("limit=abc");
  EXPECT_EQ(e.message, "\"failed to parse limit parameter (abc)\" (line 1, column 1)");
  EXPECT_EQ(e.detail, "unexpected \"a\" expecting digit");
  e = MustFail("offset=-5");
  EXPECT_EQ(e.message, "\"failed to parse offset parameter (-5)\" (line 1, column 1)");
  for (const char* query : {"limit=", "limit=1.5", "limit=1e3", "limit=%2B1", "offset=0x10", "rel.limit=x",
                            "limit=99999999999999999999", "%22x.limit=1"}) {
    MustFail(query);
  }
}

// ---- columns, on_conflict ------------------------------------------------------

TEST(RestQueryColumns, ColumnsAndOnConflict) {
  auto q = MustParse("columns=%22a%22,%22b%22&on_conflict=id,name");
  ASSERT_TRUE(q.columns);
  EXPECT_EQ(Join(*q.columns), "a|b");
  ASSERT_TRUE(q.on_conflict);
  EXPECT_EQ(Join(*q.on_conflict), "id|name");
  EXPECT_EQ(Join(*MustParse("columns=a,%20b%20,%22c,d%22,a").columns), "a|b|c,d");  // duplicates dropped
  EXPECT_FALSE(MustParse("").columns);
  EXPECT_FALSE(MustParse("").on_conflict);

  auto e = MustFail("columns=");
  EXPECT_EQ(e.message, "\"failed to parse columns parameter ()\" (line 1, column 1)");
  EXPECT_EQ(e.detail, "unexpected end of input expecting field name (* or [a..z0..9_$])");
  e = MustFail("on_conflict=id,");
  EXPECT_EQ(e.message, "\"failed to parse on_conflict parameter (id,)\" (line 1, column 4)");
  for (const char* query : {"columns=a,,b", "columns=%22a", "on_conflict=", "on_conflict=a)"}) MustFail(query);
}

// ---- RPC reads, raw parameters, decoding -----------------------------------------

TEST(RestQueryRpc, UnparsableValuesAreArguments) {
  auto q = MustParse("name=bob&age=eq.5&empty=&tags=%7Ba,b%7D&select=x&limit=1&eq5=eq5", true);
  ASSERT_EQ(q.rpc_args.size(), 4u);
  EXPECT_EQ(q.rpc_args[0].name, "name");
  EXPECT_EQ(q.rpc_args[0].value, "bob");
  EXPECT_EQ(q.rpc_args[1].name, "empty");
  EXPECT_EQ(q.rpc_args[1].value, "");
  EXPECT_EQ(q.rpc_args[2].value, "{a,b}");
  EXPECT_EQ(q.rpc_args[3].value, "eq5");
  ASSERT_EQ(q.filters.size(), 1u);
  EXPECT_EQ(Show(q.filters[0]), "age=eq.5");
  // What starts like a filter must be one, as in PostgREST.
  MustFail("q=not.sure", true);
  MustFail("q=in.valid", true);
  MustFail("q=is.maybe", true);
  // Outside RPC reads an argument-looking parameter is a filter error.
  MustFail("name=bob");
}

TEST(RestQueryParams, ReservedNames) {
  EXPECT_TRUE(IsReservedParamName("rel.not.or"));
  EXPECT_TRUE(IsReservedParamName("on_conflict"));
  EXPECT_FALSE(IsReservedParamName("rel.select"));
  EXPECT_FALSE(IsReservedParamName("ordering"));
}

TEST(RestQueryParams, KeepsEveryRawParam) {
  auto q = MustParse("select=id&a=1&flag&b=eq.2", true);
  ASSERT_EQ(q.raw.size(), 4u);
  EXPECT_EQ(q.raw[2].key, "flag");
  EXPECT_FALSE(q.raw[2].value);
  EXPECT_EQ(*q.raw[3].value, "eq.2");
}

TEST(RestQueryParams, ErrorsComeInPostgrestOrder) {
  // order is checked before select, select before filters.
  EXPECT_EQ(MustFail("id=bad&select=(&order=x.y").message, "\"failed to parse order (x.y)\" (line 1, column 3)");
  EXPECT_EQ(MustFail("id=bad&select=(").message.rfind("\"failed to parse select", 0), 0u);
}

// ---- whole requests ---------------------------------------------------------------

TEST(RestRequest, CombinesQueryAndPreferences) {
  ApiRequestInput input{"GET", false, "select=id&id=eq.1&limit=5", {"count=exact, return=representation"}};
  auto parsed = ParseApiRequest(input);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->query.filters.size(), 1u);
  EXPECT_EQ(parsed->preferences.count, PreferCount::kExact);

  auto rpc = ParseApiRequest({"GET", true, "name=bob", {}});
  ASSERT_TRUE(rpc.ok());
  EXPECT_EQ(rpc->query.rpc_args.size(), 1u);
  EXPECT_TRUE(ParseApiRequest({"HEAD", true, "name=bob", {}}).ok());
  EXPECT_EQ(ParseApiRequest({"POST", true, "name=bob", {}}).error().code, "PGRST100");
}

// The attack run's shapes: 1,700 columns, a 5,000-step JSON path, deep embeds.
TEST(RestRequest, BoundsWhatOneRequestMayAskFor) {
  auto refused = [](const std::string& query) {
    auto parsed = ParseApiRequest({"GET", false, query, {}});
    return parsed.ok() ? std::string("accepted") : parsed.error().code + ": " + parsed.error().message;
  };
  auto columns = [](size_t n) {
    std::string list;
    for (size_t i = 0; i < n; ++i) list += (i ? ",c" : "c") + std::to_string(i);
    return list;
  };
  auto path = [](size_t steps) {
    std::string field = "data";
    for (size_t i = 0; i < steps; ++i) field += "->k";
    return field;
  };
  auto nested = [](size_t depth) {
    std::string select = "id";
    for (size_t i = 0; i < depth; ++i) select = "id,r" + std::to_string(i) + "(" + select + ")";
    return select;
  };
  EXPECT_EQ(refused("select=" + columns(kMaxSelectItems)), "accepted");
  EXPECT_EQ(refused("select=" + columns(1700)),
            "PGRST100: The select list has more than " + std::to_string(kMaxSelectItems) + " items");
  // Items of embedded levels count too.
  EXPECT_EQ(refused("select=id,rel(" + columns(kMaxSelectItems) + ")").substr(0, 8), "PGRST100");
  EXPECT_EQ(refused("select=" + path(kMaxJsonPathSteps)), "accepted");
  std::string too_long = "PGRST100: A JSON path has more than " + std::to_string(kMaxJsonPathSteps) + " steps";
  EXPECT_EQ(refused("select=" + path(5000)), too_long);
  EXPECT_EQ(refused(path(kMaxJsonPathSteps + 1) + "=eq.1"), too_long);
  EXPECT_EQ(refused("order=" + path(kMaxJsonPathSteps + 1)), too_long);
  EXPECT_EQ(refused("or=(a.eq.1,and(" + path(kMaxJsonPathSteps + 1) + ".eq.2))"), too_long);
  EXPECT_EQ(refused("select=" + nested(kMaxEmbedDepth)), "accepted");
  EXPECT_EQ(refused("select=" + nested(kMaxEmbedDepth + 1)),
            "PGRST100: Embedded resources are nested more than " + std::to_string(kMaxEmbedDepth) + " levels deep");
}

// Found by fuzzing: a decoded %00 reached the statement (in a quoted name)
// or a parameter, where libpq would cut it.
TEST(RestRequest, NulBytesAreRefusedAsPostgresRefusesThem) {
  for (std::string query : {"title=eq.third%00junk", "select=%22a%00b%22:title", "select=title,metadata->>%22a%00b%22",
                            "title=in.(a,b%00)"}) {
    auto parsed = ParseApiRequest({"GET", false, query, {}});
    ASSERT_FALSE(parsed.ok()) << query;
    EXPECT_EQ(parsed.error().code, "22021") << query;
  }
}

TEST(RestRequest, PutRejectsLimitAndOffset) {
  auto limited = ParseApiRequest({"PUT", false, "id=eq.1&limit=1", {}});
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().code, "PGRST114");
  EXPECT_EQ(limited.error().message, "limit/offset querystring parameters are not allowed for PUT");
  EXPECT_EQ(ParseApiRequest({"PUT", false, "id=eq.1&offset=2", {}}).error().code, "PGRST114");
  EXPECT_TRUE(ParseApiRequest({"PUT", false, "id=eq.1&offset=0", {}}).ok());
  EXPECT_TRUE(ParseApiRequest({"PATCH", false, "id=eq.1&limit=1", {}}).ok());
}

TEST(RestRequest, StrictPreferencesFailAfterTheQuery) {
  auto strict = ParseApiRequest({"GET", false, "", {"handling=strict, bogus"}});
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.error().code, "PGRST122");
  auto both = ParseApiRequest({"GET", false, "id=bad", {"handling=strict, bogus"}});
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.error().code, "PGRST100");
}

// ---- robustness -------------------------------------------------------------

// Maximum nesting, on both the fast and the error-reporting path, fits in a
// 1 MiB stack (coroutine and worker stacks can be that small).
TEST(RestQueryRobustness, MaximumNestingFitsASmallStack) {
  struct Outcome {
    bool select_ok = false, select_deep_failed = false, logic_ok = false, logic_deep_failed = false;
  } outcome;
  auto run = [](void* arg) -> void* {
    auto* out = static_cast<Outcome*>(arg);
    out->select_ok = ParseSelect(Nested("a(", kMaxNestingDepth, "id")).ok();
    out->select_deep_failed = !ParseSelect(Nested("a(", kMaxNestingDepth, "id,")).ok();
    out->logic_ok = ParseLogicTree("or", "(" + Nested("and(", kMaxNestingDepth - 1, "a.eq.1") + ")").ok();
    out->logic_deep_failed = !ParseLogicTree("or", "(" + Nested("and(", kMaxNestingDepth, "a.eq.1") + ")").ok();
    return nullptr;
  };
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, 1024 * 1024), 0);
  pthread_t thread;
  ASSERT_EQ(pthread_create(&thread, &attr, run, &outcome), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  EXPECT_TRUE(outcome.select_ok);
  EXPECT_TRUE(outcome.select_deep_failed);
  EXPECT_TRUE(outcome.logic_ok);
  EXPECT_TRUE(outcome.logic_deep_failed);
}

TEST(RestQueryFuzz, RandomInputNeverCrashes) {
  std::mt19937 rng(20240531);
  const std::string alphabet = "abcin.,()!:*->\"\\{}[]%20+&=;  \t~_$0123456789-eqnotorandlimitselect";
  auto random_text = [&](std::size_t max_length, bool bytes) {
    std::string out;
    std::size_t length = rng() % (max_length + 1);
    for (std::size_t i = 0; i < length; ++i) {
      out += bytes ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    }
    return out;
  };
  auto check = [](const auto& result) {
    if (!result.ok()) {
      EXPECT_EQ(result.error().code, "PGRST100");
      EXPECT_FALSE(result.error().message.empty());
    }
  };
  for (int i = 0; i < 3000; ++i) {
    bool bytes = i % 3 == 0;
    std::string text = random_text(80, bytes);
    check(ParseQueryParams(text));
    check(ParseQueryParams(text, QueryParseOptions{true}));
    check(ParseSelect(text));
    check(ParseFilterCondition(text));
    check(ParseOrder(text));
    check(ParseLogicTree(i % 2 ? "or" : "not.and", text));
    check(ParseColumnList("columns", text));
    // Plausible prefixes reach deeper into the grammar.
    check(ParseQueryParams("select=" + text));
    check(ParseQueryParams("or=(" + text));
    check(ParseQueryParams("id=" + text));
  }
}

}  // namespace
}  // namespace agentbase::rest
