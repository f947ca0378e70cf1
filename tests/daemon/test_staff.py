"""The staff view (SPEC "API", staff view; issue 8 item 3) over HTTPS, as
a browser without script would use it: sign-in with a triage or admin
token for a session cookie (its flags, the tokens it refuses, the page's
form token, the rate of failures), sign-out, sessions ending when idle,
too old or revoked; every form needing the session's form token; the
queue with the API's filters and cursor, overdue incidents standing out;
an incident page with its reports (hostile text escaped), indicators,
sources, timeline and evidence links (audited like the API's); every
action (claim, release, status, merge, forward) with the API's effects
and refusals; a report taken by phone landing in the queue verified with
channel phone; the statistics page against the API's figures.
"""

import datetime
import html
import json
import re
import smtplib
import time
import urllib.parse
import uuid

from harness import Daemon, expect, expect_eq, scale
from staff_web import StaffWeb, csrf, location, path_of, query_of, text
from triage_api import Api, distinct_reports, fill

TIMEOUT = 240

INCIDENT_LINK = re.compile(r'<h2 class="incident-id"><a href="/triage/'
                           r'incidents/(IN-[0-9-]+)\?lang=[a-z]+">')
NEXT_LINK = re.compile(r'<a class="button" href="([^"]*)" rel="next">')
XSS_SCRIPT = "<script>window.__pwned=1</script>"
XSS_IMG = '<img src=x onerror="window.__pwned=2;alert(1)">'


def signed_in(d, token, lang=None):
    """A StaffWeb with a session of token (checked: 303 to /triage)."""
    w = StaffWeb(d)
    r = w.login(token, lang)
    expect_eq(path_of(location(r)), "/triage", "sign-in's redirect")
    return w


def queue_ids(r):
    return INCIDENT_LINK.findall(text(r))


def api_ids(api, query):
    q = urllib.parse.urlencode({k: v for k, v in query.items() if v})
    return [i["id"] for i in api.get_json("/api/v1/incidents?" + q)
            ["incidents"]]


def mail(d, frm, body):
    s = smtplib.SMTP("127.0.0.1", d.ports["smtp"], timeout=20)
    s.ehlo("t.example")
    s.mail(frm)
    s.rcpt("ir@test.example")
    code, reply = s.data(body.encode())
    s.quit()
    expect_eq(code, 250, "DATA")
    return reply.decode().split()[1]


def multipart(fields, files=()):
    """A multipart/form-data body of fields [(name, value)] and files
    [(name, filename, bytes)]: (content type, body)."""
    b = "----staff%s" % uuid.uuid4().hex
    out = []
    for name, value in fields:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\""
                    "\r\n\r\n" % (b, name)).encode() + value.encode()
                   + b"\r\n")
    for name, fname, data in files:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; "
                    "filename=\"%s\"\r\nContent-Type: application/"
                    "octet-stream\r\n\r\n" % (b, name, fname)).encode()
                   + data + b"\r\n")
    out.append(("--%s--\r\n" % b).encode())
    return "multipart/form-data; boundary=" + b, b"".join(out)


def cookie_attrs(header):
    """name, value, {attribute lower: value} of a Set-Cookie value."""
    parts = [p.strip() for p in header.split(";")]
    name, _, value = parts[0].partition("=")
    attrs = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        attrs[k.lower()] = v
    return name, value, attrs


# ---------------------------------------------------------------------------


