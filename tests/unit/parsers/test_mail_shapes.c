/*
 * test_mail_shapes.c - abuse reports in the shapes real senders give them,
 * through mail_to_reports, hand-made after those the public sources show:
 *
 * ARF: text/rfc822-headers and its misspelt and message/ forms; no
 * Source-IP (the first public IP of the returned Received chain, or of the
 * human text, and the sender domain); Feedback-Types beyond RFC 5965's
 * (not-spam, dkim, opt-out; "other" taking the words of the text); MARF
 * with two reports in one message; a report forwarded inline under "FW:"
 * with "> " quoting, or its fields sent as text/plain; Microsoft JMRP complaints, attached and bare.
 *
 * X-ARF: the YAML part as application/x-yaml, without "---" (sniffed by
 * its keys), as "Key = value" lines; a key/value attachment named after
 * its type with lower-case keys; a Schema-URL naming the class; the
 * Report-Type written as login-attack, LoginAttack, login_attack and "SSH
 * brute force"; the report as the first text part, evidence after it; X-ARF 4 JSON with an X-ARF 3 class (Activity / Malware is
 * malware) while an unknown class stays refused; several report parts;
 * an Auto-Submitted notice: automatic, yet categorised with indicators.
 *
 * DMARC and TLS reports: in the format's own notes, aggregate, automatic.
 * And the real messages of the corpora that have these shapes, when the
 * corpora are there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arf.h"
#include "classify.h"
#include "extract.h"
#include "mail.h"
#include "mail_auto.h"
#include "t.h"
#include "t_file.h"
#include "t_mail.h"
#include "t_report.h"

static struct taxonomy		 tax;
static struct report_limits	 lim;
static struct mail_context	 ctx;
static const char *const	 rcpts[] = { "abuse@cert.example" };
static const struct mail_envelope env = {
	"fbl@isp.example", rcpts, 1, "mail.isp.example", "198.51.100.7",
	NULL, "mx.cert.example"
};

static void
run(const char *msg, struct mail_result *res)
{
	char	err[128];

	CHECK(mail_to_reports(&ctx, &env, msg, strlen(msg), res, err,
	    sizeof(err)) == 0);
	CHECK(res->n_reports >= 1);
}

static const char *
cat(const struct mail_result *res, size_t i)
{
	return i < res->n_reports && res->reports[i].category ?
	    res->reports[i].category->code : "(none)";
}

static const char *
detail(const struct mail_result *res)
{
	const char	*f = res->meta_json ? strstr(res->meta_json,
			    "\"format\":\"") : NULL;
	static char	 buf[32];

	if (f == NULL)
		return "";
	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(f + 10, "\""),
	    f + 10);
	return buf;
}

/* An ARF report; hdr is the returned part's type, fields the report's. */
static char *
arf(const char *ftype, const char *fields, const char *hdr,
    const char *returned)
{
	char	*m;

	if (asprintf(&m, "From: <fbl@isp.example>\nTo: <abuse@cert.example>\n"
	    "Subject: FW: Earn money\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=feedback-report;\n"
	    " boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\n"
	    "This is a report for a message received from IP 203.0.113.99.\n"
	    "\n--b\nContent-Type: message/feedback-report\n\n"
	    "Feedback-Type: %s\nUser-Agent: Gen/1.0\nVersion: 1\n%s\n--b\n"
	    "Content-Type: %s\n\n%s\n--b--\n", ftype, fields, hdr,
	    returned) == -1)
		return NULL;
	return m;
}

static const char returned_hdrs[] =
    "Received: from mx.internal.isp.example (10.0.0.5)\n"
    " by store.isp.example; Sat, 21 Nov 2026 08:00:01 +0000\n"
    "Received: from mail.spam-sender.example (mail.spam-sender.example"
    " [192.0.2.77])\n by mx.isp.example; Sat, 21 Nov 2026 08:00:00 +0000\n"
    "From: <spammer@spam-sender.example>\nSubject: Earn money\n";

