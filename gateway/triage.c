/*
 * triage.c - analysts' changes as store changes (see triage.h). Each
 * change reads what it needs inside the transaction, decides, and only
 * then writes: the change and its audit row, or nothing at all.
 *
 * Because intaked runs every change on its one writer, one after the
 * other, and intakectl takes the same write lock, two changes never see
 * the same state: of twenty analysts claiming one incident at once, the
 * first claim is written and the others find it held.
 *
 * Merge and split move reports by row, then count again what an incident
 * derives from its reports (their number, first and last time, severity
 * unless an analyst set it, verified, system level, detection time, first
 * channel, and its sources), so that no report is lost or counted twice
 * whatever moved where.
 *
 * Statements are string constants given to store_tx_stmt(), which
 * prepares each once per connection (the writer's, or intakectl's).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <sqlite3.h>

#include "config.h"
#include "forward.h"
#include "lifecycle.h"
#include "store.h"
#include "taxonomy.h"
#include "triage.h"
#include "util.h"
#include "store_sql.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

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

/* --- changes to an incident ------------------------------------------------ */

static const char *const triage_handlings[] = {
	"handled_in_house", "domestic_help", "foreign_help", "coordinator_help"
};

static const char *const triage_assessment_keys[] = {
	"status", "severity", "scope", "target", "location"
};

