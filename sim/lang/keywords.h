// The words a bare name cannot be. PostgreSQL 15's reserved key words
// (Appendix C of its manual: "reserved" and "reserved (can be function or
// type)"), which PostgreSQL refuses as bare table or column names, and the
// step language's own words, which its parser would read as the next
// clause. A name that is one of them is written in double quotes ("do").
#pragma once

#include <string_view>

namespace ccsim {

// True when `word` (any case) is reserved in PostgreSQL 15.
bool pg_reserved(std::string_view word);
// True when `word` (any case) cannot be a bare name in the step language:
// reserved in PostgreSQL, or a word the step language reads as a keyword.
bool step_reserved(std::string_view word);

}  // namespace ccsim
