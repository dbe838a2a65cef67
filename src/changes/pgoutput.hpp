#pragma once
// Decoding of PostgreSQL's logical replication stream (the built-in pgoutput
// plugin, protocol version 1), from the byte layouts documented in
// "Logical Replication Message Formats" and "Streaming Replication Protocol"
// (PostgreSQL 15). Pure functions over bytes: a malformed or truncated message
// is an Error value, never a crash or an exception.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/result.hpp"

namespace agentbase::changes::pgoutput {

// Microseconds since 2000-01-01 00:00:00 UTC (PostgreSQL's epoch).
using PgTimestamp = int64_t;

// --- What CopyData carries on a replication connection ---

struct XLogData {
  uint64_t start_lsn = 0;
  uint64_t end_lsn = 0;  // the end of WAL on the server when sent
  PgTimestamp send_time = 0;
  std::string_view message;  // the pgoutput message (a view into the CopyData)
};

struct Keepalive {
  uint64_t wal_end = 0;
  PgTimestamp send_time = 0;
  bool reply_requested = false;
};

Result<std::variant<XLogData, Keepalive>> DecodeCopyData(std::string_view bytes);

// The Standby status update ('r') that reports how far we got, so that the
// server can release the WAL before it.
std::string EncodeStandbyStatus(uint64_t written, uint64_t flushed, uint64_t applied, PgTimestamp now,
                                bool reply_requested);

// Now, in PostgreSQL's epoch.
PgTimestamp Now();

// --- pgoutput messages ---

struct Begin {
  uint64_t final_lsn = 0;  // the transaction's commit record
  PgTimestamp commit_time = 0;
  uint32_t xid = 0;
};

struct Commit {
  uint8_t flags = 0;
  uint64_t commit_lsn = 0;
  uint64_t end_lsn = 0;  // where the next transaction starts: what to acknowledge
  PgTimestamp commit_time = 0;
};

struct Origin {
  uint64_t commit_lsn = 0;
  std::string name;
};

struct RelationColumn {
  bool key = false;  // part of the replica identity
  std::string name;
  uint32_t type_oid = 0;
  int32_t type_modifier = -1;
};

struct Relation {
  uint32_t oid = 0;
  std::string schema;  // "" stands for pg_catalog
  std::string name;
  char replica_identity = 'd';  // d default, n nothing, f full, i index
  std::vector<RelationColumn> columns;
};

struct Type {
  uint32_t oid = 0;
  std::string schema;
  std::string name;
};

enum class ValueKind { kNull, kUnchangedToast, kText, kBinary };

struct Value {
  ValueKind kind = ValueKind::kNull;
  std::string data;  // kText, kBinary
};

using Tuple = std::vector<Value>;

struct Insert {
  uint32_t relation = 0;
  Tuple new_tuple;
};

struct Update {
  uint32_t relation = 0;
  // The old row: its key ('K'), or the whole row under REPLICA IDENTITY FULL
  // ('O'); absent when the key did not change under the default identity.
  std::optional<Tuple> old_tuple;
  bool old_is_key_only = false;
  Tuple new_tuple;
};

struct Delete {
  uint32_t relation = 0;
  Tuple old_tuple;
  bool old_is_key_only = true;
};

struct Truncate {
  uint8_t options = 0;  // 1 CASCADE, 2 RESTART IDENTITY
  std::vector<uint32_t> relations;
};

// Logical decoding messages (pg_logical_emit_message), sent with the
// `messages` option only: decoded so that they can be skipped.
struct LogicalMessage {
  bool transactional = false;
  uint64_t lsn = 0;
  std::string prefix;
  std::string content;
};

using Message = std::variant<Begin, Commit, Origin, Relation, Type, Insert, Update, Delete, Truncate, LogicalMessage>;

Result<Message> DecodeMessage(std::string_view bytes);

// "16/B374D848", as PostgreSQL writes an LSN.
std::string FormatLsn(uint64_t lsn);

}  // namespace agentbase::changes::pgoutput
