/*
 * indicator.c - validation and canonical forms of indicators of compromise:
 * IPv4 and IPv6 addresses, domain names, URLs, e-mail addresses, MD5/SHA-1/
 * SHA-256 hashes and CVE IDs.
 *
 * indicator_normalise() is the single entry point, used by report.c for the
 * REPORT fields and by the e-mail indicator extractor. Canonical forms:
 * - ipv4: strict dotted quad, no leading zeros (octal is ambiguous);
 * - ipv6: RFC 5952 text (inet_ntop), brackets and IPv4-mapped forms accepted;
 * - domain: lower-case LDH labels without the trailing dot, IDNs converted to
 *   A-labels (IDNA2008 with UTS #46 non-transitional mapping), IPs refused;
 * - url: http, https or ftp (hxxp/hxxps undone), host normalised as above,
 *   default port dropped, empty path made "/";
 * - email: local part kept, domain normalised;
 * - hashes lower-case hex, CVE IDs upper-case.
 * Defanged input ("[.]", "(.)", "[dot]", "[:]", "[@]") is restored for the
 * address-like types. Surrounding blanks are ignored. Every result is a new
 * string the caller frees; reasons are static strings.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>

#include "report.h"

#define IND_DOMAIN_MAX		253	/* RFC 1035 text form, no final dot */
#define IND_DOMAIN_IN_MAX	1024	/* raw bytes before IDN mapping */
#define IND_LABEL_MAX		63
#define IND_LOCAL_MAX		64	/* RFC 5321 4.5.3.1.1 */
#define IND_CVE_SEQ_MAX		19


struct ind_defang {
	const char	*from;
	size_t		 len;
	char		 to;
};

static const struct ind_defang ind_defangs[] = {
	{ "[.]", 3, '.' }, { "(.)", 3, '.' }, { "{.}", 3, '.' },
	{ "[dot]", 5, '.' }, { "(dot)", 5, '.' },
	{ "[:]", 3, ':' }, { "[@]", 3, '@' }, { "(@)", 3, '@' },
	{ "[at]", 4, '@' },
};

static const char *const ind_names[IND_TYPE_COUNT] = {
	[IND_IPV4] = "ipv4",
	[IND_IPV6] = "ipv6",
	[IND_DOMAIN] = "domain",
	[IND_URL] = "url",
	[IND_EMAIL] = "email",
	[IND_MD5] = "md5",
	[IND_SHA1] = "sha1",
	[IND_SHA256] = "sha256",
	[IND_CVE] = "cve",
};

static int	ind_refang(const char *, size_t, char **, size_t *);
static int	ind_ipv4(const char *, size_t, char *, const char **);
static int	ind_ipv6(const char *, size_t, char *, const char **);
static int	ind_is_ipv4_shape(const char *, size_t);
static int	ind_ldh_check(const char *, size_t, const char **);
static int	ind_domain_idn(const char *, size_t, char *, const char **);
static int	ind_domain(const char *, size_t, char *, const char **);
static int	ind_host(const char *, size_t, char *, size_t,
		    const char **);
static int	ind_url_scheme(const char *, size_t, const char **,
		    size_t *, const char **);
static int	ind_url_port(const char *, size_t, const char *, char *,
		    const char **);
static int	ind_url(const char *, size_t, char **, const char **);
static int	ind_local_part(const char *, size_t, const char **);
static int	ind_email(const char *, size_t, char **, const char **);
static int	ind_hash(const char *, size_t, size_t, char **,
		    const char **);
static int	ind_cve(const char *, size_t, char **, const char **);

/*
 * Undo the usual defanging of s[0..len). When there is nothing to undo
 * *copy is NULL and the input stands; otherwise *copy is a new string of
 * *newlen bytes the caller frees. Returns 0, or -1 when out of memory.
 */
static int
ind_refang(const char *s, size_t len, char **copy, size_t *newlen)
{
	size_t	i, j, k, n = sizeof(ind_defangs) / sizeof(ind_defangs[0]);
	char	*d;

	*copy = NULL;
	if (memchr(s, '[', len) == NULL && memchr(s, '(', len) == NULL &&
	    memchr(s, '{', len) == NULL)
		return 0;
	if ((d = malloc(len + 1)) == NULL)
		return -1;
	for (i = j = 0; i < len; ) {
		for (k = 0; k < n; k++) {
			const struct ind_defang *df = &ind_defangs[k];

			if (len - i >= df->len &&
			    strncasecmp(s + i, df->from, df->len) == 0)
				break;
		}
		if (k < n) {
			d[j++] = ind_defangs[k].to;
			i += ind_defangs[k].len;
		} else
			d[j++] = s[i++];
	}
	d[j] = '\0';
	*copy = d;
	*newlen = j;
	return 0;
}

