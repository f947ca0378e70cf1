/*
 * triage.h - what analysts change, as store changes (store.h): each
 * function below builds a job whose change runs in the writer's
 * transaction in intaked, or in intakectl's own transaction
 * (store_sql_apply), the same SQL in both. Every change writes its audit
 * row (who, when, what, on which incident, from where) in the same
 * transaction, so that the trail and the change are durable together.
 *
 * A refusal (unknown incident, a claim held by someone else, a transition
 * the lifecycle forbids) writes nothing and is reported in the result;
 * job->rc is STORE_OK then too, and STORE_TEMPFAIL only when the store
 * failed.
 */
#ifndef TRIAGE_H
#define TRIAGE_H

#include <stddef.h>

#include "store.h"

/* Who acts, and from where ("203.0.113.5", "intakectl:alice"). */
struct triage_actor {
	char	name[72];	/* a token's name, or intakectl:USER */
	char	peer[72];
};

void	triage_actor_set(struct triage_actor *a, const char *name,
	    const char *peer);

enum triage_rc {
	TRIAGE_OK,
	TRIAGE_NOTFOUND,	/* no such incident or report */
	TRIAGE_CONFLICT,	/* claimed by someone else, or forbidden */
	TRIAGE_INVALID		/* a value the change cannot take */
};

/*
 * The result of a change, set each time it runs (a change may run twice):
 * rc, a reason for a refusal, and the incident's row id when known.
 */
struct triage_result {
	enum triage_rc	 rc;
	char		 why[160];
	long long	 incident;
};

/*
 * An evidence read, for the audit trail: report (IR-...) was read by
 * actor. The job's argument is a struct triage_evidence (freed with the
 * job); res.rc is TRIAGE_NOTFOUND for an unknown report.
 */
struct triage_evidence {
	struct triage_actor	 actor;
	char			 report[STORE_ID_MAX];
	struct triage_result	 res;
};

struct store_job *triage_evidence_job(const struct triage_actor *a,
	    const char *report);

#endif
