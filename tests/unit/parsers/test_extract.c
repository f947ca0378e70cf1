/*
 * test_extract.c - the free-text indicator extractor (extract.h): a table of
 * English and Vietnamese sentences with the indicators each must yield,
 * defanged forms, false positives, limits, hostile inputs (linear time),
 * threads sharing one extractor, and the sample texts of ../shared/corpora
 * (or $INTAKED_CORPORA), skipped when absent.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "extract.h"
#include "t.h"

#define MB	(1024 * 1024)

struct xcase {
	const char	*text;
	const char	*want;	/* "type value|type value", in text order */
};

static const struct xcase xcases[] = {
	/* English prose */
	{ "Attack from 198.51.100.23 against our web server.",
	    "ipv4 198.51.100.23" },
	{ "Phishing page at https://secure-login.example.com/verify?id=42 "
	    "sent by billing@paypa1-support.com",
	    "url https://secure-login.example.com/verify?id=42|"
	    "email billing@paypa1-support.com" },
	/* Vietnamese, diacritics right against the indicators */
	{ "Máy chủ 203.0.113.5 bị tấn công từ evil-bank.vn",
	    "ipv4 203.0.113.5|domain evil-bank.vn" },
	{ "Địa chỉ IP:203.0.113.7, tên miền “lừa-đảo.vn”.",
	    "ipv4 203.0.113.7|domain xn--la-o-2ua4356bkoa.vn" },
	{ "Trang giả mạo “https://vietcombank-xacthuc.top/login” đã bị "
	    "chặn; liên hệ soc@cert.gov.vn để biết thêm.",
	    "url https://vietcombank-xacthuc.top/login|"
	    "email soc@cert.gov.vn" },
	{ "Mã băm SHA256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934c"
	    "a495991b7852b855 (tệp độc hại)",
	    "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca49599"
	    "1b7852b855" },
	{ "Tên miền bưuđiện.vn giả mạo", "domain xn--buin-1ua66gr30m.vn" },
	{ "Trang giả mạo ởhttps://evil.vn/x ngay", "url https://evil.vn/x" },
	/* defanged */
	{ "hxxps[:]//evil[.]example[.]com/a?b=1",
	    "url https://evil.example.com/a?b=1" },
	{ "hXXp://198.51.100.9/x.exe", "url http://198.51.100.9/x.exe" },
	{ "hxxp[://]bad.example.net/", "url http://bad.example.net/" },
	{ "fxp://files.example.net/pub", "url ftp://files.example.net/pub" },
	{ "C2 at evil[dot]com and 203.0.113[.]9 and evil2(.)org",
	    "domain evil.com|ipv4 203.0.113.9|domain evil2.org" },
	{ "write to admin [at] phish [dot] vn or user[@]mail[.]ru",
	    "email admin@phish.vn|email user@mail.ru" },
	{ "bad{.}example{.}org", "domain bad.example.org" },
	/* IPv6 */
	{ "source 2001:db8::1 port 22", "ipv6 2001:db8::1" },
	{ "2001:0DB8:0000:0000:0000:0000:0000:0001.", "ipv6 2001:db8::1" },
	{ "loopback ::1, mapped ::ffff:192.0.2.1",
	    "ipv6 ::1|ipv6 ::ffff:192.0.2.1" },
	{ "[2001:db8::2]:443 and 2001:db8:1::/48",
	    "ipv6 2001:db8::2|ipv6 2001:db8:1::" },
	{ "Received: from x (x [IPv6:fdbb:9767:697f:db4b::1])",
	    "ipv6 fdbb:9767:697f:db4b::1" },
	{ "zone fe80::1%eth0 at 10:30:45, MAC 00:1a:2b:3c:4d:5e, "
	    "std::vector, ::", "" },
	/* URLs and the punctuation around them */
	{ "(see https://x.example/a).", "url https://x.example/a" },
	{ "https://en.wikipedia.org/wiki/Foo_(bar) is a page",
	    "url https://en.wikipedia.org/wiki/Foo_(bar)" },
	{ "Visit http://example.com/path, then <http://example.org/>!",
	    "url http://example.com/path|url http://example.org/" },
	{ "'https://a.example/x' and url=\"http://nacions.com/\"",
	    "url https://a.example/x|url http://nacions.com/" },
	{ "http://example.com:80/x and http://[2001:db8::3]:8080/y",
	    "url http://example.com/x|url http://[2001:db8::3]:8080/y" },
	/* the host of a URL or an address is not a domain of its own ... */
	{ "http://evil.example/x and ops@corp.example.net",
	    "url http://evil.example/x|email ops@corp.example.net" },
	/* ... but the same name written alone is */
	{ "evil.example.com then http://evil.example.com/x",
	    "domain evil.example.com|url http://evil.example.com/x" },
	/* e-mail */
	{ "Contact abuse@example.org.", "email abuse@example.org" },
	{ "From: Nguyen.Van.A@Example.COM", "email Nguyen.Van.A@example.com" },
	{ "mailto:soc@cert.vn", "email soc@cert.vn" },
	{ "user@localhost, a@b.c, x@1.2.3.4", "" },
	/* hashes: exact lengths, not a sub-run of a longer one */
	{ "md5 D41D8CD98F00B204E9800998ECF8427E sha1 da39a3ee5e6b4b0d3255bfe"
	    "f95601890afd80709",
	    "md5 d41d8cd98f00b204e9800998ecf8427e|"
	    "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709" },
	{ "d41d8cd98f00b204e9800998ecf8427e0 (33) and 0xd41d8cd98f00b204e98"
	    "00998ecf8427e and d41d8cd98f00b204e9800998ecf8427eg", "" },
	{ "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8551",
	    "" },
	/* CVE */
	{ "patch cve-2021-44228 and CVE-2014-0160. CVE-2021-1234567",
	    "cve CVE-2021-44228|cve CVE-2014-0160|cve CVE-2021-1234567" },
	{ "CVE-1998-0001 XCVE-2021-44228 CVE-2021-123", "" },
	/* false positives that must not match */
	{ "version 1.2.3, v2.10.4.5, 10.0.0.1.5, Q1.2024", "" },
	{ "invoice.pdf readme.txt file.txt photo.JPG setup.exe doc.zip", "" },
	{ "e.g. i.e. U.S. v.v. TP.HN tp.Hcm install.sh README.md x.py", "" },
	{ "999.1.1.1 01.02.03.04 256.0.0.1", "" },
	{ "tấn công.Do đó Evil.Vn", "" },
	/* accepted: four dotted numbers are an address */
	{ "version 1.2.3.4", "ipv4 1.2.3.4" },
	{ "EVIL.COM, www.evil.sh/login.php", "domain evil.com|"
	    "domain www.evil.sh" },
	/* duplicates merged */
	{ "1.2.3.4 and 1.2.3.4, EVIL.com evil.COM evil[.]com",
	    "ipv4 1.2.3.4|domain evil.com" },
	/* invalid UTF-8 is a separator, never part of an indicator */
	{ "\xff" "198.51.100.1\xfe" "evil.com\xc3", "ipv4 198.51.100.1|"
	    "domain evil.com" },
	{ "", "" },
};

