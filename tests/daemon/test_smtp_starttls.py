"""SMTP STARTTLS (RFC 3207): the upgrade, EHLO again without STARTTLS, a
whole transaction over TLS (smtplib, swaks, openssl s_client), plaintext
pipelined after STARTTLS thrown away, TLS versions."""

import re
import smtplib
import socket
import ssl
import subprocess
import threading

from harness import Daemon, Skip, expect, expect_eq, make_cert, scale
from test_smtp_common import (MAILBOX, SmtpClient, accepted_id, client_context,
                              code_of, expect_reply, ids_in_swaks_output,
                              make_message, swaks)


def test_smtplib_starttls_transaction():
    with Daemon() as d:
        s = smtplib.SMTP("127.0.0.1", d.ports["smtp"], timeout=scale(15))
        try:
            code, _ = s.ehlo("client.test.example")
            expect_eq(code, 250, "EHLO")
            expect(s.has_extn("starttls"), "STARTTLS not offered before TLS")
            code, msg = s.starttls(context=client_context())
            expect_eq(code, 220, "STARTTLS")
            expect(msg.startswith(b"2.0.0"), "STARTTLS reply text %r" % msg)
            expect(s.sock.version() in ("TLSv1.2", "TLSv1.3"),
                   "negotiated %r" % s.sock.version())
            code, _ = s.ehlo("client.test.example")
            expect_eq(code, 250, "EHLO over TLS")
            expect(not s.has_extn("starttls"), "STARTTLS still offered over TLS")
            expect(s.has_extn("pipelining") and s.has_extn("size"),
                   "extensions over TLS: %r" % s.esmtp_features)
            code, _ = s.mail("reporter@isp.example")
            expect_eq(code, 250, "MAIL over TLS")
            code, _ = s.rcpt(MAILBOX)
            expect_eq(code, 250, "RCPT over TLS")
            code, msg = s.data(make_message(subject="over STARTTLS 5120"))
            expect_eq(code, 250, "end of data over TLS (%r)" % msg)
            rid = accepted_id("250 " + msg.decode("utf-8", "replace"))
            # STARTTLS again inside TLS is refused
            code, _ = s.docmd("STARTTLS")
            expect(500 <= code < 600, "second STARTTLS: %d" % code)
            s.quit()
        finally:
            s.close()
        expect_eq(d.show(rid).get("subject"), "over STARTTLS 5120", "subject")


def test_starttls_before_ehlo_or_with_argument():
    with Daemon() as d:
        c = SmtpClient(d)
        r = c.cmd("STARTTLS")
        expect(code_of(r) == 503, "STARTTLS before EHLO: %r" % r)
        c.ehlo()
        r = c.cmd("STARTTLS now")
        expect(code_of(r) == 501, "STARTTLS with an argument: %r" % r)
        # still plain and usable
        expect_reply(c.cmd("NOOP"), "250", "NOOP")
        c.starttls()
        c.ehlo()
        expect("STARTTLS" not in c.extensions, "STARTTLS offered over TLS")
        c.quit()


def test_plaintext_pipelined_after_starttls_discarded():
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        c.send_raw(b"STARTTLS\r\nNOOP\r\n")
        r = c.read_reply()
        expect_reply(r, "220 2.0.0", "STARTTLS")
        expect_eq(c.buf, b"", "plaintext after the 220")
        c.wrap_tls()
        # the first thing read inside TLS answers what is sent now
        c.send_raw(b"EHLO client.test.example\r\n")
        r = c.read_reply()
        expect(r.startswith("250-"), "first reply inside TLS is %r, not the "
               "EHLO reply (was the injected NOOP answered?)" % r)
        expect_reply(c.cmd("NOOP"), "250 2.0.0", "NOOP inside TLS")
        # and nothing else is waiting
        c.sock.settimeout(scale(0.5))
        try:
            extra = c.sock.recv(4096)
        except (socket.timeout, TimeoutError, ssl.SSLError):
            extra = b""
        expect_eq(extra, b"", "unexpected replies inside TLS")
        c.quit()


