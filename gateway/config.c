/*
 * config.c - the configuration file: INI read with inih, one sorted keyword
 * table (cf_keys[]) saying for every "section.key" its type and where it
 * lives in struct config, one setter, printer and destructor per type, and
 * a second pass of checks that need the whole file (cert without key,
 * unreadable files, two listeners on one address, the form's body and its
 * files, outbound credentials, forwarded categories against the taxonomy)
 * and defaults that follow other keys (host name, mailboxes, public URL,
 * contact addresses, sender of outbound mail).
 *
 * Limits: a line holds at most CF_LINE_MAX - 3 bytes; values are taken
 * literally (no quotes, no escapes, no continuation lines); '#' and ';'
 * start a comment at the start of a line or after white space. Keys and
 * sections are case-insensitive. Every string in struct config is owned by
 * it, defaults included, and freed by config_free() alone.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>
#include <openssl/ssl.h>

#include "config.h"
#include "limits_gw.h"
#include "log.h"
#include "report.h"		/* utf8_valid, text_has_controls */
#include "taxonomy.h"
#include "util.h"

#define CF_LINE_MAX	4096		/* bytes of one line, newline included */
#define CF_LIST_MAX	256		/* elements of one list */
#define CF_WHY_MAX	256
#define CF_DAY		86400LL

#define CF_DEFAULT_CIPHERS	"ECDHE+AESGCM:ECDHE+CHACHA20"
#define CF_DEFAULT_TIMEZONE	"Asia/Ho_Chi_Minh"
#define CF_ZONEINFO_DIR		"/usr/share/zoneinfo"	/* unless $TZDIR */
#define CF_TZ_NAME_MAX		255	/* bytes of a time zone name */
#define CF_LANG_TAG_MAX		35	/* RFC 5646 4.4.1 */
#define CF_CATEGORY_MAX		31	/* bytes of a taxonomy code */
#define CF_TAXONOMY_MAX		(1024 * 1024)	/* as the daemon reads it */
#define CF_RECEIPTS_PER_ADDRESS	5	/* [outbound] receipts_per_address */

enum cf_type {
	CF_STRING,	/* char *, empty = NULL unless CF_NONEMPTY */
	CF_PATH,	/* the same, for file names */
	CF_LOGLEVEL,	/* char *, one of log.h's level names */
	CF_HOSTNAME,	/* char *, a DNS name, lower-cased; empty = default */
	CF_URL,		/* char *, http:// or https://; empty = default */
	CF_BOOL,	/* int */
	CF_INT,		/* long long in [min, max] */
	CF_DURATION,	/* long long seconds in [min, max] */
	CF_SIZE,	/* long long bytes in [min, max] */
	CF_LISTEN,	/* struct config_listen */
	CF_MAILBOXES,	/* char ** + size_t count: addr-specs; empty = default */
	CF_HOSTLIST,	/* char ** + size_t count: DNS names */
	CF_MAILBOX,	/* char *, one addr-spec as written; empty = NULL */
	CF_HOSTPORT,	/* struct config_listen: host name or address, port */
	CF_CIDRLIST,	/* struct config_cidr * + size_t count */
	CF_LANGLIST,	/* char ** + size_t count: language tags */
	CF_CATLIST,	/* char ** + size_t count: taxonomy codes */
	CF_SEVERITY,	/* enum severity; empty = SEV_UNSET (any) */
	CF_RECEIPTS,	/* enum config_receipts_to */
	CF_TIMEZONE,	/* char *, an IANA zone with a zoneinfo file */
	CF_NTYPES
};

#define CF_NONEMPTY	0x01	/* CF_STRING: refuse "" */
#define CF_TEXT		0x02	/* CF_STRING: UTF-8 without control characters */
#define CF_HTTPS	0x04	/* CF_URL: https:// only */

struct cf_key {
	const char	*name;		/* "section.key", table sorted by it */
	enum cf_type	 type;
	size_t		 off;		/* of the field in struct config */
	size_t		 count_off;	/* lists: of the size_t count */
	long long	 min, max;	/* numbers */
	int		 flags;
};

#define O(f)	offsetof(struct config, f)

