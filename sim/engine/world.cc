#include "engine/world.h"

namespace ccsim {

const char* to_string(Fate f) {
  switch (f) {
    case Fate::kRunning:
      return "running";
    case Fate::kCommitted:
      return "committed";
    case Fate::kAborted:
      return "aborted";
    case Fate::kDropped:
      return "dropped";
    case Fate::kGaveUp:
      return "gave_up";
    case Fate::kCrashed:
      return "crashed";
  }
  return "?";
}

std::optional<RequestId> World::find(const std::string& name) const {
  for (size_t i = 0; i < requests.size(); ++i)
    if (requests[i].name == name) return RequestId{static_cast<uint32_t>(i)};
  return std::nullopt;
}

bool all_done(const World& w) {
  for (const Request& q : w.requests)
    if (q.state != RunState::kDone) return false;
  return true;
}

}  // namespace ccsim
