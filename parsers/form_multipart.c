/*
 * form_multipart.c - multipart/form-data bodies (RFC 7578) decoded with
 * the project's MIME parser (mime.h) into the ordinary fields and files of
 * a struct form_fields.
 *
 * mime_parse() takes whole messages, so the body is copied once behind a
 * synthetic "Content-Type: <value>" header. The tree gives the structure
 * (parts, their headers and the raw span of each body); the bytes of a
 * field or file are always taken from the raw span, transfer-decoded here
 * when a part says base64 or quoted-printable, so the MIME parser's budget
 * for decoded output and text (kept tiny: its texts are not used) can
 * never cut a file short. Bounds: body bytes, parts (at every level),
 * fields, files, file bytes, nesting (at most form-data > multipart/mixed)
 * and bytes and lines of each part's header. No I/O, no global state.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "mime.h"
#include "form_impl.h"

#define FM_HEADER	"Content-Type: "
#define FM_BOUNDARY_MAX	70		/* RFC 2046 5.1.1 */
#define FM_HEADERS_MAX	32		/* header lines of one part */
#define FM_DECODED_MAX	4096		/* MIME parser's texts: not used */
#define FM_DEPTH_CAP	2		/* form-data > multipart/mixed */
#define FM_OCTET	"application/octet-stream"

struct fm_state {
	const struct form_limits	*lim;
	struct form_fields		*out;
	struct form_error		*err;
	size_t				 parts;
};

static int	fm_bytes(struct fm_state *, const struct mime_part *,
		    const char *, const char **, size_t *, char **);
static int	fm_leaf(struct fm_state *, const struct mime_part *,
		    const char *, int);
static int	fm_part(struct fm_state *, const struct mime_part *,
		    const char *);
static int	fm_children(struct fm_state *, const struct mime_part *,
		    const char *, const char *);

/*
 * The bytes of p's body: the raw span itself for 7bit, 8bit and binary
 * (*owned NULL), else decoded into a new buffer (*owned, the caller frees
 * it). Defects of the encoding are refused: 0, or -1 with the error.
 */
static int
fm_bytes(struct fm_state *st, const struct mime_part *p, const char *name,
    const char **data, size_t *len, char **owned)
{
	unsigned	 flags = 0;
	size_t		 cap;

	*owned = NULL;
	*data = p->body_raw;
	*len = p->body_raw_len;
	switch (p->cte) {
	case MIME_CTE_7BIT:
	case MIME_CTE_8BIT:
	case MIME_CTE_BINARY:
		return 0;
	case MIME_CTE_BASE64:
	case MIME_CTE_QP:
		break;
	default:
		return form_fail(st->err, FORM_ERR_SYNTAX, name, strlen(name),
		    "unknown Content-Transfer-Encoding");
	}
	cap = p->cte == MIME_CTE_QP ? p->body_raw_len :
	    p->body_raw_len / 4 * 3 + 3;
	if ((*owned = malloc(cap + 1)) == NULL)
		return form_fail(st->err, FORM_ERR_NOMEM, "", 0,
		    "out of memory");
	if (p->cte == MIME_CTE_QP)
		*len = mime_qp_decode(p->body_raw, p->body_raw_len, *owned,
		    cap, &flags);
	else
		*len = mime_base64_decode(p->body_raw, p->body_raw_len,
		    *owned, cap, &flags);
	*data = *owned;
	if (flags & (MIME_F_BAD_BASE64 | MIME_F_BAD_QP | MIME_F_TRUNCATED)) {
		free(*owned);
		*owned = NULL;
		return form_fail(st->err, FORM_ERR_SYNTAX, name, strlen(name),
		    p->cte == MIME_CTE_QP ? "bad quoted-printable" :
		    "bad base64");
	}
	return 0;
}

/*
 * One part that holds a value: a file when is_file, else an ordinary
 * field. name is the form field it belongs to.
 */
static int
fm_leaf(struct fm_state *st, const struct mime_part *p, const char *name,
    int is_file)
{
	const char	*data;
	char		*owned, *value, *fname, ctype[256];
	size_t		 len;
	int		 rc;

	if (fm_bytes(st, p, name, &data, &len, &owned) == -1)
		return -1;
	if (!is_file) {
		rc = form_check_pair(st->lim, name, strlen(name), data, len,
		    st->err);
		if (rc == 0 && (value = malloc(len + 1)) == NULL)
			rc = form_fail(st->err, FORM_ERR_NOMEM, "", 0,
			    "out of memory");
		if (rc == 0) {
			memcpy(value, data, len);
			value[len] = '\0';
			rc = form_fields_add(st->out, st->lim, name,
			    strlen(name), value, len, st->err);
		}
		free(owned);
		return rc;
	}
	if (form_filename_sanitise(p->filename ? p->filename : "",
	    p->filename ? strlen(p->filename) : 0, &fname) == -1) {
		free(owned);
		return form_fail(st->err, FORM_ERR_NOMEM, "", 0,
		    "out of memory");
	}
	/* An empty file input: browsers send filename="" and no bytes. */
	if (len == 0 && fname[0] == '\0') {
		free(fname);
		free(owned);
		return 0;
	}
	if (mime_header_get(p, "Content-Type") == NULL ||
	    (p->flags & MIME_F_BAD_CONTENT_TYPE) ||
	    snprintf(ctype, sizeof(ctype), "%s/%s", p->type, p->subtype) >=
	    (int)sizeof(ctype))
		snprintf(ctype, sizeof(ctype), "%s", FM_OCTET);
	rc = form_attachments_add(st->out, st->lim, name, fname, ctype, data,
	    len, st->err);
	free(fname);
	free(owned);
	return rc;
}

