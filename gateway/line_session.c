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
 * or the client is not reading its replies, the session stops reading. An
 * AUTH holds back the commands after it until its answer is known, so a
 * pipelined "AUTH x / REPORT ..." works. An over-long line is answered
 * "500 line too long" and skipped up to its end; a session is closed after
 * LINE_AUTH_FAILURES_MAX failed AUTHs or after the idle timeout.
 *
 * A session whose socket is gone but which still has jobs in the store is
 * kept (state DEAD) until the last job completes, so the store never calls
 * back into freed memory.
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
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>

#include "gateway.h"
#include "ilp.h"
#include "limits_gw.h"
#include "log.h"
#include "store.h"
#include "util.h"

enum line_state {
	LINE_STATE_READY,	/* reading and executing commands */
	LINE_STATE_AUTH_WAIT,	/* an AUTH is in the store; input waits */
	LINE_STATE_SKIP,	/* discarding the rest of an over-long line */
	LINE_STATE_CLOSING,	/* reading stopped; close once replies are out */
	LINE_STATE_DEAD		/* socket closed; waiting for store jobs */
};

static const char *line_state_names[] = {
	"READY", "AUTH_WAIT", "SKIP", "CLOSING", "DEAD"
};

struct line_reply {
	TAILQ_ENTRY(line_reply)	 entry;
	struct line_session	*sess;
	int			 ready;
	char			*text;		/* whole reply with CRLF */
	size_t			 len;
};

struct line_session {
	TAILQ_ENTRY(line_session) entry;
	uint32_t		 id;
	enum line_state		 state;
	struct gateway		*gw;
	struct listener		*listener;
	struct bufferevent	*bev;
	struct sockaddr_storage	 peer;
	char			 peer_text[64];
	int			 tls;
	char			*token_name;	/* set by a successful AUTH */
	int			 auth_failures;
	int			 close_after_replies;
	size_t			 pending_jobs;	/* store jobs not completed */
	size_t			 n_replies;	/* slots in replies */
	TAILQ_HEAD(, line_reply) replies;
};

static TAILQ_HEAD(, line_session) line_sessions =
    TAILQ_HEAD_INITIALIZER(line_sessions);
static size_t		line_n_sessions;
static uint32_t		line_next_id;
/* The loop is single-threaded: one line buffer serves every session. */
static char		line_buf[LINE_MAX_BYTES + 3];

#define LINE_OUTPUT_MAX	(256 * 1024)	/* unread replies before we pause */

static void line_session_process_input(struct line_session *);
static void line_session_close(struct line_session *);

static void
line_enter_state(struct line_session *s, enum line_state next)
{
	assert(next <= LINE_STATE_DEAD);
	log_debug("line %08x: %s -> %s", s->id, line_state_names[s->state],
	    line_state_names[next]);
	s->state = next;
}

/* Reading is worth doing only in READY/SKIP, with room for more replies. */
static int
line_session_wants_input(struct line_session *s)
{
	if (s->state != LINE_STATE_READY && s->state != LINE_STATE_SKIP)
		return 0;
	return s->n_replies < LINE_PIPELINE_MAX &&
	    evbuffer_get_length(bufferevent_get_output(s->bev)) <
	    LINE_OUTPUT_MAX;
}

static void
line_session_update_reading(struct line_session *s)
{
	if (s->state == LINE_STATE_DEAD)
		return;
	if (line_session_wants_input(s))
		bufferevent_enable(s->bev, EV_READ);
	else
		bufferevent_disable(s->bev, EV_READ);
}

/* Write out every ready slot at the head of the FIFO; close if done. */
static void
line_session_flush_replies(struct line_session *s)
{
	struct evbuffer		*out = bufferevent_get_output(s->bev);
	struct line_reply	*r;

	while ((r = TAILQ_FIRST(&s->replies)) != NULL && r->ready) {
		evbuffer_add(out, r->text, r->len);
		TAILQ_REMOVE(&s->replies, r, entry);
		s->n_replies--;
		free(r->text);
		free(r);
	}
	if (s->close_after_replies && s->n_replies == 0 &&
	    s->state != LINE_STATE_CLOSING) {
		line_enter_state(s, LINE_STATE_CLOSING);
		bufferevent_disable(s->bev, EV_READ);
		/*
		 * Close from the write callback, never from here: callers
		 * still hold s. With nothing left to write, ask for that
		 * callback explicitly.
		 */
		if (evbuffer_get_length(out) == 0)
			bufferevent_trigger(s->bev, EV_WRITE,
			    BEV_TRIG_IGNORE_WATERMARKS |
			    BEV_TRIG_DEFER_CALLBACKS);
	}
}

