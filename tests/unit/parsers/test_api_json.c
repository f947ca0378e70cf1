/*
 * test_api_json.c - the partner API's JSON submission: every field and
 * the JSON types each takes, the same report as an ILP REPORT line giving
 * the same fingerprint, and every kind of refusal with the field it names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "t_report.h"
#include "api_json.h"
#include "ilp.h"

static struct taxonomy	tax;

static int
parse(const char *json, struct report *r, struct api_json_error *err)
{
	return api_json_to_report(json, strlen(json), &tax, NULL, NULL, r,
	    err);
}

static void
test_every_field(void)
{
	static const char json[] = "{"
	    "\"category\": \"phishing\", \"severity\": \"high\","
	    "\"description\": \"Trang gi\\u1ea3 m\\u1ea1o\\r\\nd\\u00f2ng 2\","
	    "\"detected_at\": \"2026-11-21T17:05:00+07:00\","
	    "\"occurred_at\": \"2026-11-21T09:00:00Z\","
	    "\"reporter_name\": \"Nguyễn Văn A\","
	    "\"reporter_email\": \"A@Example.COM\","
	    "\"reporter_phone\": \"+84 912 345 678\","
	    "\"organization\": \"Công ty X\", \"operating_unit\": \"IT\","
	    "\"affected_system\": \"portal\", \"system_level\": 4,"
	    "\"confidential\": true,"
	    "\"source_ip\": [\"203.0.113.5\", \"2001:DB8::1\"],"
	    "\"target_ip\": \"198.51.100.7\","
	    "\"domain\": [\"Evil.Example.VN.\"],"
	    "\"url\": \"hxxps://evil[.]example/login\","
	    "\"email\": [], \"hash\": [\"D41D8CD98F00B204E9800998ECF8427E\"],"
	    "\"cve\": \"cve-2021-44228\", \"external_id\": \"T-1\""
	    "}";
	struct report		r;
	struct api_json_error	err;

	CHECK(parse(json, &r, &err) == 0);
	if (err.code != API_JSON_OK)
		printf("error %s: %s\n", err.field, err.reason);
	CHECK(err.code == API_JSON_OK);
	CHECK(r.category != NULL && strcmp(r.category->code,
	    "phishing") == 0);
	CHECK(r.severity == SEV_HIGH);
	CHECK_STR(r.description, "Trang giả mạo\r\ndòng 2");
	CHECK_STR(r.detected_at, "2026-11-21T10:05:00Z");
	CHECK_STR(r.occurred_at, "2026-11-21T09:00:00Z");
	CHECK_STR(r.reporter_name, "Nguyễn Văn A");
	CHECK_STR(r.reporter_email, "A@example.com");
	CHECK_STR(r.reporter_phone, "+84 912 345 678");
	CHECK_STR(r.organization, "Công ty X");
	CHECK_STR(r.operating_unit, "IT");
	CHECK_STR(r.affected_system, "portal");
	CHECK(r.system_level == 4);
	CHECK(r.confidential == 1);
	CHECK_STR(r.external_id, "T-1");
	CHECK(has_ind(&r, IND_IPV4, "203.0.113.5"));
	CHECK(has_ind(&r, IND_IPV6, "2001:db8::1"));
	CHECK(has_ind(&r, IND_IPV4, "198.51.100.7"));
	CHECK(has_ind(&r, IND_DOMAIN, "evil.example.vn"));
	CHECK(has_ind(&r, IND_URL, "https://evil.example/login"));
	CHECK(has_ind(&r, IND_MD5, "d41d8cd98f00b204e9800998ecf8427e"));
	CHECK(has_ind(&r, IND_CVE, "CVE-2021-44228"));
	CHECK(r.n_indicators == 7);
	report_free(&r);

	/* the other spellings: strings for level and flag, null = absent */
	CHECK(parse("{\"category\":\"spam\",\"url\":\"http://a.vn/\","
	    "\"system_level\":\"2\",\"confidential\":\"no\","
	    "\"severity\":null,\"hash\":null}", &r, &err) == 0);
	CHECK(r.system_level == 2 && r.confidential == 0);
	CHECK(r.severity == SEV_LOW);	/* spam's default */
	report_free(&r);
	CHECK(parse("{\"category\":\"spam\",\"url\":\"http://a.vn/\","
	    "\"confidential\":false}", &r, &err) == 0);
	CHECK(r.confidential == 0);
	report_free(&r);
	/* NFD in, NFC out */
	CHECK(parse("{\"category\":\"fraud\",\"description\":"
	    "\"Lu\\u031b\\u0300a \\u0111a\\u0309o\"}", &r, &err) == 0);
	CHECK_STR(r.description, "Lừa đảo");
	report_free(&r);
	/* err may be NULL */
	CHECK(parse("{", &r, NULL) == -1);
	report_free(&r);
}

