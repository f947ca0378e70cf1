/*
 * mime_header.c - RFC 5322 header blocks and the values in them: folding,
 * RFC 2047 encoded words, Content-Type style parameters with RFC 2231
 * continuations and charsets, and addresses.
 *
 * Input is untrusted bytes with CRLF or bare LF line endings. A header
 * block ends at the first empty line; lines without a colon are skipped
 * (a first line that is not a header means the entity has no headers).
 * Limits: max_header_bytes and max_headers per block, 64 parameters per
 * value (more are ignored), 100 RFC 2231 sections per parameter, 64 bytes
 * of charset name in an encoded word. Every scan is linear in the value.
 * Nothing is printed; every allocation goes to the caller's arena or
 * buffers.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* memmem */
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"
#include "mime.h"
#include "report.h"
#include "mime_impl.h"

#define PARAMS_MAX	64	/* raw parameters looked at in one value */
#define SECTIONS_MAX	100	/* RFC 2231 name*0 .. name*99 */
#define EW_CHARSET_MAX	64	/* bytes of an encoded word's charset */

struct raw_param {
	const char	*attr;		/* base name, without "*N*" */
	size_t		 alen;
	const char	*val;		/* as written, quotes removed */
	size_t		 vlen;
	int		 quoted;	/* val holds backslash escapes */
	int		 sec;		/* RFC 2231 section, -1 if none */
	int		 ext;		/* trailing '*': charset'lang'%XX */
	int		 used;
};

/* An encoded word "=?cs?E?text?=" found in a value. */
struct ew {
	const char	*cs;		/* charset (may hold "*lang") */
	size_t		 cslen;
	int		 enc;		/* 'B' or 'Q' */
	const char	*text;
	size_t		 tlen;
	size_t		 end;		/* offset after "?=" */
};

/*
 * No encoded word has its text start in [from, to): a scan from "from" met
 * whitespace or the end at "to" before any "?=". Remembering it keeps the
 * search linear on values like "=?a?q?x=?a?q?x=?a?q?x...".
 */
struct ew_miss {
	size_t		 from;
	size_t		 to;
};

static int	hdr_is_wsp(int);
static size_t	hdr_line(const char *, size_t, size_t, size_t *);
static int	hdr_name_len(const char *, size_t, size_t *);
static int	hdr_add(struct mime_arena *, struct mime_hblock *, size_t *,
		    const char *, size_t, const char *, size_t);
static int	hdr_values(struct mime_arena *, struct charset_buf *,
		    struct mime_hblock *);
static unsigned	hdr_class(const unsigned char *, size_t);
static char	*hdr_unfold_ascii(struct mime_arena *, const char *, size_t);
static int	ew_parse(const char *, size_t, size_t, struct ew *,
		    struct ew_miss *);
static int	ew_decode(struct charset_buf *, int, const char *, size_t);
static int	emit_literal(struct charset_buf *, const char *, size_t,
		    unsigned *);
static int	emit_pending(struct charset_buf *, struct charset_buf *,
		    const char *, size_t, unsigned *);
static size_t	params_scan(const char *, size_t, size_t,
		    struct raw_param *, size_t);
static int	param_value(struct charset_buf *, struct raw_param *, size_t,
		    size_t, unsigned *);
static int	param_append(struct charset_buf *, const struct raw_param *,
		    int);
static size_t	addr_skip_unit(const char *, size_t, size_t,
		    struct ew_miss *);
static int	addr_copy(const char *, size_t, size_t, char *, size_t);
static size_t	param_pick(const struct raw_param *, size_t, size_t);
static void	param_charset(const struct raw_param *, const char **,
		    size_t *);

static int
hdr_is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/*
 * The line starting at off: returns the offset after its line ending (or
 * len) and sets *end to the offset of its content end (before CR LF / LF).
 */
static size_t
hdr_line(const char *buf, size_t len, size_t off, size_t *end)
{
	const char	*nl;

	nl = memchr(buf + off, '\n', len - off);
	if (nl == NULL) {
		*end = len;
		return len;
	}
	*end = (size_t)(nl - buf);
	if (*end > off && buf[*end - 1] == '\r')
		(*end)--;
	return (size_t)(nl - buf) + 1;
}

