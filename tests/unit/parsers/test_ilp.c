/*
 * test_ilp.c - the ILP/1 parser: line gating and verbs, percent decoding,
 * and REPORT arguments from the wire to a finished report.
 */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "ilp.h"

static struct taxonomy	tax;

struct cmd_case {
	const char	*line;
	size_t		 len;		/* 0: strlen(line) */
	int		 rc;
	enum ilp_verb	 verb;
	const char	*arg;		/* when rc == 0 */
	const char	*why;		/* when rc == -1 */
};

static const struct cmd_case cmd_cases[] = {
	{ "PING", 0, 0, ILP_PING, "", NULL },
	{ "ping", 0, 0, ILP_PING, "", NULL },
	{ "  QUIT  ", 0, 0, ILP_QUIT, "", NULL },
	{ "Help", 0, 0, ILP_HELP, "", NULL },
	{ "AUTH itk_abc", 0, 0, ILP_AUTH, "itk_abc", NULL },
	{ "auth \t tok \t", 0, 0, ILP_AUTH, "tok", NULL },
	{ "STATUS IR-20261121-0001", 0, 0, ILP_STATUS, "IR-20261121-0001",
	    NULL },
	{ "REPORT category=spam  url=x", 0, 0, ILP_REPORT,
	    "category=spam  url=x", NULL },
	{ "REPORT\tcategory=spam", 0, 0, ILP_REPORT, "category=spam", NULL },
	{ "report description=Lừa%20đảo", 0, 0, ILP_REPORT,
	    "description=Lừa%20đảo", NULL },
	{ "FOO bar baz", 0, 0, ILP_UNKNOWN, "bar baz", NULL },
	{ "PINGX", 0, 0, ILP_UNKNOWN, "", NULL },
	{ "PIN", 0, 0, ILP_UNKNOWN, "", NULL },
	{ "GET / HTTP/1.1", 0, 0, ILP_UNKNOWN, "/ HTTP/1.1", NULL },
	{ "Đăng nhập", 0, 0, ILP_UNKNOWN, "nhập", NULL },
	{ "", 0, 0, ILP_EMPTY, "", NULL },
	{ "   \t ", 0, 0, ILP_EMPTY, "", NULL },
	{ "PING\0", 5, -1, 0, NULL, "NUL byte in line" },
	{ "\0", 1, -1, 0, NULL, "NUL byte in line" },
	{ "REPORT description=\xC3\x28", 0, -1, 0, NULL, "invalid UTF-8" },
	{ "REPORT a=\xC0\xAF", 0, -1, 0, NULL, "invalid UTF-8" },
	{ "REPORT a=\xED\xA0\x80", 0, -1, 0, NULL, "invalid UTF-8" },
	{ "REPORT a=\xF4\x90\x80\x80", 0, -1, 0, NULL, "invalid UTF-8" },
	{ "PING \xE2\x82", 0, -1, 0, NULL, "invalid UTF-8" },
	{ "\xFF" "PING", 0, -1, 0, NULL, "invalid UTF-8" },
	{ "PING\r", 0, -1, 0, NULL, "control character in line" },
	{ "PI\x1bNG", 0, -1, 0, NULL, "control character in line" },
	{ "PING \x7f", 0, -1, 0, NULL, "control character in line" },
	{ "PING \xC2\x85", 0, -1, 0, NULL, "control character in line" },
	{ "AUTH a\nb", 0, -1, 0, NULL, "control character in line" },
	{ "PING \xC2\xA0", 0, 0, ILP_PING, "\xC2\xA0", NULL },
};

static void
test_command(void)
{
	struct ilp_command	 cmd;
	const char		*why;
	size_t			 i, len;
	int			 rc;

	for (i = 0; i < sizeof(cmd_cases) / sizeof(cmd_cases[0]); i++) {
		const struct cmd_case *c = &cmd_cases[i];

		why = NULL;
		memset(&cmd, 0, sizeof(cmd));
		len = c->len ? c->len : strlen(c->line);
		rc = ilp_parse_command(c->line, len, &cmd, &why);
		if (rc != c->rc)
			printf("case %zu \"%s\": rc %d (%s)\n", i, c->line, rc,
			    why ? why : "");
		CHECK(rc == c->rc);
		if (c->rc == -1) {
			CHECK_STR(why, c->why);
			continue;
		}
		CHECK(cmd.verb == c->verb);
		CHECK(cmd.arglen == strlen(c->arg));
		CHECK(cmd.arg != NULL && cmd.arg >= c->line &&
		    cmd.arg + cmd.arglen <= c->line + len);
		if (cmd.arg != NULL)
			CHECK(memcmp(cmd.arg, c->arg, cmd.arglen) == 0);
	}
}

struct pct_case {
	const char	*src;
	long		 rc;
	const char	*want;
	size_t		 wantlen;
};

