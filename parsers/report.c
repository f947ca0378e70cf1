/*
 * report.c - the normalised incident report: setting its fields by machine
 * name with validation, adding indicators without duplicates, the final
 * checks, and the deduplication fingerprint.
 *
 * Every value is checked and normalised before the report is touched, so a
 * refused field leaves the report as it was. Values are trimmed of ASCII
 * blanks at both ends; a value that is empty after trimming is accepted and
 * ignored (web forms send every input, filled or not). Free text must be
 * UTF-8 without controls (the description may hold TAB, CR and LF) and is
 * stored in NFC. Times are RFC 3339 and stored in UTC, whole seconds.
 * No I/O and no global state; the report owns all its strings.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <utf8proc.h>

#include "limits_gw.h"
#include "report.h"
#include "tzif.h"

#define RPT_NAME_MAX		31	/* longest field name we could know */
#define RPT_TIME_LEN		20	/* "YYYY-MM-DDTHH:MM:SSZ" */
#define RPT_PHONE_MIN		3
#define RPT_PHONE_MAX		32
#define RPT_EXTID_MAX		128
#define RPT_IND_INITIAL		8
#define RPT_ENOMEM		"out of memory"


enum rpt_kind {
	RK_CATEGORY,
	RK_SEVERITY,
	RK_DESCRIPTION,
	RK_TIME,
	RK_TEXT,
	RK_REPORTER_EMAIL,
	RK_PHONE,
	RK_LEVEL,
	RK_CONFIDENTIAL,
	RK_EXTERNAL_ID,
	RK_IP,
	RK_HASH,
	RK_INDICATOR
};

struct rpt_field {
	const char	*name;
	enum rpt_kind	 kind;
	size_t		 off;	/* of the char * member, string kinds */
	enum ind_type	 type;	/* RK_INDICATOR */
};

#define RPT_STR(n, k, m)	{ n, k, offsetof(struct report, m), 0 }
#define RPT_KIND(n, k)		{ n, k, 0, 0 }
#define RPT_IND(n, t)		{ n, RK_INDICATOR, 0, t }

static const struct rpt_field rpt_fields[] = {
	RPT_KIND("category", RK_CATEGORY),
	RPT_KIND("severity", RK_SEVERITY),
	RPT_STR("description", RK_DESCRIPTION, description),
	RPT_STR("detected-at", RK_TIME, detected_at),
	RPT_STR("occurred-at", RK_TIME, occurred_at),
	RPT_STR("reporter-name", RK_TEXT, reporter_name),
	RPT_STR("reporter-email", RK_REPORTER_EMAIL, reporter_email),
	RPT_STR("reporter-phone", RK_PHONE, reporter_phone),
	RPT_STR("organization", RK_TEXT, organization),
	RPT_STR("operating-unit", RK_TEXT, operating_unit),
	RPT_STR("affected-system", RK_TEXT, affected_system),
	RPT_KIND("system-level", RK_LEVEL),
	RPT_KIND("confidential", RK_CONFIDENTIAL),
	RPT_KIND("source-ip", RK_IP),
	RPT_KIND("target-ip", RK_IP),
	RPT_IND("domain", IND_DOMAIN),
	RPT_IND("url", IND_URL),
	RPT_IND("email", IND_EMAIL),
	RPT_KIND("hash", RK_HASH),
	RPT_IND("cve", IND_CVE),
	RPT_STR("external-id", RK_EXTERNAL_ID, external_id),
};

#define RPT_NFIELDS	(sizeof(rpt_fields) / sizeof(rpt_fields[0]))

static int	rpt_fail(struct report_error *, const char *, const char *,
		    ...) __attribute__((format(printf, 3, 4)));
static void	rpt_field_name(char *, size_t, const char *, size_t);
static const struct rpt_field *rpt_lookup(const char *, size_t);
static char	**rpt_str(struct report *, const struct rpt_field *);
static int	rpt_is_set(struct report *, const struct rpt_field *);
static int	rpt_text(const char *, size_t, int, size_t, char **,
		    const char **);
static int	rpt_digits(const char *, size_t, int *);
static void	rpt_put_digits(char *, int, int);
static int	rpt_time(const char *, size_t, char *, const char **);
static int	rpt_phone(const char *, size_t, const char **);
static int	rpt_external_id(const char *, size_t, const char **);
static int	rpt_set_scalar(struct report *, const struct taxonomy *,
		    const struct report_limits *, const struct rpt_field *,
		    const char *, size_t, struct report_error *);
