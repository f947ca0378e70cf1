/*
 * store_queue.c - the triage API's reads (see store_queue.h): the queue
 * page and one incident's detail, on a reader connection.
 *
 * A queue request is one of a few statement shapes: which filters it has
 * picks fixed fragments of SQL (never text from the request, which is
 * only ever bound), and the statement of each shape is kept with the
 * connection under a key made of those bits. The default queue (verified,
 * open) is written so that the planner takes the partial index kept for
 * it; the others walk the index on last activity and filter.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "lifecycle.h"
#include "store.h"
#include "store_queue.h"
#include "store_read.h"
#include "util.h"
#include "store_sql.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Which fragments a queue statement has: the bits of its key. */
enum {
	QF_STATUSES	= 0x001,
	QF_OPEN		= 0x002,	/* no status filter: the open ones */
	QF_VERIFIED	= 0x004,
	QF_UNVERIFIED	= 0x008,
	QF_CATEGORIES	= 0x010,
	QF_SEVERITIES	= 0x020,
	QF_CHANNELS	= 0x040,
	QF_SINCE	= 0x080,
	QF_UNTIL	= 0x100,
	QF_TEXT		= 0x200,
	QF_CURSOR	= 0x400
};

/*
 * The fragments, in the order they are joined with AND. Parameters: ?1
 * statuses, ?20.. categories, ?3 severities (ranks, ",3,4,"), ?4 channels,
 * ?5 since, ?6 until, ?7 q as sent, ?8 q in lower case, ?9 ?10 the
 * cursor, ?11 the limit.
 */
static const struct {
	unsigned	 bit;
	const char	*sql;
} store_queue_frags[] = {
	/* as the partial index incidents_open says it, word for word */
	{ QF_VERIFIED | QF_OPEN, "verified = 1 AND status IN"
	    " ('new', 'triaged', 'in-progress')" },
	{ QF_VERIFIED, "verified = 1" },
	{ QF_UNVERIFIED, "verified = 0" },
	{ QF_OPEN, "status IN ('new', 'triaged', 'in-progress')" },
	{ QF_STATUSES, "instr(?1, ',' || status || ',') > 0" },
	/* written out by store_queue_text: category IN (?20, ?21, ...) */
	{ QF_CATEGORIES, NULL },
	{ QF_SEVERITIES, "instr(?3, ',' || severity || ',') > 0" },
	{ QF_CHANNELS, "EXISTS (SELECT 1 FROM incident_sources s"
	    " WHERE s.incident_id = incidents.id"
	    " AND instr(?4, ',' || s.channel || ',') > 0)" },
	{ QF_SINCE, "last_seen >= ?5" },
	{ QF_UNTIL, "last_seen < ?6" },
	/*
	 * The matching incidents are found once (a pass over the reports
	 * and one over the indicators), not once per incident of the walk.
	 */
	{ QF_TEXT, "(incidents.code = upper(?7) OR incidents.id IN"
	    " (SELECT r.incident_id FROM reports r"
	    "  WHERE r.code = upper(?7)"
	    "  OR instr(fold(r.description), ?8) > 0"
	    "  OR instr(fold(r.subject), ?8) > 0"
	    "  UNION SELECT r.incident_id FROM indicators n"
	    "  JOIN reports r ON r.id = n.report_id"
	    "  WHERE instr(fold(n.value), ?8) > 0))" },
	{ QF_CURSOR, "(last_seen, incidents.id) < (?9, ?10)" },
};

/* Enough for every fragment at once. */
#define STORE_QUEUE_SQL_MAX	2048

static int	store_queue_text(unsigned, char *, size_t);
static int	store_queue_bind(sqlite3_stmt *, const struct store_queue_query *,
		    char *, size_t);

