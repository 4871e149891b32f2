// ccsim describe: one mitigation for people - what it does, how it fails, the
// code it models, its steps, and what it does in each built-in scenario.
#include <algorithm>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "report/mitigation_page.h"
#include "report/text.h"

namespace ccsim {

namespace {

struct DescribeOptions {
  std::string name;
  std::string format = "text";
};

// The levels at which a scenario's expectations speak of mitigation `m`:
// the scenario's own first, then the others in the order they appear.
std::vector<Isolation> levels_for(const Scenario& s, const std::string& m) {
  std::vector<Isolation> out{s.isolation};
  for (const Expectation& e : s.expectations)
    if (e.mitigation == m && e.isolation &&
        std::find(out.begin(), out.end(), *e.isolation) == out.end())
      out.push_back(*e.isolation);
  return out;
}

int describe(const DescribeOptions& o) {
  std::vector<Mitigation> all = builtin_mitigations();
  auto it =
      std::find_if(all.begin(), all.end(), [&](const Mitigation& m) { return m.name == o.name; });
  // Not in the library: a program of a built-in scenario's own (get_or_create's
  // merge_create), the first scenario that has it describing it.
  std::optional<Mitigation> own;
  if (it == all.end()) {
    std::string owned;
    for (const std::string& name : builtin_scenarios()) {
      Scenario s = load_scenario(name);
      for (const Mitigation& m : s.mitigations) {
        if (std::any_of(all.begin(), all.end(),
                        [&](const Mitigation& b) { return b.name == m.name; }))
          continue;
        if (m.name == o.name && !own) own = m;
        owned += (owned.empty() ? "" : ", ") + m.name + " (" + name + ")";
      }
    }
    if (!own) {
      std::string known;
      for (const Mitigation& m : all) known += (known.empty() ? "" : ", ") + m.name;
      throw InputError(SourcePos{o.name, 0, 0}, "no built-in mitigation of that name (built in: " +
                                                    known + "; scenarios' own: " + owned + ")");
    }
  }
  const Mitigation& described = own ? *own : *it;
  std::vector<PageRun> runs;
  for (const std::string& name : builtin_scenarios()) {
    Scenario s = load_scenario(name);
    const Mitigation* m = s.find(o.name);
    if (!m) continue;
    for (Isolation iso : levels_for(s, o.name)) {
      RunOptions ro;
      ro.mitigations = {o.name};
      ro.isolation = iso;
      std::vector<MitigationRun> r = simulate(s, ro);
      TextOptions t;
      t.trace = false;
      bool other = iso != s.isolation;
      runs.push_back(PageRun{name + " at " + to_sql(iso),
                             "ccsim run " + name + " --mitigation " + o.name +
                                 (other ? std::string(" --isolation ") + option_name(iso) : "") +
                                 " --summary",
                             render_text(s, r, t)});
    }
  }
  // The library's copy (a scenario may override it) describes the mitigation.
  std::cout << mitigation_page(described, runs, o.format == "markdown");
  return 0;
}

}  // namespace

void setup_describe(CLI::App& app, Action& chosen) {
  auto o = std::make_shared<DescribeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "describe",
      "Describe a built-in mitigation, or a built-in scenario's own program: what it does, how\n"
      "it fails, the Django code it models, its steps, and a run of each built-in scenario\n"
      "that uses it.");
  cmd->add_option("mitigation", o->name,
                  "Name of a built-in mitigation (see 'ccsim list') or of a scenario's own program")
      ->required();
  cmd->add_option("--format", o->format, "Output format (markdown: the page in docs/mitigations/)")
      ->check(CLI::IsMember({"text", "markdown"}))
      ->capture_default_str();
  cmd->callback([o, &chosen] { chosen = [o] { return describe(*o); }; });
}

}  // namespace ccsim
