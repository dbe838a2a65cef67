#pragma once
// Which database a command works on: the one named by --db-url or
// DATABASE_URL, or else the embedded default.

#include <memory>
#include <optional>
#include <string>

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
  // For long-running commands (serve): the embedded server is restarted when
  // it dies (see EmbeddedCluster::Supervise). Nothing to do for a URL.
  void SuperviseEmbeddedServer();

 private:
  std::unique_ptr<pgctl::EmbeddedCluster> cluster_;  // keeps the embedded server up while we use it
  std::string conninfo_;
  std::string description_;
};

}  // namespace agentbase::app
