// SocketSession and Hub together, over a fake websocket: what the client
// sees for its joins, broadcasts, presence, token changes and limits, and
// which postgres changes reach whom (with a test double for the authorizer).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <set>

#include "auth/jwk.hpp"
#include "realtime/socket_session.hpp"

namespace agentbase::realtime {
namespace {

namespace json = boost::json;
namespace asio = boost::asio;

class FakeWebSocket final : public http::WebSocket {
 public:
  struct Frame {
    bool binary;
    std::string bytes;
  };
  bool SendText(std::shared_ptr<const std::string> text) override {
    text_buffers.push_back(text);
    return Push(false, *text);
  }
  bool SendBinary(std::shared_ptr<const std::string> bytes) override { return Push(true, *bytes); }
  void Close(uint16_t code, std::string_view reason) override {
    if (!open) return;
    open = false;
    close_code = code;
    close_reason = std::string(reason);
  }
  bool IsOpen() const override { return open; }
  size_t QueuedBytes() const override { return 0; }

  std::vector<Frame> frames;
  std::vector<std::shared_ptr<const std::string>> text_buffers;  // as sent, to tell shared ones
  bool open = true;
  std::optional<uint16_t> close_code;
  std::string close_reason;

 private:
  bool Push(bool binary, std::string bytes) {
    if (!open) return false;
    frames.push_back({binary, std::move(bytes)});
    return true;
  }
};

// Answers for each subscriber whether its claims' sub is in `allowed`;
// remembers what it was asked.
class SubAuthorizer final : public Authorizer {
 public:
  explicit SubAuthorizer(std::vector<std::string> allowed_subs) : allowed(std::move(allowed_subs)) {}
  asio::awaitable<Result<Verdict>> Visible(std::shared_ptr<const Change> change, Subscribers subscribers) override {
    asked.push_back(subscribers);
    kinds.push_back(change->kind);
    std::vector<bool> answer;
    if (delay_first && asked.size() == 1) {
      // The first answer comes late: later changes must still not overtake it.
      asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
      co_await timer.async_wait(asio::use_awaitable);
    }
    for (const auto& subscriber : subscribers) {
      const auto* sub = subscriber->claims.if_contains("sub");
      answer.push_back(sub != nullptr && std::find(allowed.begin(), allowed.end(), sub->as_string()) != allowed.end());
    }
    co_return Verdict{std::move(answer), change->primary_key};
  }
  asio::awaitable<Result<std::vector<Verdict>>> VisibleBatch(std::vector<std::shared_ptr<const Change>> changes,
                                                             Subscribers subscribers) override {
    batches.push_back(changes.size());
    co_return co_await Authorizer::VisibleBatch(std::move(changes), std::move(subscribers));
  }
  std::vector<std::string> allowed;
  bool delay_first = false;
  std::vector<size_t> batches;  // the size of each batch judged
  std::vector<Subscribers> asked;
  std::vector<ChangeKind> kinds;
};

constexpr std::string_view kSecret = "a-test-secret-that-is-long-enough-for-hs256";

class RealtimeSession : public ::testing::Test {
 protected:
  struct Client {
    std::shared_ptr<FakeWebSocket> socket;
    std::shared_ptr<SocketSession> session;
    Serializer serializer;

    void Send(std::string_view text) { session->OnText(text); }
    // The text frames as JSON arrays (v2) or objects (v1).
    std::vector<json::value> Texts() const {
      std::vector<json::value> out;
      for (const auto& frame : socket->frames) {
        if (!frame.binary) out.push_back(json::parse(frame.bytes));
      }
      return out;
    }
    // V2 frames whose event is `event`.
    std::vector<json::array> Events(std::string_view event) const {
      std::vector<json::array> out;
      for (auto& value : Texts()) {
        if (value.is_array() && value.as_array().at(3).as_string() == event) out.push_back(value.as_array());
      }
      return out;
    }
    json::array Reply(std::string_view ref) const {
      for (auto& value : Texts()) {
        if (value.is_array() && value.as_array().at(3) == "phx_reply" && value.as_array().at(1).is_string() &&
            value.as_array().at(1).as_string() == ref) {
          return value.as_array();
        }
      }
      ADD_FAILURE() << "no reply to ref " << ref;
      return {};
    }
  };

