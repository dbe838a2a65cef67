#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "embed/embedder.hpp"

namespace agentbase::embed {

TEST(CheckEmbeddingTest, AcceptsTheRightNumberOfFiniteNumbers) {
  std::vector<float> embedding = {0.5F, -0.25F, 0.0F, std::numeric_limits<float>::max()};
  EXPECT_TRUE(CheckEmbedding(embedding, 4).ok());
}

TEST(CheckEmbeddingTest, NamesTheLengthWhenItIsWrong) {
  std::vector<float> embedding(1535, 0.1F);
  auto checked = CheckEmbedding(embedding, 1536);
  ASSERT_FALSE(checked.ok());
  EXPECT_TRUE(checked.error().Is(ErrorKind::kInvalidInput));
  EXPECT_EQ(checked.error().code, "embedding");
  EXPECT_EQ(checked.error().message, "an embedding of 1535 numbers where 1536 are expected");
  EXPECT_FALSE(CheckEmbedding({}, 3).ok());
}

TEST(CheckEmbeddingTest, NamesTheIndexOfTheFirstNanOrInfinity) {
  std::vector<float> embedding(8, 0.1F);
  embedding[5] = std::numeric_limits<float>::quiet_NaN();
  embedding[7] = std::numeric_limits<float>::infinity();
  auto nan = CheckEmbedding(embedding, 8);
  ASSERT_FALSE(nan.ok());
  EXPECT_EQ(nan.error().message, "element 5 of an embedding is NaN");

  embedding[5] = 0;
  auto infinite = CheckEmbedding(embedding, 8);
  ASSERT_FALSE(infinite.ok());
  EXPECT_EQ(infinite.error().message, "element 7 of an embedding is infinite");

  embedding[7] = -std::numeric_limits<float>::infinity();
  EXPECT_FALSE(CheckEmbedding(embedding, 8).ok());
}

}  // namespace agentbase::embed
