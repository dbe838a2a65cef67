#include "auth/auth_queries.hpp"

#include <fmt/format.h>

#include <boost/json/parse.hpp>
#include <utility>

namespace agentbase::auth::queries {

namespace {

// RFC 3339 in UTC with microseconds, whatever the session's TimeZone.
std::string Rfc3339(const std::string& column) {
  return "to_char(" + column + R"( AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))";
}

std::optional<std::string> OptionalText(const db::PgResult& result, int row, int column) {
  if (result.IsNull(row, column)) return std::nullopt;
  return result.Text(row, column);
}

Result<boost::json::object> JsonObjectColumn(const db::PgResult& result, int row, int column) {
  if (result.IsNull(row, column)) return boost::json::object();
  boost::system::error_code ec;
  auto value = boost::json::parse(result.Get(row, column), ec);
  if (ec) return Error::Make("auth.users holds invalid JSON in " + result.ColumnName(column), "data");
  // A jsonb null or scalar in a metadata column is treated as no metadata.
  if (!value.is_object()) return boost::json::object();
  return std::move(value.as_object());
}

bool Flag(const db::PgResult& result, int row, int column) {
  return !result.IsNull(row, column) && result.Bool(row, column);
}

Error ShapeError(const char* what) {
  return Error::Make(std::string("unexpected result shape of the ") + what, "data");
}

// The user columns every query returns, in this order, from auth.users
// aliased u.
constexpr int kUserColumnCount = 10;
std::string UserColumns() {
  return "u.id::text, coalesce(nullif(u.aud, ''), 'authenticated'), coalesce(nullif(u.role, ''), 'authenticated'), "
         "coalesce(u.email, ''), " +
         Rfc3339("u.email_confirmed_at") + ", " + Rfc3339("u.last_sign_in_at") +
         ", u.raw_app_meta_data::text, u.raw_user_meta_data::text, " + Rfc3339("u.created_at") + ", " +
         Rfc3339("u.updated_at");
}

// Reads them back, starting at `first_column`.
Result<UserRecord> UserFromRow(const db::PgResult& result, int row, int first_column) {
  if (result.Columns() < first_column + kUserColumnCount) {
    return Error::Make("auth query returned too few columns", "data");
  }
  int c = first_column;
  UserRecord user;
  user.id = result.Text(row, c++);
  user.aud = result.Text(row, c++);
  user.role = result.Text(row, c++);
  user.email = result.Text(row, c++);
  user.email_confirmed_at = OptionalText(result, row, c++);
  user.last_sign_in_at = OptionalText(result, row, c++);
  auto app_metadata = JsonObjectColumn(result, row, c++);
  if (!app_metadata) return app_metadata.error();
  user.app_metadata = std::move(*app_metadata);
  auto user_metadata = JsonObjectColumn(result, row, c++);
  if (!user_metadata) return user_metadata.error();
  user.user_metadata = std::move(*user_metadata);
  user.created_at = result.Text(row, c++);
  user.updated_at = result.Text(row, c++);
  return user;
}

// A session (id, issued-at) at `column` and the user columns right after it.
Result<std::pair<SessionRecord, UserRecord>> SessionAndUser(const db::PgResult& result, int column) {
  if (result.IsNull(0, column)) return Error::Make("auth query returned no session", "data");
  SessionRecord session{result.Text(0, column), result.Int(0, column + 1)};
  auto user = UserFromRow(result, 0, column + 2);
  if (!user) return user.error();
  return std::pair{std::move(session), std::move(*user)};
}

constexpr const char* kSessionLifetime = "now() + make_interval(secs => {}::double precision)";

}  // namespace

// The three statements below run on every sign-in, refresh and /user; their
// text never changes, so each is built once.

const std::string& SignInSql() {
  // The lateral join yields one row whether or not the e-mail exists; with no
  // user (or no usable hash) the password is hashed against a fresh salt of
  // the same cost instead, so both paths do the same work.
  static const std::string sql =
      fmt::format(R"SQL(WITH candidate AS (
  SELECT u.id, u.email_confirmed_at IS NOT NULL AS confirmed, u.encrypted_password AS stored,
         extensions.crypt($2::text, CASE WHEN u.encrypted_password ~ '^\$2[abxy]\$' THEN u.encrypted_password
                                         ELSE extensions.gen_salt('bf', {cost}) END) AS computed
  FROM (SELECT 1) AS one
  LEFT JOIN LATERAL (
    SELECT * FROM auth.users WHERE lower(email) = lower($1::text) ORDER BY created_at LIMIT 1
  ) AS u ON true
),
checked AS (
  SELECT id, coalesce(confirmed, false) AS confirmed, coalesce(stored = computed, false) AS password_ok
  FROM candidate
),
signed_in AS (
  UPDATE auth.users AS u SET last_sign_in_at = now()
  FROM checked AS c
  WHERE u.id = c.id AND c.password_ok AND c.confirmed
  RETURNING u.*
),
new_session AS (
  INSERT INTO agentbase.auth_sessions (user_id, refresh_token_hash, expires_at)
  SELECT id, $3::text, {lifetime} FROM signed_in
  RETURNING id, created_at
),
swept AS (
  DELETE FROM agentbase.auth_sessions AS s USING signed_in
  WHERE s.user_id = signed_in.id
    AND (s.expires_at < now() - interval '1 day' OR s.revoked_at < now() - interval '1 day')
)
SELECT c.id IS NOT NULL, c.password_ok, c.confirmed, ns.id::text, floor(extract(epoch FROM ns.created_at))::bigint,
       {columns}
FROM checked AS c
LEFT JOIN signed_in AS u ON true
LEFT JOIN new_session AS ns ON true)SQL",
                  fmt::arg("cost", kBcryptCost), fmt::arg("lifetime", fmt::format(kSessionLifetime, "$4")),
                  fmt::arg("columns", UserColumns()));
  return sql;
}

