/*
 * test_migrate.c - the migrations after version 3 (4: the outbox, 5:
 * triage) applied to a database that version 3 left, with rows in it:
 * every incident keeps its row id, code and counts; what version 5 adds
 * is filled from the reports (the first
 * report's channel, the highest system level, the earliest detection
 * time); the new statuses are accepted; the indexes exist; foreign keys
 * still hold; and the writer's own SQL runs on the result.
 *
 * The version 3 schema is written out below as it was released (a
 * fixture: the migrations themselves must never change).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "store_read.h"
#include "t.h"

static const char v3_schema[] =
	"CREATE TABLE evidence (id INTEGER PRIMARY KEY, received_at INTEGER"
	" NOT NULL, channel TEXT NOT NULL, peer TEXT, meta_json TEXT, raw BLOB);"
	"CREATE TABLE incidents (id INTEGER PRIMARY KEY, code TEXT NOT NULL,"
	" fp INTEGER NOT NULL, fingerprint BLOB NOT NULL, category TEXT NOT"
	" NULL, severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),"
	" status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new',"
	" 'triaged', 'in-progress', 'resolved', 'rejected')), verified INTEGER"
	" NOT NULL DEFAULT 0, report_count INTEGER NOT NULL DEFAULT 0,"
	" first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, claimed_by"
	" TEXT);"
	"CREATE INDEX incidents_fp ON incidents (fp);"
	"CREATE TABLE reports (id INTEGER PRIMARY KEY, code TEXT NOT NULL,"
	" incident_id INTEGER NOT NULL REFERENCES incidents (id), evidence_id"
	" INTEGER NOT NULL REFERENCES evidence (id), channel TEXT NOT NULL,"
	" received_at INTEGER NOT NULL, category TEXT NOT NULL, severity"
	" INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4), verified INTEGER"
	" NOT NULL DEFAULT 0, auto INTEGER NOT NULL DEFAULT 0, token_name TEXT,"
	" external_id TEXT, subject TEXT, description TEXT, reporter_name TEXT,"
	" reporter_email TEXT, reporter_phone TEXT, organization TEXT,"
	" operating_unit TEXT, affected_system TEXT, system_level INTEGER CHECK"
	" (system_level BETWEEN 1 AND 5), confidential INTEGER CHECK"
	" (confidential IN (0, 1)), detected_at TEXT, occurred_at TEXT, status"
	" TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'triaged',"
	" 'in-progress', 'resolved', 'rejected')), reply_duplicate INTEGER NOT"
	" NULL DEFAULT 0);"
	"CREATE UNIQUE INDEX reports_idempotency ON reports (token_name,"
	" external_id) WHERE external_id IS NOT NULL;"
	"CREATE INDEX reports_incident ON reports (incident_id);"
	"CREATE TABLE indicators (report_id INTEGER NOT NULL REFERENCES reports"
	" (id), type TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY"
	" (report_id, type, value)) WITHOUT ROWID;"
	"CREATE INDEX indicators_value ON indicators (type, value);"
	"CREATE TABLE incident_sources (incident_id INTEGER NOT NULL REFERENCES"
	" incidents (id), reporter TEXT NOT NULL, channel TEXT NOT NULL, count"
	" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (incident_id, reporter,"
	" channel)) WITHOUT ROWID;"
	"CREATE TABLE tokens (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" role TEXT NOT NULL CHECK (role IN ('submitter', 'triage', 'admin')),"
	" hash BLOB NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER);"
	"CREATE TABLE audit (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor"
	" TEXT NOT NULL, action TEXT NOT NULL, object TEXT, detail TEXT);"
	"ALTER TABLE reports ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE reports ADD COLUMN events_dropped INTEGER NOT NULL"
	" DEFAULT 0;"
	"ALTER TABLE reports ADD COLUMN receipt_hash BLOB;"
	"PRAGMA user_version = 3;";

static const char v3_rows[] =
	"INSERT INTO evidence VALUES (1, 1790000000, 'line', NULL, NULL, 'x');"
	"INSERT INTO incidents VALUES (7, 'IN-20260921-000007', 11, x'00',"
	" 'dos', 3, 'triaged', 1, 3, 1790000000, 1790000300, 'alice');"
	"INSERT INTO incidents VALUES (9, 'IN-20260921-000009', 12, x'01',"
	" 'spam', 1, 'rejected', 0, 1, 1790000100, 1790000100, NULL);"
	"INSERT INTO reports (id, code, incident_id, evidence_id, channel,"
	" received_at, category, severity, system_level, detected_at) VALUES"
	" (20, 'IR-20260921-000020', 7, 1, 'smtp', 1790000000, 'dos', 3, 2,"
	" '2026-09-20T10:00:00Z'),"
	" (21, 'IR-20260921-000021', 7, 1, 'line', 1790000200, 'dos', 3, 4,"
	" '2026-09-19T10:00:00Z'),"
	" (22, 'IR-20260921-000022', 7, 1, 'api', 1790000300, 'dos', 3, NULL,"
	" NULL),"
	" (23, 'IR-20260921-000023', 9, 1, 'web', 1790000100, 'spam', 1, NULL,"
	" NULL);"
	"INSERT INTO indicators VALUES (20, 'ipv4', '192.0.2.1');"
	"INSERT INTO incident_sources VALUES (7, 'a@x.example', 'smtp', 1);"
	"INSERT INTO audit VALUES (1, 1790000000, 'intakectl:root',"
	" 'token.add', 'p1', 'submitter');";

static long long
one(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*s;
	long long	 v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	else
		printf("query failed: %s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return v;
}

int
main(void)
{
	char			 dir[] = "/tmp/test_migrate.XXXXXX", path[256];
	char			 err[256], cmd[300];
	struct store_read	*rd;
	sqlite3			*db;

	if (mkdtemp(dir) == NULL)
		return t_skip_all("cannot make a temporary directory");
	snprintf(path, sizeof(path), "%s/intaked.db", dir);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, v3_schema, NULL, NULL, NULL) == SQLITE_OK);
	CHECK(sqlite3_exec(db, v3_rows, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);

	/* opening brings it to the newest version */
	rd = store_read_open(path, err, sizeof(err));
	CHECK(rd != NULL);
	if (rd == NULL)
		printf("open: %s\n", err);
	store_read_close(rd);

	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(one(db, "PRAGMA user_version") >= 4);
	CHECK(one(db, "SELECT count(*) FROM incidents") == 2);
	CHECK(one(db, "SELECT report_count FROM incidents WHERE id = 7 AND"
	    " code = 'IN-20260921-000007' AND status = 'triaged' AND"
	    " claimed_by = 'alice' AND first_seen = 1790000000 AND"
	    " last_seen = 1790000300 AND severity = 3") == 3);
	CHECK(one(db, "SELECT count(*) FROM incidents WHERE id = 9 AND"
	    " status = 'rejected' AND verified = 0") == 1);
	/* filled from the reports */
	CHECK(one(db, "SELECT channel = 'smtp' FROM incidents WHERE id = 7")
	    == 1);
	CHECK(one(db, "SELECT system_level FROM incidents WHERE id = 7") == 4);
	CHECK(one(db, "SELECT detected_at FROM incidents WHERE id = 7") ==
	    1789812000);	/* 2026-09-19T10:00:00Z */
	CHECK(one(db, "SELECT detected_at IS NULL AND system_level IS NULL"
	    " AND channel = 'web' FROM incidents WHERE id = 9") == 1);
	/* what refers to incidents still does, and holds */
	CHECK(one(db, "SELECT count(*) FROM reports r JOIN incidents i ON"
	    " i.id = r.incident_id") == 4);
	CHECK(one(db, "SELECT count(*) FROM pragma_foreign_key_check") == 0);
	CHECK(one(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
	    " AND name IN ('incidents_fp', 'incidents_last_seen',"
	    " 'incidents_open', 'incidents_first_seen', 'audit_incident')") ==
	    5);
	CHECK(one(db, "SELECT count(*) FROM sqlite_schema WHERE name ="
	    " 'incidents_new'") == 0);
	CHECK(sqlite3_exec(db, "UPDATE incidents SET status = 'closed' WHERE"
	    " id = 7; UPDATE incidents SET status = 'merged', merged_into = 7"
	    " WHERE id = 9", NULL, NULL, NULL) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "UPDATE incidents SET status = 'done' WHERE"
	    " id = 7", NULL, NULL, NULL) != SQLITE_OK);
	CHECK(one(db, "SELECT count(*) FROM audit WHERE incident_id IS NULL"
	    " AND peer IS NULL AND action = 'token.add'") == 1);
	sqlite3_close(db);

	/* and reopening is a no-op */
	rd = store_read_open(path, err, sizeof(err));
	CHECK(rd != NULL);
	store_read_close(rd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("cannot remove %s\n", dir);
	return t_done();
}
