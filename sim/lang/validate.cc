#include "lang/validate.h"

#include <algorithm>
#include <cctype>

#include "lang/eval.h"
#include "lang/typing.h"

namespace ccsim {

namespace {

// Returns the column where `word` stands in the step's line (whole word,
// any case), or the step's own column when it cannot be found.
int column_of(const Step& s, const std::string& word, bool last = false) {
  const std::string& line = s.source_line;
  int found = s.column;
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  for (size_t i = 0; i + word.size() <= line.size(); ++i) {
    bool match = true;
    for (size_t k = 0; k < word.size() && match; ++k) match = lower(line[i + k]) == lower(word[k]);
    auto boundary = [&](size_t j) {
      return j >= line.size() ||
             !(std::isalnum(static_cast<unsigned char>(line[j])) || line[j] == '_');
    };
    if (match && (i == 0 || boundary(i - 1)) && boundary(i + word.size()) &&
        (i == 0 || line[i - 1] != ':')) {
      // s.column is where the first non-blank character of the line stands.
      found = s.column - static_cast<int>(line.find_first_not_of(" \t")) + static_cast<int>(i);
      if (!last) return found;
    }
  }
  return found;
}

class Validator {
 public:
  Validator(const Program& p, const Store& schema, const std::set<std::string>& params)
      : p_(p), schema_(schema), defined_(params) {
    // A parameter is defined when any step assigns it: programs are straight
    // lines except RETRY, which only repeats a step, and SKIP, which passes
    // steps over (a value it leaves unassigned is an error when read).
    for (const Step& s : p.steps) {
      if (auto* sel = std::get_if<SelectStmt>(&s.body))
        for (const std::string& v : sel->into) defined_.insert(v);
      if (auto* let = std::get_if<LetAction>(&s.body)) defined_.insert(let->var);
      if (auto* adv = std::get_if<AdvisoryStmt>(&s.body))
        for (const std::string& v : adv->into) defined_.insert(v);
      if (auto* values = std::get_if<SelectValuesStmt>(&s.body))
        for (const std::string& v : values->into) defined_.insert(v);
    }
    for (size_t i = 0; i < schema.table_count(); ++i)
      for (const Column& c : schema.table(TableId{static_cast<uint32_t>(i)}).columns)
        numeric_ |= c.type == ColumnType::kNumeric;
  }

  void run() {
    for (size_t i = 0; i < p_.steps.size(); ++i) {
      const Step& s = p_.steps[i];
      std::visit([&](const auto& body) { check(s, i, body); }, s.body);
      refuse_untyped(s);
    }
  }

  // ---- Rule: what parse analysis would need ccsim does not model -------------
  // A statement whose types lead to something not modelled (an interval,
  // jsonb's - operator) is refused where it is written, with the tables'
  // columns as the setup made them; parameters' types are known only when
  // it runs, so those refusals come then (0A000).
  void refuse_untyped(const Step& s) const {
    const std::string* name = nullptr;
    if (auto* ins = std::get_if<InsertStmt>(&s.body)) name = &ins->table;
    if (auto* sel = std::get_if<SelectStmt>(&s.body)) name = &sel->table;
    if (auto* upd = std::get_if<UpdateStmt>(&s.body)) name = &upd->table;
    if (auto* del = std::get_if<DeleteStmt>(&s.body)) name = &del->table;
    if (auto* merge = std::get_if<MergeStmt>(&s.body)) name = &merge->table;
    auto* values = std::get_if<SelectValuesStmt>(&s.body);
    std::optional<TableId> t = name ? schema_.find_table(*name) : std::nullopt;
    if (!values && !t) return;
    TableFinder tables = [&](const std::string& n) -> const Table* {
      std::optional<TableId> id = schema_.find_table(n);
      return id ? &schema_.table(*id) : nullptr;
    };
    const Expr* at = nullptr;
    TypingEnv env{nullptr, nullptr, &tables, &at};
    try {
      if (values)
        analyze_values(*values, env);
      else
        analyze_statement(s.body, schema_.table(*t), env);
    } catch (const SqlError& err) {
      if (at && std::string(err.sqlstate()) == "0A000") fail(s, at->column, err.what());
    }
  }

 private:
  [[noreturn]] void fail(const Step& s, int column, const std::string& message) const {
    throw InputError(step_position(s, p_.file, column), message);
  }