  std::string Token(std::string_view sub, std::int64_t ttl = 600, std::string_view role = "authenticated") {
    json::object claims{{"role", role}, {"exp", auth::UnixNow() + ttl}};
    if (!sub.empty()) claims["sub"] = sub;
    return *auth::Sign(claims, signer_);
  }

  Client Connect(Serializer serializer = Serializer::kV2, std::string_view sub = "u1") {
    SessionContext context{hub_, keys_, tokens_, options_};
    auto grant = VerifyChannelToken(context, Token(sub));
    EXPECT_TRUE(grant);
    auto socket = std::make_shared<FakeWebSocket>();
    auto session = std::make_shared<SocketSession>(context, io_.get_executor(), socket, serializer, *grant);
    return Client{socket, session, serializer};
  }

  void Publish(Change change) {
    bool done = false;
    asio::co_spawn(io_, hub_.Publish(std::make_shared<const Change>(std::move(change))), [&done](std::exception_ptr e) {
      done = true;
      if (e) std::rethrow_exception(e);
    });
    io_.restart();
    while (!done) io_.run_one();
  }

  asio::io_context io_;
  auth::KeySet keys_ = *auth::KeySet::FromConfig(kSecret);
  auth::SigningKey signer_ = *auth::SigningKey::FromSecret(std::string(kSecret));
  auth::TokenCache tokens_;
  RealtimeOptions options_;
  Hub hub_{io_.get_executor()};
};

TEST_F(RealtimeSession, HeartbeatIsAnsweredOkWithItsRef) {
  auto client = Connect();
  client.Send(R"([null,"3","phoenix","heartbeat",{}])");
  EXPECT_EQ(json::serialize(client.Reply("3")), R"([null,"3","phoenix","phx_reply",{"status":"ok","response":{}}])");
}

TEST_F(RealtimeSession, JoinReplyEchoesEachEntryVerbatimWithANonZeroIdInItsPlace) {
  auto client = Connect();
  // Whatever case and extra keys the client chose come back untouched.
  std::string entries_sent = R"([{"event":"insert","schema":"public","table":"messages","select":["id"]},
      {"event":"*","schema":"public","table":"conversations","filter":"status=eq.active"},
      {"table":"todos","event":"DELETE","schema":"public"}])";
  client.Send(R"(["6","6","realtime:room","phx_join",{"config":{"postgres_changes":)" + entries_sent + "}}]");
  auto reply = client.Reply("6");
  EXPECT_EQ(reply.at(0), "6");
  EXPECT_EQ(reply.at(4).at("status"), "ok");
  const auto& entries = reply.at(4).at("response").at("postgres_changes").as_array();
  const auto requested = json::parse(entries_sent).as_array();
  ASSERT_EQ(entries.size(), requested.size());
  std::set<int64_t> ids;
  for (size_t i = 0; i < entries.size(); ++i) {
    json::object entry = entries[i].as_object();
    ASSERT_TRUE(entry.at("id").is_int64());
    EXPECT_NE(entry.at("id").as_int64(), 0);
    ids.insert(entry.at("id").as_int64());
    entry.erase("id");
    EXPECT_EQ(entry, requested[i].as_object()) << i;
  }
  EXPECT_EQ(ids.size(), 3u);
  // The reply is the first frame on the topic; the system message follows.
  auto texts = client.Texts();
  EXPECT_EQ(texts.front().as_array().at(3), "phx_reply");
  EXPECT_EQ(client.Events("system").at(0).at(4).at("message"), "Subscribed to PostgreSQL");
}

TEST_F(RealtimeSession, ABadBindingIsReportedAsASystemErrorAfterAnOkReply) {
  auto client = Connect();
  client.Send(R"(["1","1","realtime:room","phx_join",{"config":{"postgres_changes":[
      {"event":"INSERT","schema":"public","table":"messages","filter":"body=ilike.%a%"}]}}])");
  EXPECT_EQ(client.Reply("1").at(4).at("status"), "ok");
  auto system = client.Events("system");
  ASSERT_EQ(system.size(), 1u);
  EXPECT_EQ(system[0].at(4).at("status"), "error");
  EXPECT_EQ(system[0].at(4).at("extension"), "postgres_changes");
  EXPECT_EQ(system[0].at(4).at("channel"), "room");
}

