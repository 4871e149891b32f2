#!/usr/bin/python3
"""Writes one random isolation-tester spec, for scripts/random-specs.

    random_spec.py SEED OUT.spec [--ordered]

Two or three sessions, each a transaction (or a few autocommit statements)
of one to three statements over a small table: plain and locking SELECTs
(NOWAIT, SKIP LOCKED, LIMIT), UPDATEs of the key and of other columns,
DELETE, INSERT with and without ON CONFLICT, aggregates, savepoints, at
every isolation level. Every third seed uses a parent table and a child
table with a foreign key instead, and every sixth from the second on a
table with a two-column key, NULLs and text, with advisory locks (taken
for the transaction and for the session), and about 30% of its statements
reading or writing by the key's first column or a range of it (from its
own generator). Every fifth seed from the
fourth on also makes some transactions READ ONLY (DEFERRABLE or not) and
most of them SERIALIZABLE, with mostly reads in the read-only ones; those
choices come from a second generator, so the rest of the spec is what the
seed wrote before. Every seventh from the sixth on (one table only) also
reads and writes key ranges and IN lists, mostly at SERIALIZABLE, on a
narrow table or (half of them) a wide one, whose scans the planner
chooses differently; those choices come from the second generator too.
Every eleventh from the tenth on (one table only) gives the table a serial
column and half the statements take its values (INSERT, UPDATE ... SET sn
= DEFAULT) or return rows (RETURNING), from a third generator. Every
thirteenth from the twelfth on (one table only) writes some of its numbers
as quoted literals ('5', ' 5', '+5', '05'), which PostgreSQL reads with the
type beside them, and selects some expressions (1 AS a, v + 1 AS w), from a
fourth generator. Every seventeenth from the sixteenth on (one table only)
gives the table a UNIQUE column u, which about 70% of the statements read
(by =, or min() and max()), write, insert into or arbitrate ON CONFLICT on,
from a fifth generator. Every nineteenth from the eighteenth on (one table
only) writes about 70% of its statements from a sixth: subqueries in a
WHERE, multi-row and INSERT ... SELECT inserts, a queue's SKIP LOCKED pick,
nested and released savepoints, coalesce, advisory locks in a WHERE, steps
of two statements, and LOCK TABLE in each of the eight modes. About 30% of
its queue picks, and of the picks below, say NULLS FIRST or LAST after
ORDER BY id (from a stream of their own): against the direction's default
that is a sort, not a walk of the index. Every
twenty-third from the twenty-second on gives most sessions a lock_timeout
or statement_timeout (SET in the session's setup, or SET LOCAL in its
transaction), from a seventh generator: a wait the tester then waits for
is cancelled instead of refusing the spec. Each session's timeout is its
own (1.5, 2.5 or 3.5 s), and about a third of the sessions also set a
deadlock_timeout of their own (0.3, 4.5 or 5.5 s; 1 s otherwise), which
picks a deadlock's victim: timers at least half a second apart, beside the
milliseconds a replay spends between steps, so the server fires them in
the order the simulator does. Every twenty-ninth from the twenty-eighth on
(one table only) makes v a numeric(6, 2), with fractions in its first
rows, and writes about 40% of the numbers in its statements with a point
(1.5, 2.25, 3.05, 4.005, 5.0), from an eighth generator: stored rounded
to the column's scale, added, multiplied, compared with int columns and
keys, and assigned to them (rounded); two thirds of them also give v a
CHECK (v < 8), named or not, which updates and upserts can break.
Every thirty-first from the thirtieth on sets levels otherwise, from a
tenth generator: about a third of the sessions (without timeouts) set
default_transaction_isolation in their setup, half the BEGINs that name a
level or mode become BEGIN and SET TRANSACTION, and some statements are
followed by SET TRANSACTION (too late, or the same level) or SHOW.
Every twelfth from the seventh on (a composite one) writes about half its
advisory-lock calls in their _shared form and about a third with a second
call on the other key in the same SELECT, from a ninth generator.
Every thirty-seventh from the thirty-sixth on (one table only) writes about
60% of its statements as one-statement picks, from an eleventh generator:
UPDATE, DELETE or SELECT ... WHERE id = | IN (SELECT id FROM t WHERE ... ORDER
BY id [DESC] [NULLS FIRST|LAST] [LIMIT 1] [FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE]
[SKIP LOCKED | NOWAIT]), the subquery PostgreSQL runs before the scan.
Every forty-first from the fortieth on (one table only) gives the table a
char(3) UNIQUE column x and a varchar(4) column w, and writes about 60% of
its statements from a twelfth generator: x compared with literals that
differ in trailing blanks and with w, written (too long is 22001), joined
with ||, put through lower and upper, arbitrated ON CONFLICT (x), locked
by its unique index; sorts by two columns; VACUUM and ANALYZE between
transactions, ANALYZE and the planner's settings inside them.
Every sixth from the sixth on (foreign keys) also writes about a quarter
of its statements as ALTER TABLE ... ADD FOREIGN KEY [NOT VALID] and
VALIDATE CONSTRAINT, from a thirteenth generator.
Every forty-third from the forty-second on (one table only, without the
UNIQUE columns) partitions the table by its key, from a fourteenth
generator: LIST or RANGE, with or without a DEFAULT partition, so that
UPDATEs of id move rows between partitions (or find none: 23514) and the
WHEREs on id prune the partitions a SERIALIZABLE scan reads; in the
foreign-key family it partitions c (by id, which no statement changes) or
p (whose key then keeps its value: its UPDATE of id becomes one of n), so
the checks name partitions and the keys' clones.
Every forty-seventh from the forty-sixth on (one table only, partitioned
or not) writes about 60% of its statements as MERGE over a source of one
row (or, ON v or k, 60% of the time of two or three rows and without an
INSERT, from a stream of its own), from a fifteenth generator: ON the key, or on v or k (several rows
may match), WHEN MATCHED actions with and without conditions (UPDATE of v
or of the key, DELETE, DO NOTHING) in random order, and WHEN NOT MATCHED
INSERT or DO NOTHING, so concurrent writers send rows to NOT MATCHED and
concurrent inserts meet MERGE's plain insert (23505).
Every fifty-third from the fifty-second on runs four or five sessions
instead of two or three (from a sixteenth generator; a session past the
third sets no timeout), and a one-table spec's statements name only ids 1
and 2, so several waiters queue on one row and its writer's end wakes them
in turn.
Every fifty-ninth from the fifty-eighth on (one table only) writes about
60% of its statements from a seventeenth generator: [NOT] EXISTS in a
WHERE, which PostgreSQL checks once before the scan, INSERT ... SELECT
... WHERE NOT EXISTS (check-then-insert), OFFSET with LIMIT under a
locking clause, LIKE over numbers written as text, and constant-false
WHEREs, which scan nothing.
Every sixty-seventh from the sixty-sixth on (one table only, not
partitioned) gives the table a plain index (CREATE INDEX) on k, on (k, v)
or on v, from a stream of its own: the planner may read `k = 1` through
it, and an UPDATE of its columns is not HOT. Half of them build it after
the rows are in, which measures the table for the planner (one page:
read sequentially).
Every seventy-first from the seventieth on (one table only, not
partitioned, without the UNIQUE columns) gives the table a boolean column
active and a partial unique index on k WHERE active (or active = true:
one active row per k,
as Django's UniqueConstraint(condition=...) and Rails' unique index with a
where: write it), built before or after the rows, and writes about 60% of
its statements from an eighteenth generator: rows moved in and out of the
index (SET active, SET k), inserts arbitrated ON CONFLICT (k) WHERE active
(or ON CONFLICT (k) alone, which names no index: 42P10), reads and locks
through the index (k = n AND active), and the deactivate-then-insert pair.
Up to six random permutations end with a
look at the final rows. --ordered gives every multi-row SELECT an ORDER BY
(the row orders ccsim does not model: docs/step_language.md).
The same seed writes the same spec.
"""
import random
import re
import sys