static void
test_arf_shapes(void)
{
	static const char *const hdr_types[] = { "text/rfc822-headers",
	    "text/rfc822-header", "message/rfc822-headers",
	    "message/rfc822" };
	struct mail_result	 res;
	const struct report	*r;
	char			*m;
	size_t			 i;

	for (i = 0; i < sizeof(hdr_types) / sizeof(hdr_types[0]); i++) {
		m = arf("abuse", "", hdr_types[i], returned_hdrs);
		run(m, &res);
		r = &res.reports[0];
		CHECK(res.format == MAIL_FORMAT_ARF);
		CHECK_STR(cat(&res, 0), "spam");
		/* no Source-IP: the first public one of the Received chain */
		CHECK(r->n_indicators > 0 && r->indicators[0].type ==
		    IND_IPV4 && strcmp(r->indicators[0].value,
		    "192.0.2.77") == 0);
		CHECK_STR(r->indicators[0].origin,
		    "returned message Received (no Source-IP)");
		CHECK(has_ind(r, IND_DOMAIN, "spam-sender.example"));
		CHECK(has_ind(r, IND_EMAIL, "spammer@spam-sender.example"));
		CHECK(!has_ind(r, IND_IPV4, "10.0.0.5"));
		CHECK(strstr(r->description, "Source-IP taken from: the "
		    "returned message's Received chain") != NULL);
		mail_result_free(&res);
		free(m);
	}
	/* nothing returned: the human-readable text names the IP */
	m = arf("abuse", "", "text/plain", "no headers here");
	run(m, &res);
	CHECK(has_ind(&res.reports[0], IND_IPV4, "203.0.113.99"));
	CHECK_STR(res.reports[0].indicators[0].origin,
	    "human-readable text (no Source-IP)");
	mail_result_free(&res);
	free(m);
	/* Feedback-Types beyond the five */
	m = arf("not-spam", "Source-IP: 192.0.2.5\n", "text/rfc822-headers",
	    returned_hdrs);
	run(m, &res);
	CHECK_STR(cat(&res, 0), "spam");
	CHECK(has_ind(&res.reports[0], IND_IPV4, "192.0.2.5"));
	CHECK_STR(res.reports[0].indicators[0].origin, "ARF Source-IP");
	mail_result_free(&res);
	free(m);
	m = arf("dkim", "Source-IP: 192.0.2.5\n", "text/rfc822-headers",
	    returned_hdrs);
	run(m, &res);
	CHECK_STR(cat(&res, 0), "phishing");
	mail_result_free(&res);
	free(m);
	m = arf("opt-out", "Removal-Recipient: user@isp.example\n",
	    "text/rfc822-header", returned_hdrs);
	run(m, &res);
	CHECK_STR(cat(&res, 0), "spam");
	CHECK(res.reports[0].n_indicators > 0);
	mail_result_free(&res);
	free(m);
	/* "other": the words of the report, of the returned message, else spam */
	m = arf("other", "Source-IP: 192.0.2.5\n", "message/rfc822",
	    "From: <x@phish.example>\nSubject: Verify your bank account\n\n"
	    "Phishing: log in to your bank at http://bank.phish.example/\n");
	memcpy(strstr(m, "Earn money"), "Complaint ", 10);
	run(m, &res);
	CHECK_STR(cat(&res, 0), "phishing");
	CHECK(res.reports[0].category_why == arf_why_fallback);
	mail_result_free(&res);
	free(m);
	m = arf("other", "Source-IP: 192.0.2.5\n", "text/rfc822-headers",
	    "From: <x@example.net>\nSubject: hello\n");
	run(m, &res);
	CHECK_STR(cat(&res, 0), "spam");
	mail_result_free(&res);
	free(m);
}

