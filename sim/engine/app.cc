#include "engine/app.h"

#include <algorithm>

namespace ccsim {

std::optional<RequestId> Application::find(const std::string& name) const {
  for (size_t i = 0; i < requests.size(); ++i)
    if (requests[i].name == name) return RequestId{static_cast<uint32_t>(i)};
  return std::nullopt;
}

bool all_done(const Application& a) {
  for (const Request& q : a.requests)
    if (q.state != RunState::kDone) return false;
  return true;
}

bool RestartPolicy::restarts_on(const std::string& sqlstate) const {
  return max > 0 && std::find(on.begin(), on.end(), sqlstate) != on.end();
}

std::string Mutexes::key(const std::string& name, bool global, const std::string& process) {
  return global ? "global/" + name : "process " + process + "/" + name;
}

bool Mutexes::is_global(const std::string& key) {
  return key.rfind("global/", 0) == 0;
}

std::string Mutexes::label(const std::string& key) {
  size_t slash = key.rfind('/');
  std::string name = key.substr(slash + 1);
  if (is_global(key)) return "global mutex " + name;
  return "mutex " + name + " of " + key.substr(0, slash);
}

bool Mutexes::acquire(const std::string& key, size_t who) {
  State& s = m_[key];
  if (!s.holder) {
    s.holder = who;
    return true;
  }
  if (*s.holder == who) return true;  // held already: a second ACQUIRE is a no-op
  if (std::find(s.queue.begin(), s.queue.end(), who) == s.queue.end()) s.queue.push_back(who);
  return false;
}

std::optional<size_t> Mutexes::release(const std::string& key, size_t who) {
  auto it = m_.find(key);
  if (it == m_.end() || it->second.holder != who) return std::nullopt;
  State& s = it->second;
  s.holder.reset();
  if (s.queue.empty()) return std::nullopt;
  s.holder = s.queue.front();
  s.queue.erase(s.queue.begin());
  return s.holder;
}

std::vector<size_t> Mutexes::release_all(size_t who, bool keep_global) {
  std::vector<size_t> granted;
  for (auto& [key, s] : m_) {
    s.queue.erase(std::remove(s.queue.begin(), s.queue.end(), who), s.queue.end());
    if (s.holder != who || (keep_global && is_global(key))) continue;
    s.holder.reset();
    if (!s.queue.empty()) {
      s.holder = s.queue.front();
      s.queue.erase(s.queue.begin());
      granted.push_back(*s.holder);
    }
  }
  return granted;
}

std::optional<size_t> Mutexes::holder(const std::string& key) const {
  auto it = m_.find(key);
  return it == m_.end() ? std::nullopt : it->second.holder;
}

std::optional<std::string> Mutexes::waiting_for(size_t who) const {
  for (const auto& [key, s] : m_)
    if (std::find(s.queue.begin(), s.queue.end(), who) != s.queue.end()) return key;
  return std::nullopt;
}

std::vector<std::string> Mutexes::held_by(size_t who) const {
  std::vector<std::string> out;
  for (const auto& [key, s] : m_)
    if (s.holder == who) out.push_back(key);
  return out;
}

}  // namespace ccsim
