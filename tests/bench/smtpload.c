/*
 * smtpload.c - load generator for the SMTP mailbox. A separate process
 * from the daemon, one libevent loop on one thread.
 *
 *   smtpload -h HOST -p PORT -c SESSIONS -d SECONDS [-s SIZE] [-r RCPT]
 *       [-P]
 *   smtpload -o DIR [-n COUNT] [-s SIZE] [-r RCPT]
 *
 * Opens SESSIONS sessions, reads each greeting and says EHLO once; when
 * all are ready, each session sends messages one after the other for
 * SECONDS: MAIL FROM, RCPT TO (RCPT, default ir@test.example), DATA, the
 * message and ".". Without -P every command waits for its reply; with -P
 * MAIL, RCPT and DATA go out in one write (RFC 2920; the server must
 * advertise PIPELINING) and the message follows the 354. A session whose
 * transaction is refused sends RSET and goes on with the next message.
 *
 * Every message is about SIZE bytes (default 4096) of realistic mail:
 * From (an encoded word), To, Subject, Date, Message-ID, MIME-Version,
 * Content-Type text/plain; charset=utf-8, 8bit, a body in Vietnamese and
 * English naming an IPv4 address and a URL unique to the message (made
 * from a counter and a per-run salt, so reports do not deduplicate into
 * one incident), padded with log lines. Some body lines start with a dot,
 * so dot-stuffing is exercised; every line ends in CRLF.
 *
 * After SECONDS each session finishes the message in flight and QUITs
 * (the drain is bounded to 10 s). One line is printed:
 *
 *   smtp sessions=20 accepted=N errors=N rate=N/s p50=Xms p99=Xms
 *       max=Xms unfinished=N lost=N cpu=N%
 *
 * accepted counts final replies starting "250 2.0.0", during the run and
 * the drain; rate only those received during the SECONDS window, per
 * second. errors counts messages refused at any step (the reply text of
 * the first few goes to stderr) and messages lost with a dropped session;
 * unfinished the messages still without a final reply when the drain gave
 * up (also counted in errors); lost the sessions the server closed before
 * their QUIT (a lost session is not replaced). Latency runs from handing
 * the message bytes (after the 354) to the socket to the final reply, and
 * goes into a log-linear histogram of about 3% resolution. cpu is this
 * process's own CPU use: it shares the machine with the daemon.
 *
 * With -o nothing is sent: COUNT (default 100) messages are written to
 * DIR as smtpload-N.eml, as the server receives them (unstuffed, without
 * the final dot), for the parser benches.
 *
 * Exit status: 0 when the run happened (even with errors), 1 when it could
 * not (connection refused, greeting or EHLO refused, -P without
 * PIPELINING, bad arguments).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#define BENCH_NAME	"smtpload"
#include "bench_util.h"

#define SL_REPLY_MAX		2048	/* longer reply line: protocol error */
#define SL_LINE_MAX		998	/* RFC 5322 2.1.1, without CRLF */
#define SL_ERRORS_SHOWN		5	/* refusals echoed to stderr */
#define SL_HELO			"smtpload.test.example"

enum sl_state {
	SL_CONNECTING,
	SL_GREETING,	/* waiting for 220 */
	SL_EHLO,	/* waiting for the EHLO reply */
	SL_IDLE,	/* ready, waiting for the run to start */
	SL_MAIL,	/* waiting for the MAIL reply */
	SL_RCPT,	/* waiting for the RCPT reply */
	SL_DATA,	/* waiting for 354 */
	SL_PIPE,	/* -P: MAIL, RCPT and DATA replies due */
	SL_BODY,	/* message sent; waiting for the final reply */
	SL_RSET,	/* waiting for the RSET reply */
	SL_QUIT,	/* waiting for 221 */
	SL_CLOSED
};

struct smtpload;

/* One SMTP session and the message it is sending. */
struct sl_session {
	struct smtpload		*sl;
	struct bufferevent	*bev;
	enum sl_state		 state;
	int			 pipelining;	/* server advertised it */
	int			 pipe_replies;	/* -P: replies seen of 3 */
	int			 tx_failed;	/* refusal counted already */
	uint64_t		 t_sent;	/* message handed over, ns */
	char			*msg;		/* stuffed, with ".\r\n" */
	size_t			 msg_len;
	size_t			 msg_cap;
	char			 mail_from[128];
};

