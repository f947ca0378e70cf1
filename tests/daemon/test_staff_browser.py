"""The staff view in a real browser (headless Chromium through
chromedriver, the Browser of test_browser.py), on a phone's screen
(360 x 800) set to Vietnamese: an analyst signs in with a triage token,
filters the queue, opens an incident whose description holds a <script>
payload and an <img onerror> payload, and we prove over the DevTools
protocol (Runtime.evaluate) that neither ran (window.__pwned undefined),
that no JavaScript dialog opened (WebDriver: no alert), and that the
document holds no script or image the payloads would have made; then the
analyst claims the incident and changes its status, and opens the
statistics with their SVG charts. No page scrolls sideways at 360 px.

Screenshots go to $INTAKED_ARTIFACTS (default tests/artifacts/):
triage-login-360.png, triage-queue-360.png, triage-incident-360.png,
triage-claimed-360.png, triage-stats-360.png, and at 1280 px
triage-queue-1280.png, triage-incident-1280.png, triage-stats-1280.png;
staff-failure-360.png of the page a failing run was on. Skipped when
Chromium or chromedriver is missing (`make deps-test`).
"""

import urllib.parse

from harness import Daemon, expect, expect_eq
from test_browser import Browser, WebDriverError, check_no_sideways_scroll
from triage_api import Api, distinct_reports, fill

TIMEOUT = 240

XSS = ("Trang giả mạo <script>window.__pwned=1</script> và "
       "<img src=x onerror=\"window.__pwned=2;alert(1)\"> cuối")


def path_of(url):
    return urllib.parse.urlsplit(url).path


def query_of(url):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)


def pwned(b):
    """typeof window.__pwned in the page, asked over the DevTools
    protocol (not through a script the page could see)."""
    v = b.cdp("Runtime.evaluate", expression="typeof window.__pwned",
              returnByValue=True)
    return v["result"]["value"]


def no_dialog(b, where):
    """No JavaScript dialog is open: WebDriver has no alert text."""
    try:
        text = b.s("GET", "/alert/text")
    except WebDriverError as e:
        expect("no such alert" in str(e), "%s: %s" % (where, e))
        return
    raise AssertionError("%s: a dialog is open: %r" % (where, text))


def click_and_wait(b, css, what, pred):
    """Click css, then wait for the next page (pred on its URL)."""
    b.js("window.__staffBefore = 1")
    b.find(css).click()
    return b.wait_page(what, lambda u: b.js("return window.__staffBefore")
                       is None and pred(u))


def desktop(b, on):
    """The window at a desktop's width (1280) or back to the phone's."""
    w, h, m = (1280, 900, False) if on else (360, 800, True)
    b.cdp("Emulation.setDeviceMetricsOverride", width=w, height=h,
          deviceScaleFactor=1, mobile=m)


