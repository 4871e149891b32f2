// The byte helpers of the state key (explore/state_key.h): varints, values
// and rows written into a key, and rank compression. Internal to explore/.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/value.h"
#include "engine/request.h"

namespace ccsim::key_bytes {

// ---- bytes -------------------------------------------------------------------

inline void put(std::string& out, uint64_t v) {
  if (v < 0x80) {  // most of what a key holds: one byte
    out.push_back(static_cast<char>(v));
    return;
  }
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(static_cast<uint8_t>(v) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out.append(buf, n);
}

inline void put_text(std::string& out, const std::string& s) {
  put(out, s.size());
  out += s;
}

inline void put_value(std::string& out, const Value& v) {
  if (auto* i = std::get_if<int64_t>(&v)) {
    out += '\1';
    put(out, (static_cast<uint64_t>(*i) << 1) ^ static_cast<uint64_t>(*i >> 63));  // zigzag
  } else if (auto* s = std::get_if<std::string>(&v)) {
    out += '\2';
    put_text(out, *s);
  } else if (auto* b = std::get_if<bool>(&v)) {
    out += *b ? '\4' : '\3';
  } else if (auto* d = std::get_if<Decimal>(&v)) {
    out += '\5';
    put(out, static_cast<uint64_t>(d->hi));
    put(out, d->lo);
    put(out, static_cast<uint64_t>(d->scale));
  } else {
    out += '\0';
  }
}

inline void put_row(std::string& out, const Row& row) {
  put(out, row.size());
  for (const Value& v : row) put_value(out, v);
}

// Returns the 1-based rank of v among the sorted, unique `domain`; 0 stays 0.
inline uint64_t rank(const std::vector<uint64_t>& domain, uint64_t v) {
  if (v == 0) return 0;
  return static_cast<uint64_t>(std::lower_bound(domain.begin(), domain.end(), v) - domain.begin()) +
         1;
}

inline void sort_unique(std::vector<uint64_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

inline bool done(const Request& q) {
  return q.state == RunState::kDone;
}

}  // namespace ccsim::key_bytes
