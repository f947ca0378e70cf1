/*
 * test_smtp_proto.c - the pure SMTP helpers (smtp_proto.h): command lines,
 * MAIL/RCPT paths with their parameters, and the DATA decoder, which must
 * end a message only on CRLF "." CRLF whatever the bare CRs and LFs around
 * it (SMTP smuggling), and must give the same result however its input is
 * cut into pieces.
 */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "smtp_proto.h"

/* --- command lines ------------------------------------------------------ */

struct cmd_case {
	const char	*line;
	size_t		 len;		/* 0: strlen(line) */
	int		 rc;
	enum smtp_verb	 verb;
	const char	*arg;		/* when rc == 0 */
	const char	*why;		/* when rc == -1 */
};

static const struct cmd_case cmd_cases[] = {
	{ "EHLO client.example", 0, 0, SMTP_CMD_EHLO, "client.example", NULL },
	{ "ehlo client.example", 0, 0, SMTP_CMD_EHLO, "client.example", NULL },
	{ "HELO [192.0.2.1]", 0, 0, SMTP_CMD_HELO, "[192.0.2.1]", NULL },
	{ "MAIL FROM:<a@b.example>", 0, 0, SMTP_CMD_MAIL, "FROM:<a@b.example>",
	    NULL },
	{ "mail from:<> SIZE=10", 0, 0, SMTP_CMD_MAIL, "from:<> SIZE=10",
	    NULL },
	{ "MAIL   FROM:<a@b.example>   ", 0, 0, SMTP_CMD_MAIL,
	    "FROM:<a@b.example>", NULL },
	{ "RCPT TO:<ir@test.example>", 0, 0, SMTP_CMD_RCPT,
	    "TO:<ir@test.example>", NULL },
	{ "Rcpt To:<IR@Test.Example>", 0, 0, SMTP_CMD_RCPT,
	    "To:<IR@Test.Example>", NULL },
	{ "DATA", 0, 0, SMTP_CMD_DATA, "", NULL },
	{ "data ", 0, 0, SMTP_CMD_DATA, "", NULL },
	{ "RSET", 0, 0, SMTP_CMD_RSET, "", NULL },
	{ "NOOP", 0, 0, SMTP_CMD_NOOP, "", NULL },
	{ "NOOP anything at all", 0, 0, SMTP_CMD_NOOP, "anything at all",
	    NULL },
	{ "QUIT", 0, 0, SMTP_CMD_QUIT, "", NULL },
	{ "VRFY postmaster", 0, 0, SMTP_CMD_VRFY, "postmaster", NULL },
	{ "EXPN staff", 0, 0, SMTP_CMD_EXPN, "staff", NULL },
	{ "HELP", 0, 0, SMTP_CMD_HELP, "", NULL },
	{ "StartTLS", 0, 0, SMTP_CMD_STARTTLS, "", NULL },
	{ "AUTH PLAIN AGZvbwBiYXI=", 0, 0, SMTP_CMD_AUTH,
	    "PLAIN AGZvbwBiYXI=", NULL },
	{ "BDAT 100 LAST", 0, 0, SMTP_CMD_BDAT, "100 LAST", NULL },
	/* near misses are unknown verbs, not errors */
	{ "STARTTLSX", 0, 0, SMTP_CMD_UNKNOWN, "", NULL },
	{ "MAI FROM:<a@b>", 0, 0, SMTP_CMD_UNKNOWN, "FROM:<a@b>", NULL },
	{ "MAILFROM:<a@b>", 0, 0, SMTP_CMD_UNKNOWN, "", NULL },
	{ "XCLIENT ADDR=1.2.3.4", 0, 0, SMTP_CMD_UNKNOWN, "ADDR=1.2.3.4",
	    NULL },
	{ "GET / HTTP/1.1", 0, 0, SMTP_CMD_UNKNOWN, "/ HTTP/1.1", NULL },
	{ "", 0, 0, SMTP_CMD_UNKNOWN, "", NULL },
	/* UTF-8 is allowed (SMTPUTF8) */
	{ "RCPT TO:<người@ví-dụ.vn>", 0, 0, SMTP_CMD_RCPT,
	    "TO:<người@ví-dụ.vn>", NULL },
	/* TAB is the one control character allowed (smtp_proto.h) */
	{ "VRFY a\tb", 0, 0, SMTP_CMD_VRFY, "a\tb", NULL },
	{ "MAIL FROM:<a@b.example>\t", 0, 0, SMTP_CMD_MAIL,
	    "FROM:<a@b.example>", NULL },
	/* refused */
	{ "NOOP\0", 5, -1, 0, NULL, "NUL byte in command" },
	{ "MAIL FROM:<a\0@b>", 16, -1, 0, NULL, "NUL byte in command" },
	{ "\0", 1, -1, 0, NULL, "NUL byte in command" },
	{ "NOOP \xC3\x28", 0, -1, 0, NULL, "invalid UTF-8 in command" },
	{ "NOOP \xC0\xAF", 0, -1, 0, NULL, "invalid UTF-8 in command" },
	{ "NOOP \xED\xA0\x80", 0, -1, 0, NULL, "invalid UTF-8 in command" },
	{ "\xFF" "NOOP", 0, -1, 0, NULL, "invalid UTF-8 in command" },
	{ "RCPT TO:<a@b>\xE2\x82", 0, -1, 0, NULL,
	    "invalid UTF-8 in command" },
	{ "NOOP\r", 0, -1, 0, NULL, "control character in command" },
	{ "NOOP\n", 0, -1, 0, NULL, "control character in command" },
	{ "DATA\r\n.\r\n", 0, -1, 0, NULL, "control character in command" },
	{ "NO\x1bOP", 0, -1, 0, NULL, "control character in command" },
	{ "NOOP \x7f", 0, -1, 0, NULL, "control character in command" },
	{ "NOOP \xC2\x85", 0, -1, 0, NULL, "control character in command" },
};

