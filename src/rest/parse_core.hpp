#pragma once
// A small Parsec-style parsing core for the REST query-string grammar.
//
// PostgREST parses query parameters with Parsec and sends its error texts to
// the client verbatim (PGRST100), e.g.
//   message: "failed to parse order (id.ac)" (line 1, column 4)
//   details: unexpected "c" expecting "asc", "desc", "nullsfirst" or "nullslast"
// Producing the same texts needs Parsec's error model, which this header
// implements and nothing more:
//   - every parser reports whether it consumed input;
//   - alternatives are tried only after a failure that consumed nothing;
//   - Try() turns a consuming failure into an empty one (and backtracks);
//   - errors of empty steps are merged, the furthest position winning;
//   - Label() replaces what an empty failure was "expecting".
// Parsers are member functions returning Reply; the current error (for a
// success: what could have continued at the stop) lives in error().
//
// Control flow never depends on the error contents, so a Scanner can run
// with error tracking off (cheap) and the caller re-runs the same grammar
// with tracking on only when the parse failed and a message is needed.
//
// Internal to the parse stage (query_parser.cpp); not a general library.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace agentbase::rest::parse_core {

enum class MessageKind : std::uint8_t { kSysUnexpect, kUnexpect, kExpect, kMessage };

// How a message renders. Messages hold no strings of their own, so recording
// one costs no allocation; texts are rendered only when an error is reported.
enum class MessageStyle : std::uint8_t {
  kText,         // `text` as is: "digit", "end of input", a label
  kShowText,     // Haskell show of `text`: -> renders as "->" (with quotes)
  kShowChar,     // show [c] of `code_point`: "x" (with quotes)
  kShowCharLit,  // show c of `code_point`: 'x'
  kEndOfInput,   // Parsec's empty SysUnExpect: "unexpected end of input"
};

struct ParseMessage {
  MessageKind kind;
  MessageStyle style;
  char32_t code_point;
  std::string_view text;  // must outlive the Scanner: literals, or Scanner-owned

  bool operator==(const ParseMessage& other) const {
    return kind == other.kind && style == other.style && code_point == other.code_point && text == other.text;
  }
};

// A Parsec ParseError: a position and messages kept in an inline buffer.
// Duplicates are dropped on insertion (rendering would drop them anyway).
class ParseError {
 public:
  static constexpr std::size_t kCapacity = 24;

  ParseError() = default;
  explicit ParseError(std::size_t position) : pos(position) {}
  ParseError(const ParseError& other) : pos(other.pos), size_(other.size_) { CopyItems(other); }
  ParseError& operator=(const ParseError& other) {
    pos = other.pos;
    size_ = other.size_;
    CopyItems(other);
    return *this;
  }

  std::size_t pos = 0;  // byte offset into the parsed text

  bool Unknown() const { return size_ == 0; }  // Parsec's "unknown" error
  const ParseMessage* begin() const { return items_; }
  const ParseMessage* end() const { return items_ + size_; }
  void Add(const ParseMessage& message);
  void RemoveKind(MessageKind kind);

 private:
  void CopyItems(const ParseError& other) {
    for (std::size_t i = 0; i < size_; ++i) items_[i] = other.items_[i];
  }
  ParseMessage items_[kCapacity];
  std::size_t size_ = 0;
};

// into := Parsec's mergeError into later: a meaningful error beats an empty
// one, the further position wins, equal positions concatenate.
void MergeInto(ParseError& into, const ParseError& later);

// "unexpected ... expecting ..." on one line, as PostgREST prints it.
std::string FormatDetails(const ParseError& error);

// Haskell's `show` of the text at `offset`: "(line L, column C)", counting
// code points and jumping to the next multiple of 8 on tabs like Parsec.
std::string FormatPosition(std::string_view text, std::size_t offset);

// Haskell's `show` for a String: quoted, with \" \\ \n \1234 escapes.
std::string ShowString(std::string_view utf8);

