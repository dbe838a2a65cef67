#include "app/serve_options.hpp"

namespace agentbase::app {

void AddServeOptions(CLI::App* serve, ServeOptions& options) {
  serve->add_option("--host", options.host, "Address to listen on")->envname("AGENTBASE_HOST")->capture_default_str();
  serve->add_option("--port", options.port, "Port to listen on")
      ->envname("AGENTBASE_PORT")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  serve
      ->add_option("--api-db-url", options.api_db_url,
                   "Connection for API requests, e.g. as Supabase's authenticator role (default: the embedded "
                   "database's authenticator, or --db-url)")
      ->envname("AGENTBASE_API_DB_URL");
  serve->add_option("--pool-size", options.pool_size, "Database connections for API requests")
      ->envname("AGENTBASE_POOL_SIZE")
      ->check(CLI::Range(1, 512))
      ->capture_default_str();
  serve
      ->add_option("--pipeline-depth", options.pipeline_depth,
                   "Transactions pipelined on one database connection at most, once every connection is busy "
                   "(1: one at a time)")
      ->envname("AGENTBASE_PIPELINE_DEPTH")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  serve
      ->add_option("--pool-reserve", options.pool_reserve,
                   "Extra database connections opened only when every connection is held up, and only for callers "
                   "holding up none, so one tenant's slow requests cannot make others wait")
      ->envname("AGENTBASE_POOL_RESERVE")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  serve
      ->add_flag("--prepared-statements,!--no-prepared-statements", options.prepared_statements,
                 "Prepare each request shape once per database connection and reuse it (as PostgREST's "
                 "db-prepared-statements; turn off behind a pooler in transaction mode)")
      ->envname("AGENTBASE_PREPARED_STATEMENTS")
      ->capture_default_str();
  serve
      ->add_flag("--sched-batch,!--no-sched-batch", options.sched_batch,
                 "Run the event loop under Linux's SCHED_BATCH policy: same CPU share, but its wake-ups do not "
                 "preempt PostgreSQL on a shared machine, so it handles several events per wake-up")
      ->envname("AGENTBASE_SCHED_BATCH")
      ->capture_default_str();
  serve
      ->add_option("--jwks-refresh-s", options.jwks_refresh_s,
                   "With --jwks as an http(s) URL: how often it is fetched again, in seconds")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  serve
      ->add_option("--pool-timeout-ms", options.pool_timeout_ms,
                   "How long a request may wait for a database connection (then 504 PGRST003)")
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  serve
      ->add_option("--max-connections", options.max_connections,
                   "Client connections served at once (beyond: the one waiting longest for a request is closed, or "
                   "the new one gets 503)")
      ->envname("AGENTBASE_MAX_CONNECTIONS")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  serve
      ->add_option("--max-connections-per-address", options.max_connections_per_address,
                   "Client connections from one address (IPv6: one /64) at once; beyond, one waiting for a request "
                   "is closed, or the new one gets 503 (0: no cap)")
      ->envname("AGENTBASE_MAX_CONNECTIONS_PER_ADDRESS")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  serve->add_option("--body-limit", options.body_limit, "Largest request body in bytes (beyond: 413)")
      ->envname("AGENTBASE_BODY_LIMIT")
      ->capture_default_str();
  serve
      ->add_option("--request-timeout", options.request_timeout_s,
                   "Seconds a client may take to send a request's body, and to take its response (slow clients "
                   "are dropped)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve
      ->add_option("--header-timeout-ms", options.header_timeout_ms,
                   "How long a request's line and headers may take to arrive, from a new connection's accept or a "
                   "request's first byte (slow clients are dropped)")
      ->envname("AGENTBASE_HEADER_TIMEOUT_MS")
      ->check(CLI::Range(1, 3600000))
      ->capture_default_str();
  serve
      ->add_option("--idle-timeout-ms", options.idle_timeout_ms,
                   "How long a kept-alive connection may wait for its next request before it is closed")
      ->envname("AGENTBASE_IDLE_TIMEOUT_MS")
      ->check(CLI::Range(1, 3600000))
      ->capture_default_str();
  serve->add_option("--statement-timeout-ms", options.statement_timeout_ms, "statement_timeout of each API request")
      ->envname("AGENTBASE_STATEMENT_TIMEOUT_MS")
      ->check(CLI::Range(1, 3600000))
      ->capture_default_str();
  serve->add_option("--max-rows", options.max_rows, "Most rows one read returns (Supabase's db-max-rows; 0: no cap)")
      ->envname("AGENTBASE_MAX_ROWS")
      ->capture_default_str();
  serve
      ->add_option("--max-response-bytes", options.max_response_bytes,
                   "Largest REST response body in bytes (beyond: 400 AB400, refused by the database before it is "
                   "sent)")
      ->envname("AGENTBASE_MAX_RESPONSE_BYTES")
      ->check(CLI::Range(int64_t{1024}, int64_t{1} << 30))
      ->capture_default_str();
  serve
      ->add_option("--jwt-roles", options.jwt_roles,
                   "The roles a JWT's role claim may name, exactly (others: 401 PGRST303)")
      ->envname("AGENTBASE_JWT_ROLES")
      ->delimiter(',')
      ->capture_default_str();
  AddKeyOptions(serve, options.keys);
  serve
      ->add_option("--schema", options.schema,
                   "The schemas the API exposes, comma-separated, the default first (others are chosen with "
                   "Accept-Profile / Content-Profile)")
      ->capture_default_str();
  serve
      ->add_option("--drain-timeout-ms", options.drain_timeout_ms,
                   "On SIGINT/SIGTERM, how long in-flight requests may take to finish")
      ->capture_default_str();
  serve->add_option("--log-level", options.log_level, "trace, debug, info, warn, error")
      ->envname("AGENTBASE_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  serve
      ->add_option("--auth-server", options.auth_server,
                   "Serve /auth/v1: auto (yes, unless the database has GoTrue's auth schema, which then stays the "
                   "authority for its users and sessions), on, off")
      ->envname("AGENTBASE_AUTH_SERVER")
      ->check(CLI::IsMember({"auto", "on", "off"}))
      ->capture_default_str();
  serve->add_option("--log-format", options.log_format, "text, or json: one JSON object per line")
      ->envname("AGENTBASE_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  serve
      ->add_flag("--access-log", options.access_log,
                 "Log every request (method, path, status, duration, request id) at info level")
      ->envname("AGENTBASE_ACCESS_LOG");
  serve
      ->add_option("--metrics-token", options.metrics_token,
                   "/metrics answers loopback clients, and others that send this as a bearer token")
      ->envname("AGENTBASE_METRICS_TOKEN");
  serve->add_flag("!--no-push", options.push,
                  "Serve the database as it is, without bringing it up to agentbase's schema: agentbase in front "
                  "of any schema, as PostgREST (with --auth-server auto, /auth/v1 is then not served)");
  serve->add_flag("--db-aggregates", options.aggregates_enabled,
                  "Allow aggregates in select (col.sum(), count() ...), as PostgREST's db-aggregates-enabled");
  serve->add_flag("--db-plan", options.plan_enabled,
                  "Answer Accept: application/vnd.pgrst.plan with the statement's EXPLAIN, as PostgREST's "
                  "db-plan-enabled");
  serve
      ->add_flag("--memory-index,!--no-memory-index", options.memory_index,
                 "Answer search_memories from an exact in-memory per-user index, kept consistent with the table "
                 "(where user_memory.embedding is real[]; with pgvector the database answers); off: exact SQL")
      ->envname("AGENTBASE_MEMORY_INDEX")
      ->capture_default_str();
  serve
      ->add_option("--memory-index-bytes", options.memory_index_bytes,
                   "Memory the indexes may hold together; the least recently searched users are dropped beyond it")
      ->envname("AGENTBASE_MEMORY_INDEX_BYTES")
      ->check(CLI::Range(size_t{1} << 20, size_t{1} << 40))
      ->capture_default_str();
  serve
      ->add_option("--memory-purge-interval-s", options.memory_purge_interval_s,
                   "How often expired memories (and tool call records past their retention) are deleted (0: never)")
      ->check(CLI::Range(0, 86400 * 7))
      ->capture_default_str();
  serve
      ->add_option(
          "--tool-call-retention-days", options.tool_call_retention_days,
          "Raw tool call records older than this are deleted (their hourly and daily rollups stay; 0: keep all)")
      ->envname("AGENTBASE_TOOL_CALL_RETENTION_DAYS")
      ->check(CLI::Range(0, 3660))
      ->capture_default_str();
  serve
      ->add_option("--realtime-max-channels", options.realtime_max_channels,
                   "Channels one realtime socket may join (beyond: join error ChannelRateLimitReached)")
      ->envname("AGENTBASE_REALTIME_MAX_CHANNELS")
      ->check(CLI::Range(size_t{1}, size_t{100000}))
      ->capture_default_str();
  serve
      ->add_option("--realtime-max-messages-per-second", options.realtime_max_messages_per_second,
                   "Messages one realtime socket may send in a second (beyond: closed with 1008)")
      ->envname("AGENTBASE_REALTIME_MAX_MESSAGES_PER_SECOND")
      ->check(CLI::Range(size_t{1}, size_t{1000000}))
      ->capture_default_str();
  serve
      ->add_option("--realtime-max-broadcasts-per-second", options.realtime_max_broadcasts_per_second,
                   "Broadcasts one realtime socket may send in a second (beyond: the channel is shut with "
                   "\"Too many messages per second\")")
      ->envname("AGENTBASE_REALTIME_MAX_BROADCASTS_PER_SECOND")
      ->check(CLI::Range(size_t{1}, size_t{1000000}))
      ->capture_default_str();
  serve
      ->add_option("--realtime-max-frame-bytes", options.realtime_max_frame_bytes,
                   "Largest frame a realtime socket may send (beyond: closed with 1009)")
      ->envname("AGENTBASE_REALTIME_MAX_FRAME_BYTES")
      ->check(CLI::Range(size_t{1024}, size_t{64} << 20))
      ->capture_default_str();
  serve
      ->add_option("--realtime-max-queued-bytes", options.realtime_max_queued_bytes,
                   "Output waiting for a realtime socket that does not read (beyond: the socket is dropped)")
      ->envname("AGENTBASE_REALTIME_MAX_QUEUED_BYTES")
      ->check(CLI::Range(size_t{64} << 10, size_t{1} << 30))
      ->capture_default_str();
  serve
      ->add_option("--embedder", options.embedder,
                   "How text becomes an embedding (remember's value, search_memories' query_text): offline (built in, "
                   "lexical: words and character trigrams hashed, no network, not a neural model) or openai (an "
                   "OpenAI-compatible /embeddings endpoint)")
      ->envname("AGENTBASE_EMBEDDER")
      ->check(CLI::IsMember({"offline", "openai"}))
      ->capture_default_str();
  serve->add_option("--embedder-url", options.embedder_url, "With --embedder openai: the API's base URL")
      ->envname("AGENTBASE_EMBEDDER_URL")
      ->capture_default_str();
  serve->add_option("--embedder-model", options.embedder_model, "With --embedder openai: the model")
      ->envname("AGENTBASE_EMBEDDER_MODEL")
      ->capture_default_str();
  serve->add_option("--embedder-key", options.embedder_key, "With --embedder openai: the API key (prefer the variable)")
      ->envname("AGENTBASE_EMBEDDER_KEY");
  serve
      ->add_option("--embedder-timeout-ms", options.embedder_timeout_ms,
                   "With --embedder openai: how long one call may take")
      ->check(CLI::Range(100, 600000))
      ->capture_default_str();
  serve->add_flag("!--no-demo", options.demo,
                  "Do not seed the demo data (agentbase seed --demo) on a new embedded database");
  serve
      ->add_option("--refresh-token-reuse-interval-s", options.refresh_token_reuse_interval_s,
                   "Seconds after a refresh during which the replaced refresh token still gets the session's "
                   "current one (two tabs refreshing at once) instead of ending the session (0: never)")
      ->envname("AGENTBASE_REFRESH_TOKEN_REUSE_INTERVAL_S")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  serve
      ->add_option("--sign-in-attempts-per-address", options.sign_in_attempts_per_address,
                   "Password sign-in attempts one client address may make per --sign-in-address-window-s "
                   "(beyond: 429; 0: no limit)")
      ->envname("AGENTBASE_SIGN_IN_ATTEMPTS_PER_ADDRESS")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  serve
      ->add_option("--sign-in-address-window-s", options.sign_in_address_window_s,
                   "The window of --sign-in-attempts-per-address, in seconds")
      ->envname("AGENTBASE_SIGN_IN_ADDRESS_WINDOW_S")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  serve
      ->add_option("--sign-in-failures-per-account", options.sign_in_failures_per_account,
                   "Failed password sign-ins one account may have per --sign-in-account-window-s, from any "
                   "address (beyond: 429, even with the right password; 0: no limit)")
      ->envname("AGENTBASE_SIGN_IN_FAILURES_PER_ACCOUNT")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  serve
      ->add_option("--sign-in-account-window-s", options.sign_in_account_window_s,
                   "The window of --sign-in-failures-per-account, in seconds")
      ->envname("AGENTBASE_SIGN_IN_ACCOUNT_WINDOW_S")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  serve
      ->add_option("--sign-in-tracked", options.sign_in_tracked,
                   "Client addresses, and accounts, the sign-in limits remember at most (the least recently "
                   "seen are forgotten beyond)")
      ->envname("AGENTBASE_SIGN_IN_TRACKED")
      ->check(CLI::Range(size_t{1}, size_t{100000000}))
      ->capture_default_str();
  serve
      ->add_option("--client-address-header", options.client_address_header,
                   "Behind a reverse proxy: the header naming the client for the sign-in limits, e.g. "
                   "X-Forwarded-For (its last entry is used); default: the connection's peer address")
      ->envname("AGENTBASE_CLIENT_ADDRESS_HEADER");
}

}  // namespace agentbase::app
