/*
 * mail_auth.c - who may get an answer: the reply address of a received
 * message and whether a trusted upstream authenticated its domain
 * (Authentication-Results, RFC 8601), for [outbound] receipts_to =
 * authenticated.
 *
 * Only the results the caller hands in are read (those whose authserv-id
 * is a trusted upstream: anybody can write the header). A domain counts
 * as authenticated when a "dmarc=pass" names it in header.from, or an
 * "spf=pass" names it (or an address in it) in smtp.mailfrom. Pure: no
 * I/O, no globals; values are bounded by the header limits of mime.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mail.h"

/* The domain part of a property value: after the last '@', if any. */
static void
mail_auth_domain(const char *v, size_t len, const char **d, size_t *dlen)
{
	const char	*at = NULL;
	size_t		 i;

	for (i = 0; i < len; i++)
		if (v[i] == '@')
			at = v + i;
	*d = at != NULL ? at + 1 : v;
	*dlen = len - (size_t)(*d - v);
}

/*
 * One resinfo ("spf=pass (comment) smtp.mailfrom=a@example.org"): 1 when
 * its method is `method', its result pass, and its property `ptype' names
 * domain.
 */
static int
mail_auth_resinfo(const char *s, size_t len, const char *method,
    const char *prop, const char *domain)
{
	const char	*p = s, *end = s + len, *v, *d;
	size_t		 mlen = strlen(method), plen = strlen(prop), n, dlen;
	int		 depth;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	if ((size_t)(end - p) < mlen + 5 || strncasecmp(p, method, mlen) != 0 ||
	    p[mlen] != '=' || strncasecmp(p + mlen + 1, "pass", 4) != 0 ||
	    (p + mlen + 5 < end && strchr(" \t\r\n(;", p[mlen + 5]) == NULL))
		return 0;
	for (p += mlen + 5; p < end; ) {
		if (*p == '(') {	/* a comment, maybe nested */
			for (depth = 0; p < end; p++) {
				depth += *p == '(';
				depth -= *p == ')';
				if (depth == 0)
					break;
			}
			p++;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			p++;
			continue;
		}
		n = strcspn(p, " \t\r\n(;");
		if (p + n > end)
			n = (size_t)(end - p);
		if (n > plen && strncasecmp(p, prop, plen) == 0 &&
		    p[plen] == '=') {
			v = p + plen + 1;
			mail_auth_domain(v, n - plen - 1, &d, &dlen);
			if (dlen == strlen(domain) &&
			    strncasecmp(d, domain, dlen) == 0)
				return 1;
		}
		p += n;
	}
	return 0;
}

int
mail_auth_passes(const char *ar, const char *domain)
{
	const char	*p, *semi;
	size_t		 len;

	if (ar == NULL || domain == NULL || domain[0] == '\0')
		return 0;
	/* skip the authserv-id (and its version), up to the first ';' */
	if ((p = strchr(ar, ';')) == NULL)
		return 0;
	for (p++; *p != '\0'; p = semi + 1) {
		semi = strchr(p, ';');
		len = semi != NULL ? (size_t)(semi - p) : strlen(p);
		if (mail_auth_resinfo(p, len, "dmarc", "header.from", domain) ||
		    mail_auth_resinfo(p, len, "spf", "smtp.mailfrom", domain))
			return 1;
		if (semi == NULL)
			break;
	}
	return 0;
}