static const struct cf_key cf_keys[] = {
	{ "contact.email", CF_MAILBOXES, O(contact_emails),
	    O(contact_n_emails), 0, 0, 0 },
	{ "contact.encryption", CF_URL, O(contact_encryption), 0, 0, 0,
	    CF_HTTPS },
	{ "contact.expires", CF_DURATION, O(contact_expires), 0,
	    CF_DAY, 366 * CF_DAY, 0 },
	{ "contact.hours", CF_STRING, O(contact_hours), 0, 0, 0, CF_TEXT },
	{ "contact.languages", CF_LANGLIST, O(contact_languages),
	    O(contact_n_languages), 0, 0, 0 },
	{ "contact.organization", CF_STRING, O(contact_organization), 0,
	    0, 0, CF_TEXT },
	{ "contact.phone", CF_STRING, O(contact_phone), 0, 0, 0, CF_TEXT },
	{ "contact.policy", CF_URL, O(contact_policy), 0, 0, 0, CF_HTTPS },
	{ "daemon.data_dir", CF_PATH, O(data_dir), 0, 0, 0, CF_NONEMPTY },
	{ "daemon.log_level", CF_LOGLEVEL, O(log_level), 0, 0, 0, 0 },
	{ "daemon.memory_budget", CF_SIZE, O(memory_budget), 0,
	    1024 * 1024, LLONG_MAX, 0 },
	{ "daemon.taxonomy", CF_PATH, O(taxonomy), 0, 0, 0, 0 },
	{ "daemon.user", CF_STRING, O(user), 0, 0, 0, 0 },
	{ "dedup.window", CF_DURATION, O(dedup_window), 0, 0, 366 * CF_DAY, 0 },
	{ "forward.categories", CF_CATLIST, O(forward_categories),
	    O(forward_n_categories), 0, 0, 0 },
	{ "forward.min_severity", CF_SEVERITY, O(forward_min_severity), 0,
	    0, 0, 0 },
	{ "forward.to", CF_MAILBOX, O(forward_to), 0, 0, 0, 0 },
	{ "http.form_rate_per_address", CF_INT, O(http_form_rate_per_address),
	    0, 1, 1000000, 0 },
	{ "http.form_rate_per_ip", CF_INT, O(http_form_rate_per_ip), 0,
	    HTTPS_FORM_RATE_MIN, 1000000, 0 },
	{ "http.idle_timeout", CF_DURATION, O(http_idle_timeout), 0,
	    1, CF_DAY, 0 },
	{ "http.listen", CF_LISTEN, O(http_listen), 0, 0, 0, 0 },
	{ "http.max_attachment_bytes", CF_SIZE, O(http_max_attachment_bytes),
	    0, 0, 1024LL * 1024 * 1024, 0 },
	{ "http.max_attachments", CF_INT, O(http_max_attachments), 0,
	    0, 50, 0 },
	{ "http.max_body", CF_SIZE, O(http_max_body), 0,
	    HTTPS_FORM_OVERHEAD, 1024LL * 1024 * 1024, 0 },
	{ "http.max_header_bytes", CF_SIZE, O(http_max_header_bytes), 0,
	    1024, 1024 * 1024, 0 },
	{ "http.max_per_ip", CF_INT, O(http_max_per_ip), 0, 1, 1000000, 0 },
	{ "http.max_sessions", CF_INT, O(http_max_sessions), 0, 1, 1000000, 0 },
	{ "http.metrics_from", CF_CIDRLIST, O(http_metrics_from),
	    O(http_n_metrics_from), 0, 0, 0 },
	{ "http.public_url", CF_URL, O(http_public_url), 0, 0, 0, 0 },
	{ "http.request_timeout", CF_DURATION, O(http_request_timeout), 0,
	    1, CF_DAY, 0 },
	{ "line.auth_timeout", CF_DURATION, O(line_auth_timeout), 0,
	    1, CF_DAY, 0 },
	{ "line.idle_timeout", CF_DURATION, O(line_idle_timeout), 0,
	    1, CF_DAY, 0 },
	{ "line.listen", CF_LISTEN, O(line_listen), 0, 0, 0, 0 },
	{ "line.max_per_ip", CF_INT, O(line_max_per_ip), 0, 1, 1000000, 0 },
	{ "line.max_sessions", CF_INT, O(line_max_sessions), 0, 1, 1000000, 0 },
	{ "line.require_auth", CF_BOOL, O(line_require_auth), 0, 0, 0, 0 },
	{ "line.session_timeout", CF_DURATION, O(line_session_timeout), 0,
	    1, 7 * CF_DAY, 0 },
	{ "line.tls_listen", CF_LISTEN, O(line_tls_listen), 0, 0, 0, 0 },
	{ "outbound.from", CF_MAILBOX, O(outbound_from), 0, 0, 0, 0 },
	{ "outbound.max_age", CF_DURATION, O(outbound_max_age), 0,
	    1, 366 * CF_DAY, 0 },
	{ "outbound.password", CF_STRING, O(outbound_password), 0, 0, 0, 0 },
	{ "outbound.receipts_per_address", CF_INT,
	    O(outbound_receipts_per_address), 0, 1, 1000000, 0 },
	{ "outbound.receipts_to", CF_RECEIPTS, O(outbound_receipts_to), 0,
	    0, 0, 0 },
	{ "outbound.retry_first", CF_DURATION, O(outbound_retry_first), 0,
	    1, 3600, 0 },
	{ "outbound.smarthost", CF_HOSTPORT, O(outbound_smarthost), 0,
	    0, 0, 0 },
	{ "outbound.starttls", CF_BOOL, O(outbound_starttls), 0, 0, 0, 0 },
	{ "outbound.user", CF_STRING, O(outbound_user), 0, 0, 0, 0 },
	{ "smtp.hostname", CF_HOSTNAME, O(smtp_hostname), 0, 0, 0, 0 },
	{ "smtp.idle_timeout", CF_DURATION, O(smtp_idle_timeout), 0,
	    1, CF_DAY, 0 },
	{ "smtp.listen", CF_LISTEN, O(smtp_listen), 0, 0, 0, 0 },
	{ "smtp.mailboxes", CF_MAILBOXES, O(smtp_mailboxes),
	    O(smtp_n_mailboxes), 0, 0, 0 },
	{ "smtp.max_message", CF_SIZE, O(smtp_max_message), 0,
	    1024, 1024LL * 1024 * 1024, 0 },
	{ "smtp.max_per_ip", CF_INT, O(smtp_max_per_ip), 0, 1, 1000000, 0 },
	{ "smtp.max_recipients", CF_INT, O(smtp_max_recipients), 0,
	    1, 10000, 0 },
	{ "smtp.max_reports", CF_INT, O(smtp_max_reports), 0, 1, 100000, 0 },
	{ "smtp.max_sessions", CF_INT, O(smtp_max_sessions), 0, 1, 1000000, 0 },
	{ "smtp.session_timeout", CF_DURATION, O(smtp_session_timeout), 0,
	    1, CF_DAY, 0 },
	{ "smtp.tls_listen", CF_LISTEN, O(smtp_tls_listen), 0, 0, 0, 0 },
	{ "smtp.trusted_upstreams", CF_HOSTLIST, O(smtp_trusted_upstreams),
	    O(smtp_n_trusted_upstreams), 0, 0, 0 },
	{ "stats.timezone", CF_TIMEZONE, O(stats_timezone), 0, 0, 0, 0 },
	{ "store.batch_max", CF_INT, O(store_batch_max), 0, 1, 65536, 0 },
	{ "store.max_size", CF_SIZE, O(store_max_bytes), 0, 0, LLONG_MAX, 0 },
	{ "store.queue_max", CF_INT, O(store_queue_max), 0, 1, 16777216, 0 },
	{ "tls.cert", CF_PATH, O(tls_cert), 0, 0, 0, 0 },
	{ "tls.ciphers", CF_STRING, O(tls_ciphers), 0, 0, 0, CF_NONEMPTY },
	{ "tls.handshake_rate", CF_INT, O(tls_handshake_rate), 0, 1, 1000000, 0 },
	{ "tls.handshake_timeout", CF_DURATION, O(tls_handshake_timeout), 0,
	    1, 3600, 0 },
	{ "tls.key", CF_PATH, O(tls_key), 0, 0, 0, 0 },
	{ "triage.claim_ttl", CF_DURATION, O(triage_claim_ttl), 0,
	    1, 7 * CF_DAY, 0 },
	{ "triage.session_idle", CF_DURATION, O(triage_session_idle), 0,
	    1, 7 * CF_DAY, 0 },
	{ "triage.session_lifetime", CF_DURATION, O(triage_session_lifetime),
	    0, 1, 30 * CF_DAY, 0 },
	{ "verify.ttl", CF_DURATION, O(verify_ttl), 0, 1, 366 * CF_DAY, 0 },
};

#undef O

#define CF_NKEYS	(sizeof(cf_keys) / sizeof(cf_keys[0]))

/* State of one config_load(): the file, the line being read, where each
 * key was set (0 = not in the file) and the first error. */
struct cf_parse {
	struct config	*cfg;
	const char	*path;
	FILE		*fp;
	int		 lineno;
	int		 too_long;
	int		 key_line[CF_NKEYS];
	int		 err_line;
	char		 err_key[64];
	char		 why[CF_WHY_MAX];
};

typedef int	cf_set_fn(struct config *, const struct cf_key *, const char *,
		    char *, size_t);
typedef void	cf_dump_fn(const struct config *, const struct cf_key *,
		    FILE *);
typedef void	cf_free_fn(struct config *, const struct cf_key *);

static cf_set_fn	cf_set_string, cf_set_loglevel, cf_set_hostname;
static cf_set_fn	cf_set_url, cf_set_bool, cf_set_number, cf_set_listen;
static cf_set_fn	cf_set_list, cf_set_mailbox, cf_set_cidrlist;
static cf_set_fn	cf_set_enum, cf_set_timezone;
static cf_dump_fn	cf_dump_string, cf_dump_bool, cf_dump_int;
static cf_dump_fn	cf_dump_duration, cf_dump_size, cf_dump_listen;
static cf_dump_fn	cf_dump_list, cf_dump_cidrlist, cf_dump_enum;
static cf_free_fn	cf_free_string, cf_free_nothing, cf_free_listen;
static cf_free_fn	cf_free_list, cf_free_cidrlist;

static const struct {
	cf_set_fn	*set;
	cf_dump_fn	*dump;
	cf_free_fn	*free;
} cf_types[CF_NTYPES] = {
	[CF_STRING] = { cf_set_string, cf_dump_string, cf_free_string },
	[CF_PATH] = { cf_set_string, cf_dump_string, cf_free_string },
	[CF_LOGLEVEL] = { cf_set_loglevel, cf_dump_string, cf_free_string },
	[CF_HOSTNAME] = { cf_set_hostname, cf_dump_string, cf_free_string },
	[CF_URL] = { cf_set_url, cf_dump_string, cf_free_string },
	[CF_BOOL] = { cf_set_bool, cf_dump_bool, cf_free_nothing },
	[CF_INT] = { cf_set_number, cf_dump_int, cf_free_nothing },
	[CF_DURATION] = { cf_set_number, cf_dump_duration, cf_free_nothing },
	[CF_SIZE] = { cf_set_number, cf_dump_size, cf_free_nothing },
	[CF_LISTEN] = { cf_set_listen, cf_dump_listen, cf_free_listen },
	[CF_MAILBOXES] = { cf_set_list, cf_dump_list, cf_free_list },
	[CF_HOSTLIST] = { cf_set_list, cf_dump_list, cf_free_list },
	[CF_MAILBOX] = { cf_set_mailbox, cf_dump_string, cf_free_string },
	[CF_HOSTPORT] = { cf_set_listen, cf_dump_listen, cf_free_listen },
	[CF_CIDRLIST] = { cf_set_cidrlist, cf_dump_cidrlist,
	    cf_free_cidrlist },
	[CF_LANGLIST] = { cf_set_list, cf_dump_list, cf_free_list },
	[CF_CATLIST] = { cf_set_list, cf_dump_list, cf_free_list },
	[CF_SEVERITY] = { cf_set_enum, cf_dump_enum, cf_free_nothing },
	[CF_RECEIPTS] = { cf_set_enum, cf_dump_enum, cf_free_nothing },
	[CF_TIMEZONE] = { cf_set_timezone, cf_dump_string, cf_free_string },
};

/* Enumerated keys are stored as the int of their C enum. */
_Static_assert(sizeof(enum severity) == sizeof(int), "enum severity");
_Static_assert(sizeof(enum config_receipts_to) == sizeof(int),
    "enum config_receipts_to");

/* The words of an enumerated type, indexed by their enum value; "" is the
 * empty value. */
