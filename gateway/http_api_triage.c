/*
 * http_api_triage.c - the triage API (SPEC "API"): its reads, the queue
 * (GET /api/v1/incidents), one incident (GET /api/v1/incidents/<id>), a
 * report's evidence (GET /api/v1/reports/<id>/evidence), exports (GET
 * /api/v1/export) and statistics (GET /api/v1/stats); and its changes:
 * claim and release, status, PATCH, merge and split of an incident
 * (triage.h), each a store change whose answer is sent once it is durable
 * (or refused: 404, 409, 400). http_routes.c has checked the token and
 * the role before any of these runs.
 *
 * Every read runs on a reader thread (readers.h) and its answer is sent
 * from the loop. An evidence read is written to the audit trail (a store
 * change, durable) before the bytes are sent. An export is streamed: one
 * chunk is read at a time, and the next only once the client has read
 * most of the last (http_stream_*), so memory stays bounded whatever its
 * size; an export that fits in one chunk is an ordinary response.
 *
 * Query parameters are checked here, each bounded, and a bad one is a 400
 * naming it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "budget.h"
#include "config.h"
#include "export.h"
#include "gateway.h"
#include "http.h"
#include "lifecycle.h"
#include "log.h"
#include "outbox.h"
#include "readers.h"
#include "stats.h"
#include "store.h"
#include "store_queue.h"
#include "store_read.h"
#include "taxonomy.h"
#include "triage.h"
#include "tzif.h"
#include "util.h"

/* An export's chunk: what one reader task reads and one write sends. */
#define HTTP_EXPORT_CHUNK	(64 * 1024)

static const struct http_field http_retry[] = { { "Retry-After", "5" } };

/* Built once at start-up, read by every thread afterwards. */
static struct {
	struct tzif		 tz;		/* [stats] timezone */
	const char		*tzname;
	char			 origin_name[256];
	struct export_origin	 origin;
} http_triage;

/* --- set-up ---------------------------------------------------------------- */

/* The host of a URL: "https://ir.example.vn:8443/x" -> "ir.example.vn". */
static void
http_triage_host(const char *url, char *out, size_t len)
{
	const char	*p = url != NULL ? strstr(url, "://") : NULL;
	size_t		 n;

	p = p != NULL ? p + 3 : (url != NULL ? url : "localhost");
	if (*p == '[') {	/* an IPv6 literal keeps its brackets */
		n = strcspn(p, "]");
		n += p[n] == ']';
	} else
		n = strcspn(p, ":/?#");
	if (n == 0 || n >= len)
		snprintf(out, len, "localhost");
	else
		snprintf(out, len, "%.*s", (int)n, p);
}

int
http_api_triage_init(struct gateway *gw, char *err, size_t errlen)
{
	const struct config	*cfg = gw->cfg;

	if (stats_tz_load(cfg->stats_timezone, &http_triage.tz, err,
	    errlen) == -1)
		return -1;
	http_triage.tzname = cfg->stats_timezone;
	http_triage_host(cfg->http_public_url, http_triage.origin_name,
	    sizeof(http_triage.origin_name));
	http_triage.origin.name = http_triage.origin_name;
	http_triage.origin.organization = cfg->contact_organization;
	http_triage.origin.email = cfg->contact_n_emails > 0 ?
	    cfg->contact_emails[0] : NULL;
	return 0;
}

void
http_api_triage_free(void)
{
	tzif_free(&http_triage.tz);
}

/* --- helpers ---------------------------------------------------------------- */

/* A time as RFC 3339 UTC JSON, null for 0. */
static json_t *
http_triage_time_json(long long t)
{
	char	buf[32];

	if (t == 0)
		return json_null();
	format_time_utc((time_t)t, buf, sizeof(buf));
	return json_string(buf);
}

/* Answer a JSON value and free it. */
static void
http_triage_json(struct http_exchange *ex, int status, json_t *o)
{
	char	*s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	if (s == NULL) {
		http_reply_error(ex, 500, "out of memory", NULL);
		return;
	}
	http_reply(ex, status, "application/json", s, strlen(s), NULL, 0);
	free(s);
}

static void
http_triage_unavailable(struct http_exchange *ex)
{
	http_reply(ex, 503, "application/json",
	    "{\"error\":\"store unavailable, try again\"}\n", 41, http_retry,
	    1);
}

/*
 * Query parameter name into out (outlen bytes). 1 found, 0 absent, -1
 * malformed or too long (the 400 is sent).
 */
