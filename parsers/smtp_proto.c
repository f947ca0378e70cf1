/*
 * smtp_proto.c - SMTP command lines, MAIL/RCPT paths and the DATA decoder
 * (see smtp_proto.h). Everything is bounded by its input: a command line is
 * at most what the session framed, a path at most SMTP_PATH_MAX bytes.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "report.h"
#include "smtp_proto.h"

static const struct {
	const char	*name;
	enum smtp_verb	 verb;
} smtp_verbs[] = {
	{ "AUTH", SMTP_CMD_AUTH },
	{ "BDAT", SMTP_CMD_BDAT },
	{ "DATA", SMTP_CMD_DATA },
	{ "EHLO", SMTP_CMD_EHLO },
	{ "EXPN", SMTP_CMD_EXPN },
	{ "HELO", SMTP_CMD_HELO },
	{ "HELP", SMTP_CMD_HELP },
	{ "MAIL", SMTP_CMD_MAIL },
	{ "NOOP", SMTP_CMD_NOOP },
	{ "QUIT", SMTP_CMD_QUIT },
	{ "RCPT", SMTP_CMD_RCPT },
	{ "RSET", SMTP_CMD_RSET },
	{ "STARTTLS", SMTP_CMD_STARTTLS },
	{ "VRFY", SMTP_CMD_VRFY },
};

int
smtp_parse_command(const char *line, size_t len, struct smtp_command *cmd,
    const char **why)
{
	size_t	i, vlen;

	if (memchr(line, '\0', len) != NULL) {
		*why = "NUL byte in command";
		return -1;
	}
	if (!utf8_valid(line, len)) {
		*why = "invalid UTF-8 in command";
		return -1;
	}
	/* TAB is harmless; a CR or LF inside a command line never is */
	if (text_has_controls(line, len, 1) || memchr(line, '\r', len) != NULL ||
	    memchr(line, '\n', len) != NULL) {
		*why = "control character in command";
		return -1;
	}
	for (vlen = 0; vlen < len && line[vlen] != ' '; vlen++)
		;
	cmd->verb = SMTP_CMD_UNKNOWN;
	for (i = 0; i < sizeof(smtp_verbs) / sizeof(smtp_verbs[0]); i++) {
		if (strlen(smtp_verbs[i].name) == vlen &&
		    strncasecmp(smtp_verbs[i].name, line, vlen) == 0) {
			cmd->verb = smtp_verbs[i].verb;
			break;
		}
	}
	while (vlen < len && line[vlen] == ' ')
		vlen++;
	cmd->arg = line + vlen;
	cmd->arglen = len - vlen;
	while (cmd->arglen > 0 && (cmd->arg[cmd->arglen - 1] == ' ' ||
	    cmd->arg[cmd->arglen - 1] == '\t'))
		cmd->arglen--;
	return 0;
}

/* Copy the mailbox of "<...>" into out, dropping an RFC 5321 source route. */
static int
smtp_path_mailbox(const char *p, size_t len, char *out, const char **why)
{
	const char	*colon, *at;
	size_t		 i;

	if (len > 0 && p[0] == '@') {		/* <@a,@b:user@host> */
		if ((colon = memchr(p, ':', len)) == NULL) {
			*why = "bad source route";
			return -1;
		}
		len -= colon + 1 - p;
		p = colon + 1;
	}
	if (len > SMTP_PATH_MAX) {
		*why = "address too long";
		return -1;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)p[i] <= ' ' || p[i] == '<' || p[i] == '>') {
			*why = "invalid character in address";
			return -1;
		}
	}
	at = len > 0 ? memrchr(p, '@', len) : NULL;
	if (at == NULL || at == p || at == p + len - 1) {
		*why = "address must be local@domain";
		return -1;
	}
	memcpy(out, p, len);
	out[len] = '\0';
	for (i = at - p; i < len; i++)
		out[i] = tolower((unsigned char)out[i]);
	return 0;
}

/* One ESMTP parameter of MAIL; 0 or -1 (unknown or bad value). */
static int
smtp_path_param(struct smtp_path *out, const char *p, size_t len)
{
	const char	*eq = memchr(p, '=', len);
	size_t		 klen = eq ? (size_t)(eq - p) : len;
	const char	*v = eq ? eq + 1 : NULL;
	size_t		 vlen = eq ? len - klen - 1 : 0;
	long long	 n = 0;
	size_t		 i;

	if (klen == 4 && strncasecmp(p, "SIZE", 4) == 0 && v != NULL) {
		if (vlen == 0 || vlen > 18)
			return -1;
		for (i = 0; i < vlen; i++) {
			if (!isdigit((unsigned char)v[i]))
				return -1;
			n = n * 10 + (v[i] - '0');
		}
		out->size = n;
		return 0;
	}
	if (klen == 4 && strncasecmp(p, "BODY", 4) == 0 && v != NULL) {
		if (vlen == 8 && strncasecmp(v, "8BITMIME", 8) == 0)
			out->body_8bit = 1;
		else if (!(vlen == 4 && strncasecmp(v, "7BIT", 4) == 0))
			return -1;
		return 0;
	}
	if (klen == 8 && strncasecmp(p, "SMTPUTF8", 8) == 0 && v == NULL) {
		out->smtputf8 = 1;
		return 0;
	}
	return -1;
}

