/*
 * staff_actions.c - what the incident page's forms do: claim, release,
 * status with a note, merge into another incident, and forward to the
 * coordinator. Each is the API's change (triage.h: triage_change_new,
 * triage_job, handed to the store's writer like the API's routes do), so
 * the rules, the audit row and the refusals are the same in both; only
 * the answer differs: on success a 303 to the incident page (Post,
 * Redirect, Get) saying what was done, on a refusal the incident page
 * again with the reason (409 for a claim held by someone else or a
 * transition the lifecycle forbids, 404, 400), the form's values kept.
 *
 * Every form carries the session's form token (staff_form_read) and is
 * read on the loop: at most STAFF_FORM_MAX bytes, a few short fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "form.h"
#include "gateway.h"
#include "http.h"
#include "lifecycle.h"
#include "log.h"
#include "outbox.h"
#include "staff.h"
#include "staff_int.h"
#include "store.h"
#include "triage.h"
#include "util.h"

/* One action on its way to the writer. */
struct staff_act {
	struct http_ticket	 ticket;
	char			 id[STORE_ID_MAX];
	char			*note;		/* to show again if refused */
	char			 into[STORE_ID_MAX];
};

static void
staff_act_free(struct staff_act *a)
{
	free(a->note);
	free(a);
}

/* The incident page again, with a refusal (key) and its reason. */
static void
staff_act_refused(struct http_exchange *ex, const struct staff_act *a,
    int status, const char *key, const char *why)
{
	struct staff_notice	n;

	memset(&n, 0, sizeof(n));
	n.status = status;
	n.key = key;
	n.detail = why;
	n.note = a->note;
	n.merge_into = a->into[0] != '\0' ? a->into : NULL;
	staff_incident_show(ex, a->id, &n);
}

/* The change is durable, or refused, or failed: answer. */
static void
staff_act_done(struct store_job *job, void *arg)
{
	static const char *const done[] = {
		[TRIAGE_CLAIM] = "claim", [TRIAGE_RELEASE] = "release",
		[TRIAGE_STATUS] = "status", [TRIAGE_PATCH] = "status",
		[TRIAGE_MERGE] = "merge", [TRIAGE_SPLIT] = "status",
		[TRIAGE_FORWARD] = "forward",
	};
	struct staff_act	*a = arg;
	struct triage_change	*c = job->change_arg;
	struct http_exchange	*ex = http_exchange_find(&a->ticket);
	char			 where[128];

	if (ex == NULL)
		goto out;
	if (job->rc != STORE_OK) {
		staff_act_refused(ex, a, 503, "staff.refused.unavailable",
		    NULL);
		goto out;
	}
	switch (c->res.rc) {
	case TRIAGE_OK:
		if (c->forwarded)	/* a forward, by hand or by the rules */
			outbox_wake(ex->gw->outbox);
		log_info("staff: %s: %s %s %s", ex->peer, ex->token_name,
		    done[c->op], a->id);
		snprintf(where, sizeof(where), "/triage/incidents/%s?done=%s",
		    c->op == TRIAGE_MERGE ? c->into : a->id, done[c->op]);
		staff_see_other(ex, where, NULL);
		break;
	case TRIAGE_CONFLICT:
		staff_act_refused(ex, a, 409, "staff.refused.conflict",
		    c->res.why);
		break;
	case TRIAGE_NOTFOUND:
		staff_act_refused(ex, a, 404, "staff.refused.notfound",
		    c->res.why);
		break;
	case TRIAGE_INVALID:
		staff_act_refused(ex, a, 400, "staff.refused.invalid",
		    c->res.why);
		break;
	}
out:
	store_job_free(job);
	staff_act_free(a);
}

/* Hand c (for a) to the writer, as the API does; the answer comes later. */
static void
staff_act_submit(struct http_exchange *ex, struct staff_act *a,
    struct triage_change *c)
{
	struct store_job	*job = triage_job(c);

	a->ticket = http_exchange_ticket(ex);
	job->done = staff_act_done;
	job->arg = a;
	if (store_enqueue(ex->gw->store, job) == -1) {
		store_job_free(job);
		staff_act_refused(ex, a, 503, "staff.refused.unavailable",
		    NULL);
		staff_act_free(a);
		return;
	}
	http_exchange_wait(ex);
}

/*
 * The form of an action on ex's incident, read into ff, and a change of
 * op by the session's token; NULL with the answer sent.
 */
