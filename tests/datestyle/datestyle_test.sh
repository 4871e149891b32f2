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
unset PGDATESTYLE PGTZ
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
# PGTZ: ccsim's sessions run in UTC; under another zone printing a
# timestamptz is refused (the tester would print that zone's digits), a
# spec that prints none runs as before, and a UTC name is UTC.
PGTZ=PST8PDT "$bin" run "$dir/styles.spec" >"$work/out" 2>"$work/err"
code=$?
[ $code -eq 2 ] || fail "PGTZ=PST8PDT with timestamptz values exited $code, expected 2"
grep -qF "error: PGTZ is 'PST8PDT': ccsim's sessions run in UTC" "$work/err" || { cat "$work/err"; fail "no clear PGTZ error"; }
[ ! -s "$work/out" ] || fail "PGTZ=PST8PDT printed output"
PGTZ=Etc/UTC "$bin" run "$dir/styles.spec" >"$work/out" 2>&1 || fail "PGTZ=Etc/UTC refused"
cmp -s "$work/out" "$dir/styles.out" || fail "PGTZ=Etc/UTC is not UTC"
printf 'setup { CREATE TABLE t (d timestamptz); }\nsession s\nstep r { SELECT count(*) FROM t WHERE d < TIMESTAMPTZ %s; }\n' "'2001-01-01 10:00'" >"$work/plain.spec"
PGTZ=PST8PDT "$bin" run "$work/plain.spec" >"$work/out" 2>&1 || { cat "$work/out"; fail "PGTZ=PST8PDT refused a spec that prints no timestamptz"; }
echo "ok: styles.spec in ISO and $n other settings, 3 refused settings, and PGTZ"
