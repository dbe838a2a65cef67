#include "util/result.hpp"

namespace agentbase {

namespace {

bool IsSqlState(std::string_view code) {
  if (code.size() != 5) return false;
  for (char c : code) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

ErrorKind KindOfSqlState(std::string_view code) {
  std::string_view cls = code.substr(0, 2);
  if (cls == "08" || code == "57P01" || code == "57P02" || code == "57P03") return ErrorKind::kUnavailable;
  if (code == "57014") return ErrorKind::kTimeout;              // query_canceled: statement_timeout
  if (code == "53400") return ErrorKind::kInternal;             // configuration_limit_exceeded
  if (cls == "53" || code == "55P03") return ErrorKind::kBusy;  // insufficient resources, lock not available
  if (code == "23505" || code == "23503" || code == "23P01" || cls == "40") return ErrorKind::kConflict;
  if (code == "42501" || cls == "28" || cls == "0L" || cls == "0P") return ErrorKind::kPermission;
  if (code == "42P01" || code == "42883" || code == "42703" || code == "42704" || code == "3F000") {
    return ErrorKind::kNotFound;
  }
  if (cls == "22" || cls == "23" || cls == "42" || code == "21000" || code == "P0001") return ErrorKind::kInvalidInput;
  return ErrorKind::kInternal;
}

ErrorKind KindOfPgrst(std::string_view code) {
  std::string_view number = code.substr(5);
  if (number == "000" || number == "001" || number == "002") return ErrorKind::kUnavailable;
  if (number == "003") return ErrorKind::kBusy;
  if (number == "125" || number == "126" || number == "200" || number == "202" || number == "204" || number == "205") {
    return ErrorKind::kNotFound;
  }
  if (number == "111" || number == "112" || number == "121" || number == "300") return ErrorKind::kInternal;
  if (number.size() == 3 && number[0] == '3') return ErrorKind::kPermission;
  if (number.size() == 3 && (number[0] == '1' || number[0] == '2')) return ErrorKind::kInvalidInput;
  return ErrorKind::kInternal;
}

}  // namespace

std::string_view KindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kUsage: return "usage";
    case ErrorKind::kInvalidInput: return "invalid_input";
    case ErrorKind::kNotFound: return "not_found";
    case ErrorKind::kConflict: return "conflict";
    case ErrorKind::kPermission: return "permission";
    case ErrorKind::kUnavailable: return "unavailable";
    case ErrorKind::kBusy: return "busy";
    case ErrorKind::kTimeout: return "timeout";
    case ErrorKind::kInternal: return "internal";
  }
  return "internal";
}

ErrorKind KindOfCode(std::string_view code) {
  if (code.starts_with("PGRST")) return KindOfPgrst(code);
  // Our own tags.
  if (code == "usage" || code == "config" || code == "io") return ErrorKind::kUsage;
  if (code == "parse" || code == "target") return ErrorKind::kInvalidInput;
  if (code == "connect" || code == "connection" || code == "fetch") return ErrorKind::kUnavailable;
  if (code == "exists") return ErrorKind::kConflict;
  if (IsSqlState(code)) return KindOfSqlState(code);
  return ErrorKind::kInternal;
}

}  // namespace agentbase
