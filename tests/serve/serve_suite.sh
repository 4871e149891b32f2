#!/usr/bin/env bash
# ccsim serve on loopback, port 0: its API, its limits, the page in Chromium,
# a classroom of 200 clients at once, and how it stops.
# Usage: serve_suite.sh CCSIM_BINARY SOURCE_DIR CASE
set -u
bin=$1
src=$2
case_name=$3
py=/usr/bin/python3
work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { cat "$work"/err 2>/dev/null; echo "FAILED: $*"; exit 1; }
# start ARGS...: runs ccsim serve --port 0 ARGS in the background; sets $url.
# The files are made fresh first: a second start in one case must not read the
# first server's line while its own redirection has not truncated them yet. It
# waits for the whole line (its newline), not for the first bytes.
start() {
  rm -f "$work/out" "$work/err"
  : >"$work/out"
  "$bin" serve --port 0 "$@" >"$work/out" 2>"$work/err" &
  pid=$!
  for _ in $(seq 100); do
    [ "$(wc -l <"$work/out")" -ge 1 ] && break
    sleep 0.05
  done
  url=$(head -n 1 "$work/out" | sed -n 's/^listening on //p')
  [ -n "$url" ] || fail "no 'listening on' line: $(cat "$work/out")"
}

case "$case_name" in
  api)
    start
    "$py" - "$url" <<'PY' || fail "the API does not answer as documented"
import json, sys, urllib.error, urllib.request
base = sys.argv[1]
def get(path, method="GET"):
    req = urllib.request.Request(base + path, method=method)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()
def ok(path):
    status, _, body = get(path)
    assert status == 200, (path, status, body)
    return json.loads(body)
def bad(path, words, status=400):
    got, _, body = get(path)
    assert got == status, (path, got, body)
    msg = json.loads(body)["error"]
    assert words in msg, (path, msg)

names = [s["name"] for s in ok("api/scenarios")["scenarios"]]
assert "double_click" in names and "on_call" in names, names
sc = ok("api/scenario?name=double_click")
assert sc["requests"][0] == {"name": "A", "client": "tab1", "process": "web1"}, sc["requests"]
sfu = [m for m in sc["mitigations"] if m["name"] == "select_for_update"][0]
assert any("FOR UPDATE" in s["text"] for s in sfu["steps"]), sfu["steps"]

# The race by hand: A and B each read 100 and write 110; B's write is the
# one that lost A's +10 (the sixth move).
r = ok("api/run?scenario=double_click&mitigation=none&schedule=A,B,A,B,A,B")
assert r["finished"] and r["result"]["verdict"].startswith("lost update: B"), r["result"]
assert r["result"]["final"]["auth_user"][0]["points"] == 110
assert [(l["position"], l["requests"]) for l in r["result"]["lost_writes"]] == [(6, ["B", "A"])]
assert r["replay"] == 'ccsim run double_click --mitigation none --schedule "A B A B A B"', r["replay"]
assert r["start"]["movable"] == ["A", "B"] and len(r["trace"]) == 6

# Half a run: not finished, no result, who may move and why not.
r = ok("api/run?scenario=double_click&mitigation=select_for_update&schedule=A+B+A+B+A+B")
assert not r["finished"] and r["result"] is None
last = r["trace"][-1]
assert last["movable"] == ["A"] and last["blocked"] == {"B": "B is waiting for A"}, last
assert {"row": "auth_user(id=1)", "request": "A", "mode": "FOR UPDATE", "granted": True} in last["after"]["locks"]
assert r["suggested"] == "A"
# A's transaction sees its own row; the view is in the frame.
assert "A" in last["views"], last["views"]
# Playing on by round-robin ends it: B reads 110 after A commits -> 120.
r = ok("api/run?scenario=double_click&mitigation=select_for_update&schedule=A,B&play=1")
assert r["finished"] and r["result"]["verdict"] == "ok"
assert r["result"]["final"]["auth_user"][0]["points"] == 120
# The level from the address. `none` runs autocommit statements: at
# REPEATABLE READ each is its own transaction with a fresh snapshot, so B's
# UPDATE meets no concurrent change and the update is still lost.
r = ok("api/run?scenario=double_click&mitigation=none&isolation=repeatable-read&play=1")
assert r["isolation"] == "repeatable-read" and "--isolation repeatable-read" in r["replay"], r["replay"]
assert r["result"]["isolation"] == "REPEATABLE READ" and r["result"]["verdict"].startswith("lost update"), r["result"]
# Same question, same bytes.
assert get("api/run?scenario=on_call&play=1")[2] == get("api/run?scenario=on_call&play=1")[2]

