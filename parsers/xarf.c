/*
 * xarf.c - X-ARF abuse reports (0.1/0.2 YAML, 3 and 4 JSON) to normalised
 * reports, finding them in a message, and the abuse-class table shared by
 * every machine format (see xarf.h).
 *
 * Each version is first read into a struct xarf_event of borrowed strings,
 * and one function (xarf_event_report) turns any event into a report with
 * the builder of arf.h, so the versions differ only in where they find a
 * field. The YAML part is read with libyaml's event parser (aliases are
 * never expanded, so no billion-laughs blow-up) and, when libyaml refuses
 * it, line by line. JSON is read by jansson (its nesting limit applies).
 *
 * Limits: XARF_KEYS_MAX keys per YAML document, XARF_EXTRA_MAX extra
 * indicators per event, XARF_YAML_EVENTS_MAX parser events per part; the
 * description is cut by arf_describe to lim->description_max. Anything
 * beyond is ignored, never an error.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <yaml.h>

#include "charset.h"
#include "xarf.h"

#define XARF_KEYS_MAX		128
#define XARF_EXTRA_MAX		32
#define XARF_YAML_EVENTS_MAX	100000
#define XARF_NAME_MAX		64	/* normalised class name */
#define XARF_NUM_MAX		24	/* a JSON number as text */
#define XARF_SNIFF_LINES	40	/* lines read to tell a key/value part */

/* One event of any X-ARF version; every string is borrowed. */
struct xarf_event {
	const char	*format;	/* "X-ARF 0.2", "X-ARF 4.2.0" */
	const char	*category;
	const char	*type;
	const char	*threat;	/* v4 reputation: threat_type */
	const char	*reporter;
	const char	*contact;
	const char	*source;
	int		 source_hint;	/* ARF_GUESS, ARF_HOST, IND_* */
	const char	*port;
	const char	*service;
	const char	*protocol;
	const char	*dest;
	const char	*dest_port;
	const char	*date;
	const char	*report_id;
	const char	*agent;
	const char	*text;
	const char	*why;		/* static: how the class was found,
					   NULL: category and type */
	const char	*extra[XARF_EXTRA_MAX];
	size_t		 n_extra;
	char		 numbuf[2][XARF_NUM_MAX];
	char		 fmtbuf[48];
	char		 schema[2][XARF_NAME_MAX];	/* from Schema-URL */
};

/* Key/value pairs of one YAML document, owned. */
struct xarf_kv {
	char	*key[XARF_KEYS_MAX];
	char	*val[XARF_KEYS_MAX];
	size_t	 n;
};

struct xarf_class {
	const char	*category;	/* normalised; "" = any */
	const char	*type;		/* normalised; "" = category only */
	const char	*code;
};

static void	xarf_norm(const char *, char *, size_t);
static const char *xarf_class_find(const char *, const char *);
static const char *xarf_stem_find(const char *);
static int	xarf_head_add(struct charset_buf *, const char *,
		    const char *, const char *);
static int	xarf_head(const struct xarf_event *, const char *,
		    struct charset_buf *);
static const char *xarf_event_category(const struct xarf_event *);
static int	xarf_source_hint(const char *);
static int	xarf_event_report(const struct xarf_event *,
		    const struct arf_opts *, struct arf_reports *);
static void	xarf_kv_clear(struct xarf_kv *);
static int	xarf_kv_put(struct xarf_kv *, const char *, size_t,
		    const char *, size_t);
static const char *xarf_kv_get(const struct xarf_kv *, const char *);
static int	xarf_schema_class(const char *, char *, char *, size_t);
static const char *xarf_kv_any(const struct xarf_kv *, const char *const *,
		    size_t);
static int	xarf_kv_emit(const struct xarf_kv *, const char *,
		    const struct arf_opts *, struct arf_reports *, size_t *);
static int	xarf_yaml_lib(const char *, size_t, const char *,
		    const struct arf_opts *, struct arf_reports *, size_t *);
static int	xarf_yaml_lines(const char *, size_t, const char *,
		    const struct arf_opts *, struct arf_reports *, size_t *);
static int	xarf_yaml(const char *, size_t, const char *,
		    const struct arf_opts *, struct arf_reports *,
		    const char **);
static int	xarf_name_type(const char *, char *, size_t);
static int	xarf_looks_kv(const char *, size_t, int);
static const char *xarf_jstr(json_t *, const char *);
static const char *xarf_jnum(json_t *, const char *, char *);
static void	xarf_jextra(struct xarf_event *, json_t *, const char *);
static int	xarf_v4_valid(json_t *, const char **);
static int	xarf_v3_valid(json_t *, const char **);
static void	xarf_v4_event(json_t *, struct xarf_event *);
static void	xarf_v3_event(json_t *, struct xarf_event *);
static int	xarf_part(const struct mime_part *, int,
		    const struct arf_opts *, struct arf_reports *);
static int	xarf_json_one(json_t *, const struct arf_opts *,
		    struct arf_reports *, const char **);

/*
 * Abuse classes to taxonomy codes, for every format (see xarf_category).
 * Names are normalised: lower case, letters and digits only. An entry with
 * a category applies only within it; specific entries are tried first.
 * Deliberately undetermined: child-abuse material and harassment (a human
 * must handle them at once) and IP reclamation (a delisting request).
 * Copyright and trademark notices are "fraud", as RSIT files them.
 */
