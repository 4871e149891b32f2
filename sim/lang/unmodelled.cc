#include "lang/unmodelled.h"

#include <algorithm>
#include <cctype>

namespace ccsim {

namespace {

// The tokens from `at` on, read as keywords.
class Look {
 public:
  Look(const std::vector<Token>& t, size_t at) : t_(t), at_(at) {}
  const Token& at(size_t k) const { return t_[std::min(at_ + k, t_.size() - 1)]; }
  bool is(size_t k, std::string_view kw) const {
    const Token& x = at(k);
    return x.kind == TokenKind::kIdent && !x.quoted && iequals(x.text, kw);
  }
  bool symbol(size_t k, std::string_view s) const {
    return at(k).kind == TokenKind::kSymbol && at(k).text == s;
  }
  std::optional<Unmodelled> no(size_t k, std::string feature, std::string tip = "") const {
    return Unmodelled{std::min(at_ + k, t_.size() - 1), std::move(feature), std::move(tip)};
  }

 private:
  const std::vector<Token>& t_;
  size_t at_;
};

std::optional<Unmodelled> statement(const Look& l) {
  if (l.is(0, "ROLLBACK") && l.is(1, "PREPARED")) return l.no(0, "ROLLBACK PREPARED");
  for (const char* k : {"TRUNCATE", "PREPARE", "EXECUTE", "NOTIFY", "LISTEN", "WITH", "DO", "CALL",
                        "COPY", "DECLARE", "FETCH"})
    if (l.is(0, k)) return l.no(0, k);
  return std::nullopt;
}

std::optional<Unmodelled> after_statement(const Look& l, const StepBody* body) {
  if (l.is(0, "RETURNING")) return l.no(0, "RETURNING");
  if (l.is(0, "OFFSET")) return l.no(0, "OFFSET");
  if (l.is(0, "FOR") && body && std::holds_alternative<SelectStmt>(*body))
    return l.no(0, "more than one locking clause");
  if (body && std::holds_alternative<CreateTableStmt>(*body)) {
    for (const char* k : {"WITH", "INHERITS", "TABLESPACE", "USING", "ON"})
      if (l.is(0, k)) return l.no(0, std::string("a table's ") + k + " clause");
  }
  if (l.is(0, "PARTITION")) return l.no(0, "a partition (PARTITION OF)");
  return std::nullopt;
}

// A name followed by "(": a function call, an advisory lock or EXISTS.
std::optional<Unmodelled> call(const Look& l) {
  const Token& t = l.at(0);
  if (t.kind != TokenKind::kIdent || !l.symbol(1, "(")) return std::nullopt;
  std::string fn = lower(t.text);
  if (fn == "exists")  // where a subquery may not stand: inside one, or outside SQL
    return l.no(0, "EXISTS (subquery) inside a subquery (or outside a SQL statement)");
  bool advisory = fn.starts_with("pg_advisory") || fn.starts_with("pg_try_advisory");
  if (advisory)
    return l.no(0, "an advisory lock inside an expression (" + fn + ")",
                "take one in a statement of its own or in the WHERE of a SELECT, UPDATE or "
                "DELETE");
  return l.no(0, "a function call (" + fn + "(...))");
}

std::optional<Unmodelled> value(const Look& l) {
  if (l.symbol(0, "(") && l.is(1, "SELECT")) return l.no(0, "a subquery ((SELECT ...))");
  if (l.is(0, "ARRAY") && l.symbol(1, "["))
    return l.no(0, "an array (ARRAY[...]) outside x = ANY (ARRAY[...]) and x <> ALL (...)");
  return call(l);
}

// A select list of columns (values, operators and aliases make it one of
// expressions, which the parser reads): a call PostgreSQL would make.
std::optional<Unmodelled> select_item(const Look& l) {
  return call(l);
}

std::optional<Unmodelled> table_element(const Look& l) {
  for (const char* k : {"CONSTRAINT", "EXCLUDE"})
    if (l.is(0, k)) return l.no(0, std::string("a table-level ") + k + " constraint");
  return std::nullopt;
}

}  // namespace

bool starts_step(std::string_view word) {
  for (const char* k :
       {"SELECT",   "UPDATE",  "INSERT",  "DELETE",    "BEGIN", "START",  "COMMIT", "END",
        "ROLLBACK", "ABORT",   "CREATE",  "DROP",      "SET",   "LET",    "RETRY",  "RESTART",
        "SKIP",     "ACQUIRE", "RELEASE", "SAVEPOINT", "LOCK",  "VACUUM", "ANALYZE"})
    if (iequals(word, k)) return true;
  return false;
}

std::optional<Unmodelled> unmodelled(SqlPlace place, const std::vector<Token>& tokens, size_t at,
                                     const StepBody* body) {
  Look l(tokens, at);
  switch (place) {
    case SqlPlace::kStatement:
      return statement(l);
    case SqlPlace::kAfterStatement:
      return after_statement(l, body);
    case SqlPlace::kSelectItem:
      return select_item(l);
    case SqlPlace::kValue:
      return value(l);
    case SqlPlace::kAfterSelectList:
      if (l.at(0).kind == TokenKind::kEnd || l.is(0, "INTO")) return l.no(0, "SELECT without FROM");
      return std::nullopt;
    case SqlPlace::kInList:  // IN (SELECT ...): the parser's (in_list)
      return std::nullopt;
    case SqlPlace::kInsertSource:
      if (l.is(0, "DEFAULT")) return l.no(0, "DEFAULT VALUES");
      return std::nullopt;
    case SqlPlace::kCreate:
      for (const char* k : {"VIEW", "FUNCTION", "TRIGGER", "SCHEMA", "TYPE", "ROLE", "TEMP",
                            "TEMPORARY", "UNLOGGED", "MATERIALIZED", "EXTENSION", "PUBLICATION",
                            "OR", "AGGREGATE", "OPERATOR", "RULE", "POLICY"})
        if (l.is(0, k)) return l.no(0, std::string("CREATE ") + k);
      return std::nullopt;
    case SqlPlace::kCreateTable:
      return std::nullopt;
    case SqlPlace::kTableElement:
      return table_element(l);
    case SqlPlace::kColumnType:
      for (const char* k :
           {"real", "double", "float", "time", "interval", "json", "jsonb", "bytea"})
        if (l.is(0, k))
          return l.no(0, "the column type " + lower(l.at(0).text),
                      "the types are smallint, int, bigint, text, varchar, char, numeric, "
                      "boolean, uuid, date, timestamp and timestamptz");
      return std::nullopt;
    case SqlPlace::kColumnClause:
      for (const char* k : {"CONSTRAINT", "GENERATED", "COLLATE"})
        if (l.is(0, k)) return l.no(0, std::string("a column's ") + k + " clause");
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace ccsim
