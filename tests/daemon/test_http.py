"""HTTPS listener ([http] listen): public pages, security.txt, the
stylesheet, /healthz, the partner API (POST /api/v1/reports, GET
/api/v1/reports/<id>), the security headers on every response, HEAD,
keep-alive and pipelining, and the bounds: 413 (body), 431 (headers), 408
(too slow), idle keep-alive close, max_per_ip / max_sessions, TLS 1.2+.

Real clients only: curl (-k --http1.1), Python's http.client over an
unverified TLS context, and raw TLS sockets for pipelining and the slow or
oversized requests. The web form's POST /report and the receipt page
/status/<id> are not covered here.
"""

import calendar
import http.client
import json
import os
import re
import select
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import warnings

from harness import (ConnectionClosed, Daemon, Skip, expect, expect_eq,
                     make_cert, parse_report_reply, scale, wait_until)

TIMEOUT = 60

RID_RE = re.compile(r"^IR-[A-Za-z0-9_.-]+$")
IID_RE = re.compile(r"^IN-[A-Za-z0-9_.-]+$")
RFC3339_UTC_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

# [http] max_body has a floor of max_attachment_bytes + 1M (the form's
# fields): the smallest body bound that keeps attachments is 1088k.
SMALL_BODY = {"max_body": "1088k", "max_attachment_bytes": "64k"}
SMALL_BODY_BYTES = 1088 * 1024


# ---------------------------------------------------------------------------
# responses and the checks every response must pass

class Resp:
    """One HTTP response: status, reason, headers (list of (name, value)
    in order), body (bytes)."""

    def __init__(self, status, reason, headers, body, what=""):
        self.status = status
        self.reason = reason
        self.headers = list(headers)
        self.body = body
        self.what = what

    def all(self, name):
        n = name.lower()
        return [v for k, v in self.headers if k.lower() == n]

    def header(self, name):
        v = self.all(name)
        return v[0] if v else None

    def media_type(self):
        v = self.header("Content-Type")
        return v.split(";")[0].strip().lower() if v else None

    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except ValueError as e:
            raise AssertionError("%s: body is not JSON (%s): %r"
                                 % (self.what, e, self.body[:500]))

    def __repr__(self):
        return "<%s %d %s %r>" % (self.what, self.status, self.headers,
                                  self.body[:200])


REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin",
                     "strict-origin-when-cross-origin", "origin",
                     "origin-when-cross-origin",
                     "no-referrer-when-downgrade"}


def check_security_headers(r, what=None):
    """The headers every response carries (SPEC, HTTPS): HSTS, a CSP that
    allows no script and no framing, nosniff, a Referrer-Policy."""
    what = what or r.what
    for name in ("Strict-Transport-Security", "Content-Security-Policy",
                 "X-Content-Type-Options", "Referrer-Policy"):
        got = r.all(name)
        expect(len(got) == 1, "%s (%d): %s sent %d times, want once "
               "(headers %r)" % (what, r.status, name, len(got), r.headers))
    hsts = r.header("Strict-Transport-Security")
    m = re.search(r"(?i)\bmax-age=(\d+)", hsts)
    expect(m and int(m.group(1)) >= 86400,
           "%s: Strict-Transport-Security %r has no max-age of a day or more"
           % (what, hsts))
    csp = r.header("Content-Security-Policy")
    dirs = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            dirs[words[0].lower()] = [w.lower() for w in words[1:]]
    expect(dirs.get("frame-ancestors") == ["'none'"],
           "%s: CSP %r lacks frame-ancestors 'none'" % (what, csp))
    script = dirs.get("script-src", dirs.get("default-src"))
    expect(script is not None,
           "%s: CSP %r has neither script-src nor default-src" % (what, csp))
    expect(script == ["'none'"],
           "%s: CSP %r allows script (%r)" % (what, csp, script))
    expect("'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp,
           "%s: CSP %r has unsafe-*" % (what, csp))
    expect_eq(r.header("X-Content-Type-Options").strip().lower(), "nosniff",
              "%s: X-Content-Type-Options" % what)
    rp = r.header("Referrer-Policy").strip().lower()
    expect(rp in REFERRER_POLICIES,
           "%s: Referrer-Policy %r is not a safe policy" % (what, rp))


def expect_status(r, status, what=None):
    what = what or r.what
    if r.status != status:
        raise AssertionError("%s: status %d, want %d (headers %r, body %r)"
                             % (what, r.status, status, r.headers,
                                r.body[:400]))


def expect_media(r, media, what=None):
    what = what or r.what
    expect_eq(r.media_type(), media, "%s: Content-Type media type" % what)


def expect_api_error(r, status, field=None, what=None):
    """An API error: status, application/json, {"error": why[, "field"]}."""
    what = what or r.what
    expect_status(r, status, what)
    expect_media(r, "application/json", what)
    o = r.json()
    expect(isinstance(o, dict) and isinstance(o.get("error"), str)
           and o["error"], "%s: error body %r has no \"error\"" % (what, o))
    if field is not None:
        expect_eq(o.get("field"), field, "%s: \"field\"" % what)
    check_security_headers(r, what)
    return o


# ---------------------------------------------------------------------------
# clients

