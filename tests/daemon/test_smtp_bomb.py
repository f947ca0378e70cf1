"""A mail bomb: one anonymous message with a CSV attachment of 100,000
rows (7 MB) sent to the mailbox while another client does ILP REPORT
round trips without pause. The message is accepted (250 2.0.0) and gives
exactly [smtp] max_reports reports, each marked truncated with the number
of events left out (intakectl show --json: "truncated", "events_dropped";
the text form says it too); its evidence is the whole message. Meanwhile
no ILP round trip takes longer than 500 ms (scaled for sanitizer builds):
the store commits the bomb alone and in slices, with the small jobs that
arrive committed between them. The slowest round trip is printed.

Fails on 5598613 (before this fix): no report says it is truncated, and
max_reports from the configuration was not applied."""

import re
import subprocess
import threading
import time

from harness import Daemon, expect, expect_eq, scale
from test_smtp_common import MAILBOX, SmtpClient, crlf, make_message

ROWS = 100000
ACCEPT_N_RE = re.compile(r"^250 2\.0\.0 (IR-(\d{8})-(\d+)) accepted"
                         r"(?: \((\d+) reports, last (IR-\d{8}-(\d+))\))?")


def bomb_message():
    """A report mail with a CSV attachment of ROWS events (Shadowserver-
    like rows: time, IPv4, port, host name, type, infection)."""
    rows = ["timestamp,ip,port,hostname,type,infection"]
    for i in range(ROWS):
        rows.append("2026-11-21 10:%02d:%02d,10.%d.%d.%d,2005,h%d.bomb.example,"
                    "botnet drone,ZeroAccess"
                    % (i // 60 % 60, i % 60, i >> 16 & 255, i >> 8 & 255,
                       i & 255, i))
    body = ("--bomb\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "Infected hosts in your network, see the attachment.\r\n"
            "--bomb\r\n"
            "Content-Type: text/csv; charset=utf-8\r\n"
            "Content-Disposition: attachment; filename=\"events.csv\"\r\n\r\n"
            + "\r\n".join(rows) + "\r\n--bomb--\r\n")
    return make_message(subject="Botnet drone report", frm="feeds@hub.example",
                        content_type='multipart/mixed; boundary="bomb"',
                        body=body)


class RoundTrips(threading.Thread):
    """ILP REPORT round trips, one at a time, until stopped; keeps the
    send time and duration of each."""

    def __init__(self, d):
        super().__init__(daemon=True)
        self.client = d.client()
        self.stop_ev = threading.Event()
        self.trips = []          # (start, seconds)
        self.ids = set()
        self.error = None

    def run(self):
        i = 0
        try:
            while not self.stop_ev.is_set():
                i += 1
                t0 = time.monotonic()
                r = self.client.report(category="scan",
                                       source_ip="192.0.2.%d" % (i % 250 + 1),
                                       description="probe %d" % i)
                self.trips.append((t0, time.monotonic() - t0))
                m = re.match(r"^250 (IR-\S+) ", r)
                if not m:
                    raise AssertionError("REPORT: %r" % r)
                self.ids.add(m.group(1))
        except Exception as e:          # reported by the test
            self.error = e
        finally:
            self.client.close()

    def slowest(self, since, until):
        during = [s for t, s in self.trips if since <= t <= until]
        return (max(during) if during else None), len(during)


def send_bomb(d, message):
    """EHLO, MAIL, RCPT, DATA and the message (CRLF, no line starting with
    a dot); returns (final reply, time the end of data was sent, time the
    reply came)."""
    data = message + b".\r\n"        # built before the clock starts
    c = SmtpClient(d, timeout=scale(120))
    try:
        c.ehlo()
        expect(c.mail("feeds@hub.example").startswith("250"), "MAIL")
        expect(c.rcpt(MAILBOX).startswith("250"), "RCPT")
        expect(c.cmd("DATA").startswith("354"), "DATA")
        t_end = time.monotonic()
        c.send_raw(data)
        reply = c.read_reply(120)
        t_reply = time.monotonic()
        c.quit()
        return reply, t_end, t_reply
    finally:
        c.close()


