#include "schema/sql_lexer.hpp"

#include <cctype>

#include "util/text.hpp"

namespace agentbase::schema {

bool Token::Is(std::string_view keyword) const { return kind == TokenKind::Word && ToUpper(text) == ToUpper(keyword); }

std::string Token::Name() const {
  if (kind == TokenKind::QuotedIdent) {
    return ReplaceAll(std::string(text.substr(1, text.size() - 2)), "\"\"", "\"");
  }
  return ToLower(text);
}

bool IsIdentifierChar(char c) {
  auto byte = static_cast<unsigned char>(c);
  return std::isalnum(byte) || c == '_' || c == '$' || byte >= 0x80;
}

namespace {

// PostgreSQL's ident_start: no digit and no $.
bool IsWordStart(char c) { return IsIdentifierChar(c) && !std::isdigit(static_cast<unsigned char>(c)) && c != '$'; }

}  // namespace

Result<std::vector<Token>> Lex(std::string_view sql) {
  std::vector<Token> tokens;
  size_t i = 0;
  auto fail = [&](const std::string& what) {
    size_t line = 1;
    for (size_t k = 0; k < i && k < sql.size(); ++k) line += sql[k] == '\n';
    return Error::Make(what + " at line " + std::to_string(line), "parse");
  };
  while (i < sql.size()) {
    char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      auto end = sql.find("*/", i + 2);
      if (end == std::string_view::npos) return fail("unterminated comment");
      i = end + 2;
    } else if (c == '\'' || c == '"') {
      size_t start = i++;
      while (true) {
        if (i >= sql.size()) return fail(c == '"' ? "unterminated quoted identifier" : "unterminated string");
        if (sql[i] == c) {
          if (i + 1 < sql.size() && sql[i + 1] == c) {
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        ++i;
      }
      tokens.push_back({c == '"' ? TokenKind::QuotedIdent : TokenKind::String, sql.substr(start, i - start), start});
    } else if (c == '$' && i + 1 < sql.size() && (sql[i + 1] == '$' || IsWordStart(sql[i + 1]))) {
      size_t tag_end = sql.find('$', i + 1);
      if (tag_end == std::string_view::npos) return fail("unterminated dollar quote");
      std::string_view tag = sql.substr(i, tag_end - i + 1);
      size_t close = sql.find(tag, tag_end + 1);
      if (close == std::string_view::npos) return fail("unterminated dollar-quoted string " + std::string(tag));
      size_t start = i;
      i = close + tag.size();
      tokens.push_back({TokenKind::DollarString, sql.substr(start, i - start), start});
    } else if (IsWordStart(c)) {
      size_t start = i;
      while (i < sql.size() && IsIdentifierChar(sql[i])) ++i;
      tokens.push_back({TokenKind::Word, sql.substr(start, i - start), start});
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t start = i;
      while (i < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '.')) ++i;
      tokens.push_back({TokenKind::Number, sql.substr(start, i - start), start});
    } else if (c == ';') {
      tokens.push_back({TokenKind::Semicolon, sql.substr(i, 1), i});
      ++i;
    } else {
      // Multi-character operators matter only as text here.
      size_t start = i++;
      if ((c == ':' && i < sql.size() && sql[i] == ':') || (c == '-' && i < sql.size() && sql[i] == '>')) ++i;
      tokens.push_back({TokenKind::Punct, sql.substr(start, i - start), start});
    }
  }
  return tokens;
}

Result<std::vector<std::string>> SplitStatements(std::string_view sql) {
  auto tokens = Lex(sql);
  if (!tokens) return tokens.error();
  std::vector<std::string> statements;
  size_t first = 0;  // index of the statement's first token
  for (size_t k = 0; k <= tokens->size(); ++k) {
    bool end = k == tokens->size() || (*tokens)[k].kind == TokenKind::Semicolon;
    if (!end) continue;
    if (k > first) {
      const Token& head = (*tokens)[first];
      const Token& tail = (*tokens)[k - 1];
      statements.emplace_back(sql.substr(head.offset, tail.offset + tail.text.size() - head.offset));
    }
    first = k + 1;
  }
  return statements;
}

}  // namespace agentbase::schema
