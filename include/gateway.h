/*
 * gateway.h - what the daemon's modules share: the gateway context built by
 * main.c at start-up, the listener (accept, connection limits, TLS), and the
 * entry points of each protocol session.
 *
 * Everything here runs on the one event loop thread, except the store's
 * writer thread (store.h), the parser threads (worker.h) and the reader
 * threads (readers.h), which hand their results back to the loop.
 */
#ifndef GATEWAY_H
#define GATEWAY_H

#include <sys/socket.h>
#include <stddef.h>

#include "config.h"
#include "report.h"
#include "taxonomy.h"

struct event_base;
struct bufferevent;
struct store;
struct tls_ctx;
struct listener;
struct extractor;
struct classifier;
struct mail_auto_rules;
struct worker_pool;
struct readers;
struct page_set;

struct gateway {
	struct config		*cfg;
	struct taxonomy		 tax;
	struct report_limits	 limits;
	struct store		*store;
	struct tls_ctx		*tls;
	struct event_base	*base;
	struct worker_pool	*workers;	/* message parsing off the loop */
	struct readers		*readers;	/* store reads off the loop */
	struct outbox		*outbox;	/* outbound mail's sender */
	struct page_set		*pages;		/* HTML pages, messages, stylesheet */
	struct extractor	*extractor;	/* indicators from free text */
	struct classifier	*classifier;	/* category from keywords */
	struct mail_auto_rules	*auto_rules;	/* automatic mail signals */
	int			 draining;	/* SIGTERM seen: finish, accept nothing */
};

/* listener.c */

/*
 * The sessions of one protocol, bounded in total and per remote address;
 * shared by that protocol's listeners (plain and TLS).
 */
struct conn_limits;
struct conn_limits *conn_limits_new(size_t max_sessions, size_t max_per_ip);
void conn_limits_free(struct conn_limits *cl);
size_t conn_limits_sessions(const struct conn_limits *cl);

/*
 * Called for each accepted connection that is within the limits, with a
 * bufferevent (an OpenSSL one in accepting state for a TLS listener) that
 * the callee owns. The callee must call listener_release(l, peer) exactly
 * once when the connection ends.
 */
typedef void (*listener_accept_fn)(struct gateway *gw, struct listener *l,
    struct bufferevent *bev, const struct sockaddr *peer, socklen_t peerlen);

/*
 * Bind addr ("host:port" already split in config) and start accepting.
 * tls: wrap each connection in TLS using gw->tls. Over limits, a plain
 * connection is sent refusal (one line with CRLF) and closed. Returns NULL
 * with err filled when the address cannot be bound.
 */
struct listener *listener_new(struct gateway *gw, const char *name,
    const struct config_listen *addr, int tls, struct conn_limits *limits,
    const char *refusal, listener_accept_fn accept_fn, char *err,
    size_t errlen);
void listener_release(struct listener *l, const struct sockaddr *peer);
/*
 * Take over bev once our last reply is queued: write it out, shut down our
 * side, discard what the client still sends, free it on EOF or after
 * LINGER_SECONDS in all, and only then release peer's slot of l. A TLS
 * filter (STARTTLS) must have been made without BEV_OPT_CLOSE_ON_FREE; its
 * underlying bufferevent is taken over too.
 */
void listener_linger_close(struct bufferevent *bev, struct listener *l,
    const struct sockaddr *peer);
/*
 * May the client at sa start a TLS handshake now? Takes one token of its
 * address's bucket ([tls] handshake_rate); 0 when it is empty.
 */
int listener_handshake_allowed(struct gateway *gw, const struct sockaddr *sa);
/* At shutdown: free the connections still lingering. */
void listener_linger_free_all(void);
/* Free bev now, and the bufferevent under it if it is a filter. */
void listener_bev_free(struct bufferevent *bev);
void listener_disable(struct listener *l);	/* stop accepting (drain) */
void listener_free(struct listener *l);
const char *listener_name(const struct listener *l);

/*
 * The client address as the limits count it: 16 bytes, an IPv4 address in
 * its IPv4-mapped form, an IPv6 address cut to its /64.
 */
void listener_peer_key(const struct sockaddr *sa, unsigned char key[16]);

/* Text form of a peer address, "203.0.113.5" or "2001:db8::1". */
void sockaddr_text(const struct sockaddr *sa, char *buf, size_t len);

/*
 * The protocols' accept functions. Their sessions are drained, counted and
 * closed through session.h.
 */
void line_session_accept(struct gateway *gw, struct listener *l,
    struct bufferevent *bev, const struct sockaddr *peer, socklen_t peerlen);
void smtp_session_accept(struct gateway *gw, struct listener *l,
    struct bufferevent *bev, const struct sockaddr *peer, socklen_t peerlen);
void http_session_accept(struct gateway *gw, struct listener *l,
    struct bufferevent *bev, const struct sockaddr *peer, socklen_t peerlen);

#endif
