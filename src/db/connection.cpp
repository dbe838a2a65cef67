#include "db/connection.hpp"

#include <algorithm>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "db/conninfo.hpp"
#include "util/text.hpp"
#include "util/utf8.hpp"

namespace agentbase::db {

long long PgResult::Int(int row, int column) const {
  auto text = Get(row, column);
  long long value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    throw std::runtime_error("not an integer in result column " + ColumnName(column) + ": " + std::string(text));
  }
  return value;
}

Result<Connection> Connection::Open(const std::string& conninfo) {
  auto checked = ValidateConninfo(conninfo);
  if (!checked) return checked.error();
  PGconn* raw = PQconnectdb(checked->c_str());
  if (raw == nullptr) throw std::bad_alloc();
  Connection connection(raw);
  if (PQstatus(raw) != CONNECTION_OK) return DescribeConnectFailure(PQerrorMessage(raw), conninfo);
  // Notices (e.g. "relation already exists, skipping") are not errors; keep
  // them off the terminal.
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  return connection;
}

Error ErrorFromResult(const PGresult* result, PGconn* conn) {
  Error error;
  auto field = [&](int code) -> std::string {
    const char* value = result ? PQresultErrorField(result, code) : nullptr;
    return value ? value : "";
  };
  error.code = field(PG_DIAG_SQLSTATE);
  error.message = field(PG_DIAG_MESSAGE_PRIMARY);
  error.detail = field(PG_DIAG_MESSAGE_DETAIL);
  error.hint = field(PG_DIAG_MESSAGE_HINT);
  if (error.message.empty()) error.message = OneLine(PQerrorMessage(conn));
  if (error.code.empty() && PQstatus(conn) != CONNECTION_OK) {
    error.code = "connection";
    error.kind = ErrorKind::kUnavailable;
  }
  return error;
}

Error Connection::ErrorFrom(const PGresult* result) const { return ErrorFromResult(result, conn_.get()); }

static bool Succeeded(const PGresult* result) {
  auto status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
}

Result<PgResult> Connection::Exec(std::string_view sql) {
  auto all = ExecAll(sql);
  if (!all) return all.error();
  if (all->empty()) return Error::Make("empty query", "internal");
  return std::move(all->back());
}

Result<std::vector<PgResult>> Connection::ExecAll(std::string_view sql) {
  std::string text(sql);
  if (PQsendQuery(conn_.get(), text.c_str()) != 1) return ErrorFrom(nullptr);
  std::vector<PgResult> results;
  std::optional<Error> failure;
  while (PGresult* raw = PQgetResult(conn_.get())) {
    PgResult result(raw);
    if (!Succeeded(raw)) {
      if (!failure) failure = ErrorFrom(raw);
      continue;  // drain the rest so the connection stays usable
    }
    results.push_back(std::move(result));
  }
  if (failure) return *failure;
  return results;
}

bool HasNulByte(std::string_view sql, const Params& params, const std::vector<size_t>& binary_params) {
  if (agentbase::HasNulByte(sql)) return true;
  for (size_t index = 0; index < params.size(); ++index) {
    if (!params[index] || std::find(binary_params.begin(), binary_params.end(), index) != binary_params.end()) continue;
    if (agentbase::HasNulByte(*params[index])) return true;
  }
  return false;
}

Result<PgResult> Connection::ExecParams(std::string_view sql, const Params& params) {
  if (HasNulByte(sql, params)) return NulByteError();
  std::string text(sql);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
  PgResult result(PQexecParams(conn_.get(), text.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                               nullptr, nullptr, 0));
  if (!Succeeded(result.raw())) return ErrorFrom(result.raw());
  return result;
}

Result<CopyIn> Connection::CopyFrom(std::string_view copy_sql) {
  if (agentbase::HasNulByte(copy_sql)) return NulByteError();
  std::string text(copy_sql);
  PgResult started(PQexec(conn_.get(), text.c_str()));
  if (PQresultStatus(started.raw()) != PGRES_COPY_IN) {
    if (!Succeeded(started.raw())) return ErrorFrom(started.raw());
    // Some other statement, which has run: not what the caller meant.
    return Error::Internal("CopyFrom needs a COPY ... FROM STDIN statement, not: " + text);
  }
  return CopyIn(conn_.get());
}