/* 1 when s[0..len) is made of digits and dots only (an IPv4 attempt). */
static int
ind_is_ipv4_shape(const char *s, size_t len)
{
	size_t	i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
			return 0;
	return 1;
}

/*
 * Strict dotted quad: four decimal octets 0..255 without leading zeros.
 * Writes the canonical text into out (INET_ADDRSTRLEN bytes).
 */
static int
ind_ipv4(const char *s, size_t len, char *out, const char **why)
{
	unsigned char	addr[4];
	size_t		i = 0, digits;
	int		octet, v;

	for (octet = 0; octet < 4; octet++) {
		if (octet > 0) {
			if (i >= len || s[i] != '.')
				goto bad;
			i++;
		}
		v = 0;
		for (digits = 0; i < len && s[i] >= '0' && s[i] <= '9';
		    digits++, i++) {
			if (digits == 3)
				goto bad;
			v = v * 10 + (s[i] - '0');
		}
		if (digits == 0)
			goto bad;
		if (digits > 1 && s[i - digits] == '0') {
			*why = "leading zero in IPv4 address (octal is "
			    "ambiguous)";
			return -1;
		}
		if (v > 255) {
			*why = "IPv4 octet above 255";
			return -1;
		}
		addr[octet] = v;
	}
	if (i != len)
		goto bad;
	if (inet_ntop(AF_INET, addr, out, INET_ADDRSTRLEN) == NULL)
		goto bad;
	return 0;
 bad:
	*why = "not an IPv4 address";
	return -1;
}

/*
 * IPv6 text (optionally in brackets) to its RFC 5952 form in out
 * (INET6_ADDRSTRLEN bytes). Zone indexes are refused.
 */
static int
ind_ipv6(const char *s, size_t len, char *out, const char **why)
{
	char		buf[INET6_ADDRSTRLEN + 1];
	unsigned char	addr[16];

	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	*why = "not an IPv6 address";
	if (len == 0 || len >= sizeof(buf) || memchr(s, '\0', len) != NULL)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET6, buf, addr) != 1)
		return -1;
	if (inet_ntop(AF_INET6, addr, out, INET6_ADDRSTRLEN) == NULL)
		return -1;
	return 0;
}

/*
 * LDH rules on an already lower-case ASCII name: labels of 1..63 letters,
 * digits and hyphens, not starting or ending with a hyphen, at least two
 * labels, total at most 253 bytes, and a top-level label that is not all
 * digits.
 */
static int
ind_ldh_check(const char *s, size_t len, const char **why)
{
	size_t	i, start = 0, labels = 0;
	int	numeric = 1;

	if (len > IND_DOMAIN_MAX) {
		*why = "domain name too long";
		return -1;
	}
	for (i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';

		if (c == '.') {
			if (i == start) {
				*why = "empty label in domain name";
				return -1;
			}
			if (i - start > IND_LABEL_MAX) {
				*why = "domain label longer than 63 bytes";
				return -1;
			}
			if (s[start] == '-' || s[i - 1] == '-') {
				*why = "domain label starts or ends with '-'";
				return -1;
			}
			labels++;
			if (i < len)
				numeric = 1;
			start = i + 1;
			continue;
		}
		if (c >= '0' && c <= '9')
			continue;
		numeric = 0;
		if ((c >= 'a' && c <= 'z') || c == '-')
			continue;
		*why = "invalid character in domain name";
		return -1;
	}
	if (labels < 2) {
		*why = "domain name needs at least two labels";
		return -1;
	}
	if (numeric) {
		*why = "top-level label is numeric";
		return -1;
	}
	return 0;
}

/*
 * Internationalised name (or one with "xn--" labels, which are checked the
 * same way) to lower-case A-labels in out (IND_DOMAIN_MAX + 1 bytes).
 */
