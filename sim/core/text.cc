#include "core/text.h"

#include <locale.h>
#include <wctype.h>

namespace ccsim {

std::optional<std::string> not_text_reason(std::string_view text) {
  auto starts = [&](std::string_view bom) { return text.substr(0, bom.size()) == bom; };
  // UTF-16: a byte-order mark, or ASCII with a NUL after (little-endian)
  // or before (big-endian) each character.
  bool bom = starts("\xff\xfe") || starts("\xfe\xff");
  size_t pairs = 0, half_nul = 0;
  for (size_t i = bom ? 2 : 0; i + 1 < text.size() && pairs < 64; i += 2, ++pairs)
    half_nul += (text[i] == '\0') != (text[i + 1] == '\0');
  if (bom || (pairs >= 4 && half_nul * 4 >= pairs * 3))
    return "this file is UTF-16 text; ccsim reads UTF-8: save it as UTF-8";
  if (text.find('\0') != std::string_view::npos)
    return "this is not a text file (it contains a NUL byte)";
  return std::nullopt;
}

size_t utf8_length_at(std::string_view s, size_t at) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[at + k]); };
  const unsigned char lead = byte(0);
  const size_t n = lead < 0x80                    ? 1
                   : lead >= 0xc2 && lead <= 0xdf ? 2
                   : lead >= 0xe0 && lead <= 0xef ? 3
                   : lead >= 0xf0 && lead <= 0xf4 ? 4
                                                  : 0;
  if (n == 0 || at + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((byte(k) & 0xc0) != 0x80) return 0;
  // No overlong form, no UTF-16 surrogate, nothing past U+10FFFF.
  if ((lead == 0xe0 && byte(1) < 0xa0) || (lead == 0xed && byte(1) >= 0xa0) ||
      (lead == 0xf0 && byte(1) < 0x90) || (lead == 0xf4 && byte(1) >= 0x90))
    return 0;
  return n;
}

std::string utf8_char_at(std::string_view s, size_t at) {
  size_t n = utf8_length_at(s, at);
  if (n == 0) return printable(s.substr(at, 1));
  return std::string(s.substr(at, n));
}

std::string printable(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = utf8_length_at(s, i);
    if (n > 1 || (n == 1 && c >= 0x20 && c != 0x7f)) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    // A control character or a byte that is not UTF-8, as \xNN.
    out += "\\x";
    out += hex[c >> 4];
    out += hex[c & 15];
    ++i;
  }
  return out;
}

namespace {

// glibc's C.UTF-8 (built in since 2.35): the LC_CTYPE of a database that
// initdb makes under LANG=C.UTF-8, whose towlower and towupper PostgreSQL's
// lower() and upper() call. Null when the C library has no such locale.
locale_t c_utf8() {
  static const locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return loc;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

}  // namespace

void case_fold(std::string& text, bool to_lower) {
  const locale_t loc = c_utf8();
  std::string out;
  bool changed = false;
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const size_t n = utf8_length_at(text, i);
    if (n <= 1 || !loc) {  // ASCII, a byte that is not UTF-8, or no C.UTF-8: ASCII rules
      char f = text[i];
      if (to_lower && c >= 'A' && c <= 'Z') f = static_cast<char>(c - 'A' + 'a');
      if (!to_lower && c >= 'a' && c <= 'z') f = static_cast<char>(c - 'a' + 'A');
      changed |= f != text[i];
      out += f;
      ++i;
      continue;
    }
    uint32_t cp = c & (0x7f >> n);
    for (size_t k = 1; k < n; ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
    const auto wc = static_cast<wint_t>(cp);
    const auto mapped = static_cast<uint32_t>(to_lower ? towlower_l(wc, loc) : towupper_l(wc, loc));
    if (mapped == cp || mapped == 0 || mapped > 0x10ffff ||
        (mapped >= 0xd800 && mapped <= 0xdfff)) {
      out.append(text, i, n);
    } else {
      append_utf8(out, mapped);
      changed = true;
    }
    i += n;
  }
  if (changed) text = std::move(out);
}

}  // namespace ccsim
