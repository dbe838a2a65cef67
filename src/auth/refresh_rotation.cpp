#include "auth/refresh_rotation.hpp"

#include "auth/claims.hpp"
#include "auth/jwt.hpp"
#include "util/base64url.hpp"

namespace agentbase::auth {

std::string NewRotationKey() { return RandomBase64Url(32); }

std::string RotatedRefreshToken(std::string_view rotation_key, std::string_view previous_token) {
  return Base64UrlEncode(HmacSha256(rotation_key, previous_token));
}

}  // namespace agentbase::auth
