#include "lang/printer.h"

#include "lang/keywords.h"

#include <algorithm>
#include <array>
#include <utility>

namespace ccsim {

namespace {

class Printer {
 public:
  Printer(const Vars& vars, std::vector<std::optional<std::string>>* params,
          std::vector<std::string>* names = nullptr)
      : vars_(vars), params_(params), names_(names) {}

  // Every operand that is itself an operation is parenthesised, so the
  // server groups it exactly as the simulator did.
  std::string expr(const Expr& e) {
    auto operand = [&](const Expr& x) {
      bool compound = x.kind == ExprKind::kBinary || x.kind == ExprKind::kNot ||
                      x.kind == ExprKind::kNeg || x.kind == ExprKind::kIsNull ||
                      x.kind == ExprKind::kIsNotNull || x.kind == ExprKind::kIsDistinct ||
                      x.kind == ExprKind::kIsNotDistinct || x.kind == ExprKind::kLike ||
                      x.kind == ExprKind::kBoolTest;
      return compound ? "(" + expr(x) + ")" : expr(x);
    };
    switch (e.kind) {
      case ExprKind::kLiteral:
        if (e.typed) return datetime_keyword(*e.typed) + (" " + to_sql(e.literal));
        if (e.decimal_literal && std::holds_alternative<int64_t>(e.literal))
          return to_sql(e.literal) + ".";  // 3.: numeric, not int
        return to_sql(e.literal);
      case ExprKind::kColumn:
        if (e.excluded) return "EXCLUDED." + sql_identifier(e.name);
        if (e.source) return "ccsim_source." + sql_identifier(e.name);
        return (qualifier_.empty() ? "" : sql_identifier(qualifier_) + ".") +
               sql_identifier(e.name);
      case ExprKind::kParam:
        return param(e.name);
      case ExprKind::kNeg:
        // Minus anything but a column keeps its parentheses: "--3" would
        // start a comment, and "-0" (or minus a parameter bound to NULL,
        // printed "-NULL") would read back as a literal, not a negation.
        return e.lhs->kind == ExprKind::kColumn ? "-" + expr(*e.lhs) : "-(" + expr(*e.lhs) + ")";
      case ExprKind::kNot:
        return "NOT " + operand(*e.lhs);
      case ExprKind::kIsNull:
        return operand(*e.lhs) + " IS NULL";
      case ExprKind::kIsNotNull:
        return operand(*e.lhs) + " IS NOT NULL";
      case ExprKind::kBoolTest:
        return operand(*e.lhs) + " IS " + e.name;
      case ExprKind::kBinary:
        if (e.in_subquery) return operand(*e.lhs) + " IN " + expr(*e.rhs);
        return operand(*e.lhs) + " " + op_sql(e.op) + " " + operand(*e.rhs);
      case ExprKind::kLike:
        return operand(*e.lhs) + " " + like_sql(e.name) + " " + operand(*e.rhs);
      case ExprKind::kIsDistinct:
      case ExprKind::kIsNotDistinct:
        return operand(*e.lhs) +
               (e.kind == ExprKind::kIsDistinct ? " IS DISTINCT FROM " : " IS NOT DISTINCT FROM ") +
               operand(*e.rhs);
      case ExprKind::kAdvisory:
        return e.call.function() + "(" + expr(*e.lhs) + (e.rhs ? ", " + expr(*e.rhs) : "") + ")";
      case ExprKind::kCoalesce:
      case ExprKind::kGreatest:
      case ExprKind::kLeast: {
        // One call's arguments in one list: a nested call types apart.
        std::string out = e.kind == ExprKind::kCoalesce   ? "COALESCE("
                          : e.kind == ExprKind::kGreatest ? "GREATEST("
                                                          : "LEAST(";
        const Expr* at = &e;
        for (; at->kind == e.kind && (at == &e || at->continued); at = at->rhs.get())
          out += expr(*at->lhs) + ", ";
        return out + expr(*at) + ")";
      }
      case ExprKind::kCase: {
        std::string out = "CASE";
        const Expr* at = &e;
        for (; at && at->kind == ExprKind::kCase && (at == &e || at->continued); at = at->rhs.get())
          out += " WHEN " + expr(*at->lhs->lhs) + " THEN " + expr(*at->lhs->rhs);
        return out + (at ? " ELSE " + expr(*at) : "") + " END";
      }
      case ExprKind::kWhen:
        return "WHEN " + expr(*e.lhs) + " THEN " + expr(*e.rhs);
      case ExprKind::kNullIf:
        return "NULLIF(" + expr(*e.lhs) + ", " + expr(*e.rhs) + ")";
      case ExprKind::kCaseFold:
        return e.name + "(" + expr(*e.lhs) + ")";
      case ExprKind::kFunction:
        return e.name + "(" + expr(*e.lhs) + (e.rhs ? ", " + expr(*e.rhs) : "") + ")";
      case ExprKind::kCast:
        return "(" + expr(*e.lhs) + ")::" + cast_sql(*e.cast_to);
      case ExprKind::kCurrentSetting:
        return "current_setting(" + to_sql(Value{e.name}) + ")";
      case ExprKind::kSequence:
        return sequence_sql(e.name, e.currval);
      case ExprKind::kDefault:
        return "DEFAULT";
      case ExprKind::kSubquery: {
        // Its columns are its own table's, never qualified by the outer one.
        std::string outer = std::exchange(qualifier_, "");
        std::string item =
            e.aggregate
                ? std::string(to_sql(e.aggregate->kind)) + "(" +
                      (e.aggregate->column.empty() ? "*" : sql_identifier(e.aggregate->column)) +
                      ")"
                : expr(*e.lhs);
        std::string out = std::string(e.exists ? "EXISTS " : "") + "(SELECT " + item + " FROM " +
                          sql_identifier(e.name) + where(e.rhs);
        if (e.initplan) {
          const auto& plan = std::get<SelectStmt>(e.initplan->body);
          if (plan.order_by)
            out += " ORDER BY " + sql_identifier(plan.order_by->column) + order_sql(*plan.order_by);
          out += limit_and_lock_sql(plan);
        }
        out += ")";
        qualifier_ = outer;
        return out;
      }
    }
    return "?";
  }