  // A table a data statement reads or writes (data) or LOCK TABLE locks.
  const Table& table(const Step& s, const std::string& name, bool data = true) const {
    auto t = schema_.find_table(name);
    if (!t) {
      for (size_t i = 0; i < schema_.table_count(); ++i) {
        const Table& p = schema_.table(TableId{static_cast<uint32_t>(i)});
        if (p.dropped || !p.partitioning) continue;
        for (const Partition& part : p.partitioning->parts)
          if (part.name == name)
            fail(s, column_of(s, name),
                 "a statement on a partition (" + name +
                     ") is not modelled; name its partitioned table " + p.name +
                     ", whose rows it holds");
      }
      std::string known;
      for (size_t i = 0; i < schema_.table_count(); ++i) {
        const Table& tt = schema_.table(TableId{static_cast<uint32_t>(i)});
        if (!tt.dropped) known += (known.empty() ? "" : ", ") + tt.name;
      }
      fail(s, column_of(s, name),
           "there is no table named " + name +
               " (the tables are: " + (known.empty() ? "none" : known) + ")");
    }
    const Table& found = schema_.table(*t);
    if (data && found.columns.empty())
      fail(s, column_of(s, name),
           "a data statement on a table without columns (" + name + ") is not modelled");
    return found;
  }

  void column(const Step& s, const Table& t, const std::string& name, int at = 0) const {
    if (t.column_index(name) >= 0) return;
    std::string known;
    for (const Column& c : t.columns) known += (known.empty() ? "" : ", ") + c.name;
    fail(s, at ? at : column_of(s, name),
         "table " + t.name + " has no column named " + name + " (its columns are: " + known + ")");
  }

  // Whether e's value may be a numeric, as far as the program can tell
  // before it runs: a number written with a point, a numeric column of t
  // (any column of an unknown table) or a cast to numeric, arithmetic over
  // one; a :param or a subquery where a table has a numeric column (a
  // :param's type comes with its value). A comparison, a text or a
  // setting is none.
  bool may_be_numeric(const Expr* e, const Table* t) const {
    if (!e) return false;
    switch (e->kind) {
      case ExprKind::kLiteral:
        return e->decimal_literal || std::holds_alternative<Decimal>(e->literal);
      case ExprKind::kColumn: {
        int i = t ? t->column_index(e->name) : -1;
        return i < 0 ? numeric_ : t->columns[static_cast<size_t>(i)].type == ColumnType::kNumeric;
      }
      case ExprKind::kCast:
        return e->cast_to->type == ColumnType::kNumeric;
      case ExprKind::kBinary:
        if (e->op > BinOp::kMod) return false;  // a comparison, AND, OR or ||
        return may_be_numeric(e->lhs.get(), t) || may_be_numeric(e->rhs.get(), t);
      case ExprKind::kFunction:
        return !counts_characters(e->name) && (e->rhs || may_be_numeric(e->lhs.get(), t));
      case ExprKind::kNeg:
      case ExprKind::kCoalesce:
      case ExprKind::kGreatest:
      case ExprKind::kLeast:
      case ExprKind::kNullIf:
      case ExprKind::kCase:
      case ExprKind::kWhen:
        return may_be_numeric(e->lhs.get(), t) || may_be_numeric(e->rhs.get(), t);
      case ExprKind::kNot:
      case ExprKind::kIsNull:
      case ExprKind::kIsNotNull:
      case ExprKind::kBoolTest:
      case ExprKind::kIsDistinct:
      case ExprKind::kIsNotDistinct:
      case ExprKind::kAdvisory:
      case ExprKind::kCurrentSetting:
      case ExprKind::kCaseFold:
      case ExprKind::kLike:
        return false;
      default:  // a :param, a subquery, DEFAULT
        return numeric_;
    }
  }

