/*
 * test_indicator.c - canonical forms and refusals of every indicator type,
 * the type names, and the shared UTF-8 and control-character checks.
 */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "report.h"

struct norm_case {
	enum ind_type	 type;
	const char	*in;
	size_t		 len;	/* 0: strlen(in) */
	const char	*want;	/* NULL: must be refused */
	const char	*why;	/* expected reason when refused, or NULL */
};

static const struct norm_case testcases[] = {
	/* IPv4 */
	{ IND_IPV4, "192.0.2.1", 0, "192.0.2.1", NULL },
	{ IND_IPV4, "0.0.0.0", 0, "0.0.0.0", NULL },
	{ IND_IPV4, "255.255.255.255", 0, "255.255.255.255", NULL },
	{ IND_IPV4, " 10.1.2.3\t", 0, "10.1.2.3", NULL },
	{ IND_IPV4, "192.0.2[.]1", 0, "192.0.2.1", NULL },
	{ IND_IPV4, "192(.)0(.)2(.)1", 0, "192.0.2.1", NULL },
	{ IND_IPV4, "010.1.1.1", 0, NULL,
	    "leading zero in IPv4 address (octal is ambiguous)" },
	{ IND_IPV4, "1.1.1.00", 0, NULL,
	    "leading zero in IPv4 address (octal is ambiguous)" },
	{ IND_IPV4, "256.1.1.1", 0, NULL, "IPv4 octet above 255" },
	{ IND_IPV4, "1.2.3", 0, NULL, "not an IPv4 address" },
	{ IND_IPV4, "1.2.3.4.5", 0, NULL, "not an IPv4 address" },
	{ IND_IPV4, "1.2.3.", 0, NULL, "not an IPv4 address" },
	{ IND_IPV4, "1..2.3", 0, NULL, "not an IPv4 address" },
	{ IND_IPV4, "1.2.3.1234", 0, NULL, "not an IPv4 address" },
	{ IND_IPV4, "0x7f.0.0.1", 0, NULL, "not an IPv4 address" },
	{ IND_IPV4, "2130706433", 0, NULL, "not an IPv4 address" },
	{ IND_IPV4, "1.2.3.4 x", 0, NULL, "not an IPv4 address" },
	{ IND_IPV4, "1.2.3.4\0", 8, NULL, "not an IPv4 address" },
	{ IND_IPV4, "", 0, NULL, "empty value" },
	{ IND_IPV4, " \t ", 0, NULL, "empty value" },
	{ IND_IPV4, "::1", 0, NULL, "not an IPv4 address" },
	/* IPv6 */
	{ IND_IPV6, "2001:DB8:0:0:0:0:0:1", 0, "2001:db8::1", NULL },
	{ IND_IPV6, "2001:db8:0:0:1:0:0:1", 0, "2001:db8::1:0:0:1", NULL },
	{ IND_IPV6, "0:0:0:0:0:0:0:1", 0, "::1", NULL },
	{ IND_IPV6, "::", 0, "::", NULL },
	{ IND_IPV6, "[2001:db8::0:1]", 0, "2001:db8::1", NULL },
	{ IND_IPV6, "::FFFF:192.0.2.1", 0, "::ffff:192.0.2.1", NULL },
	{ IND_IPV6, "fe80::1%eth0", 0, NULL, "not an IPv6 address" },
	{ IND_IPV6, "2001:db8::1::2", 0, NULL, "not an IPv6 address" },
	{ IND_IPV6, "2001:db8:g::1", 0, NULL, "not an IPv6 address" },
	{ IND_IPV6, "192.0.2.1", 0, NULL, "not an IPv6 address" },
	{ IND_IPV6, "[]", 0, NULL, "not an IPv6 address" },
	{ IND_IPV6, "1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16:17", 0, NULL,
	    "not an IPv6 address" },
	/* domains */
	{ IND_DOMAIN, "Example.COM.", 0, "example.com", NULL },
	{ IND_DOMAIN, "example.com", 0, "example.com", NULL },
	{ IND_DOMAIN, "a-b.c0.example", 0, "a-b.c0.example", NULL },
	{ IND_DOMAIN, "bücher.example", 0, "xn--bcher-kva.example", NULL },
	{ IND_DOMAIN, "BÜCHER.Example", 0, "xn--bcher-kva.example", NULL },
	{ IND_DOMAIN, "xn--bcher-kva.example", 0, "xn--bcher-kva.example",
	    NULL },
	{ IND_DOMAIN, "XN--BCHER-KVA.EXAMPLE", 0, "xn--bcher-kva.example",
	    NULL },
	{ IND_DOMAIN, "faß.de", 0, "xn--fa-hia.de", NULL },
	{ IND_DOMAIN, "bộcôngan.vn", 0, "xn--bcngan-jxa6332d.vn", NULL },
	{ IND_DOMAIN, "bu\xCC\x88" "cher.example", 0, "xn--bcher-kva.example",
	    NULL },		/* NFD input */
	{ IND_DOMAIN, "例え。テスト", 0, "xn--r8jz45g.xn--zckzah", NULL },
	{ IND_DOMAIN, "evil[.]example", 0, "evil.example", NULL },
	{ IND_DOMAIN, "evil[dot]example", 0, "evil.example", NULL },
	{ IND_DOMAIN, "ab--cd.example", 0, "ab--cd.example", NULL },
	{ IND_DOMAIN, "a.b.c.d.e.f.example", 0, "a.b.c.d.e.f.example", NULL },
	{ IND_DOMAIN, "xn--zz.example", 0, NULL,
	    "invalid internationalised domain name" },
	{ IND_DOMAIN, "localhost", 0, NULL,
	    "domain name needs at least two labels" },
	{ IND_DOMAIN, "example..com", 0, NULL, "empty label in domain name" },
	{ IND_DOMAIN, ".example.com", 0, NULL, "empty label in domain name" },
	{ IND_DOMAIN, "example.com..", 0, NULL, "empty label in domain name" },
	{ IND_DOMAIN, ".", 0, NULL, "empty domain name" },
	{ IND_DOMAIN, "-a.example", 0, NULL,
	    "domain label starts or ends with '-'" },
	{ IND_DOMAIN, "a-.example", 0, NULL,
	    "domain label starts or ends with '-'" },
	{ IND_DOMAIN, "a_b.example", 0, NULL,
	    "invalid character in domain name" },
	{ IND_DOMAIN, "a b.example", 0, NULL,
	    "invalid character in domain name" },
	{ IND_DOMAIN, "exa\0mple.com", 12, NULL,
	    "invalid character in domain name" },
	{ IND_DOMAIN, "ex\xC3\x28.com", 0, NULL, "invalid UTF-8" },
	{ IND_DOMAIN, "192.0.2.1", 0, NULL,
	    "an IP address is not a domain name" },
	{ IND_DOMAIN, "2001:db8::1", 0, NULL,
	    "an IP address is not a domain name" },
	{ IND_DOMAIN, "[::1]", 0, NULL,
	    "an IP address is not a domain name" },
	{ IND_DOMAIN, "example.com:80", 0, NULL,
	    "invalid character in domain name" },
	{ IND_DOMAIN, "example.123", 0, NULL, "top-level label is numeric" },
	{ IND_DOMAIN,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    ".example", 0, NULL, "domain label longer than 63 bytes" },
	/* URLs */
	{ IND_URL, "hxxps://evil[.]example/x", 0,
	    "https://evil.example/x", NULL },
	{ IND_URL, "hXXp://evil(.)example", 0, "http://evil.example/", NULL },
	{ IND_URL, "https[:]//Evil.Example/Login?A=B#F", 0,
	    "https://evil.example/Login?A=B#F", NULL },
	{ IND_URL, "HTTP://WWW.Example.COM.:80/a%20b", 0,
	    "http://www.example.com/a%20b", NULL },
	{ IND_URL, "https://example.com:443?q=1", 0,
	    "https://example.com/?q=1", NULL },
	{ IND_URL, "https://example.com:08443/", 0,
	    "https://example.com:8443/", NULL },
	{ IND_URL, "ftp://files.example.net:21/pub/", 0,
	    "ftp://files.example.net/pub/", NULL },
	{ IND_URL, "http://user:pw@bücher.example/ü", 0,
	    "http://user:pw@xn--bcher-kva.example/ü", NULL },
	{ IND_URL, "http://paypal.com@evil.example/", 0,
	    "http://paypal.com@evil.example/", NULL },
	{ IND_URL, "http://192.0.2.1:8080/x", 0, "http://192.0.2.1:8080/x",
	    NULL },
	{ IND_URL, "http://[2001:DB8::0:1]:8080/x", 0,
	    "http://[2001:db8::1]:8080/x", NULL },
	{ IND_URL, "http://[::1]/", 0, "http://[::1]/", NULL },
	{ IND_URL, "javascript:alert(1)", 0, NULL,
	    "URL scheme must be http, https or ftp" },
	{ IND_URL, "example.com/x", 0, NULL, "URL without a scheme" },
	{ IND_URL, "http:example.com", 0, NULL,
	    "expected \"://\" after the URL scheme" },
	{ IND_URL, "http://", 0, NULL, "URL without a host" },
	{ IND_URL, "http:///x", 0, NULL, "URL without a host" },
	{ IND_URL, "http://exa mple.com/", 0, NULL, "space in URL" },
	{ IND_URL, "http://example.com/\x01", 0, NULL,
	    "control character in URL" },
	{ IND_URL, "http://example.com/\xC0\xAF", 0, NULL, "invalid UTF-8" },
	{ IND_URL, "http://example.com:0/", 0, NULL, "invalid port in URL" },
	{ IND_URL, "http://example.com:65536/", 0, NULL,
	    "invalid port in URL" },
	{ IND_URL, "http://example.com:/", 0, NULL, "invalid port in URL" },
	{ IND_URL, "http://example.com:8o/", 0, NULL, "invalid port in URL" },
	{ IND_URL, "http://[2001:db8::1/", 0, NULL,
	    "invalid IPv6 host in URL" },
	{ IND_URL, "http://[::1]x/", 0, NULL, "invalid IPv6 host in URL" },
	{ IND_URL, "http://[zz::1]/", 0, NULL, "not an IPv6 address" },
	{ IND_URL, "http://010.0.0.1/", 0, NULL,
	    "leading zero in IPv4 address (octal is ambiguous)" },
	{ IND_URL, "http://1.2.3/", 0, NULL, "not an IPv4 address" },
	{ IND_URL, "http://bad_host.example/", 0, NULL,
	    "invalid character in domain name" },
	/* e-mail addresses */
	{ IND_EMAIL, "Alice@Example.COM", 0, "Alice@example.com", NULL },
	{ IND_EMAIL, "<bob.smith+tag@mail.example.org.>", 0,
	    "bob.smith+tag@mail.example.org", NULL },
	{ IND_EMAIL, "mailto:x@example.com", 0, "x@example.com", NULL },
	{ IND_EMAIL, "phish[@]evil[.]example", 0, "phish@evil.example", NULL },
	{ IND_EMAIL, "abuse[at]example.net", 0, "abuse@example.net", NULL },
	{ IND_EMAIL, "nguyễn@bücher.example", 0,
	    "nguyễn@xn--bcher-kva.example", NULL },
	{ IND_EMAIL, "o'hara!#$%&*/=?^_`{|}~-@example.com", 0,
	    "o'hara!#$%&*/=?^_`{|}~-@example.com", NULL },
	{ IND_EMAIL, "no-at-sign.example.com", 0, NULL,
	    "not an e-mail address (no '@')" },
	{ IND_EMAIL, "@example.com", 0, NULL,
	    "empty local part in e-mail address" },
	{ IND_EMAIL, "a b@example.com", 0, NULL,
	    "invalid character in e-mail address" },
	{ IND_EMAIL, "a\"b@example.com", 0, NULL,
	    "invalid character in e-mail address" },
	{ IND_EMAIL, "a\x7f" "b@example.com", 0, NULL,
	    "invalid character in e-mail address" },
	{ IND_EMAIL, ".a@example.com", 0, NULL,
	    "misplaced dot in e-mail address" },
	{ IND_EMAIL, "a..b@example.com", 0, NULL,
	    "misplaced dot in e-mail address" },
	{ IND_EMAIL, "a.@example.com", 0, NULL,
	    "misplaced dot in e-mail address" },
	{ IND_EMAIL,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "@example.com", 0, NULL,
	    "local part of e-mail address longer than 64 bytes" },
	{ IND_EMAIL, "a@localhost", 0, NULL,
	    "domain name needs at least two labels" },
	{ IND_EMAIL, "a@[192.0.2.1]", 0, NULL,
	    "invalid character in domain name" },
	{ IND_EMAIL, "a@192.0.2.1", 0, NULL,
	    "an IP address is not a domain name" },
	/* hashes */
	{ IND_MD5, "D41D8CD98F00B204E9800998ECF8427E", 0,
	    "d41d8cd98f00b204e9800998ecf8427e", NULL },
	{ IND_MD5, "d41d8cd98f00b204e9800998ecf8427", 0, NULL,
	    "an MD5 hash is 32 hex digits" },
	{ IND_MD5, "g41d8cd98f00b204e9800998ecf8427e", 0, NULL,
	    "hash is not hexadecimal" },
	{ IND_SHA1, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", 0,
	    "da39a3ee5e6b4b0d3255bfef95601890afd80709", NULL },
	{ IND_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd8070", 0, NULL,
	    "a SHA-1 hash is 40 hex digits" },
	{ IND_SHA256,
	    "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
	    0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    NULL },
	{ IND_SHA256, "d41d8cd98f00b204e9800998ecf8427e", 0, NULL,
	    "a SHA-256 hash is 64 hex digits" },
	{ IND_SHA256,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85 ",
	    0, NULL, "a SHA-256 hash is 64 hex digits" },
	/* CVE IDs */
	{ IND_CVE, "cve-2021-44228", 0, "CVE-2021-44228", NULL },
	{ IND_CVE, "CVE-2014-0160", 0, "CVE-2014-0160", NULL },
	{ IND_CVE, "Cve-2024-1234567", 0, "CVE-2024-1234567", NULL },
	{ IND_CVE, "CVE-2021-123", 0, NULL, "not a CVE ID (CVE-YYYY-NNNN)" },
	{ IND_CVE, "CVE-2021-01234", 0, NULL, "not a CVE ID (CVE-YYYY-NNNN)" },
	{ IND_CVE, "CVE-1998-1234", 0, NULL, "not a CVE ID (CVE-YYYY-NNNN)" },
	{ IND_CVE, "CVE-20X1-1234", 0, NULL, "not a CVE ID (CVE-YYYY-NNNN)" },
	{ IND_CVE, "CVE-2021-1234a", 0, NULL, "not a CVE ID (CVE-YYYY-NNNN)" },
	{ IND_CVE, "CVE_2021_1234", 0, NULL, "not a CVE ID (CVE-YYYY-NNNN)" },
	{ IND_CVE, "CAN-2021-1234", 0, NULL, "not a CVE ID (CVE-YYYY-NNNN)" },
	{ IND_TYPE_COUNT, "x", 0, NULL, "unknown indicator type" },
};

