#include "engine/aggregate.h"

namespace ccsim {

// ---- Rule: aggregates (PostgreSQL 15) --------------------------------------
// count(*) counts the rows, count(col) the rows where col is not NULL; sum,
// min and max skip NULLs and are NULL over no value. sum of int is bigint
// and of bigint or numeric numeric: whole numbers either way here.
void aggregate_answer(const Store& s, TableId table, const SelectStmt& sel,
                      const std::vector<VersionId>& rows, bool narrate, SqlAnswer* a) {
  const Table& t = s.table(table);
  a->has_rows = true;
  Row out;
  for (const Aggregate& agg : sel.aggregates) {
    if (narrate) a->columns.push_back(to_sql(agg.kind));
    std::vector<RowRead> from;
    if (narrate) {  // min and max of a datetime are one
      int c =
          agg.kind == AggKind::kMin || agg.kind == AggKind::kMax ? t.column_index(agg.column) : -1;
      ColumnType ct = c >= 0 ? t.columns[static_cast<size_t>(c)].type : ColumnType::kInt;
      a->datetimes.push_back(is_datetime(ct) ? std::optional(ct) : std::nullopt);
    }
    if (agg.kind == AggKind::kCountStar) {
      out.emplace_back(std::in_place_type<int64_t>, static_cast<int64_t>(rows.size()));
      a->first_row_reads.push_back(std::move(from));
      continue;
    }
    size_t col = static_cast<size_t>(t.column_index(agg.column));
    // sum, min and max take no boolean (PostgreSQL has bool_and and bool_or).
    if (t.columns[col].type == ColumnType::kBool && agg.kind != AggKind::kCount)
      throw SqlError("42883",
                     std::string("function ") + to_sql(agg.kind) + "(boolean) does not exist");
    Value acc{Null{}};
    int64_t count = 0;
    for (VersionId v : rows) {
      const Version& ver = s.version(v);
      const Value& x = ver.values[col];
      if (is_null(x)) continue;
      from.push_back(RowRead{table, ver.row, ver.id, agg.column});
      ++count;
      if (is_null(acc)) {
        acc = x;
      } else if (agg.kind == AggKind::kSum) {
        // A sum of numerics keeps the largest scale (numeric's add_var).
        const int scale = std::max(scale_of(acc), scale_of(x));
        std::optional<__int128> a = units_at(acc, scale), b = units_at(x, scale);
        __int128 sum = 0;
        std::optional<Value> v;
        if (a && b && !__builtin_add_overflow(*a, *b, &sum)) v = number_value(sum, scale);
        if (!v)
          throw SqlError(scale > 0 ? "0A000" : "22003",
                         scale > 0 ? "a numeric sum of more than 38 digits is not modelled"
                                   : "bigint out of range");
        acc = std::move(*v);
      } else if (agg.kind == AggKind::kMin ? compare_sql(x, acc) < 0 : compare_sql(acc, x) < 0) {
        acc = x;
      }
    }
    if (agg.kind == AggKind::kCount)
      out.emplace_back(std::in_place_type<int64_t>, count);
    else
      out.push_back(std::move(acc));
    a->first_row_reads.push_back(std::move(from));
  }
  a->rows.push_back(std::move(out));
  a->rowcount = 1;
}

}  // namespace ccsim
