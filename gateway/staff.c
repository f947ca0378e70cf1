/*
 * staff.c - the staff view's sign-in and sign-out, the session check that
 * runs before every other /triage route, and what the staff pages share
 * (staff_int.h).
 *
 * Sign-in (POST /triage/login) takes a token in a form with the page's
 * stateless form token (form_csrf_*), checks it on a reader exactly like a
 * Bearer token (its SHA-256 against every active token's, in constant
 * time), and on success for a triage or admin token opens a session and
 * sets its cookie (Secure, HttpOnly, SameSite=Strict, Path=/triage).
 * Failed sign-ins are counted per client address (listener_peer_key):
 * past STAFF_LOGIN_FAILURES in STAFF_LOGIN_WINDOW seconds, sign-in answers
 * 429 without looking at the token.
 *
 * Every other route: the cookie's session (staff_session.c), then a
 * reader checks that its token is still active (a revoked token's sessions
 * end there), then the route's role, then the handler. Forms of the staff
 * view carry the session's own form token; a POST without it is 403.
 *
 * Bounds: a sign-in form of STAFF_LOGIN_BODY_MAX bytes, an action's of
 * STAFF_FORM_MAX; 32 cookies in a request; times are formatted into
 * fixed buffers.
 */
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "config.h"
#include "form.h"
#include "gateway.h"
#include "http.h"
#include "log.h"
#include "page.h"
#include "ratelimit.h"
#include "readers.h"
#include "roles.h"
#include "staff.h"
#include "staff_int.h"
#include "stats.h"
#include "store_read.h"
#include "tzif.h"
#include "util.h"

#define STAFF_LOGIN_BODY_MAX	4096	/* the sign-in form */
#define STAFF_TOKEN_MAX		256	/* bytes of a token typed in */
#define STAFF_COOKIES_MAX	32

/* Built at start-up; the loop thread alone uses it (tz: any thread). */
static struct {
	struct gateway		*gw;
	struct staff_sessions	*sessions;
	struct ratelimit	*failures;
	struct tzif		 tz;
	const char		*tzname;
} staff;

int
staff_init(struct gateway *gw, char *err, size_t errlen)
{
	const struct config	*cfg = gw->cfg;

	if (stats_tz_load(cfg->stats_timezone, &staff.tz, err, errlen) == -1)
		return -1;
	staff.gw = gw;
	staff.tzname = cfg->stats_timezone;
	staff.sessions = staff_sessions_new(cfg->triage_session_idle,
	    cfg->triage_session_lifetime);
	staff.failures = ratelimit_new(STAFF_LOGIN_WINDOW);
	return 0;
}

void
staff_free(void)
{
	staff_sessions_free(staff.sessions);
	ratelimit_free(staff.failures);
	tzif_free(&staff.tz);
	memset(&staff, 0, sizeof(staff));
}

const struct tzif *
staff_tz(void)
{
	return &staff.tz;
}

const char *
staff_tz_name(void)
{
	return staff.tzname;
}

/* --- memory and values of a page ---------------------------------------- */

void *
staff_mem_alloc(struct staff_mem *m, size_t n, size_t size)
{
	void	*p = xcalloc(n ? n : 1, size ? size : 1);

	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->blocks = xrealloc(m->blocks, m->cap * sizeof(*m->blocks));
	}
	m->blocks[m->n++] = p;
	return p;
}

char *
staff_mem_strdup(struct staff_mem *m, const char *s)
{
	size_t	 len = strlen(s);
	char	*p = staff_mem_alloc(m, len + 1, 1);

	memcpy(p, s, len);
	return p;
}

void
staff_mem_free(struct staff_mem *m)
{
	size_t	i;

	for (i = 0; i < m->n; i++)
		free(m->blocks[i]);
	free(m->blocks);
	memset(m, 0, sizeof(*m));
}

const char *
staff_local_unix(struct staff_mem *m, long long t)
{
	long long	local = t + tzif_offset(&staff.tz, t), y, days;
	int		mo, d;
	char		buf[48];

	days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	tzif_civil_from_days(days, &y, &mo, &d);
	local -= days * 86400;
	snprintf(buf, sizeof(buf), "%04lld-%02d-%02d %02lld:%02lld", y, mo, d,
	    local / 3600, local / 60 % 60);
	return staff_mem_strdup(m, buf);
}

