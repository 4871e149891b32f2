// ccsim serve: the classroom in a browser. Serves the built-in scenarios (and
// the file given, first) at http://127.0.0.1:8080/ until Ctrl-C.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "scenario/scenario.h"
#include "serve/server.h"

namespace ccsim {

namespace {

struct ServeFlags {
  std::string scenario;
  ServeOptions options;
  size_t schedule_max = ServeLimits{}.schedule_max;
};

int serve_command(const ServeFlags& f) {
  std::vector<std::pair<std::string, Scenario>> served;
  if (!f.scenario.empty()) served.emplace_back(f.scenario, load_scenario(f.scenario));
  for (const std::string& name : builtin_scenarios())
    if (name != f.scenario) served.emplace_back(name, load_scenario(name));
  ServeLimits limits;
  limits.schedule_max = f.schedule_max;
  Api api(std::move(served), limits);
  serve(api, f.options, [](const std::string& url) {
    std::cout << "listening on " << url << std::endl;
    std::cerr << "Open it in a browser; Ctrl-C stops the server.\n";
  });
  return 0;
}

}  // namespace

void setup_serve(CLI::App& app, Action& chosen) {
  auto f = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "The classroom in a browser: pick a scenario and a mitigation, move the requests one\n"
      "step at a time, and watch memory, rows and locks. Serves on 127.0.0.1:8080 until\n"
      "Ctrl-C; the first line printed is the address. The page's address holds the whole\n"
      "state, so a link reproduces the exact moment (docs/serve.md).");
  cmd->add_option("scenario", f->scenario,
                  "A scenario file (.toml) to serve first; the built-in scenarios are always "
                  "served");
  cmd->add_option("--bind", f->options.bind,
                  "Address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 lets "
                  "the classroom's laptops in)");
  cmd->add_option("--port", f->options.port, "Port (default 8080; 0 picks a free one)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--schedule-max", f->schedule_max,
                  "Most moves one page may ask for (default 1000)")
      ->check(CLI::Range(1, 100000));
  cmd->callback([f, &chosen] { chosen = [f] { return serve_command(*f); }; });
}

}  // namespace ccsim
