#include "changes/pgoutput.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <string>

#include "changes/change_stream.hpp"

namespace agentbase::changes {
namespace {

using namespace pgoutput;

// Builds messages byte by byte, big-endian, as the server writes them.
class Bytes {
 public:
  Bytes& Byte(char c) { return data_.push_back(c), *this; }
  Bytes& Int(uint64_t value, int width) {
    for (int shift = (width - 1) * 8; shift >= 0; shift -= 8) data_.push_back(static_cast<char>(value >> shift));
    return *this;
  }
  Bytes& I8(uint8_t v) { return Int(v, 1); }
  Bytes& I16(uint16_t v) { return Int(v, 2); }
  Bytes& I32(uint32_t v) { return Int(v, 4); }
  Bytes& I64(uint64_t v) { return Int(v, 8); }
  Bytes& Str(std::string_view text) { return data_.append(text), data_.push_back('\0'), *this; }
  Bytes& Text(std::string_view value) { return Byte('t').I32(value.size()), data_.append(value), *this; }
  Bytes& Null() { return Byte('n'); }
  Bytes& Toast() { return Byte('u'); }
  std::string str() const { return data_; }

 private:
  std::string data_;
};

constexpr uint32_t kRel = 16400;
// 2026-05-01T10:20:30.123456Z in microseconds since 2000-01-01.
constexpr int64_t kCommitTime = (1777630830LL - 946684800LL) * 1000000 + 123456;

std::string BeginMessage(uint64_t lsn) { return Bytes().Byte('B').I64(lsn).I64(kCommitTime).I32(777).str(); }
std::string CommitMessage(uint64_t lsn, uint64_t end) {
  return Bytes().Byte('C').I8(0).I64(lsn).I64(end).I64(kCommitTime).str();
}
// public.todos (id int8 key, done bool, tags _text, meta jsonb, note text)
std::string TodosRelation(char identity = 'd') {
  return Bytes()
      .Byte('R')
      .I32(kRel)
      .Str("public")
      .Str("todos")
      .Byte(identity)
      .I16(5)
      .I8(1)
      .Str("id")
      .I32(20)
      .I32(-1)
      .I8(0)
      .Str("done")
      .I32(16)
      .I32(-1)
      .I8(0)
      .Str("tags")
      .I32(1009)
      .I32(-1)
      .I8(0)
      .Str("meta")
      .I32(3802)
      .I32(-1)
      .I8(0)
      .Str("note")
      .I32(25)
      .I32(-1)
      .str();
}

ChangeStream TodosStream() {
  ChangeStream stream;
  for (auto [oid, name] : std::initializer_list<std::pair<uint32_t, const char*>>{
           {20, "int8"}, {16, "bool"}, {1009, "_text"}, {3802, "jsonb"}, {25, "text"}}) {
    stream.AddTypeName(oid, name);
  }
  return stream;
}

TEST(Pgoutput, DecodesBeginCommitAndOrigin) {
  auto begin = DecodeMessage(BeginMessage(0x1600001234));
  ASSERT_TRUE(begin.ok());
  auto& b = std::get<Begin>(*begin);
  EXPECT_EQ(b.final_lsn, 0x1600001234u);
  EXPECT_EQ(b.commit_time, kCommitTime);
  EXPECT_EQ(b.xid, 777u);
  auto commit = DecodeMessage(CommitMessage(10, 20));
  ASSERT_TRUE(commit.ok());
  EXPECT_EQ(std::get<Commit>(*commit).end_lsn, 20u);
  auto origin = DecodeMessage(Bytes().Byte('O').I64(5).Str("node_a").str());
  ASSERT_TRUE(origin.ok());
  EXPECT_EQ(std::get<Origin>(*origin).name, "node_a");
  EXPECT_EQ(FormatLsn(0x16B374D848ULL), "16/B374D848");
}

TEST(Pgoutput, DecodesRelationTypeAndTruncate) {
  auto relation = DecodeMessage(TodosRelation('f'));
  ASSERT_TRUE(relation.ok());
  auto& r = std::get<Relation>(*relation);
  EXPECT_EQ(r.oid, kRel);
  EXPECT_EQ(r.schema, "public");
  EXPECT_EQ(r.name, "todos");
  EXPECT_EQ(r.replica_identity, 'f');
  ASSERT_EQ(r.columns.size(), 5u);
  EXPECT_TRUE(r.columns[0].key);
  EXPECT_FALSE(r.columns[1].key);
  EXPECT_EQ(r.columns[2].type_oid, 1009u);
  EXPECT_EQ(r.columns[2].type_modifier, -1);
  auto type = DecodeMessage(Bytes().Byte('Y').I32(70000).Str("public").Str("mood").str());
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(std::get<Type>(*type).name, "mood");
  auto truncate = DecodeMessage(Bytes().Byte('T').I32(2).I8(1).I32(1).I32(2).str());
  ASSERT_TRUE(truncate.ok());
  EXPECT_EQ(std::get<Truncate>(*truncate).relations, (std::vector<uint32_t>{1, 2}));
  auto message = DecodeMessage(Bytes().Byte('M').I8(1).I64(9).Str("p").I32(3).Str("ab").str());
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(std::get<LogicalMessage>(*message).content, std::string("ab\0", 3));
}

TEST(Pgoutput, DecodesTuplesWithNullsToastAndAwkwardText) {
  std::string awkward = "a \"quoted\"\nline, with {braces} and \\ backslash";
  auto insert =
      DecodeMessage(Bytes().Byte('I').I32(kRel).Byte('N').I16(4).Text("1").Null().Toast().Text(awkward).str());
  ASSERT_TRUE(insert.ok());
  const Tuple& tuple = std::get<Insert>(*insert).new_tuple;
  ASSERT_EQ(tuple.size(), 4u);
  EXPECT_EQ(tuple[0].kind, ValueKind::kText);
  EXPECT_EQ(tuple[1].kind, ValueKind::kNull);
  EXPECT_EQ(tuple[2].kind, ValueKind::kUnchangedToast);
  EXPECT_EQ(tuple[3].data, awkward);

  auto update = DecodeMessage(Bytes().Byte('U').I32(kRel).Byte('K').I16(1).Text("1").Byte('N').I16(1).Text("2").str());
  ASSERT_TRUE(update.ok());
  auto& u = std::get<Update>(*update);
  ASSERT_TRUE(u.old_tuple.has_value());
  EXPECT_TRUE(u.old_is_key_only);
  EXPECT_EQ(u.new_tuple[0].data, "2");
  auto plain = DecodeMessage(Bytes().Byte('U').I32(kRel).Byte('N').I16(1).Text("2").str());
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(std::get<Update>(*plain).old_tuple.has_value());

  auto removal = DecodeMessage(Bytes().Byte('D').I32(kRel).Byte('O').I16(1).Text("3").str());
  ASSERT_TRUE(removal.ok());
  EXPECT_FALSE(std::get<Delete>(*removal).old_is_key_only);
}

TEST(Pgoutput, MalformedAndTruncatedMessagesAreErrors) {
  std::string full = Bytes().Byte('I').I32(kRel).Byte('N').I16(2).Text("12345").Null().str();
  // Every proper prefix of a valid message is refused, never read past.
  for (size_t length = 0; length < full.size(); ++length) {
    auto decoded = DecodeMessage(full.substr(0, length));
    EXPECT_FALSE(decoded.ok()) << "prefix of " << length << " bytes";
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.error().code, "replication-protocol");
    }
  }
  for (size_t length = 0; length < TodosRelation().size(); ++length) {
    EXPECT_FALSE(DecodeMessage(TodosRelation().substr(0, length)).ok());
  }
  EXPECT_FALSE(DecodeMessage(full + "x").ok());                                                 // trailing bytes
  EXPECT_FALSE(DecodeMessage("Z").ok());                                                        // unknown kind
  EXPECT_FALSE(DecodeMessage(Bytes().Byte('I').I32(1).Byte('X').str()).ok());                   // no 'N'
  EXPECT_FALSE(DecodeMessage(Bytes().Byte('I').I32(1).Byte('N').I16(1).Byte('q').str()).ok());  // bad tag
  // A column count or length far beyond the message allocates nothing.
  EXPECT_FALSE(DecodeMessage(Bytes().Byte('I').I32(1).Byte('N').I16(65535).str()).ok());
  EXPECT_FALSE(DecodeMessage(Bytes().Byte('I').I32(1).Byte('N').I16(1).Byte('t').I32(0xFFFFFFFF).str()).ok());
  EXPECT_FALSE(DecodeMessage(Bytes().Byte('T').I32(0x7FFFFFFF).I8(0).str()).ok());
  EXPECT_FALSE(DecodeMessage(Bytes().Byte('O').I64(1).Byte('a').str()).ok());  // unterminated string
}