  void expr(const Step& s, const Table* t, const ExprPtr& e) const {
    if (!e) return;
    if (e->in_subquery && e->rhs.get() != initplan_allowed_)
      fail(s, e->rhs->column,
           "IN (SELECT ... LIMIT 1) is modelled only on a one-column key, as a condition the "
           "rest of the WHERE of UPDATE, DELETE or SELECT is ANDed to (WHERE id IN (SELECT id "
           "FROM jobs ... LIMIT 1 FOR UPDATE SKIP LOCKED)); elsewhere IN's false for a subquery "
           "that finds no row is not ='s NULL");
    if (e->kind == ExprKind::kSubquery) {  // its columns are its own table's
      const Table& inner = table(s, e->name);
      if (e->initplan) {
        if (e.get() != initplan_allowed_)
          fail(s, e->column,
               "a subquery with ORDER BY, LIMIT or a locking clause is modelled only as the "
               "value of a one-column key in the WHERE of UPDATE, DELETE or SELECT, once "
               "(WHERE id = (SELECT id FROM jobs ... ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED))");
        const auto& plan = std::get<SelectStmt>(e->initplan->body);
        if (plan.order_by) column(s, inner, plan.order_by->column);
      }
      unique_scan(s, inner, e->rhs.get(), nullptr);
      if (e->aggregate && !e->aggregate->column.empty())
        column(s, inner, e->aggregate->column, e->column);
      expr(s, &inner, e->lhs);
      expr(s, &inner, e->rhs);
      return;
    }
    if (e->kind == ExprKind::kColumn) {
      if (!t)
        fail(s, e->column, "a column (" + e->name + ") cannot be used here; use a :parameter");
      column(s, *t, e->name, e->column);
    }
    // ---- Rule: no division where a numeric can reach it -----------------
    // PostgreSQL chooses a numeric quotient's scale from the operands'
    // digits (numeric 7 / 2 is 3.5000000000000000, select_div_scale), which
    // ccsim does not model: no / or % of an operand that may be a numeric
    // (may_be_numeric: a numeric column, a number written with a point, or
    // a :param where a table has a numeric column).
    if (e->kind == ExprKind::kBinary && (e->op == BinOp::kDiv || e->op == BinOp::kMod) &&
        (may_be_numeric(e->lhs.get(), t) || may_be_numeric(e->rhs.get(), t)))
      fail(s, e->column,
           "division (/ or %) of a numeric is not modelled: PostgreSQL chooses the quotient's "
           "digits after the point, and ccsim refuses it where a numeric column or a number "
           "with a point may reach it");
    if (e->kind == ExprKind::kParam && !defined_.count(e->name)) {
      std::string known;
      for (const std::string& n : defined_) known += (known.empty() ? ":" : ", :") + n;
      fail(s, e->column,
           "no request argument or step gives :" + e->name + " a value (known: " + known + ")");
    }
    // A datetime literal whose zone ccsim does not model is refused here,
    // not answered with an error PostgreSQL would not give.
    if (e->kind == ExprKind::kLiteral && e->typed) zone_literal(s, *e, *e->typed);
    if (t && e->kind == ExprKind::kBinary && e->op >= BinOp::kEq && e->op != BinOp::kConcat) {
      auto type_of = [&](const ExprPtr& x) -> std::optional<ColumnType> {
        if (!x || x->kind != ExprKind::kColumn || x->excluded) return std::nullopt;
        int i = t->column_index(x->name);
        if (i < 0 || !is_datetime(t->columns[static_cast<size_t>(i)].type)) return std::nullopt;
        return t->columns[static_cast<size_t>(i)].type;
      };
      if (auto ct = type_of(e->lhs); ct && e->rhs) zone_literal(s, *e->rhs, *ct);
      if (auto ct = type_of(e->rhs); ct && e->lhs) zone_literal(s, *e->lhs, *ct);
    }
    expr(s, t, e->lhs);
    expr(s, t, e->rhs);
  }

  // ---- Rule: a time zone named other than UTC is refused where written ------
  // Its offset depends on the date and the zone database, which ccsim does
  // not model: a quoted literal read as a date or time (a typed literal,
  // or one beside, assigned to or inserted into such a column) that names
  // one is refused when the program is read. (One that arrives in a
  // parameter fails with 0A000 when its statement runs.)
  void zone_literal(const Step& s, const Expr& lit, ColumnType t) const {
    auto* text = std::get_if<std::string>(&lit.literal);
    if (lit.kind != ExprKind::kLiteral || !text) return;
    try {
      datetime_value(*text, t);
    } catch (const SqlError& err) {
      if (std::string(err.sqlstate()) == "0A000") fail(s, lit.column, err.what());
    }
  }
  void zone_literal(const Step& s, const Table& t, const std::string& column,
                    const ExprPtr& value) const {
    int i = t.column_index(column);
    if (i >= 0 && value && is_datetime(t.columns[static_cast<size_t>(i)].type))
      zone_literal(s, *value, t.columns[static_cast<size_t>(i)].type);
  }

