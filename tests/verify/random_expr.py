#!/usr/bin/python3
"""Writes one random isolation-tester spec of expressions, for scripts/random-exprs.

    random_expr.py SEED OUT.spec

One session, one permutation, about forty autocommit statements over a
table of every column type ccsim models (int, bigint, text, varchar(6),
boolean, date, numeric(8, 2) in even seeds, timestamp and timestamptz in
every third, smallint in every fifth, uuid in every seventh), with NULLs and the ints' edge values in its rows: SELECTs of
random expressions and of aggregates with random WHEREs, SELECTs without
FROM, UPDATEs, INSERTs and DELETEs with RETURNING.
The expressions mix columns, literals (numbers, quoted texts such as '5',
'x', 't' and '2024-01-31', NULL, booleans, DATE literals) and :none of the
parameters, through arithmetic, ||, comparisons, AND, OR, NOT, IS NULL,
[NOT] BETWEEN, IS [NOT] DISTINCT FROM, [NOT] LIKE and ILIKE, coalesce, nullif, CASE, greatest,
least, abs, round, floor, ceil, length, casts, IN lists and scalar
subqueries, typed or not: many of them are
errors PostgreSQL's parser or planner raises (an operator the types do
not have, 1/0 in a constant, an int past its range), which ccsim must
raise the same, before any row is read. Seeds without the numeric column
also divide (ccsim refuses / and % beside a numeric). The same seed writes
the same spec.
"""
import random
import sys

INT_EDGES = ["0", "1", "-1", "2", "7", "10", "2147483647", "-2147483648", "2147483648",
             "3000000000"]
# LIKE patterns: wildcards, escapes, and one ending in a lone backslash
# (22025 once the match reaches it).
PATTERNS = ["'%'", "'x%'", "'_'", "'%5'", "'A_'", "'%b%'", "'\\%'", "'x\\'", "'%\\'", "''"]
QUOTED = ["'5'", "' 5'", "'x'", "'t'", "'f'", "'2024-01-31'", "''", "'10'", "'abc'",
          "'2024-13-01'", "'yes'"]
