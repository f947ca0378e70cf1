/*
 * intakectl.c - the operator's tool (README "intakectl"): partner tokens,
 * the triage queue, one report or incident, evidence, exports, the
 * statistics, the audit trail, and a consistent backup and a check of the
 * database, on the database in the configured data_dir, whether intaked
 * runs or not.
 *
 *	intakectl [-c FILE] token add NAME --role submitter|triage|admin
 *	intakectl [-c FILE] token list [--json]
 *	intakectl [-c FILE] token revoke NAME
 *	intakectl [-c FILE] queue [--status S] [--all] [--json]
 *	intakectl [-c FILE] show ID [--json]
 *	intakectl [-c FILE] evidence IR-...
 *	intakectl [-c FILE] claim|release IN-... --as NAME
 *	intakectl [-c FILE] status IN-... STATUS [--note TEXT] --as NAME
 *	intakectl [-c FILE] merge IN-... --into IN-... [--as NAME]
 *	intakectl [-c FILE] export --format jsonl|csv|iodef [--since T] [--until T]
 *	intakectl [-c FILE] stats --period 2026Q4|2026H2|2026 [--json]
 *	intakectl [-c FILE] audit [--incident IN-...] [--since T] [--limit N] [--json]
 *	intakectl [-c FILE] backup FILE
 *	intakectl [-c FILE] check [--json]
 *	intakectl [-c FILE] parse FILE [--json]	(no database: ctl_parse.c)
 *
 * Exit status: 0 done; 1 not found or bad usage; 2 any other error (the
 * database, the configuration, a name already taken, a check that found
 * problems); 3 a triage change refused (the incident is claimed by
 * someone else, or the lifecycle forbids the transition). Errors are one line on stderr. Machine output (--json) is one
 * JSON object per line. The secret of a new token is printed once, alone
 * on stdout, and only its SHA-256 is kept. Run as root with [daemon] user
 * set, it works as that user, so the files it creates belong to the
 * daemon.
 *
 * Writes (tokens, the audit row of an evidence read, triage changes) run
 * in intakectl's own transactions on its own connection, with the same
 * SQL as intaked's (triage.h); intaked's writer and intakectl take
 * SQLite's write lock in turn. A triage change is made in the name given
 * with --as (the analyst: claims are held by name), from
 * "intakectl:USER".
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "config.h"
#include "ctl_parse.h"
#include "export.h"
#include "lifecycle.h"
#include "stats.h"
#include "store.h"
#include "store_read.h"
#include "taxonomy.h"
#include "triage.h"
#include "tzif.h"
#include "util.h"
#include "../gateway/store_sql.h"

#define CTL_OK		0
#define CTL_NOTFOUND	1
#define CTL_USAGE	1
#define CTL_ERROR	2
#define CTL_REFUSED	3

/* Options a command accepts. */
#define OPT_JSON	0x001
#define OPT_ALL		0x002
#define OPT_STATUS	0x004
#define OPT_ROLE	0x008
#define OPT_FORMAT	0x010
#define OPT_SINCE	0x020
#define OPT_UNTIL	0x040
#define OPT_PERIOD	0x080
#define OPT_INCIDENT	0x100
#define OPT_LIMIT	0x200
#define OPT_AS		0x400
#define OPT_NOTE	0x800
#define OPT_INTO	0x1000
#define OPT_NODB	0x2000	/* opens no database: run gets NULL */

#define CTL_POS_MAX	2

struct ctl_args {
	const char	*pos[CTL_POS_MAX];
	int		 npos;
	const char	*role;
	const char	*status;
	const char	*format;
	const char	*since;
	const char	*until;
	const char	*period;
	const char	*incident;
	const char	*limit;
	const char	*as;
	const char	*note;
	const char	*into;
	int		 json;
	int		 all;
	const char	*conf;		/* -c FILE, or NULL */
};

/* The options that take a value, and where it goes. */
static const struct {
	const char	*name;
	unsigned	 bit;
	size_t		 off;
} ctl_valued[] = {
	{ "--role", OPT_ROLE, offsetof(struct ctl_args, role) },
	{ "--status", OPT_STATUS, offsetof(struct ctl_args, status) },
	{ "--format", OPT_FORMAT, offsetof(struct ctl_args, format) },
	{ "--since", OPT_SINCE, offsetof(struct ctl_args, since) },
	{ "--until", OPT_UNTIL, offsetof(struct ctl_args, until) },
	{ "--period", OPT_PERIOD, offsetof(struct ctl_args, period) },
	{ "--incident", OPT_INCIDENT, offsetof(struct ctl_args, incident) },
	{ "--limit", OPT_LIMIT, offsetof(struct ctl_args, limit) },
	{ "--as", OPT_AS, offsetof(struct ctl_args, as) },
	{ "--note", OPT_NOTE, offsetof(struct ctl_args, note) },
	{ "--into", OPT_INTO, offsetof(struct ctl_args, into) },
};

/* What a command works with: the database, and the configuration. */
struct ctl {
	struct config		 cfg;
	char			 path[4096];	/* the database */
	struct store_read	*rd;
	struct store_sql	*w;		/* for writes, opened when needed */
	struct taxonomy		 tax;		/* loaded when needed */
	int			 have_tax;
	struct tzif		 tz;		/* [stats] timezone, when needed */
	int			 have_tz;
};

struct ctl_cmd {
	const char	*word1;
	const char	*word2;		/* NULL: one-word command */
	int		 npos;		/* positional arguments required */
	unsigned int	 opts;
	unsigned int	 required;	/* options that must be given */
	int		(*run)(struct ctl *, const struct ctl_args *);
};

