/*
 * page.c - the page layer's foundations: the growable buffer, the one HTML
 * escaping function, the choice of language, the message catalogue, and a
 * page set's loading (catalogue, then every template through page_tmpl.c,
 * then the keys C itself needs) and accessors. Rendering is page_render.c.
 *
 * Bounds: a page's buffer holds at most PAGE_BUF_MAX bytes (an export's,
 * through page_buf_append_max, its own bound); keys are at most
 * PAGE_NAME_MAX bytes. No I/O, no logging, no mutable globals.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_parse.h"
#include "page_int.h"

/* ---- compiled-in sources (Makefile EMBED) ---- */

extern const char page_messages_embedded[], page_css_embedded[],
    page_layout_embedded[], page_home_embedded[], page_report_embedded[],
    page_status_embedded[], page_verify_embedded[], page_verified_embedded[],
    page_error_embedded[], page_staff_login_embedded[],
    page_staff_queue_embedded[], page_staff_incident_embedded[],
    page_staff_stats_embedded[];
extern const size_t page_messages_embedded_len, page_css_embedded_len,
    page_layout_embedded_len, page_home_embedded_len, page_report_embedded_len,
    page_status_embedded_len, page_verify_embedded_len,
    page_verified_embedded_len, page_error_embedded_len,
    page_staff_login_embedded_len, page_staff_queue_embedded_len,
    page_staff_incident_embedded_len, page_staff_stats_embedded_len;

#define SRC_MESSAGES	"messages.tsv"
#define SRC_CSS		"style.css"

/* ---- tables shared with page_tmpl.c and page_render.c ---- */

const char *const page_lang_names[2] = { "vi", "en" };

const char *const page_tmpl_names[T_COUNT] = {
	"pages/layout.html", "pages/home.html", "pages/report.html",
	"pages/status.html", "pages/verify.html", "pages/verified.html",
	"pages/error.html", "pages/staff_login.html", "pages/staff_queue.html",
	"pages/staff_incident.html", "pages/staff_stats.html"
};

const struct page_def page_defs[PAGE_COUNT] = {
	[PAGE_HOME] =		{ T_HOME, "home.title", 0 },
	[PAGE_REPORT] =		{ T_REPORT, "report.title", 0 },
	[PAGE_STATUS] =		{ T_STATUS, "status.title", 1 },
	[PAGE_VERIFY] =		{ T_VERIFY, "verify.title", 1 },
	[PAGE_VERIFIED] =	{ T_VERIFIED, "verified.title", 1 },
	[PAGE_ERROR] =		{ T_ERROR, NULL, 1 },
	[PAGE_STAFF_LOGIN] =	{ T_STAFF_LOGIN, "staff.login.title", 1 },
	[PAGE_STAFF_QUEUE] =	{ T_STAFF_QUEUE, "staff.queue.title", 1 },
	[PAGE_STAFF_INCIDENT] =	{ T_STAFF_INCIDENT, "staff.incident.title", 1 },
	[PAGE_STAFF_PHONE] =	{ T_REPORT, "staff.phone.title", 1 },
	[PAGE_STAFF_STATS] =	{ T_STAFF_STATS, "staff.stats.title", 1 },
};

const int page_error_codes[PAGE_NERRORS] = {
	400, 403, 404, 405, 408, 410, 413, 429, 431, 500, 503
};

/* The SPEC's form fields, in the order of the official form. */
const char *const page_form_fields[PAGE_NFIELDS] = {
	"reporter-name", "organization", "reporter-email", "reporter-phone",
	"affected-system", "operating-unit", "system-level", "description",
	"detected-at", "occurred-at", "category", "severity", "indicators",
	"attachment", "confidential"
};

const char *const page_statuses[PAGE_NSTATUSES] = {
	"new", "triaged", "in-progress", "resolved", "closed", "rejected",
	"merged", "unknown"
};

const char *const page_causes[PAGE_NCAUSES] = {
	"attack", "abuse", "system_fault", "operator_error",
	"natural_disaster", "other"
};

