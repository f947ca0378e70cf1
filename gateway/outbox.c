/*
 * outbox.c - the outbox's SQL and its sender thread (see outbox.h).
 *
 * The sender thread owns a reader connection (store_read.h) and the libesmtp
 * sessions; it never touches the loop's objects. It writes nothing
 * itself: each delivery result is a change handed to the store's writer
 * (one per accepted message, queued as soon as the relay's 250 arrives,
 * so that the window in which a crash repeats a message is one commit;
 * one for the rest of a batch), and the thread waits for those changes to
 * commit before it looks for due mail again, so it never sends a message
 * twice because its result was still on the way.
 *
 * Limits: OUTBOX_BATCH messages per SMTP session; every SMTP step times
 * out (timeout_ms); a message larger than OUTBOX_MESSAGE_MAX is failed
 * rather than sent; results wait at most OUTBOX_RESULT_WAIT seconds.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>
#include <openssl/ssl.h>		/* before libesmtp.h: its TLS calls */
#include <auth-client.h>
#include <libesmtp.h>
#include <sqlite3.h>

#include "config.h"
#include "log.h"
#include "mailout.h"
#include "page.h"
#include "outbox.h"
#include "store.h"
#include "store_read.h"
#include "util.h"

#define OUTBOX_BATCH		200
#define OUTBOX_MESSAGE_MAX	(16u << 20)
#define OUTBOX_RESULT_WAIT	30
#define OUTBOX_RETRY_MAX	3600	/* the longest delay between tries */
#define OUTBOX_IDLE_WAIT	60	/* look again at least this often */
#define OUTBOX_REFUSED_WARN	600	/* warn after this long without success */
#define OUTBOX_REPLY_MAX	256

struct outbox;
static void	outbox_nodelay(struct outbox *);

enum outbox_state {
	OUTBOX_QUEUED,		/* deferred: try again later */
	OUTBOX_SENT,
	OUTBOX_FAILED
};

static const char *const outbox_state_names[] = { "queued", "sent", "failed" };

/* One message of a batch, as read and then as delivered. */
struct outbox_msg {
	long long	 id;
	char		*rcpt;
	char		*message;	/* NUL-terminated; NULL: not composed */
	char		 why[OUTBOX_REPLY_MAX];	/* when it cannot be */
	long long	 attempts;
	long long	 created_at;
	smtp_message_t	 smtp;
	int		 reported;	/* its result is on its way */
};

/* A delivery result, written by outbox_results_write. */
struct outbox_result {
	long long		 id;
	enum outbox_state	 state;
	long long		 next_attempt;
	int			 code;		/* SMTP reply, 0: none */
	char			 reply[OUTBOX_REPLY_MAX];
};

/* The argument of one result change. */
struct outbox_results {
	struct outbox		*ob;
	struct outbox_result	*r;
	size_t			 n;
};

struct outbox {
	struct store	*store;
	char		*db_path;
	char		*smarthost;
	int		 port;		/* the smarthost's */
	char		*helo;
	char		*from;
	char		*user;
	char		*password;
	int		 starttls;
	long long	 max_age;
	long long	 retry_first;
	long		 timeout_ms;
	outbox_compose_fn compose;
	void		*compose_arg;
	SSL_CTX		*tls;

	struct store_read *rd;		/* the sender thread's connection */
	sqlite3		*db;		/* rd's */
	pthread_t	 thread;
	int		 running;

	pthread_mutex_t	 mtx;
	pthread_cond_t	 cond;
	int		 stopping;
	int		 woken;
	size_t		 inflight;	/* result changes not yet committed */
	struct outbox_stats stats;

	/* sender thread only */
	time_t		 last_success;
	time_t		 failing_since;	/* 0 while the relay takes mail */
	time_t		 last_warning;
	time_t		 relay_retry_at; /* after a relay that did not answer */
};

/* --- in a change: queueing --------------------------------------------- */

static const char outbox_add_sql[] =
    "INSERT INTO outbox (created_at, kind, evidence_id, incident_id, rcpt,"
    " subject, message, next_attempt, in_reply_to, lang, verify_token,"
    " status_token) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?1, ?8, ?9, ?10,"
    " ?11)";

