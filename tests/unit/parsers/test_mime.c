/*
 * test_mime.c - the e-mail parser on hand-made messages: headers and
 * RFC 2047, parameters and RFC 2231, the MIME tree, transfer decodings,
 * charsets, HTML, limits and broken input, addresses and dates.
 *
 * Messages are written with "\n"; msg_crlf() makes the CRLF form, and most
 * cases run in both. Legacy-charset bodies are produced with iconv from
 * UTF-8 literals.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "charset.h"
#include "mime.h"
#include "t.h"

/*
 * Allocation failure injection: this program's malloc, calloc and realloc
 * (which take the place of libc's for the whole process) fail once, at the
 * t_fail_after-th call. Not under ASan, whose allocator cannot be replaced.
 */
#ifndef __has_feature
#define __has_feature(x)	0
#endif
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
#define T_FAILMALLOC	0
#else
#define T_FAILMALLOC	1

void	*__libc_malloc(size_t);
void	*__libc_calloc(size_t, size_t);
void	*__libc_realloc(void *, size_t);
void	 __libc_free(void *);

static long	t_fail_after = -1;	/* -1: never fail */
static long	t_fails;		/* failures injected */

static int
t_fail_now(void)
{
	if (t_fail_after < 0 || t_fail_after-- > 0)
		return 0;
	t_fails++;
	errno = ENOMEM;
	return 1;
}

void *
malloc(size_t n)
{
	return t_fail_now() ? NULL : __libc_malloc(n);
}

void *
calloc(size_t n, size_t sz)
{
	return t_fail_now() ? NULL : __libc_calloc(n, sz);
}

void *
realloc(void *p, size_t n)
{
	return t_fail_now() ? NULL : __libc_realloc(p, n);
}

void
free(void *p)
{
	__libc_free(p);
}
#endif

/* A parsed message and the buffer it borrows from. */
struct pm {
	char			*buf;
	size_t			 len;
	struct mime_message	*m;
};

static struct pm
parse_lim(const char *s, size_t len, int crlf, const struct mime_limits *lim)
{
	struct pm		 pm;
	struct mime_error	 err;
	size_t			 i, n = 0;

	pm.buf = malloc(len * 2 + 1);
	for (i = 0; pm.buf != NULL && i < len; i++) {
		if (crlf && s[i] == '\n')
			pm.buf[n++] = '\r';
		pm.buf[n++] = s[i];
	}
	pm.len = n;
	pm.m = NULL;
	if (pm.buf == NULL || mime_parse(pm.buf, n, lim, &pm.m, &err) == -1)
		printf("FAIL parse: %s\n", pm.buf ? err.reason : "malloc");
	return pm;
}

static struct pm
parse(const char *s, int crlf)
{
	return parse_lim(s, strlen(s), crlf, NULL);
}

static void
pm_free(struct pm *pm)
{
	mime_free(pm->m);
	free(pm->buf);
	pm->m = NULL;
	pm->buf = NULL;
}

/* The n-th part in depth-first order (0 = root), or NULL. */
static const struct mime_part *
nth(const struct mime_message *m, int n)
{
	const struct mime_part	*p;

	for (p = m ? m->root : NULL; p != NULL && n > 0; n--)
		p = mime_next(p);
	return p;
}

/* UTF-8 literal -> bytes in charset cs (malloc'd), via iconv. */
static char *
encode(const char *cs, const char *utf8, size_t *n)
{
	iconv_t	 cd;
	char	*in = (char *)(uintptr_t)utf8, *out, *o;
	size_t	 il = strlen(utf8), ol = il * 4 + 16;

	if ((cd = iconv_open(cs, "UTF-8")) == (iconv_t)-1)
		return NULL;
	if ((o = out = malloc(ol + 1)) != NULL &&
	    (iconv(cd, &in, &il, &o, &ol) == (size_t)-1 ||
	    iconv(cd, NULL, NULL, &o, &ol) == (size_t)-1)) {
		free(out);
		out = NULL;
	}
	iconv_close(cd);
	if (out != NULL) {
		*n = (size_t)(o - out);
		out[*n] = '\0';
	}
	return out;
}

static const char hdr_msg[] =
    "Return-Path: <bounce@example.net>\n"
    "Received: from a.example.net by b.example.net; Tue, 7 Apr 2026 10:00:03 +0700\n"
    "Received: from c.example.net\n"
    "\tby a.example.net; Tue, 7 Apr 2026 10:00:02 +0700\n"
    "From: =?utf-8?B?VHLhuqduIFbEg24gQQ==?= <Reporter@Example.COM>\n"
    "Subject: =?utf-8?Q?S=E1=BB=B1_c=E1=BB=91?=\n"
    " =?utf-8?Q?_m=E1=BA=A1ng?= report\n"
    "To: \"Nguyen, B\" <b@example.vn>, c@example.vn\n"
    "X-Long: first part\n"
    "\tsecond part\n"
    "    third part   \n"
    "X-Latin: =?ISO-8859-1?Q?caf=E9?= au lait\n"
    "X-Win: =?windows-1258?Q?S=FD=F2_c=F4=EC?=\n"
    "X-Split: =?utf-8?B?4bs=?= =?utf-8?B?sQ==?=\n"
    "X-Bad: =?utf-8?X?abc?= and =?utf-8?Q?unterminated\n"
    "X-Mixed: =?utf-8?Q?a?= b =?utf-8?Q?c?=\n"
    "X-Two: =?iso-8859-1?q?=E9?= =?utf-8?q?=C3=A9?=\n"
    "X-Unknown-Cs: =?x-nonsense?Q?caf=C3=A9?=\n"
    "Subject : obsolete spacing\n"
    "X-Empty:\n"
    "X-Next-Line:\n"
    "   on the next line\n"
    "Date: Tue, 07 Apr 2026 10:00:01 +0700\n"
    "\n"
    "Body line.\n";

