/*
 * line_session.c - one ILP/1 session (see README, "Line protocol").
 *
 * A session reads CRLF- or LF-terminated lines of at most LINE_MAX_BYTES,
 * parses each into a command (parsers/ilp.c) and answers in order, even
 * though REPORT, AUTH and STATUS are answered later, by the store's writer
 * thread: every command takes a slot in a FIFO of replies, and a slot is
 * written out only when it and all the slots before it are ready. A REPORT
 * slot becomes ready only in the store's completion callback, after the
 * group commit that made it durable.
 *
 * Pipelining is supported; while LINE_PIPELINE_MAX replies are outstanding
 * or the client is not reading its replies (SESSION_OUTPUT_MAX), the
 * session stops reading. An AUTH holds back the commands after it until
 * its answer is known, so a pipelined "AUTH x / REPORT ..." works. Only
 * roles that may submit (roles.h) authenticate. An over-long line is
 * answered "500 line too long" and skipped up to its end; a session is
 * closed after LINE_AUTH_FAILURES_MAX failed AUTHs, after the idle timeout,
 * after [line] session_timeout, and, when AUTH is required, when it has not
 * authenticated within [line] auth_timeout. Each REPORT in flight holds
 * its share of the memory budget (budget.h).
 *
 * The connection itself (deadlines, TLS, closing) is the session base's
 * (session.h). REPORT goes to the store's writer; AUTH and STATUS are
 * reads, answered by the reader threads (readers.h) without waiting for a
 * group commit. Each carries the session's id and its slot's sequence
 * number, so a completion for a session that has gone is dropped.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <openssl/crypto.h>

#include "budget.h"
#include "gateway.h"
#include "ilp.h"
#include "limits_gw.h"
#include "intake.h"
#include "log.h"
#include "metrics.h"
#include "readers.h"
#include "roles.h"
#include "session.h"
#include "store.h"
#include "store_read.h"
#include "util.h"

enum line_state {
	LINE_STATE_READY,	/* reading and executing commands */
	LINE_STATE_AUTH_WAIT,	/* an AUTH is in the store; input waits */
	LINE_STATE_SKIP		/* discarding the rest of an over-long line */
};

static const char *line_state_names[] = { "READY", "AUTH_WAIT", "SKIP" };

struct line_reply {
	TAILQ_ENTRY(line_reply)	 entry;
	uint64_t		 seq;
	int			 ready;
	char			*text;		/* whole reply with CRLF */
	size_t			 len;
};

struct line_session {
	struct session		 base;		/* first: see session.h */
	enum line_state		 state;
	char			*token_name;	/* set by a successful AUTH */
	int			 auth_failures;
	int			 close_after_replies;
	uint64_t		 next_seq;
	size_t			 n_replies;	/* slots in replies */
	TAILQ_HEAD(, line_reply) replies;
};

/* What a store job needs to find its way back. */
struct line_ticket {
	uint64_t		 session_id;
	uint64_t		 seq;		/* of the reply slot */
	size_t			 budget;	/* bytes of the memory budget */
};

/* The loop is single-threaded: one line buffer serves every session. */
static char		line_buf[LINE_MAX_BYTES + 3];

/* Budget held by a REPORT in flight: the line, its decoded fields, the job. */
#define LINE_REPORT_BYTES(len)	(3 * (len) + 2048)

static void line_session_process_input(struct session *);

static struct line_session *
line_session_of(struct session *base)
{
	return (struct line_session *)base;
}

#define LINE_ID(s)	((unsigned long long)(s)->base.id)

static void
line_enter_state(struct line_session *s, enum line_state next)
{
	assert(next <= LINE_STATE_SKIP);
	log_debug("line %08llx: %s -> %s", LINE_ID(s),
	    line_state_names[s->state], line_state_names[next]);
	s->state = next;
}

/* Reading is worth doing only in READY/SKIP, with room for more replies. */
static int
line_session_wants_input(struct line_session *s)
{
	if (s->base.closing || s->close_after_replies ||
	    (s->state != LINE_STATE_READY && s->state != LINE_STATE_SKIP))
		return 0;
	return s->n_replies < LINE_PIPELINE_MAX &&
	    !session_output_full(&s->base);
}

/* Write out every ready slot at the head of the FIFO; quit if done. */
static void
line_session_flush_replies(struct line_session *s)
{
	struct evbuffer		*out = bufferevent_get_output(s->base.bev);
	struct line_reply	*r;

	while ((r = TAILQ_FIRST(&s->replies)) != NULL && r->ready) {
		evbuffer_add(out, r->text, r->len);
		TAILQ_REMOVE(&s->replies, r, entry);
		s->n_replies--;
		free(r->text);
		free(r);
	}
	if (s->close_after_replies && s->n_replies == 0)
		session_quit(&s->base);
}

