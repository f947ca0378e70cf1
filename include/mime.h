/*
 * mime.h - e-mail messages (RFC 5322 + MIME, RFC 2045-2049, 2047, 2231)
 * parsed into a tree of parts, for the SMTP intake and the ARF/X-ARF
 * parsers and the indicator extractor built on it.
 *
 * mime_parse() takes a whole message in memory and never rejects it: broken
 * input (bare LF line endings, missing blank line, missing boundaries, bad
 * base64, unknown charsets, limits reached) sets MIME_F_* flags on the part
 * concerned, and on the message, and parsing goes on with what there is.
 * It fails only on ENOMEM or an empty message.
 *
 * Pointer lifetimes:
 * - Everything reachable from a struct mime_message (parts, headers,
 *   parameters, strings, decoded bodies, texts) is owned by it and lives
 *   until mime_free(). Never free or modify any of it.
 * - Spans marked "borrowed" (header raw values, body_raw, and body when the
 *   transfer encoding is 7bit/8bit/binary) point into the caller's message
 *   buffer, or into a decoded buffer owned by the mime_message for parts of
 *   a base64/quoted-printable encoded message/rfc822. The caller's buffer
 *   must therefore outlive the mime_message.
 * - Strings documented as NUL-terminated are also well-formed UTF-8 without
 *   NUL bytes. Spans (pointer + length) are not NUL-terminated.
 *
 * Nothing here does I/O, logs or keeps global state; a mime_message may be
 * read from several threads once built.
 */
#ifndef MIME_H
#define MIME_H

#include <stddef.h>
#include <time.h>

#include "limits_gw.h"

/* Per-part defects; a message's flags are the union of its parts'. */
#define MIME_F_TRUNCATED	0x0001	/* decoded output hit max_decoded_bytes */
#define MIME_F_BAD_BASE64	0x0002	/* garbage, lone or missing padding */
#define MIME_F_BAD_QP		0x0004	/* '=' not followed by hex or EOL */
#define MIME_F_MISSING_BOUNDARY	0x0008	/* no boundary param / delimiter / close */
#define MIME_F_HEADER_LIMIT	0x0010	/* headers over max_header_bytes/count */
#define MIME_F_PART_LIMIT	0x0020	/* parts over max_parts: rest not split */
#define MIME_F_DEPTH_LIMIT	0x0040	/* nested deeper than max_depth */
#define MIME_F_BAD_HEADER	0x0080	/* line without colon: skipped (a first
					   line that is no header starts
					   the body: no headers) */
#define MIME_F_NO_SEPARATOR	0x0100	/* no empty line after headers */
#define MIME_F_BAD_CONTENT_TYPE	0x0200	/* unparsable Content-Type: default */
#define MIME_F_BAD_ENCODING	0x0400	/* unknown transfer encoding: as is */
#define MIME_F_BAD_CHARSET	0x0800	/* unknown charset: fallback decoding */
#define MIME_F_BAD_TEXT		0x1000	/* bytes invalid in charset (or NUL) */
#define MIME_F_8BIT_HEADER	0x2000	/* raw non-ASCII bytes in a header */

/* Hard ceiling on max_depth whatever the caller asks (stack use). */
#define MIME_DEPTH_HARD_MAX	64

struct mime_limits {
	size_t	max_depth;		/* nesting, root = 0 (MIME_DEPTH_MAX) */
	size_t	max_parts;		/* parts in the whole tree (MIME_PARTS_MAX) */
	size_t	max_header_bytes;	/* per header block (SMTP_HEADER_BYTES_MAX) */
	size_t	max_headers;		/* per header block (SMTP_HEADERS_MAX) */
	size_t	max_decoded_bytes;	/* all decoded bodies + texts (64 MiB) */
};

/* Fill lim with the defaults of limits_gw.h. */
void	mime_limits_default(struct mime_limits *lim);

enum mime_cte {
	MIME_CTE_7BIT,		/* also the default when absent */
	MIME_CTE_8BIT,
	MIME_CTE_BINARY,
	MIME_CTE_BASE64,
	MIME_CTE_QP,
	MIME_CTE_UNKNOWN	/* taken as is, with MIME_F_BAD_ENCODING */
};

struct mime_header {
	const char	*name;		/* NUL-terminated, as written */
	const char	*raw;		/* borrowed: value after ':', folded */
	size_t		 raw_len;
	const char	*value;		/* NUL-terminated: see mime_header_decode */
};

struct mime_param {
	const char	*name;		/* NUL-terminated, lower-case, no "*N*" */
	const char	*value;		/* NUL-terminated, RFC 2231/2047 decoded */
};

