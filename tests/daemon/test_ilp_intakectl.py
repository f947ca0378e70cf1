"""intakectl: tokens, queue --json, show --json, severity defaults."""

import re

from harness import Daemon, expect, expect_eq

SEVERITIES = ("low", "medium", "high", "critical")
RFC3339_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?"
                        r"([Zz]|[+-]\d{2}:\d{2})$")


def test_token_add_list_revoke():
    with Daemon() as d:
        t1 = d.token("alpha-partner")
        t2 = d.token("beta-triage", role="triage")
        t3 = d.token("gamma-admin", role="admin")
        expect(t1 != t2, "two tokens are equal")
        lst = d.ctl_ok("token", "list")
        out = lst.stdout + lst.stderr
        expect("alpha-partner" in out and "beta-triage" in out,
               "token list lacks a name: %r" % lst.stdout)
        expect("submitter" in lst.stdout and "triage" in lst.stdout,
               "token list lacks the roles: %r" % lst.stdout)
        expect(t1 not in out and t2 not in out, "token list shows a secret")
        expect(t1[4:] not in out and t2[4:] not in out,
               "token list shows a secret (without its prefix)")
        d.ctl_ok("token", "revoke", "alpha-partner")
        c = d.client()
        expect_eq(c.auth(t1), "535 authentication failed", "revoked token")
        c.close()
        c = d.client()
        expect_eq(c.auth(t3), "235 authenticated gamma-admin", "other token still valid")
        c.close()
        # a triage token exists but may not submit over ILP (roles.c)
        c = d.client()
        expect(c.auth(t2).startswith("535 "), "triage token authenticated on ILP")
        c.close()
        lst2 = d.ctl_ok("token", "list")
        expect(t1 not in lst2.stdout, "token list shows a secret after revoke")


def test_token_errors():
    with Daemon() as d:
        d.token("dup-name")
        r = d.ctl("token", "add", "dup-name", "--role", "submitter")
        expect(r.returncode != 0 and not re.search(r"itk_[A-Za-z0-9_-]+", r.stdout),
               "a second token with an existing name was issued: %r" % r.stdout)
        r = d.ctl("token", "add", "badrole", "--role", "emperor")
        expect(r.returncode != 0, "token add with an unknown role succeeded")
        r = d.ctl("token", "revoke", "never-existed")
        expect(r.returncode != 0, "revoking an unknown token succeeded")


def test_token_secret_not_stored_in_clear():
    import glob
    import os
    with Daemon() as d:
        tok = d.token("hashed")
        d.stop()
        for path in glob.glob(os.path.join(d.data_dir, "**"), recursive=True):
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    data = f.read()
                expect(tok.encode() not in data and tok[4:].encode() not in data,
                       "the token appears in clear in %s" % path)


def test_unknown_command_fails():
    with Daemon() as d:
        r = d.ctl("frobnicate")
        expect(r.returncode != 0, "intakectl frobnicate exited 0")
        r = d.ctl()
        expect(r.returncode != 0, "intakectl without a command exited 0")


def _check_incident(inc, where):
    for k in ("id", "status", "category", "severity", "verified", "reports",
              "first_seen", "last_seen", "indicators", "channels"):
        expect(k in inc, "%s: field %r missing: %r" % (where, k, sorted(inc)))
    expect(isinstance(inc["id"], str) and inc["id"].startswith("IN-"),
           "%s: id %r" % (where, inc["id"]))
    expect(isinstance(inc["status"], str) and inc["status"], "%s: status" % where)
    expect(inc["severity"] in SEVERITIES, "%s: severity %r" % (where, inc["severity"]))
    expect(isinstance(inc["verified"], bool), "%s: verified not a bool" % where)
    expect(isinstance(inc["reports"], int) and not isinstance(inc["reports"], bool)
           and inc["reports"] >= 1, "%s: reports %r" % (where, inc["reports"]))
    for k in ("first_seen", "last_seen"):
        expect(isinstance(inc[k], str) and RFC3339_RE.match(inc[k]),
               "%s: %s %r is not RFC 3339" % (where, k, inc[k]))
    expect(isinstance(inc["indicators"], list), "%s: indicators" % where)
    for i in inc["indicators"]:
        expect(isinstance(i, dict) and set(i) >= {"type", "value"},
               "%s: indicator %r" % (where, i))
    expect(isinstance(inc["channels"], list), "%s: channels" % where)


def test_queue_json_fields():
    with Daemon() as d:
        c = d.authed_client(d.token("q"))
        r1 = c.report_ok(category="ransomware", description="Dữ liệu bị mã hóa",
                         source_ip="192.0.2.5")
        r2 = c.report_ok(category="spam", domain="spam.example")
        c.report_ok(category="spam", domain="spam.example")
        c.close()
        q = d.queue()
        ids = [i["id"] for i in q]
        expect(r1.iid in ids and r2.iid in ids, "queue lacks incidents: %r" % ids)
        expect_eq(len(ids), len(set(ids)), "incidents listed once")
        for inc in q:
            _check_incident(inc, "queue --json %s" % inc.get("id"))
        by = {i["id"]: i for i in q}
        expect_eq(by[r1.iid]["category"], "ransomware", "category")
        expect_eq(by[r1.iid]["severity"], "critical", "ransomware severity")
        expect_eq(by[r1.iid]["verified"], True, "verified")
        expect_eq(by[r1.iid]["reports"], 1, "reports of r1")
        expect_eq(by[r2.iid]["reports"], 2, "reports of r2")
        expect_eq(by[r1.iid]["channels"], ["line"], "channels")
        expect_eq([(i["type"], i["value"]) for i in by[r2.iid]["indicators"]],
                  [("domain", "spam.example")], "indicators")
        # --status filters on the status shown
        st = by[r1.iid]["status"]
        sq = [i["id"] for i in d.queue("--status", st)]
        expect(r1.iid in sq, "queue --status %s lacks %s" % (st, r1.iid))
        other = "closed" if st != "closed" else "new"
        ro = d.ctl("queue", "--status", other, "--json")
        expect(r1.iid not in ro.stdout,
               "queue --status %s lists a %s incident" % (other, st))


