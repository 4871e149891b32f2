#include "load/accounting.h"

#include <algorithm>
#include <set>

#include "engine/engine.h"
#include "lang/printer.h"
#include "scenario/simulate.h"

namespace ccsim {

namespace {

// The tables a program creates, in order.
void created_tables(const Program& p, std::vector<std::string>& out) {
  for (const Step& st : p.steps)
    if (auto* c = std::get_if<CreateTableStmt>(&st.body))
      if (std::find(out.begin(), out.end(), c->table) == out.end()) out.push_back(c->table);
}

// The single integer primary-key column of a table, or -1.
int int_key(const Table& t) {
  std::vector<int> k = t.key_columns();
  if (k.size() != 1 || t.columns[k[0]].type != ColumnType::kInt) return -1;
  return k[0];
}

// The newest committed values of every live row of table `name`.
std::vector<Row> rows_of(const World& w, const std::string& name) {
  std::vector<Row> out;
  auto t = w.store.find_table(name);
  if (!t) return out;
  for (RowId r : w.store.table(*t).rows)
    if (VersionId v = w.store.newest_committed(r); v.value)
      out.push_back(w.store.version(v).values);
  return out;
}

// The followed cells' values in world w.
std::map<CellId, int64_t> cell_values(
    const World& w, const std::vector<std::pair<std::string, std::string>>& cols) {
  std::map<CellId, int64_t> out;
  for (const auto& [table, column] : cols) {
    auto t = w.store.find_table(table);
    if (!t) continue;
    const Table& tb = w.store.table(*t);
    int k = int_key(tb), c = tb.column_index(column);
    if (k < 0 || c < 0) continue;
    for (const Row& row : rows_of(w, table)) {
      const int64_t* key = std::get_if<int64_t>(&row[k]);
      const int64_t* v = std::get_if<int64_t>(&row[c]);
      if (key && v) out[CellId{table, tb.columns[k].name, *key, column}] = *v;
    }
  }
  return out;
}

}  // namespace

LoadPlan plan_load(const Scenario& s, const Mitigation& m, Isolation iso, size_t rows,
                   const SourcePos& rows_pos) {
  LoadPlan p;
  p.prototypes = s.requests.size();
  p.rows = rows;
  RunOptions ro;
  ro.mitigations = {m.name};
  ro.isolation = iso;
  World w0 = initial_world(s, m, ro);

  // The followed columns: the scenario's `show`, else every integer column
  // outside the key of the tables its setup creates.
  std::vector<std::string> tables;
  created_tables(s.setup, tables);
  std::vector<std::pair<std::string, std::string>> cols = s.show;
  if (cols.empty())
    for (const std::string& name : tables)
      if (auto t = w0.store.find_table(name))
        for (const Column& c : w0.store.table(*t).columns)
          if (!c.primary_key && (c.type == ColumnType::kInt || c.type == ColumnType::kSmallInt))
            cols.emplace_back(name, c.name);
  p.initial = cell_values(w0, cols);
  for (const auto& [cell, v] : p.initial) p.cells.push_back(cell);

  // Row arguments: an integer argument that is the key of a row of a setup table.
  p.arg_rows.resize(p.prototypes);
  for (size_t q = 0; q < p.prototypes; ++q)
    for (const auto& [name, value] : s.requests[q].args) {
      const int64_t* v = std::get_if<int64_t>(&value);
      if (!v) continue;
      for (const std::string& table : tables) {
        auto t = w0.store.find_table(table);
        if (!t) continue;
        const Table& tb = w0.store.table(*t);
        int k = int_key(tb);
        if (k < 0 || !w0.store.rows_with_key(*t, Row{*v})) continue;
        bool live = false;
        for (const Row& row : rows_of(w0, table)) live |= row[k] == Value{*v};
        if (!live) continue;
        size_t at = 0;
        while (at < p.row_args.size() &&
               !(p.row_args[at].table == table && p.row_args[at].key == *v))
          ++at;
        if (at == p.row_args.size()) p.row_args.push_back({table, tb.columns[k].name, *v, {}});
        p.arg_rows[q].emplace_back(name, at);
        break;
      }
    }
  if (rows > 1 && p.row_args.empty())
    throw InputError(rows_pos,
                     "--rows needs a request argument that is the primary key of a row the setup "
                     "inserts (like user_id = 1); this scenario's requests have none");

  // The copies: new keys after each table's largest.
  std::map<std::string, int64_t> next_key;
  for (RowArgument& a : p.row_args) {
    auto t = w0.store.find_table(a.table);
    const Table& tb = w0.store.table(*t);
    int k = int_key(tb);
    if (!next_key.count(a.table)) {
      int64_t top = 0;
      for (const Row& row : rows_of(w0, a.table))
        if (auto* v = std::get_if<int64_t>(&row[k])) top = std::max(top, *v);
      next_key[a.table] = top + 1;
    }
    std::string list, select;
    for (size_t c = 0; c < tb.columns.size(); ++c) {
      list += (c ? ", " : "") + sql_identifier(tb.columns[c].name);
      select += c ? ", " : "";
      select += static_cast<int>(c) == k ? "$KEY" : sql_identifier(tb.columns[c].name);
    }
    for (size_t j = 1; j < rows; ++j) {
      int64_t key = next_key[a.table]++;
      a.copy_keys.push_back(key);
      std::string sel = select;
      sel.replace(sel.find("$KEY"), 4, std::to_string(key));
      p.copy_sql.push_back("INSERT INTO " + sql_identifier(a.table) + " (" + list + ") SELECT " +
                           sel + " FROM " + sql_identifier(a.table) + " WHERE " +
                           sql_identifier(a.key_column) + " = " + std::to_string(a.key));
      for (const CellId& cell : p.cells)
        if (cell.table == a.table && cell.key == a.key) {
          CellId copy = cell;
          copy.key = key;
          p.initial[copy] = p.initial.at(cell);
        }
    }
  }

  // Each request alone, from the initial rows: its delta.
  for (size_t q = 0; q < p.prototypes; ++q) {
    Scenario alone = s;
    alone.requests = {s.requests[q]};
    alone.expectations.clear();
    alone.schedule = ScheduleSpec{};
    std::vector<MitigationRun> runs = simulate(alone, ro);
    const World& w = runs.front().run.world;
    std::map<CellId, int64_t> after = cell_values(w, cols), d;
    for (const auto& [cell, v] : after) {
      auto before = p.initial.find(cell);
      int64_t was = before == p.initial.end() ? 0 : before->second;
      if (v != was) d[cell] = v - was;
    }
    p.delta.push_back(std::move(d));
    p.alone_fate.push_back(to_string(w.requests.front().fate));
  }
  // ---- The accounting's premise: the requests' changes add up -------------
  // Run one after another from the initial rows, the requests must leave
  // each followed cell at its initial value plus their changes alone. A view
  // whose change depends on what the requests before it did (the last item
  // sold, a row created once) has no fixed amount to count a loss in.
  if (p.cells.empty()) {
    p.not_countable = "the scenario follows no integer column (its `show`) to count changes in";
  } else {
    Scenario serial = s;
    serial.expectations.clear();
    serial.schedule = ScheduleSpec{};
    World w = initial_world(serial, m, ro);
    for (size_t i = 0; i < w.requests.size(); ++i) {
      RequestId r{static_cast<uint32_t>(i)};
      while (runnable(w, r)) step(w, r, nullptr);
    }
    std::map<CellId, int64_t> sum = p.initial;
    for (const auto& d : p.delta)
      for (const auto& [cell, v] : d) sum[cell] += v;
    for (const auto& [cell, v] : cell_values(w, cols)) {
      auto it = sum.find(cell);
      int64_t want = it == sum.end() ? 0 : it->second;
      if (v == want) continue;
      p.not_countable = "run one after another, its requests leave " + cell.table + "(" +
                        cell.key_column + " = " + std::to_string(cell.key) + ")." + cell.column +
                        " = " + std::to_string(v) + ", not the " + std::to_string(want) +
                        " their changes alone add up to: each one's change depends on the "
                        "others', so a lost update has no fixed size";
      break;
    }
  }

  std::set<int64_t> units;
  bool one_cell_each = true;
  for (const auto& d : p.delta) {
    one_cell_each &= d.size() == 1;
    if (d.size() == 1) units.insert(d.begin()->second);
  }
  if (one_cell_each && units.size() == 1) p.unit = *units.begin();
  return p;
}

Vars LoadPlan::client_args(const Scenario& s, size_t c) const {
  size_t q = c % prototypes;
  Vars v = initial_vars(s.requests[q], c);
  for (const auto& [name, at] : arg_rows[q]) v[name] = Var{row_args[at].key_of_copy(c % rows), {}};
  return v;
}

CellId LoadPlan::on_copy(const CellId& cell, size_t j) const {
  CellId out = cell;
  for (const RowArgument& a : row_args)
    if (a.table == cell.table && a.key == cell.key) out.key = a.key_of_copy(j);
  return out;
}

std::vector<CellId> LoadPlan::all_cells() const {
  std::vector<CellId> out;
  for (const auto& [cell, v] : initial) out.push_back(cell);
  return out;
}

void LoadPlan::add_committed(size_t c, std::map<CellId, int64_t>& sum, int64_t times) const {
  for (const auto& [cell, d] : delta[c % prototypes]) sum[on_copy(cell, c % rows)] += d * times;
}

Accounting account(const LoadPlan& p, const std::map<CellId, int64_t>& committed_delta,
                   const std::map<CellId, int64_t>& final_values, bool final_known) {
  Accounting a;
  int64_t lost = 0;
  bool known = final_known;
  for (const auto& [cell, v] : p.initial) {
    CellCount n;
    n.cell = cell;
    n.initial = v;
    if (auto it = committed_delta.find(cell); it != committed_delta.end())
      n.committed_delta = it->second;
    if (auto it = final_values.find(cell); final_known && it != final_values.end())
      n.final = it->second;
    else
      known = false;
    if (n.final) lost += n.expected() - *n.final;
    a.cells.push_back(n);
  }
  if (known) {
    a.lost_value = lost;
    if (p.unit && lost % *p.unit == 0) a.lost_updates = lost / *p.unit;
  }
  return a;
}

}  // namespace ccsim
