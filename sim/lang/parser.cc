#include "lang/parser.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <limits>
#include <set>

#include "lang/clause_parsing.h"
#include "lang/keywords.h"
#include "lang/lexer.h"
#include "lang/typing.h"
#include "lang/unmodelled.h"

namespace ccsim {

namespace {

class Parser : ClauseParsing {
 public:
  Parser(std::string_view line, SourcePos pos) : ClauseParsing(line, pos) {}

  Step parse() {
    Step step;
    step.line = pos_.line;
    step.column = pos_.column + tokens_.front().column - 1;
    step.note = comment_;
    step.body = statement();
    if (!qualifiers_.empty())
      fail(*qualifiers_.front().second,
           "a qualified name (t.col) is read only in SELECT, UPDATE and DELETE; write the "
           "column alone");
    accept_symbol(";");
    if (peek().kind != TokenKind::kEnd) {
      refuse_unmodelled(SqlPlace::kAfterStatement, &step.body);
      bool next_step = peek().kind == TokenKind::kIdent && starts_step(peek().text);
      fail(peek(), "expected the end of the step, found " + describe(peek()) +
                       (next_step ? " (write one step per line)" : ""));
    }
    return step;
  }

 private:
  // Refuses SQL the step language does not model at this place, by name.
  void refuse_unmodelled(SqlPlace place, const StepBody* body = nullptr) {
    if (auto u = unmodelled(place, tokens_, at_, body))
      fail(tokens_[u->token],
           u->feature + " is not modelled" + (u->tip.empty() ? "" : "; " + u->tip));
  }

  StepBody statement() {
    const Token& t = peek();
    if (t.kind != TokenKind::kIdent)
      fail(t,
           "expected a step (SELECT, UPDATE, INSERT, DELETE, BEGIN, COMMIT, ROLLBACK, "
           "CREATE TABLE, DROP TABLE, SET, LET, RETRY, RESTART, SKIP, CATCH, ACQUIRE or RELEASE), "
           "found " +
               describe(t));
    refuse_unmodelled(SqlPlace::kStatement);
    if (accept("BEGIN") || accept("START")) return begin();
    if (accept("COMMIT") || accept("END")) return CommitStmt{};
    if (accept("SAVEPOINT"))
      return SavepointStmt{SavepointStmt::Kind::kSavepoint, name("a savepoint name")};
    if (accept("ROLLBACK") || accept("ABORT")) {
      if (!accept("TO")) {
        accept("WORK") || accept("TRANSACTION");
        return RollbackStmt{};
      }
      accept("SAVEPOINT");
      return SavepointStmt{SavepointStmt::Kind::kRollbackTo, name("a savepoint name")};
    }
    if (peek_is("RELEASE") &&
        !(tokens_[at_ + 1].kind == TokenKind::kIdent && iequals(tokens_[at_ + 1].text, "MUTEX"))) {
      ++at_;
      accept("SAVEPOINT");
      return SavepointStmt{SavepointStmt::Kind::kRelease, name("a savepoint name")};
    }
    subquery_allowed_ =
        peek_is("SELECT") || peek_is("UPDATE") || peek_is("INSERT") || peek_is("DELETE");
    if (accept("SELECT")) {
      if (auto adv = advisory()) return *adv;
      if (auto values = select_values()) return *values;
      if (auto values = aggregate_values()) return *values;
      return select();
    }
    if (accept("UPDATE")) return update();
    if (accept("INSERT")) return insert();
    if (accept("DELETE")) return remove();
    subquery_allowed_ = false;
    if (accept("MERGE")) return merge();
    if (accept("CREATE")) {
      if (peek_is("UNIQUE") || peek_is("INDEX")) return create_index();
      if (accept("SEQUENCE")) return create_sequence();
      return create();
    }
    if (accept("ALTER")) return alter_table();
    if (accept("DROP")) {
      if (accept("SEQUENCE")) {
        SequenceStmt d;
        d.drop = true;
        d.if_exists = peek_is("IF") && accept("IF");
        if (d.if_exists) expect("EXISTS", "after DROP SEQUENCE IF");
        d.name = table_name("a sequence name after DROP SEQUENCE");
        if (peek().kind == TokenKind::kSymbol && peek().text == ",")
          fail(peek(), "DROP SEQUENCE of several sequences is not modelled; drop each alone");
        accept("RESTRICT");
        return d;
      }
      expect("TABLE", "after DROP");
      bool if_exists = peek_is("IF") && accept("IF");
      if (if_exists) expect("EXISTS", "after DROP TABLE IF");
      DropTableStmt d{{}, if_exists};
      do d.tables.push_back(table_name("a table name after DROP TABLE"));
      while (accept_symbol(","));
      if (!accept("RESTRICT")) d.cascade = accept("CASCADE");
      return d;
    }
    if (accept("LOCK")) return lock_table();
    if (peek_is("VACUUM") || peek_is("ANALYZE") || peek_is("ANALYSE")) return maintenance();
    if (accept("SET")) return set();
    if (accept("SHOW")) return show();
    if (accept("RESET")) return reset();
    if (accept("LET")) return let();
    if (accept("RETRY")) return retry();
    if (accept("RESTART")) {
      expect("IF", "after RESTART (write RESTART IF <condition>)");
      return RestartAction{expr()};
    }
    if (accept("SKIP")) return skip();
    if (accept("CATCH")) return catch_errors();
    if (accept("ACQUIRE")) {
      AcquireAction a;
      a.global = accept("GLOBAL");
      expect("MUTEX", a.global ? "after ACQUIRE GLOBAL"
                               : "after ACQUIRE (write ACQUIRE [GLOBAL] MUTEX <name>)");
      a.mutex = name("a mutex name after MUTEX");
      return a;
    }
    if (accept("RELEASE")) {
      expect("MUTEX", "after RELEASE (write RELEASE MUTEX <name>)");
      return ReleaseAction{name("a mutex name after MUTEX")};
    }
    fail(t,
         "unknown step '" + t.text +
             "'; expected SELECT, UPDATE, INSERT, DELETE, BEGIN, COMMIT, ROLLBACK, "
             "CREATE TABLE, DROP TABLE, SET, LET, RETRY, RESTART, SKIP, CATCH, ACQUIRE or RELEASE");
  }

  // BEGIN's transaction modes, in any order, separated by commas or
  // spaces: ISOLATION LEVEL ..., READ WRITE or READ ONLY, [NOT] DEFERRABLE.
  // The last one said of each kind counts, as in PostgreSQL.
  BeginStmt begin() {
    accept("TRANSACTION") || accept("WORK");
    BeginStmt b;
    SetStmt modes = transaction_modes();
    b.isolation = modes.isolation;
    b.read_only = modes.read_only.value_or(false);
    b.deferrable = modes.deferrable.value_or(false);
    return b;
  }

  // Transaction modes (BEGIN's, SET TRANSACTION's), in any order, separated
  // by commas or spaces: ISOLATION LEVEL ..., READ WRITE or READ ONLY, [NOT]
  // DEFERRABLE. The last one said of each kind counts, as in PostgreSQL.
  SetStmt transaction_modes() {
    SetStmt m;
    auto word = [&](size_t k, std::string_view w) {
      const Token& t = tokens_[std::min(at_ + k, tokens_.size() - 1)];
      return t.kind == TokenKind::kIdent && !t.quoted && iequals(t.text, w);
    };
    for (bool first = true;; first = false) {
      size_t back = at_;
      if (!first) accept_symbol(",");
      if (accept("ISOLATION")) {
        m.isolation = isolation_level();
      } else if (word(0, "READ") && (word(1, "ONLY") || word(1, "WRITE"))) {
        m.read_only = word(1, "ONLY");
        at_ += 2;
      } else if (word(0, "NOT") && word(1, "DEFERRABLE")) {
        m.deferrable = false;
        at_ += 2;
      } else if (word(0, "DEFERRABLE")) {
        m.deferrable = true;
        at_ += 1;
      } else {
        at_ = back;
        return m;
      }
    }
  }

  // After ISOLATION: LEVEL and the level.
  Isolation isolation_level() {
    expect("LEVEL", "after ISOLATION");
    const Token& t = peek();
    if (accept("READ")) {
      if (accept("COMMITTED")) return Isolation::kReadCommitted;
      if (accept("UNCOMMITTED")) return Isolation::kReadUncommitted;  // run as READ COMMITTED
      fail(peek(), "expected COMMITTED or UNCOMMITTED after READ, found " + describe(peek()));
    }
    if (accept("REPEATABLE")) {
      expect("READ", "after REPEATABLE");
      return Isolation::kRepeatableRead;
    }
    if (accept("SERIALIZABLE")) return Isolation::kSerializable;
    fail(t,
         "expected an isolation level (READ COMMITTED, REPEATABLE READ or SERIALIZABLE), found " +
             describe(t));
  }

  // A SELECT's [ORDER BY col [ASC|DESC]] [LIMIT n] [FOR mode [OF own] [NOWAIT |
  // SKIP LOCKED]] [LIMIT n]; `own` is the name the locking clause may give.
  void select_tail(SelectStmt& s, const std::string& own) {
    if (accept("ORDER")) {
      expect("BY", "after ORDER");
      do {
        const Token& by = peek();
        OrderBy o{column("a column name after ORDER BY"), false};
        // ---- Rule: ORDER BY a name of the select list -------------------------
        // A name the select list gives an item is that item, before a table's
        // column of the same name, as in PostgreSQL: a column renamed orders
        // by the column; an expression's value is not modelled as an order.
        for (size_t i = 0; i < s.names.size(); ++i) {
          if (s.names[i] != o.column) continue;
          if (s.items[i]->kind != ExprKind::kColumn)
            fail(by, "ORDER BY an expression of the select list (" + s.names[i] +
                         ") is not modelled; order by a table's column");
          o.column = s.items[i]->name;
          break;
        }
        if (accept("DESC"))
          o.descending = true;
        else
          accept("ASC");
        o.nulls_first = o.descending;
        if (accept("NULLS")) {
          if (accept("FIRST"))
            o.nulls_first = true;
          else if (accept("LAST"))
            o.nulls_first = false;
          else
            fail(peek(), "expected FIRST or LAST after NULLS, found " + describe(peek()));
        }
        if (!s.order_by)
          s.order_by = o;
        else
          s.order_then.push_back(o);
      } while (accept_symbol(","));
    }
    bool counted = limit_offset(s);
    if (accept("FOR")) {
      const Token& t = peek();
      if (accept("UPDATE")) {
        s.lock = LockMode::kUpdate;
      } else if (accept("SHARE")) {
        s.lock = LockMode::kShare;
      } else if (accept("NO")) {
        expect("KEY", "after FOR NO");
        expect("UPDATE", "after FOR NO KEY");
        s.lock = LockMode::kNoKeyUpdate;
      } else if (accept("KEY")) {
        expect("SHARE", "after FOR KEY");
        s.lock = LockMode::kKeyShare;
      } else {
        fail(t,
             "expected UPDATE, NO KEY UPDATE, SHARE or KEY SHARE after FOR, found " + describe(t));
      }
      if (accept("OF")) {  // the statement reads one table: OF can name that one only
        do {
          const Token& t = peek();
          std::string named = table_name("a table name after OF");
          if (named != own)
            fail(t, "the locking clause names \"" + named + "\", but the statement reads \"" + own +
                        "\" (PostgreSQL: relation \"" + named + "\" in " + to_sql(*s.lock) +
                        " clause not found in FROM clause, 42P01)");
        } while (peek().kind == TokenKind::kSymbol && peek().text == "," && (++at_, true));
      }
      if (accept("NOWAIT")) {
        s.wait = WaitPolicy::kNoWait;
      } else if (accept("SKIP")) {
        expect("LOCKED", "after SKIP");
        s.wait = WaitPolicy::kSkipLocked;
      }
      // PostgreSQL takes LIMIT and OFFSET before or after the locking clause.
      if (!counted) limit_offset(s);
    }
  }

  // ---- Rule: LIMIT n and OFFSET n, in either order ---------------------------------
  // Each at most once, both on the same side of a locking clause (as
  // PostgreSQL's grammar has them); OFFSET n [ROW | ROWS]. FETCH FIRST |
  // NEXT [n] ROW | ROWS ONLY, the standard's spelling (Hibernate's), is
  // LIMIT n (1 without n); WITH TIES is refused. Whether any was written.
  bool limit_offset(SelectStmt& s) {
    bool any = false;
    for (;;) {
      if (!s.limit && accept("LIMIT")) {
        s.limit = integer("a row count after LIMIT", 0);
      } else if (!s.limit && accept("FETCH")) {
        if (!accept("FIRST")) expect("NEXT", "after FETCH (FIRST or NEXT)");
        s.limit =
            peek_is("ROW") || peek_is("ROWS") ? 1 : integer("a row count after FETCH FIRST", 0);
        if (!accept("ROWS")) expect("ROW", "after FETCH FIRST's row count (ROW or ROWS)");
        if (peek_is("WITH")) fail(peek(), "FETCH FIRST ... WITH TIES is not modelled");
        expect("ONLY", "after FETCH FIRST ... ROWS");
      } else if (!s.offset && accept("OFFSET")) {
        s.offset = integer("a row count after OFFSET", 0);
        if (!accept("ROWS")) accept("ROW");
      } else {
        return any;
      }
      any = true;
    }
  }

  // The refusal of an aggregate beside s's ORDER BY, LIMIT or locking clause.
  static std::string aggregate_with(const SelectStmt& s, const char* where) {
    return std::string("an aggregate with ") +
           (s.lock       ? "a locking clause"
            : s.order_by ? "ORDER BY"
            : s.limit    ? "LIMIT"
                         : "OFFSET") +
           where + " is not modelled" + (s.lock ? " (PostgreSQL refuses it: 0A000)" : "");
  }

  SelectStmt select() {
    SelectStmt s;
    const Token& select_at = peek();
    if (!accept_star() && !select_items(s)) {
      do {
        if (aggregate(s)) continue;
        refuse_unmodelled(SqlPlace::kSelectItem);
        s.columns.push_back(column("a column name or * after SELECT"));
      } while (accept_symbol(","));
    }
    if (!s.aggregates.empty() && !s.columns.empty())
      fail(peek(), "a column beside an aggregate needs GROUP BY, which is not modelled");
    refuse_unmodelled(SqlPlace::kAfterSelectList);
    expect("FROM", "after the column list");
    s.table = table_name("a table name after FROM");
    refuse_join();
    table_alias(false);
    refuse_join();
    if (accept("WHERE")) s.where = where_clause();
    select_tail(s, alias_.empty() ? s.table : alias_);
    if (!s.aggregates.empty() && (s.order_by || s.limit || s.offset || s.lock))
      fail(select_at, aggregate_with(s, ""));
    if (accept("INTO")) s.into = into_list();
    check_qualifiers(s.table);
    return s;
  }

  // What a select list holds, read ahead from the token after SELECT to
  // the list's end (FROM, INTO, WHERE, ORDER, LIMIT, FOR or ';'; a scalar
  // subquery's insides are its own): more than columns (a value, an
  // operator, a call, AS, a subquery), a name after an item (an alias
  // without AS), an aggregate, a pg_ function.
  struct ListShape {
    bool expression = false, alias = false, aggregate = false, pg_call = false;
  };
  ListShape list_shape() const {
    ListShape shape;
    int depth = 0;
    auto word = [](const Token& t, std::initializer_list<std::string_view> words) {
      return t.kind == TokenKind::kIdent && !t.quoted &&
             std::any_of(words.begin(), words.end(),
                         [&](std::string_view w) { return iequals(t.text, w); });
    };
    for (size_t k = at_; k < tokens_.size() && tokens_[k].kind != TokenKind::kEnd; ++k) {
      const Token& t = tokens_[k];
      bool symbol = t.kind == TokenKind::kSymbol, ident = t.kind == TokenKind::kIdent;
      if ((depth == 0 && word(t, {"FROM", "INTO", "WHERE", "ORDER", "LIMIT", "FOR"})) ||
          (symbol && t.text == ";"))
        break;
      if (size_t end = past_subquery(k); end != k) {
        k = end;
        shape.expression |= depth == 0;
        continue;
      }
      const Token& after = tokens_[std::min(k + 1, tokens_.size() - 1)];
      if (ident && !t.quoted && after.kind == TokenKind::kSymbol && after.text == "(") {
        if (aggregate_name(t.text))
          shape.aggregate = true;
        else if (t.text.size() > 3 && iequals(t.text.substr(0, 3), "pg_"))
          shape.pg_call = true;
        else if (depth == 0)
          shape.expression = true;  // coalesce(...) and other calls
      }
      if (symbol && t.text == "(") {
        ++depth;
      } else if (symbol && t.text == ")") {
        --depth;
      } else if (depth == 0) {
        shape.expression |=
            (symbol && t.text != "," && t.text != "." && !(t.text == "*" && k == at_)) ||
            t.kind == TokenKind::kInt || t.kind == TokenKind::kDecimal ||
            t.kind == TokenKind::kString || t.kind == TokenKind::kParam || word(t, {"AS"});
        shape.alias |= ident && after.kind == TokenKind::kIdent && !word(t, {"DISTINCT", "ALL"}) &&
                       !word(after, {"FROM", "INTO", "WHERE"});
      }
    }
    return shape;
  }

  // ---- Rule: a select list of expressions ------------------------------------
  // SELECT 1 AS a, points + 10, id AS key FROM t ...: each row the SELECT
  // returns gives the items' values (Django's exists() is SELECT 1 AS "a"
  // ... LIMIT 1). Reads the list into s.items when it is more than columns
  // and has no aggregate (aggregate_values() and select() read those) and
  // no pg_ call (refused by name); false otherwise, reading nothing.
  bool select_items(SelectStmt& s) {
    ListShape shape = list_shape();
    if ((!shape.expression && !shape.alias) || shape.aggregate || shape.pg_call) return false;
    items(s.items, s.names);
    for (const ExprPtr& e : s.items) columns_read(*e, s.columns);
    return true;
  }

  // When token k opens a scalar subquery ('(' then SELECT), the index of
  // the ')' that closes it (or of the last token); k otherwise.
  size_t past_subquery(size_t k) const {
    const Token& t = tokens_[k];
    if (t.kind != TokenKind::kSymbol || t.text != "(" || k + 1 >= tokens_.size() ||
        tokens_[k + 1].kind != TokenKind::kIdent || tokens_[k + 1].quoted ||
        !iequals(tokens_[k + 1].text, "SELECT"))
      return k;
    int depth = 0;
    for (size_t j = k; j < tokens_.size() && tokens_[j].kind != TokenKind::kEnd; ++j) {
      if (tokens_[j].kind != TokenKind::kSymbol) continue;
      if (tokens_[j].text == "(") ++depth;
      if (tokens_[j].text == ")" && --depth == 0) return j;
    }
    return tokens_.size() - 2;  // unclosed: expr() says so
  }

  // Adds the columns e reads to out, once each, in the order written.
  static void columns_read(const Expr& e, std::vector<std::string>& out) {
    if (e.kind == ExprKind::kColumn && std::find(out.begin(), out.end(), e.name) == out.end())
      out.push_back(e.name);
    if (e.kind == ExprKind::kSubquery) return;  // reads its own table
    if (e.lhs) columns_read(*e.lhs, out);
    if (e.rhs) columns_read(*e.rhs, out);
  }

  // INTO's parameters, after INTO: :a[, :b ...].
  std::vector<std::string> into_list() {
    std::vector<std::string> into;
    do {
      const Token& t = peek();
      if (t.kind != TokenKind::kParam)
        fail(t, "expected a parameter like :points after INTO, found " + describe(t));
      into.push_back(t.text);
      ++at_;
    } while (accept_symbol(","));
    return into;
  }

  // SELECT expr [[AS] name][, ...] [INTO :v, ...] without FROM: one row of
  // values. Returns nothing (and reads nothing) when the list has a FROM,
  // a *, an aggregate or a column, which need a table: select() reads those.
  std::optional<SelectValuesStmt> select_values() {
    const size_t start = at_;
    int depth = 0;
    for (size_t k = at_; k < tokens_.size() && tokens_[k].kind != TokenKind::kEnd; ++k) {
      const Token& t = tokens_[k];
      if (t.kind == TokenKind::kSymbol && t.text == ";") break;  // the statement ends
      if (t.kind == TokenKind::kSymbol && t.text == "(") ++depth;
      if (t.kind == TokenKind::kSymbol && t.text == ")") --depth;
      // (IS [NOT] DISTINCT FROM's FROM is no table's.)
      const bool distinct_from = k > 0 && tokens_[k - 1].kind == TokenKind::kIdent &&
                                 !tokens_[k - 1].quoted && iequals(tokens_[k - 1].text, "DISTINCT");
      if (depth == 0 && t.kind == TokenKind::kIdent && !t.quoted && iequals(t.text, "FROM") &&
          !distinct_from)
        return std::nullopt;
    }
    SelectStmt probe;
    if (peek().kind == TokenKind::kSymbol && peek().text == "*") return std::nullopt;
    const size_t qualified_before = qualifiers_.size();
    SelectValuesStmt v;
    settings_allowed_ = sequences_allowed_ = true;
    do {
      size_t item_at = at_;
      if (aggregate(probe)) {
        at_ = start;
        settings_allowed_ = sequences_allowed_ = false;
        return std::nullopt;
      }
      at_ = item_at;
      ExprPtr e = expr();
      if (names_column(*e)) {  // a column needs its table: select() says so
        at_ = start;
        qualifiers_.resize(qualified_before);
        settings_allowed_ = sequences_allowed_ = false;
        return std::nullopt;
      }
      std::string label = item_name(*e);
      v.items.push_back(std::move(e));
      v.names.push_back(std::move(label));
    } while (accept_symbol(","));
    settings_allowed_ = sequences_allowed_ = false;
    if (peek_is("WHERE") || peek_is("ORDER") || peek_is("LIMIT") || peek_is("GROUP") ||
        peek_is("HAVING") || peek_is("FOR"))
      fail(peek(), "a SELECT without FROM with " + peek().text + " is not modelled");
    if (accept("INTO")) v.into = into_list();
    return v;
  }

