/*
 * test_mail_corpora.c - mail_to_reports over every .eml of the shared
 * corpora (../shared/corpora, or $INTAKED_CORPORA), recursively: no crash,
 * at least one sane report each, a meta_json that parses; the ARF
 * feedback-loop samples give spam with their Source-IP as an indicator,
 * the X-ARF samples a real category. Prints the count per format and the
 * throughput (messages per second, several rounds over the corpus).
 * Skipped, with the reason, when there is no corpus or no .eml in it.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "classify.h"
#include "extract.h"
#include "mail.h"
#include "mail_auto.h"
#include "t.h"
#include "t_file.h"

#define ROUNDS		20
#define FILES_MAX	1024

struct sample {
	char	*path;
	char	*text;
	size_t	 len;
};

static struct taxonomy		 tax;
static struct report_limits	 lim;
static struct mail_context	 ctx;
static struct sample		 samples[FILES_MAX];
static size_t			 n_samples;
static size_t			 per_format[MAIL_FORMAT_COUNT];
static size_t			 n_arf, n_xarf, n_reports;

static const char *const	 rcpts[] = { "abuse@cert.example" };
static const struct mail_envelope env = {
	"sender@example.net", rcpts, 1, "mail.example.net", "192.0.2.10",
	NULL, "mx.cert.example"
};

static int
collect(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	size_t	n = strlen(path);

	if (flag != FTW_F || n < 4 || strcasecmp(path + n - 4, ".eml") != 0 ||
	    n_samples == FILES_MAX)
		return 0;
	samples[n_samples].path = strdup(path);
	samples[n_samples].text = t_slurp(path, &samples[n_samples].len);
	if (samples[n_samples].path == NULL ||
	    samples[n_samples].text == NULL) {
		printf("FAIL cannot read %s\n", path);
		t_failed++;
		return 0;
	}
	n_samples++;
	return 0;
}

/* The value of the first "Name:" line of the raw text, in buf. */
static int
raw_field(const char *text, const char *name, char *buf, size_t len)
{
	const char	*p = text;
	size_t		 nl = strlen(name), n;

	while ((p = strcasestr(p, name)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[nl] == ':') {
			p += nl + 1;
			p += strspn(p, " \t");
			n = strcspn(p, "\r\n \t");
			if (n == 0 || n >= len)
				return -1;
			memcpy(buf, p, n);
			buf[n] = '\0';
			return 0;
		}
		p += nl;
	}
	return -1;
}

/* The header block of the raw text says X-ARF / X-XARF. */
static int
raw_is_xarf(const char *text)
{
	const char	*end = strstr(text, "\n\n"), *p;

	if (end == NULL && (end = strstr(text, "\r\n\r\n")) == NULL)
		return 0;
	for (p = text; p != NULL && p < end; p = strchr(p, '\n')) {
		p += *p == '\n';
		if (strncasecmp(p, "X-ARF:", 6) == 0 ||
		    strncasecmp(p, "X-XARF:", 7) == 0)
			return 1;
	}
	return 0;
}

static int
has_ind(const struct report *r, const char *v)
{
	size_t	i;

	for (i = 0; i < r->n_indicators; i++)
		if (strcasecmp(r->indicators[i].value, v) == 0)
			return 1;
	return 0;
}

static void
check_sample(const struct sample *s)
{
	struct mail_result	 res;
	struct report_error	 rerr;
	char			 err[128], ip[64];
	json_t			*j;
	size_t			 i, undet = 0;
	int			 rc;

	rc = mail_to_reports(&ctx, &env, s->text, s->len, &res, err,
	    sizeof(err));
	CHECK(rc == 0);
	if (rc != 0) {
		printf("FAIL %s: %s\n", s->path, err);
		return;
	}
	CHECK(res.n_reports >= 1);
	per_format[res.format]++;
	n_reports += res.n_reports;
	for (i = 0; i < res.n_reports; i++) {
		CHECK(res.reports[i].category != NULL);
		CHECK(report_finish(&res.reports[i], &rerr) == 0);
		CHECK(res.reports[i].description != NULL ||
		    res.reports[i].n_indicators > 0);
		if (res.reports[i].category != NULL &&
		    strcmp(res.reports[i].category->code, "undetermined") == 0)
			undet++;
	}
	j = json_loads(res.meta_json ? res.meta_json : "", 0, NULL);
	CHECK(json_is_object(j));
	json_decref(j);
	if (strstr(s->path, "/feedback-loop/") != NULL) {
		n_arf++;
		CHECK(res.format == MAIL_FORMAT_ARF);
		CHECK(res.n_reports == 1 && undet == 0 &&
		    strcmp(res.reports[0].category->code, "spam") == 0);
		if (raw_field(s->text, "Source-IP", ip, sizeof(ip)) == 0) {
			if (!has_ind(&res.reports[0], ip))
				printf("FAIL %s: no Source-IP %s\n", s->path,
				    ip);
			CHECK(has_ind(&res.reports[0], ip));
		}
	}
	if (raw_is_xarf(s->text)) {
		n_xarf++;
		if (res.format != MAIL_FORMAT_XARF || undet > 0)
			printf("FAIL %s: X-ARF gave %s/%s\n", s->path,
			    mail_format_name(res.format),
			    res.reports[0].category->code);
		CHECK(res.format == MAIL_FORMAT_XARF && undet == 0);
	}
	mail_result_free(&res);
}

