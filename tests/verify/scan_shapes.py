#!/usr/bin/env python3
"""The scan shapes: specs of WHEREs over a table's unique indexes, one per seed.

Each writes a table with its rows inserted out of key order (some rows
then updated, one moved to another key and back, so that the sequential,
bitmap and index scans meet the rows in three different orders), and runs
one WHERE as a SERIALIZABLE read beside a writer of other rows (a cycle
through the relation when the read is a sequential scan, none through
the index), as a locking SELECT (the rows' order), and, where it finds
two rows or more, as an UPDATE against a transaction holding its last
row (which of the two waits, or deadlocks, follows the order). The WHEREs
are IN lists on every column of keys of one, two and three columns,
ranges, LIMITs and ORs of key conditions, over narrow and wide tables,
on UNIQUE indexes beside a primary key, and on plain indexes (CREATE
INDEX) beside one.
scripts/random-specs --shapes runs them (docs/verify.md).

    scan_shapes.py SEED OUT.spec    (SEED 1 .. COUNT; printed by --count)
"""
import re
import sys

WIDE = ", 'x', 'x', 'x', 'x'"
TABLES = {
    # name: (CREATE TABLE, extra values per row, key columns)
    "n": ("CREATE TABLE t (a int, b int, v int NOT NULL, PRIMARY KEY (a, b));", "", ["a", "b"]),
    "m": ("CREATE TABLE t (a int, b int, v int NOT NULL, t1 text, PRIMARY KEY (a, b));", ", 'x'", ["a", "b"]),
    "c": ("CREATE TABLE t (a int, b int, v int NOT NULL, t1 varchar(3), PRIMARY KEY (a, b));", ", 'x'", ["a", "b"]),
    "w": ("CREATE TABLE t (a int, b int, v int NOT NULL, t1 text, t2 text, t3 text, t4 text, PRIMARY KEY (a, b));",
          WIDE, ["a", "b"]),
    "k": ("CREATE TABLE t (a int, b int, c int, v int NOT NULL, PRIMARY KEY (a, b, c));", "", ["a", "b", "c"]),
    "s": ("CREATE TABLE t (a int PRIMARY KEY, b int, v int NOT NULL);", "", ["a"]),
    "x": ("CREATE TABLE t (a int PRIMARY KEY, b int, v int NOT NULL, t1 text, t2 text, t3 text, t4 text, "
          "t5 text, t6 text, t7 text, t8 text);", WIDE + WIDE, ["a"]),
    # UNIQUE indexes beside a primary key on id (the last column)
    "u": ("CREATE TABLE t (a int NOT NULL, b int NOT NULL, v int NOT NULL, id int PRIMARY KEY, UNIQUE (a, b));",
          "", ["a", "b"]),
    "q": ("CREATE TABLE t (a int UNIQUE, b int, v int NOT NULL, id int PRIMARY KEY);", "", ["a"]),
    # plain indexes (CREATE INDEX: Django's on a foreign key) beside a primary key on id
    "p": ("CREATE TABLE t (a int NOT NULL, b int NOT NULL, v int NOT NULL, id int PRIMARY KEY); "
          "CREATE INDEX t_a_b ON t (a, b);", "", ["a", "b"]),
    "i": ("CREATE TABLE t (a int, b int, v int NOT NULL, id int PRIMARY KEY); CREATE INDEX t_a ON t (a);",
          "", ["a"]),
}
ROWS = {2: [(2, 3), (2, 1), (1, 3), (1, 1), (3, 3), (1, 2), (3, 1), (2, 2)],
        3: [(1, 1, 2), (1, 2, 1), (1, 1, 1), (2, 1, 2), (2, 1, 1), (1, 2, 2)],
        1: [(3, 1), (1, 2), (2, 3), (5, 1), (4, 2)]}
