#include "app/serve_command.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <iostream>
#include <optional>
#include <vector>

#include "app/cli_errors.hpp"
#include "app/cpu_scheduling.hpp"
#include "app/database_target.hpp"
#include "app/demo.hpp"
#include "app/exit_codes.hpp"
#include "app/key_options.hpp"
#include "app/logging.hpp"
#include "app/router.hpp"
#include "app/tool_functions.hpp"
#include "auth/auth_api.hpp"
#include "auth/jwks_refresh.hpp"
#include "auth/key_store.hpp"
#include "auth/user_store.hpp"
#include "changes/authorizer.hpp"
#include "changes/feed.hpp"
#include "console/site.hpp"
#include "db/connection.hpp"
#include "db/pool.hpp"
#include "embed/offline_embedder.hpp"
#include "embed/openai_embedder.hpp"
#include "http/errors.hpp"
#include "http/server.hpp"
#include "memory/memory_search.hpp"
#include "migrate/push.hpp"
#include "migrate/report.hpp"
#include "realtime/database_authorizer.hpp"
#include "realtime/hub.hpp"
#include "realtime/realtime_api.hpp"
#include "rest/rest_api.hpp"
#include "rest/schema_cache.hpp"
#include "rest/schema_reload.hpp"
#include "util/log_failure.hpp"
#include "util/text.hpp"

