#!/usr/bin/env python3
"""soak.py - `make soak`: legitimate clients keep working while intaked is
attacked from the same address, and nothing acknowledged is lost.

    INTAKED_BIN=bin SOAK_SECONDS=120 python3 tests/soak/soak.py

Starts $INTAKED_BIN/intaked (default bin/) on a temporary data directory
with every listener on free 127.0.0.1 ports: ILP/1 plain and implicit TLS,
SMTP plain and implicit TLS ([smtp] tls_listen); the HTTPS listener is off.
Creates a submitter token, starts the legitimate clients, lets them run
alone for a few seconds (the baseline), then for SOAK_SECONDS runs the
attack, every part in its own process so that no client's latency depends
on another's interpreter:

  slowloris    60 connections per port (all four) that send one byte of a
               command every 1.5-3 s; half of them never finish their line.
               On the TLS ports the handshake is done first and the bytes
               go one per TLS record.
  flood        8 ILP connections sending PING and 8 SMTP connections sending
               EHLO as fast as the daemon takes them, never reading a reply
               (a connection that makes no progress for 30 s is replaced).
  silent-tls   50 connections on each TLS port that never start the
               handshake.
  half-open    40 connections a second over the four ports: connect and
               shutdown(SHUT_WR) (kept until the daemon closes, at most 200
               at once), connect, send half a command and reset, or connect
               and close at once.
  storm        a reconnect storm: every second 80 connections at once over
               the four ports, each reset as soon as it is up or closed
               after the greeting.

Attack connections are reopened when the daemon closes them; they may be
refused (421) or cut by the daemon's time limits: that is expected.

Legitimate clients, during the whole run: 4 ILP clients with the submitter
token (2 plain, 2 TLS), each a REPORT round trip (unique external-id and
description) every SOAK_LEGIT_INTERVAL_MS (default 100) ms, and 2 SMTP
clients (plain, implicit TLS), each a small message per interval. They
measure every round trip, retry a 4xx (an ILP retry keeps its external-id,
so it cannot create a second report), reconnect when cut, and collect the
report ID of every acknowledgement ("250 IR-..." and "250 2.0.0 IR-...").
A reply that never came (10 s) or a connection cut after the request counts
as a round trip of the time waited.

The daemon's VmRSS is read from /proc every second. At the end the attack
and the clients stop, and every acknowledged report ID must be found by
`intakectl show ID --json`, with the daemon running and again after a
SIGTERM and a restart.

Soak configuration, and why: everything comes from 127.0.0.1, so the per-IP
caps are set high ([line] max_per_ip = 4000, [smtp] max_per_ip = 2000,
[tls] handshake_rate = 1000) and the totals too ([line] max_sessions =
4096, [smtp] max_sessions = 2048); the attack's connections are then bounded
by the daemon's time limits ([line]/[smtp] idle_timeout = 5s, [line]
auth_timeout = 5s, [tls] handshake_timeout = 5s), not by the caps that would
refuse the legitimate clients along with it. memory_budget stays at its
default.

Environment: SOAK_SECONDS (default 120), INTAKED_BIN (default bin),
SOAK_LEGIT_INTERVAL_MS (default 100), SOAK_KEEP=1 keeps the temporary
directory (it is kept anyway when something failed), SOAK_RSS_ABORT_MB
(default 4096: the attack stops early when the daemon's RSS passes it, so
that a daemon without bounds cannot take the machine down with it),
SOAK_ATTACKS (a comma-separated subset of slowloris, flood, silent-tls,
half-open, storm; default all of them).

Prints the legitimate round trips (p50/p99/max, ms) during the attack and
in the baseline, acknowledged and lost reports, the daemon's peak RSS, the
attack's connections, and the targets (legitimate p99 < 100 ms, RSS <
100 MB, 0 lost), each "met" or "MISSED". Exit status 1 only when an
acknowledged report was lost or the daemon died (exited by itself, or not
with status 0 on SIGTERM, or could not be restarted); a missed latency or
memory target is a measurement, not a failure. Python 3 standard library
only.
"""

import collections
import concurrent.futures
import errno
import heapq
import json
import math
import os
import random
import re
import resource
import selectors
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HOST = "127.0.0.1"
HOSTNAME = "mx.soak.example"
MAILBOX = "ir@soak.example"
READY_SECONDS = 15
BASELINE_SECONDS = 3
REPLY_TIMEOUT = 10.0
TARGET_P99_MS = 100.0
TARGET_RSS_MB = 100.0

ILP_REPLY_RE = re.compile(r"^250 (IR-[A-Za-z0-9_.-]+) (new|duplicate) "
                          r"(IN-[A-Za-z0-9_.-]+)$")
SMTP_ACCEPT_RE = re.compile(r"^250 2\.0\.0 (IR-[A-Za-z0-9_.-]+) accepted\b")


def log(msg):
    sys.stderr.write("soak: %s\n" % msg)
    sys.stderr.flush()


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > 65536:
        hard = 65536
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass


def tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class StopFlag:
    """Set by SIGTERM/SIGINT in a worker process."""

    def __init__(self):
        self.stop = False
        signal.signal(signal.SIGTERM, self._set)
        signal.signal(signal.SIGINT, self._set)

    def _set(self, *_):
        self.stop = True


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f)
    os.rename(tmp, path)


# ===========================================================================
# legitimate clients (one process, one thread per client: they spend their
# time waiting for replies)

class Closed(Exception):
    pass


