/*
 * metrics.c - counters and their Prometheus text (see metrics.h). The
 * channels and reasons are fixed sets, so every series exists from the
 * start (at 0) and no label value ever comes from a client.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "gateway.h"
#include "intake.h"
#include "metrics.h"
#include "outbox.h"
#include "page.h"
#include "session.h"
#include "store.h"
#include "util.h"

static const char *const metrics_channels[] = {
	INTAKE_LINE, INTAKE_SMTP, INTAKE_WEB, INTAKE_API, INTAKE_PHONE
};
#define METRICS_NCHANNELS	(sizeof(metrics_channels) / \
				    sizeof(metrics_channels[0]))

static const char *const metrics_reasons[METRICS_NREASONS] = {
	[METRICS_INVALID] = "invalid",
	[METRICS_UNAUTHENTICATED] = "unauthenticated",
	[METRICS_FORBIDDEN] = "forbidden",
	[METRICS_RATE] = "rate_limited",
	[METRICS_CSRF] = "csrf",
	[METRICS_HONEYPOT] = "honeypot",
	[METRICS_TOO_LARGE] = "too_large",
	[METRICS_BUSY] = "busy",
	[METRICS_STORE] = "store_failed",
};

static unsigned long long	metrics_reports[METRICS_NCHANNELS];
static unsigned long long	metrics_duplicates;
static unsigned long long	metrics_reasons_n[METRICS_NREASONS];

static const char *const metrics_receipt_names[METRICS_NRECEIPTS] = {
	[METRICS_RECEIPT_QUEUED] = "queued",
	[METRICS_RECEIPT_AUTO] = "unanswered-auto",
	[METRICS_RECEIPT_NO_ADDRESS] = "unanswered-no-address",
	[METRICS_RECEIPT_UNAUTHENTICATED] = "unanswered-unauthenticated",
	[METRICS_RECEIPT_CAPPED] = "unanswered-capped"
};
static unsigned long long metrics_receipts_n[METRICS_NRECEIPTS];

void
metrics_receipt(enum metrics_receipt what)
{
	if (what < METRICS_NRECEIPTS)
		metrics_receipts_n[what]++;
}

void
metrics_rejected(enum metrics_reason why)
{
	if (why < METRICS_NREASONS)
		metrics_reasons_n[why]++;
}

void
metrics_store_job(const struct store_job *job)
{
	size_t	i, c;

	if (job->n_reports == 0 && job->raw == NULL && job->change != NULL)
		return;		/* a change, not a submission */
	if (job->rc != STORE_OK) {
		metrics_reasons_n[METRICS_STORE]++;
		return;
	}
	for (c = 0; c < METRICS_NCHANNELS; c++)
		if (job->channel != NULL &&
		    strcmp(job->channel, metrics_channels[c]) == 0)
			break;
	for (i = 0; i < job->n_reports; i++) {
		if (job->results[i].replayed)
			continue;	/* an idempotent retry stores nothing */
		if (c < METRICS_NCHANNELS)
			metrics_reports[c]++;
		if (job->results[i].duplicate)
			metrics_duplicates++;
	}
}

#define M(...)	do {							\
	int n_ = snprintf(line, sizeof(line), __VA_ARGS__);		\
	if (n_ > 0 && (size_t)n_ < sizeof(line))			\
		page_buf_append(&b, line, n_);				\
} while (0)

char *
metrics_render(struct gateway *gw, long long queue_incidents, size_t *len)
{
	static const char *const protocols[] = { "line", "smtp", "http" };
	struct store_commit_stats cs;
	struct outbox_stats	 os;
	struct page_buf	 b;
	char		 line[256];
	unsigned long long cum = 0;
	size_t		 i;

	page_buf_init(&b);
	M("# HELP intaked_reports_total Reports stored, by channel.\n"
	    "# TYPE intaked_reports_total counter\n");
	for (i = 0; i < METRICS_NCHANNELS; i++)
		M("intaked_reports_total{channel=\"%s\"} %llu\n",
		    metrics_channels[i], metrics_reports[i]);
	M("# HELP intaked_duplicates_total Reports that joined an existing"
	    " incident.\n# TYPE intaked_duplicates_total counter\n"
	    "intaked_duplicates_total %llu\n", metrics_duplicates);
	M("# HELP intaked_rejected_total Submissions refused, by reason.\n"
	    "# TYPE intaked_rejected_total counter\n");
	for (i = 0; i < METRICS_NREASONS; i++)
		M("intaked_rejected_total{reason=\"%s\"} %llu\n",
		    metrics_reasons[i], metrics_reasons_n[i]);
	M("# HELP intaked_queue_incidents Verified incidents not closed.\n"
	    "# TYPE intaked_queue_incidents gauge\n");
	if (queue_incidents >= 0)
		M("intaked_queue_incidents %lld\n", queue_incidents);
	outbox_stats(gw->outbox, &os);
	M("# HELP intaked_outbox_messages Outbound mail waiting for"
	    " delivery.\n# TYPE intaked_outbox_messages gauge\n"
	    "intaked_outbox_messages %lld\n", os.queued > 0 ? os.queued : 0);
	M("# HELP intaked_outbound_mail_total Delivery attempts, by"
	    " result.\n# TYPE intaked_outbound_mail_total counter\n"
	    "intaked_outbound_mail_total{result=\"sent\"} %llu\n"
	    "intaked_outbound_mail_total{result=\"deferred\"} %llu\n"
	    "intaked_outbound_mail_total{result=\"failed\"} %llu\n",
	    os.sent, os.deferred, os.failed);
	M("# HELP intaked_receipts_total Receipts queued, and reports left"
	    " unanswered by reason.\n# TYPE intaked_receipts_total counter\n");
	for (i = 0; i < METRICS_NRECEIPTS; i++)
		M("intaked_receipts_total{result=\"%s\"} %llu\n",
		    metrics_receipt_names[i], metrics_receipts_n[i]);
	M("# HELP intaked_store_pending Submissions waiting for or in a"
	    " commit.\n# TYPE intaked_store_pending gauge\n"
	    "intaked_store_pending %zu\n", store_pending(gw->store));
	store_commit_stats(gw->store, &cs);
	M("# HELP intaked_commit_seconds Duration of the store's"
	    " transactions, from begin to durable commit.\n"
	    "# TYPE intaked_commit_seconds histogram\n");
	for (i = 0; i < STORE_COMMIT_BUCKETS; i++) {
		cum += cs.bucket[i];
		if (i + 1 < STORE_COMMIT_BUCKETS)
			M("intaked_commit_seconds_bucket{le=\"%g\"} %llu\n",
			    store_commit_bounds[i], cum);
		else
			M("intaked_commit_seconds_bucket{le=\"+Inf\"} %llu\n",
			    cum);
	}
	M("intaked_commit_seconds_sum %.6f\nintaked_commit_seconds_count"
	    " %llu\n", cs.sum, cum);
	M("# HELP intaked_connections Open connections, by listener"
	    " protocol.\n# TYPE intaked_connections gauge\n");
	for (i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
		M("intaked_connections{listener=\"%s\"} %zu\n", protocols[i],
		    sessions_count_of(protocols[i]));
	M("# HELP intaked_memory_budget_bytes Bytes held for work in"
	    " progress.\n# TYPE intaked_memory_budget_bytes gauge\n"
	    "intaked_memory_budget_bytes %zu\n", budget_used());
	if (b.failed) {
		page_buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return b.data;
}