static void
test_command(void)
{
	struct smtp_command	 cmd;
	const char		*why;
	size_t			 i, len;
	int			 rc;

	for (i = 0; i < sizeof(cmd_cases) / sizeof(cmd_cases[0]); i++) {
		const struct cmd_case *c = &cmd_cases[i];

		why = NULL;
		memset(&cmd, 0, sizeof(cmd));
		cmd.verb = SMTP_CMD_UNKNOWN;
		len = c->len ? c->len : strlen(c->line);
		rc = smtp_parse_command(c->line, len, &cmd, &why);
		if (rc != c->rc || (rc == 0 && cmd.verb != c->verb))
			printf("command case %zu \"%s\": rc %d verb %d (%s)\n",
			    i, c->line, rc, (int)cmd.verb, why ? why : "");
		CHECK(rc == c->rc);
		if (c->rc == -1) {
			CHECK_STR(why, c->why);
			continue;
		}
		if (rc != 0)
			continue;
		CHECK(cmd.verb == c->verb);
		CHECK(cmd.arglen == strlen(c->arg));
		CHECK(cmd.arg != NULL && cmd.arg >= c->line &&
		    cmd.arg + cmd.arglen <= c->line + len);
		if (cmd.arg != NULL && cmd.arglen == strlen(c->arg))
			CHECK(memcmp(cmd.arg, c->arg, cmd.arglen) == 0);
	}
}

/* --- MAIL and RCPT paths ------------------------------------------------- */

struct path_case {
	const char	*arg;
	int		 is_mail;
	int		 rc;
	int		 code;		/* when rc == -1 */
	const char	*addr;		/* when rc == 0 */
	long long	 size;
	int		 body_8bit;
	int		 smtputf8;
};

/* A mailbox of exactly SMTP_PATH_MAX (256) bytes and one byte more. */
#define A10	"aaaaaaaaaa"
#define D10	"dddddddddd"
#define L60	A10 A10 A10 A10 A10 A10
#define D63	D10 D10 D10 D10 D10 D10 "ddd"
#define ADDR256	L60 "@" D63 "." D63 "." D63 ".exa"
#define ADDR257	L60 "@" D63 "." D63 "." D63 ".exam"

