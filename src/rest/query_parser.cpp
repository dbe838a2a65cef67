#include "rest/query_parser.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <optional>
#include <utility>

#include "rest/parse_core.hpp"
#include "rest/postgrest_errors.hpp"
#include "util/percent_decode.hpp"
#include "util/text.hpp"
#include "util/utf8.hpp"

namespace agentbase::rest {

namespace {

using parse_core::Reply;
using parse_core::Scanner;
using Seq = Scanner::Seq;

// A parser to run later: the grammar below reads like Parsec with it.
#define LAZY(...) [&]() -> Reply { return __VA_ARGS__; }

constexpr char32_t kReplacementChar = 0xFFFD;

// Predicates are lambdas (not functions) so that Satisfy can inline them.
constexpr auto IsDigit = [](char32_t c) { return c >= '0' && c <= '9'; };
// Parsec's `letter` is Unicode isAlpha; here every non-ASCII code point
// counts (but not invalid UTF-8), which errs on the side of accepting names.
constexpr auto IsLetter = [](char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0x80 && c != kReplacementChar);
};
constexpr auto IsIdentifierPunct = [](char32_t c) { return c == '_' || c == ' ' || c == '$'; };
constexpr auto IsAnyChar = [](char32_t) { return true; };

// noneOf: true for every character not in `chars` (all ASCII).
auto NoneOf(std::string_view chars) {
  return [chars](char32_t c) { return c >= 0x80 || chars.find(static_cast<char>(c)) == std::string_view::npos; };
}

char ToUpperAscii(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

enum class ValueSyntax {
  kPlain,  // `col=op.value`: the rest of the parameter, as is
  kLogic,  // inside and/or: up to ',' or ')', "quoted" or {array}
};

struct EmbedParams {
  std::optional<std::string> hint;
  std::optional<JoinType> join;
};

class Grammar : public Scanner {
 public:
  using Scanner::Scanner;

  // Runs `action` when `r` succeeded; passes `r` on.
  template <class Action>
  static Reply Then(Reply r, Action&& action) {
    if (r.ok) action();
    return r;
  }

  // ---- lexical ------------------------------------------------------------

  Reply Ws() {
    return Many(LAZY(Satisfy([](char32_t c) { return c == ' ' || c == '\t'; })));
  }

  template <class F>
  Reply Lexeme(F&& parser) {
    return Steps(LAZY(Ws()), parser, LAZY(Ws()));
  }

  Reply Delimiter() { return Label("delimiter (.)", LAZY(Char('.'))); }

  // "..." with backslash escaping any character.
  Reply QuotedValue(std::string& out) {
    std::string value;
    auto plain = LAZY(Satisfy(NoneOf("\\\""), &value));
    auto escaped = LAZY(Steps(LAZY(Char('\\')), LAZY(Satisfy(IsAnyChar, &value))));
    Reply r = Steps(LAZY(Char('"')), LAZY(Many(LAZY(Alt(plain, escaped)))), LAZY(Char('"')));
    if (r.ok) out = std::move(value);
    return r;
  }

  // Letters, digits, '_', '$' and inner spaces; surrounding spaces trimmed.
  Reply Identifier(std::string& out) {
    std::string raw;
    auto ident_char =
        LAZY(Alt(LAZY(Label("letter", LAZY(Satisfy(IsLetter, &raw)))),
                 LAZY(Label("digit", LAZY(Satisfy(IsDigit, &raw)))), LAZY(Satisfy(IsIdentifierPunct, &raw))));
    Reply r = Many1(ident_char);
    if (r.ok) out = Trim(raw);
    return r;
  }

  // part ('-' part)*, where a '-' starting "->" ends the name instead.
  template <class Part>
  Reply SepByDash(Part&& part, std::string& out) {
    std::string joined;
    bool first = true;
    auto item = [&]() -> Reply {
      std::string piece;
      return Then(part(piece), [&] {
        if (!first) joined += '-';
        joined += piece;
        first = false;
      });
    };
    auto dash = LAZY(Try(LAZY(Steps(LAZY(Char('-')), LAZY(NotFollowedBy(LAZY(Char('>'))))))));
    Reply r = SepBy1(item, dash);
    if (r.ok) out = std::move(joined);
    return r;
  }

  Reply FieldName(std::string& out) {
    return Label(
        "field name (* or [a..z0..9_$])",
        LAZY(Alt(LAZY(QuotedValue(out)), LAZY(SepByDash([&](std::string& piece) { return Identifier(piece); }, out)))));
  }

  // ---- JSON paths -----------------------------------------------------------

  Reply JsonPathSteps(JsonPath& out) {
    return Many([&]() -> Reply {
      JsonStep step;
      std::size_t arrow = 0;
      Reply r = Steps(LAZY(Words({"->>", "->"}, &arrow)),
                      LAZY(Alt(LAZY(Try(LAZY(JsonIndex(step)))), LAZY(Try(LAZY(JsonKey(step)))))));
      return Then(r, [&] {
        step.arrow = arrow == 0 ? JsonArrow::kDoubleArrow : JsonArrow::kArrow;
        out.push_back(std::move(step));
      });
    });
  }

  Reply JsonIndex(JsonStep& step) {
    std::string digits;
    bool negative = false;
    auto minus = [&]() -> Reply { return Then(Char('-'), [&] { negative = true; }); };
    auto end = LAZY(Alt(LAZY(Try(LAZY(LookAhead(LAZY(String("->")))))), LAZY(Try(LAZY(LookAhead(LAZY(String("::")))))),
                        LAZY(Try(LAZY(LookAhead(LAZY(String(".")))))), LAZY(Try(LAZY(LookAhead(LAZY(String(",")))))),
                        LAZY(Try(LAZY(Eof())))));
    Reply r = Steps(LAZY(Optional(minus)), LAZY(Many1(LAZY(Label("digit", LAZY(Satisfy(IsDigit, &digits)))))), end);
    return Then(r, [&] {
      step.is_index = true;
      step.key = (negative ? "-" : "") + digits;
    });
  }

  Reply JsonKey(JsonStep& step) {
    std::string key;
    auto part = [&](std::string& piece) -> Reply {
      std::string raw;
      return Then(Many1(LAZY(Satisfy(NoneOf("(-:.,>)"), &raw))), [&] { piece = Trim(raw); });
    };
    Reply r = Label("any non reserved character different from: .,>()",
                    LAZY(Alt(LAZY(QuotedValue(key)), LAZY(SepByDash(part, key)))));
    return Then(r, [&] {
      step.is_index = false;
      step.key = std::move(key);
    });
  }

  Reply FieldRef(Field& out) {
    Field field;
    Reply r = Lexeme(LAZY(Steps(LAZY(FieldName(field.name)), LAZY(JsonPathSteps(field.json_path)))));
    return Then(r, [&] { out = std::move(field); });
  }

  // ---- select= ------------------------------------------------------------

  Reply FieldForest(std::vector<SelectItem>& out, int depth) {
    return SepBy(LAZY(FieldTree(out, depth)), LAZY(Lexeme(LAZY(Char(',')))));
  }

  Reply FieldTree(std::vector<SelectItem>& out, int depth) {
    auto field = [&]() -> Reply {
      SelectItem item;
      return Then(FieldSelect(item), [&] { out.push_back(std::move(item)); });
    };
    return Alt(LAZY(EmbedTree(out, depth, true)), LAZY(EmbedTree(out, depth, false)), field);
  }

  Reply EmbedTree(std::vector<SelectItem>& out, int depth, bool spread) {
    SelectItem item;
    Reply r = Steps(LAZY(Try(LAZY(spread ? SpreadHeader(item) : RelationHeader(item)))), LAZY(Char('(')),
                    LAZY(Nest(depth + 1)), LAZY(FieldForest(item.children, depth + 1)), LAZY(Char(')')));
    return Then(r, [&] { out.push_back(std::move(item)); });
  }

  // Refuses to open parenthesis number `depth`, so recursion stays bounded.
  Reply Nest(int depth) {
    if (depth > kMaxNestingDepth) {
      return Fatal("nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels is not allowed");
    }
    return Pure();
  }

  Reply OpenParenAhead() { return Try(LAZY(LookAhead(LAZY(String("("))))); }

  Reply SpreadHeader(SelectItem& item) {
    std::string name;
    EmbedParams params;
    Reply r = Lexeme(
        LAZY(Steps(LAZY(String("...")), LAZY(FieldName(name)), LAZY(EmbedParamList(params)), LAZY(OpenParenAhead()))));
    return Then(r, [&] {
      item.kind = SelectItem::Kind::kSpread;
      item.relation = std::move(name);
      item.hint = std::move(params.hint);
      item.join_type = params.join;
    });
  }

  Reply RelationHeader(SelectItem& item) {
    std::optional<std::string> alias;
    std::string name;
    EmbedParams params;
    // `count(` is the aggregate, never a relation.
    Reply r =
        Lexeme(LAZY(Steps(LAZY(OptionalAlias(alias)), LAZY(FieldName(name)), LAZY(name == "count" ? Zero() : Pure()),
                          LAZY(EmbedParamList(params)), LAZY(OpenParenAhead()))));
    return Then(r, [&] {
      item.kind = SelectItem::Kind::kRelation;
      item.alias = std::move(alias);
      item.relation = std::move(name);
      item.hint = std::move(params.hint);
      item.join_type = params.join;
    });
  }

  // Up to two of `!hint`, `!inner`, `!left`, in any order; first of each wins.
  Reply EmbedParamList(EmbedParams& params) {
    return Steps(LAZY(Optional(LAZY(EmbedParam(params)))), LAZY(Optional(LAZY(EmbedParam(params)))));
  }

  Reply EmbedParam(EmbedParams& params) {
    std::string name;
    std::size_t start = 0;
    Reply r = Steps(LAZY(Char('!')), [&]() -> Reply {
      start = pos();
      return FieldName(name);
    });
    return Then(r, [&] {
      // Unlike PostgREST's prefix match, `!left_fkey` is a hint, not "left".
      bool quoted = text()[start] == '"';
      if (!quoted && (name == "left" || name == "inner")) {
        if (!params.join) params.join = name == "left" ? JoinType::kLeft : JoinType::kInner;
      } else if (!params.hint) {
        params.hint = std::move(name);
      }
    });
  }

  Reply AliasSeparator() { return Steps(LAZY(Char(':')), LAZY(NotFollowedBy(LAZY(Char(':'))))); }

  Reply OptionalAlias(std::optional<std::string>& alias) {
    return Optional(LAZY(Try([&]() -> Reply {
      std::string name;
      return Then(Steps(LAZY(FieldName(name)), LAZY(AliasSeparator())), [&] { alias = std::move(name); });
    })));
  }

  Reply OptionalCast(std::optional<std::string>& cast) {
    return Optional(LAZY(Steps(LAZY(String("::")), [&]() -> Reply {
      std::string type;
      return Then(Identifier(type), [&] { cast = std::move(type); });
    })));
  }

  Reply SelectEnd() {
    return Alt(LAZY(Try(LAZY(LookAhead(LAZY(String(")")))))), LAZY(Try(LAZY(LookAhead(LAZY(String(",")))))),
               LAZY(Try(LAZY(Eof()))));
  }

  Reply FieldSelect(SelectItem& item) {
    return Lexeme(
        LAZY(Alt(LAZY(Try(LAZY(StarSelect(item)))), LAZY(Try(LAZY(CountSelect(item)))), LAZY(ColumnSelect(item)))));
  }

  Reply StarSelect(SelectItem& item) {
    return Then(Steps(LAZY(String("*")), LAZY(SelectEnd())), [&] {
      item = SelectItem{};
      item.field.name = "*";
    });
  }

  Reply CountSelect(SelectItem& item) {
    std::optional<std::string> alias;
    std::optional<std::string> cast;
    Reply r = Steps(LAZY(OptionalAlias(alias)), LAZY(String("count()")), LAZY(OptionalCast(cast)), LAZY(SelectEnd()));
    return Then(r, [&] {
      item = SelectItem{};
      item.alias = std::move(alias);
      item.field.name = "*";
      item.aggregate = AggregateFunction::kCount;
      item.aggregate_cast = std::move(cast);
    });
  }

  Reply ColumnSelect(SelectItem& item) {
    std::optional<std::string> alias;
    Field field;
    std::optional<std::string> cast;
    std::optional<AggregateFunction> aggregate;
    std::optional<std::string> aggregate_cast;
    Reply r = Steps(LAZY(OptionalAlias(alias)), LAZY(FieldRef(field)), LAZY(OptionalCast(cast)),
                    LAZY(Optional(LAZY(Try(LAZY(AggregateCall(aggregate)))))), LAZY(OptionalCast(aggregate_cast)),
                    LAZY(SelectEnd()));
    return Then(r, [&] {
      item = SelectItem{};
      item.alias = std::move(alias);
      item.field = std::move(field);
      item.cast = std::move(cast);
      item.aggregate = aggregate;
      item.aggregate_cast = std::move(aggregate_cast);
    });
  }

  // `.sum()`, `.avg()`, `.count()`, `.max()`, `.min()`
  Reply AggregateCall(std::optional<AggregateFunction>& out) {
    std::optional<AggregateFunction> function;
    auto set = [&](AggregateFunction f) { return [&function, f] { function = f; }; };
    auto name = LAZY(Alt(LAZY(Then(String("sum"), set(AggregateFunction::kSum))),
                         LAZY(Then(String("avg"), set(AggregateFunction::kAvg))),
                         LAZY(Then(String("count"), set(AggregateFunction::kCount))),
                         LAZY(Then(Try(LAZY(String("max"))), set(AggregateFunction::kMax))),
                         LAZY(Then(Try(LAZY(String("min"))), set(AggregateFunction::kMin)))));
    Reply r = Steps(LAZY(Char('.')), name, LAZY(String("()")));
    return Then(r, [&] { out = function; });
  }

  // ---- filters ------------------------------------------------------------

  // [not.]op.value
  Reply OpExpr(Condition& out, ValueSyntax syntax) {
    bool negated = false;
    Condition condition;
    auto not_prefix = LAZY(Alt(
        LAZY(Then(Try(LAZY(Steps(LAZY(String("not")), LAZY(Delimiter())))), [&] { negated = true; })), LAZY(Pure())));
    Reply r = Steps(not_prefix, LAZY(Operation(condition, syntax)));
    return Then(r, [&] {
      condition.negated = negated;
      if (condition.op == FilterOperator::kLike || condition.op == FilterOperator::kIlike) {
        std::replace(condition.value.begin(), condition.value.end(), '*', '%');
      }
      out = std::move(condition);
    });
  }

  Reply Operation(Condition& out, ValueSyntax syntax) {
    return Label("operator (eq, gt, ...)",
                 LAZY(Alt(LAZY(InOperation(out)), LAZY(IsOperation(out)), LAZY(IsDistinctOperation(out, syntax)),
                          LAZY(Try(LAZY(FtsOperation(out, syntax)))), LAZY(Try(LAZY(SimpleOperation(out, syntax)))),
                          LAZY(Try(LAZY(QuantOperation(out, syntax)))))));
  }

  Reply Keyword(std::string_view word) { return Try(LAZY(Steps(LAZY(String(word)), LAZY(Delimiter())))); }

  Reply InOperation(Condition& out) {
    std::vector<std::string> list;
    return Then(Steps(LAZY(Keyword("in")), LAZY(ListValue(list))), [&] {
      out.op = FilterOperator::kIn;
      out.list = std::move(list);
    });
  }

  Reply IsOperation(Condition& out) {
    static constexpr IsValue kValues[] = {IsValue::kNull, IsValue::kNotNull, IsValue::kTrue, IsValue::kFalse,
                                          IsValue::kUnknown};
    static constexpr std::string_view kWords[] = {"null", "not_null", "true", "false", "unknown"};
    std::size_t which = 0;
    auto value = LAZY(Label(
        "isVal: (null, not_null, true, false, unknown)",
        LAZY(AltN(
            std::size(kWords), [&](std::size_t i) { return Try(LAZY(CaseInsensitiveString(kWords[i]))); }, &which))));
    return Then(Steps(LAZY(Keyword("is")), value), [&] {
      out.op = FilterOperator::kIs;
      out.is_value = kValues[which];
    });
  }

  Reply IsDistinctOperation(Condition& out, ValueSyntax syntax) {
    std::string value;
    return Then(Steps(LAZY(Keyword("isdistinct")), LAZY(Value(value, syntax))), [&] {
      out.op = FilterOperator::kIsDistinct;
      out.value = std::move(value);
    });
  }

  Reply FtsOperation(Condition& out, ValueSyntax syntax) {
    static constexpr FilterOperator kOps[] = {FilterOperator::kFts, FilterOperator::kPlainFts,
                                              FilterOperator::kPhraseFts, FilterOperator::kWebsearchFts};
    std::size_t which = 0;
    std::optional<std::string> config;
    std::string value;
    auto language = LAZY(Optional(LAZY(Try([&]() -> Reply {
      std::string name;
      return Then(Steps(LAZY(Char('(')), LAZY(Identifier(name)), LAZY(Char(')'))), [&] { config = std::move(name); });
    }))));
    Reply r = Steps(LAZY(Words({"fts", "plfts", "phfts", "wfts"}, &which)), language, LAZY(Delimiter()),
                    LAZY(Value(value, syntax)));
    return Then(r, [&] {
      out.op = kOps[which];
      out.fts_config = std::move(config);
      out.value = std::move(value);
    });
  }

  Reply SimpleOperation(Condition& out, ValueSyntax syntax) {
    static constexpr FilterOperator kOps[] = {FilterOperator::kNeq,
                                              FilterOperator::kContains,
                                              FilterOperator::kContainedIn,
                                              FilterOperator::kOverlaps,
                                              FilterOperator::kStrictlyLeft,
                                              FilterOperator::kStrictlyRight,
                                              FilterOperator::kNotExtendsRight,
                                              FilterOperator::kNotExtendsLeft,
                                              FilterOperator::kAdjacent};
    std::size_t which = 0;
    std::string value;
    auto op = LAZY(Label("unknown single value operator",
                         LAZY(Words({"neq", "cs", "cd", "ov", "sl", "sr", "nxr", "nxl", "adj"}, &which))));
    return Then(Steps(op, LAZY(Delimiter()), LAZY(Value(value, syntax))), [&] {
      out.op = kOps[which];
      out.value = std::move(value);
    });
  }

  Reply QuantOperation(Condition& out, ValueSyntax syntax) {
    static constexpr FilterOperator kOps[] = {FilterOperator::kEq,    FilterOperator::kGte,   FilterOperator::kGt,
                                              FilterOperator::kLte,   FilterOperator::kLt,    FilterOperator::kLike,
                                              FilterOperator::kIlike, FilterOperator::kMatch, FilterOperator::kImatch};
    std::size_t which = 0;
    Quantifier quantifier = Quantifier::kNone;
    std::string value;
    auto op = LAZY(Label("unknown single value operator",
                         LAZY(Words({"eq", "gte", "gt", "lte", "lt", "like", "ilike", "match", "imatch"}, &which))));
    auto quant = LAZY(Optional(LAZY(Try([&]() -> Reply {
      std::size_t kind = 0;
      return Then(Steps(LAZY(Char('(')), LAZY(Words({"any", "all"}, &kind)), LAZY(Char(')'))),
                  [&] { quantifier = kind == 0 ? Quantifier::kAny : Quantifier::kAll; });
    }))));
    return Then(Steps(op, quant, LAZY(Delimiter()), LAZY(Value(value, syntax))), [&] {
      out.op = kOps[which];
      out.quantifier = quantifier;
      out.value = std::move(value);
    });
  }

  Reply CaseInsensitiveString(std::string_view word) {
    Seq s(*this);
    for (char c : word) {
      char upper = ToUpperAscii(c);
      if (!s(Alt(LAZY(Char(c)), LAZY(Char(upper))))) return s.Done(false);
    }
    return s.Done(true);
  }

  Reply Value(std::string& out, ValueSyntax syntax) {
    if (syntax == ValueSyntax::kPlain) return Many(LAZY(Satisfy(IsAnyChar, &out)));
    return LogicValue(out);
  }

  // "a \"b\"" standing alone up to , or ): unquoted into `out` only on
  // success (a failed try must leave `out` to the plain fallback).
  Reply QuotedItem(std::string& out) {
    std::string value;
    Reply r = Try(LAZY(Steps(LAZY(QuotedValue(value)), LAZY(NotFollowedBy(LAZY(Satisfy(NoneOf(",)"))))))));
    return Then(r, [&] { out = std::move(value); });
  }

  // A quoted value (unquoted), a {pg,array} (kept whole) or text up to , or ).
  Reply LogicValue(std::string& out) {
    auto quoted = LAZY(QuotedItem(out));
    auto array = [&]() -> Reply {
      std::string inner;
      Reply r = Try(LAZY(Steps(LAZY(String("{")), LAZY(Many(LAZY(Satisfy(NoneOf("{}"), &inner)))), LAZY(String("}")))));
      return Then(r, [&] { out = "{" + inner + "}"; });
    };
    return Alt(quoted, array, LAZY(Many(LAZY(Satisfy(NoneOf(",)"), &out)))));
  }

  // (a,"b,c",d): items keep inner spaces; `()` is the empty list.
  Reply ListValue(std::vector<std::string>& out) {
    std::vector<std::string> items;
    bool first_quoted = false;
    auto item = [&]() -> Reply {
      std::string value;
      bool quoted = false;
      auto quoted_item = [&]() -> Reply { return Then(QuotedItem(value), [&] { quoted = true; }); };
      Reply r = Alt(quoted_item, LAZY(Many(LAZY(Satisfy(NoneOf(",)"), &value)))));
      return Then(r, [&] {
        if (items.empty()) first_quoted = quoted;
        items.push_back(std::move(value));
      });
    };
    Reply r = Steps(LAZY(Lexeme(LAZY(Char('(')))), LAZY(SepBy1(item, LAZY(Char(',')))), LAZY(Lexeme(LAZY(Char(')')))));
    return Then(r, [&] {
      // `in.()` reads as one empty item; PostgREST treats that as no items.
      if (items.size() == 1 && items.front().empty() && !first_quoted) items.clear();
      out = std::move(items);
    });
  }

  // ---- and/or trees -------------------------------------------------------

  Reply LogicTreeNode(LogicTree& out, int depth) {
    auto leaf = [&]() -> Reply {
      Filter filter;
      return Then(Try(LAZY(LogicFilter(filter))), [&] {
        out = LogicTree{};
        out.kind = LogicTree::Kind::kFilter;
        out.filter = std::move(filter);
      });
    };
    return Alt(leaf, LAZY(LogicGroup(out, depth)));
  }

  Reply LogicFilter(Filter& out) {
    Field field;
    Condition condition;
    Reply r = Steps(LAZY(FieldRef(field)), LAZY(Delimiter()), LAZY(OpExpr(condition, ValueSyntax::kLogic)));
    return Then(r, [&] {
      out.field = std::move(field);
      out.condition = std::move(condition);
    });
  }

  // [not.]and(...) / [not.]or(...); `depth` parentheses are open around it.
  Reply LogicGroup(LogicTree& out, int depth) {
    bool negated = false;
    LogicOperator op = LogicOperator::kAnd;
    std::vector<LogicTree> children;
    auto not_prefix = LAZY(
        Label("negation operator (not)",
              LAZY(Alt(LAZY(Then(Try(LAZY(Steps(LAZY(String("not")), LAZY(Delimiter())))), [&] { negated = true; })),
                       LAZY(Pure())))));
    auto logic_op = LAZY(Label("logic operator (and, or)",
                               LAZY(Alt(LAZY(Then(Try(LAZY(String("and"))), [&] { op = LogicOperator::kAnd; })),
                                        LAZY(Then(String("or"), [&] { op = LogicOperator::kOr; }))))));
    auto child = [&]() -> Reply {
      LogicTree node;
      return Then(LogicTreeNode(node, depth + 1), [&] { children.push_back(std::move(node)); });
    };
    Reply r = Steps(not_prefix, logic_op, LAZY(Lexeme(LAZY(Char('(')))), LAZY(Nest(depth + 1)),
                    LAZY(SepBy1(child, LAZY(Lexeme(LAZY(Char(',')))))), LAZY(Lexeme(LAZY(Char(')')))));
    return Then(r, [&] {
      out = LogicTree{};
      out.kind = LogicTree::Kind::kGroup;
      out.negated = negated;
      out.op = op;
      out.children = std::move(children);
    });
  }

  // ---- order= -------------------------------------------------------------

  Reply OrderList(std::vector<OrderTerm>& out) {
    auto term = [&]() -> Reply {
      OrderTerm t;
      Reply r = Lexeme(LAZY(Alt(LAZY(Try(LAZY(OrderRelationTerm(t)))), LAZY(OrderPlainTerm(t)))));
      return Then(r, [&] { out.push_back(std::move(t)); });
    };
    return SepBy1(term, LAZY(Char(',')));
  }

  Reply OrderPlainTerm(OrderTerm& out) {
    OrderTerm t;
    Reply r = Steps(LAZY(FieldRef(t.field)), LAZY(Optional(LAZY(OrderDirectionP(t.direction)))),
                    LAZY(OrderNullsAndEnd(t.nulls)));
    return Then(r, [&] { out = std::move(t); });
  }

  Reply OrderRelationTerm(OrderTerm& out) {
    OrderTerm t;
    std::string relation;
    Reply r = Steps(LAZY(FieldName(relation)), LAZY(Char('(')), LAZY(FieldRef(t.field)), LAZY(Char(')')),
                    LAZY(Optional(LAZY(OrderDirectionP(t.direction)))), LAZY(OrderNullsAndEnd(t.nulls)));
    return Then(r, [&] {
      t.relation = std::move(relation);
      out = std::move(t);
    });
  }

  Reply OrderDirectionP(std::optional<OrderDirection>& out) {
    return Alt(
        LAZY(Then(Try(LAZY(Steps(LAZY(Delimiter()), LAZY(String("asc"))))), [&] { out = OrderDirection::kAsc; })),
        LAZY(Then(Try(LAZY(Steps(LAZY(Delimiter()), LAZY(String("desc"))))), [&] { out = OrderDirection::kDesc; })));
  }

  Reply OrderNulls(std::optional<NullsOrder>& out) {
    return Alt(
        LAZY(Then(Try(LAZY(Steps(LAZY(Delimiter()), LAZY(String("nullsfirst"))))), [&] { out = NullsOrder::kFirst; })),
        LAZY(Then(Try(LAZY(Steps(LAZY(Delimiter()), LAZY(String("nullslast"))))), [&] { out = NullsOrder::kLast; })));
  }

  Reply OrderEnd() { return Alt(LAZY(Try(LAZY(LookAhead(LAZY(Char(',')))))), LAZY(Try(LAZY(Eof())))); }

  Reply OrderNullsAndEnd(std::optional<NullsOrder>& out) {
    return Alt(LAZY(Steps(LAZY(Optional(LAZY(OrderNulls(out)))), LAZY(OrderEnd()))), LAZY(OrderEnd()));
  }

  // ---- names and numbers --------------------------------------------------

  // One field name, appended to `out`.
  Reply PushFieldName(std::vector<std::string>& out) {
    std::string n;
    return Then(FieldName(n), [&] { out.push_back(std::move(n)); });
  }

  Reply NameList(std::vector<std::string>& out) {
    return SepBy1(LAZY(PushFieldName(out)), LAZY(Lexeme(LAZY(Char(',')))));
  }

  // a.b.c->x: dotted names, then an optional JSON path.
  Reply TreePath(std::vector<std::string>& names, JsonPath& json_path) {
    return Steps(LAZY(DottedNames(names)), LAZY(JsonPathSteps(json_path)));
  }

  Reply DottedNames(std::vector<std::string>& names) { return SepBy1(LAZY(PushFieldName(names)), LAZY(Delimiter())); }

  Reply Digits(std::string& out) {
    return Steps(LAZY(Ws()), LAZY(Many1(LAZY(Label("digit", LAZY(Satisfy(IsDigit, &out)))))), LAZY(Ws()));
  }
};

// Parsec's `show` of an error position: the source name in plain quotes (not
// escaped), then "(line L, column C)".
std::string ShowSourcePos(std::string_view source_name, std::string_view text, std::size_t offset) {
  return "\"" + std::string(source_name) + "\" " + parse_core::FormatPosition(text, offset);
}

Error QueryParamError(std::string_view source_name, std::string_view text, const parse_core::ParseError& error) {
  return pgrst::QueryParam(ShowSourcePos(source_name, text, error.pos), parse_core::FormatDetails(error));
}

// Runs `rule(grammar)` over all of `text`: first without error tracking,
// which is what almost every request needs; only when that fails once more
// with tracking, to build PostgREST's message. Rules reset their outputs.
template <class Rule>
std::optional<Error> ParseAll(std::string_view text, std::string_view source_name, Rule&& rule) {
  {
    Grammar fast(text, false);
    Seq s(fast);
    if (s(rule(fast)) && s(fast.Eof())) return std::nullopt;
  }
  Grammar tracked(text, true);
  Seq s(tracked);
  if (s(rule(tracked)) && s(tracked.Eof())) return std::nullopt;  // not reached: same grammar, same input
  return QueryParamError(source_name, text, tracked.error());
}

std::string SourceName(std::string_view what, std::string_view value) {
  return "failed to parse " + std::string(what) + " (" + std::string(value) + ")";
}

std::string_view LastSegment(std::string_view key) {
  auto dot = key.rfind('.');
  return dot == std::string_view::npos ? key : key.substr(dot + 1);
}

// The key of a filter/order/limit parameter: embed path plus field.
std::optional<Error> ParseKeyPath(std::string_view key, EmbedPath& path, Field& field) {
  std::vector<std::string> names;
  JsonPath json_path;
  if (auto error = ParseAll(key, SourceName("tree path", key), [&](Grammar& g) {
        names.clear();
        json_path.clear();
        return g.TreePath(names, json_path);
      })) {
    return error;
  }
  field.name = std::move(names.back());
  field.json_path = std::move(json_path);
  names.pop_back();
  path = std::move(names);
  return std::nullopt;
}

std::vector<std::string> WithoutDuplicates(std::vector<std::string> names) {
  std::vector<std::string> out;
  for (auto& name : names) {
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
  }
  return out;
}

Result<std::int64_t> ParseNonNegative(std::string_view what, std::string_view value) {
  std::string digits;
  if (auto error = ParseAll(value, SourceName(what, value), [&](Grammar& g) {
        digits.clear();
        return g.Digits(digits);
      })) {
    return *error;
  }
  std::int64_t number = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return pgrst::QueryParam(ShowSourcePos(SourceName(what, value), value, 0), "number out of range");
  }
  return number;
}

}  // namespace

