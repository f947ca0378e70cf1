/*
 * tzif.c - zoneinfo files (RFC 8536) and local time (see tzif.h).
 *
 * Of a version 2+ file only the second, 64-bit block is used; a version 1
 * file's 32-bit block is read the same way. Leap second records are
 * skipped (zoneinfo's "right/" zones are not what statistics periods are
 * counted in). Times after the last transition follow the footer's POSIX
 * TZ rule when there is one (slim files carry few transitions and rely on
 * it), else the last transition's type.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tzif.h"

#define TZIF_HEADER	44

/* Big-endian readers of a bounded buffer. */
static uint32_t
tzif_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int64_t
tzif_be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)tzif_be32(p) << 32 | tzif_be32(p + 4));
}

static void
tzif_err(char *err, size_t errlen, const char *why)
{
	size_t	n = strlen(why);

	if (errlen == 0)
		return;
	if (n >= errlen)
		n = errlen - 1;
	memcpy(err, why, n);
	err[n] = '\0';
}

void
tzif_free(struct tzif *tz)
{
	free(tz->times);
	free(tz->idx);
	free(tz->offs);
	memset(tz, 0, sizeof(*tz));
}

void
tzif_fixed(struct tzif *tz, long offset)
{
	memset(tz, 0, sizeof(*tz));
	tz->first_off = offset;
	tz->footer.present = 1;
	tz->footer.std_off = offset;
}

/* The six counts of a header at p. */
struct tzif_counts {
	uint32_t	isut, isstd, leap, time, type, chars;
};

static void
tzif_counts(const unsigned char *p, struct tzif_counts *c)
{
	c->isut = tzif_be32(p + 20);
	c->isstd = tzif_be32(p + 24);
	c->leap = tzif_be32(p + 28);
	c->time = tzif_be32(p + 32);
	c->type = tzif_be32(p + 36);
	c->chars = tzif_be32(p + 40);
}

/* Bytes of a data block whose times are tsize bytes wide. */
static size_t
tzif_block_len(const struct tzif_counts *c, size_t tsize)
{
	return (size_t)c->time * tsize + c->time + (size_t)c->type * 6 +
	    c->chars + (size_t)c->leap * (tsize + 4) + c->isstd + c->isut;
}

/* Read the data block at p (its counts c, times tsize wide) into tz. */
static int
tzif_block(struct tzif *tz, const unsigned char *p,
    const struct tzif_counts *c, size_t tsize, char *err, size_t errlen)
{
	const unsigned char	*types;
	size_t			 i;
	long			 off;

	if (c->type == 0 || c->type > TZIF_TYPES_MAX ||
	    c->time > TZIF_TRANSITIONS_MAX) {
		tzif_err(err, errlen, "zoneinfo: too many or no types or "
		    "transitions");
		return -1;
	}
	tz->n_times = c->time;
	tz->n_types = c->type;
	tz->times = calloc(c->time ? c->time : 1, sizeof(*tz->times));
	tz->idx = calloc(c->time ? c->time : 1, 1);
	tz->offs = calloc(c->type, sizeof(*tz->offs));
	if (tz->times == NULL || tz->idx == NULL || tz->offs == NULL) {
		tzif_err(err, errlen, "zoneinfo: out of memory");
		return -1;
	}
	for (i = 0; i < c->time; i++) {
		tz->times[i] = tsize == 8 ? tzif_be64(p + i * 8) :
		    (int32_t)tzif_be32(p + i * 4);
		if (i > 0 && tz->times[i] <= tz->times[i - 1]) {
			tzif_err(err, errlen, "zoneinfo: transitions out of "
			    "order");
			return -1;
		}
	}
	p += (size_t)c->time * tsize;
	for (i = 0; i < c->time; i++) {
		if (p[i] >= c->type) {
			tzif_err(err, errlen, "zoneinfo: bad type index");
			return -1;
		}
		tz->idx[i] = p[i];
	}
	types = p + c->time;
	for (i = 0; i < c->type; i++) {
		off = (int32_t)tzif_be32(types + i * 6);
		if (off <= -25 * 3600 || off >= 26 * 3600) {
			tzif_err(err, errlen, "zoneinfo: offset out of range");
			return -1;
		}
		tz->offs[i] = off;
	}
	/* RFC 8536 3.2: type 0 holds before the first transition */
	tz->first_off = tz->offs[0];
	return 0;
}

