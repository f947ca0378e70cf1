/*
 * http.h - the HTTPS channel: one session per connection on the session
 * base (http_session.c: reading requests with the pure decoder of
 * http_parse.h, deadlines, keep-alive, responses with the security headers
 * every response carries) and the route table with its handlers
 * (http_routes.c).
 *
 * A session answers one request at a time (pipelined requests wait in the
 * input). A handler answers at once with http_reply*() or goes to another
 * thread (store, readers) with a ticket; the completion finds the exchange
 * again with http_exchange_find(), which returns NULL when the connection
 * has gone in between, and then answers.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "http_parse.h"
#include "page.h"

struct gateway;
struct page_set;

/* One request being answered. Valid until the reply is queued. */
struct http_exchange {
	struct gateway		*gw;
	const struct http_request *req;
	char			*body;		/* taken from the parser, owned here */
	size_t			 body_len;
	const char		*lang;		/* "vi" or "en" */
	const char		*peer;		/* client address, text */
	const struct sockaddr	*peer_addr;
	char			*token_name;	/* set by a Bearer check, or a
						   staff session's (staff.h) */
	char			*token_role;
	const void		*route;		/* the matched route (http_routes.c) */
	char			 param[64];	/* the route's <id>, if any */
	char			 csrf[40];	/* a staff session's form token */
};

/* Where a completion finds its exchange again. */
struct http_ticket {
	uint64_t	session_id;
	uint64_t	seq;
};

/* The ticket of ex, to carry to another thread. */
struct http_ticket http_exchange_ticket(const struct http_exchange *ex);
/* The exchange of a ticket, or NULL when its connection has gone. */
struct http_exchange *http_exchange_find(const struct http_ticket *t);
/* A handler that took a ticket says the answer comes later. */
void	http_exchange_wait(struct http_exchange *ex);

/*
 * Answer ex: status, a Content-Type (NULL: none), the body, and extra
 * headers (may be NULL/0). The security headers, Content-Length,
 * Connection and Cache-Control (no-store unless extra has one) are added.
 * A HEAD request gets the head only.
 */
void	http_reply(struct http_exchange *ex, int status, const char *ctype,
	    const void *body, size_t len, const struct http_field *extra,
	    size_t n_extra);
/* The error page (HTML) or, under /api/, {"error": why, "field": f}. */
void	http_reply_error(struct http_exchange *ex, int status, const char *why,
	    const char *field);
/*
 * The Bearer token last verified on this connection: like an ILP session's
 * AUTH, a token is checked once per connection (by the SHA-256 of what the
 * client sends, compared in constant time), so keep-alive requests need no
 * store read each. http_exchange_token_cached() sets ex->token_name and
 * token_role and returns 1 when hash is that token; remember() records it.
 */
int	http_exchange_token_cached(struct http_exchange *ex,
	    const unsigned char hash[32]);
void	http_exchange_token_remember(struct http_exchange *ex,
	    const unsigned char hash[32]);

/*
 * A streamed response (HTTP/1.1 chunked), for a body made a chunk at a
 * time by a producer elsewhere (a reader thread). The producer holds the
 * first chunk when it calls http_stream_begin(), which sends the head
 * (Content-Type ctype, the extra headers) and returns 0; the producer then
 * hands that chunk over with http_stream_write(). Whenever the client has
 * read enough of what is buffered, the session calls ops->more(arg) on the
 * loop: the producer makes the next chunk and hands it over the same way
 * (from the loop, with its ticket), last set on the final one. Only one
 * chunk is ever asked at a time, and it is asked only while less than
 * SESSION_OUTPUT_MAX / 2 waits for the client: that is the back-pressure.
 *
 * arg belongs to the producer; if the connection ends while no chunk is
 * asked, the session frees it with ops->free(arg); if it ends while one is
 * being made, http_exchange_find() then returns NULL and the producer
 * frees it. http_stream_abort() ends a stream that cannot go on: the
 * connection closes without the last chunk, so the client sees it cut.
 * A HEAD request gets the head alone: begin replies and returns -1, and
 * the producer frees arg.
 */
