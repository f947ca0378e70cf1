"""Connection limits and idle timeout of the line listener ([line]
max_per_ip, max_sessions, idle_timeout)."""

import socket
import time

from harness import (ConnectionClosed, Daemon, IlpClient, expect, expect_eq,
                     scale, wait_until)


def refused_with_4xx(port, source=None, tls=False):
    """Connect and expect a 4xx line then a close. Returns the line."""
    c = IlpClient(port, greeting=False, source=source, tls=tls)
    try:
        try:
            line = c.read_reply(5)
        except ConnectionClosed:
            raise AssertionError("connection over the limit closed without a reply")
        expect(line.startswith("4"), "over the limit: got %r, want a 4xx line" % line)
        closed, extra = c.wait_closed(5)
        expect(closed, "connection over the limit not closed (then got %r)" % extra)
        return line
    finally:
        c.close()


def can_use_127_0_0_2():
    try:
        s = socket.socket()
        s.bind(("127.0.0.2", 0))
        s.close()
        return True
    except OSError:
        return False


def test_max_per_ip():
    with Daemon({"line": {"max_per_ip": "5"}}) as d:
        conns = [d.client() for _ in range(5)]
        for i, c in enumerate(conns):
            expect(c.greeting.startswith("220 "), "connection %d: %r" % (i, c.greeting))
        refused_with_4xx(d.ports["line"])
        # the first five still work
        for i, c in enumerate(conns):
            expect_eq(c.cmd("PING"), "250 pong", "PING on connection %d" % i)
        if can_use_127_0_0_2():
            other = IlpClient(d.ports["line"], source="127.0.0.2")
            expect(other.greeting.startswith("220 "),
                   "another source address refused: %r" % other.greeting)
            other.close()
        # closing one frees a slot
        expect_eq(conns[0].cmd("QUIT"), "221 bye", "QUIT")
        conns[0].close()

        def slot_free():
            c = IlpClient(d.ports["line"], greeting=False)
            try:
                line = c.read_reply(5)
            except ConnectionClosed:
                c.close()
                return None
            if line.startswith("220 "):
                return c
            c.close()
            return None
        c6 = wait_until(slot_free, scale(5), 0.2, "a slot after one client left")
        expect_eq(c6.cmd("PING"), "250 pong", "PING on the freed slot")
        c6.close()
        for c in conns[1:]:
            c.close()


def refused_tls(port):
    """Over the limit on the TLS port: either no TLS session at all (closed
    before or during the handshake) or a 4xx line then a close."""
    import ssl
    try:
        c = IlpClient(port, tls=True, greeting=False)
    except (ssl.SSLError, OSError):
        return None
    try:
        try:
            line = c.read_reply(5)
        except ConnectionClosed:
            return None
        expect(line.startswith("4"), "TLS over the limit: got %r" % line)
        closed, extra = c.wait_closed(5)
        expect(closed, "TLS connection over the limit not closed")
        return line
    finally:
        c.close()


def test_max_per_ip_counts_tls_too():
    """[line] max_per_ip bounds the line protocol, plain and TLS together."""
    with Daemon({"line": {"max_per_ip": "3"}}) as d:
        conns = [d.client(), d.client(tls=True), d.client()]
        try:
            refused_tls(d.ports["tls"])
            refused_with_4xx(d.ports["line"])
        finally:
            for c in conns:
                c.close()


def test_max_sessions():
    with Daemon({"line": {"max_sessions": "3"}}) as d:
        conns = [d.client() for _ in range(3)]
        if can_use_127_0_0_2():
            line = refused_with_4xx(d.ports["line"], source="127.0.0.2")
        else:
            line = refused_with_4xx(d.ports["line"])
        for i, c in enumerate(conns):
            expect_eq(c.cmd("PING"), "250 pong", "PING on session %d" % i)
            c.close()
        # after they leave, new sessions are accepted again
        def ok():
            try:
                c = IlpClient(d.ports["line"], greeting=False)
            except OSError:
                return None
            try:
                g = c.read_reply(5)
            except ConnectionClosed:
                g = ""
            c.close()
            return g.startswith("220 ")
        wait_until(ok, scale(5), 0.2, "sessions accepted again")


def test_refused_connections_do_not_leak_slots():
    """Many refused attempts over the limit leave the limit intact."""
    with Daemon({"line": {"max_per_ip": "2"}}) as d:
        a, b = d.client(), d.client()
        for _ in range(30):
            refused_with_4xx(d.ports["line"])
        a.close()
        b.close()

        def two_ok():
            cs = []
            try:
                for _ in range(2):
                    c = IlpClient(d.ports["line"], greeting=False)
                    cs.append(c)
                    try:
                        if not c.read_reply(5).startswith("220 "):
                            return False
                    except ConnectionClosed:
                        return False
                return True
            finally:
                for c in cs:
                    c.close()
        wait_until(two_ok, scale(5), 0.3, "two sessions accepted after the refusals")


