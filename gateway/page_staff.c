/*
 * page_staff.c - the names of the staff view's pages (PAGE_STAFF_*) bound
 * from page_vars.staff: the navigation and notices every staff page
 * shows, the queue with its filters, an incident with its actions,
 * reports, indicators, sources and timeline, and the statistics with the
 * geometry of their SVG charts (bars as rectangles whose coordinates are
 * computed here; the template only places them).
 *
 * Every value goes through the template engine's escaping; URLs are made
 * here from constants of ours and percent-encoded values. An item of a
 * list always binds every name it may show (to "" when absent), so that
 * an absent value never shows the enclosing scope's value of that name.
 *
 * Bounds: the lists are those the caller gives (the staff view bounds
 * them); chart labels are cut to STAFF_CHART_LABEL_MAX characters (the
 * whole label is in the bar's title and the figures' table).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "page_int.h"
#include "taxonomy.h"

#define STAFF_CHART_W		400	/* viewBox width of every chart */
#define STAFF_CHART_ROW		40	/* a bar chart's row: label, bar */
#define STAFF_CHART_COL_H	160	/* a column chart's plot height */
#define STAFF_CHART_LABEL_MAX	46	/* characters of a label in a chart */
#define STAFF_COLUMN_VALUES_MAX	16	/* columns with their value on top */
#define STAFF_COLUMN_LABELS	8	/* column labels at most */

static const char *const staff_statuses[] = {
	"new", "triaged", "in-progress", "resolved", "rejected", "closed",
	"merged"
};
static const char *const staff_channels[] = {
	"line", "smtp", "web", "api", "phone"
};

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* Keys composed below or given by the staff view (page_vars.staff). */
const char *const page_staff_keys[] = {
	"staff.status.new", "staff.status.triaged", "staff.status.in-progress",
	"staff.status.resolved", "staff.status.rejected",
	"staff.status.closed", "staff.status.merged", "staff.status.unknown",
	"staff.channel.line", "staff.channel.smtp", "staff.channel.web",
	"staff.channel.api", "staff.channel.phone",
	"staff.handling.handled_in_house", "staff.handling.domestic_help",
	"staff.handling.foreign_help", "staff.handling.coordinator_help",
	"staff.deadline.notify", "staff.deadline.final",
	"staff.filter.open", "staff.filter.any", "staff.filter.all-statuses",
	"staff.filter.verified-only", "staff.filter.unverified-only",
	"staff.filter.verified-all", "staff.unknown",
	"staff.unit.day", "staff.unit.hour", "staff.unit.minute",
	"staff.unit.second", "staff.stats.none",
	"staff.chart.week", "staff.chart.category", "staff.chart.channel",
	"staff.chart.severity", "staff.chart.week-of",
	"staff.login.failed", "staff.login.expired", "staff.login.rate",
	"staff.login.unavailable", "staff.login.signed-out",
	"staff.notice.claimed", "staff.notice.released",
	"staff.notice.status", "staff.notice.merged",
	"staff.notice.forwarded", "staff.notice.recorded",
	"staff.refused.conflict", "staff.refused.notfound",
	"staff.refused.invalid", "staff.refused.unavailable",
	"staff.refused.no-forward", "staff.refused.bad-filter",
	"staff.stats.bad-period",
	NULL
};

/* Bind s, or "" when it is NULL (shadowing any outer value). */
static void
bind_s(struct page_arena *a, struct page_scope *sc, int id, const char *s)
{
	page_bind(a, sc, id, s != NULL ? s : "");
}

/* Bind "1" or "". */
static void
bind_flag(struct page_arena *a, struct page_scope *sc, int id, int on)
{
	page_bind(a, sc, id, on ? "1" : "");
}

static const char *
num(struct page_arena *a, long long n)
{
	return page_arena_printf(a, "%lld", n);
}

/* The text of the key fmt composes, else raw itself. */
static const char *
msg_or_raw(const struct page_set *ps, int lang, const char *raw,
    const char *prefix)
{
	char		 key[PAGE_NAME_MAX + 1];
	const char	*s;
	int		 n;

	if (raw == NULL)
		return NULL;
	n = snprintf(key, sizeof(key), "%s%s", prefix, raw);
	if (n > 0 && (size_t)n < sizeof(key) &&
	    (s = page_msg_text(ps, lang, key)) != NULL)
		return s;
	return raw;
}

static const char *
status_label(const struct page_set *ps, int lang, const char *code)
{
	if (code == NULL)
		return page_msg_text(ps, lang, "staff.status.unknown");
	return page_msg_fmt(ps, lang, "staff.status.unknown",
	    "staff.status.%s", code);
}

