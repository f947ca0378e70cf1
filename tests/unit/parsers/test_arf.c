/*
 * test_arf.c - the ARF feedback report (arf_parse, arf_category,
 * arf_to_report, arf_from_message with the returned message mined), the
 * mining of a message's Received chain (public addresses only) and
 * addresses, and the report builder of arf.h that every mail format uses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arf.h"
#include "extract.h"
#include "t.h"
#include "t_report.h"

static struct taxonomy		 tax;
static struct report_limits	 lim;
static struct extractor		*ex;

static void
opts_init(struct arf_opts *o, size_t max)
{
	memset(o, 0, sizeof(*o));
	o->tax = &tax;
	o->lim = &lim;
	o->ex = ex;
	o->max_reports = max;
}

static const char fields[] =
    "feedback-type: Abuse\r\n"
    "User-Agent: SomeGenerator/1.0\r\n"
    "Version: 1\r\n"
    "Version: 2\r\n"
    "Original-Rcpt-To: <a@isp.example>\r\n"
    "Original-Rcpt-To: <b@isp.example>\r\n"
    "Received-Date: Thu, 8 Mar 2005 14:00:00 EDT\r\n"
    "Source-IP: 192.0.2.1\r\n"
    "Reported-Domain: a.example\r\n"
    "Reported-Domain: b.example\r\n"
    "Reported-URI: http://spam.example/earn\r\n"
    "Reported-URI:\r\n"
    " mailto:Sales@Spam.Example\r\n"
    "Incidents: 3\r\n"
    "X-Unknown: ignored\r\n";

static void
test_parse(void)
{
	struct arf_feedback	 fb;
	struct arf_opts		 o;
	struct arf_reports	 rs = { NULL, 0, 0, 0 };
	char			 many[4096];
	size_t			 i, n;

	memset(&fb, 0, sizeof(fb));
	CHECK(arf_parse(fields, strlen(fields), &fb) == 0);
	CHECK_STR(fb.feedback_type, "abuse");
	CHECK_STR(fb.version, "1");
	CHECK_STR(fb.original_rcpt_to, "<a@isp.example>");
	CHECK_STR(fb.arrival_date, "Thu, 8 Mar 2005 14:00:00 EDT");
	CHECK(fb.n_reported_domain == 2 && fb.n_reported_uri == 2);
	CHECK_STR(fb.reported_uri[1], "mailto:Sales@Spam.Example");
	CHECK_STR(arf_category(&fb), "spam");

	opts_init(&o, 1);
	o.note = "human words";
	o.note_len = 11;
	CHECK(arf_to_report(&fb, &o, &rs) == 0 && rs.n == 1);
	if (rs.n == 1) {
		const struct report *r = &rs.v[0];

		CHECK_STR(r->category->code, "spam");
		CHECK(has_ind(r, IND_IPV4, "192.0.2.1"));
		CHECK(has_ind(r, IND_DOMAIN, "a.example"));
		CHECK(has_ind(r, IND_DOMAIN, "b.example"));
		CHECK(has_ind(r, IND_URL, "http://spam.example/earn"));
		CHECK(has_ind(r, IND_EMAIL, "Sales@spam.example"));
		CHECK_STR(r->occurred_at, "2005-03-08T18:00:00Z");
		CHECK_STR(r->description, "ARF feedback report (abuse -> spam),"
		    " User-Agent: SomeGenerator/1.0, Version: 1, Source-IP: "
		    "192.0.2.1, Original-Rcpt-To: <a@isp.example>, "
		    "Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT, Incidents: 3,"
		    " Reported-Domain: a.example, Reported-Domain: b.example, "
		    "Reported-URI: http://spam.example/earn, Reported-URI: "
		    "mailto:Sales@Spam.Example\n\nhuman words");
	}
	/* no room: counted as dropped */
	CHECK(arf_to_report(&fb, &o, &rs) == 0 && rs.n == 1 &&
	    rs.dropped == 1);
	arf_reports_free(&rs);
	arf_feedback_free(&fb);
	CHECK(fb.feedback_type == NULL && fb.n_reported_uri == 0);

	CHECK(arf_parse("User-Agent: x\n", 14, &fb) == -1 && errno == EINVAL);
	CHECK(fb.user_agent == NULL);
	CHECK(arf_parse("", 0, &fb) == -1 && errno == EINVAL);
	CHECK(arf_parse("Feedback-Type:\n", 15, &fb) == -1 &&
	    errno == EINVAL);

	/* repeated fields beyond ARF_REPEAT_MAX are ignored */
	n = snprintf(many, sizeof(many), "Feedback-Type: fraud\n");
	for (i = 0; i < ARF_REPEAT_MAX + 5; i++)
		n += snprintf(many + n, sizeof(many) - n,
		    "Reported-Domain: d%zu.example\n", i);
	CHECK(arf_parse(many, n, &fb) == 0);
	CHECK(fb.n_reported_domain == ARF_REPEAT_MAX);
	CHECK_STR(arf_category(&fb), "phishing");
	arf_feedback_free(&fb);

	CHECK(arf_parse("Feedback-Type: virus\n", 21, &fb) == 0);
	CHECK_STR(arf_category(&fb), "malware");
	arf_feedback_free(&fb);
	/* beyond RFC 5965's five: the matter is unwanted mail, or forgery */
	CHECK(arf_parse("Feedback-Type: not-spam\n", 24, &fb) == 0);
	CHECK_STR(arf_category(&fb), "spam");
	arf_feedback_free(&fb);
	CHECK(arf_parse("Feedback-Type: opt-out\n", 23, &fb) == 0);
	CHECK_STR(arf_category(&fb), "spam");
	arf_feedback_free(&fb);
	CHECK(arf_parse("Feedback-Type: dkim\n", 20, &fb) == 0);
	CHECK_STR(arf_category(&fb), "phishing");
	arf_feedback_free(&fb);
	CHECK(arf_parse("Feedback-Type: other\n", 21, &fb) == 0);
	CHECK_STR(arf_category(&fb), "undetermined");
	arf_feedback_free(&fb);
}

