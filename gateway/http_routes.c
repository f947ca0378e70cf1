/*
 * http_routes.c - what the HTTPS listener answers: a table of {method,
 * path, role, handler}, the Bearer-token check that runs before a route
 * needing a role (on the reader threads, like every read) or the staff
 * session check of the staff view's routes (staff.h), and the handlers of
 * the public pages, security.txt, the stylesheet, /healthz and the
 * partner API.
 *
 * A path in the table is either exact ("/report") or a prefix ending in
 * '/' followed by one ID segment ("/api/v1/reports/" + "IR-..."); the ID
 * lands in ex->param, bounded and limited to [A-Za-z0-9-]. A path known
 * with another method answers 405 with Allow.
 */
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "api_json.h"
#include "budget.h"
#include "gateway.h"
#include "http.h"
#include "limits_gw.h"
#include "intake.h"
#include "log.h"
#include "metrics.h"
#include "page.h"
#include "readers.h"
#include "roles.h"
#include "session.h"
#include "staff.h"
#include "outbox.h"
#include "store.h"
#include "store_read.h"
#include "util.h"
#include "worker.h"

typedef void (*http_handler)(struct http_exchange *);

/*
 * Who may use a route: anyone, a Bearer token allowed to do action, or a
 * staff session (staff.h) whose token may do action.
 */
enum http_access {
	HTTP_PUBLIC,
	HTTP_TOKEN,
	HTTP_STAFF
};

struct http_route {
	enum http_method	 method;
	const char		*path;		/* exact, or prefix ending '/' + ID */
	int			 with_id;
	enum http_access	 access;
	enum role_action	 action;	/* HTTP_TOKEN */
	http_handler		 handler;
	const char		*suffix;	/* after the ID ("/evidence"), or NULL */
};

static void http_get_home(struct http_exchange *);
static void http_get_security_txt(struct http_exchange *);
static void http_get_style(struct http_exchange *);
static void http_get_healthz(struct http_exchange *);
static void http_get_metrics(struct http_exchange *);
static void http_api_post_report(struct http_exchange *);
static void http_api_get_report(struct http_exchange *);

