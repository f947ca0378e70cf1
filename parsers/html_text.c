/*
 * html_text.c - text/html reduced to plain text for reading and for the
 * indicator extractor.
 *
 * A single forward pass, no DOM: tags and comments are dropped, script and
 * style elements are dropped with their content, block elements become line
 * breaks, whitespace runs become one space, entities are decoded. Link
 * targets (a/area href, form action) are written into the text as
 * " <URL>" so that URLs hidden behind link text are not lost. Input is
 * UTF-8 (see charset.h); output is UTF-8 with no NUL, capped by max_out.
 * Limits: tag names over 15 bytes are treated as unknown tags; entity
 * names over 10 bytes are left as written.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* memmem */
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>
#include <strings.h>

#include "charset.h"
#include "mime.h"

struct ht_entity {
	const char	*name;
	uint32_t	 cp;		/* 0: emits nothing */
};

/* Named entities: the usual ones and the Latin-1 letters. */
static const struct ht_entity ht_entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
	{ "apos", '\'' }, { "nbsp", ' ' }, { "ensp", ' ' }, { "emsp", ' ' },
	{ "thinsp", ' ' }, { "shy", 0 }, { "zwnj", 0 }, { "zwj", 0 },
	{ "copy", 0xA9 }, { "reg", 0xAE }, { "trade", 0x2122 },
	{ "euro", 0x20AC }, { "cent", 0xA2 }, { "pound", 0xA3 },
	{ "yen", 0xA5 }, { "sect", 0xA7 }, { "para", 0xB6 }, { "deg", 0xB0 },
	{ "middot", 0xB7 }, { "laquo", 0xAB }, { "raquo", 0xBB },
	{ "iexcl", 0xA1 }, { "iquest", 0xBF }, { "plusmn", 0xB1 },
	{ "ndash", 0x2013 }, { "mdash", 0x2014 }, { "hellip", 0x2026 },
	{ "lsquo", 0x2018 }, { "rsquo", 0x2019 }, { "ldquo", 0x201C },
	{ "rdquo", 0x201D }, { "sbquo", 0x201A }, { "bdquo", 0x201E },
	{ "bull", 0x2022 }, { "dagger", 0x2020 }, { "permil", 0x2030 },
	{ "lsaquo", 0x2039 }, { "rsaquo", 0x203A }, { "larr", 0x2190 },
	{ "rarr", 0x2192 }, { "times", 0xD7 }, { "divide", 0xF7 },
	{ "Agrave", 0xC0 }, { "Aacute", 0xC1 }, { "Acirc", 0xC2 },
	{ "Atilde", 0xC3 }, { "Auml", 0xC4 }, { "Aring", 0xC5 },
	{ "AElig", 0xC6 }, { "Ccedil", 0xC7 }, { "Egrave", 0xC8 },
	{ "Eacute", 0xC9 }, { "Ecirc", 0xCA }, { "Euml", 0xCB },
	{ "Igrave", 0xCC }, { "Iacute", 0xCD }, { "Icirc", 0xCE },
	{ "Iuml", 0xCF }, { "ETH", 0xD0 }, { "Ntilde", 0xD1 },
	{ "Ograve", 0xD2 }, { "Oacute", 0xD3 }, { "Ocirc", 0xD4 },
	{ "Otilde", 0xD5 }, { "Ouml", 0xD6 }, { "Oslash", 0xD8 },
	{ "Ugrave", 0xD9 }, { "Uacute", 0xDA }, { "Ucirc", 0xDB },
	{ "Uuml", 0xDC }, { "Yacute", 0xDD }, { "THORN", 0xDE },
	{ "szlig", 0xDF }, { "agrave", 0xE0 }, { "aacute", 0xE1 },
	{ "acirc", 0xE2 }, { "atilde", 0xE3 }, { "auml", 0xE4 },
	{ "aring", 0xE5 }, { "aelig", 0xE6 }, { "ccedil", 0xE7 },
	{ "egrave", 0xE8 }, { "eacute", 0xE9 }, { "ecirc", 0xEA },
	{ "euml", 0xEB }, { "igrave", 0xEC }, { "iacute", 0xED },
	{ "icirc", 0xEE }, { "iuml", 0xEF }, { "eth", 0xF0 },
	{ "ntilde", 0xF1 }, { "ograve", 0xF2 }, { "oacute", 0xF3 },
	{ "ocirc", 0xF4 }, { "otilde", 0xF5 }, { "ouml", 0xF6 },
	{ "oslash", 0xF8 }, { "ugrave", 0xF9 }, { "uacute", 0xFA },
	{ "ucirc", 0xFB }, { "uuml", 0xFC }, { "yacute", 0xFD },
	{ "thorn", 0xFE }, { "yuml", 0xFF }
};

