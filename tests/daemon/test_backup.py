"""intakectl backup FILE and check (SPEC "intakectl"): a copy taken while
a partner keeps sending reports holds every report acknowledged before
the backup began, is one self-contained file that intaked runs on, and
passes intakectl check; check reports the schema version and fails on a
damaged database.
"""

import json
import os
import shutil
import threading
import time

from harness import Daemon, expect, expect_eq, scale

TIMEOUT = 240


def test_backup_under_write_load():
    with Daemon() as d:
        tok = d.token("partner")
        acked = []		# (monotonic time of the ack, report ID)
        stop = threading.Event()
        errors = []

        def writer():
            try:
                c = d.authed_client(tok)
                i = 0
                while not stop.is_set():
                    r = c.report_ok(category="scan", description="w%d" % i,
                                    source_ip="10.9.%d.%d" % (i >> 8 & 255,
                                                              i & 255))
                    acked.append((time.monotonic(), r.rid))
                    i += 1
                c.close()
            except Exception as e:
                errors.append(e)

        threads = [threading.Thread(target=writer, daemon=True)
                   for _ in range(2)]
        for t in threads:
            t.start()
        time.sleep(scale(1.0))
        backup = os.path.join(d.tmp, "copy.db")
        began = time.monotonic()
        r = d.ctl("backup", backup)
        ended = time.monotonic()
        expect_eq(r.returncode, 0, "intakectl backup: %r" % r.stderr)
        time.sleep(scale(0.5))
        stop.set()
        for t in threads:
            t.join(30)
        expect(not errors, "writers failed: %r" % errors)
        before = {rid for t, rid in acked if t < began}
        every = {rid for t, rid in acked}
        expect(len(before) > 50, "only %d reports before the backup"
               % len(before))
        expect(any(t > ended for t, _ in acked),
               "the writers went on after the backup")
        expect(not os.path.exists(backup + "-wal") or
               os.path.getsize(backup + "-wal") == 0, "a -wal beside it")

        # restore: a new data directory holding only the copy
        r2 = Daemon(start=False)
        os.makedirs(r2.data_dir, mode=0o700)
        shutil.copy(backup, os.path.join(r2.data_dir, "intaked.db"))
        chk = json.loads(r2.ctl_ok("check", "--json").stdout)
        expect(chk["ok"] is True and chk["problems"] == [],
               "check of the copy: %r" % chk)
        out = r2.ctl_ok("export", "--format", "jsonl").stdout
        restored = {rep["id"] for l in out.splitlines()
                    for rep in json.loads(l)["reports"]}
        missing = before - restored
        expect(not missing, "%d acknowledged reports missing from the "
               "backup: %r" % (len(missing), sorted(missing)[:5]))
        # committed but not yet acknowledged is possible, invented is not
        extra = restored - every
        expect(len(extra) <= 2, "the copy holds reports nobody sent: %r"
               % sorted(extra)[:5])
        # intaked runs on it: the partner's token, copied with the rest,
        # still works and sees its reports
        r2.start()
        with r2:
            c = r2.authed_client(tok)
            rid = sorted(before)[0]
            st = c.status(rid)
            expect(st.startswith("250 " + rid), "STATUS of a restored "
                   "report: %r" % st)
            c.close()


def test_check_reports_version_and_damage():
    with Daemon() as d:
        c = d.authed_client(d.token("partner"))
        for i in range(300):
            c.report_ok(category="spam", description="x" * 500 + str(i))
        c.close()
        out = d.ctl_ok("check").stdout
        expect("schema version" in out and out.strip().endswith("ok"),
               "check: %r" % out)
        chk = json.loads(d.ctl_ok("check", "--json").stdout)
        expect_eq(chk["schema_version"], chk["program_schema_version"],
                  "schema version")
        # a damaged copy
        backup = os.path.join(d.tmp, "copy.db")
        d.ctl_ok("backup", backup)
        bad = Daemon(start=False)
        os.makedirs(bad.data_dir, mode=0o700)
        path = os.path.join(bad.data_dir, "intaked.db")
        shutil.copy(backup, path)
        size = os.path.getsize(path)
        with open(path, "r+b") as f:
            for off in range(size // 3, size - 4096, 8192):
                f.seek(off)
                f.write(b"\xde\xad\xbe\xef" * 256)
        r = bad.ctl("check")
        expect(r.returncode != 0, "check of a damaged database passed: "
               "%r %r" % (r.stdout[-300:], r.stderr[-300:]))
