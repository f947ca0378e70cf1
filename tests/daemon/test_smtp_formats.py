"""Mail formats through the real daemon: ARF, X-ARF 0.2, a forwarded
phishing mail, a Vietnamese plain report in quoted-printable, auto-replies
and bounces, and every AbuseIO sample from the shared corpora. Checked with
intakectl show IR-... --json and queue --all --json."""

import email.header
import glob
import json
import os
import quopri
import threading
import time
import unicodedata

from harness import Daemon, Skip, expect, expect_eq, scale
from test_smtp_common import (MAILBOX, SmtpClient, accepted_id, corpora_dir,
                              crlf, expect_reply, has_indicator, make_message,
                              send_one)


def _arf(source_ip):
    return crlf("""From: Feedback Loop <fbl@mailbox-provider.example>
To: ir@test.example
Subject: FW: Abuse report for your network
Date: Sat, 21 Nov 2026 08:00:00 +0000
Message-ID: <arf-7781@mailbox-provider.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
 boundary="arf-boundary-1"

--arf-boundary-1
Content-Type: text/plain; charset=us-ascii

This is an email abuse report for an email message received from IP
%(ip)s on Sat, 21 Nov 2026 07:58:11 +0000.

--arf-boundary-1
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeGenerator/1.0
Version: 1
Original-Mail-From: <spammer@spam-sender.example>
Original-Rcpt-To: <user@mailbox-provider.example>
Arrival-Date: Sat, 21 Nov 2026 07:58:11 +0000
Source-IP: %(ip)s
Reported-Domain: spam-sender.example

--arf-boundary-1
Content-Type: message/rfc822
Content-Disposition: inline

Received: from mail.spam-sender.example ([%(ip)s])
 by mx.mailbox-provider.example; Sat, 21 Nov 2026 07:58:11 +0000
From: <spammer@spam-sender.example>
To: <user@mailbox-provider.example>
Subject: Cheap pills, best prices
Date: Sat, 21 Nov 2026 07:58:10 +0000
Message-ID: <spam-1@spam-sender.example>

Buy now at http://pills.spam-sender.example/offer

--arf-boundary-1--
""" % {"ip": source_ip})


def test_arf_feedback_report():
    with Daemon() as d:
        rid = send_one(d, mail_from="fbl@mailbox-provider.example",
                       message=_arf("203.0.113.7"))
        rep = d.show(rid)
        expect_eq(rep.get("category"), "spam", "category of an ARF abuse report")
        expect(has_indicator(rep, "ipv4", "203.0.113.7"),
               "no ipv4 203.0.113.7 indicator: %r" % rep.get("indicators"))
        expect_eq(rep.get("channel"), "smtp", "channel")
        expect(rep.get("auto") is False, "an ARF report is not an auto-reply: %r"
               % rep.get("auto"))


def _xarf():
    return crlf("""From: abuse-reports@reporter.example
To: ir@test.example
Subject: abuse report about 198.51.100.23 - 2026-11-21T09:00:00+01:00
Date: Sat, 21 Nov 2026 09:00:05 +0100
Message-ID: <xarf-4411@reporter.example>
MIME-Version: 1.0
X-ARF: YES
Content-Type: multipart/mixed; boundary="xarf-b"

--xarf-b
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit

Dear abuse team,
the host 198.51.100.23 tried to log in to our ssh server many times.

--xarf-b
Content-Type: text/plain; charset=utf-8; name="report.txt"
Content-Transfer-Encoding: 7bit

---
Reported-From: abuse-reports@reporter.example
Category: abuse
Report-Type: login-attack
Service: ssh
Version: 0.2
User-Agent: fail2ban-reporter 1.0
Date: Sat, 21 Nov 2026 09:00:00 +0100
Source-Type: ip-address
Source: 198.51.100.23
Port: 22
Report-ID: 4411@reporter.example
Schema-URL: http://www.x-arf.org/schema/abuse_login-attack_0.1.2.json
Attachment: text/plain
Occurrences: 12
TLP: amber

--xarf-b
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit

Nov 21 08:59:01 host sshd[1234]: Failed password for root from 198.51.100.23 port 51000 ssh2
Nov 21 08:59:03 host sshd[1234]: Failed password for root from 198.51.100.23 port 51002 ssh2

--xarf-b--
""")


