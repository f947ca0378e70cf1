/*
 * intakectl.c - the operator's tool (README "intakectl"): partner tokens,
 * the triage queue, and one report or incident, on the database in the
 * configured data_dir, whether intaked runs or not.
 *
 *	intakectl [-c FILE] token add NAME --role submitter|triage|admin
 *	intakectl [-c FILE] token list [--json]
 *	intakectl [-c FILE] token revoke NAME
 *	intakectl [-c FILE] queue [--status S] [--all] [--json]
 *	intakectl [-c FILE] show ID [--json]
 *
 * Exit status: 0 done; 1 not found or bad usage; 2 any other error (the
 * database, the configuration, a name already taken). Errors are one line
 * on stderr. Machine output (--json) is one JSON object per line. The
 * secret of a new token is printed once, alone on stdout, and only its
 * SHA-256 is kept. Run as root with [daemon] user set, it works as that
 * user, so the files it creates belong to the daemon.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "config.h"
#include "store.h"
#include "store_read.h"
#include "util.h"

#define CTL_OK		0
#define CTL_NOTFOUND	1
#define CTL_USAGE	1
#define CTL_ERROR	2

/* Options a command accepts. */
#define OPT_JSON	0x01
#define OPT_ALL		0x02
#define OPT_STATUS	0x04
#define OPT_ROLE	0x08

#define CTL_POS_MAX	2

struct ctl_args {
	const char	*pos[CTL_POS_MAX];
	int		 npos;
	const char	*role;
	const char	*status;
	int		 json;
	int		 all;
};

struct ctl_cmd {
	const char	*word1;
	const char	*word2;		/* NULL: one-word command */
	int		 npos;		/* positional arguments required */
	unsigned int	 opts;
	int		(*run)(struct store_read *, const struct ctl_args *);
};

static int	ctl_token_add(struct store_read *, const struct ctl_args *);
static int	ctl_token_list(struct store_read *, const struct ctl_args *);
static int	ctl_token_revoke(struct store_read *, const struct ctl_args *);
static int	ctl_queue(struct store_read *, const struct ctl_args *);
static int	ctl_show(struct store_read *, const struct ctl_args *);
static int	ctl_evidence(struct store_read *, const struct ctl_args *);
static int	ctl_outbox(struct store_read *, const struct ctl_args *);

static const struct ctl_cmd ctl_cmds[] = {
	{ "token", "add", 1, OPT_ROLE, ctl_token_add },
	{ "token", "list", 0, OPT_JSON, ctl_token_list },
	{ "token", "revoke", 1, 0, ctl_token_revoke },
	{ "queue", NULL, 0, OPT_JSON | OPT_ALL | OPT_STATUS, ctl_queue },
	{ "show", NULL, 1, OPT_JSON, ctl_show },
	{ "evidence", NULL, 1, 0, ctl_evidence },
	{ "outbox", NULL, 0, OPT_JSON | OPT_ALL, ctl_outbox },
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
	    "                      ones not resolved or rejected; --all: every one\n"
	    "  show ID [--json]    a report (IR-...) or an incident (IN-...)\n"
	    "  evidence IR-...     the report's submission exactly as received\n"
	    "                      (e.g. the whole e-mail) on standard output\n"
	    "  outbox [--all] [--json]\n"
	    "                      outbound mail waiting or failed, its attempts\n"
	    "                      and the relay's last answer; --all: sent too\n"
	    "statuses: new, triaged, in-progress, resolved, rejected\n"
	    "-c FILE: intaked's configuration (default: the built-in one,\n"
	    "data in ./var); the database is DATA_DIR/" STORE_DB_FILE "\n"
	    "exit status: 0 done, 1 not found or usage, 2 error\n");
}

