"""Merge and split (SPEC "API": POST /api/v1/incidents/<id>/merge and
/split; "intakectl": merge): every report moves, none is lost or counted
twice; counts, severity, seriousness and sources of both incidents are
counted again; the merged incident becomes final and its later reports
join the one it was merged into; refusals for what cannot be merged or
split.
"""

import json

from harness import Daemon, expect, expect_eq, parse_report_reply, \
    report_line
from triage_api import Api, fill

TIMEOUT = 180


def _line(ip, sev, **kw):
    return report_line(category="intrusion", source_ip=ip, severity=sev,
                       description="x", **kw)


def _every_report(api):
    """{report ID: incident ID} over every incident's detail, and the sum
    of the incidents' report counts (merged ones hold none)."""
    where, total = {}, 0
    page = api.get_json("/api/v1/incidents?status=all&verified=all&limit=500")
    for inc in page["incidents"]:
        detail = api.get_json("/api/v1/incidents/" + inc["id"])
        total += detail["report_count"]
        for r in detail["reports"]:
            expect(r["id"] not in where, "%s in %s and %s" % (
                r["id"], where.get(r["id"]), inc["id"]))
            where[r["id"]] = inc["id"]
    return where, total


def test_merge_and_split_keep_every_report():
    with Daemon() as d:
        api = Api(d, d.token("analyst", "triage"))
        p1, p2 = d.token("partner1"), d.token("partner2")
        a = fill(d, p1, [_line("192.0.2.1", "low"),
                         _line("192.0.2.1", "medium"),
                         _line("192.0.2.1", "low")])
        b = fill(d, p2, [_line("192.0.2.2", "high", system_level="5"),
                         _line("192.0.2.2", "critical")])
        c = fill(d, p1, [_line("192.0.2.3", "low")])
        A, B, C = a[0].iid, b[0].iid, c[0].iid
        sent = {r.rid for r in a + b + c}
        where, total = _every_report(api)
        expect_eq((set(where), total), (sent, 6), "before")

        r = api.request("POST", "/api/v1/incidents/%s/merge" % B,
                        {"into": A})
        expect_eq(r.status, 200, "merge: %r" % r.body)
        expect_eq(r.json()["reports_moved"], 2, "moved")
        ia, ib = (api.get_json("/api/v1/incidents/" + x) for x in (A, B))
        expect_eq(ia["report_count"], 5, "A counts B's reports")
        expect_eq(ia["severity"], "critical", "A's severity counted again")
        expect(ia["serious"], "critical: serious")
        expect_eq(ia["system_level"], 5, "system level")
        expect_eq({(s["reporter"], s["count"]) for s in ia["sources"]},
                  {("partner1", 3), ("partner2", 2)}, "A's sources")
        expect_eq((ib["status"], ib["merged_into"], ib["report_count"],
                   ib["reports"], ib["sources"]),
                  ("merged", A, 0, [], []), "B after the merge")
        where, total = _every_report(api)
        expect_eq((set(where), total), (sent, 6), "after the merge")
        expect(all(where[r.rid] == A for r in b), "B's reports are A's")

        # a new report like B's joins A now
        late = fill(d, p2, [_line("192.0.2.2", "low")])[0]
        expect_eq((late.kind, late.iid), ("duplicate", A),
                  "a report for merged B")
        sent.add(late.rid)

        # split B's two and the late one off A
        moved = [b[0].rid, b[1].rid, late.rid]
        r = api.request("POST", "/api/v1/incidents/%s/split" % A,
                        {"reports": moved})
        expect_eq(r.status, 201, "split: %r" % r.body)
        N = r.json()["incident_id"]
        expect(N not in (A, B, C), "a new incident: %s" % N)
        ia, inew = (api.get_json("/api/v1/incidents/" + x) for x in (A, N))
        expect_eq((ia["report_count"], ia["severity"], ia["serious"],
                   ia["system_level"]), (3, "medium", False, None),
                  "A counted again after the split")
        expect_eq(sorted(x["id"] for x in inew["reports"]), sorted(moved),
                  "the new incident's reports")
        expect_eq((inew["report_count"], inew["severity"], inew["status"],
                   inew["category"]), (3, "critical", "new", "intrusion"),
                  "the new incident")
        expect_eq({(s["reporter"], s["count"]) for s in inew["sources"]},
                  {("partner2", 3)}, "its sources")
        where, total = _every_report(api)
        expect_eq((set(where), total), (sent, 7), "after the split")
        # the trail of both sides
        acts = [e["action"] for e in
                api.get_json("/api/v1/incidents/" + A)["timeline"]]
        expect_eq(acts, ["merge.from", "split"], "A's timeline")
        acts = [e["action"] for e in
                api.get_json("/api/v1/incidents/" + N)["timeline"]]
        expect_eq(acts, ["split.from"], "N's timeline")
        # reports like A's still join A, not the incident split off it
        again = fill(d, p1, [_line("192.0.2.1", "low")])[0]
        expect_eq(again.iid, A, "A's fingerprint stays A's")

        # intakectl merges the same way
        r = d.ctl("merge", C, "--into", N, "--as", "ops")
        expect_eq(r.returncode, 0, "intakectl merge: %r" % r.stderr)
        expect("1 reports moved" in r.stdout, "output %r" % r.stdout)
        expect_eq(api.get_json("/api/v1/incidents/" + N)["report_count"], 4,
                  "N after intakectl's merge")
        sent.add(again.rid)
        where, total = _every_report(api)
        expect_eq((set(where), total), (sent, 8), "at the end")
        # the exports agree: each report once
        out = d.ctl_ok("export", "--format", "jsonl").stdout
        ids = [x["id"] for l in out.splitlines()
               for x in json.loads(l)["reports"]]
        expect_eq(sorted(ids), sorted(sent), "every report exported once")
        expect(B not in out and C not in [json.loads(l)["id"]
                                          for l in out.splitlines()],
               "merged incidents are not exported")