struct cf_enum {
	const char	*const *names;
	size_t		 n;
	const char	*why;		/* when the value is none of them */
};

static const char *const cf_severity_names[] = {
	[SEV_UNSET] = "", [SEV_LOW] = "low", [SEV_MEDIUM] = "medium",
	[SEV_HIGH] = "high", [SEV_CRITICAL] = "critical",
};
static const char *const cf_receipts_names[] = {
	[CONFIG_RECEIPTS_ALL] = "all",
	[CONFIG_RECEIPTS_AUTHENTICATED] = "authenticated",
};

static const struct cf_enum *
cf_enum_of(const struct cf_key *k)
{
	static const struct cf_enum severity = { cf_severity_names,
	    sizeof(cf_severity_names) / sizeof(cf_severity_names[0]),
	    "must be low, medium, high or critical (empty: any)" };
	static const struct cf_enum receipts = { cf_receipts_names,
	    sizeof(cf_receipts_names) / sizeof(cf_receipts_names[0]),
	    "must be all or authenticated" };

	switch (k->type) {
	case CF_SEVERITY:
		return &severity;
	case CF_RECEIPTS:
		return &receipts;
	default:
		fatalx("config: %s is not an enumeration", k->name);
	}
}

#define CF_FIELD(cfg, k, type)	((type *)((char *)(cfg) + (k)->off))
#define CF_CFIELD(cfg, k, type)	\
	((type const *)((const char *)(cfg) + (k)->off))

/* ---- the keyword table ---- */

static int
cf_key_cmp(const void *name, const void *key)
{
	return strcasecmp(name, ((const struct cf_key *)key)->name);
}

static const struct cf_key *
cf_key_find(const char *name)
{
	return bsearch(name, cf_keys, CF_NKEYS, sizeof(cf_keys[0]),
	    cf_key_cmp);
}

/* The table must stay sorted for bsearch: a wrong order is a bug here. */
static void
cf_keys_check(void)
{
	size_t	i;

	for (i = 1; i < CF_NKEYS; i++)
		if (strcmp(cf_keys[i - 1].name, cf_keys[i].name) >= 0)
			fatalx("config: cf_keys[] not sorted at %s",
			    cf_keys[i].name);
}

/* ---- value checks shared by several types ---- */

static void
cf_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = tolower((unsigned char)*s);
}

/* A DNS name: labels of letters, digits and '-' (not at either end),
 * 1..63 bytes each, 253 in all. "localhost" qualifies. */
static int
cf_is_hostname(const char *s)
{
	size_t	label = 0, total = strlen(s);

	if (total == 0 || total > 253)
		return 0;
	for (; *s != '\0'; s++) {
		if (*s == '.') {
			if (label == 0 || s[-1] == '-')
				return 0;
			label = 0;
		} else if (isalnum((unsigned char)*s) ||
		    (*s == '-' && label > 0)) {
			if (++label > 63)
				return 0;
		} else
			return 0;
	}
	return label > 0 && s[-1] != '-';
}

/* RFC 5322 dot-atom text: atext runs separated by single dots. */
static int
cf_is_dot_atom(const char *s, size_t len)
{
	static const char	specials[] = "!#$%&'*+-/=?^_`{|}~";
	size_t			i;

	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!isalnum((unsigned char)s[i]) &&
		    strchr(specials, s[i]) == NULL)
			return 0;
	}
	return 1;
}

/* local@domain with a dot-atom local part (no quoted strings) and a DNS
 * domain (no address literals). */
static int
cf_is_mailbox(const char *s)
{
	const char	*at = strrchr(s, '@');

	if (at == NULL || at - s > 64 || strlen(s) > 254)
		return 0;
	return cf_is_dot_atom(s, at - s) && cf_is_hostname(at + 1);
}

/* ---- setters: each parses value into the field of k, or returns -1 with
 * the reason in why. The old value is freed only on success. ---- */

static void
cf_replace_string(struct config *cfg, const struct cf_key *k, char *v)
{
	char	**field = CF_FIELD(cfg, k, char *);

	free(*field);
	*field = v;
}

static int
cf_set_string(struct config *cfg, const struct cf_key *k, const char *v,
    char *why, size_t whylen)
{
	if (*v == '\0' && (k->flags & CF_NONEMPTY)) {
		snprintf(why, whylen, "must not be empty");
		return -1;
	}
	if ((k->flags & CF_TEXT) && (!utf8_valid(v, strlen(v)) ||
	    text_has_controls(v, strlen(v), 0))) {
		snprintf(why, whylen,
		    "must be UTF-8 text without control characters");
		return -1;
	}
	cf_replace_string(cfg, k, *v == '\0' ? NULL : xstrdup(v));
	return 0;
}

static int
cf_set_loglevel(struct config *cfg, const struct cf_key *k, const char *v,
    char *why, size_t whylen)
{
	enum log_level	 lvl;
	char		*s = xstrdup(v);

	cf_lower(s);
	if (log_level_parse(s, &lvl) == -1) {
		snprintf(why, whylen, "must be error, warn, info or debug");
		free(s);
		return -1;
	}
	cf_replace_string(cfg, k, s);
	return 0;
}

static int
cf_set_hostname(struct config *cfg, const struct cf_key *k, const char *v,
    char *why, size_t whylen)
{
	char	*s;

	if (*v == '\0') {
		cf_replace_string(cfg, k, NULL);	/* default, pass 2 */
		return 0;
	}
	if (!cf_is_hostname(v)) {
		snprintf(why, whylen, "not a host name");
		return -1;
	}
	s = xstrdup(v);
	cf_lower(s);
	cf_replace_string(cfg, k, s);
	return 0;
}

static int
cf_set_url(struct config *cfg, const struct cf_key *k, const char *v,
    char *why, size_t whylen)
{
	const char	*p, *host;

	if (*v == '\0') {
		cf_replace_string(cfg, k, NULL);	/* default, pass 2 */
		return 0;
	}
	if (strncasecmp(v, "https://", 8) == 0)
		host = v + 8;
	else if (strncasecmp(v, "http://", 7) == 0 &&
	    !(k->flags & CF_HTTPS))
		host = v + 7;
	else {
		snprintf(why, whylen, "must start with https://%s",
		    (k->flags & CF_HTTPS) ? "" : " or http://");
		return -1;
	}
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f ||
		    *p == '"' || *p == '<' || *p == '>') {
			snprintf(why, whylen, "invalid character in URL");
			return -1;
		}
	if (*host == '\0' || *host == '/') {
		snprintf(why, whylen, "URL has no host");
		return -1;
	}
	cf_replace_string(cfg, k, xstrdup(v));
	return 0;
}

static int
cf_set_bool(struct config *cfg, const struct cf_key *k, const char *v,
    char *why, size_t whylen)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t			 i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
			*CF_FIELD(cfg, k, int) = strcasecmp(v, yes[i]) == 0;
			return 0;
		}
	}
	snprintf(why, whylen, "must be yes or no");
	return -1;
}

static int
cf_set_number(struct config *cfg, const struct cf_key *k, const char *v,
    char *why, size_t whylen)
{
	long long	 n;
	const char	*syntax, *perr;
	int		 ok;

	switch (k->type) {
	case CF_DURATION:
		syntax = "not a duration (e.g. 90s, 15m, 24h, 7d)";
		ok = parse_duration(v, &n) == 0;
		break;
	case CF_SIZE:
		syntax = "not a size (e.g. 4096, 64k, 25M, 1G)";
		ok = parse_size(v, &n) == 0;
		break;
	default:
		syntax = "not a number";
		ok = parse_int(v, LLONG_MIN, LLONG_MAX, &n, &perr) == 0;
		if (!ok && strcmp(perr, "not a number") != 0) {
			/* overflow: out of any range below */
			n = *v == '-' ? LLONG_MIN : LLONG_MAX;
			ok = 1;
		}
		break;
	}
	if (!ok) {
		snprintf(why, whylen, "%s", syntax);
		return -1;
	}
	if (n < k->min || n > k->max) {
		snprintf(why, whylen, "out of range (%lld..%lld)",
		    k->min, k->max);
		return -1;
	}
	*CF_FIELD(cfg, k, long long) = n;
	return 0;
}

/* "host:port" or "[v6]:port" into out (fields owned by out); "" = off.
 * A listener's host is an address (localhost is 127.0.0.1); a server to
 * connect to (names) may also be a DNS name, kept lower-cased. */
