/*
 * loadgen.c - load generator for the ILP/1 line protocol. A separate
 * process from the daemon, one libevent loop on one thread.
 *
 *   loadgen -h HOST -p PORT -c CONNS -d SECONDS [-t TOKEN] [-w WINDOW]
 *       [-r RATE] [-s SIZE]
 *
 * Opens CONNS connections, reads each greeting, AUTHs when a token is
 * given, then sends REPORT lines of about SIZE bytes, keeping up to WINDOW
 * unacknowledged per connection. Without -r the run is closed-loop (a new
 * report as soon as one is acknowledged: the maximum throughput); with -r
 * it is open-loop, RATE reports/s in total on a fixed schedule, and a
 * report's latency counts from the time it was due, so a server that falls
 * behind is charged for the queue it causes.
 *
 * Every report is new: its external-id is unique, and its indicators come
 * from a counter mixed with a per-run salt. About one in ten reuses the
 * category and indicators of an earlier report, so that it joins that
 * report's incident. After SECONDS (plus a drain of outstanding replies,
 * at most 10 s) one line is printed:
 *
 *   conns=16 acked=N errors=N rate=N/s p50=Xms p99=Xms max=Xms dups=N
 *       unacked=N cpu=N%
 *
 * rate counts the acknowledgements received during the SECONDS window;
 * acked also counts the drain. dups is the number of "250 ... duplicate"
 * replies, unacked what was still outstanding when the drain gave up, cpu
 * this process's own CPU use (it shares the machine with the daemon).
 * Latencies go into a log-linear histogram (32 sub-buckets per power of
 * two, about 3% resolution), not a list.
 *
 * Exit status: 0 when the run happened (even with errors), 1 when it could
 * not (connection refused, greeting or AUTH refused, bad arguments).
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "util.h"

#define LG_DRAIN_SECONDS	10
#define LG_SETUP_SECONDS	10
#define LG_TICK_USEC		500	/* open-loop pacing interval */
#define LG_REPLY_MAX		4096	/* a reply line longer than this is a protocol error */
#define LG_HIST_SUB		32	/* sub-buckets per power of two */
#define LG_HIST_BUCKETS		(LG_HIST_SUB * 40)
#define LG_DUP_EVERY		10	/* about one report in ten is a duplicate */
#define LG_DUP_LOOKBACK		5000	/* ...of one of the last N reports */

enum lg_state {
	LG_CONNECTING,
	LG_GREETING,
	LG_AUTH,
	LG_READY,
	LG_CLOSED
};

enum lg_phase {
	LG_SETUP,	/* connecting and authenticating */
	LG_RUNNING,	/* sending for SECONDS */
	LG_DRAINING,	/* waiting for the replies still due */
	LG_DONE
};

struct loadgen;

/*
 * One connection. ts[] is a ring of timestamps (ns): the first n_sent are
 * reports on the wire, oldest first (replies come in order); the n_queued
 * after them are open-loop reports that are due but wait for the window.
 */
struct lg_conn {
	struct loadgen		*lg;
	struct bufferevent	*bev;
	enum lg_state		 state;
	uint64_t		*ts;
	size_t			 cap;
	size_t			 head;
	size_t			 n_sent;
	size_t			 n_queued;
};

struct loadgen {
	struct event_base	*base;
	struct lg_conn		*conns;
	int			 nconns;
	int			 window;
	int			 size;
	double			 rate;		/* 0 = closed loop */
	int			 seconds;
	const char		*token;
	struct sockaddr_in	 addr;

	enum lg_phase		 phase;
	int			 ready;
	uint64_t		 t_start;
	uint64_t		 t_end;
	uint64_t		 scheduled;	/* open loop: reports due so far */
	int			 rr;		/* open loop: next connection */
	struct event		*tick;
	struct event		*phase_timer;

	uint64_t		 salt;
	uint8_t			 ip_octet;
	uint32_t		 ip_base;
	char			 detected_at[32];
	char			*line;		/* scratch for one REPORT line */
	size_t			 linecap;
	uint64_t		 counter;	/* reports generated */

	uint64_t		 sent;
	uint64_t		 acked;
	uint64_t		 acked_in_window;
	uint64_t		 errors;
	uint64_t		 dups;
	uint64_t		 unacked;
	uint64_t		 hist[LG_HIST_BUCKETS];
	uint64_t		 lat_max;	/* us */
	int			 failed;
};

