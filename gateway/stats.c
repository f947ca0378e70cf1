/*
 * stats.c - the statistics of a period (see stats.h), on a reader
 * connection.
 *
 * One pass over the period's incidents, by the index that holds every
 * column the counts need (incidents_first_seen: first_seen, category,
 * channel, severity, verified, handling, status), grouped by those
 * columns in SQL, so a year of a hundred thousand incidents is a few
 * thousand groups added up here; the two medians sort only the incidents
 * that were claimed or resolved, and read the middle one or two.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "stats.h"
#include "store_read.h"
#include "taxonomy.h"
#include "tzif.h"
#include "util.h"
#include "store_sql.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* The largest zoneinfo file we read (the biggest today is under 4 KiB). */
#define STATS_TZ_FILE_MAX	(256 * 1024)

/* One Mẫu 05 row: its incidents, and how many were handled each way. */
struct stats_row {
	long long	count;
	long long	handled[4];	/* in the order of stats_handling */
};

/* How an analyst recorded the handling: the Mẫu 05 columns. */
static const char *const stats_handling[4] = {
	"handled_in_house", "domestic_help", "foreign_help", "coordinator_help"
};

enum {
	SK_GROUPS = STORE_READ_KEY_STATS,
	SK_CLAIM_COUNT,
	SK_CLAIM_MID,
	SK_RESOLVE_COUNT,
	SK_RESOLVE_MID,
	SK_QUARTERS
};

static const char stats_sql_groups[] =
    "SELECT category, channel, severity, verified, handling, count(*)"
    " FROM incidents INDEXED BY incidents_first_seen"
    " WHERE first_seen >= ?1 AND first_seen < ?2 AND status != 'merged'"
    " GROUP BY 1, 2, 3, 4, 5";

/* The seconds from first report to first claim, and to resolution. */
#define STATS_CLAIM_EXPR	"first_claimed_at - first_seen"
#define STATS_RESOLVE_EXPR	"resolved_at - first_seen"
#define STATS_WHERE(col) " FROM incidents WHERE first_seen >= ?1" \
	" AND first_seen < ?2 AND status != 'merged' AND " col " IS NOT NULL"

/* The period's incidents per quarter of an hour (every zone's offset
   from UTC is a whole number of quarters of an hour). */
#define STATS_QUARTER	900
static const char stats_sql_quarters[] =
    "SELECT first_seen / 900, count(*)"
    " FROM incidents INDEXED BY incidents_first_seen"
    " WHERE first_seen >= ?1 AND first_seen < ?2 AND status != 'merged'"
    " GROUP BY 1";

static const char stats_sql_claim_count[] =
    "SELECT count(*)" STATS_WHERE("first_claimed_at");
static const char stats_sql_claim_mid[] =
    "SELECT " STATS_CLAIM_EXPR STATS_WHERE("first_claimed_at")
    " ORDER BY 1 LIMIT ?3 OFFSET ?4";
static const char stats_sql_resolve_count[] =
    "SELECT count(*)" STATS_WHERE("resolved_at");
static const char stats_sql_resolve_mid[] =
    "SELECT " STATS_RESOLVE_EXPR STATS_WHERE("resolved_at")
    " ORDER BY 1 LIMIT ?3 OFFSET ?4";

int
stats_period_parse(const char *s, struct stats_period *p)
{
	int	i, y = 0, n;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		y = y * 10 + (s[i] - '0');
	}
	if (y < 1970)
		return -1;
	p->year = y;
	if (s[4] == '\0') {
		p->first_month = 1;
		p->months = 12;
	} else if ((s[4] == 'Q' || s[4] == 'q') && s[5] >= '1' &&
	    s[5] <= '4' && s[6] == '\0') {
		n = s[5] - '0';
		p->first_month = 1 + (n - 1) * 3;
		p->months = 3;
	} else if ((s[4] == 'H' || s[4] == 'h') && (s[5] == '1' ||
	    s[5] == '2') && s[6] == '\0') {
		p->first_month = s[5] == '1' ? 1 : 7;
		p->months = 6;
	} else
		return -1;
	for (i = 0; s[i] != '\0'; i++)
		p->name[i] = (char)toupper((unsigned char)s[i]);
	p->name[i] = '\0';
	return 0;
}

