/*
 * http_verify.c - the link of a receipt: GET /verify/<token> shows one
 * button and changes nothing (mail scanners and link previews fetch
 * links); POST /verify/<token>, with the page's CSRF token, marks every
 * report of the submission verified, puts their incidents in the default
 * queue and records it in the audit trail, in one change on the writer.
 *
 * A token is 192 random bits in hex; only its SHA-256 is stored. It works
 * once and until its expiry ([verify] ttl): afterwards 410, an unknown one
 * 404. The lookups run on a reader; the POST's check is repeated inside
 * the change, so two confirmations racing verify once and the loser gets
 * 410.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "gateway.h"
#include "http.h"
#include "log.h"
#include "readers.h"
#include "receipt.h"
#include "store.h"
#include "store_read.h"
#include "util.h"

struct verify_query {
	struct http_ticket	 ticket;
	unsigned char		 hash[32];
	char			 token[RECEIPT_VERIFY_TOKEN];
	char			 report_id[32];
	char			 peer[64];
	int			 rc;		/* enum store_read_rc */
};

/* The token of the path: hex of the right length, else 0. */
static int
verify_token_of(struct http_exchange *ex, struct verify_query *q)
{
	size_t	i, len = strlen(ex->param);

	if (len != RECEIPT_VERIFY_TOKEN - 1)
		return 0;
	for (i = 0; i < len; i++)
		if (text_hexval((unsigned char)ex->param[i]) == -1)
			return 0;
	memcpy(q->token, ex->param, len + 1);
	sha256(q->token, len, q->hash);
	return 1;
}

/* The answer for a token that is not usable, or for a store failure. */
static void
verify_reply_refused(struct http_exchange *ex, int rc)
{
	if (rc == STORE_READ_GONE)
		http_reply_error(ex, 410, "this link was used already or has "
		    "expired", NULL);
	else if (rc == STORE_READ_NOTFOUND)
		http_reply_error(ex, 404, "not found", NULL);
	else
		http_reply_error(ex, 503, "store unavailable", NULL);
}

/* --- GET ---------------------------------------------------------------- */

static void
verify_get_work(struct store_read *rd, void *arg)
{
	struct verify_query	*q = arg;
	char			 err[256];

	q->rc = rd == NULL ? STORE_READ_ERROR : store_read_verify_token(rd,
	    q->hash, time(NULL), q->report_id, err, sizeof(err));
}

static void
verify_get_done(void *arg)
{
	struct verify_query	*q = arg;
	struct http_exchange	*ex = http_exchange_find(&q->ticket);
	struct page_vars	 v;
	char			 csrf[64];

	if (ex == NULL)
		;
	else if (q->rc == STORE_READ_OK) {
		form_csrf_make(time(NULL), csrf, sizeof(csrf));
		memset(&v, 0, sizeof(v));
		v.report_id = q->report_id[0] ? q->report_id : NULL;
		v.csrf = csrf;
		v.verify_token = q->token;
		http_reply_page(ex, 200, PAGE_VERIFY, &v);
	} else
		verify_reply_refused(ex, q->rc);
	free(q);
}

void
http_get_verify(struct http_exchange *ex)
{
	struct verify_query	*q = xcalloc(1, sizeof(*q));

	if (!verify_token_of(ex, q)) {
		free(q);
		http_reply_error(ex, 404, "not found", NULL);
		return;
	}
	q->ticket = http_exchange_ticket(ex);
	http_exchange_wait(ex);
	readers_run(ex->gw->readers, verify_get_work, verify_get_done, q);
}

/* --- POST: the change ----------------------------------------------------- */

static const char verify_find_sql[] =
    "SELECT evidence_id, expires_at, used_at FROM verify_tokens"
    " WHERE hash = ?1";
static const char verify_use_sql[] =
    "UPDATE verify_tokens SET used_at = ?2 WHERE hash = ?1";
static const char verify_reports_sql[] =
    "UPDATE reports SET verified = 1 WHERE evidence_id = ?1";
static const char verify_incidents_sql[] =
    "UPDATE incidents SET verified = 1 WHERE id IN"
    " (SELECT incident_id FROM reports WHERE evidence_id = ?1)";
static const char verify_audit_sql[] =
    "INSERT INTO audit (at, actor, action, object, detail, incident_id,"
    " peer) SELECT ?2, 'reporter', 'verify', code, ?3, incident_id, ?4"
    " FROM reports WHERE evidence_id = ?1";