static int
http_triage_param(struct http_exchange *ex, const char *name, char *out,
    size_t outlen)
{
	const struct http_request *r = ex->req;
	int			 rc;

	if (r->query == NULL)
		return 0;
	rc = http_query_param(r->query, r->query_len, name, out, outlen, NULL);
	if (rc == -1)
		http_reply_error(ex, 400, "malformed or too long", name);
	return rc;
}

/* A time parameter: RFC 3339 or a date in the stats timezone. */
static int
http_triage_time(struct http_exchange *ex, const char *name, long long *t)
{
	char	v[64];
	int	rc;

	*t = 0;
	if ((rc = http_triage_param(ex, name, v, sizeof(v))) <= 0)
		return rc;
	if (tzif_parse_time(&http_triage.tz, v, t) == -1 || *t <= 0) {
		http_reply_error(ex, 400, "not a time (RFC 3339, or "
		    "YYYY-MM-DD)", name);
		return -1;
	}
	return 1;
}

/* --- the queue --------------------------------------------------------------- */

struct http_triage_list {
	struct http_ticket		 ticket;
	struct store_queue_query	 q;
	char				 statuses[STORE_QUEUE_LIST_MAX];
	char				 categories[STORE_QUEUE_LIST_MAX];
	char				 severities[STORE_QUEUE_LIST_MAX];
	char				 channels[STORE_QUEUE_LIST_MAX];
	char				 text[STORE_QUEUE_TEXT_MAX + 1];
	char				 id[STORE_ID_MAX];
	struct gateway			*gw;
	int				 rc;
	json_t				*out;
	char				 err[256];
};

static int
http_triage_status_ok(const char *s)
{
	return lifecycle_status_parse(s) >= 0;
}

static int
http_triage_severity_ok(const char *s)
{
	return severity_parse(s, strlen(s)) != SEV_UNSET;
}

/* The items of a normalised list (",a,b," -> 2). */
static size_t
http_triage_items(const char *list)
{
	size_t	n = 0;

	for (; *list != '\0'; list++)
		n += *list == ',';
	return n > 0 ? n - 1 : 0;
}

/* Words of the taxonomy's code syntax (unknown codes simply match none). */
static int
http_triage_category_ok(const char *s)
{
	return strlen(s) <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == strlen(s);
}

static int
http_triage_word_ok(const char *s)
{
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_.") ==
	    strlen(s);
}

/*
 * A comma list parameter into dst (normalised), *set to dst when given.
 * 0, or -1 (400 sent).
 */
static int
http_triage_list_param(struct http_exchange *ex, const char *name,
    int (*valid)(const char *), char *dst, size_t dstlen, const char **set)
{
	char	raw[STORE_QUEUE_LIST_MAX], bad[64], why[128];
	int	rc;

	if ((rc = http_triage_param(ex, name, raw, sizeof(raw))) <= 0)
		return rc;
	if (store_queue_list_norm(raw, valid, dst, dstlen, bad,
	    sizeof(bad)) == -1) {
		snprintf(why, sizeof(why), "invalid value \"%s\"", bad);
		http_reply_error(ex, 400, why, name);
		return -1;
	}
	*set = dst;
	return 0;
}