static int	ctl_token_add(struct ctl *, const struct ctl_args *);
static int	ctl_token_list(struct ctl *, const struct ctl_args *);
static int	ctl_token_revoke(struct ctl *, const struct ctl_args *);
static int	ctl_queue(struct ctl *, const struct ctl_args *);
static int	ctl_show(struct ctl *, const struct ctl_args *);
static int	ctl_evidence(struct ctl *, const struct ctl_args *);
static int	ctl_export(struct ctl *, const struct ctl_args *);
static int	ctl_stats(struct ctl *, const struct ctl_args *);
static int	ctl_audit(struct ctl *, const struct ctl_args *);
static int	ctl_backup(struct ctl *, const struct ctl_args *);
static int	ctl_check(struct ctl *, const struct ctl_args *);
static int	ctl_outbox(struct ctl *, const struct ctl_args *);
static int	ctl_parse(struct ctl *, const struct ctl_args *);
static int	ctl_claim(struct ctl *, const struct ctl_args *);
static int	ctl_release(struct ctl *, const struct ctl_args *);
static int	ctl_set_status(struct ctl *, const struct ctl_args *);
static int	ctl_merge(struct ctl *, const struct ctl_args *);

static const struct ctl_cmd ctl_cmds[] = {
	{ "token", "add", 1, OPT_ROLE, OPT_ROLE, ctl_token_add },
	{ "token", "list", 0, OPT_JSON, 0, ctl_token_list },
	{ "token", "revoke", 1, 0, 0, ctl_token_revoke },
	{ "queue", NULL, 0, OPT_JSON | OPT_ALL | OPT_STATUS, 0, ctl_queue },
	{ "show", NULL, 1, OPT_JSON, 0, ctl_show },
	{ "evidence", NULL, 1, 0, 0, ctl_evidence },
	{ "claim", NULL, 1, OPT_AS, OPT_AS, ctl_claim },
	{ "release", NULL, 1, OPT_AS, OPT_AS, ctl_release },
	{ "status", NULL, 2, OPT_AS | OPT_NOTE, OPT_AS, ctl_set_status },
	{ "merge", NULL, 1, OPT_INTO | OPT_AS, OPT_INTO, ctl_merge },
	{ "export", NULL, 0, OPT_FORMAT | OPT_SINCE | OPT_UNTIL, OPT_FORMAT,
	    ctl_export },
	{ "stats", NULL, 0, OPT_PERIOD | OPT_JSON, OPT_PERIOD, ctl_stats },
	{ "audit", NULL, 0, OPT_INCIDENT | OPT_SINCE | OPT_LIMIT | OPT_JSON, 0,
	    ctl_audit },
	{ "backup", NULL, 1, 0, 0, ctl_backup },
	{ "check", NULL, 0, OPT_JSON, 0, ctl_check },
	{ "outbox", NULL, 0, OPT_JSON | OPT_ALL, 0, ctl_outbox },
	{ "parse", NULL, 1, OPT_JSON | OPT_NODB, 0, ctl_parse },
};

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

static void
ctl_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: intakectl [-c FILE] COMMAND ...\n"
	    "  token add NAME --role submitter|triage|admin\n"
	    "                      new token; printed once, only its hash is kept\n"
	    "  token list [--json] tokens, their roles, created and revoked times\n"
	    "  token revoke NAME   the token stops working at once\n"
	    "  queue [--status S] [--all] [--json]\n"
	    "                      incidents, newest first; by default verified\n"
	    "                      open ones; --all: every one\n"
	    "  show ID [--json]    a report (IR-...) or an incident (IN-...)\n"
	    "  evidence IR-...     the report's submission exactly as received\n"
	    "                      (e.g. the whole e-mail) on standard output;\n"
	    "                      the read is written to the audit trail\n"
	    "  claim IN-... --as NAME\n"
	    "  release IN-... --as NAME\n"
	    "                      take or give back an incident's claim\n"
	    "                      ([triage] claim_ttl)\n"
	    "  status IN-... STATUS [--note TEXT] --as NAME\n"
	    "                      move an incident in its lifecycle\n"
	    "  merge IN-... --into IN-... [--as NAME]\n"
	    "                      move every report into another incident\n"
	    "  export --format jsonl|csv|iodef [--since T] [--until T]\n"
	    "                      incidents first reported in [T, T) on standard\n"
	    "                      output, with their reports and RSIT labels\n"
	    "  stats --period 2026Q4|2026H2|2026 [--json]\n"
	    "                      the Mau 05 statistics of a quarter, half, year\n"
	    "  audit [--incident IN-...] [--since T] [--limit N] [--json]\n"
	    "                      the audit trail, oldest first (last 100)\n"
	    "  backup FILE         a consistent copy of the database, while\n"
	    "                      intaked runs\n"
	    "  check [--json]      integrity and schema version of the database\n"
	    "  outbox [--all] [--json]\n"
	    "                      outbound mail waiting or failed, its attempts\n"
	    "                      and the relay's last answer; --all: sent too\n"
	    "  parse FILE [--json] what the mailbox would store of the message\n"
	    "                      in FILE (- for standard input) and why;\n"
	    "                      nothing is stored\n"
	    "statuses: new, triaged, in-progress, resolved, rejected, closed, merged\n"
	    "times T: RFC 3339 (2026-11-21T08:00:00Z) or a date (2026-11-21,\n"
	    "midnight in [stats] timezone)\n"
	    "-c FILE: intaked's configuration (default: the built-in one,\n"
	    "data in ./var); the database is DATA_DIR/" STORE_DB_FILE "\n"
	    "exit status: 0 done, 1 not found or usage, 2 error, 3 refused\n"
	    "(claimed by someone else, or a transition the lifecycle forbids)\n");
}

static void
ctl_err(const char *what)
{
	fprintf(stderr, "intakectl: %s\n", what);
}

/* parse FILE: the mail parser on one message, nothing stored. */
static int
ctl_parse(struct ctl *ctl, const struct ctl_args *a)
{
	(void)ctl;
	return ctl_parse_file(a->conf, a->pos[0], a->json);
}

/*
 * Parse the words after the command into a: options in opts, and exactly
 * npos positionals. Options may come before or after positionals, as
 * "--role R" or "--role=R". Returns 0, or -1 with a message printed.
 */
