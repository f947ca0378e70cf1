/*
 * form.h - the web form's request bodies decoded into fields, and the
 * form's fields made into a validated struct report (SPEC "HTTPS", POST
 * /report).
 *
 * Two steps, both pure (no I/O, no globals, no libevent types):
 *
 * 1. form_parse() (or form_urlencoded_parse() / form_multipart_parse())
 *    turns an application/x-www-form-urlencoded or multipart/form-data
 *    body into a struct form_fields: the ordinary fields as (name, value)
 *    pairs in the order sent, repeated names kept, and the files sent
 *    (multipart only) with their bytes exactly as sent and their SHA-256.
 *    Names and values must be well-formed UTF-8. Every input is bounded by
 *    a struct form_limits. A body that cannot be decoded gets one struct
 *    form_error; nothing else is kept.
 *
 * 2. form_to_report() maps those fields onto a struct report through the
 *    same validation as every other channel (report_set_field,
 *    report_add_indicator, report_finish) and collects every field error as
 *    (field name, message key), so that the page can show each message
 *    beside its field with every value kept (the values stay in the
 *    struct form_fields, which the caller still owns).
 *
 * Ownership: a struct form_fields owns every string and byte it points to
 * until form_fields_free(). Nothing borrows from the caller's body once a
 * parse function returns. struct form_meta borrows from the struct
 * form_fields it was filled from.
 */
#ifndef FORM_H
#define FORM_H

#include <stddef.h>
#include <time.h>

#include "classify.h"
#include "extract.h"
#include "report.h"
#include "taxonomy.h"

/* Defaults of struct form_limits (form_limits_default). */
#define FORM_FIELDS_MAX		64		/* ordinary fields */
#define FORM_NAME_MAX		64		/* bytes of a field name */
#define FORM_VALUE_MAX		65536		/* bytes of a value: a description */
#define FORM_PARTS_MAX		64		/* multipart parts, all levels */
#define FORM_ATTACHMENTS_MAX	10		/* files */
#define FORM_ATTACHMENT_BYTES_MAX (10 * 1024 * 1024)	/* all files */
#define FORM_BODY_MAX		(FORM_ATTACHMENT_BYTES_MAX + 1024 * 1024)
#define FORM_DEPTH_MAX		2		/* form-data > multipart/mixed */
#define FORM_PART_HEADER_MAX	8192		/* bytes of one part's header */

/* Fixed bounds. */
#define FORM_CONTENT_TYPE_MAX	1024	/* bytes of the Content-Type value */
#define FORM_FILENAME_MAX	255	/* bytes of a sanitised file name */
#define FORM_ERRORS_MAX		32	/* field errors kept by form_to_report */
#define FORM_FUTURE_SLACK	3600	/* seconds a time may lie ahead of now */

struct form_limits {
	size_t	max_fields;		/* ordinary fields, both encodings */
	size_t	max_name;		/* bytes of one decoded field name */
	size_t	max_value;		/* bytes of one decoded field value */
	size_t	max_body;		/* bytes of the whole body */
	size_t	max_parts;		/* multipart: parts at every level */
	size_t	max_attachments;	/* multipart: files kept */
	size_t	max_attachment_bytes;	/* multipart: all files together */
	size_t	max_depth;		/* multipart: 1 = flat form-data, 2 =
					   one multipart/mixed level inside */
};

/* Fill lim with the FORM_* defaults above. */
void form_limits_default(struct form_limits *lim);

struct form_field {
	char	*name;		/* NUL-terminated UTF-8, no control */
	char	*value;		/* UTF-8, NUL-terminated after value_len
				   bytes; may hold NUL bytes (%00) */
	size_t	 value_len;
};

struct form_attachment {
	char		*field;		/* form field name, e.g. "attachment" */
	char		*filename;	/* sanitised for display; "" if none */
	char		*content_type;	/* "type/subtype", lower-case */
	unsigned char	*data;		/* the bytes exactly as sent (after a
					   transfer encoding, if one was
					   used); NULL when len is 0 */
	size_t		 len;
	unsigned char	 sha256[32];	/* of data[0..len) */
};

struct form_fields {
	struct form_field	*fields;	/* in the order sent */
	size_t			 n_fields;
	size_t			 cap_fields;
	struct form_attachment	*attachments;	/* in the order sent */
	size_t			 n_attachments;
	size_t			 cap_attachments;
	size_t			 attachment_bytes;	/* sum of their len */
};

