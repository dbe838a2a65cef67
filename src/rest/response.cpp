#include "rest/response.hpp"

#include <boost/json.hpp>
#include <set>

#include "rest/api_error.hpp"
#include "rest/postgrest_errors.hpp"
#include "util/text.hpp"

namespace agentbase::rest {

Result<StatementRow> ReadStatementRow(const db::PgResult& result) {
  if (result.Rows() != 1 || result.Columns() != 6) return Error::Make("unexpected statement result shape", "XX000");
  StatementRow row;
  if (!result.IsNull(0, 0)) row.total = result.Int(0, 0);
  row.page_total = result.IsNull(0, 1) ? 0 : result.Int(0, 1);
  row.body = result.Text(0, 2);
  if (!result.IsNull(0, 3)) row.inserted = result.Int(0, 3);
  if (!result.IsNull(0, 4)) row.response_headers = result.Text(0, 4);
  if (!result.IsNull(0, 5)) row.response_status = result.Text(0, 5);
  return row;
}

std::optional<Error> ResponseTooLarge(const Error& failure, int64_t max_response_bytes) {
  // 22P02: the marked text did not cast to integer, as intended.
  if (failure.code != "22P02" || failure.message.find(kResponseTooLargeMarker) == std::string::npos) {
    return std::nullopt;
  }
  return pgrst::ResponseTooLarge(max_response_bytes);
}

std::string ContentRange(int64_t offset, int64_t page_total, std::optional<int64_t> total) {
  std::string total_text = total ? std::to_string(*total) : "*";
  if (page_total <= 0) return "*/" + total_text;
  return std::to_string(offset) + "-" + std::to_string(offset + page_total - 1) + "/" + total_text;
}

int RangeStatus(int64_t offset, int64_t page_total, std::optional<int64_t> total) {
  if (!total) return 200;
  if (offset > 0 && offset >= *total && *total > 0) return 416;
  if (page_total < *total) return 206;
  return 200;
}

std::optional<Error> SingularError(int64_t rows) {
  if (rows == 1) return std::nullopt;
  return pgrst::Singularity(rows);
}

std::string RawContentType(const MediaTypeDomain& domain) {
  if (domain.media_type == "*/*") return "application/octet-stream";
  static const std::set<std::string, std::less<>> kText = {"application/json",
                                                           "application/geo+json",
                                                           "application/openapi+json",
                                                           "application/x-www-form-urlencoded",
                                                           "text/csv",
                                                           "text/plain",
                                                           "text/xml"};
  return kText.contains(domain.media_type) ? domain.media_type + "; charset=utf-8" : domain.media_type;
}

http::Response RowsResponse(int status, std::string body, const BodyForm& form) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  if (form.raw) {
    response.SetHeader("Content-Type", RawContentType(*form.raw));
    return response;
  }
  std::string type;
  if (form.csv) {
    type = "text/csv";
  } else if (form.strip_nulls) {
    type = form.singular ? "application/vnd.pgrst.object+json;nulls=stripped"
                         : "application/vnd.pgrst.array+json;nulls=stripped";
  } else {
    type = form.singular ? "application/vnd.pgrst.object+json" : "application/json";
  }
  response.SetHeader("Content-Type", type + "; charset=utf-8");
  return response;
}

Status ApplyResponseSettings(http::Response& response, const std::optional<std::string>& headers,
                             const std::optional<std::string>& status) {
  if (status) {
    auto code = ParseInt64(*status);
    // 1xx is no final answer to send in its place.
    if (!code || *code < 200 || *code > 599) {
      return pgrst::GucStatus();
    }
    response.status = static_cast<int>(*code);
  }
  if (!headers) return Ok();
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(*headers, ec);
  if (ec || !parsed.is_array()) return pgrst::GucHeaders();
  http::HeaderList wanted;
  for (const auto& entry : parsed.as_array()) {
    if (!entry.is_object() || entry.as_object().size() != 1) return pgrst::GucHeaders();
    const auto& [name, value] = *entry.as_object().begin();
    if (!value.is_string()) return pgrst::GucHeaders();
    wanted.emplace_back(std::string(name), std::string(value.as_string()));
  }
  for (auto& [name, value] : wanted) {
    std::erase_if(response.headers, [&](const auto& header) { return EqualsIgnoreCase(header.first, name); });
    response.headers.emplace_back(std::move(name), std::move(value));
  }
  return Ok();
}

}  // namespace agentbase::rest