int
store_queue_list_norm(const char *in, int (*valid)(const char *),
    char *out, size_t outlen, char *bad, size_t badlen)
{
	const char	*p = in, *end;
	char		 item[64];
	size_t		 o = 0, n;

	if (outlen < 2)
		return -1;
	out[o++] = ',';
	for (;;) {
		while (*p == ' ')
			p++;
		end = p + strcspn(p, ",");
		n = end - p;
		while (n > 0 && p[n - 1] == ' ')
			n--;
		snprintf(bad, badlen, "%.*s", (int)n, p);
		if (n == 0 || n >= sizeof(item) || o + n + 2 > outlen)
			return -1;
		memcpy(item, p, n);
		item[n] = '\0';
		if (strchr(item, ' ') != NULL || (valid != NULL &&
		    !valid(item)))
			return -1;
		memcpy(out + o, item, n);
		o += n;
		out[o++] = ',';
		if (*end == '\0')
			break;
		p = end + 1;
	}
	out[o] = '\0';
	if (badlen > 0)
		bad[0] = '\0';
	return 0;
}

void
store_queue_cursor_format(long long last, long long id, char *buf,
    size_t len)
{
	snprintf(buf, len, "%lld.%lld", last, id);
}

int
store_queue_cursor_parse(const char *s, long long *last, long long *id)
{
	char		 a[24], *dot;
	const char	*why;
	size_t		 n;

	if ((dot = strchr(s, '.')) == NULL || (n = dot - s) == 0 ||
	    n >= sizeof(a))
		return -1;
	memcpy(a, s, n);
	a[n] = '\0';
	if (parse_int(a, 0, (1LL << 62), last, &why) == -1 ||
	    parse_int(dot + 1, 1, (1LL << 62), id, &why) == -1)
		return -1;
	return 0;
}

/*
 * The categories of a query: by their index (incidents_category), as an
 * IN list of one parameter each from ?20; at most STORE_QUEUE_CATS_MAX.
 */
#define QF_CATS_SHIFT	12
#define QF_CATS_PARAM	20

/* The number of items of a normalised list (",a,b," -> 2). */
static unsigned
store_queue_count(const char *list)
{
	unsigned	n = 0;

	for (; list != NULL && *list != '\0'; list++)
		n += *list == ',';
	return n > 0 ? n - 1 : 0;
}

/* "category IN (?20, ?21)" for n categories into buf. */
static int
store_queue_cats(unsigned n, char *buf, size_t len)
{
	size_t		o;
	unsigned	i;
	int		k;

	k = snprintf(buf, len, "category IN (");
	if (k < 0 || (size_t)k >= len)
		return -1;
	o = k;
	for (i = 0; i < n; i++) {
		k = snprintf(buf + o, len - o, "%s?%u", i ? ", " : "",
		    QF_CATS_PARAM + i);
		if (k < 0 || (size_t)k >= len - o)
			return -1;
		o += k;
	}
	return (size_t)snprintf(buf + o, len - o, ")") < len - o ? 0 : -1;
}

/* The statement text of shape bits into buf. 0, or -1 if it does not fit. */
static int
store_queue_text(unsigned bits, char *buf, size_t len)
{
	char		 cats[STORE_QUEUE_CATS_MAX * 8 + 32];
	const char	*frag;
	size_t		 i, o;
	unsigned	 done = 0;
	int		 n, first = 1;

	n = snprintf(buf, len, "SELECT " STORE_READ_INCIDENT_COLUMNS
	    " FROM incidents");
	if (n < 0 || (size_t)n >= len)
		return -1;
	o = n;
	for (i = 0; i < nitems(store_queue_frags); i++) {
		unsigned b = store_queue_frags[i].bit;

		if ((bits & b) != b || (done & b) != 0)
			continue;
		done |= b;
		frag = store_queue_frags[i].sql;
		if (b == QF_CATEGORIES) {
			if (store_queue_cats(bits >> QF_CATS_SHIFT, cats,
			    sizeof(cats)) == -1)
				return -1;
			frag = cats;
		}
		n = snprintf(buf + o, len - o, "%s%s", first ? " WHERE " :
		    " AND ", frag);
		if (n < 0 || (size_t)n >= len - o)
			return -1;
		o += n;
		first = 0;
	}
	n = snprintf(buf + o, len - o, "%s" STORE_READ_NOT_AGGREGATE
	    " ORDER BY last_seen DESC, incidents.id DESC LIMIT ?11",
	    first ? " WHERE " : " AND ");
	return n < 0 || (size_t)n >= len - o ? -1 : 0;
}