def tls_context(tls_min=None, tls_max=None, ciphers=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if ciphers is not None:
            ctx.set_ciphers(ciphers)
        if tls_min is not None:
            ctx.minimum_version = tls_min
        if tls_max is not None:
            ctx.maximum_version = tls_max
    return ctx


def https(d, timeout=10, **ctx_kw):
    """An http.client connection to d's HTTPS listener (keep-alive)."""
    return http.client.HTTPSConnection("127.0.0.1", d.ports["http"],
                                       timeout=scale(timeout),
                                       context=tls_context(**ctx_kw))


def request(conn, method, path, body=None, headers=None, what=None):
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    return Resp(r.status, r.reason, r.getheaders(), data,
                what or "%s %s" % (method, path))


def fetch(d, method, path, body=None, headers=None, what=None):
    """One request on a fresh connection."""
    c = https(d)
    try:
        return request(c, method, path, body, headers, what)
    finally:
        c.close()


def api_post(d, token, obj, ctype="application/json", conn=None, what=None,
             extra=None):
    """POST /api/v1/reports; obj is dumped as JSON unless bytes or str."""
    body = obj if isinstance(obj, (bytes, str)) else json.dumps(obj)
    if isinstance(body, str):
        body = body.encode("utf-8")
    h = {}
    if ctype is not None:
        h["Content-Type"] = ctype
    if token is not None:
        h["Authorization"] = "Bearer " + token
    h.update(extra or {})
    what = what or "POST /api/v1/reports %r" % (body[:80],)
    if conn is not None:
        return request(conn, "POST", "/api/v1/reports", body, h, what)
    return fetch(d, "POST", "/api/v1/reports", body, h, what)


def api_get(d, token, rid, conn=None, what=None):
    h = {"Authorization": "Bearer " + token} if token is not None else {}
    path = "/api/v1/reports/" + rid
    if conn is not None:
        return request(conn, "GET", path, None, h, what)
    return fetch(d, "GET", path, None, h, what)


def expect_created(r, duplicate=None, status=201):
    """A submission's answer: status, {"report_id","incident_id",
    "duplicate"}; returns the object."""
    expect_status(r, status)
    expect_media(r, "application/json")
    check_security_headers(r)
    o = r.json()
    expect(isinstance(o, dict), "%s: answer is not an object: %r"
           % (r.what, o))
    expect_eq(sorted(o), ["duplicate", "incident_id", "report_id"],
              "%s: answer keys" % r.what)
    expect(RID_RE.match(str(o["report_id"])), "%s: report_id %r"
           % (r.what, o["report_id"]))
    expect(IID_RE.match(str(o["incident_id"])), "%s: incident_id %r"
           % (r.what, o["incident_id"]))
    expect(isinstance(o["duplicate"], bool), "%s: duplicate %r is not a "
           "boolean" % (r.what, o["duplicate"]))
    if duplicate is not None:
        expect_eq(o["duplicate"], duplicate, "%s: duplicate" % r.what)
    return o


def curl_available():
    if shutil.which("curl") is None:
        raise Skip("curl is not installed")


def _parse_head_block(text):
    lines = text.split("\r\n")
    m = re.match(r"^HTTP/1\.1 (\d{3}) ?(.*)$", lines[0])
    expect(m, "not an HTTP/1.1 status line: %r" % lines[0])
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        k, sep, v = line.partition(":")
        expect(sep, "malformed header line %r" % line)
        headers.append((k.strip(), v.strip()))
    return int(m.group(1)), m.group(2), headers


def curl(d, path, *args, what=None, timeout=20):
    """curl -sk --http1.1 ARGS https://127.0.0.1:PORT/PATH: the last
    response (after any 100 Continue) as a Resp. Extra URLs may follow
    in args; then the body is all bodies together."""
    curl_available()
    with tempfile.TemporaryDirectory(prefix="curl-") as t:
        hfile = os.path.join(t, "head")
        bfile = os.path.join(t, "body")
        url = "https://127.0.0.1:%d%s" % (d.ports["http"], path)
        cmd = ["curl", "-sS", "-k", "--http1.1", "-D", hfile, "-o", bfile,
               "--max-time", str(int(scale(timeout)))] + list(args) + [url]
        p = subprocess.run(cmd, capture_output=True, timeout=scale(timeout) + 5)
        what = what or "curl %s" % path
        try:
            with open(hfile, "rb") as f:
                head = f.read().decode("latin-1")
        except FileNotFoundError:
            head = ""
        body = b""
        if os.path.exists(bfile):
            with open(bfile, "rb") as f:
                body = f.read()
        blocks = [b for b in head.split("\r\n\r\n") if b.strip()]
        if not blocks:
            raise AssertionError("%s: no response (curl exit %d: %s)"
                                 % (what, p.returncode,
                                    p.stderr.decode("utf-8", "replace")))
        status, reason, headers = _parse_head_block(blocks[-1])
        r = Resp(status, reason, headers, body, what)
        r.curl_rc = p.returncode
        r.curl_stderr = p.stderr.decode("utf-8", "replace")
        return r


class RawHttps:
    """A TLS socket to the HTTPS listener on which the test writes request
    bytes itself and reads responses (pipelining, slow or oversized
    requests)."""

    def __init__(self, d, timeout=10, **ctx_kw):
        self.timeout = scale(timeout)
        s = socket.create_connection(("127.0.0.1", d.ports["http"]),
                                     timeout=self.timeout)
        try:
            self.sock = tls_context(**ctx_kw).wrap_socket(s)
        except Exception:
            s.close()
            raise
        self.buf = b""
        self.eof = False

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.sock.sendall(data)

    def _fill(self, deadline):
        """Read more into buf; False at EOF. TimeoutError past deadline."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no complete response (have %r)"
                               % self.buf[:300])
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(65536)
        except (socket.timeout, TimeoutError):
            raise TimeoutError("no complete response (have %r)"
                               % self.buf[:300])
        except (ConnectionResetError, BrokenPipeError):
            chunk = b""
        except ssl.SSLError as e:
            if "EOF" not in str(e) and "RESET" not in str(e).upper():
                raise
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def read_response(self, head_only=False, timeout=None, what="response"):
        """One response; head_only for the answer to a HEAD. Raises
        ConnectionClosed when the connection ends before it is whole."""
        deadline = time.monotonic() + (self.timeout if timeout is None
                                       else scale(timeout))
        while b"\r\n\r\n" not in self.buf:
            if self.eof or not self._fill(deadline):
                raise ConnectionClosed("%s: closed before a response head "
                                       "(have %r)" % (what, self.buf[:300]))
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        status, reason, headers = _parse_head_block(head.decode("latin-1"))
        r = Resp(status, reason, headers, b"", what)
        if head_only or status in (204, 304) or 100 <= status < 200:
            return r
        te = (r.header("Transfer-Encoding") or "").lower()
        expect("chunked" not in te, "%s: chunked responses are not expected"
               % what)
        cl = r.header("Content-Length")
        expect(cl is not None and cl.isdigit(),
               "%s: no Content-Length (headers %r)" % (what, headers))
        n = int(cl)
        while len(self.buf) < n:
            if self.eof or not self._fill(deadline):
                raise ConnectionClosed("%s: closed inside a %d-byte body "
                                       "(have %d)" % (what, n, len(self.buf)))
        r.body, self.buf = self.buf[:n], self.buf[n:]
        return r

    def readable(self, timeout):
        """Has response data (or EOF) arrived within timeout seconds (not
        scaled)? TLS records without application data (a TLS 1.3 session
        ticket) do not count."""
        deadline = time.monotonic() + timeout
        while True:
            if self.buf or self.eof:
                return True
            left = deadline - time.monotonic()
            if self.sock.pending() == 0:
                r, _, _ = select.select([self.sock], [], [], max(0, left))
                if not r:
                    return False
            self.sock.settimeout(0)
            try:
                chunk = self.sock.recv(65536)
            except (ssl.SSLWantReadError, BlockingIOError):
                if time.monotonic() >= deadline:
                    return False
                continue
            except (ConnectionResetError, BrokenPipeError):
                chunk = b""
            except ssl.SSLError as e:
                if "EOF" not in str(e) and "RESET" not in str(e).upper():
                    raise
                chunk = b""
            if not chunk:
                self.eof = True
            self.buf += chunk
            return True

    def wait_closed(self, timeout=5.0):
        """Read until EOF; (closed, bytes received meanwhile)."""
        got = self.buf
        self.buf = b""
        deadline = time.monotonic() + scale(timeout)
        while not self.eof:
            try:
                if not self._fill(deadline):
                    break
            except TimeoutError:
                return False, got + self.buf
            except OSError:
                break
            got += self.buf
            self.buf = b""
        return True, got

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()
        return False


def req_bytes(method, path, headers=(), body=b"", host="intaked.test"):
    """A request's bytes; Content-Length added when there is a body."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: " + host]
    names = {k.lower() for k, _ in headers}
    lines += ["%s: %s" % (k, v) for k, v in headers]
    if body and "content-length" not in names \
            and "transfer-encoding" not in names:
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body


def _peer_closed_without_data(port, timeout):
    """Connect over TCP, send nothing, and read: True when the server
    closes (EOF or reset) within timeout seconds (not scaled) without
    sending a byte; False when the connection stays open. Bytes sent by
    the server are an error."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.settimeout(timeout)
        try:
            data = s.recv(4096)
        except (socket.timeout, TimeoutError):
            return False
        except ConnectionResetError:
            return True
        expect(data == b"", "the server sent %r before any ClientHello"
               % data[:100])
        return True
    finally:
        s.close()


# ---------------------------------------------------------------------------
# public pages

def test_home_page_lists_contact_points():
    contact = {"organization": "CERT <Thử> & Co",
               "email": "ir@cert.example, abuse@cert.example",
               "phone": "+84 24 3820 9059", "hours": "24/7 mọi ngày",
               "encryption": "https://cert.example/key.asc",
               "policy": "https://cert.example/policy"}
    with Daemon({"contact": contact}) as d:
        r = curl(d, "/")
        expect_status(r, 200)
        expect_eq(r.header("Content-Type"), "text/html; charset=utf-8",
                  "GET / Content-Type")
        check_security_headers(r)
        page = r.text()
        expect('<html lang="vi"' in page, "GET / is not Vietnamese by "
               "default: %r" % page[:300])
        expect("CERT &lt;Thử&gt; &amp; Co" in page,
               "organisation missing or not escaped")
        expect("<Thử>" not in page, "organisation rendered unescaped")
        for addr in ("ir@cert.example", "abuse@cert.example"):
            expect('href="mailto:%s"' % addr in page,
                   "no mailto link for %s" % addr)
        expect("+84 24 3820 9059" in page, "phone hotline missing")
        expect(re.search(r'href="tel:\+?[0-9-]+"', page), "no tel: link")
        expect("24/7 mọi ngày" in page, "hours missing")
        expect(re.search(r'href="/report(\?[^"]*)?"', page),
               "no link to the web form /report")
        expect("127.0.0.1:%d" % d.ports["line"] in page,
               "line protocol endpoint missing")
        expect("127.0.0.1:%d" % d.ports["tls"] in page,
               "line protocol TLS endpoint missing")
        expect("https://cert.example/key.asc" in page, "encryption key missing")
        expect("<script" not in page.lower(), "the page carries a script")
        # English on request, by query or by Accept-Language
        en = curl(d, "/?lang=en")
        expect_status(en, 200)
        expect('<html lang="en"' in en.text(), "?lang=en is not English")
        al = curl(d, "/", "-H", "Accept-Language: en-GB,en;q=0.9")
        expect('<html lang="en"' in al.text(),
               "Accept-Language: en is not English")


def _security_txt(d, path="/.well-known/security.txt"):
    r = curl(d, path)
    expect_status(r, 200)
    expect_eq(r.header("Content-Type"), "text/plain; charset=utf-8",
              "security.txt Content-Type")
    check_security_headers(r)
    fields = []
    for line in r.text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = re.match(r"^([A-Za-z-]+): (.*)$", line)
        expect(m, "security.txt line %r is not 'Field: value'" % line)
        fields.append((m.group(1), m.group(2)))
    return r, fields


def _values(fields, name):
    return [v for k, v in fields if k.lower() == name.lower()]


def _check_expires(fields, seconds):
    exp = _values(fields, "Expires")
    expect(len(exp) == 1, "security.txt: want one Expires, got %r" % exp)
    expect(RFC3339_UTC_RE.match(exp[0]),
           "Expires %r is not an RFC 3339 UTC time" % exp[0])
    t = calendar.timegm(time.strptime(exp[0], "%Y-%m-%dT%H:%M:%SZ"))
    want = time.time() + seconds
    expect(abs(t - want) < 300, "Expires %s is %.0f s from now + %d s"
           % (exp[0], t - want, seconds))


def test_security_txt_configured():
    contact = {"organization": "CERT Test",
               "email": "ir@cert.example, abuse@cert.example",
               "phone": "+84-24-3820-9059",
               "encryption": "https://cert.example/key.asc",
               "policy": "https://cert.example/disclosure",
               "expires": "30d", "languages": "en, vi"}
    with Daemon({"contact": contact,
                 "http": {"public_url": "https://ir.cert.example/"}}) as d:
        r, fields = _security_txt(d)
        expect_eq(_values(fields, "Contact"),
                  ["mailto:ir@cert.example", "mailto:abuse@cert.example",
                   "tel:+84-24-3820-9059", "https://ir.cert.example/report"],
                  "Contact lines, in order of preference")
        _check_expires(fields, 30 * 86400)
        expect_eq(_values(fields, "Encryption"),
                  ["https://cert.example/key.asc"], "Encryption")
        expect_eq(_values(fields, "Policy"),
                  ["https://cert.example/disclosure"], "Policy")
        langs = _values(fields, "Preferred-Languages")
        expect(len(langs) == 1, "want one Preferred-Languages: %r" % langs)
        expect_eq([x.strip() for x in langs[0].split(",")], ["en", "vi"],
                  "Preferred-Languages")
        expect_eq(_values(fields, "Canonical"),
                  ["https://ir.cert.example/.well-known/security.txt"],
                  "Canonical")


def test_security_txt_defaults():
    with Daemon(start=False) as d:
        base = "https://127.0.0.1:%d/" % d.ports["http"]
        d.config["http"]["public_url"] = base
        d.write_config()
        d.start()
        r, fields = _security_txt(d)
        contacts = _values(fields, "Contact")
        expect(base + "report" in contacts,
               "the web form is not a Contact: %r" % contacts)
        mails = [c for c in contacts if c.startswith("mailto:")]
        expect(mails, "no mailto: Contact by default: %r" % contacts)
        expect(not any(c.startswith("tel:") for c in contacts),
               "a tel: Contact without [contact] phone: %r" % contacts)
        _check_expires(fields, 365 * 86400)
        expect_eq(_values(fields, "Encryption"), [], "Encryption (not set)")
        expect_eq(_values(fields, "Policy"), [], "Policy (not set)")
        expect_eq([x.strip() for x in
                   ",".join(_values(fields, "Preferred-Languages"))
                   .split(",")], ["vi", "en"], "Preferred-Languages")
        expect_eq(_values(fields, "Canonical"),
                  [base + ".well-known/security.txt"], "Canonical")


def test_security_txt_public_url_without_trailing_slash():
    """[http] public_url = https://host:port (the harness's, no '/'):
    the form's Contact and Canonical are still well-formed URLs."""
    with Daemon() as d:
        base = "https://127.0.0.1:%d" % d.ports["http"]
        expect_eq(d.config["http"]["public_url"], base, "harness public_url")
        r, fields = _security_txt(d)
        contacts = _values(fields, "Contact")
        expect(base + "/report" in contacts,
               "BUG: with public_url %s (no trailing '/') the web form's "
               "Contact is not %s/report: %r" % (base, base, contacts))
        expect_eq(_values(fields, "Canonical"),
                  [base + "/.well-known/security.txt"],
                  "BUG: Canonical with public_url %s (no trailing '/')" % base)


def test_security_txt_tel_contact_is_a_uri():
    """RFC 9116: a Contact value is a URI; a phone configured with spaces
    ("+84 24 3820 9059", the form people write) must still give a valid
    tel: URI (RFC 3966: no spaces; '-' or '.' separate)."""
    with Daemon({"contact": {"phone": "+84 24 3820 9059"}}) as d:
        r, fields = _security_txt(d)
        tels = [c for c in _values(fields, "Contact") if c.startswith("tel:")]
        expect(len(tels) == 1, "want one tel: Contact: %r" % fields)
        expect(re.match(r"^tel:\+[0-9().-]+$", tels[0]),
               "BUG: security.txt Contact %r is not a URI (RFC 9116 2.5.3, "
               "RFC 3966: a space is not allowed in a tel: URI)" % tels[0])
        expect_eq(re.sub(r"[^0-9+]", "", tels[0][4:]), "+842438209059",
                  "tel: digits")


def test_stylesheet_healthz_and_form_page():
    with Daemon() as d:
        home = curl(d, "/")
        m = re.search(r'<link rel="stylesheet" href="(/static/style\.css[^"]*)"',
                      home.text())
        expect(m, "the home page links no /static/style.css")
        for path in ("/static/style.css", m.group(1)):
            r = curl(d, path)
            expect_status(r, 200)
            expect_media(r, "text/css")
            check_security_headers(r)
            cc = r.header("Cache-Control") or ""
            expect("public" in cc and re.search(r"max-age=[1-9]", cc),
                   "style.css Cache-Control %r is not public with max-age" % cc)
            expect(len(r.body) > 100 and b"{" in r.body,
                   "style.css body %r" % r.body[:100])
        # pages and API answers are not cached
        expect("no-store" in (home.header("Cache-Control") or ""),
               "GET / Cache-Control %r" % home.header("Cache-Control"))

        h = curl(d, "/healthz")
        expect_status(h, 200)
        expect_media(h, "application/json")
        check_security_headers(h)
        o = h.json()
        expect_eq(o.get("status"), "ok", "healthz status")

        f = curl(d, "/report")
        expect_status(f, 200)
        expect_eq(f.header("Content-Type"), "text/html; charset=utf-8",
                  "GET /report Content-Type")
        check_security_headers(f)
        page = f.text()
        form = re.search(r"<form\b[^>]*>", page)
        expect(form, "GET /report has no <form>")
        expect(re.search(r'method="post"', form.group(0), re.I),
               "the form is not POST: %r" % form.group(0))
        expect(re.search(r'action="/report(\?[^"]*)?"', form.group(0)),
               "the form does not post to /report: %r" % form.group(0))
        for name in ("description", "reporter-email", "reporter-phone",
                     "csrf"):
            expect('name="%s"' % name in page,
                   "the form has no field %r" % name)
        expect("<script" not in page.lower(), "the form page carries a script")
        en = curl(d, "/report?lang=en")
        expect('<html lang="en"' in en.text(), "/report?lang=en not English")


def test_not_found_and_method_not_allowed():
    with Daemon() as d:
        c = https(d)
        try:
            r = request(c, "GET", "/no/such/page")
            expect_status(r, 404)
            expect_eq(r.header("Content-Type"), "text/html; charset=utf-8",
                      "404 page Content-Type")
            expect("<html" in r.text(), "404 page is not HTML")
            check_security_headers(r)
            r = request(c, "GET", "/api/v1/nothing")
            expect_api_error(r, 404)
            for method, path, allow in (("DELETE", "/healthz", "GET"),
                                        ("POST", "/", "GET"),
                                        ("PUT", "/.well-known/security.txt",
                                         "GET"),
                                        ("GET", "/api/v1/reports", "POST"),
                                        ("DELETE",
                                         "/api/v1/reports/IR-20260101-000001",
                                         "GET")):
                r = request(c, method, path,
                            body=b"" if method in ("POST", "PUT") else None)
                expect_status(r, 405)
                check_security_headers(r)
                got = [x.strip() for x in (r.header("Allow") or "").split(",")]
                expect(allow in got, "%s: Allow %r lacks %s"
                       % (r.what, r.header("Allow"), allow))
                expect(method not in got, "%s: Allow %r names the refused "
                       "method" % (r.what, r.header("Allow")))
            # still one keep-alive connection after the errors
            r = request(c, "GET", "/healthz")
            expect_status(r, 200)
        finally:
            c.close()


def test_reflected_path_is_escaped():
    """The error page links the same path in the other language: a target
    full of markup must not come back as markup."""
    with Daemon() as d:
        with RawHttps(d) as c:
            c.send(req_bytes("GET", "/x%22%3E%3Cscript%3Ealert(1)%3C/script%3E"
                             "?q=%3Cscript%3E&lang=vi"))
            r = c.read_response(what="GET percent-encoded markup")
            expect_status(r, 404)
            check_security_headers(r)
            expect("<script" not in r.text().lower(),
                   "markup from the target came back: %r" % r.text()[:2000])
        with RawHttps(d) as c:
            # not a valid request-target: refused, or answered escaped
            c.send(b'GET /x"><script>alert(1)</script> HTTP/1.1\r\n'
                   b'Host: t\r\n\r\n')
            try:
                r = c.read_response(what="GET raw markup target")
            except ConnectionClosed:
                return
            expect(r.status in (400, 404), "raw markup target: %d" % r.status)
            check_security_headers(r)
            expect("<script" not in r.text().lower(),
                   "markup from the target came back: %r" % r.text()[:2000])


# ---------------------------------------------------------------------------
# security headers everywhere, HEAD, keep-alive, pipelining

def test_security_headers_on_every_response():
    http_conf = dict(SMALL_BODY, max_header_bytes="4k", request_timeout="2s")
    with Daemon({"http": http_conf}) as d:
        sub = d.token("sec-sub")
        tri = d.token("sec-tri", role="triage")
        seen = {}

        def got(r):
            check_security_headers(r)
            seen.setdefault(r.status, r.what)

        for path in ("/", "/report", "/.well-known/security.txt",
                     "/static/style.css", "/healthz", "/nope",
                     "/api/v1/nope"):
            got(fetch(d, "GET", path))
        got(fetch(d, "HEAD", "/"))
        got(fetch(d, "DELETE", "/healthz"))
        ok = api_post(d, sub, {"category": "spam", "description": "headers"})
        got(ok)
        got(api_get(d, sub, ok.json()["report_id"]))
        got(api_get(d, sub, "IR-20000101-999999"))
        got(api_post(d, None, {"category": "spam", "description": "x"}))
        got(api_post(d, tri, {"category": "spam", "description": "x"}))
        got(api_post(d, sub, {"category": "spam", "description": "x",
                              "bogus": 1}))
        got(api_post(d, sub, b"description=x", ctype="text/plain"))
        with RawHttps(d) as c:      # 413 from Content-Length alone
            c.send(req_bytes("POST", "/api/v1/reports",
                             [("Authorization", "Bearer " + sub),
                              ("Content-Type", "application/json"),
                              ("Content-Length", str(SMALL_BODY_BYTES + 1))]))
            got(c.read_response(what="POST over max_body"))
        with RawHttps(d) as c:      # 431
            c.send(req_bytes("GET", "/", [("X-Filler-%d" % i, "f" * 500)
                                          for i in range(12)]))
            got(c.read_response(what="GET with 6k of headers"))
        with RawHttps(d) as c:      # 408
            c.send(b"GET / HTTP/1.1\r\nHost: t\r\n")
            got(c.read_response(timeout=6, what="request never finished"))
        expect_eq(sorted(seen), [200, 201, 400, 401, 403, 404, 405, 408,
                                 413, 415, 431], "statuses seen")


def test_head_returns_headers_only():
    with Daemon() as d:
        for path in ("/", "/.well-known/security.txt", "/static/style.css",
                     "/healthz", "/report"):
            full = fetch(d, "GET", path)
            expect_status(full, 200)
            with RawHttps(d) as c:
                # HEAD then GET on one connection: the GET's status line
                # must come right after the HEAD's head, no body between
                c.send(req_bytes("HEAD", path) + req_bytes("GET", "/healthz"))
                h = c.read_response(head_only=True, what="HEAD " + path)
                expect_status(h, 200)
                check_security_headers(h)
                expect_eq(h.header("Content-Type"), full.header("Content-Type"),
                          "HEAD %s Content-Type" % path)
                if path != "/healthz":   # its counters change
                    expect_eq(h.header("Content-Length"), str(len(full.body)),
                              "HEAD %s Content-Length (the GET's)" % path)
                nxt = c.read_response(what="GET after HEAD " + path)
                expect_status(nxt, 200, "GET /healthz after HEAD %s (a body "
                              "after the HEAD's head would show here)" % path)
                expect_eq(nxt.json().get("status"), "ok", "healthz after HEAD")
        r = curl(d, "/", "-I")
        expect_status(r, 200)
        # with -I curl writes the head itself to the output file
        expect(r.body.endswith(b"\r\n\r\n") and r.body.count(b"HTTP/1.1 ")
               == 1, "curl -I output: %r" % r.body[-300:])
        expect(int(r.header("Content-Length") or 0) > 0,
               "curl -I: no Content-Length")


def test_keep_alive_several_requests_on_one_connection():
    with Daemon() as d:
        tok = d.token("ka")
        c = https(d)
        try:
            socks = set()
            for path in ("/", "/healthz", "/static/style.css",
                         "/.well-known/security.txt", "/report", "/nope"):
                r = request(c, "GET", path)
                expect(r.status in (200, 404), "%s: %d" % (path, r.status))
                expect_eq((r.header("Connection") or "").lower(), "keep-alive",
                          "GET %s Connection" % path)
                expect(c.sock is not None, "connection closed after GET %s"
                       % path)
                socks.add(id(c.sock))
            r = api_post(d, tok, {"category": "spam", "description": "ka"},
                         conn=c)
            rid = expect_created(r)["report_id"]
            r = api_get(d, tok, rid, conn=c)
            expect_status(r, 200)
            expect(c.sock is not None, "closed after the API requests")
            socks.add(id(c.sock))
            expect_eq(len(socks), 1, "sockets used for 8 requests")
            # Connection: close is honoured
            r = request(c, "GET", "/healthz", headers={"Connection": "close"})
            expect_status(r, 200)
            expect_eq((r.header("Connection") or "").lower(), "close",
                      "Connection header after a Connection: close request")
        finally:
            c.close()
        # curl reuses one connection for three URLs
        curl_available()
        base = "https://127.0.0.1:%d" % d.ports["http"]
        p = subprocess.run(["curl", "-sk", "--http1.1", "-o", "/dev/null",
                            "-o", "/dev/null", "-o", "/dev/null",
                            "-w", "%{http_code}:%{num_connects}\\n",
                            base + "/", base + "/healthz",
                            base + "/static/style.css"],
                           capture_output=True, text=True,
                           timeout=scale(20))
        expect_eq(p.stdout.split(), ["200:1", "200:0", "200:0"],
                  "curl status:new-connections for 3 URLs")


def test_pipelined_requests_answered_in_order():
    with Daemon() as d:
        tok = d.token("pipe")
        report = json.dumps({"category": "scan", "source_ip": "192.0.2.77",
                             "external_id": "pipe-1"})
        auth = [("Authorization", "Bearer " + tok),
                ("Content-Type", "application/json")]
        reqs = [
            req_bytes("GET", "/healthz"),
            req_bytes("POST", "/api/v1/reports", auth, report),
            req_bytes("GET", "/nope"),
            req_bytes("POST", "/api/v1/reports", auth, report),
            req_bytes("GET", "/api/v1/reports/IR-20000101-999999", auth[:1]),
            req_bytes("HEAD", "/"),
            req_bytes("GET", "/static/style.css"),
            req_bytes("GET", "/.well-known/security.txt",
                      [("Connection", "close")]),
        ]
        with RawHttps(d) as c:
            c.send(b"".join(reqs))
            rs = []
            for i, head_only in enumerate([False] * 5 + [True, False, False]):
                rs.append(c.read_response(head_only=head_only,
                                          what="pipelined #%d" % i))
            expect_eq([r.status for r in rs],
                      [200, 201, 404, 200, 404, 200, 200, 200],
                      "statuses of the pipelined requests, in order")
            expect_eq(rs[0].json().get("status"), "ok", "#0 healthz")
            first = expect_created(rs[1], duplicate=False)
            expect_media(rs[2], "text/html")
            expect_eq(expect_created(rs[3], status=200), first,
                      "#3: the retry's answer (same external_id)")
            expect_api_error(rs[4], 404)
            expect_media(rs[6], "text/css")
            expect(rs[7].text().startswith("Contact:") or
                   "\nContact:" in rs[7].text(), "#7 is not security.txt")
            for r in rs:
                check_security_headers(r)
            closed, extra = c.wait_closed(5)
            expect(closed and extra == b"", "after Connection: close: closed "
                   "%s, extra %r" % (closed, extra[:200]))
        expect_eq(d.report_count(), 1, "reports stored")


def test_request_framing_errors_are_refused_and_closed():
    """Requests whose framing two parsers could read differently
    (smuggling) get 400 and the connection ends; HTTP/1.0 is answered,
    then closed."""
    cases = (
        ("Content-Length and Transfer-Encoding",
         b"POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
         b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("two different Content-Lengths",
         b"POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
         b"Content-Length: 6\r\n\r\nhello!"),
        ("HTTP/1.1 without Host", b"GET /healthz HTTP/1.1\r\n\r\n"),
        ("two Hosts",
         b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
    )
    with Daemon() as d:
        for what, raw in cases:
            with RawHttps(d) as c:
                c.send(raw + req_bytes("GET", "/healthz"))
                r = c.read_response(what=what)
                expect_status(r, 400)
                check_security_headers(r)
                closed, extra = c.wait_closed(5)
                expect(closed and b"HTTP/1.1" not in extra,
                       "%s: after the 400, closed %s, then %r"
                       % (what, closed, extra[:200]))
        with RawHttps(d) as c:
            c.send(b"GET /healthz HTTP/1.0\r\n\r\n")
            r = c.read_response(what="HTTP/1.0 GET")
            expect_status(r, 200)
            check_security_headers(r)
            closed, _ = c.wait_closed(5)
            expect(closed, "an HTTP/1.0 request without keep-alive left the "
                   "connection open")


# ---------------------------------------------------------------------------
# the partner API

FULL_REPORT = {
    "category": "phishing", "severity": "high",
    "description": "Trang giả mạo ngân hàng",
    "detected_at": "2026-11-01T10:00:00+07:00",
    "reporter_name": "Trần Thị Bình", "reporter_email": "binh@telco.example",
    "reporter_phone": "+84 912 345 678", "organization": "Telco A",
    "affected_system": "bank.example.vn", "system_level": "3",
    "confidential": "no",
    "source_ip": ["198.51.100.7", "2001:db8::7"],
    "url": "https://bank-login.example/vn",
    "domain": ["bank-login.example"],
    "external_id": "case-42",
}


def test_api_submit_and_read_back():
    with Daemon() as d:
        sub = d.token("partner-a")
        other = d.token("partner-b")
        admin = d.token("boss", role="admin")
        r = api_post(d, sub, FULL_REPORT)
        o = expect_created(r, duplicate=False)
        rid, iid = o["report_id"], o["incident_id"]
        rep = d.show(rid)
        expect_eq(rep.get("incident"), iid, "stored incident")
        expect_eq(rep.get("channel"), "api", "channel")
        expect_eq(rep.get("verified"), True, "a token's report is verified")
        expect_eq(rep.get("category"), "phishing", "category")
        expect_eq(rep.get("severity"), "high", "severity")
        expect_eq(rep.get("description"), FULL_REPORT["description"],
                  "description")
        rp = rep.get("reporter") or {}
        expect_eq(rp.get("name"), "Trần Thị Bình", "reporter.name")
        expect_eq(rp.get("email"), "binh@telco.example", "reporter.email")
        inds = {(i.get("type"), i.get("value")) for i in rep.get("indicators")}
        want = {("ipv4", "198.51.100.7"), ("ipv6", "2001:db8::7"),
                ("url", "https://bank-login.example/vn"),
                ("domain", "bank-login.example")}
        expect(want <= inds, "indicators missing: %r" % (want - inds))

        g = api_get(d, sub, rid)
        expect_status(g, 200)
        expect_media(g, "application/json")
        check_security_headers(g)
        go = g.json()
        expect_eq(go.get("id"), rid, "GET id")
        expect_eq(go.get("incident"), iid, "GET incident")
        expect_eq(go.get("description"), FULL_REPORT["description"],
                  "GET description")

        # another submitter's report does not exist for this token
        expect_api_error(api_get(d, other, rid, what="GET by another "
                                 "submitter"), 404)
        expect_api_error(api_get(d, sub, "IR-20000101-999999"), 404)
        expect_api_error(api_get(d, sub, "IN-" + iid[3:],
                                 what="GET an incident ID"), 404)
        r = fetch(d, "GET", "/api/v1/reports/..%2F..%2Fetc",
                  headers={"Authorization": "Bearer " + sub})
        expect(r.status in (400, 404), "odd ID: %d" % r.status)
        check_security_headers(r)

        # admin submits and reads anyone's
        a = expect_created(api_post(d, admin, {"category": "spam",
                                               "description": "by admin"}))
        expect_status(api_get(d, admin, rid, what="admin GET"), 200)
        expect_eq(d.show(a["report_id"]).get("channel"), "api", "admin channel")
        # a JSON charset parameter is fine
        expect_created(api_post(d, sub, {"category": "spam",
                                         "description": "with charset"},
                                ctype="application/json; charset=utf-8"))
        expect_eq(d.report_count(), 3, "reports stored")


def test_api_triage_reads_any_report():
    """SPEC, API: GET /api/v1/reports/<id> is the submitter's own report,
    any report for triage (and admin)."""
    with Daemon() as d:
        sub = d.token("partner-a")
        tri = d.token("analyst", role="triage")
        rid = expect_created(api_post(d, sub, {"category": "spam",
                                               "description": "read me"}))[
            "report_id"]
        r = api_get(d, tri, rid, what="GET by a triage token")
        expect(r.status == 200, "BUG: a triage token reading %s got %d %r, "
               "want 200 (SPEC: any report for triage)"
               % (rid, r.status, r.body[:200]))
        expect_eq(r.json().get("id"), rid, "triage GET id")


def test_api_invalid_requests_store_nothing():
    with Daemon() as d:
        tok = d.token("bad-input")
        c = https(d)
        try:
            cases = [
                ({"category": "phishing", "source_ip": "999.1.1.1"},
                 "source_ip"),
                ({"category": "spam", "description": "x", "bogus": "1"},
                 "bogus"),
                ({"category": 5, "description": "x"}, "category"),
                ({"category": "spam", "description": "x",
                  "source_ip": ["192.0.2.1", 5]}, "source_ip"),
                ({"description": "no category"}, "category"),
                ({"category": "no-such-category", "description": "x"},
                 "category"),
                ({"category": "spam"}, "description"),
                ({"category": "spam", "description": "x",
                  "severity": "extreme"}, "severity"),
                ({"category": "spam", "description": "x",
                  "system_level": "9"}, "system_level"),
                ({"category": "spam", "description": "x",
                  "detected_at": "yesterday"}, "detected_at"),
                ({"category": "spam", "description": ["a", "b"]},
                 "description"),
                ([{"category": "spam"}], None),
                ("\"just a string\"", None),
                ("null", None),
            ]
            for body, field in cases:
                r = api_post(d, tok, body, conn=c)
                expect_api_error(r, 400, field)
            # not JSON at all, or invalid UTF-8, under application/json
            for body in (b"{not json", b"", b'{"category":"spam",'
                         b'"description":"\xff\xfe"}',
                         b'{"category":"spam","description":"x"} trailing'):
                r = api_post(d, tok, body, conn=c)
                expect(r.status in (400, 415), "%s: %d" % (r.what, r.status))
                expect_api_error(r, r.status)
            # a body that is not declared JSON: 415
            good = {"category": "spam", "description": "fine otherwise"}
            for ctype in ("text/plain", None,
                          "application/x-www-form-urlencoded",
                          "multipart/form-data; boundary=x"):
                r = api_post(d, tok, good, ctype=ctype, conn=c,
                             what="POST JSON as %r" % ctype)
                expect_api_error(r, 415)
            expect_eq(d.report_count(), 0, "reports stored after bad input")
            # the same connection still submits
            expect_created(api_post(d, tok, good, conn=c))
            expect_eq(d.report_count(), 1, "reports stored")
        finally:
            c.close()


def test_api_tokens_and_roles():
    with Daemon() as d:
        sub = d.token("partner-a")
        gone = d.token("partner-gone")
        tri = d.token("analyst", role="triage")
        d.ctl_ok("token", "revoke", "partner-gone")
        body = {"category": "spam", "description": "who am I"}
        for name, hdrs in (
                ("no Authorization", {}),
                ("Basic", {"Authorization": "Basic dXNlcjpwYXNz"}),
                ("empty Bearer", {"Authorization": "Bearer "}),
                ("unknown token", {"Authorization": "Bearer itk_" + "A" * 43}),
                ("revoked token", {"Authorization": "Bearer " + gone}),
                ("token without the scheme", {"Authorization": sub})):
            r = api_post(d, None, body, extra=hdrs, what="POST, " + name)
            expect_api_error(r, 401)
            www = r.header("WWW-Authenticate") or ""
            expect(www.split(" ")[0].lower() == "bearer",
                   "%s: WWW-Authenticate %r" % (r.what, www))
            r = fetch(d, "GET", "/api/v1/reports/IR-20000101-000001",
                      headers=hdrs, what="GET, " + name)
            expect_api_error(r, 401)
            expect((r.header("WWW-Authenticate") or "").lower()
                   .startswith("bearer"), "GET, %s: no WWW-Authenticate" % name)
        r = api_post(d, tri, body, what="POST with a triage token")
        expect_api_error(r, 403)
        expect_eq(d.report_count(), 0, "reports stored by refused tokens")
        expect_created(api_post(d, sub, body))
        # the scheme is case-insensitive (RFC 9110 11.1)
        expect_created(api_post(d, None, dict(body, description="lower"),
                                extra={"Authorization": "bearer " + sub}))
        expect_eq(d.report_count(), 2, "reports stored")


def test_api_idempotent_retry():
    with Daemon() as d:
        a = d.token("partner-a")
        b = d.token("partner-b")
        rep = {"category": "malware", "hash": "d41d8cd98f00b204e9800998ecf8427e",
               "description": "dropper", "external_id": "T-1"}
        first = expect_created(api_post(d, a, rep), duplicate=False)
        again = expect_created(api_post(d, a, rep), status=200)
        expect_eq(again, first, "a retry's answer")
        changed = expect_created(api_post(d, a, dict(rep, description="edited",
                                                     severity="low")),
                                 status=200)
        expect_eq(changed, first, "a retry with other fields: the first answer")
        expect_eq(d.report_count(), 1, "reports after three submissions")
        expect_eq(d.show(first["report_id"]).get("description"), "dropper",
                  "the stored report is the first")
        # the same external_id from another token is another report
        other = expect_created(api_post(d, b, rep), duplicate=True)
        expect(other["report_id"] != first["report_id"],
               "another token's external_id replayed a's report")
        expect_eq(other["incident_id"], first["incident_id"], "b's incident")
        # another external_id from the same token too
        more = expect_created(api_post(d, a, dict(rep, external_id="T-2")),
                              duplicate=True)
        expect(more["report_id"] not in (first["report_id"],
                                         other["report_id"]),
               "T-2 got an old report ID")
        expect_eq(d.report_count(), 3, "reports")
        # and still after a restart
        d.restart()
        expect_eq(expect_created(api_post(d, a, rep), status=200), first,
                  "the retry's answer after a restart")
        expect_eq(d.report_count(), 3, "reports after the restart")
        inc = [i for i in d.queue_all() if i.get("id") == first["incident_id"]]
        expect(len(inc) == 1 and inc[0].get("reports") == 3,
               "incident %s: %r" % (first["incident_id"], inc))


def test_cross_channel_dedup_line_and_api():
    with Daemon() as d:
        lt = d.token("telco-line")
        at = d.token("partner-api")
        c = d.authed_client(lt)
        r1 = parse_report_reply(c.report(category="phishing",
                                         url="https://login.bank-phish.example/vn",
                                         source_ip="203.0.113.5"))
        expect_eq(r1.kind, "new", "ILP report")
        o = expect_created(api_post(d, at, {
            "category": "phishing", "source_ip": "203.0.113.5",
            "url": ["https://login.bank-phish.example/vn"],
            "description": "the same site, seen by a partner"}),
            duplicate=True)
        expect_eq(o["incident_id"], r1.iid, "API report's incident")
        expect(o["report_id"] != r1.rid, "the API report reused the ILP ID")
        # and the other way round
        p = expect_created(api_post(d, at, {"category": "scan",
                                            "source_ip": "198.51.100.99"}),
                           duplicate=False)
        r2 = parse_report_reply(c.report(category="scan",
                                         source_ip="198.51.100.99"))
        expect_eq((r2.kind, r2.iid), ("duplicate", p["incident_id"]),
                  "ILP report after the API's")
        c.close()
        inc = d.show(r1.iid)
        expect_eq(inc.get("reports"), 2, "reports in the incident")
        chans = inc.get("channels")
        expect(isinstance(chans, list) and {"line", "api"} <= set(chans),
               "incident channels %r" % (chans,))
        expect_eq(d.show(o["report_id"]).get("channel"), "api", "channel")
        expect_eq(d.show(r1.rid).get("channel"), "line", "channel")


def test_script_in_description_stays_json_text():
    evil = ('<script>alert("x")</script><img src=x onerror=alert(1)>'
            '</title><svg/onload=alert(2)> &amp; "quoted" \u2028 Tiếng Việt')
    with Daemon() as d:
        tok = d.token("xss")
        o = expect_created(api_post(d, tok, {"category": "phishing",
                                             "description": evil}))
        r = api_get(d, tok, o["report_id"])
        expect_status(r, 200)
        expect_eq(r.header("Content-Type"), "application/json",
                  "Content-Type of a report with markup")
        check_security_headers(r)
        expect(r.body.lstrip()[:1] == b"{", "the body is not a JSON object: %r"
               % r.body[:100])
        expect_eq(r.json().get("description"), evil,
                  "the description, as JSON text")
        expect_eq(d.show(o["report_id"]).get("description"), evil,
                  "stored description")


# ---------------------------------------------------------------------------
# bounds

def test_body_over_max_body_413():
    with Daemon({"http": dict(SMALL_BODY)}) as d:
        tok = d.token("big")
        auth = [("Authorization", "Bearer " + tok),
                ("Content-Type", "application/json")]
        # refused from Content-Length, before any body byte is sent
        with RawHttps(d) as c:
            t0 = time.monotonic()
            c.send(req_bytes("POST", "/api/v1/reports",
                             auth + [("Content-Length",
                                      str(SMALL_BODY_BYTES + 1))]))
            r = c.read_response(timeout=3, what="POST max_body + 1")
            expect(time.monotonic() - t0 < scale(2),
                   "413 came after %.1fs" % (time.monotonic() - t0))
            expect_status(r, 413)
            check_security_headers(r)
            expect_eq((r.header("Connection") or "").lower(), "close",
                      "413 Connection")
            closed, extra = c.wait_closed(5)
            expect(closed and extra == b"", "after 413: closed %s, extra %r"
                   % (closed, extra[:200]))
        with RawHttps(d) as c:      # any method, any path
            c.send(req_bytes("GET", "/", [("Content-Length", "99999999999")]))
            r = c.read_response(timeout=3, what="GET with a huge body")
            expect_status(r, 413)
            check_security_headers(r)
        # a chunked body that grows past the bound
        with RawHttps(d) as c:
            c.send(req_bytes("POST", "/api/v1/reports",
                             auth + [("Transfer-Encoding", "chunked")]))
            chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
            for _ in range(SMALL_BODY_BYTES // 65536 + 4):
                try:
                    c.send(chunk)
                except OSError:
                    break
                if c.readable(0):
                    break
            r = c.read_response(timeout=5, what="chunked body over max_body")
            expect_status(r, 413)
            check_security_headers(r)
        # a body of exactly max_body is read (and the connection goes on)
        with RawHttps(d) as c:
            c.send(req_bytes("POST", "/healthz", body=b"x" * SMALL_BODY_BYTES)
                   + req_bytes("GET", "/healthz"))
            r = c.read_response(timeout=10, what="POST exactly max_body")
            expect_status(r, 405)
            expect_status(c.read_response(what="GET after it"), 200)
        # the API's own JSON bound (1M, below max_body) also answers 413
        doc = json.dumps({"category": "spam", "description": "padded"})
        body = doc.encode() + b" " * (1024 * 1024 + 1 - len(doc))
        r = api_post(d, tok, body, what="POST 1M + 1 of JSON")
        expect_api_error(r, 413)
        doc = json.dumps({"category": "spam", "description": "at 1M"})
        body = doc.encode() + b" " * (1024 * 1024 - len(doc))
        expect_created(api_post(d, tok, body, what="POST 1M of JSON"))
        # curl sending a 2 MB file
        with tempfile.NamedTemporaryFile(suffix=".json") as f:
            f.write(b'{"category":"spam","description":"' + b"a" * 2000000
                    + b'"}')
            f.flush()
            r = curl(d, "/api/v1/reports", "-X", "POST", "-H",
                     "Authorization: Bearer " + tok, "-H",
                     "Content-Type: application/json",
                     "--data-binary", "@" + f.name)
            expect_status(r, 413)
            check_security_headers(r)
        expect_eq(d.report_count(), 1, "reports stored")


def test_headers_over_max_header_bytes_431():
    with Daemon({"http": {"max_header_bytes": "4k"}}) as d:
        # control: 3k of headers is served
        with RawHttps(d) as c:
            c.send(req_bytes("GET", "/healthz", [("X-Filler-%d" % i, "f" * 500)
                                                 for i in range(6)]))
            expect_status(c.read_response(what="3k of headers"), 200)
        for what, headers in (
                ("6k in 12 headers", [("X-Filler-%d" % i, "f" * 500)
                                      for i in range(12)]),
                ("one 20k header", [("X-Huge", "h" * 20000)]),
                ("many small headers", [("X-N%d" % i, "1")
                                        for i in range(600)])):
            with RawHttps(d) as c:
                c.send(req_bytes("GET", "/", headers))
                r = c.read_response(what=what)
                expect_status(r, 431)
                check_security_headers(r)
                closed, extra = c.wait_closed(5)
                expect(closed, "%s: connection not closed after 431" % what)
        r = curl(d, "/", "-H", "X-Huge: " + "c" * 6000)
        expect_status(r, 431)
        check_security_headers(r)
        # and the listener is fine afterwards
        expect_status(fetch(d, "GET", "/healthz"), 200)


def test_slow_request_408_while_others_are_served():
    with Daemon({"http": {"request_timeout": "2s"}}) as d:
        fast = {"latencies": [], "errors": []}
        stop = threading.Event()

        def fast_client():
            try:
                c = https(d, timeout=5)
                while not stop.is_set():
                    t0 = time.monotonic()
                    r = request(c, "GET", "/healthz")
                    fast["latencies"].append(time.monotonic() - t0)
                    if r.status != 200:
                        fast["errors"].append(r.status)
                    time.sleep(0.1)
                c.close()
            except Exception as e:          # noqa: BLE001 (reported below)
                fast["errors"].append(repr(e))

        head = b"GET /report HTTP/1.1\r\nHost: slow.example\r\n" \
               b"User-Agent: slowloris\r\n\r\n"
        with RawHttps(d) as slow:
            th = threading.Thread(target=fast_client, daemon=True)
            th.start()
            t0 = time.monotonic()
            sent = 0
            answered = None
            while sent < len(head) and time.monotonic() - t0 < scale(2) + 3:
                try:
                    slow.send(head[sent:sent + 1])
                except OSError:
                    break
                sent += 1
                if slow.readable(0.5):
                    answered = time.monotonic() - t0
                    break
            r = slow.read_response(timeout=3, what="the slow request (a 408 "
                                   "at request_timeout)")
            took = time.monotonic() - t0 if answered is None else answered
            stop.set()
            th.join(scale(10))
            expect(sent < len(head), "the whole slow head was sent (%d bytes "
                   "in %.1fs) without a 408" % (sent, took))
            expect_status(r, 408)
            check_security_headers(r)
            expect(1.5 <= took <= scale(2) + 1.5,
                   "408 after %.1fs, want about request_timeout (2 s)" % took)
            closed, _ = slow.wait_closed(4)
            expect(closed, "the slow connection stays open after 408")
        expect(not fast["errors"], "the other client: %r" % fast["errors"])
        lat = fast["latencies"]
        expect(len(lat) >= 8, "the other client made only %d requests "
               "meanwhile" % len(lat))
        expect(max(lat) < scale(1.0), "the other client waited %.2fs (max)"
               % max(lat))
        # a complete head with a body that trickles is cut alike
        with RawHttps(d) as slow:
            t0 = time.monotonic()
            slow.send(req_bytes("POST", "/api/v1/reports",
                                [("Content-Type", "application/json"),
                                 ("Content-Length", "100")]))
            n = 0
            while not slow.readable(0.5) and n < 2 * (scale(2) + 3):
                slow.send(b" ")
                n += 1
            r = slow.read_response(timeout=3, what="a body that trickles")
            took = time.monotonic() - t0
            expect_status(r, 408)
            check_security_headers(r)
            expect(1.5 <= took <= scale(2) + 1.5,
                   "408 for a slow body after %.1fs" % took)


def test_idle_keep_alive_closed_quietly():
    with Daemon({"http": {"idle_timeout": "1s", "request_timeout": "10s"}}) as d:
        with RawHttps(d) as c:
            c.send(req_bytes("GET", "/healthz"))
            expect_status(c.read_response(), 200)
            time.sleep(0.4)
            c.send(req_bytes("GET", "/healthz"))   # still open
            expect_status(c.read_response(), 200)
            t0 = time.monotonic()
            closed, extra = c.wait_closed(6)
            took = time.monotonic() - t0
            expect(closed, "idle keep-alive connection still open after 6s")
            expect_eq(extra, b"", "bytes sent on the idle close")
            expect(0.7 <= took <= scale(1) + 2.0,
                   "closed after %.1fs idle, want about 1 s" % took)
        with RawHttps(d) as c:    # no request at all after the handshake
            t0 = time.monotonic()
            closed, extra = c.wait_closed(6)
            expect(closed and extra == b"",
                   "silent connection: closed %s, extra %r" % (closed, extra))
            expect(time.monotonic() - t0 <= scale(1) + 2.0,
                   "silent connection closed after %.1fs"
                   % (time.monotonic() - t0))


def test_200_concurrent_keep_alive_clients():
    n = 200
    with Daemon({"http": {"max_per_ip": 400, "max_sessions": 1000},
                 "tls": {"handshake_rate": 1000}}) as d:
        barrier = threading.Barrier(n, timeout=scale(30))
        errors = []
        sessions_seen = []
        lock = threading.Lock()

        def client(i):
            c = None
            try:
                c = https(d, timeout=30)
                r = request(c, "GET", "/")
                expect_status(r, 200)
                barrier.wait()         # all n connections open at once
                r = request(c, "GET", "/healthz")
                expect_status(r, 200)
                with lock:
                    sessions_seen.append(r.json().get("sessions"))
                r = request(c, "GET", "/static/style.css")
                expect_status(r, 200)
                expect(c.sock is not None, "connection closed")
            except Exception as e:  # noqa: BLE001 (collected)
                with lock:
                    errors.append("client %d: %r" % (i, e))
                try:
                    barrier.abort()
                except Exception:   # noqa: BLE001
                    pass
            finally:
                if c is not None:
                    c.close()

        ths = [threading.Thread(target=client, args=(i,), daemon=True)
               for i in range(n)]
        t0 = time.monotonic()
        for t in ths:
            t.start()
        for t in ths:
            t.join(scale(60))
        expect(not any(t.is_alive() for t in ths), "clients still running")
        expect(not errors, "%d of %d clients failed: %s"
               % (len(errors), n, errors[:5]))
        expect_eq(len(sessions_seen), n, "clients that finished")
        expect(max(s for s in sessions_seen if isinstance(s, int)) >= n,
               "healthz never counted %d sessions at once: %r"
               % (n, sorted(set(sessions_seen))[-5:]))
        expect(time.monotonic() - t0 < scale(30), "200 clients took %.1fs"
               % (time.monotonic() - t0))


def _hold(d, k):
    """k keep-alive connections, each with one request answered."""
    held = []
    for _ in range(k):
        c = https(d)
        expect_status(request(c, "GET", "/healthz"), 200)
        held.append(c)
    return held


def test_per_ip_cap_closes_before_handshake():
    with Daemon({"http": {"max_per_ip": 5}}) as d:
        port = d.ports["http"]
        expect(not _peer_closed_without_data(port, 1.0),
               "control: a fresh connection was closed without the cap")
        held = _hold(d, 5)
        try:
            expect(_peer_closed_without_data(port, scale(2)),
                   "a 6th connection from 127.0.0.1 was not closed")
            try:
                c = https(d)
                r = request(c, "GET", "/healthz")
                raise AssertionError("a 6th connection was served: %d"
                                     % r.status)
            except (ssl.SSLError, ConnectionError, OSError,
                    http.client.HTTPException):
                pass
            for c in held:      # the five are untouched
                expect_status(request(c, "GET", "/healthz"), 200)
            held.pop().close()

            def sixth_ok():
                try:
                    c = https(d)
                    ok = request(c, "GET", "/healthz").status == 200
                    held.append(c)
                    return ok
                except (ssl.SSLError, OSError, http.client.HTTPException):
                    return False
            wait_until(sixth_ok, scale(5), interval=0.2,
                       what="a slot after one of the five closed")
        finally:
            for c in held:
                c.close()


def test_max_sessions_cap_closes_before_handshake():
    with Daemon({"http": {"max_sessions": 3, "max_per_ip": 10}}) as d:
        held = _hold(d, 3)
        try:
            expect(_peer_closed_without_data(d.ports["http"], scale(2)),
                   "a 4th connection over max_sessions was not closed")
            held.pop().close()
            wait_until(lambda: not _peer_closed_without_data(d.ports["http"],
                                                             0.5),
                       scale(5), interval=0.2,
                       what="a session slot after one closed")
        finally:
            for c in held:
                c.close()


def _client_speaks(version):
    """Can this Python/OpenSSL negotiate version at all? Checked against
    a local server, so that a refusal by intaked means something."""
    tmp = tempfile.mkdtemp(prefix="tls-ctl-")
    try:
        cert, key = make_cert(tmp)
        sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        sctx.load_cert_chain(cert, key)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            sctx.set_ciphers("DEFAULT:@SECLEVEL=0")
            sctx.minimum_version = version
            sctx.maximum_version = version
        ls = socket.socket()
        ls.bind(("127.0.0.1", 0))
        ls.listen(1)
        ls.settimeout(10)

        def serve():
            try:
                s, _ = ls.accept()
                s.settimeout(10)
                try:
                    sctx.wrap_socket(s, server_side=True).close()
                except (ssl.SSLError, OSError):
                    s.close()
            except OSError:
                pass
        th = threading.Thread(target=serve, daemon=True)
        th.start()
        try:
            ctx = tls_context(version, version, "DEFAULT:@SECLEVEL=0")
            s = ctx.wrap_socket(socket.create_connection(
                ls.getsockname(), timeout=10))
            got = s.version()
            s.close()
            return got
        except (ssl.SSLError, OSError):
            return None
        finally:
            th.join(10)
            ls.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_tls_versions():
    with Daemon() as d:
        for version, name in ((ssl.TLSVersion.TLSv1_2, "TLSv1.2"),
                              (ssl.TLSVersion.TLSv1_3, "TLSv1.3")):
            c = https(d, tls_min=version, tls_max=version)
            try:
                r = request(c, "GET", "/healthz", what="GET over " + name)
                expect_status(r, 200)
                expect_eq(c.sock.version(), name, "negotiated version")
            finally:
                c.close()
        for flag in ("--tlsv1.2", "--tlsv1.3"):
            args = [flag, "--tls-max", flag[-3:]]
            r = curl(d, "/healthz", *args, "-w", "%{http_code}")
            expect_status(r, 200, "curl %s" % flag)
        old = ((ssl.TLSVersion.TLSv1, "TLSv1"),
               (ssl.TLSVersion.TLSv1_1, "TLSv1.1"))
        tried = 0
        for version, name in old:
            if _client_speaks(version) != name:
                continue        # this client cannot offer it: nothing proven
            tried += 1
            try:
                c = https(d, tls_min=version, tls_max=version,
                          ciphers="DEFAULT:@SECLEVEL=0")
                r = request(c, "GET", "/healthz")
                raise AssertionError("a %s client was served: %d (%s)"
                                     % (name, r.status, c.sock.version()))
            except (ssl.SSLError, ConnectionError, http.client.HTTPException,
                    OSError):
                pass        # refused: good
        if shutil.which("openssl"):
            for flag in ("-tls1", "-tls1_1"):
                p = subprocess.run(
                    ["openssl", "s_client", "-connect",
                     "127.0.0.1:%d" % d.ports["http"], flag, "-cipher",
                     "DEFAULT:@SECLEVEL=0"],
                    input=b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n",
                    capture_output=True, timeout=scale(15))
                out = (p.stdout + p.stderr).decode("utf-8", "replace")
                expect("HTTP/1.1 200" not in out,
                       "openssl s_client %s was served" % flag)
                if "no protocols available" not in out:
                    tried += 1
                    expect(p.returncode != 0 or re.search(
                        r"alert|handshake failure|wrong version|unsupported",
                        out, re.I), "openssl s_client %s did not fail:\n%s"
                        % (flag, out[-1500:]))
        # plain HTTP on the TLS port is not served
        s = socket.create_connection(("127.0.0.1", d.ports["http"]),
                                     timeout=scale(5))
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            data = b""
            try:
                while len(data) < 4096:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            expect(not data.startswith(b"HTTP/"),
                   "plain HTTP on the HTTPS port was answered: %r" % data[:80])
        finally:
            s.close()
        # still serving after all that
        expect_status(fetch(d, "GET", "/healthz"), 200)
        if tried == 0:
            raise Skip("no local client could offer TLS 1.0 or 1.1 "
                       "(1.2 and 1.3 checked)")