SEED = int(sys.argv[1])
OUT = sys.argv[2]
ORDERED = "--ordered" in sys.argv[3:]
R = random.Random(SEED)
FOREIGN_KEYS = SEED % 3 == 0
COMPOSITE = SEED % 6 == 1
READ_ONLY = SEED % 5 == 4
RANGES = SEED % 7 == 6 and not FOREIGN_KEYS and not COMPOSITE
SERIALS = SEED % 11 == 10 and not FOREIGN_KEYS and not COMPOSITE
M = random.Random(f"read-only {SEED}")  # READ_ONLY's choices: R's sequence stays as it was
Q = random.Random(f"serial {SEED}")  # SERIALS' choices, apart from R's and M's
LITERALS = SEED % 13 == 12 and not FOREIGN_KEYS and not COMPOSITE
U = random.Random(f"literals {SEED}")  # LITERALS' choices, apart from the others
UNIQUES = SEED % 17 == 16 and not FOREIGN_KEYS and not COMPOSITE
W = random.Random(f"unique {SEED}")  # UNIQUES' choices, apart from the others
MIXED = SEED % 19 == 18 and not FOREIGN_KEYS and not COMPOSITE
X = random.Random(f"mixed {SEED}")  # MIXED's choices, apart from the others
TIMEOUTS = SEED % 23 == 22
P = random.Random(f"prefix {SEED}")  # COMPOSITE's reads and writes by a key prefix, apart from R
T = random.Random(f"timeouts {SEED}")  # TIMEOUTS' choices, apart from the others
NUMERICS = SEED % 29 == 28 and not FOREIGN_KEYS and not COMPOSITE
N = random.Random(f"numerics {SEED}")  # NUMERICS' choices, apart from the others
LEVELS = SEED % 31 == 30
L = random.Random(f"levels {SEED}")  # LEVELS' choices, apart from the others
SHARED = COMPOSITE and SEED % 12 == 7
H = random.Random(f"shared {SEED}")  # SHARED's choices, apart from the others
PICKS = SEED % 37 == 36 and not FOREIGN_KEYS and not COMPOSITE
K = random.Random(f"picks {SEED}")  # PICKS' choices, apart from the others
CHARS = SEED % 41 == 40 and not FOREIGN_KEYS and not COMPOSITE
C = random.Random(f"chars {SEED}")  # CHARS' choices, apart from the others
# Letters outside ASCII in CHARS' texts, drawn apart from C so that every
# seed keeps the statements it had: 'ÄB' and 'äb' for 'AB' and 'ab', which
# lower(), upper() and ILIKE map as the server in C.UTF-8 does.
CU = random.Random(f"chars unicode {SEED}")
ALTERS = FOREIGN_KEYS and SEED % 2 == 0
A = random.Random(f"alter {SEED}")  # ALTERS' choices, apart from the others
PARTITIONS = (SEED % 43 == 42 and not FOREIGN_KEYS and not COMPOSITE and not UNIQUES
              and not CHARS)
Z = random.Random(f"partitions {SEED}")  # PARTITIONS' choices, apart from the others
MERGES = SEED % 47 == 46 and not FOREIGN_KEYS and not COMPOSITE
G = random.Random(f"merge {SEED}")  # MERGES' choices, apart from the others
GR = random.Random(f"merge rows {SEED}")  # a MERGE source's later rows
NL = random.Random(f"nulls {SEED}")  # a NULLS clause after ORDER BY id, apart from the others
CROWD = SEED % 53 == 52
# Every 61st seed from the 60th of the foreign-key ones: the key's ON DELETE
# and ON UPDATE actions, deferral, and SET CONSTRAINTS (from F, apart from
# the others).
GUARDS = SEED % 59 == 58 and not FOREIGN_KEYS and not COMPOSITE
H = random.Random(f"guards {SEED}")  # GUARDS' choices, apart from the others
FK_ACTIONS = FOREIGN_KEYS and SEED % 61 == 60
F = random.Random(f"fk actions {SEED}")
Y = random.Random(f"crowd {SEED}")  # CROWD's choices, apart from the others
# Every 67th seed from the 66th (one table, not partitioned): a plain index
# (CREATE INDEX) on k, on (k, v) or on v, which the planner may scan and
# which makes an UPDATE of its columns non-HOT.
PLAIN = SEED % 67 == 66 and not FOREIGN_KEYS and not COMPOSITE and not PARTITIONS
PI = random.Random(f"plain index {SEED}")  # PLAIN's choices, apart from the others
# Every 71st seed from the 70th (one table, not partitioned, no UNIQUE
# columns): a partial unique index on k WHERE active.
PARTIAL = (SEED % 71 == 70 and not FOREIGN_KEYS and not COMPOSITE and not PARTITIONS
           and not UNIQUES and not CHARS)
PA = random.Random(f"partial {SEED}")  # PARTIAL's choices, apart from the others
# Every 73rd seed from the 72nd (one table, not partitioned): the other
# spellings applications write - x = ANY (ARRAY[...]) or ANY ('{...}') and
# <> ALL for IN lists, FETCH FIRST for LIMIT, the next number as INSERT
# ... SELECT coalesce(max(id), 0) + 1, an advisory lock on hashtext(key),
# INSERT ... DEFAULT VALUES (a NOT NULL column without a default: 23502).
SPELLINGS = (SEED % 73 == 72 and not FOREIGN_KEYS and not COMPOSITE and not PARTITIONS
             and not UNIQUES and not CHARS and not PARTIAL)
SP = random.Random(f"spellings {SEED}")  # SPELLINGS' choices, apart from the others
# SPELLINGS' advisory locks on two int keys, or on the bigint whose bits a
# pair has (another key space), drawn apart from SP so its sequence stays.
SK = random.Random(f"spelling keys {SEED}")
# SPELLINGS' sequence sq (made in the setup) and the statements that draw
# from it: nextval in an INSERT's VALUES or alone, currval.
SQ = random.Random(f"sequence {SEED}")
SEQUENCE_START = SQ.choice([3, 4, 5, 10])
SEQUENCE_STEP = SQ.choice([1, 1, 2, -1])
IDS = [1, 2] if CROWD else [1, 2, 3, 4]


