/*
 * sqlite_ceiling.c - what SQLite alone can store on this machine: the
 * ceiling the daemon's throughput is compared with.
 *
 *   sqlite_ceiling [-d SECONDS] [-b BATCH]... [-D DIR] [-s SIZE]
 *
 * A bare loop on one thread, with no network, no event loop and no
 * threads, driving the store's own SQL (gateway/store_sql.c, linked from
 * libgw.a) as the writer thread does: store_sql_open (schema, pragmas,
 * SQLite configuration) and store_sql_new on a fresh database with the
 * daemon's default dedup window and quota, then per transaction of BATCH
 * reports store_sql_begin, store_sql_run(job, now, not isolated) for each
 * job and store_sql_commit. There is no copy of the schema or of the
 * statements here, so the figure follows every change to the store.
 *
 * Each job is what the line listener enqueues for one REPORT: one report
 * parsed by ilp_parse_report from a line of loadgen's generator
 * (bench_report_line in bench_util.h: a unique external-id, 1-3
 * indicators from a counter and a per-run salt, about one report in ten
 * repeating an earlier report's category and indicators so that it joins
 * its incident, a description padding the line to about SIZE bytes,
 * without the CRLF), channel "line", token "bench",
 * verified, and the line as raw evidence. The jobs of a batch are built
 * before its transaction starts and freed after it commits, so only the
 * store's SQL work is timed; parsing is not.
 *
 * Reports are committed in transactions of BATCH reports (default: three
 * runs, 100, 256 and 1000), each run for SECONDS (default 5, wall clock,
 * building the jobs included) on its own fresh database in a temporary
 * directory under DIR (default $TMPDIR or /tmp). First it times the fsync
 * of a small file in that directory (average of 100). Output:
 *
 *   fsync of a small file: ~0.12 ms (average of 100)
 *   sqlite ceiling batch=256: 41234 rows/s (fsync ~0.12 ms, commit ~2.1 ms
 *       of 6.2 ms per batch)
 *
 * where "rows/s" means reports/s over the timed SQL work only (each report
 * being all the rows the store writes for it), "commit" is the average
 * time of store_sql_commit (WAL write and fsync, and a checkpoint now and
 * then), and the last figure the average time from store_sql_begin to the
 * end of the commit.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "ilp.h"
#include "report.h"
#include "store.h"
#include "taxonomy.h"
#include "util.h"
#include "../../gateway/store_sql.h"

#define BENCH_NAME	"sqlite_ceiling"
#include "bench_util.h"

#define SC_MAX_BATCHES		8
#define SC_FSYNC_ROUNDS		100

/* loadgen's REPORT lines, and what parses them as the daemon does. */
struct sc_gen {
	struct taxonomy		 tax;
	struct report_limits	 lim;
	struct bench_reports	 rep;
};

static void	 usage(void) __attribute__((noreturn));
static double	 fsync_cost(const char *dir);
static void	 sc_gen_init(struct sc_gen *g, int size);
static void	 sc_gen_free(struct sc_gen *g);
static struct store_job *sc_job(struct sc_gen *g);
static void	 sc_run(const char *dir, struct sc_gen *g, int batch,
		    int seconds, const struct config *cfg, double fsync_ms);
static void	 rm_dir(const char *dir);

static void
usage(void)
{
	fprintf(stderr, "usage: sqlite_ceiling [-d SECONDS] [-b BATCH]... "
	    "[-D DIR] [-s SIZE]\n");
	exit(1);
}

