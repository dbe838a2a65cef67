#include "app/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include "http/errors.hpp"
#include "util/text.hpp"
#include "util/utf8.hpp"

namespace agentbase::app {

namespace {

// The rest of the JSON line after time and level: the message as a string
// field, or the fields of a structured message.
class MessageFields : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string_view text(message.payload.data(), message.payload.size());
    std::string line;
    if (StartsWith(text, "{\"event\":") && text.back() == '}') {
      line = std::string(text.substr(1));
    } else {
      line = "\"message\":" + http::JsonQuote(ReplaceInvalidUtf8(text)) + "}";
    }
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<MessageFields>(); }
};

}  // namespace

void ConfigureLogging(const std::string& level, bool json) {
  spdlog::set_level(spdlog::level::from_str(level));
  if (!json) return;
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<MessageFields>('*').set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%*)");
  spdlog::set_formatter(std::move(formatter));
}

}  // namespace agentbase::app
