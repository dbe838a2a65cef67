#pragma once
// Shaping the HTTP response from the statement's one row, as PostgREST does:
// status, Content-Range, Content-Type, Preference-Applied.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection.hpp"
#include "http/message.hpp"
#include "rest/media_type_domain.hpp"
#include "util/result.hpp"

namespace agentbase::rest {

// How the rows become the response body.
struct BodyForm {
  bool singular = false;     // the first row as an object ('null' when there is none), not an array
  bool strip_nulls = false;  // nulls=stripped: object members whose value is null left out
  bool csv = false;          // text/csv instead of JSON
  // application/vnd.pgrst.plan[+json|+text]: the statement's EXPLAIN instead
  // of its rows, with EXPLAIN's options (analyze, verbose, settings,
  // buffers, wal); the rest of the form is what `for=` names.
  struct Plan {
    bool text = false;
    std::vector<std::string> options;
  };
  std::optional<Plan> plan;
  // A function's value as it is, in the media type of the domain it returns
  // (media_type_domain.hpp); the rest of the form is then unused.
  std::optional<MediaTypeDomain> raw;
};

// The statement's row: total, page_total, body, inserted, and the
// response.headers / response.status settings (StatementRowColumns).
struct StatementRow {
  std::optional<int64_t> total;
  int64_t page_total = 0;
  std::string body;
  std::optional<int64_t> inserted;
  std::optional<std::string> response_headers;
  std::optional<std::string> response_status;
};

Result<StatementRow> ReadStatementRow(const db::PgResult& result);

// How a statement fails when its body is larger than the request's
// --max-response-bytes bound (StatementRowColumns).
inline constexpr std::string_view kResponseTooLargeMarker = "agentbase: response too large: ";
// That failure as the client sees it (400 AB400, naming the limit), or
// nullopt for any other failure.
std::optional<Error> ResponseTooLarge(const Error& failure, int64_t max_response_bytes);

// "0-9/100", "*/0", "*/*", ...
std::string ContentRange(int64_t offset, int64_t page_total, std::optional<int64_t> total);

// 200, 206 (a known total larger than the page) or 416 (offset past the end).
int RangeStatus(int64_t offset, int64_t page_total, std::optional<int64_t> total);

// PGRST116 when a single object was asked for and `rows` is not 1.
std::optional<Error> SingularError(int64_t rows);

// Content-Type as PostgREST writes it for that form (text/csv for CSV).
http::Response RowsResponse(int status, std::string body, const BodyForm& form);

// The Content-Type of a value answered in its domain's media type: "*/*"
// is application/octet-stream; the types PostgREST knows as text carry
// "; charset=utf-8", others (application/octet-stream, image/png,
// text/html, ...) none.
std::string RawContentType(const MediaTypeDomain& domain);

// What a function or trigger asked for with set_config, as PostgREST applies
// it: response.status, a final status code 200-599 (else PGRST112), replaces the status;
// response.headers, a JSON array of objects with one key and a string value
// each (else PGRST111), sets those headers, replacing any of the same name.
Status ApplyResponseSettings(http::Response& response, const std::optional<std::string>& headers,
                             const std::optional<std::string>& status);

}  // namespace agentbase::rest