Status CopyIn::Put(std::string_view data) {
  if (conn_ == nullptr) return Error::Internal("COPY data sent after the copy ended");
  if (data.empty()) return Ok();
  // Blocking connection: 1 (queued, flushed as needed) or -1 (failed).
  if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1) {
    return ErrorFromResult(nullptr, std::exchange(conn_, nullptr));
  }
  return Ok();
}

Result<long long> CopyIn::End() {
  if (conn_ == nullptr) return Error::Internal("COPY ended twice");
  PGconn* conn = std::exchange(conn_, nullptr);
  if (PQputCopyEnd(conn, nullptr) != 1) return ErrorFromResult(nullptr, conn);
  std::optional<Error> failure;
  long long rows = 0;
  while (PGresult* raw = PQgetResult(conn)) {
    PgResult result(raw);
    if (!Succeeded(raw)) {
      if (!failure) failure = ErrorFromResult(raw, conn);
      continue;  // drain, so the connection stays usable
    }
    const char* tuples = PQcmdTuples(raw);
    if (tuples != nullptr && *tuples != '\0') rows = std::atoll(tuples);
  }
  if (failure) return *failure;
  return rows;
}

CopyIn::~CopyIn() {
  if (conn_ == nullptr) return;
  // The server answers an aborted copy with an error, which is the point.
  if (PQputCopyEnd(conn_, "copy abandoned by the client") == 1) {
    while (PGresult* raw = PQgetResult(conn_)) PQclear(raw);
  }
}

void AppendCopyText(std::string& row, std::string_view field) {
  for (char c : field) {
    switch (c) {
      case '\\': row += "\\\\"; break;
      case '\t': row += "\\t"; break;
      case '\n': row += "\\n"; break;
      case '\r': row += "\\r"; break;
      default: row += c;
    }
  }
}

std::string TextArrayLiteral(const std::vector<std::string>& items) {
  return TextArrayLiteral(std::vector<std::optional<std::string>>(items.begin(), items.end()));
}

std::string TextArrayLiteral(const std::vector<std::optional<std::string>>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    if (!items[i]) {
      out += "NULL";  // unquoted: the null element ("NULL" quoted is the text)
      continue;
    }
    AppendQuotedArrayElement(out, *items[i]);
  }
  out += '}';
  return out;
}

// Rounding the double instead rounds twice, and differs where the double
// lies halfway between two floats.
std::optional<float> RealAsPostgresReads(const boost::json::value& number) {
  // A float32 embedding written as JSON is one float's decimal per number.
  // Boost.JSON reads a decimal to within a few units in the last place of a
  // double (2^-52 of it), not always exactly; the midpoints where rounding
  // to float could go either way lie at least 2^-25 of the value away from
  // every float. So a double within 2^-46 of a float came from a decimal
  // whose nearest float it is, which float4in reads too: no text needed.
  if (number.is_double()) {
    double value = number.get_double();
    auto single = static_cast<float>(value);
    if (std::isfinite(single) && std::abs(static_cast<double>(single) - value) <= std::abs(value) * 0x1p-46) {
      return single;
    }
  }
  char buffer[32];
  std::to_chars_result written;
  if (number.is_int64()) {
    written = std::to_chars(buffer, buffer + sizeof buffer, number.get_int64());
  } else if (number.is_uint64()) {
    written = std::to_chars(buffer, buffer + sizeof buffer, number.get_uint64());
  } else if (number.is_double()) {
    written = std::to_chars(buffer, buffer + sizeof buffer, number.get_double());
  } else {
    return std::nullopt;
  }
  if (written.ec != std::errc()) return std::nullopt;
  float value = 0;
  auto [end, error] = std::from_chars(buffer, written.ptr, value);
  if (error != std::errc() || end != written.ptr || !std::isfinite(value)) return std::nullopt;
  return value;
}

void AppendQuotedArrayElement(std::string& literal, std::string_view element) {
  literal += '"';
  for (char c : element) {
    if (c == '"' || c == '\\') literal += '\\';
    literal += c;
  }
  literal += '"';
}

}  // namespace agentbase::db
