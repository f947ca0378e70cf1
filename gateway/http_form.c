/*
 * http_form.c - the citizen's web form and receipt: GET /report (the form,
 * with its CSRF token), POST /report (decoded and validated on a parser
 * thread, then checked for its token, the honeypot and the rate limits,
 * then committed with its attachments before the 303 to the receipt), and
 * GET /status/<id>?t=<receipt-token> (a reader looks the report up by its
 * ID and the SHA-256 of the token; a wrong token and an unknown ID are
 * both 404).
 *
 * The CSRF token is stateless: the time it was made and an HMAC of it
 * under a key drawn at start-up; it is good for CSRF_SECONDS (a form
 * opened before a restart is shown again with everything kept and a note).
 * The receipt token is 128 random bits; only its hash is stored.
 *
 * Bounds: the body ([http] max_body), its fields and files (form.h limits
 * from [http] max_attachments and max_attachment_bytes), reports per hour
 * per client address ([http] form_rate_per_ip, IPv6 per /64) and per
 * reporter e-mail ([http] form_rate_per_address): 429 with Retry-After.
 */
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "budget.h"
#include "form.h"
#include "gateway.h"
#include "http.h"
#include "intake.h"
#include "log.h"
#include "metrics.h"
#include "mailout.h"
#include "page.h"
#include "ratelimit.h"
#include "readers.h"
#include "receipt.h"
#include "store.h"
#include "store_read.h"
#include "util.h"
#include "worker.h"

#define CSRF_SECONDS	(4 * 3600)
#define RATE_WINDOW	3600
#define FORM_TZ_MINUTES	420	/* the form says "Vietnam time (UTC+7)" */

static unsigned char	 form_csrf_key[32];
static struct ratelimit	*form_rate_ip;
static struct ratelimit	*form_rate_email;

int
http_form_init(char *err, size_t errlen)
{
	if (RAND_bytes(form_csrf_key, sizeof(form_csrf_key)) != 1) {
		snprintf(err, errlen, "cannot draw the form key");
		return -1;
	}
	form_rate_ip = ratelimit_new(RATE_WINDOW);
	form_rate_email = ratelimit_new(RATE_WINDOW);
	return 0;
}

void
http_form_free(void)
{
	OPENSSL_cleanse(form_csrf_key, sizeof(form_csrf_key));
	ratelimit_free(form_rate_ip);
	ratelimit_free(form_rate_email);
	form_rate_ip = form_rate_email = NULL;
}

/* "<seconds hex>.<HMAC-SHA256 hex, 128 bits>" into out (>= 64 bytes). */
void
form_csrf_make(time_t when, char *out, size_t len)
{
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0;
	char		 ts[24], hex[33];

	snprintf(ts, sizeof(ts), "%llx", (unsigned long long)when);
	HMAC(EVP_sha256(), form_csrf_key, sizeof(form_csrf_key),
	    (const unsigned char *)ts, strlen(ts), mac, &maclen);
	hex_encode(mac, 16, hex);
	snprintf(out, len, "%s.%s", ts, hex);
}

/* Is tok a token we made within CSRF_SECONDS? Constant-time compare. */
int
form_csrf_valid(const char *tok, size_t len, time_t now)
{
	char			 want[64], ts[24];
	const char		*dot;
	unsigned long long	 when;
	char			*end;

	if (tok == NULL || len >= sizeof(want) ||
	    (dot = memchr(tok, '.', len)) == NULL ||
	    (size_t)(dot - tok) >= sizeof(ts))
		return 0;
	memcpy(ts, tok, dot - tok);
	ts[dot - tok] = '\0';
	when = strtoull(ts, &end, 16);
	if (*end != '\0' || ts[0] == '\0' || (time_t)when > now + 60 ||
	    (time_t)when + CSRF_SECONDS < now)
		return 0;
	form_csrf_make((time_t)when, want, sizeof(want));
	return strlen(want) == len && CRYPTO_memcmp(want, tok, len) == 0;
}

/* --- GET /report --------------------------------------------------------- */