/* Severity names in a list as their ranks: ",high," -> ",3,". */
static int
store_queue_ranks(const char *names, char *out, size_t outlen)
{
	const char	*p = names + 1, *end;
	size_t		 o = 0;
	enum severity	 sev;

	out[o++] = ',';
	while (*p != '\0' && (end = strchr(p, ',')) != NULL) {
		sev = severity_parse(p, end - p);
		if (sev == SEV_UNSET || o + 3 > outlen)
			return -1;
		out[o++] = '0' + sev;
		out[o++] = ',';
		p = end + 1;
	}
	out[o] = '\0';
	return 0;
}

/* Bind a query's values (SQLITE_TRANSIENT: the query's text is borrowed). */
static int
store_queue_bind(sqlite3_stmt *s, const struct store_queue_query *q,
    char *err, size_t errlen)
{
	char	ranks[STORE_QUEUE_LIST_MAX], *folded;

	if (q->statuses != NULL)
		sqlite3_bind_text(s, 1, q->statuses, -1, SQLITE_TRANSIENT);
	if (q->categories != NULL) {
		const char	*p = q->categories + 1, *end;
		int		 k = QF_CATS_PARAM;

		for (; (end = strchr(p, ',')) != NULL; p = end + 1)
			sqlite3_bind_text(s, k++, p, end - p, SQLITE_TRANSIENT);
	}
	if (q->severities != NULL) {
		if (store_queue_ranks(q->severities, ranks,
		    sizeof(ranks)) == -1) {
			snprintf(err, errlen, "invalid severity");
			return -1;
		}
		sqlite3_bind_text(s, 3, ranks, -1, SQLITE_TRANSIENT);
	}
	if (q->channels != NULL)
		sqlite3_bind_text(s, 4, q->channels, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 5, q->since);
	sqlite3_bind_int64(s, 6, q->until);
	if (q->q != NULL) {
		/* folded as fold() folds what it is compared with */
		if ((folded = store_read_casefold(q->q, strlen(q->q))) ==
		    NULL) {
			snprintf(err, errlen, "q is not UTF-8");
			return -1;
		}
		sqlite3_bind_text(s, 7, q->q, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 8, folded, -1, free);
	}
	sqlite3_bind_int64(s, 9, q->cursor_last);
	sqlite3_bind_int64(s, 10, q->cursor_id);
	/* one more than the page: tells whether there is a next one */
	sqlite3_bind_int(s, 11, q->limit + 1);
	return 0;
}

static unsigned
store_queue_bits(const struct store_queue_query *q)
{
	unsigned	bits = 0;

	bits |= q->statuses != NULL ? QF_STATUSES : QF_OPEN;
	if (q->verified == STORE_QUEUE_VERIFIED)
		bits |= QF_VERIFIED;
	else if (q->verified == STORE_QUEUE_UNVERIFIED)
		bits |= QF_UNVERIFIED;
	if (q->categories != NULL)
		bits |= QF_CATEGORIES |
		    store_queue_count(q->categories) << QF_CATS_SHIFT;
	if (q->severities != NULL)
		bits |= QF_SEVERITIES;
	if (q->channels != NULL)
		bits |= QF_CHANNELS;
	if (q->since > 0)
		bits |= QF_SINCE;
	if (q->until > 0)
		bits |= QF_UNTIL;
	if (q->q != NULL && q->q[0] != '\0')
		bits |= QF_TEXT;
	if (q->has_cursor)
		bits |= QF_CURSOR;
	return bits;
}

