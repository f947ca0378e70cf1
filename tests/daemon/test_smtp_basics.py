"""SMTP mailbox: greeting, EHLO/HELO, a whole transaction, recipients (no
relaying), the simple commands, bad sequences and enhanced status codes."""

import base64
import re

from harness import Daemon, expect, expect_eq
from test_smtp_common import (ENHANCED_RE, GREETING, HOSTNAME, MAILBOX,
                              SmtpClient, accepted_id, code_of, expect_reply,
                              make_message, send_one, swaks,
                              ids_in_swaks_output, wait_closed_or_fail)


def test_greeting_and_ehlo_extensions():
    with Daemon() as d:
        c = SmtpClient(d, greeting=False)
        expect_eq(c.read_reply(), GREETING, "greeting")
        r = c.ehlo()
        expect(r.split("\n")[0].startswith("250-" + HOSTNAME),
               "EHLO first line %r" % r.split("\n")[0])
        ext = c.extensions
        for kw in ("PIPELINING", "8BITMIME", "SMTPUTF8", "STARTTLS",
                   "ENHANCEDSTATUSCODES"):
            expect(kw in ext, "EHLO does not offer %s: %r" % (kw, r))
        expect("SIZE" in ext and re.fullmatch(r"[1-9]\d*", ext["SIZE"]),
               "EHLO SIZE with a limit: %r" % r)
        # nothing this server does not do
        for kw in ("AUTH", "CHUNKING", "BINARYMIME", "VRFY", "ETRN"):
            expect(kw not in ext, "EHLO offers %s: %r" % (kw, r))
        c.quit()


def test_full_transaction_is_stored():
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        expect_reply(c.mail("reporter@isp.example"), "250 2.1.0", "MAIL")
        expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT")
        r = c.cmd("DATA")
        expect(code_of(r) == 354, "DATA: %r" % r)
        r = c.send_data(make_message(subject="Basic SMTP report 7731",
                                     body="Phishing site at http://bad.example/x\r\n"))
        rid = accepted_id(r)
        expect_reply(c.cmd("QUIT"), "221", "QUIT")
        wait_closed_or_fail(c, 5, "after QUIT")
        c.close()
        rep = d.show(rid)
        expect_eq(rep.get("id"), rid, "show id")
        expect_eq(rep.get("channel"), "smtp", "channel")
        expect_eq(rep.get("subject"), "Basic SMTP report 7731", "subject")
        expect(isinstance(rep.get("incident"), str) and
               rep["incident"].startswith("IN-"), "incident %r" % rep.get("incident"))
        expect_eq(d.report_count(), 1, "reports in the store")


def test_helo_works_too():
    with Daemon() as d:
        c = SmtpClient(d)
        r = c.cmd("HELO client.test.example")
        expect(code_of(r) == 250 and "\n" not in r, "HELO: %r" % r)
        expect(code_of(c.mail("a@b.example")) == 250, "MAIL after HELO")
        expect(code_of(c.rcpt(MAILBOX)) == 250, "RCPT after HELO")
        rid = accepted_id(c.data(make_message(subject="via HELO")))
        c.quit()
        expect_eq(d.show(rid).get("subject"), "via HELO", "subject")


def test_ehlo_and_helo_need_an_argument():
    with Daemon() as d:
        c = SmtpClient(d)
        expect(code_of(c.cmd("EHLO")) == 501, "EHLO without a name")
        expect(code_of(c.cmd("HELO")) == 501, "HELO without a name")
        c.ehlo()
        c.quit()


def test_null_sender_accepted():
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        expect_reply(c.cmd("MAIL FROM:<>"), "250 2.1.0", "MAIL FROM:<>")
        expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT")
        rid = accepted_id(c.data(make_message(subject="from the null sender")))
        c.quit()
        expect_eq(d.show(rid).get("id"), rid, "stored")


def test_recipients_case_insensitive():
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        expect_reply(c.mail("a@b.example"), "250 2.1.0", "MAIL")
        for addr in ("IR@Test.Example", "abuse@test.example", "ABUSE@TEST.EXAMPLE"):
            expect_reply(c.rcpt(addr), "250 2.1.5", "RCPT %s" % addr)
        accepted_id(c.data(make_message()))
        c.quit()


def test_no_relaying():
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        expect_reply(c.mail("spammer@evil.example"), "250 2.1.0", "MAIL")
        for addr in ("victim@gmail.com", "nobody@test.example",
                     "ir@test.example.evil.example", "ir@example",
                     "ir@sub.test.example", "postmaster@evil.example",
                     "@test.example:victim@gmail.com",
                     "ir%test.example@gmail.com"):
            expect_reply(c.rcpt(addr), "550 5.1.1", "RCPT %s" % addr)
        # every recipient was refused: DATA is refused too
        r = c.cmd("DATA")
        expect(code_of(r) in (503, 554), "DATA with no valid recipient: %r" % r)
        expect(re.match(r"^5\d\d 5\.5\.1 ", r), "DATA refusal code %r" % r)
        expect_reply(c.cmd("RSET"), "250", "RSET")
        c.quit()
        expect_eq(d.report_count(), 0, "reports after refused relaying")