struct mime_part {
	struct mime_part	 *parent;	/* NULL for the root */
	struct mime_part	**children;	/* sub-parts, or the one nested
						   message of message/rfc822 */
	size_t			  n_children;
	size_t			  index;	/* position in parent->children */
	size_t			  depth;	/* root = 0 */

	const struct mime_header *headers;	/* in order of appearance */
	size_t			  n_headers;
	const char		 *header_raw;	/* borrowed: the header block (an
						   mbox "From " line included) */
	size_t			  header_raw_len;

	const char		 *type;		/* "text", lower-case */
	const char		 *subtype;	/* "plain", lower-case */
	const struct mime_param	 *params;	/* Content-Type parameters */
	size_t			  n_params;
	const char		 *charset;	/* lower-case, NULL if absent */
	const char		 *boundary;	/* NULL if absent */
	const char		 *disposition;	/* "attachment", lower-case/NULL */
	const struct mime_param	 *disp_params;	/* Content-Disposition params */
	size_t			  n_disp_params;
	const char		 *filename;	/* disposition filename, else
						   Content-Type name, or NULL */
	enum mime_cte		  cte;

	const char		 *body_raw;	/* borrowed: body as transmitted */
	size_t			  body_raw_len;
	const char		 *body;		/* after transfer decoding; owned
						   or borrowed (see top) */
	size_t			  body_len;
	const char		 *text;		/* UTF-8 text or NULL, see below */
	size_t			  text_len;

	unsigned		  flags;	/* MIME_F_* of this part */
};

/*
 * A part's text is set for textual leaves: every "text" type, "message"
 * types other than rfc822, global and external-body
 * (feedback-report, delivery-status, ...), application/json, xml, yaml and
 * the +json/+xml forms, application/octet-stream named *.txt, .csv, .log,
 * .json, .xml, .yaml or .yml; and for containers that could
 * not be opened (multipart without a usable boundary, depth or part limit)
 * so that no words are lost. It is the body converted from its charset to
 * UTF-8 with line endings turned to "\n"; for text/html it is the HTML
 * reduced to text (html_to_text). Other parts (attachments) have text NULL
 * and only body.
 *
 * The children of message/rfc822, message/global, text/rfc822-headers (and
 * the other forms of mime_is_rfc822_headers) and of the first fragment of a message/partial (number=1) hold one part: the
 * root of the nested message, whose headers are the forwarded message's
 * own (Received chain included). text/rfc822-headers has a text too.
 *
 * To read a header-like block (message/feedback-report, the fields of
 * message/delivery-status), run mime_parse() on the part's text: the root
 * part's headers are its fields.
 */

struct mime_message {
	struct mime_part	*root;
	const char		*raw;		/* borrowed: the caller's buffer */
	size_t			 raw_len;
	size_t			 n_parts;
	size_t			 decoded_bytes;	/* counted against the limit */
	unsigned		 flags;		/* union of every part's flags */
	struct mime_arena	*arena;		/* private: owns everything */
};

enum mime_errcode {
	MIME_ERR_NONE,
	MIME_ERR_NOMEM,		/* out of memory; nothing was built */
	MIME_ERR_EMPTY		/* no bytes at all */
};

struct mime_error {
	enum mime_errcode	 code;
	const char		*reason;	/* static text */
};

/*
 * Parse len bytes of msg (CRLF or bare LF line endings; an mbox "From "
 * line first is skipped). lim NULL means the defaults. On success *out is a
 * new tree owned by the caller (mime_free) and 0 is returned; on failure -1,
 * *out NULL and err (may be NULL) says why.
 */
int	mime_parse(const char *msg, size_t len, const struct mime_limits *lim,
	    struct mime_message **out, struct mime_error *err);

/* Free a message and everything it owns. NULL is fine. */
void	mime_free(struct mime_message *m);

/* First header called name (case-insensitive): its decoded value or NULL. */
const char *mime_header_get(const struct mime_part *p, const char *name);

/*
 * Iterate over every header called name (NULL: every header), in order:
 * pass prev NULL to get the first, then the previous result. Returns NULL
 * after the last. Example: every Received of a part, top to bottom.
 */
const struct mime_header *mime_header_next(const struct mime_part *p,
	    const char *name, const struct mime_header *prev);

/* Content-Type (or, for mime_disp_param, Content-Disposition) parameter. */
const char *mime_param(const struct mime_part *p, const char *name);
const char *mime_disp_param(const struct mime_part *p, const char *name);