def test_xarf_login_attack():
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        expect_reply(c.mail("abuse-reports@reporter.example"), "250 2.1.0", "MAIL")
        expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT")
        r = c.data(_xarf())
        rid = accepted_id(r)
        c.quit()
        rep = d.show(rid)
        expect_eq(rep.get("category"), "brute-force", "category of X-ARF login-attack")
        expect(has_indicator(rep, "ipv4", "198.51.100.23"),
               "no ipv4 198.51.100.23 indicator: %r" % rep.get("indicators"))


def _forwarded_phish():
    return crlf("""From: Nguyen Van A <nguyenvana@customer.example>
To: ir@test.example
Subject: Fwd: Your account has been suspended
Date: Sat, 21 Nov 2026 11:00:00 +0700
Message-ID: <fwd-9012@customer.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="fwd-b"

--fwd-b
Content-Type: text/plain; charset=utf-8

Hello, I received this phishing mail pretending to be my bank. The link
goes to a fake login page. Please look into it.

--fwd-b
Content-Type: message/rfc822
Content-Disposition: attachment; filename="suspended.eml"

Return-Path: <security@bank-secure-verify.example>
Received: from [198.51.100.99] by mx.customer.example; Sat, 21 Nov 2026 10:40:00 +0700
From: "Security Team" <security@bank-secure-verify.example>
To: nguyenvana@customer.example
Subject: Your account has been suspended
Date: Sat, 21 Nov 2026 10:39:00 +0700
Message-ID: <phish-1@bank-secure-verify.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Dear customer, your account has been suspended. Verify your password now at
http://login.bank-secure-verify.example/verify/account.php?id=88
or it will be closed within 24 hours.

--fwd-b--
""")


def test_forwarded_phishing():
    with Daemon() as d:
        rid = send_one(d, mail_from="nguyenvana@customer.example",
                       message=_forwarded_phish())
        rep = d.show(rid)
        expect_eq(rep.get("category"), "phishing", "category of a forwarded phish")
        expect(has_indicator(rep, "url",
                             contains="login.bank-secure-verify.example/verify/account.php"),
               "no url indicator for the phishing link: %r" % rep.get("indicators"))
        expect_eq(rep.get("auto"), False, "auto")


def test_vietnamese_quoted_printable_fraud_report():
    body = ("Kính gửi đội ứng cứu sự cố,\n\n"
            "Tôi bị lừa đảo chuyển tiền qua một trang web giả mạo ngân hàng. "
            "Kẻ gian dùng máy chủ có địa chỉ IP 203.0.113.45 để nhận tiền.\n"
            "Xin hãy xử lý giúp tôi.\n")
    qp = quopri.encodestring(body.encode("utf-8")).decode("ascii")
    subject = "=?UTF-8?Q?B=C3=A1o_c=C3=A1o_l=E1=BB=ABa_=C4=91=E1=BA=A3o?="
    frm = "%s <tranthib@nguoidung.example>" % email.header.Header(
        "Trần Thị B", "utf-8").encode()
    msg = make_message(subject=subject, body=qp, frm=frm,
                       content_type="text/plain; charset=utf-8",
                       cte="quoted-printable")
    with Daemon() as d:
        rid = send_one(d, mail_from="tranthib@nguoidung.example", message=msg)
        rep = d.show(rid)
        expect_eq(rep.get("subject"), "Báo cáo lừa đảo", "decoded subject")
        expect_eq(rep.get("category"), "fraud", "category")
        desc = rep.get("description") or ""
        expect("lừa đảo" in desc, "description lacks the decoded text: %r" % desc[:300])
        expect_eq(unicodedata.normalize("NFC", desc), desc, "description in NFC")
        expect(has_indicator(rep, "ipv4", "203.0.113.45"),
               "no ipv4 indicator: %r" % rep.get("indicators"))


def test_auto_reply_stored_as_auto():
    msg = make_message(subject="Out of office: your report",
                       body="I am out of the office until Monday.\r\n",
                       frm="someone@partner.example",
                       headers=["Auto-Submitted: auto-replied",
                                "X-Autoreply: yes"])
    with Daemon() as d:
        rid = send_one(d, mail_from="someone@partner.example", message=msg)
        rep = d.show(rid)
        expect(rep.get("auto") is True, "auto-reply not marked auto: %r"
               % rep.get("auto"))


