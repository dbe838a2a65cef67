// The nonblocking libpq pipeline and the pool, against real PostgreSQL.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

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
  std::string failure = outcome->failure ? outcome->failure->code + " at " + std::to_string(outcome->failed_statement)
                                         : "no failure";
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
  std::string result = timed_out ? "acquired?!" : timed_out.error().code;
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
  EXPECT_EQ(RunLoop([&](auto executor) { return PoolBounds(executor, conninfo); }), "PGRST003|reused|open=2");
}

}  // namespace agentbase::testing