/* A category's label in lang, its code when the taxonomy lacks it. */
static const char *
category_label(const struct page_set *ps, int lang, const char *code)
{
	const struct taxonomy_entry	*e;

	if (code == NULL)
		return page_msg_text(ps, lang, "staff.unknown");
	if (ps->tax != NULL &&
	    (e = taxonomy_find(ps->tax, code, strlen(code))) != NULL)
		return lang == LANG_EN ? e->label_en : e->label_vi;
	return code;
}

static const char *
severity_label(const struct page_set *ps, int lang, const char *code)
{
	if (code == NULL)
		return page_msg_text(ps, lang, "staff.unknown");
	return msg_or_raw(ps, lang, code, "severity.");
}

/* A path of ours with one segment from outside, and ?lang=. */
static const char *
seg_url(struct page_arena *a, const char *pre, const char *seg,
    const char *post, int lang)
{
	struct page_buf	b;

	page_buf_init(&b);
	page_buf_append(&b, pre, strlen(pre));
	if (seg != NULL)
		page_url_encode(&b, seg, strlen(seg), 2);
	if (post != NULL)
		page_buf_append(&b, post, strlen(post));
	page_buf_append(&b, "?lang=", 6);
	page_buf_append(&b, page_lang_names[lang], 2);
	return page_arena_buf(a, &b);
}

/* "line, web" (codes) in words: each channel's label, in a. */
static const char *
channels_text(struct page_arena *a, const struct page_set *ps, int lang,
    const char *codes)
{
	struct page_buf	 b;
	const char	*p, *end, *label;
	char		 code[32];
	size_t		 n;

	if (codes == NULL)
		return NULL;
	page_buf_init(&b);
	for (p = codes; *p != '\0'; p = end) {
		end = strchr(p, ',');
		end = end != NULL ? end : p + strlen(p);
		n = (size_t)(end - p);
		if (n > 0 && n < sizeof(code)) {
			memcpy(code, p, n);
			code[n] = '\0';
			label = msg_or_raw(ps, lang, code, "staff.channel.");
			if (b.len > 0)
				page_buf_append(&b, ", ", 2);
			page_buf_append(&b, label, strlen(label));
		}
		while (*end == ',' || *end == ' ')
			end++;
	}
	if (b.data == NULL) {
		page_buf_free(&b);
		return "";
	}
	return page_arena_buf(a, &b);
}

/* ---- every staff page ---- */

static void
bind_common(struct page_arena *a, struct page_scope *root,
    const struct page_set *ps, enum page_id id, int lang,
    const struct page_vars *v)
{
	const struct page_staff	*st = v->staff;

	if (id != PAGE_STAFF_PHONE)	/* bind_report() binds them there */
		page_bind(a, root, V_CSRF, v->csrf);
	if (id == PAGE_STAFF_LOGIN)
		page_bind(a, root, V_FORM_ACTION, page_lang_url(a,
		    "/triage/login", lang));
	page_bind(a, root, V_STAFF_USER, st->user);
	page_bind(a, root, V_STAFF_QUEUE_URL, page_lang_url(a, "/triage",
	    lang));
	page_bind(a, root, V_STAFF_PHONE_URL, page_lang_url(a,
	    "/triage/phone", lang));
	page_bind(a, root, V_STAFF_STATS_URL, page_lang_url(a,
	    "/triage/stats", lang));
	page_bind(a, root, V_STAFF_LOGOUT_URL, page_lang_url(a,
	    "/triage/logout", lang));
	if (st->notice != NULL) {
		page_bind(a, root, V_STAFF_NOTICE, page_msg_fmt(ps, lang,
		    "err.invalid", "%s", st->notice));
		if (st->notice_ok)
			page_bind(a, root, V_STAFF_NOTICE_OK, "1");
		page_bind(a, root, V_STAFF_NOTICE_DETAIL, st->notice_detail);
	}
	page_bind(a, root, V_STAFF_TZ, st->tz);
}

/* ---- lists ---- */

static void
bind_indicators(struct page_arena *a, struct page_scope *sc,
    const struct page_staff_indicator *ind, size_t n)
{
	struct page_list	*l;
	size_t			 i;

	if ((l = page_list_new(a, ind != NULL ? n : 0, 2)) == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		bind_s(a, &l->items[i], V_TYPE, ind[i].type);
		bind_s(a, &l->items[i], V_VALUE_STR, ind[i].value);
	}
	page_bind_list(a, sc, V_INDICATORS, l);
}

