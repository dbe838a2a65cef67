#include "util/result.hpp"

#include <gtest/gtest.h>

namespace agentbase {
namespace {

TEST(ErrorKind, DerivedFromSqlState) {
  EXPECT_EQ(KindOfCode("08006"), ErrorKind::kUnavailable);
  EXPECT_EQ(KindOfCode("57P01"), ErrorKind::kUnavailable);
  EXPECT_EQ(KindOfCode("57014"), ErrorKind::kTimeout);
  EXPECT_EQ(KindOfCode("53300"), ErrorKind::kBusy);
  EXPECT_EQ(KindOfCode("53400"), ErrorKind::kInternal);
  EXPECT_EQ(KindOfCode("23505"), ErrorKind::kConflict);
  EXPECT_EQ(KindOfCode("40001"), ErrorKind::kConflict);
  EXPECT_EQ(KindOfCode("23502"), ErrorKind::kInvalidInput);
  EXPECT_EQ(KindOfCode("42501"), ErrorKind::kPermission);
  EXPECT_EQ(KindOfCode("28P01"), ErrorKind::kPermission);
  EXPECT_EQ(KindOfCode("42P01"), ErrorKind::kNotFound);
  EXPECT_EQ(KindOfCode("42883"), ErrorKind::kNotFound);
  EXPECT_EQ(KindOfCode("22P02"), ErrorKind::kInvalidInput);
  EXPECT_EQ(KindOfCode("42601"), ErrorKind::kInvalidInput);
  EXPECT_EQ(KindOfCode("XX000"), ErrorKind::kInternal);
}

TEST(ErrorKind, DerivedFromPostgrestCodes) {
  EXPECT_EQ(KindOfCode("PGRST001"), ErrorKind::kUnavailable);
  EXPECT_EQ(KindOfCode("PGRST003"), ErrorKind::kBusy);
  EXPECT_EQ(KindOfCode("PGRST100"), ErrorKind::kInvalidInput);
  EXPECT_EQ(KindOfCode("PGRST205"), ErrorKind::kNotFound);
  EXPECT_EQ(KindOfCode("PGRST201"), ErrorKind::kInvalidInput);
  EXPECT_EQ(KindOfCode("PGRST301"), ErrorKind::kPermission);
  EXPECT_EQ(KindOfCode("PGRST300"), ErrorKind::kInternal);
}

TEST(ErrorKind, DerivedFromOwnTags) {
  EXPECT_EQ(KindOfCode("usage"), ErrorKind::kUsage);
  EXPECT_EQ(KindOfCode("config"), ErrorKind::kUsage);
  EXPECT_EQ(KindOfCode("io"), ErrorKind::kUsage);
  EXPECT_EQ(KindOfCode("connect"), ErrorKind::kUnavailable);
  EXPECT_EQ(KindOfCode("exists"), ErrorKind::kConflict);
  EXPECT_EQ(KindOfCode(""), ErrorKind::kInternal);
  EXPECT_EQ(KindOfCode("embedded"), ErrorKind::kInternal);
}

TEST(ErrorKind, NamedConstructorsCarryTheirKindWhateverTheCode) {
  Error busy = Error::Busy("too many waiting", "pool-full");
  EXPECT_EQ(busy.Kind(), ErrorKind::kBusy);
  EXPECT_EQ(busy.code, "pool-full");
  EXPECT_TRUE(busy.Is(ErrorKind::kBusy));
  EXPECT_EQ(Error::Timeout("late", "08006").Kind(), ErrorKind::kTimeout);  // the kind wins over the code
  EXPECT_EQ(Error::Usage("bad flag").code, "usage");
  EXPECT_EQ(Error::Make("lost", "08006").Kind(), ErrorKind::kUnavailable);
  Error unset{"m", "23505", {}, {}, {}};
  EXPECT_EQ(unset.Kind(), ErrorKind::kConflict);
}

TEST(ErrorKind, Names) {
  EXPECT_EQ(KindName(ErrorKind::kInvalidInput), "invalid_input");
  EXPECT_EQ(KindName(ErrorKind::kBusy), "busy");
  EXPECT_EQ(KindName(ErrorKind::kNotFound), "not_found");
}

}  // namespace
}  // namespace agentbase