def test_injected_transaction_after_starttls_not_executed():
    """An attacker in the path appends a MAIL to the plaintext STARTTLS; it
    must not be executed inside the protected session, and a transaction
    started before TLS is forgotten."""
    with Daemon() as d:
        c = SmtpClient(d)
        c.ehlo()
        expect_reply(c.mail("before-tls@isp.example"), "250 2.1.0", "MAIL before TLS")
        c.send_raw(b"STARTTLS\r\nRSET\r\nMAIL FROM:<x@evil.example>\r\n"
                   b"RCPT TO:<ir@test.example>\r\n")
        expect_reply(c.read_reply(), "220 2.0.0", "STARTTLS")
        expect_eq(c.buf, b"", "plaintext after the 220")
        c.wrap_tls()
        c.ehlo()
        r = c.rcpt(MAILBOX)
        expect_reply(r, "503 5.5.1", "RCPT inside TLS with no MAIL there")
        r = c.cmd("DATA")
        expect(code_of(r) == 503, "DATA inside TLS: %r" % r)
        expect_reply(c.mail("after-tls@isp.example"), "250 2.1.0", "MAIL")
        expect_reply(c.rcpt(MAILBOX), "250 2.1.5", "RCPT")
        rid = accepted_id(c.data(make_message(subject="after injection")))
        c.quit()
        expect_eq(d.report_count(), 1, "reports")
        expect_eq(d.show(rid).get("subject"), "after injection", "subject")


def _tls_session(d, version):
    c = SmtpClient(d)
    c.ehlo()
    c.starttls(tls_min=version, tls_max=version)
    want = {ssl.TLSVersion.TLSv1_2: "TLSv1.2",
            ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version]
    expect_eq(c.tls_version(), want, "negotiated version")
    c.ehlo()
    expect("STARTTLS" not in c.extensions, "STARTTLS offered over TLS")
    rid = c.send_message("a@b.example", [MAILBOX],
                         make_message(subject="over " + want))
    c.quit()
    expect_eq(d.show(rid).get("subject"), "over " + want, "subject")


def test_tls12_and_tls13_sessions():
    with Daemon() as d:
        _tls_session(d, ssl.TLSVersion.TLSv1_2)
        _tls_session(d, ssl.TLSVersion.TLSv1_3)


def _client_can_speak(version, tmpdir):
    """Whether this Python/OpenSSL can complete a handshake at version
    against a local server that allows it (the control for a refusal)."""
    cert, key = make_cert(tmpdir, name="control")
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        sctx.minimum_version = version
        sctx.maximum_version = version
        sctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        sctx.load_cert_chain(cert, key)
    except (ssl.SSLError, ValueError):
        return False
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    lsock.settimeout(scale(5))
    result = {}

    def serve():
        try:
            conn, _ = lsock.accept()
            conn.settimeout(scale(5))
            try:
                sctx.wrap_socket(conn, server_side=True).close()
            except (ssl.SSLError, OSError):
                conn.close()
        except OSError:
            pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        s = socket.create_connection(lsock.getsockname(), timeout=scale(5))
        try:
            cctx = client_context(version, version, "DEFAULT:@SECLEVEL=0")
            cs = cctx.wrap_socket(s)
            result["version"] = cs.version()
            cs.close()
        except (ssl.SSLError, OSError, ValueError):
            s.close()
    finally:
        t.join(scale(5))
        lsock.close()
    return "version" in result


def _old_version_refused(version):
    with Daemon() as d:
        if not _client_can_speak(version, d.tmp):
            raise Skip("this Python/OpenSSL cannot speak %s at all" % version.name)
        c = SmtpClient(d)
        c.ehlo()
        r = c.cmd("STARTTLS")
        expect_reply(r, "220 2.0.0", "STARTTLS")
        try:
            c.wrap_tls(version, version, "DEFAULT:@SECLEVEL=0")
        except (ssl.SSLError, ConnectionError, OSError):
            c.close()
        else:
            got = c.tls_version()
            c.close()
            raise AssertionError("a %s handshake succeeded (%s)" % (version.name, got))
        # the daemon still serves others
        _tls_session(d, ssl.TLSVersion.TLSv1_2)


