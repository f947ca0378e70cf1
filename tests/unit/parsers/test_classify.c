/*
 * test_classify.c - the keyword classifier (classify.h): the shipped rules
 * (conf/classify.tsv, as compiled into the binaries) on Vietnamese sentences with and without diacritics
 * and on English ones, subject weight, ties, undetermined text, word and
 * prefix matching, regex rules, rule-file errors, the normaliser and the
 * [TBSC] subject test.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify.h"
#include "t.h"

struct ccase {
	const char	*subject;
	const char	*body;
	const char	*want;
};

static const struct ccase ccases[] = {
	{ NULL, "Hệ thống bị tấn công từ chối dịch vụ từ 22h hôm qua", "dos" },
	{ NULL, "He thong bi tan cong tu choi dich vu tu 22h hom qua", "dos" },
	{ NULL, "Our web site is under a DDoS attack since 10:00", "dos" },
	{ NULL, "Phát hiện trang web giả mạo ngân hàng Vietcombank",
	    "phishing" },
	{ NULL, "Phat hien trang web gia mao ngan hang Vietcombank",
	    "phishing" },
	{ NULL, "A phishing page imitates our bank's login", "phishing" },
	{ NULL, "Tôi bị lừa đảo chiếm đoạt tài sản qua mạng xã hội",
	    "fraud" },
	{ NULL, "Toi bi lua dao chiem doat tai san qua mang xa hoi",
	    "fraud" },
	{ NULL, "I lost money to an online investment scam", "fraud" },
	{ NULL, "Máy tính của phòng kế toán bị nhiễm mã độc trojan",
	    "malware" },
	{ NULL, "May tinh cua phong ke toan bi nhiem ma doc trojan",
	    "malware" },
	{ NULL, "The laptop has a virus and a keylogger", "malware" },
	{ NULL, "Toàn bộ dữ liệu bị mã hóa, kẻ tấn công đòi tiền chuộc",
	    "ransomware" },
	{ NULL, "Toan bo du lieu bi ma hoa, ke tan cong doi tien chuoc",
	    "ransomware" },
	{ NULL, "Ransomware encrypted files on the file server",
	    "ransomware" },
	{ NULL, "Trang chủ của sở bị thay đổi giao diện", "defacement" },
	{ NULL, "Trang chu cua so bi thay doi giao dien", "defacement" },
	{ NULL, "Our homepage was defaced: it says hacked by someone",
	    "defacement" },
	{ NULL, "Lộ lọt dữ liệu khách hàng trên diễn đàn", "data-leak" },
	{ NULL, "Ro ri du lieu khach hang tren dien dan", "data-leak" },
	{ NULL, "A data leak of one million customer records", "data-leak" },
	{ NULL, "Nhận rất nhiều thư rác từ địa chỉ này", "spam" },
	{ NULL, "Nhan rat nhieu thu rac tu dia chi nay", "spam" },
	{ NULL, "We receive spam from 198.51.100.7", "spam" },
	{ NULL, "Phát hiện dò quét cổng từ IP 203.0.113.5", "scan" },
	{ NULL, "Phat hien do quet cong tu IP 203.0.113.5", "scan" },
	{ NULL, "Port scanning from 203.0.113.5 against our range", "scan" },
	{ NULL, "Dò mật khẩu SSH liên tục từ nước ngoài", "brute-force" },
	{ NULL, "Do mat khau SSH lien tuc tu nuoc ngoai", "brute-force" },
	{ NULL, "Thousands of SSH brute-force login attempts",
	    "brute-force" },
	{ NULL, "Camera IP tham gia mạng botnet Mirai", "botnet" },
	{ NULL, "Host is a member of a botnet (sinkhole hit)", "botnet" },
	{ NULL, "Máy chủ điều khiển mã độc đặt tại 1.2.3.4", "c2" },
	{ NULL, "May chu dieu khien ma doc dat tai 1.2.3.4", "c2" },
	{ NULL, "C2 server traffic (command-and-control)", "c2" },
	{ NULL, "Hệ thống bị xâm nhập và chiếm quyền điều khiển",
	    "intrusion" },
	{ NULL, "He thong bi xam nhap va chiem quyen dieu khien",
	    "intrusion" },
	{ NULL, "Unauthorized access to the admin panel", "intrusion" },
	{ NULL, "Website tồn tại lỗ hổng SQL injection", "vulnerable" },
	{ NULL, "Website ton tai lo hong SQL injection", "vulnerable" },
	{ NULL, "The server is vulnerable to CVE-2021-44228", "vulnerable" },
	{ NULL, "Máy chủ DNS mở có thể bị lợi dụng khuếch đại",
	    "amplifier" },
	{ NULL, "May chu DNS mo co the bi loi dung khuech dai",
	    "amplifier" },
	{ NULL, "Open resolver usable for DNS amplification", "amplifier" },
	{ NULL, "Mất điện toàn bộ trung tâm dữ liệu", "power" },
	{ NULL, "Mat dien toan bo trung tam du lieu", "power" },
	{ NULL, "Power outage in the data centre", "power" },
	{ NULL, "Đứt cáp quang biển, mất kết nối quốc tế", "connectivity" },
	{ NULL, "Hệ thống quá tải vào giờ cao điểm", "overload" },
	{ NULL, "Nghe lén cuộc gọi và gián điệp", "espionage" },
	{ NULL, "Wiper malware destroyed the data: data destruction",
	    "destruction" },
	{ NULL, "Bão lũ lụt làm ngập trung tâm: thiên tai", "disaster" },
	/* the subject weighs double */
	{ "Lừa đảo", "Có trang web giả mạo", "fraud" },
	{ NULL, "Lừa đảo. Có trang web giả mạo", "phishing" },
	{ "Re: Fwd: [TBSC] Thông báo sự cố: dò quét", NULL, "scan" },
	/* nothing to go on */
	{ NULL, "Xin chào, tôi muốn hỏi về giờ làm việc của trung tâm",
	    "undetermined" },
	{ "DMCA notice", "Copyright infringement notice for a film "
	    "shared over BitTorrent", "undetermined" },
	{ NULL, NULL, "undetermined" },
	{ "", "", "undetermined" },
};

