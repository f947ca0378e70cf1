/*
 * session.c - the session base every protocol embeds (see session.h).
 *
 * One timer per session carries every deadline. Input does not re-arm it:
 * a read only records the time (last_input) and the timer, when it fires
 * early, re-arms itself for what is left. That keeps a busy session's cost
 * at one clock read per read callback.
 *
 * Closing: session_quit() marks the session closing; the write callback
 * closes it once the output is on the wire, and the close deadline frees
 * it if the client never reads. A flushed close goes through the
 * listener's lingering close, which keeps the per-IP slot until it ends.
 *
 * Limits: ids are 64-bit and never reused; the registry is a hash by id
 * with SESSION_BUCKETS chains (sessions are bounded by the listeners).
 */
#include <sys/queue.h>
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include "gateway.h"
#include "limits_gw.h"
#include "log.h"
#include "session.h"
#include "tls.h"
#include "util.h"

#define SESSION_BUCKETS	4096

static struct session	*session_hash[SESSION_BUCKETS];
static TAILQ_HEAD(, session) session_list = TAILQ_HEAD_INITIALIZER(session_list);
static size_t		 session_n;
static uint64_t		 session_next_id;

static void session_timer_arm(struct session *);

long long
session_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct session **
session_bucket(uint64_t id)
{
	return &session_hash[(id * 0x9e3779b97f4a7c15ULL) >> 52];
}

struct session *
session_find(uint64_t id)
{
	struct session	*s;

	for (s = *session_bucket(id); s != NULL; s = s->hash_next)
		if (s->id == id)
			return s;
	return NULL;
}

static void
session_unregister(struct session *s)
{
	struct session	**pp;

	for (pp = session_bucket(s->id); *pp != s; pp = &(*pp)->hash_next)
		assert(*pp != NULL);
	*pp = s->hash_next;
	TAILQ_REMOVE(&session_list, s, entry);
	session_n--;
}

void
session_close(struct session *s)
{
	struct evbuffer	*out;

	log_debug("%s %08llx: closed (%zu in flight)", s->ops->name,
	    (unsigned long long)s->id, s->pending);
	session_unregister(s);
	event_free(s->timer);
	out = bufferevent_get_output(s->bev);
	if (s->closing && !s->handshaking && evbuffer_get_length(out) == 0)
		listener_linger_close(s->bev, s->listener,
		    (struct sockaddr *)&s->peer);
	else {
		listener_bev_free(s->bev);
		listener_release(s->listener, (struct sockaddr *)&s->peer);
	}
	s->bev = NULL;
	s->ops->free(s);
}

void
session_want_input(struct session *s, int want)
{
	if (want && !s->closing)
		bufferevent_enable(s->bev, EV_READ);
	else
		bufferevent_disable(s->bev, EV_READ);
}

int
session_output_full(const struct session *s)
{
	return evbuffer_get_length(bufferevent_get_output(s->bev)) >=
	    SESSION_OUTPUT_MAX;
}

