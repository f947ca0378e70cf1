/*
 * ctl_parse.c - intakectl parse FILE [--json]: the mail parser run on one
 * message, as intaked's SMTP worker runs it, and what it would store
 * printed for an operator who wants to know why a message was classified
 * the way it was (see ctl_parse.h).
 *
 * The context is the daemon's: the taxonomy (embedded, or [daemon]
 * taxonomy), the indicator extractor, the keyword classifier and the
 * automatic-mail signals compiled in, the default report limits, [smtp]
 * max_reports and trusted_upstreams. There is no SMTP envelope: the
 * message is judged on its content alone (a bounce the daemon receives
 * from the null sender is also automatic for that reason). No database is
 * opened and nothing is written but the output.
 *
 * Limits: the file is read up to [smtp] max_message_size bytes, the
 * daemon's own limit; a larger one is refused. The text output shows at
 * most CTL_PARSE_DESC_LINES lines of each description.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "classify.h"
#include "config.h"
#include "extract.h"
#include "mail.h"
#include "mail_auto.h"
#include "util.h"

#include "ctl_parse.h"

#define CTL_PARSE_TAXONOMY_MAX	(1024 * 1024)
#define CTL_PARSE_DESC_LINES	12

/* What the parse needs, built once, freed by ctl_parse_ctx_free. */
struct ctl_parse_ctx {
	struct config		 cfg;
	int			 have_cfg;
	struct taxonomy		 tax;
	struct report_limits	 lim;
	struct extractor	*ex;
	struct classifier	*cl;
	struct mail_auto_rules	*ar;
	struct mail_context	 mctx;
};

static int	ctl_parse_ctx_init(struct ctl_parse_ctx *, const char *,
		    char *, size_t);
static void	ctl_parse_ctx_free(struct ctl_parse_ctx *);
static char	*ctl_parse_read(const char *, size_t, size_t *, char *,
		    size_t);
static json_t	*ctl_parse_report(const struct report *);
static json_t	*ctl_parse_json(const struct mail_result *);
static const char *ctl_parse_str(json_t *, const char *);
static void	ctl_parse_print(json_t *);

/* Taxonomy, extractor, classifier, signals, limits. 0, or -1 with err. */
static int
ctl_parse_ctx_init(struct ctl_parse_ctx *c, const char *conf, char *err,
    size_t errlen)
{
	char	 why[256];
	char	*buf = NULL;
	size_t	 len;

	memset(c, 0, sizeof(*c));
	if (conf != NULL) {
		if (config_load(&c->cfg, conf, err, errlen) == -1)
			return -1;
	} else
		config_defaults(&c->cfg);
	c->have_cfg = 1;
	if (c->cfg.taxonomy != NULL && (buf = read_small_file(c->cfg.taxonomy,
	    CTL_PARSE_TAXONOMY_MAX, &len, err, errlen)) == NULL)
		return -1;
	if (taxonomy_parse(&c->tax, buf ? buf : taxonomy_embedded,
	    buf ? len : taxonomy_embedded_len, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s: %s", c->cfg.taxonomy ?
		    c->cfg.taxonomy : "embedded taxonomy", why);
		free(buf);
		return -1;
	}
	free(buf);
	report_limits_default(&c->lim);
	if ((c->ex = extractor_new(err, errlen)) == NULL ||
	    (c->cl = classifier_new(classify_embedded, classify_embedded_len,
	    &c->tax, err, errlen)) == NULL ||
	    (c->ar = mail_auto_rules_new(auto_embedded, auto_embedded_len, err,
	    errlen)) == NULL)
		return -1;
	c->mctx.tax = &c->tax;
	c->mctx.lim = &c->lim;
	c->mctx.extractor = c->ex;
	c->mctx.classifier = c->cl;
	c->mctx.auto_rules = c->ar;
	c->mctx.trusted_upstreams = (const char *const *)
	    c->cfg.smtp_trusted_upstreams;
	c->mctx.n_trusted_upstreams = c->cfg.smtp_n_trusted_upstreams;
	c->mctx.max_reports = (size_t)c->cfg.smtp_max_reports;
	return 0;
}

static void
ctl_parse_ctx_free(struct ctl_parse_ctx *c)
{
	mail_auto_rules_free(c->ar);
	classifier_free(c->cl);
	extractor_free(c->ex);
	taxonomy_free(&c->tax);
	if (c->have_cfg)
		config_free(&c->cfg);
}

