"""harness.py - black-box test harness for intaked (see tests/daemon/run.py).

Written from /work/shared/SPEC.md only: it starts bin/intaked on a private
temporary data directory and loopback ports, talks ILP/1 to it over plain TCP
or TLS, and asks bin/intakectl what the store holds.

    with Daemon() as d:
        tok = d.token("partner-a")
        c = d.client()            # IlpClient on the plain line port
        assert c.auth(tok) == "235 authenticated partner-a"
        r = parse_report_reply(c.report(category="spam", source_ip="192.0.2.1"))
        rep = d.show(r.rid)       # intakectl show IR-... --json

Environment:
    INTAKED_BIN         directory holding intaked and intakectl (default "bin")
    INTAKED_TIME_SCALE  multiply every wait (default 1, or 3 when the binaries
                        come from a sanitizer build directory)
"""

import collections
import json
import os
import re
import shutil
import signal as _signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse

__all__ = [
    "Skip", "Daemon", "IlpClient", "ConnectionClosed", "parse_report_reply",
    "report_line", "Raw", "id_key", "scale", "expect", "expect_eq",
    "wait_until", "bin_dir", "Pipeliner", "pipeline", "make_cert",
    "cert_fingerprint_pem", "openssl_available", "ReportReply",
    "https_request",
]


class Skip(Exception):
    """Raised by a test that cannot run here; the runner prints SKIP."""


class ConnectionClosed(Exception):
    """The server closed the connection before a complete reply line."""


def bin_dir():
    return os.environ.get("INTAKED_BIN", "bin")


def _time_scale():
    v = os.environ.get("INTAKED_TIME_SCALE")
    if v:
        return max(float(v), 0.1)
    return 3.0 if "san" in bin_dir() else 1.0


TIME_SCALE = _time_scale()


def scale(seconds):
    """A wait or time bound, stretched for slow (sanitizer) builds."""
    return seconds * TIME_SCALE


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


def expect_eq(got, want, what="value"):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


