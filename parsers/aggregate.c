/*
 * aggregate.c - DMARC aggregate and SMTP TLS reports recognised in a
 * message and summed up (see aggregate.h).
 *
 * A DMARC report is XML; no XML library is needed to sum it up: the
 * document is searched for the few elements of RFC 7489 appendix C that
 * say who reports on what (org_name, report_id, date_range, the
 * policy_published domain) and, per record, the row's count and the
 * policy_evaluated dkim and spf results. Every search is bounded by the
 * document's end (and a record by its closing tag). A TLS report is JSON
 * (RFC 8460 section 4), read with jansson.
 *
 * Limits: AGGREGATE_PARTS_MAX parts looked at, the decompressed document
 * at most the caller's max_doc bytes, AGGREGATE_SNIFF_MAX bytes searched
 * for the root element.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "aggregate.h"
#include "arf.h"
#include "inflate.h"

#define AGGREGATE_SNIFF_MAX	4096

static const char *agg_find(const char *, const char *, const char *);
static int	agg_xml_text(const char *, const char *, const char *, char *,
		    size_t);
static void	agg_epoch(const char *, char *, size_t);
static int	agg_dmarc(const char *, size_t, struct aggregate_info *);
static void	agg_jcopy(json_t *, const char *, char *, size_t);
static int	agg_tlsrpt(const char *, size_t, struct aggregate_info *);
static int	agg_candidate(const struct mime_part *);
static int	agg_by_name(const char *, struct aggregate_info *);
static int	agg_part(const struct mime_part *, size_t,
		    struct aggregate_info *);

/* The first s in [p, end), or NULL. */
static const char *
agg_find(const char *p, const char *end, const char *s)
{
	size_t	n = strlen(s);

	if (p == NULL || p >= end)
		return NULL;
	return memmem(p, end - p, s, n);
}

/*
 * The text of the first element <tag> in [p, end) into out (cut to n - 1
 * bytes, blanks trimmed). 0, or -1 when there is none.
 */