static void
throughput(void)
{
	struct mail_result	 res;
	struct timespec		 t0, t1;
	char			 err[128];
	size_t			 i, k, bytes = 0;
	double			 secs;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (k = 0; k < ROUNDS; k++)
		for (i = 0; i < n_samples; i++) {
			if (mail_to_reports(&ctx, &env, samples[i].text,
			    samples[i].len, &res, err, sizeof(err)) == 0)
				mail_result_free(&res);
			bytes += samples[i].len;
		}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("throughput: %.0f messages/s, %.1f MB/s (%zu messages x %d)\n",
	    ROUNDS * n_samples / secs, bytes / secs / 1e6, n_samples, ROUNDS);
}

/* The classifier from the rules compiled into the binaries. */
static struct classifier *
load_classifier(void)
{
	struct classifier	*c;
	char			 err[256];

	if ((c = classifier_new(classify_embedded, classify_embedded_len,
	    &tax, err, sizeof(err))) == NULL) {
		printf("FAIL classify rules: %s\n", err);
	}
	return c;
}

int
main(void)
{
	const char		*dir = getenv("INTAKED_CORPORA");
	struct extractor	*ex;
	struct classifier	*cl;
	char			 err[256];
	size_t			 i;

	if (dir == NULL || *dir == '\0')
		dir = "../shared/corpora";
	if (access(dir, R_OK) != 0)
		return t_skip_all("corpora: %s not found (set INTAKED_CORPORA)",
		    dir);
	nftw(dir, collect, 16, FTW_PHYS);
	if (n_samples == 0 && t_failed == 0)
		return t_skip_all("corpora: no .eml file under %s", dir);
	if (taxonomy_parse(&tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == -1 ||
	    (ex = extractor_new(err, sizeof(err))) == NULL) {
		printf("FAIL setup: %s\n", err);
		return 1;
	}
	report_limits_default(&lim);
	ctx.tax = &tax;
	ctx.lim = &lim;
	ctx.extractor = ex;
	ctx.classifier = cl = load_classifier();
	ctx.auto_rules = mail_auto_rules_new(auto_embedded, auto_embedded_len,
	    err, sizeof(err));
	CHECK(ctx.auto_rules != NULL);
	CHECK(cl != NULL);
	ctx.max_reports = 1000;
	CHECK(n_samples > 0);
	for (i = 0; i < n_samples; i++)
		check_sample(&samples[i]);
	printf("corpora: %zu messages, %zu reports; plain %zu, arf %zu, "
	    "xarf %zu, forward %zu, dsn %zu\n", n_samples, n_reports,
	    per_format[MAIL_FORMAT_PLAIN], per_format[MAIL_FORMAT_ARF],
	    per_format[MAIL_FORMAT_XARF], per_format[MAIL_FORMAT_FORWARD],
	    per_format[MAIL_FORMAT_DSN]);
	printf("corpora: %zu ARF feedback-loop samples, %zu X-ARF samples\n",
	    n_arf, n_xarf);
	CHECK(n_arf > 0 && n_xarf > 0);
	throughput();
	for (i = 0; i < n_samples; i++) {
		free(samples[i].path);
		free(samples[i].text);
	}
	mail_auto_rules_free((struct mail_auto_rules *)ctx.auto_rules);
	classifier_free(cl);
	extractor_free(ex);
	taxonomy_free(&tax);
	return t_done();
}
