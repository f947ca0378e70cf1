/*
 * page_tmpl.c - templates parsed once at start-up into a flat node array
 * (text, value, message, section with the index just past its end, the
 * layout's body slot), with every check page.h promises: names known and
 * used inside their list, message keys in the catalogue, sections closed
 * in order, nested at most PAGE_DEPTH_MAX deep.
 *
 * A small HTML scanner follows the template text meanwhile: a value or a
 * message may only sit in text or in a quoted attribute value (where
 * page_escape_append() makes it inert); one that starts an href, src or
 * action value is marked for the URL check at render time; <script>,
 * <style> and friends, style= and on*= attributes and javascript: URLs are
 * refused. The scanner reads section markers as if both branches were
 * taken, which is enough for templates we write ourselves.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "page_int.h"

struct var_def {
	const char	*name;
	int		 list;	/* the list it names, -1: a string */
	unsigned	 scope;	/* IN(L_ROOT), or the lists whose items
				   bind it */
};

static const struct var_def var_defs[V_FIXED] = {
	[V_LANG] =		{ "lang", -1, IN(L_ROOT) },
	[V_SWITCH_LANG] =	{ "switch_lang", -1, IN(L_ROOT) },
	[V_SWITCH_URL] =	{ "switch_url", -1, IN(L_ROOT) },
	[V_TITLE] =		{ "title", -1, IN(L_ROOT) },
	[V_STYLE_URL] =		{ "style_url", -1, IN(L_ROOT) },
	[V_HOME_URL] =		{ "home_url", -1, IN(L_ROOT) },
	[V_REPORT_URL] =	{ "report_url", -1, IN(L_ROOT) },
	[V_NOINDEX] =		{ "noindex", -1, IN(L_ROOT) },
	[V_ORG] =		{ "org", -1, IN(L_ROOT) },
	[V_PHONE] =		{ "phone", -1, IN(L_ROOT) },
	[V_PHONE_TEL] =		{ "phone_tel", -1, IN(L_ROOT) },
	[V_HOURS] =		{ "hours", -1, IN(L_ROOT) },
	[V_EMAILS] =		{ "emails", L_EMAILS, IN(L_ROOT) },
	[V_ADDRESS] =		{ "address", -1, IN(L_EMAILS) },
	[V_LINE_ENDPOINT] =	{ "line_endpoint", -1, IN(L_ROOT) },
	[V_LINE_TLS_ENDPOINT] =	{ "line_tls_endpoint", -1, IN(L_ROOT) },
	[V_ENCRYPTION_URL] =	{ "encryption_url", -1, IN(L_ROOT) },
	[V_POLICY_URL] =	{ "policy_url", -1, IN(L_ROOT) },
	[V_CSRF] =		{ "csrf", -1, IN(L_ROOT) },
	[V_FORM_ACTION] =	{ "form_action", -1, IN(L_ROOT) },
	[V_HAS_ERRORS] =	{ "has_errors", -1, IN(L_ROOT) },
	[V_ERRORS] =		{ "errors", L_ERRORS, IN(L_ROOT) },
	[V_ANCHOR] =		{ "anchor", -1, IN(L_ERRORS) | IN(L_REPORTS) |
				    IN(L_MAU05) | IN(L_CHARTS) },
	[V_LABEL] =		{ "label", -1, IN(L_ERRORS) |
				    IN(L_CATEGORIES) | IN(L_CAUSES) |
				    IN(L_SEVERITIES) | IN(L_LEVELS) |
				    IN(L_OPTIONS) | IN(L_MAU05) | IN(L_CHARTS) |
				    IN(L_BARS) | IN(L_LINKS) },
	[V_MESSAGE] =		{ "message", -1, IN(L_ERRORS) },
	[V_MAX_UPLOAD] =	{ "max_upload", -1, IN(L_ROOT) },
	[V_CAUSES] =		{ "causes", L_CAUSES, IN(L_ROOT) },
	[V_CATEGORIES] =	{ "categories", L_CATEGORIES, IN(L_CAUSES) },
	[V_CODE] =		{ "code", -1, IN(L_CATEGORIES) |
				    IN(L_SEVERITIES) | IN(L_LEVELS) |
				    IN(L_OPTIONS) },
	[V_SELECTED] =		{ "selected", -1, IN(L_CATEGORIES) |
				    IN(L_OPTIONS) },
	[V_SEVERITIES] =	{ "severities", L_SEVERITIES, IN(L_ROOT) },
	[V_LEVELS] =		{ "levels", L_LEVELS, IN(L_ROOT) },
	[V_SLUG] =		{ "slug", -1, IN(L_SEVERITIES) |
				    IN(L_LEVELS) | IN(L_CHARTS) },
	[V_TEXT] =		{ "text", -1, IN(L_SEVERITIES) |
				    IN(L_LEVELS) },
	[V_CHECKED] =		{ "checked", -1, IN(L_SEVERITIES) |
				    IN(L_LEVELS) },
	[V_CONFIDENTIAL_CHECKED] = { "confidential_checked", -1, IN(L_ROOT) },
	[V_REPORT_ID] =		{ "report_id", -1, IN(L_ROOT) },
	[V_RECEIVED] =		{ "received", -1, IN(L_ROOT) | IN(L_REPORTS) },
	[V_STATUS_LABEL] =	{ "status_label", -1, IN(L_ROOT) |
				    IN(L_INCIDENTS) },
	[V_STATUS_TEXT] =	{ "status_text", -1, IN(L_ROOT) },
	[V_VERIFIED] =		{ "verified", -1, IN(L_ROOT) |
				    IN(L_INCIDENTS) | IN(L_REPORTS) },
	[V_VERIFY_SENT] =	{ "verify_sent", -1, IN(L_ROOT) },
	[V_VERIFY_ACTION] =	{ "verify_action", -1, IN(L_ROOT) },
	[V_STATUS_CODE] =	{ "status_code", -1, IN(L_ROOT) },
	[V_ERROR_TEXT] =	{ "error_text", -1, IN(L_ROOT) },
#define R	IN(L_ROOT)
#define INC	(IN(L_ROOT) | IN(L_INCIDENTS))
#define REP	IN(L_REPORTS)
	[V_STAFF_USER] =	{ "staff_user", -1, R },
	[V_STAFF_QUEUE_URL] =	{ "staff_queue_url", -1, R },
	[V_STAFF_PHONE_URL] =	{ "staff_phone_url", -1, R },
	[V_STAFF_STATS_URL] =	{ "staff_stats_url", -1, R },
	[V_STAFF_LOGOUT_URL] =	{ "staff_logout_url", -1, R },
	[V_STAFF_NOTICE] =	{ "staff_notice", -1, R },
	[V_STAFF_NOTICE_OK] =	{ "staff_notice_ok", -1, R },
	[V_STAFF_NOTICE_DETAIL] = { "staff_notice_detail", -1, R },
	[V_STAFF_TZ] =		{ "staff_tz", -1, R },
	[V_QUEUE_ACTION] =	{ "queue_action", -1, R },
	[V_STATUS_OPTIONS] =	{ "status_options", L_OPTIONS, R },
	[V_CATEGORY_OPTIONS] =	{ "category_options", L_OPTIONS, R },
	[V_SEVERITY_OPTIONS] =	{ "severity_options", L_OPTIONS, R },
	[V_VERIFIED_OPTIONS] =	{ "verified_options", L_OPTIONS, R },
	[V_CHANNEL_OPTIONS] =	{ "channel_options", L_OPTIONS, R },
	[V_SINCE] =		{ "since", -1, R },
	[V_UNTIL] =		{ "until", -1, R },
	[V_Q] =			{ "q", -1, R },
	[V_SHOWN] =		{ "shown", -1, R },
	[V_INCIDENTS] =		{ "incidents", L_INCIDENTS, R },
	[V_NEXT_URL] =		{ "next_url", -1, R },
	[V_ID] =		{ "id", -1, INC | REP },
	[V_URL] =		{ "url", -1, IN(L_INCIDENTS) | IN(L_LINKS) },
	[V_CATEGORY_LABEL] =	{ "category_label", -1, INC | REP },
	[V_SEVERITY_LABEL] =	{ "severity_label", -1, INC | REP },
	[V_SERIOUS] =		{ "serious", -1, INC },
	[V_OVERDUE] =		{ "overdue", -1, INC },
	[V_REPORT_COUNT] =	{ "report_count", -1, INC },
	[V_FIRST_SEEN] =	{ "first_seen", -1, INC },
	[V_LAST_SEEN] =		{ "last_seen", -1, INC },
	[V_CHANNELS] =		{ "channels", -1, INC },
	[V_DUE] =		{ "due", -1, INC },
	[V_DEADLINE_LABEL] =	{ "deadline_label", -1, INC },
	[V_CLAIMED_BY] =	{ "claimed_by", -1, INC },
	[V_CLAIM_EXPIRES] =	{ "claim_expires", -1, INC },
	[V_MERGED_INTO] =	{ "merged_into", -1, INC },
	[V_MERGED_URL] =	{ "merged_url", -1, INC },
	[V_SYSTEM_LEVEL] =	{ "system_level", -1, INC | REP },
	[V_DETECTED_AT] =	{ "detected_at", -1, INC | REP },
	[V_RESOLVED_AT] =	{ "resolved_at", -1, INC },
	[V_NOTIFIED_AT] =	{ "notified_at", -1, INC },
	[V_HANDLING_LABEL] =	{ "handling_label", -1, INC },
	[V_INDICATORS] =	{ "indicators", L_INDICATORS, INC | REP },
	[V_TYPE] =		{ "type", -1, IN(L_INDICATORS) },
	[V_VALUE_STR] =		{ "value", -1, IN(L_INDICATORS) | IN(L_BARS) },
	[V_CAN_ACT] =		{ "can_act", -1, R },
	[V_CAN_CLAIM] =		{ "can_claim", -1, R },
	[V_CAN_MERGE] =		{ "can_merge", -1, R },
	[V_CLAIMED_BY_USER] =	{ "claimed_by_user", -1, R },
	[V_CLAIM_ACTION] =	{ "claim_action", -1, R },
	[V_RELEASE_ACTION] =	{ "release_action", -1, R },
	[V_STATUS_ACTION] =	{ "status_action", -1, R },
	[V_MERGE_ACTION] =	{ "merge_action", -1, R },
	[V_FORWARD_ACTION] =	{ "forward_action", -1, R },
	[V_FORWARD] =		{ "forward", -1, R },
	[V_NEXT_STATUSES] =	{ "next_statuses", L_OPTIONS, R },
	[V_NOTE] =		{ "note", -1, R },
	[V_MERGE_INTO] =	{ "merge_into", -1, R },
	[V_REPORTS] =		{ "reports", L_REPORTS, R },
	[V_REPORTS_CUT] =	{ "reports_cut", -1, R },
	[V_CHANNEL_LABEL] =	{ "channel_label", -1, REP |
				    IN(L_SOURCES) },
	[V_AUTOMATIC] =		{ "automatic", -1, REP },
	[V_CONFIDENTIAL] =	{ "confidential", -1, REP },
	[V_TOKEN] =		{ "token", -1, REP },
	[V_REPORTER_NAME] =	{ "reporter_name", -1, REP },
	[V_ORGANIZATION] =	{ "organization", -1, REP },
	[V_REPORTER_EMAIL] =	{ "reporter_email", -1, REP },
	[V_REPORTER_PHONE] =	{ "reporter_phone", -1, REP },
	[V_AFFECTED_SYSTEM] =	{ "affected_system", -1, REP },
	[V_OPERATING_UNIT] =	{ "operating_unit", -1, REP },
	[V_OCCURRED_AT] =	{ "occurred_at", -1, REP },
	[V_SUBJECT] =		{ "subject", -1, REP },
	[V_DESCRIPTION] =	{ "description", -1, REP },
	[V_DESCRIPTION_CUT] =	{ "description_cut", -1, REP },
	[V_EVIDENCE_URL] =	{ "evidence_url", -1, REP },
	[V_EVIDENCE_SIZE] =	{ "evidence_size", -1, REP },
	[V_SOURCES] =		{ "sources", L_SOURCES, R },
	[V_REPORTER] =		{ "reporter", -1, IN(L_SOURCES) },
	[V_TALLY] =		{ "count", -1, IN(L_SOURCES) | IN(L_MAU05) },
	[V_TIMELINE] =		{ "timeline", L_TIMELINE, R },
	[V_AT] =		{ "at", -1, IN(L_TIMELINE) },
	[V_ACTOR] =		{ "actor", -1, IN(L_TIMELINE) },
	[V_ACTION_LABEL] =	{ "action_label", -1, IN(L_TIMELINE) },
	[V_OBJECT] =		{ "object", -1, IN(L_TIMELINE) },
	[V_DETAIL] =		{ "detail", -1, IN(L_TIMELINE) },
	[V_PEER] =		{ "peer", -1, IN(L_TIMELINE) },
	[V_STATS_ACTION] =	{ "stats_action", -1, R },
	[V_PERIOD] =		{ "period", -1, R },
	[V_PERIODS] =		{ "periods", L_LINKS, R },
	[V_PERIOD_FROM] =	{ "period_from", -1, R },
	[V_PERIOD_TO] =		{ "period_to", -1, R },
	[V_TOTAL] =		{ "total", -1, R },
	[V_VERIFIED_TOTAL] =	{ "verified_total", -1, R },
	[V_MEDIAN_CLAIM] =	{ "median_claim", -1, R },
	[V_MEDIAN_RESOLVE] =	{ "median_resolve", -1, R },
	[V_MAU05] =		{ "mau05", L_MAU05, R },
	[V_ROW] =		{ "row", -1, IN(L_MAU05) },
	[V_IN_HOUSE] =		{ "in_house", -1, IN(L_MAU05) },
	[V_DOMESTIC] =		{ "domestic", -1, IN(L_MAU05) },
	[V_FOREIGN] =		{ "foreign", -1, IN(L_MAU05) },
	[V_COORDINATOR] =	{ "coordinator", -1, IN(L_MAU05) },
	[V_MAU05_COUNT] =	{ "mau05_count", -1, R },
	[V_MAU05_IN_HOUSE] =	{ "mau05_in_house", -1, R },
	[V_MAU05_DOMESTIC] =	{ "mau05_domestic", -1, R },
	[V_MAU05_FOREIGN] =	{ "mau05_foreign", -1, R },
	[V_MAU05_COORDINATOR] =	{ "mau05_coordinator", -1, R },
	[V_CHARTS] =		{ "charts", L_CHARTS, R },
	[V_VIEWBOX] =		{ "viewbox", -1, IN(L_CHARTS) },
	[V_AXIS_X1] =		{ "axis_x1", -1, IN(L_CHARTS) },
	[V_AXIS_Y1] =		{ "axis_y1", -1, IN(L_CHARTS) },
	[V_AXIS_X2] =		{ "axis_x2", -1, IN(L_CHARTS) },
	[V_AXIS_Y2] =		{ "axis_y2", -1, IN(L_CHARTS) },
	[V_BARS] =		{ "bars", L_BARS, IN(L_CHARTS) },
	[V_X] =			{ "x", -1, IN(L_BARS) },
	[V_Y] =			{ "y", -1, IN(L_BARS) },
	[V_W] =			{ "w", -1, IN(L_BARS) },
	[V_H] =			{ "h", -1, IN(L_BARS) },
	[V_SHORT] =		{ "short", -1, IN(L_BARS) },
	[V_LABEL_X] =		{ "label_x", -1, IN(L_BARS) },
	[V_LABEL_Y] =		{ "label_y", -1, IN(L_BARS) },
	[V_VALUE_X] =		{ "value_x", -1, IN(L_BARS) },
	[V_VALUE_Y] =		{ "value_y", -1, IN(L_BARS) },
#undef R
#undef INC
#undef REP
};

