"""Lifecycle: signals, restart, configuration errors, -n."""

import os
import re
import signal
import socket
import time

from harness import (ConnectionClosed, Daemon, IlpClient, Pipeliner, Skip, expect,
                     expect_eq, make_cert, cert_fingerprint_pem,
                     parse_report_reply, report_line, scale)


def test_sigterm_idle_exits_zero():
    with Daemon() as d:
        t0 = time.monotonic()
        expect_eq(d.stop(signal.SIGTERM, timeout=5), 0, "exit code on SIGTERM")
        expect(time.monotonic() - t0 < scale(5), "slow exit")


def test_sigint_exits_zero():
    with Daemon() as d:
        expect_eq(d.stop(signal.SIGINT, timeout=5), 0, "exit code on SIGINT")


def test_sigterm_with_open_sessions():
    with Daemon() as d:
        tok = d.token("open")
        cs = [d.authed_client(tok) for _ in range(3)]
        cs.append(d.client(tls=True))
        raw = socket.create_connection(("127.0.0.1", d.ports["line"]))  # never reads
        expect_eq(d.stop(timeout=10), 0, "exit code with open sessions")
        for c in cs:
            closed, _ = c.wait_closed(2)
            expect(closed, "session left open after the daemon exited")
            c.close()
        raw.close()