/* Average ms of write(512 bytes) + fsync on a small file in dir. */
static double
fsync_cost(const char *dir)
{
	char	path[4096], block[512];
	double	t0, total = 0;
	int	fd, i;

	snprintf(path, sizeof(path), "%s/fsync-probe", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		bench_fatal("%s: %s", path, strerror(errno));
	memset(block, 'f', sizeof(block));
	/* The first fsync also writes the new inode and directory entry. */
	if (write(fd, block, sizeof(block)) == -1 || fsync(fd) == -1)
		bench_fatal("%s: %s", path, strerror(errno));
	for (i = 0; i < SC_FSYNC_ROUNDS; i++) {
		t0 = bench_now_s();
		if (pwrite(fd, block, sizeof(block), 0) == -1 ||
		    fsync(fd) == -1)
			bench_fatal("%s: %s", path, strerror(errno));
		total += bench_now_s() - t0;
	}
	close(fd);
	unlink(path);
	return total * 1000.0 / SC_FSYNC_ROUNDS;
}

/*
 * The taxonomy and limits the daemon uses by default (the embedded
 * taxonomy, limits_gw.h), and a salt per run as loadgen has.
 */
static void
sc_gen_init(struct sc_gen *g, int size)
{
	char	err[256];

	memset(g, 0, sizeof(*g));
	if (taxonomy_parse(&g->tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == -1)
		bench_fatal("embedded taxonomy: %s", err);
	report_limits_default(&g->lim);
	bench_reports_init(&g->rep, size);
}

static void
sc_gen_free(struct sc_gen *g)
{
	taxonomy_free(&g->tax);
	bench_reports_free(&g->rep);
}

/*
 * The next report as a SUBMIT job, filled as line_session.c fills one for
 * an authenticated REPORT. The caller owns it (store_job_free).
 */
static struct store_job *
sc_job(struct sc_gen *g)
{
	struct store_job	*job;
	struct report		 r;
	struct report_error	 err;
	const char		*line = g->rep.line;
	size_t			 len, vlen = strlen(BENCH_REPORT_VERB);

	/* Without the CRLF, which the listener strips before parsing. */
	len = bench_report_line(&g->rep, g->rep.counter++) - 2;
	if (ilp_parse_report(line + vlen, len - vlen, &g->tax, &g->lim, &r,
	    &err) == -1)
		bench_fatal("generated report refused: %s: %s: %.*s",
		    err.field, err.reason, (int)len, line);
	job = store_job_new();
	job->channel = "line";
	job->token_name = xstrdup("bench");
	job->verified = 1;
	job->peer = xstrdup("127.0.0.1");
	job->raw = (unsigned char *)xstrndup(line, len);
	job->rawlen = len;
	job->reports = xmalloc(sizeof(*job->reports));
	job->reports[0] = r;		/* the job owns the strings now */
	job->n_reports = 1;
	return job;
}

/*
 * One run: batch reports per transaction for `seconds', on a fresh
 * database opened as the daemon opens its own (cfg: the defaults). Only
 * store_sql_begin .. store_sql_commit is timed.
 */
static void
sc_run(const char *dir, struct sc_gen *g, int batch, int seconds,
    const struct config *cfg, double fsync_ms)
{
	struct store_job	**jobs;
	struct store_sql	 *sql;
	struct sqlite3		 *db;
	char			  path[4096], err[256];
	double			  t0, tb, tc, t, commit = 0, work = 0;
	uint64_t		  n = 0, commits = 0;
	time_t			  now;
	int			  i;

	snprintf(path, sizeof(path), "%s/ceiling-%d.db", dir, batch);
	if ((db = store_sql_open(path, cfg->store_max_bytes, err,
	    sizeof(err))) == NULL)
		bench_fatal("%s", err);
	if ((sql = store_sql_new(db, cfg->dedup_window, err,
	    sizeof(err))) == NULL)
		bench_fatal("%s: %s", path, err);
	jobs = xcalloc((size_t)batch, sizeof(*jobs));
	/* Duplicates refer to this database's reports. */
	g->rep.counter = 0;

	t0 = bench_now_s();
	do {
		for (i = 0; i < batch; i++)
			jobs[i] = sc_job(g);
		now = time(NULL);
		tb = bench_now_s();
		if (store_sql_begin(sql) == -1)
			bench_fatal("begin: %s", store_sql_errmsg(sql));
		for (i = 0; i < batch; i++)
			if (store_sql_run(sql, jobs[i], now, 0) == -1)
				bench_fatal("report: %s",
				    store_sql_errmsg(sql));
		tc = bench_now_s();
		if (store_sql_commit(sql) == -1)
			bench_fatal("commit: %s", store_sql_errmsg(sql));
		t = bench_now_s();
		commit += t - tc;
		work += t - tb;
		commits++;
		for (i = 0; i < batch; i++) {
			if (jobs[i]->rc != STORE_OK ||
			    jobs[i]->results[0].replayed)
				bench_fatal("report %" PRIu64 " not stored "
				    "as new", n + (uint64_t)i);
			store_job_free(jobs[i]);
		}
		n += (uint64_t)batch;
	} while (t - t0 < seconds);
	free(jobs);
	store_sql_free(sql);

	printf("sqlite ceiling batch=%d: %.0f rows/s (fsync ~%.2f ms, "
	    "commit ~%.2f ms of %.2f ms per batch)\n", batch,
	    (double)n / work, fsync_ms, commit * 1000.0 / (double)commits,
	    work * 1000.0 / (double)commits);
	fflush(stdout);
}

/* Remove the files of our temporary directory, then the directory. */
static void
rm_dir(const char *dir)
{
	DIR		*dp;
	struct dirent	*de;
	char		 path[4096];

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(dp);
	rmdir(dir);
}

int
main(int argc, char **argv)
{
	struct config	 cfg;
	struct sc_gen	 gen;
	const char	*parent = NULL;
	char		 dir[2048];
	int		 batches[SC_MAX_BATCHES], nbatches = 0, seconds = 5;
	int		 size = 1024, ch, i;
	double		 fsync_ms;

	while ((ch = getopt(argc, argv, "b:d:D:s:")) != -1) {
		switch (ch) {
		case 'b':
			if (nbatches == SC_MAX_BATCHES)
				bench_fatal("at most %d -b", SC_MAX_BATCHES);
			batches[nbatches++] = (int)bench_num_arg(ch, optarg, 1,
			    1000000);
			break;
		case 'd':
			seconds = (int)bench_num_arg(ch, optarg, 1, 3600);
			break;
		case 'D':
			parent = optarg;
			break;
		case 's':
			size = (int)bench_num_arg(ch, optarg, 256, 16000);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (nbatches == 0) {
		batches[nbatches++] = 100;
		batches[nbatches++] = 256;
		batches[nbatches++] = 1000;
	}
	if (parent == NULL && (parent = getenv("TMPDIR")) == NULL)
		parent = "/tmp";
	snprintf(dir, sizeof(dir), "%s/sqlite_ceiling.XXXXXX", parent);
	if (mkdtemp(dir) == NULL)
		bench_fatal("mkdtemp %s: %s", dir, strerror(errno));

	/* The daemon's defaults: [dedup] window, [store] max_bytes. */
	config_defaults(&cfg);
	sc_gen_init(&gen, size);

	fsync_ms = fsync_cost(dir);
	printf("fsync of a small file: ~%.3f ms (average of %d)\n", fsync_ms,
	    SC_FSYNC_ROUNDS);
	fflush(stdout);
	for (i = 0; i < nbatches; i++)
		sc_run(dir, &gen, batches[i], seconds, &cfg, fsync_ms);

	sc_gen_free(&gen);
	config_free(&cfg);
	rm_dir(dir);
	return 0;
}
