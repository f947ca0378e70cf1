# shellcheck shell=sh
# lib.sh - shell functions shared by tests/bench/run.sh, smtp.sh and
# http.sh, which source it (`. "$(dirname "$0")/lib.sh"`). POSIX sh; it
# only defines functions and AWK_GET, and runs nothing.
#
# What they use of the sourcing script: BENCH_NAME (the prefix of the
# messages on stderr: "bench", "smtp bench", "http bench"), PID (the
# daemon's, empty when none is running or was started), SINK_PID
# (smtp.sh's smtp-sink; empty or unset elsewhere), TMP (the scratch
# directory, removed by cleanup), LOG (the daemon's log), OUT (a scratch
# file prefix), BENCH_SECONDS and BIN; start_daemon sets CONF.

# alive PID: running (kill -0 alone would also accept a zombie).
alive() {
	[ -n "$1" ] && [ -r "/proc/$1/status" ] &&
	    ! grep -qs '^State:[[:space:]]*Z' "/proc/$1/status"
}

# stop PID NAME: SIGTERM, up to 10 s, then SIGKILL; returns its exit status
# (wait's). STOP_SIGNALLED is 1 when it was still running, so the status is
# how it took the SIGTERM, 0 when it had exited by itself.
stop() {
	STOP_SIGNALLED=0
	[ -n "$1" ] || return 0
	if alive "$1"; then
		STOP_SIGNALLED=1
		kill -TERM "$1"
		i=0
		while alive "$1" && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if alive "$1"; then
			echo "$BENCH_NAME: $2 still running 10 s after SIGTERM;" \
			    "killed" >&2
			kill -KILL "$1"
		fi
	fi
	wait "$1"
}

# stop_daemon [why]: stops intaked ($PID, if set), clears PID and returns
# its exit status. Prints nothing when it exits 0 after the SIGTERM. Else,
# without "why": that it exited with status N; with "why": also whether it
# had exited by itself (then even with status 0) or on the SIGTERM.
stop_daemon() {
	[ -n "$PID" ] || return 0
	stop "$PID" intaked
	rc=$?
	if [ "$1" != why ]; then
		[ $rc -eq 0 ] ||
		    echo "$BENCH_NAME: intaked exited with status $rc" >&2
	elif [ "$STOP_SIGNALLED" -eq 0 ]; then
		echo "$BENCH_NAME: intaked had exited by itself, status $rc" \
		    "(a signal if > 128)" >&2
	elif [ $rc -ne 0 ]; then
		echo "$BENCH_NAME: intaked exited with status $rc after" \
		    "SIGTERM" >&2
	fi
	PID=
	return $rc
}

# cleanup [why]: the EXIT trap: stops the daemon (stop_daemon [why]) and
# smtp-sink if running, and removes TMP.
cleanup() {
	stop_daemon "$1"
	[ -z "$SINK_PID" ] || stop "$SINK_PID" smtp-sink
	SINK_PID=
	rm -rf "$TMP"
}

# fail MESSAGE...: MESSAGE and the end of the daemon's log on stderr, exit 1.
fail() {
	echo "$BENCH_NAME: $*" >&2
	if [ -s "$LOG" ]; then
		echo "--- last lines of the daemon's log:" >&2
		tail -n 20 "$LOG" >&2
	fi
	exit 1
}

# A free loopback TCP port (the kernel's choice, released at once).
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# wait_ready PID NAME PORT COMMAND...: up to 10 s for COMMAND (a probe of
# the server on PORT) to succeed; fails when NAME's PID, if given, exits.
wait_ready() {
	pid=$1 name=$2 port=$3
	shift 3
	i=0
	until "$@"; do
		[ -z "$pid" ] || alive "$pid" || fail "$name exited at start-up"
		i=$((i + 1))
		[ $i -lt 100 ] ||
		    fail "$name not answering on port $port after 10 s"
		sleep 0.1
	done
}