struct smtpload {
	struct bench_run	 run;		/* phases, window, latencies */
	struct sl_session	*sessions;
	int			 size;
	int			 pipeline;
	const char		*rcpt;
	int			 closed;

	struct bench_salt	 rnd;		/* salt, address block */
	char			 date[64];	/* Date: of every message */
	uint64_t		 counter;	/* messages generated */

	uint64_t		 accepted;
	uint64_t		 accepted_in_window;
	uint64_t		 errors;
	uint64_t		 unfinished;
	uint64_t		 lost;		/* sessions dropped */
};

static void	 usage(void) __attribute__((noreturn));
static void	 msg_reserve(struct sl_session *s, size_t more);
static void	 msg_line(struct sl_session *s, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 msg_build(struct sl_session *s, uint64_t n);
static void	 sess_write(struct sl_session *s, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 sess_next(struct sl_session *s);
static void	 sess_send_body(struct sl_session *s);
static void	 sess_refused(struct sl_session *s, const char *step,
		    const char *line, size_t len);
static void	 sess_close(struct sl_session *s);
static void	 sess_fail(struct sl_session *s, const char *why);
static void	 sess_reply(struct sl_session *s, int code, const char *line,
		    size_t len);
static void	 sess_readcb(struct bufferevent *bev, void *arg);
static void	 sess_eventcb(struct bufferevent *bev, short what, void *arg);
static void	 run_start(struct smtpload *sl);
static void	 maybe_finish(struct smtpload *sl);
static void	 phase_cb(evutil_socket_t fd, short what, void *arg);
static void	 print_result(const struct smtpload *sl);
static void	 sl_setup(struct smtpload *sl);
static int	 write_messages(struct smtpload *sl, const char *dir,
		    long long count);

static const char *const users[] = {
	"root", "admin", "oracle", "postgres", "ubuntu", "test", "git",
	"support", "user", "ftpuser", "nagios", "deploy"
};
#define N_USERS		(sizeof(users) / sizeof(users[0]))

static void
usage(void)
{
	fprintf(stderr, "usage: smtpload -h HOST -p PORT -c SESSIONS "
	    "-d SECONDS [-s SIZE] [-r RCPT] [-P]\n"
	    "       smtpload -o DIR [-n COUNT] [-s SIZE] [-r RCPT]\n");
	exit(1);
}

static void
msg_reserve(struct sl_session *s, size_t more)
{
	size_t	cap;

	if (s->msg_len + more <= s->msg_cap)
		return;
	cap = s->msg_cap ? s->msg_cap : 8192;
	while (cap < s->msg_len + more)
		cap *= 2;
	if ((s->msg = realloc(s->msg, cap)) == NULL)
		bench_fatal("out of memory");
	s->msg_cap = cap;
}

/*
 * Append one line of the message, as it goes on the wire: a line starting
 * with '.' gets one more (RFC 5321 4.5.2), then CRLF. The format must not
 * produce CR or LF; a line is cut at SL_LINE_MAX bytes.
 */
static void
msg_line(struct sl_session *s, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;
	int	 n;

	msg_reserve(s, SL_LINE_MAX + 4);
	p = s->msg + s->msg_len;
	va_start(ap, fmt);
	n = vsnprintf(p + 1, SL_LINE_MAX + 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n > SL_LINE_MAX)
		n = SL_LINE_MAX;
	if (p[1] == '.') {
		p[0] = '.';
		n++;
	} else
		memmove(p, p + 1, (size_t)n);
	p[n++] = '\r';
	p[n++] = '\n';
	s->msg_len += (size_t)n;
}

/*
 * Message number n into s->msg, stuffed and ended by ".\r\n", of about
 * sl->size bytes. Its attacker address and phishing URL come from n and
 * the run's salt, so every message is a new incident.
 */
static void
msg_build(struct sl_session *s, uint64_t n)
{
	struct smtpload	*sl = s->sl;
	uint64_t	 h = bench_mix64(sl->rnd.salt ^ n);
	uint32_t	 ip = bench_ipv4(&sl->rnd, n);
	unsigned	 partner = (unsigned)(h % 40), port, i;
	size_t		 want;
	char		 addr[32], url[160];

	snprintf(addr, sizeof(addr), "%u.%u.%u.%u", ip >> 24,
	    (ip >> 16) & 0xff, (ip >> 8) & 0xff, (ip & 0xff) | 1);
	snprintf(url, sizeof(url), "http://secure-login-%" PRIu64
	    ".r%04x.bank-verify.example/account/verify.php?id=%" PRIu64
	    "&lang=vi", n, (unsigned)(sl->rnd.salt & 0xffff), h % 1000000);
	snprintf(s->mail_from, sizeof(s->mail_from),
	    "soc@partner%u.test.example", partner);

	s->msg_len = 0;
	msg_line(s, "From: =?utf-8?B?Tmd1eeG7hW4gVsSDbiBBbg==?= <%s>",
	    s->mail_from);
	msg_line(s, "To: Incident Response <%s>", sl->rcpt);
	msg_line(s, "Subject: =?utf-8?B?UGjDoXQgaGnhu4duIGTDsiBxdcOpdCB2w6Ag"
	    "bOG7q2EgxJHhuqNvIHThu6s=?= %s (ticket %" PRIu64 ")", addr, n);
	msg_line(s, "Date: %s", sl->date);
	msg_line(s, "Message-ID: <%016" PRIx64 ".%" PRIu64
	    "@partner%u.test.example>", sl->rnd.salt, n, partner);
	msg_line(s, "MIME-Version: 1.0");
	msg_line(s, "Content-Type: text/plain; charset=utf-8");
	msg_line(s, "Content-Transfer-Encoding: 8bit");
	msg_line(s, "%s", "");
	msg_line(s, "Kính gửi Trung tâm Giám sát an toàn không gian mạng,");
	msg_line(s, "%s", "");
	msg_line(s, "Hệ thống giám sát của chúng tôi phát hiện địa chỉ IP %s "
	    "liên tục dò quét và thử đăng nhập SSH", addr);
	msg_line(s, "vào các máy chủ trong mạng nội bộ. Đồng thời có trang "
	    "lừa đảo giả mạo ngân hàng tại:");
	msg_line(s, "%s", url);
	msg_line(s, "%s", "");
	msg_line(s, "Our monitoring detected SSH brute-force attempts from %s "
	    "against several of our hosts,", addr);
	msg_line(s, "and a phishing page at %s", url);
	msg_line(s, "Please take down the page and block the address. The "
	    "sshd log follows.");
	msg_line(s, "%s", "");
	msg_line(s, ". (the log below is an excerpt; this line starts with a "
	    "dot)");
	/* pad with log lines; leave room for the signature (~150 bytes) */
	want = sl->size > 200 ? (size_t)sl->size - 150 : 0;
	for (i = 0; s->msg_len < want; i++) {
		port = 30000 + (unsigned)((h >> (i % 48)) + i * 7919) % 30000;
		msg_line(s, "Apr  7 10:%02u:%02u web%02u sshd[%u]: Failed "
		    "password for invalid user %s from %s port %u ssh2",
		    (i / 60) % 60, i % 60, i % 7, 2000 + (unsigned)(h % 30000),
		    users[(h + i) % N_USERS], addr, port);
	}
	msg_line(s, "..");
	msg_line(s, ".");
	msg_line(s, "Trân trọng,");
	msg_line(s, "Nhóm SOC, đối tác %u", partner);
	msg_reserve(s, 3);
	memcpy(s->msg + s->msg_len, ".\r\n", 3);
	s->msg_len += 3;
}

static void
sess_write(struct sl_session *s, const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	rc = evbuffer_add_vprintf(bufferevent_get_output(s->bev), fmt, ap);
	va_end(ap);
	if (rc == -1)
		bench_fatal("evbuffer_add_vprintf failed");
}

/* The next message, or QUIT once the run is over. */
static void
sess_next(struct sl_session *s)
{
	struct smtpload	*sl = s->sl;

	if (sl->run.phase != BENCH_RUNNING) {
		sess_write(s, "QUIT\r\n");
		s->state = SL_QUIT;
		return;
	}
	msg_build(s, sl->counter++);
	s->tx_failed = 0;
	if (sl->pipeline) {
		sess_write(s, "MAIL FROM:<%s> SIZE=%zu BODY=8BITMIME\r\n"
		    "RCPT TO:<%s>\r\nDATA\r\n", s->mail_from, s->msg_len,
		    sl->rcpt);
		s->pipe_replies = 0;
		s->state = SL_PIPE;
	} else {
		sess_write(s, "MAIL FROM:<%s> SIZE=%zu BODY=8BITMIME\r\n",
		    s->mail_from, s->msg_len);
		s->state = SL_MAIL;
	}
}

static void
sess_send_body(struct sl_session *s)
{
	if (bufferevent_write(s->bev, s->msg, s->msg_len) == -1)
		bench_fatal("bufferevent_write failed");
	s->t_sent = bench_now_ns();
	s->state = SL_BODY;
}

/* A step of the transaction was refused: one error per message. */
static void
sess_refused(struct sl_session *s, const char *step, const char *line,
    size_t len)
{
	struct smtpload	*sl = s->sl;

	if (s->tx_failed)
		return;
	s->tx_failed = 1;
	if (sl->errors < SL_ERRORS_SHOWN)
		fprintf(stderr, "smtpload: %s refused: %.*s\n", step,
		    (int)len, line);
	sl->errors++;
}

static void
sess_close(struct sl_session *s)
{
	if (s->state == SL_CLOSED)
		return;
	s->state = SL_CLOSED;
	if (s->bev != NULL)
		bufferevent_free(s->bev);
	s->bev = NULL;
	s->sl->closed++;
	maybe_finish(s->sl);
}

/* The session died: the message in flight, if any, is lost. */
static void
sess_fail(struct sl_session *s, const char *why)
{
	struct smtpload	*sl = s->sl;

	if (s->state == SL_CLOSED)
		return;
	if (sl->run.phase == BENCH_SETUP)
		bench_fatal("session failed before the run: %s", why);
	if (s->state == SL_QUIT) {
		sess_close(s);		/* closed after QUIT: fine */
		return;
	}
	if (sl->lost++ < SL_ERRORS_SHOWN)
		fprintf(stderr, "smtpload: session lost: %s\n", why);
	if (s->state >= SL_MAIL && s->state <= SL_BODY && !s->tx_failed)
		sl->errors++;
	sess_close(s);
}

/* One complete reply (the last line of a multi-line one) in line. */
static void
sess_reply(struct sl_session *s, int code, const char *line, size_t len)
{
	struct smtpload	*sl = s->sl;
	uint64_t	 now;

	switch (s->state) {
	case SL_GREETING:
		if (code != 220)
			bench_fatal("greeting refused: %.*s", (int)len, line);
		sess_write(s, "EHLO %s\r\n", SL_HELO);
		s->state = SL_EHLO;
		break;
	case SL_EHLO:
		if (code != 250)
			bench_fatal("EHLO refused: %.*s", (int)len, line);
		if (sl->pipeline && !s->pipelining)
			bench_fatal("-P: the server does not advertise "
			    "PIPELINING");
		s->state = SL_IDLE;
		if (++sl->run.ready == sl->run.nconns)
			run_start(sl);
		break;
	case SL_MAIL:
		if (code != 250) {
			sess_refused(s, "MAIL", line, len);
			sess_write(s, "RSET\r\n");
			s->state = SL_RSET;
			break;
		}
		sess_write(s, "RCPT TO:<%s>\r\n", sl->rcpt);
		s->state = SL_RCPT;
		break;
	case SL_RCPT:
		if (code != 250 && code != 251) {
			sess_refused(s, "RCPT", line, len);
			sess_write(s, "RSET\r\n");
			s->state = SL_RSET;
			break;
		}
		sess_write(s, "DATA\r\n");
		s->state = SL_DATA;
		break;
	case SL_DATA:
		if (code != 354) {
			sess_refused(s, "DATA", line, len);
			sess_write(s, "RSET\r\n");
			s->state = SL_RSET;
			break;
		}
		sess_send_body(s);
		break;
	case SL_PIPE:
		s->pipe_replies++;
		if (s->pipe_replies == 1 && code != 250)
			sess_refused(s, "MAIL", line, len);
		else if (s->pipe_replies == 2 && code != 250 && code != 251)
			sess_refused(s, "RCPT", line, len);
		else if (s->pipe_replies == 3) {
			/* after a 354 the message must follow, whatever */
			if (code == 354)
				sess_send_body(s);
			else {
				sess_refused(s, "DATA", line, len);
				sess_write(s, "RSET\r\n");
				s->state = SL_RSET;
			}
		}
		break;
	case SL_BODY:
		now = bench_now_ns();
		if (len >= 9 && strncmp(line, "250 2.0.0", 9) == 0 &&
		    !s->tx_failed) {
			sl->accepted++;
			if (sl->run.phase == BENCH_RUNNING)
				sl->accepted_in_window++;
			bench_hist_add(&sl->run.lat, (now - s->t_sent) / 1000);
		} else
			sess_refused(s, "message", line, len);
		sess_next(s);
		break;
	case SL_RSET:
		sess_next(s);
		break;
	case SL_QUIT:
		sess_close(s);
		break;
	default:
		if (sl->errors < SL_ERRORS_SHOWN)
			fprintf(stderr, "smtpload: unexpected reply: %.*s\n",
			    (int)len, line);
		sl->errors++;
		break;
	}
}

static void
sess_readcb(struct bufferevent *bev, void *arg)
{
	struct sl_session	*s = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	char			 buf[SL_REPLY_MAX + 2];
	ssize_t			 len;
	int			 code;

	while (s->state != SL_CLOSED) {
		if ((len = bench_read_line(in, buf, SL_REPLY_MAX)) < 0) {
			if (len == BENCH_LINE_LONG)
				sess_fail(s, "reply line too long");
			return;
		}
		if (len < 3 || buf[0] < '2' || buf[0] > '5' ||
		    buf[1] < '0' || buf[1] > '9' || buf[2] < '0' ||
		    buf[2] > '9' || (len > 3 && buf[3] != ' ' &&
		    buf[3] != '-')) {
			fprintf(stderr, "smtpload: not an SMTP reply: %s\n",
			    buf);
			sess_fail(s, "protocol error");
			return;
		}
		if (len > 3 && buf[3] == '-') {
			/* a continuation line; only EHLO's matter */
			if (s->state == SL_EHLO &&
			    strncasecmp(buf + 4, "PIPELINING", 10) == 0 &&
			    (buf[14] == '\0' || buf[14] == ' '))
				s->pipelining = 1;
			continue;
		}
		code = (buf[0] - '0') * 100 + (buf[1] - '0') * 10 +
		    (buf[2] - '0');
		if (s->state == SL_EHLO && len > 4 &&
		    strcasecmp(buf + 4, "PIPELINING") == 0)
			s->pipelining = 1;
		sess_reply(s, code, buf, (size_t)len);
	}
}

static void
sess_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct sl_session	*s = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		s->state = SL_GREETING;
		return;
	}
	sess_fail(s, bench_event_why(what));
}

