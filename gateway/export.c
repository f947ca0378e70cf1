/*
 * export.c - the export cursor (see export.h): reads incidents in row id
 * order (the order they were opened, which is also that of their first
 * report) and their reports in row id order, a chunk at a time, each
 * chunk in one read transaction, and hands them to the encoders.
 *
 * Where the cursor stands between chunks: the last incident started and,
 * when its reports did not all fit in the chunk, the last report written;
 * the incident's own fields are kept (copied) so that its remaining
 * reports and its end can be written later. Reports that join an
 * incident between two chunks of it are exported with it when their turn
 * comes; its report_count is as it was when it was opened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "export.h"
#include "lifecycle.h"
#include "store_read.h"
#include "util.h"
#include "store_sql.h"

/* Indicators of one report read at most (a report holds far fewer). */
#define EXPORT_INDICATORS_MAX	4096

enum {
	EK_INCIDENT = STORE_READ_KEY_EXPORT,
	EK_CHANNELS,
	EK_REPORTS,
	EK_INDICATORS
};

/*
 * The next incident of the export: by row id (NOT INDEXED: walk the table
 * from where we are, never sort the whole period again for each chunk).
 */
static const char export_sql_incident[] =
    "SELECT id, code, status, category, severity, verified, report_count,"
    " first_seen, last_seen, detected_at, resolved_at, system_level,"
    " handling, assessment FROM incidents NOT INDEXED"
    " WHERE id > ?1 AND first_seen >= ?2 AND first_seen < ?3"
    " AND status != 'merged' ORDER BY id LIMIT 1";

static const char export_sql_channels[] =
    "SELECT channel FROM incident_sources WHERE incident_id = ?1"
    " GROUP BY channel ORDER BY channel";

/* A confidential report's reporter is not even read. */
static const char export_sql_reports[] =
    "SELECT id, code, channel, category, severity, received_at, verified,"
    " auto, ifnull(confidential, 0), subject, description, detected_at,"
    " occurred_at, system_level, affected_system,"
    " CASE WHEN confidential = 1 THEN NULL ELSE reporter_name END,"
    " CASE WHEN confidential = 1 THEN NULL ELSE reporter_email END,"
    " CASE WHEN confidential = 1 THEN NULL ELSE reporter_phone END,"
    " CASE WHEN confidential = 1 THEN NULL ELSE organization END,"
    " CASE WHEN confidential = 1 THEN NULL ELSE operating_unit END,"
    " CASE WHEN confidential = 1 THEN NULL ELSE token_name END"
    " FROM reports WHERE incident_id = ?1 AND id > ?2 ORDER BY id";

static const char export_sql_indicators[] =
    "SELECT type, value FROM indicators WHERE report_id = ?1"
    " ORDER BY type, value LIMIT ?2";

/* The incident being written, with copies of its strings. */
struct export_current {
	long long		rowid;
	struct export_incident	inc;
	char			*strs[8];	/* what inc's pointers point into */
	size_t			 n_strs;
};

struct export_cursor {
	enum export_format		 f;
	long long			 since, until;
	const struct taxonomy		*tax;
	const struct export_origin	*o;
	int				 started;
	int				 done;
	int				 open;		/* cur's reports go on */
	long long			 last_report;	/* of cur, written */
	int				 first_report;	/* none of cur's yet */
	struct export_current		 cur;
	long long			 n_incidents, n_reports;
};

struct export_cursor *
export_cursor_new(enum export_format f, long long since, long long until,
    const struct taxonomy *tax, const struct export_origin *o)
{
	struct export_cursor	*c = xcalloc(1, sizeof(*c));

	c->f = f;
	c->since = since;
	c->until = until > 0 ? until : (1LL << 62);
	c->tax = tax;
	c->o = o;
	return c;
}

static void
export_current_clear(struct export_current *cur)
{
	size_t	i;

	for (i = 0; i < cur->n_strs; i++)
		free(cur->strs[i]);
	memset(cur, 0, sizeof(*cur));
}

void
export_cursor_free(struct export_cursor *c)
{
	if (c == NULL)
		return;
	export_current_clear(&c->cur);
	free(c);
}

void
export_cursor_counts(const struct export_cursor *c, long long *incidents,
    long long *reports)
{
	*incidents = c->n_incidents;
	*reports = c->n_reports;
}

