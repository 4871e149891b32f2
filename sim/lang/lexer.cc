#include "lang/lexer.h"

#include <algorithm>
#include <cctype>

#include "core/text.h"

namespace ccsim {

namespace {

bool ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
// Reads what stands between quote q at line[i] and its closing quote (a
// doubled q is one q) into text, leaving i after it. False: no closing quote.
bool read_quoted(std::string_view line, size_t& i, char q, std::string& text) {
  for (++i; i < line.size(); ++i) {
    if (line[i] != q) {
      text += line[i];
    } else if (i + 1 < line.size() && line[i + 1] == q) {
      text += q;
      ++i;
    } else {
      ++i;
      return true;
    }
  }
  return false;
}

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace

std::vector<Token> lex_line(std::string_view line, const SourcePos& pos, std::string* comment) {
  std::vector<Token> out;
  int brackets = 0;  // ARRAY['s [ not yet closed
  auto at = [&](size_t i) {
    SourcePos p = pos;
    p.column = pos.column + static_cast<int>(i);
    return p;
  };
  size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    int col = static_cast<int>(i) + 1;
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '-' && i + 1 < line.size() && line[i + 1] == '-') {
      if (comment) *comment = trim(line.substr(i + 2));
      break;
    } else if (ident_start(c)) {
      size_t b = i;
      while (i < line.size() && ident_char(line[i])) ++i;
      out.push_back({TokenKind::kIdent, std::string(line.substr(b, i - b)), col});
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < line.size() &&
                std::isdigit(static_cast<unsigned char>(line[i + 1])) &&
                (out.empty() || out.back().kind != TokenKind::kIdent))) {
      // A number: digits, or digits with a point (1.50, .5, 3.), as
      // PostgreSQL reads a numeric constant. An exponent is not modelled.
      size_t b = i;
      bool point = false;
      while (i < line.size() && (std::isdigit(static_cast<unsigned char>(line[i])) ||
                                 (line[i] == '.' && !point && line.substr(i, 2) != ".."))) {
        point |= line[i] == '.';
        ++i;
      }
      if (i < line.size() && (line[i] == 'e' || line[i] == 'E') && i + 1 < line.size() &&
          (std::isdigit(static_cast<unsigned char>(line[i + 1])) || line[i + 1] == '+' ||
           line[i + 1] == '-')) {
        size_t e = i + 1;
        if (line[e] == '+' || line[e] == '-') ++e;
        while (e < line.size() && std::isdigit(static_cast<unsigned char>(line[e]))) ++e;
        throw InputError(at(b), "a number with an exponent (" + std::string(line.substr(b, e - b)) +
                                    ") is not modelled; write its digits");
      }
      if (i < line.size() && ident_char(line[i]))
        throw InputError(at(i), "a number cannot run into a name; put a space between them");
      out.push_back(
          {point ? TokenKind::kDecimal : TokenKind::kInt, std::string(line.substr(b, i - b)), col});
    } else if (c == '.' && !out.empty() && out.back().kind == TokenKind::kIdent) {
      out.push_back({TokenKind::kSymbol, ".", col});  // a qualified name: t.col
      ++i;
    } else if (c == ':' && i + 1 < line.size() && line[i + 1] == ':') {
      out.push_back({TokenKind::kSymbol, "::", col});  // a cast: value::type
      i += 2;
    } else if (c == ':') {
      size_t b = ++i;
      while (i < line.size() && ident_char(line[i])) ++i;
      if (i == b || !ident_start(line[b]))
        throw InputError(at(b - 1), "expected a parameter name after ':', like :user_id");
      out.push_back({TokenKind::kParam, std::string(line.substr(b, i - b)), col});
    } else if (c == '"') {
      // A quoted identifier, as PostgreSQL reads it: case kept, "" for ".
      std::string text;
      size_t b = i;
      if (!read_quoted(line, i, '"', text))
        throw InputError(at(b), "this quoted name has no closing double quote (\") on its line");
      if (text.empty())
        throw InputError(
            at(b), "a quoted name cannot be empty (PostgreSQL: zero-length delimited identifier)");
      Token t{TokenKind::kIdent, text, col};
      t.quoted = true;
      out.push_back(std::move(t));
    } else if (c == '\'') {
      std::string text;
      if (!read_quoted(line, i, '\'', text))
        throw InputError(at(static_cast<size_t>(col - 1)),
                         "this text literal has no closing quote (') on its line");
      out.push_back({TokenKind::kString, text, col});
    } else {
      static const char* two[] = {"<>", "!=", "<=", ">=", "||"};
      std::string sym(1, c);
      for (const char* t : two)
        if (line.substr(i, 2) == t) sym = t;
      if (sym.size() == 1 && std::string_view(",()*=<>+-/%;").find(c) == std::string_view::npos) {
        // A letter outside ASCII (a name like café) is named as written, a
        // byte that is not UTF-8 as \xNN.
        if (static_cast<unsigned char>(c) >= 0x80)
          throw InputError(at(i), "unexpected character '" + utf8_char_at(line, i) +
                                      "': names are ASCII letters, digits and _");
        if (c == '$')
          throw InputError(at(i),
                           "dollar quoting and $n parameters are not modelled; write "
                           "'text' and :name");
        // ARRAY[...] is read where x = ANY (ARRAY[...]) holds it (the parser
        // refuses it elsewhere); any other bracket is refused here.
        if (c == '[' && !out.empty() && out.back().kind == TokenKind::kIdent &&
            !out.back().quoted && iequals(out.back().text, "ARRAY")) {
          ++brackets;
          out.push_back({TokenKind::kSymbol, "[", col});
          ++i;
          continue;
        }
        if (c == ']' && brackets > 0) {
          --brackets;
          out.push_back({TokenKind::kSymbol, "]", col});
          ++i;
          continue;
        }
        if (c == '[' || c == ']') throw InputError(at(i), "arrays ([...]) are not modelled");
        std::string shown = std::isprint(static_cast<unsigned char>(c))
                                ? "'" + sym + "'"
                                : "byte " + std::to_string(static_cast<unsigned char>(c));
        throw InputError(at(i), "unexpected character " + shown);
      }
      i += sym.size();
      out.push_back({TokenKind::kSymbol, sym, col});
    }
  }
  out.push_back({TokenKind::kEnd, "", static_cast<int>(line.size()) + 1});
  return out;
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case TokenKind::kEnd:
      return "end of line";
    case TokenKind::kInt:
    case TokenKind::kDecimal:
      return "number " + t.text;
    case TokenKind::kString:
      return "text '" + t.text + "'";
    case TokenKind::kParam:
      return "parameter :" + t.text;
    case TokenKind::kIdent:
      return t.quoted ? "name \"" + t.text + "\"" : "'" + t.text + "'";
    default:
      return "'" + t.text + "'";
  }
}

std::string step_text(std::string_view line) {
  // Cut at "--" outside quotes.
  bool quoted = false;
  size_t end = line.size();
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\'') quoted = !quoted;
    if (!quoted && line[i] == '-' && i + 1 < line.size() && line[i + 1] == '-') {
      end = i;
      break;
    }
  }
  std::string_view s = line.substr(0, end);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  if (!s.empty() && s.back() == ';') s.remove_suffix(1);
  // Collapse runs of blanks so the text reads the same in traces.
  std::string out;
  bool quoted2 = false, space = false;
  for (char c : s) {
    if (c == '\'') quoted2 = !quoted2;
    if (!quoted2 && std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace ccsim