const char *
staff_local_time(struct staff_mem *m, const char *rfc3339)
{
	long long	t;

	if (rfc3339 == NULL || tzif_parse_time(&staff.tz, rfc3339, &t) == -1)
		return NULL;
	return staff_local_unix(m, t);
}

const char *
staff_json_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The indicators of JSON array a ([{type, value}]) into m. */
static const struct page_staff_indicator *
staff_indicators(struct staff_mem *m, json_t *a, size_t *n)
{
	struct page_staff_indicator	*ind;
	json_t				*v;
	size_t				 i;

	*n = json_array_size(a);
	ind = staff_mem_alloc(m, *n, sizeof(*ind));
	json_array_foreach(a, i, v) {
		ind[i].type = staff_json_str(v, "type");
		ind[i].value = staff_json_str(v, "value");
	}
	return ind;
}

/* The strings of JSON array a joined with ", ", in m. */
static const char *
staff_join(struct staff_mem *m, json_t *a)
{
	json_t	*v;
	size_t	 i, n, len = 1, at = 0;
	char	*out;

	json_array_foreach(a, i, v)
		len += json_string_length(v) + 2;
	out = staff_mem_alloc(m, len, 1);	/* zeroed */
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			continue;
		if (at > 0) {
			memcpy(out + at, ", ", 2);
			at += 2;
		}
		/* the string's own length: len was counted from the same */
		n = strnlen(json_string_value(v), json_string_length(v));
		memcpy(out + at, json_string_value(v), n);
		at += n;
	}
	return out;
}

void
staff_incident_fill(struct staff_mem *m, json_t *o,
    struct page_staff_incident *inc)
{
	json_t	*lvl = json_object_get(o, "system_level");
	json_t	*rep = json_object_get(o, "report_count");
	char	 buf[24];

	memset(inc, 0, sizeof(*inc));
	inc->id = staff_json_str(o, "id");
	inc->status = staff_json_str(o, "status");
	inc->category = staff_json_str(o, "category");
	inc->severity = staff_json_str(o, "severity");
	inc->verified = json_is_true(json_object_get(o, "verified"));
	inc->serious = json_is_true(json_object_get(o, "serious"));
	inc->overdue = json_is_true(json_object_get(o, "overdue"));
	/* the queue's "reports" is a count; the detail's a list */
	inc->reports = json_is_integer(rep) ? json_integer_value(rep) :
	    json_integer_value(json_object_get(o, "reports"));
	inc->first_seen = staff_local_time(m, staff_json_str(o, "first_seen"));
	inc->last_seen = staff_local_time(m, staff_json_str(o, "last_seen"));
	inc->due = staff_local_time(m, staff_json_str(o, "due"));
	inc->deadline = staff_json_str(o, "deadline");
	inc->claimed_by = staff_json_str(o, "claimed_by");
	inc->claim_expires = staff_local_time(m, staff_json_str(o,
	    "claim_expires"));
	inc->channels = staff_join(m, json_object_get(o, "channels"));
	inc->merged_into = staff_json_str(o, "merged_into");
	if (json_is_integer(lvl)) {
		snprintf(buf, sizeof(buf), "%lld",
		    (long long)json_integer_value(lvl));
		inc->system_level = staff_mem_strdup(m, buf);
	}
	inc->detected_at = staff_local_time(m, staff_json_str(o,
	    "detected_at"));
	inc->resolved_at = staff_local_time(m, staff_json_str(o,
	    "resolved_at"));
	inc->notified_at = staff_local_time(m, staff_json_str(o,
	    "notified_at"));
	inc->handling = staff_json_str(o, "handling");
	inc->indicators = staff_indicators(m, json_object_get(o,
	    "indicators"), &inc->n_indicators);
}

void
staff_vars(struct http_exchange *ex, struct page_vars *v,
    struct page_staff *st)
{
	memset(v, 0, sizeof(*v));
	memset(st, 0, sizeof(*st));
	v->staff = st;
	v->csrf = ex->csrf;
	st->user = ex->token_name;
	st->tz = staff.tzname;
	st->median_claim = st->median_resolve = -1;
}

void
staff_see_other(struct http_exchange *ex, const char *target,
    const struct http_field *h)
{
	struct http_field	f[2];
	char			where[512];
	size_t			n = 0;

	snprintf(where, sizeof(where), "%s%slang=%s", target,
	    strchr(target, '?') != NULL ? "&" : "?", ex->lang);
	f[n].name = "Location";
	f[n++].value = where;
	if (h != NULL)
		f[n++] = *h;
	http_reply(ex, 303, "text/plain; charset=utf-8", "see other\n", 10, f,
	    n);
}

