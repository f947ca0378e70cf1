/*
 * roles.h - what each token role may do, in one place for every channel
 * (ILP AUTH, the API's bearer tokens, the staff view). Roles are those of
 * `intakectl token add --role`: submitter, triage, admin.
 */
#ifndef ROLES_H
#define ROLES_H

enum role_action {
	ROLE_SUBMIT,		/* send reports */
	ROLE_READ,		/* read reports: one's own, or (triage) any */
	ROLE_TRIAGE,		/* read every report and incident, work the queue */
	ROLE_EVIDENCE,		/* a report's raw bytes */
	ROLE_EXPORT,		/* export incidents */
	ROLE_STATS,		/* the statistics */
	ROLE_ADMIN		/* everything, tokens included */
};

/* 1 if a token of this role may do action; an unknown role may nothing. */
int	role_may(const char *role, enum role_action action);

/* 1 if name is a role. */
int	role_valid(const char *role);

#endif