enum hs_state {
	HS_DATA, HS_TAG_OPEN, HS_TAG_NAME, HS_BEFORE_ATTR, HS_ATTR_NAME,
	HS_AFTER_ATTR, HS_BEFORE_VALUE, HS_VAL_DQ, HS_VAL_SQ, HS_VAL_UNQ,
	HS_BANG, HS_BANG_DASH, HS_COMMENT, HS_DECL
};

struct hscan {
	enum hs_state	 state;
	char		 name[16];	/* tag or attribute name, lower */
	size_t		 nlen;
	int		 url_attr;	/* the attribute takes a URL */
	int		 val_empty;	/* nothing in its value yet */
	int		 dashes;	/* '-' just seen in a comment */
	const char	*why;
};

static int	 hs_end_name(struct hscan *, int);
static int	 hs_space(int);
static int	 hs_text(struct hscan *, const char *, size_t, size_t *);
static int	 hs_value(struct hscan *, int *);
static int	 hs_marker(struct hscan *);
static int	 var_find(const char *, size_t);
static unsigned	 var_scope(int);
static int	 var_list(int);
static size_t	 line_of(const char *, size_t);
static int	 push_node(struct page_tmpl *, size_t *,
		    const struct page_node *);

/*
 * A tag or attribute name has ended: refuse what the Content-Security-
 * Policy would block or what could run code. attr: it was an attribute.
 */