TEST(Pgoutput, CopyDataFramesAndStatusUpdates) {
  std::string inner = BeginMessage(42);
  auto xlog = DecodeCopyData(Bytes().Byte('w').I64(1).I64(2).I64(3).str() + inner);
  ASSERT_TRUE(xlog.ok());
  EXPECT_EQ(std::get<XLogData>(*xlog).message, inner);
  auto keepalive = DecodeCopyData(Bytes().Byte('k').I64(99).I64(5).I8(1).str());
  ASSERT_TRUE(keepalive.ok());
  EXPECT_EQ(std::get<Keepalive>(*keepalive).wal_end, 99u);
  EXPECT_TRUE(std::get<Keepalive>(*keepalive).reply_requested);
  EXPECT_FALSE(DecodeCopyData(Bytes().Byte('k').I64(99).str()).ok());
  EXPECT_FALSE(DecodeCopyData(Bytes().Byte('w').I64(1).str()).ok());
  EXPECT_FALSE(DecodeCopyData("").ok());
  EXPECT_FALSE(DecodeCopyData("x").ok());
  std::string status = EncodeStandbyStatus(0x10, 0x20, 0x30, 0x40, false);
  EXPECT_EQ(status, Bytes().Byte('r').I64(0x10).I64(0x20).I64(0x30).I64(0x40).I8(0).str());
}