static const struct xarf_class xarf_classes[] = {
	/* ARF Feedback-Type (RFC 5965 7.3, RFC 6591 for auth-failure) */
	{ "arf", "abuse", "spam" },
	{ "arf", "fraud", "phishing" },
	{ "arf", "virus", "malware" },
	{ "arf", "authfailure", "phishing" },
	{ "arf", "dkim", "phishing" },
	{ "arf", "spf", "phishing" },
	{ "arf", "dmarc", "phishing" },
	{ "arf", "optout", "spam" },
	{ "arf", "optoutlist", "spam" },
	{ "arf", "unsubscribe", "spam" },
	{ "arf", "complaint", "spam" },
	{ "arf", "notspam", "spam" },
	{ "arf", "other", "undetermined" },
	{ "content", "malware", "malware-url" },
	/* types, whatever the category */
	{ "", "spam", "spam" },
	{ "", "bulkmessaging", "spam" },
	{ "", "spamvertised", "spam" },
	{ "", "trap", "spam" },
	{ "", "spamtrap", "spam" },
	{ "", "regbot", "spam" },
	{ "", "blocklist", "spam" },
	{ "", "harvesting", "scan" },
	{ "", "loginattack", "brute-force" },
	{ "", "bruteforce", "brute-force" },
	{ "", "authfailure", "brute-force" },
	{ "", "portscan", "scan" },
	{ "", "scan", "scan" },
	{ "", "scanner", "scan" },
	{ "", "scanningsource", "scan" },
	{ "", "reconnaissance", "scan" },
	{ "", "vulnerabilityscan", "scan" },
	{ "", "scraping", "scan" },
	{ "", "webcrawler", "scan" },
	{ "", "ddos", "dos" },
	{ "", "dos", "dos" },
	{ "", "ddosamplification", "dos" },
	{ "", "ipspoof", "attack-other" },
	{ "", "webattack", "attack-other" },
	{ "", "sqlinjection", "attack-other" },
	{ "", "exploit", "attack-other" },
	{ "", "maliciousactivity", "attack-other" },
	{ "", "threatintelligence", "attack-other" },
	{ "", "bot", "botnet" },
	{ "", "botnet", "botnet" },
	{ "", "drone", "botnet" },
	{ "", "botnetdrone", "botnet" },
	{ "", "infectedhost", "botnet" },
	{ "", "infected", "botnet" },
	{ "", "c2", "c2" },
	{ "", "cnc", "c2" },
	{ "", "c2server", "c2" },
	{ "", "commandandcontrol", "c2" },
	{ "", "botnetcontroller", "c2" },
	{ "", "phishing", "phishing" },
	{ "", "phishingsite", "phishing" },
	{ "", "suspiciousregistration", "phishing" },
	{ "", "fraud", "fraud" },
	{ "", "scam", "fraud" },
	{ "", "socialengineering", "fraud" },
	{ "", "copyright", "fraud" },
	{ "", "dmca", "fraud" },
	{ "", "p2p", "fraud" },
	{ "", "cyberlocker", "fraud" },
	{ "", "ugcplatform", "fraud" },
	{ "", "linksite", "fraud" },
	{ "", "usenet", "fraud" },
	{ "", "trademark", "fraud" },
	{ "", "brandinfringement", "fraud" },
	{ "", "malware", "malware" },
	{ "", "virus", "malware" },
	{ "", "malwareattack", "malware-url" },
	{ "", "malwaredistribution", "malware-url" },
	{ "", "defacement", "defacement" },
	{ "", "webhack", "intrusion" },
	{ "", "compromised", "intrusion" },
	{ "", "compromisedserver", "intrusion" },
	{ "", "compromisedwebsite", "intrusion" },
	{ "", "compromisedaccount", "intrusion" },
	{ "", "compromisedmicrosoftexchange", "intrusion" },
	{ "", "remotecompromise", "intrusion" },
	{ "", "potentiallycompromisedaccount", "intrusion" },
	{ "", "cve", "vulnerable" },
	{ "", "vulnerability", "vulnerable" },
	{ "", "vulnerable", "vulnerable" },
	{ "", "misconfiguration", "vulnerable" },
	{ "", "openservice", "vulnerable" },
	{ "", "open", "vulnerable" },
	{ "", "sslpoodle", "vulnerable" },
	{ "", "sslfreak", "vulnerable" },
	{ "", "outdateddnssec", "vulnerable" },
	{ "", "amplifier", "amplifier" },
	{ "", "openresolver", "amplifier" },
	{ "", "sinkhole", "botnet" },
	{ "", "exposeddata", "data-leak" },
	{ "", "dataleak", "data-leak" },
	{ "", "csam", "undetermined" },
	{ "", "csem", "undetermined" },
	{ "", "childabuse", "undetermined" },
	{ "", "harassment", "undetermined" },
	{ "", "ipreclamation", "undetermined" },
	/* categories alone, when the type says nothing */
	{ "messaging", "", "spam" },
	{ "connection", "", "attack-other" },
	{ "vulnerability", "", "vulnerable" },
	{ "infrastructure", "", "intrusion" },
	{ "copyright", "", "fraud" },
	{ "fraud", "", "fraud" },
	{ "malware", "", "malware" },
};

#define XARF_NCLASSES	(sizeof(xarf_classes) / sizeof(xarf_classes[0]))

/*
 * When no name above matches, a type written another way ("SSH brute
 * force", "login_attempts", "PortScanning", "phishing-site-report") is
 * judged by the first of these stems it holds, in this order (longer and
 * more specific stems first; "dos" and "bot" only as a whole name or a
 * start, being parts of other words).
 */
static const struct {
	const char	*stem;
	int		 start;		/* only at the start of the name */
	const char	*code;
} xarf_stems[] = {
	{ "ddos", 0, "dos" }, { "denialofservice", 0, "dos" },
	{ "dos", 1, "dos" }, { "bruteforce", 0, "brute-force" },
	{ "loginattack", 0, "brute-force" }, { "loginattempt", 0,
	"brute-force" }, { "passwordguess", 0, "brute-force" },
	{ "login", 1, "brute-force" }, { "portscan", 0, "scan" },
	{ "scan", 0, "scan" }, { "probe", 0, "scan" },
	{ "phish", 0, "phishing" }, { "spam", 0, "spam" },
	{ "malware", 0, "malware" }, { "virus", 0, "malware" },
	{ "trojan", 0, "malware" }, { "ransom", 0, "malware" },
	{ "botnet", 0, "botnet" }, { "bot", 1, "botnet" },
	{ "drone", 0, "botnet" }, { "infected", 0, "botnet" },
	{ "sinkhole", 0, "botnet" }, { "commandandcontrol", 0, "c2" },
	{ "cnc", 1, "c2" }, { "c2", 1, "c2" }, { "deface", 0,
	"defacement" }, { "compromis", 0, "intrusion" }, { "hack", 0,
	"intrusion" }, { "intrusion", 0, "intrusion" }, { "exploit", 0,
	"attack-other" }, { "injection", 0, "attack-other" },
	{ "amplif", 0, "amplifier" }, { "openresolver", 0, "amplifier" },
	{ "vulnerab", 0, "vulnerable" }, { "cve", 1, "vulnerable" },
	{ "copyright", 0, "fraud" }, { "dmca", 0, "fraud" },
	{ "fraud", 0, "fraud" }, { "scam", 0, "fraud" },
	{ "leak", 0, "data-leak" }, { "attack", 0, "attack-other" },
};