def guard_statement():
    """A statement guarded by a part that reads no row of t, or that pages
    through t: [NOT] EXISTS in a WHERE (checked once, before the scan),
    INSERT ... SELECT ... WHERE NOT EXISTS, OFFSET under a locking clause,
    LIKE over a number written as text, a constant-false WHERE."""
    key, n, k = H.choice(IDS + [5, 6]), H.randint(0, 9), H.randint(0, 2)
    probe = H.choice([f"k = {k}", f"v > {H.randint(0, 9)}", f"id = {H.choice(IDS + [5])}",
                      "v < k", f"id > {H.randint(2, 6)}"])
    exists = H.choice(["EXISTS", "NOT EXISTS"]) + f" (SELECT 1 FROM t WHERE {probe})"
    c = H.random()
    if c < 0.2:
        conflict = H.choice(["", "", " ON CONFLICT DO NOTHING", " ON CONFLICT (id) DO NOTHING"])
        return (f"INSERT INTO t (id, v, k) SELECT {key}, {n}, {k} WHERE NOT EXISTS "
                f"(SELECT 1 FROM t WHERE {probe}){conflict};")
    if c < 0.38:
        return f"UPDATE t SET v = v + 1 WHERE id = {H.choice(IDS)} AND {exists};"
    if c < 0.46:
        return f"DELETE FROM t WHERE id = {H.choice(IDS)} AND {exists};"
    if c < 0.58:
        return f"SELECT id, v FROM t WHERE {exists} ORDER BY id;"
    if c < 0.78:
        lock = H.choice(["", " FOR UPDATE", " FOR UPDATE", " FOR SHARE", " FOR NO KEY UPDATE"])
        wait = H.choice(["", "", " NOWAIT", " SKIP LOCKED"]) if lock else ""
        limit = H.choice(["", " LIMIT 1", " LIMIT 2", " LIMIT 0"])
        offset = f" OFFSET {H.randint(1, 3)}"
        tail = limit + offset if H.random() < 0.5 else offset + limit
        where = H.choice(["", "", f" WHERE v > {H.randint(0, 5)}"])
        return f"SELECT id, v FROM t{where} ORDER BY id{tail}{lock}{wait};"
    if c < 0.88:
        pattern = H.choice(["'1%'", "'_'", "'%0'", "'1_'", "'%'"])
        op = H.choice(["LIKE", "NOT LIKE"])
        if H.random() < 0.5:
            return f"SELECT id, v FROM t WHERE (v || '') {op} {pattern} ORDER BY id;"
        return f"UPDATE t SET v = v + 10 WHERE (k || '') {op} {pattern} AND id = {H.choice(IDS)};"
    if c < 0.94:
        return H.choice(["SELECT id FROM t WHERE false;", f"UPDATE t SET v = 0 WHERE id = {key} AND 1 = 0;",
                         "SELECT count(*) FROM t WHERE NULL;"])
    return f"SELECT {exists} AS e, NOT {exists} AS ne;"


def merge_statement():
    """A MERGE into t over one source row (id, n): its WHEN clauses in a
    random order, an unconditional one (if any) last of its kind."""
    key, n = G.choice(IDS + [5, 6]), G.randint(0, 9)
    source = G.choice([f"(SELECT {key} AS id, {n} AS n) s", f"(VALUES ({key}, {n})) s (id, n)"])
    on = G.choice(["t.id = s.id", "t.id = s.id", "t.id = s.id", "t.v = s.n", "t.k = s.n % 3",
                   "t.id = s.id AND t.v > 1"])
    matched = G.sample(["WHEN MATCHED AND t.v > 2 THEN DELETE",
                        "WHEN MATCHED AND t.k = 0 THEN DO NOTHING",
                        "WHEN MATCHED AND t.v < 3 THEN UPDATE SET v = t.v + s.n",
                        "WHEN MATCHED AND t.k = 1 THEN UPDATE SET k = t.k + 1, v = s.n"],
                       G.randint(0, 2))
    last = G.choice(["", "WHEN MATCHED THEN UPDATE SET v = t.v + 1", "WHEN MATCHED THEN DELETE",
                     "WHEN MATCHED THEN DO NOTHING", "WHEN MATCHED THEN UPDATE SET id = t.id + 10"])
    if last:
        matched.append(last)
    not_matched = G.choice(["", "WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.n, 0)",
                            "WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.n, 0)",
                            "WHEN NOT MATCHED AND s.n > 4 THEN INSERT (id, v, k) VALUES (s.id, s.n, 1)",
                            "WHEN NOT MATCHED THEN DO NOTHING"])
    clauses = matched + ([not_matched] if not_matched else [])
    if not clauses:
        clauses = ["WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.n, 0)"]
    if G.random() < 0.5:  # NOT MATCHED may come first
        clauses = clauses[-1:] + clauses[:-1] if not_matched else clauses
    # A source of several rows, from a stream of its own (so the rest of
    # the spec stays as it was): where ON is hashed (on v or k), about
    # half such statements lose their INSERT and get two or three rows,
    # whose n often repeat so that one target row meets two of them (21000).
    if on in ("t.v = s.n", "t.k = s.n % 3") and GR.random() < 0.6:
        clauses = [c for c in clauses if "INSERT" not in c] or \
            ["WHEN MATCHED THEN UPDATE SET v = t.v + 1"]
        rows = [(key, n)] + [(GR.choice(IDS + [5, 6]), GR.choice([n, n, GR.randint(0, 9)]))
                             for _ in range(GR.randint(1, 2))]
        source = "(VALUES " + ", ".join(f"({a}, {b})" for a, b in rows) + ") s (id, n)"
    return f"MERGE INTO t USING {source} ON {on} " + " ".join(clauses) + ";"


def partitions():
    """t's partitions by id: LIST or RANGE, a DEFAULT or not (then a moved
    or inserted id may find no partition)."""
    default = Z.random() < 0.6
    if Z.random() < 0.5:
        parts = ["t1 PARTITION OF t FOR VALUES IN (1, 2)", "t2 PARTITION OF t FOR VALUES IN (3, 4, 11, 12)",
                 "t3 PARTITION OF t FOR VALUES IN (-9, -8, 5, 6, 13, 14)"]
        how = "LIST"
    else:
        parts = ["t1 PARTITION OF t FOR VALUES FROM (MINVALUE) TO (3)",
                 "t2 PARTITION OF t FOR VALUES FROM (3) TO (12)"]
        how = "RANGE"
    if default:
        parts.append("t9 PARTITION OF t DEFAULT")
    Z.shuffle(parts)  # made in any order: a scan reads them in bound order
    return f" PARTITION BY {how} (id); " + " ".join(f"CREATE TABLE {p};" for p in parts)


def where():
    c = R.random()
    if c < 0.6:
        return f"id = {R.choice(IDS)}"
    if c < 0.75:
        return f"v > {R.randint(0, 12)}"
    if c < 0.78:
        return f"id > {R.randint(5, 12)}"
    if c < 0.85:
        return f"id IN ({R.choice(IDS)}, {R.choice(IDS)})"
    return f"k = {R.randint(0, 2)}"


def one_table_statement():
    c = R.random()
    if c < 0.25:
        lock = R.choice(["", "", " FOR UPDATE", " FOR SHARE", " FOR NO KEY UPDATE", " FOR KEY SHARE"])
        wait = R.choice(["", "", "", " NOWAIT", " SKIP LOCKED"]) if lock else ""
        order = " ORDER BY id" if ORDERED or R.random() < 0.5 else ""
        if order and R.random() < 0.3:
            order += " LIMIT 1"
        return f"SELECT id, v FROM t WHERE {where()}{order}{lock}{wait};"
    if c < 0.55:
        sets = R.choice(["v = v + 1", f"v = {R.randint(0, 9)}", "v = v * 2", "k = k + 1",
                         "id = id + 10", "id = id - 10", "v = (SELECT max(v) FROM t)",
                         "id = id, v = v + 3"])
        return f"UPDATE t SET {sets} WHERE {where()};"
    if c < 0.65:
        return f"DELETE FROM t WHERE {where()};"
    if c < 0.8:
        conflict = R.choice(["", " ON CONFLICT DO NOTHING",
                             " ON CONFLICT (id) DO UPDATE SET v = t.v + 100"])
        return f"INSERT INTO t VALUES ({R.choice(IDS + [5, 6])}, {R.randint(0, 9)}, {R.randint(0, 2)}){conflict};"
    if c < 0.87:
        return "SELECT sum(v), count(*) FROM t;"
    if c < 0.93:
        return "SAVEPOINT s;" if R.random() < 0.5 else "ROLLBACK TO SAVEPOINT s;"
    if R.random() < 0.5:
        return f"SELECT count(*) FROM t WHERE v > {R.randint(0, 6)};"
    return f"SELECT id, v FROM t WHERE {where()} ORDER BY id;"


