/*
 * mail.c - one received e-mail to the normalised reports it carries (see
 * mail.h).
 *
 * The message is parsed once (mime.h) and its format recognised in this
 * order, the first that yields a report winning:
 *   ARF      message/feedback-report parts, one report each, an ARF report
 *            forwarded inline, or a Microsoft JMRP complaint (arf.c);
 *   aggregate a DMARC aggregate or SMTP TLS report (aggregate.h): one
 *            report marked aggregate (statistics, not an incident);
 *   X-ARF    YAML, key/value or JSON report parts (xarf.c), looked for in
 *            every part when the X-ARF / X-XARF header says so, else in
 *            JSON and YAML parts and parts that read like X-ARF;
 *   DSN      a bounce: a delivery-status report, or a message the
 *            automatic-mail signals call a bounce: one undetermined
 *            report;
 *   CSV      a CSV attachment (or zipped), one report per row
 *            (mail_csv.c);
 *   forward  message/rfc822 parts (one report each), or an inline forward
 *            block ("---------- Forwarded message ---------", "-----Original
 *            Message-----", "Begin forwarded message:", their Vietnamese
 *            forms, or a "From:"/"Subject:" block under a Fwd:/FW:/TR:
 *            subject);
 *   plain    anything else: indicators from the text, a category from the
 *            classifier.
 * A forwarded or returned message (ARF) is mined for indicators: its From
 * address and domain, its Reply-To, the public IPs of the "from" clauses of
 * its Received chain, and whatever the extractor finds in its subject and
 * text parts. Its category is the classifier's on the reporter's own words,
 * then on the forwarded text, else phishing when the forwarded message
 * holds a URL (what people forward most), else undetermined. Indicators
 * say where they were found, reports why they have their category.
 *
 * Automatic messages are flagged on the result and on every report, with
 * every reason (one clean line, MAIL_REASON_MAX bytes) and a kind: the
 * structure (our loop header, a delivery or disposition report, the null
 * envelope sender, an aggregate report) and the signals of the rules file
 * (mail_auto.h: Auto-Submitted, Precedence, List-Id, the null return
 * path, MAILER-DAEMON, the subjects of bounces and auto-replies...). A
 * bounce or an auto-reply keeps the category undetermined unless a machine
 * format gives one; a machine notice (bulk) is categorised as any report.
 * A [TBSC] subject (an official incident notification under the
 * regulation) sets result->tbsc and raises every report's severity to at
 * least high. Blank lines before the header block are skipped.
 *
 * Limits: MAIL_TEXT_MAX bytes of text per message fed to the classifier
 * and the extractor, MAIL_NESTED_MAX forwarded messages, ARF_RECEIVED_MAX
 * Received headers each, ctx->max_reports reports (SMTP_REPORTS_MAX when
 * 0) and ctx->max_indicators indicators over all of them
 * (SMTP_INDICATORS_MAX when 0); the MIME limits bound the rest. Events
 * beyond the reports or the indicators are counted, not kept, and mark the
 * message and each of its reports truncated (mail_cap). Pure: no I/O, no
 * globals.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "aggregate.h"
#include "arf.h"
#include "charset.h"
#include "classify.h"
#include "limits_gw.h"
#include "mail.h"
#include "mail_auto.h"
#include "mime.h"
#include "xarf.h"

#define MAIL_TEXT_MAX		(1024 * 1024)
#define MAIL_NESTED_MAX		8
#define MAIL_ADDR_MAX		320
#define MAIL_NAME_MAX		256
#define MAIL_JSON_STR_MAX	2048
#define MAIL_FWD_SCAN_LINES	8	/* lines after From: to find Subject: */
#define MAIL_BLANK_MAX		16	/* blank lines skipped before headers */
#define MAIL_REASON_MAX		1024	/* bytes of the automatic reasons */
#define MAIL_NELEM(a)		(sizeof(a) / sizeof((a)[0]))

/* The working state of one mail_to_reports() call. */
struct mail_state {
	const struct mail_context	*ctx;
	const struct mail_envelope	*env;
	struct mime_message		*m;
	struct arf_opts			 o;
	struct arf_reports		 rs;
	enum mail_format		 format;
	const char			*detail;	/* meta "format" */
	const char			*subject;	/* decoded or "" */
	char				 from[MAIL_ADDR_MAX];
	char				 name[MAIL_NAME_MAX];
	char				*body;		/* main text, clean */
	size_t				 body_len;
	const char			*guess;		/* classifier on both */
	struct charset_buf		 why;		/* auto reasons */
	struct charset_buf		 rules;		/* signals that matched */
	char				*reason;	/* why, cleaned: one line of
						   UTF-8, MAIL_REASON_MAX */
	unsigned			 kinds;		/* MAIL_AUTO_* */
	int				 tbsc;
	int				 truncated;	/* see mail_cap */
	size_t				 ind_dropped;	/* cut from report 0 */
	json_t				*notes;		/* format details */
};

/* An inline forwarded block found in a text. */
struct mail_inline {
	const char	*outer;		/* the reporter's words */
	size_t		 outer_len;
	const char	*fwd;		/* the forwarded part */
	size_t		 fwd_len;
	char		 from[MAIL_ADDR_MAX];
	char		 reply_to[MAIL_ADDR_MAX];
	char		 subject[MAIL_NAME_MAX];
};

static const char *mail_hdr(const struct mime_part *, const char *);
static int	mail_guess(struct mail_state *, const char *, const char *,
		    size_t, const char **);
static int	mail_why(struct mail_state *, const char *, const char *);
static int	mail_has_dsn_part(const struct mime_part *);
static int	mail_auto(struct mail_state *);
static int	mail_quiet(const struct mail_state *);
static int	mail_bounce(unsigned);
static const char *mail_kind_name(unsigned);
static int	mail_has_url(const struct report *);
static void	mail_drop_own(struct mail_state *, struct report *);
static int	mail_category(struct mail_state *, struct report *,
		    const char *, size_t, const char *, size_t);
static int	mail_arf_returned_guess(struct mail_state *);
static int	mail_arf(struct mail_state *);
static int	mail_dsn(struct mail_state *);
static int	mail_aggregate(struct mail_state *);
static int	mail_xarf(struct mail_state *);
static int	mail_csv(struct mail_state *);
static int	mail_fwd_describe(struct mail_state *, struct report *,
		    const struct mime_part *);
static int	mail_rfc822(struct mail_state *);
static const char *mail_line_end(const char *, const char *);
static int	mail_fwd_marker(const char *, size_t, int);
static int	mail_key_in(const char *, size_t, const char *const *,
		    size_t);
static int	mail_fwd_header(const char *, size_t, struct mail_inline *);
static int	mail_fwd_subject(const char *);
static int	mail_inline_find(const char *, size_t, int,
		    struct mail_inline *);