struct pair {
	const char	*ilp;
	const char	*json;
};

/* The same report both ways: same fields, same fingerprint. */
static const struct pair pairs[] = {
	{ "category=phishing url=hxxps://evil%5B.%5Dexample/x",
	    "{\"category\":\"phishing\",\"url\":"
	    "\"hxxps://evil[.]example/x\"}" },
	{ "category=spam source-ip=192.0.2.1 source-ip=2001:db8::1 "
	    "domain=A.Example",
	    "{\"domain\":\"a.example\",\"source_ip\":[\"2001:DB8::1\","
	    "\"192.0.2.1\"],\"category\":\"spam\"}" },
	{ "category=fraud description=L%E1%BB%ABa%20%C4%91%E1%BA%A3o%20"
	    "qua%0D%0A%20%20Zalo",
	    "{\"category\":\"fraud\",\"description\":"
	    "\"Lu\\u031b\\u0300a \\u0111a\\u0309o qua\\r\\n  Zalo\"}" },
	{ "category=ransomware severity=critical system-level=5 "
	    "confidential=yes detected-at=2026-11-21T17:00:00%2B07:00 "
	    "hash=D41D8CD98F00B204E9800998ECF8427E cve=cve-2021-44228 "
	    "email=x@Example.com reporter-email=soc@example.vn "
	    "external-id=T-9 description=encrypted",
	    "{\"category\":\"ransomware\",\"severity\":\"critical\","
	    "\"system_level\":5,\"confidential\":true,"
	    "\"detected_at\":\"2026-11-21T10:00:00Z\","
	    "\"hash\":\"d41d8cd98f00b204e9800998ecf8427e\","
	    "\"cve\":[\"CVE-2021-44228\"],\"email\":[\"x@example.com\"],"
	    "\"reporter_email\":\"soc@example.vn\",\"external_id\":\"T-9\","
	    "\"description\":\"encrypted\"}" },
};

static void
test_same_as_ilp(void)
{
	struct report		a, b;
	struct report_error	rerr;
	struct api_json_error	err;
	unsigned char		fa[32], fb[32];
	size_t			i, j;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		CHECK(ilp_parse_report(pairs[i].ilp, strlen(pairs[i].ilp),
		    &tax, NULL, &a, &rerr) == 0);
		CHECK(parse(pairs[i].json, &b, &err) == 0);
		if (err.code != API_JSON_OK)
			printf("pair %zu: %s: %s\n", i, err.field, err.reason);
		report_fingerprint(&a, fa);
		report_fingerprint(&b, fb);
		CHECK(memcmp(fa, fb, 32) == 0);
		CHECK(a.category == b.category && a.severity == b.severity);
		CHECK(a.n_indicators == b.n_indicators);
		for (j = 0; j < a.n_indicators && j < b.n_indicators; j++) {
			CHECK(a.indicators[j].type == b.indicators[j].type);
			CHECK_STR(a.indicators[j].value, b.indicators[j].value);
		}
		CHECK((a.description == NULL) == (b.description == NULL));
		if (a.description != NULL && b.description != NULL)
			CHECK_STR(a.description, b.description);
		CHECK(a.system_level == b.system_level &&
		    a.confidential == b.confidential);
		CHECK((a.detected_at == NULL) == (b.detected_at == NULL));
		if (a.detected_at != NULL && b.detected_at != NULL)
			CHECK_STR(a.detected_at, b.detected_at);
		report_free(&a);
		report_free(&b);
	}
	/* and a different report does not: the check can fail */
	CHECK(ilp_parse_report(pairs[0].ilp, strlen(pairs[0].ilp), &tax, NULL,
	    &a, &rerr) == 0);
	CHECK(parse("{\"category\":\"phishing\",\"url\":"
	    "\"https://evil.example/y\"}", &b, &err) == 0);
	report_fingerprint(&a, fa);
	report_fingerprint(&b, fb);
	CHECK(memcmp(fa, fb, 32) != 0);
	report_free(&a);
	report_free(&b);
}

