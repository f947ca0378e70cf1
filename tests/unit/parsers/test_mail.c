/*
 * test_mail.c - mail_to_reports on hand-made messages, one or more per
 * path: ARF (abuse, auth-failure), X-ARF 0.2 YAML and X-ARF 4 JSON in a
 * mail, a CSV attachment with several rows, forwards (message/rfc822 with a
 * Received chain and Reply-To, inline "Fwd:"), automatic messages (DSN with
 * the null sender, Auto-Submitted, the loop header), plain reports in
 * Vietnamese (windows-1258, UTF-8 quoted-printable) and English, [TBSC],
 * HTML only, broken MIME, and the trust of Authentication-Results.
 *
 * The classifier is built from conf/classify.tsv (run from the repo root).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "classify.h"
#include "extract.h"
#include "mail.h"
#include "t.h"

static struct taxonomy		 tax;
static struct report_limits	 lim;
static struct extractor		*ex;
static struct classifier	*cl;
static const char *const	 trusted[] = { "mx.cert.example" };
static const char *const	 rcpts[] = { "ir@cert.example" };

static struct mail_envelope	 env = {
	"reporter@example.net", rcpts, 1, "mail.example.net", "198.51.100.7",
	"TLSv1.3 TLS_AES_256_GCM_SHA384", "mx.cert.example"
};

static struct mail_context	 ctx;

/* Parse msg with envelope e (NULL: the default one); checks success. */
static void
run(const char *msg, const struct mail_envelope *e, struct mail_result *res)
{
	char	err[128];
	int	rc;
	size_t	i;

	rc = mail_to_reports(&ctx, e ? e : &env, msg, strlen(msg), res, err,
	    sizeof(err));
	CHECK(rc == 0);
	CHECK(res->n_reports >= 1);
	CHECK(res->meta_json != NULL);
	for (i = 0; i < res->n_reports; i++) {
		struct report_error rerr;

		CHECK(res->reports[i].category != NULL);
		CHECK(report_finish(&res->reports[i], &rerr) == 0);
		CHECK(res->reports[i].auto_generated == res->auto_generated);
	}
}

static int
has_ind(const struct report *r, enum ind_type t, const char *v)
{
	size_t	i;

	for (i = 0; i < r->n_indicators; i++)
		if (r->indicators[i].type == t &&
		    strcmp(r->indicators[i].value, v) == 0)
			return 1;
	return 0;
}

static const char *
cat(const struct mail_result *res, size_t i)
{
	return i < res->n_reports && res->reports[i].category ?
	    res->reports[i].category->code : "(none)";
}