static int	mail_inline(struct mail_state *);
static int	mail_plain(struct mail_state *);
static void	mail_cap(struct mail_state *, size_t);
static int	mail_common(struct mail_state *, struct report *);
static json_t	*mail_jclean(const char *);
static int	mail_jstr(json_t *, const char *, const char *);
static int	mail_meta_envelope(struct mail_state *, json_t *);
static int	mail_meta_headers(struct mail_state *, json_t *);
static const char *mail_ar_trusted(const struct mail_state *, const char *);
static int	mail_meta(struct mail_state *, struct mail_result *);
static size_t	mail_skip_blank(const char *, size_t);
static int	mail_text_init(struct mail_state *);
static int	mail_dispatch(struct mail_state *);

static const char *const mail_format_names[] = {
	[MAIL_FORMAT_PLAIN] = "plain",
	[MAIL_FORMAT_ARF] = "arf",
	[MAIL_FORMAT_XARF] = "xarf",
	[MAIL_FORMAT_FORWARD] = "forward",
	[MAIL_FORMAT_DSN] = "dsn",
	[MAIL_FORMAT_DMARC] = "dmarc",
	[MAIL_FORMAT_TLSRPT] = "tlsrpt",
};

/*
 * Phrases of a forward separator line, any case for ASCII letters. The
 * "original message" ones also head replies, so they count only under a
 * forward subject (the first MAIL_FWD_ALWAYS always count).
 */
static const char *const mail_fwd_phrases[] = {
	"forwarded message", "begin forwarded message", "thư đã chuyển tiếp",
	"thư chuyển tiếp", "tin nhắn đã chuyển tiếp", "message transféré",
	"weitergeleitete nachricht", "mensaje reenviado",
	"original message", "thư gốc", "message d'origine",
	"ursprüngliche nachricht", "mensaje original",
};
#define MAIL_FWD_ALWAYS	8

/* Header names of an inline forwarded block (lower-case). */
static const char *const mail_fwd_from[] = { "from", "từ", "de", "von" };
static const char *const mail_fwd_subj[] = { "subject", "tiêu đề",
    "chủ đề", "objet", "betreff", "asunto" };
static const char *const mail_fwd_reply[] = { "reply-to", "trả lời đến" };

/* Subject prefixes that announce a forward (lower-case). */
static const char *const mail_fwd_prefixes[] = { "fwd:", "fw:", "tr:",
    "wg:", "rv:", "enc:", "i:", "chuyển tiếp:" };

static const struct {
	unsigned	 flag;
	const char	*name;
} mail_defects[] = {
	{ MIME_F_TRUNCATED, "truncated" },
	{ MIME_F_BAD_BASE64, "bad-base64" },
	{ MIME_F_BAD_QP, "bad-quoted-printable" },
	{ MIME_F_MISSING_BOUNDARY, "missing-boundary" },
	{ MIME_F_HEADER_LIMIT, "header-limit" },
	{ MIME_F_PART_LIMIT, "part-limit" },
	{ MIME_F_DEPTH_LIMIT, "depth-limit" },
	{ MIME_F_BAD_HEADER, "bad-header" },
	{ MIME_F_NO_SEPARATOR, "no-separator" },
	{ MIME_F_BAD_CONTENT_TYPE, "bad-content-type" },
	{ MIME_F_BAD_ENCODING, "bad-encoding" },
	{ MIME_F_BAD_CHARSET, "bad-charset" },
	{ MIME_F_BAD_TEXT, "bad-text" },
	{ MIME_F_8BIT_HEADER, "8bit-header" },
};

const char *
mail_format_name(enum mail_format fmt)
{
	if ((size_t)fmt >= sizeof(mail_format_names) /
	    sizeof(mail_format_names[0]))
		return "unknown";
	return mail_format_names[fmt];
}

/* Message helpers. */

