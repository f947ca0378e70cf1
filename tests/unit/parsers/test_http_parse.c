/*
 * test_http_parse.c - the HTTP/1.1 request decoder (http_parse.h): every
 * status it answers with a request that triggers it, the request-smuggling
 * classics, each bound exactly at and one past its limit, chunked bodies,
 * pipelining and reset, and the header helpers. Every request case runs
 * fed in one piece, byte by byte, and cut at every single point: the
 * outcome must not change.
 */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "http_parse.h"

/* --- driver ------------------------------------------------------------- */

/* What one request came to, copied out of the parser. */
struct outcome {
	int		 result;	/* BODY_DONE, ERROR, or NEED_MORE at
					   the end of the input */
	int		 status;	/* of the error */
	char		 why[64];
	int		 heads;		/* HEAD_DONE seen */
	int		 head_avail;	/* http_parser_request() set */
	size_t		 end;		/* input offset after it */
	enum http_method method;
	int		 version;
	char		 path[256];
	char		 query[256];	/* "(null)" when none */
	char		 host[256];	/* "(null)" when none */
	enum http_body	 body_kind;
	unsigned long long content_length;
	int		 keep_alive;
	size_t		 n_headers;
	char		*body;		/* malloc'd, or "(null)" */
	size_t		 body_len;
};

#define MAX_OUT	8

static void
copy_str(char *dst, size_t size, const char *s)
{
	if (s == NULL)
		s = "(null)";
	snprintf(dst, size, "%s", s);
}

static void
outcome_fill(struct outcome *o, struct http_parser *p, int r)
{
	const struct http_request *req = http_parser_request(p);
	const char		  *why;

	o->result = r;
	o->status = http_parser_error(p, &why);
	copy_str(o->why, sizeof(o->why), why);
	o->head_avail = req != NULL;
	if (req != NULL) {
		o->method = req->method;
		o->version = req->version;
		copy_str(o->path, sizeof(o->path), req->path);
		copy_str(o->query, sizeof(o->query), req->query);
		copy_str(o->host, sizeof(o->host), req->host);
		o->body_kind = req->body_kind;
		o->content_length = req->content_length;
		o->keep_alive = http_keep_alive(req);
		o->n_headers = req->n_headers;
	}
	if (r == HTTP_PARSE_BODY_DONE && req->body != NULL) {
		o->body = malloc(req->body_len + 1);
		memcpy(o->body, req->body, req->body_len + 1);
		o->body_len = req->body_len;
	} else {
		o->body = strdup("(null)");
		o->body_len = 0;
	}
}

/*
 * Feed in[0..len) as a session would: pieces arrive (the first of first
 * bytes when first > 0, then step bytes, 0 = everything), the caller keeps
 * what was not consumed and pushes it again after a reset. Fills out[] with
 * the outcome of each request, stops at the first error or the end of the
 * input; returns how many.
 */
static size_t
drive(const struct http_limits *lim, const char *in, size_t len, size_t first,
    size_t step, struct outcome *out, size_t max)
{
	struct http_parser	*p = http_parser_new(lim);
	size_t			 avail = 0, off = 0, used, n = 0;
	size_t			 start = 0;
	int			 r, heads = 0;

	memset(out, 0, max * sizeof(*out));
	for (;;) {
		/* bytes arrived: in[off..avail) are pending */
		size_t add = (avail == 0 && first > 0) ? first :
		    step ? step : len;

		avail = avail + add > len ? len : avail + add;
		for (;;) {
			r = http_parse_push(p, in + off, avail - off, &used);
			if (used > avail - off) {
				printf("consumed %zu of %zu\n", used,
				    avail - off);
				CHECK(used <= avail - off);
				used = avail - off;
			}
			if (r == HTTP_PARSE_NEED_MORE && used != avail - off)
				CHECK(!"NEED_MORE left bytes unconsumed");
			off += used;
			if (r == HTTP_PARSE_HEAD_DONE) {
				heads++;
				continue;
			}
			if (r == HTTP_PARSE_NEED_MORE)
				break;
			outcome_fill(&out[n], p, r);
			out[n].heads = heads;
			out[n].end = off;
			n++;
			if (r == HTTP_PARSE_ERROR || n == max)
				goto done;
			http_parser_reset(p);
			heads = 0;
			start = off;
		}
		if (avail == len)
			break;
	}
	if (n < max && off > start) {	/* an unfinished request */
		outcome_fill(&out[n], p, HTTP_PARSE_NEED_MORE);
		out[n].heads = heads;
		out[n].end = off;
		n++;
	}
done:
	http_parser_free(p);
	return n;
}

static void
outcomes_free(struct outcome *o, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(o[i].body);
}

static int
outcome_eq(const struct outcome *a, const struct outcome *b)
{
	return a->result == b->result && a->status == b->status &&
	    strcmp(a->why, b->why) == 0 && a->heads == b->heads &&
	    a->head_avail == b->head_avail &&
	    a->end == b->end && (!a->head_avail ||
	    (a->method == b->method && a->version == b->version &&
	    strcmp(a->path, b->path) == 0 && strcmp(a->query, b->query) == 0 &&
	    strcmp(a->host, b->host) == 0 && a->body_kind == b->body_kind &&
	    a->content_length == b->content_length &&
	    a->keep_alive == b->keep_alive && a->n_headers == b->n_headers)) &&
	    a->body_len == b->body_len &&
	    memcmp(a->body, b->body, a->body_len) == 0;
}

/*
 * Parse in every way (one piece, byte by byte, every cut in two, pieces of
 * 7): all must agree. Returns the one-piece outcomes in out.
 */
static size_t
parse_all_ways(const struct http_limits *lim, const char *in, size_t len,
    struct outcome *out, const char *name)
{
	struct outcome	alt[MAX_OUT];
	size_t		n, m, cut, i;
	int		same = 1;

	n = drive(lim, in, len, 0, 0, out, MAX_OUT);
	m = drive(lim, in, len, 0, 1, alt, MAX_OUT);
	for (i = 0; i < n && m == n; i++)
		if (!outcome_eq(&out[i], &alt[i]))
			same = 0;
	if (m != n || !same) {
		printf("case %s: byte by byte differs\n", name);
		same = 0;
	}
	outcomes_free(alt, m);
	m = drive(lim, in, len, 0, 7, alt, MAX_OUT);
	for (i = 0; i < n && m == n; i++)
		if (!outcome_eq(&out[i], &alt[i]))
			same = 0;
	if (m != n || !same) {
		printf("case %s: pieces of 7 differ\n", name);
		same = 0;
	}
	outcomes_free(alt, m);
	for (cut = 1; cut < len && same; cut++) {
		m = drive(lim, in, len, cut, 0, alt, MAX_OUT);
		for (i = 0; i < n && m == n; i++)
			if (!outcome_eq(&out[i], &alt[i]))
				same = 0;
		if (m != n || !same)
			printf("case %s: cut at %zu differs\n", name, cut);
		outcomes_free(alt, m);
	}
	CHECK(same);
	return n;
}

/* --- request cases ------------------------------------------------------ */

#define H11	" HTTP/1.1\r\nHost: h.example\r\n"
#define GET	"GET /" H11 "\r\n"

struct req_case {
	const char	*name;
	const char	*in;
	int		 status;	/* 0: accepted (BODY_DONE) */
	const char	*path;		/* accepted: the decoded path */
	const char	*body;		/* accepted: the body or NULL */
	size_t		 len;		/* 0: strlen(in) */
};

/* An accepted request, a refused one, a refused one holding a NUL. */
#define OK(name, in, path, body)	{ name, in, 0, path, body, 0 }
#define ERR(name, in, status)		{ name, in, status, NULL, NULL, 0 }
#define ERRN(name, in, status, len)	{ name, in, status, NULL, NULL, len }

#define NUL_VALUE	"GET /" H11 "X-A: b\0c\r\n\r\n"
#define NUL_EXT		"POST /" H11 "Transfer-Encoding: chunked\r\n" \
			"\r\n5;a\0\r\nhello\r\n0\r\n\r\n"

