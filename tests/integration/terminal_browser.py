#!/usr/bin/python3
"""terminal_browser.py: drive the polling terminal in headless Chromium.

  terminal_browser.py vote URL CARD_CODE SHOTS MODE
      A deputy's whole path at the terminal, MODE "pointer" (clicks and
      typing) or "keyboard" (Tab, arrows, Space and Enter only): the card
      typed wrongly (checksum feedback, refusal) then rightly; the vote;
      an election (against + a write-in, then a refused over-selection),
      the projects (ten approvals, the eleventh refused), the motion; the
      review; encryption (tracking code and QR); a challenge that opens the
      ballot; a new ballot marked and cast. Prints "challenged CODE" and
      "cast CODE". Screenshots of every screen go to SHOTS.
  terminal_browser.py results FILE CAST_CODE CHALLENGED_CODE SHOTS
      results.html from the publication folder, opened as a file: its
      查验我的选票 box finds the cast ballot and the challenged one.
  terminal_browser.py screen URL SHOTS WANT
      The hall screen shows at least WANT ballots received (收回); prints
      "received N".

Exit status 77 when the browser stack is missing (ctest: skipped).
"""
import os
import sys
import time

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
    from selenium.common.exceptions import (NoSuchElementException,
                                            StaleElementReferenceException)
except ImportError:
    print("skip: python3-selenium is not installed")
    sys.exit(77)

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"


def browser():
    if not (os.path.exists(CHROMEDRIVER) and os.path.exists(CHROMIUM)):
        print("skip: chromium or chromium-driver is not installed")
        sys.exit(77)
    o = webdriver.ChromeOptions()
    o.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--window-size=1280,1024",
              "--lang=zh-CN", "--no-first-run", "--disable-extensions",
              "--allow-file-access-from-files=false"):
        o.add_argument(a)
    d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=o)
    d.set_page_load_timeout(30)
    return d


class Run:
    def __init__(self, d, shots, mode):
        self.d, self.shots, self.mode, self.n = d, shots, mode, 0

    def shot(self, name):
        self.n += 1
        path = os.path.join(self.shots, "%s-%02d-%s.png" % (self.mode, self.n, name))
        self.d.save_screenshot(path)

    def fail(self, what):
        self.shot("FAILED")
        sys.exit("FAIL (%s): %s" % (self.mode, what))

    def el(self, id_):
        return self.d.find_element(By.ID, id_)

    def text(self, id_):
        return self.el(id_).text

    def wait(self, cond, what, secs=30):
        try:
            WebDriverWait(self.d, secs, poll_frequency=0.1, ignored_exceptions=(
                NoSuchElementException, StaleElementReferenceException)).until(
                    lambda d: cond())
        except Exception:
            self.fail("timed out waiting for " + what)

    def screen(self, name):
        self.wait(lambda: self.el("s-" + name).is_displayed(), "screen " + name)

    def active_id(self):
        return self.d.switch_to.active_element.get_attribute("id") or ""

    def keys(self, *k):
        self.d.switch_to.active_element.send_keys(*k)

    def tab_to(self, id_, limit=80):
        """Keyboard: Tab forward until id_ has the focus."""
        for _ in range(limit):
            if self.active_id() == id_:
                return
            self.keys(Keys.TAB)
        self.fail("Tab never reached #" + id_)

    def press(self, id_):
        """Activate a button: a click, or Tab to it and Enter."""
        if self.mode == "keyboard":
            self.tab_to(id_)
            self.keys(Keys.ENTER)
        else:
            self.el(id_).click()

    def toggle(self, id_):
        """Tick a checkbox: a click, or Tab to it and Space."""
        if self.mode == "keyboard":
            self.tab_to(id_)
            self.keys(Keys.SPACE)
        else:
            self.el(id_).click()

    def radio(self, group, value):
        """Choose value in a radio group (for, against, abstain)."""
        order = ["for", "against", "abstain"]
        if self.mode != "keyboard":
            self.el("%s-%s" % (group, value)).click()
            return
        checked = [v for v in order if self.el("%s-%s" % (group, v)).is_selected()][0]
        self.tab_to("%s-%s" % (group, checked))
        step = order.index(value) - order.index(checked)
        for _ in range(abs(step)):
            self.keys(Keys.ARROW_RIGHT if step > 0 else Keys.ARROW_LEFT)

    def type_into(self, id_, text):
        if self.mode == "keyboard":
            self.tab_to(id_)
        else:
            self.el(id_).click()
        self.keys(text)


