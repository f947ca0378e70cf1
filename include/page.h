/*
 * page.h - the HTML pages of the HTTPS face: the public ones (contact
 * points, the report form, the receipt, e-mail confirmation, errors) and
 * the staff view's (sign-in, queue, incident, phone report, statistics),
 * rendered from templates and a message catalogue compiled into the
 * binaries.
 *
 * Sources (conf/, embedded by the Makefile):
 * - messages.tsv: every text a page shows, "key<TAB>vi<TAB>en". No text
 *   comes from C; C names message keys only.
 * - pages/NAME.html: templates. layout.html wraps every page at {{>body}}.
 *   {{name}} an escaped value, {{@key}} an escaped message in the page's
 *   language, {{#list}}...{{/list}} repeated per item of a list,
 *   {{?name}}...{{/name}} shown when name is non-empty (a list: has items),
 *   {{^name}}...{{/name}} shown when it is empty.
 * - style.css: the one stylesheet, served as /static/style.css.
 *
 * Loading checks everything once: an unknown name or message key, a
 * placeholder outside text or a quoted attribute value, a <script> or
 * <style> element, a style= or on*= attribute, a message missing a language,
 * a key that C needs but the catalogue lacks. Any of these fails start-up.
 *
 * Rendering is pure: no I/O, no logging, no global state beyond the
 * compiled-in data. A loaded page_set is read-only and may be shared by
 * threads; every render uses memory of its own and frees it on return.
 * Every value that reaches a page, messages included, goes through
 * page_escape_append(); a value that starts an href, src or action must
 * also be a relative path or an http(s), mailto or tel URL, or it is
 * replaced by "#".
 */
#ifndef PAGE_H
#define PAGE_H

#include <stddef.h>
#include <time.h>

struct taxonomy;
struct page_set;

/* Largest page a render may produce; past it the buffer fails. */
#define PAGE_BUF_MAX	(8u << 20)

/*
 * A growable byte buffer. Appends never fail loudly: on allocation failure
 * or past its bound (PAGE_BUF_MAX, or the max of page_buf_append_max),
 * failed is set, data keeps what fitted, and later appends are ignored.
 * data is NUL-terminated whenever it is not NULL.
 */
struct page_buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	int	 failed;
};

void	page_buf_init(struct page_buf *b);
void	page_buf_free(struct page_buf *b);
/* Append p[0..len) as is (template text; never a value: see below). */
void	page_buf_append(struct page_buf *b, const void *p, size_t len);
/*
 * The same, bounded by max instead of PAGE_BUF_MAX, for a buffer that is
 * not a page (an export's chunk); a buffer keeps one bound all its life.
 */
void	page_buf_append_max(struct page_buf *b, const void *p, size_t len,
	    size_t max);

/*
 * The one HTML escaping function: appends s[0..len) so that it is inert
 * text both between tags and inside a quoted attribute value. & < > " '
 * and ` become character references; well-formed UTF-8 passes through;
 * every invalid UTF-8 sequence (maximal subpart), NUL, other C0 controls
 * except TAB, LF and CR, DEL, C1 controls and Unicode noncharacters
 * become U+FFFD. s may be NULL when len is 0.
 */
void	page_escape_append(struct page_buf *b, const char *s, size_t len);

/*
 * The page language: query_lang (the ?lang= value) when it names vi or en
 * (a region suffix such as en-GB is accepted), otherwise the best of vi
 * and en in accept_language (an Accept-Language value: q-values honoured,
 * "*" standing for any language not listed, equal q-values resolved by
 * order), otherwise "vi". Either argument may be NULL. Returns the static
 * string "vi" or "en".
 */
const char *page_lang_pick(const char *query_lang, const char *accept_language);

/* One source file: its name as in conf/ ("messages.tsv", "pages/home.html"). */
struct page_source {
	const char	*name;
	const char	*data;
	size_t		 len;
};

