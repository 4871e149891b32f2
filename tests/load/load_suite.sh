#!/usr/bin/env bash
# ccsim load against a throwaway PostgreSQL 15 (scripts/with-postgres).
# Asserts the accounting's invariants, never a timing.
# Usage: load_suite.sh CCSIM_BINARY SOURCE_DIR CASE
set -u
bin=$1
src=$2
case_name=$3
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { cat "$work"/out 2>/dev/null; echo "FAILED: $*"; exit 1; }
# ccsim load ARGS... on a server of its own.
load() {
  "$src/scripts/with-postgres" bash -c '"$0" load "$@" --postgres "$CCSIM_PG_CONNINFO"' "$bin" "$@"
}

case "$case_name" in
  fixes)
    # Every fix loses nothing; for every mitigation each request is
    # accounted for once and final = 100 + 10 x (committed - lost).
    load double_click \
      -m none -m select_for_update -m f_expression -m update_first -m singleton_lock \
      -m single_worker_queue -m repeatable_read_retry -m optimistic_version -m serializable_retry \
      -m upsert_counter \
      --clients 1,8 --requests-per-client 25 --format json >"$work/out" 2>&1 ||
      fail "ccsim load exited $?"
    "$py" - "$work/out" <<'PY' || fail "an invariant does not hold"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "ccsim-load/1"
assert len(d["runs"]) == 20, len(d["runs"])
for r in d["runs"]:
    name = f'{r["mitigation"]} x {r["clients"]}'
    ended = r["committed"] + sum(r["failed"].values()) + r["gave_up"] + r["dropped"] + r["unknown"]
    assert r["requests"] == 25 * r["clients"] == ended, (name, r)
    assert r["unknown"] == 0 and r["notes"] == [], (name, r)
    points = r["final"]["auth_user"][0]["points"]
    assert points == 100 + 10 * (r["committed"] - r["lost_updates"]), (name, points, r)
    assert r["cells"][0]["expected"] == 100 + 10 * r["committed"], (name, r)
    if r["mitigation"] != "none" or r["clients"] == 1:
        assert r["lost_updates"] == 0, (name, r)
    lat = r["latency_ms"]
    assert 0 < lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"], (name, lat)
    assert r["throughput_per_s"] > 0, name
print("ok: 20 runs, every request accounted for, no fix lost an update")
PY
    ;;
  issue-example)
    # The example of the issue: 16 clients for 3 s; none loses updates.
    load double_click \
      -m none -m select_for_update -m f_expression -m update_first --clients 16 --duration 3s \
      --format json >"$work/out" 2>&1 || fail "ccsim load exited $?"
    "$py" - "$work/out" <<'PY' || fail "an invariant does not hold"
import json, sys
d = json.load(open(sys.argv[1]))
runs = {r["mitigation"]: r for r in d["runs"]}
for name, r in runs.items():
    assert r["clients"] == 16 and r["committed"] >= 16, (name, r)
    assert r["final"]["auth_user"][0]["points"] == 100 + 10 * (r["committed"] - r["lost_updates"]), (name, r)
    assert set(r["latency_ms"]) == {"p50", "p95", "p99", "max"}, r
    assert (r["lost_updates"] > 0) == (name == "none"), (name, r["lost_updates"])
print("ok:", ", ".join(f'{n} {r["committed"]} committed, {r["lost_updates"]} lost' for n, r in runs.items()))
PY
    ;;
  rows)
    # Four hot rows: each row's points = 100 + 10 x its committed - its lost.
    load double_click \
      -m none -m f_expression --clients 8 --rows 4 --requests-per-client 20 --format json \
      >"$work/out" 2>&1 || fail "ccsim load exited $?"
    "$py" - "$work/out" <<'PY' || fail "an invariant does not hold"
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["runs"]:
    rows = r["final"]["auth_user"]
    assert sorted(x["id"] for x in rows) == [1, 2, 3, 4], rows
    cells = r["cells"]
    assert sum(c["committed_delta"] for c in cells) == 10 * r["committed"], r
    assert sum(c["expected"] - c["final"] for c in cells) == 10 * r["lost_updates"], r
    if r["mitigation"] == "f_expression":
        assert r["lost_updates"] == 0, r
