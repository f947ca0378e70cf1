/*
 * store_sql.c - the store's SQL: the schema and its migrations, the
 * connection pragmas, the writer's cached statements, and the work of each
 * submission (evidence and reports, deduplication, idempotency). Reads are
 * store_read.c's.
 *
 * The writer part runs on the writer thread only; store_sql_open() runs on
 * whoever opens the database (intaked at start-up, intakectl). Statements
 * are prepared once (SQLITE_PREPARE_PERSISTENT), bound, stepped and reset;
 * nothing is ever built from input text.
 *
 * Row ids of evidence, reports and incidents are assigned here rather than
 * by SQLite, so that the codes (IR-YYYYMMDD-NNNNNN, IN-YYYYMMDD-NNNNNN, the
 * date being the UTC day of receipt and NNNNNN the row id, wider when
 * needed) are written by the same INSERT. The counters are reloaded from
 * the tables at every BEGIN IMMEDIATE (we hold the write lock, so nobody
 * else can move them) and restored when a job or a group rolls back.
 *
 * Severity is stored as its rank, 1 low .. 4 critical (enum severity), so
 * that an incident's severity is a plain max() (until an analyst sets it).
 * Incident statuses are those of lifecycle.h:
 *	new		received, nobody has looked at it yet
 *	triaged		classified by CERT, waiting for action
 *	in-progress	someone handles it
 *	resolved	handled; the final report is due
 *	rejected	spam, false positive or out of scope
 *	closed		done (final)
 *	merged		its reports moved to incidents.merged_into (final)
 * A claim (claimed_by, claim_expires) is a lease, independent of the
 * status. reports.status is not used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <sqlite3.h>

#include "report.h"
#include "store.h"
#include "util.h"
#include "store_sql.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * The schema, one step per version: step i takes user_version i to i + 1.
 * Steps are only ever appended, never edited once released.
 */