struct CodePoint {
  char32_t value;
  std::size_t length;  // bytes; invalid UTF-8 reads as U+FFFD of length 1
};
CodePoint DecodeMultiByteAt(std::string_view text, std::size_t offset);
inline CodePoint DecodeAt(std::string_view text, std::size_t offset) {
  auto lead = static_cast<unsigned char>(text[offset]);
  return lead < 0x80 ? CodePoint{lead, 1} : DecodeMultiByteAt(text, offset);
}

struct Reply {
  bool ok;
  bool consumed;
};

class Scanner {
 public:
  Scanner(std::string_view text, bool track_errors) : text_(text), track_(track_errors) {}

  std::string_view text() const { return text_; }
  std::size_t pos() const { return pos_; }
  bool AtEnd() const { return pos_ >= text_.size(); }
  // Meaningful only when tracking errors.
  const ParseError& error() const { return error_; }

  // ---- primitives --------------------------------------------------------
  // One character whose code point `pred` accepts; its bytes go to `out`.
  template <class Pred>
  Reply Satisfy(Pred pred, std::string* out = nullptr) {
    if (AtEnd()) return FailEmpty({MessageKind::kSysUnexpect, MessageStyle::kEndOfInput, 0, {}});
    CodePoint cp = DecodeAt(text_, pos_);
    if (!pred(cp.value)) return FailEmpty({MessageKind::kSysUnexpect, MessageStyle::kShowChar, cp.value, {}});
    if (out != nullptr) out->append(text_.substr(pos_, cp.length));
    pos_ += cp.length;
    if (track_) error_ = ParseError(pos_);
    return {true, true};
  }
  Reply Char(char c);  // char c, expecting "c"
  // string s; errors point at its start. `s` must outlive the Scanner.
  Reply String(std::string_view s);
  Reply Eof();  // eof: "unexpected 'x' expecting end of input"
  // try (string w1) <|> try (string w2) <|> ...; `index` gets the match.
  Reply Words(std::initializer_list<std::string_view> words, std::size_t* index);
  Reply Pure();  // return (): succeeds, consumes nothing
  Reply Zero();  // mzero: fails with an unknown error
  // Fails and stops every alternative: used to bound nesting depth.
  Reply Fatal(std::string message);

  // ---- combinators -------------------------------------------------------
  template <class F>
  Reply Try(F&& parser) {
    std::size_t start = pos_;
    Reply r = parser();
    if (!r.ok && !fatal_) {
      pos_ = start;
      r.consumed = false;
    }
    return r;
  }

  template <class F>
  Reply LookAhead(F&& parser) {
    std::size_t start = pos_;
    Reply r = parser();
    if (!r.ok) return r;
    pos_ = start;
    if (track_) error_ = ParseError(start);
    return {true, false};
  }

  // Succeeds when `parser` fails; otherwise "unexpected 'c'".
  template <class F>
  Reply NotFollowedBy(F&& parser) {
    std::size_t start = pos_;
    Reply r = parser();
    if (fatal_) return r;
    if (r.ok && track_) {
      error_ = ParseError(pos_);
      error_.Add({MessageKind::kUnexpect, MessageStyle::kShowCharLit, DecodeAt(text_, start).value, {}});
    }
    pos_ = start;
    return {!r.ok, false};
  }

  // `label` must outlive the Scanner (use literals).
  template <class F>
  Reply Label(std::string_view label, F&& parser) {
    Reply r = parser();
    if (track_ && !r.consumed && !fatal_ && (!r.ok || !error_.Unknown())) SetExpect(label);
    return r;
  }

  // p <|> q <|> ...: the next alternative runs only after an empty failure.
  template <class F, class... Rest>
  Reply Alt(F&& first, Rest&&... rest) {
    Reply r = first();
    if constexpr (sizeof...(rest) == 0) {
      return r;
    } else {
      if (r.ok || r.consumed || fatal_) return r;
      // On the heap: frames stay small however deep the grammar recurses.
      std::unique_ptr<ParseError> first_error;
      if (track_) first_error = std::make_unique<ParseError>(error_);
      Reply r2 = Alt(std::forward<Rest>(rest)...);
      if (track_ && !r2.consumed && !fatal_) {
        MergeInto(*first_error, error_);
        error_ = *first_error;
      }
      return r2;
    }
  }

