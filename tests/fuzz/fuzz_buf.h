/*
 * fuzz_buf.h - a growable byte buffer for the harnesses that re-encode
 * what a parser decoded (to feed it back and compare): no capacity to
 * work out in advance, no unbounded sprintf. Allocation failure aborts:
 * a harness has nothing better to do.
 */
#ifndef FUZZ_BUF_H
#define FUZZ_BUF_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fzb {
	char	*p;
	size_t	 len, cap;
};

static inline void
fzb_grow(struct fzb *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	while (b->cap < b->len + more + 1)
		b->cap = b->cap ? 2 * b->cap : 256;
	if ((b->p = realloc(b->p, b->cap)) == NULL)
		abort();
}

static inline void
fzb_put(struct fzb *b, const void *data, size_t len)
{
	fzb_grow(b, len);
	if (len > 0)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

static inline void __attribute__((format(printf, 2, 3)))
fzb_printf(struct fzb *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	fzb_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* data[0..len) as %XX, every byte but those in keep (NULL: none). */
static inline void
fzb_pct(struct fzb *b, const void *data, size_t len, const char *keep)
{
	const unsigned char	*s = data;
	size_t			 i;

	for (i = 0; i < len; i++) {
		if (keep != NULL && s[i] != '\0' && strchr(keep, s[i]) != NULL)
			fzb_put(b, &s[i], 1);
		else
			fzb_printf(b, "%%%02X", s[i]);
	}
}

#endif