/* meta_json parsed, for checks; the caller json_decref()s it. */
static json_t *
meta(const struct mail_result *res)
{
	json_t	*j = json_loads(res->meta_json, 0, NULL);

	CHECK(j != NULL && json_is_object(j));
	return j;
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
test_arf(void)
{
	struct mail_result	 res;
	json_t			*j;

	run(msg_arf, NULL, &res);
	CHECK(res.format == MAIL_FORMAT_ARF);
	CHECK(res.n_reports == 1);
	CHECK_STR(cat(&res, 0), "spam");
	if (res.n_reports == 1) {
		const struct report *r = &res.reports[0];

		CHECK(has_ind(r, IND_IPV4, "192.0.2.1"));
		CHECK(has_ind(r, IND_URL, "http://spam.example/earn"));
		CHECK(has_ind(r, IND_URL, "https://offers.spam.example/now"));
		CHECK(has_ind(r, IND_DOMAIN, "spam.example"));
		CHECK(!has_ind(r, IND_IPV4, "10.1.2.3"));
		CHECK_STR(r->occurred_at, "2005-03-08T18:00:00Z");
		CHECK(r->description && strncmp(r->description,
		    "ARF feedback report (abuse -> spam)", 35) == 0);
		CHECK(r->description && strstr(r->description,
		    "Incidents: 3") != NULL);
		CHECK(r->description && strstr(r->description,
		    "This is an email abuse report") != NULL);
		CHECK_STR(r->subject, "FW: Earn money");
		CHECK_STR(r->reporter_email, "fbl@isp.example");
		CHECK_STR(r->reporter_name, "FBL");
	}
	CHECK(res.auto_generated == 0);
	j = meta(&res);
	CHECK_STR(json_string_value(json_object_get(j, "format")), "arf");
	CHECK_STR(json_string_value(json_object_get(json_object_get(j, "arf"),
	    "incidents")), "3");
	json_decref(j);
	mail_result_free(&res);

	run(msg_arf_auth, NULL, &res);
	CHECK(res.format == MAIL_FORMAT_ARF);
	CHECK_STR(cat(&res, 0), "phishing");
	if (res.n_reports == 1) {
		const struct report *r = &res.reports[0];

		CHECK(has_ind(r, IND_IPV6, "2001:db8::25"));
		CHECK(has_ind(r, IND_DOMAIN, "bank.example"));
		CHECK(has_ind(r, IND_EMAIL, "collect@drop.example"));
		CHECK(has_ind(r, IND_IPV4, "203.0.113.77"));
		CHECK_STR(r->occurred_at, "2024-05-01T10:00:00Z");
	}
	mail_result_free(&res);
}

static const char msg_xarf02[] =
    "From: \"Abuse-Team (auto-generated)\" <autogenerated@blocklist.example>\n"
    "To: abuse@cert.example\n"
    "Subject: abuse report about 203.0.113.50\n"
    "Auto-Submitted: auto-generated\n"
    "X-XARF: PLAIN\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"xarf\"\n"
    "\n"
    "--xarf\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "\n"
    "Your customer 203.0.113.50 attacked our SSH server.\n"
    "See https://www.blocklist.example/en/logs.html for details.\n"
    "--xarf\n"
    "Content-Type: text/plain; charset=utf-8; name=\"report.txt\"\n"
    "\n"
    "---\n"
    "Reported-From: abuse-team@blocklist.example\n"
    "Category: abuse\n"
    "Report-Type: login-attack\n"
    "Service: ssh\n"
    "Version: 0.2\n"
    "User-Agent: Fail2BanFeedBackScript V0.2\n"
    "Date: Fri, 31 Jan 2014 07:19:02 +0100\n"
    "Source-Type: ip-address\n"
    "Source: 203.0.113.50\n"
    "Port: 22\n"
    "Report-ID: 123456789@blocklist.example\n"
    "Attachment: text/plain\n"
    "\n"
    "--xarf\n"
    "Content-Type: text/plain; name=\"logfile.log\"\n"
    "\n"
    "Jan 31 07:19:01 sshd[1]: Failed password for root from 203.0.113.50\n"
    "--xarf--\n";

static const char msg_xarf4[] =
    "From: Scanner Watch <reports@scanwatch.example>\n"
    "Subject: Port scan from your network\n"
    "Content-Type: multipart/mixed; boundary=\"j\"\n"
    "\n"
    "--j\n"
    "Content-Type: text/plain\n"
    "\n"
    "An X-ARF 4 report is attached.\n"
    "--j\n"
    "Content-Type: application/json; name=\"xarf.json\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n";

static void
test_xarf(void)
{
	struct mail_result	 res;
	json_t			*j;
	char			*b64, *msg;
	const char		*json = "{\"xarf_version\": \"4.2.0\","
	    "\"report_id\": \"r1\", \"timestamp\": \"2025-01-11T10:00:00Z\","
	    "\"reporter\": {\"org\": \"SW\", \"contact\": \"r@scanwatch.example\","
	    "\"domain\": \"scanwatch.example\"}, \"sender\": {\"org\": \"SW\","
	    "\"contact\": \"r@scanwatch.example\", \"domain\": \"scanwatch."
	    "example\"}, \"source_identifier\": \"198.51.100.150\","
	    "\"category\": \"connection\", \"type\": \"port_scan\"}";
	size_t			 n, i;
	static const char	 tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
	    "klmnopqrstuvwxyz0123456789+/";

	run(msg_xarf02, NULL, &res);
	CHECK(res.format == MAIL_FORMAT_XARF);
	CHECK(res.n_reports == 1);
	CHECK_STR(cat(&res, 0), "brute-force");
	CHECK(res.auto_generated == 1);
	CHECK(res.auto_reason && strstr(res.auto_reason,
	    "Auto-Submitted: auto-generated") != NULL);
	if (res.n_reports == 1) {
		CHECK(has_ind(&res.reports[0], IND_IPV4, "203.0.113.50"));
		CHECK(res.reports[0].n_indicators == 1);
		CHECK_STR(res.reports[0].occurred_at, "2014-01-31T06:19:02Z");
		CHECK(res.reports[0].description && strstr(
		    res.reports[0].description, "Your customer 203.0.113.50")
		    != NULL);
		CHECK_STR(res.reports[0].reporter_name,
		    "Abuse-Team (auto-generated)");
	}
	mail_result_free(&res);

	/* X-ARF 4 JSON, base64 encoded, no X-ARF header */
	n = strlen(json);
	b64 = malloc(n * 2 + 8);
	for (i = 0, b64[0] = '\0'; i < n; i += 3) {
		unsigned v = (unsigned char)json[i] << 16 | (i + 1 < n ?
		    (unsigned char)json[i + 1] << 8 : 0) | (i + 2 < n ?
		    (unsigned char)json[i + 2] : 0);
		char q[5] = { tbl[v >> 18 & 63], tbl[v >> 12 & 63],
		    i + 1 < n ? tbl[v >> 6 & 63] : '=',
		    i + 2 < n ? tbl[v & 63] : '=', 0 };

		strcat(b64, q);
	}
	if (asprintf(&msg, "%s%s\n--j--\n", msg_xarf4, b64) == -1)
		abort();
	run(msg, NULL, &res);
	CHECK(res.format == MAIL_FORMAT_XARF);
	CHECK_STR(cat(&res, 0), "scan");
	CHECK(res.n_reports == 1 && has_ind(&res.reports[0], IND_IPV4,
	    "198.51.100.150"));
	CHECK(res.auto_generated == 0);
	j = meta(&res);
	CHECK_STR(json_string_value(json_object_get(j, "format")), "xarf");
	json_decref(j);
	mail_result_free(&res);
	free(msg);
	free(b64);
}

static const char msg_csv[] =
    "From: reports@hub.example\n"
    "Subject: [Hub] Botnet drone report\n"
    "Content-Type: multipart/mixed; boundary=\"c\"\n"
    "\n"
    "--c\n"
    "Content-Type: text/plain\n"
    "\n"
    "Attached is a CSV file with the infected hosts in your network.\n"
    "--c\n"
    "Content-Type: application/octet-stream\n"
    "Content-Disposition: attachment; filename=\"events.CSV\"\n"
    "\n"
    "timestamp,ip,port,hostname,type,infection\n"
    "2015-03-02 00:45:59,192.0.2.13,2005,a.example.com,botnet drone,ZeroAccess\n"
    "2015-03-02 00:46:59,192.0.2.14,2005,,botnet drone,Conficker\n"
    "2015-03-02 00:47:59,2001:db8::14,80,,scanner,\n"
    "--c--\n";

static void
test_csv(void)
{
	struct mail_result	 res;
	json_t			*j;
	size_t			 i;

	run(msg_csv, NULL, &res);
	CHECK(res.n_reports == 3);
	CHECK_STR(cat(&res, 0), "botnet");
	CHECK_STR(cat(&res, 1), "botnet");
	CHECK_STR(cat(&res, 2), "scan");
	if (res.n_reports == 3) {
		CHECK(has_ind(&res.reports[0], IND_IPV4, "192.0.2.13"));
		CHECK(has_ind(&res.reports[0], IND_DOMAIN, "a.example.com"));
		CHECK(has_ind(&res.reports[2], IND_IPV6, "2001:db8::14"));
		CHECK_STR(res.reports[1].occurred_at, "2015-03-02T00:46:59Z");
		for (i = 0; i < 3; i++) {
			CHECK_STR(res.reports[i].subject,
			    "[Hub] Botnet drone report");
			CHECK_STR(res.reports[i].reporter_email,
			    "reports@hub.example");
		}
	}
	j = meta(&res);
	CHECK_STR(json_string_value(json_object_get(j, "format")), "csv");
	json_decref(j);
	mail_result_free(&res);

	ctx.max_reports = 2;
	run(msg_csv, NULL, &res);
	CHECK(res.n_reports == 2);
	j = meta(&res);
	CHECK(json_integer_value(json_object_get(j, "events_dropped")) == 1);
	json_decref(j);
	mail_result_free(&res);
	ctx.max_reports = 100;
}

static const char msg_fwd822[] =
    "From: =?UTF-8?Q?Nguy=E1=BB=85n_V=C4=83n_A?= <an.nguyen@example.net>\r\n"
    "To: ir@cert.example\r\n"
    "Subject: Fwd: Your account is suspended\r\n"
    "Content-Type: multipart/mixed; boundary=\"f\"\r\n"
    "\r\n"
    "--f\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "I got this mail, is it real? Contact me at an.nguyen@example.net\r\n"
    "--f\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Received: from mx.example.net (mx.example.net [198.51.100.25])\r\n"
    "  by inbound.example.net with ESMTPS id 1; Mon, 1 Jan 2024 10:00:02"
    " +0000\r\n"
    "Received: from sender.bad.example (unknown [45.67.89.10])\r\n"
    "  by mx.example.net with ESMTP id 2; Mon, 1 Jan 2024 10:00:01 +0000\r\n"
    "Received: from localhost (localhost [127.0.0.1]) by sender.bad.example"
    "\r\n  (Postfix); Mon, 1 Jan 2024 10:00:00 +0000\r\n"
    "Received: from pc ([192.168.1.20] [IPv6:fe80::1]) by sender.bad.example"
    ";\r\n  Mon, 1 Jan 2024 09:59:00 +0000\r\n"
    "Received: from relay6 ([IPv6:2001:db8:aa::5]) by sender.bad.example;\r\n"
    "  Mon, 1 Jan 2024 09:58:00 +0000\r\n"
    "From: \"Bank Security\" <security@bank-verify.example>\r\n"
    "Reply-To: refunds@collector.example\r\n"
    "To: an.nguyen@example.net\r\n"
    "Subject: Your account is suspended\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<p>Dear customer,</p><p>Click <a href=\"http://bank-verify.example/"
    "login?id=1\">here</a> to restore access.</p>\r\n"
    "--f--\r\n";

static const char msg_inline[] =
    "From: Tran Thi B <b.tran@example.org>\n"
    "To: ir@cert.example\n"
    "Subject: Fwd: Thong bao trung thuong\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "\n"
    "Toi nhan duoc thu nay.\n"
    "\n"
    "---------- Forwarded message ---------\n"
    "From: Giai thuong <prize@winner-lottery.example>\n"
    "Date: Mon, 1 Jan 2024 at 10:00\n"
    "Subject: Ban da trung thuong\n"
    "To: <b.tran@example.org>\n"
    "\n"
    "Nhan thuong tai hxxps://winner-lottery[.]example/claim ngay!\n";

static void
test_forward(void)
{
	struct mail_result	 res;

	run(msg_fwd822, NULL, &res);
	CHECK(res.format == MAIL_FORMAT_FORWARD);
	CHECK(res.n_reports == 1);
	CHECK_STR(cat(&res, 0), "phishing");
	if (res.n_reports == 1) {
		const struct report *r = &res.reports[0];

		CHECK(has_ind(r, IND_URL, "http://bank-verify.example/login?id=1"));
		CHECK(has_ind(r, IND_DOMAIN, "bank-verify.example"));
		CHECK(has_ind(r, IND_EMAIL, "security@bank-verify.example"));
		CHECK(has_ind(r, IND_EMAIL, "refunds@collector.example"));
		CHECK(has_ind(r, IND_IPV4, "45.67.89.10"));
		CHECK(has_ind(r, IND_IPV4, "198.51.100.25"));
		CHECK(has_ind(r, IND_IPV6, "2001:db8:aa::5"));
		CHECK(!has_ind(r, IND_IPV4, "127.0.0.1"));
		CHECK(!has_ind(r, IND_IPV4, "192.168.1.20"));
		CHECK(!has_ind(r, IND_IPV6, "fe80::1"));
		CHECK(!has_ind(r, IND_EMAIL, "an.nguyen@example.net"));
		CHECK_STR(r->reporter_name, "Nguy\xe1\xbb\x85n V\xc4\x83n A");
		CHECK_STR(r->reporter_email, "an.nguyen@example.net");
		CHECK(r->description && strstr(r->description,
		    "I got this mail") != NULL);
		CHECK(r->description && strstr(r->description,
		    "Subject: Your account is suspended") != NULL);
	}
	mail_result_free(&res);

	run(msg_inline, NULL, &res);
	CHECK(res.format == MAIL_FORMAT_FORWARD);
	CHECK(res.n_reports == 1);
	CHECK_STR(cat(&res, 0), "phishing");
	if (res.n_reports == 1) {
		const struct report *r = &res.reports[0];

		CHECK(has_ind(r, IND_URL,
		    "https://winner-lottery.example/claim"));
		CHECK(has_ind(r, IND_EMAIL, "prize@winner-lottery.example"));
		CHECK(has_ind(r, IND_DOMAIN, "winner-lottery.example"));
		CHECK(!has_ind(r, IND_EMAIL, "b.tran@example.org"));
	}
	mail_result_free(&res);
}

static const char msg_dsn[] =
    "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "Content-Type: multipart/report; report-type=delivery-status;"
    " boundary=\"d\"\n"
    "\n"
    "--d\n"
    "Content-Type: text/plain\n"
    "\n"
    "I'm sorry to have to inform you that your message about phishing"
    " could not be delivered.\n"
    "--d\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; mx.example.org\n"
    "\n"
    "Final-Recipient: rfc822; nobody@example.org\n"
    "Action: failed\n"
    "Status: 5.1.1\n"
    "--d\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "From: ir@cert.example\n"
    "Subject: Your report IR-1\n"
    "\n"
    "See http://cert.example/status\n"
    "--d--\n";

static const char msg_autoreply[] =
    "From: someone@example.com\n"
    "Subject: Out of office: phishing report\n"
    "Auto-Submitted: auto-replied\n"
    "\n"
    "I am away. Phishing lừa đảo reports go to my colleague.\n";

static const char msg_loop[] =
    "From: ir@cert.example\n"
    "Subject: Re: your report\n"
    "X-Intaked-Loop: mx.cert.example\n"
    "\n"
    "Thanks.\n";

static void
test_auto(void)
{
	struct mail_envelope	 null_env = env;
	struct mail_result	 res;
	json_t			*j;

	null_env.mail_from = "";
	run(msg_dsn, &null_env, &res);
	CHECK(res.format == MAIL_FORMAT_DSN);
	CHECK(res.auto_generated == 1);
	CHECK(res.auto_reason && strstr(res.auto_reason, "null sender"));
	CHECK(res.auto_reason && strstr(res.auto_reason,
	    "delivery status notification"));
	CHECK(res.n_reports == 1);
	CHECK_STR(cat(&res, 0), "undetermined");
	CHECK(res.n_reports == 1 && res.reports[0].description &&
	    strstr(res.reports[0].description, "Status: 5.1.1"));
	j = meta(&res);
	CHECK(json_is_true(json_object_get(j, "auto_generated")));
	CHECK_STR(json_string_value(json_object_get(json_object_get(j,
	    "envelope"), "mail_from")), "");
	json_decref(j);
	mail_result_free(&res);

	run(msg_autoreply, NULL, &res);
	CHECK(res.auto_generated == 1);
	CHECK(res.format == MAIL_FORMAT_PLAIN);
	CHECK_STR(cat(&res, 0), "undetermined");
	CHECK_STR(res.auto_reason, "Auto-Submitted: auto-replied");
	mail_result_free(&res);

	run(msg_loop, NULL, &res);
	CHECK(res.auto_generated == 1);
	CHECK(res.auto_reason && strstr(res.auto_reason, "X-Intaked-Loop"));
	mail_result_free(&res);

	/* "no" is not automatic, nor is an ordinary message */
	run("From: a@example.com\nAuto-Submitted: no\nSubject: hi\n\nhello\n",
	    NULL, &res);
	CHECK(res.auto_generated == 0 && res.auto_reason == NULL);
	mail_result_free(&res);
	run("From: a@example.com\nPrecedence: bulk\nSubject: news\n\nx\n",
	    NULL, &res);
	CHECK(res.auto_generated == 1);
	mail_result_free(&res);
}

/* "Kính gửi VNCERT, tôi bị lừa đảo ..." in windows-1258 (tone marks apart). */
static const char msg_vi1258[] =
    "From: citizen@example.vn\n"
    "Subject: =?windows-1258?Q?B=E1o_c=E1o_l=FD=CCa_=F0a=D2o?=\n"
    "Content-Type: text/plain; charset=windows-1258\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "K\xed" "nh g\xfd\xd2" "i VNCERT, t\xf4" "i bi\xf2" " l\xfd\xcc" "a "
    "\xf0" "a\xd2" "o qua trang web hxxp://vi-dien-tu[.]example/login t\xfd"
    "\xcc" " m\xe1" "y chu\xd2" " 203.0.113.45.\n";

static const char msg_viqp[] =
    "From: =?UTF-8?B?TMOqIFbEg24gQw==?= <c.le@example.vn>\n"
    "Subject: =?UTF-8?Q?Ph=C3=A1t_hi=E1=BB=87n_l=E1=BB=ABa_=C4=91=E1=BA=A3o?=\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "T=C3=B4i ph=C3=A1t hi=E1=BB=87n trang l=E1=BB=ABa =C4=91=E1=BA=A3o ng=C3=\n"
    "=A2n h=C3=A0ng t=E1=BA=A1i hxxps://vietcombank-xac-minh[.]example/otp,=\n"
    " m=C3=A1y ch=E1=BB=A7 198.51.100.77.\n";

static const char msg_en[] =
    "From: Alice <alice@example.com>\n"
    "Subject: Phishing email pretending to be my bank\n"
    "\n"
    "Hello, I received a phishing email asking me to verify my bank\n"
    "account password at http://secure-login.bank.example.net/verify\n";

static void
test_plain(void)
{
	struct mail_result	 res;

	run(msg_vi1258, NULL, &res);
	CHECK(res.format == MAIL_FORMAT_PLAIN);
	CHECK_STR(cat(&res, 0), "fraud");
	if (res.n_reports == 1) {
		const struct report *r = &res.reports[0];

		CHECK(has_ind(r, IND_IPV4, "203.0.113.45"));
		CHECK(has_ind(r, IND_URL, "http://vi-dien-tu.example/login"));
		/* stored in NFC */
		CHECK(r->description && strstr(r->description,
		    "l\xe1\xbb\xab" "a \xc4\x91\xe1\xba\xa3o") != NULL);
		CHECK_STR(r->subject, "B\xc3\xa1o c\xc3\xa1o l\xe1\xbb\xab"
		    "a \xc4\x91\xe1\xba\xa3o");
	}
	mail_result_free(&res);

	run(msg_viqp, NULL, &res);
	CHECK_STR(cat(&res, 0), "fraud");
	if (res.n_reports == 1) {
		const struct report *r = &res.reports[0];

		CHECK(has_ind(r, IND_IPV4, "198.51.100.77"));
		CHECK(has_ind(r, IND_URL,
		    "https://vietcombank-xac-minh.example/otp"));
		CHECK_STR(r->reporter_name, "L\xc3\xaa V\xc4\x83n C");
	}
	mail_result_free(&res);

	run(msg_en, NULL, &res);
	CHECK_STR(cat(&res, 0), "phishing");
	CHECK(res.n_reports == 1 && has_ind(&res.reports[0], IND_URL,
	    "http://secure-login.bank.example.net/verify"));
	CHECK(res.tbsc == 0);
	mail_result_free(&res);

	/* nothing to go on: undetermined, the text kept */
	run("From: x@example.com\nSubject: hello\n\nplease call me back\n",
	    NULL, &res);
	CHECK_STR(cat(&res, 0), "undetermined");
	CHECK(res.n_reports == 1 && res.reports[0].description &&
	    strcmp(res.reports[0].description, "please call me back") == 0);
	mail_result_free(&res);
}

static void
test_tbsc_html(void)
{
	struct mail_result	 res;

	run("From: soc@agency.example.gov.vn\n"
	    "Subject: [TBSC] Thong bao su co tan cong ma doc tong tien\n"
	    "\n"
	    "He thong bi ma hoa du lieu (ransomware), may chu 203.0.113.9.\n",
	    NULL, &res);
	CHECK(res.tbsc == 1);
	CHECK(res.n_reports == 1 && res.reports[0].severity >= SEV_HIGH);
	mail_result_free(&res);

	run("From: x@example.com\nSubject: RE: [tbsc] su co\n\nmot su co\n",
	    NULL, &res);
	CHECK(res.tbsc == 1);
	CHECK(res.n_reports == 1 && res.reports[0].severity >= SEV_HIGH);
	mail_result_free(&res);

	run("From: x@example.com\n"
	    "Subject: suspicious site\n"
	    "Content-Type: text/html; charset=utf-8\n"
	    "\n"
	    "<html><body><p>Look at <a href=\"https://fake-shop.example/pay\">"
	    "this shop</a></p><script>var x = 'http://script.example/';"
	    "</script></body></html>\n", NULL, &res);
	CHECK(res.n_reports == 1);
	if (res.n_reports == 1) {
		CHECK(has_ind(&res.reports[0], IND_URL,
		    "https://fake-shop.example/pay"));
		CHECK(res.reports[0].description && strstr(
		    res.reports[0].description, "this shop") != NULL);
		CHECK(res.reports[0].description && strstr(
		    res.reports[0].description, "<a") == NULL);
	}
	mail_result_free(&res);
}

static void
test_broken(void)
{
	struct mail_result	 res;
	struct report_limits	 small = lim;
	char			*big, err[64];
	size_t			 n = 300 * 1024, i;

	run("From: a@example.com\nContent-Type: multipart/mixed\n\n"
	    "--x\nContent-Type: text/plain\n\n192.0.2.99 attacked us\n--x--\n",
	    NULL, &res);
	CHECK(res.n_reports == 1);
	CHECK(res.n_reports == 1 && has_ind(&res.reports[0], IND_IPV4,
	    "192.0.2.99"));
	CHECK(strstr(res.meta_json, "missing-boundary") != NULL);
	mail_result_free(&res);

	run("From: a@example.com\nContent-Type: text/plain\n"
	    "Content-Transfer-Encoding: base64\n\n!!!!####\x01\x02****\n",
	    NULL, &res);
	CHECK(res.n_reports == 1);
	CHECK(strstr(res.meta_json, "bad-base64") != NULL);
	mail_result_free(&res);

	/* a 300 KiB header */
	big = malloc(n + 64);
	memcpy(big, "X-Big: ", 7);
	for (i = 7; i < n; i++)
		big[i] = (i % 70 == 0) ? '\n' : (i % 70 == 1) ? ' ' : 'a';
	strcpy(big + n, "\nSubject: big\n\nbody 192.0.2.5\n");
	run(big, NULL, &res);
	CHECK(res.n_reports == 1);
	mail_result_free(&res);
	free(big);

	/* empty and header-only messages */
	CHECK(mail_to_reports(&ctx, &env, "", 0, &res, err, sizeof(err)) == 0);
	CHECK(res.n_reports == 1);
	CHECK(res.n_reports == 1 && res.reports[0].description &&
	    strcmp(res.reports[0].description, "(no text)") == 0);
	mail_result_free(&res);
	run("Subject: only a subject 192.0.2.77\n", NULL, &res);
	CHECK(res.n_reports == 1 && has_ind(&res.reports[0], IND_IPV4,
	    "192.0.2.77"));
	CHECK_STR(res.reports[0].reporter_email, "reporter@example.net");
	mail_result_free(&res);

	/* controls become spaces; the description is cut at a boundary */
	small.description_max = 20;
	ctx.lim = &small;
	run("From: a@example.com\nSubject: a\x7f" "b\n\nx\x01y\tz\n"
	    "\xe1\xba\xa1\xe1\xba\xa1\xe1\xba\xa1\xe1\xba\xa1\xe1\xba\xa1\n",
	    NULL, &res);
	CHECK(res.n_reports == 1);
	CHECK_STR(res.reports[0].description,
	    "x y\tz\n\xe1\xba\xa1\xe1\xba\xa1\xe1\xba\xa1\xe1\xba\xa1");
	CHECK_STR(res.reports[0].subject, "a b");
	mail_result_free(&res);
	ctx.lim = &lim;
}

static const char msg_ar[] =
    "Authentication-Results: mx.cert.example; spf=pass"
    " smtp.mailfrom=example.net; dkim=pass header.d=example.net\n"
    "Authentication-Results: MX.CERT.EXAMPLE 1; dmarc=pass\n"
    "Authentication-Results: evil.example; dkim=pass header.d=bank.example\n"
    "Authentication-Results: mx.cert.example.evil.example; spf=pass\n"
    "From: reporter@example.net\n"
    "Reply-To: Other <other@example.net>\n"
    "Message-ID: <abc@example.net>\n"
    "Date: Mon, 1 Jan 2024 10:00:00 +0700\n"
    "Subject: test\n"
    "\n"
    "hello\n";

static void
test_meta(void)
{
	struct mail_result	 res;
	json_t			*j, *ar;

	run(msg_ar, NULL, &res);
	j = meta(&res);
	ar = json_object_get(j, "authentication_results");
	CHECK(json_array_size(ar) == 2);
	CHECK(strstr(res.meta_json, "evil.example") == NULL);
	CHECK(json_string_value(json_array_get(ar, 0)) != NULL &&
	    strncmp(json_string_value(json_array_get(ar, 0)),
	    "mx.cert.example; spf=pass", 25) == 0);
	CHECK_STR(json_string_value(json_object_get(j, "reply_to")),
	    "other@example.net");
	CHECK_STR(json_string_value(json_object_get(j, "message_id")),
	    "<abc@example.net>");
	CHECK_STR(json_string_value(json_object_get(json_object_get(j,
	    "from"), "addr")), "reporter@example.net");
	CHECK_STR(json_string_value(json_object_get(json_object_get(j,
	    "envelope"), "helo")), "mail.example.net");
	CHECK_STR(json_string_value(json_object_get(json_object_get(j,
	    "envelope"), "tls")), "TLSv1.3 TLS_AES_256_GCM_SHA384");
	CHECK_STR(json_string_value(json_array_get(json_object_get(
	    json_object_get(j, "envelope"), "rcpts"), 0)), "ir@cert.example");
	CHECK_STR(json_string_value(json_object_get(j, "format")), "plain");
	json_decref(j);
	mail_result_free(&res);

	/* no trusted upstream: none kept */
	ctx.n_trusted_upstreams = 0;
	run(msg_ar, NULL, &res);
	j = meta(&res);
	CHECK(json_array_size(json_object_get(j,
	    "authentication_results")) == 0);
	json_decref(j);
	mail_result_free(&res);
	ctx.n_trusted_upstreams = 1;
	CHECK_STR(mail_format_name(MAIL_FORMAT_FORWARD), "forward");
	CHECK_STR(mail_format_name(MAIL_FORMAT_DSN), "dsn");
}

/* conf/classify.tsv, read from the repo root. */
static struct classifier *
load_classifier(void)
{
	FILE			*f = fopen("conf/classify.tsv", "rb");
	static char		 buf[1 << 20];
	char			 err[256];
	struct classifier	*c;
	size_t			 n;

	if (f == NULL) {
		printf("FAIL conf/classify.tsv: %s\n", strerror(errno));
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if ((c = classifier_new(buf, n, &tax, err, sizeof(err))) == NULL)
		printf("FAIL classifier: %s\n", err);
	return c;
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
	cl = load_classifier();
	CHECK(cl != NULL);
	ctx.tax = &tax;
	ctx.lim = &lim;
	ctx.extractor = ex;
	ctx.classifier = cl;
	ctx.trusted_upstreams = trusted;
	ctx.n_trusted_upstreams = 1;
	ctx.max_reports = 100;
	test_arf();
	test_xarf();
	test_csv();
	test_forward();
	test_auto();
	test_plain();
	test_tbsc_html();
	test_broken();
	test_meta();
	classifier_free(cl);
	extractor_free(ex);
	taxonomy_free(&tax);
	return t_done();
}