TEST_F(RealtimeSession, JoinErrors) {
  auto client = Connect();
  client.Send(R"(["1","1","realtime:","phx_join",{"config":{}}])");
  EXPECT_EQ(client.Reply("1").at(4).at("status"), "error");
  client.Send(R"(["2","2","elsewhere","phx_join",{"config":{}}])");
  EXPECT_EQ(client.Reply("2").at(4).at("response").at("reason"), "unmatched topic");
  client.Send(R"(["3","3","realtime:x","phx_join",{"config":{},"access_token":"not.a.jwt"}])");
  EXPECT_EQ(client.Reply("3").at(4).at("status"), "error");
  client.Send(R"(["5","5","realtime:x","phx_join",{"config":{"private":true}}])");
  EXPECT_EQ(client.Reply("5").at(4).at("status"), "error");
  client.Send(R"(["6","6","realtime:x","phx_join",{"config":{"presence":{"key":"ids"}}}])");
  EXPECT_EQ(client.Reply("6").at(4).at("status"), "error");
  EXPECT_EQ(hub_.MemberCount(), 0u);
  std::string expired = Token("u1", -5);
  client.Send(R"(["4","4","realtime:x","phx_join",{"config":{},"access_token":")" + expired + R"("}])");
  auto reason = std::string(client.Reply("4").at(4).at("response").at("reason").as_string());
  EXPECT_NE(reason.find("Token has expired"), std::string::npos) << reason;
}

TEST_F(RealtimeSession, LeaveRepliesOkThenClosesWithTheJoinRef) {
  auto client = Connect();
  client.Send(R"(["5","5","realtime:room","phx_join",{"config":{}}])");
  client.Send(R"(["5","6","realtime:room","phx_leave",{}])");
  EXPECT_EQ(client.Reply("6").at(4).at("status"), "ok");
  auto close = client.Events("phx_close");
  ASSERT_EQ(close.size(), 1u);
  EXPECT_EQ(close[0].at(0), "5");
  EXPECT_EQ(close[0].at(1), "5");
  client.Send(R"([null,"7","realtime:never","phx_leave",{}])");
  EXPECT_EQ(client.Reply("7").at(4).at("status"), "ok");
  EXPECT_EQ(hub_.MemberCount(), 0u);
}

TEST_F(RealtimeSession, ASecondJoinReplacesTheFirst) {
  auto client = Connect();
  client.Send(R"(["1","1","realtime:room","phx_join",{"config":{"broadcast":{"self":true}}}])");
  client.Send(R"(["2","2","realtime:room","phx_join",{"config":{"broadcast":{"self":true}}}])");
  EXPECT_EQ(hub_.MemberCount(), 1u);
  auto close = client.Events("phx_close");
  ASSERT_EQ(close.size(), 1u);
  EXPECT_EQ(close[0].at(0), "1");
  // A push under the old join_ref is ignored; the new one works.
  client.Send(R"(["1","3","realtime:room","broadcast",{"type":"broadcast","event":"e","payload":{}}])");
  client.Send(R"(["2","4","realtime:room","broadcast",{"type":"broadcast","event":"e","payload":{"n":1}}])");
  size_t binaries = 0;
  for (const auto& frame : client.socket->frames) binaries += frame.binary ? 1 : 0;
  EXPECT_EQ(binaries, 1u);
}

TEST_F(RealtimeSession, BroadcastGoesAsKind4ToV2AndAsJsonToV1WithSelfAndAck) {
  auto sender = Connect(Serializer::kV2);
  auto v1 = Connect(Serializer::kV1);
  sender.Send(R"(["1","1","realtime:room","phx_join",{"config":{"broadcast":{"self":true,"ack":true}}}])");
  v1.Send(R"({"topic":"realtime:room","event":"phx_join","payload":{"config":{}},"ref":"1","join_ref":"1"})");
  // Kind 3 from the v2 client: join_ref 1, ref 2, event cursor, JSON.
  std::string push = std::string("\x03\x01\x01\x0d\x06\x00\x01", 7) + "12realtime:roomcursor" + R"({"x":1})";
  sender.session->OnBinary(push);
  EXPECT_EQ(sender.Reply("2").at(4).at("status"), "ok");
  // Its own copy (self), then the ack.
  const auto& frames = sender.socket->frames;
  ASSERT_GE(frames.size(), 2u);
  ASSERT_TRUE(frames[frames.size() - 2].binary);
  EXPECT_EQ(frames[frames.size() - 2].bytes,
            std::string("\x04\x0d\x06\x00\x01", 5) + "realtime:roomcursor" + R"({"x":1})");
  auto received = json::parse(v1.socket->frames.back().bytes).as_object();
  EXPECT_EQ(received.at("event"), "broadcast");
  EXPECT_EQ(json::serialize(received.at("payload")), R"({"type":"broadcast","event":"cursor","payload":{"x":1}})");
  EXPECT_FALSE(received.contains("join_ref"));
}

