/*
 * http_parse.c - the HTTP/1.1 request decoder and its header helpers (see
 * http_parse.h for the contract and the strictness rules).
 *
 * The decoder is one byte-at-a-time state machine, so that how the input is
 * cut into pieces can never change a result; only body data is copied in
 * runs. The head is kept in one buffer that grows as bytes come, as offsets
 * while it may still move, turned into pointers once it is complete. Every
 * buffer is bounded by struct http_limits; no state outlives the parser.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_parse.h"
#include "report.h"

#define HTTP_EMPTY_LINES_MAX	8	/* CRLFs before a request */
#define HTTP_CHUNK_DIGITS_MAX	16	/* hex digits of a chunk size */
#define HTTP_KEEP_BUF		4096	/* head buffer a reset keeps */
#define HTTP_KEEP_FIELDS	32	/* field offsets kept by a reset */

enum http_state {
	S_START,		/* before the request line */
	S_START_LF,		/* CR of an empty line before it */
	S_METHOD,
	S_TARGET,
	S_VERSION,
	S_RL_LF,		/* CR after the version */
	S_FIELD_START,		/* a field line or the empty line */
	S_FIELD_NAME,
	S_FIELD_OWS,		/* after the colon */
	S_FIELD_VALUE,
	S_FIELD_LF,		/* CR after a field line */
	S_END_LF,		/* CR of the empty line */
	S_LENGTH,		/* Content-Length body */
	S_CHUNK_SIZE,
	S_CHUNK_BWS,		/* blanks after the size: ';' must follow */
	S_CHUNK_EXT,
	S_CHUNK_SIZE_LF,	/* CR after the chunk-size line */
	S_CHUNK_DATA,
	S_CHUNK_DATA_CR,
	S_CHUNK_DATA_LF,
	S_DONE,			/* the request is complete */
	S_ERROR
};

/* A field line while the head buffer may still move. */
struct http_field_off {
	size_t	name, name_len;
	size_t	value, value_len;
};

struct http_parser {
	struct http_limits	 lim;
	enum http_state		 state;
	int			 status;	/* of the error */
	const char		*why;
	int			 head_done;	/* req is complete */
	int			 trailers;	/* fields are trailers */

	char			*buf;		/* head strings */
	size_t			 len, cap;
	char			 method[HTTP_METHOD_MAX + 1];
	size_t			 method_len;
	char			 version[8];
	size_t			 version_len;
	size_t			 target_off, target_len;
	size_t			 path_off, path_len;
	size_t			 host_off;	/* absolute-form host */
	int			 has_authority;
	size_t			 empty_lines;

	size_t			 line_bytes;	/* this field line */
	size_t			 section_bytes;
	size_t			 n_fields;	/* lines so far */
	struct http_field_off	*fields;	/* header lines */
	size_t			 fields_cap;
	size_t			 value_end;	/* past the value */
	struct http_header	*headers;	/* built once complete */

	unsigned long long	 left;		/* body or chunk */
	size_t			 chunk_digits;
	size_t			 chunk_line;	/* chunk-size line */
	size_t			 ext_bytes;	/* chunk extensions */
	char			*body;
	size_t			 body_len, body_cap;

	struct http_request	 req;
};

static const char *const http_methods[] = {
	[HTTP_GET] = "GET",
	[HTTP_HEAD] = "HEAD",
	[HTTP_POST] = "POST",
	[HTTP_PUT] = "PUT",
	[HTTP_PATCH] = "PATCH",
	[HTTP_DELETE] = "DELETE",
	[HTTP_OPTIONS] = "OPTIONS",
};

static int	http_tchar(int);
static int	http_vchar(int);
static enum http_parse_result	http_fail(struct http_parser *, int,
		    const char *);
static int	http_put(struct http_parser *, char);
static int	http_body_reserve(struct http_parser *, size_t);
static enum http_parse_result	http_byte(struct http_parser *, int);
static enum http_parse_result	http_field_byte(struct http_parser *, int);
static enum http_parse_result	http_chunk_byte(struct http_parser *, int);
static enum http_parse_result	http_request_line(struct http_parser *);
static enum http_parse_result	http_path(struct http_parser *, size_t,
		    size_t);
static enum http_parse_result	http_head_done(struct http_parser *);
static enum http_parse_result	http_body_done(struct http_parser *);
static int	http_host_valid(const char *, size_t);
static int	http_list_next(const char **, const char *, const char **,
		    size_t *);
static int	http_ieq(const char *, size_t, const char *);

