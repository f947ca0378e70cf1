/*
 * form_impl.h - private to parsers/form*.c: what the urlencoded decoder,
 * the multipart decoder and the report mapping share. Other modules use
 * form.h.
 */
#ifndef FORM_IMPL_H
#define FORM_IMPL_H

#include "form.h"

/*
 * name[0..len) made safe to echo into dst (dstlen bytes, NUL-terminated):
 * printable ASCII kept, any other byte '?', truncated.
 */
void	form_shown(char *dst, size_t dstlen, const char *name, size_t len);

/*
 * Fill err (may be NULL) with code, reason (static) and the field name
 * name[0..len) made printable ASCII; return -1.
 */
int	form_fail(struct form_error *err, enum form_errcode code,
	    const char *name, size_t len, const char *reason);

/*
 * Check a decoded field name (UTF-8, no control, at most max_name bytes)
 * and value (UTF-8, at most max_value bytes) against lim; 0, or -1 with
 * err filled.
 */
int	form_check_pair(const struct form_limits *lim, const char *name,
	    size_t nlen, const char *value, size_t vlen,
	    struct form_error *err);

/*
 * Append one ordinary field, taking ownership of value (value_len bytes,
 * NUL-terminated) and copying name; refuses more than lim->max_fields.
 * On error value is freed and -1 returned with err filled.
 */
int	form_fields_add(struct form_fields *ff, const struct form_limits *lim,
	    const char *name, size_t nlen, char *value, size_t vlen,
	    struct form_error *err);

/*
 * Append one file, copying every argument (data[0..len) may be empty) and
 * computing its SHA-256; refuses more than lim->max_attachments files or
 * lim->max_attachment_bytes in all. 0, or -1 with err filled.
 */
int	form_attachments_add(struct form_fields *ff,
	    const struct form_limits *lim, const char *field,
	    const char *filename, const char *ctype, const void *data,
	    size_t len, struct form_error *err);

#endif
