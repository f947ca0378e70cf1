/*
 * form.c - the web form's decoded fields: the container (struct
 * form_fields), application/x-www-form-urlencoded bodies, the choice of
 * decoder by Content-Type, and file names made safe to show.
 *
 * Bounds (struct form_limits): body bytes, number of fields, bytes of a
 * decoded name and value; files are bounded in number and total bytes.
 * Decoding is linear in the body; the urlencoded decoder allocates one
 * scratch buffer the size of the body plus each field it keeps. No I/O, no
 * global state; errors are returned, never printed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <utf8proc.h>

#include "form.h"
#include "ilp.h"
#include "form_impl.h"

#define FORM_FIELDS_INITIAL	16
#define FORM_FILES_INITIAL	4

static int	form_grow(void **, size_t *, size_t, size_t);
static long	form_urldecode(const char *, size_t, char *, char **);
static int	form_media_is(const char *, const char *);

void
form_limits_default(struct form_limits *lim)
{
	lim->max_fields = FORM_FIELDS_MAX;
	lim->max_name = FORM_NAME_MAX;
	lim->max_value = FORM_VALUE_MAX;
	lim->max_body = FORM_BODY_MAX;
	lim->max_parts = FORM_PARTS_MAX;
	lim->max_attachments = FORM_ATTACHMENTS_MAX;
	lim->max_attachment_bytes = FORM_ATTACHMENT_BYTES_MAX;
	lim->max_depth = FORM_DEPTH_MAX;
}

void
form_fields_init(struct form_fields *ff)
{
	memset(ff, 0, sizeof(*ff));
}

void
form_fields_free(struct form_fields *ff)
{
	size_t	i;

	if (ff == NULL)
		return;
	for (i = 0; i < ff->n_fields; i++) {
		free(ff->fields[i].name);
		free(ff->fields[i].value);
	}
	free(ff->fields);
	for (i = 0; i < ff->n_attachments; i++) {
		free(ff->attachments[i].field);
		free(ff->attachments[i].filename);
		free(ff->attachments[i].content_type);
		free(ff->attachments[i].data);
	}
	free(ff->attachments);
	form_fields_init(ff);
}

void
form_shown(char *dst, size_t dstlen, const char *name, size_t len)
{
	size_t	i;

	for (i = 0; i < len && i + 1 < dstlen; i++)
		dst[i] = (name[i] > 0x20 && name[i] < 0x7F) ? name[i] : '?';
	dst[i] = '\0';
}

int
form_fail(struct form_error *err, enum form_errcode code, const char *name,
    size_t len, const char *reason)
{
	if (code == FORM_ERR_NOMEM)
		errno = ENOMEM;
	if (err == NULL)
		return -1;
	err->code = code;
	err->reason = reason;
	err->key = "err.invalid";
	if (code == FORM_ERR_LIMIT)
		err->key = strcmp(reason, "too many files") == 0 ?
		    "err.attachments-too-many" :
		    strcmp(reason, "files too large") == 0 ?
		    "err.attachment-too-large" : "err.form-too-large";
	form_shown(err->field, sizeof(err->field), name, len);
	return -1;
}

/* Make room for one more element of size sz in *arr (capacity *cap). */
static int
form_grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	void	*na;
	size_t	 ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : (sz == sizeof(struct form_field) ?
	    FORM_FIELDS_INITIAL : FORM_FILES_INITIAL);
	if ((na = reallocarray(*arr, ncap, sz)) == NULL)
		return -1;
	*arr = na;
	*cap = ncap;
	return 0;
}

int
form_check_pair(const struct form_limits *lim, const char *name, size_t nlen,
    const char *value, size_t vlen, struct form_error *err)
{
	if (nlen > lim->max_name)
		return form_fail(err, FORM_ERR_LIMIT, name, nlen,
		    "field name too long");
	if (!utf8_valid(name, nlen))
		return form_fail(err, FORM_ERR_UTF8, name, nlen,
		    "field name is not UTF-8");
	if (text_has_controls(name, nlen, 0))
		return form_fail(err, FORM_ERR_SYNTAX, name, nlen,
		    "control character in field name");
	if (vlen > lim->max_value)
		return form_fail(err, FORM_ERR_LIMIT, name, nlen,
		    "field value too long");
	if (!utf8_valid(value, vlen))
		return form_fail(err, FORM_ERR_UTF8, name, nlen,
		    "field value is not UTF-8");
	return 0;
}