/* Fill src with the sources compiled into the binaries. */
#define PAGE_NSOURCES	13
void	page_embedded_sources(struct page_source src[PAGE_NSOURCES]);

/*
 * Build a page set from src[0..n): each name page_embedded_sources() lists,
 * once, and no other. tax gives the form's categories (NULL: none but
 * "I don't know"); it is borrowed and must outlive the set. The sources
 * are copied. Returns NULL with "NAME:LINE: why" (or "NAME: why") in err
 * on any error listed at the top of this file, or on ENOMEM.
 */
struct page_set *page_set_new(const struct page_source *src, size_t n,
	    const struct taxonomy *tax, char *err, size_t errlen);

/* page_set_new() on the embedded sources. */
struct page_set *page_set_load(const struct taxonomy *tax, char *err,
	    size_t errlen);

void	page_set_free(struct page_set *ps);

/*
 * The text of message key in lang ("vi" or "en"; anything else is vi), or
 * NULL when the catalogue has no such key. The string lives as long as ps.
 */
const char *page_msg(const struct page_set *ps, const char *lang,
	    const char *key);

/*
 * The stylesheet to serve at /static/style.css (*len set to its length),
 * and a short version string (hex of a hash of it) that pages put in the
 * link as ?v=..., so the daemon may let browsers cache it for long.
 */
const char *page_style(const struct page_set *ps, size_t *len);
const char *page_style_version(const struct page_set *ps);

enum page_id {
	PAGE_HOME,		/* GET / */
	PAGE_REPORT,		/* GET /report, POST /report with errors */
	PAGE_STATUS,		/* GET /status/<id>?t=... */
	PAGE_VERIFY,		/* GET /verify/<token> */
	PAGE_VERIFIED,		/* after POST /verify/<token> */
	PAGE_ERROR,		/* any error: page_vars.http_status */
	PAGE_STAFF_LOGIN,	/* GET /triage/login, a refused sign-in */
	PAGE_STAFF_QUEUE,	/* GET /triage */
	PAGE_STAFF_INCIDENT,	/* GET /triage/incidents/<id>, refusals */
	PAGE_STAFF_PHONE,	/* GET /triage/phone: the report form's
				   fields, posting to /triage/phone */
	PAGE_STAFF_STATS,	/* GET /triage/stats */
	PAGE_COUNT
};

/*
 * The published contact points ([contact], [line]); every member may be
 * NULL (or n_emails 0): what is absent is not shown.
 */
struct page_contact {
	const char		*organization;
	const char *const	*emails;	/* incident addresses */
	size_t			 n_emails;
	const char		*phone;		/* hotline, as is */
	const char		*hours;		/* when it answers */
	const char		*line_endpoint;	/* ILP/1 "host:port" */
	const char		*line_tls_endpoint;
	const char		*encryption;	/* URL of the PGP key */
	const char		*policy;	/* URL of the policy */
};

/* A submitted form value to show again. */
struct page_field {
	const char	*name;		/* e.g. "reporter-email" */
	const char	*value;		/* NUL-terminated, any bytes */
};

/*
 * A form error: msg is a message key, shown beside field and in the summary
 * at the top. field NULL or "" (or a name the form does not have): the
 * summary only. An unknown msg key shows the text of "err.invalid". Keys
 * the catalogue guarantees (checked at load): err.invalid, err.required,
 * err.too-long, err.email, err.phone, err.contact-needed, err.datetime,
 * err.future, err.category, err.severity, err.system-level, err.indicators,
 * err.attachment-too-large, err.attachment-type, err.attachments-too-many,
 * err.form-expired, err.form-too-large, err.store.
 */
struct page_error {
	const char	*field;
	const char	*msg;
};

/*
 * The staff view's values (PAGE_STAFF_*), as the API gives them except
 * that times are already local text ("2026-12-06 12:21"): each pointer
 * may be NULL (not shown). Codes (status, category, severity, channel)
 * are shown by their words from the catalogue or the taxonomy.
 */
