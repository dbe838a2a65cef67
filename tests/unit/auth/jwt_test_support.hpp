#pragma once
// RFC 7515 Appendix A vectors and token-crafting helpers for the auth tests.

#include <openssl/evp.h>

#include <array>
#include <boost/json/parse.hpp>
#include <string>
#include <string_view>

#include "auth/jwk.hpp"
#include "auth/jwt.hpp"
#include "util/base64url.hpp"

namespace agentbase::auth::test {

// RFC 7515 A.1-A.3 share this payload (with CRLFs and leading spaces):
// {"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}
inline constexpr std::string_view kRfcPayload =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
inline constexpr std::int64_t kRfcExp = 1300819380;
inline constexpr std::int64_t kBeforeRfcExp = kRfcExp - 60;

// A.1: HS256.
inline constexpr std::string_view kA1Jwk =
    R"({"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"})";
inline constexpr std::string_view kA1Header = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9";
inline constexpr std::string_view kA1Signature = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

// A.2: RS256.
inline constexpr std::string_view kA2Jwk =
    R"({"kty":"RSA","e":"AQAB","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"})";
inline constexpr std::string_view kA2Header = "eyJhbGciOiJSUzI1NiJ9";
inline constexpr std::string_view kA2Signature =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1"
    "dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzD"
    "wusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_"
    "IoypGlUPQGe77Rw";

// A.3: ES256 (the private "d" is left out: only the public key is needed).
inline constexpr std::string_view kA3Jwk =
    R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})";
inline constexpr std::string_view kA3Header = "eyJhbGciOiJFUzI1NiJ9";
inline constexpr std::string_view kA3Signature =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

inline std::string Join3(std::string_view a, std::string_view b, std::string_view c) {
  return std::string(a) + "." + std::string(b) + "." + std::string(c);
}

inline std::string A1Token() { return Join3(kA1Header, kRfcPayload, kA1Signature); }
inline std::string A2Token() { return Join3(kA2Header, kRfcPayload, kA2Signature); }
inline std::string A3Token() { return Join3(kA3Header, kRfcPayload, kA3Signature); }

inline boost::json::object ParseObject(std::string_view json) { return boost::json::parse(json).as_object(); }

inline VerificationKey JwkKey(std::string_view json) {
  auto key = VerificationKey::FromJwk(ParseObject(json));
  if (!key) throw std::runtime_error("test JWK refused: " + key.error().message);
  return std::move(*key);
}

inline KeySet KeysOf(std::initializer_list<VerificationKey> keys) {
  KeySet set;
  for (const auto& key : keys) {
    if (!set.Add(key)) throw std::runtime_error("test key set refused a key");
  }
  return set;
}

inline std::string RawHmac(std::string_view secret, std::string_view input) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  std::size_t length = 0;
  EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
            reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac.data(), mac.size(), &length);
  return std::string(reinterpret_cast<const char*>(mac.data()), length);
}

// A token with exactly this header and payload JSON, HMAC-signed with `secret`
// whatever the header says: the way to forge "alg":"none", odd kids and the like.
inline std::string HmacToken(std::string_view header_json, std::string_view payload_json, std::string_view secret) {
  std::string input = Base64UrlEncode(header_json) + "." + Base64UrlEncode(payload_json);
  return input + "." + Base64UrlEncode(RawHmac(secret, input));
}

inline constexpr std::string_view kSecret = "a-very-secret-shared-key-of-at-least-32-bytes";

}  // namespace agentbase::auth::test
