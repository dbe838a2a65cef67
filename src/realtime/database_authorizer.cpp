#include "realtime/database_authorizer.hpp"

namespace agentbase::realtime {

boost::asio::awaitable<Result<Verdict>> DatabaseAuthorizer::Visible(std::shared_ptr<const Change> change,
                                                                    Subscribers subscribers) {
  // Views of `subscribers`, which this frame keeps alive.
  std::vector<changes::Subject> subjects;
  subjects.reserve(subscribers.size());
  for (const auto& subscriber : subscribers) subjects.push_back({subscriber->role, subscriber->claims_text});
  auto visible = co_await database_.Visible(*change, std::move(subjects));
  if (!visible) co_return visible.error();
  auto primary_key = co_await database_.PrimaryKey(change->relation_oid);
  if (!primary_key) co_return primary_key.error();
  co_return Verdict{std::move(*visible), std::move(*primary_key)};
}

}  // namespace agentbase::realtime
