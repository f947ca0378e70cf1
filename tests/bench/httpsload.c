/*
 * httpsload.c - load generator for the HTTPS listener. A separate process
 * from the daemon, one libevent loop on one thread, TLS with OpenSSL
 * (bufferevent_openssl; the server's certificate is not checked: the
 * bench daemon's is self-signed).
 *
 *   httpsload -h HOST -p PORT -m api|form|get -c CONNS -d SECONDS
 *       [-t TOKEN] [-r RATE] [-s SIZE] [-a BYTES] [-u PATH] [-U FILE]
 *       [-N]
 *   httpsload -h HOST -p PORT -I N [-s SECONDS] [-P PID] [-u PATH]
 *
 * Load (-m): opens CONNS keep-alive connections and, once every handshake
 * is done, sends requests for SECONDS, one at a time per connection (no
 * pipelining, as browsers and HTTP client libraries do):
 *   api   POST /api/v1/reports, "Authorization: Bearer TOKEN", a JSON
 *         report of about SIZE bytes (default 1024); 201 is success;
 *   form  POST /report, multipart/form-data: the csrf token (fetched once
 *         with GET /report before the run), a description of about SIZE/2
 *         bytes, reporter-email (-N: reporter-phone instead, so the
 *         report gets no receipt mail), category, indicators, the empty
 *         honeypot
 *         and a text/plain attachment of BYTES (default 2048); 303 is
 *         success;
 *   get   GET PATH (default /), with "Authorization: Bearer TOKEN"
 *         when -t is given; with -U FILE, the paths of FILE (one a line)
 *         in turn instead; 200 is success.
 * Every report is new: its external_id (api), description and indicators
 * come from a counter and a per-run salt; about one in ten repeats an
 * earlier report's category and indicators (it joins that incident, as in
 * loadgen), but never its external_id, so none is answered as a replay.
 * Without -r the run is closed loop (a connection sends its next request
 * as soon as it has the answer: the maximum throughput); with -r it is
 * open loop, RATE requests/s in total on a fixed schedule, each due
 * request taken by the first idle connection, and its latency counts from
 * when it was due, so a server that falls behind is charged for the queue
 * it builds (with too few connections, that queue is the client's). After
 * SECONDS (plus a drain of the answers due, at most 10 s) one line:
 *
 *   https mode=api conns=64 ok=N errors=N rate=N/s p50=Xms p99=Xms
 *       max=Xms unanswered=N status=201:N,... cpu=N%
 *
 * ok counts the success answers, during the run and the drain; rate only
 * those received during the SECONDS window, per second; errors every other
 * answer plus the requests lost with a closed connection; unanswered what
 * was still due (sent or queued) when the drain gave up; status the count
 * of each status code seen. Latencies are of the success answers, in a
 * log-linear histogram of about 3% resolution; cpu is this process's own
 * CPU use (it shares the machine with the daemon).
 *
 * Idle (-I): opens N connections (at most 100 handshakes at a time),
 * sends one GET PATH on each and reads its answer, then keeps them all
 * open and silent for SECONDS (default 5) in total. With -P it reads
 * VmRSS of process PID before the first connection and one second after
 * the last answer. With -I 1 -s 0 it doubles as a "does the server answer
 * over HTTPS yet" probe. One line:
 *
 *   https_idle n=1000 answered=1000 open_at_end=1000 rss_before_kb=N
 *       rss_idle_kb=N
 *
 * Exit status: 0 when the run happened (even with errors; in idle mode,
 * when every connection was answered), 1 when it could not (connection
 * or handshake refused before the run, no csrf token, bad arguments).
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define BENCH_NAME	"httpsload"
#include "bench_util.h"

#define HL_TICK_USEC		500	/* open-loop pacing interval */
#define HL_HEAD_MAX		16384	/* longer response head: error */
#define HL_BODY_MAX		(4 * 1024 * 1024)
#define HL_CSRF_MAX		128
#define HL_IDLE_PARALLEL	100	/* idle mode: handshakes at a time */
#define HL_IDLE_SETUP_SECONDS	60	/* idle mode: for every answer */
#define HL_BOUNDARY		"----httpsload7d1f0c2a9b"

enum hl_mode {
	HL_GET,
	HL_API,
	HL_FORM,
	HL_IDLE
};

enum hl_state {
	HL_CONNECTING,		/* TCP and TLS handshake */
	HL_CSRF,		/* form mode, first connection: GET /report */
	HL_READY,		/* keep-alive, a request in flight or none */
	HL_CLOSED
};

struct httpsload;

struct hl_conn {
	struct httpsload	*hl;
	int			 idx;
	struct bufferevent	*bev;
	enum hl_state		 state;
	int			 in_flight;	/* a request awaits its answer */
	uint64_t		 ts;		/* ns: when it was due or sent */
	/* the answer being read */
	int			 have_head;
	int			 status;
	size_t			 clen;
	int			 server_closes;	/* "Connection: close" */
};

