// Clauses of the step grammar that stand alone (they read only tokens, no
// expressions): a table-level PRIMARY KEY and the aggregates of a select
// list. The statements and expressions are in parser.cc, which builds on
// this.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "lang/ast.h"
#include "lang/token_cursor.h"

namespace ccsim {

class ClauseParsing : protected TokenCursor {
 protected:
  ClauseParsing(std::string_view line, SourcePos pos) : TokenCursor(line, pos) {}

  // DEFAULT's value: a number, 'text' or NULL.
  Value constant() {
    const Token& t = peek();
    if (accept("NULL")) return Null{};
    if (accept("TRUE")) return true;
    if (accept("FALSE")) return false;
    if (t.kind == TokenKind::kString) {
      ++at_;
      return t.text;
    }
    bool negative = t.kind == TokenKind::kSymbol && t.text == "-";
    if (negative) ++at_;
    const Token& digits = peek();
    if (digits.kind != TokenKind::kInt)
      fail(digits,
           "a DEFAULT other than a constant (a number, 'text', true, false or NULL) is not "
           "modelled");
    std::string text = (negative ? "-" : "") + digits.text;
    int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size())
      fail(t, "the number " + text + " is out of range");
    ++at_;
    return v;
  }

  // A table-level PRIMARY KEY (a, b) [INCLUDE (c)]: its columns become the
  // key, as if each had said PRIMARY KEY (the store keys a table by the set
  // of its key columns). INCLUDE adds covered columns to the index, which
  // changes nothing ccsim models. Returns false when the element is not one.
  bool table_primary_key(CreateTableStmt& c) {
    const Token& at = peek();
    if (!accept("PRIMARY")) return false;
    expect("KEY", "after PRIMARY");
    auto names = [&](const char* what) {
      std::vector<std::pair<std::string, const Token*>> out;
      expect_symbol("(", what);
      do {
        const Token* t = &peek();
        out.emplace_back(name("a column name"), t);
      } while (accept_symbol(","));
      expect_symbol(")", "to close the column list");
      return out;
    };
    if (std::any_of(c.columns.begin(), c.columns.end(),
                    [](const Column& x) { return x.primary_key; }))
      fail(at, "multiple primary keys for table \"" + c.table + "\" are not allowed");
    for (const auto& key : names("to open the key's column list")) {
      const std::string& n =
          key.first;  // named, not bound: clang 14 lambdas cannot capture bindings
      const Token* t = key.second;
      auto col = std::find_if(c.columns.begin(), c.columns.end(),
                              [&](const Column& x) { return x.name == n; });
      if (col == c.columns.end())
        fail(*t,
             "column \"" + n + "\" named in key does not exist (name the columns before the key)");
      if (col->primary_key) fail(*t, "column \"" + n + "\" appears twice in the primary key");
      col->primary_key = col->not_null = true;
    }
    if (accept("INCLUDE")) (void)names("to open the INCLUDE column list");
    return true;
  }

  // count(*), count(col), sum(col), min(col), max(col) in a select list.
  // Returns false when the next item is not one.
  bool aggregate(SelectStmt& s) {
    static const std::pair<const char*, AggKind> kinds[] = {{"count", AggKind::kCount},
                                                            {"sum", AggKind::kSum},
                                                            {"min", AggKind::kMin},
                                                            {"max", AggKind::kMax}};
    const Token& t = peek();
    const Token& open = tokens_[std::min(at_ + 1, tokens_.size() - 1)];
    if (t.kind != TokenKind::kIdent || t.quoted || open.kind != TokenKind::kSymbol ||
        open.text != "(")
      return false;
    for (auto& [word, kind] : kinds) {
      if (!iequals(t.text, word)) continue;
      at_ += 2;
      Aggregate a{kind, ""};
      if (kind == AggKind::kCount && accept_symbol("*")) {
        a.kind = AggKind::kCountStar;
      } else {
        if (peek_is("DISTINCT") || peek_is("ALL"))
          fail(peek(), "an aggregate's " + peek().text + " is not modelled");
        a.column = column("a column name in " + lower(t.text) + "(...)");
      }
      expect_symbol(")", "to close the aggregate");
      s.aggregates.push_back(std::move(a));
      return true;
    }
    return false;
  }
};

}  // namespace ccsim
