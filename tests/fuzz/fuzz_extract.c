/*
 * fuzz_extract.c - libFuzzer harness for the free-text indicator extractor
 * and the keyword classifier. The input is a text; its first line is also
 * taken as a mail subject. Checked on every input:
 * - extractor_run returns the number of indicators it added, and fails only
 *   with ENOMEM (ERANGE would mean a pattern hit the PCRE2 match limit,
 *   which the patterns are built never to do);
 * - every indicator it added is valid UTF-8 and a fixed point of
 *   indicator_normalise, and the report holds no duplicate;
 * - classifier_guess returns an entry, with score 0 exactly when it is
 *   "undetermined";
 * - classify_normalise gives single-spaced, trimmed, valid UTF-8 and is
 *   idempotent; classify_is_tbsc_subject does not crash.
 * The extractor and the classifier (from the rules compiled in) are built
 * once.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "extract.h"
#include "report.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void	 fz_check_report(const struct report *);
static void	 fz_check_normalise(const char *, size_t);

static struct taxonomy		 fz_tax;
static struct report_limits	 fz_lim;
static struct extractor		*fz_ex;
static struct classifier	*fz_cl;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char		 err[256];

	if (taxonomy_parse(&fz_tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == -1) {
		fprintf(stderr, "taxonomy: %s\n", err);
		abort();
	}
	report_limits_default(&fz_lim);
	if ((fz_ex = extractor_new(err, sizeof(err))) == NULL) {
		fprintf(stderr, "extractor: %s\n", err);
		abort();
	}
	if ((fz_cl = classifier_new(classify_embedded, classify_embedded_len,
	    &fz_tax, err, sizeof(err))) == NULL) {
		fprintf(stderr, "classify rules: %s\n", err);
		abort();
	}
	return 0;
}

/* Every indicator normalised, valid, and there only once. */
static void
fz_check_report(const struct report *r)
{
	const char	*why, *v;
	char		*again;
	size_t		 i, j;

	for (i = 0; i < r->n_indicators; i++) {
		v = r->indicators[i].value;
		if (!utf8_valid(v, strlen(v)))
			abort();
		if (indicator_normalise(r->indicators[i].type, v, strlen(v),
		    &again, &why) == -1) {
			fprintf(stderr, "%s \"%s\" refused: %s\n",
			    ind_type_name(r->indicators[i].type), v, why);
			abort();
		}
		if (strcmp(again, v) != 0) {
			fprintf(stderr, "%s \"%s\" became \"%s\"\n",
			    ind_type_name(r->indicators[i].type), v, again);
			abort();
		}
		free(again);
		for (j = 0; j < i; j++)
			if (r->indicators[j].type == r->indicators[i].type &&
			    strcmp(r->indicators[j].value, v) == 0)
				abort();
	}
}

/* Trimmed, single spaces, valid UTF-8, and a fixed point. */
static void
fz_check_normalise(const char *in, size_t len)
{
	char	*once, *twice;
	size_t	 n1, n2;

	if (classify_normalise(in, len, &once, &n1) == -1)
		return;
	if (strlen(once) != n1 || !utf8_valid(once, n1) ||
	    (n1 > 0 && (once[0] == ' ' || once[n1 - 1] == ' ')) ||
	    strstr(once, "  ") != NULL)
		abort();
	if (classify_normalise(once, n1, &twice, &n2) == -1) {
		free(once);
		return;
	}
	if (n1 != n2 || memcmp(once, twice, n1) != 0) {
		fprintf(stderr, "\"%s\" became \"%s\"\n", once, twice);
		abort();
	}
	free(once);
	free(twice);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct taxonomy_entry	*e;
	const char			*text = (const char *)data, *nl;
	struct report			 r;
	size_t				 slen;
	int				 n, score = -1;

	report_init(&r);
	errno = 0;
	n = extractor_run(fz_ex, text, size, &fz_lim, &r, 64);
	if (n == -1 && errno != ENOMEM) {
		fprintf(stderr, "extractor_run: %s\n", strerror(errno));
		abort();
	}
	if (n >= 0 && (size_t)n != r.n_indicators)
		abort();
	if (r.n_indicators > 64)
		abort();
	fz_check_report(&r);
	report_free(&r);

	nl = memchr(text, '\n', size);
	slen = nl ? (size_t)(nl - text) : size;
	e = classifier_guess(fz_cl, text, slen, nl ? nl + 1 : NULL,
	    nl ? size - slen - 1 : 0, &score);
	if (e != NULL && (score < 0 ||
	    (score == 0) != (strcmp(e->code, "undetermined") == 0)))
		abort();
	(void)classify_is_tbsc_subject(text, slen);
	fz_check_normalise(text, size);
	return 0;
}