# start_daemon WHAT PORT PROBE...: writes TMP/intaked.conf (CONF): a
# comment naming WHAT, [daemon] with data_dir TMP/var and log_level warn,
# then the sections read from stdin; starts intaked on it (PID; its output
# goes to LOG) and waits for PROBE to succeed (wait_ready).
start_daemon() {
	what=$1
	shift
	mkdir -p "$TMP/var"
	CONF=$TMP/intaked.conf
	{
		echo "# intaked configuration of one $what"
		printf '[daemon]\ndata_dir = %s/var\nlog_level = warn\n\n' "$TMP"
		cat
	} > "$CONF"
	"$BIN/intaked" -c "$CONF" > "$LOG" 2>&1 < /dev/null &
	PID=$!
	wait_ready "$PID" intaked "$@"
}

# status_kb FIELD: VmRSS or VmHWM of the daemon, in kB.
status_kb() {
	sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$PID/status" \
	    2>/dev/null
}

# thread_ticks: "tid name run_ns wait_ns" of each of the daemon's threads:
# time on a CPU, and time runnable but waiting for one (/proc/.../schedstat);
# the main thread, which runs the event loop, is called "loop".
thread_ticks() {
	for t in /proc/"$PID"/task/*; do
		[ -r "$t/schedstat" ] || continue
		n=$(tr ' ' '_' < "$t/comm")
		[ "${t##*/}" != "$PID" ] || n=loop
		awk -v t="${t##*/}" -v n="$n" '{ print t, n, $1, $2 }' \
		    "$t/schedstat"
	done
}

# cpu_since FILE SECONDS [names]: the daemon's CPU use since the
# thread_ticks snapshot in FILE: "intaked_cpu=N% threads=N%,N%,...
# cpu_wait=N%,N%,..." (a thread is one core at 100%; main thread first;
# cpu_wait is the time a thread was ready to run but found no free CPU).
# With "names", each threads= share is "name:N%" (loop, then the parse
# workers ("intaked") and the store's writer). Nothing when PID is empty.
cpu_since() {
	[ -n "$PID" ] || return 0
	thread_ticks > "$1.now"
	awk -v secs="$2" -v names="$3" '
	    NR == FNR { run[$1] = $3; wait[$1] = $4; next }
	    { r = ($3 - run[$1]) / 1e7 / secs; w = ($4 - wait[$1]) / 1e7 / secs
	      total += r
	      rl = rl (rl == "" ? "" : ",") (names == "names" ? $2 ":" : "") \
	          sprintf("%.0f%%", r)
	      wl = wl (wl == "" ? "" : ",") sprintf("%.0f%%", w) }
	    END { printf "intaked_cpu=%.0f%% threads=%s cpu_wait=%s", total,
	      rl, wl }' "$1" "$1.now"
}

# run_load LABEL PATTERN THREADS COMMAND...: one load run: COMMAND (for
# BENCH_SECONDS + 40 s at the most), which must exit 0 and print a line
# matching PATTERN; its output, plus the daemon's CPU use during it
# (cpu_since ... THREADS: "names" or "plain"), goes to stdout. LABEL names
# the run in the messages ("loadgen -c 16").
run_load() {
	label=$1 pattern=$2 threads=$3
	shift 3
	[ -z "$PID" ] || thread_ticks > "$OUT.ticks"
	t0=$(date +%s.%N)
	timeout $((BENCH_SECONDS + 40)) "$@" > "$OUT" 2> "$OUT.err"
	rc=$?
	t1=$(date +%s.%N)
	if [ $rc -ne 0 ] || ! grep -q "$pattern" "$OUT"; then
		cat "$OUT.err" >&2
		fail "$label failed (exit $rc)"
	fi
	[ -s "$OUT.err" ] && sed 's/^/    /' "$OUT.err" | head -n 5 >&2
	[ -z "$PID" ] || alive "$PID" || fail "intaked died during $label"
	echo "$(cat "$OUT") $(cpu_since "$OUT.ticks" \
	    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$threads")"
}

# AWK_GET: an awk function for the summaries, to put before their programs:
# get(LINE, NAME): the number of NAME=value in LINE, units dropped, -1 if
# none.
# shellcheck disable=SC2034  # used by the scripts that source this
AWK_GET='
function get(line, name,   n, i, a, kv) {
	n = split(line, a, " ")
	for (i = 1; i <= n; i++) {
		split(a[i], kv, "=")
		if (kv[1] == name) {
			sub(/[^0-9.]+$/, "", kv[2])
			return kv[2] + 0
		}
	}
	return -1
}
'
