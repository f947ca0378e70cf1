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
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#define BENCH_NAME	"loadgen"
#include "bench_util.h"

#define LG_TICK_USEC		500	/* open-loop pacing interval */
#define LG_REPLY_MAX		4096	/* longer reply line: protocol error */

enum lg_state {
	LG_CONNECTING,
	LG_GREETING,
	LG_AUTH,
	LG_READY,
	LG_CLOSED
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
	struct bench_run	 run;		/* phases, window, latencies */
	struct lg_conn		*conns;
	int			 window;
	double			 rate;		/* 0 = closed loop */
	const char		*token;

	uint64_t		 scheduled;	/* open loop: reports due yet */
	int			 rr;		/* open loop: next connection */
	struct event		*tick;

	struct bench_reports	 gen;		/* the REPORT lines */

	uint64_t		 sent;
	uint64_t		 acked;
	uint64_t		 acked_in_window;
	uint64_t		 errors;
	uint64_t		 dups;
	uint64_t		 unacked;
	int			 failed;
};

static void	 usage(void) __attribute__((noreturn));
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

static void
usage(void)
{
	fprintf(stderr, "usage: loadgen -h HOST -p PORT -c CONNS -d SECONDS "
	    "[-t TOKEN] [-w WINDOW] [-r RATE] [-s SIZE]\n");
	exit(1);
}

static void
ring_push(struct lg_conn *c, uint64_t ts)
{
	size_t	 n = c->n_sent + c->n_queued, i, ncap;
	uint64_t *nts;

	if (n == c->cap) {
		ncap = c->cap ? c->cap * 2 : 128;
		if ((nts = malloc(ncap * sizeof(*nts))) == NULL)
			bench_fatal("out of memory");
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
	len = bench_report_line(&lg->gen, lg->gen.counter++);
	if (bufferevent_write(c->bev, lg->gen.line, len) == -1)
		bench_fatal("bufferevent_write failed");
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
		else if (lg->rate == 0 && lg->run.phase == BENCH_RUNNING)
			conn_send_one(c, now);
		else
			break;
	}
}

static void
conn_ready(struct lg_conn *c)
{
	c->state = LG_READY;
	if (++c->lg->run.ready == c->lg->run.nconns)
		run_start(c->lg);
}

/* A connection died: what it had outstanding is lost (errors). */
static void
conn_fail(struct lg_conn *c, const char *why)
{
	struct loadgen	*lg = c->lg;

	if (c->state == LG_CLOSED)
		return;
	if (lg->run.phase == BENCH_SETUP)
		bench_fatal("connection failed before the run: %s", why);
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
			bench_fatal("unexpected greeting: %.*s", (int)len,
			    line);
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
			bench_fatal("AUTH refused: %.*s", (int)len, line);
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
			if (lg->run.phase == BENCH_RUNNING)
				lg->acked_in_window++;
			if (memmem(line, len, " duplicate ", 11) != NULL)
				lg->dups++;
			bench_hist_add(&lg->run.lat,
			    now > ts ? (now - ts) / 1000 : 0);
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
	uint64_t	 now = bench_now_ns();
	char		 buf[LG_REPLY_MAX + 2];
	ssize_t		 len;

	for (;;) {
		if ((len = bench_read_line(in, buf, LG_REPLY_MAX)) ==
		    BENCH_LINE_NONE)
			break;
		if (len == BENCH_LINE_LONG) {
			conn_fail(c, "reply line too long");
			return;
		}
		conn_line(c, buf, (size_t)len, now);
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

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		c->state = LG_GREETING;
		return;
	}
	conn_fail(c, bench_event_why(what));
}

static void
run_start(struct loadgen *lg)
{
	int	i;

	bench_run_start(&lg->run);
	if (lg->rate > 0) {
		bench_timer_add(lg->tick, 0, LG_TICK_USEC);
		return;
	}
	for (i = 0; i < lg->run.nconns; i++)
		conn_fill(&lg->conns[i], lg->run.t_start);
}

/* Open loop: queue every report due by now, round robin, and send. */
static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct loadgen	*lg = arg;
	struct lg_conn	*c = NULL;
	uint64_t	 now = bench_now_ns(), due, ts;
	int		 i, tries;

	(void)fd;
	(void)what;
	if (lg->run.phase != BENCH_RUNNING)
		return;
	due = (uint64_t)((double)(now - lg->run.t_start) / 1e9 * lg->rate);
	while (lg->scheduled < due) {
		/* Skip dead connections; if all are dead, stop scheduling. */
		for (tries = 0; tries < lg->run.nconns; tries++) {
			c = &lg->conns[lg->rr];
			lg->rr = (lg->rr + 1) % lg->run.nconns;
			if (c->state == LG_READY)
				break;
		}
		if (tries == lg->run.nconns)
			break;
		ts = lg->run.t_start + (uint64_t)((double)lg->scheduled * 1e9 /
		    lg->rate);
		ring_push(c, ts);
		c->n_queued++;
		lg->scheduled++;
	}
	for (i = 0; i < lg->run.nconns; i++)
		conn_fill(&lg->conns[i], now);
}

