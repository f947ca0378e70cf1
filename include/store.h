/*
 * store.h - the durable store: SQLite in WAL mode with synchronous=FULL,
 * written by one writer thread that commits jobs in groups.
 *
 * The event loop never touches SQLite. A session fills a struct store_job
 * and hands it to store_enqueue(); the writer thread takes every job waiting
 * (up to batch_max), runs them in one transaction, commits (one fsync for the
 * whole group), and only then hands the jobs back to the loop thread, where
 * job->done(job, job->arg) runs. Acknowledgements are sent from that
 * callback, so nothing is ever acknowledged before it is durable. When the
 * commit fails (disk full, I/O error, quota) every job of the group is rolled
 * back and completes with STORE_TEMPFAIL; the next group tries again.
 *
 * Big submissions (a mail giving hundreds of reports, megabytes of
 * evidence) never join a group: once every job queued before one is
 * committed, it is committed on its own, in slices of bounded work (its
 * evidence with the first reports, then the next reports), and the small
 * jobs that arrive meanwhile are committed between its slices. Its done()
 * runs only after its last slice is durable; a failure in any slice
 * completes it with STORE_TEMPFAIL. See store.c for what a crash between
 * slices leaves.
 *
 * Jobs complete in the order they were enqueued, except that a small job
 * may overtake a big one: committed between the slices of a big job, it
 * completes before that one and before any big job still waiting.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <time.h>
#include "report.h"

/* The database file inside [daemon] data_dir, for intaked and intakectl. */
#define STORE_DB_FILE	"intaked.db"

struct event_base;
struct sqlite3_stmt;
struct store;
struct store_job;

/*
 * The writer's open transaction, as a change sees it (below). A change
 * runs on the writer thread (or in intakectl, on its own connection: see
 * store_sql_apply) and must not block on anything but SQLite.
 */
struct store_tx;

/*
 * A statement for sql (a string constant: it is cached by its address),
 * prepared once per connection, reset and with its bindings cleared; step
 * it, read it, and leave it (the next call resets it). NULL when it does not
 * prepare (store_tx_errmsg says why).
 */
struct sqlite3_stmt *store_tx_stmt(struct store_tx *tx, const char *sql);
/* The time of this transaction's work (the jobs' time of receipt). */
time_t store_tx_now(const struct store_tx *tx);
/*
 * A new incident's row id and code (IN-<UTC day of the transaction's
 * time>-<id>, into code of STORE_ID_MAX bytes), from the counter the writer numbers incidents with, so
 * that nothing else in the transaction takes them. 0, or -1.
 */
int store_tx_new_incident(struct store_tx *tx, long long *id, char *code);
/* Rows changed by the last statement stepped. */
int store_tx_changes(const struct store_tx *tx);
/* Step s, which returns no row, and reset it. 0, or -1. */
int store_tx_exec(struct store_tx *tx, struct sqlite3_stmt *s);
/* The connection's last error, for a log line. */
const char *store_tx_errmsg(const struct store_tx *tx);

/*
 * A change: a function that writes in the writer's transaction, beside a
 * submission (after its reports, with job->results filled: receipts and
 * their outbox mail) or alone (a job from store_change_new: a verification,
 * a claim, an outbox delivery result). It is durable, and its job's done()
 * runs, only after the group's COMMIT, like a submission's.
 *
 * It returns 0, or -1 when a statement failed: the job then fails
 * (STORE_TEMPFAIL) and nothing it wrote remains. A refusal that is not a
 * failure (a lease held by someone else, a used token) is decided before
 * anything is written and reported through the change's argument. A
 * change may run more than once (a group is run again, each job in a
 * savepoint, when one of its jobs fails), so it sets every output each
 * time it runs.
 */
typedef int (*store_change_fn)(struct store_tx *tx, struct store_job *job,
    void *arg);

enum store_rc {
	STORE_OK,
	STORE_TEMPFAIL		/* nothing stored; try again later (4xx) */
};

/* Report IDs look like IR-20261121-000042, incident IDs IN-20261121-000007. */
#define STORE_ID_MAX	32

struct store_report_result {
	char	report_id[STORE_ID_MAX];
	char	incident_id[STORE_ID_MAX];
	int	duplicate;	/* joined an existing incident */
	int	replayed;	/* same token + external-id seen: first reply, nothing new stored */
};

/*
 * One submission: its raw bytes and the reports parsed from them. The
 * writer only writes; reads (tokens, a report's status, the API) go through
 * the reader threads (readers.h).
 */
