#include "app/cli_errors.hpp"

#include <gtest/gtest.h>

#include "app/exit_codes.hpp"

namespace agentbase::app {
namespace {

// The exit code follows the error's kind: the operator's mistakes (usage,
// config, unreadable files) are usage errors, the rest database failures.
TEST(CliErrors, ExitCodeFollowsTheKind) {
  EXPECT_EQ(ExitCodeFor(Error::Make("bad flag", "usage")), kExitUsage);
  EXPECT_EQ(ExitCodeFor(Error::Make("bad file", "config")), kExitUsage);
  EXPECT_EQ(ExitCodeFor(Error::Make("cannot read", "io")), kExitUsage);
  EXPECT_EQ(ExitCodeFor(Error::Usage("no such option", "option")), kExitUsage);
  EXPECT_EQ(ExitCodeFor(Error::Make("lost", "08006")), kExitDatabase);
  EXPECT_EQ(ExitCodeFor(Error::Make("duplicate", "23505")), kExitDatabase);
}

}  // namespace
}  // namespace agentbase::app
