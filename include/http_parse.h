/*
 * http_parse.h - the pure HTTP/1.1 request decoder of the HTTPS session, and
 * the small header helpers the session needs (Content-Type, Accept-Language,
 * Authorization: Bearer, Cookie, query parameters, the response head).
 *
 * The decoder is fed the bytes of a connection as they arrive and says when
 * the request line and headers are complete (HEAD_DONE) and when the whole
 * body is in (BODY_DONE), or which status to answer. It follows RFC 9112
 * strictly, because every leniency is a request-smuggling opening when
 * another HTTP hop reads the same bytes differently:
 *
 * - Lines end with CRLF only. A bare LF is refused (400), like a bare CR:
 *   RFC 9112 2.2 allows a server to accept a lone LF, and we choose not to,
 *   so that no line ever ends where another parser would not end it. The
 *   same holds inside chunked framing and trailers.
 * - Exactly one SP between method, target and version; no whitespace before
 *   the request line or between it and the first header; no obs-fold
 *   (a header line starting with SP or HTAB); no whitespace between a field
 *   name and its colon; field names are tokens; field values hold no CTL but
 *   HTAB (obs-text 0x80-0xFF is kept as received). All 400.
 * - Up to 8 empty lines (CRLF) before a request line are skipped (RFC 9112
 *   2.2), as browsers may send one after a POST body.
 * - Framing: Content-Length and Transfer-Encoding together: 400. More than
 *   one Content-Length line (even with equal values), a list, a sign or
 *   anything but digits: 400. Transfer-Encoding on more than one line, or
 *   whose last coding is not "chunked" ("xchunked", "chunked, identity"):
 *   400; any coding before the final "chunked" ("gzip, chunked"): 501, as we
 *   decode none; Transfer-Encoding in an HTTP/1.0 request: 400. A request
 *   with neither has no body.
 * - Host: missing in HTTP/1.1, on more than one line, or not
 *   uri-host [":" port]: 400. With an absolute-form target the authority
 *   of the target is the host (RFC 9112 3.2.2).
 * - Methods: GET HEAD POST PUT PATCH DELETE OPTIONS (case-sensitive); any
 *   other token: 501. Versions: HTTP/1.0 and HTTP/1.1; any other
 *   "HTTP/" DIGIT "." DIGIT: 505; anything else: 400.
 * - Targets: origin-form ("/p?q"), absolute-form ("http[s]://host/p?q"),
 *   and "*" for OPTIONS only; visible ASCII but '#'. The path is
 *   percent-decoded and normalised: empty segments ("//") and "." segments
 *   are dropped; a ".." segment, an encoded '/' or '\', a backslash, a NUL
 *   or other control character, a malformed %XX or invalid UTF-8: 400.
 * - Bounds (struct http_limits): target 414; one header line, the header
 *   section, the number of headers: 431 (trailers alike); body: 413 from
 *   Content-Length before any body byte is read, and from each chunk size
 *   before its data is read. A chunk-size line (size and extensions) is
 *   bounded by max_header_line, a chunk size by 16 hex digits, the
 *   extensions of all chunks together by max_header_bytes (all 400).
 *   Chunk extensions are ignored and trailer fields checked like header
 *   fields and dropped: neither ever reaches the request.
 *
 * Feeding and pipelining. The parser consumes only bytes of the request in
 * progress: *consumed tells how many of data[0..len) it used, and the rest
 * was not looked at. NEED_MORE always consumes everything. After HEAD_DONE
 * call http_parse_push() again with the rest (and later bytes) to read the
 * body; a request without a body gives BODY_DONE at once, consuming nothing,
 * even with len 0. After BODY_DONE the bytes data[*consumed..len) are the
 * start of the next pipelined request: the caller keeps them (with libevent:
 * evbuffer_drain() only *consumed bytes), calls http_parser_reset(), and
 * pushes them again, first. How the input is cut into pieces never changes
 * any result.
 *
 * Errors are sticky: every later push returns HTTP_PARSE_ERROR again. The
 * session answers the status (http_parser_error()) and closes the
 * connection: after a framing error nothing tells where the next request
 * would start.
 *
 * Memory. The parser owns one head buffer (grown on demand, bounded by the
 * limits: about max_target * 3 + max_header_bytes) and one body buffer
 * (grown as body bytes arrive, never from Content-Length alone, bounded by
 * max_body + 1). Every pointer in struct http_request points into them and
 * lives until http_parser_reset() or http_parser_free(), except the body
 * once taken with http_parser_take_body(). On ENOMEM a push fails with 503.
 *
 * No I/O, no libevent, no globals, nothing printed.
 */
#ifndef HTTP_PARSE_H
#define HTTP_PARSE_H

#include <stddef.h>

/* Defaults of struct http_limits (http_limits_default). */
#define HTTP_TARGET_MAX		8192		/* request-target */
#define HTTP_HEADER_LINE_MAX	8192		/* one field line */
#define HTTP_HEADER_BYTES_MAX	32768		/* header section */
#define HTTP_HEADERS_MAX	100		/* field lines */
#define HTTP_BODY_MAX		(25 << 20)	/* decoded body */

