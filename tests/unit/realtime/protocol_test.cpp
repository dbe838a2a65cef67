#include "realtime/protocol.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace agentbase::realtime {
namespace {

namespace json = boost::json;

TEST(Serializer, VsnParameterPicksIt) {
  EXPECT_EQ(*SerializerFor(std::nullopt), Serializer::kV1);
  EXPECT_EQ(*SerializerFor("1.0.0"), Serializer::kV1);
  EXPECT_EQ(*SerializerFor("2.0.0"), Serializer::kV2);
  EXPECT_FALSE(SerializerFor("3.0.0"));
}

TEST(Serializer, V2TextIsAFiveElementArray) {
  auto message = DecodeText(R"(["6","7","realtime:room1","phx_join",{"config":{}}])", Serializer::kV2);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->join_ref, "6");
  EXPECT_EQ(message->ref, "7");
  EXPECT_EQ(message->topic, "realtime:room1");
  EXPECT_EQ(message->event, "phx_join");
  EXPECT_TRUE(message->payload.as_object().contains("config"));

  auto heartbeat = DecodeText(R"([null,"9","phoenix","heartbeat",{}])", Serializer::kV2);
  ASSERT_TRUE(heartbeat);
  EXPECT_FALSE(heartbeat->join_ref);

  Message reply{std::nullopt, "9", "phoenix", "phx_reply", json::object{{"status", "ok"}}};
  EXPECT_EQ(EncodeText(reply, Serializer::kV2), R"([null,"9","phoenix","phx_reply",{"status":"ok"}])");
}

TEST(Serializer, V1TextIsAnObjectAndTheServerLeavesOutJoinRef) {
  auto message = DecodeText(
      R"({"topic":"realtime:r1","event":"broadcast","payload":{"type":"broadcast"},"ref":"7","join_ref":"6"})",
      Serializer::kV1);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->join_ref, "6");
  EXPECT_EQ(message->ref, "7");
  EXPECT_EQ(message->event, "broadcast");

  Message reply{"6", "7", "realtime:r1", "phx_reply", json::object{}};
  auto encoded = json::parse(EncodeText(reply, Serializer::kV1)).as_object();
  EXPECT_EQ(encoded.at("topic"), "realtime:r1");
  EXPECT_EQ(encoded.at("ref"), "7");
  EXPECT_FALSE(encoded.contains("join_ref"));
}

TEST(Serializer, MalformedTextIsAnErrorNotACrash) {
  for (const char* frame :
       {"", "{not json", "[1,2,3]", R"(["1","2","t","e"])", R"([1,"2","t","e",{}])", R"(["1","2",3,"e",{}])",
        R"({"topic":"t","event":"e"})", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}) {
    EXPECT_FALSE(DecodeText(frame, Serializer::kV2)) << frame;
  }
  std::string long_text(256, 'a');
  EXPECT_FALSE(DecodeText(R"([")" + long_text + R"(","2","t","e",{}])", Serializer::kV2));
  EXPECT_FALSE(DecodeText(R"(["1","2",")" + long_text + R"(","e",{}])", Serializer::kV2));
  EXPECT_FALSE(DecodeText(R"(["1","2","t",")" + long_text + R"(",{}])", Serializer::kV2));
  EXPECT_TRUE(DecodeText(R"(["1","2",")" + std::string(255, 'a') + R"(","e",{}])", Serializer::kV2));
  EXPECT_FALSE(DecodeText(R"(["1","2","t","e",{}])", Serializer::kV1));
  EXPECT_FALSE(DecodeText(R"({"topic":1,"event":"e"})", Serializer::kV1));
}

std::string Bytes(std::initializer_list<int> header, std::string_view rest) {
  std::string bytes;
  for (int b : header) bytes.push_back(static_cast<char>(b));
  return bytes + std::string(rest);
}

