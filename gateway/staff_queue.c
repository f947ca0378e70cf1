/*
 * staff_queue.c - the staff view's reading pages: the queue (GET /triage)
 * with the API's filters, text search and cursor, one incident (GET
 * /triage/incidents/<id>) with its reports, indicators, sources, timeline
 * and the actions its state allows, and a report's evidence as an
 * attachment (GET /triage/reports/<id>/evidence: the API's own handler,
 * audited the same way).
 *
 * Reads are the API's (store_queue_page, store_queue_detail) on a reader
 * thread, where their JSON is also made into the page's values (times in
 * the [stats] time zone); the page is rendered on the loop. A filter
 * form sends every field, so an empty value means "any" here (the API
 * takes absent parameters for that). A filter that is not valid shows
 * the queue's form again with a notice (400).
 *
 * Bounds: the queue's page of STORE_QUEUE_LIMIT_DEFAULT incidents; an
 * incident's first STAFF_REPORTS_SHOWN reports, each description cut at
 * STAFF_DESCRIPTION_SHOWN bytes (the whole is in the evidence); the
 * detail's own bounds on reports and timeline (store_queue.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "config.h"
#include "gateway.h"
#include "http.h"
#include "lifecycle.h"
#include "log.h"
#include "page.h"
#include "readers.h"
#include "staff.h"
#include "staff_int.h"
#include "store.h"
#include "store_queue.h"
#include "store_read.h"
#include "taxonomy.h"
#include "tzif.h"
#include "util.h"

/* --- the queue ------------------------------------------------------------ */

struct staff_list {
	struct http_ticket		 ticket;
	struct store_queue_query	 q;
	char				 statuses[STORE_QUEUE_LIST_MAX];
	char				 categories[STORE_QUEUE_LIST_MAX];
	char				 severities[STORE_QUEUE_LIST_MAX];
	char				 channels[STORE_QUEUE_LIST_MAX];
	/* the filters as given, to show again */
	char				 status[STORE_QUEUE_LIST_MAX];
	char				 category[STORE_QUEUE_LIST_MAX];
	char				 severity[STORE_QUEUE_LIST_MAX];
	char				 verified[16];
	char				 channel[STORE_QUEUE_LIST_MAX];
	char				 since[40];
	char				 until[40];
	char				 text[STORE_QUEUE_TEXT_MAX + 1];
	/* the reader's answer */
	int				 rc;
	char				 err[256];
	json_t				*out;
	struct staff_mem		 mem;
	struct page_staff_incident	*incidents;
	size_t				 n;
	const char			*next;
};

static void
staff_list_free(struct staff_list *l)
{
	json_decref(l->out);
	staff_mem_free(&l->mem);
	free(l);
}

static int
staff_word_ok(const char *s)
{
	return s[0] != '\0' && strspn(s,
	    "abcdefghijklmnopqrstuvwxyz0123456789-_.") == strlen(s);
}

static int
staff_status_ok(const char *s)
{
	return lifecycle_status_parse(s) >= 0;
}

static int
staff_severity_ok(const char *s)
{
	return severity_parse(s, strlen(s)) != SEV_UNSET;
}

/* Query parameter name into out: 1 given (maybe ""), 0 absent, -1 bad. */
static int
staff_param(const struct http_exchange *ex, const char *name, char *out,
    size_t outlen)
{
	out[0] = '\0';
	if (ex->req->query == NULL)
		return 0;
	return http_query_param(ex->req->query, ex->req->query_len, name, out,
	    outlen, NULL);
}

/* A comma list filter: shown as given, normalised for the query. */
static int
staff_list_filter(const struct http_exchange *ex, const char *name,
    int (*valid)(const char *), char *given, size_t givenlen, char *norm,
    size_t normlen, const char **set)
{
	char	bad[64];

	if (staff_param(ex, name, given, givenlen) == -1)
		return -1;
	if (given[0] == '\0')
		return 0;
	if (store_queue_list_norm(given, valid, norm, normlen, bad,
	    sizeof(bad)) == -1)
		return -1;
	*set = norm;
	return 0;
}

/* A date or time filter (YYYY-MM-DD: local midnight). */
static int
staff_time_filter(const struct http_exchange *ex, const char *name,
    char *given, size_t givenlen, long long *t)
{
	if (staff_param(ex, name, given, givenlen) == -1)
		return -1;
	if (given[0] == '\0')
		return 0;
	if (tzif_parse_time(staff_tz(), given, t) == -1 || *t <= 0)
		return -1;
	return 0;
}