/* Fixed bounds. */
#define HTTP_METHOD_MAX		32	/* a longer token: 501 */
#define HTTP_LANG_TAG_MAX	35	/* RFC 5646 4.4.1 */
#define HTTP_MEDIA_TYPE_MAX	127	/* "type/subtype" */
#define HTTP_CHARSET_MAX	40
#define HTTP_BOUNDARY_MAX	70	/* RFC 2046 5.1.1 */

/*
 * The bounds of one parser; a request one byte past any of them is
 * refused. max_header_line counts one field line without its CRLF;
 * max_header_bytes every byte after the request line up to the end of the
 * empty line, CRLFs included; trailers are held to the same three bounds,
 * counted apart from the headers.
 */
struct http_limits {
	size_t	max_target;		/* 414 */
	size_t	max_header_line;	/* 431 */
	size_t	max_header_bytes;	/* 431 */
	size_t	max_headers;		/* 431 */
	size_t	max_body;		/* 413: decoded body bytes */
};

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_PATCH,
	HTTP_DELETE,
	HTTP_OPTIONS
};

enum http_body {
	HTTP_BODY_NONE,		/* neither header */
	HTTP_BODY_LENGTH,	/* Content-Length: content_length */
	HTTP_BODY_CHUNKED	/* Transfer-Encoding: chunked */
};

/*
 * A field line: name and value NUL-terminated, the value OWS-trimmed and
 * never holding NUL, CR or LF.
 */
struct http_header {
	const char	*name;		/* as received */
	size_t		 name_len;
	const char	*value;
	size_t		 value_len;
};

/*
 * A request, complete once HEAD_DONE was returned. Strings are
 * NUL-terminated and owned by the parser (see the top of this file).
 *
 * path: percent-decoded and normalised, starting with '/' (or "*").
 * query: the raw span after the first '?' of target (NUL-terminated with
 * it), NULL when there is no '?'. host: the Host value, or the authority
 * of an absolute-form target; NULL for HTTP/1.0 without Host. body: after
 * BODY_DONE, the decoded body, NUL-terminated, or NULL when empty.
 */
struct http_request {
	enum http_method	 method;
	int			 version;	/* 10 or 11 */
	const char		*target;	/* raw request-target */
	size_t			 target_len;
	const char		*path;
	size_t			 path_len;
	const char		*query;
	size_t			 query_len;
	const char		*host;
	const struct http_header *headers;	/* in the order received */
	size_t			 n_headers;
	enum http_body		 body_kind;
	unsigned long long	 content_length;	/* HTTP_BODY_LENGTH */
	int			 conn_close;	/* "Connection: close" */
	int			 conn_keep_alive;
	int			 expect_continue;	/* 100-continue */
	char			*body;
	size_t			 body_len;
};

enum http_parse_result {
	HTTP_PARSE_ERROR = -1,		/* see http_parser_error() */
	HTTP_PARSE_NEED_MORE = 0,
	HTTP_PARSE_HEAD_DONE,
	HTTP_PARSE_BODY_DONE
};

struct http_parser;

/* The default bounds (HTTP_*_MAX above). */
struct http_limits http_limits_default(void);

/*
 * A new parser with a copy of *lim (NULL: the defaults). Holds no buffer
 * until bytes come. Returns NULL (errno ENOMEM) when out of memory.
 */
struct http_parser *http_parser_new(const struct http_limits *lim);

/* Free the parser and everything it owns (not a taken body). NULL is fine. */
void http_parser_free(struct http_parser *p);

/*
 * Ready for the next request on the same connection: forgets the request,
 * its strings and its body (unless taken), any error, and keeps at most a
 * small buffer for the next head. Bytes of a pipelined request are not
 * kept here: the caller pushes them again (see the top of this file).
 */
void http_parser_reset(struct http_parser *p);

/*
 * Feed data[0..len) (len 0 is allowed). Returns NEED_MORE (all consumed),
 * HEAD_DONE, BODY_DONE, or ERROR; *consumed is always set: the bytes used,
 * those after it belong to the body (after HEAD_DONE) or to the next request
 * (after BODY_DONE). After BODY_DONE and before a reset, a push returns
 * BODY_DONE again and consumes nothing.
 */
enum http_parse_result http_parse_push(struct http_parser *p,
    const char *data, size_t len, size_t *consumed);

/*
 * The status to answer after HTTP_PARSE_ERROR (400, 413, 414, 431, 501,
 * 503 out of memory, 505), with *why (when why is not NULL) set to a short
 * static reason fit for a log line; 0 when there was no error.
 */
int http_parser_error(const struct http_parser *p, const char **why);

/*
 * The request once its head is complete (after HEAD_DONE, and also after a
 * 413 from Content-Length, whose head is complete but whose body_kind and
 * content_length are left unset); NULL before. Lives until the next reset
 * or free.
 */
const struct http_request *http_parser_request(const struct http_parser *p);