/* Small form limits: the staff view's forms have a few short fields. */
static void
staff_form_limits(struct form_limits *lim, size_t max_body)
{
	form_limits_default(lim);
	lim->max_fields = 16;
	lim->max_body = max_body;
	lim->max_value = 8192;
	lim->max_attachments = 0;
	lim->max_attachment_bytes = 0;
}

/* Parse ex's body as a form within max_body. 0, or -1 (answered). */
static int
staff_form_parse(struct http_exchange *ex, size_t max_body,
    struct form_fields *ff)
{
	const char		*ct = http_header_get(ex->req, "Content-Type");
	struct form_limits	 lim;
	struct form_error	 fe;

	form_fields_init(ff);
	if (ex->body_len > max_body) {
		http_reply_error(ex, 413, "form too large", NULL);
		return -1;
	}
	staff_form_limits(&lim, max_body);
	if (ct == NULL) {
		http_reply_error(ex, 415, "a form body is required", NULL);
		return -1;
	}
	if (form_parse(ct, ex->body != NULL ? ex->body : "", ex->body_len,
	    &lim, ff, &fe) == -1) {
		http_reply_error(ex, fe.code == FORM_ERR_CONTENT_TYPE ? 415 :
		    fe.code == FORM_ERR_LIMIT ? 413 : 400, "bad form", NULL);
		return -1;
	}
	return 0;
}

/* The one csrf field of ff, or NULL (absent, or given twice). */
static const char *
staff_form_csrf(const struct form_fields *ff, size_t *len)
{
	size_t	i, n = 0;

	for (i = 0; i < ff->n_fields; i++)
		n += strcmp(ff->fields[i].name, "csrf") == 0;
	if (n != 1)
		return NULL;
	return form_field_get(ff, "csrf", len);
}

int
staff_form_read(struct http_exchange *ex, struct form_fields *ff)
{
	const char	*tok;
	size_t		 len = 0;

	if (staff_form_parse(ex, STAFF_FORM_MAX, ff) == -1)
		return -1;
	tok = staff_form_csrf(ff, &len);
	if (!staff_csrf_equal(ex->csrf, tok, len)) {
		log_info("http: %s: staff form without the session's csrf "
		    "token", ex->peer);
		form_fields_free(ff);
		http_reply_error(ex, 403, "missing or wrong form token", NULL);
		return -1;
	}
	return 0;
}

/* --- sessions ------------------------------------------------------------- */

/* The session cookie's value in ex's request: 1 with *v, *len; or 0. */
static int
staff_cookie(const struct http_exchange *ex, const char **v, size_t *len)
{
	struct http_cookie	 c[STAFF_COOKIES_MAX];
	const char		*h = http_header_get(ex->req, "Cookie");
	int			 n, i;

	if (h == NULL ||
	    (n = http_cookies(h, strlen(h), c, STAFF_COOKIES_MAX)) <= 0)
		return 0;
	for (i = 0; i < n; i++)
		if (c[i].name_len == strlen(STAFF_COOKIE) &&
		    memcmp(c[i].name, STAFF_COOKIE, c[i].name_len) == 0) {
			*v = c[i].value;
			*len = c[i].value_len;
			return 1;
		}
	return 0;
}

/* ex's session now, into *si: 1, or 0 when it has none. */
static int
staff_session_of(const struct http_exchange *ex,
    struct staff_session_info *si)
{
	const char	*v;
	size_t		 len;

	return staff_cookie(ex, &v, &len) && staff_session_find(
	    staff.sessions, v, len, time(NULL), si);
}

static void
staff_to_login(struct http_exchange *ex)
{
	staff_see_other(ex, "/triage/login", NULL);
}

struct staff_check {
	struct http_ticket		 ticket;
	struct staff_session_info	 info;
	enum role_action		 action;
	staff_handler			 handler;
	int				 rc;
	char				*name, *role;
	char				 err[256];
};

/* Reader thread: is the session's token still active, and whose? */
static void
staff_check_work(struct store_read *rd, void *arg)
{
	struct staff_check	*c = arg;

	c->rc = rd == NULL ? STORE_READ_ERROR : store_read_token_check_hash(rd,
	    c->info.token_hash, &c->name, &c->role, c->err, sizeof(c->err));
}

