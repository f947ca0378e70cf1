/*
 * charset.h - text in any declared charset to well-formed UTF-8.
 *
 * Every conversion succeeds: bytes that are invalid in the declared charset
 * become U+FFFD, NUL bytes become U+FFFD (so the output is always a valid C
 * string), and the output is always well-formed UTF-8. The only failure is
 * ENOMEM.
 *
 * Charset names are matched case-insensitively after dropping '-', '_', '.',
 * spaces and any ":year" suffix, against a fixed table of reviewed names:
 * utf-8, us-ascii, iso-8859-1..16, windows-1250..1258 and cp125x, viscii,
 * tcvn (tcvn-5712, tcvn5712-1), koi8-r, koi8-u, gb2312/euc-cn and gb18030
 * (decoded as GB18030), gbk/cp936, big5, big5-hkscs, shift_jis/sjis/cp932
 * (decoded as CP932, so 0x5C stays '\' as in every mail client), euc-jp,
 * iso-2022-jp(-2), euc-kr/ks_c_5601-1987/cp949 (decoded as UHC, the
 * superset), iso-2022-kr, tis-620/windows-874, utf-16/32 (le/be), utf-7,
 * ibm866, cp437 and macintosh. Names outside the table never reach iconv
 * (remote input should not pick which converter runs).
 *
 * Special cases, on purpose:
 * - us-ascii (and a missing charset) is read as UTF-8 when the bytes are
 *   well-formed UTF-8 (mislabelled mail is common), else as windows-1252.
 * - iso-8859-1 is read as windows-1252, its printable superset, like every
 *   browser and mail client does; the five bytes windows-1252 leaves
 *   undefined (0x81 0x8D 0x8F 0x90 0x9D) become U+FFFD.
 * - An unknown charset, or one iconv cannot open, is read like us-ascii
 *   (UTF-8 if well-formed, else windows-1252) and CHARSET_F_UNKNOWN is set.
 *   (glibc reports some allocation failures inside iconv_open as an
 *   unknown conversion: under memory pressure a legacy charset may thus
 *   come out as this flagged fallback rather than as ENOMEM.)
 * - utf-8 is validated: overlong forms, surrogates and code points above
 *   U+10FFFF are replaced, one U+FFFD per maximal invalid subsequence.
 *
 * Pure: no I/O, no global state; iconv descriptors live for one call.
 */
#ifndef CHARSET_H
#define CHARSET_H

#include <stddef.h>

#define CHARSET_F_INVALID	0x01	/* bytes replaced by U+FFFD, or guessed */
#define CHARSET_F_UNKNOWN	0x02	/* unknown charset: fallback decoding */
#define CHARSET_F_TRUNCATED	0x04	/* output stopped at max_out */

/*
 * A growable byte buffer. data is NULL or NUL-terminated at data[len]; the
 * owner frees it with charset_buf_free(). Zero-initialise before first use.
 */
struct charset_buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

/* Make room for extra more bytes (plus the NUL). Returns 0, or -1 (ENOMEM). */
int	charset_buf_reserve(struct charset_buf *b, size_t extra);
/* Append n bytes. Returns 0, or -1 (ENOMEM) leaving b unchanged. */
int	charset_buf_append(struct charset_buf *b, const void *p, size_t n);
/* Release the storage and zero the buffer. */
void	charset_buf_free(struct charset_buf *b);

/*
 * Convert len bytes of in, declared as charset (cslen bytes, need not be
 * NUL-terminated; NULL or empty means us-ascii), to UTF-8 appended to out.
 * At most max_out bytes are appended (cut at a character boundary; then
 * CHARSET_F_TRUNCATED). CHARSET_F_* bits are ORed into *flags (may be
 * NULL). Returns 0, or -1 on ENOMEM with out->len unchanged.
 */
int	charset_append_utf8(struct charset_buf *out, const char *charset,
	    size_t cslen, const char *in, size_t len, size_t max_out,
	    unsigned *flags);

/*
 * The same into a new NUL-terminated string: *out is malloc'd and owned by
 * the caller, *outlen (may be NULL) its length. Returns 0, or -1 on ENOMEM
 * (*out NULL).
 */
int	charset_to_utf8(const char *charset, const char *in, size_t len,
	    size_t max_out, char **out, size_t *outlen, unsigned *flags);

/*
 * Whether charset (cslen bytes) is in the table above: 1 known, 0 unknown
 * (it would be decoded with the fallback).
 */
int	charset_known(const char *charset, size_t cslen);

/*
 * The length of the longest prefix of s that is well-formed UTF-8 with no
 * NUL byte; equal to len when the whole input is.
 */
size_t	charset_utf8_valid_prefix(const char *s, size_t len);

#endif