int
tzif_parse(struct tzif *tz, const unsigned char *buf, size_t len,
    char *err, size_t errlen)
{
	struct tzif_counts	 c;
	const unsigned char	*p = buf, *end = buf + len, *nl;
	size_t			 blen, tsize = 4;

	memset(tz, 0, sizeof(*tz));
	if (len < TZIF_HEADER || memcmp(buf, "TZif", 4) != 0) {
		tzif_err(err, errlen, "not a zoneinfo file");
		return -1;
	}
	tzif_counts(p, &c);
	blen = tzif_block_len(&c, 4);
	if (c.time > TZIF_TRANSITIONS_MAX || c.type > TZIF_TYPES_MAX ||
	    c.chars > 65536 || c.leap > 65536 || c.isstd > c.type ||
	    c.isut > c.type || blen > (size_t)(end - p) - TZIF_HEADER) {
		tzif_err(err, errlen, "zoneinfo: truncated or too large");
		return -1;
	}
	if (buf[4] >= '2') {
		/* skip the 32-bit block to the 64-bit one */
		p += TZIF_HEADER + blen;
		if ((size_t)(end - p) < TZIF_HEADER ||
		    memcmp(p, "TZif", 4) != 0) {
			tzif_err(err, errlen, "zoneinfo: no second header");
			return -1;
		}
		tzif_counts(p, &c);
		tsize = 8;
		blen = tzif_block_len(&c, 8);
		if (c.time > TZIF_TRANSITIONS_MAX || c.type > TZIF_TYPES_MAX ||
		    c.chars > 65536 || c.leap > 65536 ||
		    blen > (size_t)(end - p) - TZIF_HEADER) {
			tzif_err(err, errlen, "zoneinfo: truncated or too "
			    "large");
			return -1;
		}
	}
	if (tzif_block(tz, p + TZIF_HEADER, &c, tsize, err, errlen) == -1) {
		tzif_free(tz);
		return -1;
	}
	p += TZIF_HEADER + blen;
	/* the footer: "\n<TZ string>\n" (version 2+) */
	if (tsize == 8 && p < end && *p == '\n' &&
	    (nl = memchr(p + 1, '\n', end - p - 1)) != NULL &&
	    nl > p + 1 && (size_t)(nl - p - 1) <= TZIF_FOOTER_MAX &&
	    tzif_footer_parse((const char *)p + 1, nl - p - 1,
	    &tz->footer) == -1) {
		tzif_free(tz);
		tzif_err(err, errlen, "zoneinfo: bad footer rule");
		return -1;
	}
	return 0;
}

/* --- the footer: a POSIX TZ string ------------------------------------ */

struct tzif_scan {
	const char	*p, *end;
};

static int
tzif_peek(const struct tzif_scan *sc)
{
	return sc->p < sc->end ? (unsigned char)*sc->p : -1;
}

