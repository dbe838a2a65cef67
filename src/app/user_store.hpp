#pragma once
// Making a sign-in user: the auth.users row (bcrypt password), its tenant
// (created when the slug is new) and the profile that links them, in one
// transaction. Used by `agentbase users add` and by serve's demo user.

#include <optional>
#include <string>

#include "db/connection.hpp"
#include "util/result.hpp"

namespace agentbase::app {

struct NewUser {
  std::string email;
  std::string password;
  std::string tenant_slug;  // empty: no tenant, no profile
  std::string tenant_name;  // empty: the slug
  std::string role = "member";
  bool service = false;  // tokens carry role service_role (bypasses RLS)
};

struct CreatedUser {
  std::string user_id;
  std::optional<std::string> tenant_id;
  bool tenant_created = false;
  std::string note;  // something the caller may tell the user
};

// Errors: code "exists" when the e-mail is taken (nothing changed), else the
// database's error.
Result<CreatedUser> CreateUser(db::Connection& connection, const NewUser& user);

}  // namespace agentbase::app
