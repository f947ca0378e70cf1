"""Implicit TLS line listener: versions, openssl s_client, the self-signed
certificate in data_dir/tls, configured certificates."""

import hashlib
import os
import re
import ssl
import stat
import subprocess

from harness import (Daemon, Skip, expect, expect_eq, make_cert,
                     cert_fingerprint_pem, parse_report_reply, pipeline,
                     report_line, scale)

GREETING_RE = re.compile(r"^220 \S+ intaked ILP/1 ready$")


def _session_over(d, version):
    tok = d.token("tls-" + version.name.lower().replace("_", ""))
    c = d.client(tls=True, tls_min=version, tls_max=version)
    expect(GREETING_RE.match(c.greeting), "TLS greeting %r" % c.greeting)
    want = {ssl.TLSVersion.TLSv1_2: "TLSv1.2", ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version]
    expect_eq(c.tls_version(), want, "negotiated version")
    expect(c.auth(tok).startswith("235 "), "AUTH over %s" % want)
    r = parse_report_reply(c.report(category="spam", source_ip="192.0.2.%d"
                                    % (2 if want == "TLSv1.2" else 3)))
    expect_eq(c.cmd("QUIT"), "221 bye", "QUIT over TLS")
    c.close()
    return r


def test_tls12_session():
    with Daemon() as d:
        _session_over(d, ssl.TLSVersion.TLSv1_2)


def test_tls13_session():
    with Daemon() as d:
        _session_over(d, ssl.TLSVersion.TLSv1_3)


def _s_client(port, *extra, input_=b"", timeout=15):
    return subprocess.run(
        ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port] + list(extra),
        input=input_, capture_output=True, timeout=scale(timeout))


def _old_version_refused(flag):
    with Daemon() as d:
        r = _s_client(d.ports["tls"], flag, "-cipher", "DEFAULT:@SECLEVEL=0",
                      input_=b"PING\r\nQUIT\r\n")
        out = (r.stdout + r.stderr).decode("utf-8", "replace")
        if "no protocols available" in out or "unknown option" in out \
                or "Option unknown" in out:
            raise Skip("this openssl cannot offer %s: %s"
                       % (flag, out.strip().splitlines()[-1:]))
        expect("250 pong" not in out and "ILP/1 ready" not in out,
               "a %s session was served:\n%s" % (flag, out[-1500:]))
        expect(r.returncode != 0 or re.search(r"alert|handshake failure|"
                                              r"wrong version|unsupported", out, re.I),
               "openssl s_client %s did not fail:\n%s" % (flag, out[-1500:]))
        # and the daemon still serves TLS 1.2
        c = d.client(tls=True)
        expect_eq(c.cmd("PING"), "250 pong", "PING over TLS after the refusal")
        c.close()


def test_tls11_refused():
    _old_version_refused("-tls1_1")


def test_tls10_refused():
    _old_version_refused("-tls1")


def test_python_tls11_refused():
    """Same check with Python's ssl, when it can offer TLS 1.1 at all."""
    with Daemon() as d:
        try:
            c = d.client(tls=True, tls_min=ssl.TLSVersion.TLSv1_1,
                         tls_max=ssl.TLSVersion.TLSv1_1,
                         ciphers="DEFAULT:@SECLEVEL=0")
        except ssl.SSLError as e:
            if "NO_PROTOCOLS_AVAILABLE" in str(e) or "no protocols" in str(e):
                raise Skip("python's OpenSSL will not offer TLS 1.1: %s" % e)
            # the server must be the one refusing: an alert or a close
            expect(re.search(r"ALERT|VERSION|EOF", str(e)),
                   "TLS 1.1 attempt failed for another reason: %s" % e)
            return
        except (ConnectionError, OSError):
            return  # closed by the server: good
        ver = c.tls_version()
        c.close()
        raise AssertionError("a TLS 1.1 client got a session (%s)" % ver)


def test_s_client_gets_greeting():
    with Daemon() as d:
        r = _s_client(d.ports["tls"], "-quiet", "-crlf", input_=b"PING\nQUIT\n")
        out = r.stdout.decode("utf-8", "replace")
        lines = [l.rstrip("\r") for l in out.splitlines()]
        expect(lines and GREETING_RE.match(lines[0]),
               "s_client greeting: %r (stderr %r)" % (lines[:3], r.stderr[-500:]))
        expect_eq(lines[1:3], ["250 pong", "221 bye"], "replies via s_client")


