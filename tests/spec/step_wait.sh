#!/usr/bin/env bash
# Prints the isolation tester's step wait a spec of tests/specs/ is run with:
# N from a line "# PGISOLATIONTIMEOUT=N" in it, else the tester's 300 (s).
# The tester cancels a step it waits for that is still waiting after N s;
# tests/specs/regenerate, spec_test.sh and verify_suite.sh all run a spec
# with the same N.  Usage: step_wait.sh SPEC
set -u
n=$(sed -n 's/^# PGISOLATIONTIMEOUT=\([0-9][0-9]*\)$/\1/p' "$1" | head -n 1)
echo "${n:-300}"
