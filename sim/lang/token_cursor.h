// The parser's reading position in one step's tokens: look at the next
// token, take it when it is the word or symbol expected, read names and
// integers, and fail at a token with its file, line and column. The
// grammar itself is in parser.cc.
#pragma once

#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/text.h"
#include "lang/keywords.h"
#include "lang/lexer.h"

namespace ccsim {

class TokenCursor {
 protected:
  TokenCursor(std::string_view line, SourcePos pos) : pos_(pos) {
    tokens_ = lex_line(line, pos, &comment_);
  }

  const Token& peek() const { return tokens_[at_]; }
  const Token& next() { return tokens_[at_++]; }
  bool peek_is(std::string_view kw) const {
    return peek().kind == TokenKind::kIdent && !peek().quoted && iequals(peek().text, kw);
  }
  bool accept(std::string_view kw) {
    if (!peek_is(kw)) return false;
    ++at_;
    return true;
  }
  bool accept_symbol(std::string_view sym) {
    if (peek().kind != TokenKind::kSymbol || peek().text != sym) return false;
    ++at_;
    return true;
  }
  void expect(std::string_view kw, std::string_view context) {
    if (!accept(kw))
      fail(peek(), "expected " + std::string(kw) + " " + std::string(context) + ", found " +
                       describe(peek()));
  }
  void expect_symbol(std::string_view sym, std::string_view context) {
    if (!accept_symbol(sym))
      fail(peek(), "expected '" + std::string(sym) + "' " + std::string(context) + ", found " +
                       describe(peek()));
  }
  int64_t integer(std::string_view what, int64_t min) {
    const Token& t = peek();
    if (t.kind != TokenKind::kInt)
      fail(t, "expected " + std::string(what) + ", found " + describe(t));
    int64_t v = 0;
    auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
    if (ec != std::errc() || v < min || v > 1'000'000)
      fail(t, "expected " + std::string(what) + " between " + std::to_string(min) +
                  " and 1000000, found " + t.text);
    ++at_;
    return v;
  }
  std::string name(std::string_view what) {
    const Token& t = peek();
    if (t.kind != TokenKind::kIdent)
      fail(t, "expected " + std::string(what) + ", found " + describe(t));
    ++at_;
    if (t.quoted) return t.text;  // as written, like PostgreSQL
    if (step_reserved(t.text)) {
      --at_;
      fail(t, "expected " + std::string(what) + ", found the keyword " + t.text + " (" +
                  (pg_reserved(t.text) ? "reserved in PostgreSQL" : "a word of the step language") +
                  "; write \"" + lower(t.text) + "\" to use it as a name)");
    }
    return lower(t.text);
  }

  int column_of(const Token& t) const { return pos_.column + t.column - 1; }

  [[noreturn]] void fail(const Token& t, const std::string& message) const {
    SourcePos p = pos_;
    p.column = column_of(t);
    throw InputError(p, message);
  }

  SourcePos pos_;
  std::vector<Token> tokens_;
  std::string comment_;
  size_t at_ = 0;
};

}  // namespace ccsim