/* A header's decoded value, NULL when absent or empty. */
static const char *
mail_hdr(const struct mime_part *p, const char *name)
{
	const char	*v = p ? mime_header_get(p, name) : NULL;

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/*
 * The classifier's category for a subject and a text into *code, NULL when
 * no rule matches (or there is no classifier). 0, or -1 on ENOMEM.
 */
static int
mail_guess(struct mail_state *st, const char *subj, const char *text,
    size_t len, const char **code)
{
	const struct taxonomy_entry	*e;

	*code = NULL;
	if (st->ctx->classifier == NULL)
		return 0;
	e = classifier_guess(st->ctx->classifier, subj, subj ? strlen(subj) :
	    0, text, text ? len : 0, NULL);
	if (e == NULL)
		return -1;
	if (strcmp(e->code, "undetermined") != 0)
		*code = e->code;
	return 0;
}

/* Automatic messages. */

/* Add "what[: value]" to the reasons the message is automatic. */
static int
mail_why(struct mail_state *st, const char *what, const char *value)
{
	if ((st->why.len > 0 && charset_buf_append(&st->why, "; ", 2) == -1) ||
	    charset_buf_append(&st->why, what, strlen(what)) == -1)
		return -1;
	if (value != NULL && (charset_buf_append(&st->why, ": ", 2) == -1 ||
	    charset_buf_append(&st->why, value, strnlen(value, 64)) == -1))
		return -1;
	return 0;
}

/*
 * A message/delivery-status part outside any message the message carries
 * (a forwarded bounce is a person's report, not a bounce).
 */
static int
mail_has_dsn_part(const struct mime_part *root)
{
	const struct mime_part	*p = NULL;

	while ((p = arf_next_in(p, root)) != NULL)
		if (p->type[0] == 'm' && strcmp(p->type, "message") == 0 &&
		    strcmp(p->subtype, "delivery-status") == 0 &&
		    !arf_nested_in(p, root))
			return 1;
	return 0;
}

/*
 * Collect every reason the message is automatic, and what kind of
 * automatic message it is (st->kinds): the structure (our loop header, a
 * delivery or disposition report, the null envelope sender), then the
 * signals of the rules file (mail_auto.h). 0, or -1 (ENOMEM).
 */
static int
mail_auto(struct mail_state *st)
{
	const struct mime_part	*root = st->m ? st->m->root : NULL;
	struct mail_auto_verdict v;
	const char		*v1, *rt = NULL;
	int			 rc = 0;

	if ((v1 = mail_hdr(root, MAIL_LOOP_HEADER)) != NULL) {
		rc |= mail_why(st, "mail loop (" MAIL_LOOP_HEADER ")", v1);
		st->kinds |= MAIL_AUTO_REPLY;	/* our own mail, answered */
	}
	if (root != NULL && strcmp(root->type, "multipart") == 0 &&
	    strcmp(root->subtype, "report") == 0)
		rt = mime_param(root, "report-type");
	if ((rt != NULL && strcasecmp(rt, "delivery-status") == 0) ||
	    (root != NULL && mail_has_dsn_part(root))) {
		rc |= mail_why(st, "delivery status notification", NULL);
		st->kinds |= MAIL_AUTO_BOUNCE;
	} else if (rt != NULL && strcasecmp(rt,
	    "disposition-notification") == 0) {
		rc |= mail_why(st, "disposition notification", NULL);
		st->kinds |= MAIL_AUTO_REPLY;
	}
	if (st->env != NULL && st->env->mail_from != NULL &&
	    st->env->mail_from[0] == '\0') {
		rc |= mail_why(st, "null sender", NULL);
		st->kinds |= MAIL_AUTO_NULL;
	}
	if (rc != 0 || mail_auto_check(st->ctx->auto_rules, root, st->subject,
	    st->from, st->name, st->body, st->body_len, &v, &st->rules) == -1)
		return -1;
	if (v.score >= MAIL_AUTO_THRESHOLD) {
		st->kinds |= v.kinds;
		if ((st->why.len > 0 && charset_buf_append(&st->why, "; ", 2) ==
		    -1) || charset_buf_append(&st->why, st->rules.data,
		    st->rules.len) == -1)
			return -1;
	}
	return 0;
}

/*
 * 1 when the message is a bounce or an auto-reply: it carries no incident
 * of its own, so guesses from its words stay out (a machine notice keeps
 * its category).
 */
static int
mail_quiet(const struct mail_state *st)
{
	return (st->kinds & (MAIL_AUTO_BOUNCE | MAIL_AUTO_REPLY |
	    MAIL_AUTO_NULL)) != 0;
}

/* Whether the message is a bounce (a null path alone says so, a reply not). */
static int
mail_bounce(unsigned kinds)
{
	return (kinds & MAIL_AUTO_BOUNCE) || ((kinds & MAIL_AUTO_NULL) &&
	    !(kinds & MAIL_AUTO_REPLY));
}

/* "bounce", "reply", "bulk" or NULL: the kind of an automatic message. */
static const char *
mail_kind_name(unsigned kinds)
{
	if (mail_bounce(kinds))
		return "bounce";
	if (kinds & MAIL_AUTO_REPLY)
		return "reply";
	return kinds & MAIL_AUTO_BULK ? "bulk" : NULL;
}

/* 1 when the report holds a URL. */
static int
mail_has_url(const struct report *r)
{
	size_t	i;

	for (i = 0; i < r->n_indicators; i++)
		if (r->indicators[i].type == IND_URL)
			return 1;
	return 0;
}

/*
 * Remove the e-mail indicators that are the reporter's own address or one
 * of our mailboxes (signatures and "To:" lines of forwards name them).
 */
static void
mail_drop_own(struct mail_state *st, struct report *r)
{
	size_t	i, k, own;

	for (i = 0; i < r->n_indicators;) {
		own = 0;
		if (r->indicators[i].type == IND_EMAIL) {
			own = st->from[0] != '\0' &&
			    strcasecmp(r->indicators[i].value, st->from) == 0;
			for (k = 0; st->env != NULL && !own &&
			    k < st->env->n_rcpts; k++)
				own = st->env->rcpts[k] != NULL && strcasecmp(
				    r->indicators[i].value,
				    st->env->rcpts[k]) == 0;
		}
		if (!own) {
			i++;
			continue;
		}
		free(r->indicators[i].value);
		memmove(&r->indicators[i], &r->indicators[i + 1],
		    (r->n_indicators - i - 1) * sizeof(r->indicators[0]));
		r->n_indicators--;
	}
}

/*
 * The category of a forward: the classifier on the reporter's words, then
 * on the forwarded text, else phishing when a URL was found, else nothing
 * (undetermined at the end). 0, or -1 on ENOMEM.
 */
static int
mail_category(struct mail_state *st, struct report *r, const char *outer,
    size_t olen, const char *fwd, size_t flen)
{
	const char	*code;

	if (mail_quiet(st)) {
		r->category_why = "a bounce or an auto-reply carries none";
		return 0;
	}
	if (outer == st->body)
		code = st->guess;
	else if (mail_guess(st, st->subject, outer, olen, &code) == -1)
		return -1;
	r->category_why = "keywords of the reporter's words";
	if (code == NULL) {
		if (mail_guess(st, NULL, fwd, flen, &code) == -1)
			return -1;
		r->category_why = "keywords of the forwarded text";
	}
	if (code == NULL && mail_has_url(r)) {
		code = "phishing";
		r->category_why = "a URL in the forwarded message";
	}
	if (code == NULL)
		r->category_why = NULL;
	return code ? arf_field(r, &st->o, "category", code,
	    strlen(code)) : 0;
}

/* Formats. */

/*
 * The reports whose Feedback-Type names no category, when the reporter's
 * words gave none either: the classifier on the returned message (its
 * subject and main text), else they stay spam. 0, or -1 on ENOMEM.
 */
static int
mail_arf_returned_guess(struct mail_state *st)
{
	const struct mime_part		*p = NULL, *mp;
	const struct taxonomy_entry	*e;
	const char			*code = NULL, *subj;
	size_t				 i;

	for (i = 0; i < st->rs.n; i++)
		if (st->rs.v[i].category_why == arf_why_fallback)
			break;
	if (i == st->rs.n)
		return 0;
	while ((p = mime_next(p ? p : st->m->root)) != NULL)
		if (arf_is_container(p) && p->n_children > 0)
			break;
	if (p == NULL)
		return 0;
	mp = arf_main_part(p->children[0]);
	subj = mail_hdr(p->children[0], "Subject");
	if (mail_guess(st, subj, mp ? mp->text : NULL, mp ? mp->text_len : 0,
	    &code) == -1)
		return -1;
	if (code == NULL || (e = taxonomy_find(st->o.tax, code,
	    strlen(code))) == NULL)
		return 0;
	for (; i < st->rs.n; i++)
		if (st->rs.v[i].category_why == arf_why_fallback)
			st->rs.v[i].category = e;
	return 0;
}

/*
 * ARF (arf_from_message): feedback reports, an inline one, a JMRP
 * complaint. A Feedback-Type without a category takes the classifier's
 * guess, else spam: an ARF report is a complaint about a mail message.
 */
static int
mail_arf(struct mail_state *st)
{
	const struct mime_part	*human = arf_main_part(st->m->root);
	struct arf_feedback	 fb;
	json_t			*j;
	int			 rc;

	memset(&fb, 0, sizeof(fb));
	if (human != NULL && strcmp(human->subtype, "feedback-report") != 0) {
		st->o.note = human->text;
		st->o.note_len = human->text_len;
	}
	st->o.fallback = st->guess ? st->guess : "spam";
	rc = arf_from_message(st->m, &st->o, &st->rs, &fb);
	st->o.fallback = NULL;
	if (rc != 1) {
		arf_feedback_free(&fb);
		return rc;
	}
	if (st->guess == NULL && mail_arf_returned_guess(st) == -1) {
		arf_feedback_free(&fb);
		return -1;
	}
	st->format = MAIL_FORMAT_ARF;
	st->detail = fb.shape ? fb.shape : "arf";
	j = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}",
	    "feedback_type", fb.feedback_type, "user_agent", fb.user_agent,
	    "incidents", fb.incidents, "original_mail_from",
	    fb.original_mail_from, "auth_failure", fb.auth_failure,
	    "source_ip", fb.source_ip, "source_ip_from", fb.source_from);
	arf_feedback_free(&fb);
	return j == NULL || json_object_set_new(st->notes, "arf", j) == -1 ?
	    -1 : 0;
}

