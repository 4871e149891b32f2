// The fixed random generator behind --seed: SplitMix64 (Steele, Lea and
// Flood, 2014). Chosen because it is tiny, fully specified and gives the same
// sequence on every platform and standard library, unlike std:: distributions.
#pragma once

#include <cstdint>

namespace ccsim {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  // Returns the next 64-bit value of the sequence.
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  // Returns a value uniform in [0, n). REQUIRES: n > 0. Rejects the top
  // (2^64 mod n) values so that no result is favoured.
  uint64_t below(uint64_t n) {
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    for (;;) {
      uint64_t x = next();
      if (x < limit) return x % n;
    }
  }

 private:
  uint64_t state_;
};

}  // namespace ccsim
