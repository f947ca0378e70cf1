/*
 * idle_conns.c - hold many idle connections open on the line port, to
 * measure what the daemon's memory costs per connection.
 *
 *   idle_conns -h HOST -p PORT [-n N] [-s SECONDS] [-P PID]
 *
 * Opens N (default 1000) plain TCP connections, reads each "220" greeting,
 * then keeps them all open without sending anything for SECONDS (default
 * 5), and closes them. With -P it reads VmRSS of process PID from /proc
 * before the first connection and one second after the last greeting, and
 * prints both. RLIMIT_NOFILE is raised as far as N needs (up to the hard
 * limit). Output, one line:
 *
 *   idle_conns n=1000 greeted=1000 open_at_end=1000 rss_before_kb=N
 *       rss_idle_kb=N
 *
 * Exit status 0 when every connection was greeted, 1 otherwise. With -n 1
 * -s 0 it doubles as a "is the daemon answering yet" probe.
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BENCH_NAME	"idle_conns"
#include "bench_util.h"

#define IC_GREETING_SECONDS	10	/* for all greetings together */
#define IC_GREETING_MAX		512

struct ic_conn {
	int	fd;
	int	greeted;
	size_t	len;		/* greeting bytes read so far */
	char	buf[IC_GREETING_MAX];
};

static void	 usage(void) __attribute__((noreturn));
static long long now_ms(void);
static void	 conn_read(struct ic_conn *c);

static void
usage(void)
{
	fprintf(stderr, "usage: idle_conns -h HOST -p PORT [-n N] "
	    "[-s SECONDS] [-P PID]\n");
	exit(1);
}

static long long
now_ms(void)
{
	return (long long)(bench_now_ns() / 1000000);
}

/* Read what the server sent; a full line starting "220 " is a greeting. */
static void
conn_read(struct ic_conn *c)
{
	ssize_t	n;

	n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	if (n <= 0) {
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		close(c->fd);
		c->fd = -1;
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	if (strchr(c->buf, '\n') != NULL) {
		if (strncmp(c->buf, "220 ", 4) == 0)
			c->greeted = 1;
		else {
			fprintf(stderr, "idle_conns: unexpected greeting: %s",
			    c->buf);
			close(c->fd);
			c->fd = -1;
		}
	} else if (c->len == sizeof(c->buf) - 1) {
		close(c->fd);
		c->fd = -1;
	}
}

int
main(int argc, char **argv)
{
	struct addrinfo	 hints, *ai;
	struct pollfd	*pfd;
	struct ic_conn	*conns;
	const char	*host = NULL, *port = NULL;
	long long	 n = 1000, seconds = 5, pid = 0, deadline, left;
	long		 rss_before = -1, rss_idle = -1;
	rlim_t		 nofile;
	int		 ch, i, rc, greeted, waiting, open_at_end;

	while ((ch = getopt(argc, argv, "h:p:n:s:P:")) != -1) {
		switch (ch) {
		case 'h':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'n':
			n = bench_num_arg(ch, optarg, 1, 1000000);
			break;
		case 's':
			seconds = bench_num_arg(ch, optarg, 0, 86400);
			break;
		case 'P':
			pid = bench_num_arg(ch, optarg, 1, 1LL << 30);
			break;
		default:
			usage();
		}
	}
	if (host == NULL || port == NULL || optind != argc)
		usage();

	if ((nofile = bench_raise_nofile((rlim_t)n + 32)) < (rlim_t)n + 32)
		fprintf(stderr, "idle_conns: RLIMIT_NOFILE is %llu, "
		    "fewer than %lld connections will open\n",
		    (unsigned long long)nofile, n);

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0)
		bench_fatal("%s:%s: %s", host, port, gai_strerror(rc));
	conns = calloc((size_t)n, sizeof(*conns));
	pfd = calloc((size_t)n, sizeof(*pfd));
	if (conns == NULL || pfd == NULL)
		bench_fatal("out of memory");
	if (pid != 0)
		rss_before = bench_rss_kb((long)pid);

	/* Connect everything first (loopback: immediate or in progress). */
	for (i = 0; i < n; i++) {
		conns[i].fd = socket(ai->ai_family, ai->ai_socktype |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (conns[i].fd == -1) {
			fprintf(stderr, "idle_conns: socket #%d: %s\n", i,
			    strerror(errno));
			break;
		}
		if (connect(conns[i].fd, ai->ai_addr, ai->ai_addrlen) == -1 &&
		    errno != EINPROGRESS) {
			fprintf(stderr, "idle_conns: connect #%d: %s\n", i,
			    strerror(errno));
			close(conns[i].fd);
			conns[i].fd = -1;
			break;
		}
	}
	for (; i < n; i++)
		conns[i].fd = -1;
	freeaddrinfo(ai);

	/* Then wait for every greeting, with one deadline for all. */
	deadline = now_ms() + IC_GREETING_SECONDS * 1000;
	for (;;) {
		waiting = 0;
		for (i = 0; i < n; i++) {
			pfd[i].fd = conns[i].greeted ? -1 : conns[i].fd;
			pfd[i].events = POLLIN;
			if (pfd[i].fd != -1)
				waiting++;
		}
		left = deadline - now_ms();
		if (waiting == 0 || left <= 0)
			break;
		if (poll(pfd, (nfds_t)n, (int)left) == -1 && errno != EINTR)
			break;
		for (i = 0; i < n; i++)
			if (pfd[i].fd != -1 && pfd[i].revents != 0)
				conn_read(&conns[i]);
	}
	greeted = 0;
	for (i = 0; i < n; i++)
		greeted += conns[i].greeted;

	if (greeted > 0 && seconds > 0) {
		if (pid != 0) {
			sleep(seconds > 1 ? 1 : (unsigned)seconds);
			rss_idle = bench_rss_kb((long)pid);
			seconds -= 1;
		}
		if (seconds > 0)
			sleep((unsigned)seconds);
	}

	/* Still open? A closed socket polls readable (EOF). */
	open_at_end = 0;
	for (i = 0; i < n; i++) {
		pfd[i].fd = conns[i].greeted ? conns[i].fd : -1;
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	poll(pfd, (nfds_t)n, 0);
	for (i = 0; i < n; i++)
		if (pfd[i].fd != -1 && pfd[i].revents == 0)
			open_at_end++;
	for (i = 0; i < n; i++)
		if (conns[i].fd != -1)
			close(conns[i].fd);

	printf("idle_conns n=%lld greeted=%d open_at_end=%d", n, greeted,
	    open_at_end);
	if (pid != 0)
		printf(" rss_before_kb=%ld rss_idle_kb=%ld", rss_before,
		    rss_idle);
	printf("\n");
	free(conns);
	free(pfd);
	return greeted == n ? 0 : 1;
}
