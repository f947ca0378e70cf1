/*
 * readers.h - reads off the event loop and beside the writer: a few
 * threads, each with its own SQLite connection (store_read.h), so that a
 * token check, a STATUS or an API read never waits for a group commit
 * (WAL lets readers run while the writer commits) and never blocks the
 * loop. Every channel's reads go through here.
 *
 * A request's work function runs on a reader thread with that thread's
 * connection (NULL when it cannot be opened: the work must then report a
 * temporary failure); its done function runs afterwards on the loop thread.
 * Requests complete in any order. The caller owns arg throughout.
 */
#ifndef READERS_H
#define READERS_H

#include "worker.h"

struct event_base;
struct readers;
struct store_read;

typedef void (*reader_fn)(struct store_read *rd, void *arg);

/* Start nthreads readers of the database at dbpath. NULL on failure. */
struct readers *readers_new(struct event_base *base, const char *dbpath,
    int nthreads);

/* work(rd, arg) on a reader thread, then done(arg) on the loop. */
void	readers_run(struct readers *r, reader_fn work, worker_fn done,
	    void *arg);

/* Finish what is queued, run the done functions, close, free. */
void	readers_free(struct readers *r);

#endif