static const struct path_case path_cases[] = {
	{ "FROM:<a@b.example>", 1, 0, 0, "a@b.example", -1, 0, 0 },
	{ "from:<a@b.example>", 1, 0, 0, "a@b.example", -1, 0, 0 },
	{ "From: <a@b.example>", 1, 0, 0, "a@b.example", -1, 0, 0 },
	{ "FROM:<>", 1, 0, 0, "", -1, 0, 0 },
	{ "FROM:<> SIZE=0", 1, 0, 0, "", 0, 0, 0 },
	{ "TO:<ir@test.example>", 0, 0, 0, "ir@test.example", -1, 0, 0 },
	{ "to:<ir@test.example>", 0, 0, 0, "ir@test.example", -1, 0, 0 },
	/* the domain is lower-cased, the local part kept */
	{ "TO:<IR@Test.Example>", 0, 0, 0, "IR@test.example", -1, 0, 0 },
	{ "FROM:<Abuse.Desk@ISP.Example.NET>", 1, 0, 0,
	    "Abuse.Desk@isp.example.net", -1, 0, 0 },
	/* source routes are dropped */
	{ "TO:<@relay.example,@mx.example:ir@test.example>", 0, 0, 0,
	    "ir@test.example", -1, 0, 0 },
	{ "FROM:<@relay.example:a@b.example>", 1, 0, 0, "a@b.example", -1, 0,
	    0 },
	/* the last @ separates the domain */
	{ "FROM:<\"a@b\"@C.Example>", 1, 0, 0, "\"a@b\"@c.example", -1, 0,
	    0 },
	/* UTF-8 mailboxes (SMTPUTF8) */
	{ "FROM:<người@ví-dụ.vn> SMTPUTF8", 1, 0, 0, "người@ví-dụ.vn", -1, 0,
	    1 },
	/* parameters */
	{ "FROM:<a@b.example> SIZE=1000", 1, 0, 0, "a@b.example", 1000, 0, 0 },
	{ "FROM:<a@b.example> size=65536", 1, 0, 0, "a@b.example", 65536, 0,
	    0 },
	{ "FROM:<a@b.example> SIZE=999999999999999999", 1, 0, 0,
	    "a@b.example", 999999999999999999LL, 0, 0 },
	{ "FROM:<a@b.example> BODY=8BITMIME", 1, 0, 0, "a@b.example", -1, 1,
	    0 },
	{ "FROM:<a@b.example> body=7bit", 1, 0, 0, "a@b.example", -1, 0, 0 },
	{ "FROM:<a@b.example> SMTPUTF8", 1, 0, 0, "a@b.example", -1, 0, 1 },
	{ "FROM:<a@b.example>  SIZE=10   BODY=8BITMIME  SMTPUTF8", 1, 0, 0,
	    "a@b.example", 10, 1, 1 },
	{ "FROM:<" ADDR256 ">", 1, 0, 0, ADDR256, -1, 0, 0 },
	/* 501: syntax */
	{ "FROM:a@b.example", 1, -1, 501, NULL, 0, 0, 0 },
	{ "FROM:<a@b.example", 1, -1, 501, NULL, 0, 0, 0 },
	{ "FROM <a@b.example>", 1, -1, 501, NULL, 0, 0, 0 },
	{ "FROM:", 1, -1, 501, NULL, 0, 0, 0 },
	{ "FROM: ", 1, -1, 501, NULL, 0, 0, 0 },
	{ "", 1, -1, 501, NULL, 0, 0, 0 },
	{ "TO:<ir@test.example>", 1, -1, 501, NULL, 0, 0, 0 },
	{ "FROM:<a@b.example>", 0, -1, 501, NULL, 0, 0, 0 },
	{ "TO:ir@test.example", 0, -1, 501, NULL, 0, 0, 0 },
	{ "TO:", 0, -1, 501, NULL, 0, 0, 0 },
	/* 553: bad address */
	{ "TO:<>", 0, -1, 553, NULL, 0, 0, 0 },
	{ "TO:<nobody>", 0, -1, 553, NULL, 0, 0, 0 },
	{ "TO:<nobody@>", 0, -1, 553, NULL, 0, 0, 0 },
	{ "FROM:<@b.example>", 1, -1, 553, NULL, 0, 0, 0 },
	{ "TO:<a b@test.example>", 0, -1, 553, NULL, 0, 0, 0 },
	{ "TO:<a<b@test.example>", 0, -1, 553, NULL, 0, 0, 0 },
	{ "TO:<a\tb@test.example>", 0, -1, 553, NULL, 0, 0, 0 },
	{ "TO:<@relay.example>", 0, -1, 553, NULL, 0, 0, 0 },
	{ "FROM:<" ADDR257 ">", 1, -1, 553, NULL, 0, 0, 0 },
	/* 555: unknown or bad parameter */
	{ "FROM:<a@b.example> FOO=bar", 1, -1, 555, NULL, 0, 0, 0 },
	{ "FROM:<a@b.example> SIZE=10 XYZZY", 1, -1, 555, NULL, 0, 0, 0 },
	{ "FROM:<a@b.example> SIZE=", 1, -1, 555, NULL, 0, 0, 0 },
	{ "FROM:<a@b.example> SIZE", 1, -1, 555, NULL, 0, 0, 0 },
	{ "FROM:<a@b.example> SIZE=12x", 1, -1, 555, NULL, 0, 0, 0 },
	{ "FROM:<a@b.example> SIZE=-1", 1, -1, 555, NULL, 0, 0, 0 },
	{ "FROM:<a@b.example> SIZE=1234567890123456789", 1, -1, 555, NULL, 0,
	    0, 0 },
	{ "FROM:<a@b.example> BODY=BINARYMIME", 1, -1, 555, NULL, 0, 0, 0 },
	{ "FROM:<a@b.example> BODY", 1, -1, 555, NULL, 0, 0, 0 },
	{ "FROM:<a@b.example> SMTPUTF8=yes", 1, -1, 555, NULL, 0, 0, 0 },
	{ "TO:<ir@test.example> NOTIFY=NEVER", 0, -1, 555, NULL, 0, 0, 0 },
	{ "TO:<ir@test.example> SIZE=10", 0, -1, 555, NULL, 0, 0, 0 },
};