struct http_stream_ops {
	void	(*more)(void *arg);
	void	(*free)(void *arg);
};
int	http_stream_begin(struct http_exchange *ex, int status,
	    const char *ctype, const struct http_field *extra, size_t n_extra,
	    const struct http_stream_ops *ops, void *arg);
void	http_stream_write(struct http_exchange *ex, const void *data,
	    size_t len, int last);
void	http_stream_abort(struct http_exchange *ex);

/* http_api_triage.c: the triage API. */
int	http_api_triage_init(struct gateway *gw, char *err, size_t errlen);
void	http_api_triage_free(void);
void	http_api_get_incidents(struct http_exchange *ex);
void	http_api_get_incident(struct http_exchange *ex);
void	http_api_get_evidence(struct http_exchange *ex);
void	http_api_get_export(struct http_exchange *ex);
void	http_api_get_stats(struct http_exchange *ex);
void	http_api_post_claim(struct http_exchange *ex);
void	http_api_delete_claim(struct http_exchange *ex);
void	http_api_post_status(struct http_exchange *ex);
void	http_api_post_forward(struct http_exchange *ex);
void	http_api_patch_incident(struct http_exchange *ex);
void	http_api_post_merge(struct http_exchange *ex);
void	http_api_post_split(struct http_exchange *ex);

/* Close the connection after this exchange's reply. */
void	http_close_after(struct http_exchange *ex);

/* Render a page (page.h) in the exchange's language and answer status. */
void	http_reply_page(struct http_exchange *ex, int status, enum page_id id,
	    struct page_vars *v);
void	http_reply_page_with(struct http_exchange *ex, int status,
	    enum page_id id, struct page_vars *v,
	    const struct http_field *extra, size_t n_extra);

/* http_form.c: the web form and the receipt page. */
struct form_context;
struct form_fields;
struct form_errors;
struct form_limits;
int	http_form_init(char *err, size_t errlen);
/*
 * What decoding the report form needs, for every form of its fields
 * (/report, and the staff view's /triage/phone): the bounds of [http],
 * the form's time zone, the taxonomy, extractor and classifier of gw.
 */
void	http_form_setup(const struct gateway *gw, struct form_limits *lim,
	    struct form_context *ctx);
/* {"channel": channel, "attachments": [{name, type, size, sha256}]} */
char	*http_form_meta_json(const struct form_fields *ff,
	    const char *channel);
/*
 * The report form (page id: PAGE_REPORT, PAGE_STAFF_PHONE) with v (its
 * form token and what else the caller set), again with ff's values, the
 * errors, and summary_key (a message key, or NULL) atop.
 */
void	http_form_page(struct http_exchange *ex, int status, enum page_id id,
	    struct page_vars *v, const struct form_fields *ff,
	    const struct form_errors *errs, const char *summary_key);
void	http_form_free(void);
void	http_get_report_form(struct http_exchange *ex);
void	http_post_report(struct http_exchange *ex);
void	http_get_status(struct http_exchange *ex);
/*
 * The pages' CSRF tokens (the form, the verification button): made at
 * `when' into out (at least 64 bytes); valid for a few hours, and only
 * from this run of the daemon.
 */
void	form_csrf_make(time_t when, char *out, size_t len);
int	form_csrf_valid(const char *tok, size_t len, time_t now);

/* http_verify.c: GET and POST /verify/<token>. */
void	http_get_verify(struct http_exchange *ex);
void	http_post_verify(struct http_exchange *ex);

/* http_routes.c: run the handler of the request's route. */
void	http_route(struct http_exchange *ex);
/* At start-up: build what the routes need (pages, keys). 0 or -1. */
int	http_routes_init(struct gateway *gw, char *err, size_t errlen);
void	http_routes_free(struct gateway *gw);

#endif