/* "type value|type value" for what r holds, into buf. */
static const char *
x_dump(const struct report *r, char *buf, size_t len)
{
	size_t	i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < r->n_indicators && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s %s", i ? "|" : "",
		    ind_type_name(r->indicators[i].type),
		    r->indicators[i].value);
	return buf;
}

static int
x_run(const struct extractor *ex, const char *text, size_t len,
    struct report *r, size_t max)
{
	report_init(r);
	return extractor_run(ex, text, len, NULL, r, max);
}

static void
test_table(const struct extractor *ex)
{
	struct report	 r;
	const char	*p;
	char		 got[4096];
	size_t		 i, want_n;
	int		 n;

	for (i = 0; i < sizeof(xcases) / sizeof(xcases[0]); i++) {
		const struct xcase *c = &xcases[i];

		n = x_run(ex, c->text, strlen(c->text), &r, 100);
		want_n = c->want[0] == '\0' ? 0 : 1;
		for (p = c->want; (p = strchr(p, '|')) != NULL; p++)
			want_n++;
		CHECK(n == (int)r.n_indicators);
		CHECK(n == (int)want_n);
		x_dump(&r, got, sizeof(got));
		if (strcmp(got, c->want) != 0)
			printf("case %zu: \"%s\"\n", i, c->text);
		CHECK_STR(got, c->want);
		report_free(&r);
	}
}

