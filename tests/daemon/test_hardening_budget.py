"""Hardening: token roles on ILP/1 and the daemon-wide memory budget.

What each test proves, and the behaviour of the old daemon (commit 5598613)
it catches:

test_triage_token_refused
    AUTH with a token of role `triage` (an operator's token, not a
    submitter's) is refused with 535 on the plain and the TLS line port, a
    REPORT after it gets "530 authentication required", and nothing is
    stored. Old code: AUTH answered "235 authenticated NAME" for any role
    and the REPORT was stored as verified.

test_submitter_and_admin_accepted_after_triage_refused
    Tokens of role `submitter` and `admin` authenticate ("235 authenticated
    NAME"), also on a session where a triage token was refused just before,
    and their REPORTs are acknowledged "250 IR-... new IN-..." and stored
    as verified. Old code: the triage AUTH before them was answered 235.

test_triage_token_never_verifies_with_require_auth_off
    With `[line] require_auth = no` a triage token is still refused (535),
    and the session's REPORT is taken as anonymous: acknowledged but
    `verified: false`, never a verified report. Old code: 235, and the
    report was stored verified.

test_memory_budget_refuses_new_work_then_recovers
    `[daemon] memory_budget = 1M` (the minimum) with `[smtp] max_message =
    25M`: three SMTP sessions reach DATA (354), then each is sent ~600 KB
    of its message without the final CRLF.CRLF. Then (b) a new SMTP session's MAIL
    FROM gets "451 4.3.2" and (a) an ILP REPORT gets 451 with nothing
    stored; (c) ending each big message gets a final reply, either
    "250 2.0.0 IR-..." or "451 4.3.2", within a time bound (never a hang).
    Once the three sessions are gone, a REPORT gets 250 and a small message
    "250 2.0.0" again, and what was accepted before the budget ran out is
    still readable with intakectl. Old code: the budget was ignored, so the
    new session's MAIL FROM got "250 2.1.0" (and the REPORT 250).

Every wait is bounded (harness.scale()); only loopback addresses are used.
"""

import select
import time

from harness import (ConnectionClosed, Daemon, expect, expect_eq,
                     parse_report_reply, scale)
from test_smtp_common import (MAILBOX, SmtpClient, accepted_id, code_of,
                              expect_reply, make_message, send_one)


# ---------------------------------------------------------------------------
# roles

def _refused_then_530(d, tok, tls, what):
    c = d.client(tls=tls)
    try:
        r = c.auth(tok)
        expect(r.startswith("535"),
               "%s: AUTH with a triage token: got %r, want 535..." % (what, r))
        expect_eq(c.report(category="spam", source_ip="192.0.2.77",
                           description="triage must not submit"),
                  "530 authentication required",
                  "%s: REPORT after the refused triage AUTH" % what)
        expect_eq(c.cmd("PING"), "250 pong", "%s: PING after the 530" % what)
    finally:
        c.close()


def test_triage_token_refused():
    with Daemon() as d:
        tok = d.token("duty-analyst", role="triage")
        _refused_then_530(d, tok, False, "plain port")
        _refused_then_530(d, tok, True, "TLS port")
        expect_eq(d.report_count(), 0, "reports stored after triage AUTHs")


def test_submitter_and_admin_accepted_after_triage_refused():
    with Daemon() as d:
        triage = d.token("duty-triage", role="triage")
        for name, role, tls in (("telco-sub", "submitter", False),
                                ("cert-admin", "admin", True)):
            tok = d.token(name, role=role)
            c = d.client(tls=tls)
            try:
                r = c.auth(triage)
                expect(r.startswith("535"),
                       "AUTH with a triage token before %s: got %r, want 535"
                       % (role, r))
                expect_eq(c.auth(tok), "235 authenticated %s" % name,
                          "AUTH with a %s token" % role)
                rep = parse_report_reply(c.report(
                    category="phishing", url="https://evil.example/%s" % role,
                    description="reported with a %s token" % role,
                    external_id="role-%s" % role))
                expect_eq(rep.kind, "new", "%s report" % role)
            finally:
                c.close()
            shown = d.show(rep.rid)
            expect_eq(shown.get("verified"), True,
                      "%s report %s verified" % (role, rep.rid))
            expect_eq(shown.get("id"), rep.rid, "show id")
        expect_eq(d.report_count(), 2, "reports stored")


