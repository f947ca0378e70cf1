/*
 * test_mail_auto.c - automatic mail (mail_auto.h): the rules file (its
 * errors, with line numbers), each kind of rule and how they add up (a
 * source counted once, text only as a second signal, the threshold, the
 * kinds), then every signal of conf/auto.tsv the mailbox relies on, one
 * hand-made message each through mail_to_reports: RFC 3834
 * Auto-Submitted, X-Auto-Response-Suppress, X-Autoreply, X-Autorespond,
 * X-Failed-Recipients, Return-Path <> (a bounce, or an auto-reply when a
 * reply signal says so), From MAILER-DAEMON and postmaster, the subjects of
 * bounces and auto-replies in several languages (RFC 2047 encoded too),
 * and messages that must stay a person's report (a forwarded bounce, a
 * quoted bounce text, "Auto-Submitted: no", a subject that merely mentions
 * an office). Then real ones from the shared corpora, when present.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "extract.h"
#include "mail.h"
#include "mail_auto.h"
#include "t.h"
#include "t_file.h"
#include "t_mail.h"

static struct taxonomy		 tax;
static struct report_limits	 lim;
static struct mail_context	 ctx;
static const char *const	 rcpts[] = { "ir@cert.example" };
static const struct mail_envelope env = {
	"forwarder@example.org", rcpts, 1, "mail.example.org",
	"198.51.100.7", NULL, "mx.cert.example"
};

/* Rules from text: NULL with err when they are refused. */
static struct mail_auto_rules *
rules(const char *tsv, char *err, size_t errlen)
{
	return mail_auto_rules_new(tsv, strlen(tsv), err, errlen);
}

static void
test_rules_file(void)
{
	static const struct {
		const char	*tsv;
		const char	*err;
	} bad[] = {
		{ "10\tbounce\theader:X\n", "line 1: want weight" },
		{ "# c\n\n11\tbounce\tfrom\tx\n", "line 3: weight is not 1..10" },
		{ "0\tbounce\tfrom\tx\n", "line 1: weight" },
		{ "x\tbounce\tfrom\tx\n", "line 1: weight" },
		{ "5\tspam\tfrom\tx\n", "line 1: kind is not" },
		{ "5\tbounce\tbody\tx\n", "line 1: unknown where" },
		{ "5\tbounce\tsubject\t!!\n", "line 1: pattern has no letter" },
		{ "5\tbounce\tfrom\tx\textra\n", "line 1: more than 4 fields" },
		{ "5\tbounce\tfrom\t\n", "line 1: pattern empty" },
	};
	struct mail_auto_rules	*ar;
	char			 err[256];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ar = rules(bad[i].tsv, err, sizeof(err));
		CHECK(ar == NULL);
		if (strncmp(err, bad[i].err, strlen(bad[i].err)) != 0)
			printf("FAIL rules %zu: \"%s\", want \"%s...\"\n", i,
			    err, bad[i].err);
		CHECK(strncmp(err, bad[i].err, strlen(bad[i].err)) == 0);
		mail_auto_rules_free(ar);
	}
	ar = rules("# comment\r\n\r\n10\tbulk\theader:X-A\t*\r\n"
	    "6\treply\tsubject\tVắng mặt\r\n", err, sizeof(err));
	CHECK(ar != NULL && mail_auto_rules_count(ar) == 2);
	mail_auto_rules_free(ar);
	ar = rules(auto_embedded, err, sizeof(err));
	if (ar == NULL)
		printf("FAIL conf/auto.tsv: %s\n", err);
	CHECK(ar != NULL && mail_auto_rules_count(ar) > 100);
	mail_auto_rules_free(ar);
}

/* Parse headers (text, LF) and apply ar; fills v and why. */
static void
check(const struct mail_auto_rules *ar, const char *msg, const char *subj,
    const char *from, const char *name, const char *text,
    struct mail_auto_verdict *v, struct charset_buf *why)
{
	struct mime_message	*m;
	struct mime_error	 merr;

	charset_buf_free(why);
	CHECK(mime_parse(msg, strlen(msg), NULL, &m, &merr) == 0);
	CHECK(mail_auto_check(ar, m->root, subj, from, name, text,
	    text ? strlen(text) : 0, v, why) == 0);
	mime_free(m);
}

