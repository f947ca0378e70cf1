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
	L_LEVELS
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

/*
 * page_staff.c: the names of the staff pages (PAGE_STAFF_*) bound into
 * root, from v->staff (NULL: nothing bound).
 */
void	 page_staff_bind(struct page_arena *a, struct page_scope *root,
	    const struct page_set *ps, enum page_id id, int lang,
	    const struct page_vars *v);

#endif