/* Keys of an X-ARF 4 object whose values are more indicators. */
static const char *const xarf_v4_extra[] = {
	"url", "domain", "infringing_url", "c2_server", "cve_id",
	"vulnerability_cve", "file_hash", "smtp_from", "originating_spam_ips",
};

/* X-ARF 4's categories, then X-ARF 3's classes and 0.2's (normalised). */
static const char *const xarf_v4_categories[] = {
	"messaging", "content", "copyright", "connection", "vulnerability",
	"infrastructure", "reputation",
	"activity", "fraud", "malware", "abuse",
};

/* Abuse classes. */

/* Lower-case letters and digits of s into out (outlen bytes). */
static void
xarf_norm(const char *s, char *out, size_t outlen)
{
	size_t	n = 0;

	for (; s != NULL && *s != '\0' && n + 1 < outlen; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
			out[n++] = *s;
		else if (*s >= 'A' && *s <= 'Z')
			out[n++] = *s - 'A' + 'a';
	out[n] = '\0';
}

/* The code of the first entry for (category, type) exactly, or NULL. */
static const char *
xarf_class_find(const char *cat, const char *type)
{
	size_t	i;

	for (i = 0; i < XARF_NCLASSES; i++)
		if (strcmp(xarf_classes[i].category, cat) == 0 &&
		    strcmp(xarf_classes[i].type, type) == 0)
			return xarf_classes[i].code;
	return NULL;
}

const char *
xarf_category(const char *category, const char *type)
{
	char		 c[XARF_NAME_MAX], t[XARF_NAME_MAX];
	const char	*code = NULL;

	xarf_norm(category, c, sizeof(c));
	xarf_norm(type, t, sizeof(t));
	if (t[0] != '\0' && c[0] != '\0')
		code = xarf_class_find(c, t);
	if (code == NULL && t[0] != '\0' && strcmp(c, "arf") != 0)
		code = xarf_class_find("", t);
	if (code == NULL && c[0] != '\0')
		code = xarf_class_find(c, "");
	if (code == NULL && t[0] != '\0' && strcmp(c, "arf") != 0)
		code = xarf_stem_find(t);
	return code ? code : "undetermined";
}

/* The code of the first stem of xarf_stems in the name n, or NULL. */
static const char *
xarf_stem_find(const char *n)
{
	size_t	i;

	for (i = 0; i < sizeof(xarf_stems) / sizeof(xarf_stems[0]); i++)
		if (xarf_stems[i].start ? strncmp(n, xarf_stems[i].stem,
		    strlen(xarf_stems[i].stem)) == 0 :
		    strstr(n, xarf_stems[i].stem) != NULL)
			return xarf_stems[i].code;
	return NULL;
}

/* Events to reports. */

/* Append ", label value" (or "label value" first) when value is set. */
static int
xarf_head_add(struct charset_buf *b, const char *sep, const char *label,
    const char *value)
{
	if (value == NULL || value[0] == '\0')
		return 0;
	if ((b->len > 0 && charset_buf_append(b, sep, strlen(sep)) == -1) ||
	    charset_buf_append(b, label, strlen(label)) == -1 ||
	    charset_buf_append(b, value, strnlen(value, 512)) == -1)
		return -1;
	return 0;
}

/* The one-line summary of an event that heads its description. */
static int
xarf_head(const struct xarf_event *ev, const char *code,
    struct charset_buf *b)
{
	char	line[256];

	snprintf(line, sizeof(line), "%s report %s%s%s (%s)", ev->format,
	    ev->category ? ev->category : "", ev->category && ev->type ?
	    "/" : "", ev->type ? ev->type : "", code);
	if (charset_buf_append(b, line, strlen(line)) == -1 ||
	    xarf_head_add(b, " ", "from ", ev->reporter) == -1 ||
	    xarf_head_add(b, " ", ev->reporter ? "<" : "from <",
	    ev->contact) == -1 ||
	    (ev->contact && charset_buf_append(b, ">", 1) == -1) ||
	    xarf_head_add(b, ": ", "source ", ev->source) == -1 ||
	    xarf_head_add(b, " ", "port ", ev->port) == -1 ||
	    xarf_head_add(b, ", ", "service ", ev->service) == -1 ||
	    xarf_head_add(b, ", ", "protocol ", ev->protocol) == -1 ||
	    xarf_head_add(b, ", ", "destination ", ev->dest) == -1 ||
	    xarf_head_add(b, " ", "port ", ev->dest_port) == -1 ||
	    xarf_head_add(b, ", ", "at ", ev->date) == -1 ||
	    xarf_head_add(b, ", ", "threat ", ev->threat) == -1 ||
	    xarf_head_add(b, ", ", "report ID ", ev->report_id) == -1 ||
	    xarf_head_add(b, ", ", "agent ", ev->agent) == -1)
		return -1;
	return 0;
}

/* Category of an event; a reputation report is judged by its threat. */
static const char *
xarf_event_category(const struct xarf_event *ev)
{
	const char	*code;

	if (ev->threat != NULL && ev->category != NULL &&
	    strcasecmp(ev->category, "reputation") == 0) {
		code = xarf_category(NULL, ev->threat);
		if (strcmp(code, "undetermined") != 0)
			return code;
	}
	return xarf_category(ev->category, ev->type);
}

/* Indicator type for an X-ARF Source-Type / source_type value. */
static int
xarf_source_hint(const char *st)
{
	char	n[XARF_NAME_MAX];

	xarf_norm(st, n, sizeof(n));
	if (strncmp(n, "ip", 2) == 0)
		return ARF_HOST;
	if (strcmp(n, "uri") == 0 || strcmp(n, "url") == 0)
		return IND_URL;
	if (strcmp(n, "domain") == 0 || strcmp(n, "fqdn") == 0)
		return ARF_HOST;
	if (strcmp(n, "email") == 0 || strcmp(n, "emailaddress") == 0)
		return IND_EMAIL;
	return ARF_GUESS;
}

/*
 * Build one report from an event and append it to out (or count it as
 * dropped when out is full). The source and the extra values become
 * indicators; the destination (a honeypot or the victim, not the abuser)
 * is named in the summary line only. 0, or -1 on ENOMEM.
 */
static int
xarf_event_report(const struct xarf_event *ev, const struct arf_opts *o,
    struct arf_reports *out)
{
	struct charset_buf	 head = { NULL, 0, 0 };
	struct report		*r;
	const char		*code = xarf_event_category(ev);
	size_t			 i;
	int			 rc;

	if ((rc = arf_reports_add(out, o->max_reports, &r)) != 0)
		return rc == 1 ? 0 : -1;
	r->category_why = strcmp(code, "undetermined") == 0 ? NULL :
	    ev->why != NULL ? ev->why : "X-ARF category and type";
	r->origin = "X-ARF source";
	if (ev->source != NULL && (rc = arf_indicator(r, o->lim,
	    ev->source_hint, ev->source, strlen(ev->source))) == 0)
		rc = arf_indicator(r, o->lim, ARF_GUESS, ev->source,
		    strlen(ev->source));
	if (rc == -1 || arf_field(r, o, "category", code, strlen(code)) == -1 ||
	    arf_time(r, o, "occurred-at", ev->date,
	    ev->date ? strlen(ev->date) : 0) == -1 ||
	    xarf_head(ev, code, &head) == -1)
		goto fail;
	r->origin = "X-ARF field";
	for (i = 0; i < ev->n_extra; i++)
		if (arf_indicator(r, o->lim, ARF_GUESS, ev->extra[i],
		    strlen(ev->extra[i])) == -1)
			goto fail;
	r->origin = NULL;
	if (arf_describe(r, o, head.data, ev->text,
	    ev->text ? strlen(ev->text) : 0) == -1 || arf_finish(r, o) == -1)
		goto fail;
	charset_buf_free(&head);
	return 0;
 fail:
	charset_buf_free(&head);
	errno = ENOMEM;
	return -1;
}

/* YAML (X-ARF 0.1, 0.2). */

/* Free the pairs, keep the struct for the next document. */
static void
xarf_kv_clear(struct xarf_kv *kv)
{
	size_t	i;

	for (i = 0; i < kv->n; i++) {
		free(kv->key[i]);
		free(kv->val[i]);
	}
	kv->n = 0;
}

/* Add a pair (copied); beyond XARF_KEYS_MAX pairs are ignored. */
static int
xarf_kv_put(struct xarf_kv *kv, const char *k, size_t klen, const char *v,
    size_t vlen)
{
	if (kv->n >= XARF_KEYS_MAX)
		return 0;
	if ((kv->key[kv->n] = strndup(k, klen)) == NULL)
		return -1;
	if ((kv->val[kv->n] = strndup(v, vlen)) == NULL) {
		free(kv->key[kv->n]);
		return -1;
	}
	kv->n++;
	return 0;
}

/* The first non-empty value of key (any case), or NULL. */
static const char *
xarf_kv_get(const struct xarf_kv *kv, const char *key)
{
	size_t	i;

	for (i = 0; i < kv->n; i++)
		if (strcasecmp(kv->key[i], key) == 0 && kv->val[i][0] != '\0')
			return kv->val[i];
	return NULL;
}

/*
 * The category and type a Schema-URL names ("http://www.x-arf.org/schema/
 * abuse_login-attack_0.1.2.json"): 0 with both in cat and type (n bytes
 * each), -1 when it names none.
 */
static int
xarf_schema_class(const char *url, char *cat, char *type, size_t n)
{
	const char	*b, *u1, *u2;

	if (url == NULL || (b = strrchr(url, '/')) == NULL)
		return -1;
	b++;
	if ((u1 = strchr(b, '_')) == NULL || (u2 = strchr(u1 + 1, '_')) ==
	    NULL || (size_t)(u1 - b) >= n || (size_t)(u2 - u1 - 1) >= n ||
	    u1 == b || u2 == u1 + 1)
		return -1;
	snprintf(cat, n, "%.*s", (int)(u1 - b), b);
	snprintf(type, n, "%.*s", (int)(u2 - u1 - 1), u1 + 1);
	return 0;
}

/* The first non-empty value of any of keys, or NULL. */
static const char *
xarf_kv_any(const struct xarf_kv *kv, const char *const *keys, size_t n)
{
	const char	*v;
	size_t		 i;

	for (i = 0; i < n; i++)
		if ((v = xarf_kv_get(kv, keys[i])) != NULL)
			return v;
	return NULL;
}

#define XARF_ANY(kv, keys)	xarf_kv_any(kv, keys, \
				    sizeof(keys) / sizeof(keys[0]))