static int
ctl_parse_args(int argc, char **argv, const struct ctl_cmd *cmd,
    struct ctl_args *a)
{
	const char	*arg, *val = NULL;
	size_t		 n, k;
	int		 i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < argc; i++) {
		arg = argv[i];
		if (arg[0] != '-' || arg[1] == '\0') {
			if (a->npos >= cmd->npos) {
				fprintf(stderr, "intakectl: unexpected "
				    "argument \"%s\"\n", arg);
				return -1;
			}
			a->pos[a->npos++] = arg;
			continue;
		}
		if ((cmd->opts & OPT_JSON) && strcmp(arg, "--json") == 0) {
			a->json = 1;
			continue;
		}
		if ((cmd->opts & OPT_ALL) && strcmp(arg, "--all") == 0) {
			a->all = 1;
			continue;
		}
		n = strcspn(arg, "=");
		for (k = 0; k < nitems(ctl_valued); k++)
			if ((cmd->opts & ctl_valued[k].bit) &&
			    strlen(ctl_valued[k].name) == n &&
			    strncmp(arg, ctl_valued[k].name, n) == 0)
				break;
		if (k == nitems(ctl_valued)) {
			fprintf(stderr, "intakectl: unknown option \"%s\"\n",
			    arg);
			return -1;
		}
		val = arg[n] ? arg + n + 1 : argv[++i];
		if (val == NULL) {
			fprintf(stderr, "intakectl: %.*s needs a value\n",
			    (int)n, arg);
			return -1;
		}
		*(const char **)((char *)a + ctl_valued[k].off) = val;
	}
	if (a->npos < cmd->npos) {
		ctl_err("missing argument (see intakectl --help)");
		return -1;
	}
	for (k = 0; k < nitems(ctl_valued); k++)
		if ((cmd->required & ctl_valued[k].bit) &&
		    *(const char **)((char *)a + ctl_valued[k].off) == NULL) {
			fprintf(stderr, "intakectl: %s is required (see "
			    "intakectl --help)\n", ctl_valued[k].name);
			return -1;
		}
	return 0;
}

/* Map a store_read result to an exit status, printing err when needed. */
static int
ctl_status(int rc, const char *err)
{
	switch (rc) {
	case STORE_READ_OK:
		return CTL_OK;
	case STORE_READ_NOTFOUND:
		ctl_err(err);
		return CTL_NOTFOUND;
	case STORE_READ_INVALID:
		ctl_err(err);
		return CTL_USAGE;
	default:
		ctl_err(err);
		return CTL_ERROR;
	}
}

/* Who is acting, for the audit log: "intakectl:USER". */
static void
ctl_actor(char *buf, size_t len)
{
	struct passwd	*pw = getpwuid(getuid());

	if (pw != NULL)
		snprintf(buf, len, "intakectl:%s", pw->pw_name);
	else
		snprintf(buf, len, "intakectl:uid=%u", (unsigned)getuid());
}

