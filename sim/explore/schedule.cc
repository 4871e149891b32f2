#include "explore/schedule.h"

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
    s.names.push_back(text.substr(b, i - b));
    s.columns.push_back(static_cast<int>(b));
  }
  if (s.names.empty())
    throw InputError(pos,
                     "the schedule is empty; write request names like \"A B A B\", or round-robin");
  return s;
}

ScheduleSpec random_schedule(uint64_t seed) {
  ScheduleSpec s;
  s.kind = ScheduleSpec::Kind::kRandom;
  s.seed = seed;
  s.text = "seed " + std::to_string(seed);
  return s;
}

namespace {

// Runnable requests take one step each in turn, in request order: after
// request i moves, the next runnable request after i (cyclically) moves.
class RoundRobin : public Strategy {
 public:
  RequestId pick(const World& w, size_t) override {
    size_t n = w.requests.size();
    size_t first = started_ ? last_ + 1 : 0;
    started_ = true;
    for (size_t k = 0; k < n; ++k) {
      size_t i = (first + k) % n;
      if (runnable(w, RequestId{static_cast<uint32_t>(i)})) {
        last_ = i;
        return RequestId{static_cast<uint32_t>(i)};
      }
    }
    return RequestId{};
  }

 private:
  bool started_ = false;
  size_t last_ = 0;
};

// Picks uniformly among the runnable requests, in request order, with SplitMix64.
class Random : public Strategy {
 public:
  explicit Random(uint64_t seed) : rng_(seed) {}
  RequestId pick(const World& w, size_t) override {
    std::vector<RequestId> ready;
    for (size_t i = 0; i < w.requests.size(); ++i)
      if (runnable(w, RequestId{static_cast<uint32_t>(i)}))
        ready.push_back(RequestId{static_cast<uint32_t>(i)});
    return ready[rng_.below(ready.size())];
  }

 private:
  SplitMix64 rng_;
};

class Explicit : public Strategy {
 public:
  explicit Explicit(const ScheduleSpec& spec) : spec_(spec) {}
  RequestId pick(const World& w, size_t position) override {
    const std::string& name = spec_.names[position];
    SourcePos p = spec_.pos;
    if (p.column) p.column += spec_.columns[position];
    std::string at = "schedule position " + std::to_string(position + 1) + " (" + name + "): ";
    auto r = w.find(name);
    if (!r) {
      std::string known;
      for (const Request& q : w.requests) known += (known.empty() ? "" : ", ") + q.name;
      throw InputError(p, at + "there is no request named " + name + "; the requests are " + known);
    }
    const Request& q = w.requests[r->value];
    if (q.state == RunState::kBlocked) {
      std::string who;
      for (RequestId o : q.cursor->waited_for)
        who += (who.empty() ? "" : " and ") + w.requests[o.value].name;
      throw InputError(p, at + name + " cannot move: it is waiting for a row lock held by " + who +
                              "; schedule " + who + " first");
    }
    if (q.state == RunState::kDone)
      throw InputError(
          p, at + name + " cannot move: it has already finished (" + to_string(q.fate) + ")");
    return *r;
  }
  bool exhausted(size_t position) const override { return position >= spec_.names.size(); }

 private:
  ScheduleSpec spec_;
};

}  // namespace

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
