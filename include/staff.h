/*
 * staff.h - the staff view (/triage): server-rendered pages for the
 * analysts, signed in with a triage or admin token exchanged for a
 * session cookie.
 *
 * Sessions (staff_session.c) live in the daemon's memory only: a table of
 * at most STAFF_SESSIONS_MAX, each known by the SHA-256 of a random 256-bit
 * id (the cookie holds the id; the table never does), ending after
 * [triage] session_idle without use, [triage] session_lifetime after
 * sign-in, at sign-out, when its token is revoked, and when the table is
 * full and it is the one used least recently. Each session has its own
 * form token (CSRF), compared in constant time. Loop thread only.
 *
 * The pages (staff.c: sign-in, sign-out, the session check every route
 * goes through; staff_queue.c: the queue, an incident, evidence;
 * staff_actions.c: claim, release, status, merge, forward;
 * staff_phone.c: a report taken by phone; staff_stats.c: statistics and
 * their charts) read through the reader threads and change through the
 * store's writer, with the same functions as the API.
 */
#ifndef STAFF_H
#define STAFF_H

#include <stddef.h>
#include <time.h>

#include "roles.h"

struct gateway;
struct http_exchange;

#define STAFF_SESSIONS_MAX	256	/* sessions at once, in all */
#define STAFF_COOKIE		"intaked_staff"
#define STAFF_ID_HEX		64	/* the cookie's value: 256 bits, hex */
#define STAFF_CSRF_HEX		32	/* a session's form token: 128 bits */
#define STAFF_LOGIN_FAILURES	10	/* failed sign-ins per address ... */
#define STAFF_LOGIN_WINDOW	900	/* ... per this many seconds */
#define STAFF_FORM_MAX		(64 * 1024)	/* an action's form body */

/* --- the session table (staff_session.c) -------------------------------- */

/* What a request learns of its session: a copy, valid after it ends. */
struct staff_session_info {
	char		name[72];		/* the token's name */
	char		role[16];		/* triage, admin */
	unsigned char	token_hash[32];		/* SHA-256 of the token */
	char		csrf[STAFF_CSRF_HEX + 1];
};

struct staff_sessions;

/* A table ending sessions idle seconds after their last use, or
   lifetime seconds after they began. */
struct staff_sessions *staff_sessions_new(long long idle, long long lifetime);
void	staff_sessions_free(struct staff_sessions *ss);

/*
 * A new session at now for a token (its name, role and hash): its id
 * (STAFF_ID_HEX hex digits and a NUL) goes to id_out, the id's hash is
 * kept. When the table is full, the session used least recently ends.
 * Returns 0, or -1 when no randomness could be drawn (nothing kept).
 */
int	staff_session_open(struct staff_sessions *ss, const char *name,
	    const char *role, const unsigned char token_hash[32], time_t now,
	    char id_out[STAFF_ID_HEX + 1]);

/*
 * The session whose id is id[0..len) at now: 1 with *out filled (and its
 * last use set to now), or 0 when there is none (unknown, malformed, or
 * expired: an expired one ends here).
 */
int	staff_session_find(struct staff_sessions *ss, const char *id,
	    size_t len, time_t now, struct staff_session_info *out);

/* End the session of id[0..len), if any. */
void	staff_session_close(struct staff_sessions *ss, const char *id,
	    size_t len);

/* End every session of the token whose hash is token_hash; how many. */
size_t	staff_sessions_drop_token(struct staff_sessions *ss,
	    const unsigned char token_hash[32]);

/* Sessions alive at now (expired ones end here). */
size_t	staff_sessions_count(struct staff_sessions *ss, time_t now);

/* 1 when tok[0..len) is want, a session's form token (constant time). */
int	staff_csrf_equal(const char *want, const char *tok, size_t len);

/* --- the pages ---------------------------------------------------------- */

/* At start-up and at the end (http_routes_init / _free). 0 or -1. */
int	staff_init(struct gateway *gw, char *err, size_t errlen);
void	staff_free(void);

typedef void (*staff_handler)(struct http_exchange *);

/*
 * Run handler for ex once its session is checked: a valid session cookie
 * whose token is still active (a reader looks it up), with a role that
 * may do action. No session: 303 to /triage/login; a revoked token: its
 * sessions end, then the same; a role that may not: 403. The handler then
 * finds ex->token_name, ex->token_role and ex->csrf (the session's form
 * token) set.
 */
void	staff_route(struct http_exchange *ex, enum role_action action,
	    staff_handler handler);

/* staff.c */
void	staff_get_login(struct http_exchange *ex);
void	staff_post_login(struct http_exchange *ex);
void	staff_post_logout(struct http_exchange *ex);

/* staff_queue.c */
void	staff_get_queue(struct http_exchange *ex);
void	staff_get_incident(struct http_exchange *ex);
void	staff_get_evidence(struct http_exchange *ex);

/* staff_actions.c */
void	staff_post_claim(struct http_exchange *ex);
void	staff_post_release(struct http_exchange *ex);
void	staff_post_status(struct http_exchange *ex);
void	staff_post_merge(struct http_exchange *ex);
void	staff_post_forward(struct http_exchange *ex);

/* staff_phone.c */
void	staff_get_phone(struct http_exchange *ex);
void	staff_post_phone(struct http_exchange *ex);

/* staff_stats.c */
void	staff_get_stats(struct http_exchange *ex);

#endif