/* Every filter of the request into l. 0, or -1 for one that is bad. */
static int
staff_list_query(const struct http_exchange *ex, struct staff_list *l)
{
	struct store_queue_query	*q = &l->q;
	char				 cursor[STORE_QUEUE_CURSOR_MAX];
	int				 rc = 0;

	q->limit = STORE_QUEUE_LIMIT_DEFAULT;
	q->verified = STORE_QUEUE_VERIFIED;
	if (staff_param(ex, "status", l->status, sizeof(l->status)) == -1)
		rc = -1;
	else if (strcmp(l->status, "all") == 0) {
		snprintf(l->statuses, sizeof(l->statuses), ",new,triaged,"
		    "in-progress,resolved,rejected,closed,merged,");
		q->statuses = l->statuses;
	} else if (l->status[0] != '\0' && store_queue_list_norm(l->status,
	    staff_status_ok, l->statuses, sizeof(l->statuses), cursor,
	    sizeof(cursor)) == -1)
		rc = -1;
	else if (l->status[0] != '\0')
		q->statuses = l->statuses;
	if (staff_list_filter(ex, "category", staff_word_ok, l->category,
	    sizeof(l->category), l->categories, sizeof(l->categories),
	    &q->categories) == -1 ||
	    staff_list_filter(ex, "severity", staff_severity_ok, l->severity,
	    sizeof(l->severity), l->severities, sizeof(l->severities),
	    &q->severities) == -1 ||
	    staff_list_filter(ex, "channel", staff_word_ok, l->channel,
	    sizeof(l->channel), l->channels, sizeof(l->channels),
	    &q->channels) == -1)
		rc = -1;
	if (staff_param(ex, "verified", l->verified,
	    sizeof(l->verified)) == -1)
		rc = -1;
	else if (strcmp(l->verified, "false") == 0)
		q->verified = STORE_QUEUE_UNVERIFIED;
	else if (strcmp(l->verified, "all") == 0)
		q->verified = STORE_QUEUE_ANY;
	else if (l->verified[0] != '\0' && strcmp(l->verified, "true") != 0)
		rc = -1;
	if (staff_time_filter(ex, "since", l->since, sizeof(l->since),
	    &q->since) == -1 || staff_time_filter(ex, "until", l->until,
	    sizeof(l->until), &q->until) == -1)
		rc = -1;
	if (staff_param(ex, "q", l->text, sizeof(l->text)) == -1)
		rc = -1;
	else if (l->text[0] != '\0')
		q->q = l->text;
	switch (staff_param(ex, "cursor", cursor, sizeof(cursor))) {
	case -1:
		rc = -1;
		break;
	case 1:
		if (cursor[0] == '\0')
			break;
		if (store_queue_cursor_parse(cursor, &q->cursor_last,
		    &q->cursor_id) == -1)
			rc = -1;
		else
			q->has_cursor = 1;
		break;
	}
	return rc;
}

/* Reader thread: the page of the queue, made into the page's values. */
static void
staff_list_work(struct store_read *rd, void *arg)
{
	struct staff_list	*l = arg;
	json_t			*list, *o;
	size_t			 i;

	l->rc = rd == NULL ? STORE_READ_ERROR : store_queue_page(rd, &l->q,
	    time(NULL), &l->out, l->err, sizeof(l->err));
	if (l->rc != STORE_READ_OK)
		return;
	list = json_object_get(l->out, "incidents");
	l->n = json_array_size(list);
	l->incidents = staff_mem_alloc(&l->mem, l->n, sizeof(*l->incidents));
	json_array_foreach(list, i, o)
		staff_incident_fill(&l->mem, o, &l->incidents[i]);
	l->next = staff_json_str(l->out, "next");
}

/* The queue page: l's incidents (none when l->rc is not OK). */
static void
staff_list_show(struct http_exchange *ex, struct staff_list *l, int status,
    const char *notice)
{
	struct page_vars	v;
	struct page_staff	st;

	staff_vars(ex, &v, &st);
	st.notice = notice;
	st.filter.status = l->status;
	st.filter.category = l->category;
	st.filter.severity = l->severity;
	st.filter.verified = l->verified;
	st.filter.channel = l->channel;
	st.filter.since = l->since;
	st.filter.until = l->until;
	st.filter.q = l->text;
	if (l->rc == STORE_READ_OK) {
		st.incidents = l->incidents;
		st.n_incidents = l->n;
		st.next_cursor = l->next;
	}
	http_reply_page(ex, status, PAGE_STAFF_QUEUE, &v);
}

