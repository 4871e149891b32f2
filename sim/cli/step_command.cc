// ccsim step: classroom mode. One mitigation, one step per Enter: before each
// step it says who moves next and what that step models; after it, what
// happened and the memory, rows and locks. A request's name moves that
// request instead; q stops. At the end: the fates, the verdict, and the
// command that replays the run.
#include <unistd.h>

#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/replay_flags.h"
#include "report/summary.h"
#include "report/text.h"

namespace ccsim {

namespace {

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

// Why request q cannot move, in words.
std::string why_not(const World& w, const Request& q) {
  if (q.state == RunState::kDone) return q.name + " has finished (" + to_string(q.fate) + ")";
  std::vector<std::string> holders;
  for (const Mover& m : movers(w))
    if (m.name == q.name) holders = m.waiting_for;
  std::string who;
  for (const std::string& h : holders) who += (who.empty() ? "" : " and ") + h;
  return q.name + " is waiting" + (who.empty() ? "" : " for " + who);
}

int step_command(const ReplayFlags& f) {
  Scenario s = f.load();
  if (f.mitigations.size() != 1) {
    std::string known;
    for (const Mitigation& m : s.mitigations) known += (known.empty() ? "" : ", ") + m.name;
    throw InputError(SourcePos{"--mitigation", 0, 0},
                     "step mode follows one mitigation: choose it with --mitigation (this "
                     "scenario runs: " +
                         known + ")");
  }
  RunOptions ro = f.run_options();
  const Mitigation& m = *choose_mitigations(s, ro.mitigations).front();
  ScheduleSpec schedule = ro.schedule.value_or(s.schedule);
  World initial = initial_world(s, m, ro);
  TextOptions t;
  t.color = stdout_wants_color();
  bool interactive = isatty(STDIN_FILENO);

  std::cout << s.title << "\n";
  if (!s.description.empty()) std::cout << s.description;
  std::cout << "\n== " << m.name << (m.summary.empty() ? "" : ": " + m.summary) << " ==\n";
  if (!m.failure.empty()) std::cout << "Its failure mode: " << m.failure << "\n";
  if (!m.django.empty()) std::cout << "The code it models:\n" << indent(m.django, "    ");
  std::cout << "Schedule: " << schedule.key() << ", " << to_sql(initial.default_isolation)
            << "\nPress Enter to take the next step, type a request's name to move it instead, "
               "q to stop.\n\n";

  Stepper run(initial, schedule, ro.limits);
  while (!run.finished()) {
    const World& w = run.world();
    std::optional<RequestId> suggested;
    try {
      suggested = run.next();
    } catch (const InputError& e) {
      std::cout << "The schedule cannot go on (" << e.message() << "); name who moves.\n";
    }
    if (suggested) {
      const Request& q = w.requests[suggested->value];
      const Step& st = q.program->steps[std::min(q.pc, q.program->steps.size() - 1)];
      std::cout << "Next: " << q.name << " - " << st.text
                << (st.note.empty() ? "" : "   -- " + st.note) << "\n";
    }
    std::optional<RequestId> chosen;
    while (!chosen) {
      std::cout << "> " << std::flush;
      std::string line;
      if (!std::getline(std::cin, line)) {
        size_t n = run.result().schedule.size();
        std::cout << "\nStopped at the end of the input after " << n
                  << (n == 1 ? " step" : " steps") << ".\n";
        return 0;
      }
      line = trim(line);
      if (!interactive) std::cout << line << "\n";  // a transcript shows what was typed
      if (line == "q" || line == "quit") {
        size_t n = run.result().schedule.size();
        std::cout << "Stopped after " << n << (n == 1 ? " step" : " steps")
                  << " (the schedule so far: " << run.result().schedule_text() << ").\n";
        return 0;
      }
      if (line.empty()) {
        if (suggested)
          chosen = suggested;
        else
          std::cout << "Name the request that moves.\n";
        continue;
      }
      auto r = w.find(line);
      if (!r) {
        std::string names;
        for (const Request& q : w.requests) names += (names.empty() ? "" : ", ") + q.name;
        std::cout << "There is no request " << line << " (requests: " << names << ").\n";
      } else if (!runnable(w, *r)) {
        std::cout << why_not(w, w.requests[r->value]) << ": it cannot move now.\n";
      } else {
        chosen = r;
      }
    }
    const TraceEntry& e = run.move(*chosen);
    std::cout << trace_entry_text(s, run.world(), run.result().log, e, t) << "\n";
  }
  MitigationRun done = evaluate(s, m, schedule, initial, run.finish());
  std::cout << "Requests: ";
  for (size_t i = 0; i < done.run.world.requests.size(); ++i) {
    const Request& q = done.run.world.requests[i];
    std::cout << (i ? ", " : "") << q.name << " " << to_string(q.fate)
              << (q.sqlstate.empty() ? "" : " (" + q.sqlstate + ")");
  }
  std::cout << "\nVerdict: " << verdict(done) << "\n";
  if (std::string h = happened(done); !h.empty()) std::cout << "What happened: " << h << "\n";
  std::cout << "Replay: ccsim run " << s.file.substr(0, s.file.find(" (built in)"))
            << " --mitigation " << m.name << " --schedule \"" << done.run.schedule_text() << "\""
            << (initial.default_isolation != s.isolation
                    ? std::string(" --isolation ") + option_name(initial.default_isolation)
                    : "")
            << "\n";
  return 0;
}

}  // namespace

void setup_step(CLI::App& app, Action& chosen) {
  auto f = std::make_shared<ReplayFlags>();
  CLI::App* cmd = app.add_subcommand(
      "step",
      "Classroom mode: one mitigation, one step per Enter, narrated. Type a request's name to\n"
      "move it instead of the schedule's choice, q to stop.");
  add_replay_flags(cmd, *f, "Scenario file (.toml) or the name of a built-in scenario");
  cmd->callback([f, &chosen] { chosen = [f] { return step_command(*f); }; });
}

}  // namespace ccsim