static void
test_headers(int crlf)
{
	struct pm			 pm = parse(hdr_msg, crlf);
	const struct mime_part		*r;
	const struct mime_header	*h;
	int				 n;
	char				 a[128];
	time_t				 t;

	if (pm.m == NULL)
		return;
	r = pm.m->root;
	CHECK(r->n_headers == 18);
	CHECK_STR(mime_header_get(r, "from"),
	    "Tr\xE1\xBA\xA7n V\xC4\x83n A <Reporter@Example.COM>");
	CHECK_STR(mime_header_get(r, "SUBJECT"),
	    "S\xE1\xBB\xB1 c\xE1\xBB\x91 m\xE1\xBA\xA1ng report");
	CHECK_STR(mime_header_get(r, "X-Long"),
	    "first part second part    third part");
	CHECK_STR(mime_header_get(r, "X-Latin"), "caf\xC3\xA9 au lait");
	CHECK_STR(mime_header_get(r, "X-Win"), "S\xE1\xBB\xB1 c\xE1\xBB\x91");
	CHECK_STR(mime_header_get(r, "X-Split"), "\xE1\xBB\xB1");
	CHECK_STR(mime_header_get(r, "X-Bad"),
	    "=?utf-8?X?abc?= and =?utf-8?Q?unterminated");
	CHECK_STR(mime_header_get(r, "X-Mixed"), "a b c");
	CHECK_STR(mime_header_get(r, "X-Two"), "\xC3\xA9\xC3\xA9");
	CHECK_STR(mime_header_get(r, "X-Unknown-Cs"), "caf\xC3\xA9");
	CHECK(r->flags & MIME_F_BAD_CHARSET);
	CHECK_STR(mime_header_get(r, "X-Empty"), "");
	CHECK_STR(mime_header_get(r, "X-Next-Line"), "on the next line");
	CHECK(mime_header_get(r, "X-Absent") == NULL);
	/* raw keeps the folding; names as written */
	h = mime_header_next(r, "x-long", NULL);
	CHECK(h != NULL && strcmp(h->name, "X-Long") == 0);
	CHECK(h != NULL && memchr(h->raw, '\n', h->raw_len) != NULL);
	/* both Subjects, in order; every Received, top first */
	h = mime_header_next(r, "Subject", NULL);
	h = h ? mime_header_next(r, "Subject", h) : NULL;
	CHECK(h != NULL && strcmp(h->value, "obsolete spacing") == 0);
	for (n = 0, h = NULL; (h = mime_header_next(r, "received", h)); n++)
		if (n == 1)
			CHECK_STR(h->value, "from c.example.net by "
			    "a.example.net; Tue, 7 Apr 2026 10:00:02 +0700");
	CHECK(n == 2);
	for (n = 0, h = NULL; (h = mime_header_next(r, NULL, h)); n++)
		;
	CHECK(n == 18);
	/* the helpers on real header values */
	h = mime_header_next(r, "From", NULL);
	CHECK(h && mime_addr_spec(h->raw, h->raw_len, a, sizeof(a)) == 0);
	CHECK_STR(a, "Reporter@example.com");
	h = mime_header_next(r, "To", NULL);
	CHECK(h && mime_addr_spec(h->value, strlen(h->value), a,
	    sizeof(a)) == 0);
	CHECK_STR(a, "b@example.vn");
	CHECK(mime_parse_date(mime_header_get(r, "Date"), &t) == 0);
	CHECK(t == 1775530801);
	CHECK_STR(pm.m->root->text, "Body line.\n");
	CHECK(r->header_raw == pm.buf);
	CHECK(r->body_raw + r->body_raw_len == pm.buf + pm.len);
	pm_free(&pm);
}

static void
test_header_decode(void)
{
	char	*s = NULL;

	CHECK(mime_header_decode("  plain  ", 9, &s) == 0);
	CHECK_STR(s, "plain");
	free(s);
	CHECK(mime_header_decode("a\r\n b\n\tc", 8, &s) == 0);
	CHECK_STR(s, "a b c");
	free(s);
	CHECK(mime_header_decode("=?UTF-8?b?U+G7sSBj4buRIG3huqFuZw==?=", 36,
	    &s) == 0);
	CHECK_STR(s, "S\xE1\xBB\xB1 c\xE1\xBB\x91 m\xE1\xBA\xA1ng");
	free(s);
	/* encoded newline and NUL do not survive into a header value */
	CHECK(mime_header_decode("=?utf-8?Q?a=0D=0Ab=00c?=", 24, &s) == 0);
	CHECK_STR(s, "a  b\xEF\xBF\xBD" "c");
	free(s);
	/* RFC 2231 language in an encoded word; glued to text */
	CHECK(mime_header_decode("x=?utf-8*vi?Q?=E1=BB=B1?=y", 26, &s) == 0);
	CHECK_STR(s, "x\xE1\xBB\xB1y");
	free(s);
	/* raw 8-bit: UTF-8 kept, anything else read as windows-1252 */
	CHECK(mime_header_decode("S\xE1\xBB\xB1 \x93q\x94", 9, &s) == 0);
	CHECK(s != NULL && strncmp(s, "S", 1) == 0);
	free(s);
	CHECK(mime_header_decode("caf\xE9", 4, &s) == 0);
	CHECK_STR(s, "caf\xC3\xA9");
	free(s);
	CHECK(mime_header_decode("", 0, &s) == 0);
	CHECK_STR(s, "");
	free(s);
	CHECK(mime_header_decode("=?", 2, &s) == 0);
	CHECK_STR(s, "=?");
	free(s);
}

/*
 * Values built so that every '=' starts what looks like an encoded word
 * whose end never comes: the search must stay linear (a quadratic one
 * takes minutes on 1 MB; the bound leaves room for valgrind).
 */
static void
test_header_worst_case(void)
{
	static const char unit[] = "=?a?q?x";
	size_t		 n = 1024 * 1024, i;
	char		*v = malloc(n), *s = NULL, a[64];
	clock_t		 t0;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		v[i] = unit[i % 7];
	t0 = clock();
	CHECK(mime_header_decode(v, n, &s) == 0);
	CHECK(s != NULL && strlen(s) == n && memcmp(s, v, n) == 0);
	free(s);
	CHECK(mime_addr_spec(v, n, a, sizeof(a)) == -1);
	CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 20);
	free(v);
}

static const char param_msg[] =
    "Content-Type: multipart/mixed; boundary=\"==b 1==\"\n"
    "\n"
    "--==b 1==\n"
    "Content-Type: application/pdf;\n"
    "  name=\"=?utf-8?B?YsOhbyBjw6FvLnBkZg==?=\"\n"
    "Content-Disposition: attachment;\n"
    "  filename*0*=utf-8''b%C3%A1o%20c;\n"
    "  filename*1*=%C3%A1o;\n"
    "  filename*2=\".pdf\"; size=3\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "JVBE\n"
    "--==b 1==\n"
    "Content-Type: TEXT/Plain; CHARSET=\"ISO-8859-1\"; format=flowed;\n"
    " name*=iso-8859-1'fr'caf%E9.txt; name=\"ignored\"\n"
    "Content-Disposition: INLINE; filename=\"a\\\"b.txt\" (comment)\n"
    "\n"
    "caf\xE9\n"
    "--==b 1==\n"
    "Content-Type: text/plain; charset=utf-8 (comment); x=\"a;b\"\n"
    "\n"
    "x\n"
    "--==b 1==--\n";

