// The nonblocking libpq pipeline and the pool, against real PostgreSQL.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <set>

#include "db/async_connection.hpp"
#include "db/pool.hpp"
#include "harness.hpp"

namespace agentbase::testing {

namespace asio = boost::asio;

namespace {

// Runs a coroutine to completion on a fresh io_context.
template <class Coroutine>
auto RunLoop(Coroutine coroutine) {
  asio::io_context io;
  auto future = asio::co_spawn(io, coroutine(io.get_executor()), asio::use_future);
  io.run();
  return future.get();
}

std::vector<db::Statement> RequestTransaction(std::string query, db::Params params = {}) {
  std::vector<db::Statement> statements;
  statements.push_back({"BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY", {}});
  statements.push_back({"SELECT pg_catalog.set_config('request.jwt.claims', $1, true)", {R"({"sub":"x"})"}});
  statements.push_back({std::move(query), std::move(params)});
  statements.push_back({"COMMIT", {}});
  return statements;
}

asio::awaitable<std::string> PipelinedRequest(asio::any_io_executor executor, std::string conninfo) {
  auto connection = co_await db::AsyncConnection::Connect(executor, conninfo);
  if (!connection) co_return "connect: " + connection.error().message;
  db::Params params(1, std::string("!"));
  auto outcome =
      co_await (*connection)->Run(RequestTransaction("SELECT current_setting('request.jwt.claims') || $1", params));
  if (!outcome) co_return "run: " + outcome.error().message;
  if (outcome->failure) co_return "failure: " + outcome->failure->message;
  // After COMMIT the setting is gone and the connection is idle again.
  std::vector<db::Statement> probe(1);
  probe[0].sql = "SELECT coalesce(current_setting('request.jwt.claims', true), '')";
  auto after = co_await (*connection)->Run(std::move(probe));
  if (!after || after->failure) co_return std::string("second run failed");
  co_return outcome->results[2].Text(0, 0) + "|" + after->results[0].Text(0, 0) + "|" +
      ((*connection)->Reusable() ? "reusable" : "dirty");
}

asio::awaitable<std::string> FailingStatement(asio::any_io_executor executor, std::string conninfo) {
  auto connection = co_await db::AsyncConnection::Connect(executor, conninfo);
  if (!connection) co_return std::string("connect failed");
  auto outcome = co_await (*connection)->Run(RequestTransaction("SELECT 1 / 0"));
  if (!outcome) co_return "broken: " + outcome.error().message;
  std::string failure =
      outcome->failure ? outcome->failure->code + " at " + std::to_string(outcome->failed_statement) : "no failure";
  co_return failure + "|" + ((*connection)->Reusable() ? "reusable" : "dirty");
}

asio::awaitable<std::string> PoolBounds(asio::any_io_executor executor, std::string conninfo) {
  db::PoolOptions options;
  options.size = 2;
  options.max_waiters = 1;
  options.acquire_timeout = std::chrono::milliseconds(200);
  db::Pool pool(executor, conninfo, options);
  auto first = co_await pool.Acquire();
  auto second = co_await pool.Acquire();
  if (!first || !second) co_return std::string("could not fill the pool");
  int pid = (*first)->BackendPid();
  auto timed_out = co_await pool.Acquire();  // waits 200 ms, then gives up
  std::string result =
      timed_out ? "acquired?!" : std::string(KindName(timed_out.error().Kind())) + ":" + timed_out.error().code;
  { auto give_back = std::move(*first); }
  auto reused = co_await pool.Acquire();
  if (!reused) co_return std::string("no reuse");
  result += (*reused)->BackendPid() == pid ? "|reused" : "|new";
  result += "|open=" + std::to_string(pool.Open());
  co_return result;
}

}  // namespace

TEST(AsyncConnection, OneRoundTripTransactionWithLocalSettings) {
  std::string conninfo = AdminConninfo();
  EXPECT_EQ(RunLoop([&](auto executor) { return PipelinedRequest(executor, conninfo); }), R"({"sub":"x"}!||reusable)");
}

TEST(AsyncConnection, FailedStatementIsAValueAndTheConnectionIsCleanedUp) {
  std::string conninfo = AdminConninfo();
  EXPECT_EQ(RunLoop([&](auto executor) { return FailingStatement(executor, conninfo); }), "22012 at 2|reusable");
}

TEST(AsyncConnection, ConnectFailureIsAValue) {
  auto result = RunLoop([](auto executor) -> asio::awaitable<std::string> {
    auto connection = co_await db::AsyncConnection::Connect(executor, "postgresql://nobody@127.0.0.1:1/x");
    co_return connection ? std::string("connected?!") : connection.error().code;
  });
  EXPECT_EQ(result, "connect");
}

TEST(Pool, BoundedWithTimeoutAndReuse) {
  std::string conninfo = AdminConninfo();
  EXPECT_EQ(RunLoop([&](auto executor) { return PoolBounds(executor, conninfo); }), "busy:pool-timeout|reused|open=2");
}

namespace {

std::vector<db::Statement> Statements(std::vector<std::pair<std::string, db::Params>> list) {
  std::vector<db::Statement> statements;
  for (auto& [sql, params] : list) statements.push_back({std::move(sql), std::move(params)});
  return statements;
}

// A pool of `size` connections, up to `depth` transactions in flight on each.
db::PoolOptions Options(size_t size, size_t depth) {
  db::PoolOptions options;
  options.size = size;
  options.pipeline_depth = depth;
  return options;
}

// What one submission saw: its own value, or the SQLSTATE and the index of
// the statement that failed.
std::string Describe(const Result<db::PipelineOutcome>& outcome) {
  if (!outcome) return "broken: " + outcome.error().message;
  if (outcome->failure) return outcome->failure->code + "@" + std::to_string(outcome->failed_statement);
  return outcome->results.back().Text(0, 0);
}

}  // namespace

TEST(Pool, PipelinedSubmissionsOnOneConnectionStayIndependent) {
  asio::io_context io;
  db::PoolOptions options = Options(1, 8);
  db::Pool pool(io.get_executor(), AdminConninfo(), options);
  std::vector<std::string> seen(8);
  std::set<int> backends;
  for (int i = 0; i < 8; ++i) {
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          std::string mine = "value-" + std::to_string(i);
          std::vector<std::pair<std::string, db::Params>> list;
          // Each sets a transaction-local setting, reads it back, and says
          // whether an earlier submission's setting is visible (it must not be).
          list.push_back({"SELECT pg_catalog.set_config('agentbase.test', $1, true)", {mine}});
          if (i == 3) list.push_back({"SELECT 1 / 0", {}});  // fails; the others must not notice
          if (i == 5) list.push_back({"SELECT pg_catalog.current_setting('agentbase.nope')", {}});
          list.push_back({"SELECT pg_catalog.current_setting('agentbase.test') || '|' || pg_backend_pid()::text", {}});
          auto outcome = co_await pool.Submit(Statements(std::move(list)));
          std::string text = Describe(outcome);
          if (auto bar = text.find('|'); bar != std::string::npos) {
            backends.insert(std::stoi(text.substr(bar + 1)));
            text.resize(bar);
          }
          seen[i] = text;
        },
        asio::detached);
  }
  io.run();
  EXPECT_EQ(seen, (std::vector<std::string>{"value-0", "value-1", "value-2", "22012@1", "value-4", "42704@1", "value-6",
                                            "value-7"}));
  EXPECT_EQ(backends.size(), 1u) << "all on the one connection";
  // Nothing stays behind: the setting is gone and the connection is reusable.
  std::string after = "not run";
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        std::vector<db::Statement> probe(1);
        probe[0].sql = "SELECT coalesce(pg_catalog.current_setting('agentbase.test', true), '')";
        after = Describe(co_await pool.Submit(std::move(probe)));
      },
      asio::detached);
  io.restart();
  io.run();
  EXPECT_EQ(after, "");
}

