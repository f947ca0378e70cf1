/*
 * page_int.h - what page.c (buffer, escaping, language, catalogue, loading),
 * page_tmpl.c (template parsing and its HTML checks) and page_render.c
 * (bindings and rendering) share. Not for other modules: see page.h.
 */
#ifndef PAGE_INT_H
#define PAGE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "page.h"

#define PAGE_NAME_MAX	64	/* names and message keys */
#define PAGE_DEPTH_MAX	8	/* nested sections */

enum page_tmpl_id {
	T_LAYOUT, T_HOME, T_REPORT, T_STATUS, T_VERIFY, T_VERIFIED, T_ERROR,
	T_STAFF_LOGIN, T_STAFF_QUEUE, T_STAFF_INCIDENT, T_STAFF_STATS,
	T_COUNT
};

/* Source names of the templates, "pages/home.html"... */
extern const char *const page_tmpl_names[T_COUNT];

struct page_def {
	enum page_tmpl_id	 tmpl;
	const char		*title;	/* key; NULL: the error's */
	int			 noindex; /* private page: robots noindex */
};
extern const struct page_def page_defs[PAGE_COUNT];

/* Statuses with an error page: keys error.N.title and error.N.text. */
#define PAGE_NERRORS	11
extern const int page_error_codes[PAGE_NERRORS];

/* The report form's fields; label key "field.<name>". */
#define PAGE_NFIELDS	15
extern const char *const page_form_fields[PAGE_NFIELDS];

/* Incident statuses in words: status.<s>, status.<s>.text. */
#define PAGE_NSTATUSES	8
extern const char *const page_statuses[PAGE_NSTATUSES];

/* Taxonomy causes with a label: cause.<c>. */
#define PAGE_NCAUSES	6
extern const char *const page_causes[PAGE_NCAUSES];

/* Categories the public form does not offer. */
#define PAGE_NHIDDEN	2
extern const char *const page_hidden_categories[PAGE_NHIDDEN];

/* Lists a template can repeat; IN(l) is the bit of names bound in items. */
enum page_list_id {
	L_ROOT, L_EMAILS, L_ERRORS, L_CAUSES, L_CATEGORIES, L_SEVERITIES,
	L_LEVELS,
	/* the staff pages' */
	L_OPTIONS, L_INCIDENTS, L_INDICATORS, L_REPORTS, L_SOURCES,
	L_TIMELINE, L_MAU05, L_CHARTS, L_BARS, L_LINKS
};
#define IN(l)	(1u << (l))

