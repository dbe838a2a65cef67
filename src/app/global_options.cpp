#include "app/global_options.hpp"

namespace agentbase::app {

void AddGlobalOptions(CLI::App& app, GlobalOptions& options) {
  app.add_option("--db-url", options.target.db_url,
                 "PostgreSQL URL of the database to use (default: $DATABASE_URL, else the embedded default)")
      ->envname("DATABASE_URL");
  app.add_option("--data-dir", options.target.embedded.data_dir,
                 "Data directory of the embedded PostgreSQL (when no database URL is given)")
      ->envname("AGENTBASE_DATA_DIR")
      ->capture_default_str();
  app.add_option("--pg-bin", options.target.embedded.bin_dir, "Directory holding PostgreSQL's initdb and postgres")
      ->envname("AGENTBASE_PG_BIN")
      ->capture_default_str();
  app.add_option("--pg-user", options.target.embedded.server_user,
                 "Operating-system user the embedded PostgreSQL runs as when agentbase runs as root")
      ->envname("AGENTBASE_PG_USER")
      ->capture_default_str();
  app.add_option("--embedding-dimensions", options.embedding_dimensions,
                 "Dimensions of user_memory.embedding, fixed when the table is created")
      ->envname("AGENTBASE_EMBEDDING_DIMENSIONS")
      ->check(CLI::Range(1, 16000))
      ->capture_default_str();
}

}  // namespace agentbase::app