print("ok: 4 rows, each accounted for")
PY
    ;;
  threads)
    # Clients on one thread or split over three: every request accounted for
    # either way; a mitigation with an application mutex stays on one.
    for t in 1 3; do
      load double_click -m f_expression -m none -m semaphore --clients 8 --threads $t \
        --requests-per-client 30 --format json >"$work/out.$t" 2>&1 || fail "ccsim load --threads $t exited $?"
    done
    "$py" - "$work/out.1" "$work/out.3" <<'PY' || fail "an invariant does not hold"
import json, sys
for path, threads in ((sys.argv[1], 1), (sys.argv[2], 3)):
    for r in json.load(open(path))["runs"]:
        name = f'{r["mitigation"]} on {threads} threads'
        expect = 1 if r["mitigation"] == "semaphore" else threads
        assert r["threads"] == expect, (name, r["threads"])
        assert r["requests"] == 240 == r["committed"], (name, r)
        assert r["unknown"] == 0 and r["notes"] == [], (name, r)
        points = r["final"]["auth_user"][0]["points"]
        assert points == 100 + 10 * (r["committed"] - r["lost_updates"]), (name, points, r)
        if r["mitigation"] == "f_expression":
            assert r["lost_updates"] == 0 and points == 2500, (name, r)
        assert len(r["latency_ms"]) == 4 and r["throughput_per_s"] > 0, name
print("ok: 1 and 3 client threads, every request accounted for")
PY
    ;;
  interrupt)
    # SIGINT or SIGTERM mid-run: no schema and no connection left behind.
    for sig in INT TERM; do
      "$src/scripts/with-postgres" bash -c '
        "$1" load double_click --postgres "$CCSIM_PG_CONNINFO" -m select_for_update --clients 8 --duration 60s >"$2/load.out" 2>&1 &
        pid=$!
        bash "$3/clients_connected.sh" 10 || exit 1
        kill -'"$sig"' $pid
        sent=$(date +%s)
        wait $pid
        code=$?
        # The run was asked for 60 s: it must have stopped, not run on.
        [ $(( $(date +%s) - sent )) -lt 30 ] || { echo "ccsim load ran on after SIG'"$sig"'"; exit 1; }
        [ $code -eq 2 ] || { echo "ccsim load exited $code after SIG'"$sig"', expected 2"; cat "$2/load.out"; exit 1; }
        grep -q "interrupted" "$2/load.out" || { cat "$2/load.out"; exit 1; }
        bash "$3/nothing_left.sh"
      ' _ "$bin" "$work" "$src/tests/load" >"$work/out" 2>&1 || fail "SIG$sig left something behind"
    done
    # SIGINT as soon as the run's schema exists (the clients may still be
    # connecting): the run ends there, cleanly.
    "$src/scripts/with-postgres" bash -c '
      "$1" load double_click --postgres "$CCSIM_PG_CONNINFO" -m select_for_update --clients 30 --duration 60s >"$2/load.out" 2>&1 &
      pid=$!
      for i in $(seq 1 400); do
        [ "$(psql -qAt -c "SELECT count(*) FROM pg_namespace WHERE nspname LIKE '"'ccsim_load%'"'")" -ge 1 ] && break
        sleep 0.01
      done
      kill -INT $pid
      wait $pid
      code=$?
      [ $code -eq 2 ] || { echo "ccsim load exited $code after an early SIGINT, expected 2"; cat "$2/load.out"; exit 1; }
      bash "$3/nothing_left.sh"
    ' _ "$bin" "$work" "$src/tests/load" >"$work/out" 2>&1 || { cat "$work/out"; fail "an early SIGINT left something behind"; }
    echo "ok: after SIGINT and SIGTERM (and a SIGINT right after the schema appears), no schema and no connection left"
    ;;
  server-restart)
    # The server restarts mid-run: the run ends, its requests in flight are
    # counted unknown, no lost-update count is claimed, exit code 2.
    "$src/scripts/with-postgres" bash -c '
      "$1" load double_click --postgres "$CCSIM_PG_CONNINFO" -m select_for_update --clients 8 --duration 60s --format json >"$2/load.json" 2>"$2/load.err" &
      pid=$!
      bash "$3/clients_connected.sh" 10 || exit 1
      sleep 0.5
      as_pg=()
      [ "$(id -u)" -eq 0 ] && as_pg=(runuser -u postgres --)
      (cd "$PGHOST" && "${as_pg[@]}" /usr/lib/postgresql/15/bin/pg_ctl -D "$PGHOST/data" -m fast -w restart -l "$PGHOST/server2.log" >/dev/null 2>>"$PGHOST/pg_ctl.log")
      wait $pid
      echo "exit $?"' _ "$bin" "$work" "$src/tests/load" >"$work/out" 2>&1
    grep -q "^exit 2$" "$work/out" || fail "expected exit 2 after a server restart"
    grep -q "ccsim: error: the server failed during the run ([0-9]* requests' outcome unknown)" "$work/load.err" ||
      { cat "$work/load.err"; fail "no clear message"; }
    "$py" - "$work/load.json" <<'PY' || { cat "$work/load.json"; fail "the report does not say what is unknown"; }