enum ht_kind {
	HT_OTHER,
	HT_A,		/* href kept until </a> */
	HT_AREA,	/* href */
	HT_FORM,	/* action; also a block */
	HT_RAW,		/* script, style: content dropped */
	HT_CELL,	/* td, th: a space */
	HT_BREAK,	/* br, p: a line break, up to one empty line */
	HT_BLOCK	/* ends a line */
};

struct ht_tagkind {
	const char	*name;
	enum ht_kind	 kind;
};

static const struct ht_tagkind ht_tags[] = {
	{ "a", HT_A }, { "area", HT_AREA }, { "form", HT_FORM },
	{ "script", HT_RAW }, { "style", HT_RAW }, { "td", HT_CELL },
	{ "th", HT_CELL }, { "br", HT_BREAK }, { "p", HT_BREAK },
	{ "address", HT_BLOCK }, { "article", HT_BLOCK }, { "aside", HT_BLOCK },
	{ "blockquote", HT_BLOCK }, { "caption", HT_BLOCK }, { "dd", HT_BLOCK },
	{ "div", HT_BLOCK }, { "dl", HT_BLOCK }, { "dt", HT_BLOCK },
	{ "fieldset", HT_BLOCK }, { "figure", HT_BLOCK },
	{ "footer", HT_BLOCK }, { "h1", HT_BLOCK }, { "h2", HT_BLOCK },
	{ "h3", HT_BLOCK }, { "h4", HT_BLOCK }, { "h5", HT_BLOCK },
	{ "h6", HT_BLOCK }, { "header", HT_BLOCK }, { "hr", HT_BLOCK },
	{ "li", HT_BLOCK }, { "main", HT_BLOCK }, { "nav", HT_BLOCK },
	{ "ol", HT_BLOCK }, { "pre", HT_BLOCK }, { "section", HT_BLOCK },
	{ "table", HT_BLOCK }, { "title", HT_BLOCK }, { "tr", HT_BLOCK },
	{ "ul", HT_BLOCK }
};

struct ht {
	struct charset_buf	 out;
	size_t			 max;
	int			 space;		/* whitespace pending */
	int			 full;		/* max reached */
	const char		*href;		/* pending link target */
	size_t			 href_len;
};

static void	ht_putc(struct ht *, const char *, size_t);
static void	ht_text(struct ht *, const char *, size_t);
static void	ht_newline(struct ht *, int);
static size_t	ht_entity(const char *, size_t, char *, size_t *);
static void	ht_link(struct ht *, const char *, size_t);
static size_t	ht_tag(struct ht *, const char *, size_t, size_t);
static void	ht_attr(const char *, size_t, size_t *, char *, size_t,
		    size_t *, size_t *);
static size_t	ht_attrs(struct ht *, const char *, size_t, size_t,
		    enum ht_kind);
static size_t	ht_skip_decl(const char *, size_t, size_t);
static size_t	ht_skip_raw(const char *, size_t, size_t, const char *);
static enum ht_kind ht_kind(const char *);
static size_t	ht_utf8(uint32_t, char *);