static const char marf_two[] =
    "From: fbl@isp.example\nSubject: two reports\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=outer\n\n"
    "--outer\nContent-Type: multipart/report; report-type=feedback-report;"
    " boundary=r1\n\n--r1\nContent-Type: text/plain\n\nFirst.\n"
    "--r1\nContent-Type: message/feedback-report\n\n"
    "Feedback-Type: abuse\nSource-IP: 192.0.2.1\n"
    "--r1\nContent-Type: text/rfc822-headers\n\n"
    "From: a@one.example\nSubject: one\n--r1--\n"
    "--outer\nContent-Type: multipart/report; report-type=feedback-report;"
    " boundary=r2\n\n--r2\nContent-Type: text/plain\n\nSecond.\n"
    "--r2\nContent-Type: message/feedback-report\n\n"
    "Feedback-Type: virus\nSource-IP: 192.0.2.2\n"
    "--r2\nContent-Type: text/rfc822-headers\n\n"
    "From: b@two.example\nSubject: two\n--r2--\n--outer--\n";

static const char arf_inline_fw[] =
    "From: Alice <alice@isp.example>\nTo: abuse@cert.example\n"
    "Subject: FW: abuse report for your network\n\n"
    "Please look at this report we received.\n\n"
    "-----Original Message-----\nFrom: fbl@bigmail.example\n"
    "Subject: Abuse report\n\n"
    "> Feedback-Type: abuse\n> User-Agent: BigMail-FBL/2.1\n"
    "> Version: 1\n> Source-IP: 192.0.2.44\n"
    "> Arrival-Date: Thu, 19 Nov 2026 10:00:00 +0000\n>\n"
    "> Received: from relay.spam.example (relay.spam.example [192.0.2.44])\n"
    ">  by mx.bigmail.example; Thu, 19 Nov 2026 10:00:00 +0000\n"
    "> From: offers@spam.example\n> Subject: cheap pills\n";

static const char jmrp_attached[] =
    "From: staff@hotmail.com\nSubject: complaint about message from "
    "192.0.2.222\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=j\n\n--j\n"
    "Content-Type: message/rfc822\nContent-Disposition: inline\n\n"
    "X-HmXmrOriginalRecipient: user@hotmail.com\n"
    "X-Reporter-IP: 198.51.100.200\n"
    "Received: from smtp.sender.example ([203.0.113.245]) by "
    "mx.hotmail.example\nFrom: Sender <news@sender.example>\n"
    "Subject: Newsletter\n\nBuy now.\n--j--\n";

static const char jmrp_bare[] =
    "Return-Path: staff@hotmail.com\n"
    "Received: from bay.hotmail.example (65.54.190.76) by mail.isp.example\n"
    "X-HmXmrOriginalRecipient: user@hotmail.com\n"
    "Received: from promo.sender.example ([72.55.174.206]) by "
    "mc.hotmail.example\n"
    "From: promo@promo.sender.example\nSubject: Finance report\n\n"
    "Our offers.\n";

