// The parser's reading position in one step's tokens: look at the next
// token, take it when it is the word or symbol expected, read names and
// integers, and fail at a token with its file, line and column. The
// grammar itself is in parser.cc.
#pragma once

#include <charconv>
#include <string>
#include <string_view>
#include <utility>
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
  // Whether the token after the next one is the word kw.
  bool next_is(std::string_view kw) const { return ahead_is(1, kw); }
  // Whether the token k places after the next one is the word kw.
  bool ahead_is(size_t k, std::string_view kw) const {
    if (at_ + k >= tokens_.size()) return false;
    const Token& t = tokens_[at_ + k];
    return t.kind == TokenKind::kIdent && !t.quoted && iequals(t.text, kw);
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

  // A column, alone or qualified with its table (t.col, "t"."col"). The
  // qualifier is checked against the statement's table once that is known
  // (check_qualifiers()).
  // public.t.col (as Prisma writes every column) is t.col: ccsim's tables
  // are in the schema public, the first of PostgreSQL's default search_path.
  std::string column(std::string_view what) {
    std::string n = name(what);
    if (!at_dot()) return n;
    const Token* q = &tokens_[at_ - 1];
    ++at_;
    std::string col = name(what);
    if (at_dot()) {
      if (n != "public")
        fail(*q,
             "a schema-qualified name (schema.table.col) is not modelled; write the column alone");
      q = &tokens_[at_ - 1];
      ++at_;
      n = std::exchange(col, name(what));
      if (at_dot()) fail(*q, "expected a column after " + n + ".");
    }
    qualifiers_.emplace_back(n, q);
    return col;
  }
  // * or t.* ("users".*, as Rails writes its SELECTs; public.t.*): every
  // column of the statement's table, the qualifier checked as a column's is.
  bool accept_star() {
    if (accept_symbol("*")) return true;
    auto is = [&](size_t k, TokenKind kind, std::string_view text = {}) {
      return at_ + k < tokens_.size() && tokens_[at_ + k].kind == kind &&
             (text.empty() || tokens_[at_ + k].text == text);
    };
    const bool dotted = is(0, TokenKind::kIdent) && is(1, TokenKind::kSymbol, ".");
    const bool schema = dotted && is(2, TokenKind::kIdent) && is(3, TokenKind::kSymbol, ".") &&
                        is(4, TokenKind::kSymbol, "*");
    if (!schema && !(dotted && is(2, TokenKind::kSymbol, "*"))) return false;
    if (schema) {
      const Token& s = peek();
      if (name("a schema name") != "public")
        fail(s,
             "a table in a schema other than public (schema.table) is not modelled; write the "
             "table alone");
      ++at_;
    }
    const Token* q = &peek();
    qualifiers_.emplace_back(name("a table name before .*"), q);
    at_ += 2;
    return true;
  }
  // A table's name; one in the schema public is the name alone, another
  // schema is refused.
  std::string table_name(std::string_view what) {
    std::string n = name(what);
    if (!at_dot()) return n;
    if (n != "public")
      fail(tokens_[at_ - 1],
           "a table in a schema other than public (schema.table) is not modelled; write the "
           "table alone");
    ++at_;
    n = name(what);
    if (at_dot()) fail(tokens_[at_ - 1], "expected a table name after public., found a column");
    return n;
  }
  bool at_dot() const { return peek().kind == TokenKind::kSymbol && peek().text == "."; }
  // Every qualified column read so far names `table`, or its alias when
  // the statement gave it one (the statement reads one table, so any other
  // is PostgreSQL's 42P01).
  void check_qualifiers(const std::string& table) {
    const std::string& named = alias_.empty() ? table : alias_;
    for (const auto& [q, t] : qualifiers_) {
      if (q == named) continue;
      if (q == table)  // the table's own name, hidden by its alias
        fail(*t, "the column is qualified with \"" + q + "\", but the statement calls it \"" +
                     alias_ +
                     "\" (PostgreSQL: invalid reference to FROM-clause entry for table \"" + q +
                     "\", 42P01)");
      fail(*t, "the column is qualified with \"" + q + "\", but the statement reads \"" + named +
                   "\" (PostgreSQL: missing FROM-clause entry for table \"" + q + "\", 42P01)");
    }
    qualifiers_.clear();
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
  std::vector<std::pair<std::string, const Token*>> qualifiers_;  // see column()
  std::string alias_;  // the statement's name for its table (FROM t AS x), if any
  size_t at_ = 0;
};

}  // namespace ccsim
