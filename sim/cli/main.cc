// ccsim's entry point: registers the commands and maps outcomes to exit codes
// (0 done, 1 an expectation failed, 2 bad usage or bad input).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
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

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string seconds_complaint(const std::string& text, double max) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [stop, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || stop != end || !std::isfinite(v) || v < 0 || v > max)
    return "expected a number of seconds from 0 to " + std::to_string(static_cast<int64_t>(max)) +
           ", not '" + text + "'";
  return "";
}

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
  ccsim::setup_load(app, action);
  ccsim::setup_step(app, action);
  ccsim::setup_serve(app, action);
  ccsim::setup_check(app, action);
  ccsim::setup_verify(app, action);
  ccsim::setup_list(app, action);
  ccsim::setup_describe(app, action);
  app.set_version_flag("--version", std::string("ccsim ") + CCSIM_VERSION);
  // A first word that names no command gets a suggestion, not CLI11's
  // "A subcommand is required".
  if (argc > 1 && argv[1][0] != '-') {
    std::string word = argv[1];
    std::string nearest;
    size_t best = 3;  // suggest only within two edits
    for (const CLI::App* sub : app.get_subcommands({})) {
      size_t d = ccsim::edit_distance(word, sub->get_name());
      if (d == 0) {
        nearest.clear();
        best = 0;
        break;
      }
      if (d < best) best = d, nearest = sub->get_name();
    }
    if (best != 0) {
      std::cerr << "ccsim: error: unknown command '" << word << "'"
                << (nearest.empty() ? "" : "; did you mean '" + nearest + "'?")
                << "\nRun 'ccsim --help' for the commands.\n";
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
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
