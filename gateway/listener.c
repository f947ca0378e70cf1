/*
 * listener.c - accepting connections for every protocol: binds the
 * configured address, enforces the per-listener session cap and the per-IP
 * cap, sets TCP_NODELAY (replies are small; Nagle plus delayed ACKs would
 * stall each exchange by ~40 ms), wraps the socket in a bufferevent (TLS in
 * accepting state for implicit-TLS listeners) and hands it to the
 * protocol's accept function.
 *
 * Over a limit, a plain connection gets the listener's one-line refusal and
 * is closed at once; a TLS connection is closed without a handshake (a
 * handshake is exactly the cost the cap protects against). When the process
 * runs out of descriptors, accepting pauses for a second instead of
 * spinning.
 *
 * A client address is an IPv4 address or an IPv6 /64 (one subscriber's
 * prefix: counting /128s would let one host open 2^64 slots). Besides the
 * session caps, TLS handshakes are rate limited per address with a token
 * bucket ([tls] handshake_rate per second, bursts of twice that) held in a
 * fixed table: colliding addresses share a bucket, which errs on the side
 * of refusing. Lingering closes (after the last reply) keep their slot
 * until they end, and end after LINGER_SECONDS whatever the client does.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/ssl.h>

#include "gateway.h"
#include "limits_gw.h"
#include "log.h"
#include "session.h"
#include "tls.h"
#include "util.h"

#define PEER_BUCKETS	1024

/* One remote address with sessions open; addresses are kept as 16 bytes,
 * IPv4 in its IPv4-mapped IPv6 form. */
struct peer_count {
	struct peer_count	*next;
	unsigned char		 addr[16];
	size_t			 count;
};

/* The sessions of one protocol, in total and per remote address. */
struct conn_limits {
	size_t			 max_sessions;
	size_t			 max_per_ip;
	size_t			 sessions;
	struct peer_count	*peers[PEER_BUCKETS];
};

struct listener {
	struct gateway		*gw;
	char			*name;
	struct evconnlistener	*evl;
	struct event		*resume_ev;	/* re-enable after EMFILE */
	int			 tls;
	const char		*refusal;
	struct conn_limits	*limits;	/* shared with sibling listeners */
	listener_accept_fn	 accept_fn;
};

