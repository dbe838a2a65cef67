#pragma once
// Keeps the REST API's schema cache current: PostgREST's schema reload.
// Whenever someone sends NOTIFY pgrst, 'reload schema' (or an empty
// payload), as `agentbase db push` does and Supabase's DDL triggers do, the
// catalog is read again on a connection of its own and the new cache
// replaces the old one; the API pool's connections are then replaced, so no
// statement prepared against the old schema stays in use.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <string>

#include "db/pool.hpp"
#include "rest/rest_api.hpp"

namespace agentbase::rest {

// Runs until the executor stops: LISTEN pgrst on `conninfo`, reload on each
// notification, and after a lost connection reconnect a second later. A
// failed reload keeps the cache it had. `rest` and `api_pool` must outlive it.
boost::asio::awaitable<void> WatchSchemaReloads(boost::asio::any_io_executor executor, std::string conninfo,
                                                RestApi* rest, db::Pool* api_pool);

}  // namespace agentbase::rest
