"""test_http_form.py - the citizen's web form and receipt over HTTPS.

POST /report in both encodings (multipart with binary attachments of every
byte value, and urlencoded), the 303 to the receipt only once committed,
the receipt page and its token, validation errors with values kept and
every value escaped, the CSRF token and the honeypot, the per-address
rate limit (429 with Retry-After), and the metrics that count them.
"""

import hashlib
import json
import re
import urllib.parse
import uuid

from harness import Daemon, expect, expect_eq, https_request, scale

TIMEOUT = 60

CSRF_RE = re.compile(r'name="csrf" value="([^"]*)"')
HOSTILE = '<script>alert("x")</script>\'"><img src=x onerror=alert(1)>'


def _request(d, method, path, body=None, headers=None):
    return https_request(d, method, path, body, headers)


def _csrf(d, lang="vi"):
    status, _, body = _request(d, "GET", "/report?lang=" + lang)
    expect_eq(status, 200, "GET /report")
    m = CSRF_RE.search(body.decode("utf-8"))
    expect(m is not None and m.group(1), "the form carries no csrf token")
    return m.group(1)


def _multipart(fields, files=()):
    """fields: [(name, str)], files: [(name, filename, bytes)]."""
    boundary = "----intaked" + uuid.uuid4().hex
    out = []
    for name, value in fields:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\""
                    "\r\n\r\n" % (boundary, name)).encode() +
                   value.encode("utf-8") + b"\r\n")
    for name, filename, data in files:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; "
                    "filename=\"%s\"\r\nContent-Type: application/octet-"
                    "stream\r\n\r\n" % (boundary, name, filename)).encode() +
                   data + b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return b"".join(out), "multipart/form-data; boundary=" + boundary


def _post_form(d, fields, files=(), encoding="multipart"):
    if encoding == "multipart":
        body, ctype = _multipart(fields, files)
    else:
        body = urllib.parse.urlencode(fields).encode()
        ctype = "application/x-www-form-urlencoded"
    return _request(d, "POST", "/report", body, {"Content-Type": ctype})


def _receipt(headers):
    loc = headers.get("location", "")
    m = re.match(r"^/status/(IR-\d{8}-\d+)\?t=([0-9a-f]{32})&lang=(vi|en)$",
                 loc)
    expect(m is not None, "303 Location is not a receipt link: %r" % loc)
    return m.group(1), m.group(2), loc


def _metrics(d):
    status, _, body = _request(d, "GET", "/metrics")
    expect_eq(status, 200, "GET /metrics from loopback")
    values = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            values[k] = float(v)
    return values


