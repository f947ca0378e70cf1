"""The public web pages in a real browser: Debian's headless Chromium driven
through chromedriver's W3C WebDriver HTTP API (standard library only), on a
phone's screen (360 x 800, emulated through the DevTools protocol: headless
windows are never narrower than 500 px) set to Vietnamese.

A citizen opens the contact page, follows its link to the report form,
fills it in (Vietnamese with diacritics, typed decomposed as some keyboards
do; or English with ?lang=en), attaches a small binary file and sends it;
the receipt page shows the report ID, and intakectl shows the report stored
with channel "web", its description in NFC, the indicators extracted from
the free text, and the attachment's name, size and SHA-256 in the evidence
metadata (its bytes in the evidence). The English run first sends the form
without a description: the browser refuses (required), a browser without
form validation gets the form back (400) with the message beside that field
and every other value kept; then it goes through.

No page may scroll sideways at 360 px. Full-page screenshots go to
$INTAKED_ARTIFACTS (default tests/artifacts/, git-ignored): home-360.png,
form-360.png, receipt-360.png, home-en-360.png, form-en-error-360.png,
form-en-360.png, receipt-en-360.png; for the path from the receipt mail
(a relay on loopback receives it) receipt-link-sent-360.png,
verify-360.png, verified-360.png and status-verified-360.png; and
vi-/en-/verify-failure-360.png of the page a failing test was on. Skipped when /usr/bin/chromium or chromedriver is
missing (`make deps` installs both).
"""

import base64
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request

from harness import Daemon, Skip, expect, expect_eq, scale, wait_until

CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 360, 800
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"	# W3C web element key
REPORT_ID_RE = re.compile(r"^IR-\d{8}-\d+$")


def artifacts_dir():
    d = os.environ.get("INTAKED_ARTIFACTS") or os.path.join("tests",
                                                            "artifacts")
    os.makedirs(d, exist_ok=True)
    return d


def _free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


class WebDriverError(AssertionError):
    pass