/* RFC 9110 5.6.2 tchar. */
static int
http_tchar(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A field-vchar: VCHAR or obs-text. */
static int
http_vchar(int c)
{
	return (c > 0x20 && c < 0x7F) || c >= 0x80;
}

/* Case-insensitive s[0..len) == lit. */
static int
http_ieq(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && strncasecmp(s, lit, len) == 0;
}

struct http_limits
http_limits_default(void)
{
	struct http_limits	lim;

	lim.max_target = HTTP_TARGET_MAX;
	lim.max_header_line = HTTP_HEADER_LINE_MAX;
	lim.max_header_bytes = HTTP_HEADER_BYTES_MAX;
	lim.max_headers = HTTP_HEADERS_MAX;
	lim.max_body = HTTP_BODY_MAX;
	return lim;
}

struct http_parser *
http_parser_new(const struct http_limits *lim)
{
	struct http_parser	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->lim = lim ? *lim : http_limits_default();
	p->state = S_START;
	return p;
}

void
http_parser_free(struct http_parser *p)
{
	if (p == NULL)
		return;
	free(p->buf);
	free(p->fields);
	free(p->headers);
	free(p->body);
	free(p);
}

void
http_parser_reset(struct http_parser *p)
{
	struct http_parser	keep = *p;

	free(p->headers);
	free(p->body);
	if (keep.cap > HTTP_KEEP_BUF) {
		free(keep.buf);
		keep.buf = NULL;
		keep.cap = 0;
	}
	if (keep.fields_cap > HTTP_KEEP_FIELDS) {
		free(keep.fields);
		keep.fields = NULL;
		keep.fields_cap = 0;
	}
	memset(p, 0, sizeof(*p));
	p->lim = keep.lim;
	p->buf = keep.buf;
	p->cap = keep.cap;
	p->fields = keep.fields;
	p->fields_cap = keep.fields_cap;
	p->state = S_START;
}

int
http_parser_error(const struct http_parser *p, const char **why)
{
	if (why != NULL)
		*why = p->state == S_ERROR ? p->why : NULL;
	return p->state == S_ERROR ? p->status : 0;
}

const struct http_request *
http_parser_request(const struct http_parser *p)
{
	return p->head_done ? &p->req : NULL;
}

char *
http_parser_take_body(struct http_parser *p, size_t *len)
{
	char	*b = p->req.body;

	*len = p->req.body_len;
	p->req.body = NULL;
	p->req.body_len = 0;
	if (b != NULL) {
		p->body = NULL;
		p->body_len = p->body_cap = 0;
	}
	return b;
}

size_t
http_parser_memory(const struct http_parser *p)
{
	return sizeof(*p) + p->cap + p->body_cap +
	    p->fields_cap * sizeof(*p->fields) +
	    (p->head_done ? p->req.n_headers * sizeof(*p->headers) : 0);
}

const char *
http_method_name(enum http_method m)
{
	if ((unsigned)m >= sizeof(http_methods) / sizeof(http_methods[0]))
		return "?";
	return http_methods[m];
}

static enum http_parse_result
http_fail(struct http_parser *p, int status, const char *why)
{
	p->state = S_ERROR;
	p->status = status;
	p->why = why;
	return HTTP_PARSE_ERROR;
}

/* Append one byte to the head buffer (nothing for trailers); -1 ENOMEM. */
static int
http_put(struct http_parser *p, char c)
{
	char	*nb;
	size_t	 ncap;

	if (p->trailers)
		return 0;
	if (p->len == p->cap) {
		ncap = p->cap ? p->cap * 2 : 512;
		if ((nb = realloc(p->buf, ncap)) == NULL)
			return -1;
		p->buf = nb;
		p->cap = ncap;
	}
	p->buf[p->len++] = c;
	return 0;
}

/*
 * Room for need body bytes and a NUL, growing geometrically but never past
 * what this body may hold (Content-Length, or max_body when chunked), so
 * that a large Content-Length costs nothing until its bytes arrive.
 */
static int
http_body_reserve(struct http_parser *p, size_t need)
{
	size_t	ceiling, ncap;
	char	*nb;

	if (need + 1 <= p->body_cap)
		return 0;
	ceiling = p->req.body_kind == HTTP_BODY_LENGTH ?
	    (size_t)p->req.content_length : p->lim.max_body;
	ncap = p->body_cap ? p->body_cap : 4096;
	while (ncap < need + 1 && ncap <= SIZE_MAX / 2)
		ncap *= 2;
	if (ncap > ceiling + 1)
		ncap = ceiling + 1;
	if (ncap < need + 1)
		ncap = need + 1;
	if ((nb = realloc(p->body, ncap)) == NULL)
		return -1;
	p->body = nb;
	p->body_cap = ncap;
	return 0;
}

enum http_parse_result
http_parse_push(struct http_parser *p, const char *data, size_t len,
    size_t *consumed)
{
	enum http_parse_result	r = HTTP_PARSE_NEED_MORE;
	size_t			i = 0, n;

	*consumed = 0;
	if (p->state == S_ERROR)
		return HTTP_PARSE_ERROR;
	if (p->state == S_DONE)
		return HTTP_PARSE_BODY_DONE;
	while (i < len) {
		if (p->state == S_LENGTH || p->state == S_CHUNK_DATA) {
			n = len - i;
			if (n > p->left)
				n = (size_t)p->left;
			if (http_body_reserve(p, p->body_len + n) == -1) {
				r = http_fail(p, 503, "out of memory");
				break;
			}
			memcpy(p->body + p->body_len, data + i, n);
			p->body_len += n;
			p->left -= n;
			i += n;
			if (p->left > 0)
				continue;
			if (p->state == S_CHUNK_DATA) {
				p->state = S_CHUNK_DATA_CR;
				continue;
			}
			r = http_body_done(p);
			break;
		}
		r = http_byte(p, (unsigned char)data[i++]);
		if (r != HTTP_PARSE_NEED_MORE)
			break;
	}
	*consumed = i;
	return r;
}

/* One byte of the head, or of the chunked framing. */
static enum http_parse_result
http_byte(struct http_parser *p, int c)
{
	switch (p->state) {
	case S_START:
		if (c == '\r') {
			p->state = S_START_LF;
			return HTTP_PARSE_NEED_MORE;
		}
		if (c == '\n')
			return http_fail(p, 400, "bare LF");
		if (!http_tchar(c))
			return http_fail(p, 400, "invalid method");
		p->method[p->method_len++] = c;
		p->state = S_METHOD;
		return HTTP_PARSE_NEED_MORE;
	case S_START_LF:
		if (c != '\n')
			return http_fail(p, 400, "bare CR");
		if (++p->empty_lines > HTTP_EMPTY_LINES_MAX)
			return http_fail(p, 400, "empty lines before request");
		p->state = S_START;
		return HTTP_PARSE_NEED_MORE;
	case S_METHOD:
		if (c == ' ') {
			size_t	m;

			p->method[p->method_len] = '\0';
			for (m = 0; m < sizeof(http_methods) /
			    sizeof(http_methods[0]); m++)
				if (strcmp(p->method, http_methods[m]) == 0)
					break;
			if (m == sizeof(http_methods) / sizeof(http_methods[0]))
				return http_fail(p, 501, "unknown method");
			p->req.method = (enum http_method)m;
			p->target_off = p->len;
			p->state = S_TARGET;
			return HTTP_PARSE_NEED_MORE;
		}
		if (!http_tchar(c))
			return http_fail(p, 400, "invalid method");
		if (p->method_len == HTTP_METHOD_MAX)
			return http_fail(p, 501, "unknown method");
		p->method[p->method_len++] = c;
		return HTTP_PARSE_NEED_MORE;
	case S_TARGET:
		if (c == ' ') {
			if (p->target_len == 0)
				return http_fail(p, 400, "empty target");
			if (http_put(p, '\0') == -1)
				return http_fail(p, 503, "out of memory");
			p->state = S_VERSION;
			return HTTP_PARSE_NEED_MORE;
		}
		if (c <= 0x20 || c >= 0x7F || c == '#')
			return http_fail(p, 400, "invalid character in target");
		if (p->target_len == p->lim.max_target)
			return http_fail(p, 414, "target too long");
		if (http_put(p, c) == -1)
			return http_fail(p, 503, "out of memory");
		p->target_len++;
		return HTTP_PARSE_NEED_MORE;
	case S_VERSION:
		if (c == '\r') {
			const char *v = p->version;

			if (p->version_len != 8 || memcmp(v, "HTTP/", 5) != 0 ||
			    v[5] < '0' || v[5] > '9' || v[6] != '.' ||
			    v[7] < '0' || v[7] > '9')
				return http_fail(p, 400, "invalid version");
			if (memcmp(v + 5, "1.1", 3) == 0)
				p->req.version = 11;
			else if (memcmp(v + 5, "1.0", 3) == 0)
				p->req.version = 10;
			else
				return http_fail(p, 505, "unsupported version");
			p->state = S_RL_LF;
			return HTTP_PARSE_NEED_MORE;
		}
		if (c == '\n')
			return http_fail(p, 400, "bare LF");
		if (p->version_len == sizeof(p->version))
			return http_fail(p, 400, "invalid version");
		p->version[p->version_len++] = c;
		return HTTP_PARSE_NEED_MORE;
	case S_RL_LF:
		if (c != '\n')
			return http_fail(p, 400, "bare CR");
		return http_request_line(p);
	case S_FIELD_START:
	case S_FIELD_NAME:
	case S_FIELD_OWS:
	case S_FIELD_VALUE:
	case S_FIELD_LF:
	case S_END_LF:
		return http_field_byte(p, c);
	case S_CHUNK_SIZE:
	case S_CHUNK_BWS:
	case S_CHUNK_EXT:
	case S_CHUNK_SIZE_LF:
	case S_CHUNK_DATA_CR:
	case S_CHUNK_DATA_LF:
		return http_chunk_byte(p, c);
	case S_LENGTH:
	case S_CHUNK_DATA:
	case S_DONE:
	case S_ERROR:
		break;
	}
	return http_fail(p, 400, "internal state");	/* not reached */
}

/*
 * One byte of a header or trailer section. Bounds first (431), then
 * syntax (400), each judged on the byte that crosses or breaks it.
 */
static enum http_parse_result
http_field_byte(struct http_parser *p, int c)
{
	struct http_field_off	*f;

	if (++p->section_bytes > p->lim.max_header_bytes)
		return http_fail(p, 431, p->trailers ? "trailers too large" :
		    "header section too large");
	if (c != '\r' && c != '\n' && p->state != S_FIELD_LF &&
	    p->state != S_END_LF && ++p->line_bytes > p->lim.max_header_line)
		return http_fail(p, 431, "header line too long");

	switch (p->state) {
	case S_FIELD_START:
		if (c == '\r') {
			p->state = S_END_LF;
			return HTTP_PARSE_NEED_MORE;
		}
		if (c == ' ' || c == '\t')
			return http_fail(p, 400, "obs-fold or leading "
			    "whitespace in header line");
		if (c == '\n')
			return http_fail(p, 400, "bare LF");
		if (c == ':')
			return http_fail(p, 400, "empty field name");
		if (!http_tchar(c))
			return http_fail(p, 400, "invalid character in field "
			    "name");
		if (p->n_fields == p->lim.max_headers)
			return http_fail(p, 431, p->trailers ?
			    "too many trailer fields" :
			    "too many header fields");
		p->n_fields++;
		if (!p->trailers) {
			if (p->n_fields > p->fields_cap) {
				size_t	ncap = p->fields_cap ?
				    p->fields_cap * 2 : 16;

				f = reallocarray(p->fields, ncap, sizeof(*f));
				if (f == NULL)
					return http_fail(p, 503,
					    "out of memory");
				p->fields = f;
				p->fields_cap = ncap;
			}
			f = &p->fields[p->n_fields - 1];
			f->name = p->len;
		}
		if (http_put(p, c) == -1)
			return http_fail(p, 503, "out of memory");
		p->state = S_FIELD_NAME;
		return HTTP_PARSE_NEED_MORE;
	case S_FIELD_NAME:
		if (c == ':') {
			if (!p->trailers) {
				f = &p->fields[p->n_fields - 1];
				f->name_len = p->len - f->name;
			}
			if (http_put(p, '\0') == -1)
				return http_fail(p, 503, "out of memory");
			p->value_end = p->len;
			if (!p->trailers)
				p->fields[p->n_fields - 1].value = p->len;
			p->state = S_FIELD_OWS;
			return HTTP_PARSE_NEED_MORE;
		}
		if (c == ' ' || c == '\t')
			return http_fail(p, 400, "whitespace before colon");
		if (!http_tchar(c))
			return http_fail(p, 400, c == '\r' || c == '\n' ?
			    "field line without colon" :
			    "invalid character in field name");
		if (http_put(p, c) == -1)
			return http_fail(p, 503, "out of memory");
		return HTTP_PARSE_NEED_MORE;
	case S_FIELD_OWS:
	case S_FIELD_VALUE:
		if (c == ' ' || c == '\t') {
			if (p->state == S_FIELD_OWS)
				return HTTP_PARSE_NEED_MORE;
			if (http_put(p, c) == -1)
				return http_fail(p, 503, "out of memory");
			return HTTP_PARSE_NEED_MORE;
		}
		if (c == '\r') {
			if (!p->trailers) {
				f = &p->fields[p->n_fields - 1];
				p->len = p->value_end;
				f->value_len = p->len - f->value;
			}
			if (http_put(p, '\0') == -1)
				return http_fail(p, 503, "out of memory");
			p->state = S_FIELD_LF;
			return HTTP_PARSE_NEED_MORE;
		}
		if (!http_vchar(c))
			return http_fail(p, 400, c == '\n' ? "bare LF" :
			    "invalid character in field value");
		if (p->state == S_FIELD_OWS && !p->trailers)
			p->fields[p->n_fields - 1].value = p->len;
		if (http_put(p, c) == -1)
			return http_fail(p, 503, "out of memory");
		p->value_end = p->len;
		p->state = S_FIELD_VALUE;
		return HTTP_PARSE_NEED_MORE;
	case S_FIELD_LF:
		if (c != '\n')
			return http_fail(p, 400, "bare CR");
		p->line_bytes = 0;
		p->state = S_FIELD_START;
		return HTTP_PARSE_NEED_MORE;
	case S_END_LF:
		if (c != '\n')
			return http_fail(p, 400, "bare CR");
		if (p->trailers)
			return http_body_done(p);
		return http_head_done(p);
	default:
		break;
	}
	return http_fail(p, 400, "internal state");	/* not reached */
}

/* One byte of the chunked framing outside chunk data. */
static enum http_parse_result
http_chunk_byte(struct http_parser *p, int c)
{
	int	v;

	if (p->state == S_CHUNK_SIZE || p->state == S_CHUNK_BWS ||
	    p->state == S_CHUNK_EXT) {
		if (c != '\r' && ++p->chunk_line > p->lim.max_header_line)
			return http_fail(p, 400, "chunk line too long");
		/*
		 * Extensions are read and thrown away: bound them over the
		 * whole body too, or one byte of data per chunk could carry
		 * any amount of them.
		 */
		if (c != '\r' && (p->state != S_CHUNK_SIZE ||
		    text_hexval(c) < 0) &&
		    ++p->ext_bytes > p->lim.max_header_bytes)
			return http_fail(p, 400, "chunk extensions too large");
	}
	switch (p->state) {
	case S_CHUNK_SIZE:
		if ((v = text_hexval(c)) >= 0) {
			if (p->chunk_digits == HTTP_CHUNK_DIGITS_MAX)
				return http_fail(p, 400, "chunk size too long");
			p->left = p->left << 4 | (unsigned)v;
			p->chunk_digits++;
			return HTTP_PARSE_NEED_MORE;
		}
		if (p->chunk_digits == 0)
			return http_fail(p, 400, c == '\n' ? "bare LF" :
			    "invalid chunk size");
		if (c == ';')
			p->state = S_CHUNK_EXT;
		else if (c == ' ' || c == '\t')
			p->state = S_CHUNK_BWS;
		else if (c == '\r')
			p->state = S_CHUNK_SIZE_LF;
		else
			return http_fail(p, 400, c == '\n' ? "bare LF" :
			    "invalid chunk size");
		return HTTP_PARSE_NEED_MORE;
	case S_CHUNK_BWS:
		if (c == ';')
			p->state = S_CHUNK_EXT;
		else if (c != ' ' && c != '\t')
			return http_fail(p, 400, "invalid chunk extension");
		return HTTP_PARSE_NEED_MORE;
	case S_CHUNK_EXT:
		/*
		 * Extensions are ignored, so their inner syntax matters
		 * little; what matters is that no CR, LF or other control
		 * can hide inside one.
		 */
		if (c == '\r')
			p->state = S_CHUNK_SIZE_LF;
		else if (c != ' ' && c != '\t' && !http_vchar(c))
			return http_fail(p, 400, c == '\n' ? "bare LF" :
			    "invalid chunk extension");
		return HTTP_PARSE_NEED_MORE;
	case S_CHUNK_SIZE_LF:
		if (c != '\n')
			return http_fail(p, 400, "bare CR");
		if (p->left == 0) {
			/* last-chunk: trailers are checked and dropped */
			p->trailers = 1;
			p->section_bytes = 0;
			p->line_bytes = 0;
			p->n_fields = 0;
			p->state = S_FIELD_START;
			return HTTP_PARSE_NEED_MORE;
		}
		if (p->left > p->lim.max_body - p->body_len)
			return http_fail(p, 413, "body too large");
		p->state = S_CHUNK_DATA;
		return HTTP_PARSE_NEED_MORE;
	case S_CHUNK_DATA_CR:
		if (c != '\r')
			return http_fail(p, 400, "chunk data longer than its "
			    "size");
		p->state = S_CHUNK_DATA_LF;
		return HTTP_PARSE_NEED_MORE;
	case S_CHUNK_DATA_LF:
		if (c != '\n')
			return http_fail(p, 400, "bare CR");
		p->left = 0;
		p->chunk_digits = 0;
		p->chunk_line = 0;
		p->state = S_CHUNK_SIZE;
		return HTTP_PARSE_NEED_MORE;
	default:
		break;
	}
	return http_fail(p, 400, "internal state");	/* not reached */
}

/*
 * The request line is complete: split the target into authority, path and
 * query and decode the path.
 */
static enum http_parse_result
http_request_line(struct http_parser *p)
{
	const char	*t = p->buf + p->target_off;
	size_t		 tlen = p->target_len, ps, pe, i;

	p->section_bytes = 0;
	p->line_bytes = 0;
	p->n_fields = 0;
	p->state = S_FIELD_START;
	if (tlen == 1 && t[0] == '*') {
		if (p->req.method != HTTP_OPTIONS)
			return http_fail(p, 400, "'*' target outside OPTIONS");
		p->path_off = p->target_off;
		p->path_len = 1;
		return HTTP_PARSE_NEED_MORE;
	}
	if (t[0] == '/') {
		ps = 0;
	} else {
		size_t	skip;

		if (tlen >= 7 && strncasecmp(t, "http://", 7) == 0)
			skip = 7;
		else if (tlen >= 8 && strncasecmp(t, "https://", 8) == 0)
			skip = 8;
		else
			return http_fail(p, 400, "invalid target form");
		for (i = skip; i < tlen && t[i] != '/' && t[i] != '?'; i++)
			;
		if (i == skip || !http_host_valid(t + skip, i - skip))
			return http_fail(p, 400, "invalid authority in target");
		/* the authority, NUL-terminated, after the target */
		p->host_off = p->len;
		p->has_authority = 1;
		{
			size_t	a;

			for (a = skip; a < i; a++)
				if (http_put(p, p->buf[p->target_off + a]) ==
				    -1)
					return http_fail(p, 503,
					    "out of memory");
			if (http_put(p, '\0') == -1)
				return http_fail(p, 503, "out of memory");
		}
		t = p->buf + p->target_off;	/* the buffer may move */
		ps = i;
	}
	for (pe = ps; pe < tlen && t[pe] != '?'; pe++)
		;
	return http_path(p, ps, pe);
}

/*
 * Decode and normalise target[ps..pe) into the head buffer: segments are
 * percent-decoded one by one, empty and "." segments dropped, ".." and
 * anything that would change the segment structure or hide a control
 * refused.
 */
static enum http_parse_result
http_path(struct http_parser *p, size_t ps, size_t pe)
{
	size_t	i = ps, out_seg;
	int	last_drop = 0;
	int	hi, lo, c;

	p->path_off = p->len;
	while (i < pe) {
		if (p->buf[p->target_off + i] == '/')
			i++;
		if (http_put(p, '/') == -1)
			return http_fail(p, 503, "out of memory");
		out_seg = p->len;
		while (i < pe && p->buf[p->target_off + i] != '/') {
			c = (unsigned char)p->buf[p->target_off + i];
			if (c == '%') {
				if (i + 2 >= pe)
					return http_fail(p, 400,
					    "malformed escape in path");
				hi = text_hexval(p->buf[p->target_off + i + 1]);
				lo = text_hexval(p->buf[p->target_off + i + 2]);
				if (hi < 0 || lo < 0)
					return http_fail(p, 400,
					    "malformed escape in path");
				c = hi << 4 | lo;
				i += 3;
				if (c == '/')
					return http_fail(p, 400,
					    "encoded '/' in path");
			} else
				i++;
			if (c == '\\')
				return http_fail(p, 400, "'\\' in path");
			if (c < 0x20 || c == 0x7F)
				return http_fail(p, 400,
				    "control character in path");
			if (http_put(p, (char)c) == -1)
				return http_fail(p, 503, "out of memory");
		}
		if (p->len == out_seg ||
		    (p->len - out_seg == 1 && p->buf[out_seg] == '.')) {
			p->len = out_seg - 1;	/* "" or ".": dropped */
			last_drop = 1;
		} else if (p->len - out_seg == 2 && p->buf[out_seg] == '.' &&
		    p->buf[out_seg + 1] == '.')
			return http_fail(p, 400, "'..' segment in path");
		else
			last_drop = 0;
	}
	/* "/a/" and "/a/." keep their final slash; "" is "/" */
	if ((last_drop || p->len == p->path_off) &&
	    http_put(p, '/') == -1)
		return http_fail(p, 503, "out of memory");
	p->path_len = p->len - p->path_off;
	if (http_put(p, '\0') == -1)
		return http_fail(p, 503, "out of memory");
	if (!utf8_valid(p->buf + p->path_off, p->path_len))
		return http_fail(p, 400, "invalid UTF-8 in path");
	return HTTP_PARSE_NEED_MORE;
}

/* uri-host [":" port] (RFC 9110 7.2), possibly empty. */
static int
http_host_valid(const char *h, size_t len)
{
	size_t	i = 0, digits;

	if (len > 0 && h[0] == '[') {
		for (i = 1; i < len && h[i] != ']'; i++)
			if (text_hexval(h[i]) < 0 && h[i] != ':' &&
			    h[i] != '.')
				return 0;
		if (i == len || i == 1)
			return 0;
		i++;
	} else {
		for (; i < len && h[i] != ':'; i++) {
			unsigned char c = h[i];

			if (c == '%') {
				if (i + 2 >= len || text_hexval(h[i + 1]) < 0 ||
				    text_hexval(h[i + 2]) < 0)
					return 0;
				i += 2;
				continue;
			}
			if (!((c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    strchr("-._~!$&'()*+,;=", c) != NULL))
				return 0;
		}
	}
	if (i == len)
		return 1;
	if (h[i] != ':')
		return 0;
	for (digits = 0, i++; i < len; i++, digits++)
		if (h[i] < '0' || h[i] > '9' || digits == 5)
			return 0;
	return 1;
}

/*
 * The next element of a comma-separated list *s..end (RFC 9110 5.6.1),
 * OWS trimmed, possibly empty. Returns 0 at the end of the list, else 1.
 */
static int
http_list_next(const char **s, const char *end, const char **el,
    size_t *ellen)
{
	const char	*p = *s, *comma;

	if (p == NULL)
		return 0;
	comma = memchr(p, ',', end - p);
	*el = p;
	*ellen = (comma ? comma : end) - p;
	text_trim(el, ellen, " \t");
	*s = comma ? comma + 1 : NULL;
	return 1;
}

/* The empty line ended the head: pointers, then the framing checks. */
static enum http_parse_result
http_head_done(struct http_parser *p)
{
	struct http_request	*r = &p->req;
	const struct http_header *host = NULL, *cl = NULL, *te = NULL;
	size_t			 i, el_len;
	size_t			 n_host = 0, n_cl = 0, n_te = 0;
	const char		*s, *el;
	unsigned long long	 v;

	if (p->n_fields > 0) {
		p->headers = calloc(p->n_fields, sizeof(*p->headers));
		if (p->headers == NULL)
			return http_fail(p, 503, "out of memory");
	}
	for (i = 0; i < p->n_fields; i++) {
		struct http_header *h = &p->headers[i];

		h->name = p->buf + p->fields[i].name;
		h->name_len = p->fields[i].name_len;
		h->value = p->buf + p->fields[i].value;
		h->value_len = p->fields[i].value_len;
		if (http_ieq(h->name, h->name_len, "host")) {
			host = h;
			n_host++;
		} else if (http_ieq(h->name, h->name_len, "content-length")) {
			cl = h;
			n_cl++;
		} else if (http_ieq(h->name, h->name_len,
		    "transfer-encoding")) {
			te = h;
			n_te++;
		} else if (http_ieq(h->name, h->name_len, "connection")) {
			s = h->value;
			while (http_list_next(&s, h->value + h->value_len,
			    &el, &el_len)) {
				if (http_ieq(el, el_len, "close"))
					r->conn_close = 1;
				else if (http_ieq(el, el_len, "keep-alive"))
					r->conn_keep_alive = 1;
			}
		} else if (http_ieq(h->name, h->name_len, "expect") &&
		    http_ieq(h->value, h->value_len, "100-continue"))
			r->expect_continue = 1;
	}
	r->headers = p->headers;
	r->n_headers = p->n_fields;
	r->target = p->buf + p->target_off;
	r->target_len = p->target_len;
	r->path = p->buf + p->path_off;
	r->path_len = p->path_len;
	s = memchr(r->target, '?', r->target_len);
	if (s != NULL && r->path[0] != '*') {
		r->query = s + 1;
		r->query_len = r->target + r->target_len - r->query;
	}

	if (n_host > 1)
		return http_fail(p, 400, "more than one Host");
	if (n_host == 0 && r->version == 11)
		return http_fail(p, 400, "no Host");
	if (host != NULL && !http_host_valid(host->value, host->value_len))
		return http_fail(p, 400, "invalid Host");
	r->host = p->has_authority ? p->buf + p->host_off :
	    host ? host->value : NULL;

	if (te != NULL) {
		if (r->version == 10)
			return http_fail(p, 400, "Transfer-Encoding in "
			    "HTTP/1.0");
		if (cl != NULL)
			return http_fail(p, 400, "Content-Length with "
			    "Transfer-Encoding");
		if (n_te > 1)
			return http_fail(p, 400, "more than one "
			    "Transfer-Encoding");
		/* syntax of every coding first, then the final one */
		s = te->value;
		while (http_list_next(&s, te->value + te->value_len, &el,
		    &el_len)) {
			if (el_len == 0)
				return http_fail(p, 400,
				    "invalid Transfer-Encoding");
			for (i = 0; i < el_len; i++)
				if (!http_tchar((unsigned char)el[i]))
					return http_fail(p, 400,
					    "invalid Transfer-Encoding");
		}
		if (!http_ieq(el, el_len, "chunked"))
			return http_fail(p, 400, "final transfer coding is "
			    "not chunked");
		if (el != te->value) {
			/* codings before the final chunked: none is known */
			s = te->value;
			while (http_list_next(&s, te->value + te->value_len,
			    &el, &el_len) && s != NULL)
				if (http_ieq(el, el_len, "chunked"))
					return http_fail(p, 400, "chunked "
					    "applied twice");
			return http_fail(p, 501, "unsupported transfer "
			    "coding");
		}
		r->body_kind = HTTP_BODY_CHUNKED;
		p->head_done = 1;
		p->state = S_CHUNK_SIZE;
		return HTTP_PARSE_HEAD_DONE;
	}
	if (cl != NULL) {
		if (n_cl > 1)
			return http_fail(p, 400, "more than one "
			    "Content-Length");
		if (cl->value_len == 0)
			return http_fail(p, 400, "invalid Content-Length");
		for (i = 0; i < cl->value_len; i++)
			if (cl->value[i] < '0' || cl->value[i] > '9')
				return http_fail(p, 400,
				    "invalid Content-Length");
		v = 0;
		for (i = 0; i < cl->value_len; i++) {
			v = v * 10 + (unsigned)(cl->value[i] - '0');
			if (v > p->lim.max_body || v >= ULLONG_MAX / 10) {
				p->head_done = 1;
				return http_fail(p, 413, "body too large");
			}
		}
		r->body_kind = HTTP_BODY_LENGTH;
		r->content_length = v;
		p->head_done = 1;
		p->left = v;
		p->state = v > 0 ? S_LENGTH : S_DONE;
		return HTTP_PARSE_HEAD_DONE;
	}
	r->body_kind = HTTP_BODY_NONE;
	p->head_done = 1;
	p->state = S_DONE;
	return HTTP_PARSE_HEAD_DONE;
}

/* The whole body is in: NUL-terminate it and hand it to the request. */
static enum http_parse_result
http_body_done(struct http_parser *p)
{
	if (p->body_len > 0) {
		p->body[p->body_len] = '\0';	/* reserved with the body */
		p->req.body = p->body;
		p->req.body_len = p->body_len;
	}
	p->state = S_DONE;
	return HTTP_PARSE_BODY_DONE;
}

/* --- lookups ------------------------------------------------------------ */

const char *
http_header_get(const struct http_request *r, const char *name)
{
	size_t	i;

	for (i = 0; i < r->n_headers; i++)
		if (http_ieq(r->headers[i].name, r->headers[i].name_len, name))
			return r->headers[i].value;
	return NULL;
}

size_t
http_header_count(const struct http_request *r, const char *name)
{
	size_t	i, n = 0;

	for (i = 0; i < r->n_headers; i++)
		if (http_ieq(r->headers[i].name, r->headers[i].name_len, name))
			n++;
	return n;
}

int
http_keep_alive(const struct http_request *r)
{
	if (r->conn_close)
		return 0;
	return r->version == 11 || r->conn_keep_alive;
}

/* --- helpers ------------------------------------------------------------ */

/*
 * Decode one form-urlencoded span s[0..len) into out (outsize bytes with
 * the NUL; out NULL: compare with want instead). Returns the decoded
 * length, -1 on a malformed escape or a NUL, -2 when it does not fit, or
 * with want: 1 equal, 0 not.
 */
static long
http_form_decode(const char *s, size_t len, char *out, size_t outsize,
    const char *want)
{
	size_t	i, o = 0, wlen = want ? strlen(want) : 0;
	int	c, hi, lo;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (i + 2 >= len || (hi = text_hexval(s[i + 1])) < 0 ||
			    (lo = text_hexval(s[i + 2])) < 0)
				return -1;
			c = hi << 4 | lo;
			i += 2;
		}
		if (c == '\0')
			return -1;
		if (want != NULL) {
			if (o >= wlen || want[o] != c)
				return 0;
			o++;
			continue;
		}
		if (o + 1 >= outsize)
			return -2;
		out[o++] = (char)c;
	}
	if (want != NULL)
		return o == wlen;
	if (outsize == 0)
		return -2;
	out[o] = '\0';
	return (long)o;
}

