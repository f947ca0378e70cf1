"""SMTP under concurrency: 200 sessions at once, each delivering one
message; every one gets its own report ID, and every ID is in the store."""

import threading
import time

from harness import Daemon, expect, expect_eq, scale
from test_smtp_common import MAILBOX, SmtpClient, make_message

SESSIONS = 200

CONFIG = {"smtp": {"max_per_ip": "400", "max_sessions": "600",
                   "idle_timeout": "60s"}}


def _deliver(d, i, barrier, out, errors):
    try:
        c = SmtpClient(d, timeout=60)
    except Exception as e:
        errors.append("session %d: connect: %r" % (i, e))
        barrier.abort()
        return
    try:
        c.ehlo("c%d.test.example" % i)
        try:
            barrier.wait(scale(60))
        except threading.BrokenBarrierError:
            errors.append("session %d: barrier broken" % i)
            return
        out[i] = c.send_message(
            "sender%d@isp.example" % i, [MAILBOX],
            make_message(subject="concurrent %d" % i,
                         body="Scan from 203.0.%d.%d\r\n" % (i // 250, i % 250 + 1)))
        c.quit()
    except Exception as e:
        errors.append("session %d: %s: %s" % (i, type(e).__name__, e))
    finally:
        c.close()


def test_200_concurrent_sessions():
    with Daemon(CONFIG) as d:
        out = {}
        errors = []
        barrier = threading.Barrier(SESSIONS)
        ts = [threading.Thread(target=_deliver, args=(d, i, barrier, out, errors),
                               daemon=True) for i in range(SESSIONS)]
        t0 = time.monotonic()
        for t in ts:
            t.start()
        for t in ts:
            t.join(max(0.1, t0 + scale(90) - time.monotonic()))
        expect(not any(t.is_alive() for t in ts), "sessions still running after 90s")
        expect(not errors, "%d sessions failed: %s" % (len(errors), "; ".join(errors[:5])))
        expect_eq(len(out), SESSIONS, "accepted messages")
        ids = list(out.values())
        expect_eq(len(set(ids)), SESSIONS, "distinct report IDs")
        expect_eq(d.report_count(), SESSIONS, "reports in queue --all")
        # every ID is in the store with its own subject (4 intakectl at a time)
        missing = []
        lock = threading.Lock()
        items = sorted(out.items())

        def check(k):
            for i, rid in items[k::4]:
                try:
                    subj = d.show(rid).get("subject")
                    ok = subj == "concurrent %d" % i
                except AssertionError as e:
                    ok, subj = False, str(e)[:200]
                if not ok:
                    with lock:
                        missing.append((i, rid, subj))

        cs = [threading.Thread(target=check, args=(k,), daemon=True) for k in range(4)]
        for t in cs:
            t.start()
        for t in cs:
            t.join(scale(120))
        expect(not missing, "%d reports not found as sent: %r"
               % (len(missing), missing[:5]))
