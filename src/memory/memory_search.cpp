#include "memory/memory_search.hpp"

#include <spdlog/spdlog.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <deque>

#include "db/real_array.hpp"
#include "util/checksum.hpp"
#include "util/utf8.hpp"

namespace agentbase::memory {

namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;

namespace {

// One statement, as the caller: the header (memory_id null, with `reload`
// set when the user's memories come whole) and a row per changed memory,
// its columns null when it is gone, not the caller's to see, or has no
// embedding with a cosine (none, or one with a NaN or infinity, which the
// table takes and the SQL function finds nothing for either). Every row
// carries the statement's snapshot, the caller's tenant and the statement's
// time; the header may come anywhere among them. An expiry is clamped to
// +-9e12 seconds (some 285,000 years from 1970) before it becomes
// microseconds, since no int8 holds infinity or -infinity, nor the
// microseconds of the latest years a timestamptz reaches (294276).
//
// Each changed memory is looked up by its id (LATERAL, its LIMIT keeps the
// planner from flattening it into a join): as a plain LEFT JOIN, planned for
// the 1,000 rows a set-returning function is assumed to return, it read all
// of the user's memories into a hash on every search, even when nothing had
// changed (5 ms of a search of 10,000 memories). No ORDER BY: sorting a
// reload's rows, embeddings as text included, spilled 190 MB to disk.
//
// The embedding comes as its array_send bytes in hex, not as decimal text:
// PostgreSQL writes no float as text and the server parses none (a reload
// of 10,000 memories read 150 MB of decimals).
constexpr const char* kSyncSql =
    "SELECT c.reload, c.memory_id::text, pg_catalog.pg_current_snapshot()::text, "
    "  agentbase.current_tenant_id()::text, "
    "  (EXTRACT(epoch FROM pg_catalog.statement_timestamp()) * 1000000)::int8, "
    "  m.memory_type, (GREATEST(LEAST(EXTRACT(epoch FROM m.expires_at), 9e12), -9e12) * 1000000)::int8, "
    "  pg_catalog.json_build_object('id', m.id, 'memory_type', m.memory_type, 'key', m.key, 'value', m.value, "
    "    'confidence_score', m.confidence_score, 'source', m.source, "
    "    'source_conversation_id', m.source_conversation_id, 'metadata', m.metadata, 'expires_at', m.expires_at, "
    "    'created_at', m.created_at, 'updated_at', m.updated_at)::text, "
    "  pg_catalog.encode(pg_catalog.array_send(m.embedding), 'hex') "
    "FROM agentbase.memory_changes($1::uuid, $2) c "
    "LEFT JOIN LATERAL (SELECT * FROM public.user_memory u "
    "  WHERE u.id = c.memory_id AND u.user_id = $1::uuid AND u.embedding IS NOT NULL "
    "    AND NOT u.embedding OPERATOR(pg_catalog.&&) '{NaN,Infinity,-Infinity}'::real[] LIMIT 1) m ON true";

// Rows of one sync beyond which they are parsed off the event loop.
constexpr int kParseOffLoopRows = 256;

// Rows read by one sync beyond which the freed result is given back to the
// system (malloc_trim).
constexpr size_t kTrimAfterRows = 1000;

enum SyncColumn { kReload, kMemoryId, kSnapshot, kTenant, kNow, kType, kExpires, kRow, kEmbedding };

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (text[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

// Shortest text that reads back as the same double, as PostgreSQL writes
// double precision.
std::string DoubleText(double value) {
  char buffer[32];
  auto written = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, written.ptr);
}

// What the fast path understands of the arguments; anything else is the SQL
// function's to answer (or refuse).
struct SearchArgs {
  std::optional<std::vector<double>> embedding;
  std::optional<std::string> text;
  SearchOptions search;
  std::optional<std::string> user_id;
};

std::optional<SearchArgs> ReadArgs(const json::object& args, size_t dimensions) {
  SearchArgs read;
  for (const auto& [name, value] : args) {
    if (name == "query_embedding") {
      if (value.is_null()) continue;
      if (!value.is_array() || value.as_array().size() != dimensions) return std::nullopt;
      std::vector<double> embedding;
      embedding.reserve(dimensions);
      for (const auto& number : value.as_array()) {
        auto as_real = db::RealAsPostgresReads(number);
        if (!as_real) return std::nullopt;
        embedding.push_back(*as_real);
      }
      read.embedding = std::move(embedding);
    } else if (name == "match_count") {
      if (!value.is_int64() || value.as_int64() < 1 || value.as_int64() > 200) return std::nullopt;
      read.search.match_count = static_cast<size_t>(value.as_int64());
    } else if (name == "min_similarity") {
      if (value.is_null()) continue;
      if (!value.is_number()) return std::nullopt;
      read.search.min_similarity = value.to_number<double>();
    } else if (name == "memory_types") {
      if (value.is_null()) continue;
      if (!value.is_array()) return std::nullopt;
      read.search.types = 0;
      for (const auto& type : value.as_array()) {
        if (!type.is_string()) return std::nullopt;
        read.search.types |= MemoryTypeBit(type.as_string());
      }
    } else if (name == "query_text") {
      if (value.is_null()) continue;
      // Longer: the SQL function's path, which refuses it.
      if (!value.is_string() || CountCodePoints(value.as_string()) > kMaxQueryTextChars) return std::nullopt;
      read.text = std::string(value.as_string());
    } else if (name == "hybrid") {
      // Fused ranking needs the text side: the SQL function's.
      if (!value.is_bool() || value.as_bool()) return std::nullopt;
    } else if (name == "user_id") {
      if (value.is_null()) continue;
      if (!value.is_string() || !IsUuid(value.as_string())) return std::nullopt;
      read.user_id = std::string(value.as_string());
    } else {
      return std::nullopt;  // PostgREST's answer for an unknown argument
    }
  }
  return read;
}

// A lock that coroutines wait for in turn.
class AsyncLock {
 public:
  awaitable<void> Lock(asio::any_io_executor executor) {
    if (!held_) {
      held_ = true;
      co_return;
    }
    auto turn = std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
    waiting_.push_back(turn);
    co_await turn->async_wait(asio::as_tuple(asio::use_awaitable));  // cancelled when it is our turn
  }
  void Unlock() {
    if (waiting_.empty()) {
      held_ = false;
      return;
    }
    auto next = std::move(waiting_.front());
    waiting_.pop_front();
    next->cancel();  // still held: handed over
  }
  bool Busy() const { return held_; }

 private:
  bool held_ = false;
  std::deque<std::shared_ptr<asio::steady_timer>> waiting_;
};

}  // namespace

bool ParseHexRealArray(std::string_view hex, std::span<float> out) {
  auto bytes = HexDecode(hex);
  return bytes && db::RealArrayRecv(*bytes, out);
}

struct MemorySearch::UserIndex {
  explicit UserIndex(std::string key, size_t dimensions) : key(std::move(key)), index(dimensions) {}
  std::string key;
  VectorIndex index;
  std::optional<std::string> snapshot;  // brought up to it; none: never loaded
  std::string tenant;
  size_t rows_read = 0;  // by the last Sync
  // index.Bytes() as of the last Sync, read by Evict on the event loop
  // while a sync of this user may be changing the index on a scanner thread.
  size_t bytes = 0;
  AsyncLock lock;
};

MemorySearch::MemorySearch(asio::any_io_executor executor, MemorySearchOptions options, EmbedText embed)
    : executor_(std::move(executor)),
      options_(options),
      embed_(std::move(embed)),
      scanners_(std::max<size_t>(options.scan_threads, 1)) {}

MemorySearch::~MemorySearch() { scanners_.join(); }

MemorySearchStats MemorySearch::Stats() const { return stats_; }

std::shared_ptr<MemorySearch::UserIndex> MemorySearch::IndexFor(const std::string& key) {
  if (auto found = users_.find(key); found != users_.end()) {
    recency_.splice(recency_.begin(), recency_, found->second);
    return *found->second;
  }
  recency_.push_front(std::make_shared<UserIndex>(key, options_.dimensions));
  users_[key] = recency_.begin();
  return recency_.front();
}

void MemorySearch::Evict() {
  size_t bytes = 0;
  for (const auto& user : recency_) bytes += user->bytes;
  // The least recently searched first; one in use stays (its request holds
  // it; dropped here, it is only forgotten).
  while (bytes > options_.max_bytes && !recency_.empty()) {
    auto& coldest = recency_.back();
    bytes -= coldest->bytes;
    users_.erase(coldest->key);
    recency_.pop_back();
    ++stats_.evictions;
  }
  stats_.bytes = bytes;
  stats_.users = recency_.size();
}

awaitable<void> MemorySearch::OffLoop(std::vector<std::function<void()>> works) {
  if (works.empty()) co_return;
  asio::steady_timer done(executor_, asio::steady_timer::time_point::max());
  std::atomic<size_t> remaining = works.size();
  for (auto& work : works) {
    asio::post(scanners_, [&] {
      work();
      if (remaining.fetch_sub(1) == 1) asio::post(executor_, [&done] { done.cancel(); });
    });
  }
  co_await done.async_wait(asio::as_tuple(asio::use_awaitable));
}

awaitable<Result<int64_t>> MemorySearch::Sync(UserIndex& user, const std::string& target, const RunAsCaller& run) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::vector<db::Statement> statements(1);
    statements[0].sql = kSyncSql;
    statements[0].params.emplace_back(target);
    if (user.snapshot) {
      statements[0].params.emplace_back(*user.snapshot);
    } else {
      statements[0].params.emplace_back(std::nullopt);
    }
    statements[0].reuse = true;
    auto results = co_await run(std::move(statements));
    if (!results) co_return results.error();
    const db::PgResult& rows = results->at(0);
    int header = 0;
    while (header < rows.Rows() && !rows.IsNull(header, kMemoryId)) ++header;
    if (header == rows.Rows()) co_return Error::Internal("agentbase.memory_changes answered no header");
    std::string tenant = rows.IsNull(header, kTenant) ? std::string() : rows.Text(header, kTenant);
    if (user.snapshot && tenant != user.tenant) {
      // The caller's tenant changed: what it may see changed with it.
      user.index.Clear();
      user.snapshot.reset();
      continue;
    }
    if (rows.Bool(header, kReload)) {
      user.index.Clear();
      ++stats_.reloads;
    }
    user.rows_read = static_cast<size_t>(rows.Rows() - 1);
    // Reading a large sync's embeddings (a reload: 10,000 memories are
    // 120 MB of hex) runs on the scanners' threads, so that the event loop
    // serves everyone else meanwhile; the user's lock keeps its index ours.
    std::optional<Error> failure;
    auto apply = [&] {
      std::vector<float> vector(options_.dimensions);
      for (int row = 0; row < rows.Rows(); ++row) {
        if (row == header) continue;
        std::string_view id = rows.Get(row, kMemoryId);
        if (rows.IsNull(row, kEmbedding)) {  // gone, not the caller's, or without an embedding
          user.index.Remove(id);
          continue;
        }
        if (!ParseHexRealArray(rows.Get(row, kEmbedding), vector)) {
          failure = Error::Internal("an unreadable embedding of memory " + std::string(id));
          return;
        }
        IndexedMemory memory;
        memory.id = std::string(id);
        memory.type_bit = MemoryTypeBit(rows.Get(row, kType));
        if (!rows.IsNull(row, kExpires)) memory.expires_at_us = std::stoll(rows.Text(row, kExpires));
        memory.row_json = rows.Text(row, kRow);
        user.index.Upsert(std::move(memory), vector);
      }
    };
    if (rows.Rows() > kParseOffLoopRows) {
      std::vector<std::function<void()>> parse;
      parse.emplace_back(apply);
      co_await OffLoop(std::move(parse));
    } else {
      apply();
    }
    if (failure) co_return *failure;
    user.bytes = user.index.Bytes();
    user.snapshot = rows.Text(header, kSnapshot);
    user.tenant = std::move(tenant);
    co_return std::stoll(rows.Text(header, kNow));
  }
  co_return Error::Unavailable("the caller's tenant kept changing while its memories were read");
}

