#include "changes/change_stream.hpp"

#include <algorithm>

#include "changes/typed_value.hpp"

namespace agentbase::changes {

namespace json = boost::json;
using namespace pgoutput;

std::string_view ChangeKindName(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kInsert: return "INSERT";
    case ChangeKind::kUpdate: return "UPDATE";
    case ChangeKind::kDelete: return "DELETE";
  }
  return "UNKNOWN";
}

namespace {

Error Violation(const std::string& what) {
  return Error::InvalidInput("replication stream out of order: " + what, "replication-protocol");
}

size_t TupleBytes(const Tuple* tuple) {
  size_t bytes = 0;
  if (tuple != nullptr) {
    for (const auto& value : *tuple) bytes += value.data.size();
  }
  return bytes;
}

}  // namespace

void ChangeStream::Reset() {
  relations_.clear();
  in_transaction_ = false;
  commit_lsn_ = 0;
  xid_ = 0;
  commit_timestamp_.clear();
}

std::string ChangeStream::TypeName(uint32_t oid) const {
  auto it = type_names_.find(oid);
  return it == type_names_.end() ? "unknown" : it->second;
}

Result<Change> ChangeStream::Build(const Relation& relation, ChangeKind kind, const Tuple* new_tuple,
                                   const Tuple* old_tuple) const {
  const size_t width = relation.columns.size();
  if ((new_tuple != nullptr && new_tuple->size() != width) || (old_tuple != nullptr && old_tuple->size() != width)) {
    return Violation("a row of " + relation.schema + "." + relation.name + " does not match its columns");
  }
  Change change;
  change.schema = relation.schema.empty() ? "pg_catalog" : relation.schema;
  change.table = relation.name;
  change.relation_oid = relation.oid;
  change.kind = kind;
  change.commit_timestamp = commit_timestamp_;
  change.commit_lsn = commit_lsn_;
  change.xid = xid_;
  change.columns.reserve(width);
  for (const auto& column : relation.columns) {
    change.columns.push_back({column.name, TypeName(column.type_oid)});
    if (column.key) change.primary_key.push_back(column.name);
  }
  change.oversized = TupleBytes(new_tuple) + TupleBytes(old_tuple) > options_.max_record_bytes;
  // Fills `out` from a tuple; returns the columns left out as unchanged TOAST.
  auto fill = [&](const Tuple& tuple, json::object& out, std::vector<std::string>* toasted) -> Status {
    for (size_t i = 0; i < width; ++i) {
      const Value& value = tuple[i];
      const ChangeColumn& column = change.columns[i];
      switch (value.kind) {
        case ValueKind::kNull: out[column.name] = nullptr; break;
        case ValueKind::kUnchangedToast:
          if (toasted != nullptr) toasted->push_back(column.name);
          break;
        case ValueKind::kText:
          if (change.oversized && value.data.size() > kOversizedValueBytes) break;
          out[column.name] = TypedValue(column.type, value.data);
          break;
        case ValueKind::kBinary: return Violation("a binary value, which the feed never asks for");
      }
    }
    return Ok();
  };
  if (old_tuple != nullptr) {
    // An old key tuple ('K') holds nulls for the columns outside the key:
    // only the key's columns belong in old_record.
    for (size_t i = 0; i < width; ++i) {
      const Value& value = (*old_tuple)[i];
      const RelationColumn& column = relation.columns[i];
      if (relation.replica_identity != 'f' && !column.key) continue;
      if (value.kind == ValueKind::kBinary) return Violation("a binary value, which the feed never asks for");
      if (value.kind == ValueKind::kUnchangedToast) continue;
      if (value.kind == ValueKind::kNull) {
        change.old_record[column.name] = nullptr;
      } else if (!change.oversized || value.data.size() <= kOversizedValueBytes) {
        change.old_record[column.name] = TypedValue(change.columns[i].type, value.data);
      }
    }
  }
  if (new_tuple != nullptr) {
    std::vector<std::string> toasted;
    if (auto filled = fill(*new_tuple, change.record, &toasted); !filled) return filled.error();
    for (auto& name : toasted) {
      // The old row (REPLICA IDENTITY FULL) has the value the update kept.
      if (auto old = change.old_record.find(name); old != change.old_record.end()) {
        change.record[name] = old->value();
      } else {
        change.unchanged_toast.push_back(std::move(name));
      }
    }
    // Keep the record's keys in column order even where TOAST was filled in.
    json::object ordered;
    ordered.reserve(change.record.size());
    for (const auto& column : change.columns) {
      if (auto it = change.record.find(column.name); it != change.record.end()) ordered[column.name] = it->value();
    }
    change.record = std::move(ordered);
  }
  return change;
}

Result<ChangeStream::Step> ChangeStream::Consume(std::string_view bytes) {
  auto decoded = DecodeMessage(bytes);
  if (!decoded) return decoded.error();
  Step step;
  auto relation_of = [this](uint32_t oid) -> const Relation* {
    auto it = relations_.find(oid);
    return it == relations_.end() ? nullptr : &it->second;
  };
  auto change_step = [&](uint32_t oid, ChangeKind kind, const Tuple* new_tuple,
                         const Tuple* old_tuple) -> Result<Step> {
    if (!in_transaction_) return Violation("a row change outside a transaction");
    const Relation* relation = relation_of(oid);
    if (relation == nullptr) return Violation("a row of relation " + std::to_string(oid) + " never announced");
    auto change = Build(*relation, kind, new_tuple, old_tuple);
    if (!change) return change.error();
    step.what = Step::What::kChange;
    step.change = std::move(*change);
    return std::move(step);
  };
  Message& message = *decoded;
  if (auto* begin = std::get_if<Begin>(&message)) {
    if (in_transaction_) return Violation("Begin inside a transaction");
    in_transaction_ = true;
    commit_lsn_ = begin->final_lsn;
    xid_ = begin->xid;
    commit_timestamp_ = FormatCommitTimestamp(begin->commit_time);
    step.what = Step::What::kBegin;
    step.lsn = begin->final_lsn;
    return step;
  }
  if (auto* commit = std::get_if<Commit>(&message)) {
    if (!in_transaction_) return Violation("Commit outside a transaction");
    in_transaction_ = false;
    step.what = Step::What::kCommit;
    step.lsn = commit->end_lsn;
    return step;
  }
  if (auto* relation = std::get_if<Relation>(&message)) {
    uint32_t oid = relation->oid;
    relations_[oid] = std::move(*relation);
    return step;
  }
  if (auto* type = std::get_if<Type>(&message)) {
    type_names_[type->oid] = type->name;
    return step;
  }
  if (auto* insert = std::get_if<Insert>(&message)) {
    return change_step(insert->relation, ChangeKind::kInsert, &insert->new_tuple, nullptr);
  }
  if (auto* update = std::get_if<Update>(&message)) {
    return change_step(update->relation, ChangeKind::kUpdate, &update->new_tuple,
                       update->old_tuple ? &*update->old_tuple : nullptr);
  }
  if (auto* removal = std::get_if<Delete>(&message)) {
    return change_step(removal->relation, ChangeKind::kDelete, nullptr, &removal->old_tuple);
  }
  // Origin, Truncate (Supabase sends no TRUNCATE event) and logical messages
  // carry nothing a subscriber receives.
  return step;
}

}  // namespace agentbase::changes
