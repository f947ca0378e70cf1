/*
 * test_tzif.c - zoneinfo files and local time (tzif.h), against the C
 * library as the oracle: for real zones (the machine's zoneinfo files)
 * and for footer rules alone (POSIX TZ strings, as slim files rely on),
 * the offset of instants across decades and the UTC instant of local
 * midnights must be what localtime_r() and mktime() say. Also: the civil
 * calendar, the API's time parser, and files that are not zoneinfo.
 * Zones whose file is missing are skipped with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tzif.h"
#include "t.h"

#define ZONEINFO	"/usr/share/zoneinfo"

static const char *const zones[] = {
	"Asia/Ho_Chi_Minh", "Europe/Paris", "America/New_York",
	"Australia/Sydney", "America/Sao_Paulo", "Asia/Kolkata",
	"Pacific/Chatham", "Africa/Casablanca", "UTC",
};

/* The whole file at path (caller frees), or NULL. */
static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE		*fp = fopen(path, "rb");
	unsigned char	*buf;
	long		 n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc(n > 0 ? n : 1);
	if (buf == NULL || fread(buf, 1, n, fp) != (size_t)n) {
		free(buf);
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	*len = n;
	return buf;
}

/* Set the C library's zone (TZ may be a path-less name or a rule). */
static void
libc_zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* Compare offsets at many instants, 1970 to 2060, with localtime_r. */
static int
compare_offsets(const struct tzif *tz, const char *name)
{
	struct tm	tm;
	long long	t;
	time_t		tt;
	int		bad = 0;

	for (t = 0; t < 2840140800LL && bad < 3; t += 86400 * 7 + 3607) {
		tt = (time_t)t;
		localtime_r(&tt, &tm);
		if (tzif_offset(tz, t) != tm.tm_gmtoff) {
			printf("FAIL %s: offset at %lld is %ld, libc says "
			    "%ld\n", name, t, tzif_offset(tz, t),
			    (long)tm.tm_gmtoff);
			bad++;
		}
	}
	return bad;
}

/* Local midnights of the first of each month 2000-2050 to UTC, vs mktime. */
static int
compare_midnights(const struct tzif *tz, const char *name)
{
	struct tm	tm;
	long long	y, got;
	time_t		want;
	int		m, bad = 0;

	for (y = 2000; y <= 2050 && bad < 3; y++)
		for (m = 1; m <= 12 && bad < 3; m++) {
			memset(&tm, 0, sizeof(tm));
			tm.tm_year = (int)y - 1900;
			tm.tm_mon = m - 1;
			tm.tm_mday = 1;
			tm.tm_isdst = -1;
			want = mktime(&tm);
			got = tzif_local_to_utc(tz,
			    tzif_days_from_civil(y, m, 1) * 86400);
			if (got != want) {
				printf("FAIL %s: %lld-%02d-01 00:00 is %lld, "
				    "libc says %lld\n", name, y, m, got,
				    (long long)want);
				bad++;
			}
		}
	return bad;
}

static void
test_real_zones(void)
{
	struct tzif	 tz;
	unsigned char	*buf;
	char		 path[256], err[128];
	size_t		 i, len;

	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", ZONEINFO, zones[i]);
		if ((buf = slurp(path, &len)) == NULL) {
			T_SKIP("%s: no zoneinfo file (tzdata not installed)",
			    path);
			continue;
		}
		CHECK(tzif_parse(&tz, buf, len, err, sizeof(err)) == 0);
		libc_zone(zones[i]);
		CHECK(compare_offsets(&tz, zones[i]) == 0);
		CHECK(compare_midnights(&tz, zones[i]) == 0);
		tzif_free(&tz);
		free(buf);
	}
}

/* A version 2 file with no transition, one type, and a footer rule. */
static size_t
make_slim(unsigned char *out, const char *footer, long off)
{
	unsigned char	*p = out;
	size_t		 n;
	int		 v;

	for (v = 0; v < 2; v++) {
		memset(p, 0, 44);
		memcpy(p, "TZif2", 5);
		p[39] = 1;		/* typecnt */
		p[43] = 4;		/* charcnt */
		p += 44;
		p[0] = (unsigned char)(off >> 24);
		p[1] = (unsigned char)(off >> 16);
		p[2] = (unsigned char)(off >> 8);
		p[3] = (unsigned char)off;
		p[4] = 0;
		p[5] = 0;
		memcpy(p + 6, "STD", 4);
		p += 10;
	}
	n = strlen(footer);
	*p++ = '\n';
	memcpy(p, footer, n);
	p += n;
	*p++ = '\n';
	return p - out;
}