/* A number of at most max, at least one digit. */
static int
tzif_num(struct tzif_scan *sc, long max, long *out)
{
	long	v = 0;
	int	n = 0;

	while (tzif_peek(sc) >= '0' && tzif_peek(sc) <= '9' && n < 4) {
		v = v * 10 + (*sc->p++ - '0');
		n++;
	}
	if (n == 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A zone abbreviation: 3+ letters, or <...> of letters, digits, + and -. */
static int
tzif_name(struct tzif_scan *sc)
{
	int	n = 0, c;

	if (tzif_peek(sc) == '<') {
		sc->p++;
		while ((c = tzif_peek(sc)) != -1 && c != '>') {
			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || c == '+' || c == '-'))
				return -1;
			sc->p++;
			n++;
		}
		if (c != '>')
			return -1;
		sc->p++;
	} else
		while ((c = tzif_peek(sc)) != -1 && ((c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z'))) {
			sc->p++;
			n++;
		}
	return n >= 3 ? 0 : -1;
}

/* [+-]hh[:mm[:ss]], hours up to maxh, into seconds. */
static int
tzif_hms(struct tzif_scan *sc, long maxh, long *out)
{
	long	h, m = 0, s = 0;
	int	neg = 0;

	if (tzif_peek(sc) == '+' || tzif_peek(sc) == '-')
		neg = *sc->p++ == '-';
	if (tzif_num(sc, maxh, &h) == -1)
		return -1;
	if (tzif_peek(sc) == ':') {
		sc->p++;
		if (tzif_num(sc, 59, &m) == -1)
			return -1;
		if (tzif_peek(sc) == ':') {
			sc->p++;
			if (tzif_num(sc, 59, &s) == -1)
				return -1;
		}
	}
	*out = (neg ? -1 : 1) * (h * 3600 + m * 60 + s);
	return 0;
}

/* ",Jn", ",n" or ",Mm.w.d", then an optional "/time". */
static int
tzif_rule(struct tzif_scan *sc, struct tzif_rule *r)
{
	long	v, w, d;

	if (tzif_peek(sc) != ',')
		return -1;
	sc->p++;
	memset(r, 0, sizeof(*r));
	if (tzif_peek(sc) == 'M') {
		sc->p++;
		if (tzif_num(sc, 12, &v) == -1 || v < 1 ||
		    tzif_peek(sc) != '.')
			return -1;
		sc->p++;
		if (tzif_num(sc, 5, &w) == -1 || w < 1 || tzif_peek(sc) != '.')
			return -1;
		sc->p++;
		if (tzif_num(sc, 6, &d) == -1)
			return -1;
		r->kind = 'M';
		r->month = (int)v;
		r->week = (int)w;
		r->day = (int)d;
	} else if (tzif_peek(sc) == 'J') {
		sc->p++;
		if (tzif_num(sc, 365, &v) == -1 || v < 1)
			return -1;
		r->kind = 'J';
		r->day = (int)v;
	} else {
		if (tzif_num(sc, 365, &v) == -1)
			return -1;
		r->kind = 'D';
		r->day = (int)v;
	}
	r->time = 2 * 3600;
	if (tzif_peek(sc) == '/') {
		sc->p++;
		if (tzif_hms(sc, 167, &r->time) == -1)
			return -1;
	}
	return 0;
}

int
tzif_footer_parse(const char *s, size_t len, struct tzif_footer *f)
{
	struct tzif_scan	 sc = { s, s + len };
	long			 off;

	memset(f, 0, sizeof(*f));
	if (tzif_name(&sc) == -1 || tzif_hms(&sc, 24, &off) == -1)
		return -1;
	f->std_off = -off;	/* POSIX counts west of Greenwich */
	f->present = 1;
	if (sc.p == sc.end)
		return 0;
	if (tzif_name(&sc) == -1)
		return -1;
	f->has_dst = 1;
	f->dst_off = f->std_off + 3600;
	if (tzif_peek(&sc) != ',' && tzif_peek(&sc) != -1) {
		if (tzif_hms(&sc, 24, &off) == -1)
			return -1;
		f->dst_off = -off;
	}
	/* a zone with DST but no rule: POSIX leaves it to the system */
	if (tzif_rule(&sc, &f->start) == -1 || tzif_rule(&sc, &f->end) == -1)
		return -1;
	return sc.p == sc.end ? 0 : -1;
}

/* --- the civil calendar ------------------------------------------------ */

/* Howard Hinnant's days_from_civil (public domain algorithm). */
long long
tzif_days_from_civil(long long y, int m, int d)
{
	long long	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
tzif_civil_from_days(long long z, long long *y, int *m, int *d)
{
	long long	era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
tzif_leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Local seconds (since 1970, local clock) of rule r's moment in year y. */
static long long
tzif_rule_local(const struct tzif_rule *r, long long y)
{
	long long	days, first;
	int		wd, mdays, d;
	static const int mlen[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	switch (r->kind) {
	case 'J':	/* 1-365, February 29 never counted */
		days = tzif_days_from_civil(y, 1, 1) + r->day - 1 +
		    (tzif_leap(y) && r->day >= 60);
		break;
	case 'D':	/* 0-365 */
		days = tzif_days_from_civil(y, 1, 1) + r->day;
		break;
	default:	/* day d of week w of month m; week 5 = the last */
		first = tzif_days_from_civil(y, r->month, 1);
		wd = (int)(((first % 7) + 7 + 4) % 7);	/* 1970-01-01: Thu */
		d = 1 + (r->day - wd + 7) % 7 + (r->week - 1) * 7;
		mdays = mlen[r->month - 1] + (r->month == 2 && tzif_leap(y));
		while (d > mdays)
			d -= 7;
		days = first + d - 1;
		break;
	}
	return days * 86400 + r->time;
}

/* The footer rule's offset at UTC instant t. */
static long
tzif_footer_offset(const struct tzif_footer *f, long long t)
{
	long long	y, start, end;
	int		m, d;

	if (!f->has_dst)
		return f->std_off;
	tzif_civil_from_days((t + f->std_off) >= 0 ? (t + f->std_off) / 86400 :
	    (t + f->std_off - 86399) / 86400, &y, &m, &d);
	/* DST starts at a standard-time moment, ends at a DST one */
	start = tzif_rule_local(&f->start, y) - f->std_off;
	end = tzif_rule_local(&f->end, y) - f->dst_off;
	if (start < end)
		return t >= start && t < end ? f->dst_off : f->std_off;
	/* southern hemisphere: DST spans the new year */
	return t >= end && t < start ? f->std_off : f->dst_off;
}

long
tzif_offset(const struct tzif *tz, long long t)
{
	size_t	lo = 0, hi = tz->n_times;

	if (tz->n_times == 0)
		return tz->footer.present ? tzif_footer_offset(&tz->footer, t) :
		    tz->first_off;
	if (t < tz->times[0])
		return tz->first_off;
	if (t >= tz->times[tz->n_times - 1] && tz->footer.present)
		return tzif_footer_offset(&tz->footer, t);
	/* the last transition at or before t */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (tz->times[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return tz->offs[tz->idx[lo]];
}

long long
tzif_local_to_utc(const struct tzif *tz, long long local)
{
	long	before, after;

	/*
	 * The offsets a day before and a day after: around a change, the
	 * one that maps back to local is the answer; both do in an overlap
	 * (the earlier instant wins), neither does in a gap.
	 */
	before = tzif_offset(tz, local - 86400);
	after = tzif_offset(tz, local + 86400);
	if (tzif_offset(tz, local - before) == before)
		return local - before;
	if (tzif_offset(tz, local - after) == after)
		return local - after;
	return local - before;
}

/* --- times as the API takes them ---------------------------------------- */

/* n digits at s into *v. 0, or -1. */
static int
tzif_digits(const char *s, int n, int *v)
{
	int	i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
tzif_parse_time(const struct tzif *tz, const char *s, long long *t)
{
	int		 y, mo, d, hh = 0, mm = 0, ss = 0, oh = 0, om = 0, sign;
	size_t		 len = strlen(s), i = 19;
	long long	 days;

	if (len < 10 || s[4] != '-' || s[7] != '-' ||
	    tzif_digits(s, 4, &y) || tzif_digits(s + 5, 2, &mo) ||
	    tzif_digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 ||
	    y < 1900 ||
	    d > (mo == 2 ? 28 + tzif_leap(y) : 30 + ((mo + (mo > 7)) & 1)))
		return -1;
	days = tzif_days_from_civil(y, mo, d);
	if (len == 10) {
		*t = tzif_local_to_utc(tz, days * 86400);
		return 0;
	}
	if (len < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    s[13] != ':' || s[16] != ':' || tzif_digits(s + 11, 2, &hh) ||
	    tzif_digits(s + 14, 2, &mm) || tzif_digits(s + 17, 2, &ss) ||
	    hh > 23 || mm > 59 || ss > 59)
		return -1;
	if (s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == 20)
			return -1;
	}
	if (i + 1 == len && (s[i] == 'Z' || s[i] == 'z'))
		sign = 0;
	else if (i + 6 == len && (s[i] == '+' || s[i] == '-') &&
	    s[i + 3] == ':' && tzif_digits(s + i + 1, 2, &oh) == 0 &&
	    tzif_digits(s + i + 4, 2, &om) == 0 && oh <= 23 && om <= 59)
		sign = s[i] == '+' ? 1 : -1;
	else
		return -1;
	*t = days * 86400 + hh * 3600 + mm * 60 + ss -
	    sign * (oh * 3600 + om * 60);
	return 0;
}
