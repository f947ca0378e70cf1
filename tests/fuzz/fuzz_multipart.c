/*
 * fuzz_multipart.c - libFuzzer harness for the multipart/form-data
 * decoder. The first byte is flags: bit 0 picks tight limits (so that the
 * part, file, byte and nesting bounds are reached), bit 1 takes the
 * Content-Type value from the input up to its first LF (else it is
 * "multipart/form-data; boundary=XyZ", which the seeds use); the rest is
 * the body. Invariants that abort when broken: values are UTF-8 within
 * the limits; files hold their SHA-256, a displayable name and a media
 * type, and add up within the limits; a failure leaves nothing and names
 * a reason; and the decoded form encoded again (a fresh boundary, names by
 * RFC 2231, no transfer encoding) decodes to exactly the same fields and
 * files, byte for byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "form.h"
#include "fuzz_buf.h"

#define FZ_CT	"multipart/form-data; boundary=XyZ"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void	fz_check(const struct form_fields *,
		    const struct form_limits *);
static void	fz_roundtrip(const struct form_fields *,
		    const struct form_limits *);

static void
fz_check(const struct form_fields *ff, const struct form_limits *lim)
{
	unsigned char	md[32];
	size_t		i, n, total = 0;

	if (ff->n_fields > lim->max_fields ||
	    ff->n_attachments > lim->max_attachments ||
	    ff->n_fields + ff->n_attachments > lim->max_parts)
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
	for (i = 0; i < ff->n_attachments; i++) {
		const struct form_attachment *a = &ff->attachments[i];

		n = strlen(a->filename);
		if (n > FORM_FILENAME_MAX || !utf8_valid(a->filename, n) ||
		    text_has_controls(a->filename, n, 0) ||
		    strchr(a->filename, '/') != NULL ||
		    strchr(a->filename, '\\') != NULL ||
		    strchr(a->content_type, '/') == NULL ||
		    (a->len == 0) != (a->data == NULL) ||
		    (a->len == 0 && n == 0))
			abort();
		EVP_Digest(a->data, a->len, md, NULL, EVP_sha256(), NULL);
		if (memcmp(md, a->sha256, 32) != 0)
			abort();
		total += a->len;
	}
	if (total != ff->attachment_bytes ||
	    total > lim->max_attachment_bytes)
		abort();
}

/* Append s as RFC 2231 UTF-8''%XX... */
static void
fz_pct(struct fzb *o, const char *s)
{
	fzb_printf(o, "UTF-8''");
	fzb_pct(o, s, strlen(s), NULL);
}

/* Whether "--b" occurs in data[0..len). */
static int
fz_has(const void *data, size_t len, const char *b)
{
	return len > 0 && memmem(data, len, b, strlen(b)) != NULL;
}

