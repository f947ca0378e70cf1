/*
 * charset.c - conversion of declared-charset text to well-formed UTF-8.
 *
 * UTF-8, US-ASCII and windows-1252 (also used for iso-8859-1 and for unknown
 * charsets) are decoded here, without iconv; every other charset of the table
 * goes through one iconv descriptor per call. Whatever the path, the result
 * is checked once more so that the caller always gets well-formed UTF-8
 * without NUL bytes. Limits: names longer than 40 bytes are unknown; output
 * per call is capped by the caller's max_out. See charset.h for the policy.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "charset.h"

enum cs_kind {
	CS_UTF8,	/* validate, replace invalid sequences */
	CS_ASCII,	/* UTF-8 when well-formed, else windows-1252 */
	CS_CP1252,	/* internal table */
	CS_ICONV,	/* iconv with the table's name */
	CS_UNKNOWN	/* like CS_ASCII, plus CHARSET_F_UNKNOWN */
};

struct cs_alias {
	const char	*key;		/* squeezed: lower-case, no - _ . space */
	enum cs_kind	 kind;
	const char	*iconv;		/* iconv name for CS_ICONV */
};

/* Names that are not families (iso8859N, windows125N, cp125N are). */
static const struct cs_alias cs_aliases[] = {
	{ "utf8",		CS_UTF8,	NULL },
	{ "usascii",		CS_ASCII,	NULL },
	{ "ascii",		CS_ASCII,	NULL },
	{ "us",			CS_ASCII,	NULL },
	{ "ansix341968",	CS_ASCII,	NULL },
	{ "iso646us",		CS_ASCII,	NULL },
	{ "cp367",		CS_ASCII,	NULL },
	{ "latin1",		CS_CP1252,	NULL },
	{ "l1",			CS_CP1252,	NULL },
	{ "cp819",		CS_CP1252,	NULL },
	{ "ibm819",		CS_CP1252,	NULL },
	{ "xcp1252",		CS_CP1252,	NULL },
	{ "latin2",		CS_ICONV,	"ISO-8859-2" },
	{ "l2",			CS_ICONV,	"ISO-8859-2" },
	{ "latin3",		CS_ICONV,	"ISO-8859-3" },
	{ "latin4",		CS_ICONV,	"ISO-8859-4" },
	{ "cyrillic",		CS_ICONV,	"ISO-8859-5" },
	{ "arabic",		CS_ICONV,	"ISO-8859-6" },
	{ "greek",		CS_ICONV,	"ISO-8859-7" },
	{ "hebrew",		CS_ICONV,	"ISO-8859-8" },
	{ "latin5",		CS_ICONV,	"ISO-8859-9" },
	{ "latin6",		CS_ICONV,	"ISO-8859-10" },
	{ "latin7",		CS_ICONV,	"ISO-8859-13" },
	{ "latin8",		CS_ICONV,	"ISO-8859-14" },
	{ "latin9",		CS_ICONV,	"ISO-8859-15" },
	{ "l9",			CS_ICONV,	"ISO-8859-15" },
	{ "latin10",		CS_ICONV,	"ISO-8859-16" },
	{ "viscii",		CS_ICONV,	"VISCII" },
	{ "csviscii",		CS_ICONV,	"VISCII" },
	{ "viscii111",		CS_ICONV,	"VISCII" },
	{ "tcvn",		CS_ICONV,	"TCVN5712-1" },
	{ "tcvn5712",		CS_ICONV,	"TCVN5712-1" },
	{ "tcvn57121",		CS_ICONV,	"TCVN5712-1" },
	{ "xviettcvn",		CS_ICONV,	"TCVN5712-1" },
	{ "xviettcvn5712",	CS_ICONV,	"TCVN5712-1" },
	{ "koi8r",		CS_ICONV,	"KOI8-R" },
	{ "koi8",		CS_ICONV,	"KOI8-R" },
	{ "cskoi8r",		CS_ICONV,	"KOI8-R" },
	{ "koi8u",		CS_ICONV,	"KOI8-U" },
	{ "koi8ru",		CS_ICONV,	"KOI8-U" },
	{ "gb2312",		CS_ICONV,	"GB18030" },
	{ "gb231280",		CS_ICONV,	"GB18030" },
	{ "csgb2312",		CS_ICONV,	"GB18030" },
	{ "euccn",		CS_ICONV,	"GB18030" },
	{ "xeuccn",		CS_ICONV,	"GB18030" },
	{ "chinese",		CS_ICONV,	"GB18030" },
	{ "gb18030",		CS_ICONV,	"GB18030" },
	{ "gbk",		CS_ICONV,	"GBK" },
	{ "xgbk",		CS_ICONV,	"GBK" },
	{ "cp936",		CS_ICONV,	"GBK" },
	{ "ms936",		CS_ICONV,	"GBK" },
	{ "windows936",		CS_ICONV,	"GBK" },
	{ "big5",		CS_ICONV,	"BIG5" },
	{ "csbig5",		CS_ICONV,	"BIG5" },
	{ "xxbig5",		CS_ICONV,	"BIG5" },
	{ "cp950",		CS_ICONV,	"CP950" },
	{ "big5hkscs",		CS_ICONV,	"BIG5-HKSCS" },
	{ "shiftjis",		CS_ICONV,	"CP932" },
	{ "sjis",		CS_ICONV,	"CP932" },
	{ "xsjis",		CS_ICONV,	"CP932" },
	{ "mskanji",		CS_ICONV,	"CP932" },
	{ "csshiftjis",		CS_ICONV,	"CP932" },
	{ "windows31j",		CS_ICONV,	"CP932" },
	{ "cp932",		CS_ICONV,	"CP932" },
	{ "eucjp",		CS_ICONV,	"EUC-JP" },
	{ "xeucjp",		CS_ICONV,	"EUC-JP" },
	{ "iso2022jp",		CS_ICONV,	"ISO-2022-JP-2" },
	{ "csiso2022jp",	CS_ICONV,	"ISO-2022-JP-2" },
	{ "iso2022jp2",		CS_ICONV,	"ISO-2022-JP-2" },
	{ "euckr",		CS_ICONV,	"UHC" },
	{ "cseuckr",		CS_ICONV,	"UHC" },
	{ "ksc56011987",	CS_ICONV,	"UHC" },
	{ "ksc5601",		CS_ICONV,	"UHC" },
	{ "cp949",		CS_ICONV,	"UHC" },
	{ "uhc",		CS_ICONV,	"UHC" },
	{ "windows949",		CS_ICONV,	"UHC" },
	{ "iso2022kr",		CS_ICONV,	"ISO-2022-KR" },
	{ "csiso2022kr",	CS_ICONV,	"ISO-2022-KR" },
	{ "tis620",		CS_ICONV,	"CP874" },
	{ "windows874",		CS_ICONV,	"CP874" },
	{ "cp874",		CS_ICONV,	"CP874" },
	{ "utf16",		CS_ICONV,	"UTF-16" },
	{ "utf16le",		CS_ICONV,	"UTF-16LE" },
	{ "utf16be",		CS_ICONV,	"UTF-16BE" },
	{ "utf32",		CS_ICONV,	"UTF-32" },
	{ "utf32le",		CS_ICONV,	"UTF-32LE" },
	{ "utf32be",		CS_ICONV,	"UTF-32BE" },
	{ "utf7",		CS_ICONV,	"UTF-7" },
	{ "ibm866",		CS_ICONV,	"IBM866" },
	{ "cp866",		CS_ICONV,	"IBM866" },
	{ "cp437",		CS_ICONV,	"CP437" },
	{ "ibm437",		CS_ICONV,	"CP437" },
	{ "macintosh",		CS_ICONV,	"MACINTOSH" },
	{ "xmacroman",		CS_ICONV,	"MACINTOSH" },
};

