#pragma once
// Telling the processes of one PostgreSQL cluster apart from everything else,
// through /proc.
//
// PostgreSQL leaves its lock files (postmaster.pid, and .s.PGSQL.<port>.lock
// beside the socket) behind when it is killed. It removes them itself at the
// next start when the PID they name is dead, but refuses to start while that
// PID is in use by any process: a zombie nobody reaped, or an unrelated
// process that was given the same PID later. Deciding that such a file is
// stale needs to know whether the PID really is a server of this cluster;
// deciding that removing it is safe needs to know that no process of the
// cluster (not even an orphaned backend) is still running.
//
// A process belongs to the cluster when it is alive (not a zombie), runs as
// the cluster's user, is a `postgres` executable, and has the data directory
// as its working directory: every PostgreSQL process changes into it first.

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <vector>

namespace agentbase::pgctl {

struct ClusterIdentity {
  std::filesystem::path pgdata;  // PostgreSQL's data directory (compared after resolving symlinks)
  uid_t server_uid = 0;          // the user the server runs as
};

enum class PidHolder {
  kNobody,        // no such process, or a zombie: whatever ran there is dead
  kThisCluster,   // a live process of this cluster
  kUnrelated,     // a live process that cannot be part of this cluster
  kUndetermined,  // alive, but /proc does not tell whose (treated as possibly ours)
};

PidHolder IdentifyPidHolder(pid_t pid, const ClusterIdentity& cluster);

// Every live process of the cluster; nullopt when /proc cannot be read, in
// which case no lock file may be judged stale.
std::optional<std::vector<pid_t>> LiveClusterProcesses(const ClusterIdentity& cluster);

// Stopped by a signal (SIGSTOP) or by a debugger: it cannot act on any
// signal but SIGKILL (and SIGCONT) until it is continued.
bool ProcessStopped(pid_t pid);

// The PID on the first line of a PostgreSQL lock file; nullopt when the file
// is missing or does not start with a PID.
std::optional<pid_t> ReadLockFilePid(const std::filesystem::path& lock_file);

}  // namespace agentbase::pgctl
