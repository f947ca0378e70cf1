/*
 * readers.c - the reader threads (see readers.h): a worker pool whose
 * threads each open one store_read connection on first use and keep it in
 * thread-local storage until the thread ends. A connection that cannot be
 * opened is retried on the next request, so a read failure is temporary.
 *
 * Reader threads run at a lower priority (nice READERS_NICE) than the
 * loop and the store's writer: when analysts' reads and intake want the
 * same CPU, intake goes first (measured with tests/bench/triage.sh: the
 * ILP rate under 16 busy readers went from 80% to the rate alone).
 */
#include <sys/resource.h>
#include <sys/syscall.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "readers.h"
#include "store_read.h"
#include "util.h"
#include "worker.h"

/* How much lower the readers' priority is (nice, 0 to 19). */
#define READERS_NICE	10

struct readers {
	struct worker_pool	*pool;
	char			*dbpath;
};

struct reader_task {
	struct readers		*r;
	reader_fn		 work;
	worker_fn		 done;
	void			*arg;
};

static pthread_key_t	readers_key;
static pthread_once_t	readers_key_once = PTHREAD_ONCE_INIT;

static void
readers_conn_close(void *rd)
{
	store_read_close(rd);
}

static void
readers_key_create(void)
{
	if (pthread_key_create(&readers_key, readers_conn_close) != 0)
		fatalx("readers: cannot create the thread key");
}

/* This thread's connection, opened on first use; NULL if it cannot be. */
static struct store_read *
readers_conn(struct readers *r)
{
	struct store_read	*rd = pthread_getspecific(readers_key);
	char			 err[256];

	if (rd != NULL)
		return rd;
	/* once per thread (Linux: a thread's nice is its own) */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid),
	    READERS_NICE);
	if ((rd = store_read_open(r->dbpath, err, sizeof(err))) == NULL) {
		log_warn("reader: %s", err);
		return NULL;
	}
	(void)pthread_setspecific(readers_key, rd);
	return rd;
}

static void
readers_task_work(void *arg)
{
	struct reader_task	*t = arg;

	t->work(readers_conn(t->r), t->arg);
}

static void
readers_task_done(void *arg)
{
	struct reader_task	*t = arg;

	t->done(t->arg);
	free(t);
}

struct readers *
readers_new(struct event_base *base, const char *dbpath, int nthreads)
{
	struct readers	*r;

	(void)pthread_once(&readers_key_once, readers_key_create);
	r = xcalloc(1, sizeof(*r));
	r->dbpath = xstrdup(dbpath);
	if ((r->pool = worker_pool_new(base, nthreads)) == NULL) {
		free(r->dbpath);
		free(r);
		return NULL;
	}
	return r;
}

void
readers_run(struct readers *r, reader_fn work, worker_fn done, void *arg)
{
	struct reader_task	*t = xmalloc(sizeof(*t));

	t->r = r;
	t->work = work;
	t->done = done;
	t->arg = arg;
	worker_run(r->pool, readers_task_work, readers_task_done, t);
}

void
readers_free(struct readers *r)
{
	if (r == NULL)
		return;
	worker_pool_free(r->pool);	/* its threads end: connections close */
	free(r->dbpath);
	free(r);
}
