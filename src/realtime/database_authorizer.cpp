#include "realtime/database_authorizer.hpp"

namespace agentbase::realtime {

boost::asio::awaitable<Result<Verdict>> DatabaseAuthorizer::Visible(std::shared_ptr<const Change> change,
                                                                    std::vector<ChangeSubscriber> subscribers) {
  std::vector<boost::json::object> claims;
  claims.reserve(subscribers.size());
  for (auto& subscriber : subscribers) claims.push_back(std::move(subscriber.claims));
  auto visible = co_await database_.Visible(*change, std::move(claims));
  if (!visible) co_return visible.error();
  auto primary_key = co_await database_.PrimaryKey(change->relation_oid);
  if (!primary_key) co_return primary_key.error();
  co_return Verdict{std::move(*visible), std::move(*primary_key)};
}

}  // namespace agentbase::realtime
