/*
 * worker.h - CPU work off the event loop. A task's work function runs on one
 * of a few worker threads; its done function runs afterwards on the loop
 * thread. Used for parsing large messages, so that one 25 MB mail never
 * stalls every other session.
 *
 * Tasks complete in any order. The caller owns arg throughout.
 */
#ifndef WORKER_H
#define WORKER_H

#include <stddef.h>

struct event_base;
struct worker_pool;

typedef void (*worker_fn)(void *arg);

/* Start nthreads workers delivering completions on base. NULL on failure. */
struct worker_pool *worker_pool_new(struct event_base *base, int nthreads);

/* Queue a task; work(arg) on a worker, then done(arg) on the loop. */
void worker_run(struct worker_pool *pool, worker_fn work, worker_fn done,
    void *arg);

/* Finish queued tasks, run their done functions, join the threads, free. */
void worker_pool_free(struct worker_pool *pool);

#endif