int
http_query_param(const char *query, size_t len, const char *name, char *out,
    size_t outsize, size_t *outlen)
{
	const char	*s = query, *end = query + len, *amp, *eq;
	size_t		 plen, nlen;
	long		 n;

	while (s != NULL && s < end) {
		amp = memchr(s, '&', end - s);
		plen = (amp ? amp : end) - s;
		eq = memchr(s, '=', plen);
		nlen = eq ? (size_t)(eq - s) : plen;
		if (plen > 0 && http_form_decode(s, nlen, NULL, 0, name) == 1) {
			n = eq ? http_form_decode(eq + 1, plen - nlen - 1, out,
			    outsize, NULL) : http_form_decode("", 0, out,
			    outsize, NULL);
			if (n < 0)
				return -1;
			if (outlen != NULL)
				*outlen = (size_t)n;
			return 1;
		}
		s = amp ? amp + 1 : NULL;
	}
	return 0;
}

/* OWS at v[*i..len) skipped. */
static void
http_skip_ows(const char *v, size_t len, size_t *i)
{
	while (*i < len && (v[*i] == ' ' || v[*i] == '\t'))
		(*i)++;
}

/*
 * A parameter value at v[*i..len): token or quoted-string, unquoted into
 * dst (dstsize bytes with the NUL; dst NULL: checked only). Returns the
 * length, -1 on bad syntax, -2 when it does not fit.
 */
