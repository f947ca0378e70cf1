"""test_forward.py - incidents sent on to the national coordinator
([forward] to) through the outbox, received by a loopback SMTP server.

The rules fire when an incident becomes triaged, only for the listed
categories at or above min_severity; POST .../forward sends one by hand
(409 while someone else holds its claim, or when no coordinator address
is set; 403 for a submitter). The mail: subject "[TBSC] <incident>
<category>", the initial report's fields (Mẫu 03) in Vietnamese, the
incident with its reports as a JSON attachment, the reporter's identity
even for a confidential report (it goes only to the coordinator). The
incident's notification time is set (its deadline is met) and its
timeline says who sent it.
"""

import json
import time

from harness import Daemon, expect, expect_eq, report_line, scale
from relay import Relay
from triage_api import Api, fill

TIMEOUT = 90
COORD = "coordinator@vncert.example"


def _daemon(relay, forward=None):
    fw = {"to": COORD, "categories": "phishing, dos",
          "min_severity": "high"}
    fw.update(forward or {})
    return Daemon({"outbound": {"smarthost": relay.hostport,
                                "from": "cert@test.example",
                                "starttls": "no", "retry_first": "1s"},
                   "contact": {"email": "ir@test.example",
                               "organization": "CERT Thử"},
                   "forward": fw})


def _incident(d, tok, **fields):
    f = {"description": "Trang giả mạo ngân hàng"}
    f.update(fields)
    return fill(d, tok, [report_line(**f)])[0]


def _triage(api, iid):
    r = api.request("POST", "/api/v1/incidents/%s/status" % iid,
                    {"status": "triaged", "note": "đã xác minh"})
    expect_eq(r.status, 200, "status triaged of %s: %r" % (iid, r.body))
    return r.json()


def _attachment(msg):
    for part in msg.walk():
        if part.get_content_type() == "application/json":
            return json.loads(part.get_content())
    raise AssertionError("no JSON attachment")


def test_rules_fire_when_triaged():
    with Relay() as relay, _daemon(relay) as d:
        sub = d.token("telco", "submitter")
        api = Api(d, d.token("analyst", "triage"))
        a = _incident(d, sub, category="phishing", severity="critical",
                      url="http://bank-login.example/x",
                      reporter_name="Nguyễn Văn A",
                      reporter_email="a@example.vn", confidential="yes")
        b = _incident(d, sub, category="phishing", severity="low",
                      url="http://other.example/y")
        c = _incident(d, sub, category="spam", severity="critical",
                      source_ip="192.0.2.7")
        fa = _triage(api, a.iid)
        fb = _triage(api, b.iid)
        fc = _triage(api, c.iid)
        expect(fa["forwarded"] is True and fb["forwarded"] is False and
               fc["forwarded"] is False, "forwarded flags: %r %r %r"
               % (fa, fb, fc))
        msgs = relay.wait_messages(1, timeout=scale(15))
        expect_eq(len(msgs), 1, "mails to the coordinator")
        time.sleep(scale(2))
        expect_eq(len(relay.messages), 1, "only the incident the rules "
                  "name is sent")
        expect_eq(msgs[0].rcpts, [COORD], "recipient")
        m = relay.parsed(0)
        expect_eq(m["Subject"], "[TBSC] %s phishing" % a.iid, "subject")
        text = m.get_body(("plain",)).get_content()
        for want in ("Mẫu 03", a.iid, a.rid, "Mô tả sự cố",
                     "Trang giả mạo ngân hàng", "Nguyễn Văn A",
                     "a@example.vn", "http://bank-login.example/x",
                     "Loại sự cố"):
            expect(want in text, "%r missing from the text:\n%s"
                   % (want, text))
        inc = _attachment(m)
        expect_eq(inc["id"], a.iid, "attachment's incident")
        reps = inc["reports"]
        expect(len(reps) == 1 and reps[0]["id"] == a.rid and
               reps[0]["reporter"]["name"] == "Nguyễn Văn A",
               "the reports, confidential reporter included: %r" % reps)
        det = api.get_json("/api/v1/incidents/" + a.iid)
        expect(det.get("notified_at"), "notification time set: %r" % det)
        acts = [(t.get("action"), t.get("actor")) for t in det["timeline"]]
        expect(("forward", "analyst") in acts, "timeline: %r" % acts)


def test_forward_by_hand():
    with Relay() as relay, _daemon(relay) as d:
        sub = d.token("telco", "submitter")
        api = Api(d, d.token("analyst", "triage"))
        other = Api(d, d.token("other", "triage"))
        b = _incident(d, sub, category="scan", severity="low",
                      source_ip="198.51.100.4")
        r = Api(d, sub).request("POST", "/api/v1/incidents/%s/forward"
                                % b.iid)
        expect_eq(r.status, 403, "a submitter forwards")
        r = api.request("POST", "/api/v1/incidents/IN-20260101-999999"
                        "/forward")
        expect_eq(r.status, 404, "unknown incident")
        expect_eq(other.request("POST", "/api/v1/incidents/%s/claim"
                                % b.iid).status, 200, "claim")
        r = api.request("POST", "/api/v1/incidents/%s/forward" % b.iid)
        expect_eq(r.status, 409, "forward while someone else holds it")
        expect_eq(relay.messages, [], "nothing sent on a 409")
        r = other.request("POST", "/api/v1/incidents/%s/forward" % b.iid)
        expect_eq(r.status, 200, "the holder forwards")
        expect_eq(r.json()["to"], COORD, "answer names the coordinator")
        msgs = relay.wait_messages(1, timeout=scale(15))
        expect(len(msgs) == 1 and relay.parsed(0)["Subject"] ==
               "[TBSC] %s scan" % b.iid, "forwarded by hand: %r"
               % [m.rcpts for m in msgs])


def test_no_coordinator_configured():
    with Relay() as relay, _daemon(relay, {"to": None}) as d:
        sub = d.token("telco", "submitter")
        api = Api(d, d.token("analyst", "triage"))
        a = _incident(d, sub, category="phishing", severity="critical",
                      url="http://x.example/")
        expect(_triage(api, a.iid)["forwarded"] is False, "no rule without to")
        r = api.request("POST", "/api/v1/incidents/%s/forward" % a.iid)
        expect_eq(r.status, 409, "forward without [forward] to")
        time.sleep(scale(1.5))
        expect_eq(relay.messages, [], "mail without a coordinator")