static int
hs_end_name(struct hscan *h, int attr)
{
	static const char *const bad_tags[] = {
		"script", "style", "iframe", "object", "embed", "base", "frame"
	};
	static const char *const url_attrs[] = {
		"href", "src", "action", "formaction", "cite", "poster",
		"data", "ping", "srcset", "manifest", "background"
	};
	size_t	i;

	h->name[h->nlen < sizeof(h->name) ? h->nlen : sizeof(h->name) - 1] =
	    '\0';
	if (!attr) {
		for (i = 0; i < sizeof(bad_tags) / sizeof(bad_tags[0]); i++)
			if (strcmp(h->name, bad_tags[i]) == 0) {
				h->why = "forbidden element";
				return -1;
			}
		return 0;
	}
	if (strcmp(h->name, "style") == 0) {
		h->why = "style attribute (use the stylesheet)";
		return -1;
	}
	if (h->name[0] == 'o' && h->name[1] == 'n') {
		h->why = "event handler attribute";
		return -1;
	}
	h->url_attr = 0;
	for (i = 0; i < sizeof(url_attrs) / sizeof(url_attrs[0]); i++)
		if (strcmp(h->name, url_attrs[i]) == 0)
			h->url_attr = 1;
	return 0;
}

static int
hs_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/*
 * Follow template text s[0..len). Returns 0, or -1 with h->why and *at set
 * to the offset of the offending byte.
 */