static int
agg_xml_text(const char *p, const char *end, const char *tag, char *out,
    size_t n)
{
	char		 open[64], close[64];
	const char	*s, *e;
	size_t		 len;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	if ((s = agg_find(p, end, open)) == NULL)
		return -1;
	s += strlen(open);
	if ((e = agg_find(s, end, close)) == NULL)
		return -1;
	while (s < e && strchr(" \t\r\n", *s) != NULL)
		s++;
	while (e > s && strchr(" \t\r\n", e[-1]) != NULL)
		e--;
	len = (size_t)(e - s) < n - 1 ? (size_t)(e - s) : n - 1;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

/* Seconds since 1970 (as text) to RFC 3339 UTC in out; "" when not. */
static void
agg_epoch(const char *s, char *out, size_t n)
{
	struct tm	 tm;
	char		*end;
	long long	 v;
	time_t		 t;

	out[0] = '\0';
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || v < 0 || v > 253402300799LL)
		return;
	t = (time_t)v;
	if (gmtime_r(&t, &tm) != NULL)
		strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A DMARC aggregate report: 1 (info filled) or 0. */
static int
agg_dmarc(const char *doc, size_t len, struct aggregate_info *info)
{
	const char	*end = doc + len, *p, *rec, *rend, *pe, *pee, *root;
	char		 buf[64];

	root = agg_find(doc, len < AGGREGATE_SNIFF_MAX ? end :
	    doc + AGGREGATE_SNIFF_MAX, "<feedback");
	if (root == NULL || agg_find(root, end, "<report_metadata") == NULL)
		return 0;
	info->kind = AGGREGATE_DMARC;
	(void)agg_xml_text(root, end, "org_name", info->org,
	    sizeof(info->org));
	(void)agg_xml_text(root, end, "report_id", info->report_id,
	    sizeof(info->report_id));
	if ((p = agg_find(root, end, "<date_range>")) != NULL) {
		if (agg_xml_text(p, end, "begin", buf, sizeof(buf)) == 0)
			agg_epoch(buf, info->begin, sizeof(info->begin));
		if (agg_xml_text(p, end, "end", buf, sizeof(buf)) == 0)
			agg_epoch(buf, info->end, sizeof(info->end));
	}
	if ((p = agg_find(root, end, "<policy_published>")) != NULL)
		(void)agg_xml_text(p, end, "domain", info->domain,
		    sizeof(info->domain));
	for (rec = agg_find(root, end, "<record>"); rec != NULL;
	    rec = agg_find(rend, end, "<record>")) {
		if ((rend = agg_find(rec, end, "</record>")) == NULL)
			rend = end;
		info->records++;
		if (agg_xml_text(rec, rend, "count", buf, sizeof(buf)) != 0)
			continue;
		info->messages += strtoull(buf, NULL, 10);
		if ((pe = agg_find(rec, rend, "<policy_evaluated>")) != NULL &&
		    (pee = agg_find(pe, rend, "</policy_evaluated>")) != NULL &&
		    agg_find(pe, pee, "<dkim>fail</dkim>") != NULL &&
		    agg_find(pe, pee, "<spf>fail</spf>") != NULL)
			info->failed += strtoull(buf, NULL, 10);
	}
	return 1;
}

/* The string member key of obj into out (cut), "" when none. */
static void
agg_jcopy(json_t *obj, const char *key, char *out, size_t n)
{
	const char	*s = json_string_value(json_object_get(obj, key));

	snprintf(out, n, "%s", s ? s : "");
}

/* An SMTP TLS report: 1 (info filled), 0, or -1 on ENOMEM. */
static int
agg_tlsrpt(const char *doc, size_t len, struct aggregate_info *info)
{
	json_error_t	 jerr;
	json_t		*j, *pols, *pol, *sum;
	size_t		 i;

	if ((j = json_loadb(doc, len, 0, &jerr)) == NULL)
		return json_error_code(&jerr) == json_error_out_of_memory ?
		    -1 : 0;
	pols = json_object_get(j, "policies");
	if (!json_is_object(j) || !json_is_array(pols) ||
	    json_string_value(json_object_get(j, "organization-name")) ==
	    NULL) {
		json_decref(j);
		return 0;
	}
	info->kind = AGGREGATE_TLSRPT;
	agg_jcopy(j, "organization-name", info->org, sizeof(info->org));
	agg_jcopy(j, "report-id", info->report_id, sizeof(info->report_id));
	agg_jcopy(json_object_get(j, "date-range"), "start-datetime",
	    info->begin, sizeof(info->begin));
	agg_jcopy(json_object_get(j, "date-range"), "end-datetime",
	    info->end, sizeof(info->end));
	json_array_foreach(pols, i, pol) {
		info->records++;
		if (info->domain[0] == '\0')
			agg_jcopy(json_object_get(pol, "policy"),
			    "policy-domain", info->domain,
			    sizeof(info->domain));
		sum = json_object_get(pol, "summary");
		info->messages += (unsigned long long)json_integer_value(
		    json_object_get(sum, "total-successful-session-count")) +
		    (unsigned long long)json_integer_value(json_object_get(sum,
		    "total-failure-session-count"));
		info->failed += (unsigned long long)json_integer_value(
		    json_object_get(sum, "total-failure-session-count"));
	}
	json_decref(j);
	return 1;
}

int
aggregate_parse(const char *doc, size_t len, struct aggregate_info *info)
{
	size_t	skip;

	for (skip = 0; skip < len && strchr(" \t\r\n", doc[skip]) != NULL &&
	    doc[skip] != '\0'; skip++)
		;
	if (len - skip >= 3 && memcmp(doc + skip, "\xEF\xBB\xBF", 3) == 0)
		skip += 3;	/* a byte order mark */
	if (skip < len && doc[skip] == '<')
		return agg_dmarc(doc + skip, len - skip, info);
	if (skip < len && doc[skip] == '{')
		return agg_tlsrpt(doc + skip, len - skip, info);
	return 0;
}

/* Whether p may carry a report: by its type or its name. */
static int
agg_candidate(const struct mime_part *p)
{
	static const char *const types[] = { "zip", "x-zip",
	    "x-zip-compressed", "gzip", "x-gzip", "tlsrpt+gzip",
	    "tlsrpt+json", "json", "xml", "octet-stream" };
	static const char *const exts[] = { ".zip", ".gz", ".xml", ".json" };
	const char	*dot;
	size_t		 i;

	if (p->n_children > 0 || p->body == NULL || p->body_len == 0 ||
	    (p->type[0] == 't' && p->filename == NULL && strcmp(p->subtype,
	    "xml") != 0) || p->type[0] == 'm')
		return 0;	/* most parts: text without a name, message/ */
	if (strcmp(p->type, "application") == 0)
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcmp(p->subtype, types[i]) == 0)
				return 1;
	if (strcmp(p->type, "text") == 0 && strcmp(p->subtype, "xml") == 0)
		return 1;
	if (p->filename == NULL || (dot = strrchr(p->filename, '.')) == NULL)
		return 0;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcasecmp(dot, exts[i]) == 0)
			return 1;
	return 0;
}

