#include "engine/describe.h"

namespace ccsim {

std::string row_label(const Store& s, RowId r) {
  if (std::optional<AdvisoryKey> key = s.advisory_key(r))
    return "advisory lock " + (key->pair ? "(" + std::to_string(key->first()) + ", " +
                                               std::to_string(key->second()) + ")"
                                         : std::to_string(key->bits));
  if (std::optional<TableId> t = s.locked_table(r)) return "table " + s.table(*t).name;
  const RowState& row = s.row(r);
  const Table& t = s.table(row.table);
  std::vector<int> keys = t.key_columns();
  if (keys.empty() || !row.newest) return t.name + " row " + std::to_string(r.value + 1);
  const Row& values = s.version(row.newest).values;
  std::string out = t.name + "(";
  for (size_t i = 0; i < keys.size(); ++i) {
    size_t k = static_cast<size_t>(keys[i]);
    out += (i ? ", " : "") + t.columns[k].name + "=" + to_display(values[k]);
  }
  return out + ")";
}

std::string names(const World& w, const std::vector<RequestId>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out += (i + 1 == ids.size()) ? " and " : ", ";
    out += w.requests[ids[i].value].name;
  }
  return out.empty() ? "nobody" : out;
}

std::string rows_text(const Store& s, const std::vector<VersionId>& rows,
                      const std::vector<int>& cols) {
  std::string out = std::to_string(rows.size()) + (rows.size() == 1 ? " row" : " rows");
  for (size_t i = 0; i < rows.size() && i < 5; ++i) {
    out += i ? ", (" : ": (";
    const Row& v = s.version(rows[i]).values;
    for (size_t c = 0; c < cols.size(); ++c)
      out += (c ? ", " : "") + to_sql(v[static_cast<size_t>(cols[c])]);
    out += ")";
  }
  if (rows.size() > 5) out += ", ...";
  return out;
}

}  // namespace ccsim