static size_t
ht_utf8(uint32_t cp, char *o)
{
	/* what no text should carry becomes U+FFFD */
	if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF ||
	    (cp >= 0x80 && cp < 0xA0))
		cp = 0xFFFD;
	return utf8proc_encode_char((utf8proc_int32_t)cp,
	    (utf8proc_uint8_t *)o);
}

/*
 * Decode the entity at s[0] == '&' into o (up to 4 bytes, *olen of them).
 * Returns the bytes consumed, 0 when it is not an entity (keep the '&').
 */
static size_t
ht_entity(const char *s, size_t len, char *o, size_t *olen)
{
	char		 name[12];
	size_t		 i = 1, n = 0;
	uint32_t	 cp = 0;
	int		 hex = 0, d;

	*olen = 0;
	if (i < len && s[i] == '#') {
		i++;
		if (i < len && (s[i] == 'x' || s[i] == 'X')) {
			hex = 1;
			i++;
		}
		for (; i < len && n < 8; i++, n++) {
			d = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' :
			    hex && (s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f' ?
			    (s[i] | 0x20) - 'a' + 10 : -1;
			if (d < 0)
				break;
			cp = cp * (hex ? 16 : 10) + (uint32_t)d;
		}
		if (n == 0)
			return 0;
		if (i < len && s[i] == ';')
			i++;
		if (cp == 0xA0)		/* &#160; is &nbsp; */
			cp = ' ';
		*olen = ht_utf8(n > 7 ? 0x110000 : cp, o);
		return i;
	}
	while (i < len && n + 1 < sizeof(name) &&
	    ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	    (s[i] >= '0' && s[i] <= '9')))
		name[n++] = s[i++];
	name[n] = '\0';
	if (n == 0)
		return 0;
	for (d = 0; d < (int)(sizeof(ht_entities) / sizeof(ht_entities[0]));
	    d++) {
		if (ht_entities[d].name[0] != name[0] ||
		    ht_entities[d].name[1] != name[1] ||
		    strcmp(name, ht_entities[d].name) != 0)
			continue;
		/* Without ';' only the classic five and nbsp are known. */
		if ((i >= len || s[i] != ';') && d > 5)
			return 0;
		if (ht_entities[d].cp != 0)
			*olen = ht_utf8(ht_entities[d].cp, o);
		return i < len && s[i] == ';' ? i + 1 : i;
	}
	return 0;
}

/* Append n bytes (whole characters), unless the cap is reached. */
static inline void
ht_putc(struct ht *h, const char *c, size_t n)
{
	if (h->full)
		return;
	if (h->out.len + n > h->max) {
		h->full = 1;
		return;
	}
	if (h->out.cap - h->out.len > n) {
		memcpy(h->out.data + h->out.len, c, n);
		h->out.len += n;
	} else if (charset_buf_append(&h->out, c, n) == -1)
		h->full = -1;
}

/* Text with entities, collapsing whitespace. */
static void
ht_text(struct ht *h, const char *s, size_t len)
{
	size_t		 i = 0, run, n, ulen;
	char		 u[4];
	unsigned char	 c;

	while (i < len && !h->full) {
		c = (unsigned char)s[i];
		if (c <= ' ' && (c == ' ' || c == '\t' || c == '\r' ||
		    c == '\n' || c == '\f')) {
			h->space = 1;
			i++;
			continue;
		}
		if (h->space && h->out.len > 0 &&
		    h->out.data[h->out.len - 1] != '\n' &&
		    h->out.data[h->out.len - 1] != ' ')
			ht_putc(h, " ", 1);
		h->space = 0;
		if (c == '&' && (n = ht_entity(s + i, len - i, u, &ulen)) > 0) {
			if (ulen == 1 && u[0] == ' ')
				h->space = 1;
			else
				ht_putc(h, u, ulen);
			i += n;
			continue;
		}
		if (c == 0) {
			ht_putc(h, "\xEF\xBF\xBD", 3);
			i++;
			continue;
		}
		for (run = 1; i + run < len; run++) {
			c = (unsigned char)s[i + run];
			if (c <= ' ' || c == '&')
				break;
		}
		if (h->out.len + run > h->max) {
			/* Cut at a character boundary. */
			run = h->max - h->out.len;
			while (run > 0 && ((unsigned char)s[i + run] & 0xC0) ==
			    0x80)
				run--;
			ht_putc(h, s + i, run);
			h->full = 1;
			return;
		}
		ht_putc(h, s + i, run);
		i += run;
	}
}

