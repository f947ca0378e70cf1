/*
 * test_stats.c - the statistics (stats.h): periods and their bounds in a
 * time zone, and stats_compute() over a database filled through the
 * writer's own SQL (store_sql_run, with chosen times of receipt), checked
 * against counts this test keeps itself from what it submitted and from
 * the taxonomy: totals, Mẫu 05 rows and their handling columns, channels,
 * categories, severities, verified, period edges (from included, to
 * excluded), merged incidents left out, and the two medians.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "ilp.h"
#include "stats.h"
#include "store.h"
#include "store_read.h"
#include "taxonomy.h"
#include "tzif.h"
#include "util.h"
#include "../../../gateway/store_sql.h"
#include "t.h"

static struct taxonomy		tax;
static struct report_limits	lim;
static char			dir[] = "/tmp/test_stats.XXXXXX";
static char			db_path[256];

static void
test_periods(void)
{
	struct stats_period	p;
	struct tzif		tz7, paris;
	unsigned char		buf[8192];
	long long		from, to;
	char			err[128];
	FILE			*fp;
	size_t			n;

	CHECK(stats_period_parse("2026Q4", &p) == 0 && p.year == 2026 &&
	    p.first_month == 10 && p.months == 3);
	CHECK_STR(p.name, "2026Q4");
	CHECK(stats_period_parse("2026q1", &p) == 0 && p.first_month == 1 &&
	    p.months == 3);
	CHECK_STR(p.name, "2026Q1");
	CHECK(stats_period_parse("2026H2", &p) == 0 && p.first_month == 7 &&
	    p.months == 6);
	CHECK(stats_period_parse("2026", &p) == 0 && p.first_month == 1 &&
	    p.months == 12);
	CHECK(stats_period_parse("2026Q5", &p) == -1);
	CHECK(stats_period_parse("2026Q0", &p) == -1);
	CHECK(stats_period_parse("2026H3", &p) == -1);
	CHECK(stats_period_parse("2026Q", &p) == -1);
	CHECK(stats_period_parse("2026Q44", &p) == -1);
	CHECK(stats_period_parse("26Q1", &p) == -1);
	CHECK(stats_period_parse("1969", &p) == -1);
	CHECK(stats_period_parse("20261", &p) == -1);
	CHECK(stats_period_parse("", &p) == -1);

	/* Vietnam: +07:00, no daylight saving */
	tzif_fixed(&tz7, 7 * 3600);
	stats_period_parse("2026Q4", &p);
	stats_period_bounds(&p, &tz7, &from, &to);
	CHECK(from == 1790787600);	/* 2026-09-30T17:00:00Z */
	CHECK(to == 1798736400);	/* 2026-12-31T17:00:00Z */
	stats_period_parse("2026", &p);
	stats_period_bounds(&p, &tz7, &from, &to);
	CHECK(from == 1767200400);	/* 2025-12-31T17:00:00Z */
	CHECK(to == 1798736400);

	/* a zone with daylight saving: the two ends have different offsets */
	if ((fp = fopen("/usr/share/zoneinfo/Europe/Paris", "rb")) == NULL) {
		T_SKIP("no zoneinfo for Europe/Paris");
		return;
	}
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	CHECK(tzif_parse(&paris, buf, n, err, sizeof(err)) == 0);
	stats_period_parse("2026H1", &p);
	stats_period_bounds(&p, &paris, &from, &to);
	CHECK(from == 1767222000);	/* 2025-12-31T23:00:00Z (CET) */
	CHECK(to == 1782856800);	/* 2026-06-30T22:00:00Z (CEST) */
	tzif_free(&paris);
}

/* --- a database filled through the writer's SQL ---------------------------- */

#define N_SUBMISSIONS	600
#define N_INCIDENTS_MAX	N_SUBMISSIONS

static const char *const channels[] = { "line", "smtp", "api", "web" };
static const char *const handlings[] = { "handled_in_house",
	"domestic_help", "foreign_help", "coordinator_help" };

/* What the test knows of each incident it made. */
struct known {
	char		 id[STORE_ID_MAX];
	const struct taxonomy_entry *cat;
	const char	*channel;	/* of its first report */
	int		 severity;	/* the highest of its reports */
	int		 verified;
	long long	 first;		/* time of its first report */
	int		 handling;	/* -1 none, else handlings[] */
	int		 merged;
	long long	 claim_after, resolve_after;	/* -1: never */
};

