#pragma once
// A minimal HTTP(S) GET for start-up work such as fetching a JWKS: bounded
// in time and size, TLS verified against the system's certificate store.

#include <chrono>
#include <cstddef>
#include <string>

#include "util/result.hpp"

namespace agentbase::http {

struct FetchOptions {
  std::chrono::milliseconds timeout{10000};
  size_t max_bytes = 1024 * 1024;
};

// The body of a 2xx answer to GET `url` (http:// or https://); anything else
// is an error with code "fetch".
Result<std::string> Fetch(const std::string& url, const FetchOptions& options = {});

}  // namespace agentbase::http
