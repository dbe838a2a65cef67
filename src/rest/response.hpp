#pragma once
// Shaping the HTTP response from the statement's one row, as PostgREST does:
// status, Content-Range, Content-Type, Preference-Applied.

#include <cstdint>
#include <optional>
#include <string>

#include "db/connection.hpp"
#include "http/message.hpp"
#include "util/result.hpp"

namespace agentbase::rest {

// The statement's row: total, page_total, body, inserted.
struct StatementRow {
  std::optional<int64_t> total;
  int64_t page_total = 0;
  std::string body;
  std::optional<int64_t> inserted;
};

Result<StatementRow> ReadStatementRow(const db::PgResult& result);

// "0-9/100", "*/0", "*/*", ...
std::string ContentRange(int64_t offset, int64_t page_total, std::optional<int64_t> total);

// 200, 206 (a known total larger than the page) or 416 (offset past the end).
int RangeStatus(int64_t offset, int64_t page_total, std::optional<int64_t> total);

// PGRST116 when a single object was asked for and `rows` is not 1.
std::optional<Error> SingularError(int64_t rows);

http::Response JsonResponse(int status, std::string body, bool singular);

}  // namespace agentbase::rest