static const struct pct_case pct_cases[] = {
	{ "abc", 3, "abc", 3 },
	{ "", 0, "", 0 },
	{ "a%20b", 3, "a b", 3 },
	{ "%41%62", 2, "Ab", 2 },
	{ "%e2%82%AC", 3, "\xE2\x82\xAC", 3 },
	{ "a+b", 3, "a+b", 3 },
	{ "%25%2525", 4, "%%25", 4 },
	{ "a%00b", 3, "a\0b", 3 },
	{ "%", -1, NULL, 0 },
	{ "a%4", -1, NULL, 0 },
	{ "%4g", -1, NULL, 0 },
	{ "%g4", -1, NULL, 0 },
	{ "%%", -1, NULL, 0 },
	{ "ok%20then%", -1, NULL, 0 },
};

static void
test_percent(void)
{
	char	dst[64];
	size_t	i;
	long	rc;

	for (i = 0; i < sizeof(pct_cases) / sizeof(pct_cases[0]); i++) {
		const struct pct_case *c = &pct_cases[i];

		memset(dst, 'X', sizeof(dst));
		rc = ilp_percent_decode(c->src, strlen(c->src), dst);
		CHECK(rc == c->rc);
		if (c->rc < 0)
			continue;
		CHECK(memcmp(dst, c->want, c->wantlen) == 0);
		CHECK(dst[rc] == '\0');
	}
}

struct report_case {
	const char	*args;
	int		 rc;
	const char	*field;		/* error field, or category */
	const char	*reason;	/* error reason, or severity */
	const char	*desc;		/* description, NULL: none */
	const char	*inds;		/* "type:value " of each, in order */
};

static const struct report_case report_cases[] = {
	{ "category=phishing url=hxxps://evil%5B.%5Dexample/x", 0,
	    "phishing", "medium", NULL, "url:https://evil.example/x " },
	{ "category=phishing description=Fake%20bank%20login%0D%0Aline2 "
	    "source-ip=192.0.2.1", 0, "phishing", "medium",
	    "Fake bank login\r\nline2", "ipv4:192.0.2.1 " },
	{ " \tcategory=spam\tsource-ip=192.0.2.1  ", 0, "spam", "low", NULL,
	    "ipv4:192.0.2.1 " },
	{ "CATEGORY=Spam Source_IP=2001:DB8::1 severity=High", 0, "spam",
	    "high", NULL, "ipv6:2001:db8::1 " },
	{ "category=fraud description=a+b", 0, "fraud", "medium", "a+b", "" },
	{ "%63ategory=spam domain=A.Example", 0, "spam", "low", NULL,
	    "domain:a.example " },
	{ "category=spam source-ip=192.0.2.1 source-ip=192.0.2.1 "
	    "target-ip=192.0.2.1 domain=a.example", 0, "spam", "low", NULL,
	    "ipv4:192.0.2.1 domain:a.example " },
	{ "category=ransomware description=L%E1%BB%ABa%20%C4%91%E1%BA%A3o "
	    "hash=D41D8CD98F00B204E9800998ECF8427E cve=cve-2021-44228 "
	    "email=x@Example.com", 0, "ransomware", "critical",
	    "Lừa đảo", "md5:d41d8cd98f00b204e9800998ecf8427e "
	    "cve:CVE-2021-44228 email:x@example.com " },
	{ "category=spam source-ip=192.0.2.1 description=", 0, "spam", "low",
	    NULL, "ipv4:192.0.2.1 " },
	{ "", -1, "category", "required", NULL, NULL },
	{ "   ", -1, "category", "required", NULL, NULL },
	{ "category=spam", -1, "description",
	    "required when no indicator is given", NULL, NULL },
	{ "category", -1, "category", "syntax: expected name=value", NULL,
	    NULL },
	{ "category=spam url", -1, "url", "syntax: expected name=value", NULL,
	    NULL },
	{ "=spam", -1, "", "syntax: empty field name", NULL, NULL },
	{ "category=spam description=100%", -1, "description",
	    "malformed percent escape (want %XX)", NULL, NULL },
	{ "category=spam description=%zz", -1, "description",
	    "malformed percent escape (want %XX)", NULL, NULL },
	{ "cat%gory=spam", -1, "cat%gory",
	    "syntax: malformed percent escape in name", NULL, NULL },
	{ "category=spam colour=red", -1, "colour", "unknown field", NULL,
	    NULL },
	{ "category=spam description=a%00b", -1, "description",
	    "control character", NULL, NULL },
	{ "category=spam description=%C3%28", -1, "description",
	    "invalid UTF-8", NULL, NULL },
	{ "category=spam category=phishing", -1, "category", "given twice",
	    NULL, NULL },
	{ "category=nope description=x", -1, "category", "unknown category",
	    NULL, NULL },
	{ "category=spam source-ip=1.2.3.999", -1, "source-ip",
	    "IPv4 octet above 255", NULL, NULL },
	{ "category=spam url=http://a%20b.example/", -1, "url", "space in URL",
	    NULL, NULL },
	{ "category=spam domain%00x=a.example", -1, "domain?x",
	    "unknown field", NULL, NULL },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "=x", -1, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "unknown field", NULL,
	    NULL },
};

