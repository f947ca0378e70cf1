"""Statistics (SPEC "Statistics"): GET /api/v1/stats and intakectl stats
on a generated data set (every category of conf/taxonomy.tsv, several
channels, duplicates joining incidents, unverified mail), checked against
counts this test computes itself from what it sent and from the
taxonomy file: the Mẫu 05 rows, total, by_channel, by_category,
by_severity, verified; the period bounds in [stats] timezone.
"""

import datetime
import json
import os
import random
import smtplib

from harness import Daemon, expect, expect_eq, report_line
from triage_api import Api, fill

TIMEOUT = 240
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SEVERITIES = ["low", "medium", "high", "critical"]
VN = datetime.timezone(datetime.timedelta(hours=7))


def taxonomy():
    rows = []
    with open(os.path.join(ROOT, "conf", "taxonomy.tsv"),
              encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            rows.append(line.rstrip("\n").split("\t"))
    head = rows[0]
    return [dict(zip(head, r)) for r in rows[1:]]


def periods_now():
    """The year, half and quarter of now in Asia/Ho_Chi_Minh."""
    now = datetime.datetime.now(VN)
    q = (now.month - 1) // 3 + 1
    h = 1 if now.month <= 6 else 2
    return "%d" % now.year, "%dH%d" % (now.year, h), "%dQ%d" % (now.year, q)


def expected(tax, incidents):
    rows = {r: {"count": 0} for r in range(1, 11)}
    by_cat, by_ch = {}, {}
    by_sev = {s: 0 for s in SEVERITIES}
    verified = 0
    code_row = {t["code"]: int(t["mau05"]) if t["mau05"] else None
                for t in tax}
    for inc in incidents.values():
        by_cat[inc["category"]] = by_cat.get(inc["category"], 0) + 1
        by_ch[inc["channel"]] = by_ch.get(inc["channel"], 0) + 1
        by_sev[SEVERITIES[inc["severity"]]] += 1
        verified += inc["verified"]
        row = code_row[inc["category"]]
        if row is not None:
            rows[row]["count"] += 1
    return rows, by_cat, by_ch, by_sev, verified


def test_statistics_of_a_generated_set():
    tax = taxonomy()
    rnd = random.Random(20261121)
    with Daemon() as d:
        sub = d.token("partner")
        api = Api(d, d.token("analyst", "triage"))
        incidents = {}
        lines, meta = [], []
        for i in range(400):
            t = rnd.choice(tax)
            sev = rnd.randrange(4)
            if meta and rnd.random() < 0.25:
                # join an earlier incident: same category and address
                j = rnd.randrange(len(meta))
                cat, ip = meta[j]
            else:
                cat, ip = t["code"], "10.1.%d.%d" % (i >> 8, i & 255)
                meta.append((cat, ip))
            lines.append((report_line(category=cat, source_ip=ip,
                                      severity=SEVERITIES[sev],
                                      description="gen %d" % i), sev, cat))
        reps = fill(d, sub, [l for l, _, _ in lines])
        for r, (_, sev, cat) in zip(reps, lines):
            inc = incidents.setdefault(r.iid, {
                "category": cat, "channel": "line", "severity": sev,
                "verified": 1})
            inc["severity"] = max(inc["severity"], sev)
        # the API channel, and unverified mail
        partner = Api(d, sub)
        for i in range(15):
            t = rnd.choice(tax)
            r = partner.request("POST", "/api/v1/reports", {
                "category": t["code"], "severity": "high",
                "source_ip": "10.2.0.%d" % i, "description": "api %d" % i})
            expect_eq(r.status, 201, "API submission")
            incidents[r.json()["incident_id"]] = {
                "category": t["code"], "channel": "api", "severity": 2,
                "verified": 1}
        for i in range(5):
            s = smtplib.SMTP("127.0.0.1", d.ports["smtp"], timeout=20)
            s.ehlo("t.example")
            s.mail("someone%d@isp.example" % i)
            s.rcpt("abuse@test.example")
            code, text = s.data(("Subject: scan\r\nFrom: someone%d@isp."
                                 "example\r\n\r\nport scan from "
                                 "203.0.113.%d\r\n" % (i, i)).encode())
            s.quit()
            expect_eq(code, 250, "mail")
            shown = d.show(text.decode().split()[1])
            incidents[shown["incident"]] = {
                "category": shown["category"], "channel": "smtp",
                "severity": SEVERITIES.index(shown["severity"]),
                "verified": 0}
        rows, by_cat, by_ch, by_sev, verified = expected(tax, incidents)

        year, half, quarter = periods_now()
        for period in (year, half, quarter):
            got = api.get_json("/api/v1/stats?period=" + period)
            expect_eq(got["period"], period, "period")
            expect_eq(got["total"], len(incidents), "%s total" % period)
            expect_eq(got["verified"], verified, "%s verified" % period)
            expect_eq(got["by_category"], by_cat, "%s by_category" % period)
            expect_eq(got["by_channel"], by_ch, "%s by_channel" % period)
            expect_eq(got["by_severity"], by_sev, "%s by_severity" % period)
            expect_eq([m["row"] for m in got["mau05"]], list(range(1, 11)),
                      "the ten rows")
            for m in got["mau05"]:
                expect_eq(m["count"], rows[m["row"]]["count"],
                          "%s row %d" % (period, m["row"]))
                for k in ("label", "handled_in_house", "domestic_help",
                          "foreign_help", "coordinator_help"):
                    expect(k in m, "row %d lacks %s" % (m["row"], k))
            for k in ("from", "to", "median_seconds_to_claim",
                      "median_seconds_to_resolve"):
                expect(k in got, "stats lack %s" % k)
            cli = json.loads(d.ctl_ok("stats", "--period", period,
                                      "--json").stdout)
            expect_eq(cli, got, "intakectl stats %s --json" % period)
        # the year's bounds are local midnights in Asia/Ho_Chi_Minh
        got = api.get_json("/api/v1/stats?period=" + year)
        expect_eq((got["from"], got["to"]),
                  ("%s-01-01T00:00:00+07:00" % year,
                   "%d-01-01T00:00:00+07:00" % (int(year) + 1)), "bounds")
        # a period without incidents
        other = api.get_json("/api/v1/stats?period=2001Q1")
        expect_eq((other["total"], sum(m["count"] for m in other["mau05"])),
                  (0, 0), "an empty period")
        expect(other["median_seconds_to_claim"] is None, "no median")
        for bad in ("2026Q5", "26", "x", ""):
            expect_eq(api.get("/api/v1/stats?period=" + bad).status, 400,
                      "period %r" % bad)
        expect_eq(api.get("/api/v1/stats").status, 400, "no period")
        expect_eq(d.ctl("stats", "--period", "2026Q9").returncode, 1,
                  "intakectl stats bad period")
        human = d.ctl_ok("stats", "--period", year).stdout
        expect("total %d" % len(incidents) in human, "human output: %r"
               % human[:500])


def test_statistics_in_another_time_zone():
    """[stats] timezone moves the period's bounds."""
    with Daemon({"stats": {"timezone": "America/New_York"}}) as d:
        api = Api(d, d.token("analyst", "triage"))
        got = api.get_json("/api/v1/stats?period=2026H2")
        expect_eq((got["from"], got["to"]), ("2026-07-01T00:00:00-04:00",
                                             "2027-01-01T00:00:00-05:00"),
                  "bounds in New York")
        expect_eq(got["timezone"], "America/New_York", "timezone")
