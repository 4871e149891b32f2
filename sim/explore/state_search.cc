#include "explore/state_search.h"

#include <algorithm>

#include "engine/engine.h"

namespace ccsim {

namespace {

// True when evaluating e with r's variables raises no error.
bool evaluates(const Expr& e, const Request& q, bool predicate) {
  EvalEnv env{nullptr, nullptr, &q.vars, nullptr};
  try {
    if (predicate)
      (void)eval_pred(e, env);
    else
      (void)eval_value(e, env);
    return true;
  } catch (const SqlError&) {
    return false;
  }
}

}  // namespace

bool local_step(const World& w, RequestId r) {
  const Request& q = w.requests[r.value];
  if (!q.sent || q.state != RunState::kReady || q.pc >= q.program->steps.size()) return false;
  if (w.crash && w.crash->request == q.name && w.crash->step == q.pc) return false;
  if (q.steps_taken >= w.steps_per_request_max) return false;
  auto client = w.clients.find(q.client);
  if (client != w.clients.end() && client->second.debounce) return false;  // its end frees a click
  // A step that ends the request (an error, giving up, a restart) releases
  // its transaction and mutexes: local only when it holds none.
  const Session& session = w.sessions[r.value];
  bool holds = session.txn || !w.mutexes.held_by(r.value).empty() || w.mutexes.waiting_for(r.value);
  const Step& st = q.program->steps[q.pc];
  if (auto* let = std::get_if<LetAction>(&st.body))
    return !holds || evaluates(*let->value, q, false);
  if (auto* retry = std::get_if<RetryAction>(&st.body)) {
    if (!holds) return true;
    if (!evaluates(*retry->condition, q, true)) return false;
    EvalEnv env{nullptr, nullptr, &q.vars, nullptr};
    if (eval_pred(*retry->condition, env) != true) return true;
    return q.retries_at(q.pc) < retry->max;
  }
  if (auto* k = std::get_if<SkipAction>(&st.body))
    return !holds || !k->condition || evaluates(*k->condition, q, true);
  if (std::holds_alternative<CatchAction>(st.body)) return true;  // reached without an error
  if (auto* rs = std::get_if<RestartAction>(&st.body)) {
    if (!holds) return true;
    if (!evaluates(*rs->condition, q, true)) return false;
    EvalEnv env{nullptr, nullptr, &q.vars, nullptr};
    return eval_pred(*rs->condition, env) != true;
  }
  // SET TRANSACTION may fail (25001), which ends a web request; SET
  // CONSTRAINTS may fail, and ... IMMEDIATE runs deferred checks, which lock.
  if (auto* set = std::get_if<SetStmt>(&st.body))
    return !session.failed_block &&
           ((set->name != "transaction" && set->name != "constraints") || !holds);
  return false;
}

StateSearch::StateSearch(const World& initial, bool reduce, bool identity_symmetry)
    : reduce_(reduce), encoder_(initial, identity_symmetry) {
  log_.narrate = false;  // the checks' observations only
}

std::vector<RequestId> StateSearch::moves(const World& w) const {
  std::vector<RequestId> out;
  for (size_t i = 0; i < w.requests.size(); ++i) {
    RequestId r{static_cast<uint32_t>(i)};
    if (!runnable(w, r)) continue;
    if (reduce_ && local_step(w, r)) return {r};
    out.push_back(r);
  }
  return out;
}

Position StateSearch::moved(const Position& p, RequestId r) {
  Position next = p;
  step_in_place(next, r);
  return next;
}

void StateSearch::moved_into(const Position& p, RequestId r, Position* out) {
  *out = p;
  step_in_place(*out, r);
}

void StateSearch::step_in_place(Position& p, RequestId r) {
  log_.events.clear();
  log_.writes.clear();
  log_.txn_ends.clear();
  step(p.world, r, &log_);
  p.watch.observe(p.world, log_);
}

uint32_t StateSearch::intern(const Position& p, bool* added) {
  encoder_.encode(p.world, p.watch, &key_);
  uint32_t id = keys_.insert(key_, added);
  if (*added) graph_.add_node();
  return id;
}

uint32_t StateSearch::node_of(const Position& p) {
  encoder_.encode(p.world, p.watch, &key_);
  return keys_.find(key_);
}

void StateSearch::add_root(const Position& p, uint64_t times) {
  bool added = false;
  uint32_t id = intern(p, &added);
  graph_.roots.emplace_back(id, times);
  if (added) pending_roots_.push_back(p);
}

StopReason StateSearch::run(const Classify& classify, const SearchLimits& limits,
                            const Tick& tick) {
  struct Child {
    uint32_t node;
    Position pos;
    std::vector<uint32_t> rep;  // StateEncoder::interchangeable
  };
  struct Frame {
    uint32_t node;
    Position pos;
    std::vector<uint32_t> rep;
    std::vector<Child> children;  // states first found here
    size_t next = 0;
  };
  StopReason stop = StopReason::kNone;
  std::vector<Frame> stack;
  std::vector<StateGraph::Edge> edges;
  size_t expansions = 0;

  // Expands the top frame: its moves, their nodes and the edges to them.
  auto expand = [&](Frame& f) {
    std::vector<RequestId> ms = moves(f.pos.world);
    StateGraph::Node& node = graph_.nodes[f.node];
    if (ms.empty()) {
      node.kind = StateGraph::Kind::kEnd;
      node.outcome = classify(f.pos);
      ++progress_.ends;
      return;
    }
    if (stack.size() > limits.depth_max) {
      stop = StopReason::kDepth;  // left open: the graph is incomplete
      return;
    }
    edges.clear();
    // A move that reaches a renaming of another's target adds to that edge
    // without being made (StateEncoder::interchangeable): a move is made
    // unless a request before it, whose move was made, stands in for it.
    made_.assign(f.pos.world.requests.size(), 0);
    RequestId last_made = ms.front();
    for (RequestId r : ms) {
      uint32_t stand_in = f.rep[r.value];
      if (stand_in != r.value && made_[stand_in]) continue;
      made_[r.value] = 1;
      last_made = r;
    }
    // The frame's own position is not needed once its moves are made, so
    // the last move made steps it in place instead of a copy.
    target_.assign(made_.size(), UINT32_MAX);
    for (RequestId r : ms) {
      if (!made_[r.value]) {
        uint32_t to = target_[f.rep[r.value]];
        std::find_if(edges.begin(), edges.end(), [&](const StateGraph::Edge& e) {
          return e.to == to;
        })->times++;
        continue;
      }
      // Most moves reach a state found before: the child is built in a
      // scratch position, assigned over the last discarded one so that its
      // vectors, strings and maps keep their memory, and kept only when new.
      if (r == last_made) {
        std::swap(scratch_, f.pos);
        step_in_place(scratch_, r);
      } else {
        moved_into(f.pos, r, &scratch_);
      }
      bool added = false;
      uint32_t id = intern(scratch_, &added);
      target_[r.value] = id;
      auto same = std::find_if(edges.begin(), edges.end(),
                               [&](const StateGraph::Edge& e) { return e.to == id; });
      if (same != edges.end())
        ++same->times;
      else
        edges.push_back(StateGraph::Edge{id, 1});
      if (added) {
        // Worked out now, while the encoder holds this state's analysis.
        std::vector<uint32_t> rep;
        encoder_.interchangeable_encoded(scratch_.world, scratch_.watch, rep);
        f.children.push_back(Child{id, std::move(scratch_), std::move(rep)});
        if (!spare_.empty()) {
          scratch_ = std::move(spare_.back());
          spare_.pop_back();
        }
      }
    }
    StateGraph::Node& n = graph_.nodes[f.node];  // add_node may have moved it
    n.kind = StateGraph::Kind::kInner;
    n.first_edge = graph_.edges.size();
    n.edges = static_cast<uint32_t>(edges.size());
    graph_.edges.insert(graph_.edges.end(), edges.begin(), edges.end());
    progress_.edges = graph_.edges.size();
  };

  std::vector<Position> roots = std::move(pending_roots_);
  pending_roots_.clear();
  for (Position& root : roots) {
    uint32_t id = node_of(root);
    std::vector<uint32_t> rep;
    encoder_.interchangeable(root.world, root.watch, rep);
    stack.push_back(Frame{id, std::move(root), std::move(rep), {}, 0});
    expand(stack.back());
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.next == top.children.size()) {
        spare_.push_back(std::move(top.pos));
        stack.pop_back();
        continue;
      }
      Child& c = top.children[top.next++];
      stack.push_back(Frame{c.node, std::move(c.pos), std::move(c.rep), {}, 0});
      expand(stack.back());
      progress_.states = keys_.size();
      progress_.depth = stack.size() - 1;
      progress_.depth_max = std::max(progress_.depth_max, progress_.depth);
      if (progress_.states >= limits.states_max) return StopReason::kStates;
      if (++expansions % 1024 == 0) {
        progress_.bytes = keys_.bytes() + graph_.nodes.capacity() * sizeof(StateGraph::Node) +
                          graph_.edges.capacity() * sizeof(StateGraph::Edge);
        if (progress_.bytes >= limits.bytes_max) stop = StopReason::kBytes;
        if (tick && !tick(progress_)) stop = StopReason::kAsked;
        if (stop != StopReason::kNone && stop != StopReason::kDepth) return stop;
      }
    }
  }
  progress_.states = keys_.size();
  return stop;
}

}  // namespace ccsim
