// The migration SQL reader: a schema file (directives in comments, DDL
// statements) through BuildDesiredSchema — directives (ParseSqlFile),
// placeholders, the lexer's statement splitting and the statement parser —
// as `agentbase db plan/push` reads database/schema/*.sql.
//
// Properties: no crash, exception or hang; errors are values with code
// "parse" and a message; every object read has an identity (Key) and writes
// back a statement (Sql) that reads again as the same object (a backfill, a
// SELECT whose identity is the object before it, as a backfill again).
//
// Input: the file's text. Its length's parity picks the database kind (with
// or without pgvector), so both branches of agentbase:if sections run.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "schema/desired_schema.hpp"
#include "schema/sql_lexer.hpp"
#include "schema/statement_parser.hpp"

using namespace agentbase;

namespace {

void RequireParseError(const Error& error, std::string_view stage) {
  fuzz::Require(error.code == "parse" && !error.message.empty(), "a schema error without code parse or a message",
                std::string(stage) + ": '" + error.code + "' " + error.message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);

  auto tokens = schema::Lex(text);
  if (!tokens) RequireParseError(tokens.error(), "Lex");

  schema::BuildOptions options;
  options.with_vector = size % 2 == 1;
  auto desired = schema::BuildDesiredSchema({schema::SqlFile{"fuzz.sql", text}}, options);
  if (!desired) {
    RequireParseError(desired.error(), "BuildDesiredSchema");
    return 0;
  }
  fuzz::Require(desired->checksum.size() == 64, "the schema checksum is not a SHA-256 in hex", desired->checksum);
  for (const auto& object : desired->objects) {
    std::string key = object.Key();
    fuzz::Require(!key.empty(), "an object without an identity", object.Sql());
    if (object.kind == schema::ObjectKind::Function) {
      // The replacement holds the definition whole, inside quotes it does not contain.
      fuzz::Require(object.ReplaceFunctionSql().find(object.CreateOrReplaceSql()) != std::string::npos,
                    "a function's replacement lost its definition", object.Sql());
    }
    auto again = schema::ParseStatement(object.Sql());
    fuzz::Require(again.ok(), "an object's own statement does not parse again",
                  object.Sql() + "\n" + (again ? "" : again.error().message));
    if (object.kind == schema::ObjectKind::Backfill) {
      // A backfill's identity is its place in the file (the object before it).
      fuzz::Require(!object.anchor.empty() && again->kind == schema::ObjectKind::Backfill,
                    "a backfill without an anchor, or whose statement reads as something else", key);
      continue;
    }
    fuzz::Require(again->Key() == key, "an object's own statement reads as another object",
                  key + " became " + again->Key());
    fuzz::Require(again->parameter_value == object.parameter_value, "a storage parameter's value changed on reading",
                  object.Sql());
  }
  (void)desired->EnsuredTables();
  return 0;
}