TEST(AsyncConnection, SubmissionsReallyShareTheConnection) {
  // Behind a slow first one, the others are all sent and in flight at once
  // (not queued for the connection), and still each gets its own answer.
  asio::io_context io;
  std::unique_ptr<db::AsyncConnection> connection;
  size_t in_flight = 0;
  std::vector<std::string> seen(8);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto connected = co_await db::AsyncConnection::Connect(io.get_executor(), AdminConninfo());
        if (!connected) co_return;
        connection = std::move(*connected);
        for (int i = 0; i < 8; ++i) {
          asio::co_spawn(
              io,
              [&, i]() -> asio::awaitable<void> {
                std::vector<db::Statement> statements(1);
                statements[0].sql = i == 0 ? "SELECT pg_sleep(0.3)::text || '0'" : "SELECT $1";
                if (i != 0) statements[0].params.emplace_back(std::to_string(i));
                seen[i] = Describe(co_await connection->Submit(std::move(statements)));
              },
              asio::detached);
        }
        asio::steady_timer pause(io);
        pause.expires_after(std::chrono::milliseconds(100));
        co_await pause.async_wait(asio::use_awaitable);
        in_flight = connection->InFlight();
      },
      asio::detached);
  io.run();
  EXPECT_EQ(in_flight, 8u);
  EXPECT_EQ(seen, (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7"}));
}

TEST(Pool, ManyConcurrentSubmissionsEachGetTheirOwnAnswer) {
  // 300 requests over 2 connections, up to 8 deep, a fifth of them failing
  // in different ways: every answer must be its own request's.
  asio::io_context io;
  db::PoolOptions options = Options(2, 8);
  options.prepared_statements = 4;
  db::Pool pool(io.get_executor(), AdminConninfo(), options);
  constexpr int kRequests = 300;
  std::vector<std::string> seen(kRequests), expected(kRequests);
  for (int i = 0; i < kRequests; ++i) {
    std::string mine = std::to_string(i);
    std::vector<db::Statement> statements;
    statements.push_back({"SELECT pg_catalog.set_config('agentbase.mine', $1, true)", {mine}, true});
    switch (i % 5) {
      case 1:
        statements.push_back({"SELECT (1 / ($1::int - $1::int))::text", {mine}, true});
        expected[i] = "22012@1";
        break;
      case 3:
        statements.push_back({"SELECT $1::int::text", {std::string("not a number")}, i % 2 == 0});
        expected[i] = "22P02@1";
        break;
      default:
        statements.push_back({"SELECT pg_catalog.current_setting('agentbase.mine') || '/' || $1", {mine}, true});
        expected[i] = mine + "/" + mine;
    }
    asio::co_spawn(
        io,
        [&pool, &seen, i, statements = std::move(statements)]() mutable -> asio::awaitable<void> {
          auto outcome = co_await pool.Submit(std::move(statements));
          seen[i] = Describe(outcome);
        },
        asio::detached);
  }
  io.run();
  EXPECT_EQ(seen, expected);
  EXPECT_LE(pool.Open(), 2u);
}

TEST(Pool, ImplicitTransactionCommitsAtSyncAndRollsBackWholeOnError) {
  TestDatabase database;
  std::string conninfo = database.Conninfo();
  auto result = RunLoop([&](auto executor) -> asio::awaitable<std::string> {
    db::Pool pool(executor, conninfo, db::PoolOptions{});
    std::vector<std::vector<db::Statement>> steps;
    steps.push_back(Statements({{"CREATE TABLE t (id int PRIMARY KEY)", {}}, {"SELECT 'created'", {}}}));
    // The second statement fails: the first one's row must not stay.
    steps.push_back(Statements({{"INSERT INTO t VALUES (1)", {}}, {"INSERT INTO t VALUES (1)", {}}}));
    // A failure at commit (a deferred constraint) is reported, not success,
    // with the statement count as its index.
    steps.push_back(Statements({{"CREATE TABLE parent (id int PRIMARY KEY)", {}},
                                {"CREATE TABLE child (parent int REFERENCES parent DEFERRABLE INITIALLY DEFERRED)", {}},
                                {"SELECT 'tables'", {}}}));
    steps.push_back(Statements({{"INSERT INTO child VALUES (7)", {}}, {"SELECT 'inserted'", {}}}));
    steps.push_back(
        Statements({{"SELECT (SELECT count(*) FROM t)::text || '/' || (SELECT count(*) FROM child)::text", {}}}));
    std::string out;
    for (auto& step : steps) {
      auto outcome = co_await pool.Submit(std::move(step));
      out += (out.empty() ? "" : ",") + Describe(outcome);
    }
    co_return out;
  });
  EXPECT_EQ(result, "created,23505@1,tables,23503@2,0/0");
}

TEST(Pool, WholeConnectionWaitsForSharedWorkAndSharingAvoidsStalledConnections) {
  asio::io_context io;
  db::PoolOptions options = Options(2, 4);
  options.stall_after = std::chrono::milliseconds(20);
  db::Pool pool(io.get_executor(), AdminConninfo(), options);
  std::vector<std::string> order;
  auto submit = [&](std::string name, std::string sql) {
    asio::co_spawn(
        io,
        [&, name, sql]() -> asio::awaitable<void> {
          std::vector<db::Statement> statements(1);
          statements[0].sql = sql;
          auto outcome = co_await pool.Submit(std::move(statements));
          order.push_back(name + (outcome && !outcome->failure ? "" : "!"));
        },
        asio::detached);
  };
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        // Seconds of slack between the steps: a busy machine may start a
        // connection or a timer a few hundred milliseconds late.
        submit("slow", "SELECT pg_sleep(3)");
        submit("busy", "SELECT pg_sleep(0.6)");  // the second connection
        asio::steady_timer pause(io);
        pause.expires_after(std::chrono::milliseconds(300));
        co_await pause.async_wait(asio::use_awaitable);
        // Both connections are busy; the slow one counts as stalled, so these
        // queue behind "busy" only, and finish long before "slow".
        for (int i = 0; i < 3; ++i) submit("fast" + std::to_string(i), "SELECT 1");
        // A whole connection: only once one has nothing in flight.
        auto lease = co_await pool.Acquire();
        order.push_back(lease && (*lease)->Reusable() ? "whole" : "whole!");
      },
      asio::detached);
  io.run();
  EXPECT_EQ(order, (std::vector<std::string>{"busy", "fast0", "fast1", "fast2", "whole", "slow"}));
  EXPECT_EQ(pool.Open(), 2u);
}