def test_sigterm_mid_burst_keeps_every_ack():
    n = 4000
    with Daemon() as d:
        c = d.authed_client(d.token("burst"))
        ips = ["10.%d.%d.%d" % (i // 65536, (i // 256) % 256, i % 256) for i in range(1, n + 1)]
        lines = [report_line(category="scan", source_ip=ip, external_id="b%d" % i)
                 for i, ip in enumerate(ips)]
        Pipeliner(c, lines).start()
        acked = {}
        other = []
        sent_term = False
        exit_code = None
        try:
            for i in range(n):
                try:
                    r = c.read_reply(20)
                except (ConnectionClosed, TimeoutError, OSError):
                    break
                if r.startswith("250 "):
                    acked[i] = parse_report_reply(r).rid
                else:
                    other.append((i, r))
                if i == 300 and not sent_term:
                    d.signal(signal.SIGTERM)
                    sent_term = True
        finally:
            if not sent_term:
                d.signal(signal.SIGTERM)
        exit_code = d.stop(timeout=20)
        c.close()
        expect_eq(exit_code, 0, "exit code after SIGTERM mid-burst")
        expect(len(acked) >= 301, "only %d acknowledged before SIGTERM" % len(acked))
        bad = [(i, r) for i, r in other if not r.startswith("4")]
        expect(not bad, "replies other than 250/4xx during shutdown: %r" % bad[:5])
        stored = set()
        for inc in d.queue_all():
            for ind in inc.get("indicators", []):
                stored.add(ind["value"])
        lost = [i for i in acked if ips[i] not in stored]
        expect(not lost, "%d acknowledged reports lost on SIGTERM (e.g. #%r %s)"
               % (len(lost), lost[:5], [acked[i] for i in lost[:5]]))
        for i in sorted(acked)[-5:]:
            expect_eq(d.show(acked[i]).get("id"), acked[i], "show of the last acks")


def test_sighup_keeps_running_and_reloads():
    with Daemon() as d:
        tok = d.token("hup")
        c = d.authed_client(tok)
        before = len(d.log())
        d.signal(signal.SIGHUP)
        time.sleep(0.5)
        expect(d.running(), "intaked exited on SIGHUP")
        expect_eq(c.cmd("PING"), "250 pong", "existing session after SIGHUP")
        parse_report_reply(c.report(category="spam", source_ip="192.0.2.91"))
        t = d.client(tls=True)
        expect_eq(t.cmd("PING"), "250 pong", "TLS after SIGHUP")
        t.close()
        n = d.client()
        expect_eq(n.cmd("PING"), "250 pong", "new plain session after SIGHUP")
        n.close()
        c.close()

        def mentions_reload():
            return re.search(r"reload|re-?open", d.log()[before:], re.I)
        deadline = time.monotonic() + scale(3)
        while not mentions_reload() and time.monotonic() < deadline:
            time.sleep(0.1)
        expect(mentions_reload(), "log does not mention the reload:\n%s" % d.log()[before:][-1500:])


def test_sighup_reloads_configured_certificate():
    with Daemon(start=False) as d:
        cert, key = make_cert(d.tmp, cn="one.test.example", name="live")
        d.config["tls"] = {"cert": cert, "key": key}
        d.write_config()
        d.start()
        import hashlib

        def served():
            c = d.client(tls=True)
            fp = hashlib.sha256(c.peer_cert_der()).hexdigest()
            c.close()
            return fp
        fp1 = served()
        expect_eq(fp1, cert_fingerprint_pem(cert), "first certificate")
        # replace the files in place, then SIGHUP
        newdir = os.path.join(d.tmp, "new")
        os.mkdir(newdir)
        cert2, key2 = make_cert(newdir, cn="two.test.example", name="live")
        os.replace(key2, key)
        os.replace(cert2, cert)
        d.signal(signal.SIGHUP)
        deadline = time.monotonic() + scale(5)
        fp2 = served()
        while fp2 == fp1 and time.monotonic() < deadline:
            time.sleep(0.2)
            fp2 = served()
        expect_eq(fp2, cert_fingerprint_pem(cert), "certificate after SIGHUP")


def test_sighup_with_broken_certificate_keeps_old():
    """A bad certificate on reload must not take the listener down."""
    with Daemon(start=False) as d:
        cert, key = make_cert(d.tmp, cn="keep.test.example", name="live")
        d.config["tls"] = {"cert": cert, "key": key}
        d.write_config()
        d.start()
        fp = cert_fingerprint_pem(cert)
        with open(cert, "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n")
        d.signal(signal.SIGHUP)
        time.sleep(0.5)
        expect(d.running(), "intaked exited on SIGHUP with a broken certificate")
        import hashlib
        c = d.client(tls=True)
        expect_eq(hashlib.sha256(c.peer_cert_der()).hexdigest(), fp,
                  "served certificate after a failed reload")
        expect_eq(c.cmd("PING"), "250 pong", "TLS PING")
        c.close()


def test_restart_keeps_data_and_never_reuses_ids():
    with Daemon() as d:
        tok = d.token("persist")
        c = d.authed_client(tok)
        r1 = c.report_ok(category="spam", source_ip="192.0.2.101", external_id="keep-1")
        c.close()
        expect_eq(d.stop(), 0, "exit code")
        d.start()
        c = d.authed_client(tok)
        expect_eq(c.report(category="spam", source_ip="192.0.2.101",
                           external_id="keep-1"), r1.line, "retry after restart")
        r2 = c.report_ok(category="spam", source_ip="192.0.2.101")
        expect_eq((r2.kind, r2.iid), ("duplicate", r1.iid), "dedup after restart")
        r3 = c.report_ok(category="spam", source_ip="192.0.2.102")
        c.close()
        expect(len({r1.rid, r2.rid, r3.rid}) == 3, "report ID reused after restart")
        expect(r3.iid != r1.iid, "incident ID reused after restart")
        expect_eq(d.report_count(), 3, "reports stored")


def test_listener_off_when_listen_empty():
    with Daemon({"line": {"tls_listen": ""}, "smtp": {"listen": ""},
                 "http": {"listen": ""}}) as d:
        c = d.client()
        expect_eq(c.cmd("PING"), "250 pong", "plain line listener")
        c.close()
        for name in ("tls", "smtp", "http"):
            try:
                socket.create_connection(("127.0.0.1", d.ports[name]), timeout=2).close()
                raise AssertionError("%s port is listening although its listen is empty"
                                     % name)
            except ConnectionRefusedError:
                pass


def test_only_tls_listener():
    with Daemon({"line": {"listen": ""}}) as d:
        try:
            socket.create_connection(("127.0.0.1", d.ports["line"]), timeout=2).close()
            raise AssertionError("plain line port listening although listen is empty")
        except ConnectionRefusedError:
            pass
        c = d.client(tls=True)
        expect_eq(c.cmd("PING"), "250 pong", "TLS listener alone")
        c.close()


# -- configuration errors ------------------------------------------------

def _bad_config(d, key, line=None):
    """intaked -c conf must exit non-zero with one stderr line naming
    conf:LINE: and the key."""
    r = d.run_foreground(["-c", d.conf_path])
    expect(r.returncode != 0, "intaked started with a bad config (exit 0)")
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    pat = re.escape(d.conf_path) + r":(\d+): "
    hits = [l for l in lines if re.search(pat, l) and key in l]
    expect(hits, "no stderr line with '%s:<line>: ' and %r in %r"
           % (d.conf_path, key, lines))
    expect_eq(len(lines), 1, "number of stderr lines (%r)" % lines)
    if line is not None:
        got = int(re.search(pat, hits[0]).group(1))
        expect_eq(got, line, "line number in %r" % hits[0])
    # the same error from -n (check only)
    rn = d.run_foreground(["-n", "-c", d.conf_path])
    expect(rn.returncode != 0, "intaked -n accepted a bad config")
    expect(any(key in l for l in rn.stderr.splitlines()),
           "intaked -n: key %r not named: %r" % (key, rn.stderr))
    return hits[0]


def test_config_unknown_key():
    with Daemon({"line": {"bogus_knob": "1"}}, start=False) as d:
        _bad_config(d, "bogus_knob", d.conf_line_of("line", "bogus_knob"))


def test_config_bad_port():
    with Daemon({"line": {"listen": "127.0.0.1:99999"}}, start=False) as d:
        _bad_config(d, "listen", d.conf_line_of("line", "listen"))


def test_config_bad_address():
    with Daemon({"line": {"tls_listen": "not-an-address"}}, start=False) as d:
        _bad_config(d, "tls_listen", d.conf_line_of("line", "tls_listen"))


def test_config_bad_values():
    for sect, key, val in (("line", "require_auth", "perhaps"),
                           ("dedup", "window", "forever"),
                           ("daemon", "log_level", "loud"),
                           ("line", "max_per_ip", "-3"),
                           ("line", "idle_timeout", "soon")):
        with Daemon({sect: {key: val}}, start=False) as d:
            _bad_config(d, key, d.conf_line_of(sect, key))


def test_config_cert_without_key():
    with Daemon(start=False) as d:
        cert, key = make_cert(d.tmp)
        d.config["tls"] = {"cert": cert}
        d.write_config()
        line = _bad_config(d, "", None)
        expect(re.search(r"\bkey\b|\bcert\b", line), "error does not name cert/key: %r" % line)


def test_config_missing_cert_file():
    with Daemon(start=False) as d:
        d.config["tls"] = {"cert": os.path.join(d.tmp, "nope.pem"),
                           "key": os.path.join(d.tmp, "nope.key")}
        d.write_config()
        r = d.run_foreground(["-c", d.conf_path])
        expect(r.returncode != 0, "started with a missing certificate file")
        expect("nope" in r.stderr or "cert" in r.stderr,
               "error does not name the certificate: %r" % r.stderr)


def test_config_syntax_error():
    with Daemon(start=False) as d:
        text = d.config_text().replace("[dedup]", "[dedup\nthis line is not ini")
        d.write_config(text)
        r = d.run_foreground(["-c", d.conf_path])
        expect(r.returncode != 0, "started with a syntax error")
        expect(re.search(re.escape(d.conf_path) + r":\d+:", r.stderr),
               "error does not give file:line: %r" % r.stderr)


def test_check_config_flag():
    with Daemon(start=False) as d:
        r = d.run_foreground(["-n", "-c", d.conf_path])
        expect_eq(r.returncode, 0, "intaked -n on a good config (stderr %r)" % r.stderr)
        # -n must not start listeners
        try:
            socket.create_connection(("127.0.0.1", d.ports["line"]), timeout=1).close()
            raise AssertionError("intaked -n left a listener behind")
        except ConnectionRefusedError:
            pass


def test_unreadable_config():
    with Daemon(start=False) as d:
        missing = os.path.join(d.tmp, "does-not-exist.conf")
        r = d.run_foreground(["-c", missing])
        expect(r.returncode != 0, "started with a missing config file")
        expect(missing in r.stderr, "error does not name the file: %r" % r.stderr)
        r = d.run_foreground(["-c", d.tmp])  # a directory
        expect(r.returncode != 0, "started with a directory as config")
        r = d.run_foreground(["-n", "-c", missing])
        expect(r.returncode != 0, "-n accepted a missing config file")


def test_port_in_use_fails_startup():
    with Daemon(start=False) as d:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", d.ports["line"]))
        s.listen(1)
        try:
            r = d.run_foreground(["-c", d.conf_path], timeout=10)
            expect(r.returncode != 0, "started although its line port is taken")
            expect(str(d.ports["line"]) in r.stderr or "listen" in r.stderr,
                   "error does not name the port: %r" % r.stderr)
        finally:
            s.close()


def test_bad_data_dir_fails_startup():
    with Daemon(start=False) as d:
        blocker = os.path.join(d.tmp, "afile")
        with open(blocker, "w") as f:
            f.write("x")
        d.config["daemon"]["data_dir"] = os.path.join(blocker, "var")
        d.write_config()
        r = d.run_foreground(["-c", d.conf_path])
        expect(r.returncode != 0, "started with an unusable data_dir")


def test_embedded_defaults_without_config():
    """intaked without -c: data in ./var, self-signed cert in ./var/tls,
    line protocol on 127.0.0.1:4119 (plain) and 4120 (TLS); intakectl
    without -c works on the same ./var."""
    import subprocess
    import tempfile
    import shutil
    from harness import bin_dir, wait_until, IlpClient
    for port in (4119, 4120, 2525, 8443):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            raise Skip("port %d is in use here" % port)
        finally:
            s.close()
    cwd = tempfile.mkdtemp(prefix="intaked-test-defaults-")
    intaked = os.path.abspath(os.path.join(bin_dir(), "intaked"))
    intakectl = os.path.abspath(os.path.join(bin_dir(), "intakectl"))
    log = open(os.path.join(cwd, "intaked.log"), "wb")
    p = subprocess.Popen([intaked], cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                         stderr=log, start_new_session=True)
    ok = False
    try:
        def up():
            if p.poll() is not None:
                raise AssertionError("intaked exited %s" % p.returncode)
            try:
                socket.create_connection(("127.0.0.1", 4119), timeout=0.5).close()
                return True
            except OSError:
                return False
        wait_until(up, scale(10), 0.1, "intaked on 127.0.0.1:4119")
        expect(os.path.isdir(os.path.join(cwd, "var", "tls")), "./var/tls not created")
        r = subprocess.run([intakectl, "token", "add", "dflt", "--role", "submitter"],
                           cwd=cwd, capture_output=True, text=True, timeout=scale(20))
        expect_eq(r.returncode, 0, "intakectl token add without -c (%r)" % r.stderr)
        tok = re.search(r"itk_[A-Za-z0-9_-]+", r.stdout).group(0)
        for port, tls in ((4119, False), (4120, True)):
            c = IlpClient(port, tls=tls)
            expect_eq(c.auth(tok), "235 authenticated dflt", "AUTH on %d" % port)
            c.close()
        p.send_signal(signal.SIGTERM)
        expect_eq(p.wait(scale(10)), 0, "exit code")
        ok = True
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        log.close()
        if ok:
            shutil.rmtree(cwd, ignore_errors=True)
