#include "engine/request.h"

#include <algorithm>

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

int64_t Request::retries_at(size_t at) const {
  for (const auto& [step, used] : retries)
    if (step == at) return used;
  return 0;
}

void Request::set_retries_at(size_t at, int64_t used) {
  auto it =
      std::find_if(retries.begin(), retries.end(), [&](const auto& e) { return e.first == at; });
  if (used == 0) {
    if (it != retries.end()) retries.erase(it);
  } else if (it != retries.end()) {
    it->second = used;
  } else {
    retries.emplace_back(at, used);
    std::sort(retries.begin(), retries.end());
  }
}

}  // namespace ccsim