/*
 * One YAML document's pairs to an event and a report, when it is X-ARF:
 * it has Category or Report-Type, else a Schema-URL naming them, else the
 * caller's hint (the type its attachment is named after) and a source.
 * Keys are X-ARF 0.2's, and the lower-case ones of the key/value files
 * some senders attach ("ip", "uri", "first_seen"). *found counts the
 * documents that were X-ARF. 0, or -1 (ENOMEM).
 */
static int
xarf_kv_emit(const struct xarf_kv *kv, const char *hint,
    const struct arf_opts *o, struct arf_reports *out, size_t *found)
{
	static const char *const extra[] = { "Domain", "Download-Link",
	    "URL", "Source-URL", "Reported-URI", "uri", "fqdn", "hostname",
	    "email", "md5", "sha1", "sha256", "file_md5", "file_sha1",
	    "file_sha256", "hash", "cve", "url_domain" };
	static const char *const sources[] = { "Source", "ip", "src_ip",
	    "source_ip", "ip_address", "ipaddress", "src" };
	static const char *const dates[] = { "Date", "first_seen",
	    "timestamp", "time", "last_seen" };
	struct xarf_event	 ev;
	const char		*v;
	size_t			 i;

	memset(&ev, 0, sizeof(ev));
	ev.category = xarf_kv_get(kv, "Category");
	ev.type = xarf_kv_get(kv, "Report-Type");
	ev.source = XARF_ANY(kv, sources);
	if (ev.category == NULL && ev.type == NULL && xarf_schema_class(
	    xarf_kv_get(kv, "Schema-URL"), ev.schema[0], ev.schema[1],
	    sizeof(ev.schema[0])) == 0) {
		ev.category = ev.schema[0];
		ev.type = ev.schema[1];
		ev.why = "the X-ARF Schema-URL";
	}
	if (ev.category == NULL && ev.type == NULL && hint != NULL &&
	    (ev.source != NULL || XARF_ANY(kv, extra) != NULL)) {
		ev.type = hint;
		ev.why = "the name of the X-ARF attachment";
	}
	if (ev.category == NULL && ev.type == NULL)
		return 0;
	(*found)++;
	v = xarf_kv_get(kv, "Version");
	snprintf(ev.fmtbuf, sizeof(ev.fmtbuf), "X-ARF%s%.16s", v ? " " : "",
	    v ? v : "");
	ev.format = ev.fmtbuf;
	ev.reporter = xarf_kv_get(kv, "Reported-From");
	ev.source_hint = xarf_source_hint(xarf_kv_get(kv, "Source-Type"));
	ev.port = xarf_kv_get(kv, "Port");
	ev.service = xarf_kv_get(kv, "Service");
	ev.dest = xarf_kv_get(kv, "Destination");
	ev.dest_port = xarf_kv_get(kv, "Destination-Port");
	ev.date = XARF_ANY(kv, dates);
	ev.report_id = xarf_kv_get(kv, "Report-ID");
	ev.agent = xarf_kv_get(kv, "User-Agent");
	ev.text = xarf_kv_get(kv, "Description");
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]) &&
	    ev.n_extra < XARF_EXTRA_MAX; i++)
		if ((v = xarf_kv_get(kv, extra[i])) != NULL)
			ev.extra[ev.n_extra++] = v;
	return xarf_event_report(&ev, o, out);
}

