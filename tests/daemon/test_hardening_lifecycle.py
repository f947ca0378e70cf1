"""Connection lifecycle under hostile or broken clients: every way a client
can hold a session (and its per-IP slot) without doing anything useful ends
within a bounded time, and memory stays bounded while it lasts.

  - silent implicit-TLS clients are closed by the idle timeout;
  - a TLS handshake has an overall deadline ([tls] handshake_timeout) that
    trickled bytes do not extend;
  - an abandoned STARTTLS handshake frees its slot;
  - a client that pipelines without reading its replies costs bounded
    memory, and its session is freed once it also stops sending;
  - the lingering close after QUIT has a fixed 2 s deadline and still counts
    toward max_per_ip;
  - ILP/1 session and authentication deadlines ([line] session_timeout,
    auth_timeout);
  - per-IP limits count an IPv6 /64 as one address;
  - TLS handshakes per second per client address ([tls] handshake_rate);
  - the default [smtp] max_per_ip is 50.
"""

import os
import select
import shutil
import socket
import ssl
import subprocess
import time

from harness import (ConnectionClosed, Daemon, IlpClient, Skip, expect,
                     expect_eq, scale, wait_until)
from test_smtp_common import GREETING as SMTP_GREETING
from test_smtp_common import SmtpClient, expect_reply

ILP_REFUSAL = "421 too many connections, try again later"
SMTP_REFUSAL_PREFIX = "421 4.7.0"

TIMEOUT = 60


# ---------------------------------------------------------------------------
# small generic helpers