  void check(const Step& s, size_t, const AdvisoryStmt& a) const {
    for (const AdvisoryItem& item : a.items) {
      expr(s, nullptr, item.key);
      expr(s, nullptr, item.key2);
    }
    if (!a.into.empty() && a.into.size() != a.items.size())
      fail(s, column_of(s, "INTO"),
           "INTO names " + std::to_string(a.into.size()) + " parameters but the SELECT returns " +
               std::to_string(a.items.size()) + " columns");
  }
  void check(const Step& s, size_t, const AddIndexStmt& a) const {
    fail(s, column_of(s, a.statement ? "CREATE" : "ALTER"),
         std::string(!a.statement ? "ALTER TABLE ... ADD"
                     : a.unique   ? "CREATE UNIQUE INDEX"
                                  : "CREATE INDEX") +
             " is modelled in the setup that runs before the sessions or requests, where no "
             "other transaction is open" +
             (a.unique ? "; make the key with CREATE TABLE here" : ""));
  }
  void check(const Step& s, size_t, const LockTableStmt& l) const {
    for (const std::string& t : l.tables) table(s, t, false);
  }
  void check(const Step& s, size_t, const SelectValuesStmt& v) const {
    for (const ExprPtr& e : v.items) expr(s, nullptr, e);
    if (!v.into.empty() && v.into.size() != v.items.size())
      fail(s, column_of(s, "INTO"),
           "INTO names " + std::to_string(v.into.size()) + " parameters but the SELECT returns " +
               std::to_string(v.items.size()) + " columns");
  }
  void check(const Step& s, size_t, const SelectStmt& sel) const {
    const Table& t = table(s, sel.table);
    unique_scan(s, t, sel.where.get(), &sel);
    for (const std::string& c : sel.columns) column(s, t, c);
    for (const Aggregate& a : sel.aggregates) {
      if (a.column.empty()) continue;
      column(s, t, a.column);
      ColumnType ct = t.columns[static_cast<size_t>(t.column_index(a.column))].type;
      if (a.kind == AggKind::kSum && (ct == ColumnType::kText || is_datetime(ct)))
        fail(s, column_of(s, a.column),
             std::string("sum(") + (ct == ColumnType::kText ? "text" : datetime_type_name(ct)) +
                 ") does not exist in PostgreSQL (42883): sum adds numbers");
    }
    for (const ExprPtr& e : sel.items) expr(s, &t, e);
    where(s, t, sel.where);
    if (sel.order_by) column(s, t, sel.order_by->column);
    for (const OrderBy& o : sel.order_then) column(s, t, o.column);
    size_t width = !sel.items.empty()        ? sel.items.size()
                   : !sel.aggregates.empty() ? sel.aggregates.size()
                   : sel.columns.empty()     ? t.columns.size()
                                             : sel.columns.size();
    if (!sel.into.empty() && sel.into.size() != width)
      fail(s, column_of(s, "INTO"),
           "INTO names " + std::to_string(sel.into.size()) + " parameters but the SELECT returns " +
               std::to_string(width) + " columns");
  }
  // ---- Rule: partitions are made in a setup ----------------------------------
  // CREATE TABLE ... PARTITION BY, ... PARTITION OF and ALTER TABLE ...
  // ATTACH PARTITION change a table's partitions, which ccsim models as
  // fixed once the setup has run (the locks and waits of adding one while
  // other sessions write are not modelled).
  void check(const Step& s, size_t, const CreateTableStmt& c) const {
    if (!c.partition_of.empty() || !c.partition_by.empty())
      fail(s, column_of(s, c.attach ? "ATTACH" : "PARTITION"),
           std::string(c.attach                  ? "ALTER TABLE ... ATTACH PARTITION"
                       : !c.partition_of.empty() ? "CREATE TABLE ... PARTITION OF"
                                                 : "a partitioned table (PARTITION BY)") +
               " is modelled in the setup that runs before the sessions, not in a session's "
               "steps");
  }
  // ---- Rule: a row that may move between partitions beside a foreign key ----
  // An UPDATE that sets a partitioned table's key column may move a row to
  // another partition: a delete and an insert, which PostgreSQL 15 checks
  // against foreign keys in its own way (the root table's UPDATE triggers);
  // not modelled where the table has a foreign key or one refers to it.
  void check(const Step& s, size_t, const UpdateStmt& u) const {
    const Table& t = table(s, u.table);
    if (t.partitioning) {
      const std::string& key = t.columns[static_cast<size_t>(t.partitioning->column)].name;
      const bool referenced =
          !t.foreign_keys.empty() || schema_.referenced(*schema_.find_table(u.table));
      for (const Assignment& a : u.sets)
        if (a.column == key && referenced)
          fail(s, column_of(s, a.column),
               "an UPDATE of a partitioned table's key column (" + key +
                   ") beside a foreign key is not modelled: moving a row between partitions "
                   "checks foreign keys as PostgreSQL 15's root-table triggers do");
    }
    unique_scan(s, t, u.where.get(), nullptr);
    for (const Assignment& a : u.sets) {
      column(s, t, a.column);
      expr(s, &t, a.value);
      zone_literal(s, t, a.column, a.value);
    }
    where(s, t, u.where);
    returning(s, t, u.returning);
  }
  // ---- Rule: a subquery that picks a row runs before the statement ------------
  // (SELECT id FROM jobs WHERE ... ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
  // compared with = to the table's one-column key (its primary key's or a
  // UNIQUE's) gives the index scan its key: PostgreSQL runs it, an InitPlan,
  // as the scan starts, rows or not, before the statement looks at a row.
  // That is the one place ccsim takes such a subquery (where the planner may
  // run it later, or never, it is refused).
  void where(const Step& s, const Table& t, const ExprPtr& w) const {
    initplan_allowed_ = nullptr;
    for (const Expr* at = w.get(); at;) {
      const bool conj = at->kind == ExprKind::kBinary && at->op == BinOp::kAnd;
      const Expr* e = conj ? at->rhs.get() : at;
      if (e->kind == ExprKind::kBinary && e->op == BinOp::kEq && e->lhs && e->rhs) {
        const Expr* col = e->lhs->kind == ExprKind::kColumn ? e->lhs.get() : e->rhs.get();
        const Expr* sub = col == e->lhs.get() ? e->rhs.get() : e->lhs.get();
        if (col->kind == ExprKind::kColumn && !col->excluded && sub->kind == ExprKind::kSubquery &&
            sub->initplan && one_column_key(t, col->name))
          initplan_allowed_ = sub;
      }
      at = conj ? at->lhs.get() : nullptr;
    }
    expr(s, &t, w);
    initplan_allowed_ = nullptr;
  }
  static bool one_column_key(const Table& t, const std::string& column) {
    const int c = t.column_index(column);
    if (c < 0) return false;
    if (t.single_key_column() == c) return true;
    return std::any_of(t.uniques.begin(), t.uniques.end(), [&](const UniqueKey& u) {
      return !u.predicate && u.columns.size() == 1 && u.columns[0] == c;
    });
  }