/*
 * Read the YAML with libyaml: top-level scalar pairs of each document.
 * Returns 0, 1 when libyaml refused the text (out unchanged), -1 (ENOMEM).
 */
static int
xarf_yaml_lib(const char *text, size_t len, const char *hint,
    const struct arf_opts *o, struct arf_reports *out, size_t *found)
{
	yaml_parser_t	 p;
	yaml_event_t	 e;
	struct xarf_kv	 kv;
	char		*key = NULL;
	size_t		 depth = 0, nev, found0 = *found, n0 = out->n;
	size_t		 dropped0 = out->dropped;
	int		 rc = 0, end = 0, map = 0;

	memset(&kv, 0, sizeof(kv));
	if (!yaml_parser_initialize(&p)) {
		errno = ENOMEM;
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	for (nev = 0; !end && nev < XARF_YAML_EVENTS_MAX; nev++) {
		if (!yaml_parser_parse(&p, &e)) {
			rc = p.error == YAML_MEMORY_ERROR ? -1 : 1;
			break;
		}
		switch (e.type) {
		case YAML_STREAM_END_EVENT:
			end = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			xarf_kv_clear(&kv);
			break;
		case YAML_DOCUMENT_END_EVENT:
			rc = xarf_kv_emit(&kv, hint, o, out, found);
			xarf_kv_clear(&kv);
			break;
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			if (depth++ == 0)
				map = e.type == YAML_MAPPING_START_EVENT;
			free(key);	/* a nested value: its key is dropped */
			key = NULL;
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			depth--;
			break;
		case YAML_SCALAR_EVENT:
			if (depth != 1 || !map)
				break;
			if (key == NULL) {
				key = strndup((char *)e.data.scalar.value,
				    e.data.scalar.length);
				rc = key ? 0 : -1;
			} else {
				rc = xarf_kv_put(&kv, key, strlen(key),
				    (char *)e.data.scalar.value,
				    e.data.scalar.length);
				free(key);
				key = NULL;
			}
			break;
		default:
			break;
		}
		yaml_event_delete(&e);
		if (rc != 0)
			break;
	}
	free(key);
	xarf_kv_clear(&kv);
	yaml_parser_delete(&p);
	if (rc == 1) {		/* undo what the refused text gave */
		while (out->n > n0)
			arf_reports_pop(out);
		out->dropped = dropped0;
		*found = found0;
	}
	if (rc == -1)
		errno = ENOMEM;
	return rc;
}

/*
 * The line-by-line reading for YAML libyaml refuses, and key/value files:
 * "Key: value" or "Key = value" lines (key of letters, digits, '-' and
 * '_'), documents split by "---".
 */
static int
xarf_yaml_lines(const char *text, size_t len, const char *hint,
    const struct arf_opts *o, struct arf_reports *out, size_t *found)
{
	struct xarf_kv	 kv;
	const char	*line = text, *end = text + len, *nl, *colon, *v;
	size_t		 ll, klen, vlen;
	int		 rc = 0;

	memset(&kv, 0, sizeof(kv));
	for (; line < end && rc == 0; line = nl + 1) {
		if ((nl = memchr(line, '\n', end - line)) == NULL)
			nl = end;
		ll = nl - line;
		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		if (ll >= 3 && memcmp(line, "---", 3) == 0) {
			rc = xarf_kv_emit(&kv, hint, o, out, found);
			xarf_kv_clear(&kv);
			continue;
		}
		for (klen = 0; klen < ll && (line[klen] == '-' ||
		    line[klen] == '_' || isalnum((unsigned char)line[klen]));)
			klen++;
		for (colon = line + klen; colon < line + ll &&
		    (*colon == ' ' || *colon == '\t');)
			colon++;	/* "Key : value", "Key = value" */
		if (klen == 0 || klen > 64 || colon >= line + ll ||
		    (*colon != ':' && *colon != '='))
			continue;
		v = colon + 1;
		vlen = line + ll - v;
		text_trim(&v, &vlen, TEXT_BLANKS);
		if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') &&
		    v[vlen - 1] == v[0]) {
			v++;
			vlen -= 2;
		}
		rc = xarf_kv_put(&kv, line, klen, v, vlen);
	}
	if (rc == 0)
		rc = xarf_kv_emit(&kv, hint, o, out, found);
	xarf_kv_clear(&kv);
	return rc;
}