/* End the current line; at most two line breaks in a row. */
static void
ht_newline(struct ht *h, int force)
{
	size_t	 n = h->out.len;

	h->space = 0;
	if (n == 0)
		return;
	if (h->out.data[n - 1] != '\n' || (force && (n < 2 ||
	    h->out.data[n - 2] != '\n')))
		ht_putc(h, "\n", 1);
}

/* Write a link target (entities decoded) as " <URL>". */
static void
ht_link(struct ht *h, const char *url, size_t len)
{
	while (len > 0 && (unsigned char)*url <= ' ') {
		url++;
		len--;
	}
	while (len > 0 && (unsigned char)url[len - 1] <= ' ')
		len--;
	if (len == 0 || url[0] == '#')
		return;
	if (h->out.len > 0 && h->out.data[h->out.len - 1] != '\n')
		ht_putc(h, " ", 1);
	ht_putc(h, "<", 1);
	h->space = 0;
	ht_text(h, url, len);
	ht_putc(h, ">", 1);
	h->space = 1;
}

static enum ht_kind
ht_kind(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(ht_tags) / sizeof(ht_tags[0]); i++)
		if (ht_tags[i].name[0] == name[0] &&
		    strcmp(name, ht_tags[i].name) == 0)
			return ht_tags[i].kind;
	return HT_OTHER;
}

/* Offset of "</name" (case-insensitive) from off, or len. */
static size_t
ht_skip_raw(const char *s, size_t len, size_t off, const char *name)
{
	size_t		 n = strlen(name);
	const char	*p;

	while (off < len && (p = memchr(s + off, '<', len - off)) != NULL) {
		off = (size_t)(p - s);
		if (off + 2 + n <= len && s[off + 1] == '/' &&
		    strncasecmp(s + off + 2, name, n) == 0)
			return off;
		off++;
	}
	return len;
}

/*
 * One attribute at s[*off]: its name (lower-cased, truncated) into attr
 * and its value span into *vb, *ve (empty without '='). Advances *off.
 */
static void
ht_attr(const char *s, size_t len, size_t *off, char *attr, size_t asz,
    size_t *vb, size_t *ve)
{
	size_t	 i = *off, an = 0;
	char	 q;

	for (; i < len && s[i] != '=' && s[i] != '>' &&
	    (unsigned char)s[i] > ' '; i++)
		if (an + 1 < asz)
			attr[an++] = (char)(s[i] | 0x20);
	attr[an] = '\0';
	while (i < len && (unsigned char)s[i] <= ' ')
		i++;
	*vb = *ve = i;
	if (i < len && s[i] == '=') {
		for (i++; i < len && (unsigned char)s[i] <= ' '; i++)
			;
		if (i < len && (s[i] == '"' || s[i] == '\'')) {
			q = s[i++];
			for (*vb = i; i < len && s[i] != q; i++)
				;
			*ve = i;
			if (i < len)
				i++;
		} else {
			for (*vb = i; i < len && (unsigned char)s[i] > ' ' &&
			    s[i] != '>'; i++)
				;
			*ve = i;
		}
	}
	*off = i;
}

/* The attributes of an opening tag up to '>': link targets kept. */
static size_t
ht_attrs(struct ht *h, const char *s, size_t len, size_t i,
    enum ht_kind kind)
{
	char	 attr[8];
	size_t	 vb, ve;