int
smtp_parse_path(const char *arg, size_t len, int is_mail,
    struct smtp_path *out, int *code, const char **why)
{
	const char	*kw = is_mail ? "FROM:" : "TO:";
	size_t		 kwlen = strlen(kw), i, start;
	const char	*close;

	memset(out, 0, sizeof(*out));
	out->size = -1;
	*code = 501;
	if (len < kwlen || strncasecmp(arg, kw, kwlen) != 0) {
		*why = is_mail ? "syntax: MAIL FROM:<address>" :
		    "syntax: RCPT TO:<address>";
		return -1;
	}
	arg += kwlen;
	len -= kwlen;
	while (len > 0 && *arg == ' ')	/* "FROM: <a@b>" is common */
		arg++, len--;
	if (len == 0 || arg[0] != '<' ||
	    (close = memchr(arg, '>', len)) == NULL) {
		*why = "address must be in angle brackets";
		return -1;
	}
	if (close == arg + 1) {
		if (!is_mail) {
			*code = 553;
			*why = "empty recipient";
			return -1;
		}
		out->addr[0] = '\0';
	} else if (smtp_path_mailbox(arg + 1, close - arg - 1, out->addr,
	    why) == -1) {
		*code = 553;
		return -1;
	}
	i = close + 1 - arg;
	while (i < len) {
		while (i < len && arg[i] == ' ')
			i++;
		start = i;
		while (i < len && arg[i] != ' ')
			i++;
		if (i > start && (!is_mail ||
		    smtp_path_param(out, arg + start, i - start) == -1)) {
			*code = 555;
			*why = "unsupported parameter";
			return -1;
		}
	}
	return 0;
}

void
smtp_data_init(struct smtp_data *d)
{
	memset(d, 0, sizeof(*d));
	d->state = SMTP_DATA_BOL;	/* DATA's own CRLF starts a line */
	d->in_headers = 1;
}

/* A line of the message ended (at a CRLF): header accounting. */
static void
smtp_data_end_line(struct smtp_data *d)
{
	if (d->line_len > d->longest_line)
		d->longest_line = d->line_len;
	if (d->in_headers) {
		if (d->line_len == 0)
			d->in_headers = 0;
		else
			d->header_lines++;
	}
	d->line_len = 0;
}

static void
smtp_data_emit(struct smtp_data *d, char c, char *out, size_t *o)
{
	out[(*o)++] = c;
	d->line_len++;
	if (d->in_headers)
		d->header_bytes++;
}

size_t
smtp_data_feed(struct smtp_data *d, const char *in, size_t len, char *out,
    size_t *outlen)
{
	size_t	i = 0, o = 0;
	char	c;

	while (i < len && d->state != SMTP_DATA_DONE) {
		c = in[i++];
		switch (d->state) {
		case SMTP_DATA_BOL:
			if (c == '.') {
				d->state = SMTP_DATA_DOT;
				break;
			}
			/* FALLTHROUGH */
		case SMTP_DATA_LINE:
			if (c == '\r')
				d->state = SMTP_DATA_CR;
			else {
				if (c == '\n')
					d->bare_lf++;
				smtp_data_emit(d, c, out, &o);
				d->state = SMTP_DATA_LINE;
			}
			break;
		case SMTP_DATA_CR:
			if (c == '\n') {
				out[o++] = '\r';
				out[o++] = '\n';
				if (d->in_headers)
					d->header_bytes += 2;
				smtp_data_end_line(d);
				d->state = SMTP_DATA_BOL;
			} else {
				d->bare_cr++;
				smtp_data_emit(d, '\r', out, &o);
				d->state = SMTP_DATA_LINE;
				i--;		/* c again, inside the line */
			}
			break;
		case SMTP_DATA_DOT:
			if (c == '\r')
				d->state = SMTP_DATA_DOT_CR;
			else {
				/* dot-stuffing: the leading dot goes */
				d->state = SMTP_DATA_LINE;
				i--;
			}
			break;
		case SMTP_DATA_DOT_CR:
			if (c == '\n')
				d->state = SMTP_DATA_DONE;
			else {
				/* ".\rX": an unstuffed line "\rX" */
				d->bare_cr++;
				smtp_data_emit(d, '\r', out, &o);
				d->state = SMTP_DATA_LINE;
				i--;
			}
			break;
		case SMTP_DATA_DONE:
			break;
		}
	}
	*outlen = o;
	return i;
}