  // Alt over alternative(0) .. alternative(n - 1); `index` gets the winner.
  template <class F>
  Reply AltN(std::size_t n, F&& alternative, std::size_t* index) {
    std::unique_ptr<ParseError> merged;
    if (track_) merged = std::make_unique<ParseError>(pos_);
    for (std::size_t i = 0; i < n; ++i) {
      Reply r = alternative(i);
      if (r.ok || r.consumed || fatal_) {
        if (r.ok && index != nullptr) *index = i;
        if (track_ && !r.consumed && !fatal_) {
          MergeInto(*merged, error_);
          error_ = *merged;
        }
        return r;
      }
      if (track_) MergeInto(*merged, error_);
    }
    if (track_) error_ = *merged;
    return {false, false};
  }

  // p1 >> p2 >> ...: each argument is a callable returning Reply.
  template <class... F>
  Reply Steps(F&&... steps) {
    Seq s(*this);
    bool ok = (s(steps()) && ...);
    return s.Done(ok);
  }

  // option x p: `parser` or nothing.
  template <class F>
  Reply Optional(F&& parser) {
    Reply r = parser();
    if (r.ok || r.consumed || fatal_) return r;
    return {true, false};  // keeps the parser's error as the pending one
  }

  // many p; `parser` must consume when it succeeds.
  template <class F>
  Reply Many(F&& parser) {
    bool consumed = false;
    for (;;) {
      Reply r = parser();
      if (r.ok && r.consumed) {
        consumed = true;
        continue;
      }
      if (r.ok) return {true, consumed};  // guard: an empty success would loop
      if (r.consumed) return {false, true};
      return {true, consumed};
    }
  }

  template <class F>
  Reply Many1(F&& parser) {
    Seq s(*this);
    bool ok = s(parser()) && s(Many(parser));
    return s.Done(ok);
  }

  // p `sepBy1` sep
  template <class P, class S>
  Reply SepBy1(P&& item, S&& separator) {
    Seq s(*this);
    bool ok = s(item()) && s(Many([&] {
                Seq t(*this);
                bool step = t(separator()) && t(item());
                return t.Done(step);
              }));
    return s.Done(ok);
  }

  // p `sepBy` sep
  template <class P, class S>
  Reply SepBy(P&& item, S&& separator) {
    return Optional([&] { return SepBy1(item, separator); });
  }

  // Sequencing (Parsec's >>=): feed each step's Reply, stop at the first
  // failure, then Done(). Tracks consumption and merges empty-step errors.
  class Seq {
   public:
    explicit Seq(Scanner& scanner) : scanner_(scanner) {
      if (scanner.track_) pending_ = std::make_unique<ParseError>(scanner.pos_);
    }
    bool operator()(Reply r) {
      if (r.consumed) consumed_ = true;
      if (pending_) {
        if (r.consumed) {
          *pending_ = scanner_.error_;
        } else {
          MergeInto(*pending_, scanner_.error_);
          scanner_.error_ = *pending_;
        }
      }
      return r.ok;
    }
    Reply Done(bool ok) const { return {ok, consumed_}; }

   private:
    Scanner& scanner_;
    bool consumed_ = false;
    std::unique_ptr<ParseError> pending_;  // only when tracking; heap keeps frames small
  };

 private:
  Reply FailEmpty(const ParseMessage& message) {
    if (track_) {
      error_ = ParseError(pos_);
      error_.Add(message);
    }
    return {false, false};
  }
  void SetExpect(std::string_view label);

  std::string_view text_;
  std::size_t pos_ = 0;
  bool track_;
  bool fatal_ = false;
  ParseError error_;
  std::string fatal_message_;  // referenced by the error once Fatal() ran
};

}  // namespace agentbase::rest::parse_core
