// Strong id types shared by every module of ccsim.
//
// Each id is a distinct type so a transaction id can never be passed where a
// request id is expected. Ids are plain values: cheap to copy, totally ordered,
// hashable. Value 0 of TxnId and VersionId means "none".
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace ccsim {

template <class Tag>
struct Id {
  uint32_t value = 0;
  constexpr auto operator<=>(const Id&) const = default;
  // Returns true when the id names something (is not the "none" value 0).
  constexpr explicit operator bool() const { return value != 0; }
};

using RequestId = Id<struct RequestTag>;  // index into World::requests
using TxnId = Id<struct TxnTag>;          // 1-based; 0 = no transaction
using VersionId = Id<struct VersionTag>;  // 1-based; 0 = no version
using RowId = Id<struct RowTag>;          // 0-based index into Store::rows
using TableId = Id<struct TableTag>;      // 0-based index into Store::tables

// The owner of the transactions that setup statements ran in: no request.
inline constexpr RequestId kNoRequest{0xffffffffu};

// An advisory lock's key: one bigint (pg_advisory_lock(bigint)), or two
// ints (pg_advisory_lock(int, int)), which PostgreSQL keeps in a key space
// of its own: (1, 2) is not the bigint 4294967298 that has the same bits.
struct AdvisoryKey {
  int64_t bits = 0;  // a pair: the first int in the high 32 bits, as the lock tag has them
  bool pair = false;
  constexpr auto operator<=>(const AdvisoryKey&) const = default;
  static constexpr AdvisoryKey of_pair(int32_t first, int32_t second) {
    return {static_cast<int64_t>(uint64_t{static_cast<uint32_t>(first)} << 32 |
                                 uint64_t{static_cast<uint32_t>(second)}),
            true};
  }
  constexpr int32_t first() const {
    return static_cast<int32_t>(static_cast<uint64_t>(bits) >> 32);
  }
  constexpr int32_t second() const { return static_cast<int32_t>(static_cast<uint64_t>(bits)); }
};

}  // namespace ccsim

template <class Tag>
struct std::hash<ccsim::Id<Tag>> {
  size_t operator()(const ccsim::Id<Tag>& id) const noexcept {
    return std::hash<uint32_t>{}(id.value);
  }
};
