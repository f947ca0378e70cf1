/*
 * lifecycle.c - the incident lifecycle (see lifecycle.h): a table of
 * states with the transitions each allows, and the computed deadlines.
 */
#include <string.h>

#include "lifecycle.h"

#define B(s)	(1u << (s))

static const struct {
	const char	*name;
	unsigned	 next;		/* bits of the states it may move to */
} lifecycle_states[INC_NSTATUSES] = {
	[INC_NEW] = { "new", B(INC_TRIAGED) | B(INC_REJECTED) |
	    B(INC_MERGED) },
	[INC_TRIAGED] = { "triaged", B(INC_IN_PROGRESS) | B(INC_RESOLVED) |
	    B(INC_REJECTED) | B(INC_MERGED) },
	[INC_IN_PROGRESS] = { "in-progress", B(INC_RESOLVED) },
	[INC_RESOLVED] = { "resolved", B(INC_CLOSED) | B(INC_IN_PROGRESS) },
	[INC_REJECTED] = { "rejected", B(INC_NEW) },
	[INC_CLOSED] = { "closed", 0 },
	[INC_MERGED] = { "merged", 0 },
};

int
lifecycle_status_parse(const char *name)
{
	int	i;

	for (i = 0; name != NULL && i < INC_NSTATUSES; i++)
		if (strcmp(lifecycle_states[i].name, name) == 0)
			return i;
	return -1;
}

const char *
lifecycle_status_name(enum incident_status s)
{
	return s < INC_NSTATUSES ? lifecycle_states[s].name : "unknown";
}

int
lifecycle_may(enum incident_status from, enum incident_status to)
{
	return from < INC_NSTATUSES && to < INC_NSTATUSES &&
	    (lifecycle_states[from].next & B(to)) != 0;
}

int
lifecycle_final(enum incident_status s)
{
	return s < INC_NSTATUSES && lifecycle_states[s].next == 0;
}

int
lifecycle_serious(enum severity sev, int system_level)
{
	return sev == SEV_CRITICAL ||
	    (sev == SEV_HIGH && system_level >= 4 && system_level <= 5);
}

enum lifecycle_deadline
lifecycle_due(const struct lifecycle_incident *inc, time_t *due)
{
	time_t	from;

	*due = 0;
	switch (inc->status) {
	case INC_NEW:
	case INC_TRIAGED:
	case INC_IN_PROGRESS:
		if (!lifecycle_serious(inc->severity, inc->system_level) ||
		    inc->notified_at != 0)
			return LIFECYCLE_NO_DEADLINE;
		from = inc->detected_at != 0 ? inc->detected_at :
		    inc->received_at;
		if (from == 0)
			return LIFECYCLE_NO_DEADLINE;
		*due = from + LIFECYCLE_NOTIFY_SECONDS;
		return LIFECYCLE_NOTIFY;
	case INC_RESOLVED:
		if (inc->resolved_at == 0)
			return LIFECYCLE_NO_DEADLINE;
		*due = inc->resolved_at + LIFECYCLE_FINAL_SECONDS;
		return LIFECYCLE_FINAL;
	default:
		return LIFECYCLE_NO_DEADLINE;
	}
}

int
lifecycle_overdue(const struct lifecycle_incident *inc, time_t now)
{
	time_t	due;

	return lifecycle_due(inc, &due) != LIFECYCLE_NO_DEADLINE && now > due;
}
