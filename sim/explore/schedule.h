// Schedules: which request takes the next step. A schedule is data: the
// policy "round-robin", "random" with a seed, or an explicit list of request
// names ("A B A B") that replays strictly.
//
// Strategies only decide; engine/step() applies. An explicit schedule that
// names a request which cannot move is an InputError naming the position.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "engine/world.h"

namespace ccsim {

struct ScheduleSpec {
  enum class Kind { kRoundRobin, kRandom, kExplicit };
  Kind kind = Kind::kRoundRobin;
  uint64_t seed = 0;               // kRandom
  std::vector<std::string> names;  // kExplicit
  std::vector<int> columns;        // kExplicit: column of each name in `text`
  std::string text;                // as written
  SourcePos pos;                   // where `text` was written (file or option)

  // Returns the replay key: "round-robin", "seed 7" or the names joined by spaces.
  std::string key() const;
};

// Most entries in an explicit schedule.
constexpr size_t kScheduleNamesMax = 100000;

// Parses "round-robin" or "A B A B" (names separated by blanks or commas).
// Throws InputError at pos for an empty schedule or a bad character.
ScheduleSpec parse_schedule(const std::string& text, const SourcePos& pos);
ScheduleSpec random_schedule(uint64_t seed);
// Throws InputError at the first entry of an explicit schedule that names
// none of `world`'s requests, before anything runs (a strategy finds it only
// when it gets there).
void check_schedule_names(const ScheduleSpec& spec, const World& world);

// What a strategy sees of one request: enough to choose, nothing to change.
// The simulator and the PostgreSQL replay both describe their requests so.
struct Mover {
  std::string name;
  RunState state = RunState::kReady;
  Fate fate = Fate::kRunning;
  std::vector<std::string> waiting_for;  // whose locks it waits on, when blocked
};

// Returns the movers of an application's requests (simulated or on a server).
std::vector<Mover> movers(const Application& app);

class Strategy {
 public:
  virtual ~Strategy() = default;
  // Returns the index of the request to move at `position` (0-based).
  // REQUIRES: some request is ready. Throws InputError when an explicit
  // schedule cannot be followed.
  virtual size_t pick(const std::vector<Mover>& requests, size_t position) = 0;
  // Returns true when an explicit schedule has no more entries.
  virtual bool exhausted(size_t position) const { return (void)position, false; }
};

// Returns a fresh strategy for a spec.
std::unique_ptr<Strategy> make_strategy(const ScheduleSpec& spec);

}  // namespace ccsim