static int
ctl_token_add(struct ctl *ctl, const struct ctl_args *a)
{
	char	secret[64], actor[128], err[256];
	int	rc;

	if (token_generate(secret, sizeof(secret)) == -1) {
		ctl_err("cannot generate a token: no randomness");
		return CTL_ERROR;
	}
	ctl_actor(actor, sizeof(actor));
	rc = store_read_token_add(ctl->rd, a->pos[0], a->role, secret, actor, err,
	    sizeof(err));
	if (rc == STORE_READ_OK) {
		printf("%s\n", secret);
		fprintf(stderr, "token %s (%s) added; it is shown only this "
		    "once\n", a->pos[0], a->role);
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	return ctl_status(rc, err);
}

static int
ctl_token_revoke(struct ctl *ctl, const struct ctl_args *a)
{
	char	actor[128], err[256];
	int	rc, already;

	ctl_actor(actor, sizeof(actor));
	rc = store_read_token_revoke(ctl->rd, a->pos[0], actor, &already, err,
	    sizeof(err));
	if (rc == STORE_READ_OK)
		printf("token %s %s\n", a->pos[0],
		    already ? "was already revoked" : "revoked");
	return ctl_status(rc, err);
}

/*
 * Print len bytes of s with control characters shown as '?' (stored text
 * never reaches a terminal raw), padded with spaces to width.
 */
static void
ctl_put_range(const char *s, size_t len, size_t width)
{
	size_t	i;

	for (i = 0; i < len; i++)
		putchar((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i]);
	for (; i < width; i++)
		putchar(' ');
}

static void
ctl_put_text(const char *s, size_t width)
{
	ctl_put_range(s, strlen(s), width);
}

static const char *
ctl_str(json_t *obj, const char *key, const char *dflt)
{
	const char	*s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : dflt;
}

/* One JSON object per line. */
static int
ctl_json_lines(json_t *list)
{
	json_t	*item;
	size_t	 i;

	json_array_foreach(list, i, item) {
		if (json_dumpf(item, stdout, JSON_COMPACT) == -1)
			return -1;
		putchar('\n');
	}
	return 0;
}

static int
ctl_token_list(struct ctl *ctl, const struct ctl_args *a)
{
	json_t	*list, *t;
	size_t	 i;
	char	 err[256];
	int	 rc;

	if ((rc = store_read_token_list(ctl->rd, &list, err, sizeof(err))) != 0)
		return ctl_status(rc, err);
	if (a->json)
		ctl_json_lines(list);
	else {
		printf("%-24s %-10s %-21s %s\n", "NAME", "ROLE", "CREATED",
		    "REVOKED");
		json_array_foreach(list, i, t) {
			ctl_put_text(ctl_str(t, "name", "?"), 24);
			printf(" %-10s %-21s %s\n", ctl_str(t, "role", "?"),
			    ctl_str(t, "created_at", "-"),
			    ctl_str(t, "revoked_at", "-"));
		}
	}
	json_decref(list);
	return CTL_OK;
}

/* The first indicator of an incident as "type value", for the table. */
static void
ctl_put_summary(json_t *inc)
{
	json_t	*ind = json_array_get(json_object_get(inc, "indicators"), 0);
	char	 buf[48];
	size_t	 n;

	if (ind == NULL)
		return;
	snprintf(buf, sizeof(buf), "%s %s", ctl_str(ind, "type", ""),
	    ctl_str(ind, "value", ""));
	n = json_array_size(json_object_get(inc, "indicators"));
	ctl_put_text(buf, 0);
	if (n > 1)
		printf(" (+%zu)", n - 1);
}

static int
ctl_queue(struct ctl *ctl, const struct ctl_args *a)
{
	struct store_queue_filter	 f;
	json_t				*list, *inc;
	size_t				 i;
	char				 err[256];
	int				 rc;

	memset(&f, 0, sizeof(f));
	f.status = a->status;
	f.all = a->all;
	if ((rc = store_read_queue(ctl->rd, &f, &list, err, sizeof(err))) != 0)
		return ctl_status(rc, err);
	if (a->json) {
		ctl_json_lines(list);
		json_decref(list);
		return CTL_OK;
	}
	printf("%-19s %-11s %-8s %-3s %7s %-20s %-16s %s\n", "INCIDENT",
	    "STATUS", "SEVERITY", "VER", "REPORTS", "LAST SEEN", "CATEGORY",
	    "FIRST INDICATOR");
	json_array_foreach(list, i, inc) {
		printf("%-19s %-11s %-8s %-3s %7lld %-20s %-16s ",
		    ctl_str(inc, "id", "?"), ctl_str(inc, "status", "?"),
		    ctl_str(inc, "severity", "?"),
		    json_is_true(json_object_get(inc, "verified")) ? "yes" :
		    "no", (long long)json_integer_value(json_object_get(inc,
		    "reports")), ctl_str(inc, "last_seen", "?"),
		    ctl_str(inc, "category", "?"));
		ctl_put_summary(inc);
		putchar('\n');
	}
	if (json_array_size(list) == 0)
		fprintf(stderr, "no incident%s\n", a->all ? "" :
		    " waiting (--all shows unverified and closed ones)");
	json_decref(list);
	return CTL_OK;
}

/* The outbox: waiting and failed mail (--all: sent too), last answer. */
static int
ctl_outbox(struct ctl *ctl, const struct ctl_args *a)
{
	json_t	*list, *m;
	size_t	 i;
	char	 err[256];
	int	 rc;

	if ((rc = store_read_outbox(ctl->rd, a->all, &list, err,
	    sizeof(err))) != 0)
		return ctl_status(rc, err);
	if (a->json) {
		ctl_json_lines(list);
		json_decref(list);
		return CTL_OK;
	}
	printf("%-6s %-7s %-6s %-20s %-8s %-20s %-28s %s\n", "ID", "KIND",
	    "STATE", "CREATED", "ATTEMPTS", "NEXT", "TO", "LAST ANSWER");
	json_array_foreach(list, i, m) {
		printf("%-6lld %-7s %-6s %-20s %8lld %-20s ",
		    (long long)json_integer_value(json_object_get(m, "id")),
		    ctl_str(m, "kind", "?"), ctl_str(m, "state", "?"),
		    ctl_str(m, "created_at", "-"),
		    (long long)json_integer_value(json_object_get(m,
		    "attempts")), strcmp(ctl_str(m, "state", ""), "queued") ==
		    0 ? ctl_str(m, "next_attempt", "-") : "-");
		ctl_put_text(ctl_str(m, "rcpt", "?"), 28);
		putchar(' ');
		ctl_put_text(ctl_str(m, "last_reply", "-"), 0);
		putchar('\n');
	}
	if (json_array_size(list) == 0)
		fprintf(stderr, "the outbox is empty%s\n", a->all ? "" :
		    " (--all shows sent mail)");
	json_decref(list);
	return CTL_OK;
}

/* A scalar for humans: strings as they are, null as "-", bools yes/no. */
static void
ctl_put_scalar(json_t *v, int indent)
{
	const char	*s, *nl;

	if (json_is_string(v)) {
		/* continuation lines of a description line up under it */
		for (s = json_string_value(v); (nl = strchr(s, '\n')) != NULL;
		    s = nl + 1) {
			ctl_put_range(s, nl - s, 0);
			printf("\n%*s", indent, "");
		}
		ctl_put_text(s, 0);
	} else if (json_is_null(v))
		putchar('-');
	else if (json_is_boolean(v))
		fputs(json_is_true(v) ? "yes" : "no", stdout);
	else if (json_is_integer(v))
		printf("%lld", (long long)json_integer_value(v));
	else
		json_dumpf(v, stdout, JSON_COMPACT);
}

/* An object inside a list, on one line: "type value" or "k=v k=v". */
static void
ctl_put_item(json_t *item, int indent)
{
	const char	*key;
	json_t		*v;
	int		 first = 1;

	if (!json_is_object(item)) {
		ctl_put_scalar(item, indent);
		return;
	}
	if (json_object_size(item) == 2 && json_object_get(item, "type") &&
	    json_object_get(item, "value")) {
		printf("%s ", ctl_str(item, "type", "?"));
		ctl_put_text(ctl_str(item, "value", "?"), 0);
		return;
	}
	json_object_foreach(item, key, v) {
		printf("%s%s=", first ? "" : " ", key);
		ctl_put_scalar(v, indent);
		first = 0;
	}
}

/* Every member of obj as "key: value", lists one item a line. */
static void
ctl_put_object(json_t *obj, int indent)
{
	const char	*key;
	json_t		*v, *item;
	size_t		 i;
	int		 col = indent + 18, klen;

	json_object_foreach(obj, key, v) {
		if (json_is_object(v)) {
			printf("%*s%s:\n", indent, "", key);
			ctl_put_object(v, indent + 2);
			continue;
		}
		klen = (int)strlen(key);
		printf("%*s%s:%*s", indent, "", key,
		    klen < 16 ? 17 - klen : 1, "");
		if (!json_is_array(v)) {
			ctl_put_scalar(v, col);
			putchar('\n');
			continue;
		}
		if (json_array_size(v) == 0)
			putchar('-');
		json_array_foreach(v, i, item) {
			if (i > 0)
				printf("\n%*s", col, "");
			ctl_put_item(item, col);
		}
		putchar('\n');
	}
}

static int
ctl_show(struct ctl *ctl, const struct ctl_args *a)
{
	json_t	*obj;
	char	 err[256];
	int	 rc;

	if ((rc = store_read_show(ctl->rd, a->pos[0], &obj, err,
	    sizeof(err))) != 0)
		return ctl_status(rc, err);
	if (a->json) {
		json_dumpf(obj, stdout, JSON_COMPACT);
		putchar('\n');
	} else
		ctl_put_object(obj, 0);
	json_decref(obj);
	return CTL_OK;
}

static int
ctl_write_stdout(const void *buf, size_t len, void *arg)
{
	if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0)
		return -1;
	return 0;
}