static const char *
c_guess(const struct classifier *cl, const char *subject, const char *body,
    int *score)
{
	const struct taxonomy_entry	*e;

	e = classifier_guess(cl, subject, subject ? strlen(subject) : 0, body,
	    body ? strlen(body) : 0, score);
	return e ? e->code : "(null)";
}

static void
test_shipped(const struct classifier *cl)
{
	const char	*got;
	size_t		 i;
	int		 score;

	CHECK(classifier_rules(cl) > 150);
	for (i = 0; i < sizeof(ccases) / sizeof(ccases[0]); i++) {
		score = -1;
		got = c_guess(cl, ccases[i].subject, ccases[i].body, &score);
		if (strcmp(got, ccases[i].want) != 0)
			printf("case %zu: \"%s\" / \"%s\" (score %d)\n", i,
			    ccases[i].subject ? ccases[i].subject : "",
			    ccases[i].body ? ccases[i].body : "", score);
		CHECK_STR(got, ccases[i].want);
		CHECK(strcmp(ccases[i].want, "undetermined") == 0 ?
		    score == 0 : score > 0);
	}
	/* score may be NULL */
	CHECK_STR(c_guess(cl, NULL, "thư rác", NULL), "spam");
}

/* Build a classifier from rules; NULL with the error printed. */
static struct classifier *
c_new(const char *rules, const struct taxonomy *tax, char *err,
    size_t errlen)
{
	return classifier_new(rules, strlen(rules), tax, err, errlen);
}