static struct line_reply *
line_reply_slot(struct line_session *s)
{
	struct line_reply	*r = xcalloc(1, sizeof(*r));

	r->seq = ++s->next_seq;
	TAILQ_INSERT_TAIL(&s->replies, r, entry);
	s->n_replies++;
	return r;
}

/* The pending slot with this sequence number (near the head). */
static struct line_reply *
line_reply_find(struct line_session *s, uint64_t seq)
{
	struct line_reply	*r;

	TAILQ_FOREACH(r, &s->replies, entry)
		if (r->seq == seq)
			return r;
	return NULL;
}

static void
line_reply_fill(struct line_reply *r, const char *fmt, va_list ap)
{
	char	buf[512];
	int	n;

	n = vsnprintf(buf, sizeof(buf) - 2, fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(buf) - 3)
		n = sizeof(buf) - 3;
	memcpy(buf + n, "\r\n", 3);
	r->text = xstrndup(buf, n + 2);
	r->len = n + 2;
	r->ready = 1;
}

/* Answer now: straight to the socket when nothing is waiting before it. */
static void __attribute__((format(printf, 2, 3)))
line_reply(struct line_session *s, const char *fmt, ...)
{
	struct line_reply	*r;
	va_list			 ap;

	r = line_reply_slot(s);
	va_start(ap, fmt);
	line_reply_fill(r, fmt, ap);
	va_end(ap);
	line_session_flush_replies(s);
}

static void __attribute__((format(printf, 2, 3)))
line_reply_complete(struct line_reply *r, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	line_reply_fill(r, fmt, ap);
	va_end(ap);
}

/* Reply, then close once everything before and including it is out. */
static void
line_session_quit(struct line_session *s, const char *text)
{
	line_reply(s, "%s", text);
	s->close_after_replies = 1;
	line_session_flush_replies(s);
}

/* --- store completions -------------------------------------------------- */

static void
line_job_done_submit(struct line_reply *r, struct store_job *job)
{
	const struct store_report_result *res = &job->results[0];

	if (job->rc == STORE_OK)
		line_reply_complete(r, "250 %s %s %s", res->report_id,
		    res->duplicate ? "duplicate" : "new", res->incident_id);
	else
		line_reply_complete(r, "451 temporary failure, nothing stored;"
		    " try again later");
}

/*
 * A completion came back for (session id, slot): the session and its
 * pending slot, or NULL when the session has gone (the result is dropped).
 */
static struct line_session *
line_session_back(const struct line_ticket *t, struct line_reply **rp)
{
	struct session		*base = session_find(t->session_id);
	struct line_session	*s;

	if (base == NULL)
		return NULL;
	s = line_session_of(base);
	s->base.pending--;
	*rp = line_reply_find(s, t->seq);
	assert(*rp != NULL && !(*rp)->ready);
	return s;
}

/* After a completion filled its slot: write out, go on reading. */
static void
line_session_resume(struct line_session *s)
{
	if (s->base.gw->draining)
		s->close_after_replies = 1;
	line_session_flush_replies(s);
	line_session_process_input(&s->base);
}

/* A REPORT's commit (or failure), on the loop thread. */
static void
line_job_done(struct store_job *job, void *arg)
{
	struct line_ticket	*t = arg;
	struct line_session	*s;
	struct line_reply	*r;

	budget_give(t->budget);
	if ((s = line_session_back(t, &r)) != NULL)
		line_job_done_submit(r, job);
	free(t);
	store_job_free(job);
	if (s != NULL)
		line_session_resume(s);
}

/* --- reads: AUTH and STATUS on the reader threads ----------------------- */

struct line_read {
	struct line_ticket	 ticket;
	char			*arg;		/* the secret, or the report ID */
	char			*owner;		/* STATUS: the session's token */
	int			 rc;		/* STORE_READ_... */
	char			*name, *role;	/* AUTH */
	char			*status;	/* STATUS */
};

static void
line_read_free(struct line_read *q)
{
	if (q->arg != NULL)
		OPENSSL_cleanse(q->arg, strlen(q->arg));
	free(q->arg);
	free(q->owner);
	free(q->name);
	free(q->role);
	free(q->status);
	free(q);
}

