/*
 * test_xarf.c - X-ARF (YAML 0.1/0.2, JSON 3 and 4) and the CSV event
 * tables of xarf.h; then every JSON document of the
 * X-ARF corpus (../shared/corpora/xarf-json, or $INTAKED_CORPORA/xarf-json):
 * valid samples must give a report with a real category, invalid ones must
 * be refused or give "undetermined", none may crash.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "t.h"
#include "t_file.h"
#include "t_report.h"
#include "xarf.h"

static struct taxonomy		tax;
static struct report_limits	lim;

struct class_case {
	const char	*category;
	const char	*type;
	const char	*code;
};

static const struct class_case class_cases[] = {
	{ "abuse", "login-attack", "brute-force" },
	{ "abuse", "portscan", "scan" },
	{ "info", "portscan", "scan" },
	{ "fraud", "phishing", "phishing" },
	{ "abuse", "malware-attack", "malware-url" },
	{ "connection", "login_attack", "brute-force" },
	{ "Activity", "LoginAttack", "brute-force" },
	{ "content", "malware", "malware-url" },
	{ "Content", "Malware", "malware-url" },
	{ NULL, "malware", "malware" },
	{ "messaging", "spam", "spam" },
	{ "messaging", "something_new", "spam" },
	{ "vulnerability", "open_service", "vulnerable" },
	{ "infrastructure", "botnet", "botnet" },
	{ "connection", "infected_host", "botnet" },
	{ NULL, "C&C", "undetermined" },
	{ NULL, "cnc", "c2" },
	{ "connection", "ddos", "dos" },
	{ "content", "csam", "undetermined" },
	{ "arf", "abuse", "spam" },
	{ "ARF", "Auth-Failure", "phishing" },
	{ "arf", "fraud", "phishing" },
	{ "arf", "virus", "malware" },
	{ "arf", "not-spam", "spam" },
	{ "arf", "opt-out", "spam" },
	{ "arf", "dkim", "phishing" },
	{ "arf", "other", "undetermined" },
	{ "arf", "login-attack", "undetermined" },
	{ NULL, NULL, "undetermined" },
	{ "nonsense", "", "undetermined" },
};

/* Types the corpus uses that deliberately map to undetermined. */
static const char *const by_design[] = {
	"csam", "csem", "ChildAbuse", "Harassment", "ip_reclamation",
};

static void
opts_init(struct arf_opts *o, size_t max)
{
	memset(o, 0, sizeof(*o));
	o->tax = &tax;
	o->lim = &lim;
	o->max_reports = max;
}

static void
test_classes(void)
{
	size_t	i;

	for (i = 0; i < sizeof(class_cases) / sizeof(class_cases[0]); i++) {
		const struct class_case *c = &class_cases[i];

		CHECK_STR(xarf_category(c->category, c->type), c->code);
		CHECK(taxonomy_find(&tax, c->code, strlen(c->code)) != NULL);
	}
}

static const char yaml_blocklist[] =
    "---\n"
    "Reported-From: abuse-team@blocklist.example\n"
    "Category: abuse\n"
    "Report-Type: login-attack\n"
    "Service: ssh\n"
    "Version: 0.2\n"
    "User-Agent: Fail2BanFeedBackScript V0.2\n"
    "Date: Fri, 31 Jan 2014 07:19:02 +0100\n"
    "Source-Type: ip-address\n"
    "Source: 203.0.113.9\n"
    "Port: 22\n"
    "Report-ID: 42@blocklist.example\n"
    "Attachment: text/plain\n";

/* "http: //" is what one sender writes; libyaml refuses it. */
static const char yaml_broken[] =
    "---\r\n"
    "Reported-From:  abuse@clean.example\r\n"
    "Category:  fraud\r\n"
    "Report-Type: phishing\r\n"
    "Source-Type: uri\r\n"
    "Source: http://bank-login.example.net/x\r\n"
    "Schema-URL: http: //support.clean.example/schema/xarf.json\r\n"
    "Date: 2015-10-12T06:40:56+00:00\r\n";

static const char yaml_two[] =
    "---\nCategory: abuse\nReport-Type: portscan\nSource: 198.51.100.1\n"
    "---\nCategory: abuse\nReport-Type: ddos\nSource: 198.51.100.2\n"
    "---\nCategory: abuse\nReport-Type: portscan\nSource: 198.51.100.3\n";

