"""triage_api.py - what the triage tests share (test_triage_*.py): an HTTPS
client of the API with a Bearer token on one keep-alive connection, and
quick ways to fill the store through the line protocol.

    api = Api(d, d.token("analyst", "triage"))
    st, page = api.get_json("/api/v1/incidents?limit=10")
"""

import http.client
import json
import ssl
import time

from harness import expect, parse_report_reply, pipeline, report_line, scale

SPEC_STATUSES = ("new", "triaged", "in-progress", "resolved", "rejected",
                 "closed", "merged")


class Resp:
    def __init__(self, status, headers, body, what):
        self.status = status
        self.headers = headers
        self.body = body
        self.what = what

    def header(self, name):
        n = name.lower()
        for k, v in self.headers:
            if k.lower() == n:
                return v
        return None

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except ValueError as e:
            raise AssertionError("%s: not JSON (%s): %r"
                                 % (self.what, e, self.body[:300]))


def tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Api:
    """Requests on one keep-alive HTTPS connection (reopened if closed)."""

    def __init__(self, d, token, timeout=30):
        self.d = d
        self.token = token
        self.timeout = timeout
        self.conn = None

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

    def request(self, method, path, obj=None, headers=None, body=None):
        h = dict(headers or {})
        if self.token is not None:
            h["Authorization"] = "Bearer " + self.token
        if obj is not None:
            body = json.dumps(obj).encode("utf-8")
            h["Content-Type"] = "application/json"
        return self.send(method, path, body, h)

    def send(self, method, path, body, headers):
        """One request as given on the keep-alive connection (opened
        again, and the request sent once more, when the server had closed
        it): a Resp."""
        what = "%s %s" % (method, path)
        for attempt in (0, 1):
            c = self._conn()
            try:
                c.request(method, path, body=body, headers=headers)
                r = c.getresponse()
                data = r.read()
            except (http.client.RemoteDisconnected, BrokenPipeError,
                    ConnectionResetError):
                # a keep-alive connection the server closed: once more
                self.close()
                if attempt:
                    raise
                continue
            if r.getheader("Connection", "").lower() == "close":
                self.close()
            return Resp(r.status, r.getheaders(), data, what)

    def get(self, path):
        return self.request("GET", path)

    def get_json(self, path, want=200):
        r = self.get(path)
        expect(r.status == want, "%s: status %d, want %d: %r"
               % (r.what, r.status, want, r.body[:400]))
        return r.json()

    def walk(self, query="", limit=50, guard=10000):
        """Every incident of the queue, page by page: (ids, pages)."""
        ids, pages, cursor = [], 0, None
        while True:
            path = "/api/v1/incidents?limit=%d%s%s" % (
                limit, "&" + query if query else "",
                "&cursor=" + cursor if cursor else "")
            page = self.get_json(path)
            ids += [i["id"] for i in page["incidents"]]
            pages += 1
            cursor = page["next"]
            if cursor is None:
                return ids, pages
            expect(pages < guard, "walk does not end")


def fill(d, token, lines, timeout=120):
    """Pipeline REPORT lines on one authenticated ILP connection; the
    parsed acknowledgements, in order."""
    c = d.authed_client(token)
    try:
        replies = pipeline(c, lines, timeout=timeout)
    finally:
        c.close()
    return [parse_report_reply(r) for r in replies]


def distinct_reports(n, start=0, **fields):
    """n REPORT lines that each open an incident of their own."""
    out = []
    for i in range(start, start + n):
        f = {"category": "scan", "source_ip": "10.%d.%d.%d"
             % ((i >> 16) & 255, (i >> 8) & 255, i & 255),
             "description": "distinct %d" % i}
        f.update(fields)
        out.append(report_line(**f))
    return out


def wait_for(pred, seconds, what):
    deadline = time.monotonic() + scale(seconds)
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)