static const struct http_route http_routes[] = {
	{ HTTP_GET, "/", 0, HTTP_PUBLIC, 0, http_get_home, NULL },
	{ HTTP_GET, "/.well-known/security.txt", 0, HTTP_PUBLIC, 0,
	    http_get_security_txt, NULL },
	{ HTTP_GET, "/security.txt", 0, HTTP_PUBLIC, 0,
	    http_get_security_txt, NULL },
	{ HTTP_GET, "/static/style.css", 0, HTTP_PUBLIC, 0, http_get_style,
	    NULL },
	{ HTTP_GET, "/healthz", 0, HTTP_PUBLIC, 0, http_get_healthz, NULL },
	{ HTTP_GET, "/metrics", 0, HTTP_PUBLIC, 0, http_get_metrics, NULL },
	{ HTTP_GET, "/report", 0, HTTP_PUBLIC, 0, http_get_report_form, NULL },
	{ HTTP_POST, "/report", 0, HTTP_PUBLIC, 0, http_post_report, NULL },
	{ HTTP_GET, "/status/", 1, HTTP_PUBLIC, 0, http_get_status, NULL },
	{ HTTP_GET, "/verify/", 1, HTTP_PUBLIC, 0, http_get_verify, NULL },
	{ HTTP_POST, "/verify/", 1, HTTP_PUBLIC, 0, http_post_verify, NULL },
	{ HTTP_POST, "/api/v1/reports", 0, HTTP_TOKEN, ROLE_SUBMIT,
	    http_api_post_report, NULL },
	{ HTTP_GET, "/api/v1/reports/", 1, HTTP_TOKEN, ROLE_READ,
	    http_api_get_report, NULL },
	{ HTTP_GET, "/api/v1/reports/", 1, HTTP_TOKEN, ROLE_EVIDENCE,
	    http_api_get_evidence, "/evidence" },
	{ HTTP_GET, "/api/v1/incidents", 0, HTTP_TOKEN, ROLE_TRIAGE,
	    http_api_get_incidents, NULL },
	{ HTTP_GET, "/api/v1/incidents/", 1, HTTP_TOKEN, ROLE_TRIAGE,
	    http_api_get_incident, NULL },
	{ HTTP_PATCH, "/api/v1/incidents/", 1, HTTP_TOKEN, ROLE_TRIAGE,
	    http_api_patch_incident, NULL },
	{ HTTP_POST, "/api/v1/incidents/", 1, HTTP_TOKEN, ROLE_TRIAGE,
	    http_api_post_claim, "/claim" },
	{ HTTP_DELETE, "/api/v1/incidents/", 1, HTTP_TOKEN, ROLE_TRIAGE,
	    http_api_delete_claim, "/claim" },
	{ HTTP_POST, "/api/v1/incidents/", 1, HTTP_TOKEN, ROLE_TRIAGE,
	    http_api_post_status, "/status" },
	{ HTTP_POST, "/api/v1/incidents/", 1, HTTP_TOKEN, ROLE_TRIAGE,
	    http_api_post_forward, "/forward" },
	{ HTTP_POST, "/api/v1/incidents/", 1, HTTP_TOKEN, ROLE_TRIAGE,
	    http_api_post_merge, "/merge" },
	{ HTTP_POST, "/api/v1/incidents/", 1, HTTP_TOKEN, ROLE_TRIAGE,
	    http_api_post_split, "/split" },
	{ HTTP_GET, "/api/v1/export", 0, HTTP_TOKEN, ROLE_EXPORT,
	    http_api_get_export, NULL },
	{ HTTP_GET, "/api/v1/stats", 0, HTTP_TOKEN, ROLE_STATS,
	    http_api_get_stats, NULL },
	/* the staff view */
	{ HTTP_GET, "/triage/login", 0, HTTP_PUBLIC, 0, staff_get_login,
	    NULL },
	{ HTTP_POST, "/triage/login", 0, HTTP_PUBLIC, 0, staff_post_login,
	    NULL },
	{ HTTP_POST, "/triage/logout", 0, HTTP_STAFF, ROLE_TRIAGE,
	    staff_post_logout, NULL },
	{ HTTP_GET, "/triage", 0, HTTP_STAFF, ROLE_TRIAGE, staff_get_queue,
	    NULL },
	{ HTTP_GET, "/triage/incidents/", 1, HTTP_STAFF, ROLE_TRIAGE,
	    staff_get_incident, NULL },
	{ HTTP_POST, "/triage/incidents/", 1, HTTP_STAFF, ROLE_TRIAGE,
	    staff_post_claim, "/claim" },
	{ HTTP_POST, "/triage/incidents/", 1, HTTP_STAFF, ROLE_TRIAGE,
	    staff_post_release, "/release" },
	{ HTTP_POST, "/triage/incidents/", 1, HTTP_STAFF, ROLE_TRIAGE,
	    staff_post_status, "/status" },
	{ HTTP_POST, "/triage/incidents/", 1, HTTP_STAFF, ROLE_TRIAGE,
	    staff_post_merge, "/merge" },
	{ HTTP_POST, "/triage/incidents/", 1, HTTP_STAFF, ROLE_TRIAGE,
	    staff_post_forward, "/forward" },
	{ HTTP_GET, "/triage/reports/", 1, HTTP_STAFF, ROLE_EVIDENCE,
	    staff_get_evidence, "/evidence" },
	{ HTTP_GET, "/triage/phone", 0, HTTP_STAFF, ROLE_TRIAGE,
	    staff_get_phone, NULL },
	{ HTTP_POST, "/triage/phone", 0, HTTP_STAFF, ROLE_TRIAGE,
	    staff_post_phone, NULL },
	{ HTTP_GET, "/triage/stats", 0, HTTP_STAFF, ROLE_STATS,
	    staff_get_stats, NULL },
};

