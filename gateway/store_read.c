/*
 * store_read.c - synchronous access to the store, for intakectl and for
 * the daemon's reader threads (readers.h): token administration and
 * checks, the triage queue, one report or incident as JSON built with
 * jansson, a report's status (see store_read.h).
 *
 * One connection, opened like the daemon's (store_sql_open: WAL,
 * synchronous=FULL, busy_timeout, schema migration). Statements are
 * prepared on first use and kept until store_read_close. Writes (tokens)
 * run in BEGIN IMMEDIATE transactions with their audit row; reads that take
 * several queries run in one read transaction, so they see one snapshot
 * while the daemon commits.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <utf8proc.h>

#include "lifecycle.h"
#include "roles.h"
#include "taxonomy.h"
#include "util.h"
#include "store_read.h"
#include "store_sql.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

enum store_read_q {
	R_TOKEN_FIND,
	R_TOKEN_ADD,
	R_TOKEN_REVOKE,
	R_TOKEN_LIST,
	R_AUDIT_ADD,
	R_QUEUE,
	R_INCIDENT,
	R_REPORT,
	R_REPORT_INDICATORS,
	R_INCIDENT_INDICATORS,
	R_INCIDENT_INDICATORS_BRIEF,
	R_CHANNELS,
	R_SOURCES,
	R_REPORT_IDS,
	R_EVIDENCE_RAW,
	R_TOKENS_ACTIVE,
	R_REPORT_STATUS,
	R_RECEIPT,
	R_QUEUE_COUNT,
	R_VERIFY_TOKEN,
	R_OUTBOX,
	R_OUTBOX_ATTEMPTS,
	R_AUDIT_LIST,
	R_COUNT
};

/* An incident row, as store_read_incident() reads it (I_* columns). */
enum store_read_incident_col {
	I_ROWID, I_CODE, I_STATUS, I_CATEGORY, I_SEVERITY, I_VERIFIED,
	I_REPORTS, I_FIRST_SEEN, I_LAST_SEEN, I_CLAIMED_BY, I_CLAIM_EXPIRES,
	I_SYSTEM_LEVEL, I_DETECTED_AT, I_RESOLVED_AT, I_NOTIFIED_AT,
	I_MERGED_INTO, I_ASSESSMENT, I_HANDLING, I_CHANNEL
};
#define R_INCIDENT_COLUMNS STORE_READ_INCIDENT_COLUMNS

static const char *const store_read_text[R_COUNT] = {
	[R_TOKEN_FIND] = "SELECT revoked_at FROM tokens WHERE name = ?1",
	[R_TOKEN_ADD] = "INSERT INTO tokens (name, role, hash, created_at)"
	    " VALUES (?1, ?2, ?3, ?4)",
	[R_TOKEN_REVOKE] = "UPDATE tokens SET revoked_at = ?2"
	    " WHERE name = ?1 AND revoked_at IS NULL",
	[R_TOKEN_LIST] = "SELECT name, role, created_at, revoked_at"
	    " FROM tokens ORDER BY name",
	[R_AUDIT_ADD] = "INSERT INTO audit (at, actor, action, object, detail)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[R_QUEUE] = "SELECT " R_INCIDENT_COLUMNS " FROM incidents"
	    " WHERE " STORE_READ_NOT_AGGREGATE
	    " AND (?1 OR verified = 1) AND CASE WHEN ?2 IS NULL"
	    " THEN (?1 OR status IN ('new', 'triaged', 'in-progress'))"
	    " ELSE status = ?2 END"
	    " ORDER BY last_seen DESC, id DESC",
	[R_INCIDENT] = "SELECT " R_INCIDENT_COLUMNS " FROM incidents"
	    " WHERE id = " STORE_CODE_ROWID("?1") " AND code = ?1",
	[R_REPORT] = "SELECT r.id, r.code, i.code, r.channel, r.received_at,"
	    " r.category, r.severity, r.verified, r.auto, r.subject,"
	    " r.description, i.status, r.external_id, r.token_name,"
	    " r.confidential, r.system_level, r.operating_unit,"
	    " r.affected_system, r.detected_at, r.occurred_at,"
	    " r.reporter_name, r.reporter_email, r.reporter_phone,"
	    " r.organization, e.id, e.peer, length(e.raw), e.meta_json,"
	    " r.reply_duplicate, r.truncated, r.events_dropped,"
	    " r.auto_reason, r.aggregate"
	    " FROM reports r JOIN incidents i ON i.id = r.incident_id"
	    " JOIN evidence e ON e.id = r.evidence_id"
	    " WHERE r.id = " STORE_CODE_ROWID("?1") " AND r.code = ?1",
	[R_REPORT_INDICATORS] = "SELECT type, value FROM indicators"
	    " WHERE report_id = ?1 ORDER BY type, value",
	[R_INCIDENT_INDICATORS] = "SELECT DISTINCT n.type, n.value"
	    " FROM reports r JOIN indicators n ON n.report_id = r.id"
	    " WHERE r.incident_id = ?1 ORDER BY 1, 2",
	/*
	 * A list's: every report of an incident carries the same indicators
	 * (they make its fingerprint) unless incidents were merged, so its
	 * first report tells them without reading the others.
	 */
	[R_INCIDENT_INDICATORS_BRIEF] = "SELECT type, value FROM indicators"
	    " WHERE report_id = (SELECT min(id) FROM reports"
	    " WHERE incident_id = ?1) ORDER BY type, value",
	[R_CHANNELS] = "SELECT DISTINCT channel FROM incident_sources"
	    " WHERE incident_id = ?1 ORDER BY channel",
	[R_SOURCES] = "SELECT reporter, channel, count FROM incident_sources"
	    " WHERE incident_id = ?1 ORDER BY count DESC, reporter, channel",
	[R_EVIDENCE_RAW] = "SELECT e.raw FROM reports r"
	    " JOIN evidence e ON e.id = r.evidence_id"
	    " WHERE r.id = " STORE_CODE_ROWID("?1") " AND r.code = ?1",
	[R_REPORT_IDS] = "SELECT code FROM reports WHERE incident_id = ?1"
	    " ORDER BY id",
	[R_TOKENS_ACTIVE] = "SELECT name, role, hash FROM tokens"
	    " WHERE revoked_at IS NULL",
	[R_QUEUE_COUNT] = "SELECT count(*) FROM incidents WHERE verified = 1"
	    " AND status NOT IN ('resolved', 'rejected', 'closed', 'merged')"
	    " AND " STORE_READ_NOT_AGGREGATE,
	[R_RECEIPT] = "SELECT r.receipt_hash, r.received_at, i.status,"
	    " r.verified, EXISTS (SELECT 1 FROM outbox o"
	    "  WHERE o.evidence_id = r.evidence_id AND o.kind = 'receipt')"
	    " FROM reports r JOIN incidents i ON i.id = r.incident_id"
	    " WHERE r.id = " STORE_CODE_ROWID("?1") " AND r.code = ?1",
	[R_OUTBOX] = "SELECT o.id, o.kind, o.rcpt, o.subject, o.state,"
	    " o.created_at, o.attempts, o.next_attempt, o.last_attempt,"
	    " o.last_reply, o.done_at, (SELECT code FROM reports r"
	    "  WHERE r.evidence_id = o.evidence_id ORDER BY r.id LIMIT 1),"
	    " (SELECT code FROM incidents i WHERE i.id = o.incident_id)"
	    " FROM outbox o WHERE ?1 OR o.state <> 'sent' ORDER BY o.id",
	[R_OUTBOX_ATTEMPTS] = "SELECT at, code, reply FROM outbox_attempts"
	    " WHERE outbox_id = ?1 ORDER BY rowid",
	[R_VERIFY_TOKEN] = "SELECT v.expires_at, v.used_at,"
	    " (SELECT code FROM reports r WHERE r.evidence_id = v.evidence_id"
	    "  ORDER BY r.id LIMIT 1)"
	    " FROM verify_tokens v WHERE v.hash = ?1",
	/* the last ?3 entries (of one incident when ?1), oldest first */
	[R_AUDIT_LIST] = "SELECT * FROM (SELECT a.id, a.at, a.actor,"
	    " a.action, a.object, a.detail, i.code, a.peer FROM audit a"
	    " LEFT JOIN incidents i ON i.id = a.incident_id"
	    " WHERE (?1 IS NULL OR a.incident_id = (SELECT x.id FROM incidents x"
	    "  WHERE x.id = " STORE_CODE_ROWID("?1") " AND x.code = ?1))"
	    " AND a.at >= ?2 ORDER BY a.id DESC LIMIT ?3) ORDER BY 1",
	[R_REPORT_STATUS] = "SELECT r.token_name, i.status"
	    " FROM reports r JOIN incidents i ON i.id = r.incident_id"
	    " WHERE r.id = " STORE_CODE_ROWID("?1") " AND r.code = ?1",
};