/*
 * Whether the line buf[0..len) starts a header field: a name of printable
 * ASCII (obsolete whitespace before the colon allowed). Sets *nlen to the
 * name length. Returns 1 or 0.
 */
static int
hdr_name_len(const char *buf, size_t len, size_t *nlen)
{
	size_t	 i, n;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == ':')
			break;
		if (c <= ' ' || c >= 0x7F) {
			n = i;
			while (i < len && hdr_is_wsp(buf[i]))
				i++;
			if (i < len && buf[i] == ':' && n > 0) {
				*nlen = n;
				return 1;
			}
			return 0;
		}
	}
	if (i == len || i == 0)
		return 0;
	*nlen = i;
	return 1;
}

/* Append one header (name and raw span); grows the array in the arena. */
static int
hdr_add(struct mime_arena *a, struct mime_hblock *hb, size_t *cap,
    const char *name, size_t nlen, const char *raw, size_t rlen)
{
	struct mime_header	*nh;
	size_t			 ncap;

	if (hb->n_headers == *cap) {
		ncap = *cap ? *cap * 2 : 16;
		nh = mime_arena_alloc(a, ncap * sizeof(*nh));
		if (nh == NULL)
			return -1;
		if (hb->n_headers > 0)
			memcpy(nh, hb->headers, hb->n_headers * sizeof(*nh));
		hb->headers = nh;
		*cap = ncap;
	}
	nh = &hb->headers[hb->n_headers];
	if ((nh->name = mime_arena_strndup(a, name, nlen)) == NULL)
		return -1;
	nh->raw = raw;
	nh->raw_len = rlen;
	nh->value = NULL;
	hb->n_headers++;
	return 0;
}

/*
 * Parse the header block at the start of buf into out (headers allocated in
 * a, values decoded through scratch). With skip_mbox, a leading mbox
 * "From " line is skipped. Never fails on bad input: defects go to
 * out->flags. Returns 0, or -1 on ENOMEM.
 */
int
mime_headers_parse(struct mime_arena *a, const struct mime_limits *lim,
    struct charset_buf *scratch, const char *buf, size_t len, int skip_mbox,
    struct mime_hblock *out)
{
	size_t	 off = 0, next, end, nlen, cap = 0, start, i;
	int	 first = 1, open = 0;

	memset(out, 0, sizeof(*out));
	if (skip_mbox && len > 5 && memcmp(buf, "From ", 5) == 0) {
		for (i = 5; i < len && hdr_is_wsp(buf[i]); i++)
			;
		if (i < len && buf[i] != ':')
			off = hdr_line(buf, len, 0, &end);
	}
	start = off;
	for (;;) {
		if (off >= len) {
			if (len > 0)	/* an empty entity is not a defect */
				out->flags |= MIME_F_NO_SEPARATOR;
			out->body_off = out->header_len = len;
			break;
		}
		next = hdr_line(buf, len, off, &end);
		if (end == off) {		/* the empty line */
			out->header_len = off;
			out->body_off = next;
			break;
		}
		if (next - start > lim->max_header_bytes) {
			out->flags |= MIME_F_HEADER_LIMIT;
			open = 0;
		} else if (hdr_is_wsp(buf[off])) {
			if (open) {
				struct mime_header *h;

				h = &out->headers[out->n_headers - 1];
				h->raw_len = (size_t)(buf + end - h->raw);
			} else if (first) {
				out->flags |= MIME_F_BAD_HEADER;
				out->header_len = out->body_off = off;
				break;
			} else
				out->flags |= MIME_F_BAD_HEADER;
		} else if (!hdr_name_len(buf + off, end - off, &nlen)) {
			out->flags |= MIME_F_BAD_HEADER;
			if (first) {
				out->header_len = out->body_off = off;
				break;
			}
			open = 0;
		} else if (out->n_headers >= lim->max_headers) {
			out->flags |= MIME_F_HEADER_LIMIT;
			open = 0;
		} else {
			const char *v = (const char *)memchr(buf + off, ':',
			    end - off) + 1;

			if (hdr_add(a, out, &cap, buf + off, nlen, v,
			    (size_t)(buf + end - v)) == -1)
				return -1;
			open = 1;
		}
		first = 0;
		off = next;
	}
	return hdr_values(a, scratch, out);
}

