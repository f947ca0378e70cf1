/*
 * test_triage.c - triage changes (triage.h) on the writer's SQL, where
 * the black-box tests cannot reach: a split and new reports in one
 * transaction (as a group commit puts them) number their incidents
 * without colliding; a split undone with its transaction gives its
 * number back; a change runs twice (a group run again) with the same
 * result; a refusal writes nothing, not even an audit row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "ilp.h"
#include "lifecycle.h"
#include "store.h"
#include "taxonomy.h"
#include "triage.h"
#include "util.h"
#include "../../../gateway/store_sql.h"
#include "t.h"

static struct taxonomy		tax;
static struct report_limits	lim;
static char			dir[] = "/tmp/test_triage.XXXXXX";
static char			db_path[256];
static struct triage_actor	actor;

/* A one-report submission job (ILP arguments). */
static struct store_job *
report(const char *args)
{
	struct store_job	*job = store_job_new();
	struct report_error	 rerr;

	job->channel = "line";
	job->verified = 1;
	job->token_name = xstrdup("partner");
	job->reports = xcalloc(1, sizeof(*job->reports));
	job->n_reports = 1;
	if (ilp_parse_report(args, strlen(args), &tax, &lim, &job->reports[0],
	    &rerr) == -1)
		printf("bad report %s: %s\n", args, rerr.reason);
	report_fingerprint(&job->reports[0], job->reports[0].fingerprint);
	job->reports[0].has_fingerprint = 1;
	job->raw = (unsigned char *)xstrdup(args);
	job->rawlen = strlen(args);
	return job;
}