  // RETURNING's list, each item named as ccsim names it (so the server's
  // column names are the same); INTO stays with the client.
  std::string returning(const std::optional<Returning>& r) {
    if (!r) return "";
    if (r->star) return " RETURNING *";
    std::string out;
    for (size_t i = 0; i < r->items.size(); ++i)
      out += (i ? ", " : " RETURNING ") + expr(*r->items[i]) + " AS " + sql_identifier(r->names[i]);
    return out;
  }
  std::string where(const ExprPtr& w) { return w ? " WHERE " + expr(*w) : ""; }

  std::string qualifier_;  // set: columns are printed as qualifier.col

 private:
  // A value travels as a typed placeholder; NULL as the literal.
  std::string param(const std::string& name) {
    if (names_) names_->push_back(name);
    auto it = vars_.find(name);
    if (it == vars_.end()) throw SqlError("42P02", "parameter :" + name + " has no value yet");
    const Value& v = it->second.value;
    if (is_null(v)) return "NULL";
    // libpq passes values as C strings: a NUL would cut the text short.
    // The server refuses such a text (22021); so does the printer.
    if (auto* text = std::get_if<std::string>(&v); text && text->find('\0') != std::string::npos)
      throw SqlError("22021", "invalid byte sequence for encoding \"UTF8\": 0x00");
    params_->push_back(to_display(v));
    return "$" + std::to_string(params_->size()) +
           (std::holds_alternative<int64_t>(v)   ? "::int8"
            : std::holds_alternative<bool>(v)    ? "::bool"
            : std::holds_alternative<Decimal>(v) ? "::numeric"
                                                 : "::text");
  }

