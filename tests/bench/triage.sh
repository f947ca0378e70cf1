#!/bin/sh
# triage.sh - the triage bench (not part of `make test` nor, for its
# length, of `make bench`: run it with `sh tests/bench/triage.sh` after
# `make all` and the bench programs: `make build/bench/triage_gen
# build/bench/httpsload build/bench/loadgen`).
#
#   1. A database of TRIAGE_REPORTS reports (default 1,000,000) in
#      TRIAGE_INCIDENTS incidents (default 100,000) over the year 2026,
#      made by triage_gen through the writer's SQL; or a copy of
#      TRIAGE_DB (an intaked.db made before, to save the minute).
#   2. intaked on it: HTTPS and the line protocol on free loopback ports,
#      a triage token and a submitter token.
#   3. The year's statistics: `intakectl stats --period 2026 --json`, wall
#      time of 3 runs; GET /api/v1/stats?period=2026, one connection.
#   4. Alone, then while loadgen sends ILP reports at half the rate it
#      reached alone (16 connections, closed loop, first): the queue page
#      (GET /api/v1/incidents?limit=50), a filtered page (category and
#      severity) and the detail of 1,000 random incidents in turn, each
#      with httpsload -m get, 16 keep-alive connections, closed loop,
#      BENCH_SECONDS: requests/s and p99; and the ILP rate reached during
#      the reads against the half rate alone.
# Prints the figures and a summary with the targets (list and detail p99
# under 5 ms, a year's statistics under 1 s, the ILP rate during the
# reads at least 90% of the rate without them).
#
# Environment: BUILD, BIN, BENCH_SECONDS (default 10), TRIAGE_REPORTS,
# TRIAGE_INCIDENTS, TRIAGE_DB, TRIAGE_KEEP (a path: the generated
# database is copied there for the next run).
#
# Exit status: 0 when everything ran, whatever the figures; 1 when
# something could not run.

BUILD=${BUILD:-build}
BIN=${BIN:-bin}
BENCH_SECONDS=${BENCH_SECONDS:-10}
TRIAGE_REPORTS=${TRIAGE_REPORTS:-1000000}
TRIAGE_INCIDENTS=${TRIAGE_INCIDENTS:-100000}
HERE=$(cd "$(dirname "$0")" && pwd)
GEN=$BUILD/bench/triage_gen
HTTPSLOAD=$BUILD/bench/httpsload
LOADGEN=$BUILD/bench/loadgen

TMP=$(mktemp -d "${TMPDIR:-/tmp}/intaked-triage-bench.XXXXXX") || exit 1
PID=
LOG=$TMP/intaked.log
OUT=$TMP/out
BENCH_NAME="triage bench"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
trap 'cleanup why' EXIT
trap 'exit 1' INT TERM HUP

for p in "$GEN" "$HTTPSLOAD" "$LOADGEN" "$BIN/intaked" "$BIN/intakectl"; do
	[ -x "$p" ] || fail "$p missing (make all build/bench/triage_gen" \
	    "build/bench/httpsload build/bench/loadgen)"
done

# field NAME LINE: the value of NAME=value in a result line, units dropped.
field() {
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=\([0-9.]*\).*/\1/p"
}

mkdir -p "$TMP/var"
if [ -n "$TRIAGE_DB" ]; then
	echo "-- database: a copy of $TRIAGE_DB"
	cp "$TRIAGE_DB" "$TMP/var/intaked.db" || fail "cannot copy $TRIAGE_DB"
else
	echo "-- database: $TRIAGE_REPORTS reports in $TRIAGE_INCIDENTS" \
	    "incidents (triage_gen)"
	"$GEN" -D "$TMP/var" -r "$TRIAGE_REPORTS" -i "$TRIAGE_INCIDENTS" \
	    > "$OUT.gen" 2> "$OUT.gen.err" || {
		cat "$OUT.gen.err" >&2
		fail "triage_gen failed"
	}
	cat "$OUT.gen"
	[ -z "$TRIAGE_KEEP" ] || cp "$TMP/var/intaked.db" "$TRIAGE_KEEP"
fi

HTTP_PORT=$(free_port)
LINE_PORT=$(free_port)
https_ready() {
	"$HTTPSLOAD" -h 127.0.0.1 -p "$HTTP_PORT" -I 1 -s 0 > /dev/null 2>&1
}
start_daemon "triage bench" "$HTTP_PORT" https_ready <<EOF
[line]
listen = 127.0.0.1:$LINE_PORT
tls_listen =
require_auth = yes
max_per_ip = 1000
[smtp]
listen =
[http]
listen = 127.0.0.1:$HTTP_PORT
public_url = https://127.0.0.1:$HTTP_PORT
max_per_ip = 1000
EOF
TRIAGE=$("$BIN/intakectl" -c "$CONF" token add bench-analyst --role triage \
    2>/dev/null) || fail "cannot add a triage token"
SUBMIT=$("$BIN/intakectl" -c "$CONF" token add bench-partner \
    --role submitter 2>/dev/null) || fail "cannot add a submitter token"