static int
ind_domain_idn(const char *s, size_t len, char *out, const char **why)
{
	char	 buf[IND_DOMAIN_IN_MAX + 1];
	char	*ace = NULL;
	size_t	 n;
	int	 rc;

	if (!utf8_valid(s, len)) {
		*why = "invalid UTF-8";
		return -1;
	}
	if (text_has_controls(s, len, 0)) {
		*why = "control character in domain name";
		return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	rc = idn2_to_ascii_8z(buf, &ace, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK) {
		*why = rc == IDN2_MALLOC ? "out of memory" :
		    "invalid internationalised domain name";
		return -1;
	}
	n = strlen(ace);
	if (n > 0 && ace[n - 1] == '.')	/* e.g. a final U+3002 */
		n--;
	if (n > IND_DOMAIN_MAX) {
		idn2_free(ace);
		*why = "domain name too long";
		return -1;
	}
	memcpy(out, ace, n);
	out[n] = '\0';
	idn2_free(ace);
	return 0;
}

/*
 * Domain name s[0..len) (already trimmed and re-fanged) to its canonical
 * form in out (IND_DOMAIN_MAX + 1 bytes).
 */
static int
ind_domain(const char *s, size_t len, char *out, const char **why)
{
	char	v6[INET6_ADDRSTRLEN];
	size_t	i;
	int	idn = 0;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0) {
		*why = "empty domain name";
		return -1;
	}
	if (len > IND_DOMAIN_IN_MAX) {
		*why = "domain name too long";
		return -1;
	}
	if (ind_is_ipv4_shape(s, len) || (memchr(s, ':', len) != NULL &&
	    ind_ipv6(s, len, v6, why) == 0)) {
		*why = "an IP address is not a domain name";
		return -1;
	}
	for (i = 0; i < len && !idn; i++) {
		if ((unsigned char)s[i] >= 0x80)
			idn = 1;
		else if ((i == 0 || s[i - 1] == '.') && len - i >= 4 &&
		    strncasecmp(s + i, "xn--", 4) == 0)
			idn = 1;
	}
	if (idn) {
		if (ind_domain_idn(s, len, out, why) == -1)
			return -1;
		len = strlen(out);
	} else {
		if (len > IND_DOMAIN_MAX) {
			*why = "domain name too long";
			return -1;
		}
		for (i = 0; i < len; i++)
			out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] | 0x20 :
			    s[i];
		out[len] = '\0';
	}
	return ind_ldh_check(out, len, why);
}

/*
 * The host of a URL: "[IPv6]", a dotted quad or a domain name, into out
 * (outlen bytes, enough for any of them).
 */
static int
ind_host(const char *s, size_t len, char *out, size_t outlen,
    const char **why)
{
	char	v6[INET6_ADDRSTRLEN];

	if (len == 0) {
		*why = "URL without a host";
		return -1;
	}
	if (s[0] == '[') {
		if (ind_ipv6(s, len, v6, why) == -1)
			return -1;
		if ((size_t)snprintf(out, outlen, "[%s]", v6) >= outlen) {
			*why = "host too long";
			return -1;
		}
		return 0;
	}
	if (ind_is_ipv4_shape(s, len) && s[len - 1] != '.')
		return ind_ipv4(s, len, out, why);
	return ind_domain(s, len, out, why);
}

/*
 * Recognise the scheme of url s: sets *canon to "http", "https" or "ftp"
 * (hxxp and hxxps undone) and *skip to the bytes taken by "scheme://".
 */
static int
ind_url_scheme(const char *s, size_t len, const char **canon, size_t *skip,
    const char **why)
{
	static const struct {
		const char	*in;
		const char	*out;
	} schemes[] = {
		{ "http", "http" }, { "https", "https" }, { "ftp", "ftp" },
		{ "hxxp", "http" }, { "hxxps", "https" },
	};
	const char	*colon;
	size_t		 i, n;

	if ((colon = memchr(s, ':', len)) == NULL) {
		*why = "URL without a scheme";
		return -1;
	}
	n = colon - s;
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strlen(schemes[i].in) == n &&
		    strncasecmp(schemes[i].in, s, n) == 0)
			break;
	if (i == sizeof(schemes) / sizeof(schemes[0])) {
		*why = "URL scheme must be http, https or ftp";
		return -1;
	}
	if (len - n < 3 || colon[1] != '/' || colon[2] != '/') {
		*why = "expected \"://\" after the URL scheme";
		return -1;
	}
	*canon = schemes[i].out;
	*skip = n + 3;
	return 0;
}

/*
 * Port digits p[0..len) of a URL with scheme: 1..65535, written without
 * leading zeros into out (":N"), or "" when it is the scheme's default.
 */
static int
ind_url_port(const char *p, size_t len, const char *scheme, char *out,
    const char **why)
{
	long	v = 0;
	size_t	i;

	*why = "invalid port in URL";
	if (len == 0 || len > 5)
		return -1;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	if ((v == 80 && strcmp(scheme, "http") == 0) ||
	    (v == 443 && strcmp(scheme, "https") == 0) ||
	    (v == 21 && strcmp(scheme, "ftp") == 0))
		out[0] = '\0';
	else
		snprintf(out, 8, ":%ld", v);
	return 0;
}