def writer_times(d):
    """Print what the daemon's debug log says the store's writer spent on
    the bomb: each slice of it, and the longest checkpoint (information
    only: nothing is asserted on it)."""
    log = d.log()
    slices = [float(x) for x in re.findall(
        r"store: big job of \d+ reports, \d+ bytes: reports \d+-\d+ "
        r"committed in ([\d.]+) ms", log)]
    ckpts = [float(x) for x in re.findall(
        r"store: checkpoint of \d+ pages in ([\d.]+) ms", log)]
    if slices:
        print("  writer: bomb committed in %d slices of %s ms; longest "
              "checkpoint %.1f ms" % (len(slices), ", ".join(
                  "%.1f" % x for x in slices), max(ckpts or [0])),
              flush=True)


def run_bomb(max_reports):
    overrides = {"line": {"require_auth": "no"}}
    if max_reports is not None:
        overrides["smtp"] = {"max_reports": max_reports}
    want = max_reports if max_reports is not None else 200   # SMTP_REPORTS_MAX
    message = crlf(bomb_message())
    with Daemon(overrides) as d:
        trips = RoundTrips(d)
        trips.start()
        time.sleep(0.3)                 # round trips under way
        reply, t_end, t_reply = send_bomb(d, message)
        time.sleep(0.5)                 # and a little after the 250
        trips.stop_ev.set()
        trips.join(scale(30))
        expect(trips.error is None, "ILP client: %r" % trips.error)

        m = ACCEPT_N_RE.match(reply)
        expect(m is not None, "end of data: got %r, want 250 2.0.0 IR-... "
               "accepted" % reply)
        slowest, n = trips.slowest(t_end, t_reply + 0.5)
        expect(n > 0, "no ILP round trip while the bomb was stored")
        print("  max_reports %s: 250 after %.2f s, %d ILP round trips, "
              "slowest %.1f ms" % (want, t_reply - t_end, n, slowest * 1e3),
              flush=True)
        writer_times(d)
        expect(slowest < scale(0.5), "an ILP round trip took %.0f ms while "
               "the bomb was committed (bound %.0f ms)"
               % (slowest * 1e3, scale(0.5) * 1e3))

        # the message's reports: the IDs from its first to its last,
        # less those the ILP client got in between
        day, first = m.group(2), int(m.group(3))
        last = int(m.group(6)) if m.group(4) else first
        expect_eq(int(m.group(4) or 1), want, "reports in the 250 reply")
        ids = ["IR-%s-%06d" % (day, k) for k in range(first, last + 1)
               if "IR-%s-%06d" % (day, k) not in trips.ids]
        expect_eq(len(ids), want, "reports of the message")
        for rid in ids:
            rep = d.show(rid)
            expect_eq(rep.get("channel"), "smtp", "%s channel" % rid)
            expect(rep.get("truncated") is True,
                   "%s: truncated is %r, want true" % (rid,
                                                      rep.get("truncated")))
            expect_eq(rep.get("events_dropped"), ROWS - want,
                      "%s events_dropped" % rid)
        text = d.ctl_ok("show", ids[-1]).stdout
        expect(re.search(r"^truncated:\s+yes$", text, re.M),
               "show (text) does not say truncated: %r" % text[-800:])
        expect(re.search(r"^events_dropped:\s+%d$" % (ROWS - want), text,
                         re.M), "show (text) lacks events_dropped: %r"
               % text[-800:])
        # the evidence is the whole message
        r = subprocess.run([d.intakectl_path, "-c", d.conf_path, "evidence",
                            ids[0]], capture_output=True, timeout=scale(60))
        expect_eq(r.returncode, 0, "intakectl evidence exit status")
        raw = r.stdout
        expect(raw == message, "evidence: %d bytes, the message has %d"
               % (len(raw), len(message)))
        # an ILP report is not marked
        rep = d.show(sorted(trips.ids)[0])
        expect(rep.get("truncated") is False,
               "an ILP report says truncated: %r" % rep.get("truncated"))


def test_bomb_small_cap():
    """[smtp] max_reports = 50: 50 reports, each truncated."""
    run_bomb(50)


def test_bomb_default_cap():
    """The default max_reports (200): 200 reports, each truncated."""
    run_bomb(None)