static void
test_rule_kinds(void)
{
	static const char tsv[] =
	    "10\treply\theader:Auto-Submitted\tauto-replied\n"
	    "10\tbulk\theader:Auto-Submitted\t!no\n"
	    "10\tnull\theader:Return-Path\t<>\n"
	    "10\tbounce\theader:Return-Path\t<mailer-daemon\n"
	    "6\tbulk\theader:Precedence\tbulk\n"
	    "10\tbounce\tfrom\tmailer-daemon\n"
	    "6\tbounce\tfrom\tpost*\n"
	    "6\tbounce\tfrom-name\tmail delivery system\n"
	    "6\tbounce\tsubject\tundeliverable\n"
	    "5\tbounce\tsubject\tundeliverable mail\n"
	    "6\treply\tsubject-has\tout of office\n"
	    "6\treply\tsubject\t自動応答\n"
	    "5\tbounce\ttext\tuser unknown\n"
	    "4\tbounce\ttext\tmailbox full\n";
	struct mail_auto_rules		*ar;
	struct mail_auto_verdict	 v;
	struct charset_buf		 why = { NULL, 0, 0 };
	char				 err[256];

	CHECK((ar = rules(tsv, err, sizeof(err))) != NULL);
	if (ar == NULL)
		return;
	/* a header: any value but "no"; the first matching rule only */
	check(ar, "Auto-Submitted: auto-replied\n\n", "", "", "", NULL, &v,
	    &why);
	CHECK(v.score == 10 && v.kinds == MAIL_AUTO_REPLY && v.matched == 1);
	CHECK_STR(why.data, "Auto-Submitted: auto-replied");
	check(ar, "Auto-Submitted: auto-generated (x)\n\n", "", "", "", NULL,
	    &v, &why);
	CHECK(v.score == 10 && v.kinds == MAIL_AUTO_BULK);
	check(ar, "Auto-Submitted: no\n\n", "", "", "", NULL, &v, &why);
	CHECK(v.score == 0 && why.len == 0);
	check(ar, "Auto-Submitted: No (a person)\n\n", "", "", "", NULL, &v,
	    &why);
	CHECK(v.score == 0);
	/* "<>" is an empty address; a prefix stops at a word */
	check(ar, "Return-Path: < >\n\n", "", "", "", NULL, &v, &why);
	CHECK(v.score == 10 && v.kinds == MAIL_AUTO_NULL);
	check(ar, "Return-Path: <MAILER-DAEMON@mx.example>\n\n", "", "", "",
	    NULL, &v, &why);
	CHECK(v.kinds == MAIL_AUTO_BOUNCE);
	check(ar, "Return-Path: <someone@example.org>\n\n", "", "", "", NULL,
	    &v, &why);
	CHECK(v.score == 0);
	check(ar, "Precedence: bulky\n\n", "", "", "", NULL, &v, &why);
	CHECK(v.score == 0);
	/* from: the local part, whole or as a prefix with '*' */
	check(ar, "X: y\n\n", "", "MAILER-DAEMON@mx.example", "", NULL, &v,
	    &why);
	CHECK(v.score == 10 && v.kinds == MAIL_AUTO_BOUNCE);
	CHECK_STR(why.data, "From: MAILER-DAEMON@mx.example");
	check(ar, "X: y\n\n", "", "mailer-daemon-x@mx.example", "", NULL, &v,
	    &why);
	CHECK(v.score == 0);
	/* From counts once: postmaster and the display name are one */
	check(ar, "X: y\n\n", "", "postmaster@example.org",
	    "Mail Delivery System", NULL, &v, &why);
	CHECK(v.score == 6 && v.matched == 1);
	/* weak signals add up; the subject counts once */
	check(ar, "X: y\n\n", "Undeliverable mail: hi", "postmaster@x.example",
	    "", NULL, &v, &why);
	CHECK(v.score == 12 && v.matched == 2);
	CHECK_STR(why.data, "From: postmaster@x.example; Subject: "
	    "Undeliverable mail: hi");
	/* subject: the start, or anywhere for subject-has; words only */
	check(ar, "X: y\n\n", "Fwd: Undeliverable: hi", "", "", NULL, &v,
	    &why);
	CHECK(v.score == 0);
	check(ar, "X: y\n\n", "Undeliverables", "", "", NULL, &v, &why);
	CHECK(v.score == 0);
	check(ar, "X: y\n\n", "RE: I am OUT-OF-OFFICE today", "", "", NULL, &v,
	    &why);
	CHECK(v.score == 6 && v.kinds == MAIL_AUTO_REPLY);
	check(ar, "X: y\n\n", "自動応答: お知らせ", "", "", NULL, &v, &why);
	CHECK(v.score == 6);
	/* text: never alone, the heaviest one, only below the threshold */
	check(ar, "X: y\n\n", "", "", "", "550 User unknown, mailbox full", &v,
	    &why);
	CHECK(v.score == 0);
	check(ar, "X: y\n\n", "", "postmaster@x.example", "",
	    "550 User unknown, mailbox full", &v, &why);
	CHECK(v.score == 11 && v.matched == 2);
	CHECK(why.data && strstr(why.data, "text: user unknown") != NULL);
	check(ar, "Return-Path: <>\n\n", "", "", "", "User unknown", &v, &why);
	CHECK(v.score == 10 && v.matched == 1);
	/* no rules, no verdict */
	check(NULL, "Auto-Submitted: auto-replied\n\n", "", "", "", NULL, &v,
	    &why);
	CHECK(v.score == 0);
	charset_buf_free(&why);
	mail_auto_rules_free(ar);
}

