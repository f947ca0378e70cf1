/*
 * fuzz_http.c - libFuzzer harness for the HTTP/1.1 request decoder and its
 * header helpers (http_parse.h).
 *
 * The first byte picks the bounds (even: tiny ones, so that every limit is
 * reached; odd: the defaults); the rest is what a client sent on one
 * connection. It is fed as a session would (requests one after another,
 * unconsumed bytes pushed again after a reset), once in one piece and once
 * in pieces of pseudo-random size (seeded from the input, so a crash
 * replays). Both runs must give the same requests, statuses, reasons,
 * offsets and bodies, and every request must keep the documented shape:
 * a normalised path, token header names, values without controls, framing
 * that agrees with the headers, bodies within their bounds. The input is
 * also given to the Content-Type, Accept-Language, Bearer, Cookie and query
 * helpers and to the response-head writer, whose results must stay inside
 * their buffers and never let a CR or LF through.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"
#include "report.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FZ_MAX_REQ	64

/* One request as the driver saw it; strings are copies. */
struct fz_req {
	int		 result;
	int		 status;
	const char	*why;		/* static in the parser */
	size_t		 head_end;	/* after HEAD_DONE, 0 if none */
	size_t		 end;		/* after the request */
	char		*summary;	/* what the head said */
	size_t		 summary_len;
	char		*body;
	size_t		 body_len;
};

static uint64_t
fz_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int
fz_tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Append s[0..len) and a separator to a growing summary. */
static void
fz_add(char **buf, size_t *len, const char *s, size_t slen)
{
	*buf = realloc(*buf, *len + slen + 1);
	if (*buf == NULL)
		abort();
	memcpy(*buf + *len, s, slen);
	*len += slen;
	(*buf)[(*len)++] = '\n';
}

static int
fz_ieq(const char *a, size_t alen, const char *b)
{
	return alen == strlen(b) && strncasecmp(a, b, alen) == 0;
}

/* The documented shape of a complete head. */
static void
fz_check_head(const struct http_request *r, const struct http_limits *lim)
{
	size_t	i, j, n_cl = 0, n_te = 0, n_host = 0;

	if (r->version != 10 && r->version != 11)
		abort();
	if ((unsigned)r->method > HTTP_OPTIONS)
		abort();
	if (r->target_len == 0 || r->target_len > lim->max_target ||
	    strlen(r->target) != r->target_len)
		abort();
	if (strlen(r->path) != r->path_len || r->path_len == 0)
		abort();
	if (strcmp(r->path, "*") == 0) {
		if (r->method != HTTP_OPTIONS || r->query != NULL)
			abort();
	} else {
		if (r->path[0] != '/' || strstr(r->path, "//") != NULL ||
		    strstr(r->path, "/./") != NULL ||
		    strstr(r->path, "/../") != NULL ||
		    (r->path_len >= 2 &&
		    strcmp(r->path + r->path_len - 2, "/.") == 0) ||
		    (r->path_len >= 3 &&
		    strcmp(r->path + r->path_len - 3, "/..") == 0) ||
		    strchr(r->path, '\\') != NULL)
			abort();
		for (i = 0; i < r->path_len; i++)
			if ((unsigned char)r->path[i] < 0x20 ||
			    r->path[i] == 0x7F)
				abort();
		if (!utf8_valid(r->path, r->path_len))
			abort();
	}
	if (r->query != NULL && (r->query < r->target ||
	    r->query + r->query_len != r->target + r->target_len ||
	    r->query[-1] != '?'))
		abort();
	if (r->n_headers > lim->max_headers)
		abort();
	for (i = 0; i < r->n_headers; i++) {
		const struct http_header *h = &r->headers[i];

		if (h->name_len == 0 || strlen(h->name) != h->name_len ||
		    strlen(h->value) != h->value_len)
			abort();
		for (j = 0; j < h->name_len; j++)
			if (!fz_tchar((unsigned char)h->name[j]))
				abort();
		for (j = 0; j < h->value_len; j++) {
			unsigned char c = h->value[j];

			if ((c < 0x20 && c != '\t') || c == 0x7F)
				abort();
		}
		if (h->value_len > 0 && (h->value[0] == ' ' ||
		    h->value[0] == '\t' || h->value[h->value_len - 1] == ' ' ||
		    h->value[h->value_len - 1] == '\t'))
			abort();
		if (fz_ieq(h->name, h->name_len, "content-length"))
			n_cl++;
		if (fz_ieq(h->name, h->name_len, "transfer-encoding"))
			n_te++;
		if (fz_ieq(h->name, h->name_len, "host"))
			n_host++;
	}
	/* framing agrees with the headers: never both, never twice */
	if (n_cl > 1 || n_te > 1 || (n_cl && n_te) || n_host > 1)
		abort();
	if (r->version == 11 && n_host != 1)
		abort();
	if (r->body_kind == HTTP_BODY_CHUNKED &&
	    (n_te != 1 || r->version != 11 ||
	    !fz_ieq(http_header_get(r, "transfer-encoding"),
	    strlen(http_header_get(r, "transfer-encoding")), "chunked")))
		abort();
	if (r->body_kind == HTTP_BODY_LENGTH &&
	    (n_cl != 1 || r->content_length > lim->max_body))
		abort();
	if (r->body_kind == HTTP_BODY_NONE && (n_cl || n_te))
		abort();
}

