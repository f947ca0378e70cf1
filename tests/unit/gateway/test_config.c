/*
 * test_config.c - config_load() against small files written to /tmp: the
 * defaults, every value type good and bad, comments, unknown and repeated
 * keys, the exact "FILE:LINE: key: why" errors, the second-pass checks,
 * config_dump() read back, and conf/intaked.conf (run from the repository
 * root) both as shipped and with every documented default uncommented.
 * Time zones are looked up in a zoneinfo directory of our own ($TZDIR),
 * so that the results do not depend on the machine's tzdata.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "t.h"

#define EXAMPLE_CONF	"conf/intaked.conf"

/* A file that does not load: its text and the error after the path. */
struct bad_case {
	const char	*text;
	const char	*want;
};

static const struct bad_case bad_cases[] = {
	/* listen */
	{ "[line]\nlisten = 127.0.0.1:70000\n",
	    ":2: line.listen: port out of range" },
	{ "[line]\nlisten = 127.0.0.1:0\n",
	    ":2: line.listen: port out of range" },
	{ "[line]\nlisten = 127.0.0.1:abc\n",
	    ":2: line.listen: port is not a number" },
	{ "[line]\nlisten = 127.0.0.1\n",
	    ":2: line.listen: expected host:port" },
	{ "[line]\nlisten = ::1:4119\n",
	    ":2: line.listen: IPv6 address needs brackets, e.g. [::1]:4119" },
	{ "[line]\nlisten = [::zz]:4119\n",
	    ":2: line.listen: not an IPv6 address: ::zz" },
	{ "[line]\nlisten = [::1]4119\n",
	    ":2: line.listen: expected [address]:port" },
	{ "[smtp]\nlisten = mail.example.org:25\n",
	    ":2: smtp.listen: host must be an IPv4 address, [IPv6] address "
	    "or localhost" },
	{ "[smtp]\nlisten = 127.0.0.1:4119\n",
	    ":2: smtp.listen: same address as line.listen" },
	/* bool, numbers */
	{ "[line]\nrequire_auth = maybe\n",
	    ":2: line.require_auth: must be yes or no" },
	{ "[line]\nidle_timeout = 5x\n",
	    ":2: line.idle_timeout: not a duration (e.g. 90s, 15m, 24h, 7d)" },
	{ "[line]\nidle_timeout = 0\n",
	    ":2: line.idle_timeout: out of range (1..86400)" },
	{ "[dedup]\nwindow = -1h\n",
	    ":2: dedup.window: not a duration (e.g. 90s, 15m, 24h, 7d)" },
	{ "[smtp]\nmax_message = 12q\n",
	    ":2: smtp.max_message: not a size (e.g. 4096, 64k, 25M, 1G)" },
	{ "[smtp]\nmax_message = 100\n",
	    ":2: smtp.max_message: out of range (1024..1073741824)" },
	{ "[line]\nmax_sessions = many\n",
	    ":2: line.max_sessions: not a number" },
	{ "[line]\nmax_sessions = 0\n",
	    ":2: line.max_sessions: out of range (1..1000000)" },
	{ "[line]\nmax_sessions = 99999999999999999999\n",
	    ":2: line.max_sessions: out of range (1..1000000)" },
	{ "[store]\nbatch_max = 12 # and a comment\nqueue_max = 1e6\n",
	    ":3: store.queue_max: not a number" },
	/* strings */
	{ "[daemon]\nlog_level = verbose\n",
	    ":2: daemon.log_level: must be error, warn, info or debug" },
	{ "[daemon]\ndata_dir =\n",
	    ":2: daemon.data_dir: must not be empty" },
	{ "[smtp]\nhostname = bad_name.example.org\n",
	    ":2: smtp.hostname: not a host name" },
	{ "[smtp]\nhostname = -a.example.org\n",
	    ":2: smtp.hostname: not a host name" },
	{ "[http]\npublic_url = ftp://example.org/\n",
	    ":2: http.public_url: must start with https:// or http://" },
	{ "[http]\npublic_url = https://\n",
	    ":2: http.public_url: URL has no host" },
	{ "[http]\npublic_url = https://a\"b/\n",
	    ":2: http.public_url: invalid character in URL" },
	/* lists */
	{ "[smtp]\nmailboxes = ir@example.org, abuse@\n",
	    ":2: smtp.mailboxes: not an address: abuse@" },
	{ "[smtp]\nmailboxes = a@b.org,,c@d.org\n",
	    ":2: smtp.mailboxes: empty element in list" },
	{ "[smtp]\nmailboxes = IR@x.org, ir@X.org\n",
	    ":2: smtp.mailboxes: ir@x.org given twice" },
	{ "[smtp]\nmailboxes = a b@x.org\n",
	    ":2: smtp.mailboxes: not an address: a b@x.org" },
	{ "[smtp]\nmailboxes = a..b@x.org\n",
	    ":2: smtp.mailboxes: not an address: a..b@x.org" },
	{ "[smtp]\ntrusted_upstreams = mx.example.org, mx_2\n",
	    ":2: smtp.trusted_upstreams: not a host name: mx_2" },
	/* structure */
	{ "[bogus]\nx = 1\n", ":2: bogus.x: unknown key" },
	{ "[line]\nfoo = 1\n", ":2: line.foo: unknown key" },
	{ "# top\ndata_dir = var\n",
	    ":2: data_dir: unknown key (no [section] before it)" },
	{ "line.listen = 127.0.0.1:1\n",
	    ":1: line.listen: unknown key (no [section] before it)" },
	{ "[line]\nlisten = 127.0.0.1:1\n\nlisten = 127.0.0.1:2\n",
	    ":4: line.listen: given twice (first on line 2)" },
	{ "[line]\nrequire_auth = yes\n[smtp]\nhostname = a\n[LINE]\n"
	    "Require_Auth = no\n",
	    ":6: line.require_auth: given twice (first on line 2)" },
	{ "[line\nlisten = 127.0.0.1:1\n",
	    ":1: syntax error (want [section] or key = value)" },
	{ "[line]\n\njunk\n",
	    ":3: syntax error (want [section] or key = value)" },
	/* pass 2 */
	{ "[daemon]\nuser = nosuchuser-intaked\n",
	    ":2: daemon.user: no such user: nosuchuser-intaked" },
	{ "[daemon]\ntaxonomy = /nonexistent/taxonomy.tsv\n",
	    ":2: daemon.taxonomy: cannot read /nonexistent/taxonomy.tsv: "
	    "No such file or directory" },
	{ "[daemon]\ntaxonomy = /tmp\n",
	    ":2: daemon.taxonomy: /tmp is not a regular file" },
	{ "[tls]\ncert = /etc/ssl/certs/x.pem\n",
	    ":2: tls.key: cert given without key" },
	{ "[tls]\n# no cert\nkey = /etc/ssl/private/x.pem\n",
	    ":3: tls.cert: key given without cert" },
	{ "[tls]\ncert = /nonexistent/cert.pem\nkey = /nonexistent/key.pem\n",
	    ":2: tls.cert: cannot read /nonexistent/cert.pem: "
	    "No such file or directory" },
	{ "[tls]\nciphers = NOPE-NOTHING\n",
	    ":2: tls.ciphers: no usable cipher in \"NOPE-NOTHING\"" },

	/* [http] */
	{ "[http]\nmetrics_from = 10.1.2.3/8\n",
	    ":2: http.metrics_from: host bits set in 10.1.2.3/8" },
	{ "[http]\nmetrics_from = 2001:db8::1/32\n",
	    ":2: http.metrics_from: host bits set in 2001:db8::1/32" },
	{ "[http]\nmetrics_from = 127.0.0.1, localhost\n",
	    ":2: http.metrics_from: not an address or network: localhost" },
	{ "[http]\nmetrics_from = fe80::1%eth0\n",
	    ":2: http.metrics_from: not an address or network: fe80::1%eth0" },
	{ "[http]\nmetrics_from = 10.0.0.0/33\n",
	    ":2: http.metrics_from: prefix length must be 0..32: 10.0.0.0/33" },
	{ "[http]\nmetrics_from = ::/129\n",
	    ":2: http.metrics_from: prefix length must be 0..128: ::/129" },
	{ "[http]\nmetrics_from = 10.0.0.0/\n",
	    ":2: http.metrics_from: prefix length must be 0..32: 10.0.0.0/" },
	{ "[http]\nmetrics_from = 10.0.0.0/8x\n",
	    ":2: http.metrics_from: prefix length must be 0..32: 10.0.0.0/8x" },
	{ "[http]\nmetrics_from = 10.0.0.0/-8\n",
	    ":2: http.metrics_from: prefix length must be 0..32: 10.0.0.0/-8" },
	{ "[http]\nmetrics_from = 127.0.0.1, 127.0.0.1/32\n",
	    ":2: http.metrics_from: 127.0.0.1 given twice" },
	{ "[http]\nmetrics_from = ::1, 0:0::1/128\n",
	    ":2: http.metrics_from: ::1 given twice" },
	{ "[http]\nmetrics_from = 127.0.0.1,,::1\n",
	    ":2: http.metrics_from: empty element in list" },
	{ "[http]\nmax_sessions = 0\n",
	    ":2: http.max_sessions: out of range (1..1000000)" },
	{ "[http]\nmax_per_ip = some\n",
	    ":2: http.max_per_ip: not a number" },
	{ "[http]\nmax_per_ip = 1000001\n",
	    ":2: http.max_per_ip: out of range (1..1000000)" },
	{ "[http]\nidle_timeout = 0\n",
	    ":2: http.idle_timeout: out of range (1..86400)" },
	{ "[http]\nidle_timeout = 1w\n",
	    ":2: http.idle_timeout: not a duration (e.g. 90s, 15m, 24h, 7d)" },
	{ "[http]\nrequest_timeout = 2d\n",
	    ":2: http.request_timeout: out of range (1..86400)" },
	{ "[http]\nrequest_timeout = soon\n",
	    ":2: http.request_timeout: not a duration (e.g. 90s, 15m, 24h, 7d)" },
	{ "[http]\nmax_body = 512k\n",
	    ":2: http.max_body: out of range (1048576..1073741824)" },
	{ "[http]\nmax_body = 2G\n",
	    ":2: http.max_body: out of range (1048576..1073741824)" },
	{ "[http]\nmax_body = 32MB\n",
	    ":2: http.max_body: not a size (e.g. 4096, 64k, 25M, 1G)" },
	{ "[http]\nmax_body = 20M\n",
	    ":2: http.max_body: must hold max_attachment_bytes + 1M for the "
	    "form's fields: at least 21M" },
	{ "[http]\nmax_body = 8M\nmax_attachment_bytes = 7680k\n",
	    ":2: http.max_body: must hold max_attachment_bytes + 1M for the "
	    "form's fields: at least 8704k" },
	{ "[http]\nmax_attachment_bytes = 40M\n",
	    ":2: http.max_attachment_bytes: must leave 1M of max_body for the "
	    "form's fields: at most 31M" },
	{ "[http]\nmax_attachment_bytes = 2G\n",
	    ":2: http.max_attachment_bytes: out of range (0..1073741824)" },
	{ "[http]\nmax_header_bytes = 512\n",
	    ":2: http.max_header_bytes: out of range (1024..1048576)" },
	{ "[http]\nmax_header_bytes = 2M\n",
	    ":2: http.max_header_bytes: out of range (1024..1048576)" },
	{ "[http]\nmax_attachments = 51\n",
	    ":2: http.max_attachments: out of range (0..50)" },
	{ "[http]\nmax_attachments = -1\n",
	    ":2: http.max_attachments: out of range (0..50)" },
	{ "[http]\nform_rate_per_ip = 19\n",
	    ":2: http.form_rate_per_ip: out of range (20..1000000)" },
	{ "[http]\nform_rate_per_ip = 30/h\n",
	    ":2: http.form_rate_per_ip: not a number" },
	{ "[http]\nform_rate_per_address = 0\n",
	    ":2: http.form_rate_per_address: out of range (1..1000000)" },

	/* [contact] */
	{ "[contact]\nemail = ir@x.org, nope\n",
	    ":2: contact.email: not an address: nope" },
	{ "[contact]\nemail = a@x.org, A@X.org\n",
	    ":2: contact.email: a@x.org given twice" },
	{ "[contact]\nencryption = http://x.org/key.asc\n",
	    ":2: contact.encryption: must start with https://" },
	{ "[contact]\nencryption = openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b29100f\n",
	    ":2: contact.encryption: must start with https://" },
	{ "[contact]\npolicy = ftp://x.org/policy\n",
	    ":2: contact.policy: must start with https://" },
	{ "[contact]\npolicy = https://\n",
	    ":2: contact.policy: URL has no host" },
	{ "[contact]\npolicy = https://x.org/<p>\n",
	    ":2: contact.policy: invalid character in URL" },
	{ "[contact]\nexpires = 0\n",
	    ":2: contact.expires: out of range (86400..31622400)" },
	{ "[contact]\nexpires = 23h\n",
	    ":2: contact.expires: out of range (86400..31622400)" },
	{ "[contact]\nexpires = 367d\n",
	    ":2: contact.expires: out of range (86400..31622400)" },
	{ "[contact]\nexpires = 1y\n",
	    ":2: contact.expires: not a duration (e.g. 90s, 15m, 24h, 7d)" },
	{ "[contact]\nlanguages = vi, e\n",
	    ":2: contact.languages: not a language tag: e" },
	{ "[contact]\nlanguages = vi, en_US\n",
	    ":2: contact.languages: not a language tag: en_us" },
	{ "[contact]\nlanguages = 1en\n",
	    ":2: contact.languages: not a language tag: 1en" },
	{ "[contact]\nlanguages = en-\n",
	    ":2: contact.languages: not a language tag: en-" },
	{ "[contact]\nlanguages = en-abcdefghi\n",
	    ":2: contact.languages: not a language tag: en-abcdefghi" },
	{ "[contact]\nlanguages = vi, VI\n",
	    ":2: contact.languages: vi given twice" },
	{ "[contact]\nlanguages = vi,\n",
	    ":2: contact.languages: empty element in list" },
	{ "[contact]\norganization = CERT\x01\n",
	    ":2: contact.organization: must be UTF-8 text without control "
	    "characters" },
	{ "[contact]\norganization = Trung t\xe2m\n",
	    ":2: contact.organization: must be UTF-8 text without control "
	    "characters" },
	{ "[contact]\nphone = 1900\x7f\n",
	    ":2: contact.phone: must be UTF-8 text without control "
	    "characters" },
	{ "[contact]\nhours = 24\xc2\x85 7\n",
	    ":2: contact.hours: must be UTF-8 text without control "
	    "characters" },

	/* [outbound] */
	{ "[outbound]\nsmarthost = mail.example.org\n",
	    ":2: outbound.smarthost: expected host:port" },
	{ "[outbound]\nsmarthost = mail.example.org:0\n",
	    ":2: outbound.smarthost: port out of range" },
	{ "[outbound]\nsmarthost = mail.example.org:smtp\n",
	    ":2: outbound.smarthost: port is not a number" },
	{ "[outbound]\nsmarthost = mail_1.example.org:25\n",
	    ":2: outbound.smarthost: host must be a host name, IPv4 address "
	    "or [IPv6] address" },
	{ "[outbound]\nsmarthost = [::1:25\n",
	    ":2: outbound.smarthost: expected [address]:port" },
	{ "[outbound]\nsmarthost = 2001:db8::25:25\n",
	    ":2: outbound.smarthost: IPv6 address needs brackets, "
	    "e.g. [::1]:4119" },
	{ "[outbound]\nfrom = noreply\n",
	    ":2: outbound.from: not an address: noreply" },
	{ "[outbound]\nfrom = CERT <ir@x.org>\n",
	    ":2: outbound.from: not an address: CERT <ir@x.org>" },
	{ "[outbound]\nstarttls = sometimes\n",
	    ":2: outbound.starttls: must be yes or no" },
	{ "[outbound]\nuser = intake\n",
	    ":2: outbound.password: user given without password" },
	{ "[outbound]\n\npassword = s3cret\n",
	    ":3: outbound.user: password given without user" },
	{ "[outbound]\nsmarthost = relay.example.org:587\nstarttls = no\n"
	    "user = intake\npassword = s3cret\n",
	    ":3: outbound.starttls: no would send the password in clear to "
	    "relay.example.org (only a loopback smarthost may go without "
	    "TLS)" },
	{ "[outbound]\nsmarthost = [2001:db8::25]:25\nstarttls = off\n"
	    "user = intake\npassword = s3cret\n",
	    ":3: outbound.starttls: no would send the password in clear to "
	    "2001:db8::25 (only a loopback smarthost may go without TLS)" },
	{ "[outbound]\nreceipts_per_address = 0\n",
	    ":2: outbound.receipts_per_address: out of range (1..1000000)" },
	{ "[outbound]\nreceipts_per_address = five\n",
	    ":2: outbound.receipts_per_address: not a number" },
	{ "[outbound]\nreceipts_to = verified\n",
	    ":2: outbound.receipts_to: must be all or authenticated" },
	{ "[outbound]\nreceipts_to =\n",
	    ":2: outbound.receipts_to: must be all or authenticated" },
	{ "[outbound]\nmax_age = 0\n",
	    ":2: outbound.max_age: out of range (1..31622400)" },
	{ "[outbound]\nmax_age = 5 days\n",
	    ":2: outbound.max_age: not a duration (e.g. 90s, 15m, 24h, 7d)" },

	/* [verify], [triage] */
	{ "[verify]\nttl = 0\n",
	    ":2: verify.ttl: out of range (1..31622400)" },
	{ "[verify]\nttl = 367d\n",
	    ":2: verify.ttl: out of range (1..31622400)" },
	{ "[verify]\nttl = 3 days\n",
	    ":2: verify.ttl: not a duration (e.g. 90s, 15m, 24h, 7d)" },
	{ "[triage]\nclaim_ttl = 0\n",
	    ":2: triage.claim_ttl: out of range (1..604800)" },
	{ "[triage]\nclaim_ttl = 8d\n",
	    ":2: triage.claim_ttl: out of range (1..604800)" },
	{ "[triage]\nclaim_ttl = half an hour\n",
	    ":2: triage.claim_ttl: not a duration (e.g. 90s, 15m, 24h, 7d)" },

	/* [forward] */
	{ "[forward]\nto = vncert\n",
	    ":2: forward.to: not an address: vncert" },
	{ "[forward]\nto = ir@vncert.vn, x@y.vn\n",
	    ":2: forward.to: not an address: ir@vncert.vn, x@y.vn" },
	{ "[forward]\ncategories = phishing, bad code\n",
	    ":2: forward.categories: not a category code: bad code" },
	{ "[forward]\ncategories = phishing, malware.x\n",
	    ":2: forward.categories: not a category code: malware.x" },
	{ "[forward]\ncategories = phishing, PHISHING\n",
	    ":2: forward.categories: phishing given twice" },
	{ "[forward]\ncategories = phishing,,malware\n",
	    ":2: forward.categories: empty element in list" },
	{ "[forward]\ncategories = phishing, nosuchcategory\n",
	    ":2: forward.categories: not in the taxonomy: nosuchcategory" },
	{ "[forward]\nmin_severity = severe\n",
	    ":2: forward.min_severity: must be low, medium, high or critical "
	    "(empty: any)" },
	{ "[forward]\nmin_severity = 3\n",
	    ":2: forward.min_severity: must be low, medium, high or critical "
	    "(empty: any)" },

	/* [stats] (zone files: see test_timezone) */
	{ "[stats]\ntimezone = ../../etc/passwd\n",
	    ":2: stats.timezone: not a time zone name (e.g. Asia/Ho_Chi_Minh)" },
	{ "[stats]\ntimezone = /etc/localtime\n",
	    ":2: stats.timezone: not a time zone name (e.g. Asia/Ho_Chi_Minh)" },
	{ "[stats]\ntimezone = Asia/./Ho_Chi_Minh\n",
	    ":2: stats.timezone: not a time zone name (e.g. Asia/Ho_Chi_Minh)" },
	{ "[stats]\ntimezone = Asia//Ho_Chi_Minh\n",
	    ":2: stats.timezone: not a time zone name (e.g. Asia/Ho_Chi_Minh)" },
	{ "[stats]\ntimezone = Asia/\n",
	    ":2: stats.timezone: not a time zone name (e.g. Asia/Ho_Chi_Minh)" },
	{ "[stats]\ntimezone = Asia/Ho Chi Minh\n",
	    ":2: stats.timezone: not a time zone name (e.g. Asia/Ho_Chi_Minh)" },
	{ "[stats]\ntimezone =\n",
	    ":2: stats.timezone: not a time zone name (e.g. Asia/Ho_Chi_Minh)" },
};

