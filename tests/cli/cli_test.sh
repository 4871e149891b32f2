#!/usr/bin/env bash
# Command-line tests: exit codes, messages, and byte-identical output across
# processes. Usage: cli_test.sh CCSIM_BINARY SOURCE_DIR CASE
set -u
# The tester's environment as the expected outputs were made: DateStyle
# ISO and UTC (a spec run reads PGDATESTYLE and PGTZ as libpq does).
unset PGDATESTYLE PGTZ
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
    grep -qE "^none +110 +110 +lost update: B's write overwrote A's \+10" out.txt ||
      { cat out.txt; fail "no summary row for none"; }
    grep -qE "^client_debounce +110 +110 +ok +B was never sent \(the button was disabled\)" out.txt ||
      { cat out.txt; fail "no summary row for client_debounce"; }
    contains out.txt "B: SELECT points FROM auth_user WHERE id = :user_id FOR UPDATE INTO :points -> waits: auth_user(id=1) is locked by A"
    ;;
  help)
    for args in "--help" "run --help" "list --help" "check --help" "verify --help" "describe --help" "explore --help" "step --help" "merge --help"; do
      run_expect 0 $args
      contains out.txt "Usage"
    done
    ;;
  list)
    run_expect 0 list
    for m in none select_for_update f_expression update_first singleton_lock client_debounce; do contains out.txt "$m"; done
    contains out.txt "double_click"
    ;;
  mermaid)
    run_expect 0 run double_click -m select_for_update -m none --format mermaid
    contains out.txt '## select_for_update'
    contains out.txt '```mermaid'
    contains out.txt '  participant A as A (tab1, web1)'
    # The values the parameters had ride on the arrows; INTO targets stay.
    contains out.txt '  B->>DB: 6. SELECT points FROM auth_user WHERE id = 1 FOR UPDATE INTO :points'
    contains out.txt '  B->>DB: 11. UPDATE auth_user SET points = 120 WHERE id = 1'
    # The overwriting write carries a note (none: B's UPDATE writes 110 over A's 110).
    contains out.txt '  B->>DB: 6. UPDATE auth_user SET points = 110 WHERE id = 1'
    contains out.txt "  Note over B,DB: LOST UPDATE: B's write overwrote A's +10"
    [ "$(grep -c 'LOST UPDATE' out.txt)" = 1 ] || fail "one lost write, one note"
    contains out.txt '  Note over B,DB: waits: auth_user(id=1) is locked by A'
    contains out.txt '  DB-->>B: :points = 110'
    contains out.txt "Schedule A B A B A B, READ COMMITTED. Verdict: lost update: B's write overwrote A's +10."
    [ "$(grep -c '^```mermaid$' out.txt)" = 2 ] || fail "expected one diagram per mitigation"
    run_expect 0 run on_call -m check_then_update --isolation serializable --format mermaid
    contains out.txt '  DB--xB: ERROR 40001: could not serialize access due to read/write dependencies among transactions'
    # Names without a client or process are just names; HTML in a title is
    # shown, not run, in the heading and in the diagram.
    printf 'title = "<script>alert(1)</script>"\nmitigations = ["m"]\nsetup = "CREATE TABLE t (id int PRIMARY KEY, n int)\\nINSERT INTO t (id, n) VALUES (1, 0)"\n[[requests]]\nname = "A"\n[[requests]]\nname = "B"\n[programs.m]\nsteps = "UPDATE t SET n = n + 1 WHERE id = 1"\n' >plain.toml
    run_expect 0 run plain.toml --format mermaid
    contains out.txt '# &lt;script&gt;alert(1)&lt;/script&gt;'
    contains out.txt '  participant A as A'
    grep -q '<script>' out.txt && fail "a title went raw into the Markdown"
    ;;
  svg-html)
    run_expect 0 run double_click -m select_for_update --format svg
    [ "$(head -c 4 out.txt)" = "<svg" ] || fail "not an SVG"
    contains out.txt '<text x="8" y="16" font-weight="bold">select_for_update: ok</text>'
    contains out.txt '<title>B: SELECT points FROM auth_user WHERE id = :user_id FOR UPDATE INTO :points -&gt; waits: auth_user(id=1) is locked by A</title>'
    [ "$(grep -c '<rect x=' out.txt)" = 17 ] || fail "expected one box per event (17)"
    tail -n 1 out.txt | grep -qx '</svg>' || fail "the SVG is not closed"
    # Nothing is cut: the locking clause is drawn, wrapped, with the values sent.
    contains out.txt '>SELECT points FROM auth_user WHERE id = :user_id</text><text x="474" y="410">  FOR UPDATE INTO :points -&gt; waits:</text>'
    contains out.txt '  with :points = 120, :user_id = 1</text>'
    grep -q '\.\.\.' out.txt && fail "an SVG text was shortened"
    # The lost write is outlined and named; SERIALIZABLE's SIREAD locks and
    # rw-conflicts are drawn when they change.
    run_expect 0 run double_click -m none --format svg
    [ "$(grep -c 'stroke="#c62828"' out.txt)" = 1 ] || fail "one lost write should be outlined"
    contains out.txt '>LOST UPDATE: B&apos;s write overwrote A&apos;s +10</text>'
    run_expect 0 run on_call -m check_then_update --isolation serializable --format svg
    contains out.txt 'SIREAD A on index page of doctors_pkey, A on tuple doctors(id=2) v2</text>'
    contains out.txt 'rw-conflict B read what A wrote, A read what B wrote'
    contains out.txt 'doomed B</text>'
    run_expect 0 run double_click -m none -m select_for_update --format html
    contains out.txt '<!doctype html>'
    contains out.txt '<title>ccsim classroom</title>'
    # The frames are in the file: each run's verdict and its replay command.
    contains out.txt '"verdict": "lost update: B'"'"'s write overwrote A'"'"'s +10"'
    contains out.txt '"replay": "ccsim run double_click --mitigation select_for_update --schedule \"A B A B A B A A A B B B\""'
    # A title with a closing script tag cannot end the page's script early.
    sed 's/^title = .*/title = "<\/script><b>x<\/b>"/' "$src/scenarios/double_click.toml" >mine.toml
    run_expect 0 run mine.toml -m none --format html
    contains out.txt '"title": "<\/script><b>x<\/b>"'
    [ "$(grep -c '</script>' out.txt)" = 2 ] || fail "a title closed a script element"
    ;;
  explore)
    run_expect 0 explore double_click -m none -m f_expression
    contains out.txt "20 schedules (every interleaving), 2 outcomes, 2 requests, READ COMMITTED"
    grep -qE "^2 +18 +110 +A committed, B committed +lost update: B's write overwrote A's \+10 +A A B A B B$" out.txt ||
      { cat out.txt; fail "no lost-update outcome row"; }
    grep -qE "^none +20 +2 +18 +0 +goes wrong in 18 of 20$" out.txt || { cat out.txt; fail "no summary row"; }
    grep -qE "^f_expression +20 +1 +0 +0 +never goes wrong$" out.txt || { cat out.txt; fail "no summary row"; }
    [ ! -s err.txt ] || fail "progress printed when stderr is not a terminal"
    run_expect 0 explore double_click -m none --format json
    contains out.txt '"format": "ccsim-explore/2"'
    contains out.txt '"schedules": "20"'
    # Counts past 2^64 (24!/(3!)^8), exact.
    run_expect 0 explore double_click -m none --requests 8 --format json
    contains out.txt '"schedules": "369398958888960000"'
    run_expect 0 explore double_click -m none --requests 6
    contains out.txt "137,225,088,000 schedules (every interleaving), 6 outcomes, 6 requests"
    run_expect 2 explore double_click -m nosuch
    contains err.txt "does not run mitigation 'nosuch'"
    run_expect 2 explore double_click --requests 27
    run_expect 2 explore double_click --shard 4/4
    contains err.txt "--shard: error: expected I/N with 0 <= I < N <= 1024 (shard I of N, counted from 0), like 0/4; got '4/4'"
    run_expect 2 explore double_click --shard 0/1025
    contains err.txt "got '0/1025'"
    ;;
  explore-truncated)
    # A search stopped at a limit says so on every line that sums it up, and
    # never says "never goes wrong".
    run_expect 0 explore double_click -m select_for_update -m none --max-states 10
    contains out.txt "then stopped at --max-states 10: not every interleaving explored"
    ! grep -q "never goes wrong" out.txt || { cat out.txt; fail "a truncated search claimed never goes wrong"; }
    grep -qE "^select_for_update +[0-9,]+\+ \(not all\) .*no failure in the [0-9,]+ schedules? explored; not all explored$" out.txt ||
      { cat out.txt; fail "no truncated summary row"; }
    grep -qE "^none .*not all explored$" out.txt || { cat out.txt; fail "no truncated summary row for none"; }
    run_expect 0 explore double_click -m select_for_update --max-states 10 --format json
    contains out.txt '"complete": false'
    contains out.txt '"stopped_at": "--max-states 10"'
    run_expect 0 explore double_click -m select_for_update --max-states 10 --verdicts-only
    contains out.txt "no failure in the states explored; not all explored"
    # The same in check: a never_fails claim is not passed by a partial search.
    run_expect 1 check "$src/scenarios/double_click.toml" --max-states 10
    contains out.txt "select_for_update over every interleaving: no failure in the states explored, but the exploration stopped at --max-states 10: not every interleaving was checked"
    ;;
  explore-shards)
    # Four shards run side by side (as GNU parallel or a job array would),
    # merged: exactly the single run's report, text and JSON.
    "$bin" explore double_click --requests 3 >single.txt 2>&1 || fail "single run"
    "$bin" explore double_click --requests 3 --format json >single.json 2>&1 || fail "single run"
    # GNU parallel, as docs/explore.md shows it.
    parallel --will-cite "'$bin' explore double_click --requests 3 --shard {}/4 > shard{}.json" ::: 0 1 2 3 ||
      fail "a shard failed"
    contains shard2.json '"format": "ccsim-explore-shard/1"'
    run_expect 0 merge shard0.json shard1.json shard2.json shard3.json
    cmp out.txt single.txt || { diff out.txt single.txt | head -20; fail "merged report differs from the single run"; }
    run_expect 0 merge shard3.json shard1.json shard0.json shard2.json --format json
    cmp out.txt single.json || fail "merged JSON differs from the single run"
    run_expect 2 merge shard0.json shard1.json shard2.json
    contains err.txt "shard 3/4 is missing"
    run_expect 2 merge shard0.json shard0.json shard1.json shard2.json
    contains err.txt "shard 0/4 is also in shard0.json"
    echo '{"format": "ccsim-run/1"}' >other.json
    run_expect 2 merge other.json
    contains err.txt "other.json: error: not a ccsim explore shard result: its format is not ccsim-explore-shard/1"
    printf 'not json' >bad.json
    run_expect 2 merge bad.json
    contains err.txt "bad.json: error: not a ccsim explore shard result: it is not JSON"
    ;;
  explore-sample)
    run_expect 0 explore double_click -m none --requests 3 --sample 500 --seed 3
    cp out.txt first.txt
    contains out.txt "500 schedules drawn uniformly from all 1,680 (seed 3)"
    run_expect 0 explore double_click -m none --requests 3 --sample 500 --seed 3
    cmp out.txt first.txt || fail "the same seed drew different schedules"
    run_expect 0 explore double_click -m none --requests 3 --sample 500 --seed 3 --max-states 5
    contains out.txt "by a random walk"
    contains out.txt "not uniform: counting the state graph stopped at --max-states 5, so"
    # Asked for a sample, the try at counting stops at 250,000 states by
    # default (singleton_lock with five requests has 1,491,786): the walk
    # starts after seconds, not after a 20-million-state exploration.
    run_expect 0 explore double_click -m singleton_lock --requests 5 --sample 20 --seed 1 --format json
    contains out.txt '"walk_reason": "counting the state graph stopped at --max-states 250000"'
    contains out.txt '"uniform": false'
    run_expect 2 explore double_click --seed 3
    ;;
  cracks)
    # What a new user tried: each refused clearly, nothing crashes.
    run_expect 0 --version
    [ "$(cat out.txt)" = "ccsim 0.1.0" ] || fail "--version printed $(cat out.txt)"
    run_expect 2 explor
    contains err.txt "unknown command 'explor'; did you mean 'explore'?"
    run_expect 2 run --seed -1
    contains err.txt "--seed: must be a whole number from 0 to 18446744073709551615, not -1"
    [ "$(wc -c <err.txt)" -lt 200 ] || fail "a long message for --seed -1"
    run_expect 2 run --seed 99999999999999999999
    # run's seeds span explore's: the largest is a schedule of its own.
    run_expect 0 run double_click -m none --seed 18446744073709551615
    cp out.txt seed_max.txt
    run_expect 0 run double_click -m none --seed 18446744073709551614
    cmp -s out.txt seed_max.txt && fail "--seed 2^64-1 and 2^64-2 printed the same run"
    run_expect 0 run double_click -m none --seed 18446744073709551615
    cmp -s out.txt seed_max.txt || fail "--seed 2^64-1 printed two different runs"
    run_expect 2 explore --sample 3 --seed -3
    contains err.txt "--seed: must be a whole number from 0 to 18446744073709551615, not -3"
    # A 50 MB file is refused from its size, before it is read.
    truncate -s 50M big.toml
    /usr/bin/time -f "%M" -o rss.txt "$bin" run big.toml >out.txt 2>err.txt
    [ $? -eq 2 ] || fail "a 50 MB file was not refused with exit code 2"
    contains err.txt "big.toml: error: the file is larger than 4194304 bytes (--input-bytes-max)"
    [ "$(tail -n 1 rss.txt)" -lt 40000 ] || fail "refusing a 50 MB file took $(tail -n 1 rss.txt) KB"
    # A folder with nothing to check fails (a CI job pointed at the wrong place).
    mkdir nothing
    run_expect 2 check nothing
    contains err.txt "nothing: error: no scenario (.toml) or spec (.spec) file in this folder: nothing to check"
    # A setup INSERT of 300,000 rows (about 4 MB) loads and runs (in linear time).
    python3 -c "