/* iconv names of the iso-8859-N family, N = index (0, 1 and 12 unused). */
static const char *const cs_iso8859[17] = {
	NULL, NULL, "ISO-8859-2", "ISO-8859-3", "ISO-8859-4", "ISO-8859-5",
	"ISO-8859-6", "ISO-8859-7", "ISO-8859-8", "ISO-8859-9", "ISO-8859-10",
	"ISO-8859-11", NULL, "ISO-8859-13", "ISO-8859-14", "ISO-8859-15",
	"ISO-8859-16"
};

/* windows-125N, N = index (2 is windows-1252, handled here). */
static const char *const cs_cp125x[9] = {
	"CP1250", "CP1251", NULL, "CP1253", "CP1254", "CP1255", "CP1256",
	"CP1257", "CP1258"
};

/* windows-1252 0x80..0x9F; 0 = undefined. */
static const uint16_t cs_cp1252_c1[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178
};

static const char cs_repl[3] = { (char)0xEF, (char)0xBF, (char)0xBD };

#define CS_NAME_MAX	40

static enum cs_kind	cs_lookup(const char *, size_t, const char **);
static size_t		cs_squeeze(const char *, size_t, char *, size_t);
static int		cs_family(const char *, const char **, enum cs_kind *);
static size_t		utf8_seq(const unsigned char *, size_t);
static size_t		utf8_span(const char *, size_t, int);
static size_t		utf8_bad_len(const unsigned char *, size_t);
static int		append_utf8_clean(struct charset_buf *, const char *,
			    size_t, size_t, unsigned *);
