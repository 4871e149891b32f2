#include "lang/keywords.h"

#include <algorithm>
#include <cctype>

#include "lang/lexer.h"

namespace ccsim {

namespace {

// PostgreSQL 15, Appendix C, "reserved" and "reserved (can be function or type)".
constexpr std::string_view kPgReserved[] = {"all",
                                            "analyse",
                                            "analyze",
                                            "and",
                                            "any",
                                            "array",
                                            "as",
                                            "asc",
                                            "asymmetric",
                                            "authorization",
                                            "binary",
                                            "both",
                                            "case",
                                            "cast",
                                            "check",
                                            "collate",
                                            "collation",
                                            "column",
                                            "concurrently",
                                            "constraint",
                                            "create",
                                            "cross",
                                            "current_catalog",
                                            "current_date",
                                            "current_role",
                                            "current_schema",
                                            "current_time",
                                            "current_timestamp",
                                            "current_user",
                                            "default",
                                            "deferrable",
                                            "desc",
                                            "distinct",
                                            "do",
                                            "else",
                                            "end",
                                            "except",
                                            "false",
                                            "fetch",
                                            "for",
                                            "foreign",
                                            "freeze",
                                            "from",
                                            "full",
                                            "grant",
                                            "group",
                                            "having",
                                            "ilike",
                                            "in",
                                            "initially",
                                            "inner",
                                            "intersect",
                                            "into",
                                            "is",
                                            "isnull",
                                            "join",
                                            "lateral",
                                            "leading",
                                            "left",
                                            "like",
                                            "limit",
                                            "localtime",
                                            "localtimestamp",
                                            "natural",
                                            "not",
                                            "notnull",
                                            "null",
                                            "offset",
                                            "on",
                                            "only",
                                            "or",
                                            "order",
                                            "outer",
                                            "overlaps",
                                            "placing",
                                            "primary",
                                            "references",
                                            "returning",
                                            "right",
                                            "select",
                                            "session_user",
                                            "similar",
                                            "some",
                                            "symmetric",
                                            "table",
                                            "tablesample",
                                            "then",
                                            "to",
                                            "trailing",
                                            "true",
                                            "union",
                                            "unique",
                                            "user",
                                            "using",
                                            "variadic",
                                            "verbose",
                                            "when",
                                            "where",
                                            "window",
                                            "with"};

// The step language's clause words that PostgreSQL does not reserve.
constexpr std::string_view kStepWords[] = {
    "update", "set",    "insert", "values", "delete", "begin", "commit", "rollback",
    "by",     "nowait", "skip",   "drop",   "let",    "retry", "while",  "max"};

}  // namespace

bool pg_reserved(std::string_view word) {
  return std::any_of(std::begin(kPgReserved), std::end(kPgReserved),
                     [&](std::string_view k) { return iequals(k, word); });
}

bool step_reserved(std::string_view word) {
  return pg_reserved(word) || std::any_of(std::begin(kStepWords), std::end(kStepWords),
                                          [&](std::string_view k) { return iequals(k, word); });
}

}  // namespace ccsim
