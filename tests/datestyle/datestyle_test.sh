#!/usr/bin/env bash
# ccsim run of styles.spec with PGDATESTYLE unset and set to each setting
# a styles.SETTING.out is named for ("Postgres_DMY" is 'Postgres, DMY'):
# byte for byte the output isolationtester printed against PostgreSQL 15.18
# with the same environment. Then a setting the server refuses: exit 2, the
# server's complaint, nothing on stdout.
#   datestyle_test.sh CCSIM
set -u
bin=$1
dir=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
unset PGDATESTYLE
"$bin" run "$dir/styles.spec" >"$work/out" 2>&1 || fail "run without PGDATESTYLE"
cmp -s "$work/out" "$dir/styles.out" || { diff "$work/out" "$dir/styles.out"; fail "ISO output differs"; }
n=0
for expected in "$dir"/styles.*.out; do
  name=$(basename "$expected" .out)
  setting=${name#styles.}
  setting=${setting/_/, }
  PGDATESTYLE=$setting "$bin" run "$dir/styles.spec" >"$work/out" 2>&1 || fail "run with PGDATESTYLE='$setting'"
  cmp -s "$work/out" "$expected" || { diff "$work/out" "$expected"; fail "output with PGDATESTYLE='$setting' differs"; }
  n=$((n + 1))
done
[ $n -ge 4 ] || fail "only $n settings checked"
# "default" is not sent by libpq: the server's default, ISO.
PGDATESTYLE=Default "$bin" run "$dir/styles.spec" >"$work/out" 2>&1 || fail "run with PGDATESTYLE=Default"
cmp -s "$work/out" "$dir/styles.out" || fail "PGDATESTYLE=Default is not ISO"
for bad in "xyz" "ISO, SQL" "ISO MDY"; do
  PGDATESTYLE=$bad "$bin" run "$dir/styles.spec" >"$work/out" 2>"$work/err"
  code=$?
  [ $code -eq 2 ] || fail "PGDATESTYLE='$bad' exited $code, expected 2"
  grep -qF "ccsim: PGDATESTYLE: error: invalid value for parameter \"DateStyle\": \"$bad\"" "$work/err" ||
    { cat "$work/err"; fail "PGDATESTYLE='$bad': no clear error"; }
  [ ! -s "$work/out" ] || fail "PGDATESTYLE='$bad' printed output"
done
echo "ok: styles.spec in ISO and $n other settings, and 3 refused settings"
