/*
 * test_store.c - the durable store end to end: a real event_base and the
 * writer thread, a fake clock, and a separate SQLite connection to look at
 * what was written. Covers submit, dedup (join, window expiry, same
 * fingerprint in one job and in one group), idempotent replay, a job that
 * fails alone in its group, auth (success, failure, revoked), status
 * (own reports only), the quota (temporary failure, nothing half-written,
 * recovery), reopening, queue limits, completion order, the JSON of
 * store_read (show, queue, tokens), reports marked truncated, and big
 * submissions: committed alone, in slices, with small jobs committed
 * between them, and a failure in a later slice.
 *
 * Set STORE_BENCH=N to print the commit rate of N one-KB reports (no
 * assertion is made on timings).
 */
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <jansson.h>
#include <sqlite3.h>

#include "ilp.h"
#include "store.h"
#include "store_read.h"
#include "taxonomy.h"
#include "util.h"
#include "t.h"

#define MAX_DONE	8192

static struct taxonomy		tax;
static struct report_limits	lim;
static struct event_base	*base;
static struct store_job		*done_jobs[MAX_DONE];
static int			 n_done;
static time_t			 fake_now;
static char			 dir[] = "/tmp/test_store.XXXXXX";
static char			 db_path[256];
static const char		*db_cur = db_path;	/* what count() reads */

static time_t
fake_clock(void)
{
	return fake_now;
}

static void
on_done(struct store_job *job, void *arg)
{
	if (n_done < MAX_DONE)
		done_jobs[n_done++] = job;
	else
		store_job_free(job);
}

static void
tick(evutil_socket_t fd, short what, void *arg)
{
}

/* Run the loop until `want' completions have arrived (or 30 s passed). */
static void
wait_done(int want)
{
	time_t	deadline = time(NULL) + 30;

	while (n_done < want && time(NULL) < deadline)
		event_base_loop(base, EVLOOP_ONCE);
}

static void
free_done(void)
{
	int	i;

	for (i = 0; i < n_done; i++)
		store_job_free(done_jobs[i]);
	n_done = 0;
}

/*
 * A SUBMIT job from ILP-style report arguments (NULL-terminated list);
 * token may be NULL.
 */
static struct store_job *
job_submit(const char *token, int verified, const char *peer, ...)
{
	struct store_job	*job = store_job_new();
	struct report_error	 err;
	const char		*args;
	va_list			 ap;

	job->channel = "line";
	job->token_name = token ? xstrdup(token) : NULL;
	job->verified = verified;
	job->peer = peer ? xstrdup(peer) : NULL;
	job->meta_json = xstrdup("{\"tls\":false}");
	va_start(ap, peer);
	while ((args = va_arg(ap, const char *)) != NULL) {
		job->reports = xrealloc(job->reports,
		    (job->n_reports + 1) * sizeof(*job->reports));
		if (ilp_parse_report(args, strlen(args), &tax, &lim,
		    &job->reports[job->n_reports], &err) == -1)
			printf("bad test report \"%s\": %s %s\n", args,
			    err.field, err.reason);
		job->n_reports++;
		if (job->raw == NULL) {
			job->raw = (unsigned char *)xstrdup(args);
			job->rawlen = strlen(args);
		}
	}
	va_end(ap);
	job->done = on_done;
	return job;
}

/*
 * Check secret through the reader side (what the daemon's reader threads
 * do): STORE_READ_OK (and then the token's name and role must be those
 * given), _NOTFOUND or _ERROR.
 */
static int
check_token(struct store_read *rd, const char *secret, const char *name,
    const char *role)
{
	char	*n, *r, err[256];
	int	 rc;

	rc = store_read_token_check(rd, secret, &n, &r, err, sizeof(err));
	if (rc == STORE_READ_OK) {
		CHECK_STR(n, name);
		CHECK_STR(r, role);
		free(n);
		free(r);
	} else
		CHECK(n == NULL && r == NULL);
	return rc;
}

/* The status STATUS would answer, or NULL (not found, not owner's). */
static char *
report_status(struct store_read *rd, const char *owner, const char *id)
{
	char	*status, err[256];
	int	 rc;

	rc = store_read_report_status(rd, id, owner, &status, err,
	    sizeof(err));
	CHECK(rc == STORE_READ_OK || rc == STORE_READ_NOTFOUND);
	CHECK((rc == STORE_READ_OK) == (status != NULL));
	return status;
}

/* Enqueue one job and wait for it; the caller frees the result. */
static struct store_job *
run(struct store *st, struct store_job *job)
{
	int	before = n_done;

	if (store_enqueue(st, job) == -1) {
		printf("enqueue refused\n");
		store_job_free(job);
		return NULL;
	}
	wait_done(before + 1);
	if (n_done != before + 1)
		return NULL;
	n_done--;
	return done_jobs[n_done];
}