class LineConn:
    """A blocking client connection reading "CODE text" replies."""

    def __init__(self, port, use_tls):
        sock = socket.create_connection((HOST, port), timeout=REPLY_TIMEOUT)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if use_tls:
            try:
                sock = tls_context().wrap_socket(sock)
            except Exception:
                sock.close()
                raise
        self.sock = sock
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def read_line(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no reply")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise TimeoutError("no reply")
            except ssl.SSLError as e:
                raise Closed(str(e))
            except OSError as e:
                raise Closed(str(e))
            if not chunk:
                raise Closed("closed by the daemon")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("utf-8", "replace")

    def read_reply(self, timeout=REPLY_TIMEOUT):
        deadline = time.monotonic() + timeout
        lines = []
        while True:
            line = self.read_line(deadline)
            lines.append(line)
            if not re.match(r"^\d{3}-", line):
                return "\n".join(lines)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class LegitStats:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples = collections.defaultdict(list)   # kind -> [(t0, rtt)]
        self.acks = []          # [channel, report id]
        self.counts = collections.Counter()
        self.errors = collections.Counter()             # "kind: reply" -> n

    def sample(self, kind, t0, rtt):
        with self.lock:
            self.samples[kind].append((t0, rtt))

    def count(self, what, n=1):
        with self.lock:
            self.counts[what] += n

    def error(self, what):
        with self.lock:
            self.errors[what[:120]] += 1

    def ack(self, channel, rid):
        with self.lock:
            self.acks.append([channel, rid])


def pause(stop, seconds):
    end = time.monotonic() + seconds
    while not stop.stop and time.monotonic() < end:
        time.sleep(min(0.05, max(0.0, end - time.monotonic())))


def legit_ilp(stop, st, idx, port, use_tls, token, run, interval, hard_end):
    name = "ilp%d" % idx
    conn = None
    n = 0
    while not stop.stop and time.monotonic() < hard_end:
        if conn is None:
            try:
                conn = LineConn(port, use_tls)
                g = conn.read_reply()
                if not g.startswith("220"):
                    raise Closed("greeting %r" % g)
                conn.send(("AUTH %s\r\n" % token).encode())
                r = conn.read_reply()
                if not r.startswith("235"):
                    raise Closed("AUTH %r" % r)
                st.count("ilp connects")
            except (OSError, Closed, TimeoutError, ssl.SSLError) as e:
                st.count("ilp connect failures")
                st.error("ilp connect: %s" % e)
                if conn is not None:
                    conn.close()
                conn = None
                pause(stop, 0.5)
                continue
        ext = "%s-%s-%d" % (run, name, n)
        line = ("REPORT category=scan external-id=%s description=soak%%20%s"
                "%%20%s%%20report%%20%d\r\n" % (ext, run, name, n)).encode()
        t0 = time.monotonic()
        try:
            conn.send(line)
            r = conn.read_reply()
        except (OSError, Closed, TimeoutError, ssl.SSLError) as e:
            st.sample("ilp", t0, time.monotonic() - t0)
            st.count("ilp cut or timed out")
            st.error("ilp REPORT: %s" % e)
            conn.close()
            conn = None
            pause(stop, 0.2)
            continue            # the same external-id again: no duplicate
        st.sample("ilp", t0, time.monotonic() - t0)
        m = ILP_REPLY_RE.match(r)
        if m:
            st.ack("ilp", m.group(1))
            st.count("ilp acknowledged")
            n += 1
        elif r.startswith("4"):
            st.count("ilp 4xx")
            st.error("ilp REPORT: %s" % r)
            if r.startswith("421"):
                conn.close()
                conn = None
        else:
            st.count("ilp other replies")
            st.error("ilp REPORT: %s" % r)
            n += 1
        pause(stop, interval)
    if conn is not None:
        try:
            conn.send(b"QUIT\r\n")
            conn.read_reply(2)
        except (OSError, Closed, TimeoutError, ssl.SSLError):
            pass
        conn.close()


def small_message(run, name, n):
    msgid = "%s.%s.%d@client.soak.example" % (run, name, n)
    return ("From: reporter-%s@isp.example\r\n"
            "To: %s\r\n"
            "Subject: soak %s %s message %d\r\n"
            "Date: Sat, 21 Nov 2026 10:00:00 +0700\r\n"
            "Message-ID: <%s>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "Soak run %s, client %s, message %d: a port scan from\r\n"
            "198.51.100.%d seen at our edge.\r\n"
            ".\r\n" % (name, MAILBOX, run, name, n, msgid, run, name, n,
                       n % 250 + 1)).encode()


def legit_smtp(stop, st, idx, port, use_tls, run, interval, hard_end):
    name = "smtp%d" % idx
    conn = None
    n = 0
    while not stop.stop and time.monotonic() < hard_end:
        if conn is None:
            try:
                conn = LineConn(port, use_tls)
                g = conn.read_reply()
                if not g.startswith("220"):
                    raise Closed("greeting %r" % g)
                conn.send(b"EHLO legit.soak.example\r\n")
                r = conn.read_reply()
                if not r.startswith("250"):
                    raise Closed("EHLO %r" % r)
                st.count("smtp connects")
            except (OSError, Closed, TimeoutError, ssl.SSLError) as e:
                st.count("smtp connect failures")
                st.error("smtp connect: %s" % e)
                if conn is not None:
                    conn.close()
                conn = None
                pause(stop, 0.5)
                continue
        steps = [(b"MAIL FROM:<reporter-%s@isp.example>\r\n" % name.encode(),
                  "250", "MAIL"),
                 (("RCPT TO:<%s>\r\n" % MAILBOX).encode(), "250", "RCPT"),
                 (b"DATA\r\n", "354", "DATA"),
                 (small_message(run, name, n), "250", "end of data")]
        tx0 = time.monotonic()
        ok = True
        for data, want, what in steps:
            t0 = time.monotonic()
            try:
                conn.send(data)
                r = conn.read_reply()
            except (OSError, Closed, TimeoutError, ssl.SSLError) as e:
                dt = time.monotonic() - t0
                st.sample("smtp", t0, dt)
                if what == "end of data":
                    st.sample("smtp_ack", t0, dt)
                st.count("smtp cut or timed out")
                st.error("smtp %s: %s" % (what, e))
                conn.close()
                conn = None
                ok = False
                break
            dt = time.monotonic() - t0
            st.sample("smtp", t0, dt)
            if what == "end of data":
                st.sample("smtp_ack", t0, dt)
            if not r.startswith(want):
                st.count("smtp 4xx" if r.startswith("4") else
                         "smtp other replies")
                st.error("smtp %s: %s" % (what, r.split("\n")[0]))
                ok = False
                if r.startswith("421"):
                    conn.close()
                    conn = None
                elif what != "end of data":
                    try:
                        conn.send(b"RSET\r\n")
                        conn.read_reply()
                    except (OSError, Closed, TimeoutError, ssl.SSLError):
                        conn.close()
                        conn = None
                break
            if what == "end of data":
                m = SMTP_ACCEPT_RE.match(r)
                if m:
                    st.ack("smtp", m.group(1))
                    st.count("smtp acknowledged")
                else:
                    st.count("smtp other replies")
                    st.error("smtp end of data: %s" % r.split("\n")[0])
        if ok:
            st.sample("smtp_tx", tx0, time.monotonic() - tx0)
            n += 1
        pause(stop, interval)
    if conn is not None:
        try:
            conn.send(b"QUIT\r\n")
            conn.read_reply(2)
        except (OSError, Closed, TimeoutError, ssl.SSLError):
            pass
        conn.close()


def worker_legit(args):
    stop = StopFlag()
    st = LegitStats()
    hard_end = time.monotonic() + args["max_seconds"]
    interval = args["interval"]
    ths = []
    for i in range(4):
        use_tls = i >= 2
        port = args["ports"]["line_tls" if use_tls else "line"]
        ths.append(threading.Thread(
            target=legit_ilp, daemon=True,
            args=(stop, st, i, port, use_tls, args["token"], args["run"],
                  interval, hard_end)))
    for i in range(2):
        use_tls = i == 1
        port = args["ports"]["smtp_tls" if use_tls else "smtp"]
        ths.append(threading.Thread(
            target=legit_smtp, daemon=True,
            args=(stop, st, i, port, use_tls, args["run"], interval,
                  hard_end)))
    for t in ths:
        t.start()
    while not stop.stop and time.monotonic() < hard_end:
        time.sleep(0.1)
    stop.stop = True
    for t in ths:
        t.join(REPLY_TIMEOUT + 5)
    with st.lock:
        write_json(args["out"], {
            "samples": st.samples, "acks": st.acks,
            "counts": dict(st.counts), "errors": dict(st.errors),
            "threads_alive": sum(1 for t in ths if t.is_alive())})


# ===========================================================================
# attack: one selector loop per process, non-blocking sockets, timers

class Loop:
    def __init__(self, stop, seconds):
        self.sel = selectors.DefaultSelector()
        self.timers = []
        self.seq = 0
        self.stop = stop
        self.end = time.monotonic() + seconds
        self.stats = collections.Counter()
        self.lifetimes = []         # seconds a connection lived until the
                                    # daemon closed it

    def at(self, when, fn, *a):
        self.seq += 1
        heapq.heappush(self.timers, (when, self.seq, fn, a))

    def after(self, delay, fn, *a):
        self.at(time.monotonic() + delay, fn, *a)

    def run(self):
        while not self.stop.stop and time.monotonic() < self.end:
            now = time.monotonic()
            while self.timers and self.timers[0][0] <= now:
                _, _, fn, a = heapq.heappop(self.timers)
                fn(*a)
            timeout = 0.2
            if self.timers:
                timeout = max(0.0, min(timeout, self.timers[0][0] - now))
            for key, ev in self.sel.select(timeout):
                key.data.on_event(ev)
        for key in list(self.sel.get_map().values()):
            key.data.close(by_us=True)


class Conn:
    """One non-blocking attack connection, optionally TLS over memory BIOs.

    Subclasses set on_ready (connected and, for TLS, handshake done),
    on_data (application bytes from the daemon) and on_closed."""

    def __init__(self, loop, target, tls_handshake=True, read=True):
        self.loop = loop
        self.name, self.port, self.tls, self.proto = target
        self.do_tls = self.tls and tls_handshake
        self.read = read
        self.out = b""
        self.closed = False
        self.connected = False
        self.t_open = time.monotonic()
        self.first = b""
        self.sslobj = None
        self.hs_done = False
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        loop.stats["attempted"] += 1
        loop.stats["attempted " + self.name] += 1
        try:
            self.sock.connect((HOST, self.port))
        except BlockingIOError:
            pass
        except OSError as e:
            loop.stats["connect errors"] += 1
            loop.stats["connect error %s" % errno.errorcode.get(e.errno, e.errno)] += 1
            self.sock.close()
            self.closed = True
            loop.after(0.2, self.on_closed, False)
            return
        self.mask = selectors.EVENT_WRITE
        loop.sel.register(self.sock, self.mask, self)

    # -- plumbing ------------------------------------------------------
    def _set_mask(self):
        if self.closed:
            return
        m = 0
        if self.read and self.connected:
            m |= selectors.EVENT_READ
        if not self.connected or self.out:
            m |= selectors.EVENT_WRITE
        if m == 0:
            # nothing to read or write: only a closed or reset socket
            # would wake us, and a writer learns that from send()
            m = selectors.EVENT_READ if self.read else selectors.EVENT_WRITE
        if m != self.mask:
            self.mask = m
            self.loop.sel.modify(self.sock, m, self)

    def on_event(self, ev):
        if self.closed:
            return
        if not self.connected:
            err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                self.loop.stats["connect errors"] += 1
                self._gone(daemon=False)
                return
            self.connected = True
            self.loop.stats["connected"] += 1
            if self.do_tls:
                self.inc = ssl.MemoryBIO()
                self.outb = ssl.MemoryBIO()
                self.sslobj = tls_context().wrap_bio(self.inc, self.outb)
                self._handshake()
            else:
                self.on_ready()
            self._set_mask()
            return
        if ev & selectors.EVENT_READ and self.read:
            try:
                data = self.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                data = None
            except OSError:
                self._gone(daemon=True)
                return
            if data == b"":
                self._gone(daemon=True)
                return
            if data:
                self._received(data)
                if self.closed:
                    return
        if ev & selectors.EVENT_WRITE and self.out:
            self._flush()
        self._set_mask()

    def _received(self, data):
        if self.sslobj is None:
            self._app_data(data)
            return
        self.inc.write(data)
        if not self.hs_done:
            self._handshake()
            if not self.hs_done:
                return
        while True:
            try:
                d = self.sslobj.read(65536)
            except ssl.SSLWantReadError:
                break
            except (ssl.SSLError, ssl.SSLZeroReturnError):
                self._gone(daemon=True)
                return
            if not d:
                break
            self._app_data(d)
        self._pull_tls()

    def _app_data(self, data):
        if len(self.first) < 16:
            self.first += data[:16]
            if self.first.startswith(b"421"):
                self.loop.stats["refused 421"] += 1
        self.on_data(data)

    def _handshake(self):
        try:
            self.sslobj.do_handshake()
            self.hs_done = True
        except ssl.SSLWantReadError:
            pass
        except ssl.SSLError:
            self.loop.stats["tls handshake failed"] += 1
            self._pull_tls()
            self._gone(daemon=True)
            return
        self._pull_tls()
        if self.hs_done:
            self.loop.stats["tls handshakes"] += 1
            self.on_ready()

    def _pull_tls(self):
        if self.sslobj is not None:
            pending = self.outb.read()
            if pending:
                self.out += pending
                self._flush()

    def _flush(self):
        while self.out and not self.closed:
            try:
                n = self.sock.send(self.out[:65536])
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self._gone(daemon=True)
                return
            self.loop.stats["bytes sent"] += n
            self.out = self.out[n:]
            self.progress = time.monotonic()
        self._set_mask()

    def write(self, data):
        """Queue application bytes (through TLS when there is TLS)."""
        if self.closed:
            return
        if self.sslobj is not None:
            try:
                self.sslobj.write(data)
            except ssl.SSLError:
                self._gone(daemon=True)
                return
            self._pull_tls()
        else:
            self.out += data
            self._flush()

    def _gone(self, daemon):
        if self.closed:
            return
        if daemon:
            self.loop.stats["closed by the daemon"] += 1
            self.loop.lifetimes.append(time.monotonic() - self.t_open)
        self.close(by_us=False)
        self.on_closed(daemon)

    def close(self, by_us=True, reset=False):
        if self.closed:
            return
        self.closed = True
        if by_us:
            self.loop.stats["closed by us"] += 1
        try:
            self.loop.sel.unregister(self.sock)
        except (KeyError, ValueError):
            pass
        if reset:
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                     b"\x01\x00\x00\x00\x00\x00\x00\x00")
            except OSError:
                pass
        try:
            self.sock.close()
        except OSError:
            pass

    # -- subclass hooks --------------------------------------------------
    def on_ready(self):
        pass

    def on_data(self, data):
        pass

    def on_closed(self, by_daemon):
        pass