static void
staff_list_done(void *arg)
{
	struct staff_list	*l = arg;
	struct http_exchange	*ex = http_exchange_find(&l->ticket);

	if (ex == NULL)
		;
	else if (l->rc == STORE_READ_OK)
		staff_list_show(ex, l, 200, NULL);
	else if (l->rc == STORE_READ_INVALID)
		staff_list_show(ex, l, 400, "staff.refused.bad-filter");
	else {
		log_warn("staff: queue: %s", l->err);
		http_reply_error(ex, 503, "store unavailable", NULL);
	}
	staff_list_free(l);
}

void
staff_get_queue(struct http_exchange *ex)
{
	struct staff_list	*l = xcalloc(1, sizeof(*l));

	if (staff_list_query(ex, l) == -1) {
		l->rc = STORE_READ_INVALID;
		staff_list_show(ex, l, 400, "staff.refused.bad-filter");
		staff_list_free(l);
		return;
	}
	l->ticket = http_exchange_ticket(ex);
	http_exchange_wait(ex);
	readers_run(ex->gw->readers, staff_list_work, staff_list_done, l);
}

/* --- one incident --------------------------------------------------------- */

struct staff_detail {
	struct http_ticket		 ticket;
	char				 id[STORE_ID_MAX];
	char				 user[72];
	int				 forward_to;	/* [forward] to set */
	int				 status;	/* of the page */
	char				*notice_key;
	int				 notice_ok;
	char				*detail, *note, *merge_into;
	/* the reader's answer */
	int				 rc;
	char				 err[256];
	json_t				*out;
	struct staff_mem		 mem;
	struct page_staff_incident	 inc;
	struct page_staff		 st;
};

static void
staff_detail_free(struct staff_detail *d)
{
	json_decref(d->out);
	staff_mem_free(&d->mem);
	free(d->notice_key);
	free(d->detail);
	free(d->note);
	free(d->merge_into);
	free(d);
}

/*
 * A timeline entry's detail as one line: a string as it is, an object as
 * "key: value; ..." (values of other types in JSON), in m.
 */
