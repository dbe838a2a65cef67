#pragma once
// The parsed form of a PostgREST-dialect request: what the query string
// (select, filters, and/or trees, order, limit/offset, on_conflict, columns)
// asks for. Produced by ParseQueryParams (query_parser.hpp); consumed by the
// planner, which resolves names against the schema cache.
//
// Nothing here is checked against the schema: names are as the client sent
// them (quotes removed, surrounding spaces trimmed), values are raw text that
// the SQL stage binds as unknown-typed parameters so Postgres casts them.
//
// Paths: parameters for embedded resources are addressed by an EmbedPath,
// the chain of relation names (or aliases) from the root, e.g.
// `clients.projects.order=id` has embed_path {"clients","projects"}. An empty
// path means the root resource.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/percent_decode.hpp"

namespace agentbase::rest {

using EmbedPath = std::vector<std::string>;

// ---------------------------------------------------------------------------
// Fields and JSON paths

enum class JsonArrow {
  kArrow,        // ->   (result stays json/jsonb)
  kDoubleArrow,  // ->>  (result is text)
};

struct JsonStep {
  JsonArrow arrow = JsonArrow::kArrow;
  // `data->0` and `data->-1` are array indexes (SQL: '0'::int); anything
  // else, including quoted `data->"0"`, is an object key.
  bool is_index = false;
  // The key, or the index as decimal text ("0", "-1"): then only ASCII
  // digits after an optional '-', never empty (safe to inline into SQL).
  std::string key;
};
using JsonPath = std::vector<JsonStep>;

// A column reference, optionally followed by a JSON path:
// `data->a->>b` is {name "data", json_path [->a, ->>b]}; the kind of the last
// arrow decides whether the value is json or text. `*` is the name "*".
struct Field {
  std::string name;
  JsonPath json_path;
};

// ---------------------------------------------------------------------------
// select=

enum class AggregateFunction { kSum, kAvg, kMax, kMin, kCount };
enum class JoinType { kLeft, kInner };

struct SelectItem {
  enum class Kind {
    kField,     // `*`, `col`, `alias:col->k::type`, `count()`, `col.sum()`
    kRelation,  // `rel(...)`, `alias:rel!hint!inner(...)`
    kSpread,    // `...rel(...)`: the relation's columns are lifted into the parent
  };
  Kind kind = Kind::kField;

  // Output name for kField and kRelation (`alias:...`).
  std::optional<std::string> alias;

  // kField. `*` is {name "*"}; a bare `count()` is {name "*"} with
  // aggregate kCount. `cast` is `col::type`, applied before the aggregate;
  // `aggregate_cast` is `col.sum()::type`, applied after it.
  Field field;
  std::optional<std::string> cast;
  std::optional<AggregateFunction> aggregate;
  std::optional<std::string> aggregate_cast;