static const char verify_first_sql[] =
    "SELECT code FROM reports WHERE evidence_id = ?1 ORDER BY id LIMIT 1";

/* Bind, step and check one statement of the change taking evidence ?1. */
static int
verify_exec(struct store_tx *tx, const char *sql, long long evidence,
    long long now, const char *detail, const char *peer)
{
	sqlite3_stmt	*s = store_tx_stmt(tx, sql);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, evidence);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, now);
	if (sqlite3_bind_parameter_count(s) >= 3)
		sqlite3_bind_text(s, 3, detail, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(s) >= 4)
		sqlite3_bind_text(s, 4, peer, -1, SQLITE_STATIC);
	return store_tx_exec(tx, s);
}

static int
verify_apply(struct store_tx *tx, struct store_job *job, void *arg)
{
	struct verify_query	*q = arg;
	sqlite3_stmt		*s;
	long long		 now = (long long)store_tx_now(tx), evidence;
	char			 detail[128];
	const char		*code;
	int			 rc;

	q->rc = STORE_READ_ERROR;
	q->report_id[0] = '\0';
	if ((s = store_tx_stmt(tx, verify_find_sql)) == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, q->hash, sizeof(q->hash), SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_DONE) {
		q->rc = STORE_READ_NOTFOUND;
		return 0;
	}
	if (rc != SQLITE_ROW)
		return -1;
	evidence = sqlite3_column_int64(s, 0);
	if (sqlite3_column_type(s, 2) != SQLITE_NULL ||
	    sqlite3_column_int64(s, 1) <= now) {
		q->rc = STORE_READ_GONE;
		return 0;
	}
	if ((s = store_tx_stmt(tx, verify_use_sql)) == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, q->hash, sizeof(q->hash), SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	if (store_tx_exec(tx, s) == -1)
		return -1;
	snprintf(detail, sizeof(detail), "confirmed with the e-mail link");
	if (verify_exec(tx, verify_reports_sql, evidence, 0, NULL, NULL) ==
	    -1 || verify_exec(tx, verify_incidents_sql, evidence, 0, NULL,
	    NULL) == -1 || verify_exec(tx, verify_audit_sql, evidence, now,
	    detail, q->peer) == -1)
		return -1;
	if ((s = store_tx_stmt(tx, verify_first_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, evidence);
	if (sqlite3_step(s) == SQLITE_ROW &&
	    (code = (const char *)sqlite3_column_text(s, 0)) != NULL)
		snprintf(q->report_id, sizeof(q->report_id), "%s", code);
	q->rc = STORE_READ_OK;
	return 0;
}

static void
verify_post_done(struct store_job *job, void *arg)
{
	struct verify_query	*q = job->change_arg;
	struct http_exchange	*ex = http_exchange_find(&q->ticket);
	struct page_vars	 v;

	if (job->rc == STORE_OK && q->rc == STORE_READ_OK)
		log_info("http: %s: %s verified by its reporter", q->peer,
		    q->report_id);
	if (ex == NULL)
		;
	else if (job->rc != STORE_OK)
		verify_reply_refused(ex, STORE_READ_ERROR);
	else if (q->rc == STORE_READ_OK) {
		memset(&v, 0, sizeof(v));
		v.report_id = q->report_id[0] ? q->report_id : NULL;
		http_reply_page(ex, 200, PAGE_VERIFIED, &v);
	} else
		verify_reply_refused(ex, q->rc);
	store_job_free(job);
}

void
http_post_verify(struct http_exchange *ex)
{
	struct verify_query	*q = xcalloc(1, sizeof(*q));
	struct store_job	*job;
	char			 csrf[64];
	size_t			 len;

	if (!verify_token_of(ex, q)) {
		free(q);
		http_reply_error(ex, 404, "not found", NULL);
		return;
	}
	if (ex->body == NULL || http_query_param(ex->body, ex->body_len,
	    "csrf", csrf, sizeof(csrf), &len) != 1 ||
	    !form_csrf_valid(csrf, len, time(NULL))) {
		free(q);
		http_reply_error(ex, 403, "the page has expired: open the link"
		    " again", NULL);
		return;
	}
	q->ticket = http_exchange_ticket(ex);
	snprintf(q->peer, sizeof(q->peer), "%s", ex->peer);
	job = store_change_new(verify_apply, q, free);
	job->done = verify_post_done;
	if (store_enqueue(ex->gw->store, job) == -1) {
		store_job_free(job);
		http_reply_error(ex, 503, "server busy, try again", NULL);
		return;
	}
	http_exchange_wait(ex);
}