const std::string& RefreshSql() {
  // FOR UPDATE serialises concurrent refreshes of one session: the second
  // waits, then sees its token as the replaced one, refreshed a moment ago,
  // so within the reuse interval. now() is when this statement's transaction
  // began, so a refresh that raced the rotation is always within it. It may
  // even find refreshed_at later than its own now(), which would pass for
  // "within" an interval of 0: so 0 (never reusable) is tested for itself.
  static const std::string sql =
      fmt::format(R"SQL(WITH found AS (
  SELECT s.id, s.user_id, s.created_at, s.refresh_token_hash = $1::text AS is_current,
         s.revoked_at IS NOT NULL AS revoked, s.expires_at <= now() AS expired,
         s.refresh_token_hash <> $1::text AND s.rotation_key IS NOT NULL AND $5::double precision > 0
           AND s.refreshed_at > now() - make_interval(secs => $5::double precision) AS reusable,
         s.rotation_key, s.refresh_token_hash AS current_hash
  FROM agentbase.auth_sessions AS s
  WHERE s.refresh_token_hash = $1::text OR s.previous_refresh_token_hash = $1::text
  LIMIT 1
  FOR UPDATE
),
rotated AS (
  UPDATE agentbase.auth_sessions AS s
  SET previous_refresh_token_hash = s.refresh_token_hash, refresh_token_hash = $2::text, rotation_key = $4::text,
      refreshed_at = now(), expires_at = {lifetime}
  FROM found AS f
  WHERE s.id = f.id AND f.is_current AND NOT f.revoked AND NOT f.expired
  RETURNING s.id
),
replayed AS (
  UPDATE agentbase.auth_sessions AS s SET revoked_at = now()
  FROM found AS f
  WHERE s.id = f.id AND NOT f.is_current AND NOT f.reusable AND NOT f.revoked
  RETURNING s.id
)
SELECT f.is_current, f.revoked, f.expired, EXISTS (SELECT 1 FROM rotated), f.reusable, f.rotation_key,
       f.current_hash, f.id::text, floor(extract(epoch FROM f.created_at))::bigint, {columns}
FROM found AS f
JOIN auth.users AS u ON u.id = f.user_id)SQL",
                  fmt::arg("lifetime", fmt::format(kSessionLifetime, "$3")), fmt::arg("columns", UserColumns()));
  return sql;
}

const std::string& SessionUserSql() {
  static const std::string sql = "SELECT " + UserColumns() +
                                 ", ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM agentbase.auth_sessions AS s "
                                 "WHERE s.id = $2::uuid AND s.user_id = u.id AND s.revoked_at IS NULL)) "
                                 "FROM auth.users AS u WHERE u.id = $1::uuid";
  return sql;
}

