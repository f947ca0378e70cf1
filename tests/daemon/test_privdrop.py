"""Started as root with [daemon] user = nobody: the data directory and the
files of DATA_DIR/tls are handed to that user, and nothing else is. A
symbolic link (or a hard link) planted in data_dir/tls by whoever owns the
data directory must never make root chown its target: the daemon refuses to
start and says why. Needs root (skipped otherwise)."""

import os
import pwd
import re

import time

from harness import Daemon, Skip, expect, expect_eq, make_cert, scale

USER = "nobody"


def _need_root():
    if os.geteuid() != 0:
        raise Skip("needs root to start intaked with [daemon] user")
    try:
        return pwd.getpwnam(USER).pw_uid
    except KeyError:
        raise Skip("no user %s here" % USER)


def _daemon(uid, cert=False):
    """A Daemon (not started) running as USER, with its own certificate
    when cert is set (then the self-signed files are not made), and a temp
    dir USER can traverse to reach data_dir."""
    d = Daemon({"daemon": {"user": USER}}, start=False)
    os.chmod(d.tmp, 0o755)
    if cert:
        c, k = make_cert(d.tmp)
        d.config["tls"] = {"cert": c, "key": k}
        d.write_config()
    return d


def _victim(d):
    """A root-owned directory with a root-owned file: what the planted
    links point to. Returns (dir, file)."""
    v = os.path.join(d.tmp, "victim")
    os.mkdir(v, 0o700)
    f = os.path.join(v, "secret")
    with open(f, "w") as fp:
        fp.write("root only\n")
    os.chmod(f, 0o600)
    os.chown(v, 0, 0)
    os.chown(f, 0, 0)
    return v, f


def _start_expect_refusal(d, what, victims, want_in_log):
    """Start; the daemon must exit non-zero within a few seconds, log a
    line with want_in_log, and leave every path in victims owned by root."""
    d.start(wait=False)
    deadline = time.monotonic() + scale(10)
    while d.proc.poll() is None and time.monotonic() < deadline \
            and not d._ready_probe():
        time.sleep(0.05)
    served = d.running()
    if served:
        d.stop()
    d._expected_exit = True
    for p in victims:
        st = os.lstat(p)
        expect_eq((st.st_uid, st.st_gid), (0, 0),
                  "owner of %s (target of %s) after the start" % (p, what))
    expect(not served, "intaked started with %s" % what)
    expect(d.proc.returncode != 0, "exit status %r with %s"
           % (d.proc.returncode, what))
    log = d.log()
    expect(re.search(want_in_log, log),
           "no error line matching %r in the log:\n%s" % (want_in_log,
                                                         d.log_tail(10)))


def test_user_owns_data_dir_and_self_signed_files():
    """The positive case: running as USER, owning data_dir, data_dir/tls,
    the self-signed pair and the database; the key stays 0600."""
    uid = _need_root()
    with _daemon(uid) as d:
        d.start()
        c = d.client()
        expect_eq(c.cmd("PING"), "250 pong", "PING")
        c.close()
        c = d.client(tls=True)
        expect_eq(c.cmd("PING"), "250 pong", "PING over TLS")
        c.close()
        with open("/proc/%d/status" % d.pid) as f:
            uids = [l.split()[1:] for l in f if l.startswith("Uid:")][0]
        expect_eq(set(uids), {str(uid)}, "uids of the running daemon")
        tls = os.path.join(d.data_dir, "tls")
        for p in (d.data_dir, tls, os.path.join(tls, "cert.pem"),
                  os.path.join(tls, "key.pem"),
                  os.path.join(d.data_dir, "intaked.db")):
            expect_eq(os.lstat(p).st_uid, uid, "owner of %s" % p)
        expect_eq(os.lstat(os.path.join(tls, "key.pem")).st_mode & 0o777,
                  0o600, "mode of key.pem")


def test_symlinked_tls_dir_refused_with_own_cert():
    """data_dir/tls a symlink to a root directory, [tls] cert/key set (so
    the self-signed files are not looked at): refused, target untouched."""
    uid = _need_root()
    with _daemon(uid, cert=True) as d:
        v, f = _victim(d)
        os.mkdir(d.data_dir, 0o700)
        os.symlink(v, os.path.join(d.data_dir, "tls"))
        _start_expect_refusal(d, "a symlinked data_dir/tls", [v, f],
                              r"tls.*symbolic link")


def test_symlinked_tls_dir_refused_self_signed():
    """The same without [tls] cert: the self-signed certificate is not
    written into the link's target either."""
    uid = _need_root()
    with _daemon(uid) as d:
        v, f = _victim(d)
        os.mkdir(d.data_dir, 0o700)
        os.symlink(v, os.path.join(d.data_dir, "tls"))
        _start_expect_refusal(d, "a symlinked data_dir/tls", [v, f],
                              r"tls.*symbolic link")
        expect_eq(sorted(os.listdir(v)), ["secret"], "files in the target")


def test_symlinked_cert_and_key_files_refused():
    """data_dir/tls is a directory, but cert.pem (then key.pem) in it is a
    symlink to a root file, [tls] cert/key set: refused, the file keeps its
    owner."""
    uid = _need_root()
    for name in ("cert.pem", "key.pem"):
        with _daemon(uid, cert=True) as d:
            v, f = _victim(d)
            tls = os.path.join(d.data_dir, "tls")
            os.makedirs(tls, 0o700)
            os.chown(d.data_dir, uid, -1)
            os.chown(tls, uid, -1)
            os.symlink(f, os.path.join(tls, name))
            _start_expect_refusal(d, "a symlinked data_dir/tls/" + name,
                                  [f], name + r".*symbolic link")


def test_symlinked_self_signed_file_replaced():
    """Without [tls] cert, a symlinked cert.pem (then key.pem) with no pair
    to use is replaced by a new self-signed file of USER's; the link's
    target keeps its owner and its content."""
    uid = _need_root()
    for name in ("cert.pem", "key.pem"):
        with _daemon(uid) as d:
            v, f = _victim(d)
            tls = os.path.join(d.data_dir, "tls")
            os.makedirs(tls, 0o700)
            link = os.path.join(tls, name)
            os.symlink(f, link)
            d.start()
            st = os.lstat(f)
            expect_eq((st.st_uid, st.st_gid), (0, 0), "owner of the target")
            with open(f) as fp:
                expect_eq(fp.read(), "root only\n", "content of the target")
            st = os.lstat(link)
            expect(os.path.islink(link) is False and st.st_uid == uid,
                   "%s: still a link, or not %s's" % (name, USER))


def test_hardlinked_key_file_refused():
    """data_dir/tls/key.pem a second name of a root file (a hard link):
    refused, the file keeps its owner."""
    uid = _need_root()
    with _daemon(uid, cert=True) as d:
        v, f = _victim(d)
        tls = os.path.join(d.data_dir, "tls")
        os.makedirs(tls, 0o700)
        os.link(f, os.path.join(tls, "key.pem"))
        _start_expect_refusal(d, "a hard-linked data_dir/tls/key.pem", [f],
                              r"key\.pem.*link")