/*
 * A bounce (a delivery status notification, or a message the signals call
 * a bounce): one undetermined report, described by its human-readable
 * text and its delivery-status fields.
 */
static int
mail_dsn(struct mail_state *st)
{
	const struct mime_part	*ds = NULL, *human;
	struct report		*r;
	int			 rc;

	if (!mail_bounce(st->kinds))
		return 0;
	while ((ds = arf_next_in(ds, st->m->root)) != NULL &&
	    !(strcmp(ds->type, "message") == 0 &&
	    strcmp(ds->subtype, "delivery-status") == 0 &&
	    !arf_nested_in(ds, st->m->root)))
		;
	st->format = MAIL_FORMAT_DSN;
	st->detail = "dsn";
	if ((rc = arf_reports_add(&st->rs, st->o.max_reports, &r)) != 0)
		return rc == 1 ? 0 : -1;
	human = arf_main_part(st->m->root);
	if (ds != NULL && ds != human) {
		st->o.note = ds->text;
		st->o.note_len = ds->text ? ds->text_len : 0;
	}
	return arf_describe(r, &st->o, "Delivery status notification",
	    human ? human->text : NULL, human ? human->text_len : 0);
}

/*
 * A DMARC aggregate or SMTP TLS report (aggregate.h): statistics about
 * mail, stored as one report marked aggregate (no incident to triage) and
 * automatic (no receipt), with a summary for a person.
 */
static int
mail_aggregate(struct mail_state *st)
{
	struct aggregate_info	 ai;
	struct report		*r;
	char			 head[2048];
	const char		*what;
	json_t			*j;
	int			 rc, dmarc;

	if ((rc = aggregate_from_message(st->m, AGGREGATE_DOC_MAX, &ai)) != 1)
		return rc;
	dmarc = ai.kind == AGGREGATE_DMARC;
	what = dmarc ? "DMARC aggregate report" : "SMTP TLS report";
	st->format = dmarc ? MAIL_FORMAT_DMARC : MAIL_FORMAT_TLSRPT;
	st->detail = dmarc ? "dmarc" : "tlsrpt";
	st->kinds |= MAIL_AUTO_BULK;
	if (mail_why(st, what, ai.org[0] ? ai.org : NULL) == -1)
		return -1;
	if ((rc = arf_reports_add(&st->rs, st->o.max_reports, &r)) != 0)
		return rc == 1 ? 0 : -1;
	r->aggregate = 1;
	r->category_why = "an aggregate report: statistics, no incident";
	snprintf(head, sizeof(head), "%s from %s about %s, %s to %s, report "
	    "ID %s: %llu %s, %llu %s, %llu %s%s%s%s", what,
	    ai.org[0] ? ai.org : "?", ai.domain[0] ? ai.domain : "?",
	    ai.begin[0] ? ai.begin : "?", ai.end[0] ? ai.end : "?",
	    ai.report_id[0] ? ai.report_id : "?", ai.records,
	    dmarc ? "records" : "policies", ai.messages,
	    dmarc ? "messages" : "sessions", ai.failed,
	    dmarc ? "failing both DKIM and SPF" : "failed",
	    ai.part[0] ? " (" : "", ai.part, ai.part[0] ? ")" : "");
	if (ai.unread)
		snprintf(head + strlen(head), sizeof(head) - strlen(head),
		    "; too large to open, known by its name");
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:b}",
	    "org", ai.org, "domain", ai.domain, "report_id", ai.report_id,
	    "begin", ai.begin, "end", ai.end, "part", ai.part,
	    "records", (json_int_t)ai.records, "messages",
	    (json_int_t)ai.messages, "failed", (json_int_t)ai.failed,
	    "unread", ai.unread);
	if (j == NULL || json_object_set_new(st->notes, "aggregate", j) == -1)
		return -1;
	return arf_describe(r, &st->o, head, NULL, 0);
}

/* X-ARF: a YAML or JSON report part. */
static int
mail_xarf(struct mail_state *st)
{
	const struct mime_part	*human = arf_main_part(st->m->root);
	int			 rc;

	if (human != NULL) {
		st->o.note = human->text;
		st->o.note_len = human->text_len;
	}
	if ((rc = xarf_from_message(st->m, human, &st->o, &st->rs)) == 1) {
		st->format = MAIL_FORMAT_XARF;
		st->detail = "xarf";
	}
	return rc == -1 ? -1 : 0;
}

/* CSV attachments: one report per row, the classifier's guess as default. */
static int
mail_csv(struct mail_state *st)
{
	const struct mime_part	*human = arf_main_part(st->m->root);
	int			 rc;

	if (human != NULL) {
		st->o.note = human->text;
		st->o.note_len = human->text_len;
	}
	st->o.fallback = st->guess;
	rc = mail_csv_from_message(st->m, &st->o, &st->rs);
	st->o.fallback = NULL;
	if (rc == 1)
		st->detail = "csv";
	return rc == -1 ? -1 : 0;
}

/*
 * The description of a forward: the reporter's words, then the forwarded
 * message's From, Reply-To, Date and Subject and its main text. 0, or -1.
 */
static int
mail_fwd_describe(struct mail_state *st, struct report *r,
    const struct mime_part *fr)
{
	static const char *const names[] = { "From", "Reply-To", "Date",
	    "Subject" };
	const struct mime_part	*mp = arf_main_part(fr);
	struct charset_buf	 b = { NULL, 0, 0 };
	const char		*v;
	size_t			 i, max = st->o.lim->description_max;
	int			 rc;

	rc = charset_buf_append(&b, "--- Forwarded message ---\n", 26);
	for (i = 0; rc == 0 && i < sizeof(names) / sizeof(names[0]); i++)
		if ((v = mail_hdr(fr, names[i])) != NULL &&
		    (charset_buf_append(&b, names[i], strlen(names[i])) == -1 ||
		    charset_buf_append(&b, ": ", 2) == -1 ||
		    charset_buf_append(&b, v, strnlen(v, 1024)) == -1 ||
		    charset_buf_append(&b, "\n", 1) == -1))
			rc = -1;
	if (rc == 0 && mp != NULL && (charset_buf_append(&b, "\n", 1) == -1 ||
	    charset_buf_append(&b, mp->text, mp->text_len < max * 4 ?
	    mp->text_len : max * 4) == -1))
		rc = -1;
	if (rc == 0)
		rc = arf_describe(r, &st->o, st->body_len ? st->body : NULL,
		    b.data, b.len);
	charset_buf_free(&b);
	return rc;
}