static int
hs_text(struct hscan *h, const char *s, size_t len, size_t *at)
{
	size_t	i;
	int	c;

	for (i = 0; i < len; i++) {
		c = tolower((unsigned char)s[i]);
		*at = i;
		switch (h->state) {
		case HS_DATA:
			if (c == '<')
				h->state = HS_TAG_OPEN;
			break;
		case HS_TAG_OPEN:
			h->nlen = 0;
			if (c == '!')
				h->state = HS_BANG;
			else if (c == '/')
				;	/* an end tag: its name follows */
			else if (c >= 'a' && c <= 'z') {
				h->name[h->nlen++] = c;
				h->state = HS_TAG_NAME;
			} else
				h->state = HS_DATA;
			break;
		case HS_TAG_NAME:
		case HS_ATTR_NAME:
			if (hs_space(c) || c == '/' || c == '>' || c == '=') {
				if (hs_end_name(h, h->state == HS_ATTR_NAME))
					return -1;
				if (c == '>')
					h->state = HS_DATA;
				else if (c == '=' && h->state == HS_ATTR_NAME)
					h->state = HS_BEFORE_VALUE;
				else if (h->state == HS_ATTR_NAME)
					h->state = HS_AFTER_ATTR;
				else
					h->state = HS_BEFORE_ATTR;
			} else if (h->nlen < sizeof(h->name) - 1)
				h->name[h->nlen++] = c;
			break;
		case HS_BEFORE_ATTR:
		case HS_AFTER_ATTR:
			if (c == '>')
				h->state = HS_DATA;
			else if (c == '=' && h->state == HS_AFTER_ATTR)
				h->state = HS_BEFORE_VALUE;
			else if (!hs_space(c) && c != '/') {
				h->nlen = 0;
				h->name[h->nlen++] = c;
				h->state = HS_ATTR_NAME;
			}
			break;
		case HS_BEFORE_VALUE:
			h->val_empty = 1;
			if (c == '"')
				h->state = HS_VAL_DQ;
			else if (c == '\'')
				h->state = HS_VAL_SQ;
			else if (c == '>')
				h->state = HS_DATA;
			else if (!hs_space(c))
				h->state = HS_VAL_UNQ;
			break;
		case HS_VAL_DQ:
		case HS_VAL_SQ:
			if (c == (h->state == HS_VAL_DQ ? '"' : '\''))
				h->state = HS_BEFORE_ATTR;
			else
				h->val_empty = 0;
			break;
		case HS_VAL_UNQ:
			if (hs_space(c))
				h->state = HS_BEFORE_ATTR;
			else if (c == '>')
				h->state = HS_DATA;
			break;
		case HS_BANG:
			h->state = c == '-' ? HS_BANG_DASH : HS_DECL;
			break;
		case HS_BANG_DASH:
			h->state = c == '-' ? HS_COMMENT : HS_DECL;
			h->dashes = 0;
			break;
		case HS_COMMENT:
			if (c == '>' && h->dashes >= 2)
				h->state = HS_DATA;
			h->dashes = c == '-' ? h->dashes + 1 : 0;
			break;
		case HS_DECL:
			if (c == '>')
				h->state = HS_DATA;
			break;
		}
		if (c == 'j' && len - i >= 11 &&
		    strncasecmp(s + i, "javascript:", 11) == 0) {
			h->why = "javascript: URL";
			return -1;
		}
	}
	return 0;
}