static int
cf_listen_parse(const char *v, int names, struct config_listen *out,
    char *why, size_t whylen)
{
	unsigned char	 addr[16];
	const char	*colon, *end, *hp;
	char		*host;
	long long	 port;

	memset(out, 0, sizeof(*out));
	if (*v == '\0')
		return 0;
	if (*v == '[') {
		if ((end = strchr(v, ']')) == NULL || end[1] != ':') {
			snprintf(why, whylen, "expected [address]:port");
			return -1;
		}
		host = xstrndup(v + 1, end - v - 1);
		colon = end + 1;
		if (inet_pton(AF_INET6, host, addr) != 1) {
			snprintf(why, whylen, "not an IPv6 address: %s", host);
			free(host);
			return -1;
		}
	} else {
		if ((colon = strchr(v, ':')) == NULL) {
			snprintf(why, whylen, "expected host:port");
			return -1;
		}
		if (strchr(colon + 1, ':') != NULL) {
			snprintf(why, whylen,
			    "IPv6 address needs brackets, e.g. [::1]:4119");
			return -1;
		}
		host = xstrndup(v, colon - v);
		if (names && inet_pton(AF_INET, host, addr) != 1) {
			if (!cf_is_hostname(host)) {
				snprintf(why, whylen, "host must be a host "
				    "name, IPv4 address or [IPv6] address");
				free(host);
				return -1;
			}
			cf_lower(host);
		} else if (strcasecmp(host, "localhost") == 0) {
			free(host);
			host = xstrdup("127.0.0.1");
		} else if (inet_pton(AF_INET, host, addr) != 1) {
			snprintf(why, whylen, "host must be an IPv4 address, "
			    "[IPv6] address or localhost");
			free(host);
			return -1;
		}
	}
	if (parse_int(colon + 1, 1, 65535, &port, &hp) == -1) {
		snprintf(why, whylen, "%s", strcmp(hp, "not a number") == 0 ?
		    "port is not a number" : "port out of range");
		free(host);
		return -1;
	}
	out->text = xstrdup(v);
	out->host = host;
	out->port = xmalloc(6);
	snprintf(out->port, 6, "%lld", port);
	return 0;
}

static int
cf_set_listen(struct config *cfg, const struct cf_key *k, const char *v,
    char *why, size_t whylen)
{
	struct config_listen	l;

	if (cf_listen_parse(v, k->type == CF_HOSTPORT, &l, why, whylen) == -1)
		return -1;
	cf_free_listen(cfg, k);
	*CF_FIELD(cfg, k, struct config_listen) = l;
	return 0;
}

static void
cf_list_add(char ***list, size_t *n, char *s)
{
	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = s;
}

static void
cf_list_free(char **list, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/* "a.b.c.d", "a.b.c.d/n", "v6" or "v6/n" (lower-cased) into out. The
 * host bits must be zero: 10.1.2.3/8 is a slip for 10.0.0.0/8 or
 * 10.1.2.3, and saying so beats guessing. */
static int
cf_cidr_parse(const char *s, struct config_cidr *out, char *why,
    size_t whylen)
{
	const char	*slash = strchr(s, '/'), *d;
	char		*addr;
	int		 bits, i;

	memset(out, 0, sizeof(*out));
	addr = slash != NULL ? xstrndup(s, slash - s) : xstrdup(s);
	if (inet_pton(AF_INET, addr, out->addr) == 1) {
		out->family = AF_INET;
		bits = 32;
	} else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
		out->family = AF_INET6;
		bits = 128;
	} else {
		free(addr);
		snprintf(why, whylen, "not an address or network: %s", s);
		return -1;
	}
	free(addr);
	out->prefix = bits;
	if (slash != NULL) {
		out->prefix = 0;
		for (d = slash + 1; isdigit((unsigned char)*d) && d - slash < 5;
		    d++)
			out->prefix = out->prefix * 10 + (*d - '0');
		if (d == slash + 1 || *d != '\0' || out->prefix > bits) {
			snprintf(why, whylen, "prefix length must be 0..%d: %s",
			    bits, s);
			return -1;
		}
	}
	for (i = out->prefix; i < bits; i++)
		if (out->addr[i / 8] & (0x80 >> (i % 8))) {
			snprintf(why, whylen, "host bits set in %s", s);
			return -1;
		}
	return 0;
}

/* c as cf_cidr_parse() reads it: the address alone when it is one host. */
static void
cf_cidr_format(const struct config_cidr *c, char *buf, size_t len)
{
	char	addr[INET6_ADDRSTRLEN];

	if (inet_ntop(c->family, c->addr, addr, sizeof(addr)) == NULL)
		fatalx("config: inet_ntop failed");
	if (c->prefix == (c->family == AF_INET ? 32 : 128))
		snprintf(buf, len, "%s", addr);
	else
		snprintf(buf, len, "%s/%d", addr, c->prefix);
}

/* An RFC 5646 language tag in its common shape: a primary subtag of 2 to 8
 * letters, then subtags of 1 to 8 letters or digits. */
static int
cf_is_lang_tag(const char *s)
{
	size_t	sub = 0, i, len = strlen(s);

	if (len > CF_LANG_TAG_MAX)
		return 0;
	for (i = 0; i <= len; i++) {
		if (s[i] == '-' || s[i] == '\0') {
			if (sub == 0 || sub > 8 || (i == sub && sub < 2))
				return 0;
			sub = 0;
		} else if (i == sub ? isalpha((unsigned char)s[i]) :
		    isalnum((unsigned char)s[i]))
			sub++;
		else
			return 0;
	}
	return 1;
}

/* A taxonomy code, lower-cased: letters, digits, '-' and '_'. Whether the
 * taxonomy has it is checked in pass 2. */
static int
cf_is_category(const char *s)
{
	size_t	len = strlen(s);

	return len > 0 && len <= CF_CATEGORY_MAX &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == len;
}

/* One list element s (owned), already trimmed and lower-cased: checked and
 * canonical, if it may join list[0..n); else NULL, s freed and why set. */
static char *
cf_list_elem(const struct cf_key *k, char **list, size_t n, char *s,
    char *why, size_t whylen)
{
	struct config_cidr	c;
	char			canon[INET6_ADDRSTRLEN + 8];
	size_t			i;

	why[0] = '\0';
	if (*s == '\0')
		snprintf(why, whylen, "empty element in list");
	else if (k->type == CF_MAILBOXES && !cf_is_mailbox(s))
		snprintf(why, whylen, "not an address: %s", s);
	else if (k->type == CF_HOSTLIST && !cf_is_hostname(s))
		snprintf(why, whylen, "not a host name: %s", s);
	else if (k->type == CF_LANGLIST && !cf_is_lang_tag(s))
		snprintf(why, whylen, "not a language tag: %s", s);
	else if (k->type == CF_CATLIST && !cf_is_category(s))
		snprintf(why, whylen, "not a category code: %s", s);
	else if (k->type == CF_CIDRLIST &&
	    cf_cidr_parse(s, &c, why, whylen) == 0) {
		cf_cidr_format(&c, canon, sizeof(canon));
		free(s);
		s = xstrdup(canon);
	}
	if (why[0] == '\0' && n == CF_LIST_MAX)
		snprintf(why, whylen, "more than %d elements", CF_LIST_MAX);
	for (i = 0; why[0] == '\0' && i < n; i++)
		if (strcmp(list[i], s) == 0)
			snprintf(why, whylen, "%s given twice", s);
	if (why[0] != '\0') {
		free(s);
		return NULL;
	}
	return s;
}

/* Split a comma-separated list, trim each element, lower-case it, check
 * it (by the type of k), make it canonical and refuse duplicates. "" is
 * the empty list. On success *out (owned by the caller) holds *nout
 * strings. */
