#include "auth/auth_api.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <initializer_list>
#include <optional>
#include <variant>
#include <vector>

#include "auth/auth_queries.hpp"
#include "auth/bearer.hpp"
#include "auth/claims.hpp"
#include "auth/jwt.hpp"
#include "auth/refresh_rotation.hpp"
#include "auth/text_input.hpp"
#include "http/cors.hpp"
#include "util/log_failure.hpp"
#include "util/percent_decode.hpp"
#include "util/text.hpp"

namespace agentbase::auth {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr std::string_view kApiVersionHeader = "X-Supabase-Api-Version";
constexpr std::string_view kApiVersion2024 = "2024-01-01";
constexpr std::string_view kInvalidLogin = "Invalid login credentials";
constexpr std::string_view kUnexpectedFailure = "Unexpected failure, please check server logs for more information";
constexpr std::string_view kRateLimited = "Request rate limit reached";

// GoTrue reads the header as a date (YYYY-MM-DD); anything else means the
// initial API version.
bool WantsApiVersion2024(const http::Request& request) {
  auto header = request.Header("x-supabase-api-version");
  if (!header) return false;
  std::string value = Trim(*header);
  if (value.size() != 10 || value[4] != '-' || value[7] != '-') return false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (i != 4 && i != 7 && !std::isdigit(static_cast<unsigned char>(value[i]))) return false;
  }
  return value >= kApiVersion2024;  // same-width ISO dates compare as text
}

http::Response JsonAnswer(int status, const json::object& body) {
  http::Response response;
  response.status = status;
  response.SetHeader("Content-Type", "application/json");
  response.body = json::serialize(body);
  return response;
}

// Too many sign-in attempts: GoTrue's answer, and when to try again.
AuthError RateLimited(std::chrono::seconds retry_after) {
  AuthError error = AuthError::Of(429, "over_request_rate_limit", std::string(kRateLimited));
  error.headers.emplace_back("Retry-After", std::to_string(retry_after.count()));
  return error;
}

// A field that would not reach the database intact (auth/text_input.hpp).
std::optional<AuthError> InvalidText(std::string_view field, std::string_view value) {
  auto problem = TextInputProblem(field, value);
  if (!problem) return std::nullopt;
  return AuthError::Of(400, "validation_failed", *problem);
}

// GoTrue's OAuthError shape (always status 400), used for a few token-endpoint errors.
AuthError OAuthError(std::string error, std::string description) {
  AuthError oauth = AuthError::Of(400, std::move(error), std::move(description));
  oauth.oauth = true;
  return oauth;
}

// A value, or the refusal to answer with.
template <class T>
using Answer = std::variant<T, AuthError>;

// The request body as a JSON object, or GoTrue's bad_json refusal. Members
// named in `string_fields` must be strings when present (null counts as
// absent, as Go's decoder treats it).
Answer<json::object> ParseBody(const std::string& body, std::initializer_list<const char*> string_fields) {
  boost::system::error_code ec;
  // Invalid UTF-8 inside strings is let through here, as Go's decoder does,
  // so that the fields that matter are refused by name (InvalidText).
  json::parse_options options;
  options.allow_invalid_utf8 = true;
  json::value value = json::parse(body, ec, {}, options);
  if (ec) {
    std::string reason = body.empty() ? "the body is empty" : ec.message();
    return AuthError::Of(400, "bad_json", "Could not parse request body as JSON: " + reason);
  }
  if (!value.is_object()) {
    return AuthError::Of(400, "bad_json", "Could not parse request body as JSON: expected a JSON object");
  }
  for (const char* field : string_fields) {
    const json::value* member = value.as_object().if_contains(field);
    if (member != nullptr && !member->is_string() && !member->is_null()) {
      return AuthError::Of(400, "bad_json",
                           std::string("Could not parse request body as JSON: \"") + field + "\" must be a string");
    }
  }
  return std::move(value.as_object());
}

std::string StringField(const json::object& object, std::string_view name) {
  const json::value* member = object.if_contains(name);
  if (member == nullptr || !member->is_string()) return {};
  return std::string(member->as_string());
}