int
outbox_add(struct store_tx *tx, const struct outbox_item *it)
{
	sqlite3_stmt	*s = store_tx_stmt(tx, outbox_add_sql);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (long long)store_tx_now(tx));
	sqlite3_bind_text(s, 2, it->kind, -1, SQLITE_STATIC);
	if (it->evidence_id > 0)
		sqlite3_bind_int64(s, 3, it->evidence_id);
	if (it->incident_id > 0)
		sqlite3_bind_int64(s, 4, it->incident_id);
	sqlite3_bind_text(s, 5, it->rcpt, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, it->subject, -1, SQLITE_STATIC);
	if (it->message != NULL)
		sqlite3_bind_blob64(s, 7, it->message, it->len, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, it->in_reply_to, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, it->lang, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, it->verify_token, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, it->status_token, -1, SQLITE_STATIC);
	return store_tx_exec(tx, s);
}

static const char outbox_recent_sql[] =
    "SELECT count(*) FROM outbox WHERE kind = 'receipt' AND rcpt = ?1"
    " AND created_at > ?2";

int
outbox_receipts_recent(struct store_tx *tx, const char *rcpt, long long *n)
{
	sqlite3_stmt	*s = store_tx_stmt(tx, outbox_recent_sql);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, rcpt, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (long long)store_tx_now(tx) - 3600);
	if (sqlite3_step(s) != SQLITE_ROW)
		return -1;
	*n = sqlite3_column_int64(s, 0);
	return 0;
}

int
outbox_mail_init(struct mailout *m, const struct config *cfg,
    const char *rcpt, const char *about, char *msgid)
{
	unsigned char	rnd[8];
	char		nonce[17];

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -1;
	hex_encode(rnd, sizeof(rnd), nonce);
	snprintf(msgid, MAILOUT_MSGID_MAX + 1, "%s.%s@%s", about, nonce,
	    cfg->smtp_hostname);
	memset(m, 0, sizeof(*m));
	m->from = cfg->outbound_from;
	m->from_name = cfg->contact_organization;
	m->to = rcpt;
	m->message_id = msgid;
	m->loop = cfg->smtp_hostname;
	m->date = time(NULL);
	return 0;
}

/* --- results, written by the writer ------------------------------------- */

static const char outbox_mark_sql[] =
    "UPDATE outbox SET state = ?2, attempts = attempts + 1,"
    " last_attempt = ?3, last_reply = ?4, next_attempt = ?5,"
    " done_at = CASE WHEN ?2 = 'queued' THEN NULL ELSE ?3 END,"
    " message = CASE WHEN ?2 = 'sent' THEN NULL ELSE message END,"
    " verify_token = CASE WHEN ?2 = 'queued' THEN verify_token END,"
    " status_token = CASE WHEN ?2 = 'queued' THEN status_token END"
    " WHERE id = ?1 AND state = 'queued'";
static const char outbox_attempt_sql[] =
    "INSERT INTO outbox_attempts (outbox_id, at, code, reply)"
    " VALUES (?1, ?2, ?3, ?4)";

static int
outbox_results_write(struct store_tx *tx, struct store_job *job, void *arg)
{
	struct outbox_results	*rs = arg;
	sqlite3_stmt		*s;
	size_t			 i;
	long long		 now = (long long)store_tx_now(tx);

	for (i = 0; i < rs->n; i++) {
		const struct outbox_result *r = &rs->r[i];

		if ((s = store_tx_stmt(tx, outbox_mark_sql)) == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, r->id);
		sqlite3_bind_text(s, 2, outbox_state_names[r->state], -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, now);
		sqlite3_bind_text(s, 4, r->reply, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, r->next_attempt);
		if (store_tx_exec(tx, s) == -1)
			return -1;
		if ((s = store_tx_stmt(tx, outbox_attempt_sql)) == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, r->id);
		sqlite3_bind_int64(s, 2, now);
		sqlite3_bind_int(s, 3, r->code);
		sqlite3_bind_text(s, 4, r->reply, -1, SQLITE_STATIC);
		if (store_tx_exec(tx, s) == -1)
			return -1;
	}
	return 0;
}

static void
outbox_results_free(void *arg)
{
	struct outbox_results	*rs = arg;

	free(rs->r);
	free(rs);
}