Error EmbedderFailure(const Error& failure) {
  std::string message = "the embedding of the text could not be made: " + failure.message;
  std::string code;
  switch (failure.Kind()) {
    case ErrorKind::kInvalidInput: code = "AB400"; break;
    case ErrorKind::kUnavailable:
    case ErrorKind::kBusy: code = "AB503"; break;
    case ErrorKind::kTimeout: code = "AB504"; break;
    default: code = "AB502"; break;
  }
  Error error = Error::Make(std::move(message), code);
  error.hint = code == "AB400" ? "Give a text with words, or pass the embedding."
                               : "Nothing was stored; retry later, or pass the embedding.";
  return error;
}

awaitable<Result<std::vector<float>>> MemorySearch::EmbedChecked(std::string text) {
  if (HasNulByte(text)) co_return NulByteError();
  auto embedded = co_await embed_(std::move(text));
  if (!embedded) co_return EmbedderFailure(embedded.error());
  if (embedded->size() != options_.dimensions) {
    co_return EmbedderFailure(Error::Internal("the embedder answered " + std::to_string(embedded->size()) +
                                              " numbers, not " + std::to_string(options_.dimensions) +
                                              " (the schema's dimensions)"));
  }
  co_return std::move(*embedded);
}

awaitable<Status> MemorySearch::EmbedMissing(json::object& args, bool& args_changed, std::string_view text,
                                             std::string_view embedding, size_t max_chars) {
  const json::value* given = args.if_contains(embedding);
  const json::value* source = args.if_contains(text);
  // An explicit null asks for none.
  if (!embed_ || given != nullptr || source == nullptr || !source->is_string()) co_return Ok();
  if (CountCodePoints(source->as_string()) > max_chars) {
    co_return Error::InvalidInput(std::string(text) + " is longer than " + std::to_string(max_chars) + " characters",
                                  "22023");
  }
  auto embedded = co_await EmbedChecked(std::string(source->as_string()));
  if (!embedded) co_return embedded.error();
  json::array numbers;
  numbers.reserve(embedded->size());
  for (float x : *embedded) numbers.emplace_back(static_cast<double>(x));
  args[embedding] = std::move(numbers);
  args_changed = true;
  co_return Ok();
}

