#pragma once
// The one completion handler for coroutines started with co_spawn whose
// exceptions nobody awaits: asio::detached would drop them silently.
//
//   asio::co_spawn(io, WatchSchema(...), LogFailure{"schema watcher"});
//
// logs "schema watcher failed: <what()>" at error level.

#include <exception>
#include <string>

namespace agentbase {

// What `failure` holds, as text: what() of a std::exception, a fixed phrase
// for anything else, "" for no exception.
std::string DescribeException(std::exception_ptr failure);

struct LogFailure {
  const char* what;  // names the coroutine in the log line
  void operator()(std::exception_ptr failure) const;
};

}  // namespace agentbase
