#include "realtime/presence.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace agentbase::realtime {
namespace {

namespace json = boost::json;

const json::array& MetasOf(const json::object& side, std::string_view key) {
  return side.at(key).as_object().at("metas").as_array();
}

TEST(Presence, TrackJoinsWithAUniqueRef) {
  PresenceRegistry registry;
  auto first = registry.Track(1, "alice", json::object{{"status", "online"}});
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->at("leaves").as_object().empty());
  const auto& meta = MetasOf(first->at("joins").as_object(), "alice").at(0).as_object();
  EXPECT_EQ(meta.at("status"), "online");
  ASSERT_TRUE(meta.at("phx_ref").is_string());

  auto second = registry.Track(2, "alice", json::object{{"status", "away"}});
  ASSERT_TRUE(second);
  const auto& other = MetasOf(second->at("joins").as_object(), "alice").at(0).as_object();
  EXPECT_NE(other.at("phx_ref"), meta.at("phx_ref"));

  // Two members under one key: one entry with two metas.
  auto state = registry.State();
  EXPECT_EQ(state.size(), 1u);
  EXPECT_EQ(MetasOf(state, "alice").size(), 2u);
}

TEST(Presence, RetrackingUpdatesAndTheSameMetaIsNoChange) {
  PresenceRegistry registry;
  auto joined = registry.Track(1, "bob", json::object{{"n", 1}});
  auto old_ref = MetasOf(joined->at("joins").as_object(), "bob").at(0).as_object().at("phx_ref");
  EXPECT_FALSE(registry.Track(1, "bob", json::object{{"n", 1}}));

  auto updated = registry.Track(1, "bob", json::object{{"n", 2}});
  ASSERT_TRUE(updated);
  const auto& left = MetasOf(updated->at("leaves").as_object(), "bob").at(0).as_object();
  const auto& now = MetasOf(updated->at("joins").as_object(), "bob").at(0).as_object();
  EXPECT_EQ(left.at("phx_ref"), old_ref);
  EXPECT_EQ(now.at("phx_ref_prev"), old_ref);
  EXPECT_EQ(now.at("n"), 2);
  EXPECT_EQ(MetasOf(registry.State(), "bob").size(), 1u);
}

TEST(Presence, UntrackLeaves) {
  PresenceRegistry registry;
  EXPECT_FALSE(registry.Untrack(7));
  registry.Track(7, "carol", json::object{});
  auto left = registry.Untrack(7);
  ASSERT_TRUE(left);
  EXPECT_TRUE(left->at("joins").as_object().empty());
  EXPECT_EQ(MetasOf(left->at("leaves").as_object(), "carol").size(), 1u);
  EXPECT_TRUE(registry.Empty());
  EXPECT_TRUE(registry.State().empty());
}

}  // namespace
}  // namespace agentbase::realtime