def vote(url, code, shots, mode):
    d = browser()
    r = Run(d, shots, mode)
    try:
        d.get(url)
        r.screen("card")
        if r.active_id() != "card-code":
            r.fail("the card field does not have the focus at the start")
        r.shot("card")
        # A wrong card: one character changed. Checksum feedback as typed.
        bad = code[:-1] + ("A" if code[-1] != "A" else "B")
        r.keys(bad[:20])
        r.wait(lambda: "16 / 56" in r.text("card-state"), "the count of characters typed")
        r.keys(bad[20:])
        r.wait(lambda: "bad" in r.el("card-state").get_attribute("class"),
               "checksum feedback on a wrong card")
        r.shot("card-wrong")
        r.keys(Keys.ENTER)
        r.wait(lambda: r.text("alert") != "", "the refusal of a wrong card")
        if "校验" not in r.text("alert"):
            r.fail("wrong card: " + r.text("alert"))
        r.shot("card-refused")
        # The field still has the focus, its text selected: type over it.
        if r.active_id() != "card-code":
            r.fail("the card field lost the focus after a refusal")
        r.keys(code.lower())      # a scanner types; case does not matter
        r.wait(lambda: "ok" == r.el("card-state").get_attribute("class"),
               "the card accepted as typed")
        r.keys(Keys.ENTER)
        r.screen("votes")
        r.shot("votes")
        r.press("vote-s6-session")

        def mark(first):
            # 1. the election: against c1 and write in 张三, then over-select.
            r.screen("contest")
            r.wait(lambda: r.text("h-contest") != "", "the first contest")
            if first:
                r.radio("r-0-c1", "against")
                r.type_into("w-0-0", "张三")
                r.wait(lambda: "1 / 1" in r.text("counter"), "election counter 1 / 1")
                r.radio("r-0-c1", "for")     # a second seat: refused
                r.wait(lambda: r.text("contest-msg") != "", "election over-selection refused")
                if not r.el("r-0-c1-against").is_selected():
                    r.fail("an over-selection changed the election's mark")
                r.shot("election")
            else:
                r.radio("r-0-c1", "for")
            r.press("next")
            # 2. the projects: approve 10, the eleventh refused.
            r.wait(lambda: r.text("contest-pos").find("2") >= 0, "the projects")
            n = 10 if first else 3
            for i in range(1, n + 1):
                r.toggle("a-1-p%02d" % i)
            r.wait(lambda: ("%d / 10" % n) in r.text("counter"), "projects counter")
            if first:
                r.shot("projects-full")
                r.toggle("a-1-p11")
                r.wait(lambda: r.text("contest-msg") != "", "the eleventh refused")
                if r.el("a-1-p11").is_selected() or "10 / 10" not in r.text("counter"):
                    r.fail("an eleventh project was taken")
                r.shot("projects-refused")
            r.press("next")
            # 3. the motion.
            r.wait(lambda: r.text("contest-pos").find("3") >= 0, "the motion")
            r.radio("r-2-budget", "for" if first else "against")
            r.shot("motion")
            r.press("next")
            r.screen("review")
            rev = r.text("review")
            if first and ("张三" not in rev or "p10" in rev and "p11" in rev):
                r.fail("review: " + rev)
            r.shot("review")
            r.press("encrypt")
            r.screen("sealed")
            r.wait(lambda: r.text("sealed-short") != "", "the tracking code")
            if not d.find_elements(By.CSS_SELECTOR, "#sealed-qr svg path"):
                r.fail("no QR code of the tracking code")
            r.shot("sealed")
            return r.text("sealed-code")

        sealed1 = mark(True)
        r.press("challenge")
        r.screen("opened")
        opened = r.text("opened-text")
        if "张三" not in opened or "反对" not in opened or r.text("opened-code") != sealed1:
            r.fail("the opened ballot: %s / %s" % (opened, r.text("opened-code")))
        r.shot("challenged")
        r.press("again")
        sealed2 = mark(False)
        if sealed2 == sealed1:
            r.fail("a new ballot has the challenged ballot's tracking code")
        r.press("cast")
        r.screen("cast")
        if r.text("cast-code") != sealed2:
            r.fail("cast code %s, sealed %s" % (r.text("cast-code"), sealed2))
        r.shot("cast")
        # The English toggle, then done: back at the start, nothing kept.
        r.press("lang")
        r.wait(lambda: r.text("h-cast") == "Cast", "English")
        r.shot("cast-english")
        r.press("lang")
        r.press("finish")
        r.screen("card")
        r.shot("start-again")
        print("challenged " + sealed1)
        print("cast " + sealed2)
    finally:
        d.quit()