def test_multipart_form_with_binary_attachments_and_receipt():
    with Daemon() as d:
        every_byte = bytes(range(256)) * 8
        crlf_tricky = b"\r\n--not-the-boundary\r\n\r\n.\r\n" + bytes([0, 255])
        fields = [("csrf", _csrf(d)),
                  ("description", "Có người giả mạo trang đăng nhập"
                   " ngân hàng, gửi qua tin nhắn SMS"),
                  ("reporter-name", "Nguyễn Văn An"),
                  ("reporter-email", "an@example.vn"),
                  ("reporter-phone", "0912 345 678"),
                  ("category", "phishing"), ("severity", "high"),
                  ("system-level", "2"), ("confidential", "yes"),
                  ("detected-at", "2026-12-05T08:30"),
                  ("indicators", "hxxps://vietcombank-xacthuc[.]example/"
                   "login\n203.0.113.77"),
                  ("website", "")]
        files = [("attachment", "bytes.bin", every_byte),
                 ("attachment", "tricky.bin", crlf_tricky)]
        status, headers, _ = _post_form(d, fields, files)
        expect_eq(status, 303, "POST /report (multipart)")
        rid, token, loc = _receipt(headers)

        rep = d.show(rid)
        expect_eq(rep["channel"], "web", "channel")
        expect_eq(rep["verified"], False, "a web report is unverified")
        expect_eq(rep["category"], "phishing", "category")
        expect_eq(rep["severity"], "high", "severity")
        expect_eq(rep["confidential"], True, "confidential")
        expect_eq(rep["system_level"], 2, "system_level")
        expect_eq(rep["reporter"]["email"], "an@example.vn", "reporter e-mail")
        expect_eq(rep["reporter"]["name"], "Nguyễn Văn An", "reporter name")
        expect(rep["detected_at"].startswith("2026-12-05T01:30"),
               "detected-at taken in UTC+7: %r" % rep["detected_at"])
        got = {(i["type"], i["value"]) for i in rep["indicators"]}
        expect_eq(got, {("url", "https://vietcombank-xacthuc.example/login"),
                        ("ipv4", "203.0.113.77")}, "indicators")
        atts = rep["evidence"]["meta"]["attachments"]
        expect_eq([(a["name"], a["size"], a["sha256"]) for a in atts],
                  [("bytes.bin", len(every_byte),
                    hashlib.sha256(every_byte).hexdigest()),
                   ("tricky.bin", len(crlf_tricky),
                    hashlib.sha256(crlf_tricky).hexdigest())],
                  "attachments in the evidence metadata")
        raw = d.ctl_ok("evidence", rid).stdout.encode("utf-8",
                                                       "surrogateescape")
        expect(b"an@example.vn" in raw, "evidence lacks the form's bytes")

        status, headers, body = _request(d, "GET", loc)
        expect_eq(status, 200, "the receipt page")
        page = body.decode("utf-8")
        expect(rid in page, "the receipt does not show the report ID")
        expect("no-store" in headers.get("cache-control", ""),
               "the receipt page may be cached")
        status, _, _ = _request(d, "GET", "/status/%s?t=%s" % (rid, "0" * 32))
        expect_eq(status, 404, "a wrong receipt token")
        status, _, _ = _request(d, "GET", "/status/%s" % rid)
        expect_eq(status, 404, "no receipt token")
        status, _, _ = _request(d, "GET", "/status/IR-20991231-999999?t=" +
                                token)
        expect_eq(status, 404, "an unknown report with a real token")


def test_urlencoded_form_and_category_guessed():
    with Daemon() as d:
        fields = [("csrf", _csrf(d, "en")),
                  ("description", "I received a phishing e-mail asking for"
                   " my bank password, link http://bank-secure.example/x"),
                  ("reporter-phone", "+84 912 345 678"),
                  ("category", "")]
        status, headers, _ = _post_form(d, fields, encoding="urlencoded")
        expect_eq(status, 303, "POST /report (urlencoded)")
        rid, _, _ = _receipt(headers)
        rep = d.show(rid)
        expect_eq(rep["category"], "phishing",
                  "category guessed from the text when left open")
        expect_eq(rep["reporter"]["phone"], "+84 912 345 678", "phone kept")


def test_errors_shown_beside_fields_values_kept_and_escaped():
    with Daemon() as d:
        hostile = {name: HOSTILE for name in
                   ("reporter-name", "organization", "affected-system",
                    "operating-unit", "indicators")}
        fields = [("csrf", _csrf(d)), ("description", ""),
                  ("reporter-email", "not an address " + HOSTILE)]
        fields += list(hostile.items())
        before = d.report_count()
        status, headers, body = _post_form(d, fields)
        expect_eq(status, 400, "a form with errors")
        page = body.decode("utf-8")
        # inert text may say "onerror=", but no tag may come from a value
        expect("<script>" not in page and "<img" not in page,
               "a value came back unescaped")
        expect(page.count("&lt;script&gt;") >= len(hostile),
               "the values were not kept (escaped) in the form")
        for field in ("description", "reporter-email"):
            m = re.search(r'<div class="field field-error"[^>]*>.*?'
                          r'name="%s"' % field, page, re.S)
            expect(m is not None and 'class="error-message"' in m.group(0),
                   "no message beside %s" % field)
        expect("content-security-policy" in headers, "no CSP on the 400")
        expect_eq(d.report_count(), before, "a refused form stored a report")