/* One message through mail_to_reports with the embedded rules. */
struct sig_case {
	const char	*what;
	const char	*msg;
	int		 is_auto;
	const char	*kind;		/* meta auto_kind, or NULL */
	const char	*reason;	/* in auto_reason, or NULL */
};

static const struct sig_case sig_cases[] = {
	{ "RFC 3834 auto-replied", "From: a@example.org\n"
	    "Subject: hi\nAuto-Submitted: auto-replied\n\nAway.\n", 1,
	    "reply", "Auto-Submitted: auto-replied" },
	{ "RFC 3834 auto-generated", "From: a@example.org\n"
	    "Subject: notice\nAuto-Submitted: auto-generated\n\nx\n", 1,
	    "bulk", "Auto-Submitted: auto-generated" },
	{ "RFC 3834 no", "From: a@example.org\nSubject: hi\n"
	    "Auto-Submitted: no\n\nhello\n", 0, NULL, NULL },
	{ "X-Auto-Response-Suppress", "From: a@example.org\n"
	    "Subject: hi\nX-Auto-Response-Suppress: All\n\nx\n", 1, "bulk",
	    "X-Auto-Response-Suppress: All" },
	{ "X-Autoreply", "From: a@example.org\nSubject: hi\n"
	    "X-Autoreply: yes\n\nx\n", 1, "reply", "X-Autoreply: yes" },
	{ "X-Autorespond", "From: a@example.org\nSubject: hi\n"
	    "X-Autorespond: Vacation\n\nx\n", 1, "reply", "X-Autorespond" },
	{ "X-Failed-Recipients", "From: relay@example.org\n"
	    "Subject: problem\nX-Failed-Recipients: x@example.net\n\nx\n", 1,
	    "bounce", "X-Failed-Recipients: x@example.net" },
	{ "Return-Path <> alone: a bounce", "Return-Path: <>\n"
	    "From: a@example.org\nSubject: hi\n\nx\n", 1, "bounce",
	    "Return-Path: <>" },
	{ "Return-Path <> and an auto-reply subject: a reply",
	    "Return-Path: <>\nFrom: a@example.org\n"
	    "Subject: Automatic reply: your report\n\nx\n", 1, "reply",
	    "Subject: Automatic reply" },
	{ "From MAILER-DAEMON", "From: Mail Delivery System "
	    "<MAILER-DAEMON@mx.example.org>\nSubject: hi\n\nx\n", 1, "bounce",
	    "From: MAILER-DAEMON@mx.example.org" },
	{ "From postmaster and a vendor subject", "From: postmaster@example.jp"
	    "\nSubject: Undeliverable: report\n\nx\n", 1, "bounce",
	    "Subject: Undeliverable: report" },
	{ "From postmaster alone", "From: postmaster@example.jp\n"
	    "Subject: abuse from your network\n\nSpam from 192.0.2.1\n", 0,
	    NULL, NULL },
	{ "Delivery Status Notification", "From: a@example.org\n"
	    "Subject: Delivery Status Notification (Failure)\n\nx\n", 1,
	    "bounce", "Delivery Status Notification" },
	{ "Undelivered Mail Returned to Sender", "From: a@example.org\n"
	    "Subject: Undelivered Mail Returned to Sender\n\nx\n", 1,
	    "bounce", NULL },
	{ "Returned mail, with a text", "From: pm@example.org\n"
	    "Subject: Returned mail: User unknown\n\n"
	    "The original message was received at Sat, 21 Nov 2026\n", 1,
	    "bounce", "text: the original message was received at" },
	{ "Mail delivery failed (Exim)", "From: a@example.org\n"
	    "Subject: Mail delivery failed: returning message to sender\n\n"
	    "x\n", 1, "bounce", NULL },
	{ "Unzustellbar, with a sender", "From: postmaster@example.de\n"
	    "Subject: Unzustellbar: Bericht\n\nx\n", 1, "bounce", NULL },
	{ "Gmail's DSN in French", "From: a@example.fr\nSubject: "
	    "=?UTF-8?Q?Notification_d'=C3=A9tat_de_remise_(=C3=A9chec)?=\n\nx\n",
	    1, "bounce", NULL },
	{ "Automatic reply", "From: a@example.org\n"
	    "Subject: Automatic reply: Phishing report\n\nx\n", 1, "reply",
	    "Subject: Automatic reply: Phishing report" },
	{ "Out of office", "From: a@example.org\n"
	    "Subject: Out of Office: report\n\nx\n", 1, "reply", NULL },
	{ "Abwesenheitsnotiz", "From: a@example.de\n"
	    "Subject: Abwesenheitsnotiz: Bericht\n\nx\n", 1, "reply", NULL },
	{ "Vắng mặt, RFC 2047", "From: b@example.vn\n"
	    "Subject: =?UTF-8?B?VuG6r25nIG3hurd0OiBiw6FvIGPDoW8=?=\n\nx\n", 1,
	    "reply", "Subject: Vắng mặt: báo cáo" },
	{ "VANG MAT without marks", "From: b@example.vn\n"
	    "Subject: VANG MAT - bao cao\n\nx\n", 1, "reply", NULL },
	{ "Trả lời tự động", "From: b@example.vn\nSubject: "
	    "=?UTF-8?Q?Tr=E1=BA=A3_l=E1=BB=9Di_t=E1=BB=B1_=C4=91=E1=BB=99ng:"
	    "_x?=\n\nx\n", 1, "reply", NULL },
	{ "Lotus Notes out of office", "From: J Doe <jdoe@example.com>\n"
	    "Subject: AUTO: J Doe is out of the office (returning 01/12/2026)"
	    "\n\nx\n", 1, "reply", "Subject: AUTO: J Doe is out of" },
	{ "X-Loop of an autoresponder", "From: desk@example.org\n"
	    "Subject: Re: your mail\nX-Loop: desk@example.org\n\nx\n", 1,
	    "bulk", "X-Loop: desk@example.org" },
	{ "Courier's DSN subject", "From: Courier mail server at "
	    "mx.example.org <@>\nSubject: NOTICE: mail delivery status.\n\nx\n",
	    1, "bounce", NULL },
	{ "a forwarded bounce is a person's report", "From: a@example.org\n"
	    "Subject: Fwd: Undeliverable: spoofed mail in my name\n\n"
	    "Someone sends spam as me; I got this bounce.\n", 0, NULL, NULL },
	{ "a quoted bounce text is a person's report", "From: a@example.org\n"
	    "Subject: backscatter\n\nI keep getting: This is the mail system "
	    "at host mx.example.org. I'm sorry to have to inform you that your "
	    "message could not be delivered\n", 0, NULL, NULL },
	{ "a subject mentioning an office", "From: a@example.org\n"
	    "Subject: phishing calls out of office hours\n\nx\n", 0, NULL,
	    NULL },
};

