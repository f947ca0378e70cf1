"""SMTP crash safety: SIGKILL while several clients deliver; after a restart
on the same data directory every message that got its 250 is there."""

import threading
import time

from harness import ConnectionClosed, Daemon, expect, expect_eq, scale
from test_smtp_common import (ACCEPT_RE, MAILBOX, SmtpClient, code_of,
                              crlf, dot_stuff, make_message, send_one)

WORKERS = 4
PER_WORKER = 400        # upper bound; the kill comes long before


def _burst_and_kill(d, kill_after):
    acked = [dict() for _ in range(WORKERS)]     # report ID -> subject
    errors = []
    ready = threading.Barrier(WORKERS + 1)

    def worker(k):
        try:
            c = SmtpClient(d, timeout=20)
            c.ehlo()
        except Exception as e:
            errors.append("worker %d: %r" % (k, e))
            ready.abort()
            return
        try:
            ready.wait(scale(20))
        except threading.BrokenBarrierError:
            return
        try:
            for i in range(PER_WORKER):
                subject = "crash %d-%d" % (k, i)
                msg = dot_stuff(crlf(make_message(subject=subject,
                                                  body="event %d of worker %d\r\n"
                                                  % (i, k))))
                # the whole transaction in one write (PIPELINING)
                c.send_raw(b"MAIL FROM:<w%d@isp.example>\r\nRCPT TO:<%s>\r\n"
                           b"DATA\r\n" % (k, MAILBOX.encode()) + msg + b".\r\n")
                r = [c.read_reply(20) for _ in range(4)]
                if [code_of(x) for x in r[:3]] != [250, 250, 354]:
                    errors.append("worker %d message %d: %r" % (k, i, r))
                    break
                m = ACCEPT_RE.match(r[3])
                if m:
                    acked[k][m.group(1)] = subject
                elif not r[3].startswith("4"):
                    errors.append("worker %d message %d: %r" % (k, i, r[3]))
                    break
        except (ConnectionClosed, TimeoutError, OSError):
            pass        # the kill
        finally:
            c.close()

    ts = [threading.Thread(target=worker, args=(k,), daemon=True)
          for k in range(WORKERS)]
    for t in ts:
        t.start()
    try:
        ready.wait(scale(20))
    except threading.BrokenBarrierError:
        raise AssertionError("workers did not start: %s" % "; ".join(errors[:5]))
    deadline = time.monotonic() + scale(30)
    while (sum(len(a) for a in acked) < kill_after and
           time.monotonic() < deadline and not errors):
        time.sleep(0.005)
    d.kill9()
    for t in ts:
        t.join(scale(30))
    expect(not any(t.is_alive() for t in ts), "a worker is still running")
    expect(not errors, "; ".join(errors[:5]))
    return acked


def test_kill9_mid_burst_loses_no_acknowledged_message():
    with Daemon() as d:
        acked = _burst_and_kill(d, kill_after=60)
        total = sum(len(a) for a in acked)
        expect(total >= 60, "only %d acknowledgements before the kill" % total)
        d.start()
        missing = []
        for a in acked:
            for rid, subject in a.items():
                try:
                    got = d.show(rid).get("subject")
                except AssertionError as e:
                    got = "(show failed: %s)" % str(e)[:120]
                if got != subject:
                    missing.append((rid, subject, got))
        expect(not missing, "%d of %d acknowledged messages lost or changed "
               "after kill -9: %r" % (len(missing), total, missing[:5]))
        expect(d.report_count() >= total, "reports after restart: %d < %d acked"
               % (d.report_count(), total))
        # and the restarted daemon takes mail again
        rid = send_one(d, subject="after the crash")
        expect_eq(d.show(rid).get("subject"), "after the crash", "subject")


def test_kill9_with_message_half_sent():
    """A message cut by the kill is not stored; nothing is half-stored."""
    with Daemon() as d:
        first = send_one(d, subject="before the half message")
        c = SmtpClient(d)
        c.ehlo()
        c.mail("a@b.example")
        c.rcpt(MAILBOX)
        c.cmd("DATA")
        c.send_raw(b"Subject: half\r\n\r\nonly half of it")
        time.sleep(0.2)
        d.kill9()
        c.close()
        d.start()
        expect_eq(d.report_count(), 1, "reports after the restart")
        expect_eq(d.show(first).get("subject"), "before the half message", "subject")
