#include "rest/parse_core.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace agentbase::rest::parse_core {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Haskell's showLitChar; `next` is the following code point (for \& guards).
void AppendLiteralChar(std::string& out, char32_t c, char32_t next, bool has_next, bool in_string) {
  static constexpr std::array<const char*, 32> kAsciiNames = {
      "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "a",   "b",   "t",  "n",   "v",   "f",  "r",  "SO", "SI",
      "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US"};
  auto next_is_digit = has_next && next >= '0' && next <= '9';
  if (c > 0x7F) {
    out += '\\';
    out += std::to_string(static_cast<unsigned long>(c));
    if (next_is_digit) out += "\\&";
  } else if (c == 0x7F) {
    out += "\\DEL";
  } else if (c == '\\') {
    out += "\\\\";
  } else if (c == '"' && in_string) {
    out += "\\\"";
  } else if (c == '\'' && !in_string) {
    out += "\\'";
  } else if (c >= ' ') {
    out += static_cast<char>(c);
  } else {
    out += '\\';
    out += kAsciiNames[c];
    if (c == 0x0E && has_next && next == 'H') out += "\\&";  // "\SO" + "H" would read as "\SOH"
  }
}

std::string ShowCodePoints(const std::vector<char32_t>& cps, char quote) {
  std::string out(1, quote);
  for (std::size_t i = 0; i < cps.size(); ++i) {
    bool has_next = i + 1 < cps.size();
    AppendLiteralChar(out, cps[i], has_next ? cps[i + 1] : 0, has_next, quote == '"');
  }
  out += quote;
  return out;
}

// Parsec's `clean`: drop empty texts and duplicates, keep the first order.
std::vector<std::string> Clean(const std::vector<std::string>& texts) {
  std::vector<std::string> out;
  for (const auto& text : texts) {
    if (text.empty()) continue;
    if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(text);
  }
  return out;
}

std::string CommasOr(const std::vector<std::string>& items) {
  if (items.empty()) return {};
  if (items.size() == 1) return items.front();
  std::string out;
  for (std::size_t i = 0; i + 1 < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
  return out + " or " + items.back();
}

std::string ShowMany(std::string_view prefix, const std::vector<std::string>& texts) {
  auto items = Clean(texts);
  if (items.empty()) return {};
  if (prefix.empty()) return CommasOr(items);
  return std::string(prefix) + " " + CommasOr(items);
}

}  // namespace

CodePoint DecodeMultiByteAt(std::string_view text, std::size_t offset) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(offset);
  std::size_t length = 0;
  char32_t value = 0;
  char32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, value = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, value = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, value = lead & 0x07, minimum = 0x10000;
  } else {
    return {kReplacement, 1};
  }
  if (offset + length > text.size()) return {kReplacement, 1};
  for (std::size_t i = 1; i < length; ++i) {
    unsigned char b = byte(offset + i);
    if ((b & 0xC0) != 0x80) return {kReplacement, 1};
    value = (value << 6) | (b & 0x3F);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return {kReplacement, 1};
  return {value, length};
}

std::string ShowString(std::string_view utf8) {
  std::vector<char32_t> cps;
  for (std::size_t i = 0; i < utf8.size();) {
    CodePoint cp = DecodeAt(utf8, i);
    cps.push_back(cp.value);
    i += cp.length;
  }
  return ShowCodePoints(cps, '"');
}

void ParseError::Add(const ParseMessage& message) {
  for (std::size_t i = 0; i < size_; ++i) {
    if (items_[i] == message) return;
  }
  // A full buffer drops the message; no rule of this grammar gets close.
  if (size_ < kCapacity) items_[size_++] = message;
}

void ParseError::RemoveKind(MessageKind kind) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < size_; ++i) {
    if (items_[i].kind != kind) items_[kept++] = items_[i];
  }
  size_ = kept;
}

void MergeInto(ParseError& into, const ParseError& later) {
  if (later.Unknown()) {
    if (into.Unknown() && later.pos > into.pos) into.pos = later.pos;
    return;
  }
  if (into.Unknown() || later.pos > into.pos) {
    into = later;
  } else if (later.pos == into.pos) {
    for (const auto& message : later) into.Add(message);
  }
}

namespace {

std::string Render(const ParseMessage& m) {
  switch (m.style) {
    case MessageStyle::kText: return std::string(m.text);
    case MessageStyle::kShowText: return ShowString(m.text);
    case MessageStyle::kShowChar: return ShowCodePoints({m.code_point}, '"');
    case MessageStyle::kShowCharLit: return ShowCodePoints({m.code_point}, '\'');
    case MessageStyle::kEndOfInput: return {};
  }
  return {};
}

}  // namespace

