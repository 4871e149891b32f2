#!/usr/bin/env bash
# Diffs ccsim's simulated isolation-tester output for a spec with the output
# PostgreSQL 15's own isolationtester produced (tests/specs/expected/).
# Usage: spec_test.sh CCSIM_BINARY SPEC EXPECTED
# A spec with a line "# PGISOLATIONTIMEOUT=N" was run by the tester with
# that step wait (tests/specs/regenerate), and so is ccsim.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
wait_s=$(sed -n 's/^# PGISOLATIONTIMEOUT=\([0-9]*\)$/\1/p' "$2" | head -n 1)
export PGISOLATIONTIMEOUT=${wait_s:-300}
"$1" run "$2" >"$out" 2>&1 || { cat "$out"; echo "FAILED: ccsim run $2 exited non-zero"; exit 1; }
if ! diff -u "$3" "$out"; then
  echo "FAILED: ccsim differs from the expected output (- expected, + ccsim)"
  exit 1
fi
echo "ok: $(basename "$2") prints the expected output"