  // RETURNING's expressions read the table's columns; INTO names as many
  // parameters as it returns columns.
  void returning(const Step& s, const Table& t, const std::optional<Returning>& r) const {
    if (!r) return;
    for (const ExprPtr& e : r->items) expr(s, &t, e);
    size_t width = r->star ? t.columns.size() : r->items.size();
    if (!r->into.empty() && r->into.size() != width)
      fail(s, column_of(s, "INTO", true),
           "INTO names " + std::to_string(r->into.size()) + " parameters but RETURNING returns " +
               std::to_string(width) + " columns");
  }
  void check(const Step& s, size_t, const InsertStmt& ins) const {
    const Table& t = table(s, ins.table);
    for (const std::string& c : ins.columns) column(s, t, c);
    size_t width = ins.columns.empty() ? t.columns.size() : ins.columns.size();
    for (const auto& row : ins.rows) {
      // Without a column list, fewer values fill the first columns and the
      // rest take their defaults, as in PostgreSQL.
      if (row.size() > width || (!ins.columns.empty() && row.size() != width))
        fail(s, row.empty() ? s.column : row.front()->column,
             "this row has " + std::to_string(row.size()) + " values but " + std::to_string(width) +
                 " columns are listed");
      for (size_t k = 0; k < row.size(); ++k) {
        expr(s, nullptr, row[k]);
        if (ins.columns.empty() ? k < t.columns.size() : true)
          zone_literal(s, t, ins.columns.empty() ? t.columns[k].name : ins.columns[k], row[k]);
      }
    }
    expr(s, nullptr, ins.where);  // INSERT ... SELECT's WHERE reads no row
    if (ins.on_conflict) {
      for (const std::string& c : ins.on_conflict->target) column(s, t, c);
      for (const Assignment& a : ins.on_conflict->sets) {
        column(s, t, a.column);
        expr(s, &t, a.value);
        zone_literal(s, t, a.column, a.value);
      }
      expr(s, &t, ins.on_conflict->where);
    }
    returning(s, t, ins.returning);
  }
  void check(const Step& s, size_t, const DeleteStmt& d) const {
    const Table& t = table(s, d.table);
    unique_scan(s, t, d.where.get(), nullptr);
    where(s, t, d.where);
    returning(s, t, d.returning);
  }
  // MERGE: ON and WHEN MATCHED read the target's row; WHEN NOT MATCHED has
  // none (the parser put the source's values in place, lang/parser.cc).
  // A source of several rows: each row's ON and actions, and no unique
  // index that ON pins (PostgreSQL then loops over the source and looks
  // each row up in the index, or hashes, by the source's size).
  void check(const Step& s, size_t i, const MergeStmt& m) const {
    const Table& t = table(s, m.table);
    if (!m.later.empty()) {
      for (const Step& other : p_.steps)
        if (auto* set = std::get_if<SetStmt>(&other.body);
            set && (set->name == "enable_hashjoin" || set->name == "enable_mergejoin" ||
                    set->name == "enable_nestloop"))
          fail(s, s.column,
               "a MERGE source of more than one row in a program that sets " + set->name +
                   " is not modelled: ccsim joins such a source by hashing");
      std::set<std::string> pinned;
      pinned_columns(m.on.get(), pinned);
      std::vector<std::vector<int>> indexes;
      if (!t.key_columns().empty()) indexes.push_back(t.key_columns());
      for (const UniqueKey& u : t.uniques)
        if (!u.predicate) indexes.push_back(u.columns);
      for (const auto& cols : indexes)
        if (pinned.count(t.columns[static_cast<size_t>(cols.front())].name))
          fail(s, s.column,
               "a MERGE source of more than one row whose ON finds the target's rows through "
               "a unique index (" +
                   t.columns[static_cast<size_t>(cols.front())].name +
                   ") is not modelled: PostgreSQL loops over the source and looks each row up "
                   "in the index, or hashes it, by the source's size");
    }
    for (size_t k = 0; k < m.rows(); ++k) {
      const MergeStmt& row = m.row(k);
      unique_scan(s, t, row.on.get(), nullptr);
      expr(s, &t, row.on);
      for (const MergeAction& a : row.actions) {
        expr(s, a.matched ? &t : nullptr, a.condition);
        if (a.kind == MergeAction::Kind::kUpdate) check(s, i, a.update);
        if (a.kind == MergeAction::Kind::kInsert) check(s, i, a.insert);
      }
    }
  }
  void check(const Step& s, size_t, const LetAction& l) const { expr(s, nullptr, l.value); }
  void check(const Step& s, size_t i, const RetryAction& r) const {
    if (i == 0 || !is_sql(p_.steps[i - 1]))
      fail(s, s.column, "RETRY repeats the SQL step just before it, and there is none");
    expr(s, nullptr, r.condition);
  }
  void check(const Step& s, size_t, const RestartAction& r) const { expr(s, nullptr, r.condition); }
  void check(const Step& s, size_t i, const SkipAction& k) const {
    jump(s, i, "SKIP", k.count);
    expr(s, nullptr, k.condition);
  }
  void check(const Step& s, size_t i, const CatchAction& c) const {
    if (i == 0 || !is_sql(p_.steps[i - 1]))
      fail(s, s.column, "CATCH handles an error of the SQL step just before it, and there is none");
    jump(s, i, "CATCH ... SKIP", c.count);
  }
  // A forward jump of n steps past step i: within the program, not onto a
  // RETRY (it would repeat a step that did not run).
  void jump(const Step& s, size_t i, const std::string& what, int64_t n) const {
    const size_t left = p_.steps.size() - i - 1;
    if (static_cast<uint64_t>(n) > left)
      fail(s, s.column,
           what + " " + std::to_string(n) + " passes the end of the program: " +
               std::to_string(left) + (left == 1 ? " step follows it" : " steps follow it"));
    const size_t to = i + 1 + static_cast<size_t>(n);
    if (to < p_.steps.size() && std::holds_alternative<RetryAction>(p_.steps[to].body))
      fail(s, s.column,
           what + " " + std::to_string(n) +
               " lands on a RETRY, which would repeat a step that was skipped; skip the "
               "RETRY too");
  }
  template <class Other>
  void check(const Step&, size_t, const Other&) const {}

