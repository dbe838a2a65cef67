#include "util/base64url.hpp"

#include <gtest/gtest.h>

namespace agentbase {

TEST(Base64Url, EncodesWithoutPaddingInTheUrlAlphabet) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode(std::string("\xfb\xff\xbf", 3)), "-_-_");
  EXPECT_EQ(Base64UrlEncode(R"({"alg":"RS256"})"), "eyJhbGciOiJSUzI1NiJ9");
}

TEST(Base64Url, DecodesWhatItEncodes) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t length = 0; length <= all.size(); length += 7) {
    auto text = all.substr(0, length);
    auto decoded = Base64UrlDecode(Base64UrlEncode(text));
    ASSERT_TRUE(decoded.has_value()) << length;
    EXPECT_EQ(*decoded, text);
  }
  EXPECT_EQ(Base64UrlDecode("-_-_"), std::string("\xfb\xff\xbf", 3));
}

TEST(Base64Url, RejectsPaddingStrayCharactersAndImpossibleLengths) {
  EXPECT_FALSE(Base64UrlDecode("Zg==").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm8=").has_value());
  EXPECT_FALSE(Base64UrlDecode("+/+/").has_value());  // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("Zm9v Yg").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9v\nYg").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9v.Yg").has_value());
  EXPECT_FALSE(Base64UrlDecode(std::string("Zm\0v", 4)).has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9vY").has_value());  // 4n+1 characters
  EXPECT_FALSE(Base64UrlDecode("A").has_value());
  EXPECT_TRUE(Base64UrlDecode("").has_value());
}

TEST(Base64Url, RejectsNonZeroUnusedBits) {
  // "Zg" is "f"; "Zh" carries the same byte with a stray low bit set.
  EXPECT_TRUE(Base64UrlDecode("Zg").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zh").has_value());
  EXPECT_TRUE(Base64UrlDecode("Zm8").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9").has_value());
}

}  // namespace agentbase
