/*
 * http_session.c - one HTTPS connection (HTTP/1.1 over TLS, keep-alive) on
 * the session base (see http.h).
 *
 * States: READING a request (the pure decoder, http_parse.h, is fed what
 * arrives), HANDLING it (its route's handler runs, maybe on another thread;
 * nothing more is read meanwhile), then back to READING for the next
 * request on the connection, or closing. Pipelined requests simply wait in
 * the input, so replies are always in order.
 *
 * Bounds: target, header line, header bytes and count (414, 431, from the
 * decoder), body ([http] max_body: 413, from Content-Length before any body
 * byte), a whole request within [http] request_timeout (408; this is what
 * stops a client that sends one byte a second), keep-alive idle time
 * ([http] idle_timeout: closed quietly), the daemon's memory budget for
 * bodies being received (503), sessions in total and per address (the
 * listener), TLS handshakes (the session base). Every response carries the
 * security headers (HSTS, a CSP without script, nosniff, frame-ancestors
 * 'none', Referrer-Policy).
 */
#include <sys/socket.h>
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <openssl/crypto.h>

#include "budget.h"
#include "gateway.h"
#include "http.h"
#include "http_parse.h"
#include "limits_gw.h"
#include "log.h"
#include "page.h"
#include "session.h"
#include "util.h"

enum http_state {
	HTTP_STATE_READING,	/* a request is being received */
	HTTP_STATE_HANDLING	/* its handler runs, maybe elsewhere */
};

struct http_session {
	struct session		 base;		/* first: see session.h */
	enum http_state		 state;
	struct http_parser	*parser;	/* only while a request is read */
	struct http_limits	 limits;
	size_t			 budget;	/* bytes the parser holds, taken */
	int			 in_request;	/* bytes of a request seen */
	int			 close_after;	/* no keep-alive after this reply */
	int			 waiting;	/* the handler answers later */
	uint64_t		 seq;		/* of the exchange */
	struct http_exchange	 ex;
	/* the Bearer token verified last on this connection */
	unsigned char		 token_hash[32];
	char			*token_name, *token_role;
	/* a streamed response (http_stream_begin) */
	const struct http_stream_ops *stream_ops;
	void			*stream_arg;
	int			 stream_busy;	/* its producer makes a chunk */
};

/*
 * A stream's producer is asked for more while less than this is waiting
 * for the client: with a chunk of tens of KiB, what a streamed response
 * holds in memory stays near SESSION_OUTPUT_MAX.
 */
#define HTTP_STREAM_LOW		(SESSION_OUTPUT_MAX / 2)

#define HTTP_ID(s)	((unsigned long long)(s)->base.id)

/* The headers every response carries. */
static const struct http_field http_security_headers[] = {
	{ "Strict-Transport-Security", "max-age=31536000" },
	{ "Content-Security-Policy", "default-src 'none'; style-src 'self';"
	    " img-src 'self'; form-action 'self'; frame-ancestors 'none';"
	    " base-uri 'none'" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "X-Frame-Options", "DENY" },
	{ "Referrer-Policy", "no-referrer" },
};

#define HTTP_HEADERS_OUT_MAX	24

static void http_session_process(struct session *);

static struct http_session *
http_session_of(struct session *base)
{
	return (struct http_session *)base;
}

static struct http_session *
http_session_of_exchange(struct http_exchange *ex)
{
	return (struct http_session *)((char *)ex -
	    offsetof(struct http_session, ex));
}

/* Keep the memory budget in step with what the parser holds. 0 or -1. */
static int
http_session_budget(struct http_session *s)
{
	size_t	held = s->parser != NULL ? http_parser_memory(s->parser) : 0;

	if (held > s->budget) {
		if (budget_take(held - s->budget, !s->in_request) == -1)
			return -1;
	} else
		budget_give(s->budget - held);
	s->budget = held;
	return 0;
}

/* --- replies ------------------------------------------------------------ */

