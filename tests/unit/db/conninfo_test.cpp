#include "db/conninfo.hpp"

#include <gtest/gtest.h>

namespace agentbase::db {

TEST(Conninfo, AcceptsUrlsAndAddsAConnectTimeout) {
  auto url = ValidateConninfo("postgresql://u:p@localhost:5432/db?sslmode=require");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(*url, "postgresql://u:p@localhost:5432/db?sslmode=require&connect_timeout=10");
  auto kv = ValidateConninfo("host=/tmp dbname=x connect_timeout=3");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(*kv, "host=/tmp dbname=x connect_timeout=3");
}

TEST(Conninfo, RejectsUrlsThatAreNotPostgres) {
  auto http = ValidateConninfo("https://example.com/db");
  ASSERT_FALSE(http.ok());
  EXPECT_EQ(http.error().code, "usage");
  EXPECT_NE(http.error().message.find("not a PostgreSQL URL"), std::string::npos);
  EXPECT_FALSE(ValidateConninfo("").ok());
  EXPECT_FALSE(ValidateConninfo("just some words").ok());
}

TEST(Conninfo, RedactsPasswords) {
  EXPECT_EQ(RedactConninfo("postgresql://user:s3cret@db.example.com:5432/postgres"),
            "postgresql://user:****@db.example.com:5432/postgres");
  EXPECT_EQ(RedactConninfo("host=x password=s3cret user=u"), "host=x password=**** user=u");
  EXPECT_EQ(RedactConninfo("postgresql://user@host/db"), "postgresql://user@host/db");
}

TEST(Conninfo, ConnectFailuresReadAsOneLineWithAHint) {
  auto error = DescribeConnectFailure(
      "connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n\tIs the server running?\n",
      "postgresql://u:pw@127.0.0.1:1/db");
  EXPECT_EQ(error.message.find('\n'), std::string::npos);
  EXPECT_EQ(error.message.find("pw"), std::string::npos);
  EXPECT_FALSE(error.hint.empty());
}

}  // namespace agentbase::db
