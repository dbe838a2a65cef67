#pragma once
// How `agentbase serve` logs: plain text lines (the default), or one JSON
// object per line for log collectors (--log-format json). In JSON, a message
// that is itself a JSON object of ours ({"event":...}, the access log) has its
// fields merged into the line; any other message is the "message" field.

#include <string>

namespace agentbase::app {

void ConfigureLogging(const std::string& level, bool json);

}  // namespace agentbase::app