/* Options: "" labelled by key first, then codes[] with their labels. */
static void
bind_options(struct page_arena *a, struct page_scope *root,
    const struct page_set *ps, int lang, int var, const char *first_key,
    const char *const *codes, const char *const *labels, size_t n,
    const char *value)
{
	struct page_list	*l;
	size_t			 i, k = 0;

	if ((l = page_list_new(a, n + (first_key != NULL), 3)) == NULL)
		return;
	if (first_key != NULL) {
		page_bind(a, &l->items[k], V_CODE, "");
		page_bind(a, &l->items[k], V_LABEL, page_msg_text(ps, lang,
		    first_key));
		bind_flag(a, &l->items[k++], V_SELECTED, value == NULL ||
		    value[0] == '\0');
	}
	for (i = 0; i < n; i++, k++) {
		page_bind(a, &l->items[k], V_CODE, codes[i]);
		bind_s(a, &l->items[k], V_LABEL, labels[i]);
		bind_flag(a, &l->items[k], V_SELECTED, value != NULL &&
		    strcmp(value, codes[i]) == 0);
	}
	page_bind_list(a, root, var, l);
}

/* An incident's names into sc (an item of the queue, or the root). */
static void
bind_incident(struct page_arena *a, struct page_scope *sc,
    const struct page_set *ps, int lang,
    const struct page_staff_incident *inc)
{
	bind_s(a, sc, V_ID, inc->id);
	bind_s(a, sc, V_URL, inc->id == NULL ? NULL : seg_url(a,
	    "/triage/incidents/", inc->id, NULL, lang));
	page_bind(a, sc, V_STATUS_LABEL, status_label(ps, lang,
	    inc->status));
	page_bind(a, sc, V_CATEGORY_LABEL, category_label(ps, lang,
	    inc->category));
	page_bind(a, sc, V_SEVERITY_LABEL, severity_label(ps, lang,
	    inc->severity));
	bind_flag(a, sc, V_VERIFIED, inc->verified);
	bind_flag(a, sc, V_SERIOUS, inc->serious);
	bind_flag(a, sc, V_OVERDUE, inc->overdue);
	page_bind(a, sc, V_REPORT_COUNT, num(a, inc->reports));
	bind_s(a, sc, V_FIRST_SEEN, inc->first_seen);
	bind_s(a, sc, V_LAST_SEEN, inc->last_seen);
	bind_s(a, sc, V_CHANNELS, channels_text(a, ps, lang, inc->channels));
	bind_s(a, sc, V_DUE, inc->due);
	bind_s(a, sc, V_DEADLINE_LABEL, inc->deadline == NULL ? NULL :
	    page_msg_fmt(ps, lang, "staff.deadline.notify",
	    "staff.deadline.%s", inc->deadline));
	bind_s(a, sc, V_CLAIMED_BY, inc->claimed_by);
	bind_s(a, sc, V_CLAIM_EXPIRES, inc->claim_expires);
	bind_s(a, sc, V_MERGED_INTO, inc->merged_into);
	bind_s(a, sc, V_MERGED_URL, inc->merged_into == NULL ? NULL :
	    seg_url(a, "/triage/incidents/", inc->merged_into, NULL, lang));
	bind_s(a, sc, V_SYSTEM_LEVEL, inc->system_level);
	bind_s(a, sc, V_DETECTED_AT, inc->detected_at);
	bind_s(a, sc, V_RESOLVED_AT, inc->resolved_at);
	bind_s(a, sc, V_NOTIFIED_AT, inc->notified_at);
	bind_s(a, sc, V_HANDLING_LABEL, msg_or_raw(ps, lang, inc->handling,
	    "staff.handling."));
	bind_indicators(a, sc, inc->indicators, inc->n_indicators);
}

/* ---- the queue ---- */

/* Append "name=value&" to b when value is set. */
static void
query_add(struct page_buf *b, const char *name, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	page_buf_append(b, name, strlen(name));
	page_buf_append(b, "=", 1);
	page_url_encode(b, value, strlen(value), 2);
	page_buf_append(b, "&", 1);
}

/* The next page: the same filters, the cursor, the language. */
static const char *
next_url(struct page_arena *a, const struct page_staff *st, int lang)
{
	const struct page_staff_filter	*f = &st->filter;
	struct page_buf			 b;

	page_buf_init(&b);
	page_buf_append(&b, "/triage?", 8);
	query_add(&b, "status", f->status);
	query_add(&b, "category", f->category);
	query_add(&b, "severity", f->severity);
	query_add(&b, "verified", f->verified);
	query_add(&b, "channel", f->channel);
	query_add(&b, "since", f->since);
	query_add(&b, "until", f->until);
	query_add(&b, "q", f->q);
	query_add(&b, "cursor", st->next_cursor);
	page_buf_append(&b, "lang=", 5);
	page_buf_append(&b, page_lang_names[lang], 2);
	return page_arena_buf(a, &b);
}

