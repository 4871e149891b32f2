// One TOML document read with a position for every message: the loader's
// way of asking for a key and failing with file:line:column and what was
// expected. Internal to scenario/; includes toml++ (slow to compile), so
// only the loader's files include it.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "core/error.h"
#include "core/value.h"
#include "lang/ast.h"

namespace ccsim {

// What a node holds, in words: "text", "a whole number", "a list"...
const char* type_name(toml::node_type t);
// True for a name fit for a table, file or request: a letter or _, then
// letters, digits and _, at most 64 characters.
bool valid_name(const std::string& n);

class Doc {
 public:
  // Parses `text`; throws InputError if it is not text or not TOML.
  Doc(const std::string& text, std::string file);

  const toml::table& root() const { return root_; }
  const std::string& file() const { return file_; }

  SourcePos pos(const toml::node& n) const {
    return SourcePos{file_, static_cast<int>(n.source().begin.line),
                     static_cast<int>(n.source().begin.column)};
  }
  [[noreturn]] void fail(const toml::node& n, const std::string& message) const {
    throw InputError(pos(n), message);
  }

  // Rejects keys that are not in `allowed`, naming the allowed ones.
  void only_keys(const toml::table& t, std::initializer_list<std::string_view> allowed,
                 const std::string& where) const;

  const toml::node* get(const toml::table& t, std::string_view key) const { return t.get(key); }

  // The text at `key`; "" when absent and not required.
  std::string string(const toml::table& t, std::string_view key, const toml::node& owner,
                     bool required, const std::string& what) const;
  const toml::array& array(const toml::node& n, const std::string& key) const;
  const toml::table& table(const toml::node& n, const std::string& key) const;
  // A whole number, a text, or NULL (the text "NULL").
  Value value(const toml::node& n, const std::string& key) const;

  // Where the characters of a string value start, so step positions match
  // the file: after ''' + newline, or after the opening quote(s).
  SourcePos origin(const toml::node& n) const;

  // The program at `key` (empty when absent), parsed with its positions.
  Program program(const toml::table& t, std::string_view key) const;

 private:
  std::string file_;
  std::vector<std::string> lines_;
  toml::table root_;
};

}  // namespace ccsim