/* Statements of the other read modules kept with a connection. */
#define STORE_READ_KEYED_MAX	64

struct store_read {
	sqlite3		*db;
	sqlite3_stmt	*q[R_COUNT];
	struct {
		unsigned	 key;
		sqlite3_stmt	*stmt;
	}		 keyed[STORE_READ_KEYED_MAX];
	size_t		 n_keyed;
};

/* How one column becomes one JSON member. */
enum store_read_kind {
	K_TEXT,
	K_INT,
	K_BOOL,
	K_TIME,		/* unix seconds -> RFC 3339 UTC */
	K_SEVERITY,	/* rank -> "low" .. "critical" */
	K_JSON		/* stored JSON text, embedded (as a string if broken) */
};

struct store_read_field {
	const char		*name;
	int			 col;
	enum store_read_kind	 kind;
};

static const struct store_read_field store_read_incident_head[] = {
	{ "id", 1, K_TEXT }, { "status", 2, K_TEXT },
	{ "category", 3, K_TEXT }, { "severity", 4, K_SEVERITY },
	{ "verified", 5, K_BOOL }, { "reports", 6, K_INT },
	{ "first_seen", 7, K_TIME }, { "last_seen", 8, K_TIME },
};
static const struct store_read_field store_read_incident_tail[] = {
	{ "system_level", I_SYSTEM_LEVEL, K_INT },
	{ "detected_at", I_DETECTED_AT, K_TIME },
	{ "resolved_at", I_RESOLVED_AT, K_TIME },
	{ "notified_at", I_NOTIFIED_AT, K_TIME },
	{ "merged_into", I_MERGED_INTO, K_TEXT },
	{ "assessment", I_ASSESSMENT, K_JSON },
	{ "handling", I_HANDLING, K_TEXT },
};
static const struct store_read_field store_read_report_head[] = {
	{ "id", 1, K_TEXT }, { "incident", 2, K_TEXT },
	{ "channel", 3, K_TEXT }, { "received_at", 4, K_TIME },
	{ "category", 5, K_TEXT }, { "severity", 6, K_SEVERITY },
	{ "verified", 7, K_BOOL }, { "auto", 8, K_BOOL },
	{ "auto_reason", 31, K_TEXT },
	{ "subject", 9, K_TEXT }, { "description", 10, K_TEXT },
};
static const struct store_read_field store_read_reporter[] = {
	{ "name", 20, K_TEXT }, { "email", 21, K_TEXT },
	{ "phone", 22, K_TEXT }, { "organization", 23, K_TEXT },
};
static const struct store_read_field store_read_report_tail[] = {
	{ "status", 11, K_TEXT }, { "duplicate", 28, K_BOOL },
	{ "external_id", 12, K_TEXT }, { "token", 13, K_TEXT },
	{ "confidential", 14, K_BOOL }, { "system_level", 15, K_INT },
	{ "operating_unit", 16, K_TEXT }, { "affected_system", 17, K_TEXT },
	{ "detected_at", 18, K_TEXT }, { "occurred_at", 19, K_TEXT },
	{ "truncated", 29, K_BOOL }, { "events_dropped", 30, K_INT },
	{ "aggregate", 32, K_BOOL },
};
static const struct store_read_field store_read_evidence_fields[] = {
	{ "id", 24, K_INT }, { "peer", 25, K_TEXT }, { "bytes", 26, K_INT },
	{ "meta", 27, K_JSON },
};
static const struct store_read_field store_read_indicator[] = {
	{ "type", 0, K_TEXT }, { "value", 1, K_TEXT },
};
static const struct store_read_field store_read_source[] = {
	{ "reporter", 0, K_TEXT }, { "channel", 1, K_TEXT },
	{ "count", 2, K_INT },
};
static const struct store_read_field store_read_audit_entry[] = {
	{ "at", 1, K_TIME }, { "actor", 2, K_TEXT }, { "action", 3, K_TEXT },
	{ "object", 4, K_TEXT }, { "detail", 5, K_TEXT },
	{ "incident", 6, K_TEXT }, { "peer", 7, K_TEXT },
};
static const struct store_read_field store_read_token[] = {
	{ "name", 0, K_TEXT }, { "role", 1, K_TEXT },
	{ "created_at", 2, K_TIME }, { "revoked_at", 3, K_TIME },
};