static int		append_cp1252(struct charset_buf *, const char *,
			    size_t, size_t, unsigned *);
static int		append_guess(struct charset_buf *, const char *,
			    size_t, size_t, unsigned *);
static int		append_iconv(struct charset_buf *, const char *,
			    const char *, size_t, size_t, unsigned *);

int
charset_buf_reserve(struct charset_buf *b, size_t extra)
{
	size_t	 need, ncap;
	char	*p;

	if (extra > SIZE_MAX - b->len - 1)
		return -1;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if ((p = realloc(b->data, ncap)) == NULL)
		return -1;
	b->data = p;
	b->cap = ncap;
	b->data[b->len] = '\0';
	return 0;
}

int
charset_buf_append(struct charset_buf *b, const void *p, size_t n)
{
	if (charset_buf_reserve(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

void
charset_buf_free(struct charset_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/*
 * Squeeze a charset name into key: lower-case, without quotes, '-', '_',
 * '.', spaces, and without a ":year" or "*lang" suffix. Returns the key
 * length, 0 when the name is empty, too long or has odd bytes.
 */
static size_t
cs_squeeze(const char *name, size_t len, char *key, size_t keysz)
{
	size_t	 i, n = 0;
	int	 c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)name[i];
		if (c == ':' || c == '*')
			break;
		if (c == '-' || c == '_' || c == '.' || c == ' ' ||
		    c == '\t' || c == '"' || c == '\'')
			continue;
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return 0;
		if (n + 1 >= keysz)
			return 0;
		key[n++] = (char)c;
	}
	key[n] = '\0';
	return n;
}

/* The iso8859N / windows125N / cp125N families. Returns 1 when matched. */
static int
cs_family(const char *key, const char **iconv_name, enum cs_kind *kind)
{
	const char	*num = NULL;
	char		*end;
	long		 n;

	if (strncmp(key, "iso8859", 7) == 0)
		num = key + 7;
	else if (strncmp(key, "windows125", 10) == 0)
		num = key + 10;
	else if (strncmp(key, "cp125", 5) == 0)
		num = key + 5;
	if (num == NULL || *num < '0' || *num > '9')
		return 0;
	n = strtol(num, &end, 10);
	if (*end != '\0')
		return 0;
	if (key[0] == 'i') {
		if (n == 1) {
			*kind = CS_CP1252;
			return 1;
		}
		if (n < 2 || n > 16 || cs_iso8859[n] == NULL)
			return 0;
		*kind = CS_ICONV;
		*iconv_name = cs_iso8859[n];
		return 1;
	}
	if (n < 0 || n > 8)
		return 0;
	*kind = n == 2 ? CS_CP1252 : CS_ICONV;
	*iconv_name = cs_cp125x[n];
	return 1;
}

/* Resolve a declared charset; *iconv_name is set for CS_ICONV. */
static enum cs_kind
cs_lookup(const char *name, size_t len, const char **iconv_name)
{
	char		 key[CS_NAME_MAX + 1];
	size_t		 i;
	enum cs_kind	 kind;

	*iconv_name = NULL;
	if (name == NULL || len == 0)
		return CS_ASCII;
	if (cs_squeeze(name, len, key, sizeof(key)) == 0)
		return CS_UNKNOWN;
	for (i = 0; i < sizeof(cs_aliases) / sizeof(cs_aliases[0]); i++) {
		if (strcmp(key, cs_aliases[i].key) == 0) {
			*iconv_name = cs_aliases[i].iconv;
			return cs_aliases[i].kind;
		}
	}
	if (cs_family(key, iconv_name, &kind))
		return kind;
	return CS_UNKNOWN;
}

int
charset_known(const char *charset, size_t cslen)
{
	const char	*dummy;

	return cs_lookup(charset, cslen, &dummy) != CS_UNKNOWN;
}

/*
 * Length of the well-formed UTF-8 sequence at s (1..4), or 0 when s does
 * not start one. Rejects overlong forms, surrogates and > U+10FFFF.
 */
static size_t
utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char	 c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return len >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (len < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F))
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (len < 4 || (s[1] & 0xC0) != 0x80 ||
		    (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
			return 0;
		return 4;
	}
	return 0;
}

/*
 * Bytes to skip at an ill-formed sequence: the maximal prefix of a
 * well-formed sequence (at least 1), replaced by a single U+FFFD.
 */
static size_t
utf8_bad_len(const unsigned char *p, size_t len)
{
	unsigned char	 c = p[0], lo = 0x80, hi = 0xBF;
	size_t		 n = 1, want;

	if (c < 0xC2 || c > 0xF4)
		return 1;
	want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (len > 1 && p[1] >= lo && p[1] <= hi) {
		n = 2;
		while (n < want && n < len && (p[n] & 0xC0) == 0x80)
			n++;
	}
	return n;
}

/*
 * Offset of the first byte that does not start well-formed UTF-8 (len when
 * all is well-formed). A NUL byte stops the scan when stop_nul is set.
 * Runs of ASCII are skipped eight bytes at a time.
 */
static size_t
utf8_span(const char *s, size_t len, int stop_nul)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n;
	uint64_t		 w;

	while (i < len) {
		while (i + 8 <= len) {
			memcpy(&w, p + i, 8);
			if ((w & 0x8080808080808080ULL) != 0 ||
			    ((w - 0x0101010101010101ULL) & ~w &
			    0x8080808080808080ULL) != 0)
				break;
			i += 8;
		}
		if (i >= len)
			break;
		if (p[i] == 0) {
			if (stop_nul)
				return i;
			i++;
			continue;
		}
		if ((n = utf8_seq(p + i, len - i)) == 0)
			return i;
		i += n;
	}
	return len;
}

