// SQL that PostgreSQL 15 accepts and the step language does not model,
// recognised where the parser meets it so that the refusal names the
// feature ("INSERT ... ON CONFLICT is not modelled"), never a hint that
// sends the reader the wrong way.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lang/ast.h"
#include "lang/lexer.h"

namespace ccsim {

// Where in a statement the parser stands.
enum class SqlPlace {
  kStatement,       // its first word
  kAfterStatement,  // a whole statement has been read
  kSelectItem,      // an item of the select list
  kAfterSelectList,
  kInsertSource,  // after INSERT INTO t [(columns)]
  kCreate,        // after CREATE
  kCreateTable,   // after CREATE TABLE
  kTableElement,  // an element of CREATE TABLE's list
  kColumnType,    // a column's type
  kColumnClause,  // after a column's type and its modelled clauses
  kInList,        // after [NOT] IN
  kValue,         // where an expression expects a value
};

struct Unmodelled {
  size_t token = 0;     // where the feature starts
  std::string feature;  // "INSERT ... ON CONFLICT"
  std::string tip;      // what to write instead, if anything
};

// Returns the feature the tokens from `at` on are, when the step language
// does not model it there. `body` is the statement read so far
// (kAfterStatement).
std::optional<Unmodelled> unmodelled(SqlPlace place, const std::vector<Token>& tokens, size_t at,
                                     const StepBody* body = nullptr);

// True when `word` starts a step (SELECT, UPDATE, ..., RELEASE).
bool starts_step(std::string_view word);

}  // namespace ccsim