static const char *const store_migrations[] = {
	/* 1: initial schema */
	"CREATE TABLE evidence ("
	"  id INTEGER PRIMARY KEY,"
	"  received_at INTEGER NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  peer TEXT,"
	"  meta_json TEXT,"
	"  raw BLOB);"
	"CREATE TABLE incidents ("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT NOT NULL,"
	"  fp INTEGER NOT NULL,"
	"  fingerprint BLOB NOT NULL,"
	"  category TEXT NOT NULL,"
	"  severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),"
	"  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN"
	"    ('new', 'triaged', 'in-progress', 'resolved', 'rejected')),"
	"  verified INTEGER NOT NULL DEFAULT 0,"
	"  report_count INTEGER NOT NULL DEFAULT 0,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  claimed_by TEXT);"
	"CREATE INDEX incidents_fp ON incidents (fp);"
	"CREATE TABLE reports ("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT NOT NULL,"
	"  incident_id INTEGER NOT NULL REFERENCES incidents (id),"
	"  evidence_id INTEGER NOT NULL REFERENCES evidence (id),"
	"  channel TEXT NOT NULL,"
	"  received_at INTEGER NOT NULL,"
	"  category TEXT NOT NULL,"
	"  severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),"
	"  verified INTEGER NOT NULL DEFAULT 0,"
	"  auto INTEGER NOT NULL DEFAULT 0,"
	"  token_name TEXT,"
	"  external_id TEXT,"
	"  subject TEXT,"
	"  description TEXT,"
	"  reporter_name TEXT,"
	"  reporter_email TEXT,"
	"  reporter_phone TEXT,"
	"  organization TEXT,"
	"  operating_unit TEXT,"
	"  affected_system TEXT,"
	"  system_level INTEGER CHECK (system_level BETWEEN 1 AND 5),"
	"  confidential INTEGER CHECK (confidential IN (0, 1)),"
	"  detected_at TEXT,"
	"  occurred_at TEXT,"
	"  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN"
	"    ('new', 'triaged', 'in-progress', 'resolved', 'rejected')),"
	"  reply_duplicate INTEGER NOT NULL DEFAULT 0);"
	"CREATE UNIQUE INDEX reports_idempotency ON reports"
	"  (token_name, external_id) WHERE external_id IS NOT NULL;"
	"CREATE INDEX reports_incident ON reports (incident_id);"
	"CREATE TABLE indicators ("
	"  report_id INTEGER NOT NULL REFERENCES reports (id),"
	"  type TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (report_id, type, value)) WITHOUT ROWID;"
	"CREATE INDEX indicators_value ON indicators (type, value);"
	"CREATE TABLE incident_sources ("
	"  incident_id INTEGER NOT NULL REFERENCES incidents (id),"
	"  reporter TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  count INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (incident_id, reporter, channel)) WITHOUT ROWID;"
	"CREATE TABLE tokens ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL CHECK (role IN ('submitter', 'triage', 'admin')),"
	"  hash BLOB NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  revoked_at INTEGER);"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  object TEXT,"
	"  detail TEXT);",
	/*
	 * 2: a report made from a submission that was only partly turned
	 * into reports (mail: events beyond [smtp] max_reports or the
	 * indicators of one message), and how many events were left out
	 */
	"ALTER TABLE reports ADD COLUMN"
	"  truncated INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE reports ADD COLUMN"
	"  events_dropped INTEGER NOT NULL DEFAULT 0;",
	/*
	 * 3: the SHA-256 of the receipt token a web submitter got with the
	 * report (/status/<id>?t=...); NULL for other channels
	 */
	"ALTER TABLE reports ADD COLUMN receipt_hash BLOB;",
	/*
	 * 4: outbound mail. The outbox is written in the transaction of what
	 * causes the mail (outbox.h); a message leaves the 'queued' state
	 * only once the relay took it ('sent': its text and tokens, which
	 * make one-time links, are then dropped) or refused it for good
	 * ('failed'). A receipt is queued without its text (message NULL):
	 * the sender composes it from the reports when it sends it. Every
	 * attempt and the relay's answer is kept. A verification token (its
	 * SHA-256) confirms every report of one submission (its evidence
	 * row).
	 */
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  created_at INTEGER NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('receipt', 'forward')),"
	"  evidence_id INTEGER REFERENCES evidence (id),"
	"  incident_id INTEGER REFERENCES incidents (id),"
	"  rcpt TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  message BLOB,"
	"  in_reply_to TEXT,"
	"  lang TEXT,"
	"  verify_token TEXT,"
	"  status_token TEXT,"
	"  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN"
	"    ('queued', 'sent', 'failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt INTEGER NOT NULL,"
	"  last_attempt INTEGER,"
	"  last_reply TEXT,"
	"  done_at INTEGER);"
	"CREATE INDEX outbox_due ON outbox (next_attempt) WHERE state = 'queued';"
	"CREATE INDEX outbox_receipts ON outbox (rcpt, created_at)"
	"  WHERE kind = 'receipt';"
	"CREATE INDEX outbox_evidence ON outbox (evidence_id);"
	/* a receipt, a status page and a verification find the reports of
	   a submission; ids only grow, so this index is only appended to */
	"CREATE INDEX reports_evidence ON reports (evidence_id);"
	"CREATE TABLE outbox_attempts ("
	"  outbox_id INTEGER NOT NULL REFERENCES outbox (id),"
	"  at INTEGER NOT NULL,"
	"  code INTEGER NOT NULL,"
	"  reply TEXT);"
	"CREATE INDEX outbox_attempts_id ON outbox_attempts (outbox_id);"
	"CREATE TABLE verify_tokens ("
	"  hash BLOB PRIMARY KEY,"
	"  evidence_id INTEGER NOT NULL REFERENCES evidence (id),"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  used_at INTEGER) WITHOUT ROWID;",
	/*
	 * 5: triage. Incidents gain the final states closed and merged (a
	 * CHECK constraint: the table is rebuilt, row ids kept, with its
	 * indexes), the claim's lease and the time of the first claim, the
	 * incident it was merged into, the analyst's assessment (JSON:
	 * status, severity, scope, target, location) and how it was handled
	 * (Mẫu 05's columns), whether the analyst set its severity (reports
	 * then no longer raise it), and what the statistics and deadlines
	 * are computed from: the channel of its first report, the highest
	 * system level and the earliest detection time of its reports, and
	 * when it was resolved, closed and sent to the coordinator. The
	 * audit trail names the incident a change concerns (its timeline)
	 * and where the change came from.
	 */
	"CREATE TABLE incidents_new ("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT NOT NULL,"
	"  fp INTEGER NOT NULL,"
	"  fingerprint BLOB NOT NULL,"
	"  category TEXT NOT NULL,"
	"  severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),"
	"  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN"
	"    ('new', 'triaged', 'in-progress', 'resolved', 'rejected',"
	"     'closed', 'merged')),"
	"  verified INTEGER NOT NULL DEFAULT 0,"
	"  report_count INTEGER NOT NULL DEFAULT 0,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  claimed_by TEXT,"
	"  claim_expires INTEGER,"
	"  first_claimed_at INTEGER,"
	"  channel TEXT,"
	"  system_level INTEGER CHECK (system_level BETWEEN 1 AND 5),"
	"  detected_at INTEGER,"
	"  resolved_at INTEGER,"
	"  closed_at INTEGER,"
	"  notified_at INTEGER,"
	"  merged_into INTEGER REFERENCES incidents (id),"
	"  assessment TEXT,"
	"  handling TEXT CHECK (handling IN ('handled_in_house',"
	"    'domestic_help', 'foreign_help', 'coordinator_help')),"
	"  severity_set INTEGER NOT NULL DEFAULT 0,"
	"  updated_at INTEGER);"
	"INSERT INTO incidents_new (id, code, fp, fingerprint, category,"
	"  severity, status, verified, report_count, first_seen, last_seen,"
	"  claimed_by, channel, system_level, detected_at)"
	"  SELECT i.id, i.code, i.fp, i.fingerprint, i.category, i.severity,"
	"  i.status, i.verified, i.report_count, i.first_seen, i.last_seen,"
	"  i.claimed_by,"
	"  (SELECT r.channel FROM reports r WHERE r.incident_id = i.id"
	"   ORDER BY r.id LIMIT 1),"
	"  (SELECT max(r.system_level) FROM reports r"
	"   WHERE r.incident_id = i.id),"
	"  (SELECT min(CAST(strftime('%s', r.detected_at) AS INTEGER))"
	"   FROM reports r WHERE r.incident_id = i.id)"
	"  FROM incidents i;"
	"DROP TABLE incidents;"
	"ALTER TABLE incidents_new RENAME TO incidents;"
	"CREATE INDEX incidents_fp ON incidents (fp);"
	/* the queue, newest activity first; rowid breaks ties */
	"CREATE INDEX incidents_last_seen ON incidents (last_seen);"
	/* the default queue: verified and open */
	"CREATE INDEX incidents_open ON incidents (last_seen)"
	"  WHERE verified = 1 AND status IN ('new', 'triaged', 'in-progress');"
	/* statistics and exports: incidents by first report time */
	"CREATE INDEX incidents_first_seen ON incidents (first_seen,"
	"  category, channel, severity, verified, handling, status);"
	"CREATE INDEX incidents_merged_into ON incidents (merged_into)"
	"  WHERE merged_into IS NOT NULL;"
	"ALTER TABLE audit ADD COLUMN incident_id INTEGER;"
	"ALTER TABLE audit ADD COLUMN peer TEXT;"
	"CREATE INDEX audit_incident ON audit (incident_id, id)"
	"  WHERE incident_id IS NOT NULL;",
	/* 6: the triage queue of some categories, newest activity first */
	"CREATE INDEX incidents_category ON incidents (category, last_seen);",
	/*
	 * 7: why a report is automatic (mail: the signals that matched;
	 * NULL when it is not), and whether it is an aggregate report (a
	 * DMARC or SMTP TLS report: statistics about mail, stored but no
	 * incident to triage: the queue leaves such incidents out)
	 */
	"ALTER TABLE reports ADD COLUMN auto_reason TEXT;"
	"ALTER TABLE reports ADD COLUMN"
	"  aggregate INTEGER NOT NULL DEFAULT 0;",
};

