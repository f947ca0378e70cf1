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
#define ARF_PARTS_MAX		64	/* feedback parts read per message */
#define ARF_INLINE_LINES	8	/* lines to the next field of an
					   inline report */
#define ARF_INLINE_MAX		(256 * 1024) /* text read after it */
#define ARF_JMRP_HEADER		"X-HmXmrOriginalRecipient"

/* What arf_received_add needs. */
struct arf_mine_ctx {
	struct report			*r;
	const struct report_limits	*lim;
};

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
static int	arf_received_each(const char *,
		    int (*)(const char *, int, void *), void *);
static int	arf_received_add(const char *, int, void *);
static int	arf_received_keep(const char *, int, void *);
static const struct mime_header *arf_received_first(const struct mime_part *,
		    const char *);
static int	arf_take(struct arf_feedback *, const char *, const char *);
static int	arf_report_one(const struct arf_feedback *,
		    const struct arf_opts *, const char *, size_t,
		    struct arf_reports *);
static int	arf_text_ip(const char *, size_t, char *, size_t);
static int	arf_source_fallback(struct arf_feedback *,
		    const struct mime_part *, const char *, const char *,
		    size_t);
static const struct mime_part *arf_returned(const struct mime_part *);
static const struct mime_part *arf_human(const struct mime_part *);
static int	arf_one(struct arf_feedback *, const struct arf_opts *,
		    const struct mime_part *, const char *, const char *,
		    size_t, struct arf_reports *);
static int	arf_parts(const struct mime_message *,
		    const struct arf_opts *, struct arf_reports *,
		    struct arf_feedback *);
static const char *arf_next_line(const char *, const char *);
static int	arf_unquote(const char *, size_t, struct charset_buf *);
static const char *arf_inline_start(const char *, size_t);
static int	arf_inline(const char *, size_t, const struct mime_part *,
		    const struct arf_opts *, struct arf_reports *,
		    struct arf_feedback *);
static int	arf_jmrp(const struct mime_message *,
		    const struct arf_opts *, struct arf_reports *,
		    struct arf_feedback *);
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
	if (p->type[0] != 'm' && p->type[0] != 't')
		return 0;	/* most parts, before any call */
	return (strcmp(p->type, "message") == 0 &&
	    (strcmp(p->subtype, "rfc822") == 0 ||
	    strcmp(p->subtype, "global") == 0)) ||
	    mime_is_rfc822_headers(p);
}

int
arf_nested_in(const struct mime_part *p, const struct mime_part *root)
{
	if (p == root)
		return 0;	/* root itself, even when a message's child */
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
 * The public IPs of the "from" clause of one Received value (up to " by "
 * or ';'): bracketed literals, "IPv6:" forms, bare addresses, in order;
 * each NUL-terminated in ip (ARF_IP_MAX bytes) and given to fn, until fn
 * returns non-zero. Returns that value, or 0.
 */
static int
arf_received_each(const char *v, int (*fn)(const char *, int, void *),
    void *arg)
{
	char		 ip[ARF_IP_MAX];
	const char	*end;
	size_t		 n, len;
	int		 v6, rc;

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
		if (arf_ip_public(ip, &v6) && (rc = fn(ip, v6, arg)) != 0)
			return rc;
	}
	return 0;
}

/* arf_received_each: add the IP to the report; 1 (stop) on ENOMEM. */
static int
arf_received_add(const char *ip, int v6, void *arg)
{
	struct arf_mine_ctx	*mc = arg;

	return arf_indicator(mc->r, mc->lim, v6 ? IND_IPV6 : IND_IPV4, ip,
	    strlen(ip)) == -1;
}

/* arf_received_each: keep the first IP; 1 (stop). */
static int
arf_received_keep(const char *ip, int v6, void *arg)
{
	(void)v6;
	snprintf(arg, ARF_IP_MAX, "%s", ip);
	return 1;
}

/*
 * The first Received header of root worth reading: the first one, or the
 * first after the header named after (a report's own transport comes
 * before it), or NULL.
 */
