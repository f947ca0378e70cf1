/*
 * smtp_session.c - one ESMTP session of the incident mailbox (RFC 5321,
 * STARTTLS RFC 3207, PIPELINING RFC 2920, SIZE, 8BITMIME, SMTPUTF8,
 * ENHANCEDSTATUSCODES).
 *
 * Commands are read as lines of at most SMTP_LINE_MAX bytes and run through
 * a command table (check the sequence, then proceed). PIPELINING is
 * advertised and supported: MAIL, RCPT and friends are answered at once and
 * in order; after DATA the session reads the message through the DATA
 * decoder (smtp_proto.h), which ends only on CRLF.CRLF, so a bare CR or LF
 * can never end or split a message. At the end of data the message is
 * parsed on a worker thread (mail.h), then the raw message and its reports
 * go to the store in one job, and "250 2.0.0 <report-id>" is sent only from
 * the store's completion, once the group commit is durable. While that is
 * in flight the session reads nothing more.
 *
 * Bounds: line length, recipients, message size (SIZE= and actual), header
 * bytes and lines, reports per message ([smtp] max_reports), errors per
 * session, replies the client has not read (SESSION_OUTPUT_MAX: reading
 * pauses), and the daemon's memory budget (a message's bytes are taken
 * from it as they arrive; over it, MAIL and the end of DATA get 451 4.3.2).
 * Deadlines, TLS and closing are the session base's (session.h). Input
 * pipelined after STARTTLS is thrown away (RFC 3207 section 6).
 *
 * A transaction handed to the parser and the store carries the session's
 * id and copies of what the parser needs; its completion finds the session
 * by id and only frees the transaction when the session has gone.
 *
 * Only the configured mailboxes are recipients; nothing is ever relayed.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "budget.h"
#include "gateway.h"
#include "limits_gw.h"
#include "intake.h"
#include "log.h"
#include "mailout.h"
#include "metrics.h"
#include "mail.h"
#include "receipt.h"
#include "session.h"
#include "smtp_proto.h"
#include "store.h"
#include "util.h"
#include "worker.h"

enum smtp_state {
	SMTP_STATE_CONNECTED,	/* greeted; EHLO/HELO expected */
	SMTP_STATE_HELO,	/* EHLO done; MAIL expected */
	SMTP_STATE_MAIL,	/* MAIL accepted; RCPT expected */
	SMTP_STATE_RCPT,	/* recipients accepted; RCPT or DATA */
	SMTP_STATE_DATA,	/* reading the message */
	SMTP_STATE_COMMIT,	/* message in the worker or the store */
	SMTP_STATE_TLS		/* STARTTLS handshake */
};

static const char *smtp_state_names[] = {
	"CONNECTED", "HELO", "MAIL", "RCPT", "DATA", "COMMIT", "TLS"
};

/* One message transaction: MAIL to the final reply. */
struct smtp_tx {
	uint64_t		 session_id;
	struct gateway		*gw;
	char			*mail_from;
	char			**rcpts;
	size_t			 n_rcpts;
	size_t			 rcpt_refused;	/* RCPTs answered 5xx */
	int			 smtputf8;
	struct smtp_data	 data;
	char			*msg;		/* unstuffed message */
	size_t			 msg_len, msg_cap;
	size_t			 budget;	/* bytes taken from the budget */
	int			 too_big;	/* over max_message: drop */
	int			 over_budget;	/* memory budget refused: drop */
	/* copies for the parser thread, taken at the end of data */
	char			*helo;
	char			 peer_text[64];
	char			 tls_info[128];	/* "" without TLS */
	/* filled by the worker */
	struct mail_result	 result;
	int			 parse_failed;
};

struct smtp_session {
	struct session		 base;		/* first: see session.h */
	enum smtp_state		 state;
	char			*helo;
	int			 esmtp;
	int			 errors;
	int			 skipping;	/* rest of an over-long line */
	struct smtp_tx		*tx;		/* until the end of data */
};

static char		smtp_line[SMTP_LINE_MAX + 3];

static void smtp_session_process_input(struct session *);

#define SMTP_ID(s)	((unsigned long long)(s)->base.id)

static struct smtp_session *
smtp_session_of(struct session *base)
{
	return (struct smtp_session *)base;
}

