/*
 * config.h - intaked's configuration: an INI file ([section], key = value,
 * '#' or ';' comments, also after a value when preceded by a space) parsed
 * once with inih and checked completely before anything starts.
 *
 * Every key has an embedded default (config_defaults), so the daemon runs
 * without a file. Errors read "FILE:LINE: key: why". Every key is
 * documented in conf/intaked.conf.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdio.h>

#include "taxonomy.h"		/* enum severity */

/* A listener, or (outbound smarthost) a server to connect to. */
struct config_listen {
	char	*text;		/* as written, e.g. "127.0.0.1:4119"; NULL = off */
	char	*host;		/* "127.0.0.1", "::1", "0.0.0.0"; a smarthost
				   may also be a DNS name (lower-cased) */
	char	*port;		/* "4119" */
};

/* An address or network of an access list ([http] metrics_from). */
struct config_cidr {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];	/* network byte order; 4 bytes for
					   AF_INET; host bits are zero */
	int		 prefix;	/* 0..32 or 0..128 */
};

/* [outbound] receipts_to */
enum config_receipts_to {
	CONFIG_RECEIPTS_ALL,		/* every usable reporter address */
	CONFIG_RECEIPTS_AUTHENTICATED	/* mail: DMARC or SPF pass only */
};

struct config {
	char	*path;			/* file loaded, NULL = embedded defaults */

	/* [daemon] */
	char	*data_dir;		/* "var" */
	char	*user;			/* drop to this user after binding; NULL = stay */
	char	*log_level;		/* error|warn|info|debug */
	char	*taxonomy;		/* path; NULL = embedded copy */
	long long memory_budget;		/* bytes held by sessions + store queue */

	/* [tls] */
	char	*tls_cert;		/* both NULL: self-signed in data_dir/tls */
	char	*tls_key;
	char	*tls_ciphers;		/* TLS 1.2 cipher list */
	long long tls_handshake_timeout;	/* seconds to finish a handshake */
	long long tls_handshake_rate;		/* handshakes/s per client address */

	/* [line] */
	struct config_listen line_listen;	/* 127.0.0.1:4119 */
	struct config_listen line_tls_listen;	/* 127.0.0.1:4120 */
	int	 line_require_auth;		/* yes */
	long long line_idle_timeout;		/* seconds */
	long long line_session_timeout;		/* seconds a session may last */
	long long line_auth_timeout;		/* seconds to AUTH (require_auth) */
	long long line_max_sessions;
	long long line_max_per_ip;

	/* [smtp] */
	struct config_listen smtp_listen;	/* 127.0.0.1:2525 */
	struct config_listen smtp_tls_listen;	/* off */
	char	*smtp_hostname;			/* default: gethostname() */
	char	**smtp_mailboxes;		/* lower-cased addresses */
	size_t	 smtp_n_mailboxes;
	long long smtp_max_message;		/* bytes */
	long long smtp_max_recipients;
	long long smtp_idle_timeout;
	long long smtp_session_timeout;
	long long smtp_max_reports;		/* reports kept from one message */
	long long smtp_max_sessions;
	long long smtp_max_per_ip;
	char	**smtp_trusted_upstreams;	/* authserv-ids whose Authentication-Results we keep */
	size_t	 smtp_n_trusted_upstreams;

	/* [http] */
	struct config_listen http_listen;	/* 127.0.0.1:8443 */
	char	*http_public_url;		/* as written; default
						   https://HOST:PORT/, NULL
						   when HTTPS is off */
	struct config_cidr *http_metrics_from;	/* may read /metrics; none:
						   nobody (config_cidr_match) */
	size_t	 http_n_metrics_from;
	long long http_max_sessions;
	long long http_max_per_ip;		/* IPv6: per /64 */
	long long http_idle_timeout;		/* seconds between requests */
	long long http_request_timeout;		/* seconds for head + body: 408 */
	long long http_max_body;		/* bytes: 413 */
	long long http_max_header_bytes;	/* bytes of the header section: 431 */
	long long http_max_attachments;		/* files in one form; 0 = none */
	long long http_max_attachment_bytes;	/* bytes of all its files */
	long long http_form_rate_per_ip;	/* reports / hour / client address */
	long long http_form_rate_per_address;	/* reports / hour / reporter-email */