struct http_ticket
http_exchange_ticket(const struct http_exchange *ex)
{
	struct http_session	*s = http_session_of_exchange(
				    (struct http_exchange *)(uintptr_t)ex);
	struct http_ticket	 t = { s->base.id, s->seq };

	return t;
}

struct http_exchange *
http_exchange_find(const struct http_ticket *t)
{
	struct session		*base = session_find(t->session_id);
	struct http_session	*s;

	if (base == NULL)
		return NULL;
	s = http_session_of(base);
	if (s->seq != t->seq || s->state != HTTP_STATE_HANDLING)
		return NULL;
	return &s->ex;
}

void
http_exchange_wait(struct http_exchange *ex)
{
	struct http_session	*s = http_session_of_exchange(ex);

	if (!s->waiting) {
		s->waiting = 1;
		s->base.pending++;
	}
}

int
http_exchange_token_cached(struct http_exchange *ex,
    const unsigned char hash[32])
{
	struct http_session	*s = http_session_of_exchange(ex);

	if (s->token_name == NULL ||
	    CRYPTO_memcmp(s->token_hash, hash, 32) != 0)
		return 0;
	ex->token_name = xstrdup(s->token_name);
	ex->token_role = xstrdup(s->token_role);
	return 1;
}

void
http_exchange_token_remember(struct http_exchange *ex,
    const unsigned char hash[32])
{
	struct http_session	*s = http_session_of_exchange(ex);

	free(s->token_name);
	free(s->token_role);
	memcpy(s->token_hash, hash, 32);
	s->token_name = xstrdup(ex->token_name);
	s->token_role = xstrdup(ex->token_role);
}

void
http_close_after(struct http_exchange *ex)
{
	http_session_of_exchange(ex)->close_after = 1;
}

/* The exchange is answered: forget it, then go on or close. */
static void
http_session_exchange_over(struct http_session *s)
{
	struct http_exchange	*ex = &s->ex;
	int			 was_waiting = s->waiting;

	free(ex->body);
	free(ex->token_name);
	free(ex->token_role);
	memset(ex, 0, sizeof(*ex));
	if (s->waiting) {
		s->waiting = 0;
		s->base.pending--;
	}
	s->seq++;
	s->in_request = 0;
	/*
	 * An idle keep-alive connection holds no parser: a thousand of them
	 * would otherwise keep a thousand head buffers. Pipelined input
	 * keeps it for the next request.
	 */
	if (s->parser == NULL)
		;
	else if (evbuffer_get_length(bufferevent_get_input(s->base.bev)) > 0)
		http_parser_reset(s->parser);
	else {
		http_parser_free(s->parser);
		s->parser = NULL;
	}
	(void)http_session_budget(s);
	session_set_proto_deadline(&s->base, 0);
	s->state = HTTP_STATE_READING;
	if (s->close_after || s->base.gw->draining) {
		session_quit(&s->base);
		return;
	}
	if (was_waiting)	/* from a completion: pipelined input waits */
		http_session_process(&s->base);
}

/* Queue one response on s's connection. */
static void
http_session_write(struct http_session *s, int status, int head_only,
    const char *ctype, const void *body, size_t len,
    const struct http_field *extra, size_t n_extra)
{
	struct http_field	 h[HTTP_HEADERS_OUT_MAX];
	struct evbuffer		*out = bufferevent_get_output(s->base.bev);
	char			 head[4096];
	size_t			 n = 0, i;
	int			 hl, cache = 0;

	for (i = 0; i < sizeof(http_security_headers) /
	    sizeof(http_security_headers[0]); i++)
		h[n++] = http_security_headers[i];
	for (i = 0; i < n_extra && n < HTTP_HEADERS_OUT_MAX - 3; i++) {
		if (strcasecmp(extra[i].name, "Cache-Control") == 0)
			cache = 1;
		h[n++] = extra[i];
	}
	if (ctype != NULL)
		h[n].name = "Content-Type", h[n++].value = ctype;
	if (!cache)
		h[n].name = "Cache-Control", h[n++].value = "no-store";
	h[n].name = "Connection";
	h[n++].value = s->close_after ? "close" : "keep-alive";
	hl = http_format_head(head, sizeof(head), status, h, n, (long long)len);
	if (hl < 0) {
		/* a header we made cannot be sent: say so plainly */
		log_warn("http %08llx: response head refused", HTTP_ID(s));
		hl = http_format_head(head, sizeof(head), 500,
		    http_security_headers, 0, 0);
		len = 0;
		s->close_after = 1;
	}
	evbuffer_add(out, head, hl);
	if (!head_only && len > 0)
		evbuffer_add(out, body, len);
}