const char* AggregateName(AggregateFunction function) {
  switch (function) {
    case AggregateFunction::kSum: return "sum";
    case AggregateFunction::kAvg: return "avg";
    case AggregateFunction::kMax: return "max";
    case AggregateFunction::kMin: return "min";
    case AggregateFunction::kCount: return "count";
  }
  return "count";
}

const char* OperatorName(FilterOperator op) {
  switch (op) {
    case FilterOperator::kEq: return "eq";
    case FilterOperator::kGt: return "gt";
    case FilterOperator::kGte: return "gte";
    case FilterOperator::kLt: return "lt";
    case FilterOperator::kLte: return "lte";
    case FilterOperator::kLike: return "like";
    case FilterOperator::kIlike: return "ilike";
    case FilterOperator::kMatch: return "match";
    case FilterOperator::kImatch: return "imatch";
    case FilterOperator::kNeq: return "neq";
    case FilterOperator::kIs: return "is";
    case FilterOperator::kIsDistinct: return "isdistinct";
    case FilterOperator::kIn: return "in";
    case FilterOperator::kContains: return "cs";
    case FilterOperator::kContainedIn: return "cd";
    case FilterOperator::kOverlaps: return "ov";
    case FilterOperator::kStrictlyLeft: return "sl";
    case FilterOperator::kStrictlyRight: return "sr";
    case FilterOperator::kNotExtendsRight: return "nxr";
    case FilterOperator::kNotExtendsLeft: return "nxl";
    case FilterOperator::kAdjacent: return "adj";
    case FilterOperator::kFts: return "fts";
    case FilterOperator::kPlainFts: return "plfts";
    case FilterOperator::kPhraseFts: return "phfts";
    case FilterOperator::kWebsearchFts: return "wfts";
  }
  return "?";
}

