/*
 * fuzz_header.c - libFuzzer harness for the value decoders of the e-mail
 * parser: one input is one header value (or body), fed to
 * mime_header_decode, mime_addr_spec, mime_parse_date, the transfer
 * decoders, html_to_text and charset_to_utf8 (with a charset picked by the
 * first byte). Aborts when a promised invariant breaks: well-formed UTF-8
 * without NUL, output within its bound, an address with one '@'.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "charset.h"
#include "mime.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void	fz_utf8(const char *, size_t);

static const char *const fz_charsets[] = {
	"utf-8", "us-ascii", "iso-8859-1", "windows-1258", "viscii", "tcvn",
	"koi8-r", "gb2312", "gbk", "gb18030", "shift_jis", "iso-2022-jp",
	"euc-kr", "big5", "utf-16", "utf-7", "x-unknown", "iso-2022-kr"
};

static void
fz_utf8(const char *s, size_t n)
{
	if (s == NULL || strlen(s) != n || charset_utf8_valid_prefix(s, n) != n)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*in = (const char *)data;
	char		*out, *z, addr[128], *at;
	size_t		 n, cap;
	unsigned	 fl = 0;
	time_t		 t;
	int		 tr;

	if (mime_header_decode(in, size, &out) == 0) {
		fz_utf8(out, strlen(out));
		free(out);
	}
	if (mime_addr_spec(in, size, addr, sizeof(addr)) == 0) {
		if ((at = strchr(addr, '@')) == NULL || at == addr ||
		    at[1] == '\0' || strlen(addr) >= sizeof(addr))
			abort();
	}
	if ((z = malloc(size + 1)) == NULL)
		return 0;
	memcpy(z, in, size);
	z[size] = '\0';
	(void)mime_parse_date(z, &t);
	free(z);
	cap = size / 4 * 3 + 3;
	if ((out = malloc(cap + 1)) == NULL)
		return 0;
	if (mime_base64_decode(in, size, out, cap, &fl) > cap ||
	    (fl & MIME_F_TRUNCATED))
		abort();
	if (mime_qp_decode(in, size, out, size < cap ? size : cap, &fl) >
	    cap)
		abort();
	free(out);
	if (html_to_text(in, size, 4096, &out, &n, &tr) == 0) {
		if (n > 4096)
			abort();
		free(out);
	}
	if (size > 0 && charset_to_utf8(fz_charsets[data[0] %
	    (sizeof(fz_charsets) / sizeof(fz_charsets[0]))], in + 1, size - 1,
	    8192, &out, &n, &fl) == 0) {
		fz_utf8(out, n);
		if (n > 8192)
			abort();
		free(out);
	}
	return 0;
}
