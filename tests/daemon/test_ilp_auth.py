"""ILP/1 AUTH: good, bad, three failures, revoked tokens, 530 before AUTH,
require_auth = no and verification."""

from harness import (Daemon, expect, expect_eq,
                     parse_report_reply)


def test_auth_good_token():
    with Daemon() as d:
        tok = d.token("partner-good")
        c = d.client()
        expect_eq(c.auth(tok), "235 authenticated partner-good", "AUTH")
        parse_report_reply(c.report(category="spam", source_ip="198.51.100.1"))
        c.close()


def test_auth_bad_token_then_session_continues():
    with Daemon() as d:
        tok = d.token("partner-real")
        c = d.client()
        expect_eq(c.auth("itk_thisisnotavalidtoken"), "535 authentication failed",
                  "AUTH with an unknown token")
        expect_eq(c.cmd("PING"), "250 pong", "PING after one failure")
        # a token differing in one character is refused
        forged = tok[:-1] + ("A" if tok[-1] != "A" else "B")
        expect_eq(c.auth(forged), "535 authentication failed", "forged token")
        # the right token still works on the same session (2 failures so far)
        expect_eq(c.auth(tok), "235 authenticated partner-real", "AUTH after 2 failures")
        c.close()


def test_auth_token_name_is_not_a_token():
    with Daemon() as d:
        d.token("partner-name")
        c = d.client()
        expect_eq(c.auth("partner-name"), "535 authentication failed",
                  "AUTH with the token's name instead of its secret")
        c.close()


def test_auth_without_argument_is_refused():
    with Daemon() as d:
        c = d.client()
        r = c.cmd("AUTH")
        expect(r.startswith("5"), "AUTH without a token: %r, want 5xx" % r)
        expect(not r.startswith("235"), "AUTH without a token succeeded")
        c.close()


def test_three_failures_close_the_connection():
    with Daemon() as d:
        tok = d.token("partner-3f")
        c = d.client()
        for i in range(3):
            expect_eq(c.auth("itk_wrong%d" % i), "535 authentication failed",
                      "failure %d" % (i + 1))
        # even the right token must not be accepted now
        try:
            c.send_line("AUTH " + tok)
        except OSError:
            pass
        closed, lines = c.wait_closed(5)
        expect(closed, "connection still open after 3 failed AUTH (got %r)" % lines)
        expect(not any(l.startswith("235") for l in lines),
               "a 4th AUTH was honoured after 3 failures: %r" % lines)
        for l in lines:
            expect(l[:1] in ("4", "5"), "unexpected line before close: %r" % l)
        c.close()
        # the daemon still serves others, and the token still works
        c2 = d.client()
        expect_eq(c2.auth(tok), "235 authenticated partner-3f", "AUTH on a new session")
        c2.close()


def test_revoked_token_is_refused():
    with Daemon() as d:
        tok = d.token("partner-rev")
        c = d.client()
        expect_eq(c.auth(tok), "235 authenticated partner-rev", "AUTH before revoke")
        c.close()
        d.ctl_ok("token", "revoke", "partner-rev")
        c = d.client()
        expect_eq(c.auth(tok), "535 authentication failed", "AUTH after revoke")
        expect_eq(c.report(category="spam", source_ip="192.0.2.99"),
                  "530 authentication required", "REPORT after a refused AUTH")
        c.close()


def test_report_before_auth_is_530_and_nothing_stored():
    with Daemon() as d:
        c = d.client()
        expect_eq(c.report(category="spam", source_ip="192.0.2.10"),
                  "530 authentication required", "REPORT before AUTH")
        expect_eq(c.report(category="dos", description="x"),
                  "530 authentication required", "second REPORT before AUTH")
        expect_eq(c.cmd("PING"), "250 pong", "PING after 530")
        c.close()
        expect_eq(d.queue_all(), [], "store after refused reports")