def foreign_key_statement():
    if FK_ACTIONS and F.random() < 0.12:
        return F.choice(["SET CONSTRAINTS ALL IMMEDIATE;", "SET CONSTRAINTS ALL DEFERRED;",
                         "SET CONSTRAINTS c_pid_fkey DEFERRED;", "SET CONSTRAINTS c_pid_fkey IMMEDIATE;"])
    c = R.random()
    p, n = R.choice([1, 2, 3]), R.choice([1, 2, 3, 4])
    if c < 0.2:
        return f"INSERT INTO c VALUES ({n}, {p}, 0);"
    if c < 0.3:
        return f"DELETE FROM p WHERE id = {p};"
    if c < 0.38:
        return f"UPDATE p SET id = id + 10 WHERE id = {p};"
    if c < 0.5:
        return f"UPDATE c SET pid = {p} WHERE id = {n};"
    if c < 0.6:
        return f"UPDATE c SET v = v + 1 WHERE id = {n};"
    if c < 0.7:
        return f"DELETE FROM c WHERE id = {n};"
    if c < 0.85:
        lock = R.choice(["", " FOR KEY SHARE", " FOR SHARE", " FOR UPDATE", " FOR NO KEY UPDATE"])
        return f"SELECT id, n FROM p WHERE id = {p}{lock};"
    return f"UPDATE p SET n = n + 1 WHERE id = {p};"


def alter_statement():
    """A foreign key added while the sessions run (NOT VALID over c.v, whose
    rows point nowhere; a valid one over c.pid; one of p on itself), or
    VALIDATE of the first."""
    c = A.random()
    if c < 0.35:
        return "ALTER TABLE c ADD CONSTRAINT c_v FOREIGN KEY (v) REFERENCES p (id) NOT VALID;"
    if c < 0.55:
        return "ALTER TABLE c VALIDATE CONSTRAINT c_v;"
    if c < 0.8:
        return "ALTER TABLE c ADD CONSTRAINT c_pid FOREIGN KEY (pid) REFERENCES p (id);"
    return "ALTER TABLE p ADD CONSTRAINT p_n FOREIGN KEY (n) REFERENCES p NOT VALID;"


def shared(call):
    """SELECT call; with SHARED, often its _shared form, and now and then a
    second call on the other key beside it (from H, so R's sequence stays)."""
    if not SHARED:
        return f"SELECT {call};"
    def form(c):
        return c.replace("(", "_shared(") if H.random() < 0.5 else c
    calls = [form(call)]
    if H.random() < 0.3:
        other = 3 - int(call[call.index("(") + 1])
        calls.append(form(H.choice([f"pg_advisory_xact_lock({other})", f"pg_try_advisory_xact_lock({other})",
                                    f"pg_advisory_lock({other})", f"pg_advisory_unlock({other})"])))
    return "SELECT " + ", ".join(calls) + ";"


def composite_statement():
    c = R.random()
    a, b, n = R.choice([1, 2]), R.choice([1, 2, 3]), R.choice([1, 2])
    if c < 0.08:
        return shared(f"pg_advisory_xact_lock({n})")
    if c < 0.14:
        return shared(f"pg_try_advisory_xact_lock({n})")
    if c < 0.2:
        return shared(f"pg_advisory_lock({n})" if R.random() < 0.6 else f"pg_advisory_unlock({n})")
    if c < 0.35:
        lock = R.choice(["", "", " FOR UPDATE", " FOR SHARE", " FOR KEY SHARE", " FOR NO KEY UPDATE"])
        wait = R.choice(["", "", " NOWAIT", " SKIP LOCKED"]) if lock else ""
        return f"SELECT a, b, v, note FROM m WHERE a = {a} ORDER BY b{lock}{wait};"
    if c < 0.47:
        return f"UPDATE m SET v = v + 1 WHERE a = {a} AND b = {b};"
    if c < 0.55:
        return "UPDATE m SET note = coalesce(note, '') || 'y' WHERE note IS NULL;"
    if c < 0.62:
        return f"UPDATE m SET b = b + 5 WHERE a = {a} AND b = {b};"
    if c < 0.74:
        return f"INSERT INTO m VALUES ({a}, {b}, 0, NULL) ON CONFLICT (a, b) DO UPDATE SET v = m.v + 1;"
    if c < 0.8:
        return f"INSERT INTO m VALUES ({a}, {b}, 0, 'n');"
    if c < 0.88:
        return f"DELETE FROM m WHERE a = {a} AND b = {b};"
    if c < 0.94:
        return f"SELECT count(*), sum(v) FROM m WHERE note IS NOT NULL;"
    return f"SELECT a, b, note FROM m WHERE a = {a} AND (note = 'y' OR v > {R.randint(5, 40)}) ORDER BY b;"


def prefix_statement():
    """A statement on m by its key's first column or a range of it, from P."""
    a = P.choice([1, 2])
    return P.choice([f"SELECT a, b, v FROM m WHERE a = {a};",
                     "SELECT a, b, v FROM m WHERE a > 1;",
                     "SELECT a, b, v FROM m WHERE a IN (1, 2);",
                     f"SELECT a, b, v FROM m WHERE a = {a} AND b > 1 ORDER BY b;",
                     "SELECT a, b FROM m WHERE a >= 1 AND a < 2 ORDER BY b FOR UPDATE;",
                     f"UPDATE m SET v = v + 1 WHERE a = {a};",
                     f"DELETE FROM m WHERE a = {a} AND b >= 2;"])


def read_only_statement():
    """A read for a READ ONLY transaction, from M."""
    if COMPOSITE:
        return M.choice(["SELECT a, b, v, note FROM m WHERE a = 1 ORDER BY b;",
                         "SELECT count(*), sum(v) FROM m;",
                         f"SELECT v FROM m WHERE a = {M.choice([1, 2])} AND b = {M.choice([1, 2, 3])};"])
    if FOREIGN_KEYS:
        return M.choice([f"SELECT id, n FROM p WHERE id = {M.choice([1, 2, 3])};",
                         "SELECT id, pid, v FROM c ORDER BY id;", "SELECT sum(n) FROM p;"])
    return M.choice([f"SELECT id, v FROM t WHERE id = {M.choice(IDS)};", "SELECT sum(v), count(*) FROM t;",
                     f"SELECT id, v FROM t WHERE v > {M.randint(0, 6)} ORDER BY id;"])


def range_statement():
    """A statement over a range of keys or an IN list, from M."""
    lo = M.randint(0, 4)
    cond = M.choice([f"id > {lo}", f"id >= {lo} AND id < {lo + M.randint(1, 3)}", f"id <= {lo}",
                     f"id IN ({M.choice(IDS)}, {M.choice(IDS)})", f"id IN ({M.choice(IDS)}, {M.choice(IDS)}, 5)",
                     f"id > {lo} AND v > {M.randint(0, 4)}"])
    c = M.random()
    if c < 0.5:
        lock = M.choice(["", "", "", " FOR UPDATE", " FOR SHARE"])
        order = " ORDER BY id" if ORDERED or M.random() < 0.5 else ""
        return f"SELECT id, v FROM t WHERE {cond}{order}{lock};"
    if c < 0.65:
        return f"SELECT count(*) FROM t WHERE {cond};"
    if c < 0.9:
        return f"UPDATE t SET v = v + {M.randint(1, 9)} WHERE {cond};"
    return f"DELETE FROM t WHERE {cond};"