static long long
count(const char *table)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	char		 sql[128];
	long long	 n = -1;

	if (sqlite3_open_v2(db_cur, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

static int
sql_exec(const char *sql)
{
	sqlite3	*db;
	int	 rc;

	if (sqlite3_open(db_cur, &db) != SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 5000);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static struct store *
open_store(const char *path, long long window, size_t batch, size_t qmax,
    long long max_bytes)
{
	struct store_options	opt;
	struct store		*st;
	char			err[256];

	memset(&opt, 0, sizeof(opt));
	opt.path = path;
	opt.dedup_window = window;
	opt.batch_max = batch;
	opt.queue_max = qmax;
	opt.max_bytes = max_bytes;
	if ((st = store_open(&opt, err, sizeof(err))) == NULL) {
		printf("store_open: %s\n", err);
		return NULL;
	}
	store_set_clock(st, fake_clock);
	return st;
}

static const char *
jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* One report, a duplicate, a new incident, the window, severity, verified. */
static void
test_submit_dedup(struct store *st)
{
	struct store_job	*j;
	char			 first_incident[STORE_ID_MAX];

	j = run(st, job_submit(NULL, 0, "192.0.2.7",
	    "category=phishing url=http://Example.ORG/login severity=low",
	    NULL));
	CHECK(j != NULL && j->rc == STORE_OK);
	if (j == NULL)
		return;
	CHECK_STR(j->results[0].report_id, "IR-20261121-000001");
	CHECK_STR(j->results[0].incident_id, "IN-20261121-000001");
	CHECK(j->results[0].duplicate == 0 && j->results[0].replayed == 0);
	snprintf(first_incident, sizeof(first_incident), "%s",
	    j->results[0].incident_id);
	store_job_free(j);

	/* same category and indicator an hour later, verified, higher */
	fake_now += 3600;
	j = run(st, job_submit(NULL, 1, "192.0.2.8",
	    "category=phishing url=http://example.org/login severity=high "
	    "reporter-email=soc@example.net", NULL));
	CHECK(j != NULL && j->rc == STORE_OK);
	if (j != NULL) {
		CHECK_STR(j->results[0].report_id, "IR-20261121-000002");
		CHECK_STR(j->results[0].incident_id, first_incident);
		CHECK(j->results[0].duplicate == 1);
		store_job_free(j);
	}

	/* another category: another incident */
	j = run(st, job_submit(NULL, 0, "192.0.2.7",
	    "category=malware url=http://example.org/login", NULL));
	CHECK(j != NULL && j->rc == STORE_OK);
	if (j != NULL) {
		CHECK_STR(j->results[0].incident_id, "IN-20261121-000002");
		CHECK(j->results[0].duplicate == 0);
		store_job_free(j);
	}

	/* past the window (2 h here): a new incident, on a new day */
	fake_now += 86400;
	j = run(st, job_submit(NULL, 0, "192.0.2.7",
	    "category=phishing url=http://example.org/login", NULL));
	CHECK(j != NULL && j->rc == STORE_OK);
	if (j != NULL) {
		CHECK_STR(j->results[0].report_id, "IR-20261122-000004");
		CHECK_STR(j->results[0].incident_id, "IN-20261122-000003");
		CHECK(j->results[0].duplicate == 0);
		store_job_free(j);
	}
	CHECK(count("reports") == 4);
	CHECK(count("incidents") == 3);
	CHECK(count("evidence") == 4);
	CHECK(count("indicators") == 4);
	/* the audit trail is for operators' changes, not for submissions */
	CHECK(count("audit") == 0);
}

/* Two reports of one job, then two jobs of one group, share a fingerprint. */
static void
test_same_batch(struct store *st)
{
	struct store_job	*j;

	fake_now += 10;
	j = run(st, job_submit("partner", 1, "198.51.100.1",
	    "category=scan source-ip=203.0.113.9",
	    "category=scan source-ip=203.0.113.9 description=again",
	    "category=spam description=Buy%20now", NULL));
	CHECK(j != NULL && j->rc == STORE_OK && j->n_reports == 3);
	if (j == NULL)
		return;
	CHECK(j->results[0].duplicate == 0 && j->results[1].duplicate == 1);
	CHECK_STR(j->results[1].incident_id, j->results[0].incident_id);
	CHECK(strcmp(j->results[2].incident_id, j->results[0].incident_id) != 0);
	CHECK(strcmp(j->results[1].report_id, j->results[0].report_id) != 0);
	store_job_free(j);
	CHECK(count("evidence") == 5);	/* one per submission */
}

/* A group enqueued before the writer starts is one transaction. */
static void
test_group(const char *path)
{
	struct store		*st;
	struct store_job	*j;
	int			 i;

	n_done = 0;
	db_cur = path;
	if ((st = open_store(path, 60, 16, 8, 0)) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_enqueue(st, job_submit(NULL, 0, "a",
	    "category=dos target-ip=192.0.2.50", NULL)) == 0);
	/* no category: fails alone, rolled back to its savepoint */
	j = job_submit(NULL, 0, "b", "category=dos source-ip=192.0.2.51",
	    NULL);
	j->reports[0].category = NULL;
	CHECK(store_enqueue(st, j) == 0);
	CHECK(store_enqueue(st, job_submit(NULL, 0, "c",
	    "category=dos target-ip=192.0.2.50", NULL)) == 0);
	CHECK(store_pending(st) == 3);
	for (i = 0; i < 5; i++)
		CHECK(store_enqueue(st, job_submit(NULL, 0, "d",
		    "category=dos target-ip=192.0.2.52", NULL)) == 0);
	/* queue_max 8 reached: refused, the caller keeps the job */
	j = job_submit(NULL, 0, "e", "category=dos target-ip=192.0.2.52",
	    NULL);
	CHECK(store_enqueue(st, j) == -1);
	store_job_free(j);
	CHECK(store_start(st, base) == 0);
	wait_done(8);
	CHECK(n_done == 8);
	if (n_done == 8) {
		CHECK(done_jobs[0]->rc == STORE_OK);
		CHECK(done_jobs[1]->rc == STORE_TEMPFAIL);
		CHECK(done_jobs[2]->rc == STORE_OK);
		CHECK(done_jobs[2]->results[0].duplicate == 1);
		CHECK_STR(done_jobs[2]->results[0].incident_id,
		    done_jobs[0]->results[0].incident_id);
		/* the failed job's id was given back */
		CHECK_STR(done_jobs[2]->results[0].report_id,
		    "IR-20261123-000002");
		CHECK(done_jobs[7]->rc == STORE_OK &&
		    done_jobs[7]->results[0].duplicate == 1);
	}
	CHECK(store_pending(st) == 0);
	free_done();
	store_stop(st);
	j = job_submit(NULL, 0, "f", "category=dos target-ip=192.0.2.53",
	    NULL);
	CHECK(store_enqueue(st, j) == -1);
	store_job_free(j);
	store_close(st);
	CHECK(count("reports") == 7 && count("evidence") == 7);
	db_cur = db_path;
}

static void
test_replay(struct store *st)
{
	struct store_job	*j;
	char			 rid[STORE_ID_MAX], iid[STORE_ID_MAX];
	long long		 nrep;

	fake_now += 5;
	j = run(st, job_submit("partner", 1, "198.51.100.1",
	    "category=scan source-ip=203.0.113.9 external-id=T-1", NULL));
	CHECK(j != NULL && j->rc == STORE_OK);
	if (j == NULL)
		return;
	CHECK(j->results[0].duplicate == 1 && j->results[0].replayed == 0);
	snprintf(rid, sizeof(rid), "%s", j->results[0].report_id);
	snprintf(iid, sizeof(iid), "%s", j->results[0].incident_id);
	store_job_free(j);
	nrep = count("reports");

	/* the retry: same reply, nothing stored, not even evidence */
	fake_now += 5;
	j = run(st, job_submit("partner", 1, "198.51.100.1",
	    "category=scan source-ip=203.0.113.9 external-id=T-1", NULL));
	CHECK(j != NULL && j->rc == STORE_OK);
	if (j != NULL) {
		CHECK_STR(j->results[0].report_id, rid);
		CHECK_STR(j->results[0].incident_id, iid);
		CHECK(j->results[0].replayed == 1 &&
		    j->results[0].duplicate == 1);
		store_job_free(j);
	}
	CHECK(count("reports") == nrep);
	CHECK(count("evidence") == 6);

	/* another token with the same external-id is another report */
	j = run(st, job_submit("other", 1, NULL,
	    "category=scan source-ip=203.0.113.9 external-id=T-1", NULL));
	CHECK(j != NULL && j->rc == STORE_OK);
	if (j != NULL) {
		CHECK(strcmp(j->results[0].report_id, rid) != 0);
		CHECK(j->results[0].replayed == 0);
		store_job_free(j);
	}
	/* the same external-id twice in one job: the second replays */
	j = run(st, job_submit("partner", 1, NULL,
	    "category=spam description=one external-id=T-2",
	    "category=spam description=two external-id=T-2", NULL));
	CHECK(j != NULL && j->rc == STORE_OK);
	if (j != NULL) {
		CHECK(j->results[1].replayed == 1);
		CHECK_STR(j->results[1].report_id, j->results[0].report_id);
		store_job_free(j);
	}
	CHECK(count("reports") == nrep + 2);
}

static void
test_auth_status(struct store_read *rd)
{
	char			 tok[64], err[256], *status;
	int			 already;

	CHECK(token_generate(tok, sizeof(tok)) == 0);
	CHECK(store_read_token_add(rd, "partner", "submitter", tok, "test",
	    err, sizeof(err)) == STORE_READ_OK);
	CHECK(store_read_token_add(rd, "partner", "admin", "zzz", "test",
	    err, sizeof(err)) == STORE_READ_EXISTS);
	CHECK(store_read_token_add(rd, "bad name", "admin", "zzz", "test",
	    err, sizeof(err)) == STORE_READ_INVALID);
	CHECK(store_read_token_add(rd, "x", "root", "zzz", "test",
	    err, sizeof(err)) == STORE_READ_INVALID);
	CHECK(store_read_token_add(rd, "triager", "triage", "other-secret",
	    "test", err, sizeof(err)) == STORE_READ_OK);

	CHECK(check_token(rd, tok, "partner", "submitter") == STORE_READ_OK);
	CHECK(check_token(rd, "other-secret", "triager", "triage") ==
	    STORE_READ_OK);
	CHECK(check_token(rd, "itk_wrong", NULL, NULL) == STORE_READ_NOTFOUND);

	CHECK(store_read_token_revoke(rd, "partner", "test", &already, err,
	    sizeof(err)) == STORE_READ_OK && already == 0);
	CHECK(store_read_token_revoke(rd, "partner", "test", &already, err,
	    sizeof(err)) == STORE_READ_OK && already == 1);
	CHECK(store_read_token_revoke(rd, "ghost", "test", &already, err,
	    sizeof(err)) == STORE_READ_NOTFOUND);
	CHECK(check_token(rd, tok, NULL, NULL) == STORE_READ_NOTFOUND);
	CHECK(count("audit WHERE action LIKE 'token.%'") == 3);

	/* STATUS: own reports only when a token is given */
	status = report_status(rd, "partner", "IR-20261122-000005");
	CHECK_STR(status, "new");
	free(status);
	CHECK(report_status(rd, "other", "IR-20261122-000005") == NULL);
	CHECK(report_status(rd, "partner", "IR-20261121-000001") == NULL);
	CHECK(report_status(rd, NULL, "IR-20991231-999999") == NULL);
	CHECK(sql_exec("UPDATE incidents SET status = 'triaged' WHERE code = "
	    "'IN-20261121-000001'") == 0);
	status = report_status(rd, NULL, "IR-20261121-000002");
	CHECK_STR(status, "triaged");
	free(status);
}

static void
test_show(struct store_read *rd)
{
	json_t	*o, *ind, *rep, *meta;
	char	 err[256];

	CHECK(store_read_show(rd, "IR-20261121-000002", &o, err,
	    sizeof(err)) == STORE_READ_OK);
	if (o != NULL) {
		CHECK_STR(jstr(o, "id"), "IR-20261121-000002");
		CHECK_STR(jstr(o, "incident"), "IN-20261121-000001");
		CHECK_STR(jstr(o, "channel"), "line");
		CHECK_STR(jstr(o, "received_at"), "2026-11-21T11:00:00Z");
		CHECK_STR(jstr(o, "category"), "phishing");
		CHECK_STR(jstr(o, "severity"), "high");
		CHECK(json_is_true(json_object_get(o, "verified")));
		CHECK(json_is_false(json_object_get(o, "auto")));
		CHECK(json_is_null(json_object_get(o, "subject")));
		CHECK(json_is_null(json_object_get(o, "description")));
		ind = json_object_get(o, "indicators");
		CHECK(json_array_size(ind) == 1);
		CHECK_STR(jstr(json_array_get(ind, 0), "type"), "url");
		rep = json_object_get(o, "reporter");
		CHECK_STR(jstr(rep, "email"), "soc@example.net");
		CHECK(json_is_null(json_object_get(rep, "name")));
		CHECK(json_object_get(rep, "organization") != NULL);
		CHECK_STR(jstr(o, "status"), "triaged");
		CHECK_STR(jstr(json_object_get(o, "evidence"), "peer"),
		    "192.0.2.8");
		meta = json_object_get(json_object_get(o, "evidence"), "meta");
		CHECK(json_is_object(meta) &&
		    json_is_false(json_object_get(meta, "tls")));
		json_decref(o);
	}

	/* lower case is accepted */
	CHECK(store_read_show(rd, "in-20261121-000001", &o, err,
	    sizeof(err)) == STORE_READ_OK);
	if (o != NULL) {
		CHECK_STR(jstr(o, "id"), "IN-20261121-000001");
		CHECK_STR(jstr(o, "status"), "triaged");
		CHECK_STR(jstr(o, "severity"), "high");	/* max(low, high) */
		CHECK(json_is_true(json_object_get(o, "verified")));
		CHECK(json_integer_value(json_object_get(o, "reports")) == 2);
		CHECK_STR(jstr(o, "first_seen"), "2026-11-21T10:00:00Z");
		CHECK_STR(jstr(o, "last_seen"), "2026-11-21T11:00:00Z");
		CHECK(json_array_size(json_object_get(o, "indicators")) == 1);
		CHECK_STR(json_string_value(json_array_get(json_object_get(o,
		    "channels"), 0)), "line");
		CHECK(json_array_size(json_object_get(o, "sources")) == 2);
		CHECK(json_array_size(json_object_get(o, "report_ids")) == 2);
		json_decref(o);
	}
	CHECK(store_read_show(rd, "IR-20261121-999999", &o, err,
	    sizeof(err)) == STORE_READ_NOTFOUND && o == NULL);
	CHECK(store_read_show(rd, "XX-1", &o, err, sizeof(err)) ==
	    STORE_READ_INVALID);
}

static void
test_queue(struct store_read *rd)
{
	struct store_queue_filter	f;
	json_t				*q, *tl;
	char				 err[256];
	size_t				 i;
	const char			*prev = NULL, *cur;
	int				 sorted = 1;

	memset(&f, 0, sizeof(f));
	/*
	 * verified and open: the phishing one (triaged), the partner's scan
	 * and its two spam incidents; the rest are unverified
	 */
	CHECK(store_read_queue(rd, &f, &q, err, sizeof(err)) ==
	    STORE_READ_OK);
	CHECK(json_array_size(q) == 4);
	for (i = 0; i < json_array_size(q); i++) {
		CHECK(json_is_true(json_object_get(json_array_get(q, i),
		    "verified")));
		cur = jstr(json_array_get(q, i), "last_seen");
		if (prev != NULL && strcmp(prev, cur) < 0)
			sorted = 0;
		prev = cur;
	}
	CHECK(sorted);
	json_decref(q);

	f.all = 1;
	CHECK(store_read_queue(rd, &f, &q, err, sizeof(err)) ==
	    STORE_READ_OK);
	CHECK((long long)json_array_size(q) == count("incidents"));
	json_decref(q);

	f.all = 0;
	f.status = "triaged";
	CHECK(store_read_queue(rd, &f, &q, err, sizeof(err)) ==
	    STORE_READ_OK);
	CHECK(json_array_size(q) == 1);
	CHECK_STR(jstr(json_array_get(q, 0), "id"), "IN-20261121-000001");
	CHECK(json_object_get(json_array_get(q, 0), "report_ids") == NULL);
	json_decref(q);

	CHECK(sql_exec("UPDATE incidents SET status = 'resolved' WHERE code ="
	    " 'IN-20261121-000001'") == 0);
	f.status = NULL;
	CHECK(store_read_queue(rd, &f, &q, err, sizeof(err)) ==
	    STORE_READ_OK);
	CHECK(json_array_size(q) == 3);
	json_decref(q);
	f.status = "bogus";
	CHECK(store_read_queue(rd, &f, &q, err, sizeof(err)) ==
	    STORE_READ_INVALID);

	CHECK(store_read_token_list(rd, &tl, err, sizeof(err)) ==
	    STORE_READ_OK);
	CHECK(json_array_size(tl) == 2);
	CHECK_STR(jstr(json_array_get(tl, 0), "name"), "partner");
	CHECK(json_is_string(json_object_get(json_array_get(tl, 0),
	    "revoked_at")));
	CHECK(json_is_null(json_object_get(json_array_get(tl, 1),
	    "revoked_at")));
	CHECK(json_object_get(json_array_get(tl, 0), "hash") == NULL);
	json_decref(tl);
}

/* Many jobs, small groups: completions come back in enqueue order. */
static void
test_order(struct store *st)
{
	struct store_job	*j;
	char			 args[128];
	int			 i, ordered = 1;

	fake_now += 100;
	for (i = 0; i < 300; i++) {
		snprintf(args, sizeof(args), "category=scan "
		    "source-ip=10.0.%d.%d", i / 250, i % 250 + 1);
		j = job_submit(NULL, 0, "peer", args, NULL);
		j->arg = (void *)(long)i;
		if (store_enqueue(st, j) == -1) {
			store_job_free(j);
			break;
		}
	}
	CHECK(i == 300);
	wait_done(i);
	CHECK(n_done == 300);
	for (i = 0; i < n_done; i++)
		if (done_jobs[i]->arg != (void *)(long)i ||
		    done_jobs[i]->rc != STORE_OK)
			ordered = 0;
	CHECK(ordered);
	free_done();
}

/* The quota: full behaves like a full disk, and the store recovers. */
static void
test_quota(const char *path)
{
	struct store		*st;
	struct store_job	*j;
	char			*big;
	long long		 ev, rep, inc;

	n_done = 0;
	db_cur = path;
	if ((st = open_store(path, 60, 64, 64, 0)) == NULL) {
		CHECK(0);
		return;
	}
	store_close(st);
	/* schema only, about 80 KiB: allow a little more than that */
	if ((st = open_store(path, 60, 64, 64, 160 * 1024)) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_start(st, base) == 0);
	j = run(st, job_submit(NULL, 0, "p", "category=test description=a",
	    NULL));
	CHECK(j != NULL && j->rc == STORE_OK);
	store_job_free(j);
	ev = count("evidence");
	rep = count("reports");
	inc = count("incidents");

	big = xmalloc(512 * 1024);
	memset(big, 'x', 512 * 1024);
	j = job_submit(NULL, 0, "p", "category=test description=big", NULL);
	free(j->raw);
	j->raw = (unsigned char *)big;
	j->rawlen = 512 * 1024;
	j = run(st, j);
	CHECK(j != NULL && j->rc == STORE_TEMPFAIL);
	CHECK(j != NULL && j->results != NULL &&
	    j->results[0].report_id[0] == '\0');
	store_job_free(j);
	CHECK(count("evidence") == ev && count("reports") == rep &&
	    count("incidents") == inc);

	/* a small one still fits: the failure did not wedge the store */
	j = run(st, job_submit(NULL, 0, "p", "category=test description=b",
	    NULL));
	CHECK(j != NULL && j->rc == STORE_OK);
	store_job_free(j);

	/* raise the quota: the big one goes through */
	store_stop(st);
	store_close(st);
	if ((st = open_store(path, 60, 64, 64, 4 * 1024 * 1024)) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_start(st, base) == 0);
	big = xmalloc(512 * 1024);
	memset(big, 'y', 512 * 1024);
	j = job_submit(NULL, 0, "p", "category=test description=big", NULL);
	free(j->raw);
	j->raw = (unsigned char *)big;
	j->rawlen = 512 * 1024;
	j = run(st, j);
	CHECK(j != NULL && j->rc == STORE_OK);
	store_job_free(j);
	CHECK(count("evidence") == ev + 2);
	store_stop(st);
	store_close(st);
	db_cur = db_path;
}

/* The row id of report code "IR-YYYYMMDD-NNNNNN". */
static long long
code_id(const char *code)
{
	return strlen(code) > 12 ? atoll(code + 12) : -1;
}

/*
 * A mail-like SUBMIT of n reports (category scan, one IPv4 each, from
 * 10.<tag>.x.y), every one marked truncated with `dropped' events left
 * out when dropped > 0, and a raw message of rawlen bytes.
 */
static struct store_job *
job_many(int tag, size_t n, size_t dropped, size_t rawlen)
{
	struct store_job	*job = store_job_new();
	struct report_error	 err;
	char			 args[128];
	size_t			 i;

	job->channel = "smtp";
	job->peer = xstrdup("198.51.100.25");
	job->raw = xmalloc(rawlen + 1);
	memset(job->raw, 'm', rawlen);
	job->rawlen = rawlen;
	job->reports = xcalloc(n, sizeof(*job->reports));
	for (i = 0; i < n; i++) {
		snprintf(args, sizeof(args), "category=scan "
		    "source-ip=10.%d.%zu.%zu", tag, i / 250, i % 250 + 1);
		if (ilp_parse_report(args, strlen(args), &tax, &lim,
		    &job->reports[i], &err) == -1)
			printf("bad test report \"%s\"\n", args);
		job->reports[i].truncated = dropped > 0;
		job->reports[i].events_dropped = dropped;
	}
	job->n_reports = n;
	job->done = on_done;
	return job;
}

/* 1 when every result of a finished job names a report and an incident. */
static int
all_stored(const struct store_job *j)
{
	size_t	i;

	for (i = 0; i < j->n_reports; i++)
		if (j->results[i].report_id[0] == '\0' ||
		    j->results[i].incident_id[0] == '\0')
			return 0;
	return 1;
}

/*
 * Big submissions. Queued before the writer starts: small a, BIG (600
 * reports, several slices), small c, BIG2 (300 reports), small e. The
 * writer commits a alone (the group ends before BIG), then BIG's first
 * slice, then c and e (from behind BIG2, which keeps its turn) between
 * BIG's slices, then the rest of BIG, then BIG2. So: a's report comes
 * before all of BIG's, c's falls between BIG's first and last, and BIG's
 * 600 reports share one evidence row. Then a big job whose last report
 * fails: STORE_TEMPFAIL, its earlier slices stay, the store goes on.
 * Finally, truncated and events_dropped as store_read shows them.
 */
static void
test_big(const char *path)
{
	struct store		*st;
	struct store_read	*rd;
	struct store_job	*j, *a, *big, *c, *big2, *e;
	json_t			*o;
	char			 err[256], rid[STORE_ID_MAX];
	long long		 before, ev;

	n_done = 0;
	db_cur = path;
	if ((st = open_store(path, 3600, 1024, 1024, 0)) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_enqueue(st, job_submit(NULL, 0, "a",
	    "category=spam description=a", NULL)) == 0);
	CHECK(store_enqueue(st, job_many(1, 600, 0, 2000)) == 0);
	CHECK(store_enqueue(st, job_submit(NULL, 0, "c",
	    "category=spam description=c", NULL)) == 0);
	CHECK(store_enqueue(st, job_many(2, 300, 0, 2000)) == 0);
	CHECK(store_enqueue(st, job_submit(NULL, 0, "e",
	    "category=spam description=e", NULL)) == 0);
	CHECK(store_start(st, base) == 0);
	wait_done(5);
	CHECK(n_done == 5);
	if (n_done != 5)
		goto out;
	a = done_jobs[0];
	c = done_jobs[1];
	e = done_jobs[2];
	big = done_jobs[3];
	big2 = done_jobs[4];
	CHECK(a->n_reports == 1 && c->n_reports == 1 && e->n_reports == 1);
	CHECK(big->n_reports == 600 && big2->n_reports == 300);
	CHECK(a->rc == STORE_OK && big->rc == STORE_OK && c->rc == STORE_OK &&
	    big2->rc == STORE_OK && e->rc == STORE_OK);
	CHECK(all_stored(big) && all_stored(big2));
	CHECK(code_id(a->results[0].report_id) <
	    code_id(big->results[0].report_id));
	CHECK(code_id(c->results[0].report_id) >
	    code_id(big->results[0].report_id));
	CHECK(code_id(c->results[0].report_id) <
	    code_id(big->results[599].report_id));
	CHECK(code_id(e->results[0].report_id) <
	    code_id(big->results[599].report_id));
	CHECK(code_id(big2->results[0].report_id) >
	    code_id(big->results[599].report_id));
	CHECK(count("reports") == 903 && count("evidence") == 5);
	CHECK(count("indicators") == 900);
	free_done();

	/* the last report cannot be stored: the job fails, late */
	before = count("reports");
	ev = count("evidence");
	j = job_many(3, 600, 0, 2000);
	j->reports[599].category = NULL;
	j = run(st, j);
	CHECK(j != NULL && j->rc == STORE_TEMPFAIL);
	CHECK(j != NULL && j->results != NULL &&
	    j->results[0].report_id[0] == '\0');
	store_job_free(j);
	/* the slices committed before the failure stay (see store.c) */
	CHECK(count("reports") > before && count("reports") < before + 599);
	CHECK(count("evidence") == ev + 1);
	j = run(st, job_submit(NULL, 0, "f", "category=spam description=f",
	    NULL));
	CHECK(j != NULL && j->rc == STORE_OK);
	store_job_free(j);

	/* a truncated submission, as intakectl shows it */
	j = run(st, job_many(4, 3, 99997, 64));
	CHECK(j != NULL && j->rc == STORE_OK);
	snprintf(rid, sizeof(rid), "%s", j ? j->results[2].report_id : "");
	store_job_free(j);
	if ((rd = store_read_open(path, err, sizeof(err))) == NULL) {
		CHECK(0);
		goto out;
	}
	CHECK(store_read_show(rd, rid, &o, err, sizeof(err)) ==
	    STORE_READ_OK);
	if (o != NULL) {
		CHECK(json_is_true(json_object_get(o, "truncated")));
		CHECK(json_integer_value(json_object_get(o,
		    "events_dropped")) == 99997);
		json_decref(o);
	}
	j = run(st, job_submit(NULL, 0, "g", "category=spam description=g",
	    NULL));
	CHECK(j != NULL && j->rc == STORE_OK);
	snprintf(rid, sizeof(rid), "%s", j ? j->results[0].report_id : "");
	store_job_free(j);
	CHECK(store_read_show(rd, rid, &o, err, sizeof(err)) ==
	    STORE_READ_OK);
	if (o != NULL) {
		CHECK(json_is_false(json_object_get(o, "truncated")));
		CHECK(json_integer_value(json_object_get(o,
		    "events_dropped")) == 0);
		json_decref(o);
	}
	store_read_close(rd);
 out:
	free_done();
	store_stop(st);
	store_close(st);
	db_cur = db_path;
}

/*
 * intakectl before the daemon ever ran: store_read creates the schema, the
 * token it adds works in the store; a database from a newer program is
 * refused.
 */
static void
test_fresh(const char *path)
{
	struct store_read	*rd;
	struct store		*st;
	struct store_job	*j;
	char			 err[256];

	n_done = 0;
	db_cur = path;
	rd = store_read_open(path, err, sizeof(err));
	CHECK(rd != NULL);
	if (rd == NULL)
		return;
	CHECK(store_read_token_add(rd, "early", "admin", "early-secret",
	    "test", err, sizeof(err)) == STORE_READ_OK);
	store_read_close(rd);
	CHECK(count("tokens") == 1);
	if ((st = open_store(path, 60, 8, 8, 0)) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_start(st, base) == 0);
	if ((rd = store_read_open(path, err, sizeof(err))) != NULL) {
		CHECK(check_token(rd, "early-secret", "early", "admin") ==
		    STORE_READ_OK);
		store_read_close(rd);
	} else
		CHECK(0);
	/* a submission without any report keeps its evidence alone */
	j = store_job_new();
	j->channel = "smtp";
	j->raw = (unsigned char *)xstrdup("From: a@example.org\r\n\r\nhi");
	j->rawlen = strlen((char *)j->raw);
	j->done = on_done;
	j = run(st, j);
	CHECK(j != NULL && j->rc == STORE_OK);
	store_job_free(j);
	CHECK(count("evidence") == 1 && count("reports") == 0);
	store_stop(st);
	store_close(st);

	CHECK(sql_exec("PRAGMA user_version = 999") == 0);
	st = open_store(path, 60, 8, 8, 0);
	CHECK(st == NULL);
	store_close(st);
	rd = store_read_open(path, err, sizeof(err));
	CHECK(rd == NULL && strstr(err, "newer") != NULL);
	store_read_close(rd);
	db_cur = db_path;
}

/*
 * Optional throughput figure: STORE_BENCH=N one-KB reports. The jobs are
 * built (parsed) beforehand, in chunks, so that only the store is timed.
 */
static void
bench(const char *path, int n)
{
	struct store		*st;
	struct store_job	**jobs;
	struct timespec		 t0, t1;
	char			 args[1200], desc[1024];
	int			 i, k, sent = 0, chunk = MAX_DONE;
	double			 secs = 0;

	if ((st = open_store(path, 86400, 1024, 65536, 0)) == NULL)
		return;
	store_start(st, base);
	memset(desc, 'a', 900);
	desc[900] = '\0';
	jobs = xcalloc(chunk, sizeof(*jobs));
	while (sent < n) {
		for (k = 0; k < chunk && sent + k < n; k++) {
			i = sent + k;
			snprintf(args, sizeof(args), "category=scan "
			    "source-ip=10.%d.%d.%d description=%s",
			    (i >> 16) & 255, (i >> 8) & 255, i & 255, desc);
			jobs[k] = job_submit("bench", 1, "p", args, NULL);
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (i = 0; i < k; i++)
			if (store_enqueue(st, jobs[i]) == -1)
				store_job_free(jobs[i]);
		wait_done(k);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs += (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		sent += k;
		free_done();
	}
	free(jobs);
	printf("bench: %d reports in %.2f s: %.0f reports/s\n", n, secs,
	    n / secs);
	store_stop(st);
	store_close(st);
}

static int
remove_entry(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	return remove(path);
}

/* rm -rf top, without a shell. */
static void
remove_tree(const char *top)
{
	(void)nftw(top, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* --- changes: writes of their own in the writer's transaction --------- */

struct change_probe {
	const char	*sql;		/* run once per call */
	int		 fail;		/* return -1 after running it */
	int		 runs;
	char		 first_code[STORE_ID_MAX];	/* job->results[0] seen */
};

static const char change_note_sql[] =
    "INSERT INTO audit (at, actor, action, object) VALUES (?1, 'test', ?2, ?3)";

static int
change_note(struct store_tx *tx, struct store_job *job, void *arg)
{
	struct change_probe	*p = arg;
	sqlite3_stmt		*s = store_tx_stmt(tx, change_note_sql);

	p->runs++;
	p->first_code[0] = '\0';
	if (job->n_reports > 0)
		snprintf(p->first_code, sizeof(p->first_code), "%s",
		    job->results[0].report_id);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (long long)store_tx_now(tx));
	sqlite3_bind_text(s, 2, p->sql, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, p->first_code, -1, SQLITE_STATIC);
	if (store_tx_exec(tx, s) == -1)
		return -1;
	return p->fail ? -1 : 0;
}

/*
 * A change alone commits without evidence; one that fails leaves nothing
 * and fails only its own job in the group; one beside a submission sees
 * its report codes and commits with them.
 */
static void
test_changes(const char *path)
{
	struct store		*st;
	struct store_job	*a, *b, *c;
	struct change_probe	 pa = { "alone", 0, 0, "" };
	struct change_probe	 pb = { "failing", 1, 0, "" };
	struct change_probe	 pc = { "beside", 0, 0, "" };

	n_done = 0;
	db_cur = path;
	if ((st = open_store(path, 60, 16, 64, 0)) == NULL) {
		CHECK(0);
		return;
	}
	a = store_change_new(change_note, &pa, NULL);
	a->done = on_done;
	b = store_change_new(change_note, &pb, NULL);
	b->done = on_done;
	c = job_submit(NULL, 0, "c", "category=dos target-ip=192.0.2.70",
	    NULL);
	c->change = change_note;
	c->change_arg = &pc;
	CHECK(store_enqueue(st, a) == 0);
	CHECK(store_enqueue(st, b) == 0);
	CHECK(store_enqueue(st, c) == 0);
	CHECK(store_start(st, base) == 0);
	wait_done(3);
	CHECK(n_done == 3);
	if (n_done == 3) {
		CHECK(done_jobs[0]->rc == STORE_OK);
		CHECK(done_jobs[1]->rc == STORE_TEMPFAIL);
		CHECK(done_jobs[2]->rc == STORE_OK);
		CHECK_STR(pc.first_code, done_jobs[2]->results[0].report_id);
	}
	/*
	 * the failing change stopped the fast pass (c never ran in it) and
	 * made the group run again, isolated
	 */
	CHECK(pa.runs == 2 && pb.runs == 2 && pc.runs == 1);
	free_done();
	store_stop(st);
	store_close(st);
	CHECK(count("audit") == 2);
	CHECK(count("evidence") == 1 && count("reports") == 1);
	db_cur = db_path;
}

int
main(void)
{
	struct store		*st;
	struct store_read	*rd;
	struct event		*timer;
	struct timeval		 tv = { 1, 0 };
	struct tm		 tm;
	char			 err[256], path[300];
	const char		*b;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 126;
	tm.tm_mon = 10;
	tm.tm_mday = 21;
	tm.tm_hour = 10;
	fake_now = timegm(&tm);
	report_limits_default(&lim);
	if (taxonomy_parse(&tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == -1 || mkdtemp(dir) == NULL) {
		printf("setup: %s\n", err);
		return 1;
	}
	snprintf(db_path, sizeof(db_path), "%s/%s", dir, STORE_DB_FILE);
	evthread_use_pthreads();
	base = event_base_new();
	timer = event_new(base, -1, EV_PERSIST, tick, NULL);
	event_add(timer, &tv);

	if ((st = open_store(db_path, 7200, 4, 1024, 0)) == NULL ||
	    store_start(st, base) == -1) {
		printf("cannot start the store\n");
		return 1;
	}
	test_submit_dedup(st);
	test_same_batch(st);
	if ((rd = store_read_open(db_path, err, sizeof(err))) == NULL)
		printf("store_read_open: %s\n", err);
	CHECK(rd != NULL);
	if (rd != NULL) {
		test_auth_status(rd);
		test_replay(st);
	}
	test_order(st);
	store_stop(st);
	store_close(st);

	/* reopen: everything is still there, numbering goes on */
	if ((st = open_store(db_path, 7200, 4, 1024, 0)) != NULL &&
	    store_start(st, base) == 0) {
		struct store_job *j = run(st, job_submit(NULL, 0, "z",
		    "category=test description=after%20reopen", NULL));
		char want[STORE_ID_MAX];

		snprintf(want, sizeof(want), "IR-20261122-%06lld",
		    count("reports"));
		CHECK(j != NULL && j->rc == STORE_OK);
		if (j != NULL)
			CHECK_STR(j->results[0].report_id, want);
		store_job_free(j);
		store_stop(st);
		store_close(st);
	} else
		CHECK(0);
	if (rd != NULL) {
		test_show(rd);
		test_queue(rd);
		store_read_close(rd);
	}

	fake_now += 86400;
	snprintf(path, sizeof(path), "%s/group.db", dir);
	test_group(path);
	snprintf(path, sizeof(path), "%s/quota.db", dir);
	test_quota(path);
	snprintf(path, sizeof(path), "%s/fresh.db", dir);
	test_fresh(path);
	snprintf(path, sizeof(path), "%s/big.db", dir);
	test_big(path);
	snprintf(path, sizeof(path), "%s/changes.db", dir);
	test_changes(path);
	if ((b = getenv("STORE_BENCH")) != NULL && atoi(b) > 0) {
		snprintf(path, sizeof(path), "%s/bench.db", dir);
		bench(path, atoi(b));
	}

	event_free(timer);
	event_base_free(base);
	libevent_global_shutdown();
	taxonomy_free(&tax);
	if (getenv("STORE_KEEP") == NULL)
		remove_tree(dir);
	return t_done();
}
