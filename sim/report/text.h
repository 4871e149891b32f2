// Text output for people: the narrated trace of each mitigation and a final
// table of balances and verdicts (docs/trace_format.md). Pure: returns a
// string; the CLI decides where it goes and whether colour is wanted.
#pragma once

#include <string>
#include <vector>

#include "engine/frame.h"
#include "scenario/simulate.h"

namespace ccsim {

struct TextOptions {
  bool color = false;  // ANSI colour for verdicts
  bool trace = true;   // false: only the summary table
  bool dim = true;     // with colour: the memory, rows and locks lines dimmed
  size_t wrap = 0;     // lines longer than this wrap at blanks (0: never)
};

std::string render_text(const Scenario& s, const std::vector<MitigationRun>& runs,
                        const TextOptions& o);

// Returns one scheduled step as the trace prints it: its events, then the
// memory, rows, locks (and SSI) lines of the frame after it. `w` is any
// world of the run (names and programs are read from it).
std::string trace_entry_text(const Scenario& s, const World& w, const Log& log, const TraceEntry& t,
                             const TextOptions& o);

// Returns the memory, rows, locks (and SSI) lines of a frame, as the trace
// prints them after each step.
std::string frame_text(const Scenario& s, const Frame& f, const TextOptions& o);

// Returns each line of `text` broken at blanks so none is wider than
// `width` columns where a blank allows; continuation lines start with
// `hang` blanks. width 0: text as it is.
std::string wrap(const std::string& text, size_t width, size_t hang);

// Each request's memory before each step of a run, for pictures that show
// the values a statement was sent with: its arguments before the first
// step, then what the frame after each step says.
class MemoryBefore {
 public:
  using Memory = std::vector<std::pair<std::string, Value>>;
  explicit MemoryBefore(const World& w);
  const Memory& of(RequestId r) const { return memory_[r.value]; }
  // Takes the memory of the frame after a step, for the next one.
  void after(const Frame& f);

 private:
  std::vector<std::string> names_;
  std::vector<Memory> memory_;
};

// The statement with the values its parameters had when it was sent
// ("SET points = 110", not "SET points = :points"). INTO targets, text in
// quotes and parameters not in memory stay as written.
std::string with_values(const std::string& sql, const MemoryBefore::Memory& vars);

// The parameters a statement sends and their values, in order, each once:
// ":points = 110, :user_id = 1" (INTO targets excluded); empty when none.
std::string parameter_values(const std::string& sql, const MemoryBefore::Memory& vars);

// Returns text with `pad` before each non-empty line.
std::string indent(const std::string& text, const std::string& pad);

// Returns s escaped for XML and HTML text and attributes (&, <, >, " and ');
// control characters XML 1.0 forbids become '?'.
std::string xml_escape(const std::string& s);

// Returns rows as an aligned table with a header row and a rule under it.
std::string table(const std::vector<std::vector<std::string>>& rows);

}  // namespace ccsim
