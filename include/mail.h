/*
 * mail.h - from one received e-mail to the normalised reports it carries.
 *
 * mail_to_reports() parses the whole message (mime.h), recognises its format
 * (ARF, X-ARF 0.1/0.2/3/4, a DMARC or TLS aggregate report, a bounce, a
 * forwarded message, a plain human report), and returns one report per
 * event (an X-ARF or CSV attachment with one row per IP gives one report
 * per row), always at least one: a message that cannot be understood
 * becomes a single "undetermined" report for a human. It also says whether
 * the message is automatic (auto-reply, bounce, list, loop, aggregate
 * report) and why (result and each report: auto_reason), and records who
 * sent it, for later verification.
 *
 * Bounds per message: ctx->max_reports events become reports and their
 * indicators, all reports together, number at most ctx->max_indicators
 * (each 0: the defaults of limits_gw.h, SMTP_REPORTS_MAX and
 * SMTP_INDICATORS_MAX). Events beyond either bound are not made into
 * reports but counted; the result and every one of its reports are then
 * marked truncated (the raw message, kept by the caller, stays whole).
 *
 * Pure: no I/O, no globals; every input is bounded by the limits given. The
 * result owns all its memory until mail_result_free().
 */
#ifndef MAIL_H
#define MAIL_H

#include <stddef.h>
#include "report.h"
#include "taxonomy.h"

struct extractor;
struct classifier;
struct mail_auto_rules;

/* What the SMTP session knows about the transaction. */
struct mail_envelope {
	const char		*mail_from;	/* "" for the null sender <> */
	const char *const	*rcpts;		/* accepted recipients */
	size_t			 n_rcpts;
	const char		*helo;		/* HELO/EHLO argument */
	const char		*peer;		/* client address, text */
	const char		*tls;		/* "TLSv1.3 TLS_AES_..." or NULL */
	const char		*hostname;	/* our own name (loop header) */
};

struct mail_context {
	const struct taxonomy		*tax;
	const struct report_limits	*lim;
	const struct extractor		*extractor;	/* indicators from text */
	const struct classifier		*classifier;	/* category guess */
	const struct mail_auto_rules	*auto_rules;	/* automatic mail
							   signals, or NULL:
							   structure only */
	const char *const		*trusted_upstreams; /* authserv-ids */
	size_t				 n_trusted_upstreams;
	size_t				 max_reports;	/* events kept per message */
	size_t				 max_indicators; /* of all its reports */
};

#define MAIL_REPLY_ADDR_MAX	320
#define MAIL_MESSAGE_ID_MAX	256

enum mail_format {
	MAIL_FORMAT_PLAIN,	/* a human's report, or unknown */
	MAIL_FORMAT_ARF,	/* RFC 5965 / RFC 6591 */
	MAIL_FORMAT_XARF,	/* X-ARF 0.1, 0.2 (YAML) or 4 (JSON) */
	MAIL_FORMAT_FORWARD,	/* message/rfc822 or inline "Fwd:" */
	MAIL_FORMAT_DSN,	/* delivery status notification, bounce */
	MAIL_FORMAT_DMARC,	/* DMARC aggregate report (RFC 7489) */
	MAIL_FORMAT_TLSRPT,	/* SMTP TLS report (RFC 8460) */
	MAIL_FORMAT_COUNT
};

struct mail_result {
	struct report	*reports;	/* n_reports >= 1 on success */
	size_t		 n_reports;
	enum mail_format format;
	int		 auto_generated; /* never answer this message */
	char		*auto_reason;	/* "Auto-Submitted: auto-replied", ... */
	int		 tbsc;		/* subject starts with [TBSC] */
	int		 truncated;	/* events or indicators left out */
	size_t		 events_dropped; /* events not made into reports */
	size_t		 indicators_dropped; /* cut from the first report */
	/*
	 * Reporter identity and parse notes as a JSON object: envelope
	 * sender and recipients, From, Reply-To, Message-ID, Date, peer,
	 * HELO, TLS, Authentication-Results (only from a trusted upstream),
	 * format, MIME defects. Stored with the evidence.
	 */
	char		*meta_json;
	/*
	 * Who an answer would go to: the Reply-To address, else From's
	 * ("" when neither parses); the message's own Message-ID ("" when
	 * absent or unusable); and whether a trusted upstream's
	 * Authentication-Results passes DMARC or SPF for reply_addr's domain.
	 */
	char		 reply_addr[MAIL_REPLY_ADDR_MAX];
	char		 message_id[MAIL_MESSAGE_ID_MAX];
	int		 sender_authenticated;
};

/*
 * A report's auto_reason is the result's, for every report of the message;
 * an aggregate report (DMARC, TLS) has report.aggregate set. meta_json adds
 * "auto_kind" (bounce, reply or bulk) and, per format, the fields read
 * ("arf", "aggregate").
 */

/* Header added to everything we send; seeing it again means a loop. */
#define MAIL_LOOP_HEADER	"X-Intaked-Loop"

/*
 * Parse msg[0..len) as received (CRLF line ends, dot-unstuffed). Returns 0
 * with *out filled, or -1 only on memory exhaustion (err filled, *out
 * empty). Every report has category, description or indicators, subject
 * and the reporter fields from the message; report_finish() has been called.
 */
int mail_to_reports(const struct mail_context *ctx,
    const struct mail_envelope *env, const char *msg, size_t len,
    struct mail_result *out, char *err, size_t errlen);

void mail_result_free(struct mail_result *res);

/*
 * Whether one Authentication-Results value (from a trusted upstream:
 * the caller's business) says dmarc=pass with header.from=domain or
 * spf=pass with smtp.mailfrom at domain. 1 or 0.
 */
int mail_auth_passes(const char *ar, const char *domain);

const char *mail_format_name(enum mail_format fmt);

#endif
