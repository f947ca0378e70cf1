/*
 * outbox.h - outbound mail: a durable outbox in the store, and one sender
 * thread that delivers it through [outbound] smarthost with libesmtp.
 *
 * A queued row holds either the whole message (a forward: what the
 * incident was when it was sent on) or what is needed to compose it (a
 * receipt: its address and one-time tokens; the sender composes it from
 * the stored reports, off the intake path).
 *
 * Mail is queued by a change (store.h) in the transaction of what causes
 * it, so a receipt is durable when the 303 or the 250 that promised it is
 * sent, and nothing on the intake path waits for delivery. The sender
 * thread reads the messages that are due on a read-only connection of its
 * own, delivers them in one SMTP session per batch (STARTTLS as
 * configured, AUTH when a user is set, a timeout on every step), and hands
 * each result to the writer as a change: a message leaves the 'queued'
 * state only once the relay accepted it (it is then marked sent, its text
 * dropped), or refused it with a 5xx or outlived [outbound] max_age
 * ('failed', kept). A 4xx, a dead relay or a timeout schedules a retry:
 * the first after [outbound] retry_first, each next one twice as late, at
 * most an hour. Every attempt and its answer is logged and kept in
 * outbox_attempts.
 *
 * What can repeat: a message the relay accepted is marked sent by a commit
 * a few milliseconds later; a crash (kill -9, power loss) between the two
 * sends it again after the restart. Nothing is ever lost: a message is
 * queued before anyone is told it will be sent.
 */
#ifndef OUTBOX_H
#define OUTBOX_H

#include <stddef.h>
#include <time.h>

struct event_base;
struct store;
struct store_tx;
struct outbox;

struct page_buf;
struct store_read;

/*
 * What outbox_add() queues: a whole message, or (message NULL) what the
 * composer needs to write it when it is sent.
 */
struct outbox_item {
	const char	*kind;		/* "receipt" or "forward" */
	long long	 evidence_id;	/* the submission answered, or 0 */
	long long	 incident_id;	/* the incident forwarded, or 0 */
	const char	*rcpt;		/* a mailout_addr_valid() address */
	const char	*subject;	/* for `intakectl outbox' */
	const char	*message;	/* the whole message, CRLF lines; NULL:
					   composed when sent */
	size_t		 len;
	const char	*in_reply_to;	/* for the composer; each may be NULL */
	const char	*lang;
	const char	*verify_token;	/* kept in clear until sent */
	const char	*status_token;
};

/* A queued message without its text, as the composer gets it. */
struct outbox_row {
	long long	 id;
	const char	*kind;
	long long	 evidence_id;
	long long	 incident_id;
	const char	*rcpt;
	const char	*in_reply_to;	/* NULL when none, as every field */
	const char	*lang;
	const char	*verify_token;
	const char	*status_token;
};

/*
 * Writes the message of row into out, reading what it needs on rd (the
 * sender's reader connection). 0, or -1 with err filled: the message is
 * then kept as failed, with err as its reason.
 */
typedef int (*outbox_compose_fn)(void *arg, struct store_read *rd,
    const struct outbox_row *row, struct page_buf *out, char *err,
    size_t errlen);

/*
 * The common part of a message the daemon sends about `about' (a report
 * or incident ID) to rcpt: From ([outbound] from, with the organisation's
 * name), To, Date (now), a new Message-ID <about.NONCE@hostname> written
 * into msgid, the loop header's value. The caller adds the subject, the
 * text and the rest. 0, or -1 when there is no randomness.
 */
struct config;
struct mailout;
int	outbox_mail_init(struct mailout *m, const struct config *cfg,
	    const char *rcpt, const char *about, char *msgid);

/*
 * In a change: queue one message, due at once. 0, or -1 when a statement
 * failed (the change then fails).
 */
int	outbox_add(struct store_tx *tx, const struct outbox_item *it);

/*
 * In a change: how many receipts went to rcpt (any case) in the hour
 * before now, into *n. 0 or -1.
 */
int	outbox_receipts_recent(struct store_tx *tx, const char *rcpt,
	    long long *n);

struct outbox_options {
	const char	*db_path;
	const char	*smarthost;	/* "host:port"; NULL: mail stays queued */
	const char	*helo;		/* our name in EHLO */
	const char	*from;		/* envelope sender */
	int		 starttls;	/* require STARTTLS */
	const char	*user;		/* AUTH, or NULL */
	const char	*password;
	long long	 max_age;	/* seconds a message is retried */
	long long	 retry_first;	/* seconds before the first retry */
	long		 timeout_ms;	/* each SMTP step; 0: 30 s */
	outbox_compose_fn compose;	/* messages queued without text: */
	void		*compose_arg;	/* receipts, forwards */
};

/* Counters and the queue's state, for /metrics and /healthz. */
struct outbox_stats {
	long long		queued;		/* waiting, -1 before the first read */
	long long		oldest;		/* created_at of the oldest waiting, 0 */
	unsigned long long	sent;
	unsigned long long	deferred;
	unsigned long long	failed;
};

/*
 * A sender writing its results through st and being woken on base. The
 * options' strings are copied. NULL with err filled on failure.
 */
struct outbox *outbox_new(const struct outbox_options *opt, struct store *st,
	    char *err, size_t errlen);
/* Start the sender thread. 0 or -1. */
int	outbox_start(struct outbox *ob);
/* New mail was committed: look for due mail now. Any thread. */
void	outbox_wake(struct outbox *ob);
void	outbox_stats(struct outbox *ob, struct outbox_stats *out);
/*
 * Stop the sender thread: it finishes the SMTP session under way (bounded
 * by the step timeouts) and does not wait for its last results to commit;
 * store_stop() after this commits them. Then free with outbox_free().
 */
void	outbox_stop(struct outbox *ob);
void	outbox_free(struct outbox *ob);

#endif