void
listener_peer_key(const struct sockaddr *sa, unsigned char key[16])
{
	static const unsigned char v4mapped[12] =
	    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(key, 0, 16);
	if (sa->sa_family == AF_INET) {
		memcpy(key, v4mapped, 12);
		memcpy(key + 12,
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		memcpy(key,
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		/* an IPv4 client of a dual-stack socket is one address */
		if (memcmp(key, v4mapped, 12) != 0)
			memset(key + 8, 0, 8);
	}
}

static uint32_t
peer_hash(const unsigned char key[16])
{
	uint32_t	h = 2166136261u;
	int		i;

	for (i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619u;
	return h;
}

static struct peer_count **
peer_slot(struct conn_limits *cl, const unsigned char key[16])
{
	struct peer_count	**pp;

	for (pp = &cl->peers[peer_hash(key) % PEER_BUCKETS]; *pp != NULL; pp = &(*pp)->next)
		if (memcmp((*pp)->addr, key, 16) == 0)
			break;
	return pp;
}

struct conn_limits *
conn_limits_new(size_t max_sessions, size_t max_per_ip)
{
	struct conn_limits	*cl = xcalloc(1, sizeof(*cl));

	cl->max_sessions = max_sessions;
	cl->max_per_ip = max_per_ip;
	return cl;
}

void
conn_limits_free(struct conn_limits *cl)
{
	struct peer_count	*p, *next;
	size_t			 i;

	if (cl == NULL)
		return;
	for (i = 0; i < PEER_BUCKETS; i++)
		for (p = cl->peers[i]; p != NULL; p = next) {
			next = p->next;
			free(p);
		}
	free(cl);
}

size_t
conn_limits_sessions(const struct conn_limits *cl)
{
	return cl->sessions;
}

/* Count one more session from sa; -1 (nothing counted) when over a cap. */
static int
conn_limits_acquire(struct conn_limits *cl, const struct sockaddr *sa)
{
	unsigned char		 key[16];
	struct peer_count	**pp, *p;

	if (cl->sessions >= cl->max_sessions)
		return -1;
	listener_peer_key(sa, key);
	pp = peer_slot(cl, key);
	if ((p = *pp) == NULL) {
		p = xcalloc(1, sizeof(*p));
		memcpy(p->addr, key, 16);
		*pp = p;
	}
	if (p->count >= cl->max_per_ip)
		return -1;
	p->count++;
	cl->sessions++;
	return 0;
}

void
listener_release(struct listener *l, const struct sockaddr *sa)
{
	struct conn_limits	*cl = l->limits;
	unsigned char		 key[16];
	struct peer_count	**pp, *p;

	listener_peer_key(sa, key);
	pp = peer_slot(cl, key);
	if ((p = *pp) == NULL || p->count == 0)
		fatalx("listener %s: release of an unknown peer", l->name);
	if (--p->count == 0) {
		*pp = p->next;
		free(p);
	}
	cl->sessions--;
}

void
sockaddr_text(const struct sockaddr *sa, char *buf, size_t len)
{
	if (getnameinfo(sa, sa->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in),
	    buf, len, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(buf, len, "unknown");
}

#define HANDSHAKE_SLOTS	4096

/* Token buckets of TLS handshakes, by client address. */
static struct handshake_bucket {
	unsigned char	addr[16];
	double		tokens;
	long long	at_ms;		/* last refill; 0 = never used */
} handshake_buckets[HANDSHAKE_SLOTS];

int
listener_handshake_allowed(struct gateway *gw, const struct sockaddr *sa)
{
	struct handshake_bucket	*b;
	unsigned char		 key[16];
	double			 rate = gw->cfg->tls_handshake_rate;
	double			 burst = 2 * rate;
	long long		 now = session_now_ms();

	listener_peer_key(sa, key);
	b = &handshake_buckets[peer_hash(key) % HANDSHAKE_SLOTS];
	if (b->at_ms != 0) {
		b->tokens += (now - b->at_ms) * rate / 1000.0;
		if (b->tokens > burst)
			b->tokens = burst;
	}
	/* a full bucket is forgotten: another address may take the slot */
	if (b->at_ms == 0 || (memcmp(b->addr, key, 16) != 0 &&
	    b->tokens >= burst)) {
		memcpy(b->addr, key, 16);
		b->tokens = burst;
	}
	b->at_ms = now;
	if (b->tokens < 1)
		return 0;
	b->tokens -= 1;
	return 1;
}

static void
listener_refuse(struct listener *l, evutil_socket_t fd)
{
	if (!l->tls && l->refusal != NULL)
		(void)!send(fd, l->refusal, strlen(l->refusal),
		    MSG_DONTWAIT | MSG_NOSIGNAL);
	evutil_closesocket(fd);
}

static void
listener_accept_cb(struct evconnlistener *evl, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct listener		*l = arg;
	struct bufferevent	*bev;
	SSL			*ssl;
	int			 one = 1;
	char			 peer[64];

	if (l->gw->draining || conn_limits_acquire(l->limits, sa) == -1) {
		sockaddr_text(sa, peer, sizeof(peer));
		log_info("%s: refused %s: %s", l->name, peer,
		    l->gw->draining ? "shutting down" : "too many sessions");
		listener_refuse(l, fd);
		return;
	}
	if (l->tls && !listener_handshake_allowed(l->gw, sa)) {
		sockaddr_text(sa, peer, sizeof(peer));
		log_info("%s: refused %s: too many TLS handshakes", l->name,
		    peer);
		listener_release(l, sa);
		evutil_closesocket(fd);
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (l->tls) {
		if ((ssl = SSL_new(tls_ctx_get(l->gw->tls))) == NULL) {
			listener_release(l, sa);
			evutil_closesocket(fd);
			log_warn("%s: SSL_new failed", l->name);
			return;
		}
		bev = bufferevent_openssl_socket_new(l->gw->base, fd, ssl,
		    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
		if (bev != NULL)
			bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	} else
		bev = bufferevent_socket_new(l->gw->base, fd,
		    BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		listener_release(l, sa);
		evutil_closesocket(fd);
		log_warn("%s: cannot create a bufferevent", l->name);
		return;
	}
	l->accept_fn(l->gw, l, bev, sa, salen);
}

static void
listener_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct listener	*l = arg;

	if (!l->gw->draining)
		evconnlistener_enable(l->evl);
}

static void
listener_error_cb(struct evconnlistener *evl, void *arg)
{
	struct listener	*l = arg;
	struct timeval	 one_second = { 1, 0 };
	int		 err = EVUTIL_SOCKET_ERROR();

	log_warn("%s: accept: %s; pausing for a second", l->name,
	    evutil_socket_error_to_string(err));
	evconnlistener_disable(l->evl);
	evtimer_add(l->resume_ev, &one_second);
}

struct listener *
listener_new(struct gateway *gw, const char *name,
    const struct config_listen *addr, int tls, struct conn_limits *limits,
    const char *refusal, listener_accept_fn accept_fn, char *err,
    size_t errlen)
{
	struct addrinfo	 hints, *res;
	struct listener	*l;
	int		 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(addr->host, addr->port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s: %s: %s", name, addr->text,
		    gai_strerror(rc));
		return NULL;
	}
	l = xcalloc(1, sizeof(*l));
	l->gw = gw;
	l->name = xstrdup(name);
	l->tls = tls;
	l->limits = limits;
	l->refusal = refusal;
	l->accept_fn = accept_fn;
	l->evl = evconnlistener_new_bind(gw->base, listener_accept_cb, l,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    512, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (l->evl == NULL) {
		snprintf(err, errlen, "%s: cannot listen on %s: %s", name,
		    addr->text, strerror(errno));
		free(l->name);
		free(l);
		return NULL;
	}
	evconnlistener_set_error_cb(l->evl, listener_error_cb);
	l->resume_ev = evtimer_new(gw->base, listener_resume_cb, l);
	log_info("%s: listening on %s%s", name, addr->text, tls ? " (TLS)" : "");
	return l;
}

/*
 * Connections closing slowly, each still holding its per-IP slot until it
 * ends; freed at shutdown if still there.
 */
struct lingering_conn {
	TAILQ_ENTRY(lingering_conn)	 entry;
	struct bufferevent	*bev;
	struct event		*deadline;
	struct listener		*listener;
	struct sockaddr_storage	 peer;
};
static TAILQ_HEAD(, lingering_conn) lingering = TAILQ_HEAD_INITIALIZER(lingering);

static void
linger_free(struct lingering_conn *lg)
{
	TAILQ_REMOVE(&lingering, lg, entry);
	event_free(lg->deadline);
	bufferevent_free(lg->bev);
	listener_release(lg->listener, (struct sockaddr *)&lg->peer);
	free(lg);
}

static void
linger_read_cb(struct bufferevent *bev, void *arg)
{
	struct evbuffer	*in = bufferevent_get_input(bev);

	evbuffer_drain(in, evbuffer_get_length(in));
}

/* Everything is on the wire: end our side, then wait for the client's. */
static void
linger_write_cb(struct bufferevent *bev, void *arg)
{
	if (shutdown(bufferevent_getfd(bev), SHUT_WR) == -1)
		linger_free(arg);
}

static void
linger_event_cb(struct bufferevent *bev, short what, void *arg)
{
	linger_free(arg);
}

static void
linger_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	linger_free(arg);
}

void
listener_linger_free_all(void)
{
	while (!TAILQ_EMPTY(&lingering))
		linger_free(TAILQ_FIRST(&lingering));
}

/*
 * Free a STARTTLS filter but not the socket's bufferevent under it. The
 * filter was made without BEV_OPT_CLOSE_ON_FREE (so that the socket can
 * outlive it), and then libevent leaves its SSL to us.
 */
static void
listener_filter_free(struct bufferevent *filter)
{
	SSL	*ssl = bufferevent_openssl_get_ssl(filter);

	bufferevent_free(filter);
	SSL_free(ssl);
}

void
listener_bev_free(struct bufferevent *bev)
{
	struct bufferevent	*under = bufferevent_get_underlying(bev);

	if (under == NULL) {
		bufferevent_free(bev);
		return;
	}
	listener_filter_free(bev);
	bufferevent_free(under);
}

void
listener_linger_close(struct bufferevent *bev, struct listener *l,
    const struct sockaddr *peer)
{
	struct timeval		 linger = { LINGER_SECONDS, 0 };
	struct bufferevent	*under = bufferevent_get_underlying(bev);
	struct lingering_conn	*lg;

	/*
	 * Closing a socket with unread input makes the kernel send RST, and
	 * an RST can destroy our last replies before the client reads them.
	 * So: let the socket's bufferevent write out everything (for a
	 * STARTTLS filter that is the one underneath, which the filter has
	 * already filled), end our side, discard what the client still
	 * sends, and free it on EOF or at the deadline, which nothing the
	 * client sends moves.
	 */
	if (under != NULL) {
		listener_filter_free(bev);
		bev = under;
	}
	lg = xcalloc(1, sizeof(*lg));
	lg->bev = bev;
	lg->listener = l;
	memcpy(&lg->peer, peer, peer->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	lg->deadline = evtimer_new(bufferevent_get_base(bev),
	    linger_deadline_cb, lg);
	evtimer_add(lg->deadline, &linger);
	TAILQ_INSERT_TAIL(&lingering, lg, entry);
	evbuffer_drain(bufferevent_get_input(bev),
	    evbuffer_get_length(bufferevent_get_input(bev)));
	bufferevent_setcb(bev, linger_read_cb, linger_write_cb,
	    linger_event_cb, lg);
	bufferevent_set_timeouts(bev, NULL, NULL);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		linger_write_cb(bev, lg);
}

void
listener_disable(struct listener *l)
{
	evconnlistener_disable(l->evl);
	evtimer_del(l->resume_ev);
}

const char *
listener_name(const struct listener *l)
{
	return l->name;
}

void
listener_free(struct listener *l)
{
	if (l == NULL)
		return;
	evconnlistener_free(l->evl);
	event_free(l->resume_ev);
	free(l->name);
	free(l);
}
