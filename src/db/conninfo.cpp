#include "db/conninfo.hpp"

#include <libpq-fe.h>

#include <memory>
#include <regex>

#include "util/text.hpp"

namespace agentbase::db {

namespace {

constexpr const char* kDefaultConnectTimeout = "10";

bool LooksLikeUrl(const std::string& text) { return text.find("://") != std::string::npos; }

bool IsPostgresUrl(const std::string& text) {
  return StartsWith(text, "postgresql://") || StartsWith(text, "postgres://");
}

}  // namespace

Result<std::string> ValidateConninfo(const std::string& conninfo) {
  if (Trim(conninfo).empty()) return Error::Usage("the database URL is empty");
  if (LooksLikeUrl(conninfo) && !IsPostgresUrl(conninfo)) {
    auto scheme = conninfo.substr(0, conninfo.find("://"));
    Error error = Error::Usage("'" + scheme + "://' is not a PostgreSQL URL");
    error.hint = "use postgresql://user:password@host:5432/dbname (add ?sslmode=require for Supabase)";
    return error;
  }
  char* raw_error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfoParse(conninfo.c_str(), &raw_error),
                                                                       &PQconninfoFree);
  if (!options) {
    std::string message = raw_error ? OneLine(raw_error) : "unparsable";
    PQfreemem(raw_error);
    Error error = Error::Usage("invalid database URL: " + message);
    error.hint = "use postgresql://user:password@host:5432/dbname";
    return error;
  }
  bool has_timeout = false;
  for (auto* option = options.get(); option->keyword; ++option) {
    if (std::string(option->keyword) == "connect_timeout" && option->val && *option->val) has_timeout = true;
  }
  if (has_timeout) return conninfo;
  if (IsPostgresUrl(conninfo)) {
    return conninfo + (conninfo.find('?') == std::string::npos ? "?" : "&") +
           "connect_timeout=" + kDefaultConnectTimeout;
  }
  return conninfo + " connect_timeout=" + kDefaultConnectTimeout;
}

std::string RedactConninfo(const std::string& conninfo) {
  static const std::regex url_password(R"(^(postgres(?:ql)?://[^:/@]*:)[^@]*@)");
  static const std::regex kv_password(R"((password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+))");
  std::string out = std::regex_replace(conninfo, url_password, "$1****@");
  return std::regex_replace(out, kv_password, "$1****");
}

Error DescribeConnectFailure(const std::string& libpq_message, const std::string& conninfo) {
  std::string message = OneLine(libpq_message);
  Error error = Error::Unavailable("cannot connect to " + RedactConninfo(conninfo) + ": " + message, "connect");
  if (message.find("password authentication failed") != std::string::npos) {
    error.hint = "check the user name and password in the database URL";
  } else if (message.find("Connection refused") != std::string::npos) {
    error.hint = "is PostgreSQL running there and accepting connections?";
  } else if (message.find("could not translate host name") != std::string::npos) {
    error.hint = "check the host name in the database URL";
  } else if (message.find("timeout expired") != std::string::npos) {
    error.hint = "the host did not answer; check the address, port and firewall";
  } else if (message.find("does not exist") != std::string::npos) {
    error.hint = "check the database and user names in the URL";
  }
  return error;
}

}  // namespace agentbase::db