def wait_until(pred, timeout, interval=0.05, what="condition"):
    """Poll pred() until it returns a true value (returned) or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1fs waiting for %s"
                                 % (timeout, what))
        time.sleep(interval)


# Daemons started during the current test; the runner cleans them up.
_test_daemons = []
_runner_active = False

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "runtime error:", "ThreadSanitizer", "MemorySanitizer")


def _free_ports(n):
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class Daemon:
    """One intaked process on a private temp dir, config file and ports.

    overrides: {section: {key: value}}; value None deletes the key, a
    section mapped to None is dropped. start=False only writes the config.
    """

    def __init__(self, overrides=None, start=True, ready_timeout=10.0):
        self.bindir = bin_dir()
        self.intaked_path = os.path.join(self.bindir, "intaked")
        self.intakectl_path = os.path.join(self.bindir, "intakectl")
        if not os.access(self.intaked_path, os.X_OK):
            raise AssertionError("%s not found or not executable"
                                 % self.intaked_path)
        self.tmp = tempfile.mkdtemp(prefix="intaked-test-")
        self.data_dir = os.path.join(self.tmp, "var")
        self.conf_path = os.path.join(self.tmp, "intaked.conf")
        self.log_path = os.path.join(self.tmp, "intaked.log")
        p = _free_ports(4)
        self.ports = {"line": p[0], "tls": p[1], "smtp": p[2], "http": p[3]}
        self.config = collections.OrderedDict()
        self.config["daemon"] = collections.OrderedDict(
            [("data_dir", self.data_dir), ("log_level", "debug")])
        self.config["line"] = collections.OrderedDict(
            [("listen", "127.0.0.1:%d" % p[0]),
             ("tls_listen", "127.0.0.1:%d" % p[1]),
             ("require_auth", "yes")])
        self.config["smtp"] = collections.OrderedDict(
            [("listen", "127.0.0.1:%d" % p[2]),
             ("hostname", "mx.test.example"),
             ("mailboxes", "ir@test.example, abuse@test.example")])
        self.config["http"] = collections.OrderedDict(
            [("listen", "127.0.0.1:%d" % p[3]),
             ("public_url", "https://127.0.0.1:%d" % p[3])])
        self.config["dedup"] = collections.OrderedDict([("window", "24h")])
        for sect, keys in (overrides or {}).items():
            if keys is None:
                self.config.pop(sect, None)
                continue
            s = self.config.setdefault(sect, collections.OrderedDict())
            for k, v in keys.items():
                if v is None:
                    s.pop(k, None)
                else:
                    s[k] = str(v)
        self.write_config()
        self.proc = None
        self._logf = None
        self._expected_exit = False
        self.ready_timeout = ready_timeout
        self.starts = 0
        _test_daemons.append(self)
        if start:
            self.start()

    # -- configuration -------------------------------------------------

    def config_text(self):
        out = []
        for sect, keys in self.config.items():
            out.append("[%s]" % sect)
            for k, v in keys.items():
                out.append("%s = %s" % (k, v))
            out.append("")
        return "\n".join(out)

    def write_config(self, text=None):
        with open(self.conf_path, "w", encoding="utf-8") as f:
            f.write(self.config_text() if text is None else text)

    def conf_line_of(self, section, key):
        """1-based line number of key in section of the written config."""
        sect = None
        with open(self.conf_path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                s = line.strip()
                if s.startswith("[") and s.endswith("]"):
                    sect = s[1:-1].strip()
                elif sect == section and s.split("=", 1)[0].strip() == key:
                    return n
        raise KeyError("%s.%s not in config" % (section, key))

    # -- process -------------------------------------------------------

    def start(self, wait=True):
        if not os.access(self.intaked_path, os.X_OK):
            raise AssertionError("%s not found or not executable"
                                 % self.intaked_path)
        if self._logf is None:
            self._logf = open(self.log_path, "ab")
        self._logf.write(("=== start %d ===\n" % (self.starts + 1)).encode())
        self._logf.flush()
        self.proc = subprocess.Popen(
            [self.intaked_path, "-c", self.conf_path],
            stdin=subprocess.DEVNULL, stdout=self._logf, stderr=self._logf,
            start_new_session=True)
        self._expected_exit = False
        self.starts += 1
        if wait:
            self.wait_ready()
        return self

    def _ready_probe(self):
        line = self.config.get("line", {})
        if line.get("listen"):
            try:
                s = socket.create_connection(("127.0.0.1", self.ports["line"]),
                                             timeout=0.5)
            except OSError:
                return False
            try:
                s.settimeout(scale(2.0))
                buf = b""
                while b"\n" not in buf:
                    chunk = s.recv(4096)
                    if not chunk:
                        return False
                    buf += chunk
                if not buf.startswith(b"220"):
                    return False
                try:
                    s.sendall(b"QUIT\r\n")
                    while s.recv(4096):
                        pass
                except OSError:
                    pass
                return True
            except OSError:
                return False
            finally:
                s.close()
        for name, key, sect in (("tls", "tls_listen", "line"),
                                ("smtp", "listen", "smtp"),
                                ("http", "listen", "http")):
            if self.config.get(sect, {}).get(key):
                try:
                    socket.create_connection(("127.0.0.1", self.ports[name]),
                                             timeout=0.5).close()
                    return True
                except OSError:
                    return False
        time.sleep(0.5)
        return True

    def wait_ready(self):
        deadline = time.monotonic() + scale(self.ready_timeout)
        while True:
            rc = self.proc.poll()
            if rc is not None:
                self._expected_exit = True
                raise AssertionError(
                    "intaked exited with %s during start-up; log:\n%s"
                    % (rc, self.log_tail()))
            if self._ready_probe():
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    "intaked not accepting on its line port after %.0fs; "
                    "log:\n%s" % (scale(self.ready_timeout), self.log_tail()))
            time.sleep(0.05)

    @property
    def pid(self):
        return self.proc.pid

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=_signal.SIGTERM, timeout=10.0):
        """Send sig, wait for the exit, return the exit code (negative:
        killed by that signal). Raises if it does not exit in time."""
        if self.proc is None:
            return None
        if self.proc.poll() is not None:
            self._expected_exit = True
            return self.proc.returncode
        self._expected_exit = True
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(scale(timeout))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("intaked did not exit within %.0fs of %s"
                                 % (scale(timeout), _signal.Signals(sig).name))

    def kill9(self):
        self._expected_exit = True
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.proc is not None:
            self.proc.wait()

    def restart(self, wait=True):
        if self.running():
            self.stop()
        return self.start(wait=wait)

    def run_foreground(self, args, timeout=10.0):
        """Run intaked with args (e.g. ["-n", "-c", conf]) to completion;
        CompletedProcess (text). A process that does not exit in time is
        killed and reported."""
        try:
            return subprocess.run([self.intaked_path] + list(args),
                                  stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True,
                                  errors="replace", timeout=scale(timeout))
        except subprocess.TimeoutExpired as e:
            raise AssertionError("intaked %s still running after %.0fs "
                                 "(stderr: %r)" % (" ".join(args),
                                                   scale(timeout), e.stderr))

    # -- logs ----------------------------------------------------------

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, n=30):
        return "\n".join(self.log().splitlines()[-n:])

    def sanitizer_report(self):
        text = self.log()
        for mark in SANITIZER_MARKS:
            i = text.find(mark)
            if i >= 0:
                return text[max(0, i - 200):i + 2000]
        return None

    # -- intakectl -----------------------------------------------------

    def ctl(self, *args, timeout=30.0, input=None):
        if not os.access(self.intakectl_path, os.X_OK):
            raise AssertionError("%s not found or not executable"
                                 % self.intakectl_path)
        try:
            return subprocess.run(
                [self.intakectl_path, "-c", self.conf_path] + list(args),
                capture_output=True, text=True, encoding="utf-8",
                errors="replace", timeout=scale(timeout),
                input=input, stdin=None if input is not None else subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise AssertionError("intakectl %s did not finish in %.0fs"
                                 % (" ".join(args), scale(timeout)))

    def ctl_ok(self, *args, **kw):
        r = self.ctl(*args, **kw)
        if r.returncode != 0:
            raise AssertionError("intakectl %s exited %d: stdout=%r stderr=%r"
                                 % (" ".join(args), r.returncode,
                                    r.stdout[-2000:], r.stderr[-2000:]))
        return r

    def show(self, ident):
        """intakectl show ID --json, parsed."""
        r = self.ctl_ok("show", ident, "--json")
        try:
            obj = json.loads(r.stdout)
        except ValueError as e:
            raise AssertionError("intakectl show %s --json: not JSON (%s): %r"
                                 % (ident, e, r.stdout[:2000]))
        expect(isinstance(obj, dict), "show --json: not an object: %r" % obj)
        return obj

    def queue(self, *args):
        """intakectl queue ARGS --json: a list of incident objects, one
        JSON object per non-empty output line (JSON lines)."""
        r = self.ctl_ok("queue", *(list(args) + ["--json"]))
        out = []
        for n, line in enumerate(r.stdout.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as e:
                raise AssertionError("queue --json line %d is not JSON (%s): %r"
                                     % (n, e, line[:500]))
            expect(isinstance(obj, dict),
                   "queue --json line %d is not an object: %r" % (n, line[:500]))
            out.append(obj)
        return out

    def queue_all(self):
        return self.queue("--all")

    def report_count(self):
        """Total reports over every incident (queue --all --json)."""
        total = 0
        for inc in self.queue_all():
            expect(isinstance(inc.get("reports"), int),
                   "incident %r: reports is not an integer" % inc.get("id"))
            total += inc["reports"]
        return total

    def token(self, name, role="submitter"):
        r = self.ctl_ok("token", "add", name, "--role", role)
        m = re.search(r"itk_[A-Za-z0-9_-]+", r.stdout)
        if not m:
            raise AssertionError("token add %s: no itk_ token in stdout %r"
                                 % (name, r.stdout))
        return m.group(0)

    # -- clients -------------------------------------------------------

    def client(self, tls=False, **kw):
        return IlpClient(self.ports["tls" if tls else "line"], tls=tls, **kw)

    def authed_client(self, token, tls=False, **kw):
        c = self.client(tls=tls, **kw)
        reply = c.auth(token)
        if not reply.startswith("235 "):
            c.close()
            raise AssertionError("AUTH failed: %r" % reply)
        return c

    # -- context manager -----------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        problem = None
        if self.proc is not None:
            if self.proc.poll() is not None and not self._expected_exit:
                problem = ("intaked died during the test (exit %s); log:\n%s"
                           % (self.proc.returncode, self.log_tail()))
            elif self.proc.poll() is None:
                try:
                    rc = self.stop()
                    if rc != 0:
                        problem = ("intaked exited %s on SIGTERM at the end of "
                                   "the test; log:\n%s" % (rc, self.log_tail()))
                except AssertionError as e:
                    problem = str(e)
        san = self.sanitizer_report()
        if san and problem is None:
            problem = "sanitizer report in intaked's log:\n" + san
        if self._logf is not None:
            self._logf.close()
            self._logf = None
        if problem and exc_type is None:
            raise AssertionError(problem)
        if not _runner_active and exc_type is None and problem is None:
            self.cleanup(True)
        return False

    def cleanup(self, passed):
        """Kill a leftover process; remove the dir if the test passed."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self._logf is not None:
            self._logf.close()
            self._logf = None
        if passed:
            shutil.rmtree(self.tmp, ignore_errors=True)