static int	rpt_ind_cmp(const void *, const void *);
static int	rpt_is_space(utf8proc_int32_t);
static void	rpt_fp_description(EVP_MD_CTX *, const char *);

void
report_limits_default(struct report_limits *lim)
{
	lim->field_max = REPORT_FIELD_MAX;
	lim->description_max = REPORT_DESCRIPTION_MAX;
	lim->fields_max = REPORT_FIELDS_MAX;
	lim->indicators_max = REPORT_INDICATORS_MAX;
}

void
report_init(struct report *r)
{
	memset(r, 0, sizeof(*r));
	r->severity = SEV_UNSET;
	r->confidential = -1;
}

/* Frees everything r owns and leaves it as report_init() does. */
void
report_free(struct report *r)
{
	size_t	i;

	if (r == NULL)
		return;
	free(r->description);
	free(r->detected_at);
	free(r->occurred_at);
	free(r->reporter_name);
	free(r->reporter_email);
	free(r->reporter_phone);
	free(r->organization);
	free(r->operating_unit);
	free(r->affected_system);
	free(r->external_id);
	free(r->subject);
	free(r->auto_reason);
	for (i = 0; i < r->n_indicators; i++)
		free(r->indicators[i].value);
	free(r->indicators);
	report_init(r);
}

/*
 * Fill err (when given) and return -1. Running out of memory also sets
 * errno to ENOMEM, so that callers can tell it from bad input.
 */