static void
test_params(int crlf)
{
	struct pm		 pm = parse(param_msg, crlf);
	const struct mime_part	*p;

	if (pm.m == NULL)
		return;
	CHECK(pm.m->root->n_children == 3);
	CHECK_STR(pm.m->root->boundary, "==b 1==");
	p = nth(pm.m, 1);
	CHECK(p != NULL && strcmp(p->type, "application") == 0);
	CHECK_STR(p ? p->filename : NULL, "b\xC3\xA1o c\xC3\xA1o.pdf");
	CHECK_STR(p ? mime_param(p, "name") : NULL,
	    "b\xC3\xA1o c\xC3\xA1o.pdf");
	CHECK_STR(p ? p->disposition : NULL, "attachment");
	CHECK_STR(p ? mime_disp_param(p, "SIZE") : NULL, "3");
	CHECK(p && p->cte == MIME_CTE_BASE64 && p->body_len == 3 &&
	    memcmp(p->body, "%PD", 3) == 0);
	CHECK(p && p->text == NULL);
	p = nth(pm.m, 2);
	CHECK(p && strcmp(p->type, "text") == 0 &&
	    strcmp(p->subtype, "plain") == 0);
	CHECK_STR(p ? p->charset : NULL, "iso-8859-1");
	CHECK_STR(p ? mime_param(p, "name") : NULL, "caf\xC3\xA9.txt");
	CHECK_STR(p ? mime_param(p, "format") : NULL, "flowed");
	CHECK_STR(p ? p->disposition : NULL, "inline");
	CHECK_STR(p ? p->filename : NULL, "a\"b.txt");
	CHECK_STR(p ? p->text : NULL, "caf\xC3\xA9");
	p = nth(pm.m, 3);
	CHECK_STR(p ? p->charset : NULL, "utf-8");
	CHECK_STR(p ? mime_param(p, "x") : NULL, "a;b");
	CHECK(pm.m->flags == 0);
	pm_free(&pm);
}

static const char tree_msg[] =
    "From: a@example.net\n"
    "Subject: tree\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=outer\n"
    "\n"
    "Preamble mentions --outer inside a line, and boundary=outer.\n"
    " --outer with a space first is not a delimiter either.\n"
    "--outerX is not one: the boundary must end the word.\n"
    "--outer\n"
    "Content-Type: multipart/alternative; boundary=\"inner\"\n"
    "\n"
    "--inner\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "B=C3=A1o c=C3=A1o s=E1=BB=B1 c=E1=BB=91: trang gi=E1=BA=A3 m=E1=BA=A1o =\n"
    "http://example.vn/a=3Db   \n"
    "d=C3=B2ng 2\n"
    "--inner\n"
    "Content-Type: text/html; charset=utf-8\n"
    "\n"
    "<p>B&aacute;o c&aacute;o</p>\n"
    "--inner--\n"
    "epilogue of inner\n"
    "--outer\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Received: from x3.example by x2.example; Mon, 6 Apr 2026 09:00:03 +0000\n"
    "Received: from x2.example by x1.example; Mon, 6 Apr 2026 09:00:02 +0000\n"
    "Received: from x1.example by x0.example; Mon, 6 Apr 2026 09:00:01 +0000\n"
    "From: Phisher <ph@bad.example>\n"
    "Subject: Forwarded phish\n"
    "Content-Type: text/plain\n"
    "\n"
    "Click http://bad.example/login\n"
    "--outer\n"
    "Content-Type: application/octet-stream\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "AAEC\n"
    "AwQF\n"
    "--outer--\n"
    "epilogue\n";

static void
test_tree(int crlf)
{
	struct pm			 pm = parse(tree_msg, crlf);
	const struct mime_part		*p, *fw;
	const struct mime_header	*h;
	int				 n;

	if (pm.m == NULL)
		return;
	CHECK(pm.m->n_parts == 7);
	CHECK(pm.m->root->n_children == 3);
	CHECK(pm.m->flags == 0);
	p = nth(pm.m, 1);
	CHECK(p && strcmp(p->subtype, "alternative") == 0 &&
	    p->n_children == 2 && p->depth == 1 && p->index == 0);
	p = nth(pm.m, 2);
	CHECK(p && p->depth == 2 && p->cte == MIME_CTE_QP);
	CHECK_STR(p ? p->text : NULL, "B\xC3\xA1o c\xC3\xA1o s\xE1\xBB\xB1 "
	    "c\xE1\xBB\x91: trang gi\xE1\xBA\xA3 m\xE1\xBA\xA1o "
	    "http://example.vn/a=b\nd\xC3\xB2ng 2");
	p = nth(pm.m, 3);
	CHECK_STR(p ? p->text : NULL, "B\xC3\xA1o c\xC3\xA1o");
	fw = nth(pm.m, 4);
	CHECK(fw && strcmp(fw->type, "message") == 0 && fw->n_children == 1);
	p = nth(pm.m, 5);
	CHECK(p && p->parent == fw && p->depth == 2);
	CHECK_STR(p ? mime_header_get(p, "Subject") : NULL, "Forwarded phish");
	for (n = 0, h = NULL; p && (h = mime_header_next(p, "Received", h));
	    n++)
		CHECK(h->value[6] == (char)('3' - n));
	CHECK(n == 3);
	CHECK_STR(p ? p->text : NULL, "Click http://bad.example/login");
	p = nth(pm.m, 6);
	CHECK(p && p->body_len == 6 && memcmp(p->body, "\0\1\2\3\4\5", 6) == 0);
	CHECK(p && p->index == 2 && p->parent == pm.m->root);
	CHECK(nth(pm.m, 7) == NULL);
	CHECK(mime_find(pm.m, "message", "rfc822") == fw);
	CHECK(mime_find(pm.m, "text", NULL) == nth(pm.m, 2));
	CHECK(mime_find(pm.m, "image", NULL) == NULL);
	pm_free(&pm);
}

static int
count_cb(const struct mime_part *p, void *arg)
{
	(*(int *)arg)++;
	return strcmp(p->subtype, "html") == 0 ? 7 : 0;
}

static void
test_walk(void)
{
	struct pm	 pm = parse(tree_msg, 0);
	int		 n = 0;

	if (pm.m == NULL)
		return;
	CHECK(mime_walk(pm.m, count_cb, &n) == 7);
	CHECK(n == 4);
	pm_free(&pm);
}