TWO = ["a = 1 AND b IN (3, 1)", "b IN (3, 1)", "a IN (3, 1) AND b IN (3, 1)", "a IN (2, 1) AND b = 1",
       "a IN (3, 1)", "a > 1 AND b IN (3, 1)", "a >= 1 AND a <= 2 AND b IN (1, 3)", "a = 1 AND b > 1",
       "a = 1 AND b IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)", "a IN (1, 2, 3, 4, 5, 6, 7, 8, 9) AND b = 1",
       "b = 1", "a = 2", "b IN (1, 3) AND v = 0", "a IN (1, 2) AND b IN (1, 3) AND v = 0",
       "a < 3 AND b IN (1, 3)", "a IN (1, 2) AND b < 3", "b > 1 AND b < 3",
       "a IN (1, 3) AND b IN (2, 3) AND b IN (3, 1)", "a = 2 AND b >= 1 AND b <= 3", "a IN (2, 3) AND b > 1",
       "b IN (1, 2, 3)", "a IN (1, 2, 3) AND b IN (1, 2, 3)",
       "a = 3 OR a = 1", "a = 3 OR a = 1 OR a = 2", "(a = 3 AND b = 1) OR a = 1", "a = 3 OR b = 1",
       "a = 1 OR a IN (3, 2)", "(a = 3 OR a = 1) AND b = 3", "(a = 3 OR a = 1) AND (b = 1 OR b = 3)",
       "a > 2 OR a = 1",
       "a IN (3, 1) LIMIT 1", "b IN (3, 1) LIMIT 2", "a = 1 AND b IN (3, 1) LIMIT 1", "a > 1 LIMIT 2",
       "a IN (2, 1) AND b > 1 LIMIT 1", "a = 2 LIMIT 2", "b = 3 LIMIT 1", "a < 3 AND b IN (1, 3) LIMIT 1",
       "a = 3 OR a = 1 LIMIT 1"]
THREE = ["a = 1 AND b = 1 AND c IN (2, 1)", "a = 1 AND c IN (2, 1)", "a IN (1, 2) AND b = 1 AND c IN (1, 2)",
         "a = 1 AND b IN (2, 1)", "b = 1 AND c IN (2, 1)", "a IN (2, 1) AND c = 1",
         "a = 1 AND b IN (2, 1) LIMIT 1", "c IN (1, 2)", "a = 1 AND b = 1 AND c > 1", "(a = 2 OR b = 2) AND c = 1"]
ONE = ["a IN (3, 1)", "a > 1", "a IN (3, 1) LIMIT 1", "a > 1 LIMIT 1", "a >= 1 AND a <= 2", "a IN (3, 1, 2)",
       "a < 9 LIMIT 2", "a = 3 OR a = 1", "a = 3 OR a = 1 OR a = 2", "a = 3 OR b = 1", "a = 1 OR a IN (3, 2)",
       "(a = 3 OR a = 1) AND v = 0", "a > 2 OR a = 1", "a = 3 OR a = 1 LIMIT 1", "NOT (a = 1) OR a = 3",
       "(a = 1 OR a = 3) AND a > 0", "a IN (3, 1) AND a > 1", "a IN (1, 2) AND a IN (2, 3)",
       "a IN (3, 1, 2) AND a < 3", "a IN (3, 1) AND a >= 1 AND a <= 2", "a > 1 AND a IN (5, 4, 3)",
       "a IN (5, 3, 1) AND v = 0 AND a > 2"]


def shapes():
    out = []
    for name, (create, extra, keys) in TABLES.items():
        wheres = {1: ONE, 2: TWO, 3: THREE}[len(keys)]
        for moved in (False, True):
            for where in wheres:
                out.append((name, create, extra, keys, moved, where))
    return out


def matches(where, row):
    """Whether a row (its columns' values by name) meets the WHERE."""
    w = re.sub(r"(?<![<>])=", "==", where.split(" LIMIT")[0])
    for sql, py in ((" AND ", " and "), (" OR ", " or "), (" IN ", " in "), ("NOT ", "not ")):
        w = w.replace(sql, py)
    return eval(w, {}, dict(row))