def _free_port(host="127.0.0.1"):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    try:
        s.bind((host, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def _rss_kb(pid):
    """VmRSS of pid in kB (0 if the process is gone)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _wait_peer_close(sock, timeout):
    """Read (discarding data) until the peer closes (EOF or reset). Returns
    the seconds waited, or None when the connection is still open after
    timeout seconds (not scaled here)."""
    t0 = time.monotonic()
    deadline = t0 + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        sock.settimeout(left)
        try:
            data = sock.recv(65536)
        except (socket.timeout, TimeoutError):
            return None
        except OSError:         # reset
            return time.monotonic() - t0
        if not data:
            return time.monotonic() - t0


TCP_CLOSE = 7


def _tcp_state(sock):
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
        return info[0]
    except OSError:
        return None


def _trickle_until_reset(sock, interval, timeout, data=b"x"):
    """Send one byte every interval seconds; return the seconds until the
    peer has really closed its socket (our byte is answered with a reset:
    a send fails or the TCP state becomes CLOSE), or None if it is still
    open after timeout seconds. An EOF alone (the peer's half close) does
    not count: a lingering close sends it first."""
    t0 = time.monotonic()
    deadline = t0 + timeout
    sock.setblocking(False)
    while time.monotonic() < deadline:
        try:
            sock.send(data)
        except BlockingIOError:
            pass
        except OSError:
            return time.monotonic() - t0
        step_end = min(deadline, time.monotonic() + interval)
        while time.monotonic() < step_end:
            time.sleep(0.05)
            try:
                sock.recv(65536, socket.MSG_DONTWAIT)
            except BlockingIOError:
                pass
            except OSError:
                return time.monotonic() - t0
            if _tcp_state(sock) == TCP_CLOSE:
                return time.monotonic() - t0
    return None


def _first_line(port, tls=False, host="127.0.0.1", source=None, timeout=3.0):
    """Connect and read the first reply line. Returns (client, line); line
    is None when the server closed (or, with TLS, refused the handshake)
    without one, client None when no connection was made. The caller
    closes the client."""
    try:
        c = IlpClient(port, tls=tls, host=host, source=source,
                      greeting=False, timeout=timeout)
    except OSError:             # ssl.SSLError included
        return None, None
    try:
        return c, c.read_reply(timeout)
    except (ConnectionClosed, TimeoutError, OSError):
        return c, None


def _wait_for_greeting(port, within, tls=False, host="127.0.0.1",
                       source=None, prefix="220 ", what="a greeting"):
    """Poll new connections until one reads a line starting with prefix
    (within seconds, not scaled here); returns that client, open."""
    deadline = time.monotonic() + within
    seen = []
    while True:
        c, line = _first_line(port, tls=tls, host=host, source=source)
        if line is not None and line.startswith(prefix):
            return c
        if c is not None:
            c.close()
        if not seen or seen[-1] != line:
            seen.append(line)
        if time.monotonic() >= deadline:
            raise AssertionError("%s: no line starting with %r within "
                                 "%.1fs; first lines seen: %r"
                                 % (what, prefix, within, seen[-5:]))
        time.sleep(0.2)


def _expect_refused(port, prefix, what, tls=False, host="127.0.0.1",
                    source=None):
    c, line = _first_line(port, tls=tls, host=host, source=source)
    try:
        expect(line is not None and line.startswith(prefix),
               "%s: first line %r, want %r" % (what, line, prefix))
        closed, extra = c.wait_closed(3)
        expect(closed, "%s: refused connection not closed (then %r)"
               % (what, extra))
    finally:
        if c is not None:
            c.close()


def _close_all(conns):
    for c in conns:
        try:
            c.close()
        except OSError:
            pass


# ---------------------------------------------------------------------------
# 1. silent implicit-TLS clients

def _silent_tls_clients_closed(port, greeting_prefix):
    idle = 2
    socks = []
    try:
        t0 = time.monotonic()
        for _ in range(3):
            socks.append(socket.create_connection(("127.0.0.1", port),
                                                  timeout=scale(5)))
        bound = scale(idle + 4)
        for i, s in enumerate(socks):
            left = max(0.05, t0 + bound - time.monotonic())
            took = _wait_peer_close(s, left)
            expect(took is not None,
                   "silent TLS connection %d still open %.1fs after "
                   "connecting (idle_timeout %ds)"
                   % (i + 1, time.monotonic() - t0, idle))
    finally:
        _close_all(socks)
    c = _wait_for_greeting(port, scale(3), tls=True, prefix=greeting_prefix,
                           what="TLS greeting after the silent clients left")
    c.close()


def test_silent_tls_clients_closed_line():
    with Daemon({"line": {"max_per_ip": "3", "idle_timeout": "2s"}}) as d:
        _silent_tls_clients_closed(d.ports["tls"], "220 ")


def test_silent_tls_clients_closed_smtp():
    port = _free_port()
    with Daemon({"smtp": {"tls_listen": "127.0.0.1:%d" % port,
                          "max_per_ip": "3", "idle_timeout": "2s"}}) as d:
        _silent_tls_clients_closed(port, SMTP_GREETING)


# ---------------------------------------------------------------------------
# 2. handshake deadline

def _client_hello():
    """The first flight of a TLS client (a ClientHello), as bytes."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_side=False)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = outgoing.read()
    expect(len(hello) > 40, "ClientHello of %d bytes?" % len(hello))
    return hello


def _trickle_hello_until_closed(sock, bound):
    """Send a ClientHello one byte every 0.5 s on sock until the server
    closes (EOF, reset) or bound seconds pass. Returns (seconds until the
    close or None, bytes sent, length of the ClientHello)."""
    hello = _client_hello()
    t0 = time.monotonic()
    sent = 0
    sock.setblocking(False)
    while time.monotonic() - t0 < bound and sent < len(hello):
        try:
            sock.send(hello[sent:sent + 1])
            sent += 1
        except BlockingIOError:
            pass
        except OSError:
            return time.monotonic() - t0, sent, len(hello)
        r, _, _ = select.select([sock], [], [], 0.5)
        if r:
            try:
                data = sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                return time.monotonic() - t0, sent, len(hello)
    return None, sent, len(hello)


def _expect_handshake_cut(took, sent, total, what):
    expect(took is not None or sent < total, "the whole ClientHello went "
           "out (%d bytes); the test needs a longer one" % total)
    expect(took is not None,
           "%s: a client trickling its ClientHello (one byte per 0.5 s, %d "
           "bytes sent) still connected (handshake_timeout 2s)"
           % (what, sent))
    expect(took >= 1.0, "%s: closed after only %.1fs" % (what, took))


def test_tls_handshake_deadline_not_extended_by_trickle():
    with Daemon({"tls": {"handshake_timeout": "2s"},
                 "line": {"idle_timeout": "60s"}}) as d:
        s = socket.create_connection(("127.0.0.1", d.ports["tls"]),
                                     timeout=scale(5))
        try:
            res = _trickle_hello_until_closed(s, scale(2) + 2.5)
        finally:
            s.close()
        _expect_handshake_cut(*res, what="implicit TLS (line)")
        # the daemon still serves complete handshakes
        c = d.client(tls=True)
        expect(c.greeting.startswith("220 "), "greeting over TLS: %r"
               % c.greeting)
        c.close()


def test_tls_handshake_deadline_starttls():
    """[tls] handshake_timeout covers the STARTTLS handshake too."""
    with Daemon({"tls": {"handshake_timeout": "2s"},
                 "smtp": {"idle_timeout": "60s"}}) as d:
        c = SmtpClient(d)
        try:
            c.ehlo()
            expect_reply(c.cmd("STARTTLS"), "220 2.0.0", "STARTTLS")
            res = _trickle_hello_until_closed(c.sock, scale(2) + 2.5)
        finally:
            c.close()
        _expect_handshake_cut(*res, what="STARTTLS")


# ---------------------------------------------------------------------------
# 3. abandoned STARTTLS

def test_abandoned_starttls_frees_slot():
    idle = 2
    with Daemon({"smtp": {"max_per_ip": "1",
                          "idle_timeout": "%ds" % idle}}) as d:
        c = SmtpClient(d)
        try:
            c.ehlo()
            expect_reply(c.cmd("STARTTLS"), "220 2.0.0", "STARTTLS")
            t0 = time.monotonic()
            # the abandoned session holds the address's only slot
            _expect_refused(d.ports["smtp"], SMTP_REFUSAL_PREFIX,
                            "second connection during the handshake")
            took = _wait_peer_close(c.sock, max(0.05, t0 + scale(idle + 10)
                                                + 2 - time.monotonic()))
            expect(took is not None,
                   "connection with an abandoned STARTTLS handshake still "
                   "open after %.1fs (idle_timeout %ds)"
                   % (time.monotonic() - t0, idle))
        finally:
            c.close()
        n = _wait_for_greeting(d.ports["smtp"], scale(3),
                               prefix=SMTP_GREETING,
                               what="SMTP greeting after the abandoned "
                                    "STARTTLS was closed")
        n.close()


# ---------------------------------------------------------------------------
# 4. clients that stop reading

FLOOD_BYTES = 16 * 1024 * 1024
FLOOD_SECONDS = 8.0
RSS_GROWTH_MAX_KB = 64 * 1024


def _flood_without_reading(d, sock, line):
    """Send line repeated, as fast as the daemon takes it, never reading,
    for at most FLOOD_BYTES / FLOOD_SECONDS. Returns (bytes sent, largest
    VmRSS growth in kB, why it stopped). Stops early once growth reaches
    the bound (the test fails then anyway)."""
    chunk = line * (65536 // len(line))
    rss0 = _rss_kb(d.pid)
    expect(rss0 > 0, "cannot read VmRSS of pid %d" % d.pid)
    growth = 0
    sent = 0
    off = 0
    why = "time"
    sock.setblocking(False)
    t_end = time.monotonic() + FLOOD_SECONDS
    next_sample = 0.0
    while True:
        now = time.monotonic()
        if now >= next_sample:
            growth = max(growth, _rss_kb(d.pid) - rss0)
            next_sample = now + 0.1
            if growth >= RSS_GROWTH_MAX_KB:
                why = "memory"
                break
        if now >= t_end:
            break
        if sent >= FLOOD_BYTES:
            why = "size"
            break
        try:
            n = sock.send(chunk[off:])
            sent += n
            off = (off + n) % len(chunk)
        except BlockingIOError:
            select.select([], [sock], [], 0.1)
        except OSError as e:
            why = "closed by the daemon (%s)" % e.__class__.__name__
            break
    growth = max(growth, _rss_kb(d.pid) - rss0)
    return sent, growth, why


def _stalled_client(d, client, line, port, greeting_prefix, idle):
    try:
        sent, growth, why = _flood_without_reading(d, client.sock, line)
        expect(growth < RSS_GROWTH_MAX_KB,
               "VmRSS grew by %d MB while a client pipelined %d MB of %r "
               "without reading (bound 64 MB; flood stopped: %s)"
               % (growth // 1024, sent // (1024 * 1024), line, why))
        # the client stops sending but keeps its socket open, unread
        t_stop = time.monotonic()
        c = _wait_for_greeting(
            port, scale(idle + 10) + 4, prefix=greeting_prefix,
            what="the stalled client's slot freed (idle_timeout %ds "
                 "+ 10 s)" % idle)
        c.close()
        return time.monotonic() - t_stop
    finally:
        client.close()


def test_ilp_client_not_reading_bounded_and_freed():
    with Daemon({"line": {"require_auth": "no", "idle_timeout": "2s",
                          "max_per_ip": "1"}}) as d:
        c = d.client()
        _stalled_client(d, c, b"PING\r\n", d.ports["line"], "220 ", 2)


def test_smtp_client_not_reading_bounded_and_freed():
    with Daemon({"smtp": {"idle_timeout": "2s", "max_per_ip": "1"}}) as d:
        c = SmtpClient(d)
        _stalled_client(d, c, b"EHLO x\r\n", d.ports["smtp"], SMTP_GREETING,
                        2)


# ---------------------------------------------------------------------------
# 5. lingering close after QUIT

def _quit_then_trickle(port, quit_reply, greeting_prefix, while_lingering=None):
    """Connect, QUIT, then send a byte every 0.5 s until the daemon has
    really closed the connection; while_lingering() runs right after the
    QUIT reply. Returns the time of the QUIT reply (time.monotonic())."""
    c = IlpClient(port)
    try:
        expect(c.greeting.startswith(greeting_prefix),
               "greeting %r" % c.greeting)
        expect_eq(c.cmd("QUIT"), quit_reply, "QUIT")
        t0 = time.monotonic()
        if while_lingering is not None:
            while_lingering()
        took = _trickle_until_reset(c.sock, 0.5,
                                    max(0.1, t0 + scale(2) + 2.5
                                        - time.monotonic()))
        expect(took is not None,
               "after QUIT, a client sending a byte every 0.5 s was still "
               "connected %.1fs later (lingering close deadline 2 s)"
               % (time.monotonic() - t0))
        return t0
    finally:
        c.close()


def test_linger_deadline_ilp():
    with Daemon() as d:
        _quit_then_trickle(d.ports["line"], "221 bye", "220 ")


def test_linger_deadline_smtp():
    with Daemon() as d:
        _quit_then_trickle(d.ports["smtp"], "221 2.0.0 bye", SMTP_GREETING)


def _linger_holds_slot(port, quit_reply, refusal_prefix, greeting_prefix):
    def refused():
        _expect_refused(port, refusal_prefix,
                        "second connection while the first lingers")
    t0 = _quit_then_trickle(port, quit_reply, greeting_prefix, refused)
    n = _wait_for_greeting(port, max(0.5, t0 + scale(3) + 1
                                     - time.monotonic()),
                           prefix=greeting_prefix,
                           what="a greeting once the lingering connection "
                                "was closed")
    n.close()


def test_linger_counts_toward_max_per_ip_ilp():
    with Daemon({"line": {"max_per_ip": "1"}}) as d:
        _linger_holds_slot(d.ports["line"], "221 bye", ILP_REFUSAL, "220 ")


def test_linger_counts_toward_max_per_ip_smtp():
    with Daemon({"smtp": {"max_per_ip": "1"}}) as d:
        _linger_holds_slot(d.ports["smtp"], "221 2.0.0 bye",
                           SMTP_REFUSAL_PREFIX, SMTP_GREETING)


# ---------------------------------------------------------------------------
# 6. and 7. ILP session and authentication deadlines

def _ping_until_421(c, t0, bound, interval=0.5):
    """PING every interval (reading each reply) until a 421 arrives; returns
    (its text, seconds since t0) or (None, seconds) when bound passes or the
    connection closes without one."""
    while time.monotonic() - t0 < bound:
        try:
            r = c.cmd("PING", timeout=3)
        except (ConnectionClosed, TimeoutError, OSError):
            return None, time.monotonic() - t0
        if r.startswith("421"):
            return r, time.monotonic() - t0
        expect_eq(r, "250 pong", "PING")
        time.sleep(interval)
    return None, time.monotonic() - t0


def test_ilp_session_time_limit():
    limit = 3
    with Daemon({"line": {"session_timeout": "%ds" % limit,
                          "idle_timeout": "60s"}}) as d:
        t0 = time.monotonic()
        c = d.client()
        try:
            r, dt = _ping_until_421(c, t0, scale(limit) + 2)
            expect(r is not None, "no 421 after %.1fs of PINGs "
                   "(session_timeout %ds)" % (dt, limit))
            expect_eq(r, "421 session time limit reached, closing",
                      "reply at the session time limit")
            expect(dt >= limit - 0.5, "session time limit hit after only "
                   "%.1fs (limit %ds)" % (dt, limit))
            closed, extra = c.wait_closed(3)
            expect(closed, "connection open after the 421 (then %r)" % extra)
        finally:
            c.close()


def test_ilp_auth_timeout():
    limit = 2
    with Daemon({"line": {"require_auth": "yes",
                          "auth_timeout": "%ds" % limit}}) as d:
        tok = d.token("partner-lc")
        t0 = time.monotonic()
        anon = d.client()
        authed = d.authed_client(tok)
        try:
            got = None
            bound = scale(limit) + 2
            t_end = t0 + max(bound, 4.5)
            while time.monotonic() < t_end:
                if got is None and anon is not None:
                    try:
                        r = anon.cmd("PING", timeout=scale(3))
                    except (ConnectionClosed, TimeoutError, OSError):
                        raise AssertionError(
                            "unauthenticated session closed after %.1fs "
                            "without the 421" % (time.monotonic() - t0))
                    if r.startswith("421"):
                        got = (r, time.monotonic() - t0)
                    else:
                        expect_eq(r, "250 pong", "PING before AUTH")
                        expect(time.monotonic() - t0 < bound,
                               "unauthenticated session still served "
                               "%.1fs after connecting (auth_timeout %ds)"
                               % (time.monotonic() - t0, limit))
                expect_eq(authed.cmd("PING"), "250 pong",
                          "PING on the authenticated session at %.1fs"
                          % (time.monotonic() - t0))
                time.sleep(0.5)
            expect(got is not None, "no 421 on the unauthenticated session")
            r, dt = got
            expect_eq(r, "421 authentication timeout, closing",
                      "reply at the authentication deadline")
            expect(dt >= limit - 0.5, "closed after only %.1fs (auth_timeout "
                   "%ds)" % (dt, limit))
            closed, extra = anon.wait_closed(3)
            expect(closed, "unauthenticated session open after its 421 "
                   "(then %r)" % extra)
            expect(time.monotonic() - t0 >= 4.0, "authenticated session not "
                   "exercised long enough")
        finally:
            anon.close()
            authed.close()
    # without require_auth there is no authentication deadline
    with Daemon({"line": {"require_auth": "no",
                          "auth_timeout": "%ds" % limit}}) as d:
        c = d.client()
        try:
            t0 = time.monotonic()
            while time.monotonic() - t0 < 4.0:
                expect_eq(c.cmd("PING"), "250 pong",
                          "PING at %.1fs with require_auth = no"
                          % (time.monotonic() - t0))
                time.sleep(0.5)
        finally:
            c.close()


# ---------------------------------------------------------------------------
# 8. IPv6 /64 counted as one address

V6_NET = "2001:db8:64::"
V6_SERVER = V6_NET + "1"
V6_CLIENTS = (V6_NET + "2", V6_NET + "3")


def _ip(*args):
    return subprocess.run(["ip"] + list(args), capture_output=True,
                          text=True, timeout=10)


def test_per_ip_limit_counts_ipv6_slash64():
    if os.geteuid() != 0:
        raise Skip("needs root to add IPv6 addresses to lo")
    if shutil.which("ip") is None:
        raise Skip("needs the ip command")
    if not socket.has_ipv6:
        raise Skip("no IPv6 in this Python")
    added = []
    try:
        for a in (V6_SERVER,) + V6_CLIENTS:
            r = _ip("-6", "addr", "add", a + "/64", "dev", "lo", "nodad")
            if r.returncode != 0 and "exists" not in r.stderr:
                raise Skip("cannot add %s to lo: %s" % (a, r.stderr.strip()))
            added.append(a)
        port = _free_port(V6_SERVER)
        with Daemon({"line": {"listen": "[%s]:%d" % (V6_SERVER, port),
                              "max_per_ip": "2", "require_auth": "no"}},
                    start=False) as d:
            d.start(wait=False)
            # the harness's readiness probe uses 127.0.0.1; probe SMTP instead
            def up():
                expect(d.running(), "intaked exited during start-up:\n%s"
                       % d.log_tail())
                try:
                    socket.create_connection(("127.0.0.1", d.ports["smtp"]),
                                             timeout=0.5).close()
                    return True
                except OSError:
                    return False
            wait_until(up, scale(10), 0.05, "intaked listening")
            conns = []
            try:
                for src in V6_CLIENTS:
                    c = IlpClient(port, host=V6_SERVER, source=src)
                    conns.append(c)
                    expect(c.greeting.startswith("220 "),
                           "connection from %s: %r" % (src, c.greeting))
                for src in (V6_CLIENTS[0], V6_SERVER):
                    _expect_refused(port, ILP_REFUSAL,
                                    "third connection from the /64 (from %s)"
                                    % src, host=V6_SERVER, source=src)
                v4 = d.client(tls=True)
                conns.append(v4)
                expect(v4.greeting.startswith("220 "),
                       "IPv4 client while the /64 is full: %r" % v4.greeting)
                for c in conns:
                    expect_eq(c.cmd("PING"), "250 pong", "PING")
            finally:
                _close_all(conns)
    finally:
        for a in added:
            _ip("-6", "addr", "del", a + "/64", "dev", "lo")


# ---------------------------------------------------------------------------
# 9. TLS handshakes per second per address

def _one_handshake(port):
    """'ok' (handshake completed), 'refused' (TLS error or EOF from the
    server) or 'hung'."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=scale(3))
    except OSError:
        return "refused"
    try:
        t = ctx.wrap_socket(s)
    except (socket.timeout, TimeoutError):
        s.close()
        return "hung"
    except OSError:             # SSLError, EOF, reset
        s.close()
        return "refused"
    t.close()
    return "ok"


def test_tls_handshake_rate_per_address():
    with Daemon({"tls": {"handshake_rate": "5"},
                 "line": {"max_per_ip": "1000"}}) as d:
        port = d.ports["tls"]
        t0 = time.monotonic()
        results = [_one_handshake(port) for _ in range(40)]
        dt = time.monotonic() - t0
        ok, refused = results.count("ok"), results.count("refused")
        hung = results.count("hung")
        expect(ok >= 10, "only %d of 40 handshakes succeeded (refused %d, "
               "hung %d, %.1fs; rate 5/s, burst 10)" % (ok, refused, hung, dt))
        expect(refused >= 15, "only %d of 40 handshakes refused (ok %d, hung "
               "%d, in %.1fs; rate 5/s, burst 10)" % (refused, ok, hung, dt))
        time.sleep(2.0)
        wait_until(lambda: _one_handshake(port) == "ok", scale(1), 0.2,
                   "a handshake 2 s after the burst")
        c = d.client(tls=True)
        expect(c.greeting.startswith("220 "), "greeting %r" % c.greeting)
        c.close()


# ---------------------------------------------------------------------------
# 10. default SMTP max_per_ip

def test_smtp_default_max_per_ip_is_50():
    with Daemon() as d:
        expect("max_per_ip" not in d.config["smtp"], "test needs the default")
        conns = []
        try:
            for i in range(50):
                c = SmtpClient(d, greeting=False)
                conns.append(c)
            for i, c in enumerate(conns):
                g = c.read_reply(5)
                expect_eq(g, SMTP_GREETING, "greeting on connection %d" % (i + 1))
            _expect_refused(d.ports["smtp"], SMTP_REFUSAL_PREFIX,
                            "51st connection from 127.0.0.1")
        finally:
            _close_all(conns)