static const struct store_read_field store_read_outbox_fields[] = {
	{ "id", 0, K_INT }, { "kind", 1, K_TEXT }, { "rcpt", 2, K_TEXT },
	{ "subject", 3, K_TEXT }, { "state", 4, K_TEXT },
	{ "created_at", 5, K_TIME }, { "attempts", 6, K_INT },
	{ "next_attempt", 7, K_TIME }, { "last_attempt", 8, K_TIME },
	{ "last_reply", 9, K_TEXT }, { "done_at", 10, K_TIME },
	{ "report", 11, K_TEXT }, { "incident", 12, K_TEXT },
};
static const struct store_read_field store_read_attempt[] = {
	{ "at", 0, K_TIME }, { "code", 1, K_INT }, { "reply", 2, K_TEXT },
};

static sqlite3_stmt *store_read_stmt(struct store_read *, enum store_read_q,
		    char *, size_t);
static int	 store_read_fail(struct store_read *, char *, size_t);
static int	 store_read_exec(struct store_read *, const char *, char *,
		    size_t);
static void	 store_read_end(struct store_read *);
static json_t	*store_read_value(sqlite3_stmt *, int, enum store_read_kind);
static void	 store_read_fields(json_t *, sqlite3_stmt *,
		    const struct store_read_field *, size_t);
static json_t	*store_read_rows(struct store_read *, enum store_read_q,
		    long long, const struct store_read_field *, size_t, int,
		    char *, size_t);
static int	 store_read_report(struct store_read *, const char *,
		    json_t **, char *, size_t);
static int	 store_read_incident_by_id(struct store_read *,
		    const char *, json_t **, char *, size_t);
static int	 store_read_audit(struct store_read *, const char *,
		    const char *, const char *, const char *, char *, size_t);

/*
 * s[0..len) in lower case, code point by code point (Unicode's simple
 * mapping: Ả -> ả, Đ -> đ), into out (len + 1 bytes: no lower case
 * takes more bytes than its capital in the scripts we store... but not
 * all, so a code point that would grow is kept). -1 when not UTF-8.
 */
static int
store_read_lower(const char *s, size_t len, char *out)
{
	const utf8proc_uint8_t	*p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t	 cp, lc;
	utf8proc_ssize_t	 n, m;
	utf8proc_uint8_t	 enc[4];
	size_t			 i = 0, o = 0;

	while (i < len) {
		if (p[i] < 0x80) {
			out[o++] = (char)(p[i] >= 'A' && p[i] <= 'Z' ?
			    p[i] | 0x20 : p[i]);
			i++;
			continue;
		}
		if ((n = utf8proc_iterate(p + i, len - i, &cp)) <= 0)
			return -1;
		lc = utf8proc_tolower(cp);
		m = utf8proc_encode_char(lc, enc);
		if (m <= 0 || m > n) {	/* keep the length bound */
			memcpy(out + o, p + i, n);
			o += n;
		} else {
			memcpy(out + o, enc, m);
			o += m;
		}
		i += n;
	}
	out[o] = '\0';
	return 0;
}

char *
store_read_casefold(const char *s, size_t len)
{
	utf8proc_uint8_t	*nfc = NULL;
	char			*out;
	utf8proc_ssize_t	 n;

	/* what is stored is NFC already: the query is made so too */
	if ((n = utf8proc_map((const utf8proc_uint8_t *)s,
	    (utf8proc_ssize_t)len, &nfc, UTF8PROC_STABLE |
	    UTF8PROC_COMPOSE)) < 0)
		return NULL;
	out = xmalloc((size_t)n + 1);
	if (store_read_lower((const char *)nfc, (size_t)n, out) == -1) {
		free(out);
		out = NULL;
	}
	free(nfc);
	return out;
}

/*
 * SQL fold(text): text in lower case (store_read_lower: cheap enough to
 * run over every report of a text search); as it is if not UTF-8.
 */
