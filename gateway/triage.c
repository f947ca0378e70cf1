/*
 * triage.c - analysts' changes as store changes (see triage.h). Each
 * change reads what it needs inside the transaction, decides, and only
 * then writes: the change and its audit row, or nothing at all.
 *
 * Statements are string constants given to store_tx_stmt(), which
 * prepares each once per connection (the writer's, or intakectl's).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "triage.h"
#include "util.h"
#include "store_sql.h"

void
triage_actor_set(struct triage_actor *a, const char *name, const char *peer)
{
	snprintf(a->name, sizeof(a->name), "%s", name != NULL ? name :
	    "unknown");
	snprintf(a->peer, sizeof(a->peer), "%s", peer != NULL ? peer : "");
}

/* Set a result: rc, and a reason (printf) for a refusal. */
static void __attribute__((format(printf, 3, 4)))
triage_set(struct triage_result *res, enum triage_rc rc, const char *fmt,
    ...)
{
	va_list	ap;

	res->rc = rc;
	va_start(ap, fmt);
	vsnprintf(res->why, sizeof(res->why), fmt, ap);
	va_end(ap);
}

/* --- evidence reads ----------------------------------------------------- */

static const char triage_sql_evidence_audit[] =
    "INSERT INTO audit (at, actor, action, object, detail, incident_id,"
    " peer) SELECT ?1, ?2, 'evidence.read', r.code, NULL, r.incident_id,"
    " ?4 FROM reports r WHERE r.id = " STORE_CODE_ROWID("?3")
    " AND r.code = ?3";

static int
triage_change_evidence(struct store_tx *tx, struct store_job *job, void *arg)
{
	struct triage_evidence	*e = arg;
	sqlite3_stmt		*s;

	if ((s = store_tx_stmt(tx, triage_sql_evidence_audit)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, store_tx_now(tx));
	sqlite3_bind_text(s, 2, e->actor.name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, e->report, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, e->actor.peer, -1, SQLITE_STATIC);
	if (store_tx_exec(tx, s) == -1)
		return -1;
	if (store_tx_changes(tx) == 0)
		triage_set(&e->res, TRIAGE_NOTFOUND, "%s: no such report",
		    e->report);
	else
		triage_set(&e->res, TRIAGE_OK, "%s", "");
	return 0;
}

struct store_job *
triage_evidence_job(const struct triage_actor *a, const char *report)
{
	struct triage_evidence	*e = xcalloc(1, sizeof(*e));
	size_t			 i;

	e->actor = *a;
	for (i = 0; report[i] != '\0' && i < sizeof(e->report) - 1; i++)
		e->report[i] = (char)(report[i] >= 'a' && report[i] <= 'z' ?
		    report[i] - 'a' + 'A' : report[i]);
	e->report[i] = '\0';
	return store_change_new(triage_change_evidence, e, free);
}
