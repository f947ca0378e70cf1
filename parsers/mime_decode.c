/*
 * mime_decode.c - Content-Transfer-Encoding decoders: base64 and
 * quoted-printable (7bit, 8bit and binary need none).
 *
 * Both are tolerant, one-pass and bounded by the caller's output capacity:
 * base64 keeps the alphabet, skips whitespace and garbage, and decodes with
 * OpenSSL's EVP_DecodeBlock in blocks of cleaned quanta; quoted-printable
 * follows RFC 2045 6.7 and keeps what it cannot read. Defects are reported
 * through MIME_F_* flags, never as failures.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "mime.h"
#include "report.h"

#define B64_BLOCK	4096	/* cleaned characters per EVP_DecodeBlock */

/* 0..63: alphabet value; 64: whitespace; 65: '='; 66: garbage. */
#define B64_WS		64
#define B64_PAD		65
#define B64_BAD		66

static const unsigned char b64_class[256] = {
	66, 66, 66, 66, 66, 66, 66, 66, 66, 64, 64, 66, 66, 64, 66, 66,
	66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
	64, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 62, 66, 66, 66, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 66, 66, 66, 65, 66, 66,
	66,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 66, 66, 66, 66, 66,
	66, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 66, 66, 66, 66, 66,
	66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
	66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
	66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
	66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
	66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
	66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
	66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
	66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66
};

struct b64_state {
	char		 q[B64_BLOCK + 4];	/* cleaned, not yet decoded */
	size_t		 nq;
	char		*out;
	size_t		 n;			/* bytes written */
	size_t		 cap;
	unsigned	*flags;
	int		 full;			/* out is full */
};

static void	b64_flush(struct b64_state *, int);
static void	b64_put(struct b64_state *, const unsigned char *, size_t);

/* Copy decoded bytes to the output, up to its capacity. */
static void
b64_put(struct b64_state *st, const unsigned char *p, size_t n)
{
	if (n > st->cap - st->n) {
		n = st->cap - st->n;
		st->full = 1;
		*st->flags |= MIME_F_TRUNCATED;
	}
	memcpy(st->out + st->n, p, n);
	st->n += n;
}

/*
 * Decode the cleaned characters held in st->q. With final, a trailing
 * partial quantum (2 or 3 characters) is decoded as if padded; a lone
 * character is dropped as a defect.
 */
static void
b64_flush(struct b64_state *st, int final)
{
	unsigned char	 tmp[B64_BLOCK / 4 * 3 + 3];
	size_t		 whole = st->nq & ~(size_t)3, rest = st->nq & 3;
	int		 r;

	if (whole > 0 && !st->full) {
		r = EVP_DecodeBlock(tmp, (const unsigned char *)st->q,
		    (int)whole);
		if (r > 0)
			b64_put(st, tmp, (size_t)r);
	}
	if (rest > 0 && !final) {
		memmove(st->q, st->q + whole, rest);
		st->nq = rest;
		return;
	}
	if (rest == 1)
		*st->flags |= MIME_F_BAD_BASE64;
	else if (rest > 1 && !st->full) {
		memcpy(tmp, st->q + whole, rest);
		memset(tmp + rest, 'A', 4 - rest);
		r = EVP_DecodeBlock(tmp + 4, tmp, 4);
		if (r == 3)
			b64_put(st, tmp + 4, rest - 1);
	}
	st->nq = 0;
}

size_t
mime_base64_decode(const char *in, size_t len, char *out, size_t outcap,
    unsigned *flags)
{
	struct b64_state	 st;
	const unsigned char	*p = (const unsigned char *)in;
	size_t			 i;
	unsigned char		 c;

	st.nq = 0;
	st.out = out;
	st.n = 0;
	st.cap = outcap;
	st.flags = flags;
	st.full = 0;
	for (i = 0; i < len && !st.full; i++) {
		c = b64_class[p[i]];
		if (c < 64) {
			st.q[st.nq++] = (char)p[i];
			if (st.nq == B64_BLOCK)
				b64_flush(&st, 0);
			continue;
		}
		if (c == B64_WS)
			continue;
		if (c == B64_PAD) {
			/* Padding ends a quantum; a blob may follow. */
			if ((st.nq & 3) == 1)
				*flags |= MIME_F_BAD_BASE64;
			b64_flush(&st, 1);
			while (i + 1 < len && (b64_class[p[i + 1]] == B64_PAD ||
			    b64_class[p[i + 1]] == B64_WS))
				i++;
			continue;
		}
		*flags |= MIME_F_BAD_BASE64;
	}
	if ((st.nq & 3) != 0)
		*flags |= MIME_F_BAD_BASE64;	/* missing padding */
	b64_flush(&st, 1);
	return st.n;
}

/*
 * Decode one line's content s[0..n) (line ending excluded, trailing
 * whitespace already dropped) into o. Returns bytes written; *soft is set
 * when the line ends with a soft line break.
 */
static size_t
qp_line(const char *s, size_t n, char *o, int *soft, unsigned *flags)
{
	const char	*eq;
	size_t		 i = 0, w = 0, run;
	int		 hi, lo;

	*soft = 0;
	while (i < n) {
		eq = memchr(s + i, '=', n - i);
		run = eq ? (size_t)(eq - (s + i)) : n - i;
		memcpy(o + w, s + i, run);
		w += run;
		i += run;
		if (i >= n)
			break;
		if (i + 1 == n) {		/* "=" at the end: soft break */
			*soft = 1;
			break;
		}
		if (i + 2 < n && (hi = text_hexval(s[i + 1])) >= 0 &&
		    (lo = text_hexval(s[i + 2])) >= 0) {
			o[w++] = (char)(hi << 4 | lo);
			i += 3;
			continue;
		}
		*flags |= MIME_F_BAD_QP;
		o[w++] = '=';
		i++;
	}
	return w;
}

size_t
mime_qp_decode(const char *in, size_t len, char *out, size_t outcap,
    unsigned *flags)
{
	const char	*nl;
	size_t		 off = 0, end, next, w = 0, eol;
	int		 soft;

	while (off < len) {
		nl = memchr(in + off, '\n', len - off);
		next = nl ? (size_t)(nl - in) + 1 : len;
		end = nl ? (size_t)(nl - in) : len;
		eol = next - end;			/* "\n" or nothing */
		if (end > off && in[end - 1] == '\r') {
			end--;
			eol++;				/* "\r\n" */
		}
		while (end > off && (in[end - 1] == ' ' || in[end - 1] == '\t'))
			end--;
		/* Decoded is never longer than encoded: only the tail can
		 * fail to fit, and then it is cut. */
		if (end - off > outcap - w) {
			w += qp_line(in + off, outcap - w, out + w, &soft,
			    flags);
			*flags |= MIME_F_TRUNCATED;
			return w;
		}
		w += qp_line(in + off, end - off, out + w, &soft, flags);
		if (!soft && eol > 0) {
			if (eol > outcap - w) {
				*flags |= MIME_F_TRUNCATED;
				return w;
			}
			memcpy(out + w, in + next - eol, eol);
			w += eol;
		}
		off = next;
	}
	return w;
}