TEST_F(RealtimeSession, PresenceStateAfterJoinAndDiffsToEveryoneIncludingTheTracker) {
  auto alice = Connect();
  auto bob = Connect();
  alice.Send(R"(["1","1","realtime:lobby","phx_join",{"config":{"presence":{"key":"alice","enabled":true}}}])");
  alice.Send(R"(["1","2","realtime:lobby","presence",{"type":"presence","event":"track","payload":{"at":1}}])");
  EXPECT_EQ(alice.Reply("2").at(4).at("status"), "ok");
  ASSERT_EQ(alice.Events("presence_diff").size(), 1u);
  bob.Send(R"(["1","1","realtime:lobby","phx_join",{"config":{"presence":{"key":"bob","enabled":true}}}])");
  auto state = bob.Events("presence_state");
  ASSERT_EQ(state.size(), 1u);
  EXPECT_EQ(state[0].at(4).at("alice").at("metas").at(0).at("at"), 1);
  // Bob leaving is nothing (he tracked nothing); Alice's socket closing is a leave.
  alice.session->OnClosed();
  auto diffs = bob.Events("presence_diff");
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_TRUE(diffs[0].at(4).at("leaves").as_object().contains("alice"));
  bob.Send(R"(["1","3","realtime:lobby","presence",{"type":"presence","event":"track","payload":"nope"}])");
  EXPECT_EQ(bob.Reply("3").at(4).at("status"), "error");
  std::string big(options_.max_presence_bytes, 'x');
  bob.Send(R"(["1","4","realtime:lobby","presence",{"type":"presence","event":"track","payload":{"b":")" + big +
           R"("}}])");
  EXPECT_EQ(bob.Reply("4").at(4).at("status"), "error");
  EXPECT_TRUE(hub_.PresenceState("realtime:lobby").empty());
}

TEST_F(RealtimeSession, AnInvalidRefreshedTokenShutsTheChannel) {
  auto client = Connect();
  client.Send(R"(["1","1","realtime:room","phx_join",{"config":{}}])");
  client.Send(R"(["1","2","realtime:room","access_token",{"access_token":")" + Token("u1", 900) + R"("}])");
  EXPECT_TRUE(client.Events("system").empty());
  client.Send(R"(["1","3","realtime:room","access_token",{"access_token":"garbage"}])");
  auto system = client.Events("system");
  ASSERT_EQ(system.size(), 1u);
  EXPECT_EQ(system[0].at(4).at("extension"), "system");
  EXPECT_EQ(client.Events("phx_close").size(), 1u);
  EXPECT_EQ(hub_.MemberCount(), 0u);
}

TEST_F(RealtimeSession, AnExpiringTokenClosesTheChannelWithSupabasesMessage) {
  auto client = Connect();
  client.Send(R"(["1","1","realtime:room","phx_join",{"config":{},"access_token":")" + Token("u1", 1) + R"("}])");
  EXPECT_EQ(client.Reply("1").at(4).at("status"), "ok");
  io_.run_for(std::chrono::milliseconds(2500));
  auto system = client.Events("system");
  ASSERT_EQ(system.size(), 1u);
  std::string message(system[0].at(4).at("message").as_string());
  EXPECT_EQ(message.rfind("Token has expired ", 0), 0u) << message;
  EXPECT_EQ(client.Events("phx_close").size(), 1u);
}

