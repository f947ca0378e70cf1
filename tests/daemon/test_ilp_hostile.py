"""Hostile input on the line port: long lines, NUL, invalid UTF-8, binary
garbage, HTTP, floods; the session (or at least the daemon) carries on and
other clients are served."""

import random
import re
import threading
import time

from harness import (ConnectionClosed, Daemon, expect, expect_eq,
                     parse_report_reply, report_line, scale)


def read_until_pong(c, timeout=10):
    """Replies up to (not including) '250 pong'."""
    got = []
    deadline = time.monotonic() + scale(timeout)
    while True:
        left = deadline - time.monotonic()
        expect(left > 0, "no '250 pong' within %ss; got %r" % (timeout, got[-5:]))
        r = c.read_reply(left)
        if r == "250 pong":
            return got
        got.append(r)


def test_long_line_then_session_continues():
    with Daemon() as d:
        c = d.authed_client(d.token("long"))
        line = report_line(category="spam", description="a" * 17000)
        expect(len(line) > 16384, "line not long enough")
        c.send_line(line)
        expect_eq(c.read_reply(), "500 line too long", "17 kB line")
        expect_eq(c.cmd("PING"), "250 pong", "PING after a long line")
        # just over the limit, with a bare LF
        c.send_raw(b"X" * 16390 + b"\n")
        expect_eq(c.read_reply(), "500 line too long", "16390-byte line")
        expect_eq(c.cmd("PING"), "250 pong", "PING after the second long line")
        # nothing of the long REPORT was stored
        c.close()
        expect_eq(d.queue_all(), [], "a too-long REPORT was stored")


FIELDS_MAX = 128   # REPORT_FIELDS_MAX in include/limits_gw.h


def _near_limit_line(n_fields):
    """A REPORT of exactly n_fields fields (category, description,
    source-ip and n_fields - 3 url=), padded with description bytes to
    between 15,000 and 16,384 bytes: a long line the daemon must process."""
    urls = ["url=http%%3A%%2F%%2Fh%d.example%%2F" % i for i in range(n_fields - 3)]
    head = report_line(category="spam", description="", source_ip="192.0.2.1")
    base = len(head) + 1 + len(" ".join(urls))
    line = report_line(category="spam", description="b" * (15500 - base),
                       source_ip="192.0.2.1") + " " + " ".join(urls)
    expect(15000 < len(line) < 16384, "line length %d" % len(line))
    return line


def test_line_within_limit_is_processed():
    """A 15.5 kB line with as many fields as a REPORT may have
    (REPORT_FIELDS_MAX) is stored: 250, with every indicator."""
    with Daemon() as d:
        c = d.authed_client(d.token("near"))
        line = _near_limit_line(FIELDS_MAX)
        r = c.cmd(line)
        rr = parse_report_reply(r)
        got = d.show(rr.rid).get("indicators") or []
        expect_eq(len(got), FIELDS_MAX - 2,
                  "indicators stored (%d url + 1 source-ip)" % (FIELDS_MAX - 3))
        expect_eq(c.cmd("PING"), "250 pong", "PING after")
        c.close()


def test_fields_over_limit_refused():
    """One field more than REPORT_FIELDS_MAX: 501 naming the bound, nothing
    stored, the session carries on."""
    with Daemon() as d:
        c = d.authed_client(d.token("over"))
        r = c.cmd(_near_limit_line(FIELDS_MAX + 1))
        expect(r.startswith("501 ") and "too many fields" in r,
               "%d fields: %r, want 501 ... too many fields" % (FIELDS_MAX + 1, r))
        expect_eq(c.cmd("PING"), "250 pong", "PING after")
        c.close()
        expect_eq(d.queue_all(), [], "a REPORT over the field limit was stored")