  // SELECT coalesce(max(n) + 1, 1) [AS name], ... FROM t [WHERE pred]
  // [INTO ...]: a select list of expressions over aggregates, without GROUP
  // BY: one row. Read as a SELECT without FROM whose aggregates are scalar
  // subqueries over t with the same WHERE, which gives the same row: every
  // aggregate reads the same rows with the statement's snapshot (and, at
  // SERIALIZABLE, takes the same predicate locks). Returns nothing (and
  // reads nothing) when the list is plain aggregates or has none.
  std::optional<SelectValuesStmt> aggregate_values() {
    ListShape shape = list_shape();
    if (!(shape.expression || shape.pg_call) || !shape.aggregate) return std::nullopt;
    SelectValuesStmt v;
    over_aggregates(v.items, &v.names, "a column beside an aggregate needs GROUP BY");
    if (accept("INTO")) v.into = into_list();
    return v;
  }

  // The select list (names: its items' names, when wanted) and FROM t
  // [WHERE pred] of a list over aggregates, read as aggregate_values()
  // says: each aggregate a scalar subquery over t with the WHERE. A column
  // outside every aggregate is refused with `beside`.
  void over_aggregates(std::vector<ExprPtr>& list, std::vector<std::string>* names,
                       const std::string& beside) {
    std::vector<std::shared_ptr<Expr>> pending;
    aggregates_ = &pending;
    if (names)
      items(list, *names);
    else
      list = insert_items();
    aggregates_ = nullptr;
    for (const ExprPtr& e : list)
      if (const Expr* c = first_column(*e))
        throw InputError(SourcePos{pos_.file, c->line, c->column},
                         beside + ", which is not modelled");
    expect("FROM", "after the column list");
    std::string table = table_name("a table name after FROM");
    table_alias(false);
    ExprPtr where;
    if (accept("WHERE")) {
      const Token& at = peek();
      where = where_clause();
      if (has_kind(*where, ExprKind::kAdvisory) || has_kind(*where, ExprKind::kSubquery))
        fail(at,
             "an advisory lock or a subquery in the WHERE of a select list over aggregates "
             "is not modelled");
    }
    const Token& t = peek();
    if (peek_is("ORDER") || peek_is("LIMIT") || peek_is("FOR") || peek_is("GROUP") ||
        peek_is("HAVING"))
      fail(t, "an aggregate with " + (peek_is("FOR") ? std::string("a locking clause") : t.text) +
                  " is not modelled" + (peek_is("FOR") ? " (PostgreSQL refuses it: 0A000)" : ""));
    check_qualifiers(table);
    for (const std::shared_ptr<Expr>& a : pending) {
      a->name = table;
      a->rhs = where;
    }
  }

  // INSERT ... SELECT's items: expr [AS label], ... (an INSERT uses no label).
  std::vector<ExprPtr> insert_items() {
    std::vector<ExprPtr> row;
    do {
      row.push_back(expr());
      if (accept("AS")) name("a column label after AS");
    } while (accept_symbol(","));
    return row;
  }

  static bool aggregate_name(const std::string& word) {
    return iequals(word, "count") || iequals(word, "sum") || iequals(word, "min") ||
           iequals(word, "max");
  }

  static const Expr* first_column(const Expr& e) {
    if (e.kind == ExprKind::kColumn) return &e;
    if (e.kind == ExprKind::kSubquery) return nullptr;
    if (e.lhs)
      if (const Expr* c = first_column(*e.lhs)) return c;
    return e.rhs ? first_column(*e.rhs) : nullptr;
  }

  static bool has_kind(const Expr& e, ExprKind k) {
    return e.kind == k || (e.lhs && has_kind(*e.lhs, k)) || (e.rhs && has_kind(*e.rhs, k));
  }

  // Whether e reads a column of a row (outside its scalar subqueries).
  static bool names_column(const Expr& e) {
    if (e.kind == ExprKind::kColumn) return true;
    if (e.kind == ExprKind::kSubquery) return false;
    return (e.lhs && names_column(*e.lhs)) || (e.rhs && names_column(*e.rhs));
  }

  // A list of items, each an expression and its name: expr [[AS] name], ...
  void items(std::vector<ExprPtr>& exprs, std::vector<std::string>& names) {
    do {
      exprs.push_back(expr());
      names.push_back(item_name(*exprs.back()));
    } while (accept_symbol(","));
  }

  // The name of a select-list (or RETURNING) item e just read: [AS] name
  // when one follows, else PostgreSQL's own (column_label).
  std::string item_name(const Expr& e) {
    if (accept("AS")) return name("a column name after AS");
    if (peek().kind == TokenKind::kIdent && !peek_is("INTO") && !peek_is("FROM") &&
        !peek_is("WHERE"))
      return name("a column name");
    return column_label(e);
  }

  // ---- Rule: the name of a select-list column without AS ---------------------
  // As PostgreSQL's FigureColname: a column its name, a function call the
  // function's, a scalar subquery its own column's, a typed literal (a
  // cast) its type's, anything else ?column?.
  static std::string column_label(const Expr& e) {
    // A cast is named after its value when that has a name of its own (a
    // column, a function), else after its type (FigureColname's strength).
    if (e.kind == ExprKind::kCast) {
      const Expr& x = *e.lhs;
      bool named = x.kind == ExprKind::kColumn || x.kind == ExprKind::kCoalesce ||
                   x.kind == ExprKind::kGreatest || x.kind == ExprKind::kLeast ||
                   x.kind == ExprKind::kCurrentSetting || x.kind == ExprKind::kAdvisory ||
                   x.kind == ExprKind::kSequence || x.kind == ExprKind::kCaseFold ||
                   x.kind == ExprKind::kFunction || x.kind == ExprKind::kSubquery;
      return named ? column_label(x) : e.cast_to->name;
    }
    switch (e.kind) {
      case ExprKind::kLiteral:
        if (e.typed)
          return *e.typed == ColumnType::kDate        ? "date"
                 : *e.typed == ColumnType::kTimestamp ? "timestamp"
                                                      : "timestamptz";
        return "?column?";
      case ExprKind::kColumn:
        return e.name;
      case ExprKind::kCoalesce:
        return "coalesce";
      case ExprKind::kGreatest:
        return "greatest";
      case ExprKind::kNullIf:
        return "nullif";
      case ExprKind::kCaseFold:
      case ExprKind::kFunction:
        return e.name;
      case ExprKind::kLeast:
        return "least";
      case ExprKind::kCase:
        return "case";
      case ExprKind::kCurrentSetting:
        return "current_setting";
      case ExprKind::kSequence:
        return e.currval ? "currval" : "nextval";
      case ExprKind::kAdvisory:
        return e.call.function();
      case ExprKind::kSubquery:
        if (e.exists) return "exists";
        if (e.aggregate) return to_sql(e.aggregate->kind);
        return column_label(*e.lhs);
      default:
        return "?column?";
    }
  }

  // ---- Rule: GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY ------------------
  // A column whose values come from its own sequence, as serial's do
  // (Column::identity). Its type is smallint, int or bigint (22023 otherwise); a
  // DEFAULT, serial or a second identity beside it is 42601. The sequence's
  // options in parentheses are not modelled.
  void identity(const CreateTableStmt& c, Column& col, bool serial) {
    const Token& g = next();
    auto where = "for column \"" + col.name + "\" of table \"" + c.table + "\" (42601)";
    if (col.identity != Column::Identity::kNone)
      fail(g, "multiple identity specifications " + where);
    if (serial || col.default_value) fail(g, "both default and identity specified " + where);
    if (col.type != ColumnType::kSmallInt && col.type != ColumnType::kInt &&
        col.type != ColumnType::kBigInt)
      fail(g, "identity column type must be smallint, integer, or bigint (22023)");
    col.identity = accept("ALWAYS") ? Column::Identity::kAlways : Column::Identity::kByDefault;
    if (col.identity == Column::Identity::kByDefault) at_ += 2;  // BY DEFAULT
    at_ += 2;                                                    // AS IDENTITY
    if (peek().kind == TokenKind::kSymbol && peek().text == "(")
      fail(peek(),
           "an identity column's sequence options (START WITH, INCREMENT BY ...) are "
           "not modelled; its values start at 1 and go up by 1");
    col.serial = true;
  }

  // ---- Rule: a type's name ------------------------------------------------------
  // smallint (int2), int (integer, int4), bigint (int8), smallserial, serial
  // and bigserial (a column's only, not a cast's), text, varchar(n)
  // (character varying), boolean (bool), date, timestamp[(p)] [with[out]
  // time zone], timestamptz[(p)] (p a column's only), numeric(p, s)
  // (decimal). Fills col's type, length, precision and scale, and for a
  // cast its name with PostgreSQL's own name of the type (int2, int4, int8,
  // varchar ...), what a cast names its column. False when no type is there.
  bool type_name(Column& col, bool cast) {
    bool varchar = false;
    if (accept("int") || accept("integer") || accept("int4")) {
      col.type = ColumnType::kInt;
    } else if (accept("smallint") || accept("int2")) {
      col.type = ColumnType::kSmallInt;
    } else if (!cast && (accept("smallserial") || accept("serial2"))) {
      col.type = ColumnType::kSmallInt;
      col.serial = col.not_null = true;
    } else if (accept("bigint") || accept("int8")) {
      col.type = ColumnType::kBigInt;
    } else if (!cast && (accept("serial") || accept("serial4"))) {
      col.type = ColumnType::kInt;
      col.serial = col.not_null = true;
    } else if (!cast && (accept("bigserial") || accept("serial8"))) {
      col.type = ColumnType::kBigInt;
      col.serial = col.not_null = true;
    } else if (accept("text")) {
      col.type = ColumnType::kText;
    } else if (accept("varchar") ||
               (peek_is("character") && tokens_[at_ + 1].kind == TokenKind::kIdent &&
                iequals(tokens_[at_ + 1].text, "varying") && (at_ += 2))) {
      col.type = ColumnType::kText;  // varchar(n): text of at most n characters
      varchar = true;
      if (accept_symbol("(")) {
        col.max_length = integer("a length", 1);
        expect_symbol(")", "to close the length");
      }
    } else if (accept("char") || accept("character")) {
      col.type = ColumnType::kText;  // char(n): text blank-padded to n characters; char is char(1)
      col.blank_padded = true;
      col.max_length = 1;
      if (accept_symbol("(")) {
        col.max_length = integer("a length", 1);
        expect_symbol(")", "to close the length");
      }
    } else if (accept("boolean") || accept("bool")) {
      col.type = ColumnType::kBool;
    } else if (accept("uuid")) {
      col.type = ColumnType::kUuid;
    } else if (accept("date")) {
      col.type = ColumnType::kDate;
    } else if (accept("timestamptz")) {
      col.type = ColumnType::kTimestampTz;
      if (!cast) col.time_precision = time_precision();
    } else if (accept("timestamp")) {
      if (!cast) col.time_precision = time_precision();
      col.type = timestamp_zone();
    } else if (accept("numeric") || accept("decimal")) {
      col.type = ColumnType::kNumeric;
      // ---- Rule: numeric(p, s): p digits, s after the point -------------
      // PostgreSQL 15 takes a precision of 1 to 1000 and a scale of -1000
      // to 1000 (22023 otherwise); ccsim models 0 <= s <= p <= 38.
      if (accept_symbol("(")) {
        const Token& pt = peek();
        bool negative = accept_symbol("-");
        const Token& pd = peek();
        if (pd.kind != TokenKind::kInt)
          fail(pd, "expected numeric's precision, found " + describe(pd));
        int64_t p = pd.text.size() > 6 ? 1000000 : std::stoll(pd.text);
        ++at_;
        if (negative) p = -p;
        int64_t sc = 0;
        const Token* st = nullptr;
        if (accept_symbol(",")) {
          st = &peek();
          bool minus = accept_symbol("-");
          const Token& sd = peek();
          if (sd.kind != TokenKind::kInt)
            fail(sd, "expected numeric's scale, found " + describe(sd));
          sc = sd.text.size() > 6 ? 1000000 : std::stoll(sd.text);
          if (minus) sc = -sc;
          ++at_;
        }
        expect_symbol(")", "to close numeric's precision and scale");
        if (p < 1 || p > 1000)
          fail(pt, "NUMERIC precision " + std::to_string(p) +
                       " must be between 1 and 1000 (PostgreSQL: 22023)");
        if (sc < -1000 || sc > 1000)
          fail(*st, "NUMERIC scale " + std::to_string(sc) +
                        " must be between -1000 and 1000 (PostgreSQL: 22023)");
        if (sc < 0 || sc > p || p > Decimal::kMaxDigits || sc > Decimal::kMaxScale)
          fail(pt, "numeric(" + std::to_string(p) + ", " + std::to_string(sc) +
                       ") is not modelled; ccsim models numeric(p, s) with 0 <= s <= p <= " +
                       std::to_string(Decimal::kMaxDigits) +
                       " and s <= " + std::to_string(Decimal::kMaxScale));
        col.precision = static_cast<int>(p);
        col.scale = static_cast<int>(sc);
      }
    } else {
      return false;
    }
    // text, uuid and date are type names, not keywords, and take no
    // modifier: PostgreSQL's typmodin refuses one (42601).
    const bool plain = (col.type == ColumnType::kText && !varchar && !col.blank_padded) ||
                       col.type == ColumnType::kUuid || col.type == ColumnType::kDate;
    if (plain && peek().kind == TokenKind::kSymbol && peek().text == "(")
      fail(peek(), std::string("type modifier is not allowed for type \"") +
                       (col.type == ColumnType::kText   ? "text"
                        : col.type == ColumnType::kUuid ? "uuid"
                                                        : "date") +
                       "\" (PostgreSQL: 42601)");
    if (!cast) return true;
    col.name = col.type == ColumnType::kSmallInt      ? "int2"
               : col.type == ColumnType::kInt         ? "int4"
               : col.type == ColumnType::kBigInt      ? "int8"
               : col.type == ColumnType::kNumeric     ? "numeric"
               : col.type == ColumnType::kBool        ? "bool"
               : col.type == ColumnType::kUuid        ? "uuid"
               : col.type == ColumnType::kDate        ? "date"
               : col.type == ColumnType::kTimestamp   ? "timestamp"
               : col.type == ColumnType::kTimestampTz ? "timestamptz"
               : col.blank_padded                     ? "bpchar"
               : col.max_length > 0 || varchar        ? "varchar"
                                                      : "text";
    return true;
  }

  // ---- Rule: a table's alias -------------------------------------------------------
  // FROM t [AS] x, UPDATE t [AS] x, DELETE FROM t [AS] x, INSERT INTO t AS x:
  // the statement's columns are qualified with x (t.col is then 42P01) and
  // FOR UPDATE OF names x. A word that goes on the statement (WHERE, SET,
  // ...) is no alias; INSERT takes one only after AS, as PostgreSQL does.
  void table_alias(bool as_only) {
    alias_.clear();
    if (accept("AS")) {
      alias_ = name("an alias after AS");
      return;
    }
    const Token& t = peek();
    if (as_only || t.kind != TokenKind::kIdent) return;
    if (!t.quoted && (step_reserved(t.text) || is_clause_word(t) || iequals(t.text, "USING") ||
                      iequals(t.text, "FOR") || iequals(t.text, "TABLESAMPLE")))
      return;
    alias_ = name("an alias");
  }

  // ---- Rule: a join is refused by name ------------------------------------------
  // A second table in a statement (JOIN, a comma, UPDATE ... FROM, DELETE
  // ... USING) is not modelled; refused where it starts, before its
  // columns' qualifiers are read as unknown tables.
  void refuse_join() {
    const Token& t = peek();
    for (const char* k : {"JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL"})
      if (peek_is(k)) fail(t, std::string("a join (") + k + ") is not modelled");
    if (t.kind == TokenKind::kSymbol && t.text == ",")
      fail(t, "a second table in FROM (a join) is not modelled");
  }

  UpdateStmt update() {
    UpdateStmt u;
    u.table = table_name("a table name after UPDATE");
    const size_t after_table = at_;
    table_alias(false);
    if (peek().kind == TokenKind::kSymbol && peek().text == "=") {  // a SET left out, not an alias
      at_ = after_table;
      alias_.clear();
    }
    expect("SET", "after the table name");
    // SET col = nextval('s'): computed with the new row (see the executor's
    // project_serials); inside another expression it is not modelled.
    sequences_allowed_ = true;
    sequence_at_ = nullptr;
    u.sets = assignments();
    sequences_allowed_ = false;
    for (const Assignment& a : u.sets)
      if (sequence_at_ && a.value->kind != ExprKind::kSequence &&
          has_kind(*a.value, ExprKind::kSequence))
        fail(*sequence_at_,
             "nextval or currval inside an expression in SET is not modelled; set the column "
             "to it alone (SET col = nextval('s'))");
    if (peek_is("FROM")) fail(peek(), "UPDATE ... FROM (a join) is not modelled");
    if (accept("WHERE")) u.where = where_clause();
    u.returning = returning();
    check_qualifiers(u.table);
    return u;
  }

  // RETURNING * | expr [AS name], ... [INTO :v, ...]: each column named as a
  // SELECT's would be.
  std::optional<Returning> returning() {
    if (!accept("RETURNING")) return std::nullopt;
    Returning r;
    if (accept_star()) {
      r.star = true;
    } else {
      items(r.items, r.names);
    }
    if (accept("INTO")) r.into = into_list();
    return r;
  }

  // ---- Rule: DEFAULT stands for the column's default -------------------------
  // A value of INSERT's VALUES or of SET may be DEFAULT: what the column's
  // DEFAULT clause says (NULL without one), or a serial column's next value.
  ExprPtr expr_or_default() {
    if (!accept("DEFAULT")) return expr();
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kDefault;
    return e;
  }

  // SET's list: col = expr[, col = expr ...] (UPDATE, ON CONFLICT DO UPDATE).
  std::vector<Assignment> assignments() {
    std::vector<Assignment> sets;
    do {
      if (peek().kind == TokenKind::kSymbol && peek().text == "(") {
        // ---- Rule: SET (a, b) = (x, y) is SET a = x, b = y ------------------------
        // As PostgreSQL's parser expands it; a sub-SELECT source is refused.
        const Token& open = next();
        std::vector<std::string> columns;
        do columns.push_back(name("a column name in SET's list"));
        while (accept_symbol(","));
        expect_symbol(")", "to close SET's list of columns");
        expect_symbol("=", "after SET's list of columns");
        if (peek().kind == TokenKind::kSymbol && peek().text == "(" && next_is("SELECT"))
          fail(peek(),
               "SET (columns) = (SELECT ...) is not modelled; set each column to a scalar "
               "subquery of its own");
        const Token& source = peek();
        expect_symbol("(", "to open the values of SET's list of columns");
        std::vector<ExprPtr> values;
        do values.push_back(expr_or_default());
        while (accept_symbol(","));
        expect_symbol(")", "to close the values of SET's list of columns");
        if (columns.size() == 1 && values.size() == 1)
          fail(source,
               "source for a multiple-column UPDATE item must be a sub-SELECT or ROW() "
               "expression");
        if (values.size() != columns.size())
          fail(open, "number of columns does not match number of values");
        for (size_t i = 0; i < columns.size(); ++i)
          sets.push_back(Assignment{columns[i], values[i]});
        continue;
      }
      Assignment a;
      a.column = name("a column name in SET");
      expect_symbol("=", "after the column name in SET");
      a.value = expr_or_default();
      sets.push_back(std::move(a));
    } while (accept_symbol(","));
    return sets;
  }

