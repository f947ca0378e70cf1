/*
 * intake.c - the one way into the store (see intake.h).
 */
#include "gateway.h"
#include "intake.h"
#include "metrics.h"
#include "store.h"

int
intake_submit(struct gateway *gw, struct store_job *job, const char *channel,
    void (*done)(struct store_job *, void *), void *arg)
{
	job->channel = channel;
	job->done = done;
	job->arg = arg;
	if (store_enqueue(gw->store, job) == -1) {
		store_job_free(job);
		metrics_rejected(METRICS_BUSY);
		return -1;
	}
	return 0;
}