static void
store_read_sql_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char	*in = (const char *)sqlite3_value_text(argv[0]);
	int		 len = sqlite3_value_bytes(argv[0]);
	char		*out;

	if (in == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	if ((out = sqlite3_malloc(len + 1)) == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (store_read_lower(in, (size_t)len, out) == -1) {
		sqlite3_free(out);
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	sqlite3_result_text(ctx, out, -1, sqlite3_free);
}

struct store_read *
store_read_open(const char *path, char *err, size_t errlen)
{
	struct store_read	*rd;
	struct sqlite3		*db;

	if ((db = store_sql_open(path, 0, err, errlen)) == NULL)
		return NULL;
	if (sqlite3_create_function_v2(db, "fold", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
	    store_read_sql_fold, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "fold(): %s", sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	rd = xcalloc(1, sizeof(*rd));
	rd->db = db;
	return rd;
}

struct sqlite3 *
store_read_sqlite(struct store_read *rd)
{
	return rd->db;
}

void
store_read_close(struct store_read *rd)
{
	size_t	i;

	if (rd == NULL)
		return;
	for (i = 0; i < R_COUNT; i++)
		sqlite3_finalize(rd->q[i]);
	for (i = 0; i < rd->n_keyed; i++)
		sqlite3_finalize(rd->keyed[i].stmt);
	sqlite3_close(rd->db);
	free(rd);
}

int
store_read_token_name_valid(const char *name)
{
	size_t	i;

	for (i = 0; name[i] != '\0'; i++) {
		if (i >= STORE_TOKEN_NAME_MAX)
			return 0;
		if (!isalnum((unsigned char)name[i]) && name[i] != '.' &&
		    name[i] != '_' && name[i] != '-')
			return 0;
	}
	return i > 0;
}

/* The cached statement q, reset and unbound, or NULL with err filled. */
static sqlite3_stmt *
store_read_stmt(struct store_read *rd, enum store_read_q q, char *err,
    size_t errlen)
{
	if (rd->q[q] == NULL && sqlite3_prepare_v3(rd->db, store_read_text[q],
	    -1, SQLITE_PREPARE_PERSISTENT, &rd->q[q], NULL) != SQLITE_OK) {
		store_read_fail(rd, err, errlen);
		return NULL;
	}
	sqlite3_reset(rd->q[q]);
	sqlite3_clear_bindings(rd->q[q]);
	return rd->q[q];
}

static int
store_read_fail(struct store_read *rd, char *err, size_t errlen)
{
	snprintf(err, errlen, "database: %s", sqlite3_errmsg(rd->db));
	return STORE_READ_ERROR;
}

/* Run a fixed statement (BEGIN, COMMIT...). STORE_READ_OK or _ERROR. */
static int
store_read_exec(struct store_read *rd, const char *sql, char *err,
    size_t errlen)
{
	if (sqlite3_exec(rd->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_read_fail(rd, err, errlen);
	return STORE_READ_OK;
}

/* Leave whatever transaction is open, without changing anything. */
static void
store_read_end(struct store_read *rd)
{
	size_t	i;

	for (i = 0; i < R_COUNT; i++)
		if (rd->q[i] != NULL)
			sqlite3_reset(rd->q[i]);
	for (i = 0; i < rd->n_keyed; i++)
		sqlite3_reset(rd->keyed[i].stmt);
	if (!sqlite3_get_autocommit(rd->db))
		sqlite3_exec(rd->db, "ROLLBACK", NULL, NULL, NULL);
}

void
store_read_finish(struct store_read *rd)
{
	store_read_end(rd);
}

struct sqlite3 *
store_read_db(struct store_read *rd)
{
	return rd->db;
}

int
store_read_error(struct store_read *rd, char *err, size_t errlen)
{
	return store_read_fail(rd, err, errlen);
}

int
store_read_begin(struct store_read *rd, char *err, size_t errlen)
{
	return store_read_exec(rd, "BEGIN", err, errlen);
}

sqlite3_stmt *
store_read_keyed(struct store_read *rd, unsigned key, const char *sql,
    char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	size_t		 i;

	for (i = 0; i < rd->n_keyed; i++)
		if (rd->keyed[i].key == key) {
			s = rd->keyed[i].stmt;
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			return s;
		}
	if (rd->n_keyed == STORE_READ_KEYED_MAX) {
		/*
		 * Forget the oldest that is not being stepped (a caller may
		 * hold a few): its text is prepared again when needed.
		 */
		for (i = 0; i < rd->n_keyed; i++)
			if (!sqlite3_stmt_busy(rd->keyed[i].stmt))
				break;
		if (i == rd->n_keyed) {
			snprintf(err, errlen, "too many statements");
			return NULL;
		}
		sqlite3_finalize(rd->keyed[i].stmt);
		memmove(&rd->keyed[i], &rd->keyed[i + 1],
		    (rd->n_keyed - i - 1) * sizeof(rd->keyed[0]));
		rd->n_keyed--;
	}
	if (sqlite3_prepare_v3(rd->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
	    NULL) != SQLITE_OK) {
		store_read_fail(rd, err, errlen);
		return NULL;
	}
	rd->keyed[rd->n_keyed].key = key;
	rd->keyed[rd->n_keyed].stmt = s;
	rd->n_keyed++;
	return s;
}

static int
store_read_audit(struct store_read *rd, const char *actor,
    const char *action, const char *object, const char *detail, char *err,
    size_t errlen)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_read_stmt(rd, R_AUDIT_ADD, err, errlen)) == NULL)
		return STORE_READ_ERROR;
	sqlite3_bind_int64(s, 1, time(NULL));
	sqlite3_bind_text(s, 2, actor ? actor : "unknown", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, object, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, detail, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_READ_OK :
	    store_read_fail(rd, err, errlen);
}

/*
 * Look a token up by name inside the open transaction: -1 error, 0 absent,
 * 1 active, 2 revoked.
 */
static int
store_read_token_state(struct store_read *rd, const char *name, char *err,
    size_t errlen)
{
	sqlite3_stmt	*s;
	int		 rc, state = 0;

	if ((s = store_read_stmt(rd, R_TOKEN_FIND, err, errlen)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		state = sqlite3_column_type(s, 0) == SQLITE_NULL ? 1 : 2;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_read_fail(rd, err, errlen);
		return -1;
	}
	return state;
}

/*
 * Run the bound change s inside the open transaction, record it in the
 * audit trail and commit. On any failure the transaction is rolled back.
 * Returns STORE_READ_OK or STORE_READ_ERROR with err filled.
 */
static int
store_read_commit_change(struct store_read *rd, sqlite3_stmt *s,
    const char *actor, const char *action, const char *object,
    const char *detail, char *err, size_t errlen)
{
	int	rc;

	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_read_fail(rd, err, errlen);
		store_read_end(rd);
		return STORE_READ_ERROR;
	}
	if (store_read_audit(rd, actor, action, object, detail, err,
	    errlen) != STORE_READ_OK ||
	    store_read_exec(rd, "COMMIT", err, errlen) != STORE_READ_OK) {
		store_read_end(rd);
		return STORE_READ_ERROR;
	}
	return STORE_READ_OK;
}

int
store_read_token_add(struct store_read *rd, const char *name,
    const char *role, const char *secret, const char *actor, char *err,
    size_t errlen)
{
	sqlite3_stmt	*s;
	unsigned char	 hash[32];
	int		 rc, state;

	if (!store_read_token_name_valid(name)) {
		snprintf(err, errlen, "invalid token name (1 to %d of "
		    "A-Z a-z 0-9 . _ -)", STORE_TOKEN_NAME_MAX);
		return STORE_READ_INVALID;
	}
	if (!role_valid(role)) {
		snprintf(err, errlen, "invalid role \"%s\" "
		    "(submitter, triage or admin)", role);
		return STORE_READ_INVALID;
	}
	if ((rc = store_read_exec(rd, "BEGIN IMMEDIATE", err, errlen)) != 0)
		return rc;
	if ((state = store_read_token_state(rd, name, err, errlen)) != 0) {
		store_read_end(rd);
		if (state == -1)
			return STORE_READ_ERROR;
		snprintf(err, errlen, "token %s already exists%s", name,
		    state == 2 ? " (revoked; names are not reused)" : "");
		return STORE_READ_EXISTS;
	}
	if ((s = store_read_stmt(rd, R_TOKEN_ADD, err, errlen)) == NULL)
		goto fail;
	sha256(secret, strlen(secret), hash);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, role, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, hash, sizeof(hash), SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, time(NULL));
	return store_read_commit_change(rd, s, actor, "token.add", name, role,
	    err, errlen);
fail:
	store_read_end(rd);
	return STORE_READ_ERROR;
}

int
store_read_token_revoke(struct store_read *rd, const char *name,
    const char *actor, int *already, char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	int		 rc, state;

	*already = 0;
	if ((rc = store_read_exec(rd, "BEGIN IMMEDIATE", err, errlen)) != 0)
		return rc;
	if ((state = store_read_token_state(rd, name, err, errlen)) != 1) {
		store_read_end(rd);
		if (state == -1)
			return STORE_READ_ERROR;
		if (state == 2) {
			*already = 1;
			return STORE_READ_OK;
		}
		snprintf(err, errlen, "no token named %s", name);
		return STORE_READ_NOTFOUND;
	}
	if ((s = store_read_stmt(rd, R_TOKEN_REVOKE, err, errlen)) == NULL)
		goto fail;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, time(NULL));
	return store_read_commit_change(rd, s, actor, "token.revoke", name,
	    NULL, err, errlen);
fail:
	store_read_end(rd);
	return STORE_READ_ERROR;
}

/* One column as JSON; SQL NULL is JSON null whatever the kind. */
static json_t *
store_read_value(sqlite3_stmt *s, int col, enum store_read_kind kind)
{
	const char	*text, *name;
	char		 buf[32];
	json_t		*v;

	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return json_null();
	switch (kind) {
	case K_INT:
		return json_integer(sqlite3_column_int64(s, col));
	case K_BOOL:
		return json_boolean(sqlite3_column_int64(s, col) != 0);
	case K_TIME:
		format_time_utc((time_t)sqlite3_column_int64(s, col), buf,
		    sizeof(buf));
		return json_string(buf);
	case K_SEVERITY:
		name = severity_name((enum severity)sqlite3_column_int(s, col));
		return name != NULL ? json_string(name) : json_null();
	case K_JSON:
		text = (const char *)sqlite3_column_text(s, col);
		if ((v = json_loads(text, JSON_DECODE_ANY, NULL)) != NULL)
			return v;
		/* FALLTHROUGH */
	case K_TEXT:
		text = (const char *)sqlite3_column_text(s, col);
		v = json_stringn(text, sqlite3_column_bytes(s, col));
		return v != NULL ? v : json_null();
	}
	return json_null();
}

static void
store_read_fields(json_t *obj, sqlite3_stmt *s,
    const struct store_read_field *f, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		json_object_set_new(obj, f[i].name,
		    store_read_value(s, f[i].col, f[i].kind));
}

/*
 * Every row of s (prepared and bound) as a JSON array: of objects made
 * from fields, or of the first field's values when scalar is set. s is
 * reset. NULL with err filled on error.
 */
static json_t *
store_read_step_rows(struct store_read *rd, sqlite3_stmt *s,
    const struct store_read_field *f, size_t n, int scalar, char *err,
    size_t errlen)
{
	json_t	*list, *item;
	int	 rc;

	list = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (scalar)
			item = store_read_value(s, f[0].col, f[0].kind);
		else {
			item = json_object();
			store_read_fields(item, s, f, n);
		}
		json_array_append_new(list, item);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		store_read_fail(rd, err, errlen);
		return NULL;
	}
	return list;
}

/* The rows of list query q for row id `id', as store_read_step_rows. */
static json_t *
store_read_rows(struct store_read *rd, enum store_read_q q, long long id,
    const struct store_read_field *f, size_t n, int scalar, char *err,
    size_t errlen)
{
	sqlite3_stmt	*s;

	if ((s = store_read_stmt(rd, q, err, errlen)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	return store_read_step_rows(rd, s, f, n, scalar, err, errlen);
}

/* Set obj[name] to a list, or report that building it failed. */
static int
store_read_set_list(json_t *obj, const char *name, json_t *list)
{
	if (list == NULL)
		return -1;
	json_object_set_new(obj, name, list);
	return 0;
}

/* A time column, 0 when NULL. */
static time_t
store_read_time(sqlite3_stmt *s, int col)
{
	return sqlite3_column_type(s, col) == SQLITE_NULL ? 0 :
	    (time_t)sqlite3_column_int64(s, col);
}

void
store_read_incident_life(sqlite3_stmt *s, int first,
    struct lifecycle_incident *li)
{
	const char	*st = (const char *)sqlite3_column_text(s,
			    first + I_STATUS);
	int		 n = lifecycle_status_parse(st);

	memset(li, 0, sizeof(*li));
	li->status = n >= 0 ? (enum incident_status)n : INC_NEW;
	li->severity = (enum severity)sqlite3_column_int(s, first + I_SEVERITY);
	li->system_level = sqlite3_column_int(s, first + I_SYSTEM_LEVEL);
	li->detected_at = store_read_time(s, first + I_DETECTED_AT);
	li->received_at = store_read_time(s, first + I_FIRST_SEEN);
	li->resolved_at = store_read_time(s, first + I_RESOLVED_AT);
	li->notified_at = store_read_time(s, first + I_NOTIFIED_AT);
}

/* A time as RFC 3339 UTC JSON, or null for 0. */
static json_t *
store_read_json_time(time_t t)
{
	char	buf[32];

	if (t == 0)
		return json_null();
	format_time_utc(t, buf, sizeof(buf));
	return json_string(buf);
}

/*
 * What is computed from an incident at time now: the claim while its lease
 * runs (claimed_by and claim_expires, null once it has run out), serious,
 * the next deadline (due, and which one) and overdue.
 */
static void
store_read_incident_computed(json_t *obj, sqlite3_stmt *s, time_t now)
{
	static const char *const deadline[] = {
		[LIFECYCLE_NO_DEADLINE] = NULL,
		[LIFECYCLE_NOTIFY] = "notify",
		[LIFECYCLE_FINAL] = "final-report",
	};
	struct lifecycle_incident li;
	enum lifecycle_deadline	 which;
	time_t			 expires, due;
	int			 held;

	expires = store_read_time(s, I_CLAIM_EXPIRES);
	held = sqlite3_column_type(s, I_CLAIMED_BY) != SQLITE_NULL &&
	    expires > now;
	json_object_set_new(obj, "claimed_by", held ?
	    store_read_value(s, I_CLAIMED_BY, K_TEXT) : json_null());
	json_object_set_new(obj, "claim_expires", held ?
	    store_read_json_time(expires) : json_null());
	store_read_incident_life(s, 0, &li);
	which = lifecycle_due(&li, &due);
	json_object_set_new(obj, "serious", json_boolean(lifecycle_serious(
	    li.severity, li.system_level)));
	json_object_set_new(obj, "due", store_read_json_time(due));
	json_object_set_new(obj, "deadline", deadline[which] != NULL ?
	    json_string(deadline[which]) : json_null());
	json_object_set_new(obj, "overdue", json_boolean(
	    lifecycle_overdue(&li, now)));
}

json_t *
store_read_incident(struct store_read *rd, sqlite3_stmt *s, int flags,
    time_t now, char *err, size_t errlen)
{
	static const struct store_read_field code = { "id", 0, K_TEXT };
	json_t		*obj = json_object();
	long long	 id = sqlite3_column_int64(s, I_ROWID);

	store_read_fields(obj, s, store_read_incident_head,
	    nitems(store_read_incident_head));
	if (store_read_set_list(obj, "indicators", store_read_rows(rd,
	    (flags & STORE_INCIDENT_BRIEF) ? R_INCIDENT_INDICATORS_BRIEF :
	    R_INCIDENT_INDICATORS, id, store_read_indicator,
	    nitems(store_read_indicator), 0, err, errlen)) == -1 ||
	    store_read_set_list(obj, "channels", store_read_rows(rd,
	    R_CHANNELS, id, &code, 1, 1, err, errlen)) == -1)
		goto fail;
	store_read_incident_computed(obj, s, now);
	store_read_fields(obj, s, store_read_incident_tail,
	    nitems(store_read_incident_tail));
	if (!(flags & STORE_INCIDENT_BRIEF) && store_read_set_list(obj,
	    "sources", store_read_rows(rd, R_SOURCES, id, store_read_source,
	    nitems(store_read_source), 0, err, errlen)) == -1)
		goto fail;
	if ((flags & STORE_INCIDENT_REPORT_IDS) &&
	    store_read_set_list(obj, "report_ids", store_read_rows(rd,
	    R_REPORT_IDS, id, &code, 1, 1, err, errlen)) == -1)
		goto fail;
	return obj;
fail:
	json_decref(obj);
	return NULL;
}

int
store_read_queue(struct store_read *rd, const struct store_queue_filter *f,
    json_t **out, char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	json_t		*list, *item;
	time_t		 now = time(NULL);
	int		 rc;

	*out = NULL;
	if (f->status != NULL && lifecycle_status_parse(f->status) == -1) {
		snprintf(err, errlen, "invalid status \"%s\" (new, triaged, "
		    "in-progress, resolved, rejected, closed or merged)",
		    f->status);
		return STORE_READ_INVALID;
	}
	if ((rc = store_read_exec(rd, "BEGIN", err, errlen)) != 0)
		return rc;
	if ((s = store_read_stmt(rd, R_QUEUE, err, errlen)) == NULL)
		goto fail;
	sqlite3_bind_int(s, 1, f->all ? 1 : 0);
	sqlite3_bind_text(s, 2, f->status, -1, SQLITE_STATIC);
	list = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((item = store_read_incident(rd, s, 0, now, err,
		    errlen)) == NULL) {
			json_decref(list);
			goto fail;
		}
		json_array_append_new(list, item);
	}
	if (rc != SQLITE_DONE) {
		json_decref(list);
		store_read_fail(rd, err, errlen);
		goto fail;
	}
	store_read_end(rd);
	*out = list;
	return STORE_READ_OK;
fail:
	store_read_end(rd);
	return STORE_READ_ERROR;
}

int
store_read_token_list(struct store_read *rd, json_t **out, char *err,
    size_t errlen)
{
	sqlite3_stmt	*s;

	*out = NULL;
	if ((s = store_read_stmt(rd, R_TOKEN_LIST, err, errlen)) == NULL)
		return STORE_READ_ERROR;
	*out = store_read_step_rows(rd, s, store_read_token,
	    nitems(store_read_token), 0, err, errlen);
	return *out != NULL ? STORE_READ_OK : STORE_READ_ERROR;
}

int
store_read_show(struct store_read *rd, const char *id, json_t **out,
    char *err, size_t errlen)
{
	char	code[64];
	size_t	i;
	int	rc;

	*out = NULL;
	/* IDs are upper-case; accept them typed in lower case */
	for (i = 0; id[i] != '\0' && i < sizeof(code) - 1; i++)
		code[i] = toupper((unsigned char)id[i]);
	code[i] = '\0';
	if (strncmp(code, "IR-", 3) != 0 && strncmp(code, "IN-", 3) != 0) {
		snprintf(err, errlen, "\"%s\": not a report (IR-...) or "
		    "incident (IN-...) ID", id);
		return STORE_READ_INVALID;
	}
	if ((rc = store_read_exec(rd, "BEGIN", err, errlen)) != 0)
		return rc;
	if (code[1] == 'R')
		rc = store_read_report(rd, code, out, err, errlen);
	else
		rc = store_read_incident_by_id(rd, code, out, err, errlen);
	store_read_end(rd);
	return rc;
}

static int
store_read_incident_by_id(struct store_read *rd, const char *id,
    json_t **out, char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_read_stmt(rd, R_INCIDENT, err, errlen)) == NULL)
		return STORE_READ_ERROR;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_DONE) {
		snprintf(err, errlen, "%s: no such incident", id);
		return STORE_READ_NOTFOUND;
	}
	if (rc != SQLITE_ROW)
		return store_read_fail(rd, err, errlen);
	*out = store_read_incident(rd, s, STORE_INCIDENT_REPORT_IDS,
	    time(NULL), err, errlen);
	return *out != NULL ? STORE_READ_OK : STORE_READ_ERROR;
}