TEST(ChangeStream, BuildsTypedChangesInOrder) {
  ChangeStream stream = TodosStream();
  ASSERT_TRUE(stream.Consume(TodosRelation()).ok());
  auto begin = stream.Consume(BeginMessage(500));
  ASSERT_TRUE(begin.ok());
  EXPECT_EQ(begin->what, ChangeStream::Step::What::kBegin);
  EXPECT_EQ(begin->lsn, 500u);
  auto insert = stream.Consume(Bytes()
                                   .Byte('I')
                                   .I32(kRel)
                                   .Byte('N')
                                   .I16(5)
                                   .Text("1")
                                   .Text("t")
                                   .Text("{a,\"b c\",NULL}")
                                   .Text("{\"k\": [1, 2]}")
                                   .Null()
                                   .str());
  ASSERT_TRUE(insert.ok());
  ASSERT_EQ(insert->what, ChangeStream::Step::What::kChange);
  const Change& change = *insert->change;
  EXPECT_EQ(change.schema, "public");
  EXPECT_EQ(change.table, "todos");
  EXPECT_EQ(change.kind, ChangeKind::kInsert);
  EXPECT_EQ(change.commit_timestamp, "2026-05-01T10:20:30.123Z");
  EXPECT_EQ(change.commit_lsn, 500u);
  EXPECT_EQ(change.primary_key, std::vector<std::string>{"id"});
  ASSERT_EQ(change.columns.size(), 5u);
  EXPECT_EQ(change.columns[2].type, "_text");
  EXPECT_EQ(boost::json::serialize(change.record),
            R"({"id":1,"done":true,"tags":["a","b c",null],"meta":{"k":[1,2]},"note":null})");
  EXPECT_TRUE(change.old_record.empty());
  auto commit = stream.Consume(CommitMessage(500, 510));
  ASSERT_TRUE(commit.ok());
  EXPECT_EQ(commit->what, ChangeStream::Step::What::kCommit);
  EXPECT_EQ(commit->lsn, 510u);
}