static void
smtp_enter_state(struct smtp_session *s, enum smtp_state next)
{
	assert(next <= SMTP_STATE_TLS);
	log_debug("smtp %08llx: %s -> %s", SMTP_ID(s),
	    smtp_state_names[s->state], smtp_state_names[next]);
	s->state = next;
}

static void
smtp_vreply(struct smtp_session *s, const char *fmt, va_list ap)
{
	struct evbuffer	*out = bufferevent_get_output(s->base.bev);

	evbuffer_add_vprintf(out, fmt, ap);
	evbuffer_add(out, "\r\n", 2);
}

static void __attribute__((format(printf, 2, 3)))
smtp_reply(struct smtp_session *s, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	smtp_vreply(s, fmt, ap);
	va_end(ap);
}

/* Reply, read nothing more, close once the reply is written. */
static void
smtp_session_quit(struct smtp_session *s, const char *text)
{
	smtp_reply(s, "%s", text);
	session_quit(&s->base);
}

/* A refused command: count it; too many and the session ends. */
static void __attribute__((format(printf, 2, 3)))
smtp_error(struct smtp_session *s, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	smtp_vreply(s, fmt, ap);
	va_end(ap);
	if (++s->errors >= SMTP_ERRORS_MAX) {
		log_info("smtp %08llx: %s: too many errors", SMTP_ID(s),
		    s->base.peer_text);
		smtp_session_quit(s, "421 4.7.0 too many errors, closing");
	}
}

/* --- transactions ------------------------------------------------------- */

static struct smtp_tx *
smtp_tx_new(struct smtp_session *s)
{
	struct smtp_tx	*tx = xcalloc(1, sizeof(*tx));

	tx->session_id = s->base.id;
	tx->gw = s->base.gw;
	return tx;
}

/* Drop the message bytes (and their share of the budget). */
static void
smtp_tx_drop_message(struct smtp_tx *tx)
{
	free(tx->msg);
	tx->msg = NULL;
	tx->msg_len = tx->msg_cap = 0;
	budget_give(tx->budget);
	tx->budget = 0;
}

static void
smtp_tx_free(struct smtp_tx *tx)
{
	size_t	i;

	if (tx == NULL)
		return;
	free(tx->mail_from);
	for (i = 0; i < tx->n_rcpts; i++)
		free(tx->rcpts[i]);
	free(tx->rcpts);
	smtp_tx_drop_message(tx);
	free(tx->helo);
	mail_result_free(&tx->result);
	free(tx);
}

/* Forget the session's transaction (RSET, EHLO, STARTTLS). */
static void
smtp_session_end_tx(struct smtp_session *s)
{
	smtp_tx_free(s->tx);
	s->tx = NULL;
}

/*
 * Append decoded message bytes, dropping them once over the size limit or
 * when the memory budget refuses the room they need.
 */
static void
smtp_tx_append(struct smtp_tx *tx, const char *p, size_t n, size_t max)
{
	size_t	cap;

	if (tx->too_big || tx->over_budget || n == 0)
		return;
	if (tx->msg_len + n > max) {
		tx->too_big = 1;
		smtp_tx_drop_message(tx);
		return;
	}
	if (tx->msg_len + n > tx->msg_cap) {
		cap = tx->msg_cap ? tx->msg_cap : 8192;
		while (cap < tx->msg_len + n)
			cap *= 2;
		if (cap > max)
			cap = max;
		if (budget_take(cap - tx->msg_cap, 0) == -1) {
			tx->over_budget = 1;
			smtp_tx_drop_message(tx);
			return;
		}
		tx->budget += cap - tx->msg_cap;
		tx->msg = xrealloc(tx->msg, cap);
		tx->msg_cap = cap;
	}
	memcpy(tx->msg + tx->msg_len, p, n);
	tx->msg_len += n;
}

/* --- end of data: parse on a worker, commit in the store --------------- */

/* The transaction's session is back in charge: ready for the next MAIL. */
static void
smtp_session_tx_over(struct smtp_session *s)
{
	s->base.pending--;
	smtp_enter_state(s, SMTP_STATE_HELO);
	if (s->base.gw->draining)
		smtp_session_quit(s, "421 4.3.2 shutting down");
	else
		smtp_session_process_input(&s->base);
}