static void
test_arf_more(void)
{
	struct mail_result	res;

	run(marf_two, &res);
	CHECK(res.format == MAIL_FORMAT_ARF && res.n_reports == 2);
	CHECK_STR(cat(&res, 0), "spam");
	CHECK_STR(cat(&res, 1), "malware");
	CHECK(has_ind(&res.reports[0], IND_IPV4, "192.0.2.1") &&
	    has_ind(&res.reports[0], IND_DOMAIN, "one.example"));
	CHECK(has_ind(&res.reports[1], IND_IPV4, "192.0.2.2") &&
	    has_ind(&res.reports[1], IND_DOMAIN, "two.example"));
	CHECK(strstr(res.reports[1].description, "Second.") != NULL);
	mail_result_free(&res);

	run(arf_inline_fw, &res);
	CHECK(res.format == MAIL_FORMAT_ARF);
	CHECK_STR(detail(&res), "arf-inline");
	CHECK_STR(cat(&res, 0), "spam");
	CHECK(has_ind(&res.reports[0], IND_IPV4, "192.0.2.44"));
	CHECK(has_ind(&res.reports[0], IND_EMAIL, "offers@spam.example"));
	CHECK(res.reports[0].occurred_at != NULL);
	mail_result_free(&res);
	/* the report's fields sent as text/plain, the headers beside them */
	run("From: fbl@isp.example\nSubject: report\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=feedback-report; "
	    "boundary=b\n\n--b\nContent-Type: text/plain\n\nA complaint.\n"
	    "--b\nContent-Type: text/plain\n\nFeedback-Type: abuse\n"
	    "User-Agent: X/1\nVersion: 1\nSource-IP: 192.0.2.61\n--b\n"
	    "Content-Type: text/rfc822-headers\n\nFrom: s@spam.example\n"
	    "Subject: x\n--b--\n", &res);
	CHECK(res.format == MAIL_FORMAT_ARF);
	CHECK(has_ind(&res.reports[0], IND_IPV4, "192.0.2.61") &&
	    has_ind(&res.reports[0], IND_DOMAIN, "spam.example"));
	mail_result_free(&res);
	/* naming the field in a sentence is no report */
	run("From: a@example.org\nSubject: FW: question\n\nWhat is a "
	    "Feedback-Type: field?\nThanks\n", &res);
	CHECK(res.format != MAIL_FORMAT_ARF);
	mail_result_free(&res);

	run(jmrp_attached, &res);
	CHECK(res.format == MAIL_FORMAT_ARF);
	CHECK_STR(detail(&res), "arf-jmrp");
	CHECK_STR(cat(&res, 0), "spam");
	CHECK(has_ind(&res.reports[0], IND_IPV4, "192.0.2.222"));
	CHECK_STR(res.reports[0].indicators[0].origin, "JMRP subject");
	CHECK(has_ind(&res.reports[0], IND_DOMAIN, "sender.example"));
	CHECK(!has_ind(&res.reports[0], IND_IPV4, "198.51.100.200"));
	mail_result_free(&res);
	run(jmrp_bare, &res);
	CHECK_STR(detail(&res), "arf-jmrp");
	CHECK(has_ind(&res.reports[0], IND_IPV4, "72.55.174.206"));
	CHECK(!has_ind(&res.reports[0], IND_IPV4, "65.54.190.76"));
	mail_result_free(&res);
}

/* A message with one attachment part: type, name, text. */
static char *
attached(const char *hdrs, const char *ctype, const char *name,
    const char *text)
{
	char	*m;

	if (asprintf(&m, "From: reports@abuse-team.example\n%s"
	    "Subject: abuse report\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=x\n\n--x\n"
	    "Content-Type: text/plain\n\nDear abuse team, see attached.\n"
	    "--x\nContent-Type: %s%s%s\n%s%s%s\n%s\n--x--\n", hdrs, ctype,
	    name ? "; name=\"" : "", name ? name : "", name ?
	    "Content-Disposition: attachment; filename=\"" : "",
	    name ? name : "", name ? "\"\n" : "", text) == -1)
		return NULL;
	return m;
}

static void
xarf_expect(const char *hdrs, const char *ctype, const char *name,
    const char *text, const char *code, enum ind_type t, const char *ind)
{
	struct mail_result	 res;
	char			*m = attached(hdrs, ctype, name, text);

	run(m, &res);
	if (res.format != MAIL_FORMAT_XARF || strcmp(cat(&res, 0), code) != 0)
		printf("FAIL x-arf %s %s: %s, %s\n", ctype, name ? name : "",
		    mail_format_name(res.format), cat(&res, 0));
	CHECK(res.format == MAIL_FORMAT_XARF);
	CHECK_STR(cat(&res, 0), code);
	CHECK(has_ind(&res.reports[0], t, ind));
	mail_result_free(&res);
	free(m);
}

