// The exact accounting of `ccsim load`: what the final rows must be, given
// which requests committed, and how many updates were lost.
//
// Each request of the scenario, run alone by the simulator on the initial
// rows, changes the followed cells (the scenario's `show` columns, or every
// integer column outside the primary key when it shows none) by a fixed
// amount: its delta. After a load run,
//
//     final = initial + Σ (delta of each committed request) − lost
//
// cell by cell; `lost` is read off the final rows the server returns. When
// every request changes one cell by the same amount d, the lost value
// divided by d is the number of lost updates.
//
// `--rows K` copies each row a request argument names by its primary key
// K - 1 times (new keys after the table's largest), and client c works on
// copy c mod K (copy 0 is the original row).
//
// Pure: the simulator only; the driver (load/driver.h) does the I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scenario/scenario.h"

namespace ccsim {

// A followed cell: one column of the row with this primary key.
struct CellId {
  std::string table;
  std::string key_column;
  int64_t key = 0;
  std::string column;
  auto operator<=>(const CellId&) const = default;
};

// A request argument that is a row's primary key, and the keys of its copies.
struct RowArgument {
  std::string table;
  std::string key_column;
  int64_t key = 0;                 // the original row's (copy 0)
  std::vector<int64_t> copy_keys;  // copies 1 .. K-1
  // The key client copy j works on.
  int64_t key_of_copy(size_t j) const { return j == 0 ? key : copy_keys[j - 1]; }
};

struct LoadPlan {
  size_t prototypes = 0;                         // the scenario's requests
  std::vector<CellId> cells;                     // followed cells of the original rows, sorted
  std::map<CellId, int64_t> initial;             // their values before any request
  std::vector<std::map<CellId, int64_t>> delta;  // per prototype: its change, run alone
  std::vector<std::string> alone_fate;  // per prototype: how it ended alone ("committed"...)
  std::vector<RowArgument> row_args;    // rows the requests name by key
  size_t rows = 1;
  // The common delta when every prototype changes one cell by the same
  // nonzero amount; lost updates are counted in it.
  std::optional<int64_t> unit;
  // Why lost updates cannot be counted for this mitigation (empty: they
  // can): the scenario follows no integer cell, or its requests run one
  // after another do not leave initial + the sum of their changes alone.
  std::string not_countable;
  // Server statements that make the row copies (after the setup).
  std::vector<std::string> copy_sql;

  // The arguments client c runs with: prototype c mod prototypes, each row
  // argument moved to copy c mod rows.
  Vars client_args(const Scenario& s, size_t c) const;
  // Cell `cell` of the original row moved to copy j.
  CellId on_copy(const CellId& cell, size_t j) const;
  // Every followed cell over all copies, sorted.
  std::vector<CellId> all_cells() const;
  // Adds client c's request's delta (on its copy) to `sum`, `times` times: the
  // number of its requests that committed.
  void add_committed(size_t c, std::map<CellId, int64_t>& sum, int64_t times = 1) const;
  // Per prototype: (argument name, index in row_args) of its row arguments.
  std::vector<std::vector<std::pair<std::string, size_t>>> arg_rows;
};

// Plans a load run of mitigation m with `rows` hot rows. Throws InputError
// (naming `rows_pos`) when rows > 1 and no request argument is a row's key.
LoadPlan plan_load(const Scenario& s, const Mitigation& m, Isolation iso, size_t rows,
                   const SourcePos& rows_pos);

// What a load run's rows say.
struct CellCount {
  CellId cell;
  int64_t initial = 0;
  int64_t committed_delta = 0;   // Σ deltas of the committed requests
  std::optional<int64_t> final;  // as read from the server; none when unknown
  int64_t expected() const { return initial + committed_delta; }
};

struct Accounting {
  std::vector<CellCount> cells;
  std::optional<int64_t> lost_value;    // Σ (expected − final); none when a final is unknown
  std::optional<int64_t> lost_updates;  // lost_value / unit, when that is whole
};

// The accounting of a run: `committed_delta` summed by add_committed(),
// `final_values` the followed cells read from the server (final_known false
// when they could not be read).
Accounting account(const LoadPlan& p, const std::map<CellId, int64_t>& committed_delta,
                   const std::map<CellId, int64_t>& final_values, bool final_known);

}  // namespace ccsim