rows = ', '.join('(%d, %d)' % (i, i % 100) for i in range(1, 300001))
open('rows.toml', 'w').write('''title = \"300,000 rows\"
setup = \'\'\'
CREATE TABLE auth_user (id int PRIMARY KEY, points int NOT NULL)
INSERT INTO auth_user (id, points) VALUES ''' + rows + '''
\'\'\'
mitigations = [\"f_expression\"]
[[requests]]
name = \"A\"
args = { user_id = 7, delta = 10 }
''')"
    run_expect 0 run rows.toml --format json
    contains out.txt '"points": 17'
    ;;
  requests)
    # --requests N repeats the request list: C is a copy of A, D of B.
    run_expect 0 run double_click -m select_for_update --requests 3 --summary
    grep -qE "^select_for_update +130 +- +ok +B waited for A's row lock; C waited for A's row lock$" out.txt ||
      { cat out.txt; fail "no row for three requests"; }
    run_expect 0 check "$src/scenarios/double_click.toml" --requests 3
    contains out.txt "19 passed, 0 failed"
    run_expect 1 check "$src/scenarios/two_tabs.toml" "$src/tests/verify" --requests 3
    contains out.txt "with --requests 3 only every_interleaving claims are checked, and the scenario states none"
    ;;
  step)
    # Enter follows the schedule, a name moves that request, q stops.
    printf 'A\nA\nA\nB\nB\nB\nB\nA\nq\n' | "$bin" step double_click -m select_for_update >out.txt 2>err.txt ||
      fail "step exited $?"
    contains out.txt "Next: A - SELECT points FROM auth_user WHERE id = :user_id INTO :request_user_points"
    contains out.txt "   6  B: SELECT points FROM auth_user WHERE id = :user_id FOR UPDATE INTO :points -> waits: auth_user(id=1) is locked by A"
    contains out.txt "B is waiting for A: it cannot move now."
    contains out.txt "Stopped after 7 steps (the schedule so far: A A A B B B A)."
    yes '' | "$bin" step double_click -m none >out.txt 2>err.txt || fail "step exited $?"
    contains out.txt "Verdict: lost update: B's write overwrote A's +10"
    contains out.txt 'Replay: ccsim run scenarios/double_click.toml --mitigation none --schedule "A B A B A B"'
    run_expect 2 step double_click
    contains err.txt "step mode follows one mitigation: choose it with --mitigation"
    # A schedule naming no request is refused before anything is printed,
    # as run refuses it, not found two steps into the lesson.
    run_expect 2 step double_click -m none --requests 3 --schedule "A C Z" </dev/null
    contains err.txt "--schedule:1:5: error: schedule position 3 (Z): there is no request named Z; the requests are A, B, C"
    [ ! -s out.txt ] || fail "step printed before refusing its schedule: $(cat out.txt)"
    # Names in any case; ? and help list the keys; b goes back, r restarts.
    # A name typed exactly (B) moves the request even where b is a key.
    printf 'a\n?\nhelp\nB\nb\nb\nb\nr\nb\nq\n' | "$bin" step double_click -m none >out.txt 2>err.txt ||
      fail "step exited $?"
    contains out.txt "   1  A: SELECT points FROM auth_user"
    contains out.txt "   2  B: SELECT points FROM auth_user"
    [ "$(grep -c '^b      back one step' out.txt)" -eq 2 ] || fail "? and help should both list the keys"
    contains out.txt "Back to step 1 (A)."
    contains out.txt "Restarted: no request has moved."
    contains out.txt "Nothing to undo: no request has moved yet."
    contains out.txt "Stopped after 0 steps."
    # After b, the schedule picks up where it was: round-robin moves B next.
    printf '\n\nb\n\nq\n' | "$bin" step double_click -m none >out.txt 2>err.txt || fail "step exited $?"
    contains out.txt "Stopped after 2 steps (the schedule so far: A B)."
    # Lines wrap to the width ($COLUMNS when not on a terminal), the replay
    # command excepted (it is for copying); no line is dimmed on a terminal.
    yes '' | COLUMNS=60 "$bin" step double_click -m select_for_update >out.txt 2>err.txt ||
      fail "step exited $?"
    long=$(grep -v '^Replay: ' out.txt | awk 'length($0) > 60' | grep -v -E '^ *[^ ]+$' || true)
    [ -z "$long" ] || fail "lines wider than 60 columns: $long"
    contains out.txt "Verdict: ok"
    if command -v script >/dev/null; then
      yes '' | head -n 20 >in.txt
      script -qec "stty cols 200; \"$bin\" step double_click -m none <in.txt" tty.txt >/dev/null ||
        fail "step on a terminal exited $?"
      grep -q $'\x1b\\[2m' tty.txt && fail "step mode dims text on a terminal"
      grep -q $'\x1b\\[31m' tty.txt || fail "the verdict should be coloured on a terminal"
      NO_COLOR=1 script -qec "\"$bin\" step double_click -m none <in.txt" tty.txt >/dev/null
      grep -q $'\x1b\\[' tty.txt && fail "NO_COLOR should turn colour off"
    fi
    ;;
  describe)
    run_expect 0 describe semaphore
    contains out.txt "semaphore: a module-level threading.Lock around read-compute-write"
    contains out.txt "2  ACQUIRE MUTEX points_lock"
    grep -qE "^semaphore +120 +120 +ok +B waited for A's mutex points_lock of process web1" out.txt ||
      { cat out.txt; fail "no one_process run"; }
    run_expect 2 describe nosuch
    contains err.txt "ccsim: nosuch: error: no built-in mitigation of that name (built in: advisory_xact_lock, client_debounce,"
    contains err.txt "scenarios' own: get_then_create (get_or_create), get_or_create (get_or_create), merge_create (get_or_create)"
    # A scenario's own program is described from the scenario that has it.
    run_expect 0 describe merge_create
    contains out.txt "merge_create: one MERGE ... WHEN NOT MATCHED THEN INSERT, inside the request's transaction"
    contains out.txt "Defined in: scenarios/get_or_create.toml (built in)"
    grep -qE "^merge_create +light +light +ok +B waited for A's row lock; B aborted with 23505" out.txt ||
      { cat out.txt; fail "no get_or_create run"; }
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
    # An empty --schedule (an unset shell variable) is an error, not round-robin.
    run_expect 2 run double_click --schedule ""
    contains err.txt "--schedule:1:1: error: the schedule is empty"
    [ ! -s out.txt ] || fail "printed output for an empty --schedule"
    # A limit in seconds is a plain finite number: NaN compares false with
    # every bound, and once ran as no limit at all.
    for v in nan inf -1 0x10 ""; do
      run_expect 2 explore double_click -m none --max-seconds "$v"
      contains err.txt "--max-seconds: expected a number of seconds from 0 to 1000000000, not '$v'"
      run_expect 2 check "$src/scenarios/double_click.toml" --max-seconds "$v"
    done
    run_expect 0 explore double_click -m none --max-seconds 2.5
    ;;
  bad-scenario)
    printf 'title = "x"\nmitigations = ["none"]\nsetup = """\nCREATE TABLE auth_user (id int PRIMARY KEY, points int)\n"""\n[[requests]]\nname = "A"\nargs = { user_id = 1 }\n' >bad.toml
    run_expect 2 run bad.toml
    contains err.txt "bad.toml:"
    contains err.txt "no request argument or step gives :delta a value"
    [ ! -s out.txt ] || fail "printed output for bad input"
    ;;
  merge-source-after-analyze)
    # A MERGE source of several rows into a table ANALYZE has read: its
    # plan then depends on the table's size (PostgreSQL hashes the smaller
    # side), so the statement fails as not modelled (0A000); before the
    # ANALYZE the same statement runs.
    cat >a.spec <<'SPEC'