int
triage_id_parse(const char *s, size_t n, const char *prefix,
    char out[STORE_ID_MAX])
{
	size_t	i;

	if (n < 4 || n >= STORE_ID_MAX || strncasecmp(s, prefix, 3) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!(s[i] == '-' || (s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z')))
			return -1;
		out[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	}
	out[n] = '\0';
	return 0;
}

int
triage_handling_valid(const char *s)
{
	size_t	i;

	for (i = 0; s != NULL && i < nitems(triage_handlings); i++)
		if (strcmp(s, triage_handlings[i]) == 0)
			return 1;
	return 0;
}

int
triage_assessment_text(json_t *v, char **out, const char **field)
{
	const char	*key;
	json_t		*x, *o;
	size_t		 i;

	*out = NULL;
	*field = "assessment";
	if (json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return -1;
	o = json_object();
	json_object_foreach(v, key, x) {
		for (i = 0; i < nitems(triage_assessment_keys); i++)
			if (strcmp(key, triage_assessment_keys[i]) == 0)
				break;
		if (i == nitems(triage_assessment_keys) || !(json_is_null(x) ||
		    (json_is_string(x) && json_string_length(x) <=
		    TRIAGE_FIELD_MAX))) {
			json_decref(o);
			*field = i == nitems(triage_assessment_keys) ?
			    "assessment" : triage_assessment_keys[i];
			return -1;
		}
		json_object_set(o, key, x);
	}
	*out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return *out != NULL ? 0 : -1;
}

/* The incident a change works on, as the transaction sees it. */
struct triage_inc {
	long long	 id;
	int		 status;	/* enum incident_status */
	char		 claimed_by[72];
	long long	 claim_expires;
	int		 held;		/* by someone else, lease running */
	long long	 reports;
	char		 category[48];
	int		 severity;	/* enum severity */
};

static const char triage_sql_load[] =
    "SELECT id, status, claimed_by, claim_expires, report_count, category,"
    " severity FROM incidents WHERE id = " STORE_CODE_ROWID("?1")
    " AND code = ?1";

static const char triage_sql_audit[] =
    "INSERT INTO audit (at, actor, action, object, detail, incident_id,"
    " peer) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

static const char triage_sql_claim[] =
    "UPDATE incidents SET claimed_by = ?2, claim_expires = ?3,"
    " first_claimed_at = coalesce(first_claimed_at, ?4), updated_at = ?4"
    " WHERE id = ?1";

static const char triage_sql_release[] =
    "UPDATE incidents SET claimed_by = NULL, claim_expires = NULL,"
    " updated_at = ?2 WHERE id = ?1";

static const char triage_sql_status[] =
    "UPDATE incidents SET status = ?2, updated_at = ?3,"
    " resolved_at = CASE WHEN ?2 = 'resolved' THEN ?3 ELSE resolved_at END,"
    " closed_at = CASE WHEN ?2 = 'closed' THEN ?3 ELSE closed_at END"
    " WHERE id = ?1";

static const char triage_sql_patch[] =
    "UPDATE incidents SET category = CASE WHEN ?2 THEN ?3 ELSE category END,"
    " severity = CASE WHEN ?4 THEN ?5 ELSE severity END,"
    " severity_set = severity_set OR ?4,"
    " assessment = CASE WHEN ?6 THEN ?7 ELSE assessment END,"
    " handling = CASE WHEN ?8 THEN ?9 ELSE handling END, updated_at = ?10"
    " WHERE id = ?1";

static const char triage_sql_move_all[] =
    "UPDATE reports SET incident_id = ?2 WHERE incident_id = ?1";

static const char triage_sql_merged[] =
    "UPDATE incidents SET status = 'merged', merged_into = ?2,"
    " claimed_by = NULL, claim_expires = NULL, updated_at = ?3"
    " WHERE id = ?1";

/* What an incident derives from its reports, counted again. */
static const char triage_sql_recount[] =
    "UPDATE incidents SET"
    " report_count = (SELECT count(*) FROM reports WHERE incident_id = ?1),"
    " first_seen = coalesce((SELECT min(received_at) FROM reports"
    "  WHERE incident_id = ?1), first_seen),"
    " last_seen = coalesce((SELECT max(received_at) FROM reports"
    "  WHERE incident_id = ?1), last_seen),"
    " severity = CASE WHEN severity_set THEN severity ELSE"
    "  coalesce((SELECT max(severity) FROM reports WHERE incident_id = ?1),"
    "  severity) END,"
    " verified = coalesce((SELECT max(verified) FROM reports"
    "  WHERE incident_id = ?1), 0),"
    " system_level = (SELECT max(system_level) FROM reports"
    "  WHERE incident_id = ?1),"
    " detected_at = (SELECT min(CAST(strftime('%s', detected_at) AS INTEGER))"
    "  FROM reports WHERE incident_id = ?1),"
    " channel = coalesce((SELECT channel FROM reports WHERE incident_id = ?1"
    "  ORDER BY id LIMIT 1), channel)"
    " WHERE id = ?1";

static const char triage_sql_sources_clear[] =
    "DELETE FROM incident_sources WHERE incident_id = ?1";

/* Who sent it, as the writer counts sources: token, e-mail, peer. */
static const char triage_sql_sources_count[] =
    "INSERT INTO incident_sources (incident_id, reporter, channel, count)"
    " SELECT ?1, coalesce(r.token_name, r.reporter_email, e.peer,"
    " 'unknown'), r.channel, count(*) FROM reports r"
    " JOIN evidence e ON e.id = r.evidence_id WHERE r.incident_id = ?1"
    " GROUP BY 2, 3";

static const char triage_sql_report_of[] =
    "SELECT id FROM reports WHERE id = " STORE_CODE_ROWID("?2")
    " AND code = ?2 AND incident_id = ?1";

static const char triage_sql_split_new[] =
    "INSERT INTO incidents (id, code, fp, fingerprint, category, severity,"
    " status, verified, report_count, first_seen, last_seen, channel)"
    " SELECT ?1, ?2, ?3, ?4, category, severity, 'new', 0, 0, first_seen,"
    " last_seen, channel FROM incidents WHERE id = ?5";

static const char triage_sql_move_one[] =
    "UPDATE reports SET incident_id = ?2 WHERE id = ?1";

struct triage_change *
triage_change_new(enum triage_op op, const struct triage_actor *actor,
    const char *incident)
{
	struct triage_change	*c = xcalloc(1, sizeof(*c));
	size_t			 i;

	c->op = op;
	c->actor = *actor;
	for (i = 0; incident[i] != '\0' && i < sizeof(c->incident) - 1; i++)
		c->incident[i] = (char)(incident[i] >= 'a' &&
		    incident[i] <= 'z' ? incident[i] - 'a' + 'A' : incident[i]);
	c->incident[i] = '\0';
	return c;
}

void
triage_change_free(void *arg)
{
	struct triage_change	*c = arg;

	if (c == NULL)
		return;
	free(c->note);
	free(c->category);
	free(c->assessment);
	free(c->handling);
	free(c->reports);
	free(c);
}

/* Load incident code into inc. 1 found, 0 not, -1 error. */
static int
triage_load(struct store_tx *tx, const char *code, const char *actor,
    struct triage_inc *inc)
{
	sqlite3_stmt	*s;
	const char	*v;
	int		 rc;

	memset(inc, 0, sizeof(*inc));
	if ((s = store_tx_stmt(tx, triage_sql_load)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		inc->id = sqlite3_column_int64(s, 0);
		inc->status = lifecycle_status_parse(
		    (const char *)sqlite3_column_text(s, 1));
		if (inc->status < 0)
			inc->status = INC_NEW;
		v = (const char *)sqlite3_column_text(s, 2);
		snprintf(inc->claimed_by, sizeof(inc->claimed_by), "%s",
		    v != NULL ? v : "");
		inc->claim_expires = sqlite3_column_int64(s, 3);
		inc->reports = sqlite3_column_int64(s, 4);
		v = (const char *)sqlite3_column_text(s, 5);
		snprintf(inc->category, sizeof(inc->category), "%s",
		    v != NULL ? v : "");
		inc->severity = sqlite3_column_int(s, 6);
		if (inc->claim_expires <= store_tx_now(tx))
			inc->claimed_by[0] = '\0';	/* the lease ran out */
		inc->held = inc->claimed_by[0] != '\0' &&
		    strcmp(inc->claimed_by, actor) != 0;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The audit row of a change; detail is a JSON object (may be NULL). */
static int
triage_audit(struct store_tx *tx, const struct triage_actor *a,
    const char *action, long long incident, const char *object,
    json_t *detail)
{
	sqlite3_stmt	*s;
	char		*text = NULL;
	int		 rc;

	if ((s = store_tx_stmt(tx, triage_sql_audit)) == NULL)
		return -1;
	if (detail != NULL)
		text = json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER);
	sqlite3_bind_int64(s, 1, store_tx_now(tx));
	sqlite3_bind_text(s, 2, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, object, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 6, incident);
	sqlite3_bind_text(s, 7, a->peer[0] ? a->peer : NULL, -1,
	    SQLITE_STATIC);
	rc = store_tx_exec(tx, s);
	free(text);
	return rc;
}

/* Run a statement whose one parameter is an incident's row id. */
static int
triage_exec_id(struct store_tx *tx, const char *sql, long long id)
{
	sqlite3_stmt	*s;

	if ((s = store_tx_stmt(tx, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	return store_tx_exec(tx, s);
}

/* Count again what incident id derives from its reports. */
static int
triage_recount(struct store_tx *tx, long long id)
{
	if (triage_exec_id(tx, triage_sql_recount, id) == -1 ||
	    triage_exec_id(tx, triage_sql_sources_clear, id) == -1 ||
	    triage_exec_id(tx, triage_sql_sources_count, id) == -1)
		return -1;
	return 0;
}

/* The refusal of a change to an incident someone else holds. */
static void
triage_held(struct triage_result *res, const struct triage_inc *inc,
    const char *code)
{
	triage_set(res, TRIAGE_CONFLICT, "%s is claimed by %s", code,
	    inc->claimed_by);
}

static int
triage_claim(struct store_tx *tx, struct triage_change *c,
    struct triage_inc *inc)
{
	sqlite3_stmt	*s;
	json_t		*d;
	long long	 now = store_tx_now(tx);
	char		 when[32];
	int		 rc;

	if (inc->held) {
		snprintf(c->claimed_by, sizeof(c->claimed_by), "%s",
		    inc->claimed_by);
		c->claim_expires = inc->claim_expires;
		triage_held(&c->res, inc, c->incident);
		return 0;
	}
	if (lifecycle_final(inc->status)) {
		triage_set(&c->res, TRIAGE_CONFLICT, "%s is %s", c->incident,
		    lifecycle_status_name(inc->status));
		return 0;
	}
	if ((s = store_tx_stmt(tx, triage_sql_claim)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, inc->id);
	sqlite3_bind_text(s, 2, c->actor.name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now + c->ttl);
	sqlite3_bind_int64(s, 4, now);
	if (store_tx_exec(tx, s) == -1)
		return -1;
	format_time_utc((time_t)(now + c->ttl), when, sizeof(when));
	d = json_pack("{s:s}", "expires", when);
	rc = triage_audit(tx, &c->actor, "claim", inc->id, c->incident, d);
	json_decref(d);
	snprintf(c->claimed_by, sizeof(c->claimed_by), "%s", c->actor.name);
	c->claim_expires = now + c->ttl;
	return rc;
}

static int
triage_release(struct store_tx *tx, struct triage_change *c,
    struct triage_inc *inc)
{
	sqlite3_stmt	*s;

	if (inc->held) {
		snprintf(c->claimed_by, sizeof(c->claimed_by), "%s",
		    inc->claimed_by);
		c->claim_expires = inc->claim_expires;
		triage_held(&c->res, inc, c->incident);
		return 0;
	}
	if (inc->claimed_by[0] == '\0')
		return 0;	/* nobody holds it: nothing to do */
	if ((s = store_tx_stmt(tx, triage_sql_release)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, inc->id);
	sqlite3_bind_int64(s, 2, store_tx_now(tx));
	if (store_tx_exec(tx, s) == -1)
		return -1;
	return triage_audit(tx, &c->actor, "release", inc->id, c->incident,
	    NULL);
}

static int	triage_forward_queue(struct store_tx *, struct triage_change *,
		    struct triage_inc *, const char *);

static int
triage_status(struct store_tx *tx, struct triage_change *c,
    struct triage_inc *inc)
{
	sqlite3_stmt	*s;
	const char	*to = lifecycle_status_name(c->status);
	json_t		*d;
	int		 rc;

	snprintf(c->from, sizeof(c->from), "%s",
	    lifecycle_status_name(inc->status));
	if (c->status == INC_MERGED) {
		triage_set(&c->res, TRIAGE_INVALID, "an incident becomes "
		    "merged by a merge");
		return 0;
	}
	if (!lifecycle_may(inc->status, c->status)) {
		triage_set(&c->res, TRIAGE_CONFLICT, "%s cannot go from %s "
		    "to %s", c->incident, c->from, to);
		return 0;
	}
	if ((s = store_tx_stmt(tx, triage_sql_status)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, inc->id);
	sqlite3_bind_text(s, 2, to, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, store_tx_now(tx));
	if (store_tx_exec(tx, s) == -1)
		return -1;
	d = json_pack("{s:s, s:s, s:s?}", "from", c->from, "to", to, "note",
	    c->note);
	rc = triage_audit(tx, &c->actor, "status", inc->id, c->incident, d);
	json_decref(d);
	/* [forward]'s rules fire when an incident becomes triaged */
	if (rc == 0 && c->status == INC_TRIAGED && c->cfg != NULL &&
	    forward_rule_matches(c->cfg, inc->category, inc->severity))
		rc = triage_forward_queue(tx, c, inc, "rule");
	return rc;
}

/*
 * Queue incident inc for the coordinator and write the audit row: `why'
 * is "rule" ([forward]'s rules) or "hand" (POST .../forward). 0 or -1.
 */
static int
triage_forward_queue(struct store_tx *tx, struct triage_change *c,
    struct triage_inc *inc, const char *why)
{
	json_t	*d;
	int	 rc;

	if ((rc = forward_queue(tx, c->cfg, inc->id, c->incident)) <= 0)
		return rc;
	c->forwarded = 1;
	d = json_pack("{s:s, s:s}", "to", c->cfg->forward_to, "by", why);
	rc = triage_audit(tx, &c->actor, "forward", inc->id, c->incident, d);
	json_decref(d);
	return rc;
}

/* POST .../forward: send the incident on now, whatever the rules say. */
static int
triage_forward(struct store_tx *tx, struct triage_change *c,
    struct triage_inc *inc)
{
	if (c->cfg == NULL || c->cfg->forward_to == NULL) {
		triage_set(&c->res, TRIAGE_CONFLICT, "no coordinator address "
		    "is configured ([forward] to)");
		return 0;
	}
	if (inc->status == INC_MERGED) {
		triage_set(&c->res, TRIAGE_CONFLICT, "%s is merged",
		    c->incident);
		return 0;
	}
	return triage_forward_queue(tx, c, inc, "hand");
}

static int
triage_patch(struct store_tx *tx, struct triage_change *c,
    struct triage_inc *inc)
{
	sqlite3_stmt	*s;
	json_t		*d, *a;
	int		 rc;

	if (lifecycle_final(inc->status)) {
		triage_set(&c->res, TRIAGE_CONFLICT, "%s is %s", c->incident,
		    lifecycle_status_name(inc->status));
		return 0;
	}
	if ((s = store_tx_stmt(tx, triage_sql_patch)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, inc->id);
	sqlite3_bind_int(s, 2, c->has_category);
	sqlite3_bind_text(s, 3, c->category, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, c->has_severity);
	sqlite3_bind_int(s, 5, c->severity);
	sqlite3_bind_int(s, 6, c->has_assessment);
	sqlite3_bind_text(s, 7, c->assessment, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 8, c->has_handling);
	sqlite3_bind_text(s, 9, c->handling, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 10, store_tx_now(tx));
	if (store_tx_exec(tx, s) == -1)
		return -1;
	d = json_object();
	if (c->has_category)
		json_object_set_new(d, "category", json_string(c->category));
	if (c->has_severity)
		json_object_set_new(d, "severity",
		    json_string(severity_name(c->severity)));
	if (c->has_assessment) {
		a = c->assessment != NULL ? json_loads(c->assessment, 0,
		    NULL) : NULL;
		json_object_set_new(d, "assessment", a != NULL ? a :
		    json_null());
	}
	if (c->has_handling)
		json_object_set_new(d, "handling", c->handling != NULL ?
		    json_string(c->handling) : json_null());
	rc = triage_audit(tx, &c->actor, "patch", inc->id, c->incident, d);
	json_decref(d);
	return rc;
}

static int
triage_merge(struct store_tx *tx, struct triage_change *c,
    struct triage_inc *inc)
{
	struct triage_inc	 into;
	sqlite3_stmt		*s;
	json_t			*d;
	int			 rc;

	if ((rc = triage_load(tx, c->into, c->actor.name, &into)) <= 0) {
		if (rc == 0)
			triage_set(&c->res, TRIAGE_NOTFOUND, "%s: no such "
			    "incident", c->into);
		return rc;
	}
	if (into.id == inc->id) {
		triage_set(&c->res, TRIAGE_INVALID, "an incident cannot be "
		    "merged into itself");
		return 0;
	}
	if (into.held) {
		triage_held(&c->res, &into, c->into);
		return 0;
	}
	if (!lifecycle_may(inc->status, INC_MERGED)) {
		triage_set(&c->res, TRIAGE_CONFLICT, "%s cannot go from %s "
		    "to merged", c->incident,
		    lifecycle_status_name(inc->status));
		return 0;
	}
	if (lifecycle_final(into.status)) {
		triage_set(&c->res, TRIAGE_CONFLICT, "%s is %s", c->into,
		    lifecycle_status_name(into.status));
		return 0;
	}
	if ((s = store_tx_stmt(tx, triage_sql_move_all)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, inc->id);
	sqlite3_bind_int64(s, 2, into.id);
	if (store_tx_exec(tx, s) == -1)
		return -1;
	c->moved = store_tx_changes(tx);
	if ((s = store_tx_stmt(tx, triage_sql_merged)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, inc->id);
	sqlite3_bind_int64(s, 2, into.id);
	sqlite3_bind_int64(s, 3, store_tx_now(tx));
	if (store_tx_exec(tx, s) == -1 || triage_recount(tx, inc->id) == -1 ||
	    triage_recount(tx, into.id) == -1)
		return -1;
	d = json_pack("{s:s, s:I}", "into", c->into, "reports",
	    (json_int_t)c->moved);
	rc = triage_audit(tx, &c->actor, "merge", inc->id, c->incident, d);
	json_decref(d);
	if (rc == -1)
		return -1;
	d = json_pack("{s:s, s:I}", "from", c->incident, "reports",
	    (json_int_t)c->moved);
	rc = triage_audit(tx, &c->actor, "merge.from", into.id, c->into, d);
	json_decref(d);
	return rc;
}

/* The first 8 bytes of a fingerprint as the integer the index holds. */
static long long
triage_fp64(const unsigned char fp[32])
{
	unsigned long long	v = 0;
	int			i;

	for (i = 0; i < 8; i++)
		v = v << 8 | fp[i];
	return (long long)v;
}

/* Are the reports to split off this incident's, and not all of them? */
static int
triage_split_check(struct store_tx *tx, struct triage_change *c,
    struct triage_inc *inc, long long *rows)
{
	sqlite3_stmt	*s;
	size_t		 i, j;
	int		 rc;

	for (i = 0; i < c->n_reports; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(c->reports[i], c->reports[j]) == 0) {
				triage_set(&c->res, TRIAGE_INVALID, "%s is "
				    "listed twice", c->reports[i]);
				return 0;
			}
		if ((s = store_tx_stmt(tx, triage_sql_report_of)) == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, inc->id);
		sqlite3_bind_text(s, 2, c->reports[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			rows[i] = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if (rc == SQLITE_DONE) {
			triage_set(&c->res, TRIAGE_NOTFOUND, "%s is not a "
			    "report of %s", c->reports[i], c->incident);
			return 0;
		}
		if (rc != SQLITE_ROW)
			return -1;
	}
	/* distinct reports of this incident: all of them if as many */
	if ((long long)c->n_reports >= inc->reports) {
		triage_set(&c->res, TRIAGE_INVALID, "a split must leave %s "
		    "one report at least", c->incident);
		return 0;
	}
	return 1;
}

static int
triage_split(struct store_tx *tx, struct triage_change *c,
    struct triage_inc *inc)
{
	sqlite3_stmt	*s;
	unsigned char	 fp[32];
	long long	*rows, id;
	json_t		*d, *list;
	size_t		 i;
	int		 rc;

	if (lifecycle_final(inc->status)) {
		triage_set(&c->res, TRIAGE_CONFLICT, "%s is %s", c->incident,
		    lifecycle_status_name(inc->status));
		return 0;
	}
	if (c->n_reports == 0) {
		triage_set(&c->res, TRIAGE_INVALID, "no report to split off");
		return 0;
	}
	rows = xcalloc(c->n_reports, sizeof(*rows));
	if ((rc = triage_split_check(tx, c, inc, rows)) <= 0)
		goto out;
	rc = -1;
	if (store_tx_new_incident(tx, &id, c->created) == -1)
		goto out;
	/*
	 * Its own fingerprint, which no report has: new reports keep joining
	 * the incident they match, not the one split off by hand.
	 */
	sha256(c->created, strlen(c->created), fp);
	if ((s = store_tx_stmt(tx, triage_sql_split_new)) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, c->created, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, triage_fp64(fp));
	sqlite3_bind_blob(s, 4, fp, sizeof(fp), SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, inc->id);
	if (store_tx_exec(tx, s) == -1)
		goto out;
	for (i = 0; i < c->n_reports; i++) {
		if ((s = store_tx_stmt(tx, triage_sql_move_one)) == NULL)
			goto out;
		sqlite3_bind_int64(s, 1, rows[i]);
		sqlite3_bind_int64(s, 2, id);
		if (store_tx_exec(tx, s) == -1)
			goto out;
	}
	c->moved = (long long)c->n_reports;
	if (triage_recount(tx, inc->id) == -1 || triage_recount(tx, id) == -1)
		goto out;
	list = json_array();
	for (i = 0; i < c->n_reports; i++)
		json_array_append_new(list, json_string(c->reports[i]));
	d = json_pack("{s:s, s:o}", "into", c->created, "reports", list);
	rc = triage_audit(tx, &c->actor, "split", inc->id, c->incident, d);
	json_decref(d);
	if (rc == 0) {
		d = json_pack("{s:s, s:I}", "from", c->incident, "reports",
		    (json_int_t)c->moved);
		rc = triage_audit(tx, &c->actor, "split.from", id, c->created,
		    d);
		json_decref(d);
	}
out:
	free(rows);
	return rc;
}

static int
triage_run(struct store_tx *tx, struct store_job *job, void *arg)
{
	struct triage_change	*c = arg;
	struct triage_inc	 inc;
	int			 rc;

	triage_set(&c->res, TRIAGE_OK, "%s", "");
	c->claimed_by[0] = c->from[0] = c->created[0] = '\0';
	c->claim_expires = c->moved = 0;
	c->forwarded = 0;
	if ((rc = triage_load(tx, c->incident, c->actor.name, &inc)) <= 0) {
		if (rc == 0)
			triage_set(&c->res, TRIAGE_NOTFOUND, "%s: no such "
			    "incident", c->incident);
		return rc;
	}
	c->res.incident = inc.id;
	if (c->op != TRIAGE_CLAIM && c->op != TRIAGE_RELEASE && inc.held) {
		triage_held(&c->res, &inc, c->incident);
		snprintf(c->claimed_by, sizeof(c->claimed_by), "%s",
		    inc.claimed_by);
		c->claim_expires = inc.claim_expires;
		return 0;
	}
	switch (c->op) {
	case TRIAGE_CLAIM:
		return triage_claim(tx, c, &inc);
	case TRIAGE_RELEASE:
		return triage_release(tx, c, &inc);
	case TRIAGE_STATUS:
		return triage_status(tx, c, &inc);
	case TRIAGE_PATCH:
		return triage_patch(tx, c, &inc);
	case TRIAGE_MERGE:
		return triage_merge(tx, c, &inc);
	case TRIAGE_SPLIT:
		return triage_split(tx, c, &inc);
	case TRIAGE_FORWARD:
		return triage_forward(tx, c, &inc);
	}
	return -1;
}

struct store_job *
triage_job(struct triage_change *c)
{
	return store_change_new(triage_run, c, triage_change_free);
}