import json, sys
r = json.load(open(sys.argv[1]))["runs"][0]
assert r["unknown"] >= 1, r
assert r["lost_updates"] is None and r["lost_value"] is None, r
assert r["notes"] and any("outcome is unknown" in n for n in r["notes"]), r["notes"]
ended = r["committed"] + sum(r["failed"].values()) + r["gave_up"] + r["dropped"] + r["unknown"]
assert ended == r["requests"], r
print(f'ok: {r["committed"]} committed, {r["unknown"]} unknown, no lost-update count claimed')
PY
    ;;
  connections)
    # More clients than the server takes: refused before any client connects.
    "$src/scripts/with-postgres" bash -c '
      "$1" load double_click --postgres "$CCSIM_PG_CONNINFO" -m none --clients 100 --duration 1s
      code=$?
      schemas=$(psql -qAt -c "SELECT count(*) FROM pg_namespace WHERE nspname LIKE '"'ccsim_load%'"'")
      echo "exit $code, schemas $schemas"' _ "$bin" >"$work/out" 2>&1
    grep -q "ccsim: error: --clients 100 needs 105 connections (with a margin of 5); the server has [0-9]* free under its max_connections" "$work/out" ||
      fail "no clear refusal"
    grep -q "^exit 2, schemas 0$" "$work/out" || fail "expected exit 2 and no schema left"
    echo "ok: $(head -1 "$work/out")"
    ;;
  plot)
    # The SVG plot renders in a real browser, with a line per mitigation.
    load double_click \
      -m none -m f_expression --clients 1,2,4 --requests-per-client 10 --plot "$work/load.svg" \
      >"$work/out" 2>&1 || fail "ccsim load exited $?"
    "$py" - "$work/load.svg" <<'PY' || fail "the plot does not render"
import sys
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
o = webdriver.ChromeOptions()
for a in ("--headless=new", "--no-sandbox", "--disable-gpu"):
    o.add_argument(a)
o.binary_location = "/usr/bin/chromium"
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
try:
    d.get("file://" + sys.argv[1])
    svg = d.find_element(By.TAG_NAME, "svg")
    assert svg.size["width"] > 800 and svg.size["height"] > 300, svg.size
    lines = d.find_elements(By.TAG_NAME, "polyline")
    assert len(lines) == 4, len(lines)  # 2 mitigations x 2 panels
    assert len(d.find_elements(By.TAG_NAME, "circle")) == 12
    texts = [t.text for t in d.find_elements(By.TAG_NAME, "text")]
    assert "none" in texts and "f_expression" in texts, texts
finally:
    d.quit()
print("ok: the plot renders in Chromium with a line per mitigation and panel")
PY
    ;;
  shards)
    # Three processes split the clients of one run and meet on one server;
    # ccsim merge adds their files up. Every request is accounted for, the
    # identity holds over all of them, and the last shard dropped the schema.
    "$src/scripts/with-postgres" bash -c '
      pids=()
      for i in 0 1 2; do
        "$1" load double_click --postgres "$CCSIM_PG_CONNINFO" -m none -m f_expression --clients 3,7 \
          --requests-per-client 20 --shard $i/3 --run-id suite >"$2/shard$i.json" 2>"$2/shard$i.err" &
        pids+=($!)
      done
      status=0
      for p in "${pids[@]}"; do wait "$p" || { echo "shard pid $p exited $?"; status=1; }; done
      cat "$2"/shard*.err
      [ $status -eq 0 ] || { echo "a shard failed"; exit 1; }
      psql -qAt -c "SELECT count(*) FROM pg_namespace WHERE nspname LIKE '"'ccsim_load%'"'" >"$2/schemas"
      ' _ "$bin" "$work" >"$work/out" 2>&1 || fail "the shards did not run"
    [ "$(cat "$work/schemas")" = 0 ] || fail "a schema was left behind"
    "$bin" merge "$work"/shard{0,1,2}.json --format json >"$work/out" 2>&1 || fail "merge exited $?"
    "$py" - "$work/out" "$work/shard0.json" <<'PY' || fail "an invariant does not hold"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "ccsim-load/1" and len(d["runs"]) == 4, d