int
form_fields_add(struct form_fields *ff, const struct form_limits *lim,
    const char *name, size_t nlen, char *value, size_t vlen,
    struct form_error *err)
{
	struct form_field	*f;
	char			*n;

	if (ff->n_fields >= lim->max_fields) {
		free(value);
		return form_fail(err, FORM_ERR_LIMIT, name, nlen,
		    "too many fields");
	}
	if (form_grow((void **)&ff->fields, &ff->cap_fields, ff->n_fields,
	    sizeof(*ff->fields)) == -1 ||
	    (n = text_strndup(name, nlen)) == NULL) {
		free(value);
		return form_fail(err, FORM_ERR_NOMEM, "", 0, "out of memory");
	}
	f = &ff->fields[ff->n_fields++];
	f->name = n;
	f->value = value;
	f->value_len = vlen;
	return 0;
}

int
form_attachments_add(struct form_fields *ff, const struct form_limits *lim,
    const char *field, const char *filename, const char *ctype,
    const void *data, size_t len, struct form_error *err)
{
	struct form_attachment	 a;

	if (ff->n_attachments >= lim->max_attachments)
		return form_fail(err, FORM_ERR_LIMIT, field, strlen(field),
		    "too many files");
	if (len > lim->max_attachment_bytes ||
	    ff->attachment_bytes > lim->max_attachment_bytes - len)
		return form_fail(err, FORM_ERR_LIMIT, field, strlen(field),
		    "files too large");
	memset(&a, 0, sizeof(a));
	if (EVP_Digest(data, len, a.sha256, NULL, EVP_sha256(), NULL) != 1 ||
	    form_grow((void **)&ff->attachments, &ff->cap_attachments,
	    ff->n_attachments, sizeof(*ff->attachments)) == -1 ||
	    (a.field = strdup(field)) == NULL ||
	    (a.filename = strdup(filename)) == NULL ||
	    (a.content_type = strdup(ctype)) == NULL ||
	    (len > 0 && (a.data = malloc(len)) == NULL)) {
		free(a.field);
		free(a.filename);
		free(a.content_type);
		return form_fail(err, FORM_ERR_NOMEM, "", 0, "out of memory");
	}
	if (len > 0)
		memcpy(a.data, data, len);
	a.len = len;
	ff->attachments[ff->n_attachments++] = a;
	ff->attachment_bytes += len;
	return 0;
}

/*
 * One urlencoded name or value: '+' to a space (through scratch, which
 * has room for len bytes), then %XX, into a new string *out. Decoding
 * '+' first keeps "%2B" a plus sign. Returns the decoded length; -1 on a
 * malformed escape (*out NULL), -2 on ENOMEM.
 */
static long
form_urldecode(const char *s, size_t len, char *scratch, char **out)
{
	size_t	i;
	long	n;

	*out = NULL;
	for (i = 0; i < len; i++)
		scratch[i] = s[i] == '+' ? ' ' : s[i];
	if ((*out = malloc(len + 1)) == NULL)
		return -2;
	if ((n = ilp_percent_decode(scratch, len, *out)) < 0) {
		free(*out);
		*out = NULL;
	}
	return n;
}

/*
 * Decode the body; see form.h. A name is checked before its value is
 * decoded, so that an error names the field.
 */
int
form_urlencoded_parse(const char *body, size_t len,
    const struct form_limits *lim, struct form_fields *out,
    struct form_error *err)
{
	struct form_limits	 dl;
	const char		*p, *amp, *eq, *end = body + len;
	char			*scratch = NULL, *name = NULL, *value = NULL;
	size_t			 off;
	long			 nlen, vlen;