# ---------------------------------------------------------------------------
# ILP/1 client

class Raw(str):
    """A REPORT value sent as is, without percent-encoding."""


def _encode_value(v):
    if isinstance(v, Raw):
        return str(v)
    if isinstance(v, bytes):
        return urllib.parse.quote_from_bytes(v, safe="")
    return urllib.parse.quote(str(v), safe="")


def report_line(*pairs, **fields):
    """'REPORT k=v ...': pairs are (name, value) tuples sent in order, then
    keyword fields ('_' -> '-'); a list or tuple value repeats the field.
    Values are percent-encoded unless wrapped in Raw."""
    items = list(pairs)
    for k, v in fields.items():
        name = k.replace("_", "-")
        if isinstance(v, (list, tuple)):
            items.extend((name, x) for x in v)
        else:
            items.append((name, v))
    return "REPORT " + " ".join("%s=%s" % (k, _encode_value(v))
                                for k, v in items)


ReportReply = collections.namedtuple("ReportReply", "rid kind iid line")
REPORT_REPLY_RE = re.compile(r"^250 (IR-[A-Za-z0-9_.-]+) (new|duplicate) "
                             r"(IN-[A-Za-z0-9_.-]+)$")


def parse_report_reply(reply):
    """'250 IR-... new|duplicate IN-...' -> ReportReply; AssertionError
    otherwise."""
    m = REPORT_REPLY_RE.match(reply or "")
    if not m:
        raise AssertionError("not a REPORT acknowledgement: %r" % (reply,))
    return ReportReply(m.group(1), m.group(2), m.group(3), reply)