TEST_F(RealtimeSession, LimitsRefuseWithoutDisturbingOthers) {
  options_.max_channels_per_socket = 2;
  options_.max_bindings_per_join = 1;
  options_.max_presence_per_window = 2;
  auto client = Connect();
  auto other = Connect();
  other.Send(R"(["1","1","realtime:a","phx_join",{"config":{}}])");
  client.Send(R"(["1","1","realtime:a","phx_join",{"config":{}}])");
  client.Send(R"(["2","2","realtime:b","phx_join",{"config":{}}])");
  client.Send(R"(["3","3","realtime:c","phx_join",{"config":{}}])");
  EXPECT_EQ(client.Reply("3").at(4).at("status"), "error");
  client.Send(R"(["4","4","realtime:b","phx_join",{"config":{"postgres_changes":[
      {"event":"*","schema":"public"},{"event":"*","schema":"other"}]}}])");
  EXPECT_EQ(client.Reply("4").at(4).at("status"), "error");
  std::string long_filter = "id=in.(" + std::string(options_.max_join_bindings_bytes, '1') + ")";
  client.Send(R"(["5","5","realtime:b","phx_join",{"config":{"postgres_changes":[
      {"event":"*","schema":"public","filter":")" +
              long_filter + R"("}]}}])");
  EXPECT_EQ(client.Reply("5").at(4).at("status"), "error");
  for (int i = 0; i < 3; ++i) {
    client.Send(R"(["1","p)" + std::to_string(i) +
                R"(","realtime:a","presence",{"type":"presence","event":"track","payload":{"i":)" + std::to_string(i) +
                "}}]");
  }
  auto system = client.Events("system");
  ASSERT_EQ(system.size(), 1u);
  EXPECT_EQ(system[0].at(4).at("message"), "Client presence rate limit exceeded");
  // Garbage closes that socket only.
  client.Send("{not json");
  EXPECT_EQ(client.socket->close_code, http::kCloseUnsupportedData);
  other.Send(R"([null,"9","phoenix","heartbeat",{}])");
  EXPECT_EQ(other.Reply("9").at(4).at("status"), "ok");
  EXPECT_TRUE(other.socket->open);
}

TEST_F(RealtimeSession, AFloodClosesTheSocket) {
  options_.max_messages_per_second = 5;
  auto client = Connect();
  for (int i = 0; i < 6; ++i) client.Send(R"([null,"1","phoenix","heartbeat",{}])");
  EXPECT_EQ(client.socket->close_code, http::kClosePolicyViolation);
}

Change InsertMessage(std::string_view body, int64_t id) {
  Change change;
  change.schema = "public";
  change.table = "messages";
  change.kind = ChangeKind::kInsert;
  change.commit_timestamp = "2026-05-01T10:20:30.123Z";
  change.columns = {{"id", "int8"}, {"body", "text"}, {"secret", "text"}};
  change.primary_key = {"id"};
  change.record = json::object{{"id", id}, {"body", body}, {"secret", "s"}};
  return change;
}

TEST_F(RealtimeSession, ChangesReachOnlySubscribersTheAuthorizerAllowsWithTheirMatchingIds) {
  auto authorizer = std::make_shared<SubAuthorizer>(std::vector<std::string>{"u1"});
  hub_.SetAuthorizer(authorizer);
  auto allowed = Connect(Serializer::kV2, "u1");
  auto denied = Connect(Serializer::kV2, "u2");
  auto also_allowed = Connect(Serializer::kV1, "u1");
  std::string join = R"(["1","1","realtime:chat","phx_join",{"config":{"postgres_changes":[
      {"event":"INSERT","schema":"public","table":"messages"},
      {"event":"DELETE","schema":"public","table":"messages"},
      {"event":"*","schema":"public","table":"messages","filter":"body=eq.hello"}]}}])";
  allowed.Send(join);
  denied.Send(join);
  also_allowed.Send(
      R"({"topic":"realtime:chat","event":"phx_join","ref":"1","join_ref":"1","payload":{"config":{"postgres_changes":[
      {"event":"*","schema":"*"}]}}})");
  auto ids = allowed.Reply("1").at(4).at("response").at("postgres_changes").as_array();

  Publish(InsertMessage("hello", 1));
  Publish(InsertMessage("other", 2));
  // One question per change, each distinct subscriber once.
  ASSERT_EQ(authorizer->asked.size(), 2u);
  EXPECT_EQ(authorizer->asked[0].size(), 2u);

  auto changes = allowed.Events("postgres_changes");
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].at(0), nullptr);
  EXPECT_EQ(changes[0].at(4).at("ids"), (json::array{ids[0].at("id"), ids[2].at("id")}));
  EXPECT_EQ(changes[1].at(4).at("ids"), (json::array{ids[0].at("id")}));
  const auto& data = changes[0].at(4).at("data").as_object();
  EXPECT_EQ(data.at("type"), "INSERT");
  EXPECT_EQ(data.at("commit_timestamp"), "2026-05-01T10:20:30.123Z");
  EXPECT_EQ(data.at("record").at("body"), "hello");
  EXPECT_FALSE(data.contains("old_record"));
  EXPECT_EQ(data.at("errors"), nullptr);
  EXPECT_TRUE(denied.Events("postgres_changes").empty());
  EXPECT_EQ(also_allowed.Texts().size(), 4u);  // reply, system, two changes

  // A DELETE under RLS carries only the primary key.
  Change removed = InsertMessage("hello", 1);
  removed.kind = ChangeKind::kDelete;
  removed.old_record = removed.record;
  removed.record = {};
  Publish(removed);
  changes = allowed.Events("postgres_changes");
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(json::serialize(changes[2].at(4).at("data").at("old_record")), R"({"id":1})");
  EXPECT_FALSE(changes[2].at(4).at("data").as_object().contains("record"));
  // The filter is evaluated on the old row for a DELETE.
  EXPECT_EQ(changes[2].at(4).at("ids"), (json::array{ids[1].at("id"), ids[2].at("id")}));
}

