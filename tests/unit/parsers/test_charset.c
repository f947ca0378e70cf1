/*
 * test_charset.c - charset.c: every charset of the table to UTF-8, the
 * fallbacks, replacement of invalid input, truncation, and the promise that
 * any input whatever gives well-formed UTF-8 without NUL.
 *
 * Test bytes in legacy charsets are made here with iconv from UTF-8
 * literals, then decoded back through charset.c (a round trip), so the
 * test depends on glibc's converters, not on hand-typed byte strings.
 */
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "t.h"

/* UTF-8 literal -> bytes in cs (malloc'd, *n bytes), via iconv. */
static char *
encode(const char *cs, const char *utf8, size_t *n)
{
	iconv_t	 cd;
	char	*in = (char *)(uintptr_t)utf8, *out, *o;
	size_t	 il = strlen(utf8), ol = il * 4 + 16, cap = ol;

	if ((cd = iconv_open(cs, "UTF-8")) == (iconv_t)-1)
		return NULL;
	if ((out = malloc(cap)) == NULL) {
		iconv_close(cd);
		return NULL;
	}
	o = out;
	if (iconv(cd, &in, &il, &o, &ol) == (size_t)-1 ||
	    iconv(cd, NULL, NULL, &o, &ol) == (size_t)-1) {
		iconv_close(cd);
		free(out);
		return NULL;
	}
	iconv_close(cd);
	*n = (size_t)(o - out);
	return out;
}

/* Decode bytes declared as label; returns a malloc'd string. */
static char *
dec(const char *label, const char *in, size_t len, unsigned *flags)
{
	char	*out = NULL;

	*flags = 0;
	if (charset_to_utf8(label, in, len, SIZE_MAX, &out, NULL, flags) == -1)
		return NULL;
	return out;
}

/* Round trip: text -> iconv encoding enc -> charset.c with label. */
static void
roundtrip(const char *enc, const char *label, const char *text)
{
	char		*bytes, *back;
	size_t		 n = 0;
	unsigned	 fl;

	bytes = encode(enc, text, &n);
	CHECK(bytes != NULL);
	if (bytes == NULL)
		return;
	/* The bytes really are in another charset (not a vacuous test). */
	if (strcmp(enc, "UTF-8") != 0)
		CHECK(n != strlen(text) || memcmp(bytes, text, n) != 0);
	back = dec(label, bytes, n, &fl);
	CHECK_STR(back, text);
	if (fl != 0)
		printf("FAIL %s: flags %#x for %s\n", label, fl, text);
	CHECK(fl == 0);
	free(back);
	free(bytes);
}

static void
test_utf8(void)
{
	unsigned	 fl;
	char		*s;

	s = dec("utf-8", "h\xC3\xA9llo", 6, &fl);
	CHECK_STR(s, "h\xC3\xA9llo");
	CHECK(fl == 0);
	free(s);
	/* overlong '/', surrogate, > U+10FFFF lead, lone continuation */
	s = dec("UTF-8", "a\xC0\xAF" "b\xED\xA0\x80" "c\xF5\x80" "d\x80", 12,
	    &fl);
	CHECK_STR(s, "a\xEF\xBF\xBD\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD"
	    "\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD" "d\xEF\xBF\xBD");
	CHECK(fl & CHARSET_F_INVALID);
	free(s);
	/* a truncated sequence is one U+FFFD (maximal subpart) */
	s = dec("utf8", "x\xF0\x9F\x98" "y\xE2\x82", 7, &fl);
	CHECK_STR(s, "x\xEF\xBF\xBDy\xEF\xBF\xBD");
	free(s);
	/* NUL is replaced so the result is a C string of the full length */
	s = dec("utf-8", "a\0b", 3, &fl);
	CHECK_STR(s, "a\xEF\xBF\xBD" "b");
	CHECK(fl & CHARSET_F_INVALID);
	free(s);
	CHECK(charset_utf8_valid_prefix("ab\xC3\xA9", 4) == 4);
	CHECK(charset_utf8_valid_prefix("ab\xC3", 3) == 2);
	CHECK(charset_utf8_valid_prefix("ab\0c", 4) == 2);
}

