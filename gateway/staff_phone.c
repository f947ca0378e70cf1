/*
 * staff_phone.c - a report taken on the published hotline or in person,
 * recorded by the analyst who took it (GET and POST /triage/phone).
 *
 * The form is the public one (the same template, fields, parser,
 * validation and messages: http_form_setup, form_parse, form_to_report),
 * posted with the session's form token. The report enters the queue like
 * any other through intake_submit() with channel phone, verified, under
 * the analyst's token name; its evidence is the form as posted (files
 * included), its metadata names the channel and the files. No receipt is
 * mailed (the caller hears the report ID from the analyst, whom the
 * incident page shows it to); no rate limit applies to staff.
 *
 * Decoding runs on a parser thread, like the public form's; the 303 to
 * the new report's incident page is sent once the report is committed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "gateway.h"
#include "http.h"
#include "intake.h"
#include "log.h"
#include "page.h"
#include "report.h"
#include "staff.h"
#include "staff_int.h"
#include "store.h"
#include "util.h"
#include "worker.h"

/* One phone report on its way: decoded, then stored. */
struct staff_phone {
	struct http_ticket	 ticket;
	struct gateway		*gw;
	char			*ctype;
	char			*body;		/* the form: the evidence */
	size_t			 body_len;
	/* filled by the parser thread */
	int			 parse_rc;
	struct form_error	 parse_err;
	struct form_fields	 ff;
	int			 report_rc;
	struct report		 report;
	struct form_meta	 meta;
	struct form_errors	 errs;
	char			*meta_json;
};

static void
staff_phone_free(struct staff_phone *p)
{
	free(p->ctype);
	free(p->body);
	form_fields_free(&p->ff);
	report_free(&p->report);
	free(p->meta_json);
	free(p);
}

/* The form, empty or again with its values and errors. */
static void
staff_phone_show(struct http_exchange *ex, int status,
    const struct form_fields *ff, const struct form_errors *errs,
    const char *summary_key)
{
	struct page_vars	v;
	struct page_staff	st;

	staff_vars(ex, &v, &st);
	http_form_page(ex, status, PAGE_STAFF_PHONE, &v, ff, errs,
	    summary_key);
}

void
staff_get_phone(struct http_exchange *ex)
{
	staff_phone_show(ex, 200, NULL, NULL, NULL);
}

/* Parser thread: the public form's decoding and validation. */
static void
staff_phone_work(void *arg)
{
	struct staff_phone	*p = arg;
	struct form_limits	 lim;
	struct form_context	 ctx;

	http_form_setup(p->gw, &lim, &ctx);
	form_fields_init(&p->ff);
	report_init(&p->report);
	p->parse_rc = form_parse(p->ctype, p->body, p->body_len, &lim, &p->ff,
	    &p->parse_err);
	if (p->parse_rc == -1)
		return;
	p->report_rc = form_to_report(&p->ff, &ctx, &p->report, &p->meta,
	    &p->errs);
	if (p->report_rc == 0)
		p->meta_json = http_form_meta_json(&p->ff, INTAKE_PHONE);
}

/* Committed: to the incident page, which shows the new report's ID. */
static void
staff_phone_stored(struct store_job *job, void *arg)
{
	struct staff_phone	*p = arg;
	struct http_exchange	*ex = http_exchange_find(&p->ticket);
	char			 where[160];

	if (ex == NULL)
		goto out;
	if (job->rc != STORE_OK) {
		staff_phone_show(ex, 503, &p->ff, NULL, "err.store");
		goto out;
	}
	log_info("staff: %s: %s recorded a phone report as %s", ex->peer,
	    ex->token_name, job->results[0].report_id);
	snprintf(where, sizeof(where), "/triage/incidents/%s?done=recorded"
	    "&report=%s", job->results[0].incident_id,
	    job->results[0].report_id);
	staff_see_other(ex, where, NULL);
out:
	store_job_free(job);
	staff_phone_free(p);
}

/* Back on the loop: the form token, the errors, then the store. */
static void
staff_phone_parsed(void *arg)
{
	struct staff_phone	*p = arg;
	struct http_exchange	*ex = http_exchange_find(&p->ticket);
	struct store_job	*job;

	if (ex == NULL)
		goto drop;
	if (p->parse_rc == -1) {
		if (p->parse_err.code == FORM_ERR_LIMIT)
			staff_phone_show(ex, 413, NULL, NULL, p->parse_err.key);
		else if (p->parse_err.code == FORM_ERR_NOMEM)
			http_reply_error(ex, 503, "out of memory", NULL);
		else
			http_reply_error(ex, 400, p->parse_err.reason, NULL);
		goto drop;
	}
	if (p->report_rc == -1) {
		http_reply_error(ex, 503, "out of memory", NULL);
		goto drop;
	}
	if (!staff_csrf_equal(ex->csrf, p->meta.csrf, p->meta.csrf_len)) {
		log_info("http: %s: phone report without the session's csrf "
		    "token", ex->peer);
		staff_phone_show(ex, 403, &p->ff, NULL, "err.form-expired");
		goto drop;
	}
	if (p->meta.honeypot) {
		http_reply_error(ex, 400, "bad request", NULL);
		goto drop;
	}
	if (p->report_rc == 1) {
		staff_phone_show(ex, 400, &p->ff, &p->errs, NULL);
		goto drop;
	}
	job = store_job_new();
	job->token_name = xstrdup(ex->token_name);
	job->verified = 1;		/* by the analyst who took it */
	job->peer = xstrdup(ex->peer);
	job->raw = (unsigned char *)p->body;
	job->rawlen = p->body_len;
	p->body = NULL;
	job->meta_json = p->meta_json;
	p->meta_json = NULL;
	job->reports = xmalloc(sizeof(*job->reports));
	job->reports[0] = p->report;	/* the job owns its strings now */
	job->n_reports = 1;
	report_init(&p->report);
	if (intake_submit(ex->gw, job, INTAKE_PHONE, staff_phone_stored,
	    p) == -1) {
		staff_phone_show(ex, 503, &p->ff, NULL, "err.store");
		goto drop;
	}
	return;
drop:
	staff_phone_free(p);
}

void
staff_post_phone(struct http_exchange *ex)
{
	const char		*ctype;
	struct staff_phone	*p;

	if ((ctype = http_header_get(ex->req, "Content-Type")) == NULL) {
		http_reply_error(ex, 415, "a form body is required", NULL);
		return;
	}
	p = xcalloc(1, sizeof(*p));
	p->ticket = http_exchange_ticket(ex);
	p->gw = ex->gw;
	p->ctype = xstrdup(ctype);
	p->body = ex->body;
	p->body_len = ex->body_len;
	ex->body = NULL;
	http_exchange_wait(ex);
	worker_run(ex->gw->workers, staff_phone_work, staff_phone_parsed, p);
}