  // ---- Rule: INSERT ... SELECT items FROM generate_series(a, b [, step]) g ----------
  // One row per value of the series, in order, each the items with the
  // series' column (g, or x of `g(x)`; generate_series without an alias)
  // replaced by that value: what PostgreSQL inserts, as a VALUES list of
  // those rows would. The bounds and step are whole numbers written out;
  // at most kSeriesRowsMax rows.
  static constexpr int64_t kSeriesRowsMax = 10000;
  // `from`: generate_series is in FROM, where an alias may follow it.
  // `item_follows`: the call is the first operand of the select list's one
  // item (generate_series(1, 1000) % 4), which is read after the call as
  // an expression over its column and made into the rows here.
  // `label`: where the item read after the call (item_follows) puts its
  // name: its AS or alias, or PostgreSQL's (the function's) without one.
  std::vector<std::vector<ExprPtr>> series_rows(const std::vector<ExprPtr>& items, bool from,
                                                bool item_follows = false,
                                                std::string* label = nullptr) {
    const Token& fn = next();  // generate_series
    expect_symbol("(", "after generate_series");
    auto bound = [&](const char* what) {
      const Token& t = peek();
      bool negative = accept_symbol("-");
      if (peek().kind != TokenKind::kInt)
        fail(peek(), std::string("expected a whole number as generate_series's ") + what +
                         " (other arguments are not modelled), found " + describe(peek()));
      ExprPtr n = number(negative, t);
      // Past bigint's range the number is a numeric, and so is the series
      // (generate_series(numeric, numeric)).
      if (!std::holds_alternative<int64_t>(n->literal))
        fail(t, std::string("a generate_series ") + what +
                    " past bigint's range (a series of numerics) is not modelled");
      return std::get<int64_t>(n->literal);
    };
    const int64_t first = bound("start");
    expect_symbol(",", "after generate_series's start");
    const int64_t last = bound("stop");
    int64_t step = 1;
    if (accept_symbol(",")) {
      const Token& at = peek();
      step = bound("step");
      if (step == 0) fail(at, "generate_series's step cannot be 0 (PostgreSQL: 22023)");
    }
    if (item_follows) {
      // The closing parenthesis becomes the series' column, the first
      // operand of the expression read next.
      if (peek().kind != TokenKind::kSymbol || peek().text != ")")
        fail(peek(), "expected ) to close generate_series(, found " + describe(peek()));
      Token& close = tokens_[at_];
      close.kind = TokenKind::kIdent;
      close.text = "generate_series";
      close.quoted = true;  // never a keyword
    } else {
      expect_symbol(")", "to close generate_series(");
    }
    std::vector<ExprPtr> item_list = items;
    if (item_follows) {
      item_list.push_back(expr());
      std::string named = column_label(*item_list.back());
      if (accept("AS"))
        named = name("a column label after AS");
      else if (peek().kind == TokenKind::kIdent && !is_clause_word(peek()) && !peek_is("FROM"))
        named = name("a column label");
      if (label) *label = named;
      if (peek().kind == TokenKind::kSymbol && peek().text == ",")
        fail(peek(),
             "generate_series beside other items in the select list is not modelled; "
             "write SELECT ... FROM generate_series(a, b) g");
    }
    std::string column = "generate_series";
    if (from && (accept("AS") || (peek().kind == TokenKind::kIdent && !is_clause_word(peek())))) {
      column = name("the series' alias");
      if (accept_symbol("(")) {
        column = name("the series' column name");
        expect_symbol(")", "to close the series' column list");
      }
    }
    // The count, without overflow: |last - first| / |step| + 1 when the
    // series runs toward last.
    __int128 span = static_cast<__int128>(last) - first;
    __int128 count = (step > 0 ? span >= 0 : span <= 0) ? span / step + 1 : 0;
    if (count > kSeriesRowsMax)
      fail(fn, "generate_series here makes " +
                   std::to_string(static_cast<int64_t>(std::min<__int128>(count, INT64_MAX))) +
                   " rows; ccsim inserts at most " + std::to_string(kSeriesRowsMax));
    std::vector<std::vector<ExprPtr>> rows;
    for (__int128 k = 0; k < count; ++k) {
      const int64_t v = static_cast<int64_t>(first + k * step);
      std::vector<ExprPtr> row;
      for (const ExprPtr& e : item_list) row.push_back(bind_column(e, column, v));
      rows.push_back(std::move(row));
    }
    return rows;
  }

  // e with each reference to `column` (outside a subquery) replaced by v.
  static ExprPtr bind_column(const ExprPtr& e, const std::string& column, int64_t v) {
    if (!e || e->kind == ExprKind::kSubquery) return e;
    if (e->kind == ExprKind::kColumn && !e->excluded && e->name == column) {
      auto lit = std::make_shared<Expr>(*e);
      lit->kind = ExprKind::kLiteral;
      lit->literal = v;
      lit->name.clear();
      return lit;
    }
    if (!e->lhs && !e->rhs) return e;
    auto copy = std::make_shared<Expr>(*e);
    copy->lhs = bind_column(e->lhs, column, v);
    copy->rhs = bind_column(e->rhs, column, v);
    return copy;
  }

  // A word that ends the INSERT's source: not an alias.
  static bool is_clause_word(const Token& t) {
    for (const char* w : {"WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "UNION",
                          "INTERSECT", "EXCEPT", "WINDOW", "ON", "RETURNING", "INTO"})
      if (!t.quoted && iequals(t.text, w)) return true;
    return false;
  }

  // ( expr[, expr ...] ): one row of VALUES; DEFAULT among them where a
  // row goes into a table's columns (`defaults`).
  std::vector<ExprPtr> value_row(bool defaults) {
    expect_symbol("(", "to open a row of values");
    std::vector<ExprPtr> row;
    do row.push_back(defaults ? expr_or_default() : expr());
    while (accept_symbol(","));
    expect_symbol(")", "to close the row of values");
    return row;
  }

  // The clauses a SELECT of constants (or over generate_series) may not
  // go on with, refused for `what` (INSERT ... SELECT, CREATE TABLE ... AS
  // SELECT).
  void refuse_select_tail(const std::string& what) {
    const Token& t = peek();
    for (const char* clause : {"FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET",
                               "UNION", "INTERSECT", "EXCEPT", "WINDOW"})
      if (peek_is(clause))
        fail(t, what + " ... " + t.text +
                    (iequals(t.text, "FROM")
                         ? " a table is not modelled; write the rows with VALUES (...) or "
                           "SELECT ... FROM generate_series(a, b) g"
                         : " is not modelled; write the rows with VALUES (...)"));
  }

  InsertStmt insert() {
    InsertStmt ins;
    expect("INTO", "after INSERT");
    ins.table = table_name("a table name after INSERT INTO");
    table_alias(true);
    if (accept_symbol("(")) {
      do ins.columns.push_back(name("a column name"));
      while (accept_symbol(","));
      expect_symbol(")", "to close the column list");
    }
    if (accept("OVERRIDING")) {
      const Token& who = peek();
      if (accept("SYSTEM"))
        ins.overriding = InsertStmt::Overriding::kSystem;
      else if (accept("USER"))
        ins.overriding = InsertStmt::Overriding::kUser;
      else
        fail(who, "expected SYSTEM or USER after OVERRIDING, found " + describe(who));
      expect("VALUE", "after OVERRIDING " + who.text);
    }
    // INSERT INTO t DEFAULT VALUES: one row of every column's default, as
    // MERGE's INSERT DEFAULT VALUES (an empty row). PostgreSQL's grammar
    // has no column list before it.
    if (peek_is("DEFAULT") && at_ + 1 < tokens_.size() &&
        iequals(tokens_[at_ + 1].text, "VALUES")) {
      if (!ins.columns.empty() || ins.overriding != InsertStmt::Overriding::kNone)
        fail(peek(),
             "DEFAULT VALUES takes no column list and no OVERRIDING (PostgreSQL: 42601, "
             "a syntax error)");
      at_ += 2;
      ins.rows.emplace_back();
    } else {
      refuse_unmodelled(SqlPlace::kInsertSource);
    }
    // INSERT ... SELECT a, b without FROM is one row, as VALUES (a, b) is.
    if (!ins.rows.empty()) {
      // DEFAULT VALUES, read above
    } else if (accept("SELECT")) {
      if (peek_is("generate_series") && tokens_[at_ + 1].kind == TokenKind::kSymbol &&
          tokens_[at_ + 1].text == "(") {
        // ---- Rule: SELECT generate_series(a, b): a set in the select list ----
        // The function alone as the list is one row per value, as FROM
        // generate_series(a, b) g with the list g is.
        // An expression over it (generate_series(1, 1000) % 4) is one row
        // per value too, the expression computed on each.
        ins.rows = series_rows({}, false, true);
      } else if (list_shape().aggregate) {
        // ---- Rule: INSERT ... SELECT over aggregates FROM t [WHERE pred] ---------
        // One row, read as aggregate_values() reads a SELECT: each aggregate
        // a scalar subquery over t with the WHERE, computed before the row
        // is inserted, as PostgreSQL's Aggregate (or its min/max InitPlan)
        // reads t with the statement's snapshot. The next-number race:
        // INSERT INTO t (n) SELECT coalesce(max(n), 0) + 1 FROM t.
        std::string insert_alias = alias_;
        std::vector<ExprPtr> row;
        over_aggregates(row, nullptr,
                        "a column beside an aggregate in INSERT ... SELECT needs GROUP BY");
        alias_ = std::move(insert_alias);
        ins.rows.push_back(std::move(row));
      } else {
        std::vector<ExprPtr> row = insert_items();
        if (peek_is("FROM") && at_ + 1 < tokens_.size() &&
            iequals(tokens_[at_ + 1].text, "generate_series")) {
          ++at_;
          ins.rows = series_rows(row, true);
        } else {
          ins.rows.push_back(std::move(row));
          // ---- Rule: INSERT ... SELECT values WHERE cond -------------------------
          // The one row, only when cond holds: the check-then-insert of
          // WHERE NOT EXISTS (SELECT ...), which still races (a concurrent
          // insert is not seen before it commits).
          if (accept("WHERE")) ins.where = expr();
        }
      }
      refuse_select_tail("INSERT ... SELECT");
    } else {
      expect("VALUES", "before the row values");
      sequences_allowed_ = true;
      sequence_at_ = nullptr;
      do ins.rows.push_back(value_row(true));
      while (accept_symbol(","));
      sequences_allowed_ = false;
      // PostgreSQL computes each row as it inserts it, after the row before
      // has gone in (and perhaps waited); ccsim computes the rows first.
      if (sequence_at_ && ins.rows.size() > 1)
        fail(*sequence_at_,
             "nextval or currval in an INSERT of several rows is not modelled; insert each "
             "row alone");
    }
    if (accept("ON")) {
      expect("CONFLICT", "after INSERT ... ON");
      OnConflict oc;
      if (accept_symbol("(")) {
        do oc.target.push_back(name("a column name of the conflict target"));
        while (accept_symbol(","));
        expect_symbol(")", "to close the conflict target");
        if (accept("WHERE")) oc.target_where = expr();
      } else if (accept("ON")) {
        expect("CONSTRAINT", "after ON CONFLICT ON");
        oc.constraint = name("a constraint name after ON CONFLICT ON CONSTRAINT");
      }
      expect("DO", "after ON CONFLICT (a conflict target in parentheses or DO NOTHING)");
      if (accept("UPDATE")) {
        if (oc.target.empty() && oc.constraint.empty())
          fail(tokens_[at_ - 1],
               "ON CONFLICT DO UPDATE needs a conflict target: ON CONFLICT (key columns) "
               "or ON CONSTRAINT name (PostgreSQL: 42601)");
        oc.do_update = true;
        expect("SET", "after ON CONFLICT ... DO UPDATE");
        excluded_allowed_ = true;
        oc.sets = assignments();
        if (accept("WHERE")) oc.where = expr();
        excluded_allowed_ = false;
        check_qualifiers(ins.table);
      } else {
        expect("NOTHING", "after ON CONFLICT ... DO (NOTHING or UPDATE)");
      }
      ins.on_conflict = std::move(oc);
    }
    ins.returning = returning();
    check_qualifiers(ins.table);
    return ins;
  }

  // ---- Rule: MERGE over a source of constants -------------------------------------
  // MERGE INTO t [[AS] x] USING (SELECT v [AS a], ...) [AS] s [(names)]
  // (or USING (VALUES (v, ...)[, (...)]) s (names)) ON cond WHEN [NOT]
  // MATCHED [AND cond] THEN UPDATE SET ... | DELETE | INSERT [(cols)] VALUES
  // (...) | INSERT DEFAULT VALUES | DO NOTHING ...: s.a reads the source's
  // value, put in its place here (ast.h: MergeStmt), once per source row
  // (several_rows_merge). A source that reads a table (a join) is refused
  // by name.
  struct MergeSource {
    std::string alias;
    std::vector<std::string> names;
    std::vector<ExprPtr> values;
    std::vector<std::vector<ExprPtr>> more;  // VALUES' later rows
    bool target_allowed = true;  // false in WHEN NOT MATCHED: the target has no row there
    std::string target;          // the target's name for messages (its alias if any)
  };

  // ---- Rule: a source of several rows, of constants -----------------------------
  // Each value a constant (a number, a text, true, false or NULL, a minus
  // sign allowed). Each column gets one type over its rows, as PostgreSQL's
  // select_common_type gives it: texts and NULLs alone are text; numbers
  // are integer, bigint if one needs it, numeric if one has a point, and a
  // text among them is read as that type (as is one beside true or false);
  // numbers beside booleans are PostgreSQL's 42804, refused here.
  enum class SourceKind { kNull, kInt, kBigint, kDecimal, kText, kBool, kOther };
  static SourceKind source_kind(const Expr& e) {
    const Expr* v = &e;
    if (v->kind == ExprKind::kNeg && v->lhs && v->lhs->kind == ExprKind::kLiteral) v = v->lhs.get();
    if (v->kind != ExprKind::kLiteral || v->typed) return SourceKind::kOther;
    if (is_null(v->literal)) return v == &e ? SourceKind::kNull : SourceKind::kOther;
    if (v->decimal_literal || std::holds_alternative<Decimal>(v->literal))
      return SourceKind::kDecimal;
    if (std::holds_alternative<std::string>(v->literal))
      return v == &e ? SourceKind::kText : SourceKind::kOther;
    if (std::holds_alternative<bool>(v->literal))
      return v == &e ? SourceKind::kBool : SourceKind::kOther;
    if (const auto* i = std::get_if<int64_t>(&v->literal))
      return *i >= INT32_MIN && *i <= INT32_MAX ? SourceKind::kInt : SourceKind::kBigint;
    return SourceKind::kOther;
  }
  static ExprPtr cast_to(ExprPtr v, ColumnType type, const char* name) {
    auto c = std::make_shared<Expr>();
    c->kind = ExprKind::kCast;
    auto t = std::make_shared<Column>();
    t->type = type;
    t->name = name;
    c->cast_to = std::move(t);
    c->line = v->line;
    c->column = v->column;
    c->height = v->height + 1;
    c->lhs = std::move(v);
    return c;
  }
  void type_source_columns(MergeSource& src) {
    for (size_t k = 0; k < src.values.size(); ++k) {
      std::vector<ExprPtr*> column{&src.values[k]};
      for (auto& row : src.more) column.push_back(&row[k]);
      SourceKind kind = SourceKind::kText;  // texts and NULLs alone
      const Expr* first = nullptr;          // the first value that set `kind`
      for (ExprPtr* v : column) {
        const SourceKind got = source_kind(**v);
        if (got == SourceKind::kOther) {
          if (src.more.empty()) continue;  // one row: any expression, typed as it is
          fail_at(**v,
                  "a MERGE source of more than one row is modelled with constants only "
                  "(numbers, texts, true, false, NULL)");
        }
        if (got == SourceKind::kNull || got == SourceKind::kText) continue;
        const bool number = got != SourceKind::kBool;
        if (first && (kind == SourceKind::kBool) == number) {
          auto name = [](SourceKind x) {
            return x == SourceKind::kBool     ? "boolean"
                   : x == SourceKind::kInt    ? "integer"
                   : x == SourceKind::kBigint ? "bigint"
                                              : "numeric";
          };
          fail_at(**v, std::string("VALUES types ") + name(kind) + " and " + name(got) +
                           " cannot be matched (PostgreSQL: 42804)");
        }
        if (!first || got > kind) kind = got;  // integer < bigint < numeric
        if (!first) first = v->get();
      }
      for (ExprPtr* v : column) {
        const SourceKind got = source_kind(**v);
        if (got == SourceKind::kOther) continue;
        if (kind == SourceKind::kText) {
          // A text or NULL in a column of texts: text, as PostgreSQL types
          // an unknown-typed output column.
          *v = cast_to(*v, ColumnType::kText, "text");
        } else if (got == kind) {
          continue;
        } else if (got == SourceKind::kNull) {
          continue;  // a NULL of the column's type
        } else if (kind == SourceKind::kBool) {
          *v = cast_to(*v, ColumnType::kBool, "bool");
        } else if (kind == SourceKind::kDecimal) {
          *v = cast_to(*v, ColumnType::kNumeric, "numeric");
        } else {
          *v = kind == SourceKind::kBigint ? cast_to(*v, ColumnType::kBigInt, "int8")
                                           : cast_to(*v, ColumnType::kInt, "int4");
        }
      }
    }
  }

  MergeStmt merge() {
    MergeStmt m;
    expect("INTO", "after MERGE");
    m.table = table_name("a table name after MERGE INTO");
    table_alias(false);
    expect("USING", "after MERGE INTO's table (USING the source)");
    MergeSource src;
    src.target = alias_.empty() ? m.table : alias_;
    const Token& open = peek();
    if (!accept_symbol("("))
      fail(open,
           "a MERGE source that is a table (a join) is not modelled; write USING (SELECT "
           "value AS name, ...) s, a source of one row of constants");
    if (accept("SELECT")) {
      // (SELECT) is a row of no columns, as the printer writes a source
      // whose values stand in place.
      if (!(peek().kind == TokenKind::kSymbol && peek().text == ")")) items(src.values, src.names);
      if (peek_is("FROM"))
        fail(peek(),
             "a MERGE source that reads a table (a join) is not modelled; write its values "
             "without FROM, one row");
    } else if (accept("VALUES")) {
      src.values = value_row(false);
      while (accept_symbol(",")) {
        const Token& at = peek();
        src.more.push_back(value_row(false));
        if (src.more.back().size() != src.values.size())
          fail(at, "VALUES lists must all be the same length (PostgreSQL: 42601)");
      }
      for (size_t k = 0; k < src.values.size(); ++k)
        src.names.push_back("column" + std::to_string(k + 1));
    } else {
      fail(peek(), "expected SELECT or VALUES after USING ( (a source of one row), found " +
                       describe(peek()));
    }
    for (const char* k : {"UNION", "INTERSECT", "EXCEPT", "WHERE", "GROUP", "ORDER", "LIMIT"})
      if (peek_is(k)) fail(peek(), std::string("a MERGE source's ") + k + " is not modelled");
    expect_symbol(")", "to close the source opened at column " + std::to_string(column_of(open)));
    for (const ExprPtr& v : src.values) {
      if (names_column(*v))
        fail(tokens_[at_ - 1],
             "a MERGE source's value that reads a column is not modelled (without FROM there "
             "is none to read)");
    }
    // The subquery's constants are typed as its output columns: a text
    // literal (or NULL) becomes text there, as PostgreSQL resolves an
    // unknown-typed output column.
    type_source_columns(src);
    accept("AS");
    if (peek().kind != TokenKind::kIdent || (!peek().quoted && iequals(peek().text, "ON")))
      fail(peek(),
           "a MERGE source needs an alias: USING (...) AS s (PostgreSQL: subquery in "
           "FROM must have an alias, 42601)");
    src.alias = name("the source's alias");
    if (accept_symbol("(")) {
      size_t k = 0;
      do {
        const Token& at = peek();
        std::string n = name("a column name of the source");
        if (k >= src.names.size())
          fail(at, "table \"" + src.alias + "\" has " + std::to_string(src.names.size()) +
                       " columns available but " + std::to_string(k + 1) +
                       " columns specified (PostgreSQL: 42P10)");
        src.names[k++] = std::move(n);
      } while (accept_symbol(","));
      expect_symbol(")", "to close the source's column names");
    }
    if (src.alias == src.target)
      fail(tokens_[at_ - 1], "name \"" + src.alias +
                                 "\" specified more than once: it names both the MERGE target "
                                 "and its source (PostgreSQL: 42712)");
    const size_t body_at = at_;
    parse_merge_body(m, src);
    if (!src.more.empty()) several_rows_merge(m, src, body_at, open);
    check_qualifiers(m.table);
    return m;
  }