/* Every parameter of the queue into l->q. 0, or -1 (400 sent). */
static int
http_triage_list_query(struct http_exchange *ex, struct http_triage_list *l)
{
	struct store_queue_query	*q = &l->q;
	char				 v[STORE_QUEUE_CURSOR_MAX];
	const char			*why;
	long long			 n;
	int				 rc;

	q->limit = STORE_QUEUE_LIMIT_DEFAULT;
	q->verified = STORE_QUEUE_VERIFIED;
	if (http_triage_param(ex, "status", v, sizeof(v)) == 1 &&
	    strcmp(v, "all") == 0) {
		/* every status */
		snprintf(l->statuses, sizeof(l->statuses), ",new,triaged,"
		    "in-progress,resolved,rejected,closed,merged,");
		q->statuses = l->statuses;
	} else if (http_triage_list_param(ex, "status", http_triage_status_ok,
	    l->statuses, sizeof(l->statuses), &q->statuses) == -1)
		return -1;
	if (http_triage_list_param(ex, "category", http_triage_category_ok,
	    l->categories, sizeof(l->categories), &q->categories) == -1)
		return -1;
	if (q->categories != NULL && http_triage_items(q->categories) >
	    STORE_QUEUE_CATS_MAX) {
		http_reply_error(ex, 400, "at most 15 categories", "category");
		return -1;
	}
	if (http_triage_list_param(ex, "severity", http_triage_severity_ok,
	    l->severities, sizeof(l->severities), &q->severities) == -1 ||
	    http_triage_list_param(ex, "channel", http_triage_word_ok,
	    l->channels, sizeof(l->channels), &q->channels) == -1)
		return -1;
	if ((rc = http_triage_param(ex, "verified", v, sizeof(v))) == -1)
		return -1;
	if (rc == 1) {
		if (strcmp(v, "true") == 0)
			q->verified = STORE_QUEUE_VERIFIED;
		else if (strcmp(v, "false") == 0)
			q->verified = STORE_QUEUE_UNVERIFIED;
		else if (strcmp(v, "all") == 0)
			q->verified = STORE_QUEUE_ANY;
		else {
			http_reply_error(ex, 400, "true, false or all",
			    "verified");
			return -1;
		}
	}
	if (http_triage_time(ex, "since", &q->since) == -1 ||
	    http_triage_time(ex, "until", &q->until) == -1)
		return -1;
	if ((rc = http_triage_param(ex, "q", l->text, sizeof(l->text))) == -1)
		return -1;
	if (rc == 1 && l->text[0] != '\0')
		q->q = l->text;
	if ((rc = http_triage_param(ex, "limit", v, sizeof(v))) == -1)
		return -1;
	if (rc == 1) {
		if (parse_int(v, 1, STORE_QUEUE_LIMIT_MAX, &n, &why) == -1) {
			http_reply_error(ex, 400, "1 to 500", "limit");
			return -1;
		}
		q->limit = (int)n;
	}
	if ((rc = http_triage_param(ex, "cursor", v, sizeof(v))) == -1)
		return -1;
	if (rc == 1) {
		if (store_queue_cursor_parse(v, &q->cursor_last,
		    &q->cursor_id) == -1) {
			http_reply_error(ex, 400, "not a cursor of ours",
			    "cursor");
			return -1;
		}
		q->has_cursor = 1;
	}
	return 0;
}

static void
http_triage_list_work(struct store_read *rd, void *arg)
{
	struct http_triage_list	*l = arg;

	l->rc = rd == NULL ? STORE_READ_ERROR : store_queue_page(rd, &l->q,
	    time(NULL), &l->out, l->err, sizeof(l->err));
}

static void
http_triage_detail_work(struct store_read *rd, void *arg)
{
	struct http_triage_list	*l = arg;

	l->rc = rd == NULL ? STORE_READ_ERROR : store_queue_detail(rd, l->id,
	    time(NULL), &l->out, l->err, sizeof(l->err));
}

static void
http_triage_list_done(void *arg)
{
	struct http_triage_list	*l = arg;
	struct http_exchange	*ex = http_exchange_find(&l->ticket);

	if (ex == NULL)
		json_decref(l->out);
	else if (l->rc == STORE_READ_OK) {
		http_triage_json(ex, 200, l->out);
	} else if (l->rc == STORE_READ_NOTFOUND)
		http_reply_error(ex, 404, "unknown incident", NULL);
	else if (l->rc == STORE_READ_INVALID)
		http_reply_error(ex, 400, l->err, NULL);
	else {
		log_warn("triage read: %s", l->err);
		http_triage_unavailable(ex);
	}
	free(l);
}

void
http_api_get_incidents(struct http_exchange *ex)
{
	struct http_triage_list	*l = xcalloc(1, sizeof(*l));

	if (http_triage_list_query(ex, l) == -1) {
		free(l);
		return;
	}
	l->ticket = http_exchange_ticket(ex);
	http_exchange_wait(ex);
	readers_run(ex->gw->readers, http_triage_list_work,
	    http_triage_list_done, l);
}

void
http_api_get_incident(struct http_exchange *ex)
{
	struct http_triage_list	*l;

	if (strncmp(ex->param, "IN-", 3) != 0 ||
	    strlen(ex->param) >= STORE_ID_MAX) {
		http_reply_error(ex, 404, "unknown incident", NULL);
		return;
	}
	l = xcalloc(1, sizeof(*l));
	snprintf(l->id, sizeof(l->id), "%s", ex->param);
	l->ticket = http_exchange_ticket(ex);
	http_exchange_wait(ex);
	readers_run(ex->gw->readers, http_triage_detail_work,
	    http_triage_list_done, l);
}

/* --- evidence ------------------------------------------------------------------ */

struct http_triage_evidence {
	struct http_ticket	 ticket;
	struct gateway		*gw;
	char			 id[STORE_ID_MAX];
	struct triage_actor	 actor;
	int			 rc;
	unsigned char		*data;
	size_t			 len;
	size_t			 budget;
	char			 err[256];
};