static struct known	known[N_INCIDENTS_MAX];
static int		n_known;

static struct known *
known_find(const char *id)
{
	int	i;

	for (i = 0; i < n_known; i++)
		if (strcmp(known[i].id, id) == 0)
			return &known[i];
	return NULL;
}

/* A deterministic pseudo-random sequence (the test must not vary). */
static unsigned long long rng = 88172645463325252ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/*
 * Submit one report at time now through store_sql_run, as the writer
 * does. It repeats an earlier incident's category and address (and so
 * joins it, within the day's window) when `again' names one.
 */
static void
submit(struct store_sql *sql, long long now, const struct known *again,
    int sev, int verified, const char *channel, int idx)
{
	static const char *const sevs[] = { "", "low", "medium", "high",
	    "critical" };
	struct store_job	*job = store_job_new();
	struct report_error	 rerr;
	const struct taxonomy_entry *cat;
	struct known		*k;
	char			 line[512];
	int			 src;

	cat = again != NULL ? again->cat : &tax.entries[rnd(tax.n)];
	src = again != NULL ? atoi(strrchr(again->id, '-') + 1) : idx;
	snprintf(line, sizeof(line), "category=%s severity=%s "
	    "source-ip=10.%d.%d.%d description=s%d", cat->code, sevs[sev],
	    (src >> 16) & 255, (src >> 8) & 255, src & 255, idx);
	job->channel = channel;
	job->verified = verified;
	job->reports = xcalloc(1, sizeof(*job->reports));
	job->n_reports = 1;
	if (ilp_parse_report(line, strlen(line), &tax, &lim, &job->reports[0],
	    &rerr) == -1)
		printf("bad report %s: %s\n", line, rerr.reason);
	report_fingerprint(&job->reports[0], job->reports[0].fingerprint);
	job->reports[0].has_fingerprint = 1;
	job->raw = (unsigned char *)xstrdup(line);
	job->rawlen = strlen(line);
	CHECK(store_sql_begin(sql) == 0);
	CHECK(store_sql_run(sql, job, (time_t)now, 0) == 0);
	CHECK(store_sql_commit(sql) == 0);
	if (job->rc != STORE_OK) {
		store_job_free(job);
		return;
	}
	if ((k = known_find(job->results[0].incident_id)) == NULL) {
		CHECK(!job->results[0].duplicate);
		k = &known[n_known++];
		memset(k, 0, sizeof(*k));
		snprintf(k->id, sizeof(k->id), "%s",
		    job->results[0].incident_id);
		k->cat = cat;
		k->channel = channel;
		k->first = now;
		k->handling = -1;
		k->claim_after = k->resolve_after = -1;
	} else
		CHECK(job->results[0].duplicate);
	if (sev > k->severity)
		k->severity = sev;
	k->verified |= verified;
	store_job_free(job);
}

