/*
 * store_sql.h - private to the store: the SQLite side shared by the writer
 * thread (store.c) and the synchronous reader used by intakectl
 * (store_read.c). Other modules use store.h or store_read.h instead.
 *
 * A struct store_sql is one connection with its cached statements; it is
 * used by one thread at a time and never shared.
 */
#ifndef STORE_SQL_H
#define STORE_SQL_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

/*
 * Report and incident codes (IR-20261121-000042) end with the row id, so
 * they need no index of their own: a lookup by code goes by primary key,
 * and compares the whole code to be sure. STORE_CODE_ROWID(param) is that
 * id in SQL, from the text after "IR-YYYYMMDD-".
 */
#define STORE_CODE_ROWID(param)	"CAST(substr(" param ", 13) AS INTEGER)"

struct sqlite3;
struct store_job;
struct store_sql;

/*
 * Open (creating if needed) the database at path, set the connection
 * pragmas (WAL, synchronous=FULL, foreign_keys, busy_timeout), apply the
 * quota max_bytes (0 = none) and bring the schema up to date. Returns the
 * connection (the caller closes it with sqlite3_close), or NULL with err
 * filled.
 */
struct sqlite3 *store_sql_open(const char *path, long long max_bytes,
    char *err, size_t errlen);

/* The schema version this build writes (PRAGMA user_version). */
int store_sql_schema_version(void);

/*
 * Prepare the writer's statements on db, which the result then owns (and
 * closes in store_sql_free). Returns NULL with err filled on failure; db is
 * then closed too.
 */
struct store_sql *store_sql_new(struct sqlite3 *db, long long dedup_window,
    char *err, size_t errlen);
void store_sql_free(struct store_sql *sql);

/* BEGIN IMMEDIATE and reload the id counters. 0, or -1 (nothing open). */
int store_sql_begin(struct store_sql *sql);
/* COMMIT. 0, or -1: the transaction is then rolled back. */
int store_sql_commit(struct store_sql *sql);
/* ROLLBACK whatever is open; the id counters are restored. */
void store_sql_rollback(struct store_sql *sql);

/*
 * Run one job inside the open transaction, received at time now. Sets
 * job->rc and its outputs. A SUBMIT runs its reports slice_from to
 * slice_to (all of them in a job fresh from store_job_new; results of
 * other reports are left alone) and writes its evidence unless
 * job->evidence_id names the row an earlier slice committed; on failure
 * evidence_id is restored.
 *
 * isolated: the job runs in its own savepoint; one that fails on its own
 * is rolled back to it and gets STORE_TEMPFAIL, and 0 is returned; -1 means
 * the whole transaction was lost (SQLite rolled it back, e.g. on
 * SQLITE_FULL or an I/O error) and the caller must fail the group.
 *
 * Not isolated (the fast path, no savepoint per job): -1 means this job
 * failed and the transaction holds part of it; the caller must roll back
 * and run the group again isolated.
 */
int store_sql_run(struct store_sql *sql, struct store_job *job, time_t now,
    int isolated);


/*
 * Mark a job failed: rc STORE_TEMPFAIL, results zeroed (the array stays,
 * n_reports long), status and auth outputs freed.
 */
void store_sql_fail(struct store_job *job);

/*
 * Checkpoints out of COMMIT. By default SQLite checkpoints inside the
 * COMMIT that takes the WAL past 4 MiB, so that transaction pays for
 * copying the whole WAL into the database (tens of ms after a message of
 * megabytes). After store_sql_manual_checkpoints() a commit never
 * checkpoints: store_sql_checkpoint_due() says when the WAL has reached
 * 4 MiB, and the caller runs store_sql_checkpoint() (PASSIVE: it copies
 * what no reader still needs) when it suits it, outside any transaction.
 * *frames is set to the WAL's size in pages. 0, or -1 (errmsg set).
 */
void store_sql_manual_checkpoints(struct store_sql *sql);
int store_sql_checkpoint_due(struct store_sql *sql);
int store_sql_checkpoint(struct store_sql *sql, int *frames);

