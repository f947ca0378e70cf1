/*
 * session.h - what every protocol session shares: an id that is never
 * reused and a registry by id, the peer and its per-IP slot, the
 * bufferevent, TLS handshakes (implicit and STARTTLS) with a deadline, the
 * idle, lifetime and protocol deadlines, close-after-flush with a deadline
 * of its own, the bound on buffered output, and the drain at shutdown.
 *
 * A protocol embeds struct session as the FIRST member of its own session
 * struct and gives a table of callbacks (struct session_ops). Work handed to
 * another thread (parser worker, store) carries the session's id, never a
 * pointer: its completion calls session_find(id) and drops the result when
 * the session is gone. A session is therefore freed as soon as its
 * connection ends, whatever is still in flight.
 *
 * Every wait ends by itself: no input for idle seconds, the whole session
 * time, a TLS handshake that does not finish, a last reply that the client
 * never reads (SESSION_CLOSE_SECONDS), a lingering close (LINGER_SECONDS,
 * listener.c). The deadlines live in one timer per session and never
 * depend on a bufferevent callback that may not come.
 *
 * Runs on the loop thread only.
 */
#ifndef SESSION_H
#define SESSION_H

#include <sys/queue.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

struct gateway;
struct listener;
struct bufferevent;
struct event;
struct session;

enum session_timer {
	SESSION_TIMER_IDLE,	/* no input for the idle timeout */
	SESSION_TIMER_LIFETIME,	/* the whole session time is up */
	SESSION_TIMER_PROTO	/* the protocol's own deadline (ILP: AUTH) */
};

struct session_ops {
	const char	*name;		/* "line", "smtp": logs, counts */
	/*
	 * Input arrived, or the session may go on (its output was written
	 * out, a completion came back). Reads what it can use; must not
	 * free the session (call session_quit; the base closes later).
	 */
	void	(*process)(struct session *);
	/*
	 * A deadline passed while the session is open, not closing and has
	 * nothing in flight: queue a last reply, then session_quit().
	 */
	void	(*timeout)(struct session *, enum session_timer);
	/*
	 * The client ended its side. Return 1 to keep the session because
	 * replies are still owed (the protocol then quits once they are
	 * queued), 0 to close now. NULL: close now.
	 */
	int	(*eof)(struct session *);
	/* TLS is up (implicit at connect, or after STARTTLS). May be NULL. */
	void	(*tls_up)(struct session *);
	/* Shutdown: read nothing more, answer what is in flight, quit. */
	void	(*drain)(struct session *);
	/* Free the protocol's part and the struct itself. */
	void	(*free)(struct session *);
};

struct session {
	uint64_t		 id;
	const struct session_ops *ops;
	struct gateway		*gw;
	struct listener		*listener;
	struct bufferevent	*bev;
	struct sockaddr_storage	 peer;
	char			 peer_text[64];
	int			 tls;		/* handshake done */
	char			 tls_info[128];	/* version and cipher, once tls */
	int			 handshaking;
	int			 closing;	/* last reply queued, read nothing */
	size_t			 pending;	/* jobs out in other threads */

	/* deadlines, milliseconds of CLOCK_MONOTONIC; 0 = none */
	long long		 idle_ms;	/* the idle timeout itself */
	long long		 last_input;
	long long		 lifetime_at;
	long long		 proto_at;
	long long		 handshake_at;
	long long		 close_at;
	struct event		*timer;

	/* private to session.c */
	struct session		*hash_next;
	TAILQ_ENTRY(session)	 entry;
};

/*
 * Start a session on an accepted bev (owned from now on): register it,
 * take the bufferevent's callbacks, arm the deadlines (idle and lifetime in
 * seconds) and enable reading. An implicit-TLS bev starts handshaking.
 */
void	session_init(struct session *s, const struct session_ops *ops,
	    struct gateway *gw, struct listener *l, struct bufferevent *bev,
	    const struct sockaddr *peer, socklen_t peerlen,
	    long long idle_seconds, long long lifetime_seconds);

/* The open session with this id, or NULL once it has ended. */
struct session *session_find(uint64_t id);

/* Set (seconds from now) or clear (0) the protocol's own deadline. */
void	session_set_proto_deadline(struct session *s, long long seconds);

/* More replies buffered than the client has read: stop reading input. */
int	session_output_full(const struct session *s);

/* Read or not, as the protocol decides (never while closing). */
void	session_want_input(struct session *s, int want);

/*
 * The last reply is queued: read nothing more, close once it is written,
 * or after SESSION_CLOSE_SECONDS if the client does not read it.
 */
void	session_quit(struct session *s);

/*
 * Close now and free the session (its ops->free runs). Only from a
 * callback that holds nothing of the session afterwards.
 */
void	session_close(struct session *s);

/* STARTTLS: may this peer start a handshake now (per-address rate)? */
int	session_tls_permitted(struct session *s);
/*
 * STARTTLS: the "ready" reply is queued; put TLS over the socket. Input
 * pipelined in the clear is thrown away (RFC 3207 6). ops->tls_up runs
 * when the handshake is done; a failure or the deadline closes the
 * session. Returns -1 (nothing changed) if TLS cannot be set up.
 */
int	session_start_tls(struct session *s);

/* Drain every session (SIGTERM), count them, close them (teardown). */
void	sessions_drain(void);
size_t	sessions_count(void);
/* Sessions of one protocol (ops->name): "line", "smtp", "http". */
size_t	sessions_count_of(const char *name);
void	sessions_close_all(void);

/* Monotonic clock in milliseconds. */
long long session_now_ms(void);

#endif