enum store_q {
	Q_BEGIN,
	Q_COMMIT,
	Q_ROLLBACK,
	Q_SAVEPOINT,
	Q_RELEASE,
	Q_ROLLBACK_TO,
	Q_LAST_IDS,
	Q_EVIDENCE_ADD,
	Q_IDEM_FIND,
	Q_INCIDENT_FIND,
	Q_INCIDENT_MERGED,
	Q_INCIDENT_JOIN,
	Q_INCIDENT_ADD,
	Q_SOURCE_ADD,
	Q_REPORT_ADD,
	Q_INDICATOR_ADD,
	Q_COUNT
};

static const char *const store_q_text[Q_COUNT] = {
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_SAVEPOINT] = "SAVEPOINT job",
	[Q_RELEASE] = "RELEASE job",
	[Q_ROLLBACK_TO] = "ROLLBACK TO job",
	[Q_LAST_IDS] = "SELECT (SELECT ifnull(max(id), 0) FROM evidence),"
	    " (SELECT ifnull(max(id), 0) FROM reports),"
	    " (SELECT ifnull(max(id), 0) FROM incidents)",
	[Q_EVIDENCE_ADD] = "INSERT INTO evidence"
	    " (id, received_at, channel, peer, meta_json, raw)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[Q_IDEM_FIND] = "SELECT r.code, i.code, r.reply_duplicate"
	    " FROM reports r JOIN incidents i ON i.id = r.incident_id"
	    " WHERE r.token_name = ?1 AND r.external_id = ?2",
	/*
	 * The newest incident with this fingerprint: a second one is only
	 * ever opened once the first fell out of the window, so the newest
	 * is also the last seen. The index holds 8 bytes of the fingerprint
	 * (small, and never rewritten when an incident is joined); the row
	 * holds all 32.
	 */
	[Q_INCIDENT_FIND] = "SELECT id, code, last_seen, merged_into"
	    " FROM incidents WHERE fp = ?1 AND fingerprint = ?2"
	    " ORDER BY id DESC LIMIT 1",
	/* where a merged incident's reports went (triage.c, merge) */
	[Q_INCIDENT_MERGED] = "SELECT id, code, last_seen, merged_into"
	    " FROM incidents WHERE id = ?1",
	/*
	 * A report joins: the incident's severity is the highest of its
	 * reports' unless an analyst set it; its system level the highest,
	 * its detection time the earliest (NULL when none is known).
	 */
	[Q_INCIDENT_JOIN] = "UPDATE incidents SET"
	    " report_count = report_count + 1,"
	    " last_seen = max(last_seen, ?2),"
	    " severity = CASE WHEN severity_set THEN severity"
	    "   ELSE max(severity, ?3) END,"
	    " verified = verified | ?4,"
	    " system_level = nullif(max(ifnull(system_level, 0),"
	    "   ifnull(?5, 0)), 0),"
	    " detected_at = coalesce(min(detected_at,"
	    "   CAST(strftime('%s', ?6) AS INTEGER)), detected_at,"
	    "   CAST(strftime('%s', ?6) AS INTEGER))"
	    " WHERE id = ?1",
	[Q_INCIDENT_ADD] = "INSERT INTO incidents (id, code, fingerprint,"
	    " category, severity, verified, report_count, first_seen,"
	    " last_seen, fp, channel, system_level, detected_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7, ?8, ?9, ?10,"
	    " CAST(strftime('%s', ?11) AS INTEGER))",
	[Q_SOURCE_ADD] = "INSERT INTO incident_sources"
	    " (incident_id, reporter, channel, count) VALUES (?1, ?2, ?3, 1)"
	    " ON CONFLICT (incident_id, reporter, channel)"
	    " DO UPDATE SET count = count + 1",
	[Q_REPORT_ADD] = "INSERT INTO reports (id, code, incident_id,"
	    " evidence_id, channel, received_at, category, severity, verified,"
	    " auto, token_name, external_id, subject, description,"
	    " reporter_name, reporter_email, reporter_phone, organization,"
	    " operating_unit, affected_system, system_level, confidential,"
	    " detected_at, occurred_at, reply_duplicate, truncated,"
	    " events_dropped, receipt_hash, auto_reason, aggregate)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	    " ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,"
	    " ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)",
	[Q_INDICATOR_ADD] = "INSERT OR IGNORE INTO indicators"
	    " (report_id, type, value) VALUES (?1, ?2, ?3)",
};

struct store_ids {
	long long	evidence;	/* last id used in each table */
	long long	report;
	long long	incident;
};

/* Statements changes may prepare on one connection (store_tx_stmt). */
#define STORE_SQL_CACHED_MAX	128

/* Frames of WAL (pages) that make a checkpoint due: 4 MiB, as the pragma. */
#define STORE_SQL_CHECKPOINT_FRAMES	1024

struct store_sql {
	sqlite3		*db;
	sqlite3_stmt	*q[Q_COUNT];
	int		 wal_frames;	/* in the WAL after the last commit */
	long long	 window;	/* dedup window, seconds */
	struct store_ids ids;		/* as the open transaction stands */
	struct store_ids ids_begin;	/* as they were at BEGIN */
	char		 err[256];	/* the last failure, for the log */
	/* the changes' statements, keyed by the address of their text */
	struct {
		const char	*text;
		sqlite3_stmt	*stmt;
	}		 cached[STORE_SQL_CACHED_MAX];
	size_t		 n_cached;
};