static int
rpt_fail(struct report_error *err, const char *field, const char *fmt, ...)
{
	struct report_error	local;
	va_list			ap;

	if (err == NULL)
		err = &local;
	snprintf(err->field, sizeof(err->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	if (strcmp(err->reason, RPT_ENOMEM) == 0)
		errno = ENOMEM;
	return -1;
}

/*
 * A field name as the client sent it, made safe to echo in a reply:
 * printable ASCII kept, anything else replaced by '?', truncated.
 */
static void
rpt_field_name(char *dst, size_t dstlen, const char *name, size_t len)
{
	size_t	i;

	for (i = 0; i < len && i + 1 < dstlen; i++)
		dst[i] = (name[i] > 0x20 && name[i] < 0x7F) ? name[i] : '?';
	dst[i] = '\0';
}

/* Case-insensitive lookup, '_' matching '-'. NULL when unknown. */
static const struct rpt_field *
rpt_lookup(const char *name, size_t len)
{
	char	key[RPT_NAME_MAX + 1];
	size_t	i;

	if (len == 0 || len > RPT_NAME_MAX)
		return NULL;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (c >= 'A' && c <= 'Z')
			c |= 0x20;
		else if (c == '_')
			c = '-';
		else if (!((c >= 'a' && c <= 'z') || c == '-'))
			return NULL;	/* no name has other bytes */
		key[i] = c;
	}
	key[len] = '\0';
	for (i = 0; i < RPT_NFIELDS; i++)
		if (rpt_fields[i].name[0] == key[0] &&
		    strcmp(rpt_fields[i].name, key) == 0)
			return &rpt_fields[i];
	return NULL;
}

static char **
rpt_str(struct report *r, const struct rpt_field *f)
{
	return (char **)(void *)((char *)r + f->off);
}

/* 1 when a field that may be given once already has a value. */
static int
rpt_is_set(struct report *r, const struct rpt_field *f)
{
	switch (f->kind) {
	case RK_CATEGORY:
		return r->category != NULL;
	case RK_SEVERITY:
		return r->severity != SEV_UNSET;
	case RK_LEVEL:
		return r->system_level != 0;
	case RK_CONFIDENTIAL:
		return r->confidential != -1;
	case RK_IP:
	case RK_HASH:
	case RK_INDICATOR:
		return 0;
	default:
		return *rpt_str(r, f) != NULL;
	}
}

/*
 * Free text: valid UTF-8, no controls (TAB, CR, LF allowed when multiline),
 * at most max bytes once in NFC. *out is a new string. Returns 0, or -1
 * with *why; *why is NULL when the only fault is the length.
 */
static int
rpt_text(const char *s, size_t len, int multiline, size_t max, char **out,
    const char **why)
{
	size_t	n;

	if (!utf8_valid(s, len)) {
		*why = "invalid UTF-8";
		return -1;
	}
	if (text_has_controls(s, len, multiline)) {
		*why = "control character";
		return -1;
	}
	if (text_nfc(s, len, out, &n) == -1) {
		*why = errno == ENOMEM ? RPT_ENOMEM : "invalid UTF-8";
		return -1;
	}
	if (n > max) {
		free(*out);
		*out = NULL;
		*why = NULL;
		return -1;
	}
	return 0;
}

/* Exactly n decimal digits into *v. 0 or -1. */
static int
rpt_digits(const char *s, size_t n, int *v)
{
	size_t	i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* v (0 <= v < 10^n) as exactly n decimal digits, not terminated. */
static void
rpt_put_digits(char *out, int v, int n)
{
	while (n-- > 0) {
		out[n] = '0' + v % 10;
		v /= 10;
	}
}

/*
 * RFC 3339 date-time ("2026-11-21T17:00:00.5+07:00"; 't', 'z' and a space
 * for 'T' accepted) to UTC "YYYY-MM-DDTHH:MM:SSZ" in out (21 bytes).
 * Fractions of a second are dropped; leap seconds are refused.
 */
static int
rpt_time(const char *s, size_t len, char *out, const char **why)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int		 year, mon, day, hh, mm, ss, oh = 0, om = 0, sign = 0;
	int		 leap, dmax;
	size_t		 i = 19;
	long long	 t, y;

	*why = "not an RFC 3339 time (YYYY-MM-DDTHH:MM:SSZ)";
	if (len < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':' ||
	    s[16] != ':' || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
		return -1;
	if (rpt_digits(s, 4, &year) || rpt_digits(s + 5, 2, &mon) ||
	    rpt_digits(s + 8, 2, &day) || rpt_digits(s + 11, 2, &hh) ||
	    rpt_digits(s + 14, 2, &mm) || rpt_digits(s + 17, 2, &ss))
		return -1;
	if (s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == 20)
			return -1;
	}
	if (i + 1 == len && (s[i] == 'Z' || s[i] == 'z'))
		sign = 0;
	else if (i + 6 == len && (s[i] == '+' || s[i] == '-') &&
	    s[i + 3] == ':') {
		sign = s[i] == '+' ? 1 : -1;
		if (rpt_digits(s + i + 1, 2, &oh) ||
		    rpt_digits(s + i + 4, 2, &om))
			return -1;
	} else
		return -1;
	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	if (year < 1900) {
		*why = "year before 1900";
		return -1;
	}
	if (mon < 1 || mon > 12) {
		*why = "month out of range";
		return -1;
	}
	dmax = mdays[mon - 1] + (mon == 2 && leap);
	if (day < 1 || day > dmax) {
		*why = "day out of range for the month";
		return -1;
	}
	if (hh > 23 || mm > 59 || ss > 59 || oh > 23 || om > 59) {
		*why = "time of day out of range";
		return -1;
	}
	t = tzif_days_from_civil(year, mon, day) * 86400 + hh * 3600 +
	    mm * 60 + ss - sign * (oh * 3600 + om * 60);
	tzif_civil_from_days(t >= 0 ? t / 86400 : (t - 86399) / 86400, &y,
	    &mon, &day);
	t -= tzif_days_from_civil(y, mon, day) * 86400;
	if (y < 1900 || y > 9999) {
		*why = "year out of range";
		return -1;
	}
	rpt_put_digits(out, (int)y, 4);
	out[4] = '-';
	rpt_put_digits(out + 5, mon, 2);
	out[7] = '-';
	rpt_put_digits(out + 8, day, 2);
	out[10] = 'T';
	rpt_put_digits(out + 11, (int)(t / 3600), 2);
	out[13] = ':';
	rpt_put_digits(out + 14, (int)(t / 60 % 60), 2);
	out[16] = ':';
	rpt_put_digits(out + 17, (int)(t % 60), 2);
	out[19] = 'Z';
	out[20] = '\0';
	return 0;
}

/* Digits, spaces and + - ( ) . only; 3..32 bytes with 3 digits or more. */
static int
rpt_phone(const char *s, size_t len, const char **why)
{
	size_t	i, digits = 0;

	if (len < RPT_PHONE_MIN || len > RPT_PHONE_MAX) {
		*why = "phone number must be 3 to 32 characters";
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '\0' || strchr(" +-().", s[i]) == NULL) {
			*why = "phone number may hold only digits, spaces "
			    "and + - ( ) .";
			return -1;
		}
	}
	if (digits < RPT_PHONE_MIN) {
		*why = "phone number needs at least 3 digits";
		return -1;
	}
	return 0;
}

