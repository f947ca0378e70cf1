/*
 * page_render.c - one page rendered: the caller's page_vars bound to the
 * names the templates use (a root scope, and a scope per list item, in an
 * arena freed before returning), then the layout walked with the page's
 * template at its body slot. Every value and message goes through
 * page_escape_append(); a value starting a URL attribute must also pass
 * url_ok() or "#" is written instead.
 *
 * Texts come from the catalogue only: C composes message keys (field.*,
 * severity.*, level.*, status.*, cause.*, error.N.*), all of which
 * page_set_new() checked. Nothing here does I/O or keeps state between
 * calls; several threads may render from one page_set at once.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "page_int.h"
#include "taxonomy.h"

struct page_achunk {
	struct page_achunk	*next;
	size_t			 used;
	size_t			 cap;
	max_align_t		 data[];
};

struct render {
	const struct page_set	*ps;
	int			 lang;
	struct page_buf		*out;
	const struct page_tmpl	*body;
	const struct page_scope	*stack[PAGE_DEPTH_MAX + 1];
	int			 depth;
};

static const char *switch_url(struct page_arena *, const char *, const char *,
		    int);
static const char *tel_uri(struct page_arena *, const char *);
static void	 bind_common(struct page_arena *, struct page_scope *,
		    const struct page_set *, enum page_id, int,
		    const struct page_vars *);
static int	 field_index(const char *);
static const char *field_value(const struct page_vars *, const char *);
static int	 hidden_category(const char *);
static void	 bind_choices(struct page_arena *, struct page_scope *,
		    const struct page_set *, int, int, const char *const *,
		    size_t, const char *, const char *);
static void	 bind_categories(struct page_arena *, struct page_scope *,
		    const struct page_set *, int, const char *);
static void	 bind_report(struct page_arena *, struct page_scope *,
		    const struct page_set *, int, const struct page_vars *,
		    const char *);
static void	 bind_status(struct page_arena *, struct page_scope *,
		    const struct page_set *, int, const struct page_vars *);
static void	 bind_verify(struct page_arena *, struct page_scope *, int,
		    const struct page_vars *);
static int	 error_code(int);
static const struct page_val *lookup(const struct render *, int);
static int	 truthy(const struct page_val *);
static int	 url_ok(const char *, size_t);
static void	 render_range(struct render *, const struct page_tmpl *,
		    size_t, size_t);

/* ---- arena and scopes ---- */