/* What a change gets: the connection and the time of the work. */
struct store_tx {
	struct store_sql	*sql;
	time_t			 now;
};

/* Per-report context of a SUBMIT. */
struct store_submit {
	struct store_job *job;
	time_t		  now;
	char		  day[16];	/* YYYYMMDD of now, UTC */
	long long	  evidence_id;	/* 0 until the evidence row exists */
};

static int	store_sql_pragmas(sqlite3 *, char *, size_t);
static int	store_sql_migrate(sqlite3 *, char *, size_t);
static int	store_sql_migrate_steps(sqlite3 *, char *, size_t);
static int	store_sql_quota(sqlite3 *, long long, char *, size_t);
static int	store_sql_int(sqlite3 *, const char *, long long *);
static int	store_sql_exec(struct store_sql *, enum store_q);
static void	store_sql_note(struct store_sql *);
static int	store_sql_done(sqlite3_stmt *);
static int	store_sql_submit(struct store_sql *, struct store_job *,
		    time_t);
static int	store_sql_evidence(struct store_sql *,
		    struct store_submit *);
static int	store_sql_replay(struct store_sql *, struct store_job *,
		    struct report *, struct store_report_result *);
static int	store_sql_incident(struct store_sql *, struct store_submit *,
		    struct report *, int, struct store_report_result *,
		    long long *);
static int	store_sql_report(struct store_sql *, struct store_submit *,
		    struct report *, int, long long,
		    struct store_report_result *);
static int	store_sql_severity(const struct report *);
static const char *store_sql_reporter(const struct store_job *,
		    const struct report *);

int
store_sql_schema_version(void)
{
	return (int)nitems(store_migrations);
}

struct sqlite3 *
store_sql_open(const char *path, long long max_bytes, char *err,
    size_t errlen)
{
	sqlite3	*db = NULL;
	int	 rc;

	/*
	 * Memory statistics cost a global mutex on every SQLite allocation;
	 * we never read them. Process-wide and only possible before SQLite
	 * initialises, so this is a no-op (SQLITE_MISUSE) when too late.
	 */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
		    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	if (store_sql_pragmas(db, err, errlen) == -1 ||
	    store_sql_migrate(db, err, errlen) == -1 ||
	    store_sql_quota(db, max_bytes, err, errlen) == -1) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/*
 * Durability and speed settings of one connection. WAL lets intakectl read
 * while the writer commits; synchronous=FULL makes every COMMIT durable.
 * The autocheckpoint runs in the committing thread, so keep the WAL short
 * enough (16 MiB) that one checkpoint never stalls a group for long.
 */
static int
store_sql_pragmas(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	const char	*mode;
	int		 ok;

	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &s,
	    NULL) != SQLITE_OK)
		goto fail;
	ok = sqlite3_step(s) == SQLITE_ROW &&
	    (mode = (const char *)sqlite3_column_text(s, 0)) != NULL &&
	    strcmp(mode, "wal") == 0;
	sqlite3_finalize(s);
	if (!ok) {
		snprintf(err, errlen, "cannot switch to WAL mode: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_exec(db, "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON;"
	    /*
	     * Checkpoints stay in the writer, every 4 MiB of WAL (at commit
	     * here; intaked's writer runs them itself, just after the next
	     * group: store_sql_manual_checkpoints). Measured (make bench)
	     * against a checkpoint thread of its own, which never lets a busy
	     * WAL restart (the file grew by 200 MB/s), and against 8, 16 and
	     * 64 MiB: the same throughput, and the shortest stalls (p99 12 ms
	     * at half rate, against 18-40 ms).
	     */
	    "PRAGMA wal_autocheckpoint = 1024;"
	    "PRAGMA journal_size_limit = 67108864;"
	    "PRAGMA cache_size = -8192;"
	    "PRAGMA temp_store = MEMORY", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "database settings: %s", sqlite3_errmsg(db));
	return -1;
}

/* Run `sql', a statement returning one integer, into *out. 0 or -1. */
static int
store_sql_int(sqlite3 *db, const char *sql, long long *out)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/*
 * Bring the schema to the newest version, one step per transaction. The
 * version is read again under the write lock, so intaked and intakectl
 * starting together apply each step once. A database newer than this
 * program is refused rather than guessed at.
 *
 * Foreign keys are off while the steps run (SQLite's procedure for a
 * table rebuilt under its old name: dropping the old table would
 * otherwise count every row that refers to it as a violation), and each
 * step is checked with foreign_key_check before it commits.
 */
