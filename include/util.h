/*
 * util.h - small helpers for gateway/ and ctl/: allocators that abort on
 * exhaustion (never used in parsers/, which return ENOMEM), bounded number
 * parsing, time formatting, random tokens and hashing.
 */
#ifndef UTIL_H
#define UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

void	*xmalloc(size_t n);
void	*xcalloc(size_t n, size_t size);
void	*xrealloc(void *p, size_t n);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);

/*
 * Parse a decimal integer in [min, max] from s (whole string). Returns 0
 * and sets *out, or -1 and sets *why ("not a number", "too small", ...).
 */
int	 parse_int(const char *s, long long min, long long max,
	    long long *out, const char **why);

/* Parse "90", "90s", "15m", "24h", "7d" into seconds. 0 or -1. */
int	 parse_duration(const char *s, long long *seconds);
/* Parse "4096", "64k", "25M" into bytes. 0 or -1. */
int	 parse_size(const char *s, long long *bytes);

/* "2026-11-21T10:04:05Z" for t (UTC); buf at least 21 bytes. */
void	 format_time_utc(time_t t, char *buf, size_t len);

/* SHA-256 of s[0..len) into out. */
void	 sha256(const void *s, size_t len, unsigned char out[32]);
/* Lower-case hex of in[0..len) into out (2*len+1 bytes). */
void	 hex_encode(const unsigned char *in, size_t len, char *out);

/*
 * A new random token "itk_" + 43 base64url characters (256 bits) into
 * out (at least 48 bytes). Returns 0, or -1 if the CSPRNG failed.
 */
int	 token_generate(char *out, size_t len);

/*
 * The bytes of the file at path (at most max), NUL-terminated, into a new
 * buffer (*lenp bytes without the NUL); NULL with why filled when it
 * cannot be read or is larger.
 */
char	*read_small_file(const char *path, size_t max, size_t *lenp,
	    char *why, size_t whylen);

#endif