static void
run_start(struct smtpload *sl)
{
	int	i;

	bench_run_start(&sl->run);
	for (i = 0; i < sl->run.nconns; i++)
		sess_next(&sl->sessions[i]);
}

static void
maybe_finish(struct smtpload *sl)
{
	if (sl->run.phase == BENCH_RUNNING && sl->closed == sl->run.nconns)
		bench_run_stop(&sl->run);
	if (sl->run.phase == BENCH_DRAINING && sl->closed == sl->run.nconns)
		bench_run_done(&sl->run);
}

/* End of the run (start the drain), or end of the drain. */
static void
phase_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smtpload		*sl = arg;
	struct sl_session	*s;
	int			 i;

	(void)fd;
	(void)what;
	if (bench_run_timer(&sl->run, "sessions") == BENCH_DRAINING)
		return;
	/* the drain gave up: what is still in flight is unfinished */
	for (i = 0; i < sl->run.nconns; i++) {
		s = &sl->sessions[i];
		if (s->state >= SL_MAIL && s->state <= SL_BODY &&
		    !s->tx_failed) {
			sl->unfinished++;
			sl->errors++;
		}
		if (s->state != SL_CLOSED) {
			bufferevent_free(s->bev);
			s->bev = NULL;
			s->state = SL_CLOSED;
		}
	}
	bench_run_done(&sl->run);
}

