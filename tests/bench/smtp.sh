#!/bin/sh
# smtp.sh - the SMTP part of `make bench`: messages/s the mailbox accepts
# (each one durably committed before its "250 2.0.0"), and how fast the
# mail parsers go, next to Postfix's smtp-sink/smtp-source when installed.
#
# Starts $BIN/intaked with only an SMTP listener on a free loopback port
# (hostname mx.test.example, mailbox ir@test.example, session caps raised
# to 400, log_level warn, a temporary data_dir), or uses the daemon already
# listening on 127.0.0.1:$SMTP_PORT when that is set. Then:
#   - smtpload with 1, 20 and 100 sessions, MAIL+RCPT+DATA pipelined (-P,
#     as an MTA does when PIPELINING is advertised), and 20 sessions in
#     lock-step (no pipelining), messages of SMTP_SIZE bytes, BENCH_SECONDS
#     each, with the daemon's CPU use per thread beside each run;
#   - bench_mime (MIME parse only) and bench_mail (mail_to_reports: the
#     whole parse the daemon's worker thread does per message) on the
#     .eml files of the shared corpora when present, on a synthetic mixed
#     set of typical incident mail generated here, and bench_mail on
#     smtpload's own messages (what one parse thread can keep up with);
#   - if smtp-sink and smtp-source are on PATH: smtp-source against
#     smtp-sink (what this machine's network and CPUs allow an SMTP
#     exchange, with no storage) and against intaked, same session counts
#     and message size; otherwise a line saying they were skipped.
# Prints a summary table with the targets beside the figures.
#
# Environment: BUILD (has bench/), BIN (intaked), BENCH_SECONDS (default
# 10), BENCH_TMP (a scratch directory; default: a new one in TMPDIR),
# SMTP_SIZE (default 4096), SMTP_PORT (use a running daemon; it must
# accept ir@test.example or SMTP_RCPT), PARSE_SECONDS (default 3),
# BENCH_CORPUS (default ../shared/corpora beside the repository).
#
# Exit status: 0 when everything ran, whatever the figures (a missed target
# is a measurement, not a failure); 1 when something could not run.