def test_sign_in_cookie_and_refusals():
    with Daemon() as d:
        tri = d.token("analyst", "triage")
        adm = d.token("boss", "admin")
        sub = d.token("partner", "submitter")
        w = StaffWeb(d)
        # no session: every page of the view sends to the sign-in page
        for p in ("/triage", "/triage?lang=en", "/triage/stats",
                  "/triage/phone", "/triage/incidents/IN-20260101-000001",
                  "/triage/reports/IR-20260101-000001/evidence"):
            r = w.get(p)
            expect_eq(path_of(location(r)), "/triage/login", p)
        expect_eq(query_of(location(w.get("/triage?lang=en"))).get("lang"),
                  ["en"], "the sign-in page in the asker's language")
        r = w.post("/triage/incidents/IN-20260101-000001/claim",
                   {"csrf": "x"})
        expect_eq(path_of(location(r)), "/triage/login", "POST, no session")
        # a Bearer token alone opens no page of the view
        r = w.get("/triage", headers={"Authorization": "Bearer " + tri})
        expect_eq(path_of(location(r)), "/triage/login", "Bearer token")
        # the sign-in page: a token field and the page's form token
        r = w.page("/triage/login")
        page = text(r)
        expect('<input type="password" id="f-token" name="token"' in page,
               "token field: %s" % page[:2000])
        expect(csrf(r) != "", "form token")
        expect(r.header("Set-Cookie") is None, "no cookie before sign-in")
        # refused: unknown, a submitter's, empty; nothing but the page
        for bad, what in (("itk_no_such_token", "unknown"),
                          (sub, "submitter"), ("", "empty")):
            r = w.login(bad)
            expect_eq(r.status, 403, "sign-in with %s token" % what)
            expect("Mã truy cập không đúng" in text(r),
                   "%s: message: %r" % (what, text(r)[:3000]))
            expect(r.header("Set-Cookie") is None, "%s: a cookie" % what)
        # refused: a wrong, an old-format or no form token
        for fields in ({"csrf": "6553f100.00112233445566778899aabbccddeeff",
                        "token": tri}, {"token": tri},
                       {"csrf": "", "token": tri}):
            r = w.post("/triage/login", fields)
            expect_eq(r.status, 403, "sign-in, form token %r" % fields)
            expect("hết hạn" in text(r), "expired-form message")
            expect(r.header("Set-Cookie") is None, "a cookie: %r" % fields)
        expect_eq(w.cookies, {}, "cookies after refusals")
        # a triage token: 303 to /triage and the session cookie
        r = w.login(tri)
        expect_eq(location(r), "/triage?lang=vi", "sign-in redirect")
        name, value, attrs = cookie_attrs(r.header("Set-Cookie"))
        expect_eq(name, "intaked_staff", "cookie name")
        expect(re.fullmatch(r"[0-9a-f]{64}", value) is not None,
               "a 256-bit random id: %r" % value)
        for flag in ("secure", "httponly"):
            expect(flag in attrs, "cookie without %s: %r" % (flag, attrs))
        expect_eq(attrs.get("samesite"), "Strict", "SameSite")
        expect_eq(attrs.get("path"), "/triage", "Path")
        r = w.page("/triage")
        expect("<strong>analyst</strong>" in text(r), "who is signed in")
        expect(r.header("Cache-Control") == "no-store", "pages not cached")
        # signed in, the sign-in page sends to the queue
        expect_eq(path_of(location(w.get("/triage/login"))), "/triage",
                  "sign-in page with a session")
        # signing in again ends the session the browser had
        r = w.post("/triage/login", {"csrf": csrf(StaffWeb(d).page(
            "/triage/login")), "token": tri})
        expect_eq(r.status, 303, "sign-in again")
        again = w.cookies["intaked_staff"]
        expect(again != value, "a new id")
        w5 = StaffWeb(d)
        w5.cookies = {"intaked_staff": value}
        expect_eq(path_of(location(w5.get("/triage"))), "/triage/login",
                  "the session before the new sign-in")
        value = again
        # an admin token too, with a session of its own
        w2 = StaffWeb(d)
        r = w2.login(adm, "en")
        expect_eq(location(r), "/triage?lang=en", "admin sign-in")
        expect(w2.cookies["intaked_staff"] != value, "a new id each time")
        r = w2.page("/triage?lang=en")
        expect("<strong>boss</strong>" in text(r), "admin signed in")
        expect("Incident queue" in text(r), "English page")
        # a made-up id, a malformed one, the other name: no session
        for jar in ({"intaked_staff": "0" * 64},
                    {"intaked_staff": value.upper()},
                    {"intaked_staff": value[:-1]},
                    {"staff": value}):
            w3 = StaffWeb(d)
            w3.cookies = jar
            expect_eq(path_of(location(w3.get("/triage"))), "/triage/login",
                      "cookie %r" % jar)
        # the real id works from another connection (a cookie, not a
        # connection's state)
        w4 = StaffWeb(d)
        w4.cookies = {"intaked_staff": value}
        w4.page("/triage")


