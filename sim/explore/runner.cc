#include "explore/runner.h"

#include "engine/engine.h"

namespace ccsim {

std::string RunResult::schedule_text() const {
  std::string out;
  for (const std::string& n : schedule) out += (out.empty() ? "" : " ") + n;
  return out;
}

RunResult run_schedule(World world, const ScheduleSpec& spec, const RunLimits& limits) {
  RunResult res;
  std::unique_ptr<Strategy> strategy = make_strategy(spec);
  for (size_t position = 0; !all_done(world); ++position) {
    bool any = false;
    for (size_t i = 0; i < world.requests.size(); ++i)
      any |= runnable(world, RequestId{static_cast<uint32_t>(i)});
    if (!any) {
      res.stuck = true;
      break;
    }
    if (strategy->exhausted(position)) {
      std::string left;
      for (const Request& q : world.requests)
        if (q.state != RunState::kDone) left += (left.empty() ? "" : " and ") + q.name;
      throw InputError(spec.pos, "the schedule \"" + spec.text + "\" ends after " +
                                     std::to_string(position) + " steps but " + left + " still " +
                                     (left.find(" and ") == std::string::npos ? "has" : "have") +
                                     " steps to take; name them at the end of the schedule");
    }
    if (position >= limits.schedule_steps_max)
      throw InputError(spec.pos, "the run took more than " +
                                     std::to_string(limits.schedule_steps_max) +
                                     " steps (schedule_steps_max); is a request looping?");
    RequestId r{static_cast<uint32_t>(strategy->pick(movers(world), position))};
    TraceEntry e;
    e.position = position;
    e.request = r;
    e.first_event = res.log.events.size();
    step(world, r, &res.log);
    e.end_event = res.log.events.size();
    e.after = capture(world);
    res.trace.push_back(std::move(e));
    res.schedule.push_back(world.requests[r.value].name);
  }
  // An explicit schedule longer than the run: its next entry names a request
  // that has finished, which pick() reports with its position.
  if (!res.stuck && !strategy->exhausted(res.schedule.size()) &&
      spec.kind == ScheduleSpec::Kind::kExplicit)
    strategy->pick(movers(world), res.schedule.size());
  res.world = std::move(world);
  return res;
}

}  // namespace ccsim