def test_relay_refused_but_mailbox_in_same_transaction_delivered():
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        expect_reply(c.mail("a@b.example"), "250 2.1.0", "MAIL")
        expect_reply(c.rcpt("victim@gmail.com"), "550 5.1.1", "relay RCPT")
        expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT")
        accepted_id(c.data(make_message(subject="mixed recipients")))
        c.quit()
        expect_eq(d.report_count(), 1, "reports")


def test_simple_commands():
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        expect_reply(c.cmd("NOOP"), "250 2.0.0", "NOOP")
        expect_reply(c.cmd("RSET"), "250 2.0.0", "RSET")
        expect_reply(c.cmd("VRFY ir@test.example"), "252", "VRFY")
        expect(ENHANCED_RE.match(c.cmd("VRFY someone")), "VRFY enhanced code")
        expect_reply(c.cmd("HELP"), "214", "HELP")
        expect_reply(c.cmd("FOOBAR baz"), "500 5.5.2", "unknown command")
        expect_reply(c.cmd("EXPN staff"), "502", "EXPN")
        expect_reply(c.cmd("AUTH PLAIN AGZvbwBiYXI="), "502", "AUTH")
        expect_reply(c.cmd("BDAT 10 LAST"), "502", "BDAT")
        # lower case works
        expect_reply(c.cmd("noop"), "250 2.0.0", "noop")
        # still usable after all that
        rid = accepted_id(_transaction(c, "after the simple commands"))
        r = c.cmd("QUIT")
        expect_reply(r, "221 2.0.0", "QUIT")
        wait_closed_or_fail(c, 5, "after QUIT")
        c.close()
        expect_eq(d.show(rid).get("subject"), "after the simple commands", "subject")


def _transaction(c, subject):
    expect_reply(c.mail("a@b.example"), "250 2.1.0", "MAIL")
    expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT")
    return c.data(make_message(subject=subject))


def test_bad_sequences():
    with Daemon() as d:
        c = SmtpClient(d)
        # before EHLO
        expect_reply(c.mail("a@b.example"), "503 5.5.1", "MAIL before EHLO")
        expect_reply(c.rcpt(MAILBOX), "503 5.5.1", "RCPT before EHLO")
        expect_reply(c.cmd("DATA"), "503 5.5.1", "DATA before EHLO")
        c.ehlo()
        expect_reply(c.rcpt(MAILBOX), "503 5.5.1", "RCPT before MAIL")
        expect_reply(c.cmd("DATA"), "503 5.5.1", "DATA before MAIL")
        expect_reply(c.mail("a@b.example"), "250 2.1.0", "MAIL")
        expect_reply(c.mail("c@d.example"), "503 5.5.1", "nested MAIL")
        expect_reply(c.cmd("DATA"), "503 5.5.1", "DATA before RCPT")
        # the transaction survives the errors
        expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT")
        accepted_id(c.data(make_message()))
        # after RSET, RCPT needs a MAIL again
        expect_reply(c.cmd("RSET"), "250", "RSET")
        expect_reply(c.rcpt(MAILBOX), "503 5.5.1", "RCPT after RSET")
        c.quit()
        expect_eq(d.report_count(), 1, "reports")


def test_mail_syntax_errors():
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        r = c.cmd("MAIL FROM:a@b.example")
        expect(code_of(r) == 501 and ENHANCED_RE.match(r), "MAIL without <>: %r" % r)
        r = c.cmd("MAIL FROM <a@b.example>")
        expect(code_of(r) == 501, "MAIL without colon: %r" % r)
        r = c.cmd("MAIL a@b.example")
        expect(code_of(r) == 501, "MAIL without FROM: %r" % r)
        r = c.mail("a@b.example", "FOO=BAR")
        expect(code_of(r) == 555 and ENHANCED_RE.match(r),
               "unknown MAIL parameter: %r" % r)
        r = c.cmd("RCPT TO:ir@test.example")
        expect(code_of(r) in (501, 503), "RCPT without <> and without MAIL: %r" % r)
        # a good MAIL still works, and a bad RCPT syntax is 501
        expect_reply(c.mail("a@b.example", "BODY=8BITMIME"), "250 2.1.0",
                     "MAIL BODY=8BITMIME")
        r = c.cmd("RCPT TO:ir@test.example")
        expect(code_of(r) == 501, "RCPT without <>: %r" % r)
        r = c.cmd("RCPT TO:<>")
        expect(code_of(r) in (501, 553), "RCPT TO:<>: %r" % r)
        r = c.cmd("RCPT TO:<%s> NOTIFY=NEVER" % MAILBOX)
        expect(code_of(r) == 555, "unknown RCPT parameter: %r" % r)
        c.quit()


