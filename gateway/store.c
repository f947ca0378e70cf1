/*
 * store.c - the store's job queue and writer thread (see store.h).
 *
 * The loop thread appends jobs to a queue under a mutex; one writer thread
 * takes up to batch_max of them, runs them in one transaction, each in its
 * own savepoint (store_sql.c), commits once, and puts the group on a done
 * list. An event made active from the writer wakes the loop, which runs
 * job->done() for each job, in enqueue order. The event loop never waits on
 * SQLite; the writer never touches a session.
 *
 * Locking: st->mtx protects the queue, the done list, the counters and the
 * stopping flag. The SQLite connection belongs to the writer thread once
 * it runs (to the caller before store_start and after store_stop).
 *
 * Limits: at most queue_max jobs wait; beyond that, and while stopping,
 * store_enqueue refuses and the session answers "try again later".
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <openssl/crypto.h>

#include "limits_gw.h"
#include "log.h"
#include "report.h"
#include "store.h"
#include "util.h"
#include "store_sql.h"

struct store {
	struct store_sql	*sql;
	size_t			 batch_max;
	size_t			 queue_max;
	time_t			(*clock)(void);

	pthread_mutex_t		 mtx;
	pthread_cond_t		 wake;		/* writer: work, or stop */
	struct store_job	*queue;		/* waiting, oldest first */
	struct store_job	**queue_tail;
	size_t			 queued;
	struct store_job	*done;		/* committed or failed, in order */
	struct store_job	**done_tail;
	size_t			 pending;	/* enqueued, done() not yet run */
	int			 stopping;

	int			 running;	/* writer thread started */
	pthread_t		 thread;
	struct event		*ev_done;
};

static void	*store_writer(void *);
static void	 store_run_group(struct store *, struct store_job *);
static void	 store_deliver(evutil_socket_t, short, void *);

struct store_job *
store_job_new(enum store_op op)
{
	struct store_job	*job = xcalloc(1, sizeof(*job));

	job->op = op;
	job->rc = STORE_TEMPFAIL;
	return job;
}

void
store_job_free(struct store_job *job)
{
	size_t	i;

	if (job == NULL)
		return;
	free(job->token_name);
	free(job->peer);
	free(job->raw);
	free(job->meta_json);
	for (i = 0; i < job->n_reports; i++)
		report_free(&job->reports[i]);
	free(job->reports);
	if (job->secret != NULL) {
		OPENSSL_cleanse(job->secret, strlen(job->secret));
		free(job->secret);
	}
	free(job->report_id);
	free(job->results);
	free(job->status);
	free(job->auth_name);
	free(job->auth_role);
	free(job);
}

struct store *
store_open(const struct store_options *opt, char *err, size_t errlen)
{
	struct store		*st;
	struct store_sql	*sql;
	struct sqlite3		*db;

	if ((db = store_sql_open(opt->path, opt->max_bytes, err,
	    errlen)) == NULL)
		return NULL;
	if ((sql = store_sql_new(db, opt->dedup_window, err, errlen)) == NULL)
		return NULL;
	st = xcalloc(1, sizeof(*st));
	st->sql = sql;
	st->batch_max = opt->batch_max > 0 ? opt->batch_max : STORE_BATCH_MAX;
	st->queue_max = opt->queue_max > 0 ? opt->queue_max : STORE_QUEUE_MAX;
	st->queue_tail = &st->queue;
	st->done_tail = &st->done;
	pthread_mutex_init(&st->mtx, NULL);
	pthread_cond_init(&st->wake, NULL);
	return st;
}

void
store_set_clock(struct store *st, time_t (*clock)(void))
{
	st->clock = clock;
}

/*
 * The loop must be able to be woken from the writer: libevent needs its
 * pthread locking, which evthread_use_pthreads() installs (calling it again
 * installs the same callbacks, which libevent accepts). The base must have
 * been created after the first call; intaked's main makes that call first.
 */
int
store_start(struct store *st, struct event_base *base)
{
	if (st->running || st->ev_done != NULL)
		return -1;
	if (evthread_use_pthreads() == -1)
		return -1;
	if ((st->ev_done = event_new(base, -1, 0, store_deliver, st)) == NULL)
		return -1;
	if (pthread_create(&st->thread, NULL, store_writer, st) != 0) {
		event_free(st->ev_done);
		st->ev_done = NULL;
		return -1;
	}
	(void)pthread_setname_np(st->thread, "store-writer");
	st->running = 1;
	return 0;
}

int
store_enqueue(struct store *st, struct store_job *job)
{
	size_t	i;

	if (job == NULL)
		return -1;
	/* on the caller's thread: the writer is the one that is busy */
	if (job->op == STORE_OP_SUBMIT)
		for (i = 0; i < job->n_reports; i++) {
			report_fingerprint(&job->reports[i],
			    job->reports[i].fingerprint);
			job->reports[i].has_fingerprint = 1;
		}
	pthread_mutex_lock(&st->mtx);
	if (st->stopping || st->queued >= st->queue_max) {
		pthread_mutex_unlock(&st->mtx);
		return -1;
	}
	job->next = NULL;
	*st->queue_tail = job;
	st->queue_tail = &job->next;
	st->queued++;
	st->pending++;
	pthread_cond_signal(&st->wake);
	pthread_mutex_unlock(&st->mtx);
	return 0;
}

