// The REST planner and SQL writer: a request (method, resource, query
// string, Prefer, Accept, JSON body) planned against a fixed schema cache,
// the way rest_api.cpp's Plan does before anything reaches the database.
//
// Properties: never an exception or a crash; every refusal is a value with a
// PGRST code or a SQLSTATE and a message; and every statement written is
// well-formed at the lexical level — it ends outside any quoted identifier
// or string literal, has no NUL byte (libpq sends the text as a C string and
// would cut it short there), and its $n placeholders all name a bound
// parameter. Those are what keeps client text from turning into SQL.
//
// Input, one item per line, the body last (it may span lines):
//   line 1   "<METHOD> <resource>", resource a table or "rpc/<function>"
//   line 2   the raw query string
//   line 3   the Prefer header ("" for none)
//   line 4   the Accept header ("" for none)
//   rest     the body

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../common/schema_catalog.hpp"
#include "fuzz_check.hpp"
#include "rest/media_type.hpp"
#include "rest/plan.hpp"
#include "rest/query_parser.hpp"
#include "rest/schema_cache.hpp"
#include "rest/sql_writer.hpp"

using namespace agentbase;

namespace {

// A cut-down copy of the platform's public schema: the tables supabase-js
// tests use, a view, foreign keys (two between the same pair of tables, and
// one from a table to itself, so embedding meets ambiguity), and functions
// of every shape (set-returning, scalar, void, overloaded, without arguments).
std::shared_ptr<const rest::SchemaCache> BuildSchemaCache() {
  agentbase::testing::Catalog c;
  // relname, relkind, attname, type, base type, nullable, has default, is array, description, row security
  c.relations = {
      {"tenants", "r", "id", "uuid", "uuid", "f", "t", "f", "Tenants", "t"},
      {"tenants", "r", "name", "text", "text", "f", "f", "f", "Tenants", "t"},
      {"agents", "r", "id", "uuid", "uuid", "f", "t", "f", "", "t"},
      {"agents", "r", "tenant_id", "uuid", "uuid", "f", "f", "f", "", "t"},
      {"agents", "r", "name", "text", "text", "f", "f", "f", "", "t"},
      {"tools", "r", "id", "uuid", "uuid", "f", "t", "f", "", "t"},
      {"tools", "r", "name", "text", "text", "f", "f", "f", "", "t"},
      {"conversations", "r", "id", "uuid", "uuid", "f", "t", "f", "Chats", "t"},
      {"conversations", "r", "tenant_id", "uuid", "uuid", "f", "f", "f", "Chats", "t"},
      {"conversations", "r", "user_id", "uuid", "uuid", "t", "f", "f", "Chats", "t"},
      {"conversations", "r", "agent_id", "uuid", "uuid", "t", "f", "f", "Chats", "t"},
      {"conversations", "r", "title", "text", "text", "t", "f", "f", "Chats", "t"},
      {"conversations", "r", "status", "text", "text", "f", "t", "f", "Chats", "t"},
      {"conversations", "r", "metadata", "jsonb", "jsonb", "f", "t", "f", "Chats", "t"},
      {"conversations", "r", "tags", "text[]", "text", "t", "f", "t", "Chats", "t"},
      {"conversations", "r", "last_message_at", "timestamp with time zone", "timestamptz", "t", "t", "f", "Chats", "t"},
      {"conversations", "r", "created_at", "timestamp with time zone", "timestamptz", "f", "t", "f", "Chats", "t"},
      {"messages", "r", "id", "bigint", "int8", "f", "t", "f", "", "t"},
      {"messages", "r", "tenant_id", "uuid", "uuid", "f", "f", "f", "", "t"},
      {"messages", "r", "conversation_id", "uuid", "uuid", "f", "f", "f", "", "t"},
      {"messages", "r", "forked_from_conversation_id", "uuid", "uuid", "t", "f", "f", "", "t"},
      {"messages", "r", "reply_to", "bigint", "int8", "t", "f", "f", "", "t"},
      {"messages", "r", "role", "text", "text", "f", "f", "f", "", "t"},
      {"messages", "r", "content", "text", "text", "t", "f", "f", "", "t"},
      {"messages", "r", "created_at", "timestamp with time zone", "timestamptz", "f", "t", "f", "", "t"},
      {"agent_tools", "r", "id", "uuid", "uuid", "f", "t", "f", "", "t"},
      {"agent_tools", "r", "agent_id", "uuid", "uuid", "f", "f", "f", "", "t"},
      {"agent_tools", "r", "tool_id", "uuid", "uuid", "f", "f", "f", "", "t"},
      {"agent_tools", "r", "priority", "integer", "int4", "f", "t", "f", "", "t"},
      {"agent_tools", "r", "enabled", "boolean", "bool", "f", "t", "f", "", "t"},
      {"agent_tools", "r", "config", "jsonb", "jsonb", "f", "t", "f", "", "t"},
      {"user_memory", "r", "id", "uuid", "uuid", "f", "t", "f", "", "t"},
      {"user_memory", "r", "user_id", "uuid", "uuid", "f", "f", "f", "", "t"},
      {"user_memory", "r", "key", "text", "text", "f", "f", "f", "", "t"},
      {"user_memory", "r", "value", "jsonb", "jsonb", "f", "f", "f", "", "t"},
      {"user_memory", "r", "importance", "real", "float4", "t", "t", "f", "", "t"},
      {"user_memory", "r", "embedding", "real[]", "float4", "t", "f", "t", "", "t"},
      {"conversation_summaries", "v", "id", "uuid", "uuid", "t", "f", "f", "A view", "f"},
      {"conversation_summaries", "v", "title", "text", "text", "t", "f", "f", "A view", "f"},
      {"conversation_summaries", "v", "message_count", "bigint", "int8", "t", "f", "f", "A view", "f"},
  };
  // relname, conname, contype, column: primary keys, and a unique key that
  // makes one relationship one-to-one.
  c.keys = {
      {"agent_tools", "agent_tools_pkey", "p", "id"},
      {"agents", "agents_pkey", "p", "id"},
      {"conversations", "conversations_pkey", "p", "id"},
      {"messages", "messages_pkey", "p", "id"},
      {"messages", "messages_reply_to_key", "u", "reply_to"},
      {"tenants", "tenants_pkey", "p", "id"},
      {"tools", "tools_pkey", "p", "id"},
      {"user_memory", "user_memory_pkey", "p", "id"},
  };
  // conname, schema, table, column, referenced schema, table, column, one-to-one, oid
  c.foreign_keys = {
      {"agent_tools_agent_id_fkey", "public", "agent_tools", "agent_id", "public", "agents", "id", "f", "1"},
      {"agent_tools_tool_id_fkey", "public", "agent_tools", "tool_id", "public", "tools", "id", "f", "2"},
      {"agents_tenant_id_fkey", "public", "agents", "tenant_id", "public", "tenants", "id", "f", "3"},
      {"conversations_agent_id_fkey", "public", "conversations", "agent_id", "public", "agents", "id", "f", "4"},
      {"conversations_tenant_id_fkey", "public", "conversations", "tenant_id", "public", "tenants", "id", "f", "5"},
      {"messages_conversation_id_fkey", "public", "messages", "conversation_id", "public", "conversations", "id", "f",
       "6"},
      {"messages_forked_from_fkey", "public", "messages", "forked_from_conversation_id", "public", "conversations",
       "id", "f", "7"},
      {"messages_reply_to_fkey", "public", "messages", "reply_to", "public", "messages", "id", "t", "8"},
      {"messages_tenant_id_fkey", "public", "messages", "tenant_id", "public", "tenants", "id", "f", "9"},
  };
  // proname, proretset, returns void, returned table, volatility, nargs, ndefaults, arguments (JSON),
  // description, row argument of, single row, result columns (JSON), scalar type, variadic,
  // media-type domain returned, that domain over bytea
  c.functions = {
      {"add_numbers", "f", "f", nullptr, "i", "2", "0", R"([["a","integer",false],["b","integer",false]])", "", nullptr,
       "t", nullptr, "integer"},
      {"current_tenant", "f", "f", nullptr, "s", "0", "0", "[]", "", nullptr, "t", nullptr, "uuid"},
      {"echo", "f", "f", nullptr, "i", "1", "0", R"([["value","text",false]])", "", nullptr, "t", nullptr, "text"},
      {"echo", "f", "f", nullptr, "i", "1", "0", R"([["value","integer",false]])", "", nullptr, "t", nullptr,
       "integer"},
      {"latest_conversation", "f", "f", "conversations", "s", "0", "0", "[]", "", nullptr, "t", nullptr, nullptr},
      {"match_user_memory", "t", "f", nullptr, "s", "3", "1",
       R"([["query_embedding","real[]",false],["match_count","integer",false],["min_importance","real",false]])",
       "Memories nearest to an embedding", nullptr, "f", R"([["key","text"],["similarity","double precision"]])",
       nullptr},
      {"search_conversations", "t", "f", "conversations", "s", "2", "1",
       R"([["query","text",false],["max_results","integer",false]])", "", nullptr, "f", nullptr, nullptr},
      {"touch_conversation", "f", "t", nullptr, "v", "1", "0", R"([["conversation_id","uuid",false]])", "", nullptr,
       "t", nullptr, "void"},
      {"unnamed_argument", "f", "f", nullptr, "i", "1", "0", R"([["","json",false]])", "", nullptr, "t", nullptr,
       "json"},
      {"agent_card", "f", "f", nullptr, "s", "1", "0", R"([["","text",false]])", "", nullptr, "t", nullptr,
       "\"text/html\"", "f", "text/html", "f"},
      {"agent_avatar", "f", "f", nullptr, "s", "1", "0", R"([["id","uuid",false]])", "", nullptr, "t", nullptr,
       "\"*/*\"", "f", "*/*", "t"},
      {"agent_label", "f", "f", nullptr, "s", "1", "0", R"([["a","agents",true]])", "", "agents", "t", nullptr, "text"},
      {"agent_conversations", "t", "f", "conversations", "s", "1", "0", R"([["a","agents",true]])", "", "agents", "f",
       nullptr, nullptr},
  };
  // view, column, base schema, base table, base column
  c.view_columns = {
      {"conversation_summaries", "id", "public", "conversations", "id"},
      {"conversation_summaries", "title", "public", "conversations", "title"},
  };
  return agentbase::testing::BuildSchemaCache("public", {c});
}

const rest::SchemaCache& Cache() {
  static const std::shared_ptr<const rest::SchemaCache> cache = BuildSchemaCache();
  return *cache;
}

// Splits off the first `count` lines; what follows the last of them is the rest.
std::vector<std::string_view> SplitHead(std::string_view text, size_t count, std::string_view& rest) {
  std::vector<std::string_view> lines;
  while (lines.size() < count) {
    size_t end = text.find('\n');
    if (end == std::string_view::npos) {
      lines.push_back(text);
      text = {};
      continue;
    }
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  rest = text;
  return lines;
}

// The lexical check of the properties above: a scan that knows PostgreSQL's
// quoted identifiers ("..", "" inside) and standard string literals ('..',
// '' inside), the only quoting the writer uses.
void RequireWellFormedSql(const rest::SqlQuery& query, std::string_view request) {
  const std::string& sql = query.sql;
  auto fail = [&](std::string_view what) {
    fuzz::PropertyViolated(what, "request:\n" + std::string(request) + "\nSQL:\n" + sql);
  };
  if (sql.empty()) fail("empty statement");
  if (sql.find('\0') != std::string::npos) fail("NUL byte in the statement");
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (quote != 0) {
      if (c == quote) {
        if (i + 1 < sql.size() && sql[i + 1] == quote)
          ++i;  // doubled: still inside
        else
          quote = 0;
      }
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '$' && i + 1 < sql.size() && fuzz::IsDigit(sql[i + 1])) {
      size_t number = 0;
      size_t j = i + 1;
      for (; j < sql.size() && fuzz::IsDigit(sql[j]) && number <= query.params.size(); ++j) {
        number = number * 10 + static_cast<size_t>(sql[j] - '0');
      }
      if (number == 0 || number > query.params.size()) fail("a placeholder without a bound parameter");
      i = j - 1;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      fail("a line comment outside quotes");
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      fail("a block comment outside quotes");
    } else if (c == ';') {
      fail("a second statement");
    }
  }
  if (quote != 0) fail("the statement ends inside a quoted identifier or literal");
  fuzz::Trace("planned", sql);
  // Text parameters go out as C strings: a NUL would cut the value short
  // without an error. Binary ones (a real[] of numbers) are a header of five
  // words and eight bytes an element.
  for (size_t index : query.binary_params) {
    if (index >= query.params.size() || !query.params[index]) fail("a binary parameter that is not there");
    if (query.params[index]->size() < 20 || (query.params[index]->size() - 20) % 8 != 0) {
      fail("a binary real[] parameter of the wrong length");
    }
  }
  for (size_t index = 0; index < query.params.size(); ++index) {
    bool binary = std::find(query.binary_params.begin(), query.binary_params.end(), index) != query.binary_params.end();
    const auto& param = query.params[index];
    if (!binary && param && param->find('\0') != std::string::npos) fail("a NUL byte in a bound parameter");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view body;
  std::vector<std::string_view> lines = SplitHead(input, 4, body);
  std::string_view request_line = lines[0];
  size_t space = request_line.find(' ');
  std::string method(request_line.substr(0, space));
  std::string resource(space == std::string_view::npos ? std::string_view() : request_line.substr(space + 1));
  bool is_rpc = resource.starts_with("rpc/");
  if (is_rpc) resource.erase(0, 4);

  const rest::SchemaCache& cache = Cache();
  std::optional<std::string_view> accept = lines[3].empty() ? std::nullopt : std::optional<std::string_view>(lines[3]);
  // A call's form is negotiated again once its function is known (PlanCall).
  std::vector<rest::MediaTypeDomain> offered;
  if (is_rpc) {
    for (const rest::Function* function : Cache().FindFunctions(resource)) {
      if (function->media_domain) offered.push_back(*function->media_domain);
    }
  }
  auto form = rest::NegotiateBodyForm(accept, offered);
  if (!form) return 0;  // 406 PGRST107, before any planning
  std::vector<std::string_view> prefer;
  if (!lines[2].empty()) prefer.push_back(lines[2]);

  rest::ApiRequestInput request{method, is_rpc, lines[1], prefer};
  auto parsed = rest::ParseApiRequest(request);
  if (!parsed) {
    fuzz::RequireApiError(parsed.error(), "ParseApiRequest");
    fuzz::Trace("refused", parsed.error().code + " " + parsed.error().message);
    return 0;
  }
  const rest::QueryParams& query = parsed->query;
  const rest::Preferences& preferences = parsed->preferences;
  bool count_exact = preferences.count.has_value();
  // db-max-rows on for half the inputs, so both ways of writing a read run.
  std::optional<int64_t> max_rows;
  if (size % 2 == 1) max_rows = 100;

  rest::PlanContext context{cache, max_rows, size % 4 >= 2};
  auto refused = [](const Error& error, const char* stage) {
    fuzz::RequireApiError(error, stage);
    fuzz::Trace("refused", error.code + " " + error.message);
    return 0;
  };
  if (is_rpc) {
    rest::CallRequest call;
    call.arguments_from_query = method != "POST";
    call.body = body;
    call.accept = accept;
    call.count_exact = count_exact;
    auto plan = rest::PlanCall(context, resource, query, call);
    if (!plan) return refused(plan.error(), "PlanCall");
    fuzz::Require(plan->call && plan->call->function != nullptr, "a call plan without its function");
    RequireWellFormedSql(rest::WriteRead(*plan), input);
    return 0;
  }
  if (method == "GET" || method == "HEAD") {
    auto plan = rest::PlanRead(context, resource, query, rest::ReadRequest{count_exact, *form, std::nullopt});
    if (!plan) return refused(plan.error(), "PlanRead");
    RequireWellFormedSql(rest::WriteRead(*plan), input);
    return 0;
  }
  rest::MutationRequest mutation;
  if (method == "POST")
    mutation.kind = rest::MutationKind::kInsert;
  else if (method == "PATCH")
    mutation.kind = rest::MutationKind::kUpdate;
  else if (method == "DELETE")
    mutation.kind = rest::MutationKind::kDelete;
  else if (method == "PUT")
    mutation.kind = rest::MutationKind::kPut;
  else
    return 0;  // PGRST117, written by the handler
  mutation.body = body;
  mutation.representation = preferences.representation == rest::PreferReturn::kRepresentation;
  mutation.form = *form;
  mutation.count_exact = count_exact;
  if (mutation.kind == rest::MutationKind::kInsert) {
    mutation.resolution = preferences.resolution;
    mutation.missing_default = preferences.missing == rest::PreferMissing::kDefault;
  }
  auto plan = rest::PlanMutation(context, resource, query, mutation);
  if (!plan) return refused(plan.error(), "PlanMutation");
  RequireWellFormedSql(rest::WriteMutation(*plan), input);
  return 0;
}