static void
bind_filter_options(struct page_arena *a, struct page_scope *root,
    const struct page_set *ps, int lang, const struct page_staff_filter *f)
{
	static const char *const verified[] = { "false", "all" };
	const char	*labels[NITEMS(staff_statuses) + 1], **cats, **codes;
	const char	*st_codes[NITEMS(staff_statuses) + 1];
	const char	*sev[4];
	size_t		 i, n = ps->tax != NULL ? ps->tax->n : 0;

	for (i = 0; i < NITEMS(staff_statuses); i++) {
		st_codes[i] = staff_statuses[i];
		labels[i] = status_label(ps, lang, staff_statuses[i]);
	}
	st_codes[i] = "all";
	labels[i] = page_msg_text(ps, lang, "staff.filter.all-statuses");
	bind_options(a, root, ps, lang, V_STATUS_OPTIONS, "staff.filter.open",
	    st_codes, labels, i + 1, f->status);
	cats = page_arena_alloc(a, (n ? n : 1) * sizeof(*cats));
	codes = page_arena_alloc(a, (n ? n : 1) * sizeof(*codes));
	for (i = 0; cats != NULL && codes != NULL && i < n; i++) {
		codes[i] = ps->tax->entries[i].code;
		cats[i] = category_label(ps, lang, codes[i]);
	}
	if (cats != NULL && codes != NULL)
		bind_options(a, root, ps, lang, V_CATEGORY_OPTIONS,
		    "staff.filter.any", codes, cats, n, f->category);
	for (i = 0; i < 4; i++) {
		sev[i] = severity_name((enum severity)(SEV_LOW + i));
		labels[i] = severity_label(ps, lang, sev[i]);
	}
	bind_options(a, root, ps, lang, V_SEVERITY_OPTIONS, "staff.filter.any",
	    sev, labels, 4, f->severity);
	labels[0] = page_msg_text(ps, lang, "staff.filter.unverified-only");
	labels[1] = page_msg_text(ps, lang, "staff.filter.verified-all");
	bind_options(a, root, ps, lang, V_VERIFIED_OPTIONS,
	    "staff.filter.verified-only", verified, labels, 2, f->verified);
	for (i = 0; i < NITEMS(staff_channels); i++)
		labels[i] = msg_or_raw(ps, lang, staff_channels[i],
		    "staff.channel.");
	bind_options(a, root, ps, lang, V_CHANNEL_OPTIONS, "staff.filter.any",
	    staff_channels, labels, NITEMS(staff_channels), f->channel);
}

static void
bind_queue(struct page_arena *a, struct page_scope *root,
    const struct page_set *ps, int lang, const struct page_staff *st)
{
	const struct page_staff_filter	*f = &st->filter;
	struct page_list		*l;
	size_t				 i, n;

	page_bind(a, root, V_QUEUE_ACTION, "/triage");
	bind_filter_options(a, root, ps, lang, f);
	page_bind(a, root, V_SINCE, f->since);
	page_bind(a, root, V_UNTIL, f->until);
	page_bind(a, root, V_Q, f->q);
	n = st->incidents != NULL ? st->n_incidents : 0;
	page_bind(a, root, V_SHOWN, num(a, (long long)n));
	if ((l = page_list_new(a, n, 32)) == NULL)
		return;
	for (i = 0; i < n; i++)
		bind_incident(a, &l->items[i], ps, lang, &st->incidents[i]);
	page_bind_list(a, root, V_INCIDENTS, l);
	if (st->next_cursor != NULL)
		page_bind(a, root, V_NEXT_URL, next_url(a, st, lang));
}

/* ---- one incident ---- */

/* "165 B", "12.3 KB", "1.2 MB" */
static const char *
size_text(struct page_arena *a, long long n)
{
	if (n < 1024)
		return page_arena_printf(a, "%lld B", n < 0 ? 0 : n);
	if (n < 1024 * 1024)
		return page_arena_printf(a, "%.1f KB", n / 1024.0);
	return page_arena_printf(a, "%.1f MB", n / (1024.0 * 1024.0));
}