def test_tls10_refused():
    _old_version_refused(ssl.TLSVersion.TLSv1)


def test_tls11_refused():
    _old_version_refused(ssl.TLSVersion.TLSv1_1)


def _s_client(port, *extra, input_=b"", timeout=20):
    return subprocess.run(
        ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port,
         "-starttls", "smtp", "-crlf", "-ign_eof"] + list(extra),
        input=input_, capture_output=True, timeout=scale(timeout))


def test_openssl_s_client_starttls():
    with Daemon() as d:
        for flag, want in (("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")):
            msg = (b"EHLO s-client.test.example\nMAIL FROM:<a@b.example>\n"
                   b"RCPT TO:<ir@test.example>\nDATA\nSubject: via s_client "
                   + want.encode() + b"\n\nbody\n.\nQUIT\n")
            r = _s_client(d.ports["smtp"], flag, "-brief", input_=msg)
            out = (r.stdout + r.stderr).decode("utf-8", "replace")
            expect(re.search(r"Protocol version: " + re.escape(want), out),
                   "s_client %s: no %s session:\n%s" % (flag, want, out[-2000:]))
            ids = re.findall(r"^250 2\.0\.0 (IR-[A-Za-z0-9_.-]+) accepted", out, re.M)
            expect_eq(len(ids), 1, "report IDs via s_client %s (%s)"
                      % (flag, out[-1500:]))
            expect("221" in out, "no 221 via s_client %s: %s" % (flag, out[-1500:]))
            expect_eq(d.show(ids[0]).get("subject"), "via s_client " + want,
                      "subject")


def test_openssl_s_client_old_versions_refused():
    with Daemon() as d:
        tried = 0
        for flag in ("-tls1", "-tls1_1"):
            r = _s_client(d.ports["smtp"], flag, "-cipher", "DEFAULT:@SECLEVEL=0",
                          input_=b"EHLO x\nQUIT\n")
            out = (r.stdout + r.stderr).decode("utf-8", "replace")
            if "no protocols available" in out or "unknown option" in out \
                    or "Option unknown" in out:
                continue   # this openssl cannot try; the Python tests cover it
            tried += 1
            expect(r.returncode != 0 and "221" not in out and "250 " not in out,
                   "s_client %s was served:\n%s" % (flag, out[-1500:]))
            expect(re.search(r"Cipher is \(NONE\)|alert|handshake failure|"
                             r"unexpected eof|wrong version|unsupported", out, re.I),
                   "s_client %s: no sign of a refused handshake:\n%s"
                   % (flag, out[-1500:]))
        if not tried:
            raise Skip("this openssl offers neither TLS 1.0 nor 1.1")


def test_swaks_starttls():
    with Daemon() as d:
        r = swaks(d.ports["smtp"], "--to", MAILBOX, "--from", "a@b.example",
                  "--tls", "--header", "Subject: swaks over TLS 6631",
                  "--body", "Brute force from 198.51.100.40 on ssh")
        out = r.stdout + r.stderr
        expect(r.returncode == 0, "swaks --tls exit %d:\n%s" % (r.returncode, out[-2000:]))
        expect("TLS started" in out, "swaks did not start TLS:\n%s" % out[-2000:])
        expect(re.search(r"^<~\s+250 2\.0\.0 IR-", out, re.M),
               "the 250 was not received inside TLS:\n%s" % out[-2000:])
        ids = ids_in_swaks_output(out)
        expect_eq(len(ids), 1, "report IDs in swaks output")
        expect_eq(d.show(ids[0]).get("subject"), "swaks over TLS 6631", "subject")