class Browser:
    """chromedriver on a free loopback port and one headless Chromium
    session. Always close() it (it kills what it started)."""

    def __init__(self, accept_language="vi-VN,vi"):
        self.accept_language = accept_language
        self.driver_path = shutil.which("chromedriver")
        if not os.access(CHROMIUM, os.X_OK):
            raise Skip("%s is missing (Debian package chromium; `make deps` "
                       "installs it)" % CHROMIUM)
        if self.driver_path is None:
            raise Skip("chromedriver is missing (Debian package "
                       "chromium-driver; `make deps` installs it)")
        self.tmp = tempfile.mkdtemp(prefix="intaked-browser-")
        self.log_path = os.path.join(self.tmp, "chromedriver.log")
        self.port = _free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        # never through a proxy, whatever the environment says
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}))
        self.sid = None
        self.proc = None
        self._log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(
                [self.driver_path, "--port=%d" % self.port,
                 "--log-path=" + self.log_path],
                stdin=subprocess.DEVNULL, stdout=self._log,
                stderr=subprocess.STDOUT, start_new_session=True)
            wait_until(self._ready, scale(15), interval=0.1,
                       what="chromedriver /status ready")
            self._start_session()
        except BaseException:
            self.close()
            raise

    # -- transport ---------------------------------------------------------

    def _http(self, method, path, body=None, timeout=30):
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(
            self.base + path, data=data, method=method,
            headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with self.opener.open(req, timeout=scale(timeout)) as r:
                raw = r.read()
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                v = json.loads(raw.decode("utf-8")).get("value", {})
                msg = "%s: %s" % (v.get("error"), v.get("message", "")
                                  .splitlines()[0] if v.get("message")
                                  else "")
            except (ValueError, AttributeError):
                msg = raw[:300]
            raise WebDriverError("WebDriver %s %s: HTTP %d %s"
                                 % (method, path, e.code, msg))
        return json.loads(raw.decode("utf-8")).get("value")

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError("chromedriver exited with %s: %s"
                                 % (self.proc.returncode, self.log_tail()))
        try:
            v = self._http("GET", "/status", timeout=2)
        except (OSError, WebDriverError, ValueError):
            return False
        return isinstance(v, dict) and v.get("ready")

    def _start_session(self):
        profile = os.path.join(self.tmp, "profile")
        os.makedirs(profile)
        caps = {
            "browserName": "chrome",
            "acceptInsecureCerts": True,	# the daemon's self-signed cert
            "pageLoadStrategy": "normal",
            "timeouts": {"implicit": 0, "pageLoad": int(scale(20) * 1000),
                         "script": int(scale(10) * 1000)},
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-quic", "--no-first-run",
                         "--disable-background-networking",
                         "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", "--no-proxy-server",
                         "--ignore-certificate-errors",
                         "--window-size=%d,%d" % (WIDTH, HEIGHT),
                         "--user-data-dir=" + profile],
                # a phone set to Vietnamese: Accept-Language vi-VN, vi
                "prefs": {"intl.accept_languages": self.accept_language},
            },
        }
        v = self._http("POST", "/session",
                       {"capabilities": {"alwaysMatch": caps}}, timeout=60)
        self.sid = v["sessionId"]
        # Headless Chromium keeps windows at least 500 px wide: emulate the
        # phone's screen instead (a mobile viewport honours the pages'
        # <meta name=viewport>). It holds for every page of the session.
        self.cdp("Emulation.setDeviceMetricsOverride",
                 width=WIDTH, height=HEIGHT, deviceScaleFactor=1, mobile=True)

    def cdp(self, cmd, **params):
        """A Chrome DevTools Protocol command through chromedriver."""
        return self.s("POST", "/goog/cdp/execute", {"cmd": cmd,
                                                    "params": params})

    def s(self, method, path, body=None, timeout=30):
        """A command on the session: path below /session/{id}."""
        return self._http(method, "/session/%s%s" % (self.sid, path), body,
                          timeout)

    def log_tail(self, n=20):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join(lines[-n:])
        except OSError:
            return ""

    def close(self):
        if self.sid is not None and self.proc is not None \
                and self.proc.poll() is None:
            try:
                self._http("DELETE", "/session/" + self.sid, timeout=15)
            except (OSError, WebDriverError, ValueError):
                pass
            self.sid = None
        if self.proc is not None:
            for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
                if self.proc.poll() is not None:
                    break
                try:
                    self.proc.send_signal(sig)
                    self.proc.wait(wait)
                except subprocess.TimeoutExpired:
                    pass
            # a browser it left behind is in its process group
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
        self._log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- commands ----------------------------------------------------------

    def go(self, url):
        self.s("POST", "/url", {"url": url})

    def url(self):
        return self.s("GET", "/url")

    def js(self, script, *args):
        conv = [{ELEMENT: a.eid} if isinstance(a, Element) else a
                for a in args]
        return self.s("POST", "/execute/sync", {"script": script,
                                                "args": conv})

    def find(self, css):
        try:
            v = self.s("POST", "/element", {"using": "css selector",
                                            "value": css})
        except WebDriverError as e:
            raise AssertionError("no element %r on %s (%s)"
                                 % (css, self.url(), e))
        return Element(self, v[ELEMENT], css)

    def find_all(self, css):
        return [Element(self, v[ELEMENT], css) for v in
                self.s("POST", "/elements", {"using": "css selector",
                                             "value": css})]

    def screenshot(self, name, full=True):
        """Save a PNG of the page (the whole page when the browser can) as
        name in the artifacts directory; returns its path."""
        data = None
        if full:
            h = self.js("return Math.max(document.documentElement."
                        "scrollHeight, document.body ? document.body."
                        "scrollHeight : 0, window.innerHeight)")
            w = self.js("return window.innerWidth")
            try:
                v = self.cdp("Page.captureScreenshot", format="png",
                             captureBeyondViewport=True,
                             clip={"x": 0, "y": 0, "width": w,
                                   "height": min(h, 16000), "scale": 1})
                data = v.get("data") if isinstance(v, dict) else None
            except WebDriverError:
                data = None
        if data is None:
            data = self.s("GET", "/screenshot")
        path = os.path.join(artifacts_dir(), name)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path

    def wait_page(self, what, pred=None, timeout=15):
        """Wait until the document is complete and pred(url) holds."""
        def ok():
            try:
                if self.js("return document.readyState") != "complete":
                    return False
                return pred is None or pred(self.url())
            except WebDriverError:
                return False
        wait_until(ok, scale(timeout), interval=0.1, what=what)
        return self.url()

    def status_code(self):
        """The HTTP status of the current document (Navigation Timing)."""
        return self.js("var n = performance.getEntriesByType('navigation');"
                       "return n.length ? n[0].responseStatus : null")


