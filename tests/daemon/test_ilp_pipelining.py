"""Pipelining: many commands in one write, replies in order."""

import re

from harness import (Daemon, expect, expect_eq, id_key, parse_report_reply,
                     pipeline, report_line)

N = 2000


def ip_for(i):
    return "10.%d.%d.%d" % (i // 65536, (i // 256) % 256, i % 256)


def test_pipeline_2000_reports():
    with Daemon() as d:
        c = d.authed_client(d.token("pipe"))
        lines = [report_line(category="scan", source_ip=ip_for(i),
                             external_id="p-%d" % i) for i in range(N)]
        replies = pipeline(c, lines, timeout=90)
        parsed = []
        bad = []
        for i, r in enumerate(replies):
            try:
                parsed.append(parse_report_reply(r))
            except AssertionError:
                bad.append((i, r))
        expect(not bad, "%d of %d replies are not 250: first %r" % (len(bad), N, bad[:5]))
        rids = [p.rid for p in parsed]
        expect_eq(len(set(rids)), N, "distinct report IDs")
        expect(all(p.kind == "new" for p in parsed), "distinct IPs must be new incidents")
        keys = [id_key(r) for r in rids]
        out_of_order = [i for i in range(1, N) if keys[i] <= keys[i - 1]]
        expect(not out_of_order, "report IDs not increasing at positions %r (%r)"
               % (out_of_order[:5], [rids[i - 1:i + 1] for i in out_of_order[:3]]))
        # replies are in order: reply i is the report carrying ip_for(i)
        for i in (0, 1, 777, 1024, 1500, N - 1):
            rep = d.show(rids[i])
            inds = [(x["type"], x["value"]) for x in rep.get("indicators", [])]
            expect_eq(inds, [("ipv4", ip_for(i))], "indicators of reply %d (%s)" % (i, rids[i]))
            st = c.status(rids[i])
            expect(st.startswith("250 %s " % rids[i]), "STATUS %s: %r" % (rids[i], st))
        c.close()
        expect_eq(d.report_count(), N, "reports in the store")


def test_pipeline_mixed_commands_in_order():
    with Daemon() as d:
        tok = d.token("mix")
        c = d.authed_client(tok)
        r0 = c.report_ok(category="spam", source_ip="192.0.2.200")
        lines = [
            report_line(category="spam", source_ip="192.0.2.201"),
            "PING",
            "STATUS " + r0.rid,
            report_line(category="spam", source_ip="192.0.2.201"),
            report_line(category="spam", source_ip="not-an-ip"),
            "STATUS IR-19700101-000000",
            "PING",
            report_line(category="dos", target_ip="192.0.2.202"),
            "FROB",
            "STATUS " + r0.rid,
            "QUIT",
        ]
        replies = pipeline(c, lines)
        a = parse_report_reply(replies[0])
        expect_eq(a.kind, "new", "reply 0")
        expect_eq(replies[1], "250 pong", "reply 1 (PING)")
        expect(re.match(r"^250 %s \S+$" % re.escape(r0.rid), replies[2]),
               "reply 2 (STATUS): %r" % replies[2])
        b = parse_report_reply(replies[3])
        expect_eq((b.kind, b.iid), ("duplicate", a.iid), "reply 3 (duplicate)")
        expect(replies[4].startswith("501 "), "reply 4 (bad IP): %r" % replies[4])
        expect_eq(replies[5], "550 unknown report", "reply 5 (STATUS unknown)")
        expect_eq(replies[6], "250 pong", "reply 6 (PING)")
        e = parse_report_reply(replies[7])
        expect_eq(e.kind, "new", "reply 7")
        expect(replies[8].startswith("5"), "reply 8 (unknown verb): %r" % replies[8])
        expect_eq(replies[9], replies[2], "reply 9 (STATUS again)")
        expect_eq(replies[10], "221 bye", "reply 10 (QUIT)")
        closed, extra = c.wait_closed(5)
        expect(closed and not extra, "after QUIT: closed=%s extra=%r" % (closed, extra))
        ids = [a.rid, b.rid, e.rid]
        expect(id_key(r0.rid) < id_key(a.rid) < id_key(b.rid) < id_key(e.rid),
               "report IDs out of order: %r" % ([r0.rid] + ids))


def test_pipelined_auth_then_reports():
    """AUTH and REPORTs in one write: the REPORTs see the AUTH."""
    with Daemon() as d:
        tok = d.token("pipe-auth")
        c = d.client()
        lines = ["AUTH " + tok] + [report_line(category="scan", source_ip=ip_for(i))
                                   for i in range(1, 6)] + ["PING"]
        replies = pipeline(c, lines)
        expect_eq(replies[0], "235 authenticated pipe-auth", "AUTH")
        for r in replies[1:6]:
            parse_report_reply(r)
        expect_eq(replies[6], "250 pong", "PING")
        c.close()


def test_pipelined_bad_auth_then_reports():
    with Daemon() as d:
        d.token("pipe-bad")
        c = d.client()
        lines = ["AUTH itk_bogus", report_line(category="scan", source_ip="192.0.2.1"),
                 "PING"]
        replies = pipeline(c, lines)
        expect_eq(replies, ["535 authentication failed", "530 authentication required",
                            "250 pong"], "replies")
        c.close()
        expect_eq(d.queue_all(), [], "stored")


def test_pipelined_quit_discards_rest():
    """Nothing after QUIT is executed."""
    with Daemon() as d:
        c = d.authed_client(d.token("pipe-quit"))
        c.send_raw(("PING\r\nQUIT\r\n" + report_line(category="spam",
                                                      source_ip="192.0.2.9") + "\r\n"
                    ).encode())
        expect_eq(c.read_reply(), "250 pong", "PING")
        expect_eq(c.read_reply(), "221 bye", "QUIT")
        closed, extra = c.wait_closed(5)
        expect(closed, "not closed after QUIT")
        expect_eq(extra, [], "replies after 221")
        c.close()
        expect_eq(d.queue_all(), [], "a REPORT after QUIT was stored")


def test_parallel_pipelined_clients():
    """4 clients pipelining 300 reports each at once: all acknowledged, all
    stored, IDs unique."""
    import threading
    with Daemon() as d:
        tok = d.token("par")
        results = {}
        errors = []

        def worker(k):
            try:
                c = d.authed_client(tok)
                lines = [report_line(category="scan", source_ip=ip_for(k * 1000 + i),
                                     external_id="par-%d-%d" % (k, i)) for i in range(300)]
                results[k] = [parse_report_reply(r).rid for r in pipeline(c, lines)]
                c.close()
            except Exception as e:  # reported below
                errors.append("worker %d: %r" % (k, e))

        ts = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(120)
        expect(not errors, "; ".join(errors))
        all_ids = [r for k in results for r in results[k]]
        expect_eq(len(all_ids), 1200, "acknowledged reports")
        expect_eq(len(set(all_ids)), 1200, "distinct report IDs")
        for k, ids in results.items():
            keys = [id_key(r) for r in ids]
            expect(keys == sorted(keys), "worker %d: IDs not increasing" % k)
        expect_eq(d.report_count(), 1200, "reports stored")


def test_slow_reader_is_bounded_and_others_served():
    """A client that pipelines 20,000 PINGs without reading: the daemon
    must neither stall other clients nor lose or reorder its replies."""
    import time
    from harness import Pipeliner, scale
    n = 20000
    with Daemon() as d:
        tok = d.token("slow")
        slow = d.client()
        p = Pipeliner(slow, ["PING"] * n).start()
        time.sleep(0.5)
        other = d.authed_client(tok)
        t0 = time.monotonic()
        expect_eq(other.cmd("PING"), "250 pong", "other client's PING")
        parse_report_reply(other.report(category="spam", source_ip="192.0.2.250"))
        expect(time.monotonic() - t0 < scale(2), "other client served slowly")
        other.close()
        replies = slow.read_replies(n, timeout=30)
        expect_eq(replies.count("250 pong"), n, "pongs received by the slow reader")
        expect(p.join(10) and p.error is None, "sending failed: %r" % p.error)
        expect_eq(slow.cmd("PING"), "250 pong", "slow client after catching up")
        slow.close()
