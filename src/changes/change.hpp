#pragma once
// A committed row change of a published table, as the change feed
// (changes/feed.hpp) delivers it: what Supabase Realtime's postgres_changes
// messages carry (schema, table, type, commit_timestamp, columns, record,
// old_record), with values already typed as JSON.

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace agentbase::changes {

enum class ChangeKind { kInsert, kUpdate, kDelete };

// "INSERT", "UPDATE", "DELETE": the `type` of a postgres_changes message.
std::string_view ChangeKindName(ChangeKind kind);

struct ChangeColumn {
  std::string name;
  std::string type;  // pg_type.typname: int4, text, jsonb, timestamptz, _text (an array)...
};

struct Change {
  std::string schema;
  std::string table;
  uint32_t relation_oid = 0;  // the table's pg_class oid (what Authorizer takes)
  ChangeKind kind = ChangeKind::kInsert;
  // UTC with milliseconds, as Supabase sends it: "2026-05-01T10:20:30.123Z".
  std::string commit_timestamp;
  uint64_t commit_lsn = 0;  // the transaction's commit record: orders and identifies transactions
  // The transaction's id (32 bits, as pgoutput sends it; 0: unknown). The
  // feed can deliver a transaction before other sessions see it committed
  // (its commit record is flushed, and so decodable, a moment before the
  // committing backend leaves the proc array): the Authorizer waits until it
  // is visible before it looks the rows up.
  uint32_t xid = 0;
  // Every column of the table, in attribute order.
  std::vector<ChangeColumn> columns;
  // The table's replica identity columns: its primary key under the default
  // REPLICA IDENTITY; every column under REPLICA IDENTITY FULL; none when the
  // table has neither a primary key nor another identity (Supabase's "no
  // primary key" case).
  std::vector<std::string> primary_key;
  // INSERT and UPDATE: the new row. An UPDATE that left a TOASTed value
  // unchanged does not carry it: it is taken from old_record when that has it,
  // and left out otherwise (see unchanged_toast).
  boost::json::object record;
  // UPDATE and DELETE: the old row's replica identity (the primary key by
  // default, the whole old row under REPLICA IDENTITY FULL). Empty for an
  // UPDATE that kept its key, under the default identity.
  boost::json::object old_record;
  // Columns of `record` that were left out as unchanged TOASTed values.
  std::vector<std::string> unchanged_toast;
  // The row was larger than FeedOptions::max_record_bytes: only values of at
  // most 64 bytes are kept (Supabase's "Error 413: Payload Too Large").
  bool oversized = false;
};

}  // namespace agentbase::changes