static void
staff_check_done(void *arg)
{
	struct staff_check	*c = arg;
	struct http_exchange	*ex = http_exchange_find(&c->ticket);

	if (ex == NULL)
		goto out;
	if (c->rc == STORE_READ_ERROR) {
		log_warn("staff: token check: %s", c->err);
		http_reply_error(ex, 503, "token check unavailable", NULL);
		goto out;
	}
	if (c->rc != STORE_READ_OK || strcmp(c->name, c->info.name) != 0 ||
	    strcmp(c->role, c->info.role) != 0) {
		log_info("staff: %s: token %s revoked: %zu session(s) ended",
		    ex->peer, c->info.name, staff_sessions_drop_token(
		    staff.sessions, c->info.token_hash));
		staff_to_login(ex);
		goto out;
	}
	ex->token_name = xstrdup(c->info.name);
	ex->token_role = xstrdup(c->info.role);
	snprintf(ex->csrf, sizeof(ex->csrf), "%s", c->info.csrf);
	if (!role_may(ex->token_role, c->action)) {
		http_reply_error(ex, 403, "this role may not use this page",
		    NULL);
		goto out;
	}
	c->handler(ex);
out:
	OPENSSL_cleanse(&c->info, sizeof(c->info));
	free(c->name);
	free(c->role);
	free(c);
}

void
staff_route(struct http_exchange *ex, enum role_action action,
    staff_handler handler)
{
	struct staff_check	*c = xcalloc(1, sizeof(*c));

	if (!staff_session_of(ex, &c->info)) {
		free(c);
		staff_to_login(ex);
		return;
	}
	c->ticket = http_exchange_ticket(ex);
	c->action = action;
	c->handler = handler;
	http_exchange_wait(ex);
	readers_run(ex->gw->readers, staff_check_work, staff_check_done, c);
}

/* --- sign-in, sign-out ---------------------------------------------------- */

/* The sign-in page with a notice (a message key, or NULL). */
static void
staff_login_page(struct http_exchange *ex, int status, const char *notice,
    int ok, const struct http_field *extra, size_t n_extra)
{
	struct page_vars	v;
	struct page_staff	st;
	char			csrf[64];

	memset(&v, 0, sizeof(v));
	memset(&st, 0, sizeof(st));
	form_csrf_make(time(NULL), csrf, sizeof(csrf));
	v.csrf = csrf;
	v.staff = &st;
	v.path = "/triage/login";
	st.notice = notice;
	st.notice_ok = ok;
	st.median_claim = st.median_resolve = -1;
	http_reply_page_with(ex, status, PAGE_STAFF_LOGIN, &v, extra, n_extra);
}

void
staff_get_login(struct http_exchange *ex)
{
	struct staff_session_info	si;
	char				v[8];
	int				out = 0;

	if (staff_session_of(ex, &si)) {
		OPENSSL_cleanse(&si, sizeof(si));
		staff_see_other(ex, "/triage", NULL);
		return;
	}
	if (ex->req->query != NULL && http_query_param(ex->req->query,
	    ex->req->query_len, "out", v, sizeof(v), NULL) == 1)
		out = 1;
	staff_login_page(ex, 200, out ? "staff.login.signed-out" : NULL, out,
	    NULL, 0);
}

/* A failed sign-in from ex's address: counted, and the page again. */
static void
staff_login_failed(struct http_exchange *ex, int status, const char *key)
{
	unsigned char	peer[16];

	listener_peer_key(ex->peer_addr, peer);
	(void)ratelimit_hit(staff.failures, peer, sizeof(peer),
	    STAFF_LOGIN_FAILURES, time(NULL));
	log_info("staff: %s: sign-in refused (%s)", ex->peer, key);
	staff_login_page(ex, status, key, 0, NULL, 0);
}

struct staff_login {
	struct http_ticket	 ticket;
	unsigned char		 hash[32];	/* of the token typed in */
	int			 rc;
	char			*name, *role;
	char			 err[256];
};

static void
staff_login_work(struct store_read *rd, void *arg)
{
	struct staff_login	*l = arg;

	l->rc = rd == NULL ? STORE_READ_ERROR : store_read_token_check_hash(rd,
	    l->hash, &l->name, &l->role, l->err, sizeof(l->err));
}