/* message/rfc822 parts: one report per forwarded message. */
static int
mail_rfc822(struct mail_state *st)
{
	const struct mime_part	*p = NULL, *fr, *mp;
	const char		*fs;
	struct report		*r;
	size_t			 n = 0;
	size_t			 budget = MAIL_TEXT_MAX;
	int			 rc;

	while ((p = mime_next(p ? p : st->m->root)) != NULL &&
	    n < MAIL_NESTED_MAX) {
		if (!arf_is_container(p) || p->n_children == 0 ||
		    arf_nested_in(p, st->m->root))
			continue;
		fr = p->children[0];
		n++;
		if ((rc = arf_reports_add(&st->rs, st->o.max_reports, &r)) ==
		    1)
			continue;
		if (rc == -1 || arf_mine(r, &st->o, fr, &budget) == -1)
			return -1;
		mail_drop_own(st, r);
		mp = arf_main_part(fr);
		fs = mail_hdr(fr, "Subject");
		if (mail_category(st, r, st->body, st->body_len,
		    mp ? mp->text : fs ? fs : "", mp ? mp->text_len :
		    fs ? strlen(fs) : 0) == -1 ||
		    mail_fwd_describe(st, r, fr) == -1)
			return -1;
	}
	if (n > 0) {
		st->format = MAIL_FORMAT_FORWARD;
		st->detail = "forward";
	}
	return 0;
}

/* The end of the line at s (its '\n', or end). */
static const char *
mail_line_end(const char *s, const char *end)
{
	const char	*nl = memchr(s, '\n', end - s);

	return nl ? nl : end;
}

/*
 * 1 when the line is a forward separator ("---------- Forwarded message
 * ---------", "Begin forwarded message:"; "-----Original Message-----"
 * only when fwd, the subject announcing a forward).
 */
static int
mail_fwd_marker(const char *line, size_t len, int fwd)
{
	char	buf[256];
	size_t	i, skip;
	int	ruled;

	skip = strspn(line, " \t>");
	if (skip >= len || len - skip >= sizeof(buf))
		return 0;
	memcpy(buf, line + skip, len - skip);
	buf[len - skip] = '\0';
	ruled = strchr("-_=*", buf[0]) != NULL;
	for (i = 0; i < (fwd ? MAIL_NELEM(mail_fwd_phrases) :
	    MAIL_FWD_ALWAYS); i++)
		if (ruled ? strcasestr(buf, mail_fwd_phrases[i]) != NULL :
		    strncasecmp(buf, mail_fwd_phrases[i],
		    strlen(mail_fwd_phrases[i])) == 0)
			return 1;
	return 0;
}

/* Whether key (klen bytes, any ASCII case) is one of names. */
static int
mail_key_in(const char *key, size_t klen, const char *const *names,
    size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strlen(names[i]) == klen &&
		    strncasecmp(key, names[i], klen) == 0)
			return 1;
	return 0;
}

/*
 * A "Key: value" line of an inline forwarded header block ("*From:* x" as
 * HTML mail renders it too). Returns 1 for From, 2 for Subject, 3 for
 * Reply-To, 4 for another header-like line, 0 for anything else; the
 * addresses and subject go into inl.
 */
static int
mail_fwd_header(const char *line, size_t len, struct mail_inline *inl)
{
	const char	*colon, *v, *key = line;
	size_t		 klen, vlen;

	if ((colon = memchr(line, ':', len < 32 ? len : 32)) == NULL)
		return 0;
	v = colon + 1;
	vlen = len - (v - line);
	klen = colon - key;
	/* "*From:* x" as HTML mail renders, "De :" as French clients write */
	text_trim(&key, &klen, TEXT_BLANKS "*>");
	text_trim(&v, &vlen, TEXT_BLANKS "*");
	if (klen == 0 || klen > 24 || memchr(key, '<', klen) != NULL ||
	    memchr(key, '@', klen) != NULL)
		return 0;
	if (mail_key_in(key, klen, mail_fwd_from, MAIL_NELEM(mail_fwd_from))) {
		if (inl->from[0] == '\0')
			(void)arf_addr(v, vlen, inl->from, sizeof(inl->from));
		return 1;
	}
	if (mail_key_in(key, klen, mail_fwd_subj, MAIL_NELEM(mail_fwd_subj))) {
		snprintf(inl->subject, sizeof(inl->subject), "%.*s",
		    (int)(vlen < sizeof(inl->subject) - 1 ? vlen :
		    sizeof(inl->subject) - 1), v);
		return 2;
	}
	if (mail_key_in(key, klen, mail_fwd_reply,
	    MAIL_NELEM(mail_fwd_reply))) {
		if (inl->reply_to[0] == '\0')
			(void)arf_addr(v, vlen, inl->reply_to,
			    sizeof(inl->reply_to));
		return 3;
	}
	return memchr(key, ' ', klen) == NULL || klen < 10 ? 4 : 0;
}

/* 1 when the subject announces a forward (Fwd:, FW:, TR:, ...). */
static int
mail_fwd_subject(const char *s)
{
	size_t	i, k;

	for (k = 0; k < 4; k++) {
		s += strspn(s, " \t");
		for (i = 0; i < MAIL_NELEM(mail_fwd_prefixes); i++)
			if (strncasecmp(s, mail_fwd_prefixes[i],
			    strlen(mail_fwd_prefixes[i])) == 0)
				return 1;
		if (strncasecmp(s, "re:", 3) == 0 ||
		    strncasecmp(s, "aw:", 3) == 0)
			s += 3;
		else if (*s == '[' && strchr(s, ']') != NULL)
			s = strchr(s, ']') + 1;
		else
			return 0;
	}
	return 0;
}

/*
 * Find an inline forward in text: a separator line, or (lenient, under a
 * forward subject, which also admits the "original message" separators) a
 * From: line followed within MAIL_FWD_SCAN_LINES lines by another
 * header-like line. Then read the header block: after the
 * separator (blank lines skipped) or from the From: line, up to the first
 * line that is not a header. 1 with inl filled, else 0.
 */
static int
mail_inline_find(const char *text, size_t len, int lenient,
    struct mail_inline *inl)
{
	const char	*end = text + len, *line, *le, *l2;
	size_t		 k;
	int		 kind, marker = 0;

