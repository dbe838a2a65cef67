#pragma once
// The users and tenants the command line manages, over a blocking
// connection: making a sign-in user (the auth.users row with its bcrypt
// password, its tenant, created when the slug is new, and the profile that
// links them, in one transaction), minting a user's access token with a
// session of its own, and the probes `agentbase serve` makes of auth.users.
// Used by `agentbase users add`, `agentbase token` and serve's demo data (which
// makes its users with the same password hash and app_metadata).

#include <cstdint>
#include <optional>
#include <string>

#include "auth/jwt.hpp"
#include "db/connection.hpp"
#include "util/result.hpp"

namespace agentbase::auth {

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

// Errors: kind kConflict (code "exists") when the e-mail is taken (nothing
// changed), else the database's error.
Result<CreatedUser> CreateUser(db::Connection& connection, const NewUser& user);

// A signed access token for the user with this e-mail (any case), with the
// claims a sign-in gives and a session of its own (its refresh token is
// thrown away), so /auth/v1/user accepts it and logout can end it.
// std::nullopt when no user has that e-mail. Database errors keep their
// SQLSTATE in `code`.
Result<std::optional<std::string>> IssueUserToken(db::Connection& connection, const std::string& email,
                                                  std::int64_t ttl_seconds, const SigningKey& key,
                                                  const std::string& issuer);

// How many rows auth.users holds.
Result<std::int64_t> CountUsers(db::Connection& connection);

// Whether GoTrue (Supabase Auth) owns this database's auth schema: it keeps
// its sessions in auth.refresh_tokens and its migrations in
// auth.schema_migrations, and agentbase's own compatibility schema has
// neither.
Result<bool> GoTrueIsPresent(db::Connection& connection);

}  // namespace agentbase::auth