void
http_reply(struct http_exchange *ex, int status, const char *ctype,
    const void *body, size_t len, const struct http_field *extra,
    size_t n_extra)
{
	struct http_session	*s = http_session_of_exchange(ex);

	assert(s->state == HTTP_STATE_HANDLING);
	if (ex->req != NULL && !http_keep_alive(ex->req))
		s->close_after = 1;
	http_session_write(s, status, ex->req != NULL &&
	    ex->req->method == HTTP_HEAD, ctype, body, len, extra, n_extra);
	log_info("http %08llx: %s %s %s -> %d", HTTP_ID(s), ex->peer,
	    ex->req != NULL ? http_method_name(ex->req->method) : "-",
	    ex->req != NULL ? ex->req->path : "-", status);
	http_session_exchange_over(s);
}

/* --- streamed responses -------------------------------------------------- */

/* The producer is out making a chunk: the session waits for it. */
static void
http_stream_ask(struct http_session *s)
{
	s->stream_busy = 1;
	http_exchange_wait(&s->ex);
	s->stream_ops->more(s->stream_arg);
}

/* Ask for more if the client has read enough and nobody is asked yet. */
static void
http_stream_pump(struct http_session *s)
{
	if (s->stream_ops == NULL || s->stream_busy || s->base.closing ||
	    evbuffer_get_length(bufferevent_get_output(s->base.bev)) >=
	    HTTP_STREAM_LOW)
		return;
	/* the client reads: that is activity, though it sends nothing */
	s->base.last_input = session_now_ms();
	http_stream_ask(s);
}

/* The stream is over, one way or the other. */
static void
http_stream_stop(struct http_session *s)
{
	s->stream_ops = NULL;
	s->stream_arg = NULL;
	s->stream_busy = 0;
	bufferevent_setwatermark(s->base.bev, EV_WRITE, 0, 0);
}

int
http_stream_begin(struct http_exchange *ex, int status, const char *ctype,
    const struct http_field *extra, size_t n_extra,
    const struct http_stream_ops *ops, void *arg)
{
	struct http_session	*s = http_session_of_exchange(ex);
	struct evbuffer		*out = bufferevent_get_output(s->base.bev);
	struct http_field	 h[HTTP_HEADERS_OUT_MAX];
	char			 head[4096];
	size_t			 n = 0, i;
	int			 hl;

	assert(s->state == HTTP_STATE_HANDLING && s->stream_ops == NULL);
	if (ex->req->method == HTTP_HEAD) {
		http_reply(ex, status, ctype, NULL, 0, extra, n_extra);
		return -1;
	}
	if (!http_keep_alive(ex->req))
		s->close_after = 1;
	for (i = 0; i < sizeof(http_security_headers) /
	    sizeof(http_security_headers[0]); i++)
		h[n++] = http_security_headers[i];
	for (i = 0; i < n_extra && n < HTTP_HEADERS_OUT_MAX - 3; i++)
		h[n++] = extra[i];
	h[n].name = "Content-Type", h[n++].value = ctype;
	h[n].name = "Cache-Control", h[n++].value = "no-store";
	h[n].name = "Connection";
	h[n++].value = s->close_after ? "close" : "keep-alive";
	hl = http_format_head(head, sizeof(head), status, h, n, -1);
	if (hl < 2 || (size_t)hl + 32 > sizeof(head)) {
		log_warn("http %08llx: response head refused", HTTP_ID(s));
		http_reply(ex, 500, NULL, NULL, 0, NULL, 0);
		return -1;
	}
	/* the head ends with an empty line: the framing goes before it */
	hl -= 2;
	hl += snprintf(head + hl, sizeof(head) - hl,
	    "Transfer-Encoding: chunked\r\n\r\n");
	evbuffer_add(out, head, hl);
	log_info("http %08llx: %s %s %s -> %d (streamed)", HTTP_ID(s),
	    ex->peer, http_method_name(ex->req->method), ex->req->path,
	    status);
	s->stream_ops = ops;
	s->stream_arg = arg;
	s->stream_busy = 1;	/* the caller holds the first chunk */
	bufferevent_setwatermark(s->base.bev, EV_WRITE, HTTP_STREAM_LOW, 0);
	return 0;
}