int
store_queue_page(struct store_read *rd, const struct store_queue_query *q,
    time_t now, json_t **out, char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	json_t		*list, *item;
	char		 sql[STORE_QUEUE_SQL_MAX], cursor[STORE_QUEUE_CURSOR_MAX];
	unsigned	 bits = store_queue_bits(q);
	long long	 last = 0, id = 0;
	int		 rc, n = 0, more = 0;

	*out = NULL;
	if (q->limit < 1 || q->limit > STORE_QUEUE_LIMIT_MAX) {
		snprintf(err, errlen, "limit out of range");
		return STORE_READ_INVALID;
	}
	if (store_queue_count(q->categories) > STORE_QUEUE_CATS_MAX) {
		snprintf(err, errlen, "more than %d categories",
		    STORE_QUEUE_CATS_MAX);
		return STORE_READ_INVALID;
	}
	if (store_queue_text(bits, sql, sizeof(sql)) == -1) {
		snprintf(err, errlen, "queue statement too long");
		return STORE_READ_ERROR;
	}
	if ((rc = store_read_begin(rd, err, errlen)) != STORE_READ_OK)
		return rc;
	if ((s = store_read_keyed(rd, STORE_READ_KEY_QUEUE | bits, sql, err,
	    errlen)) == NULL)
		goto fail;
	if (store_queue_bind(s, q, err, errlen) == -1) {
		store_read_finish(rd);
		return STORE_READ_INVALID;
	}
	list = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == q->limit) {
			more = 1;
			break;
		}
		if ((item = store_read_incident(rd, s, STORE_INCIDENT_BRIEF,
		    now, err, errlen)) == NULL) {
			json_decref(list);
			goto fail;
		}
		json_array_append_new(list, item);
		last = sqlite3_column_int64(s, 8);	/* last_seen */
		id = sqlite3_column_int64(s, 0);
		n++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(list);
		store_read_error(rd, err, errlen);
		goto fail;
	}
	store_read_finish(rd);
	*out = json_object();
	json_object_set_new(*out, "incidents", list);
	if (more) {
		store_queue_cursor_format(last, id, cursor, sizeof(cursor));
		json_object_set_new(*out, "next", json_string(cursor));
	} else
		json_object_set_new(*out, "next", json_null());
	return STORE_READ_OK;
fail:
	store_read_finish(rd);
	return STORE_READ_ERROR;
}

/* --- one incident ------------------------------------------------------- */

enum {
	DK_INCIDENT = STORE_READ_KEY_QUEUE | 0x8000,
	DK_REPORTS,
	DK_REPORT_INDICATORS,
	DK_TIMELINE
};

static const char store_queue_incident_sql[] =
    "SELECT " STORE_READ_INCIDENT_COLUMNS " FROM incidents"
    " WHERE incidents.id = " STORE_CODE_ROWID("?1")
    " AND incidents.code = ?1";

static const char store_queue_reports_sql[] =
    "SELECT r.id, r.code, r.channel, r.received_at, r.category,"
    " r.severity, r.verified, r.auto, r.subject, r.description,"
    " r.reporter_name, r.reporter_email, r.reporter_phone,"
    " r.organization, r.confidential, r.system_level, r.token_name,"
    " r.detected_at, r.occurred_at, r.affected_system,"
    " r.operating_unit, length(e.raw)"
    " FROM reports r JOIN evidence e ON e.id = r.evidence_id"
    " WHERE r.incident_id = ?1 ORDER BY r.id LIMIT ?2";

static const char store_queue_report_indicators_sql[] =
    "SELECT type, value FROM indicators WHERE report_id = ?1"
    " ORDER BY type, value";

static const char store_queue_timeline_sql[] =
    "SELECT at, actor, action, object, detail, peer FROM audit"
    " WHERE incident_id = ?1 ORDER BY id LIMIT ?2";

/* Column col of s as a JSON string, or null. */
static json_t *
store_queue_text_col(sqlite3_stmt *s, int col)
{
	const char	*v = (const char *)sqlite3_column_text(s, col);
	json_t		*j;

	if (v == NULL)
		return json_null();
	j = json_stringn(v, sqlite3_column_bytes(s, col));
	return j != NULL ? j : json_null();
}

