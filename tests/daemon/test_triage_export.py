"""Exports (SPEC "API": GET /api/v1/export, "intakectl": export): JSON
lines, CSV (RFC 4180, UTF-8, header row) and IODEF v2 (RFC 7970), each
incident with the RSIT labels its category has in conf/taxonomy.tsv, read
back with Python's json and csv modules and validated with xmllint
against the RFC 7970 schema kept in tests/iodef/; a confidential
reporter's identity in no export, from the API or intakectl; since/until;
and an export bigger than the daemon may hold, streamed to a client that
stops reading, without the daemon reading it all into memory.
"""

import csv
import io
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET

from harness import Daemon, Skip, expect, expect_eq, report_line, scale
from triage_api import Api, fill, tls_context

TIMEOUT = 300
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
XSD = os.path.join(ROOT, "tests", "iodef", "iodef-2.0.xsd")
NS = {"i": "urn:ietf:params:xml:ns:iodef-2.0"}

SECRET = {"reporter_name": "Bí Mật Người Báo", "reporter_email":
          "hidden@secret.example", "reporter_phone": "+84 90 000 0000",
          "organization": "Tổ chức kín", "operating_unit": "Phòng kín"}
PUBLIC = {"reporter_name": "Lê Công Khai", "reporter_email":
          "open@isp.example", "organization": "ISP Công Khai"}


def taxonomy():
    """conf/taxonomy.tsv as {code: row dict}, read here, not by intaked."""
    out = {}
    with open(os.path.join(ROOT, "conf", "taxonomy.tsv"),
              encoding="utf-8") as f:
        rows = [l.rstrip("\n").split("\t") for l in f
                if not l.startswith("#") and l.strip()]
    head = rows[0]
    for r in rows[1:]:
        out[r[0]] = dict(zip(head, r))
    return out


def _submit_mix(d):
    """Reports for every format's hard cases; returns (reports, secret
    report IDs, every report ID by incident)."""
    sub = d.token("partner")
    lines = [
        report_line(category="phishing", url="http://a.example/x?a=1&b=2",
                    description='comma, "quotes" and\nnew line',
                    **PUBLIC),
        report_line(category="malware", source_ip="192.0.2.20",
                    hash="d41d8cd98f00b204e9800998ecf8427e",
                    description="=cmd|' /C calc'!A0", **PUBLIC),
        report_line(category="data-leak", domain="leak.example",
                    description="<script>alert(1)</script> Lộ lọt dữ liệu",
                    confidential="yes", **SECRET),
        report_line(category="scan", source_ip="198.51.100.3",
                    description="scan"),
        report_line(category="scan", source_ip="198.51.100.3",
                    description="scan again", confidential="yes",
                    **SECRET),
        report_line(category="vulnerable", target_ip="2001:db8::5",
                    email="admin@victim.example", cve="CVE-2024-3094",
                    description="xz", **PUBLIC),
    ]
    reps = fill(d, sub, lines)
    secret = {reps[2].rid, reps[4].rid}
    by_inc = {}
    for r in reps:
        by_inc.setdefault(r.iid, []).append(r.rid)
    return reps, secret, by_inc


def _check_no_secret(text, what):
    for k, v in SECRET.items():
        expect(v not in text, "%s carries the confidential %s %r"
               % (what, k, v))
    expect(PUBLIC["reporter_email"] in text,
           "%s lacks a reporter who is not confidential" % what)


def _xmllint(data, what):
    if shutil.which("xmllint") is None:
        raise Skip("xmllint is not installed (libxml2-utils)")
    with tempfile.NamedTemporaryFile(suffix=".xml", delete=False) as f:
        f.write(data)
        path = f.name
    try:
        r = subprocess.run(["xmllint", "--noout", "--nonet", "--schema",
                            XSD, path], capture_output=True, text=True,
                           timeout=60)
        expect(r.returncode == 0, "%s is not valid IODEF v2: %s"
               % (what, r.stderr[-2000:]))
    finally:
        os.unlink(path)


def _export(api, fmt, extra=""):
    r = api.get("/api/v1/export?format=%s%s" % (fmt, extra))
    return r