static long
http_param_value(const char *v, size_t len, size_t *i, char *dst,
    size_t dstsize)
{
	size_t	o = 0;
	int	c, quoted = 0;

	if (*i < len && v[*i] == '"') {
		quoted = 1;
		(*i)++;
	}
	for (;; (*i)++) {
		if (*i == len) {
			if (quoted)
				return -1;	/* no closing DQUOTE */
			break;
		}
		c = (unsigned char)v[*i];
		if (!quoted) {
			if (!http_tchar(c))
				break;
		} else if (c == '"') {
			(*i)++;
			break;
		} else if (c == '\\') {
			if (++(*i) == len)
				return -1;
			c = (unsigned char)v[*i];
			if (c != '\t' && c != ' ' && !http_vchar(c))
				return -1;
		} else if (c != '\t' && c != ' ' && !http_vchar(c))
			return -1;
		if (dst != NULL) {
			if (o + 1 >= dstsize)
				return -2;
			dst[o] = (char)c;
		}
		o++;
	}
	if (!quoted && o == 0)
		return -1;
	if (dst != NULL)
		dst[o] = '\0';
	return (long)o;
}

/* RFC 2046 5.1.1 boundary: 1-70 bchars, not ending with a space. */
static int
http_boundary_valid(const char *b, size_t len)
{
	size_t	i;

	if (len == 0 || len > HTTP_BOUNDARY_MAX || b[len - 1] == ' ')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = b[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("'()+_,-./:=? ", c)))
			return 0;
	}
	return 1;
}