	memset(inl, 0, sizeof(*inl));
	for (line = text; line < end && !marker; line = le + 1) {
		le = mail_line_end(line, end);
		if ((marker = mail_fwd_marker(line, le - line, lenient)))
			break;
		if (!lenient || mail_fwd_header(line, le - line, inl) != 1)
			continue;
		for (l2 = le + 1, k = 0, kind = 0; l2 < end && k <
		    MAIL_FWD_SCAN_LINES && kind != 2 && kind != 4; k++) {
			kind = mail_fwd_header(l2, mail_line_end(l2, end) - l2,
			    inl);
			l2 = mail_line_end(l2, end) + 1;
		}
		if (kind == 2 || kind == 4)
			break;
		memset(inl, 0, sizeof(*inl));
	}
	if (line >= end)
		return 0;
	inl->outer = text;
	inl->outer_len = line - text;
	inl->fwd = line;
	inl->fwd_len = end - line;
	l2 = marker ? mail_line_end(line, end) + 1 : line;
	for (k = 0; l2 < end && k < 2 && mail_line_end(l2, end) - l2 <= 1; k++)
		l2 = mail_line_end(l2, end) + 1;	/* blank lines */
	for (k = 0; l2 < end && k < 16; k++, l2 = le + 1) {
		le = mail_line_end(l2, end);
		if (mail_fwd_header(l2, le - l2, inl) == 0)
			break;
	}
	return 1;
}

/* An inline forward in the main text: one report. */
static int
mail_inline(struct mail_state *st)
{
	struct mail_inline	 inl;
	struct report		*r;
	const char		*at;
	const struct report_limits *lim = st->o.lim;
	int			 rc;

	if (st->body == NULL || !mail_inline_find(st->body, st->body_len,
	    mail_fwd_subject(st->subject), &inl))
		return 0;
	if ((rc = arf_reports_add(&st->rs, st->o.max_reports, &r)) != 0)
		return rc == 1 ? 0 : -1;
	st->format = MAIL_FORMAT_FORWARD;
	st->detail = "forward-inline";
	r->origin = "forwarded From";
	if (inl.from[0] != '\0' && (arf_indicator(r, lim, IND_EMAIL,
	    inl.from, strlen(inl.from)) == -1 || ((at = strrchr(inl.from,
	    '@')) != NULL && arf_indicator(r, lim, IND_DOMAIN, at + 1,
	    strlen(at + 1)) == -1)))
		return -1;
	r->origin = "forwarded Reply-To";
	if (inl.reply_to[0] != '\0' && arf_indicator(r, lim, IND_EMAIL,
	    inl.reply_to, strlen(inl.reply_to)) == -1)
		return -1;
	r->origin = "forwarded text";
	if (arf_extract(&st->o, r, inl.fwd, inl.fwd_len) == -1)
		return -1;
	r->origin = NULL;
	mail_drop_own(st, r);
	return mail_category(st, r, inl.outer, inl.outer_len, inl.fwd,
	    inl.fwd_len) == -1 || arf_describe(r, &st->o, NULL, st->body,
	    st->body_len) == -1 ? -1 : 0;
}

/* A plain report: indicators from every text part, the classifier. */
static int
mail_plain(struct mail_state *st)
{
	const struct mime_part	*p = NULL, *root = st->m ? st->m->root : NULL;
	const char		*code = NULL;
	struct report		*r;
	size_t			 n, budget = MAIL_TEXT_MAX;
	int			 rc;

	if ((rc = arf_reports_add(&st->rs, st->o.max_reports, &r)) != 0)
		return rc == 1 ? 0 : -1;
	r->origin = "subject";
	if (arf_extract(&st->o, r, st->subject, strlen(st->subject)) == -1)
		return -1;
	r->origin = "text";
	while (root != NULL && (p = arf_next_in(p, root)) != NULL &&
	    budget > 0) {
		if (p->text == NULL || p->n_children > 0 ||
		    arf_nested_in(p, root) || arf_is_container(p))
			continue;
		n = p->text_len < budget ? p->text_len : budget;
		budget -= n;
		if (arf_extract(&st->o, r, p->text, n) == -1)
			return -1;
	}
	r->origin = NULL;
	mail_drop_own(st, r);
	if (!mail_quiet(st))
		code = st->guess;
	r->category_why = mail_quiet(st) ?
	    "a bounce or an auto-reply carries none" : code != NULL ?
	    "keywords of the subject and text" : NULL;
	if (code != NULL && arf_field(r, &st->o, "category", code,
	    strlen(code)) == -1)
		return -1;
	if (st->body_len > 0)
		return arf_describe(r, &st->o, NULL, st->body, st->body_len);
	return arf_describe(r, &st->o, NULL, st->subject,
	    strlen(st->subject));
}

/*
 * Bound the indicators of the whole message to budget: reports are kept in
 * order while their indicators fit; the first that does not fit and every
 * one after it are dropped as events (counted in rs.dropped), except the
 * first report of the message, which is always kept and cut to the budget
 * (the indicators cut counted in ind_dropped). Sets st->truncated when
 * anything of the message was left out, here or by max_reports.
 */
static void
mail_cap(struct mail_state *st, size_t budget)
{
	struct report	*r;
	size_t		 i, k, used = 0;

	for (i = 0; i < st->rs.n; i++) {
		if (st->rs.v[i].n_indicators > budget - used)
			break;
		used += st->rs.v[i].n_indicators;
	}
	if (i == 0 && st->rs.n > 0) {
		r = &st->rs.v[0];
		for (k = budget; k < r->n_indicators; k++)
			free(r->indicators[k].value);
		st->ind_dropped = r->n_indicators - budget;
		r->n_indicators = budget;
		i = 1;
	}
	for (k = i; k < st->rs.n; k++)
		report_free(&st->rs.v[k]);
	st->rs.dropped += st->rs.n - i;
	st->rs.n = i;
	st->truncated = st->rs.dropped > 0 || st->ind_dropped > 0;
}

/*
 * What every report of the message gets: subject, reporter, the automatic
 * flag, the truncation, the [TBSC] severity, and the fallbacks of
 * arf_finish.
 */
static int
mail_common(struct mail_state *st, struct report *r)
{
	const char	*env_from = st->env ? st->env->mail_from : NULL;

	if (r->subject == NULL && st->subject[0] != '\0' &&
	    arf_text_clean(st->subject, strlen(st->subject),
	    st->o.lim->field_max, 0, &r->subject, NULL) == -1)
		return -1;
	/* the From address, else (absent or invalid) the envelope sender */
	if (arf_field(r, &st->o, "reporter-email", st->from,
	    strlen(st->from)) == -1 || (r->reporter_email == NULL &&
	    env_from != NULL && arf_field(r, &st->o, "reporter-email",
	    env_from, strlen(env_from)) == -1) ||
	    arf_field(r, &st->o, "reporter-name", st->name,
	    strlen(st->name)) == -1)
		return -1;
	r->auto_generated = st->why.len > 0;
	if (st->reason != NULL && r->auto_reason == NULL &&
	    (r->auto_reason = strdup(st->reason)) == NULL)
		return -1;
	r->truncated = st->truncated;
	r->events_dropped = st->rs.dropped;
	st->o.fallback = NULL;
	if (arf_finish(r, &st->o) == -1)
		return -1;
	if (st->tbsc && r->severity < SEV_HIGH)
		r->severity = SEV_HIGH;
	return 0;
}

