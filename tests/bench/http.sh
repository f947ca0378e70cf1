#!/bin/sh
# http.sh - the HTTPS part of `make bench`: public pages next to nginx on
# the same machine and the same kind of certificate, durable API and web
# form submissions (each answered only after its commit), and the memory
# of 1,000 idle HTTPS keep-alive connections.
#
# Starts $BIN/intaked with an HTTPS listener on a free loopback port (a
# temporary data_dir, so its self-signed ECDSA P-256 certificate in
# data_dir/tls; session caps, per-address caps, the TLS handshake rate and
# the form's rate limits raised so that the bench measures throughput, not
# them), creates a submitter token, then:
#   - httpsload -I 1000: 1000 connections, TLS handshake and one GET / each,
#     then idle; the daemon's VmRSS (fresh daemon);
#   - nginx (Debian's) with a private configuration in BENCH_TMP: one
#     worker, `return 200 "ok"` over HTTPS keep-alive on a free loopback
#     port, intaked's own certificate and key; wrk against it; stopped;
#   - wrk over HTTPS keep-alive: GET / and GET /.well-known/security.txt;
#   - httpsload -m api: POST /api/v1/reports, closed loop, HTTP_CONNS
#     connections; then open loop at half that rate (latency);
#   - httpsload -m form: POST /report, multipart, csrf fetched once, a
#     small attachment, closed loop, HTTP_CONNS connections;
#   - httpsload -I 1000 again, after the load; the daemon's peak RSS.
# Every load is a separate process on loopback, BENCH_SECONDS long. Prints
# a summary table with the targets beside the figures.
#
# wrk and nginx: when missing and running as root, installed with apt-get
# (Debian packages wrk, nginx); otherwise the nginx figures say "skipped",
# and without wrk the pages are measured with httpsload -m get instead.
#
# Environment: BUILD (has bench/), BIN (intaked, intakectl), BENCH_SECONDS
# (default 10), BENCH_TMP (a scratch directory; default: a new one in
# TMPDIR), ILP16_RATE and ILP16_CPU (the ILP 16-connection reports/s and
# intaked's CPU use in %, that run.sh measured in the same run; when the rate
# is empty, loadgen -c 16 measures both here against a line listener of the
# same daemon, after the API run), HTTP_CONNS (default 64, the daemon's default
# [http] max_per_ip), PAGE_CONNS (default 32, wrk's connections; wrk runs one
# thread), HTTP_INSTALL (default yes: may apt-get install wrk and nginx
# when root; no: never).
#
# Exit status: 0 when everything ran, whatever the figures (a missed target
# is a measurement, not a failure); 1 when something could not run.

BUILD=${BUILD:-build}
BIN=${BIN:-bin}
BENCH_SECONDS=${BENCH_SECONDS:-10}
HTTP_CONNS=${HTTP_CONNS:-64}
PAGE_CONNS=${PAGE_CONNS:-32}
HTTP_INSTALL=${HTTP_INSTALL:-yes}
HERE=$(cd "$(dirname "$0")" && pwd)
HTTPSLOAD=$BUILD/bench/httpsload
LOADGEN=$BUILD/bench/loadgen
WRK_LUA=$HERE/wrk_report.lua

if [ -n "$BENCH_TMP" ]; then
	mkdir -p "$BENCH_TMP" || exit 1
	TMP=$(mktemp -d "$BENCH_TMP/http.XXXXXX") || exit 1
else
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/intaked-http-bench.XXXXXX") || exit 1
fi
PID=
NGINX_PID=
LOG=$TMP/intaked.log
OUT=$TMP/out

BENCH_NAME="http bench"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# The EXIT trap: nginx first (it reads intaked's files), then lib.sh's.
# shellcheck disable=SC2317,SC2119  # run by the trap; cleanup takes no why
http_cleanup() {
	[ -z "$NGINX_PID" ] || stop "$NGINX_PID" nginx
	NGINX_PID=
	cleanup
}
trap http_cleanup EXIT
trap 'exit 1' INT TERM HUP

