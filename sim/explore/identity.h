// Request identities as data: when may the explorer treat :request_id as a
// name rather than a number?
//
// Requests that differ only in :request_id (each request's own number) are
// interchangeable when the programs use it as an identity and nothing else:
// they store it in a column, compare such a column with it for equality, or
// test the column for NULL, and never compute with it, order by it, read
// it into a variable or compare it with anything else. Then renaming two
// requests and swapping the numbers stored in those columns gives a state
// with the same future (a "scalarset", in model-checking terms). The state
// key then names a stored identity by the position of its request in the
// key (explore/state_key.h), and `singleton_lock`, whose lock row holds the
// number of the request that has it, gets the symmetry reduction.
//
// The analysis is conservative: any use it does not recognise leaves the
// requests told apart by :request_id, as before. Pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/world.h"

namespace ccsim {

struct IdentityColumns {
  // True when :request_id may be treated as a name (see above).
  bool usable = false;
  // columns[t]: for table t of the initial store, the indexes of its
  // columns that hold identities, sorted (empty for most tables).
  std::vector<std::vector<int>> columns;

  bool holds_identity(size_t table, size_t column) const;
};

// Reads the programs of `initial`'s requests and its committed data.
IdentityColumns find_identity_columns(const World& initial);

// True when a committed row of w holds the identity of a request that is
// interchangeable with another (class_of as StateEncoder::class_of()):
// outcomes are told apart by their rows, so such an end state must not be
// merged with its renamings.
bool rows_name_requests(const World& w, const IdentityColumns& ids,
                        const std::vector<uint32_t>& class_of);

}  // namespace ccsim