/* undetermined is the form's "I don't know"; test is for staff. */
const char *const page_hidden_categories[PAGE_NHIDDEN] = {
	"undetermined", "test"
};

/* Keys handed out to callers (page.h) or composed by page_render.c. */
static const char *const required_keys[] = {
	"choice.unknown", "lang.other", "form.error-prefix",
	"severity.low", "severity.low.text", "severity.medium",
	"severity.medium.text", "severity.high", "severity.high.text",
	"severity.critical", "severity.critical.text",
	"level.1", "level.1.text", "level.2", "level.2.text", "level.3",
	"level.3.text", "level.4", "level.4.text", "level.5", "level.5.text",
	"err.invalid", "err.required", "err.too-long", "err.email",
	"err.phone", "err.contact-needed", "err.datetime", "err.future",
	"err.category", "err.severity", "err.system-level", "err.indicators",
	"err.attachment-too-large", "err.attachment-type",
	"err.attachments-too-many", "err.form-expired", "err.form-too-large",
	"err.store",
	"mail.receipt.subject", "mail.receipt.heading", "mail.receipt.ids",
	"mail.receipt.more", "mail.receipt.category", "mail.receipt.indicators",
	"mail.receipt.verify", "mail.receipt.status", "mail.receipt.auto",
	"status.next-1", "verify.title",
	"mail.forward.title", "mail.forward.from", "mail.forward.incident",
	"mail.forward.reports", "mail.forward.first-seen",
	"mail.forward.last-seen", "mail.forward.initial",
	"mail.forward.channel", "mail.forward.received",
	"mail.forward.subject", "mail.forward.more",
	"mail.forward.attachment", "mail.yes", "mail.no",
	"field.category", "field.severity", "field.reporter-name",
	"field.organization", "field.reporter-email", "field.reporter-phone",
	"field.affected-system", "field.operating-unit", "field.system-level",
	"field.detected-at", "field.occurred-at", "field.confidential",
	"field.description", "field.indicators"
};

static int	 msg_cmp(const void *, const void *);
static int	 lang_index(const char *, size_t);
static int	 msgs_parse(struct page_set *, const char *, size_t, char *,
		    size_t);
static int	 keys_check(struct page_set *, char *, size_t);
static const struct page_source *source_find(const struct page_source *,
		    size_t, const char *);

/* ---- buffer ---- */