static void
test_broken_structure(void)
{
	struct pm		 pm;
	const struct mime_part	*p;

	/* missing final boundary: the last part runs to the end */
	pm = parse("Content-Type: multipart/mixed; boundary=b\n\n"
	    "--b\n\nfirst\n--b\nContent-Type: text/plain\n\nsecond\nstill\n", 1);
	CHECK(pm.m && pm.m->root->n_children == 2);
	CHECK(pm.m && (pm.m->root->flags & MIME_F_MISSING_BOUNDARY));
	CHECK_STR(pm.m ? nth(pm.m, 1)->text : NULL, "first");
	CHECK_STR(pm.m ? nth(pm.m, 2)->text : NULL, "second\nstill\n");
	pm_free(&pm);
	/* no boundary parameter: a leaf whose text is kept */
	pm = parse("Content-Type: multipart/mixed\n\n--x\n\nhello\n", 0);
	CHECK(pm.m && pm.m->root->n_children == 0);
	CHECK(pm.m && (pm.m->flags & MIME_F_MISSING_BOUNDARY));
	CHECK_STR(pm.m ? pm.m->root->text : NULL, "--x\n\nhello\n");
	pm_free(&pm);
	/* boundary never used */
	pm = parse("Content-Type: multipart/mixed; boundary=zz\n\nhello\n", 0);
	CHECK(pm.m && pm.m->root->n_children == 0 &&
	    (pm.m->flags & MIME_F_MISSING_BOUNDARY));
	pm_free(&pm);
	/* missing blank line: all headers, empty body */
	pm = parse("From: a@b.example\nSubject: x", 1);
	CHECK(pm.m && pm.m->root->n_headers == 2 &&
	    pm.m->root->body_raw_len == 0);
	CHECK(pm.m && (pm.m->flags & MIME_F_NO_SEPARATOR));
	pm_free(&pm);
	/* a line without a colon is skipped */
	pm = parse("From: a@b.example\nthis is no header\nSubject: s\n\nb\n", 0);
	CHECK(pm.m && pm.m->root->n_headers == 2);
	CHECK(pm.m && (pm.m->flags & MIME_F_BAD_HEADER));
	CHECK_STR(pm.m ? mime_header_get(pm.m->root, "subject") : NULL, "s");
	pm_free(&pm);
	/* a part that starts with text has no headers */
	pm = parse("Content-Type: multipart/mixed; boundary=b\n\n"
	    "--b\nJust text, no header.\n--b--\n", 1);
	CHECK(pm.m && pm.m->root->n_children == 1);
	p = pm.m ? nth(pm.m, 1) : NULL;
	CHECK(p && p->n_headers == 0);
	CHECK_STR(p ? p->text : NULL, "Just text, no header.");
	pm_free(&pm);
	/* empty body, empty parts, an mbox From line */
	pm = parse("From someone@example Tue Apr  7 10:00:00 2026\n"
	    "Subject: empty\n\n", 0);
	CHECK(pm.m && pm.m->root->n_headers == 1 && pm.m->flags == 0);
	CHECK(pm.m && pm.m->root->body_len == 0);
	CHECK_STR(pm.m ? pm.m->root->text : NULL, "");
	pm_free(&pm);
	pm = parse("Content-Type: multipart/mixed; boundary=b\n\n"
	    "--b\n--b\n\n--b--\n", 0);
	CHECK(pm.m && pm.m->root->n_children == 2);
	pm_free(&pm);
	/* unknown transfer encoding and content type */
	pm = parse("Content-Type: garbage\nContent-Transfer-Encoding: x-uue\n"
	    "\nbody\n", 0);
	CHECK(pm.m && (pm.m->flags & MIME_F_BAD_ENCODING) &&
	    (pm.m->flags & MIME_F_BAD_CONTENT_TYPE));
	CHECK(pm.m && strcmp(pm.m->root->type, "text") == 0 &&
	    pm.m->root->cte == MIME_CTE_UNKNOWN);
	CHECK_STR(pm.m ? pm.m->root->text : NULL, "body\n");
	pm_free(&pm);
	/* multipart/digest: parts default to message/rfc822 */
	pm = parse("Content-Type: multipart/digest; boundary=d\n\n--d\n\n"
	    "Subject: one\n\nbody one\n--d--\n", 0);
	p = pm.m ? nth(pm.m, 1) : NULL;
	CHECK(p && strcmp(p->type, "message") == 0 && p->n_children == 1);
	CHECK_STR(p ? mime_header_get(p->children[0], "subject") : NULL,
	    "one");
	pm_free(&pm);
	/* message/partial: the first fragment holds the headers; the
	 * others are text; an octet-stream named .csv is text too */
	pm = parse("Content-Type: multipart/mixed; boundary=b\n\n"
	    "--b\nContent-Type: message/partial; number=1; total=2; id=x\n\n"
	    "Subject: part one\n\nfirst half\n"
	    "--b\nContent-Type: message/partial; number=2; total=2; id=x\n\n"
	    "second half\n"
	    "--b\nContent-Type: application/octet-stream; name=\"ips.CSV\"\n\n"
	    "ip,time\n192.0.2.1,2026-04-07\n"
	    "--b\nContent-Type: application/octet-stream; name=\"a.bin\"\n\n"
	    "xx\n--b--\n", 1);
	p = pm.m ? nth(pm.m, 1) : NULL;
	CHECK(p && p->n_children == 1 && p->text == NULL);
	CHECK_STR(p ? mime_header_get(p->children[0], "subject") : NULL,
	    "part one");
	CHECK_STR(pm.m ? nth(pm.m, 3)->text : NULL, "second half");
	CHECK_STR(pm.m ? nth(pm.m, 4)->text : NULL,
	    "ip,time\n192.0.2.1,2026-04-07");
	CHECK(pm.m && nth(pm.m, 5)->text == NULL && nth(pm.m, 5)->body_len == 2);
	pm_free(&pm);
}

static void
test_bare_lf_and_nul(void)
{
	static const char m[] = "Subject: a\0b\nContent-Type: text/plain\n\n"
	    "x\0y\r\nz\rw\n";
	struct pm	 pm = parse_lim(m, sizeof(m) - 1, 0, NULL);

	if (pm.m == NULL)
		return;
	CHECK_STR(mime_header_get(pm.m->root, "Subject"),
	    "a\xEF\xBF\xBD" "b");
	CHECK(pm.m->root->body_len == 9);
	CHECK(memcmp(pm.m->root->body, "x\0y\r\nz\rw\n", 9) == 0);
	CHECK_STR(pm.m->root->text, "x\xEF\xBF\xBDy\nz\nw\n");
	CHECK(pm.m->flags & MIME_F_BAD_TEXT);
	pm_free(&pm);
}

