/*
 * triage_gen.c - fills a database for the triage benchmarks: REPORTS
 * reports in INCIDENTS incidents spread over one year, written through
 * the writer's own SQL (store_sql_run: the same statements, dedup and
 * codes as intaked), then what analysts would have done to them.
 *
 *   triage_gen -D DIR [-r REPORTS] [-i INCIDENTS] [-y YEAR] [-b BATCH]
 *       [-s SEED]
 *
 * DIR/intaked.db must not exist. Defaults: 1,000,000 reports, 100,000
 * incidents, the year 2026 (in +07:00), 2,000 reports a transaction.
 * Each incident opens at a random time of the year, in a category drawn
 * from the taxonomy, with a source address of its own (so its own
 * fingerprint), and its other reports follow within the dedup window
 * (24 h), so they join it; channels and severities vary per report, and
 * about one incident in ten is unverified. Reports are written in time
 * order, as they would have arrived. synchronous=OFF while generating
 * (this is not what is measured; the file is synced at the end).
 *
 * Then, as analysts: 60% of the incidents get a status other than new,
 * 50% a first claim (minutes to a day after the first report), the
 * resolved and closed ones a resolution time, 30% a handling column and
 * 5% a serious severity; by plain UPDATEs (the triage changes' SQL is
 * per incident; a year of analyst work is not the point here).
 *
 * One line at the end:
 *   triage_gen reports=N incidents=N seconds=S rate=N/s db_mb=N
 */
#define BENCH_NAME	"triage_gen"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench_util.h"
#include "ilp.h"
#include "report.h"
#include "store.h"
#include "taxonomy.h"
#include "util.h"
#include "../../gateway/store_sql.h"

struct gen_event {
	long long	t;
	uint32_t	incident;
};

static const char *const gen_channels[] = { "line", "smtp", "api", "web" };
static const char *const gen_severities[] = { "low", "medium", "high",
	"critical" };

static int
gen_cmp(const void *a, const void *b)
{
	const struct gen_event	*x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->incident < y->incident ? -1 : x->incident > y->incident;
}

static uint64_t	gen_rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
gen_rand(void)
{
	gen_rng = bench_mix64(gen_rng + 0x9e3779b97f4a7c15ULL);
	return gen_rng;
}

static void
gen_exec(sqlite3 *db, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		bench_fatal("%s: %s", sql, msg != NULL ? msg : "?");
}

/* One report of incident k at time t through the writer's SQL. */
static void
gen_report(struct store_sql *sql, const struct taxonomy *tax,
    const struct report_limits *lim, uint32_t k, long long t, uint64_t n)
{
	const struct taxonomy_entry *cat;
	struct store_job	*job = store_job_new();
	struct report_error	 rerr;
	uint64_t		 h = bench_mix64(k);
	char			 line[1024];
	int			 len;

	cat = &tax->entries[h % tax->n];
	len = snprintf(line, sizeof(line), "category=%s severity=%s "
	    "source-ip=10.%u.%u.%u description=Report%%20%llu%%20of%%20"
	    "incident%%20%u:%%20B%%C3%%A1o%%20c%%C3%%A1o%%20s%%E1%%BB%%B1"
	    "%%20c%%E1%%BB%%91%%20an%%20to%%C3%%A0n%%20th%%C3%%B4ng%%20tin"
	    "%%20m%%E1%%BA%%A1ng reporter-email=soc%u@isp%u.example",
	    cat->code, gen_severities[gen_rand() % 3],
	    (k >> 16) & 255, (k >> 8) & 255, k & 255,
	    (unsigned long long)n, k, (unsigned)(h >> 20) % 50,
	    (unsigned)(h >> 30) % 20);
	job->channel = gen_channels[gen_rand() % 4];
	job->verified = (h >> 40) % 10 != 0;
	job->token_name = xstrdup("bench");
	job->reports = xcalloc(1, sizeof(*job->reports));
	job->n_reports = 1;
	if (ilp_parse_report(line, (size_t)len, tax, lim, &job->reports[0],
	    &rerr) == -1)
		bench_fatal("report %s: %s %s", line, rerr.field, rerr.reason);
	report_fingerprint(&job->reports[0], job->reports[0].fingerprint);
	job->reports[0].has_fingerprint = 1;
	job->raw = (unsigned char *)xstrdup(line);
	job->rawlen = (size_t)len;
	if (store_sql_run(sql, job, (time_t)t, 0) == -1 ||
	    job->rc != STORE_OK)
		bench_fatal("store: %s", store_sql_errmsg(sql));
	store_job_free(job);
}