static int
store_read_report(struct store_read *rd, const char *id, json_t **out,
    char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	json_t		*obj, *sub;
	int		 rc;

	if ((s = store_read_stmt(rd, R_REPORT, err, errlen)) == NULL)
		return STORE_READ_ERROR;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_DONE) {
		snprintf(err, errlen, "%s: no such report", id);
		return STORE_READ_NOTFOUND;
	}
	if (rc != SQLITE_ROW)
		return store_read_fail(rd, err, errlen);
	obj = json_object();
	store_read_fields(obj, s, store_read_report_head,
	    nitems(store_read_report_head));
	if (store_read_set_list(obj, "indicators", store_read_rows(rd,
	    R_REPORT_INDICATORS, sqlite3_column_int64(s, 0),
	    store_read_indicator, nitems(store_read_indicator), 0, err,
	    errlen)) == -1) {
		json_decref(obj);
		return STORE_READ_ERROR;
	}
	sub = json_object();
	store_read_fields(sub, s, store_read_reporter,
	    nitems(store_read_reporter));
	json_object_set_new(obj, "reporter", sub);
	store_read_fields(obj, s, store_read_report_tail,
	    nitems(store_read_report_tail));
	sub = json_object();
	store_read_fields(sub, s, store_read_evidence_fields,
	    nitems(store_read_evidence_fields));
	json_object_set_new(obj, "evidence", sub);
	*out = obj;
	return STORE_READ_OK;
}