static void
test_base64(void)
{
	struct pm	 pm;
	char		 out[64];
	unsigned	 fl;
	size_t		 n;

	fl = 0;
	n = mime_base64_decode("SGVs bG8s\r\nIHdv cmxk", 20, out, sizeof(out),
	    &fl);
	CHECK(n == 12 && memcmp(out, "Hello, world", 12) == 0 && fl == 0);
	fl = 0;
	n = mime_base64_decode("SGVsbG8=", 8, out, sizeof(out), &fl);
	CHECK(n == 5 && memcmp(out, "Hello", 5) == 0 && fl == 0);
	fl = 0;
	n = mime_base64_decode("SGVsbG8", 7, out, sizeof(out), &fl);
	CHECK(n == 5 && memcmp(out, "Hello", 5) == 0);
	CHECK(fl == MIME_F_BAD_BASE64);
	fl = 0;
	n = mime_base64_decode("SG!Vs*bG8=", 10, out, sizeof(out), &fl);
	CHECK(n == 5 && memcmp(out, "Hello", 5) == 0);
	CHECK(fl == MIME_F_BAD_BASE64);
	fl = 0;		/* two blobs glued together */
	n = mime_base64_decode("SGk=\nSGk=", 9, out, sizeof(out), &fl);
	CHECK(n == 4 && memcmp(out, "HiHi", 4) == 0 && fl == 0);
	fl = 0;
	n = mime_base64_decode("SGVsbG8=", 8, out, 3, &fl);
	CHECK(n == 3 && (fl & MIME_F_TRUNCATED));
	fl = 0;
	CHECK(mime_base64_decode("====", 4, out, sizeof(out), &fl) == 0);
	fl = 0;
	CHECK(mime_base64_decode("Q", 1, out, sizeof(out), &fl) == 0 &&
	    fl == MIME_F_BAD_BASE64);
	pm = parse("Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: BASE64\n\n"
	    "U+G7sSBj4buR\n"
	    "IG3huqFuZw\n", 1);
	CHECK_STR(pm.m ? pm.m->root->text : NULL,
	    "S\xE1\xBB\xB1 c\xE1\xBB\x91 m\xE1\xBA\xA1ng");
	CHECK(pm.m && (pm.m->flags & MIME_F_BAD_BASE64));
	pm_free(&pm);
}

static void
test_qp(void)
{
	char		 out[64];
	unsigned	 fl = 0;
	size_t		 n;

	n = mime_qp_decode("a=3Db=\r\nc  \r\nd=\ne", 17, out, sizeof(out), &fl);
	CHECK(n == 8 && memcmp(out, "a=bc\r\nde", 8) == 0 && fl == 0);
	fl = 0;
	n = mime_qp_decode("50% =ZZ off=", 12, out, sizeof(out), &fl);
	CHECK(n == 11 && memcmp(out, "50% =ZZ off", 11) == 0 &&
	    fl == MIME_F_BAD_QP);
	fl = 0;
	n = mime_qp_decode("=e1=bb=b1", 9, out, sizeof(out), &fl);
	CHECK(n == 3 && memcmp(out, "\xE1\xBB\xB1", 3) == 0 && fl == 0);
	fl = 0;
	n = mime_qp_decode("abcdef\n", 7, out, 3, &fl);
	CHECK(n == 3 && (fl & MIME_F_TRUNCATED));
}

