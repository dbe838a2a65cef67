#pragma once
// The contract between the change feed (which reads committed changes from
// PostgreSQL) and realtime (which sends them to subscribers as
// postgres_changes). Nothing in it depends on realtime, so it can move to
// the feed's own folder (src/changes, a floor below) unchanged; serve wires
// the two together.
//
//  - The feed calls a ChangeListener once per committed row change, in
//    commit order, on the server's event loop. Realtime queues the change
//    and handles its queue one change at a time: that is how order is kept.
//  - Realtime asks an Authorizer, once per change, which of the distinct
//    subscribers (role and JWT claims) may see it: for INSERT and UPDATE
//    whether they may SELECT the row by its primary key under RLS; for
//    DELETE, where the row is gone, the authorizer judges old_record (the
//    primary key, or the whole old row with REPLICA IDENTITY FULL).

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace agentbase::realtime {

enum class ChangeKind { kInsert, kUpdate, kDelete };

struct ChangeColumn {
  std::string name;
  std::string type;  // pg_type.typname: int4, text, uuid, timestamptz, jsonb, _text...
};

// Field for field the change feed's changes::Change (src/changes, on the
// i10-cdc branch), plus row_security; when both are merged this struct
// becomes that one.
struct Change {
  std::string schema;
  std::string table;
  uint32_t relation_oid = 0;  // the table's pg_class oid
  ChangeKind kind = ChangeKind::kInsert;
  // The commit time in UTC, "YYYY-MM-DDTHH:MM:SS.mmmZ".
  std::string commit_timestamp;
  uint64_t commit_lsn = 0;
  std::vector<ChangeColumn> columns;     // attribute order
  std::vector<std::string> primary_key;  // replica identity columns; empty: the table has no key
  // Typed JSON (numbers, booleans, nested json, arrays, ISO timestamps).
  boost::json::object record;                // INSERT, UPDATE: the new row
  boost::json::object old_record;            // UPDATE, DELETE: the replica identity (PK, or all with FULL)
  std::vector<std::string> unchanged_toast;  // left out of `record` as unchanged TOASTed values
  // Larger than the feed's record limit: only values of at most 64 bytes
  // were kept (Supabase's "Error 413: Payload Too Large").
  bool oversized = false;
  // The table has row level security enabled: a DELETE then reaches
  // subscribers with old_record cut down to the primary key, as on Supabase.
  bool row_security = false;
};

// One distinct subscriber identity: its role and its JWT claims.
struct ChangeSubscriber {
  std::string role;
  std::string claims_text;     // serialized once, for request.jwt.claims and to tell identities apart
  boost::json::object claims;  // the same, parsed (changes::Authorizer takes these)
};

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  // For `change`, whether each of `subscribers` may see it: the answer has
  // one entry per subscriber, in order. An error withholds the change from
  // all of them (it is logged); it never reaches anyone unchecked.
  virtual boost::asio::awaitable<Result<std::vector<bool>>> Visible(std::shared_ptr<const Change> change,
                                                                    std::vector<ChangeSubscriber> subscribers) = 0;
};

// What the feed calls per change, in commit order (realtime's Hub::Submit
// behind it): it only queues, so a synchronous callback keeps the order.
using ChangeListener = std::function<void(std::shared_ptr<const Change>)>;

}  // namespace agentbase::realtime