struct store_job {
	/* input; every pointer is owned by the job */
	const char	*channel;	/* static: "line", "smtp", "http", "api" */
	char		*token_name;	/* authenticated submitter, NULL if none */
	int		 verified;
	char		*peer;		/* remote address, text */
	unsigned char	*raw;		/* evidence: the bytes as received */
	size_t		 rawlen;
	char		*meta_json;	/* channel metadata (HELO, TLS, envelope...), may be NULL */
	/* the web form: SHA-256 of the receipt token given to the submitter */
	unsigned char	 receipt_hash[32];
	int		 has_receipt;
	struct report	*reports;	/* n_reports reports from this submission */
	size_t		 n_reports;

	/* output, valid in done() */
	enum store_rc	 rc;
	struct store_report_result *results;	/* n_reports entries */

	/*
	 * optional: a change run after the reports (on a big job, after its
	 * last slice); change_arg is freed by store_job_free with
	 * change_arg_free when that is set
	 */
	store_change_fn	 change;
	void		*change_arg;
	void		(*change_arg_free)(void *);

	/* completion, on the loop thread */
	void		(*done)(struct store_job *job, void *arg);
	void		*arg;

	/* private to the store */
	struct store_job *next;
	size_t		 cost;		/* estimated work of the writer */
	size_t		 slice_from;	/* reports committed so far */
	size_t		 slice_to;	/* end of the reports being run */
	long long	 evidence_id;	/* evidence row, once written */
	time_t		 received_at;	/* a big job's, for every slice */
};

struct store_options {
	const char	*path;		/* database file */
	long long	 dedup_window;	/* seconds */
	size_t		 batch_max;	/* jobs in one group commit */
	size_t		 queue_max;	/* jobs waiting before store_enqueue refuses */
	long long	 max_bytes;	/* database size quota, 0 = none */
};

struct store_job *store_job_new(void);
void store_job_free(struct store_job *job);	/* frees everything it owns */

/*
 * A job that is a change alone (no evidence, no report): change(tx, job,
 * arg) in the writer's transaction; arg_free (may be NULL) frees arg with
 * the job. Queue it with store_enqueue() after setting done and arg.
 */
struct store_job *store_change_new(store_change_fn change, void *arg,
    void (*arg_free)(void *));

/*
 * Open (creating if needed) the database and bring its schema up to date.
 * Blocking; call before the loop runs. Returns NULL with err filled on
 * failure.
 */
struct store *store_open(const struct store_options *opt, char *err,
    size_t errlen);

/* Start the writer thread; completions are delivered on base. 0 or -1. */
int store_start(struct store *st, struct event_base *base);

/*
 * Queue a job. Returns 0 (the store owns the job until done() runs, and done
 * must free it or hand it on), or -1 if the queue is full or the store is
 * stopping (the caller keeps the job and answers "try again").
 */
int store_enqueue(struct store *st, struct store_job *job);

/*
 * Finish every queued job, run the remaining completions on the calling
 * (loop) thread, join the writer thread. Blocking; used at shutdown.
 */
void store_stop(struct store *st);

/* Close the database and free the store (after store_stop). */
void store_close(struct store *st);

/*
 * 0 while the writer cannot commit (disk full, I/O error, quota: its last
 * group was rolled back), 1 otherwise. For /healthz; any thread.
 */
int store_writable(struct store *st);

/*
 * How long the store's transactions took, from BEGIN to the durable
 * COMMIT, in buckets whose upper bounds (seconds) are store_commit_bounds
 * (the last is +Inf). Any thread.
 */
#define STORE_COMMIT_BUCKETS	12
extern const double store_commit_bounds[STORE_COMMIT_BUCKETS];
struct store_commit_stats {
	unsigned long long	bucket[STORE_COMMIT_BUCKETS];	/* not cumulative */
	double			sum;
};
void store_commit_stats(struct store *st, struct store_commit_stats *out);

/*
 * Called on the loop thread with every job the store hands back, before
 * its done function (for counting; it must not keep the job).
 */
void store_set_observer(struct store *st,
    void (*observe)(const struct store_job *job));

/* Number of jobs waiting or in flight (for /metrics and the drain). */
size_t store_pending(struct store *st);

/*
 * Tests only: read the time of receipt from clock() instead of time(NULL).
 * Call before store_start(); NULL restores time().
 */
void store_set_clock(struct store *st, time_t (*clock)(void));

#endif
