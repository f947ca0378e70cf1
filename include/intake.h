/*
 * intake.h - the one way a submission enters the store, for every channel:
 * the line protocol, the mailbox, the web form, the partner API (and the
 * reports staff record by phone). The channel has parsed and validated its
 * input into reports and keeps its raw bytes as evidence; intake hands the
 * submission to the writer, whose completion (after the durable commit)
 * comes back to the channel's done function on the loop thread. A refusal
 * (the store's queue full, or stopping) is counted here, once.
 */
#ifndef INTAKE_H
#define INTAKE_H

struct gateway;
struct store_job;

/* The channels, as stored with each report and named by /metrics. */
#define INTAKE_LINE	"line"
#define INTAKE_SMTP	"smtp"
#define INTAKE_WEB	"web"
#define INTAKE_API	"api"
#define INTAKE_PHONE	"phone"

/*
 * Submit job (its reports, raw bytes and identity filled in) from channel,
 * with done(job, arg) to run after the commit. Returns 0 (the store owns
 * job until done runs), or -1: the job was refused and freed, nothing is
 * stored, and the caller answers "try again later".
 */
int	intake_submit(struct gateway *gw, struct store_job *job,
	    const char *channel, void (*done)(struct store_job *, void *),
	    void *arg);

#endif