TEST(ChangeStream, UpdatesAndDeletesCarryTheOldKeyAndToastIsFilledOrLeftOut) {
  ChangeStream stream = TodosStream();
  ASSERT_TRUE(stream.Consume(TodosRelation()).ok());
  ASSERT_TRUE(stream.Consume(BeginMessage(600)).ok());
  // Key changed: 'K' tuple with nulls outside the key; note unchanged TOAST.
  auto update = stream.Consume(Bytes()
                                   .Byte('U')
                                   .I32(kRel)
                                   .Byte('K')
                                   .I16(5)
                                   .Text("1")
                                   .Null()
                                   .Null()
                                   .Null()
                                   .Null()
                                   .Byte('N')
                                   .I16(5)
                                   .Text("2")
                                   .Text("f")
                                   .Text("{}")
                                   .Text("null")
                                   .Toast()
                                   .str());
  ASSERT_TRUE(update.ok());
  const Change& u = *update->change;
  EXPECT_EQ(u.kind, ChangeKind::kUpdate);
  EXPECT_EQ(boost::json::serialize(u.old_record), R"({"id":1})");
  EXPECT_EQ(boost::json::serialize(u.record), R"({"id":2,"done":false,"tags":[],"meta":null})");
  EXPECT_EQ(u.unchanged_toast, std::vector<std::string>{"note"});
  auto removal =
      stream.Consume(Bytes().Byte('D').I32(kRel).Byte('K').I16(5).Text("2").Null().Null().Null().Null().str());
  ASSERT_TRUE(removal.ok());
  EXPECT_EQ(removal->change->kind, ChangeKind::kDelete);
  EXPECT_EQ(boost::json::serialize(removal->change->old_record), R"({"id":2})");
  EXPECT_TRUE(removal->change->record.empty());
  ASSERT_TRUE(stream.Consume(CommitMessage(600, 610)).ok());

  // REPLICA IDENTITY FULL: the old row is whole and fills unchanged TOAST.
  ASSERT_TRUE(stream.Consume(TodosRelation('f')).ok());
  ASSERT_TRUE(stream.Consume(BeginMessage(700)).ok());
  auto full = stream.Consume(Bytes()
                                 .Byte('U')
                                 .I32(kRel)
                                 .Byte('O')
                                 .I16(5)
                                 .Text("3")
                                 .Text("f")
                                 .Null()
                                 .Null()
                                 .Text("long text")
                                 .Byte('N')
                                 .I16(5)
                                 .Text("3")
                                 .Text("t")
                                 .Null()
                                 .Null()
                                 .Toast()
                                 .str());
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(boost::json::serialize(full->change->record),
            R"({"id":3,"done":true,"tags":null,"meta":null,"note":"long text"})");
  EXPECT_TRUE(full->change->unchanged_toast.empty());
  EXPECT_EQ(full->change->primary_key, std::vector<std::string>{"id"});
}

TEST(ChangeStream, OversizedRowsKeepOnlySmallValues) {
  ChangeStream stream(StreamOptions{100});
  stream.AddTypeName(20, "int8");
  stream.AddTypeName(25, "text");
  ASSERT_TRUE(stream
                  .Consume(Bytes()
                               .Byte('R')
                               .I32(1)
                               .Str("public")
                               .Str("big")
                               .Byte('d')
                               .I16(2)
                               .I8(1)
                               .Str("id")
                               .I32(20)
                               .I32(-1)
                               .I8(0)
                               .Str("body")
                               .I32(25)
                               .I32(-1)
                               .str())
                  .ok());
  ASSERT_TRUE(stream.Consume(BeginMessage(1)).ok());
  auto insert = stream.Consume(Bytes().Byte('I').I32(1).Byte('N').I16(2).Text("7").Text(std::string(500, 'x')).str());
  ASSERT_TRUE(insert.ok());
  EXPECT_TRUE(insert->change->oversized);
  EXPECT_EQ(boost::json::serialize(insert->change->record), R"({"id":7})");
}

TEST(ChangeStream, ProtocolViolationsAreErrors) {
  ChangeStream stream = TodosStream();
  std::string row = Bytes().Byte('I').I32(kRel).Byte('N').I16(5).Text("1").Null().Null().Null().Null().str();
  // A row outside a transaction, of an unknown relation, or of the wrong width.
  EXPECT_FALSE(stream.Consume(row).ok());
  ASSERT_TRUE(stream.Consume(BeginMessage(1)).ok());
  EXPECT_FALSE(stream.Consume(row).ok());
  ASSERT_TRUE(stream.Consume(TodosRelation()).ok());
  EXPECT_TRUE(stream.Consume(row).ok());
  EXPECT_FALSE(stream.Consume(Bytes().Byte('I').I32(kRel).Byte('N').I16(1).Text("1").str()).ok());
  EXPECT_FALSE(stream.Consume(BeginMessage(2)).ok());  // Begin inside a transaction
  ASSERT_TRUE(stream.Consume(CommitMessage(1, 2)).ok());
  EXPECT_FALSE(stream.Consume(CommitMessage(1, 2)).ok());
  // Binary values were never asked for.
  ASSERT_TRUE(stream.Consume(BeginMessage(3)).ok());
  EXPECT_FALSE(
      stream
          .Consume(
              Bytes().Byte('I').I32(kRel).Byte('N').I16(5).Byte('b').I32(1).Byte('x').Null().Null().Null().Null().str())
          .ok());
}

}  // namespace
}  // namespace agentbase::changes
