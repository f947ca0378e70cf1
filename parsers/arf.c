/*
 * arf.c - abuse reports in e-mail (see arf.h): the report builder every
 * mail format shares, mining a returned or forwarded message for
 * indicators, and the ARF feedback report (RFC 5965, RFC 6591).
 *
 * The feedback-report part is a header block, so it is read with
 * mime_parse(): its root part's headers are the fields, unfolded and
 * decoded. Limits: the MIME header limits, ARF_REPEAT_MAX values of each
 * repeatable field, ARF_RECEIVED_MAX Received headers of a mined message,
 * the caller's text budget; the description is cut by arf_describe to
 * lim->description_max. Anything beyond is ignored, never an error.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <utf8proc.h>

#include "arf.h"
#include "charset.h"
#include "extract.h"
#include "xarf.h"

#define ARF_TIME_MAX		64
#define ARF_ADDR_MAX		320
#define ARF_MINE_TEXT_MAX	(1024 * 1024)	/* returned message text */

struct arf_field {
	const char	*name;
	size_t		 off;	/* of the char * in struct arf_feedback */
};

#define ARF_F(n, m)	{ n, offsetof(struct arf_feedback, m) }

static const struct arf_field arf_fields[] = {
	ARF_F("Feedback-Type", feedback_type),
	ARF_F("User-Agent", user_agent),
	ARF_F("Version", version),
	ARF_F("Source-IP", source_ip),
	ARF_F("Original-Mail-From", original_mail_from),
	ARF_F("Original-Rcpt-To", original_rcpt_to),
	ARF_F("Arrival-Date", arrival_date),
	ARF_F("Received-Date", arrival_date),	/* obsolete name */
	ARF_F("Reporting-MTA", reporting_mta),
	ARF_F("Incidents", incidents),
	ARF_F("Auth-Failure", auth_failure),
	ARF_F("Delivery-Result", delivery_result),
};

#define ARF_NFIELDS	(sizeof(arf_fields) / sizeof(arf_fields[0]))

static int	arf_errno(int);
static int	arf_dotted(const char *, size_t);
static int	arf_time_rfc3339(const char *, size_t, char *, size_t);
static int	arf_ip_public(const char *, int *);
static int	arf_received(struct report *, const struct report_limits *,
		    const char *);
static int	arf_take(struct arf_feedback *, const char *, const char *);
static int	arf_summary(const struct arf_feedback *, const char *,
		    struct charset_buf *);
static int	arf_sum_add(struct charset_buf *, const char *, const char *);

/* Reports array. */

void
arf_reports_free(struct arf_reports *rs)
{
	size_t	i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++)
		report_free(&rs->v[i]);
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}

int
arf_reports_add(struct arf_reports *rs, size_t max, struct report **out)
{
	struct report	*nv;
	size_t		 ncap;

	*out = NULL;
	if (max == 0)
		max = 1;
	if (rs->n >= max) {
		rs->dropped++;
		return 1;
	}
	if (rs->n == rs->cap) {
		ncap = rs->cap ? rs->cap * 2 : 4;
		if ((nv = reallocarray(rs->v, ncap, sizeof(*nv))) == NULL)
			return -1;
		rs->v = nv;
		rs->cap = ncap;
	}
	report_init(&rs->v[rs->n]);
	*out = &rs->v[rs->n++];
	return 0;
}

void
arf_reports_pop(struct arf_reports *rs)
{
	if (rs->n > 0)
		report_free(&rs->v[--rs->n]);
}

/* Report fields from untrusted values. */

/* -1 when the failed call ran out of memory, else 0 (value dropped). */
static int
arf_errno(int rc)
{
	return rc == -1 && errno == ENOMEM ? -1 : 0;
}

int
arf_field(struct report *r, const struct arf_opts *o, const char *name,
    const char *v, size_t len)
{
	struct report_error	err;

	if (v == NULL)
		return 0;
	errno = 0;
	return arf_errno(report_set_field(r, o->tax, o->lim, name,
	    strlen(name), v, len, &err));
}