/* Meta JSON. */

/* A JSON string of s made valid single-line UTF-8; NULL on ENOMEM. */
static json_t *
mail_jclean(const char *s)
{
	json_t	*j;
	char	*c;

	if (arf_text_clean(s, strlen(s), MAIL_JSON_STR_MAX, 0, &c, NULL) ==
	    -1)
		return NULL;
	j = json_string(c);
	free(c);
	return j;
}

/* obj[key] = s cleaned (nothing when s is NULL). 0, or -1 on ENOMEM. */
static int
mail_jstr(json_t *obj, const char *key, const char *s)
{
	return s == NULL ? 0 : json_object_set_new(obj, key, mail_jclean(s));
}

/* root.envelope: what the SMTP session saw. 0, or -1 on ENOMEM. */
static int
mail_meta_envelope(struct mail_state *st, json_t *root)
{
	const struct mail_envelope	*env = st->env;
	json_t				*e, *rcpts;
	size_t				 i;

	if (env == NULL)
		return 0;
	if ((e = json_object()) == NULL ||
	    json_object_set_new(root, "envelope", e) == -1 ||
	    (rcpts = json_array()) == NULL ||
	    json_object_set_new(e, "rcpts", rcpts) == -1)
		return -1;
	for (i = 0; i < env->n_rcpts; i++)
		if (env->rcpts[i] != NULL && json_array_append_new(rcpts,
		    mail_jclean(env->rcpts[i])) == -1)
			return -1;
	if (mail_jstr(e, "mail_from", env->mail_from) == -1 ||
	    mail_jstr(e, "helo", env->helo) == -1 ||
	    mail_jstr(e, "peer", env->peer) == -1 ||
	    mail_jstr(e, "tls", env->tls) == -1)
		return -1;
	return 0;
}

/* Identity headers, defects and trusted Authentication-Results. */
static int
mail_meta_headers(struct mail_state *st, json_t *root)
{
	static const char *const hdrs[][2] = { { "Reply-To", "reply_to" },
	    { "Sender", "sender" }, { "Message-ID", "message_id" },
	    { "Date", "date" } };
	const struct mime_part		*p = st->m ? st->m->root : NULL;
	const struct mime_header	*h = NULL;
	json_t				*arr, *from;
	char				 addr[MAIL_ADDR_MAX], utc[32];
	const char			*v;
	size_t				 i;
	struct tm			 tm;
	time_t				 t;

	if ((from = json_object()) == NULL ||
	    json_object_set_new(root, "from", from) == -1 ||
	    mail_jstr(from, "addr", st->from[0] ? st->from : NULL) == -1 ||
	    mail_jstr(from, "name", st->name[0] ? st->name : NULL) == -1 ||
	    mail_jstr(root, "subject", st->subject) == -1)
		return -1;
	for (i = 0; i < MAIL_NELEM(hdrs); i++) {
		v = mail_hdr(p, hdrs[i][0]);
		if (i < 2 && v != NULL && arf_addr(v, strlen(v), addr,
		    sizeof(addr)) == 0)
			v = addr;
		if (mail_jstr(root, hdrs[i][1], v) == -1)
			return -1;
	}
	if ((v = mail_hdr(p, "Date")) != NULL && mime_parse_date(v, &t) == 0 &&
	    gmtime_r(&t, &tm) != NULL && strftime(utc, sizeof(utc),
	    "%Y-%m-%dT%H:%M:%SZ", &tm) > 0 && mail_jstr(root, "date_utc",
	    utc) == -1)
		return -1;
	if ((arr = json_array()) == NULL ||
	    json_object_set_new(root, "mime_defects", arr) == -1)
		return -1;
	for (i = 0; st->m != NULL && i < MAIL_NELEM(mail_defects); i++)
		if ((st->m->flags & mail_defects[i].flag) &&
		    json_array_append_new(arr,
		    json_string(mail_defects[i].name)) == -1)
			return -1;
	if ((arr = json_array()) == NULL ||
	    json_object_set_new(root, "authentication_results", arr) == -1)
		return -1;
	while (p != NULL &&
	    (h = mime_header_next(p, "Authentication-Results", h)) != NULL) {
		if ((v = mail_ar_trusted(st, h->value)) != NULL &&
		    json_array_append_new(arr, mail_jclean(v)) == -1)
			return -1;
	}
	return 0;
}

/*
 * An Authentication-Results value without its leading blanks when its
 * authserv-id is one of the trusted upstreams, else NULL (anyone can
 * write the header; only our own border MTAs' results count).
 */
static const char *
mail_ar_trusted(const struct mail_state *st, const char *value)
{
	const char	*v = value + strspn(value, " \t");
	size_t		 k, idlen = strcspn(v, " \t;");

	for (k = 0; k < st->ctx->n_trusted_upstreams; k++)
		if (st->ctx->trusted_upstreams[k] != NULL &&
		    strlen(st->ctx->trusted_upstreams[k]) == idlen &&
		    strncasecmp(v, st->ctx->trusted_upstreams[k], idlen) == 0)
			return v;
	return NULL;
}

/* out->reply_addr, message_id and sender_authenticated (see mail.h). */
static void
mail_reply_identity(const struct mail_state *st, struct mail_result *out)
{
	const struct mime_part		*p = st->m ? st->m->root : NULL;
	const struct mime_header	*h = NULL;
	const char			*v, *at;
	size_t				 n;

	if ((v = mail_hdr(p, "Reply-To")) == NULL || arf_addr(v, strlen(v),
	    out->reply_addr, sizeof(out->reply_addr)) != 0)
		snprintf(out->reply_addr, sizeof(out->reply_addr), "%s",
		    st->from);
	if ((v = mail_hdr(p, "Message-ID")) != NULL) {
		v += strspn(v, " \t");
		n = strcspn(v, " \t\r\n");
		if (n < sizeof(out->message_id))
			memcpy(out->message_id, v, n);
	}
	if ((at = strrchr(out->reply_addr, '@')) == NULL)
		return;
	while (p != NULL &&
	    (h = mime_header_next(p, "Authentication-Results", h)) != NULL)
		if ((v = mail_ar_trusted(st, h->value)) != NULL &&
		    mail_auth_passes(v, at + 1)) {
			out->sender_authenticated = 1;
			return;
		}
}

