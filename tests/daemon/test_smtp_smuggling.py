"""SMTP smuggling: only CRLF "." CRLF ends a message. A message that hides
a second transaction behind a bare-CR/LF "end of data" look-alike is stored
as one message, containing the hidden text, and answered with one 250."""

import time
import uuid

from harness import Daemon, expect, expect_eq
from test_smtp_common import (ACCEPT_RE, MAILBOX, SmtpClient, code_of,
                              expect_reply, raw_message, wait_closed_or_fail)

# name -> the fake end of data
VARIANTS = [
    ("LF.LF", b"\n.\n"),
    ("CR.CR", b"\r.\r"),
    ("LF.CRLF", b"\n.\r\n"),
    ("CRLF.LF", b"\r\n.\n"),
    ("CRLF.CR", b"\r\n.\r"),
    ("CR.LF", b"\r.\n"),
    ("CRLF.CRCR", b"\r\n.\r\r"),
    ("LFLF.LFLF", b"\n\n.\n\n"),
]


def _smuggling_message(fake_end, tag):
    hidden = (b"MAIL FROM:<x@evil.example>\r\n"
              b"RCPT TO:<ir@test.example>\r\n"
              b"DATA\r\n"
              b"From: ceo@bank.example\r\n"
              b"Subject: smuggled " + tag + b"\r\n"
              b"\r\n"
              b"hidden message " + tag)
    first = (b"From: reporter@isp.example\r\nTo: ir@test.example\r\n"
             b"Subject: carrier " + tag + b"\r\n\r\n"
             b"visible text " + tag)
    return first, fake_end, hidden + b"\r\n.\r\n"


def _run_variant(d, name, fake_end, split):
    """One session; returns a list of problems (empty: fine)."""
    tag = uuid.uuid4().hex[:12].encode()
    first, fake, rest = _smuggling_message(fake_end, tag)
    problems = []
    before = d.report_count()
    c = SmtpClient(d)
    try:
        c.ehlo()
        expect_reply(c.mail("reporter@isp.example"), "250 2.1.0", "MAIL")
        expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT")
        r = c.cmd("DATA")
        expect(code_of(r) == 354, "DATA: %r" % r)
        if split:
            # the fake end split across writes, byte by byte
            c.send_raw(first)
            for i in range(len(fake)):
                time.sleep(0.02)
                c.send_raw(fake[i:i + 1])
            time.sleep(0.02)
            c.send_raw(rest + b"QUIT\r\n")
        else:
            c.send_raw(first + fake + rest + b"QUIT\r\n")
        lines = wait_closed_or_fail(c, 15, "variant %s" % name)
    finally:
        c.close()
    accepted = [l for l in lines if ACCEPT_RE.match(l)]
    if len(accepted) != 1:
        problems.append("%s: %d '250 2.0.0' replies, want 1: %r"
                        % (name, len(accepted), lines))
    if any(l.startswith("354") for l in lines):
        problems.append("%s: a smuggled DATA was answered 354: %r" % (name, lines))
    if not lines or not lines[-1].startswith("221"):
        problems.append("%s: last reply %r, want 221" % (name, lines[-1:]))
    if len(lines) != 2:
        problems.append("%s: replies %r, want one 250 then 221" % (name, lines))
    after = d.report_count()
    if after - before != 1:
        problems.append("%s: %d reports stored for one message"
                        % (name, after - before))
    if accepted:
        rid = ACCEPT_RE.match(accepted[0]).group(1)
        raw = raw_message(d, rid)
        for piece in (b"visible text " + tag, b"MAIL FROM:<x@evil.example>",
                      b"hidden message " + tag):
            if piece not in raw:
                problems.append("%s: stored message lacks %r (raw ends %r)"
                                % (name, piece, raw[-300:]))
        rep = d.show(rid)
        if rep.get("subject") != "carrier " + tag.decode():
            problems.append("%s: subject %r" % (name, rep.get("subject")))
    return problems


def _all_variants(split):
    with Daemon() as d:
        problems = []
        for name, fake in VARIANTS:
            problems.extend(_run_variant(d, name, fake, split))
        expect(not problems, "\n".join(problems))


def test_smuggling_variants_in_one_write():
    _all_variants(split=False)


def test_smuggling_variants_split_across_writes():
    _all_variants(split=True)


def test_smuggling_then_real_second_message():
    """After a message carrying a fake end, the same session sends a real
    second message: exactly two 250s, two reports."""
    with Daemon() as d:
        tag = uuid.uuid4().hex[:8].encode()
        first, fake, rest = _smuggling_message(b"\n.\n", tag)
        c = SmtpClient(d)
        c.ehlo()
        c.send_raw(b"MAIL FROM:<a@isp.example>\r\nRCPT TO:<ir@test.example>\r\n"
                   b"DATA\r\n" + first + fake + rest +
                   b"MAIL FROM:<b@isp.example>\r\nRCPT TO:<ir@test.example>\r\n"
                   b"DATA\r\nSubject: honest second\r\n\r\nreal\r\n.\r\nQUIT\r\n")
        lines = wait_closed_or_fail(c, 15, "two messages")
        c.close()
        codes = [l[:3] for l in lines]
        expect_eq(codes, ["250", "250", "354", "250", "250", "250", "354",
                          "250", "221"], "reply codes (%r)" % lines)
        ids = [ACCEPT_RE.match(l).group(1) for l in lines if ACCEPT_RE.match(l)]
        expect_eq(len(ids), 2, "accepted messages")
        expect_eq(d.show(ids[1]).get("subject"), "honest second", "second subject")
        expect_eq(d.report_count(), 2, "reports")

