"""Every route of the HTTPS listener against every kind of caller (SPEC
"API": roles): no token, an unknown token, and a token of each role
(submitter, triage, admin). Public routes answer everyone alike and never
ask for a token; a route needing a token answers 401 with
WWW-Authenticate without one (or with an unknown one), 403 to a role that
may not use it, and anything but 401/403 to a role that may. The staff
view's routes take a session cookie, never a Bearer token: to every
caller here they answer 303 to the sign-in page (test_staff.py has the
sessions of each role).

ROUTES lists them all: a route added to the daemon belongs here too.
"""

from harness import Daemon, expect, expect_eq
from triage_api import Api, distinct_reports, fill

TIMEOUT = 180

PUBLIC = "public"
SUBMIT = {"submitter", "admin"}
READ = {"submitter", "triage", "admin"}
TRIAGE = {"triage", "admin"}
STAFF = "staff session"

# (method, path template, JSON body, who may): {rid} a report, {iid} a
# fresh incident for each request, {other} another incident.
ROUTES = [
    ("GET", "/", None, PUBLIC),
    ("GET", "/.well-known/security.txt", None, PUBLIC),
    ("GET", "/security.txt", None, PUBLIC),
    ("GET", "/static/style.css", None, PUBLIC),
    ("GET", "/healthz", None, PUBLIC),
    ("GET", "/metrics", None, PUBLIC),
    ("GET", "/report", None, PUBLIC),
    ("POST", "/report", None, PUBLIC),
    ("GET", "/status/{rid}", None, PUBLIC),
    ("GET", "/verify/{rid}", None, PUBLIC),
    ("POST", "/verify/{rid}", None, PUBLIC),
    ("POST", "/api/v1/reports", {"category": "scan", "source_ip":
                                 "203.0.113.99"}, SUBMIT),
    ("GET", "/api/v1/reports/{rid}", None, READ),
    ("GET", "/api/v1/reports/{rid}/evidence", None, TRIAGE),
    ("GET", "/api/v1/incidents", None, TRIAGE),
    ("GET", "/api/v1/incidents/{iid}", None, TRIAGE),
    ("PATCH", "/api/v1/incidents/{iid}", {"severity": "high"}, TRIAGE),
    ("POST", "/api/v1/incidents/{iid}/claim", None, TRIAGE),
    ("DELETE", "/api/v1/incidents/{iid}/claim", None, TRIAGE),
    ("POST", "/api/v1/incidents/{iid}/status", {"status": "triaged"},
     TRIAGE),
    ("POST", "/api/v1/incidents/{iid}/merge", {"into": "{other}"}, TRIAGE),
    ("POST", "/api/v1/incidents/{iid}/split", {"reports": ["{rid}"]},
     TRIAGE),
    ("POST", "/api/v1/incidents/{iid}/forward", None, TRIAGE),
    ("GET", "/api/v1/export?format=jsonl", None, TRIAGE),
    ("GET", "/api/v1/stats?period=2026", None, TRIAGE),
    ("GET", "/triage/login", None, PUBLIC),
    ("POST", "/triage/login", None, PUBLIC),
    ("POST", "/triage/logout", None, STAFF),
    ("GET", "/triage", None, STAFF),
    ("GET", "/triage/incidents/{iid}", None, STAFF),
    ("POST", "/triage/incidents/{iid}/claim", None, STAFF),
    ("POST", "/triage/incidents/{iid}/release", None, STAFF),
    ("POST", "/triage/incidents/{iid}/status", None, STAFF),
    ("POST", "/triage/incidents/{iid}/merge", None, STAFF),
    ("POST", "/triage/incidents/{iid}/forward", None, STAFF),
    ("GET", "/triage/reports/{rid}/evidence", None, STAFF),
    ("GET", "/triage/phone", None, STAFF),
    ("POST", "/triage/phone", None, STAFF),
    ("GET", "/triage/stats", None, STAFF),
]

CALLERS = ("none", "unknown", "submitter", "triage", "admin")


def _fill(template, values):
    if isinstance(template, str):
        for k, v in values.items():
            template = template.replace("{%s}" % k, v)
        return template
    if isinstance(template, list):
        return [_fill(x, values) for x in template]
    if isinstance(template, dict):
        return {k: _fill(v, values) for k, v in template.items()}
    return template


def test_every_route_for_every_caller():
    with Daemon() as d:
        tokens = {"none": None, "unknown": "itk_no_such_token_at_all",
                  "submitter": d.token("sub", "submitter"),
                  "triage": d.token("tri", "triage"),
                  "admin": d.token("adm", "admin")}
        apis = {k: Api(d, v) for k, v in tokens.items()}
        # enough incidents for every request that changes one
        n = len(ROUTES) * len(CALLERS) * 2 + 2
        reps = fill(d, tokens["submitter"], distinct_reports(n))
        spare = iter(reps)
        rid = reps[0].rid
        for method, path, body, who in ROUTES:
            seen = {}
            for caller in CALLERS:
                inc = next(spare)
                other = next(spare)
                values = {"rid": rid, "iid": inc.iid, "other": other.iid}
                # a split needs a report of the incident, and a second one
                if path.endswith("/split"):
                    values["rid"] = fill(d, tokens["submitter"], [
                        distinct_reports(1, start=reps.index(inc))[0]])[0].rid
                r = apis[caller].request(method, _fill(path, values),
                                         _fill(body, values))
                seen[caller] = r.status
                what = "%s %s as %s" % (method, path, caller)
                if who == PUBLIC:
                    expect(r.status != 401, "%s: 401 on a public route"
                           % what)
                    continue
                if who == STAFF:
                    expect_eq(r.status, 303, what)
                    expect((r.header("Location") or "").startswith(
                        "/triage/login"), "%s: Location %r"
                        % (what, r.header("Location")))
                    continue
                if caller in ("none", "unknown"):
                    expect_eq(r.status, 401, what)
                    expect(r.header("WWW-Authenticate") is not None,
                           "%s: WWW-Authenticate" % what)
                elif caller in who:
                    expect(r.status not in (401, 403), "%s: %d, but the "
                           "role may use it (%r)" % (what, r.status,
                                                      r.body[:200]))
                else:
                    expect_eq(r.status, 403, what)
            if who == PUBLIC:
                # the same answer whoever asks
                expect_eq(len(set(seen.values())), 1, "%s %s answers "
                          "callers differently: %r" % (method, path, seen))
        # a method a path does not have: 405 with Allow, before any token
        r = apis["none"].request("PUT", "/api/v1/incidents/%s/claim"
                                 % reps[-1].iid)
        expect_eq(r.status, 405, "PUT on claim")
        expect_eq(r.header("Allow"), "POST, DELETE", "Allow")
        r = apis["none"].request("GET", "/api/v1/incidents/x/unknown")
        expect_eq(r.status, 404, "an unknown sub-path")