bad("api/run?scenario=../../etc/passwd", "no scenario ../../etc/passwd is served")
bad("api/run", "missing scenario")
bad("api/run?scenario=double_click&mitigation=nope", "runs no mitigation nope (it runs: none,")
bad("api/run?scenario=double_click&isolation=snapshot", "no isolation level snapshot")
bad("api/run?scenario=double_click&colour=red", "unknown parameter colour")
bad("api/run?scenario=double_click&schedule=A,Z", "move 2 of the schedule: there is no request Z")
bad("api/run?scenario=double_click&mitigation=select_for_update&schedule=A,B,A,B,A,B,B",
    "move 7 of the schedule: B is waiting for A: it cannot move")
bad("api/run?scenario=double_click&mitigation=none&schedule=A,A,A,A,A", "A has finished")
bad("api/run?scenario=double_click&schedule=" + ",".join(["A"] * 1001), "at most 1000 are served")
bad("api/run?scenario=double_click&play=yes", "play is 0 or 1")
bad("api/run?scenario=%zz", "malformed %-escape")
bad("api/scenario", "missing name")
bad("api/nothing", "no such address: /api/nothing", 404)
status, headers, body = get("api/scenarios", "POST")
assert status == 405 and headers["Allow"] == "GET, HEAD", (status, body)
status, headers, body = get("", "HEAD")
assert status == 200 and body == "" and headers["Content-Type"].startswith("text/html"), status
status, headers, body = get("?scenario=double_click&mitigation=none&schedule=A")
assert status == 200 and "<title>ccsim classroom</title>" in body and "https://" not in body
# An address longer than the header limit: 400, and the server stays up.
status, _, body = get("api/run?scenario=" + "x" * 20000)
assert status == 400, status
assert ok("api/scenarios")["format"] == "ccsim-serve-scenarios/1"
print("ok: the API's answers, its errors and its limits")
PY
    ;;
  browser)
    start
    "$py" "$src/tests/serve/browser_test.py" "$url" || fail "the lesson in Chromium failed"
    ;;
  saved-page)
    # ccsim run --format html: one file, nothing fetched from anywhere.
    "$bin" run double_click -m none -m select_for_update --format html >"$work/page.html" 2>"$work/err" ||
      fail "run --format html exited $?"
    grep -q -E '(src|href)="(https?:)?//' "$work/page.html" && fail "the page loads something from the network"
    grep -q 'window.CCSIM_EMBEDDED' "$work/page.html" || fail "no embedded frames"
    "$py" "$src/tests/serve/saved_page_test.py" "$work/page.html" || fail "the saved page failed in Chromium"
    ;;
  classroom)
    # 200 students at once, each loading the page and stepping through a run
    # move by move on a connection of its own: every answer arrives, is 200,
    # and equals what a single client gets.
    start
    "$py" - "$url" <<'PY' || fail "the classroom load failed"
import concurrent.futures, http.client, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
schedule = ["A", "B", "A", "B", "A", "B", "A", "A", "A", "B", "B", "B"]
def student(i):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    bodies = []
    c.request("GET", "/")
    r = c.getresponse(); assert r.status == 200, r.status; r.read()
    for k in range(1, len(schedule) + 1):
        c.request("GET", "/api/run?scenario=double_click&mitigation=select_for_update&schedule=" + ",".join(schedule[:k]))
        r = c.getresponse()
        assert r.status == 200, (i, k, r.status)
        bodies.append(r.read())
    c.close()
    return bodies
with concurrent.futures.ThreadPoolExecutor(max_workers=200) as pool:
    results = list(pool.map(student, range(200)))