static void
test_normalise(void)
{
	size_t		 i, len;
	char		*out;
	const char	*why;
	int		 rc;

	for (i = 0; i < sizeof(testcases) / sizeof(testcases[0]); i++) {
		const struct norm_case *c = &testcases[i];

		out = NULL;
		why = NULL;
		len = c->len ? c->len : strlen(c->in);
		rc = indicator_normalise(c->type, c->in, len, &out, &why);
		if (c->want != NULL) {
			if (rc != 0)
				printf("case %zu \"%s\": refused: %s\n", i,
				    c->in, why ? why : "?");
			CHECK(rc == 0);
			CHECK_STR(out, c->want);
		} else {
			if (rc == 0)
				printf("case %zu \"%s\": accepted as \"%s\"\n",
				    i, c->in, out);
			CHECK(rc == -1);
			CHECK(out == NULL);
			if (c->why != NULL)
				CHECK_STR(why, c->why);
		}
		free(out);
	}
}

/* Long inputs: bounds rather than buffer overruns. */
static void
test_lengths(void)
{
	char		 big[4096], *out = NULL;
	const char	*why = NULL;
	size_t		 i;

	/* 4 labels of 63 + 3 dots = 255 > 253 */
	for (i = 0; i < 255; i++)
		big[i] = (i % 64 == 63) ? '.' : 'a';
	CHECK(indicator_normalise(IND_DOMAIN, big, 255, &out, &why) == -1);
	CHECK_STR(why, "domain name too long");
	/* 253 bytes is fine */
	big[252] = 'a';
	CHECK(indicator_normalise(IND_DOMAIN, big, 253, &out, &why) == 0);
	CHECK(out != NULL && strlen(out) == 253);
	free(out);
	out = NULL;
	memset(big, 'a', sizeof(big));
	big[100] = '.';
	CHECK(indicator_normalise(IND_DOMAIN, big, sizeof(big), &out,
	    &why) == -1);
	CHECK_STR(why, "domain name too long");
	/* non-ASCII and long: the IDN path keeps the bound too */
	memcpy(big, "\xC3\xBC", 2);
	CHECK(indicator_normalise(IND_DOMAIN, big, 1000, &out, &why) == -1);
	CHECK(indicator_normalise(IND_DOMAIN, big, sizeof(big), &out,
	    &why) == -1);
	CHECK_STR(why, "domain name too long");
	/* a long URL path is kept whole */
	memcpy(big, "http://example.com/", 19);
	memset(big + 19, 'p', 3000);
	CHECK(indicator_normalise(IND_URL, big, 3019, &out, &why) == 0);
	CHECK(out != NULL && strlen(out) == 3019);
	free(out);
	out = NULL;
	/* IPv6 with too much text for any address */
	memset(big, ':', 100);
	CHECK(indicator_normalise(IND_IPV6, big, 100, &out, &why) == -1);
	CHECK(out == NULL);
}