def test_failed_auth_then_report_is_530():
    with Daemon() as d:
        d.token("partner-x")
        c = d.client()
        expect_eq(c.auth("itk_nope"), "535 authentication failed", "bad AUTH")
        expect_eq(c.report(category="spam", source_ip="192.0.2.11"),
                  "530 authentication required", "REPORT after failed AUTH")
        c.close()


def test_require_auth_no_accepts_unverified():
    with Daemon({"line": {"require_auth": "no"}}) as d:
        c = d.client()
        r = parse_report_reply(c.report(category="scan", source_ip="203.0.113.5",
                                        description="port scan seen"))
        expect_eq(r.kind, "new", "first report")
        c.close()
        rep = d.show(r.rid)
        expect_eq(rep.get("verified"), False, "report verified flag")
        inc = d.show(r.iid)
        expect_eq(inc.get("verified"), False, "incident verified flag")
        expect(r.iid not in [i.get("id") for i in d.queue()],
               "unverified incident %s is in the triage queue" % r.iid)
        expect(r.iid in [i.get("id") for i in d.queue_all()],
               "unverified incident %s missing from queue --all" % r.iid)


def test_authenticated_report_is_verified_and_queued():
    with Daemon() as d:
        tok = d.token("partner-v")
        c = d.authed_client(tok)
        r = c.report_ok(category="scan", source_ip="203.0.113.6")
        c.close()
        expect_eq(d.show(r.rid).get("verified"), True, "report verified flag")
        ids = [i.get("id") for i in d.queue()]
        expect(r.iid in ids, "verified incident %s missing from queue: %r" % (r.iid, ids))


def test_require_auth_no_still_accepts_auth():
    """With require_auth = no a partner may still authenticate, and its
    reports are then verified."""
    with Daemon({"line": {"require_auth": "no"}}) as d:
        tok = d.token("partner-opt")
        c = d.client()
        expect_eq(c.auth(tok), "235 authenticated partner-opt", "AUTH")
        r = c.report_ok(category="scan", source_ip="203.0.113.7")
        c.close()
        expect_eq(d.show(r.rid).get("verified"), True, "authenticated report verified")


def test_auth_over_tls_and_plain_share_tokens():
    with Daemon() as d:
        tok = d.token("partner-both")
        for tls in (False, True):
            c = d.client(tls=tls)
            expect_eq(c.auth(tok), "235 authenticated partner-both",
                      "AUTH (tls=%s)" % tls)
            c.close()


def test_auth_failures_are_per_connection():
    """Failures on one session do not lock out another one."""
    with Daemon() as d:
        tok = d.token("partner-iso")
        bad = d.client()
        for i in range(2):
            expect_eq(bad.auth("itk_bad%d" % i), "535 authentication failed", "bad")
        good = d.client()
        expect_eq(good.auth(tok), "235 authenticated partner-iso", "other session")
        good.close()
        bad.close()


def test_verified_duplicate_brings_incident_into_queue():
    """An incident first reported anonymously enters the triage queue once
    a verified report joins it; a later anonymous duplicate does not take
    it out again."""
    with Daemon({"line": {"require_auth": "no"}}) as d:
        tok = d.token("partner-promote")
        anon = d.client()
        r1 = anon.report_ok(category="c2", domain="cnc.promote.example")
        expect(r1.iid not in [i.get("id") for i in d.queue()],
               "anonymous incident already in the queue")
        auth = d.authed_client(tok)
        r2 = auth.report_ok(category="c2", domain="cnc.promote.example")
        expect_eq((r2.kind, r2.iid), ("duplicate", r1.iid), "verified duplicate")
        expect(r1.iid in [i.get("id") for i in d.queue()],
               "incident with a verified report missing from the queue")
        expect_eq(d.show(r1.iid).get("verified"), True, "incident verified")
        expect_eq(d.show(r1.rid).get("verified"), False, "first report stays unverified")
        r3 = anon.report_ok(category="c2", domain="cnc.promote.example")
        expect_eq(r3.iid, r1.iid, "anonymous duplicate")
        expect(r1.iid in [i.get("id") for i in d.queue()],
               "an anonymous duplicate took the incident out of the queue")
        anon.close()
        auth.close()