/* Printable ASCII without spaces, at most 128 bytes. */
static int
rpt_external_id(const char *s, size_t len, const char **why)
{
	size_t	i;

	if (len > RPT_EXTID_MAX) {
		*why = "too long (max 128 bytes)";
		return -1;
	}
	for (i = 0; i < len; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7F) {
			*why = "must be printable ASCII without spaces";
			return -1;
		}
	return 0;
}

/*
 * Set a field that may be given once. The value is trimmed, non-empty and
 * within its length bound; nothing in r changes on error.
 */
static int
rpt_set_scalar(struct report *r, const struct taxonomy *tax,
    const struct report_limits *lim, const struct rpt_field *f,
    const char *v, size_t len, struct report_error *err)
{
	const struct taxonomy_entry	*cat;
	const char			*why = NULL;
	char				 tbuf[RPT_TIME_LEN + 1];
	char				*s = NULL, *norm;
	enum severity			 sev;
	int				 rc = 0;

	switch (f->kind) {
	case RK_CATEGORY:
		if ((cat = taxonomy_find(tax, v, len)) == NULL)
			return rpt_fail(err, f->name, "unknown category");
		r->category = cat;
		return 0;
	case RK_SEVERITY:
		if ((sev = severity_parse(v, len)) == SEV_UNSET)
			return rpt_fail(err, f->name,
			    "must be low, medium, high or critical");
		r->severity = sev;
		return 0;
	case RK_LEVEL:
		if (len != 1 || v[0] < '1' || v[0] > '5')
			return rpt_fail(err, f->name, "must be 1 to 5");
		r->system_level = v[0] - '0';
		return 0;
	case RK_CONFIDENTIAL:
		if ((len == 3 && strncasecmp(v, "yes", 3) == 0) ||
		    (len == 4 && strncasecmp(v, "true", 4) == 0) ||
		    (len == 1 && v[0] == '1'))
			r->confidential = 1;
		else if ((len == 2 && strncasecmp(v, "no", 2) == 0) ||
		    (len == 5 && strncasecmp(v, "false", 5) == 0) ||
		    (len == 1 && v[0] == '0'))
			r->confidential = 0;
		else
			return rpt_fail(err, f->name, "must be yes or no");
		return 0;
	case RK_DESCRIPTION:
	case RK_TEXT:
		rc = rpt_text(v, len, f->kind == RK_DESCRIPTION,
		    f->kind == RK_DESCRIPTION ? lim->description_max :
		    lim->field_max, &s, &why);
		if (rc == -1 && why == NULL)
			return rpt_fail(err, f->name, "too long (max %zu bytes)",
			    f->kind == RK_DESCRIPTION ? lim->description_max :
			    lim->field_max);
		break;
	case RK_TIME:
		if ((rc = rpt_time(v, len, tbuf, &why)) == 0)
			s = text_strndup(tbuf, RPT_TIME_LEN);
		break;
	case RK_REPORTER_EMAIL:
		if ((rc = indicator_normalise(IND_EMAIL, v, len, &norm,
		    &why)) == 0)
			s = norm;
		break;
	case RK_PHONE:
		if ((rc = rpt_phone(v, len, &why)) == 0)
			s = text_strndup(v, len);
		break;
	case RK_EXTERNAL_ID:
		if ((rc = rpt_external_id(v, len, &why)) == 0)
			s = text_strndup(v, len);
		break;
	default:
		return rpt_fail(err, f->name, "not a single-valued field");
	}
	if (rc == 0 && s == NULL)
		why = RPT_ENOMEM;
	if (rc == -1 || s == NULL)
		return rpt_fail(err, f->name, "%s", why);
	*rpt_str(r, f) = s;
	return 0;
}

/*
 * Set one field by name; see report.h for the contract. The count of
 * fields (r->n_fields) includes empty values, which are otherwise ignored.
 */