static void
http_triage_evidence_free(struct http_triage_evidence *e)
{
	budget_give(e->budget);
	free(e->data);
	free(e);
}

/* Reader thread: the bytes, under the memory budget. */
static int
http_triage_evidence_sink(const void *buf, size_t len, void *arg)
{
	struct http_triage_evidence	*e = arg;

	if (budget_take(len, 1) == -1)
		return -1;
	e->budget = len;
	e->data = xmalloc(len ? len : 1);
	memcpy(e->data, buf, len);
	e->len = len;
	return 0;
}

static void
http_triage_evidence_work(struct store_read *rd, void *arg)
{
	struct http_triage_evidence	*e = arg;

	e->rc = rd == NULL ? STORE_READ_ERROR : store_read_evidence(rd, e->id,
	    http_triage_evidence_sink, e, e->err, sizeof(e->err));
}

/* The audit row is durable: now the bytes may go. */
static void
http_triage_evidence_logged(struct store_job *job, void *arg)
{
	struct http_triage_evidence	*e = arg;
	struct triage_evidence		*t = job->change_arg;
	struct http_exchange		*ex = http_exchange_find(&e->ticket);
	char				 disp[128];
	struct http_field		 h[1];

	if (ex == NULL)
		;
	else if (job->rc != STORE_OK)
		http_triage_unavailable(ex);
	else if (t->res.rc != TRIAGE_OK)
		http_reply_error(ex, 404, "unknown report", NULL);
	else {
		snprintf(disp, sizeof(disp), "attachment; filename=\"%s.bin\"",
		    e->id);
		h[0].name = "Content-Disposition";
		h[0].value = disp;
		http_reply(ex, 200, "application/octet-stream", e->data,
		    e->len, h, 1);
	}
	store_job_free(job);
	http_triage_evidence_free(e);
}

static void
http_triage_evidence_done(void *arg)
{
	struct http_triage_evidence	*e = arg;
	struct http_exchange		*ex = http_exchange_find(&e->ticket);
	struct store_job		*job;

	if (ex == NULL) {
		http_triage_evidence_free(e);
		return;
	}
	if (e->rc == STORE_READ_NOTFOUND || e->rc == STORE_READ_INVALID) {
		http_reply_error(ex, 404, "unknown report", NULL);
		http_triage_evidence_free(e);
		return;
	}
	if (e->rc != STORE_READ_OK) {
		http_triage_unavailable(ex);
		http_triage_evidence_free(e);
		return;
	}
	job = triage_evidence_job(&e->actor, e->id);
	job->done = http_triage_evidence_logged;
	job->arg = e;
	if (store_enqueue(ex->gw->store, job) == -1) {
		store_job_free(job);
		http_triage_unavailable(ex);
		http_triage_evidence_free(e);
	}
}

void
http_api_get_evidence(struct http_exchange *ex)
{
	struct http_triage_evidence	*e;

	if (strncmp(ex->param, "IR-", 3) != 0 ||
	    strlen(ex->param) >= STORE_ID_MAX) {
		http_reply_error(ex, 404, "unknown report", NULL);
		return;
	}
	e = xcalloc(1, sizeof(*e));
	e->gw = ex->gw;
	snprintf(e->id, sizeof(e->id), "%s", ex->param);
	triage_actor_set(&e->actor, ex->token_name, ex->peer);
	e->ticket = http_exchange_ticket(ex);
	http_exchange_wait(ex);
	readers_run(ex->gw->readers, http_triage_evidence_work,
	    http_triage_evidence_done, e);
}

/* --- statistics ----------------------------------------------------------------- */

struct http_triage_stats {
	struct http_ticket	 ticket;
	struct gateway		*gw;
	struct stats_period	 period;
	int			 rc;
	json_t			*out;
	char			 err[256];
};

static void
http_triage_stats_work(struct store_read *rd, void *arg)
{
	struct http_triage_stats	*t = arg;

	t->rc = rd == NULL ? STORE_READ_ERROR : stats_compute(rd, &t->gw->tax,
	    &t->period, &http_triage.tz, http_triage.tzname, &t->out, t->err,
	    sizeof(t->err));
}

static void
http_triage_stats_done(void *arg)
{
	struct http_triage_stats	*t = arg;
	struct http_exchange		*ex = http_exchange_find(&t->ticket);

	if (ex == NULL)
		json_decref(t->out);
	else if (t->rc == STORE_READ_OK)
		http_triage_json(ex, 200, t->out);
	else {
		log_warn("statistics: %s", t->err);
		http_triage_unavailable(ex);
	}
	free(t);
}