def test_queue_human_output():
    with Daemon() as d:
        c = d.authed_client(d.token("qh"))
        r = c.report_ok(category="dos", target_ip="192.0.2.80")
        c.close()
        out = d.ctl_ok("queue").stdout
        expect(r.iid in out, "plain queue output lacks %s: %r" % (r.iid, out[:500]))


def test_show_report_json():
    with Daemon() as d:
        c = d.authed_client(d.token("show"))
        r = c.report_ok(category="phishing", description="Giả mạo ngân hàng",
                        reporter_name="Trần Thị Bình", reporter_email="binh@example.vn",
                        reporter_phone="0912345678", organization="Ngân hàng X",
                        url="https://fake-bank.example/login")
        c.close()
        rep = d.show(r.rid)
        for k in ("id", "incident", "channel", "received_at", "category", "severity",
                  "verified", "auto", "subject", "description", "indicators", "reporter"):
            expect(k in rep, "show --json: field %r missing: %r" % (k, sorted(rep)))
        expect_eq(rep["id"], r.rid, "id")
        expect_eq(rep["incident"], r.iid, "incident")
        expect_eq(rep["channel"], "line", "channel")
        expect(isinstance(rep["received_at"], str) and RFC3339_RE.match(rep["received_at"]),
               "received_at %r" % rep["received_at"])
        expect_eq(rep["category"], "phishing", "category")
        expect_eq(rep["severity"], "medium", "phishing default severity")
        expect_eq(rep["verified"], True, "verified")
        expect_eq(rep["auto"], False, "auto")
        expect(rep["subject"] in (None, ""), "subject of a line report: %r" % rep["subject"])
        expect_eq(rep["description"], "Giả mạo ngân hàng", "description")
        expect_eq([(i["type"], i["value"]) for i in rep["indicators"]],
                  [("url", "https://fake-bank.example/login")], "indicators")
        expect_eq(rep["reporter"], dict(rep["reporter"], name="Trần Thị Bình",
                                        email="binh@example.vn", phone="0912345678",
                                        organization="Ngân hàng X"), "reporter")
        # human form mentions the ID
        out = d.ctl_ok("show", r.rid).stdout
        expect(r.rid in out, "show (plain) lacks the ID")


def test_show_incident_json():
    with Daemon() as d:
        c = d.authed_client(d.token("showin"))
        r = c.report_ok(category="defacement", url="http://site.example.gov.vn/",
                        domain="site.example.gov.vn")
        c.close()
        inc = d.show(r.iid)
        _check_incident(inc, "show %s --json" % r.iid)
        expect_eq(inc["id"], r.iid, "id")
        expect_eq(inc["category"], "defacement", "category")
        expect_eq(inc["severity"], "high", "defacement default severity")
        expect_eq(sorted((i["type"], i["value"]) for i in inc["indicators"]),
                  [("domain", "site.example.gov.vn"), ("url", "http://site.example.gov.vn/")],
                  "indicators")


def test_show_unknown_id_fails():
    with Daemon() as d:
        for ident in ("IR-19700101-999999", "IN-19700101-999999", "nonsense", ""):
            r = d.ctl("show", ident, "--json")
            expect(r.returncode != 0, "show %r exited 0: %r" % (ident, r.stdout[:200]))


def test_severity_defaults_from_taxonomy():
    want = {"ransomware": "critical", "spam": "low", "dos": "high",
            "phishing": "medium", "scan": "low", "c2": "high", "disaster": "high",
            "test": "low", "undetermined": "medium"}
    with Daemon() as d:
        c = d.authed_client(d.token("sevdef"))
        got = {}
        for n, cat in enumerate(want):
            r = c.report_ok(category=cat, description="severity check %d" % n)
            got[cat] = (d.show(r.rid).get("severity"), d.show(r.iid).get("severity"))
        c.close()
        bad = {k: v for k, v in got.items() if v != (want[k], want[k])}
        expect(not bad, "severity (report, incident) differs from the taxonomy: %r"
               % {k: (v, want[k]) for k, v in bad.items()})


def test_intakectl_works_while_daemon_stopped():
    with Daemon() as d:
        c = d.authed_client(d.token("offline"))
        r = c.report_ok(category="spam", source_ip="192.0.2.44")
        c.close()
        expect_eq(d.stop(), 0, "exit code")
        expect_eq(d.show(r.rid).get("id"), r.rid, "show with the daemon stopped")
        t = d.token("added-offline")
        d.start()
        c = d.client()
        expect_eq(c.auth(t), "235 authenticated added-offline",
                  "token added while the daemon was stopped")
        c.close()


def test_token_added_while_running_works_at_once():
    with Daemon() as d:
        c = d.client()
        expect_eq(c.cmd("PING"), "250 pong", "PING")
        t = d.token("hot")
        expect_eq(c.auth(t), "235 authenticated hot", "AUTH with a token just added")
        c.close()