for r in d["runs"]:
    name = f'{r["mitigation"]} x {r["clients"]}'
    assert r["requests"] == 20 * r["clients"] == r["committed"], (name, r)
    points = r["final"]["auth_user"][0]["points"]
    assert points == 100 + 10 * (r["committed"] - r["lost_updates"]), (name, r)
    if r["mitigation"] == "f_expression":
        assert r["lost_updates"] == 0, (name, r)
# Shard 0 of 3 ran clients 0, 3, 6: 3 of the 7.
s0 = json.load(open(sys.argv[2]))
assert s0["format"] == "ccsim-load-shard/1" and s0["runs"][1]["requests"] == 3 * 20, s0["runs"][1]
print("ok: 3 shards merged, every request accounted for")
PY
    "$bin" merge "$work"/shard{0,1}.json >"$work/out" 2>&1
    [ $? -eq 2 ] && grep -q "shard 2/3 is missing: every shard of the run is needed" "$work/out" ||
      fail "a missing shard was not refused"
    "$bin" merge "$work"/shard{0,1,1}.json >"$work/out" 2>&1
    [ $? -eq 2 ] && grep -q "shard 1/3 is also in" "$work/out" || fail "a shard twice was not refused"
    ;;
  bad-input)
    # Refused with exit code 2 and one clear line, before any connection.
    expect() {  # MESSAGE ARGS...
      local want=$1
      shift
      "$bin" load "$@" --postgres "host=/nonexistent" >"$work/out" 2>&1
      local code=$?
      [ $code -eq 2 ] || fail "ccsim load $* exited $code, expected 2"
      grep -qF -- "$want" "$work/out" || fail "ccsim load $*: expected '$want'"
    }
    expect "ccsim: --duration: error: expected a duration from 1ms to 1h like 10s, 500ms or 2m, not '0s'" double_click --duration 0s
    expect "not '5x'" double_click --duration 5x
    expect "not 'nan'" double_click --duration nan
    expect "mitigation singleton_lock_crash injects a crash; ccsim load kills no processes" double_click -m singleton_lock_crash
    expect "--clients: Value 0 not in range 1 to 1000" double_click --clients 4,0
    expect "--duration excludes --requests-per-client" double_click --duration 1s --requests-per-client 3
    expect "ccsim: --rows: error: --rows needs a request argument that is the primary key of a row the setup inserts" "$src/tests/load/no_key_argument.toml" --rows 2
    expect "cannot connect to PostgreSQL (admin)" double_click -m none --requests-per-client 1
    expect "--shard: error: expected I/N with 0 <= I < N <= 64 (shard I of N, counted from 0), like 0/4; got '3/3'" double_click --shard 3/3 --run-id x
    expect "--shard needs --run-id: the same name for every shard of the run" double_click --shard 0/2
    expect "not 'Bad-Id'" double_click --shard 0/2 --run-id Bad-Id
    expect "mitigation single_worker_queue takes an application mutex (ACQUIRE)" double_click -m single_worker_queue --shard 0/2 --run-id x
    # Lost updates are counted in a fixed amount per request: the stale delta
    # (10% of what was read) and selling the last item have none. 100 + 10 +
    # 11 = 121 points, not 120; one item sold twice leaves stock 0, not -1.
    expect "under f_expression_stale_delta run one after another, its requests leave auth_user(id = 1).points = 121, not the 120" double_click -m f_expression_stale_delta
    expect "under read_check_write run one after another, its requests leave item(id = 1).stock = 0, not the -1" last_item -m read_check_write
    expect "no mitigation of this scenario can be load-tested" last_item
    expect "under get_or_create the scenario follows no integer column" get_or_create -m get_or_create
    "$bin" load double_click --postgres "host=/nonexistent" >"$work/out" 2>&1
    grep -qF "ccsim: load leaves out f_expression_stale_delta:" "$work/out" ||
      fail "the scenario's stale-delta mitigation was not left out with a note"
    echo "ok: every bad input refused with exit code 2 and a clear line"
    ;;
  *) echo "unknown case $case_name"; exit 2 ;;
esac