/*
 * xarf_parse_yaml with a type for documents that name none (see
 * xarf_kv_emit). A text libyaml reads but finds no X-ARF in (a key/value
 * file written "Key = value" or with stray lines) is read line by line
 * too.
 */
static int
xarf_yaml(const char *text, size_t len, const char *hint,
    const struct arf_opts *o, struct arf_reports *out, const char **why)
{
	size_t	found = 0;
	int	rc;

	*why = NULL;
	rc = xarf_yaml_lib(text, len, hint, o, out, &found);
	if (rc == 1 || (rc == 0 && found == 0))
		rc = xarf_yaml_lines(text, len, hint, o, out, &found);
	if (rc == -1) {
		errno = ENOMEM;
		*why = "out of memory";
		return -1;
	}
	if (found == 0) {
		errno = EINVAL;
		*why = "no X-ARF report (no Category or Report-Type)";
		return -1;
	}
	return 0;
}

int
xarf_parse_yaml(const char *text, size_t len, const struct arf_opts *o,
    struct arf_reports *out, const char **why)
{
	return xarf_yaml(text, len, NULL, o, out, why);
}

/* JSON (X-ARF 3 and 4). */

/* A non-empty string member, or NULL. */
static const char *
xarf_jstr(json_t *obj, const char *key)
{
	const char	*s = json_string_value(json_object_get(obj, key));

	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* A string or integer member as text (buf: XARF_NUM_MAX bytes). */
static const char *
xarf_jnum(json_t *obj, const char *key, char *buf)
{
	json_t	*v = json_object_get(obj, key);

	if (json_is_integer(v)) {
		snprintf(buf, XARF_NUM_MAX, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return buf;
	}
	return xarf_jstr(obj, key);
}

/* A string member, or each string of an array member, as extra values. */
static void
xarf_jextra(struct xarf_event *ev, json_t *obj, const char *key)
{
	json_t	*v = json_object_get(obj, key), *item;
	size_t	 i;

	if (json_is_string(v) && ev->n_extra < XARF_EXTRA_MAX)
		ev->extra[ev->n_extra++] = json_string_value(v);
	else if (json_is_array(v))
		json_array_foreach(v, i, item)
			if (json_is_string(item) &&
			    ev->n_extra < XARF_EXTRA_MAX)
				ev->extra[ev->n_extra++] =
				    json_string_value(item);
}

/*
 * The core rules of the X-ARF 4 schema; 0, or -1 with *why. A category
 * is one of X-ARF 4's, or a class name of X-ARF 3 or 0.2 (Activity,
 * abuse...) as senders mixing the versions write it, any case: the type
 * then decides (xarf_category).
 */
static int
xarf_v4_valid(json_t *j, const char **why)
{
	const char	*v = xarf_jstr(j, "xarf_version"), *cat;
	char		 n[XARF_NAME_MAX];
	size_t		 i;
	int		 a, b, c, k = 0;

	if (v == NULL || sscanf(v, "%d.%d.%d%n", &a, &b, &c, &k) != 3 ||
	    a != 4 || v[k] != '\0')
		*why = "xarf_version is not 4.x.y";
	else if (!json_is_object(json_object_get(j, "reporter")))
		*why = "no reporter";
	else if (xarf_jstr(j, "type") == NULL)
		*why = "no type";
	else if (xarf_jstr(j, "source_identifier") == NULL)
		*why = "no source_identifier";
	else if ((cat = xarf_jstr(j, "category")) != NULL) {
		xarf_norm(cat, n, sizeof(n));
		for (i = 0; i < sizeof(xarf_v4_categories) /
		    sizeof(xarf_v4_categories[0]); i++)
			if (strcmp(n, xarf_v4_categories[i]) == 0)
				break;
		if (i == sizeof(xarf_v4_categories) /
		    sizeof(xarf_v4_categories[0]))
			*why = "unknown category";
		else if (strcmp(n, "messaging") == 0 &&
		    xarf_jstr(j, "protocol") == NULL)
			*why = "messaging report without protocol";
		else
			return 0;
	} else
		return 0;
	return -1;
}

/* The core rules of X-ARF 3; 0, or -1 with *why. */
static int
xarf_v3_valid(json_t *j, const char **why)
{
	const char	*v = xarf_jstr(j, "Version");
	json_t		*rep = json_object_get(j, "Report");

	if (v == NULL || (strcmp(v, "3") != 0 && strncmp(v, "3.", 2) != 0))
		*why = "Version is not 3";
	else if (!json_is_object(json_object_get(j, "ReporterInfo")))
		*why = "no ReporterInfo";
	else if (!json_is_object(rep) || xarf_jstr(rep, "ReportType") == NULL)
		*why = "no Report with a ReportType";
	else
		return 0;
	return -1;
}

static void
xarf_v4_event(json_t *j, struct xarf_event *ev)
{
	json_t	*rep = json_object_get(j, "reporter");
	size_t	 i;

	snprintf(ev->fmtbuf, sizeof(ev->fmtbuf), "X-ARF %.16s",
	    xarf_jstr(j, "xarf_version"));
	ev->format = ev->fmtbuf;
	ev->category = xarf_jstr(j, "category");
	ev->type = xarf_jstr(j, "type");
	ev->threat = xarf_jstr(j, "threat_type");
	ev->reporter = xarf_jstr(rep, "org");
	ev->contact = xarf_jstr(rep, "contact");
	ev->source = xarf_jstr(j, "source_identifier");
	ev->source_hint = xarf_source_hint(xarf_jstr(j, "source_type"));
	ev->port = xarf_jnum(j, "source_port", ev->numbuf[0]);
	ev->service = xarf_jstr(j, "service");
	ev->protocol = xarf_jstr(j, "protocol");
	ev->dest = xarf_jstr(j, "destination_ip");
	ev->dest_port = xarf_jnum(j, "destination_port", ev->numbuf[1]);
	ev->date = xarf_jstr(j, "timestamp");
	if (ev->date == NULL)
		ev->date = xarf_jstr(j, "first_seen");
	ev->report_id = xarf_jstr(j, "report_id");
	ev->text = xarf_jstr(j, "description");
	for (i = 0; i < sizeof(xarf_v4_extra) / sizeof(xarf_v4_extra[0]); i++)
		xarf_jextra(ev, j, xarf_v4_extra[i]);
}

static void
xarf_v3_event(json_t *j, struct xarf_event *ev)
{
	json_t	*info = json_object_get(j, "ReporterInfo");
	json_t	*rep = json_object_get(j, "Report");
	json_t	*src = json_object_get(rep, "Source");
	json_t	*add = json_object_get(rep, "AdditionalInfo");

	snprintf(ev->fmtbuf, sizeof(ev->fmtbuf), "X-ARF %.16s",
	    xarf_jstr(j, "Version"));
	ev->format = ev->fmtbuf;
	ev->category = xarf_jstr(rep, "ReportClass");
	ev->type = xarf_jstr(rep, "ReportType");
	ev->reporter = xarf_jstr(info, "ReporterOrg");
	ev->contact = xarf_jstr(info, "ReporterContactEmail");
	if (ev->contact == NULL)
		ev->contact = xarf_jstr(info, "ReporterOrgEmail");
	ev->source_hint = ARF_GUESS;
	if ((ev->source = xarf_jstr(rep, "SourceIp")) == NULL &&
	    (ev->source = xarf_jstr(src, "IP")) == NULL &&
	    (ev->source = xarf_jstr(src, "URL")) == NULL)
		ev->source = xarf_jstr(rep, "SourceUrl");
	ev->port = xarf_jnum(rep, "SourcePort", ev->numbuf[0]);
	if (ev->port == NULL)
		ev->port = xarf_jnum(src, "Port", ev->numbuf[0]);
	ev->service = xarf_jstr(rep, "ServiceName");
	ev->protocol = xarf_jstr(rep, "TransportProtocol");
	ev->dest = xarf_jstr(rep, "DestinationIp");
	ev->dest_port = xarf_jnum(rep, "DestinationPort", ev->numbuf[1]);
	ev->date = xarf_jstr(rep, "Date");
	ev->report_id = xarf_jstr(rep, "ReporterCaseID");
	ev->text = xarf_jstr(rep, "ReporterNotes");
	xarf_jextra(ev, rep, "SourceUrl");
	xarf_jextra(ev, rep, "CVE");
	xarf_jextra(ev, rep, "RpzDomain");
	xarf_jextra(ev, add, "C2Server");
}

/* One JSON object: validated, then a report. */
static int
xarf_json_one(json_t *j, const struct arf_opts *o, struct arf_reports *out,
    const char **why)
{
	struct xarf_event	ev;

	memset(&ev, 0, sizeof(ev));
	if (!json_is_object(j)) {
		*why = "not a JSON object";
		return 1;
	}
	if (json_object_get(j, "xarf_version") != NULL ||
	    json_object_get(j, "Version") == NULL) {
		if (xarf_v4_valid(j, why) == -1)
			return 1;
		xarf_v4_event(j, &ev);
	} else {
		if (xarf_v3_valid(j, why) == -1)
			return 1;
		xarf_v3_event(j, &ev);
	}
	return xarf_event_report(&ev, o, out);
}

int
xarf_parse_json(const char *text, size_t len, const struct arf_opts *o,
    struct arf_reports *out, const char **why)
{
	json_error_t	 jerr;
	json_t		*root, *item;
	size_t		 i, good = 0;
	int		 rc = 0;

	*why = NULL;
	root = json_loadb(text, len, 0, &jerr);
	if (root == NULL) {
		*why = "not JSON";
		errno = json_error_code(&jerr) == json_error_out_of_memory ?
		    ENOMEM : EINVAL;
		return -1;
	}
	if (json_is_array(root)) {
		json_array_foreach(root, i, item) {
			if ((rc = xarf_json_one(item, o, out, why)) == -1)
				break;
			good += rc == 0;
		}
	} else if ((rc = xarf_json_one(root, o, out, why)) == 0)
		good = 1;
	json_decref(root);
	if (rc == -1) {
		errno = ENOMEM;
		return -1;
	}
	if (good == 0) {
		errno = EINVAL;
		if (*why == NULL)
			*why = "empty array";
		return -1;
	}
	return 0;
}

/* X-ARF in a message. */

/*
 * The abuse type an attachment is named after ("MALWARE-report.txt",
 * "login-attack_report.yaml", "xarf-phishing.txt") into type (n bytes): the
 * name without its extension and a "report" or "xarf" word before or
 * after, when what is left names an abuse class. 0, or -1 when not.
 */
static int
xarf_name_type(const char *name, char *type, size_t n)
{
	static const char *const words[] = { "report", "xarf", "x-arf" };
	const char	*b, *dot;
	size_t		 len, i, w;
	int		 cut;

	if (name == NULL)
		return -1;
	if ((b = strrchr(name, '/')) != NULL)
		name = b + 1;
	len = (dot = strchr(name, '.')) != NULL ? (size_t)(dot - name) :
	    strlen(name);
	do {
		cut = 0;
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			w = strlen(words[i]);
			if (len > w && strncasecmp(name, words[i], w) == 0 &&
			    strchr("-_ ", name[w]) != NULL) {
				name += w + 1;
				len -= w + 1;
				cut = 1;
			} else if (len > w && strncasecmp(name + len - w,
			    words[i], w) == 0 && strchr("-_ ",
			    name[len - w - 1]) != NULL) {
				len -= w + 1;
				cut = 1;
			}
		}
	} while (cut);
	if (len == 0 || len >= n)
		return -1;
	snprintf(type, n, "%.*s", (int)len, name);
	return strcmp(xarf_category(NULL, type), "undetermined") == 0 ? -1 : 0;
}

/*
 * Whether a text reads like an X-ARF key/value document: of its first
 * XARF_SNIFF_LINES lines, at least two are "Key: value" with a key X-ARF
 * uses, one of them naming the class (Report-Type, Category, Schema-URL);
 * or, with named set (the attachment is named after a type), one line
 * with a key that holds an indicator ("ip", "uri", "Source"...).
 */
static int
xarf_looks_kv(const char *t, size_t len, int named)
{
	static const char *const keys[] = { "Report-Type", "Category",
	    "Schema-URL", "Reported-From", "Report-ID", "Source",
	    "Source-Type", "Version", "User-Agent", "Attachment", "Service" };
	static const char *const inds[] = { "ip", "uri", "url", "source",
	    "src_ip", "source_ip", "domain", "fqdn" };
	const char	*line = t, *end = t + len, *nl;
	size_t		 i, k, lines, hits = 0, cls = 0, ind = 0;

	for (lines = 0; line < end && lines < XARF_SNIFF_LINES; lines++,
	    line = nl + 1) {
		if ((nl = memchr(line, '\n', end - line)) == NULL)
			nl = end;
		for (k = 0; line + k < nl && (isalnum((unsigned char)line[k]) ||
		    line[k] == '-' || line[k] == '_'); k++)
			;
		if (k == 0 || line + k >= nl || line[k] != ':')
			continue;	/* not "Key:" */
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strlen(keys[i]) == k &&
			    strncasecmp(line, keys[i], k) == 0) {
				hits++;
				cls += i < 3;
			}
		for (i = 0; i < sizeof(inds) / sizeof(inds[0]); i++)
			if (strlen(inds[i]) == k &&
			    strncasecmp(line, inds[i], k) == 0)
				ind++;
	}
	return (hits >= 2 && cls >= 1) || (named && ind >= 1);
}