static void
smtp_store_done(struct store_job *job, void *arg)
{
	struct smtp_tx		*tx = arg;
	struct session		*base = session_find(tx->session_id);
	struct smtp_session	*s;
	size_t			 n = job->n_reports;

	if (base == NULL) {
		store_job_free(job);
		smtp_tx_free(tx);
		return;
	}
	s = smtp_session_of(base);
	if (job->rc == STORE_OK) {
		receipt_committed(s->base.gw, job);
		if (n > 1)
			smtp_reply(s, "250 2.0.0 %s accepted (%zu reports,"
			    " last %s)", job->results[0].report_id, n,
			    job->results[n - 1].report_id);
		else
			smtp_reply(s, "250 2.0.0 %s accepted",
			    job->results[0].report_id);
		log_info("smtp %08llx: %s: message of %zu bytes stored as %s"
		    " (%zu reports, %s%s)", SMTP_ID(s), s->base.peer_text,
		    job->rawlen, job->results[0].report_id, n,
		    mail_format_name(tx->result.format),
		    tx->result.auto_generated ? ", automatic" : "");
	} else
		smtp_reply(s, "451 4.3.0 temporary failure, message not"
		    " stored; try again later");
	store_job_free(job);
	smtp_tx_free(tx);
	smtp_session_tx_over(s);
}

/* Worker thread: the message is parsed here, never on the loop. */
static void
smtp_parse_work(void *arg)
{
	struct smtp_tx		*tx = arg;
	struct gateway		*gw = tx->gw;
	struct mail_envelope	 env;
	struct mail_context	 ctx;
	char			 err[256];

	memset(&env, 0, sizeof(env));
	env.mail_from = tx->mail_from;
	env.rcpts = (const char *const *)tx->rcpts;
	env.n_rcpts = tx->n_rcpts;
	env.helo = tx->helo;
	env.peer = tx->peer_text;
	env.tls = tx->tls_info[0] != '\0' ? tx->tls_info : NULL;
	env.hostname = gw->cfg->smtp_hostname;
	memset(&ctx, 0, sizeof(ctx));
	ctx.tax = &gw->tax;
	ctx.lim = &gw->limits;
	ctx.extractor = gw->extractor;
	ctx.classifier = gw->classifier;
	ctx.auto_rules = gw->auto_rules;
	ctx.trusted_upstreams = (const char *const *)
	    gw->cfg->smtp_trusted_upstreams;
	ctx.n_trusted_upstreams = gw->cfg->smtp_n_trusted_upstreams;
	ctx.max_reports = gw->cfg->smtp_max_reports;
	if (mail_to_reports(&ctx, &env, tx->msg, tx->msg_len, &tx->result,
	    err, sizeof(err)) == -1)
		tx->parse_failed = 1;
}

/*
 * Whether the message gets a receipt, and where: never automatic mail
 * (auto-replies, bounces, lists, our own loop header: a mail loop or
 * backscatter otherwise); the Reply-To or From address; with receipts_to
 * = authenticated, only a sender a trusted upstream authenticated.
 */
static void
smtp_receipt_plan(struct smtp_session *s, struct smtp_tx *tx,
    struct store_job *job)
{
	const struct config	*cfg = s->base.gw->cfg;
	char			 token[RECEIPT_STATUS_TOKEN];

	if (tx->result.auto_generated)
		receipt_refuse(METRICS_RECEIPT_AUTO);
	else if (!mailout_addr_valid(tx->result.reply_addr))
		receipt_refuse(METRICS_RECEIPT_NO_ADDRESS);
	else if (cfg->outbound_receipts_to == CONFIG_RECEIPTS_AUTHENTICATED &&
	    !tx->result.sender_authenticated)
		receipt_refuse(METRICS_RECEIPT_UNAUTHENTICATED);
	else if (receipt_status_token(job, token) == 0)
		receipt_attach(s->base.gw, job, tx->result.reply_addr,
		    tx->result.message_id[0] ? tx->result.message_id : NULL,
		    token, "vi");
}