  const Vars& vars_;
  std::vector<std::optional<std::string>>* params_;
  std::vector<std::string>* names_;  // every parameter printed, in order
};

std::string type_sql(ColumnType t) {
  switch (t) {
    case ColumnType::kSmallInt:
      return "smallint";
    case ColumnType::kInt:
      return "int";
    case ColumnType::kBigInt:
      return "bigint";
    case ColumnType::kText:
      return "text";
    case ColumnType::kNumeric:
      return "numeric";
    case ColumnType::kBool:
      return "boolean";
    case ColumnType::kUuid:
      return "uuid";
    case ColumnType::kDate:
      return "date";
    case ColumnType::kTimestamp:
      return "timestamp";
    case ColumnType::kTimestampTz:
      return "timestamptz";
  }
  return "?";
}

std::string names_sql(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + sql_identifier(n);
  return out;
}

// A foreign key's ON DELETE and ON UPDATE, where not NO ACTION.
std::string fk_actions_sql(const ForeignKeyDef& fk) {
  std::string out;
  if (fk.on_delete != FkAction::kNoAction) out += std::string(" ON DELETE ") + to_sql(fk.on_delete);
  if (fk.on_update != FkAction::kNoAction) out += std::string(" ON UPDATE ") + to_sql(fk.on_update);
  if (fk.deferrable)
    out += fk.initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE";
  return out;
}

}  // namespace

std::string sql_identifier(const std::string& name) {
  bool plain =
      !name.empty() && (std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name)
    plain = plain && (std::islower(static_cast<unsigned char>(c)) ||
                      std::isdigit(static_cast<unsigned char>(c)) || c == '_');
  if (plain && !step_reserved(name)) return name;  // reads back as the step language reads it
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

namespace {

std::string print_server_sql(const Step& st, const Vars& vars,
                             std::vector<std::optional<std::string>>* params,
                             std::vector<std::string>* names) {
  Printer p(vars, params, names);
  return std::visit(
      [&](const auto& b) -> std::string {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, BeginStmt>) {
          std::string out = b.isolation
                                ? std::string("BEGIN ISOLATION LEVEL ") + to_sql(*b.isolation)
                                : std::string("BEGIN");
          if (b.read_only) out += " READ ONLY";
          if (b.deferrable) out += " DEFERRABLE";
          return out;
        } else if constexpr (std::is_same_v<T, CommitStmt>) {
          return "COMMIT";
        } else if constexpr (std::is_same_v<T, RollbackStmt>) {
          return "ROLLBACK";
        } else if constexpr (std::is_same_v<T, SavepointStmt>) {
          switch (b.kind) {
            case SavepointStmt::Kind::kSavepoint:
              return "SAVEPOINT " + sql_identifier(b.name);
            case SavepointStmt::Kind::kRollbackTo:
              return "ROLLBACK TO SAVEPOINT " + sql_identifier(b.name);
            case SavepointStmt::Kind::kRelease:
              return "RELEASE SAVEPOINT " + sql_identifier(b.name);
          }
          return "";
        } else if constexpr (std::is_same_v<T, SelectStmt>) {
          std::string list = b.columns.empty() ? std::string("*") : names_sql(b.columns);
          if (!b.items.empty()) {  // each item named as ccsim names it
            list.clear();
            for (size_t i = 0; i < b.items.size(); ++i)
              list += (i ? ", " : "") + p.expr(*b.items[i]) + " AS " + sql_identifier(b.names[i]);
          }
          if (!b.aggregates.empty()) {
            list.clear();
            for (const Aggregate& a : b.aggregates)
              list += (list.empty() ? "" : ", ") + std::string(to_sql(a.kind)) + "(" +
                      (a.column.empty() ? std::string("*") : sql_identifier(a.column)) + ")";
          }
          std::string out =
              "SELECT " + list + " FROM " + sql_identifier(b.table) + p.where(b.where);
          // A select list of expressions names its items, and a bare name
          // in ORDER BY means an item first: the table's column is
          // qualified, so the server orders by what ccsim ordered by.
          if (b.order_by) {
            out += " ORDER BY ";
            for (size_t i = 0; i <= b.order_then.size(); ++i) {
              const OrderBy& o = i == 0 ? *b.order_by : b.order_then[i - 1];
              out += (i ? ", " : "") + (b.items.empty() ? "" : sql_identifier(b.table) + ".") +
                     sql_identifier(o.column) + order_sql(o);
            }
          }
          return out + limit_and_lock_sql(b);
        } else if constexpr (std::is_same_v<T, UpdateStmt>) {
          std::string sets;
          for (const Assignment& a : b.sets)
            sets +=
                (sets.empty() ? "" : ", ") + sql_identifier(a.column) + " = " + p.expr(*a.value);
          return "UPDATE " + sql_identifier(b.table) + " SET " + sets + p.where(b.where) +
                 p.returning(b.returning);
        } else if constexpr (std::is_same_v<T, InsertStmt>) {
          std::string out = "INSERT INTO " + sql_identifier(b.table);
          if (!b.columns.empty()) out += " (" + names_sql(b.columns) + ")";
          if (b.overriding != InsertStmt::Overriding::kNone)
            out += b.overriding == InsertStmt::Overriding::kSystem ? " OVERRIDING SYSTEM VALUE"
                                                                   : " OVERRIDING USER VALUE";
          if (b.where) {  // one row, kept by its WHERE
            out += " SELECT ";
            for (size_t k = 0; k < b.rows[0].size(); ++k)
              out += (k ? ", " : "") + p.expr(*b.rows[0][k]);
            out += p.where(b.where);
          } else {
            out += " VALUES ";
            for (size_t i = 0; i < b.rows.size(); ++i) {
              out += i ? ", (" : "(";
              for (size_t k = 0; k < b.rows[i].size(); ++k)
                out += (k ? ", " : "") + p.expr(*b.rows[i][k]);
              out += ")";
            }
          }
          if (b.on_conflict) {
            out += " ON CONFLICT";
            if (!b.on_conflict->target.empty())
              out += " (" + names_sql(b.on_conflict->target) + ")";
            if (b.on_conflict->target_where)
              out += " WHERE " + p.expr(*b.on_conflict->target_where);
            if (!b.on_conflict->constraint.empty())
              out += " ON CONSTRAINT " + sql_identifier(b.on_conflict->constraint);
            if (!b.on_conflict->do_update) {
              out += " DO NOTHING";
            } else {
              // A column alone would be ambiguous beside EXCLUDED's (42702).
              p.qualifier_ = b.table;
              out += " DO UPDATE SET ";
              for (size_t i = 0; i < b.on_conflict->sets.size(); ++i)
                out += (i ? ", " : "") + sql_identifier(b.on_conflict->sets[i].column) + " = " +
                       p.expr(*b.on_conflict->sets[i].value);
              out += p.where(b.on_conflict->where);
              p.qualifier_.clear();
            }
          }
          return out + p.returning(b.returning);
        } else if constexpr (std::is_same_v<T, DeleteStmt>) {
          return "DELETE FROM " + sql_identifier(b.table) + p.where(b.where) +
                 p.returning(b.returning);
        } else if constexpr (std::is_same_v<T, MergeStmt>) {
          // The source's values stand where they were read (ast.h), so the
          // source itself is a row of no columns; the target's columns are
          // qualified with its name.
          // A source of several rows is written as VALUES, and the copy of
          // ON and the actions that reads its columns by name.
          p.qualifier_ = b.table;
          std::string using_ = "(SELECT) AS ccsim_source";
          if (b.printed) {
            using_ = "(VALUES ";
            for (size_t r = 0; r < b.source_rows.size(); ++r) {
              using_ += r ? ", (" : "(";
              for (size_t k = 0; k < b.source_rows[r].size(); ++k)
                using_ += (k ? ", " : "") + p.expr(*b.source_rows[r][k]);
              using_ += ")";
            }
            using_ += ") AS ccsim_source (" + names_sql(b.source_names) + ")";
          }
          const MergeStmt& m = b.printed ? *b.printed : b;
          std::string out =
              "MERGE INTO " + sql_identifier(b.table) + " USING " + using_ + " ON " + p.expr(*m.on);
          for (const MergeAction& a : m.actions) {
            out += a.matched ? " WHEN MATCHED" : " WHEN NOT MATCHED";
            if (a.condition) out += " AND " + p.expr(*a.condition);
            out += " THEN ";
            switch (a.kind) {
              case MergeAction::Kind::kUpdate: {
                std::string sets;
                for (const Assignment& x : a.update.sets)
                  sets += (sets.empty() ? "" : ", ") + sql_identifier(x.column) + " = " +
                          p.expr(*x.value);
                out += "UPDATE SET " + sets;
                break;
              }
              case MergeAction::Kind::kDelete:
                out += "DELETE";
                break;
              case MergeAction::Kind::kInsert: {
                out += "INSERT";
                if (!a.insert.columns.empty()) out += " (" + names_sql(a.insert.columns) + ")";
                const std::vector<ExprPtr>& row = a.insert.rows.front();
                if (row.empty()) {
                  out += " DEFAULT VALUES";
                  break;
                }
                out += " VALUES (";
                for (size_t k = 0; k < row.size(); ++k) out += (k ? ", " : "") + p.expr(*row[k]);
                out += ")";
                break;
              }
              case MergeAction::Kind::kNothing:
                out += "DO NOTHING";
                break;
            }
          }
          p.qualifier_.clear();
          return out;
        } else if constexpr (std::is_same_v<T, CreateTableStmt>) {
          if (b.as_query) {
            // The rows as VALUES, the first row's values cast to their
            // columns' types (which the others then take), the columns
            // named in the list after the table's name.
            std::vector<std::string> names;
            for (const Column& c : b.columns) names.push_back(c.name);
            auto typed = [&](const ExprPtr& e, const Column& c) {
              if (e->kind == ExprKind::kCast) return p.expr(*e);
              Expr cast;
              cast.kind = ExprKind::kCast;
              cast.lhs = e;
              auto type = std::make_shared<Column>(c);
              type->name = cast_sql(c);  // a cast's type is named by its type
              cast.cast_to = std::move(type);
              return p.expr(cast);
            };
            std::string out = "CREATE TABLE " +
                              std::string(b.if_not_exists ? "IF NOT EXISTS " : "") +
                              sql_identifier(b.table) + " (" + names_sql(names) + ") AS ";
            if (b.as_rows.empty()) {
              std::string nulls;
              for (const Column& c : b.columns)
                nulls += (nulls.empty() ? "" : ", ") + typed(std::make_shared<Expr>(), c);
              return out + "SELECT " + nulls + " WITH NO DATA";
            }
            out += "VALUES ";
            for (size_t i = 0; i < b.as_rows.size(); ++i) {
              out += i ? ", (" : "(";
              for (size_t k = 0; k < b.as_rows[i].size(); ++k)
                out += (k ? ", " : "") +
                       (i == 0 ? typed(b.as_rows[i][k], b.columns[k]) : p.expr(*b.as_rows[i][k]));
              out += ")";
            }
            return out;
          }
          if (!b.partition_of.empty()) {
            const PartitionBoundDef& d = b.bound;
            auto bound = [](const std::optional<Value>& v, const char* open) {
              return "(" + (v ? to_sql(*v) : std::string(open)) + ")";
            };
            std::string values;
            for (const Value& v : d.values) values += (values.empty() ? "" : ", ") + to_sql(v);
            std::string spec = d.is_default ? "DEFAULT"
                               : d.range ? "FOR VALUES FROM " + bound(d.lo, "MINVALUE") + " TO " +
                                               bound(d.hi, "MAXVALUE")
                                         : "FOR VALUES IN (" + values + ")";
            if (b.attach)
              return "ALTER TABLE " + sql_identifier(b.partition_of) + " ATTACH PARTITION " +
                     sql_identifier(b.table) + " " + spec;
            return "CREATE TABLE " + sql_identifier(b.table) + " PARTITION OF " +
                   sql_identifier(b.partition_of) + " " + spec;
          }
          // One key column says PRIMARY KEY after itself; a key of several,
          // or a named one, is a table-level [CONSTRAINT name] PRIMARY KEY
          // (PostgreSQL refuses two column-level ones). Each UNIQUE follows
          // as a table-level one in the order written: PostgreSQL makes the
          // key's index first, then theirs in that order.
          std::vector<std::string> key;
          for (const Column& c : b.columns)
            if (c.primary_key) key.push_back(c.name);
          std::string cols;
          for (const Column& c : b.columns)
            cols += (cols.empty() ? "" : ", ") + sql_identifier(c.name) + " " +
                    (c.blank_padded     ? "char(" + std::to_string(c.max_length) + ")"
                     : c.max_length > 0 ? "varchar(" + std::to_string(c.max_length) + ")"
                     : c.identity != Column::Identity::kNone
                         ? type_sql(c.type) + (c.identity == Column::Identity::kAlways
                                                   ? " GENERATED ALWAYS AS IDENTITY"
                                                   : " GENERATED BY DEFAULT AS IDENTITY")
                     : !c.sequence.empty()
                         ? type_sql(c.type) + " DEFAULT " + sequence_sql(c.sequence, false)
                     : c.serial ? (c.type == ColumnType::kBigInt     ? "bigserial"
                                   : c.type == ColumnType::kSmallInt ? "smallserial"
                                                                     : "serial")
                     : c.precision > 0
                         ? "numeric(" + std::to_string(c.precision) + ", " +
                               std::to_string(c.scale) + ")"
                         : type_sql(c.type) + (c.time_precision >= 0
                                                   ? "(" + std::to_string(c.time_precision) + ")"
                                                   : "")) +
                    (c.default_value ? " DEFAULT " + to_sql(*c.default_value) : "") +
                    (c.primary_key && key.size() == 1 && b.key_name.empty() ? " PRIMARY KEY"
                     : c.not_null                                           ? " NOT NULL"
                                                                            : "");
          if (key.size() > 1 || (!key.empty() && !b.key_name.empty()))
            cols += std::string(", ") +
                    (b.key_name.empty() ? "" : "CONSTRAINT " + sql_identifier(b.key_name) + " ") +
                    "PRIMARY KEY (" + names_sql(key) + ")";
          for (const UniqueDef& u : b.uniques)
            cols += ", " + (u.name.empty() ? "" : "CONSTRAINT " + sql_identifier(u.name) + " ") +
                    "UNIQUE (" + names_sql(u.columns) + ")";
          for (const ForeignKeyDef& fk : b.foreign_keys) {
            cols += ", FOREIGN KEY (" + names_sql(fk.columns) + ") REFERENCES " +
                    sql_identifier(fk.table);
            if (!fk.ref_columns.empty()) cols += " (" + names_sql(fk.ref_columns) + ")";
            cols += fk_actions_sql(fk);
          }
          for (const CheckDef& d : b.checks)
            cols +=
                ", CONSTRAINT " + sql_identifier(d.name) + " CHECK (" + p.expr(*d.condition) + ")";
          return std::string("CREATE TABLE ") + (b.if_not_exists ? "IF NOT EXISTS " : "") +
                 sql_identifier(b.table) + " (" + cols + ")" +
                 (b.partition_by.empty()
                      ? ""
                      : std::string(" PARTITION BY ") + (b.partition_range ? "RANGE" : "LIST") +
                            " (" + sql_identifier(b.partition_by) + ")");
        } else if constexpr (std::is_same_v<T, DropTableStmt>) {
          std::string names;
          for (const std::string& t : b.tables)
            names += (names.empty() ? "" : ", ") + sql_identifier(t);
          return std::string("DROP TABLE ") + (b.if_exists ? "IF EXISTS " : "") + names +
                 (b.cascade ? " CASCADE" : "");
        } else if constexpr (std::is_same_v<T, SequenceStmt>) {
          if (b.drop)
            return std::string("DROP SEQUENCE ") + (b.if_exists ? "IF EXISTS " : "") +
                   sql_identifier(b.name);
          std::string out = std::string("CREATE SEQUENCE ") +
                            (b.if_exists ? "IF NOT EXISTS " : "") + sql_identifier(b.name) +
                            " INCREMENT BY " + std::to_string(b.increment);
          if (b.min) out += " MINVALUE " + std::to_string(*b.min);
          if (b.max) out += " MAXVALUE " + std::to_string(*b.max);
          if (b.start) out += " START WITH " + std::to_string(*b.start);
          return out + (b.cycle ? " CYCLE" : " NO CYCLE");
        } else if constexpr (std::is_same_v<T, AddIndexStmt>) {
          std::string cols = names_sql(b.index.columns);
          if (!b.opclasses.empty()) {  // a plain index's operator classes
            cols.clear();
            for (size_t k = 0; k < b.index.columns.size(); ++k)
              cols +=
                  (k ? ", " : "") + sql_identifier(b.index.columns[k]) +
                  (k < b.opclasses.size() && !b.opclasses[k].empty() ? " " + b.opclasses[k] : "");
          }
          if (b.statement)
            return std::string(b.unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") +
                   (b.index.name.empty() ? "" : sql_identifier(b.index.name) + " ") + "ON " +
                   sql_identifier(b.table) + " (" + cols + ")" +
                   (b.predicate ? " WHERE " + p.expr(*b.predicate) : "");
          return "ALTER TABLE " + sql_identifier(b.table) + " ADD " +
                 (b.index.name.empty() ? "" : "CONSTRAINT " + sql_identifier(b.index.name) + " ") +
                 (b.primary ? "PRIMARY KEY (" : "UNIQUE (") + cols + ")";
        } else if constexpr (std::is_same_v<T, AlterForeignKeyStmt>) {
          std::string head = "ALTER TABLE " + sql_identifier(b.table);
          if (!b.add) return head + " VALIDATE CONSTRAINT " + sql_identifier(b.validate);
          const ForeignKeyDef& fk = *b.add;
          return head + " ADD " +
                 (fk.name.empty() ? "" : "CONSTRAINT " + sql_identifier(fk.name) + " ") +
                 "FOREIGN KEY (" + names_sql(fk.columns) + ") REFERENCES " +
                 sql_identifier(fk.table) +
                 (fk.ref_columns.empty() ? "" : " (" + names_sql(fk.ref_columns) + ")") +
                 fk_actions_sql(fk) + (b.not_valid ? " NOT VALID" : "");
        } else if constexpr (std::is_same_v<T, LockTableStmt>) {
          std::string names;
          for (const std::string& t : b.tables)
            names += (names.empty() ? "" : ", ") + sql_identifier(t);
          if (!b.utility.empty())
            return b.utility + " " + names + (b.options.empty() ? "" : " " + b.options);
          return "LOCK TABLE " + names + " IN " + to_sql(b.mode) + " MODE" +
                 (b.nowait ? " NOWAIT" : "");
        } else if constexpr (std::is_same_v<T, SelectValuesStmt>) {
          std::string items;
          for (size_t i = 0; i < b.items.size(); ++i)
            items += (i ? ", " : "") + p.expr(*b.items[i]) + " AS " + sql_identifier(b.names[i]);
          return "SELECT " + items;
        } else if constexpr (std::is_same_v<T, SetStmt>) {
          if (b.name == "transaction") {
            std::string modes;
            auto add = [&](const std::string& m) { modes += (modes.empty() ? " " : ", ") + m; };
            if (b.isolation) add(std::string("ISOLATION LEVEL ") + to_sql(*b.isolation));
            if (b.read_only) add(*b.read_only ? "READ ONLY" : "READ WRITE");
            if (b.deferrable) add(*b.deferrable ? "DEFERRABLE" : "NOT DEFERRABLE");
            return "SET TRANSACTION" + modes;
          }
          if (b.name == "constraints")
            return "SET CONSTRAINTS " + (b.constraints.empty() ? "ALL" : names_sql(b.constraints)) +
                   (b.defer ? " DEFERRED" : " IMMEDIATE");
          if (b.name == "default_transaction_isolation" && !b.reset)
            return std::string(b.local ? "SET LOCAL " : "SET ") + b.name + " = " +
                   to_sql(Value{b.value});
          if (b.reset) return std::string(b.local ? "SET LOCAL " : "SET ") + b.name + " TO DEFAULT";
          return std::string(b.local ? "SET LOCAL " : "SET ") + b.name + " = " +
                 to_sql(Value{b.value});
        } else if constexpr (std::is_same_v<T, AdvisoryStmt>) {
          std::string items;
          for (const AdvisoryItem& item : b.items)
            items += (items.empty() ? "" : ", ") + item.call.function() + "(" +
                     (item.key ? p.expr(*item.key) : "") +
                     (item.key2 ? ", " + p.expr(*item.key2) : "") + ")";
          return "SELECT " + items;
        } else {
          return "";  // application actions are not SQL
        }
      },
      st.body);
}

}  // namespace

std::string server_sql(const Step& st, const Vars& vars,
                       std::vector<std::optional<std::string>>* params) {
  return print_server_sql(st, vars, params, nullptr);
}

namespace {

// What the printed text depends on of a parameter's value: NULL (printed as
// the literal), a whole number (::int8), a boolean (::bool), a numeric
// (::numeric) or text (::text).
char param_kind(const Value& v) {
  return is_null(v)                           ? 'n'
         : std::holds_alternative<int64_t>(v) ? 'i'
         : std::holds_alternative<bool>(v)    ? 'b'
         : std::holds_alternative<Decimal>(v) ? 'd'
                                              : 't';
}

}  // namespace

const std::string& ServerSqlCache::sql(const Step& st, const Vars& vars,
                                       std::vector<std::optional<std::string>>* params) {
  // The text depends on the values only through which parameters are NULL
  // (printed as the literal) and which are whole numbers (::int8), numerics
  // (::numeric), booleans (::bool) or text (::text).
  auto found = names_.find(&st);
  if (found != names_.end() && found->second.first != st.text) {
    // Another step now lives where a forgotten one did: start again.
    names_.clear();
    texts_.clear();
    found = names_.end();
  }
  if (found != names_.end()) {
    key_.clear();
    bool known = true;
    for (const std::string& name : found->second.second) {
      auto it = vars.find(name);
      if (it == vars.end()) {
        known = false;  // the printer says which is missing
        break;
      }
      key_ += param_kind(it->second.value);
    }
    if (known) {
      auto text = texts_.find({&st, key_});
      if (text != texts_.end()) {
        const size_t base = params->size();
        for (const std::string& name : found->second.second) {
          const Value& v = vars.find(name)->second.value;
          if (is_null(v)) continue;
          if (auto* t = std::get_if<std::string>(&v); t && t->find('\0') != std::string::npos) {
            params->resize(base);
            return scratch_ = print_server_sql(st, vars, params, nullptr);  // refused there
          }
          params->push_back(to_display(v));
        }
        return text->second;
      }
    }
  }
  std::vector<std::string> names;
  std::string out = print_server_sql(st, vars, params, &names);
  key_.clear();
  for (const std::string& name : names) key_ += param_kind(vars.find(name)->second.value);
  names_[&st] = {st.text, std::move(names)};
  return texts_[{&st, key_}] = std::move(out);
}

}  // namespace ccsim