/* On the loop: the results are durable (or not); count them, wake the sender. */
static void
outbox_results_done(struct store_job *job, void *arg)
{
	struct outbox_results	*rs = job->change_arg;
	struct outbox		*ob = rs->ob;
	size_t			 i;

	if (job->rc != STORE_OK)
		log_warn("outbox: %zu delivery results not recorded (the "
		    "store cannot write): they will be tried again", rs->n);
	pthread_mutex_lock(&ob->mtx);
	for (i = 0; job->rc == STORE_OK && i < rs->n; i++) {
		if (rs->r[i].state == OUTBOX_SENT)
			ob->stats.sent++;
		else if (rs->r[i].state == OUTBOX_FAILED)
			ob->stats.failed++;
		else
			ob->stats.deferred++;
	}
	ob->inflight--;
	pthread_cond_broadcast(&ob->cond);
	pthread_mutex_unlock(&ob->mtx);
	store_job_free(job);
}

/*
 * Hand results to the writer (taking ownership of r). When the store
 * refuses them (full queue, stopping), they are dropped: the messages stay
 * queued and are tried again.
 */
static void
outbox_results_queue(struct outbox *ob, struct outbox_result *r, size_t n)
{
	struct outbox_results	*rs;
	struct store_job	*job;

	if (n == 0) {
		free(r);
		return;
	}
	rs = xcalloc(1, sizeof(*rs));
	rs->ob = ob;
	rs->r = r;
	rs->n = n;
	job = store_change_new(outbox_results_write, rs, outbox_results_free);
	job->done = outbox_results_done;
	pthread_mutex_lock(&ob->mtx);
	ob->inflight++;
	pthread_mutex_unlock(&ob->mtx);
	if (store_enqueue(ob->store, job) == -1) {
		log_warn("outbox: the store refused %zu delivery results; the "
		    "messages will be tried again", n);
		pthread_mutex_lock(&ob->mtx);
		ob->inflight--;
		pthread_mutex_unlock(&ob->mtx);
		store_job_free(job);
	}
}

/* --- the sender thread --------------------------------------------------- */

/*
 * The result of one attempt at m: sent on a 2xx, failed on a 5xx or past
 * max_age, otherwise queued again after a delay that doubles with each
 * attempt.
 */
static void
outbox_result_of(struct outbox *ob, const struct outbox_msg *m, int code,
    const char *text, struct outbox_result *r)
{
	time_t		now = time(NULL);
	long long	delay = ob->retry_first;
	long long	i;

	memset(r, 0, sizeof(*r));
	r->id = m->id;
	r->code = code;
	snprintf(r->reply, sizeof(r->reply), "%s", text ? text : "");
	r->reply[strcspn(r->reply, "\r\n")] = '\0';
	for (i = 0; i < m->attempts && delay < OUTBOX_RETRY_MAX; i++)
		delay *= 2;
	if (delay > OUTBOX_RETRY_MAX)
		delay = OUTBOX_RETRY_MAX;
	r->next_attempt = (long long)now + delay;
	if (code >= 200 && code < 300)
		r->state = OUTBOX_SENT;
	else if (code >= 500 && code < 600)
		r->state = OUTBOX_FAILED;
	else if ((long long)now + delay > m->created_at + ob->max_age) {
		r->state = OUTBOX_FAILED;
		snprintf(r->reply, sizeof(r->reply), "given up after %lld "
		    "attempts: %s", m->attempts + 1, text ? text : "");
		r->reply[strcspn(r->reply, "\r\n")] = '\0';
	} else
		r->state = OUTBOX_QUEUED;
	log_info("outbox: message %lld to %s, attempt %lld: %d %s (%s)",
	    m->id, m->rcpt, m->attempts + 1, code, r->reply,
	    outbox_state_names[r->state]);
}

/* The worse of the message's and its recipient's replies. */
static int
outbox_msg_code(smtp_message_t msg, const char **text)
{
	const smtp_status_t	*ms = smtp_message_transfer_status(msg);
	const smtp_status_t	*rp = smtp_reverse_path_status(msg);

	if (rp != NULL && rp->code >= 400) {
		*text = rp->text;
		return rp->code;
	}
	*text = ms != NULL ? ms->text : NULL;
	return ms != NULL ? ms->code : 0;
}