def id_key(ident):
    """Sort key of an IR-/IN- ID: its groups of digits as integers."""
    return tuple(int(x) for x in re.findall(r"\d+", ident))


class IlpClient:
    """An ILP/1 client over plain TCP or implicit TLS."""

    def __init__(self, port, tls=False, host="127.0.0.1", timeout=10.0,
                 greeting=True, tls_min=None, tls_max=None, source=None,
                 ciphers=None):
        self.timeout = scale(timeout)
        src = (source, 0) if source else None
        sock = socket.create_connection((host, port), timeout=self.timeout,
                                        source_address=src)
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            if tls_min is not None:
                ctx.minimum_version = tls_min
            if tls_max is not None:
                ctx.maximum_version = tls_max
            if ciphers is not None:
                ctx.set_ciphers(ciphers)
            try:
                sock = ctx.wrap_socket(sock)
            except Exception:
                sock.close()
                raise
        self.sock = sock
        self.tls = tls
        self.buf = b""
        self.greeting = self.read_reply() if greeting else None

    # raw I/O
    def send_raw(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.sock.sendall(data)

    def send_line(self, line):
        self.send_raw(line + "\r\n" if isinstance(line, str) else line + b"\r\n")

    def _recv(self, timeout):
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(65536)
        except ConnectionResetError:
            return b""
        except ssl.SSLError as e:
            # a TLS peer that vanishes without close_notify
            if "EOF" in str(e) or "UNEXPECTED_EOF" in str(e):
                return b""
            raise

    def read_line(self, timeout=None):
        """One line (bytes, terminator stripped). ConnectionClosed on EOF,
        TimeoutError when no complete line arrives in time."""
        t = self.timeout if timeout is None else scale(timeout)
        deadline = time.monotonic() + t
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no reply line within %.1fs (partial %r)"
                                   % (t, self.buf[:200]))
            try:
                chunk = self._recv(left)
            except socket.timeout:
                raise TimeoutError("no reply line within %.1fs (partial %r)"
                                   % (t, self.buf[:200]))
            if not chunk:
                raise ConnectionClosed("connection closed (partial %r)"
                                       % self.buf[:200])
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        if line.endswith(b"\r"):
            line = line[:-1]
        return line

    def read_reply(self, timeout=None):
        """One reply as text; a multi-line reply ("250-a" ... "250 z") is
        returned joined with '\\n'."""
        lines = []
        while True:
            line = self.read_line(timeout).decode("utf-8", "replace")
            lines.append(line)
            if not re.match(r"^\d{3}-", line):
                return "\n".join(lines)

    def read_replies(self, n, timeout=None):
        return [self.read_reply(timeout) for _ in range(n)]

    def wait_closed(self, timeout=5.0):
        """Read until the server closes. Returns (closed, lines received)."""
        lines = []
        deadline = time.monotonic() + scale(timeout)
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                lines.append(line.rstrip(b"\r").decode("utf-8", "replace"))
            left = deadline - time.monotonic()
            if left <= 0:
                return False, lines
            try:
                chunk = self._recv(left)
            except (socket.timeout, TimeoutError):
                return False, lines
            except OSError:
                chunk = b""
            if not chunk:
                if self.buf:
                    lines.append(self.buf.decode("utf-8", "replace"))
                    self.buf = b""
                return True, lines
            self.buf += chunk

    # commands
    def cmd(self, line, timeout=None):
        self.send_line(line)
        return self.read_reply(timeout)

    def ping(self):
        return self.cmd("PING")

    def auth(self, token):
        return self.cmd("AUTH " + token)

    def report(self, *pairs, **fields):
        return self.cmd(report_line(*pairs, **fields))

    def report_ok(self, *pairs, **fields):
        return parse_report_reply(self.report(*pairs, **fields))

    def status(self, rid):
        return self.cmd("STATUS " + rid)

    def tls_version(self):
        return self.sock.version() if isinstance(self.sock, ssl.SSLSocket) \
            else None

    def peer_cert_der(self):
        return self.sock.getpeercert(binary_form=True)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()
        return False