/* Run one statement on a connection of our own. */
static void
sql_run(const char *fmt, ...)
{
	sqlite3	*db;
	char	 sql[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	CHECK(sqlite3_open(db_path, &db) == SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		printf("FAIL sql %s: %s\n", sql, sqlite3_errmsg(db));
		CHECK(0);
	}
	sqlite3_close(db);
}

/* The median of v[0..n) as stats.c defines it (n > 0; v sorted here). */
static long long
median(long long *v, int n)
{
	int		i, j;
	long long	t;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The local day of the Monday of t's week at offset off (seconds). */
static long long
monday_of(long long t, long off)
{
	long long	day = (t + off) / 86400;	/* times after 1970 */

	return day - (day + 3) % 7;	/* 1970-01-01 was a Thursday */
}

/*
 * by_week against the test's own tally: every week (Monday to Sunday at
 * offset off) the period touches, its Monday as the C library writes
 * it, and the incidents of the period first seen in it.
 */
static void
check_weeks(json_t *o, long long from, long long to, long off)
{
	json_t		*weeks = json_object_get(o, "by_week"), *w;
	long long	 first = monday_of(from, off), last = monday_of(to - 1,
			    off), want, sum = 0;
	size_t		 n = (size_t)((last - first) / 7 + 1), k;
	struct tm	 tm;
	time_t		 day;
	char		 name[16];
	int		 i, ok = 1;

	CHECK(json_array_size(weeks) == n);
	json_array_foreach(weeks, k, w) {
		day = (time_t)((first + 7 * (long long)k) * 86400);
		gmtime_r(&day, &tm);
		strftime(name, sizeof(name), "%Y-%m-%d", &tm);
		ok &= tm.tm_wday == 1;
		ok &= json_string_value(json_object_get(w, "week")) != NULL &&
		    strcmp(json_string_value(json_object_get(w, "week")),
		    name) == 0;
		for (i = 0, want = 0; i < n_known; i++)
			want += known[i].first >= from && known[i].first < to &&
			    !known[i].merged && monday_of(known[i].first,
			    off) == first + 7 * (long long)k;
		ok &= json_integer_value(json_object_get(w, "count")) == want;
		sum += want;
	}
	CHECK(ok);
	CHECK(sum == json_integer_value(json_object_get(o, "total")));
}

/* Compare one period's statistics with the test's own counts. */
static void
check_period(struct store_read *rd, const char *name, const struct tzif *tz)
{
	struct stats_period	 p;
	long long		 from, to, total = 0, ver = 0, rows[10][5];
	long long		 sev[5], claims[N_INCIDENTS_MAX];
	long long		 res[N_INCIDENTS_MAX];
	json_t			*o, *row, *v;
	char			 err[256];
	int			 i, r, nc = 0, nr = 0, ok = 1;
	size_t			 k;

	memset(rows, 0, sizeof(rows));
	memset(sev, 0, sizeof(sev));
	CHECK(stats_period_parse(name, &p) == 0);
	stats_period_bounds(&p, tz, &from, &to);
	CHECK(stats_compute(rd, &tax, &p, tz, "Test/Zone", &o, err,
	    sizeof(err)) == STORE_READ_OK);
	if (o == NULL) {
		printf("FAIL %s: %s\n", name, err);
		return;
	}
	for (i = 0; i < n_known; i++) {
		struct known *kn = &known[i];

		if (kn->first < from || kn->first >= to || kn->merged)
			continue;
		total++;
		ver += kn->verified;
		sev[kn->severity]++;
		if ((r = kn->cat->mau05) >= 1 && r <= 10) {
			rows[r - 1][0]++;
			if (kn->handling >= 0)
				rows[r - 1][1 + kn->handling]++;
		}
		if (kn->claim_after >= 0)
			claims[nc++] = kn->claim_after;
		if (kn->resolve_after >= 0)
			res[nr++] = kn->resolve_after;
	}
	CHECK(json_integer_value(json_object_get(o, "total")) == total);
	CHECK(json_integer_value(json_object_get(o, "verified")) == ver);
	CHECK(json_array_size(json_object_get(o, "mau05")) == 10);
	json_array_foreach(json_object_get(o, "mau05"), k, row) {
		r = (int)json_integer_value(json_object_get(row, "row"));
		ok &= r == (int)k + 1;
		ok &= json_integer_value(json_object_get(row, "count")) ==
		    rows[k][0];
		for (i = 0; i < 4; i++)
			ok &= json_integer_value(json_object_get(row,
			    handlings[i])) == rows[k][1 + i];
		ok &= json_is_string(json_object_get(row, "label"));
	}
	CHECK(ok);
	for (i = 1; i <= 4; i++)
		CHECK(json_integer_value(json_object_get(json_object_get(o,
		    "by_severity"), severity_name(i))) == sev[i]);
	/* by channel and by category add up to total, and match */
	for (k = 0; k < sizeof(channels) / sizeof(channels[0]); k++) {
		long long want = 0;

		for (i = 0; i < n_known; i++)
			want += known[i].first >= from && known[i].first < to &&
			    !known[i].merged &&
			    strcmp(known[i].channel, channels[k]) == 0;
		v = json_object_get(json_object_get(o, "by_channel"),
		    channels[k]);
		CHECK((v == NULL ? 0 : json_integer_value(v)) == want);
	}
	for (k = 0; k < tax.n; k++) {
		long long want = 0;

		for (i = 0; i < n_known; i++)
			want += known[i].first >= from && known[i].first < to &&
			    !known[i].merged && known[i].cat == &tax.entries[k];
		v = json_object_get(json_object_get(o, "by_category"),
		    tax.entries[k].code);
		CHECK((v == NULL ? 0 : json_integer_value(v)) == want);
	}
	v = json_object_get(o, "median_seconds_to_claim");
	CHECK(nc == 0 ? json_is_null(v) : json_integer_value(v) ==
	    median(claims, nc));
	v = json_object_get(o, "median_seconds_to_resolve");
	CHECK(nr == 0 ? json_is_null(v) : json_integer_value(v) ==
	    median(res, nr));
	CHECK_STR(json_string_value(json_object_get(o, "period")), p.name);
	check_weeks(o, from, to, tzif_offset(tz, from));
	json_decref(o);
}

static void
test_compute(void)
{
	struct store_sql	*sql;
	struct store_read	*rd;
	struct sqlite3		*db;
	struct tzif		 tz7;
	char			 err[256];
	long long		 t, start = 1767200400;	/* 2026 in +07:00 */
	int			 i, sev;

	tzif_fixed(&tz7, 7 * 3600);
	snprintf(db_path, sizeof(db_path), "%s/intaked.db", dir);
	if ((db = store_sql_open(db_path, 0, err, sizeof(err))) == NULL ||
	    (sql = store_sql_new(db, 86400, err, sizeof(err))) == NULL) {
		printf("FAIL open: %s\n", err);
		CHECK(0);
		return;
	}
	/* the first and the last second of the year, then the year */
	submit(sql, start, NULL, 3, 1, "line", 0);
	submit(sql, start - 1, NULL, 2, 1, "smtp", 1);
	submit(sql, start + 365 * 86400 - 1, NULL, 1, 0, "api", 2);
	submit(sql, start + 365 * 86400, NULL, 4, 1, "web", 3);
	for (i = 4, t = start; i < N_SUBMISSIONS; i++) {
		t += rnd(2 * 365 * 86400 / N_SUBMISSIONS);
		sev = 1 + rnd(4);
		/* a third join an earlier incident of the last hours */
		if (n_known > 4 && rnd(3) == 0 &&
		    known[n_known - 1].first > t - 3600)
			submit(sql, t, &known[n_known - 1], sev, rnd(2),
			    channels[rnd(4)], i);
		else
			submit(sql, t, NULL, sev, rnd(4) != 0,
			    channels[rnd(4)], i);
	}
	store_sql_free(sql);
	/* what analysts did: handling, claims, resolutions, merges */
	for (i = 0; i < n_known; i++) {
		struct known *k = &known[i];

		if (rnd(3) == 0) {
			k->handling = (int)rnd(4);
			sql_run("UPDATE incidents SET handling = '%s'"
			    " WHERE code = '%s'", handlings[k->handling],
			    k->id);
		}
		if (rnd(2) == 0) {
			k->claim_after = rnd(86400);
			sql_run("UPDATE incidents SET first_claimed_at ="
			    " first_seen + %lld WHERE code = '%s'",
			    k->claim_after, k->id);
		}
		if (rnd(3) == 0) {
			k->resolve_after = 3600 + rnd(10 * 86400);
			sql_run("UPDATE incidents SET resolved_at ="
			    " first_seen + %lld WHERE code = '%s'",
			    k->resolve_after, k->id);
		}
		if (i > 10 && rnd(20) == 0) {
			k->merged = 1;
			sql_run("UPDATE incidents SET status = 'merged'"
			    " WHERE code = '%s'", k->id);
		}
	}
	if ((rd = store_read_open(db_path, err, sizeof(err))) == NULL) {
		printf("FAIL reader: %s\n", err);
		CHECK(0);
		return;
	}
	check_period(rd, "2026", &tz7);
	check_period(rd, "2026Q1", &tz7);
	check_period(rd, "2026Q4", &tz7);
	check_period(rd, "2026H2", &tz7);
	check_period(rd, "2027", &tz7);
	check_period(rd, "2025", &tz7);
	check_period(rd, "2030", &tz7);
	store_read_close(rd);
}

int
main(void)
{
	char	err[256];

	if (mkdtemp(dir) == NULL)
		return t_skip_all("cannot make a temporary directory");
	report_limits_default(&lim);
	if (taxonomy_parse(&tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == -1) {
		printf("FAIL taxonomy: %s\n", err);
		return 1;
	}
	test_periods();
	test_compute();
	taxonomy_free(&tax);
	unlink(db_path);
	snprintf(db_path + strlen(db_path), sizeof(db_path) - strlen(db_path),
	    "-wal");
	unlink(db_path);
	db_path[strlen(db_path) - 4] = '\0';
	strcat(db_path, "-shm");
	unlink(db_path);
	rmdir(dir);
	return t_done();
}