static void
test_refang_and_tlds(void)
{
	char	out[128];
	size_t	n;

	n = extract_refang("hxxp[:]//a[.]b", 14, out);
	CHECK_STR(out, "http://a.b");
	CHECK(n == 10);
	extract_refang("x [at] y [dot] z (AT) w", 23, out);
	CHECK_STR(out, "x@y.z@w");
	extract_refang("ahxxp://x shxxp", 15, out);
	CHECK_STR(out, "ahxxp://x shxxp");
	extract_refang("a\xff" "b\xe1\xba\xa1" "c\xe1\xba", 9, out);
	CHECK_STR(out, "a b\xe1\xba\xa1" "c  ");
	extract_refang("[.", 2, out);
	CHECK_STR(out, "[.");
	CHECK(extract_tld_known("com", 3));
	CHECK(extract_tld_known("VN", 2));
	CHECK(extract_tld_known("xn--p1ai", 8));
	CHECK(extract_tld_known("top", 3));
	CHECK(!extract_tld_known("txt", 3));
	CHECK(!extract_tld_known("zip", 3));
	CHECK(!extract_tld_known("c", 1));
	CHECK(!extract_tld_known("1a", 2));
	CHECK(!extract_tld_known("zz", 2));
	CHECK(!extract_tld_known("xn--", 4));
}

static void
test_limits(const struct extractor *ex)
{
	static const char	 text[] = "1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4 "
	    "5.5.5.5 http://example.com/a-rather-long-path-name";
	struct report_limits	 lim;
	struct report_error	 err;
	struct report		 r;

	/* max_indicators counts what this call adds */
	CHECK(x_run(ex, text, strlen(text), &r, 2) == 2);
	CHECK(r.n_indicators == 2);
	report_free(&r);
	CHECK(x_run(ex, text, strlen(text), &r, 0) == 0);
	CHECK(r.n_indicators == 0);
	report_free(&r);

	/* duplicates of what the report holds are not counted */
	report_init(&r);
	CHECK(report_add_indicator(&r, NULL, IND_IPV4, "3.3.3.3", 7,
	    &err) == 0);
	CHECK(extractor_run(ex, text, strlen(text), NULL, &r, 100) == 5);
	CHECK(r.n_indicators == 6);
	report_free(&r);

	/* the report's own cap stops the scan without an error */
	report_limits_default(&lim);
	lim.indicators_max = 3;
	report_init(&r);
	CHECK(report_add_indicator(&r, &lim, IND_IPV4, "9.9.9.9", 7,
	    &err) == 0);
	CHECK(extractor_run(ex, text, strlen(text), &lim, &r, 100) == 2);
	CHECK(r.n_indicators == 3);
	report_free(&r);

	/* a candidate longer than field_max is skipped, not an error */
	report_limits_default(&lim);
	lim.field_max = 20;
	report_init(&r);
	CHECK(extractor_run(ex, text, strlen(text), &lim, &r, 100) == 5);
	CHECK(r.n_indicators == 5);
	report_free(&r);

	/* embedded NUL bytes do not end the text */
	CHECK(x_run(ex, "1.2.3.4\0 5.6.7.8", 16, &r, 100) == 2);
	report_free(&r);
}

/*
 * CPU time of this thread: unlike the wall clock it does not count the
 * time other processes hold the CPU, which on a shared machine is noise.
 */
static double
x_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *
x_repeat(const char *unit, size_t total)
{
	size_t	 i, u = strlen(unit);
	char	*b;

	if ((b = malloc(total + 1)) == NULL)
		return NULL;
	for (i = 0; i < total; i++)
		b[i] = unit[i % u];
	b[total] = '\0';
	return b;
}

/* Best of three runs over text[0..len), in seconds; *n gets the result. */
static double
x_time(const struct extractor *ex, const char *text, size_t len, int *n)
{
	struct report	r;
	double		t0, dt, best = 1e9;
	int		k;

	for (k = 0; k < 3; k++) {
		t0 = x_now();
		*n = x_run(ex, text, len, &r, 1000);
		dt = x_now() - t0;
		report_free(&r);
		if (dt < best)
			best = dt;
	}
	return best;
}