void
http_form_page(struct http_exchange *ex, int status, enum page_id id,
    struct page_vars *v, const struct form_fields *ff,
    const struct form_errors *errs, const char *summary_key)
{
	struct page_field	*values = NULL;
	struct page_error	*perr = NULL;
	char			 max_upload[32];
	size_t			 i, n = 0;

	snprintf(max_upload, sizeof(max_upload), "%lld MB",
	    ex->gw->cfg->http_max_attachment_bytes / (1024 * 1024));
	v->max_upload = max_upload;
	if (ff != NULL && ff->n_fields > 0) {
		values = xcalloc(ff->n_fields, sizeof(*values));
		for (i = 0; i < ff->n_fields; i++) {
			values[i].name = ff->fields[i].name;
			values[i].value = ff->fields[i].value;
		}
		v->values = values;
		v->n_values = ff->n_fields;
	}
	if (errs != NULL || summary_key != NULL) {
		perr = xcalloc((errs ? errs->n : 0) + 1, sizeof(*perr));
		if (summary_key != NULL)
			perr[n++].msg = summary_key;
		for (i = 0; errs != NULL && i < errs->n; i++) {
			perr[n].field = errs->e[i].field;
			perr[n++].msg = errs->e[i].key;
		}
		v->errors = perr;
		v->n_errors = n;
	}
	http_reply_page(ex, status, id, v);
	free(values);
	free(perr);
}

/* Show the form: empty, or again with the values and their errors. */
static void
form_show(struct http_exchange *ex, int status, const struct form_fields *ff,
    const struct form_errors *errs, const char *summary_key)
{
	struct page_vars	 v;
	char			 csrf[64];

	memset(&v, 0, sizeof(v));
	form_csrf_make(time(NULL), csrf, sizeof(csrf));
	v.csrf = csrf;
	http_form_page(ex, status, PAGE_REPORT, &v, ff, errs, summary_key);
}

void
http_get_report_form(struct http_exchange *ex)
{
	form_show(ex, 200, NULL, NULL, NULL);
}

/* --- POST /report -------------------------------------------------------- */

struct form_job {
	struct http_ticket	 ticket;
	struct gateway		*gw;
	char			*ctype;
	char			*body;		/* the whole form: the evidence */
	size_t			 body_len;
	/* filled by the parser thread */
	int			 parse_rc;	/* form_parse: 0 or -1 */
	struct form_error	 parse_err;
	struct form_fields	 ff;
	int			 report_rc;	/* form_to_report */
	struct report		 report;
	struct form_meta	 meta;
	struct form_errors	 errs;
	char			*meta_json;	/* the attachments, described */
	/* the receipt token, once the report is on its way to the store */
	char			 receipt[33];
};

static void
form_job_free(struct form_job *j)
{
	free(j->ctype);
	free(j->body);
	form_fields_free(&j->ff);
	report_free(&j->report);
	free(j->meta_json);
	free(j);
}

char *
http_form_meta_json(const struct form_fields *ff, const char *channel)
{
	json_t	*o = json_object(), *list = json_array();
	char	 hex[65], *s;
	size_t	 i;

	for (i = 0; i < ff->n_attachments; i++) {
		hex_encode(ff->attachments[i].sha256, 32, hex);
		json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:s}",
		    "name", ff->attachments[i].filename,
		    "type", ff->attachments[i].content_type,
		    "size", (json_int_t)ff->attachments[i].len,
		    "sha256", hex));
	}
	json_object_set_new(o, "channel", json_string(channel));
	json_object_set_new(o, "attachments", list);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

void
http_form_setup(const struct gateway *gw, struct form_limits *lim,
    struct form_context *ctx)
{
	const struct config	*cfg = gw->cfg;

	form_limits_default(lim);
	lim->max_body = cfg->http_max_body;
	lim->max_attachments = cfg->http_max_attachments;
	lim->max_attachment_bytes = cfg->http_max_attachment_bytes;
	memset(ctx, 0, sizeof(*ctx));
	ctx->tax = &gw->tax;
	ctx->lim = &gw->limits;
	ctx->ex = gw->extractor;
	ctx->cl = gw->classifier;
	ctx->tz_offset_minutes = FORM_TZ_MINUTES;
	ctx->now = time(NULL);
}

/* Parser thread: decode the body, validate the report. */
static void
form_parse_work(void *arg)
{
	struct form_job		*j = arg;
	struct form_limits	 lim;
	struct form_context	 ctx;

	http_form_setup(j->gw, &lim, &ctx);
	form_fields_init(&j->ff);
	report_init(&j->report);
	j->parse_rc = form_parse(j->ctype, j->body, j->body_len, &lim, &j->ff,
	    &j->parse_err);
	if (j->parse_rc == -1)
		return;
	j->report_rc = form_to_report(&j->ff, &ctx, &j->report, &j->meta,
	    &j->errs);
	if (j->report_rc == 0)
		j->meta_json = http_form_meta_json(&j->ff, INTAKE_WEB);
}

