#include "rest/schema_reload.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <utility>
#include <vector>

#include "db/async_connection.hpp"
#include "rest/schema_cache.hpp"

namespace agentbase::rest {

namespace asio = boost::asio;

asio::awaitable<void> WatchSchemaReloads(asio::any_io_executor executor, std::string conninfo, RestApi* rest,
                                         db::Pool* api_pool) {
  asio::steady_timer pause(executor);
  while (true) {
    auto connection = co_await db::AsyncConnection::Connect(executor, conninfo);
    if (connection) {
      std::vector<db::Statement> listen(1);
      listen[0].sql = "LISTEN pgrst";
      auto listening = co_await (*connection)->Run(std::move(listen));
      while (listening && !listening->failure) {
        auto payload = co_await (*connection)->WaitForNotification();
        if (!payload) break;
        if (!payload->empty() && *payload != "reload schema") continue;
        std::vector<db::Statement> queries;
        for (auto& sql : SchemaCache::Queries(rest->Cache()->Exposed())) queries.push_back({std::move(sql), {}});
        auto results = co_await (*connection)->Run(std::move(queries));
        if (!results || results->failure) break;
        auto cache = SchemaCache::BuildFrom(rest->Cache()->Exposed(), results->results);
        if (!cache) {
          spdlog::warn("schema cache reload failed: {}", cache.error().message);
          continue;
        }
        rest->SetSchemaCache(*cache);
        api_pool->Recycle();  // no statement prepared against the old schema stays in use
        spdlog::info("schema cache reloaded: {} tables, {} functions", (*cache)->Tables().size(),
                     (*cache)->Functions().size());
      }
    }
    spdlog::warn("schema watcher lost its connection; retrying in 1 s");
    pause.expires_after(std::chrono::seconds(1));
    co_await pause.async_wait(asio::use_awaitable);
  }
}

}  // namespace agentbase::rest