def test_size_parameter():
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        limit = int(c.extensions["SIZE"])
        expect_reply(c.mail("a@b.example", "SIZE=%d" % (limit + 1)),
                     "552 5.3.4", "SIZE over the announced limit")
        expect_reply(c.mail("a@b.example", "SIZE=999999999999"), "552 5.3.4",
                     "huge SIZE")
        expect_reply(c.mail("a@b.example", "SIZE=%d" % limit), "250 2.1.0",
                     "SIZE at the limit")
        expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT")
        accepted_id(c.data(make_message()))
        c.quit()


def test_smtputf8_and_8bit():
    """An internationalised sender and a raw UTF-8 (8BITMIME) body."""
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        expect_reply(c.mail("người.báo@ví-dụ.vn", "SMTPUTF8 BODY=8BITMIME"),
                     "250 2.1.0", "MAIL SMTPUTF8")
        expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT")
        rid = accepted_id(c.data(make_message(
            subject="=?UTF-8?B?%s?=" % base64.b64encode(
                "Báo cáo sự cố".encode("utf-8")).decode("ascii"),
            body="Máy chủ 203.0.113.9 bị tấn công.\r\n", cte="8bit")))
        c.quit()
        rep = d.show(rid)
        expect_eq(rep.get("subject"), "Báo cáo sự cố", "decoded subject")


def test_enhanced_status_codes_after_ehlo():
    """Every reply after EHLO (but the EHLO reply itself and 354, for which
    no enhanced class exists) carries a matching enhanced status code."""
    cmds = ["NOOP", "RSET", "VRFY x", "HELP", "XYZZY", "EXPN x",
            "RCPT TO:<%s>" % MAILBOX, "DATA", "MAIL FROM:<a@b.example> FOO=1",
            "MAIL FROM:a@b.example", "MAIL FROM:<a@b.example>",
            "MAIL FROM:<a@b.example>", "RCPT TO:<victim@gmail.com>",
            "RCPT TO:<%s>" % MAILBOX, "DATA"]
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        bad = []
        for cmd in cmds:
            r = c.cmd(cmd)
            lines = r.split("\n")
            if code_of(r) == 354:
                continue
            for l in lines:
                m = ENHANCED_RE.match(l)
                if not m or m.group(1) != m.group(2):
                    bad.append((cmd, l))
        r = c.send_data(make_message())
        if not ENHANCED_RE.match(r):
            bad.append(("end of data", r))
        r = c.cmd("QUIT")
        if not ENHANCED_RE.match(r):
            bad.append(("QUIT", r))
        c.close()
        expect(not bad, "replies without a matching enhanced status code: %r"
               % bad)


def test_report_ids_differ_per_message():
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        ids = []
        for i in range(5):
            expect_reply(c.mail("a%d@b.example" % i), "250 2.1.0", "MAIL")
            expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT")
            ids.append(accepted_id(c.data(make_message(
                subject="message %d" % i, body="same body\r\n"))))
        c.quit()
        expect_eq(len(set(ids)), 5, "distinct report IDs %r" % ids)
        for i, rid in enumerate(ids):
            expect_eq(d.show(rid).get("subject"), "message %d" % i,
                      "subject of %s" % rid)
        expect_eq(d.report_count(), 5, "reports")


def test_dot_stuffed_lines_unstuffed_in_store():
    from test_smtp_common import raw_message
    with Daemon() as d:
        body = ".leading dot\r\n..two dots\r\nmiddle . dot\r\n.\tdot tab\r\n"
        rid = send_one(d, message=make_message(subject="dots", body=body))
        raw = raw_message(d, rid)
        expect(b"\r\n.leading dot\r\n..two dots\r\nmiddle . dot\r\n.\tdot tab\r\n"
               in raw, "stored message is not the unstuffed original: %r"
               % raw[-200:])


def test_swaks_plain_delivery():
    with Daemon() as d:
        r = swaks(d.ports["smtp"], "--to", MAILBOX, "--from", "a@b.example",
                  "--header", "Subject: swaks plain 4410",
                  "--body", "Scan from 203.0.113.77 against our network")
        out = r.stdout + r.stderr
        expect(r.returncode == 0, "swaks exit %d:\n%s" % (r.returncode, out[-2000:]))
        ids = ids_in_swaks_output(out)
        expect_eq(len(ids), 1, "report IDs in swaks output (%s)" % out[-1500:])
        expect_eq(d.show(ids[0]).get("subject"), "swaks plain 4410", "subject")


def test_swaks_relay_refused():
    with Daemon() as d:
        r = swaks(d.ports["smtp"], "--to", "victim@gmail.com",
                  "--from", "a@b.example", "--body", "relay me")
        out = r.stdout + r.stderr
        expect(r.returncode != 0, "swaks relaying succeeded:\n%s" % out[-2000:])
        expect(re.search(r"<\*\*\s+550 5\.1\.1", out),
               "no 550 5.1.1 in swaks output:\n%s" % out[-2000:])
        expect_eq(d.report_count(), 0, "reports")
