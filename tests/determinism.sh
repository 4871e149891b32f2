#!/usr/bin/env bash
# The same inputs give byte-identical output from the gcc build and the clang
# build (sanitized): text, JSON, seeded schedules, isolation-tester specs.
# Usage: determinism.sh GCC_CCSIM CLANG_CCSIM SOURCE_DIR
set -u
a=$1
b=$2
src=$3
compared=0
for f in "$src"/scenarios/*.toml "$src"/tests/verify/*.toml; do
  for args in "" "--format json" "--seed 1 --format json" "--seed 2" "--isolation repeatable-read --format json" \
    "--isolation serializable --format json" "--format mermaid" "--format html"; do
    if ! cmp -s <("$a" run "$f" $args 2>&1) <("$b" run "$f" $args 2>&1); then
      echo "FAILED: ccsim run $f $args differs between the gcc and clang builds"
      diff <("$a" run "$f" $args 2>&1) <("$b" run "$f" $args 2>&1) | head -20
      exit 1
    fi
    compared=$((compared + 1))
  done
done
for f in "$src"/tests/specs/*.spec; do
  cmp -s <("$a" run "$f") <("$b" run "$f") || { echo "FAILED: ccsim run $f differs"; exit 1; }
  compared=$((compared + 1))
done
echo "determinism: $compared outputs byte-identical between the gcc and clang builds"