/* "type:value " for each indicator, in order. */
static const char *
inds(const struct report *r, char *buf, size_t len)
{
	size_t	i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < r->n_indicators && o < len; i++)
		o += snprintf(buf + o, len - o, "%s:%s ",
		    ind_type_name(r->indicators[i].type),
		    r->indicators[i].value);
	return buf;
}

static void
test_report(void)
{
	struct report_limits	lim;
	struct report		r;
	struct report_error	err;
	char			buf[512];
	size_t			i;
	int			rc;

	report_limits_default(&lim);
	for (i = 0; i < sizeof(report_cases) / sizeof(report_cases[0]); i++) {
		const struct report_case *c = &report_cases[i];

		memset(&err, 'X', sizeof(err));
		rc = ilp_parse_report(c->args, strlen(c->args), &tax, &lim,
		    &r, &err);
		if (rc != c->rc)
			printf("case %zu \"%s\": rc %d (%s: %s)\n", i, c->args,
			    rc, err.field, err.reason);
		CHECK(rc == c->rc);
		if (c->rc == -1) {
			CHECK_STR(err.field, c->field);
			CHECK_STR(err.reason, c->reason);
		} else {
			CHECK(r.category != NULL);
			if (r.category != NULL)
				CHECK_STR(r.category->code, c->field);
			CHECK_STR(severity_name(r.severity), c->reason);
			if (c->desc == NULL)
				CHECK(r.description == NULL);
			else
				CHECK_STR(r.description, c->desc);
			CHECK_STR(inds(&r, buf, sizeof(buf)), c->inds);
		}
		report_free(&r);
	}
}

static void
test_report_limits(void)
{
	struct report_limits	lim;
	struct report		r;
	struct report_error	err;
	static const char	three[] = "category=spam domain=a.example "
	    "domain=b.example";
	static const char	nine[] = "category=spam "
	    "description=%41%41%41%41%41%41%41%41%41";
	static const char	org[] = "category=spam description=x "
	    "organization=%41%42%43%44%45";
	char			line[8192];
	size_t			o = 0;
	int			i;

	report_limits_default(&lim);
	lim.fields_max = 2;
	CHECK(ilp_parse_report(three, strlen(three), &tax, &lim, &r,
	    &err) == -1);
	CHECK_STR(err.field, "domain");
	CHECK_STR(err.reason, "too many fields (max 2)");
	report_free(&r);
	lim.fields_max = 3;
	CHECK(ilp_parse_report(three, strlen(three), &tax, &lim, &r,
	    &err) == 0);
	CHECK(r.n_indicators == 2 && r.n_fields == 3);
	report_free(&r);

	/* a decoded value over field_max, though the line is short */
	lim.description_max = 8;
	CHECK(ilp_parse_report(nine, strlen(nine), &tax, &lim, &r,
	    &err) == -1);
	CHECK_STR(err.field, "description");
	CHECK_STR(err.reason, "too long (max 8 bytes)");
	report_free(&r);
	CHECK(ilp_parse_report(nine, strlen(nine) - 3, &tax, &lim, &r,
	    &err) == 0);
	CHECK_STR(r.description, "AAAAAAAA");
	report_free(&r);
	report_limits_default(&lim);
	lim.field_max = 4;
	CHECK(ilp_parse_report(org, strlen(org), &tax, &lim, &r, &err) == -1);
	CHECK_STR(err.field, "organization");
	CHECK_STR(err.reason, "too long (max 4 bytes)");
	report_free(&r);

	/* a full-size line: 129 fields against the default 128 */
	report_limits_default(&lim);
	o = snprintf(line, sizeof(line), "category=scan");
	for (i = 0; i < 128; i++)
		o += snprintf(line + o, sizeof(line) - o, " source-ip=10.0.%d.%d",
		    i / 200, i % 200);
	CHECK(ilp_parse_report(line, o, &tax, &lim, &r, &err) == -1);
	CHECK_STR(err.reason, "too many fields (max 128)");
	report_free(&r);
	CHECK(ilp_parse_report(line, o - strlen(" source-ip=10.0.0.127"),
	    &tax, &lim, &r, &err) == 0);
	CHECK(r.n_indicators == 127);
	report_free(&r);

	/* err may be NULL; r is usable either way */
	CHECK(ilp_parse_report("bad", 3, &tax, &lim, &r, NULL) == -1);
	report_free(&r);
}

int
main(void)
{
	char	err[128];

	if (taxonomy_parse(&tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == -1) {
		printf("FAIL taxonomy: %s\n", err);
		return 1;
	}
	test_command();
	test_percent();
	test_report();
	test_report_limits();
	taxonomy_free(&tax);
	return t_done();
}