static void
test_fallbacks(void)
{
	unsigned	 fl;
	char		*s;

	/* us-ascii / missing: UTF-8 if well-formed, else windows-1252 */
	s = dec("us-ascii", "caf\xC3\xA9", 5, &fl);
	CHECK_STR(s, "caf\xC3\xA9");
	CHECK(fl == 0);
	free(s);
	s = dec(NULL, "\x93quoted\x94", 8, &fl);
	CHECK_STR(s, "\xE2\x80\x9Cquoted\xE2\x80\x9D");
	CHECK(fl == CHARSET_F_INVALID);
	free(s);
	/* iso-8859-1 is read as windows-1252 */
	s = dec("ISO-8859-1", "\xE9\x80\xFF", 3, &fl);
	CHECK_STR(s, "\xC3\xA9\xE2\x82\xAC\xC3\xBF");
	CHECK(fl == 0);
	free(s);
	s = dec("latin1", "a\x81" "b", 3, &fl);
	CHECK_STR(s, "a\xEF\xBF\xBD" "b");
	CHECK(fl & CHARSET_F_INVALID);
	free(s);
	s = dec("ISO_8859-1:1987", "\xE0", 1, &fl);
	CHECK_STR(s, "\xC3\xA0");
	free(s);
	/* unknown names */
	s = dec("x-no-such-charset", "ok \xC3\xA9", 5, &fl);
	CHECK_STR(s, "ok \xC3\xA9");
	CHECK(fl == CHARSET_F_UNKNOWN);
	free(s);
	s = dec("x-no-such-charset", "\xE9t\xE9", 3, &fl);
	CHECK_STR(s, "\xC3\xA9t\xC3\xA9");
	CHECK(fl == (CHARSET_F_UNKNOWN | CHARSET_F_INVALID));
	free(s);
	/* names that must never reach iconv */
	s = dec("UTF-8//TRANSLIT", "ab", 2, &fl);
	CHECK_STR(s, "ab");
	CHECK(fl & CHARSET_F_UNKNOWN);
	free(s);
	s = dec("../../etc/passwd", "ab", 2, &fl);
	CHECK(fl & CHARSET_F_UNKNOWN);
	free(s);
	CHECK(charset_known("UTF-8", 5));
	CHECK(charset_known("\"Windows-1258\"", 14));
	CHECK(charset_known("cp1258", 6));
	CHECK(charset_known("ks_c_5601-1987", 14));
	CHECK(charset_known("iso-8859-16", 11));
	CHECK(!charset_known("iso-8859-12", 11));
	CHECK(!charset_known("x-foo", 5));
	CHECK(charset_known("", 0));		/* empty: us-ascii */
}

static void
test_vietnamese(void)
{
	static const char vi[] = "S\xE1\xBB\xB1 c\xE1\xBB\x91 m\xE1\xBA\xA1ng:"
	    " tr\xE1\xBA\xA7n \xC4\x91\xE1\xBB\x99t nh\xE1\xBA\xADp, "
	    "\xC4\x90\xC3\xA0 N\xE1\xBA\xB5ng";
	static const char cp1258[] = "S\xFD\xF2 c\xF4\xEC";	/* "Sự cố" */
	unsigned	 fl;
	char		*s;

	roundtrip("CP1258", "windows-1258", vi);
	roundtrip("CP1258", "cp1258", vi);
	roundtrip("CP1258", "Windows-1258", vi);
	roundtrip("VISCII", "viscii", vi);
	roundtrip("TCVN5712-1", "tcvn", vi);
	roundtrip("TCVN5712-1", "tcvn-5712", vi);
	roundtrip("TCVN5712-1", "TCVN5712-1", vi);
	roundtrip("UTF-8", "utf-8", vi);
	/* bytes as a Vietnamese Windows mailer writes them */
	s = dec("windows-1258", cp1258, sizeof(cp1258) - 1, &fl);
	CHECK_STR(s, "S\xE1\xBB\xB1 c\xE1\xBB\x91");
	free(s);
}

static void
test_others(void)
{
	char		*bytes, *s;
	size_t		 n;
	unsigned	 fl;

	roundtrip("KOI8-R", "koi8-r", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5"
	    "\xD1\x82, \xD0\xBC\xD0\xB8\xD1\x80");		/* Привет, мир */
	roundtrip("CP1251", "windows-1251", "\xD0\x9F\xD1\x80\xD0\xB8");
	roundtrip("GB2312", "gb2312", "\xE4\xB8\xAD\xE6\x96\x87\xE6\x8A\xA5"
	    "\xE5\x91\x8A");				/* 中文报告 */
	roundtrip("GBK", "gbk", "\xE4\xB8\xAD\xE6\x96\x87");
	roundtrip("GB18030", "GB18030", "\xE4\xB8\xAD\xE6\x96\x87\xF0\x9F\x98"
	    "\x80");
	roundtrip("SHIFT_JIS", "shift_jis", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA"
	    "\x9E\xE3\x81\xAE\xE3\x83\x86\xE3\x82\xAD\xE3\x82\xB9\xE3\x83\x88");
	roundtrip("SHIFT_JIS", "sjis", "\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88");
	roundtrip("ISO-2022-JP", "iso-2022-jp", "abc \xE6\x97\xA5\xE6\x9C\xAC"
	    " def \xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88 ghi");
	roundtrip("EUC-KR", "euc-kr", "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4");
	roundtrip("EUC-KR", "ks_c_5601-1987", "\xED\x95\x9C\xEA\xB5\xAD");
	roundtrip("EUC-JP", "euc-jp", "\xE6\x97\xA5\xE6\x9C\xAC");
	roundtrip("BIG5", "big5", "\xE4\xB8\xAD\xE6\x96\x87");
	roundtrip("ISO-8859-2", "iso-8859-2", "\xC5\x81\xC3\xB3\xC4\x91\xC5\xBA");
	roundtrip("ISO-8859-15", "latin9", "\xE2\x82\xAC 5");
	roundtrip("UTF-16LE", "utf-16le", "hi \xE2\x82\xAC");
	/* Shift_JIS 0x5C stays a backslash (CP932), as every client shows */
	s = dec("shift_jis", "C:\\dir", 6, &fl);
	CHECK_STR(s, "C:\\dir");
	free(s);
	/* invalid and truncated multi-byte input */
	s = dec("euc-kr", "a\xFF\xFF" "b", 4, &fl);
	CHECK(s != NULL && strncmp(s, "a\xEF\xBF\xBD", 4) == 0);
	CHECK(s != NULL && s[strlen(s) - 1] == 'b');
	CHECK(fl & CHARSET_F_INVALID);
	free(s);
	bytes = encode("ISO-2022-JP", "\xE6\x97\xA5\xE6\x9C\xAC", &n);
	CHECK(bytes != NULL && n > 4);
	if (bytes != NULL) {
		/* cut inside the double-byte run */
		s = dec("iso-2022-jp", bytes, n - 4, &fl);
		CHECK(s != NULL && strncmp(s, "\xE6\x97\xA5", 3) == 0);
		CHECK(fl & CHARSET_F_INVALID);
		free(s);
		free(bytes);
	}
	s = dec("shift_jis", "ok\x81", 3, &fl);
	CHECK_STR(s, "ok\xEF\xBF\xBD");
	free(s);
}