static const char msg_arf[] =
    "From: FBL <fbl@isp.example>\r\n"
    "To: abuse@cert.example\r\n"
    "Subject: FW: Earn money\r\n"
    "Date: Thu, 8 Mar 2005 17:40:36 EDT\r\n"
    "Message-ID: <433689.81121.example@isp.example>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=feedback-report;\r\n"
    "     boundary=\"part1_13d.2e68ed54_boundary\"\r\n"
    "\r\n"
    "--part1_13d.2e68ed54_boundary\r\n"
    "Content-Type: text/plain; charset=\"US-ASCII\"\r\n"
    "\r\n"
    "This is an email abuse report for an email message received from\r\n"
    "IP 192.0.2.1 on Thu, 8 Mar 2005 14:00:00 EDT.\r\n"
    "\r\n"
    "--part1_13d.2e68ed54_boundary\r\n"
    "Content-Type: message/feedback-report\r\n"
    "\r\n"
    "Feedback-Type: abuse\r\n"
    "User-Agent: SomeGenerator/1.0\r\n"
    "Version: 1\r\n"
    "Original-Mail-From: <somespammer@spam.example>\r\n"
    "Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT\r\n"
    "Source-IP: 192.0.2.1\r\n"
    "Reported-URI: http://spam.example/earn\r\n"
    "Incidents: 3\r\n"
    "\r\n"
    "--part1_13d.2e68ed54_boundary\r\n"
    "Content-Type: message/rfc822\r\n"
    "Content-Disposition: inline\r\n"
    "\r\n"
    "Received: from mailserver.spam.example (mailserver.spam.example\r\n"
    "   [192.0.2.1]) by mx.isp.example (8.13.1) with ESMTP id x;\r\n"
    "   Thu, 8 Mar 2005 14:00:00 -0400\r\n"
    "Received: from inner (inner [10.1.2.3]) by mailserver.spam.example;\r\n"
    "   Thu, 8 Mar 2005 13:59:00 -0400\r\n"
    "From: <somespammer@spam.example>\r\n"
    "To: <victim@isp.example>\r\n"
    "Subject: Earn money\r\n"
    "Date: Thu, 8 Mar 2005 13:58:00 -0400\r\n"
    "\r\n"
    "Spam spam spam: visit https://offers.spam.example/now\r\n"
    "--part1_13d.2e68ed54_boundary--\r\n";