  // ---- Rule: what a UNIQUE index's scans ccsim models ---------------------
  // PostgreSQL reads a table through a unique index besides its primary
  // key when the WHERE compares the index's columns with values (a lookup
  // when every column is pinned with =; a bitmap or plain index scan for a
  // range, an IN list or part of the index, when its costs say so), or
  // walks it for ORDER BY its first column with LIMIT. ccsim plans the
  // comparisons as PostgreSQL does (engine/index_lookup.h, key_scan); an
  // IS NULL on the index's first column (an index condition too) and the
  // walk for ORDER BY with LIMIT return rows in another order and take
  // other SERIALIZABLE locks, so they are refused.
  // The column a comparison e of a column with a value names, or null.
  static const Expr* compared_column(const Expr& e, bool equality_only) {
    bool compare = e.kind == ExprKind::kBinary && e.op >= BinOp::kEq && e.op <= BinOp::kGe &&
                   e.op != BinOp::kNe;
    if (!compare && !(e.kind == ExprKind::kIsNull && !equality_only)) return nullptr;
    if (equality_only && e.op != BinOp::kEq) return nullptr;
    for (const Expr* side : {e.lhs.get(), e.rhs.get()}) {
      const Expr* other = side == e.lhs.get() ? e.rhs.get() : e.lhs.get();
      if (side && side->kind == ExprKind::kColumn && !side->excluded &&
          (!other || column_free(*other)))
        return side;
    }
    return nullptr;
  }
  static void pinned_columns(const Expr* e, std::set<std::string>& out) {
    if (!e) return;
    if (e->kind == ExprKind::kBinary && e->op == BinOp::kAnd) {
      pinned_columns(e->lhs.get(), out);
      pinned_columns(e->rhs.get(), out);
    } else if (const Expr* c = compared_column(*e, true)) {
      out.insert(c->name);
    }
  }
  // The first IS NULL of `column` in e, or null.
  static const Expr* first_null_test(const Expr* e, const std::string& column) {
    if (!e) return nullptr;
    if (const Expr* c = compared_column(*e, false);
        c && c->name == column && e->kind == ExprKind::kIsNull)
      return c;
    if (const Expr* c = first_null_test(e->lhs.get(), column)) return c;
    return first_null_test(e->rhs.get(), column);
  }
  // The first LIKE (or ILIKE, NOT LIKE ...) whose left side is `column`, or
  // its cast to text (Django's `"username"::text LIKE 'al%'`, which the
  // planner matches to the index through the relabelling).
  static const Expr* first_like(const Expr* e, const std::string& column) {
    if (!e) return nullptr;
    if (e->kind == ExprKind::kLike && e->lhs) {
      const Expr* x = e->lhs.get();
      if (x->kind == ExprKind::kCast && x->cast_to->type == ColumnType::kText &&
          x->cast_to->max_length == 0 && !x->cast_to->blank_padded)
        x = x->lhs.get();
      if (x->kind == ExprKind::kColumn && x->name == column && !x->excluded) return x;
    }
    if (e->kind == ExprKind::kSubquery) return nullptr;  // its columns are its own table's
    if (const Expr* c = first_like(e->lhs.get(), column)) return c;
    return first_like(e->rhs.get(), column);
  }
  void unique_scan(const Step& s, const Table& t, const Expr* where, const SelectStmt* sel) const {
    if (t.uniques.empty() && t.plain_indexes.empty()) return;
    std::set<std::string> pinned;
    pinned_columns(where, pinned);
    auto all_pinned = [&](const std::vector<int>& cols) {
      return !cols.empty() && std::all_of(cols.begin(), cols.end(), [&](int c) {
        return pinned.count(t.columns[static_cast<size_t>(c)].name) > 0;
      });
    };
    if (all_pinned(t.key_columns())) return;
    for (const UniqueKey& u : t.uniques)
      if ((!u.predicate || implies(where, *u.predicate)) && all_pinned(u.columns)) return;
    // ---- Rule: a partial index serves only a WHERE that implies its predicate ---
    // One whose predicate the WHERE does not imply is never read; one whose
    // predicate it implies is read as a lookup of one row when pinned whole
    // by equalities (a unique one, above), and otherwise is refused: the
    // planner weighs a scan of it by a share of the rows ccsim does not
    // model. So is a WHERE that may imply a predicate in a way ccsim does
    // not prove (ast.h, implication).
    std::vector<std::pair<std::string, const Expr*>> partial;
    for (const UniqueKey& u : t.uniques)
      if (u.predicate) partial.emplace_back(u.name, u.predicate.get());
    for (const PlainIndex& p : t.plain_indexes)
      if (p.predicate) partial.emplace_back(p.name, p.predicate.get());
    for (const auto& [name, predicate] : partial) {
      const Implication how = implication(where, *predicate);
      if (how == Implication::kNot) continue;
      fail(s, s.column,
           std::string("a WHERE that ") + (how == Implication::kImplied ? "implies" : "may imply") +
               " the predicate of the partial index " + name +
               " is not modelled: PostgreSQL may read it through that index, in an order and "
               "with SERIALIZABLE locks ccsim does not model; pin the columns of a partial "
               "unique index with = beside its predicate, written as the index writes it");
    }
    // The indexes besides the primary key's: each UNIQUE's, then each plain
    // one's (its name, its columns, whether its operator class is a
    // pattern_ops one).
    std::vector<std::tuple<std::string, std::string, const std::vector<int>*, bool>> indexes;
    for (const UniqueKey& u : t.uniques)
      if (!u.predicate) indexes.emplace_back("unique index ", u.name, &u.columns, false);
    for (const PlainIndex& p : t.plain_indexes)
      if (!p.predicate) indexes.emplace_back("index ", p.name, &p.columns, p.pattern_ops);
    for (const auto& [kind, name, columns, pattern] : indexes) {
      const std::string& lead = t.columns[static_cast<size_t>(columns->front())].name;
      const std::string why =
          ": PostgreSQL reads that through the index, in an order and with SERIALIZABLE locks "
          "ccsim does not model";
      if (const Expr* c = first_null_test(where, lead))
        fail(s, c->column,
             "IS NULL on " + lead + ", the first column of the " + kind + name +
                 ", is not modelled" + why);
      if (sel && sel->order_by && sel->limit && sel->order_by->column == lead &&
          sel->order_by->index_order())
        fail(s, column_of(s, "ORDER"),
             "ORDER BY " + lead + " with LIMIT (" + lead + " is the first column of the " + kind +
                 name + ") is not modelled" + why);
      // ---- Rule: LIKE beside a pattern_ops index is refused -----------------------
      // With a text_pattern_ops (or varchar_, bpchar_) index, PostgreSQL reads
      // LIKE 'abc%' as a range of that index, a scan ccsim's planner does not
      // weigh.
      if (const Expr* c = pattern ? first_like(where, lead) : nullptr)
        fail(s, c->column,
             "LIKE on " + lead + ", the first column of the pattern_ops index " + name +
                 ", is not modelled" + why);
    }
  }

  const Program& p_;
  const Store& schema_;
  std::set<std::string> defined_;
  bool numeric_ = false;  // a table has a numeric column
  // The one subquery with ORDER BY, LIMIT or a locking clause the WHERE
  // being checked may hold (where()).
  mutable const Expr* initplan_allowed_ = nullptr;
};

}  // namespace

void validate_program(const Program& p, const Store& schema, const std::set<std::string>& params) {
  Validator(p, schema, params).run();
}

}  // namespace ccsim