/* Back on the loop: hand the raw message and its reports to the store. */
static void
smtp_parse_done(void *arg)
{
	struct smtp_tx		*tx = arg;
	struct session		*base = session_find(tx->session_id);
	struct smtp_session	*s;
	struct store_job	*job;

	if (base == NULL) {
		smtp_tx_free(tx);
		return;
	}
	s = smtp_session_of(base);
	if (tx->parse_failed) {
		smtp_reply(s, "451 4.3.0 temporary failure, message not"
		    " stored; try again later");
		smtp_tx_free(tx);
		smtp_session_tx_over(s);
		return;
	}
	job = store_job_new();
	job->verified = 0;
	job->peer = xstrdup(s->base.peer_text);
	job->raw = (unsigned char *)tx->msg;	/* tx keeps its budget */
	job->rawlen = tx->msg_len;
	tx->msg = NULL;
	job->meta_json = tx->result.meta_json;
	tx->result.meta_json = NULL;
	job->reports = tx->result.reports;
	job->n_reports = tx->result.n_reports;
	tx->result.reports = NULL;
	tx->result.n_reports = 0;
	smtp_receipt_plan(s, tx, job);
	if (intake_submit(s->base.gw, job, INTAKE_SMTP, smtp_store_done,
	    tx) == -1) {
		smtp_reply(s, "451 4.3.0 server busy, message not stored;"
		    " try again later");
		smtp_tx_free(tx);
		smtp_session_tx_over(s);
	}
}

/* CRLF.CRLF seen: check the bounds, then parse and commit. */
static void
smtp_session_end_data(struct smtp_session *s)
{
	struct smtp_tx	*tx = s->tx;

	s->tx = NULL;
	if (tx->too_big) {
		metrics_rejected(METRICS_TOO_LARGE);
		smtp_error(s, "552 5.3.4 message exceeds the size limit of"
		    " %lld bytes", s->base.gw->cfg->smtp_max_message);
	} else if (tx->over_budget) {
		metrics_rejected(METRICS_BUSY);
		smtp_reply(s, "451 4.3.2 server busy, message not stored;"
		    " try again later");
	} else if (tx->data.header_bytes > SMTP_HEADER_BYTES_MAX ||
	    tx->data.header_lines > SMTP_HEADERS_MAX) {
		smtp_error(s, "552 5.3.4 message header too large");
	} else if (tx->msg_len == 0) {
		smtp_error(s, "554 5.6.0 empty message");
	} else {
		smtp_enter_state(s, SMTP_STATE_COMMIT);
		tx->helo = s->helo ? xstrdup(s->helo) : NULL;
		memcpy(tx->peer_text, s->base.peer_text,
		    sizeof(tx->peer_text));
		memcpy(tx->tls_info, s->base.tls ? s->base.tls_info : "",
		    s->base.tls ? sizeof(tx->tls_info) : 1);
		s->base.pending++;	/* the worker and store own tx now */
		worker_run(s->base.gw->workers, smtp_parse_work,
		    smtp_parse_done, tx);
		return;
	}
	smtp_tx_free(tx);
	smtp_enter_state(s, SMTP_STATE_HELO);
}

/* Feed what has arrived to the DATA decoder. 1 = end of data reached. */
static int
smtp_session_read_data(struct smtp_session *s, struct evbuffer *in)
{
	struct evbuffer_iovec	 vec[8];
	struct smtp_tx		*tx = s->tx;
	char			 out[4096 + 2];
	size_t			 used, produced, chunk, off, consumed = 0;
	int			 i, n, done = 0;

	n = evbuffer_peek(in, -1, NULL, vec, 8);
	for (i = 0; i < n && i < 8 && !done; i++) {
		for (off = 0; off < vec[i].iov_len && !done; off += used) {
			chunk = vec[i].iov_len - off;
			if (chunk > 4096)
				chunk = 4096;
			used = smtp_data_feed(&tx->data,
			    (const char *)vec[i].iov_base + off, chunk, out,
			    &produced);
			smtp_tx_append(tx, out, produced,
			    s->base.gw->cfg->smtp_max_message);
			consumed += used;
			done = tx->data.state == SMTP_DATA_DONE;
		}
	}
	evbuffer_drain(in, consumed);
	return done;
}

/* --- commands ----------------------------------------------------------- */

static int
smtp_is_mailbox(struct smtp_session *s, const char *addr)
{
	const struct config	*cfg = s->base.gw->cfg;
	size_t			 i;

	for (i = 0; i < cfg->smtp_n_mailboxes; i++)
		if (strcasecmp(cfg->smtp_mailboxes[i], addr) == 0)
			return 1;
	return 0;
}