static void
test_signals(void)
{
	struct mail_result	 res;
	char			 err[128], want[64];
	const char		*kind;
	size_t			 i;

	for (i = 0; i < sizeof(sig_cases) / sizeof(sig_cases[0]); i++) {
		const struct sig_case *c = &sig_cases[i];

		CHECK(mail_to_reports(&ctx, &env, c->msg, strlen(c->msg), &res,
		    err, sizeof(err)) == 0);
		kind = NULL;
		if (res.meta_json != NULL &&
		    (kind = strstr(res.meta_json, "\"auto_kind\":\"")) != NULL)
			kind += 13;
		snprintf(want, sizeof(want), "%s\"", c->kind ? c->kind : "");
		if (res.auto_generated != c->is_auto || (c->kind != NULL &&
		    (kind == NULL || strncmp(kind, want, strlen(want)) != 0)) ||
		    (c->reason != NULL && (res.auto_reason == NULL ||
		    strstr(res.auto_reason, c->reason) == NULL)))
			printf("FAIL signal \"%s\": auto %d, reason \"%s\"\n",
			    c->what, res.auto_generated, res.auto_reason ?
			    res.auto_reason : "");
		CHECK(res.auto_generated == c->is_auto);
		CHECK(c->kind == NULL || (kind != NULL &&
		    strncmp(kind, want, strlen(want)) == 0));
		CHECK(c->reason == NULL || (res.auto_reason != NULL &&
		    strstr(res.auto_reason, c->reason) != NULL));
		/* every report says why, as the result does */
		CHECK(res.n_reports >= 1 && (c->is_auto ?
		    res.reports[0].auto_reason != NULL &&
		    strcmp(res.reports[0].auto_reason, res.auto_reason) == 0 :
		    res.reports[0].auto_reason == NULL));
		/* bounces and auto-replies carry no category of their own */
		if (c->kind != NULL && strcmp(c->kind, "bulk") != 0)
			CHECK_STR(res.reports[0].category->code,
			    "undetermined");
		mail_result_free(&res);
	}
}