/* Reader thread. */
static void
line_read_auth(struct store_read *rd, void *arg)
{
	struct line_read	*q = arg;
	char			 err[256];

	q->rc = rd == NULL ? STORE_READ_ERROR : store_read_token_check(rd,
	    q->arg, &q->name, &q->role, err, sizeof(err));
	OPENSSL_cleanse(q->arg, strlen(q->arg));
}

static void
line_auth_failed(struct line_session *s, struct line_reply *r,
    const char *why)
{
	line_reply_complete(r, "535 authentication failed%s", why);
	if (++s->auth_failures >= LINE_AUTH_FAILURES_MAX)
		s->close_after_replies = 1;
}

static void
line_read_auth_done(void *arg)
{
	struct line_read	*q = arg;
	struct line_session	*s;
	struct line_reply	*r;

	if ((s = line_session_back(&q->ticket, &r)) == NULL) {
		line_read_free(q);
		return;
	}
	if (q->rc == STORE_READ_OK && !role_may(q->role, ROLE_SUBMIT)) {
		log_info("line %08llx: %s: token %s (role %s) may not submit",
		    LINE_ID(s), s->base.peer_text, q->name, q->role);
		line_auth_failed(s, r, ": this token's role may not submit");
	} else if (q->rc == STORE_READ_OK) {
		s->token_name = q->name;
		q->name = NULL;
		session_set_proto_deadline(&s->base, 0);
		line_reply_complete(r, "235 authenticated %s", s->token_name);
		log_info("line %08llx: %s authenticated as %s", LINE_ID(s),
		    s->base.peer_text, s->token_name);
	} else if (q->rc == STORE_READ_NOTFOUND) {
		log_info("line %08llx: %s failed authentication", LINE_ID(s),
		    s->base.peer_text);
		line_auth_failed(s, r, "");
	} else
		line_reply_complete(r, "454 authentication unavailable;"
		    " try again later");
	line_enter_state(s, LINE_STATE_READY);
	line_read_free(q);
	line_session_resume(s);
}

/* Reader thread. */
static void
line_read_status(struct store_read *rd, void *arg)
{
	struct line_read	*q = arg;
	char			 err[256];

	q->rc = rd == NULL ? STORE_READ_ERROR : store_read_report_status(rd,
	    q->arg, q->owner, &q->status, err, sizeof(err));
}

static void
line_read_status_done(void *arg)
{
	struct line_read	*q = arg;
	struct line_session	*s;
	struct line_reply	*r;

	if ((s = line_session_back(&q->ticket, &r)) == NULL) {
		line_read_free(q);
		return;
	}
	if (q->rc == STORE_READ_OK)
		line_reply_complete(r, "250 %s %s", q->arg, q->status);
	else if (q->rc == STORE_READ_NOTFOUND)
		line_reply_complete(r, "550 unknown report");
	else
		line_reply_complete(r, "451 temporary failure; try again later");
	line_read_free(q);
	line_session_resume(s);
}

/* Send a read to the reader threads with a new reply slot. */
static void
line_session_read(struct line_session *s, reader_fn work, worker_fn done,
    struct line_read *q)
{
	struct line_reply	*r = line_reply_slot(s);

	q->ticket.session_id = s->base.id;
	q->ticket.seq = r->seq;
	s->base.pending++;
	readers_run(s->base.gw->readers, work, done, q);
}

/*
 * Queue job with a new reply slot, holding budget bytes of the memory
 * budget (already taken) until it completes; answers 451 itself if the
 * store is full.
 */
static void
line_session_enqueue(struct line_session *s, struct store_job *job,
    size_t budget)
{
	struct line_reply	*r = line_reply_slot(s);
	struct line_ticket	*t = xmalloc(sizeof(*t));

	t->session_id = s->base.id;
	t->seq = r->seq;
	t->budget = budget;
	if (intake_submit(s->base.gw, job, INTAKE_LINE, line_job_done,
	    t) == -1) {
		budget_give(budget);
		free(t);
		line_reply_complete(r, "451 server busy, nothing stored;"
		    " try again later");
		line_session_flush_replies(s);
		return;
	}
	s->base.pending++;
}

/* --- commands ----------------------------------------------------------- */

