#include "core/count.h"

#include <algorithm>

namespace ccsim {

Count::Count(uint64_t v) {
  while (v) {
    limbs_.push_back(static_cast<uint32_t>(v));
    v >>= 32;
  }
}

std::optional<Count> Count::parse(std::string_view decimal) {
  if (decimal.empty()) return std::nullopt;
  Count c;
  for (char ch : decimal) {
    if (ch < '0' || ch > '9') return std::nullopt;
    c *= 10;
    c += Count(static_cast<uint64_t>(ch - '0'));
  }
  return c;
}

void Count::trim() {
  while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();
}

Count& Count::operator+=(const Count& other) {
  if (limbs_.size() < other.limbs_.size()) limbs_.resize(other.limbs_.size(), 0);
  uint64_t carry = 0;
  for (size_t i = 0; i < limbs_.size(); ++i) {
    uint64_t sum = carry + limbs_[i] + (i < other.limbs_.size() ? other.limbs_[i] : 0);
    limbs_[i] = static_cast<uint32_t>(sum);
    carry = sum >> 32;
    if (!carry && i >= other.limbs_.size()) break;
  }
  if (carry) limbs_.push_back(static_cast<uint32_t>(carry));
  return *this;
}

Count& Count::operator*=(uint64_t factor) {
  if (factor == 0 || limbs_.empty()) {
    limbs_.clear();
    return *this;
  }
  if (factor >> 32) {
    // Two 32-bit halves: a * (hi * 2^32 + lo) = (a * hi) shifted + a * lo.
    Count high = *this;
    high *= factor >> 32;
    high.limbs_.insert(high.limbs_.begin(), 0);
    *this *= factor & 0xffffffffu;
    *this += high;
    return *this;
  }
  uint64_t carry = 0;
  for (uint32_t& limb : limbs_) {
    uint64_t p = static_cast<uint64_t>(limb) * factor + carry;
    limb = static_cast<uint32_t>(p);
    carry = p >> 32;
  }
  if (carry) limbs_.push_back(static_cast<uint32_t>(carry));
  return *this;
}

uint64_t Count::divide(uint64_t d) {
  // Long division by a divisor below 2^32 limb by limb; a larger divisor
  // goes bit by bit (rare: divisors are orbit sizes and shard counts).
  if (d >> 32) {
    Count q;
    uint64_t rem = 0;
    for (size_t i = limbs_.size() * 32; i-- > 0;) {
      uint64_t bit = (limbs_[i / 32] >> (i % 32)) & 1;
      bool over = rem >> 63;
      rem = (rem << 1) | bit;
      q.limbs_.resize(std::max(q.limbs_.size(), i / 32 + 1), 0);
      if (over || rem >= d) {
        rem -= d;
        q.limbs_[i / 32] |= 1u << (i % 32);
      }
    }
    q.trim();
    *this = std::move(q);
    return rem;
  }
  uint64_t rem = 0;
  for (size_t i = limbs_.size(); i-- > 0;) {
    uint64_t cur = (rem << 32) | limbs_[i];
    limbs_[i] = static_cast<uint32_t>(cur / d);
    rem = cur % d;
  }
  trim();
  return rem;
}

size_t Count::bit_length() const {
  if (limbs_.empty()) return 0;
  size_t bits = (limbs_.size() - 1) * 32;
  for (uint32_t top = limbs_.back(); top; top >>= 1) ++bits;
  return bits;
}

std::optional<uint64_t> Count::to_u64() const {
  if (limbs_.size() > 2) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = limbs_.size(); i-- > 0;) v = (v << 32) | limbs_[i];
  return v;
}

double Count::to_double() const {
  double v = 0;
  for (size_t i = limbs_.size(); i-- > 0;) v = v * 4294967296.0 + limbs_[i];
  return v;
}

std::string Count::to_string() const {
  if (limbs_.empty()) return "0";
  Count rest = *this;
  std::string out;
  while (!rest.is_zero()) {
    uint64_t chunk = rest.divide(1000000000);
    std::string digits = std::to_string(chunk);
    if (!rest.is_zero()) digits.insert(0, 9 - digits.size(), '0');
    out.insert(0, digits);
  }
  return out;
}

std::string Count::to_grouped() const {
  std::string plain = to_string();
  std::string out;
  for (size_t i = 0; i < plain.size(); ++i) {
    if (i && (plain.size() - i) % 3 == 0) out += ',';
    out += plain[i];
  }
  return out;
}

std::strong_ordering operator<=>(const Count& a, const Count& b) {
  if (a.limbs_.size() != b.limbs_.size()) return a.limbs_.size() <=> b.limbs_.size();
  for (size_t i = a.limbs_.size(); i-- > 0;)
    if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] <=> b.limbs_[i];
  return std::strong_ordering::equal;
}

}  // namespace ccsim
