// The offline embedder: shape, determinism, what it treats as the same text,
// and that shared words score higher than unrelated texts.

#include "embed/offline_embedder.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace agentbase::embed {

namespace {

constexpr size_t kDimensions = 1536;

Embedding Vector(const std::string& text, size_t dimensions = kDimensions) {
  auto embedding = EmbedOffline(text, dimensions);
  if (!embedding) throw std::runtime_error(text + ": " + embedding.error().message);
  return *embedding;
}

// Both are of length 1, so the dot product is the cosine.
double Cosine(const std::string& a, const std::string& b) {
  Embedding x = Vector(a);
  Embedding y = Vector(b);
  double dot = 0;
  for (size_t i = 0; i < x.size(); ++i) dot += static_cast<double>(x[i]) * y[i];
  return dot;
}

double Length(const Embedding& embedding) {
  double squares = 0;
  for (float value : embedding) squares += static_cast<double>(value) * value;
  return std::sqrt(squares);
}

Result<std::vector<Embedding>> EmbedAll(Embedder& embedder, std::vector<std::string> texts) {
  boost::asio::io_context io;
  std::optional<Result<std::vector<Embedding>>> result;
  boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { result = co_await embedder.Embed(std::move(texts)); },
      [](std::exception_ptr failure) {
        if (failure) std::rethrow_exception(failure);
      });
  io.run();
  return std::move(*result);
}

}  // namespace