static void
test_scoring(const struct taxonomy *tax)
{
	struct classifier	*cl;
	char			 err[256];
	int			 score;

	/* ties go to the category whose first rule comes first */
	cl = c_new("spam\t3\tfoo\nscan\t3\tbar\n", tax, err, sizeof(err));
	CHECK(cl != NULL);
	if (cl != NULL) {
		CHECK_STR(c_guess(cl, NULL, "bar and foo", &score), "spam");
		CHECK(score == 3);
		CHECK_STR(c_guess(cl, "bar", "foo foo", &score), "scan");
		CHECK(score == 6);
		/* a rule counts once in the body, whatever the repeats */
		CHECK_STR(c_guess(cl, NULL, "foo foo foo bar", &score),
		    "spam");
		CHECK(score == 3);
		classifier_free(cl);
	}
	cl = c_new("scan\t3\tbar\nspam\t3\tfoo\n", tax, err, sizeof(err));
	CHECK(cl != NULL);
	if (cl != NULL) {
		CHECK_STR(c_guess(cl, NULL, "foo bar", NULL), "scan");
		classifier_free(cl);
	}

	/* whole words, prefixes, phrases across punctuation */
	cl = c_new("# comment\n\nspam\t1\tscan\r\nscan\t2\tprobe*\n"
	    "c2\t4\tcommand-and-control\n", tax, err, sizeof(err));
	CHECK(cl != NULL);
	if (cl != NULL) {
		CHECK_STR(c_guess(cl, NULL, "a scanner", NULL),
		    "undetermined");
		CHECK_STR(c_guess(cl, NULL, "a scan.", NULL), "spam");
		CHECK_STR(c_guess(cl, NULL, "probes were seen", NULL), "scan");
		CHECK_STR(c_guess(cl, NULL, "reprobe", NULL), "undetermined");
		CHECK_STR(c_guess(cl, NULL, "COMMAND and Control", NULL),
		    "c2");
		classifier_free(cl);
	}

	/* diacritics both ways; both forms merge into one rule */
	cl = c_new("fraud\t2\tlừa đảo\nfraud\t5\tlua dao\n", tax, err,
	    sizeof(err));
	CHECK(cl != NULL);
	if (cl != NULL) {
		CHECK(classifier_rules(cl) == 1);
		CHECK_STR(c_guess(cl, NULL, "LỪA ĐẢO", &score), "fraud");
		CHECK(score == 5);
		CHECK_STR(c_guess(cl, NULL, "lua-dao", &score), "fraud");
		CHECK(score == 5);
		CHECK_STR(c_guess(cl, NULL, "lừa đảo, lua dao", &score),
		    "fraud");
		CHECK(score == 5);
		classifier_free(cl);
	}

	/* regex rules run on the normalised text */
	cl = c_new("vulnerable\t4\t/\\bcve \\d{4} \\d{4,}\\b/\n"
	    "spam\t1\t/^tbsc\\b/\n", tax, err, sizeof(err));
	CHECK(cl != NULL);
	if (cl != NULL) {
		CHECK(classifier_rules(cl) == 2);
		CHECK_STR(c_guess(cl, NULL, "see CVE-2021-44228 now", &score),
		    "vulnerable");
		CHECK(score == 4);
		CHECK_STR(c_guess(cl, NULL, "CVE-21-4", NULL), "undetermined");
		CHECK_STR(c_guess(cl, "[TBSC] x", NULL, &score), "spam");
		CHECK(score == 2);
		classifier_free(cl);
	}
}

/* Text past CLASSIFY_BODY_MAX is not examined. */
static void
test_bounds(const struct taxonomy *tax)
{
	struct classifier	*cl;
	char			 err[256], *body;
	size_t			 n = CLASSIFY_BODY_MAX + 64;

	cl = c_new("spam\t1\tneedle\n", tax, err, sizeof(err));
	CHECK(cl != NULL);
	if (cl == NULL || (body = malloc(n + 1)) == NULL)
		return;
	memset(body, 'x', n);
	body[n] = '\0';
	memcpy(body + 100, " needle ", 8);
	CHECK_STR(c_guess(cl, NULL, body, NULL), "spam");
	memset(body + 100, 'x', 8);
	memcpy(body + CLASSIFY_BODY_MAX + 8, " needle ", 8);
	CHECK_STR(c_guess(cl, NULL, body, NULL), "undetermined");
	classifier_free(cl);
	free(body);
}

/*
 * The time to classify 256 KB of Vietnamese prose with the shipped rules
 * (best of three), printed for the record.
 */
