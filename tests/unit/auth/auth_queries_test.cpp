// The auth statements' results decode by type, next to their SQL: these
// build results of each statement's shape (as libpq would hand them over)
// and read them back.

#include "auth/auth_queries.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <vector>

namespace agentbase::auth::queries {
namespace {

using Cell = std::optional<std::string>;

// A PGRES_TUPLES_OK result with `columns` columns (all text) and `rows`.
db::PgResult MakeResult(int columns, const std::vector<std::vector<Cell>>& rows) {
  PGresult* result = PQmakeEmptyPGresult(nullptr, PGRES_TUPLES_OK);
  std::vector<std::string> names;
  for (int i = 0; i < columns; ++i) names.push_back("c" + std::to_string(i));
  std::vector<PGresAttDesc> attributes(columns);
  for (int i = 0; i < columns; ++i) {
    attributes[i] = PGresAttDesc{const_cast<char*>(names[i].c_str()), 0, 0, 0, 25, -1, -1};
  }
  PQsetResultAttrs(result, columns, attributes.data());
  for (int row = 0; row < static_cast<int>(rows.size()); ++row) {
    for (int column = 0; column < columns; ++column) {
      const Cell& cell = rows[row][column];
      PQsetvalue(result, row, column, cell ? const_cast<char*>(cell->c_str()) : nullptr,
                 cell ? static_cast<int>(cell->size()) : -1);
    }
  }
  return db::PgResult(result);
}

std::vector<Cell> UserCells() {
  return {"0b3f5a1c-8d2e-4f60-9a7b-1c2d3e4f5a6b",
          "authenticated",
          "authenticated",
          "alice@example.com",
          "2026-01-02T03:04:05.000006Z",
          std::nullopt,
          R"({"tenant_id":"t1"})",
          std::nullopt,
          "2026-01-01T00:00:00.000000Z",
          "2026-01-02T00:00:00.000000Z"};
}

std::vector<Cell> Concat(std::vector<Cell> head, const std::vector<Cell>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

TEST(AuthQueries, SignInRowWithASession) {
  auto result = MakeResult(15, {Concat({"t", "t", "t", "5e55", "1767225600"}, UserCells())});
  auto row = DecodeSignIn(result);
  ASSERT_TRUE(row) << row.error().message;
  EXPECT_TRUE(row->found && row->password_ok && row->confirmed);
  ASSERT_TRUE(row->session);
  EXPECT_EQ(row->session->id, "5e55");
  EXPECT_EQ(row->session->signed_in_at, 1767225600);
  EXPECT_EQ(row->user.email, "alice@example.com");
  EXPECT_EQ(row->user.app_metadata.at("tenant_id").as_string(), "t1");
  EXPECT_FALSE(row->user.last_sign_in_at);
}

TEST(AuthQueries, SignInRowOfAWrongPasswordHasNoSession) {
  std::vector<Cell> nulls(12, std::nullopt);
  auto result = MakeResult(15, {Concat({"t", "f", "t"}, nulls)});
  auto row = DecodeSignIn(result);
  ASSERT_TRUE(row);
  EXPECT_TRUE(row->found);
  EXPECT_FALSE(row->password_ok);
  EXPECT_FALSE(row->session);
}

TEST(AuthQueries, ResultsOfAnotherShapeAreDataErrors) {
  auto two_rows = MakeResult(15, {std::vector<Cell>(15, "t"), std::vector<Cell>(15, "t")});
  EXPECT_FALSE(DecodeSignIn(two_rows));
  auto narrow = MakeResult(3, {{"t", "t", "t"}});
  auto row = DecodeSignIn(narrow);
  ASSERT_FALSE(row);
  EXPECT_EQ(row.error().code, "data");
  EXPECT_FALSE(DecodeRefresh(narrow));
  EXPECT_FALSE(DecodeSessionUser(narrow));
  EXPECT_FALSE(DecodeCliSession(narrow));
}

TEST(AuthQueries, RefreshRow) {
  EXPECT_FALSE(DecodeRefresh(MakeResult(19, {}))->has_value());  // unknown token
  auto result = MakeResult(19, {Concat({"f", "f", "f", "f", "t", "key", "hash", "5e55", "1767225600"}, UserCells())});
  auto row = DecodeRefresh(result);
  ASSERT_TRUE(row) << row.error().message;
  ASSERT_TRUE(row->has_value());
  const RefreshRow& refresh = **row;
  EXPECT_FALSE(refresh.is_current);
  EXPECT_TRUE(refresh.reusable);
  EXPECT_EQ(refresh.rotation_key, "key");
  EXPECT_EQ(refresh.current_hash, "hash");
  EXPECT_EQ(refresh.session.id, "5e55");
  EXPECT_EQ(refresh.user.id, "0b3f5a1c-8d2e-4f60-9a7b-1c2d3e4f5a6b");
}

TEST(AuthQueries, SessionUserAndCliSessionRows) {
  EXPECT_FALSE(DecodeSessionUser(MakeResult(11, {}))->has_value());
  auto user = DecodeSessionUser(MakeResult(11, {Concat(UserCells(), {"f"})}));
  ASSERT_TRUE(user && user->has_value());
  EXPECT_FALSE((*user)->session_ok);
  EXPECT_EQ((*user)->user.email_confirmed_at, "2026-01-02T03:04:05.000006Z");
  auto cli = DecodeCliSession(MakeResult(12, {Concat({"5e55", "42"}, UserCells())}));
  ASSERT_TRUE(cli && cli->has_value());
  EXPECT_EQ((*cli)->session.signed_in_at, 42);
  EXPECT_EQ((*cli)->user.role, "authenticated");
}

}  // namespace
}  // namespace agentbase::auth::queries