/* Who is acting and from where, for the audit trail. */
static void
ctl_triage_actor(struct triage_actor *a)
{
	char	name[128];

	ctl_actor(name, sizeof(name));
	triage_actor_set(a, name, "local");
}

/* The writer's connection, opened on first use. NULL with a message. */
static struct store_sql *
ctl_writer(struct ctl *ctl)
{
	struct sqlite3	*db;
	char		 err[1024];

	if (ctl->w != NULL)
		return ctl->w;
	if ((db = store_sql_open(ctl->path, 0, err, sizeof(err))) == NULL ||
	    (ctl->w = store_sql_new(db, ctl->cfg.dedup_window, err,
	    sizeof(err))) == NULL) {
		ctl_err(err);
		return NULL;
	}
	return ctl->w;
}

/*
 * Run a change (triage.h) in a transaction of ours and commit it. 0, or
 * CTL_ERROR with a message printed. job is freed by the caller.
 */
static int
ctl_apply(struct ctl *ctl, struct store_job *job)
{
	struct store_sql	*w;
	char			 msg[512];

	if ((w = ctl_writer(ctl)) == NULL)
		return CTL_ERROR;
	if (store_sql_apply(w, job, time(NULL)) == -1) {
		snprintf(msg, sizeof(msg), "database: %s", store_sql_errmsg(w));
		ctl_err(msg);
		return CTL_ERROR;
	}
	return CTL_OK;
}

static int
ctl_evidence(struct ctl *ctl, const struct ctl_args *a)
{
	struct triage_actor	 actor;
	struct triage_evidence	*t;
	struct store_job	*job;
	char			 err[256];
	int			 rc;

	if (strncasecmp(a->pos[0], "IR-", 3) != 0 ||
	    strlen(a->pos[0]) >= STORE_ID_MAX) {
		fprintf(stderr, "intakectl: \"%s\": not a report ID (IR-...)\n",
		    a->pos[0]);
		return CTL_USAGE;
	}
	/* the read is in the audit trail before any byte is shown */
	ctl_triage_actor(&actor);
	job = triage_evidence_job(&actor, a->pos[0]);
	if ((rc = ctl_apply(ctl, job)) != CTL_OK) {
		store_job_free(job);
		return rc;
	}
	t = job->change_arg;
	if (t->res.rc != TRIAGE_OK) {
		ctl_err(t->res.why);
		store_job_free(job);
		return CTL_NOTFOUND;
	}
	store_job_free(job);
	if ((rc = store_read_evidence(ctl->rd, a->pos[0], ctl_write_stdout,
	    NULL, err, sizeof(err))) != 0)
		return ctl_status(rc, err);
	return CTL_OK;
}

/*
 * A triage change on a.pos[0] in the name of --as (or intakectl:USER),
 * from "intakectl:USER"; NULL with a message for a bad ID or name.
 */
static struct triage_change *
ctl_change(const struct ctl_args *a, enum triage_op op)
{
	struct triage_actor	 actor;
	char			 user[128];

	if (strncasecmp(a->pos[0], "IN-", 3) != 0 ||
	    strlen(a->pos[0]) >= STORE_ID_MAX) {
		fprintf(stderr, "intakectl: \"%s\": not an incident ID "
		    "(IN-...)\n", a->pos[0]);
		return NULL;
	}
	if (a->as != NULL && !store_read_token_name_valid(a->as)) {
		fprintf(stderr, "intakectl: --as: \"%s\" is not a name (1 to "
		    "%d of A-Z a-z 0-9 . _ -)\n", a->as,
		    STORE_TOKEN_NAME_MAX);
		return NULL;
	}
	ctl_actor(user, sizeof(user));
	triage_actor_set(&actor, a->as != NULL ? a->as : user, user);
	return triage_change_new(op, &actor, a->pos[0]);
}

/* Run change c; print its refusal. The exit status. */
static int
ctl_run_change(struct ctl *ctl, struct triage_change *c, void (*ok)(
    const struct triage_change *))
{
	struct store_job	*job;
	char			 when[32];
	int			 rc;

	/* a status change to triaged may send it on, as in intaked */
	c->cfg = &ctl->cfg;
	job = triage_job(c);
	if ((rc = ctl_apply(ctl, job)) != CTL_OK) {
		store_job_free(job);
		return rc;
	}
	switch (c->res.rc) {
	case TRIAGE_OK:
		ok(c);
		rc = CTL_OK;
		break;
	case TRIAGE_NOTFOUND:
		ctl_err(c->res.why);
		rc = CTL_NOTFOUND;
		break;
	case TRIAGE_INVALID:
		ctl_err(c->res.why);
		rc = CTL_USAGE;
		break;
	case TRIAGE_CONFLICT:
		if (c->claimed_by[0] != '\0') {
			format_time_utc((time_t)c->claim_expires, when,
			    sizeof(when));
			fprintf(stderr, "intakectl: %s (until %s)\n",
			    c->res.why, when);
		} else
			ctl_err(c->res.why);
		rc = CTL_REFUSED;
		break;
	}
	store_job_free(job);
	return rc;
}

static void
ctl_claimed(const struct triage_change *c)
{
	char	when[32];

	format_time_utc((time_t)c->claim_expires, when, sizeof(when));
	printf("%s claimed by %s until %s\n", c->incident, c->claimed_by,
	    when);
}

static void
ctl_released(const struct triage_change *c)
{
	printf("%s released\n", c->incident);
}

static void
ctl_status_set(const struct triage_change *c)
{
	printf("%s: %s -> %s\n", c->incident, c->from,
	    lifecycle_status_name(c->status));
}