static const char msg_arf_auth[] =
    "From: dmarc@receiver.example\r\n"
    "Subject: Authentication failure report\r\n"
    "Content-Type: multipart/report; report-type=feedback-report;"
    " boundary=\"b\"\r\n"
    "\r\n"
    "--b\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "A message claiming to be from your domain failed DMARC.\r\n"
    "--b\r\n"
    "Content-Type: message/feedback-report\r\n"
    "\r\n"
    "Feedback-Type: auth-failure\r\n"
    "User-Agent: DMARC-Filter/1.2\r\n"
    "Version: 1\r\n"
    "Auth-Failure: dmarc\r\n"
    "Source-IP: 2001:DB8::25\r\n"
    "Reported-Domain: Bank.Example\r\n"
    "Arrival-Date: 2024-05-01T10:00:00Z\r\n"
    "\r\n"
    "--b\r\n"
    "Content-Type: text/rfc822-headers\r\n"
    "\r\n"
    "Received: from fake (fake [203.0.113.77]) by mx.receiver.example;\r\n"
    "  Wed, 1 May 2024 10:00:00 +0000\r\n"
    "From: security@bank.example\r\n"
    "Reply-To: collect@drop.example\r\n"
    "Subject: Verify your account\r\n"
    "\r\n"
    "--b--\r\n";

static void
test_message(void)
{
	struct mime_message	*m;
	struct mime_error	 merr;
	struct arf_feedback	 fb;
	struct arf_opts		 o;
	struct arf_reports	 rs = { NULL, 0, 0, 0 };

	opts_init(&o, 4);
	memset(&fb, 0, sizeof(fb));
	CHECK(mime_parse(msg_arf, strlen(msg_arf), NULL, &m, &merr) == 0);
	CHECK(arf_from_message(m, &o, &rs, &fb) == 1);
	CHECK(rs.n == 1 && fb.feedback_type != NULL);
	CHECK_STR(fb.incidents, "3");
	if (rs.n == 1) {
		const struct report *r = &rs.v[0];

		CHECK_STR(r->category->code, "spam");
		CHECK(has_ind(r, IND_IPV4, "192.0.2.1"));
		CHECK(has_ind(r, IND_URL, "http://spam.example/earn"));
		/* mined from the returned message */
		CHECK(has_ind(r, IND_URL, "https://offers.spam.example/now"));
		CHECK(has_ind(r, IND_EMAIL, "somespammer@spam.example"));
		CHECK(has_ind(r, IND_DOMAIN, "spam.example"));
		CHECK(!has_ind(r, IND_IPV4, "10.1.2.3"));
		CHECK_STR(r->occurred_at, "2005-03-08T18:00:00Z");
	}
	arf_reports_free(&rs);
	arf_feedback_free(&fb);
	mime_free(m);

	CHECK(mime_parse(msg_arf_auth, strlen(msg_arf_auth), NULL, &m,
	    &merr) == 0);
	CHECK(arf_from_message(m, &o, &rs, &fb) == 1 && rs.n == 1);
	if (rs.n == 1) {
		const struct report *r = &rs.v[0];

		CHECK_STR(r->category->code, "phishing");
		CHECK(has_ind(r, IND_IPV6, "2001:db8::25"));
		CHECK(has_ind(r, IND_DOMAIN, "bank.example"));
		CHECK(has_ind(r, IND_EMAIL, "collect@drop.example"));
		CHECK(has_ind(r, IND_IPV4, "203.0.113.77"));
		CHECK_STR(r->occurred_at, "2024-05-01T10:00:00Z");
	}
	CHECK_STR(fb.auth_failure, "dmarc");
	arf_reports_free(&rs);
	arf_feedback_free(&fb);
	mime_free(m);

	/* not ARF */
	CHECK(mime_parse("Subject: x\n\nhello\n", 19, NULL, &m, &merr) == 0);
	CHECK(arf_from_message(m, &o, &rs, &fb) == 0 && rs.n == 0);
	mime_free(m);
}