# -- slowloris ----------------------------------------------------------------

class Slowloris(Conn):
    def __init__(self, loop, target, rng):
        self.rng = rng
        unfinished = rng.random() < 0.5
        if target[3] == "ilp":
            self.text = (b"REPORT category=scan description=" + b"a" * 4096
                         if unfinished else b"PING\r\n" * 1000)
        else:
            self.text = (b"NOOP " + b"a" * 4096 if unfinished else
                         b"EHLO slow.soak.example\r\n" +
                         b"NOOP\r\n" * 1000)
        self.pos = 0
        super().__init__(loop, target)

    def on_ready(self):
        self.loop.after(self.rng.uniform(0.5, 2.0), self.drip)

    def drip(self):
        if self.closed:
            return
        if self.pos >= len(self.text):
            self.pos = 0
        self.write(self.text[self.pos:self.pos + 1])
        self.pos += 1
        self.loop.after(self.rng.uniform(1.5, 3.0), self.drip)

    def on_closed(self, by_daemon):
        self.loop.after(0.5, Slowloris, self.loop, (self.name, self.port,
                                                      self.tls, self.proto),
                        self.rng)


def attack_slowloris(loop, targets, rng, per_port):
    for t in targets:
        for i in range(per_port):
            loop.after(i * 0.02, Slowloris, loop, t, rng)