static void
test_xarf_shapes(void)
{
	static const char *const types[] = { "login-attack", "LoginAttack",
	    "login_attack", "SSH brute force" };
	struct mail_result	 res;
	char			 doc[512], *m;
	size_t			 i;

	xarf_expect("", "application/x-yaml", "report.yaml", "---\n"
	    "Reported-From: a@abuse-team.example\nCategory: abuse\n"
	    "Report-Type: login-attack\nSource: 192.0.2.9\n"
	    "Source-Type: ip-address\n", "brute-force", IND_IPV4, "192.0.2.9");
	/* no "---", no X-ARF header: known by its keys */
	xarf_expect("", "text/plain", "report.txt", "Category: abuse\n"
	    "Report-Type: portscan\nSource: 192.0.2.10\nVersion: 0.2\n",
	    "scan", IND_IPV4, "192.0.2.10");
	xarf_expect("X-ARF: YES\n", "text/plain", NULL, "Category = abuse\n"
	    "Report-Type = spam\nSource = 192.0.2.11\n", "spam", IND_IPV4,
	    "192.0.2.11");
	/* named after its type, lower-case keys (cyscon's form) */
	xarf_expect("", "text/plain", "MALWARE-report.txt", "---\n"
	    "uri: http://bad.example.net/x.exe\ndomain: bad.example.net\n"
	    "ip: 192.0.2.12\nfirst_seen: 2026-11-21 04:04:18 +0200\n",
	    "malware", IND_URL, "http://bad.example.net/x.exe");
	/* a Schema-URL names the class */
	xarf_expect("X-ARF: YES\n", "text/plain", "report.txt",
	    "Reported-From: a@abuse-team.example\n"
	    "Schema-URL: http://www.x-arf.org/schema/abuse_login-attack_0.1.2"
	    ".json\nSource: 192.0.2.13\n", "brute-force", IND_IPV4,
	    "192.0.2.13");
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		snprintf(doc, sizeof(doc), "---\nCategory: abuse\n"
		    "Report-Type: %s\nSource: 192.0.2.14\n", types[i]);
		xarf_expect("", "text/plain", "report.txt", doc,
		    "brute-force", IND_IPV4, "192.0.2.14");
	}
	/* the report in the first text part, the evidence after it */
	run("From: r@abuse.example\nSubject: report\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=x\n\n--x\n"
	    "Content-Type: text/plain; name=report.txt\n\n"
	    "Reported-From: r@abuse.example\nCategory: abuse\n"
	    "Report-Type: login-attack\nSource: 192.0.2.50\n--x\n"
	    "Content-Type: text/plain; name=logs.txt\n\n"
	    "sshd: failed password from 192.0.2.50\n--x--\n", &res);
	CHECK(res.format == MAIL_FORMAT_XARF);
	CHECK_STR(cat(&res, 0), "brute-force");
	mail_result_free(&res);
	/* X-ARF 4 with an X-ARF 3 class: the type decides */
	xarf_expect("", "application/json", "xarf.json", "{\"xarf_version\":"
	    " \"4.0.0\", \"category\": \"Activity\", \"type\": \"Malware\","
	    " \"reporter\": {\"org\": \"T\", \"contact\": \"t@t.example\"},"
	    " \"source_identifier\": \"192.0.2.15\", \"report_id\": \"1\"}",
	    "malware", IND_IPV4, "192.0.2.15");
	m = attached("", "application/json", "xarf.json", "{\"xarf_version\":"
	    " \"4.0.0\", \"category\": \"no_such_class\", \"type\": \"spam\","
	    " \"reporter\": {\"org\": \"T\"}, \"source_identifier\": "
	    "\"192.0.2.16\"}");
	run(m, &res);
	CHECK(res.format != MAIL_FORMAT_XARF);
	mail_result_free(&res);
	free(m);
	/* two report parts, two reports; Auto-Submitted, still categorised */
	if (asprintf(&m, "From: r@abuse-team.example\nSubject: reports\n"
	    "Auto-Submitted: auto-generated\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=x\n\n--x\n"
	    "Content-Type: text/plain\n\nTwo reports.\n--x\n"
	    "Content-Type: text/plain; name=a.yaml\n\n---\nCategory: abuse\n"
	    "Report-Type: web-attack\nSource: 192.0.2.17\n--x\n"
	    "Content-Type: text/plain; name=b.yaml\n\n---\nCategory: abuse\n"
	    "Report-Type: phishing\nSource: http://phish.example/\n"
	    "Source-Type: uri\n--x--\n") == -1)
		return;
	run(m, &res);
	CHECK(res.format == MAIL_FORMAT_XARF && res.n_reports == 2);
	CHECK(res.auto_generated == 1);
	CHECK_STR(cat(&res, 0), "attack-other");
	CHECK_STR(cat(&res, 1), "phishing");
	CHECK(has_ind(&res.reports[1], IND_URL, "http://phish.example/"));
	mail_result_free(&res);
	free(m);
}