void form_fields_init(struct form_fields *ff);
/* Free everything ff owns; it is then as form_fields_init() leaves it. */
void form_fields_free(struct form_fields *ff);

enum form_errcode {
	FORM_ERR_NONE,
	FORM_ERR_NOMEM,		/* out of memory */
	FORM_ERR_CONTENT_TYPE,	/* not a form type, or no usable boundary */
	FORM_ERR_LIMIT,		/* a struct form_limits bound: 413 */
	FORM_ERR_SYNTAX,	/* bad %XX, truncated multipart, part
				   without a name, bad transfer encoding */
	FORM_ERR_UTF8		/* a name or value not well-formed UTF-8 */
};

struct form_error {
	enum form_errcode	 code;
	char			 field[32];	/* the field at fault, made
						   printable ASCII; "" */
	const char		*reason;	/* static English text */
	/*
	 * The page's message key (conf/messages.tsv): err.form-too-large,
	 * err.attachments-too-many, err.attachment-too-large for limits,
	 * else err.invalid.
	 */
	const char		*key;
};

/*
 * Decode a body by its Content-Type header value (ctype, NUL-terminated;
 * the media type is matched case-insensitively, parameters allowed):
 * application/x-www-form-urlencoded or multipart/form-data. Another type,
 * or none, is FORM_ERR_CONTENT_TYPE (the caller answers 415). Otherwise as
 * the two functions below.
 */
int form_parse(const char *ctype, const char *body, size_t len,
    const struct form_limits *lim, struct form_fields *out,
    struct form_error *err);

/*
 * Decode an application/x-www-form-urlencoded body: pairs separated by
 * '&', name and value by the first '=' (none: the value is empty), '+' is
 * a space, %XX a byte; empty pairs ("&&") are skipped. Names and values
 * must be UTF-8 once decoded; names must hold no control character.
 * Values may (the report's validation judges them). lim NULL means the
 * defaults. Initialises *out; returns 0 with *out filled, or -1 with err
 * filled and *out empty. Linear in len; one scratch allocation of len
 * bytes.
 */
int form_urlencoded_parse(const char *body, size_t len,
    const struct form_limits *lim, struct form_fields *out,
    struct form_error *err);

/*
 * Decode a multipart/form-data body (RFC 7578) with the project's MIME
 * parser: ctype is the request's Content-Type value, with its boundary
 * (1 to 70 bytes, RFC 2046). A part with a "filename" parameter is a
 * file (an empty one without a name, which browsers send for an empty file
 * input, is skipped); any other part is an ordinary field whose value is
 * its body. The parts of a multipart/mixed part (RFC 2388's form of
 * several files) are files of that part's field name, up to max_depth.
 * File names are sanitised for display (form_filename_sanitise). A
 * Content-Transfer-Encoding of base64 or quoted-printable is decoded
 * (defects refused); the bytes are otherwise kept exactly as sent, every
 * byte value included. Refused: another media type or a missing boundary
 * (FORM_ERR_CONTENT_TYPE); no closing delimiter, a part without a
 * form-data name, a part without the blank line after its header
 * (FORM_ERR_SYNTAX); a field name or value that is not UTF-8
 * (FORM_ERR_UTF8); more parts, fields, files, file bytes, nesting or
 * part header bytes than lim allows (FORM_ERR_LIMIT). lim NULL means the
 * defaults.
 *
 * Memory: the body is copied once behind a synthetic header line for
 * mime_parse(); every value and file is copied into *out. The bytes come
 * from each part's raw span, so the MIME parser's own decoded output is
 * capped at a few KiB (it is not used), except that it converts a
 * text/html part to UTF-8 whole before its cap applies (transiently up to
 * 3 times that part). Initialises *out; returns 0 with *out filled, or -1
 * with err filled and *out empty.
 */
int form_multipart_parse(const char *ctype, const char *body, size_t len,
    const struct form_limits *lim, struct form_fields *out,
    struct form_error *err);

/*
 * The value of the first field called name (exact match), with its length
 * in *len when len is not NULL; NULL when there is none. Borrowed from ff.
 */
const char *form_field_get(const struct form_fields *ff, const char *name,
    size_t *len);

