"""relay.py - a small SMTP server on loopback for the outbound tests: the
daemon's smarthost.

    with Relay() as r:              # listens on 127.0.0.1:r.port
        ...                         # [outbound] smarthost = r.hostport
        msgs = r.wait_messages(1)   # [Message(mail_from, rcpts, data)]
        r.mode = "tempfail"         # 451 after DATA; "permfail": 550 at RCPT
        r.stop(); r.start()         # down (connections refused), up again

Plain SMTP (no STARTTLS, no PIPELINING advertised), one thread per
connection, every read with a deadline. Messages are kept with CRLF line
ends and dot-unstuffed, as the daemon sent them.
"""

import collections
import email
import email.policy
import socket
import threading
import time

Message = collections.namedtuple("Message", "mail_from rcpts data")


class Relay:
    def __init__(self, port=0):
        self.mode = "accept"
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
        f = c.makefile("rb")
        out = lambda line: c.sendall(line.encode() + b"\r\n")
        try:
            out("220 relay.test ESMTP")
            mail_from, rcpts = None, []
            while True:
                line = f.readline(4096)
                if not line:
                    return
                cmd = line.decode("latin-1").strip()
                verb = cmd.split(" ", 1)[0].upper()
                if verb == "EHLO":
                    out("250-relay.test")
                    out("250 8BITMIME")
                elif verb == "HELO":
                    out("250 relay.test")
                elif verb == "MAIL":
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
                    data = self._read_data(f)
                    with self._cond:
                        self.attempts += 1
                        if self.mode == "tempfail":
                            out("451 4.3.0 try again later")
                        else:
                            self.messages.append(
                                Message(mail_from, rcpts, data))
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
        except (OSError, socket.timeout):
            return
        finally:
            c.close()

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