int
report_set_field(struct report *r, const struct taxonomy *tax,
    const struct report_limits *lim, const char *name, size_t namelen,
    const char *value, size_t vlen, struct report_error *err)
{
	const struct rpt_field	*f;
	struct report_limits	 dl;
	char			 shown[sizeof(err->field)];
	size_t			 max;
	int			 rc;

	if (lim == NULL) {
		report_limits_default(&dl);
		lim = &dl;
	}
	if ((f = rpt_lookup(name, namelen)) == NULL) {
		rpt_field_name(shown, sizeof(shown), name, namelen);
		return rpt_fail(err, shown, "unknown field");
	}
	if (r->n_fields >= lim->fields_max)
		return rpt_fail(err, f->name, "too many fields (max %zu)",
		    lim->fields_max);
	text_trim(&value, &vlen, TEXT_BLANKS);
	max = f->kind == RK_DESCRIPTION ? lim->description_max :
	    lim->field_max;
	if (vlen > max)
		return rpt_fail(err, f->name, "too long (max %zu bytes)", max);
	if (vlen > 0 && rpt_is_set(r, f))
		return rpt_fail(err, f->name, "given twice");
	if (vlen == 0)
		rc = 0;
	else if (f->kind == RK_IP)
		rc = report_add_indicator(r, lim, memchr(value, ':', vlen) ?
		    IND_IPV6 : IND_IPV4, value, vlen, err);
	else if (f->kind == RK_HASH) {
		if (vlen != 32 && vlen != 40 && vlen != 64)
			return rpt_fail(err, f->name, "a hash is 32, 40 or 64 "
			    "hex digits (MD5, SHA-1, SHA-256)");
		rc = report_add_indicator(r, lim, vlen == 32 ? IND_MD5 :
		    vlen == 40 ? IND_SHA1 : IND_SHA256, value, vlen, err);
	} else if (f->kind == RK_INDICATOR)
		rc = report_add_indicator(r, lim, f->type, value, vlen, err);
	else
		rc = rpt_set_scalar(r, tax, lim, f, value, vlen, err);
	if (rc == -1) {
		if (err == NULL)
			return -1;
		snprintf(err->field, sizeof(err->field), "%s", f->name);
		if (f->kind == RK_IP &&
		    (strcmp(err->reason, "not an IPv4 address") == 0 ||
		    strcmp(err->reason, "not an IPv6 address") == 0))
			snprintf(err->reason, sizeof(err->reason),
			    "not an IPv4 or IPv6 address");
		return -1;
	}
	r->n_fields++;
	return 0;
}

/*
 * Add one indicator; see report.h. A duplicate is found by a linear scan,
 * bounded by indicators_max.
 */
int
report_add_indicator(struct report *r, const struct report_limits *lim,
    enum ind_type type, const char *value, size_t vlen,
    struct report_error *err)
{
	struct report_limits	 dl;
	struct indicator	*ni;
	const char		*why, *tname = ind_type_name(type);
	char			*norm;
	size_t			 i, ncap;

	if (lim == NULL) {
		report_limits_default(&dl);
		lim = &dl;
	}
	if (vlen > lim->field_max)
		return rpt_fail(err, tname, "too long (max %zu bytes)",
		    lim->field_max);
	if (indicator_normalise(type, value, vlen, &norm, &why) == -1)
		return rpt_fail(err, tname, "%s", why);
	if (strlen(norm) > lim->field_max) {
		free(norm);
		return rpt_fail(err, tname, "too long (max %zu bytes)",
		    lim->field_max);
	}
	for (i = 0; i < r->n_indicators; i++)
		if (r->indicators[i].type == type &&
		    strcmp(r->indicators[i].value, norm) == 0) {
			free(norm);
			return 0;
		}
	if (r->n_indicators >= lim->indicators_max) {
		free(norm);
		return rpt_fail(err, tname, "too many indicators (max %zu)",
		    lim->indicators_max);
	}
	if (r->n_indicators == r->cap_indicators) {
		ncap = r->cap_indicators ? r->cap_indicators * 2 :
		    RPT_IND_INITIAL;
		ni = reallocarray(r->indicators, ncap, sizeof(*ni));
		if (ni == NULL) {
			free(norm);
			return rpt_fail(err, tname, RPT_ENOMEM);
		}
		r->indicators = ni;
		r->cap_indicators = ncap;
	}
	r->indicators[r->n_indicators].type = type;
	r->indicators[r->n_indicators].value = norm;
	r->indicators[r->n_indicators].origin = r->origin;
	r->n_indicators++;
	return 0;
}