def test_exports_parse_back():
    tax = taxonomy()
    with Daemon() as d:
        api = Api(d, d.token("analyst", "triage"))
        reps, secret, by_inc = _submit_mix(d)
        cats = {r.iid: None for r in reps}
        for inc in d.queue_all():
            cats[inc["id"]] = inc["category"]

        # JSON lines
        r = _export(api, "jsonl")
        expect_eq(r.status, 200, "jsonl export")
        expect(r.header("Content-Type").startswith("application/jsonl"),
               "jsonl type %r" % r.header("Content-Type"))
        expect(r.header("Content-Disposition").startswith("attachment"),
               "jsonl as an attachment")
        text = r.body.decode("utf-8")
        _check_no_secret(text, "jsonl")
        lines = [json.loads(l) for l in text.splitlines()]
        expect_eq({o["id"] for o in lines}, set(by_inc), "jsonl incidents")
        for o in lines:
            t = tax[o["category"]]
            expect_eq(o["rsit"], {"taxonomy": t["rsit_taxonomy"],
                                  "type": t["rsit_type"]},
                      "RSIT of %s" % o["id"])
            expect_eq(o["mau05"], int(t["mau05"]) if t["mau05"] else None,
                      "mau05 of %s" % o["id"])
            expect_eq([x["id"] for x in o["reports"]], by_inc[o["id"]],
                      "reports of %s" % o["id"])
            for x in o["reports"]:
                if x["id"] in secret:
                    expect(x["confidential"] is True and
                           x["reporter"] is None,
                           "confidential report %s: %r" % (x["id"], x))
        expect_eq(d.ctl_ok("export", "--format", "jsonl").stdout, text,
                  "intakectl export --format jsonl")

        # CSV, read back with the csv module
        r = _export(api, "csv")
        expect_eq(r.status, 200, "csv export")
        expect(r.header("Content-Type").startswith("text/csv"), "csv type")
        text = r.body.decode("utf-8")
        _check_no_secret(text, "csv")
        expect("\r\n" in text, "RFC 4180 line ends")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        expect_eq([x["report_id"] for x in rows],
                  [rid for i in sorted(by_inc) for rid in by_inc[i]],
                  "one row per report, incidents oldest first")
        for x in rows:
            t = tax[x["category"]]
            expect_eq((x["rsit_taxonomy"], x["rsit_type"], x["mau05"]),
                      (t["rsit_taxonomy"], t["rsit_type"], t["mau05"]),
                      "RSIT of row %s" % x["report_id"])
            if x["report_id"] in secret:
                expect(x["confidential"] == "true" and not
                       x["reporter_name"] and not x["reporter_email"],
                       "confidential row %r" % x)
        desc = {x["report_id"]: x["description"] for x in rows}
        expect_eq(desc[reps[0].rid], 'comma, "quotes" and\nnew line',
                  "quoted cell read back")
        expect_eq(desc[reps[1].rid], "'=cmd|' /C calc'!A0",
                  "a formula is defused")
        # (intakectl's output is read as text: CRLF arrives as LF)
        expect_eq(d.ctl_ok("export", "--format", "csv").stdout,
                  text.replace("\r\n", "\n"),
                  "intakectl export --format csv")

        # IODEF v2, validated against the RFC's schema
        r = _export(api, "iodef")
        expect_eq(r.status, 200, "iodef export")
        _check_no_secret(r.body.decode("utf-8"), "iodef")
        _xmllint(r.body, "the IODEF export")
        root = ET.fromstring(r.body)
        incs = root.findall("i:Incident", NS)
        expect_eq({i.find("i:IncidentID", NS).text for i in incs},
                  set(by_inc), "IODEF incidents")
        for i in incs:
            iid = i.find("i:IncidentID", NS).text
            t = tax[cats[iid]]
            meaning = {a.get("meaning"): a.text for a in
                       i.findall("i:AdditionalData", NS)}
            expect_eq((meaning.get("rsit:classification.taxonomy"),
                       meaning.get("rsit:classification.type")),
                      (t["rsit_taxonomy"], t["rsit_type"]),
                      "IODEF RSIT of %s" % iid)
            expect_eq(len(i.findall("i:EventData", NS)), len(by_inc[iid]),
                      "an EventData per report of %s" % iid)
        out = d.ctl_ok("export", "--format", "iodef").stdout.encode()
        _check_no_secret(out.decode(), "intakectl iodef")
        _xmllint(out, "intakectl's IODEF export")


