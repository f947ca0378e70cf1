/*
 * arf.h - abuse reports carried by e-mail: the Abuse Reporting Format
 * feedback report (RFC 5965; RFC 6591 for auth-failure), and what every
 * abuse-report format in mail shares (ARF here, X-ARF and CSV in xarf.h,
 * forwards and plain reports in mail.c):
 *
 * - the report builder: a growable array of reports bounded by a maximum;
 *   values taken from a message with validation, an invalid value being
 *   dropped instead of failing the message; the time formats abuse reports
 *   use; text cleaned for a report (UTF-8, NFC, no controls, cut at a
 *   character boundary); the fallback that makes report_finish() succeed;
 * - mining a returned or forwarded message for indicators (arf_mine).
 *
 * Feedback-Type maps to a category (arf_category): abuse -> spam, fraud ->
 * phishing, virus -> malware, auth-failure (and the older dkim, spf,
 * dmarc) -> phishing (RFC 6591: a message that failed SPF/DKIM/DMARC is
 * reported because it forges a domain, which is spoofing), opt-out,
 * opt-out-list and unsubscribe -> spam (unwanted bulk mail), not-spam ->
 * spam (RFC 6430: a correction of a spam verdict; the matter is spam
 * filtering, the summary line says which way), other and anything
 * unknown -> undetermined (a caller may give a fallback).
 *
 * Every function returns -1 with errno ENOMEM when memory runs out; the
 * parsers also return -1 with errno EINVAL when the input is not what they
 * read. Pure: no I/O, no globals. A struct arf_reports owns its reports
 * until arf_reports_free(), a struct arf_feedback its strings until
 * arf_feedback_free().
 */
#ifndef ARF_H
#define ARF_H

#include <stddef.h>

#include "mime.h"
#include "report.h"
#include "taxonomy.h"

struct extractor;

/* What a parser needs besides its input; everything is borrowed. */
struct arf_opts {
	const struct taxonomy		*tax;
	const struct report_limits	*lim;
	const struct extractor		*ex;	/* arf_mine, or NULL */
	size_t				 max_reports;	/* 0 means 1 */
	const char			*note;	/* human text for every */
	size_t				 note_len; /* description, or NULL */
	const char			*fallback; /* category code when an
						      event names none, or
						      NULL: undetermined */
};

/* Reports built so far; zero-initialise before first use. */
struct arf_reports {
	struct report	*v;
	size_t		 n;
	size_t		 cap;
	size_t		 dropped;	/* events beyond max_reports */
};

void	arf_reports_free(struct arf_reports *rs);

/*
 * Append a new, initialised report. Returns 0 with *out pointing at it
 * (valid until the next append), 1 when max reports are already there (the
 * event is counted in rs->dropped, *out NULL), or -1 (ENOMEM).
 */
int	arf_reports_add(struct arf_reports *rs, size_t max,
	    struct report **out);

/* Remove the last report (an event that turned out empty). */
void	arf_reports_pop(struct arf_reports *rs);

/*
 * report_set_field for a value found in a message: an invalid value, a
 * field already set or any other refusal is dropped silently. Returns 0,
 * or -1 only on ENOMEM.
 */
int	arf_field(struct report *r, const struct arf_opts *o,
	    const char *name, const char *v, size_t len);

/* Indicator types for arf_indicator beside those of report.h. */
#define ARF_GUESS	(-1)	/* find the type from the value */
#define ARF_HOST	(-2)	/* an IP address or a domain name */
#define ARF_GUESS_STRICT (-3)	/* ARF_GUESS, but never a bare domain */

/*
 * Add an indicator of type (enum ind_type, ARF_GUESS, ARF_HOST or
 * ARF_GUESS_STRICT) from a message. Guessing takes a value with "://" as a
 * URL, one with '@' as an e-mail address ("mailto:" allowed), 32/40/64 hex
 * digits (an "md5:"/"sha1:"/"sha256:" prefix allowed) as a hash, "CVE-" as
 * a CVE ID, an address as IPv4/IPv6, and a dotted name as a domain.
 * Invalid values are dropped. Returns 1 when added (or already there), 0
 * when dropped, -1 on ENOMEM.
 */