#define HC_FOLD		0x01	/* CR, LF or TAB: unfold */
#define HC_8BIT		0x02	/* bytes >= 0x80 */
#define HC_CTL		0x04	/* NUL or another control byte */
#define HC_EW		0x08	/* "=?": maybe an encoded word */

#define HC_ONES		0x0101010101010101ULL
#define HC_HIGH		0x8080808080808080ULL

/*
 * What a header value holds that needs work (HC_* bits). Eight bytes at a
 * time: a word is looked at byte by byte only when it has a byte that is
 * >= 0x80, < 0x20 or '='.
 */
static unsigned
hdr_class(const unsigned char *r, size_t n)
{
	uint64_t	 w, q;
	size_t		 i = 0;
	unsigned	 cl = 0;
	unsigned char	 c;

	while (i < n) {
		if (i + 8 <= n) {
			memcpy(&w, r + i, 8);
			q = w ^ (HC_ONES * '=');
			if (((w & HC_HIGH) | ((w - HC_ONES * 0x20) & ~w & HC_HIGH) |
			    ((q - HC_ONES) & ~q & HC_HIGH)) == 0) {
				i += 8;
				continue;
			}
		}
		c = r[i];
		if (c >= 0x80)
			cl |= HC_8BIT;
		else if (c == '\r' || c == '\n' || c == '\t')
			cl |= HC_FOLD;
		else if (c < 0x20)
			cl |= HC_CTL;
		else if (c == '=' && i + 1 < n && r[i + 1] == '?')
			cl |= HC_EW;
		i++;
	}
	return cl;
}

/* Unfold printable ASCII: CR and LF dropped, TAB to space, trimmed. */
static char *
hdr_unfold_ascii(struct mime_arena *a, const char *s, size_t n)
{
	char	*p, *o;
	size_t	 i;

	if ((p = mime_arena_alloc(a, n + 1)) == NULL)
		return NULL;
	for (o = p, i = 0; i < n; i++) {
		if (s[i] == '\r' || s[i] == '\n')
			continue;
		*o++ = s[i] == '\t' ? ' ' : s[i];
	}
	while (o > p && o[-1] == ' ')
		o--;
	*o = '\0';
	return p;
}

/* Decode every header value of hb into the arena. */
static int
hdr_values(struct mime_arena *a, struct charset_buf *scratch,
    struct mime_hblock *hb)
{
	struct mime_header	*h;
	const unsigned char	*r;
	size_t			 i, b, e;
	unsigned		 cl;

	for (i = 0; i < hb->n_headers; i++) {
		h = &hb->headers[i];
		r = (const unsigned char *)h->raw;
		for (b = 0; b < h->raw_len && (hdr_is_wsp(r[b]) ||
		    r[b] == '\r' || r[b] == '\n'); b++)
			;
		for (e = h->raw_len; e > b && (hdr_is_wsp(r[e - 1]) ||
		    r[e - 1] == '\r' || r[e - 1] == '\n'); e--)
			;
		cl = hdr_class(r + b, e - b);
		if (cl & HC_8BIT)
			hb->flags |= MIME_F_8BIT_HEADER;
		if (cl == 0)
			h->value = mime_arena_strndup(a, h->raw + b, e - b);
		else if (cl == HC_FOLD)
			h->value = hdr_unfold_ascii(a, h->raw + b, e - b);
		else {
			scratch->len = 0;
			if (mime_header_decode_buf(scratch, h->raw + b, e - b,
			    &hb->flags) == -1)
				return -1;
			h->value = mime_arena_strndup(a, scratch->data,
			    scratch->len);
		}
		if (h->value == NULL)
			return -1;
	}
	return 0;
}

/*
 * Whether an encoded word starts at s[i]; fills w when it does. miss
 * carries what failed scans learnt between calls on the same value.
 * Returns 1 or 0.
 */
static int
ew_parse(const char *s, size_t len, size_t i, struct ew *w,
    struct ew_miss *miss)
{
	size_t	 j, k, t;

