#pragma once
// Which service answers a path: /rest/v1 (REST), /auth/v1 (auth),
// /realtime/v1 (realtime's HTTP endpoints), a health check at /health,
// readiness at /ready, Prometheus metrics at /metrics, and the web console
// (src/console) at / and every other path a GET may take, except under
// /rest, /auth and /realtime (their own 404s). Without a console, / is the
// health check too. Every request gets a request id (the client's X-Request-Id when
// it is a plain token, else a new one): it is echoed in X-Request-Id, logged,
// and reaches PostgreSQL as the transaction's application_name.

#include <functional>
#include <memory>
#include <string>

#include "console/site.hpp"
#include "http/message.hpp"
#include "metrics/metrics.hpp"

namespace agentbase::app {

struct Routes {
  http::Handler rest;  // /rest/v1...
  http::Handler auth;  // /auth/v1... (may be empty: answered 404)
  // /realtime/v1... over HTTP (the websocket is an upgrade route of the
  // server); may be empty: answered 404.
  http::Handler realtime;
  // Whether the database answers now (/ready); empty: always ready.
  std::function<boost::asio::awaitable<bool>()> ready;
  // Read at each scrape of /metrics; empty: no /metrics.
  std::function<metrics::Gauges()> gauges;
  // /metrics answers loopback clients, and others that send this as a
  // bearer token (empty: loopback only).
  std::string metrics_token;
  // One log line per request (info level), in the logger's format.
  bool access_log = false;
  // The web console's files; null: none (/ answers the health check).
  std::shared_ptr<const console::Site> console;
  bool json_logs = false;
};

http::Handler MakeRouter(Routes routes);

// The request id for a request: its X-Request-Id when that is 1 to 64 of
// [A-Za-z0-9._-], else a new one.
std::string RequestId(const http::Request& request);

}  // namespace agentbase::app
