/*
 * roles.c - the table of what each role may do (see roles.h). Submitters
 * submit; triage analysts work the queue but send no reports in a
 * partner's name; admins may do everything.
 */
#include <stddef.h>
#include <string.h>

#include "roles.h"

static const struct {
	const char	*role;
	unsigned	 may;		/* bits: 1 << enum role_action */
} role_table[] = {
	{ "submitter", (1u << ROLE_SUBMIT) | (1u << ROLE_READ) },
	{ "triage", (1u << ROLE_READ) | (1u << ROLE_TRIAGE) |
	    (1u << ROLE_EVIDENCE) | (1u << ROLE_EXPORT) | (1u << ROLE_STATS) },
	{ "admin", (1u << ROLE_SUBMIT) | (1u << ROLE_READ) |
	    (1u << ROLE_TRIAGE) | (1u << ROLE_EVIDENCE) | (1u << ROLE_EXPORT) |
	    (1u << ROLE_STATS) | (1u << ROLE_ADMIN) },
};

int
role_may(const char *role, enum role_action action)
{
	size_t	i;

	if (role == NULL)
		return 0;
	for (i = 0; i < sizeof(role_table) / sizeof(role_table[0]); i++)
		if (strcmp(role_table[i].role, role) == 0)
			return (role_table[i].may & (1u << action)) != 0;
	return 0;
}

int
role_valid(const char *role)
{
	size_t	i;

	for (i = 0; role != NULL &&
	    i < sizeof(role_table) / sizeof(role_table[0]); i++)
		if (strcmp(role_table[i].role, role) == 0)
			return 1;
	return 0;
}