def serial_statement():
    """A statement that takes serial values or returns rows, from Q."""
    cond = Q.choice([f"id = {Q.choice(IDS)}", f"v > {Q.randint(0, 6)}", f"k = {Q.randint(0, 2)}"])
    c = Q.random()
    if c < 0.3:
        conflict = Q.choice(["", " ON CONFLICT DO NOTHING", " ON CONFLICT (id) DO UPDATE SET v = t.v + 100"])
        returning = Q.choice([" RETURNING sn", " RETURNING *", ""])
        return f"INSERT INTO t (id, v, k) VALUES ({Q.choice(IDS + [5, 6])}, {Q.randint(0, 9)}, 0){conflict}{returning};"
    if c < 0.6:
        return f"UPDATE t SET sn = DEFAULT, v = v + 1 WHERE {cond} RETURNING id, sn, v;"
    if c < 0.8:
        return f"UPDATE t SET v = v + {Q.randint(1, 9)} WHERE {cond} RETURNING v * 10 AS tens;"
    return f"DELETE FROM t WHERE {cond} RETURNING *;"


def unique_statement():
    """A statement on the UNIQUE column u, from W."""
    n, i = W.choice([10, 20, 30, 40, 50]), W.choice(IDS + [5])
    c = W.random()
    if c < 0.3:
        return W.choice([f"UPDATE t SET u = {n} WHERE id = {i};", f"UPDATE t SET u = u + 10 WHERE v > {W.randint(0, 3)};",
                         f"UPDATE t SET u = NULL WHERE id = {i};", f"UPDATE t SET u = {n}, v = v + 1 WHERE u = {n - 10};"])
    if c < 0.55:
        conflict = W.choice(["", " ON CONFLICT DO NOTHING", " ON CONFLICT (u) DO UPDATE SET v = t.v + 100",
                             " ON CONFLICT (id) DO UPDATE SET u = excluded.u", " ON CONFLICT (u) DO NOTHING"])
        return f"INSERT INTO t (id, v, k, u) VALUES ({W.choice([5, 6, 7, 1])}, {W.randint(0, 9)}, 0, {n}){conflict};"
    if c < 0.8:
        lock = W.choice(["", "", " FOR UPDATE", " FOR SHARE", " FOR KEY SHARE", " FOR NO KEY UPDATE"])
        wait = W.choice(["", "", " NOWAIT", " SKIP LOCKED"]) if lock else ""
        return W.choice([f"SELECT id, v, u FROM t WHERE u = {n}{lock}{wait};",
                         f"SELECT id, u FROM t WHERE id = {i}{lock}{wait};"])
    if c < 0.9:
        return f"DELETE FROM t WHERE u = {n};"
    return W.choice(["SELECT count(*), sum(u) FROM t WHERE u IS NOT NULL;",
                     f"SELECT id, u FROM t WHERE u = {n} AND v > {W.randint(0, 3)};",
                     "SELECT max(id) FROM t;", "SELECT min(u), max(u) FROM t;",
                     f"SELECT max(id) + 1 AS next FROM t WHERE v > {W.randint(0, 3)};"])


def partial_statement():
    """A statement on the partial unique index t_one (k) WHERE active, from
    PA: rows moved in and out of it, inserts it arbitrates, reads through it.
    The predicate is written as active, active = true or active <> false,
    which PostgreSQL's planner reads alike."""
    i, k = PA.choice(IDS), PA.randint(0, 2)
    active = PA.choice(["active", "active", "active = true", "active <> false"])
    c = PA.random()
    if c < 0.25:
        return PA.choice([f"UPDATE t SET active = {PA.choice(['true', 'false', 'NOT active'])} WHERE id = {i};",
                          f"UPDATE t SET k = {k} WHERE id = {i};",
                          f"UPDATE t SET k = {k}, active = true WHERE id = {i} RETURNING id, k;",
                          f"UPDATE t SET v = v + 1 WHERE k = {k} AND {active};"])
    if c < 0.55:
        conflict = PA.choice(["", " ON CONFLICT DO NOTHING", f" ON CONFLICT (k) WHERE {active} DO NOTHING",
                              f" ON CONFLICT (k) WHERE {active} DO UPDATE SET v = t.v + 100",
                              " ON CONFLICT (id) DO UPDATE SET active = excluded.active, k = excluded.k",
                              " ON CONFLICT (k) DO NOTHING"])
        value = PA.choice(["true", "true", "false"])
        return (f"INSERT INTO t (id, v, k, active) VALUES ({PA.choice([5, 6, 7, 1])}, {PA.randint(0, 9)}, "
                f"{k}, {value}){conflict};")
    if c < 0.8:
        lock = PA.choice(["", "", " FOR UPDATE", " FOR SHARE", " FOR KEY SHARE", " FOR NO KEY UPDATE"])
        wait = PA.choice(["", "", " NOWAIT", " SKIP LOCKED"]) if lock else ""
        return f"SELECT id, v, k FROM t WHERE k = {k} AND {active}{lock}{wait};"
    if c < 0.9:
        return PA.choice([f"DELETE FROM t WHERE k = {k} AND {active};",
                          f"SELECT id, k, active FROM t WHERE id = {i};"])
    n = PA.choice([5, 6, 7])
    return (f"UPDATE t SET active = false WHERE k = {k} AND active; "
            f"INSERT INTO t (id, v, k, active) VALUES ({n}, 0, {k}, true);")


def sequence_statement():
    """A statement on SPELLINGS' sequence sq, from SQ."""
    c = SQ.random()
    if c < 0.5:
        returning = SQ.choice(["", " RETURNING id"])
        return f"INSERT INTO t VALUES (nextval('sq'), {SQ.randint(0, 9)}, {SQ.randint(0, 2)}){returning};"
    if c < 0.8:
        return "SELECT nextval('sq');"
    return "SELECT currval('sq');"


def spelling_statement():
    """A statement in one of SPELLINGS' spellings, from SP."""
    if SQ.random() < 0.25:
        return sequence_statement()
    c = SP.random()
    a, b = SP.sample(IDS + [5], 2)
    if c < 0.3:
        n, k = SP.randint(0, 9), SP.randint(0, 2)
        where = SP.choice(["", "", f" WHERE k = {k}", f" WHERE v > {SP.randint(0, 6)}"])
        returning = SP.choice(["", " RETURNING id", " RETURNING *"])
        return f"INSERT INTO t SELECT coalesce(max(id), 0) + 1, {n}, {k} FROM t{where}{returning};"
    if c < 0.45:
        key = SP.choice(["'row:' || 1", "'row:1'", "'row:2'", "'queue'"])
        call = SP.choice(["pg_advisory_xact_lock", "pg_advisory_xact_lock", "pg_try_advisory_xact_lock"])
        if SK.random() < 0.5:
            key = SK.choice(["0, 1", "0, 1", "1, 0", "0, '1'", "1"])
            if SK.random() < 0.25:
                call = call.replace("xact_lock", "xact_lock_shared")
            return f"SELECT {call}({key});"
        return f"SELECT {call}(hashtext({key}));"
    if c < 0.55:
        return "INSERT INTO t DEFAULT VALUES;"
    if c < 0.8:
        lock = SP.choice(["", " FOR UPDATE", " FOR UPDATE SKIP LOCKED", " FOR SHARE"])
        return (f"SELECT id, v FROM t WHERE v > {SP.randint(0, 4)} ORDER BY id "
                f"FETCH FIRST {SP.choice(['', '1 ', '2 '])}ROW{SP.choice(['', 'S'])} ONLY{lock};")
    sets = SP.choice(["v = v + 1", "k = k + 1", "id = id + 10"])
    return f"UPDATE t SET {sets} WHERE id = ANY(ARRAY[{a}, {b}]) RETURNING id, v;"