static void
ctl_merged(const struct triage_change *c)
{
	printf("%s merged into %s (%lld reports moved)\n", c->incident,
	    c->into, c->moved);
}

static int
ctl_claim(struct ctl *ctl, const struct ctl_args *a)
{
	struct triage_change	*c;

	if ((c = ctl_change(a, TRIAGE_CLAIM)) == NULL)
		return CTL_USAGE;
	c->ttl = ctl->cfg.triage_claim_ttl;
	return ctl_run_change(ctl, c, ctl_claimed);
}

static int
ctl_release(struct ctl *ctl, const struct ctl_args *a)
{
	struct triage_change	*c;

	if ((c = ctl_change(a, TRIAGE_RELEASE)) == NULL)
		return CTL_USAGE;
	return ctl_run_change(ctl, c, ctl_released);
}

static int
ctl_set_status(struct ctl *ctl, const struct ctl_args *a)
{
	struct triage_change	*c;
	int			 st;

	if ((st = lifecycle_status_parse(a->pos[1])) == -1) {
		fprintf(stderr, "intakectl: \"%s\": not a status (new, "
		    "triaged, in-progress, resolved, rejected, closed)\n",
		    a->pos[1]);
		return CTL_USAGE;
	}
	if (a->note != NULL && strlen(a->note) > TRIAGE_NOTE_MAX) {
		ctl_err("--note: at most 4096 bytes");
		return CTL_USAGE;
	}
	if ((c = ctl_change(a, TRIAGE_STATUS)) == NULL)
		return CTL_USAGE;
	c->status = st;
	if (a->note != NULL)
		c->note = xstrdup(a->note);
	return ctl_run_change(ctl, c, ctl_status_set);
}

static int
ctl_merge(struct ctl *ctl, const struct ctl_args *a)
{
	struct triage_change	*c;
	size_t			 i;

	if (strncasecmp(a->into, "IN-", 3) != 0 ||
	    strlen(a->into) >= STORE_ID_MAX) {
		fprintf(stderr, "intakectl: --into \"%s\": not an incident "
		    "ID (IN-...)\n", a->into);
		return CTL_USAGE;
	}
	if ((c = ctl_change(a, TRIAGE_MERGE)) == NULL)
		return CTL_USAGE;
	for (i = 0; a->into[i] != '\0'; i++)
		c->into[i] = (char)(a->into[i] >= 'a' && a->into[i] <= 'z' ?
		    a->into[i] - 32 : a->into[i]);
	c->into[i] = '\0';
	return ctl_run_change(ctl, c, ctl_merged);
}

/* The taxonomy and the [stats] time zone, loaded on first use. */
static int
ctl_need_tax(struct ctl *ctl)
{
	char	err[1024];

	if (ctl->have_tax)
		return 0;
	if (config_load_taxonomy(&ctl->cfg, &ctl->tax, err,
	    sizeof(err)) == -1) {
		ctl_err(err);
		return -1;
	}
	ctl->have_tax = 1;
	return 0;
}

static int
ctl_need_tz(struct ctl *ctl)
{
	char	err[1024];

	if (ctl->have_tz)
		return 0;
	if (stats_tz_load(ctl->cfg.stats_timezone, &ctl->tz, err,
	    sizeof(err)) == -1) {
		ctl_err(err);
		return -1;
	}
	ctl->have_tz = 1;
	return 0;
}

/* An option's time (RFC 3339, or a date in [stats] timezone). */
static int
ctl_time(struct ctl *ctl, const char *opt, const char *v, long long *t)
{
	*t = 0;
	if (v == NULL)
		return 0;
	if (ctl_need_tz(ctl) == -1)
		return -1;
	if (tzif_parse_time(&ctl->tz, v, t) == -1 || *t <= 0) {
		fprintf(stderr, "intakectl: %s: \"%s\" is not a time "
		    "(2026-11-21T08:00:00Z, or 2026-11-21)\n", opt, v);
		return -1;
	}
	return 0;
}

/* The host of [http] public_url: the IncidentID name of IODEF. */
static void
ctl_origin_name(const char *url, char *out, size_t len)
{
	const char	*p = url != NULL ? strstr(url, "://") : NULL;
	size_t		 n;

	p = p != NULL ? p + 3 : "localhost";
	n = *p == '[' ? strcspn(p, "]") + 1 : strcspn(p, ":/?#");
	if (n == 0 || n >= len)
		snprintf(out, len, "localhost");
	else
		snprintf(out, len, "%.*s", (int)n, p);
}

/* Bytes an export writes at once. */
#define CTL_EXPORT_CHUNK	(256 * 1024)

static int
ctl_export(struct ctl *ctl, const struct ctl_args *a)
{
	struct export_origin	 o;
	struct export_cursor	*c;
	struct page_buf	 b = { NULL, 0, 0, 0 };
	char			 name[256], err[256];
	long long		 since, until, ninc, nrep;
	int			 f, rc;

	if ((f = export_format_parse(a->format)) == -1) {
		ctl_err("--format: jsonl, csv or iodef");
		return CTL_USAGE;
	}
	if (ctl_time(ctl, "--since", a->since, &since) == -1 ||
	    ctl_time(ctl, "--until", a->until, &until) == -1)
		return CTL_USAGE;
	if (ctl_need_tax(ctl) == -1)
		return CTL_ERROR;
	memset(&o, 0, sizeof(o));
	ctl_origin_name(ctl->cfg.http_public_url, name, sizeof(name));
	o.name = name;
	o.organization = ctl->cfg.contact_organization;
	o.email = ctl->cfg.contact_n_emails > 0 ? ctl->cfg.contact_emails[0] :
	    NULL;
	o.generated_at = time(NULL);
	c = export_cursor_new(f, since, until, &ctl->tax, &o);
	do {
		b.len = 0;
		rc = export_cursor_next(c, ctl->rd, &b, CTL_EXPORT_CHUNK, err,
		    sizeof(err));
		export_cursor_counts(c, &ninc, &nrep);
		if (rc == 0 && f == EXPORT_IODEF && ninc == 0) {
			/* RFC 7970: a document holds one Incident at least */
			ctl_err("no incident in this period");
			rc = -2;
			break;
		}
		if (rc != -1 && b.len > 0 &&
		    fwrite(b.data, 1, b.len, stdout) != b.len) {
			snprintf(err, sizeof(err), "cannot write the output");
			rc = -1;
		}
	} while (rc == 1);
	page_buf_free(&b);
	export_cursor_free(c);
	if (rc == -2)
		return CTL_NOTFOUND;
	if (rc == -1) {
		ctl_err(err);
		return CTL_ERROR;
	}
	fprintf(stderr, "%lld incidents, %lld reports\n", ninc, nrep);
	return CTL_OK;
}

