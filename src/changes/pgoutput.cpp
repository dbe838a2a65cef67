#include "changes/pgoutput.hpp"

#include <chrono>
#include <cstdio>

namespace agentbase::changes::pgoutput {

namespace {

// Reads big-endian fields off a message, remembering the first failure:
// every read past the end yields zero and makes Failed() true.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  bool Failed() const { return failed_; }
  bool AtEnd() const { return pos_ == bytes_.size(); }
  size_t Remaining() const { return bytes_.size() - pos_; }

  uint64_t Unsigned(size_t width) {
    if (failed_ || Remaining() < width) return Fail(), 0;
    uint64_t value = 0;
    for (size_t i = 0; i < width; ++i) value = (value << 8) | static_cast<unsigned char>(bytes_[pos_ + i]);
    pos_ += width;
    return value;
  }
  uint8_t Int8() { return static_cast<uint8_t>(Unsigned(1)); }
  uint16_t Int16() { return static_cast<uint16_t>(Unsigned(2)); }
  uint32_t Int32() { return static_cast<uint32_t>(Unsigned(4)); }
  uint64_t Int64() { return Unsigned(8); }
  int64_t SignedInt64() { return static_cast<int64_t>(Int64()); }
  char Byte() { return static_cast<char>(Int8()); }
  // A NUL-terminated string.
  std::string String() {
    if (failed_) return {};
    size_t end = bytes_.find('\0', pos_);
    if (end == std::string_view::npos) return Fail(), std::string();
    std::string text(bytes_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return text;
  }
  std::string_view Bytes(size_t count) {
    if (failed_ || Remaining() < count) return Fail(), std::string_view();
    auto view = bytes_.substr(pos_, count);
    pos_ += count;
    return view;
  }
  std::string_view Rest() { return Bytes(Remaining()); }
  void Fail() { failed_ = true; }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
  bool failed_ = false;
};

Error Malformed(const std::string& what) {
  return Error::InvalidInput("malformed replication message: " + what, "replication-protocol");
}

// TupleData: Int16 count, then per column 'n', 'u', or 't'/'b' with an Int32
// length and that many bytes.
std::optional<Tuple> ReadTuple(Reader& reader) {
  uint16_t count = reader.Int16();
  if (reader.Failed()) return std::nullopt;
  Tuple tuple;
  // Each column takes at least one byte: a count beyond what is left is a lie,
  // so it must not size an allocation.
  if (count > reader.Remaining()) return std::nullopt;
  tuple.reserve(count);
  for (uint16_t i = 0; i < count; ++i) {
    Value value;
    char tag = reader.Byte();
    switch (tag) {
      case 'n': value.kind = ValueKind::kNull; break;
      case 'u': value.kind = ValueKind::kUnchangedToast; break;
      case 't':
      case 'b': {
        value.kind = tag == 't' ? ValueKind::kText : ValueKind::kBinary;
        uint32_t length = reader.Int32();
        auto data = reader.Bytes(length);
        if (reader.Failed()) return std::nullopt;
        value.data.assign(data);
        break;
      }
      default: return std::nullopt;
    }
    if (reader.Failed()) return std::nullopt;
    tuple.push_back(std::move(value));
  }
  return tuple;
}

}  // namespace

Result<std::variant<XLogData, Keepalive>> DecodeCopyData(std::string_view bytes) {
  Reader reader(bytes);
  char tag = reader.Byte();
  if (reader.Failed()) return Malformed("empty CopyData");
  if (tag == 'w') {
    XLogData data;
    data.start_lsn = reader.Int64();
    data.end_lsn = reader.Int64();
    data.send_time = reader.SignedInt64();
    if (reader.Failed()) return Malformed("truncated XLogData header");
    data.message = reader.Rest();
    return std::variant<XLogData, Keepalive>(data);
  }
  if (tag == 'k') {
    Keepalive keepalive;
    keepalive.wal_end = reader.Int64();
    keepalive.send_time = reader.SignedInt64();
    keepalive.reply_requested = reader.Int8() != 0;
    if (reader.Failed()) return Malformed("truncated keepalive");
    return std::variant<XLogData, Keepalive>(keepalive);
  }
  return Malformed(std::string("unknown CopyData tag '") + (tag >= 32 && tag < 127 ? std::string(1, tag) : "?") + "'");
}

std::string EncodeStandbyStatus(uint64_t written, uint64_t flushed, uint64_t applied, PgTimestamp now,
                                bool reply_requested) {
  std::string out(1, 'r');
  auto put = [&out](uint64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
  };
  put(written);
  put(flushed);
  put(applied);
  put(static_cast<uint64_t>(now));
  out.push_back(reply_requested ? 1 : 0);
  return out;
}

PgTimestamp Now() {
  // 946684800 s: 1970-01-01 to 2000-01-01.
  constexpr int64_t kEpochShiftMicros = 946684800LL * 1000000;
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch());
  return micros.count() - kEpochShiftMicros;
}