/*
 * Hostile runs of 1 MB find nothing (or the one name they repeat), and take
 * about four times as long as 256 KB: linear, where a quadratic scan would
 * take sixteen. Caches make small runs look worse than linear, so a ratio
 * is only judged once the 1 MB run takes 50 ms (a quadratic one takes
 * seconds).
 */
static void
test_hostile(const struct extractor *ex)
{
	static const struct {
		const char	*unit;
		int		 want;
	} runs[] = {
		{ "a.a.", 0 }, { "1.1.", 0 }, { "0123456789abcdef", 0 },
		{ "::::", 0 }, { "a@a.", 0 }, { "a.b@", 0 }, { "1:1.1.", 0 },
		{ "x-", 0 }, { "[.]", 0 }, { "hxxp[.]", 0 }, { "\xff\xfe.", 0 },
		{ "1.2.3.4.", 0 }, { "http://", 0 }, { " a.vn", 1 },
	};
	double	small, big;
	size_t	i;
	int	n;
	char	*b;

	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		if ((b = x_repeat(runs[i].unit, MB)) == NULL) {
			CHECK(!"out of memory");
			return;
		}
		small = x_time(ex, b, MB / 4, &n);
		CHECK(n == runs[i].want);
		big = x_time(ex, b, MB, &n);
		CHECK(n == runs[i].want);
		if (big >= 0.05 && big / small >= 10.0)
			printf("FAIL hostile \"%s\": 256 KB %.1f ms, "
			    "1 MB %.1f ms\n", runs[i].unit, small * 1e3,
			    big * 1e3);
		CHECK(big < 0.05 || big / small < 10.0);
		free(b);
	}
}

/* The throughput on 1 MB of mixed Vietnamese and English text. */
static void
test_throughput(const struct extractor *ex)
{
	static const char	mixed[] =
	    "Kính gửi VNCERT, máy chủ 203.0.113.5 của chúng tôi bị tấn công "
	    "từ evil-bank.vn và hxxp://phish[.]example.com/login.php?id=1 "
	    "(xem https://x.example/a). Mã độc: d41d8cd98f00b204e9800998ecf"
	    "8427e, liên hệ admin@example.org. Lỗ hổng CVE-2021-44228 trên "
	    "2001:db8::5. The attacker at 198.51.100.23 scanned ports 22, 80 "
	    "and 443 between 10:30 and 11:45; version 1.2.3 of readme.txt "
	    "says nothing useful about it. ";
	double	 dt;
	int	 n;
	char	*b;

	if ((b = x_repeat(mixed, MB)) == NULL) {
		CHECK(!"out of memory");
		return;
	}
	dt = x_time(ex, b, MB, &n);
	CHECK(n == 9);
	printf("throughput: %.1f MB/s (CPU time) on 1 MB of mixed text (%s)\n",
	    1.0 / dt, extractor_has_jit(ex) ? "JIT" : "interpreter");
	free(b);
}

struct x_thread {
	const struct extractor	*ex;
	const char		*text;
	char			 got[4096];
	int			 n;
};

static void *
x_thread_main(void *arg)
{
	struct x_thread	*xt = arg;
	struct report	 r;
	int		 k;

	for (k = 0; k < 200; k++) {
		xt->n = x_run(xt->ex, xt->text, strlen(xt->text), &r, 100);
		x_dump(&r, xt->got, sizeof(xt->got));
		report_free(&r);
	}
	return NULL;
}

/* Two threads share one extractor and get what one thread gets. */
static void
test_threads(const struct extractor *ex)
{
	struct x_thread	xt[2];
	pthread_t	tid[2];
	int		i;

	for (i = 0; i < 2; i++) {
		xt[i].ex = ex;
		xt[i].text = xcases[i + 2].text;
		CHECK(pthread_create(&tid[i], NULL, x_thread_main,
		    &xt[i]) == 0);
	}
	for (i = 0; i < 2; i++) {
		CHECK(pthread_join(tid[i], NULL) == 0);
		CHECK_STR(xt[i].got, xcases[i + 2].want);
	}
}