def test_megabyte_without_newline():
    with Daemon() as d:
        tok = d.token("mega")
        c = d.authed_client(tok)
        big = b"R" * (1024 * 1024)
        err = []
        t = threading.Thread(target=lambda: _send(c, big, err), daemon=True)
        t.start()
        # while the megabyte flows, another client is served
        other = d.authed_client(tok)
        t0 = time.monotonic()
        expect_eq(other.cmd("PING"), "250 pong", "other client's PING")
        parse_report_reply(other.report(category="spam", source_ip="192.0.2.2"))
        expect(time.monotonic() - t0 < scale(3), "other client served slowly")
        t.join(scale(30))
        expect(not t.is_alive() and not err, "sending 1 MB failed: %r" % err)
        c.send_raw(b"\r\nPING\r\n")
        expect_eq(c.read_reply(), "500 line too long", "1 MB line")
        expect_eq(c.read_reply(), "250 pong", "PING after the 1 MB line")
        c.close()
        other.close()


def _send(c, data, err):
    try:
        c.sock.sendall(data)
    except OSError as e:
        err.append(e)


def test_nul_bytes_refused():
    with Daemon() as d:
        c = d.authed_client(d.token("nul"))
        c.send_raw(b"PI\x00NG\r\n")
        r = c.read_reply()
        expect(r.startswith("5"), "PING with a NUL: %r" % r)
        c.send_raw(b"REPORT category=spam description=a\x00b\r\n")
        r = c.read_reply()
        expect(r.startswith("5"), "REPORT with a NUL: %r" % r)
        c.send_raw(b"\x00\x00\x00\r\n")
        r = c.read_reply()
        expect(r.startswith("5"), "NUL-only line: %r" % r)
        expect_eq(c.cmd("PING"), "250 pong", "PING after NULs")
        c.close()
        expect_eq(d.queue_all(), [], "a REPORT with a NUL was stored")


def test_invalid_utf8_line_refused():
    with Daemon() as d:
        c = d.authed_client(d.token("utf"))
        for raw in (b"REPORT category=spam description=\xc3\x28\r\n",
                    b"REPORT category=spam description=\xff\xfe\r\n",
                    b"REPORT category=spam description=\xed\xa0\x80\r\n",
                    b"PING \xc0\xaf\r\n"):
            c.send_raw(raw)
            r = c.read_reply()
            expect(r.startswith("5"), "%r -> %r, want 5xx" % (raw, r))
        expect_eq(c.cmd("PING"), "250 pong", "PING after invalid UTF-8")
        c.close()
        expect_eq(d.queue_all(), [], "a REPORT with invalid UTF-8 was stored")


def test_control_characters_in_line_refused():
    with Daemon() as d:
        c = d.authed_client(d.token("ctl"))
        for raw in (b"PING\x07\r\n", b"REPORT category=spam description=a\x1bb\r\n",
                    b"REPORT category=spam\rdescription=x\r\n"):
            c.send_raw(raw)
            r = c.read_reply()
            expect(r.startswith("5"), "%r -> %r, want 5xx" % (raw, r))
        expect_eq(c.cmd("PING"), "250 pong", "PING after control characters")
        c.close()
        expect_eq(d.queue_all(), [], "a REPORT with control characters was stored")


def test_binary_garbage():
    rnd = random.Random(4119)
    alphabet = bytes(range(0x80, 0x100)) + bytes(b for b in range(1, 0x20)
                                                 if b not in (0x0a, 0x0d))
    with Daemon() as d:
        c = d.authed_client(d.token("garbage"))
        lines = [bytes(rnd.choice(alphabet) for _ in range(rnd.randint(1, 300)))
                 for _ in range(50)]
        c.send_raw(b"".join(l + b"\n" for l in lines) + b"PING\r\n")
        got = read_until_pong(c, 15)
        expect_eq(len(got), len(lines), "replies to %d garbage lines" % len(lines))
        bad = [r for r in got if not r.startswith("5")]
        expect(not bad, "garbage answered with non-5xx: %r" % bad[:3])
        c.close()
        c2 = d.client()
        expect_eq(c2.cmd("PING"), "250 pong", "new session after garbage")
        c2.close()


def test_random_bytes_including_newlines():
    """Fully random bytes (every value); then a fresh session still works."""
    rnd = random.Random(4120)
    with Daemon() as d:
        for _ in range(5):
            c = d.client()
            blob = bytes(rnd.getrandbits(8) for _ in range(32768))
            try:
                c.send_raw(blob)
                c.send_raw(b"\r\nPING\r\n")
                # every reply is 5xx until the pong (or the server closes)
                while True:
                    r = c.read_reply(10)
                    if r == "250 pong":
                        break
                    expect(r[:1] in ("4", "5"), "random bytes answered %r" % r)
            except (OSError, ConnectionClosed):
                pass
            c.close()
        c = d.client()
        expect_eq(c.cmd("PING"), "250 pong", "PING after random bytes")
        c.close()