void
session_quit(struct session *s)
{
	if (s->closing)
		return;
	s->closing = 1;
	s->close_at = session_now_ms() + SESSION_CLOSE_SECONDS * 1000LL;
	bufferevent_disable(s->bev, EV_READ);
	session_timer_arm(s);
	/*
	 * Close from the write callback, never from here: callers still
	 * hold s. With nothing left to write, ask for that callback.
	 */
	if (evbuffer_get_length(bufferevent_get_output(s->bev)) == 0)
		bufferevent_trigger(s->bev, EV_WRITE,
		    BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
}

void
session_set_proto_deadline(struct session *s, long long seconds)
{
	s->proto_at = seconds > 0 ? session_now_ms() + seconds * 1000 : 0;
	session_timer_arm(s);
}

/* --- deadlines ---------------------------------------------------------- */

static long long
session_earliest(long long a, long long b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

/* The next moment something must be checked. */
static long long
session_next_deadline(const struct session *s)
{
	long long	at = 0;

	if (s->handshaking)
		at = s->handshake_at;
	if (s->closing)
		return session_earliest(at, s->close_at);
	at = session_earliest(at, s->lifetime_at);
	at = session_earliest(at, s->proto_at);
	return session_earliest(at, s->last_input + s->idle_ms);
}

static void
session_timer_arm(struct session *s)
{
	long long	at = session_next_deadline(s), wait;
	struct timeval	tv;

	wait = at - session_now_ms();
	if (wait < 1)
		wait = 1;
	tv.tv_sec = wait / 1000;
	tv.tv_usec = (wait % 1000) * 1000;
	evtimer_add(s->timer, &tv);
}

static const char *
session_timer_name(enum session_timer t)
{
	switch (t) {
	case SESSION_TIMER_IDLE:
		return "idle";
	case SESSION_TIMER_LIFETIME:
		return "session time limit";
	case SESSION_TIMER_PROTO:
		break;
	}
	return "protocol deadline";
}

/* Which deadline of an open session has passed, or -1. */
static int
session_expired(const struct session *s, long long now)
{
	if (s->lifetime_at != 0 && now >= s->lifetime_at)
		return SESSION_TIMER_LIFETIME;
	if (s->proto_at != 0 && now >= s->proto_at)
		return SESSION_TIMER_PROTO;
	if (now >= s->last_input + s->idle_ms)
		return SESSION_TIMER_IDLE;
	return -1;
}

static void
session_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct session	*s = arg;
	long long	 now = session_now_ms();
	int		 which;

	if (s->handshaking && now >= s->handshake_at) {
		log_info("%s %08llx: %s: TLS handshake not finished in time,"
		    " closing", s->ops->name, (unsigned long long)s->id,
		    s->peer_text);
		session_close(s);
		return;
	}
	if (s->closing) {
		if (now >= s->close_at) {
			log_info("%s %08llx: %s does not read its last reply;"
			    " closing", s->ops->name,
			    (unsigned long long)s->id, s->peer_text);
			session_close(s);
			return;
		}
	} else if ((which = session_expired(s, now)) != -1) {
		if (s->handshaking) {
			/* no reply can reach a client without TLS */
			log_info("%s %08llx: %s: %s during the TLS handshake,"
			    " closing", s->ops->name,
			    (unsigned long long)s->id, s->peer_text,
			    session_timer_name(which));
			session_close(s);
			return;
		}
		if (s->pending > 0) {
			/* the client waits for us: look again in a second */
			struct timeval	second = { 1, 0 };

			evtimer_add(s->timer, &second);
			return;
		} else {
			log_info("%s %08llx: %s: %s, closing", s->ops->name,
			    (unsigned long long)s->id, s->peer_text,
			    session_timer_name(which));
			if (which == SESSION_TIMER_PROTO)
				s->proto_at = 0;
			s->ops->timeout(s, which);
			if (!s->closing) {	/* the protocol chose to go on */
				s->last_input = now;
				if (which == SESSION_TIMER_LIFETIME)
					s->lifetime_at = 0;
			}
		}
	}
	session_timer_arm(s);
}

/* --- bufferevent callbacks --------------------------------------------- */

static void
session_read_cb(struct bufferevent *bev, void *arg)
{
	struct session	*s = arg;

	s->last_input = session_now_ms();
	s->ops->process(s);
}

static void
session_write_cb(struct bufferevent *bev, void *arg)
{
	struct session	*s = arg;

	/*
	 * Not every write callback means the output is on the wire (an
	 * OpenSSL bufferevent also calls it when a handshake ends).
	 */
	if (s->closing) {
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			session_close(s);
		return;
	}
	/* the client read its replies: buffered commands may go on */
	s->ops->process(s);
}

/*
 * The client ended its side. What it sent before the end is still owed an
 * answer (the data and the end can arrive together), and a half-closed
 * client may still read. Returns 1 to keep the session.
 */
static int
session_half_closed(struct session *s)
{
	log_debug("%s %08llx: end of input (%zu bytes unread, %zu to write)",
	    s->ops->name, (unsigned long long)s->id,
	    evbuffer_get_length(bufferevent_get_input(s->bev)),
	    evbuffer_get_length(bufferevent_get_output(s->bev)));
	bufferevent_disable(s->bev, EV_READ);
	if (!s->closing &&
	    evbuffer_get_length(bufferevent_get_input(s->bev)) > 0)
		s->ops->process(s);
	if (s->closing)		/* the write callback or the deadline closes */
		return evbuffer_get_length(bufferevent_get_output(s->bev)) > 0;
	return s->ops->eof != NULL && s->ops->eof(s);
}

static void
session_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct session	*s = arg;

	if (what & BEV_EVENT_CONNECTED) {
		s->handshaking = 0;
		s->tls = 1;
		tls_describe(bufferevent_openssl_get_ssl(bev), s->tls_info,
		    sizeof(s->tls_info));
		log_debug("%s %08llx: TLS up: %s", s->ops->name,
		    (unsigned long long)s->id, s->tls_info);
		session_timer_arm(s);
		if (s->ops->tls_up != NULL)
			s->ops->tls_up(s);
		return;
	}
	if (what & BEV_EVENT_ERROR)
		log_debug("%s %08llx: %s: connection error%s", s->ops->name,
		    (unsigned long long)s->id, s->peer_text,
		    s->handshaking ? " during the TLS handshake" : "");
	else if ((what & BEV_EVENT_EOF) && !s->handshaking &&
	    session_half_closed(s))
		return;
	session_close(s);
}