static char tmp_path[64];

/* Write text to a new file in /tmp; its name is left in tmp_path. */
static const char *
write_tmp(const char *text)
{
	FILE	*fp;
	int	 fd;

	snprintf(tmp_path, sizeof(tmp_path), "/tmp/test_config.XXXXXX");
	if ((fd = mkstemp(tmp_path)) == -1 || (fp = fdopen(fd, "w")) == NULL) {
		perror("mkstemp");
		exit(2);
	}
	fputs(text, fp);
	fclose(fp);
	return tmp_path;
}

static int
load_text(struct config *cfg, const char *text, char *err, size_t errlen)
{
	int	rc;

	err[0] = '\0';
	rc = config_load(cfg, write_tmp(text), err, errlen);
	unlink(tmp_path);
	return rc;
}

static void
test_bad_cases(void)
{
	struct config	cfg;
	char		err[512], want[512];
	size_t		i;
	int		rc;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		memset(&cfg, 0xa5, sizeof(cfg));
		rc = load_text(&cfg, bad_cases[i].text, err, sizeof(err));
		snprintf(want, sizeof(want), "%s%s", tmp_path,
		    bad_cases[i].want);
		CHECK(rc == -1);
		CHECK_STR(err, want);
		/* on failure cfg is freed and zeroed */
		CHECK(cfg.data_dir == NULL && cfg.path == NULL &&
		    cfg.smtp_mailboxes == NULL && cfg.line_listen.text == NULL);
	}
}