/*
 * After BODY_DONE: hand the body over. Returns it (NUL-terminated, free()
 * it) with *len set, or NULL with *len 0 when it was empty; the request's
 * body is NULL afterwards.
 */
char *http_parser_take_body(struct http_parser *p, size_t *len);

/* Bytes the parser holds now (buffers' capacity), for a memory budget. */
size_t http_parser_memory(const struct http_parser *p);

/* "GET", "POST", ... */
const char *http_method_name(enum http_method m);

/*
 * The value of the first header named name (ASCII case-insensitive), or
 * NULL. http_header_count: how many lines have that name.
 */
const char *http_header_get(const struct http_request *r, const char *name);
size_t http_header_count(const struct http_request *r, const char *name);

/*
 * Whether the connection may stay open after the response: HTTP/1.1 unless
 * "Connection: close"; HTTP/1.0 only with "Connection: keep-alive" (and no
 * "close"). The session still closes after any parse error.
 */
int http_keep_alive(const struct http_request *r);

/*
 * The first parameter called name (compared after decoding) in an
 * application/x-www-form-urlencoded query[0..len): '+' is a space, %XX a
 * byte. Its decoded value goes to out (NUL-terminated, *outlen bytes
 * without the NUL when outlen is not NULL). Returns 1 when found, 0 when
 * not, -1 when its value has a malformed escape, a NUL, or does not fit in
 * outsize bytes with its NUL. Malformed pairs with other names are skipped.
 */
int http_query_param(const char *query, size_t len, const char *name,
    char *out, size_t outsize, size_t *outlen);

/*
 * A Content-Type value (RFC 9110 8.3): type "multipart/form-data" in
 * lower case; charset in lower case, boundary unquoted as sent, each ""
 * when absent.
 */
struct http_content_type {
	char	type[HTTP_MEDIA_TYPE_MAX + 1];
	char	charset[HTTP_CHARSET_MAX + 1];
	char	boundary[HTTP_BOUNDARY_MAX + 1];
};

/*
 * Parse a Content-Type value v[0..len): type "/" subtype, then parameters
 * (token "=" token / quoted-string). Other parameters are checked and
 * ignored. Returns 0, or -1 on a syntax error, an overlong part, a charset
 * or boundary given twice, or a boundary that RFC 2046 does not allow.
 */
int http_content_type(const char *v, size_t len, struct http_content_type *out);

/*
 * An RFC 9110 12.4.2 qvalue ("0", "0.5", "1.000") s[0..len) in
 * thousandths, or -1 when malformed.
 */
int http_qvalue(const char *s, size_t len);

struct http_lang {
	char		tag[HTTP_LANG_TAG_MAX + 1];	/* lower-case */
	unsigned	q;				/* 1..1000 */
};

/*
 * Parse an Accept-Language value v[0..len) into out[0..max): the ranges
 * with their q (in thousandths), highest q first, the order received among
 * equal q; at most max of them, the highest. Ranges with q=0 (not
 * acceptable) and malformed elements are left out: the header is only
 * advice. Returns how many were stored.
 */
size_t http_accept_language(const char *v, size_t len, struct http_lang *out,
    size_t max);

/*
 * Parse an Authorization value v[0..len) as "Bearer" (any case), one or
 * more SP, and a token68 (RFC 9110 11.2; RFC 6750 2.1). Returns 0 with
 * *tok and *toklen pointing into v, or -1 (other scheme, bad syntax).
 */
int http_bearer(const char *v, size_t len, const char **tok, size_t *toklen);

struct http_cookie {
	const char	*name;		/* span into the header value */
	size_t		 name_len;
	const char	*value;		/* span, unquoted */
	size_t		 value_len;
};

/*
 * Split a Cookie value v[0..len) ("a=1; b=2", RFC 6265 4.2.1) into out,
 * in the order received (the same name may come more than once: the first
 * is the most specific). Pairs whose name is not a token or whose value
 * holds bytes a cookie-value may not hold are skipped. Returns how many
 * were stored, or -1 when there are more than max.
 */
int http_cookies(const char *v, size_t len, struct http_cookie *out,
    size_t max);

/* The reason phrase of a status ("Not Found"), "" when unknown. */
const char *http_reason(int status);

/* One header of a response: two NUL-terminated strings. */
struct http_field {
	const char	*name;
	const char	*value;
};

/*
 * Write a response head into buf[0..size): "HTTP/1.1 <status> <reason>",
 * the headers h[0..n), then "Content-Length: <content_length>" when
 * content_length >= 0, then the empty line; NUL-terminated. Returns the
 * length without the NUL, or -1 when it does not fit, the status is not
 * 100-599, a name is not a token, a value holds a CR, LF or other control
 * character but HTAB (no response splitting), h has its own Content-Length
 * or Transfer-Encoding, or a Content-Length is asked for a 1xx or 204
 * response.
 */
int http_format_head(char *buf, size_t size, int status,
    const struct http_field *h, size_t n, long long content_length);

#endif