class Element:
    def __init__(self, browser, eid, css):
        self.b, self.eid, self.css = browser, eid, css

    def _p(self, what):
        return "/element/%s%s" % (self.eid, what)

    def click(self):
        self.b.s("POST", self._p("/click"), {})

    def clear(self):
        self.b.s("POST", self._p("/clear"), {})

    def type(self, text):
        self.b.s("POST", self._p("/value"), {"text": text})

    def prop(self, name):
        return self.b.s("GET", self._p("/property/" + name))

    def attr(self, name):
        return self.b.s("GET", self._p("/attribute/" + name))

    def text(self):
        return self.b.s("GET", self._p("/text"))


# ---------------------------------------------------------------------------
# the flow

DESCRIPTION_VI = "Có người giả mạo trang đăng nhập ngân hàng, gửi qua tin nhắn SMS"
INDICATORS = "hxxps://vietcombank-xacthuc[.]example/login 203.0.113.77"
WANT_INDICATORS = {("url", "https://vietcombank-xacthuc.example/login"),
                   ("ipv4", "203.0.113.77")}


def attachment_file(directory, name):
    """A small binary file (every byte value, NULs and CR/LF included);
    returns (absolute path, its bytes)."""
    data = (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 3
            + b"\r\n--not-a-boundary--\r\n\x00\xff")
    path = os.path.abspath(os.path.join(directory, name))
    with open(path, "wb") as f:
        f.write(data)
    return path, data


def check_no_sideways_scroll(b, where):
    """The page is laid out at the phone's width and does not scroll
    sideways (a mobile viewport that had to zoom out to fit the page is
    wider than the phone); on failure, name the elements that stick out."""
    r = b.js("""
        var w = arguments[0], out = [];
        var all = document.body ? document.body.getElementsByTagName('*') : [];
        for (var i = 0; i < all.length && out.length < 8; i++) {
            var e = all[i], rc = e.getBoundingClientRect();
            if (rc.width > 0 && rc.right > w + 0.5)
                out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                    (typeof e.className === 'string' && e.className.trim() ?
                     '.' + e.className.trim().split(/\\s+/).join('.') : '') +
                    ' right=' + Math.round(rc.right));
        }
        return {scroll: document.documentElement.scrollWidth,
                inner: window.innerWidth, offenders: out};""", WIDTH)
    expect(r["inner"] == WIDTH and r["scroll"] <= r["inner"],
           "%s does not fit %d px: window.innerWidth %d, document scrollWidth"
           " %d; elements beyond %d px: %s"
           % (where, WIDTH, r["inner"], r["scroll"], WIDTH,
              ", ".join(r["offenders"]) or "none found"))


def check_page(b, where, lang, status=200):
    expect_eq(b.status_code(), status, "%s: HTTP status" % where)
    expect_eq(b.js("return document.documentElement.lang"), lang,
              "%s: <html lang>" % where)
    check_no_sideways_scroll(b, where)


def query_of(url):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)


def path_of(url):
    return urllib.parse.urlsplit(url).path


def open_form_from_home(b, base, home, lang, shot):
    """Open the contact page, check it, follow its link to the form."""
    b.go(base + home)
    b.wait_page("the contact page")
    check_page(b, "the contact page", lang)
    b.screenshot(shot)
    link = b.find('a[href*="/report"]')
    href = link.attr("href")
    expect_eq(query_of(href).get("lang"), [lang],
              "lang of the contact page's link to the form %r" % href)
    link.click()
    url = b.wait_page("the report form",
                      lambda u: path_of(u) == "/report")
    check_page(b, "the report form", lang)
    expect_eq(query_of(url).get("lang"), [lang], "lang in the form's URL")
    for css in ('form input[type=hidden][name=csrf]',
                'form input[name=website]',
                'form input[type=file][name=attachment][multiple]'):
        b.find(css)
    expect_eq(b.js("return document.scripts.length"), 0,
              "<script> elements on the form")


def fill(b, name, text):
    el = b.find('form [name="%s"]' % name)
    el.clear()
    el.type(text)
    got = el.prop("value")
    expect_eq(got, text, "%s as typed into the browser" % name)
    return el