/*
 * Depth-first, pre-order walk: the part after p, descending into children
 * (nested messages included), or NULL at the end of the tree.
 */
const struct mime_part *mime_next(const struct mime_part *p);

/*
 * Call cb on every part, depth-first from the root, until it returns
 * non-zero; returns that value, or 0 when every part was visited.
 */
int	mime_walk(const struct mime_message *m,
	    int (*cb)(const struct mime_part *, void *), void *arg);

/*
 * Whether p is the header block of a message: text/rfc822-headers (RFC
 * 6522), or text/rfc822-header, message/rfc822-headers or
 * message/rfc822-header as some senders write it. Such a part has a text
 * and one child, the message its headers make (see above).
 */
int	mime_is_rfc822_headers(const struct mime_part *p);

/* First part (depth-first) of type/subtype; subtype NULL matches any. */
const struct mime_part *mime_find(const struct mime_message *m,
	    const char *type, const char *subtype);

/*
 * Decode a raw header value (len bytes, may be folded) to UTF-8: unfold
 * (CRLF or LF before whitespace removed), trim, decode RFC 2047 encoded
 * words (B and Q, any charset of charset.h; adjacent words are joined
 * without the whitespace between them, and their bytes are joined before
 * charset conversion so a character split across words survives; malformed
 * words stay as written). Raw 8-bit bytes are taken as UTF-8 when
 * well-formed, else as windows-1252. TAB, CR and LF become spaces, NUL
 * becomes U+FFFD. *out is malloc'd, NUL-terminated, owned by the caller.
 * Returns 0, or -1 on ENOMEM (*out NULL).
 */
int	mime_header_decode(const char *raw, size_t len, char **out);

/*
 * The first addr-spec of an address header value (From, Reply-To, To,
 * Sender; len bytes): "Name <a@b>", "a@b (Name)", groups and quoted display
 * names are understood, encoded words and comments skipped. Give it the
 * raw value (h->raw, h->raw_len): an encoded word there is one unit, so a
 * display name cannot smuggle in an address that decoding would reveal.
 * The domain is lower-cased, the local part kept as written. Writes a
 * NUL-terminated "local@domain" into out. Returns 0, or -1 when there is no
 * address or it does not fit in outlen.
 */
int	mime_addr_spec(const char *value, size_t len, char *out, size_t outlen);

/*
 * An RFC 5322 date ("[Day,] DD Mon YYYY HH:MM[:SS] zone", obsolete forms
 * too: two- and three-digit years, named zones UT/GMT/EST/EDT/CST/CDT/MST/
 * MDT/PST/PDT, military letters as -0000, comments; also the asctime form
 * "Mon Jan  2 15:04:05 2006") to a UTC time_t. No locale, no TZ. A missing
 * zone is taken as UTC. Returns 0, or -1 when it cannot be read.
 */
int	mime_parse_date(const char *date, time_t *out);

/*
 * Transfer decodings, exposed for reuse. Both write at most outcap bytes
 * to out and return how many; MIME_F_TRUNCATED is set in *flags when the
 * output did not fit. mime_base64_decode ignores whitespace, skips other
 * garbage, accepts missing padding and padding in the middle (concatenated
 * blobs), setting MIME_F_BAD_BASE64 for anything but whitespace and proper
 * padding; output is at most len * 3 / 4 + 3 bytes. mime_qp_decode follows
 * RFC 2045 6.7 (soft line breaks, trailing whitespace dropped, line ends
 * kept as written) and keeps a stray '=' with MIME_F_BAD_QP; output is at
 * most len bytes.
 */
size_t	mime_base64_decode(const char *in, size_t len, char *out,
	    size_t outcap, unsigned *flags);
size_t	mime_qp_decode(const char *in, size_t len, char *out, size_t outcap,
	    unsigned *flags);

/*
 * Reduce UTF-8 HTML (len bytes) to text: tags and comments dropped, script
 * and style content dropped, block elements become line breaks, whitespace
 * collapsed, entities decoded (&amp; &lt; &gt; &quot; &apos; &nbsp; and
 * other common named ones, &#NN; &#xHH;). Link targets (a and area href,
 * form action) are kept in the text as " <URL>" after the link's text, so
 * the indicators of a link survive. *out is malloc'd, NUL-terminated, owned by the caller, at
 * most max_out bytes (more sets *truncated, which may be NULL). Returns 0,
 * or -1 on ENOMEM (*out NULL).
 */
int	html_to_text(const char *html, size_t len, size_t max_out, char **out,
	    size_t *outlen, int *truncated);

#endif