struct page_staff_indicator {
	const char	*type;		/* ipv4, url, ... */
	const char	*value;
};

struct page_staff_incident {
	const char	*id;		/* IN-... */
	const char	*status;
	const char	*category;
	const char	*severity;
	int		 verified;
	int		 serious;
	int		 overdue;
	long long	 reports;
	const char	*first_seen;
	const char	*last_seen;
	const char	*due;		/* the next deadline */
	const char	*deadline;	/* notify, final */
	const char	*claimed_by;	/* a claim that has not expired */
	const char	*claim_expires;
	const char	*channels;	/* "line, web" */
	const char	*merged_into;	/* IN-... */
	const char	*system_level;	/* "1".."5" */
	const char	*detected_at;
	const char	*resolved_at;
	const char	*notified_at;	/* sent to the coordinator */
	const char	*handling;	/* handled_in_house, ... */
	const struct page_staff_indicator *indicators;
	size_t		 n_indicators;
};

struct page_staff_report {
	const char	*id;		/* IR-... */
	const char	*channel;
	const char	*received;
	const char	*category;
	const char	*severity;
	int		 verified;
	int		 automatic;	/* sent by a machine */
	int		 confidential;
	const char	*subject;
	const char	*description;
	int		 description_cut; /* only its beginning is shown */
	const char	*reporter_name;
	const char	*reporter_email;
	const char	*reporter_phone;
	const char	*organization;
	const char	*token;		/* the partner or analyst who sent it */
	const char	*detected_at;
	const char	*occurred_at;
	const char	*affected_system;
	const char	*operating_unit;
	const char	*system_level;
	long long	 evidence_bytes;
	const struct page_staff_indicator *indicators;
	size_t		 n_indicators;
};

struct page_staff_source {
	const char	*reporter;
	const char	*channel;
	long long	 count;
};

struct page_staff_event {
	const char	*at;
	const char	*actor;
	const char	*action;	/* claim, status, evidence.read, ... */
	const char	*object;
	const char	*detail;
	const char	*peer;
};

/* A count of something named by a code (a category, a channel...). */
struct page_staff_count {
	const char	*code;
	long long	 count;
};

/* One Mẫu 05 row: its label (as the statistics give it) and columns. */
struct page_staff_mau05 {
	int		 row;
	const char	*label;
	long long	 count;
	long long	 handled[4];	/* in house, domestic, foreign,
					   coordinator */
};

/* The queue's filters, as the request gave them ("" or NULL: any). */
struct page_staff_filter {
	const char	*status;	/* a status, "all", or "" (open) */
	const char	*category;
	const char	*severity;
	const char	*verified;	/* true (""), false, all */
	const char	*channel;
	const char	*since;		/* YYYY-MM-DD, as typed */
	const char	*until;
	const char	*q;
};

/*
 * Every staff page: user (the token signed in; NULL on the login page),
 * the session's form token in page_vars.csrf, a notice (a message key:
 * notice_ok for an outcome, else a refusal shown as an alert) with its
 * details (any text), and tz, the time zone times are shown in.
 */
struct page_staff {
	const char	*user;
	const char	*notice;
	int		 notice_ok;
	const char	*notice_detail;
	const char	*tz;

	/* PAGE_STAFF_QUEUE: the filters, one page of incidents, and the
	   cursor of the next page (NULL: the last page) */
	struct page_staff_filter filter;
	const struct page_staff_incident *incidents;
	size_t		 n_incidents;
	const char	*next_cursor;

