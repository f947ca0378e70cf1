/*
 * fuzz_ilp.c - libFuzzer harness for the ILP/1 parser: one input is one
 * framed line (at most LINE_MAX_BYTES, as the session guarantees). A REPORT
 * line is parsed against the embedded taxonomy; a parsed report must hold
 * only valid UTF-8 and indicators already in canonical form, which is
 * checked by normalising each again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ilp.h"
#include "limits_gw.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void	fz_check_text(const char *);
static void	fz_check_report(struct report *);

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

static void
fz_check_text(const char *s)
{
	if (s != NULL && !utf8_valid(s, strlen(s)))
		abort();
}

/* Every indicator must come out of indicator_normalise unchanged. */
static void
fz_check_report(struct report *r)
{
	const char	*why;
	char		*again;
	unsigned char	 fp[32];
	size_t		 i;

	if (r->category == NULL || r->severity == SEV_UNSET)
		abort();
	fz_check_text(r->description);
	fz_check_text(r->reporter_name);
	fz_check_text(r->organization);
	if (r->detected_at != NULL && strlen(r->detected_at) != 20)
		abort();
	for (i = 0; i < r->n_indicators; i++) {
		const struct indicator *ind = &r->indicators[i];

		if (indicator_normalise(ind->type, ind->value,
		    strlen(ind->value), &again, &why) == -1) {
			fprintf(stderr, "%s \"%s\" refused again: %s\n",
			    ind_type_name(ind->type), ind->value, why);
			abort();
		}
		if (strcmp(again, ind->value) != 0) {
			fprintf(stderr, "%s \"%s\" became \"%s\"\n",
			    ind_type_name(ind->type), ind->value, again);
			abort();
		}
		free(again);
	}
	report_fingerprint(r, fp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ilp_command	 cmd;
	struct report		 r;
	struct report_error	 err;
	const char		*why;

	if (size > LINE_MAX_BYTES)
		return 0;
	if (ilp_parse_command((const char *)data, size, &cmd, &why) == -1)
		return 0;
	if (cmd.verb != ILP_REPORT)
		return 0;
	if (ilp_parse_report(cmd.arg, cmd.arglen, &fz_tax, &fz_lim, &r,
	    &err) == 0)
		fz_check_report(&r);
	else if (err.reason[0] == '\0' ||
	    memchr(err.field, '\0', sizeof(err.field)) == NULL ||
	    memchr(err.reason, '\0', sizeof(err.reason)) == NULL)
		abort();
	report_free(&r);
	return 0;
}