def respell(sql):
    """SPELLINGS' other spellings of an IN list and a LIMIT, from SP."""
    def array(m):
        values = [v.strip() for v in m.group(2).split(",")]
        form = SP.choice(["ARRAY[" + ", ".join(values) + "]", "'{" + ",".join(values) + "}'"])
        return f"{m.group(1)} {'<> ALL' if m.group(0).find(' NOT IN') >= 0 else '= ANY'}({form})"
    if SP.random() < 0.7:
        sql = re.sub(r"(\b\w+) (?:NOT )?IN \(([0-9, ]+,[0-9 ]+)\)", array, sql)
    if SP.random() < 0.5:
        sql = re.sub(r" LIMIT 1\b", " FETCH FIRST 1 ROW ONLY", sql)
    return sql


def mixed_statement():
    """A statement of the kinds the others do not write, from X: subqueries
    in a WHERE, several rows in one INSERT, INSERT ... SELECT, a queue's
    SKIP LOCKED pick, nested and released savepoints, coalesce, advisory
    locks beside rows, steps of two statements, and LOCK TABLE in each mode
    (which makes every statement take its table lock)."""
    n, i = X.randint(0, 6), X.choice(IDS)
    if X.random() < 0.12:
        mode = X.choice(["ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE",
                         "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"])
        return f"LOCK TABLE t IN {mode} MODE{X.choice(['', '', ' NOWAIT'])};"
    c = X.random()
    if c < 0.1:
        agg = X.choice(["min", "max"])
        return f"UPDATE t SET v = v + {X.randint(1, 9)} WHERE id = (SELECT {agg}(id) FROM t WHERE v > {n});"
    if c < 0.18:
        return X.choice([f"DELETE FROM t WHERE id = (SELECT max(id) FROM t) RETURNING id;",
                         f"DELETE FROM t WHERE v = (SELECT min(v) FROM t WHERE k = {X.randint(0, 2)});"])
    if c < 0.28:
        conflict = X.choice(["", " ON CONFLICT DO NOTHING", " ON CONFLICT (id) DO UPDATE SET v = t.v + excluded.v"])
        a, b = X.sample(IDS + [5, 6, 7], 2)
        return f"INSERT INTO t VALUES ({a}, {X.randint(0, 9)}, 0), ({b}, {X.randint(0, 9)}, 1){conflict};"
    if c < 0.36:
        return f"INSERT INTO t SELECT {X.choice([5, 6, 1])}, coalesce((SELECT max(v) FROM t WHERE k = {X.randint(0, 2)}), 0) + 1, 2;"
    if c < 0.5:
        order = X.choice([" ORDER BY id", " ORDER BY id DESC"]) + nulls_clause()
        return f"SELECT id, v FROM t WHERE k = {X.randint(0, 2)}{order} LIMIT 1 FOR UPDATE SKIP LOCKED;"
    if c < 0.58:
        return f"UPDATE t SET v = coalesce((SELECT v FROM t WHERE id = {X.choice(IDS)}), 0) + 1 WHERE id = {i};"
    if c < 0.66:
        return X.choice(["SAVEPOINT s1;", "SAVEPOINT s2;", "RELEASE SAVEPOINT s1;", "ROLLBACK TO SAVEPOINT s2;",
                         "ROLLBACK TO SAVEPOINT s1;"])
    if c < 0.74:
        return f"SELECT id, v FROM t WHERE id = {i} AND pg_advisory_xact_lock({X.randint(1, 2)}) IS NOT NULL;"
    if c < 0.82:
        return f"UPDATE t SET v = v + 1 WHERE id = {i}; SELECT id, v FROM t WHERE id = {i};"
    if c < 0.9:
        return f"UPDATE t SET k = k + 1 WHERE v = (SELECT max(v) FROM t) RETURNING id, k;"
    return X.choice([f"SELECT count(*) FROM t WHERE id = {i} OR v > {n};",
                     f"SELECT id, v FROM t WHERE id = {i} OR id = {X.choice(IDS)} ORDER BY id FOR UPDATE;",
                     f"SELECT coalesce(sum(v), 0) AS total FROM t WHERE k = {X.randint(0, 2)};"])


def nulls_clause():
    """Now and then NULLS FIRST or LAST, from NL: on id (never NULL) it keeps
    the rows' order, but one against the direction's default is a sort, not
    a walk of the key's index, and locks and reads otherwise."""
    if NL.random() >= 0.3:
        return ""
    return NL.choice([" NULLS FIRST", " NULLS LAST"])


def pick_statement():
    """A statement on the row a subquery picks (and may lock), from K."""
    lock = K.choice(["", " FOR UPDATE", " FOR UPDATE SKIP LOCKED", " FOR UPDATE SKIP LOCKED",
                     " FOR UPDATE NOWAIT", " FOR NO KEY UPDATE", " FOR SHARE", " FOR KEY SHARE SKIP LOCKED",
                     " FOR KEY SHARE"])
    limit = " LIMIT 1" if K.random() < 0.85 else ""
    cond = K.choice(["k = 0", "v > 2", "k < 2", "v < 4", "id > 1"])
    sub = f"(SELECT id FROM t WHERE {cond} ORDER BY id{K.choice(['', ' DESC'])}{nulls_clause()}{limit}{lock})"
    # id IN (SELECT ... LIMIT 1), PostgreSQL's join to the one row, now and
    # then instead of id = (...), where it stands alone or before an AND.
    eq = "IN" if limit and NL.random() < 0.3 else "="
    c = K.random()
    if c < 0.5:
        sets = K.choice(["k = k + 1", "v = v + 1", "v = 9, k = 2", "id = id + 10"])
        return f"UPDATE t SET {sets} WHERE id {eq} {sub} RETURNING id, v, k;"
    if c < 0.65:
        return f"DELETE FROM t WHERE id {eq} {sub} RETURNING id;"
    if c < 0.85:
        return f"SELECT id, v FROM t WHERE id {eq} {sub}{K.choice(['', ' FOR UPDATE', ' FOR SHARE'])};"
    return f"UPDATE t SET v = v + 1 WHERE id {eq} {sub} AND k < 2;"