setup { CREATE TABLE t (k int, v int); INSERT INTO t VALUES (1, 0), (2, 0); }
teardown { DROP TABLE t; }
session s1
step m { MERGE INTO t USING (VALUES (1), (2), (3)) s (a) ON t.k = s.a WHEN MATCHED THEN UPDATE SET v = t.v + 1; }
step an { ANALYZE t; }
step sel { SELECT * FROM t ORDER BY k; }
permutation m an m sel
SPEC
    run_expect 0 run a.spec
    [ "$(grep -c '^ERROR:' out.txt)" = 1 ] || { cat out.txt; fail "expected one error"; }
    contains out.txt "ERROR:  a MERGE source of several rows into a table whose size the planner knows (VACUUM, ANALYZE or an index built over its rows measured it) is not modelled"
    contains out.txt "1|1"
    contains out.txt "2|1"
    ;;
  spec-to-scenario-command)
    # A spec given where a scenario belongs is named as a spec, not read as
    # broken TOML.
    cp "$src/tests/specs/deadlock.spec" d.spec
    for cmd in step explore; do
      run_expect 2 $cmd d.spec
      contains err.txt "d.spec: error: "
      contains err.txt "takes a scenario (.toml)"
      [ ! -s out.txt ] || fail "ccsim $cmd printed output for a spec"
    done
    run_expect 2 load d.spec --postgres "host=/nonexistent"
    contains err.txt "this command takes a scenario (.toml); an isolation-tester spec is read by ccsim run, check and verify"
    # An injected server race moves a scenario's requests; a spec's are fixed.
    # Refused before any connection is tried.
    run_expect 2 verify d.spec --postgres "host=/nonexistent" --inject-fault first-replay-reorders
    contains err.txt "d.spec: error: --inject-fault first-replay-reorders moves a scenario's requests"
    run_expect 2 verify d.spec --postgres "host=/nonexistent" --replays 0
    contains err.txt "--replays"
    run_expect 0 run d.spec
    ;;
  check-pass)
    run_expect 0 check "$src/scenarios" --junit junit.xml
    [ "$(tail -n 1 out.txt)" = "144 passed, 0 failed" ] || { cat out.txt; fail "summary line"; }
    contains junit.xml '<testsuite name="'"$src"'/scenarios/double_click.toml" tests="45" failures="0">'
    contains junit.xml '<testsuite name="'"$src"'/scenarios/get_or_create.toml" tests="8" failures="0">'
    ;;
  check-fail)
    # Only the first expectation (none's) is changed to the wrong 120.
    sed '0,/points = 110 }/s//points = 120 }/' \
      "$src/scenarios/double_click.toml" >copy.toml
    line=$(grep -n '^mitigation = "none"' copy.toml | cut -d: -f1)
    run_expect 1 check copy.toml --junit junit.xml
    contains out.txt "FAIL copy.toml:$((line - 1)):1: none under round-robin: final auth_user row 1: points is 110, expected 120"
    contains out.txt 'replay: ccsim run copy.toml --mitigation none --schedule "A B A B A B"'
    [ "$(tail -n 1 out.txt)" = "31 passed, 1 failed" ] || fail "summary line"
    contains junit.xml '<testcase classname="copy.toml" name="none under round-robin" line="'"$((line - 1))"'">'
    contains junit.xml '<failure message="final auth_user row 1: points is 110, expected 120">'
    run_expect 1 check copy.toml --format json
    contains out.txt '"failed": 1'
    ;;
  check-no-expectations)
    sed '/^\[\[expect\]\]/,$d' "$src/scenarios/two_tabs.toml" >bare.toml
    run_expect 1 check bare.toml
    contains out.txt "FAIL bare.toml: no expectations: the scenario states no [[expect]]: nothing to check"
    [ "$(tail -n 1 out.txt)" = "0 passed, 1 failed" ] || fail "summary line"
    ;;
  check-bad-input)
    cp "$src/scenarios/two_tabs.toml" good.toml
    printf 'title = \n' >bad.toml
    run_expect 2 check good.toml bad.toml --junit junit.xml
    contains err.txt "ccsim: bad.toml:1:9: error: this is not valid TOML"
    [ ! -s out.txt ] || fail "printed output for bad input"
    [ ! -e junit.xml ] || fail "wrote a JUnit report for bad input"
    ;;
  input-too-large)
    cp "$src/scenarios/two_tabs.toml" big.toml
    run_expect 2 check big.toml --input-bytes-max 100
    contains err.txt "ccsim: big.toml: error: the file is larger than 100 bytes (--input-bytes-max); a scenario is much smaller"
    run_expect 0 check big.toml --input-bytes-max 100000
    ;;
  *) fail "unknown case $case_name" ;;
esac
echo "ok: $case_name"
