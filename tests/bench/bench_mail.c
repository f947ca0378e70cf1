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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "extract.h"
#include "limits_gw.h"
#include "mail.h"
#include "mail_auto.h"
#include "report.h"
#include "taxonomy.h"

#define BENCH_NAME	"bench_mail"
#include "bench_util.h"

/* What one parse needs, and the reports of the first pass. */
struct mail_bench {
	struct mail_context	 ctx;
	struct mail_envelope	 env;
	size_t			 reports;
};

static void	mail_parse(const struct bench_input *, size_t, void *);

/* bench_loop callback: one mail_to_reports, as the SMTP worker calls it. */
static void
mail_parse(const struct bench_input *in, size_t pass, void *arg)
{
	struct mail_bench	*mb = arg;
	struct mail_result	 res;
	char			 err[256];

	if (mail_to_reports(&mb->ctx, &mb->env, in->data, in->len, &res, err,
	    sizeof(err)) == -1)
		bench_fatal("mail_to_reports failed: %s", err);
	if (pass == 0)
		mb->reports += res.n_reports;
	mail_result_free(&res);
}

int
main(int argc, char *argv[])
{
	static const char *const rcpts[] = { "ir@test.example" };
	struct bench_inputs	 in;
	struct bench_timing	 t;
	struct mail_bench	 mb;
	struct taxonomy		 tax;
	struct report_limits	 lim;
	struct extractor	*ex;
	struct classifier	*cl;
	struct mail_auto_rules	*ar;
	double			 secs = 3;
	char			 err[256], *end;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: bench_mail DIR [SECONDS [SUFFIX]]\n");
		return 1;
	}
	if (argc > 2 && ((secs = strtod(argv[2], &end)) <= 0 || *end != '\0'))
		secs = 3;
	memset(&in, 0, sizeof(in));
	if (bench_inputs_load(&in, argv[1], argc > 3 ? argv[3] : NULL) == -1)
		return 1;

	memset(&tax, 0, sizeof(tax));
	if (taxonomy_parse(&tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == -1)
		bench_fatal("embedded taxonomy: %s", err);
	if ((ex = extractor_new(err, sizeof(err))) == NULL)
		bench_fatal("extractor: %s", err);
	if ((cl = classifier_new(classify_embedded, classify_embedded_len,
	    &tax, err, sizeof(err))) == NULL)
		bench_fatal("classifier: %s", err);
	if ((ar = mail_auto_rules_new(auto_embedded, auto_embedded_len, err,
	    sizeof(err))) == NULL)
		bench_fatal("automatic mail rules: %s", err);
	report_limits_default(&lim);
	memset(&mb, 0, sizeof(mb));
	mb.ctx.tax = &tax;
	mb.ctx.lim = &lim;
	mb.ctx.extractor = ex;
	mb.ctx.classifier = cl;
	mb.ctx.auto_rules = ar;
	mb.ctx.max_reports = SMTP_REPORTS_MAX;
	mb.env.mail_from = "reporter@sender.test.example";
	mb.env.rcpts = rcpts;
	mb.env.n_rcpts = 1;
	mb.env.helo = "mail.sender.test.example";
	mb.env.peer = "127.0.0.1";
	mb.env.hostname = "mx.test.example";

	bench_loop(&in, secs, mail_parse, &mb, &t);
	printf("mail_to_reports: %.0f msgs/s, %.1f MB/s over %zu files (per "
	    "CPU second; %zu bytes, %zu reports per pass, %zu parses; wall "
	    "clock %.0f msgs/s, %.1f MB/s, %.0f%% of a CPU; PCRE2 JIT %s)\n",
	    (double)t.parses / t.cpu, (double)t.bytes / 1e6 / t.cpu, in.n,
	    in.bytes, mb.reports, t.parses, (double)t.parses / t.wall,
	    (double)t.bytes / 1e6 / t.wall, 100 * t.cpu / t.wall,
	    extractor_has_jit(ex) ? "on" : "off");

	mail_auto_rules_free(ar);
	classifier_free(cl);
	extractor_free(ex);
	taxonomy_free(&tax);
	bench_inputs_free(&in);
	return 0;
}