static int
cf_list_parse(const struct cf_key *k, const char *v, char ***out, size_t *nout,
    char *why, size_t whylen)
{
	const char	*p = v, *e, *comma;
	char		*s, **list = NULL;
	size_t		 n = 0;

	while (*v != '\0') {
		comma = strchr(p, ',');
		e = comma != NULL ? comma : p + strlen(p);
		while (p < e && isspace((unsigned char)*p))
			p++;
		while (e > p && isspace((unsigned char)e[-1]))
			e--;
		s = xstrndup(p, e - p);
		cf_lower(s);
		if ((s = cf_list_elem(k, list, n, s, why, whylen)) == NULL) {
			cf_list_free(list, n);
			return -1;
		}
		cf_list_add(&list, &n, s);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	*out = list;
	*nout = n;
	return 0;
}

static int
cf_set_list(struct config *cfg, const struct cf_key *k, const char *v,
    char *why, size_t whylen)
{
	char	**list;
	size_t	  n;

	if (cf_list_parse(k, v, &list, &n, why, whylen) == -1)
		return -1;
	cf_free_list(cfg, k);
	*CF_FIELD(cfg, k, char **) = list;
	*(size_t *)((char *)cfg + k->count_off) = n;
	return 0;
}

static int
cf_set_cidrlist(struct config *cfg, const struct cf_key *k, const char *v,
    char *why, size_t whylen)
{
	struct config_cidr	*c;
	char			**list;
	size_t			  i, n;

	if (cf_list_parse(k, v, &list, &n, why, whylen) == -1)
		return -1;
	c = n > 0 ? xcalloc(n, sizeof(*c)) : NULL;
	for (i = 0; i < n; i++)
		if (cf_cidr_parse(list[i], &c[i], why, whylen) == -1)
			fatalx("config: canonical %s does not parse", list[i]);
	cf_list_free(list, n);
	cf_free_cidrlist(cfg, k);
	*CF_FIELD(cfg, k, struct config_cidr *) = c;
	*(size_t *)((char *)cfg + k->count_off) = n;
	return 0;
}

/* One address, as written (forward.to, outbound.from); "" = none. */
static int
cf_set_mailbox(struct config *cfg, const struct cf_key *k, const char *v,
    char *why, size_t whylen)
{
	if (*v != '\0' && !cf_is_mailbox(v)) {
		snprintf(why, whylen, "not an address: %s", v);
		return -1;
	}
	cf_replace_string(cfg, k, *v == '\0' ? NULL : xstrdup(v));
	return 0;
}

static int
cf_set_enum(struct config *cfg, const struct cf_key *k, const char *v,
    char *why, size_t whylen)
{
	const struct cf_enum	*e = cf_enum_of(k);
	size_t			 i;

	for (i = 0; i < e->n; i++) {
		if (e->names[i] != NULL && strcasecmp(v, e->names[i]) == 0) {
			*CF_FIELD(cfg, k, int) = (int)i;
			return 0;
		}
	}
	snprintf(why, whylen, "%s", e->why);
	return -1;
}

/*
 * An IANA time zone name, e.g. Asia/Ho_Chi_Minh, checked against the
 * zoneinfo file the C library will read for it ($TZDIR, else
 * /usr/share/zoneinfo): it must exist and start with the TZif magic.
 * tzset() cannot check a name: it takes any string and falls back to UTC
 * in silence. POSIX TZ strings ("ICT-7") are not accepted.
 */
static int
cf_set_timezone(struct config *cfg, const struct cf_key *k, const char *v,
    char *why, size_t whylen)
{
	struct stat	 st;
	const char	*dir = getenv("TZDIR"), *p, *slash;
	char		 path[PATH_MAX], magic[4];
	size_t		 len;
	int		 fd, ok;

	ok = *v != '\0' && strlen(v) <= CF_TZ_NAME_MAX &&
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789/_-+.") == strlen(v);
	/* every component non-empty and neither "." nor "..": no way out
	 * of the zoneinfo directory */
	for (p = v; ok; p = slash + 1) {
		slash = strchr(p, '/');
		len = slash != NULL ? (size_t)(slash - p) : strlen(p);
		if (len == 0 || (len <= 2 && strncmp(p, "..", len) == 0))
			ok = 0;
		if (slash == NULL)
			break;
	}
	if (!ok) {
		snprintf(why, whylen,
		    "not a time zone name (e.g. Asia/Ho_Chi_Minh)");
		return -1;
	}
	if (dir == NULL || *dir == '\0')
		dir = CF_ZONEINFO_DIR;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, v) >=
	    sizeof(path)) {
		snprintf(why, whylen, "time zone name too long");
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "unknown time zone (%s: %s)", path,
		    strerror(errno));
		return -1;
	}
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    read(fd, magic, 4) == 4 && memcmp(magic, "TZif", 4) == 0;
	close(fd);
	if (!ok) {
		snprintf(why, whylen, "unknown time zone (%s is not a "
		    "zoneinfo file)", path);
		return -1;
	}
	cf_replace_string(cfg, k, xstrdup(v));
	return 0;
}

/* ---- printers, in the syntax the setters read back ---- */

static void
cf_dump_string(const struct config *cfg, const struct cf_key *k, FILE *fp)
{
	const char	*s = *CF_CFIELD(cfg, k, char *);

	fprintf(fp, "%s%s\n", s != NULL ? " " : "", s != NULL ? s : "");
}

static void
cf_dump_bool(const struct config *cfg, const struct cf_key *k, FILE *fp)
{
	fprintf(fp, " %s\n", *CF_CFIELD(cfg, k, int) ? "yes" : "no");
}

static void
cf_dump_int(const struct config *cfg, const struct cf_key *k, FILE *fp)
{
	fprintf(fp, " %lld\n", *CF_CFIELD(cfg, k, long long));
}

static void
cf_dump_scaled(long long n, const long long *mult, const char *units,
    FILE *fp)
{
	size_t	i;

	for (i = 0; units[i] != '\0'; i++) {
		if (n != 0 && n % mult[i] == 0) {
			fprintf(fp, " %lld%c\n", n / mult[i], units[i]);
			return;
		}
	}
	fprintf(fp, " %lld\n", n);
}

static void
cf_dump_duration(const struct config *cfg, const struct cf_key *k, FILE *fp)
{
	static const long long	mult[] = { CF_DAY, 3600, 60, 1 };

	cf_dump_scaled(*CF_CFIELD(cfg, k, long long), mult, "dhms", fp);
}

static void
cf_dump_size(const struct config *cfg, const struct cf_key *k, FILE *fp)
{
	static const long long	mult[] = { 1024LL * 1024 * 1024,
	    1024 * 1024, 1024 };

	cf_dump_scaled(*CF_CFIELD(cfg, k, long long), mult, "GMk", fp);
}

static void
cf_dump_listen(const struct config *cfg, const struct cf_key *k, FILE *fp)
{
	const struct config_listen *l = CF_CFIELD(cfg, k, struct config_listen);

	fprintf(fp, "%s%s\n", l->text != NULL ? " " : "",
	    l->text != NULL ? l->text : "");
}

static void
cf_dump_cidrlist(const struct config *cfg, const struct cf_key *k, FILE *fp)
{
	const struct config_cidr *list = *CF_CFIELD(cfg, k,
				    struct config_cidr *);
	size_t			  i, n = *(const size_t *)((const char *)cfg +
				    k->count_off);
	char			  buf[INET6_ADDRSTRLEN + 8];

	for (i = 0; i < n; i++) {
		cf_cidr_format(&list[i], buf, sizeof(buf));
		fprintf(fp, "%s%s", i ? ", " : " ", buf);
	}
	fputc('\n', fp);
}

static void
cf_dump_enum(const struct config *cfg, const struct cf_key *k, FILE *fp)
{
	const struct cf_enum	*e = cf_enum_of(k);
	int			 v = *CF_CFIELD(cfg, k, int);
	const char		*name;

	if (v < 0 || (size_t)v >= e->n || e->names[v] == NULL)
		fatalx("config: %s holds %d", k->name, v);
	name = e->names[v];
	fprintf(fp, "%s%s\n", *name != '\0' ? " " : "", name);
}

static void
cf_dump_list(const struct config *cfg, const struct cf_key *k, FILE *fp)
{
	char *const	*list = *CF_CFIELD(cfg, k, char **);
	size_t		 i, n = *(const size_t *)((const char *)cfg +
			    k->count_off);

	for (i = 0; i < n; i++)
		fprintf(fp, "%s%s", i ? ", " : " ", list[i]);
	fputc('\n', fp);
}

/* ---- destructors ---- */

static void
cf_free_string(struct config *cfg, const struct cf_key *k)
{
	cf_replace_string(cfg, k, NULL);
}

static void
cf_free_nothing(struct config *cfg, const struct cf_key *k)
{
}

static void
cf_free_listen(struct config *cfg, const struct cf_key *k)
{
	struct config_listen	*l = CF_FIELD(cfg, k, struct config_listen);

	free(l->text);
	free(l->host);
	free(l->port);
	memset(l, 0, sizeof(*l));
}

static void
cf_free_cidrlist(struct config *cfg, const struct cf_key *k)
{
	struct config_cidr	**list = CF_FIELD(cfg, k, struct config_cidr *);

	free(*list);
	*list = NULL;
	*(size_t *)((char *)cfg + k->count_off) = 0;
}

