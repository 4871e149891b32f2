#!/usr/bin/env bash
# The same inputs give byte-identical output from the gcc build and the clang
# build (sanitized): text, JSON, seeded schedules, isolation-tester specs.
# The comparisons run two at a time (the sanitized build's start-up
# dominates; each comparison's pair of runs is concurrent already).
# Usage: determinism.sh GCC_CCSIM CLANG_CCSIM SOURCE_DIR
set -u
a=$1
b=$2
src=$3
# One comparison: "FILE<tab>ARGS"; prints "same" or the difference.
compare() {
  local f=${1%%$'\t'*} args
  read -r -a args <<<"${1#*$'\t'}"
  if cmp -s <("$A" run "$f" "${args[@]}" 2>&1) <("$B" run "$f" "${args[@]}" 2>&1); then
    echo same
  else
    echo "FAILED: ccsim run $f ${args[*]} differs between the gcc and clang builds"
    diff <("$A" run "$f" "${args[@]}" 2>&1) <("$B" run "$f" "${args[@]}" 2>&1) | head -20
  fi
}
export -f compare
export A=$a B=$b
out=$(
  {
    for f in "$src"/scenarios/*.toml "$src"/tests/verify/*.toml; do
      for args in "" "--format json" "--seed 1 --format json" "--seed 2" \
        "--isolation repeatable-read --format json" "--isolation serializable --format json" \
        "--format mermaid" "--format html"; do
        printf '%s\t%s\n' "$f" "$args"
      done
    done
    for f in "$src"/tests/specs/*.spec; do printf '%s\t\n' "$f"; done
  } | xargs -d '\n' -n 1 -P 2 bash -c 'compare "$1"' _
)
if grep -q '^FAILED' <<<"$out"; then
  grep -v '^same$' <<<"$out"
  exit 1
fi
echo "determinism: $(grep -c '^same$' <<<"$out") outputs byte-identical between the gcc and clang builds"