def test_csrf_and_honeypot_refused_nothing_stored():
    with Daemon() as d:
        base = [("description", "scam site"),
                ("reporter-email", "b@example.vn")]
        before = d.report_count()
        status, _, body = _post_form(d, base)
        expect_eq(status, 403, "no csrf token")
        expect("scam site" in body.decode(), "the values were not kept")
        status, _, _ = _post_form(d, [("csrf", "5f000000.00")] + base)
        expect_eq(status, 403, "a forged csrf token")
        tok = _csrf(d)
        status, _, _ = _post_form(d, [("csrf", tok + "0")] + base)
        expect_eq(status, 403, "an altered csrf token")
        status, _, _ = _post_form(d, [("csrf", tok), ("website", "x")] + base)
        expect_eq(status, 400, "the honeypot filled in")
        expect_eq(d.report_count(), before, "a refused form stored a report")
        m = _metrics(d)
        expect_eq(m.get('intaked_rejected_total{reason="csrf"}'), 3.0,
                  "csrf refusals counted")
        expect_eq(m.get('intaked_rejected_total{reason="honeypot"}'), 1.0,
                  "honeypot refusals counted")
        status, _, _ = _post_form(d, [("csrf", tok)] + base)
        expect_eq(status, 303, "the same token, honestly used")
        m = _metrics(d)
        expect_eq(m.get('intaked_reports_total{channel="web"}'), 1.0,
                  "web reports counted")


def test_rate_limit_per_address_with_retry_after():
    with Daemon({"http": {"form_rate_per_ip": "20",
                          "form_rate_per_address": "20"}}) as d:
        tok = _csrf(d)
        for i in range(20):
            status, _, _ = _post_form(d, [
                ("csrf", tok), ("description", "report %d" % i),
                ("reporter-email", "r%d@example.vn" % i)])
            expect_eq(status, 303, "report %d of 20 in an hour" % (i + 1))
        status, headers, _ = _post_form(d, [
            ("csrf", tok), ("description", "one too many"),
            ("reporter-email", "late@example.vn")])
        expect_eq(status, 429, "the 21st report from one address")
        ra = headers.get("retry-after", "")
        expect(ra.isdigit() and 0 < int(ra) <= 3600,
               "429 without a usable Retry-After: %r" % ra)
        expect_eq(d.report_count(), 20, "reports stored")


def test_rate_limit_per_reporter_email():
    with Daemon({"http": {"form_rate_per_address": "2"}}) as d:
        tok = _csrf(d)
        for i in range(2):
            status, _, _ = _post_form(d, [
                ("csrf", tok), ("description", "same reporter %d" % i),
                ("reporter-email", "same@example.vn")])
            expect_eq(status, 303, "report %d by one e-mail" % (i + 1))
        status, _, _ = _post_form(d, [
            ("csrf", tok), ("description", "third"),
            ("reporter-email", "same@example.vn")])
        expect_eq(status, 429, "a third report by the same e-mail")
        status, _, _ = _post_form(d, [
            ("csrf", tok), ("description", "another reporter"),
            ("reporter-email", "other@example.vn")])
        expect_eq(status, 303, "another e-mail from the same address")


def test_too_many_attachments_and_wrong_content_type():
    with Daemon({"http": {"max_attachments": "2"}}) as d:
        tok = _csrf(d)
        fields = [("csrf", tok), ("description", "files"),
                  ("reporter-email", "f@example.vn")]
        files = [("attachment", "a%d.bin" % i, b"x" * 10) for i in range(3)]
        status, _, body = _post_form(d, fields, files)
        expect(status in (400, 413), "3 files over max_attachments 2: %d"
               % status)
        expect_eq(d.report_count(), 0, "reports after too many files")
        status, _, _ = _request(d, "POST", "/report", b"{}",
                                {"Content-Type": "application/json"})
        expect(status in (400, 415), "a JSON body to the form: %d" % status)


def test_metrics_only_for_metrics_from():
    with Daemon({"http": {"metrics_from": "10.0.0.0/8"}}) as d:
        status, headers, _ = _request(d, "GET", "/metrics")
        expect_eq(status, 403, "/metrics from an address not in metrics_from")
        expect("strict-transport-security" in headers, "no HSTS on the 403")
    with Daemon() as d:
        m = _metrics(d)
        for name in ('intaked_reports_total{channel="line"}',
                     'intaked_duplicates_total',
                     'intaked_rejected_total{reason="invalid"}',
                     'intaked_queue_incidents', 'intaked_outbox_messages',
                     'intaked_commit_seconds_count',
                     'intaked_connections{listener="http"}'):
            expect(name in m, "/metrics lacks %s" % name)
        expect(m['intaked_connections{listener="http"}'] >= 1,
               "our own connection is not counted")
