// The byte helpers of the state key (explore/state_key.h): varints, values
// and rows written into a key, and rank compression. Internal to explore/.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"
#include "engine/request.h"

namespace ccsim::key_bytes {

// ---- bytes -------------------------------------------------------------------

// A growing byte buffer for the parts of a key. Most of a key is written a
// byte at a time, and std::string's push_back is an out-of-line call in
// libstdc++ (its instantiation is extern); here the common case is two
// inline instructions. Memory is kept across clear().
class KeyBuf {
 public:
  void clear() { n_ = 0; }
  size_t size() const { return n_; }
  [[gnu::always_inline]] void push_back(char c) {
    if (n_ == buf_.size()) grow(1);
    buf_[n_++] = c;
  }
  void append(const char* p, size_t k) {
    if (n_ + k > buf_.size()) grow(k);
    if (k) std::memcpy(buf_.data() + n_, p, k);
    n_ += k;
  }
  KeyBuf& operator+=(char c) {
    push_back(c);
    return *this;
  }
  KeyBuf& operator+=(std::string_view s) {
    append(s.data(), s.size());
    return *this;
  }
  KeyBuf& operator+=(const KeyBuf& b) { return *this += b.view(); }
  std::string_view view() const { return {buf_.data(), n_}; }
  operator std::string_view() const { return view(); }
  friend bool operator==(const KeyBuf& a, const KeyBuf& b) { return a.view() == b.view(); }
  friend bool operator<(const KeyBuf& a, const KeyBuf& b) { return a.view() < b.view(); }

 private:
  [[gnu::noinline]] void grow(size_t k) { buf_.resize(std::max<size_t>(64, 2 * (n_ + k))); }
  std::vector<char> buf_;
  size_t n_ = 0;
};

// Out: a KeyBuf, or a std::string (the few keys written once).
template <class Out>
[[gnu::always_inline]] inline void put(Out& out, uint64_t v) {
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

template <class Out>
inline void put_text(Out& out, const std::string& s) {
  put(out, s.size());
  out += s;
}

template <class Out>
inline void put_value(Out& out, const Value& v) {
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

template <class Out>
inline void put_row(Out& out, const Row& row) {
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
