#pragma once
// On a new embedded database, a demo tenant and user, so the API can be
// tried at once. Never on a database named by URL.

#include <filesystem>
#include <string>

#include "db/connection.hpp"
#include "util/result.hpp"

namespace agentbase::app {

// Creates the demo user when the database has no users yet, remembers its
// credentials in <data-dir>/demo-user (mode 0600), and returns the lines
// that tell how to sign in ("" when there is no demo user).
Result<std::string> EnsureDemoUser(db::Connection& admin, const std::filesystem::path& data_dir);

}  // namespace agentbase::app
