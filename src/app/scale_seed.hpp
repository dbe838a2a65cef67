#pragma once
// `agentbase seed --scale N`: N messages in ceil(N/10) conversations over ten
// tenants of their own (scale-01 .. scale-10, settings.agentbase_seed =
// 'scale'; never a demo tenant or anyone else's), with their users and
// agents, written through COPY in one transaction. Each run adds N more
// messages; tenants, users and agents are made once and reused.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "db/connection.hpp"
#include "util/result.hpp"

namespace agentbase::app {

inline constexpr long long kMaxScaleMessages = 100'000'000;
inline constexpr int kScaleTenants = 10;
inline constexpr int kScaleUsersPerTenant = 10;
inline constexpr int kScaleAgentsPerTenant = 5;
inline constexpr int kScaleMessagesPerConversation = 10;

struct ScaleOptions {
  long long messages = 0;  // 1 .. kMaxScaleMessages (the command checks)
  // Called now and then with the rows written so far and the total.
  std::function<void(long long done, long long total)> progress;
};

struct ScaleReport {
  long long messages = 0;
  long long conversations = 0;
  int users_created = 0;
  // The password of the users created by this run (all share it).
  std::optional<std::string> password;
  // Whether triggers and foreign-key checks were skipped while copying
  // (session_replication_role = replica, which needs a superuser).
  bool triggers_skipped = false;
};

Result<ScaleReport> SeedScale(db::Connection& admin, const ScaleOptions& options);

}  // namespace agentbase::app