void
page_buf_init(struct page_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
page_buf_free(struct page_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void
page_buf_append(struct page_buf *b, const void *p, size_t len)
{
	page_buf_append_max(b, p, len, PAGE_BUF_MAX);
}

void
page_buf_append_max(struct page_buf *b, const void *p, size_t len,
    size_t max)
{
	size_t	 cap;
	char	*d;

	if (b->failed || len == 0)
		return;
	if (len > max - b->len) {
		b->failed = 1;
		return;
	}
	if (b->len + len + 1 > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + len + 1)
			cap *= 2;
		if ((d = realloc(b->data, cap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
}

/* ---- escaping ---- */

size_t
page_utf8_next(const unsigned char *p, size_t len, uint32_t *cp)
{
	unsigned	c = p[0], lo = 0x80, hi = 0xBF;
	size_t		need, i;
	uint32_t	v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;	/* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;	/* nothing past U+10FFFF */
	} else {
		*cp = PAGE_UTF8_BAD;
		return 1;
	}
	for (i = 1; i <= need; i++) {
		if (i >= len || p[i] < lo || p[i] > hi) {
			*cp = PAGE_UTF8_BAD;
			return i;
		}
		v = (v << 6) | (p[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return need + 1;
}

/* A code point HTML has no business carrying as text. */
#define CP_UNWANTED(c)	(((c) < 0x20 && (c) != '\t' && (c) != '\n' && \
	(c) != '\r') || ((c) >= 0x7F && (c) <= 0x9F) || \
	((c) >= 0xFDD0 && (c) <= 0xFDEF) || ((c) & 0xFFFE) == 0xFFFE)

void
page_escape_append(struct page_buf *b, const char *s, size_t len)
{
	static const char	 fffd[] = "\xEF\xBF\xBD";
	const unsigned char	*p = (const unsigned char *)s;
	const char		*rep;
	size_t			 i = 0, run = 0, n;
	uint32_t		 cp;

	if (len == 0)
		return;
	while (i < len) {
		n = page_utf8_next(p + i, len - i, &cp);
		switch (cp) {
		case '&':	rep = "&amp;"; break;
		case '<':	rep = "&lt;"; break;
		case '>':	rep = "&gt;"; break;
		case '"':	rep = "&quot;"; break;
		case '\'':	rep = "&#39;"; break;
		case '`':	rep = "&#96;"; break;
		default:
			rep = cp == PAGE_UTF8_BAD || CP_UNWANTED(cp) ? fffd :
			    NULL;
			break;
		}
		if (rep != NULL) {
			page_buf_append(b, s + run, i - run);
			page_buf_append(b, rep, strlen(rep));
			run = i + n;
		}
		i += n;
	}
	page_buf_append(b, s + run, i - run);
}

/*
 * Well-formed UTF-8 without unwanted code points; TAB, LF and CR only when
 * multiline (templates, not catalogue texts).
 */
int
page_text_ok(const char *s, size_t len, int multiline)
{
	size_t		i = 0;
	uint32_t	cp;

	while (i < len) {
		i += page_utf8_next((const unsigned char *)s + i, len - i, &cp);
		if (cp == PAGE_UTF8_BAD || CP_UNWANTED(cp) || (!multiline &&
		    (cp == '\t' || cp == '\n' || cp == '\r')))
			return 0;
	}
	return 1;
}

/* ---- language ---- */

/* LANG_VI or LANG_EN for "vi", "en", "vi-VN", "en-GB"...; -1 otherwise. */
static int
lang_index(const char *s, size_t len)
{
	int	l;

	for (l = 0; l < 2; l++)
		if (len >= 2 && strncasecmp(s, page_lang_names[l], 2) == 0 &&
		    (len == 2 || s[2] == '-'))
			return l;
	return -1;
}

const char *
page_lang_pick(const char *query_lang, const char *accept)
{
	int		 q[2] = { -1, -1 }, pos[2] = { 0, 0 };
	int		 star_q = -1, star_pos = 0, n = 0, l, rq;
	const char	*p, *tag, *v;
	size_t		 taglen;

	if (query_lang != NULL &&
	    (l = lang_index(query_lang, strlen(query_lang))) >= 0)
		return page_lang_names[l];
	for (p = accept; p != NULL && *p != '\0'; n++) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		tag = p;
		while (*p != '\0' && *p != ',' && *p != ';' && *p != ' ' &&
		    *p != '\t')
			p++;
		taglen = p - tag;
		rq = 1000;
		for (;;) {
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != ';')
				break;
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
			v = p;
			while (*p != '\0' && *p != ',' && *p != ';' &&
			    *p != ' ' && *p != '\t')
				p++;
			if (p - v >= 2 && (v[0] == 'q' || v[0] == 'Q') &&
			    v[1] == '=')
				rq = http_qvalue(v + 2, p - v - 2);
		}
		while (*p != '\0' && *p != ',')	/* junk after it */
			p++;
		if (taglen == 0 || rq < 0)
			continue;
		if (taglen == 1 && tag[0] == '*') {
			if (rq > star_q) {
				star_q = rq;
				star_pos = n;
			}
		} else if ((l = lang_index(tag, taglen)) >= 0 && rq > q[l]) {
			q[l] = rq;
			pos[l] = n;
		}
	}
	for (l = 0; l < 2; l++)
		if (q[l] < 0) {
			q[l] = star_q;
			pos[l] = star_pos;
		}
	if (q[LANG_EN] > 0 && (q[LANG_EN] > q[LANG_VI] ||
	    (q[LANG_EN] == q[LANG_VI] && pos[LANG_EN] < pos[LANG_VI])))
		return page_lang_names[LANG_EN];
	return page_lang_names[LANG_VI];
}

/* ---- loading ---- */

void
page_seterr(char *err, size_t errlen, const char *src, size_t line,
    const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (err == NULL || errlen == 0)
		return;
	if (line > 0)
		n = snprintf(err, errlen, "%s:%zu: ", src, line);
	else
		n = snprintf(err, errlen, "%s: ", src);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
}

static int
msg_cmp(const void *a, const void *b)
{
	return strcmp(((const struct page_msg *)a)->key,
	    ((const struct page_msg *)b)->key);
}

/* Index of key in the catalogue, or -1. */
int
page_msg_find(const struct page_set *ps, const char *key)
{
	struct page_msg	 k = { key, { NULL, NULL } };
	struct page_msg	*m;

	m = bsearch(&k, ps->msgs, ps->nmsgs, sizeof(*m), msg_cmp);
	return m == NULL ? -1 : (int)(m - ps->msgs);
}

int
page_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '.' || c == '-' || c == '_';
}

/*
 * Parse the catalogue: "key<TAB>vi<TAB>en" lines, '#' comments, blank
 * lines, an optional header line "key...". Every key unique, both texts
 * present, well-formed UTF-8 without control characters.
 */
static int
msgs_parse(struct page_set *ps, const char *buf, size_t len, char *err,
    size_t errlen)
{
	char	*p, *end, *eol, *f[3], *t;
	size_t	 line = 0, cap = 0, i, nf;

	if ((ps->msgtext = malloc(len + 1)) == NULL) {
		page_seterr(err, errlen, SRC_MESSAGES, 0, "out of memory");
		return -1;
	}
	memcpy(ps->msgtext, buf, len);
	ps->msgtext[len] = '\0';
	end = ps->msgtext + len;
	for (p = ps->msgtext; p < end; p = eol + 1) {
		line++;
		if ((eol = memchr(p, '\n', end - p)) == NULL)
			eol = end;
		*eol = '\0';
		if (eol > p && eol[-1] == '\r')
			eol[-1] = '\0';
		if (*p == '#' || *p == '\0')
			continue;
		if (strlen(p) != (size_t)(eol - p)) {
			page_seterr(err, errlen, SRC_MESSAGES, line,
			    "NUL byte");
			return -1;
		}
		for (nf = 0, t = p; nf < 3 && t != NULL; nf++) {
			f[nf] = t;
			if ((t = strchr(t, '\t')) != NULL)
				*t++ = '\0';
		}
		if (nf != 3 || t != NULL) {
			page_seterr(err, errlen, SRC_MESSAGES, line,
			    "want key<TAB>vi<TAB>en");
			return -1;
		}
		if (strcmp(f[0], "key") == 0)
			continue;
		for (i = 0; f[0][i] != '\0'; i++)
			if (!page_name_char((unsigned char)f[0][i]))
				break;
		if (i == 0 || f[0][i] != '\0' || i > PAGE_NAME_MAX) {
			page_seterr(err, errlen, SRC_MESSAGES, line,
			    "bad key \"%s\" (a-z 0-9 . - _, at most %d)",
			    f[0], PAGE_NAME_MAX);
			return -1;
		}
		for (i = 1; i < 3; i++) {
			if (f[i][0] == '\0') {
				page_seterr(err, errlen, SRC_MESSAGES, line,
				    "%s: no %s text", f[0],
				    page_lang_names[i - 1]);
				return -1;
			}
			if (!page_text_ok(f[i], strlen(f[i]), 0)) {
				page_seterr(err, errlen, SRC_MESSAGES, line,
				    "%s: invalid UTF-8 or control character "
				    "in the %s text", f[0],
				    page_lang_names[i - 1]);
				return -1;
			}
		}
		if (ps->nmsgs == cap) {
			struct page_msg	*m;

			cap = cap ? cap * 2 : 256;
			if ((m = realloc(ps->msgs, cap * sizeof(*m))) == NULL) {
				page_seterr(err, errlen, SRC_MESSAGES, 0,
				    "out of memory");
				return -1;
			}
			ps->msgs = m;
		}
		ps->msgs[ps->nmsgs].key = f[0];
		ps->msgs[ps->nmsgs].text[LANG_VI] = f[1];
		ps->msgs[ps->nmsgs].text[LANG_EN] = f[2];
		ps->nmsgs++;
	}
	qsort(ps->msgs, ps->nmsgs, sizeof(*ps->msgs), msg_cmp);
	for (i = 1; i < ps->nmsgs; i++)
		if (strcmp(ps->msgs[i - 1].key, ps->msgs[i].key) == 0) {
			page_seterr(err, errlen, SRC_MESSAGES, 0,
			    "duplicate key \"%s\"", ps->msgs[i].key);
			return -1;
		}
	return 0;
}


/* Every key C may ask for exists (both texts: msgs_parse checked). */
static int
keys_check(struct page_set *ps, char *err, size_t errlen)
{
	char	key[PAGE_NAME_MAX + 1];
	size_t	i, k;

#define NEED(fmt, ...) do {						\
	snprintf(key, sizeof(key), fmt, __VA_ARGS__);			\
	if (page_msg_find(ps, key) == -1) {				\
		page_seterr(err, errlen, SRC_MESSAGES, 0,		\
		    "missing key \"%s\"", key);				\
		return -1;						\
	}								\
} while (0)
	for (i = 0; i < sizeof(required_keys) / sizeof(required_keys[0]); i++)
		NEED("%s", required_keys[i]);
	for (i = 0; i < PAGE_COUNT; i++)
		if (page_defs[i].title != NULL)
			NEED("%s", page_defs[i].title);
	for (i = 0; i < PAGE_NERRORS; i++) {
		NEED("error.%d.title", page_error_codes[i]);
		NEED("error.%d.text", page_error_codes[i]);
	}
	for (i = 0; i < PAGE_NFIELDS; i++)
		NEED("field.%s", page_form_fields[i]);
	for (i = 0; i < PAGE_NSTATUSES; i++) {
		NEED("status.%s", page_statuses[i]);
		NEED("status.%s.text", page_statuses[i]);
	}
	for (i = 0; i < PAGE_NCAUSES; i++)
		NEED("cause.%s", page_causes[i]);
	for (i = 0; page_staff_keys[i] != NULL; i++)
		NEED("%s", page_staff_keys[i]);
	for (i = 0; i < ps->nmsgs; i++)
		for (k = 0; k < 2; k++)
			if (strlen(ps->msgs[i].text[k]) > 4096) {
				page_seterr(err, errlen, SRC_MESSAGES, 0,
				    "%s: text over 4096 bytes",
				    ps->msgs[i].key);
				return -1;
			}
#undef NEED
	return 0;
}

void
page_embedded_sources(struct page_source src[PAGE_NSOURCES])
{
	const struct page_source s[PAGE_NSOURCES] = {
		{ SRC_MESSAGES, page_messages_embedded,
		    page_messages_embedded_len },
		{ SRC_CSS, page_css_embedded, page_css_embedded_len },
		{ "pages/layout.html", page_layout_embedded,
		    page_layout_embedded_len },
		{ "pages/home.html", page_home_embedded,
		    page_home_embedded_len },
		{ "pages/report.html", page_report_embedded,
		    page_report_embedded_len },
		{ "pages/status.html", page_status_embedded,
		    page_status_embedded_len },
		{ "pages/verify.html", page_verify_embedded,
		    page_verify_embedded_len },
		{ "pages/verified.html", page_verified_embedded,
		    page_verified_embedded_len },
		{ "pages/error.html", page_error_embedded,
		    page_error_embedded_len },
		{ "pages/staff_login.html", page_staff_login_embedded,
		    page_staff_login_embedded_len },
		{ "pages/staff_queue.html", page_staff_queue_embedded,
		    page_staff_queue_embedded_len },
		{ "pages/staff_incident.html", page_staff_incident_embedded,
		    page_staff_incident_embedded_len },
		{ "pages/staff_stats.html", page_staff_stats_embedded,
		    page_staff_stats_embedded_len },
	};

	memcpy(src, s, sizeof(s));
}

/* The source called name in src[0..n), or NULL. */
static const struct page_source *
source_find(const struct page_source *src, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (src[i].name != NULL && strcmp(src[i].name, name) == 0)
			return &src[i];
	return NULL;
}

struct page_set *
page_set_new(const struct page_source *src, size_t n,
    const struct taxonomy *tax, char *err, size_t errlen)
{
	struct page_source		 names[PAGE_NSOURCES];
	const struct page_source	*s;
	struct page_set			*ps;
	uint64_t			 h = 0xcbf29ce484222325ULL;
	size_t				 i;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	page_embedded_sources(names);
	for (i = 0; i < n; i++)
		if (src[i].name == NULL ||
		    source_find(names, PAGE_NSOURCES, src[i].name) == NULL ||
		    source_find(src, i, src[i].name) != NULL) {
			page_seterr(err, errlen, src[i].name ? src[i].name :
			    "(null)", 0, "unknown or repeated source");
			return NULL;
		}
	for (i = 0; i < PAGE_NSOURCES; i++)
		if (source_find(src, n, names[i].name) == NULL) {
			page_seterr(err, errlen, names[i].name, 0, "missing");
			return NULL;
		}
	if ((ps = calloc(1, sizeof(*ps))) == NULL) {
		page_seterr(err, errlen, "pages", 0, "out of memory");
		return NULL;
	}
	ps->tax = tax;
	s = source_find(src, n, SRC_MESSAGES);
	if (msgs_parse(ps, s->data, s->len, err, errlen) == -1 ||
	    keys_check(ps, err, errlen) == -1)
		goto fail;
	for (i = 0; i < T_COUNT; i++) {
		s = source_find(src, n, page_tmpl_names[i]);
		if (page_tmpl_parse(ps, (enum page_tmpl_id)i, s->data,
		    s->len, err, errlen) == -1)
			goto fail;
	}
	s = source_find(src, n, SRC_CSS);
	if (!page_text_ok(s->data, s->len, 1) || memchr(s->data, '<',
	    s->len) != NULL) {
		page_seterr(err, errlen, SRC_CSS, 0,
		    "invalid UTF-8, control character or '<'");
		goto fail;
	}
	if ((ps->css = malloc(s->len + 1)) == NULL) {
		page_seterr(err, errlen, SRC_CSS, 0, "out of memory");
		goto fail;
	}
	memcpy(ps->css, s->data, s->len);
	ps->css[s->len] = '\0';
	ps->css_len = s->len;
	for (i = 0; i < s->len; i++) {		/* FNV-1a */
		h ^= (unsigned char)s->data[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(ps->css_version, sizeof(ps->css_version), "%016llx",
	    (unsigned long long)h);
	return ps;
fail:
	page_set_free(ps);
	return NULL;
}

struct page_set *
page_set_load(const struct taxonomy *tax, char *err, size_t errlen)
{
	struct page_source	src[PAGE_NSOURCES];

	page_embedded_sources(src);
	return page_set_new(src, PAGE_NSOURCES, tax, err, errlen);
}

void
page_set_free(struct page_set *ps)
{
	size_t	i;

	if (ps == NULL)
		return;
	for (i = 0; i < T_COUNT; i++) {
		free(ps->tmpl[i].text);
		free(ps->tmpl[i].nodes);
	}
	free(ps->msgs);
	free(ps->msgtext);
	free(ps->css);
	free(ps);
}

const char *
page_msg(const struct page_set *ps, const char *lang, const char *key)
{
	int	i;

	if (ps == NULL || key == NULL || (i = page_msg_find(ps, key)) == -1)
		return NULL;
	return ps->msgs[i].text[lang != NULL && strcmp(lang, "en") == 0 ?
	    LANG_EN : LANG_VI];
}

const char *
page_style(const struct page_set *ps, size_t *len)
{
	*len = ps->css_len;
	return ps->css;
}

const char *
page_style_version(const struct page_set *ps)
{
	return ps->css_version;
}