TEST(OfflineEmbedderTest, GivesUnitVectorsOfTheAskedDimensions) {
  for (size_t dimensions : {size_t{1536}, size_t{8}, size_t{3072}}) {
    for (const char* text : {"a", "hello world", "The quick brown fox jumps over the lazy dog, twice: 2 times!"}) {
      Embedding embedding = Vector(text, dimensions);
      ASSERT_EQ(embedding.size(), dimensions) << text;
      EXPECT_NEAR(Length(embedding), 1.0, 1e-5) << text;
      EXPECT_TRUE(CheckEmbedding(embedding, dimensions).ok());
    }
  }
  std::string long_text;
  while (long_text.size() < 100'000) long_text += "memory of a conversation about gardening, tomatoes and rain. ";
  EXPECT_NEAR(Length(Vector(long_text)), 1.0, 1e-5);
}

TEST(OfflineEmbedderTest, IsDeterministicAndFixed) {
  const std::string text = "The user prefers dark mode and short answers.";
  EXPECT_EQ(Vector(text), Vector(text));
  // Pinned: the scheme is version 1 (kOfflineEmbedderDescription). A change
  // here changes every stored vector, so it needs a new version.
  // "hello" and "world" (weight 1) and their ten 3-grams (0.5 each), each in
  // a dimension of its own here: 1 / sqrt(2 + 10 / 4) and half of that.
  const std::map<size_t, float> expected = {
      {2, -0.471405F},   {953, -0.471405F}, {96, 0.235702F},  {125, 0.235702F}, {400, -0.235702F}, {447, 0.235702F},
      {450, -0.235702F}, {538, 0.235702F},  {559, 0.235702F}, {646, 0.235702F}, {781, 0.235702F},  {1022, -0.235702F}};
  Embedding pinned = Vector("hello world");
  for (size_t i = 0; i < pinned.size(); ++i) {
    auto want = expected.find(i);
    EXPECT_NEAR(pinned[i], want == expected.end() ? 0.0F : want->second, 1e-6) << i;
  }
}

TEST(OfflineEmbedderTest, IgnoresCaseAndPunctuation) {
  EXPECT_EQ(Vector("Hello, World!"), Vector("hello world"));
  EXPECT_EQ(Vector("  hello\n\tworld  "), Vector("hello world"));
  EXPECT_EQ(Vector("«Hello» — “world”…"), Vector("hello world"));
  EXPECT_EQ(Vector("ÉCOLE Straße ŁÓDŹ"), Vector("école straße łódź"));
  EXPECT_EQ(Vector("ΑΘΗΝΑ ΟΔΟΣ"), Vector("αθηνα οδος"));  // final sigma folds to sigma too
  EXPECT_EQ(Vector("МОСКВА ЁЛКА"), Vector("москва ёлка"));
  EXPECT_NE(Vector("hello world"), Vector("world hello world"));
}

TEST(OfflineEmbedderTest, SharedWordsScoreClearlyHigherThanUnrelatedText) {
  const std::string query = "What is my favourite programming language?";
  double shared = Cosine(query, "My favourite programming language is Rust.");
  double unrelated = Cosine(query, "The weather in Paris was sunny and warm all week.");
  EXPECT_GT(shared, 0.5);
  EXPECT_LT(std::abs(unrelated), 0.15);
  EXPECT_GT(shared, unrelated + 0.4);

  // Parts of words count too: a plural is closer than another word.
  EXPECT_GT(Cosine("cats", "cat"), Cosine("cats", "dog") + 0.2);
  // Function words say little: sharing only them scores low.
  EXPECT_LT(Cosine("the cat is on the mat", "the tax is on the bill"), Cosine("the cat is on the mat", "cat mat"));
  // Beyond ASCII as well.
  EXPECT_GT(Cosine("Benutzer bevorzugt dunkles Design", "dunkles Design bevorzugt"),
            Cosine("Benutzer bevorzugt dunkles Design", "Wetter in München") + 0.4);
  EXPECT_GT(Cosine("用户喜欢深色模式", "深色模式"), Cosine("用户喜欢深色模式", "今天天气很好") + 0.2);
}

TEST(OfflineEmbedderTest, EmbedsTextOfFunctionWordsAlone) {
  EXPECT_NEAR(Length(Vector("to be or not to be")), 1.0, 1e-5);
}

TEST(OfflineEmbedderTest, RefusesTextWithNothingToEmbed) {
  for (std::string text : {std::string(""), std::string("   \n"), std::string("?!... -- ()"), std::string("“”…")}) {
    auto embedding = EmbedOffline(text, kDimensions);
    ASSERT_FALSE(embedding.ok()) << text;
    EXPECT_TRUE(embedding.error().Is(ErrorKind::kInvalidInput));
    EXPECT_EQ(embedding.error().code, "embed");
    EXPECT_NE(embedding.error().message.find("no letters or digits"), std::string::npos);
  }
  auto invalid = EmbedOffline("caf\xC3", kDimensions);
  ASSERT_FALSE(invalid.ok());
  EXPECT_NE(invalid.error().message.find("UTF-8"), std::string::npos);
}

TEST(OfflineEmbedderTest, EmbedsEveryTextInOrderThroughTheInterface) {
  auto embedder = MakeOfflineEmbedder(kDimensions);
  EXPECT_EQ(embedder->Dimensions(), kDimensions);
  EXPECT_EQ(embedder->Describe(), kOfflineEmbedderDescription);
  auto embeddings = EmbedAll(*embedder, {"first text", "second text", "third"});
  ASSERT_TRUE(embeddings.ok()) << embeddings.error().message;
  ASSERT_EQ(embeddings->size(), 3U);
  EXPECT_EQ((*embeddings)[0], Vector("first text"));
  EXPECT_EQ((*embeddings)[2], Vector("third"));
  auto none = EmbedAll(*embedder, {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  auto refused = EmbedAll(*embedder, {"fine", "!!!"});
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.error().Is(ErrorKind::kInvalidInput));
  EXPECT_EQ(refused.error().message.rfind("text 1: ", 0), 0U) << refused.error().message;
}

TEST(OfflineEmbedderTest, ZeroDimensionsIsABug) {
  EXPECT_THROW(MakeOfflineEmbedder(0), std::invalid_argument);
  EXPECT_THROW((void)EmbedOffline("text", 0), std::invalid_argument);
}

}  // namespace agentbase::embed
