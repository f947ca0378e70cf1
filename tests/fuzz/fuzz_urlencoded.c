/*
 * fuzz_urlencoded.c - libFuzzer harness for the web form's urlencoded
 * decoder and the form-to-report mapping. The first byte picks the limits
 * (bit 0: tight ones, so that every bound is reached); the rest is the
 * body. Invariants that abort when broken: decoded names and values are
 * UTF-8 within the limits, names hold no control, values are terminated;
 * the fields encoded again (every byte as %XX) decode to the same fields;
 * a failure leaves nothing and names a reason; the report made of the
 * fields holds only valid text and canonical indicators, and every error
 * has a key.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "fuzz_buf.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void	fz_check_fields(const struct form_fields *,
		    const struct form_limits *);
static void	fz_roundtrip(const struct form_fields *,
		    const struct form_limits *);
static void	fz_check_report(const struct form_fields *);

static struct taxonomy		 fz_tax;
static struct extractor		*fz_ex;
static struct classifier	*fz_cl;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	err[256];

	if (taxonomy_parse(&fz_tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == -1 ||
	    (fz_ex = extractor_new(err, sizeof(err))) == NULL ||
	    (fz_cl = classifier_new(classify_embedded, classify_embedded_len,
	    &fz_tax, err, sizeof(err))) == NULL) {
		fprintf(stderr, "setup: %s\n", err);
		abort();
	}
	return 0;
}

static void
fz_check_fields(const struct form_fields *ff, const struct form_limits *lim)
{
	size_t	i, n;

	if (ff->n_fields > lim->max_fields || ff->n_attachments != 0)
		abort();
	for (i = 0; i < ff->n_fields; i++) {
		n = strlen(ff->fields[i].name);
		if (n > lim->max_name || !utf8_valid(ff->fields[i].name, n) ||
		    text_has_controls(ff->fields[i].name, n, 0))
			abort();
		n = ff->fields[i].value_len;
		if (n > lim->max_value || ff->fields[i].value[n] != '\0' ||
		    !utf8_valid(ff->fields[i].value, n))
			abort();
	}
}

/* Encode every byte as %XX, decode again: the same fields. */
static void
fz_roundtrip(const struct form_fields *ff, const struct form_limits *lim)
{
	struct form_limits	 big = *lim;
	struct form_fields	 again;
	struct form_error	 err;
	struct fzb		 buf = { NULL, 0, 0 };
	size_t			 i;

	fzb_grow(&buf, 0);	/* no field: an empty body, not NULL */
	for (i = 0; i < ff->n_fields; i++) {
		const struct form_field *f = &ff->fields[i];

		if (i > 0)
			fzb_put(&buf, "&", 1);
		fzb_pct(&buf, f->name, strlen(f->name), NULL);
		fzb_put(&buf, "=", 1);
		fzb_pct(&buf, f->value, f->value_len, NULL);
	}
	big.max_body = buf.len + 1;
	if (form_urlencoded_parse(buf.p, buf.len, &big, &again,
	    &err) == -1) {
		fprintf(stderr, "re-encoded fields refused: %s: %s\n",
		    err.field, err.reason);
		abort();
	}
	if (again.n_fields != ff->n_fields)
		abort();
	for (i = 0; i < ff->n_fields; i++) {
		const struct form_field *f = &ff->fields[i];

		if (strcmp(f->name, again.fields[i].name) != 0 ||
		    f->value_len != again.fields[i].value_len ||
		    memcmp(f->value, again.fields[i].value, f->value_len) != 0)
			abort();
	}
	form_fields_free(&again);
	free(buf.p);
}

static void
fz_check_text(const char *s)
{
	if (s != NULL && !utf8_valid(s, strlen(s)))
		abort();
}

static void
fz_check_report(const struct form_fields *ff)
{
	struct form_context	 ctx;
	struct form_meta	 meta;
	struct form_errors	 errs;
	struct report		 r;
	const char		*why;
	char			*again;
	size_t			 i;
	int			 rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.tax = &fz_tax;
	ctx.ex = fz_ex;
	ctx.cl = fz_cl;
	ctx.tz_offset_minutes = 420;
	ctx.now = 1795255200;		/* 2026-11-21T10:00:00Z */
	rc = form_to_report(ff, &ctx, &r, &meta, &errs);
	if (rc == -1) {
		report_free(&r);
		return;			/* out of memory */
	}
	if ((rc == 0) != (errs.n == 0) || errs.n > FORM_ERRORS_MAX)
		abort();
	for (i = 0; i < errs.n; i++)
		if (errs.e[i].key == NULL || errs.e[i].key[0] == '\0' ||
		    memchr(errs.e[i].field, '\0', sizeof(errs.e[i].field)) ==
		    NULL)
			abort();
	if (meta.csrf != NULL && meta.csrf[meta.csrf_len] != '\0')
		abort();
	if (rc == 0) {
		if (r.category == NULL || r.severity == SEV_UNSET ||
		    r.description == NULL || (r.reporter_email == NULL &&
		    r.reporter_phone == NULL) || r.confidential == -1)
			abort();
		fz_check_text(r.description);
		fz_check_text(r.reporter_name);
		fz_check_text(r.organization);
		for (i = 0; i < r.n_indicators; i++) {
			const struct indicator *ind = &r.indicators[i];

			if (indicator_normalise(ind->type, ind->value,
			    strlen(ind->value), &again, &why) == -1 ||
			    strcmp(again, ind->value) != 0)
				abort();
			free(again);
		}
	}
	report_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form_limits	 lim;
	struct form_fields	 ff;
	struct form_error	 err;

	form_limits_default(&lim);
	if (size > 0 && (data[0] & 1)) {
		lim.max_fields = 4;
		lim.max_name = 8;
		lim.max_value = 16;
		lim.max_body = 64;
	}
	if (size > 0) {
		data++;
		size--;
	}
	memset(&err, 0, sizeof(err));
	if (form_urlencoded_parse((const char *)data, size, &lim, &ff,
	    &err) == -1) {
		if (ff.n_fields != 0 || ff.fields != NULL ||
		    err.code == FORM_ERR_NONE || err.reason == NULL ||
		    memchr(err.field, '\0', sizeof(err.field)) == NULL)
			abort();
		return 0;
	}
	fz_check_fields(&ff, &lim);
	fz_roundtrip(&ff, &lim);
	fz_check_report(&ff);
	form_fields_free(&ff);
	return 0;
}