/*
 * URL s[0..len), trimmed and re-fanged: scheme "://" [userinfo "@"] host
 * [":" port] [path, query, fragment]. Userinfo and the rest are kept as
 * given; the result is a new string in *out.
 */
static int
ind_url(const char *s, size_t len, char **out, const char **why)
{
	char		 host[IND_DOMAIN_MAX + 3], port[8];
	const char	*scheme, *auth, *rest, *end = s + len, *hp, *at, *pc;
	size_t		 skip, ulen, hlen, restlen, n;
	char		*d;

	if (!utf8_valid(s, len)) {
		*why = "invalid UTF-8";
		return -1;
	}
	if (text_has_controls(s, len, 0)) {
		*why = "control character in URL";
		return -1;
	}
	if (memchr(s, ' ', len) != NULL) {
		*why = "space in URL";
		return -1;
	}
	if (ind_url_scheme(s, len, &scheme, &skip, why) == -1)
		return -1;
	auth = s + skip;
	for (rest = auth; rest < end && *rest != '/' && *rest != '?' &&
	    *rest != '#'; rest++)
		;
	hp = auth;
	ulen = 0;
	for (at = rest; at > auth; at--)
		if (at[-1] == '@') {
			hp = at;
			ulen = at - auth;	/* includes the '@' */
			break;
		}
	hlen = rest - hp;
	port[0] = '\0';
	pc = NULL;
	if (hlen > 0 && hp[0] == '[') {
		const char *rb = memchr(hp, ']', hlen);

		if (rb != NULL && rb + 1 < rest)
			pc = rb + 1;
		if (rb == NULL || (pc != NULL && *pc != ':')) {
			*why = "invalid IPv6 host in URL";
			return -1;
		}
	} else
		pc = memrchr(hp, ':', hlen);
	if (pc != NULL) {
		if (ind_url_port(pc + 1, rest - pc - 1, scheme, port,
		    why) == -1)
			return -1;
		hlen = pc - hp;
	}
	if (ind_host(hp, hlen, host, sizeof(host), why) == -1)
		return -1;
	restlen = end - rest;
	n = strlen(scheme) + 3 + ulen + strlen(host) + strlen(port) + 1 +
	    restlen + 1;
	if ((d = malloc(n)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	snprintf(d, n, "%s://%.*s%s%s%s%.*s", scheme, (int)ulen, auth, host,
	    port, (restlen == 0 || rest[0] != '/') ? "/" : "", (int)restlen,
	    rest);
	*out = d;
	return 0;
}

/*
 * Local part of an address: 1..64 bytes of RFC 5322 atext and dots (no
 * leading, trailing or double dot), UTF-8 allowed (RFC 6531).
 */
static int
ind_local_part(const char *s, size_t len, const char **why)
{
	static const char	 atext[] = "!#$%&'*+-/=?^_`{|}~.";
	size_t			 i;

	if (len == 0) {
		*why = "empty local part in e-mail address";
		return -1;
	}
	if (len > IND_LOCAL_MAX) {
		*why = "local part of e-mail address longer than 64 bytes";
		return -1;
	}
	if (!utf8_valid(s, len) || text_has_controls(s, len, 0)) {
		*why = "invalid character in e-mail address";
		return -1;
	}
	if (s[0] == '.' || s[len - 1] == '.' || memmem(s, len, "..", 2)) {
		*why = "misplaced dot in e-mail address";
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c >= 0x80 || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    (c != '\0' && strchr(atext, c) != NULL))
			continue;
		*why = "invalid character in e-mail address";
		return -1;
	}
	return 0;
}

/* local@domain, "<...>" and "mailto:" accepted around it. */
static int
ind_email(const char *s, size_t len, char **out, const char **why)
{
	char		 dom[IND_DOMAIN_MAX + 1];
	const char	*at;
	size_t		 llen, dlen;
	char		*d;

	if (len >= 2 && s[0] == '<' && s[len - 1] == '>') {
		s++;
		len -= 2;
	}
	if (len >= 7 && strncasecmp(s, "mailto:", 7) == 0) {
		s += 7;
		len -= 7;
	}
	if ((at = memrchr(s, '@', len)) == NULL) {
		*why = "not an e-mail address (no '@')";
		return -1;
	}
	llen = at - s;
	if (ind_local_part(s, llen, why) == -1)
		return -1;
	if (ind_domain(at + 1, len - llen - 1, dom, why) == -1)
		return -1;
	dlen = strlen(dom);
	if ((d = malloc(llen + 1 + dlen + 1)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	memcpy(d, s, llen);
	d[llen] = '@';
	memcpy(d + llen + 1, dom, dlen + 1);
	*out = d;
	return 0;
}

/* Exactly want hex digits, returned lower-case. */
static int
ind_hash(const char *s, size_t len, size_t want, char **out,
    const char **why)
{
	static const char *const wrong[] = {
		"an MD5 hash is 32 hex digits",
		"a SHA-1 hash is 40 hex digits",
		"a SHA-256 hash is 64 hex digits",
	};
	size_t	 i;
	char	*d;

	if (len != want) {
		*why = wrong[want == 32 ? 0 : want == 40 ? 1 : 2];
		return -1;
	}
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F'))) {
			*why = "hash is not hexadecimal";
			return -1;
		}
	if ((d = malloc(len + 1)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	for (i = 0; i < len; i++)
		d[i] = s[i] | 0x20;	/* digits already have bit 5 set */
	d[len] = '\0';
	*out = d;
	return 0;
}

/*
 * CVE-YYYY-N...: a year from 1999 and a sequence of 4 digits, or more
 * without a leading zero (the CVE ID syntax of 2014).
 */
static int
ind_cve(const char *s, size_t len, char **out, const char **why)
{
	size_t	 i, seq;
	int	 year = 0;
	char	*d;

	*why = "not a CVE ID (CVE-YYYY-NNNN)";
	if (len < 13 || strncasecmp(s, "cve-", 4) != 0 || s[8] != '-')
		return -1;
	for (i = 4; i < 8; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		year = year * 10 + (s[i] - '0');
	}
	seq = len - 9;
	if (year < 1999 || seq > IND_CVE_SEQ_MAX || (seq > 4 && s[9] == '0'))
		return -1;
	for (i = 9; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	if ((d = text_strndup(s, len)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	memcpy(d, "CVE", 3);
	*out = d;
	return 0;
}

/*
 * Normalise one indicator (see the top of this file for the forms). On
 * success *out is a new NUL-terminated string the caller frees; on error
 * *out is untouched and *why is a static, lower-case reason.
 */
int
indicator_normalise(enum ind_type type, const char *in, size_t len,
    char **out, const char **why)
{
	char		 buf[INET6_ADDRSTRLEN + IND_DOMAIN_MAX + 4];
	char		*copy = NULL, *res = NULL;
	size_t		 n;
	int		 rc = -1;

	text_trim(&in, &len, TEXT_BLANKS);
	if (len == 0) {
		*why = "empty value";
		return -1;
	}
	if (type == IND_IPV4 || type == IND_DOMAIN || type == IND_URL ||
	    type == IND_EMAIL) {
		if (ind_refang(in, len, &copy, &n) == -1) {
			*why = "out of memory";
			return -1;
		}
		if (copy != NULL) {
			in = copy;
			len = n;
		}
	}
	switch (type) {
	case IND_IPV4:
		if ((rc = ind_ipv4(in, len, buf, why)) == 0)
			res = strdup(buf);
		break;
	case IND_IPV6:
		if ((rc = ind_ipv6(in, len, buf, why)) == 0)
			res = strdup(buf);
		break;
	case IND_DOMAIN:
		if ((rc = ind_domain(in, len, buf, why)) == 0)
			res = strdup(buf);
		break;
	case IND_URL:
		rc = ind_url(in, len, &res, why);
		break;
	case IND_EMAIL:
		rc = ind_email(in, len, &res, why);
		break;
	case IND_MD5:
		rc = ind_hash(in, len, 32, &res, why);
		break;
	case IND_SHA1:
		rc = ind_hash(in, len, 40, &res, why);
		break;
	case IND_SHA256:
		rc = ind_hash(in, len, 64, &res, why);
		break;
	case IND_CVE:
		rc = ind_cve(in, len, &res, why);
		break;
	default:
		*why = "unknown indicator type";
		break;
	}
	free(copy);
	if (rc == 0 && res == NULL) {
		*why = "out of memory";
		rc = -1;
	}
	if (rc == 0)
		*out = res;
	else if (strcmp(*why, "out of memory") == 0)
		errno = ENOMEM;		/* callers tell it from bad input */
	return rc;
}

const char *
ind_type_name(enum ind_type type)
{
	if ((unsigned)type >= IND_TYPE_COUNT)
		return "unknown";
	return ind_names[type];
}

int
ind_type_parse(const char *s, size_t len)
{
	int	i;

	if (s == NULL)
		return -1;
	for (i = 0; i < IND_TYPE_COUNT; i++)
		if (strlen(ind_names[i]) == len &&
		    strncasecmp(ind_names[i], s, len) == 0)
			return i;
	return -1;
}