/* A copy of column col (NULL stays NULL), kept with cur. */
static const char *
export_keep(struct export_current *cur, sqlite3_stmt *s, int col)
{
	const char	*v = (const char *)sqlite3_column_text(s, col);

	if (v == NULL || cur->n_strs == sizeof(cur->strs) /
	    sizeof(cur->strs[0]))
		return NULL;
	return cur->strs[cur->n_strs++] = xstrdup(v);
}

static const char *
export_col(sqlite3_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(s, col);
}

/* The incident's channels, "api,line", into cur. 0, or -1 (err). */
static int
export_channels(struct store_read *rd, struct export_current *cur,
    char *err, size_t errlen)
{
	struct page_buf	 b = { NULL, 0, 0, 0 };
	sqlite3_stmt		*s;
	int			 rc;

	if ((s = store_read_keyed(rd, EK_CHANNELS, export_sql_channels, err,
	    errlen)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, cur->rowid);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (b.len > 0)
			export_buf_add(&b, ",", 1);
		export_buf_str(&b, export_col(s, 0));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE || b.failed) {
		page_buf_free(&b);
		return store_read_error(rd, err, errlen), -1;
	}
	cur->inc.channels = cur->strs[cur->n_strs++] = b.data != NULL ?
	    b.data : xstrdup("");
	return 0;
}

/*
 * Read the next incident after c->cur into c->cur. 1 found, 0 none left,
 * -1 error.
 */
static int
export_next_incident(struct export_cursor *c, struct store_read *rd,
    char *err, size_t errlen)
{
	struct export_current	*cur = &c->cur;
	struct export_incident	*inc = &cur->inc;
	sqlite3_stmt		*s;
	const char		*cat;
	long long		 after = cur->rowid;
	enum severity		 sev;
	int			 rc;

	if ((s = store_read_keyed(rd, EK_INCIDENT, export_sql_incident, err,
	    errlen)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int64(s, 2, c->since);
	sqlite3_bind_int64(s, 3, c->until);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			return 0;
		return store_read_error(rd, err, errlen), -1;
	}
	export_current_clear(cur);
	cur->rowid = sqlite3_column_int64(s, 0);
	inc->id = export_keep(cur, s, 1);
	inc->status = export_keep(cur, s, 2);
	inc->category = cat = export_keep(cur, s, 3);
	sev = (enum severity)sqlite3_column_int(s, 4);
	inc->severity = severity_name(sev);
	inc->verified = sqlite3_column_int(s, 5) != 0;
	inc->report_count = sqlite3_column_int64(s, 6);
	inc->first_seen = sqlite3_column_int64(s, 7);
	inc->last_seen = sqlite3_column_int64(s, 8);
	inc->detected_at = sqlite3_column_int64(s, 9);
	inc->resolved_at = sqlite3_column_int64(s, 10);
	inc->system_level = sqlite3_column_int(s, 11);
	inc->handling = export_keep(cur, s, 12);
	inc->assessment = export_keep(cur, s, 13);
	inc->serious = lifecycle_serious(sev, inc->system_level);
	inc->tax = cat != NULL ? taxonomy_find(c->tax, cat, strlen(cat)) :
	    NULL;
	sqlite3_reset(s);
	if (export_channels(rd, cur, err, errlen) == -1)
		return -1;
	return 1;
}

/* The indicators of report rowid into *ind (grown as needed). */
static int
export_indicators(struct store_read *rd, long long rowid,
    struct export_indicator **ind, size_t *cap, size_t *n, char *err,
    size_t errlen)
{
	sqlite3_stmt	*s;
	int		 rc;

	*n = 0;
	if ((s = store_read_keyed(rd, EK_INDICATORS, export_sql_indicators,
	    err, errlen)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, rowid);
	sqlite3_bind_int(s, 2, EXPORT_INDICATORS_MAX);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*ind = xrealloc(*ind, *cap * sizeof(**ind));
		}
		/* copies: the next step reuses the column memory */
		(*ind)[*n].type = xstrdup(export_col(s, 0) ?
		    export_col(s, 0) : "");
		(*ind)[*n].value = xstrdup(export_col(s, 1) ?
		    export_col(s, 1) : "");
		(*n)++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_read_error(rd, err, errlen), -1;
	return 0;
}

static void
export_indicators_free(struct export_indicator *ind, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free((char *)ind[i].type);
		free((char *)ind[i].value);
	}
}

