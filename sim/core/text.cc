#include "core/text.h"

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
  unsigned char lead = static_cast<unsigned char>(s[at]);
  size_t n = lead < 0x80                    ? 1
             : lead >= 0xc2 && lead <= 0xdf ? 2
             : lead >= 0xe0 && lead <= 0xef ? 3
             : lead >= 0xf0 && lead <= 0xf4 ? 4
                                            : 0;
  if (n == 0 || at + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[at + k]) & 0xc0) != 0x80) return 0;
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

}  // namespace ccsim
