/*
 * fuzz_report.c - libFuzzer harness for report_set_field and the indicator
 * normalisers. The input is "name=value" (or "name" NUL "value"): the
 * field is set on a report that already has a category, then the report is
 * finished and fingerprinted. The value is also normalised as every
 * indicator type, and whatever is accepted must be a fixed point.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void	fz_fixed_point(enum ind_type, const char *, size_t);

static struct taxonomy		fz_tax;
static struct report_limits	fz_lim;

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
	return 0;
}

/* Normalising a normalised value must give it back unchanged. */
static void
fz_fixed_point(enum ind_type t, const char *v, size_t len)
{
	const char	*why;
	char		*once, *twice;

	if (indicator_normalise(t, v, len, &once, &why) == -1)
		return;
	if (!utf8_valid(once, strlen(once)))
		abort();
	if (indicator_normalise(t, once, strlen(once), &twice, &why) == -1) {
		fprintf(stderr, "%s \"%s\" refused again: %s\n",
		    ind_type_name(t), once, why);
		abort();
	}
	if (strcmp(once, twice) != 0) {
		fprintf(stderr, "%s \"%s\" became \"%s\"\n", ind_type_name(t),
		    once, twice);
		abort();
	}
	free(once);
	free(twice);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*in = (const char *)data, *sep;
	struct report		 r;
	struct report_error	 err;
	unsigned char		 fp[32];
	size_t			 nlen;
	int			 t;

	sep = memchr(in, '\0', size);
	if (sep == NULL)
		sep = memchr(in, '=', size);
	if (sep == NULL)
		return 0;
	nlen = sep - in;
	report_init(&r);
	if (report_set_field(&r, &fz_tax, &fz_lim, "category", 8, "phishing",
	    8, &err) == -1)
		abort();
	if (report_set_field(&r, &fz_tax, &fz_lim, in, nlen, sep + 1,
	    size - nlen - 1, &err) == 0) {
		if (report_finish(&r, &err) == 0 && r.severity == SEV_UNSET)
			abort();
		report_fingerprint(&r, fp);
	} else if (err.reason[0] == '\0')
		abort();
	report_free(&r);
	if (size - nlen - 1 <= fz_lim.field_max)
		for (t = 0; t < IND_TYPE_COUNT; t++)
			fz_fixed_point((enum ind_type)t, sep + 1,
			    size - nlen - 1);
	return 0;
}