	if (i + 8 > len || s[i] != '=' || s[i + 1] != '?')
		return 0;
	for (j = i + 2; j < len && s[j] != '?'; j++)
		if ((unsigned char)s[j] <= ' ' || j - i > EW_CHARSET_MAX)
			return 0;
	if (j == i + 2 || j + 2 >= len || s[j + 2] != '?')
		return 0;
	if (s[j + 1] == 'B' || s[j + 1] == 'b')
		w->enc = 'B';
	else if (s[j + 1] == 'Q' || s[j + 1] == 'q')
		w->enc = 'Q';
	else
		return 0;
	t = j + 3;
	if (t >= miss->from && t < miss->to)
		return 0;
	for (k = t; k + 1 < len; k++) {
		if ((unsigned char)s[k] <= ' ')
			break;
		if (s[k] == '?' && s[k + 1] == '=')
			break;
	}
	if (k + 1 >= len || s[k] != '?') {
		miss->from = t;
		miss->to = k;
		return 0;
	}
	w->cs = s + i + 2;
	w->cslen = j - (i + 2);
	w->text = s + t;
	w->tlen = k - t;
	w->end = k + 2;
	return 1;
}

/* Append the bytes an encoded word's text stands for to pend. */
static int
ew_decode(struct charset_buf *pend, int enc, const char *t, size_t n)
{
	unsigned	 fl = 0;
	size_t		 i;
	char		*o;
	int		 hi, lo;

	if (charset_buf_reserve(pend, n + 3) == -1)
		return -1;
	o = pend->data + pend->len;
	if (enc == 'B')
		o += mime_base64_decode(t, n, o, n + 3, &fl);
	else {
		for (i = 0; i < n; i++) {
			if (t[i] == '_')
				*o++ = ' ';
			else if (t[i] == '=' && i + 2 < n &&
			    (hi = text_hexval(t[i + 1])) >= 0 &&
			    (lo = text_hexval(t[i + 2])) >= 0) {
				*o++ = (char)(hi << 4 | lo);
				i += 2;
			} else
				*o++ = t[i];
		}
	}
	pend->len = (size_t)(o - pend->data);
	pend->data[pend->len] = '\0';
	return 0;
}

/*
 * Literal (not encoded) header text: CR and LF dropped (unfolding), 8-bit
 * bytes read as UTF-8 when well-formed, else windows-1252.
 */
static int
emit_literal(struct charset_buf *out, const char *s, size_t n, unsigned *fl)
{
	size_t		 i, run;
	unsigned	 cf = 0;

	for (i = 0; i < n; i += run) {
		if (s[i] == '\r' || s[i] == '\n') {
			run = 1;
			continue;
		}
		for (run = 0; i + run < n && s[i + run] != '\r' &&
		    s[i + run] != '\n'; run++)
			;
		if (charset_append_utf8(out, NULL, 0, s + i, run, SIZE_MAX,
		    &cf) == -1)
			return -1;
	}
	if (cf & CHARSET_F_INVALID)
		*fl |= MIME_F_BAD_TEXT;
	return 0;
}

/* Convert the joined bytes of adjacent encoded words and empty pend. */
static int
emit_pending(struct charset_buf *out, struct charset_buf *pend,
    const char *cs, size_t cslen, unsigned *fl)
{
	unsigned	 cf = 0;

	if (pend->len == 0)
		return 0;
	if (charset_append_utf8(out, cs, cslen, pend->data, pend->len,
	    SIZE_MAX, &cf) == -1)
		return -1;
	if (cf & CHARSET_F_UNKNOWN)
		*fl |= MIME_F_BAD_CHARSET;
	if (cf & CHARSET_F_INVALID)
		*fl |= MIME_F_BAD_TEXT;
	pend->len = 0;
	return 0;
}

/*
 * mime_header_decode() into out (appended), MIME_F_* defects ORed into
 * *flags. Returns 0, or -1 on ENOMEM.
 */