	/* PAGE_STAFF_INCIDENT: the incident, the statuses it may move to,
	   its reports (report_count in all; reports_cut: more than shown),
	   indicators, sources and timeline; the actions offered (can_claim,
	   can_merge, claimed_by_user: the user holds its claim, so may
	   release it; forward: [forward] to is set); merge_into and note:
	   values to show again in their forms */
	const struct page_staff_incident *incident;
	const char *const *next_statuses;
	size_t		 n_next_statuses;
	int		 can_claim;
	int		 can_merge;
	int		 claimed_by_user;
	int		 forward;
	const char	*merge_into;
	const char	*note;
	const struct page_staff_report *reports;
	size_t		 n_reports;
	long long	 report_count;
	int		 reports_cut;
	const struct page_staff_source *sources;
	size_t		 n_sources;
	const struct page_staff_event *timeline;
	size_t		 n_timeline;

	/* PAGE_STAFF_STATS: the period ("2026Q4"; NULL: none valid, only
	   the form is shown), periods to link to, the period's bounds
	   (local text), the figures, the Mẫu 05 rows and the counts the
	   charts draw; by_week: code is the week's first day (YYYY-MM-DD) */
	const char	*period;
	const char *const *period_links;
	size_t		 n_period_links;
	const char	*period_from;
	const char	*period_to;
	long long	 total;
	long long	 verified;
	long long	 median_claim;	/* seconds; -1: none */
	long long	 median_resolve;
	const struct page_staff_mau05 *mau05;
	size_t		 n_mau05;
	const struct page_staff_count *by_week;
	size_t		 n_by_week;
	const struct page_staff_count *by_category;
	size_t		 n_by_category;
	const struct page_staff_count *by_channel;
	size_t		 n_by_channel;
	const struct page_staff_count *by_severity;
	size_t		 n_by_severity;
};

/*
 * What a page shows. Zero it, then set what the page needs; every pointer
 * may be NULL. Borrowed for the duration of page_render() only.
 */
struct page_vars {
	/* every page: the request's path as received ("/status/IR-1";
	   NULL: "/") and raw query (without '?'), the contact points, where
	   the stylesheet is (NULL: "/static"), the form token of PAGE_REPORT
	   and PAGE_VERIFY */
	const char		*path;
	const char		*query;
	const struct page_contact *contact;
	const char		*static_base;
	const char		*csrf;

	/* PAGE_REPORT. The form posts multipart/form-data to
	   /report?lang=<lang>; category, severity and system-level send ""
	   for "I don't know", confidential sends "yes" when ticked, website
	   (the honeypot) is always shown empty and attachments are never
	   refilled (a note asks for them again when there are errors). */
	const struct page_field	*values;
	size_t			 n_values;
	const struct page_error	*errors;
	size_t			 n_errors;
	const char		*max_upload;	/* "10 MB", shown as is */

	/* PAGE_STATUS, PAGE_VERIFY, PAGE_VERIFIED; utc_offset in seconds
	   east of UTC; verify_sent: a confirmation link went by e-mail;
	   verify_token: the one in PAGE_VERIFY's URL */
	const char		*report_id;
	time_t			 received_at;	/* 0: not shown */
	long			 utc_offset;
	const char		*status;	/* new, triaged, ... */
	int			 verified;
	int			 verify_sent;
	const char		*verify_token;

	/* PAGE_ERROR: 400, 403, 404, 405, 408, 410, 413, 429, 431, 500,
	   503; another 4xx shows 400, anything else 500 */
	int			 http_status;

	/* PAGE_STAFF_*, and PAGE_STAFF_PHONE besides PAGE_REPORT's */
	const struct page_staff	*staff;
};

/*
 * Append the complete HTML document of page id in lang ("vi" or "en";
 * anything else is vi) to out. Its links and form actions carry
 * ?lang=<lang>; PAGE_VERIFY posts to /verify/<token>?lang=<lang>. Returns
 * 0, or -1 when out failed (ENOMEM or PAGE_BUF_MAX), ps is NULL or id is
 * out of range; out then holds a truncated page that must not be sent.
 */
int	page_render(const struct page_set *ps, enum page_id id,
	    const char *lang, const struct page_vars *vars,
	    struct page_buf *out);

#endif