/*
 * Try one part as an X-ARF report part: JSON (by type or first byte), or
 * YAML / key-value when forced (the header says X-ARF), when its type says
 * YAML, when it starts like an X-ARF document ("---", "Reported-From:"),
 * or when it reads like one (xarf_looks_kv), its attachment name giving
 * the type when the document names none. 1 when it gave reports, 0 when
 * not, -1 on ENOMEM.
 */
static int
xarf_part(const struct mime_part *p, int forced, const struct arf_opts *o,
    struct arf_reports *out)
{
	const char	*why, *t = p->text;
	char		 type[XARF_NAME_MAX];
	size_t		 skip, rest;
	int		 rc, named;

	for (skip = 0; skip < p->text_len && strchr(" \t\r\n", t[skip]) &&
	    t[skip] != '\0'; skip++)
		;
	rest = p->text_len - skip;
	named = xarf_name_type(p->filename, type, sizeof(type)) == 0;
	if (strcmp(p->subtype, "json") == 0 || (rest > 0 && (t[skip] == '{' ||
	    t[skip] == '[')))
		rc = xarf_parse_json(t, p->text_len, o, out, &why);
	else if (forced || strstr(p->subtype, "yaml") != NULL ||
	    (rest >= 3 && strncmp(t + skip, "---", 3) == 0) ||
	    (rest >= 14 && strncasecmp(t + skip, "Reported-From:", 14) == 0) ||
	    xarf_looks_kv(t + skip, rest, named))
		rc = xarf_yaml(t, p->text_len, named ? type : NULL, o, out,
		    &why);
	else
		return 0;
	if (rc == -1)
		return errno == ENOMEM ? -1 : 0;
	return 1;
}