std::string LogoutGlobalSql() {
  return "UPDATE agentbase.auth_sessions SET revoked_at = now() WHERE user_id = $1::uuid AND revoked_at IS NULL";
}

std::string LogoutLocalSql() {
  return "UPDATE agentbase.auth_sessions SET revoked_at = now() "
         "WHERE id = $2::uuid AND user_id = $1::uuid AND revoked_at IS NULL";
}

std::string LogoutOthersSql() {
  return "UPDATE agentbase.auth_sessions SET revoked_at = now() "
         "WHERE user_id = $1::uuid AND id <> $2::uuid AND revoked_at IS NULL";
}

std::string CliSessionSql() {
  return fmt::format(R"SQL(WITH target AS (
  SELECT * FROM auth.users WHERE lower(email) = lower($1::text) ORDER BY created_at LIMIT 1
),
new_session AS (
  INSERT INTO agentbase.auth_sessions (user_id, refresh_token_hash, expires_at)
  SELECT id, $2::text, {lifetime} FROM target
  RETURNING id, created_at
)
SELECT ns.id::text, floor(extract(epoch FROM ns.created_at))::bigint, {columns}
FROM target AS u
JOIN new_session AS ns ON true)SQL",
                     fmt::arg("lifetime", fmt::format(kSessionLifetime, "$3")), fmt::arg("columns", UserColumns()));
}

std::string HashPasswordExpression(const std::string& parameter) {
  return fmt::format("extensions.crypt({}::text, extensions.gen_salt('bf', {}))", parameter, kBcryptCost);
}

Result<SignInRow> DecodeSignIn(const db::PgResult& result) {
  constexpr int kSession = 3;
  if (result.Rows() != 1 || result.Columns() != kSession + 2 + kUserColumnCount) return ShapeError("sign-in");
  SignInRow row;
  row.found = Flag(result, 0, 0);
  row.password_ok = Flag(result, 0, 1);
  row.confirmed = Flag(result, 0, 2);
  if (result.IsNull(0, kSession)) return row;
  auto session = SessionAndUser(result, kSession);
  if (!session) return session.error();
  row.session = std::move(session->first);
  row.user = std::move(session->second);
  return row;
}

Result<std::optional<RefreshRow>> DecodeRefresh(const db::PgResult& result) {
  constexpr int kSession = 7;
  if (result.Columns() != kSession + 2 + kUserColumnCount || result.Rows() > 1) return ShapeError("token refresh");
  if (result.Rows() == 0) return std::optional<RefreshRow>();
  RefreshRow row;
  row.is_current = Flag(result, 0, 0);
  row.revoked = Flag(result, 0, 1);
  row.expired = Flag(result, 0, 2);
  row.rotated = Flag(result, 0, 3);
  row.reusable = Flag(result, 0, 4);
  row.rotation_key = result.Text(0, 5);
  row.current_hash = result.Text(0, 6);
  auto session = SessionAndUser(result, kSession);
  if (!session) return session.error();
  row.session = std::move(session->first);
  row.user = std::move(session->second);
  return std::optional<RefreshRow>(std::move(row));
}

Result<std::optional<SessionUserRow>> DecodeSessionUser(const db::PgResult& result) {
  if (result.Columns() != kUserColumnCount + 1 || result.Rows() > 1) return ShapeError("user lookup");
  if (result.Rows() == 0) return std::optional<SessionUserRow>();
  auto user = UserFromRow(result, 0, 0);
  if (!user) return user.error();
  return std::optional<SessionUserRow>(SessionUserRow{std::move(*user), Flag(result, 0, kUserColumnCount)});
}

Result<std::optional<CliSessionRow>> DecodeCliSession(const db::PgResult& result) {
  if (result.Columns() != 2 + kUserColumnCount || result.Rows() > 1) return ShapeError("session for a token");
  if (result.Rows() == 0) return std::optional<CliSessionRow>();
  auto session = SessionAndUser(result, 0);
  if (!session) return session.error();
  return std::optional<CliSessionRow>(CliSessionRow{std::move(session->first), std::move(session->second)});
}

}  // namespace agentbase::auth::queries
