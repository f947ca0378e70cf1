/*
 * test_mail_rates.c - how much of the real mail in the shared corpora the
 * mail parser understands, per kind of message, against the targets:
 *
 *   bounce  every bounce, delivery delay and auto-reply (INDEX.tsv kinds
 *           starting "DSN", "FBL complaint", "bounce", "auto-reply" or
 *           "out of office")
 *           is marked automatic: at least 98%;
 *   abuse   every ARF and X-ARF notice (kinds "ARF ...", "X-ARF ...")
 *           gives reports that each have a category other than
 *           undetermined and at least one indicator: at least 95%;
 *   report  DMARC aggregate and TLS reports (kinds "DMARC ...", "TLS
 *           report ...") are recognised as such and marked automatic:
 *           at least 95%;
 *   other   every other message gives at least one report, and is not
 *           marked automatic unless it says so itself (a header of its
 *           own); counted, not a rate.
 *
 * The corpus is ../shared/corpora, or $INTAKED_CORPORA: its INDEX.tsv
 * (file, kind, ...) lists the files; only messages (.eml) are read. Every
 * message not understood is printed with what came out, so that a failure
 * says which. Skipped, with the reason, when there is no corpus.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "classify.h"
#include "extract.h"
#include "mail.h"
#include "mail_auto.h"
#include "t.h"
#include "t_file.h"
#include "t_mail.h"

#define LINE_MAX_	4096

enum kind { K_BOUNCE, K_ABUSE, K_REPORT, K_OTHER, K_COUNT };

static const struct {
	const char	*name;
	double		 target;	/* percent; 0: no rate */
} kinds[K_COUNT] = {
	[K_BOUNCE] = { "bounces and auto-replies marked auto", 98 },
	[K_ABUSE] = { "ARF/X-ARF notices categorised with indicators", 95 },
	[K_REPORT] = { "DMARC/TLS reports recognised", 95 },
	[K_OTHER] = { "other messages", 0 },
};

static struct taxonomy		 tax;
static struct report_limits	 lim;
static struct mail_context	 ctx;
static size_t			 seen[K_COUNT], good[K_COUNT];
static size_t			 other_auto;

static const char *const	 rcpts[] = { "abuse@cert.example" };
static const struct mail_envelope env = {
	"sender@example.net", rcpts, 1, "mail.example.net", "192.0.2.10",
	NULL, "mx.cert.example"
};

/* The kind of an INDEX.tsv kind column. */
static enum kind
kind_of(const char *k)
{
	if (strncmp(k, "DSN", 3) == 0 || strncmp(k, "FBL complaint", 13) ==
	    0 || strncasecmp(k, "bounce", 6) == 0 ||
	    strncasecmp(k, "auto-repl", 9) == 0 ||
	    strncasecmp(k, "out of office", 13) == 0)
		return K_BOUNCE;
	if (strncmp(k, "ARF", 3) == 0 || strncmp(k, "X-ARF", 5) == 0)
		return K_ABUSE;
	if (strncmp(k, "DMARC", 5) == 0 || strncmp(k, "TLS report", 10) == 0)
		return K_REPORT;
	return K_OTHER;
}

/* 1 when the raw header block names one of the automatic headers. */
static int
says_auto(const char *text)
{
	static const char *const names[] = { "\nAuto-Submitted:",
	    "\nPrecedence:", "\nList-Id:", "\nX-Autoreply:",
	    "\nX-Autorespond:", "\nReturn-Path: <>", "\nFrom: MAILER-DAEMON",
	    "\nX-Failed-Recipients:" };
	const char	*end = strstr(text, "\n\n");
	size_t		 i;
	const char	*p;

	if (end == NULL && (end = strstr(text, "\r\n\r\n")) == NULL)
		end = text + strlen(text);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((p = strcasestr(text, names[i])) != NULL && p < end)
			return 1;
	return 0;
}