TEST(Pool, PreparedStatementsAreReusedSurviveFailuresAndGoWithRecycle) {
  asio::io_context io;
  db::PoolOptions options;
  options.size = 1;
  options.prepared_statements = 2;
  db::Pool pool(io.get_executor(), AdminConninfo(), options);
  std::vector<std::string> seen;
  auto step = [&](std::vector<db::Statement> statements) -> asio::awaitable<void> {
    auto outcome = co_await pool.Submit(std::move(statements));
    seen.push_back(Describe(outcome));
  };
  auto reused = [](std::string sql, db::Params params = {}) {
    db::Statement statement{std::move(sql), std::move(params), true};
    return statement;
  };
  // The prepared statements of this connection, as PostgreSQL lists them
  // (asked unnamed, so that the question is not among them).
  auto listed = [&]() {
    db::Statement statement{
        "SELECT count(*)::text || ':' || coalesce(string_agg(statement, ' | ' ORDER BY name), '') "
        "FROM pg_prepared_statements WHERE name LIKE 'agentbase_%'",
        {}};
    return statement;
  };
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        std::vector<db::Statement> first;
        first.push_back(reused("SELECT ($1::int + 1)::text", {std::string("1")}));
        co_await step(std::move(first));
        std::vector<db::Statement> again;
        again.push_back(reused("SELECT ($1::int + 1)::text", {std::string("41")}));
        again.push_back(listed());
        co_await step(std::move(again));
        // A statement that cannot be prepared is an error of its request
        // only, and is not recorded.
        std::vector<db::Statement> broken;
        broken.push_back(reused("SELEC nothing"));
        co_await step(std::move(broken));
        // Prepared, then failing when run: it stays prepared (2 of 2 now).
        std::vector<db::Statement> failing;
        failing.push_back(reused("SELECT (1 / $1::int)::text", {std::string("0")}));
        co_await step(std::move(failing));
        // Over the limit: the least recently used one is deallocated to make room.
        std::vector<db::Statement> third;
        third.push_back(reused("SELECT 'third'"));
        third.push_back(listed());
        co_await step(std::move(third));
        // Too long to be worth a name: runs unnamed, evicting nothing.
        std::vector<db::Statement> unnamed;
        unnamed.push_back(reused("SELECT '" + std::string(db::AsyncConnection::kMaxPreparedSqlBytes, 'x') + "' = ''"));
        unnamed.push_back(listed());
        co_await step(std::move(unnamed));
        pool.Recycle();
        std::vector<db::Statement> fresh;
        fresh.push_back(listed());
        co_await step(std::move(fresh));
      },
      asio::detached);
  io.run();
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "2",
                      "1:SELECT ($1::int + 1)::text",
                      "42601@0",
                      "22012@0",
                      "2:SELECT (1 / $1::int)::text | SELECT 'third'",
                      "2:SELECT (1 / $1::int)::text | SELECT 'third'",
                      "0:",
                  }));
}

