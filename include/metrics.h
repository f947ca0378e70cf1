/*
 * metrics.h - the daemon's counters for GET /metrics (Prometheus text
 * format 0.0.4): reports stored per channel and duplicates (counted as the
 * store hands each committed submission back), submissions refused and
 * why, and, read when asked, sessions per protocol, the store's queue and
 * commit times, the memory budget. Loop thread only.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>

struct gateway;
struct store_job;

/* Why a submission was refused before or by the store. */
enum metrics_reason {
	METRICS_INVALID,	/* a field or the syntax (ILP 501, HTTP 400) */
	METRICS_UNAUTHENTICATED,/* no token, an unknown token */
	METRICS_FORBIDDEN,	/* a role that may not submit */
	METRICS_RATE,		/* a rate limit (429) */
	METRICS_CSRF,		/* the web form's token */
	METRICS_HONEYPOT,	/* the web form's hidden field filled in */
	METRICS_TOO_LARGE,	/* a size bound (413, 552) */
	METRICS_BUSY,		/* the memory budget or the store queue */
	METRICS_STORE,		/* the store could not commit */
	METRICS_NREASONS
};

void	metrics_rejected(enum metrics_reason why);

/* What became of a report's receipt (receipt.h). */
enum metrics_receipt {
	METRICS_RECEIPT_QUEUED,		/* in the outbox */
	METRICS_RECEIPT_AUTO,		/* automatic mail: never answered */
	METRICS_RECEIPT_NO_ADDRESS,	/* no usable reporter address */
	METRICS_RECEIPT_UNAUTHENTICATED,/* receipts_to = authenticated */
	METRICS_RECEIPT_CAPPED,		/* receipts_per_address reached */
	METRICS_NRECEIPTS
};

void	metrics_receipt(enum metrics_receipt what);

/* The store's observer: count one committed (or failed) submission. */
void	metrics_store_job(const struct store_job *job);

/*
 * The whole exposition, NUL-terminated, into a new buffer (the caller
 * frees it); queue_incidents is the verified open incidents (a read the
 * caller made), or -1 when unknown.
 */
char	*metrics_render(struct gateway *gw, long long queue_incidents,
	    size_t *len);

#endif