int
mime_header_decode_buf(struct charset_buf *out, const char *raw, size_t len,
    unsigned *flags)
{
	struct charset_buf	 pend = { NULL, 0, 0 };
	struct ew		 w;
	struct ew_miss		 miss = { 0, 0 };
	const char		*cs = NULL, *eq;
	size_t			 start = out->len, i, lit, cslen = 0, k;
	int			 prev_ew = 0, rc = -1;

	if (charset_buf_reserve(out, len) == -1)
		return -1;
	i = 0;
	while (i < len && (hdr_is_wsp(raw[i]) || raw[i] == '\r' ||
	    raw[i] == '\n'))
		i++;
	lit = i;
	while (i < len) {
		eq = memchr(raw + i, '=', len - i);
		if (eq == NULL)
			break;
		i = (size_t)(eq - raw);
		if (!ew_parse(raw, len, i, &w, &miss)) {
			i++;
			continue;
		}
		for (k = lit; k < i && (hdr_is_wsp(raw[k]) || raw[k] == '\r' ||
		    raw[k] == '\n'); k++)
			;
		if (!prev_ew || k < i) {
			if (emit_pending(out, &pend, cs, cslen, flags) == -1 ||
			    emit_literal(out, raw + lit, i - lit, flags) == -1)
				goto done;
		} else if (cslen != w.cslen ||
		    strncasecmp(cs, w.cs, cslen) != 0)
			if (emit_pending(out, &pend, cs, cslen, flags) == -1)
				goto done;
		cs = w.cs;
		cslen = w.cslen;
		if (ew_decode(&pend, w.enc, w.text, w.tlen) == -1)
			goto done;
		prev_ew = 1;
		i = lit = w.end;
	}
	if (emit_pending(out, &pend, cs, cslen, flags) == -1 ||
	    emit_literal(out, raw + lit, len - lit, flags) == -1)
		goto done;
	for (k = start; k < out->len; k++)
		if (out->data[k] == '\t' || out->data[k] == '\r' ||
		    out->data[k] == '\n')
			out->data[k] = ' ';
	while (out->len > start && out->data[out->len - 1] == ' ')
		out->len--;
	out->data[out->len] = '\0';
	rc = 0;
done:
	charset_buf_free(&pend);
	if (rc == -1) {
		out->len = start;
		out->data[start] = '\0';
	}
	return rc;
}

int
mime_header_decode(const char *raw, size_t len, char **out)
{
	struct charset_buf	 b = { NULL, 0, 0 };
	unsigned		 fl = 0;

	*out = NULL;
	if (mime_header_decode_buf(&b, raw, len, &fl) == -1) {
		charset_buf_free(&b);
		return -1;
	}
	*out = b.data;
	return 0;
}

/*
 * Whether s[0..n) is a non-empty MIME token (RFC 2045: printable ASCII
 * without specials; '*' and '\'' allowed, as RFC 2231 names use them).
 */
int
mime_token_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7F ||
		    strchr("()<>@,;:\\\"/[]?=", s[i]) != NULL)
			return 0;
	return 1;
}

/* Skip whitespace and (nested) comments from off. */
size_t
mime_skip_cfws(const char *s, size_t len, size_t off)
{
	int	 depth;

	while (off < len) {
		if (hdr_is_wsp(s[off]) || s[off] == '\r' || s[off] == '\n')
			off++;
		else if (s[off] == '(') {
			for (depth = 0; off < len; off++) {
				if (s[off] == '\\' && off + 1 < len)
					off++;
				else if (s[off] == '(')
					depth++;
				else if (s[off] == ')' && --depth == 0) {
					off++;
					break;
				}
			}
		} else
			break;
	}
	return off;
}

/*
 * Split "attr=value; attr=value ..." from off into rp (at most max).
 * Returns how many were found.
 */
