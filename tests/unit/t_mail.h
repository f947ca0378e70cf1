/*
 * t_mail.h - the mail parser's context as intaked builds it (the
 * embedded taxonomy, extractor, classifier and automatic-mail rules, the
 * default report limits), shared by the mail tests.
 */
#ifndef T_MAIL_H
#define T_MAIL_H

#include <stdio.h>
#include <string.h>

#include "classify.h"
#include "extract.h"
#include "mail.h"
#include "mail_auto.h"

/*
 * Fill tax, lim and ctx (ctx->max_reports events a message); ctx owns the
 * extractor, classifier and rules until t_mail_free. 0, or -1 after
 * printing why.
 */
static inline int
t_mail_init(struct taxonomy *tax, struct report_limits *lim,
    struct mail_context *ctx, size_t max_reports)
{
	struct extractor	*ex = NULL;
	struct classifier	*cl = NULL;
	struct mail_auto_rules	*ar = NULL;
	char			 err[256];

	if (taxonomy_parse(tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == -1 ||
	    (ex = extractor_new(err, sizeof(err))) == NULL ||
	    (cl = classifier_new(classify_embedded, classify_embedded_len,
	    tax, err, sizeof(err))) == NULL ||
	    (ar = mail_auto_rules_new(auto_embedded, auto_embedded_len, err,
	    sizeof(err))) == NULL) {
		printf("FAIL setup: %s\n", err);
		return -1;
	}
	report_limits_default(lim);
	memset(ctx, 0, sizeof(*ctx));
	ctx->tax = tax;
	ctx->lim = lim;
	ctx->extractor = ex;
	ctx->classifier = cl;
	ctx->auto_rules = ar;
	ctx->max_reports = max_reports;
	return 0;
}

static inline void
t_mail_free(struct taxonomy *tax, struct mail_context *ctx)
{
	mail_auto_rules_free((struct mail_auto_rules *)ctx->auto_rules);
	classifier_free((struct classifier *)ctx->classifier);
	extractor_free((struct extractor *)ctx->extractor);
	taxonomy_free(tax);
}

#endif
