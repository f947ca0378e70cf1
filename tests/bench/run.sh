#!/bin/sh
# run.sh - `make bench`: throughput, latency and memory figures of the ILP/1
# line protocol, next to what SQLite alone can do on this machine.
#
# Starts $BIN/intaked on a free loopback port with a temporary data_dir,
# creates a submitter token, then: loadgen with 1, 16 and 64 connections
# (closed loop, BENCH_SECONDS each); loadgen with 16 connections at half the
# 16-connection rate (open loop) for the latency figure; idle_conns 1000
# against the daemon fresh and again after the load, reading its VmRSS;
# its peak RSS (VmHWM); then stops it, runs tests/bench/smtp.sh,
# tests/bench/http.sh and tests/bench/outbox.sh if they exist and are
# executable (same environment,
# plus BENCH_TMP, a scratch directory each may use; http.sh also gets the
# 16-connection rate and CPU use, ILP16_RATE and ILP16_CPU), and
# sqlite_ceiling on the same filesystem. Prints a summary table with the
# targets beside the figures. See README.md.
#
# Environment: BUILD (build dir, has bench/), BIN (intaked, intakectl),
# BENCH_SECONDS (default 10), CEILING_BATCH (default 256: the batch whose
# ceiling the 16-connection rate is compared with).
#
# Exit status: 0 when everything ran, whatever the figures (a missed target
# is a measurement, not a failure); 1 when something could not run.

BUILD=${BUILD:-build}
BIN=${BIN:-bin}
BENCH_SECONDS=${BENCH_SECONDS:-10}
CEILING_BATCH=${CEILING_BATCH:-256}
HERE=$(cd "$(dirname "$0")" && pwd)
LOADGEN=$BUILD/bench/loadgen
IDLE=$BUILD/bench/idle_conns
CEILING=$BUILD/bench/sqlite_ceiling

TMP=$(mktemp -d "${TMPDIR:-/tmp}/intaked-bench.XXXXXX") || exit 1
PID=
LOG=$TMP/intaked.log
OUT=$TMP/out

BENCH_NAME=bench
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
trap 'cleanup why' EXIT
trap 'exit 1' INT TERM HUP

# field NAME LINE: the value of NAME=value in a loadgen line, units dropped.
field() {
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=\([0-9.]*\).*/\1/p"
}

# run_loadgen ARGS...: one loadgen run; its result line, plus the daemon's
# CPU use during it, goes to stdout.
run_loadgen() {
	run_load "loadgen $*" '^conns=' plain "$LOADGEN" -h 127.0.0.1 \
	    -p "$PORT" -t "$TOKEN" -d "$BENCH_SECONDS" "$@"
}

# idle_ready: the daemon greets one connection.
idle_ready() {
	"$IDLE" -h 127.0.0.1 -p "$PORT" -n 1 -s 0 > /dev/null 2>&1
}

# idle LABEL: 1000 idle connections; prints the idle_conns line.
run_idle() {
	timeout 60 "$IDLE" -h 127.0.0.1 -p "$PORT" -n 1000 -s 4 -P "$PID" \
	    > "$OUT" 2> "$OUT.err"
	rc=$?
	cat "$OUT.err" >&2
	grep -q '^idle_conns' "$OUT" || fail "idle_conns failed (exit $rc)"
	[ $rc -eq 0 ] || echo "bench: not every idle connection was" \
	    "greeted: $(cat "$OUT")" >&2
	alive "$PID" || fail "intaked died during idle_conns"
	cat "$OUT"
}

for f in "$BIN/intaked" "$BIN/intakectl" "$LOADGEN" "$IDLE" "$CEILING"; do
	[ -x "$f" ] || fail "$f is missing (run make first)"
done
command -v python3 > /dev/null || fail "python3 is needed to find a free port"

PORT=$(free_port) || fail "no free port"
echo "== intaked bench: $(nproc) CPUs, BENCH_SECONDS=$BENCH_SECONDS, line port $PORT, data in $TMP"
echo "load average at start: $(cut -d ' ' -f 1-3 /proc/loadavg)" \
    "(anything else running on these CPUs lowers the figures)"
