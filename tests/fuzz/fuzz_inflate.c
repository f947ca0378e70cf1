/*
 * fuzz_inflate.c - libFuzzer harness for the decompression of report
 * attachments (inflate.h) and what reads the result (aggregate.h). The
 * first byte picks gzip, zip (a member by suffix, or the first one) or a
 * document given to aggregate_parse as is; the rest is the input. Each
 * decompression runs twice, with a roomy bound and a tight one.
 *
 * Checked: the result is one of the codes of inflate.h; on success the
 * output is NUL-terminated, within the bound and within the ratio bound of
 * the input; on failure there is no output; a member's name is
 * NUL-terminated and fits; aggregate_parse of any output says 0 or 1 and
 * leaves its strings NUL-terminated.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "inflate.h"

#define FZ_MAX_OUT	(1024 * 1024)
#define FZ_TIGHT	1024

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void	fz_check_out(int, const char *, size_t, size_t, size_t);
static void	fz_aggregate(const char *, size_t);

/* The contract of inflate.h on one result. */
static void
fz_check_out(int rc, const char *out, size_t outlen, size_t max,
    size_t inlen)
{
	if (rc != INFLATE_OK && rc != INFLATE_NOMEM && rc != INFLATE_BAD &&
	    rc != INFLATE_TOO_BIG && rc != INFLATE_UNSUPPORTED &&
	    rc != INFLATE_NONE)
		abort();
	if (rc != INFLATE_OK) {
		if (out != NULL || outlen != 0)
			abort();
		return;
	}
	if (out == NULL || outlen > max || out[outlen] != '\0')
		abort();
	if (outlen > (size_t)INFLATE_RATIO_MAX * inlen + INFLATE_RATIO_SLACK)
		abort();
}

static void
fz_aggregate(const char *doc, size_t len)
{
	struct aggregate_info	ai;
	int			rc;

	memset(&ai, 0, sizeof(ai));
	rc = aggregate_parse(doc, len, &ai);
	if (rc != 0 && rc != 1 && rc != -1)
		abort();
	if (strnlen(ai.org, sizeof(ai.org)) == sizeof(ai.org) ||
	    strnlen(ai.domain, sizeof(ai.domain)) == sizeof(ai.domain) ||
	    strnlen(ai.report_id, sizeof(ai.report_id)) ==
	    sizeof(ai.report_id) || strnlen(ai.begin, sizeof(ai.begin)) ==
	    sizeof(ai.begin) || strnlen(ai.end, sizeof(ai.end)) ==
	    sizeof(ai.end))
		abort();
	if (rc == 1 && ai.kind != AGGREGATE_DMARC &&
	    ai.kind != AGGREGATE_TLSRPT)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sfx[] = { ".xml", ".json", ".csv" };
	char		*out, name[INFLATE_NAME_MAX];
	const char	*in;
	size_t		 len, outlen, k;
	int		 rc, which;

	if (size < 1)
		return 0;
	which = data[0] % 4;
	in = (const char *)data + 1;
	len = size - 1;
	for (k = 0; k < 2; k++) {
		size_t	max = k == 0 ? FZ_MAX_OUT : FZ_TIGHT;

		out = NULL;
		outlen = 0;
		memset(name, 'x', sizeof(name));
		switch (which) {
		case 0:
			rc = inflate_gzip(in, len, max, &out, &outlen);
			break;
		case 1:
			rc = inflate_zip(in, len, sfx, 3, max, &out, &outlen,
			    name, sizeof(name));
			if (memchr(name, '\0', sizeof(name)) == NULL)
				abort();
			break;
		case 2:
			rc = inflate_zip(in, len, NULL, 0, max, &out, &outlen,
			    NULL, 0);
			break;
		default:
			fz_aggregate(in, len);
			return 0;
		}
		fz_check_out(rc, out, outlen, max, len);
		if (rc == INFLATE_OK)
			fz_aggregate(out, outlen);
		free(out);
	}
	return 0;
}