static void
staff_login_done(void *arg)
{
	struct staff_login	*l = arg;
	struct http_exchange	*ex = http_exchange_find(&l->ticket);
	char			 id[STAFF_ID_HEX + 1], cookie[160];
	struct http_field	 h = { "Set-Cookie", cookie };
	const char		*old;
	size_t			 oldlen;

	if (ex == NULL)
		goto out;
	if (l->rc == STORE_READ_ERROR) {
		log_warn("staff: sign-in: %s", l->err);
		staff_login_page(ex, 503, "staff.login.unavailable", 0, NULL,
		    0);
		goto out;
	}
	if (l->rc != STORE_READ_OK || !role_may(l->role, ROLE_TRIAGE)) {
		staff_login_failed(ex, 403, "staff.login.failed");
		goto out;
	}
	/* a session the browser still had ends: one per sign-in */
	if (staff_cookie(ex, &old, &oldlen))
		staff_session_close(staff.sessions, old, oldlen);
	if (staff_session_open(staff.sessions, l->name, l->role, l->hash,
	    time(NULL), id) == -1) {
		staff_login_page(ex, 503, "staff.login.unavailable", 0, NULL,
		    0);
		goto out;
	}
	snprintf(cookie, sizeof(cookie), "%s=%s; Path=/triage; Secure; "
	    "HttpOnly; SameSite=Strict", STAFF_COOKIE, id);
	log_info("staff: %s: %s signed in", ex->peer, l->name);
	staff_see_other(ex, "/triage", &h);
	OPENSSL_cleanse(id, sizeof(id));
	OPENSSL_cleanse(cookie, sizeof(cookie));
out:
	OPENSSL_cleanse(l->hash, sizeof(l->hash));
	free(l->name);
	free(l->role);
	free(l);
}

void
staff_post_login(struct http_exchange *ex)
{
	struct form_fields	 ff;
	struct staff_login	*l;
	const char		*csrf, *tok;
	unsigned char		 peer[16];
	char			 secs[24];
	struct http_field	 retry = { "Retry-After", secs };
	size_t			 clen = 0, tlen = 0;
	long long		 wait;

	listener_peer_key(ex->peer_addr, peer);
	if ((wait = ratelimit_check(staff.failures, peer, sizeof(peer),
	    STAFF_LOGIN_FAILURES, time(NULL))) > 0) {
		snprintf(secs, sizeof(secs), "%lld", wait);
		log_info("staff: %s: sign-in rate limit, retry in %lld s",
		    ex->peer, wait);
		staff_login_page(ex, 429, "staff.login.rate", 0, &retry, 1);
		return;
	}
	if (staff_form_parse(ex, STAFF_LOGIN_BODY_MAX, &ff) == -1)
		return;
	csrf = staff_form_csrf(&ff, &clen);
	tok = form_field_get(&ff, "token", &tlen);
	if (csrf == NULL || !form_csrf_valid(csrf, clen, time(NULL))) {
		form_fields_free(&ff);
		log_info("staff: %s: sign-in without a valid form token",
		    ex->peer);
		staff_login_page(ex, 403, "staff.login.expired", 0, NULL, 0);
		return;
	}
	/* a token pasted with blanks around it is still that token */
	while (tok != NULL && tlen > 0 && strchr(" \t\r\n", *tok) != NULL) {
		tok++;
		tlen--;
	}
	while (tok != NULL && tlen > 0 && strchr(" \t\r\n",
	    tok[tlen - 1]) != NULL)
		tlen--;
	if (tok == NULL || tlen == 0 || tlen > STAFF_TOKEN_MAX ||
	    memchr(tok, '\0', tlen) != NULL) {
		form_fields_free(&ff);
		staff_login_failed(ex, 403, "staff.login.failed");
		return;
	}
	l = xcalloc(1, sizeof(*l));
	sha256(tok, tlen, l->hash);
	form_fields_free(&ff);
	l->ticket = http_exchange_ticket(ex);
	http_exchange_wait(ex);
	readers_run(ex->gw->readers, staff_login_work, staff_login_done, l);
}

/* After the session check: end it, forget the cookie. */
void
staff_post_logout(struct http_exchange *ex)
{
	static const struct http_field clear = { "Set-Cookie", STAFF_COOKIE
	    "=; Path=/triage; Max-Age=0; Secure; HttpOnly; SameSite=Strict" };
	struct form_fields	 ff;
	const char		*v;
	size_t			 len;

	if (staff_form_read(ex, &ff) == -1)
		return;
	form_fields_free(&ff);
	if (staff_cookie(ex, &v, &len))
		staff_session_close(staff.sessions, v, len);
	log_info("staff: %s: %s signed out", ex->peer, ex->token_name);
	staff_see_other(ex, "/triage/login?out=1", &clear);
}