size_t
charset_utf8_valid_prefix(const char *s, size_t len)
{
	return utf8_span(s, len, 1);
}

/*
 * Append in as UTF-8, replacing each maximal invalid subsequence and each
 * NUL by U+FFFD, at most max bytes. Returns 0, or -1 on ENOMEM.
 */
static int
append_utf8_clean(struct charset_buf *out, const char *in, size_t len,
    size_t max, unsigned *flags)
{
	const unsigned char	*p = (const unsigned char *)in;
	size_t			 i = 0, run, start = out->len, room;

	while (i < len) {
		room = max - (out->len - start);
		run = utf8_span(in + i, len - i, 1);
		if (run > room) {
			/* Cut at a character boundary. */
			run = room;
			while (run > 0 && (p[i + run] & 0xC0) == 0x80)
				run--;
			*flags |= CHARSET_F_TRUNCATED;
			return charset_buf_append(out, in + i, run) == -1 ?
			    -1 : 0;
		}
		if (run > 0 && charset_buf_append(out, in + i, run) == -1)
			goto nomem;
		if ((i += run) >= len)
			break;
		*flags |= CHARSET_F_INVALID;
		if (room - run < 3) {
			*flags |= CHARSET_F_TRUNCATED;
			return 0;
		}
		if (charset_buf_append(out, cs_repl, 3) == -1)
			goto nomem;
		i += p[i] == 0 ? 1 : utf8_bad_len(p + i, len - i);
	}
	return 0;
nomem:
	out->len = start;
	if (out->data != NULL)
		out->data[start] = '\0';
	return -1;
}