static void
test_yaml(void)
{
	struct arf_opts	 o;
	struct arf_reports	 rs = { NULL, 0, 0, 0 };
	const char		*why;
	int			 rc;

	opts_init(&o, 10);
	o.note = "Hello abuse team,\nplease look.";
	o.note_len = strlen(o.note);
	rc = xarf_parse_yaml(yaml_blocklist, strlen(yaml_blocklist), &o, &rs,
	    &why);
	CHECK(rc == 0);
	CHECK(rs.n == 1);
	if (rs.n == 1) {
		CHECK_STR(rs.v[0].category->code, "brute-force");
		CHECK(has_ind(&rs.v[0], IND_IPV4, "203.0.113.9"));
		CHECK_STR(rs.v[0].occurred_at, "2014-01-31T06:19:02Z");
		CHECK(rs.v[0].description != NULL &&
		    strncmp(rs.v[0].description, "X-ARF 0.2 report abuse/"
		    "login-attack (brute-force) from abuse-team@blocklist."
		    "example: source 203.0.113.9 port 22, service ssh", 100)
		    == 0);
		CHECK(rs.v[0].description != NULL &&
		    strstr(rs.v[0].description, "\n\nHello abuse team,\n"
		    "please look.") != NULL);
		CHECK(rs.v[0].severity == SEV_LOW);
	}
	arf_reports_free(&rs);

	opts_init(&o, 10);
	rc = xarf_parse_yaml(yaml_broken, strlen(yaml_broken), &o, &rs, &why);
	CHECK(rc == 0 && rs.n == 1);
	if (rs.n == 1) {
		CHECK_STR(rs.v[0].category->code, "phishing");
		CHECK(has_ind(&rs.v[0], IND_URL,
		    "http://bank-login.example.net/x"));
		CHECK_STR(rs.v[0].occurred_at, "2015-10-12T06:40:56Z");
	}
	arf_reports_free(&rs);

	opts_init(&o, 2);
	rc = xarf_parse_yaml(yaml_two, strlen(yaml_two), &o, &rs, &why);
	CHECK(rc == 0 && rs.n == 2 && rs.dropped == 1);
	if (rs.n == 2) {
		CHECK_STR(rs.v[0].category->code, "scan");
		CHECK_STR(rs.v[1].category->code, "dos");
		CHECK(has_ind(&rs.v[1], IND_IPV4, "198.51.100.2"));
	}
	arf_reports_free(&rs);

	rc = xarf_parse_yaml("Hello: world\nfoo: bar\n", 22, &o, &rs, &why);
	CHECK(rc == -1 && errno == EINVAL && rs.n == 0 && why != NULL);
	rc = xarf_parse_yaml("just some text\n", 15, &o, &rs, &why);
	CHECK(rc == -1 && errno == EINVAL && rs.n == 0);
	rc = xarf_parse_yaml("", 0, &o, &rs, &why);
	CHECK(rc == -1 && errno == EINVAL && rs.n == 0);
	/* aliases are not expanded; nested values are skipped */
	rc = xarf_parse_yaml("a: &x [1, 2]\nb: *x\nCategory: abuse\n"
	    "Report-Type: spam\nSource: {ip: 1.2.3.4}\n", 69, &o, &rs, &why);
	CHECK(rc == 0 && rs.n == 1);
	if (rs.n == 1) {
		CHECK_STR(rs.v[0].category->code, "spam");
		CHECK(rs.v[0].n_indicators == 0);
		CHECK(rs.v[0].description != NULL);
	}
	arf_reports_free(&rs);
}

static const char json_v4[] =
    "{\"xarf_version\": \"4.2.0\", \"report_id\": \"abc\","
    " \"timestamp\": \"2025-01-11T12:17:20Z\","
    " \"reporter\": {\"org\": \"Honeypot\", \"contact\": \"hp@example.org\","
    " \"domain\": \"example.org\"},"
    " \"sender\": {\"org\": \"Honeypot\", \"contact\": \"hp@example.org\","
    " \"domain\": \"example.org\"},"
    " \"source_identifier\": \"198.51.100.77\", \"source_port\": 45621,"
    " \"category\": \"connection\", \"type\": \"login_attack\","
    " \"destination_ip\": \"203.0.113.22\", \"destination_port\": 22,"
    " \"description\": \"SSH brute force\\u0007 seen\","
    " \"file_hash\": \"sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B9"
    "34CA495991B7852B855\"}";

static const char json_v3[] =
    "{\"Version\": \"3\", \"ReporterInfo\": {\"ReporterOrg\": \"Ex\","
    " \"ReporterOrgEmail\": \"r@example.com\"}, \"Report\": {"
    " \"ReportClass\": \"Content\", \"ReportType\": \"Phishing\","
    " \"Date\": \"2018-02-05T14:17:10Z\", \"SourceIp\": \"192.0.2.55\","
    " \"SourceUrl\": \"hxxp://phish.example.com/login\"}}";

