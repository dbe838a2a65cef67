#pragma once
// Realtime's Authorizer over the database: row level security decides, for
// each subscriber's claims, through changes::Authorizer (one round trip per
// change for all subscribers; once per role and tenant on tenant-scoped
// tables).

#include "changes/authorizer.hpp"
#include "realtime/change.hpp"

namespace agentbase::realtime {

class DatabaseAuthorizer final : public Authorizer {
 public:
  explicit DatabaseAuthorizer(changes::Authorizer& database) : database_(database) {}
  boost::asio::awaitable<Result<Verdict>> Visible(std::shared_ptr<const Change> change,
                                                  Subscribers subscribers) override;
  // One round trip per table among the changes (changes::Authorizer::VisibleBatch).
  boost::asio::awaitable<Result<std::vector<Verdict>>> VisibleBatch(std::vector<std::shared_ptr<const Change>> changes,
                                                                    Subscribers subscribers) override;

 private:
  changes::Authorizer& database_;
};

}  // namespace agentbase::realtime