int
report_finish(struct report *r, struct report_error *err)
{
	if (r->category == NULL)
		return rpt_fail(err, "category", "required");
	if (r->n_indicators == 0 &&
	    (r->description == NULL || r->description[0] == '\0'))
		return rpt_fail(err, "description",
		    "required when no indicator is given");
	if (r->severity == SEV_UNSET)
		r->severity = r->category->severity;
	return 0;
}

/* Order of the fingerprint: by type, then by value (bytewise). */
static int
rpt_ind_cmp(const void *a, const void *b)
{
	const struct indicator	*x = a, *y = b;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return strcmp(x->value, y->value);
}

static int
rpt_is_space(utf8proc_int32_t c)
{
	utf8proc_category_t	cat;

	if (c < 0x80)
		return c == ' ' || (c >= '\t' && c <= '\r');
	if (c == 0x85)
		return 1;
	cat = utf8proc_category(c);
	return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
	    cat == UTF8PROC_CATEGORY_ZP;
}

/*
 * Hash the description case-folded, with every run of white space made
 * one space and none at either end. Streams through a small buffer, so
 * it allocates nothing; a byte that is not UTF-8 is hashed as it is.
 */
static void
rpt_fp_description(EVP_MD_CTX *ctx, const char *d)
{
	unsigned char		 buf[512];
	utf8proc_int32_t	 cp, fold[8];
	utf8proc_ssize_t	 n, k, i;
	size_t			 len = strlen(d), pos = 0, b = 0;
	int			 space = 0, any = 0, bc = 0;

	while (pos < len) {
		if (b > sizeof(buf) - 4 * 8 - 1) {
			EVP_DigestUpdate(ctx, buf, b);
			b = 0;
		}
		n = utf8proc_iterate((const utf8proc_uint8_t *)d + pos,
		    len - pos, &cp);
		if (n < 1) {
			buf[b++] = d[pos++];
			any = 1;
			continue;
		}
		pos += n;
		if (rpt_is_space(cp)) {
			space = any;
			continue;
		}
		if (space)
			buf[b++] = ' ';
		space = 0;
		any = 1;
		if (cp < 0x80) {
			buf[b++] = (cp >= 'A' && cp <= 'Z') ? cp | 0x20 : cp;
			continue;
		}
		k = utf8proc_decompose_char(cp, fold, 8, UTF8PROC_CASEFOLD,
		    &bc);
		if (k < 1 || k > 8) {
			fold[0] = cp;
			k = 1;
		}
		for (i = 0; i < k; i++)
			b += utf8proc_encode_char(fold[i], buf + b);
	}
	EVP_DigestUpdate(ctx, buf, b);
}

/*
 * The fingerprint (see report.h). When the digest context cannot be
 * allocated, out is all zeros, which no SHA-256 output is in practice.
 */
void
report_fingerprint(struct report *r, unsigned char out[32])
{
	EVP_MD_CTX	*ctx;
	const char	*code, *tn;
	unsigned int	 olen = 32;
	size_t		 i;

	memset(out, 0, 32);
	if (r->n_indicators > 1)
		qsort(r->indicators, r->n_indicators, sizeof(*r->indicators),
		    rpt_ind_cmp);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return;
	}
	code = r->category ? r->category->code : "";
	EVP_DigestUpdate(ctx, code, strlen(code));
	EVP_DigestUpdate(ctx, "\n", 1);
	for (i = 0; i < r->n_indicators; i++) {
		tn = ind_type_name(r->indicators[i].type);
		EVP_DigestUpdate(ctx, tn, strlen(tn));
		EVP_DigestUpdate(ctx, ":", 1);
		EVP_DigestUpdate(ctx, r->indicators[i].value,
		    strlen(r->indicators[i].value));
		EVP_DigestUpdate(ctx, "\n", 1);
	}
	if (r->n_indicators == 0) {
		EVP_DigestUpdate(ctx, "d:", 2);
		if (r->description != NULL)
			rpt_fp_description(ctx, r->description);
	}
	if (EVP_DigestFinal_ex(ctx, out, &olen) != 1)
		memset(out, 0, 32);
	EVP_MD_CTX_free(ctx);
}