/* Append windows-1252 text, at most max bytes. Returns 0 or -1 (ENOMEM). */
static int
append_cp1252(struct charset_buf *out, const char *in, size_t len,
    size_t max, unsigned *flags)
{
	const unsigned char	*p = (const unsigned char *)in;
	size_t			 i, n, start = out->len, room;
	uint32_t		 cp;
	char			*o;

	room = len > SIZE_MAX / 3 ? SIZE_MAX / 3 : len * 3;
	if (room > max)
		room = max;
	if (charset_buf_reserve(out, room) == -1)
		return -1;
	o = out->data + out->len;
	for (i = 0; i < len; i++) {
		cp = p[i];
		if (cp >= 0x80 && cp < 0xA0)
			cp = cs_cp1252_c1[cp - 0x80];
		if (cp == 0) {
			cp = 0xFFFD;
			*flags |= CHARSET_F_INVALID;
		}
		n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
		if ((size_t)(o - out->data) - start + n > room) {
			*flags |= CHARSET_F_TRUNCATED;
			break;
		}
		o += utf8proc_encode_char((utf8proc_int32_t)cp,
		    (utf8proc_uint8_t *)o);
	}
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
	return 0;
}

/* Well-formed UTF-8 stays UTF-8; anything else is read as windows-1252. */
static int
append_guess(struct charset_buf *out, const char *in, size_t len,
    size_t max, unsigned *flags)
{
	size_t	 n = utf8_span(in, len, 1);

	if (n == len || utf8_span(in + n, len - n, 0) == len - n)
		return append_utf8_clean(out, in, len, max, flags);
	*flags |= CHARSET_F_INVALID;
	return append_cp1252(out, in, len, max, flags);
}

/*
 * Convert through iconv. Invalid or truncated input sequences become
 * U+FFFD and conversion resumes one byte later. Returns 0, 1 when iconv
 * does not know the charset (nothing appended), or -1 on ENOMEM.
 */