TEST_F(RealtimeSession, SubmittedChangesArriveInCommitOrderEvenWhenAnAnswerIsSlow) {
  auto authorizer = std::make_shared<SubAuthorizer>(std::vector<std::string>{"u1"});
  authorizer->delay_first = true;
  hub_.SetAuthorizer(authorizer);
  auto client = Connect();
  client.Send(
      R"(["1","1","realtime:chat","phx_join",{"config":{"postgres_changes":[{"event":"*","schema":"public"}]}}])");
  for (int id = 1; id <= 5; ++id) hub_.Submit(std::make_shared<const Change>(InsertMessage("m", id)));
  EXPECT_EQ(hub_.QueuedChanges(), 5u);  // publishing starts once the event loop runs
  io_.restart();
  io_.run_for(std::chrono::milliseconds(300));
  auto changes = client.Events("postgres_changes");
  ASSERT_EQ(changes.size(), 5u);
  for (int id = 1; id <= 5; ++id) EXPECT_EQ(changes[id - 1].at(4).at("data").at("record").at("id"), id);
  EXPECT_EQ(hub_.QueuedChanges(), 0u);
}

TEST_F(RealtimeSession, ChangesQueuedWhileOthersAreJudgedAreJudgedTogether) {
  auto authorizer = std::make_shared<SubAuthorizer>(std::vector<std::string>{"u1"});
  authorizer->delay_first = true;  // 50 ms
  hub_.SetAuthorizer(authorizer);
  auto client = Connect();
  client.Send(
      R"(["1","1","realtime:chat","phx_join",{"config":{"postgres_changes":[{"event":"*","schema":"public"}]}}])");
  hub_.Submit(std::make_shared<const Change>(InsertMessage("m", 1)));
  io_.restart();
  io_.run_for(std::chrono::milliseconds(10));  // the first is being judged
  for (int id = 2; id <= 6; ++id) hub_.Submit(std::make_shared<const Change>(InsertMessage("m", id)));
  io_.restart();
  io_.run_for(std::chrono::milliseconds(300));
  EXPECT_EQ(authorizer->batches, (std::vector<size_t>{1, 5}));
  auto changes = client.Events("postgres_changes");
  ASSERT_EQ(changes.size(), 6u);
  for (int id = 1; id <= 6; ++id) EXPECT_EQ(changes[id - 1].at(4).at("data").at("record").at("id"), id);
}

TEST_F(RealtimeSession, SelectSendsOnlyThoseColumnsAndTheKey) {
  hub_.SetAuthorizer(std::make_shared<SubAuthorizer>(std::vector<std::string>{"u1"}));
  auto narrow = Connect();
  auto wide = Connect();
  narrow.Send(R"(["1","1","realtime:a","phx_join",{"config":{"postgres_changes":[
      {"event":"INSERT","schema":"public","table":"messages","select":["body"]}]}}])");
  // Another binding without select on the same channel widens it again.
  wide.Send(R"(["1","1","realtime:b","phx_join",{"config":{"postgres_changes":[
      {"event":"INSERT","schema":"public","table":"messages","select":["body"]},
      {"event":"*","schema":"public","table":"messages"}]}}])");
  Publish(InsertMessage("hello", 7));
  auto narrow_data = narrow.Events("postgres_changes").at(0).at(4).at("data");
  EXPECT_EQ(json::serialize(narrow_data.at("record")), R"({"id":7,"body":"hello"})");
  EXPECT_EQ(narrow_data.at("columns").as_array().size(), 2u);
  auto wide_data = wide.Events("postgres_changes").at(0).at(4).at("data");
  EXPECT_TRUE(wide_data.at("record").as_object().contains("secret"));
  // select with a wildcard table is refused.
  narrow.Send(R"(["2","2","realtime:c","phx_join",{"config":{"postgres_changes":[
      {"event":"*","schema":"public","select":["body"]}]}}])");
  auto system = narrow.Events("system");
  EXPECT_EQ(system.back().at(4).at("status"), "error");
}