static void
bind_report(struct page_arena *a, struct page_scope *sc,
    const struct page_set *ps, int lang, const struct page_staff_report *r)
{
	bind_s(a, sc, V_ID, r->id);
	bind_s(a, sc, V_ANCHOR, r->id == NULL ? NULL :
	    page_arena_printf(a, "r-%s", r->id));
	bind_s(a, sc, V_CHANNEL_LABEL, msg_or_raw(ps, lang, r->channel,
	    "staff.channel."));
	bind_flag(a, sc, V_VERIFIED, r->verified);
	bind_flag(a, sc, V_AUTOMATIC, r->automatic);
	bind_flag(a, sc, V_CONFIDENTIAL, r->confidential);
	bind_s(a, sc, V_RECEIVED, r->received);
	page_bind(a, sc, V_CATEGORY_LABEL, category_label(ps, lang,
	    r->category));
	page_bind(a, sc, V_SEVERITY_LABEL, severity_label(ps, lang,
	    r->severity));
	bind_s(a, sc, V_TOKEN, r->token);
	bind_s(a, sc, V_REPORTER_NAME, r->reporter_name);
	bind_s(a, sc, V_ORGANIZATION, r->organization);
	bind_s(a, sc, V_REPORTER_EMAIL, r->reporter_email);
	bind_s(a, sc, V_REPORTER_PHONE, r->reporter_phone);
	bind_s(a, sc, V_AFFECTED_SYSTEM, r->affected_system);
	bind_s(a, sc, V_OPERATING_UNIT, r->operating_unit);
	bind_s(a, sc, V_SYSTEM_LEVEL, r->system_level);
	bind_s(a, sc, V_DETECTED_AT, r->detected_at);
	bind_s(a, sc, V_OCCURRED_AT, r->occurred_at);
	bind_s(a, sc, V_SUBJECT, r->subject);
	bind_s(a, sc, V_DESCRIPTION, r->description);
	bind_flag(a, sc, V_DESCRIPTION_CUT, r->description_cut);
	bind_indicators(a, sc, r->indicators, r->n_indicators);
	bind_s(a, sc, V_EVIDENCE_URL, r->id == NULL ? NULL : seg_url(a,
	    "/triage/reports/", r->id, "/evidence", lang));
	page_bind(a, sc, V_EVIDENCE_SIZE, size_text(a, r->evidence_bytes));
}

static void
bind_actions(struct page_arena *a, struct page_scope *root,
    const struct page_set *ps, int lang, const struct page_staff *st)
{
	const char	*id = st->incident->id, **labels;
	size_t		 i, n = st->next_statuses != NULL ?
			    st->n_next_statuses : 0;

	bind_flag(a, root, V_CAN_CLAIM, st->can_claim);
	bind_flag(a, root, V_CLAIMED_BY_USER, st->claimed_by_user);
	bind_flag(a, root, V_CAN_MERGE, st->can_merge);
	bind_flag(a, root, V_FORWARD, st->forward);
	bind_flag(a, root, V_CAN_ACT, st->can_claim || st->claimed_by_user ||
	    n > 0 || st->can_merge || st->forward);
	page_bind(a, root, V_CLAIM_ACTION, seg_url(a, "/triage/incidents/",
	    id, "/claim", lang));
	page_bind(a, root, V_RELEASE_ACTION, seg_url(a, "/triage/incidents/",
	    id, "/release", lang));
	page_bind(a, root, V_STATUS_ACTION, seg_url(a, "/triage/incidents/",
	    id, "/status", lang));
	page_bind(a, root, V_MERGE_ACTION, seg_url(a, "/triage/incidents/",
	    id, "/merge", lang));
	page_bind(a, root, V_FORWARD_ACTION, seg_url(a, "/triage/incidents/",
	    id, "/forward", lang));
	page_bind(a, root, V_NOTE, st->note);
	page_bind(a, root, V_MERGE_INTO, st->merge_into);
	if ((labels = page_arena_alloc(a, (n ? n : 1) *
	    sizeof(*labels))) == NULL)
		return;
	for (i = 0; i < n; i++)
		labels[i] = status_label(ps, lang, st->next_statuses[i]);
	bind_options(a, root, ps, lang, V_NEXT_STATUSES, NULL,
	    st->next_statuses, labels, n, NULL);
}

static void
bind_incident_page(struct page_arena *a, struct page_scope *root,
    const struct page_set *ps, int lang, const struct page_staff *st)
{
	struct page_list	*l;
	size_t			 i, n;

	if (st->incident == NULL)
		return;
	bind_incident(a, root, ps, lang, st->incident);
	bind_actions(a, root, ps, lang, st);
	bind_flag(a, root, V_REPORTS_CUT, st->reports_cut);
	n = st->reports != NULL ? st->n_reports : 0;
	if ((l = page_list_new(a, n, 32)) != NULL) {
		for (i = 0; i < n; i++)
			bind_report(a, &l->items[i], ps, lang,
			    &st->reports[i]);
		page_bind_list(a, root, V_REPORTS, l);
	}
	n = st->sources != NULL ? st->n_sources : 0;
	if ((l = page_list_new(a, n, 3)) != NULL) {
		for (i = 0; i < n; i++) {
			bind_s(a, &l->items[i], V_REPORTER,
			    st->sources[i].reporter);
			bind_s(a, &l->items[i], V_CHANNEL_LABEL, msg_or_raw(ps,
			    lang, st->sources[i].channel, "staff.channel."));
			page_bind(a, &l->items[i], V_TALLY, num(a,
			    st->sources[i].count));
		}
		page_bind_list(a, root, V_SOURCES, l);
	}
	n = st->timeline != NULL ? st->n_timeline : 0;
	if ((l = page_list_new(a, n, 6)) != NULL) {
		for (i = 0; i < n; i++) {
			bind_s(a, &l->items[i], V_AT, st->timeline[i].at);
			bind_s(a, &l->items[i], V_ACTOR, st->timeline[i].actor);
			bind_s(a, &l->items[i], V_ACTION_LABEL, msg_or_raw(ps,
			    lang, st->timeline[i].action, "staff.action."));
			bind_s(a, &l->items[i], V_OBJECT,
			    st->timeline[i].object);
			bind_s(a, &l->items[i], V_DETAIL,
			    st->timeline[i].detail);
			bind_s(a, &l->items[i], V_PEER, st->timeline[i].peer);
		}
		page_bind_list(a, root, V_TIMELINE, l);
	}
}