static int
append_iconv(struct charset_buf *out, const char *name, const char *in,
    size_t len, size_t max, unsigned *flags)
{
	iconv_t		 cd;
	char		*ip = (char *)(uintptr_t)in, *op;
	size_t		 il = len, ol, start = out->len, left, want, r;
	size_t		 extra = 16;
	int		 rc = 0, flushed = 0, err;

	if ((cd = iconv_open("UTF-8", name)) == (iconv_t)-1)
		return errno == ENOMEM ? -1 : 1;
	for (;;) {
		left = max - (out->len - start);
		if (left < 4) {
			if (il > 0)
				*flags |= CHARSET_F_TRUNCATED;
			break;
		}
		want = il < SIZE_MAX / 4 ? il * 2 + extra : SIZE_MAX / 2;
		if (want > left)
			want = left;
		if (charset_buf_reserve(out, want) == -1) {
			rc = -1;
			break;
		}
		op = out->data + out->len;
		ol = want;
		if (il == 0)	/* flush the shift state of stateful charsets */
			r = iconv(cd, NULL, NULL, &op, &ol);
		else
			r = iconv(cd, &ip, &il, &op, &ol);
		err = errno;
		if (r != (size_t)-1) {
			out->len = (size_t)(op - out->data);
			if (il == 0 && flushed++)
				break;
			continue;
		}
		if (err == E2BIG) {
			/* No progress at all: room for one more char. */
			if (op == out->data + out->len) {
				if (want == left) {
					*flags |= CHARSET_F_TRUNCATED;
					break;
				}
				extra = extra < left ? extra * 2 : left;
			}
			out->len = (size_t)(op - out->data);
			continue;
		}
		out->len = (size_t)(op - out->data);
		*flags |= CHARSET_F_INVALID;
		if (max - (out->len - start) < 3) {
			*flags |= CHARSET_F_TRUNCATED;
			break;
		}
		if (charset_buf_append(out, cs_repl, 3) == -1) {
			rc = -1;
			break;
		}
		if (err == EILSEQ && il > 0) {
			ip++;
			il--;
		} else
			il = 0;	/* EINVAL: incomplete sequence at the end */
	}
	iconv_close(cd);
	if (rc == -1)
		out->len = start;
	if (out->data != NULL)
		out->data[out->len] = '\0';
	return rc;
}

int
charset_append_utf8(struct charset_buf *out, const char *charset,
    size_t cslen, const char *in, size_t len, size_t max_out,
    unsigned *flags)
{
	const char		*name;
	unsigned		 fl = 0;
	enum cs_kind		 kind;
	size_t			 start = out->len, good, fix;
	int			 rc;
	struct charset_buf	 tmp = { NULL, 0, 0 };

	if (charset_buf_reserve(out, 0) == -1)
		return -1;
	kind = cs_lookup(charset, cslen, &name);
	switch (kind) {
	case CS_UTF8:
		rc = append_utf8_clean(out, in, len, max_out, &fl);
		break;
	case CS_CP1252:
		rc = append_cp1252(out, in, len, max_out, &fl);
		break;
	case CS_ICONV:
		rc = append_iconv(out, name, in, len, max_out, &fl);
		if (rc != 1)
			break;
		/* iconv lacks the module: fall back as for an unknown name. */
		/* FALLTHROUGH */
	case CS_UNKNOWN:
		fl |= CHARSET_F_UNKNOWN;
		/* FALLTHROUGH */
	case CS_ASCII:
	default:
		rc = append_guess(out, in, len, max_out, &fl);
		break;
	}
	if (rc == -1)
		return -1;
	if (kind == CS_ICONV && !(fl & CHARSET_F_UNKNOWN)) {
		/* Trust no converter: NULs and ill-formed output are fixed. */
		good = utf8_span(out->data + start, out->len - start, 1);
		if (good != out->len - start) {
			fix = out->len - start;
			if (append_utf8_clean(&tmp, out->data + start, fix,
			    max_out, &fl) == -1)
				return -1;
			out->len = start;
			rc = charset_buf_append(out, tmp.data, tmp.len);
			charset_buf_free(&tmp);
			if (rc == -1)
				return -1;
		}
	}
	if (flags != NULL)
		*flags |= fl;
	return 0;
}

int
charset_to_utf8(const char *charset, const char *in, size_t len,
    size_t max_out, char **out, size_t *outlen, unsigned *flags)
{
	struct charset_buf	 b = { NULL, 0, 0 };

	*out = NULL;
	if (charset_append_utf8(&b, charset, charset ? strlen(charset) : 0,
	    in, len, max_out, flags) == -1) {
		charset_buf_free(&b);
		return -1;
	}
	if (outlen != NULL)
		*outlen = b.len;
	*out = b.data;
	return 0;
}