#define HTTP_NROUTES	(sizeof(http_routes) / sizeof(http_routes[0]))

/* --- matching ----------------------------------------------------------- */

/* Does path match r; with an ID segment copied to param. */
static int
http_route_match(const struct http_route *r, const char *path, char *param,
    size_t paramlen)
{
	size_t	n = strlen(r->path), i;

	if (!r->with_id)
		return strcmp(path, r->path) == 0;
	if (strncmp(path, r->path, n) != 0)
		return 0;
	path += n;
	for (i = 0; path[i] != '\0' && path[i] != '/'; i++)
		if (i + 1 >= paramlen || !(path[i] == '-' ||
		    (path[i] >= '0' && path[i] <= '9') ||
		    (path[i] >= 'A' && path[i] <= 'Z') ||
		    (path[i] >= 'a' && path[i] <= 'z')))
			return 0;
	if (i == 0 || strcmp(path + i, r->suffix != NULL ? r->suffix :
	    "") != 0)
		return 0;
	memcpy(param, path, i);
	param[i] = '\0';
	return 1;
}

/* --- the Bearer check, on a reader thread -------------------------------- */

struct http_auth {
	struct http_ticket	 ticket;
	unsigned char		 hash[32];	/* of the secret */
	char			*secret;
	int			 rc;
	char			*name, *role;
};

static void
http_auth_work(struct store_read *rd, void *arg)
{
	struct http_auth	*a = arg;
	char			 err[256];

	a->rc = rd == NULL ? STORE_READ_ERROR : store_read_token_check(rd,
	    a->secret, &a->name, &a->role, err, sizeof(err));
	OPENSSL_cleanse(a->secret, strlen(a->secret));
}

/* The token is known: may its role use the route? Then run it. */
static void
http_route_checked(struct http_exchange *ex)
{
	const struct http_route	*r = ex->route;

	if (!role_may(ex->token_role, r->action)) {
		if (r->action == ROLE_SUBMIT)
			metrics_rejected(METRICS_FORBIDDEN);
		http_reply_error(ex, 403, "this token's role may not use this"
		    " route", NULL);
		return;
	}
	r->handler(ex);
}

static void
http_auth_done(void *arg)
{
	struct http_auth	*a = arg;
	struct http_exchange	*ex = http_exchange_find(&a->ticket);
	const struct http_route	*r;
	static const struct http_field bearer[] = {
		{ "WWW-Authenticate", "Bearer realm=\"intaked\"" } };

	if (ex == NULL)
		goto out;
	r = ex->route;
	if (a->rc == STORE_READ_ERROR) {
		http_reply_error(ex, 503, "token check unavailable", NULL);
		goto out;
	}
	if (a->rc != STORE_READ_OK) {
		if (r->action == ROLE_SUBMIT)
			metrics_rejected(METRICS_UNAUTHENTICATED);
		http_reply(ex, 401, "application/json",
		    "{\"error\":\"unknown token\"}\n", 26, bearer, 1);
		goto out;
	}
	ex->token_name = a->name;
	ex->token_role = a->role;
	a->name = a->role = NULL;
	http_exchange_token_remember(ex, a->hash);
	http_route_checked(ex);
out:
	free(a->secret);
	free(a->name);
	free(a->role);
	free(a);
}

/* Check the request's Bearer token, then run the route's handler. */
static void
http_route_with_token(struct http_exchange *ex)
{
	static const struct http_field bearer[] = {
		{ "WWW-Authenticate", "Bearer realm=\"intaked\"" } };
	const char		*v = http_header_get(ex->req, "Authorization");
	const char		*tok;
	size_t			 toklen;
	struct http_auth	*a;

	if (v == NULL || http_bearer(v, strlen(v), &tok, &toklen) == -1) {
		http_reply(ex, 401, "application/json",
		    "{\"error\":\"a Bearer token is required\"}\n", 38,
		    bearer, 1);
		return;
	}
	a = xcalloc(1, sizeof(*a));
	sha256(tok, toklen, a->hash);
	if (http_exchange_token_cached(ex, a->hash)) {
		free(a);
		http_route_checked(ex);
		return;
	}
	a->ticket = http_exchange_ticket(ex);
	a->secret = xstrndup(tok, toklen);
	http_exchange_wait(ex);
	readers_run(ex->gw->readers, http_auth_work, http_auth_done, a);
}