static void
print_result(const struct smtpload *sl)
{
	double	secs = bench_run_secs(&sl->run);
	char	lat[128];

	bench_hist_format(&sl->run.lat, lat, sizeof(lat));
	printf("smtp sessions=%d accepted=%" PRIu64 " errors=%" PRIu64
	    " rate=%.0f/s %s unfinished=%" PRIu64 " lost=%" PRIu64
	    " cpu=%.0f%%\n", sl->run.nconns, sl->accepted, sl->errors,
	    (double)sl->accepted_in_window / secs, lat, sl->unfinished,
	    sl->lost, 100.0 * bench_cpu_s() / secs);
	fflush(stdout);
}

/* The run's salt and the Date of its messages. */
static void
sl_setup(struct smtpload *sl)
{
	struct tm	tm;
	time_t		t;

	/* A salt per run keeps addresses and URLs apart across runs. */
	bench_salt_init(&sl->rnd);
	t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(sl->date, sizeof(sl->date), "%a, %d %b %Y %H:%M:%S +0000",
	    &tm);
}

/*
 * -o: count messages into dir, undoing the dot-stuffing and leaving out
 * the final ".\r\n": the bytes the server's parser gets. 0, or -1 with a
 * message on stderr.
 */
static int
write_messages(struct smtpload *sl, const char *dir, long long count)
{
	struct sl_session	 s;
	FILE			*f;
	const char		*p, *end;
	char			 path[4096];
	long long		 i;
	int			 bol, rc = 0;

	memset(&s, 0, sizeof(s));
	s.sl = sl;
	for (i = 0; i < count && rc == 0; i++) {
		msg_build(&s, sl->counter++);
		snprintf(path, sizeof(path), "%s/smtpload-%04lld.eml", dir, i);
		if ((f = fopen(path, "wb")) == NULL) {
			fprintf(stderr, "smtpload: %s: %s\n", path,
			    strerror(errno));
			rc = -1;
			break;
		}
		end = s.msg + s.msg_len - 3;
		for (p = s.msg, bol = 1; p < end; p++) {
			if (!(bol && *p == '.'))
				putc(*p, f);
			bol = *p == '\n';
		}
		if (fclose(f) == EOF) {
			fprintf(stderr, "smtpload: %s: %s\n", path,
			    strerror(errno));
			rc = -1;
		}
	}
	free(s.msg);
	return rc;
}