void
http_stream_write(struct http_exchange *ex, const void *data, size_t len,
    int last)
{
	struct http_session	*s = http_session_of_exchange(ex);
	struct evbuffer		*out = bufferevent_get_output(s->base.bev);

	assert(s->stream_ops != NULL && s->stream_busy);
	if (len > 0) {
		evbuffer_add_printf(out, "%zx\r\n", len);
		evbuffer_add(out, data, len);
		evbuffer_add(out, "\r\n", 2);
	}
	s->stream_busy = 0;
	if (last) {
		evbuffer_add(out, "0\r\n\r\n", 5);
		http_stream_stop(s);
		http_session_exchange_over(s);
		return;
	}
	if (s->waiting) {
		s->waiting = 0;
		s->base.pending--;
	}
	http_stream_pump(s);
}

void
http_stream_abort(struct http_exchange *ex)
{
	struct http_session	*s = http_session_of_exchange(ex);

	/* no last chunk: the client sees the body cut, not complete */
	log_warn("http %08llx: streamed response cut short", HTTP_ID(s));
	http_stream_stop(s);
	s->close_after = 1;
	http_session_exchange_over(s);
}

/* --- requests ----------------------------------------------------------- */

/* A request is complete: hand it to its route. */
static void
http_session_dispatch(struct http_session *s)
{
	struct http_exchange	*ex = &s->ex;
	const struct http_request *req = http_parser_request(s->parser);
	char			 qlang[8] = "";

	s->state = HTTP_STATE_HANDLING;
	session_set_proto_deadline(&s->base, 0);
	memset(ex, 0, sizeof(*ex));
	ex->gw = s->base.gw;
	ex->req = req;
	ex->peer = s->base.peer_text;
	ex->peer_addr = (const struct sockaddr *)&s->base.peer;
	ex->body = http_parser_take_body(s->parser, &ex->body_len);
	if (req->query != NULL)
		(void)http_query_param(req->query, req->query_len, "lang",
		    qlang, sizeof(qlang), NULL);
	ex->lang = page_lang_pick(qlang[0] != '\0' ? qlang : NULL,
	    http_header_get(req, "Accept-Language"));
	http_route(ex);
}

/* The decoder refused the request: answer its status and close. */
static void
http_session_refuse(struct http_session *s, int status, const char *why)
{
	struct http_exchange	*ex = &s->ex;

	log_info("http %08llx: %s: %d %s", HTTP_ID(s), s->base.peer_text,
	    status, why);
	s->state = HTTP_STATE_HANDLING;
	s->close_after = 1;
	memset(ex, 0, sizeof(*ex));
	ex->gw = s->base.gw;
	ex->req = NULL;
	ex->peer = s->base.peer_text;
	ex->lang = "vi";
	http_reply_error(ex, status, why, NULL);
}