def char_statement(block):
    """A statement over the char(3) column x and the varchar(4) column w, from C."""
    lit = C.choice(["a", "a ", "ab", "ab  ", "b", "AB", "abc", "abcd", "abc  "])
    if lit in ("AB", "ab") and CU.random() < 0.5:
        lit = {"AB": "ÄB", "ab": "äb"}[lit]
    i = C.choice(IDS)
    roll = C.random()
    if roll < 0.12:
        if C.random() < 0.5:  # a char beside a varchar: the common type decides the blanks
            pick = C.choice(["COALESCE(w, x)", "COALESCE(x, w)", "CASE WHEN k = 0 THEN x ELSE w END",
                             "CASE WHEN k = 0 THEN w ELSE x END", "GREATEST(x, w)", "NULLIF(x, w)"])
            return f"SELECT id, {pick} AS c, '|' || {pick} || '|' AS bars FROM t WHERE {pick} = '{lit}' OR id < 3 ORDER BY id;"
        return f"SELECT id, x FROM t WHERE x = '{lit}' ORDER BY id;"
    if roll < 0.2:
        return "SELECT id, x, w FROM t WHERE x = w OR x < w ORDER BY id;"
    if roll < 0.28:
        return ("SELECT id, x || '|' AS cat, lower(x) AS lo, upper(w) AS up FROM t "
                f"ORDER BY {C.choice(['x DESC, id', 'k, x', 'v DESC, w, id'])};")
    if roll < 0.38:
        return f"UPDATE t SET x = {C.choice(['upper(x)', 'lower(w)', repr(lit)])} WHERE id = {i};"
    if roll < 0.46:
        w = C.choice(["x || 'x'", "x", "COALESCE(x, w)"])  # a char stored in a varchar: trimmed
        return f"UPDATE t SET w = {w}, v = v + 1 WHERE x = '{lit}' RETURNING id, w, '|' || w || '|' AS bars;"
    if roll < 0.56:
        return (f"INSERT INTO t (id, v, k, x, w) VALUES ({C.choice([5, 6])}, 1, 0, '{lit}', '{lit[:4]}') "
                "ON CONFLICT (x) DO UPDATE SET v = t.v + 10 RETURNING id, x;")
    if roll < 0.66:
        return f"SELECT id, x FROM t WHERE x = '{lit}' {C.choice(['FOR UPDATE', 'FOR SHARE', 'FOR NO KEY UPDATE'])};"
    if roll < 0.72:
        return f"DELETE FROM t WHERE x = '{lit}' RETURNING id;"
    if roll < 0.8:
        return f"SELECT id, v FROM t ORDER BY k DESC, x, id LIMIT 2{C.choice(['', ' FOR UPDATE'])};"
    if roll < 0.9:
        if block:
            return C.choice(["ANALYZE t;", "SET LOCAL enable_seqscan = off;", "SET random_page_cost = 0.1;"])
        return C.choice(["VACUUM t;", "VACUUM FREEZE ANALYZE t;", "ANALYZE t;", "VACUUM FULL t;"])
    return f"UPDATE t SET x = NULL WHERE id = {i};"


def quote_numbers(sql):
    """Some numbers after =, >, +, *, ( or a comma become quoted literals,
    and some select lists expressions (Django's exists(): SELECT 1 AS a)."""
    if sql.startswith("SELECT id, v FROM") and U.random() < 0.4:
        sql = "SELECT " + U.choice(["1 AS a", "id, v + 1 AS w", "id * 10 + k AS code, 'x' AS tag",
                                    "v - (SELECT min(v) FROM t) AS above"]) + sql[len("SELECT id, v"):]
    def quote(m):
        if U.random() < 0.6:
            return m.group(0)
        n = m.group(2)
        return m.group(1) + U.choice([f"'{n}'", f"'{n}'", f"' {n}'", f"'+{n}'", f"'0{n}'"])
    return re.sub(r"((?:[=>+*,] )|\()(\d+)\b", quote, sql)


def fractions(sql):
    """Some numbers after =, >, +, *, ( or a comma get a point and digits."""
    def point(m):
        if N.random() < 0.6:
            return m.group(0)
        return m.group(1) + m.group(2) + N.choice([".5", ".25", ".05", ".005", ".0"])
    return re.sub(r"((?:[=>+*,] )|\()(\d+)\b(?!\.)", point, sql)


