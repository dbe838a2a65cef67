// HTTP request parsing as the server does it (server.cpp's ReadRequest):
// Beast's request parser with the server's default limits, then our part —
// the method upper-cased, the target split and percent-decoded (ParseTarget),
// header names lower-cased — and what every request meets next: the CORS
// preflight answer and CORS headers, the response head written for it, and
// request.headers as JSON (HeadersJson).
//
// Properties: no crash or exception; a decoded path never holds a NUL; the
// preflight's header values never hold CR, LF or NUL (no response
// splitting); the response head ends with one blank line; HeadersJson is one
// JSON object holding, per header name, the last value (cookies left out).
//
// Input: the raw bytes a client sends on a fresh connection.

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "http/cors.hpp"
#include "http/response_head.hpp"
#include "http/server.hpp"
#include "http/target.hpp"
#include "rest/headers_json.hpp"
#include "util/text.hpp"
#include "util/utf8.hpp"

using namespace agentbase;
namespace bhttp = boost::beast::http;

namespace {

void RequireSafeHeaderValues(const http::Response& response, std::string_view what) {
  for (const auto& [name, value] : response.headers) {
    fuzz::Require(value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos, what, name + ": " + value);
  }
}

void CheckHeadersJson(const http::HeaderList& headers) {
  std::string text = rest::HeadersJson(headers);
  // Header values that are not UTF-8 (obs-text) are repaired (U+FFFD), so the
  // text is strict JSON that PostgreSQL accepts.
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(text, ec);
  fuzz::Require(!ec && parsed.is_object(), "HeadersJson is not a JSON object", text);
  std::map<std::string, std::string> expected;
  for (const auto& [name, value] : headers) {
    if (name != "cookie") expected[name] = ReplaceInvalidUtf8(value);
  }
  const auto& object = parsed.as_object();
  fuzz::Require(object.size() == expected.size(), "HeadersJson has the wrong number of members", text);
  for (const auto& [name, value] : expected) {
    const auto* member = object.if_contains(name);
    fuzz::Require(member != nullptr && member->is_string() && member->as_string() == value,
                  "HeadersJson lost or changed a header", name);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const http::ServerOptions defaults;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<uint32_t>(defaults.header_limit));
  parser.body_limit(defaults.body_limit);
  parser.eager(true);

  // The whole input as what has arrived so far; the parser takes what it can.
  const char* next = reinterpret_cast<const char*>(data);
  size_t left = size;
  boost::beast::error_code ec;
  while (!parser.is_done()) {
    size_t used = parser.put(boost::asio::const_buffer(next, left), ec);
    next += used;
    left -= used;
    if (ec == bhttp::error::need_more) return 0;  // the client has not finished: the server would wait
    if (ec) return 0;                             // answered 400/413/431 by the server, then closed
    if (used == 0) return 0;
  }

  auto& message = parser.get();
  http::Request request;
  request.method = ToUpper(message.method_string());
  request.target = std::string(message.target());
  auto target = http::ParseTarget(request.target);
  if (!target) {
    fuzz::Require(target.error().code == "target", "ParseTarget failed with an unexpected code", target.error().code);
    return 0;
  }
  fuzz::Require(target->path.find('\0') == std::string::npos, "a NUL in the decoded path", request.target);
  request.path = std::move(target->path);
  request.query = std::move(target->query);
  for (const auto& field : message) {
    request.headers.emplace_back(ToLower(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(message.body());

  if (http::IsPreflight(request)) {
    http::Response preflight = http::PreflightResponse(request);
    RequireSafeHeaderValues(preflight, "a preflight header value with CR, LF or NUL");
    http::AddCorsHeaders(preflight);
    std::string head = http::ResponseHead(preflight, message.version(), message.keep_alive());
    fuzz::Require(head.ends_with("\r\n\r\n") && head.find("\r\n\r\n") == head.size() - 4,
                  "the preflight's response head is not one header block", head);
  }
  CheckHeadersJson(request.headers);
  return 0;
}