// One statement on a pooled connection: its result, or the refusal to give
// when the database could not run it.
asio::awaitable<Answer<db::PgResult>> RunStatement(db::Pool& pool, std::string sql, db::Params params,
                                                   std::string what) {
  std::vector<db::Statement> statements;
  statements.push_back(db::Statement{std::move(sql), std::move(params)});
  auto outcome = co_await pool.Submit(std::move(statements));
  if (!outcome) {
    // Busy, unreachable or given up: all worth retrying.
    spdlog::warn("auth: no database answer for {} ({}): {}", what, KindName(outcome.error().Kind()),
                 outcome.error().message);
    co_return AuthError::Unavailable();
  }
  if (outcome->failure) {
    const Error& failure = *outcome->failure;
    spdlog::error("auth: {} failed: {} (SQLSTATE {}){}", what, failure.message, failure.code,
                  failure.hint.empty() ? "" : " hint: " + failure.hint);
    co_return AuthError::UnexpectedFailure();
  }
  if (outcome->results.empty()) {
    spdlog::error("auth: {} returned no result", what);
    co_return AuthError::UnexpectedFailure();
  }
  co_return std::move(outcome->results.front());
}

// A decoded row, or the failure to answer with (logged).
template <class T>
Answer<T> Decoded(Result<T> decoded, const char* what) {
  if (decoded) return std::move(*decoded);
  spdlog::error("auth: reading the {} result failed: {}", what, decoded.error().message);
  return AuthError::UnexpectedFailure();
}

// The signed token response for a user and session.
Answer<http::Response> IssueTokens(const KeyStore& keys, const AuthOptions& options, const UserRecord& user,
                                   const SessionRecord& session, const std::string& refresh_token) {
  auto key = keys.AccessTokenKey();
  if (!key) {
    spdlog::error("auth: cannot sign access tokens: {}", key.error().message);
    return AuthError::UnexpectedFailure();
  }
  AccessTokenTimes times{UnixNow(), options.access_token_ttl.count()};
  auto token = Sign(AccessTokenClaims(user, session, times, options.issuer), *key);
  if (!token) {
    spdlog::error("auth: signing an access token failed: {}", token.error().message);
    return AuthError::UnexpectedFailure();
  }
  return JsonAnswer(200, TokenResponseJson(*token, times, refresh_token, user));
}

// The user and session behind a bearer token, or GoTrue's refusal.
struct Authenticated {
  UserRecord user;
  std::optional<std::string> session_id;
};

asio::awaitable<Answer<Authenticated>> Authenticate(db::Pool& pool, const KeyStore& keys,
                                                    std::optional<std::string> bearer) {
  if (!bearer) co_return AuthError::Of(401, "no_authorization", "This endpoint requires a valid Bearer token");
  auto verified = Verify(*bearer, keys.Verification());
  if (!verified) {
    co_return AuthError::Of(403, "bad_jwt",
                            "invalid JWT: unable to parse or verify signature, " + verified.error().message);
  }
  const json::object& claims = verified->claims;
  const json::value* sub = claims.if_contains("sub");
  if (sub == nullptr || !sub->is_string() || sub->as_string().empty()) {
    co_return AuthError::Of(403, "bad_jwt", "invalid claim: missing sub claim");
  }
  std::string user_id(sub->as_string());
  if (!LooksLikeUuid(user_id)) co_return AuthError::Of(400, "bad_jwt", "invalid claim: sub claim must be a UUID");
  std::optional<std::string> session_id;
  if (const json::value* claim = claims.if_contains("session_id"); claim != nullptr && !claim->is_null()) {
    std::string text = claim->is_string() ? std::string(claim->as_string()) : json::serialize(*claim);
    if (!text.empty() && text != "00000000-0000-0000-0000-000000000000") {
      if (!LooksLikeUuid(text)) {
        co_return AuthError::Of(403, "bad_jwt", "invalid claim: session_id claim must be a UUID");
      }
      session_id = text;
    }
  }
  db::Params params;
  params.push_back(user_id);
  params.push_back(session_id);
  auto answer = co_await RunStatement(pool, queries::SessionUserSql(), std::move(params), "user lookup");
  if (auto* failure = std::get_if<AuthError>(&answer)) co_return std::move(*failure);
  auto row = Decoded(queries::DecodeSessionUser(std::get<db::PgResult>(answer)), "user lookup");
  if (auto* failure = std::get_if<AuthError>(&row)) co_return std::move(*failure);
  auto& found = std::get<std::optional<queries::SessionUserRow>>(row);
  if (!found) co_return AuthError::Of(403, "user_not_found", "User from sub claim in JWT does not exist");
  if (!found->session_ok) {
    co_return AuthError::Of(403, "session_not_found", "Session from session_id claim in JWT does not exist");
  }
  co_return Authenticated{std::move(found->user), std::move(session_id)};
}

