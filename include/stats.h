/*
 * stats.h - the statistics of a period (the specification's Statistics
 * section): the Mẫu 05 matrix of Thông tư 20/2017 and the other figures,
 * for a calendar quarter, half-year or year in the [stats] timezone.
 *
 * Incidents are counted by the time of their first report; an incident
 * merged into another is not counted (its reports are the other's). Every
 * other incident of the period is in total, by_channel (the channel of its
 * first report), by_category, by_severity and, when its category has a
 * Mẫu 05 row (taxonomy.tsv), in that row, and in the row's column of how
 * it was handled when an analyst recorded it. The medians are over the
 * incidents of the period that were claimed (from the first report to the
 * first claim) and resolved (to the last time it became resolved); null
 * when there are none.
 */
#ifndef STATS_H
#define STATS_H

#include <stddef.h>

#include <jansson.h>

#include "taxonomy.h"
#include "tzif.h"

struct store_read;

#define STATS_MAU05_ROWS	10

/* A period: the months [first_month, first_month + months) of year. */
struct stats_period {
	int	year;
	int	first_month;	/* 1, 4, 7, 10 (quarters), 1, 7 (halves), 1 */
	int	months;		/* 3, 6 or 12 */
	char	name[8];	/* as given, upper case: "2026Q4" */
};

/* "2026Q4", "2026H2", "2026" (years 1970-9999). 0, or -1. */
int	stats_period_parse(const char *s, struct stats_period *p);

/* The period's bounds in UTC: [*from, *to), local midnights in tz. */
void	stats_period_bounds(const struct stats_period *p, const struct tzif *tz,
	    long long *from, long long *to);

/*
 * Load the zoneinfo file of IANA zone name ($TZDIR, else
 * /usr/share/zoneinfo) into tz. 0, or -1 with err filled.
 */
int	stats_tz_load(const char *name, struct tzif *tz, char *err,
	    size_t errlen);

/*
 * The statistics of period p as the JSON of the specification:
 * {"period", "from", "to", "timezone", "mau05": [...], "total",
 * "by_channel", "by_category", "by_severity", "verified",
 * "median_seconds_to_claim", "median_seconds_to_resolve"}; from and to are
 * RFC 3339 with tz's offset. Besides: "by_week", the incidents of total
 * per week, [{"week": its Monday "YYYY-MM-DD", "count"}] for every week
 * (Monday to Sunday in tz) the period touches, the first and last maybe
 * partial. Returns STORE_READ_OK or _ERROR (err).
 */
int	stats_compute(struct store_read *rd, const struct taxonomy *tax,
	    const struct stats_period *p, const struct tzif *tz,
	    const char *tzname, json_t **out, char *err, size_t errlen);

#endif
