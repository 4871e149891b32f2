// Validation of a program against a schema, before anything runs: every
// table, column and :parameter named by a step exists, INTO lists match their
// SELECT, every RETRY has a step before it. Errors name file:line:column.
#pragma once

#include <set>
#include <string>

#include "lang/ast.h"
#include "store/store.h"

namespace ccsim {

// Throws InputError for the first problem found. `params` are the names a
// request has before its first step (its arguments and the built-ins).
void validate_program(const Program& p, const Store& schema, const std::set<std::string>& params);

}  // namespace ccsim