  // kRelation and kSpread: the relation (table, view or FK/column name used as
  // embedding target), its disambiguation hint (`!fkey_name` or `!column`),
  // the join type (`!inner`, `!left`; none given means left) and the nested
  // select list. `rel()` has no children (embedding used for filtering only).
  std::string relation;
  std::optional<std::string> hint;
  std::optional<JoinType> join_type;
  std::vector<SelectItem> children;
};

// ---------------------------------------------------------------------------
// Filters: `col=op.value`, `rel.col=not.op.value`, and and/or trees

enum class FilterOperator {
  // Comparisons; these (and like/ilike/match/imatch) accept a quantifier.
  kEq,
  kGt,
  kGte,
  kLt,
  kLte,
  kLike,
  kIlike,  // value already has '*' replaced by '%'
  kMatch,
  kImatch,           // ~ and ~*
  kNeq,              // <>
  kIs,               // IS NULL / NOT NULL / TRUE / FALSE / UNKNOWN: see IsValue
  kIsDistinct,       // IS DISTINCT FROM value
  kIn,               // = ANY(list)
  kContains,         // cs  @>
  kContainedIn,      // cd  <@
  kOverlaps,         // ov  &&
  kStrictlyLeft,     // sl  <<
  kStrictlyRight,    // sr  >>
  kNotExtendsRight,  // nxr &<
  kNotExtendsLeft,   // nxl &>
  kAdjacent,         // adj -|-
  kFts,              // @@ to_tsquery
  kPlainFts,         // @@ plainto_tsquery
  kPhraseFts,        // @@ phraseto_tsquery
  kWebsearchFts,     // @@ websearch_to_tsquery
};

// `eq(any).{a,b}` / `like(all).{a*,b*}`: the value is an array literal and
// the comparison becomes `op ANY(value)` / `op ALL(value)`.
enum class Quantifier { kNone, kAny, kAll };

enum class IsValue { kNull, kNotNull, kTrue, kFalse, kUnknown };

// The `[not.]op.value` part of a filter.
struct Condition {
  bool negated = false;  // `not.` prefix: NOT (<condition>)
  FilterOperator op = FilterOperator::kEq;
  Quantifier quantifier = Quantifier::kNone;
  // The value for every operator but kIs and kIn, as sent: `eq."x"` keeps its
  // quotes in a plain filter; inside and/or trees a double-quoted value is
  // unquoted (PostgREST does the same). For kLike/kIlike, '*' became '%'.
  std::string value;
  // kIn: the list items, unquoted. `in.()` is an empty list (matches nothing).
  std::vector<std::string> list;
  IsValue is_value = IsValue::kNull;      // kIs only
  std::optional<std::string> fts_config;  // fts family: `fts(english).q`
};

struct Filter {
  // Where the filtered column lives. Always empty for the leaves of a
  // LogicTree (the tree as a whole has an embed path).
  EmbedPath embed_path;
  Field field;
  Condition condition;
};

enum class LogicOperator { kAnd, kOr };

// `or=(a.eq.1,and(b.gt.2,not.or(c.is.null,d.eq.x)))` as a tree.
struct LogicTree {
  enum class Kind { kGroup, kFilter };
  Kind kind = Kind::kGroup;
  // kGroup: `[not.]and(...)` / `[not.]or(...)`, at least one child.
  bool negated = false;
  LogicOperator op = LogicOperator::kAnd;
  std::vector<LogicTree> children;
  // kFilter: a leaf `col.op.value` (condition.negated for `col.not.op.value`).
  Filter filter;
};

// One `[path.][not.]and=` / `[path.][not.]or=` parameter.
struct LogicParam {
  EmbedPath embed_path;
  LogicTree tree;  // root is a kGroup
};

// ---------------------------------------------------------------------------
// order=, limit=, offset=

enum class OrderDirection { kAsc, kDesc };
enum class NullsOrder { kFirst, kLast };

struct OrderTerm {
  // Set for `order=rel(col).desc`: order by a column of a to-one embed.
  std::optional<std::string> relation;
  Field field;
  std::optional<OrderDirection> direction;  // none given: ascending
  std::optional<NullsOrder> nulls;          // none given: Postgres default
};

struct OrderParam {
  EmbedPath embed_path;
  std::vector<OrderTerm> terms;
};

// `limit=` / `offset=` (and `rel.limit=` ...) for one embed path; if a
// parameter repeats, the last one wins.
struct RangeParam {
  EmbedPath embed_path;
  std::optional<std::int64_t> limit;   // >= 0; limit=0 is a valid empty page
  std::optional<std::int64_t> offset;  // >= 0
};

// ---------------------------------------------------------------------------
// The whole query string

// One decoded `key=value` pair, in query-string order. `value` is absent for
// a bare `key` (no '='), which PostgREST ignores everywhere except here.
using RawParam = QueryPair;

// An RPC argument passed in the query string (GET/HEAD /rpc/fn?a=1).
struct RpcArgument {
  std::string name;
  std::string value;
};

struct QueryParams {
  // select=; absent means `*` (one kField item named "*"); `select=` (empty)
  // gives an empty list.
  std::vector<SelectItem> select;
  // Every filter parameter, root and embedded, in query-string order.
  // Repeated columns are all kept (they are ANDed).
  std::vector<Filter> filters;
  std::vector<LogicParam> logic;
  std::vector<OrderParam> order;
  std::vector<RangeParam> ranges;
  // columns= (insert/upsert payload keys) and on_conflict= (upsert target),
  // in the order given with duplicates dropped.
  std::optional<std::vector<std::string>> columns;
  std::optional<std::vector<std::string>> on_conflict;
  // RPC reads only: parameters that are neither reserved nor parse as
  // `[not.]op.value`; they are the function's arguments.
  std::vector<RpcArgument> rpc_args;
  // Everything that was in the query string, decoded, for callers that need
  // more than the above (logging, canonical cache keys, custom handling).
  std::vector<RawParam> raw;

  // The range for one embed path (empty: top level), or nullptr.
  const RangeParam* RangeFor(const EmbedPath& path) const {
    for (const auto& range : ranges) {
      if (range.embed_path == path) return &range;
    }
    return nullptr;
  }
};

// Parameter names with a meaning of their own: never filters nor RPC args.
// `order`, `limit`, `offset`, `and`, `or` also count when they end a dotted
// key (`rel.order`, `rel.not.or`).
inline bool IsReservedParamName(const std::string& key) {
  if (key == "select" || key == "columns" || key == "on_conflict") return true;
  auto dot = key.rfind('.');
  std::string last = dot == std::string::npos ? key : key.substr(dot + 1);
  return last == "order" || last == "limit" || last == "offset" || last == "and" || last == "or";
}

// The query-string spelling of an operator ("eq", "ilike", "wfts", ...).
const char* OperatorName(FilterOperator op);
// An aggregate's name, in the query string and in SQL ("sum", "count", ...).
const char* AggregateName(AggregateFunction function);

}  // namespace agentbase::rest