Result<std::vector<SelectItem>> ParseSelect(std::string_view value) {
  std::vector<SelectItem> items;
  if (auto error = ParseAll(value, SourceName("select parameter", value), [&](Grammar& g) {
        items.clear();
        return g.FieldForest(items, 0);
      })) {
    return *error;
  }
  return items;
}

Result<Condition> ParseFilterCondition(std::string_view value) {
  Condition condition;
  if (auto error = ParseAll(value, SourceName("filter", value),
                            [&](Grammar& g) { return g.OpExpr(condition, ValueSyntax::kPlain); })) {
    return *error;
  }
  return condition;
}

Result<std::vector<OrderTerm>> ParseOrder(std::string_view value) {
  std::vector<OrderTerm> terms;
  if (auto error = ParseAll(value, SourceName("order", value), [&](Grammar& g) {
        terms.clear();
        return g.OrderList(terms);
      })) {
    return *error;
  }
  return terms;
}

Result<LogicTree> ParseLogicTree(std::string_view op, std::string_view value) {
  // Parsed as "or(...)" so that positions count the operator, as PostgREST's do.
  std::string text = std::string(op) + std::string(value);
  LogicTree tree;
  if (auto error = ParseAll(text, SourceName("logic tree", value), [&](Grammar& g) { return g.LogicGroup(tree, 0); })) {
    return *error;
  }
  return tree;
}