static void
form_store_done(struct store_job *job, void *arg)
{
	struct form_job		*j = arg;
	struct http_exchange	*ex = http_exchange_find(&j->ticket);
	char			 where[256];
	struct http_field	 loc = { "Location", where };

	if (ex == NULL)
		goto out;
	if (job->rc != STORE_OK) {
		form_show(ex, 503, &j->ff, NULL, "err.store");
		goto out;
	}
	receipt_committed(ex->gw, job);
	snprintf(where, sizeof(where), "/status/%s?t=%s&lang=%s",
	    job->results[0].report_id, j->receipt, ex->lang);
	log_info("http: %s: web report stored as %s", ex->peer,
	    job->results[0].report_id);
	http_reply(ex, 303, "text/plain; charset=utf-8", "see other\n", 10,
	    &loc, 1);
out:
	store_job_free(job);
	form_job_free(j);
}

/* Over a rate limit: 429 with Retry-After. 1 when answered. */
static int
form_rate_refused(struct http_exchange *ex, const struct report *r)
{
	const struct config	*cfg = ex->gw->cfg;
	unsigned char		 key[16];
	char			 secs[24];
	struct http_field	 retry = { "Retry-After", secs };
	struct page_vars	 v;
	long long		 wait;
	time_t			 now = time(NULL);

	listener_peer_key(ex->peer_addr, key);
	wait = ratelimit_hit(form_rate_ip, key, sizeof(key),
	    cfg->http_form_rate_per_ip, now);
	if (wait == 0 && r->reporter_email != NULL)
		wait = ratelimit_hit(form_rate_email, r->reporter_email,
		    strlen(r->reporter_email), cfg->http_form_rate_per_address,
		    now);
	if (wait == 0)
		return 0;
	snprintf(secs, sizeof(secs), "%lld", wait);
	log_info("http: %s: form rate limit, retry in %lld s", ex->peer, wait);
	metrics_rejected(METRICS_RATE);
	memset(&v, 0, sizeof(v));
	v.http_status = 429;
	http_reply_page_with(ex, 429, PAGE_ERROR, &v, &retry, 1);
	return 1;
}

/* Back on the loop: the checks that need no parsing, then the store. */
static void
form_parse_done(void *arg)
{
	struct form_job		*j = arg;
	struct http_exchange	*ex = http_exchange_find(&j->ticket);
	struct store_job	*job;
	unsigned char		 rnd[16];

	if (ex == NULL)
		goto drop;
	if (j->parse_rc == -1) {
		metrics_rejected(j->parse_err.code == FORM_ERR_LIMIT ?
		    METRICS_TOO_LARGE : j->parse_err.code == FORM_ERR_NOMEM ?
		    METRICS_BUSY : METRICS_INVALID);
		if (j->parse_err.code == FORM_ERR_LIMIT)
			form_show(ex, 413, NULL, NULL, j->parse_err.key);
		else if (j->parse_err.code == FORM_ERR_NOMEM)
			http_reply_error(ex, 503, "out of memory", NULL);
		else
			http_reply_error(ex, 400, j->parse_err.reason, NULL);
		goto drop;
	}
	if (j->report_rc == -1) {
		http_reply_error(ex, 503, "out of memory", NULL);
		goto drop;
	}
	if (!form_csrf_valid(j->meta.csrf, j->meta.csrf_len, time(NULL))) {
		/* a form from before a restart, or a cross-site post */
		log_info("http: %s: form without a valid csrf token", ex->peer);
		metrics_rejected(METRICS_CSRF);
		form_show(ex, 403, &j->ff, NULL, "err.form-expired");
		goto drop;
	}
	if (j->meta.honeypot) {
		log_info("http: %s: form honeypot filled in; nothing stored",
		    ex->peer);
		metrics_rejected(METRICS_HONEYPOT);
		http_reply_error(ex, 400, "bad request", NULL);
		goto drop;
	}
	if (j->report_rc == 1) {
		metrics_rejected(METRICS_INVALID);
		form_show(ex, 400, &j->ff, &j->errs, NULL);
		goto drop;
	}
	if (form_rate_refused(ex, &j->report))
		goto drop;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		http_reply_error(ex, 503, "no randomness", NULL);
		goto drop;
	}
	hex_encode(rnd, sizeof(rnd), j->receipt);
	job = store_job_new();
	job->verified = 0;
	job->peer = xstrdup(ex->peer);
	job->raw = (unsigned char *)j->body;	/* the form, files and all */
	job->rawlen = j->body_len;
	j->body = NULL;
	job->meta_json = j->meta_json;
	j->meta_json = NULL;
	sha256(j->receipt, strlen(j->receipt), job->receipt_hash);
	job->has_receipt = 1;
	job->reports = xmalloc(sizeof(*job->reports));
	job->reports[0] = j->report;	/* the job owns its strings now */
	job->n_reports = 1;
	report_init(&j->report);
	/* the form checked the address; a phone-only report gets no mail */
	if (job->reports[0].reporter_email != NULL &&
	    mailout_addr_valid(job->reports[0].reporter_email))
		receipt_attach(ex->gw, job, job->reports[0].reporter_email,
		    NULL, j->receipt, ex->lang);
	else
		receipt_refuse(METRICS_RECEIPT_NO_ADDRESS);
	if (intake_submit(ex->gw, job, INTAKE_WEB, form_store_done, j) == -1) {
		form_show(ex, 503, &j->ff, NULL, "err.store");
		goto drop;
	}
	return;
