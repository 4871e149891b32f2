#!/usr/bin/env bash
# Diffs ccsim's simulated isolation-tester output for a spec with the output
# PostgreSQL 15's own isolationtester produced (tests/specs/expected/).
# Usage: spec_test.sh CCSIM_BINARY SPEC EXPECTED
# ccsim runs it with the step wait the tester ran it with (step_wait.sh).
set -u
# The tester's environment as the expected outputs were made: DateStyle
# ISO and UTC (a spec run reads PGDATESTYLE and PGTZ as libpq does).
unset PGDATESTYLE PGTZ
out=$(mktemp)
trap 'rm -f "$out"' EXIT
PGISOLATIONTIMEOUT=$(bash "$(dirname "$0")/step_wait.sh" "$2")
export PGISOLATIONTIMEOUT
"$1" run "$2" >"$out" 2>&1 || { cat "$out"; echo "FAILED: ccsim run $2 exited non-zero"; exit 1; }
if ! diff -u "$3" "$out"; then
  echo "FAILED: ccsim differs from the expected output (- expected, + ccsim)"
  exit 1
fi
echo "ok: $(basename "$2") prints the expected output"