void
http_api_get_stats(struct http_exchange *ex)
{
	struct http_triage_stats	*t = xcalloc(1, sizeof(*t));
	char				 v[16];
	int				 rc;

	if ((rc = http_triage_param(ex, "period", v, sizeof(v))) == -1) {
		free(t);
		return;
	}
	if (rc == 0 || stats_period_parse(v, &t->period) == -1) {
		free(t);
		http_reply_error(ex, 400, "a quarter, half or year: 2026Q4, "
		    "2026H2, 2026", "period");
		return;
	}
	t->gw = ex->gw;
	t->ticket = http_exchange_ticket(ex);
	http_exchange_wait(ex);
	readers_run(ex->gw->readers, http_triage_stats_work,
	    http_triage_stats_done, t);
}

/* --- exports ---------------------------------------------------------------------- */

struct http_triage_export {
	struct http_ticket	 ticket;
	struct gateway		*gw;
	enum export_format	 format;
	struct export_origin	 origin;	/* the cursor borrows it */
	struct export_cursor	*cur;
	struct page_buf	 buf;	/* the chunk being made or sent */
	int			 rc;	/* export_cursor_next's */
	int			 streaming;
	char			 disp[160];
	char			 err[256];
};

static void	http_triage_export_more(void *);
static void	http_triage_export_free(void *);

static const struct http_stream_ops http_triage_export_ops = {
	http_triage_export_more, http_triage_export_free
};

static void
http_triage_export_free(void *arg)
{
	struct http_triage_export	*x = arg;

	export_cursor_free(x->cur);
	page_buf_free(&x->buf);
	free(x);
}

static void
http_triage_export_work(struct store_read *rd, void *arg)
{
	struct http_triage_export	*x = arg;

	x->buf.len = 0;
	x->buf.failed = 0;
	x->rc = rd == NULL ? -1 : export_cursor_next(x->cur, rd, &x->buf,
	    HTTP_EXPORT_CHUNK, x->err, sizeof(x->err));
	if (rd == NULL)
		snprintf(x->err, sizeof(x->err), "no reader connection");
}

/* The first chunk: an ordinary response when it is all, else a stream. */
static void
http_triage_export_first(struct http_exchange *ex,
    struct http_triage_export *x)
{
	struct http_field	 h[1] = { { "Content-Disposition", x->disp } };
	const char		*ctype = export_content_type(x->format);
	long long		 incidents, reports;

	export_cursor_counts(x->cur, &incidents, &reports);
	if (x->rc == 0 && x->format == EXPORT_IODEF && incidents == 0) {
		/* an IODEF document holds one Incident at least (RFC 7970) */
		http_reply_error(ex, 404, "no incident in this period", NULL);
		http_triage_export_free(x);
		return;
	}
	if (x->rc == 0) {
		http_reply(ex, 200, ctype, x->buf.data, x->buf.len, h, 1);
		http_triage_export_free(x);
		return;
	}
	if (http_stream_begin(ex, 200, ctype, h, 1, &http_triage_export_ops,
	    x) == -1) {
		http_triage_export_free(x);
		return;
	}
	x->streaming = 1;
	http_stream_write(ex, x->buf.data, x->buf.len, 0);
}

static void
http_triage_export_done(void *arg)
{
	struct http_triage_export	*x = arg;
	struct http_exchange		*ex = http_exchange_find(&x->ticket);

	if (ex == NULL) {
		http_triage_export_free(x);
		return;
	}
	if (x->rc == -1) {
		log_warn("export: %s", x->err);
		if (x->streaming)
			http_stream_abort(ex);
		else
			http_triage_unavailable(ex);
		http_triage_export_free(x);
		return;
	}
	if (!x->streaming) {
		http_triage_export_first(ex, x);
		return;
	}
	if (x->rc == 0) {
		http_stream_write(ex, x->buf.data, x->buf.len, 1);
		http_triage_export_free(x);
		return;
	}
	/* may ask for the next chunk at once: x is not touched after */
	http_stream_write(ex, x->buf.data, x->buf.len, 0);
}

/* The session asks for the next chunk. */
static void
http_triage_export_more(void *arg)
{
	struct http_triage_export	*x = arg;

	readers_run(x->gw->readers, http_triage_export_work,
	    http_triage_export_done, x);
}