int
http_content_type(const char *v, size_t len, struct http_content_type *out)
{
	size_t	i = 0, o = 0, start, j;
	int	slash = 0, have_cs = 0, have_b = 0;
	long	n;

	memset(out, 0, sizeof(*out));
	http_skip_ows(v, len, &i);
	/* type "/" subtype, each a token */
	for (start = i; i < len; i++) {
		unsigned char c = v[i];

		if (c == '/' && !slash && i > start) {
			slash = 1;
			start = i + 1;
		} else if (!http_tchar(c))
			break;
		if (o == HTTP_MEDIA_TYPE_MAX)
			return -1;
		out->type[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	if (!slash || i == start)
		return -1;
	out->type[o] = '\0';
	for (;;) {
		http_skip_ows(v, len, &i);
		if (i == len)
			return 0;
		if (v[i] != ';')
			return -1;
		i++;
		http_skip_ows(v, len, &i);
		if (i == len || v[i] == ';')
			continue;		/* empty parameter */
		for (start = i; i < len && http_tchar((unsigned char)v[i]); i++)
			;
		if (i == start || i == len || v[i] != '=')
			return -1;
		j = i++;
		if (http_ieq(v + start, j - start, "charset")) {
			if (have_cs++)
				return -1;
			n = http_param_value(v, len, &i, out->charset,
			    sizeof(out->charset));
			if (n <= 0)
				return -1;
			for (o = 0; out->charset[o] != '\0'; o++)
				if (out->charset[o] >= 'A' &&
				    out->charset[o] <= 'Z')
					out->charset[o] += 32;
		} else if (http_ieq(v + start, j - start, "boundary")) {
			if (have_b++)
				return -1;
			n = http_param_value(v, len, &i, out->boundary,
			    sizeof(out->boundary));
			if (n < 0 || !http_boundary_valid(out->boundary, n))
				return -1;
		} else if (http_param_value(v, len, &i, NULL, 0) < 0)
			return -1;
	}
}

int
http_qvalue(const char *s, size_t len)
{
	size_t	i;
	int	q, scale = 100;

	if (len == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = (s[0] - '0') * 1000;
	if (len == 1)
		return q;
	if (s[1] != '.' || len > 5)
		return -1;
	for (i = 2; i < len; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

/*
 * One language-range (RFC 4647 2.1: 1*8ALPHA *("-" 1*8alphanum), or "*"),
 * lower-cased into tag; 0 or -1.
 */
static int
http_lang_range(const char *s, size_t len, char *tag)
{
	size_t	i, sub = 0;
	int	first = 1;

	if (len == 1 && s[0] == '*') {
		tag[0] = '*';
		tag[1] = '\0';
		return 0;
	}
	if (len == 0 || len > HTTP_LANG_TAG_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '-') {
			if (sub == 0 || i + 1 == len)
				return -1;
			sub = 0;
			first = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (!first && c >= '0' && c <= '9')) {
			if (++sub > 8)
				return -1;
		} else
			return -1;
		tag[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	tag[len] = '\0';
	return 0;
}

size_t
http_accept_language(const char *v, size_t len, struct http_lang *out,
    size_t max)
{
	const char	*s = v, *el, *semi;
	size_t		 el_len, n = 0, pos, rlen;
	struct http_lang l;
	int		 q;

	while (http_list_next(&s, v + len, &el, &el_len)) {
		semi = memchr(el, ';', el_len);
		rlen = (semi ? semi : el + el_len) - el;
		while (rlen > 0 &&
		    (el[rlen - 1] == ' ' || el[rlen - 1] == '\t'))
			rlen--;
		if (http_lang_range(el, rlen, l.tag) == -1)
			continue;
		q = 1000;
		if (semi != NULL) {
			const char	*w = semi + 1;
			size_t		 wlen = el + el_len - w;

			text_trim(&w, &wlen, " \t");
			if (wlen < 2 || (w[0] != 'q' && w[0] != 'Q') ||
			    w[1] != '=' ||
			    (q = http_qvalue(w + 2, wlen - 2)) < 0)
				continue;	/* also a second parameter */
		}
		if (q == 0)
			continue;
		l.q = (unsigned)q;
		/* stable insertion, highest q first, keeping the best max */
		for (pos = n; pos > 0 && out[pos - 1].q < l.q; pos--)
			;
		if (pos >= max)
			continue;
		if (n == max)
			n--;
		memmove(&out[pos + 1], &out[pos], (n - pos) * sizeof(*out));
		out[pos] = l;
		n++;
	}
	return n;
}

int
http_bearer(const char *v, size_t len, const char **tok, size_t *toklen)
{
	size_t	i = 6, start, end;

	if (len < 7 || strncasecmp(v, "Bearer", 6) != 0 || v[6] != ' ')
		return -1;
	while (i < len && v[i] == ' ')
		i++;
	end = len;
	while (end > i && (v[end - 1] == ' ' || v[end - 1] == '\t'))
		end--;
	start = i;
	for (; i < end; i++) {
		unsigned char c = v[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~+/", c)))
			break;
	}
	if (i == start)
		return -1;
	while (i < end && v[i] == '=')
		i++;
	if (i != end)
		return -1;
	*tok = v + start;
	*toklen = end - start;
	return 0;
}

/* RFC 6265 4.1.1 cookie-octet. */
static int
http_cookie_octet(int c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2B) ||
	    (c >= 0x2D && c <= 0x3A) || (c >= 0x3C && c <= 0x5B) ||
	    (c >= 0x5D && c <= 0x7E);
}

int
http_cookies(const char *v, size_t len, struct http_cookie *out, size_t max)
{
	const char	*s = v, *end = v + len, *semi, *eq, *pair, *val;
	size_t		 plen, nlen, vlen, i, n = 0;

	while (s < end) {
		semi = memchr(s, ';', end - s);
		pair = s;
		plen = (semi ? semi : end) - s;
		s = semi ? semi + 1 : end;
		text_trim(&pair, &plen, " \t");
		if (plen == 0 || (eq = memchr(pair, '=', plen)) == NULL)
			continue;
		nlen = eq - pair;
		val = eq + 1;
		vlen = plen - nlen - 1;
		if (nlen == 0)
			continue;
		for (i = 0; i < nlen; i++)
			if (!http_tchar((unsigned char)pair[i]))
				break;
		if (i < nlen)
			continue;
		if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
			val++;
			vlen -= 2;
		}
		for (i = 0; i < vlen; i++)
			if (!http_cookie_octet((unsigned char)val[i]))
				break;
		if (i < vlen)
			continue;
		if (n == max)
			return -1;
		out[n].name = pair;
		out[n].name_len = nlen;
		out[n].value = val;
		out[n].value_len = vlen;
		n++;
	}
	return (int)n;
}

static const struct {
	int		 status;
	const char	*reason;
} http_reasons[] = {
	{ 100, "Continue" },
	{ 101, "Switching Protocols" },
	{ 200, "OK" },
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 204, "No Content" },
	{ 206, "Partial Content" },
	{ 301, "Moved Permanently" },
	{ 302, "Found" },
	{ 303, "See Other" },
	{ 304, "Not Modified" },
	{ 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 410, "Gone" },
	{ 411, "Length Required" },
	{ 412, "Precondition Failed" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 416, "Range Not Satisfiable" },
	{ 417, "Expectation Failed" },
	{ 422, "Unprocessable Content" },
	{ 426, "Upgrade Required" },
	{ 428, "Precondition Required" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
	{ 505, "HTTP Version Not Supported" },
	{ 507, "Insufficient Storage" },
};

const char *
http_reason(int status)
{
	size_t	i;

	for (i = 0; i < sizeof(http_reasons) / sizeof(http_reasons[0]); i++)
		if (http_reasons[i].status == status)
			return http_reasons[i].reason;
	return "";
}

/* Append s[0..len) to buf at *o, keeping room for the NUL; -1 if full. */
static int
http_out(char *buf, size_t size, size_t *o, const char *s, size_t len)
{
	if (size - *o <= len)
		return -1;
	memcpy(buf + *o, s, len);
	*o += len;
	return 0;
}

int
http_format_head(char *buf, size_t size, int status,
    const struct http_field *h, size_t n, long long content_length)
{
	char	num[48];
	size_t	o = 0, i, j, nl, vl;
	int	k;

	if (size == 0 || status < 100 || status > 599)
		return -1;
	if (content_length >= 0 && (status < 200 || status == 204))
		return -1;
	k = snprintf(num, sizeof(num), "HTTP/1.1 %d ", status);
	if (http_out(buf, size, &o, num, (size_t)k) == -1 ||
	    http_out(buf, size, &o, http_reason(status),
	    strlen(http_reason(status))) == -1 ||
	    http_out(buf, size, &o, "\r\n", 2) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		nl = strlen(h[i].name);
		vl = strlen(h[i].value);
		if (nl == 0 || http_ieq(h[i].name, nl, "content-length") ||
		    http_ieq(h[i].name, nl, "transfer-encoding"))
			return -1;
		for (j = 0; j < nl; j++)
			if (!http_tchar((unsigned char)h[i].name[j]))
				return -1;
		for (j = 0; j < vl; j++) {
			unsigned char c = h[i].value[j];

			if (c != '\t' && c != ' ' && !http_vchar(c))
				return -1;
		}
		if (http_out(buf, size, &o, h[i].name, nl) == -1 ||
		    http_out(buf, size, &o, ": ", 2) == -1 ||
		    http_out(buf, size, &o, h[i].value, vl) == -1 ||
		    http_out(buf, size, &o, "\r\n", 2) == -1)
			return -1;
	}
	if (content_length >= 0) {
		k = snprintf(num, sizeof(num), "Content-Length: %lld\r\n",
		    content_length);
		if (http_out(buf, size, &o, num, (size_t)k) == -1)
			return -1;
	}
	if (http_out(buf, size, &o, "\r\n", 2) == -1)
		return -1;
	buf[o] = '\0';
	return (int)o;
}
