/*
 * test_text.c - the text helpers shared by every parser: trimming, counted
 * copies, hex digits, and the NFC quick check, which is proved against full
 * normalisation for every code point of Unicode, alone and next to the
 * characters most likely to compose with it.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "report.h"
#include "t.h"

/* Full NFC of s, for comparison; NULL on error. */
static char *
nfc_full(const char *s, size_t len)
{
	utf8proc_uint8_t	*out = NULL;

	if (utf8proc_map((const utf8proc_uint8_t *)s, len, &out,
	    UTF8PROC_STABLE | UTF8PROC_COMPOSE) < 0)
		return NULL;
	return (char *)out;
}

/*
 * For one text: when the quick check says "already NFC", full NFC must
 * give back the same bytes. Returns 1 when the quick check was wrong.
 */
static int
quick_check_wrong(const char *s, size_t len)
{
	char	*n;
	int	 wrong;

	if (!text_is_nfc_quick(s, len))
		return 0;		/* "not sure" is always allowed */
	n = nfc_full(s, len);
	wrong = n == NULL || strlen(n) != len || memcmp(n, s, len) != 0;
	free(n);
	return wrong;
}

static void
test_nfc_quick_every_code_point(void)
{
	/* neighbours that compose or reorder with many characters */
	static const utf8proc_int32_t around[] = { 'a', 'A', 0x0301, 0x0323,
	    0x0309, 0x1100, 0x1161, 0x11A8, 0xAC00, 0x0B47, 0x0DD9, 0x3099 };
	utf8proc_uint8_t	buf[32];
	utf8proc_int32_t	cp;
	size_t			i, len, wrong = 0, quick_yes = 0;

	for (cp = 0x80; cp <= 0x10FFFF; cp++) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		if (!utf8proc_codepoint_valid(cp))
			continue;
		for (i = 0; i < sizeof(around) / sizeof(around[0]); i++) {
			len = utf8proc_encode_char(around[i], buf);
			len += utf8proc_encode_char(cp, buf + len);
			len += utf8proc_encode_char(around[i], buf + len);
			if (quick_check_wrong((char *)buf, len)) {
				if (wrong++ < 5)
					printf("FAIL quick check wrong for"
					    " U+%04X next to U+%04X\n",
					    (unsigned)cp, (unsigned)around[i]);
			}
			quick_yes += text_is_nfc_quick((char *)buf, len);
		}
	}
	CHECK(wrong == 0);
	/* and it is useful: most characters are answered quickly */
	CHECK(quick_yes > 100000);
}

static void
test_nfc(void)
{
	/* "Sự cố" precomposed (NFC) and decomposed (NFD) */
	static const char nfc_text[] = "S\xe1\xbb\xb1 c\xe1\xbb\x91";
	static const char nfd_text[] = "Su\xcc\x9b\xcc\xa3 co\xcc\x82\xcc\x81";
	char	*out;
	size_t	 n;

	CHECK(text_is_nfc_quick(nfc_text, strlen(nfc_text)) == 1);
	CHECK(text_is_nfc_quick(nfd_text, strlen(nfd_text)) == 0);
	CHECK(text_nfc(nfd_text, strlen(nfd_text), &out, &n) == 0);
	CHECK(n == strlen(nfc_text) && memcmp(out, nfc_text, n) == 0);
	free(out);
	CHECK(text_nfc(nfc_text, strlen(nfc_text), &out, &n) == 0);
	CHECK_STR(out, nfc_text);
	free(out);
	/* a singleton: OHM SIGN becomes GREEK CAPITAL OMEGA */
	CHECK(text_is_nfc_quick("\xe2\x84\xa6", 3) == 0);
	CHECK(text_nfc("\xe2\x84\xa6", 3, &out, &n) == 0);
	CHECK_STR(out, "\xce\xa9");
	free(out);
}

static void
test_trim_copy_hex(void)
{
	const char	*s = " \t x y \r\n";
	size_t		 len = strlen(s);
	char		*c;

	text_trim(&s, &len, TEXT_BLANKS);
	CHECK(len == 3 && memcmp(s, "x y", 3) == 0);
	s = "   ";
	len = 3;
	text_trim(&s, &len, " ");
	CHECK(len == 0);
	c = text_strndup("ab\0cd", 5);
	CHECK(c != NULL && memcmp(c, "ab\0cd", 6) == 0);
	free(c);
	CHECK(text_hexval('0') == 0 && text_hexval('9') == 9);
	CHECK(text_hexval('a') == 10 && text_hexval('F') == 15);
	CHECK(text_hexval('g') == -1 && text_hexval('\0') == -1);
}

int
main(void)
{
	test_trim_copy_hex();
	test_nfc();
	test_nfc_quick_every_code_point();
	return t_done();
}
