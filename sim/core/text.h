// What is wrong with a file that is not text ccsim can read: UTF-16 (a
// Windows editor's default) and binary data are told apart, so the message
// says what to do.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ccsim {

// Returns why `text` is not UTF-8 text ccsim can read (UTF-16 with or
// without its byte-order mark, or a NUL byte), or nothing when it is fine.
std::optional<std::string> not_text_reason(std::string_view text);

// Returns the UTF-8 character that starts at `at` in s (one to four bytes),
// for messages that show a character that is not allowed; a byte that
// starts no valid character is shown as \xNN.
std::string utf8_char_at(std::string_view s, size_t at);

// Returns s for a message: control characters and bytes that are not UTF-8
// written as \xNN, so an error never prints raw bytes a terminal misreads.
std::string printable(std::string_view s);

}  // namespace ccsim