/* 1 when v[0..len) is only digits and dots (an IPv4 address shape). */
static int
arf_dotted(const char *v, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)v[i]) && v[i] != '.')
			return 0;
	return 1;
}

int
arf_indicator(struct report *r, const struct report_limits *lim, int type,
    const char *v, size_t len)
{
	struct report_error	 err;
	const char		*p;
	size_t			 i, hex, digits;
	int			 rc;

	if (v == NULL)
		return 0;
	text_trim(&v, &len, TEXT_BLANKS "<>\"");
	if (len == 0 || memchr(v, '\0', len) != NULL)
		return 0;
	if (type == ARF_GUESS || type == ARF_GUESS_STRICT) {
		if ((p = memchr(v, ':', len)) != NULL &&
		    ((p - v == 3 && strncasecmp(v, "md5", 3) == 0) ||
		    (p - v == 4 && strncasecmp(v, "sha1", 4) == 0) ||
		    (p - v == 6 && strncasecmp(v, "sha256", 6) == 0))) {
			len -= p + 1 - v;
			v = p + 1;
		}
		for (i = hex = 0; i < len; i++)
			hex += isxdigit((unsigned char)v[i]) != 0;
		for (i = digits = 0; i < len; i++)
			digits += isdigit((unsigned char)v[i]) || v[i] == '.';
		if (memmem(v, len, "://", 3) != NULL)
			type = IND_URL;
		else if (len > 7 && strncasecmp(v, "mailto:", 7) == 0) {
			v += 7;
			len -= 7;
			type = IND_EMAIL;
		} else if (memchr(v, '@', len) != NULL)
			type = IND_EMAIL;
		else if (hex == len && (len == 32 || len == 40 || len == 64))
			type = len == 32 ? IND_MD5 : len == 40 ? IND_SHA1 :
			    IND_SHA256;
		else if (len > 4 && strncasecmp(v, "CVE-", 4) == 0)
			type = IND_CVE;
		else if (type == ARF_GUESS_STRICT && memchr(v, ':', len) ==
		    NULL && digits < len)
			return 0;	/* no bare domains */
		else
			type = ARF_HOST;
	}
	if (type == ARF_HOST) {
		if (memchr(v, ':', len) != NULL)
			type = IND_IPV6;
		else if (arf_dotted(v, len))
			type = IND_IPV4;
		else if (memchr(v, '.', len) != NULL)
			type = IND_DOMAIN;
		else
			return 0;
	}
	errno = 0;
	rc = report_add_indicator(r, lim, (enum ind_type)type, v, len, &err);
	if (rc == 0)
		return 1;
	return arf_errno(rc);
}

/*
 * Rewrite the date-time forms abuse reports use into RFC 3339 in out:
 * 'T' or a blank between date and time, a zone as "Z", "+hh:mm", "+hhmm",
 * "UTC"/"GMT" (after a blank or not), or none (UTC). 0, or -1 when s does
 * not start with "YYYY-MM-DD HH:MM:SS".
 */