/* Real bounces and auto-replies of the corpora: auto, and why. */
static void
test_corpora(void)
{
	static const struct {
		const char	*file;
		const char	*reason;
	} real[] = {
		{ "sisimai/lhost-qmail-01.eml", "From: MAILER-DAEMON@" },
		{ "sisimai/lhost-exchange2003-01.eml", "Return-Path: <>" },
		{ "sisimai/lhost-gmail-03.eml", "X-Failed-Recipients" },
		{ "sisimai/lhost-kddi-02.eml", "Return-Path: <>" },
		{ "sisimai/lhost-apachejames-01.eml", "From: post_master@" },
		{ "sisimai/lhost-amazonses-09.eml", "text: notificationtype" },
		{ "sisimai/lhost-domino-03.eml", "delivery status notification" },
	};
	const char	*dir = getenv("INTAKED_CORPORA");
	char		 path[1024], err[128];
	struct mail_result res;
	char		*buf;
	size_t		 i, n;

	if (dir == NULL || *dir == '\0')
		dir = "../shared/corpora";
	for (i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, real[i].file);
		if ((buf = t_slurp(path, &n)) == NULL) {
			T_SKIP("%s not found (set INTAKED_CORPORA)", path);
			continue;
		}
		CHECK(mail_to_reports(&ctx, &env, buf, n, &res, err,
		    sizeof(err)) == 0);
		if (!res.auto_generated || res.auto_reason == NULL ||
		    strstr(res.auto_reason, real[i].reason) == NULL)
			printf("FAIL %s: auto %d, reason \"%s\"\n", real[i].file,
			    res.auto_generated, res.auto_reason ?
			    res.auto_reason : "");
		CHECK(res.auto_generated && res.auto_reason != NULL &&
		    strstr(res.auto_reason, real[i].reason) != NULL);
		mail_result_free(&res);
		free(buf);
	}
}

int
main(void)
{
	if (t_mail_init(&tax, &lim, &ctx, 100) == -1)
		return 1;
	test_rules_file();
	test_rule_kinds();
	test_signals();
	test_corpora();
	t_mail_free(&tax, &ctx);
	return t_done();
}
