#include "auth/claims.hpp"

#include <openssl/rand.h>

#include <boost/json/array.hpp>
#include <cctype>
#include <stdexcept>

#include "auth/openssl_handles.hpp"
#include "util/base64url.hpp"
#include "util/checksum.hpp"

namespace agentbase::auth {

namespace json = boost::json;

boost::json::object AppMetadata(const boost::json::object& stored) {
  json::object metadata;
  metadata["provider"] = "email";
  metadata["providers"] = json::array{"email"};
  for (const auto& member : stored) metadata[member.key()] = member.value();
  return metadata;
}

boost::json::object UserJson(const UserRecord& user) {
  json::object out;
  out["id"] = user.id;
  out["aud"] = user.aud;
  out["role"] = user.role;
  out["email"] = user.email;
  if (user.email_confirmed_at) out["email_confirmed_at"] = *user.email_confirmed_at;
  out["phone"] = "";
  // GoTrue's confirmed_at is the earlier of the e-mail and phone
  // confirmations; there are no phones here.
  if (user.email_confirmed_at) out["confirmed_at"] = *user.email_confirmed_at;
  if (user.last_sign_in_at) out["last_sign_in_at"] = *user.last_sign_in_at;
  out["app_metadata"] = AppMetadata(user.app_metadata);
  out["user_metadata"] = user.user_metadata;
  out["identities"] = json::array();
  out["created_at"] = user.created_at;
  out["updated_at"] = user.updated_at;
  out["is_anonymous"] = false;
  return out;
}

boost::json::object AccessTokenClaims(const UserRecord& user, const SessionRecord& session,
                                      const AccessTokenTimes& times, std::string_view issuer) {
  json::object claims;
  claims["iss"] = issuer;
  claims["sub"] = user.id;
  claims["aud"] = user.aud;
  claims["exp"] = times.issued_at + times.ttl;
  claims["iat"] = times.issued_at;
  claims["email"] = user.email;
  claims["phone"] = "";
  claims["app_metadata"] = AppMetadata(user.app_metadata);
  claims["user_metadata"] = user.user_metadata;
  claims["role"] = user.role;
  claims["aal"] = "aal1";
  json::object method;
  method["method"] = "password";
  method["timestamp"] = session.signed_in_at;
  json::array amr;
  amr.push_back(std::move(method));
  claims["amr"] = std::move(amr);
  claims["session_id"] = session.id;
  claims["is_anonymous"] = false;
  return claims;
}

boost::json::object TokenResponseJson(const std::string& access_token, const AccessTokenTimes& times,
                                      const std::string& refresh_token, const UserRecord& user) {
  json::object out;
  out["access_token"] = access_token;
  out["token_type"] = "bearer";
  out["expires_in"] = times.ttl;
  out["expires_at"] = times.issued_at + times.ttl;
  out["refresh_token"] = refresh_token;
  out["user"] = UserJson(user);
  return out;
}

boost::json::object ApiKeyClaims(std::string_view issuer, std::string_view role, std::int64_t issued_at,
                                 std::int64_t expires_at) {
  json::object claims;
  claims["iss"] = issuer;
  claims["role"] = role;
  claims["iat"] = issued_at;
  claims["exp"] = expires_at;
  return claims;
}

std::string RandomBase64Url(std::size_t byte_count) {
  std::string bytes(byte_count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size())) != 1) {
    // Without randomness no token or secret is safe to hand out: a bug or a
    // broken system, not a condition to answer.
    throw std::runtime_error("RAND_bytes failed: " + ossl::DrainErrors());
  }
  return Base64UrlEncode(bytes);
}

std::string NewRefreshToken() { return RandomBase64Url(32); }

std::string RefreshTokenHash(std::string_view token) { return Sha256Hex(token); }

bool LooksLikeUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

}  // namespace agentbase::auth