  // ON and the WHEN clauses, with the source's values in src.values.
  void parse_merge_body(MergeStmt& m, MergeSource& src) {
    expect("ON", "after the MERGE source (ON the join condition)");
    src.target_allowed = true;
    merge_source_ = &src;
    struct Reset {
      MergeSource*& p;
      ~Reset() { p = nullptr; }
    } reset{merge_source_};
    m.on = expr();
    bool unconditional[2] = {false, false};
    while (const Token* when = peek_is("WHEN") ? &peek() : nullptr) {
      ++at_;
      MergeAction a;
      a.matched = !accept("NOT");
      expect("MATCHED", a.matched ? "after WHEN" : "after WHEN NOT");
      if (unconditional[a.matched])
        fail(*when,
             "unreachable WHEN clause specified after unconditional WHEN clause (PostgreSQL: "
             "42601)");
      src.target_allowed = a.matched;
      if (accept("AND"))
        a.condition = expr();
      else
        unconditional[a.matched] = true;
      expect("THEN", "after WHEN [NOT] MATCHED [AND condition]");
      const Token& what = peek();
      if (accept("DO")) {
        expect("NOTHING", "after DO");
      } else if (a.matched && accept("UPDATE")) {
        a.kind = MergeAction::Kind::kUpdate;
        expect("SET", "after UPDATE in MERGE");
        a.update.table = m.table;
        a.update.sets = assignments();
      } else if (a.matched && accept("DELETE")) {
        a.kind = MergeAction::Kind::kDelete;
      } else if (!a.matched && accept("INSERT")) {
        a.kind = MergeAction::Kind::kInsert;
        a.insert.table = m.table;
        if (accept_symbol("(")) {
          do a.insert.columns.push_back(name("a column name"));
          while (accept_symbol(","));
          expect_symbol(")", "to close the column list");
        }
        if (peek_is("OVERRIDING")) fail(peek(), "OVERRIDING in MERGE is not modelled");
        if (accept("DEFAULT")) {
          expect("VALUES", "after INSERT DEFAULT");
          a.insert.rows.emplace_back();
          if (!a.insert.columns.empty())
            fail(what, "INSERT DEFAULT VALUES with a column list is not modelled");
        } else {
          expect("VALUES", "after INSERT in MERGE (VALUES (...) or DEFAULT VALUES)");
          a.insert.rows.push_back(value_row(true));
        }
      } else {
        fail(what, std::string("expected ") +
                       (a.matched ? "UPDATE, DELETE or DO NOTHING after WHEN MATCHED ... THEN"
                                  : "INSERT or DO NOTHING after WHEN NOT MATCHED ... THEN") +
                       ", found " + describe(what));
      }
      m.actions.push_back(std::move(a));
    }
    if (m.actions.empty())
      fail(peek(),
           "expected WHEN [NOT] MATCHED after MERGE's ON condition, found " + describe(peek()));
  }

  // ---- Rule: a source of several rows is joined by hashing ------------------------
  // Each later row gets ON and the WHEN clauses parsed once more with its
  // values in place (MergeStmt::later), and the printer a copy that reads
  // the source's columns by name. Refused: an INSERT for a row that matched
  // nothing (PostgreSQL's hash join hands those rows on in its hash table's
  // order), an ON that compares no target column with a source column (not
  // a hash join), and more than 100 rows.
  void several_rows_merge(MergeStmt& m, MergeSource& src, size_t body_at, const Token& open) {
    if (src.more.size() >= 100) fail(open, "a MERGE source of more than 100 rows is not modelled");
    for (const MergeAction& a : m.actions)
      if (!a.matched && a.kind == MergeAction::Kind::kInsert)
        fail(open,
             "a MERGE source of more than one row with WHEN NOT MATCHED ... INSERT is not "
             "modelled (PostgreSQL inserts the rows that matched nothing in its join's order)");
    const size_t end_at = at_;
    m.source_rows.push_back(src.values);
    for (std::vector<ExprPtr>& row : src.more) {
      m.source_rows.push_back(row);
      src.values = row;
      MergeStmt arm;
      arm.table = m.table;
      at_ = body_at;
      parse_merge_body(arm, src);
      m.later.push_back(std::move(arm));
    }
    std::vector<ExprPtr> columns;
    for (const std::string& n : src.names) {
      auto c = std::make_shared<Expr>();
      c->kind = ExprKind::kColumn;
      c->name = n;
      c->source = true;
      c->line = pos_.line;
      c->column = column_of(open);
      columns.push_back(std::move(c));
    }
    src.values = columns;
    auto printed = std::make_shared<MergeStmt>();
    printed->table = m.table;
    at_ = body_at;
    parse_merge_body(*printed, src);
    at_ = end_at;
    m.source_names = src.names;
    if (!hash_joined(printed->on.get()))
      fail(open,
           "a MERGE source of more than one row is modelled when ON compares a column of the "
           "target with one of the source (t.a = s.a), which PostgreSQL joins by hashing");
    m.printed = std::move(printed);
    // (row 0's ON) OR (row 1's ON) OR ...: the rows any source row matches.
    ExprPtr any = m.on;
    for (const MergeStmt& arm : m.later) {
      auto o = std::make_shared<Expr>();
      o->kind = ExprKind::kBinary;
      o->op = BinOp::kOr;
      o->lhs = any;
      o->rhs = arm.on;
      o->line = any->line;
      o->column = any->column;
      o->height = std::max(any->height, arm.on->height) + 1;
      any = std::move(o);
    }
    m.on_any = std::move(any);
  }
  // Whether ON's top AND has an equality of the target's columns alone on
  // one side and the source's alone on the other (a hash clause).
  static bool hash_joined(const Expr* e) {
    if (!e || e->kind != ExprKind::kBinary) return false;
    if (e->op == BinOp::kAnd) return hash_joined(e->lhs.get()) || hash_joined(e->rhs.get());
    if (e->op != BinOp::kEq) return false;
    const int a = reads(e->lhs.get()), b = reads(e->rhs.get());
    return (a == 1 && b == 2) || (a == 2 && b == 1);
  }
  // What an expression reads: 0 no column, 1 the target's, 2 the source's,
  // 3 both or a subquery.
  static int reads(const Expr* e) {
    if (!e) return 0;
    if (e->kind == ExprKind::kSubquery) return 3;
    if (e->kind == ExprKind::kColumn) return e->source ? 2 : 1;
    return reads(e->lhs.get()) | reads(e->rhs.get());
  }
  [[noreturn]] void fail_at(const Expr& e, const std::string& message) const {
    throw InputError(SourcePos{pos_.file, e.line, e.column}, message);
  }

  // A column read inside MERGE (merge()): the source's value for one of
  // its columns (s.a, qualified), or the target's column.
  ExprPtr merge_column(const std::shared_ptr<Expr>& e, const Token& t, bool qualified) {
    MergeSource& src = *merge_source_;
    const std::string* qualifier = qualified ? &qualifiers_.back().first : nullptr;
    if (qualifier && *qualifier == src.alias) {
      qualifiers_.pop_back();
      for (size_t k = 0; k < src.names.size(); ++k)
        if (src.names[k] == e->name) return src.values[k];
      fail(t, "column " + src.alias + "." + e->name + " does not exist (PostgreSQL: 42703)");
    }
    if (!qualified && std::find(src.names.begin(), src.names.end(), e->name) != src.names.end())
      fail(t, "a column of the MERGE source read without its alias is not modelled; write " +
                  src.alias + "." + e->name);
    if (!src.target_allowed) {
      if (qualifier && *qualifier == src.target)
        fail(t, "invalid reference to FROM-clause entry for table \"" + src.target +
                    "\": WHEN NOT MATCHED reads the source alone (PostgreSQL: 42P01)");
      if (!qualifier)
        fail(t, "column \"" + e->name +
                    "\" does not exist: WHEN NOT MATCHED reads the source "
                    "alone (PostgreSQL: 42703)");
    }
    return e;
  }

  DeleteStmt remove() {
    DeleteStmt d;
    expect("FROM", "after DELETE");
    d.table = table_name("a table name after DELETE FROM");
    table_alias(false);
    if (peek_is("USING")) fail(peek(), "DELETE ... USING (a join) is not modelled");
    if (accept("WHERE")) d.where = where_clause();
    d.returning = returning();
    check_qualifiers(d.table);
    return d;
  }

  // (col[, col...]): a new index's columns, plain names only; with
  // `pattern_ops`, each may name text_pattern_ops, varchar_pattern_ops or
  // bpchar_pattern_ops, and *pattern_ops tells whether one did.
  std::vector<std::string> index_columns(const char* what, bool* pattern_ops = nullptr,
                                         std::vector<std::string>* opclasses = nullptr) {
    expect_symbol("(", std::string("to open ") + what + "'s column list");
    std::vector<std::string> cols;
    do {
      const Token& at = peek();
      const bool call = at.kind == TokenKind::kIdent &&
                        tokens_[at_ + 1].kind == TokenKind::kSymbol && tokens_[at_ + 1].text == "(";
      if (call || (at.kind == TokenKind::kSymbol && at.text == "("))
        fail(at, "an index on an expression is not modelled; name the table's columns");
      cols.push_back(name("a column name"));
      for (const char* k : {"ASC", "DESC", "NULLS", "COLLATE"})
        if (peek_is(k)) fail(peek(), std::string(k) + " in an index's column list is not modelled");
      // An operator class: a plain index's pattern_ops one (Django's
      // "_like" index) is read as the index it is for equalities, LIKE
      // being refused beside it (validate.cc); any other is refused.
      if (peek().kind == TokenKind::kIdent) {
        const bool pattern = peek_is("text_pattern_ops") || peek_is("varchar_pattern_ops") ||
                             peek_is("bpchar_pattern_ops");
        if (!pattern || !pattern_ops)
          fail(peek(), "an index's operator class (" + peek().text + ") is not modelled" +
                           (pattern ? " in a unique index" : ""));
        *pattern_ops = true;
        opclasses->resize(cols.size());
        opclasses->back() = lower(next().text);
      }
    } while (accept_symbol(","));
    expect_symbol(")", "to close the column list");
    return cols;
  }

  // CREATE [UNIQUE] INDEX [name] ON [ONLY] t [USING btree] (col[, ...])
  AddIndexStmt create_index() {
    AddIndexStmt a;
    a.statement = true;
    a.unique = accept("UNIQUE");
    expect("INDEX", "after CREATE UNIQUE");
    const std::string head = a.unique ? "CREATE UNIQUE INDEX" : "CREATE INDEX";
    for (const char* k : {"CONCURRENTLY", "IF"})
      if (peek_is(k)) fail(peek(), head + " " + k + " is not modelled");
    if (!peek_is("ON")) a.index.name = name("an index name or ON after " + head);
    expect("ON", "after the index's name");
    accept("ONLY");
    a.table = table_name("a table name after ON");
    if (accept("USING") && !accept("btree"))
      fail(peek(), "expected btree after USING, found " + describe(peek()) +
                       " (other index methods are not modelled)");
    a.index.columns = index_columns("the index", a.unique ? nullptr : &a.pattern_ops, &a.opclasses);
    for (const char* k : {"INCLUDE", "NULLS", "WITH", "TABLESPACE"})
      if (peek_is(k)) fail(peek(), std::string("an index's ") + k + " clause is not modelled");
    if (accept("WHERE")) {
      a.predicate = expr();
      check_qualifiers(a.table);
      index_predicate(*a.predicate);
    }
    return a;
  }

  // ---- Rule: a partial index's predicate reads only its row ------------------------
  // A :parameter has no value in a setup. (A subquery, current_setting and
  // the advisory locks, which PostgreSQL refuses there too, are refused
  // where they start, as in any expression of a setup.)
  void index_predicate(const Expr& e) {
    auto at = [&](const Expr& x) {
      SourcePos p = pos_;
      p.line = x.line;
      p.column = x.column;
      return p;
    };
    if (e.kind == ExprKind::kParam)
      throw InputError(at(e), "a :parameter in an index's WHERE is not modelled; write a constant");
    if (e.lhs) index_predicate(*e.lhs);
    if (e.rhs) index_predicate(*e.rhs);
  }

  // ALTER TABLE [ONLY] t ADD [CONSTRAINT name] PRIMARY KEY (cols) | UNIQUE (cols)
  // ... | ADD [CONSTRAINT name] FOREIGN KEY (cols) REFERENCES ... [NOT VALID]
  //     | VALIDATE CONSTRAINT name
  // ---- Rule: ALTER TABLE t SET (storage parameters) ------------------------------
  // The parameters that change no answer ccsim models (parallel_workers,
  // autovacuum_enabled ...) are read as the statement's lock: SHARE UPDATE
  // EXCLUSIVE on t, held to the end of the transaction (LockTableStmt).
  LockTableStmt alter_set(const std::string& table, const Token& action) {
    LockTableStmt l;
    l.tables = {table};
    l.mode = LockMode::kShareUpdateExclusive;
    l.utility = "ALTER TABLE";
    if (!(peek().kind == TokenKind::kSymbol && peek().text == "("))
      fail(action, "ALTER TABLE ... SET " + describe(peek()) +
                       " is not modelled; ccsim models ALTER TABLE ... SET (parallel_workers "
                       "= n) and the autovacuum parameters");
    ++at_;
    std::string list;
    do {
      const Token& p = peek();
      std::string param = name("a storage parameter");
      if (accept_symbol(".")) param += "." + name("a storage parameter");
      const bool known = param == "parallel_workers" || param == "autovacuum_enabled" ||
                         param == "toast.autovacuum_enabled" || param == "vacuum_truncate" ||
                         param == "toast.vacuum_truncate" || param.starts_with("autovacuum_") ||
                         param.starts_with("toast.autovacuum_");
      if (!known)
        fail(p, "ALTER TABLE ... SET (" + param +
                    ") is not modelled; ccsim models parallel_workers and the autovacuum "
                    "parameters, which change no answer it gives");
      std::string value;
      if (accept_symbol("=")) {
        const Token& v = next();
        if (v.kind == TokenKind::kString)
          value = " = " + to_sql(Value{v.text});
        else if (v.kind == TokenKind::kIdent || v.kind == TokenKind::kInt ||
                 v.kind == TokenKind::kDecimal)
          value = " = " + v.text;
        else
          fail(v, "expected a value for " + param + ", found " + describe(v));
      }
      list += (list.empty() ? "" : ", ") + param + value;
    } while (accept_symbol(","));
    expect_symbol(")", "to close the storage parameters");
    l.options = "SET (" + list + ")";
    return l;
  }

  StepBody alter_table() {
    const Token& t = peek();
    if (!accept("TABLE"))
      fail(t, "ALTER " + (t.kind == TokenKind::kIdent ? t.text : describe(t)) + " is not modelled");
    accept("ONLY");
    AddIndexStmt a;
    a.table = table_name("a table name after ALTER TABLE");
    const Token& action = peek();
    if (accept("ATTACH")) {
      expect("PARTITION", "after ATTACH");
      CreateTableStmt c;
      c.partition_of = a.table;
      c.attach = true;
      c.table = table_name("the table to attach after ATTACH PARTITION");
      c.bound = partition_bound();
      return c;
    }
    if (accept("SET")) return alter_set(a.table, action);
    if (accept("VALIDATE")) {
      expect("CONSTRAINT", "after VALIDATE");
      AlterForeignKeyStmt v;
      v.table = a.table;
      v.validate = name("a constraint name after VALIDATE CONSTRAINT");
      return v;
    }
    if (!accept("ADD"))
      fail(action, "ALTER TABLE ... " +
                       (action.kind == TokenKind::kIdent ? action.text : describe(action)) +
                       " is not modelled; ccsim models ALTER TABLE ... ADD PRIMARY KEY, ADD "
                       "UNIQUE, ADD FOREIGN KEY, VALIDATE CONSTRAINT and ATTACH PARTITION");
    if (accept("CONSTRAINT")) a.index.name = name("a constraint name after CONSTRAINT");
    const Token& kind = peek();
    if (peek_is("FOREIGN")) {
      CreateTableStmt c;
      table_foreign_key(c);
      AlterForeignKeyStmt f;
      f.table = a.table;
      f.add = std::move(c.foreign_keys.front());
      f.add->name = a.index.name;
      if (accept("NOT")) {
        expect("VALID", "after NOT (NOT VALID)");
        f.not_valid = true;
      }
      return f;
    }
    if (accept("PRIMARY")) {
      expect("KEY", "after PRIMARY");
      a.primary = true;
    } else if (!accept("UNIQUE")) {
      fail(kind, "ALTER TABLE ... ADD " +
                     (kind.kind == TokenKind::kIdent ? kind.text : describe(kind)) +
                     " is not modelled; ccsim models ADD PRIMARY KEY, ADD UNIQUE and ADD "
                     "FOREIGN KEY");
    }
    a.index.columns = index_columns(a.primary ? "the primary key" : "the unique constraint");
    for (const char* k : {"INCLUDE", "NULLS", "WITH", "USING", "DEFERRABLE", "INITIALLY", "NOT"})
      if (peek_is(k)) fail(peek(), std::string("a key's ") + k + " clause is not modelled");
    return a;
  }

  // Whether the tokens from "(" on are a list of names closed by ")" and
  // followed by AS: CREATE TABLE t (a, b) AS ..., not a column list.
  bool names_then_as() const {
    size_t k = at_ + 1;
    for (;;) {
      if (tokens_[k].kind != TokenKind::kIdent) return false;
      ++k;
      if (tokens_[k].kind != TokenKind::kSymbol) return false;
      if (tokens_[k].text == ")") break;
      if (tokens_[k].text != ",") return false;
      ++k;
    }
    const Token& after = tokens_[k + 1];
    return after.kind == TokenKind::kIdent && !after.quoted && iequals(after.text, "AS");
  }

  // ---- Rule: CREATE TABLE ... AS a query of constants ---------------------------
  // AS SELECT items (one row), AS SELECT items FROM generate_series(a, b) g
  // or SELECT generate_series(a, b) [op expr] (a row per value, as INSERT
  // ... SELECT reads them), or AS VALUES (...), (...): each column named as
  // PostgreSQL names the item (AS, or FigureColname; VALUES' column1, ...;
  // the list after the table's name first) and typed as the item's type (an
  // untyped literal is text, a cast's type is its own). The statement
  // inserts the rows; WITH NO DATA none.
  CreateTableStmt create_as(CreateTableStmt c, const std::vector<std::string>& given) {
    c.as_query = true;
    std::vector<std::string> names;
    const Token& query = peek();
    if (accept("VALUES")) {
      do {
        std::vector<ExprPtr> row = value_row(false);
        if (!c.as_rows.empty() && row.size() != c.as_rows[0].size())
          fail(query, "VALUES lists must all be the same length (PostgreSQL: 42601)");
        c.as_rows.push_back(std::move(row));
      } while (accept_symbol(","));
      for (size_t k = 0; k < c.as_rows[0].size(); ++k)
        names.push_back("column" + std::to_string(k + 1));
    } else {
      expect("SELECT", "after CREATE TABLE ... AS (a SELECT of constants, or VALUES)");
      if (peek().kind == TokenKind::kSymbol && peek().text == "*")
        fail(peek(),
             "CREATE TABLE ... AS SELECT * FROM a table is not modelled; write its "
             "columns, then INSERT its rows");
      if (peek_is("generate_series") && tokens_[at_ + 1].kind == TokenKind::kSymbol &&
          tokens_[at_ + 1].text == "(") {
        std::string label;
        c.as_rows = series_rows({}, false, true, &label);
        names = {label};
      } else {
        std::vector<ExprPtr> list;
        items(list, names);
        if (peek_is("FROM") && iequals(tokens_[at_ + 1].text, "generate_series")) {
          ++at_;
          c.as_rows = series_rows(list, true);
        } else {
          c.as_rows.push_back(std::move(list));
        }
      }
      refuse_select_tail("CREATE TABLE ... AS SELECT");
    }
    if (c.as_rows.empty())
      fail(query,
           "CREATE TABLE ... AS over an empty series is not modelled (its columns' types "
           "come from a row)");
    std::function<const Expr*(const Expr*)> column_in = [&](const Expr* e) -> const Expr* {
      if (!e || e->kind == ExprKind::kSubquery) return nullptr;
      if (e->kind == ExprKind::kColumn) return e;
      const Expr* l = column_in(e->lhs.get());
      return l ? l : column_in(e->rhs.get());
    };
    for (const auto& row : c.as_rows)
      for (const ExprPtr& e : row)
        if (const Expr* col = column_in(e.get()))
          fail(query, "CREATE TABLE ... AS reads no table here: column \"" + col->name +
                          "\" does not exist (PostgreSQL: 42703)");
    if (given.size() > names.size())
      fail(query, "CREATE TABLE AS specifies too many column names (PostgreSQL: 42601)");
    for (size_t k = 0; k < given.size(); ++k) names[k] = given[k];
    for (size_t k = 0; k < names.size(); ++k)
      c.columns.push_back(query_column(c.as_rows, k, names[k], query));
    if (accept("WITH")) {
      const bool none = accept("NO");
      expect("DATA", none ? "after WITH NO" : "after WITH (WITH [NO] DATA)");
      if (none) c.as_rows.clear();
    }
    return c;
  }

  // Column k of a CREATE TABLE ... AS query: its type is the items' (the
  // same in every row: PostgreSQL would find a common one, not modelled).
  Column query_column(const std::vector<std::vector<ExprPtr>>& rows, size_t k,
                      const std::string& name, const Token& at) {
    Column col;
    const Expr& first = *rows[0][k];
    std::optional<SqlType> type = type_of(first, TypingEnv{});
    for (const auto& row : rows) {
      std::optional<SqlType> t = type_of(*row[k], TypingEnv{});
      auto text = [](std::optional<SqlType> x) {
        return x == SqlType::kUnknown ? std::optional<SqlType>(SqlType::kText) : x;
      };
      if (text(t) != text(type))
        fail(at, "rows whose column " + std::to_string(k + 1) +
                     " has values of different types are not modelled in CREATE TABLE ... AS; "
                     "cast them to one type");
    }
    if (first.kind == ExprKind::kCast) {
      col = *first.cast_to;
    } else if (type == SqlType::kUnknown) {
      col.type = ColumnType::kText;  // an untyped literal: text, as PostgreSQL resolves it
    } else if (std::optional<ColumnType> ct = type ? column_type_of(*type) : std::nullopt) {
      col.type = *ct;
    } else {
      fail(at, "the type of column " + std::to_string(k + 1) +
                   " of CREATE TABLE ... AS is not known before it runs; cast it (value::int)");
    }
    col.name = name;
    col.primary_key = col.not_null = col.serial = false;
    col.default_value.reset();
    return col;
  }

