/*
 * mime_impl.h - private to parsers/mime*.c: the arena that owns a message's
 * memory, and the header-block parser shared by mime.c and mime_header.c.
 * Not for other modules; they use mime.h.
 */
#ifndef MIME_IMPL_H
#define MIME_IMPL_H

#include "mime.h"

struct mime_arena;
struct charset_buf;

struct mime_arena *mime_arena_new(void);
void	*mime_arena_alloc(struct mime_arena *a, size_t n);
char	*mime_arena_strndup(struct mime_arena *a, const char *s, size_t n);
int	 mime_arena_adopt(struct mime_arena *a, void *p);
void	 mime_arena_free(struct mime_arena *a);

struct mime_hblock {
	struct mime_header	*headers;
	size_t			 n_headers;
	size_t			 body_off;	/* offset of the body in buf */
	size_t			 header_len;	/* bytes of the header block */
	unsigned		 flags;
};

int	mime_headers_parse(struct mime_arena *a, const struct mime_limits *lim,
	    struct charset_buf *scratch, const char *buf, size_t len,
	    int skip_mbox, struct mime_hblock *out);
int	mime_header_decode_buf(struct charset_buf *out, const char *raw,
	    size_t len, unsigned *flags);
int	mime_params_parse(struct mime_arena *a, struct charset_buf *scratch,
	    const char *raw, size_t len, char **value, struct mime_param **params,
	    size_t *n_params, unsigned *flags);
size_t	mime_skip_cfws(const char *s, size_t len, size_t off);
int	mime_token_ok(const char *s, size_t n);

#endif
