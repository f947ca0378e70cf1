"""test_outbox.py - outbound mail: the durable outbox, receipts, the
one-time verification link, and delivery through a relay that fails.

A small SMTP server on loopback (relay.py) is the smarthost. Covered: a
form report gets exactly one receipt with the right headers and links;
GET of the link changes nothing, POST verifies and the incident enters
`intakectl queue`, a second use is 410, an expired link 410; mail reports
get their receipt at Reply-To or From, in reply to their Message-ID;
automatic mail (auto-replies, bulk, DSNs, the null sender, our own
receipts sent back) gets none; the per-address cap; receipts_to =
authenticated; the line protocol and the API get no mail; a relay that is
down or answers 451 keeps the mail queued (intakectl outbox shows why)
until it comes back; a 550 keeps it as failed; kill -9 with mail queued,
then a restart: every message goes out once.
"""

import email
import email.policy
import json
import re
import smtplib
import time
import urllib.parse

from harness import Daemon, expect, expect_eq, https_request, scale
from relay import Relay

TIMEOUT = 90

CSRF_RE = re.compile(r'name="csrf" value="([^"]*)"')
VERIFY_RE = re.compile(r"https://[^/\s]+/verify/([0-9a-f]{48})\?lang=(vi|en)")
STATUS_RE = re.compile(r"https://[^/\s]+/status/(IR-\d{8}-\d+)\?t=([0-9a-f]{32})")


def _daemon(relay, extra=None, **kw):
    ov = {"outbound": {"smarthost": relay.hostport if relay else None,
                       "from": "cert@test.example", "starttls": "no",
                       "retry_first": "1s"},
          "contact": {"email": "ir@test.example",
                      "organization": "CERT Tỉnh Thử"}}
    for sect, keys in (extra or {}).items():
        ov.setdefault(sect, {}).update(keys)
    return Daemon(ov, **kw)


def _request(d, method, path, body=None, headers=None):
    return https_request(d, method, path, body, headers)


