/*
 * ilp.c - the ILP/1 command parser: one framed line to a verb and its
 * argument, and the arguments of REPORT (name=value pairs, percent-encoded)
 * to a validated struct report.
 *
 * Lines are judged whole before they are split: a NUL byte, malformed UTF-8
 * or a control character other than TAB refuses the line. Every function is
 * linear in its input; ilp_parse_report allocates one scratch buffer the
 * size of its arguments and whatever the report keeps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ilp.h"

#define ILP_NAME_MAX	64	/* decoded field names longer are unknown */

#define ILP_BLANK(c)	((c) == ' ' || (c) == '\t')

static const struct {
	const char	*name;
	size_t		 len;
	enum ilp_verb	 verb;
} ilp_verbs[] = {
	{ "AUTH", 4, ILP_AUTH },
	{ "REPORT", 6, ILP_REPORT },
	{ "STATUS", 6, ILP_STATUS },
	{ "PING", 4, ILP_PING },
	{ "QUIT", 4, ILP_QUIT },
	{ "HELP", 4, ILP_HELP },
};

static int	ilp_has_controls(const char *, size_t);
static void	ilp_shown(char *, size_t, const char *, size_t);
static int	ilp_fail(struct report_error *, const char *, size_t,
		    const char *);
static int	ilp_pair(const char *, size_t, char *,
		    const struct taxonomy *, const struct report_limits *,
		    struct report *, struct report_error *);

/*
 * 1 when the line holds a C0 control other than TAB, DEL or a C1 control
 * (UTF-8 C2 80..9F). The line is known to be valid UTF-8.
 */
static int
ilp_has_controls(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i;

	for (i = 0; i < len; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7F)
			continue;
		if (p[i] == '\t')
			continue;
		if (p[i] < 0x20 || p[i] == 0x7F)
			return 1;
		if (p[i] == 0xC2 && i + 1 < len && p[i + 1] <= 0x9F)
			return 1;
	}
	return 0;
}

int
ilp_parse_command(const char *line, size_t len, struct ilp_command *cmd,
    const char **why)
{
	const char	*p = line, *end = line + len, *verb;
	size_t		 vlen, i;

	if (memchr(line, '\0', len) != NULL) {
		*why = "NUL byte in line";
		return -1;
	}
	if (!utf8_valid(line, len)) {
		*why = "invalid UTF-8";
		return -1;
	}
	if (ilp_has_controls(line, len)) {
		*why = "control character in line";
		return -1;
	}
	while (p < end && ILP_BLANK(*p))
		p++;
	while (end > p && ILP_BLANK(end[-1]))
		end--;
	cmd->verb = ILP_EMPTY;
	cmd->arg = end;
	cmd->arglen = 0;
	if (p == end)
		return 0;
	for (verb = p; p < end && !ILP_BLANK(*p); p++)
		;
	vlen = p - verb;
	while (p < end && ILP_BLANK(*p))
		p++;
	cmd->arg = p;
	cmd->arglen = end - p;
	cmd->verb = ILP_UNKNOWN;
	for (i = 0; i < sizeof(ilp_verbs) / sizeof(ilp_verbs[0]); i++)
		if (ilp_verbs[i].len == vlen &&
		    strncasecmp(ilp_verbs[i].name, verb, vlen) == 0) {
			cmd->verb = ilp_verbs[i].verb;
			break;
		}
	return 0;
}

long
ilp_percent_decode(const char *src, size_t len, char *dst)
{
	const char	*pct;
	size_t		 i = 0, o = 0, run;
	int		 hi, lo;

	while (i < len) {
		pct = memchr(src + i, '%', len - i);
		run = (pct ? (size_t)(pct - src) : len) - i;
		memcpy(dst + o, src + i, run);
		o += run;
		i += run;
		if (pct == NULL)
			break;
		if (len - i < 3 || (hi = text_hexval(src[i + 1])) < 0 ||
		    (lo = text_hexval(src[i + 2])) < 0) {
			dst[o] = '\0';
			return -1;
		}
		dst[o++] = (char)(hi << 4 | lo);
		i += 3;
	}
	dst[o] = '\0';
	return (long)o;
}

/* A name from the line made safe to echo: printable ASCII, truncated. */
static void
ilp_shown(char *dst, size_t dstlen, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len && i + 1 < dstlen; i++)
		dst[i] = (s[i] > 0x20 && s[i] < 0x7F) ? s[i] : '?';
	dst[i] = '\0';
}

static int
ilp_fail(struct report_error *err, const char *field, size_t flen,
    const char *reason)
{
	ilp_shown(err->field, sizeof(err->field), field, flen);
	snprintf(err->reason, sizeof(err->reason), "%s", reason);
	return -1;
}

/*
 * One "name=value" token: decode both (the value into scratch, which has
 * room for the token) and set the field. 0 or -1 with err filled.
 */
static int
ilp_pair(const char *tok, size_t toklen, char *scratch,
    const struct taxonomy *tax, const struct report_limits *lim,
    struct report *r, struct report_error *err)
{
	char		 name[ILP_NAME_MAX + 1];
	const char	*eq;
	size_t		 nlen;
	long		 n, v;

	if ((eq = memchr(tok, '=', toklen)) == NULL)
		return ilp_fail(err, tok, toklen,
		    "syntax: expected name=value");
	nlen = eq - tok;
	if (nlen == 0)
		return ilp_fail(err, "", 0, "syntax: empty field name");
	if (nlen > ILP_NAME_MAX)
		return ilp_fail(err, tok, nlen, "unknown field");
	if ((n = ilp_percent_decode(tok, nlen, name)) < 0)
		return ilp_fail(err, tok, nlen,
		    "syntax: malformed percent escape in name");
	v = ilp_percent_decode(eq + 1, toklen - nlen - 1, scratch);
	if (v < 0)
		return ilp_fail(err, name, n,
		    "malformed percent escape (want %XX)");
	return report_set_field(r, tax, lim, name, n, scratch, v, err);
}

/*
 * Parse REPORT arguments into r, which this function initialises; see
 * ilp.h for the contract.
 */
int
ilp_parse_report(const char *args, size_t len, const struct taxonomy *tax,
    const struct report_limits *lim, struct report *r,
    struct report_error *err)
{
	struct report_error	 dummy;
	const char		*p = args, *end = args + len, *tok;
	char			*scratch;

	if (err == NULL)
		err = &dummy;
	err->field[0] = '\0';
	err->reason[0] = '\0';
	report_init(r);
	if ((scratch = malloc(len + 1)) == NULL) {
		errno = ENOMEM;
		return ilp_fail(err, "", 0, "out of memory");
	}
	for (;;) {
		while (p < end && ILP_BLANK(*p))
			p++;
		if (p == end)
			break;
		for (tok = p; p < end && !ILP_BLANK(*p); p++)
			;
		if (ilp_pair(tok, p - tok, scratch, tax, lim, r, err) == -1) {
			free(scratch);
			return -1;
		}
	}
	free(scratch);
	return report_finish(r, err);
}
