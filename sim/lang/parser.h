// Parser of the step language: one step per line, SQL statements of the product's
// subset plus the application actions LET and RETRY (docs/step_language.md).
//
// Errors are InputError naming file:line:column and what was expected. The
// parser checks syntax only; names of tables, columns and parameters are
// checked against a schema by scenario/ (see lang/validate.h).
#pragma once

#include <string_view>

#include "lang/ast.h"

namespace ccsim {

// Most steps in one program (one view, one setup).
constexpr size_t kProgramStepsMax = 10000;

// Parses a block of steps, one per line. Blank lines and lines holding only a
// "-- comment" are skipped. A trailing ';' on a step is allowed.
// Returns the steps in order; throws InputError on the first bad step.
// `origin` is where the text's first character stands in its file; lines
// after the first start at column 1.
Program parse_program(std::string_view text, const SourcePos& origin);

// Parses exactly one step written on one line (used by tests and the CLI).
Step parse_step(std::string_view line, const SourcePos& origin);

}  // namespace ccsim
