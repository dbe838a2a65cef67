#pragma once
// search_memories answered from memory: an exact per-user vector index
// (VectorIndex), kept consistent with public.user_memory.
//
//  - Consistent: before every search, one statement asks the database, as
//    the searching caller (its role and claims, under row level security),
//    which of the user's memories changed since the snapshot the index was
//    last brought up to (agentbase.memory_changes, fed by a trigger on every
//    write of any path) and reads those rows. A search that starts after a
//    write was acknowledged sees it: the write's transaction is visible to
//    the statement's snapshot. Expiry is judged at the statement's time.
//  - Filled only by such statements, so row level security decides what an
//    index may hold; a caller whose tenant changed reloads whole.
//  - Bounded: all indexes together stay under max_bytes; the least recently
//    searched users are dropped first (and reload on their next search).
//  - Anything it does not answer itself (bad arguments, hybrid ranking
//    without text, the anon role, an index that cannot hold the user) is
//    left to the SQL function, which answers or refuses as PostgREST would.
//
// Searches run on the caller's event loop up to the database round trip;
// the scan itself runs on a thread pool (large users in parallel parts),
// while the user's index is locked against changes.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "db/async_connection.hpp"
#include "memory/vector_index.hpp"
#include "util/result.hpp"

namespace agentbase::memory {

struct MemorySearchOptions {
  // Off: searches are the SQL function's (query_text is still embedded).
  bool index = true;
  size_t dimensions = 1536;
  size_t max_bytes = size_t{1} << 30;  // all users' indexes together
  size_t scan_threads = 2;
  size_t min_part = 2048;  // memories per parallel part, at least
};

// A text's embedding (app wires the configured embedder).
using EmbedText = std::function<boost::asio::awaitable<Result<std::vector<float>>>(std::string)>;

// Runs statements as the caller (its settings first), one round trip.
using RunAsCaller =
    std::function<boost::asio::awaitable<Result<std::vector<db::PgResult>>>(std::vector<db::Statement>)>;

// The bounds of the SQL functions (80_memory.sql) on the texts that are embedded.
inline constexpr size_t kMaxQueryTextChars = 1000;         // search_memories' query_text
inline constexpr size_t kMaxRememberedValueChars = 10000;  // remember's value

struct MemorySearchStats {
  uint64_t searches = 0;   // answered from memory
  uint64_t passed_on = 0;  // left to SQL
  uint64_t reloads = 0;    // users (re)loaded whole
  uint64_t evictions = 0;  // users dropped to stay under max_bytes
  size_t bytes = 0;        // held now
  size_t users = 0;        // indexes held now
};

class MemorySearch {
 public:
  // `embed` (may be empty) turns query_text into query_embedding.
  MemorySearch(boost::asio::any_io_executor executor, MemorySearchOptions options, EmbedText embed);
  ~MemorySearch();

  // search_memories' JSON arguments, by a caller of `role` whose claims are
  // `claims` (JSON): the rows as PostgREST would answer them (a JSON array),
  // or none to let the SQL function answer, with query_embedding added to
  // `args` (and `args_changed` set) when it was computed from query_text.
  boost::asio::awaitable<Result<std::optional<std::string>>> Search(boost::json::object& args, bool& args_changed,
                                                                    const std::string& role, const std::string& claims,
                                                                    RunAsCaller run);

  // Adds args[embedding] computed from args[text] when the call has text
  // and leaves the embedding out (null: none wanted), and an embedder is
  // configured: remember's embedding of its value. Text of more than
  // `max_chars` characters (the SQL function's own bound) is refused (22023)
  // before it reaches the embedder, as is a NUL byte (22021).
  boost::asio::awaitable<Status> EmbedMissing(boost::json::object& args, bool& args_changed, std::string_view text,
                                              std::string_view embedding, size_t max_chars);

  MemorySearchStats Stats() const;

 private:
  struct UserIndex;
  boost::asio::awaitable<Result<std::vector<float>>> EmbedChecked(std::string text);
  // Runs each of `works` on a scanner thread (in parallel where threads are
  // free); resumes on the event loop once all have run.
  boost::asio::awaitable<void> OffLoop(std::vector<std::function<void()>> works);
  // Brings `user`'s index up to the database, as the caller.
  boost::asio::awaitable<Result<int64_t>> Sync(UserIndex& user, const std::string& target, const RunAsCaller& run);
  std::shared_ptr<UserIndex> IndexFor(const std::string& key);
  void Evict();

  boost::asio::any_io_executor executor_;
  MemorySearchOptions options_;
  EmbedText embed_;
  boost::asio::thread_pool scanners_;
  // Most recently searched first.
  std::list<std::shared_ptr<UserIndex>> recency_;
  std::unordered_map<std::string, std::list<std::shared_ptr<UserIndex>>::iterator> users_;
  MemorySearchStats stats_;
};

// An embedder's failure as the API answers it (ABnnn carries the status):
// the text's fault 400, the embedder's 502, 503 or 504.
Error EmbedderFailure(const Error& failure);

// Reads a real[] sent as array_send's bytes in hex (encode(array_send(x),
// 'hex')) into `out`, which must get exactly out.size() finite values.
bool ParseHexRealArray(std::string_view hex, std::span<float> out);

}  // namespace agentbase::memory
