#include "engine/world.h"

namespace ccsim {

RequestId World::add(Request q) {
  requests.push_back(std::move(q));
  sessions.emplace_back();
  return RequestId{static_cast<uint32_t>(requests.size() - 1)};
}

}  // namespace ccsim