struct httpsload {
	struct bench_run	 run;		/* phases, window, latencies */
	enum hl_mode		 mode;
	struct hl_conn		*conns;
	SSL_CTX			*ssl_ctx;
	const char		*token;
	const char		*path;
	char			**paths;	/* -U: GET these in turn */
	size_t			 n_paths;
	char			 host[300];	/* Host header value */
	double			 rate;		/* 0 = closed loop */
	int			 size;		/* api: JSON; form: description */
	int			 attach;	/* form: attachment bytes */
	int			 no_email;	/* form: a phone, no e-mail (no receipt) */
	char			 csrf[HL_CSRF_MAX];
	struct bench_salt	 rnd;
	char			 detected_at[32];
	uint64_t		 counter;	/* requests made */

	/* open loop: due requests waiting for an idle connection (FIFO) */
	uint64_t		*due;
	size_t			 due_cap, due_head, due_n;
	uint64_t		 scheduled;
	struct event		*tick;
	/* idle connections (open loop), a stack of indices */
	int			*idle;
	int			 n_idle;

	char			*req;		/* the request being built */
	size_t			 req_len, req_cap;
	char			*body;
	size_t			 body_len, body_cap;

	uint64_t		 ok;
	uint64_t		 ok_in_window;
	uint64_t		 errors;
	uint64_t		 unanswered;
	uint64_t		 status_n[600];
	int			 failed;

	/* idle mode */
	long			 pid;
	int			 hold_seconds;
	int			 started;	/* connections started */
	int			 pending;	/* started, not yet answered */
	int			 answered;
	long			 rss_before, rss_idle;
	struct event		*idle_timer;
	int			 idle_step;
};

static void	 usage(void) __attribute__((noreturn));
static void	 conn_start(struct hl_conn *c);
static void	 conn_fail(struct hl_conn *c, const char *why);
static void	 conn_send(struct hl_conn *c, uint64_t ts);
static void	 conn_answer(struct hl_conn *c, struct evbuffer *in,
		    uint64_t now);
static void	 conn_readcb(struct bufferevent *bev, void *arg);
static void	 conn_eventcb(struct bufferevent *bev, short what, void *arg);
static void	 conn_ready(struct hl_conn *c);
static void	 conn_idle(struct hl_conn *c, uint64_t now);
static void	 run_start(struct httpsload *hl);
static void	 maybe_finish(struct httpsload *hl);
static void	 tick_cb(evutil_socket_t fd, short what, void *arg);
static void	 phase_cb(evutil_socket_t fd, short what, void *arg);
static void	 idle_more(struct httpsload *hl);
static void	 idle_timer_cb(evutil_socket_t fd, short what, void *arg);

static void
usage(void)
{
	fprintf(stderr, "usage: httpsload -h HOST -p PORT -m api|form|get "
	    "-c CONNS -d SECONDS [-t TOKEN] [-r RATE] [-s SIZE] [-a BYTES] "
	    "[-u PATH] [-U FILE] [-N]\n"
	    "       httpsload -h HOST -p PORT -I N [-s SECONDS] [-P PID] "
	    "[-u PATH]\n");
	exit(1);
}

/* --- building requests ---------------------------------------------------- */

static void
buf_reserve(char **p, size_t *cap, size_t need)
{
	size_t	ncap;

	if (need <= *cap)
		return;
	ncap = *cap ? *cap : 4096;
	while (ncap < need)
		ncap *= 2;
	if ((*p = realloc(*p, ncap)) == NULL)
		bench_fatal("out of memory");
	*cap = ncap;
}

static void
req_add(struct httpsload *hl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
req_add(struct httpsload *hl, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(hl->req + hl->req_len, hl->req_cap - hl->req_len,
		    fmt, ap);
		va_end(ap);
		if (n < 0)
			bench_fatal("vsnprintf failed");
		if ((size_t)n < hl->req_cap - hl->req_len)
			break;
		buf_reserve(&hl->req, &hl->req_cap, hl->req_len + n + 1);
	}
	hl->req_len += (size_t)n;
}

static void
body_add(struct httpsload *hl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
body_add(struct httpsload *hl, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(hl->body + hl->body_len, hl->body_cap -
		    hl->body_len, fmt, ap);
		va_end(ap);
		if (n < 0)
			bench_fatal("vsnprintf failed");
		if ((size_t)n < hl->body_cap - hl->body_len)
			break;
		buf_reserve(&hl->body, &hl->body_cap, hl->body_len + n + 1);
	}
	hl->body_len += (size_t)n;
}

/* Words separated by spaces until the body has grown by want bytes. */
static void
body_words(struct httpsload *hl, size_t want, uint64_t h)
{
	static const char *const words[] = {
		"load", "generator", "report", "repeated", "scanning",
		"observed", "from", "this", "address", "against", "several",
		"hosts", "of", "our", "network", "during", "the", "night",
		"with", "failed", "logins", "and", "probes", "on", "common",
		"service", "ports"
	};
	const size_t	n_words = sizeof(words) / sizeof(words[0]);
	size_t		end = hl->body_len + want, i = h % n_words, room;

	while (hl->body_len < end) {
		room = end - hl->body_len;
		if (strlen(words[i]) + 1 > room) {
			buf_reserve(&hl->body, &hl->body_cap, end + 1);
			memset(hl->body + hl->body_len, 'x', room);
			hl->body_len = end;
			hl->body[end] = '\0';
			break;
		}
		body_add(hl, " %s", words[i]);
		i = (i + 1) % n_words;
	}
}

