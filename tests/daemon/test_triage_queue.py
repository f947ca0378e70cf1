"""The triage queue over the API (SPEC "API", "Incident lifecycle"):
GET /api/v1/incidents with every filter, text search, limit and the
cursor; a walk page by page while reports keep arriving never shows an
incident twice and never misses one that was there when it began;
serious, due and overdue as the specification computes them, the same in
the API and in intakectl; one incident with its reports, indicators,
sources and timeline; evidence as an attachment, each read in the
timeline.
"""

import datetime
import json
import re
import smtplib
import threading
import time

from harness import Daemon, expect, expect_eq, parse_report_reply, report_line
from triage_api import Api, distinct_reports, fill

TIMEOUT = 240

INCIDENT_FIELDS = ("id", "status", "category", "severity", "verified",
                   "reports", "first_seen", "last_seen", "indicators",
                   "channels", "claimed_by", "claim_expires", "serious",
                   "due", "overdue")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _rfc3339(t):
    return datetime.datetime.fromtimestamp(
        t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_incident(inc, what):
    for k in INCIDENT_FIELDS:
        expect(k in inc, "%s: no %r in %r" % (what, k, sorted(inc)))
    expect(isinstance(inc["reports"], int), "%s: reports" % what)
    expect(isinstance(inc["serious"], bool), "%s: serious" % what)
    expect(isinstance(inc["overdue"], bool), "%s: overdue" % what)
    expect(inc["due"] is None or RFC3339.match(inc["due"]), "%s: due %r"
           % (what, inc["due"]))
    for ind in inc["indicators"]:
        expect(set(ind) == {"type", "value"}, "%s: indicator %r"
               % (what, ind))


def _mail(d, frm, body):
    s = smtplib.SMTP("127.0.0.1", d.ports["smtp"], timeout=20)
    s.ehlo("t.example")
    s.mail(frm)
    s.rcpt("ir@test.example")
    code, text = s.data(body.encode())
    s.quit()
    expect_eq(code, 250, "DATA")
    return text.decode().split()[1]


def test_queue_filters_and_fields():
    with Daemon() as d:
        sub = d.token("partner")
        api = Api(d, d.token("analyst", "triage"))
        c = d.authed_client(sub)
        phish = c.report_ok(category="phishing", severity="high",
                            description="Trang giả mạo ngân hàng",
                            url="http://bank-login.example/x")
        scan = c.report_ok(category="scan", source_ip="198.51.100.9",
                           description="port scan from a neighbour")
        ddos = c.report_ok(category="dos", severity="critical",
                           target_ip="203.0.113.80",
                           description="Tấn công từ chối dịch vụ")
        c.close()
        # an e-mail from nobody we know: kept, but unverified
        mail_rid = _mail(d, "stranger@isp.example",
                         "Subject: spam wave\r\nFrom: stranger@isp.example"
                         "\r\n\r\nspam from 192.0.2.55 today\r\n")
        mail_iid = d.show(mail_rid)["incident"]

        page = api.get_json("/api/v1/incidents")
        expect(set(page) == {"incidents", "next"}, "page keys %r" % page)
        ids = [i["id"] for i in page["incidents"]]
        expect_eq(set(ids), {phish.iid, scan.iid, ddos.iid},
                  "default queue: verified open incidents")
        expect_eq(ids, sorted(ids, reverse=True), "newest activity first")
        expect(page["next"] is None, "one page")
        for inc in page["incidents"]:
            _check_incident(inc, inc["id"])
            expect(inc["claimed_by"] is None and inc["claim_expires"] is
                   None, "nobody claimed %s" % inc["id"])

        def ids_of(q):
            return {i["id"] for i in
                    api.get_json("/api/v1/incidents?" + q)["incidents"]}

        expect_eq(ids_of("category=phishing"), {phish.iid}, "category")
        expect_eq(ids_of("category=phishing,dos"), {phish.iid, ddos.iid},
                  "category list")
        expect_eq(ids_of("severity=critical"), {ddos.iid}, "severity")
        expect_eq(ids_of("severity=high,critical"), {phish.iid, ddos.iid},
                  "severity list")
        expect_eq(ids_of("verified=false"), {mail_iid}, "unverified")
        expect_eq(ids_of("verified=all"),
                  {phish.iid, scan.iid, ddos.iid, mail_iid}, "all")
        expect_eq(ids_of("verified=all&channel=smtp"), {mail_iid}, "channel")
        expect_eq(ids_of("channel=line"), {phish.iid, scan.iid, ddos.iid},
                  "channel line")
        expect_eq(ids_of("status=new"), {phish.iid, scan.iid, ddos.iid},
                  "status new")
        expect_eq(ids_of("status=resolved"), set(), "status resolved")
        expect_eq(ids_of("status=all&verified=all"),
                  {phish.iid, scan.iid, ddos.iid, mail_iid}, "status all")
        # text: description (any case), indicator, an ID
        expect_eq(ids_of("q=GI%E1%BA%A2+M%E1%BA%A0O"), {phish.iid},
                  "q in a Vietnamese description")
        expect_eq(ids_of("q=PORT+SCAN"), {scan.iid}, "q ignores ASCII case")
        expect_eq(ids_of("q=203.0.113"), {ddos.iid}, "q in an indicator")
        expect_eq(ids_of("q=" + scan.rid), {scan.iid}, "q a report ID")
        expect_eq(ids_of("q=" + ddos.iid.lower()), {ddos.iid},
                  "q an incident ID")
        expect_eq(ids_of("q=nothing-matches-this"), set(), "q no match")
        # time window on the last activity
        now = time.time()
        expect_eq(len(ids_of("since=" + _rfc3339(now - 3600))), 3, "since")
        expect_eq(ids_of("since=" + _rfc3339(now + 3600)), set(),
                  "since later")
        expect_eq(ids_of("until=" + _rfc3339(now - 3600)), set(), "until")
        expect_eq(len(ids_of("until=2999-01-01")), 3, "until a date")

        for q, field in (("limit=0", "limit"), ("limit=501", "limit"),
                         ("limit=x", "limit"), ("cursor=abc", "cursor"),
                         ("status=open", "status"),
                         ("severity=extreme", "severity"),
                         ("verified=maybe", "verified"),
                         ("since=yesterday", "since"),
                         ("category=a%2Cb%20c", "category")):
            r = api.get("/api/v1/incidents?" + q)
            expect_eq(r.status, 400, "GET ?%s" % q)
            expect_eq(r.json().get("field"), field, "field of ?%s" % q)

        # the same incident reads alike from intakectl
        shown = d.show(ddos.iid)
        for k in ("serious", "due", "overdue", "claimed_by"):
            expect(k in shown, "intakectl show lacks %s" % k)


def test_serious_due_and_overdue():
    with Daemon() as d:
        c = d.authed_client(d.token("partner"))
        api = Api(d, d.token("analyst", "triage"))
        now = int(time.time())
        six_days = _rfc3339(now - 6 * 86400)
        two_days = _rfc3339(now - 2 * 86400)
        late = c.report_ok(category="ransomware", severity="critical",
                           description="late", detected_at=six_days,
                           source_ip="192.0.2.1")
        fresh = c.report_ok(category="intrusion", severity="high",
                            system_level="4", description="fresh",
                            detected_at=two_days, source_ip="192.0.2.2")
        plain = c.report_ok(category="intrusion", severity="high",
                            system_level="3", description="not serious",
                            source_ip="192.0.2.3")
        undated = c.report_ok(category="dos", severity="critical",
                              description="no detection time",
                              source_ip="192.0.2.4")
        c.close()
        got = {i["id"]: i for i in
               api.get_json("/api/v1/incidents")["incidents"]}
        a, b, p, u = got[late.iid], got[fresh.iid], got[plain.iid], \
            got[undated.iid]
        expect(a["serious"] and a["overdue"], "critical, detected 6 days "
               "ago: serious and overdue: %r" % a)
        expect_eq(a["due"], _rfc3339(now - 6 * 86400 + 5 * 86400),
                  "notification due 5 days after detection")
        expect(b["serious"] and not b["overdue"], "high at level 4, 2 days"
               " ago: serious, not yet overdue: %r" % b)
        expect_eq(b["due"], _rfc3339(now - 2 * 86400 + 5 * 86400),
                  "due of the level 4 incident")
        expect(not p["serious"] and p["due"] is None and not p["overdue"],
               "high at level 3 is not serious: %r" % p)
        # no detection time: 5 days after receipt
        first = datetime.datetime.strptime(
            u["first_seen"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        expect_eq(u["due"], _rfc3339(int(first) + 5 * 86400),
                  "due from receipt")
        # the same everywhere an incident is shown
        for inc in d.queue():
            want = got[inc["id"]]
            for k in ("serious", "due", "overdue"):
                expect_eq(inc[k], want[k], "queue --json %s %s"
                          % (inc["id"], k))
        detail = api.get_json("/api/v1/incidents/" + late.iid)
        for k in ("serious", "due", "overdue"):
            expect_eq(detail[k], a[k], "detail %s" % k)


def test_walk_under_concurrent_inserts():
    """Pages of 7 while a partner keeps sending: new incidents (above the
    walk) and reports joining incidents the walk has shown (they move up,
    above it). No incident twice; every incident there at the start
    once."""
    with Daemon() as d:
        sub = d.token("partner")
        api = Api(d, d.token("analyst", "triage"))
        before = fill(d, sub, distinct_reports(300))
        existing = {r.iid for r in before}
        seen = []
        stop = threading.Event()
        errors = []
        sent = [0]

        def writer():
            try:
                c = d.authed_client(sub)
                i = 0
                while not stop.is_set() and i < 2000:
                    c.report_ok(**{"category": "scan", "source_ip":
                                   "10.200.%d.%d" % (i >> 8, i & 255),
                                   "description": "during %d" % i})
                    # and a report joining one the walk has shown
                    if seen and i % 3 == 0:
                        j = int(seen[len(seen) // 2].split("-")[-1]) - 1
                        c.report_ok(**{"category": "scan", "source_ip":
                                       "10.%d.%d.%d" % ((j >> 16) & 255,
                                                        (j >> 8) & 255,
                                                        j & 255),
                                       "description": "distinct %d" % j})
                    i += 1
                    sent[0] = i
                c.close()
            except Exception as e:      # reported by the main thread
                errors.append(e)

        t = threading.Thread(target=writer, daemon=True)
        t.start()
        cursor = None
        pages = 0
        while True:
            path = "/api/v1/incidents?limit=7" + (
                "&cursor=" + cursor if cursor else "")
            page = api.get_json(path)
            seen += [i["id"] for i in page["incidents"]]
            cursor = page["next"]
            if cursor is None:
                break
            pages += 1
            if pages > 300:
                stop.set()
                raise AssertionError("the walk does not end (%d pages "
                                     "of 7 for 300 incidents)" % pages)
            time.sleep(0.01)
        stop.set()
        t.join(60)
        expect(not errors, "writer failed: %r" % errors)
        expect(sent[0] > 20, "the writer sent only %d reports" % sent[0])
        dups = {x for x in seen if seen.count(x) > 1}
        expect(not dups, "walk repeated %d incidents: %r"
               % (len(dups), sorted(dups)[:5]))
        missing = existing - set(seen)
        expect(not missing, "walk skipped %d incidents that were there: "
               "%r" % (len(missing), sorted(missing)[:5]))


def test_incident_detail_and_evidence():
    with Daemon() as d:
        sub = d.token("partner")
        analyst = d.token("analyst", "triage")
        api = Api(d, analyst)
        line = report_line(category="malware", description="mã độc",
                           source_ip="192.0.2.10", domain="bad.example",
                           reporter_name="Trần Thị B",
                           reporter_email="b@isp.example")
        reps = fill(d, sub, [line] * 205 + [report_line(
            category="malware", description="mã độc",
            source_ip="192.0.2.10", domain="bad.example",
            confidential="yes", reporter_email="secret@isp.example")])
        iid = reps[0].iid
        expect(all(r.iid == iid for r in reps), "one incident")
        inc = api.get_json("/api/v1/incidents/" + iid)
        _check_incident(dict(inc, reports=inc["report_count"]), iid)
        expect_eq(inc["report_count"], 206, "report_count")
        expect_eq(len(inc["reports"]), 200, "reports shown at most")
        expect(inc["reports_truncated"] is True, "reports_truncated")
        expect_eq([r["id"] for r in inc["reports"]],
                  [r.rid for r in reps[:200]], "the first reports, in order")
        expect_eq({(i["type"], i["value"]) for i in inc["indicators"]},
                  {("ipv4", "192.0.2.10"), ("domain", "bad.example")},
                  "indicators")
        expect_eq(inc["sources"], [{"reporter": "partner", "channel":
                                    "line", "count": 206}], "sources")
        r0 = inc["reports"][0]
        expect_eq(r0["reporter"]["email"], "b@isp.example", "reporter")
        expect_eq(r0["evidence"], "/api/v1/reports/%s/evidence" % r0["id"],
                  "evidence link")
        expect_eq(inc["timeline"], [], "nothing done to it yet")

        ev = api.get(r0["evidence"])
        expect_eq(ev.status, 200, "evidence")
        expect(ev.header("Content-Disposition").startswith("attachment"),
               "evidence as an attachment: %r"
               % ev.header("Content-Disposition"))
        expect_eq(ev.header("Content-Type"), "application/octet-stream",
                  "evidence type")
        expect_eq(ev.body, line.encode(), "evidence bytes")
        expect_eq(api.get("/api/v1/reports/IR-20000101-000001/evidence")
                  .status, 404, "unknown evidence")
        expect_eq(api.get("/api/v1/incidents/IN-20000101-000001").status,
                  404, "unknown incident")
        expect_eq(api.get("/api/v1/incidents/IR-20000101-000001").status,
                  404, "a report ID is no incident")
        # intakectl's read goes to the trail too
        d.ctl_ok("evidence", reps[1].rid)
        tl = api.get_json("/api/v1/incidents/" + iid)["timeline"]
        expect_eq([(e["action"], e["object"], e["actor"]) for e in tl],
                  [("evidence.read", r0["id"], "analyst"),
                   ("evidence.read", reps[1].rid, tl[1]["actor"])],
                  "timeline of the two evidence reads")
        expect(tl[1]["actor"].startswith("intakectl:"), "intakectl actor")
        expect_eq(tl[0]["peer"], "127.0.0.1", "where the read came from")
        expect(RFC3339.match(tl[0]["at"]), "when: %r" % tl[0]["at"])
        audit = [json.loads(l) for l in
                 d.ctl_ok("audit", "--incident", iid, "--json")
                 .stdout.splitlines()]
        expect_eq([a["action"] for a in audit], ["evidence.read"] * 2,
                  "intakectl audit --incident")


def test_read_routes_refuse_other_roles():
    with Daemon() as d:
        sub = Api(d, d.token("partner"))
        anon = Api(d, None)
        bad = Api(d, "itk_not_a_token")
        c = d.authed_client(d.token("p2"))
        r = c.report_ok(category="scan", source_ip="192.0.2.7")
        c.close()
        for path in ("/api/v1/incidents", "/api/v1/incidents/" + r.iid,
                     "/api/v1/reports/%s/evidence" % r.rid,
                     "/api/v1/export?format=jsonl",
                     "/api/v1/stats?period=2026"):
            expect_eq(sub.get(path).status, 403, "submitter GET " + path)
            a = anon.get(path)
            expect_eq(a.status, 401, "no token GET " + path)
            expect(a.header("WWW-Authenticate") is not None,
                   "WWW-Authenticate on " + path)
            expect_eq(bad.get(path).status, 401, "unknown token " + path)
        admin = Api(d, d.token("boss", "admin"))
        expect_eq(admin.get("/api/v1/incidents/" + r.iid).status, 200,
                  "admin reads an incident")