int
store_read_evidence(struct store_read *rd, const char *id,
    int (*sink)(const void *, size_t, void *), void *arg, char *err,
    size_t errlen)
{
	char		 code[64];
	sqlite3_stmt	*s;
	size_t		 i;
	int		 rc;

	for (i = 0; id[i] != '\0' && i < sizeof(code) - 1; i++)
		code[i] = toupper((unsigned char)id[i]);
	code[i] = '\0';
	if (strncmp(code, "IR-", 3) != 0) {
		snprintf(err, errlen, "\"%s\": not a report ID (IR-...)", id);
		return STORE_READ_INVALID;
	}
	if ((s = store_read_stmt(rd, R_EVIDENCE_RAW, err, errlen)) == NULL)
		return STORE_READ_ERROR;
	sqlite3_bind_text(s, 1, code, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		rc = sink(sqlite3_column_blob(s, 0),
		    (size_t)sqlite3_column_bytes(s, 0), arg) == 0 ?
		    STORE_READ_OK : STORE_READ_ERROR;
		if (rc != STORE_READ_OK)
			snprintf(err, errlen, "cannot write the evidence");
	} else if (rc == SQLITE_DONE) {
		snprintf(err, errlen, "%s: no such report", code);
		rc = STORE_READ_NOTFOUND;
	} else {
		store_read_fail(rd, err, errlen);
		rc = STORE_READ_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

int
store_read_token_check(struct store_read *rd, const char *secret,
    char **name, char **role, char *err, size_t errlen)
{
	unsigned char	want[32];
	int		rc;

	sha256(secret, strlen(secret), want);
	rc = store_read_token_check_hash(rd, want, name, role, err, errlen);
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

int
store_read_token_check_hash(struct store_read *rd,
    const unsigned char want[32], char **name, char **role, char *err,
    size_t errlen)
{
	sqlite3_stmt		*s;
	const unsigned char	*h;
	int			 rc;

	*name = *role = NULL;
	if ((s = store_read_stmt(rd, R_TOKENS_ACTIVE, err, errlen)) == NULL)
		return STORE_READ_ERROR;
	/*
	 * Every active token is compared, in constant time, whether or not
	 * one matched already: the time taken says nothing about which.
	 */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		h = sqlite3_column_blob(s, 2);
		if (h == NULL || sqlite3_column_bytes(s, 2) != 32)
			continue;
		if (CRYPTO_memcmp(h, want, 32) == 0 && *name == NULL) {
			*name = xstrdup((const char *)sqlite3_column_text(s, 0));
			*role = xstrdup((const char *)sqlite3_column_text(s, 1));
		}
	}
	if (rc != SQLITE_DONE) {
		store_read_fail(rd, err, errlen);
		sqlite3_reset(s);
		free(*name);
		free(*role);
		*name = *role = NULL;
		return STORE_READ_ERROR;
	}
	sqlite3_reset(s);
	return *name != NULL ? STORE_READ_OK : STORE_READ_NOTFOUND;
}

/*
 * Step statement q (one row, bound to a report code) for id. Returns
 * STORE_READ_OK with *sp on the row (the caller reads its columns, then
 * store_read_row_done), _NOTFOUND or _ERROR (both already reset).
 */
static int
store_read_row_by_code(struct store_read *rd, enum store_read_q q,
    const char *id, sqlite3_stmt **sp, char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_read_stmt(rd, q, err, errlen)) == NULL)
		return STORE_READ_ERROR;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*sp = s;
		return STORE_READ_OK;
	}
	if (rc != SQLITE_DONE)
		store_read_fail(rd, err, errlen);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? STORE_READ_NOTFOUND : STORE_READ_ERROR;
}

