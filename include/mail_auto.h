/*
 * mail_auto.h - recognise automatic mail (bounces, delivery delays,
 * auto-replies, machine notices, list traffic) from signals kept in a data
 * file (conf/auto.tsv), and say which signals decided.
 *
 * Rules file: one rule a line, "weight<TAB>kind<TAB>where<TAB>pattern";
 * '#' starts a comment line, blank lines are skipped, CRLF is accepted.
 *   weight  1..10. A message whose matching rules add up to
 *           MAIL_AUTO_THRESHOLD (10) is automatic. Each thing looked at
 *           counts once, by its first matching rule in file order (so
 *           write the heavier rules first): each header, the From (from
 *           and from-name), the subject (subject and subject-has). The
 *           text rules count as the heaviest one of them that matches,
 *           and they are looked at only when some other rule matched
 *           already: words in a text never make a message automatic by
 *           themselves (a person may quote a bounce).
 *   kind    bounce (a delivery failure or delay), reply (an answer sent
 *           by a machine for a person: vacation, challenge-response),
 *           null (sent with a null return path: a bounce unless a reply
 *           signal matched too) or bulk (machine-sent notices and list
 *           traffic). A bounce or a reply carries no report of its own;
 *           a bulk message may (an abuse notice sent by a machine) and is
 *           categorised as usual.
 *   where   header:NAME  the first header NAME of the message. The pattern
 *                        is "*" (any non-empty value), "!word" (any value
 *                        that does not start with word), "<>" (an empty
 *                        address: "<>", "< >" or nothing), or a prefix of
 *                        the value, ASCII case ignored, that ends at a
 *                        non-alphanumeric byte or the end;
 *           from         the local part of the From address, ASCII case
 *                        ignored; a final '*' makes it a prefix;
 *           from-name    the start of the From display name;
 *           subject      the start of the decoded subject;
 *           subject-has  words anywhere in the decoded subject;
 *           text         words anywhere in the first MAIL_AUTO_TEXT_MAX
 *                        bytes of the message's main text.
 *           from-name, subject, subject-has and text match on whole words
 *           of the normalised text (classify_normalise: case, diacritics
 *           and punctuation do not matter), so "Vắng mặt" matches "VANG
 *           MAT:" and "delivery status notification" matches "Delivery
 *           Status Notification (Failure)".
 *
 * Rules are read-only once built and may be shared by threads.
 */
#ifndef MAIL_AUTO_H
#define MAIL_AUTO_H

#include <stddef.h>

#include "charset.h"
#include "mime.h"

#define MAIL_AUTO_THRESHOLD	10
#define MAIL_AUTO_TEXT_MAX	4096
#define MAIL_AUTO_RULES_MAX	4096

/* Kinds, as bits of a verdict. */
#define MAIL_AUTO_BOUNCE	0x01
#define MAIL_AUTO_REPLY		0x02
#define MAIL_AUTO_BULK		0x04
#define MAIL_AUTO_NULL		0x08	/* a null return path: a bounce,
					   unless a reply signal says
					   otherwise (RFC 3834 3.3 asks
					   auto-replies for one too) */

struct mail_auto_rules;

/* What the rules say of one message. */
struct mail_auto_verdict {
	int		 score;		/* sum of the weights that matched */
	unsigned	 kinds;		/* MAIL_AUTO_* of the rules counted */
	unsigned	 matched;	/* rules counted */
};

/*
 * Build the rules from tsv[0..len). Returns them, or NULL with "line N:
 * why" (or "out of memory") in err.
 */
struct mail_auto_rules *mail_auto_rules_new(const char *tsv, size_t len,
    char *err, size_t errlen);
void	mail_auto_rules_free(struct mail_auto_rules *ar);
size_t	mail_auto_rules_count(const struct mail_auto_rules *ar);

/*
 * Apply the rules to a message: its root part (headers), its decoded
 * subject ("" when none), its From address and display name ("" when
 * none), and its main text (may be NULL). Every rule counted appends
 * "what: value" to why ("; " between them; what is the header name,
 * "From", "Subject" or "text"), so that a person can see why. *v is
 * filled. 0, or -1 on ENOMEM.
 */
int	mail_auto_check(const struct mail_auto_rules *ar,
	    const struct mime_part *root, const char *subject,
	    const char *from, const char *from_name, const char *text,
	    size_t text_len, struct mail_auto_verdict *v,
	    struct charset_buf *why);

/* The copy of conf/auto.tsv compiled into the binaries. */
extern const char auto_embedded[];
extern const size_t auto_embedded_len;

#endif
