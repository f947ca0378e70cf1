/*
 * fuzz_xarf.c - libFuzzer harness for the X-ARF parsers and the CSV table
 * reader (xarf.h). The first byte picks the parser (YAML, JSON or CSV),
 * the rest is its input; each also runs with room for a single report so
 * the bound is exercised.
 *
 * Checked: success means at least one report made or dropped, failure is
 * EINVAL or ENOMEM with nothing appended and a reason; every report has a
 * category, is finished, and has texts report_set_field accepts; the
 * reports never exceed the bound; xarf_category never returns NULL and
 * always a taxonomy code.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xarf.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void	fz_run(int, const char *, size_t, size_t);

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
fz_run(int which, const char *in, size_t len, size_t max)
{
	struct arf_opts		 o;
	struct arf_reports	 rs;
	struct report_error	 rerr;
	const char		*why = NULL, *d;
	size_t			 i;
	int			 rc;

	memset(&o, 0, sizeof(o));
	memset(&rs, 0, sizeof(rs));
	o.tax = &fz_tax;
	o.lim = &fz_lim;
	o.max_reports = max;
	o.note = "note";
	o.note_len = 4;
	if (which == 0)
		rc = xarf_parse_yaml(in, len, &o, &rs, &why);
	else if (which == 1)
		rc = xarf_parse_json(in, len, &o, &rs, &why);
	else
		rc = mail_csv_parse(in, len, &o, &rs, &why);
	if (rc == -1 && ((errno != EINVAL && errno != ENOMEM) ||
	    (errno == EINVAL && (rs.n != 0 || why == NULL))))
		abort();
	if (rc == 0 && rs.n == 0 && rs.dropped == 0)
		abort();
	if (rs.n > max)
		abort();
	for (i = 0; i < rs.n; i++) {
		d = rs.v[i].description;
		if (rs.v[i].category == NULL ||
		    report_finish(&rs.v[i], &rerr) == -1 ||
		    (d != NULL && (!utf8_valid(d, strlen(d)) ||
		    text_has_controls(d, strlen(d), 1))))
			abort();
	}
	arf_reports_free(&rs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		 name[64];
	const char	*code;

	if (size == 0)
		return 0;
	fz_run(data[0] % 3, (const char *)data + 1, size - 1, 64);
	fz_run(data[0] % 3, (const char *)data + 1, size - 1, 1);
	snprintf(name, sizeof(name), "%.*s", (int)(size - 1 < 63 ? size - 1 :
	    63), (const char *)data + 1);
	code = xarf_category(name, name + strlen(name) / 2);
	if (code == NULL || taxonomy_find(&fz_tax, code, strlen(code)) == NULL)
		abort();
	return 0;
}
