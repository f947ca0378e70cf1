/*
 * test_lifecycle.c - the incident lifecycle: every transition of the
 * specification allowed and every other one refused, the final states,
 * "serious", and the two deadlines with their edges.
 */
#include <stdio.h>
#include <string.h>

#include "lifecycle.h"
#include "t.h"

/* The specification's transitions, written out independently. */
static const char *const allowed[] = {
	"new>triaged", "new>rejected", "new>merged",
	"triaged>in-progress", "triaged>resolved", "triaged>rejected",
	"triaged>merged",
	"in-progress>resolved",
	"resolved>closed", "resolved>in-progress",
	"rejected>new",
};

static int
spec_allows(const char *from, const char *to)
{
	char	pair[64];
	size_t	i;

	snprintf(pair, sizeof(pair), "%s>%s", from, to);
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (strcmp(allowed[i], pair) == 0)
			return 1;
	return 0;
}

static void
test_transitions(void)
{
	static const char *const names[] = { "new", "triaged", "in-progress",
	    "resolved", "rejected", "closed", "merged" };
	size_t	f, t, n = sizeof(names) / sizeof(names[0]), yes = 0;
	int	from, to;

	CHECK(n == INC_NSTATUSES);
	for (f = 0; f < n; f++) {
		from = lifecycle_status_parse(names[f]);
		CHECK(from >= 0);
		CHECK_STR(lifecycle_status_name(from), names[f]);
		for (t = 0; t < n; t++) {
			to = lifecycle_status_parse(names[t]);
			if (lifecycle_may(from, to) != spec_allows(names[f],
			    names[t])) {
				printf("  %s -> %s\n", names[f], names[t]);
				CHECK(0);
			} else
				CHECK(1);
			yes += lifecycle_may(from, to);
		}
	}
	CHECK(yes == sizeof(allowed) / sizeof(allowed[0]));
	CHECK(lifecycle_final(INC_CLOSED) && lifecycle_final(INC_MERGED));
	CHECK(!lifecycle_final(INC_NEW) && !lifecycle_final(INC_REJECTED) &&
	    !lifecycle_final(INC_RESOLVED));
	CHECK(lifecycle_status_parse("New") == -1);
	CHECK(lifecycle_status_parse("") == -1);
	CHECK(lifecycle_status_parse(NULL) == -1);
	CHECK(lifecycle_status_parse("in_progress") == -1);
	CHECK(!lifecycle_may(INC_NSTATUSES, INC_NEW));
	CHECK(!lifecycle_may(INC_NEW, INC_NSTATUSES));
}

static void
test_serious(void)
{
	CHECK(lifecycle_serious(SEV_CRITICAL, 0));
	CHECK(lifecycle_serious(SEV_CRITICAL, 1));
	CHECK(lifecycle_serious(SEV_HIGH, 4));
	CHECK(lifecycle_serious(SEV_HIGH, 5));
	CHECK(!lifecycle_serious(SEV_HIGH, 3));
	CHECK(!lifecycle_serious(SEV_HIGH, 0));
	CHECK(!lifecycle_serious(SEV_MEDIUM, 5));
	CHECK(!lifecycle_serious(SEV_UNSET, 5));
}

static void
test_deadlines(void)
{
	struct lifecycle_incident	inc;
	time_t				due;
	const time_t			det = 1764900000, rec = det + 3600;

	memset(&inc, 0, sizeof(inc));
	inc.status = INC_NEW;
	inc.severity = SEV_CRITICAL;
	inc.detected_at = det;
	inc.received_at = rec;
	CHECK(lifecycle_due(&inc, &due) == LIFECYCLE_NOTIFY);
	CHECK(due == det + 5 * 86400);
	CHECK(!lifecycle_overdue(&inc, det + 5 * 86400));
	CHECK(lifecycle_overdue(&inc, det + 5 * 86400 + 1));

	/* without a detection time, from receipt */
	inc.detected_at = 0;
	CHECK(lifecycle_due(&inc, &due) == LIFECYCLE_NOTIFY &&
	    due == rec + 5 * 86400);

	/* notified: no notification deadline any more */
	inc.notified_at = rec + 60;
	CHECK(lifecycle_due(&inc, &due) == LIFECYCLE_NO_DEADLINE && due == 0);
	CHECK(!lifecycle_overdue(&inc, rec + 100 * 86400));
	inc.notified_at = 0;

	/* not serious: none */
	inc.severity = SEV_HIGH;
	inc.system_level = 3;
	CHECK(lifecycle_due(&inc, &due) == LIFECYCLE_NO_DEADLINE);
	inc.system_level = 4;
	inc.status = INC_IN_PROGRESS;
	CHECK(lifecycle_due(&inc, &due) == LIFECYCLE_NOTIFY);

	/* rejected, closed, merged: none */
	inc.status = INC_REJECTED;
	CHECK(lifecycle_due(&inc, &due) == LIFECYCLE_NO_DEADLINE);
	inc.status = INC_CLOSED;
	CHECK(lifecycle_due(&inc, &due) == LIFECYCLE_NO_DEADLINE);
	inc.status = INC_MERGED;
	CHECK(lifecycle_due(&inc, &due) == LIFECYCLE_NO_DEADLINE);

	/* resolved: the final report, serious or not */
	inc.status = INC_RESOLVED;
	inc.severity = SEV_LOW;
	inc.resolved_at = det + 86400;
	CHECK(lifecycle_due(&inc, &due) == LIFECYCLE_FINAL &&
	    due == det + 6 * 86400);
	CHECK(lifecycle_overdue(&inc, det + 6 * 86400 + 1));
	CHECK(!lifecycle_overdue(&inc, det + 6 * 86400));
	inc.resolved_at = 0;
	CHECK(lifecycle_due(&inc, &due) == LIFECYCLE_NO_DEADLINE);
}

int
main(void)
{
	test_transitions();
	test_serious();
	test_deadlines();
	return t_done();
}
