"""The classroom page in a real browser (Chromium, headless), against a
running `ccsim serve`. A lesson as a teacher gives it: pick a mitigation,
move the requests by clicking and by keys, predict, go back, branch, reload,
and read the verdict. argv[1]: the server's address."""
import sys
import urllib.parse

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import chromium

base = sys.argv[1]
d = chromium.driver()
wait = WebDriverWait(d, 10)


def query():
    return urllib.parse.parse_qs(urllib.parse.urlparse(d.current_url).query)


def schedule():
    return query().get("schedule", [""])[0]


def lane_button(name):
    return d.find_element(By.CSS_SELECTOR, 'button[data-request="%s"]' % name)


def rows():
    return d.find_elements(By.CSS_SELECTOR, "#lanes tbody tr")


def click_lane(name, expect_schedule):
    lane_button(name).click()
    wait.until(lambda _: schedule() == expect_schedule)
    wait.until(lambda _: len(rows()) == len(expect_schedule.split(",")))


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


try:
    d.get(base + "?scenario=double_click&mitigation=none")
    wait.until(lambda _: len(d.find_elements(By.CSS_SELECTOR, "button[data-request]")) == 2)
    # Nothing has moved: A and B can both move; the code panel shows both at step 1.
    if not lane_button("A").is_enabled() or not lane_button("B").is_enabled():
        fail("both requests should be able to move first")
    current = d.find_elements(By.CSS_SELECTOR, "#steps li.current")
    if len(current) != 1 or "SELECT points" not in current[0].text:
        fail("step 1 should be highlighted for both requests: %r" % [c.text for c in current])

    # Predict that A's first step reads a value, then move A: right.
    d.find_element(By.CSS_SELECTOR, 'input[name="guess"][value="reads"]').click()
    click_lane("A", "A")
    wait.until(lambda _: d.find_element(By.ID, "reveal").text != "")
    if not d.find_element(By.ID, "reveal").text.startswith("Right"):
        fail("the prediction 'reads a value' should be right: " + d.find_element(By.ID, "reveal").text)

    # Moves by key, names in either case: b, a, B, A, b.
    body = d.find_element(By.TAG_NAME, "body")
    expected = "A"
    for key, name in (("b", "B"), ("a", "A"), ("B", "B"), ("A", "A"), ("b", "B")):
        body.send_keys(key)
        expected += "," + name
        wait.until(lambda _: schedule() == expected)
    # The run is over: the lost update is marked on B's write, the verdict and
    # the replay command are shown, and no lane can move.
    wait.until(lambda _: d.find_elements(By.CSS_SELECTOR, ".verdict"))
    verdict = d.find_element(By.CSS_SELECTOR, ".verdict").text
    if "lost update" not in verdict or 'ccsim run double_click --mitigation none --schedule "A B A B A B"' not in verdict:
        fail("verdict and replay command expected, got: " + verdict)
    marks = d.find_elements(By.CSS_SELECTOR, "tr.lost .lostmark")
    if len(marks) != 1 or "B's write overwrote A's +10" not in marks[0].text:
        fail("one lost write should be marked: %r" % [m.text for m in marks])
    if lane_button("A").is_enabled() or lane_button("B").is_enabled():
        fail("no request can move after the end")
    committed = d.find_element(By.ID, "state").text
    if "110" not in committed:
        fail("the committed row should read 110: " + committed)

    # Back twice (keys), then branch: B moves where A did. The URL keeps it all.
    body.send_keys("\ue012")  # ArrowLeft
    wait.until(lambda _: query().get("at") == ["5"])
    d.find_element(By.ID, "back").click()
    wait.until(lambda _: query().get("at") == ["4"])
    if len(d.find_elements(By.CSS_SELECTOR, "#lanes tr.future")) != 2:
        fail("the two later steps should be shown as the future")
    click_lane("B", "A,B,A,B,B")
    # B's UPDATE ran before A's: B committed 110 first, A has not written yet.
    state = d.find_element(By.ID, "state").text
    if "after step 5" not in state.lower():
        fail("the state panel should follow the last step: " + state[:200])

    # A reload loses nothing: the same schedule, the same frame.
    url = d.current_url
    d.refresh()
    wait.until(lambda _: len(rows()) == 5)
    if d.current_url != url or "after step 5" not in d.find_element(By.ID, "state").text.lower():
        fail("a reload should show the same moment")

    # select_for_update: B's locking read waits for A, and the lane says so.
    d.get(base + "?scenario=double_click&mitigation=select_for_update&schedule=A,B,A,B,A,B")
    wait.until(lambda _: len(rows()) == 6)
    if lane_button("B").is_enabled():
        fail("B waits for A's row lock: its lane should be disabled")
    why = d.find_element(By.CSS_SELECTOR, "th.lane-head:nth-child(3) .why").text
    if "waiting for A" not in why:
        fail("B's lane should say it waits for A: " + why)
    locks = d.find_element(By.ID, "state").text
    if "holds FOR UPDATE on auth_user(id=1)" not in locks or "waits for FOR UPDATE" not in locks:
        fail("the locks held and awaited should be listed: " + locks)
    # The full SQL is on the page, never cut.
    if "FOR UPDATE" not in d.find_element(By.ID, "steps").text:
        fail("the SQL steps should show FOR UPDATE")

    # Play to the end: the schedule's choice finishes the run, nothing lost.
    d.find_element(By.ID, "play").click()
    wait.until(lambda _: d.find_elements(By.CSS_SELECTOR, ".verdict"))
    if "Verdict: ok" not in d.find_element(By.CSS_SELECTOR, ".verdict").text:
        fail("select_for_update should end ok")

    # A bad link says what is wrong instead of failing silently.
    d.get(base + "?scenario=double_click&mitigation=none&schedule=A,Z")
    wait.until(lambda _: d.find_element(By.ID, "error").text != "")
    if "there is no request Z" not in d.find_element(By.ID, "error").text:
        fail("a bad schedule should be named: " + d.find_element(By.ID, "error").text)
finally:
    d.quit()
print("ok: a lesson in Chromium: predict, move by click and key, lost write marked, back, branch, reload, locks, play, bad link")
