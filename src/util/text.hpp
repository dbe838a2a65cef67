#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentbase {

std::string ToLower(std::string_view text);
std::string ToUpper(std::string_view text);
std::string Trim(std::string_view text);
// The same without a copy: a view into `text`.
std::string_view TrimView(std::string_view text);
// A decimal integer, surrounding whitespace allowed; nullopt for anything else.
std::optional<int64_t> ParseInt64(std::string_view text);
// Collapses every run of white space into one space and trims the ends.
std::string CollapseWhitespace(std::string_view text);
// Joins lines of a multi-line message into one line ("a; b").
std::string OneLine(std::string_view text);
// Splits on `separator`; an empty text gives no parts.
std::vector<std::string> Split(std::string_view text, char separator);
std::string Join(const std::vector<std::string>& parts, std::string_view separator);
bool StartsWith(std::string_view text, std::string_view prefix);
std::string ReplaceAll(std::string text, std::string_view from, std::string_view to);
// Quotes a SQL identifier when it needs quoting (as quote_ident does).
std::string QuoteIdent(std::string_view name);
// 1 to `max_size` of [A-Za-z0-9._-]: safe to echo in a header, a log line or a
// metrics label as it is.
bool IsPlainToken(std::string_view text, size_t max_size);
// A SQL string literal: 'it''s'.
std::string QuoteLiteral(std::string_view text);
// ASCII case-insensitive equality (header names), without copies.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// Appends `text` as a JSON string ("…", escaped as RFC 8259 requires).
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace agentbase
