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

// Length in bytes of the valid UTF-8 character that starts at `at` (1 to
// 4), or 0 when none does (a stray continuation byte, an overlong lead, a
// cut sequence).
size_t utf8_length_at(std::string_view s, size_t at);

// lower() and upper() of PostgreSQL in a UTF-8 database whose LC_CTYPE is
// C.UTF-8 (what initdb makes under LANG=C.UTF-8, and scripts/with-postgres
// asks for): each character mapped on its own by the C library's towlower
// or towupper in that locale, so 'Ä' and 'Σ' change too and 'ß' stays.
// Bytes that are not UTF-8 stay as they are.
void case_fold(std::string& text, bool to_lower);

// Returns s for a message: control characters and bytes that are not UTF-8
// written as \xNN, so an error never prints raw bytes a terminal misreads.
std::string printable(std::string_view s);

}  // namespace ccsim