static void
cf_free_list(struct config *cfg, const struct cf_key *k)
{
	char	***list = CF_FIELD(cfg, k, char **);
	size_t	  *n = (size_t *)((char *)cfg + k->count_off);

	cf_list_free(*list, *n);
	*list = NULL;
	*n = 0;
}

/* ---- defaults ---- */

/* The machine's name if it is a usable DNS name, else "localhost". */
static char *
cf_default_hostname(void)
{
	char	name[256];

	if (gethostname(name, sizeof(name)) == -1)
		return xstrdup("localhost");
	name[sizeof(name) - 1] = '\0';
	if (!cf_is_hostname(name))
		return xstrdup("localhost");
	cf_lower(name);
	return xstrdup(name);
}

/* ir@ and abuse@ at the configured host name and at localhost. */
static void
cf_default_mailboxes(struct config *cfg)
{
	static const char *const locals[] = { "ir", "abuse" };
	const char		*domains[2] = { cfg->smtp_hostname, "localhost" };
	size_t			 d, l, nd;
	char			*s;

	cf_list_free(cfg->smtp_mailboxes, cfg->smtp_n_mailboxes);
	cfg->smtp_mailboxes = NULL;
	cfg->smtp_n_mailboxes = 0;
	nd = strcmp(cfg->smtp_hostname, "localhost") == 0 ? 1 : 2;
	for (d = 0; d < nd; d++) {
		for (l = 0; l < 2; l++) {
			if (asprintf(&s, "%s@%s", locals[l], domains[d]) == -1)
				fatalx("config: out of memory");
			cf_list_add(&cfg->smtp_mailboxes,
			    &cfg->smtp_n_mailboxes, s);
		}
	}
}

/* https://HOSTNAME[:PORT]/ from the host name and the HTTPS listener;
 * NULL when HTTPS is off. */
static void
cf_default_public_url(struct config *cfg)
{
	free(cfg->http_public_url);
	cfg->http_public_url = NULL;
	if (cfg->http_listen.port == NULL)
		return;
	if (strcmp(cfg->http_listen.port, "443") == 0) {
		if (asprintf(&cfg->http_public_url, "https://%s/",
		    cfg->smtp_hostname) == -1)
			fatalx("config: out of memory");
	} else if (asprintf(&cfg->http_public_url, "https://%s:%s/",
	    cfg->smtp_hostname, cfg->http_listen.port) == -1)
		fatalx("config: out of memory");
}

/* The [smtp] mailboxes in their order, leaving out those at localhost
 * unless there are no others: addresses the public can write to. */
static void
cf_default_contact_emails(struct config *cfg)
{
	size_t	i, pass;

	cf_list_free(cfg->contact_emails, cfg->contact_n_emails);
	cfg->contact_emails = NULL;
	cfg->contact_n_emails = 0;
	for (pass = 0; pass < 2 && cfg->contact_n_emails == 0; pass++)
		for (i = 0; i < cfg->smtp_n_mailboxes; i++)
			if (pass == 1 || strcmp(strrchr(cfg->smtp_mailboxes[i],
			    '@'), "@localhost") != 0)
				cf_list_add(&cfg->contact_emails,
				    &cfg->contact_n_emails,
				    xstrdup(cfg->smtp_mailboxes[i]));
}

/* Outbound mail comes from the first published address: replies to a
 * receipt reach the CERT. */
static void
cf_default_outbound_from(struct config *cfg)
{
	free(cfg->outbound_from);
	cfg->outbound_from = cfg->contact_n_emails > 0 ?
	    xstrdup(cfg->contact_emails[0]) : NULL;
}

/* Set key name from text with its own setter: a built-in default that
 * does not parse is a bug here. */
static void
cf_default_key(struct config *cfg, const char *name, const char *text)
{
	const struct cf_key	*k = cf_key_find(name);
	char			 why[CF_WHY_MAX];

	if (k == NULL || cf_types[k->type].set(cfg, k, text, why,
	    sizeof(why)) == -1)
		fatalx("config: bad built-in %s = %s", name, text);
}

static void
cf_default_listen(struct config_listen *l, const char *text)
{
	char	why[CF_WHY_MAX];

	if (cf_listen_parse(text, 0, l, why, sizeof(why)) == -1)
		fatalx("config: bad built-in listen address %s: %s", text, why);
}

void
config_defaults(struct config *cfg)
{
	cf_keys_check();
	memset(cfg, 0, sizeof(*cfg));
	cfg->data_dir = xstrdup("var");
	cfg->log_level = xstrdup("info");
	cfg->memory_budget = MEMORY_BUDGET_BYTES;
	cfg->tls_ciphers = xstrdup(CF_DEFAULT_CIPHERS);
	cfg->tls_handshake_timeout = TLS_HANDSHAKE_SECONDS;
	cfg->tls_handshake_rate = TLS_HANDSHAKES_PER_SECOND;

	cf_default_listen(&cfg->line_listen, "127.0.0.1:4119");
	cf_default_listen(&cfg->line_tls_listen, "127.0.0.1:4120");
	cfg->line_require_auth = 1;
	cfg->line_idle_timeout = LINE_IDLE_SECONDS;
	cfg->line_session_timeout = LINE_SESSION_SECONDS;
	cfg->line_auth_timeout = LINE_AUTH_SECONDS;
	cfg->line_max_sessions = LINE_MAX_SESSIONS;
	cfg->line_max_per_ip = LINE_MAX_PER_IP;

	cf_default_listen(&cfg->smtp_listen, "127.0.0.1:2525");
	cfg->smtp_hostname = cf_default_hostname();
	cf_default_mailboxes(cfg);
	cfg->smtp_max_message = SMTP_MESSAGE_MAX;
	cfg->smtp_max_recipients = SMTP_RCPT_MAX;
	cfg->smtp_idle_timeout = SMTP_IDLE_SECONDS;
	cfg->smtp_session_timeout = SMTP_SESSION_SECONDS;
	cfg->smtp_max_reports = SMTP_REPORTS_MAX;
	cfg->smtp_max_sessions = SMTP_MAX_SESSIONS;
	cfg->smtp_max_per_ip = SMTP_MAX_PER_IP;

	cf_default_listen(&cfg->http_listen, "127.0.0.1:8443");
	cf_default_public_url(cfg);
	cf_default_key(cfg, "http.metrics_from", "127.0.0.1, ::1");
	cfg->http_max_sessions = HTTPS_MAX_SESSIONS;
	cfg->http_max_per_ip = HTTPS_MAX_PER_IP;
	cfg->http_idle_timeout = HTTPS_IDLE_SECONDS;
	cfg->http_request_timeout = HTTPS_REQUEST_SECONDS;
	cfg->http_max_body = HTTPS_BODY_MAX;
	cfg->http_max_header_bytes = HTTPS_HEADER_BYTES_MAX;
	cfg->http_max_attachments = HTTPS_ATTACHMENTS_MAX;
	cfg->http_max_attachment_bytes = HTTPS_ATTACHMENT_BYTES_MAX;
	cfg->http_form_rate_per_ip = HTTPS_FORM_RATE_PER_IP;
	cfg->http_form_rate_per_address = HTTPS_FORM_RATE_PER_ADDRESS;

	cf_default_contact_emails(cfg);
	cfg->contact_expires = 365 * CF_DAY;
	cf_default_key(cfg, "contact.languages", "vi, en");

	cf_default_outbound_from(cfg);
	cfg->outbound_starttls = 1;
	cfg->outbound_receipts_per_address = CF_RECEIPTS_PER_ADDRESS;
	cfg->outbound_receipts_to = CONFIG_RECEIPTS_ALL;
	cfg->outbound_max_age = 5 * CF_DAY;
	cfg->outbound_retry_first = 30;

	cfg->verify_ttl = 72 * 3600;
	cfg->forward_min_severity = SEV_HIGH;
	cfg->triage_claim_ttl = 30 * 60;
	cfg->triage_session_idle = STAFF_SESSION_IDLE_SECONDS;
	cfg->triage_session_lifetime = STAFF_SESSION_LIFETIME_SECONDS;
	/* not checked against zoneinfo: a machine without tzdata still
	 * starts on the defaults */
	cfg->stats_timezone = xstrdup(CF_DEFAULT_TIMEZONE);

	cfg->dedup_window = CF_DAY;

	cfg->store_batch_max = STORE_BATCH_MAX;
	cfg->store_queue_max = STORE_QUEUE_MAX;
	cfg->store_max_bytes = 0;
}

