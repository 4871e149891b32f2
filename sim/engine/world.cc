#include "engine/world.h"

namespace ccsim {

bool uses_table_locks(const Program& p) {
  for (const Step& st : p.steps) {
    if (std::holds_alternative<LockTableStmt>(st.body) ||
        std::holds_alternative<DropTableStmt>(st.body) ||
        std::holds_alternative<AlterForeignKeyStmt>(st.body))
      return true;
    // A CREATE TABLE waits for another transaction creating the same name.
    if (std::holds_alternative<CreateTableStmt>(st.body)) return true;
  }
  return false;
}

RequestId World::add(Request q) {
  if (q.program && uses_table_locks(*q.program)) table_locks = true;
  requests.push_back(std::move(q));
  sessions.emplace_back();
  return RequestId{static_cast<uint32_t>(requests.size() - 1)};
}

}  // namespace ccsim
