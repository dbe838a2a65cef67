#include "util/checksum.hpp"

#include <gtest/gtest.h>

namespace agentbase {
namespace {

TEST(Hex, DecodeUndoesEncodeForAnyByte) {
  std::string bytes;
  for (int byte = 0; byte < 256; ++byte) bytes.push_back(static_cast<char>(byte));
  EXPECT_EQ(HexDecode(HexEncode(bytes)), bytes);
  EXPECT_EQ(HexDecode("00FFa0"), std::string("\x00\xff\xa0", 3));
  EXPECT_EQ(HexDecode(""), "");
}

TEST(Hex, DecodeRefusesWhatIsNoHex) {
  EXPECT_FALSE(HexDecode("abc").has_value());
  EXPECT_FALSE(HexDecode("0g").has_value());
  EXPECT_FALSE(HexDecode("\\x00").has_value());
}

}  // namespace
}  // namespace agentbase
