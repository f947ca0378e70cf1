/*
 * util.c - allocators that abort on exhaustion (a daemon that cannot allocate
 * a few bytes has no better option), bounded number parsing, time and hex
 * formatting, random tokens. Used by gateway/ and ctl/, never by parsers/.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "log.h"
#include "util.h"

void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		fatalx("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatalx("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void	*q = realloc(p, n ? n : 1);

	if (q == NULL)
		fatalx("out of memory (%zu bytes)", n);
	return q;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
parse_int(const char *s, long long min, long long max, long long *out,
    const char **why)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s)) {
		*why = "not a number";
		return -1;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0') {
		*why = "not a number";
		return -1;
	}
	if (errno == ERANGE || v < min) {
		*why = v < min ? "too small" : "too large";
		return -1;
	}
	if (v > max) {
		*why = "too large";
		return -1;
	}
	*out = v;
	return 0;
}

/* A number followed by at most one unit letter from units[], each unit
 * multiplying by mult[]. */
static int
parse_scaled(const char *s, const char *units, const long long *mult,
    long long *out)
{
	char		*end;
	long long	 v;
	const char	*u;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -1;
	if (*end != '\0') {
		if (end[1] != '\0' || (u = strchr(units, *end)) == NULL)
			return -1;
		if (v > LLONG_MAX / mult[u - units])
			return -1;
		v *= mult[u - units];
	}
	*out = v;
	return 0;
}

int
parse_duration(const char *s, long long *seconds)
{
	static const long long mult[] = { 1, 60, 3600, 86400 };

	return parse_scaled(s, "smhd", mult, seconds);
}

int
parse_size(const char *s, long long *bytes)
{
	static const long long mult[] = { 1024, 1024, 1024 * 1024,
	    1024 * 1024, 1024LL * 1024 * 1024, 1024LL * 1024 * 1024 };

	return parse_scaled(s, "kKmMgG", mult, bytes);
}

void
format_time_utc(time_t t, char *buf, size_t len)
{
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
sha256(const void *s, size_t len, unsigned char out[32])
{
	unsigned int	n = 32;

	if (EVP_Digest(s, len, out, &n, EVP_sha256(), NULL) != 1)
		fatalx("EVP_Digest(sha256) failed");
}

void
hex_encode(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t		  i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

int
token_generate(char *out, size_t len)
{
	unsigned char	raw[32];
	char		b64[48];
	int		n, i;

	if (len < 48 || RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	n = EVP_EncodeBlock((unsigned char *)b64, raw, sizeof(raw));
	/* base64url without padding: safe in a command line and a header */
	for (i = 0; i < n; i++) {
		if (b64[i] == '+')
			b64[i] = '-';
		else if (b64[i] == '/')
			b64[i] = '_';
	}
	while (n > 0 && b64[n - 1] == '=')
		n--;
	b64[n] = '\0';
	snprintf(out, len, "itk_%s", b64);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

char *
read_small_file(const char *path, size_t max, size_t *lenp, char *why,
    size_t whylen)
{
	FILE	*fp;
	char	*buf;
	size_t	 n;

	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(why, whylen, "cannot read %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	buf = xmalloc(max + 1);
	n = fread(buf, 1, max + 1, fp);
	if (ferror(fp) || n > max) {
		if (ferror(fp))
			snprintf(why, whylen, "cannot read %s", path);
		else
			snprintf(why, whylen, "%s: larger than %zu bytes",
			    path, max);
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	buf[n] = '\0';
	*lenp = n;
	return buf;
}