/* Feed what has arrived to the decoder, one request at a time. */
static void
http_session_process(struct session *base)
{
	struct http_session	*s = http_session_of(base);
	struct evbuffer		*in = bufferevent_get_input(base->bev);
	struct evbuffer_iovec	 v;
	enum http_parse_result	 rc;
	const char		*why;
	size_t			 consumed;
	int			 status;

	if (s->state == HTTP_STATE_HANDLING && s->stream_ops != NULL) {
		http_stream_pump(s);
		return;
	}
	while (!base->closing && s->state == HTTP_STATE_READING &&
	    !session_output_full(base) && evbuffer_get_length(in) > 0) {
		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		if (s->parser == NULL &&
		    (s->parser = http_parser_new(&s->limits)) == NULL) {
			http_session_refuse(s, 503, "out of memory");
			break;
		}
		if (!s->in_request) {
			s->in_request = 1;
			session_set_proto_deadline(base,
			    base->gw->cfg->http_request_timeout);
		}
		rc = http_parse_push(s->parser, v.iov_base, v.iov_len,
		    &consumed);
		evbuffer_drain(in, consumed);
		if (http_session_budget(s) == -1) {
			http_session_refuse(s, 503, "memory budget reached");
			break;
		}
		if (rc == HTTP_PARSE_ERROR) {
			status = http_parser_error(s->parser, &why);
			http_session_refuse(s, status, why);
			break;
		}
		if (rc == HTTP_PARSE_HEAD_DONE) {
			if (http_parser_request(s->parser)->expect_continue)
				evbuffer_add_printf(bufferevent_get_output(
				    base->bev), "HTTP/1.1 100 Continue\r\n\r\n");
			/* a request without a body is complete now */
			rc = http_parse_push(s->parser, "", 0, &consumed);
		}
		if (rc == HTTP_PARSE_BODY_DONE)
			http_session_dispatch(s);
	}
	session_want_input(base, !base->closing &&
	    s->state == HTTP_STATE_READING && !session_output_full(base));
}

static void
http_session_timeout(struct session *base, enum session_timer which)
{
	struct http_session	*s = http_session_of(base);

	if (s->in_request && s->state == HTTP_STATE_READING) {
		http_session_refuse(s, 408, "request not received in time");
		return;
	}
	session_quit(base);	/* an idle keep-alive connection: no reply */
}

static int
http_session_eof(struct session *base)
{
	struct http_session	*s = http_session_of(base);

	/* a half-closed client waiting for its answer gets it, then the end */
	if (s->state != HTTP_STATE_HANDLING)
		return 0;
	s->close_after = 1;
	return 1;
}

static void
http_session_drain(struct session *base)
{
	struct http_session	*s = http_session_of(base);

	if (s->state == HTTP_STATE_HANDLING)
		s->close_after = 1;	/* answered, then closed */
	else
		session_quit(base);
}

static void
http_session_free(struct session *base)
{
	struct http_session	*s = http_session_of(base);

	/* an idle producer's state is ours to free; a busy one frees it */
	if (s->stream_ops != NULL && !s->stream_busy)
		s->stream_ops->free(s->stream_arg);
	free(s->ex.body);
	free(s->ex.token_name);
	free(s->ex.token_role);
	free(s->token_name);
	free(s->token_role);
	http_parser_free(s->parser);
	s->parser = NULL;
	(void)http_session_budget(s);
	free(s);
}

static const struct session_ops http_session_ops = {
	.name = "http",
	.process = http_session_process,
	.timeout = http_session_timeout,
	.eof = http_session_eof,
	.drain = http_session_drain,
	.free = http_session_free,
};

void
http_session_accept(struct gateway *gw, struct listener *l,
    struct bufferevent *bev, const struct sockaddr *peer, socklen_t peerlen)
{
	struct http_session	*s = xcalloc(1, sizeof(*s));

	s->limits = http_limits_default();
	s->limits.max_body = gw->cfg->http_max_body;
	s->limits.max_header_bytes = gw->cfg->http_max_header_bytes;
	session_init(&s->base, &http_session_ops, gw, l, bev, peer, peerlen,
	    gw->cfg->http_idle_timeout, 0);
}