static void
outbox_rcpt_code(smtp_recipient_t rcpt, const char *mailbox, void *arg)
{
	const smtp_status_t	*st = smtp_recipient_status(rcpt);
	const smtp_status_t	**worst = arg;

	if (st != NULL && st->code >= 400 && (*worst == NULL ||
	    st->code > (*worst)->code))
		*worst = st;
}

/*
 * libesmtp's events: a message the relay accepted is reported at once;
 * a certificate that does not verify is refused (libesmtp asks).
 */
static void
outbox_event(smtp_session_t session, int event, void *arg, ...)
{
	struct outbox		*ob = arg;
	va_list			 ap;
	smtp_message_t		 msg;
	struct outbox_msg	*m;
	struct outbox_result	*r;
	const smtp_status_t	*worst = NULL;
	const char		*text;
	int			 code, *ok;

	va_start(ap, arg);
	switch (event) {
	case SMTP_EV_CONNECT:
		outbox_nodelay(ob);
		break;
	case SMTP_EV_MESSAGESENT:
		msg = va_arg(ap, smtp_message_t);
		m = smtp_message_get_application_data(msg);
		code = outbox_msg_code(msg, &text);
		smtp_enumerate_recipients(msg, outbox_rcpt_code, &worst);
		if (m != NULL && code >= 200 && code < 300 && worst == NULL) {
			r = xcalloc(1, sizeof(*r));
			outbox_result_of(ob, m, code, text, r);
			outbox_results_queue(ob, r, 1);
			m->reported = 1;
			ob->last_success = time(NULL);
			ob->failing_since = 0;
		}
		break;
	case SMTP_EV_INVALID_PEER_CERTIFICATE:
		(void)va_arg(ap, long);
		ok = va_arg(ap, int *);
		*ok = 0;
		break;
	case SMTP_EV_NO_PEER_CERTIFICATE:
	case SMTP_EV_WRONG_PEER_CERTIFICATE:
		ok = va_arg(ap, int *);
		*ok = 0;
		break;
	default:
		break;
	}
	va_end(ap);
}

/*
 * TCP_NODELAY on the connection libesmtp just opened to the smarthost.
 * libesmtp neither sets it nor hands out its socket, and without it each
 * message's last segment waits for the relay's delayed ACK: 40 ms a
 * message, 25 mails/s whatever the relay. So: every TCP socket of ours
 * whose peer port is the smarthost's gets it (harmless on any other such
 * socket: the listeners set it on every accepted one already). Once per
 * SMTP session, over /proc/self/fd (only the open descriptors).
 */
static void
outbox_nodelay(struct outbox *ob)
{
	DIR			*d;
	struct dirent		*e;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	struct stat		 st;
	char			*end;
	long			 lfd;
	int			 fd, one = 1, port;

	if (ob->port == 0 || (d = opendir("/proc/self/fd")) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		errno = 0;
		lfd = strtol(e->d_name, &end, 10);
		if (errno != 0 || *end != '\0' || lfd <= 2 || lfd > INT_MAX)
			continue;	/* ".", "..", or not ours to touch */
		fd = (int)lfd;
		if (fd == dirfd(d) ||
		    fstat(fd, &st) == -1 || !S_ISSOCK(st.st_mode))
			continue;
		len = sizeof(ss);
		if (getpeername(fd, (struct sockaddr *)&ss, &len) == -1)
			continue;
		if (ss.ss_family == AF_INET)
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		else
			continue;
		if (port == ob->port)
			(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof(one));
	}
	closedir(d);
}

/* AUTH: libesmtp asks for the user and the password. */
static int
outbox_auth_interact(auth_client_request_t req, char **result, int fields,
    void *arg)
{
	struct outbox	*ob = arg;
	int		 i;

	for (i = 0; i < fields; i++) {
		if (req[i].flags & AUTH_USER)
			result[i] = ob->user;
		else if (req[i].flags & AUTH_PASS)
			result[i] = ob->password;
		else
			return 0;
	}
	return 1;
}