int	arf_indicator(struct report *r, const struct report_limits *lim,
	    int type, const char *v, size_t len);

/*
 * Set the time field name ("occurred-at", "detected-at") from RFC 3339,
 * "YYYY-MM-DD HH:MM:SS" (UTC when no zone is given), an RFC 5322 date or
 * seconds since 1970. Unreadable values are dropped. 0, or -1 on ENOMEM.
 */
int	arf_time(struct report *r, const struct arf_opts *o,
	    const char *name, const char *v, size_t len);

/*
 * Text from a message made fit for a report field: at most 4 * max bytes
 * of s are read, bytes that are not UTF-8 become U+FFFD (NUL too), the
 * result is put in NFC, controls become spaces (with multiline, TAB and LF
 * are kept and CR dropped), and it is cut to max bytes at a character
 * boundary. *out is a new string (the caller frees it), *outlen (may be
 * NULL) its length. 0, or -1 on ENOMEM.
 */
int	arf_text_clean(const char *s, size_t len, size_t max, int multiline,
	    char **out, size_t *outlen);

/*
 * Set the description to head, a blank line and text (either may be
 * empty), then o->note after another blank line when the caller gave one,
 * cleaned by arf_text_clean (multiline) to lim->description_max. Nothing
 * is set when all are empty. 0, or -1 on ENOMEM.
 */
int	arf_describe(struct report *r, const struct arf_opts *o,
	    const char *head, const char *text, size_t len);

/*
 * Make report_finish() succeed: category o->fallback (or undetermined)
 * when none was set, description "(no text)" when there is neither
 * description nor indicator. 0, or -1 on ENOMEM.
 */
int	arf_finish(struct report *r, const struct arf_opts *o);

/*
 * Message helpers. arf_is_container: the part holds a whole message
 * (message/rfc822, message/global, text/rfc822-headers). arf_nested_in: p
 * lies inside such a message below root. arf_next_in: pre-order walk of
 * root's subtree, root first (pass NULL to start). arf_addr: the address
 * of an address-like value (mime_addr_spec, else the first word with '@',
 * "[mailto:a@b]" as Outlook writes it) into out; 0, or -1 when none fits.
 */
int	arf_is_container(const struct mime_part *p);
int	arf_nested_in(const struct mime_part *p, const struct mime_part *root);
const struct mime_part *arf_next_in(const struct mime_part *p,
	    const struct mime_part *root);
int	arf_addr(const char *v, size_t len, char *out, size_t outlen);

/*
 * The display name of a decoded address header into out ("" when none):
 * the words before "<addr>" without their quotes and backslashes, or the
 * comment of "addr (Name)"; cut at a character boundary to fit.
 */
void	arf_display_name(const char *v, char *out, size_t outlen);

/*
 * The main text part of the message at root (nested messages excluded):
 * the first text/plain that is not an attachment, else the first
 * text/html, else the first part with text; NULL when there is none.
 */
const struct mime_part *arf_main_part(const struct mime_part *root);

/* o->ex over text, when there is an extractor. 0, or -1 on ENOMEM. */
int	arf_extract(const struct arf_opts *o, struct report *r,
	    const char *text, size_t len);

/*
 * Add the indicators of the message at root (returned by ARF, or
 * forwarded): its From address and the domain of it, its Reply-To, the
 * public IP addresses (not private, loopback, link-local, shared or
 * multicast) of the "from" clauses of its first ARF_RECEIVED_MAX Received
 * headers, and what o->ex finds in its subject and text parts, reading at
 * most *budget bytes of text (decreased). 0, or -1 on ENOMEM.
 */
#define ARF_RECEIVED_MAX	32
#define ARF_IP_MAX		48	/* an IP address as text, and NUL */

int	arf_mine(struct report *r, const struct arf_opts *o,
	    const struct mime_part *root, size_t *budget);

/*
 * arf_mine, reading only the Received headers below the first header
 * named after (NULL: all): a complaint that is the complained-of message
 * itself carries its own transport above such a marker.
 */
int	arf_mine_after(struct report *r, const struct arf_opts *o,
	    const struct mime_part *root, const char *after, size_t *budget);

