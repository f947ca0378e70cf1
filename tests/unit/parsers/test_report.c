/*
 * test_report.c - report_set_field for every field (canonical forms and
 * every refusal), repeated and excess fields, indicator merging,
 * report_finish, and the deduplication fingerprint.
 */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "report.h"

static struct taxonomy	tax;

struct set_case {
	const char	*name;
	const char	*value;
	size_t		 vlen;		/* 0: strlen(value) */
	const char	*want;		/* stored form; NULL: refused */
	const char	*err_field;	/* when refused */
	const char	*err_reason;
};

#define OK(n, v, w)		{ n, v, 0, w, NULL, NULL }
#define BAD(n, v, f, why)	{ n, v, 0, NULL, f, why }

static const struct set_case testcases[] = {
	/* names: case-insensitive, '_' for '-' */
	OK("category", "phishing", "phishing"),
	OK("CATEGORY", "Phishing", "phishing"),
	OK("Category", " RANSOMWARE ", "ransomware"),
	BAD("category", "phish", "category", "unknown category"),
	BAD("category", "phishing!", "category", "unknown category"),
	BAD("colour", "red", "colour", "unknown field"),
	BAD("", "x", "", "unknown field"),
	BAD("categ\x01ry", "x", "categ?ry", "unknown field"),
	BAD("category\xC3\xA9", "x", "category??", "unknown field"),
	BAD("a-field-name-longer-than-anything-known", "x",
	    "a-field-name-longer-than-anythi", "unknown field"),
	/* severity */
	OK("severity", "low", "low"),
	OK("severity", "Critical", "critical"),
	BAD("severity", "urgent", "severity",
	    "must be low, medium, high or critical"),
	/* times */
	OK("detected-at", "2026-11-21T17:00:00+07:00", "2026-11-21T10:00:00Z"),
	OK("detected_at", "2026-11-21T10:00:00Z", "2026-11-21T10:00:00Z"),
	OK("occurred-at", "2026-11-21t10:00:00z", "2026-11-21T10:00:00Z"),
	OK("occurred-at", "2026-11-21 10:00:00Z", "2026-11-21T10:00:00Z"),
	OK("occurred-at", "2026-11-21T10:00:00.123456789Z",
	    "2026-11-21T10:00:00Z"),
	OK("occurred-at", "2026-11-21T10:00:00.5-00:00",
	    "2026-11-21T10:00:00Z"),
	OK("occurred-at", "2026-01-01T01:00:00+02:00", "2025-12-31T23:00:00Z"),
	OK("occurred-at", "2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00Z"),
	OK("occurred-at", "2026-03-01T00:00:00+00:01", "2026-02-28T23:59:00Z"),
	OK("occurred-at", "2024-03-01T05:00:00+07:00", "2024-02-29T22:00:00Z"),
	OK("occurred-at", "2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z"),
	OK("occurred-at", "2000-02-29T12:00:00Z", "2000-02-29T12:00:00Z"),
	OK("occurred-at", "1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),
	OK("occurred-at", "1970-01-01T00:00:00+00:30", "1969-12-31T23:30:00Z"),
	OK("occurred-at", "2026-06-30T23:59:59-23:59", "2026-07-01T23:58:59Z"),
	BAD("occurred-at", "2023-02-29T12:00:00Z", "occurred-at",
	    "day out of range for the month"),
	BAD("occurred-at", "2100-02-29T12:00:00Z", "occurred-at",
	    "day out of range for the month"),
	BAD("occurred-at", "2026-04-31T12:00:00Z", "occurred-at",
	    "day out of range for the month"),
	BAD("occurred-at", "2026-01-00T12:00:00Z", "occurred-at",
	    "day out of range for the month"),
	BAD("occurred-at", "2026-13-01T12:00:00Z", "occurred-at",
	    "month out of range"),
	BAD("occurred-at", "2026-00-01T12:00:00Z", "occurred-at",
	    "month out of range"),
	BAD("detected-at", "2026-11-21T24:00:00Z", "detected-at",
	    "time of day out of range"),
	BAD("detected-at", "2026-11-21T10:60:00Z", "detected-at",
	    "time of day out of range"),
	BAD("detected-at", "2026-12-31T23:59:60Z", "detected-at",
	    "time of day out of range"),
	BAD("detected-at", "2026-11-21T10:00:00+24:00", "detected-at",
	    "time of day out of range"),
	BAD("detected-at", "2026-11-21T10:00:00+07:60", "detected-at",
	    "time of day out of range"),
	BAD("detected-at", "1899-12-31T23:59:59Z", "detected-at",
	    "year before 1900"),
	BAD("detected-at", "1900-01-01T00:00:00+01:00", "detected-at",
	    "year out of range"),
	BAD("detected-at", "9999-12-31T23:00:00-05:00", "detected-at",
	    "year out of range"),
	BAD("detected-at", "2026-11-21T10:00:00", "detected-at",
	    "not an RFC 3339 time (YYYY-MM-DDTHH:MM:SSZ)"),
	BAD("detected-at", "2026-11-21", "detected-at",
	    "not an RFC 3339 time (YYYY-MM-DDTHH:MM:SSZ)"),
	BAD("detected-at", "2026-11-21T10:00:00.Z", "detected-at",
	    "not an RFC 3339 time (YYYY-MM-DDTHH:MM:SSZ)"),
	BAD("detected-at", "2026-11-21T10:00:00+0700", "detected-at",
	    "not an RFC 3339 time (YYYY-MM-DDTHH:MM:SSZ)"),
	BAD("detected-at", "2026-11-21T10:00Z", "detected-at",
	    "not an RFC 3339 time (YYYY-MM-DDTHH:MM:SSZ)"),
	BAD("detected-at", "2026-1-21T10:00:00Z", "detected-at",
	    "not an RFC 3339 time (YYYY-MM-DDTHH:MM:SSZ)"),
	BAD("detected-at", "2026-11-21T10:00:00ZZ", "detected-at",
	    "not an RFC 3339 time (YYYY-MM-DDTHH:MM:SSZ)"),
	BAD("detected-at", "2026-11-21X10:00:00Z", "detected-at",
	    "not an RFC 3339 time (YYYY-MM-DDTHH:MM:SSZ)"),
	BAD("detected-at", "+026-11-21T10:00:00Z", "detected-at",
	    "not an RFC 3339 time (YYYY-MM-DDTHH:MM:SSZ)"),
	/* free text */
	OK("description", "Phishing site\r\n\tcopying the bank's login",
	    "Phishing site\r\n\tcopying the bank's login"),
	OK("description", "  padded  \n", "padded"),
	OK("description", "Vie\xCC\xA3\xCC\x82t Nam", "Vi\xE1\xBB\x87t Nam"),
	OK("description", "", "(unset)"),
	OK("description", " \r\n ", "(unset)"),
	BAD("description", "bell\a", "description", "control character"),
	BAD("description", "nel\xC2\x85", "description", "control character"),
	BAD("description", "bad \xC3\x28 byte", "description", "invalid UTF-8"),
	BAD("description", "surrogate \xED\xA0\x80", "description",
	    "invalid UTF-8"),
	BAD("description", "overlong \xC0\xAF", "description", "invalid UTF-8"),
	BAD("description", "cut \xE2\x82", "description", "invalid UTF-8"),
	{ "description", "nul\0byte", 8, NULL, "description",
	    "control character" },
	OK("reporter-name", "  Nguyễn Văn A ", "Nguyễn Văn A"),
	OK("reporter_name", "Tra\xCC\x80n", "Tr\xC3\xA0n"),
	BAD("reporter-name", "two\nlines", "reporter-name",
	    "control character"),
	BAD("reporter-name", "tab\there", "reporter-name", "control character"),
	OK("organization", "Sở Thông tin và Truyền thông",
	    "Sở Thông tin và Truyền thông"),
	OK("operating-unit", "NOC", "NOC"),
	OK("affected-system", "mail.example.gov.vn (Exchange)",
	    "mail.example.gov.vn (Exchange)"),
	BAD("affected-system", "\x1b[31mred", "affected-system",
	    "control character"),
	/* reporter contact */
	OK("reporter-email", "Alice@Example.COM", "Alice@example.com"),
	OK("reporter-email", "an@bücher.example", "an@xn--bcher-kva.example"),
	BAD("reporter-email", "alice.example.com", "reporter-email",
	    "not an e-mail address (no '@')"),
	BAD("reporter-email", "alice@example", "reporter-email",
	    "domain name needs at least two labels"),
	OK("reporter-phone", "+84 (24) 3936-4789", "+84 (24) 3936-4789"),
	OK("reporter-phone", "113", "113"),
	OK("reporter-phone", "024.3936.4789", "024.3936.4789"),
	BAD("reporter-phone", "12", "reporter-phone",
	    "phone number must be 3 to 32 characters"),
	BAD("reporter-phone", "123456789012345678901234567890123",
	    "reporter-phone", "phone number must be 3 to 32 characters"),
	BAD("reporter-phone", "call 113", "reporter-phone",
	    "phone number may hold only digits, spaces and + - ( ) ."),
	BAD("reporter-phone", "+84/113", "reporter-phone",
	    "phone number may hold only digits, spaces and + - ( ) ."),
	BAD("reporter-phone", "+(1)-", "reporter-phone",
	    "phone number needs at least 3 digits"),
	/* system level, confidential, external id */
	OK("system-level", "1", "1"),
	OK("system-level", "5", "5"),
	BAD("system-level", "0", "system-level", "must be 1 to 5"),
	BAD("system-level", "6", "system-level", "must be 1 to 5"),
	BAD("system-level", "12", "system-level", "must be 1 to 5"),
	BAD("system-level", "three", "system-level", "must be 1 to 5"),
	OK("confidential", "yes", "yes"),
	OK("confidential", "No", "no"),
	OK("confidential", "TRUE", "yes"),
	OK("confidential", "false", "no"),
	OK("confidential", "1", "yes"),
	OK("confidential", "0", "no"),
	BAD("confidential", "maybe", "confidential", "must be yes or no"),
	BAD("confidential", "y", "confidential", "must be yes or no"),
	OK("external-id", "TICKET-2026/0042#a", "TICKET-2026/0042#a"),
	OK("external_id", " abc ", "abc"),
	BAD("external-id", "two words", "external-id",
	    "must be printable ASCII without spaces"),
	BAD("external-id", "\xC3\xA9t\xC3\xA9", "external-id",
	    "must be printable ASCII without spaces"),
	/* indicators: read back as "type:value" of the last one */
	OK("source-ip", "192.0.2.1", "ipv4:192.0.2.1"),
	OK("source_ip", "2001:DB8:0:0:0:0:0:1", "ipv6:2001:db8::1"),
	OK("target-ip", "[::ffff:192.0.2.1]", "ipv6:::ffff:192.0.2.1"),
	OK("target-ip", "198.51.100[.]7", "ipv4:198.51.100.7"),
	BAD("source-ip", "999.1.1.1", "source-ip", "IPv4 octet above 255"),
	BAD("source-ip", "010.1.1.1", "source-ip",
	    "leading zero in IPv4 address (octal is ambiguous)"),
	BAD("source-ip", "example.com", "source-ip",
	    "not an IPv4 or IPv6 address"),
	BAD("target-ip", "1:2", "target-ip", "not an IPv4 or IPv6 address"),
	OK("domain", "Example.COM.", "domain:example.com"),
	OK("domain", "bücher.example", "domain:xn--bcher-kva.example"),
	BAD("domain", "192.0.2.1", "domain",
	    "an IP address is not a domain name"),
	OK("url", "hxxps://evil[.]example/x", "url:https://evil.example/x"),
	BAD("url", "mailto:a@example.com", "url",
	    "URL scheme must be http, https or ftp"),
	OK("email", "Phish@Evil.Example", "email:Phish@evil.example"),
	BAD("email", "nobody", "email", "not an e-mail address (no '@')"),
	OK("hash", "D41D8CD98F00B204E9800998ECF8427E",
	    "md5:d41d8cd98f00b204e9800998ecf8427e"),
	OK("hash", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
	    "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709"),
	OK("hash",
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
	BAD("hash", "d41d8cd98f00b204e9800998ecf8427", "hash",
	    "a hash is 32, 40 or 64 hex digits (MD5, SHA-1, SHA-256)"),
	BAD("hash", "z41d8cd98f00b204e9800998ecf8427e", "hash",
	    "hash is not hexadecimal"),
	OK("cve", "cve-2021-44228", "cve:CVE-2021-44228"),
	BAD("cve", "CVE-21-44228", "cve", "not a CVE ID (CVE-YYYY-NNNN)"),
	OK("url", "", "(none)"),
};

/* The stored form of one field, as text, for comparison. */
static const char *
shown(const struct report *r, const char *name, char *buf, size_t len)
{
	const struct indicator	*ind;
	char			 key[64];
	size_t			 i;

	for (i = 0; name[i] != '\0' && i + 1 < sizeof(key); i++)
		key[i] = name[i] == '_' ? '-' : (name[i] | 0x20);
	key[i] = '\0';
#define S(n, m) if (strcmp(key, n) == 0) return r->m ? r->m : "(unset)"
	S("description", description);
	S("detected-at", detected_at);
	S("occurred-at", occurred_at);
	S("reporter-name", reporter_name);
	S("reporter-email", reporter_email);
	S("reporter-phone", reporter_phone);
	S("organization", organization);
	S("operating-unit", operating_unit);
	S("affected-system", affected_system);
	S("external-id", external_id);
#undef S
	if (strcmp(key, "category") == 0)
		return r->category ? r->category->code : "(unset)";
	if (strcmp(key, "severity") == 0)
		return severity_name(r->severity);
	if (strcmp(key, "system-level") == 0) {
		snprintf(buf, len, "%d", r->system_level);
		return buf;
	}
	if (strcmp(key, "confidential") == 0)
		return r->confidential == 1 ? "yes" : r->confidential == 0 ?
		    "no" : "(unset)";
	if (r->n_indicators == 0)
		return "(none)";
	ind = &r->indicators[r->n_indicators - 1];
	snprintf(buf, len, "%s:%s", ind_type_name(ind->type), ind->value);
	return buf;
}

static void
test_set_field(void)
{
	struct report_limits	 lim;
	struct report		 r;
	struct report_error	 err;
	char			 buf[256];
	size_t			 i, vlen;
	int			 rc;

	report_limits_default(&lim);
	for (i = 0; i < sizeof(testcases) / sizeof(testcases[0]); i++) {
		const struct set_case *c = &testcases[i];

		report_init(&r);
		memset(&err, 0, sizeof(err));
		vlen = c->vlen ? c->vlen : strlen(c->value);
		rc = report_set_field(&r, &tax, &lim, c->name,
		    strlen(c->name), c->value, vlen, &err);
		if ((rc == 0) != (c->want != NULL))
			printf("case %zu %s=%s: rc %d (%s: %s)\n", i, c->name,
			    c->value, rc, err.field, err.reason);
		if (c->want != NULL) {
			CHECK(rc == 0);
			CHECK_STR(shown(&r, c->name, buf, sizeof(buf)),
			    c->want);
			CHECK(r.n_fields == 1);
		} else {
			CHECK(rc == -1);
			CHECK_STR(err.field, c->err_field);
			CHECK_STR(err.reason, c->err_reason);
			CHECK(r.n_fields == 0 && r.n_indicators == 0);
		}
		report_free(&r);
	}
}

static void
test_lengths(void)
{
	struct report_limits	 lim;
	struct report		 r;
	struct report_error	 err;
	char			*big;
	const char		*why;
	char			*out;

	report_limits_default(&lim);
	CHECK(lim.field_max == 2048 && lim.description_max == 65536);
	CHECK(lim.fields_max == 128 && lim.indicators_max == 256);
	big = malloc(70000);
	memset(big, 'a', 70000);
	report_init(&r);
	CHECK(report_set_field(&r, &tax, &lim, "description", 11, big, 65536,
	    &err) == 0);
	CHECK(r.description != NULL && strlen(r.description) == 65536);
	report_free(&r);
	CHECK(report_set_field(&r, &tax, &lim, "description", 11, big, 65537,
	    &err) == -1);
	CHECK_STR(err.reason, "too long (max 65536 bytes)");
	CHECK(report_set_field(&r, &tax, &lim, "reporter-name", 13, big,
	    2048, &err) == 0);
	CHECK(report_set_field(&r, &tax, &lim, "organization", 12, big,
	    2049, &err) == -1);
	CHECK_STR(err.field, "organization");
	CHECK_STR(err.reason, "too long (max 2048 bytes)");
	report_free(&r);
	/* NFC may grow a value past its bound: U+0958 has a 6-byte NFC */
	lim.field_max = 5;
	CHECK(report_set_field(&r, &tax, &lim, "organization", 12,
	    "\xE0\xA5\x98", 3, &err) == -1);
	CHECK_STR(err.reason, "too long (max 5 bytes)");
	lim.field_max = 6;
	CHECK(report_set_field(&r, &tax, &lim, "organization", 12,
	    "\xE0\xA5\x98", 3, &err) == 0);
	CHECK_STR(r.organization, "\xE0\xA4\x95\xE0\xA4\xBC");
	report_free(&r);
	CHECK(report_set_field(&r, &tax, &lim, "organization", 12,
	    "\xE1\xBA\xA1\xE1\xBA", 5, &err) == -1);
	CHECK_STR(err.reason, "invalid UTF-8");
	/* a URL that grows past field_max when normalised ("/" added) */
	lim.field_max = 22;
	CHECK(report_set_field(&r, &tax, &lim, "url", 3,
	    "http://a.example.co.uk", 22, &err) == -1);
	CHECK_STR(err.field, "url");
	CHECK_STR(err.reason, "too long (max 22 bytes)");
	CHECK(r.n_indicators == 0);
	report_free(&r);
	/* external-id has its own bound */
	report_limits_default(&lim);
	CHECK(report_set_field(&r, &tax, &lim, "external-id", 11, big, 128,
	    &err) == 0);
	report_free(&r);
	CHECK(report_set_field(&r, &tax, &lim, "external-id", 11, big, 129,
	    &err) == -1);
	CHECK_STR(err.reason, "too long (max 128 bytes)");
	/* report_add_indicator checks the raw length too */
	CHECK(report_add_indicator(&r, &lim, IND_URL, big, 3000, &err) == -1);
	CHECK_STR(err.field, "url");
	CHECK_STR(err.reason, "too long (max 2048 bytes)");
	/* NULL limits mean the defaults */
	CHECK(report_set_field(&r, &tax, NULL, "reporter-name", 13, big, 2049,
	    &err) == -1);
	CHECK(report_set_field(&r, &tax, NULL, "reporter-name", 13, big, 2048,
	    NULL) == 0);
	CHECK(report_set_field(&r, &tax, NULL, "reporter-name", 13, "x", 1,
	    NULL) == -1);
	report_free(&r);
	free(big);
	/* the same helper is usable alone */
	CHECK(indicator_normalise(IND_SHA1, "x", 1, &out, &why) == -1);
}

static void
test_repeats(void)
{
	static const char *const once[][2] = {
		{ "category", "phishing" }, { "severity", "high" },
		{ "description", "d" }, { "detected-at", "2026-11-21T10:00:00Z" },
		{ "occurred-at", "2026-11-21T10:00:00Z" },
		{ "reporter-name", "n" }, { "reporter-email", "a@example.com" },
		{ "reporter-phone", "113" }, { "organization", "o" },
		{ "operating-unit", "u" }, { "affected-system", "s" },
		{ "system-level", "3" }, { "confidential", "no" },
		{ "external-id", "e" },
	};
	struct report		r;
	struct report_error	err;
	size_t			i;

	report_init(&r);
	for (i = 0; i < sizeof(once) / sizeof(once[0]); i++)
		CHECK(report_set_field(&r, &tax, NULL, once[i][0],
		    strlen(once[i][0]), once[i][1], strlen(once[i][1]),
		    &err) == 0);
	CHECK(r.n_fields == i);
	for (i = 0; i < sizeof(once) / sizeof(once[0]); i++) {
		memset(&err, 0, sizeof(err));
		CHECK(report_set_field(&r, &tax, NULL, once[i][0],
		    strlen(once[i][0]), "other", 5, &err) == -1);
		CHECK_STR(err.field, once[i][0]);
		CHECK_STR(err.reason, "given twice");
		/* an empty value is no repetition */
		CHECK(report_set_field(&r, &tax, NULL, once[i][0],
		    strlen(once[i][0]), "", 0, &err) == 0);
	}
	CHECK_STR(r.category->code, "phishing");
	CHECK(r.severity == SEV_HIGH && r.system_level == 3);
	CHECK(r.confidential == 0);
	CHECK_STR(r.reporter_name, "n");
	/* repeatable fields repeat; duplicates are merged */
	CHECK(report_set_field(&r, &tax, NULL, "domain", 6, "a.example", 9,
	    &err) == 0);
	CHECK(report_set_field(&r, &tax, NULL, "domain", 6, "b.example", 9,
	    &err) == 0);
	CHECK(report_set_field(&r, &tax, NULL, "domain", 6, "A.EXAMPLE.", 10,
	    &err) == 0);
	CHECK(report_set_field(&r, &tax, NULL, "url", 3, "hxxp://a[.]example",
	    18, &err) == 0);
	CHECK(report_set_field(&r, &tax, NULL, "url", 3, "http://a.example/",
	    17, &err) == 0);
	CHECK(r.n_indicators == 3);
	CHECK_STR(r.indicators[0].value, "a.example");
	CHECK_STR(r.indicators[1].value, "b.example");
	CHECK_STR(r.indicators[2].value, "http://a.example/");
	/* source-ip and target-ip both give ipv4: one indicator */
	CHECK(report_set_field(&r, &tax, NULL, "source-ip", 9, "192.0.2.1", 9,
	    &err) == 0);
	CHECK(report_set_field(&r, &tax, NULL, "target-ip", 9, "192.0.2.1", 9,
	    &err) == 0);
	CHECK(r.n_indicators == 4);
	/* the same text under two types is two indicators */
	CHECK(report_set_field(&r, &tax, NULL, "email", 5, "a@a.example", 11,
	    &err) == 0);
	CHECK(report_set_field(&r, &tax, NULL, "reporter-email", 14,
	    "a@a.example", 11, &err) == -1);	/* given twice */
	CHECK(report_add_indicator(&r, NULL, IND_DOMAIN, "a.example", 9,
	    &err) == 0);
	CHECK(report_add_indicator(&r, NULL, IND_URL, "http://a.example/", 17,
	    &err) == 0);
	CHECK(r.n_indicators == 5);
	CHECK(report_add_indicator(&r, NULL, IND_MD5, "a.example", 9,
	    &err) == -1);
	CHECK_STR(err.field, "md5");
	CHECK_STR(err.reason, "an MD5 hash is 32 hex digits");
	CHECK(r.n_indicators == 5);
	report_free(&r);
	CHECK(r.n_indicators == 0 && r.indicators == NULL);
	CHECK(r.description == NULL && r.category == NULL);
	CHECK(r.confidential == -1 && r.severity == SEV_UNSET);
}

static void
test_bounds(void)
{
	struct report_limits	lim;
	struct report		r;
	struct report_error	err;
	char			ip[32];
	int			i;

	report_limits_default(&lim);
	lim.fields_max = 3;
	report_init(&r);
	CHECK(report_set_field(&r, &tax, &lim, "category", 8, "spam", 4,
	    &err) == 0);
	CHECK(report_set_field(&r, &tax, &lim, "domain", 6, "a.example", 9,
	    &err) == 0);
	CHECK(report_set_field(&r, &tax, &lim, "description", 11, "", 0,
	    &err) == 0);
	CHECK(report_set_field(&r, &tax, &lim, "domain", 6, "b.example", 9,
	    &err) == -1);
	CHECK_STR(err.field, "domain");
	CHECK_STR(err.reason, "too many fields (max 3)");
	CHECK(r.n_fields == 3 && r.n_indicators == 1);
	report_free(&r);

	report_limits_default(&lim);
	lim.indicators_max = 20;
	for (i = 0; i < 20; i++) {
		snprintf(ip, sizeof(ip), "10.0.0.%d", i);
		CHECK(report_set_field(&r, &tax, &lim, "source-ip", 9, ip,
		    strlen(ip), &err) == 0);
	}
	/* a duplicate of one already there still merges at the limit */
	CHECK(report_set_field(&r, &tax, &lim, "source-ip", 9, "10.0.0.3", 8,
	    &err) == 0);
	CHECK(report_set_field(&r, &tax, &lim, "source-ip", 9, "10.0.0.99", 9,
	    &err) == -1);
	CHECK_STR(err.field, "source-ip");
	CHECK_STR(err.reason, "too many indicators (max 20)");
	CHECK(r.n_indicators == 20);
	CHECK(r.cap_indicators >= 20);
	report_free(&r);
}

static void
test_finish(void)
{
	struct report		r;
	struct report_error	err;

	report_init(&r);
	CHECK(report_finish(&r, &err) == -1);
	CHECK_STR(err.field, "category");
	CHECK_STR(err.reason, "required");
	report_set_field(&r, &tax, NULL, "category", 8, "ransomware", 10, &err);
	CHECK(report_finish(&r, &err) == -1);
	CHECK_STR(err.field, "description");
	CHECK_STR(err.reason, "required when no indicator is given");
	report_set_field(&r, &tax, NULL, "description", 11, "encrypted", 9,
	    &err);
	CHECK(report_finish(&r, &err) == 0);
	CHECK(r.severity == SEV_CRITICAL);
	report_free(&r);

	report_set_field(&r, &tax, NULL, "category", 8, "phishing", 8, &err);
	report_set_field(&r, &tax, NULL, "url", 3, "http://x.example/", 17,
	    &err);
	CHECK(report_finish(&r, &err) == 0);
	CHECK(r.severity == SEV_MEDIUM);
	report_free(&r);

	report_set_field(&r, &tax, NULL, "category", 8, "phishing", 8, &err);
	report_set_field(&r, &tax, NULL, "severity", 8, "low", 3, &err);
	report_set_field(&r, &tax, NULL, "cve", 3, "CVE-2024-3094", 13, &err);
	CHECK(report_finish(&r, &err) == 0);
	CHECK(r.severity == SEV_LOW);
	report_free(&r);
	CHECK(report_finish(&r, NULL) == -1);
}

/* Build a report from name=value pairs (NULL-terminated). */
static void
build(struct report *r, const char *const *kv)
{
	struct report_error	err;

	report_init(r);
	for (; kv[0] != NULL; kv += 2)
		if (report_set_field(r, &tax, NULL, kv[0], strlen(kv[0]),
		    kv[1], strlen(kv[1]), &err) == -1)
			printf("build: %s: %s\n", err.field, err.reason);
}

static int
same_fp(const char *const *a, const char *const *b)
{
	struct report	ra, rb;
	unsigned char	fa[32], fb[32];

	build(&ra, a);
	build(&rb, b);
	report_fingerprint(&ra, fa);
	report_fingerprint(&rb, fb);
	report_free(&ra);
	report_free(&rb);
	return memcmp(fa, fb, 32) == 0;
}

static void
test_fingerprint(void)
{
	static const char *const a[] = { "category", "phishing",
	    "url", "http://a.example/", "source-ip", "192.0.2.1",
	    "domain", "a.example", "description", "one", NULL };
	static const char *const a_perm[] = { "domain", "A.Example",
	    "source-ip", "192.0.2.1", "category", "PHISHING",
	    "url", "hxxp://a[.]example", "description", "two", NULL };
	static const char *const a_dup[] = { "category", "phishing",
	    "domain", "a.example", "url", "http://a.example/",
	    "domain", "a.example.", "source-ip", "192.0.2.1", NULL };
	static const char *const a_cat[] = { "category", "malware",
	    "url", "http://a.example/", "source-ip", "192.0.2.1",
	    "domain", "a.example", NULL };
	static const char *const a_more[] = { "category", "phishing",
	    "url", "http://a.example/", "source-ip", "192.0.2.1",
	    "domain", "a.example", "domain", "b.example", NULL };
	static const char *const d1[] = { "category", "fraud",
	    "description", "  Scam  CALL from\r\n\t+84 123 ", NULL };
	static const char *const d2[] = { "category", "fraud",
	    "description", "scam call FROM +84 123", NULL };
	static const char *const d3[] = { "category", "fraud",
	    "description", "scam call from +84 1234", NULL };
	static const char *const v1[] = { "category", "fraud",
	    "description", "LỪA ĐẢO\xC2\xA0QUA  ĐIỆN THOẠI", NULL };
	static const char *const v2[] = { "category", "fraud",
	    "description", "lừa đảo qua điện thoại", NULL };
	static const char *const v3[] = { "category", "fraud",
	    "description", "lua dao qua dien thoai", NULL };
	static const char *const v4[] = { "category", "fraud",
	    "description", "STRASSE", NULL };
	static const char *const v5[] = { "category", "fraud",
	    "description", "straße", NULL };
	static const char *const e1[] = { "category", "fraud", NULL };
	static const char *const e2[] = { "category", "spam", NULL };
	/* a description as text and as the same bytes in an indicator */
	static const char *const x1[] = { "category", "fraud",
	    "description", "x", NULL };
	static const char *const x2[] = { "category", "fraud",
	    "domain", "x.example", NULL };
	struct report	r;
	unsigned char	fp[32], fp2[32], zero[32] = { 0 };

	CHECK(same_fp(a, a_perm));
	CHECK(same_fp(a, a_dup));
	CHECK(!same_fp(a, a_cat));
	CHECK(!same_fp(a, a_more));
	CHECK(same_fp(d1, d2));
	CHECK(!same_fp(d1, d3));
	CHECK(same_fp(v1, v2));
	CHECK(!same_fp(v2, v3));
	CHECK(same_fp(v4, v5));
	CHECK(!same_fp(e1, e2));
	CHECK(!same_fp(x1, x2));
	CHECK(!same_fp(x1, e1));

	/* the sort is in place, by type then value */
	build(&r, a_perm);
	report_fingerprint(&r, fp);
	CHECK(r.n_indicators == 3);
	CHECK(r.indicators[0].type == IND_IPV4);
	CHECK(r.indicators[1].type == IND_DOMAIN);
	CHECK(r.indicators[2].type == IND_URL);
	CHECK(memcmp(fp, zero, 32) != 0);
	report_fingerprint(&r, fp2);
	CHECK(memcmp(fp, fp2, 32) == 0);
	report_free(&r);
}

/*
 * The digest itself, against a value computed independently:
 * printf 'phishing\nd:hello world' | sha256sum
 */
static void
test_fingerprint_value(void)
{
	static const char *const kv[] = { "category", "phishing",
	    "description", "  Hello\t\tWORLD\n", NULL };
	static const unsigned char want[32] = {
		0xe5, 0x29, 0xd7, 0x2b, 0xe1, 0x53, 0xeb, 0xd6,
		0x71, 0x04, 0xcb, 0x7a, 0x11, 0x02, 0x53, 0x5a,
		0x29, 0xe3, 0xdb, 0xe2, 0x3e, 0xce, 0x57, 0xbf,
		0x21, 0x49, 0xc1, 0x57, 0x74, 0x5d, 0x9c, 0xb8,
	};
	struct report	r;
	unsigned char	fp[32];

	build(&r, kv);
	report_fingerprint(&r, fp);
	CHECK(memcmp(fp, want, 32) == 0);
	report_free(&r);
}

int
main(void)
{
	char	err[128];

	if (taxonomy_parse(&tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == -1) {
		printf("FAIL taxonomy: %s\n", err);
		return 1;
	}
	test_set_field();
	test_lengths();
	test_repeats();
	test_bounds();
	test_finish();
	test_fingerprint();
	test_fingerprint_value();
	taxonomy_free(&tax);
	return t_done();
}
