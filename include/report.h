/*
 * report.h - the normalised incident report every channel produces, and the
 * validation of its fields.
 *
 * A report is filled field by field (report_set_field) from whatever channel
 * received it: the ILP REPORT line, the web form, the JSON API or a parsed
 * e-mail. Each value is checked and normalised on the way in: UTF-8 validated,
 * control characters refused, NFC applied to free text, IPs in canonical
 * form, domains lower-case without trailing dot (IDNs as A-labels), hashes
 * lower-case hex, CVE IDs upper-case, times as RFC 3339 UTC. Errors name the
 * field and the reason, in words fit for a reply to the submitter.
 *
 * Nothing here does I/O or keeps global state. A struct report owns every
 * string it points to; report_free() releases them all.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stddef.h>
#include "taxonomy.h"

enum ind_type {
	IND_IPV4,
	IND_IPV6,
	IND_DOMAIN,
	IND_URL,
	IND_EMAIL,
	IND_MD5,
	IND_SHA1,
	IND_SHA256,
	IND_CVE,
	IND_TYPE_COUNT
};

struct indicator {
	enum ind_type	 type;
	char		*value;		/* normalised, NUL-terminated */
	const char	*origin;	/* static: where a parser found it (the
					   report's origin when it was added),
					   or NULL */
};

struct report_limits {
	size_t	field_max;		/* bytes of one decoded value */
	size_t	description_max;	/* bytes of description */
	size_t	fields_max;		/* fields set on one report */
	size_t	indicators_max;		/* indicators on one report */
};

/* The defaults of limits_gw.h. */
void report_limits_default(struct report_limits *lim);

struct report {
	const struct taxonomy_entry *category;	/* NULL until set */
	enum severity	 severity;
	char		*description;		/* UTF-8, NFC */
	char		*detected_at;		/* "YYYY-MM-DDTHH:MM:SSZ" (UTC) */
	char		*occurred_at;
	char		*reporter_name;
	char		*reporter_email;
	char		*reporter_phone;
	char		*organization;
	char		*operating_unit;
	char		*affected_system;
	char		*external_id;
	char		*subject;		/* mail subject, set by the mail parser */
	int		 system_level;		/* 1..5, 0 = not given */
	int		 confidential;		/* -1 not given, 0 no, 1 yes */
	int		 auto_generated;	/* auto-reply, bounce, loop */
	char		*auto_reason;		/* why, for a person; or NULL */
	/*
	 * An aggregate report (DMARC, SMTP TLS): statistics about mail
	 * flows, stored but no incident to triage.
	 */
	int		 aggregate;
	const char	*category_why;		/* static: why this category,
						   or NULL */
	const char	*origin;		/* static: what a parser reads
						   now; given to indicators as
						   they are added */
	/*
	 * Set by a parser that kept only part of a submission's events
	 * (mail: beyond max_reports, or beyond the indicators of one
	 * message); every report of that submission carries it, with the
	 * number of events not made into reports. The evidence is whole.
	 */
	int		 truncated;
	size_t		 events_dropped;
	struct indicator *indicators;
	size_t		 n_indicators;
	size_t		 cap_indicators;
	size_t		 n_fields;		/* fields set so far */
	unsigned char	 fingerprint[32];	/* see report_fingerprint */
	int		 has_fingerprint;	/* fingerprint is filled */
};

struct report_error {
	char	field[32];	/* the field at fault ("" for the report) */
	char	reason[128];	/* e.g. "not an IPv4 or IPv6 address" */
};

void report_init(struct report *r);
void report_free(struct report *r);

/*
 * Set one field by its machine name (case-insensitive; '_' is accepted for
 * '-', so JSON names work too). The value is raw bytes, already
 * percent-decoded by the caller. Repeatable fields (source-ip, target-ip,
 * domain, url, email, hash, cve) add an indicator; the others may be set once.
 * source-ip and target-ip accept IPv4 and IPv6; hash accepts MD5, SHA-1 and
 * SHA-256 by length. Returns 0, or -1 with err filled (unknown field,
 * invalid value, repeated field, too long, too many fields); on error the
 * report is unchanged.
 */
int report_set_field(struct report *r, const struct taxonomy *tax,
    const struct report_limits *lim, const char *name, size_t namelen,
    const char *value, size_t vlen, struct report_error *err);

/*
 * Validate, normalise and add one indicator of a known type. Duplicates
 * (same type and normalised value) are silently merged. Returns 0, or -1
 * with err filled.
 */
int report_add_indicator(struct report *r, const struct report_limits *lim,
    enum ind_type type, const char *value, size_t vlen,
    struct report_error *err);

/*
 * Final checks once every field is in: a category is required, and a
 * description or at least one indicator; severity defaults to the
 * category's. Returns 0, or -1 with err filled.
 */
int report_finish(struct report *r, struct report_error *err);

/*
 * The deduplication fingerprint: SHA-256 over the category code and the
 * sorted set of normalised indicators, or over the normalised description
 * (case-folded, whitespace collapsed) when the report has no indicator.
 * Sorts r->indicators in place.
 */
void report_fingerprint(struct report *r, unsigned char out[32]);

/*
 * Normalise one indicator value of the given type into a new string
 * (*out, owned by the caller). Returns 0, or -1 with *why set to a static
 * reason. Used by report_add_indicator and by the indicator extractor.
 */
int indicator_normalise(enum ind_type type, const char *in, size_t len,
    char **out, const char **why);

const char *ind_type_name(enum ind_type type);	/* "ipv4", "sha256", ... */
int ind_type_parse(const char *s, size_t len);	/* -1 when unknown */

/*
 * Text checks shared by every parser. utf8_valid: well-formed UTF-8 with no
 * overlong forms or surrogates. text_has_controls: any C0/C1 control or DEL
 * other than the ones allowed (allow_newlines: TAB, CR, LF).
 */
int utf8_valid(const char *s, size_t len);
int text_has_controls(const char *s, size_t len, int allow_newlines);

/* Blanks trimmed from field values: space, TAB, CR, LF. */
#define TEXT_BLANKS	" \t\r\n"
/* Narrow s[0..*len) past leading and trailing bytes found in blanks. */
void text_trim(const char **s, size_t *len, const char *blanks);
/* A NUL-terminated copy of s[0..len); NULL (errno ENOMEM) when out of memory. */
char *text_strndup(const char *s, size_t len);
/*
 * Whether UTF-8 text is certainly in NFC already (every character stable
 * under normalisation), so that normalising it would copy it unchanged. 0
 * means "not sure": normalise.
 */
int text_is_nfc_quick(const char *s, size_t len);
/*
 * s[0..len) (valid UTF-8) in Unicode NFC: a new string in *out, *outlen
 * bytes. Cheap when the text is already NFC. Returns 0, or -1 with errno
 * ENOMEM or EILSEQ.
 */
int text_nfc(const char *s, size_t len, char **out, size_t *outlen);
/* Value of one hex digit, -1 when c is not one. */
int text_hexval(int c);
/*
 * An error of a line-oriented table (taxonomy.tsv, classify.tsv, the
 * automated-mail rules): "line N: " and the formatted reason in err,
 * truncated to errlen (nothing when err is NULL or errlen 0). Returns -1,
 * so that a loader can `return text_line_fail(...)'.
 */
int text_line_fail(char *err, size_t errlen, size_t line, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

#endif
