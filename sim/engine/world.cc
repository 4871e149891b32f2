#include "engine/world.h"

namespace ccsim {

void refuse_savepoints_at_serializable(const World& w) {
  for (const Request& q : w.requests) {
    bool serializable = w.default_isolation == Isolation::kSerializable;
    for (const Step& st : q.program->steps)
      if (auto* b = std::get_if<BeginStmt>(&st.body))
        serializable |= b->isolation == Isolation::kSerializable;
    if (!serializable) continue;
    for (const Step& st : q.program->steps)
      if (std::holds_alternative<SavepointStmt>(st.body))
        throw InputError(SourcePos{q.program->file, st.line, st.column},
                         "a savepoint at SERIALIZABLE is not modelled (how predicate locks and "
                         "conflicts outlive a rolled-back subtransaction); run it at READ "
                         "COMMITTED or REPEATABLE READ");
  }
}

RequestId World::add(Request q) {
  requests.push_back(std::move(q));
  sessions.emplace_back();
  return RequestId{static_cast<uint32_t>(requests.size() - 1)};
}

}  // namespace ccsim
