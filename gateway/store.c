/*
 * store.c - the store's job queue and writer thread (see store.h).
 *
 * The loop thread appends jobs to a queue under a mutex; one writer thread
 * takes up to batch_max of them, runs them in one transaction, each in its
 * own savepoint (store_sql.c), commits once, and puts the group on a done
 * list. An event made active from the writer wakes the loop, which runs
 * job->done() for each job, in enqueue order (save for big jobs, below).
 * The event loop never waits on SQLite; the writer never touches a
 * session.
 *
 * Big jobs: the work of each job is estimated when it is enqueued (its
 * cost: reports, indicators, KiB of evidence). A group stops before a big
 * job and at STORE_GROUP_COST; a big job waits until it heads the queue
 * (every job before it committed), then runs alone, one slice of about
 * STORE_SLICE_COST per transaction, and between two of its slices the
 * writer commits one group of the small jobs waiting (taken from behind
 * other big jobs too, which keep their turn). So a small job waits for at
 * most one slice, not for a whole mail bomb; big jobs commit one at a time,
 * in order. A big job's evidence is written whole in its first slice (it
 * is one row): that slice is as long as the evidence takes to write.
 *
 * Checkpoints: the writer copies the WAL into the database itself, once it
 * holds 4 MiB, but never inside a COMMIT (store_sql_manual_checkpoints):
 * after the commit that fills the WAL it first commits the next group,
 * then checkpoints, then goes on. A message of megabytes thus costs two
 * pauses, its slice and the checkpoint that copies it, with the small jobs
 * that waited committed between the two, instead of one pause as long as
 * both. When the queue is empty a due checkpoint runs at once.
 *
 * Locking: st->mtx protects the queue, the done list, the counters and the
 * stopping flag. The SQLite connection belongs to the writer thread once
 * it runs (to the caller before store_start and after store_stop).
 *
 * Limits: at most queue_max jobs wait; beyond that, and while stopping,
 * store_enqueue refuses and the session answers "try again later".
 */
#include <pthread.h>
#include <stdatomic.h>
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
	atomic_int		 failing;	/* the last group could not commit */
	void			(*observe)(const struct store_job *);
	/* commit durations (store_commit_stats), under mtx */
	unsigned long long	 commit_bucket[STORE_COMMIT_BUCKETS];
	double			 commit_sum;
	struct store_job	**done_tail;
	size_t			 pending;	/* enqueued, done() not yet run */
	int			 stopping;

	int			 running;	/* writer thread started */
	pthread_t		 thread;
	struct event		*ev_done;
};

/*
 * The writer's work in cost units of about 3 us each, measured on the
 * 2-core build machine (synchronous=FULL, the commit included; the
 * checkpoint that later copies the pages costs about as much again): an
 * indicator row 1, a report (its row, its incident found or started, its
 * source) STORE_COST_REPORT, a KiB of evidence STORE_COST_KIB.
 */
#define STORE_COST_REPORT	16
#define STORE_COST_KIB		1
/* A job costing more is big; a slice of one costs about this (~10 ms). */
#define STORE_SLICE_COST	4096
/*
 * A group of small jobs stops growing here (~75 ms) or at batch_max: a
 * full batch of ILP reports (about 20 each) fits, a crowd of mails of a few
 * MB each does not.
 */
#define STORE_GROUP_COST	(6 * STORE_SLICE_COST)

static void	*store_writer(void *);
static size_t	 store_report_cost(const struct report *);
static struct store_job *store_take(struct store *, int);
static struct store_job *store_take_big(struct store *);
static void	 store_hand_back(struct store *, struct store_job *);
static void	 store_run_group(struct store *, struct store_job *);
static int	 store_run_slice(struct store *, struct store_job *);
static void	 store_checkpoint(struct store *);
static void	 store_deliver(evutil_socket_t, short, void *);

const double store_commit_bounds[STORE_COMMIT_BUCKETS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 0
};

struct store_job *
store_job_new(void)
{
	struct store_job	*job = xcalloc(1, sizeof(*job));

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
	free(job->results);
	if (job->change_arg_free != NULL)
		job->change_arg_free(job->change_arg);
	free(job);
}

