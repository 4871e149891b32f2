#include "explore/program_facts.h"

#include <algorithm>

namespace ccsim {

namespace {

void params_of(const ExprPtr& e, std::set<std::string>& out) {
  if (!e) return;
  if (e->kind == ExprKind::kParam) out.insert(e->name);
  params_of(e->lhs, out);
  params_of(e->rhs, out);
}

// The parameters step s reads.
std::set<std::string> uses_of(const Step& s) {
  std::set<std::string> out;
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, UpdateStmt> || std::is_same_v<T, InsertStmt> ||
                      std::is_same_v<T, DeleteStmt>) {
          if (b.returning)
            for (const ExprPtr& e : b.returning->items) params_of(e, out);
        }
        if constexpr (std::is_same_v<T, SelectStmt>)
          for (const ExprPtr& e : b.items) params_of(e, out);
        if constexpr (std::is_same_v<T, SelectStmt> || std::is_same_v<T, DeleteStmt>) {
          params_of(b.where, out);
        } else if constexpr (std::is_same_v<T, UpdateStmt>) {
          for (const Assignment& a : b.sets) params_of(a.value, out);
          params_of(b.where, out);
        } else if constexpr (std::is_same_v<T, InsertStmt>) {
          for (const auto& row : b.rows)
            for (const ExprPtr& e : row) params_of(e, out);
          params_of(b.where, out);
          if (b.on_conflict) {
            for (const Assignment& a : b.on_conflict->sets) params_of(a.value, out);
            params_of(b.on_conflict->where, out);
          }
        } else if constexpr (std::is_same_v<T, MergeStmt>) {
          b.each_expr([&](const ExprPtr& e) { params_of(e, out); });
        } else if constexpr (std::is_same_v<T, LetAction>) {
          params_of(b.value, out);
        } else if constexpr (std::is_same_v<T, AdvisoryStmt>) {
          for (const AdvisoryItem& item : b.items) {
            params_of(item.key, out);
            params_of(item.key2, out);
          }
        } else if constexpr (std::is_same_v<T, SelectValuesStmt>) {
          for (const ExprPtr& e : b.items) params_of(e, out);
        } else if constexpr (std::is_same_v<T, RetryAction> || std::is_same_v<T, RestartAction> ||
                             std::is_same_v<T, SkipAction>) {
          params_of(b.condition, out);
        }
      },
      s.body);
  return out;
}

bool is_data_statement(const Step& s) {
  return std::holds_alternative<SelectStmt>(s.body) || std::holds_alternative<UpdateStmt>(s.body) ||
         std::holds_alternative<AdvisoryStmt>(s.body) ||
         std::holds_alternative<SelectValuesStmt>(s.body) ||
         std::holds_alternative<InsertStmt>(s.body) || std::holds_alternative<DeleteStmt>(s.body) ||
         std::holds_alternative<MergeStmt>(s.body);
}

// The variables step s surely assigns when it completes: a request that
// fails at it either restarts (every variable back to its argument) or ends.
std::set<std::string> defs_of(const Step& s) {
  std::set<std::string> out;
  if (auto* let = std::get_if<LetAction>(&s.body)) out.insert(let->var);
  if (auto* sel = std::get_if<SelectStmt>(&s.body))
    for (const std::string& v : sel->into) out.insert(v);
  if (auto* adv = std::get_if<AdvisoryStmt>(&s.body))
    for (const std::string& v : adv->into) out.insert(v);
  if (auto* values = std::get_if<SelectValuesStmt>(&s.body))
    for (const std::string& v : values->into) out.insert(v);
  if (const Returning* r = returning_of(s))
    for (const std::string& v : r->into) out.insert(v);
  if (is_data_statement(s)) out.insert("rowcount");
  return out;
}

}  // namespace

ProgramFacts analyse_program(const Program& p, const RestartPolicy& restart,
                             bool continue_on_error) {
  ProgramFacts f;
  const size_t n = p.steps.size();
  std::vector<std::set<std::string>> uses(n), defs(n);
  for (size_t i = 0; i < n; ++i) {
    const Step& s = p.steps[i];
    uses[i] = uses_of(s);
    f.reads.insert(uses[i].begin(), uses[i].end());
    if (!continue_on_error) defs[i] = defs_of(s);
    if (auto* acq = std::get_if<AcquireAction>(&s.body)) f.process_mutex |= !acq->global;
    if (auto* b = std::get_if<BeginStmt>(&s.body))
      f.begins_serializable |= b->isolation == Isolation::kSerializable;
    if (auto* set = std::get_if<SetStmt>(&s.body);
        set && (set->name == "transaction" || set->name == "default_transaction_isolation")) {
      f.sets_transaction = true;
      f.begins_serializable |= set->isolation == Isolation::kSerializable;
    }
  }

  // ---- Liveness: backward, to a fixed point -----------------------------------
  // After step i comes step i + 1; a RETRY may also run step i - 1 again,
  // a SKIP n may go on at step i + 1 + n instead, and a step whose error a
  // CATCH ... SKIP n after it catches at step i + 2 + n. A
  // restart sets every variable back to what the request was sent with, so
  // it carries no variable over: it adds no successor here.
  std::vector<std::set<std::string>> live(n + 1);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = n; i-- > 0;) {
      std::set<std::string> out = live[i + 1];
      if (std::holds_alternative<RetryAction>(p.steps[i].body) && i > 0)
        out.insert(live[i - 1].begin(), live[i - 1].end());
      if (auto* k = std::get_if<SkipAction>(&p.steps[i].body)) {
        const auto& to = live[std::min(n, i + 1 + static_cast<size_t>(k->count))];
        out.insert(to.begin(), to.end());
      }
      for (const std::string& d : defs[i]) out.erase(d);
      // A failure caught by the CATCH after step i goes on past that CATCH's
      // skip without assigning what step i would have assigned.
      if (i + 1 < n)
        if (auto* c = std::get_if<CatchAction>(&p.steps[i + 1].body)) {
          const auto& to = live[std::min(n, i + 2 + static_cast<size_t>(c->count))];
          out.insert(to.begin(), to.end());
        }
      out.insert(uses[i].begin(), uses[i].end());
      if (out != live[i]) {
        live[i] = std::move(out);
        changed = true;
      }
    }
  }
  for (const auto& l : live) f.live.emplace_back(l.begin(), l.end());

  // ---- The step bound ------------------------------------------------------------
  // In one pass through the program each step runs once, and the step before
  // a RETRY ... MAX m and the RETRY itself up to m more times. A RETRY right
  // after another RETRY could run that one's loop again: no bound is claimed
  // then. A SKIP only jumps forward: it runs no step twice. Each restart is a
  // new pass.
  int64_t per_pass = 0;
  for (size_t i = 0; i < n; ++i) {
    auto* retry = std::get_if<RetryAction>(&p.steps[i].body);
    if (retry && i > 0 && std::holds_alternative<RetryAction>(p.steps[i - 1].body)) return f;
    int64_t runs = 1;
    if (retry) runs += retry->max;
    if (i + 1 < n)
      if (auto* next = std::get_if<RetryAction>(&p.steps[i + 1].body)) runs += next->max;
    per_pass += runs;
  }
  f.steps_bound = per_pass * (1 + std::max<int64_t>(restart.max, 0));
  return f;
}

}  // namespace ccsim