static void
store_read_row_done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

int
store_read_report_status(struct store_read *rd, const char *id,
    const char *owner, char **status, char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	const char	*by, *st;
	int		 rc;

	*status = NULL;
	if ((rc = store_read_row_by_code(rd, R_REPORT_STATUS, id, &s, err,
	    errlen)) != STORE_READ_OK)
		return rc;
	by = (const char *)sqlite3_column_text(s, 0);
	st = (const char *)sqlite3_column_text(s, 1);
	if (owner == NULL || (by != NULL && strcmp(by, owner) == 0))
		*status = xstrdup(st != NULL ? st : "new");
	store_read_row_done(s);
	return *status != NULL ? STORE_READ_OK : STORE_READ_NOTFOUND;
}

int
store_read_receipt(struct store_read *rd, const char *id,
    const unsigned char hash[32], struct store_receipt *out, char *err,
    size_t errlen)
{
	sqlite3_stmt		*s;
	const unsigned char	*h;
	const char		*st;
	int			 rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_read_row_by_code(rd, R_RECEIPT, id, &s, err,
	    errlen)) != STORE_READ_OK)
		return rc;
	h = sqlite3_column_blob(s, 0);
	rc = STORE_READ_NOTFOUND;
	if (h != NULL && sqlite3_column_bytes(s, 0) == 32 &&
	    CRYPTO_memcmp(h, hash, 32) == 0) {
		rc = STORE_READ_OK;
		out->received_at = sqlite3_column_int64(s, 1);
		st = (const char *)sqlite3_column_text(s, 2);
		snprintf(out->status, sizeof(out->status), "%s",
		    st != NULL ? st : "new");
		out->verified = sqlite3_column_int(s, 3) != 0;
		out->receipt_mailed = sqlite3_column_int(s, 4) != 0;
	}
	store_read_row_done(s);
	return rc;
}

