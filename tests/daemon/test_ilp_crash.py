"""Crash safety: SIGKILL mid-burst loses nothing acknowledged, and
idempotency survives the crash."""

import random
import threading
import time

from harness import (ConnectionClosed, Daemon, Pipeliner, expect, expect_eq,
                     parse_report_reply, report_line, scale)

WORKERS = 4
PER_WORKER = 3000


def ip_of(k, i):
    n = k * 100000 + i + 1
    return "10.%d.%d.%d" % (n // 65536, (n // 256) % 256, n % 256)


def ext_of(k, i):
    return "crash-%d-%d" % (k, i)


def burst_and_kill(d, tokens, kill_after):
    acked = [dict() for _ in range(WORKERS)]   # i -> reply line
    errors = []
    ready = threading.Barrier(WORKERS + 1)

    def worker(k):
        try:
            c = d.authed_client(tokens[k])
        except Exception as e:
            errors.append("worker %d: %r" % (k, e))
            ready.abort()
            return
        lines = [report_line(category="botnet", source_ip=ip_of(k, i),
                             external_id=ext_of(k, i)) for i in range(PER_WORKER)]
        try:
            ready.wait(10)
        except threading.BrokenBarrierError:
            return
        p = Pipeliner(c, lines)
        p.start()
        for i in range(PER_WORKER):
            try:
                r = c.read_reply(30)
            except (ConnectionClosed, TimeoutError, OSError):
                break
            if r.startswith("250 "):
                try:
                    parse_report_reply(r)
                except AssertionError as e:
                    errors.append("worker %d reply %d: %s" % (k, i, e))
                    break
                acked[k][i] = r
            elif not r.startswith("4"):
                errors.append("worker %d reply %d: %r" % (k, i, r))
        c.close()

    ts = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(WORKERS)]
    for t in ts:
        t.start()
    ready.wait(scale(20))
    deadline = time.monotonic() + scale(20)
    while sum(len(a) for a in acked) < kill_after and time.monotonic() < deadline:
        time.sleep(0.002)
    d.kill9()
    for t in ts:
        t.join(scale(40))
    expect(not any(t.is_alive() for t in ts), "a worker is still running")
    expect(not errors, "; ".join(errors[:5]))
    return acked


def test_kill9_mid_burst_loses_no_ack():
    with Daemon() as d:
        tokens = [d.token("crash-%d" % k) for k in range(WORKERS)]
        acked = burst_and_kill(d, tokens, kill_after=1500)
        total = sum(len(a) for a in acked)
        expect(total >= 1500, "only %d acknowledgements before the kill" % total)
        expect(total < WORKERS * PER_WORKER,
               "the whole burst was acknowledged before SIGKILL: not a mid-burst kill")
        d.restart()

        # every acknowledged report is in the store
        stored_ips = set()
        reports = 0
        for inc in d.queue_all():
            reports += inc.get("reports", 0)
            for ind in inc.get("indicators", []):
                stored_ips.add(ind["value"])
        lost = [(k, i) for k in range(WORKERS) for i in acked[k]
                if ip_of(k, i) not in stored_ips]
        expect(not lost, "%d of %d acknowledged reports lost after kill -9: %r"
               % (len(lost), total, [(k, i, acked[k][i]) for k, i in lost[:5]]))
        expect(reports >= total, "store has %d reports, %d were acknowledged"
               % (reports, total))

        # a sample, shown one by one: the right report behind each ID
        rnd = random.Random(9)
        sample = []
        for k in range(WORKERS):
            idx = sorted(acked[k])
            if idx:
                sample.append((k, idx[-1]))
                sample.extend((k, i) for i in rnd.sample(idx, min(3, len(idx))))
        for k, i in sample:
            rid = parse_report_reply(acked[k][i]).rid
            rep = d.show(rid)
            expect_eq([(x["type"], x["value"]) for x in rep.get("indicators", [])],
                      [("ipv4", ip_of(k, i))], "indicators of %s (worker %d #%d)" % (rid, k, i))

        # idempotency survives the crash: retries return the first reply
        mismatches = []
        for k in range(WORKERS):
            idx = sorted(acked[k])
            if not idx:
                continue
            retry = set(idx[-10:]) | set(rnd.sample(idx, min(10, len(idx))))
            c = d.authed_client(tokens[k])
            for i in sorted(retry):
                r = c.report(category="botnet", source_ip=ip_of(k, i),
                             external_id=ext_of(k, i))
                if r != acked[k][i]:
                    mismatches.append((k, i, acked[k][i], r))
            c.close()
        expect(not mismatches, "%d retries after the crash got another reply: %r"
               % (len(mismatches), mismatches[:3]))
        expect_eq(d.report_count(), reports, "reports after the retries")

        # unacknowledged ones can be sent again and are stored once
        for k in range(WORKERS):
            unacked = [i for i in range(PER_WORKER) if i not in acked[k]][:5]
            c = d.authed_client(tokens[k])
            for i in unacked:
                r1 = c.report(category="botnet", source_ip=ip_of(k, i),
                              external_id=ext_of(k, i))
                parse_report_reply(r1)
                r2 = c.report(category="botnet", source_ip=ip_of(k, i),
                              external_id=ext_of(k, i))
                expect_eq(r2, r1, "second retry of an unacknowledged report")
            c.close()