def test_triage_token_never_verifies_with_require_auth_off():
    with Daemon({"line": {"require_auth": "no"}}) as d:
        tok = d.token("duty-open", role="triage")
        c = d.client()
        try:
            r = c.auth(tok)
            expect(r.startswith("535"),
                   "AUTH with a triage token (require_auth = no): got %r" % r)
            rep = parse_report_reply(c.report(category="scan",
                                              source_ip="203.0.113.77",
                                              description="anonymous scan"))
        finally:
            c.close()
        expect_eq(d.show(rep.rid).get("verified"), False,
                  "report after a refused triage AUTH is anonymous")


# ---------------------------------------------------------------------------
# memory budget

BUDGET = {"daemon": {"memory_budget": "1M"},
          "smtp": {"max_message": "25M", "idle_timeout": "5m"}}
BIG_BYTES = 600 * 1024
BIG_SESSIONS = 3


def _send_bounded(sock, data, seconds):
    """Send as much of data as the peer takes within seconds (scaled);
    returns the number of bytes sent. Never blocks longer, whether or not
    the daemon reads."""
    deadline = time.monotonic() + scale(seconds)
    sent = 0
    sock.setblocking(False)
    try:
        while sent < len(data):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            _, w, _ = select.select([], [sock], [], min(left, 0.5))
            if not w:
                continue
            try:
                sent += sock.send(data[sent:sent + 65536])
            except (BlockingIOError, InterruptedError):
                continue
    finally:
        sock.setblocking(True)
    return sent


