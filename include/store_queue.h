/*
 * store_queue.h - the triage API's reads (GET /api/v1/incidents and
 * /api/v1/incidents/<id>) on a reader connection (store_read.h): the queue
 * with its filters, text search and keyset pagination, and one incident
 * with its reports, indicators, sources and timeline.
 *
 * The queue is ordered by last activity (the newest report's time), then
 * by row id, both descending, and a page ends with a cursor naming the last
 * (last activity, id) it showed: the next page starts strictly below it.
 * A walk page by page therefore never shows an incident twice, and never
 * skips one whose place in the order stays put; incidents created during
 * the walk land above it and are seen by the next walk from the top, as is
 * an incident whose new reports move it up.
 *
 * Blocking calls, for reader threads and intakectl. JSON results are new
 * references owned by the caller.
 */
#ifndef STORE_QUEUE_H
#define STORE_QUEUE_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

struct store_read;

#define STORE_QUEUE_LIMIT_DEFAULT	50
#define STORE_QUEUE_LIMIT_MAX		500
#define STORE_QUEUE_LIST_MAX		256	/* bytes of a comma list */
#define STORE_QUEUE_TEXT_MAX		256	/* bytes of q */
#define STORE_QUEUE_CURSOR_MAX		48	/* bytes of a cursor */
#define STORE_QUEUE_CATS_MAX		15	/* categories in one query */

/* Reports and timeline entries an incident's detail shows at most. */
#define STORE_DETAIL_REPORTS_MAX	200
#define STORE_DETAIL_TIMELINE_MAX	1000

enum store_queue_verified {
	STORE_QUEUE_VERIFIED,		/* the default */
	STORE_QUEUE_UNVERIFIED,
	STORE_QUEUE_ANY
};

/*
 * A queue request. Lists are comma-separated values, each matched
 * exactly (",new,triaged,": the caller's text with commas around, see
 * store_queue_list_norm); NULL means any. With statuses NULL, the open
 * ones (new, triaged, in-progress).
 */
struct store_queue_query {
	const char	*statuses;
	const char	*categories;
	const char	*severities;	/* names: low ... critical */
	const char	*channels;	/* any report of the incident */
	enum store_queue_verified verified;
	long long	 since;		/* last activity >= since; 0 = any */
	long long	 until;		/* last activity < until; 0 = any */
	const char	*q;		/* text: see store_queue_page() */
	int		 limit;		/* 1 .. STORE_QUEUE_LIMIT_MAX */
	int		 has_cursor;
	long long	 cursor_last;	/* from store_queue_cursor_parse */
	long long	 cursor_id;
};

/*
 * Normalise a comma list for a query: "new, triaged" -> ",new,triaged,"
 * into out. valid(name) (may be NULL) checks each item; the first bad one
 * is copied to *bad (its size badlen). 0, or -1 (empty item, too long,
 * invalid).
 */
int	store_queue_list_norm(const char *in, int (*valid)(const char *),
	    char *out, size_t outlen, char *bad, size_t badlen);

/* A cursor as text, and back. Parse returns 0, or -1 when malformed. */
void	store_queue_cursor_format(long long last, long long id, char *buf,
	    size_t len);
int	store_queue_cursor_parse(const char *s, long long *last,
	    long long *id);

/*
 * One page of the queue at time now: {"incidents": [...], "next": cursor
 * or null}. Each incident has the fields of intakectl show --json (its
 * indicators those of its first reports) and claimed_by, claim_expires,
 * serious, due, deadline and overdue. q matches an incident or report ID
 * exactly, or a part of a report's description or subject (ignoring case,
 * Unicode case folding: "GIẢ MẠO" finds "giả mạo"), or of an indicator's
 * value. Returns STORE_READ_OK,
 * _INVALID (q not UTF-8) or _ERROR with err filled.
 */
int	store_queue_page(struct store_read *rd, const struct store_queue_query *q,
	    time_t now, json_t **out, char *err, size_t errlen);

/*
 * Incident id (IN-...) as intakectl show --json has it, with what is
 * computed at time now, and: "reports" (the first STORE_DETAIL_REPORTS_MAX
 * reports, each with its indicators and reporter; "reports_truncated" when
 * there are more), "report_count", every distinct indicator, "sources" and
 * "timeline" (the audit trail of the incident, oldest first: at, actor,
 * action, object, detail, peer). Returns _OK, _NOTFOUND, _INVALID or
 * _ERROR.
 */
int	store_queue_detail(struct store_read *rd, const char *id, time_t now,
	    json_t **out, char *err, size_t errlen);

#endif