static size_t
params_scan(const char *s, size_t len, size_t off, struct raw_param *rp,
    size_t max)
{
	size_t		 n = 0, a, q;
	const char	*star;

	while (off < len && n < max) {
		off = mime_skip_cfws(s, len, off);
		if (off < len && s[off] == ';') {
			off++;
			continue;
		}
		for (a = off; off < len && s[off] != '=' && s[off] != ';' &&
		    (unsigned char)s[off] > ' ' && s[off] != '(' &&
		    s[off] != '"'; off++)
			;
		if (off == a || !mime_token_ok(s + a, off - a)) {
			/* Not a parameter name: skip to the next ';'. */
			while (off < len && s[off] != ';')
				off++;
			continue;
		}
		memset(&rp[n], 0, sizeof(rp[n]));
		rp[n].attr = s + a;
		rp[n].alen = off - a;
		rp[n].sec = -1;
		off = mime_skip_cfws(s, len, off);
		if (off >= len || s[off] != '=')
			continue;
		off = mime_skip_cfws(s, len, off + 1);
		if (off < len && s[off] == '"') {
			for (q = ++off; off < len && s[off] != '"'; off++)
				if (s[off] == '\\' && off + 1 < len)
					off++;
			rp[n].val = s + q;
			rp[n].vlen = off - q;
			rp[n].quoted = 1;
			if (off < len)
				off++;
		} else {
			for (q = off; off < len && s[off] != ';' &&
			    (unsigned char)s[off] > ' '; off++)
				;
			rp[n].val = s + q;
			rp[n].vlen = off - q;
		}
		/* RFC 2231: name*, name*N, name*N* */
		star = memchr(rp[n].attr, '*', rp[n].alen);
		if (star != NULL) {
			const char	*t = star + 1, *e = rp[n].attr + rp[n].alen;
			int		 sec = 0, digits = 0;

			while (t < e && *t >= '0' && *t <= '9' && digits < 3) {
				sec = sec * 10 + (*t++ - '0');
				digits++;
			}
			if (digits == 0)		/* name* */
				rp[n].ext = 1;
			else if (t < e && *t == '*') {	/* name*N* */
				rp[n].ext = 1;
				t++;
			}
			if (t == e && (digits > 0 || rp[n].ext) &&
			    sec < SECTIONS_MAX) {
				rp[n].sec = digits > 0 ? sec : -1;
				rp[n].alen = (size_t)(star - rp[n].attr);
			}
		}
		if (rp[n].alen > 0)
			n++;
	}
	return n;
}

/*
 * Append one section's bytes: quoted-pair unescaped, and %XX decoded when
 * ext (skip_cs: the section starts with charset'lang' to drop).
 */
static int
param_append(struct charset_buf *b, const struct raw_param *p, int skip_cs)
{
	const char	*v = p->val, *e = p->val + p->vlen, *q;
	int		 hi, lo;
	char		 c;

	if (skip_cs && (q = memchr(v, '\'', p->vlen)) != NULL &&
	    (q = memchr(q + 1, '\'', (size_t)(e - q - 1))) != NULL)
		v = q + 1;
	for (; v < e; v++) {
		c = *v;
		if (p->quoted && c == '\\' && v + 1 < e)
			c = *++v;
		else if (p->ext && c == '%' && e - v > 2 &&
		    (hi = text_hexval(v[1])) >= 0 && (lo = text_hexval(v[2])) >= 0) {
			c = (char)(hi << 4 | lo);
			v += 2;
		}
		if (charset_buf_append(b, &c, 1) == -1)
			return -1;
	}
	return 0;
}

/* The charset of an extended value "charset'lang'text", if any. */
static void
param_charset(const struct raw_param *p, const char **cs, size_t *cslen)
{
	const char	*q;

	if (p->ext && (q = memchr(p->val, '\'', p->vlen)) != NULL) {
		*cs = p->val;
		*cslen = (size_t)(q - p->val);
	}
}

/*
 * The UTF-8 value of parameter rp[i] (with its RFC 2231 sections among the
 * n raw parameters), appended to out; marks what it used. A plain value
 * may hold RFC 2047 encoded words (Outlook writes names that way).
 */
static int
param_value(struct charset_buf *out, struct raw_param *rp, size_t n,
    size_t i, unsigned *flags)
{
	struct charset_buf	 bytes = { NULL, 0, 0 };
	const char		*cs = NULL;
	size_t			 cslen = 0, j;
	int			 sec, found, rc = -1;
	unsigned		 cf = 0;

	if (charset_buf_reserve(&bytes, rp[i].vlen) == -1)
		return -1;
	if (rp[i].sec < 0) {
		param_charset(&rp[i], &cs, &cslen);
		if (param_append(&bytes, &rp[i], rp[i].ext) == -1)
			goto done;
		rp[i].used = 1;
		if (!rp[i].ext && memmem(bytes.data, bytes.len, "=?", 2)) {
			rc = mime_header_decode_buf(out, bytes.data, bytes.len,
			    flags);
			goto done;
		}
	} else {
		for (sec = 0; sec < SECTIONS_MAX; sec++) {
			for (found = 0, j = 0; j < n && !found; j++) {
				if (rp[j].used || rp[j].sec != sec ||
				    rp[j].alen != rp[i].alen ||
				    strncasecmp(rp[j].attr, rp[i].attr,
				    rp[i].alen) != 0)
					continue;
				if (sec == 0)
					param_charset(&rp[j], &cs, &cslen);
				if (param_append(&bytes, &rp[j], sec == 0 &&
				    rp[j].ext) == -1)
					goto done;
				rp[j].used = found = 1;
			}
			if (!found)
				break;
		}
	}
	rc = charset_append_utf8(out, cs, cslen, bytes.data, bytes.len,
	    SIZE_MAX, &cf);
done:
	if (cf & CHARSET_F_UNKNOWN)
		*flags |= MIME_F_BAD_CHARSET;
	if (cf & CHARSET_F_INVALID)
		*flags |= MIME_F_BAD_TEXT;
	charset_buf_free(&bytes);
	return rc;
}