TEST(Pool, ParameterWithNulIsRefusedBeforeAnythingIsSent) {
  TestDatabase database;
  std::string conninfo = database.Conninfo();
  auto result = RunLoop([&](auto executor) -> asio::awaitable<std::string> {
    db::Pool pool(executor, conninfo, db::PoolOptions{});
    std::string out;
    auto run = [&](std::vector<db::Statement> statements) -> asio::awaitable<void> {
      auto outcome = co_await pool.Submit(std::move(statements));
      out += (out.empty() ? "" : ",") + Describe(outcome);
    };
    std::vector<std::vector<db::Statement>> steps;
    steps.push_back(Statements({{"CREATE TABLE t (name text)", {}}, {"SELECT 'created'", {}}}));
    // libpq would send "x": the insert must not happen at all.
    steps.push_back(
        Statements({{"INSERT INTO t VALUES ('first')", {}}, {"INSERT INTO t VALUES ($1)", {std::string("x\0y", 3)}}}));
    steps.push_back(Statements({{"SELECT count(*)::text FROM t", {}}}));
    for (auto& step : steps) co_await run(std::move(step));
    co_return out;
  });
  EXPECT_EQ(result, "created,22021@1,0");
  // The blocking connection (administrative work, users add) refuses the same.
  auto connection = database.Connect();
  auto refused = connection.ExecParams("INSERT INTO t VALUES ($1)", db::Params{std::string("x\0y", 3)});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "22021");
  auto refused_sql = connection.ExecParams(std::string("INSERT INTO t VALUES ('x')\0; DROP TABLE t", 41), {});
  ASSERT_FALSE(refused_sql.ok());
  EXPECT_EQ(refused_sql.error().code, "22021");
  EXPECT_EQ(database.Scalar("SELECT count(*)::text FROM t"), "0");
}