/*
 * The parts of a multipart: of the form-data itself (field NULL), or of a
 * multipart/mixed inside it, whose every leaf is a file of field. name is
 * what errors show.
 */
static int
fm_children(struct fm_state *st, const struct mime_part *p, const char *name,
    const char *field)
{
	size_t	i;

	if (p->flags & MIME_F_DEPTH_LIMIT)
		return form_fail(st->err, FORM_ERR_LIMIT, name, strlen(name),
		    "multipart nested too deeply");
	if (p->flags & MIME_F_PART_LIMIT)
		return form_fail(st->err, FORM_ERR_LIMIT, name, strlen(name),
		    "too many parts");
	if (p->flags & MIME_F_MISSING_BOUNDARY)
		return form_fail(st->err, FORM_ERR_SYNTAX, name, strlen(name),
		    "truncated multipart (no closing delimiter)");
	for (i = 0; i < p->n_children; i++)
		if (fm_part(st, p->children[i], field) == -1)
			return -1;
	return 0;
}

/*
 * One part: at the top (field NULL) it must be form-data with a name;
 * below, it is a file of field.
 */
static int
fm_part(struct fm_state *st, const struct mime_part *p, const char *field)
{
	const char	*name = field, *shown = field;

	if (shown == NULL && (shown = mime_disp_param(p, "name")) == NULL)
		shown = "";
	if (++st->parts > st->lim->max_parts)
		return form_fail(st->err, FORM_ERR_LIMIT, shown,
		    strlen(shown), "too many parts");
	if (p->flags & MIME_F_HEADER_LIMIT)
		return form_fail(st->err, FORM_ERR_LIMIT, shown,
		    strlen(shown), "part header too large");
	if (p->flags & MIME_F_NO_SEPARATOR)
		return form_fail(st->err, FORM_ERR_SYNTAX, shown,
		    strlen(shown), "part without a blank line after its "
		    "header");
	if (field == NULL) {
		if (p->disposition == NULL ||
		    strcmp(p->disposition, "form-data") != 0)
			return form_fail(st->err, FORM_ERR_SYNTAX, "", 0,
			    "part without Content-Disposition: form-data");
		if ((name = mime_disp_param(p, "name")) == NULL)
			return form_fail(st->err, FORM_ERR_SYNTAX, "", 0,
			    "part without a name");
		if (form_check_pair(st->lim, name, strlen(name), "", 0,
		    st->err) == -1)
			return -1;
	}
	if (strcmp(p->type, "multipart") == 0)
		return fm_children(st, p, name, name);
	return fm_leaf(st, p, name, field != NULL ||
	    mime_disp_param(p, "filename") != NULL);
}

int
form_multipart_parse(const char *ctype, const char *body, size_t len,
    const struct form_limits *lim, struct form_fields *out,
    struct form_error *err)
{
	struct form_limits	 dl;
	struct mime_limits	 ml;
	struct mime_message	*m = NULL;
	const struct mime_part	*root;
	struct fm_state		 st;
	char			*msg;
	size_t			 ctlen, hlen, depth;
	int			 rc;

	if (lim == NULL) {
		form_limits_default(&dl);
		lim = &dl;
	}
	form_fields_init(out);
	if (len > lim->max_body)
		return form_fail(err, FORM_ERR_LIMIT, "", 0, "body too large");
	if (ctype == NULL || (ctlen = strlen(ctype)) > FORM_CONTENT_TYPE_MAX ||
	    strpbrk(ctype, "\r\n") != NULL)
		return form_fail(err, FORM_ERR_CONTENT_TYPE, "", 0,
		    "unusable Content-Type");
	hlen = strlen(FM_HEADER) + ctlen + 4;
	if (len > SIZE_MAX - hlen || (msg = malloc(hlen + len)) == NULL)
		return form_fail(err, FORM_ERR_NOMEM, "", 0, "out of memory");
	memcpy(msg, FM_HEADER, strlen(FM_HEADER));
	memcpy(msg + strlen(FM_HEADER), ctype, ctlen);
	memcpy(msg + hlen - 4, "\r\n\r\n", 4);
	if (len > 0)
		memcpy(msg + hlen, body, len);

	depth = lim->max_depth < 1 ? 1 : lim->max_depth > FM_DEPTH_CAP ?
	    FM_DEPTH_CAP : lim->max_depth;
	ml.max_depth = depth;
	/* each form part, plus the root of a message/rfc822 file in it */
	ml.max_parts = lim->max_parts > (SIZE_MAX - 2) / 2 ? SIZE_MAX :
	    2 * lim->max_parts + 2;
	ml.max_header_bytes = FORM_PART_HEADER_MAX;
	ml.max_headers = FM_HEADERS_MAX;
	ml.max_decoded_bytes = FM_DECODED_MAX;
	if (mime_parse(msg, hlen + len, &ml, &m, NULL) == -1) {
		free(msg);
		return form_fail(err, FORM_ERR_NOMEM, "", 0, "out of memory");
	}
	root = m->root;
	memset(&st, 0, sizeof(st));
	st.lim = lim;
	st.out = out;
	st.err = err;
	if (strcmp(root->type, "multipart") != 0 ||
	    strcmp(root->subtype, "form-data") != 0)
		rc = form_fail(err, FORM_ERR_CONTENT_TYPE, "", 0,
		    "not multipart/form-data");
	else if (root->boundary == NULL || root->boundary[0] == '\0' ||
	    strlen(root->boundary) > FM_BOUNDARY_MAX)
		rc = form_fail(err, FORM_ERR_CONTENT_TYPE, "", 0,
		    "no usable boundary");
	else
		rc = fm_children(&st, root, "", NULL);
	mime_free(m);
	free(msg);
	if (rc == -1)
		form_fields_free(out);
	return rc;
}