static json_t *
store_queue_time_col(sqlite3_stmt *s, int col)
{
	char	buf[32];

	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return json_null();
	format_time_utc((time_t)sqlite3_column_int64(s, col), buf,
	    sizeof(buf));
	return json_string(buf);
}

static json_t *
store_queue_int_col(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return json_null();
	return json_integer(sqlite3_column_int64(s, col));
}

/* The indicators of report rowid as [{type, value}]. NULL on error. */
static json_t *
store_queue_report_indicators(struct store_read *rd, long long rowid,
    char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	json_t		*list;
	int		 rc;

	if ((s = store_read_keyed(rd, DK_REPORT_INDICATORS,
	    store_queue_report_indicators_sql, err, errlen)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, rowid);
	list = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:o, s:o}", "type",
		    store_queue_text_col(s, 0), "value",
		    store_queue_text_col(s, 1)));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		store_read_error(rd, err, errlen);
		return NULL;
	}
	return list;
}

/* One row of store_queue_reports_sql as a report summary. */
static json_t *
store_queue_report(struct store_read *rd, sqlite3_stmt *s, char *err,
    size_t errlen)
{
	json_t		*o = json_object(), *who, *ind;
	const char	*sev = severity_name((enum severity)
			    sqlite3_column_int(s, 5));
	char		 link[96];

	json_object_set_new(o, "id", store_queue_text_col(s, 1));
	json_object_set_new(o, "channel", store_queue_text_col(s, 2));
	json_object_set_new(o, "received_at", store_queue_time_col(s, 3));
	json_object_set_new(o, "category", store_queue_text_col(s, 4));
	json_object_set_new(o, "severity", sev ? json_string(sev) :
	    json_null());
	json_object_set_new(o, "verified", json_boolean(
	    sqlite3_column_int(s, 6)));
	json_object_set_new(o, "auto", json_boolean(sqlite3_column_int(s, 7)));
	json_object_set_new(o, "subject", store_queue_text_col(s, 8));
	json_object_set_new(o, "description", store_queue_text_col(s, 9));
	who = json_object();
	json_object_set_new(who, "name", store_queue_text_col(s, 10));
	json_object_set_new(who, "email", store_queue_text_col(s, 11));
	json_object_set_new(who, "phone", store_queue_text_col(s, 12));
	json_object_set_new(who, "organization", store_queue_text_col(s, 13));
	json_object_set_new(o, "reporter", who);
	json_object_set_new(o, "confidential",
	    sqlite3_column_type(s, 14) == SQLITE_NULL ? json_null() :
	    json_boolean(sqlite3_column_int(s, 14)));
	json_object_set_new(o, "system_level", store_queue_int_col(s, 15));
	json_object_set_new(o, "token", store_queue_text_col(s, 16));
	json_object_set_new(o, "detected_at", store_queue_text_col(s, 17));
	json_object_set_new(o, "occurred_at", store_queue_text_col(s, 18));
	json_object_set_new(o, "affected_system", store_queue_text_col(s, 19));
	json_object_set_new(o, "operating_unit", store_queue_text_col(s, 20));
	json_object_set_new(o, "evidence_bytes", store_queue_int_col(s, 21));
	snprintf(link, sizeof(link), "/api/v1/reports/%s/evidence",
	    (const char *)sqlite3_column_text(s, 1));
	json_object_set_new(o, "evidence", json_string(link));
	if ((ind = store_queue_report_indicators(rd, sqlite3_column_int64(s,
	    0), err, errlen)) == NULL) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "indicators", ind);
	return o;
}

