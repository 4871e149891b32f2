// SQL for a real server, printed from a step's syntax: what `ccsim verify`
// and `ccsim load` send to PostgreSQL. INTO is left out (the client takes
// the first row itself) and each :param becomes a typed placeholder ($1::int8,
// $2::text) bound to the request's value, or the literal NULL.
//
// Printed from the syntax tree, never re-scanned from the text as written,
// so a statement means on the server what it meant to the simulator. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <map>
#include <utility>
#include "lang/ast.h"

#include "lang/eval.h"

namespace ccsim {

// The statement of step `st` as PostgreSQL takes it, with `vars` bound:
// *params receives the placeholders' values in order (as text), for
// PQsendQueryParams. REQUIRES: is_sql(st). Throws SqlError 42P02 for a
// parameter with no value yet (as the simulator does).
std::string server_sql(const Step& st, const Vars& vars,
                       std::vector<std::optional<std::string>>* params);

// server_sql(), remembered: a step's text is printed once for each way its
// parameters can be NULL, a number or text, and only the values are
// gathered after that (ccsim load sends the same steps thousands of times).
// The steps must outlive the cache.
class ServerSqlCache {
 public:
  // The text stays valid until the next call.
  const std::string& sql(const Step& st, const Vars& vars,
                         std::vector<std::optional<std::string>>* params);

 private:
  // Per step: its text (to know it again) and its parameters, in order.
  std::map<const Step*, std::pair<std::string, std::vector<std::string>>> names_;
  std::map<std::pair<const Step*, std::string>, std::string> texts_;
  std::string key_;
  std::string scratch_;  // a text that is not kept
};

// An identifier as PostgreSQL reads it: bare when it is a plain lower-case
// name that is no keyword of PostgreSQL's or the step language's (so the
// printed SQL also reads back as a step), else in double quotes.
std::string sql_identifier(const std::string& name);

}  // namespace ccsim
