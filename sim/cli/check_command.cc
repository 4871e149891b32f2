// ccsim check: evaluates the expectations written in scenarios (and specs
// with an expected output) for CI.
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "report/check_report.h"

namespace ccsim {

namespace {

struct CheckOptions {
  std::vector<std::string> paths;
  std::string junit;
  std::string format = "text";
  size_t input_bytes_max = kInputBytesMax;
};

int check(const CheckOptions& o) {
  // Load everything first: a bad file stops the check before anything runs.
  std::vector<CheckInput> inputs;
  for (const std::string& path : expand_check_paths(o.paths))
    inputs.push_back(load_check_input(path, o.input_bytes_max));
  std::vector<CheckFile> files;
  for (const CheckInput& in : inputs) files.push_back(run_checks(in));
  if (!o.junit.empty()) {
    std::ofstream f(o.junit, std::ios::binary);
    f << render_junit(files);
    if (!f) throw InputError(SourcePos{o.junit, 0, 0}, "cannot write the JUnit report");
  }
  std::cout << (o.format == "json" ? render_check_json(files) : render_check_text(files));
  for (const CheckFile& f : files)
    for (const CheckCase& c : f.cases)
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
  cmd->add_option("--input-bytes-max", o->input_bytes_max,
                  "Refuse scenario and spec files larger than this")
      ->check(CLI::Range(size_t{1}, size_t{1} << 30))
      ->capture_default_str();
  cmd->callback([o, &chosen] { chosen = [o] { return check(*o); }; });
}

}  // namespace ccsim