std::string FormatDetails(const ParseError& error) {
  std::vector<std::string> sys_unexpect, unexpect, expect, messages;
  for (const auto& m : error) {
    switch (m.kind) {
      case MessageKind::kSysUnexpect: sys_unexpect.push_back(Render(m)); break;
      case MessageKind::kUnexpect: unexpect.push_back(Render(m)); break;
      case MessageKind::kExpect: expect.push_back(Render(m)); break;
      case MessageKind::kMessage: messages.push_back(Render(m)); break;
    }
  }
  if (error.Unknown()) return "unknown parse error";
  std::string sys_line;
  if (unexpect.empty() && !sys_unexpect.empty()) {
    sys_line = sys_unexpect.front().empty() ? "unexpected end of input" : "unexpected " + sys_unexpect.front();
  }
  auto lines =
      Clean({sys_line, ShowMany("unexpected", unexpect), ShowMany("expecting", expect), ShowMany("", messages)});
  std::string out;
  for (const auto& line : lines) {
    if (!out.empty()) out += ' ';
    out += line;
  }
  return out;
}

std::string FormatPosition(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < text.size();) {
    CodePoint cp = DecodeAt(text, i);
    if (cp.value == '\n') {
      ++line;
      column = 1;
    } else if (cp.value == '\t') {
      column += 8 - ((column - 1) % 8);
    } else {
      ++column;
    }
    i += cp.length;
  }
  return "(line " + std::to_string(line) + ", column " + std::to_string(column) + ")";
}

Reply Scanner::Char(char c) {
  auto code_point = static_cast<char32_t>(static_cast<unsigned char>(c));
  Reply r = Satisfy([code_point](char32_t x) { return x == code_point; });
  if (!r.ok && track_) {  // labelled show [c], without a string to own
    error_.RemoveKind(MessageKind::kExpect);
    error_.Add({MessageKind::kExpect, MessageStyle::kShowChar, code_point, {}});
  }
  return r;
}

Reply Scanner::String(std::string_view s) {
  std::size_t start = pos_;
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::size_t at = start + i;
    if (at >= text_.size() || text_[at] != s[i]) {
      if (!track_) return {false, i > 0};
      error_ = ParseError(start);
      if (at >= text_.size()) {
        error_.Add({MessageKind::kSysUnexpect, MessageStyle::kEndOfInput, 0, {}});
      } else {
        error_.Add({MessageKind::kSysUnexpect, MessageStyle::kShowChar, DecodeAt(text_, at).value, {}});
      }
      error_.Add({MessageKind::kExpect, MessageStyle::kShowText, 0, s});
      return {false, i > 0};
    }
  }
  pos_ = start + s.size();
  if (track_) error_ = ParseError(pos_);
  return {true, !s.empty()};
}

Reply Scanner::Eof() {
  if (!track_) return {AtEnd(), false};
  error_ = ParseError(pos_);
  if (AtEnd()) {
    error_.Add({MessageKind::kSysUnexpect, MessageStyle::kEndOfInput, 0, {}});
  } else {
    error_.Add({MessageKind::kUnexpect, MessageStyle::kShowCharLit, DecodeAt(text_, pos_).value, {}});
  }
  error_.Add({MessageKind::kExpect, MessageStyle::kText, 0, "end of input"});
  return {AtEnd(), false};
}

Reply Scanner::Words(std::initializer_list<std::string_view> words, std::size_t* index) {
  const std::string_view* list = words.begin();
  return AltN(
      words.size(), [&](std::size_t i) { return Try([&] { return String(list[i]); }); }, index);
}

Reply Scanner::Pure() {
  if (track_) error_ = ParseError(pos_);
  return {true, false};
}

Reply Scanner::Zero() {
  if (track_) error_ = ParseError(pos_);
  return {false, false};
}

Reply Scanner::Fatal(std::string message) {
  fatal_ = true;
  if (track_) {
    fatal_message_ = std::move(message);
    error_ = ParseError(pos_);
    error_.Add({MessageKind::kMessage, MessageStyle::kText, 0, fatal_message_});
  }
  return {false, true};
}

void Scanner::SetExpect(std::string_view label) {
  error_.RemoveKind(MessageKind::kExpect);
  error_.Add({MessageKind::kExpect, MessageStyle::kText, 0, label});
}

}  // namespace agentbase::rest::parse_core