/* ---- statistics ---- */

/* "2 ngày 3 giờ", "4 h 05 min": seconds in words; -1 is "none". */
static const char *
duration_text(struct page_arena *a, const struct page_set *ps, int lang,
    long long s)
{
	const char	*d = page_msg_text(ps, lang, "staff.unit.day");
	const char	*h = page_msg_text(ps, lang, "staff.unit.hour");
	const char	*m = page_msg_text(ps, lang, "staff.unit.minute");

	if (s < 0)
		return page_msg_text(ps, lang, "staff.stats.none");
	if (s >= 86400)
		return page_arena_printf(a, "%lld %s %lld %s", s / 86400, d,
		    s % 86400 / 3600, h);
	if (s >= 3600)
		return page_arena_printf(a, "%lld %s %02lld %s", s / 3600, h,
		    s % 3600 / 60, m);
	if (s >= 60)
		return page_arena_printf(a, "%lld %s", s / 60, m);
	return page_arena_printf(a, "%lld %s", s, page_msg_text(ps, lang,
	    "staff.unit.second"));
}

/* label cut to STAFF_CHART_LABEL_MAX characters, with an ellipsis. */
static const char *
short_label(struct page_arena *a, const char *label)
{
	size_t	i, chars = 0;

	for (i = 0; label[i] != '\0'; i++)
		if (((unsigned char)label[i] & 0xC0) != 0x80 &&
		    ++chars > STAFF_CHART_LABEL_MAX)
			return page_arena_printf(a, "%.*s…", (int)i, label);
	return label;
}

/* A count's label in a chart: a category, a channel or a severity. */
static const char *
count_label(const struct page_set *ps, int lang, int var, const char *code)
{
	if (var == 1)
		return category_label(ps, lang, code);
	if (var == 2)
		return msg_or_raw(ps, lang, code, "staff.channel.");
	return severity_label(ps, lang, code);
}

static int
count_cmp(const void *x, const void *y)
{
	const struct page_staff_count *a = x, *b = y;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return strcmp(a->code != NULL ? a->code : "", b->code != NULL ?
	    b->code : "");
}

static long long
count_max(const struct page_staff_count *c, size_t n)
{
	long long	max = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		if (c[i].count > max)
			max = c[i].count;
	return max;
}

/*
 * A chart of horizontal bars, one row per count (largest first): the
 * label above its bar, the value after it. kind: 1 categories, 2
 * channels, 3 severities (kept in their order).
 */
static void
bind_bar_chart(struct page_arena *a, struct page_scope *sc,
    const struct page_set *ps, int lang, int kind,
    const struct page_staff_count *in, size_t n)
{
	struct page_staff_count	*c;
	struct page_list	*l;
	struct page_scope	*it;
	const char		*label;
	long long		 max;
	double			 w;
	size_t			 i;
	int			 top;

	if ((c = page_arena_alloc(a, (n ? n : 1) * sizeof(*c))) == NULL ||
	    (l = page_list_new(a, n, 11)) == NULL)
		return;
	if (n > 0)
		memcpy(c, in, n * sizeof(*c));
	if (kind != 3)
		qsort(c, n, sizeof(*c), count_cmp);
	max = count_max(c, n);
	page_bind(a, sc, V_SLUG, "rows");
	page_bind(a, sc, V_VIEWBOX, page_arena_printf(a, "0 0 %d %zu",
	    STAFF_CHART_W, n * STAFF_CHART_ROW + 4));
	page_bind(a, sc, V_AXIS_X1, "0.5");
	page_bind(a, sc, V_AXIS_Y1, "0");
	page_bind(a, sc, V_AXIS_X2, "0.5");
	page_bind(a, sc, V_AXIS_Y2, num(a, (long long)(n * STAFF_CHART_ROW +
	    4)));
	for (i = 0; i < n; i++) {
		it = &l->items[i];
		top = (int)i * STAFF_CHART_ROW;
		w = max > 0 ? (STAFF_CHART_W - 60.0) * c[i].count / max : 0;
		label = count_label(ps, lang, kind, c[i].code);
		label = label != NULL ? label : "";
		page_bind(a, it, V_X, "1");
		page_bind(a, it, V_Y, num(a, top + 18));
		page_bind(a, it, V_W, page_arena_printf(a, "%.1f", w));
		page_bind(a, it, V_H, "14");
		page_bind(a, it, V_LABEL, label);
		page_bind(a, it, V_SHORT, short_label(a, label));
		page_bind(a, it, V_VALUE_STR, num(a, c[i].count));
		page_bind(a, it, V_LABEL_X, "2");
		page_bind(a, it, V_LABEL_Y, num(a, top + 13));
		page_bind(a, it, V_VALUE_X, page_arena_printf(a, "%.1f",
		    w + 6));
		page_bind(a, it, V_VALUE_Y, num(a, top + 30));
	}
	page_bind_list(a, sc, V_BARS, l);
}