static const struct req_case req_cases[] = {
	/* accepted */
	OK("get", GET, "/", NULL),
	OK("head", "HEAD /x" H11 "\r\n", "/x", NULL),
	OK("post cl", "POST /report" H11 "Content-Length: 5\r\n\r\nhello",
	    "/report", "hello"),
	OK("put", "PUT /a" H11 "Content-Length: 1\r\n\r\nx", "/a", "x"),
	OK("patch", "PATCH /api/v1/incidents/IN-1" H11
	    "Content-Length: 2\r\n\r\n{}", "/api/v1/incidents/IN-1", "{}"),
	OK("delete", "DELETE /api/v1/incidents/IN-1/claim" H11 "\r\n",
	    "/api/v1/incidents/IN-1/claim", NULL),
	OK("options star", "OPTIONS *" H11 "\r\n", "*", NULL),
	OK("options path", "OPTIONS /" H11 "\r\n", "/", NULL),
	OK("http/1.0 no host", "GET / HTTP/1.0\r\n\r\n", "/", NULL),
	OK("cl zero", "POST /" H11 "Content-Length: 0\r\n\r\n", "/", NULL),
	OK("cl leading zeros", "POST /" H11 "Content-Length: 003\r\n\r\nabc",
	    "/", "abc"),
	OK("cl ows", "POST /" H11 "Content-Length: \t3 \t\r\n\r\nabc", "/",
	    "abc"),
	OK("get with body", "GET /" H11 "Content-Length: 2\r\n\r\nab", "/",
	    "ab"),
	OK("empty lines before", "\r\n\r\n" GET, "/", NULL),
	OK("8 empty lines", "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n" GET, "/", NULL),
	OK("empty value", "GET /" H11 "X-Empty:\r\nX-Blank: \t \r\n\r\n", "/",
	    NULL),
	OK("obs-text value", "GET /" H11 "X-Name: Nguy\xe1\xbb\x85n\r\n\r\n",
	    "/", NULL),
	OK("expect", "POST /" H11 "Expect: 100-continue\r\n"
	    "Content-Length: 1\r\n\r\nz", "/", "z"),
	/* chunked */
	OK("chunked", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	    "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "/", "hello world"),
	OK("chunked case", "POST /" H11 "transfer-encoding: Chunked\r\n\r\n"
	    "1\r\na\r\n0\r\n\r\n", "/", "a"),
	OK("chunked hex", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	    "A\r\n0123456789\r\n0a\r\nabcdefghij\r\n0000\r\n\r\n", "/",
	    "0123456789abcdefghij"),
	OK("chunked ext", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	    "3;name=value;q=\"a b\"\r\nabc\r\n2 ; x\r\nde\r\n0;last\r\n\r\n",
	    "/", "abcde"),
	OK("chunked trailers", "POST /" H11
	    "Transfer-Encoding: chunked\r\n\r\n"
	    "2\r\nab\r\n0\r\nX-Checksum: 1234\r\nX-Other: y\r\n\r\n", "/",
	    "ab"),
	OK("chunked empty", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	    "0\r\n\r\n", "/", NULL),
	OK("chunked binary", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	    "4\r\n\r\n\n\r\r\n0\r\n\r\n", "/", "\r\n\n\r"),
	OK("te ows", "POST /" H11 "Transfer-Encoding:\tchunked \r\n\r\n"
	    "0\r\n\r\n", "/", NULL),
	/* paths */
	OK("path dot", "GET /a/./b/." H11 "\r\n", "/a/b/", NULL),
	OK("path double slash", "GET //a//b///c" H11 "\r\n", "/a/b/c", NULL),
	OK("path trailing slash", "GET /a/" H11 "\r\n", "/a/", NULL),
	OK("path only dots", "GET /./." H11 "\r\n", "/", NULL),
	OK("path decoded", "GET /caf%C3%A9/a%20b" H11 "\r\n",
	    "/caf\xc3\xa9/a b", NULL),
	OK("path dot encoded", "GET /a/%2e/b" H11 "\r\n", "/a/b", NULL),
	OK("path dotdot name", "GET /a/..b/c.." H11 "\r\n", "/a/..b/c..", NULL),
	OK("path plus kept", "GET /a+b" H11 "\r\n", "/a+b", NULL),
	OK("query", "GET /status/IR-1?t=abc&lang=en" H11 "\r\n",
	    "/status/IR-1", NULL),
	OK("absolute form", "GET http://h.example/x?y=1" H11 "\r\n", "/x",
	    NULL),
	OK("absolute no path", "GET HTTPS://h.example:8443" H11 "\r\n", "/",
	    NULL),
	OK("absolute query only", "GET http://h.example?q" H11 "\r\n", "/",
	    NULL),
	OK("host ipv6", "GET / HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n", "/",
	    NULL),
	OK("host empty", "GET / HTTP/1.1\r\nHost:\r\n\r\n", "/", NULL),
	/* 400: request line */
	ERR("bare lf request line", "GET / HTTP/1.1\nHost: h\r\n\r\n", 400),
	ERR("bare lf everywhere", "GET / HTTP/1.1\nHost: h\n\n", 400),
	ERR("bare cr request line", "GET / HTTP/1.1\rHost: h\r\n\r\n", 400),
	ERR("lf before request", "\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	ERR("9 empty lines", "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n" GET, 400),
	ERR("space before method", " GET" H11 "\r\n", 400),
	ERR("two spaces", "GET  /" H11 "\r\n", 400),
	ERR("tab separator", "GET\t/" H11 "\r\n", 400),
	ERR("space before version", "GET /  HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	ERR("trailing space", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400),
	ERR("no version", "GET /\r\nHost: h\r\n\r\n", 400),
	ERR("lower version", "GET / http/1.1\r\nHost: h\r\n\r\n", 400),
	ERR("short version", "GET / HTTP/1\r\nHost: h\r\n\r\n", 400),
	ERR("long version", "GET / HTTP/1.10\r\nHost: h\r\n\r\n", 400),
	ERR("method char", "GE(T /" H11 "\r\n", 400),
	ERR("empty target", "GET  HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	ERR("target fragment", "GET /a#b" H11 "\r\n", 400),
	ERR("target utf8 raw", "GET /caf\xc3\xa9" H11 "\r\n", 400),
	ERR("target ctl", "GET /a\x01" H11 "\r\n", 400),
	ERR("relative target", "GET a/b" H11 "\r\n", 400),
	ERR("star not options", "GET *" H11 "\r\n", 400),
	ERR("other scheme", "GET ftp://h.example/" H11 "\r\n", 400),
	ERR("empty authority", "GET http:///x" H11 "\r\n", 400),
	ERR("userinfo", "GET http://u@h.example/" H11 "\r\n", 400),
	/* 400: paths */
	ERR("dotdot", "GET /a/../b" H11 "\r\n", 400),
	ERR("dotdot end", "GET /a/.." H11 "\r\n", 400),
	ERR("dotdot encoded", "GET /%2e%2E/etc/passwd" H11 "\r\n", 400),
	ERR("dotdot half encoded", "GET /.%2e/x" H11 "\r\n", 400),
	ERR("encoded slash", "GET /a%2Fb" H11 "\r\n", 400),
	ERR("backslash", "GET /a\\b" H11 "\r\n", 400),
	ERR("encoded backslash", "GET /..%5c..%5cwin.ini" H11 "\r\n", 400),
	ERR("encoded nul", "GET /a%00b" H11 "\r\n", 400),
	ERR("encoded lf", "GET /a%0d%0aSet-Cookie:x" H11 "\r\n", 400),
	ERR("encoded del", "GET /a%7f" H11 "\r\n", 400),
	ERR("bad escape", "GET /a%zz" H11 "\r\n", 400),
	ERR("short escape", "GET /a%4" H11 "\r\n", 400),
	ERR("short escape query", "GET /a%4?x" H11 "\r\n", 400),
	ERR("invalid utf8", "GET /%ff%fe" H11 "\r\n", 400),
	ERR("overlong utf8", "GET /%c0%ae%c0%ae/" H11 "\r\n", 400),
	/* 400: headers */
	ERR("bare cr in value", "GET /" H11 "X-A: b\rc\r\n\r\n", 400),
	ERR("bare lf header", "GET /" H11 "X-A: b\n\r\n", 400),
	ERR("bare lf end", "GET /" H11 "\n", 400),
	ERR("bare cr end", "GET /" H11 "\r\r\n", 400),
	ERR("obs-fold", "GET /" H11 "X-A: b\r\n c\r\n\r\n", 400),
	ERR("obs-fold tab", "GET /" H11 "X-A: b\r\n\tc\r\n\r\n", 400),
	ERR("space first line", "GET / HTTP/1.1\r\n Host: h\r\n\r\n", 400),
	ERR("space before colon", "GET /" H11 "X-A : b\r\n\r\n", 400),
	ERR("tab before colon", "GET /" H11 "X-A\t: b\r\n\r\n", 400),
	ERR("no colon", "GET /" H11 "X-A b\r\n\r\n", 400),
	ERR("empty name", "GET /" H11 ": b\r\n\r\n", 400),
	ERR("name char", "GET /" H11 "X[A]: b\r\n\r\n", 400),
	ERR("name utf8", "GET /" H11 "X-\xc3\xa9: b\r\n\r\n", 400),
	ERRN("nul value", NUL_VALUE, 400, sizeof(NUL_VALUE) - 1),
	ERR("del value", "GET /" H11 "X-A: b\x7f\r\n\r\n", 400),
	ERR("ctl value", "GET /" H11 "X-A: b\x1b[0m\r\n\r\n", 400),
	ERR("no host", "GET / HTTP/1.1\r\n\r\n", 400),
	ERR("two hosts", "GET /" H11 "Host: h.example\r\n\r\n", 400),
	ERR("host space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
	ERR("host userinfo", "GET / HTTP/1.1\r\nHost: u@h\r\n\r\n", 400),
	ERR("host slash", "GET / HTTP/1.1\r\nHost: h/x\r\n\r\n", 400),
	ERR("host long port", "GET / HTTP/1.1\r\nHost: h:123456\r\n\r\n", 400),
	ERR("host port char", "GET / HTTP/1.1\r\nHost: h:8a\r\n\r\n", 400),
	ERR("host two ports", "GET / HTTP/1.1\r\nHost: h:1:2\r\n\r\n", 400),
	/* 400: framing (smuggling) */
	ERR("cl te", "POST /" H11 "Content-Length: 5\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
	ERR("te cl", "POST /" H11 "Transfer-Encoding: chunked\r\n"
	    "Content-Length: 5\r\n\r\n0\r\n\r\n", 400),
	ERR("cl cl same", "POST /" H11 "Content-Length: 1\r\n"
	    "Content-Length: 1\r\n\r\nx", 400),
	ERR("cl cl differ", "POST /" H11 "Content-Length: 1\r\n"
	    "Content-Length: 2\r\n\r\nxy", 400),
	ERR("cl list", "POST /" H11 "Content-Length: 1, 1\r\n\r\nx", 400),
	ERR("cl plus", "POST /" H11 "Content-Length: +1\r\n\r\nx", 400),
	ERR("cl minus", "POST /" H11 "Content-Length: -1\r\n\r\n", 400),
	ERR("cl hex", "POST /" H11 "Content-Length: 0x1\r\n\r\nx", 400),
	ERR("cl empty", "POST /" H11 "Content-Length:\r\n\r\n", 400),
	ERR("cl space inside", "POST /" H11 "Content-Length: 1 2\r\n\r\n", 400),
	ERR("cl space colon", "POST /" H11 "Content-Length : 1\r\n\r\nx", 400),
	ERR("te identity", "POST /" H11 "Transfer-Encoding: identity\r\n\r\n",
	    400),
	ERR("te chunked identity", "POST /" H11
	    "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400),
	ERR("te xchunked", "POST /" H11 "Transfer-Encoding: xchunked\r\n\r\n"
	    "0\r\n\r\n", 400),
	ERR("te chunkedx", "POST /" H11 "Transfer-Encoding: chunked-x\r\n\r\n"
	    "0\r\n\r\n", 400),
	ERR("te quoted", "POST /" H11 "Transfer-Encoding: \"chunked\"\r\n\r\n"
	    "0\r\n\r\n", 400),
	ERR("te param", "POST /" H11 "Transfer-Encoding: chunked;x=1\r\n\r\n"
	    "0\r\n\r\n", 400),
	ERR("te empty", "POST /" H11 "Transfer-Encoding:\r\n\r\n", 400),
	ERR("te empty element", "POST /" H11
	    "Transfer-Encoding: , chunked\r\n\r\n0\r\n\r\n", 400),
	ERR("te twice in list", "POST /" H11
	    "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400),
	ERR("te two lines", "POST /" H11 "Transfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
	ERR("te space colon", "POST /" H11
	    "Transfer-Encoding : chunked\r\n\r\n" "0\r\n\r\n", 400),
	ERR("te vertical tab", "POST /" H11 "Transfer-Encoding:\x0b" "chunked"
	    "\r\n\r\n0\r\n\r\n", 400),
	ERR("te http/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n0\r\n\r\n", 400),
	ERR("chunk size junk", "POST /" H11
	    "Transfer-Encoding: chunked\r\n\r\n" "5x\r\nhello\r\n0\r\n\r\n",
	    400),
	ERR("chunk size 0x", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	    "0x5\r\nhello\r\n0\r\n\r\n", 400),
	ERR("chunk size empty", "POST /" H11
	    "Transfer-Encoding: chunked\r\n\r\n" "\r\nhello\r\n0\r\n\r\n", 400),
	ERR("chunk size negative", "POST /" H11
	    "Transfer-Encoding: chunked\r\n" "\r\n-5\r\nhello\r\n0\r\n\r\n",
	    400),
	ERR("chunk size space", "POST /" H11
	    "Transfer-Encoding: chunked\r\n\r\n" " 5\r\nhello\r\n0\r\n\r\n",
	    400),
	ERR("chunk size trailing space", "POST /" H11
	    "Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n", 400),
	ERR("chunk size 17 digits", "POST /" H11
	    "Transfer-Encoding: chunked\r\n\r\n00000000000000001\r\nx\r\n"
	    "0\r\n\r\n", 400),
	ERR("chunk size bare lf", "POST /" H11
	    "Transfer-Encoding: chunked\r\n" "\r\n5\nhello\r\n0\r\n\r\n", 400),
	ERR("chunk size bare cr", "POST /" H11
	    "Transfer-Encoding: chunked\r\n" "\r\n5\rhello\r\n0\r\n\r\n", 400),
	ERR("chunk data long", "POST /" H11
	    "Transfer-Encoding: chunked\r\n\r\n" "5\r\nhello!\r\n0\r\n\r\n",
	    400),
	ERR("chunk data bare lf", "POST /" H11
	    "Transfer-Encoding: chunked\r\n" "\r\n5\r\nhello\n0\r\n\r\n", 400),
	ERR("chunk ext lf", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	    "5;a\nb\r\nhello\r\n0\r\n\r\n", 400),
	ERR("chunk ext cr", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	    "5;a\rb\r\nhello\r\n0\r\n\r\n", 400),
	ERRN("chunk ext nul", NUL_EXT, 400, sizeof(NUL_EXT) - 1),
	ERR("last chunk bare lf", "POST /" H11
	    "Transfer-Encoding: chunked\r\n" "\r\n0\n\n", 400),
	ERR("trailer obs-fold", "POST /" H11 "Transfer-Encoding: chunked\r\n"
	    "\r\n0\r\nX-T: a\r\n b\r\n\r\n", 400),
	ERR("trailer no colon", "POST /" H11 "Transfer-Encoding: chunked\r\n"
	    "\r\n0\r\nGET / HTTP/1.1\r\n\r\n", 400),
	ERR("trailer bare cr", "POST /" H11 "Transfer-Encoding: chunked\r\n"
	    "\r\n0\r\nX-T: a\rb\r\n\r\n", 400),
	/* 501 */
	ERR("unknown method", "FOO /" H11 "\r\n", 501),
	ERR("lower-case method", "get /" H11 "\r\n", 501),
	ERR("connect", "CONNECT h.example:443 HTTP/1.1\r\nHost: h.example\r\n"
	    "\r\n", 501),
	ERR("trace", "TRACE /" H11 "\r\n", 501),
	ERR("method 32", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA /" H11 "\r\n", 501),
	ERR("method 33", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA /" H11 "\r\n", 501),
	ERR("te gzip chunked", "POST /" H11
	    "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
	ERR("te identity chunked", "POST /" H11
	    "Transfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n", 501),
	/* 505 */
	ERR("http/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505),
	ERR("http/1.2", "GET / HTTP/1.2\r\nHost: h\r\n\r\n", 505),
	ERR("http/0.9", "GET / HTTP/0.9\r\n\r\n", 505),
	ERR("http/9.9", "GET / HTTP/9.9\r\n\r\n", 505),
	/* 413 with the default limits: Content-Length */
	ERR("cl over default", "POST /" H11
	    "Content-Length: 26214401\r\n\r\n", 413),
	ERR("cl 2^64-1", "POST /" H11
	    "Content-Length: 18446744073709551615\r\n" "\r\n", 413),
	ERR("cl huge", "POST /" H11
	    "Content-Length: 99999999999999999999999999\r\n\r\n", 413),
	ERR("chunk huge", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	    "ffffffffffffffff\r\n", 413),
	/* incomplete: -1 */
	ERR("incomplete head", "GET / HTTP/1.1\r\nHost: h\r\n", -1),
	ERR("incomplete body", "POST /" H11 "Content-Length: 5\r\n\r\nhel", -1),
	ERR("incomplete chunked", "POST /" H11
	    "Transfer-Encoding: chunked\r\n" "\r\n5\r\nhello\r\n", -1),
	ERR("incomplete trailers", "POST /" H11
	    "Transfer-Encoding: chunked\r\n" "\r\n0\r\nX: y\r\n", -1),
};

static void
test_cases(void)
{
	struct outcome	out[MAX_OUT];
	size_t		i, n;

	for (i = 0; i < sizeof(req_cases) / sizeof(req_cases[0]); i++) {
		const struct req_case *c = &req_cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		int ok;

		n = parse_all_ways(NULL, c->in, len, out, c->name);
		if (n != 1) {
			printf("case %s: %zu outcomes\n", c->name, n);
			CHECK(n == 1);
			outcomes_free(out, n);
			continue;
		}
		if (c->status == 0)
			ok = out[0].result == HTTP_PARSE_BODY_DONE &&
			    out[0].end == len && out[0].heads == 1 &&
			    strcmp(out[0].path, c->path) == 0 &&
			    strcmp(out[0].body, c->body ? c->body : "(null)") ==
			    0;
		else if (c->status == -1)
			ok = out[0].result == HTTP_PARSE_NEED_MORE &&
			    out[0].end == len;
		else
			ok = out[0].result == HTTP_PARSE_ERROR &&
			    out[0].status == c->status;
		if (!ok)
			printf("case %s: result %d status %d path \"%s\" "
			    "body \"%s\" end %zu/%zu\n", c->name,
			    out[0].result, out[0].status, out[0].path,
			    out[0].body, out[0].end, len);
		CHECK(ok);
		outcomes_free(out, n);
	}
}

/*
 * The request-smuggling classics, with the reason: each must be refused
 * for the reason it is about, not by accident of something else.
 */
static const struct {
	const char	*in;
	int		 status;
	const char	*why;
} smuggle_cases[] = {
	{ "POST /" H11 "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n0\r\n\r\n", 400, "Content-Length with Transfer-Encoding" },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n"
	    "\r\n0\r\n\r\n", 400, "Content-Length with Transfer-Encoding" },
	{ "POST /" H11 "Transfer-Encoding: chunked, identity\r\n\r\n", 400,
	    "final transfer coding is not chunked" },
	{ "POST /" H11 "Transfer-Encoding: xchunked\r\n\r\n", 400,
	    "final transfer coding is not chunked" },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: identity\r\n\r\n", 400,
	    "more than one Transfer-Encoding" },
	{ "POST /" H11 "Transfer-Encoding: gzip, chunked\r\n\r\n", 501,
	    "unsupported transfer coding" },
	{ "POST /" H11 "Transfer-Encoding: gzip, chunked, chunked\r\n\r\n",
	    400, "chunked applied twice" },
	{ "POST /" H11 "Transfer-Encoding: chunked,chunked\r\n\r\n",
	    400, "chunked applied twice" },
	{ "POST /" H11 "Transfer-Encoding : chunked\r\n\r\n", 400,
	    "whitespace before colon" },
	{ "POST /" H11 "Content-Length : 4\r\n\r\n", 400,
	    "whitespace before colon" },
	{ "POST /" H11 "Content-Length: 4\r\nContent-Length: 5\r\n\r\n",
	    400, "more than one Content-Length" },
	{ "POST /" H11 "Content-Length: 4\r\nContent-Length: 4\r\n\r\n",
	    400, "more than one Content-Length" },
	{ "POST /" H11 "Content-Length: 4, 5\r\n\r\n", 400,
	    "invalid Content-Length" },
	{ "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
	    "Transfer-Encoding in HTTP/1.0" },
	{ "GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n", 400, "bare LF" },
	{ "GET / HTTP/1.1\r\nHost: h\r\nX: y\rZ: w\r\n\r\n", 400,
	    "bare CR" },
	{ "GET / HTTP/1.1\r\nHost: h\r\nX: y\r\n z\r\n\r\n", 400,
	    "obs-fold or leading whitespace in header line" },
	{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400,
	    "more than one Host" },
	{ "GET / HTTP/1.1\r\n\r\n", 400, "no Host" },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	    "5\r\nhelloX\r\n", 400, "chunk data longer than its size" },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	    "2;\n\r\nab\r\n0\r\n\r\n", 400, "bare LF" },
};

static void
test_smuggling(void)
{
	struct outcome	out[MAX_OUT];
	size_t		i, n;

	for (i = 0; i < sizeof(smuggle_cases) / sizeof(smuggle_cases[0]);
	    i++) {
		n = parse_all_ways(NULL, smuggle_cases[i].in,
		    strlen(smuggle_cases[i].in), out, "smuggling");
		if (n != 1 || out[0].result != HTTP_PARSE_ERROR ||
		    out[0].status != smuggle_cases[i].status ||
		    strcmp(out[0].why, smuggle_cases[i].why) != 0) {
			printf("smuggling case %zu: %d \"%s\"\n", i,
			    n ? out[0].status : -1, n ? out[0].why : "");
			CHECK(0);
		} else
			CHECK(1);
		outcomes_free(out, n);
	}
}

/* --- one request, looked at closely ------------------------------------- */

static struct http_parser *
parse_one(const struct http_limits *lim, const char *in, int *r)
{
	struct http_parser	*p = http_parser_new(lim);
	size_t			 used, len = strlen(in), off = 0;

	*r = http_parse_push(p, in, len, &used);
	off += used;
	if (*r == HTTP_PARSE_HEAD_DONE) {
		*r = http_parse_push(p, in + off, len - off, &used);
		off += used;
	}
	CHECK(*r != HTTP_PARSE_BODY_DONE || off == len);
	return p;
}

static void
test_request_fields(void)
{
	struct http_parser		*p;
	const struct http_request	*r;
	int				 rc;

	p = parse_one(NULL, "POST /api/v1/reports?x=1&y=%20 HTTP/1.1\r\n"
	    "Host: cert.example:8443\r\n"
	    "content-type:   application/json  \r\n"
	    "Authorization: Bearer itk_abc\r\n"
	    "X-Dup: 1\r\nx-dup: 2\r\n"
	    "Connection: Keep-Alive\r\n"
	    "Content-Length: 7\r\n\r\n{\"a\":1}", &rc);
	CHECK(rc == HTTP_PARSE_BODY_DONE);
	r = http_parser_request(p);
	CHECK(r != NULL);
	if (r == NULL) {
		http_parser_free(p);
		return;
	}
	CHECK(r->method == HTTP_POST);
	CHECK_STR(http_method_name(r->method), "POST");
	CHECK(r->version == 11);
	CHECK_STR(r->target, "/api/v1/reports?x=1&y=%20");
	CHECK(r->target_len == strlen("/api/v1/reports?x=1&y=%20"));
	CHECK_STR(r->path, "/api/v1/reports");
	CHECK(r->path_len == 15);
	CHECK_STR(r->query, "x=1&y=%20");
	CHECK(r->query_len == 9);
	CHECK_STR(r->host, "cert.example:8443");
	CHECK(r->n_headers == 7);
	CHECK_STR(r->headers[1].name, "content-type");
	CHECK_STR(r->headers[1].value, "application/json");
	CHECK(r->headers[1].value_len == 16);
	CHECK_STR(http_header_get(r, "Content-Type"), "application/json");
	CHECK_STR(http_header_get(r, "X-DUP"), "1");
	CHECK(http_header_count(r, "x-dup") == 2);
	CHECK(http_header_count(r, "x-none") == 0);
	CHECK(http_header_get(r, "x-none") == NULL);
	CHECK(r->body_kind == HTTP_BODY_LENGTH);
	CHECK(r->content_length == 7);
	CHECK(r->conn_keep_alive && !r->conn_close);
	CHECK(http_keep_alive(r));
	CHECK(r->body_len == 7);
	CHECK_STR(r->body, "{\"a\":1}");
	CHECK(http_parser_error(p, NULL) == 0);
	http_parser_free(p);

	/* no query, "?" alone */
	p = parse_one(NULL, "GET /a" H11 "\r\n", &rc);
	r = http_parser_request(p);
	CHECK(rc == HTTP_PARSE_BODY_DONE && r->query == NULL &&
	    r->query_len == 0 && r->body == NULL && r->body_len == 0 &&
	    r->body_kind == HTTP_BODY_NONE);
	http_parser_free(p);
	p = parse_one(NULL, "GET /a?" H11 "\r\n", &rc);
	r = http_parser_request(p);
	CHECK(rc == HTTP_PARSE_BODY_DONE && r->query != NULL &&
	    r->query_len == 0 && strcmp(r->query, "") == 0);
	http_parser_free(p);

	/* absolute-form: the target's authority is the host */
	p = parse_one(NULL, "GET https://a.example/x/y?z HTTP/1.1\r\n"
	    "Host: b.example\r\n\r\n", &rc);
	r = http_parser_request(p);
	CHECK(rc == HTTP_PARSE_BODY_DONE);
	CHECK_STR(r->host, "a.example");
	CHECK_STR(r->path, "/x/y");
	CHECK_STR(r->query, "z");
	http_parser_free(p);

	/* HTTP/1.0 keeps no Host when none is sent */
	p = parse_one(NULL, "GET / HTTP/1.0\r\n\r\n", &rc);
	r = http_parser_request(p);
	CHECK(rc == HTTP_PARSE_BODY_DONE && r->host == NULL &&
	    r->version == 10);
	http_parser_free(p);

	/* Expect: 100-continue is seen at HEAD_DONE, before the body */
	{
		const char	*in = "POST /" H11 "Expect: 100-Continue\r\n"
				      "Content-Length: 3\r\n\r\nabc";
		size_t		 used;

		p = http_parser_new(NULL);
		rc = http_parse_push(p, in, strlen(in), &used);
		CHECK(rc == HTTP_PARSE_HEAD_DONE);
		CHECK(used == strlen(in) - 3);
		r = http_parser_request(p);
		CHECK(r != NULL && r->expect_continue);
		CHECK(r != NULL && r->body == NULL);
		http_parser_free(p);
	}

	/* trailers never become headers */
	p = parse_one(NULL, "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	    "1\r\nx\r\n0\r\nHost: evil.example\r\nContent-Length: 5\r\n\r\n",
	    &rc);
	r = http_parser_request(p);
	CHECK(rc == HTTP_PARSE_BODY_DONE);
	CHECK(r->n_headers == 2);
	CHECK_STR(r->host, "h.example");
	CHECK(http_header_get(r, "Content-Length") == NULL);
	CHECK(r->body_kind == HTTP_BODY_CHUNKED);
	CHECK_STR(r->body, "x");
	http_parser_free(p);
}

static void
test_keep_alive(void)
{
	static const struct {
		const char	*in;
		int		 keep;
	} cases[] = {
		{ "GET /" H11 "\r\n", 1 },
		{ "GET /" H11 "Connection: close\r\n\r\n", 0 },
		{ "GET /" H11 "Connection: CLOSE\r\n\r\n", 0 },
		{ "GET /" H11 "Connection: keep-alive, close\r\n\r\n", 0 },
		{ "GET /" H11 "Connection: te\r\nConnection: close\r\n\r\n",
		    0 },
		{ "GET /" H11 "Connection: closed\r\n\r\n", 1 },
		{ "GET /" H11 "Connection: upgrade\r\n\r\n", 1 },
		{ "GET / HTTP/1.0\r\n\r\n", 0 },
		{ "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 1 },
		{ "GET / HTTP/1.0\r\nConnection: Keep-Alive \r\n\r\n", 1 },
		{ "GET / HTTP/1.0\r\nConnection: keep-alive,close\r\n\r\n",
		    0 },
		{ "GET / HTTP/1.0\r\nConnection: keep-alives\r\n\r\n", 0 },
	};
	struct http_parser	*p;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = parse_one(NULL, cases[i].in, &rc);
		CHECK(rc == HTTP_PARSE_BODY_DONE);
		if (rc == HTTP_PARSE_BODY_DONE &&
		    http_keep_alive(http_parser_request(p)) != cases[i].keep) {
			printf("keep-alive case %zu wrong\n", i);
			CHECK(0);
		}
		http_parser_free(p);
	}
}

/* --- limits, exactly at and one past ------------------------------------ */

static char *
repeat(char c, size_t n)
{
	char	*s = malloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* Outcome status of in with lim, all ways: 0 accepted, else the status. */
static int
status_of(const struct http_limits *lim, const char *in, const char *name)
{
	struct outcome	out[MAX_OUT];
	size_t		n;
	int		st;

	n = parse_all_ways(lim, in, strlen(in), out, name);
	st = n == 0 ? -2 : out[0].result == HTTP_PARSE_BODY_DONE ? 0 :
	    out[0].result == HTTP_PARSE_NEED_MORE ? -1 : out[0].status;
	outcomes_free(out, n);
	return st;
}

static void
test_limits(void)
{
	struct http_limits	 lim = { 16, 32, 128, 4, 16 };
	struct http_limits	 many = { 16, 32, 128, 100, 16 };
	char			 buf[1024], *a;

	/* target: 16 bytes, then 17 */
	a = repeat('a', 15);
	snprintf(buf, sizeof(buf), "GET /%s" H11 "\r\n", a);
	CHECK(status_of(&lim, buf, "target at") == 0);
	snprintf(buf, sizeof(buf), "GET /%sa" H11 "\r\n", a);
	CHECK(status_of(&lim, buf, "target past") == 414);
	/* a target never ends: 414 without waiting for its end */
	snprintf(buf, sizeof(buf), "GET /%sa", a);
	CHECK(status_of(&lim, buf, "target past open") == 414);
	free(a);

	/* one header line: 32 bytes without CRLF ("X: " + 29) */
	a = repeat('v', 29);
	snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: h\r\nX: %s\r\n\r\n",
	    a);
	CHECK(status_of(&lim, buf, "line at") == 0);
	snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: h\r\nX: %sv\r\n"
	    "\r\n", a);
	CHECK(status_of(&lim, buf, "line past") == 431);
	/* trailing blanks count: they are on the line */
	snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: h\r\nX: %s \r\n"
	    "\r\n", a);
	CHECK(status_of(&lim, buf, "line past blank") == 431);
	snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: h\r\nX: %sv", a);
	CHECK(status_of(&lim, buf, "line past open") == 431);
	free(a);

	/*
	 * header section: 128 bytes after the request line, the empty line
	 * included: "Host: h" + 15 digits + CRLF (24), three lines of
	 * "A: " + 29 + CRLF (34 each), the empty line (2).
	 */
	{
		char	 host[32];
		char	*z = repeat('z', 29);

		snprintf(host, sizeof(host), "Host: h%s\r\n",
		    "123456789012345");
		snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\n%sA: %s\r\n"
		    "B: %s\r\nC: %s\r\n\r\n", host, z, z, z);
		CHECK(strlen(buf) - strlen("GET / HTTP/1.1\r\n") == 128);
		CHECK(status_of(&lim, buf, "section at") == 0);
		snprintf(host, sizeof(host), "Host: h%s\r\n",
		    "1234567890123456");
		snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\n%sA: %s\r\n"
		    "B: %s\r\nC: %s\r\n\r\n", host, z, z, z);
		CHECK(strlen(buf) - strlen("GET / HTTP/1.1\r\n") == 129);
		CHECK(status_of(&lim, buf, "section past") == 431);
		/* never ending: 431 as soon as the bound is passed */
		snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\n%sA: %s\r\n"
		    "B: %s\r\nC: %s\r\nD: %s", host, z, z, z, z);
		CHECK(status_of(&many, buf, "section past open") == 431);
		free(z);
	}

	/* number of headers: 4, then 5 */
	CHECK(status_of(&lim, "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n"
	    "C: 3\r\n\r\n", "headers at") == 0);
	CHECK(status_of(&lim, "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n"
	    "C: 3\r\nD: 4\r\n\r\n", "headers past") == 431);

	/* body by Content-Length: 16, then 17, refused before any byte */
	CHECK(status_of(&lim, "POST / HTTP/1.1\r\nHost: h\r\n"
	    "Content-Length: 16\r\n\r\n0123456789abcdef", "cl at") == 0);
	CHECK(status_of(&lim, "POST / HTTP/1.1\r\nHost: h\r\n"
	    "Content-Length: 17\r\n\r\n", "cl past") == 413);
	CHECK(status_of(&lim, "POST / HTTP/1.1\r\nHost: h\r\n"
	    "Content-Length: 00000000000017\r\n\r\n",
	    "cl past zeros") == 413);
	{
		struct http_parser *p = http_parser_new(&lim);
		const char *in = "POST / HTTP/1.1\r\nHost: h\r\n"
		    "Content-Length: 17\r\n\r\n0123";
		const char *why = NULL;
		size_t used;

		CHECK(http_parse_push(p, in, strlen(in), &used) ==
		    HTTP_PARSE_ERROR);
		CHECK(used == strlen(in) - 4);	/* not one body byte */
		CHECK(http_parser_error(p, &why) == 413);
		CHECK(why != NULL && why[0] != '\0');
		/* the head is complete: the session may log it */
		CHECK(http_parser_request(p) != NULL &&
		    http_parser_request(p)->content_length == 0);
		http_parser_free(p);
	}

	/* body by chunks: 16 in total, then 17, refused at the size line */
	CHECK(status_of(&lim, "POST / HTTP/1.1\r\nHost: h\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n8\r\n01234567\r\n"
	    "8\r\n89abcdef\r\n0\r\n\r\n", "chunks at") == 0);
	CHECK(status_of(&lim, "POST / HTTP/1.1\r\nHost: h\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n8\r\n01234567\r\n"
	    "9\r\n", "chunks past") == 413);
	CHECK(status_of(&lim, "POST / HTTP/1.1\r\nHost: h\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n11\r\n", "chunk past") == 413);

	/* chunk-size line: max_header_line (32) bytes, then 33 */
	a = repeat('e', 32 - 2);
	snprintf(buf, sizeof(buf), "POST / HTTP/1.1\r\nHost: h\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n1;%s\r\nx\r\n0\r\n\r\n", a);
	CHECK(status_of(&lim, buf, "chunk line at") == 0);
	snprintf(buf, sizeof(buf), "POST / HTTP/1.1\r\nHost: h\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n1;%se\r\nx\r\n0\r\n\r\n", a);
	CHECK(status_of(&lim, buf, "chunk line past") == 400);
	free(a);
	/*
	 * chunk extensions of the whole body: max_header_bytes (128), then
	 * 129 (';' and what follows count, the size digits do not)
	 */
	{
		char	*e29 = repeat('e', 29), *e7 = repeat('e', 7);
		char	 big[1024];

		snprintf(big, sizeof(big), "POST / HTTP/1.1\r\nHost: h\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n"
		    "1;%s\r\nx\r\n1;%s\r\nx\r\n1;%s\r\nx\r\n1;%s\r\nx\r\n"
		    "1;%s\r\nx\r\n0\r\n\r\n", e29, e29, e29, e29, e7);
		CHECK(status_of(&lim, big, "extensions at") == 0);
		snprintf(big, sizeof(big), "POST / HTTP/1.1\r\nHost: h\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n"
		    "1;%s\r\nx\r\n1;%s\r\nx\r\n1;%s\r\nx\r\n1;%s\r\nx\r\n"
		    "1;%se\r\nx\r\n0\r\n\r\n", e29, e29, e29, e29, e7);
		CHECK(status_of(&lim, big, "extensions past") == 400);
		free(e29);
		free(e7);
	}
	/* 16 hex digits are fine when the value is */
	CHECK(status_of(&lim, "POST / HTTP/1.1\r\nHost: h\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0000000000000001\r\nx\r\n"
	    "0\r\n\r\n", "chunk digits at") == 0);

	/* trailers: same per-line, section and count bounds */
	CHECK(status_of(&lim, "POST / HTTP/1.1\r\nHost: h\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\n"
	    "D: 4\r\n\r\n", "trailers at") == 0);
	CHECK(status_of(&lim, "POST / HTTP/1.1\r\nHost: h\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\n"
	    "D: 4\r\nE: 5\r\n\r\n", "trailers past") == 431);
	a = repeat('t', 30);
	snprintf(buf, sizeof(buf), "POST / HTTP/1.1\r\nHost: h\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\nT: %s\r\n\r\n", a);
	CHECK(status_of(&lim, buf, "trailer line past") == 431);
	free(a);

	/* method: 32 bytes of token is still only an unknown method */
	CHECK(status_of(&lim, "GETGETGETGETGETGETGETGETGETGETGE", "method at")
	    == -1);
	CHECK(status_of(&lim, "GETGETGETGETGETGETGETGETGETGETGET",
	    "method past") == 501);
	/* no bound on the body: a Content-Length past 2^64 still never wraps */
	{
		struct http_limits	huge = http_limits_default();

		huge.max_body = (size_t)-1;
		CHECK(status_of(&huge, "POST / HTTP/1.1\r\nHost: h\r\n"
		    "Content-Length: 18446744073709551616\r\n\r\n",
		    "cl 2^64") == 413);
		CHECK(status_of(&huge, "POST / HTTP/1.1\r\nHost: h\r\n"
		    "Content-Length: 36893488147419103232\r\n\r\n",
		    "cl 2^65") == 413);
		CHECK(status_of(&huge, "POST / HTTP/1.1\r\nHost: h\r\n"
		    "Content-Length: 1000000000000000000\r\n\r\n",
		    "cl 10^18") == -1);
	}
	/* the defaults */
	{
		struct http_limits d = http_limits_default();

		CHECK(d.max_target == HTTP_TARGET_MAX);
		CHECK(d.max_header_line == HTTP_HEADER_LINE_MAX);
		CHECK(d.max_header_bytes == HTTP_HEADER_BYTES_MAX);
		CHECK(d.max_headers == HTTP_HEADERS_MAX);
		CHECK(d.max_body == HTTP_BODY_MAX);
	}
}

/* --- pipelining, reset, ownership --------------------------------------- */

static void
test_pipelining(void)
{
	const char	*in =
	    "GET /one" H11 "\r\n"
	    "POST /two" H11 "Content-Length: 3\r\n\r\nabc"
	    "POST /three" H11 "Transfer-Encoding: chunked\r\n\r\n"
	    "2\r\nde\r\n0\r\n\r\n"
	    "\r\n"			/* a stray CRLF after a body */
	    "HEAD /four" H11 "Connection: close\r\n\r\n"
	    "GET /fi";			/* the start of one more */
	struct outcome	out[MAX_OUT];
	size_t		n;

	n = parse_all_ways(NULL, in, strlen(in), out, "pipelined");
	CHECK(n == 5);
	if (n == 5) {
		CHECK_STR(out[0].path, "/one");
		CHECK(out[0].method == HTTP_GET);
		CHECK_STR(out[1].path, "/two");
		CHECK_STR(out[1].body, "abc");
		CHECK_STR(out[2].path, "/three");
		CHECK_STR(out[2].body, "de");
		CHECK_STR(out[3].path, "/four");
		CHECK(out[3].method == HTTP_HEAD);
		CHECK(!out[3].keep_alive);
		CHECK(out[4].result == HTTP_PARSE_NEED_MORE);
		CHECK(out[4].end == strlen(in));
		CHECK(out[0].end == strlen("GET /one" H11 "\r\n"));
	}
	outcomes_free(out, n);

	/* an error in the second request leaves the first intact */
	in = "GET /ok" H11 "\r\nGET /bad HTTP/1.1\r\nHost: h\r\n X\r\n\r\n";
	n = parse_all_ways(NULL, in, strlen(in), out, "pipelined error");
	CHECK(n == 2 && out[0].result == HTTP_PARSE_BODY_DONE &&
	    out[1].result == HTTP_PARSE_ERROR && out[1].status == 400);
	outcomes_free(out, n);

	/* smuggling: a body that looks like a request stays a body */
	{
		const char	*inner = "GET /admin" H11 "\r\n";
		char		 buf[256];

		snprintf(buf, sizeof(buf), "POST /a" H11 "Content-Length: %zu"
		    "\r\n\r\n%sGET /b" H11 "\r\n", strlen(inner), inner);
		n = parse_all_ways(NULL, buf, strlen(buf), out, "body is body");
		CHECK(n == 2);
		if (n == 2) {
			CHECK_STR(out[0].body, inner);
			CHECK_STR(out[1].path, "/b");
		}
		outcomes_free(out, n);
	}
}

static void
test_reset_and_ownership(void)
{
	struct http_parser	*p = http_parser_new(NULL);
	const char		*in = "POST /x" H11
				      "Content-Length: 4\r\n\r\nbody"
				      "GET /next" H11 "\r\n";
	const char		*why;
	size_t			 used, off = 0, blen;
	char			*body;
	int			 rc;

	CHECK(http_parser_request(p) == NULL);
	CHECK(http_parser_error(p, &why) == 0 && why == NULL);
	rc = http_parse_push(p, in, strlen(in), &used);
	CHECK(rc == HTTP_PARSE_HEAD_DONE);
	off += used;
	rc = http_parse_push(p, in + off, strlen(in) - off, &used);
	CHECK(rc == HTTP_PARSE_BODY_DONE);
	off += used;
	CHECK(strncmp(in + off, "GET /next", 9) == 0);
	/* BODY_DONE again, nothing consumed, until a reset */
	rc = http_parse_push(p, in + off, strlen(in) - off, &used);
	CHECK(rc == HTTP_PARSE_BODY_DONE && used == 0);
	CHECK(http_parser_memory(p) > 4);
	body = http_parser_take_body(p, &blen);
	CHECK(body != NULL && blen == 4 && memcmp(body, "body", 5) == 0);
	CHECK(http_parser_request(p)->body == NULL);
	CHECK(http_parser_take_body(p, &blen) == NULL && blen == 0);
	http_parser_reset(p);
	free(body);		/* outlives the parser's request */
	CHECK(http_parser_request(p) == NULL);
	rc = http_parse_push(p, in + off, strlen(in) - off, &used);
	CHECK(rc == HTTP_PARSE_HEAD_DONE && used == strlen(in) - off);
	CHECK_STR(http_parser_request(p)->path, "/next");
	rc = http_parse_push(p, "", 0, &used);
	CHECK(rc == HTTP_PARSE_BODY_DONE && used == 0);

	/* errors are sticky, and reset clears them */
	http_parser_reset(p);
	rc = http_parse_push(p, "GET / HTTP/1.1\n", 15, &used);
	CHECK(rc == HTTP_PARSE_ERROR);
	CHECK(http_parser_error(p, &why) == 400);
	CHECK_STR(why, "bare LF");
	CHECK(http_parser_request(p) == NULL);
	rc = http_parse_push(p, GET, strlen(GET), &used);
	CHECK(rc == HTTP_PARSE_ERROR && used == 0);
	http_parser_reset(p);
	CHECK(http_parser_error(p, NULL) == 0);
	rc = http_parse_push(p, GET, strlen(GET), &used);
	CHECK(rc == HTTP_PARSE_HEAD_DONE);

	/* a large head's buffer is not kept across a reset */
	http_parser_reset(p);
	{
		char	*big = malloc(9000), *t = repeat('a', 8000);
		size_t	 small;

		snprintf(big, 9000, "GET /%s" H11 "\r\n", t);
		rc = http_parse_push(p, big, strlen(big), &used);
		CHECK(rc == HTTP_PARSE_HEAD_DONE);
		CHECK(http_parser_memory(p) > 8000);
		http_parser_reset(p);
		small = http_parser_memory(p);
		CHECK(small < 8000);
		free(big);
		free(t);
	}
	/* free with a body never taken (valgrind watches) */
	rc = http_parse_push(p, "POST /" H11 "Content-Length: 2\r\n\r\nab",
	    strlen("POST /" H11 "Content-Length: 2\r\n\r\nab"), &used);
	CHECK(rc == HTTP_PARSE_HEAD_DONE);
	http_parser_free(p);
	http_parser_free(NULL);
}

/* --- helpers ------------------------------------------------------------ */

static void
test_query_param(void)
{
	const char	*q = "a=1&b=x+y%21&empty=&flag&c=%zz&a=2&na%6De=v";
	char		 out[8];
	size_t		 len;

	CHECK(http_query_param(q, strlen(q), "a", out, sizeof(out), &len) ==
	    1);
	CHECK_STR(out, "1");
	CHECK(len == 1);
	CHECK(http_query_param(q, strlen(q), "b", out, sizeof(out), &len) ==
	    1);
	CHECK_STR(out, "x y!");
	CHECK(http_query_param(q, strlen(q), "empty", out, sizeof(out),
	    &len) == 1 && len == 0 && out[0] == '\0');
	CHECK(http_query_param(q, strlen(q), "flag", out, sizeof(out),
	    NULL) == 1 && out[0] == '\0');
	CHECK(http_query_param(q, strlen(q), "c", out, sizeof(out), NULL) ==
	    -1);
	CHECK(http_query_param(q, strlen(q), "name", out, sizeof(out),
	    NULL) == 1);
	CHECK_STR(out, "v");
	CHECK(http_query_param(q, strlen(q), "zz", out, sizeof(out), NULL) ==
	    0);
	CHECK(http_query_param(q, strlen(q), "", out, sizeof(out), NULL) ==
	    0);
	CHECK(http_query_param("", 0, "a", out, sizeof(out), NULL) == 0);
	/* 7 bytes fit in 8 with the NUL, 8 do not */
	CHECK(http_query_param("t=1234567", 9, "t", out, sizeof(out),
	    &len) == 1 && len == 7);
	CHECK(http_query_param("t=12345678", 10, "t", out, sizeof(out),
	    NULL) == -1);
	CHECK(http_query_param("t=%00", 5, "t", out, sizeof(out), NULL) ==
	    -1);
	/* only the given length is read */
	CHECK(http_query_param("a=1&t=2", 3, "t", out, sizeof(out), NULL) ==
	    0);
	/* lang=en from a parsed request's query */
	{
		struct http_parser *p;
		int rc;

		p = parse_one(NULL, "GET /?lang=en&t=a%2Bb" H11 "\r\n", &rc);
		CHECK(http_query_param(http_parser_request(p)->query,
		    http_parser_request(p)->query_len, "t", out, sizeof(out),
		    NULL) == 1);
		CHECK_STR(out, "a+b");
		http_parser_free(p);
	}
}

static void
test_content_type(void)
{
	struct http_content_type	ct;
	const char			*v;

	v = "multipart/form-data; boundary=----WebKitFormBoundaryx7Z";
	CHECK(http_content_type(v, strlen(v), &ct) == 0);
	CHECK_STR(ct.type, "multipart/form-data");
	CHECK_STR(ct.boundary, "----WebKitFormBoundaryx7Z");
	CHECK_STR(ct.charset, "");
	v = "Application/JSON;Charset=\"UTF-8\"";
	CHECK(http_content_type(v, strlen(v), &ct) == 0);
	CHECK_STR(ct.type, "application/json");
	CHECK_STR(ct.charset, "utf-8");
	v = "multipart/form-data ; boundary=\"a b:c\\?d\" ; x=y;;";
	CHECK(http_content_type(v, strlen(v), &ct) == 0);
	CHECK_STR(ct.boundary, "a b:c?d");
	v = "application/x-www-form-urlencoded";
	CHECK(http_content_type(v, strlen(v), &ct) == 0);
	CHECK_STR(ct.type, "application/x-www-form-urlencoded");
	/* refused */
	CHECK(http_content_type("", 0, &ct) == -1);
	CHECK(http_content_type("text", 4, &ct) == -1);
	CHECK(http_content_type("text/", 5, &ct) == -1);
	CHECK(http_content_type("/plain", 6, &ct) == -1);
	CHECK(http_content_type("text/plain/x", 12, &ct) == -1);
	CHECK(http_content_type("text /plain", 11, &ct) == -1);
	v = "text/plain; charset";
	CHECK(http_content_type(v, strlen(v), &ct) == -1);
	v = "text/plain; charset=";
	CHECK(http_content_type(v, strlen(v), &ct) == -1);
	v = "text/plain; charset = utf-8";
	CHECK(http_content_type(v, strlen(v), &ct) == -1);
	v = "text/plain; charset=utf-8; charset=latin1";
	CHECK(http_content_type(v, strlen(v), &ct) == -1);
	v = "multipart/form-data; boundary=a; boundary=b";
	CHECK(http_content_type(v, strlen(v), &ct) == -1);
	v = "multipart/form-data; boundary=\"abc";
	CHECK(http_content_type(v, strlen(v), &ct) == -1);
	v = "multipart/form-data; boundary=\"\"";
	CHECK(http_content_type(v, strlen(v), &ct) == -1);
	v = "multipart/form-data; boundary=\"ends with space \"";
	CHECK(http_content_type(v, strlen(v), &ct) == -1);
	v = "multipart/form-data; boundary=\"semi;colon\"";
	CHECK(http_content_type(v, strlen(v), &ct) == -1);
	v = "text/plain junk";
	CHECK(http_content_type(v, strlen(v), &ct) == -1);
	v = "text/plain; x=\"a\x01\"";
	CHECK(http_content_type(v, strlen(v), &ct) == -1);
	/* boundary: 70 characters, then 71 */
	{
		char	b[128];

		snprintf(b, sizeof(b), "multipart/mixed; boundary=%.70s",
		    "0123456789012345678901234567890123456789"
		    "0123456789012345678901234567890123456789");
		CHECK(http_content_type(b, strlen(b), &ct) == 0);
		CHECK(strlen(ct.boundary) == 70);
		snprintf(b, sizeof(b), "multipart/mixed; boundary=%.71s",
		    "0123456789012345678901234567890123456789"
		    "0123456789012345678901234567890123456789");
		CHECK(http_content_type(b, strlen(b), &ct) == -1);
	}
}

static void
test_accept_language(void)
{
	struct http_lang	l[4];
	const char		*v;
	size_t			n;

	v = "vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7";
	n = http_accept_language(v, strlen(v), l, 4);
	CHECK(n == 4);
	CHECK_STR(l[0].tag, "vi-vn");
	CHECK(l[0].q == 1000);
	CHECK_STR(l[1].tag, "vi");
	CHECK(l[1].q == 900);
	CHECK_STR(l[3].tag, "en");
	CHECK(l[3].q == 700);
	/* reordered by q, stable among equals; q=0 left out */
	v = "fr;q=0.5, en;Q=1, de;q=0, *;q=0.5, vi";
	n = http_accept_language(v, strlen(v), l, 4);
	CHECK(n == 4);
	CHECK_STR(l[0].tag, "en");
	CHECK_STR(l[1].tag, "vi");
	CHECK_STR(l[2].tag, "fr");
	CHECK_STR(l[3].tag, "*");
	CHECK(l[2].q == 500 && l[3].q == 500);
	/* only the best max are kept */
	v = "a;q=0.1, b;q=0.2, c;q=0.3, d;q=0.4, e;q=0.5";
	n = http_accept_language(v, strlen(v), l, 2);
	CHECK(n == 2);
	CHECK_STR(l[0].tag, "e");
	CHECK_STR(l[1].tag, "d");
	/* malformed elements are skipped, the rest kept */
	v = "en;q=2, x y, 123, toolongtag, en-;q=1, fr;level=1, "
	    "de;q=0.1234, it;q=1.001, es;q=0.001, zh-Hant-TW , ;, ,";
	n = http_accept_language(v, strlen(v), l, 4);
	CHECK(n == 2);
	CHECK_STR(l[0].tag, "zh-hant-tw");
	CHECK_STR(l[1].tag, "es");
	CHECK(l[1].q == 1);
	CHECK(http_accept_language("", 0, l, 4) == 0);
	CHECK(http_accept_language("en", 2, l, 0) == 0);
	v = "en-123";	/* digits after the first subtag */
	CHECK(http_accept_language(v, strlen(v), l, 4) == 1);
	v = "1en";
	CHECK(http_accept_language(v, strlen(v), l, 4) == 0);
}

static void
test_bearer(void)
{
	const char	*tok, *v;
	size_t		 len;

	v = "Bearer itk_abcDEF012-._~+/==";
	CHECK(http_bearer(v, strlen(v), &tok, &len) == 0);
	CHECK(len == strlen("itk_abcDEF012-._~+/==") &&
	    memcmp(tok, "itk_abcDEF012-._~+/==", len) == 0);
	v = "bearer   abc ";
	CHECK(http_bearer(v, strlen(v), &tok, &len) == 0 && len == 3);
	CHECK(http_bearer("Bearer", 6, &tok, &len) == -1);
	CHECK(http_bearer("Bearer ", 7, &tok, &len) == -1);
	CHECK(http_bearer("Bearer =", 8, &tok, &len) == -1);
	CHECK(http_bearer("Bearer a=b", 10, &tok, &len) == -1);
	CHECK(http_bearer("Bearer a b", 10, &tok, &len) == -1);
	CHECK(http_bearer("Bearer a,b", 10, &tok, &len) == -1);
	CHECK(http_bearer("Bearer\tabc", 10, &tok, &len) == -1);
	CHECK(http_bearer("Basic YTpi", 10, &tok, &len) == -1);
	CHECK(http_bearer("Bearerabc", 9, &tok, &len) == -1);
	CHECK(http_bearer("Bearer \"abc\"", 12, &tok, &len) == -1);
}

static void
test_cookies(void)
{
	struct http_cookie	c[4];
	const char		*v;
	int			n;

	v = "csrf=abc123; __Host-sid=\"q=1\";theme=dark";
	n = http_cookies(v, strlen(v), c, 4);
	CHECK(n == 3);
	if (n == 3) {
		CHECK(c[0].name_len == 4 && memcmp(c[0].name, "csrf", 4) == 0);
		CHECK(c[0].value_len == 6 &&
		    memcmp(c[0].value, "abc123", 6) == 0);
		CHECK(c[1].name_len == 10 &&
		    memcmp(c[1].name, "__Host-sid", 10) == 0);
		CHECK(c[1].value_len == 3 && memcmp(c[1].value, "q=1", 3) == 0);
		CHECK(c[2].value_len == 4);
	}
	/* skipped: no '=', bad name, bad value; empty value kept */
	v = "flag; a b=1; x=has space; y=a,b; z=; w=\"unterminated; ok=1";
	n = http_cookies(v, strlen(v), c, 4);
	CHECK(n == 2);
	if (n == 2) {
		CHECK(c[0].name_len == 1 && c[0].name[0] == 'z' &&
		    c[0].value_len == 0);
		CHECK(c[1].name_len == 2 && memcmp(c[1].name, "ok", 2) == 0);
	}
	CHECK(http_cookies("", 0, c, 4) == 0);
	v = "a=1; b=2; c=3; d=4";
	CHECK(http_cookies(v, strlen(v), c, 4) == 4);
	v = "a=1; b=2; c=3; d=4; e=5";
	CHECK(http_cookies(v, strlen(v), c, 4) == -1);
}

static void
test_format_head(void)
{
	struct http_field	h[] = {
		{ "Content-Type", "text/html; charset=utf-8" },
		{ "Strict-Transport-Security", "max-age=63072000" },
	};
	struct http_field	bad;
	char			buf[256], small[64];
	const char		*want =
	    "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n"
	    "Strict-Transport-Security: max-age=63072000\r\n"
	    "Content-Length: 42\r\n\r\n";
	int			n;

	n = http_format_head(buf, sizeof(buf), 200, h, 2, 42);
	CHECK(n == (int)strlen(want));
	CHECK_STR(buf, want);
	n = http_format_head(buf, sizeof(buf), 303, NULL, 0, 0);
	CHECK_STR(buf, "HTTP/1.1 303 See Other\r\nContent-Length: 0\r\n\r\n");
	n = http_format_head(buf, sizeof(buf), 204, NULL, 0, -1);
	CHECK_STR(buf, "HTTP/1.1 204 No Content\r\n\r\n");
	n = http_format_head(buf, sizeof(buf), 100, NULL, 0, -1);
	CHECK_STR(buf, "HTTP/1.1 100 Continue\r\n\r\n");
	n = http_format_head(buf, sizeof(buf), 299, NULL, 0, 0);
	CHECK_STR(buf, "HTTP/1.1 299 \r\nContent-Length: 0\r\n\r\n");
	/* exactly fits, one byte less does not */
	n = http_format_head(buf, sizeof(buf), 404, NULL, 0, 0);
	CHECK(n > 0);
	CHECK(http_format_head(small, (size_t)n + 1, 404, NULL, 0, 0) == n);
	CHECK(http_format_head(small, (size_t)n, 404, NULL, 0, 0) == -1);
	/* refused */
	CHECK(http_format_head(buf, sizeof(buf), 99, NULL, 0, 0) == -1);
	CHECK(http_format_head(buf, sizeof(buf), 600, NULL, 0, 0) == -1);
	CHECK(http_format_head(buf, sizeof(buf), 204, NULL, 0, 0) == -1);
	CHECK(http_format_head(buf, sizeof(buf), 101, NULL, 0, 3) == -1);
	bad = (struct http_field){ "Location", "/x\r\nSet-Cookie: a=b" };
	CHECK(http_format_head(buf, sizeof(buf), 303, &bad, 1, 0) == -1);
	bad = (struct http_field){ "Location", "/x\n" };
	CHECK(http_format_head(buf, sizeof(buf), 303, &bad, 1, 0) == -1);
	bad = (struct http_field){ "Location", "/x\ty" };	/* HTAB: ok */
	CHECK(http_format_head(buf, sizeof(buf), 303, &bad, 1, 0) > 0);
	bad = (struct http_field){ "Location", "/x\x1b" };
	CHECK(http_format_head(buf, sizeof(buf), 303, &bad, 1, 0) == -1);
	bad = (struct http_field){ "", "1" };
	CHECK(http_format_head(buf, sizeof(buf), 200, &bad, 1, 0) == -1);
	bad = (struct http_field){ "X Y", "1" };
	CHECK(http_format_head(buf, sizeof(buf), 200, &bad, 1, 0) == -1);
	bad = (struct http_field){ "X:", "1" };
	CHECK(http_format_head(buf, sizeof(buf), 200, &bad, 1, 0) == -1);
	bad = (struct http_field){ "content-length", "1" };
	CHECK(http_format_head(buf, sizeof(buf), 200, &bad, 1, -1) == -1);
	bad = (struct http_field){ "Transfer-Encoding", "chunked" };
	CHECK(http_format_head(buf, sizeof(buf), 200, &bad, 1, -1) == -1);
	/* reasons */
	CHECK_STR(http_reason(413), "Content Too Large");
	CHECK_STR(http_reason(431), "Request Header Fields Too Large");
	CHECK_STR(http_reason(505), "HTTP Version Not Supported");
	CHECK_STR(http_reason(1000), "");
}

int
main(void)
{
	test_cases();
	test_smuggling();
	test_request_fields();
	test_keep_alive();
	test_limits();
	test_pipelining();
	test_reset_and_ownership();
	test_query_param();
	test_content_type();
	test_accept_language();
	test_bearer();
	test_cookies();
	test_format_head();
	return t_done();
}