// A change is encoded once per topic, serializer and columns, and each
// member's ids are spliced in: what each receives is what encoding its own
// message whole would give.
TEST_F(RealtimeSession, MembersThatSubscribedAlikeShareIdsAndOneFrame) {
  hub_.SetAuthorizer(std::make_shared<SubAuthorizer>(std::vector<std::string>{"u1", "u2", "u3", "u4"}));
  std::string join = R"(["1","1","realtime:chat","phx_join",{"config":{"postgres_changes":[
      {"event":"INSERT","schema":"public","table":"messages"},
      {"event":"*","schema":"public","table":"messages"}]}}])";
  auto first = Connect(Serializer::kV2, "u1");
  auto second = Connect(Serializer::kV2, "u2");
  auto other_serializer = Connect(Serializer::kV1, "u3");
  auto narrower = Connect(Serializer::kV2, "u4");
  first.Send(join);
  second.Send(join);
  other_serializer.Send(
      R"({"topic":"realtime:chat","event":"phx_join","ref":"1","join_ref":"1","payload":{"config":{"postgres_changes":[
      {"event":"INSERT","schema":"public","table":"messages"}]}}})");
  // A topic that looks like the payload's start changes nothing.
  narrower.Send(R"(["1","1","realtime:{\"ids\":[]","phx_join",{"config":{"postgres_changes":[
      {"event":"INSERT","schema":"public","table":"messages","select":["body"]}]}}])");
  Publish(InsertMessage("hello", 1));
  for (Client* client : {&first, &second, &narrower}) {
    auto ids = client->Reply("1").at(4).at("response").at("postgres_changes").as_array();
    json::array expected_ids;
    for (const auto& entry : ids) expected_ids.push_back(entry.at("id"));
    auto changes = client->Events("postgres_changes");
    ASSERT_EQ(changes.size(), 1u);
    json::value payload = changes[0].at(4);
    EXPECT_EQ(payload.at("ids"), expected_ids);
    // Byte for byte what encoding the whole message would give.
    std::string topic(changes[0].at(2).as_string());
    EXPECT_EQ(*client->socket->text_buffers.back(),
              EncodeText(Message{{}, {}, topic, "postgres_changes", payload.as_object()}, client->serializer));
  }
  // Serializer 1.0.0: objects.
  json::value reply;
  json::value change;
  for (const auto& value : other_serializer.Texts()) {
    if (value.at("event") == "phx_reply") reply = value;
    if (value.at("event") == "postgres_changes") change = value;
  }
  ASSERT_TRUE(change.is_object());
  EXPECT_EQ(change.at("payload").at("ids"),
            (json::array{reply.at("payload").at("response").at("postgres_changes").at(0).at("id")}));
  EXPECT_EQ(*other_serializer.socket->text_buffers.back(),
            EncodeText(Message{{}, {}, "realtime:chat", "postgres_changes", change.at("payload").as_object()},
                       Serializer::kV1));
  EXPECT_EQ(json::serialize(narrower.Events("postgres_changes").at(0).at(4).at("data").at("record")),
            R"({"id":1,"body":"hello"})");
  // Ids depend only on what was subscribed (as Supabase's hash of the
  // params): the two alike members got the same ids, in one shared frame.
  EXPECT_EQ(first.Events("postgres_changes").at(0).at(4).at("ids"),
            second.Events("postgres_changes").at(0).at(4).at("ids"));
  EXPECT_EQ(first.socket->text_buffers.back().get(), second.socket->text_buffers.back().get());
  EXPECT_NE(first.socket->text_buffers.back().get(), narrower.socket->text_buffers.back().get());
}