static struct triage_change *
staff_act_begin(struct http_exchange *ex, enum triage_op op,
    struct form_fields *ff, struct staff_act **ap)
{
	struct triage_actor	 actor;
	struct triage_change	*c;
	struct staff_act	*a;

	if (staff_form_read(ex, ff) == -1)
		return NULL;
	if (strncmp(ex->param, "IN-", 3) != 0 ||
	    strlen(ex->param) >= STORE_ID_MAX) {
		form_fields_free(ff);
		http_reply_error(ex, 404, "unknown incident", NULL);
		return NULL;
	}
	a = xcalloc(1, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", ex->param);
	*ap = a;
	triage_actor_set(&actor, ex->token_name, ex->peer);
	c = triage_change_new(op, &actor, ex->param);
	c->cfg = ex->gw->cfg;	/* [forward]: its rules, its address */
	return c;
}

void
staff_post_claim(struct http_exchange *ex)
{
	struct form_fields	 ff;
	struct triage_change	*c;
	struct staff_act	*a;

	if ((c = staff_act_begin(ex, TRIAGE_CLAIM, &ff, &a)) == NULL)
		return;
	form_fields_free(&ff);
	c->ttl = ex->gw->cfg->triage_claim_ttl;
	staff_act_submit(ex, a, c);
}

void
staff_post_release(struct http_exchange *ex)
{
	struct form_fields	 ff;
	struct triage_change	*c;
	struct staff_act	*a;

	if ((c = staff_act_begin(ex, TRIAGE_RELEASE, &ff, &a)) == NULL)
		return;
	form_fields_free(&ff);
	staff_act_submit(ex, a, c);
}

void
staff_post_status(struct http_exchange *ex)
{
	struct form_fields	 ff;
	struct triage_change	*c;
	struct staff_act	*a;
	const char		*st, *note;
	size_t			 len = 0;
	int			 to;

	if ((c = staff_act_begin(ex, TRIAGE_STATUS, &ff, &a)) == NULL)
		return;
	st = form_field_get(&ff, "status", NULL);
	note = form_field_get(&ff, "note", &len);
	if (note != NULL && len > 0)
		a->note = xstrdup(note);
	to = st != NULL ? lifecycle_status_parse(st) : -1;
	if (to < 0 || len > TRIAGE_NOTE_MAX ||
	    (note != NULL && strlen(note) != len)) {
		form_fields_free(&ff);
		triage_change_free(c);
		staff_act_refused(ex, a, 400, "staff.refused.invalid", to < 0 ?
		    "status: one of new, triaged, in-progress, resolved, "
		    "rejected, closed" : "note: at most 4096 bytes of text");
		staff_act_free(a);
		return;
	}
	form_fields_free(&ff);
	c->status = to;
	if (a->note != NULL)
		c->note = xstrdup(a->note);
	staff_act_submit(ex, a, c);
}

/* An incident ID as typed (any case, blanks around): 0, or -1. */
static int
staff_incident_id(const char *s, char out[STORE_ID_MAX])
{
	size_t	n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return triage_id_parse(s, n, "IN-", out);
}

void
staff_post_merge(struct http_exchange *ex)
{
	struct form_fields	 ff;
	struct triage_change	*c;
	struct staff_act	*a;
	const char		*into;

	if ((c = staff_act_begin(ex, TRIAGE_MERGE, &ff, &a)) == NULL)
		return;
	into = form_field_get(&ff, "into", NULL);
	if (into == NULL || staff_incident_id(into, a->into) == -1) {
		if (into != NULL)
			snprintf(a->into, sizeof(a->into), "%s", into);
		form_fields_free(&ff);
		triage_change_free(c);
		staff_act_refused(ex, a, 400, "staff.refused.invalid",
		    "into: an incident ID (IN-...)");
		staff_act_free(a);
		return;
	}
	form_fields_free(&ff);
	snprintf(c->into, sizeof(c->into), "%s", a->into);
	staff_act_submit(ex, a, c);
}

void
staff_post_forward(struct http_exchange *ex)
{
	struct form_fields	 ff;
	struct triage_change	*c;
	struct staff_act	*a;

	if ((c = staff_act_begin(ex, TRIAGE_FORWARD, &ff, &a)) == NULL)
		return;
	form_fields_free(&ff);
	if (ex->gw->cfg->forward_to == NULL) {	/* the change would refuse */
		triage_change_free(c);
		staff_act_refused(ex, a, 409, "staff.refused.no-forward", NULL);
		staff_act_free(a);
		return;
	}
	staff_act_submit(ex, a, c);
}
