"""The store cannot write: a full disk, or the [store] max_size quota.

Promise: nothing acknowledged is lost; while the store cannot commit, every
submitter hears a temporary failure (ILP 451, SMTP 451 4.3.0), nothing is
half-written, every other client is still served, and the daemon recovers
by itself when space comes back.
"""
import os
import smtplib
import subprocess

from harness import (Daemon, Skip, expect, expect_eq, parse_report_reply,
                     report_line)

BIG = "x" * 8000		# one report of ~8 KB fills pages fast


def _fill_until_tempfail(c, prefix, limit=3000, description=BIG):
    """REPORT until the first 4xx; returns (accepted ids, the 4xx reply)."""
    accepted = []
    for i in range(limit):
        reply = c.cmd(report_line(category="spam", description=description,
                                  external_id="%s-%d" % (prefix, i),
                                  source_ip="203.0.113.%d" % (i % 250 + 1)))
        if reply.startswith("4"):
            return accepted, reply
        expect(reply.startswith("250 "), "REPORT %d: %r" % (i, reply))
        accepted.append(parse_report_reply(reply)[0])
    raise AssertionError("no temporary failure after %d reports" % limit)


def _smtp_reply_code(d):
    """Deliver one message; the final reply code (250 or 451...)."""
    s = smtplib.SMTP("127.0.0.1", d.ports["smtp"], timeout=20)
    try:
        s.ehlo("full.test.example")
        s.mail("a@isp.example")
        s.rcpt("ir@test.example")
        code, _ = s.data(("Subject: while full\r\n\r\n" + BIG).encode())
        return code
    finally:
        try:
            s.quit()
        except smtplib.SMTPException:
            pass


def test_quota_full_gives_451_and_recovers_after_restart():
    with Daemon({"store": {"max_size": "2M"}}) as d:
        tok = d.token("filler")
        c = d.authed_client(tok)
        accepted, reply = _fill_until_tempfail(c, "q")
        expect(reply.startswith("451 "), "temporary failure: %r" % reply)
        expect(len(accepted) > 10, "only %d accepted before full"
               % len(accepted))
        # the daemon still serves: this session and a new one
        expect_eq(c.ping(), "250 pong", "PING on the full store")
        c2 = d.authed_client(tok)
        expect_eq(c2.ping(), "250 pong", "PING, new session")
        expect_eq(_smtp_reply_code(d), 451, "SMTP while full")
        c.close()
        c2.close()
        expect_eq(d.stop(), 0, "exit after running full")
        # more room: everything acknowledged is there, submissions work
        d.config["store"]["max_size"] = "0"
        d.write_config()
        d.start()
        for rid in accepted[:: max(1, len(accepted) // 20)] + accepted[-1:]:
            expect_eq(d.show(rid).get("id"), rid, "acknowledged report")
        expect_eq(d.report_count(), len(accepted), "reports stored")
        c = d.authed_client(tok)
        r = c.cmd(report_line(category="spam", description="after",
                              external_id="after-restart"))
        expect(r.startswith("250 "), "after more room: %r" % r)
        c.close()


def test_disk_full_then_space_returns():
    if os.geteuid() != 0:
        raise Skip("needs root to mount a small tmpfs")
    d = Daemon(start=False)
    mnt = d.data_dir
    os.makedirs(mnt, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700",
                        "tmpfs", mnt], capture_output=True)
    if r.returncode != 0:
        raise Skip("cannot mount tmpfs: %s" % r.stderr.decode().strip())
    try:
        with d:
            d.start()
            tok = d.token("filler")
            # leave ~1.5 MB for the database, then fill that
            filler = os.path.join(mnt, "filler")
            with open(filler, "wb") as f:
                f.write(b"\0" * (2 * 1024 * 1024))
            c = d.authed_client(tok)
            accepted, reply = _fill_until_tempfail(c, "disk")
            expect(reply.startswith("451 "), "disk full: %r" % reply)
            # what the big report that failed had written is free again:
            # small reports take it, so no message of any size fits
            more, reply = _fill_until_tempfail(c, "disk-small",
                                               description="small")
            accepted += more
            expect(reply.startswith("451 "), "disk full: %r" % reply)
            expect_eq(c.ping(), "250 pong", "PING with the disk full")
            expect_eq(_smtp_reply_code(d), 451, "SMTP with the disk full")
            # space comes back: the same daemon recovers by itself
            os.unlink(filler)
            r = c.cmd(report_line(category="spam", description="recovered",
                                  external_id="recovered"))
            expect(r.startswith("250 "), "after space returned: %r" % r)
            accepted.append(parse_report_reply(r)[0])
            expect_eq(_smtp_reply_code(d), 250, "SMTP after space returned")
            c.close()
            expect_eq(d.stop(), 0, "exit")
            d.start()
            for rid in accepted[:: max(1, len(accepted) // 20)] + accepted[-1:]:
                expect_eq(d.show(rid).get("id"), rid, "acknowledged report")
    finally:
        subprocess.run(["umount", "-l", mnt], capture_output=True)
