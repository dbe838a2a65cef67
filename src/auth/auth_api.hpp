#pragma once
// /auth/v1: the part of GoTrue (Supabase Auth) that @supabase/supabase-js v2
// needs for e-mail/password sign-in:
//
//   POST /auth/v1/token?grant_type=password       {"email","password"}
//   POST /auth/v1/token?grant_type=refresh_token  {"refresh_token"}
//   GET  /auth/v1/user                            Authorization: Bearer <access token>
//   POST /auth/v1/logout[?scope=global|local|others]
//   GET  /auth/v1/.well-known/jwks.json
//   GET  /auth/v1/settings, GET /auth/v1/health
//
// Answers have GoTrue's shapes. Errors are
// {"code":<status>,"error_code":"...","msg":"..."}, or {"code":"...",
// "message":"..."} with an X-Supabase-Api-Version: 2024-01-01 header when the
// request asks for that API version (supabase-js always does); auth-js reads
// either. Statuses and codes follow GoTrue: 400 invalid_credentials,
// 400 refresh_token_not_found / refresh_token_already_used / session_expired,
// 401 no_authorization (no bearer token), 403 bad_jwt / user_not_found /
// session_not_found, 400 bad_json, 400 validation_failed, 404 not_found,
// 429 over_request_rate_limit (with Retry-After). A database that cannot be
// reached answers 503 (auth-js retries those and keeps its session); an
// unexpected SQL error answers 500 and is logged.
//
// Abuse: password sign-in is rate-limited per client address and per account
// (auth/sign_in_limiter.hpp), answering 429 over_request_rate_limit with
// Retry-After before the password is checked. An e-mail, password or refresh
// token that is not UTF-8 or holds a NUL byte is refused (400
// validation_failed) rather than cut short on its way to the database.
//
// Sessions and refresh tokens: a sign-in creates a row in
// agentbase.auth_sessions; each refresh rotates its token. The token just
// replaced, presented again within the reuse interval (two tabs refreshing at
// once), gets a new access token and the session's current refresh token;
// presented later, it revokes the session, as a replay means someone else may
// hold it (GoTrue's GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL). Logout revokes sessions, and
// /user and /logout refuse access tokens of revoked sessions
// (session_not_found), which makes supabase-js drop its stored session.
// Access tokens themselves stay valid for PostgREST until they expire, as on
// Supabase.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "auth/key_store.hpp"
#include "auth/sign_in_limiter.hpp"
#include "db/pool.hpp"
#include "http/message.hpp"

namespace agentbase::auth {

struct AuthOptions {
  std::chrono::seconds access_token_ttl{3600};
  // How long a session lives without being refreshed; every refresh extends it.
  std::chrono::seconds refresh_token_ttl{std::chrono::hours(24 * 30)};
  // The iss claim; Supabase's is https://<ref>.supabase.co/auth/v1.
  std::string issuer = "agentbase";
  // How long after a rotation the replaced refresh token is still answered
  // (with the current one) instead of ending the session; 0: never.
  std::chrono::seconds refresh_token_reuse_interval{10};
  SignInLimitOptions sign_in_limits;
  // Behind a reverse proxy: the request header that names the client (e.g.
  // X-Forwarded-For; its last entry, the one the proxy added, is used).
  // Empty: the peer address of the connection.
  std::string client_address_header;
};

// A refusal or failure, in GoTrue's terms. The endpoints return these as
// values; AuthErrorResponse alone turns one into the answer.
struct AuthError {
  int status = 500;
  std::string code;  // GoTrue's error_code ("invalid_credentials", ...)
  std::string message;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Retry-After, Allow
  // GoTrue's OAuthError shape ({"error","error_description"}, always 400),
  // used by a few token-endpoint errors: `code` is then "error".
  bool oauth = false;

  static AuthError Of(int status, std::string code, std::string message) {
    return AuthError{status, std::move(code), std::move(message), {}, false};
  }
  // 500 unexpected_failure: the details go to the log, not to the client.
  static AuthError UnexpectedFailure();
  // 503: the database cannot be reached; auth-js retries instead of
  // dropping the user's session, as it would on a 500.
  static AuthError Unavailable();
};

// The answer for `error`: {"code":<status>,"error_code","msg"}, or with
// `v2024` {"code","message"} and the X-Supabase-Api-Version header; its
// headers, exposed to scripts in a browser.
http::Response AuthErrorResponse(const AuthError& error, bool v2024);

class AuthApi {
 public:
  // `admin_pool` must be able to read and update auth.users and write
  // agentbase.auth_sessions (a superuser or the schema owner). `keys` must
  // outlive the AuthApi.
  AuthApi(db::Pool& admin_pool, const KeyStore& keys, AuthOptions options);

  // `request.path` starts with /auth/v1. Never throws.
  boost::asio::awaitable<http::Response> Handle(http::Request request);

 private:
  using Answer = std::variant<http::Response, AuthError>;
  boost::asio::awaitable<Answer> Route(const http::Request& request);
  boost::asio::awaitable<Answer> PasswordGrant(const http::Request& request);
  boost::asio::awaitable<Answer> RefreshGrant(const http::Request& request);
  boost::asio::awaitable<Answer> GetUser(const http::Request& request);
  boost::asio::awaitable<Answer> Logout(const http::Request& request);

  // Who a sign-in attempt comes from, for the per-address limit.
  std::string ClientOf(const http::Request& request) const;

  db::Pool& pool_;
  const KeyStore& keys_;
  AuthOptions options_;
  SignInLimiter sign_in_limiter_;
};

}  // namespace agentbase::auth
