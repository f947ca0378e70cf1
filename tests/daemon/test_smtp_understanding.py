"""test_smtp_understanding.py - what the mailbox understands of real-world
mail, through the real daemon: bounces and auto-replies that only their
headers, sender or subject give away (no delivery-status part, a sender
that is not the null one) are stored automatic with the reason, and get no
receipt while an ordinary report does; a zipped DMARC aggregate report is
stored, automatic, marked aggregate and kept out of the queue (intakectl's
and the triage API's); an ARF
report with a text/rfc822-header part and no Source-IP gets its source
from the returned message's Received chain; `intakectl parse` prints what
would be stored, and why, without a database.
"""

import io
import json
import os
import smtplib
import time
import zipfile

from harness import Daemon, expect, expect_eq, scale
from relay import Relay
from triage_api import Api

TIMEOUT = 90

MAILBOX = "ir@test.example"


def _send(d, raw, mail_from="forwarder@example.org"):
    """Send raw (bytes) and return the first report ID of the 250 reply."""
    with smtplib.SMTP("127.0.0.1", d.ports["smtp"], timeout=scale(20)) as s:
        s.ehlo("client.example")
        s.mail(mail_from)
        code, _ = s.rcpt(MAILBOX)
        expect_eq(code, 250, "RCPT")
        code, reply = s.data(raw)
        expect_eq(code, 250, "end of data")
        return reply.decode().split()[1]


def _crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


QMAIL_BOUNCE = """From: MAILER-DAEMON@mx4.example.jp
To: forwarder@example.org
Subject: failure notice
Date: Sat, 21 Nov 2026 10:00:00 +0900
Message-ID: <bounce-1@mx4.example.jp>

Hi. This is the qmail-send program at mx4.example.jp.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<kijitora@example.ne.jp>:
192.0.2.32 does not like recipient.
Remote host said: 550 5.1.1 <kijitora@example.ne.jp>... User Unknown
"""

EXCHANGE_OOO = """From: "Nguyen, An" <an.nguyen@example.vn>
To: forwarder@example.org
Subject: Automatic reply: phishing site report
Date: Sat, 21 Nov 2026 10:01:00 +0700
X-Auto-Response-Suppress: All
Message-ID: <ooo-1@example.vn>
Content-Type: text/plain; charset="utf-8"

I am out of the office until Monday. Phishing reports go to my colleague.
"""

# "Vắng mặt: ..." encoded as RFC 2047, and words of a Vietnamese
# out-of-office text; no header of RFC 3834
VI_OOO = """From: Tran Binh <binh@example.vn>
To: forwarder@example.org
Subject: =?UTF-8?B?VuG6r25nIG3hurd0OiBiw6FvIGPDoW8gbOG7q2EgxJHhuqNv?=
Date: Sat, 21 Nov 2026 10:02:00 +0700
Message-ID: <ooo-2@example.vn>
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

Tôi đang vắng mặt đến ngày 30/11. Đây là thư trả lời tự động.
"""

ORDINARY = """From: Reporter <reporter@example.org>
To: ir@test.example
Subject: Trang web lừa đảo
Date: Sat, 21 Nov 2026 10:03:00 +0700
Message-ID: <ordinary-1@example.org>
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

Trang web lừa đảo giả mạo ngân hàng: http://bank-login.example/verify
"""


def test_bounces_and_auto_replies_by_their_signals():
    with Relay() as relay, Daemon(
            {"outbound": {"smarthost": relay.hostport,
                          "from": "cert@test.example", "starttls": "no"}}) as d:
        rids = [_send(d, _crlf(m)) for m in (QMAIL_BOUNCE, EXCHANGE_OOO,
                                             VI_OOO)]
        want = ("From: MAILER-DAEMON@mx4.example.jp",
                "X-Auto-Response-Suppress: All",
                "Subject: Vắng mặt")
        for rid, reason in zip(rids, want):
            rep = d.show(rid)
            expect(rep.get("auto") is True, "%s not automatic: %r"
                   % (rid, rep))
            expect(reason in (rep.get("auto_reason") or ""),
                   "%s: auto_reason %r lacks %r"
                   % (rid, rep.get("auto_reason"), reason))
            expect_eq(rep.get("category"), "undetermined", rid + " category")
        bounce = d.show(rids[0])
        expect("qmail-send" in (bounce.get("description") or ""),
               "the bounce's text is kept: %r" % bounce.get("description"))
        # an ordinary report, after them: the only receipt
        rid = _send(d, _crlf(ORDINARY), mail_from="reporter@example.org")
        rep = d.show(rid)
        expect(rep.get("auto") is False, "ordinary report marked automatic")
        expect(rep.get("auto_reason") is None, "ordinary report has a "
               "reason: %r" % rep.get("auto_reason"))
        msgs = relay.wait_messages(1)
        time.sleep(scale(2))
        expect_eq(len(relay.messages), 1, "receipts sent")
        expect_eq(msgs[0].rcpts, ["reporter@example.org"], "receipt to")


DMARC_XML = b"""<?xml version="1.0" encoding="UTF-8" ?>
<feedback>
  <report_metadata>
    <org_name>mailbox-provider.example</org_name>
    <email>noreply-dmarc@mailbox-provider.example</email>
    <report_id>1763700000.42</report_id>
    <date_range><begin>1763596800</begin><end>1763683199</end></date_range>
  </report_metadata>
  <policy_published><domain>test.example</domain><p>none</p></policy_published>
  <record>
    <row><source_ip>198.51.100.7</source_ip><count>4</count>
    <policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
    <identifiers><header_from>test.example</header_from></identifiers>
  </record>
</feedback>
"""


