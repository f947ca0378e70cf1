"""Deduplication into incidents, and idempotency of external-id retries."""

import time

from harness import (Daemon, expect, expect_eq, parse_report_reply, pipeline,
                     report_line, scale)


def test_same_indicators_any_order_is_duplicate():
    with Daemon() as d:
        c = d.authed_client(d.token("dd1"))
        r1 = c.report_ok(category="phishing", url="http://bank-login.example/x",
                         domain="bank-login.example", source_ip="192.0.2.30",
                         description="first wording")
        expect_eq(r1.kind, "new", "first report")
        r2 = c.report_ok(("source-ip", "192.0.2.30"), ("domain", "BANK-LOGIN.example."),
                         ("category", "phishing"), ("url", "http://bank-login.example/x"),
                         ("description", "a different wording"))
        expect_eq(r2.kind, "duplicate", "same indicators in another order")
        expect_eq(r2.iid, r1.iid, "incident of the duplicate")
        expect(r2.rid != r1.rid, "a duplicate must still get its own report ID")
        c.close()


def test_different_category_is_a_new_incident():
    with Daemon() as d:
        c = d.authed_client(d.token("dd2"))
        r1 = c.report_ok(category="scan", source_ip="192.0.2.31")
        r2 = c.report_ok(category="brute-force", source_ip="192.0.2.31")
        expect_eq(r2.kind, "new", "same indicator, other category")
        expect(r2.iid != r1.iid, "different categories share incident %s" % r1.iid)
        c.close()


def test_subset_of_indicators_is_a_new_incident():
    with Daemon() as d:
        c = d.authed_client(d.token("dd3"))
        r1 = c.report_ok(category="scan", source_ip=["192.0.2.40", "192.0.2.41"])
        r2 = c.report_ok(category="scan", source_ip="192.0.2.40")
        expect_eq(r2.kind, "new", "a different indicator set")
        expect(r2.iid != r1.iid, "different indicator sets share an incident")
        c.close()


def test_description_only_duplicate_ignores_case_and_whitespace():
    with Daemon() as d:
        c = d.authed_client(d.token("dd4"))
        r1 = c.report_ok(category="fraud", description="Trang web lừa đảo bán hàng giả")
        r2 = c.report_ok(category="fraud",
                         description="  TRANG web   LỪA ĐẢO\tbán hàng giả ")
        expect_eq(r2.kind, "duplicate", "same description modulo case/space")
        expect_eq(r2.iid, r1.iid, "incident")
        r3 = c.report_ok(category="fraud", description="Trang web lừa đảo bán vé giả")
        expect_eq(r3.kind, "new", "a different description")
        c.close()


def test_duplicate_across_submitters():
    with Daemon() as d:
        a = d.authed_client(d.token("dd-a"))
        b = d.authed_client(d.token("dd-b"))
        r1 = a.report_ok(category="c2", domain="cnc.evil.example")
        r2 = b.report_ok(category="c2", domain="cnc.evil.example")
        expect_eq(r2.kind, "duplicate", "second submitter, same fingerprint")
        expect_eq(r2.iid, r1.iid, "incident")
        a.close()
        b.close()


def test_incident_json_after_duplicates():
    with Daemon() as d:
        c = d.authed_client(d.token("dd5"))
        r1 = c.report_ok(category="dos", target_ip="198.51.100.80", severity="high")
        time.sleep(1.1)
        r2 = c.report_ok(category="dos", target_ip="198.51.100.80")
        expect_eq(r2.iid, r1.iid, "duplicate incident")
        c.close()
        inc = d.show(r1.iid)
        expect_eq(inc.get("id"), r1.iid, "incident id")
        expect_eq(inc.get("reports"), 2, "reports count")
        expect_eq(inc.get("category"), "dos", "category")
        fs, ls = inc.get("first_seen"), inc.get("last_seen")
        expect(isinstance(fs, str) and isinstance(ls, str),
               "first_seen/last_seen are not strings: %r %r" % (fs, ls))
        expect(fs <= ls, "first_seen %r after last_seen %r" % (fs, ls))
        expect(fs != ls, "first_seen == last_seen %r for reports 1s apart" % fs)
        expect("line" in (inc.get("channels") or []),
               "channels %r lacks 'line'" % inc.get("channels"))
        expect_eq([(i["type"], i["value"]) for i in inc.get("indicators")],
                  [("ipv4", "198.51.100.80")], "incident indicators")
        rows = [i for i in d.queue_all() if i.get("id") == r1.iid]
        expect_eq(len(rows), 1, "incident rows in queue --all")
        expect_eq(rows[0].get("reports"), 2, "reports count in queue")
        expect_eq(d.show(r2.rid).get("incident"), r1.iid, "second report's incident")


