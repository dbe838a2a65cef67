#pragma once
// Turns the pgoutput messages of a replication stream into Changes: keeps
// the relations and type names the stream announced, and the transaction
// being read (its commit LSN and timestamp). No I/O: the feed hands it each
// message; tests hand it bytes.
//
// pgoutput (protocol 1, no streaming of in-progress transactions) sends a
// transaction only after it committed, whole, in commit order: every Change
// is committed when it comes out of here, so nothing is held back until the
// Commit message. Memory: the relations and types of the published tables,
// plus one message at a time (one row: at most PostgreSQL's 1 GB per value,
// in practice the row's size).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "changes/change.hpp"
#include "changes/pgoutput.hpp"
#include "util/result.hpp"

namespace agentbase::changes {

struct StreamOptions {
  // A row whose values add up to more keeps only values of at most
  // kOversizedValueBytes (Change::oversized), like Supabase's
  // poll_max_record_bytes.
  size_t max_record_bytes = 1024 * 1024;
};

constexpr size_t kOversizedValueBytes = 64;

class ChangeStream {
 public:
  explicit ChangeStream(StreamOptions options = {}) : options_(options) {}

  // The name of a built-in type (pgoutput announces only user-defined types,
  // with Type messages); the feed loads them from pg_type.
  void AddTypeName(uint32_t oid, std::string name) { type_names_[oid] = std::move(name); }

  struct Step {
    enum class What { kNone, kBegin, kChange, kCommit };
    What what = What::kNone;
    // kBegin: the transaction's commit LSN. kCommit: the LSN after its commit
    // record, which is what to acknowledge once its changes are delivered.
    uint64_t lsn = 0;
    std::optional<Change> change;  // kChange
  };

  // One pgoutput message. A malformed one, or one that breaks the protocol
  // (a row of a relation never announced, a change outside a transaction)
  // is an error: the feed then reconnects and reads again from the slot.
  Result<Step> Consume(std::string_view message);

  // Forgets the transaction being read (after a reconnect, the server starts
  // again at a transaction boundary); relations are announced again too.
  void Reset();

 private:
  Result<Change> Build(const pgoutput::Relation& relation, ChangeKind kind, const pgoutput::Tuple* new_tuple,
                       const pgoutput::Tuple* old_tuple) const;
  std::string TypeName(uint32_t oid) const;

  StreamOptions options_;
  std::unordered_map<uint32_t, pgoutput::Relation> relations_;
  std::unordered_map<uint32_t, std::string> type_names_;
  bool in_transaction_ = false;
  uint64_t commit_lsn_ = 0;
  uint32_t xid_ = 0;
  std::string commit_timestamp_;
};

}  // namespace agentbase::changes
