// `agentbase memory purge`: expired memories go, the others stay, and the
// change log the in-memory index reads is pruned behind a horizon.

#include <gtest/gtest.h>

#include "harness.hpp"

namespace agentbase::testing {
namespace {

TEST(MemoryPurge, DeletesExpiredMemoriesOnlyAndPrunesTheChangeLog) {
  TestDatabase database;
  ASSERT_EQ(RunAgentbase("db push " + database.DbUrlFlag()).exit_code, 0);
  database.Exec(
      "INSERT INTO public.tenants (id, name, slug) VALUES ('00000000-0000-0000-0000-00000000000a', 'A', 'ta');"
      "INSERT INTO auth.users (id, aud, role, email) VALUES "
      " ('00000000-0000-0000-0000-0000000000a1', 'authenticated', 'authenticated', 'a1@t.test');"
      "INSERT INTO public.profiles (id, tenant_id) VALUES "
      " ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-00000000000a');"
      "INSERT INTO public.user_memory (tenant_id, user_id, key, value, expires_at) VALUES "
      " ('00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-0000000000a1', 'old', 'gone', "
      "  now() - interval '1 minute'),"
      " ('00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-0000000000a1', 'later', 'stays', "
      "  now() + interval '1 day'),"
      " ('00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-0000000000a1', 'always', 'stays', NULL);");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM agentbase.memory_log"), "3");

  auto purged = RunAgentbase("memory purge --keep-log '1 hour' " + database.DbUrlFlag());
  EXPECT_EQ(purged.exit_code, 0) << purged.err;
  EXPECT_NE(purged.out.find("Expired memories deleted: 1"), std::string::npos) << purged.out;
  EXPECT_EQ(database.Scalar("SELECT string_agg(key, ',' ORDER BY key) FROM public.user_memory"), "always,later");
  // The delete is logged; nothing is an hour old yet.
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM agentbase.memory_log"), "4");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM agentbase.memory_log_horizon"), "0");

  auto pruned = RunAgentbase("memory purge --keep-log '0 seconds' " + database.DbUrlFlag());
  EXPECT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_NE(pruned.out.find("Expired memories deleted: 0"), std::string::npos) << pruned.out;
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM agentbase.memory_log"), "0");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM agentbase.memory_log_horizon"), "1");

  auto bad = RunAgentbase("memory purge --keep-log 'soon' " + database.DbUrlFlag());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("interval"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace agentbase::testing