drop:
	form_job_free(j);
}

void
http_post_report(struct http_exchange *ex)
{
	const char	*ctype = http_header_get(ex->req, "Content-Type");
	struct form_job	*j;

	if (ctype == NULL) {
		http_reply_error(ex, 415, "a form body is required", NULL);
		return;
	}
	j = xcalloc(1, sizeof(*j));
	j->ticket = http_exchange_ticket(ex);
	j->gw = ex->gw;
	j->ctype = xstrdup(ctype);
	j->body = ex->body;
	j->body_len = ex->body_len;
	ex->body = NULL;
	http_exchange_wait(ex);
	worker_run(ex->gw->workers, form_parse_work, form_parse_done, j);
}

/* --- GET /status/<id>?t= ------------------------------------------------- */

struct form_status {
	struct http_ticket	 ticket;
	char			 id[64];
	unsigned char		 hash[32];
	int			 rc;
	struct store_receipt	 receipt;
};

static void
form_status_work(struct store_read *rd, void *arg)
{
	struct form_status	*q = arg;
	char			 err[256];

	q->rc = rd == NULL ? STORE_READ_ERROR : store_read_receipt(rd, q->id,
	    q->hash, &q->receipt, err, sizeof(err));
}

static void
form_status_done(void *arg)
{
	struct form_status	*q = arg;
	struct http_exchange	*ex = http_exchange_find(&q->ticket);
	struct page_vars	 v;

	if (ex == NULL)
		;
	else if (q->rc == STORE_READ_OK) {
		memset(&v, 0, sizeof(v));
		v.report_id = q->id;
		v.received_at = (time_t)q->receipt.received_at;
		v.utc_offset = FORM_TZ_MINUTES * 60;
		v.status = q->receipt.status;
		v.verified = q->receipt.verified;
		v.verify_sent = q->receipt.receipt_mailed &&
		    !q->receipt.verified;
		http_reply_page(ex, 200, PAGE_STATUS, &v);
	} else if (q->rc == STORE_READ_NOTFOUND)
		http_reply_error(ex, 404, "not found", NULL);
	else
		http_reply_error(ex, 503, "store unavailable", NULL);
	free(q);
}

void
http_get_status(struct http_exchange *ex)
{
	struct form_status	*q;
	char			 tok[64];
	size_t			 len;

	if (ex->req->query == NULL || http_query_param(ex->req->query,
	    ex->req->query_len, "t", tok, sizeof(tok), &len) != 1 ||
	    strncmp(ex->param, "IR-", 3) != 0) {
		http_reply_error(ex, 404, "not found", NULL);
		return;
	}
	q = xcalloc(1, sizeof(*q));
	q->ticket = http_exchange_ticket(ex);
	snprintf(q->id, sizeof(q->id), "%s", ex->param);
	sha256(tok, len, q->hash);
	http_exchange_wait(ex);
	readers_run(ex->gw->readers, form_status_work, form_status_done, q);
}