/*
 * The seed of report n: n itself, or for about one in ten an earlier
 * report's number (its category and indicators come back: a duplicate).
 */
static uint64_t
report_seed(const struct httpsload *hl, uint64_t n)
{
	uint64_t	h = bench_mix64(hl->rnd.salt ^ (n * 0x100000001b3ULL)),
			back;

	if (n > 100 && h % BENCH_DUP_EVERY == 0) {
		back = n < BENCH_DUP_LOOKBACK ? n : BENCH_DUP_LOOKBACK;
		return n - 1 - (h >> 16) % back;
	}
	return n;
}

static const char *const hl_categories[] = {
	"scan", "brute-force", "botnet", "phishing", "malware-url", "spam",
	"dos"
};

#define HL_NCATEGORIES	(sizeof(hl_categories) / sizeof(hl_categories[0]))

/* api: a JSON report of about hl->size bytes into hl->body. */
static void
make_api_body(struct httpsload *hl, uint64_t n)
{
	uint64_t	seed = report_seed(hl, n), h;
	uint32_t	ip;
	int		nind;
	size_t		start;

	h = bench_mix64(hl->rnd.salt + seed);
	nind = 1 + (int)((h >> 8) % 3);
	ip = bench_ipv4(&hl->rnd, seed);
	hl->body_len = 0;
	body_add(hl, "{\"category\":\"%s\",\"external_id\":\"hl-%016" PRIx64
	    "-%" PRIu64 "\",\"detected_at\":\"%s\",\"source_ip\":"
	    "[\"%u.%u.%u.%u\"]", hl_categories[h % HL_NCATEGORIES],
	    hl->rnd.salt, n, hl->detected_at, ip >> 24, (ip >> 16) & 0xff,
	    (ip >> 8) & 0xff, ip & 0xff);
	if (nind >= 2)
		body_add(hl, ",\"domain\":[\"h%" PRIu64 ".r%04x.bench.example\"]",
		    seed, (unsigned)(hl->rnd.salt & 0xffff));
	if (nind >= 3)
		body_add(hl, ",\"hash\":[\"%016" PRIx64 "%016" PRIx64 "%016"
		    PRIx64 "%016" PRIx64 "\"]",
		    bench_mix64(hl->rnd.salt ^ seed), bench_mix64(hl->rnd.salt ^
		    seed ^ (1ULL << 56)), bench_mix64(hl->rnd.salt ^ seed ^
		    (2ULL << 56)), bench_mix64(hl->rnd.salt ^ seed ^
		    (3ULL << 56)));
	body_add(hl, ",\"description\":\"report %" PRIu64 " of run %016"
	    PRIx64 ":", n, hl->rnd.salt);
	start = hl->body_len;
	if ((size_t)hl->size > start + 3)
		body_words(hl, (size_t)hl->size - start - 3, h);
	body_add(hl, "\"}");
}

/* form: a multipart body with the fields and one attachment. */
static void
make_form_body(struct httpsload *hl, uint64_t n)
{
	uint64_t	seed = report_seed(hl, n), h;
	uint32_t	ip;
	size_t		start, line;

	h = bench_mix64(hl->rnd.salt + seed);
	ip = bench_ipv4(&hl->rnd, seed);
	hl->body_len = 0;
#define PART(name) body_add(hl, "--" HL_BOUNDARY "\r\nContent-Disposition: " \
	"form-data; name=\"%s\"\r\n\r\n", name)
	PART("csrf");
	body_add(hl, "%s\r\n", hl->csrf);
	if (hl->no_email) {
		PART("reporter-phone");
		body_add(hl, "0912 %06" PRIu64 "\r\n", n % 1000000);
	} else {
		PART("reporter-email");
		body_add(hl, "bench-%" PRIu64 "@reporter.test.example\r\n",
		    n % 1000);
	}
	PART("category");
	body_add(hl, "%s\r\n", hl_categories[h % HL_NCATEGORIES]);
	PART("description");
	body_add(hl, "Web report %" PRIu64 " of run %016" PRIx64 ":", n,
	    hl->rnd.salt);
	body_words(hl, (size_t)hl->size / 2, h);
	body_add(hl, "\r\n");
	PART("indicators");
	body_add(hl, "%u.%u.%u.%u\r\nhttp://h%" PRIu64 ".r%04x.bench.example/"
	    "login\r\n", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff,
	    ip & 0xff, seed, (unsigned)(hl->rnd.salt & 0xffff));
	PART("website");
	body_add(hl, "\r\n");