TEST(BindingId, DependsOnTheComparedParamsOnly) {
  auto id = [](std::string_view entry) { return BindingId(BindingParams(json::parse(entry))); };
  int64_t insert = id(R"({"event":"INSERT","schema":"public","table":"messages"})");
  EXPECT_GE(insert, 1);
  EXPECT_LE(insert, kMaxBindingId);
  // select is not compared by the client: the same subscription.
  EXPECT_EQ(insert, id(R"({"table":"messages","schema":"public","event":"INSERT","select":["id"]})"));
  EXPECT_NE(insert, id(R"({"event":"*","schema":"public","table":"messages"})"));
  EXPECT_NE(insert, id(R"({"event":"INSERT","schema":"public","table":"messages","filter":"id=eq.1"})"));
  // An absent key is not an empty one, nor the string "null".
  EXPECT_NE(id(R"({"event":"INSERT","schema":"public"})"), id(R"({"event":"INSERT","schema":"public","table":""})"));
  EXPECT_NE(id(R"({"event":"INSERT","schema":"public","table":null})"),
            id(R"({"event":"INSERT","schema":"public","table":"null"})"));
}

TEST_F(RealtimeSession, DistinctSubscriptionsOfOneChannelNeverShareAnId) {
  // These two filters hash alike (found by search); identical entries share
  // their id.
  std::string one = R"({"event":"INSERT","schema":"public","table":"messages","filter":"id=eq.75268"})";
  std::string other = R"({"event":"INSERT","schema":"public","table":"messages","filter":"id=eq.139830"})";
  ASSERT_EQ(BindingId(BindingParams(json::parse(one))), BindingId(BindingParams(json::parse(other))));
  auto client = Connect(Serializer::kV2, "u1");
  client.Send(R"(["1","1","realtime:chat","phx_join",{"config":{"postgres_changes":[)" + one + "," + other + "," + one +
              "]}}]");
  auto entries = client.Reply("1").at(4).at("response").at("postgres_changes").as_array();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_NE(entries[0].at("id"), entries[1].at("id"));
  EXPECT_EQ(entries[0].at("id"), entries[2].at("id"));
  EXPECT_EQ(entries[1].at("id").as_int64(), entries[0].at("id").as_int64() % kMaxBindingId + 1);
}

TEST(ChangeData, ErrorsInSupabasesForm) {
  Change change = InsertMessage("x", 1);
  auto no_key = ChangeData(change, {});
  EXPECT_EQ(json::serialize(no_key.at("errors")), R"(["Error 400: Bad Request, no primary key"])");
  EXPECT_EQ(no_key.at("commit_timestamp"), nullptr);
  EXPECT_TRUE(no_key.at("columns").as_array().empty());
  EXPECT_TRUE(no_key.at("record").as_object().empty());
  change = InsertMessage("x", 1);
  change.oversized = true;
  EXPECT_EQ(json::serialize(ChangeData(change, change.primary_key).at("errors")),
            R"(["Error 413: Payload Too Large"])");
}

TEST_F(RealtimeSession, NoAuthorizerOrAFailingOneWithholdsChanges) {
  auto client = Connect();
  client.Send(
      R"(["1","1","realtime:chat","phx_join",{"config":{"postgres_changes":[{"event":"*","schema":"public"}]}}])");
  Publish(InsertMessage("hello", 1));
  EXPECT_TRUE(client.Events("postgres_changes").empty());

  class FailingAuthorizer final : public Authorizer {
   public:
    asio::awaitable<Result<Verdict>> Visible(std::shared_ptr<const Change>, Subscribers) override {
      co_return Error::Unavailable("the database does not answer");
    }
  };
  hub_.SetAuthorizer(std::make_shared<FailingAuthorizer>());
  Publish(InsertMessage("hello", 2));
  EXPECT_TRUE(client.Events("postgres_changes").empty());
}

TEST_F(RealtimeSession, ChangesOfOtherTablesOrEventsMatchNoBinding) {
  auto authorizer = std::make_shared<SubAuthorizer>(std::vector<std::string>{"u1"});
  hub_.SetAuthorizer(authorizer);
  auto client = Connect();
  client.Send(R"(["1","1","realtime:chat","phx_join",{"config":{"postgres_changes":[
      {"event":"UPDATE","schema":"public","table":"messages"},{"event":"INSERT","schema":"app","table":"messages"}]}}])");
  Publish(InsertMessage("hello", 1));
  EXPECT_TRUE(client.Events("postgres_changes").empty());
  EXPECT_TRUE(authorizer->asked.empty());  // nobody to ask about
}

}  // namespace
}  // namespace agentbase::realtime