struct bad_case {
	const char		*json;
	size_t			 len;		/* 0: strlen */
	enum api_json_errcode	 code;
	const char		*field;
	const char		*reason;	/* prefix */
};

static const struct bad_case bad_cases[] = {
	/* not JSON at all */
	{ "", 0, API_JSON_NOT_JSON, "", "not JSON" },
	{ "{", 0, API_JSON_NOT_JSON, "", "not JSON" },
	{ "category=spam", 0, API_JSON_NOT_JSON, "", "not JSON" },
	{ "{\"category\":\"spam\",}", 0, API_JSON_NOT_JSON, "", "not JSON" },
	{ "{\"category\":\"spam\"} x", 0, API_JSON_NOT_JSON, "", "not JSON" },
	{ "{\"description\":\"\xC3\x28\"}", 0, API_JSON_NOT_JSON, "",
	    "not JSON" },
	{ "{\"description\":\"\\ud800\"}", 0, API_JSON_NOT_JSON, "",
	    "not JSON" },
	{ "{\"a\":1}\0", 8, API_JSON_NOT_JSON, "", "not JSON" },
	/* JSON, not an object */
	{ "[]", 0, API_JSON_NOT_OBJECT, "", "not a JSON object" },
	{ "[{\"category\":\"spam\"}]", 0, API_JSON_NOT_OBJECT, "",
	    "not a JSON object" },
	{ "\"category\"", 0, API_JSON_NOT_OBJECT, "", "not a JSON object" },
	{ "42", 0, API_JSON_NOT_OBJECT, "", "not a JSON object" },
	{ "null", 0, API_JSON_NOT_OBJECT, "", "not a JSON object" },
	/* names */
	{ "{\"colour\":\"red\"}", 0, API_JSON_INVALID, "colour",
	    "unknown field" },
	{ "{\"category\":\"spam\",\"source-ip\":\"1.2.3.4\"}", 0,
	    API_JSON_INVALID, "source-ip", "unknown field" },
	{ "{\"Category\":\"spam\"}", 0, API_JSON_INVALID, "Category",
	    "unknown field" },
	{ "{\"category\":\"spam\",\"url\":\"http://a.vn/\",\"x\\u0000y\":1}",
	    0, API_JSON_NOT_JSON, "", "not JSON" },	/* jansson's rule */
	{ "{\"caf\\u00e9\":1}", 0, API_JSON_INVALID, "caf??",
	    "unknown field" },
	{ "{\"category\":\"spam\",\"category\":\"fraud\"}", 0,
	    API_JSON_INVALID, "", "a key is given twice" },
	/* types */
	{ "{\"category\":[\"spam\"]}", 0, API_JSON_INVALID, "category",
	    "must be a string" },
	{ "{\"category\":\"spam\",\"description\":5}", 0, API_JSON_INVALID,
	    "description", "must be a string" },
	{ "{\"category\":\"spam\",\"description\":{}}", 0, API_JSON_INVALID,
	    "description", "must be a string" },
	{ "{\"category\":\"spam\",\"external_id\":12}", 0, API_JSON_INVALID,
	    "external_id", "must be a string" },
	{ "{\"category\":\"spam\",\"url\":[\"http://a.vn/\",1]}", 0,
	    API_JSON_INVALID, "url", "must be a string or an array" },
	{ "{\"category\":\"spam\",\"url\":[null]}", 0, API_JSON_INVALID,
	    "url", "must be a string or an array" },
	{ "{\"category\":\"spam\",\"url\":{\"a\":\"b\"}}", 0,
	    API_JSON_INVALID, "url", "must be a string or an array" },
	{ "{\"category\":\"spam\",\"url\":true}", 0, API_JSON_INVALID, "url",
	    "must be a string or an array" },
	{ "{\"category\":\"spam\",\"system_level\":2.5}", 0,
	    API_JSON_INVALID, "system_level", "must be an integer 1 to 5" },
	{ "{\"category\":\"spam\",\"system_level\":7}", 0, API_JSON_INVALID,
	    "system_level", "must be 1 to 5" },
	{ "{\"category\":\"spam\",\"system_level\":-1}", 0,
	    API_JSON_INVALID, "system_level", "must be 1 to 5" },
	{ "{\"category\":\"spam\",\"system_level\":true}", 0,
	    API_JSON_INVALID, "system_level", "must be an integer 1 to 5" },
	{ "{\"category\":\"spam\",\"confidential\":1}", 0, API_JSON_INVALID,
	    "confidential", "must be true, false" },
	{ "{\"category\":\"spam\",\"confidential\":\"maybe\"}", 0,
	    API_JSON_INVALID, "confidential", "must be yes or no" },
	/* values, through the same validation as ILP */
	{ "{\"category\":\"nope\"}", 0, API_JSON_INVALID, "category",
	    "unknown category" },
	{ "{\"category\":\"spam\",\"description\":\"a\\u0000b\"}", 0,
	    API_JSON_INVALID, "description", "control character" },
	{ "{\"category\":\"spam\",\"reporter_name\":\"a\\nb\"}", 0,
	    API_JSON_INVALID, "reporter_name", "control character" },
	{ "{\"category\":\"spam\",\"source_ip\":[\"1.2.3.4\","
	    "\"1.2.3.999\"]}", 0, API_JSON_INVALID, "source_ip",
	    "IPv4 octet above 255" },
	{ "{\"category\":\"spam\",\"reporter_email\":\"nope\"}", 0,
	    API_JSON_INVALID, "reporter_email", "" },
	{ "{\"category\":\"spam\",\"detected_at\":\"yesterday\"}", 0,
	    API_JSON_INVALID, "detected_at", "not an RFC 3339 time" },
	/* what report_finish wants */
	{ "{}", 0, API_JSON_INVALID, "category", "required" },
	{ "{\"url\":\"http://a.vn/\"}", 0, API_JSON_INVALID, "category",
	    "required" },
	{ "{\"category\":\"spam\",\"description\":\"  \"}", 0,
	    API_JSON_INVALID, "description",
	    "required when no indicator is given" },
	/* the first fault in document order is the one named */
	{ "{\"category\":\"spam\",\"url\":\"x y\",\"colour\":1}", 0,
	    API_JSON_INVALID, "url", "" },
	{ "{\"colour\":1,\"url\":\"x y\"}", 0, API_JSON_INVALID, "colour",
	    "unknown field" },
	/* bounds */
	{ "{\"category\":[[[[[[[[\"spam\"]]]]]]]]}", 0, API_JSON_LIMIT, "",
	    "nested too deeply (max 8)" },
	{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", 0, API_JSON_LIMIT,
	    "", "nested too deeply" },
	{ "{\"category\":[[[[[[[\"spam\"]]]]]]]}", 0, API_JSON_INVALID,
	    "category", "must be a string" },
	{ "{\"description\":\"[[[[[[[[[[[[[[[[[[[[\\\"[[[[\","
	    "\"category\":\"spam\"}", 0, API_JSON_OK, "", "" },
};