def main():
    if COMPOSITE:
        lines = ["setup { CREATE TABLE m (a int, b int, v int NOT NULL, note text, PRIMARY KEY (a, b)); "
                 "INSERT INTO m VALUES (1, 1, 10, NULL), (1, 2, 20, 'x'), (2, 1, 30, NULL); }",
                 "teardown { DROP TABLE m; }"]
        statement, last = composite_statement, ["zm1", "zm2"]
    elif FOREIGN_KEYS:
        p_parts = c_parts = ";"
        if SEED % 43 == 42:  # a partitioned parent or child (from Z)
            if Z.random() < 0.5:
                c_parts = (" PARTITION BY LIST (id); CREATE TABLE c2 PARTITION OF c DEFAULT; "
                           "CREATE TABLE c1 PARTITION OF c FOR VALUES IN (1, 3);")
            else:
                p_parts = (" PARTITION BY RANGE (id); CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (2) TO (MAXVALUE); "
                           "CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (MINVALUE) TO (2);")
        refs = "pid int REFERENCES p (id)"
        if FK_ACTIONS:
            on_delete = F.choice(["CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION"])
            on_update = F.choice(["CASCADE", "SET NULL", "NO ACTION", "NO ACTION"])
            defer = F.choice(["", "", " DEFERRABLE", " DEFERRABLE INITIALLY DEFERRED", " INITIALLY DEFERRED"])
            default = " DEFAULT 3" if on_delete == "SET DEFAULT" else ""
            refs = f"pid int{default} REFERENCES p (id) ON DELETE {on_delete} ON UPDATE {on_update}{defer}"
        lines = [f"setup {{ CREATE TABLE p (id int PRIMARY KEY, n int NOT NULL){p_parts} "
                 f"CREATE TABLE c (id int PRIMARY KEY, {refs}, v int NOT NULL){c_parts} "
                 "INSERT INTO p VALUES (1, 0), (2, 0), (3, 0); INSERT INTO c VALUES (1, 1, 0), (2, 2, 0); }",
                 "teardown { DROP TABLE c; DROP TABLE p; }"]
        statement, last = foreign_key_statement, ["zp", "zc"]
        if p_parts != ";":  # p's key may not move between partitions beside the key
            statement = lambda: foreign_key_statement().replace("SET id = id + 10", "SET n = n + 10")
    else:
        wide = ", a text, b text, c text, d text, e text, f text, g text" if RANGES and M.random() < 0.5 else ""
        serial = ", sn serial" if SERIALS else ""
        unique = ", u int UNIQUE" if UNIQUES else ""
        unique += ", x char(3) UNIQUE, w varchar(4)" if CHARS else ""
        unique += ", active boolean NOT NULL DEFAULT true" if PARTIAL else ""
        rows = ("INSERT INTO t (id, v, k, u) VALUES (1, 1, 0, 10), (2, 2, 1, 20), (3, 3, 2, 30), (4, 4, 0, NULL);"
                if UNIQUES else "INSERT INTO t VALUES (1, 1, 0), (2, 2, 1), (3, 3, 2), (4, 4, 0);")
        if CHARS:
            rows = ("INSERT INTO t (id, v, k, x, w) VALUES (1, 1, 0, 'a', 'a'), (2, 2, 1, 'ab', 'ab '), "
                    "(3, 3, 2, NULL, 'b'), (4, 4, 0, 'abc', NULL);")
        v_type = "numeric(6, 2)" if NUMERICS else "int"
        if NUMERICS:  # a CHECK that doubling, adding or an upsert's + 100 can break
            v_type += N.choice(["", " CHECK (v < 8)", " CONSTRAINT small CHECK (v < 8 AND k >= 0)"])
        if NUMERICS:
            rows = rows.replace("(1, 1, 0)", "(1, 1.5, 0)").replace("(4, 4, 0", "(4, 4.125, 0")
        if PARTIAL:  # one active row per k
            rows = ("INSERT INTO t (id, v, k, active) VALUES (1, 1, 0, true), (2, 2, 1, true), "
                    "(3, 3, 2, false), (4, 4, 0, false);")
        parted = partitions() if PARTITIONS else ";"
        built = ""
        if PARTIAL:
            index = f" CREATE UNIQUE INDEX t_one ON t (k) WHERE {PA.choice(['active', 'active = true'])};"
            # Built over the rows, the planner measures t (and a MERGE of
            # several source rows into a measured table is not modelled).
            if PA.random() < 0.5 and not MERGES:
                built = index
            else:
                parted += index
        if PLAIN:
            index = f" CREATE INDEX t_plain ON t ({PI.choice(['k', 'k, v', 'v'])});"
            if PI.random() < 0.5:  # built over the rows: the planner measures t
                built = index
            else:
                parted += index
        sequence, drop_sequence = "", ""
        if SPELLINGS:
            # Counting down needs a MAXVALUE above the start (its default is -1).
            bound = " MAXVALUE 20" if SEQUENCE_STEP < 0 else ""
            sequence = f" CREATE SEQUENCE sq START {SEQUENCE_START} INCREMENT {SEQUENCE_STEP}{bound};"
            drop_sequence = " DROP SEQUENCE sq;"
        lines = [f"setup {{ CREATE TABLE t (id int PRIMARY KEY, v {v_type} NOT NULL, k int NOT NULL{wide}{serial}{unique}){parted} "
                 f"{rows}{built}{sequence} }}",
                 f"teardown {{ DROP TABLE t;{drop_sequence} }}"]
        statement, last = one_table_statement, ["zt"]
    sessions = R.choice([2, 2, 3])
    if CROWD:  # four or five sessions queue on two rows
        sessions = Y.choice([4, 4, 5])
    orders = []
    timeouts = T.sample([1500, 2500, 3500], 3)
    deadlock_timeouts = T.sample([300, 4500, 5500], 3)
    for s in range(sessions):
        name = "abcde"[s]
        lines.append(f"session {name}")
        steps = []
        block = R.random() < 0.85
        local_timeout = None
        if TIMEOUTS and s < 3:  # one setup block per session: its SETs together
            kind = T.choice(["lock", "lock", "statement", "local", "none"])
            ms = timeouts[s]
            sets = []
            if kind == "local" and block:
                local_timeout = f"SET LOCAL lock_timeout = '{ms}ms';"
            elif kind in ("lock", "statement", "local"):
                name_of = "statement" if kind == "statement" else "lock"
                sets.append(f"SET {name_of}_timeout = '{ms}ms';")
            if T.random() < 0.35:
                sets.append(f"SET deadlock_timeout = '{deadlock_timeouts[s]}ms';")
            if sets:
                lines.append("setup { " + " ".join(sets) + " }")
        if LEVELS and not TIMEOUTS and L.random() < 0.35:  # the session's default level
            lines.append("setup { SET default_transaction_isolation = '"
                         + L.choice(["read committed", "repeatable read", "serializable"]) + "'; }")
        if block:
            level = R.choice(["", " ISOLATION LEVEL READ COMMITTED", " ISOLATION LEVEL REPEATABLE READ",
                              " ISOLATION LEVEL SERIALIZABLE"])
            mode = ""
            if (READ_ONLY or RANGES) and M.random() < 0.7:
                level = " ISOLATION LEVEL SERIALIZABLE"
            if READ_ONLY and M.random() < 0.45:
                mode = M.choice([" READ ONLY", " READ ONLY", " READ ONLY DEFERRABLE", ", READ ONLY, DEFERRABLE"])
                if not level:
                    mode = mode.lstrip(",")
            if LEVELS and (level or mode) and L.random() < 0.5:  # the modes set after BEGIN
                steps.append(("b", "BEGIN;"))
                steps.append(("v", f"SET TRANSACTION{level}{mode};".replace("TRANSACTION,", "TRANSACTION")))
            else:
                steps.append(("b", f"BEGIN{level}{mode};"))
            if local_timeout:
                steps.append(("t", local_timeout))
        read_only = block and "READ ONLY" in steps[0][1]
        for k in range(R.randint(1, 3)):
            sql = statement()
            if COMPOSITE and P.random() < 0.3:
                sql = prefix_statement()
            if ALTERS and A.random() < 0.25:
                sql = alter_statement()
            if read_only and M.random() < 0.75:
                sql = read_only_statement()
            elif RANGES and M.random() < 0.45:
                sql = range_statement()
            elif SERIALS and Q.random() < 0.5:
                sql = serial_statement()
            elif UNIQUES and W.random() < 0.7:
                sql = unique_statement()
            elif MIXED and X.random() < 0.7:
                sql = mixed_statement()
                if not block and X.random() < 0.35:  # one implicit transaction
                    sql += " " + mixed_statement()
            elif PICKS and K.random() < 0.6:
                sql = pick_statement()
            elif CHARS and C.random() < 0.6:
                sql = char_statement(block)
            elif MERGES and G.random() < 0.6:
                sql = merge_statement()
            elif GUARDS and H.random() < 0.6:
                sql = guard_statement()
            elif PARTIAL and PA.random() < 0.6:
                sql = partial_statement()
            elif SPELLINGS and SP.random() < 0.5:
                sql = spelling_statement()
            if SPELLINGS:
                sql = respell(sql)
            if not block and sql.startswith(("SAVEPOINT", "ROLLBACK TO", "RELEASE")):
                sql = "SELECT sum(v), count(*) FROM t;"
            if LITERALS:
                sql = quote_numbers(sql)
            if NUMERICS:
                sql = fractions(sql)
            if not block and sql.count(";") > 1:
                # An implicit transaction: transaction control inside one is
                # not modelled.
                parts = [part.strip() for part in sql.split(";") if part.strip()]
                if any(part.startswith(("SAVEPOINT", "ROLLBACK", "RELEASE", "BEGIN", "COMMIT"))
                       for part in parts):
                    sql = sql[:sql.index(";") + 1]
            if not block and sql.count(";") == 1 and sql.startswith("LOCK"):  # 25P01 outside a block
                sql = "SELECT count(*) FROM t;"
            if not block and sql.count(";") == 1 and sql.startswith("SELECT pg_advisory_xact"):
                sql = sql.replace("_xact", "")
            steps.append((f"s{k}", sql))
            if LEVELS and L.random() < 0.2:  # too late once a statement took a snapshot, or the same level
                steps.append((f"l{k}", L.choice(["SET TRANSACTION ISOLATION LEVEL "
                                                 + L.choice(["READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"]) + ";",
                                                 "SET TRANSACTION READ ONLY;", "SHOW transaction_isolation;"])))
        if block:
            steps.append(("e", R.choice(["COMMIT;", "COMMIT;", "COMMIT;", "ROLLBACK;"])))
        for tag, sql in steps:
            lines.append(f"step {name}{tag} {{ {sql} }}")
        orders.append([f"{name}{tag}" for tag, _ in steps])
    lines.append("session z")
    if COMPOSITE:
        lines.append("step zm1 { SELECT * FROM m WHERE a = 1 ORDER BY b; }")
        lines.append("step zm2 { SELECT * FROM m WHERE a = 2 ORDER BY b; }")
    elif FOREIGN_KEYS:
        lines.append("step zp { SELECT * FROM p ORDER BY id; }")
        lines.append("step zc { SELECT * FROM c ORDER BY id; }")
    else:
        lines.append("step zt { SELECT * FROM t ORDER BY id; }")
    permutations = set()
    for _ in range(6):
        at, steps = [0] * sessions, []
        while any(at[i] < len(orders[i]) for i in range(sessions)):
            i = R.choice([i for i in range(sessions) if at[i] < len(orders[i])])
            steps.append(orders[i][at[i]])
            at[i] += 1
        permutations.add(" ".join(steps + last))
    lines += [f"permutation {p}" for p in sorted(permutations)]
    with open(OUT, "w") as f:
        f.write(f"# random_spec.py {SEED}{' --ordered' if ORDERED else ''}\n" + "\n".join(lines) + "\n")


main()