/*
 * The bytes of path ("-": standard input), at most max; NULL with err
 * filled when it cannot be read or is larger.
 */
static char *
ctl_parse_read(const char *path, size_t max, size_t *len, char *err,
    size_t errlen)
{
	char	*buf, *nb;
	size_t	 cap = 65536, n;
	FILE	*f;

	if (strcmp(path, "-") != 0)
		return read_small_file(path, max, len, err, errlen);
	f = stdin;
	if ((buf = malloc(cap + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	*len = 0;
	while ((n = fread(buf + *len, 1, cap - *len, f)) > 0) {
		*len += n;
		if (*len > max) {
			snprintf(err, errlen, "standard input: larger than %zu"
			    " bytes", max);
			free(buf);
			return NULL;
		}
		if (*len == cap) {
			if ((nb = realloc(buf, cap * 2 + 1)) == NULL) {
				snprintf(err, errlen, "out of memory");
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "standard input: %s", strerror(errno));
		free(buf);
		return NULL;
	}
	buf[*len] = '\0';
	return buf;
}

/* One report as JSON: what would be stored, and why. */
static json_t *
ctl_parse_report(const struct report *r)
{
	json_t	*j, *inds, *rep, *one;
	size_t	 i;

	inds = json_array();
	for (i = 0; i < r->n_indicators; i++) {
		one = json_pack("{s:s, s:s, s:s?}", "type",
		    ind_type_name(r->indicators[i].type), "value",
		    r->indicators[i].value, "from", r->indicators[i].origin);
		json_array_append_new(inds, one);
	}
	rep = json_pack("{s:s?, s:s?, s:s?, s:s?}", "name", r->reporter_name,
	    "email", r->reporter_email, "phone", r->reporter_phone,
	    "organization", r->organization);
	j = json_pack("{s:s?, s:s?, s:s, s:b, s:s?, s:b, s:s?, s:s?, s:s?,"
	    " s:o, s:o, s:b, s:I}",
	    "category", r->category ? r->category->code : NULL,
	    "category_why", r->category_why,
	    "severity", severity_name(r->severity),
	    "auto", r->auto_generated, "auto_reason", r->auto_reason,
	    "aggregate", r->aggregate, "subject", r->subject,
	    "occurred_at", r->occurred_at, "description", r->description,
	    "indicators", inds, "reporter", rep,
	    "truncated", r->truncated, "events_dropped",
	    (json_int_t)r->events_dropped);
	return j;
}

/* The whole result: the reports and the message's own notes. */
static json_t *
ctl_parse_json(const struct mail_result *res)
{
	json_t	*j, *reps, *meta;
	size_t	 i;

	reps = json_array();
	for (i = 0; i < res->n_reports; i++)
		json_array_append_new(reps, ctl_parse_report(&res->reports[i]));
	meta = json_loads(res->meta_json ? res->meta_json : "{}", 0, NULL);
	j = json_pack("{s:s, s:O?, s:b, s:O?, s:s?, s:b, s:b, s:O?, s:s?,"
	    " s:s?, s:b, s:O?, s:o, s:o?}",
	    "format", mail_format_name(res->format),
	    "detail", json_object_get(meta, "format"),
	    "auto", res->auto_generated,
	    "auto_kind", json_object_get(meta, "auto_kind"),
	    "auto_reason", res->auto_reason,
	    "tbsc", res->tbsc, "truncated", res->truncated,
	    "from", json_object_get(meta, "from"),
	    "reply_addr", res->reply_addr[0] ? res->reply_addr : NULL,
	    "message_id", res->message_id[0] ? res->message_id : NULL,
	    "sender_authenticated", res->sender_authenticated,
	    "defects", json_object_get(meta, "mime_defects"),
	    "reports", reps, "meta", meta);
	return j;
}

/* The string member key of obj, or NULL (absent, null, not a string). */
static const char *
ctl_parse_str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* The JSON of ctl_parse_json as text for a person. */
static void
ctl_parse_print(json_t *j)
{
	json_t		*r, *ind, *v, *from = json_object_get(j, "from");
	const char	*d, *nl, *s;
	size_t		 i, k, lines;

	printf("format:     %s", ctl_parse_str(j, "format"));
	if ((s = ctl_parse_str(j, "detail")) != NULL)
		printf(" (%s)", s);
	printf("\nautomatic:  %s",
	    json_is_true(json_object_get(j, "auto")) ? "yes" : "no");
	if ((s = ctl_parse_str(j, "auto_kind")) != NULL)
		printf(", %s", s);
	if ((s = ctl_parse_str(j, "auto_reason")) != NULL)
		printf(": %s", s);
	printf("\nfrom:       %s%s%s%s\n", ctl_parse_str(from, "name") ?: "",
	    ctl_parse_str(from, "name") ? " <" : "",
	    ctl_parse_str(from, "addr") ?: "(none)",
	    ctl_parse_str(from, "name") ? ">" : "");
	printf("reply to:   %s (sender %sauthenticated by a trusted "
	    "upstream)\n", ctl_parse_str(j, "reply_addr") ?: "(none)",
	    json_is_true(json_object_get(j, "sender_authenticated")) ? "" :
	    "not ");
	printf("defects:    ");
	json_array_foreach(json_object_get(j, "defects"), i, v)
		printf("%s%s", i ? ", " : "", json_string_value(v));
	printf("%s\nreports:    %zu%s\n", json_array_size(json_object_get(j,
	    "defects")) ? "" : "none", json_array_size(json_object_get(j,
	    "reports")), json_is_true(json_object_get(j, "truncated")) ?
	    " (truncated: events or indicators left out)" : "");
	json_array_foreach(json_object_get(j, "reports"), i, r) {
		printf("\nreport %zu: %s, %s", i + 1,
		    ctl_parse_str(r, "category"), ctl_parse_str(r, "severity"));
		if ((s = ctl_parse_str(r, "category_why")) != NULL)
			printf(" (category: %s)", s);
		if (json_is_true(json_object_get(r, "aggregate")))
			printf(", aggregate report: kept out of the queue");
		printf("\n  indicators:\n");
		json_array_foreach(json_object_get(r, "indicators"), k, ind) {
			printf("    %-7s %s", ctl_parse_str(ind, "type"),
			    ctl_parse_str(ind, "value"));
			if ((s = ctl_parse_str(ind, "from")) != NULL)
				printf("  (%s)", s);
			putchar('\n');
		}
		if (json_array_size(json_object_get(r, "indicators")) == 0)
			printf("    none\n");
		if ((d = ctl_parse_str(r, "description")) == NULL)
			continue;
		printf("  description:\n");
		for (lines = 0; *d != '\0' && lines < CTL_PARSE_DESC_LINES;
		    lines++, d = *nl ? nl + 1 : nl) {
			nl = strchr(d, '\n');
			if (nl == NULL)
				nl = d + strlen(d);
			printf("    %.*s\n", (int)(nl - d), d);
		}
		if (*d != '\0')
			printf("    ...\n");
	}
}

int
ctl_parse_file(const char *conf, const char *path, int json)
{
	struct ctl_parse_ctx	 c;
	struct mail_result	 res;
	json_t			*j;
	char			 err[1024], *msg;
	size_t			 len;
	int			 rc = 2;

	if (ctl_parse_ctx_init(&c, conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "intakectl: %s\n", err);
		ctl_parse_ctx_free(&c);
		return 2;
	}
	if ((msg = ctl_parse_read(path, (size_t)c.cfg.smtp_max_message, &len,
	    err, sizeof(err))) == NULL) {
		fprintf(stderr, "intakectl: %s\n", err);
		ctl_parse_ctx_free(&c);
		return 1;
	}
	if (mail_to_reports(&c.mctx, NULL, msg, len, &res, err,
	    sizeof(err)) == -1)
		fprintf(stderr, "intakectl: %s\n", err);
	else if ((j = ctl_parse_json(&res)) == NULL)
		fprintf(stderr, "intakectl: out of memory\n");
	else {
		if (json)
			rc = json_dumpf(j, stdout, JSON_COMPACT) == -1 ||
			    putchar('\n') == EOF ? 2 : 0;
		else {
			ctl_parse_print(j);
			rc = 0;
		}
		json_decref(j);
	}
	mail_result_free(&res);
	free(msg);
	ctl_parse_ctx_free(&c);
	return rc;
}
