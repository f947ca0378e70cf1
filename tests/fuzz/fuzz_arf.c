/*
 * fuzz_arf.c - libFuzzer harness for the ARF feedback-report fields and
 * the shared report builder of arf.h. The input is read as the text of a
 * message/feedback-report part (arf_parse, then arf_to_report), and also
 * handed to the builder's value readers: an indicator of a guessed type,
 * a time, a description and cleaned single-line text.
 *
 * Checked: arf_parse fails only with EINVAL or ENOMEM and then leaves
 * nothing behind; a parsed feedback has a lower-case Feedback-Type and at
 * most ARF_REPEAT_MAX repeated values; every report is finished and its
 * texts are what report_set_field accepts; cleaned text is UTF-8 without
 * controls and within its bound.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arf.h"

#define FZ_CLEAN_MAX	64

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void	fz_feedback(const char *, size_t);
static void	fz_builder(const char *, size_t);

static struct taxonomy		fz_tax;
static struct report_limits	fz_lim;
static struct arf_opts		fz_opts;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	err[128];

	if (taxonomy_parse(&fz_tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == -1) {
		fprintf(stderr, "taxonomy: %s\n", err);
		abort();
	}
	report_limits_default(&fz_lim);
	fz_opts.tax = &fz_tax;
	fz_opts.lim = &fz_lim;
	fz_opts.max_reports = 1;
	fz_opts.note = "human-readable part";
	fz_opts.note_len = 19;
	return 0;
}

static void
fz_feedback(const char *in, size_t len)
{
	struct arf_feedback	 fb;
	struct arf_reports	 rs;
	struct report_error	 rerr;
	const char		*p;

	memset(&fb, 0, sizeof(fb));
	memset(&rs, 0, sizeof(rs));
	if (arf_parse(in, len, &fb) == -1) {
		if ((errno != EINVAL && errno != ENOMEM) ||
		    fb.feedback_type != NULL)
			abort();
		return;
	}
	if (fb.feedback_type == NULL ||
	    fb.n_reported_domain > ARF_REPEAT_MAX ||
	    fb.n_reported_uri > ARF_REPEAT_MAX)
		abort();
	for (p = fb.feedback_type; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			abort();
	if (arf_category(&fb) == NULL)
		abort();
	if (arf_to_report(&fb, &fz_opts, &rs) == 0) {
		if (rs.n != 1 || rs.v[0].category == NULL ||
		    report_finish(&rs.v[0], &rerr) == -1 ||
		    rs.v[0].description == NULL ||
		    !utf8_valid(rs.v[0].description,
		    strlen(rs.v[0].description)) ||
		    text_has_controls(rs.v[0].description,
		    strlen(rs.v[0].description), 1))
			abort();
	}
	arf_reports_free(&rs);
	arf_feedback_free(&fb);
}

static void
fz_builder(const char *in, size_t len)
{
	struct report	 r;
	char		*c;
	size_t		 clen;

	report_init(&r);
	if (arf_indicator(&r, &fz_lim, ARF_GUESS, in, len) == 1 &&
	    r.n_indicators != 1)
		abort();
	(void)arf_time(&r, &fz_opts, "occurred-at", in, len);
	if (r.occurred_at != NULL && strlen(r.occurred_at) != 20)
		abort();
	(void)arf_describe(&r, &fz_opts, NULL, in, len);
	if (r.description != NULL && (!utf8_valid(r.description,
	    strlen(r.description)) || text_has_controls(r.description,
	    strlen(r.description), 1)))
		abort();
	if (arf_finish(&r, &fz_opts) == 0 && r.category == NULL)
		abort();
	report_free(&r);
	if (arf_text_clean(in, len, FZ_CLEAN_MAX, 0, &c, &clen) == 0) {
		if (clen > FZ_CLEAN_MAX || clen != strlen(c) ||
		    !utf8_valid(c, clen) || text_has_controls(c, clen, 0))
			abort();
		free(c);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_feedback((const char *)data, size);
	if (size <= fz_lim.field_max)
		fz_builder((const char *)data, size);
	return 0;
}