/* A value or message placeholder here: allowed? *url: starts a URL. */
static int
hs_value(struct hscan *h, int *url)
{
	*url = 0;
	switch (h->state) {
	case HS_DATA:
		return 0;
	case HS_VAL_DQ:
	case HS_VAL_SQ:
		*url = h->url_attr && h->val_empty;
		h->val_empty = 0;
		return 0;
	default:
		h->why = "placeholder outside text or a quoted attribute value";
		return -1;
	}
}

/* A section marker here: allowed? It ends a tag or attribute name. */
static int
hs_marker(struct hscan *h)
{
	switch (h->state) {
	case HS_TAG_NAME:
	case HS_ATTR_NAME:
		if (hs_end_name(h, h->state == HS_ATTR_NAME))
			return -1;
		h->state = h->state == HS_ATTR_NAME ? HS_AFTER_ATTR :
		    HS_BEFORE_ATTR;
		return 0;
	case HS_TAG_OPEN:
	case HS_BEFORE_VALUE:
	case HS_VAL_UNQ:
		h->why = "section marker inside a tag name or unquoted value";
		return -1;
	default:
		return 0;
	}
}

/* The var id of name[0..len), or -1. */
static int
var_find(const char *name, size_t len)
{
	size_t	i, pre;
	int	v;

	for (v = 0; v < V_FIXED; v++)
		if (strlen(var_defs[v].name) == len &&
		    memcmp(var_defs[v].name, name, len) == 0)
			return v;
	for (i = 0; i < PAGE_NFIELDS; i++) {
		pre = len > 6 && memcmp(name, "value.", 6) == 0 ? 6 :
		    len > 6 && memcmp(name, "error.", 6) == 0 ? 6 : 0;
		if (pre == 0 || strlen(page_form_fields[i]) != len - pre ||
		    memcmp(page_form_fields[i], name + pre, len - pre) != 0)
			continue;
		return name[0] == 'v' ? V_VALUE(i) : V_ERROR(i);
	}
	return -1;
}