/* End of the run (start the drain), or end of the drain. */
static void
phase_cb(evutil_socket_t fd, short what, void *arg)
{
	struct loadgen	*lg = arg;
	int		 i;

	(void)fd;
	(void)what;
	if (bench_run_timer(&lg->run, "connections") == BENCH_DRAINING) {
		event_del(lg->tick);
		maybe_finish(lg);
		return;
	}
	for (i = 0; i < lg->run.nconns; i++)
		lg->unacked += lg->conns[i].n_sent + lg->conns[i].n_queued;
	bench_run_done(&lg->run);
}

static void
maybe_finish(struct loadgen *lg)
{
	int	i;

	if (lg->run.phase == BENCH_RUNNING && lg->failed == lg->run.nconns)
		bench_run_stop(&lg->run);
	if (lg->run.phase != BENCH_DRAINING)
		return;
	for (i = 0; i < lg->run.nconns; i++)
		if (lg->conns[i].n_sent + lg->conns[i].n_queued > 0)
			return;
	bench_run_done(&lg->run);
}

static void
print_result(const struct loadgen *lg)
{
	double	secs = bench_run_secs(&lg->run);
	char	lat[128];

	bench_hist_format(&lg->run.lat, lat, sizeof(lat));
	printf("conns=%d acked=%" PRIu64 " errors=%" PRIu64 " rate=%.0f/s "
	    "%s dups=%" PRIu64 " unacked=%" PRIu64 " cpu=%.0f%%\n",
	    lg->run.nconns, lg->acked, lg->errors,
	    (double)lg->acked_in_window / secs, lat, lg->dups, lg->unacked,
	    100.0 * bench_cpu_s() / secs);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	static struct loadgen	 lgs;
	struct loadgen		*lg = &lgs;
	struct lg_conn		*c;
	const char		*host = NULL, *port = NULL;
	int			 ch, i, size = 1024;

	lg->run.nconns = 1;
	lg->window = 64;
	lg->run.seconds = 10;
	while ((ch = getopt(argc, argv, "h:p:c:d:t:w:r:s:")) != -1) {
		switch (ch) {
		case 'h':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'c':
			lg->run.nconns = (int)bench_num_arg(ch, optarg, 1,
			    100000);
			break;
		case 'd':
			lg->run.seconds = (int)bench_num_arg(ch, optarg, 1,
			    86400);
			break;
		case 't':
			lg->token = optarg;
			break;
		case 'w':
			lg->window = (int)bench_num_arg(ch, optarg, 1, 1000000);
			break;
		case 'r':
			lg->rate = (double)bench_num_arg(ch, optarg, 1,
			    10000000);
			break;
		case 's':
			size = (int)bench_num_arg(ch, optarg, 64, 16000);
			break;
		default:
			usage();
		}
	}
	if (host == NULL || port == NULL || optind != argc)
		usage();

	bench_resolve(&lg->run.peer, host, port);
	bench_raise_nofile((rlim_t)lg->run.nconns + 64);
	/* A salt per run keeps indicators and ids apart across runs. */
	bench_reports_init(&lg->gen, size);

	/* Precise timers: the open loop paces by LG_TICK_USEC. */
	bench_run_init(&lg->run, 1, phase_cb, lg);
	lg->tick = event_new(lg->run.base, -1, EV_PERSIST, tick_cb, lg);
	if ((lg->conns = calloc((size_t)lg->run.nconns, sizeof(*c))) == NULL)
		bench_fatal("out of memory");

	for (i = 0; i < lg->run.nconns; i++) {
		c = &lg->conns[i];
		c->lg = lg;
		c->state = LG_CONNECTING;
		c->bev = bench_connect(lg->run.base, &lg->run.peer,
		    conn_readcb, conn_eventcb, c);
	}
	bench_run_dispatch(&lg->run);
	print_result(lg);

	for (i = 0; i < lg->run.nconns; i++) {
		if (lg->conns[i].bev != NULL)
			bufferevent_free(lg->conns[i].bev);
		free(lg->conns[i].ts);
	}
	free(lg->conns);
	bench_reports_free(&lg->gen);
	event_free(lg->tick);
	bench_run_free(&lg->run);
	return 0;
}