	/* [contact] (the public contact points, security.txt) */
	char	*contact_organization;		/* UTF-8 text; NULL = not shown */
	char	**contact_emails;		/* in order of preference, lower-
						   cased; default from [smtp] */
	size_t	 contact_n_emails;
	char	*contact_phone;			/* NULL = not shown */
	char	*contact_hours;			/* NULL = not shown */
	char	*contact_encryption;		/* https:// URL or NULL */
	char	*contact_policy;		/* https:// URL or NULL */
	long long contact_expires;		/* seconds from now: Expires: */
	char	**contact_languages;		/* language tags, lower-cased */
	size_t	 contact_n_languages;

	/* [outbound] */
	struct config_listen outbound_smarthost; /* text NULL: mail stays queued */
	char	*outbound_from;			/* default: contact_emails[0] */
	int	 outbound_starttls;		/* yes */
	char	*outbound_user;			/* both or neither */
	char	*outbound_password;
	long long outbound_receipts_per_address;	/* per hour */
	enum config_receipts_to outbound_receipts_to;
	long long outbound_max_age;		/* seconds a message is retried */
	long long outbound_retry_first;		/* the first retry's delay; each
						   next one doubles, up to 1h */

	/* [verify] */
	long long verify_ttl;			/* seconds a link works */

	/* [forward] */
	char	*forward_to;			/* NULL: nothing is forwarded */
	char	**forward_categories;		/* taxonomy codes, lower-cased;
						   none: every category */
	size_t	 forward_n_categories;
	enum severity forward_min_severity;	/* SEV_UNSET: every severity */

	/* [triage] */
	long long triage_claim_ttl;		/* seconds a claim lasts */
	long long triage_session_idle;		/* a staff session unused */
	long long triage_session_lifetime;	/* a staff session in all */

	/* [stats] */
	char	*stats_timezone;		/* IANA name, "Asia/Ho_Chi_Minh" */

	/* [dedup] */
	long long dedup_window;			/* seconds, 24h */

	/* [store] */
	long long store_batch_max;
	long long store_queue_max;
	long long store_max_bytes;		/* 0 = no quota */
};

/* Fill cfg with the embedded defaults. */
void config_defaults(struct config *cfg);

/*
 * Load path over the defaults and validate everything. Returns 0, or -1 with
 * err = "FILE:LINE: key: why" (or "FILE: why" when the file is unreadable);
 * cfg is then freed and must not be used. config_load() starts by calling
 * config_defaults() itself: whatever cfg held before is overwritten, not
 * freed. path NULL gives the defaults alone.
 */
int config_load(struct config *cfg, const char *path, char *err, size_t errlen);

void config_free(struct config *cfg);

/*
 * The taxonomy cfg names ([daemon] taxonomy), else the embedded copy, into
 * tax (freed with taxonomy_free). 0, or -1 with err filled.
 */
struct taxonomy;
int config_load_taxonomy(const struct config *cfg, struct taxonomy *tax,
    char *err, size_t errlen);

/*
 * Print the effective configuration to fp as an INI file that config_load()
 * reads back to the same values (intaked -n -v).
 */
void config_dump(const struct config *cfg, FILE *fp);

/*
 * Whether the address sa (AF_INET or AF_INET6; an IPv4-mapped IPv6 address
 * counts as its IPv4 address) is in list[0..n). 0 for any other family.
 */
int config_cidr_match(const struct config_cidr *list, size_t n,
    const struct sockaddr *sa);

#endif