BUILD=${BUILD:-build}
BIN=${BIN:-bin}
BENCH_SECONDS=${BENCH_SECONDS:-10}
SMTP_SIZE=${SMTP_SIZE:-4096}
SMTP_RCPT=${SMTP_RCPT:-ir@test.example}
PARSE_SECONDS=${PARSE_SECONDS:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BENCH_CORPUS=${BENCH_CORPUS:-$ROOT/../shared/corpora}
SMTPLOAD=$BUILD/bench/smtpload
BENCH_MIME=$BUILD/bench/bench_mime
BENCH_MAIL=$BUILD/bench/bench_mail

if [ -n "$BENCH_TMP" ]; then
	mkdir -p "$BENCH_TMP" || exit 1
	TMP=$(mktemp -d "$BENCH_TMP/smtp.XXXXXX") || exit 1
else
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/intaked-smtp-bench.XXXXXX") || exit 1
fi
PID=
SINK_PID=
LOG=$TMP/intaked.log
OUT=$TMP/out

BENCH_NAME="smtp bench"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# smtp_ready PORT: 0 when a server there greets with 220 within 2 s.
smtp_ready() {
	python3 - "$1" <<'EOF' 2> /dev/null
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
greeting = s.makefile("rb").readline()
s.sendall(b"QUIT\r\n")
sys.exit(0 if greeting.startswith(b"220") else 1)
EOF
}

# run_smtpload ARGS...: one run; its line plus the daemon's CPU use.
run_smtpload() {
	run_load "smtpload $*" '^smtp sessions=' names "$SMTPLOAD" \
	    -h 127.0.0.1 -p "$SMTP_PORT" -d "$BENCH_SECONDS" -s "$SMTP_SIZE" \
	    -r "$SMTP_RCPT" "$@"
}

# run_parse PROGRAM DIR [SUFFIX]: one parser bench; its line, or "-".
run_parse() {
	if timeout $((PARSE_SECONDS + 60)) "$1" "$2" "$PARSE_SECONDS" ${3:+"$3"} \
	    > "$OUT" 2> "$OUT.err" && [ -s "$OUT" ]; then
		cat "$OUT"
	else
		cat "$OUT.err" >&2
		echo "smtp bench: ${1##*/} $2 failed" >&2
		return 1
	fi
}

# gen_mixed DIR: a synthetic set of typical incident mail, CRLF: plain
# reports in quoted-printable, text+HTML alternatives, ARF feedback
# reports, X-ARF 4 (JSON), forwarded phishing (message/rfc822), and
# reports with a base64 attachment (a log excerpt); Vietnamese and English.
gen_mixed() {
	python3 - "$1" <<'EOF'
import base64, os, quopri, sys

out = sys.argv[1]
VI = ("Kính gửi Trung tâm, hệ thống của chúng tôi phát hiện địa chỉ "
      "{ip} dò quét cổng và thử đăng nhập SSH nhiều lần.")
EN = ("Our monitoring saw {ip} scanning ports and brute-forcing SSH on "
      "several hosts; the phishing page {url} is still online.")


def crlf(s):
    return s.replace("\r\n", "\n").replace("\n", "\r\n")


def head(i, subject, ctype, extra=""):
    return crlf(
        "Received: from mail.partner%d.test.example (mail.partner%d.test."
        "example [198.51.100.%d])\n\tby mx.test.example with ESMTPS;"
        " Tue, 7 Apr 2026 10:%02d:00 +0700\n"
        "From: =?utf-8?B?%s?= <soc@partner%d.test.example>\n"
        "To: ir@test.example\nSubject: %s\n"
        "Date: Tue, 7 Apr 2026 10:%02d:00 +0700\n"
        "Message-ID: <mixed-%d@partner%d.test.example>\nMIME-Version: 1.0\n"
        "%sContent-Type: %s\n\n" % (i % 50, i % 50, i % 250 + 1, i % 60,
        base64.b64encode("Nguyễn Thị Bình".encode()).decode(), i % 50,
        subject, i % 60, i, i % 50, extra, ctype))


def ip(i):
    return "%d.%d.%d.%d" % (45 + i % 100, i * 7 % 256, i * 13 % 256,
                            i % 254 + 1)


def url(i):
    return "http://login-%d.bank-verify.example/verify?id=%d" % (i, i * 31)


def text(i, lines):
    t = [VI.format(ip=ip(i)), EN.format(ip=ip(i), url=url(i)), ""]
    for k in range(lines):
        t.append("Apr  7 10:%02d:%02d web%02d sshd[%d]: Failed password for "
                 "invalid user admin from %s port %d ssh2"
                 % (k // 60 % 60, k % 60, k % 7, 2000 + i, ip(i),
                    30000 + k * 17))
    return "\n".join(t) + "\n"


def qp(s):
    return crlf(quopri.encodestring(s.encode()).decode())


def plain(i):
    return head(i, "=?utf-8?Q?B=C3=A1o_c=C3=A1o_s=E1=BB=B1_c=E1=BB=91?= "
                + ip(i), "text/plain; charset=utf-8",
                "Content-Transfer-Encoding: quoted-printable\r\n"
                ) + qp(text(i, 20))


def alternative(i):
    t = text(i, 12)
    html = "<html><body>" + "".join(
        "<p>%s</p>" % l.replace("&", "&amp;") for l in t.splitlines()) + \
        "</body></html>\n"
    return head(i, "Phishing report " + url(i),
                'multipart/alternative; boundary="alt-%d"' % i) + crlf(
        "--alt-%d\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: quoted-printable\n\n" % i) + qp(t) + \
        crlf("\n--alt-%d\nContent-Type: text/html; charset=utf-8\n"
             "Content-Transfer-Encoding: quoted-printable\n\n" % i) + \
        qp(html) + crlf("\n--alt-%d--\n" % i)


def arf(i):
    return head(i, "Abuse report for " + ip(i),
                'multipart/report; report-type=feedback-report; '
                'boundary="arf-%d"' % i) + crlf(
        "--arf-%d\nContent-Type: text/plain; charset=us-ascii\n\n"
        "This is an email abuse report for a message received from IP %s.\n"
        "\n--arf-%d\nContent-Type: message/feedback-report\n\n"
        "Feedback-Type: abuse\nUser-Agent: Feedback/1.0\nVersion: 1\n"
        "Original-Mail-From: <spam@sender%d.test.example>\n"
        "Arrival-Date: Tue, 7 Apr 2026 09:58:11 +0000\nSource-IP: %s\n"
        "Reported-Domain: sender%d.test.example\n\n--arf-%d\n"
        "Content-Type: message/rfc822\nContent-Disposition: inline\n\n"
        "Received: from mail.sender%d.test.example ([%s])\n"
        " by mx.partner.test.example; Tue, 7 Apr 2026 09:58:11 +0000\n"
        "From: <spam@sender%d.test.example>\nTo: <user@partner.test.example>"
        "\nSubject: Cheap pills\nDate: Tue, 7 Apr 2026 09:58:10 +0000\n"
        "Message-ID: <spam-%d@sender%d.test.example>\n\n"
        "Buy now at %s\n%s\n--arf-%d--\n"
        % (i, ip(i), i, i, ip(i), i, i, i, ip(i), i, i, i, url(i),
           "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n" * 30,
           i))


def xarf(i):
    js = ('{"Version": "4", "ReporterInfo": {"ReporterOrg": "Partner %d",'
          ' "ReporterOrgEmail": "soc@partner%d.test.example"}, "Report": {'
          '"ReportClass": "Activity", "ReportType": "LoginAttack", '
          '"Date": "2026-04-07T10:00:00Z", "SourceIp": "%s", '
          '"SourcePort": %d, "DestinationIp": "203.0.113.10", '
          '"DestinationPort": 22, "Service": "ssh", "Ongoing": "Yes", '
          '"Count": %d}}' % (i % 50, i % 50, ip(i), 30000 + i, 10 + i))
    return head(i, "abuse report about %s - LoginAttack" % ip(i),
                'multipart/mixed; boundary="xarf-%d"' % i,
                "X-ARF: YES\r\n") + crlf(
        "--xarf-%d\nContent-Type: text/plain; charset=utf-8\n\n"
        "Login attacks from %s against our SSH servers.\n\n--xarf-%d\n"
        "Content-Type: application/json; charset=utf-8\n"
        "Content-Disposition: attachment; filename=\"report.json\"\n\n"
        "%s\n--xarf-%d--\n" % (i, ip(i), i, js, i))


def forward(i):
    return head(i, "Fwd: Your account will be suspended",
                'multipart/mixed; boundary="fwd-%d"' % i) + crlf(
        "--fwd-%d\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n\n"
        "Chúng tôi nhận được thư lừa đảo dưới đây, xin kiểm tra.\n\n"
        "--fwd-%d\nContent-Type: message/rfc822\n\n"
        "Received: from [%s] by mail.partner.test.example\n"
        "From: \"Bank Security\" <security@bank-verify.example>\n"
        "To: customer@partner.test.example\n"
        "Subject: Your account will be suspended\n"
        "Date: Tue, 7 Apr 2026 08:00:00 +0000\n"
        "Message-ID: <phish-%d@bank-verify.example>\nMIME-Version: 1.0\n"
        "Content-Type: text/html; charset=utf-8\n\n"
        "<html><body><p>Dear customer, verify your account at "
        "<a href=\"%s\">%s</a> within 24 hours.</p>%s</body></html>\n"
        "--fwd-%d--\n" % (i, i, ip(i), i, url(i), url(i),
                          "<p>Security notice.</p>" * 40, i))


def attachment(i):
    log = text(i, 300).encode()
    b64 = base64.encodebytes(log).decode()
    return head(i, "Incident report with logs, " + ip(i),
                'multipart/mixed; boundary="att-%d"' % i) + crlf(
        "--att-%d\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n\n%s\n--att-%d\n"
        "Content-Type: text/plain; charset=utf-8; name=\"auth.log\"\n"
        "Content-Disposition: attachment; filename=\"auth.log\"\n"
        "Content-Transfer-Encoding: base64\n\n%s--att-%d--\n"
        % (i, text(i, 3), i, b64, i))


kinds = [(plain, 40), (alternative, 20), (arf, 20), (xarf, 10),
         (forward, 10), (attachment, 10)]
n = 0
for make, count in kinds:
    for k in range(count):
        with open(os.path.join(out, "%s-%03d.eml" % (make.__name__, k)),
                  "wb") as f:
            f.write(make(n).encode())
        n += 1
EOF
}

[ -x "$SMTPLOAD" ] || fail "$SMTPLOAD is missing (run make first)"
command -v python3 > /dev/null || fail "python3 is needed to find a free port"

# --- the daemon ------------------------------------------------------------

if [ -n "$SMTP_PORT" ]; then
	smtp_ready "$SMTP_PORT" || fail "nothing greets on 127.0.0.1:$SMTP_PORT"
	WHERE="the daemon already on port $SMTP_PORT"
else
	[ -x "$BIN/intaked" ] || fail "$BIN/intaked is missing (run make first)"
	SMTP_PORT=$(free_port) || fail "no free port"
	start_daemon "SMTP bench run (tests/bench/smtp.sh)" "$SMTP_PORT" \
	    smtp_ready "$SMTP_PORT" <<EOF
[line]
listen =
tls_listen =

[smtp]
listen = 127.0.0.1:$SMTP_PORT
tls_listen =
hostname = mx.test.example
mailboxes = $SMTP_RCPT
max_sessions = 400
max_per_ip = 400

[http]
listen =
EOF
	WHERE="port $SMTP_PORT, data in $TMP/var"
fi

echo "== SMTP bench: $(nproc) CPUs, BENCH_SECONDS=$BENCH_SECONDS," \
    "messages of $SMTP_SIZE bytes, $WHERE"
echo "load average at start: $(cut -d ' ' -f 1-3 /proc/loadavg)" \
    "(anything else running on these CPUs lowers the figures)"

echo "-- smtpload, MAIL+RCPT+DATA pipelined"
S1=$(run_smtpload -c 1 -P) || exit 1
echo "$S1"
S20=$(run_smtpload -c 20 -P) || exit 1
echo "$S20"
S100=$(run_smtpload -c 100 -P) || exit 1
echo "$S100"
echo "-- smtpload, 20 sessions in lock-step (no pipelining)"
S20L=$(run_smtpload -c 20) || exit 1
echo "$S20L"

if [ -n "$PID" ]; then
	HWM=$(status_kb VmHWM)
	echo "-- daemon peak RSS (VmHWM): ${HWM:-?} kB"
fi

# --- Postfix's smtp-source, against smtp-sink and against intaked -----------

# source_run PORT SESSIONS: "msgs/s" of smtp-source, -d (one connection
# per session), about BENCH_SECONDS long: a short run first finds the
# rate, then the count is chosen from it. "failed" when it fails.
source_run() {
	m=$(($2 * 20))
	[ $m -ge 200 ] || m=200
	for pass in 1 2; do
		t0=$(date +%s.%N)
		timeout $((BENCH_SECONDS * 3 + 30)) smtp-source -d -s "$2" \
		    -m "$m" -l "$SMTP_SIZE" -f bench@source.test.example \
		    -t "$SMTP_RCPT" -M smtp-source.test.example \
		    "127.0.0.1:$1" > "$OUT" 2>&1 || { cat "$OUT" >&2;
		    echo failed; return; }
		t1=$(date +%s.%N)
		rate=$(awk -v m="$m" -v a="$t0" -v b="$t1" \
		    'BEGIN { d = b - a; printf("%.0f", (d > 0 ? m / d : 0)) }')
		[ $pass -eq 1 ] || break
		m=$(awk -v r="$rate" -v s="$BENCH_SECONDS" -v n="$2" \
		    'BEGIN { m = int(r * s); if (m < n) m = n;
		      if (m > 5000000) m = 5000000; print m }')
	done
	echo "$rate"
}

PF_SINK1=; PF_SINK20=; PF_SINK100=; PF_D1=; PF_D20=; PF_D100=
if command -v smtp-sink > /dev/null 2>&1 &&
    command -v smtp-source > /dev/null 2>&1; then
	SINK_PORT=$(free_port) || fail "no free port"
	if [ "$(id -u)" -eq 0 ]; then
		smtp-sink -u nobody "127.0.0.1:$SINK_PORT" 256 \
		    > "$TMP/sink.log" 2>&1 &
	else
		smtp-sink "127.0.0.1:$SINK_PORT" 256 > "$TMP/sink.log" 2>&1 &
	fi
	SINK_PID=$!
	wait_ready "$SINK_PID" smtp-sink "$SINK_PORT" smtp_ready \
	    "$SINK_PORT"
	echo "-- Postfix smtp-source -> smtp-sink (no storage), msgs/s"
	PF_SINK1=$(source_run "$SINK_PORT" 1)
	PF_SINK20=$(source_run "$SINK_PORT" 20)
	PF_SINK100=$(source_run "$SINK_PORT" 100)
	echo "smtp-sink sessions=1 rate=$PF_SINK1/s" \
	    "sessions=20 rate=$PF_SINK20/s sessions=100 rate=$PF_SINK100/s"
	stop "$SINK_PID" smtp-sink
	SINK_PID=
	echo "-- Postfix smtp-source -> intaked, msgs/s"
	PF_D1=$(source_run "$SMTP_PORT" 1)
	PF_D20=$(source_run "$SMTP_PORT" 20)
	PF_D100=$(source_run "$SMTP_PORT" 100)
	echo "smtp-source->intaked sessions=1 rate=$PF_D1/s" \
	    "sessions=20 rate=$PF_D20/s sessions=100 rate=$PF_D100/s"
	[ -z "$PID" ] || alive "$PID" || fail "intaked died under smtp-source"
else
	echo "postfix smtp-sink/smtp-source not installed: skipped"
fi

stop_daemon || fail "intaked did not stop cleanly"

# --- parsers ---------------------------------------------------------------

mkdir -p "$TMP/mixed" "$TMP/smtpload" || fail "mkdir failed"
gen_mixed "$TMP/mixed" || fail "generating the synthetic mail set failed"
"$SMTPLOAD" -o "$TMP/smtpload" -n 100 -s "$SMTP_SIZE" -r "$SMTP_RCPT" ||
    fail "smtpload -o failed"
MIXED_N=$(find "$TMP/mixed" -type f | wc -l)
MIXED_KB=$(du -sk "$TMP/mixed" | cut -f 1)
echo "-- parsers, one thread, ${PARSE_SECONDS}s each" \
    "(synthetic mix: $MIXED_N messages, ${MIXED_KB} kB on disk)"

MIME_C=-; MAIL_C=-; MIME_M=-; MAIL_M=-; MAIL_S=-
PARSE_FAILED=0
if [ -x "$BENCH_MIME" ]; then
	if [ -d "$BENCH_CORPUS" ]; then
		MIME_C=$(run_parse "$BENCH_MIME" "$BENCH_CORPUS" .eml) ||
		    PARSE_FAILED=1
		echo "corpus:    $MIME_C"
	fi
	MIME_M=$(run_parse "$BENCH_MIME" "$TMP/mixed") || PARSE_FAILED=1
	echo "synthetic: $MIME_M"
else
	echo "$BENCH_MIME not built: MIME parse skipped"
fi
if [ -x "$BENCH_MAIL" ]; then
	if [ -d "$BENCH_CORPUS" ]; then
		MAIL_C=$(run_parse "$BENCH_MAIL" "$BENCH_CORPUS" .eml) ||
		    PARSE_FAILED=1
		echo "corpus:    $MAIL_C"
	fi
	MAIL_M=$(run_parse "$BENCH_MAIL" "$TMP/mixed") || PARSE_FAILED=1
	echo "synthetic: $MAIL_M"
	MAIL_S=$(run_parse "$BENCH_MAIL" "$TMP/smtpload") || PARSE_FAILED=1
	echo "smtpload:  $MAIL_S"
else
	echo "$BENCH_MAIL not built: mail_to_reports skipped"
fi
[ -d "$BENCH_CORPUS" ] ||
    echo "no corpus at $BENCH_CORPUS: corpus figures skipped"
[ $PARSE_FAILED -eq 0 ] || fail "a parser bench failed"

# --- summary ---------------------------------------------------------------

awk -v s1="$S1" -v s20="$S20" -v s100="$S100" -v s20l="$S20L" \
    -v mimec="$MIME_C" -v mimem="$MIME_M" -v mailc="$MAIL_C" \
    -v mailm="$MAIL_M" -v mails="$MAIL_S" -v size="$SMTP_SIZE" \
    -v pk1="$PF_SINK1" -v pk20="$PF_SINK20" -v pk100="$PF_SINK100" \
    -v pd1="$PF_D1" -v pd20="$PF_D20" -v pd100="$PF_D100" "$AWK_GET"'
# mbs LINE: the first "N MB/s" figure of a parser bench line, -1 if none.
function mbs(line) {
	if (match(line, /[0-9.]+ MB\/s/) == 0)
		return -1
	return substr(line, RSTART, RLENGTH - 5) + 0
}
function msgs(line) {
	if (match(line, /[0-9.]+ msgs\/s/) == 0)
		return -1
	return substr(line, RSTART, RLENGTH - 7) + 0
}
function row(what, value, target, verdict, pfv) {
	printf "%-40s %-24s %-16s %-7s %s\n", what, value, target, verdict, pfv
}
function verdict(ok) { return ok ? "ok" : "MISSED" }
function lat(line) {
	return sprintf("%.1f / %.1f ms", get(line, "p50"), get(line, "p99"))
}
BEGIN {
	pfhead = pk20 == "" ? "" : "smtp-source->sink / ->intaked"
	r1 = get(s1, "rate"); r20 = get(s20, "rate")
	r100 = get(s100, "rate"); r20l = get(s20l, "rate")
	print ""
	print "== SMTP summary (messages of " size " bytes, each committed" \
	    " before its 250)"
	row("figure", "measured", "target", "", pfhead)
	row("msgs/s, 1 session, pipelined", sprintf("%.0f", r1), "", "",
	    pk1 == "" ? "" : pk1 " / " pd1)
	row("msgs/s, 20 sessions, pipelined", sprintf("%.0f", r20),
	    ">= 5000", verdict(r20 >= 5000), pk20 == "" ? "" : pk20 " / " pd20)
	row("msgs/s, 100 sessions, pipelined", sprintf("%.0f", r100), "", "",
	    pk100 == "" ? "" : pk100 " / " pd100)
	row("msgs/s, 20 sessions, lock-step", sprintf("%.0f", r20l), "", "",
	    "")
	row("p50 / p99, 1 session", lat(s1), "", "", "")
	row("p50 / p99, 20 sessions", lat(s20), "", "", "")
	row("p50 / p99, 100 sessions", lat(s100), "", "", "")
	e = get(s1, "errors") + get(s20, "errors") + get(s100, "errors") + \
	    get(s20l, "errors")
	row("refused or lost messages", sprintf("%d", e), "0", verdict(e == 0),
	    "")
	if (match(s20, /intaked_cpu=[0-9]+%/))
		row("intaked CPU, 20 sessions", substr(s20, RSTART + 12,
		    RLENGTH - 12) " of a core", "", "", "")
	if (match(s20, /threads=[^ ]+/))
		printf "  (%s)\n", substr(s20, RSTART, RLENGTH)
	if (mimec != "-") {
		v = mbs(mimec)
		row("MIME parse, corpus .eml", sprintf("%.1f MB/s", v),
		    ">= 200 MB/s", verdict(v >= 200), "")
	}
	if (mimem != "-") {
		v = mbs(mimem)
		row("MIME parse, synthetic typical mail",
		    sprintf("%.1f MB/s", v), ">= 200 MB/s", verdict(v >= 200),
		    "")
	}
	if (mailc != "-")
		row("mail_to_reports, corpus .eml", sprintf("%.0f/s, %.1f MB/s",
		    msgs(mailc), mbs(mailc)), "", "", "")
	if (mailm != "-")
		row("mail_to_reports, synthetic mix",
		    sprintf("%.0f/s, %.1f MB/s", msgs(mailm), mbs(mailm)), "",
		    "", "")
	if (mails != "-") {
		v = msgs(mails)
		row("mail_to_reports, smtpload mail", sprintf("%.0f/s, %.1f MB/s",
		    v, mbs(mails)), ">= 5000/s", verdict(v >= 5000), "")
		print "  (parser figures are per CPU second, one thread. The" \
		    " daemon parses on two worker threads,"
		print "   so twice the last row caps the msgs/s it can accept" \
		    " of smtpload'"'"'s mail.)"
	}
}'
exit 0