static void
test_json(void)
{
	struct arf_opts	 o;
	struct arf_reports	 rs = { NULL, 0, 0, 0 };
	const char		*why;
	char			 arr[4096];
	int			 rc;

	opts_init(&o, 10);
	rc = xarf_parse_json(json_v4, strlen(json_v4), &o, &rs, &why);
	CHECK(rc == 0 && rs.n == 1);
	if (rs.n == 1) {
		CHECK_STR(rs.v[0].category->code, "brute-force");
		CHECK(has_ind(&rs.v[0], IND_IPV4, "198.51.100.77"));
		CHECK(!has_ind(&rs.v[0], IND_IPV4, "203.0.113.22"));
		CHECK(has_ind(&rs.v[0], IND_SHA256, "e3b0c44298fc1c149afbf4c"
		    "8996fb92427ae41e4649b934ca495991b7852b855"));
		CHECK_STR(rs.v[0].occurred_at, "2025-01-11T12:17:20Z");
		CHECK(rs.v[0].description != NULL && strstr(rs.v[0].description,
		    "SSH brute force  seen") != NULL);
		CHECK(rs.v[0].description != NULL && strstr(rs.v[0].description,
		    "destination 203.0.113.22 port 22") != NULL);
	}
	arf_reports_free(&rs);

	rc = xarf_parse_json(json_v3, strlen(json_v3), &o, &rs, &why);
	CHECK(rc == 0 && rs.n == 1);
	if (rs.n == 1) {
		CHECK_STR(rs.v[0].category->code, "phishing");
		CHECK(has_ind(&rs.v[0], IND_IPV4, "192.0.2.55"));
		CHECK(has_ind(&rs.v[0], IND_URL,
		    "http://phish.example.com/login"));
	}
	arf_reports_free(&rs);

	/* an array: one report per valid element, bounded */
	snprintf(arr, sizeof(arr), "[%s, {\"x\": 1}, %s, %s]", json_v4,
	    json_v3, json_v4);
	opts_init(&o, 2);
	rc = xarf_parse_json(arr, strlen(arr), &o, &rs, &why);
	CHECK(rc == 0 && rs.n == 2 && rs.dropped == 1);
	arf_reports_free(&rs);

	rc = xarf_parse_json("{\"xarf_version\": \"4.0\"}", 23, &o, &rs, &why);
	CHECK(rc == -1 && errno == EINVAL && rs.n == 0);
	CHECK_STR(why, "xarf_version is not 4.x.y");
	rc = xarf_parse_json("[1, 2", 5, &o, &rs, &why);
	CHECK(rc == -1 && errno == EINVAL && rs.n == 0);
	rc = xarf_parse_json("[]", 2, &o, &rs, &why);
	CHECK(rc == -1 && errno == EINVAL && rs.n == 0);
	rc = xarf_parse_json("\"x\"", 3, &o, &rs, &why);
	CHECK(rc == -1 && errno == EINVAL && rs.n == 0);
}

static const char csv_hub[] =
    "reliable_notifier,report_type,event_date,event_time,src_ip,src_port,"
    "src_hostname,note\r\n"
    "\"Notifier\",\"Shadowserver Botnet Drone\",2015-03-02,01:45:59,"
    "192.0.2.13,2005,bot.example.com,\"multi\nline, \"\"quoted\"\"\"\r\n"
    "\"Notifier\",\"Open Resolver\",2015-03-02,02:00:00,192.0.2.14,53,,\r\n"
    "\"Notifier\",\"Something\",,,,,,no indicator here\r\n"
    "\r\n"
    "\"Notifier\",\"whatever\",,,2001:DB8::1,,,\r\n";

static void
test_csv(void)
{
	struct arf_opts	 o;
	struct arf_reports	 rs = { NULL, 0, 0, 0 };
	const char		*why;
	int			 rc;

	opts_init(&o, 10);
	o.fallback = "botnet";
	rc = mail_csv_parse(csv_hub, strlen(csv_hub), &o, &rs, &why);
	CHECK(rc == 0 && rs.n == 3);
	if (rs.n == 3) {
		CHECK_STR(rs.v[0].category->code, "botnet");
		CHECK(has_ind(&rs.v[0], IND_IPV4, "192.0.2.13"));
		CHECK(has_ind(&rs.v[0], IND_DOMAIN, "bot.example.com"));
		CHECK(rs.v[0].n_indicators == 2);
		CHECK_STR(rs.v[0].occurred_at, "2015-03-02T01:45:59Z");
		CHECK(rs.v[0].description != NULL &&
		    strstr(rs.v[0].description,
		    "note=multi\nline, \"quoted\"") != NULL);
		CHECK_STR(rs.v[1].category->code, "amplifier");
		CHECK(has_ind(&rs.v[1], IND_IPV4, "192.0.2.14"));
		CHECK_STR(rs.v[2].category->code, "botnet");	/* fallback */
		CHECK(has_ind(&rs.v[2], IND_IPV6, "2001:db8::1"));
	}
	arf_reports_free(&rs);

	opts_init(&o, 1);
	rc = mail_csv_parse(csv_hub, strlen(csv_hub), &o, &rs, &why);
	CHECK(rc == 0 && rs.n == 1 && rs.dropped >= 1);
	arf_reports_free(&rs);

	rc = mail_csv_parse("just text\nmore text\n", 20, &o, &rs, &why);
	CHECK(rc == -1 && errno == EINVAL && rs.n == 0);
	rc = mail_csv_parse("a;b\n1;2\n", 8, &o, &rs, &why);
	CHECK(rc == -1 && errno == EINVAL && rs.n == 0);
	rc = mail_csv_parse("ip;x\n192.0.2.1;2\n", 17, &o, &rs, &why);
	CHECK(rc == 0 && rs.n == 1 && rs.v[0].category != NULL &&
	    strcmp(rs.v[0].category->code, "undetermined") == 0);
	arf_reports_free(&rs);
}