void
stats_period_bounds(const struct stats_period *p, const struct tzif *tz,
    long long *from, long long *to)
{
	int		 m = p->first_month + p->months;
	long long	 y = p->year;

	if (m > 12) {
		m -= 12;
		y++;
	}
	*from = tzif_local_to_utc(tz, tzif_days_from_civil(p->year,
	    p->first_month, 1) * 86400);
	*to = tzif_local_to_utc(tz, tzif_days_from_civil(y, m, 1) * 86400);
}

int
stats_tz_load(const char *name, struct tzif *tz, char *err, size_t errlen)
{
	const char	*dir = getenv("TZDIR");
	char		 path[1024], why[256];
	char		*buf;
	size_t		 len;
	int		 rc;

	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	/* config.c has checked the name: no ".." component, no odd byte */
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path)) {
		snprintf(err, errlen, "time zone %s: name too long", name);
		return -1;
	}
	if ((buf = read_small_file(path, STATS_TZ_FILE_MAX, &len, why,
	    sizeof(why))) == NULL) {
		snprintf(err, errlen, "time zone %s: %s", name, why);
		return -1;
	}
	rc = tzif_parse(tz, (const unsigned char *)buf, len, why, sizeof(why));
	free(buf);
	if (rc == -1)
		snprintf(err, errlen, "time zone %s (%s): %s", name, path, why);
	return rc;
}