/* An integer member of o, for the table. */
static long long
ctl_int(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* The counts of obj (an object of integers), one "key n" each. */
static void
ctl_put_counts(const char *title, json_t *obj)
{
	const char	*k;
	json_t		*v;

	printf("%s:", title);
	json_object_foreach(obj, k, v) {
		putchar(' ');
		ctl_put_text(k, 0);
		printf(" %lld", (long long)json_integer_value(v));
	}
	putchar('\n');
}

static int
ctl_stats(struct ctl *ctl, const struct ctl_args *a)
{
	struct stats_period	 p;
	json_t			*o, *row, *v;
	size_t			 i;
	char			 err[256];
	int			 rc;

	if (stats_period_parse(a->period, &p) == -1) {
		ctl_err("--period: a quarter, half or year (2026Q4, 2026H2, "
		    "2026)");
		return CTL_USAGE;
	}
	if (ctl_need_tax(ctl) == -1 || ctl_need_tz(ctl) == -1)
		return CTL_ERROR;
	if ((rc = stats_compute(ctl->rd, &ctl->tax, &p, &ctl->tz,
	    ctl->cfg.stats_timezone, &o, err, sizeof(err))) != 0)
		return ctl_status(rc, err);
	if (a->json) {
		json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
		return CTL_OK;
	}
	printf("period %s: %s to %s (%s)\n", p.name, ctl_str(o, "from", "?"),
	    ctl_str(o, "to", "?"), ctl->cfg.stats_timezone);
	printf("%-3s %7s %8s %8s %8s %8s  %s\n", "ROW", "COUNT", "IN-HOUSE",
	    "DOMESTIC", "FOREIGN", "COORD", "LABEL");
	json_array_foreach(json_object_get(o, "mau05"), i, row) {
		printf("%-3lld %7lld %8lld %8lld %8lld %8lld  ",
		    ctl_int(row, "row"), ctl_int(row, "count"),
		    ctl_int(row, "handled_in_house"),
		    ctl_int(row, "domestic_help"), ctl_int(row, "foreign_help"),
		    ctl_int(row, "coordinator_help"));
		ctl_put_text(ctl_str(row, "label", ""), 0);
		putchar('\n');
	}
	printf("total %lld, verified %lld\n", ctl_int(o, "total"),
	    ctl_int(o, "verified"));
	ctl_put_counts("by channel", json_object_get(o, "by_channel"));
	ctl_put_counts("by severity", json_object_get(o, "by_severity"));
	ctl_put_counts("by category", json_object_get(o, "by_category"));
	v = json_object_get(o, "median_seconds_to_claim");
	printf("median time to claim: %s", json_is_integer(v) ? "" : "-");
	if (json_is_integer(v))
		printf("%llds", (long long)json_integer_value(v));
	v = json_object_get(o, "median_seconds_to_resolve");
	printf(", to resolve: %s", json_is_integer(v) ? "" : "-");
	if (json_is_integer(v))
		printf("%llds", (long long)json_integer_value(v));
	putchar('\n');
	json_decref(o);
	return CTL_OK;
}

static int
ctl_audit(struct ctl *ctl, const struct ctl_args *a)
{
	json_t		*list, *e;
	const char	*why;
	long long	 since, limit = 100;
	size_t		 i;
	char		 err[256];
	int		 rc;

	if (ctl_time(ctl, "--since", a->since, &since) == -1)
		return CTL_USAGE;
	if (a->limit != NULL && parse_int(a->limit, 1, 100000, &limit,
	    &why) == -1) {
		fprintf(stderr, "intakectl: --limit: %s (1 to 100000)\n", why);
		return CTL_USAGE;
	}
	if ((rc = store_read_audit_list(ctl->rd, a->incident, since,
	    (int)limit, &list, err, sizeof(err))) != 0)
		return ctl_status(rc, err);
	if (a->json)
		ctl_json_lines(list);
	else
		json_array_foreach(list, i, e) {
			printf("%s ", ctl_str(e, "at", "?"));
			ctl_put_text(ctl_str(e, "actor", "?"), 0);
			putchar(' ');
			ctl_put_text(ctl_str(e, "action", "?"), 0);
			putchar(' ');
			ctl_put_text(ctl_str(e, "object", "-"), 0);
			if (json_is_string(json_object_get(e, "incident"))) {
				printf(" (%s)", ctl_str(e, "incident", ""));
			}
			printf(" from ");
			ctl_put_text(ctl_str(e, "peer", "-"), 0);
			if (json_is_string(json_object_get(e, "detail"))) {
				putchar(' ');
				ctl_put_text(ctl_str(e, "detail", ""), 0);
			}
			putchar('\n');
		}
	json_decref(list);
	return CTL_OK;
}

/*
 * Copy the database to FILE: into FILE.tmp-PID first, synced, then
 * renamed over FILE and the directory synced, so FILE is either the old
 * copy or a whole new one.
 */
static int
ctl_backup(struct ctl *ctl, const struct ctl_args *a)
{
	char	 tmp[4096], dir[4096], err[1024], *slash;
	int	 fd, rc;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", a->pos[0],
	    (long)getpid()) >= sizeof(tmp)) {
		ctl_err("backup: file name too long");
		return CTL_USAGE;
	}
	(void)unlink(tmp);
	if ((rc = store_read_backup(ctl->rd, tmp, err, sizeof(err))) != 0) {
		(void)unlink(tmp);
		return ctl_status(rc, err);
	}
	if ((fd = open(tmp, O_RDONLY)) == -1 || fsync(fd) == -1 ||
	    close(fd) == -1 || rename(tmp, a->pos[0]) == -1) {
		fprintf(stderr, "intakectl: backup %s: %s\n", a->pos[0],
		    strerror(errno));
		(void)unlink(tmp);
		return CTL_ERROR;
	}
	snprintf(dir, sizeof(dir), "%s", a->pos[0]);
	if ((slash = strrchr(dir, '/')) != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
	fprintf(stderr, "backup written to %s\n", a->pos[0]);
	return CTL_OK;
}

