#!/usr/bin/env bash
# Command-line tests: exit codes, messages, and byte-identical output across
# processes. Usage: cli_test.sh CCSIM_BINARY SOURCE_DIR CASE
set -u
bin=$1
src=$2
case_name=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1   # not the source tree: built-in scenarios must work anywhere

fail() { echo "FAILED: $*"; exit 1; }

# run_expect CODE ARGS...: runs ccsim, keeps stdout/stderr, checks the exit code.
run_expect() {
  local want=$1
  shift
  "$bin" "$@" >out.txt 2>err.txt
  local got=$?
  [ "$got" -eq "$want" ] || { cat out.txt err.txt; fail "ccsim $* exited $got, expected $want"; }
}

contains() { grep -qF -- "$2" "$1" || { cat "$1"; fail "$1 lacks: $2"; }; }

case "$case_name" in
  default-run)
    run_expect 0 run
    contains out.txt "none               110     110       lost update: B's write overwrote A's +10"
    contains out.txt "client_debounce    110     110       ok                                        B was never sent (the button was disabled)"
    contains out.txt "B: SELECT points FROM auth_user WHERE id = :user_id FOR UPDATE INTO :points -> waits: auth_user(id=1) is locked by A"
    ;;
  help)
    for args in "--help" "run --help" "list --help"; do
      run_expect 0 $args
      contains out.txt "Usage"
    done
    ;;
  list)
    run_expect 0 list
    for m in none select_for_update f_expression update_first singleton_lock client_debounce; do contains out.txt "$m"; done
    contains out.txt "double_click"
    ;;
  deterministic)
    for i in 1 2 3; do
      "$bin" run double_click --seed 7 --format json >"json$i.txt" || fail "run failed"
      "$bin" run two_tabs >"text$i.txt" || fail "run failed"
    done
    cmp json1.txt json2.txt && cmp json1.txt json3.txt && cmp text1.txt text2.txt && cmp text1.txt text3.txt ||
      fail "output differs between runs"
    ;;
  expectation-fails)
    sed 's/final = { auth_user = \[{ id = 1, points = 110 }\] }/final = { auth_user = [{ id = 1, points = 120 }] }/' \
      "$src/scenarios/double_click.toml" >copy.toml
    run_expect 1 run copy.toml -m none
    contains out.txt "EXPECTATION FAILED: final auth_user row 1: points is 110, expected 120"
    contains out.txt 'Replay: ccsim run copy.toml --mitigation none --schedule "A B A B A B"'
    ;;
  missing-file)
    run_expect 2 run nowhere.toml
    contains err.txt "ccsim: nowhere.toml: error: no such file, and no built-in scenario of that name"
    [ ! -s out.txt ] || fail "printed output for bad input"
    ;;
  unknown-mitigation)
    run_expect 2 run double_click -m nope
    contains err.txt "does not run mitigation 'nope'"
    [ ! -s out.txt ] || fail "printed output for bad input"
    ;;
  blocked-in-schedule)
    run_expect 2 run double_click -m select_for_update --schedule "A B A B A B B"
    contains err.txt "ccsim: --schedule:1:13: error: schedule position 7 (B): B cannot move: it is waiting for a row lock held by A; schedule A first"
    [ ! -s out.txt ] || fail "printed output for bad input"
    ;;
  bad-option)
    run_expect 2 run double_click --format yaml
    contains err.txt "--format"
    run_expect 2 run double_click --seed 3 --schedule "A B"
    ;;
  bad-scenario)
    printf 'title = "x"\nmitigations = ["none"]\nsetup = """\nCREATE TABLE auth_user (id int PRIMARY KEY, points int)\n"""\n[[requests]]\nname = "A"\nargs = { user_id = 1 }\n' >bad.toml
    run_expect 2 run bad.toml
    contains err.txt "bad.toml:"
    contains err.txt "no request argument or step gives :delta a value"
    [ ! -s out.txt ] || fail "printed output for bad input"
    ;;
  *) fail "unknown case $case_name" ;;
esac
echo "ok: $case_name"
