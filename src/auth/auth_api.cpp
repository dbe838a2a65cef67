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
#include "auth/claims.hpp"
#include "auth/jwt.hpp"
#include "auth/refresh_rotation.hpp"
#include "auth/text_input.hpp"
#include "http/cors.hpp"
#include "util/percent_decode.hpp"
#include "util/text.hpp"

namespace agentbase::auth {

namespace asio = boost::asio;
namespace json = boost::json;

struct AuthApi::Context {
  // The request asked for API version 2024-01-01 or later: errors are then
  // {"code":"<error_code>","message":...} (GoTrue's HTTPErrorResponse20240101).
  bool v2024 = false;
};

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

// A GoTrue HTTPError in the shape the request's API version calls for.
// `expose` names further headers of the answer that scripts in a browser may read.
http::Response ErrorAnswer(int status, std::string_view error_code, std::string_view message, bool v2024,
                           std::string_view expose = {}) {
  json::object body;
  if (v2024) {
    body["code"] = error_code;
    body["message"] = message;
  } else {
    body["code"] = status;
    body["error_code"] = error_code;
    body["msg"] = message;
  }
  auto response = JsonAnswer(status, body);
  std::string exposed(http::kCorsExposeHeaders);
  if (!expose.empty()) exposed += ", " + std::string(expose);
  if (v2024) {
    response.SetHeader(std::string(kApiVersionHeader), std::string(kApiVersion2024));
    // auth-js reads the error code from "code" only when it can see this
    // header; a browser shows it to scripts only when it is exposed.
    exposed += ", " + std::string(kApiVersionHeader);
  }
  if (v2024 || !expose.empty()) response.SetHeader("Access-Control-Expose-Headers", exposed);
  return response;
}

// Too many sign-in attempts: GoTrue's answer, and when to try again.
http::Response RateLimited(std::chrono::seconds retry_after, bool v2024) {
  auto response = ErrorAnswer(429, "over_request_rate_limit", kRateLimited, v2024, "Retry-After");
  response.SetHeader("Retry-After", std::to_string(retry_after.count()));
  return response;
}

// A field that would not reach the database intact (auth/text_input.hpp).
std::optional<http::Response> InvalidText(std::string_view field, std::string_view value, bool v2024) {
  auto problem = TextInputProblem(field, value);
  if (!problem) return std::nullopt;
  return ErrorAnswer(400, "validation_failed", *problem, v2024);
}

// GoTrue's OAuthError shape (always status 400), used for a few token-endpoint errors.
http::Response OAuthErrorAnswer(std::string_view error, std::string_view description) {
  json::object body;
  body["error"] = error;
  body["error_description"] = description;
  return JsonAnswer(400, body);
}

http::Response UnexpectedFailure(bool v2024) {
  return ErrorAnswer(500, "unexpected_failure", kUnexpectedFailure, v2024);
}

// The database could not be reached: 503 makes auth-js retry instead of
// dropping the user's session, as it would on a 500.
http::Response Unavailable(bool v2024) {
  auto response =
      ErrorAnswer(503, "unexpected_failure", "The database is unavailable right now; try again shortly", v2024);
  response.SetHeader("Retry-After", "1");
  return response;
}

// The first value of `name` in the raw query string.
std::optional<std::string> QueryParam(std::string_view query, std::string_view name) {
  for (const auto& pair : Split(query, '&')) {
    auto equals = pair.find('=');
    std::string key = PercentDecodeLenient(std::string_view(pair).substr(0, equals), true);
    if (key != name) continue;
    return equals == std::string::npos ? std::string()
                                       : PercentDecodeLenient(std::string_view(pair).substr(equals + 1), true);
  }
  return std::nullopt;
}

// The request body as a JSON object, or GoTrue's bad_json answer. Members
// named in `string_fields` must be strings when present (null counts as
// absent, as Go's decoder treats it).
std::variant<json::object, http::Response> ParseBody(const std::string& body,
                                                     std::initializer_list<const char*> string_fields, bool v2024) {
  boost::system::error_code ec;
  // Invalid UTF-8 inside strings is let through here, as Go's decoder does,
  // so that the fields that matter are refused by name (InvalidText).
  json::parse_options options;
  options.allow_invalid_utf8 = true;
  json::value value = json::parse(body, ec, {}, options);
  if (ec) {
    std::string reason = body.empty() ? "the body is empty" : ec.message();
    return ErrorAnswer(400, "bad_json", "Could not parse request body as JSON: " + reason, v2024);
  }
  if (!value.is_object()) {
    return ErrorAnswer(400, "bad_json", "Could not parse request body as JSON: expected a JSON object", v2024);
  }
  for (const char* field : string_fields) {
    const json::value* member = value.as_object().if_contains(field);
    if (member != nullptr && !member->is_string() && !member->is_null()) {
      return ErrorAnswer(400, "bad_json",
                         std::string("Could not parse request body as JSON: \"") + field + "\" must be a string",
                         v2024);
    }
  }
  return std::move(value.as_object());
}

std::string StringField(const json::object& object, std::string_view name) {
  const json::value* member = object.if_contains(name);
  if (member == nullptr || !member->is_string()) return {};
  return std::string(member->as_string());
}

// One statement on a pooled connection: its result, or the answer to give
// when the database could not run it.
using StatementAnswer = std::variant<db::PgResult, http::Response>;

asio::awaitable<StatementAnswer> RunStatement(db::Pool& pool, std::string sql, db::Params params, bool v2024,
                                              std::string what) {
  std::vector<db::Statement> statements;
  statements.push_back(db::Statement{std::move(sql), std::move(params)});
  auto outcome = co_await pool.Submit(std::move(statements));
  if (!outcome) {
    spdlog::warn("auth: database connection failed during {}: {}", what, outcome.error().message);
    co_return StatementAnswer(Unavailable(v2024));
  }
  if (outcome->failure) {
    const Error& failure = *outcome->failure;
    spdlog::error("auth: {} failed: {} (SQLSTATE {}){}", what, failure.message, failure.code,
                  failure.hint.empty() ? "" : " hint: " + failure.hint);
    co_return StatementAnswer(UnexpectedFailure(v2024));
  }
  if (outcome->results.empty()) {
    spdlog::error("auth: {} returned no result", what);
    co_return StatementAnswer(UnexpectedFailure(v2024));
  }
  co_return StatementAnswer(std::move(outcome->results.front()));
}

// The signed token response for a user and session, or the failure answer.
http::Response IssueTokens(const KeyStore& keys, const AuthOptions& options, const UserRecord& user,
                           const SessionRecord& session, const std::string& refresh_token, bool v2024) {
  auto key = keys.AccessTokenKey();
  if (!key) {
    spdlog::error("auth: cannot sign access tokens: {}", key.error().message);
    return UnexpectedFailure(v2024);
  }
  AccessTokenTimes times{UnixNow(), options.access_token_ttl.count()};
  auto token = Sign(AccessTokenClaims(user, session, times, options.issuer), *key);
  if (!token) {
    spdlog::error("auth: signing an access token failed: {}", token.error().message);
    return UnexpectedFailure(v2024);
  }
  return JsonAnswer(200, TokenResponseJson(*token, times, refresh_token, user));
}

// The same, for the row a sign-in or refresh statement returned: the session
// (id, issued-at) at `session_column`, the user's columns right after it.
http::Response IssueTokens(const KeyStore& keys, const AuthOptions& options, const db::PgResult& result,
                           int session_column, const std::string& refresh_token, bool v2024, const char* what) {
  SessionRecord session{result.Text(0, session_column), result.Int(0, session_column + 1)};
  auto user = queries::UserFromRow(result, 0, session_column + 2);
  if (!user) {
    spdlog::error("auth: reading the {} user failed: {}", what, user.error().message);
    return UnexpectedFailure(v2024);
  }
  return IssueTokens(keys, options, *user, session, refresh_token, v2024);
}

bool Flag(const db::PgResult& result, int row, int column) {
  return !result.IsNull(row, column) && result.Bool(row, column);
}

// The user and session behind a bearer token, or GoTrue's refusal.
struct Authenticated {
  UserRecord user;
  std::optional<std::string> session_id;
};
using AuthenticationAnswer = std::variant<Authenticated, http::Response>;

std::optional<std::string> BearerToken(const http::Request& request) {
  auto header = request.Header("authorization");
  if (!header) return std::nullopt;
  std::string_view value = *header;
  if (value.size() < 8 || ToLower(value.substr(0, 7)) != "bearer ") return std::nullopt;
  std::string token = Trim(value.substr(7));
  if (token.empty() || token.find_first_of(" \t") != std::string::npos) return std::nullopt;
  return token;
}

asio::awaitable<AuthenticationAnswer> Authenticate(db::Pool& pool, const KeyStore& keys,
                                                   std::optional<std::string> bearer, bool v2024) {
  if (!bearer) {
    co_return AuthenticationAnswer(
        ErrorAnswer(401, "no_authorization", "This endpoint requires a valid Bearer token", v2024));
  }
  auto verified = Verify(*bearer, keys.Verification());
  if (!verified) {
    co_return AuthenticationAnswer(ErrorAnswer(
        403, "bad_jwt", "invalid JWT: unable to parse or verify signature, " + verified.error().message, v2024));
  }
  const json::object& claims = verified->claims;
  const json::value* sub = claims.if_contains("sub");
  if (sub == nullptr || !sub->is_string() || sub->as_string().empty()) {
    co_return AuthenticationAnswer(ErrorAnswer(403, "bad_jwt", "invalid claim: missing sub claim", v2024));
  }
  std::string user_id(sub->as_string());
  if (!LooksLikeUuid(user_id)) {
    co_return AuthenticationAnswer(ErrorAnswer(400, "bad_jwt", "invalid claim: sub claim must be a UUID", v2024));
  }
  std::optional<std::string> session_id;
  if (const json::value* claim = claims.if_contains("session_id"); claim != nullptr && !claim->is_null()) {
    std::string text = claim->is_string() ? std::string(claim->as_string()) : json::serialize(*claim);
    if (!text.empty() && text != "00000000-0000-0000-0000-000000000000") {
      if (!LooksLikeUuid(text)) {
        co_return AuthenticationAnswer(
            ErrorAnswer(403, "bad_jwt", "invalid claim: session_id claim must be a UUID", v2024));
      }
      session_id = text;
    }
  }
  db::Params params;
  params.push_back(user_id);
  params.push_back(session_id);
  auto answer = co_await RunStatement(pool, queries::SessionUserSql(), std::move(params), v2024, "user lookup");
  if (auto* failure = std::get_if<http::Response>(&answer)) co_return AuthenticationAnswer(std::move(*failure));
  const auto& result = std::get<db::PgResult>(answer);
  if (result.Rows() == 0) {
    co_return AuthenticationAnswer(
        ErrorAnswer(403, "user_not_found", "User from sub claim in JWT does not exist", v2024));
  }
  if (!Flag(result, 0, queries::kUserColumnCount)) {
    co_return AuthenticationAnswer(
        ErrorAnswer(403, "session_not_found", "Session from session_id claim in JWT does not exist", v2024));
  }
  auto user = queries::UserFromRow(result, 0, 0);
  if (!user) {
    spdlog::error("auth: reading user {} failed: {}", user_id, user.error().message);
    co_return AuthenticationAnswer(UnexpectedFailure(v2024));
  }
  Authenticated authenticated{std::move(*user), std::move(session_id)};
  co_return AuthenticationAnswer(std::move(authenticated));
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

asio::awaitable<http::Response> AuthApi::Handle(http::Request request) {
  Context context;
  context.v2024 = WantsApiVersion2024(request);
  std::optional<http::Response> response;
  try {
    response = co_await Route(request, context);
  } catch (const std::exception& error) {
    spdlog::error("auth: {} {} failed: {}", request.method, request.path, error.what());
  } catch (...) {
    spdlog::error("auth: {} {} failed with a non-standard exception", request.method, request.path);
  }
  if (!response) response = UnexpectedFailure(context.v2024);
  co_return std::move(*response);
}

asio::awaitable<http::Response> AuthApi::Route(const http::Request& request, const Context& context) {
  std::string_view path = request.path;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  bool get = request.method == "GET" || request.method == "HEAD";
  bool post = request.method == "POST";
  auto wrong_method = [&](const char* allowed) {
    auto response = ErrorAnswer(405, "method_not_allowed", "Method Not Allowed", context.v2024);
    response.SetHeader("Allow", allowed);
    return response;
  };

  if (path == "/auth/v1/token") {
    if (!post) co_return wrong_method("POST");
    auto grant_type = QueryParam(request.query, "grant_type").value_or("");
    if (grant_type == "password") co_return co_await PasswordGrant(request, context);
    if (grant_type == "refresh_token") co_return co_await RefreshGrant(request, context);
    // GoTrue's answer, word for word.
    co_return ErrorAnswer(400, "invalid_credentials", "unsupported_grant_type", context.v2024);
  }
  if (path == "/auth/v1/user") {
    if (!get) co_return wrong_method("GET");
    co_return co_await GetUser(request, context);
  }
  if (path == "/auth/v1/logout") {
    if (!post) co_return wrong_method("POST");
    co_return co_await Logout(request, context);
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
  co_return ErrorAnswer(404, "not_found", "Not Found", context.v2024);
}

asio::awaitable<http::Response> AuthApi::PasswordGrant(const http::Request& request, const Context& context) {
  auto parsed = ParseBody(request.body, {"email", "phone", "password"}, context.v2024);
  if (auto* failure = std::get_if<http::Response>(&parsed)) co_return std::move(*failure);
  const auto& body = std::get<json::object>(parsed);
  std::string email = Trim(StringField(body, "email"));
  std::string phone = Trim(StringField(body, "phone"));
  std::string password = StringField(body, "password");
  if (!email.empty() && !phone.empty()) {
    co_return ErrorAnswer(400, "validation_failed",
                          "Only an email address or phone number should be provided on login.", context.v2024);
  }
  if (!phone.empty()) {
    co_return ErrorAnswer(422, "phone_provider_disabled", "Phone logins are disabled", context.v2024);
  }
  if (email.empty()) co_return ErrorAnswer(400, "validation_failed", "missing email or phone", context.v2024);
  if (auto invalid = InvalidText("email", email, context.v2024)) co_return std::move(*invalid);
  if (auto invalid = InvalidText("password", password, context.v2024)) co_return std::move(*invalid);

  // Before the password is checked, and the same for every account whether
  // it exists or not: a refused attempt tells nothing about either.
  std::string account = SignInLimiter::AccountName(email);
  std::string client = ClientOf(request);
  if (auto retry_after = sign_in_limiter_.Admit(account, client, SignInLimiter::Clock::now())) {
    spdlog::debug("auth: sign-in from {} refused for {} s by the rate limit", client, retry_after->count());
    co_return RateLimited(*retry_after, context.v2024);
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
  auto answer = co_await RunStatement(pool_, queries::SignInSql(), std::move(params), context.v2024, "sign-in");
  if (auto* failure = std::get_if<http::Response>(&answer)) {
    settle(SignInOutcome::kServerFailure);
    co_return std::move(*failure);
  }
  const auto& result = std::get<db::PgResult>(answer);
  if (result.Rows() != 1) {
    spdlog::error("auth: sign-in returned {} rows instead of one", result.Rows());
    settle(SignInOutcome::kServerFailure);
    co_return UnexpectedFailure(context.v2024);
  }
  bool found = Flag(result, 0, 0);
  bool password_ok = Flag(result, 0, 1);
  bool confirmed = Flag(result, 0, 2);
  if (!found || !password_ok) {
    settle(SignInOutcome::kWrongCredentials);
    co_return ErrorAnswer(400, "invalid_credentials", kInvalidLogin, context.v2024);
  }
  settle(SignInOutcome::kNotAGuess);
  if (!confirmed) co_return ErrorAnswer(400, "email_not_confirmed", "Email not confirmed", context.v2024);
  if (result.IsNull(0, 3)) co_return UnexpectedFailure(context.v2024);

  co_return IssueTokens(keys_, options_, result, 3, refresh_token, context.v2024, "signed-in");
}

asio::awaitable<http::Response> AuthApi::RefreshGrant(const http::Request& request, const Context& context) {
  auto parsed = ParseBody(request.body, {"refresh_token"}, context.v2024);
  if (auto* failure = std::get_if<http::Response>(&parsed)) co_return std::move(*failure);
  std::string presented = StringField(std::get<json::object>(parsed), "refresh_token");
  if (presented.empty()) co_return OAuthErrorAnswer("invalid_request", "refresh_token required");
  if (auto invalid = InvalidText("refresh_token", presented, context.v2024)) co_return std::move(*invalid);

  // Used only if the presented token is the session's current one.
  std::string rotation_key = NewRotationKey();
  std::string rotated_token = RotatedRefreshToken(rotation_key, presented);
  db::Params params;
  params.push_back(RefreshTokenHash(presented));
  params.push_back(RefreshTokenHash(rotated_token));
  params.push_back(std::to_string(options_.refresh_token_ttl.count()));
  params.push_back(rotation_key);
  params.push_back(std::to_string(options_.refresh_token_reuse_interval.count()));
  auto answer = co_await RunStatement(pool_, queries::RefreshSql(), std::move(params), context.v2024, "token refresh");
  if (auto* failure = std::get_if<http::Response>(&answer)) co_return std::move(*failure);
  const auto& result = std::get<db::PgResult>(answer);

  auto not_found = [&] {
    return ErrorAnswer(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found", context.v2024);
  };
  constexpr int kIsCurrent = 0, kRevoked = 1, kExpired = 2, kRotated = 3, kReusable = 4, kRotationKey = 5,
                kCurrentHash = 6;
  // A revoked session's tokens are as unknown as deleted ones (GoTrue
  // deletes sessions on logout).
  if (result.Rows() == 0 || Flag(result, 0, kRevoked)) co_return not_found();
  std::string session_id = result.Text(0, queries::kRefreshSessionColumn);
  auto expired = [&] {
    return ErrorAnswer(400, "session_expired", "Invalid Refresh Token: Session Expired", context.v2024);
  };
  if (!Flag(result, 0, kIsCurrent)) {
    if (!Flag(result, 0, kReusable)) {
      spdlog::warn("auth: a replaced refresh token of session {} was presented again; the session is revoked",
                   session_id);
      co_return ErrorAnswer(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used", context.v2024);
    }
    if (Flag(result, 0, kExpired)) co_return expired();
    // Within the reuse interval: answer with the session's current token,
    // which only the holder of the replaced one can derive.
    std::string current = RotatedRefreshToken(result.Text(0, kRotationKey), presented);
    if (RefreshTokenHash(current) != result.Text(0, kCurrentHash)) {
      spdlog::error("auth: the current refresh token of session {} does not derive from the replaced one",
                    session_id);
      co_return UnexpectedFailure(context.v2024);
    }
    co_return IssueTokens(keys_, options_, result, queries::kRefreshSessionColumn, current, context.v2024,
                          "refreshing");
  }
  if (Flag(result, 0, kExpired)) co_return expired();
  if (!Flag(result, 0, kRotated)) co_return not_found();  // rotated by a concurrent refresh in between

  co_return IssueTokens(keys_, options_, result, queries::kRefreshSessionColumn, rotated_token, context.v2024,
                        "refreshing");
}

asio::awaitable<http::Response> AuthApi::GetUser(const http::Request& request, const Context& context) {
  auto authenticated = co_await Authenticate(pool_, keys_, BearerToken(request), context.v2024);
  if (auto* failure = std::get_if<http::Response>(&authenticated)) co_return std::move(*failure);
  co_return JsonAnswer(200, UserJson(std::get<Authenticated>(authenticated).user));
}

asio::awaitable<http::Response> AuthApi::Logout(const http::Request& request, const Context& context) {
  auto authenticated = co_await Authenticate(pool_, keys_, BearerToken(request), context.v2024);
  if (auto* failure = std::get_if<http::Response>(&authenticated)) co_return std::move(*failure);
  const auto& who = std::get<Authenticated>(authenticated);

  std::string scope = QueryParam(request.query, "scope").value_or("");
  if (scope != "" && scope != "global" && scope != "local" && scope != "others") {
    co_return ErrorAnswer(400, "validation_failed", "Unsupported logout scope \"" + scope + "\"", context.v2024);
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
  auto answer = co_await RunStatement(pool_, std::move(sql), std::move(params), context.v2024, "logout");
  if (auto* failure = std::get_if<http::Response>(&answer)) co_return std::move(*failure);
  http::Response response;
  response.status = 204;
  co_return response;
}

}  // namespace agentbase::auth
