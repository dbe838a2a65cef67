#pragma once
// Which database a command works on: the one named by --db-url or
// DATABASE_URL, or else the embedded default.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "pgctl/embedded_cluster.hpp"
#include "util/result.hpp"

namespace agentbase::app {

struct TargetOptions {
  std::string db_url;  // from --db-url; DATABASE_URL when empty
  pgctl::EmbeddedOptions embedded;
  // The database URL asked for (--db-url, else DATABASE_URL); empty means
  // the embedded default.
  std::string Url() const;
};

class DatabaseTarget {
 public:
  static Result<DatabaseTarget> Open(const TargetOptions& options);

  const std::string& Conninfo() const { return conninfo_; }
  // For messages: the URL without its password, or "embedded (<dir>)".
  const std::string& Description() const { return description_; }
  bool IsEmbedded() const { return cluster_ != nullptr; }
  // Ends supervision of the embedded server when it goes: declared after
  // whatever `on_running_again` uses, it is destroyed before it.
  class Supervision {
   public:
    explicit Supervision(pgctl::EmbeddedCluster* cluster) : cluster_(cluster) {}
    Supervision(Supervision&& other) noexcept : cluster_(std::exchange(other.cluster_, nullptr)) {}
    Supervision& operator=(Supervision&&) = delete;
    ~Supervision() {
      if (cluster_ != nullptr) cluster_->StopSupervising();
    }

   private:
    pgctl::EmbeddedCluster* cluster_;
  };
  // For long-running commands (serve): the embedded server is restarted when
  // it dies (see EmbeddedCluster::Supervise), and `on_running_again` runs on
  // the supervising thread after each restart. Nothing to do for a URL.
  [[nodiscard]] Supervision SuperviseEmbeddedServer(std::function<void()> on_running_again);

 private:
  std::unique_ptr<pgctl::EmbeddedCluster> cluster_;  // keeps the embedded server up while we use it
  std::string conninfo_;
  std::string description_;
};

}  // namespace agentbase::app