def results(path, cast, challenged, shots):
    d = browser()
    r = Run(d, shots, "results")
    try:
        d.get("file://" + os.path.abspath(path))
        r.wait(lambda: r.el("check-code").is_displayed(), "the search box")
        r.el("check-code").send_keys(cast.lower()[:19], Keys.ENTER)
        r.wait(lambda: r.text("check-out") != "", "the answer for the cast ballot")
        if "已投出" not in r.text("check-out"):
            r.fail("cast ballot: " + r.text("check-out"))
        d.execute_script("document.getElementById('check').scrollIntoView()")
        r.shot("search-cast")
        r.el("check-code").clear()
        r.el("check-code").send_keys(challenged, Keys.ENTER)
        r.wait(lambda: "张三" in r.text("check-out"), "the challenged ballot's contents")
        r.shot("search-challenged")
        r.el("check-code").clear()
        r.el("check-code").send_keys("AAAA-BBBB-CCCC-DDDD", Keys.ENTER)
        r.wait(lambda: "没有" in r.text("check-out"), "an unknown code")
    finally:
        d.quit()


def screen(url, shots, want):
    d = browser()
    r = Run(d, shots, "screen")
    r.n = want

    def received():
        # The page redraws every two seconds: read it in one go.
        t = d.execute_script("var e = document.getElementById("
                             "'received-s6-session'); return e ? e.textContent : '';")
        return int(t) if t.isdigit() else -1
    try:
        d.get(url)
        r.wait(lambda: received() >= want, "the hall screen to show %d ballots" % want, 60)
        r.wait(lambda: "投票中" in d.execute_script(
            "var e = document.getElementById('state-s6-session');"
            "return e ? e.textContent : '';"), "the state 投票中")
        r.shot("received-%d" % want)
        print("received %d" % received())
    finally:
        d.quit()


def witness(url, shots, fp, seal):
    """The hall screen shows witness fp as cosigning (and the seal)."""
    d = browser()
    r = Run(d, shots, "screen")
    r.n = 0

    def attrs():
        return d.execute_script(
            "var e = document.querySelector('#vote-s6-session [data-fingerprint=\"' +"
            " arguments[0] + '\"]'); return e ? [e.getAttribute('data-cosigned'),"
            " e.getAttribute('data-seal'), e.textContent] : null;", fp)

    def seal_text():
        return d.execute_script("var e = document.getElementById('seal-s6-session');"
                                " return e ? e.textContent : '';")
    try:
        d.get(url)
        r.wait(lambda: attrs() is not None and attrs()[0] not in ("", "0"),
               "the hall screen to show witness %s cosigning" % fp, 60)
        if seal:
            r.wait(lambda: attrs()[1] == "1" and "1 / 1" in seal_text(),
                   "the hall screen to show the seal cosigned 1 / 1", 60)
        r.shot("witness-seal" if seal else "witness")
        a = attrs()
        print("cosigned %s seal %s" % (a[0], a[1]))
        print("text %s" % a[2])
        if seal:
            print("sealtext %s" % seal_text())
    finally:
        d.quit()


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) == 5 and a[0] == "vote":
        vote(a[1], a[2], a[3], a[4])
    elif len(a) == 5 and a[0] == "results":
        results(a[1], a[2], a[3], a[4])
    elif len(a) == 5 and a[0] == "witness":
        witness(a[1], a[2], a[3], a[4] == "seal")
    elif len(a) == 4 and a[0] == "screen":
        screen(a[1], a[2], int(a[3]))
    else:
        sys.exit(__doc__)