def _bounce():
    return crlf("""From: Mail Delivery System <MAILER-DAEMON@mx.partner.example>
To: ir@test.example
Subject: Undelivered Mail Returned to Sender
Date: Sat, 21 Nov 2026 12:00:00 +0000
Message-ID: <bounce-5521@mx.partner.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
 boundary="dsn-b"

--dsn-b
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.partner.example.
I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--dsn-b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.partner.example
Arrival-Date: Sat, 21 Nov 2026 11:59:58 +0000

Final-Recipient: rfc822; gone@partner.example
Original-Recipient: rfc822;gone@partner.example
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 user unknown

--dsn-b
Content-Type: text/rfc822-headers

From: ir@test.example
To: gone@partner.example
Subject: Confirm your report

--dsn-b--
""")


def test_bounce_from_null_sender_stored_as_auto():
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        expect_reply(c.cmd("MAIL FROM:<>"), "250 2.1.0", "MAIL FROM:<>")
        expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT")
        rid = accepted_id(c.data(_bounce()))
        c.quit()
        rep = d.show(rid)
        expect(rep.get("auto") is True, "bounce not marked auto: %r" % rep.get("auto"))


def test_bounce_without_auto_submitted_header_still_auto():
    """The null sender and a delivery-status report make a bounce even
    without Auto-Submitted."""
    msg = _bounce().replace(b"Auto-Submitted: auto-replied\r\n", b"")
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        expect_reply(c.cmd("MAIL FROM:<>"), "250 2.1.0", "MAIL FROM:<>")
        expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT")
        rid = accepted_id(c.data(msg))
        c.quit()
        expect(d.show(rid).get("auto") is True, "DSN not marked auto")


def test_formats_in_queue():
    """The reports are visible to CERT: queue --all lists their incidents
    with the right categories and the smtp channel."""
    with Daemon() as d:
        ids = [send_one(d, message=_arf("203.0.113.8")),
               send_one(d, message=_xarf()),
               send_one(d, message=_forwarded_phish())]
        incs = d.queue_all()
        cats = {}
        for rid in ids:
            rep = d.show(rid)
            inc = [i for i in incs if i.get("id") == rep.get("incident")]
            expect_eq(len(inc), 1, "incident %r of %s in queue --all"
                      % (rep.get("incident"), rid))
            cats[rid] = inc[0].get("category")
            # channels: names, or objects naming them
            expect("smtp" in json.dumps(inc[0].get("channels")),
                   "channels of %s: %r" % (inc[0].get("id"), inc[0].get("channels")))
        expect_eq(sorted(cats.values()), ["brute-force", "phishing", "spam"],
                  "incident categories")
        expect(d.report_count() >= 3, "reports")


def test_abuseio_corpus_all_accepted():
    root = os.path.join(corpora_dir(), "abuseio")
    files = sorted(glob.glob(os.path.join(root, "**", "*.eml"), recursive=True))
    if not files:
        raise Skip("no .eml under %s" % root)
    files = files[:200]
    with Daemon() as d:
        workers = 4
        results = {}
        errors = []
        deadline = time.monotonic() + scale(60)

        def work(k):
            try:
                c = SmtpClient(d, timeout=30)
                c.ehlo()
                for path in files[k::workers]:
                    if time.monotonic() > deadline:
                        errors.append("out of time before %s" % path)
                        break
                    with open(path, "rb") as f:
                        msg = f.read()
                    expect_reply(c.mail("feeds@abuse-feeds.example", "BODY=8BITMIME"),
                                 "250 2.1.0", "MAIL for %s" % path)
                    expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT for %s" % path)
                    r = c.data(msg, timeout=60)
                    results[path] = r
                c.quit()
            except Exception as e:
                errors.append("worker %d: %s: %s" % (k, type(e).__name__, e))

        ts = [threading.Thread(target=work, args=(k,), daemon=True)
              for k in range(workers)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(scale(90))
        expect(not any(t.is_alive() for t in ts), "a corpus worker is still running")
        expect(not errors, "; ".join(errors[:5]))
        bad = []
        ids = set()
        for path in files:
            r = results.get(path)
            try:
                ids.add(accepted_id(r, os.path.relpath(path, root)))
            except AssertionError as e:
                bad.append(str(e))
        expect(not bad, "%d of %d corpus messages not accepted:\n%s"
               % (len(bad), len(files), "\n".join(bad[:10])))
        expect_eq(len(ids), len(files), "distinct report IDs")
        expect(d.report_count() >= len(files), "reports in the store: %d for %d messages"
               % (d.report_count(), len(files)))
        # a few of them, looked up
        for rid in sorted(ids)[:: max(1, len(ids) // 5)]:
            expect_eq(d.show(rid).get("channel"), "smtp", "channel of %s" % rid)
