/*
 * fuzz_mime.c - libFuzzer harness for the e-mail parser: one input is one
 * whole message. The first byte picks the limits (the defaults, or tight
 * ones so that the depth, part, header and output limits are reached);
 * the rest is parsed, then every part is walked and every field read, so
 * that ASan sees any span that lies. Invariants that abort when broken:
 * strings are well-formed UTF-8 without NUL, spans lie inside the input
 * or the decoded buffers, the limits hold, flags add up.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "charset.h"
#include "mime.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void	fz_str(const char *);
static size_t	fz_span(const char *, size_t);
static void	fz_part(const struct mime_message *, const struct mime_part *,
		    const struct mime_limits *);

/* A string the API promises: UTF-8, no NUL inside. */
static void
fz_str(const char *s)
{
	size_t	 n;

	if (s == NULL)
		return;
	n = strlen(s);
	if (charset_utf8_valid_prefix(s, n) != n)
		abort();
}

/* Touch every byte of a span (ASan checks the reads). */
static size_t
fz_span(const char *p, size_t n)
{
	size_t	 i, sum = 0;

	for (i = 0; i < n; i++)
		sum += (unsigned char)p[i];
	return sum;
}

static void
fz_part(const struct mime_message *m, const struct mime_part *p,
    const struct mime_limits *lim)
{
	const struct mime_header	*h = NULL;
	struct mime_message		*sub;
	size_t				 i;
	char				 addr[256];
	time_t				 t;

	if (p->depth > lim->max_depth || (m->flags & p->flags) != p->flags)
		abort();
	if (p->parent != NULL && (p->parent->children[p->index] != p ||
	    p->depth != p->parent->depth + 1))
		abort();
	fz_str(p->type);
	fz_str(p->subtype);
	fz_str(p->charset);
	fz_str(p->boundary);
	fz_str(p->disposition);
	fz_str(p->filename);
	for (i = 0; i < p->n_headers; i++) {
		fz_str(p->headers[i].name);
		fz_str(p->headers[i].value);
		fz_span(p->headers[i].raw, p->headers[i].raw_len);
	}
	for (i = 0; i < p->n_params; i++) {
		fz_str(p->params[i].name);
		fz_str(p->params[i].value);
	}
	for (i = 0; i < p->n_disp_params; i++) {
		fz_str(p->disp_params[i].name);
		fz_str(p->disp_params[i].value);
	}
	fz_span(p->header_raw, p->header_raw_len);
	fz_span(p->body_raw, p->body_raw_len);
	fz_span(p->body, p->body_len);
	if (p->text != NULL) {
		if (strlen(p->text) != p->text_len)
			abort();
		fz_str(p->text);
	}
	while ((h = mime_header_next(p, "From", h)) != NULL)
		(void)mime_addr_spec(h->raw, h->raw_len, addr, sizeof(addr));
	(void)mime_parse_date(mime_header_get(p, "Date"), &t);
	/* A header-like body, as the ARF parser reads it. */
	if (p->text != NULL && p->text_len > 0 &&
	    strcmp(p->subtype, "feedback-report") == 0 &&
	    mime_parse(p->text, p->text_len, lim, &sub, NULL) == 0)
		mime_free(sub);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_limits	 lim;
	struct mime_message	*m;
	const struct mime_part	*p;
	size_t			 n = 0;

	mime_limits_default(&lim);
	if (size > 0 && (data[0] & 1)) {
		lim.max_depth = 3;
		lim.max_parts = 8;
		lim.max_header_bytes = 512;
		lim.max_headers = 8;
		lim.max_decoded_bytes = 256;
	}
	if (size > 0) {
		data++;
		size--;
	}
	if (mime_parse((const char *)data, size, &lim, &m, NULL) == -1) {
		if (size != 0)
			abort();	/* only ENOMEM or empty may fail */
		return 0;
	}
	for (p = m->root; p != NULL; p = mime_next(p)) {
		fz_part(m, p, &lim);
		n++;
	}
	if (n != m->n_parts || n > lim.max_parts ||
	    m->decoded_bytes > lim.max_decoded_bytes)
		abort();
	(void)mime_find(m, "message", "rfc822");
	mime_free(m);
	return 0;
}