struct store_job *
store_change_new(store_change_fn change, void *arg, void (*arg_free)(void *))
{
	struct store_job	*job = store_job_new();

	job->channel = "change";
	job->change = change;
	job->change_arg = arg;
	job->change_arg_free = arg_free;
	return job;
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
	store_sql_manual_checkpoints(sql);
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
	job->cost = 1 + job->rawlen / 1024 * STORE_COST_KIB;
	job->slice_from = job->slice_to = 0;	/* every report */
	job->evidence_id = 0;
	job->received_at = 0;
	for (i = 0; i < job->n_reports; i++) {
		report_fingerprint(&job->reports[i],
		    job->reports[i].fingerprint);
		job->reports[i].has_fingerprint = 1;
		job->cost += store_report_cost(&job->reports[i]);
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

/* The writer's work for report r (see STORE_COST_REPORT). */
static size_t
store_report_cost(const struct report *r)
{
	return STORE_COST_REPORT + r->n_indicators;
}

/*
 * Under mtx: unlink the next group of small jobs from the queue, in order,
 * up to batch_max jobs and STORE_GROUP_COST (at least one job). With
 * anywhere (a big job is in progress) small jobs are taken from behind big
 * ones too, which keep their place; otherwise the group ends before the
 * first big job. Returns the group, NULL when no small job is eligible.
 */
static struct store_job *
store_take(struct store *st, int anywhere)
{
	struct store_job	*group = NULL, **gtail = &group, **pp, *job;
	size_t			 n = 0, cost = 0;

	for (pp = &st->queue; (job = *pp) != NULL && n < st->batch_max;) {
		if (job->cost > STORE_SLICE_COST) {
			if (!anywhere)
				break;
			pp = &job->next;
			continue;
		}
		if (n > 0 && cost + job->cost > STORE_GROUP_COST)
			break;
		cost += job->cost;
		*pp = job->next;
		job->next = NULL;
		*gtail = job;
		gtail = &job->next;
		n++;
	}
	if (*pp == NULL)
		st->queue_tail = pp;
	st->queued -= n;
	return group;
}

/* Under mtx: unlink the job at the head of the queue (a big one). */
static struct store_job *
store_take_big(struct store *st)
{
	struct store_job	*job = st->queue;

	st->queue = job->next;
	if (st->queue == NULL)
		st->queue_tail = &st->queue;
	job->next = NULL;
	st->queued--;
	return job;
}

/* Put finished jobs (a list) on the done list and wake the loop. */
static void
store_hand_back(struct store *st, struct store_job *list)
{
	struct store_job	**tail = &list;

	while (*tail != NULL)
		tail = &(*tail)->next;
	pthread_mutex_lock(&st->mtx);
	*st->done_tail = list;
	st->done_tail = tail;
	pthread_mutex_unlock(&st->mtx);
	/* not under mtx: the loop takes mtx in callbacks */
	if (st->ev_done != NULL)
		event_active(st->ev_done, EV_READ, 0);
}

/*
 * The writer: wait for work; each round commits the next group of small
 * jobs (and hands it back), then does one long step: the checkpoint that
 * the last round made due, else the next slice of the big job in progress
 * (starting the one at the head of the queue when no small job is before
 * it; it is handed back after its last slice). Returns when stopping and
 * nothing is left. Also run directly by store_stop() when the thread was
 * never started, to drain what was queued.
 */
static void *
store_writer(void *arg)
{
	struct store		*st = arg;
	struct store_job	*group, *big = NULL;
	int			 ckpt = 0;

	pthread_mutex_lock(&st->mtx);
	for (;;) {
		while (st->queue == NULL && big == NULL && !ckpt &&
		    !st->stopping)
			pthread_cond_wait(&st->wake, &st->mtx);
		if (st->queue == NULL && big == NULL && !ckpt)
			break;
		group = store_take(st, big != NULL);
		if (group == NULL && big == NULL && !ckpt)
			big = store_take_big(st);
		pthread_mutex_unlock(&st->mtx);

		if (group != NULL) {
			store_run_group(st, group);
			store_hand_back(st, group);
		}
		if (ckpt)
			store_checkpoint(st);
		else if (big != NULL && store_run_slice(st, big) == 1) {
			store_hand_back(st, big);
			big = NULL;
		}
		ckpt = store_sql_checkpoint_due(st->sql);
		pthread_mutex_lock(&st->mtx);
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
	struct timespec		 t0, t1;
	double			 took;
	int			 i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
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
	if (store_sql_commit(st->sql) == -1)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	took = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	for (i = 0; i < STORE_COMMIT_BUCKETS - 1; i++)
		if (took <= store_commit_bounds[i])
			break;
	pthread_mutex_lock(&st->mtx);
	st->commit_bucket[i]++;
	st->commit_sum += took;
	pthread_mutex_unlock(&st->mtx);
	return 0;
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

	if (store_run_pass(st, group, now, 0) == 0) {
		atomic_store(&st->failing, 0);
		return;
	}
	store_sql_rollback(st->sql);
	for (job = group; job != NULL; job = job->next) {
		store_sql_fail(job);		/* clears the outputs */
		job->rc = STORE_OK;
		job->evidence_id = 0;		/* rolled back */
	}
	if (store_run_pass(st, group, now, 1) == 0) {
		atomic_store(&st->failing, 0);
		return;
	}
	atomic_store(&st->failing, 1);
	log_warn("store: group of jobs rolled back: %s",
	    store_sql_errmsg(st->sql));
	store_sql_rollback(st->sql);
	for (job = group; job != NULL; job = job->next)
		store_sql_fail(job);
}

/*
 * Commit the next slice of big job `job', in a transaction of its own: its
 * evidence with the first reports, or the next reports, about
 * STORE_SLICE_COST of work and at least one report. Returns 1 when the
 * job is finished (every report committed, rc STORE_OK; or a slice
 * failed, STORE_TEMPFAIL with every result cleared), 0 while reports
 * remain.
 *
 * Slices are separate transactions, and done() runs only after the last
 * one is durable: nothing is acknowledged early. A crash between two
 * slices, or a slice that fails (disk full, quota), leaves the slices
 * committed before it: the evidence and the first reports of a message
 * whose sender never got a 250 (it got 451, or nothing) and so sends it
 * again; that copy is stored whole, its reports joining the incidents of
 * the first attempt's as duplicates. Undoing committed slices would need
 * a transaction as big as the job, which is what slicing avoids.
 */
static int
store_run_slice(struct store *st, struct store_job *job)
{
	struct timespec	t0, t1;
	size_t		to, cost, c;

	if (job->received_at == 0)
		job->received_at = st->clock != NULL ? st->clock() :
		    time(NULL);
	cost = job->evidence_id == 0 ? job->rawlen / 1024 * STORE_COST_KIB : 0;
	for (to = job->slice_from; to < job->n_reports; to++) {
		c = store_report_cost(&job->reports[to]);
		if (to > job->slice_from && cost + c > STORE_SLICE_COST)
			break;
		cost += c;
	}
	job->slice_to = to;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (store_run_pass(st, job, job->received_at, 0) == -1) {
		log_warn("store: big job failed at reports %zu-%zu of %zu "
		    "(those before are committed): %s", job->slice_from, to,
		    job->n_reports, store_sql_errmsg(st->sql));
		store_sql_rollback(st->sql);
		store_sql_fail(job);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_debug("store: big job of %zu reports, %zu bytes: reports %zu-%zu "
	    "committed in %.1f ms", job->n_reports, job->rawlen,
	    job->slice_from, to, (t1.tv_sec - t0.tv_sec) * 1e3 +
	    (t1.tv_nsec - t0.tv_nsec) / 1e6);
	job->slice_from = to;
	return to >= job->n_reports;
}

/* Copy the WAL into the database (see store_sql_checkpoint). */
static void
store_checkpoint(struct store *st)
{
	struct timespec	t0, t1;
	int		frames;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (store_sql_checkpoint(st->sql, &frames) == -1) {
		log_warn("store: checkpoint: %s", store_sql_errmsg(st->sql));
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_debug("store: checkpoint of %d pages in %.1f ms", frames,
	    (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
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
		if (st->observe != NULL)
			st->observe(job);
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

int
store_writable(struct store *st)
{
	return !atomic_load(&st->failing);
}

void
store_commit_stats(struct store *st, struct store_commit_stats *out)
{
	pthread_mutex_lock(&st->mtx);
	memcpy(out->bucket, st->commit_bucket, sizeof(out->bucket));
	out->sum = st->commit_sum;
	pthread_mutex_unlock(&st->mtx);
}

void
store_set_observer(struct store *st,
    void (*observe)(const struct store_job *job))
{
	st->observe = observe;
}
