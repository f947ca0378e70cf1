/*
 * bench_util.h - what the benchmark programs of tests/bench/ share: clocks
 * and CPU time, the latency histogram, the file-descriptor limit, fatal
 * errors and option numbers, the per-run salt, the ILP REPORT line
 * generator (loadgen, sqlite_ceiling), the libevent client plumbing
 * (loadgen, smtpload) and the loading and timing of message files
 * (bench_mail, bench_mime).
 *
 * Header-only, because the Makefile builds every .c file of tests/bench/
 * into a binary of its own: every function is static inline (no warning
 * where a program does not use it). A program defines BENCH_NAME, its
 * name, before including this file; bench_fatal and the other messages
 * start with it.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#ifndef BENCH_NAME
#error "define BENCH_NAME (the program's name) before including bench_util.h"
#endif

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <ftw.h>
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

#define BENCH_SETUP_SECONDS	10	/* for every connection to be ready */
#define BENCH_DRAIN_SECONDS	10	/* for the replies due at the end */
#define BENCH_HIST_SUB		32	/* sub-buckets per power of two */
#define BENCH_HIST_SHIFT	5	/* log2(BENCH_HIST_SUB) */
#define BENCH_HIST_BUCKETS	(BENCH_HIST_SUB * 40)
#define BENCH_REPORT_VERB	"REPORT "	/* bench_report_line's lines */
#define BENCH_DUP_EVERY		10	/* one report in ten is a duplicate */
#define BENCH_DUP_LOOKBACK	5000	/* ...of one of the last N reports */
#define BENCH_FILES_MAX		100000	/* message files loaded at most */
#define BENCH_LINE_NONE		(-1)	/* bench_read_line: no line yet */
#define BENCH_LINE_LONG		(-2)	/* bench_read_line: too long */

/*
 * Latencies in microseconds, log-linear: values below 2*SUB have their own
 * bucket; above, each power of two is split in SUB equal buckets (about 3%
 * resolution). Zeroed memory is an empty histogram.
 */
struct bench_hist {
	uint64_t	n[BENCH_HIST_BUCKETS];
	uint64_t	max;		/* us */
};

/* The salt of one run, and the IPv4 block its addresses come from. */
struct bench_salt {
	uint64_t	salt;
	uint8_t		ip_octet;	/* first octet of every address */
	uint32_t	ip_base;	/* the other three, before adding n */
};

/* loadgen's REPORT lines (sqlite_ceiling parses the same lines). */
struct bench_reports {
	struct bench_salt	 rnd;
	int			 size;		/* bytes of a line, with CRLF */
	char			 detected_at[32];
	char			*line;		/* one line, CRLF, NUL */
	size_t			 linecap;
	uint64_t		 counter;	/* reports generated */
};

/* Where loadgen and smtpload connect to. */
struct bench_peer {
	const char		*host;
	const char		*port;
	struct sockaddr_in	 addr;
};

enum bench_phase {
	BENCH_SETUP,		/* connecting, greeting, authenticating */
	BENCH_RUNNING,		/* sending for the run's seconds */
	BENCH_DRAINING,		/* waiting for the replies still due */
	BENCH_DONE
};

/*
 * One timed run of a load generator (loadgen, smtpload) on one libevent
 * loop. The phase timer bounds the setup, ends the run window after
 * seconds, and bounds the drain; rates count over t_start..t_end.
 */
struct bench_run {
	struct event_base	*base;
	struct event		*phase_timer;
	enum bench_phase	 phase;
	int			 seconds;	/* of the run window */
	int			 nconns;
	int			 ready;		/* connections set up so far */
	uint64_t		 t_start;	/* ns, bench_now_ns */
	uint64_t		 t_end;
	struct bench_peer	 peer;
	struct bench_hist	 lat;
};

/* Message files, read into memory (bench_mail, bench_mime). */
struct bench_input {
	char	*data;
	size_t	 len;
};

struct bench_inputs {
	struct bench_input	*v;		/* room for BENCH_FILES_MAX */
	size_t			 n;
	size_t			 bytes;		/* of all n */
	const char		*suffix;	/* names must end so, or NULL */
};

/* What bench_loop did. */
struct bench_timing {
	size_t	parses;
	size_t	bytes;
	size_t	passes;
	double	wall;		/* s, monotonic clock */
	double	cpu;		/* s of this process's CPU time */
};

/* Parses in once; pass counts from 0. Exits through bench_fatal on error. */
typedef void	(*bench_parse_cb)(const struct bench_input *in, size_t pass,
		    void *arg);

static inline void	 bench_fatal(const char *fmt, ...)
			    __attribute__((format(printf, 1, 2), noreturn));

