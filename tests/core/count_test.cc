// Exact schedule counts (core/count.h): arithmetic past 2^64, parsing,
// printing, and drawing a uniform count below a bound. Expected values
// computed with python3's integers.
#include <catch2/catch.hpp>

#include "core/count.h"

using namespace ccsim;

TEST_CASE("counts add, multiply and divide exactly past 2^64", "[count]") {
  Count c(UINT64_MAX);
  c += Count(1);
  CHECK(c.to_string() == "18446744073709551616");
  CHECK_FALSE(c.to_u64());
  c *= 1000000007;
  CHECK(c.to_string() == "18446744202836760131966861312");  // 2^64 x 1000000007 (python3)
  CHECK(c.divide(1000000007) == 0);
  CHECK(c.to_string() == "18446744073709551616");
  CHECK(c.divide(10) == 6);
  CHECK(Count(1234567).to_grouped() == "1,234,567");
  CHECK(Count(0).to_string() == "0");
  CHECK(Count::parse("137225088000") == Count(137225088000ull));
  CHECK_FALSE(Count::parse("12a"));
  CHECK_FALSE(Count::parse(""));
  CHECK(Count(5) < Count(UINT64_MAX) * 3);
  Count big = *Count::parse("170891375144777551827763200000000");  // 36!/(3!)^12
  CHECK(big.to_grouped() == "170,891,375,144,777,551,827,763,200,000,000");
  // Dividing by more than 32 bits (python3: divmod(36!/(3!)^12, 2^40)).
  Count q = big;
  CHECK(q.divide(uint64_t{1} << 40) == 697433063424);
  CHECK(q.to_string() == "155424800272865060676");
  CHECK(big.bit_length() == 108);
}

TEST_CASE("a random count below a bound is below it, and seeded", "[count]") {
  Count bound = *Count::parse("100000000000000000000000");
  uint64_t state = 1;
  auto next = [&] { return state = state * 6364136223846793005ull + 1442695040888963407ull; };
  for (int i = 0; i < 100; ++i) CHECK(Count::random_below(bound, next) < bound);
  CHECK(Count::random_below(Count(1), next) == Count(0));
}