int
store_read_verify_token(struct store_read *rd, const unsigned char hash[32],
    time_t now, char report_id[32], char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	const char	*code;
	int		 rc;

	report_id[0] = '\0';
	if ((s = store_read_stmt(rd, R_VERIFY_TOKEN, err, errlen)) == NULL)
		return STORE_READ_ERROR;
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		code = (const char *)sqlite3_column_text(s, 2);
		snprintf(report_id, 32, "%s", code != NULL ? code : "");
		rc = sqlite3_column_type(s, 1) != SQLITE_NULL ||
		    sqlite3_column_int64(s, 0) <= (long long)now ?
		    STORE_READ_GONE : STORE_READ_OK;
	} else if (rc == SQLITE_DONE)
		rc = STORE_READ_NOTFOUND;
	else {
		store_read_fail(rd, err, errlen);
		rc = STORE_READ_ERROR;
	}
	store_read_row_done(s);
	return rc;
}

int
store_read_queue_count(struct store_read *rd, long long *n, char *err,
    size_t errlen)
{
	sqlite3_stmt	*s;
	int		 rc;

	*n = 0;
	if ((s = store_read_stmt(rd, R_QUEUE_COUNT, err, errlen)) == NULL)
		return STORE_READ_ERROR;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	else
		store_read_fail(rd, err, errlen);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_READ_OK : STORE_READ_ERROR;
}

int
store_read_outbox(struct store_read *rd, int all, json_t **out, char *err,
    size_t errlen)
{
	json_t	*msg, *log;
	size_t	 i;

	*out = store_read_rows(rd, R_OUTBOX, all ? 1 : 0,
	    store_read_outbox_fields, nitems(store_read_outbox_fields), 0,
	    err, errlen);
	if (*out == NULL)
		return STORE_READ_ERROR;
	json_array_foreach(*out, i, msg) {
		log = store_read_rows(rd, R_OUTBOX_ATTEMPTS, json_integer_value(
		    json_object_get(msg, "id")), store_read_attempt,
		    nitems(store_read_attempt), 0, err, errlen);
		if (log == NULL) {
			json_decref(*out);
			*out = NULL;
			return STORE_READ_ERROR;
		}
		json_object_set_new(msg, "log", log);
	}
	return STORE_READ_OK;
}

int
store_read_audit_list(struct store_read *rd, const char *incident,
    long long since, int limit, json_t **out, char *err, size_t errlen)
{
	sqlite3_stmt	*s;

	*out = NULL;
	if ((s = store_read_stmt(rd, R_AUDIT_LIST, err, errlen)) == NULL)
		return STORE_READ_ERROR;
	sqlite3_bind_text(s, 1, incident, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, since);
	sqlite3_bind_int(s, 3, limit);
	*out = store_read_step_rows(rd, s, store_read_audit_entry,
	    nitems(store_read_audit_entry), 0, err, errlen);
	return *out != NULL ? STORE_READ_OK : STORE_READ_ERROR;
}

int
store_read_backup(struct store_read *rd, const char *path, char *err,
    size_t errlen)
{
	sqlite3		*dst = NULL;
	sqlite3_backup	*b;
	int		 rc;

	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, dst != NULL ?
		    sqlite3_errmsg(dst) : "cannot open");
		sqlite3_close(dst);
		return STORE_READ_ERROR;
	}
	/*
	 * One step for every page: the copy is made inside one read
	 * transaction of ours, so it is the database as it stood at one
	 * commit, whatever intaked writes meanwhile (WAL: writers never wait
	 * for us, and we never restart).
	 */
	if ((b = sqlite3_backup_init(dst, "main", rd->db, "main")) == NULL) {
		snprintf(err, errlen, "backup: %s", sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return STORE_READ_ERROR;
	}
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	    rc == SQLITE_LOCKED)
		sqlite3_sleep(50);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "backup: %s", sqlite3_errstr(rc));
		sqlite3_close(dst);
		return STORE_READ_ERROR;
	}
	/* a copy in one file, whole without a -wal beside it */
	if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL,
	    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "backup: %s", sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return STORE_READ_ERROR;
	}
	if (sqlite3_close(dst) != SQLITE_OK) {
		snprintf(err, errlen, "backup: cannot close %s", path);
		return STORE_READ_ERROR;
	}
	return STORE_READ_OK;
}

int
store_read_check(struct store_read *rd, json_t **out, char *err,
    size_t errlen)
{
	sqlite3_stmt	*s;
	json_t		*problems;
	const char	*v;
	long long	 version = 0;
	int		 rc;

	*out = NULL;
	problems = json_array();
	if (sqlite3_prepare_v2(rd->db, "PRAGMA integrity_check", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((v = (const char *)sqlite3_column_text(s, 0)) != NULL &&
		    strcmp(v, "ok") != 0)
			json_array_append_new(problems, json_string(v));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		goto fail;
	if (sqlite3_prepare_v2(rd->db, "PRAGMA foreign_key_check", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(problems, json_pack("s++",
		    "foreign key: a row of ",
		    (const char *)sqlite3_column_text(s, 0),
		    " refers to a missing row"));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		goto fail;
	if (sqlite3_prepare_v2(rd->db, "PRAGMA user_version", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	*out = json_pack("{s:b, s:I, s:i, s:o}", "ok",
	    json_array_size(problems) == 0 && version ==
	    store_sql_schema_version(), "schema_version", (json_int_t)version,
	    "program_schema_version", store_sql_schema_version(), "problems",
	    problems);
	return STORE_READ_OK;
fail:
	json_decref(problems);
	return store_read_fail(rd, err, errlen);
}