# -- flood ------------------------------------------------------------------

class Flooder(Conn):
    STALL_SECONDS = 30.0

    def __init__(self, loop, target, rng):
        self.rng = rng
        if target[3] == "ilp":
            self.chunk = b"PING\r\n" * 4096
        else:
            self.chunk = b"EHLO flood.soak.example\r\n" * 1000
        self.progress = time.monotonic()
        super().__init__(loop, target, read=False)

    def on_ready(self):
        self.write(self.chunk)
        self.loop.after(1.0, self.check)

    def _flush(self):
        super()._flush()
        if not self.closed and not self.out and self.connected:
            self.out = self.chunk      # never stop: the next chunk
            self.loop.stats["flood chunks"] += 1
            self._set_mask()

    def check(self):
        if self.closed:
            return
        if time.monotonic() - self.progress > self.STALL_SECONDS:
            self.loop.stats["flood stalled, replaced"] += 1
            self.close(by_us=True, reset=True)
            self.on_closed(False)
            return
        self.loop.after(1.0, self.check)

    def on_closed(self, by_daemon):
        self.loop.after(0.1, Flooder, self.loop, (self.name, self.port,
                                                    self.tls, self.proto),
                        self.rng)


def attack_flood(loop, targets, rng, per_port):
    for t in targets:
        if t[2]:
            continue            # plain ports only
        for i in range(per_port):
            loop.after(i * 0.05, Flooder, loop, t, rng)