/*
 * A file name as a browser sent it, made safe to show: the directory part
 * dropped (after the last '/' or '\'), controls, line and paragraph
 * separators and invisible format characters (bidirectional overrides,
 * zero-width ones) replaced by '_', blanks trimmed, NFC, at most
 * FORM_FILENAME_MAX bytes cut at a character boundary. name must be
 * well-formed UTF-8 (the MIME parser's parameters are). *out is a new
 * string, possibly "". Returns 0, or -1 on ENOMEM.
 */
int form_filename_sanitise(const char *name, size_t len, char **out);

/*
 * What form_to_report needs besides the fields. tax, lim (NULL: report
 * defaults) and ex are required; cl may be NULL (a category left open is
 * then "undetermined"). tz_offset_minutes is the zone of the form's
 * date-time inputs: a detected-at or occurred-at without a zone
 * ("2026-11-21T17:00", as <input type="datetime-local"> sends it) is
 * taken in it (Asia/Ho_Chi_Minh: 420). now, when not 0, refuses those
 * times later than now + FORM_FUTURE_SLACK seconds. ignore, when not
 * NULL, is a NULL-terminated list of further field names the page itself
 * uses, which are skipped.
 */
struct form_context {
	const struct taxonomy		*tax;
	const struct report_limits	*lim;
	const struct extractor		*ex;
	const struct classifier		*cl;
	int				 tz_offset_minutes;
	time_t				 now;
	const char *const		*ignore;
};

/*
 * The fields that are not part of the report. csrf is the value of the
 * one "csrf" field, NULL when it is absent or given more than once (both
 * are a wrong token: 403). honeypot is 1 when a "website" field holds
 * anything but blanks (answer 400 and store nothing). Borrowed from the
 * struct form_fields.
 */
struct form_meta {
	const char	*csrf;
	size_t		 csrf_len;
	int		 honeypot;
};

/*
 * One field error: the field as the form named it, and the key of the
 * message the page shows beside it (conf/messages.tsv): "err.required",
 * "err.contact-needed" (on reporter-email: neither it nor reporter-phone
 * was given), "err.too-long", "err.email", "err.phone", "err.datetime",
 * "err.future", "err.category", "err.severity", "err.system-level",
 * "err.indicators" (the indicators text holds none), and "err.invalid"
 * for anything else (not UTF-8, a control character, a single field given
 * twice, an unknown field, too many fields or indicators, confidential,
 * an indicator field's value, a file under a field other than
 * "attachment"). detail is the English reason (report validation's), for
 * logs.
 */
struct form_field_error {
	char		 field[32];
	const char	*key;
	char		 detail[128];
};

struct form_errors {
	struct form_field_error	 e[FORM_ERRORS_MAX];
	size_t			 n;
	size_t			 dropped;	/* errors beyond FORM_ERRORS_MAX */
};

/*
 * Map the web form's fields onto *out (initialised here), which the caller
 * owns and frees with report_free() whatever the result.
 *
 * Fields: every REPORT name of report.h (description, category, severity,
 * reporter-name, reporter-email, reporter-phone, organization,
 * operating-unit, affected-system, system-level, detected-at,
 * occurred-at, confidential, source-ip, target-ip, domain, url, email,
 * hash, cve) through report_set_field(); "external-id" is refused (it
 * scopes idempotency to a partner token, which the form has not).
 * category empty or "unknown" (and severity empty or "unknown") means
 * "don't know": the category is then guessed from the description by
 * ctx->cl. confidential is a checkbox: "yes" (or "on") checked, absent
 * means no. indicators is free text: every IP, domain, URL, e-mail
 * address, hash and CVE ID in it is extracted (ctx->ex) and added as an
 * indicator. csrf and website go to *meta, not into the report; files
 * must be under the field "attachment" (they are not part of the report:
 * the caller stores ff->attachments with it). Required: a description,
 * and a reporter-email or a reporter-phone.
 *
 * Every error is collected in *errs (the first FORM_ERRORS_MAX of them).
 * Returns 0 when the report is complete and valid (report_finish done),
 * 1 when errs holds at least one error, -1 when memory ran out (errno
 * ENOMEM). meta is filled in every case.
 */
int form_to_report(const struct form_fields *ff,
    const struct form_context *ctx, struct report *out,
    struct form_meta *meta, struct form_errors *errs);

/* The key of the first error on field, or NULL: for the page. */
const char *form_errors_key(const struct form_errors *errs,
    const char *field);

#endif