void
http_route(struct http_exchange *ex)
{
	const struct http_route	*r;
	const char		*path = ex->req->path;
	enum http_method	 m = ex->req->method;
	char			 allow[64] = "";
	struct http_field	 h = { "Allow", allow };
	size_t			 i;

	for (i = 0; i < HTTP_NROUTES; i++) {
		r = &http_routes[i];
		if (!http_route_match(r, path, ex->param, sizeof(ex->param)))
			continue;
		if (r->method == m || (m == HTTP_HEAD &&
		    r->method == HTTP_GET)) {
			ex->route = r;
			if (r->access == HTTP_TOKEN)
				http_route_with_token(ex);
			else if (r->access == HTTP_STAFF)
				staff_route(ex, r->action, r->handler);
			else
				r->handler(ex);
			return;
		}
		if (strlen(allow) + 16 < sizeof(allow))
			snprintf(allow + strlen(allow), sizeof(allow) -
			    strlen(allow), "%s%s", allow[0] ? ", " : "",
			    http_method_name(r->method));
	}
	if (allow[0] != '\0') {
		/* the error page's own reply carries no Allow: add it here */
		http_reply(ex, 405, "text/plain; charset=utf-8",
		    "method not allowed\n", 19, &h, 1);
		return;
	}
	http_reply_error(ex, 404, "not found", NULL);
}

/* --- pages -------------------------------------------------------------- */

/* The published contact points, from [contact] and [line]. */
static void
http_contact(const struct gateway *gw, struct page_contact *c)
{
	const struct config	*cfg = gw->cfg;

	memset(c, 0, sizeof(*c));
	c->organization = cfg->contact_organization;
	c->emails = (const char *const *)cfg->contact_emails;
	c->n_emails = cfg->contact_n_emails;
	c->phone = cfg->contact_phone;
	c->hours = cfg->contact_hours;
	c->line_endpoint = cfg->line_listen.text;
	c->line_tls_endpoint = cfg->line_tls_listen.text;
	c->encryption = cfg->contact_encryption;
	c->policy = cfg->contact_policy;
}

void
http_reply_page(struct http_exchange *ex, int status, enum page_id id,
    struct page_vars *v)
{
	http_reply_page_with(ex, status, id, v, NULL, 0);
}

void
http_reply_page_with(struct http_exchange *ex, int status, enum page_id id,
    struct page_vars *v, const struct http_field *extra, size_t n_extra)
{
	struct page_contact	 contact;
	struct page_buf		 b;

	http_contact(ex->gw, &contact);
	v->contact = &contact;
	if (v->path == NULL) {	/* a page may name the one to switch to */
		v->path = ex->req != NULL ? ex->req->path : "/";
		v->query = ex->req != NULL ? ex->req->query : NULL;
	}
	page_buf_init(&b);
	if (page_render(ex->gw->pages, id, ex->lang, v, &b) == -1)
		http_reply(ex, 500, "text/plain; charset=utf-8",
		    "internal error\n", 15, NULL, 0);
	else
		http_reply(ex, status, "text/html; charset=utf-8", b.data,
		    b.len, extra, n_extra);
	page_buf_free(&b);
}

void
http_reply_error(struct http_exchange *ex, int status, const char *why,
    const char *field)
{
	struct page_vars	 v;
	json_t			*o;
	char			*json;

	if (ex->req == NULL || strncmp(ex->req->path, "/api/", 5) != 0) {
		memset(&v, 0, sizeof(v));
		v.http_status = status;
		http_reply_page(ex, status, PAGE_ERROR, &v);
		return;
	}
	o = field != NULL ? json_pack("{s:s, s:s}", "error", why, "field",
	    field) : json_pack("{s:s}", "error", why);
	json = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (json != NULL)
		http_reply(ex, status, "application/json", json, strlen(json),
		    NULL, 0);
	else
		http_reply(ex, status, NULL, NULL, 0, NULL, 0);
	free(json);
}

