"""Helpers shared by the SMTP black-box tests (test_smtp_*.py); this file
holds no test itself.

    with Daemon() as d:
        c = SmtpClient(d)                 # greeted, not yet EHLO'd
        c.ehlo()
        rid = c.send_message("a@b.example", ["ir@test.example"],
                             make_message(subject="hi", body="x"))
        rep = d.show(rid)

Replies are read with harness.IlpClient (the same "CODE text" lines, and
"250-" continuation lines joined with newlines).
"""

import os
import re
import shutil
import sqlite3
import ssl
import subprocess
import time
import uuid

from harness import (IlpClient, Skip, expect, expect_eq,
                     scale)

MAILBOX = "ir@test.example"
HOSTNAME = "mx.test.example"
GREETING = "220 %s ESMTP intaked" % HOSTNAME

# "250 2.0.0 IR-... accepted" (a message giving several reports may add
# "(N reports, last IR-...)").
ACCEPT_RE = re.compile(r"^250 2\.0\.0 (IR-[A-Za-z0-9_.-]+) accepted\b")
ID_RE = re.compile(r"\bIR-[A-Za-z0-9_.-]+")
ENHANCED_RE = re.compile(r"^([245])\d\d[ -]([245])\.\d{1,3}\.\d{1,3}( |$)")


def code_of(reply):
    """The 3-digit code of a reply (its first line)."""
    m = re.match(r"^(\d{3})[ -]", reply or "")
    expect(m, "not an SMTP reply: %r" % (reply,))
    return int(m.group(1))


def expect_reply(reply, prefix, what):
    """The reply's first line starts with prefix ("250 2.1.0", "503 5.5.1")."""
    first = (reply or "").split("\n", 1)[0]
    expect(first == prefix or first.startswith(prefix + " "),
           "%s: got %r, want %r..." % (what, reply, prefix))


def accepted_id(reply, what="end of data"):
    m = ACCEPT_RE.match(reply or "")
    expect(m, "%s: got %r, want '250 2.0.0 IR-... accepted'" % (what, reply))
    return m.group(1)


def crlf(data):
    """Any mix of LF and CRLF line ends to CRLF, ending with CRLF."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data


def dot_stuff(data):
    """RFC 5321 4.5.2: a line starting with '.' gets one more."""
    if data.startswith(b"."):
        data = b"." + data
    return data.replace(b"\r\n.", b"\r\n..")


def make_message(subject="test report", body="hello", frm="reporter@isp.example",
                 to=MAILBOX, headers=(), content_type="text/plain; charset=utf-8",
                 cte=None, msgid=None):
    """A small RFC 5322 message (bytes, CRLF)."""
    h = ["From: %s" % frm, "To: %s" % to, "Subject: %s" % subject,
         "Date: Sat, 21 Nov 2026 10:00:00 +0700",
         "Message-ID: <%s@isp.example>" % (msgid or uuid.uuid4().hex),
         "MIME-Version: 1.0", "Content-Type: %s" % content_type]
    if cte:
        h.append("Content-Transfer-Encoding: %s" % cte)
    h.extend(headers)
    if isinstance(body, str):
        body = body.encode("utf-8")
    return crlf(("\r\n".join(h) + "\r\n\r\n").encode("utf-8") + body)


class SmtpClient(IlpClient):
    """A raw SMTP client on the daemon's SMTP port: every reply as text."""

    def __init__(self, d_or_port, greeting=True, **kw):
        port = d_or_port.ports["smtp"] if hasattr(d_or_port, "ports") \
            else d_or_port
        super().__init__(port, greeting=greeting, **kw)
        self.extensions = {}
        if greeting:
            expect_eq(self.greeting, GREETING, "greeting")

    def ehlo(self, name="client.test.example"):
        r = self.cmd("EHLO " + name)
        lines = r.split("\n")
        expect(all(l[:4] in ("250-", "250 ") for l in lines) and
               lines[-1].startswith("250 "), "EHLO reply %r" % r)
        self.extensions = {}
        for l in lines[1:]:
            kw, _, arg = l[4:].partition(" ")
            self.extensions[kw.upper()] = arg
        return r

    def starttls(self, tls_min=None, tls_max=None, ciphers=None):
        r = self.cmd("STARTTLS")
        expect_reply(r, "220 2.0.0", "STARTTLS")
        expect_eq(self.buf, b"", "bytes after the 220 of STARTTLS")
        self.wrap_tls(tls_min, tls_max, ciphers)
        return r

    def wrap_tls(self, tls_min=None, tls_max=None, ciphers=None):
        ctx = client_context(tls_min, tls_max, ciphers)
        self.sock.settimeout(self.timeout)
        self.sock = ctx.wrap_socket(self.sock)

    def mail(self, addr, params=""):
        return self.cmd("MAIL FROM:<%s>%s" % (addr, " " + params if params else ""))

    def rcpt(self, addr):
        return self.cmd("RCPT TO:<%s>" % addr)

    def data(self, message, stuff=True, timeout=None):
        """DATA, the message, CRLF.CRLF; returns the final reply."""
        r = self.cmd("DATA")
        expect(r.startswith("354"), "DATA: got %r, want 354" % r)
        return self.send_data(message, stuff, timeout)

    def send_data(self, message, stuff=True, timeout=None):
        body = crlf(message)
        if stuff:
            body = dot_stuff(body)
        self.send_raw(body + b".\r\n")
        return self.read_reply(timeout if timeout is not None else 30)

    def send_message(self, mail_from, rcpts, message, params=""):
        """A whole transaction; returns the report ID of the 250."""
        expect_reply(self.mail(mail_from, params), "250 2.1.0", "MAIL")
        for r in rcpts:
            expect_reply(self.rcpt(r), "250 2.1.5", "RCPT %s" % r)
        return accepted_id(self.data(message))

    def quit(self):
        try:
            expect_reply(self.cmd("QUIT"), "221", "QUIT")
        finally:
            self.close()


