#pragma once
// A small SQL lexer: enough of PostgreSQL's lexical rules (quoted
// identifiers, string and dollar-quoted literals, comments) to split a file
// into statements and read the head of each one.

#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace agentbase::schema {

enum class TokenKind { Word, QuotedIdent, String, DollarString, Number, Punct, Semicolon };

struct Token {
  TokenKind kind;
  std::string_view text;  // the exact source text
  size_t offset = 0;      // into the lexed text

  // Unquoted words compare case-insensitively.
  bool Is(std::string_view keyword) const;
  // The identifier's name: unquoted words fold to lower case.
  std::string Name() const;
};

Result<std::vector<Token>> Lex(std::string_view sql);

// A byte that continues an unquoted identifier, as in PostgreSQL's scanner:
// a letter, a digit, _ or $, or any byte of a multi-byte character.
bool IsIdentifierChar(char c);

// Splits SQL into statements (without the terminating semicolon and without
// comments around them).
Result<std::vector<std::string>> SplitStatements(std::string_view sql);

}  // namespace agentbase::schema