// The bearer token of a request for the endpoints that need one: a
// malformed Authorization header counts as none (GoTrue's no_authorization).
std::optional<std::string> RequestToken(const http::Request& request) {
  auto token = BearerToken(request);
  return token ? std::move(*token) : std::nullopt;
}

json::object SettingsJson() {
  json::object external;
  for (const char* provider :
       {"anonymous_users", "apple",      "azure",  "bitbucket", "discord", "facebook",      "figma",
        "github",          "gitlab",     "google", "keycloak",  "kakao",   "linkedin_oidc", "notion",
        "spotify",         "slack_oidc", "workos", "twitch",    "twitter", "phone",         "zoom"}) {
    external[provider] = false;
  }
  external["email"] = true;
  json::object settings;
  settings["external"] = std::move(external);
  // Users are made with `agentbase users add`; there is no sign-up endpoint.
  settings["disable_signup"] = true;
  settings["mailer_autoconfirm"] = false;
  settings["phone_autoconfirm"] = false;
  settings["sms_provider"] = "";
  settings["saml_enabled"] = false;
  return settings;
}

}  // namespace

AuthApi::AuthApi(db::Pool& admin_pool, const KeyStore& keys, AuthOptions options)
    : pool_(admin_pool), keys_(keys), options_(std::move(options)), sign_in_limiter_(options_.sign_in_limits) {}

std::string AuthApi::ClientOf(const http::Request& request) const {
  if (!options_.client_address_header.empty()) {
    if (auto header = request.Header(ToLower(options_.client_address_header))) {
      // The last entry is the one the nearest proxy added; earlier ones are
      // whatever the client claimed.
      auto entries = Split(*header, ',');
      for (auto entry = entries.rbegin(); entry != entries.rend(); ++entry) {
        std::string trimmed = Trim(*entry);
        if (!trimmed.empty()) return SignInLimiter::ClientName(trimmed);
      }
    }
  }
  return SignInLimiter::ClientName(request.remote_address);
}

AuthError AuthError::UnexpectedFailure() { return Of(500, "unexpected_failure", std::string(kUnexpectedFailure)); }

AuthError AuthError::Unavailable() {
  AuthError error = Of(503, "unexpected_failure", "The database is unavailable right now; try again shortly");
  error.headers.emplace_back("Retry-After", "1");
  return error;
}

http::Response AuthErrorResponse(const AuthError& error, bool v2024) {
  json::object body;
  if (error.oauth) {
    body["error"] = error.code;
    body["error_description"] = error.message;
    return JsonAnswer(error.status, body);
  }
  if (v2024) {
    body["code"] = error.code;
    body["message"] = error.message;
  } else {
    body["code"] = error.status;
    body["error_code"] = error.code;
    body["msg"] = error.message;
  }
  auto response = JsonAnswer(error.status, body);
  // Scripts in a browser may read the headers that come with an error
  // (Retry-After, ...) only when they are exposed.
  std::string exposed(http::kCorsExposeHeaders);
  for (const auto& [name, value] : error.headers) {
    response.SetHeader(name, value);
    exposed += ", " + name;
  }
  if (v2024) {
    response.SetHeader(std::string(kApiVersionHeader), std::string(kApiVersion2024));
    // auth-js reads the error code from "code" only when it can see this
    // header; a browser shows it to scripts only when it is exposed.
    exposed += ", " + std::string(kApiVersionHeader);
  }
  if (exposed.size() != http::kCorsExposeHeaders.size()) response.SetHeader("Access-Control-Expose-Headers", exposed);
  return response;
}

asio::awaitable<http::Response> AuthApi::Handle(http::Request request) {
  bool v2024 = WantsApiVersion2024(request);
  std::optional<Answer> answer;
  try {
    answer = co_await Route(request);
  } catch (...) {
    spdlog::error("auth: {} {} failed: {}", request.method, request.path, DescribeException(std::current_exception()));
  }
  if (!answer) answer = AuthError::UnexpectedFailure();
  // The one place an error becomes a response.
  if (auto* error = std::get_if<AuthError>(&*answer)) co_return AuthErrorResponse(*error, v2024);
  co_return std::move(std::get<http::Response>(*answer));
}