/* The report in the current row of s (export_sql_reports). */
static void
export_report_row(sqlite3_stmt *s, struct export_report *r)
{
	memset(r, 0, sizeof(*r));
	r->id = export_col(s, 1);
	r->channel = export_col(s, 2);
	r->category = export_col(s, 3);
	r->severity = severity_name((enum severity)sqlite3_column_int(s, 4));
	r->received_at = sqlite3_column_int64(s, 5);
	r->verified = sqlite3_column_int(s, 6) != 0;
	r->is_auto = sqlite3_column_int(s, 7) != 0;
	r->confidential = sqlite3_column_int(s, 8) != 0;
	r->subject = export_col(s, 9);
	r->description = export_col(s, 10);
	r->detected_at = export_col(s, 11);
	r->occurred_at = export_col(s, 12);
	r->system_level = sqlite3_column_int(s, 13);
	r->affected_system = export_col(s, 14);
	r->reporter_name = export_col(s, 15);
	r->reporter_email = export_col(s, 16);
	r->reporter_phone = export_col(s, 17);
	r->organization = export_col(s, 18);
	r->operating_unit = export_col(s, 19);
	r->token = export_col(s, 20);
}

/*
 * Write the reports of the open incident after c->last_report until out
 * holds want bytes. 1 stopped with more to write, 0 all written, -1 error.
 */
static int
export_reports(struct export_cursor *c, struct store_read *rd,
    struct page_buf *out, size_t want, char *err, size_t errlen)
{
	struct export_indicator	*ind = NULL;
	struct export_report	 r;
	sqlite3_stmt		*s;
	size_t			 cap = 0, n = 0;
	int			 rc, more = 0;

	if ((s = store_read_keyed(rd, EK_REPORTS, export_sql_reports, err,
	    errlen)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, c->cur.rowid);
	sqlite3_bind_int64(s, 2, c->last_report);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->len >= want) {
			more = 1;
			break;
		}
		if (export_indicators(rd, sqlite3_column_int64(s, 0), &ind,
		    &cap, &n, err, errlen) == -1) {
			export_indicators_free(ind, n);
			free(ind);
			sqlite3_reset(s);
			return -1;
		}
		export_report_row(s, &r);
		r.ind = ind;
		r.n_ind = n;
		export_report(c->f, c->o, &c->cur.inc, &r, c->first_report,
		    out);
		export_indicators_free(ind, n);
		c->first_report = 0;
		c->last_report = sqlite3_column_int64(s, 0);
		c->n_reports++;
	}
	free(ind);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_read_error(rd, err, errlen), -1;
	return more;
}

/* The chunk's work inside its transaction; as export_cursor_next. */
static int
export_chunk(struct export_cursor *c, struct store_read *rd,
    struct page_buf *out, size_t want, char *err, size_t errlen)
{
	int	rc;

	if (!c->started) {
		export_head(c->f, c->o, out);
		c->started = 1;
	}
	for (;;) {
		if (c->open) {
			if ((rc = export_reports(c, rd, out, want, err,
			    errlen)) != 0)
				return rc;
			export_incident_close(c->f, &c->cur.inc, out);
			c->open = 0;
		}
		if (out->failed) {
			snprintf(err, errlen, "export: out of memory");
			return -1;
		}
		if (out->len >= want)
			return 1;
		if ((rc = export_next_incident(c, rd, err, errlen)) == -1)
			return -1;
		if (rc == 0) {
			export_tail(c->f, out);
			c->done = 1;
			return 0;
		}
		export_incident_open(c->f, c->o, &c->cur.inc, out);
		c->open = 1;
		c->first_report = 1;
		c->last_report = 0;
		c->n_incidents++;
	}
}

int
export_cursor_next(struct export_cursor *c, struct store_read *rd,
    struct page_buf *out, size_t want, char *err, size_t errlen)
{
	int	rc;

	if (c->done)
		return 0;
	if (store_read_begin(rd, err, errlen) != STORE_READ_OK)
		return -1;
	rc = export_chunk(c, rd, out, want, err, errlen);
	store_read_finish(rd);
	if (rc != -1 && out->failed) {
		snprintf(err, errlen, "export: out of memory");
		return -1;
	}
	return rc;
}
