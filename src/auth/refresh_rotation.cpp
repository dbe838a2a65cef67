#include "auth/refresh_rotation.hpp"

#include <openssl/evp.h>

#include <stdexcept>

#include "auth/claims.hpp"
#include "auth/openssl_handles.hpp"
#include "util/base64url.hpp"

namespace agentbase::auth {

std::string NewRotationKey() { return RandomBase64Url(32); }

std::string RotatedRefreshToken(std::string_view rotation_key, std::string_view previous_token) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  std::size_t size = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, rotation_key.data(), rotation_key.size(),
                reinterpret_cast<const unsigned char*>(previous_token.data()), previous_token.size(), mac, sizeof mac,
                &size) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed: " + ossl::DrainErrors());
  }
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac), size));
}

}  // namespace agentbase::auth