#undef PART
	body_add(hl, "--" HL_BOUNDARY "\r\nContent-Disposition: form-data; "
	    "name=\"attachment\"; filename=\"auth-%" PRIu64 ".log\"\r\n"
	    "Content-Type: text/plain\r\n\r\n", n);
	/* log lines up to the attachment's size */
	start = hl->body_len;
	for (line = 0; hl->body_len - start < (size_t)hl->attach; line++)
		body_add(hl, "Apr  7 10:%02u:%02u web01 sshd[%u]: Failed "
		    "password for invalid user admin from %u.%u.%u.%u port %u "
		    "ssh2\n", (unsigned)(line / 60 % 60), (unsigned)(line % 60),
		    (unsigned)(2000 + n % 30000), ip >> 24, (ip >> 16) & 0xff,
		    (ip >> 8) & 0xff, ip & 0xff, (unsigned)(30000 + line));
	if (hl->body_len - start > (size_t)hl->attach)
		hl->body_len = start + (size_t)hl->attach;
	body_add(hl, "\r\n--" HL_BOUNDARY "--\r\n");
}

/* The next request into hl->req. */
static void
make_request(struct httpsload *hl)
{
	uint64_t	n = hl->counter++;

	hl->req_len = 0;
	switch (hl->mode) {
	case HL_API:
		make_api_body(hl, n);
		req_add(hl, "POST /api/v1/reports HTTP/1.1\r\nHost: %s\r\n"
		    "Authorization: Bearer %s\r\n"
		    "Content-Type: application/json\r\n"
		    "Content-Length: %zu\r\n\r\n", hl->host, hl->token,
		    hl->body_len);
		break;
	case HL_FORM:
		make_form_body(hl, n);
		req_add(hl, "POST /report HTTP/1.1\r\nHost: %s\r\n"
		    "Content-Type: multipart/form-data; boundary="
		    HL_BOUNDARY "\r\nContent-Length: %zu\r\n\r\n", hl->host,
		    hl->body_len);
		break;
	default:
		hl->body_len = 0;
		req_add(hl, "GET %s HTTP/1.1\r\nHost: %s\r\n",
		    hl->n_paths > 0 ? hl->paths[n % hl->n_paths] : hl->path,
		    hl->host);
		if (hl->token != NULL)
			req_add(hl, "Authorization: Bearer %s\r\n", hl->token);
		req_add(hl, "\r\n");
		break;
	}
}

static int
expected_status(const struct httpsload *hl)
{
	return hl->mode == HL_API ? 201 : hl->mode == HL_FORM ? 303 : 200;
}

/* --- connections ---------------------------------------------------------- */