def test_idle_timeout_closes():
    with Daemon({"line": {"idle_timeout": "2s"}}) as d:
        c = d.client()
        t0 = time.monotonic()
        closed, lines = c.wait_closed(scale(8))
        dt = time.monotonic() - t0
        expect(closed, "idle connection still open after %.1fs" % dt)
        expect(dt >= 1.5, "idle connection closed too early (%.1fs)" % dt)
        for l in lines:
            expect(l.startswith("4"), "line before the idle close: %r (want 4xx)" % l)
        c.close()


def test_idle_timeout_spares_active_sessions():
    with Daemon({"line": {"idle_timeout": "2s"}}) as d:
        c = d.client()
        t_end = time.monotonic() + 4.5
        while time.monotonic() < t_end:
            expect_eq(c.cmd("PING"), "250 pong", "PING on an active session")
            time.sleep(0.7)
        c.close()


def test_idle_timeout_with_partial_line():
    """A client that sends half a line and stalls is timed out too."""
    with Daemon({"line": {"idle_timeout": "2s"}}) as d:
        c = d.client()
        c.send_raw(b"REPORT category=spam descr")
        closed, lines = c.wait_closed(scale(8))
        expect(closed, "stalled connection still open")
        for l in lines:
            expect(l.startswith("4"), "line before the idle close: %r" % l)
        c.close()
        expect_eq(d.queue_all(), [], "half a REPORT was stored")


def test_full_disk_gives_4xx_and_recovers():
    """SPEC promise: on a full disk, temporary-failure replies (4xx, nothing
    stored); every acknowledged report survives; service resumes once space
    is back. The data dir is put on a small tmpfs (needs mount rights)."""
    import os
    import subprocess
    from harness import Skip, parse_report_reply, report_line
    with Daemon(start=False) as d:
        os.makedirs(d.data_dir, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700",
                            "tmpfs", d.data_dir], capture_output=True, text=True)
        if r.returncode != 0:
            raise Skip("cannot mount a tmpfs here: %s" % r.stderr.strip())
        try:
            d.start()
            tok = d.token("disk")
            c = d.authed_client(tok)
            # warm up (schema, first pages), then leave ~600 kB free
            first = c.report_ok(category="spam", source_ip="10.200.0.1")
            st = os.statvfs(d.data_dir)
            free = st.f_bavail * st.f_frsize
            filler = os.path.join(d.data_dir, "filler")
            with open(filler, "wb") as f:
                f.write(b"\0" * max(0, free - 600 * 1024))
            acked = {"10.200.0.1": first.rid}
            refused = []
            for i in range(2, 400):
                ip = "10.200.%d.%d" % (i // 256, i % 256)
                reply = c.report(category="spam", source_ip=ip,
                                 description=("%d " % i) + "x" * 8000)
                if reply.startswith("250 "):
                    acked[ip] = parse_report_reply(reply).rid
                else:
                    expect(reply.startswith("4"),
                           "reply on a full disk: %r (want 4xx)" % reply)
                    refused.append(ip)
                    if len(refused) >= 3:
                        break
            expect(refused, "no 4xx although the disk is full (%d acked)" % len(acked))
            expect_eq(c.cmd("PING"), "250 pong", "PING on a full disk")
            os.unlink(filler)

            def stored_again():
                rep = c.report(category="spam", source_ip="10.201.0.1",
                               description="after space came back")
                if rep.startswith("250 "):
                    return parse_report_reply(rep)
                expect(rep.startswith("4"), "reply after freeing space: %r" % rep)
                return None
            again = wait_until(stored_again, scale(10), 0.5, "a 250 after freeing space")
            acked["10.201.0.1"] = again.rid
            c.close()
            expect_eq(d.stop(), 0, "exit code")
            d.start()
            ips = set()
            for inc in d.queue_all():
                for ind in inc.get("indicators", []):
                    ips.add(ind["value"])
            lost = [ip for ip in acked if ip not in ips]
            expect(not lost, "acknowledged reports lost: %r" % lost[:5])
            kept = [ip for ip in refused if ip in ips]
            expect(not kept, "reports refused with 4xx were stored: %r" % kept)
        finally:
            if d.running():
                d.stop()
            subprocess.run(["umount", "-l", d.data_dir], capture_output=True)
