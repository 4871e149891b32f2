#!/usr/bin/env python3
"""Foreign-key orders: specs of a parent table p and three children whose
keys are added in a random order, one per seed.

Each child (c1, c2, c3, made in a random order) gets its key to p by ALTER
TABLE in another random order, with a random action (NO ACTION, RESTRICT,
CASCADE or SET NULL, on delete or on update); some seeds give p a
self-reference NOT VALID among them. Session a deletes rows of p or
changes their keys (and p's own reference); session b locks a child row
first in two permutations. Which error a statement reports, and whether
it waits for b first, follow the order PostgreSQL fires a row's foreign-key
triggers in: the referenced side's before the row's own, each side's in
the order the keys were made. scripts/random-specs --fk-orders runs them
(docs/verify.md).

    fk_orders.py SEED OUT.spec
"""
import random
import sys

SEED = int(sys.argv[1])
OUT = sys.argv[2]
R = random.Random(f"fk orders {SEED}")
ACTIONS = ["", " ON DELETE CASCADE", " ON DELETE SET NULL", " ON DELETE RESTRICT",
           " ON UPDATE CASCADE", " ON UPDATE SET NULL", " ON DELETE CASCADE ON UPDATE CASCADE",
           " ON UPDATE RESTRICT"]

lines = [f"# fk_orders.py {SEED}",
         "setup { CREATE TABLE p (id int PRIMARY KEY, n int); INSERT INTO p VALUES (1, 1), (2, 1), (3, 2); }"]
kids = R.sample(["c1", "c2", "c3"], 3)
for k in kids:
    lines.append(f"setup {{ CREATE TABLE {k} (id int PRIMARY KEY, pid int); "
                 f"INSERT INTO {k} VALUES (1, {R.choice([1, 2, 3])}), (2, {R.choice([1, 2, 3])}); }}")
self_reference = False
for k in R.sample(kids, 3):
    target = R.choice(["p", "p (id)"])
    lines.append(f"setup {{ ALTER TABLE {k} ADD CONSTRAINT {k}_fk FOREIGN KEY (pid) REFERENCES "
                 f"{target}{R.choice(ACTIONS)}; }}")
    if not self_reference and R.random() < 0.3:
        self_reference = True
        lines.append("setup { ALTER TABLE p ADD CONSTRAINT p_n FOREIGN KEY (n) REFERENCES p NOT VALID; }")
lines.append("teardown { DROP TABLE c1, c2, c3, p; }")
lines += ["session a", "step ab { BEGIN; }"]
statements = [lambda: f"DELETE FROM p WHERE id = {R.choice([1, 2, 3])};",
              lambda: f"UPDATE p SET id = id + 10 WHERE id = {R.choice([1, 2, 3])};",
              lambda: f"UPDATE p SET id = id + 10, n = {R.choice([1, 7])} WHERE id = {R.choice([1, 2, 3])};",
              lambda: "DELETE FROM p;",
              lambda: "UPDATE p SET id = id + 10;"]
for i in range(3):
    lines.append(f"step a{i} {{ {R.choice(statements)()} }}")
lines += ["step ac { ROLLBACK; }",
          "session b", "step bb { BEGIN; }",
          f"step bl {{ SELECT * FROM {R.choice(kids)} WHERE id = {R.choice([1, 2])} FOR UPDATE; }}",
          "step bc { COMMIT; }",
          "session z",
          "step z { SELECT (SELECT count(*) FROM c1) AS c1, (SELECT count(*) FROM c2) AS c2, "
          "(SELECT count(*) FROM c3) AS c3, (SELECT count(*) FROM p) AS p; }"]
lines += [f"permutation ab a{i} ac z" for i in range(3)]
lines += ["permutation bb bl ab a0 bc ac z", "permutation bb bl ab a1 bc a2 ac z"]
with open(OUT, "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
