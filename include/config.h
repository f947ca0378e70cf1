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

#include <stddef.h>
#include <stdio.h>

struct config_listen {
	char	*text;		/* as written, e.g. "127.0.0.1:4119"; NULL = off */
	char	*host;		/* "127.0.0.1", "::1", "0.0.0.0" */
	char	*port;		/* "4119" */
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
	char	*http_public_url;

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
 * Print the effective configuration to fp as an INI file that config_load()
 * reads back to the same values (intaked -n -v).
 */
void config_dump(const struct config *cfg, FILE *fp);

#endif