def test_kill9_idle_then_restart():
    with Daemon() as d:
        tok = d.token("idle-crash")
        c = d.authed_client(tok)
        r = c.report_ok(category="spam", source_ip="192.0.2.123", external_id="x1")
        c.close()
        for round_ in range(3):
            d.kill9()
            d.restart()
            c = d.authed_client(tok)
            expect_eq(c.report(category="spam", source_ip="192.0.2.123", external_id="x1"),
                      r.line, "retry after kill -9 #%d" % (round_ + 1))
            c.close()
        expect_eq(d.show(r.rid).get("id"), r.rid, "report after three kills")
        expect_eq(d.report_count(), 1, "reports stored")


def test_kill9_during_auth_and_status():
    """Killed while sessions sit authenticated; afterwards tokens and
    STATUS still work."""
    with Daemon() as d:
        tok = d.token("st-crash")
        c = d.authed_client(tok)
        r = c.report_ok(category="dos", target_ip="192.0.2.124")
        cs = [d.authed_client(tok) for _ in range(5)]
        d.kill9()
        for x in cs + [c]:
            x.close()
        d.restart()
        c = d.authed_client(tok)
        st = c.status(r.rid)
        expect(st.startswith("250 %s " % r.rid), "STATUS after kill -9: %r" % st)
        c.close()


def test_kill9_mid_burst_of_duplicates():
    """Reports that all fall into 5 incidents, killed mid-burst: incident
    counts cover every acknowledged report and dedup still works after."""
    n = 4000
    ips = ["192.0.2.%d" % (200 + j) for j in range(5)]
    with Daemon() as d:
        tok = d.token("dup-crash")
        c = d.authed_client(tok)
        lines = [report_line(category="brute-force", source_ip=ips[i % 5],
                             external_id="dc-%d" % i) for i in range(n)]
        Pipeliner(c, lines).start()
        acked = {}
        killed = False
        for i in range(n):
            try:
                r = c.read_reply(30)
            except (ConnectionClosed, TimeoutError, OSError):
                break
            if r.startswith("250 "):
                acked[i] = parse_report_reply(r)
            if len(acked) == 600 and not killed:
                d.kill9()
                killed = True
        c.close()
        if not killed:
            d.kill9()
        expect(len(acked) < n, "burst finished before the kill")
        d.restart()
        inc_of_ip = {}
        per_inc = {}
        for i, rr in acked.items():
            prev = inc_of_ip.setdefault(ips[i % 5], rr.iid)
            expect_eq(rr.iid, prev, "incident of report #%d" % i)
            per_inc[rr.iid] = per_inc.get(rr.iid, 0) + 1
        for iid, count in per_inc.items():
            inc = d.show(iid)
            expect(inc.get("reports", 0) >= count,
                   "%s counts %r reports, %d were acknowledged"
                   % (iid, inc.get("reports"), count))
        c = d.authed_client(tok)
        for ip, iid in inc_of_ip.items():
            rr = c.report_ok(category="brute-force", source_ip=ip)
            expect_eq((rr.kind, rr.iid), ("duplicate", iid),
                      "dedup after the crash for %s" % ip)
        c.close()