def client_context(tls_min=None, tls_max=None, ciphers=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if tls_min is not None:
        ctx.minimum_version = tls_min
    if tls_max is not None:
        ctx.maximum_version = tls_max
    if ciphers is not None:
        ctx.set_ciphers(ciphers)
    return ctx


def send_one(d, subject="test report", body="hello", mail_from="reporter@isp.example",
             rcpts=(MAILBOX,), message=None):
    """Connect, EHLO, one transaction, QUIT; returns the report ID."""
    c = SmtpClient(d)
    try:
        c.ehlo()
        rid = c.send_message(mail_from, list(rcpts),
                             message if message is not None
                             else make_message(subject=subject, body=body))
        c.quit()
        return rid
    finally:
        c.close()


def has_indicator(rep, typ, value=None, contains=None):
    for ind in rep.get("indicators") or []:
        if not isinstance(ind, dict) or ind.get("type") != typ:
            continue
        v = ind.get("value", "")
        if value is not None and v == value:
            return True
        if contains is not None and contains in v:
            return True
        if value is None and contains is None:
            return True
    return False


def raw_message(d, rid):
    """The raw bytes stored as evidence for report rid.

    The specification promises the raw bytes are kept but names no
    interface for them yet, so this reads the daemon's SQLite file
    (README: data_dir/intaked.db holds the reports with their raw bytes)
    read-only: reports.code -> evidence.raw."""
    path = os.path.join(d.data_dir, "intaked.db")
    expect(os.path.exists(path), "%s does not exist" % path)
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
    try:
        row = db.execute("SELECT e.raw FROM reports r JOIN evidence e "
                         "ON e.id = r.evidence_id WHERE r.code = ?",
                         (rid,)).fetchone()
    except sqlite3.Error as e:
        raise AssertionError("reading the raw message of %s from %s: %s"
                             % (rid, path, e))
    finally:
        db.close()
    expect(row is not None, "no evidence row for %s" % rid)
    raw = row[0]
    return bytes(raw) if raw is not None else b""


def need_swaks():
    if shutil.which("swaks") is None:
        raise Skip("swaks is not installed")


def swaks(port, *args, timeout=30):
    """Run swaks against the daemon; CompletedProcess (text)."""
    need_swaks()
    try:
        return subprocess.run(
            ["swaks", "--server", "127.0.0.1:%d" % port,
             "--helo", "client.test.example", "--timeout", "20"] + list(args),
            capture_output=True, text=True, errors="replace",
            timeout=scale(timeout), stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("swaks %s did not finish in %.0fs: %r"
                             % (" ".join(args), scale(timeout), e.stdout))


def ids_in_swaks_output(out):
    """Report IDs of every '250 2.0.0 IR-... accepted' swaks printed."""
    ids = []
    for line in out.splitlines():
        m = re.search(r"(?:<-|<~)\s+250 2\.0\.0 (IR-[A-Za-z0-9_.-]+) accepted",
                      line)
        if m:
            ids.append(m.group(1))
    return ids


def wait_closed_or_fail(c, timeout, what):
    closed, lines = c.wait_closed(timeout)
    expect(closed, "%s: connection not closed (got %r)" % (what, lines))
    return lines


def corpora_dir():
    d = os.environ.get("INTAKED_CORPORA") or os.path.join("..", "shared",
                                                          "corpora")
    if not os.path.isdir(d):
        raise Skip("corpora not found at %s (set INTAKED_CORPORA)" % d)
    return d


def deadline_after(seconds):
    return time.monotonic() + scale(seconds)