/* The short label of a week, from its first day "YYYY-MM-DD". */
static const char *
week_short(struct page_arena *a, int lang, const char *day)
{
	int	y, m, d;

	if (day == NULL || sscanf(day, "%d-%d-%d", &y, &m, &d) != 3)
		return "";
	return lang == LANG_EN ? page_arena_printf(a, "%02d-%02d", m, d) :
	    page_arena_printf(a, "%d/%d", d, m);
}

/*
 * A chart of columns, one per week in order: a label under every few,
 * and the value on top while there are few enough to read.
 */
static void
bind_week_chart(struct page_arena *a, struct page_scope *sc,
    const struct page_set *ps, int lang, const struct page_staff_count *c,
    size_t n)
{
	struct page_list	*l;
	struct page_scope	*it;
	const char		*week_of;
	long long		 max = count_max(c, n);
	double			 slot, bw, h, x, base = 10 + STAFF_CHART_COL_H;
	size_t			 i, every = (n + STAFF_COLUMN_LABELS - 1) /
				    STAFF_COLUMN_LABELS;

	if ((l = page_list_new(a, n, 11)) == NULL)
		return;
	slot = n > 0 ? (STAFF_CHART_W - 8.0) / n : 0;
	bw = slot * 0.8;
	week_of = page_msg_text(ps, lang, "staff.chart.week-of");
	page_bind(a, sc, V_SLUG, "columns");
	page_bind(a, sc, V_VIEWBOX, page_arena_printf(a, "0 0 %d %d",
	    STAFF_CHART_W, STAFF_CHART_COL_H + 34));
	page_bind(a, sc, V_AXIS_X1, "4");
	page_bind(a, sc, V_AXIS_Y1, page_arena_printf(a, "%.1f", base));
	page_bind(a, sc, V_AXIS_X2, num(a, STAFF_CHART_W - 4));
	page_bind(a, sc, V_AXIS_Y2, page_arena_printf(a, "%.1f", base));
	for (i = 0; i < n; i++) {
		it = &l->items[i];
		h = max > 0 ? (double)STAFF_CHART_COL_H * c[i].count / max : 0;
		x = 4 + slot * i + (slot - bw) / 2;
		page_bind(a, it, V_X, page_arena_printf(a, "%.1f", x));
		page_bind(a, it, V_Y, page_arena_printf(a, "%.1f", base - h));
		page_bind(a, it, V_W, page_arena_printf(a, "%.1f", bw));
		page_bind(a, it, V_H, page_arena_printf(a, "%.1f", h));
		page_bind(a, it, V_LABEL, page_arena_printf(a, "%s %s",
		    week_of, c[i].code != NULL ? c[i].code : ""));
		page_bind(a, it, V_VALUE_STR, num(a, c[i].count));
		bind_s(a, it, V_LABEL_X, i % every == 0 ?
		    page_arena_printf(a, "%.1f", x) : NULL);
		page_bind(a, it, V_LABEL_Y, page_arena_printf(a, "%.1f",
		    base + 16));
		page_bind(a, it, V_SHORT, week_short(a, lang, c[i].code));
		bind_s(a, it, V_VALUE_X, n <= STAFF_COLUMN_VALUES_MAX ?
		    page_arena_printf(a, "%.1f", x + bw / 2) : NULL);
		page_bind(a, it, V_VALUE_Y, page_arena_printf(a, "%.1f",
		    base - h - 3));
	}
	page_bind_list(a, sc, V_BARS, l);
}