static void
test_type_names(void)
{
	static const char *const names[IND_TYPE_COUNT] = {
		"ipv4", "ipv6", "domain", "url", "email", "md5", "sha1",
		"sha256", "cve"
	};
	int	i;

	for (i = 0; i < IND_TYPE_COUNT; i++) {
		CHECK_STR(ind_type_name((enum ind_type)i), names[i]);
		CHECK(ind_type_parse(names[i], strlen(names[i])) == i);
	}
	CHECK(ind_type_parse("SHA256", 6) == IND_SHA256);
	CHECK(ind_type_parse("Url", 3) == IND_URL);
	CHECK(ind_type_parse("sha", 3) == -1);
	CHECK(ind_type_parse("sha2566", 7) == -1);
	CHECK(ind_type_parse("", 0) == -1);
	CHECK(ind_type_parse(NULL, 0) == -1);
	CHECK(ind_type_parse("md5x", 3) == IND_MD5);
	CHECK_STR(ind_type_name(IND_TYPE_COUNT), "unknown");
}

struct utf8_case {
	const char	*s;
	size_t		 len;	/* 0: strlen */
	int		 valid;
};

static const struct utf8_case utf8_cases[] = {
	{ "", 0, 1 },
	{ "plain ASCII, long enough for the 8-byte path", 0, 1 },
	{ "Tiếng Việt có dấu", 0, 1 },
	{ "\xC2\x80", 0, 1 },			/* U+0080 */
	{ "\xDF\xBF", 0, 1 },			/* U+07FF */
	{ "\xE0\xA0\x80", 0, 1 },		/* U+0800 */
	{ "\xED\x9F\xBF", 0, 1 },		/* U+D7FF */
	{ "\xEE\x80\x80", 0, 1 },		/* U+E000 */
	{ "\xEF\xBF\xBF", 0, 1 },		/* U+FFFF */
	{ "\xF0\x90\x80\x80", 0, 1 },		/* U+10000 */
	{ "\xF4\x8F\xBF\xBF", 0, 1 },		/* U+10FFFF */
	{ "nul\0inside", 10, 1 },		/* NUL is valid UTF-8 */
	{ "\xC0\xAF", 0, 0 },			/* overlong '/' */
	{ "\xC1\xBF", 0, 0 },			/* overlong */
	{ "\xE0\x80\xAF", 0, 0 },		/* overlong, 3 bytes */
	{ "\xE0\x9F\xBF", 0, 0 },		/* overlong U+07FF */
	{ "\xF0\x80\x80\xAF", 0, 0 },		/* overlong, 4 bytes */
	{ "\xF0\x8F\xBF\xBF", 0, 0 },		/* overlong U+FFFF */
	{ "\xED\xA0\x80", 0, 0 },		/* surrogate U+D800 */
	{ "\xED\xBF\xBF", 0, 0 },		/* surrogate U+DFFF */
	{ "\xF4\x90\x80\x80", 0, 0 },		/* U+110000 */
	{ "\xF5\x80\x80\x80", 0, 0 },
	{ "\xFF", 0, 0 },
	{ "\xFE", 0, 0 },
	{ "\x80", 0, 0 },			/* lone continuation */
	{ "abc\xBF", 0, 0 },
	{ "\xC3", 0, 0 },			/* truncated */
	{ "\xE2\x82", 0, 0 },			/* truncated */
	{ "\xF0\x9F\x98", 0, 0 },		/* truncated */
	{ "\xC3\x28", 0, 0 },			/* bad continuation */
	{ "\xE2\x28\xA1", 0, 0 },
	{ "\xE2\x82\x28", 0, 0 },
	{ "\xF0\x9F\x98\x28", 0, 0 },
	{ "12345678\xC3", 0, 0 },		/* after the fast path */
	{ "1234567\xC3\xA9" "12345678", 0, 1 },
};

