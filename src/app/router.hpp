#pragma once
// Which service answers a path: /rest/v1 (REST), /auth/v1 (auth), and a
// health check at /.

#include <functional>

#include "http/message.hpp"

namespace agentbase::app {

struct Routes {
  http::Handler rest;  // /rest/v1...
  http::Handler auth;  // /auth/v1... (may be empty: answered 404)
};

http::Handler MakeRouter(Routes routes);

}  // namespace agentbase::app
