// Clauses of the step grammar that stand alone (they read only tokens, no
// expressions): a table-level PRIMARY KEY and the aggregates of a select
// list. The statements and expressions are in parser.cc, which builds on
// this.
#pragma once

#include <algorithm>
#include <cctype>
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
    if (digits.kind == TokenKind::kDecimal) {
      std::optional<Value> v = numeric_text((negative ? "-" : "") + digits.text);
      if (!v)
        fail(digits, "a numeric of more than " + std::to_string(Decimal::kMaxDigits) +
                         " digits or " + std::to_string(Decimal::kMaxScale) +
                         " after its point is not modelled");
      ++at_;
      return *v;
    }
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
  // ---- Rule: UNIQUE (columns) names columns written before it --------------
  // A table-level UNIQUE, its name from CONSTRAINT name or empty. Returns
  // false when the next token is not UNIQUE.
  bool table_unique(CreateTableStmt& c, const std::string& constraint) {
    if (!accept("UNIQUE")) return false;
    if (peek_is("NULLS")) fail(peek(), "UNIQUE NULLS [NOT] DISTINCT is not modelled");
    UniqueDef u;
    u.name = constraint;
    expect_symbol("(", "to open the unique constraint's column list");
    do {
      const Token& t = peek();
      std::string n = name("a column name");
      if (std::none_of(c.columns.begin(), c.columns.end(),
                       [&](const Column& x) { return x.name == n; }))
        fail(t,
             "column \"" + n + "\" named in key does not exist (name the columns before the key)");
      if (std::find(u.columns.begin(), u.columns.end(), n) != u.columns.end())
        fail(t, "column \"" + n + "\" appears twice in unique constraint");
      u.columns.push_back(n);
    } while (accept_symbol(","));
    expect_symbol(")", "to close the column list");
    c.uniques.push_back(std::move(u));
    return true;
  }

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

  // A table-level FOREIGN KEY (a, b) REFERENCES t [(x, y)] [actions].
  // Returns false when the element is not one.
  bool table_foreign_key(CreateTableStmt& c) {
    if (!accept("FOREIGN")) return false;
    expect("KEY", "after FOREIGN");
    ForeignKeyDef fk;
    expect_symbol("(", "to open the foreign key's column list");
    do {
      fk.columns.push_back(name("a column name"));
    } while (accept_symbol(","));
    expect_symbol(")", "to close the column list");
    expect("REFERENCES", "after FOREIGN KEY (...)");
    references(fk);
    c.foreign_keys.push_back(std::move(fk));
    return true;
  }

  // What follows REFERENCES: the table, its columns, and the actions (NO
  // ACTION, RESTRICT, CASCADE, SET NULL, SET DEFAULT) and whether the checks
  // may wait for COMMIT ([NOT] DEFERRABLE, INITIALLY DEFERRED | IMMEDIATE).
  // A MATCH clause is refused by name.
  void references(ForeignKeyDef& fk) {
    fk.table = table_name("the referenced table's name");
    if (accept_symbol("(")) {
      do {
        fk.ref_columns.push_back(name("a column name"));
      } while (accept_symbol(","));
      expect_symbol(")", "to close the referenced column list");
    }
    const Token* not_deferrable = nullptr;
    for (;;) {
      const Token& t = peek();
      if (accept("ON")) {
        bool del = accept("DELETE");
        if (!del) expect("UPDATE", "after ON (ON DELETE or ON UPDATE)");
        const char* on = del ? "after ON DELETE" : "after ON UPDATE";
        FkAction& action = del ? fk.on_delete : fk.on_update;
        if (accept("NO")) {
          expect("ACTION", "after NO");
          action = FkAction::kNoAction;
        } else if (accept("RESTRICT")) {
          action = FkAction::kRestrict;
        } else if (accept("CASCADE")) {
          action = FkAction::kCascade;
        } else if (accept("SET")) {
          if (accept("NULL"))
            action = FkAction::kSetNull;
          else if (accept("DEFAULT"))
            action = FkAction::kSetDefault;
          else
            fail(peek(),
                 std::string("expected NULL or DEFAULT after SET, found ") + describe(peek()));
          if (peek().kind == TokenKind::kSymbol && peek().text == "(")
            fail(peek(),
                 "a column list after SET NULL or SET DEFAULT is not modelled; the "
                 "action sets every column of the key");
        } else {
          fail(peek(), std::string("expected NO ACTION, RESTRICT, CASCADE, SET NULL or SET "
                                   "DEFAULT ") +
                           on + ", found " + describe(peek()));
        }
      } else if (accept("DEFERRABLE")) {
        fk.deferrable = true;
      } else if (peek_is("NOT") && at_ + 1 < tokens_.size() &&
                 iequals(tokens_[at_ + 1].text, "DEFERRABLE")) {
        at_ += 2;
        not_deferrable = &t;
      } else if (accept("INITIALLY")) {
        if (accept("DEFERRED"))
          fk.initially_deferred = true;
        else if (accept("IMMEDIATE"))
          fk.initially_deferred = false;
        else
          fail(peek(), "expected DEFERRED or IMMEDIATE after INITIALLY, found " + describe(peek()));
      } else if (peek_is("MATCH")) {
        fail(t, "a foreign key's MATCH clause is not modelled");
      } else {
        // ---- Rule: INITIALLY DEFERRED makes a key DEFERRABLE ---------------
        if (fk.initially_deferred) {
          if (not_deferrable)
            fail(*not_deferrable, "constraint declared INITIALLY DEFERRED must be DEFERRABLE");
          fk.deferrable = true;
        }
        if (not_deferrable && fk.deferrable)
          fail(*not_deferrable, "conflicting constraint properties");
        return;
      }
    }
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
