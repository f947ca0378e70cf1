/*
 * staff_int.h - what the staff view's files (staff.c, staff_queue.c,
 * staff_actions.c, staff_phone.c, staff_stats.c) share: the page vars of
 * every staff page, redirects, the forms of the actions, local times,
 * the memory a page's values live in, and the incident page. Not for
 * other modules: see staff.h.
 */
#ifndef STAFF_INT_H
#define STAFF_INT_H

#include <stddef.h>

#include <jansson.h>

#include "page.h"
#include "staff.h"

struct form_fields;
struct gateway;
struct http_exchange;
struct tzif;

/* Reports of an incident shown on its page, and bytes of a description. */
#define STAFF_REPORTS_SHOWN	50
#define STAFF_DESCRIPTION_SHOWN	(16 * 1024)

/* The zone times are shown in ([stats] timezone), and its name. */
const struct tzif *staff_tz(void);
const char *staff_tz_name(void);

/*
 * Allocations that live as long as one page's values: every block from
 * staff_mem_alloc() (zeroed; xcalloc) is freed by staff_mem_free().
 */
struct staff_mem {
	void	**blocks;
	size_t	  n;
	size_t	  cap;
};

void	*staff_mem_alloc(struct staff_mem *m, size_t n, size_t size);
char	*staff_mem_strdup(struct staff_mem *m, const char *s);
void	 staff_mem_free(struct staff_mem *m);

/*
 * An RFC 3339 time as the API gives it, as local text for the pages
 * ("2026-12-06 12:21"), in m; NULL for NULL or a value that is no time.
 */
const char *staff_local_time(struct staff_mem *m, const char *rfc3339);
/* The same from Unix seconds. */
const char *staff_local_unix(struct staff_mem *m, long long t);

/* The string at key of o, or NULL (absent, null, not a string). */
const char *staff_json_str(json_t *o, const char *key);

/*
 * An incident of the API's JSON (the queue's, or the detail's) into inc;
 * its strings point into o or m, which must outlive inc.
 */
void	staff_incident_fill(struct staff_mem *m, json_t *o,
	    struct page_staff_incident *inc);

/* Zero v and st, and fill what every staff page shows. */
void	staff_vars(struct http_exchange *ex, struct page_vars *v,
	    struct page_staff *st);

/*
 * 303 See Other to target (a path of ours, maybe with a query), with the
 * exchange's language added, and the extra header h when not NULL.
 */
void	staff_see_other(struct http_exchange *ex, const char *target,
	    const struct http_field *h);

/*
 * The body of an action's form (application/x-www-form-urlencoded, at
 * most STAFF_FORM_MAX bytes) into ff, with its csrf field checked against
 * the session's form token. 0, or -1 with the answer sent (403 without
 * a valid token, 413, 415, 400) and ff empty.
 */
int	staff_form_read(struct http_exchange *ex, struct form_fields *ff);

/* What the incident page shows above it, and the values to refill. */
struct staff_notice {
	int		 status;	/* HTTP status of the page */
	const char	*key;		/* message key, or NULL */
	int		 ok;		/* an outcome, not a refusal */
	const char	*detail;	/* any text, or NULL */
	const char	*note;		/* the status form's note */
	const char	*merge_into;	/* the merge form's value */
};

/*
 * Show incident id's page (read on a reader) with notice n (NULL: none,
 * 200); 404 for an unknown incident.
 */
void	staff_incident_show(struct http_exchange *ex, const char *id,
	    const struct staff_notice *n);

#endif