static void
test_path(void)
{
	struct smtp_path	 p;
	const char		*why;
	size_t			 i;
	int			 rc, code;

	CHECK(strlen(ADDR256) == SMTP_PATH_MAX);
	CHECK(strlen(ADDR257) == SMTP_PATH_MAX + 1);
	for (i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
		const struct path_case *c = &path_cases[i];

		why = NULL;
		code = 0;
		memset(&p, 'X', sizeof(p));
		rc = smtp_parse_path(c->arg, strlen(c->arg), c->is_mail, &p,
		    &code, &why);
		if (rc != c->rc || (rc == -1 && code != c->code))
			printf("path case %zu \"%s\": rc %d code %d (%s)\n",
			    i, c->arg, rc, code, why ? why : "");
		CHECK(rc == c->rc);
		if (c->rc == -1) {
			CHECK(code == c->code);
			CHECK(why != NULL && why[0] != '\0');
			continue;
		}
		if (rc != 0)
			continue;
		CHECK(memchr(p.addr, '\0', sizeof(p.addr)) != NULL);
		CHECK_STR(p.addr, c->addr);
		CHECK(p.size == c->size);
		CHECK(p.body_8bit == c->body_8bit);
		CHECK(p.smtputf8 == c->smtputf8);
	}
}

/* --- the DATA decoder ---------------------------------------------------- */

struct data_case {
	const char	*in;
	const char	*out;		/* the unstuffed message */
	long		 consumed;	/* -1: all of in */
	int		 done;		/* CRLF.CRLF reached */
	size_t		 bare_cr, bare_lf;
};

/* A second transaction hidden in a message, as in SMTP smuggling. */
#define SMUGGLED	"MAIL FROM:<x@evil.example>\r\n"		\
			"RCPT TO:<ir@test.example>\r\nDATA\r\n"		\
			"Subject: smuggled\r\n\r\nsmuggled\r\n"