/*
 * The home page depends only on the configuration and the language, so it
 * is rendered once per language and served from memory afterwards (when
 * the query holds nothing but the language, as every link of ours does).
 */
static struct page_buf	http_home_cache[2];

static void
http_get_home(struct http_exchange *ex)
{
	const char		*q = ex->req->query;
	struct page_buf		*cached;
	struct page_contact	 contact;
	struct page_vars	 v;

	memset(&v, 0, sizeof(v));
	if (q != NULL && q[0] != '\0' && strcmp(q, "lang=vi") != 0 &&
	    strcmp(q, "lang=en") != 0) {
		http_reply_page(ex, 200, PAGE_HOME, &v);
		return;
	}
	cached = &http_home_cache[strcmp(ex->lang, "en") == 0];
	if (cached->data == NULL) {
		http_contact(ex->gw, &contact);
		v.contact = &contact;
		v.path = "/";
		if (page_render(ex->gw->pages, PAGE_HOME, ex->lang, &v,
		    cached) == -1) {
			page_buf_free(cached);
			page_buf_init(cached);
			http_reply_error(ex, 500, "page too large", NULL);
			return;
		}
	}
	http_reply(ex, 200, "text/html; charset=utf-8", cached->data,
	    cached->len, NULL, 0);
}

static void
http_get_style(struct http_exchange *ex)
{
	static const struct http_field cache[] = {
		{ "Cache-Control", "public, max-age=86400" } };
	const char	*css;
	size_t		 len;

	css = page_style(ex->gw->pages, &len);
	http_reply(ex, 200, "text/css; charset=utf-8", css, len, cache, 1);
}

/*
 * RFC 9116: Contact lines in order of preference (the incident addresses
 * as mailto:, the phone as tel:, the web form), Expires, Encryption,
 * Policy, Preferred-Languages, Canonical.
 */
static void
http_get_security_txt(struct http_exchange *ex)
{
	const struct config	*cfg = ex->gw->cfg;
	struct page_buf		 b;
	char			 line[1024], when[32];
	time_t			 expires = time(NULL) + cfg->contact_expires;
	size_t			 i, n, ulen = strlen(cfg->http_public_url);
	const char		*slash = ulen > 0 &&
				    cfg->http_public_url[ulen - 1] == '/' ?
				    "" : "/";
	char			 tel[64], c;

	page_buf_init(&b);
#define SEC_LINE(...) do {						\
	int n_ = snprintf(line, sizeof(line), __VA_ARGS__);		\
	if (n_ > 0 && (size_t)n_ < sizeof(line))			\
		page_buf_append(&b, line, n_);				\
} while (0)
	for (i = 0; i < cfg->contact_n_emails; i++)
		SEC_LINE("Contact: mailto:%s\n", cfg->contact_emails[i]);
	if (cfg->contact_phone != NULL) {
		/*
		 * A tel: URI has no spaces (RFC 3966): keep + and digits,
		 * and a '-' (a visual separator) where the number had gaps,
		 * so that a person reading the file can still read it.
		 */
		for (i = 0, n = 0; cfg->contact_phone[i] != '\0' &&
		    n + 2 < sizeof(tel); i++) {
			c = cfg->contact_phone[i];
			if (c == '+' || (c >= '0' && c <= '9'))
				tel[n++] = c;
			else if (n > 0 && tel[n - 1] != '-' &&
			    tel[n - 1] != '+')
				tel[n++] = '-';
		}
		while (n > 0 && tel[n - 1] == '-')
			n--;
		tel[n] = '\0';
		SEC_LINE("Contact: tel:%s\n", tel);
	}
	SEC_LINE("Contact: %s%sreport\n", cfg->http_public_url, slash);
	format_time_utc(expires, when, sizeof(when));
	SEC_LINE("Expires: %s\n", when);
	if (cfg->contact_encryption != NULL)
		SEC_LINE("Encryption: %s\n", cfg->contact_encryption);
	if (cfg->contact_policy != NULL)
		SEC_LINE("Policy: %s\n", cfg->contact_policy);
	for (i = 0; i < cfg->contact_n_languages; i++)
		SEC_LINE("%s%s%s", i == 0 ? "Preferred-Languages: " : ", ",
		    cfg->contact_languages[i],
		    i + 1 == cfg->contact_n_languages ? "\n" : "");
	SEC_LINE("Canonical: %s%s.well-known/security.txt\n",
	    cfg->http_public_url, slash);