static char *
x_slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*b;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (b = malloc(n + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	*len = fread(b, 1, n, f);
	b[*len] = '\0';
	fclose(f);
	return b;
}

static int
x_has(const struct report *r, enum ind_type type, const char *value)
{
	size_t	i;

	for (i = 0; i < r->n_indicators; i++)
		if (r->indicators[i].type == type &&
		    strcmp(r->indicators[i].value, value) == 0)
			return 1;
	return 0;
}

/* Indicators one can read in the sample texts, and names that must not be. */
static void
test_corpora(const struct extractor *ex)
{
	static const struct {
		const char	*file;
		enum ind_type	 type;
		const char	*value;
		int		 present;
	} want[] = {
		{ "abuseio/google/Safe_Browsing_Report_1.eml", IND_URL,
		    "http://nacions.com/wordpress/", 1 },
		{ "abuseio/google/Safe_Browsing_Report_1.eml", IND_IPV4,
		    "10.0.2.23", 1 },
		{ "abuseio/google/Safe_Browsing_Report_1.eml", IND_URL,
		    "http://10.0.2.26:2222/CMD_FILE_MANAGER/domains/derada.com/"
		    "public_html/wp-content/themes/econature/framework/class",
		    1 },
		{ "abuseio/google/Safe_Browsing_Report_1.eml", IND_EMAIL,
		    "noreply@google.com", 1 },
		{ "abuseio/google/Safe_Browsing_Report_1.eml", IND_DOMAIN,
		    "nacions.com", 0 },
		{ "abuseio/google/Safe_Browsing_Report_1.eml", IND_DOMAIN,
		    "derada.com", 0 },
		{ "abuseio/google/Safe_Browsing_Report_2.eml", IND_IPV6,
		    "fdf1:cb9d:f59e:19b0:ff3:567:0:30", 1 },
		{ "abuseio/webiron/Webiron_Example_1.eml", IND_IPV4,
		    "172.16.31.20", 1 },
		{ "abuseio/webiron/Webiron_Example_1.eml", IND_URL,
		    "https://www.webiron.com/abuse-soc-issues.html", 1 },
		{ "abuseio/webiron/Webiron_Example_1.eml", IND_EMAIL,
		    "support@webiron.com", 1 },
		{ "abuseio/webiron/Webiron_Example_1.eml", IND_IPV6,
		    "fdbb:9767:697f:db4b::1", 1 },
		{ "intelmq/feeds/drop.txt", IND_IPV4, "1.4.0.0", 1 },
		{ "intelmq/feeds/drop.txt", IND_IPV6, "2a06:e480::", 1 },
		{ "intelmq/feeds/drop.txt", IND_URL,
		    "http://www.spamhaus.org/drop/drop.txt", 1 },
	};
	const char	*dir = getenv("INTAKED_CORPORA");
	char		 path[1024], *text;
	struct report	 r;
	size_t		 i, len, found = 0;
	int		 n;

	if (dir == NULL || *dir == '\0')
		dir = "../shared/corpora";
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, want[i].file);
		if (access(path, R_OK) == 0)
			found++;
	}
	if (found == 0) {
		T_SKIP("corpus: no sample text under %s (set INTAKED_CORPORA)",
		    dir);
		return;
	}
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, want[i].file);
		if ((text = x_slurp(path, &len)) == NULL) {
			T_SKIP("corpus: %s not found", path);
			continue;
		}
		n = x_run(ex, text, len, &r, 256);
		CHECK(n > 0);
		if (x_has(&r, want[i].type, want[i].value) != want[i].present)
			printf("FAIL corpus %s: %s %s %s\n", want[i].file,
			    ind_type_name(want[i].type), want[i].value,
			    want[i].present ? "missing" : "found");
		CHECK(x_has(&r, want[i].type, want[i].value) ==
		    want[i].present);
		report_free(&r);
		free(text);
	}
}

int
main(void)
{
	struct extractor	*ex;
	char			 err[256];

	if ((ex = extractor_new(err, sizeof(err))) == NULL) {
		printf("FAIL extractor_new: %s\n", err);
		CHECK(ex != NULL);
		return t_done();
	}
	test_table(ex);
	test_refang_and_tlds();
	test_limits(ex);
	test_threads(ex);
	test_corpora(ex);
	test_hostile(ex);
	test_throughput(ex);
	extractor_free(ex);
	return t_done();
}