def test_export_period():
    with Daemon() as d:
        api = Api(d, d.token("analyst", "triage"))
        _submit_mix(d)
        later = "2999-01-01"
        r = _export(api, "jsonl", "&since=" + later)
        expect_eq((r.status, r.body), (200, b""), "nothing after 2999")
        r = _export(api, "csv", "&since=" + later)
        expect_eq(r.status, 200, "csv of nothing")
        expect_eq(r.body.decode().count("\r\n"), 1, "the header alone")
        r = _export(api, "iodef", "&since=" + later)
        expect_eq(r.status, 404, "IODEF needs one incident")
        r = d.ctl("export", "--format", "iodef", "--since", later)
        expect_eq(r.returncode, 1, "intakectl export of nothing in IODEF")
        r = _export(api, "jsonl", "&until=2000-01-01")
        expect_eq(r.body, b"", "nothing before 2000")
        n = len(_export(api, "jsonl", "&since=2000-01-01&until=" + later)
                .body.decode().splitlines())
        expect_eq(n, 5, "everything between")
        for q in ("format=xml", "format=", "", "format=csv&since=soon"):
            expect_eq(api.get("/api/v1/export?" + q).status, 400, q)


def _rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _read_head(sock):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(4096)
        expect(chunk, "connection closed before the head")
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    return head.decode("latin-1"), rest


def _dechunk(data):
    out, pos = [], 0
    while True:
        nl = data.index(b"\r\n", pos)
        n = int(data[pos:nl], 16)
        if n == 0:
            expect(data[nl + 2:nl + 4] == b"\r\n", "chunked body ends")
            return b"".join(out)
        out.append(data[nl + 2:nl + 2 + n])
        expect(data[nl + 2 + n:nl + 4 + n] == b"\r\n", "chunk framing")
        pos = nl + 4 + n


def test_big_export_is_streamed():
    """24 MB of JSON lines to a client that stops reading after 100 KB:
    the daemon holds a bounded part of it meanwhile; then all of it
    arrives, chunked, every incident once."""
    with Daemon() as d:
        sub = d.token("partner")
        tok = d.token("analyst", "triage")
        n = 8000
        pad = "x" * 3000
        lines = [report_line(category="spam", description="%d %s" % (i, pad))
                 for i in range(n)]
        for k in range(0, n, 1000):
            fill(d, sub, lines[k:k + 1000], timeout=120)
        raw = socket.create_connection(("127.0.0.1", d.ports["http"]),
                                       timeout=scale(60))
        s = tls_context().wrap_socket(raw)
        s.sendall(("GET /api/v1/export?format=jsonl HTTP/1.1\r\nHost: x\r\n"
                   "Authorization: Bearer %s\r\n\r\n" % tok).encode())
        head, body = _read_head(s)
        expect(head.startswith("HTTP/1.1 200"), "status: %r" % head[:100])
        expect("transfer-encoding: chunked" in head.lower(),
               "a streamed answer is chunked: %r" % head)
        while len(body) < 100000:
            body += s.recv(65536)
        # the client reads nothing for a while: once the daemon has filled
        # what it may hold for it (and its reader's page cache has warmed,
        # which takes longer in a sanitizer build), it must not grow
        time.sleep(scale(2))
        rss0 = _rss_kb(d.pid)
        time.sleep(scale(3))
        rss1 = _rss_kb(d.pid)
        expect(rss1 - rss0 < 12 * 1024, "the daemon grew by %d KiB while "
               "its client did not read a 24 MB export" % (rss1 - rss0))
        s.settimeout(scale(120))
        while not body.endswith(b"0\r\n\r\n"):
            chunk = s.recv(1 << 20)
            expect(chunk, "connection closed before the last chunk")
            body += chunk
        s.close()
        text = _dechunk(body).decode("utf-8")
        ids = [json.loads(l)["id"] for l in text.splitlines()]
        expect_eq(len(ids), n, "incidents exported")
        expect_eq(len(set(ids)), n, "each once")
