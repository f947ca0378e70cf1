/*
 * fuzz_mail.c - libFuzzer harness for mail_to_reports (mail.h): the input
 * is a whole received message, parsed with a fixed envelope (the null
 * sender when the first byte is odd, so both paths of the automatic checks
 * run). The extractor and the classifier (from the rules compiled in) are
 * built once.
 *
 * Checked: success (only memory exhaustion may fail), 1..max reports, each
 * with a category and a finished state, descriptions and subjects that
 * report_set_field would accept (UTF-8, no controls), auto flags and
 * reasons that agree (an aggregate report is automatic), and a meta_json
 * that parses as a JSON object. The automatic-mail signals are the ones
 * compiled in.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "classify.h"
#include "extract.h"
#include "mail.h"
#include "mail_auto.h"

#define FZ_MAX_REPORTS	8

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static struct classifier *fz_classifier(void);
static void	fz_check_text(const char *, int);

static struct taxonomy		 fz_tax;
static struct report_limits	 fz_lim;
static struct mail_context	 fz_ctx;
static const char *const	 fz_rcpts[] = { "ir@cert.example" };
static const char *const	 fz_trusted[] = { "mx.cert.example" };

/* The classifier from the rules compiled into the binaries. */
static struct classifier *
fz_classifier(void)
{
	struct classifier	*c;
	char			 err[256];

	if ((c = classifier_new(classify_embedded, classify_embedded_len,
	    &fz_tax, err, sizeof(err))) == NULL) {
		fprintf(stderr, "classify rules: %s\n", err);
		abort();
	}
	return c;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	err[256];

	if (taxonomy_parse(&fz_tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == -1) {
		fprintf(stderr, "taxonomy: %s\n", err);
		abort();
	}
	report_limits_default(&fz_lim);
	fz_ctx.tax = &fz_tax;
	fz_ctx.lim = &fz_lim;
	if ((fz_ctx.extractor = extractor_new(err, sizeof(err))) == NULL) {
		fprintf(stderr, "extractor: %s\n", err);
		abort();
	}
	fz_ctx.classifier = fz_classifier();
	if ((fz_ctx.auto_rules = mail_auto_rules_new(auto_embedded,
	    auto_embedded_len, err, sizeof(err))) == NULL) {
		fprintf(stderr, "automatic mail rules: %s\n", err);
		abort();
	}
	fz_ctx.trusted_upstreams = fz_trusted;
	fz_ctx.n_trusted_upstreams = 1;
	fz_ctx.max_reports = FZ_MAX_REPORTS;
	return 0;
}

/* What report_set_field accepts as free text. */
static void
fz_check_text(const char *s, int multiline)
{
	if (s == NULL)
		return;
	if (!utf8_valid(s, strlen(s)) ||
	    text_has_controls(s, strlen(s), multiline))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_envelope	 env = { "reporter@example.net", fz_rcpts, 1,
	    "mail.example.net", "198.51.100.7", NULL, "mx.cert.example" };
	struct mail_result	 res;
	struct report_error	 rerr;
	char			 err[128];
	json_t			*j;
	size_t			 i;

	if (size > 0 && (data[0] & 1))
		env.mail_from = "";
	if (mail_to_reports(&fz_ctx, &env, (const char *)data, size, &res, err,
	    sizeof(err)) == -1) {
		if (errno != ENOMEM)
			abort();
		return 0;
	}
	if (res.n_reports < 1 || res.n_reports > FZ_MAX_REPORTS ||
	    res.meta_json == NULL || (res.auto_generated != 0) !=
	    (res.auto_reason != NULL) || (env.mail_from[0] == '\0' &&
	    !res.auto_generated))
		abort();
	for (i = 0; i < res.n_reports; i++) {
		const struct report *r = &res.reports[i];

		if ((r->auto_reason == NULL) != (res.auto_reason == NULL) ||
		    (r->auto_reason != NULL && strcmp(r->auto_reason,
		    res.auto_reason) != 0) || (r->aggregate &&
		    !r->auto_generated))
			abort();
		fz_check_text(r->auto_reason, 0);
		if (r->category == NULL || r->auto_generated !=
		    res.auto_generated || r->severity == SEV_UNSET ||
		    report_finish(&res.reports[i], &rerr) == -1 ||
		    (r->description == NULL && r->n_indicators == 0) ||
		    (r->description && strlen(r->description) >
		    fz_lim.description_max) ||
		    (res.tbsc && r->severity < SEV_HIGH))
			abort();
		fz_check_text(r->description, 1);
		fz_check_text(r->subject, 0);
		fz_check_text(r->reporter_name, 0);
	}
	if ((j = json_loads(res.meta_json, 0, NULL)) == NULL ||
	    !json_is_object(j))
		abort();
	json_decref(j);
	mail_result_free(&res);
	return 0;
}
