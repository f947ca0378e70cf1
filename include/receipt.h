/*
 * receipt.h - the receipt a reporter gets by mail, and the one-time link
 * in it that verifies their report.
 *
 * A channel that may answer (the web form, the mailbox) attaches a
 * receipt to its store job; in the job's transaction, after its reports,
 * the receipt is composed (Vietnamese, then English: the report IDs, what
 * was understood, the verification link, the status link) and queued in
 * the outbox, with the verification token's hash. The reporter is told
 * only once all of it is durable. At most [outbound] receipts_per_address
 * receipts go to one address in an hour; a report beyond that is stored
 * without one.
 *
 * Who gets none is decided by the channel before: automatic mail (auto-
 * reply, bounce, list, our own loop header), no usable address, and with
 * receipts_to = authenticated a mail sender no trusted upstream
 * authenticated. receipt_refuse() counts those in /metrics.
 */
#ifndef RECEIPT_H
#define RECEIPT_H

#include <stddef.h>

#include "metrics.h"

struct gateway;
struct store_job;

/* Length of the tokens in links (hex of 128 and 192 bits), with the NUL. */
#define RECEIPT_STATUS_TOKEN	33
#define RECEIPT_VERIFY_TOKEN	49

/*
 * Give job a receipt to rcpt (a mailout_addr_valid() address), in reply
 * to the message whose Message-ID is in_reply_to (NULL or unusable: none).
 * status_token is the submitter's receipt token (its hash is the job's
 * receipt_hash), put in the status link. lang orders nothing (both
 * languages are sent) but names the pages the links open in.
 */
void	receipt_attach(struct gateway *gw, struct store_job *job,
	    const char *rcpt, const char *in_reply_to,
	    const char *status_token, const char *lang);

/*
 * The outbox's composer of receipts (outbox_compose_fn; arg is the
 * gateway): the message for row, from the reports of its submission read
 * on rd, into out. 0, or -1 with err filled.
 */
struct store_read;
struct outbox_row;
struct page_buf;
int	receipt_compose(void *arg, struct store_read *rd,
	    const struct outbox_row *row, struct page_buf *out, char *err,
	    size_t errlen);

/* A report that gets no receipt, and why (counted). */
void	receipt_refuse(enum metrics_receipt why);

/*
 * In the job's done(), once committed: count what became of its receipt
 * and wake the sender when one was queued. Jobs without one are ignored.
 */
void	receipt_committed(struct gateway *gw, const struct store_job *job);

/*
 * A new status token for a channel that has none of its own (mail):
 * token (RECEIPT_STATUS_TOKEN bytes) and its SHA-256 in job->receipt_hash.
 * 0, or -1 when the CSPRNG failed.
 */
int	receipt_status_token(struct store_job *job,
	    char token[RECEIPT_STATUS_TOKEN]);

#endif
