#include "auth/user_store.hpp"

#include <boost/json.hpp>

#include "auth/auth_queries.hpp"
#include "auth/claims.hpp"

namespace agentbase::auth {

namespace json = boost::json;

Result<CreatedUser> CreateUser(db::Connection& connection, const NewUser& user) {
  // One transaction: the user, its tenant and its profile appear together or not at all.
  db::Transaction transaction(connection);
  if (auto begun = transaction.Begin(); !begun) return begun.error();

  auto existing = connection.ExecParams("SELECT id::text FROM auth.users WHERE lower(email) = lower($1::text) LIMIT 1",
                                        db::Params{user.email});
  if (!existing) return existing.error();
  if (existing->Rows() > 0) {
    Error error = Error::Conflict(
        "a user with e-mail " + user.email + " already exists (id " + existing->Text(0, 0) + ")", "exists");
    error.hint = "nothing was changed; choose another e-mail address";
    return error;
  }

  CreatedUser created;
  std::optional<std::string>& tenant_id = created.tenant_id;
  if (!user.tenant_slug.empty()) {
    std::string name = user.tenant_name.empty() ? user.tenant_slug : user.tenant_name;
    auto inserted = connection.ExecParams(
        "INSERT INTO public.tenants (name, slug) VALUES ($1::text, $2::text) ON CONFLICT (slug) DO NOTHING "
        "RETURNING id::text",
        db::Params{name, user.tenant_slug});
    if (!inserted) return inserted.error();
    if (inserted->Rows() > 0) {
      tenant_id = inserted->Text(0, 0);
      created.tenant_created = true;
    } else {
      auto found = connection.ExecParams("SELECT id::text, name FROM public.tenants WHERE slug = $1::text",
                                         db::Params{user.tenant_slug});
      if (!found || found->Rows() == 0) {
        return found ? Error::Make("tenant " + user.tenant_slug + " vanished while adding the user", "tenant")
                     : found.error();
      }
      tenant_id = found->Text(0, 0);
      if (!user.tenant_name.empty() && found->Text(0, 1) != user.tenant_name) {
        created.note = "note: tenant " + user.tenant_slug + " already exists as \"" + found->Text(0, 1) +
                       "\"; --tenant-name is ignored.";
      }
    }
  }

  // What GoTrue stores for an e-mail user, plus the tenant the API layer reads.
  json::object stored;
  if (tenant_id) stored["tenant_id"] = *tenant_id;
  json::object app_metadata = AppMetadata(stored);
  std::string user_role = user.service ? "service_role" : "authenticated";

  auto inserted_user = connection.ExecParams(
      "INSERT INTO auth.users (id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, "
      "raw_user_meta_data, created_at, updated_at) "
      "VALUES (gen_random_uuid(), 'authenticated', $1::text, $2::text, " +
          queries::HashPasswordExpression("$3") + ", now(), $4::jsonb, '{}'::jsonb, now(), now()) RETURNING id::text",
      db::Params{user_role, user.email, user.password, json::serialize(app_metadata)});
  if (!inserted_user) {
    if (inserted_user.error().code == "23505") {  // a concurrent add won the race
      return Error::Conflict("a user with e-mail " + user.email + " already exists", "exists");
    }
    return inserted_user.error();
  }
  created.user_id = inserted_user->Text(0, 0);

  if (tenant_id) {
    // A trigger on auth.users may already have made the profile (a common
    // Supabase pattern): then it is pointed at the tenant and role asked for.
    auto profile = connection.ExecParams(
        "INSERT INTO public.profiles (id, tenant_id, role) VALUES ($1::uuid, $2::uuid, $3::text) "
        "ON CONFLICT (id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, role = EXCLUDED.role",
        db::Params{created.user_id, *tenant_id, user.role});
    if (!profile) return profile.error();
  }
  if (auto committed = transaction.Commit(); !committed) return committed.error();
  return created;
}

Result<std::optional<std::string>> IssueUserToken(db::Connection& connection, const std::string& email,
                                                  std::int64_t ttl_seconds, const SigningKey& key,
                                                  const std::string& issuer) {
  auto row = connection.ExecParams(queries::CliSessionSql(),
                                   db::Params{email, RefreshTokenHash(NewRefreshToken()), std::to_string(ttl_seconds)});
  if (!row) return row.error();
  auto decoded = queries::DecodeCliSession(*row);
  if (!decoded) return decoded.error();
  if (!*decoded) return std::optional<std::string>();
  const queries::CliSessionRow& found = **decoded;
  AccessTokenTimes times{UnixNow(), ttl_seconds};
  auto token = Sign(AccessTokenClaims(found.user, found.session, times, issuer), key);
  if (!token) return token.error();
  return std::optional<std::string>(std::move(*token));
}

Result<std::int64_t> CountUsers(db::Connection& connection) {
  auto users = connection.Exec("SELECT count(*) FROM auth.users");
  if (!users) return users.error();
  return users->Int(0, 0);
}

Result<bool> GoTrueIsPresent(db::Connection& connection) {
  auto found = connection.Exec(
      "SELECT to_regclass('auth.refresh_tokens') IS NOT NULL OR to_regclass('auth.schema_migrations') IS NOT NULL");
  if (!found) return found.error();
  return found->Text(0, 0) == "t";
}

}  // namespace agentbase::auth
