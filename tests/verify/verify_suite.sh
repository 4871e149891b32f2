#!/usr/bin/env bash
# ccsim verify against a throwaway PostgreSQL 15 (scripts/with-postgres).
# Usage: verify_suite.sh CCSIM_BINARY SOURCE_DIR CASE
set -u
# The tester's environment as the expected outputs were made: DateStyle
# ISO and UTC (a spec run reads PGDATESTYLE and PGTZ as libpq does).
unset PGDATESTYLE PGTZ
bin=$1
src=$2
case_name=$3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail() { cat "$out"; echo "FAILED: $*"; exit 1; }

case "$case_name" in
  shipped)
    # Every shipped scenario and mitigation, at all three levels; the
    # scenarios written for one schedule at their own level only.
    "$src/scripts/with-postgres" bash -c '
      status=0
      for f in "$1"/scenarios/*.toml; do
        for iso in read-committed repeatable-read serializable; do
          "$2" verify "$f" --postgres "$CCSIM_PG_CONNINFO" --isolation $iso -q || status=1
        done
      done
      for f in "$1"/tests/verify/*.toml; do
        "$2" verify "$f" --postgres "$CCSIM_PG_CONNINFO" -q || status=1
      done
      "$2" verify "$1/tests/verify/recheck.toml" --postgres "$CCSIM_PG_CONNINFO" --isolation repeatable-read -q || status=1
      exit $status' _ "$src" "$bin" >"$out" 2>&1 || fail "a scenario disagrees with PostgreSQL"
    cat "$out"
    ;;
  seeds)
    # Random interleavings too: two seeded schedules of every shipped and
    # verify scenario at every level (docs/scheduling.md, the seed sweep;
    # the third seed went to keep .ci/run near 20 minutes, docs/performance.md).
    # Savepoints are not modelled at SERIALIZABLE (ccsim refuses the run,
    # tests/bad_inputs/savepoint_serializable.spec): those files skip it.
    "$src/scripts/with-postgres" bash -c '
      status=0
      for seed in 1 2; do
        for iso in read-committed repeatable-read serializable; do
          for f in "$1"/scenarios/*.toml "$1"/tests/verify/*.toml; do
            if [ $iso = serializable ] && grep -q "^SAVEPOINT" "$f"; then continue; fi
            "$2" verify "$f" --postgres "$CCSIM_PG_CONNINFO" --seed $seed --isolation $iso -q || status=1
          done
        done
      done
      exit $status' _ "$src" "$bin" >"$out" 2>&1 || fail "a seeded schedule disagrees with PostgreSQL"
    cat "$out"
    ;;
  keywords)
    # The words ccsim quotes and refuses as bare names are exactly the ones
    # PostgreSQL reserves (sim/lang/keywords.cc against pg_get_keywords()).
    sed -n '/kPgReserved\[\] = {/,/};/p' "$src/sim/lang/keywords.cc" | grep -o '"[a-z_]*"' | tr -d '"' | sort >"$out.ours"
    "$src/scripts/with-postgres" bash -c 'psql -qAt -c "SELECT word FROM pg_get_keywords() WHERE catcode IN ('"'R','T'"') ORDER BY 1"' \
      >"$out.pg" 2>&1 || { cat "$out.pg"; rm -f "$out.ours" "$out.pg"; fail "cannot read pg_get_keywords()"; }
    diff "$out.pg" "$out.ours" >"$out" || { rm -f "$out.ours" "$out.pg"; fail "the reserved words differ (< PostgreSQL, > ccsim)"; }
    echo "ok: $(wc -l <"$out.ours") reserved words, as PostgreSQL reserves them"
    rm -f "$out.ours" "$out.pg"
    ;;
  fault)
    # A deliberately broken rule in the simulator must show as a difference.
    "$src/scripts/with-postgres" bash -c '"$1" verify "$2" --postgres "$CCSIM_PG_CONNINFO" --inject-fault no-recheck' \
      _ "$bin" "$src/tests/verify/recheck.toml" >"$out" 2>&1
    code=$?
    [ $code -eq 1 ] || fail "verify with an injected fault exited $code, expected 1"
    grep -qF "waits until #5 -> rowcount 1  waits until #5 -> rowcount 0  DIFFERENT" "$out" || fail "no step difference shown"
    grep -qF "final app_lock: ccsim (1, 2) | postgres (1, 1)   DIFFERENT" "$out" || fail "no final-row difference shown"
    grep -qF "(the same on each of 3 replays)" "$out" || fail "the difference was not replayed three times"
    echo "ok: the injected fault shows as 2 differences"
    ;;
  server-race)
    # A difference the server does not repeat: the first replay on the
    # server moves the requests in another order (an injected race of the
    # server's own); the second replay agrees, and the output says so. With
    # one replay allowed, the difference stands.
    "$src/scripts/with-postgres" bash -c '
      "$1" verify double_click -m select_for_update --postgres "$CCSIM_PG_CONNINFO" -q \
        --inject-fault first-replay-reorders || exit 1
      "$1" verify double_click -m select_for_update --postgres "$CCSIM_PG_CONNINFO" -q \
        --inject-fault first-replay-reorders --replays 1
      [ $? = 1 ] || { echo "with --replays 1 the difference did not stand"; exit 1; }' \
      _ "$bin" >"$out" 2>&1 || fail "a difference the server did not repeat was handled wrong"
    grep -qF "agreed on replay 2; the first replay differed: the server decided a race of its own" "$out" ||
      fail "no note of the later replay"
    grep -qF "1 of 1 mitigations agree with PostgreSQL (1 of them only on a later replay)" "$out" ||
      fail "the summary does not count the later replay"
    grep -qF "0 of 1 mitigations agree with PostgreSQL" "$out" || fail "--replays 1 did not report the difference"
    cat "$out"
    echo "ok: a difference the server does not repeat is replayed again"
    ;;
  random)
    # Random specs: none may differ from PostgreSQL. (scripts/test runs
    # fewer under the sanitizers, to keep CI within its time.)
    CCSIM="$bin" "$src/scripts/random-specs" --again --first 1 --count "${CCSIM_RANDOM_SPECS_COUNT:-80}" >"$out" 2>&1 ||
      fail "a random spec differs from PostgreSQL"
    cat "$out"
    ;;
  random-expressions)
    # Random expressions (tests/verify/random_expr.py): what PostgreSQL's
    # parser and planner raise before a row is read, and what they allow.
    CCSIM="$bin" "$src/scripts/random-specs" --again --expressions --first 1 \
      --count "${CCSIM_RANDOM_EXPRESSIONS_COUNT:-40}" >"$out" 2>&1 ||
      fail "a random expression spec differs from PostgreSQL"
    cat "$out"
    ;;
  random-fk-orders)
    # Foreign keys added in random orders (tests/verify/fk_orders.py): the
    # error a statement reports and the waits follow PostgreSQL's trigger
    # order. The binary before that order differed on 32 of seeds 1 to 60.
    CCSIM="$bin" "$src/scripts/random-specs" --again --fk-orders --first 1 \
      --count "${CCSIM_RANDOM_FK_COUNT:-30}" >"$out" 2>&1 ||
      fail "a foreign-key order spec differs from PostgreSQL"
    cat "$out"
    ;;
  random-fault)
    # The same search must find a rule broken on purpose: random spec 105
    # has a READ COMMITTED UPDATE that waits for a row whose new version no
    # longer matches its WHERE.
    CCSIM="$bin" "$src/scripts/random-specs" --first 105 --count 1 --ordered \
      --inject-fault no-recheck >"$out" 2>&1
    code=$?
    [ $code -eq 1 ] || fail "random-specs with an injected fault exited $code, expected 1"
    grep -q "^seed 105: differs from PostgreSQL" "$out" || fail "seed 105 was not reported as differing"
    grep -q "0 the same as PostgreSQL, 1 differ, 0 failed" "$out" || fail "wrong summary"
    echo "ok: the injected fault shows in random spec 105"
    ;;
  specs)
    # Each spec: the simulator's isolation-tester output against ccsim's
    # replay of the spec on the server. The server's deadlock checks and
    # timeouts run on its own clock: the specs keep each timer well apart
    # from any step it races with, but a machine loaded enough to stall a
    # session for longer can still move one past a step. So a spec that differs is
    # run once more, and fails only when it differs again; the first run's
    # difference is still printed. Differences are printed last, after
    # the specs that agree.
    "$src/scripts/with-postgres" bash -c '
      status=0
      : >"$3.bad"
      for f in "$1"/tests/specs/*.spec; do
        # The step wait the spec was run with (tests/spec/step_wait.sh).
        w=$(bash "$1/tests/spec/step_wait.sh" "$f")
        if PGISOLATIONTIMEOUT=$w "$2" verify "$f" --postgres "$CCSIM_PG_CONNINFO" --replays 1 -q >"$3.one" 2>&1; then
          cat "$3.one"
          continue
        fi
        { echo "== $f differed from PostgreSQL:"; cat "$3.one"; } >>"$3.bad"
        if PGISOLATIONTIMEOUT=$w "$2" verify "$f" --postgres "$CCSIM_PG_CONNINFO" --replays 1 -q >"$3.one" 2>&1; then
          echo "== ... and agreed when run again (a timer moved by the load):" >>"$3.bad"
        else
          echo "== ... and differed again:" >>"$3.bad"
          status=1
        fi
        cat "$3.one" >>"$3.bad"
      done
      # A DateStyle from PGDATESTYLE: the replay sets it on its sessions too.
      if PGDATESTYLE="Postgres, DMY" "$2" verify "$1/tests/datestyle/styles.spec" \
        --postgres "$CCSIM_PG_CONNINFO" -q >"$3.one" 2>&1; then
        cat "$3.one"
      else
        { echo "== styles.spec with PGDATESTYLE=Postgres, DMY differed:"; cat "$3.one"; } >>"$3.bad"
        status=1
      fi
      cat "$3.bad"
      rm -f "$3.one" "$3.bad"
      exit $status' _ "$src" "$bin" "$out" >"$out" 2>&1 || fail "a spec disagrees with PostgreSQL"
    cat "$out"
    ;;
  locale)
    # The throwaway cluster is UTF8 in C.UTF-8, the locale ccsim models: no
    # warning. A database in the C locale (SQL_ASCII) gets one warning, on
    # stderr, and the run goes on.
    "$src/scripts/with-postgres" bash -c '
      "$1" verify overdraft --postgres "$CCSIM_PG_CONNINFO" -q 2>"$2.err" >/dev/null || exit 1
      if [ -s "$2.err" ]; then echo "unexpected stderr on the C.UTF-8 server:"; cat "$2.err"; exit 1; fi
      psql -q "$CCSIM_PG_CONNINFO" -c "CREATE DATABASE c_locale LOCALE '\''C'\'' ENCODING '\''SQL_ASCII'\'' TEMPLATE template0" || exit 1
      "$1" verify overdraft --postgres "${CCSIM_PG_CONNINFO/dbname=postgres/dbname=c_locale}" -q 2>"$2.err" >/dev/null || exit 1
      cat "$2.err"
      [ "$(grep -c "warning: the server.s database has encoding SQL_ASCII, LC_COLLATE C and LC_CTYPE C; ccsim models UTF8 in C.UTF-8" "$2.err")" = 1 ]
      ' _ "$bin" "$out" >"$out.log" 2>&1 || { cat "$out.log"; rm -f "$out.log" "$out.err"; fail "the locale warning is wrong"; }
    rm -f "$out.log" "$out.err"
    echo "ok: a server outside C.UTF-8 is named once on stderr"
    ;;
  no-server)
    "$bin" verify double_click --postgres "host=/nonexistent-ccsim-dir port=1 dbname=x" >"$out" 2>&1
    code=$?
    [ $code -eq 2 ] || fail "verify without a server exited $code, expected 2"
    grep -qF "ccsim: error: cannot connect to PostgreSQL (admin):" "$out" || fail "no clear connection error"
    echo "ok: a missing server is a clear error, exit 2"
    ;;
  *) echo "unknown case $case_name"; exit 1 ;;
esac