/* Print "BENCH_NAME: " and the message on stderr, and exit 1. */
static inline void
bench_fatal(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s: ", BENCH_NAME);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* The value of option -opt in [min, max], or exit with a message. */
static inline long long
bench_num_arg(int opt, const char *s, long long min, long long max)
{
	long long	 v;
	const char	*why;

	if (parse_int(s, min, max, &v, &why) == -1)
		bench_fatal("-%c %s: %s (%lld..%lld)", opt, s, why, min, max);
	return v;
}

/* Nanoseconds on clock (CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID...). */
static inline uint64_t
bench_clock_ns(clockid_t clock)
{
	struct timespec	ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline uint64_t
bench_now_ns(void)
{
	return bench_clock_ns(CLOCK_MONOTONIC);
}

static inline double
bench_now_s(void)
{
	return (double)bench_clock_ns(CLOCK_MONOTONIC) / 1e9;
}

/* CPU seconds this process has used, all threads, user and system. */
static inline double
bench_cpu_s(void)
{
	return (double)bench_clock_ns(CLOCK_PROCESS_CPUTIME_ID) / 1e9;
}

/* VmRSS of pid in kB, or -1 when it cannot be read. */
static inline long
bench_rss_kb(long pid)
{
	char	 path[64], line[256];
	FILE	*f;
	long	 kb = -1;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * Raise the soft RLIMIT_NOFILE to want, or as far as the hard limit
 * allows. Returns the limit now in force (want when it cannot be read).
 */
static inline rlim_t
bench_raise_nofile(rlim_t want)
{
	struct rlimit	rl;
	rlim_t		old;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return want;
	if (rl.rlim_cur >= want)
		return rl.rlim_cur;
	old = rl.rlim_cur;
	rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
	return setrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : old;
}

/* splitmix64 finaliser: a bijection, so distinct inputs stay distinct. */
static inline uint64_t
bench_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static inline void
bench_hist_add(struct bench_hist *h, uint64_t us)
{
	int	msb, shift, idx;

	if (us > h->max)
		h->max = us;
	if (us < 2 * BENCH_HIST_SUB)
		idx = (int)us;
	else {
		msb = 63 - __builtin_clzll(us);
		shift = msb - BENCH_HIST_SHIFT;
		idx = shift * BENCH_HIST_SUB + (int)(us >> shift);
	}
	if (idx >= BENCH_HIST_BUCKETS)
		idx = BENCH_HIST_BUCKETS - 1;
	h->n[idx]++;
}

/* The middle of bucket idx, in microseconds. */
static inline uint64_t
bench_hist_value(int idx)
{
	int		shift;
	uint64_t	top;

	if (idx < 2 * BENCH_HIST_SUB)
		return (uint64_t)idx;
	shift = idx / BENCH_HIST_SUB - 1;
	top = (uint64_t)(idx - shift * BENCH_HIST_SUB);
	return (top << shift) + ((1ULL << shift) >> 1);
}

/* The p-th percentile (0 < p <= 100) in microseconds, 0 when empty. */
static inline double
bench_hist_percentile(const struct bench_hist *h, double p)
{
	uint64_t	total = 0, seen = 0, want;
	int		i;

	for (i = 0; i < BENCH_HIST_BUCKETS; i++)
		total += h->n[i];
	if (total == 0)
		return 0;
	want = (uint64_t)(p / 100.0 * (double)total + 0.5);
	if (want < 1)
		want = 1;
	for (i = 0; i < BENCH_HIST_BUCKETS; i++) {
		seen += h->n[i];
		if (seen >= want)
			return (double)bench_hist_value(i);
	}
	return (double)h->max;
}

/* "p50=Xms p99=Xms max=Xms" of h into buf. */
static inline void
bench_hist_format(const struct bench_hist *h, char *buf, size_t len)
{
	snprintf(buf, len, "p50=%.2fms p99=%.2fms max=%.2fms",
	    bench_hist_percentile(h, 50) / 1000.0,
	    bench_hist_percentile(h, 99) / 1000.0, (double)h->max / 1000.0);
}

/*
 * A new salt, from the pid and the clocks: it keeps the indicators,
 * addresses and ids of one run apart from those of earlier runs.
 */
static inline void
bench_salt_init(struct bench_salt *s)
{
	/* First octets of public IPv4 blocks. */
	static const uint8_t	ip_octets[] = {
		23, 31, 37, 45, 46, 62, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86,
		87, 88, 89, 91, 92, 93, 94, 95, 103, 109, 176, 178, 185, 188,
		193, 194, 195, 212, 213, 217
	};

	s->salt = bench_mix64(((uint64_t)getpid() << 32) ^ bench_now_ns() ^
	    (uint64_t)time(NULL));
	s->ip_octet = ip_octets[s->salt % sizeof(ip_octets)];
	s->ip_base = (uint32_t)(s->salt >> 20);
}

/* The IPv4 address of seed n in the run's block, host byte order. */
static inline uint32_t
bench_ipv4(const struct bench_salt *s, uint64_t n)
{
	return (uint32_t)s->ip_octet << 24 |
	    ((s->ip_base + (uint32_t)n) & 0xffffff);
}

/* A new salt, the current time, and room for lines of about size bytes. */
static inline void
bench_reports_init(struct bench_reports *g, int size)
{
	memset(g, 0, sizeof(*g));
	bench_salt_init(&g->rnd);
	g->size = size;
	format_time_utc(time(NULL), g->detected_at, sizeof(g->detected_at));
	/* Room for the fields before the padding, whatever the size. */
	g->linecap = (size_t)size + 512;
	if ((g->line = malloc(g->linecap)) == NULL)
		bench_fatal("out of memory");
}

static inline void
bench_reports_free(struct bench_reports *g)
{
	free(g->line);
	g->line = NULL;
}

/*
 * Write report number n into g->line, ended by CRLF and a NUL, and return
 * its length with the CRLF. Its category and indicators come from a seed:
 * n itself, or for about one report in ten an earlier report's number,
 * which makes it a duplicate of that report. The external-id is always
 * n's, so a duplicate is still a new report. The description pads the
 * line to g->size.
 */
static inline size_t
bench_report_line(struct bench_reports *g, uint64_t n)
{
	static const char *const categories[] = {
		"scan", "brute-force", "botnet", "phishing", "malware-url",
		"spam", "dos"
	};
	static const char *const words[] = {
		"load", "generator", "report", "repeated", "scanning",
		"observed", "from", "this", "address", "against", "several",
		"hosts", "of", "our", "network", "during", "the", "night",
		"with", "failed", "logins", "and", "probes", "on", "common",
		"service", "ports"
	};
	const size_t	 n_words = sizeof(words) / sizeof(words[0]);
	uint64_t	 seed = n, h, back;
	uint32_t	 ip;
	size_t		 len, want, room, cap = g->linecap;
	int		 nind, i;
	char		*p = g->line;

	h = bench_mix64(g->rnd.salt ^ (n * 0x100000001b3ULL));
	if (n > 100 && h % BENCH_DUP_EVERY == 0) {
		back = n < BENCH_DUP_LOOKBACK ? n : BENCH_DUP_LOOKBACK;
		seed = n - 1 - (h >> 16) % back;
	}
	h = bench_mix64(g->rnd.salt + seed);
	nind = 1 + (int)((h >> 8) % 3);
	ip = bench_ipv4(&g->rnd, seed);

	len = (size_t)snprintf(p, cap, BENCH_REPORT_VERB "category=%s"
	    " external-id=lg-%016" PRIx64 "-%" PRIu64
	    " detected-at=%s source-ip=%u.%u.%u.%u",
	    categories[h % (sizeof(categories) / sizeof(categories[0]))],
	    g->rnd.salt, n, g->detected_at, ip >> 24, (ip >> 16) & 0xff,
	    (ip >> 8) & 0xff, ip & 0xff);
	if (nind >= 2)
		len += (size_t)snprintf(p + len, cap - len,
		    " domain=h%" PRIu64 ".r%04x.bench.example", seed,
		    (unsigned)(g->rnd.salt & 0xffff));
	if (nind >= 3) {
		len += (size_t)snprintf(p + len, cap - len, " hash=");
		for (i = 0; i < 4; i++)
			len += (size_t)snprintf(p + len, cap - len,
			    "%016" PRIx64, bench_mix64(g->rnd.salt ^ seed ^
			    ((uint64_t)i << 56)));
	}
	len += (size_t)snprintf(p + len, cap - len,
	    " description=report%%20%" PRIu64, seed);

	/* Words joined by %20 up to the size, then 'x' for the last bytes. */
	want = g->size > 2 ? (size_t)g->size - 2 : 0;
	i = (int)(h % n_words);
	while (len < want) {
		room = want - len;
		if (strlen(words[i]) + 3 > room) {
			memset(p + len, 'x', room);
			len += room;
			break;
		}
		len += (size_t)snprintf(p + len, cap - len, "%%20%s", words[i]);
		i = (i + 1) % (int)n_words;
	}
	p[len++] = '\r';
	p[len++] = '\n';
	p[len] = '\0';
	return len;
}

/* Resolve host and port to an IPv4 address in p, or exit. */
static inline void
bench_resolve(struct bench_peer *p, const char *host, const char *port)
{
	struct addrinfo	hints, *ai;
	int		rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0)
		bench_fatal("%s:%s: %s", host, port, gai_strerror(rc));
	p->host = host;
	p->port = port;
	memcpy(&p->addr, ai->ai_addr, sizeof(p->addr));
	freeaddrinfo(ai);
}

/*
 * Start a TCP connection to p (TCP_NODELAY, non-blocking) and return its
 * bufferevent, closed on free, with readcb and eventcb on arg, reading and
 * writing. Exits when the connection cannot be started.
 */
static inline struct bufferevent *
bench_connect(struct event_base *base, const struct bench_peer *p,
    bufferevent_data_cb readcb, bufferevent_event_cb eventcb, void *arg)
{
	struct bufferevent	*bev;
	int			 fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		bench_fatal("socket: %s", strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	evutil_make_socket_nonblocking(fd);
	if ((bev = bufferevent_socket_new(base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		bench_fatal("bufferevent_socket_new failed");
	bufferevent_setcb(bev, readcb, NULL, eventcb, arg);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(bev, (const struct sockaddr *)&p->addr,
	    sizeof(p->addr)) == -1)
		bench_fatal("connect %s:%s: %s", p->host, p->port,
		    strerror(errno));
	return bev;
}

/*
 * Take the next line (ended by CRLF or LF) of at most max bytes from in
 * into buf, which has max + 2 bytes, without its end and NUL-terminated.
 * Returns its length, BENCH_LINE_NONE when no whole line is buffered yet,
 * or BENCH_LINE_LONG when it is (or will be) longer than max.
 */
static inline ssize_t
bench_read_line(struct evbuffer *in, char *buf, size_t max)
{
	struct evbuffer_ptr	eol;
	size_t			eollen, len;

	eol = evbuffer_search_eol(in, NULL, &eollen, EVBUFFER_EOL_CRLF);
	if (eol.pos < 0)
		return evbuffer_get_length(in) > max ? BENCH_LINE_LONG :
		    BENCH_LINE_NONE;
	len = (size_t)eol.pos;
	if (len > max)
		return BENCH_LINE_LONG;
	evbuffer_remove(in, buf, len + eollen);
	buf[len] = '\0';
	return (ssize_t)len;
}

/* Why a bufferevent event other than CONNECTED ended the connection. */
static inline const char *
bench_event_why(short what)
{
	if (what & BEV_EVENT_EOF)
		return "closed by the server";
	return evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR());
}

/* Arm the timer ev to fire in sec seconds and usec microseconds. */
static inline void
bench_timer_add(struct event *ev, int sec, int usec)
{
	struct timeval	tv;

	tv.tv_sec = sec;
	tv.tv_usec = usec;
	evtimer_add(ev, &tv);
}

/*
 * Create r's event loop, with precise timers when the program paces by
 * sub-millisecond timers, and its phase timer, which calls phase_cb(arg).
 */
static inline void
bench_run_init(struct bench_run *r, int precise, event_callback_fn phase_cb,
    void *arg)
{
	struct event_config	*ecfg;

	if ((ecfg = event_config_new()) == NULL)
		bench_fatal("event_config_new failed");
	if (precise)
		event_config_set_flag(ecfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	r->base = event_base_new_with_config(ecfg);
	event_config_free(ecfg);
	if (r->base == NULL)
		bench_fatal("event_base_new failed");
	if ((r->phase_timer = evtimer_new(r->base, phase_cb, arg)) == NULL)
		bench_fatal("evtimer_new failed");
}

static inline void
bench_run_free(struct bench_run *r)
{
	event_free(r->phase_timer);
	event_base_free(r->base);
}

/* Run the loop from the setup to the end of the drain, or exit. */
static inline void
bench_run_dispatch(struct bench_run *r)
{
	bench_timer_add(r->phase_timer, BENCH_SETUP_SECONDS, 0);
	event_base_dispatch(r->base);
	if (r->phase != BENCH_DONE)
		bench_fatal("event loop ended early");
}

/* Every connection is ready: start the run window. */
static inline void
bench_run_start(struct bench_run *r)
{
	r->phase = BENCH_RUNNING;
	r->t_start = bench_now_ns();
	bench_timer_add(r->phase_timer, r->seconds, 0);
}

/* End the run window: from now on, only the replies due are awaited. */
static inline void
bench_run_stop(struct bench_run *r)
{
	r->t_end = bench_now_ns();
	r->phase = BENCH_DRAINING;
}

/* Nothing more to wait for: leave the loop. */
static inline void
bench_run_done(struct bench_run *r)
{
	r->phase = BENCH_DONE;
	event_base_loopbreak(r->base);
}

/*
 * The phase timer fired. At the end of the setup, exit: what (the
 * connections) were not all ready. At the end of the run window, start
 * the drain and return BENCH_DRAINING. At the end of the drain, return
 * BENCH_DONE: the caller counts what is still due, then bench_run_done.
 */
static inline enum bench_phase
bench_run_timer(struct bench_run *r, const char *what)
{
	if (r->phase == BENCH_SETUP)
		bench_fatal("%s not ready after %d s (%d of %d)", what,
		    BENCH_SETUP_SECONDS, r->ready, r->nconns);
	if (r->phase == BENCH_RUNNING) {
		bench_run_stop(r);
		bench_timer_add(r->phase_timer, BENCH_DRAIN_SECONDS, 0);
		return BENCH_DRAINING;
	}
	return BENCH_DONE;
}

/* Seconds of the run window, never 0: rates divide by it. */
static inline double
bench_run_secs(const struct bench_run *r)
{
	double	secs = (double)(r->t_end - r->t_start) / 1e9;

	return secs > 0 ? secs : 1e-9;
}

/* Append data (malloc'd; in owns it now) to in. 0, or -1 when full. */
static inline int
bench_inputs_add(struct bench_inputs *in, char *data, size_t len)
{
	if (in->v == NULL &&
	    (in->v = calloc(BENCH_FILES_MAX, sizeof(*in->v))) == NULL)
		return -1;
	if (in->n >= BENCH_FILES_MAX)
		return -1;
	in->v[in->n].data = data;
	in->v[in->n].len = len;
	in->n++;
	in->bytes += len;
	return 0;
}

/* nftw has no user pointer: the list being filled has to live here. */
static struct bench_inputs	*bench_walking __attribute__((unused));

/* nftw callback: read one regular, non-empty file into bench_walking. */
static inline int
bench_walk_file(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	struct bench_inputs	*in = bench_walking;
	FILE			*f;
	size_t			 n, sl, pl = strlen(path);
	char			*buf;

	(void)ftw;
	if (type != FTW_F || in->n >= BENCH_FILES_MAX || st->st_size <= 0)
		return 0;
	if (in->suffix != NULL && ((sl = strlen(in->suffix)) > pl ||
	    strcmp(path + pl - sl, in->suffix) != 0))
		return 0;
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", BENCH_NAME, path,
		    strerror(errno));
		return 0;
	}
	if ((buf = malloc((size_t)st->st_size)) == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, (size_t)st->st_size, f);
	fclose(f);
	if (bench_inputs_add(in, buf, n) == -1) {
		free(buf);
		return -1;
	}
	return 0;
}

/*
 * Read every file under dir (only names ending in suffix unless it is
 * NULL; BENCH_FILES_MAX at most) into in. 0, or -1 with a message on
 * stderr when the walk failed or found nothing.
 */
static inline int
bench_inputs_load(struct bench_inputs *in, const char *dir,
    const char *suffix)
{
	int	rc;

	in->suffix = suffix;
	bench_walking = in;
	rc = nftw(dir, bench_walk_file, 16, FTW_PHYS);
	bench_walking = NULL;
	if (rc == -1) {
		fprintf(stderr, "%s: %s: %s\n", BENCH_NAME, dir,
		    strerror(errno));
		return -1;
	}
	if (in->n == 0) {
		fprintf(stderr, "%s: no input under %s\n", BENCH_NAME, dir);
		return -1;
	}
	return 0;
}

static inline void
bench_inputs_free(struct bench_inputs *in)
{
	size_t	i;

	for (i = 0; i < in->n; i++)
		free(in->v[i].data);
	free(in->v);
	memset(in, 0, sizeof(*in));
}

/*
 * Pass parse over every input in turn, again and again, until secs of
 * wall-clock time have gone by (whole passes only), and fill t.
 */
static inline void
bench_loop(const struct bench_inputs *in, double secs, bench_parse_cb parse,
    void *arg, struct bench_timing *t)
{
	double	t0, c0;
	size_t	i;

	memset(t, 0, sizeof(*t));
	t0 = bench_now_s();
	c0 = bench_cpu_s();
	do {
		for (i = 0; i < in->n; i++) {
			parse(&in->v[i], t->passes, arg);
			t->bytes += in->v[i].len;
			t->parses++;
		}
		t->passes++;
		t->wall = bench_now_s() - t0;
	} while (t->wall < secs);
	t->cpu = bench_cpu_s() - c0;
}

#endif /* BENCH_UTIL_H */