static void
line_cmd_auth(struct line_session *s, const struct ilp_command *cmd)
{
	struct line_read	*q;

	if (s->token_name != NULL) {
		line_reply(s, "503 already authenticated");
		return;
	}
	if (cmd->arglen == 0 || memchr(cmd->arg, ' ', cmd->arglen) != NULL) {
		line_reply(s, "501 syntax: AUTH <token>");
		return;
	}
	q = xcalloc(1, sizeof(*q));
	q->arg = xstrndup(cmd->arg, cmd->arglen);
	line_enter_state(s, LINE_STATE_AUTH_WAIT);
	line_session_read(s, line_read_auth, line_read_auth_done, q);
}

static void
line_cmd_report(struct line_session *s, const struct ilp_command *cmd,
    const char *line, size_t len)
{
	struct gateway		*gw = s->base.gw;
	struct report		 r;
	struct report_error	 err;
	struct store_job	*job;
	size_t			 budget = LINE_REPORT_BYTES(len);

	if (s->token_name == NULL && gw->cfg->line_require_auth) {
		metrics_rejected(METRICS_UNAUTHENTICATED);
		line_reply(s, "530 authentication required");
		return;
	}
	if (budget_take(budget, 1) == -1) {
		metrics_rejected(METRICS_BUSY);
		line_reply(s, "451 server busy, nothing stored; try again"
		    " later");
		return;
	}
	if (ilp_parse_report(cmd->arg, cmd->arglen, &gw->tax,
	    &gw->limits, &r, &err) == -1) {
		budget_give(budget);
		report_free(&r);
		metrics_rejected(METRICS_INVALID);
		if (err.field[0] != '\0')
			line_reply(s, "501 %s: %s", err.field, err.reason);
		else
			line_reply(s, "501 %s", err.reason);
		return;
	}
	job = store_job_new();
	job->token_name = s->token_name ? xstrdup(s->token_name) : NULL;
	job->verified = s->token_name != NULL;
	job->peer = xstrdup(s->base.peer_text);
	job->raw = (unsigned char *)xstrndup(line, len);
	job->rawlen = len;
	job->reports = xmalloc(sizeof(*job->reports));
	job->reports[0] = r;		/* the job owns the strings now */
	job->n_reports = 1;
	line_session_enqueue(s, job, budget);
}

static int
line_report_id_valid(const char *id, size_t len)
{
	size_t	i;

	if (len < 4 || len >= STORE_ID_MAX || strncmp(id, "IR-", 3) != 0)
		return 0;
	for (i = 3; i < len; i++)
		if (!(id[i] >= '0' && id[i] <= '9') && id[i] != '-')
			return 0;
	return 1;
}

static void
line_cmd_status(struct line_session *s, const struct ilp_command *cmd)
{
	struct line_read	*q;

	/* "own reports only": an anonymous session owns none it could name */
	if (s->token_name == NULL) {
		line_reply(s, "530 authentication required");
		return;
	}
	if (cmd->arglen == 0) {
		line_reply(s, "501 syntax: STATUS <report-id>");
		return;
	}
	if (!line_report_id_valid(cmd->arg, cmd->arglen)) {
		line_reply(s, "550 unknown report");	/* no such ID can exist */
		return;
	}
	q = xcalloc(1, sizeof(*q));
	q->arg = xstrndup(cmd->arg, cmd->arglen);
	q->owner = xstrdup(s->token_name);
	line_session_read(s, line_read_status, line_read_status_done, q);
}

static void
line_cmd_help(struct line_session *s)
{
	line_reply(s, "214-intaked ILP/1 commands:\r\n"
	    "214-AUTH <token>\r\n"
	    "214-REPORT name=value ... (values percent-encoded; category and"
	    " a description or an indicator required)\r\n"
	    "214-STATUS <report-id>\r\n"
	    "214-PING\r\n"
	    "214-QUIT\r\n"
	    "214 end of help");
}

static void
line_session_execute(struct line_session *s, const char *line, size_t len)
{
	struct ilp_command	 cmd;
	const char		*why;

	if (ilp_parse_command(line, len, &cmd, &why) == -1) {
		line_reply(s, "500 %s", why);
		return;
	}
	switch (cmd.verb) {
	case ILP_EMPTY:
		break;
	case ILP_AUTH:
		line_cmd_auth(s, &cmd);
		break;
	case ILP_REPORT:
		line_cmd_report(s, &cmd, line, len);
		break;
	case ILP_STATUS:
		line_cmd_status(s, &cmd);
		break;
	case ILP_PING:
		line_reply(s, "250 pong");
		break;
	case ILP_QUIT:
		line_session_quit(s, "221 bye");
		break;
	case ILP_HELP:
		line_cmd_help(s);
		break;
	case ILP_UNKNOWN:
		line_reply(s, "500 unknown command");
		break;
	}
}