static const char outbox_flush_sql[] =
    "UPDATE outbox SET next_attempt = ?1 WHERE state = 'queued'"
    " AND next_attempt > ?1";

static int
outbox_flush_write(struct store_tx *tx, struct store_job *job, void *arg)
{
	sqlite3_stmt	*s = store_tx_stmt(tx, outbox_flush_sql);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (long long)store_tx_now(tx));
	return store_tx_exec(tx, s);
}

static void
outbox_flush_done(struct store_job *job, void *arg)
{
	outbox_wake(arg);
	store_job_free(job);
}

/*
 * The relay takes mail again after refusing it: every message waiting for
 * its retry is due now, rather than hours later for the oldest.
 */
static void
outbox_flush(struct outbox *ob)
{
	struct store_job	*job;

	log_info("outbox: the smarthost %s takes mail again; sending every "
	    "message waiting", ob->smarthost);
	job = store_change_new(outbox_flush_write, NULL, NULL);
	job->done = outbox_flush_done;
	job->arg = ob;
	if (store_enqueue(ob->store, job) == -1)
		store_job_free(job);
}

/*
 * One SMTP session for the batch; a result for every message. Returns 0,
 * or -1 when the relay could not be reached at all (no reply to anything).
 */
static int
outbox_deliver(struct outbox *ob, struct outbox_msg *batch, size_t n)
{
	smtp_session_t		 s;
	auth_context_t		 auth = NULL;
	struct outbox_result	*rest;
	const smtp_status_t	*worst;
	const char		*text;
	char			 why[128];
	size_t			 i, k = 0, sent = 0;
	int			 ok, code, w, replied = 0, was_failing;
	static const int	 steps[] = { Timeout_GREETING,
	    Timeout_ENVELOPE, Timeout_DATA, Timeout_TRANSFER, Timeout_DATA2 };

	if ((s = smtp_create_session()) == NULL)
		return -1;
	smtp_set_server(s, ob->smarthost);
	smtp_set_hostname(s, ob->helo);
	for (w = 0; w < (int)(sizeof(steps) / sizeof(steps[0])); w++)
		smtp_set_timeout(s, steps[w] | Timeout_OVERRIDE_RFC2822_MINIMUM,
		    ob->timeout_ms);
	smtp_starttls_enable(s, ob->starttls ? Starttls_REQUIRED :
	    Starttls_DISABLED);
	if (ob->starttls && ob->tls != NULL)
		smtp_starttls_set_ctx(s, ob->tls);
	if (ob->user != NULL) {
		auth = auth_create_context();
		auth_set_mechanism_flags(auth, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(auth, outbox_auth_interact, ob);
		smtp_auth_set_context(s, auth);
	}
	smtp_set_eventcb(s, outbox_event, ob);
	rest = xcalloc(n, sizeof(*rest));
	for (i = 0; i < n; i++) {
		if (batch[i].message == NULL) {
			/* it cannot be written: kept as failed, with why */
			outbox_result_of(ob, &batch[i], 0, batch[i].why,
			    &rest[k]);
			rest[k++].state = OUTBOX_FAILED;
			batch[i].reported = 1;
			continue;
		}
		batch[i].smtp = smtp_add_message(s);
		smtp_set_reverse_path(batch[i].smtp, ob->from);
		smtp_add_recipient(batch[i].smtp, batch[i].rcpt);
		smtp_set_message_str(batch[i].smtp, batch[i].message);
		smtp_message_set_application_data_release(batch[i].smtp,
		    &batch[i], NULL);
	}
	was_failing = ob->failing_since != 0;
	ok = k == n || smtp_start_session(s);
	if (!ok)
		smtp_strerror(smtp_errno(), why, sizeof(why));
	for (i = 0; i < n; i++) {
		if (batch[i].reported) {
			sent += batch[i].smtp != NULL;
			continue;
		}
		code = outbox_msg_code(batch[i].smtp, &text);
		worst = NULL;
		smtp_enumerate_recipients(batch[i].smtp, outbox_rcpt_code,
		    &worst);
		/* a refused recipient is the reason, whatever DATA said */
		if (worst != NULL) {
			code = worst->code;
			text = worst->text;
		}
		replied |= code != 0;
		if (code == 0)
			text = ok ? "no reply from the relay" : why;
		if (code >= 200 && code < 300)
			code = 0;	/* not reported as sent: not sure */
		outbox_result_of(ob, &batch[i], code, text, &rest[k++]);
	}
	outbox_results_queue(ob, rest, k);
	if (sent == 0 && k > 0 && ob->failing_since == 0)
		ob->failing_since = time(NULL);
	if (was_failing && sent > 0)
		outbox_flush(ob);
	smtp_destroy_session(s);
	if (auth != NULL)
		auth_destroy_context(auth);
	return ok || replied || sent > 0 ? 0 : -1;
}

static const char outbox_due_sql[] =
    "SELECT id, rcpt, message, attempts, created_at, kind, evidence_id,"
    " incident_id, in_reply_to, lang, verify_token, status_token"
    " FROM outbox WHERE state = 'queued' AND next_attempt <= ?1"
    " ORDER BY next_attempt, id LIMIT ?2";

/* Column i of s as a string, NULL when NULL. */
static const char *
outbox_col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/*
 * The text of a message queued without one, from the composer; NULL with
 * m->why filled when it cannot be written.
 */
static char *
outbox_compose(struct outbox *ob, sqlite3_stmt *s, struct outbox_msg *m)
{
	struct outbox_row	 row;
	struct page_buf		 b;
	char			*text = NULL;

	if (ob->compose == NULL) {
		snprintf(m->why, sizeof(m->why), "nothing can compose it");
		return NULL;
	}
	memset(&row, 0, sizeof(row));
	row.id = m->id;
	row.kind = outbox_col(s, 5);
	row.evidence_id = sqlite3_column_int64(s, 6);
	row.incident_id = sqlite3_column_int64(s, 7);
	row.rcpt = m->rcpt;
	row.in_reply_to = outbox_col(s, 8);
	row.lang = outbox_col(s, 9);
	row.verify_token = outbox_col(s, 10);
	row.status_token = outbox_col(s, 11);
	page_buf_init(&b);
	if (ob->compose(ob->compose_arg, ob->rd, &row, &b, m->why,
	    sizeof(m->why)) == 0 && b.data != NULL) {
		text = b.data;		/* NUL-terminated (page.h) */
		b.data = NULL;
	}
	page_buf_free(&b);
	return text;
}

/* The due messages, at most OUTBOX_BATCH, into *out. The count, or -1. */
static void	outbox_batch_free(struct outbox_msg *, size_t);

static ssize_t
outbox_read_due(struct outbox *ob, struct outbox_msg **out)
{
	sqlite3_stmt		*s;
	struct outbox_msg	*b;
	size_t			 n = 0, len;
	const void		*msg;
	int			 rc;

	*out = NULL;
	if (sqlite3_prepare_v2(ob->db, outbox_due_sql, -1, &s, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, (long long)time(NULL));
	sqlite3_bind_int(s, 2, OUTBOX_BATCH);
	b = xcalloc(OUTBOX_BATCH, sizeof(*b));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		b[n].id = sqlite3_column_int64(s, 0);
		b[n].rcpt = xstrdup((const char *)sqlite3_column_text(s, 1));
		msg = sqlite3_column_blob(s, 2);
		len = (size_t)sqlite3_column_bytes(s, 2);
		if (msg != NULL) {
			b[n].message = xmalloc(len + 1);
			memcpy(b[n].message, msg, len);
			b[n].message[len] = '\0';
		} else
			b[n].message = outbox_compose(ob, s, &b[n]);
		b[n].attempts = sqlite3_column_int64(s, 3);
		b[n].created_at = sqlite3_column_int64(s, 4);
		n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		outbox_batch_free(b, n);
		return -1;
	}
	*out = b;
	return (ssize_t)n;
}

static void
outbox_batch_free(struct outbox_msg *b, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(b[i].rcpt);
		free(b[i].message);
	}
	free(b);
}