int
main(int argc, char **argv)
{
	static struct smtpload	 sls;
	struct smtpload		*sl = &sls;
	struct sl_session	*s;
	const char		*host = NULL, *port = NULL, *outdir = NULL;
	long long		 count = 100;
	int			 ch, i;

	sl->run.nconns = 1;
	sl->size = 4096;
	sl->run.seconds = 10;
	sl->rcpt = "ir@test.example";
	while ((ch = getopt(argc, argv, "h:p:c:d:s:r:Po:n:")) != -1) {
		switch (ch) {
		case 'h':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'c':
			sl->run.nconns = (int)bench_num_arg(ch, optarg, 1,
			    10000);
			break;
		case 'd':
			sl->run.seconds = (int)bench_num_arg(ch, optarg, 1,
			    86400);
			break;
		case 's':
			sl->size = (int)bench_num_arg(ch, optarg, 256,
			    10000000);
			break;
		case 'r':
			if (strlen(optarg) > 200 || strpbrk(optarg,
			    "<> \r\n") != NULL)
				bench_fatal("-r %s: not a plain address",
				    optarg);
			sl->rcpt = optarg;
			break;
		case 'P':
			sl->pipeline = 1;
			break;
		case 'o':
			outdir = optarg;
			break;
		case 'n':
			count = bench_num_arg(ch, optarg, 1, 1000000);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || (outdir == NULL && (host == NULL ||
	    port == NULL)))
		usage();
	if (outdir != NULL) {
		sl_setup(sl);
		return write_messages(sl, outdir, count) == -1;
	}

	bench_resolve(&sl->run.peer, host, port);
	bench_raise_nofile((rlim_t)sl->run.nconns + 64);

	sl_setup(sl);
	bench_run_init(&sl->run, 0, phase_cb, sl);
	if ((sl->sessions = calloc((size_t)sl->run.nconns,
	    sizeof(*s))) == NULL)
		bench_fatal("out of memory");

	for (i = 0; i < sl->run.nconns; i++) {
		s = &sl->sessions[i];
		s->sl = sl;
		s->state = SL_CONNECTING;
		s->bev = bench_connect(sl->run.base, &sl->run.peer,
		    sess_readcb, sess_eventcb, s);
	}
	bench_run_dispatch(&sl->run);
	print_result(sl);

	for (i = 0; i < sl->run.nconns; i++) {
		if (sl->sessions[i].bev != NULL)
			bufferevent_free(sl->sessions[i].bev);
		free(sl->sessions[i].msg);
	}
	free(sl->sessions);
	bench_run_free(&sl->run);
	return 0;
}