# ---------------------------------------------------------------------------
# helpers for bursts

class Pipeliner:
    """Send many lines on one client from a thread (so a server that stops
    reading while replies are outstanding cannot deadlock the test), while
    the caller reads the replies."""

    def __init__(self, client, lines):
        self.client = client
        self.data = "".join(l + "\r\n" for l in lines).encode("utf-8")
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            self.client.sock.sendall(self.data)
        except OSError as e:
            self.error = e

    def start(self):
        self.thread.start()
        return self

    def join(self, timeout=30.0):
        self.thread.join(scale(timeout))
        return not self.thread.is_alive()


def pipeline(client, lines, timeout=60.0):
    """Send lines pipelined and return their len(lines) replies in order.

    Over plain TCP a thread sends while this one reads. An SSLSocket must
    not be used from two threads at once, so over TLS the whole batch is
    sent first; keep such batches well under the server's pipelining bound
    (LINE_PIPELINE_MAX replies), or the two sides would wait on each other.
    """
    if getattr(client, "tls", False):
        if len(lines) > 1000:
            raise AssertionError("TLS pipeline batches are limited to 1000")
        client.send_raw("".join(l + "\r\n" for l in lines).encode())
        deadline = time.monotonic() + scale(timeout)
        return [client.read_reply(max(0.1, deadline - time.monotonic())
                                  / TIME_SCALE) for _ in lines]
    p = Pipeliner(client, lines).start()
    deadline = time.monotonic() + scale(timeout)
    replies = []
    for _ in lines:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("only %d of %d replies within %.0fs"
                                 % (len(replies), len(lines), scale(timeout)))
        replies.append(client.read_reply(left / TIME_SCALE))
    p.join()
    if p.error is not None:
        raise AssertionError("sending the batch failed: %r" % p.error)
    return replies


def https_request(d, method, path, body=None, headers=None):
    """One request to d's HTTPS listener on a new connection (the
    daemon's self-signed certificate is not checked): (status,
    {lower-case header: value}, body bytes)."""
    import http.client
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    c = http.client.HTTPSConnection("127.0.0.1", d.ports["http"],
                                    context=ctx, timeout=scale(15))
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


def openssl_available():
    return shutil.which("openssl") is not None


def make_cert(directory, cn="test.example", name="cert"):
    """Self-signed EC certificate + key via the openssl CLI; returns paths."""
    cert = os.path.join(directory, name + ".pem")
    key = os.path.join(directory, name + ".key")
    r = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
         "-subj", "/CN=" + cn, "-keyout", key, "-out", cert],
        capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise AssertionError("openssl req failed: %s" % r.stderr)
    os.chmod(key, 0o600)
    return cert, key


def cert_fingerprint_pem(path):
    import hashlib
    with open(path) as f:
        pem = f.read()
    der = ssl.PEM_cert_to_DER_cert(pem[pem.index("-----BEGIN CERTIFICATE-----"):])
    return hashlib.sha256(der).hexdigest()