start_daemon "bench run (tests/bench/run.sh)" "$PORT" idle_ready <<EOF
[line]
listen = 127.0.0.1:$PORT
tls_listen =
require_auth = yes
max_per_ip = 1100
max_sessions = 4096

[smtp]
listen =

[http]
listen =
EOF

"$BIN/intakectl" -c "$CONF" token add bench --role submitter > "$OUT" 2>&1 ||
    { cat "$OUT" >&2; fail "intakectl token add failed"; }
TOKEN=$(grep -o 'itk_[A-Za-z0-9_-]*' "$OUT" | head -n 1)
[ -n "$TOKEN" ] || { cat "$OUT" >&2; fail "no token in intakectl's output"; }

echo "-- 1000 idle connections, fresh daemon"
IDLE0=$(run_idle) || exit 1
echo "$IDLE0"

echo "-- closed loop, window 64"
L1=$(run_loadgen -c 1) || exit 1
echo "$L1"
L16=$(run_loadgen -c 16) || exit 1
echo "$L16"
L64=$(run_loadgen -c 64) || exit 1
echo "$L64"

R16=$(field rate "$L16")
HALF=$(awk -v r="$R16" 'BEGIN { h = int(r / 2); print (h < 1 ? 1 : h) }')
echo "-- open loop, 16 connections at $HALF reports/s (half the 16-connection rate)"
LH=$(run_loadgen -c 16 -r "$HALF") || exit 1
echo "$LH"

echo "-- 1000 idle connections, after the load"
IDLE1=$(run_idle) || exit 1
echo "$IDLE1"

HWM=$(status_kb VmHWM)
echo "-- daemon peak RSS (VmHWM): ${HWM:-?} kB"
stop_daemon why

if [ -x "$HERE/smtp.sh" ]; then
	echo "-- tests/bench/smtp.sh"
	mkdir -p "$TMP/smtp"
	BUILD=$BUILD BIN=$BIN BENCH_SECONDS=$BENCH_SECONDS BENCH_TMP=$TMP/smtp \
	    "$HERE/smtp.sh" || fail "tests/bench/smtp.sh failed"
fi

if [ -x "$HERE/http.sh" ]; then
	echo "-- tests/bench/http.sh"
	mkdir -p "$TMP/http"
	BUILD=$BUILD BIN=$BIN BENCH_SECONDS=$BENCH_SECONDS BENCH_TMP=$TMP/http \
	    ILP16_RATE=$R16 ILP16_CPU=$(field intaked_cpu "$L16") \
	    "$HERE/http.sh" || fail "tests/bench/http.sh failed"
fi

if [ -x "$HERE/outbox.sh" ]; then
	echo "-- tests/bench/outbox.sh"
	mkdir -p "$TMP/outbox"
	BUILD=$BUILD BIN=$BIN BENCH_SECONDS=$BENCH_SECONDS \
	    BENCH_TMP=$TMP/outbox "$HERE/outbox.sh" ||
	    fail "tests/bench/outbox.sh failed"
fi

echo "-- sqlite ceiling (same filesystem as the daemon's data_dir)"
CSEC=$((BENCH_SECONDS / 2))
[ $CSEC -ge 2 ] || CSEC=2
timeout 120 "$CEILING" -d "$CSEC" -D "$TMP" -b 100 -b 256 -b 1000 \
    > "$OUT" || fail "sqlite_ceiling failed"
cat "$OUT"
ceiling() {	# $1 = batch: its rows/s from the output
	sed -n "s/^sqlite ceiling batch=$1: \([0-9]*\) rows.*/\1/p" "$OUT"
}
CEILS="$(ceiling 100) / $(ceiling 256) / $(ceiling 1000)"
CEIL=$(ceiling "$CEILING_BATCH")
if [ -z "$CEIL" ]; then
	timeout 120 "$CEILING" -d "$CSEC" -D "$TMP" -b "$CEILING_BATCH" \
	    > "$OUT" || fail "sqlite_ceiling failed"
	cat "$OUT"
	CEIL=$(ceiling "$CEILING_BATCH")
