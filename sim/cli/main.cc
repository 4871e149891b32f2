// ccsim's entry point: registers the commands and maps outcomes to exit codes
// (0 done, 1 an expectation failed, 2 bad usage or bad input).
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "core/error.h"
#include "lang/eval.h"
#include "pg/options.h"

namespace ccsim {

bool stdout_wants_color() {
  const char* no = std::getenv("NO_COLOR");
  return isatty(STDOUT_FILENO) && !(no && *no);
}

}  // namespace ccsim

int main(int argc, char** argv) {
  CLI::App app{
      "ccsim replays the lost-update race of a read-modify-write view step by step against a\n"
      "simulated PostgreSQL, under each mitigation, and shows which fixes work and why."};
  app.name("ccsim");
  app.require_subcommand(1, 1);
  app.footer("Run 'ccsim COMMAND --help' for a command's options. Docs: docs/ in the repository.");
  ccsim::Action action;
  ccsim::setup_run(app, action);
  ccsim::setup_explore(app, action);
  ccsim::setup_merge(app, action);
  ccsim::setup_step(app, action);
  ccsim::setup_check(app, action);
  ccsim::setup_verify(app, action);
  ccsim::setup_list(app, action);
  ccsim::setup_describe(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "ccsim: error: " << e.what() << "\nRun 'ccsim --help' for usage.\n";
    return 2;
  }
  try {
    return action();
  } catch (const ccsim::InputError& e) {
    std::cout.flush();
    std::cerr << "ccsim: " << e.what() << "\n";
    return 2;
  } catch (const ccsim::PgError& e) {
    std::cout.flush();
    std::cerr << "ccsim: error: " << e.what() << "\n";
    return 2;
  } catch (const ccsim::SqlError& e) {
    std::cerr << "ccsim: error: " << e.what() << " (SQLSTATE " << e.sqlstate() << ")\n";
    return 2;
  }
}