/*
 * Which raw parameter gives the value of rp[i]'s name: a later RFC 2231
 * form of the same name is preferred to a plain value.
 */
static size_t
param_pick(const struct raw_param *rp, size_t n, size_t i)
{
	size_t	 k;

	if (rp[i].sec >= 0 || rp[i].ext)
		return i;
	for (k = i + 1; k < n; k++)
		if (!rp[k].used && (rp[k].sec >= 0 || rp[k].ext) &&
		    rp[k].alen == rp[i].alen &&
		    strncasecmp(rp[k].attr, rp[i].attr, rp[i].alen) == 0)
			return k;
	return i;
}

/*
 * Parse a Content-Type or Content-Disposition value (raw, folded): the
 * lower-cased main value ("text/plain", "attachment") into *value and the
 * parameters into *params, all in the arena. scratch points to two
 * buffers. Returns 0, or -1 on ENOMEM.
 */
int
mime_params_parse(struct mime_arena *a, struct charset_buf *scratch,
    const char *raw, size_t len, char **value, struct mime_param **params,
    size_t *n_params, unsigned *flags)
{
	struct raw_param	 rp[PARAMS_MAX];
	struct charset_buf	*s = &scratch[0], *v = &scratch[1];
	struct mime_param	*out;
	size_t			 off, start, n, i, j, k, np = 0;
	char			*name;

	*value = NULL;
	*params = NULL;
	*n_params = 0;
	s->len = 0;
	if (charset_buf_reserve(s, len) == -1)
		return -1;
	for (i = 0; i < len; i++)	/* unfold */
		if (raw[i] != '\r' && raw[i] != '\n')
			s->data[s->len++] = raw[i];
	s->data[s->len] = '\0';
	off = mime_skip_cfws(s->data, s->len, 0);
	for (start = off; off < s->len && s->data[off] != ';' &&
	    (unsigned char)s->data[off] > ' ' && s->data[off] != '('; off++)
		s->data[off] = (char)(s->data[off] >= 'A' &&
		    s->data[off] <= 'Z' ? s->data[off] + 32 : s->data[off]);
	if ((*value = mime_arena_strndup(a, s->data + start, off - start)) ==
	    NULL)
		return -1;
	n = params_scan(s->data, s->len, off, rp, PARAMS_MAX);
	if (n == 0)
		return 0;
	if ((out = mime_arena_alloc(a, n * sizeof(*out))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (rp[i].used)
			continue;
		for (j = 0; j < np; j++)	/* first one wins */
			if (strlen(out[j].name) == rp[i].alen &&
			    strncasecmp(out[j].name, rp[i].attr,
			    rp[i].alen) == 0)
				break;
		if (j < np)
			continue;
		v->len = 0;
		if (param_value(v, rp, n, param_pick(rp, n, i), flags) == -1)
			return -1;
		rp[i].used = 1;
		if ((name = mime_arena_strndup(a, rp[i].attr, rp[i].alen)) ==
		    NULL || (out[np].value = mime_arena_strndup(a,
		    v->data ? v->data : "", v->len)) == NULL)
			return -1;
		for (k = 0; name[k] != '\0'; k++)
			if (name[k] >= 'A' && name[k] <= 'Z')
				name[k] += 32;
		out[np++].name = name;
	}
	*params = out;
	*n_params = np;
	return 0;
}

/*
 * Skip what an address parser steps over as a unit from off: a quoted
 * string, a comment or (with miss) an encoded word. Returns the offset
 * after it, or off when none starts there.
 */
static size_t
addr_skip_unit(const char *s, size_t len, size_t off, struct ew_miss *miss)
{
	struct ew	 w;

	if (s[off] == '(')
		return mime_skip_cfws(s, len, off);
	if (s[off] == '"') {
		for (off++; off < len && s[off] != '"'; off++)
			if (s[off] == '\\' && off + 1 < len)
				off++;
		return off < len ? off + 1 : len;
	}
	if (miss != NULL && ew_parse(s, len, off, &w, miss))
		return w.end;
	return off;
}

/*
 * Copy the addr-spec in s[b..e) to out without whitespace and comments
 * outside quotes, dropping an obsolete route ("@a,@b:"), lower-casing the
 * domain. Returns 0, or -1 when it is not local@domain or does not fit.
 */
static int
addr_copy(const char *s, size_t b, size_t e, char *out, size_t outlen)
{
	size_t	 n = 0, at = 0, i, u;
	int	 c, seen_at = 0;

	if (b < e && s[b] == '@') {
		for (i = b; i < e && s[i] != ':'; i++)
			;
		if (i == e)
			return -1;
		b = i + 1;
	}
	for (i = b; i < e; i++) {
		c = (unsigned char)s[i];
		if (c == '(' || c == '"') {
			u = addr_skip_unit(s, e, i, NULL);
			if (c == '(') {
				i = u - 1;
				continue;
			}
			if (seen_at || u - i + n >= outlen)
				return -1;
			for (; i < u; i++) {
				if ((unsigned char)s[i] < ' ' ||
				    s[i] == 0x7F)
					return -1;
				out[n++] = s[i];
			}
			i = u - 1;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
		    c == '<' || c == '>' || c == ',' || c == ';')
			continue;
		if (c < ' ' || c == 0x7F)
			return -1;
		if (c == '@') {
			if (seen_at)
				return -1;
			seen_at = 1;
			at = n;
		} else if (seen_at && c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (n + 1 >= outlen)
			return -1;
		out[n++] = (char)c;
	}
	if (!seen_at || at == 0 || at + 1 >= n)
		return -1;
	out[n] = '\0';
	return 0;
}

int
mime_addr_spec(const char *s, size_t len, char *out, size_t outlen)
{
	struct ew_miss	 miss = { 0, 0 };
	size_t		 off = 0, seg, i, lt, w;
	int		 has_at;

	if (outlen > 0)
		out[0] = '\0';
	while (off < len) {
		/* One mailbox: up to a ',' or ';' outside quotes. */
		seg = off;
		lt = len;
		has_at = 0;
		for (i = off; i < len && s[i] != ',' && s[i] != ';'; ) {
			if ((w = addr_skip_unit(s, len, i, &miss)) != i) {
				i = w;
				continue;
			}
			if (s[i] == '<' && lt == len)
				lt = i;
			else if (s[i] == '@')
				has_at = 1;
			else if (s[i] == ':' && lt == len && !has_at)
				seg = i + 1;	/* "group:" display name */
			i++;
		}
		if (lt < len) {
			for (w = lt + 1; w < i && s[w] != '>'; w++)
				if (s[w] == '"')
					w = addr_skip_unit(s, i, w, NULL) - 1;
			if (addr_copy(s, lt + 1, w, out, outlen) == 0)
				return 0;
		} else if (has_at) {
			/* Bare addr-spec: the word holding the '@'. */
			for (w = seg; w < i; ) {
				size_t b = w = mime_skip_cfws(s, i, w);

				while (w < i && (unsigned char)s[w] > ' ' &&
				    s[w] != '(')
					w = s[w] == '"' ?
					    addr_skip_unit(s, i, w, NULL) : w + 1;
				if (memchr(s + b, '@', w - b) != NULL &&
				    addr_copy(s, b, w, out, outlen) == 0)
					return 0;
				if (w == b)
					w++;
			}
		}
		off = i + 1;
	}
	if (outlen > 0)
		out[0] = '\0';
	return -1;
}