// One caller's slow transactions hold every regular connection: another
// caller still gets a reserve connection at once, the slow caller does not.
TEST(Pool, ReserveConnectionsServeCallersThatHoldNothingUp) {
  asio::io_context io;
  db::PoolOptions options = Options(2, 2);
  options.reserve = 1;
  db::Pool pool(io.get_executor(), AdminConninfo(), options);
  std::vector<std::string> order;
  auto submit = [&](std::string name, std::string caller, std::string sql) {
    asio::co_spawn(
        io,
        [&, name, caller, sql]() -> asio::awaitable<void> {
          std::vector<db::Statement> statements(1);
          statements[0].sql = sql;
          auto outcome = co_await pool.Submit(std::move(statements), caller);
          order.push_back(name + (outcome && !outcome->failure ? "" : "!"));
        },
        asio::detached);
  };
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 6; ++i) submit("slow" + std::to_string(i), "tenant-a", "SELECT pg_sleep(0.6)");
        asio::steady_timer pause(io);
        pause.expires_after(std::chrono::milliseconds(150));
        co_await pause.async_wait(asio::use_awaitable);
        submit("other", "tenant-b", "SELECT 1");
        submit("same", "tenant-a", "SELECT 1");  // holds connections up already: waits its turn
      },
      asio::detached);
  io.run();
  ASSERT_EQ(order.size(), 8u);
  EXPECT_EQ(order.front(), "other");
  // tenant-a gets no reserve: its quick request waits its turn behind its own
  // slow ones that were queued before it.
  auto position = [&](const std::string& name) { return std::find(order.begin(), order.end(), name) - order.begin(); };
  for (const char* earlier : {"slow0", "slow1", "slow2", "slow3"}) EXPECT_GT(position("same"), position(earlier));
  EXPECT_LE(pool.Open(), 2u);  // the reserve closed once idle
}

