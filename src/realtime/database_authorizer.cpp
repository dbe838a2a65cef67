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

boost::asio::awaitable<Result<std::vector<Verdict>>> DatabaseAuthorizer::VisibleBatch(
    std::vector<std::shared_ptr<const Change>> changes, Subscribers subscribers) {
  std::vector<changes::Subject> subjects;
  subjects.reserve(subscribers.size());
  for (const auto& subscriber : subscribers) subjects.push_back({subscriber->role, subscriber->claims_text});
  std::vector<Change> copies;
  copies.reserve(changes.size());
  for (const auto& change : changes) copies.push_back(*change);
  auto visible = co_await database_.VisibleBatch(std::move(copies), std::move(subjects));
  if (!visible) co_return visible.error();
  std::vector<Verdict> verdicts;
  verdicts.reserve(changes.size());
  for (size_t c = 0; c < changes.size(); ++c) {
    auto primary_key = co_await database_.PrimaryKey(changes[c]->relation_oid);
    if (!primary_key) co_return primary_key.error();
    verdicts.push_back(Verdict{std::move(visible->at(c)), std::move(*primary_key)});
  }
  co_return verdicts;
}

}  // namespace agentbase::realtime
