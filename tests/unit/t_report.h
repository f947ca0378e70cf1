/*
 * t_report.h - checks on a parsed report shared by the parser tests.
 */
#ifndef T_REPORT_H
#define T_REPORT_H

#include <string.h>

#include "report.h"

/* 1 when r holds the indicator (t, v). */
static inline int
has_ind(const struct report *r, enum ind_type t, const char *v)
{
	size_t	i;

	for (i = 0; i < r->n_indicators; i++)
		if (r->indicators[i].type == t &&
		    strcmp(r->indicators[i].value, v) == 0)
			return 1;
	return 0;
}

#endif