static void
test_refused(void)
{
	struct report		r;
	struct api_json_error	err;
	size_t			i, len;
	int			rc;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];

		memset(&err, 'X', sizeof(err));
		len = c->len ? c->len : strlen(c->json);
		rc = api_json_to_report(c->json, len, &tax, NULL, NULL, &r,
		    &err);
		if (err.code != c->code)
			printf("case %zu %s: code %d (%s: %s)\n", i, c->json,
			    err.code, err.field, err.reason);
		CHECK(rc == (c->code == API_JSON_OK ? 0 : -1));
		CHECK(err.code == c->code);
		CHECK_STR(err.field, c->field);
		CHECK(strncmp(err.reason, c->reason, strlen(c->reason)) == 0);
		CHECK(c->code == API_JSON_OK || err.reason[0] != '\0');
		report_free(&r);
	}
}

static void
test_limits(void)
{
	struct api_json_limits	jl;
	struct report_limits	rl;
	struct report		r;
	struct api_json_error	err;
	char			buf[8192];
	size_t			o, i;

	api_json_limits_default(&jl);
	o = (size_t)snprintf(buf, sizeof(buf),
	    "{\"category\":\"spam\",\"url\":\"http://a.vn/\"}");
	jl.max_body = o - 1;
	CHECK(api_json_to_report(buf, o, &tax, NULL, &jl, &r, &err) == -1);
	CHECK(err.code == API_JSON_TOO_LARGE);
	report_free(&r);
	jl.max_body = o;
	CHECK(api_json_to_report(buf, o, &tax, NULL, &jl, &r, &err) == 0);
	report_free(&r);

	/* depth: the top object is 1, an array in it 2 */
	api_json_limits_default(&jl);
	jl.max_depth = 1;
	o = (size_t)snprintf(buf, sizeof(buf),
	    "{\"category\":\"spam\",\"url\":[\"http://a.vn/\"]}");
	CHECK(api_json_to_report(buf, o, &tax, NULL, &jl, &r, &err) == -1);
	CHECK(err.code == API_JSON_LIMIT);
	report_free(&r);
	jl.max_depth = 2;
	CHECK(api_json_to_report(buf, o, &tax, NULL, &jl, &r, &err) == 0);
	report_free(&r);

	/* values below the top: 2 members here */
	api_json_limits_default(&jl);
	jl.max_values = 1;
	o = (size_t)snprintf(buf, sizeof(buf),
	    "{\"category\":\"spam\",\"url\":\"http://a.vn/\"}");
	CHECK(api_json_to_report(buf, o, &tax, NULL, &jl, &r, &err) == -1);
	CHECK(err.code == API_JSON_LIMIT);
	CHECK(strncmp(err.reason, "too many values", 15) == 0);
	report_free(&r);
	jl.max_values = 2;
	CHECK(api_json_to_report(buf, o, &tax, NULL, &jl, &r, &err) == 0);
	report_free(&r);
	/* commas inside strings do not count */
	o = (size_t)snprintf(buf, sizeof(buf), "{\"category\":\"spam\","
	    "\"description\":\",,,,\\\",,,,\"}");
	CHECK(api_json_to_report(buf, o, &tax, NULL, &jl, &r, &err) == 0);
	report_free(&r);

	/* keys */
	api_json_limits_default(&jl);
	jl.max_keys = 1;
	CHECK(api_json_to_report(buf, o, &tax, NULL, &jl, &r, &err) == -1);
	CHECK(err.code == API_JSON_LIMIT);
	CHECK(strncmp(err.reason, "too many keys", 13) == 0);
	report_free(&r);

	/* the report's own bounds: 128 fields */
	o = (size_t)snprintf(buf, sizeof(buf), "{\"category\":\"scan\","
	    "\"source_ip\":[");
	for (i = 0; i < 128; i++)
		o += snprintf(buf + o, sizeof(buf) - o, "%s\"10.0.%zu.%zu\"",
		    i ? "," : "", i / 200, i % 200);
	o += snprintf(buf + o, sizeof(buf) - o, "]}");
	CHECK(api_json_to_report(buf, o, &tax, NULL, NULL, &r, &err) == -1);
	CHECK(err.code == API_JSON_INVALID);
	CHECK_STR(err.field, "source_ip");
	CHECK_STR(err.reason, "too many fields (max 128)");
	report_free(&r);
	report_limits_default(&rl);
	rl.field_max = 4;
	o = (size_t)snprintf(buf, sizeof(buf), "{\"category\":\"spam\","
	    "\"description\":\"x\",\"organization\":\"12345\"}");
	CHECK(api_json_to_report(buf, o, &tax, &rl, NULL, &r, &err) == -1);
	CHECK_STR(err.field, "organization");
	CHECK_STR(err.reason, "too long (max 4 bytes)");
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
	test_every_field();
	test_same_as_ilp();
	test_refused();
	test_limits();
	taxonomy_free(&tax);
	return t_done();
}