def choose_category(b, code):
    b.find('form select[name=category] option[value="%s"]' % code).click()
    expect_eq(b.find("form select[name=category]").prop("value"), code,
              "the category selected")


def choose_severity(b, code):
    """Tick a severity radio the way people do: by its label."""
    radio = b.find('form input[type=radio][name=severity][value="%s"]' % code)
    b.find('label[for="%s"]' % radio.attr("id")).click()
    expect(radio.prop("checked"), "severity %s not ticked by its label" % code)


def attach(b, *paths):
    el = b.find("form input[type=file][name=attachment]")
    el.type("\n".join(paths))
    expect_eq(b.js("return arguments[0].files.length", el), len(paths),
              "files chosen in the attachment input")


def submit(b):
    """Click the form's submit button; returns the URL of the answer."""
    b.js("window.__intakedBefore = 1")
    b.find('form.report-form button[type=submit]').click()
    return b.wait_page("the answer to the form",
                       lambda u: b.js("return window.__intakedBefore") is None)


def read_receipt(b, lang):
    """On the receipt page: the report ID, checked against the URL."""
    url = b.url()
    expect(path_of(url).startswith("/status/"),
           "after sending the form: %s, not a receipt page" % url)
    check_page(b, "the receipt page", lang)
    rid = b.find(".report-id").text().strip()
    expect(REPORT_ID_RE.match(rid), "receipt's report ID %r is not IR-"
           "YYYYMMDD-N" % rid)
    expect_eq(path_of(url), "/status/" + rid, "receipt URL path")
    q = query_of(url)
    expect(len(q.get("t", [""])[0]) >= 16, "receipt URL without a token: %s"
           % url)
    expect_eq(q.get("lang"), [lang], "lang in the receipt URL")
    return rid


def indicator_set(rep):
    inds = rep.get("indicators")
    expect(isinstance(inds, list), "indicators is not a list: %r" % (inds,))
    return {(i.get("type"), i.get("value")) for i in inds}


def check_stored(d, rid, description, attachments, **fields):
    """intakectl show: channel web, the description in NFC, the two
    indicators, the attachments (name, size, SHA-256) in the evidence
    metadata, and their bytes in the evidence itself."""
    rep = d.show(rid)
    expect_eq(rep.get("id"), rid, "show id")
    expect_eq(rep.get("channel"), "web", "channel")
    expect_eq(rep.get("description"),
              unicodedata.normalize("NFC", description), "description")
    got = indicator_set(rep)
    expect(WANT_INDICATORS <= got, "indicators missing: %r (stored: %r)"
           % (sorted(WANT_INDICATORS - got), sorted(got)))
    for k, v in fields.items():
        if k.startswith("reporter_"):
            expect_eq((rep.get("reporter") or {}).get(k[9:]), v,
                      "reporter." + k[9:])
        else:
            expect_eq(rep.get(k), v, k)
    ev = rep.get("evidence")
    expect(isinstance(ev, dict), "show --json: no evidence object: %r"
           % (ev,))
    meta = ev.get("meta")
    expect(isinstance(meta, dict), "evidence.meta is not an object: %r"
           % (meta,))
    atts = meta.get("attachments")
    expect(isinstance(atts, list), "evidence.meta.attachments is not a list:"
           " %r" % (meta,))
    expect_eq(len(atts), len(attachments), "attachments listed (%r)"
              % (atts,))
    for a, (name, data) in zip(atts, attachments):
        expect_eq(a.get("name"), name, "attachment name")
        expect_eq(a.get("size"), len(data), "attachment %s size" % name)
        expect_eq(a.get("sha256"), hashlib.sha256(data).hexdigest(),
                  "attachment %s SHA-256" % name)
    r = subprocess.run([d.intakectl_path, "-c", d.conf_path, "evidence", rid],
                       capture_output=True, timeout=scale(30))
    expect(r.returncode == 0, "intakectl evidence %s: exit %d: %r"
           % (rid, r.returncode, r.stderr[-500:]))
    for name, data in attachments:
        expect(data in r.stdout, "the evidence of %s lacks the bytes of %s"
               % (rid, name))
    return rep


def _failure_shot(b, name):
    try:
        b.screenshot(name + "-failure-360.png")
    except Exception:	# the browser may be what failed
        pass