size_t
store_pending(struct store *st)
{
	size_t	n;

	pthread_mutex_lock(&st->mtx);
	n = st->pending;
	pthread_mutex_unlock(&st->mtx);
	return n;
}

/*
 * The writer: wait for jobs, take up to batch_max, run them as one group,
 * move them to the done list and wake the loop. Returns when stopping and
 * the queue is empty. Also run directly by store_stop() when the thread
 * was never started, to drain what was queued.
 */
static void *
store_writer(void *arg)
{
	struct store		*st = arg;
	struct store_job	*group, **tail;
	size_t			 n;

	pthread_mutex_lock(&st->mtx);
	for (;;) {
		while (st->queue == NULL && !st->stopping)
			pthread_cond_wait(&st->wake, &st->mtx);
		if (st->queue == NULL)
			break;
		group = st->queue;
		for (n = 0, tail = &st->queue; *tail != NULL &&
		    n < st->batch_max; n++)
			tail = &(*tail)->next;
		st->queue = *tail;
		*tail = NULL;
		if (st->queue == NULL)
			st->queue_tail = &st->queue;
		st->queued -= n;
		pthread_mutex_unlock(&st->mtx);

		store_run_group(st, group);

		pthread_mutex_lock(&st->mtx);
		*st->done_tail = group;
		st->done_tail = tail;
		if (st->ev_done != NULL) {
			/* not under mtx: the loop takes mtx in callbacks */
			pthread_mutex_unlock(&st->mtx);
			event_active(st->ev_done, EV_READ, 0);
			pthread_mutex_lock(&st->mtx);
		}
	}
	pthread_mutex_unlock(&st->mtx);
	return NULL;
}

/*
 * Run every job of the group in one transaction and commit. isolated: each
 * job in its own savepoint (see store_sql_run). Returns 0 when committed,
 * -1 when the transaction is gone or must be undone.
 */
static int
store_run_pass(struct store *st, struct store_job *group, time_t now,
    int isolated)
{
	struct store_job	*job;

	if (store_sql_begin(st->sql) == -1) {
		log_warn("store: begin: %s", store_sql_errmsg(st->sql));
		return -1;
	}
	for (job = group; job != NULL; job = job->next) {
		if (store_sql_run(st->sql, job, now, isolated) == -1)
			return -1;
		if (job->rc == STORE_TEMPFAIL)
			log_warn("store: job failed: %s",
			    store_sql_errmsg(st->sql));
	}
	return store_sql_commit(st->sql);
}

/*
 * One group commit. The fast pass runs the jobs without a savepoint each
 * (a savepoint costs about a fifth of a report's SQL work). If a job fails,
 * or the commit does, the group is undone and run again with every job in
 * its own savepoint, so that a job failing on its own fails alone. If that
 * fails too (disk full, I/O error), every job of the group fails and the
 * next group simply tries again.
 */
static void
store_run_group(struct store *st, struct store_job *group)
{
	struct store_job	*job;
	time_t			 now = st->clock != NULL ? st->clock() : time(NULL);

	if (store_run_pass(st, group, now, 0) == 0)
		return;
	store_sql_rollback(st->sql);
	for (job = group; job != NULL; job = job->next) {
		store_sql_fail(job);		/* clears the outputs */
		job->rc = STORE_OK;
	}
	if (store_run_pass(st, group, now, 1) == 0)
		return;
	log_warn("store: group of jobs rolled back: %s",
	    store_sql_errmsg(st->sql));
	store_sql_rollback(st->sql);
	for (job = group; job != NULL; job = job->next)
		store_sql_fail(job);
}

/*
 * Loop side: take the done list and run each completion in order. The
 * list is detached first so that done() may enqueue new jobs. A job
 * without a done callback is freed here.
 */
static void
store_deliver(evutil_socket_t fd, short what, void *arg)
{
	struct store		*st = arg;
	struct store_job	*list, *job, *next;
	size_t			 n = 0;

	pthread_mutex_lock(&st->mtx);
	list = st->done;
	st->done = NULL;
	st->done_tail = &st->done;
	for (job = list; job != NULL; job = job->next)
		n++;
	st->pending -= n;
	pthread_mutex_unlock(&st->mtx);

	for (job = list; job != NULL; job = next) {
		next = job->next;
		job->next = NULL;
		if (job->done != NULL)
			job->done(job, job->arg);
		else
			store_job_free(job);
	}
}

void
store_stop(struct store *st)
{
	pthread_mutex_lock(&st->mtx);
	st->stopping = 1;
	pthread_cond_signal(&st->wake);
	pthread_mutex_unlock(&st->mtx);
	if (st->running) {
		pthread_join(st->thread, NULL);
		st->running = 0;
	} else
		(void)store_writer(st);
	store_deliver(-1, 0, st);
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	store_stop(st);
	if (st->ev_done != NULL)
		event_free(st->ev_done);
	store_sql_free(st->sql);
	pthread_cond_destroy(&st->wake);
	pthread_mutex_destroy(&st->mtx);
	free(st);
}