static const char *
staff_detail_text(struct staff_mem *m, json_t *v)
{
	const char	*key;
	json_t		*x;
	char		*s, *out;
	size_t		 len = 1, n = 0;

	if (v == NULL || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return json_string_value(v);
	if (!json_is_object(v)) {
		if ((s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
			return NULL;
		out = staff_mem_strdup(m, s);
		free(s);
		return out;
	}
	json_object_foreach(v, key, x) {
		s = json_is_string(x) ? NULL : json_dumps(x, JSON_COMPACT |
		    JSON_ENCODE_ANY);
		len += strlen(key) + 4 + (s != NULL ? strlen(s) :
		    json_string_length(x));
		free(s);
	}
	out = staff_mem_alloc(m, len, 1);
	json_object_foreach(v, key, x) {
		s = json_is_string(x) ? NULL : json_dumps(x, JSON_COMPACT |
		    JSON_ENCODE_ANY);
		n += snprintf(out + n, len - n, "%s%s: %s", n > 0 ? "; " : "",
		    key, s != NULL ? s : json_string_value(x));
		free(s);
	}
	return out;
}

/* A description cut at max bytes, on a UTF-8 character boundary. */
static const char *
staff_cut(struct staff_mem *m, const char *s, size_t max, int *cut)
{
	size_t	n;
	char	*out;

	*cut = 0;
	if (s == NULL || strlen(s) <= max)
		return s;
	for (n = max; n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80; n--)
		;
	out = staff_mem_alloc(m, n + 1, 1);
	memcpy(out, s, n);
	*cut = 1;
	return out;
}

static void
staff_report_fill(struct staff_mem *m, json_t *o, struct page_staff_report *r)
{
	json_t	*who = json_object_get(o, "reporter");
	json_t	*lvl = json_object_get(o, "system_level");
	char	 buf[24];

	r->id = staff_json_str(o, "id");
	r->channel = staff_json_str(o, "channel");
	r->received = staff_local_time(m, staff_json_str(o, "received_at"));
	r->category = staff_json_str(o, "category");
	r->severity = staff_json_str(o, "severity");
	r->verified = json_is_true(json_object_get(o, "verified"));
	r->automatic = json_is_true(json_object_get(o, "auto"));
	r->confidential = json_is_true(json_object_get(o, "confidential"));
	r->subject = staff_json_str(o, "subject");
	r->description = staff_cut(m, staff_json_str(o, "description"),
	    STAFF_DESCRIPTION_SHOWN, &r->description_cut);
	r->reporter_name = staff_json_str(who, "name");
	r->reporter_email = staff_json_str(who, "email");
	r->reporter_phone = staff_json_str(who, "phone");
	r->organization = staff_json_str(who, "organization");
	r->token = staff_json_str(o, "token");
	/* the report's own times are as the reporter gave them */
	r->detected_at = staff_json_str(o, "detected_at");
	r->occurred_at = staff_json_str(o, "occurred_at");
	r->affected_system = staff_json_str(o, "affected_system");
	r->operating_unit = staff_json_str(o, "operating_unit");
	if (json_is_integer(lvl)) {
		snprintf(buf, sizeof(buf), "%lld",
		    (long long)json_integer_value(lvl));
		r->system_level = staff_mem_strdup(m, buf);
	}
	r->evidence_bytes = json_integer_value(json_object_get(o,
	    "evidence_bytes"));
	r->indicators = NULL;
	r->n_indicators = json_array_size(json_object_get(o, "indicators"));
	if (r->n_indicators > 0) {
		struct page_staff_indicator	*ind;
		json_t				*v;
		size_t				 i;

		ind = staff_mem_alloc(m, r->n_indicators, sizeof(*ind));
		json_array_foreach(json_object_get(o, "indicators"), i, v) {
			ind[i].type = staff_json_str(v, "type");
			ind[i].value = staff_json_str(v, "value");
		}
		r->indicators = ind;
	}
}

/* What the user may do to the incident now (see page.h). */
static void
staff_detail_actions(struct staff_detail *d)
{
	struct page_staff	*st = &d->st;
	const char		**next;
	int			 cur = lifecycle_status_parse(d->inc.status);
	int			 held, mine, s;
	size_t			 n = 0;

	mine = d->inc.claimed_by != NULL &&
	    strcmp(d->inc.claimed_by, d->user) == 0;
	held = d->inc.claimed_by != NULL && !mine;
	st->claimed_by_user = mine;
	if (cur < 0 || held)
		return;
	st->can_claim = !mine && !lifecycle_final(cur);
	st->can_merge = lifecycle_may(cur, INC_MERGED);
	st->forward = d->forward_to && cur != INC_MERGED;
	next = staff_mem_alloc(&d->mem, INC_NSTATUSES, sizeof(*next));
	for (s = 0; s < INC_NSTATUSES; s++)
		if (s != INC_MERGED && lifecycle_may(cur, s))
			next[n++] = lifecycle_status_name(s);
	st->next_statuses = next;
	st->n_next_statuses = n;
}

/* Reader thread: the incident, made into the page's values. */
static void
staff_detail_work(struct store_read *rd, void *arg)
{
	struct staff_detail		*d = arg;
	struct page_staff		*st = &d->st;
	struct page_staff_report	*reps;
	struct page_staff_source	*srcs;
	struct page_staff_event		*ev;
	json_t				*a, *o;
	size_t				 i, n;

	d->rc = rd == NULL ? STORE_READ_ERROR : store_queue_detail(rd, d->id,
	    time(NULL), &d->out, d->err, sizeof(d->err));
	if (d->rc != STORE_READ_OK)
		return;
	staff_incident_fill(&d->mem, d->out, &d->inc);
	st->incident = &d->inc;
	a = json_object_get(d->out, "reports");
	n = json_array_size(a);
	st->report_count = d->inc.reports;
	st->reports_cut = n > STAFF_REPORTS_SHOWN || json_is_true(
	    json_object_get(d->out, "reports_truncated"));
	n = n > STAFF_REPORTS_SHOWN ? STAFF_REPORTS_SHOWN : n;
	reps = staff_mem_alloc(&d->mem, n, sizeof(*reps));
	for (i = 0; i < n; i++)
		staff_report_fill(&d->mem, json_array_get(a, i), &reps[i]);
	st->reports = reps;
	st->n_reports = n;
	a = json_object_get(d->out, "sources");
	srcs = staff_mem_alloc(&d->mem, json_array_size(a), sizeof(*srcs));
	json_array_foreach(a, i, o) {
		srcs[i].reporter = staff_json_str(o, "reporter");
		srcs[i].channel = staff_json_str(o, "channel");
		srcs[i].count = json_integer_value(json_object_get(o,
		    "count"));
	}
	st->sources = srcs;
	st->n_sources = json_array_size(a);
	a = json_object_get(d->out, "timeline");
	ev = staff_mem_alloc(&d->mem, json_array_size(a), sizeof(*ev));
	json_array_foreach(a, i, o) {
		ev[i].at = staff_local_time(&d->mem, staff_json_str(o, "at"));
		ev[i].actor = staff_json_str(o, "actor");
		ev[i].action = staff_json_str(o, "action");
		ev[i].object = staff_json_str(o, "object");
		ev[i].detail = staff_detail_text(&d->mem,
		    json_object_get(o, "detail"));
		ev[i].peer = staff_json_str(o, "peer");
	}
	st->timeline = ev;
	st->n_timeline = json_array_size(a);
	staff_detail_actions(d);
}

static void
staff_detail_done(void *arg)
{
	struct staff_detail	*d = arg;
	struct http_exchange	*ex = http_exchange_find(&d->ticket);
	struct page_vars	 v;
	struct page_staff	 st;
	char			 path[64];

	if (ex == NULL)
		goto out;
	if (d->rc == STORE_READ_NOTFOUND || d->rc == STORE_READ_INVALID) {
		http_reply_error(ex, 404, "unknown incident", NULL);
		goto out;
	}
	if (d->rc != STORE_READ_OK) {
		log_warn("staff: incident %s: %s", d->id, d->err);
		http_reply_error(ex, 503, "store unavailable", NULL);
		goto out;
	}
	staff_vars(ex, &v, &st);
	d->st.user = st.user;
	d->st.tz = st.tz;
	d->st.median_claim = d->st.median_resolve = -1;
	d->st.notice = d->notice_key;
	d->st.notice_ok = d->notice_ok;
	d->st.notice_detail = d->detail;
	d->st.note = d->note;
	d->st.merge_into = d->merge_into;
	v.staff = &d->st;
	/* a refused action's page switches language to the incident's */
	snprintf(path, sizeof(path), "/triage/incidents/%s", d->id);
	v.path = path;
	http_reply_page(ex, d->status, PAGE_STAFF_INCIDENT, &v);
out:
	staff_detail_free(d);
}

static char *
staff_strdup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
staff_incident_show(struct http_exchange *ex, const char *id,
    const struct staff_notice *n)
{
	struct staff_detail	*d;

	if (strncmp(id, "IN-", 3) != 0 || strlen(id) >= STORE_ID_MAX) {
		http_reply_error(ex, 404, "unknown incident", NULL);
		return;
	}
	d = xcalloc(1, sizeof(*d));
	snprintf(d->id, sizeof(d->id), "%s", id);
	snprintf(d->user, sizeof(d->user), "%s", ex->token_name != NULL ?
	    ex->token_name : "");
	d->forward_to = ex->gw->cfg->forward_to != NULL;
	d->status = n != NULL ? n->status : 200;
	if (n != NULL) {
		d->notice_key = staff_strdup_or_null(n->key);
		d->notice_ok = n->ok;
		d->detail = staff_strdup_or_null(n->detail);
		d->note = staff_strdup_or_null(n->note);
		d->merge_into = staff_strdup_or_null(n->merge_into);
	}
	d->ticket = http_exchange_ticket(ex);
	http_exchange_wait(ex);
	readers_run(ex->gw->readers, staff_detail_work, staff_detail_done, d);
}

/* The outcome an action's redirect names (?done=), as a notice key. */
static const char *
staff_done_key(const char *done)
{
	static const char *const keys[][2] = {
		{ "claim", "staff.notice.claimed" },
		{ "release", "staff.notice.released" },
		{ "status", "staff.notice.status" },
		{ "merge", "staff.notice.merged" },
		{ "forward", "staff.notice.forwarded" },
		{ "recorded", "staff.notice.recorded" },
	};
	size_t	i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(done, keys[i][0]) == 0)
			return keys[i][1];
	return NULL;
}

void
staff_get_incident(struct http_exchange *ex)
{
	struct staff_notice	n;
	char			done[16], report[STORE_ID_MAX];

	memset(&n, 0, sizeof(n));
	n.status = 200;
	if (staff_param(ex, "done", done, sizeof(done)) == 1 &&
	    (n.key = staff_done_key(done)) != NULL)
		n.ok = 1;
	/* a phone report just recorded: its ID, to read to the caller */
	if (n.key != NULL && strcmp(done, "recorded") == 0 &&
	    staff_param(ex, "report", report, sizeof(report)) == 1 &&
	    strncmp(report, "IR-", 3) == 0)
		n.detail = report;
	staff_incident_show(ex, ex->param, &n);
}

void
staff_get_evidence(struct http_exchange *ex)
{
	/* the API's: the same read, the same audit row (the session's token
	   names the reader) */
	http_api_get_evidence(ex);
}
