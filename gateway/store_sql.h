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

/* The last SQLite error of this connection, for the log. */
const char *store_sql_errmsg(struct store_sql *sql);

#endif
