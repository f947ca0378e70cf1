/*
 * worker.c - a small pool of threads for CPU work that must not block the
 * loop (see worker.h). Tasks wait in a FIFO under a mutex; finished tasks go
 * to a done list and the loop is woken with event_active(), which is safe
 * across threads once evthread_use_pthreads() has been called.
 */
#include <pthread.h>
#include <stdlib.h>

#include <event2/event.h>

#include "log.h"
#include "util.h"
#include "worker.h"

struct worker_task {
	struct worker_task	*next;
	worker_fn		 work;
	worker_fn		 done;
	void			*arg;
};

struct worker_list {
	struct worker_task	*head, *tail;
};

struct worker_pool {
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;
	struct worker_list	 todo, done;
	struct event		*done_ev;
	pthread_t		*threads;
	int			 nthreads;
	int			 stopping;
	size_t			 in_flight;	/* queued or running */
};

static void
worker_list_push(struct worker_list *l, struct worker_task *t)
{
	t->next = NULL;
	if (l->tail != NULL)
		l->tail->next = t;
	else
		l->head = t;
	l->tail = t;
}

static struct worker_task *
worker_list_take_all(struct worker_list *l)
{
	struct worker_task	*t = l->head;

	l->head = l->tail = NULL;
	return t;
}

static void *
worker_main(void *arg)
{
	struct worker_pool	*p = arg;
	struct worker_task	*t;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->todo.head == NULL && !p->stopping)
			pthread_cond_wait(&p->wake, &p->lock);
		if ((t = p->todo.head) == NULL)
			break;			/* stopping and nothing left */
		if ((p->todo.head = t->next) == NULL)
			p->todo.tail = NULL;
		pthread_mutex_unlock(&p->lock);
		t->work(t->arg);
		pthread_mutex_lock(&p->lock);
		worker_list_push(&p->done, t);
		event_active(p->done_ev, EV_READ, 0);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Run the done functions of every finished task, on the calling thread. */
static void
worker_run_done(struct worker_pool *p)
{
	struct worker_task	*t, *next;

	pthread_mutex_lock(&p->lock);
	t = worker_list_take_all(&p->done);
	pthread_mutex_unlock(&p->lock);
	for (; t != NULL; t = next) {
		next = t->next;
		t->done(t->arg);
		p->in_flight--;
		free(t);
	}
}

static void
worker_done_cb(evutil_socket_t fd, short what, void *arg)
{
	worker_run_done(arg);
}

struct worker_pool *
worker_pool_new(struct event_base *base, int nthreads)
{
	struct worker_pool	*p = xcalloc(1, sizeof(*p));
	int			 i;

	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	p->done_ev = event_new(base, -1, 0, worker_done_cb, p);
	p->threads = xcalloc(nthreads, sizeof(*p->threads));
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0)
			break;
		p->nthreads++;
	}
	if (p->nthreads == 0) {
		worker_pool_free(p);
		return NULL;
	}
	return p;
}

void
worker_run(struct worker_pool *p, worker_fn work, worker_fn done, void *arg)
{
	struct worker_task	*t = xmalloc(sizeof(*t));

	t->work = work;
	t->done = done;
	t->arg = arg;
	p->in_flight++;
	pthread_mutex_lock(&p->lock);
	worker_list_push(&p->todo, t);
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

void
worker_pool_free(struct worker_pool *p)
{
	int	i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	worker_run_done(p);
	if (p->in_flight != 0)
		fatalx("worker pool freed with %zu tasks in flight",
		    p->in_flight);
	event_free(p->done_ev);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->wake);
	free(p->threads);
	free(p);
}