# https_ready PORT: the server there answers GET / with 200 over HTTPS.
# shellcheck disable=SC2317  # run by wait_ready
https_ready() {
	"$HTTPSLOAD" -h 127.0.0.1 -p "$1" -I 1 -s 0 > /dev/null 2>&1
}

# run_idle: 1000 idle HTTPS connections; prints the https_idle line.
run_idle() {
	timeout 120 "$HTTPSLOAD" -h 127.0.0.1 -p "$PORT" -I 1000 -s 4 \
	    -P "$PID" > "$OUT" 2> "$OUT.err"
	rc=$?
	cat "$OUT.err" >&2
	grep -q '^https_idle' "$OUT" || fail "httpsload -I 1000 failed" \
	    "(exit $rc)"
	[ $rc -eq 0 ] || echo "http bench: not every idle connection was" \
	    "answered: $(cat "$OUT")" >&2
	alive "$PID" || fail "intaked died during httpsload -I 1000"
	cat "$OUT"
}

# run_https ARGS...: one httpsload run against intaked; its line plus the
# daemon's CPU use per thread.
run_https() {
	run_load "httpsload $*" '^https mode=' names "$HTTPSLOAD" \
	    -h 127.0.0.1 -p "$PORT" -d "$BENCH_SECONDS" "$@"
}

# page_run PORT PATH [other]: one closed-loop run of GET PATH on PORT with
# wrk (one thread, PAGE_CONNS connections, keep-alive), or httpsload -m get
# when there is no wrk. Prints one line: "wrk ... rate=N/s ..." or "https
# mode=get ...", plus intaked's CPU use unless "other" (another server).
# Call it in a command substitution: "other" clears PID in that subshell.
page_run() {
	[ "$3" != other ] || PID=
	if [ -n "$WRK" ]; then
		run_load "wrk https://127.0.0.1:$1$2" '^wrk requests=' plain \
		    "$WRK" -t 1 -c "$PAGE_CONNS" -d "${BENCH_SECONDS}s" \
		    -s "$WRK_LUA" "https://127.0.0.1:$1$2" > "$OUT.page" ||
		    exit 1
		# wrk's own report first, the Lua line (and the CPU use) last
		tail -n 1 "$OUT.page"
	else
		run_load "httpsload -m get -u $2" '^https mode=' plain \
		    "$HTTPSLOAD" -h 127.0.0.1 -p "$1" -m get -u "$2" \
		    -c "$PAGE_CONNS" -d "$BENCH_SECONDS"
	fi
}

# tls_info PORT: the protocol and cipher a default client gets there.
tls_info() {
	python3 - "$1" <<'PYEOF' 2> /dev/null || echo "?"
import socket, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5) as raw:
    with ctx.wrap_socket(raw) as s:
        print(s.version(), s.cipher()[0])
PYEOF
}

# store_counts: "reports commits commit_seconds" of the daemon, from its
# /metrics (open to 127.0.0.1 by default); "0 0 0" when unreadable.
store_counts() {
	python3 - "$PORT" <<'PYEOF' 2> /dev/null || echo "0 0 0"
import ssl, sys, urllib.request
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
url = "https://127.0.0.1:%s/metrics" % sys.argv[1]
r = c = s = 0.0
for line in urllib.request.urlopen(url, context=ctx, timeout=5).read() \
        .decode().splitlines():
    if line.startswith("intaked_reports_total{"):
        r += float(line.split()[-1])
    elif line.startswith("intaked_commit_seconds_count "):
        c = float(line.split()[-1])
    elif line.startswith("intaked_commit_seconds_sum "):
        s = float(line.split()[-1])
print("%d %d %f" % (r, c, s))
PYEOF
}

# batches BEFORE AFTER: "reports_per_commit=N commit_ms=N" between two
# store_counts.
batches() {
	echo "$1 $2" | awk '{ r = $4 - $1; c = $5 - $2; s = $6 - $3
	    if (c > 0) printf "reports_per_commit=%.1f commit_ms=%.2f", r / c,
	        1000 * s / c }'
}

