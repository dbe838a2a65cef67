// db::Connection::CopyFrom (COPY ... FROM STDIN) against real PostgreSQL.

#include <gtest/gtest.h>

#include <string>

#include "db/connection.hpp"
#include "harness.hpp"

namespace agentbase::testing {

TEST(DbCopy, RowsInChunksOfAnySizeArriveExactly) {
  TestDatabase database;
  database.Exec("CREATE TABLE t (id integer PRIMARY KEY, body text)");
  auto connection = database.Connect();
  auto copy = connection.CopyFrom("COPY t (id, body) FROM STDIN");
  ASSERT_TRUE(copy.ok()) << copy.error().message;
  std::string data;
  for (int i = 1; i <= 1000; ++i) {
    data += std::to_string(i) + "\t";
    db::AppendCopyText(data, i == 7 ? "tab\there,\nnewline and \\back" : "row " + std::to_string(i));
    data += "\n";
  }
  // Chunk boundaries fall inside rows: COPY is a byte stream.
  for (std::size_t at = 0; at < data.size(); at += 777) {
    ASSERT_TRUE(copy->Put(std::string_view(data).substr(at, 777)).ok());
  }
  auto rows = copy->End();
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  EXPECT_EQ(*rows, 1000);
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM t"), "1000");
  EXPECT_EQ(database.Scalar("SELECT body FROM t WHERE id = 7"), "tab\there,\nnewline and \\back");
  // The connection is ready for the next statement.
  EXPECT_TRUE(connection.Exec("SELECT 1").ok());
}

TEST(DbCopy, ARejectedRowFailsTheWholeCopyAndTheConnectionStaysUsable) {
  TestDatabase database;
  database.Exec("CREATE TABLE t (id integer PRIMARY KEY)");
  auto connection = database.Connect();
  auto copy = connection.CopyFrom("COPY t (id) FROM STDIN");
  ASSERT_TRUE(copy.ok());
  ASSERT_TRUE(copy->Put("1\n2\nnot a number\n3\n").ok());
  auto rows = copy->End();
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.error().code, "22P02");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM t"), "0");
  EXPECT_TRUE(connection.Exec("SELECT 1").ok());
}

TEST(DbCopy, AnAbandonedCopyStoresNothing) {
  TestDatabase database;
  database.Exec("CREATE TABLE t (id integer)");
  auto connection = database.Connect();
  {
    auto copy = connection.CopyFrom("COPY t (id) FROM STDIN");
    ASSERT_TRUE(copy.ok());
    ASSERT_TRUE(copy->Put("1\n2\n").ok());
  }  // gone without End(): aborted
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM t"), "0");
  auto after = connection.Exec("SELECT 41 + 1");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->Text(0, 0), "42");
}

TEST(DbCopy, AStatementThatIsNotACopyIsRefused) {
  TestDatabase database;
  auto connection = database.Connect();
  auto failed = connection.CopyFrom("COPY nowhere FROM STDIN");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, "42P01");
  auto other = connection.CopyFrom("SELECT 1");
  ASSERT_FALSE(other.ok());
  EXPECT_TRUE(other.error().Is(ErrorKind::kInternal));
}

}  // namespace agentbase::testing
