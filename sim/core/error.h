// Errors that carry a source position, shared by every loader and parser.
//
// InputError means "the user's input is wrong": the CLI maps it to exit code 2
// and prints what() as is, which already names file:line:column.
#pragma once

#include <stdexcept>
#include <string>

namespace ccsim {

// A position in a user-visible file. line and column are 1-based; 0 means
// unknown (then only the file is named).
struct SourcePos {
  std::string file;
  int line = 0;
  int column = 0;
};

// Formats "file:line:column: " (or "file: " when the line is unknown).
std::string where(const SourcePos& pos);

class InputError : public std::runtime_error {
 public:
  // message is the sentence after the position, e.g. "expected FROM, found WHERE".
  InputError(const SourcePos& pos, const std::string& message)
      : std::runtime_error(where(pos) + "error: " + message), pos_(pos), message_(message) {}
  const SourcePos& pos() const { return pos_; }
  const std::string& message() const { return message_; }

 private:
  SourcePos pos_;
  std::string message_;
};

}  // namespace ccsim
