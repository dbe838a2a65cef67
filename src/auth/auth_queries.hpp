#pragma once
// The SQL behind the auth endpoints and `agentbase users`/`token`, shared by
// the server (async pool) and the CLI (blocking connection). Each operation
// is one statement, so it is atomic without an explicit transaction and costs
// one round trip. Parameters are text and cast in the SQL. Each statement's
// result is decoded here, next to its SQL, into a struct of its own
// (Decode*): callers never read columns by position.
//
// Passwords are bcrypt hashes made and checked by pgcrypto
// (extensions.crypt, cost 10 as GoTrue uses). Refresh tokens are stored as
// SHA-256 hashes only (auth/claims.hpp); agentbase.auth_sessions is in
// database/schema/40_auth_sessions.sql.

#include <optional>
#include <string>

#include "auth/claims.hpp"
#include "db/connection.hpp"
#include "util/result.hpp"

namespace agentbase::auth::queries {

// The bcrypt cost of new hashes and of the stand-in hash an unknown e-mail is
// checked against (so both take the same time).
inline constexpr int kBcryptCost = 10;

// Every query below returns the user's columns (UserRecord's fields, from
// auth.users aliased u) after its own; its Decode* reads them.

// $1 email, $2 password, $3 new refresh token hash, $4 session lifetime (s).
// Always one row: found, password_ok, confirmed, session_id, signed_in_at
// (epoch s), then the user columns. The session is made (and
// last_sign_in_at set) only when all three are true. bcrypt runs whether or
// not the e-mail exists, so the answer time does not tell which.
const std::string& SignInSql();
struct SignInRow {
  bool found = false;
  bool password_ok = false;
  bool confirmed = false;
  // Made only when all three hold; `user` is read only then.
  std::optional<SessionRecord> session;
  UserRecord user;
};
// Errors (code "data") when the result is not one row of SignInSql's shape.
Result<SignInRow> DecodeSignIn(const db::PgResult& result);

// $1 presented refresh token hash, $2 the hash of the token it is rotated to,
// $3 session lifetime (s), $4 the rotation key that token was derived with
// (auth/refresh_rotation.hpp), $5 the reuse interval (s).
// No row: unknown token. Otherwise: is_current, revoked, expired, rotated,
// reusable, rotation_key, current_hash, session_id, signed_in_at, then the
// user columns. The current token of a live session is rotated. The token it replaced, presented again
// within the reuse interval, is reusable: nothing changes, and the current
// token is derived from it with rotation_key. Later it revokes the session
// (a replay: someone else may hold the session).
const std::string& RefreshSql();
struct RefreshRow {
  bool is_current = false;  // the presented token is the session's current one
  bool revoked = false;
  bool expired = false;
  bool rotated = false;      // this statement rotated it
  bool reusable = false;     // a replaced token, presented within the reuse interval
  std::string rotation_key;  // of the current token, when reusable
  std::string current_hash;
  SessionRecord session;
  UserRecord user;
};
// nullopt: no row (an unknown token).
Result<std::optional<RefreshRow>> DecodeRefresh(const db::PgResult& result);

// $1 user id, $2 session id (NULL when the token has none). No row: no such
// user. Otherwise the user columns, then session_ok (the session exists, is
// the user's and is not revoked; true when $2 is NULL).
const std::string& SessionUserSql();
struct SessionUserRow {
  UserRecord user;
  bool session_ok = false;
};
// nullopt: no such user.
Result<std::optional<SessionUserRow>> DecodeSessionUser(const db::PgResult& result);

// Revokes sessions of user $1 for logout: every one (global), the one $2
// (local), or every one but $2 (others).
std::string LogoutGlobalSql();
std::string LogoutLocalSql();
std::string LogoutOthersSql();

// For `agentbase token --user`: $1 email, $2 refresh token hash (of a token
// nobody receives), $3 lifetime (s). No row: no such user. Otherwise
// session_id, signed_in_at, then the user columns.
std::string CliSessionSql();
struct CliSessionRow {
  SessionRecord session;
  UserRecord user;
};
// nullopt: no such user.
Result<std::optional<CliSessionRow>> DecodeCliSession(const db::PgResult& result);

// A bcrypt hash of $1 (for `agentbase users add`).
std::string HashPasswordExpression(const std::string& parameter);

}  // namespace agentbase::auth::queries