static void
test_speed(const struct classifier *cl)
{
	static const char	unit[] = "Kính gửi trung tâm, hôm qua máy chủ "
	    "của chúng tôi có dấu hiệu bất thường, nhiều kết nối lạ từ "
	    "nước ngoài; đề nghị hỗ trợ kiểm tra. ";
	struct timespec		t0, t1;
	size_t			i, n = CLASSIFY_BODY_MAX, u = strlen(unit);
	char			*body;
	double			ms = 0, dt;
	int			score, k;

	if ((body = malloc(n + 1)) == NULL)
		return;
	for (i = 0; i < n; i++)
		body[i] = unit[i % u];
	body[n] = '\0';
	for (k = 0; k < 3; k++) {
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		CHECK_STR(c_guess(cl, "Báo cáo", body, &score),
		    "undetermined");
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
		dt = (t1.tv_sec - t0.tv_sec) * 1e3 +
		    (t1.tv_nsec - t0.tv_nsec) / 1e6;
		if (k == 0 || dt < ms)
			ms = dt;
	}
	printf("classify: 256 KB of Vietnamese text in %.1f ms of CPU "
	    "(%.1f MB/s)\n",
	    ms, n / 1048576.0 / (ms / 1e3));
	free(body);
}

static void
test_errors(const struct taxonomy *tax)
{
	static const struct {
		const char	*rules;
		const char	*err;
	} bad[] = {
		{ "nope\t1\tx\n", "line 1: unknown category \"nope\"" },
		{ "# c\n\nspam\t1\tok\nscan\t0\tx\n",
		    "line 4: weight must be an integer from 1 to 100" },
		{ "spam\t101\tx", "line 1: weight must be an integer from 1 "
		    "to 100" },
		{ "spam\tabc\tx", "line 1: weight must be an integer from 1 "
		    "to 100" },
		{ "spam\t\tx", "line 1: weight must be an integer from 1 "
		    "to 100" },
		{ "spam\t1\n", "line 1: expected 3 tab-separated fields: "
		    "category, weight, pattern" },
		{ "spam 1 x\n", "line 1: expected 3 tab-separated fields: "
		    "category, weight, pattern" },
		{ "spam\t1\tx\ty\n", "line 1: expected 3 tab-separated "
		    "fields: category, weight, pattern" },
		{ "spam\t1\t \n", "line 1: empty pattern" },
		{ "spam\t1\t!!!\n", "line 1: keyword has no letter or digit" },
		{ "spam\t1\t*\n", "line 1: keyword has no letter or digit" },
		{ "spam\t1\t/(/\n", "line 1: bad regular expression at offset "
		    "1: missing closing parenthesis" },
		{ "spam\t1\t/lừa/\n", "line 1: regular expression must be "
		    "written for the normalised text (no diacritics, "
		    "upper-case or punctuation outside ASCII)" },
		{ "spam\t1\t/a–b/\n", "line 1: regular expression must be "
		    "written for the normalised text (no diacritics, "
		    "upper-case or punctuation outside ASCII)" },
		{ "spam\t1\tbad\xff\n", "line 1: pattern is not valid UTF-8 "
		    "text" },
	};
	static const char	 one[] = "spam\tabuse\t\tx\ty\tz\tw\tlow\n";
	struct classifier	*cl;
	struct taxonomy		 small;
	char			 err[256];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		cl = c_new(bad[i].rules, tax, err, sizeof(err));
		CHECK(cl == NULL);
		CHECK_STR(err, bad[i].err);
		classifier_free(cl);
	}
	/* a byte order mark is skipped, and CRLF accepted */
	cl = c_new("\xef\xbb\xbf# rules\r\nspam\t2\tthư rác\r\n", tax, err,
	    sizeof(err));
	CHECK(cl != NULL);
	if (cl != NULL) {
		CHECK(classifier_rules(cl) == 1);
		CHECK_STR(c_guess(cl, NULL, "thu rac", NULL), "spam");
		classifier_free(cl);
	}
	/* an empty file is valid: everything is undetermined */
	cl = c_new("# nothing\n", tax, err, sizeof(err));
	CHECK(cl != NULL);
	if (cl != NULL) {
		CHECK(classifier_rules(cl) == 0);
		CHECK_STR(c_guess(cl, NULL, "spam", NULL), "undetermined");
		classifier_free(cl);
	}
	/* the taxonomy must have "undetermined" */
	CHECK(taxonomy_parse(&small, one, strlen(one), err, sizeof(err)) == 0);
	cl = c_new("spam\t1\tx\n", &small, err, sizeof(err));
	CHECK(cl == NULL);
	CHECK_STR(err, "the taxonomy has no \"undetermined\" category");
	taxonomy_free(&small);
}

