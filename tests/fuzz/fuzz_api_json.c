/*
 * fuzz_api_json.c - libFuzzer harness for the partner API's JSON
 * submission: one input is one request body, parsed against the embedded
 * taxonomy with the default limits. Invariants that abort when broken: a
 * result and its error code agree, an error names a printable field and a
 * reason; an accepted report holds valid text and canonical indicators;
 * and the report written out as an ILP REPORT line parses to the same
 * fields and the same fingerprint (the two channels validate alike).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_json.h"
#include "ilp.h"
#include "fuzz_buf.h"
#include "limits_gw.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct taxonomy	fz_tax;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	err[128];

	if (taxonomy_parse(&fz_tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == -1) {
		fprintf(stderr, "taxonomy: %s\n", err);
		abort();
	}
	return 0;
}

#define FZ_UNRESERVED	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
			"0123456789-._~"

/* Append " name=value" with value percent-encoded but for unreserved. */
static void
fz_put(struct fzb *o, const char *name, const char *v)
{
	if (v == NULL)
		return;
	fzb_printf(o, " %s=", name);
	fzb_pct(o, v, strlen(v), FZ_UNRESERVED);
}

static int
fz_same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
fz_as_ilp(struct report *r)
{
	static const char *const by_type[IND_TYPE_COUNT] = {
		"source-ip", "source-ip", "domain", "url", "email", "hash",
		"hash", "hash", "cve"
	};
	struct report_limits	 lim;
	struct report_error	 err;
	struct report		 b;
	unsigned char		 fa[32], fb[32];
	struct fzb		 line = { NULL, 0, 0 }, *o = &line;
	char			 num[8];
	size_t			 i;

	fzb_printf(o, "category=%s severity=%s", r->category->code,
	    severity_name(r->severity));
	fz_put(o, "description", r->description);
	fz_put(o, "detected-at", r->detected_at);
	fz_put(o, "occurred-at", r->occurred_at);
	fz_put(o, "reporter-name", r->reporter_name);
	fz_put(o, "reporter-email", r->reporter_email);
	fz_put(o, "reporter-phone", r->reporter_phone);
	fz_put(o, "organization", r->organization);
	fz_put(o, "operating-unit", r->operating_unit);
	fz_put(o, "affected-system", r->affected_system);
	fz_put(o, "external-id", r->external_id);
	if (r->system_level != 0) {
		snprintf(num, sizeof(num), "%d", r->system_level);
		fz_put(o, "system-level", num);
	}
	if (r->confidential != -1)
		fz_put(o, "confidential", r->confidential ? "yes" : "no");
	for (i = 0; i < r->n_indicators; i++)
		fz_put(o, by_type[r->indicators[i].type],
		    r->indicators[i].value);
	report_limits_default(&lim);
	lim.fields_max = 4 * REPORT_FIELDS_MAX;
	if (ilp_parse_report(line.p, line.len, &fz_tax, &lim, &b,
	    &err) == -1) {
		fprintf(stderr, "as ILP: %s: %s\n", err.field, err.reason);
		abort();
	}
	report_fingerprint(r, fa);
	report_fingerprint(&b, fb);
	if (memcmp(fa, fb, 32) != 0 || b.category != r->category ||
	    b.severity != r->severity || b.n_indicators != r->n_indicators ||
	    !fz_same(b.description, r->description) ||
	    !fz_same(b.detected_at, r->detected_at) ||
	    !fz_same(b.occurred_at, r->occurred_at) ||
	    !fz_same(b.reporter_name, r->reporter_name) ||
	    !fz_same(b.reporter_email, r->reporter_email) ||
	    !fz_same(b.reporter_phone, r->reporter_phone) ||
	    !fz_same(b.organization, r->organization) ||
	    !fz_same(b.external_id, r->external_id) ||
	    b.system_level != r->system_level ||
	    b.confidential != r->confidential)
		abort();
	report_free(&b);
	free(line.p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_json_error	 err;
	struct report		 r;
	const char		*why;
	char			*again;
	size_t			 i;
	int			 rc;

	rc = api_json_to_report((const char *)data, size, &fz_tax, NULL, NULL,
	    &r, &err);
	if ((rc == 0) != (err.code == API_JSON_OK) ||
	    memchr(err.field, '\0', sizeof(err.field)) == NULL ||
	    memchr(err.reason, '\0', sizeof(err.reason)) == NULL)
		abort();
	for (i = 0; err.field[i] != '\0'; i++)
		if (err.field[i] <= 0x20 || err.field[i] >= 0x7F)
			abort();
	if (rc == -1) {
		if (err.reason[0] == '\0')
			abort();
		report_free(&r);
		return 0;
	}
	if (r.category == NULL || r.severity == SEV_UNSET)
		abort();
	if ((r.description != NULL &&
	    !utf8_valid(r.description, strlen(r.description))) ||
	    (r.reporter_name != NULL &&
	    !utf8_valid(r.reporter_name, strlen(r.reporter_name))))
		abort();
	for (i = 0; i < r.n_indicators; i++) {
		const struct indicator *ind = &r.indicators[i];

		if (indicator_normalise(ind->type, ind->value,
		    strlen(ind->value), &again, &why) == -1 ||
		    strcmp(again, ind->value) != 0)
			abort();
		free(again);
	}
	fz_as_ilp(&r);
	report_free(&r);
	return 0;
}