static int
ctl_check(struct ctl *ctl, const struct ctl_args *a)
{
	json_t	*o, *p;
	size_t	 i;
	char	 err[256];
	int	 rc, ok;

	if ((rc = store_read_check(ctl->rd, &o, err, sizeof(err))) != 0)
		return ctl_status(rc, err);
	ok = json_is_true(json_object_get(o, "ok"));
	if (a->json) {
		json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		printf("schema version %lld (this program: %lld)\n",
		    ctl_int(o, "schema_version"),
		    ctl_int(o, "program_schema_version"));
		json_array_foreach(json_object_get(o, "problems"), i, p) {
			ctl_put_text(json_string_value(p), 0);
			putchar('\n');
		}
		printf("%s\n", ok ? "ok" : "problems found");
	}
	json_decref(o);
	return ok ? CTL_OK : CTL_ERROR;
}

/* The command named by argv[0] (and argv[1]); *used = words consumed. */
static const struct ctl_cmd *
ctl_find(int argc, char **argv, int *used)
{
	size_t	i;

	for (i = 0; i < nitems(ctl_cmds); i++) {
		if (strcmp(argv[0], ctl_cmds[i].word1) != 0)
			continue;
		if (ctl_cmds[i].word2 == NULL) {
			*used = 1;
			return &ctl_cmds[i];
		}
		if (argc > 1 && strcmp(argv[1], ctl_cmds[i].word2) == 0) {
			*used = 2;
			return &ctl_cmds[i];
		}
	}
	return NULL;
}

/*
 * Run as root with [daemon] user set: give the data directory to that user
 * and become it, as intaked does, so that every file the database needs is
 * created by the user the daemon runs as. 0, or -1 with a message printed.
 */
static int
ctl_become(const struct config *cfg)
{
	struct passwd	*pw;

	if (cfg->user == NULL || geteuid() != 0)
		return 0;
	if ((pw = getpwnam(cfg->user)) == NULL) {
		fprintf(stderr, "intakectl: user %s: no such user\n",
		    cfg->user);
		return -1;
	}
	if (chown(cfg->data_dir, pw->pw_uid, pw->pw_gid) == -1 ||
	    setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		fprintf(stderr, "intakectl: cannot become %s: %s\n",
		    cfg->user, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Load the configuration and open DATA_DIR/intaked.db into ctl, making
 * the directory (0700) if needed. 0, or -1 with a message printed.
 */
static int
ctl_open(struct ctl *ctl, const char *conf_path)
{
	char	err[1024];

	memset(ctl, 0, sizeof(*ctl));
	if (conf_path != NULL) {
		if (config_load(&ctl->cfg, conf_path, err, sizeof(err)) == -1) {
			ctl_err(err);
			return -1;
		}
	} else
		config_defaults(&ctl->cfg);
	if (mkdir(ctl->cfg.data_dir, 0700) == -1 && errno != EEXIST) {
		fprintf(stderr, "intakectl: %s: %s\n", ctl->cfg.data_dir,
		    strerror(errno));
		config_free(&ctl->cfg);
		return -1;
	}
	if (ctl_become(&ctl->cfg) == -1) {
		config_free(&ctl->cfg);
		return -1;
	}
	snprintf(ctl->path, sizeof(ctl->path), "%s/%s", ctl->cfg.data_dir,
	    STORE_DB_FILE);
	if ((ctl->rd = store_read_open(ctl->path, err, sizeof(err))) == NULL) {
		ctl_err(err);
		config_free(&ctl->cfg);
		return -1;
	}
	return 0;
}

static void
ctl_close(struct ctl *ctl)
{
	store_read_close(ctl->rd);
	store_sql_free(ctl->w);
	if (ctl->have_tax)
		taxonomy_free(&ctl->tax);
	if (ctl->have_tz)
		tzif_free(&ctl->tz);
	config_free(&ctl->cfg);
}

int
main(int argc, char **argv)
{
	const struct ctl_cmd	*cmd;
	struct ctl_args		 args;
	struct ctl		 ctl;
	const char		*conf = NULL;
	int			 i, used, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			ctl_usage(stdout);
			return CTL_OK;
		}
	}
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			conf = argv[++i];
		else if (strncmp(argv[i], "-c", 2) == 0 && argv[i][2] != '\0')
			conf = argv[i] + 2;
		else {
			fprintf(stderr, "intakectl: unknown option \"%s\" "
			    "(see intakectl --help)\n", argv[i]);
			return CTL_USAGE;
		}
	}
	if (i >= argc) {
		ctl_err("no command (see intakectl --help)");
		return CTL_USAGE;
	}
	if ((cmd = ctl_find(argc - i, argv + i, &used)) == NULL) {
		fprintf(stderr, "intakectl: unknown command \"%s%s%s\" (see "
		    "intakectl --help)\n", argv[i], i + 1 < argc ? " " : "",
		    i + 1 < argc ? argv[i + 1] : "");
		return CTL_USAGE;
	}
	i += used;
	if (ctl_parse_args(argc - i, argv + i, cmd, &args) == -1)
		return CTL_USAGE;
	args.conf = conf;
	umask(077);
	if (cmd->opts & OPT_NODB)
		rc = cmd->run(NULL, &args);
	else {
		if (ctl_open(&ctl, conf) == -1)
			return CTL_ERROR;
		rc = cmd->run(&ctl, &args);
		ctl_close(&ctl);
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		ctl_err("cannot write the output");
		return CTL_ERROR;
	}
	return rc;
}
