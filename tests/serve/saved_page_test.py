"""`ccsim run --format html` in Chromium from a file, offline: the summary
links every mitigation, keys step forward and back through the precomputed
frames, the lost write is marked, projector mode enlarges the type, and a
move the file does not hold says to run ccsim serve. argv[1]: the file."""
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import chromium

d = chromium.driver()
wait = WebDriverWait(d, 10)


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def at():
    return d.execute_script("return page.at")


try:
    d.get("file://" + sys.argv[1])
    wait.until(lambda _: d.find_elements(By.CSS_SELECTOR, "#overview a"))
    links = [a.text for a in d.find_elements(By.CSS_SELECTOR, "#overview a")]
    if links != ["none", "select_for_update"]:
        fail("the summary should link the two mitigations of the file: %r" % links)
    verdicts = [t.text for t in d.find_elements(By.CSS_SELECTOR, "#overview td:last-child")]
    if not verdicts[0].startswith("lost update") or verdicts[1] != "ok":
        fail("summary verdicts: %r" % verdicts)
    if at() != 0:
        fail("a saved page starts before the first step")
    body = d.find_element(By.TAG_NAME, "body")
    for _ in range(6):
        body.send_keys("\ue014")  # ArrowRight
    wait.until(lambda _: at() == 6)
    marks = d.find_elements(By.CSS_SELECTOR, "tr.lost .lostmark")
    if len(marks) != 1:
        fail("the lost write should be marked once")
    if "Verdict: lost update" not in d.find_element(By.ID, "result").text:
        fail("the verdict should show at the end")
    body.send_keys("\ue012")  # ArrowLeft
    body.send_keys("\ue012")
    wait.until(lambda _: at() == 4)
    # The file holds one run per mitigation: A moves next in it, so moving B
    # here is refused, kindly.
    d.find_element(By.CSS_SELECTOR, 'button[data-request="B"]').click()
    wait.until(lambda _: d.find_element(By.ID, "error").text != "")
    if "ccsim serve" not in d.find_element(By.ID, "error").text:
        fail("a move the file does not hold should point to ccsim serve")
    # The summary's link opens the other mitigation at its start.
    d.find_element(By.CSS_SELECTOR, '#overview a[data-mitigation="select_for_update"]').click()
    wait.until(lambda _: d.execute_script("return page.mitigation") == "select_for_update" and at() == 0)
    if len(d.find_elements(By.CSS_SELECTOR, "#lanes tbody tr.future")) != 12:
        fail("select_for_update's 12 steps should wait ahead")
    # Projector mode: bigger type.
    small = d.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)")
    d.find_element(By.ID, "big").click()
    big = d.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)")
    if not big >= 1.3 * small:
        fail("projector mode should enlarge the type: %s -> %s" % (small, big))
    # The full SQL is there, wrapped, never cut.
    if "FOR UPDATE" not in d.find_element(By.ID, "steps").text:
        fail("the SQL steps should show FOR UPDATE")
    errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
    if errors:
        fail("console errors: %r" % errors)
finally:
    d.quit()
print("ok: the saved page works offline: summary links, keys, lost write, refusal, projector mode")