namespace agentbase::app {

namespace asio = boost::asio;

namespace {

// Distinct request shapes kept prepared per API connection; beyond, they run
// unnamed. Connections are replaced on every schema reload anyway.
constexpr size_t kPreparedStatementsPerConnection = 100;
constexpr std::chrono::milliseconds kDeadlineGrace{2000};

// Brings the database up to the schema before serving it.
// user_memory.embedding's type as format_type writes it (real[], or
// extensions.vector(1536) with pgvector); "" without the column.
Result<std::string> EmbeddingColumnType(db::Connection& admin) {
  auto type = admin.Exec(
      "SELECT coalesce((SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a "
      "WHERE a.attrelid = pg_catalog.to_regclass('public.user_memory') AND a.attname = 'embedding' "
      "AND NOT a.attisdropped), '')");
  if (!type) return type.error();
  return type->Text(0, 0);
}

// One housekeeping statement that answers how many rows it deleted; with
// `until_none`, run again, each time in a transaction of its own, until it
// deletes none (prune_tool_calls deletes a batch a call). Returns the total,
// or nothing after a failure (logged).
asio::awaitable<std::optional<int64_t>> RunChore(db::Pool* pool, const db::Statement& statement, bool until_none) {
  // A bound, so that a table filling faster than it is pruned cannot keep
  // this loop going: the next round goes on.
  constexpr int kMaxRounds = 1000;
  int64_t total = 0;
  for (int round = 0; round < kMaxRounds; ++round) {
    std::vector<db::Statement> statements{statement};
    auto ran = co_await pool->Submit(std::move(statements));
    if (!ran || ran->failure) {
      spdlog::warn("housekeeping: {}", !ran ? ran.error().message : ran->failure->message);
      co_return std::nullopt;
    }
    std::string_view answer = ran->results.at(0).Get(0, 0);
    int64_t deleted = 0;
    if (std::from_chars(answer.data(), answer.data() + answer.size(), deleted).ec != std::errc()) {
      spdlog::warn("housekeeping: \"{}\" answered \"{}\", not a count", statement.sql, answer);
      co_return std::nullopt;
    }
    total += deleted;
    if (!until_none || deleted == 0) break;
  }
  co_return total;
}

// Every `interval`, on the admin pool (as the database's owner), until the
// server stops: deletes expired memories and, when `tool_call_retention_days`
// is set, tool call records older than that (their rollups stay).
asio::awaitable<void> Housekeep(db::Pool* pool, std::chrono::seconds interval, int tool_call_retention_days) {
  struct Chore {
    std::string done;
    db::Statement statement;
    bool until_none;
  };
  std::vector<Chore> chores;
  chores.push_back({"expired memories deleted", {"SELECT agentbase.purge_expired_memories()", {}}, false});
  if (tool_call_retention_days > 0) {
    chores.push_back({"old tool call records deleted",
                      {"SELECT public.prune_tool_calls(pg_catalog.make_interval(days => $1::integer))",
                       {std::to_string(tool_call_retention_days)}},
                      true});
  }
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (true) {
    timer.expires_after(interval);
    auto [waited] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (waited) co_return;
    for (const auto& chore : chores) {
      auto deleted = co_await RunChore(pool, chore.statement, chore.until_none);
      if (deleted && *deleted > 0) spdlog::info("housekeeping: {} {}", *deleted, chore.done);
    }
  }
}

Result<std::string> PushSchema(db::Connection& admin, int embedding_dimensions, bool& blocked) {
  auto desired = migrate::DesiredSchemaFor(admin, embedding_dimensions);
  if (!desired) return desired.error();
  auto outcome = migrate::PlanAndPush(admin, *desired, {});
  if (!outcome) return outcome.error();
  if (outcome->plan.Blocked()) {
    blocked = true;
    return migrate::BlockedText(outcome->plan);
  }
  if (outcome->applied) return "schema: applied " + std::to_string(outcome->plan.steps.size()) + " statements";
  return std::string("schema: up to date");
}

// A database that does not answer must not hold up the shutdown: the change
// feed gets this long to stop and drop its slot (else the slot stays, and the
// next start drops it).
constexpr std::chrono::milliseconds kFeedStopDeadline{2000};

asio::awaitable<void> StopFeedAndSignal(changes::Feed* feed, std::shared_ptr<asio::steady_timer> finished,
                                        std::shared_ptr<std::optional<Status>> stopped) {
  *stopped = co_await feed->Stop();
  finished->cancel();
}

asio::awaitable<void> StopFeed(changes::Feed* feed) {
  auto executor = co_await asio::this_coro::executor;
  auto finished = std::make_shared<asio::steady_timer>(executor, kFeedStopDeadline);
  auto stopped = std::make_shared<std::optional<Status>>();
  asio::co_spawn(executor, StopFeedAndSignal(feed, finished, stopped), asio::detached);
  boost::system::error_code cancelled;
  co_await finished->async_wait(asio::redirect_error(asio::use_awaitable, cancelled));
  if (!stopped->has_value()) {
    spdlog::warn("realtime: the change feed did not stop within {} ms; its replication slot stays until the next start",
                 kFeedStopDeadline.count());
  } else if (!**stopped) {
    spdlog::warn("realtime: the change feed did not stop cleanly: {}", (*stopped)->error().message);
  }
}

// SIGINT/SIGTERM: stop accepting, drain in-flight requests, stop the change
// feed (dropping its slot), close the pools, and let the event loop end.
asio::awaitable<void> Drain(http::Server* server, changes::Feed* feed, std::vector<db::Pool*> pools,
                            asio::io_context* io, std::chrono::milliseconds deadline) {
  spdlog::info("shutting down: draining in-flight requests");
  co_await server->Shutdown(deadline);
  co_await StopFeed(feed);
  for (db::Pool* pool : pools) pool->Close();
  io->stop();
}

// The change feed's state, logged when it changes (a feed that cannot
// connect retries every few seconds; once said is enough).
class FeedStatusLog {
 public:
  void operator()(const changes::FeedStatus& status) {
    std::string said = status.error ? status.error->message : "";
    if (status.state == last_state_ && said == last_error_) return;
    last_state_ = status.state;
    last_error_ = said;
    switch (status.state) {
      case changes::FeedState::kStreaming: spdlog::info("realtime: streaming the database's changes"); break;
      case changes::FeedState::kReconnecting:
        spdlog::warn("realtime: no change feed ({}); retrying{}", said,
                     status.error && !status.error->hint.empty() ? "; " + status.error->hint : "");
        break;
      case changes::FeedState::kGap: spdlog::warn("realtime: changes may have been missed: {}", said); break;
    }
  }

