"""The incident lifecycle worked over the API and intakectl (SPEC "API",
"Incident lifecycle", "intakectl"): claims with a lease ([triage]
claim_ttl), twenty analysts racing for one incident (exactly one wins),
expiry and release; every transition of the specification allowed and
every other refused with 409, through both interfaces; the 409 rules
while someone else holds the claim; PATCH of category, severity,
assessment and handling; the deadlines after resolution; the timeline of
every change; and statistics that count handling and the medians.
"""

import datetime
import json
import threading
import time

from harness import Daemon, expect, expect_eq, scale
from triage_api import Api, distinct_reports, fill

TIMEOUT = 240

STATES = ("new", "triaged", "in-progress", "resolved", "rejected", "closed",
          "merged")
# The specification's transitions, written out independently.
ALLOWED = {("new", "triaged"), ("new", "rejected"), ("new", "merged"),
           ("triaged", "in-progress"), ("triaged", "resolved"),
           ("triaged", "rejected"), ("triaged", "merged"),
           ("in-progress", "resolved"), ("resolved", "closed"),
           ("resolved", "in-progress"), ("rejected", "new")}
# How to bring a new incident to each state, by allowed steps.
PATH_TO = {"new": [], "triaged": ["triaged"],
           "in-progress": ["triaged", "in-progress"],
           "resolved": ["triaged", "resolved"],
           "rejected": ["rejected"],
           "closed": ["triaged", "resolved", "closed"]}


def _ts(s):
    return int(datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp())