// A transaction the database does not answer is given up at the deadline,
// with its own error; the pool goes on with a fresh connection.
TEST(Pool, UnansweredTransactionIsGivenUpAtTheDeadline) {
  asio::io_context io;
  db::PoolOptions options = Options(1, 1);
  options.deadline = std::chrono::milliseconds(300);
  db::Pool pool(io.get_executor(), AdminConninfo(), options);
  std::vector<std::string> seen;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        // Built outside the co_await: GCC 12 miscompiles string-literal
        // initializer lists inside one.
        std::vector<db::Statement> sleep(1), fresh(1);
        sleep[0].sql = "SELECT pg_sleep(10)";
        fresh[0].sql = "SELECT 'fresh'";
        auto stuck = co_await pool.Submit(std::move(sleep), "a");
        seen.push_back(stuck ? std::string("answered") : std::string(KindName(stuck.error().Kind())));
        auto next = co_await pool.Submit(std::move(fresh), "a");
        seen.push_back(Describe(next));
        pool.Close();
      },
      asio::detached);
  io.run();
  EXPECT_EQ(seen, (std::vector<std::string>{"timeout", "fresh"}));
}

}  // namespace agentbase::testing

namespace agentbase::testing {

asio::awaitable<std::string> AcquireFrom(asio::any_io_executor executor, std::string conninfo, bool close_first) {
  db::Pool pool(executor, conninfo, db::PoolOptions{});
  if (close_first) pool.Close();
  auto lease = co_await pool.Acquire();
  co_return lease ? std::string("acquired?!") : std::string(KindName(lease.error().Kind())) + ":" + lease.error().code;
}

// The pool speaks in kinds, never in PostgREST codes: an unreachable server
// is kUnavailable ("connect"), a closed pool kUnavailable ("shutdown").
TEST(Pool, ErrorsCarryKindsNotHttpCodes) {
  std::string unreachable = "postgresql://nobody@127.0.0.1:1/x";
  EXPECT_EQ(RunLoop([&](auto executor) { return AcquireFrom(executor, unreachable, false); }), "unavailable:connect");
  std::string conninfo = AdminConninfo();
  EXPECT_EQ(RunLoop([&](auto executor) { return AcquireFrom(executor, conninfo, true); }), "unavailable:shutdown");
}

}  // namespace agentbase::testing
