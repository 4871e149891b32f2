#!/usr/bin/env python3
# The plain race (mitigation `none`) counted without ccsim: each of N
# requests reads the row (R), computes +10 (L) and writes (W), every step on
# its own; the row ends as the last write left it. Prints, for N = 2 .. MAX,
# the number of interleavings and how many end at each final value.
# tests/explore_test.cc pins these numbers. Usage: none_counts.py MAX
from functools import lru_cache
from collections import Counter
import sys
def counts(n):
    @lru_cache(None)
    def go(pcs, reads, row):
        # pcs: tuple of next step per request; reads: value read per request
        if all(p == 3 for p in pcs):
            return Counter({row: 1})
        total = Counter()
        for i, p in enumerate(pcs):
            if p == 3: continue
            np = list(pcs); np[i] += 1; nr = list(reads); nrow = row
            if p == 0: nr[i] = row
            elif p == 2: nrow = reads[i] + 10
            total += go(tuple(np), tuple(nr), nrow)
        return total
    return go((0,)*n, (0,)*n, 100)
for n in range(2, int(sys.argv[1]) + 1):
    c = counts(n)
    print(n, sum(c.values()), sorted(c.items(), reverse=True))