asio::awaitable<AuthApi::Answer> AuthApi::Route(const http::Request& request) {
  std::string_view path = request.path;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  bool get = request.method == "GET" || request.method == "HEAD";
  bool post = request.method == "POST";
  auto wrong_method = [](const char* allowed) {
    AuthError error = AuthError::Of(405, "method_not_allowed", "Method Not Allowed");
    error.headers.emplace_back("Allow", allowed);
    return error;
  };

  if (path == "/auth/v1/token") {
    if (!post) co_return wrong_method("POST");
    auto grant_type = QueryValue(request.query, "grant_type").value_or("");
    if (grant_type == "password") co_return co_await PasswordGrant(request);
    if (grant_type == "refresh_token") co_return co_await RefreshGrant(request);
    // GoTrue's answer, word for word.
    co_return AuthError::Of(400, "invalid_credentials", "unsupported_grant_type");
  }
  if (path == "/auth/v1/user") {
    if (!get) co_return wrong_method("GET");
    co_return co_await GetUser(request);
  }
  if (path == "/auth/v1/logout") {
    if (!post) co_return wrong_method("POST");
    co_return co_await Logout(request);
  }
  if (path == "/auth/v1/.well-known/jwks.json") {
    if (!get) co_return wrong_method("GET");
    auto response = JsonAnswer(200, keys_.PublicJwks());
    response.SetHeader("Cache-Control", "public, max-age=600");
    co_return response;
  }
  if (path == "/auth/v1/settings") {
    if (!get) co_return wrong_method("GET");
    co_return JsonAnswer(200, SettingsJson());
  }
  if (path == "/auth/v1/health") {
    if (!get) co_return wrong_method("GET");
    json::object health;
    health["version"] = "agentbase";
    health["name"] = "GoTrue";
    health["description"] = "agentbase's GoTrue-compatible e-mail/password sign-in";
    co_return JsonAnswer(200, health);
  }
  co_return AuthError::Of(404, "not_found", "Not Found");
}

asio::awaitable<AuthApi::Answer> AuthApi::PasswordGrant(const http::Request& request) {
  auto parsed = ParseBody(request.body, {"email", "phone", "password"});
  if (auto* failure = std::get_if<AuthError>(&parsed)) co_return std::move(*failure);
  const auto& body = std::get<json::object>(parsed);
  std::string email = Trim(StringField(body, "email"));
  std::string phone = Trim(StringField(body, "phone"));
  std::string password = StringField(body, "password");
  if (!email.empty() && !phone.empty()) {
    co_return AuthError::Of(400, "validation_failed",
                            "Only an email address or phone number should be provided on login.");
  }
  if (!phone.empty()) co_return AuthError::Of(422, "phone_provider_disabled", "Phone logins are disabled");
  if (email.empty()) co_return AuthError::Of(400, "validation_failed", "missing email or phone");
  if (auto invalid = InvalidText("email", email)) co_return std::move(*invalid);
  if (auto invalid = InvalidText("password", password)) co_return std::move(*invalid);

  // Before the password is checked, and the same for every account whether
  // it exists or not: a refused attempt tells nothing about either.
  std::string account = SignInLimiter::AccountName(email);
  std::string client = ClientOf(request);
  if (auto retry_after = sign_in_limiter_.Admit(account, client, SignInLimiter::Clock::now())) {
    spdlog::debug("auth: sign-in from {} refused for {} s by the rate limit", client, retry_after->count());
    co_return RateLimited(*retry_after);
  }
  auto settle = [&](SignInOutcome outcome) {
    sign_in_limiter_.Settle(account, client, outcome, SignInLimiter::Clock::now());
  };

  std::string refresh_token = NewRefreshToken();
  db::Params params;
  params.push_back(email);
  params.push_back(password);
  params.push_back(RefreshTokenHash(refresh_token));
  params.push_back(std::to_string(options_.refresh_token_ttl.count()));
  auto answer = co_await RunStatement(pool_, queries::SignInSql(), std::move(params), "sign-in");
  if (auto* failure = std::get_if<AuthError>(&answer)) {
    settle(SignInOutcome::kServerFailure);
    co_return std::move(*failure);
  }
  auto decoded = Decoded(queries::DecodeSignIn(std::get<db::PgResult>(answer)), "sign-in");
  if (auto* failure = std::get_if<AuthError>(&decoded)) {
    settle(SignInOutcome::kServerFailure);
    co_return std::move(*failure);
  }
  const auto& row = std::get<queries::SignInRow>(decoded);
  if (!row.found || !row.password_ok) {
    settle(SignInOutcome::kWrongCredentials);
    co_return AuthError::Of(400, "invalid_credentials", std::string(kInvalidLogin));
  }
  settle(SignInOutcome::kNotAGuess);
  if (!row.confirmed) co_return AuthError::Of(400, "email_not_confirmed", "Email not confirmed");
  if (!row.session) co_return AuthError::UnexpectedFailure();
  co_return IssueTokens(keys_, options_, row.user, *row.session, refresh_token);
}