#undef SEC_LINE
	http_reply(ex, 200, "text/plain; charset=utf-8", b.data, b.len, NULL,
	    0);
	page_buf_free(&b);
}

static void
http_get_healthz(struct http_exchange *ex)
{
	char			body[384];
	int			ok = store_writable(ex->gw->store), n;
	struct outbox_stats	os;
	time_t			now = time(NULL);

	outbox_stats(ex->gw->outbox, &os);
	n = snprintf(body, sizeof(body), "{\"status\":\"%s\",\"store_queue\":"
	    "%zu,\"sessions\":%zu,\"memory_budget_used\":%zu,"
	    "\"outbox\":%lld,\"outbox_oldest_seconds\":%lld}\n",
	    ok ? "ok" : "store-failing", store_pending(ex->gw->store),
	    sessions_count(), budget_used(), os.queued > 0 ? os.queued : 0,
	    os.queued > 0 && os.oldest > 0 && os.oldest < now ?
	    (long long)(now - os.oldest) : 0);
	http_reply(ex, ok ? 200 : 503, "application/json", body, n, NULL, 0);
}

struct http_metrics_read {
	struct http_ticket	 ticket;
	int			 rc;
	long long		 queue;
};

static void
http_metrics_work(struct store_read *rd, void *arg)
{
	struct http_metrics_read	*q = arg;
	char				 err[256];

	q->rc = rd == NULL ? STORE_READ_ERROR :
	    store_read_queue_count(rd, &q->queue, err, sizeof(err));
}

static void
http_metrics_done(void *arg)
{
	struct http_metrics_read	*q = arg;
	struct http_exchange		*ex = http_exchange_find(&q->ticket);
	char				*text;
	size_t				 len;

	if (ex != NULL) {
		text = metrics_render(ex->gw, q->rc == STORE_READ_OK ?
		    q->queue : -1, &len);
		if (text != NULL)
			http_reply(ex, 200, "text/plain; version=0.0.4;"
			    " charset=utf-8", text, len, NULL, 0);
		else
			http_reply_error(ex, 500, "out of memory", NULL);
		free(text);
	}
	free(q);
}

/* Prometheus text, for [http] metrics_from only. */
static void
http_get_metrics(struct http_exchange *ex)
{
	const struct config		*cfg = ex->gw->cfg;
	struct http_metrics_read	*q;

	if (!config_cidr_match(cfg->http_metrics_from,
	    cfg->http_n_metrics_from, ex->peer_addr)) {
		http_reply_error(ex, 403, "forbidden", NULL);
		return;
	}
	q = xcalloc(1, sizeof(*q));
	q->ticket = http_exchange_ticket(ex);
	http_exchange_wait(ex);
	readers_run(ex->gw->readers, http_metrics_work, http_metrics_done, q);
}

/* --- the partner API ---------------------------------------------------- */

/*
 * One API submission: decoded on a parser thread (jansson's work stays off
 * the loop), then handed to the store; its budget is held until the reply.
 */
struct http_api_submit {
	struct http_ticket	 ticket;
	struct gateway		*gw;
	size_t			 budget;
	char			*body;		/* the JSON as sent: evidence */
	size_t			 body_len;
	int			 rc;		/* api_json_to_report */
	struct api_json_error	 err;
	struct report		 report;
};