static void
smtp_cmd_helo(struct smtp_session *s, const struct smtp_command *cmd)
{
	const char	*host = s->base.gw->cfg->smtp_hostname;

	if (cmd->arglen == 0) {
		smtp_error(s, "501 5.5.4 syntax: %s hostname",
		    cmd->verb == SMTP_CMD_EHLO ? "EHLO" : "HELO");
		return;
	}
	free(s->helo);
	s->helo = xstrndup(cmd->arg, cmd->arglen);
	smtp_session_end_tx(s);
	s->esmtp = cmd->verb == SMTP_CMD_EHLO;
	smtp_enter_state(s, SMTP_STATE_HELO);
	if (!s->esmtp) {
		smtp_reply(s, "250 %s", host);
		return;
	}
	smtp_reply(s, "250-%s greets %s", host, s->base.peer_text);
	smtp_reply(s, "250-PIPELINING");
	smtp_reply(s, "250-SIZE %lld", s->base.gw->cfg->smtp_max_message);
	smtp_reply(s, "250-8BITMIME");
	smtp_reply(s, "250-SMTPUTF8");
	if (!s->base.tls && s->base.gw->tls != NULL)
		smtp_reply(s, "250-STARTTLS");
	smtp_reply(s, "250 ENHANCEDSTATUSCODES");
}

static void
smtp_cmd_mail(struct smtp_session *s, const struct smtp_command *cmd)
{
	struct smtp_path	 path;
	const char		*why;
	int			 code;

	if (s->state == SMTP_STATE_CONNECTED) {
		smtp_error(s, "503 5.5.1 say EHLO first");
		return;
	}
	if (s->state != SMTP_STATE_HELO) {
		smtp_error(s, "503 5.5.1 nested MAIL command");
		return;
	}
	if (budget_exhausted()) {
		metrics_rejected(METRICS_BUSY);
		smtp_reply(s, "451 4.3.2 server busy, try again later");
		return;
	}
	if (smtp_parse_path(cmd->arg, cmd->arglen, 1, &path, &code,
	    &why) == -1) {
		smtp_error(s, "%d 5.5.%d %s", code, code == 553 ? 2 : 4, why);
		return;
	}
	if (path.size > s->base.gw->cfg->smtp_max_message) {
		smtp_error(s, "552 5.3.4 message size exceeds the limit of"
		    " %lld bytes", s->base.gw->cfg->smtp_max_message);
		return;
	}
	s->tx = smtp_tx_new(s);
	s->tx->mail_from = xstrdup(path.addr);
	s->tx->smtputf8 = path.smtputf8;
	smtp_enter_state(s, SMTP_STATE_MAIL);
	smtp_reply(s, "250 2.1.0 sender ok");
}

static void
smtp_cmd_rcpt(struct smtp_session *s, const struct smtp_command *cmd)
{
	struct smtp_path	 path;
	struct smtp_tx		*tx = s->tx;
	const char		*why;
	int			 code;

	if (s->state != SMTP_STATE_MAIL && s->state != SMTP_STATE_RCPT) {
		smtp_error(s, "503 5.5.1 need MAIL before RCPT");
		return;
	}
	if (smtp_parse_path(cmd->arg, cmd->arglen, 0, &path, &code,
	    &why) == -1) {
		tx->rcpt_refused++;
		smtp_error(s, "%d 5.5.%d %s", code, code == 553 ? 2 : 4, why);
		return;
	}
	if ((long long)tx->n_rcpts >= s->base.gw->cfg->smtp_max_recipients) {
		smtp_reply(s, "452 4.5.3 too many recipients");
		return;
	}
	if (!smtp_is_mailbox(s, path.addr)) {
		tx->rcpt_refused++;
		smtp_error(s, "550 5.1.1 <%s>: no such mailbox here, and"
		    " this server relays nothing", path.addr);
		return;
	}
	tx->rcpts = xrealloc(tx->rcpts, (tx->n_rcpts + 1) *
	    sizeof(*tx->rcpts));
	tx->rcpts[tx->n_rcpts++] = xstrdup(path.addr);
	smtp_enter_state(s, SMTP_STATE_RCPT);
	smtp_reply(s, "250 2.1.5 recipient ok");
}

