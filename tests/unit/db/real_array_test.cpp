// real[] in PostgreSQL's binary format (db/real_array.hpp), against bytes
// PostgreSQL 15 wrote: encode(array_send(<literal>), 'hex').

#include "db/real_array.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "util/checksum.hpp"

namespace agentbase::db {
namespace {

std::string Bytes(std::string_view hex) { return *HexDecode(hex); }

// array_send('{1,-2.5,3e-05}'::real[])
constexpr std::string_view kThreeReals =
    "0000000100000000000002bc0000000300000001000000043f80000000000004c02000000000000437fba882";

TEST(RealArray, SendWritesWhatArraySendWrites) {
  std::vector<float> values{1.0f, -2.5f, 3e-05f};
  EXPECT_EQ(HexEncode(RealArraySend(values)), kThreeReals);
  EXPECT_EQ(HexEncode(RealArraySend({})), "0000000100000000000002bc0000000000000001");
}

TEST(RealArray, RecvReadsArraySendsBytes) {
  std::vector<float> out(3);
  ASSERT_TRUE(RealArrayRecv(Bytes(kThreeReals), out));
  EXPECT_EQ(out, (std::vector<float>{1.0f, -2.5f, 3e-05f}));
  // Any lower bound: array_send('[0:1]={1,2}'::real[]).
  std::vector<float> two(2);
  ASSERT_TRUE(RealArrayRecv(Bytes("0000000100000000000002bc0000000200000000000000043f8000000000000440000000"), two));
  EXPECT_EQ(two, (std::vector<float>{1.0f, 2.0f}));
  // A round trip keeps every bit, subnormals and -0 among them.
  std::vector<float> odd{-0.0f, std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::max(),
                         std::numeric_limits<float>::lowest()};
  std::vector<float> back(odd.size());
  ASSERT_TRUE(RealArrayRecv(RealArraySend(odd), back));
  for (size_t i = 0; i < odd.size(); ++i) EXPECT_EQ(std::bit_cast<uint32_t>(back[i]), std::bit_cast<uint32_t>(odd[i]));
}

TEST(RealArray, RecvRefusesAnythingElse) {
  std::vector<float> two(2);
  const std::string nan = RealArraySend(std::vector<float>{1.0f, std::nanf("")});
  const std::string infinite = RealArraySend(std::vector<float>{std::numeric_limits<float>::infinity(), 1.0f});
  const std::string good = RealArraySend(std::vector<float>{1.0f, 2.0f});
  for (const std::string& bad :
       {Bytes("0000000100000001000002bc0000000200000001000000043f800000ffffffff"),                          // {1,NULL}
        Bytes("0000000200000000000002bc00000002000000010000000100000001000000043f8000000000000440000000"),  // {{1},{2}}
        Bytes("0000000100000000000002bd0000000200000001000000083ff0000000000000000000084000000000000000"),  // float8[]
        RealArraySend(std::vector<float>{1.0f, 2.0f, 3.0f}),                                                // too many
        RealArraySend(std::vector<float>{1.0f}),                                                            // too few
        nan, infinite, good.substr(0, good.size() - 1), good + '\0', std::string()}) {
    EXPECT_FALSE(RealArrayRecv(bad, two)) << HexEncode(bad);
  }
  // An element whose length word is not 4, in bytes of the right size.
  std::string wrong_length = good;
  wrong_length[23] = 8;
  EXPECT_FALSE(RealArrayRecv(wrong_length, two));
  EXPECT_TRUE(RealArrayRecv(good, two));
}

}  // namespace
}  // namespace agentbase::db