static void
test_normalise(void)
{
	static const struct {
		const char	*in;
		const char	*out;
	} cases[] = {
		{ "Lừa Đảo!! qua  mạng", "lua dao qua mang" },
		{ "  -- Tấn công từ chối dịch vụ --  ",
		    "tan cong tu choi dich vu" },
		{ "ＰＨＩＳＨＩＮＧ", "phishing" },
		{ "Straße", "strasse" },
		{ "ĐÀ NẴNG đà nẵng", "da nang da nang" },
		{ "a\xff" "b", "a b" },
		{ "e\xcc\x81t\xc3\xa9", "ete" },	/* NFD and NFC */
		{ "CVE-2021-44228", "cve 2021 44228" },
		{ "中文 text", "中文 text" },
		{ "", "" },
		{ "!?", "" },
	};
	char	*out;
	size_t	 i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(classify_normalise(cases[i].in, strlen(cases[i].in), &out,
		    &n) == 0);
		CHECK_STR(out, cases[i].out);
		CHECK(n == strlen(cases[i].out));
		free(out);
	}
}

static void
test_tbsc(void)
{
	static const struct {
		const char	*subject;
		int		 want;
	} cases[] = {
		{ "[TBSC] Sự cố tấn công DDoS", 1 },
		{ "[tbsc]x", 1 },
		{ "  [TBSC]", 1 },
		{ "Fwd: RE: [TBSC] Báo cáo", 1 },
		{ "TR: [ TBSC ] Báo cáo", 1 },
		{ "Fw : [TBSC] x", 1 },
		{ "re:fwd:[Tbsc]", 1 },
		{ "FW: Re: TR: Fwd: [TBSC]", 1 },
		{ "Re: Fwd: TBSC", 0 },
		{ "[TBS C] x", 0 },
		{ "About [TBSC]", 0 },
		{ "Xem: [TBSC]", 0 },
		{ "[TBSC", 0 },
		{ "[TBSCX]", 0 },
		{ "", 0 },
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (classify_is_tbsc_subject(cases[i].subject,
		    strlen(cases[i].subject)) != cases[i].want)
			printf("tbsc case \"%s\"\n", cases[i].subject);
		CHECK(classify_is_tbsc_subject(cases[i].subject,
		    strlen(cases[i].subject)) == cases[i].want);
	}
	CHECK(classify_is_tbsc_subject("[TB\0SC]", 7) == 0);
	CHECK(classify_is_tbsc_subject("[TBSC] x", 3) == 0);
}

int
main(void)
{
	struct taxonomy		 tax;
	struct classifier	*cl;
	char			 err[256];

	if (taxonomy_parse(&tax, taxonomy_embedded, taxonomy_embedded_len, err,
	    sizeof(err)) == -1) {
		printf("FAIL taxonomy: %s\n", err);
		CHECK(0);
		return t_done();
	}
	test_normalise();
	test_tbsc();
	test_scoring(&tax);
	test_bounds(&tax);
	test_errors(&tax);
	cl = classifier_new(classify_embedded, classify_embedded_len, &tax,
	    err, sizeof(err));
	if (cl == NULL)
		printf("FAIL conf/classify.tsv: %s\n", err);
	CHECK(cl != NULL);
	if (cl != NULL) {
		test_shipped(cl);
		test_speed(cl);
		classifier_free(cl);
	}
	taxonomy_free(&tax);
	return t_done();
}