struct ctl_case {
	const char	*s;
	size_t		 len;
	int		 nl;		/* allow_newlines */
	int		 has;
};

static const struct ctl_case ctl_cases[] = {
	{ "plain", 0, 0, 0 },
	{ "tab\there", 0, 0, 1 },
	{ "tab\there", 0, 1, 0 },
	{ "line\r\nbreak", 0, 1, 0 },
	{ "line\r\nbreak", 0, 0, 1 },
	{ "bell\a", 0, 1, 1 },
	{ "esc\x1b[0m", 0, 1, 1 },
	{ "del\x7f", 0, 1, 1 },
	{ "nul\0x", 5, 1, 1 },
	{ "c1 \xC2\x85 nel", 0, 1, 1 },
	{ "c1 \xC2\x9F", 0, 1, 1 },
	{ "nbsp \xC2\xA0 ok", 0, 0, 0 },
	{ "Việt", 0, 0, 0 },
};

static void
test_text(void)
{
	size_t	i, len;

	for (i = 0; i < sizeof(utf8_cases) / sizeof(utf8_cases[0]); i++) {
		len = utf8_cases[i].len ? utf8_cases[i].len :
		    strlen(utf8_cases[i].s);
		if (utf8_valid(utf8_cases[i].s, len) != utf8_cases[i].valid)
			printf("utf8 case %zu\n", i);
		CHECK(utf8_valid(utf8_cases[i].s, len) == utf8_cases[i].valid);
	}
	for (i = 0; i < sizeof(ctl_cases) / sizeof(ctl_cases[0]); i++) {
		len = ctl_cases[i].len ? ctl_cases[i].len :
		    strlen(ctl_cases[i].s);
		CHECK(text_has_controls(ctl_cases[i].s, len,
		    ctl_cases[i].nl) == ctl_cases[i].has);
	}
	/* the length bounds the scan: a bad byte just past it is unseen */
	CHECK(utf8_valid("ok\xFF", 2) == 1);
	CHECK(text_has_controls("ok\x01", 2, 0) == 0);
}

int
main(void)
{
	test_normalise();
	test_lengths();
	test_type_names();
	test_text();
	return t_done();
}