/* The first reports of incident rowid into obj. 0, or -1 (err). */
static int
store_queue_reports(struct store_read *rd, long long rowid, json_t *obj,
    char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	json_t		*list, *item;
	long long	 count;
	int		 rc;

	if ((s = store_read_keyed(rd, DK_REPORTS, store_queue_reports_sql, err,
	    errlen)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, rowid);
	sqlite3_bind_int(s, 2, STORE_DETAIL_REPORTS_MAX);
	list = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((item = store_queue_report(rd, s, err, errlen)) == NULL) {
			sqlite3_reset(s);
			json_decref(list);
			return -1;
		}
		json_array_append_new(list, item);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		store_read_error(rd, err, errlen);
		return -1;
	}
	count = json_integer_value(json_object_get(obj, "reports"));
	json_object_set_new(obj, "report_count", json_integer(count));
	json_object_set_new(obj, "reports_truncated", json_boolean(
	    (long long)json_array_size(list) < count));
	json_object_set_new(obj, "reports", list);
	return 0;
}

/* The incident's audit trail into obj["timeline"]. 0, or -1 (err). */
static int
store_queue_timeline(struct store_read *rd, long long rowid, json_t *obj,
    char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	json_t		*list, *e, *detail;
	const char	*text;
	int		 rc;

	if ((s = store_read_keyed(rd, DK_TIMELINE, store_queue_timeline_sql,
	    err, errlen)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, rowid);
	sqlite3_bind_int(s, 2, STORE_DETAIL_TIMELINE_MAX);
	list = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		e = json_object();
		json_object_set_new(e, "at", store_queue_time_col(s, 0));
		json_object_set_new(e, "actor", store_queue_text_col(s, 1));
		json_object_set_new(e, "action", store_queue_text_col(s, 2));
		json_object_set_new(e, "object", store_queue_text_col(s, 3));
		/* details are JSON objects when the change wrote one */
		text = (const char *)sqlite3_column_text(s, 4);
		detail = text != NULL && text[0] == '{' ? json_loads(text, 0,
		    NULL) : NULL;
		json_object_set_new(e, "detail", detail != NULL ? detail :
		    store_queue_text_col(s, 4));
		json_object_set_new(e, "peer", store_queue_text_col(s, 5));
		json_array_append_new(list, e);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		store_read_error(rd, err, errlen);
		return -1;
	}
	json_object_set_new(obj, "timeline", list);
	return 0;
}

int
store_queue_detail(struct store_read *rd, const char *id, time_t now,
    json_t **out, char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	json_t		*obj = NULL;
	char		 code[STORE_ID_MAX];
	long long	 rowid;
	size_t		 i;
	int		 rc;

	*out = NULL;
	for (i = 0; id[i] != '\0' && i < sizeof(code) - 1; i++)
		code[i] = (char)toupper((unsigned char)id[i]);
	code[i] = '\0';
	if (strncmp(code, "IN-", 3) != 0 || id[i] != '\0') {
		snprintf(err, errlen, "\"%s\": not an incident ID (IN-...)",
		    id);
		return STORE_READ_INVALID;
	}
	if ((rc = store_read_begin(rd, err, errlen)) != STORE_READ_OK)
		return rc;
	if ((s = store_read_keyed(rd, DK_INCIDENT, store_queue_incident_sql,
	    err, errlen)) == NULL)
		goto fail;
	sqlite3_bind_text(s, 1, code, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(s)) == SQLITE_DONE) {
		store_read_finish(rd);
		snprintf(err, errlen, "%s: no such incident", code);
		return STORE_READ_NOTFOUND;
	}
	if (rc != SQLITE_ROW) {
		store_read_error(rd, err, errlen);
		goto fail;
	}
	rowid = sqlite3_column_int64(s, 0);
	if ((obj = store_read_incident(rd, s, 0, now, err, errlen)) == NULL ||
	    store_queue_reports(rd, rowid, obj, err, errlen) == -1 ||
	    store_queue_timeline(rd, rowid, obj, err, errlen) == -1)
		goto fail;
	store_read_finish(rd);
	*out = obj;
	return STORE_READ_OK;
fail:
	json_decref(obj);
	store_read_finish(rd);
	return STORE_READ_ERROR;
}