void
http_api_get_export(struct http_exchange *ex)
{
	static const char *const ext[] = { "jsonl", "csv", "xml" };
	struct http_triage_export	*x;
	char				 v[16];
	long long			 since, until;
	int				 rc, f;

	if ((rc = http_triage_param(ex, "format", v, sizeof(v))) == -1)
		return;
	if (rc == 0 || (f = export_format_parse(v)) == -1) {
		http_reply_error(ex, 400, "jsonl, csv or iodef", "format");
		return;
	}
	if (http_triage_time(ex, "since", &since) == -1 ||
	    http_triage_time(ex, "until", &until) == -1)
		return;
	x = xcalloc(1, sizeof(*x));
	x->gw = ex->gw;
	x->format = f;
	snprintf(x->disp, sizeof(x->disp), "attachment; filename=\"incidents-"
	    "%lld-%lld.%s\"", since, until, ext[f]);
	x->origin = http_triage.origin;
	x->origin.generated_at = time(NULL);
	x->cur = export_cursor_new(f, since, until, &ex->gw->tax, &x->origin);
	x->ticket = http_exchange_ticket(ex);
	http_exchange_wait(ex);
	readers_run(ex->gw->readers, http_triage_export_work,
	    http_triage_export_done, x);
}

/* --- changes ---------------------------------------------------------------------- */

/* A change's JSON body at most (status notes, assessments, split lists). */
#define HTTP_TRIAGE_BODY_MAX	(256 * 1024)

struct http_triage_write {
	struct http_ticket	 ticket;
};

/* The answer to a change, once it is durable (or refused). */
static void
http_triage_write_done(struct store_job *job, void *arg)
{
	struct http_triage_write	*w = arg;
	struct triage_change		*c = job->change_arg;
	struct http_exchange		*ex = http_exchange_find(&w->ticket);
	json_t				*o, *list;
	size_t				 i;
	int				 status = 200;

	if (ex == NULL)
		goto out;
	if (job->rc != STORE_OK) {
		http_triage_unavailable(ex);
		goto out;
	}
	switch (c->res.rc) {
	case TRIAGE_NOTFOUND:
		http_reply_error(ex, 404, c->res.why, NULL);
		goto out;
	case TRIAGE_INVALID:
		http_reply_error(ex, 400, c->res.why, NULL);
		goto out;
	case TRIAGE_CONFLICT:
		o = json_pack("{s:s}", "error", c->res.why);
		if (c->claimed_by[0] != '\0') {
			json_object_set_new(o, "claimed_by",
			    json_string(c->claimed_by));
			json_object_set_new(o, "claim_expires",
			    http_triage_time_json(c->claim_expires));
		}
		http_triage_json(ex, 409, o);
		goto out;
	case TRIAGE_OK:
		break;
	}
	if (c->forwarded)
		outbox_wake(ex->gw->outbox);	/* not in a minute: now */
	o = json_pack("{s:s}", "id", c->incident);
	if (c->op == TRIAGE_STATUS)
		json_object_set_new(o, "forwarded",
		    json_boolean(c->forwarded));
	switch (c->op) {
	case TRIAGE_CLAIM:
	case TRIAGE_RELEASE:
		json_object_set_new(o, "claimed_by", c->op == TRIAGE_CLAIM ?
		    json_string(c->claimed_by) : json_null());
		json_object_set_new(o, "claim_expires", c->op == TRIAGE_CLAIM ?
		    http_triage_time_json(c->claim_expires) : json_null());
		break;
	case TRIAGE_STATUS:
		json_object_set_new(o, "from", json_string(c->from));
		json_object_set_new(o, "status",
		    json_string(lifecycle_status_name(c->status)));
		break;
	case TRIAGE_PATCH:
		if (c->has_category)
			json_object_set_new(o, "category",
			    json_string(c->category));
		if (c->has_severity)
			json_object_set_new(o, "severity",
			    json_string(severity_name(c->severity)));
		if (c->has_assessment)
			json_object_set_new(o, "assessment", c->assessment ?
			    json_loads(c->assessment, 0, NULL) : json_null());
		if (c->has_handling)
			json_object_set_new(o, "handling", c->handling ?
			    json_string(c->handling) : json_null());
		break;
	case TRIAGE_MERGE:
		json_object_set_new(o, "status", json_string("merged"));
		json_object_set_new(o, "merged_into", json_string(c->into));
		json_object_set_new(o, "reports_moved", json_integer(c->moved));
		break;
	case TRIAGE_FORWARD:
		json_object_set_new(o, "forwarded", json_true());
		json_object_set_new(o, "to",
		    json_string(ex->gw->cfg->forward_to));
		break;
	case TRIAGE_SPLIT:
		status = 201;
		json_object_set_new(o, "incident_id", json_string(c->created));
		list = json_array();
		for (i = 0; i < c->n_reports; i++)
			json_array_append_new(list,
			    json_string(c->reports[i]));
		json_object_set_new(o, "reports", list);
		break;
	}
	http_triage_json(ex, status, o);
out:
	store_job_free(job);
	free(w);
}