/* Whether the result is what the kind asks for. */
static int
understood(enum kind k, const struct mail_result *res)
{
	size_t	i;

	switch (k) {
	case K_BOUNCE:
		return res->auto_generated;
	case K_ABUSE:
		for (i = 0; i < res->n_reports; i++)
			if (res->reports[i].category == NULL ||
			    strcmp(res->reports[i].category->code,
			    "undetermined") == 0 ||
			    res->reports[i].n_indicators == 0)
				return 0;
		return res->n_reports > 0;
	case K_REPORT:
		return res->auto_generated && res->meta_json != NULL &&
		    (strstr(res->meta_json, "\"format\":\"dmarc\"") != NULL ||
		    strstr(res->meta_json, "\"format\":\"tlsrpt\"") != NULL);
	default:
		return res->n_reports > 0;
	}
}

static void
check_file(const char *dir, const char *file, const char *kindcol)
{
	struct mail_result	 res;
	char			 path[2048], err[128];
	enum kind		 k = kind_of(kindcol);
	char			*text;
	size_t			 len = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((text = t_slurp(path, &len)) == NULL) {
		printf("FAIL cannot read %s\n", path);
		t_failed++;
		return;
	}
	if (mail_to_reports(&ctx, &env, text, len, &res, err,
	    sizeof(err)) == -1) {
		printf("FAIL %s: %s\n", file, err);
		t_failed++;
		free(text);
		return;
	}
	seen[k]++;
	CHECK(res.n_reports >= 1);
	if (understood(k, &res))
		good[k]++;
	else
		printf("  not understood (%s): %s [%s] -> %s, %s, %zu "
		    "indicators%s%s\n", kind_of(kindcol) == K_BOUNCE ? "bounce" :
		    "abuse", file, kindcol, mail_format_name(res.format),
		    res.reports[0].category ? res.reports[0].category->code :
		    "-", res.reports[0].n_indicators,
		    res.auto_generated ? ", auto: " : "",
		    res.auto_reason ? res.auto_reason : "");
	if (k == K_OTHER && res.auto_generated) {
		other_auto++;
		printf("  other marked auto: %s [%s]: %s\n", file, kindcol,
		    res.auto_reason ? res.auto_reason : "?");
		if (!says_auto(text))
			printf("FAIL %s: marked auto without a header "
			    "saying so\n", file);
		CHECK(says_auto(text));
	}
	mail_result_free(&res);
	free(text);
}

static int
read_index(const char *dir)
{
	char	 path[2048], line[LINE_MAX_], *file, *kind, *save;
	FILE	*f;

	snprintf(path, sizeof(path), "%s/INDEX.tsv", dir);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if ((file = strtok_r(line, "\t", &save)) == NULL ||
		    (kind = strtok_r(NULL, "\t", &save)) == NULL ||
		    strcmp(file, "file") == 0 || strlen(file) < 4 ||
		    strcasecmp(file + strlen(file) - 4, ".eml") != 0)
			continue;
		check_file(dir, file, kind);
	}
	fclose(f);
	return 0;
}

int
main(void)
{
	const char		*dir = getenv("INTAKED_CORPORA");
	char			 path[2048];
	double			 rate;
	size_t			 k;

	if (dir == NULL || *dir == '\0')
		dir = "../shared/corpora";
	snprintf(path, sizeof(path), "%s/INDEX.tsv", dir);
	if (access(path, R_OK) != 0)
		return t_skip_all("rates: %s not found (set INTAKED_CORPORA)",
		    path);
	if (t_mail_init(&tax, &lim, &ctx, 1000) == -1)
		return 1;
	CHECK(read_index(dir) == 0);
	for (k = 0; k < K_COUNT; k++) {
		if (kinds[k].target == 0) {
			printf("rates: %s: %zu, %zu of them marked auto\n",
			    kinds[k].name, seen[k], other_auto);
			continue;
		}
		if (seen[k] == 0) {
			T_SKIP("rates: no %s in %s", kinds[k].name, dir);
			continue;
		}
		rate = 100.0 * good[k] / seen[k];
		printf("rates: %s: %zu of %zu (%.1f%%, target %.0f%%)\n",
		    kinds[k].name, good[k], seen[k], rate, kinds[k].target);
		CHECK(rate >= kinds[k].target);
	}
	t_mail_free(&tax, &ctx);
	return t_done();
}