def _big_body(nbytes):
    line = b"x" * 76 + b"\r\n"
    return line * (nbytes // len(line) + 1)


def _open_big(d, n):
    """An SMTP session in DATA (354 read), nothing of its message sent."""
    c = SmtpClient(d)
    c.ehlo()
    expect_reply(c.mail("big%d@example.org" % n), "250 2.1.0",
                 "MAIL of big message %d" % n)
    expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT of big message %d" % n)
    r = c.cmd("DATA")
    expect(r.startswith("354"), "DATA of big message %d: %r" % (n, r))
    return c


def _big_message(n):
    return make_message(subject="big %d" % n, frm="big%d@example.org" % n,
                        body=_big_body(BIG_BYTES))


def _smtp_mail_reply(d):
    """New session, EHLO, MAIL FROM: its reply (the session is closed)."""
    c = SmtpClient(d.ports["smtp"], greeting=False)
    try:
        g = c.read_reply(10)
        if not g.startswith("220"):
            return g
        c.ehlo()
        return c.mail("probe@example.org")
    finally:
        c.close()


def _small_message_reply(d, subject):
    """A whole small transaction on a new session: its final reply, or the
    first reply that was not a 2xx/354."""
    c = SmtpClient(d)
    try:
        c.ehlo()
        r = c.mail("small@example.org")
        if not r.startswith("250"):
            return r
        r = c.rcpt(MAILBOX)
        if not r.startswith("250"):
            return r
        return c.data(make_message(subject=subject, frm="small@example.org"))
    finally:
        c.close()


def test_memory_budget_refuses_new_work_then_recovers():
    with Daemon(BUDGET) as d:
        tok = d.token("budget-sub")
        ilp = d.authed_client(tok)
        # accepted before the budget is used up
        early_ilp = parse_report_reply(ilp.report(
            category="scan", source_ip="198.51.100.21",
            description="before the budget ran out", external_id="early-1"))
        early_smtp = send_one(d, subject="early mail",
                              mail_from="early@example.org")
        expect_eq(d.report_count(), 2, "reports before the big messages")

        bigs, conns = [], []
        try:
            # three sessions in DATA, then ~600 KB of each message, without
            # the final CRLF.CRLF
            for n in range(BIG_SESSIONS):
                conns.append(_open_big(d, n))
            for n, c in enumerate(conns):
                msg = _big_message(n)
                bigs.append((c, msg, _send_bounded(c.sock, msg, 10)))

            # (b) a new SMTP session's MAIL FROM is refused for now; polled
            # because the daemon reads the big messages at its own pace
            deadline = time.monotonic() + scale(10)
            while True:
                r = _smtp_mail_reply(d)
                if r.startswith("451 4.3.2"):
                    break
                if time.monotonic() >= deadline:
                    raise AssertionError(
                        "(b) MAIL FROM with %d x %d KB held against a 1M "
                        "memory budget: got %r, want 451 4.3.2"
                        % (BIG_SESSIONS, BIG_BYTES // 1024, r))
                time.sleep(0.2)

            # (a) an ILP REPORT gets 451 and nothing is stored
            r = ilp.report(category="scan", source_ip="198.51.100.22",
                           description="while the budget is used up",
                           external_id="during-1")
            expect(r.startswith("451"),
                   "(a) REPORT with the budget used up: got %r, want 451" % r)
            expect_eq(d.report_count(), 2, "reports after the refused REPORT")
            expect_eq(ilp.cmd("PING"), "250 pong", "PING after the 451")

            # (c) each big message, ended, gets a final reply in time
            accepted = {}
            for n in reversed(range(BIG_SESSIONS)):
                c, msg, sent = bigs[n]
                rest = msg[sent:] + b".\r\n"
                got = _send_bounded(c.sock, rest, 15)
                expect(got == len(rest),
                       "(c) big message %d: the daemon stopped reading: "
                       "%d of %d bytes sent, %d left unsent after %.0fs"
                       % (n, sent + got, len(msg) + 3, len(rest) - got,
                          scale(15)))
                try:
                    r = c.read_reply(20)
                except (TimeoutError, ConnectionClosed) as e:
                    raise AssertionError("(c) big message %d: no final reply "
                                         "after CRLF.CRLF: %s" % (n, e))
                if r.startswith("250"):
                    accepted[n] = accepted_id(r, "big message %d" % n)
                else:
                    expect(r.startswith("451 4.3.2"),
                           "(c) big message %d: final reply %r, want "
                           "250 2.0.0 IR-... or 451 4.3.2" % (n, r))
                expect_reply(c.cmd("QUIT"), "221", "QUIT after big %d" % n)
                c.close()
        finally:
            for c in conns:
                c.close()

        # everything recovers once the three sessions are gone
        deadline = time.monotonic() + scale(10)
        while True:
            r = ilp.report(category="scan", source_ip="198.51.100.23",
                           description="after the big messages",
                           external_id="after-1")
            if r.startswith("250"):
                late_ilp = parse_report_reply(r)
                break
            expect(r.startswith("451"), "REPORT after recovery: %r" % r)
            if time.monotonic() >= deadline:
                raise AssertionError("REPORT still refused %.0fs after the "
                                     "big sessions closed: %r"
                                     % (scale(10), r))
            time.sleep(0.2)
        deadline = time.monotonic() + scale(10)
        while True:
            r = _small_message_reply(d, "after the big messages")
            if r.startswith("250"):
                late_smtp = accepted_id(r, "small message after recovery")
                break
            expect(code_of(r) == 451,
                   "small message after recovery: %r" % r)
            if time.monotonic() >= deadline:
                raise AssertionError("small message still refused %.0fs "
                                     "after the big sessions closed: %r"
                                     % (scale(10), r))
            time.sleep(0.2)
        ilp.close()

        expect_eq(d.report_count(), 4 + len(accepted), "reports at the end")
        expect_eq(d.show(early_ilp.rid).get("description"),
                  "before the budget ran out", "early ILP report")
        expect_eq(d.show(early_smtp).get("subject"), "early mail",
                  "early SMTP report")
        expect_eq(d.show(late_ilp.rid).get("description"),
                  "after the big messages", "ILP report after recovery")
        expect_eq(d.show(late_smtp).get("subject"), "after the big messages",
                  "SMTP report after recovery")
        for n, rid in accepted.items():
            expect_eq(d.show(rid).get("subject"), "big %d" % n,
                      "accepted big message %d" % n)


test_memory_budget_refuses_new_work_then_recovers.timeout = 180