static void
test_truncate(void)
{
	struct charset_buf	 b = { NULL, 0, 0 };
	unsigned		 fl = 0;
	char			*s = NULL;
	size_t			 n = 0;

	CHECK(charset_to_utf8("utf-8", "\xC3\xA9\xC3\xA9\xC3\xA9", 6, 3, &s,
	    &n, &fl) == 0);
	CHECK_STR(s, "\xC3\xA9");
	CHECK(n == 2 && (fl & CHARSET_F_TRUNCATED));
	free(s);
	fl = 0;
	CHECK(charset_to_utf8("koi8-r", "\xF0\xF2\xE9", 3, 5, &s, &n,
	    &fl) == 0);
	CHECK(n == 4 && (fl & CHARSET_F_TRUNCATED));
	CHECK(s != NULL && charset_utf8_valid_prefix(s, n) == n);
	free(s);
	fl = 0;
	CHECK(charset_to_utf8("latin1", "\xE9\xE9\xE9", 3, 5, &s, &n,
	    &fl) == 0);
	CHECK(n == 4 && (fl & CHARSET_F_TRUNCATED));
	free(s);
	/* appending keeps what is there */
	CHECK(charset_buf_append(&b, "x:", 2) == 0);
	CHECK(charset_append_utf8(&b, "koi8-r", 6, "\xF0", 1, SIZE_MAX,
	    NULL) == 0);
	CHECK_STR(b.data, "x:\xD0\x9F");
	CHECK(b.len == 4);
	charset_buf_free(&b);
	CHECK(b.data == NULL && b.len == 0);
}

/* Every byte value in every charset family: never crash, always UTF-8. */
static void
test_all_bytes(void)
{
	static const char *const labels[] = {
		"utf-8", "us-ascii", "iso-8859-1", "iso-8859-2", "iso-8859-5",
		"iso-8859-7", "iso-8859-11", "iso-8859-16", "windows-1250",
		"windows-1251", "windows-1252", "windows-1253", "windows-1254",
		"windows-1255", "windows-1256", "windows-1257", "windows-1258",
		"viscii", "tcvn", "koi8-r", "koi8-u", "gb2312", "gbk",
		"gb18030", "big5", "big5-hkscs", "shift_jis", "euc-jp",
		"iso-2022-jp", "euc-kr", "iso-2022-kr", "tis-620", "utf-16",
		"utf-16be", "utf-32", "utf-7", "ibm866", "cp437", "macintosh",
		"unknown-8bit"
	};
	char		 all[512], *s;
	size_t		 i, n, bad = 0;
	unsigned	 fl;

	for (i = 0; i < 512; i++)
		all[i] = (char)(i < 256 ? i : 255 - (i - 256));
	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		fl = 0;
		if (charset_to_utf8(labels[i], all, sizeof(all), SIZE_MAX, &s,
		    &n, &fl) == -1) {
			bad++;
			continue;
		}
		if (charset_utf8_valid_prefix(s, n) != n || strlen(s) != n ||
		    (fl & CHARSET_F_UNKNOWN && strcmp(labels[i],
		    "unknown-8bit") != 0)) {
			printf("FAIL all bytes in %s: flags %#x\n", labels[i],
			    fl);
			bad++;
		}
		free(s);
	}
	CHECK(bad == 0);
}

int
main(void)
{
	test_utf8();
	test_fallbacks();
	test_vietnamese();
	test_others();
	test_truncate();
	test_all_bytes();
	return t_done();
}
