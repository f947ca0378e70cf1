/*
 * store_read.h - synchronous access to the store for intakectl (and any
 * other tool): tokens, the triage queue, one report or incident as JSON.
 *
 * It opens the same database as intaked, read-write, in WAL mode with a
 * busy timeout, so it works while the daemon runs (reads never block the
 * writer; a token change waits at most a few seconds for a commit). Opening
 * creates the database and its schema when absent, so tokens can be added
 * before the daemon first starts.
 *
 * Blocking calls; not for the event loop thread. Every json_t returned is a
 * new reference owned by the caller (json_decref). Field names follow
 * README "intakectl": times are RFC 3339 UTC strings, booleans are JSON
 * booleans, absent values are null.
 */
#ifndef STORE_READ_H
#define STORE_READ_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

struct store_read;

enum store_read_rc {
	STORE_READ_OK = 0,
	STORE_READ_NOTFOUND,	/* no such ID or token */
	STORE_READ_INVALID,	/* bad argument (name, role, status, ID); err says which */
	STORE_READ_EXISTS,	/* token add: the name is taken */
	STORE_READ_GONE,	/* a one-time token used or expired */
	STORE_READ_ERROR	/* database error; err says what */
};

/* Token names: [A-Za-z0-9._-]{1,64}. */
#define STORE_TOKEN_NAME_MAX	64

struct store_read *store_read_open(const char *path, char *err,
    size_t errlen);
void store_read_close(struct store_read *rd);
/*
 * The connection itself, for a module with queries of its own on this
 * reader (the outbox's sender): used by the reader's thread only.
 */
struct sqlite3 *store_read_sqlite(struct store_read *rd);

int store_read_token_name_valid(const char *name);

/*
 * Store a new token: its SHA-256 only, never the secret itself. actor
 * (who did it) goes to the audit log. Returns STORE_READ_OK, _INVALID,
 * _EXISTS or _ERROR, with err filled unless OK.
 */
int store_read_token_add(struct store_read *rd, const char *name,
    const char *role, const char *secret, const char *actor, char *err,
    size_t errlen);

/*
 * Revoke a token by name. *already is set to 1 when it was revoked before
 * (nothing changes then). Returns _OK, _NOTFOUND or _ERROR.
 */
int store_read_token_revoke(struct store_read *rd, const char *name,
    const char *actor, int *already, char *err, size_t errlen);

/*
 * Which active token is secret? Its SHA-256 is compared, in constant time,
 * with every active token's. Returns STORE_READ_OK with *name and *role
 * (the caller frees them), _NOTFOUND (no such token, or revoked) or _ERROR
 * with err filled.
 */
int store_read_token_check(struct store_read *rd, const char *secret,
    char **name, char **role, char *err, size_t errlen);
/* The same, given the secret's SHA-256 (a staff session keeps only it). */
int store_read_token_check_hash(struct store_read *rd,
    const unsigned char hash[32], char **name, char **role, char *err,
    size_t errlen);

/*
 * The status of the incident report id belongs to, into *status (the
 * caller frees it). With owner set, a report submitted under another token
 * (or none) does not exist. Returns _OK, _NOTFOUND or _ERROR.
 */
int store_read_report_status(struct store_read *rd, const char *id,
    const char *owner, char **status, char *err, size_t errlen);

/* What the submitter's receipt page shows. */
struct store_receipt {
	long long	received_at;	/* unix seconds */
	char		status[24];	/* the incident's: new, triaged, ... */
	int		verified;
	int		receipt_mailed;	/* a receipt with a link is in the outbox */
};

/*
 * The receipt of report id, when hash is the SHA-256 of the receipt token
 * given with it (compared in constant time). A wrong token and an unknown
 * ID are alike: STORE_READ_NOTFOUND. Else _OK with *out filled, or _ERROR.
 */
int store_read_receipt(struct store_read *rd, const char *id,
    const unsigned char hash[32], struct store_receipt *out, char *err,
    size_t errlen);

/*
 * A verification token by its SHA-256: STORE_READ_OK while it can be used
 * (report_id: the first report it confirms), STORE_READ_GONE once used
 * or expired at now, STORE_READ_NOTFOUND, or STORE_READ_ERROR.
 */
int store_read_verify_token(struct store_read *rd,
    const unsigned char hash[32], time_t now, char report_id[32], char *err,
    size_t errlen);

/*
 * The outbox, oldest first, as [{id, kind, rcpt, subject, state,
 * created_at, attempts, next_attempt, last_attempt, last_reply, done_at,
 * report, incident, log: [{at, code, reply}]}]: waiting and failed mail,
 * and with all the sent mail too.
 */
int store_read_outbox(struct store_read *rd, int all, json_t **out,
    char *err, size_t errlen);

/* How many verified incidents are open (the triage queue's length). */
int store_read_queue_count(struct store_read *rd, long long *n, char *err,
    size_t errlen);

/* Every token as [{name, role, created_at, revoked_at}], by name. */
int store_read_token_list(struct store_read *rd, json_t **out, char *err,
    size_t errlen);

struct store_queue_filter {
	const char	*status;	/* only this status; NULL = open ones */
	int		 all;		/* include unverified (and closed when status is NULL) */
};

/*
 * The triage queue: incidents as JSON objects (the fields of show, without
 * the list of report IDs), newest last_seen first. By default only verified
 * incidents that are open (new, triaged, in-progress).
 */
int store_read_queue(struct store_read *rd,
    const struct store_queue_filter *f, json_t **out, char *err,
    size_t errlen);

/*
 * One report (IR-...) or incident (IN-...) as a JSON object. Returns _OK,
 * _NOTFOUND, _INVALID (neither form of ID) or _ERROR. A report carries
 * "truncated" (true when its submission held more events than were made
 * into reports: a mail beyond [smtp] max_reports, or beyond the indicators
 * one message may give) and "events_dropped" (how many were left out, the
 * same on every report of that submission; 0 when none).
 */
int store_read_show(struct store_read *rd, const char *id, json_t **out,
    char *err, size_t errlen);

/*
 * The evidence of a report: the bytes of the submission exactly as received
 * (the whole e-mail, the ILP line...), handed to sink in one piece; sink
 * returns 0 or -1. Returns _OK, _NOTFOUND, _INVALID or _ERROR.
 */
int store_read_evidence(struct store_read *rd, const char *id,
    int (*sink)(const void *buf, size_t len, void *arg), void *arg,
    char *err, size_t errlen);

/*
 * The audit trail: the last limit entries (of incident IN-... when not
 * NULL; since: at or after, unix seconds), oldest first, as [{at, actor,
 * action, object, detail, incident, peer}]. _OK or _ERROR.
 */
int store_read_audit_list(struct store_read *rd, const char *incident,
    long long since, int limit, json_t **out, char *err, size_t errlen);

/*
 * A consistent copy of the database into the file at path (created or
 * overwritten), made with SQLite's online backup in one read transaction:
 * the database as one commit left it, while intaked goes on writing. The
 * copy is a single file (rollback journal mode). _OK or _ERROR.
 */
int store_read_backup(struct store_read *rd, const char *path, char *err,
    size_t errlen);

/*
 * Check the database: integrity_check, foreign_key_check, and its schema
 * version against this program's. *out = {"ok", "schema_version",
 * "program_schema_version", "problems": [...]}. _OK (whatever the
 * verdict) or _ERROR.
 */
int store_read_check(struct store_read *rd, json_t **out, char *err,
    size_t errlen);

#endif
