/*
 * ilp.h - the ILP/1 command parser (line protocol, see README "Line
 * protocol"). Pure functions over one line that the session has already
 * framed (CRLF or LF stripped, length bounded by LINE_MAX_BYTES).
 *
 * Borrowed pointers in struct ilp_command point into the caller's line and
 * live as long as it does.
 */
#ifndef ILP_H
#define ILP_H

#include <stddef.h>
#include "report.h"

enum ilp_verb {
	ILP_EMPTY,	/* blank line: ignored, no reply */
	ILP_AUTH,
	ILP_REPORT,
	ILP_STATUS,
	ILP_PING,
	ILP_QUIT,
	ILP_HELP,
	ILP_UNKNOWN
};

struct ilp_command {
	enum ilp_verb	 verb;
	const char	*arg;		/* text after the verb and one space run */
	size_t		 arglen;
};

/*
 * Split a line into verb (case-insensitive) and argument. Refuses lines with
 * NUL bytes, invalid UTF-8 or control characters (other than TAB). Returns 0
 * with cmd filled, or -1 with *why set to a static reason for a 500 reply.
 * An unknown verb is not an error: cmd->verb is ILP_UNKNOWN.
 */
int ilp_parse_command(const char *line, size_t len, struct ilp_command *cmd,
    const char **why);

/*
 * Parse the arguments of REPORT: space-separated name=value pairs, values
 * percent-encoded. Each pair goes through report_set_field(); then
 * report_finish(). Returns 0 with *r filled (caller owns it, even on error:
 * call report_free either way), or -1 with err naming the field and why.
 */
int ilp_parse_report(const char *args, size_t len, const struct taxonomy *tax,
    const struct report_limits *lim, struct report *r,
    struct report_error *err);

/*
 * Decode %XX escapes of src[0..len) into dst (at least len+1 bytes);
 * '+' is left as is. Returns the decoded length, or -1 on a malformed
 * escape. dst is NUL-terminated.
 */
long ilp_percent_decode(const char *src, size_t len, char *dst);

#endif