Result<std::vector<std::string>> ParseColumnList(std::string_view param_name, std::string_view value) {
  std::vector<std::string> names;
  if (auto error = ParseAll(value, SourceName(std::string(param_name) + " parameter", value), [&](Grammar& g) {
        names.clear();
        return g.NameList(names);
      })) {
    return *error;
  }
  return WithoutDuplicates(std::move(names));
}

namespace {

// Only the first occurrence of select/columns/on_conflict counts, even when
// it has no value (as PostgREST's lookup does).
const std::optional<std::string>* FirstValue(const QueryParams& query, std::string_view key) {
  for (const auto& param : query.raw) {
    if (param.key == key) return &param.value;
  }
  return nullptr;
}

Status ParseOrders(QueryParams& query) {
  for (const auto& param : query.raw) {
    if (!param.value || LastSegment(param.key) != "order") continue;
    OrderParam order;
    Field ignored;
    if (auto error = ParseKeyPath(param.key, order.embed_path, ignored)) return *error;
    auto terms = ParseOrder(*param.value);
    if (!terms) return terms.error();
    order.terms = std::move(terms).value();
    query.order.push_back(std::move(order));
  }
  return Ok();
}

Status ParseLogicParams(QueryParams& query) {
  for (const auto& param : query.raw) {
    auto last = LastSegment(param.key);
    if (!param.value || (last != "and" && last != "or")) continue;
    std::vector<std::string> names;
    if (auto error = ParseAll(param.key, SourceName("logic path", param.key), [&](Grammar& g) {
          names.clear();
          return g.DottedNames(names);
        })) {
      return *error;
    }
    // `rel.not.or`: "not" anywhere negates; the rest is the embed path.
    std::string op = names.back();
    names.pop_back();
    LogicParam logic;
    bool negated = false;
    for (auto& name : names) {
      if (name == "not") {
        negated = true;
      } else {
        logic.embed_path.push_back(std::move(name));
      }
    }
    auto tree = ParseLogicTree(negated ? "not." + op : op, *param.value);
    if (!tree) return tree.error();
    logic.tree = std::move(tree).value();
    query.logic.push_back(std::move(logic));
  }
  return Ok();
}

Status ParseColumnsAndSelect(QueryParams& query) {
  if (const auto* columns = FirstValue(query, "columns"); columns != nullptr && *columns) {
    auto names = ParseColumnList("columns", **columns);
    if (!names) return names.error();
    query.columns = std::move(names).value();
  }
  const auto* select = FirstValue(query, "select");
  auto items = ParseSelect(select != nullptr && *select ? std::string_view(**select) : std::string_view("*"));
  if (!items) return items.error();
  query.select = std::move(items).value();
  return Ok();
}

// Every other parameter is a filter, or (reads of functions) an argument.
Status ParseFiltersAndArguments(QueryParams& query, const QueryParseOptions& options) {
  for (const auto& param : query.raw) {
    if (!param.value || IsReservedParamName(param.key)) continue;
    Filter filter;
    if (auto error = ParseKeyPath(param.key, filter.embed_path, filter.field)) return *error;
    bool is_argument = false;
    auto rule = [&](Grammar& g) -> Reply {
      is_argument = false;
      // ParseAll adds the end-of-input check after either alternative.
      if (!options.rpc_read) return g.OpExpr(filter.condition, ValueSyntax::kPlain);
      auto as_filter = LAZY(g.Steps(LAZY(g.OpExpr(filter.condition, ValueSyntax::kPlain)), LAZY(g.Eof())));
      // Anything that is not op.value is a function argument.
      auto as_argument = [&]() -> Reply {
        is_argument = true;
        return g.Many(LAZY(g.Satisfy(IsAnyChar)));
      };
      return g.Alt(as_filter, as_argument);
    };
    if (auto error = ParseAll(*param.value, SourceName("filter", *param.value), rule)) return *error;
    if (is_argument) {
      query.rpc_args.push_back(RpcArgument{param.key, *param.value});
    } else {
      query.filters.push_back(std::move(filter));
    }
  }
  return Ok();
}

Status ParseOnConflictAndRanges(QueryParams& query) {
  if (const auto* on_conflict = FirstValue(query, "on_conflict"); on_conflict != nullptr && *on_conflict) {
    auto names = ParseColumnList("on_conflict", **on_conflict);
    if (!names) return names.error();
    query.on_conflict = std::move(names).value();
  }
  for (const auto& param : query.raw) {
    auto last = LastSegment(param.key);
    bool is_limit = last == "limit";
    if (!param.value || (!is_limit && last != "offset")) continue;
    EmbedPath path;
    Field ignored;
    if (auto error = ParseKeyPath(param.key, path, ignored)) return *error;
    auto number = ParseNonNegative(is_limit ? "limit parameter" : "offset parameter", *param.value);
    if (!number) return number.error();
    auto it = std::find_if(query.ranges.begin(), query.ranges.end(),
                           [&](const RangeParam& range) { return range.embed_path == path; });
    if (it == query.ranges.end()) {
      query.ranges.push_back(RangeParam{std::move(path), std::nullopt, std::nullopt});
      it = std::prev(query.ranges.end());
    }
    (is_limit ? it->limit : it->offset) = number.value();
  }
  return Ok();
}

}  // namespace