/* Where a var is bound: IN(L_ROOT) for value.* and error.*. */
static unsigned
var_scope(int v)
{
	return v < V_FIXED ? var_defs[v].scope : IN(L_ROOT);
}

static int
var_list(int v)
{
	return v < V_FIXED ? var_defs[v].list : -1;
}

static size_t
line_of(const char *s, size_t off)
{
	size_t	i, line = 1;

	for (i = 0; i < off; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

static int
push_node(struct page_tmpl *t, size_t *cap, const struct page_node *n)
{
	struct page_node	*nn;

	if (t->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if ((nn = realloc(t->nodes, *cap * sizeof(*nn))) == NULL)
			return -1;
		t->nodes = nn;
	}
	t->nodes[t->n++] = *n;
	return 0;
}

/*
 * Parse template ti from buf[0..len) into ps->tmpl[ti], checking every
 * name and key, the sections' nesting and the HTML context of each
 * placeholder. Returns 0, or -1 with "NAME:LINE: why" in err.
 */
int
page_tmpl_parse(struct page_set *ps, enum page_tmpl_id ti, const char *buf,
    size_t len, char *err, size_t errlen)
{
	struct page_tmpl	*t = &ps->tmpl[ti];
	const char	*src = page_tmpl_names[ti], *p, *open, *close, *name;
	struct hscan	 hs;
	struct page_node	 n;
	size_t		 cap = 0, at, nlen, stack[PAGE_DEPTH_MAX];
	size_t		 opened[PAGE_DEPTH_MAX];
	unsigned	 mask[PAGE_DEPTH_MAX + 1];
	int		 depth = 0, slots = 0, v, url;
	char		 sigil, key[PAGE_NAME_MAX + 1];

	memset(&hs, 0, sizeof(hs));
	mask[0] = IN(L_ROOT);
	if ((t->text = malloc(len + 1)) == NULL)
		goto nomem;
	memcpy(t->text, buf, len);
	t->text[len] = '\0';
	t->len = len;
	if (memchr(t->text, '\0', len) != NULL ||
	    !page_text_ok(t->text, len, 1)) {
		page_seterr(err, errlen, src, 0, "NUL, invalid UTF-8 or "
		    "control character");
		return -1;
	}
	for (p = t->text; p < t->text + len; p = close + 2) {
		open = strstr(p, "{{");
		if (open == NULL)
			open = t->text + len;
		if (open > p) {
			if (hs_text(&hs, p, open - p, &at) == -1) {
				page_seterr(err, errlen, src,
				    line_of(t->text, p - t->text + at), "%s",
				    hs.why);
				return -1;
			}
			memset(&n, 0, sizeof(n));
			n.kind = N_TEXT;
			n.s = p;
			n.len = open - p;
			if (push_node(t, &cap, &n) == -1)
				goto nomem;
		}
		if (open == t->text + len)
			break;
		if ((close = strstr(open + 2, "}}")) == NULL) {
			page_seterr(err, errlen, src,
			    line_of(t->text, open - t->text), "{{ without }}");
			return -1;
		}
		sigil = open[2];
		if (sigil != '\0' && strchr("#?^/@>", sigil) != NULL)
			name = open + 3;
		else {
			sigil = '=';
			name = open + 2;
		}
		nlen = close - name;
		for (at = 0; at < nlen; at++)
			if (!page_name_char((unsigned char)name[at]))
				break;
		if (nlen == 0 || at < nlen || nlen > PAGE_NAME_MAX) {
			page_seterr(err, errlen, src,
			    line_of(t->text, open - t->text),
			    "bad placeholder \"%.*s\"", (int)(close + 2 - open),
			    open);
			return -1;
		}
		memcpy(key, name, nlen);
		key[nlen] = '\0';
		memset(&n, 0, sizeof(n));
		switch (sigil) {
		case '@':
			if (hs_value(&hs, &url) == -1)
				goto html;
			if ((n.id = page_msg_find(ps, key)) == -1) {
				page_seterr(err, errlen, src,
				    line_of(t->text, open - t->text),
				    "message \"%s\" not in messages.tsv", key);
				return -1;
			}
			n.kind = N_MSG;
			break;
		case '>':
			if (ti != T_LAYOUT || strcmp(key, "body") != 0 ||
			    depth != 0 || hs.state != HS_DATA || slots++) {
				page_seterr(err, errlen, src,
				    line_of(t->text, open - t->text),
				    "{{>body}} goes once in the layout, in "
				    "text, outside sections");
				return -1;
			}
			n.kind = N_SLOT;
			break;
		case '/':
			if (hs_marker(&hs) == -1)
				goto html;
			if (depth == 0 ||
			    t->nodes[stack[depth - 1]].id !=
			    var_find(name, nlen)) {
				page_seterr(err, errlen, src,
				    line_of(t->text, open - t->text),
				    "{{/%s}} closes no open section", key);
				return -1;
			}
			depth--;
			t->nodes[stack[depth]].end = t->n;
			continue;
		default:
			v = var_find(name, nlen);
			if (v == -1 || !(var_scope(v) & mask[depth])) {
				page_seterr(err, errlen, src,
				    line_of(t->text, open - t->text),
				    v == -1 ? "unknown name \"%s\"" :
				    "\"%s\" used outside its list", key);
				return -1;
			}
			n.id = v;
			if (sigil == '=') {
				if (var_list(v) != -1) {
					page_seterr(err, errlen, src,
					    line_of(t->text, open - t->text),
					    "\"%s\" is a list: use {{#%s}}",
					    key, key);
					return -1;
				}
				if (hs_value(&hs, &url) == -1)
					goto html;
				n.kind = N_VAR;
				n.url = url;
				break;
			}
			if (hs_marker(&hs) == -1)
				goto html;
			if (sigil == '#' && var_list(v) == -1) {
				page_seterr(err, errlen, src,
				    line_of(t->text, open - t->text),
				    "\"%s\" is not a list: use {{?%s}}", key,
				    key);
				return -1;
			}
			if (depth == PAGE_DEPTH_MAX) {
				page_seterr(err, errlen, src,
				    line_of(t->text, open - t->text),
				    "sections nested too deep");
				return -1;
			}
			n.kind = sigil == '#' ? N_EACH : sigil == '?' ? N_IF :
			    N_IFNOT;
			mask[depth + 1] = mask[depth] |
			    (sigil == '#' ? IN(var_list(v)) : 0);
			opened[depth] = open - t->text;
			stack[depth++] = t->n;
			break;
		}
		if (push_node(t, &cap, &n) == -1)
			goto nomem;
	}
	if (depth > 0) {
		page_seterr(err, errlen, src,
		    line_of(t->text, opened[depth - 1]), "section not closed");
		return -1;
	}
	if (hs.state != HS_DATA) {
		page_seterr(err, errlen, src, 0,
		    "ends inside a tag or comment");
		return -1;
	}
	if (ti == T_LAYOUT && slots == 0) {
		page_seterr(err, errlen, src, 0, "no {{>body}}");
		return -1;
	}
	return 0;
html:
	page_seterr(err, errlen, src, line_of(t->text, open - t->text), "%s",
	    hs.why);
	return -1;
nomem:
	page_seterr(err, errlen, src, 0, "out of memory");
	return -1;
}