/*
 * The first public IP address (as arf_mine takes them) of the "from"
 * clauses of root's Received headers (below the header named after, when
 * not NULL): the address that handed the message to the reporter's side.
 * 0 with ip filled, or -1 when there is none.
 */
int	arf_first_public_ip(const struct mime_part *root, const char *after,
	    char *ip, size_t iplen);

/* The feedback report. */

#define ARF_REPEAT_MAX	16	/* Reported-Domain, Reported-URI kept */

struct arf_feedback {
	char	*feedback_type;		/* lower-case, e.g. "abuse" */
	char	*user_agent;
	char	*version;
	char	*source_ip;
	char	*original_mail_from;
	char	*original_rcpt_to;	/* the first one */
	char	*arrival_date;		/* as written (RFC 5322 date) */
	char	*reporting_mta;
	char	*incidents;		/* as written */
	char	*auth_failure;		/* RFC 6591: dkim, spf, dmarc, ... */
	char	*delivery_result;
	char	*reported_domain[ARF_REPEAT_MAX];
	size_t	 n_reported_domain;
	char	*reported_uri[ARF_REPEAT_MAX];
	size_t	 n_reported_uri;
	/* set by arf_from_message, static strings */
	const char *shape;		/* "arf", "arf-inline", "arf-jmrp" */
	const char *source_from;	/* where a missing Source-IP was
					   found, or NULL */
};

/*
 * Read the fields of a feedback-report part (text, len bytes: the part's
 * UTF-8 text). Unknown fields are ignored, the first of a repeated single
 * field wins. *fb is filled (zero it first; free with arf_feedback_free).
 * Returns 0, or -1 with errno EINVAL when there is no Feedback-Type, or
 * ENOMEM.
 */
int	arf_parse(const char *text, size_t len, struct arf_feedback *fb);
void	arf_feedback_free(struct arf_feedback *fb);

/* category_why of a report whose Feedback-Type names no category. */
extern const char arf_why_fallback[];

/* Taxonomy code of the Feedback-Type (see above); never NULL. */
const char *arf_category(const struct arf_feedback *fb);

/*
 * Append one report for the feedback to out: the category, Source-IP,
 * Reported-Domain and Reported-URI as indicators, Arrival-Date as
 * occurred-at, and a description made of a summary line (every field,
 * Incidents included) followed by o->note. 0, or -1 on ENOMEM.
 */
int	arf_to_report(const struct arf_feedback *fb, const struct arf_opts *o,
	    struct arf_reports *out);

/*
 * The ARF reports of a whole message, first of these that is there:
 *   - every message/feedback-report part, anywhere in the message (MARF:
 *     several reports in one message, or inside forwarded messages; at
 *     most ARF_PARTS_MAX), each one report: arf_to_report with the
 *     human-readable text beside it, then arf_mine over the returned
 *     message beside it (message/rfc822, or a header block of
 *     mime_is_rfc822_headers), if any;
 *   - a report forwarded inline in a text part ("FW:" of a report read
 *     as text, "> " quoting allowed; or a report whose fields came as
 *     text/plain): a "Feedback-Type:" line followed by another field of
 *     the report, its fields up to a blank line, the returned message's
 *     headers after it when they follow;
 *   - a Microsoft JMRP complaint (the complained-of message, carrying
 *     X-HmXmrOriginalRecipient, attached or sent as the complaint itself):
 *     Feedback-Type abuse, Source-IP from the subject "complaint about
 *     message from <IP>".
 * A report without Source-IP takes the first public address of the
 * returned message's Received chain (arf_first_public_ip), else the
 * first public address its human-readable text names; fb->source_from
 * says where. A Feedback-Type that says no category ("other", unknown)
 * takes o->fallback when set. *fb keeps the fields of the first report
 * for the caller (free it with arf_feedback_free). Returns 1 when a
 * report was made, 0 when the message is not ARF, -1 on ENOMEM.
 */
int	arf_from_message(const struct mime_message *m, const struct arf_opts *o,
	    struct arf_reports *out, struct arf_feedback *fb);

#endif