std::string FormatLsn(uint64_t lsn) {
  char text[32];
  std::snprintf(text, sizeof text, "%X/%X", static_cast<unsigned>(lsn >> 32), static_cast<unsigned>(lsn));
  return text;
}

Result<Message> DecodeMessage(std::string_view bytes) {
  Reader reader(bytes);
  char tag = reader.Byte();
  if (reader.Failed()) return Malformed("empty message");
  auto done = [&reader](Message message, const char* what) -> Result<Message> {
    if (reader.Failed()) return Malformed(std::string("truncated ") + what);
    if (!reader.AtEnd()) return Malformed(std::string("trailing bytes after ") + what);
    return message;
  };
  switch (tag) {
    case 'B': {
      Begin begin;
      begin.final_lsn = reader.Int64();
      begin.commit_time = reader.SignedInt64();
      begin.xid = reader.Int32();
      return done(begin, "Begin");
    }
    case 'C': {
      Commit commit;
      commit.flags = reader.Int8();
      commit.commit_lsn = reader.Int64();
      commit.end_lsn = reader.Int64();
      commit.commit_time = reader.SignedInt64();
      return done(commit, "Commit");
    }
    case 'O': {
      Origin origin;
      origin.commit_lsn = reader.Int64();
      origin.name = reader.String();
      return done(origin, "Origin");
    }
    case 'R': {
      Relation relation;
      relation.oid = reader.Int32();
      relation.schema = reader.String();
      relation.name = reader.String();
      relation.replica_identity = reader.Byte();
      uint16_t count = reader.Int16();
      if (reader.Failed()) return Malformed("truncated Relation");
      if (count > reader.Remaining()) return Malformed("Relation column count beyond the message");
      relation.columns.reserve(count);
      for (uint16_t i = 0; i < count && !reader.Failed(); ++i) {
        RelationColumn column;
        column.key = (reader.Int8() & 1) != 0;
        column.name = reader.String();
        column.type_oid = reader.Int32();
        column.type_modifier = static_cast<int32_t>(reader.Int32());
        relation.columns.push_back(std::move(column));
      }
      return done(std::move(relation), "Relation");
    }
    case 'Y': {
      Type type;
      type.oid = reader.Int32();
      type.schema = reader.String();
      type.name = reader.String();
      return done(std::move(type), "Type");
    }
    case 'I': {
      Insert insert;
      insert.relation = reader.Int32();
      if (reader.Byte() != 'N') return Malformed("Insert without a new tuple");
      auto tuple = ReadTuple(reader);
      if (!tuple) return Malformed("bad tuple in Insert");
      insert.new_tuple = std::move(*tuple);
      return done(std::move(insert), "Insert");
    }
    case 'U': {
      Update update;
      update.relation = reader.Int32();
      char next = reader.Byte();
      if (next == 'K' || next == 'O') {
        auto old_tuple = ReadTuple(reader);
        if (!old_tuple) return Malformed("bad old tuple in Update");
        update.old_tuple = std::move(*old_tuple);
        update.old_is_key_only = next == 'K';
        next = reader.Byte();
      }
      if (next != 'N') return Malformed("Update without a new tuple");
      auto tuple = ReadTuple(reader);
      if (!tuple) return Malformed("bad new tuple in Update");
      update.new_tuple = std::move(*tuple);
      return done(std::move(update), "Update");
    }
    case 'D': {
      Delete removal;
      removal.relation = reader.Int32();
      char next = reader.Byte();
      if (next != 'K' && next != 'O') return Malformed("Delete without an old tuple");
      removal.old_is_key_only = next == 'K';
      auto tuple = ReadTuple(reader);
      if (!tuple) return Malformed("bad old tuple in Delete");
      removal.old_tuple = std::move(*tuple);
      return done(std::move(removal), "Delete");
    }
    case 'T': {
      Truncate truncate;
      uint32_t count = reader.Int32();
      truncate.options = reader.Int8();
      if (reader.Failed()) return Malformed("truncated Truncate");
      if (count > reader.Remaining() / 4) return Malformed("Truncate relation count beyond the message");
      for (uint32_t i = 0; i < count; ++i) truncate.relations.push_back(reader.Int32());
      return done(std::move(truncate), "Truncate");
    }
    case 'M': {
      LogicalMessage message;
      message.transactional = (reader.Int8() & 1) != 0;
      message.lsn = reader.Int64();
      message.prefix = reader.String();
      uint32_t length = reader.Int32();
      message.content.assign(reader.Bytes(length));
      return done(std::move(message), "Message");
    }
    default:
      return Malformed(std::string("unknown message type '") +
                       (tag >= 32 && tag < 127 ? std::string(1, tag) : "\\x" + std::to_string(tag & 0xff)) + "'");
  }
}

}  // namespace agentbase::changes::pgoutput