static const char received[] =
    "Received: from a.example (a.example [198.51.100.1]) by mx.example"
    " (1.2.3.4); Mon, 1 Jan 2024 10:00:00 +0000\n"
    "Received: from b ([IPv6:2001:db8::b]) by mx.example; x\n"
    "Received: from c (c [10.0.0.1] [172.16.5.5] [172.32.0.1]) by mx\n"
    "Received: from d (d [192.168.0.1] [100.64.1.1] [100.128.0.1]) by mx\n"
    "Received: from e (e [127.0.0.1] [169.254.1.1] [0.1.2.3]) by mx\n"
    "Received: from f (f [IPv6:fe80::1] [IPv6:fd00::1] [IPv6:::1]) by mx\n"
    "Received: from g (g [IPv6:::ffff:192.0.2.9] [224.0.0.1]) by mx\n"
    "Received: by localhost with SMTP id x; Mon, 1 Jan 2024 (5.6.7.8)\n"
    "Received: from h 203.0.113.8 by mx; 9.9.9.9\n"
    "Received: from i (i [203.0.113.999] [01.2.3.4]) by mx\n"
    "From: \"Spammer\" <Spam@Spam.Example>\n"
    "Reply-To: Refund Desk [mailto:refund@collect.example]\n"
    "Subject: see hxxp://subject-url[.]example/x\n"
    "\n"
    "body http://body.example/ and 192.0.2.200\n";

static void
test_mine(void)
{
	struct mime_message	*m;
	struct mime_error	 merr;
	struct arf_opts		 o;
	struct report		 r;
	char			 addr[64];
	size_t			 budget = 1024;

	opts_init(&o, 1);
	report_init(&r);
	CHECK(mime_parse(received, strlen(received), NULL, &m, &merr) == 0);
	CHECK(arf_mine(&r, &o, m->root, &budget) == 0);
	CHECK(has_ind(&r, IND_IPV4, "198.51.100.1"));
	CHECK(has_ind(&r, IND_IPV6, "2001:db8::b"));
	CHECK(has_ind(&r, IND_IPV4, "172.32.0.1"));
	CHECK(has_ind(&r, IND_IPV4, "100.128.0.1"));
	CHECK(has_ind(&r, IND_IPV4, "203.0.113.8"));
	CHECK(!has_ind(&r, IND_IPV4, "1.2.3.4"));	/* the "by" clause */
	CHECK(!has_ind(&r, IND_IPV4, "5.6.7.8"));	/* no "from" */
	CHECK(!has_ind(&r, IND_IPV4, "9.9.9.9"));	/* after ';' */
	CHECK(!has_ind(&r, IND_IPV4, "10.0.0.1"));
	CHECK(!has_ind(&r, IND_IPV4, "172.16.5.5"));
	CHECK(!has_ind(&r, IND_IPV4, "192.168.0.1"));
	CHECK(!has_ind(&r, IND_IPV4, "100.64.1.1"));
	CHECK(!has_ind(&r, IND_IPV4, "127.0.0.1"));
	CHECK(!has_ind(&r, IND_IPV4, "169.254.1.1"));
	CHECK(!has_ind(&r, IND_IPV4, "0.1.2.3"));
	CHECK(!has_ind(&r, IND_IPV4, "224.0.0.1"));
	CHECK(!has_ind(&r, IND_IPV6, "fe80::1"));
	CHECK(!has_ind(&r, IND_IPV6, "fd00::1"));
	CHECK(!has_ind(&r, IND_IPV6, "::1"));
	CHECK(!has_ind(&r, IND_IPV6, "::ffff:192.0.2.9"));
	CHECK(has_ind(&r, IND_EMAIL, "Spam@spam.example"));
	CHECK(has_ind(&r, IND_DOMAIN, "spam.example"));
	CHECK(has_ind(&r, IND_EMAIL, "refund@collect.example"));
	CHECK(has_ind(&r, IND_URL, "http://subject-url.example/x"));
	CHECK(has_ind(&r, IND_URL, "http://body.example/"));
	CHECK(has_ind(&r, IND_IPV4, "192.0.2.200"));
	CHECK(budget < 1024);
	report_free(&r);

	/* no budget left: headers only */
	report_init(&r);
	budget = 0;
	CHECK(arf_mine(&r, &o, m->root, &budget) == 0);
	CHECK(!has_ind(&r, IND_URL, "http://body.example/"));
	CHECK(has_ind(&r, IND_IPV4, "198.51.100.1"));
	report_free(&r);
	mime_free(m);

	CHECK(arf_addr("Name <a@b.example>", 18, addr, sizeof(addr)) == 0);
	CHECK_STR(addr, "a@b.example");
	CHECK(arf_addr("Bank [mailto:x@y.example]", 25, addr,
	    sizeof(addr)) == 0);
	CHECK_STR(addr, "x@y.example");
	CHECK(arf_addr("no address here", 15, addr, sizeof(addr)) == -1);
	CHECK(arf_addr("a@b.example", 11, addr, 5) == -1);
}