void
config_free(struct config *cfg)
{
	size_t	i;

	for (i = 0; i < CF_NKEYS; i++)
		cf_types[cf_keys[i].type].free(cfg, &cf_keys[i]);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

/* ---- pass 1: reading the file ---- */

/* Record the first error: key "section.key" (may be NULL), at line (0 =
 * none). Returns -1. */
static int
cf_error(struct cf_parse *p, const char *key, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
cf_error(struct cf_parse *p, const char *key, int line, const char *fmt, ...)
{
	va_list	ap;

	if (p->why[0] != '\0')
		return -1;
	p->err_line = line;
	snprintf(p->err_key, sizeof(p->err_key), "%s", key ? key : "");
	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
	if (p->why[0] == '\0')
		snprintf(p->why, sizeof(p->why), "error");
	return -1;
}

/* fgets for inih that counts lines and stops (EOF) at an over-long one. */
static char *
cf_reader(char *str, int num, void *arg)
{
	struct cf_parse	*p = arg;
	size_t		 len;

	if (fgets(str, num, p->fp) == NULL)
		return NULL;
	p->lineno++;
	len = strlen(str);
	if (len > 0 && str[len - 1] != '\n' && !feof(p->fp)) {
		p->too_long = 1;
		return NULL;
	}
	return str;
}

/* inih handler: one "key = value" in [section]. Returns 1, or 0 after
 * recording why the line is refused. */
static int
cf_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct cf_parse		*p = arg;
	const struct cf_key	*k;
	char			 full[64], why[CF_WHY_MAX];
	int			 i;

	if (snprintf(full, sizeof(full), "%s%s%s", section,
	    *section != '\0' ? "." : "", name) >= (int)sizeof(full) ||
	    *section == '\0' || (k = cf_key_find(full)) == NULL) {
		cf_error(p, full, p->lineno, "unknown key%s",
		    *section == '\0' ? " (no [section] before it)" : "");
		return 0;
	}
	i = k - cf_keys;
	if (p->key_line[i] != 0) {
		cf_error(p, k->name, p->lineno,
		    "given twice (first on line %d)", p->key_line[i]);
		return 0;
	}
	p->key_line[i] = p->lineno;
	if (cf_types[k->type].set(p->cfg, k, value, why, sizeof(why)) == -1) {
		cf_error(p, k->name, p->lineno, "%s", why);
		return 0;
	}
	return 1;
}

/* Make inih read the way this file's header promises. These are process
 * globals of libinih; nothing else in intaked uses inih. */
static void
cf_ini_setup(void)
{
	static char	inline_prefixes[] = ";#";

	ini_allow_multiline = 0;
	ini_allow_inline_comments = 1;
	ini_inline_comment_prefixes = inline_prefixes;
	ini_stop_on_first_error = 1;
	ini_allow_no_value = 0;
	ini_use_stack = 0;
	ini_allow_realloc = 0;
	ini_initial_alloc = CF_LINE_MAX;
	ini_max_line = CF_LINE_MAX;
}

static int
cf_read(struct cf_parse *p)
{
	int	rc;

	if ((p->fp = fopen(p->path, "r")) == NULL)
		return cf_error(p, NULL, 0, "cannot open: %s",
		    strerror(errno));
	cf_ini_setup();
	rc = ini_parse_stream(cf_reader, p, cf_handler, p);
	if (ferror(p->fp))
		cf_error(p, NULL, 0, "read error: %s", strerror(errno));
	fclose(p->fp);
	p->fp = NULL;
	if (p->too_long)
		cf_error(p, NULL, p->lineno, "line longer than %d bytes",
		    CF_LINE_MAX - 3);
	if (rc == -2)
		cf_error(p, NULL, 0, "out of memory");
	else if (rc != 0)
		cf_error(p, NULL, rc,
		    "syntax error (want [section] or key = value)");
	return p->why[0] != '\0' ? -1 : 0;
}

/* ---- pass 2: checks across keys ---- */

static int
cf_line(const struct cf_parse *p, const char *name)
{
	const struct cf_key	*k = cf_key_find(name);

	if (k == NULL)
		fatalx("config: no key %s", name);
	return p->key_line[k - cf_keys];
}

static int
cf_check_readable(struct cf_parse *p, const char *name, const char *path)
{
	struct stat	st;
	int		fd;

	if (path == NULL)
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return cf_error(p, name, cf_line(p, name), "cannot read %s: %s",
		    path, strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return cf_error(p, name, cf_line(p, name),
		    "%s is not a regular file", path);
	}
	close(fd);
	return 0;
}

static int
cf_check_tls(struct cf_parse *p)
{
	struct config	*cfg = p->cfg;
	SSL_CTX		*ctx;
	int		 ok;

	if (cfg->tls_cert != NULL && cfg->tls_key == NULL)
		return cf_error(p, "tls.key", cf_line(p, "tls.cert"),
		    "cert given without key");
	if (cfg->tls_key != NULL && cfg->tls_cert == NULL)
		return cf_error(p, "tls.cert", cf_line(p, "tls.key"),
		    "key given without cert");
	if (cf_check_readable(p, "tls.cert", cfg->tls_cert) == -1 ||
	    cf_check_readable(p, "tls.key", cfg->tls_key) == -1)
		return -1;
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		return cf_error(p, "tls.ciphers", 0, "OpenSSL failed");
	ok = SSL_CTX_set_cipher_list(ctx, cfg->tls_ciphers);
	SSL_CTX_free(ctx);
	if (!ok)
		return cf_error(p, "tls.ciphers", cf_line(p, "tls.ciphers"),
		    "no usable cipher in \"%s\"", cfg->tls_ciphers);
	return 0;
}

/* Two listeners on one address would fail at bind time: say it now. */
static int
cf_check_listeners(struct cf_parse *p)
{
	size_t				 i, j;
	const struct config_listen	*a, *b;

	for (i = 0; i < CF_NKEYS; i++) {
		if (cf_keys[i].type != CF_LISTEN)
			continue;
		a = CF_CFIELD(p->cfg, &cf_keys[i], struct config_listen);
		for (j = i + 1; a->text != NULL && j < CF_NKEYS; j++) {
			if (cf_keys[j].type != CF_LISTEN)
				continue;
			b = CF_CFIELD(p->cfg, &cf_keys[j],
			    struct config_listen);
			if (b->text != NULL && strcmp(a->host, b->host) == 0 &&
			    strcmp(a->port, b->port) == 0)
				return cf_error(p, cf_keys[j].name,
				    cf_line(p, cf_keys[j].name),
				    "same address as %s", cf_keys[i].name);
		}
	}
	return 0;
}

/* n as cf_dump_size() prints it, into buf. */
static const char *
cf_size_text(long long n, char *buf, size_t len)
{
	static const long long	mult[] = { 1024LL * 1024 * 1024,
	    1024 * 1024, 1024 };
	static const char	units[] = "GMk";
	size_t			i;

	for (i = 0; units[i] != '\0'; i++)
		if (n != 0 && n % mult[i] == 0) {
			snprintf(buf, len, "%lld%c", n / mult[i], units[i]);
			return buf;
		}
	snprintf(buf, len, "%lld", n);
	return buf;
}

/* A form with all its files must fit in one request body. */
static int
cf_check_http(struct cf_parse *p)
{
	struct config	*cfg = p->cfg;
	char		 a[32], b[32];

	if (cfg->http_max_body - HTTPS_FORM_OVERHEAD >=
	    cfg->http_max_attachment_bytes)
		return 0;
	cf_size_text(HTTPS_FORM_OVERHEAD, b, sizeof(b));
	if (cf_line(p, "http.max_body") != 0)
		return cf_error(p, "http.max_body", cf_line(p, "http.max_body"),
		    "must hold max_attachment_bytes + %s for the form's "
		    "fields: at least %s", b, cf_size_text(
		    cfg->http_max_attachment_bytes + HTTPS_FORM_OVERHEAD, a,
		    sizeof(a)));
	return cf_error(p, "http.max_attachment_bytes",
	    cf_line(p, "http.max_attachment_bytes"),
	    "must leave %s of max_body for the form's fields: at most %s", b,
	    cf_size_text(cfg->http_max_body - HTTPS_FORM_OVERHEAD, a,
	    sizeof(a)));
}

/* 127.0.0.0/8, ::1 or localhost. */
static int
cf_is_loopback(const char *host)
{
	unsigned char	addr[16];

	if (strcmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, addr) == 1)
		return addr[0] == 127;
	return inet_pton(AF_INET6, host, addr) == 1 &&
	    IN6_IS_ADDR_LOOPBACK((struct in6_addr *)(void *)addr);
}

