#pragma once
// How a refresh is rotated so that the token it replaced can still be
// answered for a short while (the reuse interval) without the database ever
// holding a usable token.
//
// Each rotation picks a fresh random rotation key, kept in the session's row,
// and derives the new token from the presented one with it:
//   new token = base64url(HMAC-SHA256(rotation key, presented token)).
// Presented again within the reuse interval, the replaced token leads back
// to the same new token (the session's current one), which is what GoTrue
// answers there. Only the holder of the replaced token can derive it: the
// row has the key but only hashes of the tokens, and a holder of the old
// token without the row has no key.

#include <string>
#include <string_view>

namespace agentbase::auth {

// A fresh rotation key: 32 random bytes, base64url.
std::string NewRotationKey();

// The token that replaced `previous_token` under `rotation_key`.
std::string RotatedRefreshToken(std::string_view rotation_key, std::string_view previous_token);

}  // namespace agentbase::auth