def _dmarc_message():
    zb = io.BytesIO()
    with zipfile.ZipFile(zb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mailbox-provider.example!test.example!1763596800!"
                   "1763683199.xml", DMARC_XML)
    import base64
    b64 = base64.encodebytes(zb.getvalue()).decode()
    return _crlf("""From: noreply-dmarc@mailbox-provider.example
To: ir@test.example
Subject: Report domain: test.example Submitter: mailbox-provider.example Report-ID: 1763700000.42
Date: Sat, 21 Nov 2026 10:04:00 +0000
Message-ID: <dmarc-1@mailbox-provider.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=us-ascii

This is a DMARC aggregate report.
--b1
Content-Type: application/zip; name="report.zip"
Content-Disposition: attachment; filename="mailbox-provider.example!test.example!1763596800!1763683199.zip"
Content-Transfer-Encoding: base64

""" + b64 + """--b1--
""")


def test_dmarc_report_stored_out_of_the_queue():
    with Daemon() as d:
        rid = _send(d, _dmarc_message(),
                    mail_from="noreply-dmarc@mailbox-provider.example")
        rep = d.show(rid)
        expect(rep.get("auto") is True, "DMARC report not automatic")
        expect(rep.get("aggregate") is True, "not marked aggregate: %r" % rep)
        expect("DMARC aggregate report" in (rep.get("auto_reason") or ""),
               "auto_reason: %r" % rep.get("auto_reason"))
        desc = rep.get("description") or ""
        expect("about test.example" in desc and "4 failing both DKIM and SPF"
               in desc, "summary: %r" % desc)
        other = _send(d, _crlf(ORDINARY), mail_from="reporter@example.org")
        queued = [i["id"] for i in d.queue("--all")]
        expect(rep["incident"] not in queued,
               "aggregate report's incident in the queue: %r" % queued)
        expect(d.show(other)["incident"] in queued,
               "an ordinary report's incident is in the queue: %r" % queued)
        # the triage API's queue, every status and verification
        api = Api(d, d.token("analyst", "triage"))
        listed = [i["id"] for i in api.get_json(
            "/api/v1/incidents?status=all&verified=all")["incidents"]]
        expect(rep["incident"] not in listed and d.show(other)["incident"]
               in listed, "API queue: %r" % listed)


ARF_NO_SOURCE = """From: <abusedesk@mailbox-provider.example>
To: <ir@test.example>
Subject: FW: Earn money
Date: Sat, 21 Nov 2026 10:05:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
 boundary="arfb"

--arfb
Content-Type: text/plain; charset="US-ASCII"

This is an opt-out report for an email message.

--arfb
Content-Type: message/feedback-report

Feedback-Type: opt-out
User-Agent: SomeGenerator/1.0
Version: 0.1

--arfb
Content-Type: text/rfc822-header

Received: from mail.spam-sender.example (mail.spam-sender.example [203.0.113.77])
    by mx.mailbox-provider.example with ESMTP id 1; Sat, 21 Nov 2026 09:00:00 +0000
From: <somespammer@spam-sender.example>
To: <user@mailbox-provider.example>
Subject: Earn money
Message-ID: <spam-2@spam-sender.example>
--arfb--
"""


def test_arf_header_part_without_source_ip():
    with Daemon() as d:
        rep = d.show(_send(d, _crlf(ARF_NO_SOURCE)))
        expect_eq(rep.get("category"), "spam", "category")
        inds = {(i["type"], i["value"]) for i in rep.get("indicators", [])}
        for want in (("ipv4", "203.0.113.77"), ("domain", "spam-sender.example"),
                     ("email", "somespammer@spam-sender.example")):
            expect(want in inds, "indicator %r missing: %r" % (want, inds))


XARF_KV = """From: NO REPLY C-SIRT <abuse-reports@csirt.example>
To: abuse@test.example
Subject: [CSIRT#1] Malicious content hosted on 198.51.100.23
Date: Sat, 21 Nov 2026 10:06:00 +0100
Auto-Submitted: auto-generated
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="kv"

--kv
Content-Type: text/plain; charset="utf-8"

This is an automated email alert.
--kv
Content-Type: text/plain; name="MALWARE-report.txt"
Content-Disposition: attachment; filename="MALWARE-report.txt"

---
uri: http://malware.example.net/payload.exe
domain: malware.example.net
ip: 198.51.100.23
first_seen: 2026-11-21 09:59:00 +0100
...
--kv--
"""


def test_intakectl_parse():
    d = Daemon(start=False)
    try:
        path = os.path.join(d.tmp, "notice.eml")
        with open(path, "wb") as f:
            f.write(_crlf(XARF_KV))
        out = d.ctl_ok("parse", path, "--json").stdout
        j = json.loads(out)
        expect_eq(j.get("format"), "xarf", "format")
        expect(j.get("auto") is True and j.get("auto_kind") == "bulk",
               "automatic notice: %r" % {k: j.get(k) for k in
                                         ("auto", "auto_kind")})
        r = j["reports"][0]
        expect_eq(r.get("category"), "malware", "category")
        expect_eq(r.get("category_why"), "the name of the X-ARF attachment",
                  "category_why")
        src = [i for i in r["indicators"] if i["value"] == "198.51.100.23"]
        expect(src and src[0]["from"] == "X-ARF source",
               "source indicator and where it came from: %r"
               % r["indicators"])
        text = d.ctl_ok("parse", path).stdout
        expect("report 1: malware" in text and "(X-ARF source)" in text,
               "text output: %r" % text)
        miss = d.ctl("parse", os.path.join(d.tmp, "absent.eml"))
        expect_eq(miss.returncode, 1, "exit status for a missing file")
        expect(not os.path.exists(os.path.join(d.data_dir, "intaked.db")),
               "parse opened a database")
    finally:
        d.cleanup(True)
