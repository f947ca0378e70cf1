/*
 * lifecycle.h - the incident lifecycle in one place: its states, the
 * transitions the specification allows, and what is computed from an
 * incident and never acted on by itself: whether it is serious (Quyết định
 * 05/2017), its next regulatory deadline (Thông tư 20/2017) and whether
 * that deadline has passed. Pure functions: no I/O, no clock of their own.
 *
 *	new -> triaged | rejected | merged
 *	triaged -> in-progress | resolved | rejected | merged
 *	in-progress -> resolved
 *	resolved -> closed | in-progress
 *	rejected -> new
 *	closed, merged: final
 */
#ifndef LIFECYCLE_H
#define LIFECYCLE_H

#include <time.h>

#include "taxonomy.h"

enum incident_status {
	INC_NEW,
	INC_TRIAGED,
	INC_IN_PROGRESS,
	INC_RESOLVED,
	INC_REJECTED,
	INC_CLOSED,
	INC_MERGED,
	INC_NSTATUSES
};

/* The deadlines: 5 x 24 hours each. */
#define LIFECYCLE_NOTIFY_SECONDS	(5 * 86400)	/* after detection */
#define LIFECYCLE_FINAL_SECONDS		(5 * 86400)	/* after resolved */

/* "new", "in-progress" ...; -1 for anything else. */
int	lifecycle_status_parse(const char *name);
const char *lifecycle_status_name(enum incident_status s);

/* 1 when an incident in from may move to to. */
int	lifecycle_may(enum incident_status from, enum incident_status to);
/* 1 for closed and merged: nothing moves them any more. */
int	lifecycle_final(enum incident_status s);

/*
 * Serious: critical severity, or system level 4-5 (0: unknown) with high
 * severity.
 */
int	lifecycle_serious(enum severity sev, int system_level);

/* What the deadlines are computed from; times are Unix seconds, 0 = none. */
struct lifecycle_incident {
	enum incident_status	 status;
	enum severity		 severity;
	int			 system_level;
	time_t			 detected_at;	/* the earliest report's */
	time_t			 received_at;	/* the first report's */
	time_t			 resolved_at;	/* when it became resolved */
	time_t			 notified_at;	/* sent to the coordinator */
};

enum lifecycle_deadline {
	LIFECYCLE_NO_DEADLINE,
	LIFECYCLE_NOTIFY,	/* a serious incident to the coordinator */
	LIFECYCLE_FINAL		/* the final report after resolution */
};

/*
 * The next deadline of inc: a serious incident not yet sent to the
 * coordinator (and not rejected, closed or merged) is due
 * LIFECYCLE_NOTIFY_SECONDS after its detection (else its receipt); a
 * resolved one, LIFECYCLE_FINAL_SECONDS after it was resolved. Returns
 * which, with *due set (0 for none).
 */
enum lifecycle_deadline lifecycle_due(const struct lifecycle_incident *inc,
	    time_t *due);

/* 1 when inc has a deadline and now is past it. */
int	lifecycle_overdue(const struct lifecycle_incident *inc, time_t now);

#endif