# task_ns PID: CPU time (ns) of all of PID's threads so far.
task_ns() {
	cat /proc/"$1"/task/*/schedstat 2> /dev/null |
	    awk '{ s += $1 } END { printf "%.0f", s }'
}

# --- tools ------------------------------------------------------------------

# find_tool NAME: its path (PATH, then /usr/sbin), or nothing.
find_tool() {
	command -v "$1" 2> /dev/null && return
	[ ! -x "/usr/sbin/$1" ] || echo "/usr/sbin/$1"
}

[ -x "$HTTPSLOAD" ] || fail "$HTTPSLOAD is missing (run make first)"
[ -x "$BIN/intaked" ] || fail "$BIN/intaked is missing (run make first)"
[ -x "$BIN/intakectl" ] || fail "$BIN/intakectl is missing (run make first)"
command -v python3 > /dev/null || fail "python3 is needed to find a free port"
[ -r "$WRK_LUA" ] || fail "$WRK_LUA is missing"

WRK=$(find_tool wrk)
NGINX=$(find_tool nginx)
MISSING=
[ -n "$WRK" ] || MISSING="$MISSING wrk"
[ -n "$NGINX" ] || MISSING="$MISSING nginx"
if [ -n "$MISSING" ] && [ "$(id -u)" -eq 0 ] && [ "$HTTP_INSTALL" = yes ]
then
	echo "-- installing the Debian packages:$MISSING (apt-get, as root)"
	# shellcheck disable=SC2086  # one word per package
	if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
	    update -qq > "$OUT" 2>&1 &&
	    DEBIAN_FRONTEND=noninteractive apt-get \
	    -o DPkg::Lock::Timeout=300 install -y -qq $MISSING \
	    >> "$OUT" 2>&1; then
		:
	else
		tail -n 5 "$OUT" >&2
		echo "http bench: apt-get install$MISSING failed" >&2
	fi
	WRK=$(find_tool wrk)
	NGINX=$(find_tool nginx)
fi
if [ -z "$WRK" ]; then
	echo "wrk not installed (Debian package wrk): the pages are measured" \
	    "with httpsload -m get instead"
fi
if [ -z "$NGINX" ]; then
	echo "nginx not installed (Debian package nginx): nginx figures" \
	    "skipped"
fi
if [ -z "$ILP16_RATE" ]; then
	[ -x "$LOADGEN" ] || fail "$LOADGEN is missing (run make first)," \
	    "or give ILP16_RATE"
fi

# --- the daemon -------------------------------------------------------------

PORT=$(free_port) || fail "no free port"
LINE=
if [ -z "$ILP16_RATE" ]; then
	LPORT=$(free_port) || fail "no free port"
	LINE=127.0.0.1:$LPORT
fi
start_daemon "HTTPS bench run (tests/bench/http.sh)" "$PORT" \
    https_ready "$PORT" <<EOF
[line]
listen = $LINE
tls_listen =
require_auth = yes
max_per_ip = 1100
max_sessions = 4096

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
EOF
CERT=$TMP/var/tls/cert.pem
KEY=$TMP/var/tls/key.pem
if [ ! -r "$CERT" ] || [ ! -r "$KEY" ]; then
	fail "no self-signed certificate in $TMP/var/tls"
fi

echo "== HTTPS bench: $(nproc) CPUs, BENCH_SECONDS=$BENCH_SECONDS," \
    "HTTPS port $PORT, data in $TMP/var"
echo "load average at start: $(cut -d ' ' -f 1-3 /proc/loadavg)" \
    "(anything else running on these CPUs lowers the figures)"
echo "certificate: $(openssl x509 -in "$CERT" -noout -text 2> /dev/null |
    sed -n 's/^ *Public Key Algorithm: *//p; s/^ *NIST CURVE: *//p' |
    tr '\n' ' ')(intaked's self-signed one, served by nginx too)"

"$BIN/intakectl" -c "$CONF" token add bench --role submitter > "$OUT" 2>&1 ||
    { cat "$OUT" >&2; fail "intakectl token add failed"; }
TOKEN=$(grep -o 'itk_[A-Za-z0-9_-]*' "$OUT" | head -n 1)
[ -n "$TOKEN" ] || { cat "$OUT" >&2; fail "no token in intakectl's output"; }

echo "-- 1000 idle HTTPS connections (handshake and GET / each), fresh daemon"
IDLE0=$(run_idle) || exit 1
echo "$IDLE0"

# --- nginx ------------------------------------------------------------------

NGX=
NGX_CPU=
if [ -n "$NGINX" ]; then
	NPORT=$(free_port) || fail "no free port"
	N=$TMP/nginx
	mkdir -p "$N" || fail "mkdir $N failed"
	cat > "$N/nginx.conf" <<EOF
# nginx beside intaked (tests/bench/http.sh): one worker, HTTPS keep-alive,
# intaked's own self-signed certificate, a fixed 200.
worker_processes 1;
pid $N/nginx.pid;
error_log $N/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $N/body;
    proxy_temp_path $N/proxy;
    fastcgi_temp_path $N/fastcgi;
    uwsgi_temp_path $N/uwsgi;
    scgi_temp_path $N/scgi;
    keepalive_timeout 60s;
    keepalive_requests 1000000000;
    server {
        listen 127.0.0.1:$NPORT ssl;
        ssl_certificate $CERT;
        ssl_certificate_key $KEY;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;
        location / {
            default_type text/plain;
            return 200 "ok";
        }
    }
}
EOF
	"$NGINX" -p "$N" -e "$N/error.log" -c "$N/nginx.conf" \
	    -g 'daemon off;' > "$N/stdout.log" 2>&1 < /dev/null &
	NGINX_PID=$!
	wait_ready "$NGINX_PID" nginx "$NPORT" https_ready "$NPORT"
	NGX_WORKER=$(ps -o pid= --ppid "$NGINX_PID" | head -n 1 | tr -d ' ')
	echo "-- nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'), one worker," \
	    "return 200 \"ok\", port $NPORT, $(tls_info "$NPORT")"
	c0=$(task_ns "${NGX_WORKER:-$NGINX_PID}")
	t0=$(date +%s.%N)
	NGX=$(page_run "$NPORT" / other) || exit 1
	t1=$(date +%s.%N)
	c1=$(task_ns "${NGX_WORKER:-$NGINX_PID}")
	NGX_CPU=$(awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" \
	    'BEGIN { printf "%.0f", (b - a) / 1e7 / (e - s) }')
	echo "$NGX nginx_worker_cpu=$NGX_CPU%"
	alive "$NGINX_PID" || fail "nginx died under the load"
	stop "$NGINX_PID" nginx
	NGINX_PID=
fi

# --- the pages --------------------------------------------------------------

if [ -n "$WRK" ]; then CLIENT="wrk, one thread"; else CLIENT="httpsload"; fi
echo "-- pages, closed loop, $PAGE_CONNS keep-alive connections ($CLIENT)," \
    "$(tls_info "$PORT")"
PHOME=$(page_run "$PORT" /) || exit 1
echo "GET / $PHOME"
PSEC=$(page_run "$PORT" /.well-known/security.txt) || exit 1
echo "GET /.well-known/security.txt $PSEC"

# --- submissions ------------------------------------------------------------

echo "-- POST /api/v1/reports, closed loop, $HTTP_CONNS connections"
S0=$(store_counts)
API=$(run_https -m api -c "$HTTP_CONNS" -t "$TOKEN") || exit 1
API="$API $(batches "$S0" "$(store_counts)")"
echo "$API"

ILP_SRC="run.sh"
if [ -z "$ILP16_RATE" ]; then
	echo "-- ILP/1 for comparison: loadgen -c 16 on the same daemon"
	S0=$(store_counts)
	L16=$(run_load "loadgen -c 16" '^conns=' plain "$LOADGEN" \
	    -h 127.0.0.1 -p "$LPORT" -t "$TOKEN" -d "$BENCH_SECONDS" -c 16) ||
	    exit 1
	L16="$L16 $(batches "$S0" "$(store_counts)")"
	echo "$L16"
	ILP16_RATE=$(echo "$L16" | sed -n 's/.* rate=\([0-9]*\).*/\1/p')
	ILP16_CPU=$(echo "$L16" | sed -n 's/.* intaked_cpu=\([0-9]*\).*/\1/p')
	ILP_SRC="loadgen here"
fi

HALF=$(echo "$API" | awk '{ for (i = 1; i <= NF; i++)
    if ($i ~ /^rate=/) { sub(/^rate=/, "", $i); h = int($i / 2) } }
    END { print (h < 1 ? 1 : h) }')
echo "-- POST /api/v1/reports, open loop at $HALF reports/s (half the" \
    "closed-loop rate), $HTTP_CONNS connections"
APIH=$(run_https -m api -c "$HTTP_CONNS" -t "$TOKEN" -r "$HALF") || exit 1
echo "$APIH"

echo "-- POST /report (multipart, csrf, 2 kB attachment), closed loop," \
    "$HTTP_CONNS connections"
S0=$(store_counts)
FORM=$(run_https -m form -c "$HTTP_CONNS") || exit 1
FORM="$FORM $(batches "$S0" "$(store_counts)")"
echo "$FORM"

echo "-- 1000 idle HTTPS connections, after the load"
IDLE1=$(run_idle) || exit 1
echo "$IDLE1"

HWM=$(status_kb VmHWM)
echo "-- daemon peak RSS (VmHWM): ${HWM:-?} kB"
stop_daemon || fail "intaked did not stop cleanly"

# --- summary ----------------------------------------------------------------

awk -v ngx="$NGX" -v ngxcpu="$NGX_CPU" -v home="$PHOME" -v sec="$PSEC" \
    -v api="$API" -v apih="$APIH" -v half="$HALF" -v form="$FORM" \
    -v ilp="${ILP16_RATE:-0}" -v ilpcpu="${ILP16_CPU:-0}" \
    -v ilpsrc="$ILP_SRC" -v i0="$IDLE0" \
    -v i1="$IDLE1" -v hwm="${HWM:-0}" -v conns="$HTTP_CONNS" \
    -v pconns="$PAGE_CONNS" "$AWK_GET"'
function row(what, value, target, verdict) {
	printf "%-44s %-38s %-16s %s\n", what, value, target, verdict
}
function verdict(ok) { return ok ? "ok" : "MISSED" }
function pos(v) { return v > 0 ? v : 0 }
function lat(line) {
	return sprintf("%.2f / %.2f ms", get(line, "p50"), get(line, "p99"))
}
# per CPU second of the server: rate / (cpu% / 100)
function per_cpu(rate, cpu) {
	return cpu > 0 ? sprintf("%.0f", rate / (cpu / 100)) : "?"
}
function page(what, line,   r, v) {
	r = get(line, "rate")
	if (nr > 0) {
		v = sprintf("%.0f/s = %.0f%% of nginx", r, 100 * r / nr)
		row(what, v, ">= 60% of nginx", verdict(r >= 0.6 * nr))
	} else
		row(what, sprintf("%.0f/s (nginx skipped)", r), ">= 60% of nginx",
		    "skipped")
}
BEGIN {
	nr = ngx == "" ? 0 : get(ngx, "rate")
	ra = get(api, "rate"); rf = get(form, "rate")
	p99h = get(apih, "p99")
	rss0 = get(i0, "rss_idle_kb") / 1024
	rss1 = get(i1, "rss_idle_kb") / 1024
	print ""
	print "== HTTPS summary (TLS keep-alive on loopback; every 201 and 303" \
	    " after its commit)"
	row("figure", "measured", "target", "")
	if (nr > 0)
		row("nginx return 200, " pconns " conns", sprintf("%.0f/s", nr),
		    "", "")
	else
		row("nginx return 200", "skipped (nginx not installed)", "", "")
	page("GET /, " pconns " conns", home)
	page("GET /.well-known/security.txt", sec)
	if (nr > 0 && ngxcpu > 0)
		row("  per server CPU second: nginx", per_cpu(nr, ngxcpu) \
		    " req", "", "")
	if (get(home, "intaked_cpu") > 0)
		row("  per server CPU second: GET /, security.txt",
		    per_cpu(get(home, "rate"), get(home, "intaked_cpu")) \
		    ", " per_cpu(get(sec, "rate"), get(sec, "intaked_cpu")) \
		    " req", "", "")
	row("p99: nginx, GET /, security.txt", sprintf("%s, %.2f, %.2f ms",
	    nr > 0 ? sprintf("%.2f", get(ngx, "p99")) : "-",
	    get(home, "p99"), get(sec, "p99")), "", "")
	if (ilp > 0)
		row("API reports/s, " conns " conns", sprintf("%.0f/s = %.0f%% " \
		    "of ILP", ra, 100 * ra / ilp), ">= 80% of ILP",
		    verdict(ra >= 0.8 * ilp))
	else
		row("API reports/s, " conns " conns", sprintf("%.0f/s", ra),
		    ">= 80% of ILP", "?")
	row("  ILP reports/s, 16 conns (" ilpsrc ")", sprintf("%.0f/s", ilp),
	    "", "")
	row("API p50 / p99, " conns " conns", lat(api), "", "")
	c = get(api, "intaked_cpu")
	if (c > 0 && ra > 0)
		row("  daemon CPU per report: API / ILP",
		    sprintf("%.0f / %s us", c / 100 * 1e6 / ra, (ilpcpu > 0 && \
		    ilp > 0) ? sprintf("%.0f", ilpcpu / 100 * 1e6 / ilp) : "?"),
		    "", "")
	if (get(api, "reports_per_commit") > 0)
		row("  API reports per commit, commit time",
		    sprintf("%.1f, %.2f ms", get(api, "reports_per_commit"),
		    get(api, "commit_ms")), "", "")
	row(sprintf("API p99 at %d/s (half), open loop", half),
	    sprintf("%.2f ms", p99h), "< 25 ms", verdict(p99h >= 0 && p99h < 25))
	row("form posts/s, " conns " conns", sprintf("%.0f/s", rf), "", "")
	row("form p50 / p99, " conns " conns", lat(form), "", "")
	c = get(form, "intaked_cpu")
	if (c > 0 && rf > 0)
		row("  daemon CPU per post, posts per commit",
		    sprintf("%.0f us, %.1f", c / 100 * 1e6 / rf,
		    get(form, "reports_per_commit")), "", "")
	row("RSS, 1000 idle HTTPS conns, after load", sprintf("%.1f MB", rss1),
	    "< 40 MB", verdict(rss1 > 0 && rss1 < 40))
	row("RSS, 1000 idle HTTPS conns, fresh", sprintf("%.1f MB", rss0), "",
	    "")
	row("peak RSS (VmHWM)", sprintf("%.1f MB", hwm / 1024), "", "")
	e = get(api, "errors") + get(apih, "errors") + get(form, "errors")
	u = get(api, "unanswered") + get(apih, "unanswered") + \
	    get(form, "unanswered")
	pe = pos(get(home, "errors")) + pos(get(sec, "errors")) + \
	    pos(get(home, "status_4xx_5xx")) + pos(get(sec, "status_4xx_5xx"))
	row("errors: submissions / unanswered / pages",
	    sprintf("%d / %d / %d", e, u, pe), "0 / 0 / 0",
	    verdict(e == 0 && u == 0 && pe == 0))
	if (match(api, /threads=[^ ]+/))
		printf "  (API, %s)\n", substr(api, RSTART, RLENGTH)
}'
exit 0