def test_dedup_window_expiry():
    with Daemon({"dedup": {"window": "2s"}}) as d:
        c = d.authed_client(d.token("dd6"))
        r1 = c.report_ok(category="spam", source_ip="192.0.2.60")
        r2 = c.report_ok(category="spam", source_ip="192.0.2.60")
        expect_eq(r2.kind, "duplicate", "within the window")
        time.sleep(scale(3.5))
        r3 = c.report_ok(category="spam", source_ip="192.0.2.60")
        expect_eq(r3.kind, "new", "after the window")
        expect(r3.iid != r1.iid, "a new incident is expected after the window")
        c.close()


def test_external_id_retry_returns_first_reply():
    with Daemon() as d:
        tok = d.token("idem")
        c = d.authed_client(tok)
        first = c.report(category="malware", hash="d41d8cd98f00b204e9800998ecf8427e",
                         external_id="ticket-42")
        parse_report_reply(first)
        again = c.report(category="malware", hash="d41d8cd98f00b204e9800998ecf8427e",
                         external_id="ticket-42")
        expect_eq(again, first, "retry with the same external-id")
        # even with different content: a retry never creates a second report
        changed = c.report(category="spam", description="edited", external_id="ticket-42")
        expect_eq(changed, first, "retry with changed content")
        c.close()
        # and from another session of the same token
        c2 = d.authed_client(tok)
        expect_eq(c2.report(category="malware", hash="d41d8cd98f00b204e9800998ecf8427e",
                            external_id="ticket-42"), first, "retry on a new session")
        c2.close()
        expect_eq(d.report_count(), 1, "reports stored")


def test_external_id_is_per_token():
    with Daemon() as d:
        a = d.authed_client(d.token("idem-a"))
        b = d.authed_client(d.token("idem-b"))
        ra = a.report_ok(category="scan", source_ip="192.0.2.70", external_id="42")
        rb = b.report_ok(category="scan", source_ip="192.0.2.70", external_id="42")
        expect(rb.rid != ra.rid, "another token's external-id returned its report")
        expect_eq(rb.kind, "duplicate", "same fingerprint from another token")
        a.close()
        b.close()
        expect_eq(d.report_count(), 2, "reports stored")


def test_external_id_case_and_distinct_ids():
    with Daemon() as d:
        c = d.authed_client(d.token("idem-c"))
        r1 = c.report_ok(category="scan", source_ip="192.0.2.71", external_id="abc")
        r2 = c.report_ok(category="scan", source_ip="192.0.2.71", external_id="abd")
        expect(r1.rid != r2.rid, "distinct external-ids must give distinct reports")
        c.close()
        expect_eq(d.report_count(), 2, "reports stored")


def test_refused_report_does_not_consume_external_id():
    """A 501 stores nothing: a corrected retry with that external-id is new."""
    with Daemon() as d:
        c = d.authed_client(d.token("idem-d"))
        bad = c.report(category="scan", source_ip="999.0.0.1", external_id="fix-me")
        expect(bad.startswith("501 "), "bad report: %r" % bad)
        r = c.report_ok(category="scan", source_ip="192.0.2.72", external_id="fix-me")
        expect_eq(r.kind, "new", "corrected retry")
        c.close()
        expect_eq(d.report_count(), 1, "reports stored")


def test_pipelined_retries_of_one_external_id():
    """The same external-id several times in one pipelined batch (likely in
    one group commit): one report, every reply identical."""
    with Daemon() as d:
        c = d.authed_client(d.token("idem-e"))
        lines = [report_line(category="scan", source_ip="192.0.2.73",
                             external_id="burst-1")] * 5
        lines += [report_line(category="scan", source_ip="192.0.2.%d" % (100 + i),
                              external_id="other-%d" % i) for i in range(3)]
        lines += [report_line(category="scan", source_ip="192.0.2.73",
                              external_id="burst-1")] * 2
        replies = pipeline(c, lines)
        for r in replies:
            parse_report_reply(r)
        same = [replies[i] for i in (0, 1, 2, 3, 4, 8, 9)]
        expect_eq(same, [replies[0]] * 7, "replies to the repeated external-id")
        c.close()
        expect_eq(d.report_count(), 4, "reports stored")