def test_forms_need_the_session_form_token():
    with Daemon({"forward": {"to": "coordinator@test.example"}}) as d:
        sub = d.token("partner")
        tri = d.token("analyst", "triage")
        api = Api(d, tri)
        a, b = fill(d, sub, distinct_reports(2))
        w = signed_in(d, tri)
        other = signed_in(d, d.token("analyst2", "triage"))
        tok = csrf(w.page("/triage/incidents/" + a.iid))
        other_tok = csrf(other.page("/triage"))
        expect(tok != other_tok, "each session its own form token")
        wrong = tok[:-1] + ("0" if tok[-1] != "0" else "1")
        posts = [("/triage/incidents/%s/claim" % a.iid, {}),
                 ("/triage/incidents/%s/release" % a.iid, {}),
                 ("/triage/incidents/%s/status" % a.iid,
                  {"status": "triaged", "note": "x"}),
                 ("/triage/incidents/%s/merge" % a.iid, {"into": b.iid}),
                 ("/triage/incidents/%s/forward" % a.iid, {}),
                 ("/triage/logout", {})]
        for path, fields in posts:
            for bad in (None, "", other_tok, wrong, tok + tok):
                f = dict(fields)
                if bad is not None:
                    f["csrf"] = bad
                r = w.post(path, f)
                expect_eq(r.status, 403, "%s with csrf %r" % (path, bad))
            # the token twice is no token either
            body = urllib.parse.urlencode(list(fields.items()) + [
                ("csrf", tok), ("csrf", tok)])
            r = w.request("POST", path, body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded"})
            expect_eq(r.status, 403, "%s with csrf twice" % path)
        n = d.report_count()
        for bad in (None, other_tok):
            fields = [("description", "gọi điện báo lừa đảo"),
                      ("reporter-phone", "0912 345 678")]
            if bad is not None:
                fields.append(("csrf", bad))
            ct, body = multipart(fields)
            r = w.request("POST", "/triage/phone", body=body,
                          headers={"Content-Type": ct})
            expect_eq(r.status, 403, "phone report, csrf %r" % bad)
            expect("gọi điện báo lừa đảo" in text(r), "values kept")
        expect_eq(d.report_count(), n, "a report stored without the token")
        # nothing happened; the session is still there
        inc = api.get_json("/api/v1/incidents/" + a.iid)
        expect_eq((inc["status"], inc["claimed_by"], inc["timeline"]),
                  ("new", None, []), "incident after refused forms")
        expect_eq(api.get_json("/api/v1/incidents/" + b.iid)["status"], "new",
                  "the merge target")
        w.page("/triage")
        # the same forms with the token go through
        r = w.post("/triage/incidents/%s/claim" % a.iid, {"csrf": tok})
        expect_eq(r.status, 303, "claim with the token")
        expect_eq(api.get_json("/api/v1/incidents/" + a.iid)["claimed_by"],
                  "analyst", "claimed")


def test_sign_out():
    with Daemon() as d:
        w = signed_in(d, d.token("analyst", "triage"))
        old = w.cookies["intaked_staff"]
        tok = csrf(w.page("/triage"))
        r = w.post("/triage/logout?lang=en", {"csrf": tok})
        expect_eq(location(r), "/triage/login?out=1&lang=en", "sign-out")
        name, value, attrs = cookie_attrs(r.header("Set-Cookie"))
        expect_eq((name, value, attrs.get("max-age"), attrs.get("path")),
                  ("intaked_staff", "", "0", "/triage"), "cookie cleared")
        expect("httponly" in attrs and "secure" in attrs, "flags")
        r = w.page(location(r))
        expect("You have signed out." in text(r), "signed-out notice")
        # the old cookie no longer opens anything: the session ended
        w.cookies = {"intaked_staff": old}
        expect_eq(path_of(location(w.get("/triage"))), "/triage/login",
                  "the old cookie after sign-out")
        r = w.post("/triage/logout", {"csrf": tok})
        expect_eq(path_of(location(r)), "/triage/login", "sign-out again")


def test_sessions_end_idle_old_or_revoked():
    with Daemon({"triage": {"session_idle": "2s",
                            "session_lifetime": "5s"}}) as d:
        tri = d.token("analyst", "triage")
        # idle
        w = signed_in(d, tri)
        w.page("/triage")
        time.sleep(scale(2.5))
        expect_eq(path_of(location(w.get("/triage"))), "/triage/login",
                  "a session idle past session_idle")
        # too old, though used every second
        w = signed_in(d, tri)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 3.5:
            w.page("/triage/stats")
            time.sleep(0.7)
        time.sleep(max(0, t0 + 5.5 - time.monotonic()))
        expect_eq(path_of(location(w.get("/triage"))), "/triage/login",
                  "a session past session_lifetime")
    with Daemon() as d:
        tri = d.token("analyst", "triage")
        keep = d.token("keeper", "triage")
        w = signed_in(d, tri)
        w2 = signed_in(d, tri)
        k = signed_in(d, keep)
        w.page("/triage")
        d.ctl_ok("token", "revoke", "analyst")
        for s in (w, w2):
            expect_eq(path_of(location(s.get("/triage"))), "/triage/login",
                      "a revoked token's session")
        expect_eq(w.login(tri).status, 403, "sign-in with a revoked token")
        k.page("/triage")


def test_failed_sign_ins_are_limited():
    with Daemon() as d:
        tri = d.token("analyst", "triage")
        w = StaffWeb(d)
        for i in range(10):
            expect_eq(w.login("itk_guess_%d" % i).status, 403,
                      "failed sign-in %d" % i)
        r = w.login(tri)
        expect_eq(r.status, 429, "the right token after 10 failures")
        expect(int(r.header("Retry-After")) > 0, "Retry-After")
        expect("quá nhiều lần đăng nhập sai" in text(r), "rate message")
        expect(r.header("Set-Cookie") is None, "no session when limited")


def test_queue_filters_pages_and_overdue():
    with Daemon() as d:
        sub = d.token("partner")
        tri = d.token("analyst", "triage")
        api = Api(d, tri)
        now = datetime.datetime.now(datetime.timezone.utc)
        six_days = (now - datetime.timedelta(days=6)).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        c = d.authed_client(sub)
        phish = c.report_ok(category="phishing", severity="high",
                            description="Trang giả mạo ngân hàng",
                            url="http://bank-login.example/x")
        late = c.report_ok(category="dos", severity="critical",
                           description="Tấn công từ chối dịch vụ",
                           detected_at=six_days, target_ip="203.0.113.80")
        scan = c.report_ok(category="scan", severity="low",
                           source_ip="198.51.100.9",
                           description="port scan from a neighbour")
        c.close()
        mail_rid = mail(d, "stranger@isp.example",
                        "Subject: spam wave\r\nFrom: stranger@isp.example"
                        "\r\n\r\nspam from 192.0.2.55 today\r\n")
        mail_iid = d.show(mail_rid)["incident"]
        api.request("POST", "/api/v1/incidents/%s/status" % scan.iid,
                    {"status": "rejected"})
        w = signed_in(d, tri)
        today = now.astimezone(datetime.timezone(datetime.timedelta(
            hours=7))).strftime("%Y-%m-%d")
        queries = [
            {}, {"status": "all"}, {"status": "new"},
            {"status": "rejected"}, {"category": "phishing"},
            {"severity": "critical"}, {"verified": "false"},
            {"verified": "all"}, {"channel": "smtp", "verified": "all"},
            {"channel": "line"}, {"q": "NGÂN HÀNG"}, {"q": late.iid},
            {"since": today, "verified": "all", "status": "all"},
            {"until": today},
        ]
        seen = set()
        for q in queries:
            r = w.page("/triage?" + urllib.parse.urlencode(q))
            got = queue_ids(r)
            expect_eq(got, api_ids(api, q), "staff queue vs API for %r" % q)
            seen.add(tuple(got))
        expect(len(seen) >= 8, "filters that change nothing: %r" % seen)
        expect_eq(queue_ids(w.page("/triage?category=phishing")),
                  [phish.iid], "one category")
        expect(mail_iid in queue_ids(w.page("/triage?verified=false")),
               "unverified mail")
        # a form as browsers send it: every field, the empty ones too
        form = {"lang": "vi", "status": "", "category": "", "severity": "",
                "verified": "", "channel": "", "since": "", "until": "",
                "q": ""}
        expect_eq(queue_ids(w.page("/triage?" + urllib.parse.urlencode(
            form))), api_ids(api, {}), "an empty filter form")
        # the chosen values are shown again
        page = text(w.page("/triage?severity=critical&q=d%E1%BB%8Bch"))
        expect('<option value="critical" selected>' in page, "severity kept")
        expect('name="q" value="dịch"' in page, "text kept")
        # a filter that is not one: the form again, with a notice
        r = w.get("/triage?since=yesterday&q=abc")
        expect_eq(r.status, 400, "a bad date")
        expect("Bộ lọc không hợp lệ" in text(r) and
               'value="yesterday"' in text(r), "bad filter page")
        expect_eq(w.get("/triage?status=bogus").status, 400, "bad status")
        # overdue stands out (class and words), serious and due shown
        page = text(w.page("/triage"))
        cards = {m.group(2): m.group(1) for m in re.finditer(
            r'<article class="([^"]*)">\n<h2 class="incident-id"><a href='
            r'"/triage/incidents/(IN-[0-9-]+)', page)}
        expect("incident-overdue" in cards[late.iid], "overdue class: %r"
               % cards)
        expect("incident-serious" in cards[late.iid], "serious class")
        expect("incident-overdue" not in cards[phish.iid], "not overdue")
        card = page[page.index(late.iid):]
        card = card[:card.index("</article>")]
        expect(">Quá hạn<" in card and "Sự cố nghiêm trọng" in card,
               "overdue and serious in words: %s" % card)
        expect("Hạn báo cáo cơ quan điều phối" in card, "the deadline")
        due = api.get_json("/api/v1/incidents/" + late.iid)["due"]
        local = (datetime.datetime.strptime(due, "%Y-%m-%dT%H:%M:%SZ")
                 + datetime.timedelta(hours=7)).strftime("%Y-%m-%d %H:%M")
        expect(local in card, "due %s (local %s) in %s" % (due, local, card))
        # pages: a walk by the next links equals the API's walk
        fill(d, sub, distinct_reports(70, start=100, category="scan"))
        for q in ({}, {"category": "scan"}):
            ids, path = [], "/triage?" + urllib.parse.urlencode(q)
            for _ in range(5):
                r = w.page(path)
                ids += queue_ids(r)
                m = NEXT_LINK.search(text(r))
                if m is None:
                    break
                path = html.unescape(m.group(1))
                for k, v in q.items():
                    expect_eq(query_of(path).get(k), [v], "filter kept in "
                              "the next link %s" % path)
            want, _ = api.walk(urllib.parse.urlencode(q))
            expect_eq(ids, want, "walk of %r" % q)
            expect(len(ids) > 50, "more than a page")


def test_incident_page_escapes_and_evidence():
    with Daemon() as d:
        sub = d.token("partner")
        tri = d.token("analyst", "triage")
        api = Api(d, tri)
        c = d.authed_client(sub)
        rep = c.report_ok(category="phishing", severity="medium",
                          description="Lừa đảo " + XSS_SCRIPT + " " +
                          XSS_IMG, affected_system="<b>web</b>",
                          reporter_name="<i>Nguyễn</i>",
                          url="http://evil.example/\"><script>x</script>",
                          source_ip="192.0.2.44")
        c.close()
        w = signed_in(d, tri)
        r = w.page("/triage/incidents/" + rep.iid)
        page = text(r)
        main = page[page.index("<main"):page.index("</main>")]
        for raw in ("<script", "<img", "<b>", "<i>", "onerror=\""):
            expect(raw not in page, "raw %r on the page" % raw)
        for shown in ("&lt;script&gt;window.__pwned=1&lt;/script&gt;",
                      "&lt;img src=x onerror=&quot;window.__pwned=2;alert"
                      "(1)&quot;&gt;", "&lt;b&gt;web&lt;/b&gt;",
                      "&lt;i&gt;Nguyễn&lt;/i&gt;", "192.0.2.44"):
            expect(shown in main, "%r not shown escaped" % shown)
        # reports, indicators, sources, timeline
        for h in ("Báo cáo (1)", "Dấu hiệu", "Nguồn báo cáo",
                  "Lịch sử xử lý", rep.rid):
            expect(h in main, "%r on the incident page" % h)
        # the evidence link: an attachment, with the session, audited
        m = re.search(r'href="(/triage/reports/%s/evidence\?lang=vi)" '
                      r'download>' % rep.rid, page)
        expect(m is not None, "evidence link")
        r = w.get(html.unescape(m.group(1)))
        expect_eq(r.status, 200, "evidence")
        expect(r.header("Content-Disposition").startswith("attachment"),
               "as an attachment")
        expect_eq(r.header("Content-Type"), "application/octet-stream",
                  "type")
        raw = api.get("/api/v1/reports/%s/evidence" % rep.rid)
        expect_eq(r.body, raw.body, "the evidence's bytes")
        tl = api.get_json("/api/v1/incidents/" + rep.iid)["timeline"]
        expect_eq([(e["actor"], e["action"], e["object"]) for e in tl],
                  [("analyst", "evidence.read", rep.rid),
                   ("analyst", "evidence.read", rep.rid)],
                  "both reads audited, the staff view's by the session's "
                  "token")
        page = text(w.page("/triage/incidents/" + rep.iid))
        expect(page.count("đã tải bằng chứng") == 2, "reads in the timeline")
        # no session, no evidence
        w2 = StaffWeb(d)
        expect_eq(path_of(location(w2.get(html.unescape(m.group(1))))),
                  "/triage/login", "evidence without a session")
        # unknown and malformed IDs
        expect_eq(w.get("/triage/incidents/IN-20200101-999999").status, 404,
                  "unknown incident")
        expect_eq(w.get("/triage/incidents/XYZ").status, 404, "not an ID")
        expect_eq(w.get("/triage/reports/IR-20200101-999999/evidence")
                  .status, 404, "unknown report's evidence")
        # English
        page = text(w.page("/triage/incidents/%s?lang=en" % rep.iid))
        expect("Download the evidence" in page and "Timeline" in page,
               "English incident page")


def test_actions_call_the_api_changes():
    with Daemon({"forward": {"to": "coordinator@test.example"}}) as d:
        sub = d.token("partner")
        api = Api(d, d.token("auditor", "admin"))
        i1, i2, i3 = fill(d, sub, distinct_reports(3))
        a = signed_in(d, d.token("alice", "triage"))
        b = signed_in(d, d.token("bob", "triage"))
        ta = csrf(a.page("/triage"))
        tb = csrf(b.page("/triage"))
        base = "/triage/incidents/" + i1.iid
        # claim
        r = a.post(base + "/claim", {"csrf": ta})
        expect_eq(location(r), "/triage/incidents/%s?done=claim&lang=vi"
                  % i1.iid, "claim")
        page = text(a.page(location(r)))
        expect("Bạn đã nhận xử lý sự cố này." in page, "claimed notice")
        expect('id="do-release"' in page and 'id="do-claim"' not in page,
               "release offered to the holder")
        inc = api.get_json("/api/v1/incidents/" + i1.iid)
        expect_eq(inc["claimed_by"], "alice", "claimed_by")
        # someone else: 409, the page again with the reason
        for path, fields in (("/claim", {}), ("/status",
                                              {"status": "triaged"}),
                             ("/merge", {"into": i2.iid}),
                             ("/forward", {})):
            f = dict(fields, csrf=tb)
            r = b.post(base + path, f)
            expect_eq(r.status, 409, "bob %s on alice's incident" % path)
            page = text(r)
            expect("sự cố đang được cán bộ khác nhận xử lý" in page and
                   "claimed by alice" in page, "reason: %s" % page[:4000])
            expect("<h1>Sự cố <span class=\"incident-id\">%s</span>" % i1.iid
                   in page, "the incident page")
        page = text(b.page(base))
        expect('id="do-claim"' not in page and 'id="do-status"' not in page,
               "no actions offered while someone else holds it")
        # status with a note
        r = a.post(base + "/status", {"csrf": ta, "status": "triaged",
                                      "note": "Đã kiểm tra <b>kỹ</b>"})
        expect_eq(location(r), "/triage/incidents/%s?done=status&lang=vi"
                  % i1.iid, "status")
        inc = api.get_json("/api/v1/incidents/" + i1.iid)
        expect_eq(inc["status"], "triaged", "status")
        st = [e for e in inc["timeline"] if e["action"] == "status"]
        expect_eq(len(st), 1, "status in the timeline")
        expect("Đã kiểm tra <b>kỹ</b>" in json.dumps(st[0]["detail"],
                                                    ensure_ascii=False),
               "the note: %r" % st[0])
        page = text(a.page(base))
        expect("Đã kiểm tra &lt;b&gt;kỹ&lt;/b&gt;" in page, "note shown")
        # a transition the lifecycle forbids: 409, the note kept
        r = a.post(base + "/status", {"csrf": ta, "status": "new",
                                      "note": "quay lại"})
        expect_eq(r.status, 409, "triaged -> new")
        expect("cannot go from triaged to new" in text(r) and
               ">quay lại</textarea>" in text(r), "reason and note kept")
        expect_eq(a.post(base + "/status", {"csrf": ta, "status": "bogus"})
                  .status, 400, "not a status")
        expect_eq(a.post(base + "/status", {"csrf": ta, "status":
                                            "in-progress", "note":
                                            "x" * 4097}).status, 400,
                  "a note too long")
        # forward to the coordinator
        r = a.post(base + "/forward", {"csrf": ta})
        expect_eq(location(r), "/triage/incidents/%s?done=forward&lang=vi"
                  % i1.iid, "forward")
        inc = api.get_json("/api/v1/incidents/" + i1.iid)
        expect(inc["notified_at"] is not None, "notified_at set")
        expect_eq([e["actor"] for e in inc["timeline"]
                   if e["action"] == "forward"], ["alice"], "forward audited")
        out = [json.loads(x) for x in d.ctl_ok("outbox", "--json")
               .stdout.splitlines() if x.strip()]
        fw = [m for m in out if m["kind"] == "forward"]
        expect_eq(len(fw), 1, "one forward queued: %r" % out)
        expect_eq((fw[0]["rcpt"], fw[0]["subject"].split()[:2]),
                  ("coordinator@test.example", ["[TBSC]", i1.iid]),
                  "the forward")
        # [forward]'s rules fire on triaged as through the API: the same
        # change (a high severity phishing incident matches the defaults)
        c = d.authed_client(sub)
        hi = c.report_ok(category="phishing", severity="high",
                         url="http://rule.example/x")
        c.close()
        r = b.post("/triage/incidents/%s/status" % hi.iid,
                   {"csrf": tb, "status": "triaged"})
        expect_eq(r.status, 303, "status triaged")
        tl = api.get_json("/api/v1/incidents/" + hi.iid)["timeline"]
        expect_eq([(e["actor"], e["detail"]["by"]) for e in tl
                   if e["action"] == "forward"], [("bob", "rule")],
                  "the rule fired")
        # release
        r = a.post(base + "/release", {"csrf": ta})
        expect_eq(location(r), "/triage/incidents/%s?done=release&lang=vi"
                  % i1.iid, "release")
        expect_eq(api.get_json("/api/v1/incidents/" + i1.iid)["claimed_by"],
                  None, "released")
        # merge: to the incident that keeps the reports
        r = b.post("/triage/incidents/%s/merge" % i2.iid,
                   {"csrf": tb, "into": " " + i3.iid.lower() + " "})
        expect_eq(location(r), "/triage/incidents/%s?done=merge&lang=vi"
                  % i3.iid, "merge")
        two = api.get_json("/api/v1/incidents/" + i2.iid)
        three = api.get_json("/api/v1/incidents/" + i3.iid)
        expect_eq((two["status"], two["merged_into"]), ("merged", i3.iid),
                  "merged")
        expect_eq(sorted(x["id"] for x in three["reports"]),
                  sorted([i2.rid, i3.rid]), "reports moved")
        page = text(b.page("/triage/incidents/" + i2.iid))
        expect("Sự cố này đã được gộp vào" in page and
               "/triage/incidents/%s?lang=vi" % i3.iid in page,
               "merged incident links to the other")
        r = b.post("/triage/incidents/%s/merge" % i3.iid,
                   {"csrf": tb, "into": "IN-20200101-999999"})
        expect_eq(r.status, 404, "merge into an unknown incident")
        expect('value="IN-20200101-999999"' in text(r), "value kept")
        expect_eq(b.post("/triage/incidents/%s/merge" % i3.iid,
                         {"csrf": tb, "into": "nonsense"}).status, 400,
                  "not an incident ID")
        expect_eq(b.post("/triage/incidents/IN-20200101-999999/claim",
                         {"csrf": tb}).status, 404, "unknown incident")
    with Daemon() as d:
        i = fill(d, d.token("partner"), distinct_reports(1))[0]
        w = signed_in(d, d.token("alice", "triage"))
        page = text(w.page("/triage/incidents/" + i.iid))
        expect('id="do-forward"' not in page, "no forward without [forward]")
        r = w.post("/triage/incidents/%s/forward" % i.iid,
                   {"csrf": csrf(w.page("/triage"))})
        expect_eq(r.status, 409, "forward without [forward] to")
        expect("Chưa cấu hình địa chỉ cơ quan điều phối" in text(r),
               "why")


def test_phone_report_enters_the_queue_verified():
    with Daemon() as d:
        tri = d.token("analyst", "triage")
        api = Api(d, tri)
        w = signed_in(d, tri)
        r = w.page("/triage/phone")
        page = text(r)
        expect('action="/triage/phone?lang=vi"' in page, "form action")
        expect("Ghi nhận báo cáo qua điện thoại" in page, "heading")
        for name in ("description", "reporter-phone", "reporter-email",
                     "category", "severity", "indicators", "attachment",
                     "detected-at", "confidential"):
            expect('name="%s"' % name in page, "field %s" % name)
        tok = csrf(r)
        # the public form's validation and messages
        n = d.report_count()
        ct, body = multipart([("csrf", tok), ("reporter-name", "Trần Văn A"),
                              ("reporter-phone", "0912 345 678")])
        r = w.request("POST", "/triage/phone", body=body,
                      headers={"Content-Type": ct})
        expect_eq(r.status, 400, "no description")
        expect("Hãy điền mục này." in text(r) and
               'value="Trần Văn A"' in text(r), "message and values kept")
        ct, body = multipart([("csrf", tok), ("description", "x"),
                              ("reporter-email", "not-an-address")])
        r = w.request("POST", "/triage/phone", body=body,
                      headers={"Content-Type": ct})
        expect_eq(r.status, 400, "a bad e-mail address")
        expect_eq(d.report_count(), n, "nothing stored")
        # a good one, with a file
        desc = "Người gọi báo có trang giả mạo ngân hàng gửi qua SMS"
        ct, body = multipart([
            ("csrf", tok), ("reporter-name", "Trần Văn A"),
            ("reporter-phone", "0912 345 678"), ("description", desc),
            ("category", "phishing"), ("severity", "high"),
            ("indicators", "hxxps://vcb-xacthuc[.]example/login")],
            [("attachment", "sms.png", b"\x89PNG\r\n\x1a\n" + bytes(64))])
        r = w.request("POST", "/triage/phone", body=body,
                      headers={"Content-Type": ct})
        loc = location(r)
        iid = path_of(loc).rsplit("/", 1)[1]
        rid = query_of(loc)["report"][0]
        expect_eq(query_of(loc)["done"], ["recorded"], "done")
        page = text(w.page(loc))
        expect("Đã ghi nhận báo cáo qua điện thoại." in page and rid in page,
               "the report ID shown to read to the caller")
        rep = d.show(rid)
        expect_eq((rep["channel"], rep["verified"], rep["token"]),
                  ("phone", True, "analyst"), "channel, verified, analyst")
        expect_eq(rep["incident"], iid, "its incident")
        expect_eq(rep["description"], desc, "description")
        inc = api.get_json("/api/v1/incidents/" + iid)
        expect_eq((inc["verified"], inc["channels"], inc["category"]),
                  (True, ["phone"], "phishing"), "incident")
        expect({"type": "url", "value": "https://vcb-xacthuc.example/login"}
               in inc["indicators"], "indicators: %r" % inc["indicators"])
        expect(iid in api_ids(api, {}), "in the default (verified) queue")
        expect_eq(queue_ids(w.page("/triage?channel=phone")), [iid],
                  "the staff queue by channel")
        ev = api.get("/api/v1/reports/%s/evidence" % rid).body
        expect(b"sms.png" in ev and b"\x89PNG" in ev, "the form is the "
               "evidence")
        metrics = https_metrics(d)
        expect('intaked_reports_total{channel="phone"} 1' in metrics,
               "phone counted in /metrics")


def https_metrics(d):
    from harness import https_request
    status, _, body = https_request(d, "GET", "/metrics")
    expect_eq(status, 200, "/metrics")
    return body.decode()


def _chart_rows(page, anchor):
    """The (label, value) rows of the figures' table of chart anchor."""
    sect = page[page.index('<section class="chart" aria-labelledby="%s">'
                           % anchor):]
    sect = sect[:sect.index("</section>")]
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th><td class="num">'
                      r'(\d+)</td></tr>', sect)
    rects = len(re.findall(r'<rect class="bar"', sect))
    return [(html.unescape(a), int(b)) for a, b in rows], rects


