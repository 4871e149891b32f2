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

std::string utf8_char_at(std::string_view s, size_t at) {
  unsigned char lead = static_cast<unsigned char>(s[at]);
  size_t n = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return std::string(s.substr(at, n));
}

}  // namespace ccsim
