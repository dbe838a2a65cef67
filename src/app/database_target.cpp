#include "app/database_target.hpp"

#include <cstdlib>
#include <iostream>

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
  pgctl::EmbeddedOptions embedded = options.embedded;
  // One-shot commands keep stdout for their results (--json): notes on
  // recovering the embedded server go to stderr.
  if (!embedded.log) {
    embedded.log = [](pgctl::LogLevel level, const std::string& message) {
      if (level != pgctl::LogLevel::kInfo) std::cerr << "warning: " << message << "\n";
    };
  }
  auto cluster = pgctl::EmbeddedCluster::Acquire(embedded);
  if (!cluster) return cluster.error();
  target.cluster_ = std::move(*cluster);
  target.conninfo_ = target.cluster_->Conninfo();
  target.description_ = "embedded PostgreSQL in " + std::filesystem::absolute(options.embedded.data_dir).string();
  return target;
}

DatabaseTarget::Supervision DatabaseTarget::SuperviseEmbeddedServer(std::function<void()> on_running_again) {
  if (!cluster_) return Supervision(nullptr);
  pgctl::SupervisionOptions options;
  options.on_running_again = std::move(on_running_again);
  cluster_->Supervise(options);
  return Supervision(cluster_.get());
}

}  // namespace agentbase::app
