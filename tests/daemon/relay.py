"""relay.py - a small SMTP server on loopback for the outbound tests: the
daemon's smarthost.

    with Relay() as r:              # listens on 127.0.0.1:r.port
        ...                         # [outbound] smarthost = r.hostport
        msgs = r.wait_messages(1)   # [Message(mail_from, rcpts, data)]
        r.mode = "tempfail"         # 451 after DATA; "permfail": 550 at RCPT
        r.stop(); r.start()         # down (connections refused), up again

Plain SMTP by default (no PIPELINING advertised); Relay(tls=(cert, key))
offers STARTTLS with that certificate, and Relay(auth=("user", "pass"))
offers AUTH PLAIN and LOGIN and takes mail only once authenticated. One
thread per connection, every read with a deadline. Messages are kept with
CRLF line ends and dot-unstuffed, as the daemon sent them; each records
whether it came over TLS and as which user.
"""

import base64
import collections
import email
import email.policy
import socket
import ssl
import threading
import time

Message = collections.namedtuple("Message", "mail_from rcpts data tls user")


class Relay:
    def __init__(self, port=0, tls=None, auth=None):
        self.mode = "accept"
        self.auth = auth
        self._tls = None
        if tls is not None:
            self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._tls.load_cert_chain(*tls)
        self.messages = []
        self.attempts = 0          # DATA transactions seen, any outcome
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._sock = None
        self._thread = None
        self.port = port
        self.start()

    @property
    def hostport(self):
        return "127.0.0.1:%d" % self.port

    def start(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(64)
        s.settimeout(0.2)
        self.port = s.getsockname()[1]
        self._sock = s
        self._running = True
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def stop(self):
        self._running = False
        if self._thread is not None:
            self._thread.join(5)
        if self._sock is not None:
            self._sock.close()
        self._sock = None

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.stop()

    def wait_messages(self, n, timeout=30.0):
        """At least n messages (or fewer after timeout), as a list copy."""
        deadline = time.time() + timeout
        with self._cond:
            while len(self.messages) < n and time.time() < deadline:
                self._cond.wait(min(0.2, max(0.0, deadline - time.time())))
            return list(self.messages)

    def parsed(self, i):
        """Message i as an email.message.EmailMessage."""
        return email.message_from_bytes(self.messages[i].data,
                                        policy=email.policy.default)

    # -- serving -------------------------------------------------------

    def _accept(self):
        while self._running:
            try:
                c, _ = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,),
                             daemon=True).start()

    def _serve(self, c):
        c.settimeout(10)
        state = {"c": c, "f": c.makefile("rb"), "tls": False, "user": None}
        out = lambda line: state["c"].sendall(line.encode() + b"\r\n")
        try:
            out("220 relay.test ESMTP")
            mail_from, rcpts = None, []
            while True:
                line = state["f"].readline(4096)
                if not line:
                    return
                cmd = line.decode("latin-1").strip()
                verb = cmd.split(" ", 1)[0].upper()
                if verb == "EHLO":
                    out("250-relay.test")
                    if self._tls is not None and not state["tls"]:
                        out("250-STARTTLS")
                    if self.auth is not None:
                        out("250-AUTH PLAIN LOGIN")
                    out("250 8BITMIME")
                elif verb == "HELO":
                    out("250 relay.test")
                elif verb == "STARTTLS" and self._tls is not None:
                    out("220 2.0.0 ready to start TLS")
                    tc = self._tls.wrap_socket(state["c"], server_side=True)
                    state.update(c=tc, f=tc.makefile("rb"), tls=True)
                elif verb == "AUTH" and self.auth is not None:
                    state["user"] = self._auth(cmd, state, out)
                elif verb == "MAIL":
                    if self.auth is not None and state["user"] is None:
                        out("530 5.7.0 authentication required")
                        continue
                    mail_from, rcpts = cmd[10:].strip(" <>"), []
                    out("250 2.1.0 ok")
                elif verb == "RCPT":
                    if self.mode == "permfail":
                        out("550 5.1.1 no such user")
                    else:
                        rcpts.append(cmd[8:].strip(" <>"))
                        out("250 2.1.5 ok")
                elif verb == "DATA":
                    if not rcpts:
                        out("554 5.5.1 no valid recipients")
                        continue
                    out("354 go ahead")
                    data = self._read_data(state["f"])
                    with self._cond:
                        self.attempts += 1
                        if self.mode == "tempfail":
                            out("451 4.3.0 try again later")
                        else:
                            self.messages.append(Message(
                                mail_from, rcpts, data, state["tls"],
                                state["user"]))
                            self._cond.notify_all()
                            out("250 2.0.0 queued as %d"
                                % len(self.messages))
                elif verb == "RSET":
                    mail_from, rcpts = None, []
                    out("250 2.0.0 ok")
                elif verb == "NOOP":
                    out("250 2.0.0 ok")
                elif verb == "QUIT":
                    out("221 2.0.0 bye")
                    return
                else:
                    out("502 5.5.2 not implemented")
        except (OSError, socket.timeout, ssl.SSLError):
            return
        finally:
            state["c"].close()

    def _auth(self, cmd, state, out):
        """AUTH PLAIN [initial] or AUTH LOGIN; the user, or None."""
        parts = cmd.split()
        mech = parts[1].upper() if len(parts) > 1 else ""
        read = lambda: base64.b64decode(state["f"].readline(4096).strip())
        try:
            if mech == "PLAIN":
                if len(parts) > 2:
                    blob = base64.b64decode(parts[2])
                else:
                    out("334 ")
                    blob = read()
                _, user, pw = blob.split(b"\0", 2)
            elif mech == "LOGIN":
                out("334 " + base64.b64encode(b"Username:").decode())
                user = read()
                out("334 " + base64.b64encode(b"Password:").decode())
                pw = read()
            else:
                out("504 5.5.4 unknown mechanism")
                return None
        except ValueError:
            out("501 5.5.2 bad encoding")
            return None
        if (user.decode(), pw.decode()) == tuple(self.auth):
            out("235 2.7.0 authenticated")
            return user.decode()
        out("535 5.7.8 bad credentials")
        return None

    @staticmethod
    def _read_data(f):
        lines = []
        while True:
            line = f.readline(1 << 20)
            if not line or line in (b".\r\n", b".\n"):
                break
            if line.startswith(b".."):
                line = line[1:]
            lines.append(line)
        return b"".join(lines)
