#include "http/response_head.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>

#include "util/text.hpp"

namespace agentbase::http {

namespace {

constexpr std::string_view kServerName = "agentbase";

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Rejects what would let a handler split the response.
bool IsWritableHeader(std::string_view name, std::string_view value) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) return false;
  return std::none_of(value.begin(), value.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

bool IsManagedHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding") ||
         EqualsIgnoreCase(name, "connection");
}

void AppendHeader(std::string& head, std::string_view name, std::string_view value) {
  head.append(name);
  head.append(": ");
  head.append(value);
  head.append("\r\n");
}

}  // namespace

bool StatusHasBody(int status) { return status != 204 && status != 304; }

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Entity";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

std::string ResponseHead(const Response& response, unsigned version, bool keep_alive) {
  std::string head;
  size_t estimate = 96;
  for (const auto& [name, value] : response.headers) estimate += name.size() + value.size() + 4;
  head.reserve(estimate);
  head.append(version >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ");
  fmt::format_to(std::back_inserter(head), "{} ", response.status);
  head.append(ReasonPhrase(response.status));
  head.append("\r\n");
  bool has_server = false;
  for (const auto& [name, value] : response.headers) {
    if (IsManagedHeader(name)) continue;
    if (!IsWritableHeader(name, value)) {
      spdlog::warn("http: dropping an invalid response header '{}'", name);
      continue;
    }
    has_server = has_server || EqualsIgnoreCase(name, "server");
    AppendHeader(head, name, value);
  }
  if (!has_server) AppendHeader(head, "Server", kServerName);
  if (StatusHasBody(response.status)) {
    head.append("Content-Length: ");
    fmt::format_to(std::back_inserter(head), "{}", response.body.size());
    head.append("\r\n");
  }
  if (version >= 11 && !keep_alive) AppendHeader(head, "Connection", "close");
  if (version < 11 && keep_alive) AppendHeader(head, "Connection", "keep-alive");
  head.append("\r\n");
  return head;
}

}  // namespace agentbase::http