def test_report_form_vietnamese():
    """Contact page, form and receipt in Vietnamese (the phone's language),
    a description typed with a decomposed-diacritics keyboard (NFD; stored
    NFC), a file named in Vietnamese."""
    tmp = tempfile.mkdtemp(prefix="intaked-browser-files-")
    fname = "ảnh-chụp-tin-nhắn.bin"
    path, data = attachment_file(tmp, fname)
    try:
        with Daemon() as d:
            base = "https://127.0.0.1:%d" % d.ports["http"]
            b = Browser(accept_language="vi-VN,vi")
            try:
                open_form_from_home(b, base, "/", "vi", "home-360.png")
                fill(b, "description",
                     unicodedata.normalize("NFD", DESCRIPTION_VI))
                fill(b, "reporter-email", "nguyen.an@example.vn")
                fill(b, "reporter-phone", "0912 345 678")
                choose_category(b, "phishing")
                choose_severity(b, "high")
                fill(b, "indicators", INDICATORS)
                attach(b, path)
                check_no_sideways_scroll(b, "the filled-in form")
                b.screenshot("form-360.png")
                submit(b)
                rid = read_receipt(b, "vi")
                b.screenshot("receipt-360.png")
            except BaseException:
                _failure_shot(b, "vi")
                raise
            finally:
                b.close()
            check_stored(d, rid, DESCRIPTION_VI, [(fname, data)],
                         category="phishing", severity="high",
                         reporter_email="nguyen.an@example.vn",
                         reporter_phone="0912 345 678")
            expect_eq(d.report_count(), 1, "reports stored")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _description_error(b):
    """The error message in the description's field, its id, and whether
    the textarea points at it; None when there is none."""
    return b.js("""
        var t = document.querySelector('form textarea[name=description]');
        var f = t && t.closest('.field');
        var m = f && f.querySelector('.error-message');
        if (!m) return null;
        return {text: m.textContent.trim(), id: m.id,
                describedby: t.getAttribute('aria-describedby') || '',
                invalid: t.getAttribute('aria-invalid'),
                others: document.querySelectorAll('.error-message').length};""")


