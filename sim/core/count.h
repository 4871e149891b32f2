// Exact counts of schedules: unsigned integers of any size.
//
// Schedule counts pass 2^64 quickly (six requests of three steps already
// have 18!/(3!^6) = 137,225,088,000 interleavings; twelve have about 1.7e32),
// so a count never wraps or rounds. A plain value type over 32-bit limbs with
// the few operations the explorer and its reports need; the hot loops of the
// explorer count in 128 bits and fall back to this type only on overflow.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccsim {

class Count {
 public:
  Count() = default;
  Count(uint64_t v);  // NOLINT: a count converts from an ordinary number
  // Returns the count written in decimal ("137225088000"), or nothing when
  // the text is not a non-empty string of decimal digits.
  static std::optional<Count> parse(std::string_view decimal);

  Count& operator+=(const Count& other);
  Count& operator*=(uint64_t factor);
  friend Count operator+(Count a, const Count& b) { return a += b; }
  friend Count operator*(Count a, uint64_t f) { return a *= f; }
  // Divides by d. REQUIRES: d > 0. Returns the remainder.
  uint64_t divide(uint64_t d);

  bool is_zero() const { return limbs_.empty(); }
  // The number of bits needed to write the value (0 for 0).
  size_t bit_length() const;
  // Returns a count drawn uniformly from [0, bound) with 64-bit words from
  // `next` (rejecting draws at or above bound). REQUIRES: bound > 0.
  template <class Next>
  static Count random_below(const Count& bound, Next&& next) {
    const size_t bits = bound.bit_length();
    for (;;) {
      Count c;
      c.limbs_.resize((bits + 31) / 32);
      for (size_t i = 0; i < c.limbs_.size(); i += 2) {
        uint64_t w = next();
        c.limbs_[i] = static_cast<uint32_t>(w);
        if (i + 1 < c.limbs_.size()) c.limbs_[i + 1] = static_cast<uint32_t>(w >> 32);
      }
      if (bits % 32) c.limbs_.back() &= (1u << (bits % 32)) - 1;
      c.trim();
      if (c < bound) return c;
    }
  }
  // Returns the value when it fits in 64 bits.
  std::optional<uint64_t> to_u64() const;
  // Returns the value as a double (rounded), for shares and rates.
  double to_double() const;
  // "137225088000"
  std::string to_string() const;
  // "137,225,088,000": what people read in tables.
  std::string to_grouped() const;

  friend bool operator==(const Count&, const Count&) = default;
  friend std::strong_ordering operator<=>(const Count& a, const Count& b);

 private:
  void trim();
  std::vector<uint32_t> limbs_;  // least significant first; no leading zero limbs; 0 is empty
};

}  // namespace ccsim
