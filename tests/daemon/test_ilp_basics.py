"""ILP/1 basics: greeting, PING, QUIT, HELP, unknown verbs, case, line
endings, STATUS (SPEC "Line protocol (ILP/1)")."""

import re

from harness import (Daemon, expect, expect_eq, parse_report_reply)

GREETING_RE = re.compile(r"^220 \S+ intaked ILP/1 ready$")


def test_greeting_plain():
    with Daemon() as d:
        c = d.client()
        expect(GREETING_RE.match(c.greeting),
               "greeting %r does not match '220 <hostname> intaked ILP/1 ready'"
               % c.greeting)
        c.close()


def test_ping_pong():
    with Daemon() as d:
        c = d.client()
        expect_eq(c.cmd("PING"), "250 pong", "PING")
        expect_eq(c.cmd("PING"), "250 pong", "second PING")
        c.close()


def test_quit_says_bye_and_closes():
    with Daemon() as d:
        c = d.client()
        expect_eq(c.cmd("QUIT"), "221 bye", "QUIT")
        closed, extra = c.wait_closed(5)
        expect(closed, "server did not close the connection after 221")
        expect_eq(extra, [], "lines after 221 bye")
        c.close()


def test_verbs_are_case_insensitive():
    with Daemon() as d:
        tok = d.token("case-partner")
        c = d.client()
        expect_eq(c.cmd("ping"), "250 pong", "ping")
        expect_eq(c.cmd("PiNg"), "250 pong", "PiNg")
        expect_eq(c.cmd("auth " + tok), "235 authenticated case-partner", "auth")
        r = parse_report_reply(c.cmd("report category=spam source-ip=192.0.2.7"))
        st = c.cmd("status " + r.rid)
        expect(re.match(r"^250 %s \S+$" % re.escape(r.rid), st),
               "status (lower case): %r" % st)
        expect_eq(c.cmd("Quit"), "221 bye", "Quit")
        c.close()


def test_help_is_2xx_and_session_continues():
    with Daemon() as d:
        c = d.client()
        h = c.cmd("HELP")
        expect(h.startswith("2"), "HELP reply %r is not 2xx" % h)
        # a multi-line reply must be complete: the next reply is PING's
        expect_eq(c.cmd("PING"), "250 pong", "PING after HELP")
        c.close()


def test_unknown_verb_is_5xx_and_session_continues():
    with Daemon() as d:
        c = d.client()
        for line in ("FROBNICATE", "FROBNICATE now please", "EHLO x",
                     "PINGPONG", "REPORTS category=spam"):
            r = c.cmd(line)
            expect(re.match(r"^5\d\d ", r), "%r -> %r, want 5xx" % (line, r))
        expect_eq(c.cmd("PING"), "250 pong", "PING after unknown verbs")
        c.close()


def test_bare_lf_and_crlf_line_endings():
    with Daemon() as d:
        c = d.client()
        c.send_raw(b"PING\n")
        expect_eq(c.read_reply(), "250 pong", "PING with bare LF")
        c.send_raw(b"PING\r\n")
        expect_eq(c.read_reply(), "250 pong", "PING with CRLF")
        c.send_raw(b"PING\nPING\r\nPING\n")
        expect_eq(c.read_replies(3), ["250 pong"] * 3, "mixed endings")
        c.close()


def test_line_split_across_segments():
    """A command arriving one byte at a time is still one command."""
    import time
    with Daemon() as d:
        c = d.client()
        for b in b"PING\r\n":
            c.send_raw(bytes([b]))
            time.sleep(0.01)
        expect_eq(c.read_reply(), "250 pong", "PING sent byte by byte")
        c.close()


def test_status_own_report():
    with Daemon() as d:
        tok = d.token("status-partner")
        c = d.authed_client(tok)
        r = c.report_ok(category="phishing", url="http://phish.example/login")
        st = c.status(r.rid)
        m = re.match(r"^250 (\S+) (\S+)$", st)
        expect(m, "STATUS reply %r is not '250 <report-id> <status>'" % st)
        expect_eq(m.group(1), r.rid, "report id in STATUS reply")
        c.close()
        # the same token on another connection sees it too
        c2 = d.authed_client(tok)
        expect_eq(c2.status(r.rid), st, "STATUS from a second session")
        c2.close()


def test_status_unknown_report():
    with Daemon() as d:
        tok = d.token("status-unknown")
        c = d.authed_client(tok)
        r = c.report_ok(category="spam", source_ip="192.0.2.8")
        expect_eq(c.status("IR-19700101-999999"), "550 unknown report",
                  "STATUS of an ID never issued")
        expect_eq(c.status("IR-nonsense"), "550 unknown report",
                  "STATUS of a malformed ID")
        expect_eq(c.status(r.iid), "550 unknown report",
                  "STATUS of an incident ID (not a report ID)")
        c.close()


def test_status_of_another_tokens_report():
    with Daemon() as d:
        a = d.token("owner-a")
        b = d.token("other-b")
        ca = d.authed_client(a)
        r = ca.report_ok(category="malware", hash="d41d8cd98f00b204e9800998ecf8427e")
        expect(ca.status(r.rid).startswith("250 " + r.rid + " "),
               "owner's STATUS should succeed")
        cb = d.authed_client(b)
        expect_eq(cb.status(r.rid), "550 unknown report",
                  "STATUS of another token's report")
        ca.close()
        cb.close()


def test_many_sequential_connections():
    """200 short sessions in a row: every one greeted, daemon still fine."""
    with Daemon() as d:
        for i in range(200):
            c = d.client()
            expect(GREETING_RE.match(c.greeting), "greeting %d: %r" % (i, c.greeting))
            if i % 2:
                expect_eq(c.cmd("QUIT"), "221 bye", "QUIT %d" % i)
            c.close()
        c = d.client()
        expect_eq(c.cmd("PING"), "250 pong", "PING after 200 sessions")
        c.close()


def test_many_concurrent_sessions():
    """100 sessions open at once, each AUTH + REPORT + STATUS."""
    import threading
    with Daemon({"line": {"max_per_ip": "200"}}) as d:
        tok = d.token("crowd")
        clients = [d.client() for _ in range(100)]
        errors = []
        rids = []
        barrier = threading.Barrier(len(clients))

        def run(k, c):
            try:
                barrier.wait(20)
                expect_eq(c.auth(tok), "235 authenticated crowd", "AUTH %d" % k)
                r = c.report_ok(category="scan", source_ip="10.77.%d.%d" % (k // 256, k % 256))
                st = c.status(r.rid)
                expect(st.startswith("250 %s " % r.rid), "STATUS %d: %r" % (k, st))
                rids.append(r.rid)
                expect_eq(c.cmd("QUIT"), "221 bye", "QUIT %d" % k)
            except Exception as e:  # collected below
                errors.append("session %d: %r" % (k, e))
            finally:
                c.close()
        ts = [threading.Thread(target=run, args=(k, c)) for k, c in enumerate(clients)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60)
        expect(not errors, "%d sessions failed: %s" % (len(errors), errors[:3]))
        expect_eq(len(set(rids)), 100, "distinct report IDs")
        expect_eq(d.report_count(), 100, "reports stored")