/* Summary of a complete head, for comparing two runs. */
static void
fz_summary(const struct http_request *r, char **s, size_t *len)
{
	char	num[64];
	size_t	i;
	int	n;

	n = snprintf(num, sizeof(num), "%d %d %d %llu %d %d %d", r->method,
	    r->version, r->body_kind, r->content_length, r->conn_close,
	    r->conn_keep_alive, r->expect_continue);
	fz_add(s, len, num, (size_t)n);
	fz_add(s, len, r->target, r->target_len);
	fz_add(s, len, r->path, r->path_len);
	fz_add(s, len, r->query ? r->query : "-", r->query ? r->query_len : 1);
	fz_add(s, len, r->host ? r->host : "-", r->host ? strlen(r->host) : 1);
	for (i = 0; i < r->n_headers; i++) {
		fz_add(s, len, r->headers[i].name, r->headers[i].name_len);
		fz_add(s, len, r->headers[i].value, r->headers[i].value_len);
	}
}

/*
 * Feed in[0..len) in pieces (seed 0: one piece), request after request.
 * Fills reqs; returns how many.
 */
static size_t
fz_drive(const struct http_limits *lim, const char *in, size_t len,
    uint64_t seed, struct fz_req *reqs)
{
	struct http_parser		*p;
	const struct http_request	*r;
	size_t				 avail = 0, off = 0, start = 0;
	size_t				 used, n = 0, head_end = 0, piece;
	int				 rc = HTTP_PARSE_NEED_MORE;

	if ((p = http_parser_new(lim)) == NULL)
		abort();
	memset(reqs, 0, FZ_MAX_REQ * sizeof(*reqs));
	while (n < FZ_MAX_REQ) {
		piece = seed ? fz_next(&seed) % 41 : len;
		avail = avail + piece > len ? len : avail + piece;
		for (;;) {
			rc = http_parse_push(p, in + off, avail - off, &used);
			if (used > avail - off)
				abort();
			if (rc == HTTP_PARSE_NEED_MORE &&
			    used != avail - off)
				abort();
			off += used;
			if (rc == HTTP_PARSE_NEED_MORE)
				break;
			r = http_parser_request(p);
			if (rc == HTTP_PARSE_HEAD_DONE) {
				if (r == NULL || head_end != 0)
					abort();
				fz_check_head(r, lim);
				head_end = off;
				continue;
			}
			reqs[n].result = rc;
			reqs[n].status = http_parser_error(p, &reqs[n].why);
			reqs[n].head_end = head_end;
			reqs[n].end = off;
			if (rc == HTTP_PARSE_BODY_DONE) {
				if (r == NULL || head_end == 0 ||
				    reqs[n].status != 0)
					abort();
				fz_summary(r, &reqs[n].summary,
				    &reqs[n].summary_len);
				if (r->body_len > lim->max_body ||
				    r->body_len > off - head_end ||
				    (r->body == NULL) != (r->body_len == 0) ||
				    (r->body && r->body[r->body_len] != '\0'))
					abort();
				if (r->body_kind == HTTP_BODY_LENGTH &&
				    (r->body_len != r->content_length ||
				    off - head_end != r->content_length))
					abort();
				if (r->body_kind == HTTP_BODY_NONE &&
				    off != head_end)
					abort();
				if (r->body_len > 0) {
					reqs[n].body = malloc(r->body_len);
					memcpy(reqs[n].body, r->body,
					    r->body_len);
					reqs[n].body_len = r->body_len;
				}
				/* a second push changes nothing */
				if (http_parse_push(p, in + off, avail - off,
				    &used) != HTTP_PARSE_BODY_DONE || used != 0)
					abort();
			} else {
				if (reqs[n].why == NULL ||
				    reqs[n].why[0] == '\0')
					abort();
				switch (reqs[n].status) {
				case 400: case 413: case 414: case 431:
				case 501: case 505:
					break;
				default:
					abort();
				}
				/* head complete only for a 413 after it */
				if (r != NULL && reqs[n].status != 413 &&
				    head_end == 0)
					abort();
				if (http_parse_push(p, in, len, &used) !=
				    HTTP_PARSE_ERROR || used != 0)
					abort();
			}
			n++;
			if (rc == HTTP_PARSE_ERROR || n == FZ_MAX_REQ)
				goto done;
			http_parser_reset(p);
			if (http_parser_request(p) != NULL ||
			    http_parser_error(p, NULL) != 0)
				abort();
			head_end = 0;
			start = off;
		}
		if (avail == len)
			break;
	}
	if (n < FZ_MAX_REQ && off > start) {	/* unfinished */
		reqs[n].result = HTTP_PARSE_NEED_MORE;
		reqs[n].head_end = head_end;
		reqs[n].end = off;
		n++;
	}
done:
	http_parser_free(p);
	return n;
}

