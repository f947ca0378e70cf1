/*
 * smtp_proto.h - the pure parts of the SMTP server: command lines, MAIL and
 * RCPT paths with their parameters, and the DATA decoder.
 *
 * The DATA decoder is fed the bytes after "354" in pieces of any size. It
 * removes dot-stuffing and finds the end of the message, which is CRLF "."
 * CRLF and nothing else: a bare CR or a bare LF never ends a line, so
 * "\n.\n", "\r.\r", "\n.\r\n" or "\r\n.\n" are ordinary message bytes and
 * can never split one message into two (SMTP smuggling). Bare CR and LF are
 * counted so the session can record them.
 *
 * No I/O, no allocation except where stated, no globals.
 */
#ifndef SMTP_PROTO_H
#define SMTP_PROTO_H

#include <stddef.h>

enum smtp_verb {
	SMTP_CMD_HELO,
	SMTP_CMD_EHLO,
	SMTP_CMD_MAIL,
	SMTP_CMD_RCPT,
	SMTP_CMD_DATA,
	SMTP_CMD_RSET,
	SMTP_CMD_NOOP,
	SMTP_CMD_QUIT,
	SMTP_CMD_VRFY,
	SMTP_CMD_EXPN,
	SMTP_CMD_HELP,
	SMTP_CMD_STARTTLS,
	SMTP_CMD_AUTH,
	SMTP_CMD_BDAT,
	SMTP_CMD_UNKNOWN
};

struct smtp_command {
	enum smtp_verb	 verb;
	const char	*arg;		/* after the verb and its spaces */
	size_t		 arglen;
};

/*
 * Split a command line (without its CRLF) into verb and argument. Refuses
 * NUL bytes and control characters other than TAB, and invalid UTF-8.
 * Returns 0, or -1 with *why set to a static reason.
 */
int smtp_parse_command(const char *line, size_t len, struct smtp_command *cmd,
    const char **why);

#define SMTP_PATH_MAX	256	/* RFC 5321 4.5.3.1.3 */

struct smtp_path {
	char		addr[SMTP_PATH_MAX + 1];	/* "" = null sender */
	long long	size;		/* SIZE=, -1 when not given */
	int		body_8bit;	/* BODY=8BITMIME */
	int		smtputf8;	/* SMTPUTF8 */
};

/*
 * Parse the argument of MAIL ("FROM:<a@b> SIZE=1 BODY=8BITMIME SMTPUTF8")
 * or RCPT ("TO:<a@b>"). Source routes ("<@x,@y:a@b>") are stripped; the
 * null path "<>" is allowed for MAIL only. The address is lower-cased in its
 * domain part. Returns 0, or -1 with *why and *code set: 501 syntax, 553 bad
 * address, 555 unknown parameter.
 */
int smtp_parse_path(const char *arg, size_t len, int is_mail,
    struct smtp_path *out, int *code, const char **why);

enum smtp_data_state {
	SMTP_DATA_LINE,		/* inside a line */
	SMTP_DATA_CR,		/* after CR */
	SMTP_DATA_BOL,		/* at the start of a line (after CRLF) */
	SMTP_DATA_DOT,		/* after CRLF "." */
	SMTP_DATA_DOT_CR,	/* after CRLF "." CR */
	SMTP_DATA_DONE		/* CRLF "." CRLF seen */
};

struct smtp_data {
	enum smtp_data_state state;
	size_t		bare_cr;	/* CR not followed by LF */
	size_t		bare_lf;	/* LF not preceded by CR */
	int		in_headers;	/* before the first empty line */
	size_t		header_bytes;
	size_t		header_lines;
	size_t		line_len;	/* current line, for the longest */
	size_t		longest_line;
};

void smtp_data_init(struct smtp_data *d);

/*
 * Decode in[0..len): unstuffed message bytes go to out, *outlen says how
 * many; out needs room for len + 2 bytes (a CR held back from the previous
 * piece may come out now). Returns the number of input bytes consumed: all
 * of them, or fewer when the end of data was reached (d->state is then
 * SMTP_DATA_DONE and the rest belongs to the next command). The terminating
 * CRLF "." CRLF is not part of the output; the message keeps its final CRLF.
 */
size_t smtp_data_feed(struct smtp_data *d, const char *in, size_t len,
    char *out, size_t *outlen);

#endif
