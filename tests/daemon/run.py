#!/usr/bin/env python3
"""run.py - black-box test runner for intaked.

    python3 tests/daemon/run.py [FILTER ...]

Discovers tests/daemon/test_*.py, imports each, and runs every function named
test_* in the order it appears in its file. A test runs when no FILTER is
given or when any FILTER is a substring of "file::name" (e.g. "test_ilp_auth"
or "::test_ping"). Prints one line per test:

    ok   file::name (0.12s)
    FAIL file::name: reason      (then the traceback, the daemon's temp dir)
    SKIP file::name: why

and ends with exactly one line "N passed, M failed, K skipped"; exit status 1
if M > 0 (skips alone never fail the run). A test raises harness.Skip("why")
to be skipped: counted in K, not as passed nor as failed.

Environment: INTAKED_BIN (default "bin", relative to the repo root, which is
the working directory), INTAKED_TEST_TIMEOUT (seconds per test, default 120;
a module may set TIMEOUT, a function a .timeout attribute).
"""

import glob
import importlib.util
import inspect
import os
import signal
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
os.chdir(ROOT)
sys.path.insert(0, HERE)

import harness  # noqa: E402


class TestTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise TestTimeout("test exceeded its time limit")


def discover():
    mods = []
    for path in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        fname = os.path.basename(path)
        modname = "daemon_" + fname[:-3]
        try:
            spec = importlib.util.spec_from_file_location(modname, path)
            mod = importlib.util.module_from_spec(spec)
            sys.modules[modname] = mod
            spec.loader.exec_module(mod)
        except Exception:
            mods.append((fname, None, traceback.format_exc()))
            continue
        tests = []
        for name, obj in vars(mod).items():
            if (name.startswith("test_") and inspect.isfunction(obj)
                    and obj.__module__ == modname):
                tests.append((obj.__code__.co_firstlineno, name, obj))
        tests.sort(key=lambda t: t[0])
        mods.append((fname, mod, [(n, f) for _, n, f in tests]))
    return mods


def selected(full, filters):
    return not filters or any(f in full for f in filters)


def main(argv):
    filters = argv[1:]
    harness._runner_active = True
    default_timeout = float(os.environ.get("INTAKED_TEST_TIMEOUT", "120"))
    signal.signal(signal.SIGALRM, _alarm)
    passed = failed = skipped = 0
    t_start = time.monotonic()
    for fname, mod, tests in discover():
        if mod is None:
            print("FAIL %s::<import>: cannot import\n%s" % (fname, tests),
                  flush=True)
            failed += 1
            continue
        mod_timeout = getattr(mod, "TIMEOUT", default_timeout)
        for name, fn in tests:
            full = "%s::%s" % (fname, name)
            if not selected(full, filters):
                continue
            harness._test_daemons.clear()
            limit = getattr(fn, "timeout", mod_timeout) * harness.TIME_SCALE
            t0 = time.monotonic()
            outcome, detail = "ok", None
            signal.setitimer(signal.ITIMER_REAL, limit)
            try:
                fn()
            except harness.Skip as e:
                outcome, detail = "skip", str(e)
            except BaseException as e:  # noqa: B902 - report everything
                if isinstance(e, KeyboardInterrupt):
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    raise
                outcome = "fail"
                reason = str(e).splitlines()[0] if str(e) else ""
                detail = "%s: %s\n%s" % (type(e).__name__, reason,
                                         traceback.format_exc())
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            dt = time.monotonic() - t0
            dirs = []
            for d in harness._test_daemons:
                try:
                    d.cleanup(outcome != "fail")
                except Exception:
                    pass
                if outcome == "fail":
                    dirs.append(d)
            harness._test_daemons.clear()
            if outcome == "ok":
                passed += 1
                print("ok   %s (%.2fs)" % (full, dt), flush=True)
            elif outcome == "skip":
                skipped += 1
                print("SKIP %s: %s" % (full, detail), flush=True)
            else:
                failed += 1
                first, _, tb = detail.partition("\n")
                print("FAIL %s: %s (%.2fs)" % (full, first, dt))
                print(tb.rstrip())
                for d in dirs:
                    print("  daemon dir kept: %s (log: %s)" % (d.tmp, d.log_path))
                    tail = d.log_tail(15)
                    if tail:
                        print("  log tail:\n    " + tail.replace("\n", "\n    "))
                sys.stdout.flush()
    if filters and passed + failed + skipped == 0:
        print("FAIL no test matches %s" % " ".join(filters), flush=True)
        failed += 1
    print("(%.1fs)" % (time.monotonic() - t_start))
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped),
          flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
