/*
 * forward.h - sending an incident on to the national coordinator
 * ([forward] to): the rules that send one when it becomes triaged, the
 * change that queues it, and the composer of the mail.
 *
 * The mail: subject "[TBSC] <incident-id> <category>", the initial
 * report's fields (Mẫu 03 of Thông tư 20/2017) as readable Vietnamese text,
 * and the incident (the JSON view of intakectl and the API, with its
 * reports) as a JSON attachment. It goes only to [forward] to, so the
 * reporter's identity is included even when the report is confidential.
 * It is composed by the outbox's sender when it is sent, from the store.
 */
#ifndef FORWARD_H
#define FORWARD_H

#include <stddef.h>

struct config;
struct gateway;
struct outbox_row;
struct page_buf;
struct store_read;
struct store_tx;

/*
 * Whether [forward] sends on, by itself, an incident of this category
 * (taxonomy code) and severity (rank, 1 low .. 4 critical) that has just
 * become triaged: a `to' is set, the category is listed (or none is) and
 * the severity is at least min_severity (or none is set). 1 or 0.
 */
int	forward_rule_matches(const struct config *cfg, const char *category,
	    int severity);

/*
 * In a change: queue incident `incident_id' (code `incident_code') for
 * [forward] to, and set its notification time (the deadline of serious
 * incidents is met) unless it was notified before. The caller writes the
 * audit row. 1 when queued, 0 when no [forward] to is set (nothing
 * written), -1 on an SQL failure.
 */
int	forward_queue(struct store_tx *tx, const struct config *cfg,
	    long long incident_id, const char *incident_code);

/*
 * The outbox's composer of forwards (outbox_compose_fn with a store_read;
 * arg is the gateway). 0, or -1 with err filled.
 */
int	forward_compose(void *arg, struct store_read *rd,
	    const struct outbox_row *row, struct page_buf *out, char *err,
	    size_t errlen);

#endif