static const struct mime_header *
arf_received_first(const struct mime_part *root, const char *after)
{
	const struct mime_header	*h = NULL;
	size_t				 i;

	if (after == NULL)
		return mime_header_next(root, "Received", NULL);
	while ((h = mime_header_next(root, NULL, h)) != NULL)
		if (strcasecmp(h->name, after) == 0)
			break;
	if (h == NULL)
		return NULL;
	for (i = h - root->headers + 1; i < root->n_headers; i++)
		if (strcasecmp(root->headers[i].name, "Received") == 0)
			return &root->headers[i];
	return NULL;
}

int
arf_first_public_ip(const struct mime_part *root, const char *after,
    char *ip, size_t iplen)
{
	const struct mime_header	*h;
	char				 buf[ARF_IP_MAX];
	size_t				 i;

	h = arf_received_first(root, after);
	for (i = 0; h != NULL && i < ARF_RECEIVED_MAX; i++,
	    h = mime_header_next(root, "Received", h))
		if (arf_received_each(h->value, arf_received_keep, buf)) {
			snprintf(ip, iplen, "%s", buf);
			return 0;
		}
	return -1;
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
	return arf_mine_after(r, o, root, NULL, budget);
}

int
arf_mine_after(struct report *r, const struct arf_opts *o,
    const struct mime_part *root, const char *after, size_t *budget)
{
	const struct mime_header	*h;
	const struct mime_part		*p = NULL;
	struct arf_mine_ctx		 mc = { r, o->lim };
	const char			*v, *at;
	char				 addr[ARF_ADDR_MAX];
	size_t				 n, i;

	r->origin = "enclosed message From";
	if ((v = mime_header_get(root, "From")) != NULL &&
	    arf_addr(v, strlen(v), addr, sizeof(addr)) == 0 &&
	    (arf_indicator(r, o->lim, IND_EMAIL, addr, strlen(addr)) == -1 ||
	    ((at = strrchr(addr, '@')) != NULL && arf_indicator(r, o->lim,
	    IND_DOMAIN, at + 1, strlen(at + 1)) == -1)))
		return -1;
	r->origin = "enclosed message Reply-To";
	if ((v = mime_header_get(root, "Reply-To")) != NULL &&
	    arf_addr(v, strlen(v), addr, sizeof(addr)) == 0 &&
	    arf_indicator(r, o->lim, IND_EMAIL, addr, strlen(addr)) == -1)
		return -1;
	r->origin = "enclosed message Received";
	h = arf_received_first(root, after);
	for (i = 0; h != NULL && i < ARF_RECEIVED_MAX; i++,
	    h = mime_header_next(root, "Received", h))
		if (arf_received_each(h->value, arf_received_add, &mc) != 0)
			return -1;
	r->origin = "enclosed message Subject";
	if ((v = mime_header_get(root, "Subject")) != NULL &&
	    arf_extract(o, r, v, strlen(v)) == -1)
		return -1;
	r->origin = "enclosed message text";
	while ((p = arf_next_in(p, root)) != NULL && *budget > 0) {
		if (p->text == NULL || p->n_children > 0 ||
		    mime_is_rfc822_headers(p))
			continue;
		n = p->text_len < *budget ? p->text_len : *budget;
		*budget -= n;
		if (arf_extract(o, r, p->text, n) == -1)
			return -1;
	}
	r->origin = NULL;
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

	snprintf(line, sizeof(line), "%s (%.64s -> %s)", fb->shape != NULL &&
	    strcmp(fb->shape, "arf-jmrp") == 0 ? "Microsoft JMRP complaint" :
	    "ARF feedback report", fb->feedback_type, code);
	if (charset_buf_append(b, line, strlen(line)) == -1)
		return -1;
	for (i = 0; i < ARF_NFIELDS; i++)
		if (i != 0 && arf_fields[i].off != arf_fields[i - 1].off &&
		    arf_sum_add(b, arf_fields[i].name,
		    *(char **)((const char *)fb + arf_fields[i].off)) == -1)
			return -1;
	if (fb->source_ip != NULL && fb->source_from != NULL &&
	    arf_sum_add(b, "Source-IP taken from", fb->source_from) == -1)
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

const char arf_why_fallback[] = "Feedback-Type names none: the words of "
    "the report and of the returned message, else spam";

int
arf_to_report(const struct arf_feedback *fb, const struct arf_opts *o,
    struct arf_reports *out)
{
	return arf_report_one(fb, o, NULL, 0, out);
}

/*
 * arf_to_report with the report's own human-readable text (may be NULL),
 * put between the summary line and o->note. An undetermined Feedback-Type
 * takes o->fallback when there is one.
 */
static int
arf_report_one(const struct arf_feedback *fb, const struct arf_opts *o,
    const char *human, size_t hlen, struct arf_reports *out)
{
	struct charset_buf	 sum = { NULL, 0, 0 };
	struct report		*r;
	const char		*code = arf_category(fb);
	const char		*why = "Feedback-Type";
	size_t			 i;
	int			 rc;


	if (strcmp(code, "undetermined") == 0 && o->fallback != NULL) {
		code = o->fallback;
		why = arf_why_fallback;
	}
	if ((rc = arf_reports_add(out, o->max_reports, &r)) != 0)
		return rc == 1 ? 0 : -1;
	rc = arf_field(r, o, "category", code, strlen(code));
	r->category_why = why;
	r->origin = fb->source_from == NULL ? "ARF Source-IP" :
	    strcmp(fb->source_from, "the subject") == 0 ? "JMRP subject" :
	    strncmp(fb->source_from, "the returned", 12) == 0 ?
	    "returned message Received (no Source-IP)" :
	    "human-readable text (no Source-IP)";
	if (rc == 0 && fb->source_ip != NULL)
		rc = arf_indicator(r, o->lim, ARF_HOST, fb->source_ip,
		    strlen(fb->source_ip));
	r->origin = "ARF Reported-Domain";
	for (i = 0; rc != -1 && i < fb->n_reported_domain; i++)
		rc = arf_indicator(r, o->lim, ARF_HOST,
		    fb->reported_domain[i], strlen(fb->reported_domain[i]));
	r->origin = "ARF Reported-URI";
	for (i = 0; rc != -1 && i < fb->n_reported_uri; i++)
		rc = arf_indicator(r, o->lim, ARF_GUESS, fb->reported_uri[i],
		    strlen(fb->reported_uri[i]));
	r->origin = NULL;
	if (rc != -1)
		rc = arf_time(r, o, "occurred-at", fb->arrival_date,
		    fb->arrival_date ? strlen(fb->arrival_date) : 0);
	if (rc != -1)
		rc = arf_summary(fb, code, &sum);
	if (rc != -1)
		rc = arf_describe(r, o, sum.data, human, human ? hlen : 0);
	if (rc != -1)
		rc = arf_finish(r, o);
	charset_buf_free(&sum);
	if (rc == -1) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* arf_received_each over a text: keep the first address; 1 (stop). */
static int
arf_text_ip(const char *text, size_t len, char *ip, size_t iplen)
{
	const char	*p = text, *end = text + len;
	char		 buf[ARF_IP_MAX];
	size_t		 n;
	int		 v6;

	for (; p < end; p += n ? n : 1) {
		n = strspn(p, "0123456789abcdefABCDEF:.");
		if (p + n > end)
			n = end - p;
		if (n < 7 || n >= sizeof(buf) || (p > text &&
		    (isalnum((unsigned char)p[-1]) || p[-1] == '.')))
			continue;
		memcpy(buf, p, n);
		buf[n] = '\0';
		while (n > 0 && buf[n - 1] == '.')
			buf[--n] = '\0';	/* end of a sentence */
		if (arf_ip_public(buf, &v6)) {
			snprintf(ip, iplen, "%s", buf);
			return 0;
		}
	}
	return -1;
}

/*
 * When the feedback names no Source-IP: the first public address of the
 * returned message's Received chain (root, below the header after when
 * set), else the first public address the human-readable text names
 * ("received from IP 192.0.2.1"). fb->source_ip and fb->source_from are
 * set when one is found. 0, or -1 on ENOMEM.
 */
static int
arf_source_fallback(struct arf_feedback *fb, const struct mime_part *root,
    const char *after, const char *human, size_t hlen)
{
	char	ip[ARF_IP_MAX];

	if (fb->source_ip != NULL)
		return 0;
	if (root != NULL && arf_first_public_ip(root, after, ip,
	    sizeof(ip)) == 0)
		fb->source_from = "the returned message's Received chain";
	else if (human != NULL && arf_text_ip(human, hlen, ip,
	    sizeof(ip)) == 0)
		fb->source_from = "the human-readable part";
	else
		return 0;
	if ((fb->source_ip = strdup(ip)) == NULL)
		return -1;
	return 0;
}

/*
 * The message a feedback part fr returns: the root of a container beside
 * it, NULL when there is none.
 */
static const struct mime_part *
arf_returned(const struct mime_part *fr)
{
	const struct mime_part	*p;
	size_t			 i;

	for (i = 0; fr->parent != NULL && i < fr->parent->n_children; i++) {
		p = fr->parent->children[i];
		if (arf_is_container(p) && p->n_children > 0)
			return p->children[0];
	}
	return NULL;
}

/* The human-readable text part beside a feedback part, or NULL. */
static const struct mime_part *
arf_human(const struct mime_part *fr)
{
	const struct mime_part	*p;
	size_t			 i;

	for (i = 0; fr->parent != NULL && i < fr->parent->n_children; i++) {
		p = fr->parent->children[i];
		if (p != fr && p->text != NULL && p->n_children == 0 &&
		    strcmp(p->type, "text") == 0 &&
		    (strcmp(p->subtype, "plain") == 0 ||
		    strcmp(p->subtype, "html") == 0))
			return p;
	}
	return NULL;
}

/*
 * One report for one feedback (the fields in fb), with the message it
 * returns (root, may be NULL; its Received headers read below after when
 * set) mined and its human-readable text (may be NULL) described. fb is
 * completed by arf_source_fallback. 0, or -1 on ENOMEM.
 */
static int
arf_one(struct arf_feedback *fb, const struct arf_opts *o,
    const struct mime_part *root, const char *after, const char *human,
    size_t hlen, struct arf_reports *out)
{
	size_t	n0 = out->n, budget = ARF_MINE_TEXT_MAX;

	if (arf_source_fallback(fb, root, after, human, hlen) == -1 ||
	    arf_report_one(fb, o, human != o->note ? human : NULL, hlen,
	    out) == -1)
		return -1;
	if (out->n == n0 || root == NULL)
		return 0;	/* no room (counted as dropped), or alone */
	return arf_mine_after(&out->v[n0], o, root, after, &budget);
}

/*
 * Every message/feedback-report part of m, in order, each one report
 * (MARF: several in one message, or inside forwarded messages); the first
 * one's fields go to *fb. Returns the number of reports made or dropped,
 * or -1 on ENOMEM.
 */
static int
arf_parts(const struct mime_message *m, const struct arf_opts *o,
    struct arf_reports *out, struct arf_feedback *fb)
{
	const struct mime_part	*p = NULL, *h;
	struct arf_feedback	 one, *f;
	int			 n = 0;

	while ((p = mime_next(p ? p : m->root)) != NULL && n < ARF_PARTS_MAX) {
		if (p->type[0] != 'm' || p->text == NULL ||
		    strcmp(p->type, "message") != 0 ||
		    strcmp(p->subtype, "feedback-report") != 0)
			continue;
		memset(&one, 0, sizeof(one));
		f = n == 0 ? fb : &one;
		if (arf_parse(p->text, p->text_len, f) == -1) {
			if (errno == ENOMEM)
				return -1;
			continue;
		}
		f->shape = "arf";
		h = arf_human(p);
		if (arf_one(f, o, arf_returned(p), NULL, h ? h->text : NULL,
		    h ? h->text_len : 0, out) == -1) {
			arf_feedback_free(&one);
			return -1;
		}
		arf_feedback_free(&one);
		n++;
	}
	return n;
}

/* The line after s (its end at end), or end. */
static const char *
arf_next_line(const char *s, const char *end)
{
	const char	*nl = memchr(s, '\n', end - s);

	return nl ? nl + 1 : end;
}

/*
 * A copy of text[0..len) without the quoting of a forward ("> ", ">") at
 * the start of each line, into b. 0, or -1 on ENOMEM.
 */
static int
arf_unquote(const char *text, size_t len, struct charset_buf *b)
{
	const char	*line = text, *end = text + len, *next;

	for (; line < end; line = next) {
		next = arf_next_line(line, end);
		while (line < next && *line == '>') {
			line++;
			if (line < next && *line == ' ')
				line++;
		}
		if (charset_buf_append(b, line, next - line) == -1)
			return -1;
	}
	return 0;
}

/*
 * Where a feedback report forwarded inline starts in text: a line
 * "Feedback-Type: x" (quoted or not) followed within ARF_INLINE_LINES
 * lines by another field of the report (User-Agent, Version, Source-IP,
 * Arrival-Date, Reported-Domain, Original-Mail-From), so that a sentence
 * naming the field is not taken for a report. NULL when there is none.
 */
static const char *
arf_inline_start(const char *text, size_t len)
{
	static const char *const more[] = { "User-Agent:", "Version:",
	    "Source-IP:", "Arrival-Date:", "Reported-Domain:",
	    "Original-Mail-From:", "Reporting-MTA:" };
	const char	*line, *end = text + len, *l2, *at;
	size_t		 i, k;

	for (line = text; line < end; line = arf_next_line(line, end)) {
		at = line + strspn(line, "> \t");
		if (end - at < 14 || (*at != 'F' && *at != 'f') ||
		    strncasecmp(at, "Feedback-Type:", 14) != 0)
			continue;
		for (l2 = arf_next_line(line, end), k = 0; l2 < end &&
		    k < ARF_INLINE_LINES; l2 = arf_next_line(l2, end), k++) {
			at = l2 + strspn(l2, "> \t");
			for (i = 0; i < sizeof(more) / sizeof(more[0]); i++)
				if ((size_t)(end - at) > strlen(more[i]) &&
				    strncasecmp(at, more[i],
				    strlen(more[i])) == 0)
					return line;
		}
	}
	return NULL;
}

/*
 * A feedback report forwarded inline (a person's "FW:" of an ARF report
 * read as text) or sent as text: its fields from the "Feedback-Type:" line
 * to the next blank line, and the returned message's headers when they
 * follow, else the message beside the part (sibling, may be NULL). 1 when
 * a report was made, 0 when the text has none, -1 on ENOMEM.
 */
static int
arf_inline(const char *text, size_t len, const struct mime_part *sibling,
    const struct arf_opts *o, struct arf_reports *out,
    struct arf_feedback *fb)
{
	struct charset_buf	 b = { NULL, 0, 0 };
	struct mime_message	*rm = NULL;
	struct mime_error	 merr;
	const char		*at, *end, *blank, *rest;
	int			 rc = -1;

	if (text == NULL || (at = arf_inline_start(text, len)) == NULL)
		return 0;
	if (arf_unquote(at, text + len - at < ARF_INLINE_MAX ?
	    (size_t)(text + len - at) : ARF_INLINE_MAX, &b) == -1 ||
	    charset_buf_append(&b, "", 1) == -1)
		goto done;
	end = b.data + b.len - 1;
	if ((blank = strstr(b.data, "\n\n")) == NULL)
		blank = end;
	if (arf_parse(b.data, blank - b.data, fb) == -1) {
		rc = errno == ENOMEM ? -1 : 0;
		goto done;
	}
	fb->shape = "arf-inline";
	/* the returned headers: the next block, when it starts with one */
	for (rest = blank; rest < end && (*rest == '\n' || *rest == ' ');)
		rest++;
	if (rest < end && strcspn(rest, ": \n") < 64 &&
	    rest[strcspn(rest, ": \n")] == ':' &&
	    mime_parse(rest, end - rest, NULL, &rm, &merr) == -1 &&
	    merr.code == MIME_ERR_NOMEM)
		goto done;
	if (arf_one(fb, o, rm ? rm->root : sibling, NULL, NULL, 0, out) == -1)
		goto done;
	rc = 1;
 done:
	mime_free(rm);
	charset_buf_free(&b);
	if (rc == -1)
		errno = ENOMEM;
	return rc;
}

/*
 * A Microsoft JMRP complaint ("complaint about message from 192.0.2.1"):
 * the complained-of message, carrying X-HmXmrOriginalRecipient, attached
 * as message/rfc822 or sent as the complaint itself (its own transport
 * then comes above that header). A spam report: Source-IP from the
 * subject, else the first public address of the complained-of message's
 * Received chain. 1 when a report was made, 0 when m is no such complaint,
 * -1 on ENOMEM.
 */
static int
arf_jmrp(const struct mime_message *m, const struct arf_opts *o,
    struct arf_reports *out, struct arf_feedback *fb)
{
	const struct mime_part	*p = NULL, *root = NULL;
	const char		*subj, *after = NULL, *ip;
	char			 buf[ARF_IP_MAX];
	size_t			 n;
	int			 v6;

	if (mime_header_get(m->root, ARF_JMRP_HEADER) != NULL) {
		root = m->root;
		after = ARF_JMRP_HEADER;
	}
	while (root == NULL && (p = mime_next(p ? p : m->root)) != NULL)
		if (arf_is_container(p) && p->n_children > 0 &&
		    !arf_nested_in(p, m->root) &&
		    mime_header_get(p->children[0], ARF_JMRP_HEADER) != NULL)
			root = p->children[0];
	if (root == NULL)
		return 0;
	if ((fb->feedback_type = strdup("abuse")) == NULL ||
	    (fb->user_agent = strdup("Microsoft JMRP")) == NULL)
		return -1;
	fb->shape = "arf-jmrp";
	subj = mime_header_get(m->root, "Subject");
	if (subj != NULL && (ip = strcasestr(subj, "message from ")) != NULL) {
		ip += 13;
		n = strspn(ip, "0123456789abcdefABCDEF:.");
		if (n > 0 && n < sizeof(buf)) {
			memcpy(buf, ip, n);
			buf[n] = '\0';
			if (arf_ip_public(buf, &v6) &&
			    (fb->source_ip = strdup(buf)) == NULL)
				return -1;
			if (fb->source_ip != NULL)
				fb->source_from = "the subject";
		}
	}
	return arf_one(fb, o, root, after, NULL, 0, out) == -1 ? -1 : 1;
}

int
arf_from_message(const struct mime_message *m, const struct arf_opts *o,
    struct arf_reports *out, struct arf_feedback *fb)
{
	const struct mime_part	*p = NULL;
	size_t			 k = 0;
	int			 n;

	if ((n = arf_parts(m, o, out, fb)) != 0)
		return n == -1 ? -1 : 1;
	/* inline: in the text, or in a text part standing for the report */
	while ((p = arf_next_in(p, m->root)) != NULL && k < ARF_PARTS_MAX) {
		if (p->text == NULL || p->n_children > 0 || p->type[0] != 't' ||
		    strcmp(p->type, "text") != 0 || arf_nested_in(p, m->root))
			continue;
		k++;
		if ((n = arf_inline(p->text, p->text_len, arf_returned(p), o,
		    out, fb)) != 0)
			return n;
	}
	return arf_jmrp(m, o, out, fb);
}
