#!/usr/bin/env bash
# One malformed input: ccsim must exit 2 with exactly the expected message on
# stderr, print nothing on stdout, and write no report - and every command
# that reads the file must refuse it with that same message.
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
for cmd in run explore; do
  "$bin" $cmd "$name" >out.txt 2>err2.txt
  code=$?
  [ $code -eq 2 ] || fail "ccsim $cmd exited $code, expected 2 like check"
  cmp -s err.txt err2.txt || { diff err.txt err2.txt; fail "ccsim $cmd refuses it differently from check"; }
  [ "$cmd" = explore ] && break
done
echo "ok: $name -> $(cat err.txt)"