/*
 * Run one job (a change, from store_change_new) in a transaction of its
 * own and commit it: what intakectl does with the same changes the daemon
 * runs on its writer. 0 when committed (job->rc STORE_OK), -1 when nothing
 * was (store_sql_errmsg says why).
 */
int store_sql_apply(struct store_sql *sql, struct store_job *job, time_t now);

/*
 * store_read.c, for the store's other read modules (store_queue.c,
 * stats.c, export.c) on a reader's connection.
 */
struct store_read;
struct lifecycle_incident;

/*
 * s[0..len) in NFC and in lower case, as the SQL function fold() of a
 * reader connection lowers what is stored (NFC already): a new string
 * (free), or NULL when s is not UTF-8.
 */
char *store_read_casefold(const char *s, size_t len);

/* The connection itself. */
struct sqlite3 *store_read_db(struct store_read *rd);
/*
 * A statement kept with the connection under key (each module its own
 * range, STORE_READ_KEY_*), prepared from sql on first use, afterwards
 * reset with its bindings cleared; sql must always be the same text for
 * one key. NULL with err filled when it does not prepare or the cache is
 * full.
 */
#define STORE_READ_KEY_QUEUE	0x10000u
#define STORE_READ_KEY_STATS	0x20000u
#define STORE_READ_KEY_EXPORT	0x30000u
#define STORE_READ_KEY_AUDIT	0x40000u
struct sqlite3_stmt *store_read_keyed(struct store_read *rd, unsigned key,
    const char *sql, char *err, size_t errlen);
/* BEGIN a read transaction: one snapshot for several queries. */
int store_read_begin(struct store_read *rd, char *err, size_t errlen);
/* Reset every statement and end the open transaction, if any. */
void store_read_finish(struct store_read *rd);
/* err from the connection's last error; returns STORE_READ_ERROR. */
int store_read_error(struct store_read *rd, char *err, size_t errlen);

/*
 * An incident row: these columns, first in a SELECT ... FROM incidents
 * (not aliased), are what store_read_incident() and
 * store_read_incident_life() read.
 */
#define STORE_READ_INCIDENT_COLUMNS "incidents.id, incidents.code," \
	" incidents.status, incidents.category, incidents.severity," \
	" incidents.verified, incidents.report_count, incidents.first_seen," \
	" incidents.last_seen, incidents.claimed_by, incidents.claim_expires," \
	" incidents.system_level, incidents.detected_at," \
	" incidents.resolved_at, incidents.notified_at," \
	" (SELECT m.code FROM incidents m" \
	"  WHERE m.id = incidents.merged_into)," \
	" incidents.assessment, incidents.handling, incidents.channel"

/*
 * Aggregate reports (DMARC, SMTP TLS: statistics about mail, see
 * aggregate.h) are no incidents to triage: an incident made of nothing
 * else is left out of every queue listing and count. One condition on
 * "incidents" (not aliased), ANDed to a queue statement's WHERE.
 */
#define STORE_READ_NOT_AGGREGATE "EXISTS (SELECT 1 FROM reports qa" \
	" WHERE qa.incident_id = incidents.id AND qa.aggregate = 0)"
#define STORE_READ_INCIDENT_NCOLUMNS	19

/* Flags of store_read_incident(). */
#define STORE_INCIDENT_REPORT_IDS	0x01	/* "report_ids": every one */
#define STORE_INCIDENT_BRIEF		0x02	/* a list's: bounded reads */

/*
 * The incident in the current row of s as JSON (the fields of intakectl
 * show --json) with what is computed from it at time now (claim, serious,
 * due, deadline, overdue). NULL with err filled on error.
 */
json_t *store_read_incident(struct store_read *rd,
    struct sqlite3_stmt *s, int flags, time_t now, char *err,
    size_t errlen);
/* What the lifecycle needs of the incident whose columns start at first. */
void store_read_incident_life(struct sqlite3_stmt *s, int first,
    struct lifecycle_incident *li);

/* The last SQLite error of this connection, for the log. */
const char *store_sql_errmsg(struct store_sql *sql);

#endif