static void
bind_charts(struct page_arena *a, struct page_scope *root,
    const struct page_set *ps, int lang, const struct page_staff *st)
{
	static const char *const titles[4] = {
		"staff.chart.week", "staff.chart.category",
		"staff.chart.channel", "staff.chart.severity"
	};
	static const char *const anchors[4] = {
		"chart-week", "chart-category", "chart-channel",
		"chart-severity"
	};
	struct page_list	*l;
	int			 k;

	if ((l = page_list_new(a, 4, 9)) == NULL)
		return;
	for (k = 0; k < 4; k++) {
		page_bind(a, &l->items[k], V_ANCHOR, anchors[k]);
		page_bind(a, &l->items[k], V_LABEL, page_msg_text(ps, lang,
		    titles[k]));
	}
	bind_week_chart(a, &l->items[0], ps, lang, st->by_week,
	    st->by_week != NULL ? st->n_by_week : 0);
	bind_bar_chart(a, &l->items[1], ps, lang, 1, st->by_category,
	    st->by_category != NULL ? st->n_by_category : 0);
	bind_bar_chart(a, &l->items[2], ps, lang, 2, st->by_channel,
	    st->by_channel != NULL ? st->n_by_channel : 0);
	bind_bar_chart(a, &l->items[3], ps, lang, 3, st->by_severity,
	    st->by_severity != NULL ? st->n_by_severity : 0);
	page_bind_list(a, root, V_CHARTS, l);
}

static void
bind_mau05(struct page_arena *a, struct page_scope *root,
    const struct page_staff *st)
{
	static const int vars[4] = {
		V_IN_HOUSE, V_DOMESTIC, V_FOREIGN, V_COORDINATOR
	};
	static const int totals[4] = {
		V_MAU05_IN_HOUSE, V_MAU05_DOMESTIC, V_MAU05_FOREIGN,
		V_MAU05_COORDINATOR
	};
	const struct page_staff_mau05	*r;
	struct page_list		*l;
	long long			 sum[5] = { 0 };
	size_t				 i, n = st->mau05 != NULL ?
					    st->n_mau05 : 0;
	int				 k;

	if ((l = page_list_new(a, n, 8)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		r = &st->mau05[i];
		page_bind(a, &l->items[i], V_ANCHOR, page_arena_printf(a,
		    "mau05-%d", r->row));
		page_bind(a, &l->items[i], V_ROW, num(a, r->row));
		bind_s(a, &l->items[i], V_LABEL, r->label);
		page_bind(a, &l->items[i], V_TALLY, num(a, r->count));
		sum[4] += r->count;
		for (k = 0; k < 4; k++) {
			page_bind(a, &l->items[i], vars[k], num(a,
			    r->handled[k]));
			sum[k] += r->handled[k];
		}
	}
	page_bind_list(a, root, V_MAU05, l);
	page_bind(a, root, V_MAU05_COUNT, num(a, sum[4]));
	for (k = 0; k < 4; k++)
		page_bind(a, root, totals[k], num(a, sum[k]));
}

static void
bind_stats(struct page_arena *a, struct page_scope *root,
    const struct page_set *ps, int lang, const struct page_staff *st)
{
	struct page_list	*l;
	struct page_buf		 b;
	size_t			 i, n = st->period_links != NULL ?
				    st->n_period_links : 0;

	page_bind(a, root, V_STATS_ACTION, "/triage/stats");
	page_bind(a, root, V_PERIOD, st->period);
	if ((l = page_list_new(a, n, 2)) != NULL) {
		for (i = 0; i < n; i++) {
			page_buf_init(&b);
			page_buf_append(&b, "/triage/stats?period=", 21);
			page_url_encode(&b, st->period_links[i],
			    strlen(st->period_links[i]), 2);
			page_buf_append(&b, "&lang=", 6);
			page_buf_append(&b, page_lang_names[lang], 2);
			page_bind(a, &l->items[i], V_URL, page_arena_buf(a,
			    &b));
			bind_s(a, &l->items[i], V_LABEL, st->period_links[i]);
		}
		page_bind_list(a, root, V_PERIODS, l);
	}
	if (st->period == NULL || st->period_from == NULL)
		return;
	page_bind(a, root, V_PERIOD_FROM, st->period_from);
	page_bind(a, root, V_PERIOD_TO, st->period_to);
	page_bind(a, root, V_TOTAL, num(a, st->total));
	page_bind(a, root, V_VERIFIED_TOTAL, num(a, st->verified));
	page_bind(a, root, V_MEDIAN_CLAIM, duration_text(a, ps, lang,
	    st->median_claim));
	page_bind(a, root, V_MEDIAN_RESOLVE, duration_text(a, ps, lang,
	    st->median_resolve));
	bind_mau05(a, root, st);
	bind_charts(a, root, ps, lang, st);
}

void
page_staff_bind(struct page_arena *a, struct page_scope *root,
    const struct page_set *ps, enum page_id id, int lang,
    const struct page_vars *v)
{
	if (v->staff == NULL)
		return;
	bind_common(a, root, ps, id, lang, v);
	switch (id) {
	case PAGE_STAFF_QUEUE:
		bind_queue(a, root, ps, lang, v->staff);
		break;
	case PAGE_STAFF_INCIDENT:
		bind_incident_page(a, root, ps, lang, v->staff);
		break;
	case PAGE_STAFF_STATS:
		bind_stats(a, root, ps, lang, v->staff);
		break;
	default:
		break;
	}
}
