// ccsim step: classroom mode. One mitigation, one step per Enter: before each
// step it says who moves next and what that step models; after it, what
// happened and the memory, rows and locks. A request's name (in any case)
// moves that request instead; b goes back a step, r restarts, ? lists the
// keys, q stops. At the end: the fates, the verdict, and the command that
// replays the run. Lines wrap to the terminal's width.
#include <sys/ioctl.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
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

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
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

// The width to wrap at: the terminal's, else $COLUMNS, else none.
size_t terminal_width() {
  winsize ws{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  if (const char* c = std::getenv("COLUMNS")) {
    char* end = nullptr;
    long n = std::strtol(c, &end, 10);
    if (end != c && *end == '\0' && n > 0 && n < 10000) return static_cast<size_t>(n);
  }
  return 0;
}

const char* kKeys =
    "Enter  take the step the schedule chooses\n"
    "NAME   move that request instead (any case; a name that is also a key below,\n"
    "       such as B, moves the request when typed exactly as it is named)\n"
    "b      back one step          r  restart from the first step\n"
    "?      this list (or help)    q  stop (or quit)\n";

// Which request a typed word names: its exact name, else the one name that
// matches ignoring case.
std::optional<RequestId> request_named(const World& w, const std::string& word, bool exact) {
  if (auto r = w.find(word)) return r;
  if (exact) return std::nullopt;
  std::optional<RequestId> found;
  for (size_t i = 0; i < w.requests.size(); ++i)
    if (lower(w.requests[i].name) == lower(word)) {
      if (found) return std::nullopt;  // two names differ only in case: type it exactly
      found = RequestId{static_cast<uint32_t>(i)};
    }
  return found;
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
  check_schedule_names(schedule, initial);  // a name that is no request's: before any output
  TextOptions t;
  t.color = stdout_wants_color();
  t.dim = false;  // a projector washes dim text out
  t.wrap = terminal_width();
  bool interactive = isatty(STDIN_FILENO);
  auto say = [&](const std::string& text) { std::cout << wrap(text, t.wrap, 2) << "\n"; };

  std::cout << s.title << "\n";
  if (!s.description.empty()) std::cout << wrap(s.description, t.wrap, 0);
  say("\n== " + m.name + (m.summary.empty() ? "" : ": " + m.summary) + " ==");
  if (!m.failure.empty()) say("Its failure mode: " + m.failure);
  if (!m.django.empty())
    std::cout << "The code it models:\n" << wrap(indent(m.django, "    "), t.wrap, 8);
  say(std::string("Schedule: ") + schedule.key() + ", " + to_sql(initial.default_isolation));
  say("Press Enter to take the next step, type a request's name to move it instead; b goes "
      "back, r restarts, ? lists the keys, q stops.");
  std::cout << "\n";

  std::optional<Stepper> run;
  std::vector<RequestId> moves;
  // Replays the first n moves of the run so far (the world is deterministic).
  auto replay = [&](size_t n) {
    moves.resize(n);
    run.emplace(initial, schedule, ro.limits);
    for (RequestId r : moves) {
      try {
        (void)run->next();  // as when it was played: the schedule's choice is asked first
      } catch (const InputError&) {
      }
      run->move(r);
    }
  };
  replay(0);
  auto stopped = [&](const std::string& how) {
    size_t n = run->result().schedule.size();
    std::cout << how << n << (n == 1 ? " step" : " steps")
              << (n ? " (the schedule so far: " + run->result().schedule_text() + ")" : "")
              << ".\n";
    return 0;
  };
  while (!run->finished()) {
    const World& w = run->world();
    std::optional<RequestId> suggested;
    try {
      suggested.emplace(run->next());
    } catch (const InputError& e) {
      say("The schedule cannot go on (" + e.message() + "); name who moves.");
    }
    if (suggested) {
      const Request& q = w.requests[suggested->value];
      const Step& st = q.program->steps[std::min(q.pc, q.program->steps.size() - 1)];
      say("Next: " + q.name + " - " + st.text + (st.note.empty() ? "" : "   -- " + st.note));
    }
    int64_t chosen = -1;  // the request that moves, once known
    bool moved_back = false;
    while (chosen < 0 && !moved_back) {
      std::cout << "> " << std::flush;
      std::string line;
      if (!std::getline(std::cin, line)) {
        std::cout << "\n";
        return stopped("Stopped at the end of the input after ");
      }
      line = trim(line);
      if (!interactive) std::cout << line << "\n";  // a transcript shows what was typed
      auto exact = request_named(w, line, true);
      std::string word = lower(line);
      if (exact) {
        chosen = exact->value;
      } else if (word == "q" || word == "quit") {
        return stopped("Stopped after ");
      } else if (word == "?" || word == "help") {
        std::cout << kKeys;
        continue;
      } else if (word == "b" || word == "back" || word == "r" || word == "restart") {
        if (moves.empty()) {
          std::cout << "Nothing to undo: no request has moved yet.\n";
          continue;
        }
        replay(word[0] == 'b' ? moves.size() - 1 : 0);
        std::cout << (moves.empty() ? std::string("Restarted: no request has moved.")
                                    : "Back to step " + std::to_string(moves.size()) + " (" +
                                          run->result().schedule_text() + ").")
                  << "\n"
                  << frame_text(s, capture(run->world()), t) << "\n";
        moved_back = true;
        continue;
      } else if (line.empty()) {
        if (suggested)
          chosen = suggested->value;
        else
          std::cout << "Name the request that moves.\n";
        continue;
      } else {
        if (auto r = request_named(w, line, false)) chosen = r->value;
      }
      if (chosen < 0) {
        std::string names;
        for (const Request& q : w.requests) names += (names.empty() ? "" : ", ") + q.name;
        say("There is no request " + line + " (requests: " + names + "; ? lists the keys).");
      } else if (RequestId r{static_cast<uint32_t>(chosen)}; !runnable(w, r)) {
        say(why_not(w, w.requests[r.value]) + ": it cannot move now.");
        chosen = -1;
      }
    }
    if (moved_back || chosen < 0) continue;
    moves.push_back(RequestId{static_cast<uint32_t>(chosen)});
    const TraceEntry& e = run->move(moves.back());
    std::cout << trace_entry_text(s, run->world(), run->result().log, e, t) << "\n";
  }
  MitigationRun done = evaluate(s, m, schedule, initial, run->finish());
  std::cout << "Requests: ";
  for (size_t i = 0; i < done.run.world.requests.size(); ++i) {
    const Request& q = done.run.world.requests[i];
    std::cout << (i ? ", " : "") << q.name << " " << to_string(q.fate)
              << (q.sqlstate.empty() ? "" : " (" + q.sqlstate + ")");
  }
  std::string v = verdict(done);
  if (t.color) v = (verdict_ok(done) ? "\x1b[32m" : "\x1b[31m") + v + "\x1b[0m";
  std::cout << "\nVerdict: " << v << "\n";
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
      "Classroom mode: one mitigation, one step per Enter, narrated. Type a request's name\n"
      "(any case) to move it instead of the schedule's choice; b goes back, r restarts,\n"
      "? lists the keys, q stops. Lines wrap to the terminal's width.");
  add_replay_flags(cmd, *f, "Scenario file (.toml) or the name of a built-in scenario");
  cmd->callback([f, &chosen] { chosen = [f] { return step_command(*f); }; });
}

}  // namespace ccsim