def test_twenty_analysts_race_for_one_claim():
    with Daemon() as d:
        iid = fill(d, d.token("partner"), distinct_reports(1))[0].iid
        apis = [Api(d, d.token("analyst%02d" % i, "triage"))
                for i in range(20)]
        for a in apis:		# connections and tokens ready first
            a.get_json("/api/v1/incidents?limit=1")
        start = threading.Barrier(len(apis))
        results = [None] * len(apis)

        def claim(i):
            start.wait(scale(10))
            r = apis[i].request("POST", "/api/v1/incidents/%s/claim" % iid)
            results[i] = (r.status, r.json())

        threads = [threading.Thread(target=claim, args=(i,), daemon=True)
                   for i in range(len(apis))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(scale(60))
        expect(all(r is not None for r in results), "every claim answered")
        winners = [i for i, r in enumerate(results) if r[0] == 200]
        expect_eq(len(winners), 1, "winners among %r"
                  % [r[0] for r in results])
        w = "analyst%02d" % winners[0]
        expect_eq(results[winners[0]][1]["claimed_by"], w, "the winner")
        for i, (st, body) in enumerate(results):
            if i != winners[0]:
                expect_eq(st, 409, "loser %d" % i)
                expect_eq(body.get("claimed_by"), w, "who holds it")
        inc = apis[0].get_json("/api/v1/incidents/" + iid)
        expect_eq(inc["claimed_by"], w, "the incident's claim")
        claims = [e for e in inc["timeline"] if e["action"] == "claim"]
        expect_eq([e["actor"] for e in claims], [w], "one claim in the trail")


def test_lease_expiry_release_and_the_409_rules():
    with Daemon({"triage": {"claim_ttl": "3s"}}) as d:
        reps = fill(d, d.token("partner"), distinct_reports(4))
        i1, i2, i3, i4 = [r.iid for r in reps]
        alice = Api(d, d.token("alice", "triage"))
        bob = Api(d, d.token("bob", "admin"))
        r = alice.request("POST", "/api/v1/incidents/%s/claim" % i1)
        expect_eq(r.status, 200, "alice claims")
        exp = _ts(r.json()["claim_expires"])
        expect(abs(exp - time.time() - 3) <= 2, "lease of claim_ttl: %r"
               % r.json())
        # everything bob tries on it is refused, even as admin
        for method, path, body in (
                ("POST", "/claim", None),
                ("DELETE", "/claim", None),
                ("POST", "/status", {"status": "triaged"}),
                ("PATCH", "", {"severity": "high"}),
                ("POST", "/merge", {"into": i2}),
                ("POST", "/split", {"reports": [reps[0].rid]})):
            r = bob.request(method, "/api/v1/incidents/" + i1 + path, body)
            expect_eq(r.status, 409, "bob %s %s while alice holds it"
                      % (method, path))
            expect_eq(r.json().get("claimed_by"), "alice", "409 says who")
        # merging into an incident someone else holds is refused too
        expect_eq(bob.request("POST", "/api/v1/incidents/%s/merge" % i2,
                              {"into": i1}).status, 409, "merge into held")
        # the holder may; claiming again renews
        expect_eq(alice.request("POST", "/api/v1/incidents/%s/status" % i1,
                                {"status": "triaged"}).status, 200,
                  "alice moves it")
        expect_eq(alice.request("POST", "/api/v1/incidents/%s/claim" % i1)
                  .status, 200, "alice renews")
        # the lease runs out: bob may act, and claim
        time.sleep(scale(3.5))
        inc = bob.get_json("/api/v1/incidents/" + i1)
        expect(inc["claimed_by"] is None and inc["claim_expires"] is None,
               "an expired claim shows no holder: %r" % inc["claimed_by"])
        expect_eq(bob.request("POST", "/api/v1/incidents/%s/claim" % i1)
                  .status, 200, "bob claims after expiry")
        expect_eq(alice.request("DELETE", "/api/v1/incidents/%s/claim" % i1)
                  .status, 409, "alice cannot release bob's claim")
        expect_eq(bob.request("DELETE", "/api/v1/incidents/%s/claim" % i1)
                  .status, 200, "bob releases")
        inc = alice.get_json("/api/v1/incidents/" + i1)
        expect(inc["claimed_by"] is None, "released")
        expect_eq(alice.request("DELETE", "/api/v1/incidents/%s/claim" % i1)
                  .status, 200, "releasing a free incident is a no-op")
        # unclaimed: any triage token may act
        expect_eq(alice.request("PATCH", "/api/v1/incidents/" + i3,
                                {"category": "phishing"}).status, 200,
                  "unclaimed PATCH")
        # intakectl: claims by name, the same rules
        r = d.ctl("claim", i4, "--as", "carol")
        expect_eq(r.returncode, 0, "intakectl claim: %r" % r.stderr)
        expect("claimed by carol" in r.stdout, "claim output %r" % r.stdout)
        expect_eq(alice.request("POST", "/api/v1/incidents/%s/claim" % i4)
                  .status, 409, "the API sees intakectl's claim")
        r = d.ctl("status", i4, "triaged", "--as", "dave")
        expect_eq(r.returncode, 3, "intakectl refused: %r" % r.stderr)
        expect("claimed by carol" in r.stderr, "why: %r" % r.stderr)
        d.ctl_ok("release", i4, "--as", "carol")
        d.ctl_ok("status", i4, "triaged", "--as", "dave", "--note", "seen")
        for who, args in ((None, ["claim", i4]),
                          (None, ["claim", "IR-1", "--as", "x"]),
                          (None, ["status", i4, "done", "--as", "x"]),
                          (None, ["merge", i4, "--into", "nope"])):
            expect_eq(d.ctl(*args).returncode, 1, "intakectl %r" % args)
        expect_eq(d.ctl("claim", "IN-20000101-000001", "--as", "x")
                  .returncode, 1, "unknown incident")
        tl = alice.get_json("/api/v1/incidents/" + i4)["timeline"]
        expect_eq([(e["action"], e["actor"]) for e in tl],
                  [("claim", "carol"), ("release", "carol"),
                   ("status", "dave")], "intakectl's changes in the timeline")
        expect(tl[0]["peer"].startswith("intakectl:"), "from intakectl")
        expect_eq(tl[2]["detail"], {"from": "new", "to": "triaged",
                                    "note": "seen"}, "status detail")


def _drive(api, iid, steps):
    for s in steps:
        r = api.request("POST", "/api/v1/incidents/%s/status" % iid,
                        {"status": s})
        expect_eq(r.status, 200, "step to %s: %r" % (s, r.body[:200]))


def test_every_transition_through_the_api():
    with Daemon() as d:
        api = Api(d, d.token("analyst", "triage"))
        n = len(PATH_TO) * len(STATES)
        reps = fill(d, d.token("partner"), distinct_reports(n))
        k = 0
        for frm, steps in PATH_TO.items():
            for to in STATES:
                iid = reps[k].iid
                k += 1
                _drive(api, iid, steps)
                r = api.request("POST", "/api/v1/incidents/%s/status" % iid,
                                {"status": to, "note": "%s>%s" % (frm, to)})
                if to == "merged":
                    want = 400	# merged is what a merge does
                elif (frm, to) in ALLOWED:
                    want = 200
                else:
                    want = 409
                expect_eq(r.status, want, "%s -> %s" % (frm, to))
                inc = api.get_json("/api/v1/incidents/" + iid)
                expect_eq(inc["status"], to if want == 200 else frm,
                          "status after %s -> %s" % (frm, to))
        # bad requests
        iid = reps[0].iid
        for body, field in (({"status": "done"}, "status"),
                            ({}, "status"),
                            ({"status": "new", "note": 5}, "note"),
                            ({"status": "new", "note": "x" * 5000}, "note")):
            r = api.request("POST", "/api/v1/incidents/%s/status" % iid,
                            body)
            expect_eq((r.status, r.json().get("field")), (400, field),
                      "status body %r" % (body,))
        r = api.request("POST", "/api/v1/incidents/%s/status" % iid,
                        body=b"status=new",
                        headers={"Content-Type": "text/plain"})
        expect_eq(r.status, 415, "not JSON")
        expect_eq(api.request("POST", "/api/v1/incidents/IN-20000101-000009"
                              "/status", {"status": "triaged"}).status, 404,
                  "unknown incident")


def test_every_transition_through_intakectl():
    with Daemon() as d:
        reps = fill(d, d.token("partner"), distinct_reports(
            len(PATH_TO) * len(STATES)))
        k = 0
        for frm, steps in PATH_TO.items():
            for to in STATES:
                iid = reps[k].iid
                k += 1
                for s in steps:
                    d.ctl_ok("status", iid, s, "--as", "ops")
                r = d.ctl("status", iid, to, "--as", "ops")
                if to == "merged":
                    want = 1
                elif (frm, to) in ALLOWED:
                    want = 0
                else:
                    want = 3
                expect_eq(r.returncode, want, "intakectl %s -> %s: %r"
                          % (frm, to, r.stderr))
                expect_eq(d.show(iid)["status"], to if want == 0 else frm,
                          "status after %s -> %s" % (frm, to))


def test_patch_deadlines_and_statistics():
    with Daemon() as d:
        api = Api(d, d.token("analyst", "triage"))
        reps = fill(d, d.token("partner"), distinct_reports(3))
        i1, i2, i3 = [r.iid for r in reps]
        r = api.request("PATCH", "/api/v1/incidents/" + i1, {
            "category": "ransomware", "severity": "critical",
            "assessment": {"status": "confirmed", "severity": "level 3",
                           "scope": "one agency", "target": "mail server",
                           "location": "Hà Nội"},
            "handling": "coordinator_help"})
        expect_eq(r.status, 200, "PATCH: %r" % r.body)
        inc = api.get_json("/api/v1/incidents/" + i1)
        expect_eq((inc["category"], inc["severity"], inc["handling"]),
                  ("ransomware", "critical", "coordinator_help"), "patched")
        expect_eq(inc["assessment"]["location"], "Hà Nội", "assessment")
        expect(inc["serious"], "critical now: serious")
        expect_eq(inc["deadline"], "notify", "the notification is due")
        # severity set by hand: a new report does not raise it again
        api.request("PATCH", "/api/v1/incidents/" + i2, {"severity": "low"})
        fill(d, d.token("partner2"), [distinct_reports(
            1, start=1, severity="critical")[0]])
        expect_eq(api.get_json("/api/v1/incidents/" + i2)["severity"],
                  "low", "an analyst's severity stays")
        expect_eq(api.get_json("/api/v1/incidents/" + i2)["reports"][-1]
                  ["severity"], "critical", "the report's own")
        for body, field in (({"category": "nope"}, "category"),
                            ({"severity": "huge"}, "severity"),
                            ({"handling": "self"}, "handling"),
                            ({"assessment": {"colour": "red"}}, "assessment"),
                            ({"assessment": {"scope": 3}}, "scope"),
                            ({"assessment": "x"}, "assessment"),
                            ({"status": "triaged"}, "status")):
            r = api.request("PATCH", "/api/v1/incidents/" + i3, body)
            expect_eq((r.status, r.json().get("field")), (400, field),
                      "PATCH %r" % (body,))
        expect_eq(api.request("PATCH", "/api/v1/incidents/" + i3, {})
                  .status, 400, "empty PATCH")
        # resolve: the final report is due 5 x 24 h later
        api.request("POST", "/api/v1/incidents/%s/claim" % i3)
        _drive(api, i3, ["triaged", "in-progress", "resolved"])
        inc = api.get_json("/api/v1/incidents/" + i3)
        resolved = _ts(inc["resolved_at"])
        expect(abs(resolved - time.time()) < 60, "resolved_at now")
        expect_eq((inc["deadline"], _ts(inc["due"]), inc["overdue"]),
                  ("final-report", resolved + 5 * 86400, False),
                  "final report deadline")
        _drive(api, i3, ["closed"])
        inc = api.get_json("/api/v1/incidents/" + i3)
        expect(inc["due"] is None and not inc["overdue"], "closed: no "
               "deadline")
        expect_eq(api.request("PATCH", "/api/v1/incidents/" + i3,
                              {"severity": "low"}).status, 409,
                  "a closed incident is final")
        # the statistics see the handling, the claim and the resolution
        year = str(datetime.datetime.now(datetime.timezone(
            datetime.timedelta(hours=7))).year)
        st = api.get_json("/api/v1/stats?period=" + year)
        row6 = [m for m in st["mau05"] if m["row"] == 6][0]
        expect_eq((row6["count"], row6["coordinator_help"]), (1, 1),
                  "ransomware's row and its handling")
        expect(isinstance(st["median_seconds_to_claim"], int) and
               isinstance(st["median_seconds_to_resolve"], int),
               "medians: %r" % st)
        expect_eq(st["by_severity"]["critical"], 1, "severity counted")