static void
conn_start(struct hl_conn *c)
{
	struct httpsload	*hl = c->hl;
	SSL			*ssl;
	int			 fd, one = 1;

	if ((ssl = SSL_new(hl->ssl_ctx)) == NULL)
		bench_fatal("SSL_new failed");
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		bench_fatal("socket: %s", strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	evutil_make_socket_nonblocking(fd);
	c->bev = bufferevent_openssl_socket_new(hl->run.base, fd, ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		bench_fatal("bufferevent_openssl_socket_new failed");
	bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
	bufferevent_setcb(c->bev, conn_readcb, NULL, conn_eventcb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->state = HL_CONNECTING;
	if (bufferevent_socket_connect(c->bev,
	    (const struct sockaddr *)&hl->run.peer.addr,
	    sizeof(hl->run.peer.addr)) == -1)
		bench_fatal("connect %s:%s: %s", hl->run.peer.host,
		    hl->run.peer.port, strerror(errno));
}

/* Why a connection event other than CONNECTED ended it. */
static const char *
conn_why(struct bufferevent *bev, short what)
{
	static char	buf[256];
	unsigned long	e;

	if (what & BEV_EVENT_EOF)
		return "closed by the server";
	if ((e = bufferevent_get_openssl_error(bev)) != 0 ||
	    (e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		return buf;
	}
	return evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR());
}

/* A connection died: what it had in flight is lost (errors). */
static void
conn_fail(struct hl_conn *c, const char *why)
{
	struct httpsload	*hl = c->hl;

	if (c->state == HL_CLOSED)
		return;
	if (hl->mode == HL_IDLE) {
		if (c->state != HL_READY || c->in_flight) {
			fprintf(stderr, "httpsload: idle connection #%d: %s\n",
			    c->idx, why);
			hl->pending--;
		}
		c->state = HL_CLOSED;
		bufferevent_free(c->bev);
		c->bev = NULL;
		idle_more(hl);
		return;
	}
	if (hl->run.phase == BENCH_SETUP)
		bench_fatal("connection failed before the run: %s", why);
	if (c->in_flight || hl->failed < 5)
		fprintf(stderr, "httpsload: connection lost: %s (%d answer "
		    "due)\n", why, c->in_flight);
	hl->errors += (uint64_t)c->in_flight;
	c->in_flight = 0;
	c->state = HL_CLOSED;
	bufferevent_free(c->bev);
	c->bev = NULL;
	hl->failed++;
	maybe_finish(hl);
}

/* Put the next request on c; ts is when it was due (or now). */
static void
conn_send(struct hl_conn *c, uint64_t ts)
{
	struct httpsload	*hl = c->hl;
	struct evbuffer		*out = bufferevent_get_output(c->bev);

	make_request(hl);
	if (evbuffer_add(out, hl->req, hl->req_len) == -1 ||
	    (hl->body_len > 0 && evbuffer_add(out, hl->body,
	    hl->body_len) == -1))
		bench_fatal("evbuffer_add failed");
	c->in_flight = 1;
	c->ts = ts;
}

/* c has nothing in flight: send what is due, or wait in the idle stack. */
static void
conn_idle(struct hl_conn *c, uint64_t now)
{
	struct httpsload	*hl = c->hl;
	uint64_t		 ts;

	if (c->state != HL_READY || c->in_flight)
		return;
	if (hl->rate == 0) {
		if (hl->run.phase == BENCH_RUNNING)
			conn_send(c, now);
		return;
	}
	if (hl->due_n > 0) {
		ts = hl->due[hl->due_head];
		hl->due_head = (hl->due_head + 1) % hl->due_cap;
		hl->due_n--;
		conn_send(c, ts);
		return;
	}
	hl->idle[hl->n_idle++] = c->idx;
}

static void
conn_ready(struct hl_conn *c)
{
	struct httpsload	*hl = c->hl;

	c->state = HL_READY;
	if (++hl->run.ready == hl->run.nconns)
		run_start(hl);
}

/* Take the csrf token out of the form page in body. */
static void
csrf_take(struct httpsload *hl, const char *body, size_t len)
{
	static const char	 key[] = "name=\"csrf\" value=\"";
	const char		*p, *q;

	if ((p = memmem(body, len, key, sizeof(key) - 1)) == NULL)
		bench_fatal("no csrf field in GET /report");
	p += sizeof(key) - 1;
	if ((q = memchr(p, '"', len - (size_t)(p - body))) == NULL ||
	    q == p || (size_t)(q - p) >= sizeof(hl->csrf))
		bench_fatal("bad csrf field in GET /report");
	memcpy(hl->csrf, p, (size_t)(q - p));
	hl->csrf[q - p] = '\0';
}

/* The answer on c is complete: count it, go on. */
static void
conn_answered(struct hl_conn *c, const char *body, uint64_t now)
{
	struct httpsload	*hl = c->hl;
	int			 st = c->status;

	c->in_flight = 0;
	c->have_head = 0;
	if (c->state == HL_CSRF) {
		if (st != 200)
			bench_fatal("GET /report answered %d", st);
		csrf_take(hl, body, c->clen);
		conn_ready(c);
		return;
	}
	if (hl->mode == HL_IDLE) {
		if (st != 200)
			fprintf(stderr, "httpsload: GET %s answered %d\n",
			    hl->path, st);
		else
			hl->answered++;
		hl->pending--;
		idle_more(hl);
		return;
	}
	if (st >= 100 && st < 600)
		hl->status_n[st]++;
	if (st == expected_status(hl)) {
		hl->ok++;
		if (hl->run.phase == BENCH_RUNNING)
			hl->ok_in_window++;
		bench_hist_add(&hl->run.lat, now > c->ts ? (now - c->ts) /
		    1000 : 0);
	} else {
		if (hl->errors < 5)
			fprintf(stderr, "httpsload: answer %d: %.*s\n", st,
			    (int)(c->clen < 200 ? c->clen : 200),
			    body != NULL ? body : "");
		hl->errors++;
	}
	if (c->server_closes) {
		conn_fail(c, "the server closed the connection");
		return;
	}
	conn_idle(c, now);
}

/* Parse a response head of len bytes in h (NUL-terminated). */
static int
parse_head(struct hl_conn *c, char *h, size_t len)
{
	char	*line, *save = NULL, *v, *end;
	long long clen = 0;

	(void)len;
	if (strncmp(h, "HTTP/1.1 ", 9) != 0 && strncmp(h, "HTTP/1.0 ", 9) != 0)
		return -1;
	/* exactly three digits, then a space or the end of the line */
	if (!isdigit((unsigned char)h[9]) || !isdigit((unsigned char)h[10]) ||
	    !isdigit((unsigned char)h[11]) || (h[12] != ' ' && h[12] != '\r'))
		return -1;
	c->status = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
	if (c->status < 100 || c->status > 599)
		return -1;
	c->server_closes = strncmp(h, "HTTP/1.0 ", 9) == 0;
	for (line = strtok_r(h, "\r\n", &save); line != NULL;
	    line = strtok_r(NULL, "\r\n", &save)) {
		if ((v = strchr(line, ':')) == NULL)
			continue;
		*v++ = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		if (strcasecmp(line, "Content-Length") == 0) {
			errno = 0;
			clen = strtoll(v, &end, 10);
			if (errno != 0 || end == v || *end != '\0')
				return -1;
		}
		else if (strcasecmp(line, "Connection") == 0)
			c->server_closes = strcasecmp(v, "close") == 0;
		else if (strcasecmp(line, "Transfer-Encoding") == 0)
			return -1;	/* not expected of this server */
	}
	if (clen < 0 || clen > HL_BODY_MAX)
		return -1;
	c->clen = (size_t)clen;
	return 0;
}

/* Read the answers that are complete in the input. */
static void
conn_answer(struct hl_conn *c, struct evbuffer *in, uint64_t now)
{
	struct evbuffer_ptr	 p;
	char			 head[HL_HEAD_MAX + 1];
	char			*body;
	size_t			 hl_len;

	while (c->state != HL_CLOSED) {
		if (!c->have_head) {
			p = evbuffer_search(in, "\r\n\r\n", 4, NULL);
			if (p.pos < 0) {
				if (evbuffer_get_length(in) > HL_HEAD_MAX)
					conn_fail(c, "response head too long");
				return;
			}
			hl_len = (size_t)p.pos + 4;
			if (hl_len > HL_HEAD_MAX) {
				conn_fail(c, "response head too long");
				return;
			}
			evbuffer_remove(in, head, hl_len);
			head[hl_len] = '\0';
			if (parse_head(c, head, hl_len) == -1) {
				conn_fail(c, "bad response head");
				return;
			}
			if (c->status == 100)
				continue;	/* 100 Continue: not asked */
			if (!c->in_flight) {
				conn_fail(c, "an answer to no request");
				return;
			}
			c->have_head = 1;
		}
		if (evbuffer_get_length(in) < c->clen)
			return;
		body = NULL;
		if (c->clen > 0) {
			/* the body is read only where something is looked up */
			if (c->state == HL_CSRF || (c->status !=
			    expected_status(c->hl) && c->hl->mode != HL_IDLE))
				body = (char *)evbuffer_pullup(in,
				    (ssize_t)c->clen);
		}
		conn_answered(c, body, now);
		if (c->state == HL_CLOSED)
			return;
		evbuffer_drain(in, c->clen);
		c->clen = 0;
	}
}

static void
conn_readcb(struct bufferevent *bev, void *arg)
{
	struct hl_conn	*c = arg;

	conn_answer(c, bufferevent_get_input(bev), bench_now_ns());
	maybe_finish(c->hl);
}

static void
conn_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct hl_conn		*c = arg;
	struct httpsload	*hl = c->hl;

	if (what & BEV_EVENT_CONNECTED) {
		if (hl->mode == HL_IDLE) {
			c->state = HL_READY;
			conn_send(c, bench_now_ns());
		} else if (hl->mode == HL_FORM && c->idx == 0) {
			c->state = HL_CSRF;
			hl->req_len = 0;
			req_add(hl, "GET /report HTTP/1.1\r\nHost: %s\r\n\r\n",
			    hl->host);
			bufferevent_write(bev, hl->req, hl->req_len);
			c->in_flight = 1;
		} else
			conn_ready(c);
		return;
	}
	conn_fail(c, conn_why(bev, what));
}

/* --- the run -------------------------------------------------------------- */

static void
run_start(struct httpsload *hl)
{
	int	i;

	bench_run_start(&hl->run);
	if (hl->rate > 0) {
		for (i = 0; i < hl->run.nconns; i++)
			hl->idle[hl->n_idle++] = i;
		bench_timer_add(hl->tick, 0, HL_TICK_USEC);
		return;
	}
	for (i = 0; i < hl->run.nconns; i++)
		conn_idle(&hl->conns[i], hl->run.t_start);
}

/* Open loop: queue what is due by now, hand it to idle connections. */
static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct httpsload	*hl = arg;
	struct hl_conn		*c;
	uint64_t		 now = bench_now_ns(), due, ts;
	size_t			 i, ncap;
	uint64_t		*nd;

	(void)fd;
	(void)what;
	if (hl->run.phase != BENCH_RUNNING)
		return;
	due = (uint64_t)((double)(now - hl->run.t_start) / 1e9 * hl->rate);
	while (hl->scheduled < due) {
		ts = hl->run.t_start + (uint64_t)((double)hl->scheduled * 1e9 /
		    hl->rate);
		hl->scheduled++;
		if (hl->failed == hl->run.nconns)
			break;
		if (hl->due_n == hl->due_cap) {
			ncap = hl->due_cap ? hl->due_cap * 2 : 1024;
			if ((nd = malloc(ncap * sizeof(*nd))) == NULL)
				bench_fatal("out of memory");
			for (i = 0; i < hl->due_n; i++)
				nd[i] = hl->due[(hl->due_head + i) %
				    hl->due_cap];
			free(hl->due);
			hl->due = nd;
			hl->due_cap = ncap;
			hl->due_head = 0;
		}
		hl->due[(hl->due_head + hl->due_n) % hl->due_cap] = ts;
		hl->due_n++;
	}
	while (hl->due_n > 0 && hl->n_idle > 0) {
		c = &hl->conns[hl->idle[--hl->n_idle]];
		if (c->state == HL_READY && !c->in_flight)
			conn_idle(c, now);
	}
}

/* End of the run (start the drain), or end of the drain. */
static void
phase_cb(evutil_socket_t fd, short what, void *arg)
{
	struct httpsload	*hl = arg;
	int			 i;

	(void)fd;
	(void)what;
	if (bench_run_timer(&hl->run, "connections") == BENCH_DRAINING) {
		event_del(hl->tick);
		maybe_finish(hl);
		return;
	}
	for (i = 0; i < hl->run.nconns; i++)
		hl->unanswered += (uint64_t)hl->conns[i].in_flight;
	hl->unanswered += hl->due_n;
	bench_run_done(&hl->run);
}

static void
maybe_finish(struct httpsload *hl)
{
	int	i;

	if (hl->mode == HL_IDLE)
		return;
	if (hl->run.phase == BENCH_RUNNING && hl->failed == hl->run.nconns)
		bench_run_stop(&hl->run);
	if (hl->run.phase != BENCH_DRAINING)
		return;
	if (hl->due_n > 0 && hl->failed < hl->run.nconns)
		return;
	for (i = 0; i < hl->run.nconns; i++)
		if (hl->conns[i].in_flight)
			return;
	bench_run_done(&hl->run);
}

static void
print_result(const struct httpsload *hl)
{
	static const char *const names[] = { "get", "api", "form" };
	double	secs = bench_run_secs(&hl->run);
	char	lat[128];
	int	i, first = 1;

	bench_hist_format(&hl->run.lat, lat, sizeof(lat));
	printf("https mode=%s conns=%d ok=%" PRIu64 " errors=%" PRIu64
	    " rate=%.0f/s %s unanswered=%" PRIu64 " status=",
	    names[hl->mode], hl->run.nconns, hl->ok, hl->errors,
	    (double)hl->ok_in_window / secs, lat, hl->unanswered);
	for (i = 100; i < 600; i++)
		if (hl->status_n[i] > 0) {
			printf("%s%d:%" PRIu64, first ? "" : ",", i,
			    hl->status_n[i]);
			first = 0;
		}
	printf("%s cpu=%.0f%%\n", first ? "none" : "",
	    100.0 * bench_cpu_s() / secs);
	fflush(stdout);
}

/* --- idle mode ------------------------------------------------------------ */

/* Start connections while fewer than HL_IDLE_PARALLEL are pending. */
static void
idle_more(struct httpsload *hl)
{
	while (hl->started < hl->run.nconns &&
	    hl->pending < HL_IDLE_PARALLEL) {
		hl->pending++;
		conn_start(&hl->conns[hl->started++]);
	}
	if (hl->started == hl->run.nconns && hl->pending == 0 &&
	    hl->idle_step == 0) {
		/* all answered: one second, then RSS (-s 0: a probe, done) */
		hl->idle_step = hl->hold_seconds > 0 ? 1 : 2;
		event_del(hl->idle_timer);
		bench_timer_add(hl->idle_timer, hl->hold_seconds > 0 ? 1 : 0,
		    0);
	}
}

static void
idle_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct httpsload	*hl = arg;
	int			 rest;

	(void)fd;
	(void)what;
	switch (hl->idle_step) {
	case 0:		/* the set-up took too long */
		fprintf(stderr, "httpsload: %d of %d connections answered "
		    "after %d s\n", hl->answered, hl->run.nconns,
		    HL_IDLE_SETUP_SECONDS);
		event_base_loopbreak(hl->run.base);
		break;
	case 1:
		if (hl->pid != 0)
			hl->rss_idle = bench_rss_kb(hl->pid);
		hl->idle_step = 2;
		rest = hl->hold_seconds - 1;
		bench_timer_add(hl->idle_timer, rest > 0 ? rest : 0, 0);
		break;
	default:
		event_base_loopbreak(hl->run.base);
		break;
	}
}