def _form_report(d, email_addr, description="Trang web giả mạo ngân hàng",
                 indicators="http://bank-login.example/verify"):
    status, _, body = _request(d, "GET", "/report")
    expect_eq(status, 200, "GET /report")
    csrf = CSRF_RE.search(body.decode()).group(1)
    fields = {"csrf": csrf, "description": description,
              "reporter-email": email_addr, "category": "phishing",
              "indicators": indicators}
    status, h, _ = _request(
        d, "POST", "/report", urllib.parse.urlencode(fields).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"})
    expect_eq(status, 303, "POST /report")
    m = re.match(r"^/status/(IR-\d{8}-\d+)\?t=([0-9a-f]{32})",
                 h["location"])
    return m.group(1), m.group(2)


def _send_mail(d, raw, mail_from="reporter@example.org",
               rcpt="ir@test.example"):
    with smtplib.SMTP("127.0.0.1", d.ports["smtp"], timeout=scale(20)) as s:
        s.ehlo("client.example")
        s.sendmail(mail_from, [rcpt], raw)


def _mail(headers, body="Máy chủ 203.0.113.9 dò quét cổng SSH của chúng tôi."):
    head = "".join("%s: %s\r\n" % kv for kv in headers)
    return (head + "MIME-Version: 1.0\r\nContent-Type: text/plain; "
            "charset=utf-8\r\n\r\n" + body + "\r\n").encode("utf-8")


def _text(msg):
    """The text part of a received message, decoded."""
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            return part.get_content()
    return ""


def _outbox(d, *args):
    out = d.ctl_ok("outbox", "--json", *args).stdout
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def _quiet(relay, n, secs=2.0):
    """No more than n messages arrive within secs."""
    time.sleep(scale(secs))
    expect_eq(len(relay.messages), n, "messages at the relay")


def _metric(d, name):
    status, _, body = _request(d, "GET", "/metrics")
    expect_eq(status, 200, "GET /metrics")
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError("no metric " + name)


def test_form_receipt_verify_link_and_queue():
    with Relay() as relay, _daemon(relay) as d:
        rid, tok = _form_report(d, "Citizen@Example.ORG")
        msgs = relay.wait_messages(1)
        expect_eq(len(msgs), 1, "receipts received")
        _quiet(relay, 1)
        m = relay.parsed(0)
        expect_eq(msgs[0].rcpts, ["citizen@example.org"], "envelope rcpt")
        expect_eq(msgs[0].mail_from, "cert@test.example", "envelope sender")
        expect(rid in m["Subject"], "subject names %s: %r" % (rid, m["Subject"]))
        expect("Đã nhận" in m["Subject"] and "received" in m["Subject"],
               "subject in both languages: %r" % m["Subject"])
        expect_eq(m["Auto-Submitted"], "auto-replied", "Auto-Submitted")
        expect_eq(m["X-Intaked-Loop"], "mx.test.example", "loop header")
        expect_eq(m["To"].addresses[0].addr_spec, "citizen@example.org",
                  "To")
        expect("CERT Tỉnh Thử" in str(m["From"]), "From name: %r" % m["From"])
        text = _text(m)
        expect(rid in text, "the body names the report")
        expect("hxxp://bank-login[.]example/verify" in text,
               "indicator echoed defanged:\n" + text)
        expect("http://bank-login.example" not in text,
               "indicator echoed clickable")
        expect("Chúng tôi đã nhận" in text and "We have received" in text,
               "both languages in the body")
        links = VERIFY_RE.findall(text)
        expect(len(links) == 2, "one verify link per language: %r" % links)
        token = links[0][0]
        st = STATUS_RE.search(text)
        expect(st is not None and st.group(1) == rid and st.group(2) == tok,
               "status link with the receipt token")
        expect_eq(len(_outbox(d)), 0, "outbox empty once sent")
        sent = _outbox(d, "--all")
        expect(len(sent) == 1 and sent[0]["state"] == "sent" and
               sent[0]["report"] == rid, "intakectl outbox --all: %r" % sent)

        # GET shows a button and changes nothing
        for _ in range(2):
            status, _, body = _request(d, "GET", "/verify/" + token)
            expect_eq(status, 200, "GET /verify")
        expect(d.show(rid)["verified"] is False, "GET verified the report")
        expect_eq(d.queue(), [], "queue before verification")
        csrf = CSRF_RE.search(body.decode()).group(1)
        page = body.decode()
        expect(rid in page and 'method="post"' in page, "confirmation page")

        # POST without the page's token: refused
        status, _, _ = _request(d, "POST", "/verify/" + token, b"csrf=x",
                                {"Content-Type":
                                 "application/x-www-form-urlencoded"})
        expect_eq(status, 403, "POST /verify without csrf")
        expect(d.show(rid)["verified"] is False, "bad csrf verified")

        status, _, body = _request(
            d, "POST", "/verify/" + token,
            urllib.parse.urlencode({"csrf": csrf}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
        expect_eq(status, 200, "POST /verify")
        expect(rid in body.decode(), "verified page names the report")
        expect(d.show(rid)["verified"] is True, "report verified")
        q = d.queue()
        expect(len(q) == 1 and q[0]["verified"] is True,
               "incident in the default queue: %r" % q)
        # the status page says so
        status, _, body = _request(d, "GET", "/status/%s?t=%s&lang=en"
                                   % (rid, tok))
        expect(status == 200 and "Confirmed" in body.decode(),
               "status page shows verified")

        # second use, and GET afterwards: 410
        status, _, _ = _request(
            d, "POST", "/verify/" + token,
            urllib.parse.urlencode({"csrf": csrf}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
        expect_eq(status, 410, "second POST /verify")
        status, _, _ = _request(d, "GET", "/verify/" + token)
        expect_eq(status, 410, "GET of a used link")
        status, _, _ = _request(d, "GET", "/verify/" + "0" * 48)
        expect_eq(status, 404, "unknown token")
        expect_eq(_metric(d, 'intaked_receipts_total{result="queued"}'), 1,
                  "receipts queued")
        expect_eq(_metric(d, 'intaked_outbound_mail_total{result="sent"}'),
                  1, "mail sent")


def test_verify_link_expires():
    with Relay() as relay, _daemon(relay, {"verify": {"ttl": "2s"}}) as d:
        _form_report(d, "late@example.org")
        text = _text(relay.parsed(0)) if relay.wait_messages(1) else ""
        token = VERIFY_RE.search(text).group(1)
        time.sleep(3)
        status, _, _ = _request(d, "GET", "/verify/" + token)
        expect_eq(status, 410, "GET of an expired link")


def test_mail_receipt_to_reply_to_or_from():
    with Relay() as relay, _daemon(relay) as d:
        _send_mail(d, _mail([("From", "Nguyễn <nguyen@example.org>"),
                             ("Reply-To", "noc@example.net"),
                             ("To", "ir@test.example"),
                             ("Subject", "Quét cổng từ 203.0.113.9"),
                             ("Message-ID", "<abc.123@example.org>")]))
        _send_mail(d, _mail([("From", "tran@example.com"),
                             ("To", "ir@test.example"),
                             ("Subject", "scan"),
                             ("Message-ID", "<def.456@example.com>")],
                            body="Scans from 198.51.100.7"))
        msgs = relay.wait_messages(2)
        expect_eq(len(msgs), 2, "receipts for two mails")
        _quiet(relay, 2)
        by_rcpt = {m.rcpts[0]: i for i, m in enumerate(msgs)}
        expect(set(by_rcpt) == {"noc@example.net", "tran@example.com"},
               "receipts went to Reply-To and From: %r" % list(by_rcpt))
        m = relay.parsed(by_rcpt["noc@example.net"])
        expect_eq(m["In-Reply-To"], "<abc.123@example.org>", "In-Reply-To")
        expect_eq(m["References"], "<abc.123@example.org>", "References")
        # the mail reporter gets a status link too
        expect(STATUS_RE.search(_text(m)) is not None, "status link")


def test_no_receipt_for_automatic_mail_or_loops():
    with Relay() as relay, _daemon(relay) as d:
        # our own receipt, sent back in: its loop header stops it
        _form_report(d, "loop@example.org")
        first = relay.wait_messages(1)
        expect_eq(len(first), 1, "the first receipt")
        _send_mail(d, first[0].data, mail_from="loop@example.org")
        _send_mail(d, _mail([("From", "a@example.org"),
                             ("Subject", "Out of office"),
                             ("Auto-Submitted", "auto-replied")]))
        _send_mail(d, _mail([("From", "b@example.org"),
                             ("Subject", "newsletter"),
                             ("Precedence", "bulk")]))
        _send_mail(d, _mail([("From", "c@example.org"),
                             ("Subject", "hello")]), mail_from="")
        dsn = ("From: MAILER-DAEMON@example.org\r\nTo: ir@test.example\r\n"
               "Subject: Undelivered Mail\r\nMIME-Version: 1.0\r\n"
               "Content-Type: multipart/report; report-type=delivery-status;"
               " boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
               "failed\r\n--b\r\nContent-Type: message/delivery-status\r\n"
               "\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
               "Final-Recipient: rfc822; x@example.org\r\nAction: failed\r\n"
               "Status: 5.1.1\r\n--b--\r\n").encode()
        _send_mail(d, dsn, mail_from="")
        _quiet(relay, 1, secs=3.0)
        expect_eq(_metric(d, 'intaked_receipts_total'
                             '{result="unanswered-auto"}'), 5,
                  "automatic mails left unanswered")
        # and the relay does take an ordinary one afterwards
        _send_mail(d, _mail([("From", "d@example.org"), ("Subject", "x")]))
        expect_eq(len(relay.wait_messages(2)), 2, "ordinary mail answered")


def test_receipts_capped_per_address():
    with Relay() as relay, _daemon(
            relay, {"outbound": {"receipts_per_address": "2"}}) as d:
        for i in range(3):
            _form_report(d, "victim@example.org",
                         description="report %d about 192.0.2.%d" % (i, i),
                         indicators="192.0.2.%d" % i)
        _form_report(d, "other@example.org")
        msgs = relay.wait_messages(3)
        _quiet(relay, 3)
        rcpts = sorted(m.rcpts[0] for m in msgs)
        expect_eq(rcpts, ["other@example.org", "victim@example.org",
                          "victim@example.org"], "receipts per address")
        expect_eq(_metric(d, 'intaked_receipts_total'
                             '{result="unanswered-capped"}'), 1, "capped")


def test_receipts_to_authenticated():
    with Relay() as relay, _daemon(relay, {
            "outbound": {"receipts_to": "authenticated"},
            "smtp": {"trusted_upstreams": "mx.trusted.example"}}) as d:
        _send_mail(d, _mail([
            ("Authentication-Results", "mx.trusted.example; spf=pass "
             "smtp.mailfrom=noc@isp.example; dmarc=pass "
             "header.from=isp.example"),
            ("From", "noc@isp.example"), ("Subject", "abuse")]))
        # a forger writes the header himself: not a trusted authserv-id
        _send_mail(d, _mail([
            ("Authentication-Results", "mx.forged.example; dmarc=pass "
             "header.from=victim.example"),
            ("From", "someone@victim.example"), ("Subject", "abuse")]))
        # trusted, but the pass is for another domain
        _send_mail(d, _mail([
            ("Authentication-Results", "mx.trusted.example; dmarc=pass "
             "header.from=other.example"),
            ("From", "x@victim.example"), ("Subject", "abuse")]))
        msgs = relay.wait_messages(1)
        _quiet(relay, 1)
        expect_eq(msgs[0].rcpts, ["noc@isp.example"], "authenticated sender")
        expect_eq(_metric(d, 'intaked_receipts_total'
                             '{result="unanswered-unauthenticated"}'), 2,
                  "unauthenticated senders counted")
        # the form's address always gets one
        _form_report(d, "citizen@example.org")
        expect_eq(len(relay.wait_messages(2)), 2, "form receipt")


def test_line_and_api_get_no_mail():
    with Relay() as relay, _daemon(relay) as d:
        tok = d.token("partner")
        with d.authed_client(tok) as c:
            c.report_ok(category="spam", source_ip="192.0.2.9",
                        reporter_email="noc@example.org")
        body = json.dumps({"category": "spam", "source_ip": "192.0.2.10",
                           "reporter_email": "noc@example.org"}).encode()
        status, _, _ = _request(d, "POST", "/api/v1/reports", body,
                                {"Authorization": "Bearer " + tok,
                                 "Content-Type": "application/json"})
        expect_eq(status, 201, "API submission")
        _quiet(relay, 0)
        expect_eq(_outbox(d, "--all"), [], "nothing in the outbox")


def test_relay_down_then_451_then_back():
    relay = Relay()
    relay.stop()
    with _daemon(relay) as d:
        rid, _ = _form_report(d, "wait@example.org")
        deadline = time.time() + scale(10)
        while time.time() < deadline:
            ob = _outbox(d)
            if ob and ob[0]["attempts"] >= 1:
                break
            time.sleep(0.2)
        expect(len(ob) == 1 and ob[0]["state"] == "queued" and
               ob[0]["attempts"] >= 1 and ob[0]["last_reply"],
               "queued with the reason: %r" % ob)
        expect_eq(ob[0]["report"], rid, "outbox names the report")
        status, _, body = _request(d, "GET", "/healthz")
        h = json.loads(body)
        expect(h["outbox"] == 1 and h["outbox_oldest_seconds"] >= 0,
               "healthz: %r" % h)
        expect_eq(_metric(d, "intaked_outbox_messages"), 1, "outbox gauge")
        human = d.ctl_ok("outbox").stdout
        expect("wait@example.org" in human and "queued" in human,
               "intakectl outbox table:\n" + human)

        relay.mode = "tempfail"
        relay.start()
        deadline = time.time() + scale(15)
        while time.time() < deadline and relay.attempts == 0:
            time.sleep(0.2)
        expect(relay.attempts >= 1, "the relay saw the retry")
        time.sleep(0.5)
        ob = _outbox(d)
        expect(ob[0]["state"] == "queued" and "451" in
               json.dumps(ob[0]["log"]), "451 kept queued: %r" % ob)
        relay.mode = "accept"
        msgs = relay.wait_messages(1, timeout=scale(20))
        expect_eq(len(msgs), 1, "delivered once the relay is back")
        _quiet(relay, 1)
        expect_eq(_outbox(d), [], "outbox drained")
    relay.stop()


def test_permanent_refusal_kept_as_failed():
    with Relay() as relay, _daemon(relay) as d:
        relay.mode = "permfail"
        _form_report(d, "nobody@example.org")
        deadline = time.time() + scale(10)
        ob = []
        while time.time() < deadline:
            ob = _outbox(d)
            if ob and ob[0]["state"] == "failed":
                break
            time.sleep(0.2)
        expect(len(ob) == 1 and ob[0]["state"] == "failed" and
               "no such user" in ob[0]["last_reply"] and
               ob[0]["log"][-1]["code"] == 550,
               "a 550 keeps the mail as failed: %r" % ob)
        expect_eq(_metric(d, 'intaked_outbound_mail_total{result="failed"}'),
                  1, "failed counted")


def test_kill9_with_mail_queued_sends_each_once():
    relay = Relay()
    relay.stop()
    with _daemon(relay) as d:
        for i in range(3):
            _form_report(d, "k%d@example.org" % i,
                         indicators="198.51.100.%d" % i)
        expect_eq(len(_outbox(d)), 3, "three receipts queued")
        d.kill9()
        relay.start()
        d.start()
        msgs = relay.wait_messages(3, timeout=scale(20))
        _quiet(relay, 3, secs=4.0)
        expect_eq(sorted(m.rcpts[0] for m in msgs),
                  ["k0@example.org", "k1@example.org", "k2@example.org"],
                  "each receipt once after the restart")
    relay.stop()


def _relay_cert(tmp):
    """A self-signed certificate for 127.0.0.1 (its own CA): (cert, key)."""
    import os
    import subprocess
    cert, key = os.path.join(tmp, "relay.pem"), os.path.join(tmp, "relay.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=DNS:127.0.0.1,IP:127.0.0.1",
                    "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return cert, key


def _with_ca(cert):
    """SSL_CERT_FILE for the daemons started inside (OpenSSL's default CAs)."""
    import contextlib
    import os

    @contextlib.contextmanager
    def ctx():
        old = os.environ.get("SSL_CERT_FILE")
        os.environ["SSL_CERT_FILE"] = cert
        try:
            yield
        finally:
            if old is None:
                os.environ.pop("SSL_CERT_FILE", None)
            else:
                os.environ["SSL_CERT_FILE"] = old
    return ctx()


def test_starttls_and_auth_with_the_smarthost():
    import tempfile
    tmp = tempfile.mkdtemp(prefix="intaked-relay-")
    cert = _relay_cert(tmp)
    tls_on = {"outbound": {"starttls": "yes", "user": "cert",
                           "password": "s3cret pass"}}
    with Relay(tls=cert, auth=("cert", "s3cret pass")) as relay, \
            _with_ca(cert[0]), _daemon(relay, tls_on) as d:
        _form_report(d, "tls@example.org")
        msgs = relay.wait_messages(1)
        expect(len(msgs) == 1 and msgs[0].tls and msgs[0].user == "cert",
               "delivered over STARTTLS, authenticated: %r" %
               [(m.tls, m.user) for m in msgs])


def test_starttls_required_and_certificate_checked():
    import tempfile
    tmp = tempfile.mkdtemp(prefix="intaked-relay-")
    cert = _relay_cert(tmp)
    tls_on = {"outbound": {"starttls": "yes"}}
    # a relay that offers no STARTTLS: nothing goes in clear
    with Relay() as relay, _with_ca(cert[0]), _daemon(relay, tls_on) as d:
        _form_report(d, "clear@example.org")
        deadline = time.time() + scale(10)
        ob = []
        while time.time() < deadline:
            ob = _outbox(d)
            if ob and ob[0]["attempts"] >= 1:
                break
            time.sleep(0.2)
        expect(ob and ob[0]["state"] == "queued" and ob[0]["attempts"] >= 1,
               "kept queued without STARTTLS: %r" % ob)
        expect_eq(relay.messages, [], "mail sent in clear")
    # a relay whose certificate nobody vouches for
    with Relay(tls=cert) as relay, _daemon(relay, tls_on) as d:
        _form_report(d, "untrusted@example.org")
        time.sleep(scale(3))
        expect_eq(relay.messages, [], "mail sent to an unverified relay")
        ob = _outbox(d)
        expect(ob and ob[0]["state"] == "queued", "kept queued: %r" % ob)