static void
smtp_cmd_data(struct smtp_session *s, const struct smtp_command *cmd)
{
	if (cmd->arglen != 0) {
		smtp_error(s, "501 5.5.4 syntax: DATA");
		return;
	}
	if (s->state == SMTP_STATE_MAIL && s->tx->rcpt_refused > 0) {
		/* RFC 2920: every RCPT of the pipeline was refused */
		smtp_error(s, "554 5.5.1 no valid recipients");
		return;
	}
	if (s->state != SMTP_STATE_RCPT) {
		smtp_error(s, "503 5.5.1 need RCPT before DATA");
		return;
	}
	smtp_data_init(&s->tx->data);
	smtp_enter_state(s, SMTP_STATE_DATA);
	smtp_reply(s, "354 end data with <CR><LF>.<CR><LF>");
}

static void
smtp_cmd_rset(struct smtp_session *s, const struct smtp_command *cmd)
{
	smtp_session_end_tx(s);
	if (s->state != SMTP_STATE_CONNECTED)
		smtp_enter_state(s, SMTP_STATE_HELO);
	smtp_reply(s, "250 2.0.0 reset");
}

static void
smtp_cmd_starttls(struct smtp_session *s, const struct smtp_command *cmd)
{
	if (s->base.tls || s->base.gw->tls == NULL) {
		smtp_error(s, "503 5.5.1 TLS already active or unavailable");
		return;
	}
	if (cmd->arglen != 0) {
		smtp_error(s, "501 5.5.4 syntax: STARTTLS");
		return;
	}
	if (s->state == SMTP_STATE_CONNECTED) {
		smtp_error(s, "503 5.5.1 say EHLO first");
		return;
	}
	if (!session_tls_permitted(&s->base)) {
		smtp_error(s, "454 4.7.0 too many TLS handshakes from your"
		    " address; try again later");
		return;
	}
	smtp_reply(s, "220 2.0.0 ready to start TLS");
	if (session_start_tls(&s->base) == -1) {
		smtp_session_quit(s, "454 4.7.0 TLS not available");
		return;
	}
	smtp_session_end_tx(s);
	free(s->helo);
	s->helo = NULL;
	smtp_enter_state(s, SMTP_STATE_TLS);
}

static void
smtp_cmd_simple(struct smtp_session *s, const struct smtp_command *cmd)
{
	switch (cmd->verb) {
	case SMTP_CMD_NOOP:
		smtp_reply(s, "250 2.0.0 ok");
		break;
	case SMTP_CMD_VRFY:
		smtp_reply(s, "252 2.5.2 cannot verify, but send the message");
		break;
	case SMTP_CMD_HELP:
		smtp_reply(s, "214 2.0.0 this is the incident mailbox of %s;"
		    " send reports to %s", s->base.gw->cfg->smtp_hostname,
		    s->base.gw->cfg->smtp_n_mailboxes ?
		    s->base.gw->cfg->smtp_mailboxes[0] : "the published address");
		break;
	case SMTP_CMD_QUIT:
		smtp_session_quit(s, "221 2.0.0 bye");
		break;
	case SMTP_CMD_EXPN:
	case SMTP_CMD_AUTH:
	case SMTP_CMD_BDAT:
		smtp_error(s, "502 5.5.1 command not implemented");
		break;
	default:
		smtp_error(s, "500 5.5.2 command unrecognized");
		break;
	}
}

static const struct {
	enum smtp_verb	 verb;
	void		(*proceed)(struct smtp_session *,
			    const struct smtp_command *);
} smtp_commands[] = {
	{ SMTP_CMD_HELO, smtp_cmd_helo },
	{ SMTP_CMD_EHLO, smtp_cmd_helo },
	{ SMTP_CMD_MAIL, smtp_cmd_mail },
	{ SMTP_CMD_RCPT, smtp_cmd_rcpt },
	{ SMTP_CMD_DATA, smtp_cmd_data },
	{ SMTP_CMD_RSET, smtp_cmd_rset },
	{ SMTP_CMD_STARTTLS, smtp_cmd_starttls },
};

static void
smtp_session_execute(struct smtp_session *s, const char *line, size_t len)
{
	struct smtp_command	 cmd;
	const char		*why;
	size_t			 i;

	if (smtp_parse_command(line, len, &cmd, &why) == -1) {
		smtp_error(s, "500 5.5.2 %s", why);
		return;
	}
	for (i = 0; i < sizeof(smtp_commands) / sizeof(smtp_commands[0]); i++)
		if (smtp_commands[i].verb == cmd.verb) {
			smtp_commands[i].proceed(s, &cmd);
			return;
		}
	smtp_cmd_simple(s, &cmd);
}

/* --- input -------------------------------------------------------------- */