 private:
  std::optional<changes::FeedState> last_state_;
  std::string last_error_;
};

void LogEmbeddedServerNote(pgctl::LogLevel level, const std::string& message) {
  switch (level) {
    case pgctl::LogLevel::kInfo: spdlog::info("{}", message); break;
    case pgctl::LogLevel::kWarning: spdlog::warn("{}", message); break;
    case pgctl::LogLevel::kError: spdlog::error("{}", message); break;
  }
}

}  // namespace

int RunServe(const GlobalOptions& global, const ServeOptions& options) {
  ConfigureLogging(options.log_level, options.log_format == "json");
  TargetOptions target_options = global.target;
  target_options.embedded.log = LogEmbeddedServerNote;
  auto target = DatabaseTarget::Open(target_options);
  if (!target) return ReportError(target.error());

  // Keys first: without them the server could not work, so nothing is changed.
  auto keys = auth::KeyStore::Load(KeyStoreOptionsFor(global, options.keys));
  if (!keys) return ReportError(keys.error(), kExitUsage);
  if (keys->Verification().empty()) {
    Error error = Error::Usage("no JWT keys: tokens could be neither verified nor issued");
    error.hint = "pass your project's JWT secret with --jwt-secret (or AGENTBASE_JWT_SECRET), or its JWKS with --jwks";
    return ReportError(error);
  }

  auto admin = db::Connection::Open(target->Conninfo());
  if (!admin) return ReportError(admin.error());
  if (options.push) {
    bool blocked = false;
    auto pushed = PushSchema(*admin, global.embedding_dimensions, blocked);
    if (!pushed) return ReportError(pushed.error());
    if (blocked) {
      std::cerr << *pushed << "The schema cannot be applied; nothing was changed and the server did not start.\n";
      return kExitBlocked;
    }
    std::cout << *pushed << "\n";
  } else {
    std::cout << "schema: served as it is (--no-push)\n";
  }

  if (target->IsEmbedded() && options.demo && options.push) {
    auto demo = EnsureDemoData(*admin, std::filesystem::absolute(global.target.embedded.data_dir));
    if (!demo) return ReportError(demo.error());
    std::cout << *demo;
  }

  auto cache = rest::SchemaCache::Load(*admin, options.schema);
  if (!cache) return ReportError(cache.error());

  asio::io_context io(1);
  db::PoolOptions api_pool_options;
  api_pool_options.size = options.pool_size;
  api_pool_options.pipeline_depth = options.pipeline_depth;
  api_pool_options.prepared_statements = options.prepared_statements ? kPreparedStatementsPerConnection : 0;
  // API transactions are implicit (no BEGIN): pin their isolation level as
  // PostgREST does, whatever the database's default.
  api_pool_options.on_connect = {"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED"};
  api_pool_options.acquire_timeout = std::chrono::milliseconds(options.pool_timeout_ms);
  api_pool_options.reserve = options.pool_reserve;
  // PostgreSQL cancels a statement at statement_timeout; a backend that does
  // not even answer that (frozen, or a dead network) is given up soon after.
  api_pool_options.deadline = std::chrono::milliseconds(options.statement_timeout_ms) + kDeadlineGrace;
  // Requests connect as authenticator (as PostgREST does) and switch to the
  // JWT's role inside each transaction.
  std::string api_conninfo = !options.api_db_url.empty() ? options.api_db_url
                             : target->IsEmbedded()      ? target->Conninfo() + " user=authenticator"
                                                         : target->Conninfo();
  db::Pool api_pool(io.get_executor(), api_conninfo, api_pool_options);
  db::PoolOptions admin_pool_options;
  admin_pool_options.size = 2;
  db::Pool admin_pool(io.get_executor(), target->Conninfo(), admin_pool_options);

  rest::RestOptions rest_options;
  rest_options.schema = options.schema;
  rest_options.max_rows = options.max_rows > 0 ? std::optional<int64_t>(options.max_rows) : std::nullopt;
  rest_options.statement_timeout = std::chrono::milliseconds(options.statement_timeout_ms);
  rest_options.max_response_bytes = options.max_response_bytes;
  rest_options.jwt_roles = options.jwt_roles;
  rest_options.aggregates_enabled = options.aggregates_enabled;
  rest_options.plan_enabled = options.plan_enabled;
  rest::RestApi rest(api_pool, keys->Verification(), rest_options);
  rest.SetSchemaCache(*cache);

  // User memory: search_memories from exact in-memory indexes where the
  // embedding column is real[] (with pgvector the database answers), and
  // embeddings computed from text for remember and search_memories.
  auto embedding_type = EmbeddingColumnType(*admin);
  if (!embedding_type) return ReportError(embedding_type.error());
  memory::MemorySearchOptions memory_options;
  memory_options.index = options.memory_index && *embedding_type == "real[]";
  memory_options.dimensions = static_cast<size_t>(global.embedding_dimensions);
  memory_options.max_bytes = options.memory_index_bytes;
  std::shared_ptr<embed::Embedder> embedder;
  if (options.embedder == "openai") {
    embed::OpenAiEmbedderOptions embedder_options;
    embedder_options.url = options.embedder_url;
    embedder_options.model = options.embedder_model;
    embedder_options.api_key = options.embedder_key;
    embedder_options.timeout = std::chrono::milliseconds(options.embedder_timeout_ms);
    embedder_options.dimensions = memory_options.dimensions;
    auto made = embed::MakeOpenAiEmbedder(io.get_executor(), embedder_options);
    if (!made) return ReportError(made.error(), kExitUsage);
    embedder = std::move(*made);
  } else {
    embedder = embed::MakeOfflineEmbedder(memory_options.dimensions);
  }
  memory::EmbedText embed_text = [embedder](std::string text) -> asio::awaitable<Result<std::vector<float>>> {
    std::vector<std::string> texts;
    texts.push_back(std::move(text));
    auto embedded = co_await embedder->Embed(std::move(texts));
    if (!embedded) co_return embedded.error();
    co_return std::move(embedded->at(0));
  };
  auto memory_search = std::make_unique<memory::MemorySearch>(io.get_executor(), memory_options, embed_text);
  rest.SetServerFunction(
      "search_memories",
      [&memory_search](rest::ServerCall& call) -> asio::awaitable<Result<std::optional<std::string>>> {
        if (call.may_answer) {
          co_return co_await memory_search->Search(call.args, call.args_changed, call.role, call.claims, call.run);
        }
        // The database shapes the rows (select, filters, ...); the query's embedding is still computed here.
        auto embedded = co_await memory_search->EmbedMissing(call.args, call.args_changed, "query_text",
                                                             "query_embedding", memory::kMaxQueryTextChars);
        if (!embedded) co_return embedded.error();
        co_return std::nullopt;
      });
  rest.SetServerFunction(
      "remember", [&memory_search](rest::ServerCall& call) -> asio::awaitable<Result<std::optional<std::string>>> {
        // Not for anon, whom remember refuses anyway: an embedder may cost money.
        if (call.anonymous) co_return std::nullopt;
        auto embedded = co_await memory_search->EmbedMissing(call.args, call.args_changed, "value", "embedding",
                                                             memory::kMaxRememberedValueChars);
        if (!embedded) co_return embedded.error();
        co_return std::nullopt;
      });
  tools::SchemaCache tool_schemas;
  InstallToolFunctions(rest, tool_schemas);
  std::cout << "memory search: "
            << (memory_options.index ? "in-memory exact index" : "in the database (" + *embedding_type + ")")
            << "; embeddings of text: " << embedder->Describe() << "\n";
  auth::AuthOptions auth_options;
  auth_options.refresh_token_reuse_interval = std::chrono::seconds(options.refresh_token_reuse_interval_s);
  auth_options.sign_in_limits.per_address = {options.sign_in_attempts_per_address,
                                             std::chrono::seconds(options.sign_in_address_window_s)};
  auth_options.sign_in_limits.failures_per_account = {options.sign_in_failures_per_account,
                                                      std::chrono::seconds(options.sign_in_account_window_s)};
  auth_options.sign_in_limits.max_tracked = options.sign_in_tracked;
  auth_options.client_address_header = Trim(options.client_address_header);
  auth::AuthApi auth_api(admin_pool, *keys, auth_options);

  // Realtime. postgres_changes: the change feed reads the supabase_realtime
  // publication through logical replication (as the database's owner, who
  // may), and row level security decides who sees each change, asked on a
  // connection of its own.
  realtime::Hub realtime_hub(io.get_executor());
  db::PoolOptions realtime_pool_options;
  // One connection judges changes, one at a time (commit order); the other
  // refreshes subscribers' tenants in the background.
  realtime_pool_options.size = 2;
  db::Pool realtime_pool(io.get_executor(), target->Conninfo(), realtime_pool_options);
  changes::AuthorizerOptions change_authorizer_options;
  change_authorizer_options.roles = options.jwt_roles;
  changes::Authorizer change_authorizer(realtime_pool, change_authorizer_options);
  realtime_hub.SetAuthorizer(std::make_shared<realtime::DatabaseAuthorizer>(change_authorizer));
  changes::FeedOptions feed_options;
  feed_options.conninfo = target->Conninfo();
  auto feed = changes::Feed::Create(
      io.get_executor(), feed_options,
      [&realtime_hub](changes::Change change) {
        realtime_hub.Submit(std::make_shared<const changes::Change>(std::move(change)));
      },
      FeedStatusLog{});
  if (!feed) return ReportError(feed.error());
  (*feed)->Start();
  realtime::RealtimeOptions realtime_options;
  realtime_options.jwt_roles = options.jwt_roles;
  realtime_options.max_channels_per_socket = options.realtime_max_channels;
  realtime_options.max_messages_per_second = options.realtime_max_messages_per_second;
  realtime_options.max_broadcasts_per_second = options.realtime_max_broadcasts_per_second;
  realtime_options.socket.max_message_bytes = options.realtime_max_frame_bytes;
  realtime_options.socket.max_queued_bytes = options.realtime_max_queued_bytes;
  realtime::RealtimeApi realtime_api(realtime_hub, keys->Verification(), realtime_options);

  Routes routes;
  routes.rest = [&rest](http::Request request) { return rest.Handle(std::move(request)); };
  routes.realtime = [&realtime_api](http::Request request) { return realtime_api.Handle(std::move(request)); };
  auto gotrue = auth::GoTrueIsPresent(*admin);
  if (!gotrue) return ReportError(gotrue.error());
  // Without the push, agentbase's auth tables may not be there: auto leaves
  // /auth/v1 alone.
  bool serve_auth = options.auth_server == "on" || (options.auth_server == "auto" && !*gotrue && options.push);
  if (serve_auth) {
    routes.auth = [&auth_api](http::Request request) { return auth_api.Handle(std::move(request)); };
  } else {
    // GoTrue is the authority for its users and sessions: agentbase only
    // verifies the tokens it issues (--jwt-secret / --jwks).
    routes.auth = [](http::Request) -> asio::awaitable<http::Response> {
      co_return http::JsonError(404, "AB404",
                                "/auth/v1 is served by this project's GoTrue (Supabase Auth), not by agentbase", "",
                                "sign in through Supabase Auth; agentbase accepts its tokens");
    };
    spdlog::info("auth: GoTrue's auth schema found; /auth/v1 is left to it (--auth-server on serves it anyway)");
  }
  routes.ready = [&api_pool]() -> asio::awaitable<bool> {
    std::vector<db::Statement> probe(1);
    probe[0].sql = "SELECT 1";
    auto answered = co_await api_pool.Submit(std::move(probe));
    co_return answered && !answered->failure;
  };
  http::Server* serving = nullptr;  // set once the server exists; the gauges read it
  routes.gauges = [&api_pool, &serving, &memory_search, &realtime_hub, &change_authorizer] {
    metrics::Gauges gauges;
    if (serving != nullptr) {
      gauges.open_connections = serving->ActiveSessions();
      gauges.idle_connections = serving->IdleSessions();
    }
    db::PoolStats pool = api_pool.Stats();
    gauges.pool_open = pool.open;
    gauges.pool_busy = pool.busy;
    gauges.pool_waiting = pool.waiting;
    gauges.pool_waits = pool.waits;
    gauges.pool_timeouts = pool.timeouts;
    gauges.resident_bytes = metrics::ResidentSetBytes();
    memory::MemorySearchStats memory = memory_search->Stats();
    gauges.memory_searches = memory.searches;
    gauges.memory_passed_on = memory.passed_on;
    gauges.memory_reloads = memory.reloads;
    gauges.memory_evictions = memory.evictions;
    gauges.memory_index_bytes = memory.bytes;
    gauges.memory_index_users = memory.users;
    const realtime::HubStats& hub = realtime_hub.Stats();
    gauges.realtime_channels = realtime_hub.MemberCount();
    gauges.realtime_queued_changes = realtime_hub.QueuedChanges();
    gauges.realtime_changes = hub.changes_received;
    gauges.realtime_changes_dropped = hub.changes_dropped;
    gauges.realtime_changes_withheld = hub.changes_withheld;
    gauges.realtime_change_deliveries = hub.change_deliveries;
    gauges.realtime_broadcast_deliveries = hub.broadcast_deliveries;
    gauges.realtime_presence_deliveries = hub.presence_deliveries;
    gauges.realtime_authorizer_queries = change_authorizer.Queries();
    return gauges;
  };
  routes.metrics_token = options.metrics_token;
  routes.access_log = options.access_log;
  routes.json_logs = options.log_format == "json";
  auto console_site = std::make_shared<const console::Site>(console::EmbeddedAssets(), keys->AnonKey());
  if (!console_site->Empty()) routes.console = console_site;
  http::ServerOptions server_options;
  server_options.address = options.host;
  server_options.port = static_cast<uint16_t>(options.port);
  server_options.max_connections = options.max_connections;
  server_options.body_limit = options.body_limit;
  server_options.max_connections_per_address = options.max_connections_per_address;
  server_options.request_timeout = std::chrono::seconds(options.request_timeout_s);
  server_options.header_timeout = std::chrono::milliseconds(options.header_timeout_ms);
  server_options.idle_timeout = std::chrono::milliseconds(options.idle_timeout_ms);
  http::Server server(io, server_options, MakeRouter(routes));
  server.AddUpgradeRoute(std::string(realtime::kWebSocketPath),
                         [&realtime_api](http::Request request) { return realtime_api.Upgrade(std::move(request)); });
  serving = &server;
  auto port = server.Start();
  if (!port) return ReportError(port.error());

  std::cout << "agentbase serving " << target->Description() << "\n"
            << "  API:          http://" << options.host << ":" << *port
            << "  (REST /rest/v1, auth /auth/v1, realtime /realtime/v1)\n"
            << (routes.console ? "  console:      http://" + options.host + ":" + std::to_string(*port) + "/\n" : "")
            << "  anon key:     " << keys->AnonKey() << "\n"
            << "  service key:  " << keys->ServiceRoleKey() << "\n"
            << std::flush;

  // A crashed embedded server is restarted while we serve. Connections to the
  // dead one are then dropped at once, instead of each failing a request
  // (503) before the pools notice.
  auto supervision = target->SuperviseEmbeddedServer([&io, &api_pool, &admin_pool, &realtime_pool] {
    asio::post(io, [&api_pool, &admin_pool, &realtime_pool] {
      api_pool.Recycle();
      admin_pool.Recycle();
      realtime_pool.Recycle();
    });
  });

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    asio::co_spawn(io,
                   Drain(&server, feed->get(), {&api_pool, &admin_pool, &realtime_pool}, &io,
                         std::chrono::milliseconds(options.drain_timeout_ms)),
                   LogFailure{"drain"});
  });
  asio::co_spawn(io, rest::WatchSchemaReloads(io.get_executor(), target->Conninfo(), &rest, &api_pool),
                 LogFailure{"schema watcher"});
  if (options.memory_purge_interval_s > 0) {
    asio::co_spawn(
        io,
        Housekeep(&admin_pool, std::chrono::seconds(options.memory_purge_interval_s), options.tool_call_retention_days),
        LogFailure{"housekeeping"});
  }
  // A JWKS URL is fetched again periodically, on a thread of its own (the
  // fetch blocks), so that rotated keys are honoured without a restart.
  asio::thread_pool jwks_fetcher(1);
  if (auth::IsJwksUrl(options.keys.jwks)) {
    auth::JwksRefreshOptions refresh;
    refresh.url = Trim(options.keys.jwks);
    refresh.initial_document = keys->FetchedJwks();
    refresh.interval = std::chrono::seconds(options.jwks_refresh_s);
    asio::co_spawn(io,
                   auth::RefreshJwks(jwks_fetcher, refresh, *keys,
                                     [&rest, &realtime_api] {
                                       rest.ClearTokenCache();
                                       realtime_api.ClearTokenCache();
                                     }),
                   LogFailure{"jwks refresh"});
  }
  // Only this thread and only while serving: the embedded PostgreSQL and the
  // JWKS fetcher were started before, and stopping the cluster afterwards
  // must not hand the policy on.
  bool batch = false;
  if (options.sched_batch) {
    auto switched = UseBatchScheduling();
    if (!switched) spdlog::warn("serve: {}; serving under the default CPU scheduling policy", switched.error().message);
    batch = switched.ok();
  }
  io.run();
  if (batch) {
    if (auto restored = UseDefaultScheduling(); !restored) spdlog::warn("serve: {}", restored.error().message);
  }
  jwks_fetcher.join();
  std::cout << "agentbase stopped\n";
  return kExitOk;
}

void AddServeCommand(CLI::App& app, GlobalOptions& global, ServeOptions& options, int& exit_code) {
  auto* serve = app.add_subcommand(
      "serve",
      "Bring the database up to the schema and serve Supabase's API over it: REST at /rest/v1 (PostgREST's dialect) "
      "and email/password auth at /auth/v1");
  AddServeOptions(serve, options);
  serve->callback([&] { exit_code = RunServe(global, options); });
}

}  // namespace agentbase::app
