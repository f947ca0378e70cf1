"""staff_web.py - what the staff view's tests share (test_staff*.py): a
browser-like HTTPS client of /triage that keeps its cookies, follows no
redirect by itself, and reads the forms' tokens out of the pages.

    w = StaffWeb(d)
    r = w.login(d.token("analyst", "triage"))      # 303 to /triage
    page = w.get("/triage?status=all")
    r = w.post("/triage/incidents/IN-.../claim", {"csrf": w.csrf(page)})
"""

import html
import re
import urllib.parse

from harness import expect
from triage_api import Api

CSRF_RE = re.compile(r'name="csrf" value="([^"]*)"')


class StaffWeb(Api):
    """Requests on one keep-alive HTTPS connection (triage_api.Api's, with
    no token), with a cookie jar of name -> value (the attributes of each
    Set-Cookie kept in set_cookies, the raw header values, for the tests to
    read)."""

    def __init__(self, d, timeout=30):
        super().__init__(d, None, timeout)
        self.cookies = {}
        self.set_cookies = []

    def _remember(self, headers):
        for k, v in headers:
            if k.lower() != "set-cookie":
                continue
            self.set_cookies.append(v)
            name, _, rest = v.partition("=")
            value = rest.split(";", 1)[0]
            attrs = [a.strip().lower() for a in rest.split(";")[1:]]
            if value == "" or "max-age=0" in attrs:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value

    def request(self, method, path, body=None, headers=None,
                cookies=True):
        h = dict(headers or {})
        if cookies and self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv
                                    for kv in self.cookies.items())
        r = self.send(method, path, body, h)
        self._remember(r.headers)
        return r

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, fields, **kw):
        body = urllib.parse.urlencode(fields).encode("utf-8")
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(kw.pop("headers", {}) or {})
        return self.request("POST", path, body=body, headers=h, **kw)

    def page(self, path, want=200):
        r = self.get(path)
        expect(r.status == want, "%s: status %d, want %d: %r"
               % (r.what, r.status, want, r.body[:300]))
        return r

    def login(self, token, lang=None):
        """Sign in with token: the sign-in page's form, then its POST."""
        q = "?lang=" + lang if lang else ""
        page = self.page("/triage/login" + q)
        return self.post("/triage/login" + q,
                         {"csrf": csrf(page), "token": token})


def text(r):
    return r.body.decode("utf-8")


def csrf(r):
    """The first form token of page r."""
    m = CSRF_RE.search(text(r))
    expect(m is not None, "%s: no csrf field in %r" % (r.what, r.body[:300]))
    return html.unescape(m.group(1))


def location(r):
    """The path and query of r's Location (it must be a 303)."""
    expect(r.status == 303, "%s: status %d, want 303: %r"
           % (r.what, r.status, r.body[:300]))
    loc = r.header("Location")
    expect(loc is not None and loc.startswith("/"),
           "%s: Location %r" % (r.what, loc))
    return loc


def path_of(loc):
    return urllib.parse.urlsplit(loc).path


def query_of(loc):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