static void
fz_parser(const struct http_limits *lim, const char *in, size_t len)
{
	struct fz_req	*a, *b;
	size_t		 na, nb, i;
	uint64_t	 seed = 1469598103934665603ULL;

	for (i = 0; i < len; i++)
		seed = (seed ^ (unsigned char)in[i]) * 1099511628211ULL;
	if (seed == 0)
		seed = 1;
	a = calloc(FZ_MAX_REQ, sizeof(*a));
	b = calloc(FZ_MAX_REQ, sizeof(*b));
	na = fz_drive(lim, in, len, 0, a);
	nb = fz_drive(lim, in, len, seed, b);
	if (na != nb)
		abort();
	for (i = 0; i < na; i++) {
		if (a[i].result != b[i].result || a[i].status != b[i].status ||
		    (a[i].why == NULL) != (b[i].why == NULL) ||
		    (a[i].why && strcmp(a[i].why, b[i].why) != 0) ||
		    a[i].head_end != b[i].head_end || a[i].end != b[i].end ||
		    a[i].summary_len != b[i].summary_len ||
		    (a[i].summary_len && memcmp(a[i].summary, b[i].summary,
		    a[i].summary_len) != 0) ||
		    a[i].body_len != b[i].body_len ||
		    (a[i].body_len && memcmp(a[i].body, b[i].body,
		    a[i].body_len) != 0))
			abort();
		if (i > 0 && a[i].end <= a[i - 1].end &&
		    a[i].result != HTTP_PARSE_ERROR)
			abort();
	}
	for (i = 0; i < FZ_MAX_REQ; i++) {
		free(a[i].summary);
		free(a[i].body);
		free(b[i].summary);
		free(b[i].body);
	}
	free(a);
	free(b);
}