  // CREATE SEQUENCE's options, in any order, each at most once (PostgreSQL:
  // 42601 "conflicting or redundant options"). CACHE above 1 (numbers
  // handed out in blocks per session), AS a type, OWNED BY and the other
  // options are refused by name.
  SequenceStmt create_sequence() {
    SequenceStmt c;
    if (accept("IF")) {
      expect("NOT", "after CREATE SEQUENCE IF");
      expect("EXISTS", "after CREATE SEQUENCE IF NOT");
      c.if_exists = true;
    }
    c.name = table_name("a sequence name after CREATE SEQUENCE");
    std::vector<std::string> seen;
    auto once = [&](const Token& t, const std::string& option) {
      if (std::find(seen.begin(), seen.end(), option) != seen.end())
        fail(t, "conflicting or redundant options: " + option + " twice (PostgreSQL: 42601)");
      seen.push_back(option);
    };
    auto whole = [&](const std::string& what) {
      const Token& t = peek();
      bool negative = accept_symbol("-");
      if (!negative) accept_symbol("+");
      if (peek().kind != TokenKind::kInt)
        fail(peek(), "expected a whole number after " + what + ", found " + describe(peek()));
      ExprPtr n = number(negative, t);
      if (!std::holds_alternative<int64_t>(n->literal))
        fail(t, what + " past bigint's range (PostgreSQL: 22003)");
      return std::get<int64_t>(n->literal);
    };
    while (peek().kind == TokenKind::kIdent && !peek().quoted) {
      const Token& t = peek();
      if (accept("INCREMENT")) {
        once(t, "INCREMENT");
        accept("BY");
        c.increment = whole("INCREMENT");
        if (c.increment == 0) fail(t, "INCREMENT must not be zero (PostgreSQL: 22023)");
      } else if (accept("MINVALUE")) {
        once(t, "MINVALUE");
        c.min = whole("MINVALUE");
      } else if (accept("MAXVALUE")) {
        once(t, "MAXVALUE");
        c.max = whole("MAXVALUE");
      } else if (accept("START")) {
        once(t, "START");
        accept("WITH");
        c.start = whole("START");
      } else if (accept("CACHE")) {
        once(t, "CACHE");
        const Token& n = peek();
        if (whole("CACHE") != 1)
          fail(n, "CACHE above 1 (each session takes its numbers in blocks) is not modelled");
      } else if (accept("CYCLE")) {
        once(t, "CYCLE");
        c.cycle = true;
      } else if (accept("NO")) {
        const Token& what = peek();
        if (accept("MINVALUE")) {
          once(what, "MINVALUE");
        } else if (accept("MAXVALUE")) {
          once(what, "MAXVALUE");
        } else if (accept("CYCLE")) {
          once(what, "CYCLE");
        } else {
          fail(what, "expected MINVALUE, MAXVALUE or CYCLE after NO, found " + describe(what));
        }
      } else {
        fail(t, "CREATE SEQUENCE ... " + t.text +
                    " is not modelled; ccsim models INCREMENT, MINVALUE, MAXVALUE, START, "
                    "CACHE 1 and [NO] CYCLE");
      }
    }
    return c;
  }

  CreateTableStmt create() {
    refuse_unmodelled(SqlPlace::kCreate);
    expect("TABLE", "after CREATE");
    CreateTableStmt c;
    if (accept("IF")) {
      expect("NOT", "after CREATE TABLE IF");
      expect("EXISTS", "after CREATE TABLE IF NOT");
      c.if_not_exists = true;
    }
    refuse_unmodelled(SqlPlace::kCreateTable);
    c.table = table_name("a table name after CREATE TABLE");
    // CREATE TABLE t (a, b) AS ...: names for the query's columns.
    std::vector<std::string> as_names;
    if (peek().kind == TokenKind::kSymbol && peek().text == "(" && names_then_as()) {
      ++at_;
      do as_names.push_back(name("a column name"));
      while (accept_symbol(","));
      expect_symbol(")", "to close the column names");
    }
    if (accept("AS")) return create_as(std::move(c), as_names);
    if (accept("PARTITION")) {
      expect("OF", "after PARTITION (PARTITION OF a partitioned table)");
      c.partition_of = table_name("the partitioned table's name after PARTITION OF");
      if (peek().kind == TokenKind::kSymbol && peek().text == "(")
        fail(peek(), "a partition's own column list or constraints are not modelled");
      c.bound = partition_bound();
      if (peek_is("PARTITION"))
        fail(peek(), "a partition that is itself partitioned (PARTITION BY) is not modelled");
      return c;
    }
    expect_symbol("(", "to open the column list");
    if (accept_symbol(")")) return c;  // a table without columns (one LOCK TABLE locks)
    do {
      // CONSTRAINT name before a table-level key names it (its 23505 and
      // 23503 messages say the name); other constraints stay refused.
      std::string constraint;
      if (accept("CONSTRAINT")) {
        constraint = name("a constraint name after CONSTRAINT");
        refuse_unmodelled(SqlPlace::kTableElement);
      }
      if (peek_is("CHECK")) {
        check_constraint(c, constraint);
        continue;
      }
      if (table_primary_key(c)) {
        c.key_name = constraint;
        continue;
      }
      if (table_unique(c, constraint)) continue;
      if (table_foreign_key(c)) {
        c.foreign_keys.back().name = constraint;
        continue;
      }
      if (constraint.empty() && peek_is("LIKE"))
        fail(peek(), "CREATE TABLE ... (LIKE table) is not modelled; write its columns");
      if (!constraint.empty())
        fail(peek(), "expected PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK after CONSTRAINT " +
                         constraint + " (other constraints are not modelled), found " +
                         describe(peek()));
      Column col;
      refuse_unmodelled(SqlPlace::kTableElement);
      col.name = name("a column name");
      const Token& t = peek();
      if (!type_name(col, false)) {
        refuse_unmodelled(SqlPlace::kColumnType);
        fail(
            t,
            "expected a column type (smallint, int, bigint, text, varchar, char, numeric, boolean, "
            "uuid, date, timestamp or timestamptz), found " +
                describe(t));
      }
      // ---- Rule: NULL, NOT NULL and IDENTITY, as transformColumnDefinition ------
      // reads them in order: NULL after a NOT NULL or an identity, or NOT
      // NULL or an identity after NULL, conflict (42601); serial's NOT NULL
      // comes after the column's own clauses. PRIMARY KEY makes the column
      // NOT NULL without taking part (PRIMARY KEY NULL is accepted).
      const bool serial = col.serial;
      col.not_null = false;
      bool saw_nullable = false;
      auto conflicting = [&](const Token& at) {
        fail(at, "conflicting NULL/NOT NULL declarations for column \"" + col.name +
                     "\" of table \"" + c.table + "\" (42601)");
      };
      for (;;) {
        if (const Token& pk = peek(); accept("PRIMARY")) {
          expect("KEY", "after PRIMARY");
          if (std::any_of(c.columns.begin(), c.columns.end(),
                          [](const Column& x) { return x.primary_key; }))
            fail(pk, "multiple primary keys for table \"" + c.table + "\" are not allowed");
          col.primary_key = true;
        } else if (const Token& nn = peek(); accept("NOT")) {
          expect("NULL", "after NOT");
          if (saw_nullable && !col.not_null) conflicting(nn);
          col.not_null = saw_nullable = true;
        } else if (const Token& n = peek(); accept("NULL")) {
          if (saw_nullable && col.not_null) conflicting(n);
          saw_nullable = true;
        } else if (const Token& g = peek();
                   peek_is("GENERATED") &&
                   (next_is("ALWAYS") ? ahead_is(2, "AS") && ahead_is(3, "IDENTITY")
                                      : next_is("BY") && ahead_is(2, "DEFAULT") &&
                                            ahead_is(3, "AS") && ahead_is(4, "IDENTITY"))) {
          identity(c, col, serial || col.serial);
          if (saw_nullable && !col.not_null) conflicting(g);
          col.not_null = saw_nullable = true;
        } else if (const Token& d = peek(); accept("DEFAULT")) {
          if (col.identity != Column::Identity::kNone)
            fail(d, "both default and identity specified for column \"" + col.name +
                        "\" of table \"" + c.table + "\" (42601)");
          if (col.serial || col.default_value)
            fail(d, "multiple default values specified for column \"" + col.name +
                        "\" of table \"" + c.table + "\" (42601)");
          if (peek_is("nextval") && tokens_[at_ + 1].kind == TokenKind::kSymbol &&
              tokens_[at_ + 1].text == "(") {
            default_sequence(col);
            continue;
          }
          col.default_value = constant();
        } else if (peek_is("UNIQUE") || (peek_is("CONSTRAINT") && at_ + 2 < tokens_.size() &&
                                         tokens_[at_ + 2].kind == TokenKind::kIdent &&
                                         iequals(tokens_[at_ + 2].text, "UNIQUE"))) {
          // [CONSTRAINT name] UNIQUE: a unique index on this column alone.
          UniqueDef u;
          if (accept("CONSTRAINT")) u.name = name("a constraint name after CONSTRAINT");
          expect("UNIQUE", "after the constraint's name");
          if (peek_is("NULLS")) fail(peek(), "UNIQUE NULLS [NOT] DISTINCT is not modelled");
          u.columns = {col.name};
          c.uniques.push_back(std::move(u));
        } else if (peek_is("CHECK") || (peek_is("CONSTRAINT") && at_ + 2 < tokens_.size() &&
                                        tokens_[at_ + 2].kind == TokenKind::kIdent &&
                                        iequals(tokens_[at_ + 2].text, "CHECK"))) {
          std::string named;
          if (accept("CONSTRAINT")) named = name("a constraint name after CONSTRAINT");
          check_constraint(c, named);
        } else if (accept("REFERENCES")) {
          ForeignKeyDef fk;
          fk.columns = {col.name};
          references(fk);
          if (fk.ref_columns.size() > 1)
            fail(peek(), "a column's REFERENCES names one referenced column");
          c.foreign_keys.push_back(std::move(fk));
        } else {
          refuse_unmodelled(SqlPlace::kColumnClause);
          break;
        }
      }
      if (serial && col.identity == Column::Identity::kNone) {
        if (saw_nullable && !col.not_null) conflicting(t);
        col.not_null = true;
      }
      col.not_null |= col.primary_key;
      c.columns.push_back(std::move(col));
    } while (accept_symbol(","));
    expect_symbol(")", "to close the column list");
    name_checks(c);
    if (accept("PARTITION")) {
      expect("BY", "after PARTITION");
      const Token& how = peek();
      if (accept("RANGE")) {
        c.partition_range = true;
      } else if (!accept("LIST")) {
        fail(how, peek_is("HASH")
                      ? "a HASH partitioned table is not modelled; ccsim models "
                        "PARTITION BY LIST and RANGE"
                      : "expected LIST or RANGE after PARTITION BY, found " + describe(how));
      }
      expect_symbol("(", "to open the partition key");
      const Token& col = peek();
      c.partition_by = name("the partition key's column");
      if (peek().kind != TokenKind::kSymbol || peek().text != ")")
        fail(peek(),
             "a partition key of more than one column, or of an expression, is not "
             "modelled; name one column");
      expect_symbol(")", "to close the partition key");
      if (std::none_of(c.columns.begin(), c.columns.end(),
                       [&](const Column& x) { return x.name == c.partition_by; }))
        fail(col,
             "column \"" + c.partition_by + "\" named in partition key does not exist (42703)");
    }
    return c;
  }

  // FOR VALUES IN (v, ...) | FOR VALUES FROM (lo) TO (hi) | DEFAULT, each
  // value a constant; MINVALUE and MAXVALUE leave a range's end open.
  PartitionBoundDef partition_bound() {
    PartitionBoundDef b;
    if (accept("DEFAULT")) {
      b.is_default = true;
      return b;
    }
    expect("FOR", "(FOR VALUES or DEFAULT, a partition's bound)");
    expect("VALUES", "after FOR");
    // One value of a bound: a constant, then ',' or ')'.
    auto value = [&] {
      const Token& t = peek();
      const bool literal = t.kind == TokenKind::kString || t.kind == TokenKind::kInt ||
                           t.kind == TokenKind::kDecimal || peek_is("NULL") || peek_is("TRUE") ||
                           peek_is("FALSE") || (t.kind == TokenKind::kSymbol && t.text == "-");
      if (!literal)
        fail(t,
             "a partition bound other than a constant (a number, 'text', true, false or "
             "NULL) is not modelled, found " +
                 describe(t));
      Value v = constant();
      if (peek().kind != TokenKind::kSymbol || (peek().text != "," && peek().text != ")"))
        fail(peek(),
             "a partition bound other than a constant is not modelled, found " + describe(peek()));
      return v;
    };
    // FROM's (lo) or TO's (hi): MINVALUE and MAXVALUE leave it open at
    // their end; at the other end they make the range empty (42P17).
    auto one = [&](bool lower) -> std::optional<Value> {
      expect_symbol("(", "to open the bound's values");
      std::optional<Value> v;
      if (const Token& t = peek(); accept("MINVALUE") || accept("MAXVALUE")) {
        if (iequals(t.text, "MINVALUE") != lower)
          fail(t, std::string("a range from (MAXVALUE) or to (MINVALUE) is empty (PostgreSQL: "
                              "42P17 empty range bound specified for partition)"));
      } else {
        v = value();
      }
      if (peek().kind != TokenKind::kSymbol || peek().text != ")")
        fail(peek(),
             "a bound of more than one value (a key of more than one column) is not "
             "modelled");
      expect_symbol(")", "to close the bound's values");
      return v;
    };
    if (accept("IN")) {
      expect_symbol("(", "to open the list of values after IN");
      do b.values.push_back(value());
      while (accept_symbol(","));
      expect_symbol(")", "to close the list of values");
      return b;
    }
    if (accept("FROM")) {
      b.range = true;
      b.lo = one(true);
      expect("TO", "after FROM (...)");
      b.hi = one(false);
      return b;
    }
    fail(peek(), peek_is("WITH")
                     ? "a HASH partition (FOR VALUES WITH) is not modelled"
                     : "expected IN or FROM after FOR VALUES, found " + describe(peek()));
  }

  // CHECK (condition) [NO INHERIT | NOT VALID refused]: kept with its name
  // (empty until name_checks()).
  void check_constraint(CreateTableStmt& c, const std::string& named) {
    expect("CHECK", "to start a check constraint");
    expect_symbol("(", "after CHECK");
    CheckDef d;
    d.name = named;
    d.condition = expr();
    expect_symbol(")", "to close the CHECK's condition");
    if ((peek_is("NO") && at_ + 1 < tokens_.size() && iequals(tokens_[at_ + 1].text, "INHERIT")) ||
        (peek_is("NOT") && at_ + 1 < tokens_.size() && iequals(tokens_[at_ + 1].text, "VALID")))
      fail(peek(), "a CHECK constraint's NO INHERIT and NOT VALID are not modelled");
    c.checks.push_back(std::move(d));
  }

  // ---- Rule: a CHECK constraint reads only its own row -----------------------
  // Its condition names the table's columns (42703 otherwise) and no
  // parameter (a subquery is refused where it starts, as everywhere here); unnamed, it is
  // table_column_check when it reads one column and table_check otherwise, with 1, 2, ... after a
  // name already taken (ChooseConstraintName); two of one name are 42710.
  void name_checks(CreateTableStmt& c) {
    std::set<std::string> taken;
    for (const CheckDef& d : c.checks)
      if (!d.name.empty() && !taken.insert(d.name).second)
        fail(peek(), "constraint \"" + d.name + "\" for relation \"" + c.table +
                         "\" already exists (PostgreSQL: 42710)");
    for (CheckDef& d : c.checks) {
      std::set<std::string> read;
      check_condition(c, *d.condition, read);
      if (!d.name.empty()) continue;
      std::string base = c.table + "_" + (read.size() == 1 ? *read.begin() + "_" : "") + "check";
      d.name = base;
      for (int k = 1; taken.count(d.name); ++k) d.name = base + std::to_string(k);
      taken.insert(d.name);
    }
  }
  void check_condition(const CreateTableStmt& c, const Expr& e, std::set<std::string>& read) {
    if (e.kind == ExprKind::kColumn || e.kind == ExprKind::kParam) {
      SourcePos p = pos_;
      p.line = e.line;
      p.column = e.column;
      if (e.kind == ExprKind::kParam)
        throw InputError(p, "a :parameter in a CHECK constraint is not modelled; write a constant");
      if (std::none_of(c.columns.begin(), c.columns.end(),
                       [&](const Column& col) { return col.name == e.name; }))
        throw InputError(p, "column \"" + e.name + "\" does not exist (PostgreSQL: 42703)");
      read.insert(e.name);
    }
    if (e.lhs) check_condition(c, *e.lhs, read);
    if (e.rhs) check_condition(c, *e.rhs, read);
  }

  SetStmt set() {
    SetStmt st;
    // SET [SESSION | LOCAL] name {= | TO} value
    // ---- SET CONSTRAINTS: which foreign keys' checks wait for COMMIT --------
    if (accept("CONSTRAINTS")) {
      st.name = "constraints";
      if (!accept("ALL")) do {
          st.constraints.push_back(name("a constraint's name, or ALL"));
        } while (accept_symbol(","));
      if (accept("DEFERRED"))
        st.defer = true;
      else
        expect("IMMEDIATE", "or DEFERRED after SET CONSTRAINTS and the constraints");
      return st;
    }
    if (accept("LOCAL"))
      st.local = true;
    else
      accept("SESSION");
    const Token& t = peek();
    // ---- SET TRANSACTION modes: the open transaction's (executor.cc) --------
    if (accept("TRANSACTION")) {
      SetStmt modes = transaction_modes();
      if (!modes.isolation && !modes.read_only && !modes.deferrable)
        fail(peek(),
             "expected ISOLATION LEVEL, READ ONLY, READ WRITE or [NOT] DEFERRABLE after "
             "SET TRANSACTION, found " +
                 describe(peek()));
      modes.name = "transaction";
      return modes;
    }
    // ---- Rule: SET force_parallel_mode changes no answer ----------------------
    // PostgreSQL 15 runs a query in parallel workers with the leader's
    // snapshot, and a SERIALIZABLE one with the same predicate locks
    // (shared with the workers): the rows, waits and errors are the same.
    if (t.kind == TokenKind::kIdent && iequals(t.text, "force_parallel_mode")) {
      st.name = "force_parallel_mode";
      ++at_;
      if (!accept("TO")) expect_symbol("=", "after the setting's name");
      const Token& v = peek();
      std::string value = lower(v.text);
      if ((v.kind != TokenKind::kString && v.kind != TokenKind::kIdent) ||
          (value != "on" && value != "off" && value != "regress"))
        fail(v, "expected on, off or regress for force_parallel_mode, found " + describe(v));
      st.value = value;
      ++at_;
      return st;
    }
    if (t.kind == TokenKind::kIdent && planner_setting(lower(t.text)) != PlannerSetting::kNone)
      return planner_set(st);
    // SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL ...: the
    // session's default_transaction_isolation.
    if (t.kind == TokenKind::kIdent && iequals(t.text, "CHARACTERISTICS")) {
      ++at_;
      expect("AS", "after SESSION CHARACTERISTICS");
      expect("TRANSACTION", "after SESSION CHARACTERISTICS AS");
      const Token& m = peek();
      SetStmt modes = transaction_modes();
      if (!modes.isolation || modes.read_only || modes.deferrable)
        fail(m,
             "ccsim models SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL ... "
             "alone (the session's default level); READ ONLY and DEFERRABLE defaults are "
             "not modelled");
      st.name = "default_transaction_isolation";
      st.isolation = modes.isolation;
      st.value = lower(to_sql(*modes.isolation));
      return st;
    }
    // The times: deadlock_timeout is at least 1 ms; a lock_timeout or
    // statement_timeout of 0 turns it off.
    std::string name = t.kind == TokenKind::kIdent ? lower(t.text) : "";
    if (!is_time_setting(name) && name != "default_transaction_isolation")
      fail(t,
           "ccsim accepts SET only for deadlock_timeout, lock_timeout and statement_timeout "
           "(which decide when a waiting statement ends), default_transaction_isolation, "
           "force_parallel_mode and the planner's settings (enable_seqscan, random_page_cost "
           "and the like, which change no answer ccsim models), found " +
               describe(t));
    st.name = name;
    ++at_;
    if (!accept("TO")) expect_symbol("=", "after the setting's name");
    if (name == "default_transaction_isolation") {
      // ---- the session's default level: DEFAULT is the run's (--isolation)
      if (accept("DEFAULT")) {
        st.reset = true;
        return st;
      }
      const Token& v = peek();
      const std::string level = v.kind == TokenKind::kString || v.kind == TokenKind::kIdent
                                    ? lower(v.text)
                                    : std::string();
      for (Isolation i : {Isolation::kReadCommitted, Isolation::kRepeatableRead,
                          Isolation::kSerializable, Isolation::kReadUncommitted})
        if (level == lower(to_sql(i))) st.isolation = i;
      if (!st.isolation)
        fail(v,
             "expected 'read committed', 'repeatable read', 'serializable' or 'read uncommitted' "
             "for default_transaction_isolation, found " +
                 describe(v));
      st.value = level;
      ++at_;
      return st;
    }
    if (accept("DEFAULT")) {  // as RESET
      st.reset = true;
      st.ms = time_setting_default_ms(name);
      return st;
    }
    const Token& v = peek();
    if (v.kind != TokenKind::kString && v.kind != TokenKind::kInt && v.kind != TokenKind::kDecimal)
      fail(v, "expected a value like '10ms', found " + describe(v));
    st.value = v.text;
    const int64_t least = name == "deadlock_timeout" ? 1 : 0;
    auto ms = setting_ms(v.text, least);
    if (!ms)
      fail(v, "expected a duration for " + name +
                  ": a number of milliseconds or a number with a unit (us, ms, s, min, h or d) "
                  "from " +
                  std::to_string(least) + " ms to 2147483647 ms, found " + describe(v));
    st.ms = *ms;
    ++at_;
    return st;
  }