asio::awaitable<AuthApi::Answer> AuthApi::RefreshGrant(const http::Request& request) {
  auto parsed = ParseBody(request.body, {"refresh_token"});
  if (auto* failure = std::get_if<AuthError>(&parsed)) co_return std::move(*failure);
  std::string presented = StringField(std::get<json::object>(parsed), "refresh_token");
  if (presented.empty()) co_return OAuthError("invalid_request", "refresh_token required");
  if (auto invalid = InvalidText("refresh_token", presented)) co_return std::move(*invalid);

  // Used only if the presented token is the session's current one.
  std::string rotation_key = NewRotationKey();
  std::string rotated_token = RotatedRefreshToken(rotation_key, presented);
  db::Params params;
  params.push_back(RefreshTokenHash(presented));
  params.push_back(RefreshTokenHash(rotated_token));
  params.push_back(std::to_string(options_.refresh_token_ttl.count()));
  params.push_back(rotation_key);
  params.push_back(std::to_string(options_.refresh_token_reuse_interval.count()));
  auto answer = co_await RunStatement(pool_, queries::RefreshSql(), std::move(params), "token refresh");
  if (auto* failure = std::get_if<AuthError>(&answer)) co_return std::move(*failure);
  auto decoded = Decoded(queries::DecodeRefresh(std::get<db::PgResult>(answer)), "token refresh");
  if (auto* failure = std::get_if<AuthError>(&decoded)) co_return std::move(*failure);
  const auto& found = std::get<std::optional<queries::RefreshRow>>(decoded);

  AuthError not_found = AuthError::Of(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
  // A revoked session's tokens are as unknown as deleted ones (GoTrue
  // deletes sessions on logout).
  if (!found || found->revoked) co_return not_found;
  const auto& row = *found;
  AuthError expired = AuthError::Of(400, "session_expired", "Invalid Refresh Token: Session Expired");
  if (!row.is_current) {
    if (!row.reusable) {
      spdlog::warn("auth: a replaced refresh token of session {} was presented again; the session is revoked",
                   row.session.id);
      co_return AuthError::Of(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
    }
    if (row.expired) co_return expired;
    // Within the reuse interval: answer with the session's current token,
    // which only the holder of the replaced one can derive.
    std::string current = RotatedRefreshToken(row.rotation_key, presented);
    if (RefreshTokenHash(current) != row.current_hash) {
      spdlog::error("auth: the current refresh token of session {} does not derive from the replaced one",
                    row.session.id);
      co_return AuthError::UnexpectedFailure();
    }
    co_return IssueTokens(keys_, options_, row.user, row.session, current);
  }
  if (row.expired) co_return expired;
  if (!row.rotated) co_return not_found;  // rotated by a concurrent refresh in between

  co_return IssueTokens(keys_, options_, row.user, row.session, rotated_token);
}

asio::awaitable<AuthApi::Answer> AuthApi::GetUser(const http::Request& request) {
  auto authenticated = co_await Authenticate(pool_, keys_, RequestToken(request));
  if (auto* failure = std::get_if<AuthError>(&authenticated)) co_return std::move(*failure);
  co_return JsonAnswer(200, UserJson(std::get<Authenticated>(authenticated).user));
}

asio::awaitable<AuthApi::Answer> AuthApi::Logout(const http::Request& request) {
  auto authenticated = co_await Authenticate(pool_, keys_, RequestToken(request));
  if (auto* failure = std::get_if<AuthError>(&authenticated)) co_return std::move(*failure);
  const auto& who = std::get<Authenticated>(authenticated);

  std::string scope = QueryValue(request.query, "scope").value_or("");
  if (scope != "" && scope != "global" && scope != "local" && scope != "others") {
    co_return AuthError::Of(400, "validation_failed", "Unsupported logout scope \"" + scope + "\"");
  }
  db::Params params;
  params.push_back(who.user.id);
  std::string sql = queries::LogoutGlobalSql();
  // Without a session_id claim there is no "this session": log out everywhere, as GoTrue does.
  if (who.session_id && scope == "local") {
    sql = queries::LogoutLocalSql();
    params.push_back(who.session_id);
  } else if (who.session_id && scope == "others") {
    sql = queries::LogoutOthersSql();
    params.push_back(who.session_id);
  }
  auto answer = co_await RunStatement(pool_, std::move(sql), std::move(params), "logout");
  if (auto* failure = std::get_if<AuthError>(&answer)) co_return std::move(*failure);
  http::Response response;
  response.status = 204;
  co_return response;
}

}  // namespace agentbase::auth
