// Starting the server's processes: a child gets only its standard streams.

#include "pgctl/os_user.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace agentbase::pgctl {
namespace {

TEST(SpawnTest, TheChildInheritsNoDescriptorButItsStandardStreams) {
  // A descriptor that is not close-on-exec, as Asio's sockets are: a server
  // restarted under serve must not keep it open.
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  SpawnOptions spawn;
  spawn.argv = {"/bin/sleep", "30"};
  auto user = ResolveServerUser("postgres");
  if (user) spawn.user = *user;
  auto child = Spawn(spawn);
  ASSERT_TRUE(child) << child.error().message;
  close(pipe_fds[1]);

  // Once the child has dropped its copy of the write end (before exec), the
  // read end reports end of file; a child that kept it would hold it 30 s.
  pollfd read_end{pipe_fds[0], POLLIN, 0};
  EXPECT_EQ(poll(&read_end, 1, 5000), 1) << "the child still holds the pipe's write end";
  EXPECT_TRUE(read_end.revents & POLLHUP);

  kill(*child, SIGKILL);
  waitpid(*child, nullptr, 0);
  close(pipe_fds[0]);
}

}  // namespace
}  // namespace agentbase::pgctl