static long long
one(const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	long long	 v = -1;

	if (sqlite3_open(db_path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return v;
}

static struct triage_change *
split_of(const char *incident, const char *rid)
{
	struct triage_change	*c = triage_change_new(TRIAGE_SPLIT, &actor,
				    incident);

	c->reports = xcalloc(1, sizeof(*c->reports));
	c->n_reports = 1;
	snprintf(c->reports[0], STORE_ID_MAX, "%s", rid);
	return c;
}

static void
test_split_beside_reports(struct store_sql *sql)
{
	struct store_job	*a, *b, *sp, *n1, *n2;
	struct triage_change	*c;
	char			 iid[STORE_ID_MAX], r2[STORE_ID_MAX];
	time_t			 now = 1790000000;

	/* an incident of two reports */
	a = report("category=scan source-ip=192.0.2.1");
	b = report("category=scan source-ip=192.0.2.1");
	CHECK(store_sql_begin(sql) == 0);
	CHECK(store_sql_run(sql, a, now, 0) == 0);
	CHECK(store_sql_run(sql, b, now, 0) == 0);
	CHECK(store_sql_commit(sql) == 0);
	snprintf(iid, sizeof(iid), "%s", a->results[0].incident_id);
	snprintf(r2, sizeof(r2), "%s", b->results[0].report_id);
	CHECK(strcmp(a->results[0].incident_id, b->results[0].incident_id) ==
	    0);

	/* one transaction: a new incident, the split, another new one */
	n1 = report("category=scan source-ip=192.0.2.2");
	sp = triage_job(c = split_of(iid, r2));
	n2 = report("category=scan source-ip=192.0.2.3");
	CHECK(store_sql_begin(sql) == 0);
	CHECK(store_sql_run(sql, n1, now + 1, 1) == 0);
	CHECK(store_sql_run(sql, sp, now + 1, 1) == 0);
	CHECK(store_sql_run(sql, n2, now + 1, 1) == 0);
	CHECK(store_sql_commit(sql) == 0);
	CHECK(n1->rc == STORE_OK && sp->rc == STORE_OK && n2->rc == STORE_OK);
	CHECK(c->res.rc == TRIAGE_OK);
	CHECK(c->created[0] != '\0');
	CHECK(strcmp(c->created, n1->results[0].incident_id) != 0);
	CHECK(strcmp(c->created, n2->results[0].incident_id) != 0);
	CHECK(strcmp(n1->results[0].incident_id,
	    n2->results[0].incident_id) != 0);
	CHECK(one("SELECT count(*) FROM incidents") == 4);
	CHECK(one("SELECT sum(report_count) FROM incidents") == 4);
	CHECK(one("SELECT count(*) FROM reports") == 4);

	/* run again on a fresh transaction, a split refused writes nothing */
	store_job_free(sp);
	sp = triage_job(c = split_of(iid, r2));	/* r2 is not iid's now */
	CHECK(store_sql_begin(sql) == 0);
	CHECK(store_sql_run(sql, sp, now + 2, 0) == 0);
	CHECK(store_sql_run(sql, sp, now + 2, 0) == 0);	/* twice */
	CHECK(store_sql_commit(sql) == 0);
	CHECK(c->res.rc == TRIAGE_NOTFOUND);
	CHECK(one("SELECT count(*) FROM audit WHERE action LIKE 'split%'") ==
	    2);

	/* a split undone with its transaction gives its number back */
	store_job_free(sp);
	store_job_free(n1);
	store_job_free(a);
	store_job_free(b);
	a = report("category=scan source-ip=192.0.2.7");
	b = report("category=scan source-ip=192.0.2.7");
	CHECK(store_sql_apply(sql, a, now + 3) == 0);
	CHECK(store_sql_apply(sql, b, now + 3) == 0);
	CHECK(atoi(strrchr(a->results[0].incident_id, '-') + 1) == 5);
	sp = triage_job(c = split_of(a->results[0].incident_id,
	    b->results[0].report_id));
	CHECK(store_sql_begin(sql) == 0);
	CHECK(store_sql_run(sql, sp, now + 4, 0) == 0);
	CHECK(c->res.rc == TRIAGE_OK &&
	    atoi(strrchr(c->created, '-') + 1) == 6);
	store_sql_rollback(sql);
	n1 = report("category=scan source-ip=192.0.2.4");
	CHECK(store_sql_apply(sql, n1, now + 4) == 0);
	CHECK(atoi(strrchr(n1->results[0].incident_id, '-') + 1) == 6);
	CHECK(one("SELECT report_count FROM incidents WHERE id = 5") == 2);
	store_job_free(sp);
	store_job_free(n1);
	store_job_free(n2);
	store_job_free(a);
	store_job_free(b);
}

static void
test_claim_twice(struct store_sql *sql)
{
	struct triage_actor	 other;
	struct triage_change	*c1, *c2;
	struct store_job	*j1, *j2, *r;
	time_t			 now = 1790000100;

	r = report("category=spam source-ip=192.0.2.9");
	CHECK(store_sql_apply(sql, r, now) == 0);
	j1 = triage_job(c1 = triage_change_new(TRIAGE_CLAIM, &actor,
	    r->results[0].incident_id));
	c1->ttl = 60;
	triage_actor_set(&other, "bob", "198.51.100.1");
	j2 = triage_job(c2 = triage_change_new(TRIAGE_CLAIM, &other,
	    r->results[0].incident_id));
	c2->ttl = 60;
	/* in one transaction, as one group: the first wins */
	CHECK(store_sql_begin(sql) == 0);
	CHECK(store_sql_run(sql, j1, now, 0) == 0);
	CHECK(store_sql_run(sql, j2, now, 0) == 0);
	CHECK(store_sql_commit(sql) == 0);
	CHECK(c1->res.rc == TRIAGE_OK && c2->res.rc == TRIAGE_CONFLICT);
	CHECK_STR(c2->claimed_by, "alice");
	CHECK(c2->claim_expires == now + 60);
	/* after the lease: bob's turn */
	CHECK(store_sql_apply(sql, j2, now + 61) == 0);
	CHECK(c2->res.rc == TRIAGE_OK);
	CHECK_STR(c2->claimed_by, "bob");
	CHECK(one("SELECT first_claimed_at FROM incidents WHERE id = 7") ==
	    now);
	store_job_free(j1);
	store_job_free(j2);
	store_job_free(r);
}

int
main(void)
{
	struct store_sql	*sql;
	struct sqlite3		*db;
	char			 err[256], cmd[300];

	if (mkdtemp(dir) == NULL)
		return t_skip_all("cannot make a temporary directory");
	report_limits_default(&lim);
	if (taxonomy_parse(&tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == -1)
		return t_skip_all("taxonomy: %s", err);
	triage_actor_set(&actor, "alice", "203.0.113.5");
	snprintf(db_path, sizeof(db_path), "%s/intaked.db", dir);
	if ((db = store_sql_open(db_path, 0, err, sizeof(err))) == NULL ||
	    (sql = store_sql_new(db, 86400, err, sizeof(err))) == NULL) {
		printf("FAIL open: %s\n", err);
		return 1;
	}
	test_split_beside_reports(sql);
	test_claim_twice(sql);
	store_sql_free(sql);
	taxonomy_free(&tax);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("cannot remove %s\n", dir);
	return t_done();
}