/* The queue's depth and oldest message, and when the next one is due. */
static long long
outbox_read_state(struct outbox *ob)
{
	sqlite3_stmt	*s;
	long long	 queued = -1, oldest = 0, next = 0;

	if (sqlite3_prepare_v2(ob->db, "SELECT count(*), min(created_at),"
	    " min(next_attempt) FROM outbox WHERE state = 'queued'", -1, &s,
	    NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW) {
		queued = sqlite3_column_int64(s, 0);
		oldest = sqlite3_column_int64(s, 1);
		next = sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	pthread_mutex_lock(&ob->mtx);
	ob->stats.queued = queued;
	ob->stats.oldest = oldest;
	pthread_mutex_unlock(&ob->mtx);
	return next;
}

/* Warn, every ten minutes, while the relay has taken nothing for that long. */
static void
outbox_check_refusals(struct outbox *ob, time_t now)
{
	if (ob->failing_since == 0 || now - ob->failing_since <
	    OUTBOX_REFUSED_WARN || now - ob->last_warning < OUTBOX_REFUSED_WARN)
		return;
	ob->last_warning = now;
	log_warn("outbox: the smarthost %s has taken no mail for %lld "
	    "minutes; mail waits in the outbox", ob->smarthost,
	    (long long)(now - ob->failing_since) / 60);
}

/*
 * Under mtx: sleep until woken, stopping, or `until' (0: OUTBOX_IDLE_WAIT
 * from now, and never longer); not at all when `until' has passed.
 */
static void
outbox_sleep(struct outbox *ob, time_t until)
{
	struct timespec	ts;
	time_t		now = time(NULL);

	if (until == 0 || until > now + OUTBOX_IDLE_WAIT)
		until = now + OUTBOX_IDLE_WAIT;
	if (until <= now)
		return;		/* due already: look again */
	ts.tv_sec = until;
	ts.tv_nsec = 0;
	while (!ob->woken && !ob->stopping && time(NULL) < until)
		if (pthread_cond_timedwait(&ob->cond, &ob->mtx, &ts) != 0)
			break;
	ob->woken = 0;
}

/* Under mtx: wait until every result handed to the writer is committed. */
static void
outbox_wait_results(struct outbox *ob)
{
	struct timespec	ts;

	ts.tv_sec = time(NULL) + OUTBOX_RESULT_WAIT;
	ts.tv_nsec = 0;
	while (ob->inflight > 0 && !ob->stopping)
		if (pthread_cond_timedwait(&ob->cond, &ob->mtx, &ts) != 0)
			break;
}

static void *
outbox_thread(void *arg)
{
	struct outbox		*ob = arg;
	struct outbox_msg	*batch = NULL;
	ssize_t			 n;
	long long		 next;
	time_t			 now;

	for (;;) {
		pthread_mutex_lock(&ob->mtx);
		outbox_wait_results(ob);
		if (ob->stopping) {
			pthread_mutex_unlock(&ob->mtx);
			break;
		}
		pthread_mutex_unlock(&ob->mtx);
		now = time(NULL);
		if (now < ob->relay_retry_at) {
			pthread_mutex_lock(&ob->mtx);
			outbox_sleep(ob, ob->relay_retry_at);
			pthread_mutex_unlock(&ob->mtx);
			continue;
		}
		next = outbox_read_state(ob);
		outbox_check_refusals(ob, now);
		n = ob->smarthost != NULL ? outbox_read_due(ob, &batch) : 0;
		if (n < 0)
			log_warn("outbox: cannot read the outbox: %s",
			    sqlite3_errmsg(ob->db));
		if (n > 0) {
			/* a relay that is down is not tried again at once */
			if (outbox_deliver(ob, batch, (size_t)n) == -1)
				ob->relay_retry_at = now + ob->retry_first;
			outbox_batch_free(batch, (size_t)n);
			continue;
		}
		free(batch);		/* none read, or NULL */
		batch = NULL;
		pthread_mutex_lock(&ob->mtx);
		outbox_sleep(ob, ob->smarthost != NULL ? (time_t)next : 0);
		pthread_mutex_unlock(&ob->mtx);
	}
	return NULL;
}

/* --- set-up -------------------------------------------------------------- */

/* The port of "host:port" (checked by the configuration), or 0. */
static int
outbox_port_of(const char *hostport)
{
	const char	*colon = strrchr(hostport, ':');
	char		*end;
	long		 port;

	if (colon == NULL)
		return 0;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || end == colon + 1 || *end != '\0' || port < 1 ||
	    port > 65535)
		return 0;
	return (int)port;
}

static char *
outbox_strdup(const char *s)
{
	return s != NULL && s[0] != '\0' ? xstrdup(s) : NULL;
}

struct outbox *
outbox_new(const struct outbox_options *opt, struct store *st, char *err,
    size_t errlen)
{
	struct outbox	*ob = xcalloc(1, sizeof(*ob));

	ob->store = st;
	ob->db_path = xstrdup(opt->db_path);
	ob->smarthost = outbox_strdup(opt->smarthost);
	if (ob->smarthost != NULL)
		ob->port = outbox_port_of(ob->smarthost);
	ob->helo = xstrdup(opt->helo ? opt->helo : "localhost");
	ob->from = xstrdup(opt->from ? opt->from : "");
	ob->user = outbox_strdup(opt->user);
	ob->password = outbox_strdup(opt->password);
	ob->starttls = opt->starttls;
	ob->max_age = opt->max_age > 0 ? opt->max_age : 5 * 86400;
	ob->retry_first = opt->retry_first > 0 ? opt->retry_first : 30;
	ob->timeout_ms = opt->timeout_ms > 0 ? opt->timeout_ms : 30000;
	ob->compose = opt->compose;
	ob->compose_arg = opt->compose_arg;
	ob->stats.queued = -1;
	pthread_mutex_init(&ob->mtx, NULL);
	pthread_cond_init(&ob->cond, NULL);
	if ((ob->rd = store_read_open(ob->db_path, err, errlen)) == NULL) {
		outbox_free(ob);
		return NULL;
	}
	ob->db = store_read_sqlite(ob->rd);
	if (ob->starttls) {
		/* the system's CAs (SSL_CERT_FILE / SSL_CERT_DIR honoured) */
		if ((ob->tls = SSL_CTX_new(TLS_client_method())) == NULL ||
		    SSL_CTX_set_default_verify_paths(ob->tls) != 1 ||
		    SSL_CTX_set_min_proto_version(ob->tls, TLS1_2_VERSION) !=
		    1) {
			snprintf(err, errlen, "outbox: cannot set up TLS");
			outbox_free(ob);
			return NULL;
		}
		SSL_CTX_set_verify(ob->tls, SSL_VERIFY_PEER, NULL);
	}
	if (ob->user != NULL)
		auth_client_init();
	return ob;
}

int
outbox_start(struct outbox *ob)
{
	if (pthread_create(&ob->thread, NULL, outbox_thread, ob) != 0)
		return -1;
	(void)pthread_setname_np(ob->thread, "outbox");
	ob->running = 1;
	return 0;
}

void
outbox_wake(struct outbox *ob)
{
	if (ob == NULL)
		return;
	pthread_mutex_lock(&ob->mtx);
	ob->woken = 1;
	pthread_cond_broadcast(&ob->cond);
	pthread_mutex_unlock(&ob->mtx);
}

void
outbox_stats(struct outbox *ob, struct outbox_stats *out)
{
	if (ob == NULL) {
		memset(out, 0, sizeof(*out));
		return;
	}
	pthread_mutex_lock(&ob->mtx);
	*out = ob->stats;
	pthread_mutex_unlock(&ob->mtx);
}

void
outbox_stop(struct outbox *ob)
{
	if (ob == NULL || !ob->running)
		return;
	pthread_mutex_lock(&ob->mtx);
	ob->stopping = 1;
	pthread_cond_broadcast(&ob->cond);
	pthread_mutex_unlock(&ob->mtx);
	pthread_join(ob->thread, NULL);
	ob->running = 0;
}

void
outbox_free(struct outbox *ob)
{
	if (ob == NULL)
		return;
	outbox_stop(ob);
	if (ob->user != NULL)
		auth_client_exit();
	store_read_close(ob->rd);
	SSL_CTX_free(ob->tls);
	free(ob->db_path);
	free(ob->smarthost);
	free(ob->helo);
	free(ob->from);
	free(ob->user);
	if (ob->password != NULL)
		OPENSSL_cleanse(ob->password, strlen(ob->password));
	free(ob->password);
	pthread_cond_destroy(&ob->cond);
	pthread_mutex_destroy(&ob->mtx);
	free(ob);
}