static void
fz_roundtrip(const struct form_fields *ff, const struct form_limits *lim)
{
	struct form_limits	 big = *lim;
	struct form_fields	 again;
	struct form_error	 err;
	struct fzb		 buf = { NULL, 0, 0 }, *o = &buf;
	char			 ct[64], delim[32];
	unsigned		 k = 0;
	size_t			 i;
	int			 clash;

	/* a boundary in no value and no file */
	do {
		snprintf(delim, sizeof(delim), "--fzB%u", k++);
		clash = 0;
		for (i = 0; i < ff->n_fields && !clash; i++)
			clash = fz_has(ff->fields[i].value,
			    ff->fields[i].value_len, delim);
		for (i = 0; i < ff->n_attachments && !clash; i++)
			clash = fz_has(ff->attachments[i].data,
			    ff->attachments[i].len, delim);
	} while (clash);
	for (i = 0; i < ff->n_fields; i++) {
		fzb_printf(o, "%s\r\nContent-Disposition: form-data; name*=",
		    delim);
		fz_pct(o, ff->fields[i].name);
		fzb_printf(o, "\r\n\r\n");
		fzb_put(o, ff->fields[i].value, ff->fields[i].value_len);
		fzb_printf(o, "\r\n");
	}
	for (i = 0; i < ff->n_attachments; i++) {
		const struct form_attachment *a = &ff->attachments[i];

		fzb_printf(o, "%s\r\nContent-Disposition: form-data; name*=",
		    delim);
		fz_pct(o, a->field);
		fzb_printf(o, "; filename*=");
		fz_pct(o, a->filename);
		fzb_printf(o, "\r\nContent-Type: %s\r\n\r\n",
		    a->content_type);
		fzb_put(o, a->data, a->len);
		fzb_printf(o, "\r\n");
	}
	fzb_printf(o, "%s--\r\n", delim);
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s",
	    delim + 2);
	big.max_body = buf.len;
	if (form_multipart_parse(ct, buf.p, buf.len, &big, &again,
	    &err) == -1) {
		fprintf(stderr, "re-encoded form refused: %s: %s\n",
		    err.field, err.reason);
		abort();
	}
	if (again.n_fields != ff->n_fields ||
	    again.n_attachments != ff->n_attachments)
		abort();
	for (i = 0; i < ff->n_fields; i++)
		if (strcmp(again.fields[i].name, ff->fields[i].name) != 0 ||
		    again.fields[i].value_len != ff->fields[i].value_len ||
		    memcmp(again.fields[i].value, ff->fields[i].value,
		    ff->fields[i].value_len) != 0)
			abort();
	for (i = 0; i < ff->n_attachments; i++) {
		const struct form_attachment *a = &ff->attachments[i];
		const struct form_attachment *b = &again.attachments[i];

		if (strcmp(a->field, b->field) != 0 ||
		    strcmp(a->filename, b->filename) != 0 ||
		    strcmp(a->content_type, b->content_type) != 0 ||
		    a->len != b->len || memcmp(a->sha256, b->sha256, 32) != 0 ||
		    (a->len > 0 && memcmp(a->data, b->data, a->len) != 0)) {
			fprintf(stderr, "file %zu: \"%s\" \"%s\" %s %zu became "
			    "\"%s\" \"%s\" %s %zu\n", i, a->field, a->filename,
			    a->content_type, a->len, b->field, b->filename,
			    b->content_type, b->len);
			abort();
		}
	}
	form_fields_free(&again);
	free(buf.p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form_limits	 lim;
	struct form_fields	 ff;
	struct form_error	 err;
	const char		*body = (const char *)data, *nl;
	char			*ct = NULL;
	unsigned		 flags = 0;
	int			 rc;

	form_limits_default(&lim);
	if (size > 0) {
		flags = data[0];
		body++;
		size--;
	}
	if (flags & 1) {
		lim.max_fields = 4;
		lim.max_name = 8;
		lim.max_value = 32;
		lim.max_body = 4096;
		lim.max_parts = 5;
		lim.max_attachments = 2;
		lim.max_attachment_bytes = 64;
		lim.max_depth = 1 + (flags >> 7);
	}
	if ((flags & 2) && (nl = memchr(body, '\n', size)) != NULL) {
		if ((ct = strndup(body, (size_t)(nl - body))) == NULL)
			return 0;
		size -= (size_t)(nl - body) + 1;
		body = nl + 1;
	}
	memset(&err, 0, sizeof(err));
	rc = form_multipart_parse(ct ? ct : FZ_CT, body, size, &lim, &ff,
	    &err);
	free(ct);
	if (rc == -1) {
		if (ff.n_fields != 0 || ff.n_attachments != 0 ||
		    err.code == FORM_ERR_NONE || err.reason == NULL ||
		    memchr(err.field, '\0', sizeof(err.field)) == NULL)
			abort();
		return 0;
	}
	fz_check(&ff, &lim);
	fz_roundtrip(&ff, &lim);
	form_fields_free(&ff);
	return 0;
}