def test_staff_view_in_a_browser():
    with Daemon() as d:
        sub = d.token("partner")
        tri = d.token("analyst", "triage")
        api = Api(d, tri)
        c = d.authed_client(sub)
        hostile = c.report_ok(category="phishing", severity="high",
                              description=XSS,
                              url="http://vcb-xacthuc.example/login")
        c.close()
        fill(d, sub, distinct_reports(4, category="scan"))
        base = "https://127.0.0.1:%d" % d.ports["http"]
        b = Browser(accept_language="vi-VN,vi")
        try:
            # sign in: the queue sends to the sign-in page first
            b.go(base + "/triage")
            url = b.wait_page("the sign-in page",
                              lambda u: path_of(u) == "/triage/login")
            check_no_sideways_scroll(b, "the sign-in page")
            b.screenshot("triage-login-360.png")
            b.find("#f-token").type(tri)
            url = click_and_wait(b, "form.login-form button[type=submit]",
                                 "the queue", lambda u: path_of(u) ==
                                 "/triage")
            cookies = {c["name"]: c for c in b.s("GET", "/cookie")}
            ck = cookies.get("intaked_staff")
            expect(ck is not None, "session cookie: %r" % cookies)
            expect_eq((ck["httpOnly"], ck["secure"], ck.get("sameSite"),
                       ck["path"]), (True, True, "Strict", "/triage"),
                      "cookie flags as the browser keeps them")
            expect_eq(b.js("return document.cookie"), "", "the cookie is "
                      "out of scripts' reach")
            n = len(b.find_all("article.incident"))
            expect_eq(n, 5, "incidents in the queue")
            # filter: phishing only
            b.find('#f-category option[value="phishing"]').click()
            url = click_and_wait(b, "form.filters button[type=submit]",
                                 "the filtered queue", lambda u:
                                 query_of(u).get("category") ==
                                 ["phishing"])
            ids = [e.text() for e in b.find_all("h2.incident-id a")]
            expect_eq(ids, [hostile.iid], "the phishing incident alone")
            check_no_sideways_scroll(b, "the queue")
            b.screenshot("triage-queue-360.png")
            # the incident with the payloads
            url = click_and_wait(b, "h2.incident-id a", "the incident",
                                 lambda u: path_of(u) ==
                                 "/triage/incidents/" + hostile.iid)
            expect_eq(pwned(b), "undefined", "window.__pwned after load")
            no_dialog(b, "the incident page")
            desc = b.find(".report .description").text()
            expect("<script>window.__pwned=1</script>" in desc and
                   "<img src=x onerror=" in desc,
                   "the payloads shown as text: %r" % desc)
            expect_eq(b.js("return document.scripts.length"), 0,
                      "<script> elements")
            expect_eq(b.js("return document.images.length"), 0,
                      "<img> elements")
            expect_eq(b.js("return document.querySelectorAll('[onerror]')"
                           ".length"), 0, "onerror attributes")
            check_no_sideways_scroll(b, "the incident page")
            b.screenshot("triage-incident-360.png")
            # claim it, then change its status with a note
            url = click_and_wait(b, "#do-claim", "the claimed incident",
                                 lambda u: query_of(u).get("done") ==
                                 ["claim"])
            expect("Bạn đã nhận xử lý" in b.find(".notice-ok").text(),
                   "claimed notice")
            b.find('#f-new-status option[value="triaged"]').click()
            b.find("#f-note").type("Đã xác minh với ngân hàng")
            url = click_and_wait(b, "#do-status", "the triaged incident",
                                 lambda u: query_of(u).get("done") ==
                                 ["status"])
            expect_eq(pwned(b), "undefined", "window.__pwned after actions")
            no_dialog(b, "after the actions")
            check_no_sideways_scroll(b, "the incident after its actions")
            b.screenshot("triage-claimed-360.png")
            inc = api.get_json("/api/v1/incidents/" + hostile.iid)
            expect_eq((inc["status"], inc["claimed_by"]),
                      ("triaged", "analyst"), "claimed and triaged")
            note = [e for e in inc["timeline"] if e["action"] == "status"]
            expect(len(note) == 1 and "Đã xác minh với ngân hàng" in
                   str(note[0]["detail"]), "the note: %r" % note)
            # statistics, with charts drawn by the daemon
            url = click_and_wait(b, '.staff-links a[href^="/triage/stats"]',
                                 "the statistics", lambda u: path_of(u) ==
                                 "/triage/stats")
            expect(len(b.find_all("svg.chart-svg rect.bar")) >= 3,
                   "chart bars")
            expect_eq(b.find("#fig-total").text(), "5", "total")
            check_no_sideways_scroll(b, "the statistics")
            b.screenshot("triage-stats-360.png")
            # the same pages on a desktop's screen
            desktop(b, True)
            b.screenshot("triage-stats-1280.png")
            b.go(base + "/triage/incidents/" + hostile.iid)
            b.wait_page("the incident at 1280 px")
            expect_eq(pwned(b), "undefined", "window.__pwned at 1280 px")
            b.screenshot("triage-incident-1280.png")
            b.go(base + "/triage?status=all")
            b.wait_page("the queue at 1280 px")
            b.screenshot("triage-queue-1280.png")
            desktop(b, False)
        except BaseException:
            try:
                b.screenshot("staff-failure-360.png")
            except Exception:	# the browser may be what failed
                pass
            raise
        finally:
            b.close()