static const struct data_case data_cases[] = {
	{ "Subject: x\r\n\r\nbody\r\n.\r\n", "Subject: x\r\n\r\nbody\r\n", -1,
	    1, 0, 0 },
	/* what follows the end belongs to the next command */
	{ "a\r\n.\r\nQUIT\r\n", "a\r\n", 6, 1, 0, 0 },
	{ "a\r\n.\r\n.\r\n", "a\r\n", 6, 1, 0, 0 },
	{ ".\r\n", "", 3, 1, 0, 0 },
	{ ".\r\nMAIL FROM:<a@b>\r\n", "", 3, 1, 0, 0 },
	{ "\r\n.\r\n", "\r\n", -1, 1, 0, 0 },
	/* dot-stuffing */
	{ "..hidden\r\n.\r\n", ".hidden\r\n", -1, 1, 0, 0 },
	{ "a\r\n..\r\n.\r\n", "a\r\n.\r\n", -1, 1, 0, 0 },
	{ "a\r\n...\r\n.\r\n", "a\r\n..\r\n", -1, 1, 0, 0 },
	{ "a\r\n.x\r\n.\r\n", "a\r\nx\r\n", -1, 1, 0, 0 },
	{ "a.\r\nb .\r\n.\r\n", "a.\r\nb .\r\n", -1, 1, 0, 0 },
	/* no end yet */
	{ "", "", 0, 0, 0, 0 },
	{ "abc\r\n", "abc\r\n", -1, 0, 0, 0 },
	{ "abc\r\n.", "abc\r\n", -1, 0, 0, 0 },
	{ "abc\r\n.\r", "abc\r\n", -1, 0, 0, 0 },
	{ "abc\r\n.\r\r", "abc\r\n\r", -1, 0, 1, 0 },
	{ "a\r\n. \r\n", "a\r\n \r\n", -1, 0, 0, 0 },
	/* bare CR and LF never end or split a message (smuggling) */
	{ "a\n.\nb\r\n.\r\n", "a\n.\nb\r\n", -1, 1, 0, 2 },
	{ "a\r.\rb\r\n.\r\n", "a\r.\rb\r\n", -1, 1, 2, 0 },
	{ "a\n.\r\nb\r\n.\r\n", "a\n.\r\nb\r\n", -1, 1, 0, 1 },
	{ "a\r\n.\nb\r\n.\r\n", "a\r\n\nb\r\n", -1, 1, 0, 1 },
	{ "a\r\n.\rb\r\n.\r\n", "a\r\n\rb\r\n", -1, 1, 1, 0 },
	{ "a\r\n.\r\r\n.\r\n", "a\r\n\r\r\n", -1, 1, 1, 0 },
	{ "a\r\r\n.\r\n", "a\r\r\n", -1, 1, 1, 0 },
	{ "a\n\r\n.\r\n", "a\n\r\n", -1, 1, 0, 1 },
	{ "\n.\n", "\n.\n", -1, 0, 0, 2 },
	{ ".\n", "\n", -1, 0, 0, 1 },
	{ "\r.\r", "\r.", -1, 0, 1, 0 },
	{ "x\n.\n" SMUGGLED "\r\n.\r\n", "x\n.\n" SMUGGLED "\r\n", -1, 1, 0,
	    2 },
	{ "x\r.\r" SMUGGLED "\r\n.\r\n", "x\r.\r" SMUGGLED "\r\n", -1, 1, 2,
	    0 },
	{ "x\n.\r\n" SMUGGLED "\r\n.\r\n", "x\n.\r\n" SMUGGLED "\r\n", -1, 1,
	    0, 1 },
	{ "x\r\n.\n" SMUGGLED "\r\n.\r\n", "x\r\n\n" SMUGGLED "\r\n", -1, 1,
	    0, 1 },
	{ "x\r\n.\r" SMUGGLED "\r\n.\r\n", "x\r\n\r" SMUGGLED "\r\n", -1, 1,
	    1, 0 },
	{ "x\r\n.\rMAIL FROM:<x@evil.example>\r\n.\r\nQUIT\r\n",
	    "x\r\n\rMAIL FROM:<x@evil.example>\r\n",
	    (long)sizeof("x\r\n.\rMAIL FROM:<x@evil.example>\r\n.\r\n") - 1,
	    1, 1, 0 },
	/* 8-bit and NUL bytes pass through untouched */
	{ "L\xe1\xbb\xab" "a \xc4\x91\xe1\xba\xa3o\r\n.\r\n",
	    "L\xe1\xbb\xab" "a \xc4\x91\xe1\xba\xa3o\r\n", -1, 1, 0, 0 },
};

/* The decoder's whole result for one input fed in given pieces. */
struct feed_result {
	char		*out;
	size_t		 outlen;
	size_t		 consumed;
	struct smtp_data d;
	int		 bad_call;	/* a call broke its contract */
};

/*
 * Feed in[0..len) cut at the offsets cuts[0..ncuts) (ascending), stopping
 * once the decoder is done, as the session does. Each call gets an output
 * buffer of exactly its input length + 2 bytes, its own allocation so that
 * a sanitizer or valgrind sees any overrun.
 */
static void
feed_pieces(const char *in, size_t len, const size_t *cuts, size_t ncuts,
    struct feed_result *r)
{
	size_t	 start = 0, end, k, used, produced;
	char	*buf;

