#pragma once
// What the auth endpoints say about a user, in GoTrue's shapes: the user
// object, the access token's claims and the token response. Pure functions
// of their inputs (no clock, no database), shared by the HTTP endpoints and
// `agentbase token`.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agentbase::auth {

// An auth.users row as the endpoints read it (times already RFC 3339 in UTC).
struct UserRecord {
  std::string id;
  std::string aud = "authenticated";   // a row without one gets Supabase's default
  std::string role = "authenticated";  // likewise
  std::string email;
  std::optional<std::string> email_confirmed_at;
  std::optional<std::string> last_sign_in_at;
  boost::json::object app_metadata;   // raw_app_meta_data as stored
  boost::json::object user_metadata;  // raw_user_meta_data as stored
  std::string created_at;
  std::string updated_at;
};

// The session an access token belongs to.
struct SessionRecord {
  std::string id;
  std::int64_t signed_in_at = 0;  // seconds since the epoch: the amr timestamp
};

struct AccessTokenTimes {
  std::int64_t issued_at = 0;  // seconds since the epoch
  std::int64_t ttl = 3600;     // seconds
};

// app_metadata as GoTrue shows it: {"provider":"email","providers":["email"]}
// under whatever the row stores (the stored members win, so a tenant_id or
// another provider list set by an administrator comes through unchanged).
boost::json::object AppMetadata(const boost::json::object& stored);

// GET /auth/v1/user's body, and "user" in the token response. Absent times
// are left out, as GoTrue's omitempty does.
boost::json::object UserJson(const UserRecord& user);

// Supabase's access token claims: iss, sub, aud, exp, iat, email, phone,
// app_metadata, user_metadata, role, aal, amr, session_id, is_anonymous.
boost::json::object AccessTokenClaims(const UserRecord& user, const SessionRecord& session,
                                      const AccessTokenTimes& times, std::string_view issuer);

// {"access_token","token_type":"bearer","expires_in","expires_at","refresh_token","user"}.
boost::json::object TokenResponseJson(const std::string& access_token, const AccessTokenTimes& times,
                                      const std::string& refresh_token, const UserRecord& user);

// The legacy API keys' claims: {"iss","role","iat","exp"}, no sub and no aud
// (Supabase's anon and service_role keys look like this).
boost::json::object ApiKeyClaims(std::string_view issuer, std::string_view role, std::int64_t issued_at,
                                 std::int64_t expires_at);

// `byte_count` bytes from OpenSSL's CSPRNG, base64url-encoded.
std::string RandomBase64Url(std::size_t byte_count);
// A fresh refresh token: 32 random bytes, base64url (43 characters).
std::string NewRefreshToken();
// What the database keeps of a refresh token: its SHA-256, lower-case hex.
std::string RefreshTokenHash(std::string_view token);

// 8-4-4-4-12 hex digits (any case): what a uuid column accepts from a claim.
bool LooksLikeUuid(std::string_view text);

}  // namespace agentbase::auth