enum page_var_id {
	V_LANG, V_SWITCH_LANG, V_SWITCH_URL, V_TITLE, V_STYLE_URL, V_HOME_URL,
	V_REPORT_URL, V_NOINDEX, V_ORG, V_PHONE, V_PHONE_TEL, V_HOURS,
	V_EMAILS, V_ADDRESS, V_LINE_ENDPOINT, V_LINE_TLS_ENDPOINT,
	V_ENCRYPTION_URL, V_POLICY_URL, V_CSRF, V_FORM_ACTION, V_HAS_ERRORS,
	V_ERRORS, V_ANCHOR, V_LABEL, V_MESSAGE, V_MAX_UPLOAD, V_CAUSES,
	V_CATEGORIES, V_CODE, V_SELECTED, V_SEVERITIES, V_LEVELS, V_SLUG,
	V_TEXT, V_CHECKED, V_CONFIDENTIAL_CHECKED, V_REPORT_ID, V_RECEIVED,
	V_STATUS_LABEL, V_STATUS_TEXT, V_VERIFIED, V_VERIFY_SENT,
	V_VERIFY_ACTION, V_STATUS_CODE, V_ERROR_TEXT,
	/* the staff pages' (page_staff.c) */
	V_STAFF_USER, V_STAFF_QUEUE_URL, V_STAFF_PHONE_URL, V_STAFF_STATS_URL,
	V_STAFF_LOGOUT_URL, V_STAFF_NOTICE, V_STAFF_NOTICE_OK,
	V_STAFF_NOTICE_DETAIL, V_STAFF_TZ,
	V_QUEUE_ACTION, V_STATUS_OPTIONS, V_CATEGORY_OPTIONS,
	V_SEVERITY_OPTIONS, V_VERIFIED_OPTIONS, V_CHANNEL_OPTIONS, V_SINCE,
	V_UNTIL, V_Q, V_SHOWN, V_INCIDENTS, V_NEXT_URL,
	V_ID, V_URL, V_CATEGORY_LABEL, V_SEVERITY_LABEL, V_SERIOUS, V_OVERDUE,
	V_REPORT_COUNT, V_FIRST_SEEN, V_LAST_SEEN, V_CHANNELS, V_DUE,
	V_DEADLINE_LABEL, V_CLAIMED_BY, V_CLAIM_EXPIRES, V_MERGED_INTO,
	V_MERGED_URL, V_SYSTEM_LEVEL, V_DETECTED_AT, V_RESOLVED_AT,
	V_NOTIFIED_AT, V_HANDLING_LABEL, V_INDICATORS, V_TYPE, V_VALUE_STR,
	V_CAN_ACT, V_CAN_CLAIM, V_CAN_MERGE, V_CLAIMED_BY_USER, V_CLAIM_ACTION,
	V_RELEASE_ACTION, V_STATUS_ACTION, V_MERGE_ACTION, V_FORWARD_ACTION,
	V_FORWARD, V_NEXT_STATUSES, V_NOTE, V_MERGE_INTO,
	V_REPORTS, V_REPORTS_CUT, V_CHANNEL_LABEL, V_AUTOMATIC,
	V_CONFIDENTIAL, V_TOKEN, V_REPORTER_NAME, V_ORGANIZATION,
	V_REPORTER_EMAIL, V_REPORTER_PHONE, V_AFFECTED_SYSTEM,
	V_OPERATING_UNIT, V_OCCURRED_AT, V_SUBJECT, V_DESCRIPTION,
	V_DESCRIPTION_CUT, V_EVIDENCE_URL, V_EVIDENCE_SIZE,
	V_SOURCES, V_REPORTER, V_TALLY, V_TIMELINE, V_AT, V_ACTOR,
	V_ACTION_LABEL, V_OBJECT, V_DETAIL, V_PEER,
	V_STATS_ACTION, V_PERIOD, V_PERIODS, V_PERIOD_FROM, V_PERIOD_TO,
	V_TOTAL, V_VERIFIED_TOTAL, V_MEDIAN_CLAIM, V_MEDIAN_RESOLVE, V_MAU05,
	V_ROW, V_IN_HOUSE, V_DOMESTIC, V_FOREIGN, V_COORDINATOR,
	V_MAU05_COUNT, V_MAU05_IN_HOUSE, V_MAU05_DOMESTIC, V_MAU05_FOREIGN,
	V_MAU05_COORDINATOR, V_CHARTS, V_VIEWBOX, V_AXIS_X1, V_AXIS_Y1,
	V_AXIS_X2, V_AXIS_Y2, V_BARS, V_X, V_Y, V_W, V_H, V_SHORT, V_LABEL_X,
	V_LABEL_Y, V_VALUE_X, V_VALUE_Y,
	V_FIXED
};
/* After the fixed names: value.<field i> and error.<field i>. */
#define V_VALUE(i)	(V_FIXED + (int)(i))
#define V_ERROR(i)	(V_FIXED + PAGE_NFIELDS + (int)(i))
#define V_COUNT		(V_FIXED + 2 * PAGE_NFIELDS)

enum { LANG_VI, LANG_EN };
extern const char *const page_lang_names[2];

struct page_msg {
	const char	*key;
	const char	*text[2];	/* LANG_VI, LANG_EN */
};

enum page_node_kind { N_TEXT, N_VAR, N_MSG, N_IF, N_IFNOT, N_EACH, N_SLOT };

struct page_node {
	enum page_node_kind	 kind;
	int			 id;	/* var id; N_MSG: msg index */
	int			 url;	/* N_VAR starting a URL value */
	const char		*s;	/* N_TEXT */
	size_t			 len;
	size_t			 end;	/* sections: past the end */
};

struct page_tmpl {
	char			*text;
	size_t			 len;
	struct page_node	*nodes;
	size_t			 n;
};

struct page_set {
	const struct taxonomy	*tax;
	char			*msgtext;
	struct page_msg		*msgs;		/* sorted by key */
	size_t			 nmsgs;
	struct page_tmpl	 tmpl[T_COUNT];
	char			*css;
	size_t			 css_len;
	char			 css_version[17];
};

