#include "realtime/realtime_api.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "auth/bearer.hpp"
#include "http/errors.hpp"
#include "realtime/protocol.hpp"
#include "realtime/socket_session.hpp"
#include "util/percent_decode.hpp"
#include "util/text.hpp"

namespace agentbase::realtime {

namespace json = boost::json;

namespace {

constexpr std::string_view kBroadcastPath = "/realtime/v1/api/broadcast";

http::Response JsonResponse(int status, std::string body) {
  http::Response response{status, {}, std::move(body)};
  response.SetHeader("Content-Type", "application/json; charset=utf-8");
  return response;
}

// Supabase's realtime answers errors as {"error": "..."} (the socket) or
// {"message": "..."} (the REST API).
http::Response ErrorResponse(int status, std::string_view key, std::string_view text) {
  return JsonResponse(status, json::serialize(json::object{{key, text}}));
}

std::optional<std::string> QueryParameter(const std::string& query, std::string_view name) {
  for (auto& pair : SplitQuery(query)) {
    if (pair.key == name) return pair.value.value_or("");  // decoded already
  }
  return std::nullopt;
}

}  // namespace

RealtimeApi::RealtimeApi(Hub& hub, const auth::KeySet& keys, RealtimeOptions options)
    : hub_(hub), keys_(keys), options_(std::move(options)) {}

boost::asio::awaitable<http::UpgradeAnswer> RealtimeApi::Upgrade(http::Request request) {
  http::UpgradeAnswer answer;
  auto serializer = SerializerFor(QueryParameter(request.query, "vsn"));
  if (!serializer) {
    answer.refusal = ErrorResponse(400, "error", serializer.error().message);
    co_return answer;
  }
  // Supabase's order: the x-api-key header, else the apikey parameter.
  std::optional<std::string> apikey;
  if (auto header = request.Header("x-api-key")) apikey = std::string(TrimView(*header));
  if (!apikey) apikey = QueryParameter(request.query, "apikey");
  if (!apikey || apikey->empty()) {
    answer.refusal = ErrorResponse(401, "error", "Unauthorized: the apikey parameter is required");
    co_return answer;
  }
  SessionContext context{hub_, keys_, tokens_, options_};
  auto token = VerifyChannelToken(context, *apikey);
  if (!token) {
    answer.refusal = ErrorResponse(401, "error", token.error().message);
    co_return answer;
  }
  auto executor = co_await boost::asio::this_coro::executor;
  answer.limits = options_.socket;
  answer.open = [context, executor, serializer = *serializer,
                 token = std::move(*token)](std::shared_ptr<http::WebSocket> socket) {
    return std::make_shared<SocketSession>(context, executor, std::move(socket), serializer, token);
  };
  co_return answer;
}

boost::asio::awaitable<http::Response> RealtimeApi::Handle(http::Request request) {
  if (!StartsWith(request.path, kBroadcastPath)) {
    co_return ErrorResponse(404, "message", "Not found");
  }
  if (request.method != "POST") co_return ErrorResponse(405, "message", "Method not allowed");
  auto bearer = auth::BearerToken(request);
  std::string token;
  if (bearer && *bearer) {
    token = **bearer;
  } else if (auto apikey = request.Header("apikey")) {
    token = std::string(TrimView(*apikey));
  }
  if (token.empty()) co_return ErrorResponse(401, "message", "Unauthorized");
  SessionContext context{hub_, keys_, tokens_, options_};
  if (auto verified = VerifyChannelToken(context, token); !verified) {
    co_return ErrorResponse(401, "message", verified.error().message);
  }

  std::string_view rest = std::string_view(request.path).substr(kBroadcastPath.size());
  if (rest.empty()) {
    auto body = ParseClientJson(request.body, "the body");
    if (!body) co_return ErrorResponse(400, "message", body.error().message);
    const json::value* messages = body->is_object() ? body->get_object().if_contains("messages") : nullptr;
    if (messages == nullptr || !messages->is_array()) {
      co_return ErrorResponse(400, "message", "the body must be {\"messages\": [{topic, event, payload}, ...]}");
    }
    const auto& list = messages->get_array();
    if (list.size() > options_.max_rest_messages) {
      co_return ErrorResponse(400, "message",
                              "at most " + std::to_string(options_.max_rest_messages) + " messages per request");
    }
    std::vector<std::pair<std::string, Broadcast>> accepted;
    for (const auto& entry : list) {
      const json::object* object = entry.if_object();
      const json::value* topic = object != nullptr ? object->if_contains("topic") : nullptr;
      const json::value* event = object != nullptr ? object->if_contains("event") : nullptr;
      if (topic == nullptr || !topic->is_string() || event == nullptr || !event->is_string()) {
        co_return ErrorResponse(400, "message", "every message needs a topic and an event (strings)");
      }
      const json::value* payload = object->if_contains("payload");
      accepted.emplace_back(
          "realtime:" + std::string(topic->get_string()),
          Broadcast{std::string(event->get_string()), true, payload != nullptr ? json::serialize(*payload) : "{}"});
    }
    for (const auto& [topic, broadcast] : accepted) hub_.SendBroadcast(topic, broadcast, nullptr);
    co_return http::Response{202, {}, {}};
  }
  // /<topic>/events/<event>; the path is already percent-decoded.
  auto parts = Split(rest.substr(1), '/');
  if (rest.front() != '/' || parts.size() != 3 || parts[1] != "events" || parts[0].empty() || parts[2].empty()) {
    co_return ErrorResponse(404, "message", "Not found");
  }
  Broadcast broadcast{parts[2], true, request.body};
  auto content_type = request.Header("content-type");
  if (content_type && StartsWith(ToLower(*content_type), "application/octet-stream")) {
    broadcast.json = false;
  } else {
    if (auto body = ParseClientJson(request.body, "the body"); !body) {
      co_return ErrorResponse(400, "message", body.error().message + " (send JSON, or application/octet-stream)");
    }
  }
  hub_.SendBroadcast("realtime:" + parts[0], broadcast, nullptr);
  co_return http::Response{202, {}, {}};
}

}  // namespace agentbase::realtime
