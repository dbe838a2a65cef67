#pragma once
// The server's own view of an HTTP exchange. Only src/http/ sees Beast; every
// handler (REST, auth) works with these plain types.

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentbase::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // upper case: GET, HEAD, POST, PATCH, PUT, DELETE, OPTIONS
  std::string target;  // as received: path and query
  std::string path;    // target up to '?', percent-decoded
  std::string query;   // after '?', still percent-encoded
  HeaderList headers;  // names in lower case, in arrival order
  std::string body;
  std::string remote_address;

  // The first header of that (lower-case) name.
  std::optional<std::string_view> Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (key == name) return std::string_view(value);
    }
    return std::nullopt;
  }
  // Every header of that name (e.g. several Prefer lines).
  std::vector<std::string_view> AllHeaders(std::string_view name) const {
    std::vector<std::string_view> values;
    for (const auto& [key, value] : headers) {
      if (key == name) values.emplace_back(value);
    }
    return values;
  }
};

struct Response {
  int status = 200;
  HeaderList headers;  // written as given
  std::string body;

  void SetHeader(std::string name, std::string value) {
    for (auto& [key, existing] : headers) {
      if (key == name) {
        existing = std::move(value);
        return;
      }
    }
    headers.emplace_back(std::move(name), std::move(value));
  }
};

// Handles one request. Runs on the server's single event-loop thread.
using Handler = std::function<boost::asio::awaitable<Response>(Request)>;

}  // namespace agentbase::http
