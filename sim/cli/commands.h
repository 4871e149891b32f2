// The ccsim commands. Each file registers one subcommand: its options, and
// the function that runs it and returns the exit code (0 done, 1 an
// expectation failed). main() maps errors to exit code 2.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace ccsim {

using Action = std::function<int()>;

// Each adds its subcommand to `app`; when the subcommand is chosen, `chosen`
// is set to the function that runs it.
void setup_run(CLI::App& app, Action& chosen);
void setup_list(CLI::App& app, Action& chosen);
void setup_verify(CLI::App& app, Action& chosen);
void setup_check(CLI::App& app, Action& chosen);
void setup_describe(CLI::App& app, Action& chosen);
void setup_explore(CLI::App& app, Action& chosen);
void setup_step(CLI::App& app, Action& chosen);
void setup_merge(CLI::App& app, Action& chosen);
void setup_load(CLI::App& app, Action& chosen);
void setup_serve(CLI::App& app, Action& chosen);

// True when colour should be used on stdout: a terminal, NO_COLOR unset.
bool stdout_wants_color();

// A limit in seconds given on the command line (--max-seconds): a plain
// decimal number from 0 to `max`, NaN and infinities refused. Returns the
// complaint, or an empty string when `text` is one.
std::string seconds_complaint(const std::string& text, double max);

// The Levenshtein distance between a and b (for "did you mean").
size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace ccsim
