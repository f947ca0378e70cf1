"""staff_web.py - what the staff view's tests share (test_staff*.py): a
browser-like HTTPS client of /triage that keeps its cookies, follows no
redirect by itself, and reads the forms' tokens out of the pages.

    w = StaffWeb(d)
    r = w.login(d.token("analyst", "triage"))      # 303 to /triage
    page = w.get("/triage?status=all")
    r = w.post("/triage/incidents/IN-.../claim", {"csrf": w.csrf(page)})
"""

import html
import http.client
import re
import urllib.parse

from harness import expect, scale
from triage_api import Resp, tls_context

CSRF_RE = re.compile(r'name="csrf" value="([^"]*)"')


class StaffWeb:
    """Requests on one keep-alive HTTPS connection, with a cookie jar of
    name -> value (the attributes of each Set-Cookie kept in
    set_cookies, the raw header values, for the tests to read)."""

    def __init__(self, d, timeout=30):
        self.d = d
        self.timeout = timeout
        self.conn = None
        self.cookies = {}
        self.set_cookies = []

    def _conn(self):
        if self.conn is None:
            self.conn = http.client.HTTPSConnection(
                "127.0.0.1", self.d.ports["http"],
                timeout=scale(self.timeout), context=tls_context())
        return self.conn

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

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
        what = "%s %s" % (method, path)
        for attempt in (0, 1):
            c = self._conn()
            try:
                c.request(method, path, body=body, headers=h)
                r = c.getresponse()
                data = r.read()
            except (http.client.RemoteDisconnected, BrokenPipeError,
                    ConnectionResetError):
                self.close()
                if attempt:
                    raise
                continue
            if r.getheader("Connection", "").lower() == "close":
                self.close()
            headers = r.getheaders()
            self._remember(headers)
            return Resp(r.status, headers, data, what)

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