static struct line_reply *
line_reply_slot(struct line_session *s)
{
	struct line_reply	*r = xcalloc(1, sizeof(*r));

	r->sess = s;
	TAILQ_INSERT_TAIL(&s->replies, r, entry);
	s->n_replies++;
	return r;
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

static void
line_session_free(struct line_session *s)
{
	free(s->token_name);
	free(s);
}

static void
line_session_close(struct line_session *s)
{
	struct line_reply	*r, *next;

	if (s->state == LINE_STATE_DEAD)
		return;
	log_debug("line %08x: closed (%zu jobs in flight)", s->id,
	    s->pending_jobs);
	if (s->state == LINE_STATE_CLOSING)
		listener_linger_close(s->bev);
	else
		listener_bev_free(s->bev);
	line_enter_state(s, LINE_STATE_DEAD);
	s->bev = NULL;
	listener_release(s->listener, (struct sockaddr *)&s->peer);
	TAILQ_REMOVE(&line_sessions, s, entry);
	line_n_sessions--;
	/* pending slots stay with their store job, which frees them */
	for (r = TAILQ_FIRST(&s->replies); r != NULL; r = next) {
		next = TAILQ_NEXT(r, entry);
		TAILQ_REMOVE(&s->replies, r, entry);
		if (r->ready) {
			free(r->text);
			free(r);
		}
	}
	s->n_replies = 0;
	if (s->pending_jobs == 0)
		line_session_free(s);
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

static void
line_job_done_auth(struct line_session *s, struct line_reply *r,
    struct store_job *job)
{
	if (job->rc == STORE_OK) {
		s->token_name = xstrdup(job->auth_name);
		line_reply_complete(r, "235 authenticated %s", job->auth_name);
		log_info("line %08x: %s authenticated as %s", s->id,
		    s->peer_text, job->auth_name);
	} else if (job->rc == STORE_DENIED) {
		line_reply_complete(r, "535 authentication failed");
		log_info("line %08x: %s failed authentication", s->id,
		    s->peer_text);
		if (++s->auth_failures >= LINE_AUTH_FAILURES_MAX)
			s->close_after_replies = 1;
	} else
		line_reply_complete(r, "454 authentication unavailable;"
		    " try again later");
	line_enter_state(s, LINE_STATE_READY);
}

static void
line_job_done_status(struct line_reply *r, struct store_job *job)
{
	if (job->rc == STORE_OK)
		line_reply_complete(r, "250 %s %s", job->report_id,
		    job->status);
	else if (job->rc == STORE_NOTFOUND)
		line_reply_complete(r, "550 unknown report");
	else
		line_reply_complete(r, "451 temporary failure; try again later");
}

/*
 * Completion of any store job of this module, on the loop thread: fill the
 * job's reply slot, write out what is now in order, and resume reading.
 */
static void
line_job_done(struct store_job *job, void *arg)
{
	struct line_reply	*r = arg;
	struct line_session	*s = r->sess;

	s->pending_jobs--;
	if (s->state == LINE_STATE_DEAD) {
		free(r);
		store_job_free(job);
		if (s->pending_jobs == 0)
			line_session_free(s);
		return;
	}
	switch (job->op) {
	case STORE_OP_SUBMIT:
		line_job_done_submit(r, job);
		break;
	case STORE_OP_AUTH:
		line_job_done_auth(s, r, job);
		break;
	case STORE_OP_STATUS:
		line_job_done_status(r, job);
		break;
	}
	store_job_free(job);
	line_session_flush_replies(s);
	if (s->state == LINE_STATE_DEAD)
		return;
	if (s->gw->draining && !s->close_after_replies)
		s->close_after_replies = 1, line_session_flush_replies(s);
	if (s->state == LINE_STATE_READY || s->state == LINE_STATE_SKIP)
		line_session_process_input(s);
}

/* Queue job with a new reply slot; answers 451 itself if the store is full. */
static void
line_session_enqueue(struct line_session *s, struct store_job *job)
{
	struct line_reply	*r = line_reply_slot(s);

	job->done = line_job_done;
	job->arg = r;
	if (store_enqueue(s->gw->store, job) == -1) {
		store_job_free(job);
		line_reply_complete(r, "451 server busy, nothing stored;"
		    " try again later");
		line_session_flush_replies(s);
		return;
	}
	s->pending_jobs++;
}

/* --- commands ----------------------------------------------------------- */

static void
line_cmd_auth(struct line_session *s, const struct ilp_command *cmd)
{
	struct store_job	*job;

	if (s->token_name != NULL) {
		line_reply(s, "503 already authenticated");
		return;
	}
	if (cmd->arglen == 0 || memchr(cmd->arg, ' ', cmd->arglen) != NULL) {
		line_reply(s, "501 syntax: AUTH <token>");
		return;
	}
	job = store_job_new(STORE_OP_AUTH);
	job->secret = xstrndup(cmd->arg, cmd->arglen);
	line_enter_state(s, LINE_STATE_AUTH_WAIT);
	line_session_enqueue(s, job);
	if (s->pending_jobs == 0)	/* refused by the store */
		line_enter_state(s, LINE_STATE_READY);
}

static void
line_cmd_report(struct line_session *s, const struct ilp_command *cmd,
    const char *line, size_t len)
{
	struct report		 r;
	struct report_error	 err;
	struct store_job	*job;

	if (s->token_name == NULL && s->gw->cfg->line_require_auth) {
		line_reply(s, "530 authentication required");
		return;
	}
	if (ilp_parse_report(cmd->arg, cmd->arglen, &s->gw->tax,
	    &s->gw->limits, &r, &err) == -1) {
		report_free(&r);
		if (err.field[0] != '\0')
			line_reply(s, "501 %s: %s", err.field, err.reason);
		else
			line_reply(s, "501 %s", err.reason);
		return;
	}
	job = store_job_new(STORE_OP_SUBMIT);
	job->channel = "line";
	job->token_name = s->token_name ? xstrdup(s->token_name) : NULL;
	job->verified = s->token_name != NULL;
	job->peer = xstrdup(s->peer_text);
	job->raw = (unsigned char *)xstrndup(line, len);
	job->rawlen = len;
	job->reports = xmalloc(sizeof(*job->reports));
	job->reports[0] = r;		/* the job owns the strings now */
	job->n_reports = 1;
	line_session_enqueue(s, job);
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
	struct store_job	*job;

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
	job = store_job_new(STORE_OP_STATUS);
	job->report_id = xstrndup(cmd->arg, cmd->arglen);
	job->token_name = xstrdup(s->token_name);
	line_session_enqueue(s, job);
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
line_session_process_input(struct line_session *s)
{
	struct evbuffer	*in = bufferevent_get_input(s->bev);
	size_t		 len;
	int		 rc;

	while (line_session_wants_input(s) && evbuffer_get_length(in) > 0) {
		rc = line_session_next_line(s, in, &len);
		if (rc == 0)
			break;
		if (rc == 1)
			line_session_execute(s, line_buf, len);
		if (s->state == LINE_STATE_DEAD)
			return;
	}
	line_session_update_reading(s);
}

static void
line_read_cb(struct bufferevent *bev, void *arg)
{
	line_session_process_input(arg);
}

static void
line_write_cb(struct bufferevent *bev, void *arg)
{
	struct line_session	*s = arg;

	if (s->state == LINE_STATE_CLOSING) {
		line_session_close(s);
		return;
	}
	/* the client read its replies: buffered commands may go on */
	line_session_process_input(s);
}

static void
line_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct line_session	*s = arg;

	if (what == BEV_EVENT_CONNECTED)	/* TLS handshake done */
		return;
	if (what & BEV_EVENT_TIMEOUT) {
		if (s->pending_jobs > 0 || s->n_replies > 0) {
			/* the client waits for us, not the other way round */
			bufferevent_enable(bev, EV_READ);
			return;
		}
		log_info("line %08x: %s idle, closing", s->id, s->peer_text);
		line_session_quit(s, "421 idle timeout, closing");
		return;
	}
	if ((what & BEV_EVENT_EOF) && s->n_replies > 0) {
		/* half-closed: the client still wants its replies */
		s->close_after_replies = 1;
		bufferevent_disable(bev, EV_READ);
		line_session_flush_replies(s);
		return;
	}
	if (what & BEV_EVENT_ERROR)
		log_debug("line %08x: %s: connection error", s->id,
		    s->peer_text);
	line_session_close(s);
}

void
line_session_accept(struct gateway *gw, struct listener *l,
    struct bufferevent *bev, const struct sockaddr *peer, socklen_t peerlen)
{
	struct line_session	*s = xcalloc(1, sizeof(*s));
	struct timeval		 idle = { gw->cfg->line_idle_timeout, 0 };

	s->id = ++line_next_id;
	s->gw = gw;
	s->listener = l;
	s->bev = bev;
	s->tls = bufferevent_openssl_get_ssl(bev) != NULL;
	memcpy(&s->peer, peer, peerlen < sizeof(s->peer) ? peerlen :
	    sizeof(s->peer));
	sockaddr_text(peer, s->peer_text, sizeof(s->peer_text));
	TAILQ_INIT(&s->replies);
	TAILQ_INSERT_TAIL(&line_sessions, s, entry);
	line_n_sessions++;
	log_debug("line %08x: connect from %s%s", s->id, s->peer_text,
	    s->tls ? " (TLS)" : "");

	bufferevent_setcb(bev, line_read_cb, line_write_cb, line_event_cb, s);
	bufferevent_set_timeouts(bev, &idle, &idle);
	line_reply(s, "220 %s intaked ILP/1 ready", gw->cfg->smtp_hostname);
	bufferevent_enable(bev, EV_READ);
}

void
line_sessions_drain(void)
{
	struct line_session	*s, *next;

	for (s = TAILQ_FIRST(&line_sessions); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (s->close_after_replies)
			continue;
		if (s->n_replies == 0)
			line_session_quit(s, "421 shutting down");
		else {
			s->close_after_replies = 1;
			bufferevent_disable(s->bev, EV_READ);
		}
	}
}

size_t
line_sessions_count(void)
{
	return line_n_sessions;
}

void
line_sessions_close_all(void)
{
	struct line_session	*s;

	while ((s = TAILQ_FIRST(&line_sessions)) != NULL)
		line_session_close(s);
}