Result<QueryParams> ParseQueryParams(std::string_view raw_query, const QueryParseOptions& options) {
  QueryParams query;
  query.raw = SplitQuery(raw_query);
  // The checks run in PostgREST's order, so the same error is reported first.
  for (auto stage : {ParseOrders, ParseLogicParams, ParseColumnsAndSelect}) {
    if (auto parsed = stage(query); !parsed) return parsed.error();
  }
  if (auto parsed = ParseFiltersAndArguments(query, options); !parsed) return parsed.error();
  if (auto parsed = ParseOnConflictAndRanges(query); !parsed) return parsed.error();
  return query;
}

namespace {

Error LimitError(std::string message) {
  return pgrst::QueryParam(std::move(message), {}, "The server bounds what one request may ask for; see its README");
}

Status CheckJsonPath(const Field& field) {
  if (field.json_path.size() <= kMaxJsonPathSteps) return Ok();
  return LimitError("A JSON path has more than " + std::to_string(kMaxJsonPathSteps) + " steps");
}

// Counts the select items of every level and checks their depth and paths.
Status CheckSelect(const std::vector<SelectItem>& items, size_t depth, size_t& count) {
  if (depth > kMaxEmbedDepth) {
    return LimitError("Embedded resources are nested more than " + std::to_string(kMaxEmbedDepth) + " levels deep");
  }
  for (const auto& item : items) {
    if (++count > kMaxSelectItems) {
      return LimitError("The select list has more than " + std::to_string(kMaxSelectItems) + " items");
    }
    if (auto checked = CheckJsonPath(item.field); !checked) return checked;
    if (item.children.empty()) continue;
    if (auto checked = CheckSelect(item.children, depth + 1, count); !checked) return checked;
  }
  return Ok();
}

Status CheckLogicTree(const LogicTree& tree) {
  if (tree.kind == LogicTree::Kind::kFilter) return CheckJsonPath(tree.filter.field);
  for (const auto& child : tree.children) {
    if (auto checked = CheckLogicTree(child); !checked) return checked;
  }
  return Ok();
}

Status CheckRequestLimits(const QueryParams& query) {
  // A decoded %00 would be cut off by libpq (in a parameter) or cut the
  // statement itself (in a quoted name): refused as PostgreSQL refuses NUL.
  for (const auto& param : query.raw) {
    if (HasNulByte(param.key) || (param.value && HasNulByte(*param.value))) return NulByteError();
  }
  size_t count = 0;
  if (auto checked = CheckSelect(query.select, 0, count); !checked) return checked;
  for (const auto& filter : query.filters) {
    if (auto checked = CheckJsonPath(filter.field); !checked) return checked;
  }
  for (const auto& logic : query.logic) {
    if (auto checked = CheckLogicTree(logic.tree); !checked) return checked;
  }
  for (const auto& order : query.order) {
    for (const auto& term : order.terms) {
      if (auto checked = CheckJsonPath(term.field); !checked) return checked;
    }
  }
  return Ok();
}

}  // namespace

Result<ParsedApiRequest> ParseApiRequest(const ApiRequestInput& input) {
  QueryParseOptions options;
  options.rpc_read = input.is_rpc && (input.method == "GET" || input.method == "HEAD");
  auto query = ParseQueryParams(input.query_string, options);
  if (!query) return query.error();
  if (auto limited = CheckRequestLimits(*query); !limited) return limited.error();
  if (input.method == "PUT") {
    // offset=0 alone asks for every row, which PostgREST still allows.
    const RangeParam* top = query->RangeFor({});
    if (top != nullptr && (top->limit || top->offset.value_or(0) != 0)) {
      return pgrst::PutLimitNotAllowed();
    }
  }
  auto preferences = ParsePreferHeaders(input.prefer_headers);
  if (!preferences) return preferences.error();
  return ParsedApiRequest{std::move(query).value(), std::move(preferences).value()};
}

#undef LAZY

}  // namespace agentbase::rest