	while (i < len && s[i] != '>') {
		if ((unsigned char)s[i] <= ' ' || s[i] == '/') {
			i++;
			continue;
		}
		ht_attr(s, len, &i, attr, sizeof(attr), &vb, &ve);
		if (kind == HT_A && strcmp(attr, "href") == 0) {
			if (h->href != NULL)
				ht_link(h, h->href, h->href_len);
			h->href = s + vb;
			h->href_len = ve - vb;
		} else if ((kind == HT_AREA && strcmp(attr, "href") == 0) ||
		    (kind == HT_FORM && strcmp(attr, "action") == 0))
			ht_link(h, s + vb, ve - vb);
	}
	return i < len ? i + 1 : len;
}

/* Comments, doctype and processing instructions: skipped whole. */
static size_t
ht_skip_decl(const char *s, size_t len, size_t i)
{
	const char	*p;

	if (s[i] == '!' && i + 2 < len && s[i + 1] == '-' && s[i + 2] == '-') {
		p = memmem(s + i + 3, len - i - 3, "-->", 3);
		return p ? (size_t)(p - s) + 3 : len;
	}
	p = memchr(s + i, '>', len - i);
	return p ? (size_t)(p - s) + 1 : len;
}

/*
 * The markup at s[off] == '<': act on it and return the offset after it
 * (after a skipped script/style element too). A '<' that does not start
 * markup is text.
 */
static size_t
ht_tag(struct ht *h, const char *s, size_t len, size_t off)
{
	char		 name[16];
	size_t		 i = off + 1, n = 0;
	int		 close = 0;
	enum ht_kind	 kind;

	if (i < len && (s[i] == '!' || s[i] == '?'))
		return ht_skip_decl(s, len, i);
	if (i < len && s[i] == '/') {
		close = 1;
		i++;
	}
	if (i >= len || !((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')) {
		ht_text(h, "<", 1);
		return off + 1;
	}
	while (i < len && (((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') ||
	    (s[i] >= '0' && s[i] <= '9'))) {
		if (n + 1 < sizeof(name))
			name[n++] = (char)(s[i] | 0x20);
		i++;
	}
	name[n] = '\0';
	kind = ht_kind(name);
	i = ht_attrs(h, s, len, i, close ? HT_OTHER : kind);
	switch (kind) {
	case HT_A:
		if (close && h->href != NULL) {
			ht_link(h, h->href, h->href_len);
			h->href = NULL;
		}
		break;
	case HT_RAW:
		if (!close && s[i - 2] != '/')
			i = ht_skip_raw(s, len, i, name);
		break;
	case HT_CELL:
		h->space = 1;
		break;
	case HT_BREAK:
		ht_newline(h, 1);
		break;
	case HT_FORM:
	case HT_BLOCK:
		ht_newline(h, 0);
		break;
	default:
		break;
	}
	return i;
}

int
html_to_text(const char *s, size_t len, size_t max_out, char **out,
    size_t *outlen, int *truncated)
{
	struct ht	 h;
	size_t		 off = 0, run;
	const char	*lt;

	memset(&h, 0, sizeof(h));
	h.max = max_out;
	*out = NULL;
	if (charset_buf_reserve(&h.out, len / 2 + 16) == -1)
		return -1;
	while (off < len && !h.full) {
		lt = memchr(s + off, '<', len - off);
		run = lt ? (size_t)(lt - (s + off)) : len - off;
		ht_text(&h, s + off, run);
		off += run;
		if (off < len)
			off = ht_tag(&h, s, len, off);
	}
	if (h.href != NULL && !h.full)
		ht_link(&h, h.href, h.href_len);
	if (h.full == -1) {
		charset_buf_free(&h.out);
		return -1;
	}
	while (h.out.len > 0 && (h.out.data[h.out.len - 1] == '\n' ||
	    h.out.data[h.out.len - 1] == ' '))
		h.out.len--;
	h.out.data[h.out.len] = '\0';
	if (truncated != NULL)
		*truncated = h.full == 1;
	if (outlen != NULL)
		*outlen = h.out.len;
	*out = h.out.data;
	return 0;
}
