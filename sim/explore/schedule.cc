#include "explore/schedule.h"

#include <algorithm>
#include <cctype>

#include "explore/random.h"

namespace ccsim {

std::string ScheduleSpec::key() const {
  switch (kind) {
    case Kind::kRoundRobin:
      return "round-robin";
    case Kind::kRandom:
      return "seed " + std::to_string(seed);
    case Kind::kExplicit: {
      std::string out;
      for (const std::string& n : names) out += (out.empty() ? "" : " ") + n;
      return out;
    }
  }
  return "";
}

ScheduleSpec parse_schedule(const std::string& text, const SourcePos& pos) {
  ScheduleSpec s;
  s.text = text;
  s.pos = pos;
  if (text == "round-robin") return s;
  s.kind = ScheduleSpec::Kind::kExplicit;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
      ++i;
      continue;
    }
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
      SourcePos p = pos;
      if (p.column) p.column += static_cast<int>(i);
      throw InputError(p, std::string("unexpected character '") + c +
                              "' in the schedule; write request names separated by spaces, "
                              "like \"A B A B\", or round-robin");
    }
    size_t b = i;
    while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_'))
      ++i;
    if (s.names.size() == kScheduleNamesMax)
      throw InputError(pos, "an explicit schedule names at most " +
                                std::to_string(kScheduleNamesMax) +
                                " steps; use round-robin or --seed for longer runs");
    s.names.push_back(text.substr(b, i - b));
    s.columns.push_back(static_cast<int>(b));
  }
  if (s.names.empty())
    throw InputError(pos,
                     "the schedule is empty; write request names like \"A B A B\", or round-robin");
  return s;
}

std::vector<Mover> movers(const Application& app) {
  std::vector<Mover> out;
  for (const Request& q : app.requests) {
    Mover m{q.name, q.state, q.fate, {}};
    if (q.state == RunState::kBlocked)
      for (RequestId o : q.waiting_for) m.waiting_for.push_back(app.requests[o.value].name);
    out.push_back(std::move(m));
  }
  return out;
}

ScheduleSpec random_schedule(uint64_t seed) {
  ScheduleSpec s;
  s.kind = ScheduleSpec::Kind::kRandom;
  s.seed = seed;
  s.text = "seed " + std::to_string(seed);
  return s;
}

namespace {

bool ready(const Mover& m) {
  return m.state == RunState::kReady;
}

// Runnable requests take one step each in turn, in request order: after
// request i moves, the next runnable request after i (cyclically) moves.
class RoundRobin : public Strategy {
 public:
  size_t pick(const std::vector<Mover>& rs, size_t) override {
    size_t n = rs.size();
    size_t first = started_ ? last_ + 1 : 0;
    started_ = true;
    for (size_t k = 0; k < n; ++k) {
      size_t i = (first + k) % n;
      if (ready(rs[i])) return last_ = i;
    }
    return 0;
  }

 private:
  bool started_ = false;
  size_t last_ = 0;
};

// Picks uniformly among the runnable requests, in request order, with SplitMix64.
class Random : public Strategy {
 public:
  explicit Random(uint64_t seed) : rng_(seed) {}
  size_t pick(const std::vector<Mover>& rs, size_t) override {
    std::vector<size_t> candidates;
    for (size_t i = 0; i < rs.size(); ++i)
      if (ready(rs[i])) candidates.push_back(i);
    return candidates[rng_.below(candidates.size())];
  }

 private:
  SplitMix64 rng_;
};

// Throws the error for entry `position` of an explicit schedule, which names
// none of `known`.
[[noreturn]] void unknown_name(const ScheduleSpec& spec, size_t position,
                               const std::vector<std::string>& known) {
  const std::string& name = spec.names[position];
  SourcePos p = spec.pos;
  if (p.column) p.column += spec.columns[position];
  std::string list;
  for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
  throw InputError(p, "schedule position " + std::to_string(position + 1) + " (" + name +
                          "): there is no request named " + name + "; the requests are " + list);
}

class Explicit : public Strategy {
 public:
  explicit Explicit(const ScheduleSpec& spec) : spec_(spec) {}
  size_t pick(const std::vector<Mover>& rs, size_t position) override {
    const std::string& name = spec_.names[position];
    SourcePos p = spec_.pos;
    if (p.column) p.column += spec_.columns[position];
    std::string at = "schedule position " + std::to_string(position + 1) + " (" + name + "): ";
    size_t i = 0;
    while (i < rs.size() && rs[i].name != name) ++i;
    if (i == rs.size()) {
      std::vector<std::string> known;
      for (const Mover& m : rs) known.push_back(m.name);
      unknown_name(spec_, position, known);
    }
    const Mover& m = rs[i];
    if (m.state == RunState::kBlocked) {
      std::string who;
      for (const std::string& o : m.waiting_for) who += (who.empty() ? "" : " and ") + o;
      throw InputError(p, at + name + " cannot move: it is waiting for a row lock held by " + who +
                              "; schedule " + who + " first");
    }
    if (m.state == RunState::kDone)
      throw InputError(
          p, at + name + " cannot move: it has already finished (" + to_string(m.fate) + ")");
    return i;
  }
  bool exhausted(size_t position) const override { return position >= spec_.names.size(); }

 private:
  ScheduleSpec spec_;
};

}  // namespace

void check_schedule_names(const ScheduleSpec& spec, const World& world) {
  if (spec.kind != ScheduleSpec::Kind::kExplicit) return;
  std::vector<std::string> known;
  for (const Request& r : world.requests) known.push_back(r.name);
  for (size_t i = 0; i < spec.names.size(); ++i)
    if (std::find(known.begin(), known.end(), spec.names[i]) == known.end())
      unknown_name(spec, i, known);
}

std::unique_ptr<Strategy> make_strategy(const ScheduleSpec& spec) {
  switch (spec.kind) {
    case ScheduleSpec::Kind::kRoundRobin:
      return std::make_unique<RoundRobin>();
    case ScheduleSpec::Kind::kRandom:
      return std::make_unique<Random>(spec.seed);
    case ScheduleSpec::Kind::kExplicit:
      return std::make_unique<Explicit>(spec);
  }
  return nullptr;
}

}  // namespace ccsim
