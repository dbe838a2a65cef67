#include "http/errors.hpp"

#include <fmt/format.h>

#include "util/text.hpp"

namespace agentbase::http {

std::string JsonQuote(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

std::string JsonErrorBody(std::string_view code, std::string_view message, std::string_view details,
                          std::string_view hint) {
  auto or_null = [](std::string_view text) { return text.empty() ? std::string("null") : JsonQuote(text); };
  return fmt::format(R"({{"code":{},"message":{},"details":{},"hint":{}}})", JsonQuote(code), JsonQuote(message),
                     or_null(details), or_null(hint));
}

Response JsonError(int status, std::string_view code, std::string_view message, std::string_view details,
                   std::string_view hint) {
  Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  response.body = JsonErrorBody(code, message, details, hint);
  return response;
}

}  // namespace agentbase::http