/* A body in a legacy charset, declared, decoded to the UTF-8 we started from. */
static void
legacy_body(const char *enc, const char *label, const char *cte,
    const char *utf8)
{
	char		*bytes, *msg;
	size_t		 n = 0, hl;
	struct pm	 pm;
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789+/";
	size_t		 i, o;
	unsigned	 v;

	if ((bytes = encode(enc, utf8, &n)) == NULL) {
		CHECK(bytes != NULL);
		return;
	}
	msg = malloc(n * 2 + 256);
	hl = (size_t)snprintf(msg, 256, "Content-Type: text/plain; charset=%s"
	    "\nContent-Transfer-Encoding: %s\n\n", label, cte);
	if (strcmp(cte, "base64") == 0) {
		for (i = 0, o = hl; i < n; i += 3) {
			v = (unsigned char)bytes[i] << 16;
			v |= i + 1 < n ? (unsigned char)bytes[i + 1] << 8 : 0;
			v |= i + 2 < n ? (unsigned char)bytes[i + 2] : 0;
			msg[o++] = b64[v >> 18 & 63];
			msg[o++] = b64[v >> 12 & 63];
			msg[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
			msg[o++] = i + 2 < n ? b64[v & 63] : '=';
		}
	} else {
		memcpy(msg + hl, bytes, n);
		o = hl + n;
	}
	pm = parse_lim(msg, o, 1, NULL);
	CHECK_STR(pm.m ? pm.m->root->text : NULL, utf8);
	if (pm.m && pm.m->flags != 0)
		printf("FAIL %s: flags %#x\n", label, pm.m->flags);
	CHECK(pm.m && pm.m->flags == 0);
	pm_free(&pm);
	free(msg);
	free(bytes);
}

static void
test_charsets(void)
{
	static const char vi[] = "B\xC3\xA1o c\xC3\xA1o s\xE1\xBB\xB1 c\xE1"
	    "\xBB\x91: m\xC3\xA1y ch\xE1\xBB\xA7 b\xE1\xBB\x8B x\xC3\xA2m "
	    "nh\xE1\xBA\xADp t\xE1\xBB\xAB 203.0.113.9";
	static const char ja[] = "\xE4\xB8\x8D\xE6\xAD\xA3\xE3\x82\xA2\xE3"
	    "\x82\xAF\xE3\x82\xBB\xE3\x82\xB9 http://example.jp/";
	static const char ru[] = "\xD0\xA4\xD0\xB8\xD1\x88\xD0\xB8\xD0\xBD"
	    "\xD0\xB3 http://example.ru/";
	static const char ko[] = "\xED\x94\xBC\xEC\x8B\xB1 \xEC\x8B\xA0"
	    "\xEA\xB3\xA0";
	static const char cp1258_msg[] = "Content-Type: text/plain; "
	    "charset=\"windows-1258\"\nContent-Transfer-Encoding: 8bit\n\n"
	    "S\xFD\xF2 c\xF4\xEC ma\xF2ng\n";
	struct pm	 pm;

	legacy_body("CP1258", "windows-1258", "8bit", vi);
	legacy_body("CP1258", "cp1258", "base64", vi);
	legacy_body("VISCII", "VISCII", "8bit", vi);
	legacy_body("TCVN5712-1", "tcvn-5712", "base64", vi);
	legacy_body("TCVN5712-1", "TCVN5712-1", "8bit", vi);
	legacy_body("ISO-2022-JP", "iso-2022-jp", "7bit", ja);
	legacy_body("SHIFT_JIS", "Shift_JIS", "base64", ja);
	legacy_body("KOI8-R", "koi8-r", "8bit", ru);
	legacy_body("EUC-KR", "euc-kr", "base64", ko);
	legacy_body("GB2312", "gb2312", "base64", "\xE4\xB8\xAD\xE6\x96\x87");
	pm = parse(cp1258_msg, 0);
	CHECK_STR(pm.m ? pm.m->root->text : NULL,
	    "S\xE1\xBB\xB1 c\xE1\xBB\x91 m\xE1\xBA\xA1ng\n");
	pm_free(&pm);
	/* quoted-printable UTF-8 Vietnamese, soft breaks mid-character */
	pm = parse("Content-Type: text/plain; charset=UTF-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n"
	    "N=E1=BB=99i dung ki=E1=BB=83m tra: https://l=E1=BB=ABa-=C4=91=E1=\n"
	    "=BA=A3o.vn/x?a=3D1\n", 1);
	CHECK_STR(pm.m ? pm.m->root->text : NULL, "N\xE1\xBB\x99i dung "
	    "ki\xE1\xBB\x83m tra: https://l\xE1\xBB\xAB" "a-\xC4\x91\xE1\xBA"
	    "\xA3o.vn/x?a=1\n");
	CHECK(pm.m && pm.m->flags == 0);
	pm_free(&pm);
	/* an unknown charset falls back, and says so */
	pm = parse("Content-Type: text/plain; charset=x-martian\n\n"
	    "caf\xE9\n", 0);
	CHECK_STR(pm.m ? pm.m->root->text : NULL, "caf\xC3\xA9\n");
	CHECK(pm.m && (pm.m->flags & MIME_F_BAD_CHARSET));
	pm_free(&pm);
}

static const char html_msg[] =
    "Content-Type: text/html; charset=utf-8\n"
    "\n"
    "<!DOCTYPE html><html><head><title>Th&ocirc;ng b&aacute;o</title>\n"
    "<style>p { color: red } a:hover { }</style>\n"
    "<script type=\"text/javascript\">var s = \"<a href='http://js.example/'>\";"
    "</script></head>\n"
    "<body><p>Xin ch&agrave;o &amp; welcome&nbsp;to&#160;&lt;CERT&gt;"
    " &#7921;&#x1EF1; &quot;q&quot; &copy;</p>\n"
    "<p>Click <a href=\"http://evil.example/login?a=1&amp;b=2\">"
    "here</a> now.<br>Line two<BR/>Line&nbsp;three</p>\n"
    "<!-- <a href=\"http://hidden.example/\">not a link</a> -->\n"
    "<table><tr><td>cell1</td><td>cell2</td></tr></table>\n"
    "<form action=\"https://collect.example/post\"><input name=x></form>\n"
    "<a href=#top>top</a> 5 &lt 6 &unknown; a&b <3 &#0; &#99999999;\n"
    "<A HREF='https://l&#7915;a.vn/'>link</A></body></html>\n";

static void
test_html(int crlf)
{
	struct pm	 pm = parse(html_msg, crlf);
	char		*t = NULL;
	size_t		 n;
	int		 tr;

	CHECK_STR(pm.m ? pm.m->root->text : NULL,
	    "Th\xC3\xB4ng b\xC3\xA1o\n\n"
	    "Xin ch\xC3\xA0o & welcome to <CERT> \xE1\xBB\xB1\xE1\xBB\xB1 \"q\" "
	    "\xC2\xA9\n\n"
	    "Click here <http://evil.example/login?a=1&b=2> now.\n"
	    "Line two\n"
	    "Line three\n"
	    "cell1 cell2\n"
	    "<https://collect.example/post>\n"
	    "top 5 < 6 &unknown; a&b <3 \xEF\xBF\xBD \xEF\xBF\xBD link "
	    "<https://l\xE1\xBB\xAB" "a.vn/>");
	pm_free(&pm);
	CHECK(html_to_text("<p>Hello <b>world</b></p><p>second&nbsp;line</p>",
	    48, SIZE_MAX, &t, &n, &tr) == 0);
	CHECK_STR(t, "Hello world\n\nsecond line");
	CHECK(n == strlen("Hello world\n\nsecond line") && tr == 0);
	free(t);
	CHECK(html_to_text("abc def ghi", 11, 6, &t, &n, &tr) == 0);
	CHECK_STR(t, "abc de");
	CHECK(tr == 1);
	free(t);
	CHECK(html_to_text("<a href=\"http://x.example/\">unclosed", 36,
	    SIZE_MAX, &t, &n, &tr) == 0);
	CHECK_STR(t, "unclosed <http://x.example/>");
	free(t);
	CHECK(html_to_text("<scr", 4, SIZE_MAX, &t, &n, &tr) == 0);
	CHECK_STR(t, "");
	free(t);
}

static void
test_arf(void)
{
	static const char arf[] =
	    "From: fbl@isp.example\n"
	    "Content-Type: multipart/report; report-type=feedback-report;\n"
	    "\tboundary=\"part1_13d.2e68ed54_boundary\"\n"
	    "\n"
	    "--part1_13d.2e68ed54_boundary\n"
	    "Content-Type: text/plain; charset=\"US-ASCII\"\n"
	    "\n"
	    "This is an email abuse report.\n"
	    "--part1_13d.2e68ed54_boundary\n"
	    "Content-Type: message/feedback-report\n"
	    "\n"
	    "Feedback-Type: abuse\n"
	    "User-Agent: SomeGenerator/1.0\n"
	    "Version: 1\n"
	    "Source-IP: 192.0.2.1\n"
	    "\n"
	    "--part1_13d.2e68ed54_boundary\n"
	    "Content-Type: text/rfc822-headers\n"
	    "\n"
	    "From: <somespammer@example.net>\n"
	    "Received: from mailserver.example.net (192.0.2.1)\n"
	    "Subject: Earn money\n"
	    "\n"
	    "--part1_13d.2e68ed54_boundary--\n";
	struct pm		 pm = parse(arf, 1), fr;
	const struct mime_part	*p;

	if (pm.m == NULL)
		return;
	CHECK_STR(mime_param(pm.m->root, "report-type"), "feedback-report");
	p = mime_find(pm.m, "message", "feedback-report");
	CHECK(p != NULL && p->text != NULL);
	if (p != NULL && p->text != NULL) {
		fr = parse_lim(p->text, p->text_len, 0, NULL);
		CHECK_STR(fr.m ? mime_header_get(fr.m->root, "source-ip") : NULL,
		    "192.0.2.1");
		CHECK(fr.m && fr.m->root->n_headers == 4);
		pm_free(&fr);
	}
	p = mime_find(pm.m, "text", "rfc822-headers");
	CHECK(p && p->text != NULL && p->n_children == 1);
	CHECK_STR(p ? mime_header_get(p->children[0], "Subject") : NULL,
	    "Earn money");
	pm_free(&pm);
}

/* A message with n nested multiparts. */
static char *
nested(int n)
{
	size_t	 cap = (size_t)n * 120 + 64, len = 0;
	char	*s = malloc(cap);
	int	 i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "Content-Type: "
		    "multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i);
	len += (size_t)snprintf(s + len, cap - len, "\ndeep text\n");
	for (i = n - 1; i >= 0; i--)
		len += (size_t)snprintf(s + len, cap - len, "--b%d--\n", i);
	return s;
}

static void
test_limits(void)
{
	struct mime_limits	 lim;
	struct pm		 pm;
	const struct mime_part	*p;
	char			*s;
	size_t			 i, len, maxdepth = 0;

	mime_limits_default(&lim);
	CHECK(lim.max_depth == MIME_DEPTH_MAX && lim.max_parts == MIME_PARTS_MAX);
	/* 100 nested multiparts: the tree stops at max_depth */
	s = nested(100);
	pm = parse(s, 1);
	for (p = pm.m ? pm.m->root : NULL; p != NULL; p = mime_next(p))
		if (p->depth > maxdepth)
			maxdepth = p->depth;
	CHECK(maxdepth == MIME_DEPTH_MAX);
	CHECK(pm.m && pm.m->n_parts == MIME_DEPTH_MAX + 1);
	CHECK(pm.m && (pm.m->flags & MIME_F_DEPTH_LIMIT));
	p = pm.m ? nth(pm.m, MIME_DEPTH_MAX) : NULL;
	CHECK(p && p->text != NULL && strstr(p->text, "deep text") != NULL);
	pm_free(&pm);
	free(s);
	/* a caller's tighter depth */
	s = nested(5);
	lim.max_depth = 2;
	pm = parse_lim(s, strlen(s), 0, &lim);
	CHECK(pm.m && pm.m->n_parts == 3 && (pm.m->flags & MIME_F_DEPTH_LIMIT));
	pm_free(&pm);
	free(s);
	mime_limits_default(&lim);
	/* 300 parts: max_parts in all */
	s = malloc(300 * 40 + 100);
	len = (size_t)sprintf(s, "Content-Type: multipart/mixed; boundary=p\n\n");
	for (i = 0; i < 300; i++)
		len += (size_t)sprintf(s + len, "--p\n\npart %zu\n", i);
	len += (size_t)sprintf(s + len, "--p--\n");
	pm = parse(s, 0);
	CHECK(pm.m && pm.m->n_parts == MIME_PARTS_MAX);
	CHECK(pm.m && pm.m->root->n_children == MIME_PARTS_MAX - 1);
	CHECK(pm.m && (pm.m->root->flags & MIME_F_PART_LIMIT));
	pm_free(&pm);
	free(s);
	/* a 300 KB header: flagged, skipped, the body still there */
	len = 300 * 1024;
	s = malloc(len + 200);
	len = (size_t)sprintf(s, "Subject: before\nX-Huge: ");
	memset(s + len, 'a', 300 * 1024);
	len += 300 * 1024;
	len += (size_t)sprintf(s + len, "\nX-After: skipped\n\nthe body\n");
	pm = parse_lim(s, len, 1, NULL);
	CHECK(pm.m && (pm.m->flags & MIME_F_HEADER_LIMIT));
	CHECK(pm.m && pm.m->root->n_headers == 1);
	CHECK_STR(pm.m ? mime_header_get(pm.m->root, "subject") : NULL,
	    "before");
	CHECK_STR(pm.m ? pm.m->root->text : NULL, "the body\n");
	pm_free(&pm);
	free(s);
	/* 1500 headers: max_headers kept */
	s = malloc(1500 * 16 + 32);
	for (i = 0, len = 0; i < 1500; i++)
		len += (size_t)sprintf(s + len, "X-H%zu: v\n", i);
	len += (size_t)sprintf(s + len, "\nbody\n");
	pm = parse_lim(s, len, 0, NULL);
	CHECK(pm.m && pm.m->root->n_headers == SMTP_HEADERS_MAX);
	CHECK(pm.m && (pm.m->flags & MIME_F_HEADER_LIMIT));
	CHECK_STR(pm.m ? pm.m->root->text : NULL, "body\n");
	pm_free(&pm);
	free(s);
	/* decoded output budget */
	lim.max_decoded_bytes = 10;
	pm = parse_lim("Content-Transfer-Encoding: base64\n\n"
	    "MDEyMzQ1Njc4OWFiY2RlZg==\n", 59, 0, &lim);
	CHECK(pm.m && pm.m->root->body_len == 10 &&
	    memcmp(pm.m->root->body, "0123456789", 10) == 0);
	CHECK(pm.m && pm.m->root->text_len == 0 &&
	    (pm.m->flags & MIME_F_TRUNCATED));
	CHECK(pm.m && pm.m->decoded_bytes == 10);
	pm_free(&pm);
	/* nothing at all */
	{
		struct mime_message	*m = (void *)1;
		struct mime_error	 err;

		CHECK(mime_parse("", 0, NULL, &m, &err) == -1);
		CHECK(m == NULL && err.code == MIME_ERR_EMPTY);
		mime_free(NULL);
	}
}

static void
test_nested_encoded(void)
{
	/* a base64-encoded message/rfc822: parsed from the decoded bytes */
	static const char m[] =
	    "Content-Type: multipart/mixed; boundary=b\n\n"
	    "--b\n"
	    "Content-Type: message/rfc822\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "U3ViamVjdDogaW5uZXIKCmlubmVyIGJvZHkK\n"	/* Subject: inner.. */
	    "--b--\n";
	struct pm		 pm = parse(m, 1);
	const struct mime_part	*p;

	p = pm.m ? nth(pm.m, 2) : NULL;
	CHECK_STR(p ? mime_header_get(p, "subject") : NULL, "inner");
	CHECK_STR(p ? p->text : NULL, "inner body\n");
	pm_free(&pm);
}

static void
test_addr(void)
{
	static const struct {
		const char	*in;
		const char	*want;		/* NULL: no address */
	} tc[] = {
		{ "a@b.example", "a@b.example" },
		{ "Name <User@Example.COM>", "User@example.com" },
		{ "\"Doe, John\" <jd@x.example>, other@y.example",
		    "jd@x.example" },
		{ "\"a@evil.example\" <real@good.example>",
		    "real@good.example" },
		{ "=?utf-8?Q?<fake@evil.example>?= <real@good.example>",
		    "real@good.example" },
		{ "real@good.example (Comment <fake@evil.example>)",
		    "real@good.example" },
		{ "Team: one@t.example, two@t.example;", "one@t.example" },
		{ "undisclosed-recipients:;", NULL },
		{ "<@route.example,@r2.example:u@d.example>", "u@d.example" },
		{ "\"john doe\"@Q.EXAMPLE", "\"john doe\"@q.example" },
		{ "Name <u@d.example", "u@d.example" },
		{ "no address here", NULL },
		{ "", NULL },
		{ "<>", NULL },
		{ "a@", NULL },
		{ "@b", NULL },
		{ "Tr\xE1\xBA\xA7n <tran@vnpt.example>", "tran@vnpt.example" },
		{ "x <a@b@c>", NULL },
		{ "first, second <s@x.example>", "s@x.example" },
		{ "  spaced  @  d.example  ", NULL },
	};
	char	 out[64];
	size_t	 i;
	int	 rc;

	for (i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		rc = mime_addr_spec(tc[i].in, strlen(tc[i].in), out,
		    sizeof(out));
		if (tc[i].want == NULL) {
			CHECK(rc == -1 && out[0] == '\0');
			if (rc != -1)
				printf("  case %zu gave %s\n", i, out);
		} else
			CHECK_STR(rc == 0 ? out : "(none)", tc[i].want);
	}
	CHECK(mime_addr_spec("a@b.example", 11, out, 5) == -1);
}

static void
test_date(void)
{
	static const struct {
		const char	*in;
		long long	 want;		/* -1: unreadable */
	} tc[] = {
		{ "Tue, 07 Apr 2026 10:00:01 +0700", 1775530801 },
		{ "7 Apr 2026 03:00:01 GMT", 1775530801 },
		{ "Tue, 7 Apr 2026 03:00:01 +0000 (UTC)", 1775530801 },
		{ "  Tue ,  7  apr  2026  03:00:01  Z ", 1775530801 },
		{ "Mon, 6 Apr 2026 23:00:01 EDT", 1775530801 },
		{ "Mon, 6 Apr 2026 20:00:01 PDT", 1775530801 },
		{ "Tue, 7 Apr 26 03:00:01 UT", 1775530801 },
		{ "Tue, 7 Apr 126 03:00:01 UT", 1775530801 },
		{ "Tue, 7 Apr 2026 03:00 +0000", 1775530801 - 1 },
		{ "Tue, 7 Apr 2026 03:00:01 A", 1775530801 },
		{ "Tue, 7 Apr 2026 03:00:01", 1775530801 },
		{ "Tue, 7 Apr 2026 10:00:01 +07:00", 1775530801 },
		{ "Tue Apr  7 03:00:01 2026", 1775530801 },
		{ "Thu, 1 Jan 1970 00:00:00 +0000", 0 },
		{ "Sat, 31 Dec 1999 23:59:59 -0000", 946684799 },
		{ "29 Feb 2024 00:00:00 +0000", 1709164800 },
		{ "Tue, 19 Jan 2016 14:32:34", 1453213954 },
		{ "29 Feb 2023 00:00:00 +0000", -1 },
		{ "32 Jan 2026 00:00:00 +0000", -1 },
		{ "1 Foo 2026 00:00:00 +0000", -1 },
		{ "1 Jan 2026 24:00:00 +0000", -1 },
		{ "1 Jan 2026 23:60:00 +0000", -1 },
		{ "1 Jan 2026 23:00:00 +9960", -1 },
		{ "1 Jan 12026 00:00:00 +0000", -1 },
		{ "", -1 },
		{ "garbage", -1 },
		{ "Tue, 7 Apr", -1 },
	};
	size_t	 i;
	time_t	 t;
	int	 rc;

	for (i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		t = 12345;
		rc = mime_parse_date(tc[i].in, &t);
		if (tc[i].want == -1)
			CHECK(rc == -1);
		else {
			CHECK(rc == 0 && (long long)t == tc[i].want);
			if (rc != 0 || (long long)t != tc[i].want)
				printf("  date case %zu: rc %d t %lld\n", i,
				    rc, (long long)t);
		}
	}
	CHECK(mime_parse_date(NULL, &t) == -1);
}

#if T_FAILMALLOC
/*
 * Fail each allocation of a parse in turn: every run must either fail with
 * MIME_ERR_NOMEM and nothing built (valgrind checks nothing leaks) or, once
 * no allocation is left to fail, succeed.
 */
static void
test_nomem(void)
{
	static const char *const msgs[] = { tree_msg, param_msg, html_msg,
	    "Subject: =?utf-8?B?4bs=?= =?utf-8?B?sQ==?= x\n\n" };
	void			*(*volatile t_malloc)(size_t) = malloc;
	struct mime_message	*m;
	struct mime_error	 err;
	size_t			 i;
	long			 k, bad = 0, points = 0;
	char			*out;
	int			 rc;

	/* Under valgrind its allocator replaces ours: nothing to inject.
	 * (Called through a volatile pointer: the compiler may not fold it.) */
	t_fail_after = 0;
	out = t_malloc(1);
	t_fail_after = -1;
	if (out != NULL) {
		free(out);
		printf("SKIP nomem: malloc cannot be replaced here\n");
		return;
	}
	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		for (k = 0; k < 100000; k++) {
			m = (void *)1;
			t_fails = 0;
			t_fail_after = k;
			rc = mime_parse(msgs[i], strlen(msgs[i]), NULL, &m, &err);
			t_fail_after = -1;
			if (t_fails == 0) {
				CHECK(rc == 0 && m != NULL);
				mime_free(m);
				break;
			}
			points++;
			if (rc != -1 || m != NULL || err.code != MIME_ERR_NOMEM) {
				bad++;
				mime_free(rc == 0 ? m : NULL);
			}
		}
	}
	CHECK(bad == 0);
	CHECK(points > 40);
	/*
	 * iconv's own allocations: -1, the right answer, or (when glibc
	 * reports a failed module load as an unknown conversion) the
	 * fallback, flagged as such.
	 */
	for (k = 0, bad = 0; k < 1000; k++) {
		unsigned fl = 0;

		out = NULL;
		t_fails = 0;
		t_fail_after = k;
		rc = charset_to_utf8("koi8-r", "\xF0\xF2\xE9", 3, SIZE_MAX, &out,
		    NULL, &fl);
		t_fail_after = -1;
		if (rc == 0 && (out == NULL || (strcmp(out, "\xD0\x9F\xD0\xA0"
		    "\xD0\x98") != 0 && !(fl & CHARSET_F_UNKNOWN))))
			bad++;
		free(out);
		if (t_fails == 0)
			break;
	}
	CHECK(bad == 0 && rc == 0);
	printf("nomem: %ld allocation failures injected\n", points + k);
}
#endif

int
main(void)
{
	int	 crlf;

	for (crlf = 0; crlf <= 1; crlf++) {
		test_headers(crlf);
		test_params(crlf);
		test_tree(crlf);
		test_html(crlf);
	}
	test_header_decode();
	test_header_worst_case();
	test_walk();
	test_broken_structure();
	test_bare_lf_and_nul();
	test_base64();
	test_qp();
	test_charsets();
	test_arf();
	test_limits();
	test_nested_encoded();
	test_addr();
	test_date();
#if T_FAILMALLOC
	test_nomem();
#endif
	return t_done();
}