static void
test_builder(void)
{
	struct arf_opts	 o;
	struct report_limits	 small = lim;
	struct report		 r;
	char			 text[64];

	opts_init(&o, 1);
	report_init(&r);
	CHECK(arf_indicator(&r, &lim, ARF_GUESS, " <198.51.100.1> ", 16) == 1);
	CHECK(arf_indicator(&r, &lim, ARF_GUESS, "mailto:x@Example.COM",
	    20) == 1);
	CHECK(arf_indicator(&r, &lim, ARF_GUESS, "CVE-2021-44228", 14) == 1);
	CHECK(arf_indicator(&r, &lim, ARF_GUESS, "md5:d41d8cd98f00b204e9800998"
	    "ecf8427e", 36) == 1);
	CHECK(arf_indicator(&r, &lim, ARF_GUESS, "evil.example", 12) == 1);
	CHECK(arf_indicator(&r, &lim, ARF_GUESS_STRICT, "other.example",
	    13) == 0);
	CHECK(arf_indicator(&r, &lim, ARF_GUESS, "999.1.1.1", 9) == 0);
	CHECK(arf_indicator(&r, &lim, ARF_HOST, "nodots", 6) == 0);
	CHECK(has_ind(&r, IND_EMAIL, "x@example.com"));
	CHECK(has_ind(&r, IND_CVE, "CVE-2021-44228"));
	CHECK(has_ind(&r, IND_MD5, "d41d8cd98f00b204e9800998ecf8427e"));
	CHECK(has_ind(&r, IND_DOMAIN, "evil.example"));
	CHECK(r.n_indicators == 5);

	CHECK(arf_time(&r, &o, "occurred-at", "2015-03-02 00:45:59", 19) == 0);
	CHECK_STR(r.occurred_at, "2015-03-02T00:45:59Z");
	CHECK(arf_time(&r, &o, "detected-at", "garbage", 7) == 0);
	CHECK(r.detected_at == NULL);
	CHECK(arf_time(&r, &o, "detected-at", "2024-01-15T14:30:25+0700",
	    24) == 0);
	CHECK_STR(r.detected_at, "2024-01-15T07:30:25Z");
	report_free(&r);

	report_init(&r);
	CHECK(arf_time(&r, &o, "occurred-at", "1420070400", 10) == 0);
	CHECK_STR(r.occurred_at, "2015-01-01T00:00:00Z");
	/* controls blanked, CR dropped, cut at a character boundary */
	small.description_max = 12;
	o.lim = &small;
	snprintf(text, sizeof(text), "a\x01" "b\r\nc\xc2\x85"
	    "d ti\xe1\xba\xbfng");
	CHECK(arf_describe(&r, &o, NULL, text, strlen(text)) == 0);
	CHECK_STR(r.description, "a b\nc d ti");
	report_free(&r);

	/* decomposed input is stored composed (NFC) */
	report_init(&r);
	o.lim = &lim;
	CHECK(arf_describe(&r, &o, "Head", "le\xcc\x82\xcc\x81", 6) == 0);
	CHECK_STR(r.description, "Head\n\nl\xe1\xba\xbf");
	CHECK(arf_finish(&r, &o) == 0);
	CHECK_STR(r.category->code, "undetermined");
	report_free(&r);

	report_init(&r);
	o.fallback = "phishing";
	CHECK(arf_finish(&r, &o) == 0);
	CHECK_STR(r.category->code, "phishing");
	CHECK_STR(r.description, "(no text)");
	CHECK(r.severity == SEV_MEDIUM);
	report_free(&r);
}

int
main(void)
{
	char	err[256];

	if (taxonomy_parse(&tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == -1 ||
	    (ex = extractor_new(err, sizeof(err))) == NULL) {
		printf("FAIL setup: %s\n", err);
		return 1;
	}
	report_limits_default(&lim);
	test_parse();
	test_message();
	test_mine();
	test_builder();
	extractor_free(ex);
	taxonomy_free(&tax);
	return t_done();
}