/* t as RFC 3339 with the zone's offset: "2026-10-01T00:00:00+07:00". */
static json_t *
stats_local_time(const struct tzif *tz, long long t)
{
	long		 off = tzif_offset(tz, t), a = off < 0 ? -off : off;
	long long	 local = t + off, y;
	int		 m, d;
	char		 buf[64];

	tzif_civil_from_days(local >= 0 ? local / 86400 :
	    (local - 86399) / 86400, &y, &m, &d);
	local -= tzif_days_from_civil(y, m, d) * 86400;
	snprintf(buf, sizeof(buf), "%04lld-%02d-%02dT%02lld:%02lld:%02lld"
	    "%c%02ld:%02ld", y, m, d, local / 3600, local / 60 % 60,
	    local % 60, off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
	return json_string(buf);
}

/* Add n to obj[key]. */
static void
stats_add(json_t *obj, const char *key, long long n)
{
	json_t	*v = json_object_get(obj, key);

	json_object_set_new(obj, key, json_integer(n +
	    (v != NULL ? json_integer_value(v) : 0)));
}

/*
 * The median of query count/mid (the seconds of each incident) over
 * [from, to): null when none, else the middle value or the mean of the
 * two middle ones, rounded down. NULL with err filled on error.
 */
static json_t *
stats_median(struct store_read *rd, unsigned kcount, const char *count_sql,
    unsigned kmid, const char *mid_sql, long long from, long long to,
    char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	long long	 n = 0, v[2] = { 0, 0 };
	int		 rc, k = 0;

	if ((s = store_read_keyed(rd, kcount, count_sql, err, errlen)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW) {
		store_read_error(rd, err, errlen);
		return NULL;
	}
	if (n == 0)
		return json_null();
	if ((s = store_read_keyed(rd, kmid, mid_sql, err, errlen)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	sqlite3_bind_int64(s, 3, n % 2 ? 1 : 2);
	sqlite3_bind_int64(s, 4, (n - 1) / 2);
	while (k < 2 && (rc = sqlite3_step(s)) == SQLITE_ROW)
		v[k++] = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (k == 0) {
		store_read_error(rd, err, errlen);
		return NULL;
	}
	/* seconds: far from overflowing */
	return json_integer(k == 1 ? v[0] : (v[0] + v[1]) / 2);
}

/* The local day (days since 1970-01-01) of Monday of t's week in tz. */
static long long
stats_monday(const struct tzif *tz, long long t)
{
	long long	local = t + tzif_offset(tz, t), day;

	day = local >= 0 ? local / 86400 : (local - 86399) / 86400;

	/* 1970-01-01 was a Thursday: Monday is 0 in (day + 3) % 7 */
	return day - ((day % 7 + 7 + 3) % 7);
}

/*
 * The incidents of [from, to) per week (Monday to Sunday in tz, the
 * first and last weeks maybe partial), counted like total: [{"week":
 * "YYYY-MM-DD" (its Monday), "count"}]. NULL with err filled on error.
 */
static json_t *
stats_weeks(struct store_read *rd, const struct tzif *tz, long long from,
    long long to, char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	long long	 first = stats_monday(tz, from), last, k, y;
	long long	*counts;
	size_t		 n, i;
	json_t		*list;
	int		 rc, m, d;
	char		 day[16];

	last = stats_monday(tz, to - 1);
	n = (size_t)((last - first) / 7 + 1);
	if ((s = store_read_keyed(rd, SK_QUARTERS, stats_sql_quarters, err,
	    errlen)) == NULL)
		return NULL;
	counts = xcalloc(n, sizeof(*counts));
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		k = (stats_monday(tz, sqlite3_column_int64(s, 0) *
		    STATS_QUARTER) - first) / 7;
		if (k >= 0 && (size_t)k < n)
			counts[k] += sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_read_error(rd, err, errlen);
		free(counts);
		return NULL;
	}
	list = json_array();
	for (i = 0; i < n; i++) {
		tzif_civil_from_days(first + 7 * (long long)i, &y, &m, &d);
		snprintf(day, sizeof(day), "%04lld-%02d-%02d", y, m, d);
		json_array_append_new(list, json_pack("{s:s, s:I}", "week", day,
		    "count", (json_int_t)counts[i]));
	}
	free(counts);
	return list;
}

/* The counts of the grouped query over [from, to) into the members. */
static int
stats_groups(struct store_read *rd, const struct taxonomy *tax,
    long long from, long long to, struct stats_row rows[STATS_MAU05_ROWS],
    json_t *by_channel, json_t *by_category, json_t *by_severity,
    long long *total, long long *verified, char *err, size_t errlen)
{
	const struct taxonomy_entry	*e;
	const char			*cat, *ch, *h, *sev;
	sqlite3_stmt			*s;
	long long			 n;
	size_t				 i;
	int				 rc;

	if ((s = store_read_keyed(rd, SK_GROUPS, stats_sql_groups, err,
	    errlen)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		cat = (const char *)sqlite3_column_text(s, 0);
		ch = (const char *)sqlite3_column_text(s, 1);
		sev = severity_name((enum severity)sqlite3_column_int(s, 2));
		h = (const char *)sqlite3_column_text(s, 4);
		n = sqlite3_column_int64(s, 5);
		*total += n;
		if (sqlite3_column_int(s, 3))
			*verified += n;
		stats_add(by_channel, ch != NULL ? ch : "unknown", n);
		stats_add(by_category, cat != NULL ? cat : "unknown", n);
		stats_add(by_severity, sev != NULL ? sev : "unknown", n);
		e = cat != NULL ? taxonomy_find(tax, cat, strlen(cat)) : NULL;
		if (e == NULL || e->mau05 < 1 || e->mau05 > STATS_MAU05_ROWS)
			continue;
		rows[e->mau05 - 1].count += n;
		for (i = 0; h != NULL && i < nitems(stats_handling); i++)
			if (strcmp(h, stats_handling[i]) == 0)
				rows[e->mau05 - 1].handled[i] += n;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_read_error(rd, err, errlen);
		return -1;
	}
	return 0;
}

/* The Mẫu 05 rows: each labelled as the first category counted in it. */
static json_t *
stats_mau05(const struct taxonomy *tax,
    const struct stats_row rows[STATS_MAU05_ROWS])
{
	json_t		*list = json_array(), *o;
	const char	*vi, *en;
	size_t		 r, i;

	for (r = 0; r < STATS_MAU05_ROWS; r++) {
		vi = en = NULL;
		for (i = 0; i < tax->n && vi == NULL; i++)
			if (tax->entries[i].mau05 == (int)r + 1) {
				vi = tax->entries[i].label_vi;
				en = tax->entries[i].label_en;
			}
		o = json_object();
		json_object_set_new(o, "row", json_integer((json_int_t)r + 1));
		json_object_set_new(o, "label", vi != NULL ? json_string(vi) :
		    json_null());
		json_object_set_new(o, "label_en", en != NULL ?
		    json_string(en) : json_null());
		json_object_set_new(o, "count", json_integer(rows[r].count));
		for (i = 0; i < nitems(stats_handling); i++)
			json_object_set_new(o, stats_handling[i],
			    json_integer(rows[r].handled[i]));
		json_array_append_new(list, o);
	}
	return list;
}

int
stats_compute(struct store_read *rd, const struct taxonomy *tax,
    const struct stats_period *p, const struct tzif *tz, const char *tzname,
    json_t **out, char *err, size_t errlen)
{
	struct stats_row	 rows[STATS_MAU05_ROWS];
	json_t			*o, *by_channel, *by_category, *by_severity;
	json_t			*claim = NULL, *resolve = NULL, *weeks = NULL;
	long long		 from, to, total = 0, verified = 0;
	int			 sev, rc;

	*out = NULL;
	memset(rows, 0, sizeof(rows));
	stats_period_bounds(p, tz, &from, &to);
	by_channel = json_object();
	by_category = json_object();
	by_severity = json_object();
	for (sev = SEV_LOW; sev <= SEV_CRITICAL; sev++)
		json_object_set_new(by_severity, severity_name(sev),
		    json_integer(0));
	if ((rc = store_read_begin(rd, err, errlen)) != STORE_READ_OK)
		goto fail;
	rc = STORE_READ_ERROR;
	if (stats_groups(rd, tax, from, to, rows, by_channel, by_category,
	    by_severity, &total, &verified, err, errlen) == -1 ||
	    (claim = stats_median(rd, SK_CLAIM_COUNT, stats_sql_claim_count,
	    SK_CLAIM_MID, stats_sql_claim_mid, from, to, err,
	    errlen)) == NULL ||
	    (resolve = stats_median(rd, SK_RESOLVE_COUNT,
	    stats_sql_resolve_count, SK_RESOLVE_MID, stats_sql_resolve_mid,
	    from, to, err, errlen)) == NULL ||
	    (weeks = stats_weeks(rd, tz, from, to, err, errlen)) == NULL)
		goto fail;
	store_read_finish(rd);
	o = json_object();
	json_object_set_new(o, "period", json_string(p->name));
	json_object_set_new(o, "from", stats_local_time(tz, from));
	json_object_set_new(o, "to", stats_local_time(tz, to));
	json_object_set_new(o, "timezone", json_string(tzname));
	json_object_set_new(o, "mau05", stats_mau05(tax, rows));
	json_object_set_new(o, "total", json_integer(total));
	json_object_set_new(o, "by_channel", by_channel);
	json_object_set_new(o, "by_category", by_category);
	json_object_set_new(o, "by_severity", by_severity);
	json_object_set_new(o, "verified", json_integer(verified));
	json_object_set_new(o, "median_seconds_to_claim", claim);
	json_object_set_new(o, "median_seconds_to_resolve", resolve);
	json_object_set_new(o, "by_week", weeks);
	*out = o;
	return STORE_READ_OK;
fail:
	store_read_finish(rd);
	json_decref(by_channel);
	json_decref(by_category);
	json_decref(by_severity);
	json_decref(claim);
	json_decref(resolve);
	return rc;
}