	memset(r, 0, sizeof(*r));
	r->out = malloc(len + 1);
	smtp_data_init(&r->d);
	for (k = 0; k <= ncuts && r->d.state != SMTP_DATA_DONE; k++) {
		end = k < ncuts ? cuts[k] : len;
		buf = malloc(end - start + 2);
		produced = (size_t)-1;
		used = smtp_data_feed(&r->d, in + start, end - start, buf,
		    &produced);
		if (used > end - start || produced > end - start + 2 ||
		    (used < end - start && r->d.state != SMTP_DATA_DONE) ||
		    r->outlen + produced > len)
			r->bad_call = 1;
		else {
			memcpy(r->out + r->outlen, buf, produced);
			r->outlen += produced;
		}
		free(buf);
		r->consumed += used;
		if (r->bad_call || used < end - start)
			break;
		start = end;
	}
}

static int
same_result(const struct feed_result *a, const struct feed_result *b)
{
	return !a->bad_call && !b->bad_call && a->outlen == b->outlen &&
	    memcmp(a->out, b->out, a->outlen) == 0 &&
	    a->consumed == b->consumed && a->d.state == b->d.state &&
	    a->d.bare_cr == b->d.bare_cr && a->d.bare_lf == b->d.bare_lf &&
	    a->d.header_bytes == b->d.header_bytes &&
	    a->d.header_lines == b->d.header_lines &&
	    a->d.in_headers == b->d.in_headers &&
	    a->d.longest_line == b->d.longest_line;
}

static void
check_case(size_t i, const struct data_case *c, const struct feed_result *r)
{
	size_t	len = strlen(c->in);
	size_t	want = c->consumed < 0 ? len : (size_t)c->consumed;

	CHECK(!r->bad_call);
	CHECK(r->consumed == want);
	CHECK(r->outlen == strlen(c->out) &&
	    memcmp(r->out, c->out, r->outlen) == 0);
	CHECK((r->d.state == SMTP_DATA_DONE) == c->done);
	CHECK(r->d.bare_cr == c->bare_cr);
	CHECK(r->d.bare_lf == c->bare_lf);
	if (r->consumed != want || r->outlen != strlen(c->out) ||
	    memcmp(r->out, c->out, r->outlen) != 0 ||
	    r->d.bare_cr != c->bare_cr || r->d.bare_lf != c->bare_lf)
		printf("data case %zu: consumed %zu of %zu (want %zu), out %zu"
		    " bytes \"%.*s\", bare CR %zu LF %zu\n", i, r->consumed,
		    len, want, r->outlen, (int)r->outlen, r->out,
		    r->d.bare_cr, r->d.bare_lf);
}

/* Whole input at once, then cut everywhere: the same result each time. */
static void
test_data(void)
{
	struct feed_result	 whole, part;
	size_t			 i, len, a, b, cuts[2];
	size_t			 *every;
	int			 same_split, same_bytes, same_two;

	for (i = 0; i < sizeof(data_cases) / sizeof(data_cases[0]); i++) {
		const struct data_case *c = &data_cases[i];

		len = strlen(c->in);
		feed_pieces(c->in, len, NULL, 0, &whole);
		check_case(i, c, &whole);

		/* one cut at every byte boundary (0 and len: empty piece) */
		same_split = 1;
		for (a = 0; a <= len; a++) {
			cuts[0] = a;
			feed_pieces(c->in, len, cuts, 1, &part);
			if (!same_result(&whole, &part)) {
				printf("data case %zu: differs when cut at"
				    " %zu\n", i, a);
				same_split = 0;
			}
			free(part.out);
		}
		CHECK(same_split);

		/* two cuts at every pair of boundaries */
		same_two = 1;
		for (a = 0; a <= len && same_two; a++)
			for (b = a; b <= len && same_two; b++) {
				cuts[0] = a;
				cuts[1] = b;
				feed_pieces(c->in, len, cuts, 2, &part);
				if (!same_result(&whole, &part)) {
					printf("data case %zu: differs when"
					    " cut at %zu and %zu\n", i, a, b);
					same_two = 0;
				}
				free(part.out);
			}
		CHECK(same_two);

		/* one byte at a time */
		every = malloc((len + 1) * sizeof(*every));
		for (a = 0; a < len; a++)
			every[a] = a + 1;
		feed_pieces(c->in, len, every, len, &part);
		same_bytes = same_result(&whole, &part);
		if (!same_bytes)
			printf("data case %zu: differs fed byte by byte\n", i);
		CHECK(same_bytes);
		free(part.out);
		free(every);
		free(whole.out);
	}
}

