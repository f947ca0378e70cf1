/*
 * tzif.h - local time in an IANA time zone without the C library's global
 * TZ: a parser of zoneinfo files (TZif, RFC 8536, versions 1 to 4) and the
 * conversions the statistics need (a UTC instant's offset, a local time to
 * UTC), plus the civil calendar and an RFC 3339 time parser.
 *
 * Pure functions: the caller reads the file (bytes + length in); nothing
 * here does I/O or keeps global state, so one parsed zone may be shared
 * by every thread. Bounded: at most TZIF_TRANSITIONS_MAX transitions and
 * TZIF_TYPES_MAX local time types; a footer rule (a POSIX TZ string) of
 * TZIF_FOOTER_MAX bytes covers the times after the last transition.
 */
#ifndef TZIF_H
#define TZIF_H

#include <stddef.h>

#define TZIF_TRANSITIONS_MAX	4096
#define TZIF_TYPES_MAX		256
#define TZIF_FOOTER_MAX		128

/* One end of a daylight saving period in a POSIX TZ rule. */
struct tzif_rule {
	char		kind;		/* 'J' (1-365, no Feb 29), 'D' (0-365), 'M' */
	int		day;		/* J, D: the day; M: the weekday 0-6 */
	int		week;		/* M: 1-5 (5: the last) */
	int		month;		/* M: 1-12 */
	long		time;		/* seconds after local midnight */
};

struct tzif_footer {
	int		present;	/* else: the last type holds on */
	long		std_off;	/* seconds east of UTC */
	int		has_dst;
	long		dst_off;
	struct tzif_rule start, end;	/* when has_dst */
};

struct tzif {
	long long	*times;		/* n_times transitions, ascending */
	unsigned char	*idx;		/* the type from each transition on */
	size_t		 n_times;
	long		*offs;		/* n_types UTC offsets, seconds east */
	size_t		 n_types;
	long		 first_off;	/* before the first transition */
	struct tzif_footer footer;
};

/*
 * Parse a zoneinfo file buf[0..len) into tz (owned until tzif_free).
 * Returns 0, or -1 with err filled; tz is then empty.
 */
int	tzif_parse(struct tzif *tz, const unsigned char *buf, size_t len,
	    char *err, size_t errlen);
void	tzif_free(struct tzif *tz);

/* A zone at a fixed offset (UTC when 0), for when no file is at hand. */
void	tzif_fixed(struct tzif *tz, long offset);

/*
 * Parse a POSIX TZ string ("<+07>-7", "CET-1CEST,M3.5.0,M10.5.0/3") into
 * f. 0, or -1.
 */
int	tzif_footer_parse(const char *s, size_t len, struct tzif_footer *f);

/* The offset from UTC (seconds east) at UTC instant t. */
long	tzif_offset(const struct tzif *tz, long long t);

/*
 * The UTC instant of local time local (seconds since 1970-01-01 00:00 of
 * the local clock). A time that happens twice (clocks going back) is the
 * first; one that never happens (clocks going forward) is taken with the
 * offset before the change, i.e. it lands after the change.
 */
long long tzif_local_to_utc(const struct tzif *tz, long long local);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
long long tzif_days_from_civil(long long y, int m, int d);
void	tzif_civil_from_days(long long days, long long *y, int *m, int *d);

/*
 * A time as the API takes it: RFC 3339 ("2026-11-21T17:00:00Z",
 * "2026-11-21T17:00:00+07:00", fractions dropped) or a date
 * ("2026-11-21", midnight in tz). Returns 0 with *t set, or -1.
 */
int	tzif_parse_time(const struct tzif *tz, const char *s, long long *t);

#endif