/* What analysts would have done, by plain UPDATEs. */
static void
gen_analysts(sqlite3 *db)
{
	gen_exec(db, "BEGIN");
	gen_exec(db, "UPDATE incidents SET status = CASE abs(random()) % 10"
	    " WHEN 0 THEN 'triaged' WHEN 1 THEN 'in-progress'"
	    " WHEN 2 THEN 'resolved' WHEN 3 THEN 'resolved'"
	    " WHEN 4 THEN 'closed' WHEN 5 THEN 'rejected' ELSE status END");
	gen_exec(db, "UPDATE incidents SET first_claimed_at = first_seen +"
	    " 60 + abs(random()) % 86400 WHERE status != 'new'"
	    " OR abs(random()) % 4 = 0");
	gen_exec(db, "UPDATE incidents SET resolved_at = first_seen + 3600 +"
	    " abs(random()) % (10 * 86400) WHERE status IN ('resolved',"
	    " 'closed')");
	gen_exec(db, "UPDATE incidents SET handling = CASE abs(random()) % 4"
	    " WHEN 0 THEN 'handled_in_house' WHEN 1 THEN 'domestic_help'"
	    " WHEN 2 THEN 'foreign_help' ELSE 'coordinator_help' END"
	    " WHERE abs(random()) % 10 < 3");
	gen_exec(db, "UPDATE incidents SET severity = 4"
	    " WHERE abs(random()) % 20 = 0");
	gen_exec(db, "COMMIT");
}

int
main(int argc, char **argv)
{
	struct taxonomy		 tax;
	struct report_limits	 lim;
	struct gen_event	*ev;
	struct store_sql	*sql;
	struct sqlite3		*db;
	const char		*dir = NULL;
	char			 path[4096], err[256];
	long long		 reports = 1000000, incidents = 100000;
	long long		 year = 2026, batch = 2000, start, span, i;
	long long		 k;
	double			 t0;
	int			 ch;

	while ((ch = getopt(argc, argv, "D:r:i:y:b:s:")) != -1) {
		switch (ch) {
		case 'D':
			dir = optarg;
			break;
		case 'r':
			reports = bench_num_arg(ch, optarg, 1, 100000000);
			break;
		case 'i':
			incidents = bench_num_arg(ch, optarg, 1, 16000000);
			break;
		case 'y':
			year = bench_num_arg(ch, optarg, 1971, 9999);
			break;
		case 'b':
			batch = bench_num_arg(ch, optarg, 1, 1000000);
			break;
		case 's':
			gen_rng = (uint64_t)bench_num_arg(ch, optarg, 0,
			    1LL << 62);
			break;
		default:
			bench_fatal("usage: triage_gen -D DIR [-r REPORTS] "
			    "[-i INCIDENTS] [-y YEAR] [-b BATCH] [-s SEED]");
		}
	}
	if (dir == NULL || reports < incidents)
		bench_fatal("-D DIR is required, and REPORTS >= INCIDENTS");
	snprintf(path, sizeof(path), "%s/%s", dir, STORE_DB_FILE);
	if (access(path, F_OK) == 0)
		bench_fatal("%s exists", path);
	report_limits_default(&lim);
	if (taxonomy_parse(&tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == -1)
		bench_fatal("taxonomy: %s", err);

	/* the year in +07:00; an incident's reports within a day of it */
	start = (long long)((year - 1970) * 365 + (year - 1969) / 4) * 86400 -
	    7 * 3600;
	span = 365 * 86400 - 86400;
	if ((ev = calloc((size_t)reports, sizeof(*ev))) == NULL)
		bench_fatal("out of memory");
	for (k = 0; k < incidents; k++) {
		ev[k].incident = (uint32_t)k;
		ev[k].t = start + (long long)(gen_rand() % (uint64_t)span);
	}
	for (i = incidents; i < reports; i++) {
		k = (long long)(gen_rand() % (uint64_t)incidents);
		ev[i].incident = (uint32_t)k;
		ev[i].t = ev[k].t + 1 + (long long)(gen_rand() % 80000);
	}
	qsort(ev, (size_t)reports, sizeof(*ev), gen_cmp);

	if ((db = store_sql_open(path, 0, err, sizeof(err))) == NULL ||
	    (sql = store_sql_new(db, 86400, err, sizeof(err))) == NULL)
		bench_fatal("%s: %s", path, err);
	gen_exec(db, "PRAGMA synchronous = OFF");
	t0 = bench_now_s();
	for (i = 0; i < reports; i++) {
		if (i % batch == 0 && store_sql_begin(sql) == -1)
			bench_fatal("begin: %s", store_sql_errmsg(sql));
		gen_report(sql, &tax, &lim, ev[i].incident, ev[i].t,
		    (uint64_t)i);
		if ((i + 1) % batch == 0 || i + 1 == reports) {
			if (store_sql_commit(sql) == -1)
				bench_fatal("commit: %s", store_sql_errmsg(sql));
		}
		if ((i + 1) % 100000 == 0)
			fprintf(stderr, "triage_gen: %lld reports, %.0f s\n",
			    i + 1, bench_now_s() - t0);
	}
	free(ev);
	gen_analysts(db);
	gen_exec(db, "PRAGMA synchronous = FULL");
	gen_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	store_sql_free(sql);
	taxonomy_free(&tax);
	{
		struct stat	st;

		stat(path, &st);
		printf("triage_gen reports=%lld incidents=%lld seconds=%.0f "
		    "rate=%.0f/s db_mb=%.0f\n", reports, incidents,
		    bench_now_s() - t0, reports / (bench_now_s() - t0),
		    st.st_size / 1048576.0);
	}
	return 0;
}