  // SET [LOCAL] <planner setting> {= | TO} value | DEFAULT (ast.h's
  // planner_setting): the value is checked as PostgreSQL reads it, and
  // changes nothing.
  SetStmt planner_set(SetStmt st) {
    const Token& t = next();
    st.name = lower(t.text);
    if (!accept("TO")) expect_symbol("=", "after the setting's name");
    if (accept("DEFAULT")) {
      st.reset = true;
      return st;
    }
    const Token& v = peek();
    std::string value = lower(v.text);
    if (planner_setting(st.name) == PlannerSetting::kBoolean) {
      bool ok =
          v.kind == TokenKind::kIdent || v.kind == TokenKind::kString || v.kind == TokenKind::kInt;
      static const char* const kWords[] = {"on", "off", "true", "false", "yes", "no", "1", "0"};
      ok = ok && std::find(std::begin(kWords), std::end(kWords), value) != std::end(kWords);
      if (!ok) fail(v, "expected on or off for " + st.name + ", found " + describe(v));
    } else {
      bool ok = v.kind == TokenKind::kInt || v.kind == TokenKind::kDecimal;
      if (v.kind == TokenKind::kString) {
        char* end = nullptr;
        errno = 0;
        double d = std::strtod(v.text.c_str(), &end);
        ok = !v.text.empty() && end == v.text.c_str() + v.text.size() && errno == 0 && d >= 0;
      }
      if (!ok) fail(v, "expected a number of at least 0 for " + st.name + ", found " + describe(v));
    }
    st.value = v.text;
    ++at_;
    return st;
  }

  // ---- Rule: SHOW name is SELECT current_setting('name') AS name ----------------
  // SHOW TRANSACTION ISOLATION LEVEL names transaction_isolation.
  SelectValuesStmt show() {
    const Token& t = peek();
    std::string setting;
    if (accept("TRANSACTION")) {
      expect("ISOLATION", "after SHOW TRANSACTION");
      expect("LEVEL", "after SHOW TRANSACTION ISOLATION");
      setting = "transaction_isolation";
    } else {
      setting = t.kind == TokenKind::kIdent ? lower(t.text) : "";
      if (!is_readable_setting(setting))
        fail(t, "SHOW " + (setting.empty() ? describe(t) : t.text) +
                    " is not modelled; ccsim knows " + kReadableSettings);
      ++at_;
    }
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kCurrentSetting;
    e->name = setting;
    SelectValuesStmt v;
    v.items.push_back(std::move(e));
    v.names.push_back(setting == "datestyle" ? "DateStyle" : setting);  // the setting's own name
    v.show = true;
    return v;
  }

  // RESET name, as SET name TO DEFAULT: the time it had when the session
  // began (deadlock_timeout 1 s, the timeouts off).
  SetStmt reset() {
    const Token& t = peek();
    std::string name = t.kind == TokenKind::kIdent ? lower(t.text) : "";
    if (!is_time_setting(name) && name != "default_transaction_isolation" &&
        planner_setting(name) == PlannerSetting::kNone)
      fail(t,
           "ccsim accepts RESET only for deadlock_timeout, lock_timeout, "
           "statement_timeout, default_transaction_isolation and the planner's settings "
           "(enable_seqscan, random_page_cost and the like), found " +
               describe(t));
    ++at_;
    SetStmt st;
    st.name = name;
    st.reset = true;
    if (is_time_setting(name)) st.ms = time_setting_default_ms(name);
    return st;
  }

  // ---- Rule: timestamp(p): p digits of the seconds' fraction, 0 to 6 ---------
  // (Rails writes timestamp(6) for every created_at.) -1 when not given.
  // PostgreSQL reduces a larger p to 6 with a warning, which is not modelled.
  int time_precision() {
    if (!accept_symbol("(")) return -1;
    const Token& t = peek();
    if (t.kind != TokenKind::kInt || t.text.size() > 1 || t.text[0] > '6')
      fail(t, "expected a timestamp's precision (0 to 6 digits after the point), found " +
                  describe(t));
    ++at_;
    expect_symbol(")", "to close the timestamp's precision");
    return t.text[0] - '0';
  }

  // After TIMESTAMP: [WITH | WITHOUT TIME ZONE], which type it names.
  ColumnType timestamp_zone() {
    if (!peek_is("with") && !peek_is("without")) return ColumnType::kTimestamp;
    bool with = peek_is("with");
    ++at_;
    expect("TIME", "after WITH or WITHOUT");
    expect("ZONE", "after TIME");
    return with ? ColumnType::kTimestampTz : ColumnType::kTimestamp;
  }

  // ---- Rule: a typed literal names its type, then a quoted text --------------
  // DATE 'text', TIMESTAMP [WITH[OUT] TIME ZONE] 'text', TIMESTAMPTZ 'text':
  // when the tokens ahead are one, consumes the type's words and returns
  // it, leaving the text next; otherwise consumes nothing.
  std::optional<ColumnType> typed_literal_type() {
    size_t words = 0;
    ColumnType t;
    auto word = [&](size_t k, const char* w) {
      return at_ + k < tokens_.size() && tokens_[at_ + k].kind == TokenKind::kIdent &&
             iequals(tokens_[at_ + k].text, w);
    };
    if (word(0, "DATE")) {
      t = ColumnType::kDate, words = 1;
    } else if (word(0, "TIMESTAMPTZ")) {
      t = ColumnType::kTimestampTz, words = 1;
    } else if (word(0, "TIMESTAMP")) {
      t = ColumnType::kTimestamp, words = 1;
      if ((word(1, "WITH") || word(1, "WITHOUT")) && word(2, "TIME") && word(3, "ZONE")) {
        if (word(1, "WITH")) t = ColumnType::kTimestampTz;
        words = 4;
      }
    } else {
      return std::nullopt;
    }
    if (at_ + words >= tokens_.size() || tokens_[at_ + words].kind != TokenKind::kString)
      return std::nullopt;
    at_ += words;
    return t;
  }

  // LOCK [TABLE] [ONLY] t[, ...] [IN mode MODE] [NOWAIT]: any of the eight
  // modes, ACCESS EXCLUSIVE by default.
  LockTableStmt lock_table() {
    LockTableStmt l;
    accept("TABLE");
    if (peek_is("ONLY")) fail(peek(), "LOCK TABLE ONLY is not modelled");
    do {
      l.tables.push_back(table_name("a table name after LOCK TABLE"));
      if (peek().kind == TokenKind::kSymbol && peek().text == "*")
        fail(peek(), "LOCK TABLE t * is not modelled");
    } while (accept_symbol(","));
    if (accept("IN")) {
      const Token& from = peek();
      std::string mode;
      while (peek().kind == TokenKind::kIdent && !peek_is("MODE") && !peek_is("NOWAIT")) {
        std::string word = next().text;
        for (char& ch : word) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        mode += (mode.empty() ? "" : " ") + word;
      }
      if (mode.empty())
        fail(from, "expected a lock mode after IN, like ACCESS EXCLUSIVE, found " + describe(from));
      std::optional<LockMode> m = table_mode_named(mode);
      if (!m)
        fail(from,
             "expected a lock mode (ACCESS SHARE, ROW SHARE, ROW EXCLUSIVE, SHARE UPDATE "
             "EXCLUSIVE, SHARE, SHARE ROW EXCLUSIVE, EXCLUSIVE or ACCESS EXCLUSIVE), found '" +
                 mode + "'");
      l.mode = *m;
      expect("MODE", "after the lock mode");
    }
    l.nowait = accept("NOWAIT");
    return l;
  }

  // VACUUM [FULL] [FREEZE] [ANALYZE] t[, ...], ANALYZE t[, ...], and the
  // same with the options in parentheses: VACUUM (FULL, FREEZE, ANALYZE
  // [boolean]) t. Options that print (VERBOSE) or change which tables are
  // locked (SKIP_LOCKED) are refused by name, as is a list of no tables
  // (every table, the catalogs' too) or of columns.
  LockTableStmt maintenance() {
    LockTableStmt l;
    const Token& command = next();
    const bool vacuum = iequals(command.text, "VACUUM");
    bool full = false, freeze = false, analyze = !vacuum;
    auto refuse_option = [&](const Token& t) {
      fail(t, "expected FULL, FREEZE or ANALYZE after " +
                  std::string(vacuum ? "VACUUM" : "ANALYZE") + ", found " + describe(t) +
                  (iequals(t.text, "VERBOSE") ? " (VERBOSE's INFO lines are not modelled)" : ""));
    };
    if (accept_symbol("(")) {
      do {
        const Token& o = peek();
        std::string option = o.kind == TokenKind::kIdent ? lower(o.text) : "";
        bool* flag = option == "full" && vacuum                   ? &full
                     : option == "freeze" && vacuum               ? &freeze
                     : option == "analyze" || option == "analyse" ? &analyze
                                                                  : nullptr;
        if (!flag) refuse_option(o);
        ++at_;
        *flag = true;
        // An option's optional boolean: TRUE/FALSE, ON/OFF, 1/0.
        const Token& v = peek();
        std::string value = lower(v.text);
        if (v.kind == TokenKind::kIdent || v.kind == TokenKind::kString ||
            v.kind == TokenKind::kInt) {
          if (value == "false" || value == "off" || value == "0")
            *flag = false;
          else if (value != "true" && value != "on" && value != "1")
            fail(v, "expected TRUE, FALSE, ON, OFF, 1 or 0 after " + lower(o.text) + ", found " +
                        describe(v));
          ++at_;
        }
      } while (accept_symbol(","));
      expect_symbol(")", "after the options");
      if (!vacuum && !analyze) fail(command, "ANALYZE (ANALYZE FALSE) does nothing ccsim models");
    } else if (vacuum) {
      // The options in PostgreSQL's order: FULL, FREEZE, VERBOSE, ANALYZE.
      full = accept("FULL");
      freeze = accept("FREEZE");
      if (peek_is("VERBOSE")) refuse_option(peek());
      analyze = accept("ANALYZE") || accept("ANALYSE");
    } else if (peek_is("VERBOSE")) {
      refuse_option(peek());
    }
    if (peek().kind == TokenKind::kEnd)
      fail(peek(), std::string(vacuum ? "VACUUM" : "ANALYZE") +
                       " of every table (the catalogs' too) is not modelled; name the tables");
    l.utility = vacuum ? "VACUUM" : "ANALYZE";
    if (full) l.utility += " FULL";
    if (freeze) l.utility += " FREEZE";
    if (vacuum && analyze) l.utility += " ANALYZE";
    l.mode = full ? LockMode::kAccessExclusive : LockMode::kShareUpdateExclusive;
    do {
      l.tables.push_back(table_name("a table name after " + lower(command.text)));
      if (peek().kind == TokenKind::kSymbol && peek().text == "(")
        fail(peek(), "a column list after " + std::string(vacuum ? "VACUUM" : "ANALYZE") +
                         "'s table is not modelled");
    } while (accept_symbol(","));
    return l;
  }

  LetAction let() {
    LetAction l;
    const Token& t = peek();
    if (t.kind != TokenKind::kParam)
      fail(t, "expected a parameter like :points after LET, found " + describe(t));
    l.var = t.text;
    ++at_;
    expect_symbol("=", "after the parameter in LET");
    l.value = expr();
    return l;
  }

  RetryAction retry() {
    RetryAction r;
    expect("WHILE", "after RETRY (write RETRY WHILE <condition> MAX <n>)");
    r.condition = expr();
    expect("MAX", "after the RETRY condition: every retry needs a bound, like MAX 20");
    r.max = integer("the most retries after MAX", 1);
    return r;
  }

  SkipAction skip() {
    SkipAction k;
    k.count = integer("how many steps to skip after SKIP (write SKIP <n> IF <condition>)", 1);
    if (peek().kind == TokenKind::kEnd) return k;  // always
    if (!accept("IF")) {
      expect("UNLESS", "after SKIP " + std::to_string(k.count) +
                           " (write SKIP <n> IF <condition> or SKIP <n> UNLESS <condition>)");
      k.unless = true;
    }
    k.condition = expr();
    return k;
  }

  // Reads an advisory-lock function's name at the cursor (followed by "("),
  // without moving: its AdvisoryCall, or nothing for any other name.
  std::optional<AdvisoryCall> advisory_function() {
    const Token& t = peek();
    if (t.kind != TokenKind::kIdent || t.quoted || tokens_[at_ + 1].kind != TokenKind::kSymbol ||
        tokens_[at_ + 1].text != "(")
      return std::nullopt;
    std::string fn = t.text;
    std::transform(fn.begin(), fn.end(), fn.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!fn.starts_with("pg_advisory") && !fn.starts_with("pg_try_advisory")) return std::nullopt;
    for (AdvisoryCall::Kind k :
         {AdvisoryCall::Kind::kLock, AdvisoryCall::Kind::kUnlock, AdvisoryCall::Kind::kUnlockAll})
      for (bool session : {false, true})
        for (bool try_only : {false, true})
          for (bool shared : {false, true}) {
            AdvisoryCall c{k, session, try_only, shared};
            if (k != AdvisoryCall::Kind::kLock && (!session || try_only)) continue;
            if (k == AdvisoryCall::Kind::kUnlockAll && shared) continue;
            if (c.function() == fn) return c;
          }
    fail(t, "the advisory-lock function " + fn +
                " is not modelled; ccsim models pg_advisory_lock, pg_advisory_xact_lock, "
                "their pg_try_ and _shared forms, pg_advisory_unlock[_shared] (each on one "
                "bigint key or two int keys) and pg_advisory_unlock_all");
  }

  // The two-key form's second key after the first (pg_advisory_lock(1, 2):
  // two ints, another key space than the bigint form's), else null.
  ExprPtr second_key() {
    if (peek().kind != TokenKind::kSymbol || peek().text != ",") return nullptr;
    ++at_;
    return expr();
  }

  // SELECT pg_advisory_xact_lock(key)[, ...] [INTO :v[, ...]]: the
  // advisory-lock functions as a statement of their own.
  std::optional<AdvisoryStmt> advisory() {
    if (!advisory_function()) return std::nullopt;
    AdvisoryStmt a;
    do {
      std::optional<AdvisoryCall> call = advisory_function();
      if (!call)
        fail(peek(),
             "an advisory lock beside other columns is not modelled; expected "
             "another advisory-lock function, found " +
                 describe(peek()));
      AdvisoryItem item{*call, nullptr, nullptr};
      at_ += 2;
      if (call->kind != AdvisoryCall::Kind::kUnlockAll) {
        item.key = expr();
        item.key2 = second_key();
        expect_symbol(")", item.key2
                               ? "after the advisory lock's two keys"
                               : "after the advisory lock's key (or a comma and a second key)");
      } else {
        expect_symbol(")", "after pg_advisory_unlock_all(: it takes no argument");
      }
      a.items.push_back(std::move(item));
    } while (peek().kind == TokenKind::kSymbol && peek().text == "," && (++at_, true));
    if (peek_is("FROM"))
      fail(peek(),
           "an advisory lock beside a FROM is not modelled; take it in a statement of its own "
           "(SELECT " +
               a.items.front().call.function() + "(key)) or in a WHERE (WHERE " +
               a.items.front().call.function() + "(key) IS NOT NULL)");
    if (accept("INTO")) {
      do {
        const Token& v = peek();
        if (v.kind != TokenKind::kParam)
          fail(v, "expected a parameter like :got after INTO, found " + describe(v));
        a.into.push_back(v.text);
        ++at_;
      } while (peek().kind == TokenKind::kSymbol && peek().text == "," && (++at_, true));
    }
    return a;
  }

  // CATCH 23505, '40P01' SKIP n: a SQLSTATE is five digits or capital
  // letters; one with a letter is quoted (a number may not run into a name).
  CatchAction catch_errors() {
    CatchAction c;
    do {
      const Token& t = peek();
      if (t.kind != TokenKind::kInt && t.kind != TokenKind::kString)
        fail(t, "expected a SQLSTATE after CATCH, like 23505 or '40P01', found " + describe(t));
      bool ok = t.text.size() == 5;
      for (char ch : t.text)
        ok &= std::isdigit(static_cast<unsigned char>(ch)) || (ch >= 'A' && ch <= 'Z');
      if (!ok)
        fail(t,
             "expected a SQLSTATE (five digits or capital letters, like 23505 or '40P01'), "
             "found " +
                 describe(t));
      c.sqlstates.push_back(t.text);
      ++at_;
    } while (accept_symbol(","));
    expect("SKIP", "after the SQLSTATEs (write CATCH 23505 SKIP <n>)");
    c.count = integer("how many steps to skip after CATCH ... SKIP", 0);
    return c;
  }

  // ---- expressions: OR < AND < NOT < comparison/IS < +,- < *,/,% < unary --

  // Expressions nest at most kDepthMax deep (parentheses, NOT, unary minus):
  // enough for any real predicate, and it keeps the recursion bounded.
  static constexpr int kDepthMax = 64;
  struct Deeper {
    Deeper(Parser& p, const Token& t) : p_(p) {
      if (++p_.depth_ > kDepthMax)
        p_.fail(t, "this expression nests more than " + std::to_string(kDepthMax) + " levels deep");
    }
    ~Deeper() { --p_.depth_; }
    Parser& p_;
  };

  // A tree at most kHeightMax deep: a chain like 1 + 1 + ... or a OR b OR
  // ... nests one level per operator without any parenthesis, and every walk
  // over an expression (evaluation, printing, freeing it) recurses that
  // deep. An IN list of 1000 values is 1001 levels.
  static constexpr int kHeightMax = 2000;
  void bound_height(Expr& e, const Token& t) {
    e.height = 1 + std::max(e.lhs ? e.lhs->height : 0, e.rhs ? e.rhs->height : 0);
    if (e.height > kHeightMax)
      fail(t, "this expression is more than " + std::to_string(kHeightMax) +
                  " operations deep (each operator of a chain like a + b + c counts)");
  }

  ExprPtr expr() {
    Deeper guard(*this, peek());
    return or_expr();
  }

  ExprPtr or_expr() {
    ExprPtr l = and_expr();
    while (peek_is("OR")) {
      const Token& t = next();
      l = binary(BinOp::kOr, l, and_expr(), t);
    }
    return l;
  }
  ExprPtr and_expr() {
    ExprPtr l = not_expr();
    while (peek_is("AND")) {
      const Token& t = next();
      l = binary(BinOp::kAnd, l, not_expr(), t);
    }
    return l;
  }
  ExprPtr not_expr() {
    if (peek_is("NOT")) {
      const Token& t = next();
      Deeper guard(*this, t);
      return unary(ExprKind::kNot, not_expr(), t);
    }
    return comparison();
  }
  // IS binds looser than the comparisons: a = b IS NULL is (a = b) IS NULL.
  ExprPtr comparison() {
    ExprPtr l = compared();
    const Token& t = peek();
    if (!accept("IS")) return l;
    bool negated = accept("NOT");
    if (accept("DISTINCT")) {
      // a IS [NOT] DISTINCT FROM b: PostgreSQL's = operator, NULL-safe.
      expect("FROM", negated ? "after IS NOT DISTINCT" : "after IS DISTINCT");
      ExprPtr e = binary(BinOp::kEq, l, compared(), t);
      auto d = std::make_shared<Expr>(*e);
      d->kind = negated ? ExprKind::kIsNotDistinct : ExprKind::kIsDistinct;
      return d;
    }
    for (const char* test : {"TRUE", "FALSE", "UNKNOWN"})
      if (accept(test)) {
        // a IS [NOT] TRUE | FALSE | UNKNOWN: a boolean test, never NULL.
        auto b = std::make_shared<Expr>(*unary(ExprKind::kBoolTest, l, t));
        b->name = std::string(negated ? "NOT " : "") + test;
        return b;
      }
    if (!accept("NULL"))
      fail(peek(), std::string("expected NULL, DISTINCT FROM, TRUE, FALSE or UNKNOWN after IS") +
                       (negated ? " NOT" : "") + ", found " + describe(peek()));
    return unary(negated ? ExprKind::kIsNotNull : ExprKind::kIsNull, l, t);
  }
  ExprPtr compared() {
    if (row_ahead()) return row_comparison();
    ExprPtr l = between_level();
    const Token& t = peek();
    if (peek_is("IN") || (peek_is("NOT") && tokens_[at_ + 1].kind == TokenKind::kIdent &&
                          iequals(tokens_[at_ + 1].text, "IN")))
      return in_list(l, t);
    static const std::pair<const char*, BinOp> ops[] = {
        {"=", BinOp::kEq},  {"<>", BinOp::kNe}, {"!=", BinOp::kNe}, {"<", BinOp::kLt},
        {"<=", BinOp::kLe}, {">", BinOp::kGt},  {">=", BinOp::kGe}};
    for (auto& [sym, op] : ops)
      if (accept_symbol(sym)) {
        if ((peek_is("ANY") || peek_is("SOME") || peek_is("ALL")) &&
            tokens_[at_ + 1].kind == TokenKind::kSymbol && tokens_[at_ + 1].text == "(")
          return array_comparison(l, op, t);
        return binary(op, l, between_level(), t);
      }
    return l;
  }

