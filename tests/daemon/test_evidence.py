"""intakectl evidence: every report keeps the bytes it came from."""
import smtplib
import subprocess

from harness import Daemon, expect, expect_eq, parse_report_reply, report_line


def _evidence(d, rid):
    r = subprocess.run([d.intakectl_path, "-c", d.conf_path, "evidence", rid],
                       capture_output=True, timeout=30)
    expect_eq(r.returncode, 0, "intakectl evidence %s (%r)" % (rid, r.stderr))
    return r.stdout


def test_ilp_report_keeps_its_line():
    with Daemon() as d:
        c = d.authed_client(d.token("ev"))
        line = report_line(category="scan", description="Dò quét cổng 22",
                           source_ip="198.51.100.77", external_id="ev-1")
        rid = parse_report_reply(c.cmd(line)).rid
        c.close()
        expect_eq(_evidence(d, rid), line.encode(), "evidence of %s" % rid)


def test_mail_keeps_the_message_as_received():
    with Daemon() as d:
        body = ("Subject: evidence\r\nFrom: a@isp.example\r\n\r\n"
                "line one\r\n.a line starting with a dot\r\n"
                "Vietnamese: l\u1eeba \u0111\u1ea3o t\u1eeb 203.0.113.80\r\n")
        s = smtplib.SMTP("127.0.0.1", d.ports["smtp"], timeout=20)
        s.ehlo("ev.test.example")
        s.mail("a@isp.example")
        s.rcpt("ir@test.example")
        code, text = s.data(body.encode())
        s.quit()
        expect_eq(code, 250, "DATA")
        rid = text.decode().split()[1]
        # smtplib dot-stuffs the second line; the store has it unstuffed
        expect_eq(_evidence(d, rid), body.encode(), "evidence of %s" % rid)


def test_unknown_report_exits_1():
    with Daemon() as d:
        r = subprocess.run([d.intakectl_path, "-c", d.conf_path, "evidence",
                            "IR-20000101-000001"], capture_output=True,
                           timeout=30)
        expect_eq(r.returncode, 1, "exit status")
        expect(b"no such report" in r.stderr, "message: %r" % r.stderr)
        expect_eq(r.stdout, b"", "nothing on stdout")