/* Bytes of the UTF-8 sequence at p (len >= 1); *cp, or PAGE_UTF8_BAD
   for the maximal ill-formed subpart (at least one byte). */
#define PAGE_UTF8_BAD	0xFFFFFFFFu
size_t	page_utf8_next(const unsigned char *p, size_t len, uint32_t *cp);

/* Well-formed UTF-8 without controls; TAB, CR, LF only when multiline. */
int	page_text_ok(const char *s, size_t len, int multiline);

/* a-z 0-9 . - _ : the characters of names and message keys. */
int	page_name_char(int c);

/* "SRC:LINE: why" (or "SRC: why" when line is 0) into err. */
void	page_seterr(char *err, size_t errlen, const char *src, size_t line,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Index of key in ps's catalogue, or -1. */
int	page_msg_find(const struct page_set *ps, const char *key);

/*
 * Parse template ti from buf[0..len) into ps->tmpl[ti] (the catalogue must
 * be loaded). Returns 0, or -1 with "NAME:LINE: why" in err; what was
 * allocated stays in ps->tmpl[ti] for page_set_free().
 */
int	page_tmpl_parse(struct page_set *ps, enum page_tmpl_id ti,
	    const char *buf, size_t len, char *err, size_t errlen);

/* ---- what a render binds (page_render.c), for page_staff.c too ---- */

struct page_list;

/* A name bound to a string (s, len) or to a list. */
struct page_val {
	int			 id;
	const char		*s;
	size_t			 len;
	const struct page_list	*list;
};

/* The names bound at one level: the root, or one item of a list. */
struct page_scope {
	struct page_val		*v;
	size_t			 n;
	size_t			 cap;
};

struct page_list {
	struct page_scope	*items;
	size_t			 n;
};

struct page_achunk;

/* Everything bound for one render; failed: an allocation failed. */
struct page_arena {
	struct page_achunk	*head;
	int			 failed;
};

/* Zeroed memory of the arena, or NULL (and failed set). */
void	*page_arena_alloc(struct page_arena *a, size_t n);
void	 page_arena_free(struct page_arena *a);
/* A copy of b's text in the arena (NULL when b failed); b is freed. */
char	*page_arena_buf(struct page_arena *a, struct page_buf *b);
char	*page_arena_printf(struct page_arena *a, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* A scope for cap names; a list of n items, each a scope for cap. */
struct page_scope *page_scope_new(struct page_arena *a, size_t cap);
struct page_list *page_list_new(struct page_arena *a, size_t n, size_t cap);
/*
 * Bind name id to s (or to list l) in sc; a NULL s, l or sc binds
 * nothing. Past the scope's cap the arena fails (a bug: sized too small).
 */
void	 page_bind(struct page_arena *a, struct page_scope *sc, int id,
	    const char *s);
void	 page_bind_list(struct page_arena *a, struct page_scope *sc, int id,
	    const struct page_list *l);
/* The text of key in lang (LANG_*), or NULL. */
const char *page_msg_text(const struct page_set *ps, int lang,
	    const char *key);
/* The text of the key fmt composes, else the text of fallback. */
const char *page_msg_fmt(const struct page_set *ps, int lang,
	    const char *fallback, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/*
 * Append s[0..len) to a URL, percent-encoding every other byte than:
 * where 0 (a path) unreserved, sub-delimiters, ':', '@', '/', '%';
 * where 1 (a query) the same and '?'; where 2 (one path segment or one
 * query value taken from outside) unreserved only.
 */
void	 page_url_encode(struct page_buf *b, const char *s, size_t len,
	    int where);
/* path (a constant of ours) with ?lang= for lang. */
const char *page_lang_url(struct page_arena *a, const char *path, int lang);

/* Every key page_staff.c composes or callers give it, NULL-terminated. */
extern const char *const page_staff_keys[];

/*
 * page_staff.c: the names of the staff pages (PAGE_STAFF_*) bound into
 * root, from v->staff (NULL: nothing bound).
 */
void	 page_staff_bind(struct page_arena *a, struct page_scope *root,
	    const struct page_set *ps, enum page_id id, int lang,
	    const struct page_vars *v);

#endif