/* --- input -------------------------------------------------------------- */

/*
 * Take one line from in when a whole one is there. Returns 1 with the line
 * (without its CRLF or LF) in line_buf, 0 when more input is needed, -1
 * when the line was over-long (answered and skipped, or skipping).
 */
static int
line_session_next_line(struct line_session *s, struct evbuffer *in,
    size_t *lenp)
{
	struct evbuffer_ptr	 eol;
	size_t			 eol_len, len, avail = evbuffer_get_length(in);

	eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
	if (eol.pos == -1) {
		/* LINE_MAX_BYTES of text plus a CR may still end well */
		if (avail > LINE_MAX_BYTES + 1) {
			evbuffer_drain(in, avail);
			if (s->state != LINE_STATE_SKIP) {
				line_reply(s, "500 line too long");
				line_enter_state(s, LINE_STATE_SKIP);
			}
			return -1;
		}
		return 0;
	}
	len = eol.pos;
	if (s->state == LINE_STATE_SKIP) {
		evbuffer_drain(in, len + eol_len);
		line_enter_state(s, LINE_STATE_READY);
		return -1;
	}
	if (len > LINE_MAX_BYTES + 1) {
		evbuffer_drain(in, len + eol_len);
		line_reply(s, "500 line too long");
		return -1;
	}
	evbuffer_remove(in, line_buf, len + eol_len);
	if (len > 0 && line_buf[len - 1] == '\r')
		len--;
	if (len > LINE_MAX_BYTES) {
		line_reply(s, "500 line too long");
		return -1;
	}
	line_buf[len] = '\0';
	*lenp = len;
	return 1;
}

static void
line_session_process_input(struct session *base)
{
	struct line_session	*s = line_session_of(base);
	struct evbuffer		*in = bufferevent_get_input(base->bev);
	size_t			 len;
	int			 rc;

	while (line_session_wants_input(s) && evbuffer_get_length(in) > 0) {
		rc = line_session_next_line(s, in, &len);
		if (rc == 0)
			break;
		if (rc == 1)
			line_session_execute(s, line_buf, len);
	}
	session_want_input(base, line_session_wants_input(s));
}

static void
line_session_timeout(struct session *base, enum session_timer which)
{
	struct line_session	*s = line_session_of(base);

	switch (which) {
	case SESSION_TIMER_IDLE:
		line_session_quit(s, "421 idle timeout, closing");
		break;
	case SESSION_TIMER_LIFETIME:
		line_session_quit(s, "421 session time limit reached, closing");
		break;
	case SESSION_TIMER_PROTO:
		line_session_quit(s, "421 authentication timeout, closing");
		break;
	}
}

/* Half-closed: the client may still want its replies. */
static int
line_session_eof(struct session *base)
{
	struct line_session	*s = line_session_of(base);

	if (s->n_replies == 0)
		return 0;
	s->close_after_replies = 1;
	session_want_input(base, 0);
	line_session_flush_replies(s);
	return 1;
}

static void
line_session_drain(struct session *base)
{
	struct line_session	*s = line_session_of(base);

	if (s->n_replies == 0)
		line_session_quit(s, "421 shutting down");
	else {
		s->close_after_replies = 1;
		session_want_input(base, 0);
	}
}

static void
line_session_free(struct session *base)
{
	struct line_session	*s = line_session_of(base);
	struct line_reply	*r;

	while ((r = TAILQ_FIRST(&s->replies)) != NULL) {
		TAILQ_REMOVE(&s->replies, r, entry);
		free(r->text);
		free(r);
	}
	free(s->token_name);
	free(s);
}

static const struct session_ops line_session_ops = {
	.name = "line",
	.process = line_session_process_input,
	.timeout = line_session_timeout,
	.eof = line_session_eof,
	.drain = line_session_drain,
	.free = line_session_free,
};

void
line_session_accept(struct gateway *gw, struct listener *l,
    struct bufferevent *bev, const struct sockaddr *peer, socklen_t peerlen)
{
	struct line_session	*s = xcalloc(1, sizeof(*s));

	TAILQ_INIT(&s->replies);
	session_init(&s->base, &line_session_ops, gw, l, bev, peer, peerlen,
	    gw->cfg->line_idle_timeout, gw->cfg->line_session_timeout);
	if (gw->cfg->line_require_auth)
		session_set_proto_deadline(&s->base,
		    gw->cfg->line_auth_timeout);
	line_reply(s, "220 %s intaked ILP/1 ready", gw->cfg->smtp_hostname);
}