static void	 usage(void) __attribute__((noreturn));
static long long num_arg(int opt, const char *s, long long min,
		    long long max);
static void	 lg_fatal(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static uint64_t	 now_ns(void);
static uint64_t	 mix64(uint64_t x);
static void	 hist_add(struct loadgen *lg, uint64_t us);
static uint64_t	 hist_value(int idx);
static double	 hist_percentile(const struct loadgen *lg, double p);
static size_t	 make_report(struct loadgen *lg, uint64_t n);
static void	 ring_push(struct lg_conn *c, uint64_t ts);
static void	 conn_send_one(struct lg_conn *c, uint64_t ts);
static void	 conn_fill(struct lg_conn *c, uint64_t now);
static void	 conn_ready(struct lg_conn *c);
static void	 conn_fail(struct lg_conn *c, const char *why);
static void	 conn_line(struct lg_conn *c, const char *line, size_t len,
		    uint64_t now);
static void	 conn_readcb(struct bufferevent *bev, void *arg);
static void	 conn_eventcb(struct bufferevent *bev, short what, void *arg);
static void	 run_start(struct loadgen *lg);
static void	 maybe_finish(struct loadgen *lg);
static void	 tick_cb(evutil_socket_t fd, short what, void *arg);
static void	 phase_cb(evutil_socket_t fd, short what, void *arg);
static void	 print_result(const struct loadgen *lg);

static const char *const categories[] = {
	"scan", "brute-force", "botnet", "phishing", "malware-url", "spam",
	"dos"
};
#define N_CATEGORIES	(sizeof(categories) / sizeof(categories[0]))

/* First octets of public IPv4 blocks for the source-ip indicators. */
static const uint8_t ip_octets[] = {
	23, 31, 37, 45, 46, 62, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87,
	88, 89, 91, 92, 93, 94, 95, 103, 109, 176, 178, 185, 188, 193, 194,
	195, 212, 213, 217
};

static const char *const words[] = {
	"load", "generator", "report", "repeated", "scanning", "observed",
	"from", "this", "address", "against", "several", "hosts", "of", "our",
	"network", "during", "the", "night", "with", "failed", "logins",
	"and", "probes", "on", "common", "service", "ports"
};
#define N_WORDS		(sizeof(words) / sizeof(words[0]))

static void
usage(void)
{
	fprintf(stderr, "usage: loadgen -h HOST -p PORT -c CONNS -d SECONDS "
	    "[-t TOKEN] [-w WINDOW] [-r RATE] [-s SIZE]\n");
	exit(1);
}

/* A numeric option value in [min, max], or exit with a message. */
static long long
num_arg(int opt, const char *s, long long min, long long max)
{
	long long	 v;
	const char	*why;

	if (parse_int(s, min, max, &v, &why) == -1)
		lg_fatal("-%c %s: %s (%lld..%lld)", opt, s, why, min, max);
	return v;
}

static void
lg_fatal(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "loadgen: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static uint64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* splitmix64 finaliser: a bijection, so distinct inputs stay distinct. */
static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/*
 * Log-linear histogram of microseconds: values below 2*SUB have their own
 * bucket; above, each power of two is split in SUB equal buckets.
 */
static void
hist_add(struct loadgen *lg, uint64_t us)
{
	int	msb, shift, idx;

	if (us > lg->lat_max)
		lg->lat_max = us;
	if (us < 2 * LG_HIST_SUB)
		idx = (int)us;
	else {
		msb = 63 - __builtin_clzll(us);
		shift = msb - 5;	/* log2(LG_HIST_SUB) */
		idx = shift * LG_HIST_SUB + (int)(us >> shift);
	}
	if (idx >= LG_HIST_BUCKETS)
		idx = LG_HIST_BUCKETS - 1;
	lg->hist[idx]++;
}

/* The middle of bucket idx, in microseconds. */
static uint64_t
hist_value(int idx)
{
	int		shift;
	uint64_t	top;

	if (idx < 2 * LG_HIST_SUB)
		return (uint64_t)idx;
	shift = idx / LG_HIST_SUB - 1;
	top = (uint64_t)(idx - shift * LG_HIST_SUB);
	return (top << shift) + ((1ULL << shift) >> 1);
}

/* The p-th percentile (0 < p <= 100) in microseconds, 0 when empty. */
static double
hist_percentile(const struct loadgen *lg, double p)
{
	uint64_t	total = 0, seen = 0, want;
	int		i;

	for (i = 0; i < LG_HIST_BUCKETS; i++)
		total += lg->hist[i];
	if (total == 0)
		return 0;
	want = (uint64_t)(p / 100.0 * (double)total + 0.5);
	if (want < 1)
		want = 1;
	for (i = 0; i < LG_HIST_BUCKETS; i++) {
		seen += lg->hist[i];
		if (seen >= want)
			return (double)hist_value(i);
	}
	return (double)lg->lat_max;
}

/*
 * Write report number n into lg->line and return its length (CRLF
 * included). Its category and indicators come from a seed: n itself, or
 * for about one report in ten an earlier report's number, which makes it a
 * duplicate of that report. The external-id is always n's, so a duplicate
 * is still a new report. The description pads the line to lg->size.
 */
static size_t
make_report(struct loadgen *lg, uint64_t n)
{
	uint64_t	 seed = n, h, back;
	uint32_t	 ip;
	size_t		 len, want, room;
	int		 nind, i;
	char		*p;

	h = mix64(lg->salt ^ (n * 0x100000001b3ULL));
	if (n > 100 && h % LG_DUP_EVERY == 0) {
		back = n < LG_DUP_LOOKBACK ? n : LG_DUP_LOOKBACK;
		seed = n - 1 - (h >> 16) % back;
	}
	h = mix64(lg->salt + seed);
	nind = 1 + (int)((h >> 8) % 3);
	ip = (lg->ip_base + (uint32_t)seed) & 0xffffff;

	want = (size_t)lg->size + 512;	/* the fields before the padding fit */
	if (lg->linecap < want) {
		lg->linecap = want;
		if ((lg->line = realloc(lg->line, want)) == NULL)
			lg_fatal("out of memory");
	}
	p = lg->line;
	len = (size_t)snprintf(p, lg->linecap,
	    "REPORT category=%s external-id=lg-%016" PRIx64 "-%" PRIu64
	    " detected-at=%s source-ip=%u.%u.%u.%u",
	    categories[h % N_CATEGORIES], lg->salt, n, lg->detected_at,
	    lg->ip_octet, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
	if (nind >= 2)
		len += (size_t)snprintf(p + len, lg->linecap - len,
		    " domain=h%" PRIu64 ".r%04x.bench.example", seed,
		    (unsigned)(lg->salt & 0xffff));
	if (nind >= 3) {
		len += (size_t)snprintf(p + len, lg->linecap - len, " hash=");
		for (i = 0; i < 4; i++)
			len += (size_t)snprintf(p + len, lg->linecap - len,
			    "%016" PRIx64, mix64(lg->salt ^ seed ^
			    ((uint64_t)i << 56)));
	}
	len += (size_t)snprintf(p + len, lg->linecap - len,
	    " description=report%%20%" PRIu64, seed);

	/* Words joined by %20 up to the size, then 'x' for the last bytes. */
	want = lg->size > 2 ? (size_t)lg->size - 2 : 0;
	i = (int)(h % N_WORDS);
	while (len < want) {
		room = want - len;
		if (strlen(words[i]) + 3 > room) {
			memset(p + len, 'x', room);
			len += room;
			break;
		}
		len += (size_t)snprintf(p + len, lg->linecap - len, "%%20%s",
		    words[i]);
		i = (i + 1) % (int)N_WORDS;
	}
	p[len++] = '\r';
	p[len++] = '\n';
	return len;
}

static void
ring_push(struct lg_conn *c, uint64_t ts)
{
	size_t	 n = c->n_sent + c->n_queued, i, ncap;
	uint64_t *nts;

	if (n == c->cap) {
		ncap = c->cap ? c->cap * 2 : 128;
		if ((nts = malloc(ncap * sizeof(*nts))) == NULL)
			lg_fatal("out of memory");
		for (i = 0; i < n; i++)
			nts[i] = c->ts[(c->head + i) % c->cap];
		free(c->ts);
		c->ts = nts;
		c->cap = ncap;
		c->head = 0;
	}
	c->ts[(c->head + n) % c->cap] = ts;
}

/*
 * Put one report on the wire. ts is its due time; in the closed loop that
 * is now, in the open loop it is already in the ring (queued) and ts is 0.
 */
static void
conn_send_one(struct lg_conn *c, uint64_t ts)
{
	struct loadgen	*lg = c->lg;
	size_t		 len;

	if (ts != 0)
		ring_push(c, ts);
	else
		c->n_queued--;
	c->n_sent++;
	len = make_report(lg, lg->counter++);
	if (bufferevent_write(c->bev, lg->line, len) == -1)
		lg_fatal("bufferevent_write failed");
	lg->sent++;
}

/* Send what the window allows: queued reports, or new ones (closed loop). */
static void
conn_fill(struct lg_conn *c, uint64_t now)
{
	struct loadgen	*lg = c->lg;

	if (c->state != LG_READY)
		return;
	while (c->n_sent < (size_t)lg->window) {
		if (c->n_queued > 0)
			conn_send_one(c, 0);
		else if (lg->rate == 0 && lg->phase == LG_RUNNING)
			conn_send_one(c, now);
		else
			break;
	}
}

static void
conn_ready(struct lg_conn *c)
{
	c->state = LG_READY;
	if (++c->lg->ready == c->lg->nconns)
		run_start(c->lg);
}

/* A connection died: what it had outstanding is lost (errors). */
static void
conn_fail(struct lg_conn *c, const char *why)
{
	struct loadgen	*lg = c->lg;

	if (c->state == LG_CLOSED)
		return;
	if (lg->phase == LG_SETUP)
		lg_fatal("connection failed before the run: %s", why);
	fprintf(stderr, "loadgen: connection lost: %s (%zu replies due)\n",
	    why, c->n_sent + c->n_queued);
	lg->errors += c->n_sent + c->n_queued;
	c->n_sent = c->n_queued = 0;
	c->state = LG_CLOSED;
	bufferevent_free(c->bev);
	c->bev = NULL;
	lg->failed++;
	maybe_finish(lg);
}

static void
conn_line(struct lg_conn *c, const char *line, size_t len, uint64_t now)
{
	struct loadgen	*lg = c->lg;
	uint64_t	 ts;

	switch (c->state) {
	case LG_GREETING:
		if (len < 4 || strncmp(line, "220 ", 4) != 0)
			lg_fatal("unexpected greeting: %.*s", (int)len, line);
		if (lg->token == NULL) {
			conn_ready(c);
			break;
		}
		c->state = LG_AUTH;
		bufferevent_write(c->bev, "AUTH ", 5);
		bufferevent_write(c->bev, lg->token, strlen(lg->token));
		bufferevent_write(c->bev, "\r\n", 2);
		break;
	case LG_AUTH:
		if (len < 4 || strncmp(line, "235 ", 4) != 0)
			lg_fatal("AUTH refused: %.*s", (int)len, line);
		conn_ready(c);
		break;
	case LG_READY:
		if (c->n_sent == 0) {
			fprintf(stderr, "loadgen: unexpected reply: %.*s\n",
			    (int)len, line);
			lg->errors++;
			break;
		}
		ts = c->ts[c->head];
		c->head = (c->head + 1) % c->cap;
		c->n_sent--;
		if (len >= 4 && strncmp(line, "250 ", 4) == 0) {
			lg->acked++;
			if (lg->phase == LG_RUNNING)
				lg->acked_in_window++;
			if (memmem(line, len, " duplicate ", 11) != NULL)
				lg->dups++;
			hist_add(lg, now > ts ? (now - ts) / 1000 : 0);
		} else {
			if (lg->errors < 5)
				fprintf(stderr, "loadgen: error reply: %.*s\n",
				    (int)len, line);
			lg->errors++;
		}
		break;
	default:
		break;
	}
}

static void
conn_readcb(struct bufferevent *bev, void *arg)
{
	struct lg_conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	struct evbuffer_ptr eol;
	uint64_t	 now = now_ns();
	char		 buf[LG_REPLY_MAX + 2];
	size_t		 eollen, len;

	for (;;) {
		eol = evbuffer_search_eol(in, NULL, &eollen, EVBUFFER_EOL_CRLF);
		if (eol.pos < 0) {
			if (evbuffer_get_length(in) > LG_REPLY_MAX) {
				conn_fail(c, "reply line too long");
				return;
			}
			break;
		}
		len = (size_t)eol.pos;
		if (len > LG_REPLY_MAX) {
			conn_fail(c, "reply line too long");
			return;
		}
		evbuffer_remove(in, buf, len + eollen);
		conn_line(c, buf, len, now);
		if (c->state == LG_CLOSED)
			return;
	}
	conn_fill(c, now);
	maybe_finish(c->lg);
}

static void
conn_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct lg_conn	*c = arg;
	char		 why[128];

	if (what & BEV_EVENT_CONNECTED) {
		c->state = LG_GREETING;
		return;
	}
	if (what & BEV_EVENT_EOF)
		snprintf(why, sizeof(why), "closed by the server");
	else
		snprintf(why, sizeof(why), "%s",
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	conn_fail(c, why);
}

static void
run_start(struct loadgen *lg)
{
	struct timeval	 tv;
	uint64_t	 now;
	int		 i;

	lg->phase = LG_RUNNING;
	lg->t_start = now = now_ns();
	tv.tv_sec = lg->seconds;
	tv.tv_usec = 0;
	evtimer_add(lg->phase_timer, &tv);
	if (lg->rate > 0) {
		tv.tv_sec = 0;
		tv.tv_usec = LG_TICK_USEC;
		evtimer_add(lg->tick, &tv);
		return;
	}
	for (i = 0; i < lg->nconns; i++)
		conn_fill(&lg->conns[i], now);
}

/* Open loop: queue every report due by now, round robin, and send. */
static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct loadgen	*lg = arg;
	struct lg_conn	*c = NULL;
	uint64_t	 now = now_ns(), due, ts;
	int		 i, tries;

	if (lg->phase != LG_RUNNING)
		return;
	due = (uint64_t)((double)(now - lg->t_start) / 1e9 * lg->rate);
	while (lg->scheduled < due) {
		/* Skip dead connections; if all are dead, stop scheduling. */
		for (tries = 0; tries < lg->nconns; tries++) {
			c = &lg->conns[lg->rr];
			lg->rr = (lg->rr + 1) % lg->nconns;
			if (c->state == LG_READY)
				break;
		}
		if (tries == lg->nconns)
			break;
		ts = lg->t_start + (uint64_t)((double)lg->scheduled * 1e9 /
		    lg->rate);
		ring_push(c, ts);
		c->n_queued++;
		lg->scheduled++;
	}
	for (i = 0; i < lg->nconns; i++)
		conn_fill(&lg->conns[i], now);
}

/* End of the run (start the drain), or end of the drain. */
static void
phase_cb(evutil_socket_t fd, short what, void *arg)
{
	struct loadgen	*lg = arg;
	struct timeval	 tv;
	int		 i;

	if (lg->phase == LG_SETUP)
		lg_fatal("connections not ready after %d s (%d of %d)",
		    LG_SETUP_SECONDS, lg->ready, lg->nconns);
	if (lg->phase == LG_RUNNING) {
		lg->t_end = now_ns();
		lg->phase = LG_DRAINING;
		event_del(lg->tick);
		tv.tv_sec = LG_DRAIN_SECONDS;
		tv.tv_usec = 0;
		evtimer_add(lg->phase_timer, &tv);
		maybe_finish(lg);
		return;
	}
	for (i = 0; i < lg->nconns; i++)
		lg->unacked += lg->conns[i].n_sent + lg->conns[i].n_queued;
	lg->phase = LG_DONE;
	event_base_loopbreak(lg->base);
}

static void
maybe_finish(struct loadgen *lg)
{
	int	i;

	if (lg->phase == LG_RUNNING && lg->failed == lg->nconns) {
		lg->t_end = now_ns();
		lg->phase = LG_DRAINING;
	}
	if (lg->phase != LG_DRAINING)
		return;
	for (i = 0; i < lg->nconns; i++)
		if (lg->conns[i].n_sent + lg->conns[i].n_queued > 0)
			return;
	lg->phase = LG_DONE;
	event_base_loopbreak(lg->base);
}

static void
print_result(const struct loadgen *lg)
{
	struct rusage	ru;
	double		secs, cpu;

	secs = (double)(lg->t_end - lg->t_start) / 1e9;
	if (secs <= 0)
		secs = 1e-9;
	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	printf("conns=%d acked=%" PRIu64 " errors=%" PRIu64 " rate=%.0f/s "
	    "p50=%.2fms p99=%.2fms max=%.2fms dups=%" PRIu64
	    " unacked=%" PRIu64 " cpu=%.0f%%\n",
	    lg->nconns, lg->acked, lg->errors,
	    (double)lg->acked_in_window / secs,
	    hist_percentile(lg, 50) / 1000.0,
	    hist_percentile(lg, 99) / 1000.0,
	    (double)lg->lat_max / 1000.0, lg->dups, lg->unacked,
	    100.0 * cpu / secs);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	static struct loadgen	 lgs;
	struct loadgen		*lg = &lgs;
	struct event_config	*ecfg;
	struct addrinfo		 hints, *ai;
	struct timeval		 tv;
	struct rlimit		 rl;
	struct tm		 tm;
	struct lg_conn		*c;
	const char		*host = NULL, *port = NULL;
	time_t			 t;
	int			 ch, i, fd, one = 1, rc;

	lg->nconns = 1;
	lg->window = 64;
	lg->size = 1024;
	lg->seconds = 10;
	while ((ch = getopt(argc, argv, "h:p:c:d:t:w:r:s:")) != -1) {
		switch (ch) {
		case 'h':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'c':
			lg->nconns = (int)num_arg(ch, optarg, 1, 100000);
			break;
		case 'd':
			lg->seconds = (int)num_arg(ch, optarg, 1, 86400);
			break;
		case 't':
			lg->token = optarg;
			break;
		case 'w':
			lg->window = (int)num_arg(ch, optarg, 1, 1000000);
			break;
		case 'r':
			lg->rate = (double)num_arg(ch, optarg, 1, 10000000);
			break;
		case 's':
			lg->size = (int)num_arg(ch, optarg, 64, 16000);
			break;
		default:
			usage();
		}
	}
	if (host == NULL || port == NULL || optind != argc)
		usage();

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0)
		lg_fatal("%s:%s: %s", host, port, gai_strerror(rc));
	memcpy(&lg->addr, ai->ai_addr, sizeof(lg->addr));
	freeaddrinfo(ai);

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)lg->nconns + 64) {
		rl.rlim_cur = (rlim_t)lg->nconns + 64;
		if (rl.rlim_cur > rl.rlim_max)
			rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	/* A salt per run keeps indicators and external-ids apart across runs. */
	lg->salt = mix64(((uint64_t)getpid() << 32) ^ now_ns() ^
	    (uint64_t)time(NULL));
	lg->ip_octet = ip_octets[lg->salt % sizeof(ip_octets)];
	lg->ip_base = (uint32_t)(lg->salt >> 20);
	t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(lg->detected_at, sizeof(lg->detected_at),
	    "%Y-%m-%dT%H:%M:%SZ", &tm);

	if ((ecfg = event_config_new()) == NULL)
		lg_fatal("event_config_new failed");
	event_config_set_flag(ecfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	lg->base = event_base_new_with_config(ecfg);
	event_config_free(ecfg);
	if (lg->base == NULL)
		lg_fatal("event_base_new failed");
	lg->tick = event_new(lg->base, -1, EV_PERSIST, tick_cb, lg);
	lg->phase_timer = evtimer_new(lg->base, phase_cb, lg);
	if ((lg->conns = calloc((size_t)lg->nconns, sizeof(*c))) == NULL)
		lg_fatal("out of memory");

	for (i = 0; i < lg->nconns; i++) {
		c = &lg->conns[i];
		c->lg = lg;
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
			lg_fatal("socket: %s", strerror(errno));
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		evutil_make_socket_nonblocking(fd);
		c->bev = bufferevent_socket_new(lg->base, fd,
		    BEV_OPT_CLOSE_ON_FREE);
		if (c->bev == NULL)
			lg_fatal("bufferevent_socket_new failed");
		bufferevent_setcb(c->bev, conn_readcb, NULL, conn_eventcb, c);
		bufferevent_enable(c->bev, EV_READ | EV_WRITE);
		c->state = LG_CONNECTING;
		if (bufferevent_socket_connect(c->bev,
		    (struct sockaddr *)&lg->addr, sizeof(lg->addr)) == -1)
			lg_fatal("connect %s:%s: %s", host, port,
			    strerror(errno));
	}
	tv.tv_sec = LG_SETUP_SECONDS;
	tv.tv_usec = 0;
	evtimer_add(lg->phase_timer, &tv);

	event_base_dispatch(lg->base);
	if (lg->phase != LG_DONE)
		lg_fatal("event loop ended early");
	print_result(lg);

	for (i = 0; i < lg->nconns; i++) {
		if (lg->conns[i].bev != NULL)
			bufferevent_free(lg->conns[i].bev);
		free(lg->conns[i].ts);
	}
	free(lg->conns);
	free(lg->line);
	event_free(lg->tick);
	event_free(lg->phase_timer);
	event_base_free(lg->base);
	return 0;
}
