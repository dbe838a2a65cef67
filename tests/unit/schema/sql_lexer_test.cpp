#include "schema/sql_lexer.hpp"

#include <gtest/gtest.h>

namespace agentbase::schema {

TEST(SqlLexer, SplitsOnTopLevelSemicolonsOnly) {
  auto statements = SplitStatements(
      "CREATE TABLE a (x text DEFAULT ';');\n"
      "-- a comment; with a semicolon\n"
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n"
      "/* block; comment */ GRANT x TO y");
  ASSERT_TRUE(statements.ok()) << statements.error().message;
  ASSERT_EQ(statements->size(), 3u);
  EXPECT_EQ((*statements)[0], "CREATE TABLE a (x text DEFAULT ';')");
  EXPECT_EQ((*statements)[1], "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$");
  EXPECT_EQ((*statements)[2], "GRANT x TO y");
}

TEST(SqlLexer, TaggedDollarQuotesMayContainPlainOnes) {
  auto statements = SplitStatements("DO $a$ BEGIN EXECUTE $$x;$$; END $a$; SELECT 1");
  ASSERT_TRUE(statements.ok());
  EXPECT_EQ(statements->size(), 2u);
}

TEST(SqlLexer, ReportsUnterminatedLiteralsWithTheLine) {
  auto tokens = Lex("SELECT 1;\nSELECT 'oops");
  ASSERT_FALSE(tokens.ok());
  EXPECT_NE(tokens.error().message.find("unterminated string"), std::string::npos);
  EXPECT_NE(tokens.error().message.find("line 2"), std::string::npos);
}

TEST(SqlLexer, QuotedIdentifiersKeepCaseAndUnquotedFold) {
  auto tokens = Lex("\"MixedCase\" Plain");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ((*tokens)[0].Name(), "MixedCase");
  EXPECT_EQ((*tokens)[1].Name(), "plain");
}

// As in PostgreSQL's scanner, every byte of a multi-byte character belongs
// to an unquoted identifier, and a quoted one ends at its closing quote.
TEST(SqlLexer, IdentifiersTakeMultiByteCharactersAndEndAtAQuote) {
  auto tokens = Lex("caf\xc3\xa9$1 \xc3\xa9t\xc3\xa9 \"a\"b");
  ASSERT_TRUE(tokens.ok()) << tokens.error().message;
  ASSERT_EQ(tokens->size(), 4u);
  EXPECT_EQ((*tokens)[0].kind, TokenKind::Word);
  EXPECT_EQ((*tokens)[0].text, "caf\xc3\xa9$1");
  EXPECT_EQ((*tokens)[1].kind, TokenKind::Word);
  EXPECT_EQ((*tokens)[1].text, "\xc3\xa9t\xc3\xa9");
  EXPECT_EQ((*tokens)[2].kind, TokenKind::QuotedIdent);
  EXPECT_EQ((*tokens)[3].text, "b");
}

}  // namespace agentbase::schema