# -- silent TLS ------------------------------------------------------------------

class Silent(Conn):
    def __init__(self, loop, target):
        super().__init__(loop, target, tls_handshake=False)

    def on_closed(self, by_daemon):
        self.loop.after(0.2, Silent, self.loop, (self.name, self.port,
                                                   self.tls, self.proto))


def attack_silent_tls(loop, targets, rng, per_port):
    for t in targets:
        if not t[2]:
            continue
        for i in range(per_port):
            loop.after(i * 0.02, Silent, loop, t)


# -- half-open ---------------------------------------------------------------------

class HalfOpen(Conn):
    open_now = 0
    OPEN_MAX = 200

    def __init__(self, loop, target, rng):
        self.rng = rng
        self.mode = rng.choice(("shut_wr", "shut_wr", "reset", "close"))
        self.counted = False
        super().__init__(loop, target, tls_handshake=False)

    def on_ready(self):
        if self.mode == "shut_wr":
            if HalfOpen.open_now >= self.OPEN_MAX:
                self.loop.stats["half-open over our cap, closed"] += 1
                self.close(by_us=True, reset=True)
                return
            HalfOpen.open_now += 1
            self.counted = True
            if self.tls:
                self.out = client_hello()[:50]
                self._flush()
            try:
                self.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            self.loop.stats["half-open shut_wr"] += 1
        elif self.mode == "reset":
            self.out = b"\x16\x03\x01" if self.tls else \
                (b"REPO" if self.proto == "ilp" else b"MAIL FR")
            self._flush()
            self.loop.after(self.rng.uniform(0.0, 1.0), self._reset)
        else:
            self.loop.stats["half-open vanished"] += 1
            self.close(by_us=True)

    def _reset(self):
        if not self.closed:
            self.loop.stats["half-open reset"] += 1
            self.close(by_us=True, reset=True)

    def close(self, by_us=True, reset=False):
        if self.counted:
            HalfOpen.open_now -= 1
            self.counted = False
        super().close(by_us, reset)


_HELLO = []


def client_hello():
    """The first flight of a TLS client (a ClientHello), from memory BIOs."""
    if not _HELLO:
        inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = tls_context().wrap_bio(inc, out)
        try:
            obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        _HELLO.append(out.read())
    return _HELLO[0]