static int
has_mailbox(const struct config *cfg, const char *addr)
{
	size_t	i;

	for (i = 0; i < cfg->smtp_n_mailboxes; i++)
		if (strcmp(cfg->smtp_mailboxes[i], addr) == 0)
			return 1;
	return 0;
}

static void
test_defaults(void)
{
	struct config	cfg;
	char		url[300], mb[300];

	config_defaults(&cfg);
	CHECK(cfg.path == NULL);
	CHECK_STR(cfg.data_dir, "var");
	CHECK_STR(cfg.log_level, "info");
	CHECK(cfg.user == NULL && cfg.taxonomy == NULL);
	CHECK(cfg.tls_cert == NULL && cfg.tls_key == NULL);
	CHECK_STR(cfg.tls_ciphers, "ECDHE+AESGCM:ECDHE+CHACHA20");
	CHECK_STR(cfg.line_listen.text, "127.0.0.1:4119");
	CHECK_STR(cfg.line_listen.host, "127.0.0.1");
	CHECK_STR(cfg.line_listen.port, "4119");
	CHECK_STR(cfg.line_tls_listen.port, "4120");
	CHECK_STR(cfg.smtp_listen.port, "2525");
	CHECK(cfg.smtp_tls_listen.text == NULL &&
	    cfg.smtp_tls_listen.host == NULL && cfg.smtp_tls_listen.port == NULL);
	CHECK_STR(cfg.http_listen.port, "8443");
	CHECK(cfg.line_require_auth == 1);
	CHECK(cfg.line_idle_timeout == 300 && cfg.smtp_idle_timeout == 300);
	CHECK(cfg.line_max_sessions == 4096 && cfg.line_max_per_ip == 64);
	CHECK(cfg.smtp_max_message == 25 * 1024 * 1024);
	CHECK(cfg.smtp_max_recipients == 100);
	CHECK(cfg.dedup_window == 86400);
	CHECK(cfg.store_batch_max == 1024 && cfg.store_queue_max == 65536);
	CHECK(cfg.store_max_bytes == 0);
	CHECK(cfg.smtp_hostname != NULL && cfg.smtp_hostname[0] != '\0');
	CHECK(has_mailbox(&cfg, "ir@localhost"));
	CHECK(has_mailbox(&cfg, "abuse@localhost"));
	snprintf(mb, sizeof(mb), "ir@%s", cfg.smtp_hostname);
	CHECK(has_mailbox(&cfg, mb));
	snprintf(mb, sizeof(mb), "abuse@%s", cfg.smtp_hostname);
	CHECK(has_mailbox(&cfg, mb));
	snprintf(url, sizeof(url), "https://%s:8443/", cfg.smtp_hostname);
	CHECK_STR(cfg.http_public_url, url);
	CHECK(cfg.smtp_n_trusted_upstreams == 0);

	/* [http] */
	CHECK(cfg.http_n_metrics_from == 2);
	if (cfg.http_n_metrics_from == 2) {
		CHECK(cfg.http_metrics_from[0].family == AF_INET &&
		    cfg.http_metrics_from[0].prefix == 32 &&
		    memcmp(cfg.http_metrics_from[0].addr, "\177\0\0\1", 4) == 0);
		CHECK(cfg.http_metrics_from[1].family == AF_INET6 &&
		    cfg.http_metrics_from[1].prefix == 128 &&
		    memcmp(cfg.http_metrics_from[1].addr,
		    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0);
	}
	CHECK(cfg.http_max_sessions == 1024 && cfg.http_max_per_ip == 64);
	CHECK(cfg.http_idle_timeout == 60 && cfg.http_request_timeout == 30);
	CHECK(cfg.http_max_body == 32 << 20);
	CHECK(cfg.http_max_header_bytes == 32 << 10);
	CHECK(cfg.http_max_attachments == 10);
	CHECK(cfg.http_max_attachment_bytes == 20 << 20);
	CHECK(cfg.http_form_rate_per_ip == 30);
	CHECK(cfg.http_form_rate_per_address == 10);

	/* [contact]: the [smtp] mailboxes but those at localhost */
	CHECK(cfg.contact_organization == NULL && cfg.contact_phone == NULL &&
	    cfg.contact_hours == NULL && cfg.contact_encryption == NULL &&
	    cfg.contact_policy == NULL);
	if (strcmp(cfg.smtp_hostname, "localhost") != 0) {
		CHECK(cfg.contact_n_emails == 2);
		snprintf(mb, sizeof(mb), "ir@%s", cfg.smtp_hostname);
		CHECK(cfg.contact_n_emails > 0 &&
		    strcmp(cfg.contact_emails[0], mb) == 0);
		snprintf(mb, sizeof(mb), "abuse@%s", cfg.smtp_hostname);
		CHECK(cfg.contact_n_emails > 1 &&
		    strcmp(cfg.contact_emails[1], mb) == 0);
	} else
		CHECK(cfg.contact_n_emails == 2);
	CHECK(cfg.contact_expires == 365 * 86400);
	CHECK(cfg.contact_n_languages == 2);
	if (cfg.contact_n_languages == 2) {
		CHECK_STR(cfg.contact_languages[0], "vi");
		CHECK_STR(cfg.contact_languages[1], "en");
	}

	/* [outbound] */
	CHECK(cfg.outbound_smarthost.text == NULL &&
	    cfg.outbound_smarthost.host == NULL);
	snprintf(mb, sizeof(mb), "ir@%s", cfg.smtp_hostname);
	CHECK_STR(cfg.outbound_from, mb);
	CHECK(cfg.outbound_starttls == 1);
	CHECK(cfg.outbound_user == NULL && cfg.outbound_password == NULL);
	CHECK(cfg.outbound_receipts_per_address == 5);
	CHECK(cfg.outbound_receipts_to == CONFIG_RECEIPTS_ALL);
	CHECK(cfg.outbound_max_age == 5 * 86400);

	/* [verify], [forward], [triage], [stats] */
	CHECK(cfg.verify_ttl == 72 * 3600);
	CHECK(cfg.forward_to == NULL && cfg.forward_n_categories == 0 &&
	    cfg.forward_categories == NULL);
	CHECK(cfg.forward_min_severity == SEV_HIGH);
	CHECK(cfg.triage_claim_ttl == 30 * 60);
	CHECK_STR(cfg.stats_timezone, "Asia/Ho_Chi_Minh");

	config_free(&cfg);
	CHECK(cfg.data_dir == NULL && cfg.smtp_mailboxes == NULL);
	CHECK(cfg.http_metrics_from == NULL && cfg.contact_emails == NULL &&
	    cfg.contact_languages == NULL && cfg.stats_timezone == NULL);
}

static void
test_empty_file(void)
{
	struct config	cfg, def;
	char		err[512];

	CHECK(load_text(&cfg, "", err, sizeof(err)) == 0);
	config_defaults(&def);
	CHECK_STR(cfg.data_dir, def.data_dir);
	CHECK_STR(cfg.smtp_hostname, def.smtp_hostname);
	CHECK(cfg.smtp_n_mailboxes == def.smtp_n_mailboxes);
	CHECK(cfg.path != NULL && strncmp(cfg.path, "/tmp/", 5) == 0);
	config_free(&def);
	config_free(&cfg);
}

static void
test_listen(void)
{
	struct config	cfg;
	char		err[512];

	CHECK(load_text(&cfg, "[line]\nlisten =\ntls_listen = [::1]:4120\n"
	    "[smtp]\nlisten = localhost:2526 ; comment\n"
	    "tls_listen = 0.0.0.0:465\n[http]\nlisten =\n",
	    err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK(cfg.line_listen.text == NULL && cfg.line_listen.host == NULL);
	CHECK_STR(cfg.line_tls_listen.text, "[::1]:4120");
	CHECK_STR(cfg.line_tls_listen.host, "::1");
	CHECK_STR(cfg.line_tls_listen.port, "4120");
	CHECK_STR(cfg.smtp_listen.text, "localhost:2526");
	CHECK_STR(cfg.smtp_listen.host, "127.0.0.1");
	CHECK_STR(cfg.smtp_tls_listen.host, "0.0.0.0");
	CHECK_STR(cfg.smtp_tls_listen.port, "465");
	CHECK(cfg.http_listen.text == NULL);
	CHECK(cfg.http_public_url == NULL);	/* no HTTPS, no URL */
	config_free(&cfg);
}

static void
test_bool_duration_size(void)
{
	static const struct {
		const char	*text;
		int		 want;
	} bools[] = {
		{ "yes", 1 }, { "No", 0 }, { "TRUE", 1 }, { "false", 0 },
		{ "on", 1 }, { "off", 0 }, { "1", 1 }, { "0", 0 },
	};
	static const struct {
		const char	*text;
		long long	 want;
	} durs[] = {
		{ "90", 90 }, { "90s", 90 }, { "15m", 900 }, { "24h", 86400 },
		{ "1d", 86400 },
	}, sizes[] = {
		{ "4096", 4096 }, { "64k", 65536 }, { "25M", 25 << 20 },
		{ "1G", 1 << 30 },
	};
	struct config	cfg;
	char		text[256], err[512];
	size_t		i;

	for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		snprintf(text, sizeof(text), "[line]\nrequire_auth = %s\n",
		    bools[i].text);
		CHECK(load_text(&cfg, text, err, sizeof(err)) == 0);
		CHECK(cfg.line_require_auth == bools[i].want);
		config_free(&cfg);
	}
	for (i = 0; i < sizeof(durs) / sizeof(durs[0]); i++) {
		snprintf(text, sizeof(text), "[smtp]\nidle_timeout = %s\n",
		    durs[i].text);
		CHECK(load_text(&cfg, text, err, sizeof(err)) == 0);
		CHECK(cfg.smtp_idle_timeout == durs[i].want);
		config_free(&cfg);
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(text, sizeof(text), "[smtp]\nmax_message = %s\n",
		    sizes[i].text);
		CHECK(load_text(&cfg, text, err, sizeof(err)) == 0);
		CHECK(cfg.smtp_max_message == sizes[i].want);
		config_free(&cfg);
	}
	CHECK(load_text(&cfg, "[dedup]\nwindow = 7d\n[store]\nmax_size = 10G\n"
	    "batch_max = 64\nqueue_max = 100\n[line]\nmax_per_ip = 3\n",
	    err, sizeof(err)) == 0);
	CHECK(cfg.dedup_window == 7 * 86400);
	CHECK(cfg.store_max_bytes == 10LL << 30);
	CHECK(cfg.store_batch_max == 64 && cfg.store_queue_max == 100);
	CHECK(cfg.line_max_per_ip == 3);
	config_free(&cfg);
}

static void
test_strings_and_lists(void)
{
	struct config	cfg;
	char		err[512];

	CHECK(load_text(&cfg, "[daemon]\ndata_dir = /srv/intake # where\n"
	    "log_level = DEBUG\nuser = root\n"
	    "[Smtp]\nHostName = Intake.Example.ORG\n"
	    "mailboxes =  IR@Example.org ,abuse@example.org\n"
	    "trusted_upstreams = MX1.example.org, mx2.example.org\n"
	    "[http]\npublic_url = https://cert.example.org/a#b\n",
	    err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK_STR(cfg.data_dir, "/srv/intake");
	CHECK_STR(cfg.log_level, "debug");
	CHECK_STR(cfg.user, "root");
	CHECK_STR(cfg.smtp_hostname, "intake.example.org");
	CHECK(cfg.smtp_n_mailboxes == 2);
	if (cfg.smtp_n_mailboxes == 2) {
		CHECK_STR(cfg.smtp_mailboxes[0], "ir@example.org");
		CHECK_STR(cfg.smtp_mailboxes[1], "abuse@example.org");
	}
	CHECK(cfg.smtp_n_trusted_upstreams == 2);
	if (cfg.smtp_n_trusted_upstreams == 2)
		CHECK_STR(cfg.smtp_trusted_upstreams[0], "mx1.example.org");
	/* '#' not after white space is part of the value */
	CHECK_STR(cfg.http_public_url, "https://cert.example.org/a#b");
	config_free(&cfg);

	/* defaults that follow the host name and the HTTPS port */
	CHECK(load_text(&cfg, "[smtp]\nhostname = cert.example.net\n"
	    "[http]\nlisten = [::]:443\n", err, sizeof(err)) == 0);
	CHECK(cfg.smtp_n_mailboxes == 4);
	CHECK(has_mailbox(&cfg, "ir@cert.example.net"));
	CHECK(has_mailbox(&cfg, "abuse@cert.example.net"));
	CHECK(has_mailbox(&cfg, "ir@localhost"));
	CHECK_STR(cfg.http_public_url, "https://cert.example.net/");
	config_free(&cfg);

	/* empty values mean "the default" for these */
	CHECK(load_text(&cfg, "[smtp]\nhostname = localhost\nmailboxes =\n"
	    "[http]\npublic_url =\n", err, sizeof(err)) == 0);
	CHECK(cfg.smtp_n_mailboxes == 2);
	CHECK(has_mailbox(&cfg, "abuse@localhost"));
	CHECK_STR(cfg.http_public_url, "https://localhost:8443/");
	config_free(&cfg);
}

static void
test_http(void)
{
	struct config	cfg;
	char		err[512];

	CHECK(load_text(&cfg, "[http]\nmax_sessions = 10\nmax_per_ip = 2\n"
	    "idle_timeout = 5s\nrequest_timeout = 2m\nmax_body = 11M\n"
	    "max_header_bytes = 8k\nmax_attachments = 0\n"
	    "max_attachment_bytes = 10M\nform_rate_per_ip = 20\n"
	    "form_rate_per_address = 1\n", err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK(cfg.http_max_sessions == 10 && cfg.http_max_per_ip == 2);
	CHECK(cfg.http_idle_timeout == 5 && cfg.http_request_timeout == 120);
	CHECK(cfg.http_max_body == 11 << 20);	/* exactly files + 1M */
	CHECK(cfg.http_max_header_bytes == 8192);
	CHECK(cfg.http_max_attachments == 0);
	CHECK(cfg.http_max_attachment_bytes == 10 << 20);
	CHECK(cfg.http_form_rate_per_ip == 20);
	CHECK(cfg.http_form_rate_per_address == 1);
	config_free(&cfg);

	/* bounds: the smallest body with no files, the largest */
	CHECK(load_text(&cfg, "[http]\nmax_body = 1M\nmax_attachment_bytes = 0\n"
	    "max_attachments = 50\nmax_header_bytes = 1024\n",
	    err, sizeof(err)) == 0);
	CHECK(cfg.http_max_body == 1 << 20 && cfg.http_max_attachment_bytes == 0);
	CHECK(cfg.http_max_attachments == 50 && cfg.http_max_header_bytes == 1024);
	config_free(&cfg);
	CHECK(load_text(&cfg, "[http]\nmax_body = 1G\n"
	    "max_attachment_bytes = 1023M\nmax_header_bytes = 1M\n",
	    err, sizeof(err)) == 0);
	CHECK(cfg.http_max_body == 1 << 30);
	CHECK(cfg.http_max_attachment_bytes == 1023 << 20);
	config_free(&cfg);
}

static void
sa_v4(struct sockaddr_storage *ss, const char *addr)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
		abort();
}

static void
sa_v6(struct sockaddr_storage *ss, const char *addr)
{
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	sin6->sin6_family = AF_INET6;
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) != 1)
		abort();
}

/* Whether the metrics_from list of cfg allows addr (v4 or v6). */
static int
allowed(const struct config *cfg, const char *addr)
{
	struct sockaddr_storage	ss;

	if (strchr(addr, ':') != NULL)
		sa_v6(&ss, addr);
	else
		sa_v4(&ss, addr);
	return config_cidr_match(cfg->http_metrics_from,
	    cfg->http_n_metrics_from, (struct sockaddr *)&ss);
}

static void
test_metrics_from(void)
{
	struct config		cfg;
	struct sockaddr_storage	ss;
	char			err[512], *buf = NULL;
	size_t			len = 0;
	FILE			*fp;

	/* the default: loopback, also as IPv4-mapped IPv6 */
	config_defaults(&cfg);
	CHECK(allowed(&cfg, "127.0.0.1"));
	CHECK(allowed(&cfg, "::1"));
	CHECK(allowed(&cfg, "::ffff:127.0.0.1"));
	CHECK(!allowed(&cfg, "127.0.0.2"));
	CHECK(!allowed(&cfg, "::2"));
	CHECK(!allowed(&cfg, "192.0.2.1"));
	CHECK(!allowed(&cfg, "::ffff:192.0.2.1"));
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	CHECK(!config_cidr_match(cfg.http_metrics_from,
	    cfg.http_n_metrics_from, (struct sockaddr *)&ss));
	config_free(&cfg);

	/* networks, written in any case and form, kept canonical */
	CHECK(load_text(&cfg, "[http]\nmetrics_from = 10.0.0.0/8, "
	    "2001:DB8:0::/32 ,192.168.16.0/20, ::ffff:198.51.100.7, "
	    "203.0.113.9/32\n", err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK(cfg.http_n_metrics_from == 5);
	if (cfg.http_n_metrics_from == 5) {
		CHECK(cfg.http_metrics_from[0].family == AF_INET &&
		    cfg.http_metrics_from[0].prefix == 8);
		CHECK(cfg.http_metrics_from[1].family == AF_INET6 &&
		    cfg.http_metrics_from[1].prefix == 32);
		CHECK(cfg.http_metrics_from[3].family == AF_INET6 &&
		    cfg.http_metrics_from[3].prefix == 128);
		CHECK(cfg.http_metrics_from[4].prefix == 32);
	}
	CHECK(allowed(&cfg, "10.1.2.3") && allowed(&cfg, "10.255.255.255"));
	CHECK(!allowed(&cfg, "11.0.0.0") && !allowed(&cfg, "9.255.255.255"));
	CHECK(allowed(&cfg, "::ffff:10.9.9.9"));
	CHECK(allowed(&cfg, "2001:db8:ffff::1"));
	CHECK(!allowed(&cfg, "2001:db9::1"));
	CHECK(allowed(&cfg, "192.168.16.0") && allowed(&cfg, "192.168.31.255"));
	CHECK(!allowed(&cfg, "192.168.15.255") && !allowed(&cfg, "192.168.32.0"));
	CHECK(allowed(&cfg, "::ffff:198.51.100.7"));
	CHECK(!allowed(&cfg, "198.51.100.7"));	/* a v6 entry is v6 only */
	CHECK(allowed(&cfg, "203.0.113.9") && !allowed(&cfg, "203.0.113.8"));
	CHECK(!allowed(&cfg, "127.0.0.1"));	/* replaces the default */
	fp = open_memstream(&buf, &len);
	config_dump(&cfg, fp);
	fclose(fp);
	CHECK(strstr(buf, "\nmetrics_from = 10.0.0.0/8, 2001:db8::/32, "
	    "192.168.16.0/20, ::ffff:198.51.100.7, 203.0.113.9\n") != NULL);
	free(buf);
	config_free(&cfg);

	/* everyone, and no one */
	CHECK(load_text(&cfg, "[http]\nmetrics_from = 0.0.0.0/0, ::/0\n",
	    err, sizeof(err)) == 0);
	CHECK(allowed(&cfg, "192.0.2.1") && allowed(&cfg, "2001:db8::1"));
	config_free(&cfg);
	CHECK(load_text(&cfg, "[http]\nmetrics_from =\n", err,
	    sizeof(err)) == 0);
	CHECK(cfg.http_n_metrics_from == 0 && cfg.http_metrics_from == NULL);
	CHECK(!allowed(&cfg, "127.0.0.1") && !allowed(&cfg, "::1"));
	config_free(&cfg);
}

static void
test_contact(void)
{
	struct config	cfg;
	char		err[512];

	CHECK(load_text(&cfg, "[contact]\n"
	    "organization = Trung t\xc3\xa2m Gi\xc3\xa1m s\xc3\xa1t (CERT)\n"
	    "email = Abuse@Cert.Example.vn, ir@cert.example.vn\n"
	    "phone = +84 24 1234 5678\nhours = 24/7\n"
	    "encryption = https://cert.example.vn/key.asc\n"
	    "policy = HTTPS://cert.example.vn/policy\nexpires = 30d\n"
	    "languages = VI, en-GB, zh-Hant\n", err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK_STR(cfg.contact_organization,
	    "Trung t\xc3\xa2m Gi\xc3\xa1m s\xc3\xa1t (CERT)");
	CHECK(cfg.contact_n_emails == 2);
	if (cfg.contact_n_emails == 2) {
		/* in the order given: the order of preference */
		CHECK_STR(cfg.contact_emails[0], "abuse@cert.example.vn");
		CHECK_STR(cfg.contact_emails[1], "ir@cert.example.vn");
	}
	CHECK_STR(cfg.contact_phone, "+84 24 1234 5678");
	CHECK_STR(cfg.contact_hours, "24/7");
	CHECK_STR(cfg.contact_encryption, "https://cert.example.vn/key.asc");
	CHECK_STR(cfg.contact_policy, "HTTPS://cert.example.vn/policy");
	CHECK(cfg.contact_expires == 30 * 86400);
	CHECK(cfg.contact_n_languages == 3);
	if (cfg.contact_n_languages == 3) {
		CHECK_STR(cfg.contact_languages[0], "vi");
		CHECK_STR(cfg.contact_languages[1], "en-gb");
		CHECK_STR(cfg.contact_languages[2], "zh-hant");
	}
	/* the sender of outbound mail follows the first address */
	CHECK_STR(cfg.outbound_from, "abuse@cert.example.vn");
	config_free(&cfg);

	/* bounds of expires; empty values */
	CHECK(load_text(&cfg, "[contact]\nexpires = 1d\nlanguages =\n"
	    "organization =\nencryption =\n", err, sizeof(err)) == 0);
	CHECK(cfg.contact_expires == 86400);
	CHECK(cfg.contact_n_languages == 0 && cfg.contact_languages == NULL);
	CHECK(cfg.contact_organization == NULL &&
	    cfg.contact_encryption == NULL);
	config_free(&cfg);
	CHECK(load_text(&cfg, "[contact]\nexpires = 366d\n", err,
	    sizeof(err)) == 0);
	CHECK(cfg.contact_expires == 366 * 86400);
	config_free(&cfg);

	/* email follows the [smtp] mailboxes, but for those at localhost */
	CHECK(load_text(&cfg, "[smtp]\nhostname = cert.example.net\n",
	    err, sizeof(err)) == 0);
	CHECK(cfg.contact_n_emails == 2);
	if (cfg.contact_n_emails == 2) {
		CHECK_STR(cfg.contact_emails[0], "ir@cert.example.net");
		CHECK_STR(cfg.contact_emails[1], "abuse@cert.example.net");
	}
	CHECK_STR(cfg.outbound_from, "ir@cert.example.net");
	config_free(&cfg);
	CHECK(load_text(&cfg, "[smtp]\nhostname = localhost\n[contact]\n"
	    "email =\n", err, sizeof(err)) == 0);
	CHECK(cfg.contact_n_emails == 2);
	if (cfg.contact_n_emails == 2) {
		CHECK_STR(cfg.contact_emails[0], "ir@localhost");
		CHECK_STR(cfg.contact_emails[1], "abuse@localhost");
	}
	config_free(&cfg);
	CHECK(load_text(&cfg, "[smtp]\nmailboxes = a@localhost, b@x.org, "
	    "c@localhost, d@y.org\n", err, sizeof(err)) == 0);
	CHECK(cfg.contact_n_emails == 2);
	if (cfg.contact_n_emails == 2) {
		CHECK_STR(cfg.contact_emails[0], "b@x.org");
		CHECK_STR(cfg.contact_emails[1], "d@y.org");
	}
	config_free(&cfg);
}

static void
test_outbound(void)
{
	struct config	cfg;
	char		err[512];

	CHECK(load_text(&cfg, "[outbound]\nsmarthost = Relay.Example.org:587\n"
	    "from = Intake-Receipts@Cert.Example.org\nstarttls = yes\n"
	    "user = intake\npassword = s3cret;x\nreceipts_per_address = 1\n"
	    "receipts_to = Authenticated\nmax_age = 1h\n",
	    err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK_STR(cfg.outbound_smarthost.text, "Relay.Example.org:587");
	CHECK_STR(cfg.outbound_smarthost.host, "relay.example.org");
	CHECK_STR(cfg.outbound_smarthost.port, "587");
	/* kept as written: the local part may be case-sensitive */
	CHECK_STR(cfg.outbound_from, "Intake-Receipts@Cert.Example.org");
	CHECK(cfg.outbound_starttls == 1);
	CHECK_STR(cfg.outbound_user, "intake");
	CHECK_STR(cfg.outbound_password, "s3cret;x");
	CHECK(cfg.outbound_receipts_per_address == 1);
	CHECK(cfg.outbound_receipts_to == CONFIG_RECEIPTS_AUTHENTICATED);
	CHECK(cfg.outbound_max_age == 3600);
	config_free(&cfg);

	/* address smarthosts; no TLS with a password on loopback only */
	CHECK(load_text(&cfg, "[outbound]\nsmarthost = [2001:db8::25]:25\n"
	    "receipts_to = all\n", err, sizeof(err)) == 0);
	CHECK_STR(cfg.outbound_smarthost.host, "2001:db8::25");
	CHECK_STR(cfg.outbound_smarthost.port, "25");
	CHECK(cfg.outbound_receipts_to == CONFIG_RECEIPTS_ALL);
	config_free(&cfg);
	CHECK(load_text(&cfg, "[outbound]\nsmarthost = 127.0.0.2:25\n"
	    "starttls = no\nuser = u\npassword = p\n", err, sizeof(err)) == 0);
	CHECK_STR(cfg.outbound_smarthost.host, "127.0.0.2");
	CHECK(cfg.outbound_starttls == 0);
	config_free(&cfg);
	CHECK(load_text(&cfg, "[outbound]\nsmarthost = [::1]:25\n"
	    "starttls = no\nuser = u\npassword = p\n", err, sizeof(err)) == 0);
	config_free(&cfg);
	CHECK(load_text(&cfg, "[outbound]\nsmarthost = LocalHost:25\n"
	    "starttls = no\nuser = u\npassword = p\n", err, sizeof(err)) == 0);
	CHECK_STR(cfg.outbound_smarthost.host, "localhost");
	config_free(&cfg);
	/* without a password, or without a smarthost, TLS is up to the site */
	CHECK(load_text(&cfg, "[outbound]\nsmarthost = relay.example.org:25\n"
	    "starttls = no\n", err, sizeof(err)) == 0);
	config_free(&cfg);
	CHECK(load_text(&cfg, "[outbound]\nstarttls = no\nuser = u\n"
	    "password = p\n", err, sizeof(err)) == 0);
	CHECK(cfg.outbound_smarthost.text == NULL);
	config_free(&cfg);
	/* an explicit empty from is the default */
	CHECK(load_text(&cfg, "[contact]\nemail = x@y.org\n[outbound]\nfrom =\n",
	    err, sizeof(err)) == 0);
	CHECK_STR(cfg.outbound_from, "x@y.org");
	config_free(&cfg);
}

static void
test_verify_forward_triage(void)
{
	static const struct {
		const char	*text;
		enum severity	 want;
	} sevs[] = {
		{ "low", SEV_LOW }, { "Medium", SEV_MEDIUM }, { "HIGH", SEV_HIGH },
		{ "critical", SEV_CRITICAL }, { "", SEV_UNSET },
	};
	struct config	cfg;
	char		text[256], err[512];
	size_t		i;

	CHECK(load_text(&cfg, "[verify]\nttl = 2s\n[triage]\nclaim_ttl = 7d\n"
	    "[forward]\nto = Ir@VNCERT.example.vn\n"
	    "categories = Phishing, malware , data-leak\n",
	    err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK(cfg.verify_ttl == 2 && cfg.triage_claim_ttl == 7 * 86400);
	CHECK_STR(cfg.forward_to, "Ir@VNCERT.example.vn");
	CHECK(cfg.forward_n_categories == 3);
	if (cfg.forward_n_categories == 3) {
		CHECK_STR(cfg.forward_categories[0], "phishing");
		CHECK_STR(cfg.forward_categories[1], "malware");
		CHECK_STR(cfg.forward_categories[2], "data-leak");
	}
	config_free(&cfg);

	for (i = 0; i < sizeof(sevs) / sizeof(sevs[0]); i++) {
		snprintf(text, sizeof(text), "[forward]\nmin_severity = %s\n",
		    sevs[i].text);
		CHECK(load_text(&cfg, text, err, sizeof(err)) == 0);
		CHECK(cfg.forward_min_severity == sevs[i].want);
		config_free(&cfg);
	}
	CHECK(load_text(&cfg, "[forward]\nto =\ncategories =\n", err,
	    sizeof(err)) == 0);
	CHECK(cfg.forward_to == NULL && cfg.forward_n_categories == 0);
	config_free(&cfg);
}

/* Categories are checked against [daemon] taxonomy when it is given. */
static void
test_forward_taxonomy(void)
{
	struct config	cfg;
	char		tax[64], text[256], err[512], want[512];

	snprintf(tax, sizeof(tax), "%s", write_tmp(
	    "code\tcause\tmau05\tlabel_vi\tlabel_en\trsit_taxonomy\t"
	    "rsit_type\tseverity\n"
	    "local-thing\tother\t\tVi\xe1\xbb\x87" "c\tThing\tother\t"
	    "other\tlow\n"));
	snprintf(text, sizeof(text), "[daemon]\ntaxonomy = %s\n[forward]\n"
	    "categories = Local-Thing\n", tax);
	CHECK(load_text(&cfg, text, err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK(cfg.forward_n_categories == 1);
	config_free(&cfg);

	/* phishing is in the embedded taxonomy, not in this one */
	snprintf(text, sizeof(text), "[daemon]\ntaxonomy = %s\n[forward]\n"
	    "categories = local-thing, phishing\n", tax);
	CHECK(load_text(&cfg, text, err, sizeof(err)) == -1);
	snprintf(want, sizeof(want), "%s:4: forward.categories: not in the "
	    "taxonomy %s: phishing", tmp_path, tax);
	CHECK_STR(err, want);

	/* a taxonomy that does not parse is named when categories need it */
	unlink(tax);
	snprintf(tax, sizeof(tax), "%s", write_tmp("code\tcause\n"
	    "bad code\tother\t\tx\tx\tx\tx\tlow\n"));
	snprintf(text, sizeof(text), "[daemon]\ntaxonomy = %s\n[forward]\n"
	    "categories = phishing\n", tax);
	CHECK(load_text(&cfg, text, err, sizeof(err)) == -1);
	snprintf(want, sizeof(want), "%s:2: daemon.taxonomy: %s: line 2: ",
	    tmp_path, tax);
	CHECK(strncmp(err, want, strlen(want)) == 0);
	if (strncmp(err, want, strlen(want)) != 0)
		printf("  %s\n", err);
	unlink(tax);
}

static char tz_dir[64];

/* A zoneinfo directory of our own for $TZDIR: Asia/Ho_Chi_Minh and UTC
 * (only their magic matters), a table that is not a zone file, and a
 * directory. */
static void
tz_setup(void)
{
	static const char *const zones[] = { "Asia/Ho_Chi_Minh", "UTC",
	    "Etc/GMT-7" };
	char	path[128];
	FILE	*fp;
	size_t	i;

	snprintf(tz_dir, sizeof(tz_dir), "/tmp/test_config.tz.XXXXXX");
	if (mkdtemp(tz_dir) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(path, sizeof(path), "%s/Asia", tz_dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/Etc", tz_dir);
	mkdir(path, 0700);
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tz_dir, zones[i]);
		if ((fp = fopen(path, "w")) == NULL) {
			perror(path);
			exit(2);
		}
		fputs("TZif2\n", fp);
		fclose(fp);
	}
	snprintf(path, sizeof(path), "%s/zone.tab", tz_dir);
	if ((fp = fopen(path, "w")) != NULL) {
		fputs("# comment\n", fp);
		fclose(fp);
	}
	setenv("TZDIR", tz_dir, 1);
}

static void
tz_cleanup(void)
{
	static const char *const files[] = { "Asia/Ho_Chi_Minh", "UTC",
	    "Etc/GMT-7", "zone.tab", "Asia", "Etc" };
	char	path[128];
	size_t	i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tz_dir, files[i]);
		remove(path);
	}
	rmdir(tz_dir);
}

static void
test_timezone(void)
{
	static const struct {
		const char	*zone;
		const char	*why;	/* after the file looked up */
	} bad[] = {
		{ "Mars/Olympus_Mons", ": No such file or directory)" },
		{ "ICT-7", ": No such file or directory)" },
		{ "asia/ho_chi_minh", ": No such file or directory)" },
		{ "Asia", " is not a zoneinfo file)" },
		{ "zone.tab", " is not a zoneinfo file)" },
	};
	struct config	cfg;
	char		text[256], err[512], want[512];
	size_t		i;

	CHECK(load_text(&cfg, "[stats]\ntimezone = UTC\n", err,
	    sizeof(err)) == 0);
	CHECK_STR(cfg.stats_timezone, "UTC");
	config_free(&cfg);
	CHECK(load_text(&cfg, "[stats]\ntimezone = Etc/GMT-7\n", err,
	    sizeof(err)) == 0);
	CHECK_STR(cfg.stats_timezone, "Etc/GMT-7");
	config_free(&cfg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[stats]\ntimezone = %s\n",
		    bad[i].zone);
		CHECK(load_text(&cfg, text, err, sizeof(err)) == -1);
		snprintf(want, sizeof(want), "%s:2: stats.timezone: unknown "
		    "time zone (%s/%s%s", tmp_path, tz_dir, bad[i].zone,
		    bad[i].why);
		CHECK_STR(err, want);
	}

	/* the machine's own tzdata, when it has one, without $TZDIR */
	unsetenv("TZDIR");
	if (access("/usr/share/zoneinfo/Asia/Ho_Chi_Minh", R_OK) == 0) {
		CHECK(load_text(&cfg, "[stats]\ntimezone = Asia/Ho_Chi_Minh\n",
		    err, sizeof(err)) == 0);
		CHECK_STR(err, "");
		config_free(&cfg);
		CHECK(load_text(&cfg, "[stats]\ntimezone = Asia/Nowhere\n",
		    err, sizeof(err)) == -1);
		snprintf(want, sizeof(want), "%s:2: stats.timezone: unknown "
		    "time zone (/usr/share/zoneinfo/Asia/Nowhere: No such file "
		    "or directory)", tmp_path);
		CHECK_STR(err, want);
	} else
		T_SKIP("no /usr/share/zoneinfo/Asia/Ho_Chi_Minh (tzdata)");
	setenv("TZDIR", tz_dir, 1);
}

static void
test_tls_files(void)
{
	struct config	cfg;
	char		cert[64], key[64], text[256], err[512];

	snprintf(cert, sizeof(cert), "%s", write_tmp("cert\n"));
	snprintf(key, sizeof(key), "%s", write_tmp("key\n"));
	snprintf(text, sizeof(text), "[tls]\ncert = %s\nkey = %s\n", cert, key);
	CHECK(load_text(&cfg, text, err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK_STR(cfg.tls_cert, cert);
	CHECK_STR(cfg.tls_key, key);
	config_free(&cfg);
	unlink(cert);
	unlink(key);
}

static void
test_unreadable(void)
{
	struct config	cfg;
	char		err[512];

	memset(&cfg, 0xa5, sizeof(cfg));
	CHECK(config_load(&cfg, "/nonexistent/intaked.conf", err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "/nonexistent/intaked.conf: cannot open: "
	    "No such file or directory");
	CHECK(cfg.data_dir == NULL);
	CHECK(config_load(&cfg, "/tmp", err, sizeof(err)) == -1);
	CHECK_STR(err, "/tmp: read error: Is a directory");

	/* permissions only bind when not root */
	if (geteuid() != 0) {
		write_tmp("[line]\n");
		chmod(tmp_path, 0);
		CHECK(config_load(&cfg, tmp_path, err, sizeof(err)) == -1);
		CHECK(strstr(err, ": cannot open: Permission denied") != NULL);
		unlink(tmp_path);
	}
}

static void
test_long_line(void)
{
	struct config	 cfg;
	char		*text, err[512], want[128];
	size_t		 n;

	text = malloc(6000);
	n = snprintf(text, 6000, "[http]\npublic_url = https://x/");
	memset(text + n, 'a', 5000);
	memcpy(text + n + 5000, "\n", 2);
	CHECK(load_text(&cfg, text, err, sizeof(err)) == -1);
	snprintf(want, sizeof(want), "%s:2: line longer than 4093 bytes",
	    tmp_path);
	CHECK_STR(err, want);
	free(text);
}

static char *
dump_to_string(const struct config *cfg)
{
	char	*buf = NULL, *body;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	config_dump(cfg, fp);
	fclose(fp);
	/* drop the first line: it names the file */
	body = strdup(strchr(buf, '\n') + 1);
	free(buf);
	return body;
}

/* Dump a config, load the dump, dump again: the two must be equal. */
static void
test_dump_roundtrip(void)
{
	struct config	cfg, back;
	char		*a, *b, *buf = NULL, err[512];
	size_t		 len = 0;
	FILE		*fp;

	CHECK(load_text(&cfg, "[smtp]\ntls_listen = [::1]:4650\n"
	    "mailboxes = a@b.org, c@d.org\nidle_timeout = 61\n"
	    "max_message = 3000\ntrusted_upstreams = mx.b.org\n"
	    "[store]\nmax_size = 2M\n[line]\nrequire_auth = no\n"
	    "[http]\nmetrics_from = 10.0.0.0/8, 2001:DB8::/48\n"
	    "max_sessions = 7\nmax_per_ip = 3\nidle_timeout = 90\n"
	    "request_timeout = 2m\nmax_body = 3073k\n"
	    "max_header_bytes = 10000\nmax_attachments = 0\n"
	    "max_attachment_bytes = 2M\nform_rate_per_ip = 21\n"
	    "form_rate_per_address = 2\n"
	    "[contact]\norganization = CERT Vi\xe1\xbb\x87t Nam\n"
	    "email = B@x.org, a@x.org\nphone = +84 1900 0000\n"
	    "hours = Mon-Fri 8:00-17:00\n"
	    "encryption = https://x.org/k.asc\npolicy = https://x.org/p\n"
	    "expires = 25h\nlanguages = en\n"
	    "[outbound]\nsmarthost = [::1]:2587\nfrom = Out@x.org\n"
	    "starttls = no\nuser = u\npassword = p w\n"
	    "receipts_per_address = 9\nreceipts_to = authenticated\n"
	    "max_age = 36h\n"
	    "[verify]\nttl = 100\n"
	    "[forward]\nto = c@vncert.example.vn\n"
	    "categories = malware, phishing\nmin_severity = critical\n"
	    "[triage]\nclaim_ttl = 45m\n"
	    "[stats]\ntimezone = UTC\n",
	    err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	fp = open_memstream(&buf, &len);
	config_dump(&cfg, fp);
	fclose(fp);
	CHECK(strstr(buf, "[smtp]\n") != NULL);
	CHECK(strstr(buf, "\nmailboxes = a@b.org, c@d.org\n") != NULL);
	CHECK(strstr(buf, "\nidle_timeout = 61s\n") != NULL);
	CHECK(strstr(buf, "\nmax_size = 2M\n") != NULL);
	CHECK(strstr(buf, "\nrequire_auth = no\n") != NULL);
	CHECK(strstr(buf, "\nwindow = 1d\n") != NULL);
	CHECK(strstr(buf, "\n[http]\nform_rate_per_address = 2\n"
	    "form_rate_per_ip = 21\nidle_timeout = 90s\n") != NULL);
	CHECK(strstr(buf, "\nmax_attachment_bytes = 2M\nmax_attachments = 0\n"
	    "max_body = 3073k\nmax_header_bytes = 10000\nmax_per_ip = 3\n"
	    "max_sessions = 7\nmetrics_from = 10.0.0.0/8, 2001:db8::/48\n")
	    != NULL);
	CHECK(strstr(buf, "\nrequest_timeout = 2m\n") != NULL);
	CHECK(strstr(buf, "\n[contact]\nemail = b@x.org, a@x.org\n"
	    "encryption = https://x.org/k.asc\nexpires = 25h\n"
	    "hours = Mon-Fri 8:00-17:00\nlanguages = en\n"
	    "organization = CERT Vi\xe1\xbb\x87t Nam\nphone = +84 1900 0000\n"
	    "policy = https://x.org/p\n") != NULL);
	CHECK(strstr(buf, "\n[outbound]\nfrom = Out@x.org\nmax_age = 36h\n"
	    "password = p w\nreceipts_per_address = 9\n"
	    "receipts_to = authenticated\nretry_first = 30s\n"
	    "smarthost = [::1]:2587\n"
	    "starttls = no\nuser = u\n") != NULL);
	CHECK(strstr(buf, "\n[verify]\nttl = 100s\n") != NULL);
	CHECK(strstr(buf, "\n[forward]\ncategories = malware, phishing\n"
	    "min_severity = critical\nto = c@vncert.example.vn\n") != NULL);
	CHECK(strstr(buf, "\n[triage]\nclaim_ttl = 45m\n") != NULL);
	CHECK(strstr(buf, "\n[stats]\ntimezone = UTC\n") != NULL);
	CHECK(load_text(&back, buf, err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	a = dump_to_string(&cfg);
	b = dump_to_string(&back);
	CHECK_STR(a, b);
	free(a);
	free(b);
	free(buf);
	config_free(&back);
	config_free(&cfg);
}

/* Values that dump as empty read back as the same, not as a default. */
static void
test_dump_roundtrip_empty(void)
{
	struct config	cfg, back;
	char		*a, *b, err[512];
	FILE		*fp;
	char		*buf = NULL;
	size_t		 len = 0;

	CHECK(load_text(&cfg, "[http]\nmetrics_from =\n[contact]\n"
	    "languages =\n[forward]\nmin_severity =\n", err,
	    sizeof(err)) == 0);
	fp = open_memstream(&buf, &len);
	config_dump(&cfg, fp);
	fclose(fp);
	CHECK(strstr(buf, "\nmetrics_from =\n") != NULL);
	CHECK(strstr(buf, "\nlanguages =\n") != NULL);
	CHECK(strstr(buf, "\nmin_severity =\n") != NULL);
	CHECK(load_text(&back, buf, err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK(back.http_n_metrics_from == 0 && back.contact_n_languages == 0 &&
	    back.forward_min_severity == SEV_UNSET);
	a = dump_to_string(&cfg);
	b = dump_to_string(&back);
	CHECK_STR(a, b);
	free(a);
	free(b);
	free(buf);
	config_free(&back);
	config_free(&cfg);
}

/* Every "#key = default" line of the example, uncommented. */
static char *
uncomment_example(void)
{
	char	 line[1024], *buf = NULL;
	size_t	 len = 0;
	FILE	*in = fopen(EXAMPLE_CONF, "r"), *out;

	if (in == NULL)
		return NULL;
	out = open_memstream(&buf, &len);
	while (fgets(line, sizeof(line), in) != NULL) {
		if (line[0] == '#' && islower((unsigned char)line[1]) &&
		    strstr(line, " =") != NULL)
			fputs(line + 1, out);
		else
			fputs(line, out);
	}
	fclose(in);
	fclose(out);
	return buf;
}

/* "section.key" of every "key =" line of an INI text, one per line. */
static char *
ini_keys(const char *text)
{
	char		*buf = NULL, section[64] = "";
	const char	*p, *eq, *nl;
	size_t		 len = 0;
	FILE		*out = open_memstream(&buf, &len);

	for (p = text; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if (*p == '[' && memchr(p, ']', nl - p) != NULL)
			snprintf(section, sizeof(section), "%.*s",
			    (int)((const char *)memchr(p, ']', nl - p) - p - 1),
			    p + 1);
		else if (islower((unsigned char)*p) &&
		    (eq = memchr(p, '=', nl - p)) != NULL)
			fprintf(out, "%s.%.*s\n", section,
			    (int)(eq - p - 1), p);
		if (*nl == '\0')
			break;
	}
	fclose(out);
	return buf;
}

/* Every key intaked knows is documented in the example, in its section. */
static void
test_example_documents_every_key(void)
{
	struct config	 def;
	char		*text, *dump, *have, *want, *line, *save = NULL;
	char		 needle[128], *hay;

	if ((text = uncomment_example()) == NULL) {
		CHECK(text != NULL);
		return;
	}
	config_defaults(&def);
	dump = dump_to_string(&def);
	have = ini_keys(text);
	if (asprintf(&hay, "\n%s", have) == -1)
		abort();
	want = ini_keys(dump);
	CHECK(strstr(want, "\nstats.timezone\n") != NULL);
	for (line = strtok_r(want, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		snprintf(needle, sizeof(needle), "\n%s\n", line);
		if (strstr(hay, needle) == NULL) {
			CHECK(!"key documented in " EXAMPLE_CONF);
			printf("  not documented: %s\n", line);
		} else
			CHECK(1);
	}
	free(hay);
	free(text);
	free(dump);
	free(have);
	free(want);
	config_free(&def);
}

static void
test_example_conf(void)
{
	struct config	cfg, def;
	char		err[512], *text, *a, *b;
	int		rc;

	rc = config_load(&cfg, EXAMPLE_CONF, err, sizeof(err));
	CHECK(rc == 0);
	if (rc != 0)
		printf("  %s\n", err);
	else
		config_free(&cfg);

	/* the defaults it documents are the real ones */
	text = uncomment_example();
	CHECK(text != NULL && strstr(text, "\nlisten = 127.0.0.1:4119\n"));
	if (text == NULL)
		return;
	rc = load_text(&cfg, text, err, sizeof(err));
	CHECK(rc == 0);
	if (rc != 0) {
		printf("  %s\n", err);
		free(text);
		return;
	}
	config_defaults(&def);
	a = dump_to_string(&cfg);
	b = dump_to_string(&def);
	CHECK_STR(a, b);
	free(a);
	free(b);
	free(text);
	config_free(&def);
	config_free(&cfg);
}

int
main(void)
{
	test_defaults();
	test_empty_file();
	test_listen();
	test_bool_duration_size();
	test_strings_and_lists();
	tz_setup();
	test_http();
	test_metrics_from();
	test_contact();
	test_outbound();
	test_verify_forward_triage();
	test_forward_taxonomy();
	test_timezone();
	test_tls_files();
	test_bad_cases();
	test_unreadable();
	test_long_line();
	test_dump_roundtrip();
	test_dump_roundtrip_empty();
	test_example_documents_every_key();
	test_example_conf();
	tz_cleanup();
	return t_done();
}
