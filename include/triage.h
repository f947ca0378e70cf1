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

struct config;

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

/* --- changes to an incident ---------------------------------------------- */

/* Bounds of what a change takes. */
#define TRIAGE_NOTE_MAX		4096	/* bytes of a status note */
#define TRIAGE_FIELD_MAX	1024	/* bytes of an assessment field */
#define TRIAGE_SPLIT_MAX	1000	/* reports split off at once */

enum triage_op {
	TRIAGE_CLAIM,		/* a lease for the actor (ttl seconds) */
	TRIAGE_RELEASE,		/* the actor gives its lease back */
	TRIAGE_STATUS,		/* to status, with a note */
	TRIAGE_PATCH,		/* category, severity, assessment, handling */
	TRIAGE_MERGE,		/* every report into `into'; this one merged */
	TRIAGE_SPLIT,		/* reports[] become a new incident */
	TRIAGE_FORWARD		/* sent to [forward] to now (forward.h) */
};

/*
 * One change to incident `incident' (IN-...). Refusals (res.rc):
 * NOTFOUND for an unknown incident (or `into', or a report of split that
 * is not this incident's); CONFLICT while another actor holds a claim
 * that has not expired (for merge, on either incident), for a transition
 * the lifecycle forbids, or for a change to a closed or merged incident;
 * INVALID for a value the change cannot take. The caller checks the
 * inputs' syntax first (triage_check_*); the change checks them against
 * the store.
 */
struct triage_change {
	enum triage_op		 op;
	struct triage_actor	 actor;
	/*
	 * [forward] (to, rules): for TRIAGE_FORWARD, and for a status change
	 * to triaged, which sends the incident on when the rules say so;
	 * NULL: nothing is ever forwarded by this change
	 */
	const struct config	*cfg;
	char			 incident[STORE_ID_MAX];
	/* claim */
	long long		 ttl;
	/* status */
	int			 status;		/* enum incident_status */
	char			*note;			/* may be NULL */
	/* patch: each set only when has_* */
	int			 has_category, has_severity;
	int			 has_assessment, has_handling;
	char			*category;
	int			 severity;		/* enum severity */
	char			*assessment;		/* JSON object text, or NULL */
	char			*handling;		/* or NULL to clear */
	/* merge */
	char			 into[STORE_ID_MAX];
	/* split */
	char			(*reports)[STORE_ID_MAX];
	size_t			 n_reports;

	/* results, set each time the change runs */
	struct triage_result	 res;
	char			 claimed_by[72];	/* claim, release: after */
	long long		 claim_expires;
	char			 from[16];		/* status: before */
	char			 created[STORE_ID_MAX];	/* split: the new one */
	long long		 moved;			/* merge, split: reports */
	int			 forwarded;		/* forward, status: queued */
};

/* A change of op on incident by actor, to fill in (freed by the job). */
struct triage_change *triage_change_new(enum triage_op op,
	    const struct triage_actor *actor, const char *incident);
/* Free a change that never became a job. */
void	triage_change_free(void *c);
/* A job running c (the job owns c from now on). */
struct store_job *triage_job(struct triage_change *c);

/*
 * An incident or report ID as a client gave it: s[0..n) (n bytes, no NUL
 * inside), of at least 4 and fewer than STORE_ID_MAX bytes, starting with
 * the 3-byte prefix ("IN-", "RP-") in any case, of letters, digits and
 * '-' only. 0 with out set to it upper-cased and NUL-terminated, or -1
 * with out left partly written.
 */
int	triage_id_parse(const char *s, size_t n, const char *prefix,
	    char out[STORE_ID_MAX]);
/* The values of handling (Mẫu 05's columns): 1 when s is one of them. */
int	triage_handling_valid(const char *s);
/*
 * An assessment object (status, severity, scope, target, location: each
 * a string of at most TRIAGE_FIELD_MAX bytes, or null) as canonical JSON
 * text (a new string) in *out; NULL for JSON null. 0, or -1 with *field
 * naming what is wrong.
 */
struct json_t;
int	triage_assessment_text(struct json_t *v, char **out,
	    const char **field);

#endif