echo "-- the year's statistics"
STATS_MS=
for i in 1 2 3; do
	t0=$(date +%s%N)
	"$BIN/intakectl" -c "$CONF" stats --period 2026 --json > "$OUT.stats" ||
	    fail "intakectl stats failed"
	t1=$(date +%s%N)
	ms=$(( (t1 - t0) / 1000000 ))
	echo "intakectl stats --period 2026: ${ms} ms"
	STATS_MS="$STATS_MS $ms"
done
head -c 300 "$OUT.stats"
echo " ..."
STATS_API=$("$HTTPSLOAD" -h 127.0.0.1 -p "$HTTP_PORT" -m get -c 1 -d 5 \
    -t "$TRIAGE" -u "/api/v1/stats?period=2026")
echo "GET /api/v1/stats?period=2026: $STATS_API"

# 1000 random incidents for the detail requests
python3 - "$TMP/var/intaked.db" > "$TMP/detail.paths" <<'PY' ||
import random, sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
n = db.execute("SELECT max(id) FROM incidents").fetchone()[0]
rnd = random.Random(7)
for i in rnd.sample(range(1, n + 1), min(1000, n)):
    print("/api/v1/incidents/" + db.execute(
        "SELECT code FROM incidents WHERE id = ?", (i,)).fetchone()[0])
PY
    fail "cannot pick incidents"

LIST=/api/v1/incidents?limit=50
FILTERED="/api/v1/incidents?limit=50&category=scan,spam&severity=low"

reads() {	# reads LABEL: the three read loads, one after the other
	for what in list filtered detail; do
		case $what in
		list)		args="-u $LIST" ;;
		filtered)	args="-u $FILTERED" ;;
		detail)		args="-U $TMP/detail.paths" ;;
		esac
		# shellcheck disable=SC2086
		r=$("$HTTPSLOAD" -h 127.0.0.1 -p "$HTTP_PORT" -m get -c 16 \
		    -d "$BENCH_SECONDS" -t "$TRIAGE" $args) ||
		    fail "httpsload $what failed"
		echo "$1 $what: $r"
		eval "R_$1_$what=\"\$r\""
	done
}

echo "-- reads alone (16 connections each)"
reads alone

echo "-- ILP alone (16 connections, closed loop)"
L16=$("$LOADGEN" -h 127.0.0.1 -p "$LINE_PORT" -t "$SUBMIT" -c 16 \
    -d "$BENCH_SECONDS") || fail "loadgen failed"
echo "$L16"
R16=$(field rate "$L16")
HALF=$(echo "$R16" | awk '{ printf "%d", $1 / 2 }')
LH=$("$LOADGEN" -h 127.0.0.1 -p "$LINE_PORT" -t "$SUBMIT" -c 16 \
    -d "$BENCH_SECONDS" -r "$HALF") || fail "loadgen failed"
echo "ILP at half rate alone: $LH"

echo "-- reads while ILP runs at half rate ($HALF reports/s)"
"$LOADGEN" -h 127.0.0.1 -p "$LINE_PORT" -t "$SUBMIT" -c 16 \
    -d $((3 * BENCH_SECONDS + 6)) -r "$HALF" > "$OUT.ilp" 2>&1 &
LPID=$!
sleep 1
reads loaded
wait "$LPID" || fail "loadgen during the reads failed"
LD=$(cat "$OUT.ilp")
echo "ILP at half rate during the reads: $LD"

# the summary
med=$(echo "$STATS_MS" | tr ' ' '\n' | sed '/^$/d' | sort -n | sed -n 2p)
pct=$(awk -v a="$(field rate "$LD")" -v b="$(field rate "$LH")" \
    'BEGIN { if (b > 0) printf "%.0f", 100 * a / b; else print "?" }')
echo
echo "== triage bench summary ($TRIAGE_REPORTS reports, $TRIAGE_INCIDENTS incidents)"
printf '%-44s %-22s %s\n' "figure" "measured" "target"
printf '%-44s %-22s %s\n' "year's statistics, intakectl (median of 3)" \
    "${med} ms" "< 1000 ms"
printf '%-44s %-22s %s\n' "year's statistics, API p99" \
    "$(field p99 "$STATS_API") ms" "< 1000 ms"
for w in list filtered detail; do
	eval "a=\$R_alone_$w; l=\$R_loaded_$w"
	printf '%-44s %-22s %s\n' "$w: alone rate / p99" \
	    "$(field rate "$a")/s $(field p99 "$a") ms" "p99 < 5 ms"
	printf '%-44s %-22s %s\n' "$w: with ILP at half rate, rate / p99" \
	    "$(field rate "$l")/s $(field p99 "$l") ms" "p99 < 5 ms"
done
printf '%-44s %-22s %s\n' "ILP 16 connections, closed loop" "$R16/s" ""
printf '%-44s %-22s %s\n' "ILP at half rate: alone / during reads" \
    "$(field rate "$LH")/s $(field rate "$LD")/s" ""
printf '%-44s %-22s %s\n' "ILP during reads, % of alone" "$pct%" ">= 90%"
stop_daemon || fail "intaked did not stop cleanly"
exit 0