static int
arf_time_rfc3339(const char *s, size_t len, char *out, size_t outlen)
{
	size_t	i = 19, n;

	if (len < 19 || len >= outlen - 8 || s[4] != '-' || s[7] != '-' ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	memcpy(out, s, 19);
	out[10] = 'T';
	n = 19;
	if (i < len && s[i] == '.')
		for (out[n++] = s[i++]; i < len && s[i] >= '0' && s[i] <= '9';)
			out[n++] = s[i++];
	while (i < len && s[i] == ' ')
		i++;
	if (i == len || strcasecmp(s + i, "Z") == 0 ||
	    strncasecmp(s + i, "UTC", 3) == 0 ||
	    strncasecmp(s + i, "GMT", 3) == 0)
		out[n++] = 'Z';
	else if ((s[i] == '+' || s[i] == '-') && len - i == 5) {
		memcpy(out + n, s + i, 3);
		out[n + 3] = ':';
		memcpy(out + n + 4, s + i + 3, 2);
		n += 6;
	} else {
		memcpy(out + n, s + i, len - i);
		n += len - i;
	}
	out[n] = '\0';
	return 0;
}

int
arf_time(struct report *r, const struct arf_opts *o, const char *name,
    const char *v, size_t len)
{
	char		 buf[ARF_TIME_MAX], conv[ARF_TIME_MAX + 8];
	struct tm	 tm;
	time_t		 t;
	char		*end;
	long long	 secs;

	if (v == NULL)
		return 0;
	text_trim(&v, &len, TEXT_BLANKS);
	if (len == 0 || len >= sizeof(buf) || memchr(v, '\0', len) != NULL)
		return 0;
	memcpy(buf, v, len);
	buf[len] = '\0';
	if (arf_time_rfc3339(buf, len, conv, sizeof(conv)) == 0)
		return arf_field(r, o, name, conv, strlen(conv));
	errno = 0;
	secs = strtoll(buf, &end, 10);
	if (*end == '\0' && errno == 0 && len >= 9 && len <= 11)
		t = (time_t)secs;
	else if (mime_parse_date(buf, &t) == -1)
		return 0;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(conv, sizeof(conv), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return 0;
	return arf_field(r, o, name, conv, strlen(conv));
}

int
arf_text_clean(const char *s, size_t len, size_t max, int multiline,
    char **out, size_t *outlen)
{
	char			*u8, *p;
	size_t			 u8len, nn, i, n;
	unsigned char		 c;

	*out = NULL;
	if (len > max * 4)
		len = max * 4;
	if (charset_to_utf8("utf-8", s, len, max * 4, &u8, &u8len, NULL) == -1)
		return -1;
	if (text_nfc(u8, u8len, &p, &nn) == -1) {
		if (errno == ENOMEM) {
			free(u8);
			return -1;
		}
		p = u8;			/* keep the valid UTF-8 */
		nn = u8len;
		u8 = NULL;
	}
	free(u8);
	for (i = n = 0; i < (size_t)nn; i++) {
		c = p[i];
		if (c == '\r' && multiline)
			continue;
		if ((c < 0x20 && (!multiline || (c != '\t' && c != '\n'))) ||
		    c == 0x7F)
			c = ' ';
		else if (c == 0xC2 && i + 1 < (size_t)nn &&
		    (unsigned char)p[i + 1] >= 0x80 &&
		    (unsigned char)p[i + 1] <= 0x9F) {
			c = ' ';
			i++;
		}
		p[n++] = c;
	}
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
			n--;
	}
	p[n] = '\0';
	*out = p;
	if (outlen != NULL)
		*outlen = n;
	return 0;
}

int
arf_describe(struct report *r, const struct arf_opts *o, const char *head,
    const char *text, size_t len)
{
	struct charset_buf	 b = { NULL, 0, 0 };
	struct report_limits	 dl;
	const struct report_limits *lim = o->lim;
	const char		*parts[3];
	size_t			 lens[3], i, max, outlen;
	char			*out;
	int			 rc = 0;

	if (lim == NULL) {
		report_limits_default(&dl);
		lim = &dl;
	}
	max = lim->description_max;
	parts[0] = head;
	lens[0] = head ? strlen(head) : 0;
	parts[1] = text;
	lens[1] = text ? len : 0;
	parts[2] = o->note;
	lens[2] = o->note ? o->note_len : 0;
	for (i = 0; i < 3; i++) {
		if (lens[i] == 0 || b.len >= max * 4)
			continue;
		if (lens[i] > max * 4)
			lens[i] = max * 4;
		if ((b.len > 0 && charset_buf_append(&b, "\n\n", 2) == -1) ||
		    charset_buf_append(&b, parts[i], lens[i]) == -1) {
			charset_buf_free(&b);
			errno = ENOMEM;
			return -1;
		}
	}
	if (b.len == 0)
		return 0;
	if (arf_text_clean(b.data, b.len, max, 1, &out, &outlen) == -1)
		rc = -1;
	else {
		rc = arf_field(r, o, "description", out, outlen);
		free(out);
	}
	charset_buf_free(&b);
	return rc;
}

int
arf_finish(struct report *r, const struct arf_opts *o)
{
	struct report_error	err;

	if (r->category == NULL) {
		if (o->fallback != NULL &&
		    arf_field(r, o, "category", o->fallback,
		    strlen(o->fallback)) == -1)
			return -1;
		if (r->category == NULL)
			r->category = taxonomy_find(o->tax, "undetermined",
			    12);
	}
	if (r->category == NULL && o->tax->n > 0)
		r->category = &o->tax->entries[0];	/* taxonomy lacks it */
	if (r->n_indicators == 0 && r->description == NULL &&
	    arf_field(r, o, "description", "(no text)", 9) == -1)
		return -1;
	/* Cannot fail now: there is a category and a description. */
	(void)report_finish(r, &err);
	return 0;
}

/* Message helpers and mining. */

int
arf_is_container(const struct mime_part *p)
{
	return (strcmp(p->type, "message") == 0 &&
	    (strcmp(p->subtype, "rfc822") == 0 ||
	    strcmp(p->subtype, "global") == 0)) ||
	    (strcmp(p->type, "text") == 0 &&
	    strcmp(p->subtype, "rfc822-headers") == 0);
}

int
arf_nested_in(const struct mime_part *p, const struct mime_part *root)
{
	for (p = p->parent; p != NULL && p != root; p = p->parent)
		if (arf_is_container(p))
			return 1;
	return 0;
}

const struct mime_part *
arf_next_in(const struct mime_part *p, const struct mime_part *root)
{
	if (p == NULL)
		return root;
	p = mime_next(p);
	return p != NULL && p->depth > root->depth ? p : NULL;
}

int
arf_addr(const char *v, size_t len, char *out, size_t outlen)
{
	const char	*at, *s, *e, *stop = " \t<>[]()\"';,";

	if (v == NULL)
		return -1;
	if (mime_addr_spec(v, len, out, outlen) == 0 &&
	    strpbrk(out, stop) == NULL && strchr(out, ':') == NULL)
		return 0;
	if ((at = memchr(v, '@', len)) == NULL)
		return -1;
	for (s = at; s > v && strchr(stop, s[-1]) == NULL; s--)
		;
	for (e = at; e < v + len && *e != '\0' && strchr(stop, *e) == NULL;)
		e++;
	if (e - s > 7 && strncasecmp(s, "mailto:", 7) == 0)
		s += 7;
	if (e <= s || (size_t)(e - s) >= outlen)
		return -1;
	memcpy(out, s, e - s);
	out[e - s] = '\0';
	return 0;
}

void
arf_display_name(const char *v, char *out, size_t outlen)
{
	const char	*s = v, *e;
	size_t		 n = 0;

	out[0] = '\0';
	if (v == NULL)
		return;
	if ((e = strchr(v, '<')) == NULL) {
		if ((s = strchr(v, '(')) == NULL || (e = strchr(s, ')')) ==
		    NULL)
			return;
		s++;
	}
	while (s < e && (*s == ' ' || *s == '"'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '"'))
		e--;
	for (; s < e && n + 1 < outlen; s++) {
		if (*s == '\\' && s + 1 < e)
			s++;
		out[n++] = *s;
	}
	if (s < e && ((unsigned char)*s & 0xC0) == 0x80) {
		/* cut inside a character: drop its first bytes too */
		while (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
			n--;
		n -= n > 0;
	}
	out[n] = '\0';
}

const struct mime_part *
arf_main_part(const struct mime_part *root)
{
	const struct mime_part	*p = NULL, *html = NULL, *any = NULL;

	while ((p = arf_next_in(p, root)) != NULL) {
		if (p->text == NULL || p->n_children > 0 ||
		    arf_nested_in(p, root) || arf_is_container(p))
			continue;
		if (strcmp(p->type, "text") == 0 && (p->disposition == NULL ||
		    strcmp(p->disposition, "attachment") != 0)) {
			if (strcmp(p->subtype, "plain") == 0)
				return p;
			if (html == NULL && strcmp(p->subtype, "html") == 0)
				html = p;
		}
		if (any == NULL)
			any = p;
	}
	return html ? html : any;
}

/*
 * 1 when the text s is an IP address outside the private, loopback,
 * link-local, shared (CGNAT), multicast and unspecified ranges; *v6 says
 * which family. Documentation ranges count as public.
 */
static int
arf_ip_public(const char *s, int *v6)
{
	unsigned char	a[16];

	if (inet_pton(AF_INET, s, a) == 1) {
		*v6 = 0;
		return !(a[0] == 0 || a[0] == 10 || a[0] == 127 ||
		    a[0] >= 224 || (a[0] == 169 && a[1] == 254) ||
		    (a[0] == 172 && (a[1] & 0xF0) == 16) ||
		    (a[0] == 192 && a[1] == 168) ||
		    (a[0] == 100 && (a[1] & 0xC0) == 64));
	}
	if (inet_pton(AF_INET6, s, a) != 1)
		return 0;
	*v6 = 1;
	if (a[0] == 0xFF || (a[0] & 0xFE) == 0xFC ||
	    (a[0] == 0xFE && (a[1] & 0xC0) == 0x80))
		return 0;
	/* ::, ::1 and the IPv4-mapped and -compatible forms */
	return memcmp(a, "\0\0\0\0\0\0\0\0\0\0", 10) != 0;
}

/*
 * Add the public IPs of the "from" clause of one Received value (up to
 * " by " or ';'): bracketed literals, "IPv6:" forms, bare addresses.
 * 0, or -1 on ENOMEM.
 */
static int
arf_received(struct report *r, const struct report_limits *lim,
    const char *v)
{
	char		 ip[48];
	const char	*end;
	size_t		 n, len;
	int		 v6;

	if (strncasecmp(v, "from ", 5) != 0)
		return 0;
	len = strcspn(v, ";");
	if ((end = strcasestr(v, " by ")) != NULL && (size_t)(end - v) < len)
		len = end - v;
	for (end = v + len, v += 5; v < end; v += n ? n : 1) {
		if (end - v > 5 && strncasecmp(v, "IPv6:", 5) == 0)
			v += 5;
		n = strspn(v, "0123456789abcdefABCDEF:.");
		if (v + n > end)
			n = end - v;
		if (n < 7 || n >= sizeof(ip))
			continue;
		memcpy(ip, v, n);
		ip[n] = '\0';
		if (arf_ip_public(ip, &v6) && arf_indicator(r, lim,
		    v6 ? IND_IPV6 : IND_IPV4, ip, n) == -1)
			return -1;
	}
	return 0;
}

int
arf_extract(const struct arf_opts *o, struct report *r, const char *text,
    size_t len)
{
	if (o->ex == NULL || text == NULL || len == 0)
		return 0;
	if (extractor_run(o->ex, text, len, o->lim, r,
	    o->lim->indicators_max) == -1 && errno == ENOMEM)
		return -1;
	return 0;
}

int
arf_mine(struct report *r, const struct arf_opts *o,
    const struct mime_part *root, size_t *budget)
{
	const struct mime_header	*h = NULL;
	const struct mime_part		*p = NULL;
	const char			*v, *at;
	char				 addr[ARF_ADDR_MAX];
	size_t				 n, i;

	if ((v = mime_header_get(root, "From")) != NULL &&
	    arf_addr(v, strlen(v), addr, sizeof(addr)) == 0 &&
	    (arf_indicator(r, o->lim, IND_EMAIL, addr, strlen(addr)) == -1 ||
	    ((at = strrchr(addr, '@')) != NULL && arf_indicator(r, o->lim,
	    IND_DOMAIN, at + 1, strlen(at + 1)) == -1)))
		return -1;
	if ((v = mime_header_get(root, "Reply-To")) != NULL &&
	    arf_addr(v, strlen(v), addr, sizeof(addr)) == 0 &&
	    arf_indicator(r, o->lim, IND_EMAIL, addr, strlen(addr)) == -1)
		return -1;
	for (i = 0; i < ARF_RECEIVED_MAX &&
	    (h = mime_header_next(root, "Received", h)) != NULL; i++)
		if (arf_received(r, o->lim, h->value) == -1)
			return -1;
	if ((v = mime_header_get(root, "Subject")) != NULL &&
	    arf_extract(o, r, v, strlen(v)) == -1)
		return -1;
	while ((p = arf_next_in(p, root)) != NULL && *budget > 0) {
		if (p->text == NULL || p->n_children > 0 ||
		    strcmp(p->subtype, "rfc822-headers") == 0)
			continue;
		n = p->text_len < *budget ? p->text_len : *budget;
		*budget -= n;
		if (arf_extract(o, r, p->text, n) == -1)
			return -1;
	}
	return 0;
}

/* The feedback report. */

/* Store one field value (copied) where it belongs; 0, or -1 (ENOMEM). */
static int
arf_take(struct arf_feedback *fb, const char *name, const char *value)
{
	char	**slot = NULL, *p;
	size_t	  i;

	if (strcasecmp(name, "Reported-Domain") == 0 &&
	    fb->n_reported_domain < ARF_REPEAT_MAX)
		slot = &fb->reported_domain[fb->n_reported_domain++];
	else if (strcasecmp(name, "Reported-URI") == 0 &&
	    fb->n_reported_uri < ARF_REPEAT_MAX)
		slot = &fb->reported_uri[fb->n_reported_uri++];
	for (i = 0; slot == NULL && i < ARF_NFIELDS; i++)
		if (strcasecmp(name, arf_fields[i].name) == 0) {
			slot = (char **)((char *)fb + arf_fields[i].off);
			if (*slot != NULL)
				return 0;	/* the first one wins */
		}
	if (slot == NULL)
		return 0;
	if ((*slot = strdup(value)) == NULL)
		return -1;
	if (slot == &fb->feedback_type)
		for (p = *slot; *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p += 'a' - 'A';
	return 0;
}

int
arf_parse(const char *text, size_t len, struct arf_feedback *fb)
{
	struct mime_message		*m;
	struct mime_error		 merr;
	const struct mime_header	*h = NULL;
	int				 rc = 0;

	if (mime_parse(text, len, NULL, &m, &merr) == -1) {
		errno = merr.code == MIME_ERR_NOMEM ? ENOMEM : EINVAL;
		return -1;
	}
	while (rc == 0 && (h = mime_header_next(m->root, NULL, h)) != NULL)
		if (h->value[0] != '\0')
			rc = arf_take(fb, h->name, h->value);
	mime_free(m);
	if (rc == -1) {
		arf_feedback_free(fb);
		errno = ENOMEM;
		return -1;
	}
	if (fb->feedback_type == NULL) {
		arf_feedback_free(fb);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

void
arf_feedback_free(struct arf_feedback *fb)
{
	size_t	i;

	for (i = 0; i < ARF_NFIELDS; i++) {
		char **slot = (char **)((char *)fb + arf_fields[i].off);

		free(*slot);
		*slot = NULL;
	}
	for (i = 0; i < fb->n_reported_domain; i++)
		free(fb->reported_domain[i]);
	for (i = 0; i < fb->n_reported_uri; i++)
		free(fb->reported_uri[i]);
	memset(fb, 0, sizeof(*fb));
}

const char *
arf_category(const struct arf_feedback *fb)
{
	return xarf_category("arf", fb->feedback_type);
}

/* Append ", Name: value" when value is set. */
static int
arf_sum_add(struct charset_buf *b, const char *name, const char *value)
{
	if (value == NULL)
		return 0;
	if (charset_buf_append(b, ", ", 2) == -1 ||
	    charset_buf_append(b, name, strlen(name)) == -1 ||
	    charset_buf_append(b, ": ", 2) == -1 ||
	    charset_buf_append(b, value, strnlen(value, 512)) == -1)
		return -1;
	return 0;
}

/* "ARF feedback report (abuse -> spam), Source-IP: ..., ..." into b. */
static int
arf_summary(const struct arf_feedback *fb, const char *code,
    struct charset_buf *b)
{
	char	line[160];
	size_t	i;

	snprintf(line, sizeof(line), "ARF feedback report (%.64s -> %s)",
	    fb->feedback_type, code);
	if (charset_buf_append(b, line, strlen(line)) == -1)
		return -1;
	for (i = 0; i < ARF_NFIELDS; i++)
		if (i != 0 && arf_fields[i].off != arf_fields[i - 1].off &&
		    arf_sum_add(b, arf_fields[i].name,
		    *(char **)((const char *)fb + arf_fields[i].off)) == -1)
			return -1;
	for (i = 0; i < fb->n_reported_domain; i++)
		if (arf_sum_add(b, "Reported-Domain",
		    fb->reported_domain[i]) == -1)
			return -1;
	for (i = 0; i < fb->n_reported_uri; i++)
		if (arf_sum_add(b, "Reported-URI", fb->reported_uri[i]) == -1)
			return -1;
	return 0;
}

int
arf_to_report(const struct arf_feedback *fb, const struct arf_opts *o,
    struct arf_reports *out)
{
	struct charset_buf	 sum = { NULL, 0, 0 };
	struct report		*r;
	const char		*code = arf_category(fb);
	size_t			 i;
	int			 rc;

	if ((rc = arf_reports_add(out, o->max_reports, &r)) != 0)
		return rc == 1 ? 0 : -1;
	rc = arf_field(r, o, "category", code, strlen(code));
	if (rc == 0 && fb->source_ip != NULL)
		rc = arf_indicator(r, o->lim, ARF_HOST, fb->source_ip,
		    strlen(fb->source_ip));
	for (i = 0; rc != -1 && i < fb->n_reported_domain; i++)
		rc = arf_indicator(r, o->lim, ARF_HOST,
		    fb->reported_domain[i], strlen(fb->reported_domain[i]));
	for (i = 0; rc != -1 && i < fb->n_reported_uri; i++)
		rc = arf_indicator(r, o->lim, ARF_GUESS, fb->reported_uri[i],
		    strlen(fb->reported_uri[i]));
	if (rc != -1)
		rc = arf_time(r, o, "occurred-at", fb->arrival_date,
		    fb->arrival_date ? strlen(fb->arrival_date) : 0);
	if (rc != -1)
		rc = arf_summary(fb, code, &sum);
	if (rc != -1)
		rc = arf_describe(r, o, sum.data, NULL, 0);
	if (rc != -1)
		rc = arf_finish(r, o);
	charset_buf_free(&sum);
	if (rc == -1) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int
arf_from_message(const struct mime_message *m, const struct arf_opts *o,
    struct arf_reports *out, struct arf_feedback *fb)
{
	const struct mime_part	*fr, *p;
	size_t			 i, n0 = out->n, budget = ARF_MINE_TEXT_MAX;

	if ((fr = mime_find(m, "message", "feedback-report")) == NULL ||
	    fr->text == NULL)
		return 0;
	if (arf_parse(fr->text, fr->text_len, fb) == -1)
		return errno == ENOMEM ? -1 : 0;
	if (arf_to_report(fb, o, out) == -1)
		return -1;
	if (out->n == n0 || fr->parent == NULL)
		return 1;	/* no room (counted as dropped), or alone */
	/* the returned message is a sibling of the feedback report */
	for (i = 0; i < fr->parent->n_children; i++) {
		p = fr->parent->children[i];
		if (arf_is_container(p) && p->n_children > 0)
			return arf_mine(&out->v[n0], o, p->children[0],
			    &budget) == -1 ? -1 : 1;
	}
	return 1;
}
