"""SMTP PIPELINING (RFC 2920): commands sent in one write are answered in
order; whole messages pipelined back to back each get their own 250."""

import re
import threading

from harness import Daemon, expect, expect_eq, scale
from test_smtp_common import (MAILBOX, SmtpClient, accepted_id, code_of,
                              crlf, dot_stuff, expect_reply,
                              ids_in_swaks_output, make_message, swaks)


def _read_n(c, n, timeout=30):
    return [c.read_reply(timeout) for _ in range(n)]


def test_envelope_in_one_write():
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        expect("PIPELINING" in c.extensions, "PIPELINING not offered")
        c.send_raw(b"MAIL FROM:<a@b.example>\r\nRCPT TO:<ir@test.example>\r\n"
                   b"RCPT TO:<abuse@test.example>\r\nDATA\r\n")
        r = _read_n(c, 4)
        expect_reply(r[0], "250 2.1.0", "pipelined MAIL")
        expect_reply(r[1], "250 2.1.5", "pipelined RCPT 1")
        expect_reply(r[2], "250 2.1.5", "pipelined RCPT 2")
        expect(code_of(r[3]) == 354, "pipelined DATA: %r" % r[3])
        rid = accepted_id(c.send_data(make_message(subject="pipelined envelope")))
        c.quit()
        expect_eq(d.show(rid).get("subject"), "pipelined envelope", "subject")


def test_refused_recipient_in_pipeline():
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        c.send_raw(b"MAIL FROM:<a@b.example>\r\nRCPT TO:<victim@gmail.com>\r\n"
                   b"RCPT TO:<ir@test.example>\r\nRCPT TO:<x@test.example>\r\n"
                   b"DATA\r\n")
        r = _read_n(c, 5)
        expect_reply(r[0], "250 2.1.0", "MAIL")
        expect_reply(r[1], "550 5.1.1", "relay RCPT")
        expect_reply(r[2], "250 2.1.5", "good RCPT")
        expect_reply(r[3], "550 5.1.1", "unknown local RCPT")
        expect(code_of(r[4]) == 354, "DATA: %r" % r[4])
        accepted_id(c.send_data(make_message()))
        c.quit()


def test_all_recipients_refused_in_pipeline_then_data_refused():
    """RFC 2920: the DATA of a pipeline whose RCPTs all failed is refused,
    and the message text that follows is not taken as a message."""
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        c.send_raw(b"MAIL FROM:<a@b.example>\r\nRCPT TO:<victim@gmail.com>\r\n"
                   b"DATA\r\nRSET\r\nNOOP\r\n")
        r = _read_n(c, 5)
        expect_reply(r[0], "250 2.1.0", "MAIL")
        expect_reply(r[1], "550 5.1.1", "relay RCPT")
        expect(code_of(r[2]) in (503, 554), "DATA: %r" % r[2])
        expect_reply(r[3], "250", "RSET")
        expect_reply(r[4], "250", "NOOP")
        c.quit()
        expect_eq(d.report_count(), 0, "reports")


def test_two_messages_in_one_write():
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        m1 = dot_stuff(crlf(make_message(subject="pipelined one",
                                         body=".dot line\r\nfirst\r\n")))
        m2 = dot_stuff(crlf(make_message(subject="pipelined two", body="second\r\n")))
        blob = (b"MAIL FROM:<one@isp.example>\r\nRCPT TO:<ir@test.example>\r\n"
                b"DATA\r\n" + m1 + b".\r\nRSET\r\n"
                b"MAIL FROM:<two@isp.example>\r\nRCPT TO:<abuse@test.example>\r\n"
                b"DATA\r\n" + m2 + b".\r\nQUIT\r\n")
        c.send_raw(blob)
        r = _read_n(c, 10)
        expect_reply(r[0], "250 2.1.0", "MAIL 1")
        expect_reply(r[1], "250 2.1.5", "RCPT 1")
        expect(code_of(r[2]) == 354, "DATA 1: %r" % r[2])
        id1 = accepted_id(r[3], "end of message 1")
        expect_reply(r[4], "250", "RSET")
        expect_reply(r[5], "250 2.1.0", "MAIL 2")
        expect_reply(r[6], "250 2.1.5", "RCPT 2")
        expect(code_of(r[7]) == 354, "DATA 2: %r" % r[7])
        id2 = accepted_id(r[8], "end of message 2")
        expect_reply(r[9], "221", "QUIT")
        c.close()
        expect(id1 != id2, "both messages got report ID %s" % id1)
        expect_eq(d.show(id1).get("subject"), "pipelined one", "subject 1")
        expect_eq(d.show(id2).get("subject"), "pipelined two", "subject 2")
        expect_eq(d.report_count(), 2, "reports")