/* Header accounting: bytes and lines before the first empty line. */
static void
test_data_headers(void)
{
	static const char	 msg[] = "From: a@b.example\r\n"
	    "Subject: hi\r\n\r\nbody line that is the longest\r\n.\r\n";
	struct smtp_data	 d;
	char			 out[sizeof(msg) + 2];
	size_t			 used, outlen;

	smtp_data_init(&d);
	CHECK(d.state == SMTP_DATA_BOL);
	CHECK(d.in_headers == 1);
	CHECK(d.bare_cr == 0 && d.bare_lf == 0);
	used = smtp_data_feed(&d, msg, sizeof(msg) - 1, out, &outlen);
	CHECK(used == sizeof(msg) - 1);
	CHECK(d.state == SMTP_DATA_DONE);
	CHECK(d.in_headers == 0);
	CHECK(d.header_lines == 2);
	/* the empty line ending the header may count or not */
	CHECK(d.header_bytes == strlen("From: a@b.example\r\n"
	    "Subject: hi\r\n") || d.header_bytes == strlen(
	    "From: a@b.example\r\nSubject: hi\r\n\r\n"));
	CHECK(d.longest_line == strlen("body line that is the longest"));
	CHECK(outlen == sizeof(msg) - 1 - 3);

	/* once done, nothing more is taken */
	outlen = 99;
	used = smtp_data_feed(&d, "MAIL FROM:<a@b>\r\n", 17, out, &outlen);
	CHECK(used == 0);
	CHECK(outlen == 0);
	CHECK(d.state == SMTP_DATA_DONE);

	/* a message without a header/body separator stays in headers */
	smtp_data_init(&d);
	used = smtp_data_feed(&d, "X: 1\r\nY: 2\r\n", 12, out, &outlen);
	CHECK(used == 12);
	CHECK(d.in_headers == 1);
	CHECK(d.header_lines == 2);
	CHECK(d.header_bytes == 12);
}

/*
 * A long message in pieces of every size from 1 to 97: dot-stuffed lines,
 * smuggling attempts, CRs split from their LFs; always the same message,
 * ending exactly after its CRLF "." CRLF.
 */
static void
test_data_long(void)
{
	static const char	*lines[] = {
		"Subject: long", "", "..leading dot", "x\n.\ny", "x\r.\ry",
		"\n.\r", "..", "...", ".x", "ordinary text", "\r", "\n",
	};
	static const char	 tail[] = ".\r\nQUIT\r\n";
	char			*in, *want;
	size_t			 inlen = 0, wantlen = 0, n, k, nc, step;
	size_t			*cuts;
	struct feed_result	 r;
	int			 ok = 1;

	in = malloc(64 * 1024);
	want = malloc(64 * 1024);
	for (n = 0; n < 300; n++) {
		const char *l = lines[n % (sizeof(lines) / sizeof(lines[0]))];
		size_t ll = strlen(l);

		memcpy(in + inlen, l, ll);
		inlen += ll;
		memcpy(in + inlen, "\r\n", 2);
		inlen += 2;
		/* unstuffed: a leading dot goes */
		if (l[0] == '.') {
			memcpy(want + wantlen, l + 1, ll - 1);
			wantlen += ll - 1;
		} else {
			memcpy(want + wantlen, l, ll);
			wantlen += ll;
		}
		memcpy(want + wantlen, "\r\n", 2);
		wantlen += 2;
	}
	memcpy(in + inlen, tail, sizeof(tail) - 1);
	cuts = malloc((inlen + sizeof(tail)) * sizeof(*cuts));
	for (step = 1; step <= 97; step++) {
		nc = 0;
		for (k = step; k < inlen + sizeof(tail) - 1; k += step)
			cuts[nc++] = k;
		feed_pieces(in, inlen + sizeof(tail) - 1, cuts, nc, &r);
		if (r.bad_call || r.d.state != SMTP_DATA_DONE ||
		    r.consumed != inlen + 3 || r.outlen != wantlen ||
		    memcmp(r.out, want, wantlen) != 0) {
			printf("long message in pieces of %zu: consumed %zu"
			    " (want %zu), out %zu bytes (want %zu)\n", step,
			    r.consumed, inlen + 3, r.outlen, wantlen);
			ok = 0;
		}
		free(r.out);
	}
	CHECK(ok);
	free(cuts);
	free(in);
	free(want);
}

int
main(void)
{
	test_command();
	test_path();
	test_data();
	test_data_headers();
	test_data_long();
	return t_done();
}
