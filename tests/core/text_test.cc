// Text helpers (core/text.h): UTF-8 validity, how a message shows bytes,
// and lower()/upper() as PostgreSQL maps them in a UTF-8 database whose
// LC_CTYPE is C.UTF-8. The expected folds are the server's own answers
// (`SELECT lower(...), upper(...)` on the throwaway cluster of
// scripts/with-postgres, PostgreSQL 15.18, 2026-12-05).
#include <catch2/catch.hpp>

#include "core/text.h"

using namespace ccsim;

namespace {
std::string lower(std::string s) {
  case_fold(s, true);
  return s;
}
std::string upper(std::string s) {
  case_fold(s, false);
  return s;
}
}  // namespace

TEST_CASE("a UTF-8 character's length, and 0 where none starts", "[text]") {
  CHECK(utf8_length_at("a", 0) == 1);
  CHECK(utf8_length_at("\xc3\xa9", 0) == 2);          // é
  CHECK(utf8_length_at("\xe2\x82\xac", 0) == 3);      // €
  CHECK(utf8_length_at("\xf0\x9d\x84\x9e", 0) == 4);  // U+1D11E
  CHECK(utf8_length_at("\xa9", 0) == 0);              // a continuation byte alone
  CHECK(utf8_length_at("\xc3", 0) == 0);              // cut short
  CHECK(utf8_length_at("\xc3"
                       "a",
                       0) == 0);                      // not followed by a continuation
  CHECK(utf8_length_at("\xc0\xaf", 0) == 0);          // overlong '/'
  CHECK(utf8_length_at("\xe0\x80\xaf", 0) == 0);      // overlong, three bytes
  CHECK(utf8_length_at("\xed\xa0\x80", 0) == 0);      // a UTF-16 surrogate
  CHECK(utf8_length_at("\xf4\x90\x80\x80", 0) == 0);  // past U+10FFFF
  CHECK(utf8_length_at("\xff", 0) == 0);
}

TEST_CASE("a message shows control bytes and bytes that are not UTF-8 as \\xNN", "[text]") {
  CHECK(printable("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(printable("a\x01"
                  "b") == "a\\x01b");
  CHECK(printable("\xff\xfe") == "\\xff\\xfe");
  CHECK(printable("\x7f") == "\\x7f");
  CHECK(printable("\xc3") == "\\xc3");
  CHECK(utf8_char_at("x\xe2\x82\xac!", 1) == "\xe2\x82\xac");
  CHECK(utf8_char_at("x\xff!", 1) == "\\xff");
}

TEST_CASE("lower and upper map every letter as C.UTF-8's towlower and towupper", "[text]") {
  CHECK(lower("ABC xyz 123") == "abc xyz 123");
  CHECK(upper("ABC xyz 123") == "ABC XYZ 123");
  // SELECT lower('ÄÖÜ ΣΑΣ Ǆ İ'): äöü σασ ǆ i (each letter on its own: no final ς)
  CHECK(lower("\xc3\x84\xc3\x96\xc3\x9c \xce\xa3\xce\x91\xce\xa3 \xc7\x84 \xc4\xb0") ==
        "\xc3\xa4\xc3\xb6\xc3\xbc \xcf\x83\xce\xb1\xcf\x83 \xc7\x86 i");
  // SELECT upper('äöü straße ǆ ﬁ'): ÄÖÜ STRAßE Ǆ ﬁ (no letter becomes two)
  CHECK(upper("\xc3\xa4\xc3\xb6\xc3\xbc stra\xc3\x9f"
              "e \xc7\x86 \xef\xac\x81") ==
        "\xc3\x84\xc3\x96\xc3\x9c STRA\xc3\x9f"
        "E \xc7\x84 \xef\xac\x81");
  // SELECT upper('ȿ'): Ȿ, two bytes become three.
  CHECK(upper("\xc8\xbf") == "\xe2\xb1\xbe");
  // Bytes that are not UTF-8 stay; the ASCII around them still changes.
  CHECK(lower("A\xff"
              "B") ==
        "a\xff"
        "b");
}