/* Hand change c to the writer; the answer comes from its completion. */
static void
http_triage_submit(struct http_exchange *ex, struct triage_change *c)
{
	struct http_triage_write	*w = xcalloc(1, sizeof(*w));
	struct store_job		*job = triage_job(c);

	w->ticket = http_exchange_ticket(ex);
	job->done = http_triage_write_done;
	job->arg = w;
	if (store_enqueue(ex->gw->store, job) == -1) {
		store_job_free(job);
		free(w);
		http_triage_unavailable(ex);
		return;
	}
	http_exchange_wait(ex);
}

/* A change on ex's incident by ex's token, from ex's peer. */
static struct triage_change *
http_triage_change(struct http_exchange *ex, enum triage_op op)
{
	struct triage_actor	a;
	struct triage_change	*c;

	if (strncmp(ex->param, "IN-", 3) != 0 ||
	    strlen(ex->param) >= STORE_ID_MAX) {
		http_reply_error(ex, 404, "unknown incident", NULL);
		return NULL;
	}
	triage_actor_set(&a, ex->token_name, ex->peer);
	c = triage_change_new(op, &a, ex->param);
	c->cfg = ex->gw->cfg;
	return c;
}

/*
 * The request's JSON object (a new reference), or NULL with the answer
 * sent: 415 for another type, 413 for too big, 400 for no object.
 */
static json_t *
http_triage_body(struct http_exchange *ex)
{
	const char	*ct = http_header_get(ex->req, "Content-Type");
	struct http_content_type t;
	json_error_t	 jerr;
	json_t		*o;

	if (ct == NULL || http_content_type(ct, strlen(ct), &t) == -1 ||
	    strcmp(t.type, "application/json") != 0) {
		http_reply_error(ex, 415, "the body must be application/json",
		    NULL);
		return NULL;
	}
	if (ex->body_len > HTTP_TRIAGE_BODY_MAX) {
		http_reply_error(ex, 413, "body too large", NULL);
		return NULL;
	}
	o = json_loadb(ex->body != NULL ? ex->body : "", ex->body_len,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(o)) {
		json_decref(o);
		http_reply_error(ex, 400, "the body must be a JSON object",
		    NULL);
		return NULL;
	}
	return o;
}

void
http_api_post_claim(struct http_exchange *ex)
{
	struct triage_change	*c;

	if ((c = http_triage_change(ex, TRIAGE_CLAIM)) == NULL)
		return;
	c->ttl = ex->gw->cfg->triage_claim_ttl;
	http_triage_submit(ex, c);
}

void
http_api_post_forward(struct http_exchange *ex)
{
	struct triage_change	*c;

	if ((c = http_triage_change(ex, TRIAGE_FORWARD)) != NULL)
		http_triage_submit(ex, c);
}

void
http_api_delete_claim(struct http_exchange *ex)
{
	struct triage_change	*c;

	if ((c = http_triage_change(ex, TRIAGE_RELEASE)) != NULL)
		http_triage_submit(ex, c);
}

void
http_api_post_status(struct http_exchange *ex)
{
	struct triage_change	*c;
	json_t			*o, *st, *note;
	int			 n;

	if ((o = http_triage_body(ex)) == NULL)
		return;
	st = json_object_get(o, "status");
	note = json_object_get(o, "note");
	if (!json_is_string(st) ||
	    (n = lifecycle_status_parse(json_string_value(st))) == -1) {
		http_reply_error(ex, 400, "one of new, triaged, in-progress, "
		    "resolved, rejected, closed", "status");
		goto out;
	}
	if (note != NULL && !json_is_null(note) && (!json_is_string(note) ||
	    json_string_length(note) > TRIAGE_NOTE_MAX)) {
		http_reply_error(ex, 400, "a string of at most 4096 bytes",
		    "note");
		goto out;
	}
	if ((c = http_triage_change(ex, TRIAGE_STATUS)) == NULL)
		goto out;
	c->status = n;
	if (json_is_string(note))
		c->note = xstrdup(json_string_value(note));
	http_triage_submit(ex, c);
out:
	json_decref(o);
}

/* PATCH's fields into c. 0, or -1 with the 400 sent. */
static int
http_triage_patch_fields(struct http_exchange *ex, json_t *o,
    struct triage_change *c)
{
	const char	*key, *field;
	json_t		*v;
	enum severity	 sev;

