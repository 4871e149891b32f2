#include "explore/key_table.h"

#include <cstring>

namespace ccsim {

namespace {

uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

// A fixed 64-bit hash of bytes, eight at a time.
uint64_t hash_bytes(std::string_view s) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = mix(h ^ w) + 0x9e3779b97f4a7c15ull;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  return mix(h ^ tail ^ (static_cast<uint64_t>(s.size() - i) << 56));
}

}  // namespace

std::string_view KeyTable::key(uint32_t id) const {
  return std::string_view(arena_.data() + offsets_[id], offsets_[id + 1] - offsets_[id]);
}

size_t KeyTable::bytes() const {
  return arena_.capacity() + offsets_.capacity() * sizeof(uint64_t) +
         slots_.capacity() * sizeof(uint32_t) + hashes_.capacity() * sizeof(uint32_t);
}

uint32_t KeyTable::probe(std::string_view k, uint64_t hash) const {
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint32_t id = slots_[i];
    if (id == kMissing) return static_cast<uint32_t>(i) | 0x80000000u;  // an empty slot
    if (hashes_[id] == static_cast<uint32_t>(hash >> 32) && key(id) == k) return id;
  }
}

uint32_t KeyTable::find(std::string_view k) const {
  if (slots_.empty()) return kMissing;
  uint32_t got = probe(k, hash_bytes(k));
  return (got & 0x80000000u) ? kMissing : got;
}

void KeyTable::grow() {
  std::vector<uint32_t> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, kMissing);
  size_t mask = slots_.size() - 1;
  for (uint32_t id = 0; id < size(); ++id) {
    size_t i = hash_bytes(key(id)) & mask;
    while (slots_[i] != kMissing) i = (i + 1) & mask;
    slots_[i] = id;
  }
}

uint32_t KeyTable::insert(std::string_view k, bool* added) {
  if ((size() + 1) * 2 > slots_.size()) grow();
  uint64_t h = hash_bytes(k);
  uint32_t got = probe(k, h);
  if (!(got & 0x80000000u)) {
    *added = false;
    return got;
  }
  uint32_t id = static_cast<uint32_t>(size());
  slots_[got & 0x7fffffffu] = id;
  arena_.insert(arena_.end(), k.begin(), k.end());
  offsets_.push_back(arena_.size());
  hashes_.push_back(static_cast<uint32_t>(h >> 32));
  *added = true;
  return id;
}

}  // namespace ccsim