def test_report_form_english_with_error():
    """?lang=en beats the phone's Vietnamese; the form sent without a
    description comes back (400) with the message beside that field and
    every other value kept; then it goes through."""
    tmp = tempfile.mkdtemp(prefix="intaked-browser-files-")
    fname = "screenshot.bin"
    path, data = attachment_file(tmp, fname)
    description = "Someone sent a text message with a fake bank login page"
    try:
        with Daemon() as d:
            base = "https://127.0.0.1:%d" % d.ports["http"]
            b = Browser(accept_language="vi-VN,vi")
            try:
                open_form_from_home(b, base, "/?lang=en", "en",
                                    "home-en-360.png")
                fill(b, "reporter-email", "an@example.org")
                fill(b, "reporter-phone", "+84 912 345 678")
                choose_category(b, "phishing")
                fill(b, "indicators", INDICATORS)
                attach(b, path)

                # the browser itself refuses an empty required description
                ta = b.find("form textarea[name=description]")
                b.js("window.__intakedBefore = 1")
                b.find("form.report-form button[type=submit]").click()
                time.sleep(scale(0.5))
                expect_eq(b.js("return window.__intakedBefore"), 1,
                          "the browser sent the form without its required "
                          "description")
                expect(b.js("return arguments[0].validity.valueMissing", ta),
                       "the empty description is not flagged missing")

                # a browser without form validation sends it: the server
                # answers the form again
                b.js("arguments[0].form.noValidate = true", ta)
                url = submit(b)
                expect_eq(path_of(url), "/report", "the answer's path")
                check_page(b, "the form with an error", "en", status=400)
                err = _description_error(b)
                expect(err is not None, "no .error-message beside the "
                       "description")
                expect(err["text"], "an empty error message")
                expect(re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộ"
                                 r"ớờởỡợụủứừửữựỳỵỷỹ]", err["text"].lower())
                       is None, "the English form's message is not English:"
                       " %r" % err["text"])
                expect(err["id"] and err["id"] in err["describedby"].split(),
                       "the description does not point at its message "
                       "(aria-describedby %r, message id %r)"
                       % (err["describedby"], err["id"]))
                expect_eq(err["invalid"], "true", "aria-invalid")
                expect_eq(err["others"], 1, "error messages on the page "
                          "(only the description is wrong)")
                # the summary's links lead to the fields at fault
                links = b.js("return Array.prototype.map.call(document."
                             "querySelectorAll('.error-summary a[href^=\"#\"]'),"
                             " function (a) { return [a.getAttribute('href'),"
                             " !!document.getElementById(a.getAttribute("
                             "'href').slice(1))]; })")
                expect(links, "no links in the error summary")
                for href, exists in links:
                    expect(exists, "error summary link %s leads nowhere"
                           % href)
                for name, want in (("reporter-email", "an@example.org"),
                                   ("reporter-phone", "+84 912 345 678"),
                                   ("category", "phishing"),
                                   ("indicators", INDICATORS),
                                   ("description", "")):
                    expect_eq(b.find('form [name="%s"]' % name).prop("value"),
                              want, "%s kept in the form" % name)
                expect_eq(b.js("return document.querySelector('form input"
                               "[name=attachment]').files.length"), 0,
                          "files in the form answered again")
                expect_eq(d.report_count(), 0,
                          "reports stored after the refused form")
                b.screenshot("form-en-error-360.png")

                fill(b, "description", description)
                attach(b, path)
                b.screenshot("form-en-360.png")
                submit(b)
                rid = read_receipt(b, "en")
                b.screenshot("receipt-en-360.png")
            except BaseException:
                _failure_shot(b, "en")
                raise
            finally:
                b.close()
            check_stored(d, rid, description, [(fname, data)],
                         category="phishing",
                         reporter_email="an@example.org",
                         reporter_phone="+84 912 345 678")
            expect_eq(d.report_count(), 1, "reports stored")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_citizen_receipt_mail_link_confirms_report():
    """The whole path of a citizen: the form, the receipt page saying a
    link went by e-mail, the link from the mail the relay received, the
    one button, and the status page saying the report is confirmed (and
    the incident in the analysts' queue)."""
    from relay import Relay
    import email
    import email.policy
    with Relay() as relay, Daemon({
            "outbound": {"smarthost": relay.hostport,
                         "from": "cert@test.example", "starttls": "no"},
            "contact": {"email": "ir@test.example"}}) as d:
        base = "https://127.0.0.1:%d" % d.ports["http"]
        b = Browser(accept_language="vi-VN,vi")
        try:
            b.go(base + "/report?lang=vi")
            b.wait_page("the report form")
            fill(b, "description", DESCRIPTION_VI)
            fill(b, "reporter-email", "le.binh@example.vn")
            choose_category(b, "phishing")
            submit(b)
            rid = read_receipt(b, "vi")
            status_url = b.url()
            expect("Chúng tôi đã gửi một liên kết xác nhận" in
                   b.js("return document.body.innerText"),
                   "the receipt page does not say a link was mailed")
            b.screenshot("receipt-link-sent-360.png")
            msgs = relay.wait_messages(1, timeout=scale(20))
            expect_eq(len(msgs), 1, "receipts at the relay")
            m = email.message_from_bytes(msgs[0].data,
                                         policy=email.policy.default)
            text = m.get_body(("plain",)).get_content()
            link = re.search(r"https://\S+/verify/[0-9a-f]{48}\?lang=vi",
                             text)
            expect(link is not None, "no vi verify link in:\n" + text)
            # the link as mailed points at the public URL: open it here
            b.go(base + urllib.parse.urlsplit(link.group(0)).path +
                 "?lang=vi")
            b.wait_page("the confirmation page")
            check_page(b, "the confirmation page", "vi")
            b.screenshot("verify-360.png")
            expect(d.show(rid)["verified"] is False,
                   "opening the link verified the report")
            b.find('form button[type=submit]').click()
            b.wait_page("the confirmed page", lambda u: "Cảm ơn" in
                        b.js("return document.body.innerText"))
            check_page(b, "the confirmed page", "vi")
            b.screenshot("verified-360.png")
            b.go(status_url)
            b.wait_page("the status page")
            body = b.js("return document.body.innerText")
            expect("Đã xác nhận" in body, "status page does not say "
                   "confirmed:\n" + body)
            b.screenshot("status-verified-360.png")
        except BaseException:
            _failure_shot(b, "verify")
            raise
        finally:
            b.close()
        expect(d.show(rid)["verified"] is True, "report verified")
        expect_eq(len(d.queue()), 1, "incident in the default queue")