static void
fz_helpers(const char *in, size_t len)
{
	struct http_content_type ct;
	struct http_lang	 langs[4];
	struct http_cookie	 cookies[4];
	struct http_field	 h[2];
	const char		*tok;
	char			 out[16], head[256], *value;
	size_t			 n, i, toklen, outlen, vlen;
	int			 k;

	if (http_content_type(in, len, &ct) == 0) {
		if (strchr(ct.type, '/') == NULL ||
		    strchr(ct.type, '/') != strrchr(ct.type, '/'))
			abort();
		for (i = 0; ct.type[i] != '\0'; i++)
			if (ct.type[i] >= 'A' && ct.type[i] <= 'Z')
				abort();
		if (strlen(ct.boundary) > HTTP_BOUNDARY_MAX ||
		    strpbrk(ct.boundary, "\"\r\n;") != NULL)
			abort();
	}
	n = http_accept_language(in, len, langs, 4);
	if (n > 4)
		abort();
	for (i = 0; i < n; i++)
		if (langs[i].q == 0 || langs[i].q > 1000 ||
		    (i > 0 && langs[i].q > langs[i - 1].q) ||
		    strlen(langs[i].tag) == 0 ||
		    strlen(langs[i].tag) > HTTP_LANG_TAG_MAX)
			abort();
	if (http_bearer(in, len, &tok, &toklen) == 0) {
		if (tok < in || tok + toklen > in + len || toklen == 0)
			abort();
		for (i = 0; i < toklen; i++)
			if (strchr("-._~+/=", tok[i]) == NULL &&
			    !((tok[i] >= 'a' && tok[i] <= 'z') ||
			    (tok[i] >= 'A' && tok[i] <= 'Z') ||
			    (tok[i] >= '0' && tok[i] <= '9')))
				abort();
	}
	k = http_cookies(in, len, cookies, 4);
	if (k < -1 || k > 4)
		abort();
	for (i = 0; k > 0 && i < (size_t)k; i++)
		if (cookies[i].name < in || cookies[i].name_len == 0 ||
		    cookies[i].name + cookies[i].name_len > in + len ||
		    cookies[i].value < in ||
		    cookies[i].value + cookies[i].value_len > in + len)
			abort();
	k = http_query_param(in, len, "t", out, sizeof(out), &outlen);
	if (k == 1 && (outlen >= sizeof(out) || out[outlen] != '\0' ||
	    strlen(out) != outlen))
		abort();
	if (k < -1 || k > 1)
		abort();
	/* a value from the client in a response header: never split */
	value = malloc(len + 1);
	memcpy(value, in, len);
	value[len] = '\0';
	vlen = strlen(value);
	h[0].name = "Location";
	h[0].value = value;
	h[1].name = "X-Other";
	h[1].value = "1";
	k = http_format_head(head, sizeof(head), 303, h, 2, 0);
	if (k >= 0) {
		const char	*s = head;
		size_t		 lines = 0;

		if ((size_t)k >= sizeof(head) || head[k] != '\0' ||
		    strlen(head) != (size_t)k ||
		    memchr(value, '\r', vlen) || memchr(value, '\n', vlen))
			abort();
		/* status, Location, X-Other, Content-Length, empty */
		while ((s = strstr(s, "\r\n")) != NULL) {
			lines++;
			s += 2;
		}
		if (lines != 5)
			abort();
		for (s = head; (s = strpbrk(s, "\r\n")) != NULL; s += 2)
			if (s[0] != '\r' || s[1] != '\n')
				abort();
	}
	free(value);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_limits	lim;

	if (size == 0)
		return 0;
	if (data[0] & 1)
		lim = http_limits_default();
	else {
		lim.max_target = 24;
		lim.max_header_line = 48;
		lim.max_header_bytes = 160;
		lim.max_headers = 5;
		lim.max_body = 64;
	}
	fz_parser(&lim, (const char *)data + 1, size - 1);
	fz_helpers((const char *)data + 1, size - 1);
	return 0;
}