void *
page_arena_alloc(struct page_arena *a, size_t n)
{
	struct page_achunk	*c = a->head;
	size_t		 cap;
	void		*p;

	if (a->failed)
		return NULL;
	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (c == NULL || c->cap - c->used < n) {
		cap = n > 16384 ? n : 16384;
		if ((c = malloc(sizeof(*c) + cap)) == NULL) {
			a->failed = 1;
			return NULL;
		}
		c->next = a->head;
		c->used = 0;
		c->cap = cap;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

void
page_arena_free(struct page_arena *a)
{
	struct page_achunk	*c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

/* A copy of b's text in the arena (NULL when b failed); b is freed. */
char *
page_arena_buf(struct page_arena *a, struct page_buf *b)
{
	char	*s = NULL;

	if (b->failed)
		a->failed = 1;
	else if ((s = page_arena_alloc(a, b->len + 1)) != NULL && b->len > 0)
		memcpy(s, b->data, b->len);
	page_buf_free(b);
	return s;
}

char *
page_arena_printf(struct page_arena *a, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = page_arena_alloc(a, (size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

struct page_scope *
page_scope_new(struct page_arena *a, size_t cap)
{
	struct page_scope	*sc;

	if ((sc = page_arena_alloc(a, sizeof(*sc))) == NULL ||
	    (sc->v = page_arena_alloc(a, cap * sizeof(*sc->v))) == NULL)
		return NULL;
	sc->cap = cap;
	return sc;
}

/* A list of n items, each a scope for cap names. */
struct page_list *
page_list_new(struct page_arena *a, size_t n, size_t cap)
{
	struct page_list	*l;
	size_t		 i;

	if ((l = page_arena_alloc(a, sizeof(*l))) == NULL ||
	    (l->items = page_arena_alloc(a, (n ? n : 1) *
	    sizeof(*l->items))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if ((l->items[i].v = page_arena_alloc(a, cap *
		    sizeof(*l->items[i].v))) == NULL)
			return NULL;
		else
			l->items[i].cap = cap;
	l->n = n;
	return l;
}

/* Bind name id to s in sc; NULL s (or sc) binds nothing. */
void
page_bind(struct page_arena *a, struct page_scope *sc, int id, const char *s)
{
	if (sc == NULL || s == NULL)
		return;
	if (sc->n == sc->cap) {		/* sized too small: a bug */
		a->failed = 1;
		return;
	}
	sc->v[sc->n].id = id;
	sc->v[sc->n].s = s;
	sc->v[sc->n].len = strlen(s);
	sc->n++;
}

void
page_bind_list(struct page_arena *a, struct page_scope *sc, int id,
    const struct page_list *l)
{
	if (sc == NULL || l == NULL)
		return;
	if (sc->n == sc->cap) {
		a->failed = 1;
		return;
	}
	sc->v[sc->n].id = id;
	sc->v[sc->n].list = l;
	sc->n++;
}

/* ---- texts and URLs ---- */

/* The text of key in lang, or NULL. */
const char *
page_msg_text(const struct page_set *ps, int lang, const char *key)
{
	int	i;

	if (key == NULL || (i = page_msg_find(ps, key)) == -1)
		return NULL;
	return ps->msgs[i].text[lang];
}

/* The text of the key fmt composes, else the text of fallback. */
const char *
page_msg_fmt(const struct page_set *ps, int lang, const char *fallback,
    const char *fmt, ...)
{
	char		 key[PAGE_NAME_MAX + 1];
	const char	*s;
	va_list		 ap;
	int		 n;

	va_start(ap, fmt);
	n = vsnprintf(key, sizeof(key), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(key) ||
	    (s = page_msg_text(ps, lang, key)) == NULL)
		return page_msg_text(ps, lang, fallback);
	return s;
}

/*
 * Append s[0..len) to a URL, percent-encoding every other byte than:
 * where 0 (a path) unreserved, sub-delimiters, ':', '@', '/', '%';
 * where 1 (a query) the same and '?'; where 2 (one path segment taken
 * from outside, e.g. a token) unreserved only.
 */
void
page_url_encode(struct page_buf *b, const char *s, size_t len, int where)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const char		*keep;
	char			 e[3];
	size_t			 i;
	unsigned char		 c;

	keep = where == 2 ? "-._~" : where == 1 ? "-._~!$&'()*+,;=:@/%?" :
	    "-._~!$&'()*+,;=:@/%";
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (isalnum(c) && c < 0x80)
			page_buf_append(b, &s[i], 1);
		else if (c != '\0' && strchr(keep, c) != NULL)
			page_buf_append(b, &s[i], 1);
		else {
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 15];
			page_buf_append(b, e, 3);
		}
	}
}

/* path (a constant of ours) with ?lang= for lang. */
const char *
page_lang_url(struct page_arena *a, const char *path, int lang)
{
	return page_arena_printf(a, "%s?lang=%s", path, page_lang_names[lang]);
}

/*
 * The current page in the other language: the request's path (or "/" when
 * it is not a plain absolute path) and query, without its lang
 * parameters, plus lang=other.
 */
static const char *
switch_url(struct page_arena *a, const char *path, const char *query, int other)
{
	struct page_buf	 b;
	const char	*p, *amp;
	size_t		 len;

	page_buf_init(&b);
	if (path == NULL || path[0] != '/' || path[1] == '/' || path[1] == '\\')
		path = "/";
	page_url_encode(&b, path, strlen(path), 0);
	page_buf_append(&b, "?", 1);
	for (p = query; p != NULL && *p != '\0'; p = amp + (*amp != '\0')) {
		if ((amp = strchr(p, '&')) == NULL)
			amp = p + strlen(p);
		len = amp - p;
		if (len == 0 || (len >= 4 && strncmp(p, "lang", 4) == 0 &&
		    (len == 4 || p[4] == '=')))
			continue;
		page_url_encode(&b, p, len, 1);
		page_buf_append(&b, "&", 1);
	}
	page_buf_append(&b, "lang=", 5);
	page_buf_append(&b, page_lang_names[other], 2);
	return page_arena_buf(a, &b);
}

/*
 * "tel:" URI digits of the first number in phone: a leading '+', then
 * digits, skipping spaces, dots, dashes and parentheses, up to anything
 * else. NULL when there is no digit.
 */
static const char *
tel_uri(struct page_arena *a, const char *phone)
{
	char	buf[32];
	size_t	n = 0, digits = 0;

	if (phone == NULL)
		return NULL;
	while (*phone == ' ')
		phone++;
	if (*phone == '+')
		buf[n++] = *phone++;
	for (; *phone != '\0' && n < sizeof(buf) - 1; phone++) {
		if (*phone >= '0' && *phone <= '9') {
			buf[n++] = *phone;
			digits++;
		} else if (strchr(" .-()", *phone) == NULL)
			break;
	}
	buf[n] = '\0';
	return digits ? page_arena_printf(a, "%s", buf) : NULL;
}

/* ---- bindings ---- */

static void
bind_common(struct page_arena *a, struct page_scope *root,
    const struct page_set *ps, enum page_id id, int lang,
    const struct page_vars *v)
{
	const struct page_contact	*c = v->contact;
	struct page_list			*l;
	size_t				 i;

	page_bind(a, root, V_LANG, page_lang_names[lang]);
	page_bind(a, root, V_SWITCH_LANG, page_lang_names[!lang]);
	page_bind(a, root, V_SWITCH_URL, switch_url(a, v->path, v->query,
	    !lang));
	page_bind(a, root, V_STYLE_URL, page_arena_printf(a,
	    "%s/style.css?v=%s", v->static_base ? v->static_base : "/static",
	    ps->css_version));
	page_bind(a, root, V_HOME_URL, page_lang_url(a, "/", lang));
	page_bind(a, root, V_REPORT_URL, page_lang_url(a, "/report", lang));
	if (page_defs[id].noindex)
		page_bind(a, root, V_NOINDEX, "1");
	if (page_defs[id].title != NULL)
		page_bind(a, root, V_TITLE, page_msg_text(ps, lang,
		    page_defs[id].title));
	else
		page_bind(a, root, V_TITLE, page_msg_fmt(ps, lang,
		    "error.500.title", "error.%d.title",
		    error_code(v->http_status)));
	if (c == NULL)
		return;
	page_bind(a, root, V_ORG, c->organization);
	page_bind(a, root, V_PHONE, c->phone);
	page_bind(a, root, V_PHONE_TEL, tel_uri(a, c->phone));
	page_bind(a, root, V_HOURS, c->hours);
	page_bind(a, root, V_LINE_ENDPOINT, c->line_endpoint);
	page_bind(a, root, V_LINE_TLS_ENDPOINT, c->line_tls_endpoint);
	page_bind(a, root, V_ENCRYPTION_URL, c->encryption);
	page_bind(a, root, V_POLICY_URL, c->policy);
	if (c->emails == NULL || c->n_emails == 0)
		return;
	if ((l = page_list_new(a, c->n_emails, 1)) == NULL)
		return;
	for (i = 0; i < c->n_emails; i++)
		page_bind(a, &l->items[i], V_ADDRESS, c->emails[i]);
	page_bind_list(a, root, V_EMAILS, l);
}

/* Index of a form field, or -1 (NULL, "", or not a field). */
static int
field_index(const char *name)
{
	size_t	i;

	for (i = 0; name != NULL && i < PAGE_NFIELDS; i++)
		if (strcmp(name, page_form_fields[i]) == 0)
			return (int)i;
	return -1;
}

/* The first submitted value of the field called name, or NULL. */
static const char *
field_value(const struct page_vars *v, const char *name)
{
	size_t	k;

	for (k = 0; v->values != NULL && k < v->n_values; k++)
		if (v->values[k].name != NULL &&
		    strcmp(v->values[k].name, name) == 0)
			return v->values[k].value;
	return NULL;
}

static int
hidden_category(const char *code)
{
	size_t	i;

	for (i = 0; i < PAGE_NHIDDEN; i++)
		if (strcasecmp(code, page_hidden_categories[i]) == 0)
			return 1;
	return 0;
}

/*
 * Radio choices codes[0..n) then "I don't know" (code ""), as list var
 * with label <prefix>.<code>, text <prefix>.<code>.text, and checked on
 * the one value names (on "I don't know" when it names none).
 */
static void
bind_choices(struct page_arena *a, struct page_scope *root,
    const struct page_set *ps, int lang, int var, const char *const *codes,
    size_t n, const char *prefix, const char *value)
{
	struct page_list	*l;
	struct page_scope	*it;
	size_t		 i;
	int		 matched = 0;

	if ((l = page_list_new(a, n + 1, 5)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		it = &l->items[i];
		page_bind(a, it, V_CODE, codes[i]);
		page_bind(a, it, V_SLUG, codes[i]);
		page_bind(a, it, V_LABEL, page_msg_fmt(ps, lang,
		    "choice.unknown", "%s.%s", prefix, codes[i]));
		page_bind(a, it, V_TEXT, page_msg_fmt(ps, lang,
		    "choice.unknown", "%s.%s.text", prefix, codes[i]));
		if (value != NULL && strcasecmp(value, codes[i]) == 0) {
			page_bind(a, it, V_CHECKED, "1");
			matched = 1;
		}
	}
	it = &l->items[n];
	page_bind(a, it, V_CODE, "");
	page_bind(a, it, V_SLUG, "unknown");
	page_bind(a, it, V_LABEL, page_msg_text(ps, lang, "choice.unknown"));
	if (!matched)
		page_bind(a, it, V_CHECKED, "1");
	page_bind_list(a, root, var, l);
}

/*
 * The taxonomy's categories grouped by cause in the order they first
 * appear (causes, each with its categories), the hidden ones left out.
 */
static void
bind_categories(struct page_arena *a, struct page_scope *root,
    const struct page_set *ps, int lang, const char *value)
{
	const struct taxonomy		*tax = ps->tax;
	const struct taxonomy_entry	*e;
	const char			**groups;
	struct page_list			*causes_l, *cats;
	size_t				 ng = 0, i, g, k, n;

	if (tax == NULL || tax->n == 0)
		return;
	if ((groups = page_arena_alloc(a, tax->n * sizeof(*groups))) == NULL)
		return;
	for (i = 0; i < tax->n; i++) {
		e = &tax->entries[i];
		if (hidden_category(e->code))
			continue;
		for (g = 0; g < ng && strcmp(groups[g], e->cause) != 0; g++)
			;
		if (g == ng)
			groups[ng++] = e->cause;
	}
	if ((causes_l = page_list_new(a, ng, 2)) == NULL)
		return;
	for (g = 0; g < ng; g++) {
		for (i = 0, n = 0; i < tax->n; i++)
			if (strcmp(tax->entries[i].cause, groups[g]) == 0 &&
			    !hidden_category(tax->entries[i].code))
				n++;
		if ((cats = page_list_new(a, n, 3)) == NULL)
			return;
		for (i = 0, k = 0; i < tax->n; i++) {
			e = &tax->entries[i];
			if (strcmp(e->cause, groups[g]) != 0 ||
			    hidden_category(e->code))
				continue;
			page_bind(a, &cats->items[k], V_CODE, e->code);
			page_bind(a, &cats->items[k], V_LABEL,
			    lang == LANG_EN ? e->label_en : e->label_vi);
			if (value != NULL && strcasecmp(value, e->code) == 0)
				page_bind(a, &cats->items[k], V_SELECTED, "1");
			k++;
		}
		page_bind(a, &causes_l->items[g], V_LABEL,
		    page_msg_fmt(ps, lang, "cause.other", "cause.%s",
		    groups[g]));
		page_bind_list(a, &causes_l->items[g], V_CATEGORIES, cats);
	}
	page_bind_list(a, root, V_CAUSES, causes_l);
}

static void
bind_report(struct page_arena *a, struct page_scope *root,
    const struct page_set *ps, int lang, const struct page_vars *v,
    const char *action)
{
	static const char *const levels[] = { "1", "2", "3", "4", "5" };
	const char		*sev[4], *first[PAGE_NFIELDS], *m, *conf;
	const struct page_error	*e;
	struct page_list		*errs;
	size_t			 i, n;
	int			 f;

	page_bind(a, root, V_CSRF, v->csrf);
	page_bind(a, root, V_FORM_ACTION, page_lang_url(a, action, lang));
	page_bind(a, root, V_MAX_UPLOAD, v->max_upload);
	for (i = 0; i < PAGE_NFIELDS; i++) {
		page_bind(a, root, V_VALUE(i), field_value(v,
		    page_form_fields[i]));
		first[i] = NULL;
	}
	n = v->errors != NULL ? v->n_errors : 0;
	if (n > 0 && (errs = page_list_new(a, n, 3)) != NULL) {
		for (i = 0; i < n; i++) {
			e = &v->errors[i];
			if ((m = page_msg_text(ps, lang, e->msg)) == NULL)
				m = page_msg_text(ps, lang, "err.invalid");
			page_bind(a, &errs->items[i], V_MESSAGE, m);
			if ((f = field_index(e->field)) == -1)
				continue;
			page_bind(a, &errs->items[i], V_ANCHOR,
			    page_arena_printf(a, "f-%s", page_form_fields[f]));
			page_bind(a, &errs->items[i], V_LABEL,
			    page_msg_fmt(ps, lang, "err.invalid", "field.%s",
			    page_form_fields[f]));
			if (first[f] == NULL)
				first[f] = m;
		}
		page_bind_list(a, root, V_ERRORS, errs);
		page_bind(a, root, V_HAS_ERRORS, "1");
	}
	for (i = 0; i < PAGE_NFIELDS; i++)
		page_bind(a, root, V_ERROR(i), first[i]);
	bind_categories(a, root, ps, lang, field_value(v, "category"));
	for (i = 0; i < 4; i++)
		sev[i] = severity_name((enum severity)(SEV_LOW + i));
	bind_choices(a, root, ps, lang, V_SEVERITIES, sev, 4, "severity",
	    field_value(v, "severity"));
	bind_choices(a, root, ps, lang, V_LEVELS, levels, 5, "level",
	    field_value(v, "system-level"));
	conf = field_value(v, "confidential");
	if (conf != NULL && (strcasecmp(conf, "yes") == 0 ||
	    strcasecmp(conf, "on") == 0 || strcmp(conf, "1") == 0 ||
	    strcasecmp(conf, "true") == 0))
		page_bind(a, root, V_CONFIDENTIAL_CHECKED, "1");
}

static void
bind_status(struct page_arena *a, struct page_scope *root,
    const struct page_set *ps, int lang, const struct page_vars *v)
{
	const char	*st = "unknown";
	struct tm	 tm;
	time_t		 t;
	long		 off;
	size_t		 i;

	page_bind(a, root, V_REPORT_ID, v->report_id);
	if (v->received_at != 0) {
		t = v->received_at + v->utc_offset;
		off = v->utc_offset < 0 ? -v->utc_offset : v->utc_offset;
		/* day/month/year is the Vietnamese way; an English reader
		   could take it for month/day, so English gets ISO 8601 */
		if (gmtime_r(&t, &tm) != NULL && lang == LANG_EN)
			page_bind(a, root, V_RECEIVED, page_arena_printf(a,
			    "%04d-%02d-%02d %02d:%02d (UTC%c%02ld:%02ld)",
			    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			    tm.tm_hour, tm.tm_min, v->utc_offset < 0 ? '-' :
			    '+', off / 3600, off % 3600 / 60));
		else if (gmtime_r(&t, &tm) != NULL)
			page_bind(a, root, V_RECEIVED, page_arena_printf(a,
			    "%02d/%02d/%04d %02d:%02d (UTC%c%02ld:%02ld)",
			    tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900,
			    tm.tm_hour, tm.tm_min, v->utc_offset < 0 ? '-' :
			    '+', off / 3600, off % 3600 / 60));
	}
	for (i = 0; v->status != NULL && i < PAGE_NSTATUSES; i++)
		if (strcmp(v->status, page_statuses[i]) == 0)
			st = page_statuses[i];
	page_bind(a, root, V_STATUS_LABEL, page_msg_fmt(ps, lang,
	    "status.unknown", "status.%s", st));
	page_bind(a, root, V_STATUS_TEXT, page_msg_fmt(ps, lang,
	    "status.unknown.text", "status.%s.text", st));
	if (v->verified)
		page_bind(a, root, V_VERIFIED, "1");
	if (v->verify_sent)
		page_bind(a, root, V_VERIFY_SENT, "1");
}

static void
bind_verify(struct page_arena *a, struct page_scope *root, int lang,
    const struct page_vars *v)
{
	struct page_buf	b;

	page_bind(a, root, V_REPORT_ID, v->report_id);
	page_bind(a, root, V_CSRF, v->csrf);
	page_buf_init(&b);
	page_buf_append(&b, "/verify/", 8);
	if (v->verify_token != NULL)
		page_url_encode(&b, v->verify_token, strlen(v->verify_token),
		    2);
	page_buf_append(&b, "?lang=", 6);
	page_buf_append(&b, page_lang_names[lang], 2);
	page_bind(a, root, V_VERIFY_ACTION, page_arena_buf(a, &b));
}

/* The error page for an HTTP status: its own, or 400 / 500. */
static int
error_code(int status)
{
	size_t	i;

	for (i = 0; i < PAGE_NERRORS; i++)
		if (page_error_codes[i] == status)
			return status;
	return status >= 400 && status < 500 ? 400 : 500;
}

/* ---- rendering ---- */

static const struct page_val *
lookup(const struct render *r, int id)
{
	const struct page_scope	*sc;
	int			 d;
	size_t			 i;

	for (d = r->depth; d >= 0; d--)
		for (sc = r->stack[d], i = 0; i < sc->n; i++)
			if (sc->v[i].id == id)
				return &sc->v[i];
	return NULL;
}

static int
truthy(const struct page_val *v)
{
	if (v == NULL)
		return 0;
	return v->list != NULL ? v->list->n > 0 : v->len > 0;
}

/*
 * A value may start an href, src or action: empty, a path ("/x", not
 * "//host"), a fragment or query, a relative reference whose first
 * segment has no ':', or an http, https, mailto or tel URL. Never any
 * space, control or backslash, which browsers strip or fold.
 */
static int
url_ok(const char *s, size_t len)
{
	static const char *const schemes[] = {
		"https:", "http:", "mailto:", "tel:"
	};
	size_t	i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7F ||
		    s[i] == '\\')
			return 0;
	if (len >= 2 && s[0] == '/' && s[1] == '/')
		return 0;
	i = strcspn(s, ":/?#");
	if (i >= len || s[i] != ':')
		return 1;
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (len > strlen(schemes[i]) &&
		    strncasecmp(s, schemes[i], strlen(schemes[i])) == 0)
			return 1;
	return 0;
}

static void
render_range(struct render *r, const struct page_tmpl *t, size_t from,
    size_t to)
{
	const struct page_node	*n;
	const struct page_val	*v;
	const char		*s;
	size_t			 i, k;

	for (i = from; i < to; i++) {
		n = &t->nodes[i];
		switch (n->kind) {
		case N_TEXT:
			page_buf_append(r->out, n->s, n->len);
			break;
		case N_MSG:
			s = r->ps->msgs[n->id].text[r->lang];
			page_escape_append(r->out, s, strlen(s));
			break;
		case N_VAR:
			if ((v = lookup(r, n->id)) == NULL || v->list != NULL)
				break;
			if (n->url && !url_ok(v->s, v->len))
				page_buf_append(r->out, "#", 1);
			else
				page_escape_append(r->out, v->s, v->len);
			break;
		case N_IF:
		case N_IFNOT:
			if (truthy(lookup(r, n->id)) == (n->kind == N_IF))
				render_range(r, t, i + 1, n->end);
			i = n->end - 1;
			break;
		case N_EACH:
			v = lookup(r, n->id);
			for (k = 0; v != NULL && v->list != NULL &&
			    k < v->list->n && r->depth < PAGE_DEPTH_MAX; k++) {
				r->stack[++r->depth] = &v->list->items[k];
				render_range(r, t, i + 1, n->end);
				r->depth--;
			}
			i = n->end - 1;
			break;
		case N_SLOT:
			render_range(r, r->body, 0, r->body->n);
			break;
		}
	}
}

int
page_render(const struct page_set *ps, enum page_id id, const char *lang,
    const struct page_vars *vars, struct page_buf *out)
{
	static const struct page_vars	 none;
	struct page_arena			 a = { NULL, 0 };
	struct render			 r;
	struct page_scope			*root;
	int				 l;

	if (ps == NULL || (unsigned)id >= PAGE_COUNT) {
		out->failed = 1;
		return -1;
	}
	if (vars == NULL)
		vars = &none;
	l = lang != NULL && strcmp(lang, "en") == 0 ? LANG_EN : LANG_VI;
	root = page_scope_new(&a, V_COUNT);
	bind_common(&a, root, ps, id, l, vars);
	switch (id) {
	case PAGE_REPORT:
	case PAGE_STAFF_PHONE:
		bind_report(&a, root, ps, l, vars, id == PAGE_STAFF_PHONE ?
		    "/triage/phone" : "/report");
		break;
	case PAGE_STATUS:
		bind_status(&a, root, ps, l, vars);
		break;
	case PAGE_VERIFY:
		bind_verify(&a, root, l, vars);
		break;
	case PAGE_VERIFIED:
		page_bind(&a, root, V_REPORT_ID, vars->report_id);
		break;
	case PAGE_ERROR:
		page_bind(&a, root, V_STATUS_CODE, page_arena_printf(&a, "%d",
		    error_code(vars->http_status)));
		page_bind(&a, root, V_ERROR_TEXT, page_msg_fmt(ps, l,
		    "error.500.text", "error.%d.text",
		    error_code(vars->http_status)));
		break;
	default:
		break;
	}
	page_staff_bind(&a, root, ps, id, l, vars);
	if (a.failed) {
		page_arena_free(&a);
		out->failed = 1;
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.ps = ps;
	r.lang = l;
	r.out = out;
	r.body = &ps->tmpl[page_defs[id].tmpl];
	r.stack[0] = root;
	render_range(&r, &ps->tmpl[T_LAYOUT], 0, ps->tmpl[T_LAYOUT].n);
	page_arena_free(&a);
	return out->failed ? -1 : 0;
}