	if (lim == NULL) {
		form_limits_default(&dl);
		lim = &dl;
	}
	form_fields_init(out);
	if (len > lim->max_body)
		return form_fail(err, FORM_ERR_LIMIT, "", 0, "body too large");
	if ((scratch = malloc(len + 1)) == NULL)
		return form_fail(err, FORM_ERR_NOMEM, "", 0, "out of memory");
	for (off = 0; off < len; off = (size_t)(amp - body) + 1) {
		p = body + off;
		if ((amp = memchr(p, '&', end - p)) == NULL)
			amp = end;
		if (amp == p)
			continue;
		if ((eq = memchr(p, '=', amp - p)) == NULL)
			eq = amp;
		nlen = form_urldecode(p, eq - p, scratch, &name);
		if (nlen == -1) {
			form_fail(err, FORM_ERR_SYNTAX, p, eq - p,
			    "malformed percent escape in field name");
			goto fail;
		}
		if (nlen == -2)
			goto nomem;
		if (eq == amp)
			vlen = (value = strdup("")) == NULL ? -2 : 0;
		else
			vlen = form_urldecode(eq + 1, amp - eq - 1, scratch,
			    &value);
		if (vlen == -1) {
			form_fail(err, FORM_ERR_SYNTAX, name, nlen,
			    "malformed percent escape (want %XX)");
			goto fail;
		}
		if (vlen == -2)
			goto nomem;
		if (form_check_pair(lim, name, nlen, value, vlen, err) == -1)
			goto fail;
		if (form_fields_add(out, lim, name, nlen, value, vlen,
		    err) == -1) {
			value = NULL;
			goto fail;
		}
		value = NULL;
		free(name);
		name = NULL;
	}
	free(scratch);
	return 0;
nomem:
	form_fail(err, FORM_ERR_NOMEM, "", 0, "out of memory");
fail:
	free(value);
	free(name);
	free(scratch);
	form_fields_free(out);
	return -1;
}

/*
 * Whether the media type of a Content-Type value (before any ';' or
 * blank, any case) is type.
 */
static int
form_media_is(const char *ctype, const char *type)
{
	size_t	n;

	ctype += strspn(ctype, " \t");
	n = strcspn(ctype, "; \t");
	return n == strlen(type) && strncasecmp(ctype, type, n) == 0;
}

int
form_parse(const char *ctype, const char *body, size_t len,
    const struct form_limits *lim, struct form_fields *out,
    struct form_error *err)
{
	if (ctype != NULL &&
	    form_media_is(ctype, "application/x-www-form-urlencoded"))
		return form_urlencoded_parse(body, len, lim, out, err);
	if (ctype != NULL && form_media_is(ctype, "multipart/form-data"))
		return form_multipart_parse(ctype, body, len, lim, out, err);
	form_fields_init(out);
	return form_fail(err, FORM_ERR_CONTENT_TYPE, "", 0,
	    "not a form content type");
}

const char *
form_field_get(const struct form_fields *ff, const char *name, size_t *len)
{
	size_t	i;

	for (i = 0; i < ff->n_fields; i++)
		if (strcmp(ff->fields[i].name, name) == 0) {
			if (len != NULL)
				*len = ff->fields[i].value_len;
			return ff->fields[i].value;
		}
	return NULL;
}

/*
 * A file name made safe to show; see form.h. Each replaced character
 * becomes one byte, so the result before NFC is never longer than name.
 */
int
form_filename_sanitise(const char *name, size_t len, char **out)
{
	const utf8proc_uint8_t	*p;
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 k;
	utf8proc_category_t	 cat;
	const char		*s;
	char			*buf, *nfc;
	size_t			 i, n, o = 0, nlen;

	*out = NULL;
	for (i = len; i > 0; i--)
		if (name[i - 1] == '/' || name[i - 1] == '\\')
			break;
	name += i;
	len -= i;
	if ((buf = malloc(len + 1)) == NULL)
		return -1;
	p = (const utf8proc_uint8_t *)name;
	for (i = 0; i < len; i += k) {
		k = utf8proc_iterate(p + i, len - i, &cp);
		if (k < 1) {
			buf[o++] = '_';
			k = 1;
			continue;
		}
		cat = utf8proc_category(cp);
		if (cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF ||
		    cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP ||
		    cat == UTF8PROC_CATEGORY_CS || cat == UTF8PROC_CATEGORY_CO)
			buf[o++] = '_';
		else {
			memcpy(buf + o, name + i, k);
			o += k;
		}
	}
	s = buf;
	n = o;
	text_trim(&s, &n, " ");
	if (text_nfc(s, n, &nfc, &nlen) == -1) {
		free(buf);
		return -1;
	}
	free(buf);
	if (nlen > FORM_FILENAME_MAX) {
		nlen = FORM_FILENAME_MAX;
		while (nlen > 0 && ((unsigned char)nfc[nlen] & 0xC0) == 0x80)
			nlen--;
		while (nlen > 0 && nfc[nlen - 1] == ' ')
			nlen--;		/* the cut may leave a blank last */
		nfc[nlen] = '\0';
	}
	*out = nfc;
	return 0;
}
