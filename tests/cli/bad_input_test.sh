#!/usr/bin/env bash
# One malformed input: ccsim must exit 2 with exactly the expected message on
# stderr, print nothing on stdout, and write no report.
# Usage: bad_input_test.sh CCSIM_BINARY INPUT
set -u
bin=$1
input=$2
dir=$(cd "$(dirname "$input")" && pwd)
name=$(basename "$input")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$input" "$tmp/"
cd "$tmp" || exit 1
"$bin" check "$name" --junit report.xml >out.txt 2>err.txt
code=$?
fail() { echo "FAILED: $name: $*"; echo "stderr:"; cat err.txt; exit 1; }
[ $code -eq 2 ] || fail "exit code $code, expected 2"
[ ! -s out.txt ] || fail "printed on stdout"
[ ! -e report.xml ] || fail "wrote a report"
cmp -s err.txt "$dir/${name%.*}.expected" || { diff "$dir/${name%.*}.expected" err.txt; fail "message differs"; }
echo "ok: $name -> $(cat err.txt)"
