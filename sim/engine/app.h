// The application: the requests, the mutexes they share and the policies
// that govern them (restarts, injected crashes, the client's debounce, the
// step limit). Everything a request does outside the database lives here,
// and the simulator and the PostgreSQL replay hold the same Application;
// the request machine (engine/request_machine.h) moves it.
//
// Pure data and pure functions: nothing here blocks, prints or reads a clock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/request.h"

namespace ccsim {

// Restart the whole request when it fails with one of `on` (SQLSTATEs), or
// when a RESTART IF step's condition holds; at most `max` times, after which
// the request gives up. max = 0: no restarts.
struct RestartPolicy {
  std::vector<std::string> on;
  int64_t max = 0;

  // Returns true when an error with this SQLSTATE restarts the request.
  bool restarts_on(const std::string& sqlstate) const;
};

// An injected fault: request `request` dies when it reaches program step
// `step` (0-based), before running it, as a worker process killed there.
struct CrashPoint {
  std::string request;
  size_t step = 0;
};

// Application mutexes, by key. A waiter queues FIFO; release hands the mutex
// to the first waiter. Requests are named by their index.
class Mutexes {
 public:
  // The key of mutex `name`: per process unless global.
  static std::string key(const std::string& name, bool global, const std::string& process);
  // Returns true when the key is global (survives its holder's process).
  static bool is_global(const std::string& key);
  // Returns the mutex's display name ("lock in process web1", "global lock").
  static std::string label(const std::string& key);

  // Takes the mutex, or queues `who` behind its holder. Returns true when taken.
  bool acquire(const std::string& key, size_t who);
  // Releases what `who` holds of `key`; returns the waiter that now holds it.
  // Returns nothing when `who` did not hold it or nobody waits.
  std::optional<size_t> release(const std::string& key, size_t who);
  // Releases every mutex `who` holds (only per-process ones when
  // keep_global) and drops it from every queue. Returns the waiters that were
  // granted a mutex, in release order.
  std::vector<size_t> release_all(size_t who, bool keep_global);
  // Returns the holder of a mutex, if any.
  std::optional<size_t> holder(const std::string& key) const;
  // Returns the key `who` waits for, if any.
  std::optional<std::string> waiting_for(size_t who) const;
  // Returns the keys `who` holds.
  std::vector<std::string> held_by(size_t who) const;
  // Every mutex with its holder (or none) and queue, for frames and traces.
  struct State {
    std::optional<size_t> holder;
    std::vector<size_t> queue;
  };
  const std::map<std::string, State>& all() const { return m_; }

 private:
  std::map<std::string, State> m_;
};

// A client sends requests; with debounce it drops a click while one of its
// requests is in flight (the button is disabled).
struct ClientPolicy {
  bool debounce = false;
};

struct Application {
  std::vector<Request> requests;
  Mutexes mutexes;  // application mutexes; requests by index
  std::map<std::string, ClientPolicy> clients;
  RestartPolicy restart;
  std::optional<CrashPoint> crash;
  int64_t steps_per_request_max = 1000;  // a request that takes more steps gives up

  // Returns the request of that name, if any.
  std::optional<RequestId> find(const std::string& name) const;
};

// Returns true when request r can take a step now.
inline bool runnable(const Application& a, RequestId r) {
  return a.requests[r.value].state == RunState::kReady;
}
// Returns true when every request has ended.
bool all_done(const Application& a);

}  // namespace ccsim
