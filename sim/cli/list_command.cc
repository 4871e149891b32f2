// ccsim list: the built-in scenarios and mitigations, one line each.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "report/json.h"
#include "report/text.h"
#include "scenario/scenario.h"

namespace ccsim {

void setup_list(CLI::App& app, Action& chosen) {
  auto format = std::make_shared<std::string>("text");
  CLI::App* cmd =
      app.add_subcommand("list", "List the built-in scenarios and mitigations, one line each");
  cmd->add_option("--format", *format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->callback([format, &chosen] {
    chosen = [format] {
      std::vector<std::string> scenarios = builtin_scenarios();
      std::vector<Mitigation> mitigations = builtin_mitigations();
      if (*format == "json") {
        std::cout << render_list_json(scenarios, mitigations);
        return 0;
      }
      std::vector<std::vector<std::string>> rows{{"scenario", "title"}};
      for (const std::string& n : scenarios) rows.push_back({n, load_scenario(n).title});
      std::cout << table(rows) << "\n";
      rows = {{"mitigation", "what it does", "how it fails"}};
      for (const Mitigation& m : mitigations) rows.push_back({m.name, m.summary, m.failure});
      std::cout << table(rows);
      return 0;
    };
  });
}

}  // namespace ccsim