static int
idle_run(struct httpsload *hl)
{
	int	i, open_at_end = 0;

	if (hl->pid != 0)
		hl->rss_before = bench_rss_kb(hl->pid);
	hl->idle_timer = evtimer_new(hl->run.base, idle_timer_cb, hl);
	bench_timer_add(hl->idle_timer, HL_IDLE_SETUP_SECONDS, 0);
	idle_more(hl);
	event_base_dispatch(hl->run.base);
	/* the loop also saw every close; what is still READY is open */
	for (i = 0; i < hl->run.nconns; i++)
		if (hl->conns[i].state == HL_READY)
			open_at_end++;
	printf("https_idle n=%d answered=%d open_at_end=%d", hl->run.nconns,
	    hl->answered, open_at_end);
	if (hl->pid != 0)
		printf(" rss_before_kb=%ld rss_idle_kb=%ld", hl->rss_before,
		    hl->rss_idle);
	printf("\n");
	fflush(stdout);
	for (i = 0; i < hl->run.nconns; i++)
		if (hl->conns[i].bev != NULL)
			bufferevent_free(hl->conns[i].bev);
	event_free(hl->idle_timer);
	return hl->answered == hl->run.nconns ? 0 : 1;
}

/* The paths of file (one a line, blank lines skipped) into hl->paths. */
static void
load_paths(struct httpsload *hl, const char *file)
{
	FILE	*fp = fopen(file, "r");
	char	 line[1024];
	size_t	 n;

	if (fp == NULL)
		bench_fatal("%s: %s", file, strerror(errno));
	while (fgets(line, sizeof(line), fp) != NULL) {
		n = strcspn(line, "\r\n");
		line[n] = '\0';
		if (n == 0)
			continue;
		if ((hl->paths = realloc(hl->paths, (hl->n_paths + 1) *
		    sizeof(*hl->paths))) == NULL ||
		    (hl->paths[hl->n_paths] = strdup(line)) == NULL)
			bench_fatal("out of memory");
		hl->n_paths++;
	}
	fclose(fp);
	if (hl->n_paths == 0)
		bench_fatal("%s: no path", file);
}

