#!/bin/sh
# outbox.sh - the outbound part of `make bench`: the web form's rate with
# receipts (every report has an e-mail address, so its receipt is composed
# and queued in the outbox in the report's own transaction) against the
# rate without (a phone number only: no mail), with the relay up; then how
# fast the outbox drains to Postfix's smtp-sink.
#
#   1. intaked with [outbound] smarthost = smtp-sink, receipts_per_address
#      and the form's rate limits raised: httpsload -m form -N (no
#      receipts), then httpsload -m form (receipts), BENCH_SECONDS each,
#      HTTP_CONNS connections;
#   2. a fresh intaked whose smarthost port is closed: httpsload -m form
#      for BENCH_SECONDS fills the outbox (the sender retries every
#      second); then smtp-sink starts on that port and the outbox's depth
#      (/healthz) is polled until it is empty: mails/s.
#
# Needs smtp-sink (Debian package postfix; this script does not install
# it: its package starts a mail server): without it, prints "skipped".
# Environment: BUILD, BIN, BENCH_SECONDS (default 10), BENCH_TMP,
# HTTP_CONNS (default 64). Exit status 0 when everything ran.

BUILD=${BUILD:-build}
BIN=${BIN:-bin}
BENCH_SECONDS=${BENCH_SECONDS:-10}
HTTP_CONNS=${HTTP_CONNS:-64}
HERE=$(cd "$(dirname "$0")" && pwd)
HTTPSLOAD=$BUILD/bench/httpsload
BENCH_NAME="outbox bench"
# shellcheck source=tests/bench/lib.sh
. "$HERE/lib.sh"

if ! command -v smtp-sink > /dev/null 2>&1; then
	echo "== outbox bench: skipped (no smtp-sink: Debian package postfix)"
	exit 0
fi
if [ -n "$BENCH_TMP" ]; then
	mkdir -p "$BENCH_TMP" || exit 1
	TMP=$(mktemp -d "$BENCH_TMP/outbox.XXXXXX") || exit 1
else
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/intaked-outbox-bench.XXXXXX") ||
	    exit 1
fi
PID=
SINK_PID=
LOG=$TMP/intaked.log
OUT=$TMP/out
trap 'cleanup why' EXIT
trap 'exit 130' INT TERM

https_ready() {
	"$HTTPSLOAD" -h 127.0.0.1 -p "$1" -I 1 -s 0 > /dev/null 2>&1
}
sink_ready() {
	python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
sys.exit(0 if s.makefile("rb").readline().startswith(b"220") else 1)' "$1" \
	    2> /dev/null
}
start_sink() {
	if [ "$(id -u)" -eq 0 ]; then
		smtp-sink -u nobody "127.0.0.1:$1" 256 > "$TMP/sink.log" 2>&1 &
	else
		smtp-sink "127.0.0.1:$1" 256 > "$TMP/sink.log" 2>&1 &
	fi
	SINK_PID=$!
	wait_ready "$SINK_PID" smtp-sink "$1" sink_ready "$1"
}
# the outbox's depth, from /healthz
depth() {
	curl -sk "https://127.0.0.1:$PORT/healthz" |
	    sed -n 's/.*"outbox":\([0-9]*\).*/\1/p'
}
daemon() {	# daemon SMARTHOST_PORT
	PORT=$(free_port) || fail "no free port"
	rm -rf "$TMP/var"
	start_daemon "outbox bench run (tests/bench/outbox.sh)" "$PORT" \
	    https_ready "$PORT" <<CONF
[line]
listen =
tls_listen =

[smtp]
listen =

[http]
listen = 127.0.0.1:$PORT
max_per_ip = 2000
max_sessions = 4096
form_rate_per_ip = 1000000
form_rate_per_address = 1000000

[tls]
handshake_rate = 1000000

[contact]
email = ir@bench.example

[outbound]
smarthost = 127.0.0.1:$1
from = cert@bench.example
starttls = no
receipts_per_address = 1000000
retry_first = 1s
CONF
}
form() {
	run_load "httpsload -m form $*" '^https mode=form' names "$HTTPSLOAD" \
	    -h 127.0.0.1 -p "$PORT" -d "$BENCH_SECONDS" -m form \
	    -c "$HTTP_CONNS" "$@"
}

echo "== outbox bench: $(nproc) CPUs, BENCH_SECONDS=$BENCH_SECONDS"
SPORT=$(free_port) || fail "no free port"
start_sink "$SPORT"
daemon "$SPORT"
echo "-- form, no e-mail address (no receipt)"
OFF=$(form -N) || exit 1
echo "$OFF"
echo "-- form, with an e-mail address (a receipt each, relay up)"
ON=$(form) || exit 1
echo "$ON"
stop_daemon why
stop "$SINK_PID" smtp-sink
SINK_PID=

DPORT=$(free_port) || fail "no free port"
daemon "$DPORT"
echo "-- filling the outbox, relay down"
FILL=$(form) || exit 1
echo "$FILL"
sleep 2
N0=$(depth)
[ -n "$N0" ] && [ "$N0" -gt 0 ] || fail "the outbox did not fill (${N0:-?})"
t0=$(date +%s.%N)
start_sink "$DPORT"
n=$N0
i=0
while [ "${n:-1}" -gt 0 ] && [ $i -lt 1200 ]; do
	sleep 0.1
	n=$(depth)
	i=$((i + 1))
done
t1=$(date +%s.%N)
[ "${n:-1}" -eq 0 ] || fail "the outbox did not drain in 120 s ($n left)"
DRAIN=$(awk -v n="$N0" -v a="$t0" -v b="$t1" 'BEGIN {
	printf "%.0f", n / (b - a) }')
echo "outbox drained $N0 mails in $(awk -v a="$t0" -v b="$t1" \
    'BEGIN { printf "%.1f", b - a }') s: $DRAIN mails/s (sender retry" \
    "within 1 s included)"

echo
echo "== outbox summary"
awk "$AWK_GET"'
BEGIN {
	off = get(ARGV[1], "rate"); on = get(ARGV[2], "rate")
	printf "%-44s %10s %s\n", "form posts/s, no receipt", off "/s", ""
	printf "%-44s %10s %s\n", "form posts/s, with receipts", on "/s",
	    sprintf("%.0f%% of no receipt (target >= 80%%)",
	    off > 0 ? 100 * on / off : 0)
	printf "%-44s %10s %s\n", "outbox drain to smtp-sink", ARGV[3] "/s",
	    "(target >= 1000/s)"
	exit
}' "$OFF" "$ON" "$DRAIN"
