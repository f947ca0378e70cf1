/*
 * test_config.c - config_load() against small files written to /tmp: the
 * defaults, every value type good and bad, comments, unknown and repeated
 * keys, the exact "FILE:LINE: key: why" errors, the second-pass checks,
 * config_dump() read back, and conf/intaked.conf (run from the repository
 * root) both as shipped and with every documented default uncommented.
 */
#include <sys/stat.h>

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
	config_free(&cfg);
	CHECK(cfg.data_dir == NULL && cfg.smtp_mailboxes == NULL);
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
	    "[store]\nmax_size = 2M\n[line]\nrequire_auth = no\n",
	    err, sizeof(err)) == 0);
	fp = open_memstream(&buf, &len);
	config_dump(&cfg, fp);
	fclose(fp);
	CHECK(strstr(buf, "[smtp]\n") != NULL);
	CHECK(strstr(buf, "\nmailboxes = a@b.org, c@d.org\n") != NULL);
	CHECK(strstr(buf, "\nidle_timeout = 61s\n") != NULL);
	CHECK(strstr(buf, "\nmax_size = 2M\n") != NULL);
	CHECK(strstr(buf, "\nrequire_auth = no\n") != NULL);
	CHECK(strstr(buf, "\nwindow = 1d\n") != NULL);
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
	test_tls_files();
	test_bad_cases();
	test_unreadable();
	test_long_line();
	test_dump_roundtrip();
	test_example_conf();
	return t_done();
}
