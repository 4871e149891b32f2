// `ccsim check`: every expectation written in scenario files, and every
// isolation-tester spec that has an expected-output file, as test cases.
//
// Loading is separate from running so that a bad file stops everything
// before anything runs (exit 2, nothing half-run).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "explore/state_search.h"
#include "scenario/scenario.h"
#include "spec/spec.h"

namespace ccsim {

struct ExpectationCase {
  std::string name;                   // "none under round-robin"
  SourcePos pos;                      // the [[expect]] entry, or the spec file
  std::vector<std::string> failures;  // empty when it passed
  std::string replay;                 // the command that reproduces the run
};

struct ExpectationFile {
  std::string file;
  std::vector<ExpectationCase> cases;
};

// A loaded input: a scenario, or a spec with its expected output (if any).
struct SpecInput {
  SpecFile spec;
  std::optional<std::string> expected;  // contents of expected/NAME.out or NAME.out beside it
  std::string expected_file;
};
using Input = std::variant<Scenario, SpecInput>;

// Expands files and folders (recursively: *.toml and *.spec, sorted; files
// under a folder named "mitigations" are library entries, not scenarios).
// Throws InputError for a path that does not exist, and for a folder with
// nothing to check in it.
std::vector<std::string> expand_inputs(const std::vector<std::string>& paths);

// Loads one file. Throws InputError on bad input.
Input load_input(const std::string& path, size_t bytes_max = kInputBytesMax);

// How `check` runs scenarios beyond what they say.
struct ExpectationSettings {
  // > 0: run each scenario with that many requests (with_request_count()):
  // then only its every_interleaving claims are checked.
  size_t requests = 0;
  // Bounds on the explorations behind every_interleaving claims. A claim
  // that never_fails is never passed by an exploration that stopped.
  SearchLimits limits;
  std::function<bool()> keep_going;  // false: stop exploring (a time limit)
};

// Runs the cases of one loaded input. A file with no expectations yields one
// failing case that says so: nothing passes silently.
ExpectationFile evaluate_expectations(const Input& input, const ExpectationSettings& settings = {});

}  // namespace ccsim
