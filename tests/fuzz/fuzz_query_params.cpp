// The query-string grammar and the Prefer header, as the REST handler runs
// them: ParseApiRequest (every parameter, then PUT's limit/offset rule, then
// handling=strict). Property: whatever the input, the answer is a value;
// a refusal carries a PGRST code and a message; never an exception (an
// uncaught one aborts the run), a crash or undefined behaviour.
//
// Input, one item per line (readable seeds, and libFuzzer's line-based
// mutations keep the shape):
//   line 1   the method, optionally followed by " rpc" for /rpc/<fn>
//   line 2   the raw query string (what follows '?', still percent-encoded)
//   line 3+  Prefer header values, one per header line

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "rest/prefer.hpp"
#include "rest/query_parser.hpp"

using namespace agentbase;

namespace {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

void RequireRestError(const Error& error, std::string_view stage) {
  fuzz::RequireApiError(error, stage);
  // 22021: a decoded NUL, refused as PostgreSQL refuses it.
  fuzz::Require(fuzz::IsPostgrestCode(error.code) || error.code == "22021",
                "the request parser answered with a non-PGRST code", std::string(stage) + ": " + error.code);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines = SplitLines(input);

  rest::ApiRequestInput request;
  std::string_view method_line = lines[0];
  if (method_line.ends_with(" rpc")) {
    request.is_rpc = true;
    method_line.remove_suffix(4);
  }
  request.method = method_line;
  if (lines.size() > 1) request.query_string = lines[1];
  for (size_t i = 2; i < lines.size(); ++i) request.prefer_headers.push_back(lines[i]);

  auto parsed = rest::ParseApiRequest(request);
  if (parsed) {
    // What the response stage does with the preferences it honours.
    (void)rest::PreferenceAppliedValue(parsed->preferences);
  } else {
    RequireRestError(parsed.error(), "ParseApiRequest");
  }

  // The Prefer header on its own: ParsePreferences never fails, the strict
  // check only with PGRST122.
  auto preferences = rest::ParsePreferHeaders(request.prefer_headers);
  if (!preferences) RequireRestError(preferences.error(), "ParsePreferHeaders");

  // The query line as one already-decoded parameter value of each kind, which
  // reaches the sub-grammars without the query string's splitting in front.
  std::string_view value = request.query_string;
  if (auto select = rest::ParseSelect(value); !select) RequireRestError(select.error(), "ParseSelect");
  if (auto filter = rest::ParseFilterCondition(value); !filter)
    RequireRestError(filter.error(), "ParseFilterCondition");
  if (auto order = rest::ParseOrder(value); !order) RequireRestError(order.error(), "ParseOrder");
  if (auto tree = rest::ParseLogicTree(request.is_rpc ? "not.or" : "and", value); !tree) {
    RequireRestError(tree.error(), "ParseLogicTree");
  }
  return 0;
}