def test_many_messages_pipelined_from_a_thread():
    """30 transactions written by one thread while the test reads: every
    reply in order, 30 distinct report IDs."""
    n = 30
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        blob = b""
        for i in range(n):
            blob += (b"MAIL FROM:<p%d@isp.example>\r\nRCPT TO:<ir@test.example>\r\n"
                     b"DATA\r\n" % i)
            blob += dot_stuff(crlf(make_message(subject="batch %d" % i,
                                                body="n=%d\r\n" % i))) + b".\r\n"
        blob += b"QUIT\r\n"
        err = []

        def writer():
            try:
                c.sock.sendall(blob)
            except OSError as e:
                err.append(e)

        t = threading.Thread(target=writer, daemon=True)
        t.start()
        ids = []
        for i in range(n):
            r = _read_n(c, 4, timeout=60)
            expect_reply(r[0], "250 2.1.0", "MAIL %d" % i)
            expect_reply(r[1], "250 2.1.5", "RCPT %d" % i)
            expect(code_of(r[2]) == 354, "DATA %d: %r" % (i, r[2]))
            ids.append(accepted_id(r[3], "message %d" % i))
        expect_reply(c.read_reply(), "221", "QUIT")
        t.join(scale(30))
        expect(not err, "writing the batch: %r" % err)
        c.close()
        expect_eq(len(set(ids)), n, "distinct IDs")
        for i in (0, n // 2, n - 1):
            expect_eq(d.show(ids[i]).get("subject"), "batch %d" % i, "subject %d" % i)
        expect_eq(d.report_count(), n, "reports")


def test_pipelined_commands_over_tls():
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        c.starttls()
        c.ehlo()
        m = dot_stuff(crlf(make_message(subject="pipelined over TLS")))
        c.send_raw(b"MAIL FROM:<a@b.example>\r\nRCPT TO:<ir@test.example>\r\n"
                   b"DATA\r\n" + m + b".\r\nNOOP\r\n")
        r = _read_n(c, 5)
        expect_reply(r[0], "250 2.1.0", "MAIL")
        expect_reply(r[1], "250 2.1.5", "RCPT")
        expect(code_of(r[2]) == 354, "DATA: %r" % r[2])
        rid = accepted_id(r[3])
        expect_reply(r[4], "250 2.0.0", "NOOP")
        c.quit()
        expect_eq(d.show(rid).get("subject"), "pipelined over TLS", "subject")


def test_swaks_pipeline():
    with Daemon() as d:
        r = swaks(d.ports["smtp"], "--to", MAILBOX, "--from", "a@b.example",
                  "--pipeline", "--header", "Subject: swaks pipelined 2207",
                  "--body", "DDoS from 203.0.113.200")
        out = r.stdout + r.stderr
        expect(r.returncode == 0, "swaks --pipeline exit %d:\n%s"
               % (r.returncode, out[-2000:]))
        # swaks sends MAIL, RCPT and DATA together when PIPELINING is offered
        expect(re.search(r"^ -> MAIL FROM:<a@b\.example>\s*$\n^ -> RCPT TO:<ir@test\.example>",
                         out, re.M),
               "swaks did not pipeline:\n%s" % out[-2000:])
        ids = ids_in_swaks_output(out)
        expect_eq(len(ids), 1, "report IDs in swaks output")
        expect_eq(d.show(ids[0]).get("subject"), "swaks pipelined 2207", "subject")


def test_swaks_pipeline_over_tls():
    with Daemon() as d:
        r = swaks(d.ports["smtp"], "--to", MAILBOX, "--from", "a@b.example",
                  "--pipeline", "--tls", "--header", "Subject: swaks tls pipe",
                  "--body", "x")
        out = r.stdout + r.stderr
        expect(r.returncode == 0, "swaks --pipeline --tls exit %d:\n%s"
               % (r.returncode, out[-2000:]))
        ids = ids_in_swaks_output(out)
        expect_eq(len(ids), 1, "report IDs in swaks output")
        expect_eq(d.show(ids[0]).get("subject"), "swaks tls pipe", "subject")