def test_http_request_on_line_port():
    with Daemon() as d:
        c = d.client()
        c.send_raw(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/8\r\n"
                   b"Accept: */*\r\n\r\n")
        c.send_raw(b"PING\r\n")
        # each HTTP line gets a 5xx; the server may keep the session (then
        # PING is answered) or close it after refusing
        got = []
        closed = False
        while True:
            try:
                r = c.read_reply(10)
            except ConnectionClosed:
                closed = True
                break
            if r == "250 pong":
                break
            got.append(r)
        expect(got, "no reply at all to an HTTP request")
        bad = [r for r in got if not re.match(r"^5\d\d ", r)]
        expect(not bad, "HTTP lines answered with non-5xx: %r" % bad)
        if not closed:
            expect(len(got) >= 4, "fewer replies than non-empty HTTP lines: %r" % got)
        c.close()
        # a POST with a body, then the client vanishes
        c = d.client()
        c.send_raw(b"POST /api/v1/reports HTTP/1.1\r\nContent-Length: 20\r\n\r\n"
                   b'{"category":"spam"}\n')
        c.close()
        c = d.client()
        expect_eq(c.cmd("PING"), "250 pong", "daemon alive after HTTP")
        c.close()


def test_tls_hello_on_plain_port():
    import ssl
    import socket
    with Daemon() as d:
        s = socket.create_connection(("127.0.0.1", d.ports["line"]), timeout=5)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        try:
            ctx.wrap_socket(s).close()
        except (ssl.SSLError, OSError):
            pass
        s.close()
        c = d.client()
        expect_eq(c.cmd("PING"), "250 pong", "daemon alive after a TLS hello")
        c.close()


def test_client_disconnects_mid_report():
    """Clients that vanish with a half-sent line, or right after a REPORT,
    do not hurt the daemon."""
    with Daemon() as d:
        tok = d.token("vanish")
        for i in range(20):
            c = d.authed_client(tok)
            if i % 2:
                c.send_raw(report_line(category="spam", source_ip="192.0.2.%d" % i)[:30])
            else:
                c.send_raw(report_line(category="spam",
                                       source_ip="192.0.2.%d" % i) + "\r\n")
            c.close()
        c = d.authed_client(tok)
        parse_report_reply(c.report(category="spam", description="still here"))
        c.close()


def test_flood_does_not_starve_others():
    with Daemon() as d:
        tok = d.token("flood")
        stop = threading.Event()
        sent = [0]

        def flood():
            import socket
            try:
                f = d.client()
            except OSError:
                return
            f.sock.settimeout(0.5)
            chunk = (b"\xff\xfegarbage line " * 20 + b"\n") * 100
            deadline = time.monotonic() + scale(4)
            while not stop.is_set() and time.monotonic() < deadline \
                    and sent[0] < 200 * 1024 * 1024:
                try:
                    f.sock.sendall(chunk)
                    sent[0] += len(chunk)
                except socket.timeout:
                    continue  # the server pushes back: keep pressing
                except OSError:
                    break     # or it closed us: fine too
            f.close()

        floods = [threading.Thread(target=flood, daemon=True) for _ in range(2)]
        for t in floods:
            t.start()
        time.sleep(0.3)
        c = d.authed_client(tok)
        worst = 0.0
        for i in range(20):
            t0 = time.monotonic()
            expect_eq(c.cmd("PING"), "250 pong", "PING %d during the flood" % i)
            parse_report_reply(c.report(category="scan",
                                        source_ip="203.0.113.%d" % (i + 1)))
            worst = max(worst, time.monotonic() - t0)
            time.sleep(0.05)
        stop.set()
        for t in floods:
            t.join(scale(10))
        c.close()
        expect(sent[0] > 0, "the flood sent nothing")
        expect(worst < scale(1.0), "PING+REPORT took %.2fs during a flood" % worst)