static void
ctl_err(const char *what)
{
	fprintf(stderr, "intakectl: %s\n", what);
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
	const char	*arg, *val;
	size_t		 n;
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
		if ((cmd->opts & OPT_ROLE) && strncmp(arg, "--role", n) == 0 &&
		    n == 6)
			val = a->role = arg[n] ? arg + n + 1 : argv[++i];
		else if ((cmd->opts & OPT_STATUS) &&
		    strncmp(arg, "--status", n) == 0 && n == 8)
			val = a->status = arg[n] ? arg + n + 1 : argv[++i];
		else {
			fprintf(stderr, "intakectl: unknown option \"%s\"\n",
			    arg);
			return -1;
		}
		if (val == NULL) {
			fprintf(stderr, "intakectl: %.*s needs a value\n",
			    (int)n, arg);
			return -1;
		}
	}
	if (a->npos < cmd->npos) {
		ctl_err("missing argument (see intakectl --help)");
		return -1;
	}
	if ((cmd->opts & OPT_ROLE) && a->role == NULL) {
		ctl_err("--role submitter|triage|admin is required");
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
ctl_token_add(struct store_read *rd, const struct ctl_args *a)
{
	char	secret[64], actor[128], err[256];
	int	rc;

	if (token_generate(secret, sizeof(secret)) == -1) {
		ctl_err("cannot generate a token: no randomness");
		return CTL_ERROR;
	}
	ctl_actor(actor, sizeof(actor));
	rc = store_read_token_add(rd, a->pos[0], a->role, secret, actor, err,
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
ctl_token_revoke(struct store_read *rd, const struct ctl_args *a)
{
	char	actor[128], err[256];
	int	rc, already;

	ctl_actor(actor, sizeof(actor));
	rc = store_read_token_revoke(rd, a->pos[0], actor, &already, err,
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
ctl_token_list(struct store_read *rd, const struct ctl_args *a)
{
	json_t	*list, *t;
	size_t	 i;
	char	 err[256];
	int	 rc;

	if ((rc = store_read_token_list(rd, &list, err, sizeof(err))) != 0)
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
ctl_queue(struct store_read *rd, const struct ctl_args *a)
{
	struct store_queue_filter	 f;
	json_t				*list, *inc;
	size_t				 i;
	char				 err[256];
	int				 rc;

	memset(&f, 0, sizeof(f));
	f.status = a->status;
	f.all = a->all;
	if ((rc = store_read_queue(rd, &f, &list, err, sizeof(err))) != 0)
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
ctl_outbox(struct store_read *rd, const struct ctl_args *a)
{
	json_t	*list, *m;
	size_t	 i;
	char	 err[256];
	int	 rc;

	if ((rc = store_read_outbox(rd, a->all, &list, err, sizeof(err))) != 0)
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
ctl_show(struct store_read *rd, const struct ctl_args *a)
{
	json_t	*obj;
	char	 err[256];
	int	 rc;

	if ((rc = store_read_show(rd, a->pos[0], &obj, err,
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

static int
ctl_evidence(struct store_read *rd, const struct ctl_args *a)
{
	char	err[256];
	int	rc;

	if ((rc = store_read_evidence(rd, a->pos[0], ctl_write_stdout, NULL,
	    err, sizeof(err))) != 0)
		return ctl_status(rc, err);
	return CTL_OK;
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

/* Open DATA_DIR/intaked.db, making the directory (0700) if needed. */
static struct store_read *
ctl_open(const char *conf_path)
{
	struct config		 cfg;
	struct store_read	*rd;
	char			 err[1024], path[4096];

	if (conf_path != NULL) {
		if (config_load(&cfg, conf_path, err, sizeof(err)) == -1) {
			ctl_err(err);
			return NULL;
		}
	} else
		config_defaults(&cfg);
	if (mkdir(cfg.data_dir, 0700) == -1 && errno != EEXIST) {
		fprintf(stderr, "intakectl: %s: %s\n", cfg.data_dir,
		    strerror(errno));
		config_free(&cfg);
		return NULL;
	}
	if (ctl_become(&cfg) == -1) {
		config_free(&cfg);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", cfg.data_dir, STORE_DB_FILE);
	config_free(&cfg);
	if ((rd = store_read_open(path, err, sizeof(err))) == NULL)
		ctl_err(err);
	return rd;
}

int
main(int argc, char **argv)
{
	const struct ctl_cmd	*cmd;
	struct ctl_args		 args;
	struct store_read	*rd;
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
	umask(077);
	if ((rd = ctl_open(conf)) == NULL)
		return CTL_ERROR;
	rc = cmd->run(rd, &args);
	store_read_close(rd);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		ctl_err("cannot write the output");
		return CTL_ERROR;
	}
	return rc;
}