  // ---- Rule: x = ANY (array) is x IN (its elements) ---------------------------------
  // x = ANY (ARRAY[a, b, ...]) and x = ANY ('{a,b,...}') (SOME is ANY), as
  // a driver's array parameter reads in a query log, and x <> ALL (...):
  // PostgreSQL's parser makes x IN (a, b) the same ScalarArrayOpExpr, so it
  // is read as that IN list (NOT IN for <> ALL), planned and computed as
  // one. A text literal's elements are read as array_in reads them: an
  // unquoted NULL is NULL, a double-quoted element keeps its spaces and
  // its backslash escapes. Refused by name: another operator, a subquery,
  // a nested or cast array, and an array of fewer than two elements (which
  // the planner weighs apart from an IN list).
  ExprPtr array_comparison(const ExprPtr& l, BinOp op, const Token& t) {
    const Token& word = next();
    const bool any = !iequals(word.text, "ALL");
    if (op != (any ? BinOp::kEq : BinOp::kNe))
      fail(word, std::string(op_sql(op)) + " " + (any ? "ANY" : "ALL") +
                     " (...) is not modelled; write = ANY (...) or <> ALL (...)");
    expect_symbol("(", "after " + word.text);
    const Token& first = peek();
    std::vector<ExprPtr> elements;
    if (peek_is("SELECT"))
      fail(first, word.text + " (SELECT ...) is not modelled; write IN (SELECT ... LIMIT 1)");
    if (accept("ARRAY")) {
      expect_symbol("[", "after ARRAY");
      if (!(peek().kind == TokenKind::kSymbol && peek().text == "]")) {
        do {
          if (elements.size() >= 1000) fail(peek(), "an array holds at most 1000 values here");
          if (peek().kind == TokenKind::kSymbol && peek().text == "[")
            fail(peek(), "a nested array is not modelled");
          elements.push_back(additive());
        } while (accept_symbol(","));
      }
      expect_symbol("]", "to close ARRAY[");
    } else if (first.kind == TokenKind::kString) {
      next();
      elements = array_literal(first);
    } else {
      fail(first, "expected ARRAY[...] or an array literal '{...}' after " + word.text +
                      " (, found " + describe(first));
    }
    if (peek().kind == TokenKind::kSymbol && peek().text == "::")
      fail(peek(), "a cast of an array is not modelled; write the array without it");
    expect_symbol(")", "to close " + word.text + " (");
    if (elements.size() < 2)
      fail(first, "an array of " + std::string(elements.empty() ? "no elements" : "one element") +
                      " in " + word.text +
                      " (...) is not modelled (PostgreSQL plans it apart from an IN list); "
                      "write x = value");
    ExprPtr in;
    for (ExprPtr& e : elements) in = or_equal(std::move(in), l, std::move(e), t);
    return any ? in : none_of(in, t);
  }

  // The elements of array literal `lit` ('{1,2,NULL}', '{"a b",c}'), each
  // a text literal (typed by what it is compared with, as array_in's
  // element input does) or NULL.
  std::vector<ExprPtr> array_literal(const Token& lit) {
    const std::string& s = lit.text;
    auto bad = [&](const std::string& why) {
      fail(lit, "malformed array literal: \"" + s + "\" (" + why + "; PostgreSQL: 22P02)");
    };
    auto element = [&](std::optional<std::string> text) {
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::kLiteral;
      if (text)
        e->literal = std::move(*text);
      else
        e->literal = Null{};
      e->line = pos_.line;
      e->column = column_of(lit);
      return e;
    };
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    size_t i = 0;
    while (i < s.size() && space(s[i])) ++i;
    if (i == s.size() || s[i] != '{') bad("it must start with \"{\"");
    ++i;
    std::vector<ExprPtr> out;
    while (i < s.size() && space(s[i])) ++i;
    if (i < s.size() && s[i] == '}') {
      ++i;
    } else {
      for (;;) {
        while (i < s.size() && space(s[i])) ++i;
        if (i == s.size()) bad("it ends before \"}\"");
        if (s[i] == '{') fail(lit, "a nested array is not modelled");
        if (s[i] == '"') {
          std::string text;
          for (++i; i < s.size() && s[i] != '"'; ++i) {
            if (s[i] == '\\' && i + 1 < s.size()) ++i;
            text += s[i];
          }
          if (i == s.size()) bad("a quoted element is not closed");
          ++i;
          out.push_back(element(std::move(text)));
        } else {
          std::string text;
          bool escaped = false;
          while (i < s.size() && s[i] != ',' && s[i] != '}') {
            if (s[i] == '"' || s[i] == '{') bad("unexpected \"" + std::string(1, s[i]) + "\"");
            if (s[i] == '\\' && i + 1 < s.size()) {
              ++i;
              escaped = true;
            }
            text += s[i++];
          }
          while (!text.empty() && space(text.back())) text.pop_back();
          if (text.empty()) bad("an element is empty");
          out.push_back(element(!escaped && iequals(text, "NULL")
                                    ? std::nullopt
                                    : std::optional<std::string>(std::move(text))));
        }
        while (i < s.size() && space(s[i])) ++i;
        if (i < s.size() && s[i] == ',') {
          ++i;
          continue;
        }
        if (i < s.size() && s[i] == '}') {
          ++i;
          break;
        }
        bad("expected \",\" or \"}\"");
      }
    }
    while (i < s.size() && space(s[i])) ++i;
    if (i != s.size()) bad("junk after \"}\"");
    if (out.size() > 1000) fail(lit, "an array holds at most 1000 values here");
    return out;
  }
  // ---- Rule: a row comparison is its columns' comparisons -------------------------
  // (a, b) = (1, 2) is a = 1 AND b = 2, (a, b) <> (1, 2) is a <> 1 OR b <>
  // 2, (a, b) IN ((1, 2), (3, 4)) is (a = 1 AND b = 2) OR (a = 3 AND b =
  // 4) and NOT IN the AND of the rows' <>: what PostgreSQL's parser makes of
  // them (make_row_comparison_op, transformAExprIn), typed, planned and
  // computed as those are. Django writes them for a composite primary key.
  // A row ordered with < (a RowCompareExpr) and a row compared with a
  // subquery are refused by name.
  bool row_ahead() const {
    const Token& t = peek();
    if (t.kind != TokenKind::kSymbol || t.text != "(" || next_is("SELECT")) return false;
    int depth = 0;
    for (size_t i = at_; i < tokens_.size() && tokens_[i].kind != TokenKind::kEnd; ++i) {
      const Token& k = tokens_[i];
      if (k.kind != TokenKind::kSymbol) continue;
      if (k.text == "(") ++depth;
      if (k.text == ")" && --depth == 0) return false;
      if (k.text == "," && depth == 1) return true;
    }
    return false;
  }
  std::vector<ExprPtr> row_items(std::string_view context) {
    if (peek().kind == TokenKind::kSymbol && peek().text == "(" && next_is("SELECT"))
      fail(peek(),
           "a row compared with a subquery is not modelled; compare its columns one by one");
    expect_symbol("(", context);
    std::vector<ExprPtr> items;
    do {
      if (items.size() >= 1000) fail(peek(), "a row holds at most 1000 values");
      items.push_back(concatenation());
    } while (accept_symbol(","));
    expect_symbol(")", "to close the row");
    return items;
  }
  ExprPtr row_compare(const std::vector<ExprPtr>& l, const std::vector<ExprPtr>& r, BinOp op,
                      const Token& t, const Token& at) {
    if (l.size() != r.size()) fail(at, "unequal number of entries in row expressions");
    ExprPtr out;
    for (size_t i = 0; i < l.size(); ++i) {
      ExprPtr c = binary(op, l[i], r[i], t);
      out = out ? binary(op == BinOp::kEq ? BinOp::kAnd : BinOp::kOr, out, c, t) : c;
    }
    return out;
  }
  ExprPtr row_comparison() {
    Deeper guard(*this, peek());
    std::vector<ExprPtr> l = row_items("to open the row");
    const Token& t = peek();
    if (peek_is("IN") || (peek_is("NOT") && next_is("IN"))) {
      const bool negated = accept("NOT");
      next();
      expect_symbol("(", "to open the IN list");
      ExprPtr out;
      size_t n = 0;
      do {
        if (++n > 1000) fail(peek(), "an IN list holds at most 1000 values");
        const Token& at = peek();
        ExprPtr one = row_compare(l, row_items("(a row) in the IN list of a row"),
                                  negated ? BinOp::kNe : BinOp::kEq, t, at);
        out = out ? binary(negated ? BinOp::kAnd : BinOp::kOr, out, one, at) : one;
      } while (accept_symbol(","));
      expect_symbol(")", "to close the IN list");
      return out;
    }
    BinOp op = BinOp::kEq;
    if (accept_symbol("<>") || accept_symbol("!=")) {
      op = BinOp::kNe;
    } else if (!accept_symbol("=")) {
      for (const char* sym : {"<", "<=", ">", ">="})
        if (t.kind == TokenKind::kSymbol && t.text == sym)
          fail(t, std::string("a row comparison with ") + sym +
                      " is not modelled: PostgreSQL orders rows column by column; write it "
                      "out with AND and OR");
      fail(t, "expected =, <>, IN or NOT IN after a row (a, b, ...), found " + describe(t));
    }
    const Token& at = peek();
    return row_compare(l, row_items("(a row) after the row's comparison"), op, t, at);
  }
  // a [NOT] BETWEEN [ASYMMETRIC] b AND c, which binds tighter than the
  // comparisons. PostgreSQL's parser rewrites it as a >= b AND a <= c (NOT
  // BETWEEN: a < b OR a > c), reading a twice, and types, plans and
  // computes that: so does ccsim.
  ExprPtr between_level() {
    ExprPtr l = concatenation();
    const Token& t = peek();
    if (peek_is("LIKE") || peek_is("ILIKE") ||
        (peek_is("NOT") && (next_is("LIKE") || next_is("ILIKE"))))
      return like(l, t);
    const bool negated = peek_is("NOT") && next_is("BETWEEN");
    if (!negated && !peek_is("BETWEEN")) return l;
    if (negated) next();
    next();
    if (peek_is("SYMMETRIC"))
      fail(peek(),
           "BETWEEN SYMMETRIC is not modelled; write (a >= b AND a <= c) OR (a >= c AND a <= b)");
    accept("ASYMMETRIC");
    ExprPtr low = concatenation();
    expect("AND", "between the bounds of BETWEEN");
    ExprPtr high = concatenation();
    if (negated)
      return binary(BinOp::kOr, binary(BinOp::kLt, l, low, t), binary(BinOp::kGt, l, high, t), t);
    return binary(BinOp::kAnd, binary(BinOp::kGe, l, low, t), binary(BinOp::kLe, l, high, t), t);
  }
  // ---- Rule: a [NOT] LIKE | ILIKE b, at BETWEEN's level ---------------------------
  // The pattern's escape is a backslash (an ESCAPE clause is refused by name); NOT
  // LIKE is PostgreSQL's own operator (!~~), as named in its errors.
  ExprPtr like(ExprPtr l, const Token& t) {
    const bool negated = accept("NOT");
    const bool folded = peek_is("ILIKE");
    next();
    ExprPtr pattern = concatenation();
    if (peek_is("ESCAPE"))
      fail(peek(), "LIKE ... ESCAPE is not modelled; LIKE's escape character is \\");
    auto e = std::make_shared<Expr>(*binary(BinOp::kEq, std::move(l), std::move(pattern), t));
    e->kind = ExprKind::kLike;
    e->name = std::string(negated ? "!" : "") + "~~" + (folded ? "*" : "");
    return e;
  }
  // a || b: below + and - and above the comparisons, as in PostgreSQL.
  ExprPtr concatenation() {
    ExprPtr l = additive();
    for (;;) {
      const Token& t = peek();
      if (!accept_symbol("||")) return l;
      l = binary(BinOp::kConcat, l, additive(), t);
    }
  }
  // x [NOT] IN (a, b, c): PostgreSQL's meaning is x = a OR x = b OR x = c
  // (NULLs included: no match and a NULL in the list is NULL), so that is
  // what it becomes; NOT IN is the negation of it.
  ExprPtr in_list(const ExprPtr& l, const Token& t) {
    bool negated = accept("NOT");
    expect("IN", "after NOT");
    refuse_unmodelled(SqlPlace::kInList);
    expect_symbol("(", "to open the IN list");
    ExprPtr any;
    size_t n = 0;
    const Token& first = peek();
    // IN (SELECT ...): the list's parentheses are the subquery's.
    const bool subquery = peek_is("SELECT");
    if (subquery) {
      --at_;
      const Token& at = peek();
      any = binary(BinOp::kEq, l, primary_value(), at);
      n = 1;
    } else {
      do {
        if (++n > 1000) fail(peek(), "an IN list holds at most 1000 values");
        const Token& at = peek();
        any = or_equal(std::move(any), l, additive(), at);
      } while (accept_symbol(","));
    }
    // x IN ((SELECT ...)) is PostgreSQL's IN (subquery), not a list of one
    // scalar subquery: its rows are matched, however many.
    // ---- Rule: IN (SELECT ... LIMIT 1) is a join to one row ----------------------
    // PostgreSQL runs the subquery first (the outer side of a nested loop)
    // and looks its one row's value up: x = (SELECT ...) as ccsim runs a
    // pick, but for a subquery that finds no row, which makes IN false and
    // = NULL, the same in a WHERE's top-level AND (validate.cc). More rows
    // come out in an order of its own (a hash or a sort), and NOT IN is
    // true for no row: both refused.
    if (subquery || (n == 1 && any->rhs->kind == ExprKind::kSubquery && !any->rhs->aggregate)) {
      const Expr& sub = *any->rhs;
      const auto* tail = sub.initplan ? std::get_if<SelectStmt>(&sub.initplan->body) : nullptr;
      if (negated) fail(first, "NOT IN (SELECT ...) is not modelled");
      if (!tail || tail->limit != 1 || sub.exists)
        fail(first,
             "a subquery (IN (SELECT ...)) is not modelled unless it ends in LIMIT 1, whose one "
             "row PostgreSQL joins to; write key = (SELECT ... LIMIT 1) for a pick");
      auto in = std::make_shared<Expr>(*any);
      in->in_subquery = true;
      any = in;
    }
    if (!subquery) expect_symbol(")", "to close the IN list");
    return negated ? none_of(any, t) : any;
  }
  // An IN list's chain so far with x = v added: x = a OR x = b ... (the
  // ORs marked as the list PostgreSQL plans as one = ANY).
  ExprPtr or_equal(ExprPtr any, const ExprPtr& x, ExprPtr v, const Token& at) {
    ExprPtr eq = binary(BinOp::kEq, x, std::move(v), at);
    return any ? binary(BinOp::kOr, any, eq, at, true) : eq;
  }
  // NOT IN: the negation of the list's chain (PostgreSQL's <> ALL).
  ExprPtr none_of(const ExprPtr& any, const Token& t) {
    auto none = std::make_shared<Expr>(*unary(ExprKind::kNot, any, t));
    none->in_list = true;
    return none;
  }
  ExprPtr additive() {
    ExprPtr l = multiplicative();
    for (;;) {
      const Token& t = peek();
      if (accept_symbol("+"))
        l = binary(BinOp::kAdd, l, multiplicative(), t);
      else if (accept_symbol("-"))
        l = binary(BinOp::kSub, l, multiplicative(), t);
      else
        return l;
    }
  }
  ExprPtr multiplicative() {
    ExprPtr l = unary_minus();
    for (;;) {
      const Token& t = peek();
      if (accept_symbol("*"))
        l = binary(BinOp::kMul, l, unary_minus(), t);
      else if (accept_symbol("/"))
        l = binary(BinOp::kDiv, l, unary_minus(), t);
      else if (accept_symbol("%"))
        l = binary(BinOp::kMod, l, unary_minus(), t);
      else
        return l;
    }
  }
  ExprPtr unary_minus() {
    const Token& t = peek();
    if (accept_symbol("-")) {
      // -5 is a number; -5::text is -(5::text), as :: binds tighter.
      if ((peek().kind == TokenKind::kInt || peek().kind == TokenKind::kDecimal) &&
          !(tokens_[at_ + 1].kind == TokenKind::kSymbol && tokens_[at_ + 1].text == "::"))
        return number(true, t);
      Deeper guard(*this, t);
      ExprPtr x = unary_minus();
      // ---- Rule: minus before a number in parentheses is a negative number ----
      // PostgreSQL's grammar negates a constant itself (doNegate): -(2147483648)
      // is the int -2147483648, as -2147483648 is, not the negated bigint.
      if (x->kind == ExprKind::kLiteral && !x->typed &&
          (std::holds_alternative<int64_t>(x->literal) ||
           std::holds_alternative<Decimal>(x->literal))) {
        auto negated = std::make_shared<Expr>(*x);
        if (auto* i = std::get_if<int64_t>(&x->literal))
          negated->literal = *number_value(-static_cast<__int128>(*i), 0);  // 2^63: a numeric
        else
          negated->literal = *number_value(-std::get<Decimal>(x->literal).units(),
                                           std::get<Decimal>(x->literal).scale);
        negated->line = pos_.line;
        negated->column = column_of(t);
        return negated;
      }
      return unary(ExprKind::kNeg, x, t);
    }
    return primary();
  }
  // A value and its casts: value::type[::type ...] (:: binds tightest).
  ExprPtr primary() {
    ExprPtr e = primary_value();
    while (peek().kind == TokenKind::kSymbol && peek().text == "::") {
      const Token& t = next();
      e = cast(std::move(e), t);
    }
    return e;
  }

  // ---- Rule: a cast converts a value to a type --------------------------------
  // value::type and CAST(value AS type), to the types a column can have
  // (serial aside); lang/typing.h says which conversions exist.
  ExprPtr cast(ExprPtr x, const Token& t) {
    auto c = std::make_shared<Expr>();
    c->kind = ExprKind::kCast;
    c->lhs = std::move(x);
    auto to = std::make_shared<Column>();
    const Token& at = peek();
    if (!type_name(*to, true)) {
      for (const char* known :
           {"real", "double", "float", "float4", "float8", "char", "character", "time", "timetz",
            "interval", "json", "jsonb", "bytea", "regclass", "oid", "name", "money"})
        if (at.kind == TokenKind::kIdent && iequals(at.text, known))
          fail(at, "a cast to " + lower(at.text) +
                       " is not modelled; the types are smallint, int, bigint, text, varchar, "
                       "numeric, boolean, uuid, date, timestamp and timestamptz");
      fail(at,
           "expected a type (smallint, int, bigint, text, varchar, numeric, boolean, uuid, date, "
           "timestamp or timestamptz) to cast to, found " +
               describe(at));
    }
    c->cast_to = std::move(to);
    c->line = pos_.line;
    c->column = column_of(t);
    bound_height(*c, t);
    return c;
  }