int
xarf_from_message(const struct mime_message *m, const struct mime_part *human,
    const struct arf_opts *o, struct arf_reports *out)
{
	const struct mime_part	*p = NULL;
	struct arf_opts		 bare = *o;
	const char		*h;
	int			 forced = 0, found = 0, rc;

	if (((h = mime_header_get(m->root, "X-ARF")) != NULL ||
	    (h = mime_header_get(m->root, "X-XARF")) != NULL) &&
	    strncasecmp(h + strspn(h, " \t"), "no", 2) != 0)
		forced = 1;
	while ((p = mime_next(p ? p : m->root)) != NULL)
		if (p->text != NULL && p->n_children == 0 && p != human &&
		    !arf_nested_in(p, m->root) &&
		    (rc = xarf_part(p, forced, o, out)) != 0) {
			if (rc == -1)
				return -1;
			found = 1;	/* each report part: its events */
		}
	if (found)
		return 1;
	/*
	 * The report in the part that looked human-readable: the first text
	 * part (its words stay in the description, so that none is lost
	 * should a person have written "Key: value" lines), or a message
	 * that is only the report.
	 */
	if (human != NULL && human != m->root && human->text != NULL &&
	    human->n_children == 0)
		return xarf_part(human, forced, o, out);
	bare.note = NULL;
	if (m->root->n_children == 0 && m->root->text != NULL)
		return xarf_part(m->root, forced, &bare, out);
	return 0;
}