/*
 * A compressed part too large to open: a report when its name has the
 * form of both RFCs, "submitter!domain!begin!end[!id].{xml,json}...".
 */
static int
agg_by_name(const char *name, struct aggregate_info *info)
{
	const char	*b1, *b2, *b3;
	char		 epoch[32];
	size_t		 n;

	if (name == NULL || (b1 = strchr(name, '!')) == NULL ||
	    (b2 = strchr(b1 + 1, '!')) == NULL ||
	    (b3 = strchr(b2 + 1, '!')) == NULL)
		return 0;
	info->kind = strcasestr(b3, ".json") != NULL ? AGGREGATE_TLSRPT :
	    AGGREGATE_DMARC;
	snprintf(info->org, sizeof(info->org), "%.*s", (int)(b1 - name),
	    name);
	snprintf(info->domain, sizeof(info->domain), "%.*s",
	    (int)(b2 - b1 - 1), b1 + 1);
	n = b3 - b2 - 1;
	if (n < sizeof(epoch)) {
		snprintf(epoch, sizeof(epoch), "%.*s", (int)n, b2 + 1);
		agg_epoch(epoch, info->begin, sizeof(info->begin));
	}
	info->unread = 1;
	return 1;
}

/* One part: its document, opened when compressed. 1, 0, or -1 (ENOMEM). */
static int
agg_part(const struct mime_part *p, size_t max_doc,
    struct aggregate_info *info)
{
	static const char *const docs[] = { ".xml", ".json" };
	char	*doc = NULL;
	size_t	 len;
	int	 rc;

	if (inflate_is_gzip(p->body, p->body_len))
		rc = inflate_gzip(p->body, p->body_len, max_doc, &doc, &len);
	else if (inflate_is_zip(p->body, p->body_len))
		rc = inflate_zip(p->body, p->body_len, docs, 2, max_doc, &doc,
		    &len, info->part, sizeof(info->part));
	else
		return aggregate_parse(p->text ? p->text : p->body, p->text ?
		    p->text_len : p->body_len, info);
	if (rc == INFLATE_NOMEM)
		return -1;
	if (rc == INFLATE_TOO_BIG)
		return agg_by_name(p->filename, info);
	if (rc != INFLATE_OK)
		return 0;
	rc = aggregate_parse(doc, len, info);
	free(doc);
	return rc;
}

int
aggregate_from_message(const struct mime_message *m, size_t max_doc,
    struct aggregate_info *info)
{
	const struct mime_part	*p = NULL;
	size_t			 n = 0;
	int			 rc;

	memset(info, 0, sizeof(*info));
	while ((p = arf_next_in(p, m->root)) != NULL &&
	    n < AGGREGATE_PARTS_MAX) {
		if (!agg_candidate(p) || arf_nested_in(p, m->root))
			continue;
		n++;
		if ((rc = agg_part(p, max_doc, info)) != 0) {
			if (rc == 1 && info->part[0] == '\0' &&
			    p->filename != NULL)
				snprintf(info->part, sizeof(info->part), "%s",
				    p->filename);
			return rc;
		}
		memset(info, 0, sizeof(*info));
	}
	return 0;
}
