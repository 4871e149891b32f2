#include "scenario/toml_doc.h"

#include <algorithm>
#include <sstream>

#include "core/text.h"
#include "lang/parser.h"

namespace ccsim {

const char* type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "a list";
    case toml::node_type::string:
      return "text";
    case toml::node_type::integer:
      return "a whole number";
    case toml::node_type::floating_point:
      return "a decimal number";
    case toml::node_type::boolean:
      return "true or false";
    default:
      return "a date or time";
  }
}

bool valid_name(const std::string& n) {
  if (n.empty() || n.size() > 64 ||
      !(std::isalpha(static_cast<unsigned char>(n[0])) || n[0] == '_'))
    return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

Doc::Doc(const std::string& text, std::string file) : file_(std::move(file)) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines_.push_back(line);
  if (auto why = not_text_reason(text)) throw InputError(SourcePos{file_, 0, 0}, *why);
  try {
    root_ = toml::parse(text, file_);
  } catch (const toml::parse_error& e) {
    throw InputError(SourcePos{file_, static_cast<int>(e.source().begin.line),
                               static_cast<int>(e.source().begin.column)},
                     "this is not valid TOML: " + std::string(e.description()));
  }
}

void Doc::only_keys(const toml::table& t, std::initializer_list<std::string_view> allowed,
                    const std::string& where) const {
  for (auto&& [k, v] : t) {
    if (std::find(allowed.begin(), allowed.end(), k.str()) != allowed.end()) continue;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    throw InputError(SourcePos{file_, static_cast<int>(k.source().begin.line),
                               static_cast<int>(k.source().begin.column)},
                     "unknown key '" + std::string(k.str()) + "' in " + where +
                         " (expected one of: " + list + ")");
  }
}

std::string Doc::string(const toml::table& t, std::string_view key, const toml::node& owner,
                        bool required, const std::string& what) const {
  const toml::node* n = t.get(key);
  if (!n) {
    if (required) fail(owner, "missing '" + std::string(key) + "': " + what);
    return {};
  }
  if (!n->is_string())
    fail(*n, "'" + std::string(key) + "' must be text" + (what.empty() ? "" : " (" + what + ")") +
                 ", found " + type_name(n->type()));
  return std::string(n->as_string()->get());
}

const toml::array& Doc::array(const toml::node& n, const std::string& key) const {
  if (!n.is_array()) fail(n, "'" + key + "' must be a list, found " + type_name(n.type()));
  return *n.as_array();
}
const toml::table& Doc::table(const toml::node& n, const std::string& key) const {
  if (!n.is_table()) fail(n, "'" + key + "' must be a table, found " + type_name(n.type()));
  return *n.as_table();
}

Value Doc::value(const toml::node& n, const std::string& key) const {
  if (auto* i = n.as_integer()) return i->get();
  if (auto* b = n.as_boolean()) return b->get();
  if (auto* s = n.as_string()) {
    if (s->get() == "NULL") return Null{};
    return s->get();
  }
  if (n.is_floating_point()) {
    // A number with a point is a numeric: read from its text as written
    // (10.25 keeps its digits and scale, which a double would not).
    const auto& src = n.source();
    std::string text;
    if (src.begin.line == src.end.line && src.begin.line >= 1 &&
        static_cast<size_t>(src.begin.line) <= lines_.size()) {
      const std::string& l = lines_[static_cast<size_t>(src.begin.line - 1)];
      size_t b = static_cast<size_t>(src.begin.column - 1),
             e = static_cast<size_t>(src.end.column - 1);
      if (b < e && e <= l.size()) text = l.substr(b, e - b);
    }
    std::erase(text, '_');
    if (std::optional<Value> v = numeric_text(text)) return *v;
    fail(n, "'" + key + "' must be a number with its digits written out (like 10.25): " +
                "exponents, inf, nan and more than 38 digits are not modelled, found " +
                (text.empty() ? std::string("a float") : text));
  }
  fail(n, "'" + key + "' must be a number, text or true/false, found " + type_name(n.type()));
}

SourcePos Doc::origin(const toml::node& n) const {
  int line = static_cast<int>(n.source().begin.line),
      col = static_cast<int>(n.source().begin.column);
  SourcePos o{file_, line, col + 1};
  if (line >= 1 && static_cast<size_t>(line) <= lines_.size()) {
    const std::string& l = lines_[static_cast<size_t>(line - 1)];
    size_t at = static_cast<size_t>(col - 1);
    if (l.compare(at, 3, "'''") == 0 || l.compare(at, 3, "\"\"\"") == 0) {
      if (l.find_first_not_of(" \t\r", at + 3) == std::string::npos)
        return SourcePos{file_, line + 1, 1};
      o.column = col + 3;
    }
  }
  return o;
}

Program Doc::program(const toml::table& t, std::string_view key) const {
  const toml::node* n = t.get(key);
  if (!n) return Program{file_, {}};
  if (!n->is_string())
    fail(*n, "'" + std::string(key) + "' must be text holding one step per line, found " +
                 type_name(n->type()));
  return parse_program(n->as_string()->get(), origin(*n));
}

}  // namespace ccsim