	json_object_foreach(o, key, v) {
		if (strcmp(key, "category") == 0) {
			if (!json_is_string(v) || taxonomy_find(&ex->gw->tax,
			    json_string_value(v), json_string_length(v)) ==
			    NULL) {
				http_reply_error(ex, 400, "not a category of "
				    "the taxonomy", "category");
				return -1;
			}
			c->has_category = 1;
			/* the taxonomy's own spelling */
			c->category = xstrdup(taxonomy_find(&ex->gw->tax,
			    json_string_value(v), json_string_length(v))->code);
		} else if (strcmp(key, "severity") == 0) {
			if (!json_is_string(v) || (sev = severity_parse(
			    json_string_value(v), json_string_length(v))) ==
			    SEV_UNSET) {
				http_reply_error(ex, 400, "low, medium, high "
				    "or critical", "severity");
				return -1;
			}
			c->has_severity = 1;
			c->severity = sev;
		} else if (strcmp(key, "assessment") == 0) {
			if (triage_assessment_text(v, &c->assessment,
			    &field) == -1) {
				http_reply_error(ex, 400, "an object of status,"
				    " severity, scope, target and location "
				    "(strings)", field);
				return -1;
			}
			c->has_assessment = 1;
		} else if (strcmp(key, "handling") == 0) {
			if (!json_is_null(v) && !(json_is_string(v) &&
			    triage_handling_valid(json_string_value(v)))) {
				http_reply_error(ex, 400, "handled_in_house, "
				    "domestic_help, foreign_help, "
				    "coordinator_help or null", "handling");
				return -1;
			}
			c->has_handling = 1;
			if (json_is_string(v))
				c->handling = xstrdup(json_string_value(v));
		} else {
			http_reply_error(ex, 400, "unknown field", key);
			return -1;
		}
	}
	if (!c->has_category && !c->has_severity && !c->has_assessment &&
	    !c->has_handling) {
		http_reply_error(ex, 400, "nothing to change", NULL);
		return -1;
	}
	return 0;
}

void
http_api_patch_incident(struct http_exchange *ex)
{
	struct triage_change	*c;
	json_t			*o;

	if ((o = http_triage_body(ex)) == NULL)
		return;
	if ((c = http_triage_change(ex, TRIAGE_PATCH)) == NULL) {
		json_decref(o);
		return;
	}
	if (http_triage_patch_fields(ex, o, c) == -1) {
		triage_change_free(c);
		json_decref(o);
		return;
	}
	json_decref(o);
	http_triage_submit(ex, c);
}

/* An incident or report ID from a body: triage_id_parse on a string. */
static int
http_triage_id(json_t *v, const char *prefix, char *out)
{
	const char	*s = json_string_value(v);

	if (s == NULL)
		return -1;
	return triage_id_parse(s, strlen(s), prefix, out);
}

void
http_api_post_merge(struct http_exchange *ex)
{
	struct triage_change	*c;
	char			 into[STORE_ID_MAX];
	json_t			*o;

	if ((o = http_triage_body(ex)) == NULL)
		return;
	if (http_triage_id(json_object_get(o, "into"), "IN-", into) == -1) {
		http_reply_error(ex, 400, "an incident ID (IN-...)", "into");
		json_decref(o);
		return;
	}
	json_decref(o);
	if ((c = http_triage_change(ex, TRIAGE_MERGE)) == NULL)
		return;
	snprintf(c->into, sizeof(c->into), "%s", into);
	http_triage_submit(ex, c);
}

void
http_api_post_split(struct http_exchange *ex)
{
	struct triage_change	*c;
	json_t			*o, *list, *v;
	size_t			 i, n;

	if ((o = http_triage_body(ex)) == NULL)
		return;
	list = json_object_get(o, "reports");
	n = json_array_size(list);
	if (!json_is_array(list) || n == 0 || n > TRIAGE_SPLIT_MAX) {
		http_reply_error(ex, 400, "a list of 1 to 1000 report IDs",
		    "reports");
		json_decref(o);
		return;
	}
	if ((c = http_triage_change(ex, TRIAGE_SPLIT)) == NULL) {
		json_decref(o);
		return;
	}
	c->reports = xcalloc(n, sizeof(*c->reports));
	c->n_reports = n;
	json_array_foreach(list, i, v)
		if (http_triage_id(v, "IR-", c->reports[i]) == -1) {
			http_reply_error(ex, 400, "a list of report IDs "
			    "(IR-...)", "reports");
			triage_change_free(c);
			json_decref(o);
			return;
		}
	json_decref(o);
	http_triage_submit(ex, c);
}
