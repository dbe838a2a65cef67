#include "app/tool_functions.hpp"

#include <boost/json.hpp>
#include <utility>
#include <vector>

namespace agentbase::app {

namespace asio = boost::asio;
namespace json = boost::json;

void InstallToolFunctions(rest::RestApi& rest, tools::SchemaCache& schemas) {
  rest.AddWriteCheck({{"public.agent_tools", "public.tool_schemas"},
                      {"public.attach_tool", "public.configure_tool"},
                      tools::kTakeUncheckedConfigs,
                      [&schemas](const db::PgResult& rows) { return tools::JudgeConfigs(rows, schemas); }});
  rest.SetServerFunction(
      "test_tool_call", [&schemas](rest::ServerCall& call) -> asio::awaitable<Result<std::optional<std::string>>> {
        const json::value* agent = call.args.if_contains("agent_id");
        const json::value* tool = call.args.if_contains("tool_id");
        // Missing or malformed ids: the database's answer names them.
        if (agent == nullptr || tool == nullptr || !agent->is_string() || !tool->is_string()) {
          co_return std::nullopt;
        }
        std::vector<db::Statement> statements;
        statements.push_back({"SELECT agentbase.tool_input_schema($1::uuid, $2::uuid)",
                              {std::string(agent->as_string()), std::string(tool->as_string())},
                              true});
        auto found = co_await call.run(std::move(statements));
        if (!found) co_return found.error();
        const json::value* arguments = call.args.if_contains("arguments");
        auto validation =
            tools::ValidateArguments(schemas, found->at(0).Get(0, 0), arguments ? *arguments : json::object{});
        if (!validation) co_return validation.error();
        call.args["validation"] = std::move(*validation);
        call.args_changed = true;
        co_return std::nullopt;
      });
}

}  // namespace agentbase::app
