// The set of state keys the explorer has seen, each with a dense id: keys
// are stored end to end in one arena and found through an open-addressing
// table of ids, so a state costs its key's bytes plus a few words.
//
// Deterministic: the hash is fixed (no per-process seed), so ids are given
// in the order keys are first inserted, on every run and every machine.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace ccsim {

class KeyTable {
 public:
  static constexpr uint32_t kMissing = 0xffffffffu;

  // Returns the id of `key`, adding it (with the next id) when it is new;
  // *added says which.
  uint32_t insert(std::string_view key, bool* added);
  // Returns the id of `key`, or kMissing.
  uint32_t find(std::string_view key) const;
  std::string_view key(uint32_t id) const;
  size_t size() const { return offsets_.size() - 1; }
  // Bytes held (arena, offsets and table), for the memory limit.
  size_t bytes() const;

 private:
  void grow();
  uint32_t probe(std::string_view key, uint64_t hash) const;

  std::vector<char> arena_;
  std::vector<uint64_t> offsets_{0};  // key i is arena_[offsets_[i], offsets_[i + 1])
  std::vector<uint32_t> slots_;       // ids; kMissing = empty
  std::vector<uint32_t> hashes_;      // per id: the low bits of its hash, to skip most compares
};

}  // namespace ccsim
