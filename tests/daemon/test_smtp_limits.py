"""SMTP bounds ([smtp] max_message, max_recipients, idle_timeout,
max_per_ip, max_sessions; command line length, errors per session, header
size): each gets its reply, the session or the daemon goes on serving."""

import socket
import threading
import time

from harness import ConnectionClosed, Daemon, expect, expect_eq, scale, wait_until
from test_smtp_common import (MAILBOX, SmtpClient, accepted_id, code_of,
                              expect_reply, make_message, send_one,
                              wait_closed_or_fail)

LIMITS = {"smtp": {"max_message": "64k", "max_recipients": "3",
                   "idle_timeout": "2s", "max_per_ip": "5",
                   "mailboxes": "ir@test.example, abuse@test.example, "
                                "cert@test.example, soc@test.example, "
                                "noc@test.example"}}


def _limits(**extra):
    o = {"smtp": dict(LIMITS["smtp"])}
    o["smtp"].update(extra)
    return o


def _big_body(nbytes):
    line = b"x" * 76 + b"\r\n"
    return line * (nbytes // len(line) + 1)


def test_size_announced_from_config():
    with Daemon(_limits()) as d:
        c = SmtpClient(d)
        c.ehlo()
        expect(c.extensions.get("SIZE") in ("65536", "64000"),
               "SIZE for max_message = 64k: %r" % c.extensions.get("SIZE"))
        expect_reply(c.mail("a@b.example", "SIZE=70000"), "552 5.3.4",
                     "SIZE=70000 over 64k")
        expect_reply(c.mail("a@b.example", "SIZE=1000"), "250 2.1.0", "SIZE=1000")
        c.quit()


def test_message_over_max_then_session_continues():
    with Daemon(_limits()) as d:
        c = SmtpClient(d)
        c.ehlo()
        expect_reply(c.mail("a@b.example"), "250 2.1.0", "MAIL")
        expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT")
        r = c.data(make_message(subject="too big", body=_big_body(100 * 1024)))
        expect_reply(r, "552 5.3.4", "message of 100 KB over 64k")
        # the session goes on: a small message is accepted
        expect_reply(c.mail("a@b.example"), "250 2.1.0", "MAIL after 552")
        expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT after 552")
        rid = accepted_id(c.data(make_message(subject="small after big")))
        c.quit()
        expect_eq(d.report_count(), 1, "reports (the big one is not stored)")
        expect_eq(d.show(rid).get("subject"), "small after big", "subject")


def test_message_just_under_max_accepted():
    with Daemon(_limits()) as d:
        msg = make_message(subject="just under", body=_big_body(50 * 1024))
        expect(len(msg) < 64000, "test message too large")
        rid = send_one(d, message=msg)
        expect_eq(d.show(rid).get("subject"), "just under", "subject")


def test_fourth_recipient_refused():
    with Daemon(_limits()) as d:
        c = SmtpClient(d)
        c.ehlo()
        expect_reply(c.mail("a@b.example"), "250 2.1.0", "MAIL")
        for addr in ("ir@test.example", "abuse@test.example", "cert@test.example"):
            expect_reply(c.rcpt(addr), "250 2.1.5", "RCPT %s" % addr)
        expect_reply(c.rcpt("soc@test.example"), "452 4.5.3", "4th RCPT")
        expect_reply(c.rcpt("noc@test.example"), "452 4.5.3", "5th RCPT")
        # the three accepted ones still make a transaction
        rid = accepted_id(c.data(make_message(subject="three recipients")))
        c.quit()
        expect_eq(d.show(rid).get("subject"), "three recipients", "subject")


def test_command_line_too_long():
    with Daemon(_limits()) as d:
        c = SmtpClient(d)
        c.ehlo()
        for n in (1001, 1200, 5000):
            r = c.cmd("NOOP " + "x" * n)
            expect_reply(r, "500 5.5.2", "command of %d bytes" % (n + 5))
            expect("too long" in r, "reply names the problem: %r" % r)
            expect_reply(c.cmd("NOOP"), "250", "NOOP after a long line")
        # a long MAIL line does not start a transaction
        r = c.cmd("MAIL FROM:<" + "a" * 1100 + "@b.example>")
        expect(code_of(r) == 500, "long MAIL: %r" % r)
        expect_reply(c.rcpt(MAILBOX), "503 5.5.1", "RCPT after a refused MAIL")
        rid = accepted_id(_tx(c, "after long lines"))
        c.quit()
        expect_eq(d.show(rid).get("subject"), "after long lines", "subject")


def _tx(c, subject):
    expect_reply(c.mail("a@b.example"), "250 2.1.0", "MAIL")
    expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT")
    return c.data(make_message(subject=subject))


def test_megabyte_without_newline():
    with Daemon(_limits()) as d:
        c = SmtpClient(d)
        c.ehlo()
        chunk = b"A" * 65536
        try:
            for _ in range(16):
                c.send_raw(chunk)
        except OSError:
            pass        # the daemon may close on us: fine
        try:
            r = c.read_reply(10)
            expect(code_of(r) in (500, 421), "1 MB without newline: %r" % r)
        except ConnectionClosed:
            pass
        c.close()
        # others are served
        rid = send_one(d, subject="after the flood")
        expect_eq(d.show(rid).get("subject"), "after the flood", "subject")


def test_ten_bad_commands_close_the_session():
    with Daemon(_limits()) as d:
        c = SmtpClient(d)
        c.ehlo()
        c.send_raw(b"".join(b"BOGUS%d\r\n" % i for i in range(12)))
        lines = wait_closed_or_fail(c, 10, "after 12 bad commands")
        c.close()
        expect(lines and lines[-1].startswith("421 "),
               "last reply is not 421: %r" % lines)
        n500 = sum(1 for l in lines if l.startswith("500 5.5.2"))
        expect(n500 in (9, 10), "500 replies before the 421: %d (%r)" % (n500, lines))
        expect_eq(len(lines), n500 + 1, "replies %r" % lines)
        # one at a time, waiting for each reply
        c = SmtpClient(d)
        c.ehlo()
        got421 = False
        for i in range(10):
            c.send_line("BOGUS")
            r = c.read_reply()
            if r.startswith("421 "):
                got421 = True
                expect(i == 9, "421 after only %d bad commands" % (i + 1))
                break
            expect_reply(r, "500 5.5.2", "bad command %d" % (i + 1))
        if not got421:
            try:
                got421 = c.read_reply(5).startswith("421 ")
            except (ConnectionClosed, TimeoutError):
                pass
        expect(got421, "no 421 after the 10th bad command")
        wait_closed_or_fail(c, 5, "after the 421")
        c.close()
        send_one(d, subject="still serving")


def test_idle_session_closed():
    with Daemon(_limits()) as d:
        c = SmtpClient(d)
        c.ehlo()
        t0 = time.monotonic()
        r = c.read_reply(8)
        dt = time.monotonic() - t0
        expect_reply(r, "421 4.4.2", "idle reply")
        expect(dt >= 1.5, "closed after %.1fs, before the 2s idle timeout" % dt)
        wait_closed_or_fail(c, 5, "after the idle 421")
        c.close()
        # a session that keeps talking is not cut: 4 NOOPs 1s apart
        c = SmtpClient(d)
        c.ehlo()
        for _ in range(4):
            time.sleep(1.0)
            expect_reply(c.cmd("NOOP"), "250", "NOOP in an active session")
        c.quit()


def test_idle_in_the_middle_of_data():
    with Daemon(_limits()) as d:
        c = SmtpClient(d)
        c.ehlo()
        expect_reply(c.mail("a@b.example"), "250 2.1.0", "MAIL")
        expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT")
        expect(code_of(c.cmd("DATA")) == 354, "DATA")
        c.send_raw(b"Subject: half a message\r\n\r\nand then silence")
        r = c.read_reply(8)
        expect_reply(r, "421 4.4.2", "idle during DATA")
        wait_closed_or_fail(c, 5, "after the idle 421")
        c.close()
        expect_eq(d.report_count(), 0, "half a message stored")


def test_idle_session_closed_inside_tls():
    """The idle bound still holds once STARTTLS has replaced the socket's
    bufferevent."""
    with Daemon(_limits()) as d:
        c = SmtpClient(d)
        c.ehlo()
        c.starttls()
        c.ehlo()
        t0 = time.monotonic()
        try:
            r = c.read_reply(8)
        except ConnectionClosed:
            r = "(closed without a reply)"
        dt = time.monotonic() - t0
        expect_reply(r, "421 4.4.2", "idle reply inside TLS")
        expect(dt >= 1.5, "closed after %.1fs, before the 2s idle timeout" % dt)
        wait_closed_or_fail(c, 5, "after the idle 421 inside TLS")
        c.close()


def test_idle_during_tls_handshake():
    """A client that says STARTTLS and then never starts the handshake is
    closed too."""
    with Daemon(_limits()) as d:
        c = SmtpClient(d)
        c.ehlo()
        expect_reply(c.cmd("STARTTLS"), "220 2.0.0", "STARTTLS")
        t0 = time.monotonic()
        c.sock.settimeout(scale(10))
        closed = False
        try:
            while time.monotonic() - t0 < scale(10):
                if not c.sock.recv(4096):
                    closed = True
                    break
        except OSError:
            closed = True
        c.close()
        expect(closed, "a stalled TLS handshake was not closed within 10s")
        send_one(d, subject="after the stalled handshake")


def _refused_421(port, source=None):
    c = SmtpClient(port, greeting=False, source=source)
    try:
        try:
            r = c.read_reply(5)
        except ConnectionClosed:
            raise AssertionError("connection over the cap closed without a reply")
        expect(r.startswith("421 "), "over the cap: %r, want 421" % r)
        wait_closed_or_fail(c, 5, "over the cap")
        return r
    finally:
        c.close()


def _can_bind(addr):
    try:
        s = socket.socket()
        s.bind((addr, 0))
        s.close()
        return True
    except OSError:
        return False


def test_per_ip_cap():
    with Daemon(_limits(idle_timeout="30s")) as d:
        conns = [SmtpClient(d) for _ in range(5)]
        _refused_421(d.ports["smtp"])
        for i, c in enumerate(conns):
            expect_reply(c.cmd("NOOP"), "250", "NOOP on connection %d" % i)
        if _can_bind("127.0.0.2"):
            other = SmtpClient(d, source="127.0.0.2")
            other.ehlo()
            other.quit()
        conns[0].quit()

        def slot_free():
            c = SmtpClient(d.ports["smtp"], greeting=False)
            try:
                r = c.read_reply(5)
                if r.startswith("220 "):
                    c.ehlo()
                    rid = c.send_message("a@b.example", [MAILBOX],
                                         make_message(subject="slot freed"))
                    c.quit()
                    return rid
                return None
            except (ConnectionClosed, OSError):
                return None
            finally:
                c.close()

        rid = wait_until(slot_free, scale(5), interval=0.1, what="a free slot")
        expect_eq(d.show(rid).get("subject"), "slot freed", "subject")
        for c in conns[1:]:
            c.quit()


def test_max_sessions():
    with Daemon(_limits(idle_timeout="30s", max_per_ip="100",
                        max_sessions="3")) as d:
        conns = [SmtpClient(d) for _ in range(3)]
        _refused_421(d.ports["smtp"])
        for c in conns:
            c.ehlo()
        conns[1].quit()
        wait_until(lambda: _greeted(d), scale(5), interval=0.1,
                   what="a session slot after QUIT")
        for c in (conns[0], conns[2]):
            c.quit()


def _greeted(d):
    try:
        c = SmtpClient(d.ports["smtp"], greeting=False)
    except OSError:
        return False
    try:
        return c.read_reply(5).startswith("220 ")
    except (ConnectionClosed, OSError, TimeoutError):
        return False
    finally:
        c.close()


def test_huge_header_block_refused():
    """More than 256 KB of header lines (each one short) -> 552; the
    session goes on."""
    with Daemon(_limits(max_message="2M")) as d:
        c = SmtpClient(d)
        c.ehlo()
        hdr = b"".join(b"X-Filler-%04d: %s\r\n" % (i, b"h" * 900) for i in range(300))
        expect(len(hdr) > 256 * 1024, "test header block too small")
        msg = (b"From: a@b.example\r\nTo: ir@test.example\r\nSubject: big headers\r\n"
               + hdr + b"\r\nbody\r\n")
        expect_reply(c.mail("a@b.example"), "250 2.1.0", "MAIL")
        expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT")
        r = c.data(msg)
        expect_reply(r, "552", "header block of %d bytes" % len(hdr))
        expect(r.startswith("552 5."), "enhanced code of the 552: %r" % r)
        rid = accepted_id(_tx(c, "after big headers"))
        c.quit()
        expect_eq(d.report_count(), 1, "reports")
        expect_eq(d.show(rid).get("subject"), "after big headers", "subject")


def test_large_body_with_small_headers_accepted():
    """The header bound is not a body bound: 1 MB of body is fine when
    max_message allows it."""
    with Daemon(_limits(max_message="2M")) as d:
        rid = send_one(d, message=make_message(subject="big body",
                                                body=_big_body(1024 * 1024)))
        expect_eq(d.show(rid).get("subject"), "big body", "subject")


def test_others_served_during_abuse():
    """While one client streams an oversized message slowly, another sends
    junk and a third holds an idle session, a normal client is answered
    promptly."""
    with Daemon(_limits(idle_timeout="10s", max_per_ip="20")) as d:
        stop = threading.Event()
        errors = []

        def slow_big():
            try:
                c = SmtpClient(d)
                c.ehlo()
                c.mail("big@b.example")
                c.rcpt(MAILBOX)
                c.cmd("DATA")
                chunk = b"y" * 998 + b"\r\n"
                end = time.monotonic() + scale(4)
                while not stop.is_set() and time.monotonic() < end:
                    c.send_raw(chunk * 20)
                    time.sleep(0.01)
                c.close()
            except OSError:
                pass
            except Exception as e:
                errors.append(e)

        def junk():
            try:
                end = time.monotonic() + scale(4)
                while not stop.is_set() and time.monotonic() < end:
                    c = SmtpClient(d, greeting=False)
                    c.send_raw(b"\x00\xff" * 300 + b"\r\n" + b"Z" * 3000 + b"\r\n")
                    c.wait_closed(0.3)
                    c.close()
            except OSError:
                pass
            except Exception as e:
                errors.append(e)

        idle = SmtpClient(d)
        ts = [threading.Thread(target=slow_big, daemon=True),
              threading.Thread(target=junk, daemon=True)]
        for t in ts:
            t.start()
        try:
            time.sleep(0.3)
            for i in range(3):
                t0 = time.monotonic()
                rid = send_one(d, subject="served %d" % i)
                dt = time.monotonic() - t0
                expect(dt < scale(3), "a normal transaction took %.1fs" % dt)
                expect_eq(d.show(rid).get("subject"), "served %d" % i, "subject")
        finally:
            stop.set()
            for t in ts:
                t.join(scale(10))
        idle.close()
        expect(not errors, "helper threads: %r" % errors)