/* The corpus walk. */

static int	n_valid, n_invalid, n_other, n_undet_ok;

/* The type a sample declares, read independently of xarf.c. */
static int
sample_by_design(const char *text, size_t len)
{
	json_t		*j = json_loadb(text, len, 0, NULL), *rep;
	const char	*type;
	size_t		 i;
	int		 yes = 0;

	if (j == NULL)
		return 0;
	type = json_string_value(json_object_get(j, "type"));
	if (type == NULL && (rep = json_object_get(j, "Report")) != NULL)
		type = json_string_value(json_object_get(rep, "ReportType"));
	for (i = 0; type && i < sizeof(by_design) / sizeof(by_design[0]); i++)
		if (strcmp(type, by_design[i]) == 0)
			yes = 1;
	json_decref(j);
	return yes;
}

static int
corpus_file(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	struct arf_opts	 o;
	struct arf_reports	 rs = { NULL, 0, 0, 0 };
	const char		*why;
	char			*text;
	size_t			 len = 0, i, real = 0;
	int			 rc, valid, invalid;

	if (flag != FTW_F || strstr(path, ".json") == NULL)
		return 0;
	if ((text = t_slurp(path, &len)) == NULL) {
		printf("FAIL cannot read %s\n", path);
		t_failed++;
		return 0;
	}
	valid = strstr(path, "/parser-tests-valid/") != NULL ||
	    strstr(path, "/v4-samples/") != NULL ||
	    strstr(path, "/v3-positive/") != NULL ||
	    strstr(path, "/v3-samples-spec/") != NULL;
	invalid = strstr(path, "/parser-tests-invalid/") != NULL ||
	    strstr(path, "/schemas/") != NULL ||
	    strstr(path, "/parser-tests-meta/") != NULL;
	opts_init(&o, 16);
	rc = xarf_parse_json(text, len, &o, &rs, &why);
	for (i = 0; i < rs.n; i++) {
		CHECK(rs.v[i].category != NULL);
		if (rs.v[i].category != NULL &&
		    strcmp(rs.v[i].category->code, "undetermined") != 0)
			real++;
	}
	if (valid) {
		n_valid++;
		if (rc != 0 || rs.n == 0)
			printf("FAIL %s: refused (%s)\n", path, why);
		CHECK(rc == 0 && rs.n >= 1);
		if (sample_by_design(text, len))
			n_undet_ok++;
		else {
			if (real == 0)
				printf("FAIL %s: undetermined\n", path);
			CHECK(real >= 1);
		}
	} else if (invalid) {
		n_invalid++;
		if (!(rc == -1 || real == 0))
			printf("FAIL %s: accepted as %s\n", path,
			    rs.v[0].category->code);
		CHECK(rc == -1 || real == 0);
		CHECK(rc == 0 || errno == EINVAL);
	} else
		n_other++;
	arf_reports_free(&rs);
	free(text);
	return 0;
}

static void
test_corpus(void)
{
	const char	*env = getenv("INTAKED_CORPORA");
	char		 dir[1024];

	snprintf(dir, sizeof(dir), "%s/xarf-json",
	    env != NULL && *env != '\0' ? env : "../shared/corpora");
	if (access(dir, R_OK) != 0) {
		T_SKIP("corpus: %s not found (set INTAKED_CORPORA)", dir);
		return;
	}
	nftw(dir, corpus_file, 8, FTW_PHYS);
	printf("corpus: %d valid (%d undetermined by design), %d invalid, "
	    "%d other\n", n_valid, n_undet_ok, n_invalid, n_other);
	CHECK(n_valid > 0 && n_invalid > 0);
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
	report_limits_default(&lim);
	test_classes();
	test_yaml();
	test_json();
	test_csv();
	test_corpus();
	taxonomy_free(&tax);
	return t_done();
}