# Letters outside ASCII, put in place of 'abc' and 'x' by a second random
# stream (so every seed keeps the shape it had before): lower(), upper()
# and ILIKE map each one as the C library does in C.UTF-8.
# uuids in the forms uuid_in reads (and one it does not), quoted, for the
# seeds with a uuid column.
UUIDS = ["'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'", "'a0eebc999c0b4ef8bb6d6bb9bd380a11'",
         "'b0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a12'", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1'"]
UNICODE = ["'Äbc'", "'ΣΑΣ'", "'straße'", "'İx'", "'ǅé'", "'ȿП'"]
UNICODE_PATTERNS = ["'ä%'", "'%SS%'", "'_Σ%'", "'%É'", "'i%'"]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.side = random.Random(seed * 7919 + 1)  # the choices that leave self.r's draws alone
        self.fn = random.Random(seed * 104729 + 3)  # the functions, apart from both
        self.numeric = seed % 2 == 0
        self.times = seed % 3 == 0  # a timestamp and a timestamptz column too
        self.small = seed % 5 == 4  # a smallint column too
        self.uuid = seed % 7 == 6  # a uuid column too
        self.columns = (["id", "i", "g", "s", "vc", "b", "d"] + (["n"] if self.numeric else []) +
                        (["ts", "tz"] if self.times else []) + (["sm"] if self.small else []) +
                        (["u"] if self.uuid else []))
        self.next_id = 10
        self.no_columns = False

    def pick(self, xs):
        return self.r.choice(xs)

    def leaf(self):
        k = self.r.random()
        if k < 0.40 and not self.no_columns:
            return self.pick(self.columns)
        if k < 0.60:
            return self.pick(INT_EDGES)
        if k < 0.72:
            q = self.pick(QUOTED + (UUIDS if self.uuid else []))
            if q in ("'abc'", "'x'") and self.side.random() < 0.6:
                return self.side.choice(UNICODE)
            return q
        if k < 0.77:
            return "NULL"
        if k < 0.82:
            return self.pick(["true", "false"])
        if k < 0.87:
            return self.pick(["DATE '2024-02-29'", "DATE '2023-12-31'"] +
                             (["TIMESTAMP '2024-02-29 10:00'", "'2024-02-29 23:30+02'"]
                              if self.times else []))
        if k < 0.93 and self.numeric:
            return self.pick(["1.5", "0.25", "2.", "99.99"])
        return self.pick(INT_EDGES[:6])

    def expr(self, depth):
        if depth <= 0 or self.r.random() < 0.25:
            return self.leaf()
        k = self.r.random()
        a = lambda: self.expr(depth - 1)
        if k < 0.30:
            ops = ["+", "-", "*"] + ([] if self.numeric else ["/", "%"])
            left, op = a(), self.pick(ops)
            if op == "-" and (left.startswith("'") or left == "NULL"):
                op = "+"  # 'x' - text would be jsonb's operator, which ccsim refuses
            return "(%s %s %s)" % (left, op, a())
        if k < 0.38:
            return "(%s)" % a()
        if k < 0.45:
            cat = "(%s || %s)" % (a(), a())
            if self.side.random() < 0.35:
                return "%s%s" % (self.side.choice(["lower", "upper"]), cat)
            return cat
        if k < 0.52:
            return "coalesce(%s, %s)" % (a(), a())
        if k < 0.57:
            return "-(%s)" % a()
        if k < 0.70:
            return "(%s)" % self.pred(depth - 1)
        if k < 0.73:
            arms = " ".join("WHEN %s THEN %s" % (self.pred(depth - 1), a())
                            for _ in range(self.r.randint(1, 2)))
            return "CASE %s%s END" % (arms, (" ELSE %s" % a()) if self.r.random() < 0.6 else "")
        if k < 0.745 and self.r.random() < 0.5:
            types = ["int", "bigint", "numeric", "numeric(5,1)", "text", "varchar(3)", "boolean",
                     "date"] + (["timestamp", "timestamptz"] if self.times else []) + (
                         ["smallint"] if self.small else []) + (["uuid"] if self.uuid else [])
            if self.r.random() < 0.5:
                return "(%s)::%s" % (a(), self.pick(types))
            return "CAST(%s AS %s)" % (a(), self.pick(types))
        if k < 0.75:
            return "%s(%s)" % (self.pick(["greatest", "least"]),
                               ", ".join(a() for _ in range(self.r.randint(1, 3))))
        if k < 0.80:
            return "(SELECT %s FROM e WHERE id = %s)" % (self.pick(self.columns), self.pick(["1", "2", "9"]))
        if k < 0.86:
            return "nullif(%s, %s)" % (a(), a())
        if self.fn.random() < 0.5:
            return self.function(a)
        return "(%s)" % a()

    def function(self, a):
        """abs, round, floor, ceil or length of a random argument, from a
        stream of their own. The number ones get a number: a quoted literal
        or NULL alone, or an int in round, floor and ceil, would be
        PostgreSQL's double precision ones, which ccsim refuses. round's
        digits are constants (or the bigint g, 42883): a column's 2147483647
        keeps 2000 digits after the point, which ccsim refuses at run time."""
        f = self.fn.choice(["abs", "round", "round2", "floor", "ceil", "ceiling", "length",
                            "char_length"])
        if f == "abs":
            return "abs((%s) + %s)" % (a(), self.fn.choice(["0", "0", "0.5", "(-1)"]))
        if f == "round2":
            return "round(%s, %s)" % (a(), self.fn.choice(["0", "1", "2", "-1", "-2", "'1'", "-40", "g"]))
        if f in ("round", "floor", "ceil", "ceiling"):
            return "%s((%s)%s)" % (f, a(), self.fn.choice(["::numeric", "::numeric", " + 0.5"]))
        return "%s(%s)" % (f, a())

    def pred(self, depth):
        if depth <= 0:
            return "%s %s %s" % (self.leaf(), self.pick(["=", "<>", "<", ">="]), self.leaf())
        k = self.r.random()
        a = lambda: self.expr(depth - 1)
        p = lambda: self.pred(depth - 1)
        if k < 0.35:
            return "%s %s %s" % (a(), self.pick(["=", "<>", "<", "<=", ">", ">="]), a())
        if k < 0.55:
            return "(%s) %s (%s)" % (p(), self.pick(["AND", "OR"]), p())
        if k < 0.62:
            return "NOT (%s)" % p()
        if k < 0.70:
            return "%s IS %sNULL" % (a(), self.pick(["", "NOT "]))
        if k < 0.80:
            items = [a() for _ in range(self.r.randint(1, 3))]
            if len(items) == 1 and items[0].startswith("(SELECT"):
                items.append("1")  # IN ((SELECT ...)) alone is IN (subquery): refused
            items = ", ".join(items)
            return "%s %sIN (%s)" % (a(), self.pick(["", "NOT "]), items)
        if k < 0.85:
            return self.pick(["true", "false", "NULL", "'t'"] + ([] if self.no_columns else ["b"]))
        if k < 0.90:
            return "%s %sBETWEEN %s%s AND %s" % (a(), self.pick(["", "NOT "]),
                                                 self.pick(["", "", "ASYMMETRIC "]), a(), a())
        if k < 0.94:
            return "%s IS %sDISTINCT FROM %s" % (a(), self.pick(["", "NOT "]), a())
        if k < 0.97:
            subject = a() if self.no_columns or self.r.random() < 0.3 else self.pick(["s", "vc"])
            pattern = self.pick(PATTERNS) if self.r.random() < 0.7 else a()
            if pattern in ("'A_'", "'%b%'") and self.side.random() < 0.5:
                pattern = self.side.choice(UNICODE_PATTERNS)
            return "%s %s%s %s" % (subject, self.pick(["", "NOT "]), self.pick(["LIKE", "ILIKE"]),
                                   pattern)
        return "(%s)" % p()

    def where(self, one_row=False):
        # An UPDATE or DELETE touches one row at most: the order RETURNING
        # lists several in is the planner's (a bitmap or a sequential scan).
        if self.r.random() < 0.2 and not one_row:
            return ""
        base = self.pick(["id = 1", "id = 2", "id = 9"] + ([] if one_row else ["id > 0"]))
        if self.r.random() < 0.5:
            return " WHERE " + base
        return " WHERE %s AND %s" % (base, self.pred(2))

    def statement(self):
        k = self.r.random()
        if k < 0.35:
            return "SELECT id, %s AS x FROM e%s ORDER BY id;" % (self.expr(3), self.where())
        if k < 0.40 and self.r.random() < 0.3:
            agg = self.pick(["count(*)", "count(%s)", "sum(%s)", "min(%s)", "max(%s)"])
            if "%s" in agg:
                agg = agg % self.pick([c for c in self.columns if c != "id"])
            return "SELECT %s AS x FROM e%s;" % (agg, self.where())
        if k < 0.50:
            self.no_columns = True
            x, y = self.expr(3), self.expr(2)
            self.no_columns = False
            return "SELECT %s AS x, %s AS y;" % (x, y)
        if k < 0.75:
            col = self.pick([c for c in self.columns if c != "id"])
            return "UPDATE e SET %s = %s%s RETURNING id, %s;" % (col, self.expr(3), self.where(True), col)
        if k < 0.90:
            col = self.pick([c for c in self.columns if c != "id"])
            self.next_id += 1
            self.no_columns = True
            value = self.expr(3)
            self.no_columns = False
            return "INSERT INTO e (id, %s) VALUES (%d, %s) RETURNING id, %s;" % (
                col, self.next_id, value, col)
        return "DELETE FROM e WHERE id = %d AND %s RETURNING id;" % (self.r.randint(10, self.next_id), self.pred(2))


def main():
    seed = int(sys.argv[1])
    g = Gen(seed)
    numeric = (", n numeric(8, 2)" if g.numeric else "") + (
        ", ts timestamp, tz timestamptz" if g.times else "")
    numeric_rows = [(", 1.5", ", NULL", ", -0.25")[k] if g.numeric else "" for k in range(3)]
    if g.times:
        times = (", '2024-01-31 08:00', '2024-01-31 08:00+00'", ", NULL, '2024-02-29 23:30+02'",
                 ", '2023-12-31 23:59:59', NULL")
        numeric_rows = [numeric_rows[k] + times[k] for k in range(3)]
    if g.small:
        numeric += ", sm smallint"
        numeric_rows = [numeric_rows[k] + (", 7", ", 32767", ", -32768")[k] for k in range(3)]
    if g.uuid:
        numeric += ", u uuid"
        numeric_rows = [numeric_rows[k] + (", 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", ", NULL",
                                           ", 'B0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12'")[k]
                        for k in range(3)]
    out = []
    out.append("# random_expr.py %d" % seed)
    out.append("setup {")
    out.append("  CREATE TABLE e (id int PRIMARY KEY, i int, g bigint, s text, vc varchar(6), "
               "b boolean, d date%s);" % numeric)
    out.append("  INSERT INTO e VALUES (1, 10, 5, 'x', 'ab', true, '2024-01-31'%s);" % numeric_rows[0])
    out.append("  INSERT INTO e VALUES (2, 2147483647, -9223372036854775807, '5', NULL, false, "
               "'2024-02-29'%s);" % numeric_rows[1])
    out.append("  INSERT INTO e VALUES (3, NULL, NULL, NULL, '7', NULL, NULL%s);" % numeric_rows[2])
    out.append("}")
    out.append("teardown { DROP TABLE e; }")
    out.append("session s1")
    names = []
    for k in range(40):
        name = "q%d" % k
        names.append(name)
        out.append("step %s { %s }" % (name, g.statement()))
    out.append("step look { SELECT * FROM e ORDER BY id; }")
    out.append("permutation " + " ".join(names) + " look")
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(out) + "\n")


main()