// Found by fuzzing: a number beyond a double's range (1e999) read as
// infinity, which written back for the other members is not JSON at all.
TEST(Serializer, NumbersOutOfRangeAreRefused) {
  auto text = DecodeText(R"(["1","2","realtime:r","broadcast",{"payload":{"x":[1,{"y":1e999}]}}])", Serializer::kV2);
  ASSERT_FALSE(text);
  EXPECT_TRUE(text.error().Is(ErrorKind::kInvalidInput));
  EXPECT_NE(text.error().message.find("out of range"), std::string::npos) << text.error().message;
  EXPECT_FALSE(DecodeBinary(Bytes({3, 0, 0, 1, 1, 0, 1}, "te{\"x\":-1e999}")));
  EXPECT_TRUE(DecodeText(R"(["1","2","realtime:r","broadcast",{"x":1e300}])", Serializer::kV2));
}

TEST(Serializer, BinaryKind3AsTheClientSendsIt) {
  // The frame realtime-js sent for topic realtime:room1, event cursor,
  // join_ref 6, ref 7, payload {"x":1,"s":"é"}.
  std::string payload = "{\"x\":1,\"s\":\"\xc3\xa9\"}";
  auto broadcast = DecodeBinary(Bytes({3, 1, 1, 14, 6, 0, 1}, "67realtime:room1cursor" + payload));
  ASSERT_TRUE(broadcast) << broadcast.error().message;
  EXPECT_EQ(broadcast->join_ref, "6");
  EXPECT_EQ(broadcast->ref, "7");
  EXPECT_EQ(broadcast->topic, "realtime:room1");
  EXPECT_EQ(broadcast->event, "cursor");
  EXPECT_TRUE(broadcast->metadata.empty());
  EXPECT_TRUE(broadcast->json);
  EXPECT_EQ(broadcast->payload, payload);
}

TEST(Serializer, BinaryKind3RawPayloadAndMetadata) {
  auto broadcast = DecodeBinary(Bytes({3, 0, 0, 1, 1, 2, 0}, std::string("te{}\x00\xff", 6)));
  ASSERT_TRUE(broadcast);
  EXPECT_FALSE(broadcast->join_ref);
  EXPECT_EQ(broadcast->metadata, "{}");
  EXPECT_FALSE(broadcast->json);
  EXPECT_EQ(broadcast->payload, std::string("\x00\xff", 2));
}

TEST(Serializer, MalformedBinaryIsRefused) {
  EXPECT_FALSE(DecodeBinary(""));
  EXPECT_FALSE(DecodeBinary(Bytes({4, 1, 1, 0, 1}, "te{}")));          // kind 4 only goes out
  EXPECT_FALSE(DecodeBinary(Bytes({0}, "")));                          // Phoenix's own kinds too
  EXPECT_FALSE(DecodeBinary(Bytes({3, 1, 1}, "")));                    // short header
  EXPECT_FALSE(DecodeBinary(Bytes({3, 9, 9, 9, 9, 0, 1}, "short")));   // lengths past the end
  EXPECT_FALSE(DecodeBinary(Bytes({3, 0, 0, 1, 1, 0, 2}, "te{}")));    // unknown encoding
  EXPECT_FALSE(DecodeBinary(Bytes({3, 0, 0, 1, 1, 0, 1}, "te{no")));   // JSON that is not
  EXPECT_FALSE(DecodeBinary(Bytes({3, 0, 0, 1, 1, 2, 1}, "te[]{}")));  // metadata not an object
}

TEST(Serializer, BinaryKind4LayoutForTheClient) {
  auto frame = EncodeUserBroadcast(BinaryBroadcast{{}, {}, "realtime:room1", "cursor", {}, true, R"({"x":1})"});
  ASSERT_TRUE(frame);
  EXPECT_EQ(*frame, Bytes({4, 14, 6, 0, 1}, R"(realtime:room1cursor{"x":1})"));
  auto raw = EncodeUserBroadcast(BinaryBroadcast{{}, {}, "t", "e", R"({"id":"1"})", false, std::string("\x01", 1)});
  ASSERT_TRUE(raw);
  EXPECT_EQ(*raw, Bytes({4, 1, 1, 10, 0}, std::string("te{\"id\":\"1\"}\x01")));
  EXPECT_FALSE(EncodeUserBroadcast(BinaryBroadcast{{}, {}, std::string(256, 't'), "e", {}, true, "{}"}));
}

}  // namespace
}  // namespace agentbase::realtime