def test_what_cannot_be_merged_or_split():
    with Daemon() as d:
        api = Api(d, d.token("analyst", "triage"))
        p = d.token("partner")
        a = fill(d, p, [_line("198.51.100.1", "low")] * 2)
        b = fill(d, p, [_line("198.51.100.2", "low")])
        c = fill(d, p, [_line("198.51.100.3", "low")])
        A, B, C = a[0].iid, b[0].iid, c[0].iid

        def merge(x, into):
            return api.request("POST", "/api/v1/incidents/%s/merge" % x,
                               {"into": into})

        def split(x, reports):
            return api.request("POST", "/api/v1/incidents/%s/split" % x,
                               {"reports": reports})

        expect_eq(merge(A, A).status, 400, "into itself")
        expect_eq(merge(A, "IN-20000101-000001").status, 404, "into nothing")
        expect_eq(api.request("POST", "/api/v1/incidents/%s/merge" % A,
                              {"into": "x"}).status, 400, "not an ID")
        expect_eq(merge("IN-20000101-000001", A).status, 404, "from nothing")
        expect_eq(split(A, [a[0].rid, a[1].rid]).status, 400,
                  "split every report")
        expect_eq(split(A, [a[0].rid, a[0].rid]).status, 400, "twice")
        expect_eq(split(A, [b[0].rid]).status, 404, "another's report")
        expect_eq(split(A, []).status, 400, "nothing")
        expect_eq(split(A, ["IR-x" * 20]).status, 400, "not an ID")
        # states: in-progress may not be merged; closed and merged are final
        for s in ("triaged", "in-progress"):
            api.request("POST", "/api/v1/incidents/%s/status" % C,
                        {"status": s})
        expect_eq(merge(C, A).status, 409, "in-progress cannot be merged")
        expect_eq(merge(B, A).status, 200, "B into A")
        expect_eq(merge(C, B).status, 409, "into a merged incident")
        expect_eq(merge(B, C).status, 409, "a merged one again")
        expect_eq(split(B, [a[0].rid]).status, 409, "split a merged one")
        expect_eq(api.request("POST", "/api/v1/incidents/%s/status" % B,
                              {"status": "new"}).status, 409,
                  "merged is final")
        expect_eq(api.request("POST", "/api/v1/incidents/%s/claim" % B)
                  .status, 409, "nobody claims a merged incident")