static int
store_sql_migrate(sqlite3 *db, char *err, size_t errlen)
{
	int	rc;

	if (sqlite3_exec(db, "PRAGMA foreign_keys = OFF", NULL, NULL,
	    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "schema migration: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	rc = store_sql_migrate_steps(db, err, errlen);
	if (sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL,
	    NULL) != SQLITE_OK && rc == 0) {
		snprintf(err, errlen, "database settings: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	return rc;
}

/* A row from foreign_key_check: the step left a dangling reference. */
static int
store_sql_fk_row(void *arg, int n, char **v, char **names)
{
	return 1;	/* abort: sqlite3_exec returns SQLITE_ABORT */
}

static int
store_sql_migrate_steps(sqlite3 *db, char *err, size_t errlen)
{
	long long	v;
	char		sql[64];
	int		want = store_sql_schema_version();

	for (;;) {
		if (store_sql_int(db, "PRAGMA user_version", &v) == -1)
			goto fail;
		if (v > want) {
			snprintf(err, errlen, "database schema version %lld is "
			    "newer than this program's (%d)", v, want);
			return -1;
		}
		if (v == want)
			return 0;
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
		    SQLITE_OK)
			goto fail;
		if (store_sql_int(db, "PRAGMA user_version", &v) == -1)
			goto rollback;
		if (v < want) {
			snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld",
			    v + 1);
			if (sqlite3_exec(db, store_migrations[v], NULL, NULL,
			    NULL) != SQLITE_OK ||
			    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
				goto rollback;
			if (sqlite3_exec(db, "PRAGMA foreign_key_check",
			    store_sql_fk_row, NULL, NULL) != SQLITE_OK) {
				snprintf(err, errlen, "schema migration to "
				    "version %lld: a foreign key dangles", v + 1);
				sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
				return -1;
			}
		}
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			goto rollback;
	}
rollback:
	snprintf(err, errlen, "schema migration: %s", sqlite3_errmsg(db));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
fail:
	snprintf(err, errlen, "schema version: %s", sqlite3_errmsg(db));
	return -1;
}

/*
 * The quota: a page budget, so that hitting it fails like a full disk
 * (SQLITE_FULL) and nothing half-written remains. It cannot go below the
 * current size (SQLite keeps the larger value), which is what we want.
 */
static int
store_sql_quota(sqlite3 *db, long long max_bytes, char *err, size_t errlen)
{
	long long	page, pages;
	char		sql[64];

	if (max_bytes <= 0)
		return 0;
	if (store_sql_int(db, "PRAGMA page_size", &page) == -1 || page <= 0) {
		snprintf(err, errlen, "page size: %s", sqlite3_errmsg(db));
		return -1;
	}
	pages = max_bytes / page;
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
	    pages > 0 ? pages : 1);
	if (store_sql_int(db, sql, &pages) == -1) {
		snprintf(err, errlen, "quota: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

struct store_sql *
store_sql_new(struct sqlite3 *db, long long dedup_window, char *err,
    size_t errlen)
{
	struct store_sql	*sql;
	int			 i;

	sql = xcalloc(1, sizeof(*sql));
	sql->db = db;
	sql->window = dedup_window;
	for (i = 0; i < Q_COUNT; i++) {
		if (sqlite3_prepare_v3(db, store_q_text[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &sql->q[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "prepare: %s", sqlite3_errmsg(db));
			store_sql_free(sql);
			return NULL;
		}
	}
	return sql;
}

void
store_sql_free(struct store_sql *sql)
{
	int	i;

	if (sql == NULL)
		return;
	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(sql->q[i]);
	for (i = 0; i < (int)sql->n_cached; i++)
		sqlite3_finalize(sql->cached[i].stmt);
	sqlite3_close(sql->db);
	free(sql);
}

/* The WAL hook of store_sql_manual_checkpoints: only count the frames. */
static int
store_sql_wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store_sql	*sql = arg;

	sql->wal_frames = frames;
	return SQLITE_OK;
}

void
store_sql_manual_checkpoints(struct store_sql *sql)
{
	/* replaces the autocheckpoint, which is a WAL hook too */
	sqlite3_wal_hook(sql->db, store_sql_wal_hook, sql);
}

int
store_sql_checkpoint_due(struct store_sql *sql)
{
	return sql->wal_frames >= STORE_SQL_CHECKPOINT_FRAMES;
}

int
store_sql_checkpoint(struct store_sql *sql, int *frames)
{
	int	log = 0, done = 0;

	*frames = sql->wal_frames;
	sql->wal_frames = 0;	/* the next commit says how many remain */
	if (sqlite3_wal_checkpoint_v2(sql->db, NULL,
	    SQLITE_CHECKPOINT_PASSIVE, &log, &done) != SQLITE_OK) {
		store_sql_note(sql);
		return -1;
	}
	return 0;
}

const char *
store_sql_errmsg(struct store_sql *sql)
{
	return sql->err;
}

/* Keep SQLite's message of the failure at hand before a rollback clears it. */
static void
store_sql_note(struct store_sql *sql)
{
	if (sqlite3_errcode(sql->db) == SQLITE_OK)
		snprintf(sql->err, sizeof(sql->err), "its change failed");
	else
		snprintf(sql->err, sizeof(sql->err), "%s",
		    sqlite3_errmsg(sql->db));
}

/* Step a statement that returns no row, then reset it. 0 or -1. */
static int
store_sql_done(sqlite3_stmt *s)
{
	int	rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
store_sql_exec(struct store_sql *sql, enum store_q q)
{
	return store_sql_done(sql->q[q]);
}

int
store_sql_begin(struct store_sql *sql)
{
	sqlite3_stmt	*s = sql->q[Q_LAST_IDS];
	int		 rc;

	if (store_sql_exec(sql, Q_BEGIN) == -1) {
		store_sql_note(sql);
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		sql->ids.evidence = sqlite3_column_int64(s, 0);
		sql->ids.report = sqlite3_column_int64(s, 1);
		sql->ids.incident = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW) {
		store_sql_note(sql);
		store_sql_rollback(sql);
		return -1;
	}
	sql->ids_begin = sql->ids;
	return 0;
}

/* Reset the changes' statements, so that none holds the transaction open. */
static void
store_sql_reset_cached(struct store_sql *sql)
{
	size_t	i;

	for (i = 0; i < sql->n_cached; i++)
		sqlite3_reset(sql->cached[i].stmt);
}

int
store_sql_commit(struct store_sql *sql)
{
	store_sql_reset_cached(sql);
	if (store_sql_exec(sql, Q_COMMIT) == 0)
		return 0;
	store_sql_note(sql);
	store_sql_rollback(sql);
	return -1;
}

void
store_sql_rollback(struct store_sql *sql)
{
	store_sql_reset_cached(sql);
	if (!sqlite3_get_autocommit(sql->db))
		(void)store_sql_exec(sql, Q_ROLLBACK);
	sql->ids = sql->ids_begin;
}

void
store_sql_fail(struct store_job *job)
{
	job->rc = STORE_TEMPFAIL;
	if (job->results != NULL)
		memset(job->results, 0, job->n_reports * sizeof(*job->results));
}

int
store_sql_run(struct store_sql *sql, struct store_job *job, time_t now,
    int isolated)
{
	struct store_ids	saved = sql->ids;
	long long		evidence = job->evidence_id;
	int			rc;

	if (isolated && store_sql_exec(sql, Q_SAVEPOINT) == -1) {
		store_sql_note(sql);
		store_sql_fail(job);
		return -1;
	}
	rc = store_sql_submit(sql, job, now);
	if (rc == 0 && (!isolated || store_sql_exec(sql, Q_RELEASE) == 0))
		return 0;

	store_sql_note(sql);
	store_sql_fail(job);
	job->evidence_id = evidence;	/* a row written here is gone */
	if (!isolated)
		return -1;	/* the caller undoes the group and isolates */
	/* this job failed: undo it alone, if the transaction survived */
	sql->ids = saved;
	if (sqlite3_get_autocommit(sql->db))
		return -1;
	if (store_sql_exec(sql, Q_ROLLBACK_TO) == -1 ||
	    store_sql_exec(sql, Q_RELEASE) == -1)
		return -1;
	return 0;
}

/*
 * SUBMIT, reports slice_from to slice_to of the job (to the last when
 * slice_to is 0; store.c sets them to commit a big job in slices): per
 * report, a replay of a known (token, external-id) answers with the first
 * reply and stores nothing; otherwise the report joins the newest incident
 * with its fingerprint seen within the window, or starts one. The evidence
 * row is written before the first new report (or alone when the
 * submission carries no report), so a pure retry stores nothing at all;
 * its id stays in job->evidence_id for the later slices.
 */
static int
store_sql_submit(struct store_sql *sql, struct store_job *job, time_t now)
{
	struct store_submit	 sub;
	struct store_report_result *res;
	struct report		*r;
	struct tm		 tm;
	long long		 incident;
	size_t			 i, end;
	int			 joined;

	memset(&sub, 0, sizeof(sub));
	sub.job = job;
	sub.now = now;
	sub.evidence_id = job->evidence_id;
	gmtime_r(&now, &tm);
	strftime(sub.day, sizeof(sub.day), "%Y%m%d", &tm);
	if (job->results == NULL)
		job->results = xcalloc(job->n_reports ? job->n_reports : 1,
		    sizeof(*job->results));
	if (job->n_reports == 0 && sub.evidence_id == 0 &&
	    (job->raw != NULL || job->change == NULL)) {
		if (store_sql_evidence(sql, &sub) == -1)
			return -1;
		job->evidence_id = sub.evidence_id;
	}
	end = job->slice_to > job->slice_from ? job->slice_to : job->n_reports;
	if (end > job->n_reports)
		end = job->n_reports;
	for (i = job->slice_from; i < end; i++) {
		r = &job->reports[i];
		res = &job->results[i];
		memset(res, 0, sizeof(*res));
		if ((joined = store_sql_replay(sql, job, r, res)) == -1)
			return -1;
		if (joined)
			continue;
		if (sub.evidence_id == 0) {
			if (store_sql_evidence(sql, &sub) == -1)
				return -1;
			job->evidence_id = sub.evidence_id;
		}
		if ((joined = store_sql_incident(sql, &sub, r,
		    store_sql_severity(r), res, &incident)) == -1)
			return -1;
		if (store_sql_report(sql, &sub, r, joined, incident, res) == -1)
			return -1;
	}
	if (job->change != NULL && end >= job->n_reports) {
		struct store_tx	tx = { sql, now };

		if (job->change(&tx, job, job->change_arg) == -1)
			return -1;
	}
	job->rc = STORE_OK;
	return 0;
}

static int
store_sql_evidence(struct store_sql *sql, struct store_submit *sub)
{
	sqlite3_stmt		*s = sql->q[Q_EVIDENCE_ADD];
	const struct store_job	*job = sub->job;
	long long		 id = sql->ids.evidence + 1;

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, sub->now);
	sqlite3_bind_text(s, 3, job->channel ? job->channel : "unknown", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(s, 4, job->peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, job->meta_json, -1, SQLITE_STATIC);
	if (job->raw != NULL)
		sqlite3_bind_blob64(s, 6, job->raw, job->rawlen, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 6);
	if (store_sql_done(s) == -1)
		return -1;
	sql->ids.evidence = sub->evidence_id = id;
	return 0;
}

/* "IR-20261121-000042": prefix, UTC day of receipt, row id. 0 or -1. */
static int
store_sql_code(char dst[STORE_ID_MAX], const char *prefix, const char *day,
    long long id)
{
	int	n = snprintf(dst, STORE_ID_MAX, "%s-%s-%06lld", prefix, day, id);

	return n > 0 && n < STORE_ID_MAX ? 0 : -1;
}

/* Copy a column's text into a result ID buffer. */
static void
store_sql_copy_id(char dst[STORE_ID_MAX], sqlite3_stmt *s, int col)
{
	const char	*v = (const char *)sqlite3_column_text(s, col);

	snprintf(dst, STORE_ID_MAX, "%s", v ? v : "");
}

/*
 * Idempotency: the same token with the same external-id gets the first
 * reply back. Returns 1 (res filled, replayed), 0 (not seen), -1 (error).
 */
static int
store_sql_replay(struct store_sql *sql, struct store_job *job,
    struct report *r, struct store_report_result *res)
{
	sqlite3_stmt	*s = sql->q[Q_IDEM_FIND];
	int		 rc;

	if (job->token_name == NULL || r->external_id == NULL)
		return 0;
	sqlite3_bind_text(s, 1, job->token_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->external_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		store_sql_copy_id(res->report_id, s, 0);
		store_sql_copy_id(res->incident_id, s, 1);
		res->duplicate = sqlite3_column_int(s, 2) != 0;
		res->replayed = 1;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Bind a report's system level (1-5), or NULL when it gave none. */
static void
store_sql_level(sqlite3_stmt *s, int i, const struct report *r)
{
	if (r->system_level >= 1 && r->system_level <= 5)
		sqlite3_bind_int(s, i, r->system_level);
	else
		sqlite3_bind_null(s, i);
}

/* The first 8 bytes of a fingerprint as the integer the index holds. */
static long long
store_sql_fp64(const unsigned char fp[32])
{
	unsigned long long	v = 0;
	int			i;

	for (i = 0; i < 8; i++)
		v = v << 8 | fp[i];
	return (long long)v;
}

/*
 * Step s (Q_INCIDENT_FIND, bound), follow the incident it finds to the one
 * it was merged into (and on, at most STORE_SQL_MERGE_HOPS times), and
 * take that one if it was active within the window at time now: SQLITE_ROW
 * with *incident and res->incident_id set. SQLITE_DONE when there is none
 * to join; another code on error. s is reset.
 */
#define STORE_SQL_MERGE_HOPS	16

static int
store_sql_follow(struct store_sql *sql, sqlite3_stmt *s, time_t now,
    struct store_report_result *res, long long *incident)
{
	long long	into;
	int		rc, hops = 0;

	for (;;) {
		if ((rc = sqlite3_step(s)) != SQLITE_ROW)
			break;
		*incident = sqlite3_column_int64(s, 0);
		store_sql_copy_id(res->incident_id, s, 1);
		if (sqlite3_column_type(s, 3) == SQLITE_NULL ||
		    hops++ == STORE_SQL_MERGE_HOPS) {
			if (sqlite3_column_int64(s, 2) < (long long)now -
			    sql->window)
				rc = SQLITE_DONE; /* out of the window: a new one */
			break;
		}
		into = sqlite3_column_int64(s, 3);
		sqlite3_reset(s);
		s = sql->q[Q_INCIDENT_MERGED];
		sqlite3_bind_int64(s, 1, into);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		res->incident_id[0] = '\0';
	return rc;
}

/*
 * Find or start the incident of report r. Fills res->incident_id and
 * *incident. Returns 1 when it joined an existing incident, 0 when it
 * created one, -1 on error.
 */
static int
store_sql_incident(struct store_sql *sql, struct store_submit *sub,
    struct report *r, int sev, struct store_report_result *res,
    long long *incident)
{
	sqlite3_stmt		*s;
	const struct store_job	*job = sub->job;
	unsigned char		 fp[32];
	long long		 fp64;
	int			 rc;

	if (r->has_fingerprint)
		memcpy(fp, r->fingerprint, sizeof(fp));
	else
		report_fingerprint(r, fp);
	fp64 = store_sql_fp64(fp);
	s = sql->q[Q_INCIDENT_FIND];
	sqlite3_bind_int64(s, 1, fp64);
	sqlite3_bind_blob(s, 2, fp, sizeof(fp), SQLITE_STATIC);
	rc = store_sql_follow(sql, s, sub->now, res, incident);
	if (rc == SQLITE_ROW) {
		s = sql->q[Q_INCIDENT_JOIN];
		sqlite3_bind_int64(s, 1, *incident);
		sqlite3_bind_int64(s, 2, sub->now);
		sqlite3_bind_int(s, 3, sev);
		sqlite3_bind_int(s, 4, job->verified ? 1 : 0);
		store_sql_level(s, 5, r);
		sqlite3_bind_text(s, 6, r->detected_at, -1, SQLITE_STATIC);
		return store_sql_done(s) == -1 ? -1 : 1;
	}
	if (rc != SQLITE_DONE)
		return -1;

	*incident = sql->ids.incident + 1;
	if (store_sql_code(res->incident_id, "IN", sub->day, *incident) == -1)
		return -1;
	s = sql->q[Q_INCIDENT_ADD];
	sqlite3_bind_int64(s, 1, *incident);
	sqlite3_bind_text(s, 2, res->incident_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, fp, sizeof(fp), SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->category ? r->category->code : NULL, -1,
	    SQLITE_STATIC);
	sqlite3_bind_int(s, 5, sev);
	sqlite3_bind_int(s, 6, job->verified ? 1 : 0);
	sqlite3_bind_int64(s, 7, sub->now);
	sqlite3_bind_int64(s, 8, fp64);
	sqlite3_bind_text(s, 9, job->channel ? job->channel : "unknown", -1,
	    SQLITE_STATIC);
	store_sql_level(s, 10, r);
	sqlite3_bind_text(s, 11, r->detected_at, -1, SQLITE_STATIC);
	if (store_sql_done(s) == -1)
		return -1;
	sql->ids.incident = *incident;
	return 0;
}

/* Bind text that may be NULL (SQLite binds NULL for a NULL pointer). */
static void
store_sql_text(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/*
 * Insert report r into incident `incident', with its indicators, and count
 * its source. Fills res->report_id and res->duplicate.
 */
static int
store_sql_report(struct store_sql *sql, struct store_submit *sub,
    struct report *r, int joined, long long incident,
    struct store_report_result *res)
{
	sqlite3_stmt		*s = sql->q[Q_REPORT_ADD];
	const struct store_job	*job = sub->job;
	long long		 id = sql->ids.report + 1;
	size_t			 i;

	if (store_sql_code(res->report_id, "IR", sub->day, id) == -1)
		return -1;
	res->duplicate = joined;
	sqlite3_bind_int64(s, 1, id);
	store_sql_text(s, 2, res->report_id);
	sqlite3_bind_int64(s, 3, incident);
	sqlite3_bind_int64(s, 4, sub->evidence_id);
	store_sql_text(s, 5, job->channel ? job->channel : "unknown");
	sqlite3_bind_int64(s, 6, sub->now);
	store_sql_text(s, 7, r->category ? r->category->code : NULL);
	sqlite3_bind_int(s, 8, store_sql_severity(r));
	sqlite3_bind_int(s, 9, job->verified ? 1 : 0);
	sqlite3_bind_int(s, 10, r->auto_generated ? 1 : 0);
	store_sql_text(s, 11, job->token_name);
	store_sql_text(s, 12, r->external_id);
	store_sql_text(s, 13, r->subject);
	store_sql_text(s, 14, r->description);
	store_sql_text(s, 15, r->reporter_name);
	store_sql_text(s, 16, r->reporter_email);
	store_sql_text(s, 17, r->reporter_phone);
	store_sql_text(s, 18, r->organization);
	store_sql_text(s, 19, r->operating_unit);
	store_sql_text(s, 20, r->affected_system);
	if (r->system_level > 0)
		sqlite3_bind_int(s, 21, r->system_level);
	else
		sqlite3_bind_null(s, 21);
	if (r->confidential >= 0)
		sqlite3_bind_int(s, 22, r->confidential ? 1 : 0);
	else
		sqlite3_bind_null(s, 22);
	store_sql_text(s, 23, r->detected_at);
	store_sql_text(s, 24, r->occurred_at);
	sqlite3_bind_int(s, 25, joined);
	sqlite3_bind_int(s, 26, r->truncated ? 1 : 0);
	sqlite3_bind_int64(s, 27, (long long)r->events_dropped);
	if (job->has_receipt)
		sqlite3_bind_blob(s, 28, job->receipt_hash,
		    sizeof(job->receipt_hash), SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 28);
	store_sql_text(s, 29, r->auto_generated ? r->auto_reason : NULL);
	sqlite3_bind_int(s, 30, r->aggregate ? 1 : 0);
	if (store_sql_done(s) == -1)
		return -1;
	sql->ids.report = id;

	s = sql->q[Q_INDICATOR_ADD];
	for (i = 0; i < r->n_indicators; i++) {
		sqlite3_bind_int64(s, 1, id);
		store_sql_text(s, 2, ind_type_name(r->indicators[i].type));
		store_sql_text(s, 3, r->indicators[i].value);
		if (store_sql_done(s) == -1)
			return -1;
	}

	s = sql->q[Q_SOURCE_ADD];
	sqlite3_bind_int64(s, 1, incident);
	store_sql_text(s, 2, store_sql_reporter(job, r));
	store_sql_text(s, 3, job->channel ? job->channel : "unknown");
	return store_sql_done(s);
}

/* The report's severity rank; the category default when not given. */
static int
store_sql_severity(const struct report *r)
{
	if (r->severity >= SEV_LOW && r->severity <= SEV_CRITICAL)
		return r->severity;
	if (r->category != NULL && r->category->severity >= SEV_LOW &&
	    r->category->severity <= SEV_CRITICAL)
		return r->category->severity;
	return SEV_MEDIUM;
}

/* Who sent it, for incident_sources: token, else e-mail, else peer. */
static const char *
store_sql_reporter(const struct store_job *job, const struct report *r)
{
	if (job->token_name != NULL)
		return job->token_name;
	if (r->reporter_email != NULL)
		return r->reporter_email;
	if (job->peer != NULL)
		return job->peer;
	return "unknown";
}


/* --- changes ------------------------------------------------------------- */

sqlite3_stmt *
store_tx_stmt(struct store_tx *tx, const char *text)
{
	struct store_sql	*sql = tx->sql;
	sqlite3_stmt		*s;
	size_t			 i;

	for (i = 0; i < sql->n_cached; i++)
		if (sql->cached[i].text == text) {
			s = sql->cached[i].stmt;
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			return s;
		}
	if (sql->n_cached == STORE_SQL_CACHED_MAX) {
		snprintf(sql->err, sizeof(sql->err), "too many statements");
		return NULL;
	}
	if (sqlite3_prepare_v3(sql->db, text, -1, SQLITE_PREPARE_PERSISTENT,
	    &s, NULL) != SQLITE_OK) {
		store_sql_note(sql);
		return NULL;
	}
	sql->cached[sql->n_cached].text = text;
	sql->cached[sql->n_cached].stmt = s;
	sql->n_cached++;
	return s;
}

time_t
store_tx_now(const struct store_tx *tx)
{
	return tx->now;
}

int
store_tx_new_incident(struct store_tx *tx, long long *id, char *code)
{
	struct store_sql	*sql = tx->sql;
	struct tm		 tm;
	time_t			 now = tx->now;
	char			 day[16];

	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y%m%d", &tm);
	*id = sql->ids.incident + 1;
	if (store_sql_code(code, "IN", day, *id) == -1)
		return -1;
	sql->ids.incident = *id;	/* restored if the job is undone */
	return 0;
}

int
store_tx_changes(const struct store_tx *tx)
{
	return sqlite3_changes(tx->sql->db);
}

int
store_tx_exec(struct store_tx *tx, sqlite3_stmt *s)
{
	if (s == NULL)
		return -1;
	if (store_sql_done(s) == -1) {
		store_sql_note(tx->sql);
		return -1;
	}
	return 0;
}

const char *
store_tx_errmsg(const struct store_tx *tx)
{
	return tx->sql->err[0] ? tx->sql->err : sqlite3_errmsg(tx->sql->db);
}

int
store_sql_apply(struct store_sql *sql, struct store_job *job, time_t now)
{
	if (store_sql_begin(sql) == -1)
		return -1;
	if (store_sql_run(sql, job, now, 0) == -1 || job->rc != STORE_OK) {
		store_sql_rollback(sql);
		return -1;
	}
	return store_sql_commit(sql);
}
