#include "explore/runner.h"

#include "engine/engine.h"

namespace ccsim {

std::string RunResult::schedule_text() const {
  std::string out;
  for (const std::string& n : schedule) out += (out.empty() ? "" : " ") + n;
  return out;
}

Stepper::Stepper(World world, const ScheduleSpec& spec, const RunLimits& limits)
    : spec_(spec), limits_(limits), strategy_(make_strategy(spec)) {
  res_.world = std::move(world);
}

bool Stepper::finished() const {
  for (size_t i = 0; i < res_.world.requests.size(); ++i)
    if (runnable(res_.world, RequestId{static_cast<uint32_t>(i)})) return false;
  return true;
}

RequestId Stepper::next() {
  size_t position = res_.schedule.size();
  if (strategy_->exhausted(position)) {
    std::string left;
    for (const Request& q : res_.world.requests)
      if (q.state != RunState::kDone) left += (left.empty() ? "" : " and ") + q.name;
    throw InputError(spec_.pos, "the schedule \"" + spec_.text + "\" ends after " +
                                    std::to_string(position) + " steps but " + left + " still " +
                                    (left.find(" and ") == std::string::npos ? "has" : "have") +
                                    " steps to take; name them at the end of the schedule");
  }
  if (position >= limits_.schedule_steps_max)
    throw InputError(spec_.pos, "the run took more than " +
                                    std::to_string(limits_.schedule_steps_max) +
                                    " steps (schedule_steps_max); is a request looping?");
  return RequestId{static_cast<uint32_t>(strategy_->pick(movers(res_.world), position))};
}

const TraceEntry& Stepper::move(RequestId r) {
  TraceEntry e;
  e.position = res_.schedule.size();
  e.request = r;
  e.first_event = res_.log.events.size();
  step(res_.world, r, &res_.log);
  e.end_event = res_.log.events.size();
  e.after = capture(res_.world);
  res_.trace.push_back(std::move(e));
  res_.schedule.push_back(res_.world.requests[r.value].name);
  return res_.trace.back();
}

RunResult Stepper::finish() {
  res_.stuck = !all_done(res_.world);
  // An explicit schedule longer than the run: its next entry names a request
  // that has finished, which pick() reports with its position.
  if (!res_.stuck && !strategy_->exhausted(res_.schedule.size()) &&
      spec_.kind == ScheduleSpec::Kind::kExplicit)
    strategy_->pick(movers(res_.world), res_.schedule.size());
  return std::move(res_);
}

RunResult run_schedule(World world, const ScheduleSpec& spec, const RunLimits& limits) {
  Stepper s(std::move(world), spec, limits);
  while (!s.finished()) s.move(s.next());
  return s.finish();
}

}  // namespace ccsim