static void
session_set_callbacks(struct session *s)
{
	bufferevent_setcb(s->bev, session_read_cb, session_write_cb,
	    session_event_cb, s);
}

/* --- life --------------------------------------------------------------- */

void
session_init(struct session *s, const struct session_ops *ops,
    struct gateway *gw, struct listener *l, struct bufferevent *bev,
    const struct sockaddr *peer, socklen_t peerlen, long long idle_seconds,
    long long lifetime_seconds)
{
	struct session	**bucket;
	long long	 now = session_now_ms();

	s->id = ++session_next_id;
	s->ops = ops;
	s->gw = gw;
	s->listener = l;
	s->bev = bev;
	memcpy(&s->peer, peer, peerlen < sizeof(s->peer) ? peerlen :
	    sizeof(s->peer));
	sockaddr_text(peer, s->peer_text, sizeof(s->peer_text));
	s->idle_ms = idle_seconds * 1000;
	s->last_input = now;
	s->lifetime_at = lifetime_seconds > 0 ?
	    now + lifetime_seconds * 1000 : 0;
	if (bufferevent_openssl_get_ssl(bev) != NULL) {
		s->handshaking = 1;
		s->handshake_at = now + gw->cfg->tls_handshake_timeout * 1000;
	}
	bucket = session_bucket(s->id);
	s->hash_next = *bucket;
	*bucket = s;
	TAILQ_INSERT_TAIL(&session_list, s, entry);
	session_n++;
	log_debug("%s %08llx: connect from %s%s", ops->name,
	    (unsigned long long)s->id, s->peer_text,
	    s->handshaking ? " (TLS)" : "");

	s->timer = evtimer_new(gw->base, session_timer_cb, s);
	session_timer_arm(s);
	session_set_callbacks(s);
	bufferevent_enable(bev, EV_READ);
}

int
session_tls_permitted(struct session *s)
{
	return !s->tls && s->gw->tls != NULL &&
	    listener_handshake_allowed(s->gw, (struct sockaddr *)&s->peer);
}

int
session_start_tls(struct session *s)
{
	struct bufferevent	*filter;
	struct evbuffer		*in = bufferevent_get_input(s->bev);
	SSL			*ssl;

	if ((ssl = SSL_new(tls_ctx_get(s->gw->tls))) == NULL)
		return -1;
	/* the filter must not free the socket's bufferevent: see listener */
	filter = bufferevent_openssl_filter_new(s->gw->base, s->bev, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, 0);
	if (filter == NULL) {
		SSL_free(ssl);
		return -1;
	}
	evbuffer_drain(in, evbuffer_get_length(in));
	bufferevent_openssl_set_allow_dirty_shutdown(filter, 1);
	s->bev = filter;
	s->handshaking = 1;
	s->handshake_at = session_now_ms() +
	    s->gw->cfg->tls_handshake_timeout * 1000;
	session_set_callbacks(s);
	bufferevent_enable(filter, EV_READ | EV_WRITE);
	session_timer_arm(s);
	return 0;
}

void
sessions_drain(void)
{
	struct session	*s, *next;

	for (s = TAILQ_FIRST(&session_list); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (s->handshaking)
			session_close(s);	/* nothing can be said to it */
		else if (!s->closing)
			s->ops->drain(s);
	}
}

size_t
sessions_count(void)
{
	return session_n;
}

size_t
sessions_count_of(const char *name)
{
	struct session	*s;
	size_t		 n = 0;

	TAILQ_FOREACH(s, &session_list, entry)
		if (strcmp(s->ops->name, name) == 0)
			n++;
	return n;
}

void
sessions_close_all(void)
{
	struct session	*s;

	while ((s = TAILQ_FIRST(&session_list)) != NULL) {
		s->closing = 0;		/* no lingering at teardown */
		session_close(s);
	}
}