  ExprPtr primary_value() {
    const Token& t = peek();
    auto e = std::make_shared<Expr>();
    e->line = pos_.line;
    e->column = column_of(t);
    if (subquery_allowed_ && t.kind == TokenKind::kSymbol && t.text == "(" &&
        tokens_[at_ + 1].kind == TokenKind::kIdent && iequals(tokens_[at_ + 1].text, "SELECT"))
      return subquery(e);
    if (subquery_allowed_ && peek_is("EXISTS") && at_ + 2 < tokens_.size() &&
        tokens_[at_ + 1].kind == TokenKind::kSymbol && tokens_[at_ + 1].text == "(" &&
        tokens_[at_ + 2].kind == TokenKind::kIdent && iequals(tokens_[at_ + 2].text, "SELECT")) {
      // ---- Rule: EXISTS (SELECT ...), uncorrelated --------------------------------
      // A subquery whose value is whether it finds a row: its item is
      // read (SELECT 1, SELECT *, a column) and dropped, as PostgreSQL's
      // planner drops it; an aggregate there (always one row) and ORDER
      // BY, LIMIT or a locking clause are refused by name.
      ++at_;
      e->exists = true;
      return subquery(e);
    }
    if (advisory_allowed_ && t.kind == TokenKind::kIdent) {
      if (std::optional<AdvisoryCall> call = advisory_function()) {
        if (call->kind != AdvisoryCall::Kind::kLock)
          fail(t, call->function() +
                      " inside a WHERE is not modelled; call it in a statement "
                      "of its own: SELECT " +
                      call->function() + "(...)");
        at_ += 2;
        e->kind = ExprKind::kAdvisory;
        e->call = *call;
        {
          bool outer = advisory_allowed_;
          advisory_allowed_ = false;  // no lock inside a lock's key
          e->lhs = expr();
          e->rhs = second_key();
          advisory_allowed_ = outer;
        }
        bound_height(*e, t);
        expect_symbol(")", e->rhs ? "after the advisory lock's two keys"
                                  : "after the advisory lock's key (or a comma and a second key)");
        return e;
      }
    }
    if (t.kind == TokenKind::kIdent && !t.quoted && tokens_[at_ + 1].kind == TokenKind::kSymbol &&
        tokens_[at_ + 1].text == "(") {
      if (aggregates_ && aggregate_name(t.text)) {  // see aggregate_values()
        SelectStmt item;
        aggregate(item);
        e->kind = ExprKind::kSubquery;
        e->aggregate = item.aggregates.front();
        aggregates_->push_back(e);
        return e;
      }
      if (iequals(t.text, "coalesce")) return variadic(e, ExprKind::kCoalesce, "coalesce");
      if (iequals(t.text, "greatest")) return variadic(e, ExprKind::kGreatest, "greatest");
      if (iequals(t.text, "least")) return variadic(e, ExprKind::kLeast, "least");
      if (iequals(t.text, "nullif")) return nullif(e);
      if (iequals(t.text, "lower") || iequals(t.text, "upper"))
        return function(e, ExprKind::kCaseFold);
      if (is_function(t.text)) return function(e, ExprKind::kFunction);
      if (iequals(t.text, "current_setting")) return current_setting(e);
      if (iequals(t.text, "nextval") || iequals(t.text, "currval")) return sequence_call(e);
    }
    if (t.kind == TokenKind::kIdent && !t.quoted && iequals(t.text, "CASE")) return case_expr(e);
    if (t.kind == TokenKind::kIdent && !t.quoted && iequals(t.text, "CAST") &&
        tokens_[at_ + 1].kind == TokenKind::kSymbol && tokens_[at_ + 1].text == "(") {
      at_ += 2;
      Deeper guard(*this, t);
      ExprPtr x = expr();
      expect("AS", "after CAST's value");
      ExprPtr c = cast(std::move(x), t);
      expect_symbol(")", "to close CAST(");
      return c;
    }
    refuse_unmodelled(SqlPlace::kValue);
    switch (t.kind) {
      case TokenKind::kInt:
      case TokenKind::kDecimal:
        return number(false, t);
      case TokenKind::kString:
        e->kind = ExprKind::kLiteral;
        e->literal = t.text;
        ++at_;
        return e;
      case TokenKind::kParam:
        e->kind = ExprKind::kParam;
        e->name = t.text;
        ++at_;
        return e;
      case TokenKind::kIdent: {
        // ---- Rule: DATE 'text' and TIMESTAMP 'text' are typed literals -------
        if (auto typed = typed_literal_type()) {
          e->kind = ExprKind::kLiteral;
          e->typed = typed;
          e->literal = peek().text;
          ++at_;
          return e;
        }
        if (accept("NULL")) {
          e->kind = ExprKind::kLiteral;
          return e;
        }
        if (peek_is("TRUE") || peek_is("FALSE")) {
          e->kind = ExprKind::kLiteral;
          e->literal = peek_is("TRUE");
          ++at_;
          return e;
        }
        e->kind = ExprKind::kColumn;
        if (excluded_allowed_ && iequals(t.text, "excluded") &&
            tokens_[at_ + 1].kind == TokenKind::kSymbol && tokens_[at_ + 1].text == ".") {
          at_ += 2;
          e->excluded = true;
          e->name = name("a column name after EXCLUDED.");
          return e;
        }
        size_t qualified_before = qualifiers_.size();
        e->name = column("a value");
        if (merge_source_) return merge_column(e, t, qualifiers_.size() != qualified_before);
        // ---- Rule: a column alone is ambiguous in DO UPDATE (42702) ----------
        // It could be the row's or EXCLUDED's, and PostgreSQL refuses it.
        if (excluded_allowed_ && qualifiers_.size() == qualified_before)
          fail(t, "column reference \"" + e->name +
                      "\" is ambiguous in ON CONFLICT DO UPDATE (PostgreSQL: 42702); write "
                      "the table's name or EXCLUDED before it");
        return e;
      }
      case TokenKind::kSymbol:
        if (accept_symbol("(")) {
          ExprPtr inner = expr();
          expect_symbol(")", "to close the parenthesis");
          return inner;
        }
        [[fallthrough]];
      default:
        fail(t, "expected a value (a number, 'text', NULL, a column or a :parameter), found " +
                    describe(t));
    }
  }

  ExprPtr number(bool negative, const Token& sign) {
    const Token& t = next();
    std::string digits = (negative ? "-" : "") + t.text;
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kLiteral;
    if (t.kind == TokenKind::kDecimal) {
      // ---- Rule: a number with a point is a numeric constant -------------
      // Its scale is the digits after the point (1.50 keeps two; 3. none).
      std::optional<Value> v = numeric_text(digits);
      if (!v)
        fail(negative ? sign : t, "the number " + digits + " has more than " +
                                      std::to_string(Decimal::kMaxDigits) + " digits or " +
                                      std::to_string(Decimal::kMaxScale) +
                                      " after its point, which is not modelled");
      e->literal = *v;
      e->decimal_literal = true;
      e->line = pos_.line;
      e->column = column_of(negative ? sign : t);
      return e;
    }
    int64_t v = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc() || p != digits.data() + digits.size()) {
      // ---- Rule: a whole number past bigint is a numeric constant --------------
      std::optional<Value> big = numeric_text(digits);
      if (!big)
        fail(negative ? sign : t, "the number " + digits + " has more than " +
                                      std::to_string(Decimal::kMaxDigits) +
                                      " digits, which is not modelled");
      e->literal = *big;
      e->line = pos_.line;
      e->column = column_of(negative ? sign : t);
      return e;
    }
    e->literal = v;
    e->line = pos_.line;
    e->column = column_of(negative ? sign : t);
    return e;
  }

  ExprPtr binary(BinOp op, ExprPtr l, ExprPtr r, const Token& t, bool in_list = false) {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kBinary;
    e->op = op;
    e->in_list = in_list;
    e->lhs = std::move(l);
    e->rhs = std::move(r);
    e->line = pos_.line;
    e->column = column_of(t);
    bound_height(*e, t);
    return e;
  }
  ExprPtr unary(ExprKind k, ExprPtr x, const Token& t) {
    auto e = std::make_shared<Expr>();
    e->kind = k;
    e->lhs = std::move(x);
    e->line = pos_.line;
    e->column = column_of(t);
    bound_height(*e, t);
    return e;
  }

  // abs, round, floor, ceil, ceiling, length, char_length, character_length,
  // hashtext.
  static bool is_function(const std::string& name) {
    for (const char* f : {"abs", "round", "floor", "ceil", "ceiling", "length", "char_length",
                          "character_length", "hashtext"})
      if (iequals(name, f)) return true;
    return false;
  }

  // lower(x), upper(x) (kCaseFold) and the functions above (kFunction): one
  // argument, or two for round (the digits to keep).
  ExprPtr function(std::shared_ptr<Expr> e, ExprKind kind) {
    const Token& t = peek();
    at_ += 2;
    Deeper guard(*this, t);
    e->kind = kind;
    e->name = lower(t.text);
    e->lhs = expr();
    if (e->name == "round" && accept_symbol(",")) e->rhs = expr();
    expect_symbol(")", "to close " + e->name + "( (it takes " +
                           (e->name == "round" ? "one or two arguments)" : "one argument)"));
    bound_height(*e, t);
    return e;
  }

  // nullif(a, b): exactly two arguments.
  ExprPtr nullif(std::shared_ptr<Expr> e) {
    const Token& t = peek();
    at_ += 2;
    Deeper guard(*this, t);
    e->kind = ExprKind::kNullIf;
    e->op = BinOp::kEq;
    e->lhs = expr();
    expect_symbol(",", "after nullif's first argument (nullif takes two)");
    e->rhs = expr();
    expect_symbol(")", "to close nullif( (it takes two arguments)");
    bound_height(*e, t);
    return e;
  }

  // coalesce(a, b[, ...]): the first of its arguments that is not NULL,
  // later ones evaluated only when needed; greatest(a, b, ...) and
  // least(...): the largest (smallest) argument that is not NULL. One node
  // per argument but the last, nesting to the right (`continued` marks a
  // later argument's node); a single argument x is read as (x, NULL),
  // named as the call.
  ExprPtr variadic(std::shared_ptr<Expr> e, ExprKind kind, const std::string& name) {
    const Token& t = peek();
    at_ += 2;
    Deeper guard(*this, t);
    std::vector<ExprPtr> args;
    do args.push_back(expr());
    while (accept_symbol(","));
    expect_symbol(")", "to close " + name + "(");
    if (args.size() < 2) {
      auto null = std::make_shared<Expr>(*e);
      null->kind = ExprKind::kLiteral;
      args.push_back(null);
    }
    ExprPtr last = args.back();
    args.pop_back();
    return chain(e, kind, args, last, t);
  }

  // One node of `kind` per item, nesting to the right and ending in `tail`
  // (which may be null): the first is e itself, the later ones are marked
  // `continued` (parts of the same call or CASE, not ones written inside).
  ExprPtr chain(const std::shared_ptr<Expr>& e, ExprKind kind, const std::vector<ExprPtr>& items,
                ExprPtr tail, const Token& t) {
    for (size_t i = items.size(); i-- > 0;) {
      auto node = i == 0 ? e : std::make_shared<Expr>(*e);
      node->kind = kind;
      node->continued = i > 0;
      node->lhs = items[i];
      node->rhs = tail;
      bound_height(*node, t);
      tail = node;
    }
    return tail;
  }

  // CASE [x] WHEN c THEN r [WHEN ...] [ELSE e] END: the first arm whose
  // condition holds (x = v for a simple CASE), else the ELSE, else NULL.
  ExprPtr case_expr(std::shared_ptr<Expr> e) {
    const Token& t = next();  // CASE
    Deeper guard(*this, t);
    ExprPtr operand;
    if (!peek_is("WHEN")) operand = expr();
    std::vector<ExprPtr> arms;
    while (peek_is("WHEN")) {
      const Token& when = next();
      ExprPtr condition = expr();
      if (operand) condition = binary(BinOp::kEq, operand, condition, when);
      expect("THEN", "after CASE's WHEN condition");
      auto arm = std::make_shared<Expr>(*e);
      arm->kind = ExprKind::kWhen;
      arm->lhs = condition;
      arm->rhs = expr();
      arm->line = pos_.line;
      arm->column = column_of(when);
      bound_height(*arm, when);
      arms.push_back(arm);
    }
    if (arms.empty()) fail(peek(), "expected WHEN after CASE, found " + describe(peek()));
    ExprPtr otherwise;
    if (accept("ELSE")) otherwise = expr();
    expect("END", "to close CASE");
    return chain(e, ExprKind::kCase, arms, otherwise, t);
  }

  // ---- Rule: DEFAULT nextval('s') is a serial on a sequence of its own -------
  // The column takes the sequence's next value where a serial takes its
  // own's (an INSERT that leaves it out or says DEFAULT, SET col =
  // DEFAULT), and that nextval sets the session's currval. It stays as
  // nullable as written. pg_dump's ('s'::regclass) is read too. The
  // sequence must exist when the table is made (42P01).
  void default_sequence(Column& col) {
    const Token& t = peek();
    if (col.type != ColumnType::kSmallInt && col.type != ColumnType::kInt &&
        col.type != ColumnType::kBigInt)
      fail(t,
           "DEFAULT nextval(...) on a column that is not smallint, int or bigint is not "
           "modelled");
    bool outer = sequences_allowed_;
    sequences_allowed_ = true;
    ExprPtr e = sequence_call(std::make_shared<Expr>(), true);
    sequences_allowed_ = outer;
    if (e->currval) fail(t, "DEFAULT currval(...) is not modelled; write DEFAULT nextval('name')");
    col.sequence = e->name;
    col.serial = true;
  }

  // nextval('name') and currval('name'): modelled in INSERT ... VALUES and
  // in a SELECT without FROM, each call computed once where it stands. The
  // name is a quoted literal (read as regclass: a name in double quotes
  // inside keeps its case, any other is folded to lower case).
  ExprPtr sequence_call(std::shared_ptr<Expr> e, bool regclass = false) {
    const Token& t = peek();
    const std::string fn = lower(t.text);
    if (!sequences_allowed_)
      fail(t, fn + "(...) is modelled only in INSERT ... VALUES, in UPDATE ... SET col = " + fn +
                  "(...) and in a SELECT without FROM");
    at_ += 2;
    const Token& arg = peek();
    if (arg.kind != TokenKind::kString)
      fail(arg, "expected the sequence's name in quotes after " + fn + "(, found " + describe(arg));
    std::string name = arg.text;
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
      name = name.substr(1, name.size() - 2);
    else
      name = lower(name);
    if (name.empty() || name.find_first_of(".\" ") != std::string::npos)
      fail(arg, "a sequence named " + to_sql(Value{arg.text}) +
                    " is not modelled; name it alone, as CREATE SEQUENCE does");
    ++at_;
    if (regclass && peek().kind == TokenKind::kSymbol && peek().text == "::" &&
        at_ + 1 < tokens_.size() && iequals(tokens_[at_ + 1].text, "regclass"))
      at_ += 2;
    if (peek().kind == TokenKind::kSymbol && peek().text == "::")
      fail(peek(), "a cast of the sequence's name is not modelled; write " + fn + "('name')");
    expect_symbol(")", "to close " + fn + "( (it takes one argument)");
    e->kind = ExprKind::kSequence;
    e->currval = fn == "currval";
    sequence_at_ = &t;
    e->name = name;
    bound_height(*e, t);
    return e;
  }

  // current_setting('name'): a setting's value as text; read only in a
  // SELECT without FROM (select_values), where it is computed once.
  ExprPtr current_setting(std::shared_ptr<Expr> e) {
    const Token& t = peek();
    if (!settings_allowed_)
      fail(t, "current_setting(...) is modelled only in a SELECT without FROM");
    at_ += 2;
    const Token& arg = peek();
    if (arg.kind != TokenKind::kString)
      fail(arg,
           "expected a setting's name in quotes after current_setting(, found " + describe(arg));
    std::string setting = lower(arg.text);
    if (!is_readable_setting(setting))
      fail(arg, "current_setting(" + to_sql(Value{arg.text}) + ") is not modelled; ccsim knows " +
                    kReadableSettings);
    ++at_;
    if (peek().kind == TokenKind::kSymbol && peek().text == ",")
      fail(peek(), "current_setting's missing_ok argument is not modelled");
    expect_symbol(")", "to close current_setting(");
    e->kind = ExprKind::kCurrentSetting;
    e->name = arg.text;
    return e;
  }

  // (SELECT item FROM t [WHERE pred]): a scalar subquery, uncorrelated, in a
  // SQL statement. Its item is an expression over t's row or one aggregate.
  ExprPtr subquery(std::shared_ptr<Expr> e) {
    const Token& open = next();
    next();  // SELECT
    e->kind = ExprKind::kSubquery;
    bool advisory = advisory_allowed_;
    subquery_allowed_ = advisory_allowed_ = false;
    auto* outer_aggregates = std::exchange(aggregates_, nullptr);
    size_t qualified_before = qualifiers_.size();
    SelectStmt item;
    const Token& item_at = peek();
    if (e->exists && accept_symbol("*")) {
      auto star = std::make_shared<Expr>();  // the literal NULL: an item never used
      star->line = e->line;
      star->column = e->column;
      e->lhs = std::move(star);
    } else if (aggregate(item)) {
      if (e->exists)
        fail(item_at,
             "an aggregate in EXISTS (SELECT ...) is not modelled (it always finds its one row)");
      e->aggregate = item.aggregates.front();
    } else {
      e->lhs = expr();
      if (accept("AS")) name("a column label after AS");  // SELECT 1 AS "a", as Django writes
    }
    if (accept_symbol(","))
      fail(tokens_[at_ - 1],
           "a subquery with more than one column is not modelled (PostgreSQL: "
           "42601, subquery must return only one column)");
    refuse_unmodelled(SqlPlace::kAfterSelectList);
    expect("FROM", "after the subquery's select item");
    e->name = table_name("a table name after FROM");
    // Its own alias (FROM t U0, as Django writes its subqueries), which its
    // qualified columns name; the statement's alias stays the statement's.
    std::string outer_alias = std::exchange(alias_, std::string());
    table_alias(false);
    const std::string own = alias_.empty() ? e->name : alias_;
    alias_ = std::move(outer_alias);
    if (accept("WHERE")) e->rhs = expr();
    if (peek_is("GROUP")) fail(peek(), peek().text + " in a subquery is not modelled");
    SelectStmt tail;
    tail.table = e->name;
    const Token& tail_at = peek();
    const size_t tail_from = at_;
    select_tail(tail, own);
    if (tail.offset)
      for (size_t k = at_; k-- > tail_from;)
        if (tokens_[k].kind == TokenKind::kIdent && iequals(tokens_[k].text, "OFFSET"))
          fail(tokens_[k], "OFFSET in a subquery is not modelled here");
    if (!tail.order_then.empty())
      fail(tail_at, "ORDER BY several columns in a subquery is not modelled");
    for (const char* w :
         {"OFFSET", "FETCH", "UNION", "INTERSECT", "EXCEPT", "ORDER", "LIMIT", "FOR"})
      if (peek_is(w)) fail(peek(), peek().text + " in a subquery is not modelled here");
    // EXISTS stops at its first row: a LIMIT of one row or more changes
    // nothing (Django's Exists() writes LIMIT 1).
    if (e->exists && tail.limit && *tail.limit >= 1 && !tail.order_by && !tail.lock)
      tail.limit.reset();
    if (e->exists && (tail.order_by || tail.limit || tail.lock))
      fail(tail_at, "ORDER BY, LIMIT 0 or a locking clause in EXISTS (SELECT ...) is not modelled");
    if (tail.order_by || tail.limit || tail.lock) {
      if (e->aggregate) fail(tail_at, aggregate_with(tail, " in a subquery"));
      tail.where = e->rhs;
      auto plan = std::make_shared<Step>();
      plan->body = std::move(tail);
      e->initplan = std::move(plan);
    }
    // A column qualified with the subquery's own table (or alias) is its
    // own; any other qualifier names the statement's table (a correlated
    // subquery, not modelled) or none.
    for (size_t k = qualified_before; k < qualifiers_.size(); ++k)
      if (qualifiers_[k].first != own)
        fail(*qualifiers_[k].second,
             "a qualified name in a subquery is not modelled unless it names the subquery's own "
             "table (a correlated subquery is not); write the subquery's column alone");
    qualifiers_.resize(qualified_before);
    expect_symbol(")", "to close the subquery opened at column " + std::to_string(column_of(open)));
    subquery_allowed_ = true;
    advisory_allowed_ = advisory;
    aggregates_ = outer_aggregates;
    bound_height(*e, open);
    return e;
  }

  // A WHERE of SELECT, UPDATE or DELETE: an advisory lock is taken there
  // for each row the rest of the WHERE keeps (engine/executor.cc).
  ExprPtr where_clause() {
    advisory_allowed_ = true;
    ExprPtr w = expr();
    advisory_allowed_ = false;
    return w;
  }

  int depth_ = 0;
  bool excluded_allowed_ = false;        // inside ON CONFLICT DO UPDATE: EXCLUDED.col reads
  bool advisory_allowed_ = false;        // inside a WHERE of SELECT, UPDATE or DELETE
  bool subquery_allowed_ = false;        // inside a data statement (not in a subquery)
  bool settings_allowed_ = false;        // in a SELECT without FROM's list: current_setting
  bool sequences_allowed_ = false;       // there and in INSERT's VALUES: nextval, currval
  const Token* sequence_at_ = nullptr;   // the last nextval or currval read
  MergeSource* merge_source_ = nullptr;  // inside MERGE's ON and WHEN clauses (merge())
  // In aggregate_values()'s list: the aggregates read, completed after FROM.
  std::vector<std::shared_ptr<Expr>>* aggregates_ = nullptr;
};

}  // namespace

Step parse_step(std::string_view line, const SourcePos& origin) {
  Parser p(line, SourcePos{origin.file, origin.line, origin.column});
  Step s = p.parse();
  statement_facts(s);
  s.text = step_text(line);
  s.source_line = std::string(line);
  return s;
}

Program parse_program(std::string_view text, const SourcePos& origin) {
  Program prog;
  if (text.find('\0') != std::string_view::npos)
    throw InputError(SourcePos{origin.file, origin.line, origin.column},
                     "the steps contain a NUL byte");
  prog.file = origin.file;
  int line_no = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line =
        text.substr(start, nl == std::string_view::npos ? text.npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    SourcePos here{origin.file, origin.line + line_no, line_no == 0 ? origin.column : 1};
    if (!step_text(line).empty()) {
      if (prog.steps.size() == kProgramStepsMax)
        throw InputError(SourcePos{here.file, here.line, here.column},
                         "a program has at most " + std::to_string(kProgramStepsMax) + " steps");
      prog.steps.push_back(parse_step(line, here));
    }
    if (nl == std::string_view::npos) break;
    start = nl + 1;
    ++line_no;
  }
  return prog;
}

}  // namespace ccsim