def _tls_files(d):
    tdir = os.path.join(d.data_dir, "tls")
    expect(os.path.isdir(tdir), "%s was not created" % tdir)
    keys, certs = [], []
    for name in sorted(os.listdir(tdir)):
        p = os.path.join(tdir, name)
        if not os.path.isfile(p):
            continue
        with open(p, "rb") as f:
            data = f.read()
        if b"PRIVATE KEY-----" in data:
            keys.append(p)
        if b"BEGIN CERTIFICATE-----" in data:
            certs.append(p)
    return keys, certs


def _peer_fp(d):
    c = d.client(tls=True)
    der = c.peer_cert_der()
    c.close()
    expect(der, "no peer certificate")
    return hashlib.sha256(der).hexdigest()


def test_self_signed_cert_created_and_reused():
    with Daemon() as d:
        keys, certs = _tls_files(d)
        expect(keys, "no private key file in data_dir/tls")
        expect(certs, "no certificate file in data_dir/tls")
        for k in keys:
            mode = stat.S_IMODE(os.stat(k).st_mode)
            expect_eq(oct(mode), oct(0o600), "mode of %s" % k)
        fp1 = _peer_fp(d)
        expect(any(cert_fingerprint_pem(p) == fp1 for p in certs),
               "the served certificate is not the one in data_dir/tls")
        d.restart()
        fp2 = _peer_fp(d)
        expect_eq(fp2, fp1, "certificate fingerprint after restart")
        keys2, _ = _tls_files(d)
        expect_eq(keys2, keys, "key files after restart")


def test_configured_certificate_is_served():
    with Daemon(start=False) as d:
        cert, key = make_cert(d.tmp, cn="line.test.example")
        d.config["tls"] = {"cert": cert, "key": key}
        d.write_config()
        d.start()
        expect_eq(_peer_fp(d), cert_fingerprint_pem(cert), "served certificate")


def test_plain_text_on_tls_port():
    with Daemon() as d:
        import socket
        s = socket.create_connection(("127.0.0.1", d.ports["tls"]), timeout=5)
        s.sendall(b"PING\r\nAUTH x\r\n" + b"\x16\x03\x01\x00\x05hello" * 10)
        s.settimeout(scale(5))
        try:
            while s.recv(4096):
                pass
        except OSError:
            pass
        s.close()
        c = d.client(tls=True)
        expect_eq(c.cmd("PING"), "250 pong", "TLS PING after plaintext junk")
        c.close()


def test_tls_client_that_never_handshakes_does_not_block():
    with Daemon() as d:
        import socket
        idle = [socket.create_connection(("127.0.0.1", d.ports["tls"]), timeout=5)
                for _ in range(5)]
        c = d.client(tls=True, timeout=5)
        expect_eq(c.cmd("PING"), "250 pong", "TLS PING while 5 sockets stall")
        c.close()
        for s in idle:
            s.close()


def test_tls_pipelined_batch():
    with Daemon() as d:
        c = d.authed_client(d.token("tls-pipe"), tls=True)
        lines = [report_line(category="scan", source_ip="10.9.%d.%d" % (i // 256, i % 256),
                             description="x" * 200) for i in range(300)]
        replies = pipeline(c, lines, timeout=60)
        for r in replies:
            parse_report_reply(r)
        c.close()
        expect_eq(d.report_count(), 300, "reports stored over TLS")


def test_weak_ciphers_refused():
    """TLS 1.2 with only NULL, anonymous, RC4, 3DES or export suites must
    not get a session."""
    with Daemon() as d:
        try:
            c = d.client(tls=True, tls_max=ssl.TLSVersion.TLSv1_2,
                         ciphers="aNULL:eNULL:RC4:3DES:EXPORT:DES:@SECLEVEL=0")
        except ssl.SSLError as e:
            if "NO_CIPHERS_AVAILABLE" in str(e) or "no cipher" in str(e).lower():
                raise Skip("python's OpenSSL offers none of those suites: %s" % e)
            expect(re.search(r"ALERT|HANDSHAKE|EOF", str(e)),
                   "weak-cipher attempt failed for another reason: %s" % e)
            return
        except (ConnectionError, OSError):
            return
        cipher = c.sock.cipher()
        c.close()
        raise AssertionError("a weak cipher suite was negotiated: %r" % (cipher,))


def test_tls12_negotiates_aead_with_forward_secrecy():
    with Daemon() as d:
        c = d.client(tls=True, tls_min=ssl.TLSVersion.TLSv1_2,
                     tls_max=ssl.TLSVersion.TLSv1_2)
        name, _, _ = c.sock.cipher()
        c.close()
        expect(re.search(r"^(ECDHE|DHE)-", name) and re.search(r"GCM|CHACHA20", name),
               "TLS 1.2 cipher %r is not (EC)DHE with an AEAD" % name)