static void
http_api_submit_free(struct http_api_submit *a)
{
	budget_give(a->budget);
	free(a->body);
	report_free(&a->report);
	free(a);
}

/* Answer a JSON object and free it. */
static void
http_reply_json(struct http_exchange *ex, int status, json_t *o)
{
	char	*s = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	if (s == NULL) {
		http_reply_error(ex, 500, "out of memory", NULL);
		return;
	}
	http_reply(ex, status, "application/json", s, strlen(s), NULL, 0);
	free(s);
}

static void
http_api_submit_done(struct store_job *job, void *arg)
{
	struct http_api_submit	*a = arg;
	struct http_exchange	*ex = http_exchange_find(&a->ticket);
	const struct store_report_result *res = &job->results[0];
	static const struct http_field retry[] = { { "Retry-After", "5" } };

	if (ex == NULL)
		goto out;
	if (job->rc != STORE_OK) {
		http_reply(ex, 503, "application/json",
		    "{\"error\":\"temporary failure, nothing stored\"}\n", 46,
		    retry, 1);
		goto out;
	}
	http_reply_json(ex, res->replayed ? 200 : 201, json_pack(
	    "{s:s, s:s, s:b}", "report_id", res->report_id, "incident_id",
	    res->incident_id, "duplicate", res->duplicate));
out:
	store_job_free(job);
	http_api_submit_free(a);
}

/* Is the request's Content-Type this media type? */
static int
http_content_is(const struct http_exchange *ex, const char *type)
{
	struct http_content_type ct;
	const char		*v = http_header_get(ex->req, "Content-Type");

	return v != NULL && http_content_type(v, strlen(v), &ct) == 0 &&
	    strcmp(ct.type, type) == 0;
}

/* Parser thread. */
static void
http_api_parse_work(void *arg)
{
	struct http_api_submit	*a = arg;

	a->rc = api_json_to_report(a->body, a->body_len, &a->gw->tax,
	    &a->gw->limits, NULL, &a->report, &a->err);
}

/* Back on the loop: answer a bad submission, or store it. */
static void
http_api_parse_done(void *arg)
{
	static const struct http_field retry[] = { { "Retry-After", "5" } };
	struct http_api_submit	*a = arg;
	struct http_exchange	*ex = http_exchange_find(&a->ticket);
	struct api_json_error	*err = &a->err;
	struct store_job	*job;

	if (ex == NULL) {
		http_api_submit_free(a);
		return;
	}
	if (a->rc == -1) {
		metrics_rejected(err->code == API_JSON_TOO_LARGE ?
		    METRICS_TOO_LARGE : err->code == API_JSON_NOMEM ?
		    METRICS_BUSY : METRICS_INVALID);
		http_reply_json(ex, err->code == API_JSON_TOO_LARGE ? 413 :
		    err->code == API_JSON_NOMEM ? 503 : 400, err->field[0] ?
		    json_pack("{s:s, s:s}", "error", err->reason, "field",
		    err->field) : json_pack("{s:s}", "error", err->reason));
		http_api_submit_free(a);
		return;
	}
	job = store_job_new();
	job->token_name = xstrdup(ex->token_name);
	job->verified = 1;
	job->peer = xstrdup(ex->peer);
	job->raw = (unsigned char *)a->body;
	job->rawlen = a->body_len;
	a->body = NULL;
	job->reports = xmalloc(sizeof(*job->reports));
	job->reports[0] = a->report;	/* the job owns its strings now */
	job->n_reports = 1;
	report_init(&a->report);
	if (intake_submit(ex->gw, job, INTAKE_API, http_api_submit_done,
	    a) == -1) {
		http_api_submit_free(a);
		http_reply(ex, 503, "application/json",
		    "{\"error\":\"server busy, nothing stored\"}\n", 40,
		    retry, 1);
	}
}