awaitable<Result<std::optional<std::string>>> MemorySearch::Search(json::object& args, bool& args_changed,
                                                                   const std::string& role, const std::string& claims,
                                                                   RunAsCaller run) {
  auto read = ReadArgs(args, options_.dimensions);
  std::optional<std::string> target;
  if (read && role == "authenticated") {
    boost::system::error_code parse_error;
    json::value parsed = json::parse(claims, parse_error);
    const json::value* sub = parse_error || !parsed.is_object() ? nullptr : parsed.as_object().if_contains("sub");
    // Another user named: the SQL function refuses it.
    if (sub != nullptr && sub->is_string() && IsUuid(sub->as_string()) &&
        (!read->user_id || *read->user_id == sub->as_string())) {
      target = std::string(sub->as_string());
    }
  } else if (read && role == "service_role") {
    target = read->user_id;
  }
  if (!target) {
    // The SQL function's to refuse (or to answer unusual arguments); no
    // embedding is made for a caller that cannot search.
    ++stats_.passed_on;
    co_return std::nullopt;
  }
  if (!options_.index || (!read->embedding && !(read->text && embed_))) {
    // The SQL function's, with the text's embedding if it can be had.
    ++stats_.passed_on;
    auto embedded = co_await EmbedMissing(args, args_changed, "query_text", "query_embedding", kMaxQueryTextChars);
    if (!embedded) co_return embedded.error();
    co_return std::nullopt;
  }
  if (!read->embedding) {
    auto embedded = co_await EmbedChecked(*read->text);
    if (!embedded) co_return embedded.error();
    read->embedding.emplace(embedded->begin(), embedded->end());
  }

  auto user = IndexFor(role + '\n' + *target);
  co_await user->lock.Lock(executor_);
  struct Unlock {
    UserIndex* user;
    ~Unlock() { user->lock.Unlock(); }
  } unlock{user.get()};
  auto now = co_await Sync(*user, *target, run);
  if (!now) co_return now.error();
#if defined(__GLIBC__)
  // A load's result (the embeddings in hex: twice the vectors' bytes, and
  // more) is freed by now, but glibc keeps the pages: 10,000 memories of
  // 1536 dimensions left the server's RSS 250 MB larger for a 68 MB index.
  // Given back after a large read (a few milliseconds, rare).
  if (user->rows_read >= kTrimAfterRows) malloc_trim(0);
#endif
  Evict();
  if (user->index.Bytes() > options_.max_bytes) {
    // Too large to keep: this search is the SQL function's.
    user->index.Clear();
    user->bytes = 0;
    user->snapshot.reset();
    ++stats_.passed_on;
    co_return std::nullopt;
  }
  read->search.now_us = *now;

  // The scan, off the event loop, in parts for a large user.
  const VectorIndex& index = user->index;
  size_t parts = std::clamp<size_t>(index.Size() / options_.min_part, 1, std::max<size_t>(options_.scan_threads, 1));
  std::vector<std::vector<Hit>> found(parts);
  std::span<const double> query(*read->embedding);
  std::vector<std::function<void()>> scans;
  for (size_t part = 0; part < parts; ++part) {
    size_t begin = index.Size() * part / parts;
    size_t end = index.Size() * (part + 1) / parts;
    scans.emplace_back([&, part, begin, end] { found[part] = index.Search(query, read->search, begin, end); });
  }
  co_await OffLoop(std::move(scans));
  std::vector<Hit> hits = index.Merge(std::move(found), read->search.match_count);

  // The rows as the SQL function returns them: its columns, then
  // similarity and score (1 / (60 + rank) without fusion).
  std::string body = "[";
  for (size_t rank = 0; rank < hits.size(); ++rank) {
    const std::string& row = index.At(hits[rank].slot).row_json;
    if (rank > 0) body += ',';
    body.append(row, 0, row.size() - 1);
    body += ",\"similarity\":" + DoubleText(hits[rank].similarity) +
            ",\"score\":" + DoubleText(1.0 / (60.0 + static_cast<double>(rank + 1))) + '}';
  }
  body += ']';
  ++stats_.searches;
  co_return body;
}

}  // namespace agentbase::memory