/* --- main ----------------------------------------------------------------- */

int
main(int argc, char **argv)
{
	static struct httpsload	 hls;
	struct httpsload	*hl = &hls;
	const char		*host = NULL, *port = NULL, *mode = NULL;
	long long		 idle_n = 0;
	int			 ch, i, rc = 0, s_arg = -1;

	hl->run.nconns = 1;
	hl->run.seconds = 10;
	hl->size = 1024;
	hl->attach = 2048;
	hl->path = "/";
	hl->hold_seconds = 5;
	while ((ch = getopt(argc, argv, "h:p:m:c:d:t:r:s:a:u:U:I:P:N")) != -1) {
		switch (ch) {
		case 'h':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'm':
			mode = optarg;
			break;
		case 'c':
			hl->run.nconns = (int)bench_num_arg(ch, optarg, 1,
			    100000);
			break;
		case 'd':
			hl->run.seconds = (int)bench_num_arg(ch, optarg, 1,
			    86400);
			break;
		case 't':
			hl->token = optarg;
			break;
		case 'r':
			hl->rate = (double)bench_num_arg(ch, optarg, 1,
			    10000000);
			break;
		case 's':
			/* -I: seconds to hold; else the report's size */
			s_arg = (int)bench_num_arg(ch, optarg, 0, 1000000);
			break;
		case 'N':
			hl->no_email = 1;
			break;
		case 'a':
			hl->attach = (int)bench_num_arg(ch, optarg, 1,
			    16 * 1024 * 1024);
			break;
		case 'u':
			hl->path = optarg;
			break;
		case 'U':
			load_paths(hl, optarg);
			break;
		case 'I':
			idle_n = bench_num_arg(ch, optarg, 1, 100000);
			break;
		case 'P':
			hl->pid = (long)bench_num_arg(ch, optarg, 1, 1LL << 30);
			break;
		default:
			usage();
		}
	}
	if (host == NULL || port == NULL || optind != argc ||
	    (idle_n == 0) == (mode == NULL))
		usage();
	if (idle_n > 0) {
		hl->mode = HL_IDLE;
		hl->run.nconns = (int)idle_n;
		if (s_arg >= 0)
			hl->hold_seconds = s_arg;
	} else {
		if (strcmp(mode, "api") == 0)
			hl->mode = HL_API;
		else if (strcmp(mode, "form") == 0)
			hl->mode = HL_FORM;
		else if (strcmp(mode, "get") == 0)
			hl->mode = HL_GET;
		else
			usage();
		if (s_arg >= 0) {
			if (s_arg < 200 || s_arg > 65536)
				bench_fatal("-s %d: 200..65536", s_arg);
			hl->size = s_arg;
		}
		if (hl->mode == HL_API && hl->token == NULL)
			bench_fatal("-m api needs -t TOKEN");
	}

	bench_resolve(&hl->run.peer, host, port);
	snprintf(hl->host, sizeof(hl->host), "%s:%s", host, port);
	bench_raise_nofile((rlim_t)hl->run.nconns + 64);
	bench_salt_init(&hl->rnd);
	format_time_utc(time(NULL), hl->detected_at, sizeof(hl->detected_at));

	if ((hl->ssl_ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		bench_fatal("SSL_CTX_new failed");
	SSL_CTX_set_verify(hl->ssl_ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_min_proto_version(hl->ssl_ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(hl->ssl_ctx, SSL_MODE_RELEASE_BUFFERS);

	/* Precise timers: the open loop paces by HL_TICK_USEC. */
	bench_run_init(&hl->run, 1, phase_cb, hl);
	hl->tick = event_new(hl->run.base, -1, EV_PERSIST, tick_cb, hl);
	hl->conns = calloc((size_t)hl->run.nconns, sizeof(*hl->conns));
	hl->idle = calloc((size_t)hl->run.nconns, sizeof(*hl->idle));
	if (hl->conns == NULL || hl->idle == NULL || hl->tick == NULL)
		bench_fatal("out of memory");
	for (i = 0; i < hl->run.nconns; i++) {
		hl->conns[i].hl = hl;
		hl->conns[i].idx = i;
		hl->conns[i].state = HL_CLOSED;
	}

	if (hl->mode == HL_IDLE)
		rc = idle_run(hl);
	else {
		for (i = 0; i < hl->run.nconns; i++)
			conn_start(&hl->conns[i]);
		bench_run_dispatch(&hl->run);
		print_result(hl);
		for (i = 0; i < hl->run.nconns; i++)
			if (hl->conns[i].bev != NULL)
				bufferevent_free(hl->conns[i].bev);
	}

	free(hl->conns);
	free(hl->idle);
	free(hl->due);
	free(hl->req);
	free(hl->body);
	event_free(hl->tick);
	bench_run_free(&hl->run);
	SSL_CTX_free(hl->ssl_ctx);
	return rc;
}