assert len(results) == 200
assert all(r == results[0] for r in results), "answers differ between students"
assert b'"verdict": "ok"' in results[0][-1]
print("ok: 200 concurrent clients x 13 requests, all answered, all identical")
PY
    kill -0 "$pid" || fail "the server did not survive the classroom"
    ;;
  stop)
    # SIGTERM and SIGINT stop it at once with status 0.
    for sig in TERM INT; do
      start
      kill -s "$sig" "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
      kill -0 "$pid" 2>/dev/null && fail "still running after SIG$sig"
      wait "$pid"
      status=$?
      pid=""
      [ "$status" -eq 0 ] || fail "SIG$sig: exit status $status"
    done
    echo "ok: SIGTERM and SIGINT stop the server with status 0"
    ;;
  bad-input)
    start
    port=$(echo "$url" | sed -E 's#.*:([0-9]+)/$#\1#')
    "$bin" serve --port "$port" >"$work/out2" 2>&1
    [ $? -eq 2 ] || fail "a port in use should exit 2"
    grep -q "cannot listen on 127.0.0.1 port $port" "$work/out2" || fail "$(cat "$work/out2")"
    "$bin" serve --bind 300.1.1.1 --port 0 >"$work/out2" 2>&1
    [ $? -eq 2 ] || fail "a bad address should exit 2"
    grep -q "not an IP address: 300.1.1.1" "$work/out2" || fail "$(cat "$work/out2")"
    "$bin" serve --port 70000 >"$work/out2" 2>&1
    [ $? -eq 2 ] || fail "--port 70000 should exit 2"
    "$bin" serve "$work/missing.toml" --port 0 >"$work/out2" 2>&1
    [ $? -eq 2 ] || fail "a missing scenario file should exit 2"
    grep -q "missing.toml" "$work/out2" || fail "$(cat "$work/out2")"
    "$bin" serve --help >"$work/out2" 2>&1 || fail "--help failed"
    grep -q -- "--port" "$work/out2" || fail "--help does not mention --port"
    echo "ok: busy port, bad address, bad port, missing file: exit 2 with the reason"
    ;;
  file)
    # A scenario file given on the command line is served first, by its path.
    cp "$src/scenarios/two_tabs.toml" "$work/mine.toml"
    start "$work/mine.toml"
    "$py" - "$url" "$work/mine.toml" <<'PY' || fail "the file is not served first"
import json, sys, urllib.parse, urllib.request
names = [s["name"] for s in json.load(urllib.request.urlopen(sys.argv[1] + "api/scenarios"))["scenarios"]]
assert names[0] == sys.argv[2], names
r = json.load(urllib.request.urlopen(sys.argv[1] + "api/run?play=1&scenario=" + urllib.parse.quote(sys.argv[2])))
assert r["finished"], r
print("ok: the file is served first, by its path")
PY
    ;;
  refusal)
    # What is refused (an InputError thrown while answering) is the asker's
    # 400, never the server's end: a level that does not exist. Savepoints
    # at SERIALIZABLE, once refused that way, now run.
    start "$src/tests/verify/nested_atomic.toml"
    "$py" - "$url" "$src/tests/verify/nested_atomic.toml" <<'PY' || fail "the refusal was not a 400"
import json, sys, urllib.error, urllib.parse, urllib.request
base, key = sys.argv[1], urllib.parse.quote(sys.argv[2], safe="")
try:
    urllib.request.urlopen(base + "api/run?play=1&isolation=snapshot&scenario=" + key)
    raise SystemExit("expected a 400")
except urllib.error.HTTPError as e:
    assert e.code == 400, e.code
    msg = json.loads(e.read())["error"]
    assert "no isolation level snapshot" in msg, msg
# READ COMMITTED: B waits for A's lock, then reads 110 -> 120. SERIALIZABLE:
# B's snapshot predates A's commit, so its FOR UPDATE fails (40001) -> 110.
for level, points in (("", 120), ("&isolation=serializable", 110)):
    r = json.load(urllib.request.urlopen(base + "api/run?play=1" + level + "&scenario=" + key))
    assert r["result"]["final"]["auth_user"][0]["points"] == points, r["result"]
print("ok: a refusal is a 400 and the server answers on")
PY
    kill -0 "$pid" || fail "the server stopped"
    ;;
  *)
    fail "unknown case $case_name"
    ;;
esac