def attack_halfopen(loop, targets, rng, rate):
    def tick():
        for _ in range(rate // 10):
            HalfOpen(loop, rng.choice(targets), rng)
        loop.after(0.1, tick)
    loop.after(0.0, tick)


# -- reconnect storm -----------------------------------------------------------------

class StormConn(Conn):
    def __init__(self, loop, target, rng):
        self.mode = "greet" if (not target[2] and rng.random() < 0.5) \
            else "reset"
        super().__init__(loop, target, tls_handshake=False)
        if not self.closed:
            loop.after(2.0, self._expire)

    def on_ready(self):
        if self.mode == "reset":
            self.close(by_us=True, reset=True)

    def on_data(self, data):
        self.close(by_us=True)

    def _expire(self):
        if not self.closed:
            self.loop.stats["storm: no greeting within 2s"] += 1
            self.close(by_us=True, reset=True)


def attack_storm(loop, targets, rng, burst):
    def tick():
        for i in range(burst):
            StormConn(loop, targets[i % len(targets)], rng)
        loop.after(1.0, tick)
    loop.after(0.0, tick)


ATTACKS = {
    "slowloris": (attack_slowloris, 60),
    "flood": (attack_flood, 8),
    "silent-tls": (attack_silent_tls, 50),
    "half-open": (attack_halfopen, 40),
    "storm": (attack_storm, 80),
}


def worker_attack(args):
    stop = StopFlag()
    raise_nofile()
    rng = random.Random(args["seed"])
    p = args["ports"]
    targets = [("line", p["line"], False, "ilp"),
               ("line_tls", p["line_tls"], True, "ilp"),
               ("smtp", p["smtp"], False, "smtp"),
               ("smtp_tls", p["smtp_tls"], True, "smtp")]
    loop = Loop(stop, args["max_seconds"])
    fn, param = ATTACKS[args["kind"]]
    fn(loop, targets, rng, param)
    try:
        loop.run()
    finally:
        write_json(args["out"], {"kind": args["kind"],
                                 "stats": dict(loop.stats),
                                 "lifetimes": loop.lifetimes})


# ===========================================================================
# the daemon

def free_ports(n):
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind((HOST, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def soak_config(data_dir, ports):
    return """# intaked soak configuration (tests/soak/soak.py): everything comes
# from 127.0.0.1, so per-IP caps are high and the daemon's time limits are
# what bounds the attack.
[daemon]
data_dir = %(data)s
log_level = info

[tls]
handshake_timeout = 5s
handshake_rate = 1000

[line]
listen = 127.0.0.1:%(line)d
tls_listen = 127.0.0.1:%(line_tls)d
require_auth = yes
idle_timeout = 5s
auth_timeout = 5s
max_sessions = 4096
max_per_ip = 4000

[smtp]
listen = 127.0.0.1:%(smtp)d
tls_listen = 127.0.0.1:%(smtp_tls)d
hostname = %(host)s
mailboxes = %(mailbox)s
idle_timeout = 5s
max_sessions = 2048
max_per_ip = 2000

[http]
listen =

[dedup]
window = 24h
""" % dict(ports, data=data_dir, host=HOSTNAME, mailbox=MAILBOX)


class Daemon:
    def __init__(self, bindir, tmp, ports):
        self.intaked = os.path.join(bindir, "intaked")
        self.intakectl = os.path.join(bindir, "intakectl")
        self.tmp = tmp
        self.ports = ports
        self.conf = os.path.join(tmp, "intaked.conf")
        self.log_path = os.path.join(tmp, "intaked.log")
        with open(self.conf, "w") as f:
            f.write(soak_config(os.path.join(tmp, "var"), ports))
        self.proc = None
        self.logf = open(self.log_path, "ab")

    def start(self):
        self.proc = subprocess.Popen([self.intaked, "-c", self.conf],
                                     stdin=subprocess.DEVNULL,
                                     stdout=self.logf, stderr=self.logf,
                                     start_new_session=True)
        CHILDREN.append(self.proc)
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                c = LineConn(self.ports["line"], False)
                try:
                    if c.read_reply(2).startswith("220"):
                        c.send(b"QUIT\r\n")
                        return True
                finally:
                    c.close()
            except (OSError, Closed, TimeoutError):
                pass
            time.sleep(0.1)
        return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=30):
        """SIGTERM; the exit status, or None when it had to be killed."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return None
        return self.proc.returncode

    def rss_kb(self):
        return self._status_kb("VmRSS")

    def hwm_kb(self):
        return self._status_kb("VmHWM")

    def _status_kb(self, key):
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith(key + ":"):
                        return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return None

    def ctl(self, *args, timeout=60):
        return subprocess.run([self.intakectl, "-c", self.conf] + list(args),
                              stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, errors="replace", timeout=timeout)

    def log_tail(self, n=20):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join(lines[-n:])
        except OSError:
            return ""


def exit_text(rc):
    if rc is not None and rc < 0:
        return "exited by itself: killed by signal %d" % -rc
    return "exited by itself with status %s" % rc


def check_ids(d, ids):
    """IDs that `intakectl show ID --json` does not find (4 at a time)."""

    def one(rid):
        why = "?"
        for attempt in range(3):
            try:
                r = d.ctl("show", rid, "--json")
            except subprocess.TimeoutExpired:
                why = "intakectl timed out"
                continue
            if r.returncode == 0:
                try:
                    obj = json.loads(r.stdout)
                except ValueError:
                    obj = None
                if isinstance(obj, dict) and obj.get("id") == rid:
                    return None
                return "%s: unexpected output %r" % (rid, r.stdout[:200])
            why = "exit %d: %s" % (r.returncode,
                                   (r.stderr or r.stdout).strip()[:200])
            if r.returncode == 1:
                break           # 1: not found (2 would be e.g. a busy file)
            time.sleep(0.2)
        return "%s: %s" % (rid, why)

    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        return [m for m in ex.map(one, ids) if m]


# ===========================================================================
# figures

def pct(values, p):
    """Nearest-rank percentile."""
    if not values:
        return None
    v = sorted(values)
    k = max(0, min(len(v) - 1, math.ceil(p / 100.0 * len(v)) - 1))
    return v[k]


def ms(x):
    return "-" if x is None else "%.1f" % (x * 1000.0)


def rtt_line(label, samples):
    vals = [r for _, r in samples]
    return ("%-44s n=%-6d p50 %7s  p99 %7s  max %7s ms"
            % (label, len(vals), ms(pct(vals, 50)), ms(pct(vals, 99)),
               ms(max(vals) if vals else None)))


# every process started here, stopped by main() whatever happens
CHILDREN = []


def spawn_worker(role, args, tmp):
    path = os.path.join(tmp, "args-%s.json" % args.get("kind", role))
    with open(path, "w") as f:
        json.dump(args, f)
    p = subprocess.Popen([sys.executable, os.path.abspath(__file__),
                          "--worker", role, path], stdin=subprocess.DEVNULL)
    CHILDREN.append(p)
    return p


def stop_workers(procs, timeout=15):
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    end = time.monotonic() + timeout
    for p in procs:
        try:
            p.wait(max(0.1, end - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def main():
    """run_soak(), and whatever happens (an error, Ctrl-C, SIGTERM, SIGHUP)
    no process it started outlives it."""

    def bye(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, bye)
    signal.signal(signal.SIGHUP, bye)
    try:
        return run_soak()
    finally:
        for p in CHILDREN:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        end = time.monotonic() + 10
        for p in CHILDREN:
            try:
                p.wait(max(0.1, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def run_soak():
    seconds = float(os.environ.get("SOAK_SECONDS", "120"))
    bindir = os.environ.get("INTAKED_BIN", "bin")
    interval = float(os.environ.get("SOAK_LEGIT_INTERVAL_MS", "100")) / 1000.0
    keep = os.environ.get("SOAK_KEEP") == "1"
    rss_abort_kb = float(os.environ.get("SOAK_RSS_ABORT_MB", "4096")) * 1024
    kinds = [k.strip() for k in
             os.environ.get("SOAK_ATTACKS", ",".join(ATTACKS)).split(",")
             if k.strip()]
    for k in kinds:
        if k not in ATTACKS:
            log("SOAK_ATTACKS: unknown attack %r (known: %s)"
                % (k, ", ".join(ATTACKS)))
            return 2
    for b in ("intaked", "intakectl"):
        if not os.access(os.path.join(bindir, b), os.X_OK):
            log("%s/%s not found (build it, or set INTAKED_BIN)" % (bindir, b))
            return 2
    raise_nofile()
    tmp = tempfile.mkdtemp(prefix="intaked-soak-")
    p = free_ports(4)
    ports = {"line": p[0], "line_tls": p[1], "smtp": p[2], "smtp_tls": p[3]}
    run = "S%d" % int(time.time())
    d = Daemon(bindir, tmp, ports)
    problems = []
    died = None

    log("intaked from %s, data in %s, %.0f s of attack" % (bindir, tmp,
                                                          seconds))
    if not d.start():
        log("intaked did not start; log:\n" + d.log_tail())
        return 1
    r = d.ctl("token", "add", "soak-legit", "--role", "submitter")
    m = re.search(r"itk_[A-Za-z0-9_-]+", r.stdout)
    if r.returncode != 0 or not m:
        log("token add failed: %r %r" % (r.stdout, r.stderr))
        d.stop()
        return 1
    token = m.group(0)
    log("intaked pid %d" % d.proc.pid)

    rss = []                    # (t, kB)
    stop_sampler = threading.Event()

    def sampler():
        nonlocal died
        while not stop_sampler.is_set():
            if not d.alive():
                if died is None:
                    died = exit_text(d.proc.returncode)
                return
            kb = d.rss_kb()
            if kb is not None:
                rss.append((time.monotonic(), kb))
            stop_sampler.wait(1.0)

    sth = threading.Thread(target=sampler, daemon=True)
    sth.start()

    max_run = seconds + BASELINE_SECONDS + 30
    legit_out = os.path.join(tmp, "legit.json")
    legit = spawn_worker("legit", {
        "ports": ports, "token": token, "run": run, "interval": interval,
        "max_seconds": max_run, "out": legit_out}, tmp)
    time.sleep(BASELINE_SECONDS)
    t_attack = time.monotonic()
    attackers = []
    for i, kind in enumerate(kinds):
        out = os.path.join(tmp, "attack-%s.json" % kind)
        attackers.append((kind, out, spawn_worker("attack", {
            "kind": kind, "ports": ports, "seed": i + 1,
            "max_seconds": seconds + 5, "out": out}, tmp)))
    end = t_attack + seconds
    next_note = t_attack + 10
    rss_aborted = False
    while time.monotonic() < end and died is None:
        time.sleep(0.2)
        if rss and rss[-1][1] > rss_abort_kb:
            rss_aborted = True
            log("daemon RSS %.0f MB over SOAK_RSS_ABORT_MB: attack stopped "
                "early" % (rss[-1][1] / 1024.0))
            break
        if time.monotonic() >= next_note:
            next_note += 10
            kb = rss[-1][1] if rss else 0
            log("%3.0f s: daemon RSS %.1f MB" % (time.monotonic() - t_attack,
                                                 kb / 1024.0))
    t_attack_end = time.monotonic()
    stop_workers([a[2] for a in attackers])
    # the legitimate clients go on for a moment after the attack, then stop
    time.sleep(1.0)
    stop_workers([legit], timeout=REPLY_TIMEOUT + 10)
    stop_sampler.set()
    sth.join(5)
    hwm = d.hwm_kb() if d.alive() else None
    if died is None and not d.alive():
        died = exit_text(d.proc.returncode)

    lg = read_json(legit_out) or {}
    if not lg:
        problems.append("the legitimate clients left no results")
    acks = lg.get("acks", [])
    ids = sorted(set(rid for _, rid in acks))
    attacks = {kind: read_json(out) or {} for kind, out, _ in attackers}

    # every acknowledged report, daemon running, then after SIGTERM+restart
    log("checking %d acknowledged report IDs with intakectl show" % len(ids))
    lost_running = check_ids(d, ids)
    rc = d.stop()
    if died is None and rc != 0:
        died = ("exit status %s on SIGTERM" % rc) if rc is not None else \
            "still running 30 s after SIGTERM (killed)"
    lost_restart = []
    restarted = d.start()
    if not restarted:
        problems.append("intaked did not start again after the SIGTERM")
        if died is None:
            died = "could not be restarted"
        lost_restart = check_ids(d, ids)  # intakectl reads the file anyway
    else:
        lost_restart = check_ids(d, ids)
        rc2 = d.stop()
        if rc2 != 0:
            problems.append("second SIGTERM: exit status %s" % rc2)
            if died is None:
                died = "exit status %s on the second SIGTERM" % rc2
    lost = sorted(set(x.split(":")[0] for x in lost_running + lost_restart))

    # -- report ------------------------------------------------------------
    samples = lg.get("samples", {})

    def window(kind, a, b):
        return [s for s in samples.get(kind, []) if a <= s[0] < b]

    during = {k: window(k, t_attack, t_attack_end)
              for k in ("ilp", "smtp", "smtp_ack", "smtp_tx")}
    before = {k: window(k, 0, t_attack) for k in ("ilp", "smtp_ack")}
    counts = lg.get("counts", {})
    peak_kb = max([kb for _, kb in rss] + [hwm or 0]) if rss else (hwm or 0)
    first_kb = rss[0][1] if rss else 0
    last_kb = rss[-1][1] if rss else 0

    out = []
    out.append("intaked soak: %.0f s of attack from 127.0.0.1, bin=%s"
               % (t_attack_end - t_attack, bindir))
    out.append("legitimate round trips during the attack:")
    out.append("  " + rtt_line("ILP REPORT -> 250 (4 clients)",
                               during["ilp"]))
    out.append("  " + rtt_line("SMTP end of DATA -> 250 (2 clients)",
                               during["smtp_ack"]))
    out.append("  " + rtt_line("SMTP every command", during["smtp"]))
    out.append("  " + rtt_line("SMTP whole transaction (4 round trips)",
                               during["smtp_tx"]))
    out.append("legitimate round trips before the attack (baseline, %d s):"
               % BASELINE_SECONDS)
    out.append("  " + rtt_line("ILP REPORT -> 250", before["ilp"]))
    out.append("  " + rtt_line("SMTP end of DATA -> 250", before["smtp_ack"]))
    errs = lg.get("errors", {})
    out.append("legitimate trouble: ILP 4xx %d, cut/timed out %d, connect "
               "failures %d; SMTP 4xx %d, cut/timed out %d, connect "
               "failures %d; other replies %d"
               % (counts.get("ilp 4xx", 0), counts.get("ilp cut or timed out", 0),
                  counts.get("ilp connect failures", 0),
                  counts.get("smtp 4xx", 0),
                  counts.get("smtp cut or timed out", 0),
                  counts.get("smtp connect failures", 0),
                  counts.get("ilp other replies", 0) +
                  counts.get("smtp other replies", 0)))
    for e, n in sorted(errs.items(), key=lambda x: -x[1])[:8]:
        out.append("    %5d x %s" % (n, e))
    n_ilp = sum(1 for c, _ in acks if c == "ilp")
    out.append("acknowledged reports: %d (ILP %d, SMTP %d; %d distinct IDs)"
               % (len(acks), n_ilp, len(acks) - n_ilp, len(ids)))
    out.append("lost reports: %d (intakectl show, daemon running: %d "
               "missing; after SIGTERM and restart: %d missing)"
               % (len(lost), len(lost_running), len(lost_restart)))
    for x in (lost_running + lost_restart)[:10]:
        out.append("    " + x)
    out.append("daemon RSS: peak %.1f MB (VmHWM %s), at start %.1f MB, at "
               "the end %.1f MB, %d samples"
               % (peak_kb / 1024.0,
                  "%.1f MB" % (hwm / 1024.0) if hwm else "-",
                  first_kb / 1024.0, last_kb / 1024.0, len(rss)))
    total = 0
    parts = []
    for kind, res in attacks.items():
        stt = res.get("stats", {})
        total += stt.get("attempted", 0)
        lt = res.get("lifetimes", [])
        parts.append("  %-10s attempted %6d, connected %6d, refused 421 "
                     "%5d, closed by the daemon %6d%s"
                     % (kind, stt.get("attempted", 0),
                        stt.get("connected", 0), stt.get("refused 421", 0),
                        stt.get("closed by the daemon", 0),
                        (", lived p50 %.1f s max %.1f s"
                         % (pct(lt, 50), max(lt))) if lt else ""))
    out.append("attack connections attempted: %d" % total)
    out.extend(parts)
    if rss_aborted:
        out.append("attack stopped early: daemon RSS over SOAK_RSS_ABORT_MB "
                   "(%.0f MB)" % (rss_abort_kb / 1024.0))
    if died:
        out.append("DAEMON DIED: %s" % died)
    for pr in problems:
        out.append("problem: " + pr)

    def p99(kind):
        v = [r for _, r in during[kind]]
        return pct(v, 99)

    p99s = [p99("ilp"), p99("smtp_ack")]
    lat_ok = all(x is not None and x * 1000 < TARGET_P99_MS for x in p99s)
    out.append("targets:")
    out.append("  legitimate p99 < %.0f ms:  %s (ILP %s ms, SMTP %s ms)"
               % (TARGET_P99_MS, "met" if lat_ok else "MISSED",
                  ms(p99s[0]), ms(p99s[1])))
    out.append("  daemon RSS < %.0f MB:     %s (peak %.1f MB)"
               % (TARGET_RSS_MB,
                  "met" if peak_kb / 1024.0 < TARGET_RSS_MB else "MISSED",
                  peak_kb / 1024.0))
    out.append("  0 lost reports:          %s (%d lost of %d)"
               % ("met" if not lost and ids else "MISSED", len(lost),
                  len(ids)))
    print("\n".join(out))
    sys.stdout.flush()

    failed = bool(lost) or died is not None
    if failed or problems or keep:
        log("kept %s (intaked.log, intaked.conf, worker results)" % tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    if failed and d.log_tail():
        log("last lines of the daemon's log:\n" + d.log_tail())
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        with open(sys.argv[3]) as f:
            wargs = json.load(f)
        if sys.argv[2] == "legit":
            worker_legit(wargs)
        else:
            worker_attack(wargs)
        sys.exit(0)
    sys.exit(main())
