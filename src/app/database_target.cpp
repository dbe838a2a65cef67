#include "app/database_target.hpp"

#include <cstdlib>

#include "db/conninfo.hpp"

namespace agentbase::app {

std::string TargetOptions::Url() const {
  if (!db_url.empty()) return db_url;
  const char* env = std::getenv("DATABASE_URL");
  return env == nullptr ? std::string() : std::string(env);
}

Result<DatabaseTarget> DatabaseTarget::Open(const TargetOptions& options) {
  DatabaseTarget target;
  std::string url = options.Url();
  if (!url.empty()) {
    auto valid = db::ValidateConninfo(url);
    if (!valid) return valid.error();
    target.conninfo_ = url;
    target.description_ = db::RedactConninfo(url);
    return target;
  }
  auto cluster = pgctl::EmbeddedCluster::Acquire(options.embedded);
  if (!cluster) return cluster.error();
  target.cluster_ = std::move(*cluster);
  target.conninfo_ = target.cluster_->Conninfo();
  target.description_ = "embedded PostgreSQL in " + std::filesystem::absolute(options.embedded.data_dir).string();
  return target;
}

}  // namespace agentbase::app