static void
http_api_post_report(struct http_exchange *ex)
{
	static const struct http_field retry[] = { { "Retry-After", "5" } };
	struct http_api_submit	*a;
	size_t			 budget = 3 * ex->body_len + 2048;

	if (!http_content_is(ex, "application/json")) {
		metrics_rejected(METRICS_INVALID);
		http_reply_error(ex, 415, "the body must be application/json",
		    NULL);
		return;
	}
	if (budget_take(budget, 1) == -1) {
		metrics_rejected(METRICS_BUSY);
		http_reply(ex, 503, "application/json",
		    "{\"error\":\"server busy, nothing stored\"}\n", 40,
		    retry, 1);
		return;
	}
	a = xcalloc(1, sizeof(*a));
	a->ticket = http_exchange_ticket(ex);
	a->gw = ex->gw;
	a->budget = budget;
	a->body = ex->body;
	a->body_len = ex->body_len;
	ex->body = NULL;
	report_init(&a->report);
	http_exchange_wait(ex);
	worker_run(ex->gw->workers, http_api_parse_work, http_api_parse_done,
	    a);
}

struct http_api_read {
	struct http_ticket	 ticket;
	char			 id[64];
	char			*owner;		/* NULL: any report */
	int			 rc;
	char			*json;
};

static void
http_api_read_work(struct store_read *rd, void *arg)
{
	struct http_api_read	*q = arg;
	json_t			*o = NULL, *tok;
	char			 err[256];

	if (rd == NULL) {
		q->rc = STORE_READ_ERROR;
		return;
	}
	q->rc = store_read_show(rd, q->id, &o, err, sizeof(err));
	if (q->rc != STORE_READ_OK)
		return;
	/* a submitter reads its own reports only; others do not exist */
	tok = json_object_get(o, "token");
	if (q->owner != NULL && (!json_is_string(tok) ||
	    strcmp(json_string_value(tok), q->owner) != 0))
		q->rc = STORE_READ_NOTFOUND;
	else
		q->json = json_dumps(o, JSON_COMPACT);
	json_decref(o);
}

static void
http_api_read_done(void *arg)
{
	struct http_api_read	*q = arg;
	struct http_exchange	*ex = http_exchange_find(&q->ticket);

	if (ex == NULL)
		;
	else if (q->rc == STORE_READ_OK && q->json != NULL)
		http_reply(ex, 200, "application/json", q->json,
		    strlen(q->json), NULL, 0);
	else if (q->rc == STORE_READ_NOTFOUND ||
	    q->rc == STORE_READ_INVALID || q->rc == STORE_READ_OK)
		http_reply_error(ex, 404, "unknown report", NULL);
	else
		http_reply_error(ex, 503, "store unavailable", NULL);
	free(q->owner);
	free(q->json);
	free(q);
}

static void
http_api_get_report(struct http_exchange *ex)
{
	struct http_api_read	*q;

	if (strncmp(ex->param, "IR-", 3) != 0) {
		http_reply_error(ex, 404, "unknown report", NULL);
		return;
	}
	q = xcalloc(1, sizeof(*q));
	q->ticket = http_exchange_ticket(ex);
	snprintf(q->id, sizeof(q->id), "%s", ex->param);
	if (!role_may(ex->token_role, ROLE_TRIAGE))
		q->owner = xstrdup(ex->token_name);
	http_exchange_wait(ex);
	readers_run(ex->gw->readers, http_api_read_work, http_api_read_done,
	    q);
}

/* --- set-up ------------------------------------------------------------- */

int
http_routes_init(struct gateway *gw, char *err, size_t errlen)
{
	if ((gw->pages = page_set_load(&gw->tax, err, errlen)) == NULL)
		return -1;
	if (http_api_triage_init(gw, err, errlen) == -1 ||
	    staff_init(gw, err, errlen) == -1)
		return -1;
	return http_form_init(err, errlen);
}

void
http_routes_free(struct gateway *gw)
{
	page_set_free(gw->pages);
	gw->pages = NULL;
	page_buf_free(&http_home_cache[0]);
	page_buf_free(&http_home_cache[1]);
	http_form_free();
	http_api_triage_free();
	staff_free();
}
