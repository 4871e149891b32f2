#include "scenario/expectations.h"
#include "scenario/files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "scenario/exploration.h"
#include "scenario/simulate.h"
#include "spec/tester_output.h"

namespace ccsim {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& end) {
  return s.size() >= end.size() && s.compare(s.size() - end.size(), end.size(), end) == 0;
}

std::string display_path(const std::string& file) {
  return file.substr(0, file.find(" (built in)"));
}

}  // namespace

std::vector<std::string> expand_inputs(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(p, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file()) continue;
        std::string f = it->path().string();
        bool library = false;
        for (const auto& part : it->path().parent_path()) library |= part == "mitigations";
        if (!library && (ends_with(f, ".toml") || is_spec_path(f))) found.push_back(f);
      }
      // A folder with nothing to check is a mistake (a CI job pointed at the
      // wrong place), never a pass.
      if (found.empty())
        throw InputError(
            SourcePos{p, 0, 0},
            "no scenario (.toml) or spec (.spec) file in this folder: nothing to check");
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      out.push_back(p);
    } else {
      throw InputError(SourcePos{p, 0, 0}, "no such file or folder");
    }
  }
  return out;
}

Input load_input(const std::string& path, size_t bytes_max) {
  if (!is_spec_path(path)) return load_scenario(path, bytes_max);
  SpecInput in{load_spec(path, bytes_max), std::nullopt, ""};
  fs::path p(path);
  for (fs::path candidate : {p.parent_path() / "expected" / (p.stem().string() + ".out"),
                             p.parent_path() / (p.stem().string() + ".out")}) {
    std::error_code ec;
    if (!fs::is_regular_file(candidate, ec)) continue;
    std::ifstream f(candidate, std::ios::binary);
    std::ostringstream ss;
    ss << f.rdbuf();
    in.expected = ss.str();
    in.expected_file = candidate.string();
    break;
  }
  return in;
}

ExpectationFile evaluate_expectations(const Input& input, const ExpectationSettings& settings) {
  const size_t requests = settings.requests;
  ExpectationFile out;
  if (const auto* spec_in = std::get_if<SpecInput>(&input)) {
    out.file = spec_in->spec.file;
    ExpectationCase c{
        "isolation-tester output", SourcePos{out.file, 0, 0}, {}, "ccsim run " + out.file};
    if (!spec_in->expected) {
      c.name = "no expectations";
      c.failures.push_back(
          "no expected output: put PostgreSQL's isolationtester output in expected/" +
          fs::path(out.file).stem().string() + ".out beside the spec");
    } else if (std::string got = run_spec(spec_in->spec, Isolation::kReadCommitted);
               got != *spec_in->expected) {
      c.failures.push_back("the output differs from " + spec_in->expected_file +
                           " (diff it with: " + c.replay + ")");
    }
    out.cases.push_back(std::move(c));
    return out;
  }
  const Scenario& own = std::get<Scenario>(input);
  const size_t own_requests = own.requests.size();
  const Scenario s = requests ? with_request_count(own, requests) : own;
  out.file = s.file;
  if (s.expectations.empty()) {
    std::string why =
        own.expectations.empty()
            ? "the scenario states no [[expect]]: nothing to check (docs/scenario_format.md)"
            : "with --requests " + std::to_string(requests) +
                  " only every_interleaving claims are checked, and the scenario states none";
    out.cases.push_back(ExpectationCase{
        "no expectations", SourcePos{s.file, 0, 0}, {why}, "ccsim run " + display_path(s.file)});
    return out;
  }
  // One run per (mitigation, schedule, level), shared by the expectations about it.
  std::map<std::tuple<std::string, std::string, Isolation>, MitigationRun> runs;
  for (const Expectation& e : s.expectations) {
    Isolation iso = e.isolation.value_or(s.isolation);
    bool other_level = iso != s.isolation;
    std::string level_flag = other_level ? std::string(" --isolation ") + option_name(iso) : "";
    if (e.every_interleaving) {
      // A claim about all schedules: explore this mitigation at that level.
      // Only which outcomes are reachable matters, not how often.
      ExploreOptions o;
      o.mitigations = {e.mitigation};
      o.isolation = iso;
      o.verdicts_only = true;
      o.limits = settings.limits;
      o.keep_going = settings.keep_going;
      Exploration x = explore_scenario(s, o).front();
      const ExploredOutcome* bad = nullptr;
      for (const ExploredOutcome& oc : x.outcomes)
        if (!oc.ok() && !bad) bad = &oc;
      std::string requests_flag = s.requests.size() == own_requests
                                      ? ""
                                      : " --requests " + std::to_string(s.requests.size());
      std::vector<std::string> failures;
      if (*e.every_interleaving == "never_fails" && bad) {
        std::string sch;
        for (const std::string& n : bad->shortest) sch += (sch.empty() ? "" : " ") + n;
        failures.push_back("can go wrong: " + bad->verdict() + " (replay: ccsim run " +
                           display_path(s.file) + " --mitigation " + e.mitigation + requests_flag +
                           " --schedule \"" + sch + "\"" + level_flag + ")");
      } else if (*e.every_interleaving == "never_fails" && !x.complete) {
        // Never claim more than was checked.
        failures.push_back("no failure in the states explored, but the exploration stopped at " +
                           x.stopped + ": not every interleaving was checked");
      } else if (*e.every_interleaving == "can_fail" && !bad) {
        failures.push_back(x.complete ? "never goes wrong in any interleaving, expected some to"
                                      : "no failure in the states explored (stopped at " +
                                            x.stopped + "), expected some interleaving to fail");
      }
      out.cases.push_back(ExpectationCase{
          e.mitigation + " over every interleaving" +
              (other_level ? std::string(" at ") + option_name(iso) : "") +
              (requests_flag.empty() ? ""
                                     : " of " + std::to_string(s.requests.size()) + " requests"),
          e.pos, failures,
          "ccsim explore " + display_path(s.file) + " --mitigation " + e.mitigation +
              requests_flag + level_flag});
      continue;
    }
    auto key = std::make_tuple(e.mitigation, e.schedule, iso);
    if (!runs.count(key)) {
      RunOptions o;
      o.mitigations = {e.mitigation};
      o.schedule = e.schedule_spec;
      o.isolation = iso;
      runs.emplace(key, std::move(simulate(s, o).front()));
    }
    const MitigationRun& m = runs.at(key);
    out.cases.push_back(
        ExpectationCase{e.mitigation + " under " + e.schedule +
                            (other_level ? std::string(" at ") + option_name(iso) : ""),
                        e.pos, check_expectation(e, m),
                        "ccsim run " + display_path(s.file) + " --mitigation " + e.mitigation +
                            " --schedule \"" + m.run.schedule_text() + "\"" +
                            (other_level ? std::string(" --isolation ") + option_name(iso) : "")});
  }
  return out;
}

}  // namespace ccsim