def write(shape, path):
    name, create, extra, keys, moved, where = shape
    names = ["a", "b"] if len(keys) == 1 else keys
    rows = [dict(zip(names + ["v"], r + (0,))) for r in ROWS[len(keys)]]
    edge = [dict(zip(names + ["v"], (n,) * len(names) + (0,))) for n in (9, 8)]
    ids = iter(range(101, 200)) if "id int PRIMARY KEY" in create else None
    values = ", ".join(f"({', '.join(str(r[c]) for c in names)}, 0{extra}" + (f", {next(ids)})" if ids else ")")
                       for r in rows + edge)
    setup = [create, f"INSERT INTO t VALUES {values};"]
    pin = lambda r: " AND ".join(f"{k} = {r[k]}" for k in keys)
    if moved:
        # The first row inserted moves to another key and back (a new
        # line, at the end of the heap), the third gets a new version in
        # place (a HOT update, its line the same).
        first = rows[0]
        setup.append(f"UPDATE t SET a = 7 WHERE {pin(first)};")
        setup.append(f"UPDATE t SET a = {first['a']} WHERE {pin(dict(first, a=7))};")
        setup.append(f"UPDATE t SET v = 0 WHERE {pin(rows[2])};")
        rows = rows[1:] + rows[:1]
    nine, eight = pin(edge[0]), pin(edge[1])
    columns = ", ".join(keys)
    found = [r for r in rows if matches(where, r)]
    updates = len(found) >= 2 and "LIMIT" not in where
    with open(path, "w") as f:
        f.write(f"# scan shape: table {name}{', rows moved' if moved else ''}: WHERE {where}\n")
        f.write("setup\n{\n  " + "\n  ".join(setup) + "\n}\nteardown { DROP TABLE t; }\n")
        f.write("session a\nstep a_begin { BEGIN ISOLATION LEVEL SERIALIZABLE; }\n")
        f.write(f"step a_read {{ SELECT {columns}, v FROM t WHERE {where}; }}\n")
        f.write(f"step a_write {{ UPDATE t SET v = 7 WHERE {nine}; }}\nstep a_commit {{ COMMIT; }}\n")
        f.write(f"step a_lock {{ SELECT {columns} FROM t WHERE {where} FOR UPDATE; }}\n")
        permutations = ["a_begin b_begin a_read b_read b_write a_write b_commit a_commit", "a_lock"]
        if updates:
            f.write(f"step c_begin {{ BEGIN; }}\nstep c_last {{ UPDATE t SET v = 1 WHERE {pin(found[-1])}; }}\n")
            f.write(f"step c_first {{ UPDATE t SET v = 1 WHERE {pin(found[0])}; }}\nstep c_commit {{ COMMIT; }}\n")
            permutations.append("b_timeout c_begin c_last d_all c_first c_commit")
        f.write("session b\nstep b_begin { BEGIN ISOLATION LEVEL SERIALIZABLE; }\n")
        f.write(f"step b_read {{ SELECT v FROM t WHERE {nine}; }}\n")
        f.write(f"step b_write {{ UPDATE t SET v = 5 WHERE {eight}; }}\nstep b_commit {{ COMMIT; }}\n")
        if updates:
            # The UPDATE, waiting first, is the victim of a deadlock: its
            # check comes well before the other's (docs/verify.md).
            f.write("step b_timeout { SET deadlock_timeout = '100ms'; }\n")
            f.write(f"step d_all {{ UPDATE t SET v = 2 WHERE {where}; }}\n")
        for p in permutations:
            f.write(f"permutation {p}\n")


def main():
    all_shapes = shapes()
    if len(sys.argv) == 2 and sys.argv[1] == "--count":
        print(len(all_shapes))
        return
    if len(sys.argv) < 3:
        sys.exit("usage: scan_shapes.py SEED OUT.spec | --count")
    seed = int(sys.argv[1])
    if not 1 <= seed <= len(all_shapes):
        sys.exit(f"scan_shapes.py: seeds are 1 .. {len(all_shapes)}")
    write(all_shapes[seed - 1], sys.argv[2])


if __name__ == "__main__":
    main()