/* result->meta_json: identity, envelope, format and parse notes. */
static int
mail_meta(struct mail_state *st, struct mail_result *out)
{
	json_t	*root;
	int	 rc = -1;

	if ((root = json_object()) == NULL)
		return -1;
	if (json_object_set_new(root, "format", json_string(st->detail)) ==
	    -1 || mail_meta_envelope(st, root) == -1 ||
	    mail_meta_headers(st, root) == -1 ||
	    json_object_set_new(root, "auto_generated",
	    json_boolean(st->why.len > 0)) == -1 ||
	    mail_jstr(root, "auto_reason", st->reason) == -1 ||
	    mail_jstr(root, "auto_kind", st->why.len ?
	    mail_kind_name(st->kinds) : NULL) == -1 ||
	    json_object_set_new(root, "tbsc", json_boolean(st->tbsc)) == -1 ||
	    json_object_set_new(root, "reports",
	    json_integer(st->rs.n)) == -1 ||
	    json_object_set_new(root, "truncated",
	    json_boolean(st->truncated)) == -1 ||
	    json_object_set_new(root, "events_dropped",
	    json_integer(st->rs.dropped)) == -1 ||
	    json_object_set_new(root, "indicators_dropped",
	    json_integer(st->ind_dropped)) == -1 ||
	    json_object_update(root, st->notes) == -1)
		goto done;
	if ((out->meta_json = json_dumps(root, JSON_COMPACT)) != NULL)
		rc = 0;
 done:
	json_decref(root);
	return rc;
}

/* Entry point. */

/*
 * The blank lines (spaces and TABs allowed) before a header block: a
 * message saved with them has its headers read as body otherwise. 0 when
 * what follows them does not start like a header ("Name:").
 */
static size_t
mail_skip_blank(const char *msg, size_t len)
{
	size_t	i = 0, line = 0, n;

	while (i < len && line < MAIL_BLANK_MAX) {
		n = strspn(msg + i, " \t\r");
		if (i + n >= len || msg[i + n] != '\n')
			break;
		i += n + 1;
		line++;
	}
	if (i == 0 || i >= len)
		return 0;
	for (n = i; n < len && n - i < 80 && msg[n] != ':' && msg[n] != ' ' &&
	    msg[n] != '\t' && msg[n] != '\n' && msg[n] != '\0'; n++)
		;
	return n > i && n < len && msg[n] == ':' ? i : 0;
}

/* Subject, From and the main text, cleaned once for every format. */
static int
mail_text_init(struct mail_state *st)
{
	const struct mime_part	*root = st->m ? st->m->root : NULL, *mp;
	const char		*v;

	st->subject = mail_hdr(root, "Subject");
	if (st->subject == NULL)
		st->subject = "";
	if ((v = mail_hdr(root, "From")) != NULL) {
		if (arf_addr(v, strlen(v), st->from, sizeof(st->from)) == -1)
			st->from[0] = '\0';
		arf_display_name(v, st->name, sizeof(st->name));
	}
	if (root != NULL && (mp = arf_main_part(root)) != NULL &&
	    arf_text_clean(mp->text, mp->text_len, MAIL_TEXT_MAX, 1,
	    &st->body, &st->body_len) == -1)
		return -1;
	return mail_guess(st, st->subject, st->body, st->body_len,
	    &st->guess);
}

/* Try the formats in order until one gives a report. 0, or -1 (ENOMEM). */
static int
mail_dispatch(struct mail_state *st)
{
	int	(*const formats[])(struct mail_state *) = { mail_arf,
	    mail_aggregate, mail_xarf, mail_dsn, mail_csv, mail_rfc822,
	    mail_inline };
	size_t	i;

	st->format = MAIL_FORMAT_PLAIN;
	st->detail = "plain";
	for (i = 0; st->m != NULL && i < MAIL_NELEM(formats); i++) {
		if (formats[i](st) == -1)
			return -1;
		if (st->rs.n > 0)
			return 0;
		st->format = MAIL_FORMAT_PLAIN;
		st->detail = "plain";
		st->o.note = NULL;
	}
	return mail_plain(st);
}

int
mail_to_reports(const struct mail_context *ctx,
    const struct mail_envelope *env, const char *msg, size_t len,
    struct mail_result *out, char *err, size_t errlen)
{
	struct mail_state	 st;
	struct report_limits	 dl;
	struct mime_error	 merr;
	size_t			 i, skip;
	int			 rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	report_limits_default(&dl);
	st.ctx = ctx;
	st.env = env;
	st.o.tax = ctx->tax;
	st.o.lim = ctx->lim ? ctx->lim : &dl;
	st.o.ex = ctx->extractor;
	st.o.max_reports = ctx->max_reports ? ctx->max_reports :
	    SMTP_REPORTS_MAX;
	if ((st.notes = json_object()) == NULL)
		goto done;
	skip = mail_skip_blank(msg, len);
	if (mime_parse(msg + skip, len - skip, NULL, &st.m, &merr) == -1) {
		if (merr.code == MIME_ERR_NOMEM)
			goto done;
		st.m = NULL;	/* empty: one "(no text)" report */
	}
	if (mail_text_init(&st) == -1 || mail_auto(&st) == -1)
		goto done;
	st.tbsc = classify_is_tbsc_subject(st.subject, strlen(st.subject));
	if (mail_dispatch(&st) == -1)
		goto done;
	mail_cap(&st, ctx->max_indicators ? ctx->max_indicators :
	    SMTP_INDICATORS_MAX);
	/* the reasons quote headers: one clean line for people and stores */
	if (st.why.len > 0 && arf_text_clean(st.why.data, st.why.len,
	    MAIL_REASON_MAX, 0, &st.reason, NULL) == -1)
		goto done;
	for (i = 0; i < st.rs.n; i++)
		if (mail_common(&st, &st.rs.v[i]) == -1)
			goto done;
	if (mail_meta(&st, out) == -1 || (st.reason != NULL &&
	    (out->auto_reason = strdup(st.reason)) == NULL))
		goto done;
	out->reports = st.rs.v;
	out->n_reports = st.rs.n;
	out->events_dropped = st.rs.dropped;
	memset(&st.rs, 0, sizeof(st.rs));
	out->format = st.format;
	out->auto_generated = st.why.len > 0;
	out->tbsc = st.tbsc;
	out->truncated = st.truncated;
	out->indicators_dropped = st.ind_dropped;
	mail_reply_identity(&st, out);
	rc = 0;
 done:
	if (rc == -1) {
		mail_result_free(out);
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
	}
	arf_reports_free(&st.rs);
	json_decref(st.notes);
	charset_buf_free(&st.why);
	charset_buf_free(&st.rules);
	free(st.reason);
	free(st.body);
	mime_free(st.m);
	return rc;
}

void
mail_result_free(struct mail_result *res)
{
	size_t	i;

	if (res == NULL)
		return;
	for (i = 0; i < res->n_reports; i++)
		report_free(&res->reports[i]);
	free(res->reports);
	free(res->auto_reason);
	free(res->meta_json);
	memset(res, 0, sizeof(*res));
}
