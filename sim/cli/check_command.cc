// ccsim check: evaluates the expectations written in scenarios (and specs
// with an expected output) for CI.
#include <chrono>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "report/expectation_report.h"

namespace ccsim {

namespace {

struct CheckOptions {
  std::vector<std::string> paths;
  std::string junit;
  std::string format = "text";
  size_t input_bytes_max = kInputBytesMax;
  size_t requests = 0;
  size_t states_max = 20'000'000;
  double seconds_max = 0;
};

int check(const CheckOptions& o) {
  // Load everything first: a bad file stops the check before anything runs.
  std::vector<Input> inputs;
  for (const std::string& path : expand_inputs(o.paths))
    inputs.push_back(load_input(path, o.input_bytes_max));
  std::vector<ExpectationFile> files;
  ExpectationSettings settings;
  settings.requests = o.requests;
  settings.limits.states_max = o.states_max;
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  if (o.seconds_max > 0)
    settings.keep_going = [start, &o] {
      return std::chrono::duration<double>(Clock::now() - start).count() < o.seconds_max;
    };
  for (const Input& in : inputs) files.push_back(evaluate_expectations(in, settings));
  if (!o.junit.empty()) {
    std::ofstream f(o.junit, std::ios::binary);
    f << render_junit(files);
    if (!f) throw InputError(SourcePos{o.junit, 0, 0}, "cannot write the JUnit report");
  }
  std::cout << (o.format == "json" ? render_check_json(files) : render_check_text(files));
  for (const ExpectationFile& f : files)
    for (const ExpectationCase& c : f.cases)
      if (!c.failures.empty()) return 1;
  return 0;
}

}  // namespace

void setup_check(CLI::App& app, Action& chosen) {
  auto o = std::make_shared<CheckOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Evaluate the expectations written in scenarios (and specs that have an expected output):\n"
      "one line per failure with the command that replays it, then \"N passed, M failed\".\n"
      "Exit 0 when all hold, 1 when one fails, 2 on bad input (nothing is run then).");
  cmd->add_option("paths", o->paths,
                  "Scenario files, .spec files, or folders (searched recursively)")
      ->required();
  cmd->add_option("--junit", o->junit, "Also write JUnit XML to this file");
  cmd->add_option("--format", o->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--requests", o->requests,
                  "Check each scenario with this many requests (its list repeated): only its\n"
                  "every_interleaving claims, which hold for any number of requests, are checked")
      ->check(CLI::Range(size_t{1}, kRequestsMax));
  cmd->add_option(
         "--max-states", o->states_max,
         "Stop each exploration behind an every_interleaving claim after this many states;\n"
         "a never_fails claim whose exploration stopped fails")
      ->check(CLI::Range(size_t{1}, size_t{4'000'000'000}))
      ->capture_default_str();
  cmd->add_option("--max-seconds", o->seconds_max,
                  "Stop exploring after this many seconds in all (0: no limit)")
      ->check(CLI::Validator([](std::string& v) { return seconds_complaint(v, 1e9); }, "0 to 1e9",
                             "seconds"));
  cmd->add_option("--input-bytes-max", o->input_bytes_max,
                  "Refuse scenario and spec files larger than this")
      ->check(CLI::Range(size_t{1}, size_t{1} << 30))
      ->capture_default_str();
  cmd->callback([o, &chosen] { chosen = [o] { return check(*o); }; });
}

}  // namespace ccsim
