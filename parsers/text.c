/*
 * text.c - byte-level text helpers shared by every parser: strict UTF-8
 * validation (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF), detection of control characters (C0, DEL and C1), trimming
 * and copying of counted strings, and the "line N: why" error of the
 * parsers' tables.
 *
 * All are linear in the input and take a length, so embedded NUL bytes are
 * seen rather than ending the scan. Only text_strndup allocates.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "report.h"

static size_t	utf8_ascii_prefix(const unsigned char *, size_t);
static size_t	utf8_seq_len(const unsigned char *, size_t);

/*
 * Length of the leading run of ASCII bytes, eight at a time while the input
 * allows: most values on the hot path are pure ASCII.
 */
static size_t
utf8_ascii_prefix(const unsigned char *p, size_t len)
{
	size_t		i = 0;
	uint64_t	w;

	while (len - i >= 8) {
		memcpy(&w, p + i, 8);
		if (w & 0x8080808080808080ULL)
			break;
		i += 8;
	}
	while (i < len && p[i] < 0x80)
		i++;
	return i;
}

/*
 * Length (2..4) of the well-formed multi-byte sequence starting at p, which
 * begins with a byte >= 0x80; 0 when it is not well-formed. The ranges are
 * those of RFC 3629 section 4, which exclude overlong forms (C0, C1, E0 80..9F,
 * F0 80..8F), surrogates (ED A0..BF) and code points above U+10FFFF.
 */
static size_t
utf8_seq_len(const unsigned char *p, size_t avail)
{
	unsigned char	c = p[0], lo = 0x80, hi = 0xBF;
	size_t		n, i;

	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (avail < n)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return n;
}

/* 1 when s[0..len) is well-formed UTF-8, else 0. */
int
utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n;

	while (i < len) {
		i += utf8_ascii_prefix(p + i, len - i);
		if (i >= len)
			break;
		if ((n = utf8_seq_len(p + i, len - i)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

/*
 * 1 when s[0..len) holds a control character: a C0 byte (0x00-0x1F) other
 * than TAB, CR and LF when allow_newlines is set, DEL, or a C1 control
 * (U+0080-U+009F, which UTF-8 encodes as C2 80..C2 9F). Bytes of malformed
 * UTF-8 are not judged here; check utf8_valid() first.
 */
int
text_has_controls(const char *s, size_t len, int allow_newlines)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i;

	for (i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c >= 0x20 && c < 0x7F)
			continue;
		if (c < 0x20) {
			if (allow_newlines &&
			    (c == '\t' || c == '\r' || c == '\n'))
				continue;
			return 1;
		}
		if (c == 0x7F)
			return 1;
		if (c == 0xC2 && i + 1 < len && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9F)
			return 1;
	}
	return 0;
}

void
text_trim(const char **s, size_t *len, const char *blanks)
{
	while (*len > 0 && strchr(blanks, (*s)[0]) != NULL && (*s)[0] != '\0') {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && strchr(blanks, (*s)[*len - 1]) != NULL &&
	    (*s)[*len - 1] != '\0')
		(*len)--;
}

char *
text_strndup(const char *s, size_t len)
{
	char	*p;

	if ((p = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

int
text_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
text_line_fail(char *err, size_t errlen, size_t line, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (err == NULL || errlen == 0)
		return -1;
	n = snprintf(err, errlen, "line %zu: ", line);
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * Whether one code point (not ASCII) certainly leaves NFC text unchanged
 * wherever it stands: not a mark, not reordered or composed with a
 * neighbour (combining class 0, no conjoining Hangul jamo), not excluded
 * from composition, not a singleton that NFC replaces.
 */
static int
text_cp_nfc_stable(utf8proc_int32_t cp)
{
	const utf8proc_property_t	*p = utf8proc_get_property(cp);
	utf8proc_int32_t		 d[4];
	utf8proc_ssize_t		 n;
	int				 last = 0;

	if (p->combining_class != 0 || p->comp_exclusion ||
	    p->category == UTF8PROC_CATEGORY_MN ||
	    p->category == UTF8PROC_CATEGORY_MC ||
	    p->category == UTF8PROC_CATEGORY_ME)
		return 0;
	if (cp >= 0x1100 && cp <= 0x11FF)	/* conjoining jamo */
		return 0;
	if (p->decomp_seqindex != UINT16_MAX && p->decomp_type == 0) {
		/*
		 * A precomposed character is NFC only if composing its full
		 * canonical decomposition gives it back: not a singleton
		 * (U+2126 -> U+03A9), not one mapped to another precomposed
		 * one (U+1F71 -> U+03AC).
		 */
		n = utf8proc_decompose_char(cp, d, 4, UTF8PROC_DECOMPOSE,
		    &last);
		if (n < 1 || n > 4)
			return 0;
		n = utf8proc_normalize_utf32(d, n,
		    UTF8PROC_STABLE | UTF8PROC_COMPOSE);
		if (n != 1 || d[0] != cp)
			return 0;
	}
	return 1;
}

int
text_is_nfc_quick(const char *s, size_t len)
{
	const utf8proc_uint8_t	*p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 n;
	size_t			 i;

	for (i = utf8_ascii_prefix(p, len); i < len; i += n) {
		if (p[i] < 0x80) {
			n = 1;
			continue;
		}
		n = utf8proc_iterate(p + i, len - i, &cp);
		if (n < 0 || !text_cp_nfc_stable(cp))
			return 0;
	}
	return 1;
}

int
text_nfc(const char *s, size_t len, char **out, size_t *outlen)
{
	utf8proc_uint8_t	*nfc = NULL;
	utf8proc_ssize_t	 n;

	if (text_is_nfc_quick(s, len)) {
		if ((*out = text_strndup(s, len)) == NULL)
			return -1;
		*outlen = len;
		return 0;
	}
	n = utf8proc_map((const utf8proc_uint8_t *)s, len, &nfc,
	    UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (n < 0) {
		errno = n == UTF8PROC_ERROR_NOMEM ? ENOMEM : EILSEQ;
		return -1;
	}
	*out = (char *)nfc;
	*outlen = n;
	return 0;
}