/*
 * 1 = a command line in smtp_line, 0 = need more, -1 = line refused or
 * skipped. An over-long line is answered once and skipped up to its end.
 */
static int
smtp_session_next_line(struct smtp_session *s, struct evbuffer *in,
    size_t *lenp)
{
	struct evbuffer_ptr	eol;
	size_t			eol_len, len;

	eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_CRLF);
	if (eol.pos == -1) {
		if (evbuffer_get_length(in) > SMTP_LINE_MAX) {
			evbuffer_drain(in, evbuffer_get_length(in));
			if (!s->skipping)
				smtp_error(s, "500 5.5.2 line too long");
			s->skipping = 1;
			return -1;
		}
		return 0;
	}
	len = eol.pos;
	if (s->skipping || len > SMTP_LINE_MAX - 2) {
		evbuffer_drain(in, len + eol_len);
		if (!s->skipping)
			smtp_error(s, "500 5.5.2 line too long");
		s->skipping = 0;
		return -1;
	}
	evbuffer_remove(in, smtp_line, len + eol_len);
	smtp_line[len] = '\0';
	*lenp = len;
	return 1;
}

/*
 * Commands are read in the states before COMMIT, while the client reads
 * its replies; message data is read whatever the output holds (a message
 * produces no reply until its end).
 */
static int
smtp_session_reading(struct smtp_session *s)
{
	if (s->base.closing || s->state > SMTP_STATE_DATA)
		return 0;
	return s->state == SMTP_STATE_DATA || !session_output_full(&s->base);
}

static void
smtp_session_process_input(struct session *base)
{
	struct smtp_session	*s = smtp_session_of(base);
	struct evbuffer		*in = bufferevent_get_input(base->bev);
	size_t			 len;
	int			 rc;

	while (smtp_session_reading(s) && evbuffer_get_length(in) > 0) {
		if (s->state == SMTP_STATE_DATA) {
			if (smtp_session_read_data(s, in))
				smtp_session_end_data(s);
			continue;
		}
		rc = smtp_session_next_line(s, in, &len);
		if (rc == 0)
			break;
		if (rc == 1)
			smtp_session_execute(s, smtp_line, len);
	}
	if (s->state != SMTP_STATE_TLS)
		session_want_input(base, smtp_session_reading(s));
}

static void
smtp_session_timeout(struct session *base, enum session_timer which)
{
	struct smtp_session	*s = smtp_session_of(base);

	if (which == SESSION_TIMER_LIFETIME)
		smtp_session_quit(s, "421 4.4.2 session time limit reached,"
		    " closing");
	else
		smtp_session_quit(s, "421 4.4.2 idle timeout, closing");
}

/* RFC 3207 4.2: after STARTTLS, back to the initial state, EHLO again. */
static void
smtp_session_tls_up(struct session *base)
{
	struct smtp_session	*s = smtp_session_of(base);

	if (s->state == SMTP_STATE_TLS) {
		smtp_enter_state(s, SMTP_STATE_CONNECTED);
		smtp_session_process_input(base);
	}
}

static void
smtp_session_drain(struct session *base)
{
	struct smtp_session	*s = smtp_session_of(base);

	/* a message in flight is answered by its completion */
	if (s->state != SMTP_STATE_COMMIT)
		smtp_session_quit(s, "421 4.3.2 shutting down");
}

static void
smtp_session_free(struct session *base)
{
	struct smtp_session	*s = smtp_session_of(base);

	smtp_tx_free(s->tx);	/* one in flight belongs to its job */
	free(s->helo);
	free(s);
}

static const struct session_ops smtp_session_ops = {
	.name = "smtp",
	.process = smtp_session_process_input,
	.timeout = smtp_session_timeout,
	.tls_up = smtp_session_tls_up,
	.drain = smtp_session_drain,
	.free = smtp_session_free,
};

void
smtp_session_accept(struct gateway *gw, struct listener *l,
    struct bufferevent *bev, const struct sockaddr *peer, socklen_t peerlen)
{
	struct smtp_session	*s = xcalloc(1, sizeof(*s));

	session_init(&s->base, &smtp_session_ops, gw, l, bev, peer, peerlen,
	    gw->cfg->smtp_idle_timeout, gw->cfg->smtp_session_timeout);
	smtp_reply(s, "220 %s ESMTP intaked", gw->cfg->smtp_hostname);
}