static void
test_aggregate(void)
{
	struct mail_result	 res;
	char			*m;

	m = attached("", "text/xml", "google.com!example.vn!1700000000!"
	    "1700086399.xml", "<?xml version=\"1.0\"?><feedback>"
	    "<report_metadata><org_name>google.com</org_name>"
	    "<report_id>7</report_id></report_metadata><policy_published>"
	    "<domain>example.vn</domain></policy_published><record><row>"
	    "<count>2</count><policy_evaluated><dkim>fail</dkim>"
	    "<spf>fail</spf></policy_evaluated></row></record></feedback>");
	run(m, &res);
	CHECK(res.format == MAIL_FORMAT_DMARC && res.n_reports == 1);
	CHECK(res.auto_generated && res.reports[0].aggregate == 1);
	CHECK(res.auto_reason && strstr(res.auto_reason,
	    "DMARC aggregate report: google.com") != NULL);
	CHECK(strstr(res.reports[0].description, "2 failing both DKIM and "
	    "SPF") != NULL);
	CHECK(strstr(res.meta_json, "\"aggregate\":{") != NULL);
	mail_result_free(&res);
	free(m);
	m = attached("", "application/tlsrpt+json", "r.json",
	    "{\"organization-name\": \"X\", \"report-id\": \"9\", "
	    "\"policies\": [{\"policy\": {\"policy-domain\": \"y.example\"}, "
	    "\"summary\": {\"total-successful-session-count\": 1, "
	    "\"total-failure-session-count\": 2}}]}");
	run(m, &res);
	CHECK(res.format == MAIL_FORMAT_TLSRPT);
	CHECK(res.auto_generated && res.reports[0].aggregate == 1);
	CHECK(strstr(res.reports[0].description, "3 sessions, 2 failed") !=
	    NULL);
	mail_result_free(&res);
	free(m);
	/* an ordinary report is no aggregate */
	run("From: a@example.org\nSubject: phishing\n\nhttp://x.example/\n",
	    &res);
	CHECK(res.reports[0].aggregate == 0);
	mail_result_free(&res);
}

/* The real messages of the corpora with these shapes. */
static void
test_corpora(void)
{
	static const struct {
		const char	*file;
		const char	*code;
		enum ind_type	 t;
		const char	*ind;
	} real[] = {
		{ "abuseio/cyscon/Cyscon_Example_1.eml", "malware", IND_URL,
		    "http://malware.cust.domain.tld/" },
		{ "abuseio/webiron/Webiron_Example_1.eml", "attack-other",
		    IND_IPV4, "172.16.31.20" },
		{ "abuseio/spamexperts/1.eml", "spam", IND_IPV4, NULL },
	};
	const char		*dir = getenv("INTAKED_CORPORA");
	struct mail_result	 res;
	char			 path[1024], *buf;
	size_t			 i, n;

	if (dir == NULL || *dir == '\0')
		dir = "../shared/corpora";
	for (i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, real[i].file);
		if ((buf = t_slurp(path, &n)) == NULL) {
			T_SKIP("%s not found (set INTAKED_CORPORA)", path);
			continue;
		}
		run(buf, &res);
		(void)n;
		if (strcmp(cat(&res, 0), real[i].code) != 0)
			printf("FAIL %s: %s\n", real[i].file, cat(&res, 0));
		CHECK_STR(cat(&res, 0), real[i].code);
		CHECK(real[i].ind == NULL ? res.reports[0].n_indicators > 0 :
		    has_ind(&res.reports[0], real[i].t, real[i].ind));
		mail_result_free(&res);
		free(buf);
	}
}

int
main(void)
{
	if (t_mail_init(&tax, &lim, &ctx, 100) == -1)
		return 1;
	test_arf_shapes();
	test_arf_more();
	test_xarf_shapes();
	test_aggregate();
	test_corpora();
	t_mail_free(&tax, &ctx);
	return t_done();
}