static void
test_footer_rules(void)
{
	static const struct {
		const char	*rule;
		long		 std;
	} rules[] = {
		{ "CET-1CEST,M3.5.0,M10.5.0/3", 3600 },
		{ "EST5EDT,M3.2.0,M11.1.0", -5 * 3600 },
		{ "AEST-10AEDT,M10.1.0,M4.1.0/3", 10 * 3600 },
		{ "<+07>-7", 7 * 3600 },
		{ "IST-5:30", 5 * 3600 + 1800 },
		{ "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45",
		    12 * 3600 + 45 * 60 },
		{ "NZST-12NZDT,J60,J300", 12 * 3600 },
		{ "XST3XDT,100/1,280/-1", -3 * 3600 },
	};
	unsigned char	buf[512];
	struct tzif	tz;
	char		err[128];
	size_t		i, len;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		len = make_slim(buf, rules[i].rule, rules[i].std);
		if (tzif_parse(&tz, buf, len, err, sizeof(err)) != 0) {
			printf("FAIL rule %s: %s\n", rules[i].rule, err);
			CHECK(0);
			continue;
		}
		CHECK(tz.footer.present);
		libc_zone(rules[i].rule);
		CHECK(compare_offsets(&tz, rules[i].rule) == 0);
		CHECK(compare_midnights(&tz, rules[i].rule) == 0);
		tzif_free(&tz);
	}
}

static void
test_bad_files(void)
{
	unsigned char	buf[512];
	struct tzif	tz;
	char		err[128];
	size_t		len, cut;

	CHECK(tzif_parse(&tz, (const unsigned char *)"TZi", 3, err,
	    sizeof(err)) == -1);
	CHECK(tzif_parse(&tz, (const unsigned char *)"not a zoneinfo file"
	    " at all, no, not at all, really not at all", 60, err,
	    sizeof(err)) == -1);
	len = make_slim(buf, "CET-1CEST,M3.5.0,M10.5.0/3", 3600);
	/* every truncation is refused or parses; none reads past the end */
	for (cut = 0; cut < len; cut++) {
		if (tzif_parse(&tz, buf, cut, err, sizeof(err)) == 0)
			tzif_free(&tz);
	}
	CHECK(1);
	/* a bad footer */
	len = make_slim(buf, "CET-1CEST,M13.5.0,M10.5.0", 3600);
	CHECK(tzif_parse(&tz, buf, len, err, sizeof(err)) == -1);
	/* an absurd transition count */
	len = make_slim(buf, "UTC0", 0);
	buf[32] = 0x7f;
	CHECK(tzif_parse(&tz, buf, len, err, sizeof(err)) == -1);
}

static void
test_civil_and_times(void)
{
	struct tzif	tz7, utc;
	long long	y, t;
	int		m, d;

	CHECK(tzif_days_from_civil(1970, 1, 1) == 0);
	CHECK(tzif_days_from_civil(2000, 3, 1) == 11017);
	CHECK(tzif_days_from_civil(1969, 12, 31) == -1);
	tzif_civil_from_days(20423, &y, &m, &d);	/* 2025-12-01 */
	CHECK(y == 2025 && m == 12 && d == 1);
	for (t = -800000; t < 800000; t += 997) {
		tzif_civil_from_days(t, &y, &m, &d);
		if (tzif_days_from_civil(y, m, d) != t) {
			CHECK(0);
			break;
		}
	}
	tzif_fixed(&tz7, 7 * 3600);
	tzif_fixed(&utc, 0);
	CHECK(tzif_parse_time(&utc, "2026-11-21T17:00:00Z", &t) == 0 &&
	    t == 1795280400);
	CHECK(tzif_parse_time(&utc, "2026-11-21T17:00:00.25+07:00", &t) ==
	    0 && t == 1795280400 - 7 * 3600);
	CHECK(tzif_parse_time(&tz7, "2026-11-22", &t) == 0 &&
	    t == 1795280400);	/* local midnight, 17:00 UTC the day before */
	CHECK(tzif_parse_time(&utc, "2026-02-29", &t) == -1);
	CHECK(tzif_parse_time(&utc, "2024-02-29", &t) == 0);
	CHECK(tzif_parse_time(&utc, "2026-11-21T24:00:00Z", &t) == -1);
	CHECK(tzif_parse_time(&utc, "2026-11-21T17:00:00", &t) == -1);
	CHECK(tzif_parse_time(&utc, "2026-11-21T17:00:00+7:00", &t) == -1);
	CHECK(tzif_parse_time(&utc, "1800-01-01", &t) == -1);
	CHECK(tzif_parse_time(&utc, "yesterday", &t) == -1);
	CHECK(tzif_parse_time(&utc, "", &t) == -1);
}

int
main(void)
{
	test_real_zones();
	test_footer_rules();
	test_bad_files();
	test_civil_and_times();
	return t_done();
}