/* SMTP AUTH needs both halves, and a password goes over TLS unless the
 * smarthost is on this machine. */
static int
cf_check_outbound(struct cf_parse *p)
{
	struct config	*cfg = p->cfg;

	if (cfg->outbound_user != NULL && cfg->outbound_password == NULL)
		return cf_error(p, "outbound.password",
		    cf_line(p, "outbound.user"), "user given without password");
	if (cfg->outbound_password != NULL && cfg->outbound_user == NULL)
		return cf_error(p, "outbound.user",
		    cf_line(p, "outbound.password"),
		    "password given without user");
	if (cfg->outbound_password != NULL && !cfg->outbound_starttls &&
	    cfg->outbound_smarthost.host != NULL &&
	    !cf_is_loopback(cfg->outbound_smarthost.host))
		return cf_error(p, "outbound.starttls",
		    cf_line(p, "outbound.starttls"), "no would send the "
		    "password in clear to %s (only a loopback smarthost may "
		    "go without TLS)", cfg->outbound_smarthost.host);
	return 0;
}

/* Every forwarded category is one of the taxonomy the daemon will load:
 * [daemon] taxonomy, else the embedded copy. */
static int
cf_check_categories(struct cf_parse *p)
{
	struct config	*cfg = p->cfg;
	struct taxonomy	 tax;
	char		 why[CF_WHY_MAX], *buf = NULL;
	const char	*text = taxonomy_embedded;
	size_t		 i, len = taxonomy_embedded_len;
	int		 rc = 0;

	if (cfg->forward_n_categories == 0)
		return 0;
	if (cfg->taxonomy != NULL) {
		if ((buf = read_small_file(cfg->taxonomy, CF_TAXONOMY_MAX, &len,
		    why, sizeof(why))) == NULL)
			return cf_error(p, "daemon.taxonomy",
			    cf_line(p, "daemon.taxonomy"), "%s", why);
		text = buf;
	}
	if (taxonomy_parse(&tax, text, len, why, sizeof(why)) == -1) {
		rc = cf_error(p, "daemon.taxonomy",
		    cf_line(p, "daemon.taxonomy"), "%s: %s",
		    cfg->taxonomy != NULL ? cfg->taxonomy : "embedded copy",
		    why);
		free(buf);
		return rc;
	}
	free(buf);
	for (i = 0; i < cfg->forward_n_categories && rc == 0; i++)
		if (taxonomy_find(&tax, cfg->forward_categories[i],
		    strlen(cfg->forward_categories[i])) == NULL)
			rc = cf_error(p, "forward.categories",
			    cf_line(p, "forward.categories"),
			    "not in the taxonomy%s%s: %s",
			    cfg->taxonomy != NULL ? " " : "",
			    cfg->taxonomy != NULL ? cfg->taxonomy : "",
			    cfg->forward_categories[i]);
	taxonomy_free(&tax);
	return rc;
}

static int
cf_check(struct cf_parse *p)
{
	struct config	*cfg = p->cfg;

	/* defaults that follow other keys: the host name, the listener,
	 * the mailboxes */
	if (cfg->smtp_hostname == NULL)
		cfg->smtp_hostname = cf_default_hostname();
	if (cfg->smtp_n_mailboxes == 0 || cf_line(p, "smtp.mailboxes") == 0)
		cf_default_mailboxes(cfg);
	if (cfg->http_public_url == NULL || cf_line(p, "http.public_url") == 0)
		cf_default_public_url(cfg);
	if (cfg->contact_n_emails == 0 || cf_line(p, "contact.email") == 0)
		cf_default_contact_emails(cfg);
	if (cfg->outbound_from == NULL || cf_line(p, "outbound.from") == 0)
		cf_default_outbound_from(cfg);

	if (cfg->user != NULL && getpwnam(cfg->user) == NULL)
		return cf_error(p, "daemon.user", cf_line(p, "daemon.user"),
		    "no such user: %s", cfg->user);
	if (cf_check_readable(p, "daemon.taxonomy", cfg->taxonomy) == -1 ||
	    cf_check_tls(p) == -1 || cf_check_listeners(p) == -1 ||
	    cf_check_http(p) == -1 || cf_check_outbound(p) == -1)
		return -1;
	return cf_check_categories(p);
}

/*
 * Fill cfg from the defaults, then path, then check it all. cfg's previous
 * contents are not read (nor freed). On error, err holds one line naming
 * the file, the line when known and the key, and cfg is freed and zeroed.
 * Not thread-safe: inih's settings are process globals.
 */
int
config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	struct cf_parse	p;
	char		where[32] = "";

	cf_keys_check();
	config_defaults(cfg);
	if (path == NULL)
		return 0;
	cfg->path = xstrdup(path);
	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.path = path;
	if (cf_read(&p) == 0 && cf_check(&p) == 0)
		return 0;
	if (p.err_line > 0)
		snprintf(where, sizeof(where), ":%d", p.err_line);
	snprintf(err, errlen, "%s%s: %s%s%s", path, where, p.err_key,
	    p.err_key[0] != '\0' ? ": " : "", p.why);
	config_free(cfg);
	return -1;
}

/*
 * Print the effective configuration as an INI file that config_load()
 * reads back to the same values: every key, grouped by section.
 */
void
config_dump(const struct config *cfg, FILE *fp)
{
	const char	*dot, *prev = NULL;
	size_t		 i, seclen = 0;

	fprintf(fp, "# intaked effective configuration (%s)\n",
	    cfg->path != NULL ? cfg->path : "embedded defaults");
	for (i = 0; i < CF_NKEYS; i++) {
		dot = strchr(cf_keys[i].name, '.');
		if (prev == NULL || (size_t)(dot - cf_keys[i].name) != seclen ||
		    strncmp(prev, cf_keys[i].name, seclen) != 0) {
			prev = cf_keys[i].name;
			seclen = dot - prev;
			fprintf(fp, "\n[%.*s]\n", (int)seclen, prev);
		}
		fprintf(fp, "%s =", dot + 1);
		cf_types[cf_keys[i].type].dump(cfg, &cf_keys[i], fp);
	}
}

/* ---- access lists ---- */

/* Whether addr (4 or 16 bytes, as c's family) is inside c. */
static int
cf_cidr_contains(const struct config_cidr *c, const unsigned char *addr)
{
	int	full = c->prefix / 8, rest = c->prefix % 8;

	if (memcmp(c->addr, addr, full) != 0)
		return 0;
	return rest == 0 ||
	    ((c->addr[full] ^ addr[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

int
config_cidr_match(const struct config_cidr *list, size_t n,
    const struct sockaddr *sa)
{
	const struct in6_addr	*a6;
	const unsigned char	*v4 = NULL, *v6 = NULL;
	size_t			 i;

	if (sa->sa_family == AF_INET)
		v4 = (const unsigned char *)&((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6) {
		a6 = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		v6 = a6->s6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a6))
			v4 = v6 + 12;	/* an IPv4 client of a [::] listener */
	} else
		return 0;
	for (i = 0; i < n; i++) {
		if (list[i].family == AF_INET && v4 != NULL &&
		    cf_cidr_contains(&list[i], v4))
			return 1;
		if (list[i].family == AF_INET6 && v6 != NULL &&
		    cf_cidr_contains(&list[i], v6))
			return 1;
	}
	return 0;
}

/* The biggest taxonomy file read ([daemon] taxonomy). */
#define CF_TAXONOMY_FILE_MAX	(1024 * 1024)

int
config_load_taxonomy(const struct config *cfg, struct taxonomy *tax,
    char *err, size_t errlen)
{
	char	 why[256];
	char	*buf;
	size_t	 len;
	int	 rc;

	if (cfg->taxonomy == NULL) {
		if (taxonomy_parse(tax, taxonomy_embedded,
		    taxonomy_embedded_len, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "embedded taxonomy: %s", why);
			return -1;
		}
		return 0;
	}
	if ((buf = read_small_file(cfg->taxonomy, CF_TAXONOMY_FILE_MAX, &len,
	    err, errlen)) == NULL)
		return -1;
	rc = taxonomy_parse(tax, buf, len, why, sizeof(why));
	if (rc == -1)
		snprintf(err, errlen, "%s: %s", cfg->taxonomy, why);
	free(buf);
	return rc;
}
