/*
 * bench_mail.c - throughput of the whole mail parser, mail_to_reports()
 * (mail.h): MIME parse, format recognition (ARF, X-ARF, forward, plain),
 * text extraction, indicator extraction (extract.h), category guess
 * (classify.h) and the report's metadata: all the work the SMTP session
 * gives its worker thread for one message, without the network or the
 * store.
 *
 *   bench_mail DIR [SECONDS [SUFFIX]]	every file under DIR (or only names
 *					ending in SUFFIX, e.g. .eml)
 *
 * Builds the extractor, the embedded taxonomy and the classifier the way
 * the daemon does, reads every input into memory, then parses them in turn
 * with the envelope of a plain SMTP delivery, again and again, for SECONDS
 * (default 3) of wall-clock time, on one thread (the daemon has one parse
 * thread). Prints
 *
 *   mail_to_reports: X msgs/s, Y MB/s over N files (...)
 *
 * per second of this process's CPU time (MB = 10^6 bytes of input), so
 * that other load on a shared machine does not count, with the wall-clock
 * figures, the reports produced per pass and the CPU share beside them.
 * Exit status 1 when nothing could be read, set-up failed or a parse
 * failed (mail_to_reports fails only when memory runs out).
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify.h"
#include "extract.h"
#include "limits_gw.h"
#include "mail.h"
#include "report.h"
#include "taxonomy.h"

#define BENCH_FILES_MAX	100000

struct input {
	char	*data;
	size_t	 len;
};

/* nftw has no user pointer: the file list has to live here. */
static struct input	*bench_in;
static size_t		 bench_n;
static const char	*bench_suffix;

static int	bench_add_file(const char *, const struct stat *, int,
		    struct FTW *);
static double	bench_now(clockid_t);

/* Seconds on clock (CLOCK_MONOTONIC or CLOCK_PROCESS_CPUTIME_ID). */
static double
bench_now(clockid_t clock)
{
	struct timespec	 ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
bench_add_file(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	FILE	*f;
	size_t	 n, sl, pl = strlen(path);
	char	*buf;

	(void)ftw;
	if (type != FTW_F || bench_n >= BENCH_FILES_MAX || st->st_size <= 0)
		return 0;
	if (bench_suffix != NULL && ((sl = strlen(bench_suffix)) > pl ||
	    strcmp(path + pl - sl, bench_suffix) != 0))
		return 0;
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "bench_mail: %s: %s\n", path, strerror(errno));
		return 0;
	}
	if ((buf = malloc((size_t)st->st_size)) == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, (size_t)st->st_size, f);
	fclose(f);
	bench_in[bench_n].data = buf;
	bench_in[bench_n].len = n;
	bench_n++;
	return 0;
}

int
main(int argc, char *argv[])
{
	static const char *const rcpts[] = { "ir@test.example" };
	struct taxonomy		 tax;
	struct report_limits	 lim;
	struct extractor	*ex;
	struct classifier	*cl;
	struct mail_context	 ctx;
	struct mail_envelope	 env;
	struct mail_result	 res;
	double			 secs = 3, t0, c0, el, cpu;
	size_t			 i, bytes = 0, parses = 0, total = 0;
	size_t			 reports = 0, passes = 0;
	char			 err[256], *end;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: bench_mail DIR [SECONDS [SUFFIX]]\n");
		return 1;
	}
	if (argc > 2 && ((secs = strtod(argv[2], &end)) <= 0 || *end != '\0'))
		secs = 3;
	if (argc > 3)
		bench_suffix = argv[3];
	if ((bench_in = calloc(BENCH_FILES_MAX, sizeof(*bench_in))) == NULL)
		return 1;
	if (nftw(argv[1], bench_add_file, 16, FTW_PHYS) == -1) {
		fprintf(stderr, "bench_mail: %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	if (bench_n == 0) {
		fprintf(stderr, "bench_mail: no input under %s\n", argv[1]);
		return 1;
	}
	for (i = 0; i < bench_n; i++)
		total += bench_in[i].len;

	memset(&tax, 0, sizeof(tax));
	if (taxonomy_parse(&tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == -1) {
		fprintf(stderr, "bench_mail: embedded taxonomy: %s\n", err);
		return 1;
	}
	if ((ex = extractor_new(err, sizeof(err))) == NULL) {
		fprintf(stderr, "bench_mail: extractor: %s\n", err);
		return 1;
	}
	if ((cl = classifier_new(classify_embedded, classify_embedded_len,
	    &tax, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bench_mail: classifier: %s\n", err);
		return 1;
	}
	report_limits_default(&lim);
	memset(&ctx, 0, sizeof(ctx));
	ctx.tax = &tax;
	ctx.lim = &lim;
	ctx.extractor = ex;
	ctx.classifier = cl;
	ctx.max_reports = SMTP_REPORTS_MAX;
	memset(&env, 0, sizeof(env));
	env.mail_from = "reporter@sender.test.example";
	env.rcpts = rcpts;
	env.n_rcpts = 1;
	env.helo = "mail.sender.test.example";
	env.peer = "127.0.0.1";
	env.hostname = "mx.test.example";

	t0 = bench_now(CLOCK_MONOTONIC);
	c0 = bench_now(CLOCK_PROCESS_CPUTIME_ID);
	do {
		for (i = 0; i < bench_n; i++) {
			if (mail_to_reports(&ctx, &env, bench_in[i].data,
			    bench_in[i].len, &res, err, sizeof(err)) == -1) {
				fprintf(stderr, "bench_mail: mail_to_reports "
				    "failed: %s\n", err);
				return 1;
			}
			if (passes == 0)
				reports += res.n_reports;
			mail_result_free(&res);
			bytes += bench_in[i].len;
			parses++;
		}
		passes++;
		el = bench_now(CLOCK_MONOTONIC) - t0;
	} while (el < secs);
	cpu = bench_now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("mail_to_reports: %.0f msgs/s, %.1f MB/s over %zu files (per "
	    "CPU second; %zu bytes, %zu reports per pass, %zu parses; wall "
	    "clock %.0f msgs/s, %.1f MB/s, %.0f%% of a CPU; PCRE2 JIT %s)\n",
	    (double)parses / cpu, (double)bytes / 1e6 / cpu, bench_n, total,
	    reports, parses, (double)parses / el, (double)bytes / 1e6 / el,
	    100 * cpu / el, extractor_has_jit(ex) ? "on" : "off");

	classifier_free(cl);
	extractor_free(ex);
	taxonomy_free(&tax);
	for (i = 0; i < bench_n; i++)
		free(bench_in[i].data);
	free(bench_in);
	return 0;
}