fi

# The summary: one row per figure, the target beside it, ok or MISSED.
awk -v l1="$L1" -v l16="$L16" -v l64="$L64" -v lh="$LH" -v half="$HALF" \
    -v i0="$IDLE0" -v i1="$IDLE1" -v hwm="${HWM:-0}" -v ceil="${CEIL:-0}" \
    -v batch="$CEILING_BATCH" -v ceils="$CEILS" "$AWK_GET"'
function row(what, value, target, verdict) {
	printf "%-36s %-34s %-10s %s\n", what, value, target, verdict
}
function verdict(ok) { return ok ? "ok" : "MISSED" }
# the largest per-thread CPU share (fraction of one core) of a run
function busiest(line,   s, n, i, a, m) {
	s = line
	if (!sub(/.*threads=/, "", s))
		return 0
	sub(/ .*/, "", s)
	n = split(s, a, ",")
	for (i = 1; i <= n; i++)
		if (a[i] + 0 > m)
			m = a[i] + 0
	return m / 100
}
BEGIN {
	r1 = get(l1, "rate"); r16 = get(l16, "rate"); r64 = get(l64, "rate")
	p99h = get(lh, "p99")
	frac = ceil > 0 ? 100 * r16 / ceil : 0
	rss0 = get(i0, "rss_idle_kb") / 1024
	rss1 = get(i1, "rss_idle_kb") / 1024
	print ""
	print "== summary"
	row("figure", "measured", "target", "")
	row("reports/s, 1 conn", sprintf("%.0f", r1), "", "")
	row("reports/s, 16 conns", sprintf("%.0f", r16), ">= 20000",
	    verdict(r16 >= 20000))
	row("reports/s, 64 conns", sprintf("%.0f", r64), "", "")
	b16 = busiest(l16)
	if (b16 > 0)
		row("16 conns: busiest thread per report",
		    sprintf("%.0f us CPU (%.0f/s on a free core)",
		    b16 * 1e6 / r16, r16 / b16), "", "")
	row("p50 / p99, 1 conn", sprintf("%.2f / %.2f ms", get(l1, "p50"),
	    get(l1, "p99")), "", "")
	row("p50 / p99, 16 conns", sprintf("%.2f / %.2f ms", get(l16, "p50"),
	    get(l16, "p99")), "", "")
	row("p50 / p99, 64 conns", sprintf("%.2f / %.2f ms", get(l64, "p50"),
	    get(l64, "p99")), "", "")
	row(sprintf("p99, 16 conns at %d/s (half)", half),
	    sprintf("%.2f ms", p99h), "< 25 ms", verdict(p99h >= 0 && p99h < 25))
	row("sqlite ceiling b=100 / 256 / 1000", ceils " /s", "", "")
	row(sprintf("16 conns / sqlite ceiling b=%d", batch),
	    sprintf("%.0f%% of %d/s", frac, ceil), ">= 70%", verdict(frac >= 70))
	row("RSS, 1000 idle conns, after load", sprintf("%.1f MB", rss1),
	    "< 30 MB", verdict(rss1 > 0 && rss1 < 30))
	row("RSS, 1000 idle conns, fresh", sprintf("%.1f MB", rss0), "", "")
	row("peak RSS (VmHWM)", sprintf("%.1f MB", hwm / 1024), "", "")
	e = get(l1, "errors") + get(l16, "errors") + get(l64, "errors") + \
	    get(lh, "errors")
	u = get(l1, "unacked") + get(l16, "unacked") + get(l64, "unacked") + \
	    get(lh, "unacked")
	row("error replies / unacked", sprintf("%d / %d", e, u), "0 / 0",
	    verdict(e == 0 && u == 0))
}'
exit 0
