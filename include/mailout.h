/*
 * mailout.h - the mail the daemon sends (receipts, forwards to the
 * coordinator), built as RFC 5322 / MIME bytes ready for the relay.
 *
 * Everything that goes into a header may come from a report, so from an
 * attacker: a value never ends a header line. Addresses and message IDs
 * must pass mailout_addr_valid() / mailout_msgid_valid() or the build
 * fails; free text (subject, display names) is folded into RFC 2047
 * encoded words whenever it is not plain printable ASCII, so a CR or LF in
 * it is inert encoded text, never a new header. Bodies are UTF-8 text and
 * attachments, base64-encoded in lines of 76.
 *
 * Pure: no I/O, no globals, no clock (the caller gives the date).
 */
#ifndef MAILOUT_H
#define MAILOUT_H

#include <stddef.h>
#include <time.h>

struct page_buf;

/* Longest address (RFC 5321: a path of 256 with its brackets). */
#define MAILOUT_ADDR_MAX	254
/* Longest Message-ID we send or refer to, without its brackets. */
#define MAILOUT_MSGID_MAX	250

struct mailout_attachment {
	const char	*content_type;	/* "application/json" */
	const char	*filename;	/* ASCII: [A-Za-z0-9._-] */
	const char	*data;
	size_t		 len;
};

struct mailout {
	const char	*from;		/* address */
	const char	*from_name;	/* UTF-8 display name, or NULL */
	const char	*to;		/* address */
	const char	*subject;	/* UTF-8 */
	const char	*message_id;	/* ours, without brackets */
	const char	*in_reply_to;	/* the message answered, or NULL */
	const char	*loop;		/* the loop header's value (our name) */
	int		 auto_replied;	/* Auto-Submitted: auto-replied, else
					   auto-generated */
	time_t		 date;
	const char	*text;		/* UTF-8 body */
	size_t		 text_len;
	const struct mailout_attachment *attachments;
	size_t		 n_attachments;
};

/*
 * Whether addr is an address we will put in a header and hand to the
 * relay: local@domain, printable ASCII without blanks, brackets, quotes,
 * commas or semicolons, one '@', a dotted domain, at most
 * MAILOUT_ADDR_MAX bytes. Internationalised addresses are refused rather
 * than guessed at. 1 or 0.
 */
int	mailout_addr_valid(const char *addr);

/*
 * Whether id (with or without its angle brackets) is a Message-ID we may
 * repeat in In-Reply-To: printable ASCII, no blanks, one '@' inside, at
 * most MAILOUT_MSGID_MAX bytes. 1 or 0.
 */
int	mailout_msgid_valid(const char *id);

/*
 * Append the whole message to out, with CRLF line ends and nothing longer
 * than 998 bytes a line. Returns 0, or -1 with err filled (an invalid
 * address or Message-ID, text that is not UTF-8, out of memory).
 */
int	mailout_build(const struct mailout *m, struct page_buf *out,
	    char *err, size_t errlen);

#endif