def test_statistics_page_against_the_api():
    with Daemon() as d:
        sub = d.token("partner")
        adm = d.token("boss", "admin")
        api = Api(d, adm)
        c = d.authed_client(sub)
        for i, (cat, sev) in enumerate((("phishing", "high"),
                                        ("phishing", "critical"),
                                        ("dos", "medium"),
                                        ("malware", "low"),
                                        ("scan", "low"))):
            c.report_ok(category=cat, severity=sev,
                        source_ip="198.51.100.%d" % (i + 1),
                        description="stat %d" % i)
        c.close()
        mail(d, "someone@isp.example", "Subject: hi\r\nFrom: someone@isp."
             "example\r\n\r\nphishing page http://x.example/login\r\n")
        w = signed_in(d, adm)
        # without a period: the current quarter
        r = w.page("/triage/stats")
        m = re.search(r"<h1>Thống kê sự cố (\d{4}Q[1-4])</h1>", text(r))
        expect(m is not None, "current quarter: %s" % text(r)[:3000])
        now = datetime.datetime.now(datetime.timezone(
            datetime.timedelta(hours=7)))
        quarter = "%dQ%d" % (now.year, (now.month - 1) // 3 + 1)
        expect_eq(m.group(1), quarter, "the quarter")
        for period in (quarter, "%dH%d" % (now.year, 1 if now.month <= 6
                                           else 2), str(now.year),
                       str(now.year - 1)):
            st = api.get_json("/api/v1/stats?period=" + period)
            page = text(w.page("/triage/stats?period=%s&lang=en" % period))
            fig = dict(re.findall(r'<dd id="fig-([a-z-]+)">([^<]*)</dd>',
                                  page))
            expect_eq(int(fig["total"]), st["total"], "%s total" % period)
            expect_eq(int(fig["verified"]), st["verified"], "verified")
            for row in st["mau05"]:
                m = re.search(r'<tr id="mau05-%d"><td>%d</td><th scope="row"'
                              r'>[^<]*</th>((?:<td class="num" data-label='
                              r'"[^"]*">\d+</td>){5})'
                              % (row["row"], row["row"]), page)
                expect(m is not None, "row %d" % row["row"])
                cells = [int(x) for x in re.findall(r">(\d+)<", m.group(1))]
                expect_eq(cells, [row["count"], row["handled_in_house"],
                                  row["domestic_help"], row["foreign_help"],
                                  row["coordinator_help"]],
                          "%s row %d" % (period, row["row"]))
            weeks, rects = _chart_rows(page, "chart-week")
            expect_eq([v for _, v in weeks], [x["count"] for x in
                                              st["by_week"]], "weeks")
            expect_eq(sum(v for _, v in weeks), st["total"], "weeks' sum")
            expect_eq(rects, len(st["by_week"]), "a column per week")
            for anchor, key in (("chart-category", "by_category"),
                                ("chart-channel", "by_channel"),
                                ("chart-severity", "by_severity")):
                rows, rects = _chart_rows(page, anchor)
                expect_eq(sorted(v for _, v in rows),
                          sorted(st[key].values()), "%s %s" % (period, key))
                expect_eq(rects, len(st[key]), "%s bars" % key)
            if st["total"]:
                expect('<svg class="chart-svg chart-rows" viewBox=' in page,
                       "an SVG chart")
        # the figures of the current quarter, by name, in English
        page = text(w.page("/triage/stats?period=%s&lang=en" % quarter))
        rows, _ = _chart_rows(page, "chart-channel")
        expect_eq(dict(rows), {"Line protocol (ILP)": 5, "E-mail": 1},
                  "channels by name")
        rows, _ = _chart_rows(page, "chart-category")
        expect_eq([v for _, v in rows], sorted((v for _, v in rows),
                                               reverse=True),
                  "the biggest category first: %r" % rows)
        expect_eq(rows[0][1], max(api.get_json("/api/v1/stats?period=" +
                                               quarter)["by_category"]
                                  .values()), "the biggest")
        # a period that is not one
        r = w.get("/triage/stats?period=2026Q5")
        expect_eq(r.status, 400, "2026Q5")
        expect("Kỳ báo cáo không hợp lệ" in text(r), "notice")
        # printable on A4: the stylesheet says so
        css = w.get("/static/style.css").body.decode()
        expect("@media print" in css and "size: A4" in css, "print rules")
