// Tokens of the step language, read from one line of text.
//
// The lexer never throws for text it can skip (comments, blanks); an
// unterminated string or a stray character is an InputError at its column.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ccsim {

// kInt: digits; kDecimal: digits with a point (1.50, .5, 3.).
enum class TokenKind { kIdent, kInt, kDecimal, kString, kParam, kSymbol, kEnd };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;     // identifier as written, symbol, digits, string contents, param name
  int column = 0;       // 1-based column within the line
  bool quoted = false;  // an identifier in double quotes: a name, never a keyword
};

// Splits one line into tokens, ending with a kEnd token. A "--" comment ends
// the line; its text (trimmed) is stored in *comment when not null.
// pos names the line (file, line, column of the line's first character) for
// errors.
std::vector<Token> lex_line(std::string_view line, const SourcePos& pos, std::string* comment);

// Describes a token for messages: "end of line", "'WHERE'", "number 42".
std::string describe(const Token& t);

// A step's text as traces show it: the line without its "--" comment, the
// final ';' and surrounding blanks, runs of blanks collapsed (outside quotes).
std::string step_text(std::string_view line);

// ASCII case-insensitive equality, and lower case, for SQL words.
bool iequals(std::string_view a, std::string_view b);
std::string lower(std::string s);

}  // namespace ccsim
